//! The worker against batches made the way a Distributed Map's `ItemReader` and
//! `ItemBatcher` make them: rows cut by `MaxItemsPerBatch` and `MaxInputBytesPerBatch`,
//! every batch handed to the handler at once, as the Map's child executions run.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use super::*;
use crate::map::{MapSettings, Retrier};

/// Cuts `rows` into the payloads an `ItemBatcher` would hand the child executions, in
/// order: at most `max_items_per_batch` rows each, and at most `max_input_bytes_per_batch`
/// bytes of serialized payload (`{"Items":[...],"BatchInput":...}`, the whole input
/// counted, which is the strict reading of the limit). A helper for tests, not a model
/// of Step Functions: it only fills batches greedily in row order.
pub(crate) fn item_batcher(
    rows: &[Value],
    max_items_per_batch: Option<usize>,
    max_input_bytes_per_batch: Option<usize>,
    batch_input: Option<&Value>,
) -> Result<Vec<Value>, String> {
    let payload = |items: &[Value]| {
        let mut batch = json!({ "Items": items });
        if let Some(input) = batch_input {
            batch["BatchInput"] = input.clone();
        }
        batch
    };
    let len = |value: &Value| serde_json::to_vec(value).map(|v| v.len()).unwrap_or(0);
    let empty = len(&payload(&[]));
    let (max_items, max_bytes) = (
        max_items_per_batch.unwrap_or(usize::MAX),
        max_input_bytes_per_batch.unwrap_or(262_144),
    );
    if max_items == 0 {
        return Err("MaxItemsPerBatch must be at least 1".into());
    }
    let mut batches = Vec::new();
    let (mut items, mut bytes): (Vec<Value>, usize) = (Vec::new(), empty);
    for (n, row) in rows.iter().enumerate() {
        let row_bytes = len(row);
        if empty + row_bytes > max_bytes {
            return Err(format!(
                "row {n} alone makes a {}-byte batch, over MaxInputBytesPerBatch {max_bytes}",
                empty + row_bytes
            ));
        }
        let added = row_bytes + usize::from(!items.is_empty());
        if items.len() == max_items || bytes + added > max_bytes {
            batches.push(payload(&std::mem::take(&mut items)));
            bytes = empty;
        }
        bytes += row_bytes + usize::from(!items.is_empty());
        items.push(row.clone());
    }
    if !items.is_empty() {
        batches.push(payload(&items));
    }
    Ok(batches)
}

#[derive(Debug, Clone, Deserialize)]
struct Hit {
    request_id: String,
    #[allow(dead_code)] // decoded to prove the row's shape; the work reads the rest
    uri: String,
    status: String,
    bytes: i64,
}

/// A CloudFront-like row; every 10th row's `bytes` is text, which does not decode into
/// an `i64`.
fn row(n: usize) -> Value {
    let bytes = if n % 10 == 7 {
        json!("n/a")
    } else {
        json!(n * 100)
    };
    json!({
        "request_id": format!("r-{n:04}"),
        "uri": format!("/img/{}.png", "x".repeat(n % 40)),
        "status": if n % 25 == 3 { "503" } else { "200" },
        "bytes": bytes,
    })
}

