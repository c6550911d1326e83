//! The fan-out through the public API only, over plain `futures::stream::iter` inputs
//! (its behaviour in detail is unit-tested beside the code, in `src/map/tests.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use athena_stream::{
    Error, JitterStrategy,
    map::{MapExt, MapSettings, Retrier},
};
use futures::{StreamExt, TryStreamExt, stream};

#[derive(Debug, Clone, PartialEq)]
struct Transient;

impl std::fmt::Display for Transient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("transient")
    }
}

impl std::error::Error for Transient {}

/// The futures are `Send`, so a whole run can be spawned on a multi-threaded runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_can_be_spawned() {
    let calls = Arc::new(AtomicUsize::new(0));
    let map = MapSettings::new(8)
        .with_tolerated_failure_count(10)
        .with_retrier(
            Retrier::new()
                .with_interval(Duration::from_millis(1))
                .with_max_attempts(1)
                .with_jitter(JitterStrategy::Full)
                .when(|e: &Transient| *e == Transient),
        );
    let counter = calls.clone();
    let rows = stream::iter((0..100u32).map(Ok::<_, Error>));
    let run = rows.run_map(map, move |n| {
        let calls = counter.clone();
        async move {
            calls.fetch_add(1, SeqCst);
            tokio::task::yield_now().await;
            if n % 25 == 0 { Err(Transient) } else { Ok(n) }
        }
    });
    let report = tokio::spawn(run).await.unwrap().unwrap();
    assert_eq!(
        (report.succeeded, report.failed, report.retried),
        (96, 4, 4)
    );
    assert_eq!(calls.load(SeqCst), 104);
    assert!(report.max_in_flight <= 8);
    assert_eq!(report.failures.len(), 4);
}

#[tokio::test(start_paused = true)]
async fn batches_then_ordered_results() {
    let sums: Vec<u32> = stream::iter((1..=10u32).map(Ok::<_, Error>))
        .item_batcher(4)
        .map_ordered(MapSettings::new(0), |batch| async move {
            Ok::<u32, Error>(batch.iter().sum())
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sums, [10, 26, 19]);
}

#[tokio::test(start_paused = true)]
async fn the_function_may_fail_with_the_crates_own_error() {
    let mut results = stream::iter((0..3u8).map(Ok::<_, Error>)).map_unordered(
        MapSettings::new(1),
        |n| async move {
            if n == 1 {
                Err(Error::InvalidConfig {
                    message: "no".into(),
                })
            } else {
                Ok(n)
            }
        },
    );
    assert_eq!(results.next().await.unwrap().unwrap(), 0);
    let err = results.next().await.unwrap().unwrap_err();
    assert!(matches!(
        err,
        Error::Item {
            index: 1,
            attempts: 1,
            ..
        }
    ));
    assert!(std::error::Error::source(&err).is_some());
    assert!(results.next().await.is_none());
}

/// Any stream of `Result<T, E>` whose error converts into a `BoxError` is an input;
/// its own error comes out as `Error::Input`, with the original inside.
#[tokio::test(start_paused = true)]
async fn the_input_may_fail_with_an_error_of_its_own_type() {
    let input = stream::iter(vec![Ok(1u32), Err(Transient)]);
    let err = input
        .run_map(MapSettings::new(2), |n| async move { Ok::<_, Error>(n) })
        .await
        .unwrap_err();
    match err {
        Error::Input { source } => assert_eq!(source.downcast_ref(), Some(&Transient)),
        other => panic!("{other:?}"),
    }
}
