//! One file of an UNLOAD, as a value any process can hold ([`Shard`]), and its rows
//! ([`ShardRows`]).

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use arrow_array::RecordBatch;
use arrow_schema::{DataType, FieldRef, Fields, Schema, SchemaRef, TimeUnit};
use futures::Stream;
use futures::stream::FusedStream;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use parquet::arrow::async_reader::ParquetRecordBatchStreamBuilder;
use parquet::basic::Type as PhysicalType;
use parquet::errors::ParquetError;
use serde::{Deserialize, Serialize};
use tokio::task::JoinError;

use super::reader::S3File;
use super::schema::{ColumnPlan, column_info, plan_columns};
use super::statement::UnloadFormat;
use super::task::{Decode, Decoder, FileTask};
use super::values::column_texts;
use crate::client::ClientCore;
use crate::error::{Error, Operation, Result};
use crate::row::{ResultSetMetadata, Row};
use crate::s3::ObjectLocation;
pub(crate) use crate::s3::ranges::AbortOnDrop;
use crate::s3::ranges::Shared;
use crate::stats::Stats;

/// One data file of an UNLOAD: where it is, its format, and its columns.
///
/// A shard is plain data (`Serialize`, `Deserialize`, `Clone`): hand it to another
/// task, process or machine, and read it there with [`Athena::read_shard`] on any
/// handle with an S3 client that may `GetObject` it. Its rows are the rows
/// `GetQueryResults` would give for the same values: the same text, NULL as `None`.
///
/// ```
/// use athena_stream::unload::{Shard, UnloadFormat};
///
/// let shard: Shard = serde_json::from_str(
///     r#"{"uri": "s3://my-bucket/unload/run-1/20240102_0001_abc", "format": "PARQUET",
///         "columns": [{"name": "uri", "type": "varchar"}, {"name": "bytes", "type": "bigint"}]}"#,
/// )?;
/// assert_eq!(shard.format, UnloadFormat::Parquet);
/// assert_eq!(shard.metadata().columns()[1].r#type, "bigint");
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// [`Athena::read_shard`]: crate::Athena::read_shard
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Shard {
    /// The file, `s3://bucket/key`, as the data manifest lists it.
    pub uri: String,
    /// Its format.
    pub format: UnloadFormat,
    /// Its columns, in order, with their Athena types (see [`ShardColumn`]); empty when
    /// not known (a format this crate does not read, or a shard made with
    /// [`Shard::new`]). When not empty, reading checks that the file has these columns.
    #[serde(default)]
    pub columns: Vec<ShardColumn>,
    /// The account id that must own the file's bucket, sent as
    /// `x-amz-expected-bucket-owner` with every request for it (unless the handle that
    /// reads it has its own,
    /// [`AthenaBuilder::with_expected_bucket_owner`](crate::AthenaBuilder::with_expected_bucket_owner)).
    /// [`Athena::unload`](crate::Athena::unload) sets it from the query's `ExpectedBucketOwner` or the handle's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_bucket_owner: Option<String>,
}

/// A column of a [`Shard`]: its name and its Athena type signature, derived from the
/// file's Parquet schema (`integer`, `decimal(38,0)`, `timestamp(3)`,
/// `array(row(id integer, name varchar))`; the mapping is in the [module
/// docs](crate::unload#athena-types-from-parquet)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ShardColumn {
    /// The column name.
    pub name: String,
    /// The Athena type signature.
    pub r#type: String,
}

impl Shard {
    /// A shard of the file at `uri` (`s3://bucket/key`), its columns to be read from
    /// the file itself: for a URI from elsewhere, such as a line of a data manifest.
    pub fn new(uri: impl Into<String>, format: UnloadFormat) -> Self {
        Shard {
            uri: uri.into(),
            format,
            columns: Vec::new(),
            expected_bucket_owner: None,
        }
    }

