//! Behaviour of the fan-out, on paused tokio time: every assertion is about counts,
//! order and virtual instants, never about the wall clock.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::stream::{self, FusedStream, Stream, StreamExt};
use tokio::time::{Instant, sleep};

use super::*;
use crate::JitterStrategy;

type Io = std::io::Error;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn boom(msg: &str) -> Io {
    Io::other(msg.to_owned())
}

/// Counts items in flight inside the per-item function, with a high-water mark.
#[derive(Default)]
struct Probe {
    in_flight: AtomicUsize,
    max: AtomicUsize,
    started: AtomicUsize,
    finished: AtomicUsize,
    dropped: AtomicUsize,
}

struct InFlight<'a>(&'a Probe, bool);

impl Probe {
    fn enter(&self) -> InFlight<'_> {
        self.started.fetch_add(1, SeqCst);
        let now = self.in_flight.fetch_add(1, SeqCst) + 1;
        self.max.fetch_max(now, SeqCst);
        InFlight(self, false)
    }
}

impl InFlight<'_> {
    fn finish(mut self) {
        self.1 = true;
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, SeqCst);
        if self.1 {
            self.0.finished.fetch_add(1, SeqCst);
        } else {
            self.0.dropped.fetch_add(1, SeqCst);
        }
    }
}

/// A source that counts the items pulled from it and knows whether it was dropped.
struct Source<St> {
    inner: St,
    pulled: Arc<AtomicUsize>,
    dropped: Arc<AtomicBool>,
}

impl<St: Stream + Unpin> Stream for Source<St> {
    type Item = St::Item;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<St::Item>> {
        let item = self.inner.poll_next_unpin(cx);
        if let Poll::Ready(Some(_)) = item {
            self.pulled.fetch_add(1, SeqCst);
        }
        item
    }
}

impl<St> Drop for Source<St> {
    fn drop(&mut self) {
        self.dropped.store(true, SeqCst);
    }
}

fn source<St: Stream + Unpin>(inner: St) -> (Source<St>, Arc<AtomicUsize>, Arc<AtomicBool>) {
    let pulled = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicBool::new(false));
    let s = Source {
        inner,
        pulled: pulled.clone(),
        dropped: dropped.clone(),
    };
    (s, pulled, dropped)
}

fn items(n: u64) -> impl Stream<Item = Result<u64, Error>> + Unpin {
    stream::iter((0..n).map(Ok))
}

/// A varied but deterministic duration per item.
fn work(i: u64) -> Duration {
    ms(10 + (i * 37) % 90)
}

#[tokio::test(start_paused = true)]
async fn never_more_than_max_concurrency_in_flight() {
    for c in [1usize, 2, 3, 8, 64] {
        let probe = Probe::default();
        let report = items(100)
            .run_map(MapSettings::new(c), |i| {
                let guard = probe.enter();
                async move {
                    sleep(work(i)).await;
                    guard.finish();
                    Ok::<_, Io>(())
                }
            })
            .await
            .unwrap();
        assert_eq!(
            probe.max.load(SeqCst),
            c,
            "c = {c}: the limit is reached, never passed"
        );
        assert_eq!(report.max_in_flight, c);
        assert_eq!(report.succeeded, 100);
        assert_eq!(probe.finished.load(SeqCst), 100);
    }
}

