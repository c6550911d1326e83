//! The worker: one batch through the crate's own fan-out, and its answer.

use std::convert::Infallible;
use std::future::Future;

use futures::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::answer::{BatchAnswer, ITEM_DECODE_FAILED, ITEM_FAILED, ItemFailure, error_chain};
use super::error::BatchError;
use crate::error::{BoxError, Error};
use crate::map::{MapExt, MapSettings, NoRetry, RetryPolicy};

/// Stands in for an item that is not there, which the positions make impossible: a
/// failure is reported even then rather than lost.
static NULL: Value = Value::Null;

/// The default limit on an answer's JSON, in bytes: Step Functions' 262,144-byte limit
/// on a state's output, less 16 KiB for what the Lambda task adds around the function's
/// payload (`StatusCode`, `ExecutedVersion`, the SDK's metadata).
pub const DEFAULT_MAX_ANSWER_BYTES: usize = 262_144 - 16 * 1024;

/// Runs a batch of a Step Functions Distributed Map through your async function, with
/// the settings of a [`MapSettings`], and answers for every item: the worker behind the Map's
/// Lambda task.
///
/// A Distributed Map with an `ItemReader` over an Athena data manifest hands each child
/// execution a batch of rows. `BatchWorker` runs your function on each row with at most
/// `max_concurrency` in flight, retries a failed row with the Map's
/// [`Retrier`](crate::map::Retrier), and tolerates failed rows up to the Map's
/// `ToleratedFailureCount`/`Percentage`, now counted within the batch. It is the
/// crate's fan-out ([`MapExt::map_unordered`]) over the batch's items.
///
/// # The contract
///
/// **Input** (the child execution's input, the Lambda task's `Payload`): a batch as an
/// `ItemBatcher` makes it, read with [`Batch::from_payload`](super::Batch::from_payload).
/// A payload without an `Items` array fails with [`BatchError::InvalidBatch`]; the
/// worker takes batches only, so the Map needs an `ItemBatcher`.
///
/// ```json
/// {"Items": [{"request_id": "r-0", "uri": "/index.html", "status": "200", "bytes": 5120},
///            {"request_id": "r-1", "uri": "/missing",    "status": "404", "bytes": "n/a"},
///            {"request_id": "r-2", "uri": "/api",        "status": "503", "bytes": 42}],
///  "BatchInput": {"QueryExecutionId": "4f2c…"}}
/// ```
///
/// **Each item** is decoded from its JSON into your `T`. An item that does not decode
/// is that item's failure, `AthenaStream.ItemDecodeFailed` with serde's message and the
/// path of the field (`bytes: invalid type: string "n/a", expected i64`); your function
/// never sees it and it is not retried. The others go through your function: `Ok` is
/// a success; `Err` is retried as the [`Retrier`](crate::map::Retrier) says, then is that
/// item's failure, `AthenaStream.ItemFailed`.
///
/// **Tolerance**: failures are tolerated up to the Map's
/// [`with_tolerated_failure_count`](MapSettings::with_tolerated_failure_count) and
/// [`with_tolerated_failure_percentage`](MapSettings::with_tolerated_failure_percentage) of the
/// batch's items (the batch's size is known, so the percentage is decided from the first
/// failure on); with neither set, none is. Undecodable items count. A percentage of a
/// small batch rounds down, as Step Functions' rule does: 10% of a batch of 9 tolerates
/// no failure, of 10 one.
///
/// **Within the tolerance**, [`process`](Self::process) returns the [`BatchAnswer`]: the
/// Lambda function's result, the child execution's output, one entry of the Map's
/// `ResultWriter` output. Every failed item is named by its `Index` in `Items`, by its
/// `Key` when [an item key](Self::with_item_key) is set (else by its JSON text, cut to
/// 256 characters, as `Item`), with its `Error`, its `Cause` and its `Attempts`:
///
/// ```json
/// {"Total": 3, "Succeeded": 1, "Failed": 2, "Unprocessed": 0, "Retried": 2,
///  "Failures": [
///    {"Index": 1, "Key": "r-1", "Error": "AthenaStream.ItemDecodeFailed",
///     "Cause": "bytes: invalid type: string \"n/a\", expected i64", "Attempts": 0},
///    {"Index": 2, "Key": "r-2", "Error": "AthenaStream.ItemFailed",
///     "Cause": "origin answered 503", "Attempts": 3}],
///  "FailuresOmitted": 0}
/// ```
///
/// The answer is kept under [`max_answer_bytes`](Self::with_max_answer_bytes) (by
/// default [`DEFAULT_MAX_ANSWER_BYTES`], so that it fits a state's output): failures that
/// do not fit are counted in `FailuresOmitted`, never dropped from `Failed`.
///
/// **Over the tolerance**, the batch stops at once (items in flight are cancelled, the
/// rest not started) and `process` returns
/// [`BatchError::ToleratedFailureThresholdExceeded`] with the same answer inside. The
/// handler returns it as the function's error, named by
/// [`BatchError::error_type`] (`AthenaStream.ExceedToleratedFailureThreshold`), so the
/// child execution fails: the Map's own `Retry` and `ToleratedFailurePercentage` apply
/// to the batch as a whole.
///
/// Your function must tolerate running twice for a row: a batch the Map retries (after
/// a Lambda service error, say) runs again whole, rows that succeeded included.
///
/// # Example
///
/// ```
/// use athena_stream::{distributed_map::{Batch, BatchWorker}, map::{MapSettings, Retrier}};
/// use serde_json::json;
/// use std::time::Duration;
///
/// #[derive(Clone, serde::Deserialize)]
/// struct Hit {
///     uri: String,
///     status: u16,
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let worker = BatchWorker::new(
///     MapSettings::new(8)
///         .with_tolerated_failure_percentage(50.0)
///         .with_retrier(Retrier::new().with_interval(Duration::from_millis(100)).with_max_attempts(1)),
/// )
/// .with_item_key("/uri");
///
/// let payload = json!({"Items": [
///     {"uri": "/a", "status": 200},
///     {"uri": "/b", "status": "oops"},
///     {"uri": "/c", "status": 500},
///     {"uri": "/d", "status": 200},
/// ]});
/// let batch = Batch::<serde_json::Value>::from_payload(payload)?;
/// let answer = worker
///     .process(batch.items, |hit: Hit| async move {
///         if hit.status >= 500 { Err(format!("{} answered {}", hit.uri, hit.status)) } else { Ok(()) }
///     })
///     .await?;
///
/// assert_eq!((answer.total, answer.succeeded, answer.failed, answer.retried), (4, 2, 2, 1));
/// assert_eq!(answer.failures[0].key, Some(json!("/b")));
/// assert_eq!(answer.failures[0].error, "AthenaStream.ItemDecodeFailed");
/// assert_eq!(answer.failures[1].cause, "/c answered 500");
/// assert_eq!(answer.failures[1].attempts, 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct BatchWorker<P = NoRetry> {
    map: MapSettings<P>,
    item_key: Option<String>,
    max_answer_bytes: usize,
}

