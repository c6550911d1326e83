//! The data files of an UNLOAD: each of the query's output partitions is written by its
//! own thread into files of at most `rows_per_file` rows, so a large UNLOAD writes many
//! files, in parallel and in no order across files, as Athena's does (docs/athena.md,
//! "UNLOAD and data manifests").
//!
//! Every file is written under the data dir's private temp folder and renamed into the
//! TO location when complete: an S3 reader sees a file whole or not at all, as it sees
//! an object only once its upload is complete. A file is complete before the query ends,
//! and one that was complete stays when the query later fails, as Athena leaves the
//! files of a failed UNLOAD in place. Files are named as Trino names them
//! (`HiveWriterFactory.computeFileName`): `<engine query id>_<uuid>`, with the codec's
//! extension for a compressed text file.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::parquet::arrow::ArrowWriter;
use futures::StreamExt;
use tokio::sync::mpsc;

use super::lines::{json_lines, text_lines};
use super::options::{Compression, Format, Options};
use super::parquet::{to_file_batch, writer};
use crate::engine::error::{QueryError, map_error};
use crate::engine::query_ids::random_uuid;

/// Where and how one UNLOAD writes, shared by its partitions' writers.
#[derive(Debug)]
pub(crate) struct Sink {
    /// The TO location, `s3://bucket/prefix/` (with its `/`).
    pub(crate) location: String,
    /// The folder it maps to.
    pub(crate) dir: PathBuf,
    /// Where files are written before they are renamed into `dir`.
    pub(crate) temp_dir: PathBuf,
    pub(crate) engine_query_id: String,
    pub(crate) rows_per_file: usize,
    pub(crate) options: Options,
    /// The column names the files use.
    pub(crate) names: Vec<String>,
    /// The schema batches are converted to before they are written (all formats share
    /// its simple types).
    pub(crate) schema: SchemaRef,
    /// The query, for Athena-style error messages.
    pub(crate) sql: Arc<str>,
    pub(crate) database: String,
}

/// One file written.
#[derive(Debug)]
pub(crate) struct Written {
    /// `s3://bucket/prefix/<name>`.
    pub(crate) uri: String,
    pub(crate) rows: u64,
}

/// What the async side hands the writer thread.
enum Message {
    Batch(RecordBatch),
    /// The partition has no more rows: finish the last file. A channel closed without it
    /// means the query failed or was stopped.
    End,
}

/// Writes the rows of one output partition; returns the files, in the order written.
pub(crate) async fn write_partition(
    mut stream: SendableRecordBatchStream,
    sink: Arc<Sink>,
) -> Result<Vec<Written>, QueryError> {
    // Two batches in flight: the query runs ahead of the writer by that much, no more.
    let (tx, rx) = mpsc::channel(2);
    let writer_sink = Arc::clone(&sink);
    // Encoding and compressing is CPU work and the files are written with blocking I/O:
    // a thread of its own keeps both off the server's async threads.
    let writer = tokio::task::spawn_blocking(move || write_files(rx, &writer_sink));
    let mut writer_gone = false;
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(|e| map_error(e, &sink.sql, &sink.database))?;
        if tx.send(Message::Batch(batch)).await.is_err() {
            // The writer stopped on an error, which its result carries.
            writer_gone = true;
            break;
        }
    }
    if !writer_gone {
        let _ = tx.send(Message::End).await;
    }
    drop(tx);
    match writer.await {
        Ok(result) => result,
        Err(e) => Err(QueryError::system(format!(
            "GENERIC_INTERNAL_ERROR: the UNLOAD writer failed: {e}"
        ))),
    }
}

