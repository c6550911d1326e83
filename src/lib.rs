//! Run an Amazon Athena query and feed its rows, with bounded concurrency, into your
//! own async code.
//!
//! # Highlights
//!
//! - [`Athena::query`] gives a [`RowStream`]: a `futures::Stream` of [`Row`]s that
//!   starts the query on its first poll, polls it with backoff until it finishes, and
//!   pages through `GetQueryResults` with `NextToken`, fetching the next page while you
//!   work on this one. Dropping it stops a query that still runs.
//! - [`MapExt`](map::MapExt) runs your async function over every item with at most
//!   `max_concurrency` in flight, like a Step Functions `Map` state but with no
//!   barrier between pages, with fail-fast or tolerated failures and per-item retries.
//! - Throttling, 5xx answers and dropped connections are retried; a retried start
//!   keeps its `ClientRequestToken`, a retried page its `NextToken`: no query runs
//!   twice, no row is lost or repeated.
//! - One [`Error`] enum, with struct variants, for everything that can go wrong.
//!
//! # The crate at a glance
//!
//! The crate root holds what every user needs: [`Athena`] and its [`AthenaBuilder`],
//! a query ([`StartQueryExecution`]) and what it became ([`QueryExecution`],
//! [`QueryState`], [`QueryStats`]), its rows ([`RowStream`], [`Row`], [`TypedExt`] and its
//! [`Typed`] stream), its pages ([`PageStream`], [`ResultPage`], [`ResumeFrom`]), the
//! settings' [`ReadPath`], [`Backoff`] and [`JitterStrategy`], and [`Error`] and
//! [`Result`]. The rest lives in a module named for its idea, each name in one place (`Error` and
//! `Result` are defined in [`error`], `QueryExecution` and `QueryState` in [`execution`],
//! and re-exported here):
//!
//! | module | what it holds |
//! |---|---|
//! | [`map`] | the fan-out: [`MapExt`](map::MapExt), its [`MapSettings`](map::MapSettings), the per-item [`Retrier`](map::Retrier), batches, streams and report |
//! | [`error`] | what an [`Error`] carries: [`ApiErrorKind`](error::ApiErrorKind), [`AthenaError`](error::AthenaError), [`Operation`](error::Operation), [`BoxError`](error::BoxError) |
//! | [`execution`] | the rest of a query's description: statistics, statement type, result configuration and encryption |
//! | [`progress`] | a running query's [`QueryProgress`](progress::QueryProgress), with its stages' rows and bytes |
//! | [`value`] | a result's columns ([`ColumnInfo`](value::ColumnInfo), [`ResultSetMetadata`](value::ResultSetMetadata), [`ColumnIndex`](value::ColumnIndex)) and Athena's values and types |
//! | `arrow` | results as Arrow record batches (feature `arrow`) |
//! | `unload` | `UNLOAD` to Parquet and reading its files (feature `unload`) |
//! | `distributed_map` | the worker of a Step Functions Distributed Map (feature `distributed-map`) |
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
//!     .with_database("serverlessland_database")
//!     .with_execution_parameter("'404'");
//! let mut rows = athena.query(query);
//! while let Some(row) = rows.try_next().await? {
//!     // NULL is None, distinct from Some(""); a column the result lacks is an error.
//!     println!("{:?} {:?}", row.get_str("uri")?, row.get_str("status")?);
//! }
//! println!("query {:?}: {:?}", rows.query_execution_id(), rows.stats());
//! # Ok(())
//! # }
//! ```
//!
//! # Processing rows concurrently
//!
//! ```no_run
//! use athena_stream::{Athena, Row, map::{MapSettings, MapExt}};
//!
//! # async fn run(athena: Athena) -> athena_stream::Result<()> {
//! let report = athena
//!     .query("SELECT uri FROM cf_access_logs")
//!     .run_map(MapSettings::new(16), |row: Row| async move {
//!         // call a service, write to a database, ...
//!         Ok::<_, athena_stream::Error>(row.get_str("uri")?.map(str::len))
//!     })
//!     .await?;
//! println!("{} rows, {:.0} rows/s", report.succeeded, report.items_per_sec());
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
//! queries. Invalid settings are refused by [`AthenaBuilder::build`]. The two backoffs
//! are this crate's own [`Backoff`] type, not `backon`'s builder (which does the work
//! underneath), so a new major version of `backon` is not a breaking change here.
//!
//! # Production accounts, cost and progress
//!
//! A query takes Athena's whole result configuration
//! ([`StartQueryExecution::with_encryption_configuration`],
//! [`with_expected_bucket_owner`](StartQueryExecution::with_expected_bucket_owner),
//! [`with_acl_option`](StartQueryExecution::with_acl_option)), checked before it is sent;
//! what Athena used, which an enforcing workgroup decides, is
//! [`QueryExecution::result_configuration`], and [`QueryStats`] names the settings the
//! workgroup replaced. Every S3 request names the account expected to own the bucket
//! ([`AthenaBuilder::with_expected_bucket_owner`], else the query's); a bucket of another
//! account is [`Error::BucketOwnerMismatch`], never worked around.
//! [`AthenaBuilder::with_max_bytes_scanned`] stops a query that scans more than it should
//! ([`Error::BytesScannedLimitExceeded`], best effort), and [`RowStream::progress`]
//! watches a query's [`QueryProgress`](progress::QueryProgress) as it runs, with its stages' rows and bytes
//! from `GetQueryRuntimeStatistics`.
//!
//! # In a service
//!
//! **A Tokio runtime.** A stream's first poll spawns the task that runs its query (with
//! `tokio::spawn`), and [`Athena::execute`] spawns one too: poll them inside a Tokio
//! runtime (any flavour). The task is what lets the next page arrive while you work on
//! this one, and what stops a query after you have gone.
//!
//! **Dropping and cancelling.** Every future and stream here may be dropped at any
//! await point; this is what each drop does:
//!
//! | dropped | what happens | cancel-safe |
//! |---|---|---|
//! | the future of `try_next()` / `next()` on a [`RowStream`] or [`PageStream`] | nothing: a row or page not yet returned stays in the stream | yes |
//! | a [`RowStream`] or [`PageStream`] made by [`Athena::query`] | if its query is still queued or running, its task sends `StopQueryExecution` (retried, logged); a start in flight is completed first, so no query is left running unseen | — |
//! | a stream made by [`Athena::attach`] or [`Athena::resume`] | nothing: it is someone else's query ([`RowStream::cancel`] does stop it) | — |
//! | the future of [`RowStream::cancel`] | once polled, the stream has ended and the stop is sent by the task even if the future is dropped | yes |
//! | the future of [`Athena::execute`] | the query is stopped, as for a dropped stream | yes |
//! | the future of [`Athena::stop`] | the stop may or may not have been sent; stopping is idempotent, so send it again | no |
//! | a fan-out ([`MapExt`](map::MapExt)) stream or future | the items in flight are dropped (cancelled) and so is the input stream, which for a row stream stops its query | — |
//!
//! **Threads.** [`Athena`] is a cheap `Clone` (`Arc` inside) and `Send + Sync`.
//! [`RowStream`] and [`PageStream`] are `Send + Sync + Unpin + 'static`: move them into
//! a spawned task, poll them without pinning. The combinators ([`Typed`], [`MapOrdered`](map::MapOrdered),
//! [`MapUnordered`](map::MapUnordered), [`RunMap`](map::RunMap)) are `Send`, `Sync` and `Unpin` when the stream, the
//! function and its futures they hold are. These are checked at compile time.
//!
//! **Tracing.** With a `tracing` subscriber installed you get:
//!
//! | span | fields | inside it |
//! |---|---|---|
//! | `athena_query` (INFO), one per stream or `execute`, around its task | `query_execution_id`, recorded as soon as it is known | `query started`, `query finished` (INFO, with `state`); `query state` (DEBUG, each change, with `state` and `reason`); `page fetched` (DEBUG: `page`, `rows`, `latency_ms`); `retrying` (WARN: `operation`, `kind`, `code`, `message`, `delay`); `StopQueryExecution sent` (INFO) or `failed` (WARN) |
//! | `athena_map` (INFO), one per fan-out run, entered while it is polled | `method`, `max_concurrency`, `tolerated_failure_count`, `tolerated_failure_percentage`, `max_attempts` | `map run succeeded` (INFO) or `map run failed` (WARN), with `succeeded`, `failed`, `retried`, `max_in_flight`, `elapsed` |
//!
//! **Testing your service without AWS.** `athena-emulator` is a local Athena endpoint
//! (real SQL over real files, Athena's states, pages, errors and faults) that a test
//! starts in-process; point an `aws_sdk_athena::Client` at it and hand that client to
//! [`Athena::new`], as you would in production:
//!
//! ```
//! use athena_emulator::{Emulator, EngineConfig};
//! use athena_stream::Athena;
//! use aws_sdk_athena::config::{BehaviorVersion, Credentials, Region};
//! use futures::TryStreamExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = Emulator::builder()
//!     .with_engine_config(EngineConfig { cloudfront_rows: 100, ..EngineConfig::default() })
//!     .start()
//!     .await?;
//! let config = aws_sdk_athena::Config::builder()
//!     .behavior_version(BehaviorVersion::latest())
//!     .region(Region::new("us-east-1"))
//!     .credentials_provider(Credentials::new("test", "test", None, None, "test"))
//!     .endpoint_url(emulator.endpoint_url())
//!     .build();
//! let athena = Athena::new(aws_sdk_athena::Client::from_conf(config));
//!
//! let uris: Vec<String> = athena
//!     .query("SELECT uri FROM serverlessland_database.cf_access_logs LIMIT 3")
//!     .and_then(|row| async move { row.get::<String>("uri") })
//!     .try_collect()
//!     .await?;
//! assert_eq!(uris.len(), 3);
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! The emulator can also inject throttling, 500s, lost answers and latency, per
//! operation or at exactly the next calls (`Emulator::inject`), so a test can check
//! what your service does when Athena misbehaves.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]
#![warn(missing_debug_implementations, unreachable_pub, rust_2018_idioms)]