impl<P> BatchWorker<P> {
    /// A worker that runs each batch with `map`'s settings: its `max_concurrency`, its
    /// [`Retrier`](crate::map::Retrier) per item, and its tolerated failure count and
    /// percentage, applied to the batch. No item key; answers of at most
    /// [`DEFAULT_MAX_ANSWER_BYTES`].
    pub fn new(map: MapSettings<P>) -> Self {
        Self {
            map,
            item_key: None,
            max_answer_bytes: DEFAULT_MAX_ANSWER_BYTES,
        }
    }

    /// Names a failed item in the answer by the value at `pointer` in its JSON (a JSON
    /// Pointer, [RFC 6901](https://www.rfc-editor.org/rfc/rfc6901): `/request_id`, or
    /// `/user/id` for a nested field), rather than by its JSON text. A name without the
    /// leading `/` is taken as a top-level field: `request_id` is `/request_id`.
    ///
    /// The key is read from the item's JSON, so an item that did not decode is named by
    /// it too. An item without the key is named by its JSON text. Default is no key.
    #[must_use]
    pub fn with_item_key(mut self, pointer: impl Into<String>) -> Self {
        let pointer = pointer.into();
        self.item_key = Some(if pointer.starts_with('/') || pointer.is_empty() {
            pointer
        } else {
            format!("/{}", pointer.replace('~', "~0").replace('/', "~1"))
        });
        self
    }