    /// The columns as the rows of this shard carry them: `ColumnInfo.Type` is the whole
    /// signature, `Precision` and `Scale` are those Athena reports for the type.
    pub fn metadata(&self) -> ResultSetMetadata {
        ResultSetMetadata::new(
            self.columns
                .iter()
                .map(|c| column_info(&c.name, &c.r#type))
                .collect(),
        )
    }
}

impl ShardColumn {
    /// A column of this name and Athena type signature.
    pub fn new(name: impl Into<String>, r#type: impl Into<String>) -> Self {
        ShardColumn {
            name: name.into(),
            r#type: r#type.into(),
        }
    }
}

/// Rows the Parquet reader decodes at once, handed from a shard's task to its stream
/// together.
const BATCH_ROWS: usize = 1024;

/// The rows of one shard, in file order: a `futures::Stream` of `Result<Row>`; `Send`,
/// `Sync` and `Unpin`.
///
/// Nothing happens until the first poll; then a task (so poll it in a Tokio runtime)
/// reads the file: `HeadObject` for its size and ETag, the footer, then each row
/// group's column chunks in ranged GETs, and decodes them into rows while the stream's
/// consumer works on the rows before. `Row::row_number` counts from 0 in each file.
/// Dropping the stream stops the task and its requests.
///
/// Made by [`Athena::read_shard`](crate::Athena::read_shard).
#[must_use = "streams do nothing unless polled"]
pub struct ShardRows {
    task: FileTask<Vec<Row>>,
    rows: std::vec::IntoIter<Row>,
}

impl ShardRows {
    pub(crate) fn new(core: Arc<ClientCore>, shard: Shard) -> Self {
        ShardRows {
            task: FileTask::new(core, shard, RowsOf),
            rows: Vec::new().into_iter(),
        }
    }
}

impl Stream for ShardRows {
    type Item = Result<Row>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(row) = self.rows.next() {
                return Poll::Ready(Some(Ok(row)));
            }
            match ready!(self.task.poll_next(cx)) {
                Some(Ok(rows)) => self.rows = rows.into_iter(),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }
}

impl FusedStream for ShardRows {
    fn is_terminated(&self) -> bool {
        self.rows.len() == 0 && self.task.is_terminated()
    }
}

impl fmt::Debug for ShardRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShardRows")
            .field("task", &self.task)
            .field("rows_ready", &self.rows.len())
            .finish()
    }
}

/// Decoded batches made into rows, numbered from 0 in the file.
struct RowsOf;

impl Decode for RowsOf {
    type Item = Vec<Row>;

    fn batch_rows(&self) -> usize {
        BATCH_ROWS
    }

    fn start(
        self,
        shard: &Shard,
        plans: &[ColumnPlan],
        _decoded: &SchemaRef,
    ) -> Result<Decoder<Vec<Row>>> {
        let metadata = Arc::new(ResultSetMetadata::new(
            plans
                .iter()
                .map(|p| column_info(&p.name, &p.signature))
                .collect(),
        ));
        let (uri, plans) = (shard.uri.clone(), plans.to_vec());
        Ok(Box::new(move |batch, first_row| {
            rows_of(&batch, &plans, &metadata, first_row)
                .map_err(|message| unload_error(&uri, message, None))
        }))
    }
}

/// A file opened for reading: its footer read, its columns planned.
pub(crate) struct Opened {
    pub(crate) builder: ParquetRecordBatchStreamBuilder<S3File>,
    pub(crate) plans: Vec<ColumnPlan>,
}

