//! The `DoSomething` step of AWS's sample workflow as a real Lambda function, for the
//! Distributed Map in `deploy/`: each child execution hands it a batch of CloudFront log rows read
//! from an Athena UNLOAD's Parquet files, and it answers for every row.
//!
//! The work per row: check that the row is a request CloudFront could have logged (an
//! HTTP status code, an absolute URI) and count requests and bytes per status class.
//! A row that is not is that row's failure, named by its `request_id` in the answer.
//!
//! Build it for Lambda (arm64, as `deploy/template.yaml` expects) with
//! [cargo-lambda](https://www.cargo-lambda.info/):
//!
//! ```bash
//! cargo lambda build --release --arm64 --example distributed_map_worker --features distributed-map
//! ```
//!
//! Its settings come from the environment: `WORKER_MAX_CONCURRENCY` (rows of a batch at
//! once, default 16) and `WORKER_TOLERATED_FAILURE_PERCENTAGE` (failed rows a batch
//! tolerates, default 10). Its tests call the handler as Lambda would:
//! `cargo test --example distributed_map_worker --features distributed-map`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use athena_stream::{
    distributed_map::{Batch, BatchAnswer, BatchError, BatchWorker},
    map::{MapSettings, Retrier},
};
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde::Deserialize;
use serde_json::Value;

/// What the work reads of a row of `UNLOAD (SELECT request_id, uri, status, bytes,
/// time_taken FROM cf_access_logs)`, as the ItemReader hands it over: an object keyed by
/// column name. The other columns are ignored; `request_id` names a failed row in the
/// answer, read from the row's JSON by the worker's item key.
#[derive(Debug, Clone, Deserialize)]
struct Hit {
    uri: String,
    /// The sample's `cf_access_logs` table declares `status` as a string.
    status: String,
    /// A `bigint`. How Step Functions renders a Parquet INT64 in JSON is not documented
    /// in the pages read (a number, or text to keep its precision), so both are taken.
    #[serde(deserialize_with = "int_or_text")]
    bytes: i64,
}

/// The `BatchInput` the state machine sets on every batch.
#[derive(Debug, Deserialize)]
struct SeedBatchInput {
    #[serde(rename = "QueryExecutionId")]
    query_execution_id: String,
}

/// Why a row failed.
#[derive(Debug, thiserror::Error)]
enum RowError {
    #[error("status {0:?} is not an HTTP status code (100-599)")]
    InvalidStatus(String),
    #[error("uri {0:?} is not an absolute path")]
    InvalidUri(String),
    #[error("bytes {0} is negative")]
    NegativeBytes(i64),
}

impl RowError {
    /// Whether another attempt could succeed: never for a row's own data. A step that
    /// called a service would say yes to its throttling and 5xx errors here.
    fn is_retryable(&self) -> bool {
        match self {
            RowError::InvalidStatus(_) | RowError::InvalidUri(_) | RowError::NegativeBytes(_) => {
                false
            }
        }
    }
}

/// Requests and bytes per status class (1xx to 5xx) of one batch.
#[derive(Debug, Default)]
struct Tally {
    requests: [AtomicU64; 5],
    bytes: [AtomicU64; 5],
}

/// `DoSomething`: checks the row and counts it.
async fn do_something(hit: Hit, tally: &Tally) -> Result<(), RowError> {
    let status: u16 = hit
        .status
        .parse()
        .ok()
        .filter(|s| (100..=599).contains(s))
        .ok_or_else(|| RowError::InvalidStatus(hit.status.clone()))?;
    if !hit.uri.starts_with('/') {
        return Err(RowError::InvalidUri(hit.uri));
    }
    let bytes = u64::try_from(hit.bytes).map_err(|_| RowError::NegativeBytes(hit.bytes))?;
    let class = usize::from(status / 100 - 1);
    tally.requests[class].fetch_add(1, Ordering::Relaxed);
    tally.bytes[class].fetch_add(bytes, Ordering::Relaxed);
    Ok(())
}

type RowRetrier = Retrier<fn(&RowError) -> bool>;

/// The worker's settings, read once per Lambda instance.
fn worker_from_env() -> Result<BatchWorker<RowRetrier>, String> {
    let max_concurrency = env_or("WORKER_MAX_CONCURRENCY", 16_usize)?;
    let tolerated = env_or("WORKER_TOLERATED_FAILURE_PERCENTAGE", 10.0_f64)?;
    worker(max_concurrency, tolerated)
}

fn worker(
    max_concurrency: usize,
    tolerated_percentage: f64,
) -> Result<BatchWorker<RowRetrier>, String> {
    let map = MapSettings::new(max_concurrency)
        .with_tolerated_failure_percentage(tolerated_percentage)
        .with_retrier(
            Retrier::new()
                .with_interval(Duration::from_millis(200))
                .with_max_attempts(2)
                .when(RowError::is_retryable as fn(&RowError) -> bool),
        );
    // Refused here, at start-up, rather than in every batch.
    map.validate().map_err(|e| e.to_string())?;
    Ok(BatchWorker::new(map).with_item_key("/request_id"))
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(text) => setting(name, Some(&text), default),
        Err(std::env::VarError::NotPresent) => Ok(default),
        Err(e) => Err(format!("{name}: {e}")),
    }
}

/// A setting's value, `default` when it is not set; a value that does not parse is an
/// error naming the variable, not a silent default.
fn setting<T: std::str::FromStr>(name: &str, text: Option<&str>, default: T) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    match text {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|e| format!("{name}={text:?} is not valid: {e}")),
        None => Ok(default),
    }
}