    /// The most bytes of JSON an answer may take; failures beyond it are counted in
    /// `FailuresOmitted` instead of listed. Default is [`DEFAULT_MAX_ANSWER_BYTES`].
    #[must_use]
    pub fn with_max_answer_bytes(mut self, max_answer_bytes: usize) -> Self {
        self.max_answer_bytes = max_answer_bytes;
        self
    }

    /// The fan-out's settings.
    pub fn map(&self) -> &MapSettings<P> {
        &self.map
    }

    /// The item key, as a JSON Pointer, if one is set.
    pub fn item_key(&self) -> Option<&str> {
        self.item_key.as_deref()
    }

    /// The most bytes of JSON an answer may take.
    pub fn max_answer_bytes(&self) -> usize {
        self.max_answer_bytes
    }

    /// Decodes each of `items` into a `T` and runs `f` on it, as the type's docs
    /// describe, and returns the batch's answer.
    ///
    /// `f` is called once per attempt, with a clone of the item for a retry (so `T`
    /// needs `Clone` when the Map has a [`Retrier`](crate::map::Retrier)); its `Ok` values are
    /// dropped. The futures run inside this future, as in the fan-out, not on spawned
    /// tasks.
    ///
    /// # Errors
    ///
    /// [`BatchError::ToleratedFailureThresholdExceeded`] when more items fail than the
    /// batch tolerates; [`BatchError::Map`] with [`Error::InvalidConfig`] for a tolerated
    /// percentage outside `0.0..=100.0` or an invalid retrier.
    pub async fn process<T, F, Fut, R, E>(
        &self,
        items: Vec<Value>,
        mut f: F,
    ) -> Result<BatchAnswer, BatchError>
    where
        T: DeserializeOwned,
        F: FnMut(T) -> Fut,
        Fut: Future<Output = Result<R, E>>,
        E: Into<BoxError>,
        P: RetryPolicy<T, E> + Clone,
    {
        let key = self.item_key.as_deref();
        let total = u64::try_from(items.len()).unwrap_or(u64::MAX);
        let tolerated = self.tolerance(total)?;

        // 1. Decode every item; one that does not decode is its own failure, at once.
        let (decoded, positions, mut failures) = decode_items::<T>(&items, key);

        // 2. The batch's size is known, so its tolerance is one count of failures; the
        // decode failures use part of it, the fan-out gets the rest. Percentage 100
        // (never exceeded) keeps the fan-out from judging the percentage against only
        // the items it sees.
        let decode_failures = u64::try_from(failures.len()).unwrap_or(u64::MAX);
        let exceeded = |answer| BatchError::ToleratedFailureThresholdExceeded {
            answer,
            tolerated_failure_count: tolerated,
        };
        if decode_failures > tolerated {
            let answer = BatchAnswer::new(total, 0, 0, failures, self.max_answer_bytes);
            tracing::warn!(
                total,
                failed = answer.failed,
                "batch failed: items did not decode"
            );
            return Err(exceeded(answer));
        }
        let map = self
            .map
            .clone()
            .with_tolerated_failure_count(tolerated - decode_failures)
            .with_tolerated_failure_percentage(100.0);

        // 3. The fan-out over the decoded items.
        let attempted = decoded.len();
        let mut run = run_items(map, decoded, &mut f).await?;
        for (index, attempts, cause) in std::mem::take(&mut run.failed) {
            // The fan-out numbers the decoded items only: back to the batch's index.
            let at = positions.get(index).copied().unwrap_or(index);
            let raw = items.get(at).unwrap_or(&NULL);
            failures.push(ItemFailure::new(at, raw, key, ITEM_FAILED, cause, attempts));
        }
        let (succeeded, over_tolerance) = (run.succeeded, run.over_tolerance);
        let retried = run.retried(attempted, &failures);
        let answer = BatchAnswer::new(total, succeeded, retried, failures, self.max_answer_bytes);
        if over_tolerance {
            tracing::warn!(
                total,
                succeeded,
                failed = answer.failed,
                unprocessed = answer.unprocessed,
                "batch failed: more items failed than it tolerates"
            );
            return Err(exceeded(answer));
        }
        tracing::info!(
            total,
            succeeded,
            failed = answer.failed,
            retried,
            "batch answered"
        );
        Ok(answer)
    }
}

