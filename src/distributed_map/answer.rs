//! What a batch answers: its counts and every failed item, kept under the size a
//! Step Functions state may output.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `Error` of an item that did not decode into the worker's item type (its function
/// never ran, so its `Attempts` is 0).
pub const ITEM_DECODE_FAILED: &str = "AthenaStream.ItemDecodeFailed";

/// `Error` of an item whose function failed, after its retries.
pub const ITEM_FAILED: &str = "AthenaStream.ItemFailed";

/// An item's JSON in an answer is cut to this many characters: enough to recognise a
/// row, small enough that a batch of failed rows does not outgrow its answer.
pub(super) const MAX_ITEM_CHARS: usize = 256;

/// An error message in an answer is cut to this many characters.
pub(super) const MAX_CAUSE_CHARS: usize = 1024;

/// The answer of a batch: how many of its items succeeded and failed, and every failed
/// item by its index in `Items`, with its key or its JSON, its error and its attempts.
///
/// It serializes with Step Functions' own spelling (`Error` and `Cause` as in a failed
/// state's error output), so that the Map's `ResultWriter` output reads as one
/// vocabulary. See [`BatchWorker`](super::BatchWorker) for the contract.
///
/// ```
/// use athena_stream::distributed_map::BatchAnswer;
///
/// let answer: BatchAnswer = serde_json::from_str(r#"{
///     "Total": 3, "Succeeded": 2, "Failed": 1, "Unprocessed": 0, "Retried": 2,
///     "Failures": [{"Index": 1, "Key": "req-7", "Error": "AthenaStream.ItemFailed",
///                   "Cause": "HTTP 503", "Attempts": 3}],
///     "FailuresOmitted": 0
/// }"#)?;
/// assert_eq!(answer.failures[0].index, 1);
/// assert_eq!(answer.failures[0].key, Some("req-7".into()));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BatchAnswer {
    /// `Total`: items in the batch.
    #[serde(rename = "Total")]
    pub total: u64,
    /// `Succeeded`: items whose function returned `Ok`.
    #[serde(rename = "Succeeded")]
    pub succeeded: u64,
    /// `Failed`: items that did not decode, or whose function failed after its retries.
    #[serde(rename = "Failed")]
    pub failed: u64,
    /// `Unprocessed`: items that neither succeeded nor failed because the batch stopped
    /// as soon as it exceeded its tolerance (in flight and cancelled, or not started).
    /// Always 0 in the answer of a batch that succeeded.
    #[serde(rename = "Unprocessed")]
    pub unprocessed: u64,
    /// `Retried`: retries made over all items (each retry calls the function again).
    /// When the batch stopped early, the retries of its failed items only.
    #[serde(rename = "Retried")]
    pub retried: u64,
    /// `Failures`: the failed items, by index. As many as fit in the answer's size limit;
    /// the rest are counted in [`failures_omitted`](Self::failures_omitted).
    #[serde(rename = "Failures")]
    pub failures: Vec<ItemFailure>,
    /// `FailuresOmitted`: failed items left out of `Failures` to keep the answer under
    /// its size limit (they are still counted in `Failed`).
    #[serde(rename = "FailuresOmitted")]
    pub failures_omitted: u64,
}

/// One failed item of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ItemFailure {
    /// `Index`: 0-based position of the item in the batch's `Items`.
    #[serde(rename = "Index")]
    pub index: u64,
    /// `Key`: the value at the worker's [item key](super::BatchWorker::with_item_key)
    /// (a JSON Pointer such as `/request_id`), when one is set and the item has it.
    #[serde(rename = "Key", default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Value>,
    /// `Item`: the item's JSON text, cut to 256 characters (`…` marks a cut), when
    /// there is no key to name it by.
    #[serde(rename = "Item", default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// `Error`: [`ITEM_DECODE_FAILED`] or [`ITEM_FAILED`].
    #[serde(rename = "Error")]
    pub error: String,
    /// `Cause`: the error message with its sources (for an item that did not decode,
    /// serde's message with the path of the field), cut to 1024 characters.
    #[serde(rename = "Cause")]
    pub cause: String,
    /// `Attempts`: calls of the function for this item, the failed last one included;
    /// 0 for an item that did not decode.
    #[serde(rename = "Attempts")]
    pub attempts: u32,
}

impl ItemFailure {
    /// A failure of the item `raw` at `index`, named by `key_pointer` when it has one.
    pub(super) fn new(
        index: usize,
        raw: &Value,
        key_pointer: Option<&str>,
        error: &str,
        cause: String,
        attempts: u32,
    ) -> Self {
        let key = key_pointer
            .and_then(|pointer| raw.pointer(pointer))
            .map(|key| match key {
                // A key is meant to be short; an object or a long text is cut like an item.
                Value::String(s) if s.chars().count() <= MAX_ITEM_CHARS => key.clone(),
                Value::Number(_) | Value::Bool(_) => key.clone(),
                other => Value::String(shorten(&other.to_string(), MAX_ITEM_CHARS)),
            });
        let item = key
            .is_none()
            .then(|| shorten(&raw.to_string(), MAX_ITEM_CHARS));
        ItemFailure {
            index: u64::try_from(index).unwrap_or(u64::MAX),
            key,
            item,
            error: error.to_owned(),
            cause: shorten(&cause, MAX_CAUSE_CHARS),
            attempts,
        }
    }
}

