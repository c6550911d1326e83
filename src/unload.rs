//! UNLOAD, and reading the files it writes (feature `unload`).
//!
//! [`Athena::unload`] runs `UNLOAD (SELECT ...) TO 's3://...' WITH (format = ...)`
//! through [`Athena::execute`], reads the data manifest Athena writes beside the
//! result (`Statistics.DataManifestLocation`, one `s3://` URI a line), and returns the
//! files as [`Shard`]s with their columns. A shard is plain, serialisable data: read it
//! here with [`Athena::read_shard`], read all of them at once with
//! [`Unloaded::rows`], or hand each to a worker on another machine.
//!
//! ```no_run
//! use athena_stream::{Athena, Map, StartQueryExecution, Unload};
//! use futures::TryStreamExt;
//!
//! # async fn run() -> athena_stream::Result<()> {
//! let athena = Athena::from_env().await; // with an S3 client, which UNLOAD needs
//! let unloaded = athena
//!     .unload(
//!         Unload::new(
//!             StartQueryExecution::new("SELECT uri, status, bytes FROM cf_access_logs")
//!                 .with_database("serverlessland_database"),
//!         )
//!         .with_to("s3://my-bucket/unload/run-1/"),
//!     )
//!     .await?;
//! println!("{} files, columns {:?}", unloaded.shards.len(), unloaded.columns());
//!
//! // Four files read at once; rows of different files interleave.
//! let mut rows = unloaded.rows(&athena, Map::new(4));
//! while let Some(row) = rows.try_next().await? {
//!     println!("{:?} {:?}", row.get_str("uri")?, row.get::<Option<i64>>("bytes")?);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # The same rows as the other read paths
//!
//! A row read from a shard is the row `GetQueryResults` or the result file would give
//! for the same values: each value is read from Arrow into a [`Value`](crate::value::Value)
//! and written as Athena's text by [`Value::to_athena_text`](crate::value::Value::to_athena_text),
//! NULL stays `None` and `""` stays `Some("")`, and [`Row::get`](crate::Row::get),
//! [`Row::deserialize`](crate::Row::deserialize) and [`Row::to_typed_json`](crate::Row::to_typed_json)
//! work as on any row. What the file cannot carry differs (see below): Athena writes
//! `tinyint` and `smallint` as plain 32-bit integers, `char(n)` without its padding,
//! and timestamps in Hive's INT96, which Athena reads back at precision 3.
//!
//! # Athena types from Parquet
//!
//! Each column's Athena type is derived from the file's schema as the `parquet` crate
//! reads it into Arrow, and `ColumnInfo.Type` holds the whole signature, element types
//! included (`array(integer)`, where `GetQueryResults` says only `array`):
//!
//! | Arrow | Athena type |
//! |---|---|
//! | `Boolean` | `boolean` |
//! | `Int8`, `Int16`, `Int32`, `Int64` | `tinyint`, `smallint`, `integer`, `bigint` |
//! | `UInt8`, `UInt16`, `UInt32`, `UInt64` | `smallint`, `integer`, `bigint`, `decimal(20,0)` |
//! | `Float16`, `Float32`, `Float64` | `real`, `real`, `double` |
//! | `Decimal32/64/128/256(p, s)` | `decimal(p,s)` |
//! | `Utf8`, `LargeUtf8`, `Utf8View` | `varchar` |
//! | `Binary`, `LargeBinary`, `BinaryView`, `FixedSizeBinary` | `varbinary` |
//! | `Date32`, `Date64` | `date` |
//! | `Time32`/`Time64` in s, ms, µs, ns | `time(0)`, `time(3)`, `time(6)`, `time(9)` |
//! | `Timestamp` in s, ms, µs, ns | `timestamp(0)`, `timestamp(3)`, `timestamp(6)`, `timestamp(9)` |
//! | `Timestamp` from a Parquet INT96 (how Athena writes them) | `timestamp(3)`, rounded half up |
//! | `Timestamp` with a time zone | `timestamp(p) with time zone` |
//! | `List`, `LargeList`, `FixedSizeList` of `T` | `array(T)` |
//! | `Map` of `K` to `V` | `map(K, V)` |
//! | `Struct` of `a: A, b: B` | `row(a A, b B)` |
//! | `Null` | `unknown` |
//!
//! A column of any other type (intervals, durations, unions) is an [`Error::Unload`]
//! naming it.
//!
//! # Formats
//!
//! UNLOAD writes Parquet, ORC, Avro, JSON and TEXTFILE. This crate reads **Parquet**
//! only: it is UNLOAD's own default here, it carries its column types, and the Step
//! Functions Distributed Map reads it from the same manifest. A JSON or TEXTFILE file
//! would need its column types from elsewhere to give the same typed rows (Hive's text
//! forms say nothing of them); reading a shard of another format is an
//! [`Error::Unload`] that says so. The files can still be written, listed and handed
//! to other tools.
//!
//! Not offered: `partitioned_by` (the partition columns would be in the files' paths,
//! not in the files, and the rows would lack them).

