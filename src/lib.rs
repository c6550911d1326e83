//! athena-stream: run an Amazon Athena query and feed its rows, with bounded
//! concurrency, into your own async code.
//!
//! (The guided tour of the crate is written in the crate docs once the API settles.)

#![deny(missing_docs, rustdoc::broken_intra_doc_links)]
#![warn(missing_debug_implementations, unreachable_pub, rust_2018_idioms)]

mod api;
mod athena;
mod de;
mod error;
#[cfg(test)]
mod fake;
mod execution;
mod map;
mod query;
mod results;
mod row;
#[cfg(test)]
mod tests;
pub mod value;

pub use error::{ApiErrorKind, AthenaError, BoxError, Error, Result};
pub use athena::{Athena, AthenaBuilder, MAX_PAGE_SIZE};
pub use map::{
    ItemBatcher, JitterStrategy, Map, MapExt, MapOrdered, MapReport, MapUnordered, NoRetry, Retrier,
    RetryAll, RetryPolicy, RunMap,
};
pub use execution::{QueryExecution, QueryState, QueryStatistics, StatementType};
pub use query::StartQueryExecution;
pub use results::{PageStream, QueryStats, ResultPage, RowStream};
pub use row::{ColumnInfo, ResultSetMetadata, Row};
pub use de::{ColumnIndex, Typed, TypedExt};

/// The backoff builder used for polling and retry settings (re-exported from `backon`).
pub use backon::ExponentialBuilder;
