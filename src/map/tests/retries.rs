//! Retries: their schedule, their bound, jitter, the predicate, and the slot they keep.

use super::*;

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