/// Even items are done on their first poll (the engine finishes them without making a
/// task), odd ones wait: both kinds share the limit, and both forms keep their order.
#[tokio::test(start_paused = true)]
async fn items_done_at_once_and_items_that_wait_share_the_limit_and_the_order() {
    let probe = Probe::default();
    let f = |i: u64| {
        let guard = probe.enter();
        async move {
            if i % 2 == 1 {
                sleep(ms(100 - i)).await;
            }
            guard.finish();
            Ok::<_, Io>(i)
        }
    };
    let map = MapSettings::new(4);
    let mut ordered = items(20).map_ordered(map, f);
    let mut seen = Vec::new();
    while let Some(i) = ordered.next().await {
        seen.push(i.unwrap());
    }
    assert_eq!(seen, (0..20).collect::<Vec<_>>());
    assert!(probe.max.load(SeqCst) <= 4);
    assert!(ordered.max_in_flight() <= 4);

    // Unordered: each even item comes out as soon as it starts; the odd ones, which
    // sleep less the later they start, come out in completion order.
    let unordered: Vec<u64> = items(20)
        .map_unordered(map, f)
        .map(Result::unwrap)
        .collect()
        .await;
    let mut sorted = unordered.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..20).collect::<Vec<_>>());
    assert_eq!(
        &unordered[..3],
        &[0, 2, 4],
        "instant items before the sleeping ones"
    );
    assert!(probe.max.load(SeqCst) <= 4);
    assert_eq!(probe.finished.load(SeqCst), 40);
    assert_eq!(probe.dropped.load(SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn zero_means_no_limit() {
    let probe = Probe::default();
    let out: Vec<_> = items(500)
        .map_unordered(MapSettings::new(0), |i| {
            let guard = probe.enter();
            async move {
                sleep(work(i)).await;
                guard.finish();
                Ok::<_, Io>(i)
            }
        })
        .collect()
        .await;
    assert_eq!(out.len(), 500);
    assert_eq!(
        probe.max.load(SeqCst),
        500,
        "every ready item starts at once"
    );
}

#[tokio::test(start_paused = true)]
async fn one_at_a_time_runs_in_input_order() {
    let log = Mutex::new(Vec::new());
    let map = MapSettings::new(1);
    let report = items(20)
        .run_map(map, |i| {
            log.lock().unwrap().push(("start", i));
            let log = &log;
            async move {
                // Later items are faster: only a one-at-a-time run keeps the order.
                sleep(ms(100 - i * 5)).await;
                log.lock().unwrap().push(("end", i));
                Ok::<_, Io>(())
            }
        })
        .await
        .unwrap();
    let expected: Vec<_> = (0..20).flat_map(|i| [("start", i), ("end", i)]).collect();
    assert_eq!(*log.lock().unwrap(), expected);
    assert_eq!(report.max_in_flight, 1);
}

#[tokio::test(start_paused = true)]
async fn ordered_yields_input_order_unordered_completion_order() {
    // Item i takes (10 - i) * 10 ms: they finish in reverse.
    let f = |i: u64| async move {
        sleep(ms((10 - i) * 10)).await;
        Ok::<_, Io>(i)
    };
    let map = MapSettings::new(10);
    let ordered: Vec<u64> = items(10)
        .map_ordered(map, f)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(ordered, (0..10).collect::<Vec<_>>());
    let unordered: Vec<u64> = items(10)
        .map_unordered(map, f)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(unordered, (0..10).rev().collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn ordered_reorder_buffer_is_bounded() {
    // Item 0 is very slow; the others are fast. The ordered form may run C at once
    // and hold C finished results; it does not run ahead of the slow item further.
    let c = 4;
    let (src, pulled, _) = source(items(100));
    let probe = Probe::default();
    let mut s = src.map_ordered(MapSettings::new(c), |i| {
        let guard = probe.enter();
        async move {
            sleep(if i == 0 { ms(10_000) } else { ms(10) }).await;
            guard.finish();
            Ok::<_, Io>(i)
        }
    });
    let first = s.next().await.unwrap().unwrap();
    assert_eq!(first, 0);
    // While item 0 ran, at most 2c items were pulled: c in flight + c held.
    assert!(
        pulled.load(SeqCst) <= 2 * c + 1,
        "pulled {}",
        pulled.load(SeqCst)
    );
    let rest: Vec<u64> = s.map(Result::unwrap).collect().await;
    assert_eq!(rest, (1..100).collect::<Vec<_>>());
    assert!(probe.max.load(SeqCst) <= c);
}

#[tokio::test(start_paused = true)]
async fn input_is_polled_only_when_a_slot_is_free() {
    let c = 3;
    let (src, pulled, _) = source(items(50));
    let probe = Probe::default();
    let pulled2 = pulled.clone();
    items_check(src, c, &probe, move |probe| {
        // When an item starts, the input has given at most the finished ones plus c.
        let pulled = pulled2.load(SeqCst);
        let finished = probe.finished.load(SeqCst);
        assert!(
            pulled <= finished + c,
            "pulled {pulled}, finished {finished}"
        );
    })
    .await;
    assert_eq!(pulled.load(SeqCst), 50);
}

async fn items_check(
    src: impl Stream<Item = Result<u64, Error>>,
    c: usize,
    probe: &Probe,
    check: impl Fn(&Probe),
) {
    let report = src
        .run_map(MapSettings::new(c), |i| {
            check(probe);
            let guard = probe.enter();
            async move {
                sleep(work(i)).await;
                guard.finish();
                Ok::<_, Io>(())
            }
        })
        .await
        .unwrap();
    assert_eq!(report.succeeded, 50);
}

/// A paged source like the row stream: a producer task fetches a page of `per_page`
/// items every `t_page`, at most one page ahead of the consumer (prefetch depth 1).
fn pages(
    n: u64,
    per_page: u64,
    t_page: Duration,
) -> impl Stream<Item = Result<u64, Error>> + Unpin {
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u64>>(1);
    tokio::spawn(async move {
        for p in 0..n.div_ceil(per_page) {
            sleep(t_page).await;
            let page = (p * per_page..((p + 1) * per_page).min(n)).collect();
            if tx.send(page).await.is_err() {
                return;
            }
        }
    });
    Box::pin(
        stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|page| (page, rx))
        })
        .flat_map(stream::iter)
        .map(Ok),
    )
}

/// Runs `pages(n, per_page, t_page)` with `c` in flight, item `i` taking `work(i)`.
async fn paged_run(
    n: u64,
    per_page: u64,
    t_page: Duration,
    c: usize,
    work: impl Fn(u64) -> Duration,
) -> Duration {
    let report = pages(n, per_page, t_page)
        .run_map(MapSettings::new(c), |i| {
            let t = work(i);
            async move {
                sleep(t).await;
                Ok::<_, Io>(())
            }
        })
        .await
        .unwrap();
    assert_eq!(report.succeeded, n);
    report.elapsed
}

#[tokio::test(start_paused = true)]
async fn no_page_barrier_when_items_are_the_bottleneck() {
    // 100 items, pages of 10 every 50 ms, 4 at once, 100 ms each.
    let (n, per_page, t_page, c, t_item) = (100, 10, ms(50), 4, ms(100));
    let elapsed = paged_run(n, per_page, t_page, c, |_| t_item).await;
    let item_bound = t_item * (n as u32) / c as u32; // 2500 ms
    let page_bound = t_page * (n / per_page) as u32; // 500 ms
    let bound = item_bound.max(page_bound);
    // A barrier between pages would take 10 * 3 * 100 = 3000 ms: 10 items of a page
    // run in 3 rounds of 4, the last round with 2 slots idle.
    assert!(elapsed >= bound, "{elapsed:?}");
    assert!(
        elapsed <= bound + t_page + t_item,
        "{elapsed:?} vs {bound:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn no_page_barrier_when_pages_are_the_bottleneck() {
    // 100 items, pages of 10 every 200 ms, 10 at once, 100 ms each but the first of
    // each page 350 ms: longer than a page, which is what a barrier would show.
    let (n, per_page, t_page, c, t_item, t_slow) = (100, 10, ms(200), 10, ms(100), ms(350));
    let work = |i: u64| {
        if i.is_multiple_of(per_page) {
            t_slow
        } else {
            t_item
        }
    };
    let elapsed = paged_run(n, per_page, t_page, c, work).await;
    let bound = t_page * (n / per_page) as u32; // 2000 ms: the items need 1250 ms
    // The last page's slow item ends 350 ms after its page came. A barrier between
    // pages would start each page when the slow item of the one before ended: after
    // at least 10 * 350 = 3500 ms.
    assert!(elapsed >= bound, "{elapsed:?}");
    assert!(
        elapsed <= bound + t_slow + t_item,
        "{elapsed:?} vs {bound:?}"
    );
}

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

fn fails_at(bad: &'static [u64]) -> impl FnMut(u64) -> futures::future::Ready<Result<u64, Io>> {
    move |i| {
        futures::future::ready(if bad.contains(&i) {
            Err(boom("bad"))
        } else {
            Ok(i)
        })
    }
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

/// Runs one item that fails `failures` times, recording when each attempt started.
async fn attempts_of<W>(
    retrier: Retrier<W>,
    failures: usize,
) -> (Vec<Duration>, Result<MapReport, Error>)
where
    Retrier<W>: RetryPolicy<u64, Io>,
{
    let start = Instant::now();
    let log = Mutex::new(Vec::new());
    let result = items(1)
        .run_map(MapSettings::new(1).with_retrier(retrier), |_| {
            let n = {
                let mut log = log.lock().unwrap();
                log.push(start.elapsed());
                log.len()
            };
            async move {
                if n <= failures {
                    Err(boom("transient"))
                } else {
                    Ok(())
                }
            }
        })
        .await;
    (log.into_inner().unwrap(), result)
}

#[tokio::test(start_paused = true)]
async fn retry_schedule_follows_interval_and_backoff_rate() {
    let retrier = Retrier::new()
        .with_interval(ms(100))
        .with_backoff_rate(2.0)
        .with_max_delay(ms(300));
    let (at, result) = attempts_of(retrier, 3).await;
    // Delays 100, 200, then 400 capped to 300.
    assert_eq!(at, [ms(0), ms(100), ms(300), ms(600)]);
    let report = result.unwrap();
    assert_eq!((report.succeeded, report.failed, report.retried), (1, 0, 3));
}

#[tokio::test(start_paused = true)]
async fn retries_are_bounded_by_max_attempts() {
    let (at, result) = attempts_of(Retrier::new(), usize::MAX).await;
    assert_eq!(
        at,
        [ms(0), ms(1000), ms(3000), ms(7000)],
        "defaults: 1 s, x2, 3 retries"
    );
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Item {
                index: 0,
                attempts: 4,
                ..
            }
        ),
        "{err:?}"
    );

    let (at, result) = attempts_of(Retrier::new().with_max_attempts(0), usize::MAX).await;
    assert_eq!(at, [ms(0)]);
    assert!(matches!(result, Err(Error::Item { attempts: 1, .. })));
}

#[tokio::test(start_paused = true)]
async fn full_jitter_follows_the_seeded_schedule() {
    let retrier = Retrier::new()
        .with_interval(ms(100))
        .with_jitter(JitterStrategy::Full)
        .with_jitter_seed(11);
    let (at, result) = attempts_of(retrier, 3).await;
    result.unwrap();
    let gaps: Vec<Duration> = at.windows(2).map(|w| w[1] - w[0]).collect();
    let expected: Vec<Duration> = retrier.delays().collect();
    // The timer has millisecond resolution: each gap is its delay, rounded up.
    for (gap, delay) in gaps.iter().zip(&expected) {
        assert!(
            *gap >= *delay && *gap <= *delay + ms(1),
            "{gap:?} vs {delay:?}"
        );
    }
    assert!(
        expected
            .iter()
            .zip([100, 200, 400])
            .all(|(d, cap)| *d <= ms(cap))
    );
}

#[tokio::test(start_paused = true)]
async fn the_predicate_chooses_which_errors_are_retried() {
    let retrier = Retrier::new()
        .with_interval(ms(10))
        .when(|e: &Io| e.kind() == std::io::ErrorKind::TimedOut);
    let attempts = AtomicUsize::new(0);
    let err = items(1)
        .run_map(MapSettings::new(1).with_retrier(retrier), |_| {
            let n = attempts.fetch_add(1, SeqCst);
            async move {
                Err::<(), _>(if n == 0 {
                    Io::from(std::io::ErrorKind::TimedOut)
                } else {
                    Io::from(std::io::ErrorKind::PermissionDenied)
                })
            }
        })
        .await
        .unwrap_err();
    // Retried once (timed out), then refused for good (permission denied).
    assert!(matches!(err, Error::Item { attempts: 2, .. }), "{err:?}");
    assert_eq!(attempts.load(SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn an_item_waiting_for_a_retry_keeps_its_slot_and_its_place() {
    let probe = Probe::default();
    let tries = Mutex::new(std::collections::HashMap::<u64, u32>::new());
    let map = MapSettings::new(2).with_retrier(Retrier::new().with_interval(ms(50)));
    let out: Vec<u64> = items(10)
        .map_ordered(map, |i| {
            let n = {
                let mut t = tries.lock().unwrap();
                let n = t.entry(i).or_default();
                *n += 1;
                *n
            };
            let guard = probe.enter();
            async move {
                sleep(ms(10)).await;
                guard.finish();
                if i % 3 == 0 && n < 3 {
                    Err(boom("again"))
                } else {
                    Ok(i)
                }
            }
        })
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(out, (0..10).collect::<Vec<_>>());
    assert!(probe.max.load(SeqCst) <= 2);
}

#[tokio::test(start_paused = true)]
async fn batches_close_when_full_or_when_the_input_has_nothing_ready() {
    // Pages of 5 every 100 ms, batches of up to 3: [3, 2] per page, never a batch
    // that waits for the next page.
    let batches: Vec<Vec<u64>> = pages(10, 5, ms(100))
        .item_batcher(3)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(
        batches,
        [vec![0, 1, 2], vec![3, 4], vec![5, 6, 7], vec![8, 9]]
    );

    let report = items(10)
        .item_batcher(4)
        .run_map(MapSettings::new(2), |batch| async move {
            Ok::<_, Io>(batch.len())
        })
        .await
        .unwrap();
    assert_eq!(report.succeeded, 3, "batches of 4, 4, 2");
}

#[tokio::test(start_paused = true)]
async fn batcher_passes_errors_and_refuses_zero() {
    let input = stream::iter(vec![Ok(1u8), Err(Error::invalid_config("x")), Ok(2)]);
    let out: Vec<_> = input.item_batcher(10).collect().await;
    assert_eq!(out.len(), 1);
    assert!(matches!(out[0], Err(Error::InvalidConfig { .. })));

    let mut s = items(3).item_batcher(0);
    assert!(matches!(
        s.next().await,
        Some(Err(Error::InvalidConfig { .. }))
    ));
    assert!(s.next().await.is_none());
    assert!(s.is_terminated());
}

#[tokio::test(start_paused = true)]
async fn empty_input_ends_at_once() {
    let report = items(0)
        .run_map(MapSettings::new(1), fails_at(&[]))
        .await
        .unwrap();
    assert_eq!(report.items(), 0);
    assert_eq!(report.items_per_sec(), 0.0);
    let mut s = items(0).map_ordered(MapSettings::new(1), fails_at(&[]));
    assert!(s.next().await.is_none());
    assert!(s.is_terminated());
}

#[tokio::test(start_paused = true)]
async fn report_measures_virtual_time() {
    let report = items(10)
        .run_map(MapSettings::new(5), |_| async {
            sleep(ms(100)).await;
            Ok::<_, Io>(())
        })
        .await
        .unwrap();
    assert_eq!(report.elapsed, ms(200));
    assert_eq!(report.items_per_sec(), 50.0);
}

#[test]
fn combinators_are_send_and_sync_when_their_parts_are() {
    fn send_sync<X: Send + Sync>(_: &X) {}
    let f = |i: u64| async move { Ok::<_, Io>(i) };
    send_sync(&items(1).map_ordered(MapSettings::new(1), f));
    send_sync(&items(1).map_unordered(MapSettings::new(1), f));
    send_sync(&items(1).run_map(MapSettings::new(1).with_retrier(Retrier::new()), f));
    send_sync(&items(1).item_batcher(2));
}

#[test]
fn size_hints() {
    let f = |i: u64| async move { Ok::<_, Io>(i) };
    assert_eq!(
        items(5).map_ordered(MapSettings::new(1), f).size_hint(),
        (0, Some(6))
    );
    assert_eq!(
        items(5).map_unordered(MapSettings::new(1), f).size_hint(),
        (0, Some(6))
    );
    assert_eq!(items(5).item_batcher(2).size_hint(), (1, Some(6)));
}

#[tokio::test(start_paused = true)]
async fn debug_output_shows_progress() {
    let input = stream::iter(vec![Ok::<u64, Error>(0), Ok(1), Ok(2)]);
    let mut s = input.map_ordered(MapSettings::new(1), fails_at(&[]));
    s.next().await;
    let debug = format!("{s:?}");
    assert!(debug.starts_with("MapOrdered"), "{debug}");
    assert!(debug.contains("started: 1"), "{debug}");
    let r = Retrier::new().when(|_: &Io| true);
    assert!(format!("{:?}", MapSettings::new(1).with_retrier(r)).contains("backoff_rate: 2.0"));
}

/// What a subscriber saw: the spans made and the events, each with its fields and
/// the name of the span it belongs to.
#[derive(Clone, Default)]
struct Traced(Arc<Mutex<TracedLog>>);

#[derive(Default)]
struct TracedLog {
    spans: Vec<(&'static str, Fields)>,
    events: Vec<TracedEvent>,
}

struct TracedEvent {
    message: String,
    span: Option<&'static str>,
    fields: Fields,
}

type Fields = std::collections::BTreeMap<String, String>;

struct Recorder<'a>(&'a mut Fields);

impl tracing::field::Visit for Recorder<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S> tracing_subscriber::Layer<S> for Traced
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = Fields::new();
        attrs.record(&mut Recorder(&mut fields));
        let span = (attrs.metadata().name(), fields);
        self.0.lock().unwrap().spans.push(span);
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        let mut fields = Fields::new();
        event.record(&mut Recorder(&mut fields));
        let event = TracedEvent {
            message: fields.remove("message").unwrap_or_default(),
            span: ctx.event_span(event).map(|span| span.name()),
            fields,
        };
        self.0.lock().unwrap().events.push(event);
    }
}

impl Traced {
    /// Traces this thread (the test's current-thread runtime) until the guard drops.
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        use tracing_subscriber::layer::SubscriberExt;
        tracing::subscriber::set_default(tracing_subscriber::registry().with(self.clone()))
    }

    fn events(&self, message: &str) -> Vec<Fields> {
        let log = self.0.lock().unwrap();
        let events = log.events.iter().filter(|e| e.message == message);
        events.map(|e| e.fields.clone()).collect()
    }
}

#[tokio::test(start_paused = true)]
async fn a_run_has_one_span_with_its_settings_and_ends_with_its_counts() {
    let traced = Traced::default();
    let _guard = traced.install();
    let map = MapSettings::new(3)
        .with_tolerated_failure_count(5)
        .with_retrier(Retrier::new().with_interval(ms(10)).with_max_attempts(1));
    // Items 3 and 13 fail on both attempts; every item logs an event of its own.
    let report = items(20)
        .run_map(map, |i| async move {
            sleep(ms(10)).await;
            tracing::info!(i, "item ran");
            if i % 10 == 3 {
                Err(boom("bad"))
            } else {
                Ok(())
            }
        })
        .await
        .unwrap();
    assert_eq!(
        (report.succeeded, report.failed, report.retried),
        (18, 2, 2)
    );

    let log = traced.0.lock().unwrap();
    assert_eq!(log.spans.len(), 1, "one span per run, none per item");
    let (name, fields) = &log.spans[0];
    assert_eq!(*name, "athena_map");
    let expected = [
        ("method", "run_map"),
        ("max_concurrency", "3"),
        ("tolerated_failure_count", "5"),
        ("max_attempts", "1"),
    ];
    let expected: Fields = expected.map(|(k, v)| (k.into(), v.into())).into();
    assert_eq!(
        *fields, expected,
        "a percentage that is not set is left out"
    );
    assert_eq!(
        log.events.len(),
        22 + 2 + 2 + 1,
        "items, retries, failures, end"
    );
    assert!(
        log.events.iter().all(|e| e.span == Some("athena_map")),
        "the run's events, and the items', are inside its span"
    );
    let last = log.events.last().unwrap();
    assert_eq!(last.message, "map run succeeded");
    drop(log);

    assert_eq!(traced.events("item ran").len(), 22);
    assert_eq!(traced.events("map item retried").len(), 2);
    assert_eq!(traced.events("map item failed").len(), 2);
    let end = &traced.events("map run succeeded")[0];
    let counts = [("succeeded", "18"), ("failed", "2"), ("retried", "2")];
    for (field, value) in counts {
        assert_eq!(end[field], value, "{field}");
    }
    assert_eq!(end["max_in_flight"], report.max_in_flight.to_string());
    assert_eq!(end["elapsed"], format!("{:?}", report.elapsed));
}

#[tokio::test(start_paused = true)]
async fn a_failed_run_ends_its_span_with_the_error() {
    let traced = Traced::default();
    let _guard = traced.install();
    let input = stream::iter(vec![Ok(0u64), Err(boom("disk on fire"))]);
    let out: Vec<_> = input
        .map_unordered(
            MapSettings::new(0).with_tolerated_failure_percentage(10.0),
            |i| async move { Ok::<_, Io>(i) },
        )
        .collect()
        .await;
    assert!(matches!(out[..], [Err(Error::Input { .. })]), "{out:?}");

    let log = traced.0.lock().unwrap();
    assert_eq!(log.spans.len(), 1);
    let fields = &log.spans[0].1;
    assert_eq!(fields["method"], "map_unordered");
    assert_eq!(fields["max_concurrency"], "0");
    assert_eq!(fields["tolerated_failure_percentage"], "10.0");
    assert_eq!(fields["max_attempts"], "0", "no retrier");
    assert!(!fields.contains_key("tolerated_failure_count"));
    drop(log);
    let end = traced.events("map run failed");
    assert_eq!(end.len(), 1);
    assert_eq!(end[0]["error"], "the input stream failed: disk on fire");
    assert_eq!(
        end[0]["succeeded"], "0",
        "item 0 was dropped with the error"
    );
    assert!(traced.events("map run succeeded").is_empty());
}
