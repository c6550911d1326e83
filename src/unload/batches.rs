//! A shard's rows as Arrow [`RecordBatch`]es ([`ShardBatches`]): the arrays the
//! Parquet reader decodes, handed on in the Arrow types of [`crate::arrow`]'s mapping
//! ([`super::convert`]), never through text.

use std::sync::Arc;

use arrow_array::{RecordBatch, RecordBatchOptions};
use arrow_schema::{Schema, SchemaRef};

use super::convert::{convert, target_field};
use super::schema::ColumnPlan;
use super::shard::{Shard, unload_error};
use super::task::{Decode, Decoder, FileTask};
use crate::client::ClientCore;
use crate::columnar::BatchOptions;
use crate::error::{Error, Result};
use crate::value::AthenaType;

/// The rows of one shard as Arrow batches, in file order: a `futures::Stream` of
/// `Result<RecordBatch>`; `Send`, `Sync` and `Unpin`.
///
/// Read as [`ShardRows`](super::ShardRows) reads (a task spawned at the first poll, so
/// poll it in a Tokio runtime; ranged GETs pinned to the file's ETag, with the handle's
/// retries; a batch or two read ahead), with the same errors, but each batch is the
/// Parquet reader's own arrays: at most [`BatchOptions::rows`] rows (a batch never
/// spans two row groups, so it may hold fewer), one column per column of the shard, in
/// its order and named as Athena names them, in the Arrow types of the crate's mapping
/// (the [module docs](crate::unload#batches)). Every batch of the file has the same
/// schema. A value the mapping cannot hold exactly is an [`Error::Unload`] naming the
/// file, the column and the row, never a rounded or wrapped value.
///
/// Made by [`Athena::read_shard_batches`](crate::Athena::read_shard_batches).
#[must_use = "streams do nothing unless polled"]
pub struct ShardBatches {
    inner: FileTask<RecordBatch>,
}

impl ShardBatches {
    pub(crate) fn new(core: Arc<ClientCore>, shard: Shard, options: &BatchOptions) -> Self {
        ShardBatches {
            inner: FileTask::new(core, shard, BatchesOf(options.clone())),
        }
    }
}

stream_of_inner!(ShardBatches, RecordBatch);

/// Decoded batches handed on in the mapping's types.
struct BatchesOf(BatchOptions);

impl Decode for BatchesOf {
    type Item = RecordBatch;

    fn batch_rows(&self) -> usize {
        self.0.rows()
    }

    fn start(
        self,
        shard: &Shard,
        plans: &[ColumnPlan],
        decoded: &SchemaRef,
    ) -> Result<Decoder<RecordBatch>> {
        check_column_types(&self.0, shard, plans)?;
        let schema =
            schema_of(decoded, plans).map_err(|message| unload_error(&shard.uri, message, None))?;
        let (uri, columns) = (shard.uri.clone(), plans.to_vec());
        Ok(Box::new(move |batch, first_row| {
            batch_of(&batch, &schema, &columns, first_row)
                .map_err(|message| unload_error(&uri, message, None))
        }))
    }
}

/// A column type given in the options for a column of the file must be the file's:
/// the file carries its types, and a batch is what the file holds.
fn check_column_types(options: &BatchOptions, shard: &Shard, plans: &[ColumnPlan]) -> Result<()> {
    for plan in plans {
        let Some(given) = options.column_type(&plan.name) else {
            continue;
        };
        if *given != AthenaType::parse(&plan.signature) {
            return Err(Error::invalid_config(format!(
                "BatchOptions types column `{}` as {given:?}, but the UNLOAD file {} holds \
                 it as {}: a shard's batches have the types of its file",
                plan.name, shard.uri, plan.signature
            )));
        }
    }
    Ok(())
}

/// The schema of the batches of a file whose decoded batches have the schema `decoded`.
fn schema_of(decoded: &Schema, columns: &[ColumnPlan]) -> Result<SchemaRef, String> {
    if decoded.fields().len() != columns.len() {
        return Err(format!(
            "the Parquet reader decodes {} columns where the file has {}",
            decoded.fields().len(),
            columns.len()
        ));
    }
    let fields = decoded
        .fields()
        .iter()
        .zip(columns)
        .map(|(field, column)| {
            target_field(field, column.int96)
                .map(|f| f.with_name(column.name.clone()))
                .map_err(|e| format!("column `{}`: {e}", column.name))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Arc::new(Schema::new(fields)))
}

/// A decoded batch in the schema's types; its first row is row `first_row` of the file.
fn batch_of(
    batch: &RecordBatch,
    schema: &SchemaRef,
    columns: &[ColumnPlan],
    first_row: u64,
) -> Result<RecordBatch, String> {
    let arrays = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .zip(columns)
        .map(|((array, field), column)| {
            convert(array, field.data_type()).map_err(|e| match e.index {
                Some(i) => format!(
                    "column `{}`, row {} of the file: {}",
                    column.name,
                    first_row + i as u64,
                    e.message
                ),
                None => format!("column `{}`: {}", column.name, e.message),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    // The row count given, for a batch of no columns would have none.
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    RecordBatch::try_new_with_options(schema.clone(), arrays, &options)
        .map_err(|e| format!("the decoded columns do not make a batch: {e}"))
}