mod manifest;
mod reader;
mod schema;
mod shard;
mod statement;
mod values;

#[cfg(test)]
mod tests;

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use futures::stream::{BoxStream, FusedStream, StreamExt};

use crate::athena::Athena;
use crate::error::{Error, Operation, Result};
use crate::execution::QueryExecution;
use crate::map::Map;
use crate::row::{ResultSetMetadata, Row};
use crate::stats::Stats;

pub use shard::{Shard, ShardColumn, ShardRows};
pub use statement::{Unload, UnloadCompression, UnloadFormat};

use shard::{AbortOnDrop, columns_of, no_s3_client, task_error, unload_error};

/// A finished UNLOAD: its query, its data manifest and the files the manifest lists.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Unloaded {
    /// The UNLOAD's query execution, as it finished.
    pub query_execution: QueryExecution,
    /// The data manifest, `s3://bucket/key`.
    pub manifest_location: String,
    /// The files, in the manifest's order (which is no order of the rows: Athena writes
    /// the files in parallel). Empty when the SELECT gave no row.
    pub shards: Vec<Shard>,
}

impl Unloaded {
    /// The columns of the files, with their Athena types (from the first file's
    /// footer); empty when there are no files or the format is not Parquet.
    pub fn columns(&self) -> &[ShardColumn] {
        self.shards.first().map_or(&[], |s| &s.columns)
    }

    /// The columns as rows carry them ([`Shard::metadata`]).
    pub fn metadata(&self) -> ResultSetMetadata {
        self.shards
            .first()
            .map_or_else(|| ResultSetMetadata::new(Vec::new()), Shard::metadata)
    }

    /// The rows of every file, several files at once: see [`Athena::read_shards`].
    pub fn rows(&self, athena: &Athena, map: Map) -> UnloadRows {
        athena.read_shards(self.shards.clone(), map)
    }
}

impl Athena {
    /// Runs an UNLOAD and lists the files it wrote.
    ///
    /// The statement runs through [`execute`](Self::execute) (so the handle's polling,
    /// timeout and retries apply, and dropping the future stops it). Then the data
    /// manifest is read from `Statistics.DataManifestLocation`, or from
    /// `<QueryExecutionId>-manifest.csv` beside the query's output location when Athena
    /// gave none; and the columns are read from the first file's footer (one
    /// `HeadObject` and one ranged `GetObject`).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an [`Unload`] that cannot be written, or a handle
    /// without an S3 client; the errors of [`execute`](Self::execute) (Athena refuses
    /// a `TO` location that holds files with a failed query); [`Error::Unload`] for a
    /// manifest or first file that cannot be read, naming it.
    pub async fn unload(&self, unload: Unload) -> Result<Unloaded> {
        let core = self.core().clone();
        let s3 = core.s3.clone().ok_or_else(no_s3_client)?;
        let query = unload.to_query()?;
        let execution = self.execute(query).await?;
        let manifest = manifest::location(&execution).map_err(|message| {
            Error::invalid_response(
                Operation::GetQueryExecution,
                format!("UNLOAD {}: {message}", execution.query_execution_id),
            )
        })?;
        let uri = manifest.to_string();
        let stats = Stats::default();
        let bytes = core
            .call(&stats, Operation::GetObject, || {
                s3.get_object(&manifest, &stats)
            })
            .await
            .map_err(|e| {
                let message = match &e {
                    Error::Api {
                        code: Some(code), ..
                    } if matches!(code.as_str(), "NoSuchKey" | "NotFound" | "404") => {
                        format!("the data manifest does not exist (GetObject answered {code})")
                    }
                    _ => format!("the data manifest cannot be read: {e}"),
                };
                unload_error(&uri, message, Some(e))
            })?;
        let files = manifest::parse(&bytes).map_err(|message| unload_error(&uri, message, None))?;
        let format = unload.format();
        let columns = match files.first() {
            Some(first) if format == UnloadFormat::Parquet => {
                // In a task of its own, as every read of a file: a Parquet reader that
                // panics on a malformed footer fails this call, not the caller's task.
                let first = Shard::new(first.clone(), format);
                let uri = first.uri.clone();
                let core = core.clone();
                let mut task = AbortOnDrop(tokio::spawn(async move {
                    shard::open(&core, &first)
                        .await
                        .map(|o| columns_of(&o.plans))
                }));
                (&mut task.0).await.map_err(|e| task_error(&uri, e))??
            }
            _ => Vec::new(),
        };
        let shards = files
            .into_iter()
            .map(|uri| {
                let mut shard = Shard::new(uri, format);
                shard.columns.clone_from(&columns);
                shard
            })
            .collect();
        Ok(Unloaded {
            query_execution: execution,
            manifest_location: uri,
            shards,
        })
    }