mod api;
#[cfg(feature = "arrow")]
pub mod arrow;
mod athena;
mod aws;
// The stream's rules, on the fake and on the emulator; the emulator's side reads result
// files through the S3 SDK, so the suite needs the default feature `s3`.
#[cfg(all(test, feature = "s3"))]
mod behaviour;
mod client;
#[cfg(feature = "arrow")]
mod columnar;
mod de;
#[cfg(feature = "distributed-map")]
pub mod distributed_map;
pub mod error;
pub mod execution;
#[cfg(test)]
mod fake;
pub mod map;
mod page;
pub mod progress;
mod query;
mod result_configuration;
mod result_file;
mod row;
mod s3;
mod settings;
mod stats;
mod stream;
#[cfg(feature = "unload")]
pub mod unload;
pub mod value;

pub use athena::{Athena, AthenaBuilder};
pub use de::{Typed, TypedExt};
pub use error::{Error, Result};
pub use execution::{QueryExecution, QueryState};
pub use page::{ResultPage, ResumeFrom};
pub use query::StartQueryExecution;
pub use row::Row;
pub use settings::{Backoff, JitterStrategy, ReadPath};
pub use stats::QueryStats;
pub use stream::pages::PageStream;
pub use stream::rows::RowStream;

// Compile-time facts users rely on: the handle, the builder, the streams, pages, rows
// and errors can cross threads, and the streams can be polled without pinning and
// outlive the handle that made them (they hold their own share of it).
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    const fn stream<T: Send + Sync + Unpin + 'static>() {}
    send_sync::<Athena>();
    send_sync::<AthenaBuilder>();
    send_sync::<ResultPage>();
    send_sync::<Row>();
    send_sync::<Error>();
    send_sync::<QueryExecution>();
    send_sync::<StartQueryExecution>();
    stream::<RowStream>();
    stream::<PageStream>();
};