/// The writer thread: files of at most `rows_per_file` rows, each published when full
/// and the last at the end.
fn write_files(mut rx: mpsc::Receiver<Message>, sink: &Sink) -> Result<Vec<Written>, QueryError> {
    let mut written = Vec::new();
    let mut open: Option<OpenFile> = None;
    loop {
        match rx.blocking_recv() {
            Some(Message::Batch(batch)) => {
                let batch = to_file_batch(&batch, &sink.schema)
                    .map_err(|e| QueryError::user(format!("INVALID_CAST_ARGUMENT: {e}")))?;
                let mut start = 0;
                while start < batch.num_rows() {
                    let file = match open.as_mut() {
                        Some(file) => file,
                        None => {
                            open.insert(OpenFile::create(sink).map_err(|e| io_error(sink, &e))?)
                        }
                    };
                    let n = (sink.rows_per_file - file.rows).min(batch.num_rows() - start);
                    file.write(&batch.slice(start, n), sink)?;
                    start += n;
                    if file.rows == sink.rows_per_file
                        && let Some(full) = open.take()
                    {
                        written.push(full.finish(sink)?);
                    }
                }
            }
            Some(Message::End) => {
                if let Some(last) = open.take() {
                    written.push(last.finish(sink)?);
                }
                return Ok(written);
            }
            // Stopped: the open file's temp is removed as it is dropped.
            None => {
                return Err(QueryError::system(
                    "the UNLOAD stopped before its query ended".to_owned(),
                ));
            }
        }
    }
}

fn io_error(sink: &Sink, e: &io::Error) -> QueryError {
    QueryError::system(format!(
        "HIVE_WRITER_OPEN_ERROR: cannot write to {}: {e}",
        sink.location
    ))
}

/// A file being written, in the temp folder until [`OpenFile::finish`].
struct OpenFile {
    name: String,
    temp: PathBuf,
    rows: usize,
    /// Taken by [`OpenFile::finish`].
    encoder: Option<Encoder>,
    published: bool,
}

/// The format's writer over the file.
enum Encoder {
    Parquet(Box<ArrowWriter<BufWriter<File>>>),
    Lines {
        /// Boxed as the Parquet writer is: either is large, and one lives per file.
        out: Box<Compressed>,
        /// The encoded lines of one batch before they are compressed.
        buffer: Vec<u8>,
    },
}

impl OpenFile {
    fn create(sink: &Sink) -> io::Result<OpenFile> {
        let extension = match sink.options.format {
            Format::Parquet => "",
            Format::Json | Format::Text { .. } => sink.options.compression.text_extension(),
        };
        let name = format!("{}_{}{extension}", sink.engine_query_id, random_uuid());
        std::fs::create_dir_all(&sink.temp_dir)?;
        let temp = sink.temp_dir.join(format!("unload-{}", random_uuid()));
        let file = BufWriter::with_capacity(256 * 1024, File::create(&temp)?);
        let encoder = match sink.options.format {
            Format::Parquet => Encoder::Parquet(Box::new(
                writer(file, &sink.schema, sink.options.compression).map_err(io::Error::other)?,
            )),
            Format::Json | Format::Text { .. } => Encoder::Lines {
                out: Box::new(Compressed::new(file, sink.options.compression)?),
                buffer: Vec::new(),
            },
        };
        Ok(OpenFile {
            name,
            temp,
            rows: 0,
            encoder: Some(encoder),
            published: false,
        })
    }

    fn write(&mut self, batch: &RecordBatch, sink: &Sink) -> Result<(), QueryError> {
        match &mut self.encoder {
            None => {}
            Some(Encoder::Parquet(w)) => w
                .write(batch)
                .map_err(|e| QueryError::system(format!("HIVE_WRITER_DATA_ERROR: {e}")))?,
            Some(Encoder::Lines { out, buffer }) => {
                buffer.clear();
                let encoded = match sink.options.format {
                    Format::Text { delimiter } => text_lines(batch, &sink.names, delimiter, buffer),
                    _ => json_lines(batch, &sink.names, buffer),
                };
                encoded.map_err(|why| QueryError::user(format!("NOT_SUPPORTED: {why}")))?;
                out.write_all(buffer).map_err(|e| io_error(sink, &e))?;
            }
        }
        self.rows += batch.num_rows();
        Ok(())
    }

    /// Completes the file and renames it into the TO location.
    fn finish(mut self, sink: &Sink) -> Result<Written, QueryError> {
        let file = match self.encoder.take() {
            Some(Encoder::Parquet(w)) => w
                .into_inner()
                .map_err(|e| QueryError::system(format!("HIVE_WRITER_CLOSE_ERROR: {e}")))?,
            Some(Encoder::Lines { out, .. }) => out.finish().map_err(|e| io_error(sink, &e))?,
            None => {
                return Err(QueryError::system(
                    "GENERIC_INTERNAL_ERROR: an UNLOAD file was finished twice".to_owned(),
                ));
            }
        };
        let mut file = file.into_inner().map_err(|e| io_error(sink, e.error()))?;
        file.flush().map_err(|e| io_error(sink, &e))?;
        drop(file);
        std::fs::create_dir_all(&sink.dir).map_err(|e| io_error(sink, &e))?;
        std::fs::rename(&self.temp, sink.dir.join(&self.name)).map_err(|e| io_error(sink, &e))?;
        self.published = true;
        Ok(Written {
            uri: format!("{}{}", sink.location, self.name),
            rows: self.rows as u64,
        })
    }
}

