//! How a batch fails as a whole: the error its child execution ends with.

use std::fmt::Write as _;

use super::answer::BatchAnswer;
use crate::error::Error;

/// `Error` of a payload that is not a batch ([`BatchError::InvalidBatch`]).
pub const INVALID_BATCH: &str = "AthenaStream.InvalidBatch";

/// `Error` of a batch whose failed items exceed its tolerance
/// ([`BatchError::ToleratedFailureThresholdExceeded`]), the batch's own
/// `States.ExceedToleratedFailureThreshold`.
pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "AthenaStream.ExceedToleratedFailureThreshold";

/// `Error` of a worker whose settings were refused ([`BatchError::Map`] with
/// [`Error::InvalidConfig`]).
pub const INVALID_CONFIG: &str = "AthenaStream.InvalidConfig";

/// `Error` of any other failure of the batch's fan-out ([`BatchError::Map`]).
pub const MAP_FAILED: &str = "AthenaStream.MapFailed";

/// Failures named in the message of [`BatchError::ToleratedFailureThresholdExceeded`];
/// the rest are in its [`BatchAnswer`].
const FAILURES_IN_MESSAGE: usize = 5;

/// Why a batch failed as a whole. Returned by the Lambda handler, it fails the child
/// execution with [`error_type`](Self::error_type) as its `Error` (the name a `Retry` or
/// `Catch` matches in `ErrorEquals`) and the message as its `Cause`; the Map's own
/// `ToleratedFailurePercentage`/`Count` then count the batch's items as failed.
///
/// This is not a variant of the crate's [`Error`]: it is a batch's answer to Step
/// Functions, and it carries the batch's [`BatchAnswer`] with every failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The payload is not a batch `{"Items": [...], "BatchInput": {...}}`, or its
    /// `BatchInput` does not decode. Retrying cannot help: fix the state machine.
    #[error("not a batch of a Distributed Map with an ItemBatcher: {message}")]
    InvalidBatch {
        /// What is wrong with the payload.
        message: String,
    },

    /// More items of the batch failed than the worker's
    /// [`MapSettings`](crate::map::MapSettings) tolerates. The batch stopped there: items still in flight
    /// were cancelled and the others not started (see [`BatchAnswer::unprocessed`]).
    #[error("{}", threshold_message(.answer, *.tolerated_failure_count))]
    ToleratedFailureThresholdExceeded {
        /// The batch's answer: counts, and the failures seen before it stopped.
        answer: BatchAnswer,
        /// The failures this batch tolerated: its `ToleratedFailureCount`, or its
        /// `ToleratedFailurePercentage` of its `Total` (the smaller when both are set;
        /// 0 when neither is).
        tolerated_failure_count: u64,
    },

    /// The fan-out over the batch failed before running its items: an invalid setting
    /// ([`Error::InvalidConfig`], such as a tolerated percentage outside `0..=100` or a
    /// retrier's backoff rate below 1).
    #[error("the batch's fan-out failed: {source}")]
    Map {
        /// The fan-out's error.
        #[source]
        source: Error,
    },
}

impl BatchError {
    /// The `Error` name Step Functions sees for this failure when the handler returns
    /// it as the Lambda function's `errorType`: [`INVALID_BATCH`],
    /// [`EXCEED_TOLERATED_FAILURE_THRESHOLD`], [`INVALID_CONFIG`] or [`MAP_FAILED`].
    ///
    /// ```
    /// use athena_stream::distributed_map::{Batch, BatchError};
    ///
    /// let err = Batch::<serde_json::Value>::from_payload(serde_json::json!([1, 2])).unwrap_err();
    /// assert_eq!(err.error_type(), "AthenaStream.InvalidBatch");
    /// ```
    pub fn error_type(&self) -> &'static str {
        match self {
            BatchError::InvalidBatch { .. } => INVALID_BATCH,
            BatchError::ToleratedFailureThresholdExceeded { .. } => {
                EXCEED_TOLERATED_FAILURE_THRESHOLD
            }
            BatchError::Map {
                source: Error::InvalidConfig { .. },
            } => INVALID_CONFIG,
            BatchError::Map { .. } => MAP_FAILED,
        }
    }

    /// The batch's answer, when the batch ran: for
    /// [`ToleratedFailureThresholdExceeded`](Self::ToleratedFailureThresholdExceeded).
    pub fn answer(&self) -> Option<&BatchAnswer> {
        match self {
            BatchError::ToleratedFailureThresholdExceeded { answer, .. } => Some(answer),
            _ => None,
        }
    }

    pub(super) fn invalid_batch(message: String) -> Self {
        BatchError::InvalidBatch { message }
    }
}

/// "3 of 10 items failed, more than the 1 the batch tolerates; ..." with the first
/// failures, so that the `Cause` alone says which rows to look at.
fn threshold_message(answer: &BatchAnswer, tolerated: u64) -> String {
    let mut text = format!(
        "{EXCEED_TOLERATED_FAILURE_THRESHOLD}: {} of {} items of the batch failed, more than \
         the {tolerated} it tolerates ({} succeeded, {} unprocessed)",
        answer.failed, answer.total, answer.succeeded, answer.unprocessed
    );
    // `write!` into a String cannot fail.
    for failure in answer.failures.iter().take(FAILURES_IN_MESSAGE) {
        let _ = write!(text, "; item {}", failure.index);
        if let Some(key) = &failure.key {
            let _ = write!(text, " ({key})");
        }
        let _ = write!(
            text,
            ": {}: {} ({} attempt(s))",
            failure.error, failure.cause, failure.attempts
        );
    }
    let named = u64::try_from(answer.failures.len().min(FAILURES_IN_MESSAGE)).unwrap_or(0);
    let more = answer.failed.saturating_sub(named);
    if more > 0 {
        let _ = write!(text, "; and {more} more");
    }
    text
}
