//! Failing fast, input errors, and the tolerated failures.

use super::*;

#[tokio::test(start_paused = true)]
async fn fail_fast_cancels_in_flight_drops_input_and_ends() {
    let (src, pulled, input_dropped) = source(items(100));
    let probe = Probe::default();
    let mut s = src.map_unordered(MapSettings::new(5), |i| {
        let guard = probe.enter();
        async move {
            if i == 3 {
                sleep(ms(10)).await;
                return Err(boom("item 3"));
            }
            sleep(ms(1000)).await;
            guard.finish();
            Ok(i)
        }
    });
    let err = s.next().await.unwrap().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Item {
                index: 3,
                attempts: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        input_dropped.load(SeqCst),
        "the input (the query) is dropped with the error"
    );
    assert_eq!(pulled.load(SeqCst), 5, "no item started after the failure");
    assert_eq!(
        probe.dropped.load(SeqCst),
        5,
        "items in flight were cancelled"
    );
    assert_eq!(probe.finished.load(SeqCst), 0);
    assert!(s.is_terminated());
    assert!(
        s.next().await.is_none(),
        "the error is yielded once, then the stream ends"
    );
    assert!(s.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn fail_fast_in_ordered_form_does_not_wait_for_earlier_items() {
    let map = MapSettings::new(4);
    let mut s = items(10).map_ordered(map, |i| async move {
        sleep(if i == 2 { ms(1) } else { ms(1000) }).await;
        if i == 2 { Err(boom("two")) } else { Ok(i) }
    });
    let start = Instant::now();
    let err = s.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Item { index: 2, .. }));
    assert_eq!(start.elapsed(), ms(1));
    assert!(s.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn run_map_returns_the_first_error() {
    let err = items(10)
        .run_map(MapSettings::new(3), |i| async move {
            if i >= 4 { Err(boom("late")) } else { Ok(()) }
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Item { index: 4, .. }), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn input_error_is_yielded_once_and_ends_the_stream() {
    let input = stream::iter(vec![
        Ok(0u64),
        Ok(1),
        Err(Error::invalid_response(
            crate::error::Operation::GetQueryResults,
            "broken page",
        )),
        Ok(3),
    ]);
    let (src, pulled, input_dropped) = source(input);
    let probe = Probe::default();
    let mut s = src.map_ordered(MapSettings::new(4), |i| {
        let guard = probe.enter();
        async move {
            sleep(ms(100)).await;
            guard.finish();
            Ok::<_, Io>(i)
        }
    });
    let err = s.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    assert!(input_dropped.load(SeqCst));
    assert_eq!(pulled.load(SeqCst), 3);
    assert_eq!(
        probe.dropped.load(SeqCst),
        2,
        "the two items in flight were dropped"
    );
    assert!(s.next().await.is_none());
    assert!(s.is_terminated());
}

/// An input may fail with any error that converts into a `BoxError`: one of another
/// type comes out wrapped in `Error::Input`, from every form and through the batcher.
#[tokio::test(start_paused = true)]
async fn an_input_error_of_another_type_comes_out_as_error_input() {
    fn input() -> impl Stream<Item = Result<u64, Io>> {
        stream::iter(vec![Ok(0), Err(boom("disk on fire")), Ok(2)])
    }
    fn is_the_input_error(err: &Error) -> bool {
        matches!(err, Error::Input { source }
            if source.downcast_ref::<Io>().is_some_and(|io| io.to_string() == "disk on fire"))
    }
    let f = |i: u64| async move { Ok::<_, Io>(i) };

    let err = input().run_map(MapSettings::new(2), f).await.unwrap_err();
    assert!(is_the_input_error(&err), "{err:?}");
    assert_eq!(err.to_string(), "the input stream failed: disk on fire");
    assert!(std::error::Error::source(&err).is_some());

    let ordered: Vec<_> = input().map_ordered(MapSettings::new(2), f).collect().await;
    assert_eq!(
        ordered.len(),
        1,
        "item 0 was dropped with the error: {ordered:?}"
    );
    assert!(is_the_input_error(ordered[0].as_ref().unwrap_err()));

    let unordered: Vec<_> = input()
        .map_unordered(MapSettings::new(2), f)
        .collect()
        .await;
    assert_eq!(unordered.len(), 1, "{unordered:?}");
    assert!(is_the_input_error(unordered[0].as_ref().unwrap_err()));

    let batched: Vec<_> = input().item_batcher(5).collect().await;
    assert_eq!(batched.len(), 1, "{batched:?}");
    assert!(is_the_input_error(batched[0].as_ref().unwrap_err()));
    let err = input()
        .item_batcher(5)
        .run_map(MapSettings::new(2), |b| async move { Ok::<_, Io>(b.len()) })
        .await
        .unwrap_err();
    assert!(is_the_input_error(&err), "not wrapped twice: {err:?}");
}

/// An input error that is this crate's own `Error` (a row stream's) is passed on as
/// it is, even when the caller boxed it, and is never wrapped in `Error::Input`.
#[tokio::test(start_paused = true)]
async fn an_input_error_of_this_crate_comes_out_unchanged() {
    let broken =
        || Error::invalid_response(crate::error::Operation::GetQueryResults, "broken page");
    let is_broken = |err: &Error| matches!(err, Error::InvalidResponse { message, .. } if message == "broken page");

    let err = stream::iter(vec![Ok(0u64), Err(broken())])
        .run_map(MapSettings::new(2), fails_at(&[]))
        .await
        .unwrap_err();
    assert!(is_broken(&err), "{err:?}");

    let boxed: BoxError = Box::new(broken());
    let err = stream::iter(vec![Ok(0u64), Err(boxed)])
        .run_map(MapSettings::new(2), fails_at(&[]))
        .await
        .unwrap_err();
    assert!(is_broken(&err), "{err:?}");

    let err = stream::iter(vec![Ok(0u64), Err(broken())])
        .item_batcher(3)
        .run_map(MapSettings::new(2), |b| async move { Ok::<_, Io>(b.len()) })
        .await
        .unwrap_err();
    assert!(is_broken(&err), "{err:?}");
}

/// Items done at once must not starve those in flight: with an input that always has
/// the next item ready and every item but one done on its first poll, the one that
/// failed is retried (after no delay) and comes out within a few items, not last.
#[tokio::test(start_paused = true)]
async fn items_done_at_once_do_not_starve_a_retry() {
    let tries = Mutex::new(0u32);
    let map = MapSettings::new(4).with_retrier(Retrier::new().with_interval(Duration::ZERO));
    let out: Vec<u64> = items(100)
        .map_unordered(map, |i| {
            let first_try_of_zero = i == 0 && {
                let mut t = tries.lock().unwrap();
                *t += 1;
                *t == 1
            };
            futures::future::ready(if first_try_of_zero {
                Err(boom("once"))
            } else {
                Ok(i)
            })
        })
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(out.len(), 100);
    let at = out.iter().position(|&i| i == 0).unwrap();
    assert!(at < 8, "item 0 came out at place {at} of 100");
}

#[tokio::test(start_paused = true)]
async fn tolerated_failure_count() {
    const BAD: &[u64] = &[2, 5, 9];
    let map = MapSettings::new(2).with_tolerated_failure_count(3);
    let report = items(20).run_map(map, fails_at(BAD)).await.unwrap();
    assert_eq!((report.succeeded, report.failed), (17, 3));
    let mut indexes: Vec<u64> = report
        .failures
        .iter()
        .map(|e| match e {
            Error::Item { index, .. } => *index,
            other => panic!("{other:?}"),
        })
        .collect();
    indexes.sort();
    assert_eq!(indexes, BAD);

    // In the ordered stream, a tolerated failure takes its item's place.
    let out: Vec<_> = items(20).map_ordered(map, fails_at(BAD)).collect().await;
    assert_eq!(out.len(), 20);
    for (i, r) in out.iter().enumerate() {
        assert_eq!(r.is_err(), BAD.contains(&(i as u64)), "{i}");
    }

    // One fewer tolerated: the third failure passes the threshold, at once.
    let (src, pulled, _) = source(items(20));
    let err = src
        .run_map(map.with_tolerated_failure_count(2), fails_at(BAD))
        .await
        .unwrap_err();
    match err {
        Error::ToleratedFailureThresholdExceeded {
            failed,
            total,
            tolerated_failure_count,
            last,
            ..
        } => {
            // Item 10 had started beside item 9 (two at once) when 9 failed.
            assert_eq!((failed, total, tolerated_failure_count), (3, 11, Some(2)));
            assert!(matches!(
                last.as_deref(),
                Some(Error::Item { index: 9, .. })
            ));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        pulled.load(SeqCst),
        11,
        "nothing started after the threshold"
    );
}

#[tokio::test(start_paused = true)]
async fn tolerated_failure_percentage_is_against_the_total() {
    let map = MapSettings::new(3).with_tolerated_failure_percentage(20.0);
    // 2 of 10 = 20%: tolerated, although the first two items failed (100% at that point).
    let report = items(10).run_map(map, fails_at(&[0, 1])).await.unwrap();
    assert_eq!((report.succeeded, report.failed), (8, 2));
    // 3 of 10 = 30%: exceeded, known when the input ends.
    let err = items(10)
        .run_map(map, fails_at(&[0, 1, 2]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ToleratedFailureThresholdExceeded {
                failed: 3,
                total: 10,
                ..
            }
        ),
        "{err:?}"
    );
    // Ordered stream: the tolerated failures come first, the threshold error last.
    let out: Vec<_> = items(10)
        .map_ordered(map, fails_at(&[0, 1, 9]))
        .collect()
        .await;
    assert_eq!(
        out.len(),
        10,
        "two tolerated failures, 7 values, then the error"
    );
    assert!(matches!(out[0], Err(Error::Item { index: 0, .. })));
    assert!(matches!(out[2], Ok(2)));
    assert!(matches!(
        out[9],
        Err(Error::ToleratedFailureThresholdExceeded {
            failed: 3,
            total: 10,
            ..
        })
    ));
}

#[tokio::test(start_paused = true)]
async fn zero_percent_fails_on_the_first_failure_with_the_threshold_error() {
    let (src, pulled, dropped) = source(items(100));
    let map = MapSettings::new(1).with_tolerated_failure_percentage(0.0);
    let err = src.run_map(map, fails_at(&[4])).await.unwrap_err();
    assert!(matches!(
        err,
        Error::ToleratedFailureThresholdExceeded {
            failed: 1,
            total: 5,
            ..
        }
    ));
    assert_eq!(pulled.load(SeqCst), 5);
    assert!(dropped.load(SeqCst));
}

#[tokio::test(start_paused = true)]
async fn invalid_settings_fail_before_the_input_is_polled() {
    let (src, pulled, dropped) = source(items(10));
    let mut s = src.map_unordered(
        MapSettings::new(1).with_tolerated_failure_percentage(f64::NAN),
        fails_at(&[]),
    );
    assert!(matches!(
        s.next().await,
        Some(Err(Error::InvalidConfig { .. }))
    ));
    assert!(s.next().await.is_none());
    assert_eq!(pulled.load(SeqCst), 0);
    assert!(dropped.load(SeqCst));

    let map = MapSettings::new(1).with_retrier(Retrier::new().with_backoff_rate(0.5));
    let err = items(1).run_map(map, fails_at(&[])).await.unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }));
}