impl<P> BatchWorker<P> {
    /// The most failures the batch of `total` items tolerates (see
    /// [`tolerated_failures`]), after checking the tolerated percentage.
    fn tolerance(&self, total: u64) -> Result<u64, BatchError> {
        let percentage = self.map.tolerated_failure_percentage();
        if let Some(p) = percentage {
            MapSettings::new(0)
                .with_tolerated_failure_percentage(p)
                .validate()
                .map_err(|source| BatchError::Map { source })?;
        }
        Ok(tolerated_failures(
            self.map.tolerated_failure_count(),
            percentage,
            total,
        ))
    }
}

/// Decodes each item into a `T`: the decoded items, the batch index of each (the
/// fan-out numbers only the decoded ones), and a failure for each item that did not
/// decode.
fn decode_items<T: DeserializeOwned>(
    items: &[Value],
    key: Option<&str>,
) -> (Vec<T>, Vec<usize>, Vec<ItemFailure>) {
    let mut decoded = Vec::with_capacity(items.len());
    let mut positions = Vec::with_capacity(items.len());
    let mut failures = Vec::new();
    for (index, raw) in items.iter().enumerate() {
        match serde_path_to_error::deserialize::<_, T>(raw) {
            Ok(item) => {
                decoded.push(item);
                positions.push(index);
            }
            Err(error) => failures.push(ItemFailure::new(
                index,
                raw,
                key,
                ITEM_DECODE_FAILED,
                error.to_string(),
                0,
            )),
        }
    }
    (decoded, positions, failures)
}

/// What the fan-out over a batch's decoded items came to.
struct ItemsRun {
    /// Calls of the function: one per item started, plus one per retry.
    calls: u64,
    succeeded: u64,
    /// The fan-out stopped because more items failed than the batch tolerates.
    over_tolerance: bool,
    /// Each failed item: its index among the decoded items, its attempts, its cause.
    failed: Vec<(usize, u32, String)>,
}

impl ItemsRun {
    /// The retries made. Every item that started was called once, plus once per retry.
    /// When the batch stopped early, the items that never started were not called
    /// either, so only a complete run gives an exact count; else the failures' own
    /// attempts give a lower bound.
    fn retried(&self, attempted: usize, failures: &[ItemFailure]) -> u64 {
        if self.over_tolerance {
            failures
                .iter()
                .map(|f| u64::from(f.attempts.saturating_sub(1)))
                .sum()
        } else {
            self.calls
                .saturating_sub(u64::try_from(attempted).unwrap_or(u64::MAX))
        }
    }
}

