//! The fan-out over the real row stream, against the scripted fake under paused time:
//! what the Map promises about pages and about stopping the query.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::{Instant, sleep};

use crate::error::{Error, Operation};
use crate::execution::QueryState;
use crate::fake::{Fake, Plan};
use crate::{
    Row,
    map::{MapExt, MapSettings},
};

type Io = std::io::Error;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The number `Plan::rows` gives a row (its value in column `x`).
fn number(row: &Row) -> usize {
    row.values()[0]
        .as_deref()
        .and_then(|x| x.parse().ok())
        .expect("Plan::rows numbers its rows")
}

/// The virtual instants at which each row's item started and ended.
struct Times(Mutex<Vec<(Option<Instant>, Option<Instant>)>>);

impl Times {
    fn new(rows: usize) -> Self {
        Times(Mutex::new(vec![(None, None); rows]))
    }
    fn start(&self, row: usize) {
        self.0.lock().unwrap()[row].0 = Some(Instant::now());
    }
    fn end(&self, row: usize) {
        self.0.lock().unwrap()[row].1 = Some(Instant::now());
    }
    fn get(&self) -> Vec<(Instant, Instant)> {
        let times = self.0.lock().unwrap();
        times
            .iter()
            .map(|&(s, e)| (s.unwrap(), e.unwrap()))
            .collect()
    }
}

/// Runs `rows` rows of the fake in pages of `page_size` through the fan-out with
/// `c` in flight; an item takes `t_item`, the first of every `page_size` rows takes
/// `t_slow`. Returns each item's start and end, and the number of pages fetched.
///
/// Row `k * page_size` is on page `k` (0-based) whether or not page 1 also holds
/// the header row, and every row from `(k + 1) * page_size` on is on a later page.
async fn one_slow_item_per_page(
    rows: usize,
    page_size: usize,
    t_page: Duration,
    c: usize,
    (t_item, t_slow): (Duration, Duration),
) -> (Vec<(Instant, Instant)>, usize) {
    let mut plan = Plan::rows(rows);
    plan.page_latency = t_page;
    let fake = Fake::new(plan);
    let athena = fake.builder().with_page_size(page_size).build().unwrap();
    let times = Times::new(rows);
    let report = athena
        .query("SELECT x")
        .run_map(MapSettings::new(c), |row| {
            let n = number(&row);
            times.start(n);
            let times = &times;
            async move {
                sleep(if n.is_multiple_of(page_size) {
                    t_slow
                } else {
                    t_item
                })
                .await;
                times.end(n);
                Ok::<_, Io>(())
            }
        })
        .await
        .unwrap();
    assert_eq!(report.succeeded, rows as u64);
    assert_eq!(report.max_in_flight, c);
    let pages = fake.calls_of(Operation::GetQueryResults).len();
    (times.get(), pages)
}

/// The promise itself: items of page N+1 start while an item of page N still runs.
#[tokio::test(start_paused = true)]
async fn items_of_the_next_page_start_while_an_item_of_the_previous_page_still_runs() {
    // Items are the bottleneck: a page of 10 rows takes 5 ms, an item 20 ms (4 at
    // once), and one item per page 300 ms. A barrier between pages would run those
    // slow items one after another.
    let (rows, page_size, t_page, c) = (100, 10, ms(5), 4);
    let (t_item, t_slow) = (ms(20), ms(300));
    let (times, _) = one_slow_item_per_page(rows, page_size, t_page, c, (t_item, t_slow)).await;
    for page in 0..rows / page_size - 1 {
        let slow = page * page_size;
        let slow_ends = times[slow].1;
        let later = (slow + page_size..rows).find(|&r| times[r].0 < slow_ends);
        assert!(
            later.is_some(),
            "no item of a later page started while row {slow} of page {page} ran: a barrier between pages?"
        );
    }
    let first_start = times.iter().map(|t| t.0).min().unwrap();
    let last_end = times.iter().map(|t| t.1).max().unwrap();
    // Behind a barrier, each page's slow item ends before the next page's items start.
    let barrier_needs = t_slow * (rows / page_size) as u32;
    assert!(
        last_end - first_start < barrier_needs,
        "{:?}: a barrier needs at least {barrier_needs:?}",
        last_end - first_start
    );
}

/// With the pages as the bottleneck the run keeps pace with them: the next page is
/// fetched while the items of this one run, and an item that outlasts a page does
/// not hold back the items of the next.
#[tokio::test(start_paused = true)]
async fn no_barrier_between_pages_when_pages_are_the_bottleneck() {
    // 1000 rows in pages of 100 taking 500 ms each: the pages are the bottleneck
    // (5 s); the items (100 ms each, 50 at once, one per page 800 ms) need 2.1 s.
    // Without fetching ahead a page would take 500 ms plus the tail of the previous
    // page's items; with a barrier, at least 800 ms.
    let (rows, page_size, t_page, c) = (1000, 100, ms(500), 50);
    let (t_item, t_slow) = (ms(100), ms(800));
    let (times, pages) = one_slow_item_per_page(rows, page_size, t_page, c, (t_item, t_slow)).await;
    // Page 1 holds the header row too, hence one page more than 1000 / 100.
    assert!((10..=11).contains(&pages), "{pages}");
    let first_start = times.iter().map(|t| t.0).min().unwrap();
    let last_end = times.iter().map(|t| t.1).max().unwrap();
    // From the first item on, the remaining pages arrive one every 500 ms; the last
    // slow item, on the page before the last, ends 800 ms after its page came.
    let pages_left = t_page * (pages as u32 - 1);
    let elapsed = last_end - first_start;
    assert!(elapsed >= pages_left, "{elapsed:?}");
    assert!(
        elapsed <= pages_left + t_slow,
        "{elapsed:?}: a barrier between pages, or no page fetched ahead?"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_item_stops_the_paging() {
    let mut plan = Plan::rows(3000);
    plan.page_latency = ms(100);
    let fake = Fake::new(plan);
    let athena = fake.builder().with_page_size(100).build().unwrap();
    let err = athena
        .query("SELECT x")
        .run_map(MapSettings::new(4), |row| async move {
            sleep(ms(10)).await;
            if number(&row) == 150 {
                Err(Io::other("bad row"))
            } else {
                Ok(())
            }
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Item { index: 150, .. }), "{err:?}");
    // Give a paging task that would not stop all the time it needs for the 30 pages.
    sleep(Duration::from_secs(60)).await;
    let pages = fake.calls_of(Operation::GetQueryResults).len();
    assert!(
        pages <= 5,
        "{pages} pages fetched after the fan-out failed at row 150"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_query_ends_the_fan_out_with_its_error() {
    let mut plan = Plan::rows(3);
    plan.states = vec![QueryState::Running, QueryState::Failed];
    plan.athena_error = Some(crate::error::AthenaError {
        error_category: Some(2),
        error_type: None,
        retryable: false,
        error_message: Some("TABLE_NOT_FOUND: line 1:15: Table 'x' does not exist".to_owned()),
    });
    let fake = Fake::new(plan);
    let calls = Mutex::new(0);
    let err = fake
        .athena()
        .query("SELECT x FROM x")
        .run_map(MapSettings::new(1), |_row| {
            *calls.lock().unwrap() += 1;
            async { Ok::<_, Io>(()) }
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::QueryFailed { .. }), "{err:?}");
    assert_eq!(*calls.lock().unwrap(), 0);
}
