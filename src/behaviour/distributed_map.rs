//! AWS's sample workflow at scale, end to end on the emulator (features `unload` and
//! `distributed-map`): an UNLOAD of the CloudFront table to Parquet, its data manifest
//! read, its rows turned into batches the way a Distributed Map's `ItemReader` and
//! `ItemBatcher` would, every batch handed to the worker's handler at once (as the Map's
//! child executions run), and every row processed exactly once, with the rows that fail
//! named in the batches' answers.
//!
//! The reader and batcher here are test helpers, not a model of Step Functions: the
//! reader reads the files in the manifest's order and gives each row as a JSON object of
//! its column names (docs/athena.md, "Step Functions Distributed Map"); the batcher is
//! the one the worker's own tests use.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::Duration;

use athena_emulator::{Emulator, EngineConfig};
use futures::TryStreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

use super::backend::OnEmulator;
use crate::distributed_map::{Batch, BatchAnswer, BatchWorker, ITEM_FAILED};
use crate::{
    Athena,
    map::{MapSettings, Retrier},
    unload::{Unload, UnloadFormat, Unloaded},
};

const ROWS: usize = 3000;
const ROWS_PER_FILE: usize = 700;

/// The items a Distributed Map's `ItemReader` over this unload's manifest would read:
/// each file of the manifest in turn, each row as an object of its columns.
async fn item_reader(athena: &Athena, unloaded: &Unloaded) -> Vec<Value> {
    let mut items = Vec::new();
    for shard in &unloaded.shards {
        let rows: Vec<Value> = athena
            .read_shard(shard)
            .map_ok(|row| row.to_typed_json().expect("Parquet values decode"))
            .try_collect()
            .await
            .expect("every file of the manifest reads");
        items.extend(rows);
    }
    items
}

/// The row as the worker's function takes it.
#[derive(Debug, Clone, Deserialize)]
struct Hit {
    request_id: String,
    uri: String,
    bytes: i64,
}

/// The failures injected into the work, decided by the row's own data: a row whose
/// `bytes` is a multiple of 11 fails every attempt; one whose `bytes` is a multiple of 7
/// (and not of 11) fails its first attempt only.
fn fails_for_good(bytes: i64) -> bool {
    bytes % 11 == 0
}

fn flaky(bytes: i64) -> bool {
    bytes % 7 == 0 && !fails_for_good(bytes)
}

/// Who was called, and who succeeded, how often.
#[derive(Default)]
struct Ledger {
    calls: Mutex<HashMap<String, u32>>,
    succeeded: Mutex<HashMap<String, u32>>,
}

impl Ledger {
    async fn do_something(&self, hit: Hit) -> Result<(), String> {
        let call = {
            let mut calls = self.calls.lock().unwrap();
            let n = calls.entry(hit.request_id.clone()).or_default();
            *n += 1;
            *n
        };
        // Real work waits on something; a yield lets the other rows of the batch run.
        tokio::task::yield_now().await;
        if hit.uri.is_empty() {
            return Err("no uri".into());
        }
        if fails_for_good(hit.bytes) {
            return Err(format!("origin refused {} bytes", hit.bytes));
        }
        if flaky(hit.bytes) && call == 1 {
            return Err("connection reset".into());
        }
        *self
            .succeeded
            .lock()
            .unwrap()
            .entry(hit.request_id)
            .or_default() += 1;
        Ok(())
    }
}

/// The handler of `examples/distributed_map_worker.rs`, minus the Lambda runtime:
/// payload in, answer out (with the batch's items, to check the answer's indexes).
async fn handler(
    worker: &BatchWorker<Retrier>,
    payload: Value,
    ledger: &Ledger,
) -> (BatchAnswer, Vec<Value>) {
    let batch = Batch::<Value>::from_payload(payload).expect("the batcher's payloads are batches");
    let items = batch.items.clone();
    let answer = worker
        .process(batch.items, |hit: Hit| ledger.do_something(hit))
        .await
        .expect("every batch is within its tolerance");
    (answer, items)
}