/// Runs `f` over `decoded` with the fan-out's settings in `map`, and tallies it.
async fn run_items<T, F, Fut, R, E, P>(
    map: MapSettings<P>,
    decoded: Vec<T>,
    f: &mut F,
) -> Result<ItemsRun, BatchError>
where
    F: FnMut(T) -> Fut,
    Fut: Future<Output = Result<R, E>>,
    E: Into<BoxError>,
    P: RetryPolicy<T, E> + Clone,
{
    let mut run = ItemsRun {
        calls: 0,
        succeeded: 0,
        over_tolerance: false,
        failed: Vec::new(),
    };
    let mut calls: u64 = 0;
    let mut results = futures::stream::iter(decoded.into_iter().map(Ok::<T, Infallible>))
        .map_unordered(map, |item| {
            calls += 1;
            f(item)
        });
    while let Some(result) = results.next().await {
        let error = match result {
            Ok(_) => {
                run.succeeded += 1;
                continue;
            }
            Err(error @ Error::Item { .. }) => error,
            // The count is the only threshold left, so it is passed by a failed
            // item, which comes with it: the last failure, then the end.
            Err(Error::ToleratedFailureThresholdExceeded { last, .. }) => {
                run.over_tolerance = true;
                match last {
                    Some(last) => *last,
                    None => continue,
                }
            }
            Err(source) => return Err(BatchError::Map { source }),
        };
        let Error::Item {
            index,
            attempts,
            source,
        } = error
        else {
            return Err(BatchError::Map { source: error });
        };
        let index = usize::try_from(index).unwrap_or(usize::MAX);
        run.failed
            .push((index, attempts, error_chain(source.as_ref())));
    }
    drop(results);
    run.calls = calls;
    Ok(run)
}

/// The most failures a batch of `total` items tolerates: the count, the percentage of
/// `total` (the fan-out's own rule: `failed * 100 > percentage * total` exceeds it), the
/// smaller of the two when both are set, and 0 when neither is (fail fast).
fn tolerated_failures(count: Option<u64>, percentage: Option<f64>, total: u64) -> u64 {
    let by_percentage = percentage.map(|p| {
        let limit = p * total as f64;
        // Start from the quotient and settle with the exact comparison the fan-out
        // makes, so that float rounding cannot make the two disagree.
        let mut k = ((limit / 100.0).floor() as u64).min(total);
        while k > 0 && k as f64 * 100.0 > limit {
            k -= 1;
        }
        while k < total && (k + 1) as f64 * 100.0 <= limit {
            k += 1;
        }
        k
    });
    match (count, by_percentage) {
        (None, None) => 0,
        (Some(c), None) => c,
        (None, Some(p)) => p,
        (Some(c), Some(p)) => c.min(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_is_one_count_for_a_batch() {
        assert_eq!(tolerated_failures(None, None, 10), 0, "fail fast");
        assert_eq!(tolerated_failures(Some(3), None, 10), 3);
        assert_eq!(tolerated_failures(None, Some(10.0), 10), 1);
        assert_eq!(tolerated_failures(None, Some(19.9), 10), 1);
        assert_eq!(tolerated_failures(None, Some(20.0), 10), 2);
        assert_eq!(tolerated_failures(None, Some(0.0), 10), 0);
        assert_eq!(tolerated_failures(None, Some(100.0), 10), 10);
        assert_eq!(tolerated_failures(None, Some(50.0), 0), 0);
        assert_eq!(tolerated_failures(Some(5), Some(10.0), 100), 5);
        assert_eq!(tolerated_failures(Some(5), Some(1.0), 100), 1);
        // The same rule as the fan-out's, at every size and a few awkward percentages.
        for total in 0..300u64 {
            for p in [0.1, 1.0, 3.3, 5.0, 33.3, 66.7, 99.9] {
                let k = tolerated_failures(None, Some(p), total);
                assert!(
                    k as f64 * 100.0 <= p * total as f64,
                    "{k} of {total} at {p}%"
                );
                assert!(
                    k == total || (k + 1) as f64 * 100.0 > p * total as f64,
                    "{k} + 1 of {total} at {p}% is tolerated too"
                );
            }
        }
    }

    #[test]
    fn a_bare_item_key_is_a_top_level_field() {
        let w = BatchWorker::new(MapSettings::new(1));
        assert_eq!(w.item_key(), None);
        assert_eq!(
            w.clone().with_item_key("request_id").item_key(),
            Some("/request_id")
        );
        assert_eq!(w.clone().with_item_key("/a/b").item_key(), Some("/a/b"));
        assert_eq!(
            w.clone().with_item_key("a/b~c").item_key(),
            Some("/a~1b~0c")
        );
        assert_eq!(w.max_answer_bytes(), DEFAULT_MAX_ANSWER_BYTES);
    }
}