/// `text` cut to at most `max` characters (`max` at least 1), the last of them `…`
/// when it was cut.
pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.char_indices().nth(max).is_none() {
        return text.to_owned();
    }
    let cut = text
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(0, |(at, _)| at);
    format!("{}…", &text[..cut])
}

/// An error's message followed by those of its sources, when they add to it.
pub(super) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        // thiserror's `{source}` in a message already repeats it.
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = cause.source();
    }
    text
}

impl BatchAnswer {
    /// The answer, with as many of `failures` (sorted by index) as fit in `max_bytes`
    /// of JSON; the counts are always there.
    pub(super) fn new(
        total: u64,
        succeeded: u64,
        retried: u64,
        mut failures: Vec<ItemFailure>,
        max_bytes: usize,
    ) -> Self {
        failures.sort_by_key(|f| f.index);
        let failed = u64::try_from(failures.len()).unwrap_or(u64::MAX);
        let mut answer = BatchAnswer {
            total,
            succeeded,
            failed,
            unprocessed: total.saturating_sub(succeeded).saturating_sub(failed),
            retried,
            failures: Vec::new(),
            // The largest value it can take, so that the size counted below is an
            // upper bound whatever the final number is.
            failures_omitted: failed,
        };
        let mut size = json_len(&answer);
        let mut kept = 0;
        for failure in &failures {
            // A comma between two failures.
            let added = json_len(failure) + usize::from(kept > 0);
            if size + added > max_bytes {
                break;
            }
            size += added;
            kept += 1;
        }
        failures.truncate(kept);
        answer.failures_omitted = failed - u64::try_from(kept).unwrap_or(u64::MAX);
        answer.failures = failures;
        answer
    }
}

fn json_len<T: Serialize>(value: &T) -> usize {
    // Serializing these plain structs into memory cannot fail; a length of 0 would only
    // make the size limit less strict, never lose a failure.
    serde_json::to_vec(value).map_or(0, |bytes| bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shorten_cuts_on_characters_and_marks_the_cut() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "ab…");
        assert_eq!(shorten("ééééé", 4), "ééé…");
        assert_eq!(shorten("", 3), "");
    }

    #[test]
    fn a_failure_is_named_by_its_key_or_its_shortened_json() {
        let row = json!({"request_id": "r-1", "uri": "/a".repeat(300)});
        let by_key = ItemFailure::new(3, &row, Some("/request_id"), ITEM_FAILED, "boom".into(), 2);
        assert_eq!(by_key.key, Some(json!("r-1")));
        assert_eq!(by_key.item, None);

        let no_key = ItemFailure::new(3, &row, Some("/missing"), ITEM_FAILED, "boom".into(), 2);
        assert_eq!(no_key.key, None);
        let item = no_key.item.unwrap();
        assert_eq!(item.chars().count(), MAX_ITEM_CHARS);
        assert!(item.starts_with("{\"request_id\":\"r-1\"") && item.ends_with('…'));

        let long_cause = "x".repeat(5000);
        let cut = ItemFailure::new(0, &row, None, ITEM_FAILED, long_cause, 1);
        assert_eq!(cut.cause.chars().count(), MAX_CAUSE_CHARS);
    }

    #[test]
    fn the_answer_keeps_failures_within_its_byte_limit_and_counts_the_rest() {
        let failures: Vec<_> = (0..100)
            .rev()
            .map(|i| {
                let row = json!({"request_id": format!("r-{i}"), "pad": "p".repeat(100)});
                ItemFailure::new(i, &row, None, ITEM_FAILED, "boom".into(), 1)
            })
            .collect();
        let all = BatchAnswer::new(200, 100, 0, failures.clone(), usize::MAX);
        assert_eq!(
            (all.failed, all.failures.len(), all.failures_omitted),
            (100, 100, 0)
        );
        assert!(
            all.failures.windows(2).all(|w| w[0].index < w[1].index),
            "sorted by index"
        );

        for limit in [0, 200, 1000, 4096, 20_000] {
            let answer = BatchAnswer::new(200, 100, 0, failures.clone(), limit);
            let len = serde_json::to_vec(&answer).unwrap().len();
            assert_eq!(answer.failed, 100, "the count never drops a failure");
            assert_eq!(
                answer.failures.len() as u64 + answer.failures_omitted,
                100,
                "every failure is listed or counted as omitted"
            );
            if !answer.failures.is_empty() {
                assert!(len <= limit, "{len} bytes over the limit {limit}");
            }
            assert_eq!(
                answer.failures.first().map(|f| f.index),
                (!answer.failures.is_empty()).then_some(0)
            );
        }
        let some = BatchAnswer::new(200, 100, 0, failures, 4096);
        assert!(some.failures.len() > 5 && some.failures_omitted > 0);
    }
}
