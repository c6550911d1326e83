//! How many items run at once, in which order, and without a barrier between pages.

use super::*;

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
