//! Run an Amazon Athena query and feed its rows, with bounded concurrency, into your
//! own async code.
//!
//! # Highlights
//!
//! - [`Athena::query`] gives a [`RowStream`]: a `futures::Stream` of [`Row`]s that
//!   starts the query on its first poll, polls it with backoff until it finishes, and
//!   pages through `GetQueryResults` with `NextToken`, fetching the next page while you
//!   work on this one. Dropping it stops a query that still runs.
//! - [`MapExt`] runs your async function over every item with at most
//!   `max_concurrency` in flight, like a Step Functions `Map` state but with no
//!   barrier between pages, with fail-fast or tolerated failures and per-item retries.
//! - Throttling, 5xx answers and dropped connections are retried; a retried start
//!   keeps its `ClientRequestToken`, a retried page its `NextToken`: no query runs
//!   twice, no row is lost or repeated.
//! - One [`Error`] enum, with struct variants, for everything that can go wrong.
//!
//! # Streaming rows
//!
//! ```no_run
//! use athena_stream::{Athena, StartQueryExecution};
//! use futures::TryStreamExt;
//!
//! # async fn run(client: aws_sdk_athena::Client) -> athena_stream::Result<()> {
//! let athena = Athena::new(client);
//! let query = StartQueryExecution::new("SELECT uri, status FROM cf_access_logs WHERE status = ?")
//!     .database("serverlessland_database")
//!     .execution_parameter("'404'");
//! let mut rows = athena.query(query);
//! while let Some(row) = rows.try_next().await? {
//!     // NULL is None, distinct from Some("").
//!     println!("{:?} {:?}", row.get_str("uri"), row.get_str("status"));
//! }
//! println!("query {:?}: {:?}", rows.query_execution_id(), rows.stats());
//! # Ok(())
//! # }
//! ```
//!
//! # Processing rows concurrently
//!
//! ```no_run
//! use athena_stream::{Athena, Map, MapExt, Row};
//!
//! # async fn run(athena: Athena) -> athena_stream::Result<()> {
//! let report = athena
//!     .query("SELECT uri FROM cf_access_logs")
//!     .run_map(Map::new().with_max_concurrency(16), |row: Row| async move {
//!         // call a service, write to a database, ...
//!         Ok::<_, std::io::Error>(row.get_str("uri").map(str::len))
//!     })
//!     .await?;
//! println!("{} rows, {:.0} rows/s", report.succeeded, report.rows_per_sec());
//! # Ok(())
//! # }
//! ```
//!
//! # Resuming and attaching
//!
//! Every [`ResultPage`] (see [`RowStream::into_pages`]) carries the `NextToken` to
//! resume from; [`Athena::resume`] continues from it after a crash, and
//! [`Athena::attach`] reads a query started elsewhere.
//!
//! # Settings
//!
//! [`AthenaBuilder`] documents each setting with its default: polling backoff, query
//! timeout, page size, prefetch depth, throttling retry policy and re-runs of failed
//! queries. Invalid settings are refused by [`AthenaBuilder::build`].

#![deny(missing_docs, rustdoc::broken_intra_doc_links)]
#![warn(missing_debug_implementations, unreachable_pub, rust_2018_idioms)]

mod api;
mod athena;
mod de;
mod error;
mod execution;
#[cfg(test)]
mod fake;
mod map;
mod query;
mod results;
// Nothing uses the result-file parsing until the S3 reader of issue 10 is wired up.
#[allow(dead_code)]
mod result_file;
mod row;
#[cfg(test)]
mod tests;
pub mod value;

pub use athena::{Athena, AthenaBuilder, MAX_PAGE_SIZE};
pub use de::{ColumnIndex, Typed, TypedExt};
pub use error::{ApiErrorKind, AthenaError, BoxError, Error, Result};
pub use execution::{QueryExecution, QueryState, QueryStatistics, StatementType};
pub use map::{
    ItemBatcher, JitterStrategy, Map, MapExt, MapOrdered, MapReport, MapUnordered, NoRetry,
    Retrier, RetryAll, RetryPolicy, RunMap,
};
pub use query::StartQueryExecution;
pub use results::{PageStream, QueryStats, ResultPage, RowStream};
pub use row::{ColumnInfo, ResultSetMetadata, Row};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The backoff builder used for polling and retry settings (re-exported from `backon`).
pub use backon::ExponentialBuilder;