// layout: long function, because one scenario end to end (UNLOAD, shards as batches, the worker, the answers), whose steps read in order.
#[tokio::test]
async fn an_unload_through_the_map_processes_every_row_once_and_names_each_failure() {
    let emulator = Emulator::builder()
        .with_engine_config(EngineConfig {
            cloudfront_rows: ROWS,
            unload_rows_per_file: NonZeroUsize::new(ROWS_PER_FILE).unwrap(),
            ..EngineConfig::default()
        })
        .start()
        .await
        .unwrap();
    let athena = OnEmulator::builder_over(OnEmulator::client(&emulator, 1))
        .with_s3_client(OnEmulator::s3_client(&emulator, 1))
        .build()
        .unwrap();

    // 1. The UNLOAD, as the state machine's first state runs it.
    let unloaded = athena
        .unload(
            Unload::new(
                "SELECT request_id, uri, status, bytes \
                 FROM serverlessland_database.cf_access_logs",
            )
            .with_to("s3://unload/cloudfront/"),
        )
        .await
        .unwrap();
    assert!(
        unloaded.shards.len() >= ROWS / ROWS_PER_FILE,
        "{} files for {ROWS} rows at {ROWS_PER_FILE} a file",
        unloaded.shards.len()
    );
    assert!(
        unloaded
            .shards
            .iter()
            .all(|s| s.format == UnloadFormat::Parquet)
    );

    // 2. The Map's ItemReader and ItemBatcher.
    let items = item_reader(&athena, &unloaded).await;
    assert_eq!(items.len(), ROWS);
    let batch_input = json!({"QueryExecutionId": unloaded.query_execution.query_execution_id});
    let payloads = super::super::distributed_map::tests::item_batcher(
        &items,
        Some(100),
        Some(8 * 1024),
        Some(&batch_input),
    )
    .unwrap();
    assert!(
        payloads.len() > ROWS / 100,
        "the byte limit cut some batches short"
    );

    // 3. Every batch to the worker at once, as the Map's child executions run.
    let worker = BatchWorker::new(
        MapSettings::new(8)
            .with_tolerated_failure_percentage(50.0)
            .with_retrier(
                Retrier::new()
                    .with_interval(Duration::from_millis(1))
                    .with_max_attempts(2),
            ),
    )
    .with_item_key("/request_id");
    let ledger = Ledger::default();
    let answers =
        futures::future::join_all(payloads.into_iter().map(|p| handler(&worker, p, &ledger))).await;

    // 4. Every row once; each injected failure named once, by its key, with its cause.
    let bytes_of: BTreeMap<String, i64> = items
        .iter()
        .map(|item| {
            let id = item["request_id"].as_str().unwrap().to_owned();
            (id, item["bytes"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(bytes_of.len(), ROWS, "request ids are unique");
    let expected_failures: BTreeSet<&String> = bytes_of
        .iter()
        .filter(|(_, b)| fails_for_good(**b))
        .map(|(id, _)| id)
        .collect();
    let expected_flaky = bytes_of.values().filter(|b| flaky(**b)).count();
    assert!(!expected_failures.is_empty() && expected_flaky > 0);

    let mut named = BTreeMap::new();
    let (mut total, mut succeeded, mut retried) = (0, 0, 0);
    for (answer, items) in answers {
        total += answer.total;
        succeeded += answer.succeeded;
        retried += answer.retried;
        assert_eq!(answer.total as usize, items.len());
        assert_eq!(answer.failed as usize, answer.failures.len());
        for failure in answer.failures {
            let key = failure.key.clone().expect("named by the item key");
            assert_eq!(items[failure.index as usize]["request_id"], key);
            assert_eq!(failure.error, ITEM_FAILED);
            let key = key.as_str().unwrap().to_owned();
            assert!(
                named
                    .insert(key, (failure.cause, failure.attempts))
                    .is_none(),
                "a row is reported once"
            );
        }
    }
    assert_eq!(total as usize, ROWS);
    let named_keys: BTreeSet<&String> = named.keys().collect();
    assert!(
        named_keys == expected_failures,
        "exactly the failing rows are named: {} not named, {} named wrongly",
        expected_failures.difference(&named_keys).count(),
        named_keys.difference(&expected_failures).count()
    );
    for (key, (cause, attempts)) in &named {
        assert_eq!(cause, &format!("origin refused {} bytes", bytes_of[key]));
        assert_eq!(
            *attempts, 3,
            "1 attempt + 2 retries (MaxAttempts counts retries)"
        );
    }
    let succeeded_rows = ledger.succeeded.lock().unwrap().clone();
    assert!(succeeded_rows.values().all(|&n| n == 1), "no row twice");
    assert_eq!(succeeded_rows.len(), ROWS - expected_failures.len());
    assert_eq!(succeeded as usize, succeeded_rows.len());
    let calls = ledger.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), ROWS, "every row reached the function");
    assert_eq!(
        retried as usize,
        expected_flaky + 2 * expected_failures.len()
    );

    emulator.shutdown().await;
}
