//! `cloudfront_map --format arrow-ipc`: a query's Arrow batches written out as an Arrow
//! IPC stream, the format that `pyarrow.ipc.open_stream`, Polars' `read_ipc_stream`,
//! DuckDB's `arrow` extension and arrow-rs's `StreamReader` read, with every column
//! typed as `athena_stream::arrow::schema` maps it.
//!
//! A module of its own so that `tests/arrow_interop.rs` writes through this same code and
//! reads the file back.

use std::io::Write;

use arrow_ipc::writer::StreamWriter;
use athena_stream::arrow::RecordBatch;
use athena_stream::arrow::arrow_schema::{ArrowError, Schema};
use futures::{Stream, StreamExt};

/// An IPC stream being written: the schema, then each batch, then the end-of-stream
/// marker.
pub struct IpcOutput<W: Write> {
    /// The output until the schema is known: the schema is the stream's first message.
    out: Option<W>,
    writer: Option<StreamWriter<W>>,
    rows: u64,
    batches: u64,
}

impl<W: Write> IpcOutput<W> {
    /// Nothing written yet.
    pub fn new(out: W) -> Self {
        IpcOutput {
            out: Some(out),
            writer: None,
            rows: 0,
            batches: 0,
        }
    }

    /// Writes a batch; the first also writes its schema before it. Every batch of a
    /// `RecordBatchStream` has the schema `RecordBatchStream::schema` gives, so the first
    /// batch's is the stream's: taking it from there lets the caller poll the stream
    /// only for batches, as the status line needs (see `cloudfront_map`).
    ///
    /// # Errors
    /// Writing failed (the output's I/O error, or a batch the IPC format cannot hold).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), ArrowError> {
        let writer = match &mut self.writer {
            Some(writer) => writer,
            None => {
                let writer = StreamWriter::try_new(self.take_out()?, &batch.schema())?;
                self.writer.insert(writer)
            }
        };
        writer.write(batch)?;
        self.rows += batch.num_rows() as u64;
        self.batches += 1;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Batches written so far.
    pub fn batches(&self) -> u64 {
        self.batches
    }

    /// Ends the stream and hands the output back. `schema` is written first when no
    /// batch was (a result of no rows is still a valid IPC stream, with its columns).
    ///
    /// # Errors
    /// Writing failed, or an earlier write failed before it could write the schema.
    pub fn finish(mut self, schema: &Schema) -> Result<W, ArrowError> {
        let writer = match self.writer.take() {
            Some(writer) => writer,
            None => StreamWriter::try_new(self.take_out()?, schema)?,
        };
        writer.into_inner()
    }

    fn take_out(&mut self) -> Result<W, ArrowError> {
        // Only a write that failed while writing the schema leaves neither: the caller
        // has its error already, and gets another rather than a panic if it goes on.
        self.out.take().ok_or_else(|| {
            ArrowError::IpcError("the IPC stream failed before its schema was written".into())
        })
    }
}

/// Writes every batch of `batches` to `output`, calling `on_batch` after each (the
/// example counts rows for its status line there), until the stream ends or fails.
///
/// # Errors
/// The stream's error (the query failed, a value did not read as its column's type, ...)
/// or the output's.
pub async fn write_batches<S, W>(
    batches: S,
    output: &mut IpcOutput<W>,
    mut on_batch: impl FnMut(&RecordBatch),
) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    S: Stream<Item = athena_stream::Result<RecordBatch>>,
    W: Write,
{
    let mut batches = std::pin::pin!(batches);
    while let Some(batch) = batches.next().await {
        let batch = batch?;
        output.write(&batch)?;
        on_batch(&batch);
    }
    Ok(())
}