/// Opens a shard's file: checks what can be checked without I/O, asks `HeadObject`
/// for its size and ETag, reads its footer and derives its columns.
///
/// # Errors
/// [`Error::InvalidConfig`] without an S3 client; [`Error::Unload`] naming the file for
/// everything else: a format other than Parquet, not an `s3://` URI, no such file, a
/// file that is not Parquet, a column without an Athena type, an S3 call that failed
/// beyond its retries.
pub(crate) async fn open(core: &ClientCore, shard: &Shard) -> Result<Opened> {
    let uri = shard.uri.as_str();
    if shard.format != UnloadFormat::Parquet {
        return Err(unload_error(
            uri,
            format!(
                "this crate reads the Parquet files of an UNLOAD only, not {}: a {} file \
                 does not carry its column types, which the rows need",
                shard.format, shard.format
            ),
            None,
        ));
    }
    let owner = core
        .settings
        .expected_bucket_owner
        .as_deref()
        .or(shard.expected_bucket_owner.as_deref());
    let Some(location) = ObjectLocation::parse(uri).map(|l| l.owned_by(owner)) else {
        return Err(unload_error(
            uri,
            "not an s3://bucket/key URI".to_owned(),
            None,
        ));
    };
    let s3 = core.s3.clone().ok_or_else(no_s3_client)?;
    let stats = Arc::new(Stats::default());
    let info = core
        .call(&stats, Operation::HeadObject, || {
            s3.head_object(&location, &stats)
        })
        .await
        .map_err(|e| {
            let e = location.owner_checked(e);
            match &e {
                // Said as it is, as on the other read paths.
                Error::BucketOwnerMismatch { .. } => e,
                Error::Api {
                    code: Some(code), ..
                } if is_not_found(code) => unload_error(
                    uri,
                    format!("the file does not exist (HeadObject answered {code})"),
                    Some(e),
                ),
                _ => unload_error(uri, format!("HeadObject failed: {e}"), Some(e)),
            }
        })?;
    if info.client_side_encrypted {
        return Err(unload_error(
            uri,
            "the file is encrypted on the client side (CSE_KMS), which only the S3 \
             Encryption Client reads"
                .to_owned(),
            None,
        ));
    }
    let settings = &core.settings;
    let shared = Shared::new(s3, location, info.etag, stats, settings.retry);
    let mut file = S3File::new(
        shared,
        info.size,
        settings.chunk_size,
        settings.chunks_in_flight,
    );
    let unreadable = |e| parquet_error(uri, "is not a Parquet file this crate can read", e);
    let metadata = ArrowReaderMetadata::load_async(&mut file, ArrowReaderOptions::new())
        .await
        .map_err(unreadable)?;
    let (metadata, int96) = int96_at_micros(metadata)
        .map_err(|e| parquet_error(uri, "cannot be read with its INT96 timestamps", e))?;
    let builder = ParquetRecordBatchStreamBuilder::new_with_metadata(file, metadata);
    let plans = plan_columns(builder.schema(), &int96)
        .map_err(|message| unload_error(uri, message, None))?;
    Ok(Opened { builder, plans })
}