/// The Lambda handler: a batch in, its answer out; a batch over its tolerance (or a
/// payload that is not a batch) is an error whose `errorType` Step Functions sees as the
/// child execution's `Error`.
async fn handler(
    worker: &BatchWorker<RowRetrier>,
    event: LambdaEvent<Value>,
) -> Result<BatchAnswer, Diagnostic> {
    let batch = Batch::<Value, SeedBatchInput>::from_payload(event.payload).map_err(diagnostic)?;
    let query_execution_id = batch.batch_input.map(|input| input.query_execution_id);
    let tally = Tally::default();
    let result = worker
        .process(batch.items, |hit: Hit| do_something(hit, &tally))
        .await;
    let count = |n: &[AtomicU64; 5]| {
        n.iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect::<Vec<_>>()
    };
    tracing::info!(
        request_id = %event.context.request_id,
        query_execution_id = query_execution_id.as_deref().unwrap_or("-"),
        requests_by_class = ?count(&tally.requests),
        bytes_by_class = ?count(&tally.bytes),
        "batch tallied"
    );
    result.map_err(diagnostic)
}

/// A batch's failure as Lambda reports it: `errorType` is the name a `Retry` or `Catch`
/// matches. (`BatchError` has no `Into<Diagnostic>` of its own: the library does not
/// depend on lambda_runtime.)
fn diagnostic(error: BatchError) -> Diagnostic {
    if let Some(answer) = error.answer() {
        // The whole answer, for the logs; the message names the first failures only.
        tracing::warn!(answer = %serde_json::to_string(answer).unwrap_or_default(), "batch failed");
    }
    Diagnostic {
        error_type: error.error_type().to_owned(),
        error_message: error.to_string(),
    }
}

/// Takes a JSON integer, or text holding one.
fn int_or_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IntOrText {
        Int(i64),
        Text(String),
    }
    match IntOrText::deserialize(deserializer)? {
        IntOrText::Int(n) => Ok(n),
        IntOrText::Text(text) => text.trim().parse().map_err(|_| {
            serde::de::Error::custom(format_args!("expected an integer, got {text:?}"))
        }),
    }
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let worker = worker_from_env()?;
    lambda_runtime::run(service_fn(|event| handler(&worker, event))).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_runtime::Context;
    use serde_json::json;

    fn row(n: usize, status: &str, bytes: Value) -> Value {
        json!({
            "request_id": format!("r-{n}"),
            "uri": format!("/img/{n}.png"),
            "status": status,
            "bytes": bytes,
            "time_taken": 0.25,
        })
    }

    async fn invoke(worker: &BatchWorker<RowRetrier>, payload: Value) -> Result<Value, Diagnostic> {
        let answer = handler(worker, LambdaEvent::new(payload, Context::default())).await?;
        Ok(serde_json::to_value(answer).unwrap())
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_batch_answers_for_every_row() {
        let mut items: Vec<Value> = (0..20).map(|n| row(n, "200", json!(n * 10))).collect();
        items[3] = row(3, "2OO", json!(30));
        items[8] = row(8, "404", json!("1024")); // INT64 as text decodes too
        items[11] = row(11, "200", json!("lots"));
        let payload = json!({"Items": items, "BatchInput": {"QueryExecutionId": "4f2c"}});

        let answer = invoke(&worker(4, 10.0).unwrap(), payload).await.unwrap();
        assert_eq!(
            answer,
            json!({"Total": 20, "Succeeded": 18, "Failed": 2, "Unprocessed": 0, "Retried": 0,
                   "Failures": [
                     {"Index": 3, "Key": "r-3", "Error": "AthenaStream.ItemFailed",
                      "Cause": "status \"2OO\" is not an HTTP status code (100-599)", "Attempts": 1},
                     {"Index": 11, "Key": "r-11", "Error": "AthenaStream.ItemDecodeFailed",
                      "Cause": "bytes: expected an integer, got \"lots\"", "Attempts": 0}],
                   "FailuresOmitted": 0})
        );
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_batch_over_its_tolerance_is_a_named_lambda_error() {
        let items: Vec<Value> = (0..10)
            .map(|n| row(n, if n < 3 { "999" } else { "200" }, json!(1)))
            .collect();
        let err = invoke(&worker(1, 20.0).unwrap(), json!({"Items": items}))
            .await
            .unwrap_err();
        assert_eq!(
            err.error_type,
            "AthenaStream.ExceedToleratedFailureThreshold"
        );
        assert!(
            err.error_message
                .contains("3 of 10 items of the batch failed, more than the 2"),
            "{}",
            err.error_message
        );
        assert!(
            err.error_message.contains("item 0 (\"r-0\")"),
            "{}",
            err.error_message
        );
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_single_row_is_refused_with_the_reason() {
        let err = invoke(&worker(1, 0.0).unwrap(), row(0, "200", json!(1)))
            .await
            .unwrap_err();
        assert_eq!(err.error_type, "AthenaStream.InvalidBatch");
        assert!(
            err.error_message.contains("has no `Items` array"),
            "{}",
            err.error_message
        );
    }

    #[test]
    fn bad_settings_are_refused_at_start_up() {
        assert!(
            worker(4, 150.0)
                .unwrap_err()
                .contains("tolerated_failure_percentage")
        );
        let err = setting("WORKER_MAX_CONCURRENCY", Some("many"), 16_usize).unwrap_err();
        assert!(
            err.starts_with("WORKER_MAX_CONCURRENCY=\"many\" is not valid"),
            "{err}"
        );
        assert_eq!(
            setting("WORKER_MAX_CONCURRENCY", Some(" 32 "), 16_usize),
            Ok(32)
        );
        assert_eq!(setting("WORKER_MAX_CONCURRENCY", None, 16_usize), Ok(16));
    }
}
