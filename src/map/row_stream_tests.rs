//! The fan-out over the real row stream, against the scripted fake under paused time:
//! what the Map promises about pages and about stopping the query.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::{Instant, sleep};

use crate::api::Operation;
use crate::error::Error;
use crate::fake::{Fake, Plan};
use crate::{Map, MapExt};

type Io = std::io::Error;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[tokio::test(start_paused = true)]
async fn items_of_the_next_page_start_while_the_previous_page_still_runs() {
    // 1000 rows in pages of 100 taking 500 ms each: the pages are the bottleneck
    // (5 s), the items (100 ms each, 50 at once) would need 2 s. With a barrier between
    // pages the run would take 10 * (500 + 2 * 100) = 7 s.
    let (rows, page_size, t_page, c, t_item) = (1000u64, 100usize, ms(500), 50, ms(100));
    let mut plan = Plan::rows(rows as usize);
    plan.page_latency = t_page;
    let fake = Fake::new(plan);
    let athena = fake.builder().page_size(page_size).build().unwrap();
    let first_item = Mutex::new(None::<Instant>);
    let report = athena
        .query("SELECT x")
        .run_map(Map::new().with_max_concurrency(c), |_row| {
            first_item.lock().unwrap().get_or_insert_with(Instant::now);
            async move {
                sleep(t_item).await;
                Ok::<_, Io>(())
            }
        })
        .await
        .unwrap();
    assert_eq!(report.succeeded, rows);
    assert_eq!(report.max_in_flight, c);
    // From the first item on, the remaining pages arrive one every 500 ms (page 1 holds
    // the header row too, hence one page more than 1000 / 100), then the last page's
    // items run; a barrier would add the items' time to every page.
    let pages = fake.calls_of(Operation::GetQueryResults).len() as u32;
    assert!((10..=11).contains(&pages), "{pages}");
    let since_first = first_item.lock().unwrap().unwrap().elapsed();
    let pages_left = t_page * (pages - 1);
    assert!(since_first >= pages_left, "{since_first:?}");
    assert!(
        since_first <= pages_left + t_item * 2,
        "{since_first:?}: a barrier between pages?"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_item_stops_the_paging() {
    let mut plan = Plan::rows(3000);
    plan.page_latency = ms(100);
    let fake = Fake::new(plan);
    let athena = fake.builder().page_size(100).build().unwrap();
    let err = athena
        .query("SELECT x")
        .run_map(Map::new().with_max_concurrency(4), |row| async move {
            sleep(ms(10)).await;
            if row.get_str(0).unwrap() == Some("150") {
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
    plan.states = vec!["RUNNING", "FAILED"];
    plan.athena_error = Some(
        aws_sdk_athena::types::AthenaError::builder()
            .error_category(2)
            .retryable(false)
            .error_message("TABLE_NOT_FOUND: line 1:15: Table 'x' does not exist")
            .build(),
    );
    let fake = Fake::new(plan);
    let calls = Mutex::new(0);
    let err = fake
        .athena()
        .query("SELECT x FROM x")
        .run_map(Map::new(), |_row| {
            *calls.lock().unwrap() += 1;
            async { Ok::<_, Io>(()) }
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::QueryFailed { .. }), "{err:?}");
    assert_eq!(*calls.lock().unwrap(), 0);
}