/// The file's Arrow reading with its INT96 timestamps (Hive's, which Athena writes)
/// read at microseconds, and for each root field whether a leaf under it is INT96.
///
/// The reader gives INT96 as nanoseconds by default, and wraps what does not fit in
/// an `i64` of them without a word: every timestamp before 1677-09-21 or after
/// 2262-04-11, such as the `9999-12-31` that marks an open end. Microseconds hold any
/// year Athena does. Digits below the microsecond are dropped by the reader; Athena
/// reads INT96 at milliseconds ([`INT96_PRECISION`](super::schema::INT96_PRECISION)),
/// and rounding to the millisecond from the microsecond gives what rounding from the
/// nanosecond gives, so nothing Athena shows is lost.
fn int96_at_micros(
    metadata: ArrowReaderMetadata,
) -> std::result::Result<(ArrowReaderMetadata, Vec<bool>), ParquetError> {
    let parquet = metadata.metadata().file_metadata().schema_descr();
    let leaves: Vec<bool> = parquet
        .columns()
        .iter()
        .map(|c| c.physical_type() == PhysicalType::INT96)
        .collect();
    let mut roots = vec![false; parquet.root_schema().get_fields().len()];
    for (i, _) in leaves.iter().enumerate().filter(|(_, int96)| **int96) {
        if let Some(root) = roots.get_mut(parquet.get_column_root_idx(i)) {
            *root = true;
        }
    }
    if !roots.contains(&true) {
        return Ok((metadata, roots));
    }
    // Arrow's leaves are Parquet's columns, in the same order.
    let mut next = leaves.into_iter();
    let schema = metadata.schema();
    let fields = schema
        .fields()
        .iter()
        .map(|f| {
            at_micros(f.data_type(), &mut next)
                .map(|t| Arc::new(f.as_ref().clone().with_data_type(t)))
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if next.next().is_some() {
        return Err(ParquetError::General(
            "the Arrow schema has fewer leaves than the Parquet schema".to_owned(),
        ));
    }
    let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let options = ArrowReaderOptions::new().with_schema(schema);
    let metadata = ArrowReaderMetadata::try_new(metadata.metadata().clone(), options)?;
    Ok((metadata, roots))
}

/// `data_type` with its INT96 leaves (`int96`, one flag a leaf in order) as
/// microseconds.
fn at_micros(
    data_type: &DataType,
    int96: &mut impl Iterator<Item = bool>,
) -> std::result::Result<DataType, ParquetError> {
    let mut field = |f: &FieldRef| -> std::result::Result<FieldRef, ParquetError> {
        Ok(Arc::new(
            f.as_ref()
                .clone()
                .with_data_type(at_micros(f.data_type(), int96)?),
        ))
    };
    Ok(match data_type {
        DataType::List(f) => DataType::List(field(f)?),
        DataType::LargeList(f) => DataType::LargeList(field(f)?),
        DataType::FixedSizeList(f, n) => DataType::FixedSizeList(field(f)?, *n),
        DataType::Map(f, ordered) => DataType::Map(field(f)?, *ordered),
        DataType::Struct(fields) => DataType::Struct(
            fields
                .iter()
                .map(field)
                .collect::<std::result::Result<Fields, _>>()?,
        ),
        leaf => match (int96.next(), leaf) {
            (None, _) => {
                return Err(ParquetError::General(
                    "the Arrow schema has more leaves than the Parquet schema".to_owned(),
                ));
            }
            (Some(true), DataType::Timestamp(_, zone)) => {
                DataType::Timestamp(TimeUnit::Microsecond, zone.clone())
            }
            (Some(_), other) => other.clone(),
        },
    })
}

/// The shard columns of planned columns.
pub(crate) fn columns_of(plans: &[ColumnPlan]) -> Vec<ShardColumn> {
    plans
        .iter()
        .map(|p| ShardColumn::new(p.name.clone(), p.signature.clone()))
        .collect()
}

/// Columns as an error message lists them: `name type, ...`.
pub(crate) fn describe(columns: &[ShardColumn]) -> String {
    columns
        .iter()
        .map(|c| format!("{} {}", c.name, c.r#type))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows of a batch, numbered on from `first_row`.
fn rows_of(
    batch: &RecordBatch,
    plans: &[ColumnPlan],
    metadata: &Arc<ResultSetMetadata>,
    first_row: u64,
) -> Result<Vec<Row>, String> {
    let columns = batch
        .columns()
        .iter()
        .zip(plans)
        .map(|(array, plan)| {
            column_texts(array, plan.int96).map_err(|e| format!("column `{}`: {e}", plan.name))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut columns: Vec<_> = columns.into_iter().map(Vec::into_iter).collect();
    let rows = (first_row..)
        .take(batch.num_rows())
        .map(|row_number| {
            let values = columns.iter_mut().map(|c| c.next().flatten()).collect();
            Row::new(metadata.clone(), row_number, values)
        })
        .collect();
    Ok(rows)
}

/// The error of a task reading `uri` that did not end by itself: the Parquet reader
/// panicked on a malformed file (made an error here, so that one bad file fails its own
/// read, not the process), or the runtime is shutting down.
pub(crate) fn task_error(uri: &str, e: JoinError) -> Error {
    if e.is_panic() {
        let panic = e.into_panic();
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        return unload_error(
            uri,
            format!("the Parquet reader failed on this file (it panicked: {what})"),
            None,
        );
    }
    unload_error(
        uri,
        format!("the task reading the file ended early: {e}"),
        None,
    )
}

/// The codes S3 answers for a key that does not exist (`NotFound` is what the SDK
/// makes of a 404 to `HeadObject`, which has no body to carry a code).
fn is_not_found(code: &str) -> bool {
    matches!(code, "NotFound" | "NoSuchKey" | "404")
}

pub(crate) fn no_s3_client() -> Error {
    Error::invalid_config(
        "UNLOAD's files are read through S3: give the handle an S3 client \
         (AthenaBuilder::with_s3_client)",
    )
}

/// [`Error::Unload`] about the file at `location`.
pub(crate) fn unload_error(location: &str, message: String, source: Option<Error>) -> Error {
    Error::Unload {
        location: location.to_owned(),
        message,
        source: source.map(|e| Box::new(e) as _),
    }
}

/// [`Error::Unload`] for a Parquet reader's error: the crate's own error when the
/// reader passed one up from an S3 read, its own otherwise.
pub(crate) fn parquet_error(location: &str, what: &str, e: ParquetError) -> Error {
    match e {
        ParquetError::External(inner) => match inner.downcast::<Error>() {
            Ok(ours) => unload_error(location, format!("{what}: {ours}"), Some(*ours)),
            Err(other) => Error::Unload {
                location: location.to_owned(),
                message: format!("{what}: {other}"),
                source: Some(other),
            },
        },
        other => Error::Unload {
            location: location.to_owned(),
            message: format!("{what}: {other}"),
            source: Some(Box::new(other)),
        },
    }
}
