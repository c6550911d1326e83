//! The input of a child execution when the Map has an `ItemBatcher`:
//! `{"Items": [...], "BatchInput": {...}}`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::BatchError;

/// One batch of a Distributed Map with an `ItemBatcher`, as Step Functions hands it to
/// a child execution: `{"Items": [...], "BatchInput": {...}}`.
///
/// `Items` holds what the `ItemReader` read (for an Athena data manifest: one object per
/// row, keyed by column name), at most `MaxItemsPerBatch` of them and at most
/// `MaxInputBytesPerBatch` bytes in all. `BatchInput` is the `ItemBatcher`'s fixed JSON,
/// the same in every batch of the run; it is absent when the state machine sets none.
///
/// `T` is the type of an item and `B` the type of the `BatchInput`. A worker reads the
/// items as [`serde_json::Value`]s ([`Batch::from_payload`]) and lets
/// [`BatchWorker::process`](super::BatchWorker::process) decode each one, so that one
/// item that does not decode fails alone; deserializing a `Batch<MyRow>` directly would
/// fail the whole batch on it.
///
/// ```
/// use athena_stream::distributed_map::Batch;
/// use serde_json::json;
///
/// #[derive(serde::Deserialize)]
/// struct Run {
///     #[serde(rename = "QueryExecutionId")]
///     query_execution_id: String,
/// }
///
/// let payload = json!({
///     "Items": [{"uri": "/index.html", "status": "200"}],
///     "BatchInput": {"QueryExecutionId": "4f2c"}
/// });
/// let batch = Batch::<serde_json::Value, Run>::from_payload(payload)?;
/// assert_eq!(batch.items.len(), 1);
/// assert_eq!(batch.batch_input.unwrap().query_execution_id, "4f2c");
/// # Ok::<(), athena_stream::distributed_map::BatchError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch<T, B = Value> {
    /// `Items`: the batch's items, in the order the `ItemReader` read them.
    #[serde(rename = "Items")]
    pub items: Vec<T>,
    /// `BatchInput`: the `ItemBatcher`'s fixed input, `None` when there is none (or it
    /// is `null`).
    #[serde(
        rename = "BatchInput",
        default = "none",
        skip_serializing_if = "Option::is_none"
    )]
    pub batch_input: Option<B>,
}

// `#[serde(default)]` would ask for `B: Default`, which a `BatchInput` type need not be.
fn none<B>() -> Option<B> {
    None
}

impl<B: DeserializeOwned> Batch<Value, B> {
    /// Reads a child execution's input as a batch whose items are left as JSON, for
    /// [`BatchWorker::process`](super::BatchWorker::process) to decode one by one.
    ///
    /// A payload without an `Items` array is refused rather than taken as a batch of
    /// one: a worker runs its items concurrently, which one row per Lambda invocation
    /// defeats, and a row that happened to have a column named `Items` would be misread.
    /// Set `ItemBatcher` on the Map (see `deploy/`).
    ///
    /// # Errors
    ///
    /// [`BatchError::InvalidBatch`] when the payload is not an object, has no `Items`
    /// array (the message lists the fields it has, which tells a single row apart), or
    /// its `BatchInput` does not decode into `B`.
    pub fn from_payload(payload: Value) -> Result<Self, BatchError> {
        let Value::Object(mut fields) = payload else {
            return Err(BatchError::invalid_batch(format!(
                "the payload is {}, not a batch {{\"Items\": [...], \"BatchInput\": {{...}}}}",
                kind(&payload)
            )));
        };
        let items = match fields.remove("Items") {
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(BatchError::invalid_batch(format!(
                    "`Items` is {}, not an array",
                    kind(&other)
                )));
            }
            None => {
                let names: Vec<&str> = fields.keys().map(String::as_str).take(10).collect();
                return Err(BatchError::invalid_batch(format!(
                    "the payload has no `Items` array (its fields: {}): this worker takes \
                     the batches of a Map with an ItemBatcher, not one item per execution",
                    names.join(", ")
                )));
            }
        };
        let batch_input = match fields.remove("BatchInput") {
            None | Some(Value::Null) => None,
            Some(input) => Some(serde_path_to_error::deserialize(input).map_err(|e| {
                BatchError::invalid_batch(format!("`BatchInput` does not decode: {e}"))
            })?),
        };
        Ok(Batch { items, batch_input })
    }
}

/// A JSON value's kind, with an article, for messages.
pub(super) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
