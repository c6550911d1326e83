//! Batching, empty input, the report, and the combinators' traits and output.

use super::*;

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