impl Drop for OpenFile {
    /// A file the UNLOAD did not finish is not left half-written.
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// The bytes of a text file on their way to it, compressed as asked.
enum Compressed {
    None(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Bzip2(bzip2::write::BzEncoder<BufWriter<File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
    /// Hadoop's block framing of Snappy or LZ4 blocks, as Hive writes `.snappy` and
    /// `.lz4` text and as Athena reads them (docs/athena.md, "Result files").
    Hadoop(HadoopBlocks),
}

impl Compressed {
    fn new(file: BufWriter<File>, compression: Compression) -> io::Result<Compressed> {
        Ok(match compression {
            Compression::None => Compressed::None(file),
            Compression::Gzip => Compressed::Gzip(flate2::write::GzEncoder::new(
                file,
                flate2::Compression::default(),
            )),
            Compression::Bzip2 => Compressed::Bzip2(bzip2::write::BzEncoder::new(
                file,
                bzip2::Compression::default(),
            )),
            Compression::Zstd(level) => {
                Compressed::Zstd(zstd::stream::write::Encoder::new(file, level)?)
            }
            Compression::Snappy => Compressed::Hadoop(HadoopBlocks::new(file, Block::Snappy)),
            Compression::Lz4 => Compressed::Hadoop(HadoopBlocks::new(file, Block::Lz4)),
        })
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Compressed::None(w) => w.write_all(bytes),
            Compressed::Gzip(w) => w.write_all(bytes),
            Compressed::Bzip2(w) => w.write_all(bytes),
            Compressed::Zstd(w) => w.write_all(bytes),
            Compressed::Hadoop(w) => w.write_all(bytes),
        }
    }

    /// Ends the stream (trailers, last block) and gives the file back.
    fn finish(self) -> io::Result<BufWriter<File>> {
        match self {
            Compressed::None(w) => Ok(w),
            Compressed::Gzip(w) => w.finish(),
            Compressed::Bzip2(w) => w.finish(),
            Compressed::Zstd(w) => w.finish(),
            Compressed::Hadoop(w) => w.finish(),
        }
    }
}

/// The raw block codec inside Hadoop's block framing.
#[derive(Debug, Clone, Copy)]
enum Block {
    Snappy,
    Lz4,
}

/// Hadoop's `BlockCompressorStream`: blocks of at most 256 KiB (Hadoop's default
/// buffer), each written as a big-endian u32 of its length, a big-endian u32 of its
/// compressed length and the compressed bytes.
struct HadoopBlocks {
    out: BufWriter<File>,
    block: Block,
    pending: Vec<u8>,
}

const HADOOP_BLOCK: usize = 256 * 1024;

impl HadoopBlocks {
    fn new(out: BufWriter<File>, block: Block) -> Self {
        HadoopBlocks {
            out,
            block,
            pending: Vec::with_capacity(HADOOP_BLOCK),
        }
    }

    fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let n = (HADOOP_BLOCK - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            if self.pending.len() == HADOOP_BLOCK {
                self.flush_block()?;
            }
        }
        Ok(())
    }

    fn flush_block(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let compressed = match self.block {
            Block::Snappy => snap::raw::Encoder::new()
                .compress_vec(&self.pending)
                .map_err(io::Error::other)?,
            Block::Lz4 => lz4_flex::block::compress(&self.pending),
        };
        let len = |n: usize| {
            u32::try_from(n)
                .map(u32::to_be_bytes)
                .map_err(|_| io::Error::other("a block over 4 GiB"))
        };
        self.out.write_all(&len(self.pending.len())?)?;
        self.out.write_all(&len(compressed.len())?)?;
        self.out.write_all(&compressed)?;
        self.pending.clear();
        Ok(())
    }

    fn finish(mut self) -> io::Result<BufWriter<File>> {
        self.flush_block()?;
        Ok(self.out)
    }
}