/// What the rows of the tests make of the work: who succeeded, how many calls each got.
#[derive(Default)]
struct Ledger {
    succeeded: Mutex<HashMap<String, u32>>,
    calls: Mutex<HashMap<String, u32>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Ledger {
    fn count(map: &Mutex<HashMap<String, u32>>, key: &str) {
        *map.lock().unwrap().entry(key.to_owned()).or_default() += 1;
    }
}

/// The work for one row: 5 ms (paused time), fails for good on status 503, fails its
/// first attempt when `bytes` is a positive multiple of 700 (a flaky row), else succeeds
/// once. `batch` gauges the rows in flight in its batch: (now, most).
async fn do_something(
    hit: Hit,
    ledger: &Ledger,
    batch: &(AtomicUsize, AtomicUsize),
) -> Result<(), String> {
    let now = ledger.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    ledger.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let now = batch.0.fetch_add(1, Ordering::SeqCst) + 1;
    batch.1.fetch_max(now, Ordering::SeqCst);
    Ledger::count(&ledger.calls, &hit.request_id);
    tokio::time::sleep(Duration::from_millis(5)).await;
    ledger.in_flight.fetch_sub(1, Ordering::SeqCst);
    batch.0.fetch_sub(1, Ordering::SeqCst);
    let first_call = ledger.calls.lock().unwrap()[&hit.request_id] == 1;
    if hit.status == "503" {
        return Err(format!("origin answered {}", hit.status));
    }
    if hit.bytes > 0 && hit.bytes % 700 == 0 && first_call {
        return Err("connection reset".into());
    }
    Ledger::count(&ledger.succeeded, &hit.request_id);
    Ok(())
}

/// The Lambda handler's body, minus the runtime: payload in, answer out (with the
/// batch's items, to check the answer's indexes against). `batch_max` gets the most
/// rows of this batch that ran at once.
async fn handle<P: crate::map::RetryPolicy<Hit, String> + Clone>(
    worker: &BatchWorker<P>,
    payload: Value,
    ledger: &Ledger,
    batch_max: &AtomicUsize,
) -> Result<(BatchAnswer, Vec<Value>), BatchError> {
    let batch = Batch::<Value>::from_payload(payload)?;
    let items = batch.items.clone();
    let gauge = (AtomicUsize::new(0), AtomicUsize::new(0));
    let result = worker
        .process(batch.items, |hit: Hit| do_something(hit, ledger, &gauge))
        .await;
    batch_max.store(gauge.1.load(Ordering::SeqCst), Ordering::SeqCst);
    Ok((result?, items))
}

#[test]
fn the_helper_batches_by_count_and_by_bytes() {
    let rows: Vec<Value> = (0..100).map(row).collect();
    let input = json!({"QueryExecutionId": "q"});
    for (items, bytes) in [(Some(7), None), (None, Some(1500)), (Some(10), Some(1200))] {
        let batches = item_batcher(&rows, items, bytes, Some(&input)).unwrap();
        let mut again = Vec::new();
        for batch in &batches {
            let n = batch["Items"].as_array().unwrap().len();
            assert!(n >= 1 && n <= items.unwrap_or(usize::MAX));
            let size = serde_json::to_vec(batch).unwrap().len();
            assert!(size <= bytes.unwrap_or(262_144), "{size} bytes");
            assert_eq!(batch["BatchInput"], input);
            again.extend(batch["Items"].as_array().unwrap().iter().cloned());
        }
        assert_eq!(again, rows, "every row once, in order");
        // Greedy: a batch was closed only because the next row did not fit.
        for pair in batches.windows(2) {
            let (a, next) = (pair[0]["Items"].as_array().unwrap(), &pair[1]["Items"][0]);
            let mut grown = pair[0].clone();
            grown["Items"].as_array_mut().unwrap().push(next.clone());
            let too_big = bytes.is_some_and(|b| serde_json::to_vec(&grown).unwrap().len() > b);
            assert!(items == Some(a.len()) || too_big);
        }
    }
    let err = item_batcher(&rows, None, Some(60), None).unwrap_err();
    assert!(err.contains("row 0 alone"), "{err}");
    assert!(item_batcher(&rows, Some(0), None, None).is_err());
}

// layout: long function, because one scenario end to end (batches made as the Map makes them, run at once, every answer checked), whose steps read in order.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn concurrent_batches_process_every_row_once_and_name_each_failure() {
    const ROWS: usize = 1000;
    const MAX_CONCURRENCY: usize = 8;
    let rows: Vec<Value> = (0..ROWS).map(row).collect();
    let payloads = item_batcher(
        &rows,
        Some(64),
        Some(4096),
        Some(&json!({"QueryExecutionId": "4f2c"})),
    )
    .unwrap();
    assert!(
        payloads.len() > ROWS / 64,
        "the byte limit cut some batches short"
    );

