//! UNLOAD, and reading the files it writes (feature `unload`).
//!
//! [`Athena::unload`] runs `UNLOAD (SELECT ...) TO 's3://...' WITH (format = ...)`
//! through [`Athena::execute`], reads the data manifest Athena writes beside the
//! result (`Statistics.DataManifestLocation`, one `s3://` URI a line), and returns the
//! files as [`Shard`]s with their columns. A shard is plain, serialisable data: read it
//! here with [`Athena::read_shard`], read all of them at once with
//! [`Unloaded::rows`], read them as Arrow batches ([`Unloaded::batches`], see
//! [Batches](#batches)), or hand each to a worker on another machine.
//!
//! ```no_run
//! use athena_stream::{Athena, StartQueryExecution, map::MapSettings, unload::Unload};
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
//! let mut rows = unloaded.rows(&athena, MapSettings::new(4));
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
//! # Batches
//!
//! The same files as Arrow [`RecordBatch`]es, for code that
//! works on columns: [`Athena::read_shard_batches`] (one shard, a [`ShardBatches`]),
//! [`Athena::read_shards_batches`] and [`Unloaded::batches`] (several files at once, an
//! [`UnloadBatches`], failing fast as the rows do). They read the files as the rows
//! do, with the same requests, retries, ETag pinning and errors, but a batch is the
//! Parquet reader's own arrays: no value is written as text and read back.
//!
//! ```no_run
//! use athena_stream::arrow::BatchOptions;
//! use athena_stream::{Athena, map::MapSettings, unload::Unload};
//! use futures::TryStreamExt;
//!
//! # async fn run(athena: Athena) -> athena_stream::Result<()> {
//! let unloaded = athena
//!     .unload(Unload::new("SELECT uri, status, bytes FROM cf_access_logs").with_to("s3://my-bucket/unload/run-2/"))
//!     .await?;
//! // Four files at once, at most 65,536 rows a batch; batches of different files
//! // interleave, each file's in its order.
//! let options = BatchOptions::new().with_rows(65_536);
//! let mut batches = unloaded.batches(&athena, MapSettings::new(4), &options);
//! let mut rows = 0;
//! while let Some(batch) = batches.try_next().await? {
//!     rows += batch.num_rows(); // columns uri, status, bytes: Utf8, Int32, Int64
//! }
//! println!("{rows} rows");
//! # Ok(())
//! # }
//! ```
//!
//! A batch has the shard's columns, in its order, named as Athena names them, and at
//! most [`BatchOptions::rows`](crate::arrow::BatchOptions::rows) rows (the reader's
//! batch size; a batch never spans two row groups). Its types are those
//! [`crate::arrow`] gives the column's Athena type, which for Athena's own files are
//! the types Parquet already decodes, handed on as they are:
//!
//! | Column | Arrow type |
//! |---|---|
//! | `boolean` | `Boolean` |
//! | `tinyint`, `smallint`, `integer`, `bigint` | `Int8`, `Int16`, `Int32`, `Int64` (Athena writes the first three as `integer`) |
//! | `real`, `double` | `Float32`, `Float64` |
//! | `decimal(p,s)` | `Decimal128(p, s)`, every digit |
//! | `varchar` (and `char`) | `Utf8`, NULL apart from `""` |
//! | `varbinary` | `Binary` |
//! | `date` | `Date32` |
//! | `timestamp(p)` | `Timestamp` in the unit of `p` (0 s, 3 ms, 6 µs, 9 ns), no zone |
//! | `array(T)`, `map(K, V)`, `row(...)` | `List`, `Map`, `Struct` of those types, with the file's field names (`element`; `key_value` of `key`, `value`) |
//!
//! Where the file's type is not that one, it is converted exactly, or the read fails
//! with an [`Error::Unload`] naming the file, the column and the row (counted from 0 in
//! the file), never with a rounded or wrapped value:
//!
//! - Athena's INT96 timestamps are `timestamp(3)` (as Athena reads them), so
//!   milliseconds; a value with digits below the millisecond fails the batches (the
//!   rows round it half up, as Athena does). Athena's own files should hold none:
//!   its tables' timestamps have precision 3, and Trino's Hive writer rounds to it
//!   before it writes (docs/athena.md, "UNLOAD and data manifests"; not measured).
//! - Files from other writers: unsigned integers widen to the next signed type
//!   (`UInt64` to `Decimal128(20, 0)`), `Float16` to `Float32`, `Decimal32`/`64`/`256`
//!   to `Decimal128` (a 256-bit value beyond 128 bits fails), `LargeUtf8`/`Utf8View` to
//!   `Utf8` and the other binaries to `Binary` (more than 2 GiB in a batch fails: ask
//!   for fewer rows), `Date64` to `Date32` (a value that is not a whole day fails),
//!   `LargeList`/`FixedSizeList` to `List`, a dictionary to its values.
//! - Kept as the file has them, where the mapping would hold less: `decimal` of more
//!   than 38 digits (`Decimal256`), `timestamp(p) with time zone` (a `Timestamp` with
//!   its zone, where the mapping has only Athena's text), `time(p)` (`Time32`/`Time64`)
//!   and `unknown` (`Null`). Athena's UNLOAD writes none of these.
//!
//! [`BatchOptions::bytes`](crate::arrow::BatchOptions::bytes) does not apply (the
//! reader decodes a number of rows at a time), and a column type given with
//! [`BatchOptions::with_column_type`](crate::arrow::BatchOptions::with_column_type)
//! must be the file's ([`Error::InvalidConfig`] else):
//! the file carries its types.
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