// The same for UNLOAD: its values cross threads (a shard is meant to travel), one
// shard's rows and batches are streams like the others, and the rows and batches of
// several shards are `Send` and `Unpin` (not `Sync`: they fan in through a boxed
// stream).
#[cfg(feature = "unload")]
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    const fn stream<T: Send + Sync + Unpin + 'static>() {}
    const fn send_stream<T: Send + Unpin + 'static>() {}
    use unload::{Shard, ShardBatches, ShardRows, Unload, UnloadBatches, UnloadRows, Unloaded};
    send_sync::<Unload>();
    send_sync::<Unloaded>();
    send_sync::<Shard>();
    stream::<ShardRows>();
    stream::<ShardBatches>();
    send_stream::<UnloadRows>();
    send_stream::<UnloadBatches>();
};

// The same for batches.
#[cfg(feature = "arrow")]
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    const fn stream<T: Send + Sync + Unpin + 'static>() {}
    send_sync::<arrow::BatchOptions>();
    stream::<arrow::RecordBatchStream>();
};

/// The result file's parse on one core, for the measuring programs of the workspace's
/// `bench/` crate only (the `parse_csv` bench, `read_paths`' parse rate): not part of the
/// API, and free to change in any release. Small wrappers over private modules, so that
/// those programs compile none of the library's source themselves.
#[doc(hidden)]
pub mod __bench {
    use std::convert::Infallible;
    use std::sync::Arc;