    let worker = BatchWorker::new(
        MapSettings::new(MAX_CONCURRENCY)
            .with_tolerated_failure_percentage(50.0)
            .with_retrier(
                Retrier::new()
                    .with_interval(Duration::from_millis(10))
                    .with_max_attempts(2),
            ),
    )
    .with_item_key("/request_id");
    let ledger = Ledger::default();
    let per_batch_max: Vec<AtomicUsize> = payloads.iter().map(|_| AtomicUsize::new(0)).collect();

    // Every batch handed to the handler at once, as the Map's child executions run.
    let started = tokio::time::Instant::now();
    let answers = futures::future::join_all(
        payloads
            .into_iter()
            .zip(&per_batch_max)
            .map(|(payload, max)| handle(&worker, payload, &ledger, max)),
    )
    .await;
    let elapsed = started.elapsed();

    let undecodable: BTreeSet<String> = (0..ROWS)
        .filter(|n| n % 10 == 7)
        .map(|n| format!("r-{n:04}"))
        .collect();
    let failing: BTreeSet<String> = (0..ROWS)
        .filter(|n| n % 25 == 3 && n % 10 != 7)
        .map(|n| format!("r-{n:04}"))
        .collect();
    let flaky = (0..ROWS)
        .filter(|&n| n % 10 != 7 && n % 25 != 3 && n > 0 && (n * 100) % 700 == 0)
        .count();

    let mut reported: BTreeMap<String, (String, u32, String)> = BTreeMap::new();
    let (mut total, mut succeeded, mut retried) = (0, 0, 0);
    for answer in answers {
        let (answer, items) = answer.expect("every batch is within its tolerance");
        total += answer.total;
        succeeded += answer.succeeded;
        retried += answer.retried;
        assert_eq!(answer.total as usize, items.len());
        assert_eq!((answer.unprocessed, answer.failures_omitted), (0, 0));
        assert_eq!(answer.failed as usize, answer.failures.len());
        for failure in answer.failures {
            // Named by index *and* key: the index points at the row with that key.
            let key = failure.key.clone().unwrap();
            assert_eq!(items[failure.index as usize]["request_id"], key);
            assert_eq!(
                failure.item, None,
                "a key names the row, its JSON is not repeated"
            );
            let key = key.as_str().unwrap().to_owned();
            let previous = reported.insert(key, (failure.error, failure.attempts, failure.cause));
            assert!(previous.is_none(), "a row is reported once");
        }
    }

    assert_eq!(total as usize, ROWS);
    let succeeded_rows = ledger.succeeded.lock().unwrap().clone();
    assert!(
        succeeded_rows.values().all(|&n| n == 1),
        "no row succeeded twice"
    );
    assert_eq!(succeeded as usize, succeeded_rows.len());
    assert_eq!(
        succeeded_rows.len(),
        ROWS - undecodable.len() - failing.len()
    );
    for key in succeeded_rows.keys() {
        assert!(!undecodable.contains(key) && !failing.contains(key));
    }

    let decode: BTreeSet<_> = reported
        .iter()
        .filter(|(_, (error, ..))| error == ITEM_DECODE_FAILED)
        .map(|(key, _)| key.clone())
        .collect();
    assert_eq!(decode, undecodable);
    for key in &undecodable {
        let (_, attempts, cause) = &reported[key];
        assert_eq!(
            *attempts, 0,
            "an undecodable row never reaches the function"
        );
        assert_eq!(cause, "bytes: invalid type: string \"n/a\", expected i64");
        assert!(!ledger.calls.lock().unwrap().contains_key(key));
    }
    let failed: BTreeSet<_> = reported
        .iter()
        .filter(|(_, (error, ..))| error == ITEM_FAILED)
        .map(|(key, _)| key.clone())
        .collect();
    assert_eq!(failed, failing);
    for key in &failing {
        assert_eq!(reported[key].1, 3, "1 attempt + 2 retries");
        assert_eq!(reported[key].2, "origin answered 503");
    }
    assert_eq!(retried as usize, flaky + 2 * failing.len());