/// `Stream`, `FusedStream` and `Debug` for one of this module's public streams, which
/// hands on the items of its field `inner` (a [`task::FileTask`] or a `FailFast`, each
/// with `poll_next(&mut self, cx)`, `is_terminated(&self)` and `Debug` of its own).
macro_rules! stream_of_inner {
    ($stream:ident, $item:ty) => {
        impl ::std::fmt::Debug for $stream {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($stream))
                    .field("inner", &self.inner)
                    .finish()
            }
        }

        impl ::futures::Stream for $stream {
            type Item = $crate::error::Result<$item>;

            fn poll_next(
                mut self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<Option<Self::Item>> {
                self.inner.poll_next(cx)
            }
        }

        impl ::futures::stream::FusedStream for $stream {
            fn is_terminated(&self) -> bool {
                self.inner.is_terminated()
            }
        }
    };
}

mod batches;
mod convert;
mod manifest;
mod reader;
mod schema;
mod shard;
mod statement;
mod task;
mod values;

#[cfg(test)]
mod tests;

/// The text of every value of an Arrow array, as the rows write it: what tests compare
/// a batch's values with a row's by.
#[cfg(test)]
pub(crate) use values::column_texts;

use std::fmt;
use std::task::{Context, Poll};

use arrow_array::RecordBatch;
use futures::Stream;
use futures::stream::{BoxStream, StreamExt};

use crate::athena::Athena;
use crate::columnar::BatchOptions;
use crate::error::{Error, Operation, Result};
use crate::execution::QueryExecution;
use crate::map::MapSettings;
use crate::result_file::open::expected_bucket_owner;
use crate::row::{ResultSetMetadata, Row};
use crate::stats::Stats;