    use crate::result_file::csv::{CsvParser, RowSink};
    use crate::result_file::rows::{RowBuilder, parse_into};
    use crate::result_file::split::RangeCut;
    use crate::row::ResultSetMetadata;

    /// What [`parse_csv`] hands each field and row end to: a bench's own sink.
    pub trait FieldSink {
        /// One field of the current row: `None` for NULL, `Some("")` for `""`.
        fn field(&mut self, value: Option<&str>);
        /// The end of the row whose fields were just given.
        fn end_row(&mut self);
    }

    struct Fields<'s, S>(&'s mut S);

    impl<S: FieldSink> RowSink for Fields<'_, S> {
        type Error = Infallible;

        fn field(&mut self, value: Option<&str>) -> Result<(), Infallible> {
            self.0.field(value);
            Ok(())
        }

        fn end_row(&mut self) -> Result<(), Infallible> {
            self.0.end_row();
            Ok(())
        }
    }

    /// Athena's CSV through the result file's push parser, fed in `chunk`-byte pieces,
    /// every field and row end to `sink`. With `finish` the input must end at a row
    /// end; without, it may stop inside a row (a sample cut at a size).
    ///
    /// # Errors
    /// The bytes are not Athena's CSV.
    pub fn parse_csv<S: FieldSink>(
        file: &[u8],
        chunk: usize,
        finish: bool,
        sink: &mut S,
    ) -> Result<(), String> {
        let mut parser = CsvParser::new();
        let mut sink = Fields(sink);
        for piece in file.chunks(chunk.max(1)) {
            parser.push(piece, &mut sink).map_err(|e| e.to_string())?;
        }
        if finish {
            parser.finish(&mut sink).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// The quote-parity cut of one range of a file, given whether an odd number of `"`
    /// come before it: its number of `"`, and whether a row ends in it.
    pub fn range_cut(range: &[u8], odd_quotes_before: bool) -> (u64, bool) {
        let cut = RangeCut::new(range, odd_quotes_before);
        (cut.quotes, cut.rows.is_some())
    }

    /// Parses a whole result file (its header row first), fed in `chunk`-byte pieces,
    /// into `Row`s as the file path does; returns how many.
    ///
    /// # Errors
    /// The file is not Athena's CSV for these columns.
    pub fn parse_rows(
        metadata: Arc<ResultSetMetadata>,
        file: &[u8],
        chunk: usize,
    ) -> Result<usize, String> {
        let sink = RowBuilder::new(metadata.clone());
        parse_into(&metadata, 0, file.chunks(chunk.max(1)), true, sink)
            .map(|sink| std::hint::black_box(sink.rows).len())
            .map_err(|_| "the file does not parse".to_owned())
    }

    /// [`parse_rows`] into Arrow batches, straight from the bytes, as the file path does
    /// with `into_batches`; returns them.
    ///
    /// # Errors
    /// The file is not Athena's CSV for these columns, or a value is not its type.
    #[cfg(feature = "arrow")]
    pub fn parse_batches(
        metadata: Arc<ResultSetMetadata>,
        file: &[u8],
        chunk: usize,
        options: &crate::arrow::BatchOptions,
    ) -> Result<Vec<arrow_array::RecordBatch>, String> {
        let plan =
            crate::columnar::BatchPlan::new(&metadata, options).map_err(|e| e.to_string())?;
        let pieces = file.chunks(chunk.max(1));
        crate::result_file::rows::parse_bytes_into_batches(
            &metadata, plan, options, 0, pieces, true,
        )
        .map(|batches| batches.into_iter().map(|b| b.batch).collect())
        .map_err(|e| match e {
            crate::result_file::rows::SliceError::File(e) => e.message,
            crate::result_file::rows::SliceError::Sink(e) => e.message,
        })
    }
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
