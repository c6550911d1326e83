//! The worker for a Step Functions Distributed Map (feature `distributed-map`): the
//! fan-out of this crate run over one batch of rows inside a Lambda function, with an
//! answer that names every failed row.
//!
//! One machine runs about `max_concurrency / t_item` rows a second. Past that, AWS's
//! own answer is a Distributed Map whose `ItemReader` reads an Athena `UNLOAD`'s data
//! manifest and hands batches of rows to up to 10,000 child executions; `deploy/` has
//! that state machine. Step Functions has no per-item failure report inside a batch, so
//! the batch's answer carries it: [`BatchWorker`] documents the contract.
//!
//! The module is plain `async` code from JSON to JSON and depends on no Lambda runtime:
//! a handler built on `lambda_runtime` (see `examples/distributed_map_worker.rs`), any
//! other runtime, or a test calls it the same way.

mod answer;
mod batch;
mod error;
mod worker;

pub use answer::{BatchAnswer, ITEM_DECODE_FAILED, ITEM_FAILED, ItemFailure};
pub use batch::Batch;
pub use error::{
    BatchError, EXCEED_TOLERATED_FAILURE_THRESHOLD, INVALID_BATCH, INVALID_CONFIG, MAP_FAILED,
};
pub use worker::{BatchWorker, DEFAULT_MAX_ANSWER_BYTES};

#[cfg(test)]
mod asl_tests;
#[cfg(test)]
pub(crate) mod tests;