pub use batches::ShardBatches;
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
    pub fn rows(&self, athena: &Athena, map: MapSettings) -> UnloadRows {
        athena.read_shards(self.shards.clone(), map)
    }

    /// The rows of every file as Arrow batches, several files at once: see
    /// [`Athena::read_shards_batches`].
    pub fn batches(
        &self,
        athena: &Athena,
        map: MapSettings,
        options: &BatchOptions,
    ) -> UnloadBatches {
        athena.read_shards_batches(self.shards.clone(), map, options)
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
        let owner = expected_bucket_owner(&core, &execution).map(str::to_owned);
        let manifest = manifest::location(&execution)
            .map_err(|message| {
                Error::invalid_response(
                    Operation::GetQueryExecution,
                    format!("UNLOAD {}: {message}", execution.query_execution_id),
                )
            })?
            .owned_by(owner.as_deref());
        let uri = manifest.to_string();
        let stats = Stats::default();
        let bytes = core
            .call(&stats, Operation::GetObject, || {
                s3.get_object(&manifest, &stats)
            })
            .await
            .map_err(|e| manifest.owner_checked(e))
            .map_err(|e| {
                if let Error::BucketOwnerMismatch { .. } = e {
                    return e;
                }
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
                let mut first = Shard::new(first.clone(), format);
                first.expected_bucket_owner.clone_from(&owner);
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
                shard.expected_bucket_owner.clone_from(&owner);
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
    /// can (its rows may be partly read), so a `MapSettings` with a tolerated failure count or
    /// percentage is refused with [`Error::InvalidConfig`] as the stream's one item;
    /// tolerate failures in the fan-out over the rows instead.
    ///
    /// ```no_run
    /// use athena_stream::{Athena, Row, map::{MapSettings, MapExt}, unload::{Shard, UnloadFormat}};
    ///
    /// # async fn run(athena: Athena, uris: Vec<String>) -> athena_stream::Result<()> {
    /// let shards = uris.into_iter().map(|uri| Shard::new(uri, UnloadFormat::Parquet));
    /// let report = athena
    ///     .read_shards(shards, MapSettings::new(4))
    ///     .run_map(MapSettings::new(32), |row: Row| async move {
    ///         // call a service, write to a database, ...
    ///         Ok::<_, athena_stream::Error>(row.len())
    ///     })
    ///     .await?;
    /// println!("{} rows", report.succeeded);
    /// # Ok(())
    /// # }
    /// ```
    pub fn read_shards(
        &self,
        shards: impl IntoIterator<Item = Shard>,
        map: MapSettings,
    ) -> UnloadRows {
        let core = self.core().clone();
        UnloadRows {
            inner: FailFast::new(shards, &map, move |shard| {
                ShardRows::new(core.clone(), shard)
            }),
        }
    }

    /// The rows of one shard as Arrow batches, in file order, read as
    /// [`read_shard`](Self::read_shard) reads them, with the same errors; no value goes
    /// through text. See [`ShardBatches`] and the [module docs](crate::unload#batches)
    /// for the types.
    ///
    /// `options`: [`BatchOptions::rows`] is the most rows a batch holds (the Parquet
    /// reader's batch size). [`BatchOptions::bytes`] does not apply: the reader decodes
    /// a number of rows at a time, and a batch is what it decoded. A column type given
    /// with [`BatchOptions::with_column_type`] must be the file's (the file carries its
    /// types): another is an [`Error::InvalidConfig`] as the stream's item.
    ///
    /// ```no_run
    /// use athena_stream::arrow::BatchOptions;
    /// use athena_stream::{Athena, unload::{Shard, UnloadFormat}};
    /// use futures::TryStreamExt;
    ///
    /// # async fn run(athena: Athena) -> athena_stream::Result<()> {
    /// let shard = Shard::new("s3://my-bucket/unload/run-1/20240102_0001_abc", UnloadFormat::Parquet);
    /// let mut batches = athena.read_shard_batches(&shard, &BatchOptions::new().with_rows(65_536));
    /// while let Some(batch) = batches.try_next().await? {
    ///     println!("{} rows of {:?}", batch.num_rows(), batch.schema());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn read_shard_batches(&self, shard: &Shard, options: &BatchOptions) -> ShardBatches {
        ShardBatches::new(self.core().clone(), shard.clone(), options)
    }

    /// The rows of several shards as Arrow batches, at most `map.max_concurrency()`
    /// files read at once (`0`: all of them), as [`read_shards`](Self::read_shards)
    /// reads rows, failing fast the same way (and refusing a `MapSettings` with a tolerance the
    /// same way). Each batch is one file's ([`read_shard_batches`](Self::read_shard_batches)):
    /// the batches of one file come in its order; batches of different files
    /// interleave, in no defined order (as UNLOAD's own files have none); with
    /// `MapSettings::new(1)`, file after file, in the order given. Every file of an UNLOAD has
    /// the same columns, so its batches share one schema.
    pub fn read_shards_batches(
        &self,
        shards: impl IntoIterator<Item = Shard>,
        map: MapSettings,
        options: &BatchOptions,
    ) -> UnloadBatches {
        let (core, options) = (self.core().clone(), options.clone());
        UnloadBatches {
            inner: FailFast::new(shards, &map, move |shard| {
                ShardBatches::new(core.clone(), shard, &options)
            }),
        }
    }
}

/// The items of several shards' streams, at most a `MapSettings`'s concurrency of them read
/// at once, ending at the first error: what [`UnloadRows`] and [`UnloadBatches`] are.
struct FailFast<T> {
    /// `None` once ended: by its last item, or by the error that ended it.
    inner: Option<BoxStream<'static, Result<T>>>,
}

impl<T> fmt::Debug for FailFast<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FailFast")
            .field("ended", &self.inner.is_none())
            .finish()
    }
}

impl<T: Send + 'static> FailFast<T> {
    fn new<S>(
        shards: impl IntoIterator<Item = Shard>,
        map: &MapSettings,
        read: impl Fn(Shard) -> S + Send + 'static,
    ) -> Self
    where
        S: Stream<Item = Result<T>> + Send + Unpin + 'static,
    {
        if map.tolerated_failure_count().is_some() || map.tolerated_failure_percentage().is_some() {
            let error = Error::invalid_config(
                "reading shards fails fast: a shard cannot be tolerated as a failed item \
                 (its rows may be partly read); set the tolerance on the fan-out over the rows",
            );
            return FailFast {
                inner: Some(futures::stream::once(async move { Err(error) }).boxed()),
            };
        }
        let limit = (map.max_concurrency() > 0).then_some(map.max_concurrency());
        let shards: Vec<Shard> = shards.into_iter().collect();
        let inner = futures::stream::iter(shards)
            .map(read)
            .flatten_unordered(limit)
            .boxed();
        FailFast { inner: Some(inner) }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
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

    fn is_terminated(&self) -> bool {
        self.inner.is_none()
    }
}

/// The rows of several shards, read at once: see [`Athena::read_shards`].
///
/// A `futures::Stream` of `Result<Row>`; `Send` and `Unpin`. Dropping it stops every
/// file's read.
#[must_use = "streams do nothing unless polled"]
pub struct UnloadRows {
    inner: FailFast<Row>,
}

stream_of_inner!(UnloadRows, Row);

/// The rows of several shards as Arrow batches, read at once: see
/// [`Athena::read_shards_batches`].
///
/// A `futures::Stream` of `Result<RecordBatch>`; `Send` and `Unpin`. Dropping it stops
/// every file's read.
#[must_use = "streams do nothing unless polled"]
pub struct UnloadBatches {
    inner: FailFast<RecordBatch>,
}

stream_of_inner!(UnloadBatches, RecordBatch);