    // Concurrent: across batches more rows ran at once than one batch allows, each
    // batch kept to its own limit, and the run took about one batch's time.
    let most = ledger.max_in_flight.load(Ordering::SeqCst);
    assert!(
        most > MAX_CONCURRENCY,
        "only {most} rows at once over all batches"
    );
    assert!(
        per_batch_max
            .iter()
            .all(|m| m.load(Ordering::SeqCst) <= MAX_CONCURRENCY)
    );
    assert!(
        per_batch_max
            .iter()
            .any(|m| m.load(Ordering::SeqCst) == MAX_CONCURRENCY)
    );
    assert!(
        elapsed < Duration::from_millis(500),
        "{elapsed:?}: the batches ran one after another"
    );
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_batch_over_its_tolerance_fails_as_a_whole_and_stops() {
    // One at a time, in order: rows 2, 5 and 7 fail; 20% of 10 tolerates 2.
    let rows: Vec<Value> = (0..10)
        .map(|n| {
            let status = if [2, 5, 7].contains(&n) { "503" } else { "200" };
            json!({"request_id": format!("r-{n}"), "uri": "/", "status": status, "bytes": 1})
        })
        .collect();
    let payload = item_batcher(&rows, None, None, None).unwrap().remove(0);
    let worker = BatchWorker::new(MapSettings::new(1).with_tolerated_failure_percentage(20.0))
        .with_item_key("request_id");
    let ledger = Ledger::default();
    let err = handle(&worker, payload, &ledger, &AtomicUsize::new(0))
        .await
        .unwrap_err();

    assert_eq!(
        err.error_type(),
        "AthenaStream.ExceedToleratedFailureThreshold"
    );
    let BatchError::ToleratedFailureThresholdExceeded {
        answer,
        tolerated_failure_count,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*tolerated_failure_count, 2);
    assert_eq!(
        (
            answer.total,
            answer.succeeded,
            answer.failed,
            answer.unprocessed
        ),
        (10, 5, 3, 2)
    );
    let named: Vec<_> = answer
        .failures
        .iter()
        .map(|f| (f.index, f.key.clone()))
        .collect();
    assert_eq!(
        named,
        [
            (2, Some(json!("r-2"))),
            (5, Some(json!("r-5"))),
            (7, Some(json!("r-7")))
        ]
    );
    assert_eq!(err.answer(), Some(answer));
    let calls = ledger.calls.lock().unwrap();
    assert!(
        !calls.contains_key("r-8") && !calls.contains_key("r-9"),
        "the batch stopped"
    );
    let message = err.to_string();
    assert!(
        message.starts_with(
            "AthenaStream.ExceedToleratedFailureThreshold: 3 of 10 items of the batch failed, \
             more than the 2 it tolerates (5 succeeded, 2 unprocessed); item 2 (\"r-2\"): \
             AthenaStream.ItemFailed: origin answered 503 (1 attempt(s))"
        ),
        "{message}"
    );
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn without_a_tolerance_the_first_failure_fails_the_batch() {
    let ok = json!({"Items": [{"request_id": "a", "uri": "/", "status": "200", "bytes": 1}]});
    let bad = json!({"Items": [
        {"request_id": "a", "uri": "/", "status": "200", "bytes": 1},
        {"request_id": "b", "uri": "/", "status": "503", "bytes": 1},
    ]});
    let worker = BatchWorker::new(MapSettings::new(4));
    let ledger = Ledger::default();
    let gauge = AtomicUsize::new(0);
    let (answer, _) = handle(&worker, ok, &ledger, &gauge).await.unwrap();
    assert_eq!((answer.total, answer.succeeded, answer.failed), (1, 1, 0));
    let err = handle(&worker, bad, &ledger, &gauge).await.unwrap_err();
    let answer = err.answer().unwrap();
    assert_eq!((answer.failed, answer.failures[0].index), (1, 1));
    let named: Value = serde_json::from_str(answer.failures[0].item.as_deref().unwrap()).unwrap();
    assert_eq!(
        named,
        json!({"request_id": "b", "uri": "/", "status": "503", "bytes": 1}),
        "without a key, the row's JSON names it"
    );
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn undecodable_items_over_the_tolerance_fail_the_batch_before_any_work() {
    let payload = json!({"Items": [
        {"request_id": "a", "uri": "/", "status": "200", "bytes": "1"},
        {"request_id": "b", "uri": "/", "status": "200"},
        {"request_id": "c", "uri": "/", "status": "200", "bytes": 3},
    ]});
    let worker = BatchWorker::new(MapSettings::new(4).with_tolerated_failure_count(1))
        .with_item_key("request_id");
    let ledger = Ledger::default();
    let err = handle(&worker, payload, &ledger, &AtomicUsize::new(0))
        .await
        .unwrap_err();
    let answer = err.answer().unwrap();
    assert_eq!(
        (answer.failed, answer.succeeded, answer.unprocessed),
        (2, 0, 1)
    );
    let causes: Vec<_> = answer.failures.iter().map(|f| f.cause.as_str()).collect();
    assert_eq!(
        causes,
        [
            "bytes: invalid type: string \"1\", expected i64",
            "missing field `bytes`"
        ]
    );
    assert!(
        ledger.calls.lock().unwrap().is_empty(),
        "no row was worked on"
    );
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn the_answer_is_the_documented_contract() {
    // The example of `BatchWorker`'s docs, to the byte.
    let payload = json!({
        "Items": [
            {"request_id": "r-0", "uri": "/index.html", "status": "200", "bytes": 5120},
            {"request_id": "r-1", "uri": "/missing", "status": "404", "bytes": "n/a"},
            {"request_id": "r-2", "uri": "/api", "status": "503", "bytes": 42}
        ],
        "BatchInput": {"QueryExecutionId": "4f2c"}
    });
    let worker = BatchWorker::new(
        MapSettings::new(4)
            .with_tolerated_failure_count(2)
            .with_retrier(Retrier::new().with_max_attempts(2)),
    )
    .with_item_key("/request_id");
    let (answer, _) = handle(&worker, payload, &Ledger::default(), &AtomicUsize::new(0))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&answer).unwrap(),
        json!({"Total": 3, "Succeeded": 1, "Failed": 2, "Unprocessed": 0, "Retried": 2,
               "Failures": [
                 {"Index": 1, "Key": "r-1", "Error": "AthenaStream.ItemDecodeFailed",
                  "Cause": "bytes: invalid type: string \"n/a\", expected i64", "Attempts": 0},
                 {"Index": 2, "Key": "r-2", "Error": "AthenaStream.ItemFailed",
                  "Cause": "origin answered 503", "Attempts": 3}],
               "FailuresOmitted": 0})
    );
    let back: BatchAnswer = serde_json::from_value(serde_json::to_value(&answer).unwrap()).unwrap();
    assert_eq!(back, answer);
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_batch_of_failures_still_fits_a_states_output() {
    // 2,000 failing rows of 100 bytes each: listing them all would pass 256 KiB.
    let rows: Vec<Value> = (0..2000)
        .map(|n| json!({"request_id": format!("r-{n:04}-{}", "k".repeat(60)), "uri": "/", "status": "503", "bytes": 1}))
        .collect();
    let worker = BatchWorker::new(MapSettings::new(0).with_tolerated_failure_percentage(100.0))
        .with_item_key("request_id");
    let (answer, _) = handle(
        &worker,
        json!({"Items": rows}),
        &Ledger::default(),
        &AtomicUsize::new(0),
    )
    .await
    .unwrap();
    let size = serde_json::to_vec(&answer).unwrap().len();
    assert!(size <= DEFAULT_MAX_ANSWER_BYTES, "{size} bytes");
    assert_eq!(answer.failed, 2000);
    assert!(answer.failures_omitted > 0);
    assert_eq!(answer.failures.len() as u64 + answer.failures_omitted, 2000);
    assert_eq!(
        answer.failures.last().unwrap().index + 1,
        answer.failures.len() as u64,
        "the first ones, by index"
    );
}

#[test]
fn a_payload_that_is_not_a_batch_is_refused_with_a_clear_error() {
    let cases = [
        (
            json!({"uri": "/", "status": "200"}),
            "has no `Items` array (its fields: ",
        ),
        (json!([1, 2]), "the payload is an array, not a batch"),
        (
            json!({"Items": {"a": 1}}),
            "`Items` is an object, not an array",
        ),
        (
            json!({"Items": [], "BatchInput": {"QueryExecutionId": 7}}),
            "`BatchInput` does not decode: QueryExecutionId: invalid type: integer `7`, expected a string",
        ),
    ];
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Input {
        #[serde(rename = "QueryExecutionId")]
        query_execution_id: String,
    }
    for (payload, expected) in cases {
        let err = Batch::<Value, Input>::from_payload(payload).unwrap_err();
        assert_eq!(err.error_type(), INVALID_BATCH);
        assert!(err.to_string().contains(expected), "{err}");
    }
    // A single row (a Map without an ItemBatcher) is told apart by its fields.
    let row = Batch::<Value>::from_payload(json!({"uri": "/", "status": "200"})).unwrap_err();
    let message = row.to_string();
    assert!(
        message.contains("uri") && message.contains("status"),
        "{message}"
    );
    assert!(message.contains("not one item per execution"), "{message}");

    let plain =
        Batch::<Value, Input>::from_payload(json!({"Items": [1], "BatchInput": null})).unwrap();
    assert_eq!(
        (plain.items, plain.batch_input.is_none()),
        (vec![json!(1)], true)
    );
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn an_empty_batch_answers_zeros() {
    let worker = BatchWorker::new(MapSettings::new(2));
    let (answer, _) = handle(
        &worker,
        json!({"Items": []}),
        &Ledger::default(),
        &AtomicUsize::new(0),
    )
    .await
    .unwrap();
    assert_eq!(
        (
            answer.total,
            answer.succeeded,
            answer.failed,
            answer.retried
        ),
        (0, 0, 0, 0)
    );
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn invalid_settings_are_refused_not_run() {
    let payload =
        || json!({"Items": [{"request_id": "a", "uri": "/", "status": "200", "bytes": 1}]});
    let ledger = Ledger::default();
    let gauge = AtomicUsize::new(0);
    let bad_percentage =
        BatchWorker::new(MapSettings::new(1).with_tolerated_failure_percentage(150.0));
    let err = handle(&bad_percentage, payload(), &ledger, &gauge)
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), INVALID_CONFIG);
    assert!(
        err.to_string().contains("tolerated_failure_percentage"),
        "{err}"
    );
    let bad_retrier =
        BatchWorker::new(MapSettings::new(1).with_retrier(Retrier::new().with_backoff_rate(0.5)));
    let err = handle(&bad_retrier, payload(), &ledger, &gauge)
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), INVALID_CONFIG);
    assert!(ledger.calls.lock().unwrap().is_empty());
}

// A Lambda runtime may move the handler's future between threads: the worker, its
// answer and its error can cross them, and so can `process` for a `Send` function.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<BatchWorker>();
    send_sync::<BatchAnswer>();
    send_sync::<BatchError>();
    send_sync::<Batch<Value>>();
};

#[test]
fn process_is_send_for_a_send_function() {
    fn assert_send<T: Send>(_: &T) {}
    let worker = BatchWorker::new(MapSettings::new(1).with_retrier(Retrier::new()));
    let fut = worker.process(Vec::new(), |hit: Hit| async move {
        tokio::task::yield_now().await;
        Ok::<_, std::io::Error>(hit.bytes)
    });
    assert_send(&fut);
}