    /// The rows of one shard, in file order, read through this handle's S3 client
    /// (its retry policy, `chunk_size` and `chunks_in_flight` apply). See
    /// [`ShardRows`].
    ///
    /// Errors come as the stream's items, once, then it ends: [`Error::InvalidConfig`]
    /// without an S3 client, [`Error::Unload`] naming the file for everything else (not
    /// Parquet, missing, other columns than the shard lists, changed while read, an S3
    /// call that failed beyond its retries).
    pub fn read_shard(&self, shard: &Shard) -> ShardRows {
        ShardRows::new(self.core().clone(), shard.clone())
    }

    /// The rows of several shards, at most `map.max_concurrency()` files read at once
    /// (`0`: all of them), like a Step Functions Map over the files with
    /// `MaxConcurrency`. Rows of one file come in its order; rows of different files
    /// interleave, in no defined order (as UNLOAD's own files have none).
    ///
    /// Fail fast, the Map's default: the first error ends the stream, and the other
    /// files' reads are stopped. A shard cannot be retried or tolerated as a Map item
    /// can (its rows may be partly read), so a `Map` with a tolerated failure count or
    /// percentage is refused with [`Error::InvalidConfig`] as the stream's one item;
    /// tolerate failures in the fan-out over the rows instead.
    ///
    /// ```no_run
    /// use athena_stream::{Athena, Map, MapExt, Row, Shard, UnloadFormat};
    ///
    /// # async fn run(athena: Athena, uris: Vec<String>) -> athena_stream::Result<()> {
    /// let shards = uris.into_iter().map(|uri| Shard::new(uri, UnloadFormat::Parquet));
    /// let report = athena
    ///     .read_shards(shards, Map::new(4))
    ///     .run_map(Map::new(32), |row: Row| async move {
    ///         // call a service, write to a database, ...
    ///         Ok::<_, athena_stream::Error>(row.len())
    ///     })
    ///     .await?;
    /// println!("{} rows", report.succeeded);
    /// # Ok(())
    /// # }
    /// ```
    pub fn read_shards(&self, shards: impl IntoIterator<Item = Shard>, map: Map) -> UnloadRows {
        let refused = if map.tolerated_failure_count().is_some()
            || map.tolerated_failure_percentage().is_some()
        {
            Some(Error::invalid_config(
                "reading shards fails fast: a shard cannot be tolerated as a failed item \
                 (its rows may be partly read); set the tolerance on the fan-out over the rows",
            ))
        } else {
            None
        };
        if let Some(error) = refused {
            return UnloadRows {
                inner: Some(futures::stream::once(async move { Err(error) }).boxed()),
            };
        }
        let limit = (map.max_concurrency() > 0).then_some(map.max_concurrency());
        let core = self.core().clone();
        let shards: Vec<Shard> = shards.into_iter().collect();
        let inner = futures::stream::iter(shards)
            .map(move |shard| ShardRows::new(core.clone(), shard))
            .flatten_unordered(limit)
            .boxed();
        UnloadRows { inner: Some(inner) }
    }
}

/// The rows of several shards, read at once: see [`Athena::read_shards`].
///
/// A `futures::Stream` of `Result<Row>`; `Send` and `Unpin`. Dropping it stops every
/// file's read.
#[must_use = "streams do nothing unless polled"]
pub struct UnloadRows {
    /// `None` once ended: by its last row, or by the error that ended it.
    inner: Option<BoxStream<'static, Result<Row>>>,
}

impl Stream for UnloadRows {
    type Item = Result<Row>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let item = std::task::ready!(inner.poll_next_unpin(cx));
        if !matches!(item, Some(Ok(_))) {
            // The end, or an error: fail fast, stopping the other files' reads now.
            self.inner = None;
        }
        Poll::Ready(item)
    }
}

impl FusedStream for UnloadRows {
    fn is_terminated(&self) -> bool {
        self.inner.is_none()
    }
}

impl fmt::Debug for UnloadRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnloadRows")
            .field("ended", &self.inner.is_none())
            .finish()
    }
}
