//! The result file as a page source: the query's `<QueryExecutionId>.csv` read from S3
//! in parallel byte ranges, cut into whole rows by quote parity, parsed without losing
//! NULL against `""`, and handed out in file order, one page per slice of a range (about
//! [`PAGE_ROWS`] rows, at most [`PAGE_BYTES`]; docs/athena.md, "Result files"). The
//! slices are parsed in tasks of their own, on as many cores as the runtime has: the
//! cut by quote parity, done here in file order at memory speed, is all a slice needs
//! to be parsed alone.

use std::collections::VecDeque;
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio::time::Instant;
use tracing::debug;

#[cfg(feature = "arrow")]
use crate::columnar::{BatchOptions, BatchPlan, ValueError};
use crate::error::{Error, Result};
#[cfg(feature = "arrow")]
use crate::page::PageBatch;
use crate::page::source::PageSource;
use crate::page::{ResultPage, ResumeFrom, Shape};
use crate::result_file::rows::{OwnedPiece, PieceError, parse_pieces};
#[cfg(feature = "arrow")]
use crate::result_file::rows::{SliceBatch, SliceError, parse_pieces_into_batches};
use crate::result_file::split::RowAssembler;
use crate::row::{ResultSetMetadata, Row};
use crate::s3::ObjectLocation;
use crate::s3::ranges::{AbortOnDrop, RangeBytes, RangeFetcher};
use crate::stats::Stats;

/// The bytes of a range parsed into one page. A whole 8 MiB range as one page made
/// every row of it live at once: for small values a row takes ten times its bytes or
/// more (a million one-number rows, over 100 MB, per range), so the memory bound of
/// chunks in flight x chunk size did not hold for the rows, and the consumer read rows
/// written long before, out of the caches. A slice of this size keeps a page's rows
/// near the size of an API page (about 1,800 rows of five CloudFront columns).
pub(crate) const PAGE_BYTES: usize = 256 * 1024;

/// The rows a slice aims at. Slices of [`PAGE_BYTES`] of one-number rows held 26,000
/// rows each, over 3 MB as `Row`s, and several are parsed or queued at once: reading
/// 10,000,000 such rows peaked about 20 MiB higher than with slices four times smaller
/// (BENCHMARKS.md, "Read paths"), while wide rows are faster in large slices. Each
/// slice is sized from the bytes per row of the slices parsed before it.
pub(crate) const PAGE_ROWS: usize = 2048;

/// The smallest slice, and the first ones' size, before any slice has been parsed.
const MIN_SLICE_BYTES: usize = 8 * 1024;
const FIRST_SLICE_BYTES: usize = 64 * 1024;

/// Where in the file reading starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartAt {
    /// The first byte: the header row, then `skip` data rows a consumer already has.
    Beginning { skip: u64 },
    /// A row boundary a page said to resume from.
    Row { offset: u64, row_number: u64 },
}

/// What a slice's task hands back.
enum Parsed {
    Rows(std::result::Result<Vec<Row>, PieceError>),
    #[cfg(feature = "arrow")]
    Batches(std::result::Result<Vec<SliceBatch>, SliceError<ValueError>>),
}

/// What slices are parsed into.
enum ParseInto {
    Rows,
    #[cfg(feature = "arrow")]
    Batches {
        plan: Arc<BatchPlan>,
        options: Arc<BatchOptions>,
    },
}

/// A slice being parsed in a task of its own, and where its page resumes.
struct Job {
    task: AbortOnDrop<Parsed>,
    /// The first byte after the slice's rows (the row boundary to resume from).
    resume_offset: u64,
    /// The slice's length in bytes.
    bytes: usize,
}

/// Reads one result file; see the module docs.
pub(crate) struct ResultFileSource {
    location: ObjectLocation,
    fetcher: RangeFetcher,
    assembler: RowAssembler,
    metadata: Arc<ResultSetMetadata>,
    into: ParseInto,
    /// The most bytes a slice takes (see [`PAGE_BYTES`]) and the rows it aims at.
    max_slice_bytes: usize,
    slice_rows: usize,
    /// The header row is still to be cut out and checked (reading from the first byte).
    header: bool,
    /// The number of the next data row to hand out, and the data rows still to skip.
    row_number: u64,
    skip: u64,
    page_number: u64,
    stats: Arc<Stats>,
    done: bool,
    /// The range being cut into slices (its offset and bytes) and how much of it has been.
    range: Option<(u64, Arc<RangeBytes>)>,
    cut: usize,
    /// The length of the next slice (see [`PAGE_ROWS`]).
    slice_bytes: usize,
    /// Every range has been taken from the fetcher.
    fetched: bool,
    /// Slices being parsed, in file order, at most `max_jobs`.
    jobs: VecDeque<Job>,
    max_jobs: usize,
    /// An error met while cutting, handed out after the rows before it.
    failed: Option<Failed>,
}

/// Why cutting stopped.
enum Failed {
    /// A range could not be read.
    Range(Error),
    /// The bytes at `offset` cannot be cut into rows (not Athena's CSV). The error is
    /// made when it is handed out, so that it names the row reached by then.
    Cut { offset: u64, message: String },
}

impl ResultFileSource {
    /// A source over the file the fetcher reads, starting at `start` (which must be
    /// where the fetcher starts), handing out pages of `shape`.
    ///
    /// # Errors
    /// Batch options that do not fit the result's columns.
    pub(crate) fn new(
        location: ObjectLocation,
        fetcher: RangeFetcher,
        metadata: Arc<ResultSetMetadata>,
        start: StartAt,
        stats: Arc<Stats>,
        shape: &Shape,
    ) -> Result<Self> {
        let (into, max_slice_bytes, slice_rows) = match shape {
            Shape::Rows => (ParseInto::Rows, PAGE_BYTES, PAGE_ROWS),
            // A slice makes a batch: it aims at the batch's rows, and holds no more
            // bytes than a batch may (nor fewer than a page of rows would).
            #[cfg(feature = "arrow")]
            Shape::Batches(options) => (
                ParseInto::Batches {
                    plan: BatchPlan::new(&metadata, options)?,
                    options: options.clone(),
                },
                options.bytes().max(PAGE_BYTES),
                options.rows(),
            ),
        };
        let (assembler, header, row_number, skip) = match start {
            StartAt::Beginning { skip } => (RowAssembler::new(), true, 0, skip),
            StartAt::Row { offset, row_number } => {
                (RowAssembler::starting_at(offset), false, row_number, 0)
            }
        };
        // The row being put together may take no more memory than the ranges in
        // flight: the memory bound the README gives is the budget twice, never more.
        let assembler = assembler.with_memory_budget(fetcher.budget_bytes());
        Ok(ResultFileSource {
            location,
            fetcher,
            assembler,
            metadata,
            into,
            max_slice_bytes,
            slice_rows,
            header,
            row_number,
            skip,
            page_number: 0,
            stats,
            done: false,
            range: None,
            cut: 0,
            slice_bytes: FIRST_SLICE_BYTES,
            fetched: false,
            jobs: VecDeque::new(),
            max_jobs: parse_tasks(),
            failed: None,
        })
    }

    async fn read(&mut self) -> Result<Option<ResultPage>> {
        if self.done {
            return Ok(None);
        }
        loop {
            self.start_jobs().await;
            let Some(mut job) = self.jobs.pop_front() else {
                self.done = true;
                return match self.failed.take() {
                    Some(Failed::Range(e)) => Err(e),
                    Some(Failed::Cut { offset, message }) => {
                        Err(self.fail(offset, self.row_number, message))
                    }
                    None => self.end(),
                };
            };
            let parsed = match (&mut job.task.0).await {
                Ok(parsed) => parsed,
                // Our tasks are not aborted while we hold them; a panic in one is a bug
                // that must not pass as data.
                Err(e) => {
                    return Err(self.fail(0, self.row_number, format!("parsing failed: {e}")));
                }
            };
            let page = match parsed {
                Parsed::Rows(Ok(rows)) => {
                    self.size_slices(job.bytes, rows.len());
                    self.page(rows, job.resume_offset)
                }
                Parsed::Rows(Err(e)) => {
                    return Err(self.fail(e.offset, self.row_number + e.row, e.message));
                }
                #[cfg(feature = "arrow")]
                Parsed::Batches(Ok(batches)) => {
                    let rows = batches.iter().map(|b| b.batch.num_rows()).sum();
                    self.size_slices(job.bytes, rows);
                    self.batch_page(batches, job.resume_offset)
                }
                #[cfg(feature = "arrow")]
                Parsed::Batches(Err(SliceError::File(e))) => {
                    return Err(self.fail(e.offset, self.row_number + e.row, e.message));
                }
                #[cfg(feature = "arrow")]
                Parsed::Batches(Err(SliceError::Sink(e))) => {
                    self.done = true;
                    self.jobs.clear();
                    return Err(match &self.into {
                        ParseInto::Batches { plan, .. } => e.into_error(plan, self.row_number),
                        ParseInto::Rows => self.fail(0, self.row_number, e.message),
                    });
                }
            };
            if let Some(page) = page {
                return Ok(Some(page));
            }
            // A slice of rows a consumer already has, or of the header alone.
        }
    }

    /// Starts parse tasks until `max_jobs` run, taking ranges from the fetcher: without
    /// waiting for one while a task is running, since the rows of that task come first.
    async fn start_jobs(&mut self) {
        while self.jobs.len() < self.max_jobs && self.failed.is_none() {
            if self.range.is_none() {
                if self.fetched || (!self.jobs.is_empty() && !self.fetcher.next_is_ready()) {
                    return;
                }
                match self.fetcher.next().await {
                    None => self.fetched = true,
                    Some(Ok((offset, bytes))) => {
                        debug!(offset, "range taken");
                        self.range = Some((offset, Arc::new(bytes)));
                    }
                    Some(Err(e)) => self.failed = Some(Failed::Range(e)),
                }
                continue;
            }
            self.cut_slice();
        }
    }

    /// Cuts the next slice of the range into whole rows, and starts a task parsing
    /// them if a row ended in them.
    fn cut_slice(&mut self) {
        let Some((offset, bytes)) = self.range.take() else {
            return;
        };
        let start = self.cut;
        let end = (start + self.slice_bytes).min(bytes.len());
        let slice_offset = offset + start as u64;
        let pieces = match self.assembler.push(slice_offset, &bytes[start..end]) {
            Ok(pieces) => pieces,
            Err(e) => {
                // Where the broken row starts, not where this slice does.
                self.failed = Some(Failed::Cut {
                    offset: e.offset(),
                    message: e.to_string(),
                });
                return;
            }
        };
        let pieces: Vec<OwnedPiece> = pieces
            .iter()
            .map(|piece| OwnedPiece::new(piece, offset, &bytes))
            .collect();
        let resume_offset = self.assembler.pending_row_start();
        if end < bytes.len() {
            self.cut = end;
            self.range = Some((offset, bytes));
        } else {
            self.cut = 0;
        }
        if pieces.is_empty() {
            // The slice lies inside one long row.
            return;
        }
        let (metadata, stats) = (self.metadata.clone(), self.stats.clone());
        let header = std::mem::take(&mut self.header);
        let task = match &self.into {
            ParseInto::Rows => tokio::spawn(async move {
                let started = Instant::now();
                let rows = parse_pieces(metadata, &pieces, header);
                stats.parsed_since(started);
                Parsed::Rows(rows)
            }),
            #[cfg(feature = "arrow")]
            ParseInto::Batches { plan, options } => {
                let (plan, options) = (plan.clone(), options.clone());
                tokio::spawn(async move {
                    let started = Instant::now();
                    let first = pieces.first().map_or(0, OwnedPiece::offset);
                    let bytes = pieces.iter().map(OwnedPiece::bytes);
                    let batches =
                        parse_pieces_into_batches(&metadata, plan, &options, first, bytes, header)
                            .await;
                    stats.parsed_since(started);
                    Parsed::Batches(batches)
                })
            }
        };
        self.jobs.push_back(Job {
            task: AbortOnDrop(task),
            resume_offset,
            bytes: end - start,
        });
    }

    /// Sizes the next slices for the rows a slice aims at ([`PAGE_ROWS`], or a
    /// batch's), from a slice of `bytes` that held `rows` rows.
    fn size_slices(&mut self, bytes: usize, rows: usize) {
        // A slice of the header row alone says nothing.
        if let Some(bytes) = bytes.saturating_mul(self.slice_rows).checked_div(rows) {
            self.slice_bytes = bytes.clamp(MIN_SLICE_BYTES, self.max_slice_bytes);
        }
    }

    /// The page of a parsed slice's rows, numbered in the whole result, without those
    /// still to skip; `None` if none are left.
    fn page(&mut self, mut rows: Vec<Row>, resume_offset: u64) -> Option<ResultPage> {
        let first = self.row_number;
        self.row_number += rows.len() as u64;
        let skipped = usize::try_from(self.skip).map_or(rows.len(), |s| s.min(rows.len()));
        self.skip -= skipped as u64;
        rows.drain(..skipped);
        if rows.is_empty() {
            return None;
        }
        for row in &mut rows {
            row.shift_row_number(first);
        }
        self.stats.count_page(rows.len());
        debug!(location = %self.location, page = self.page_number, offset = resume_offset, rows = rows.len(), "result file slice parsed");
        let next = ResumeFrom::ResultFile {
            offset: resume_offset,
            row_number: self.row_number,
        };
        let page = ResultPage::of_rows(self.page_number, None, Some(next), rows);
        self.page_number += 1;
        Some(page)
    }

    /// The page of a parsed slice's batches, as [`page`](Self::page) makes one of rows:
    /// each batch says where the rows after it start.
    #[cfg(feature = "arrow")]
    fn batch_page(&mut self, batches: Vec<SliceBatch>, resume_offset: u64) -> Option<ResultPage> {
        let mut kept = Vec::with_capacity(batches.len());
        let mut rows = 0;
        for SliceBatch { mut batch, end } in batches {
            let len = batch.num_rows();
            self.row_number += len as u64;
            let skipped = usize::try_from(self.skip).map_or(len, |s| s.min(len));
            self.skip -= skipped as u64;
            if skipped == len {
                continue;
            }
            if skipped > 0 {
                batch = batch.slice(skipped, len - skipped);
            }
            rows += batch.num_rows();
            let next = ResumeFrom::ResultFile {
                offset: end.unwrap_or(resume_offset),
                row_number: self.row_number,
            };
            kept.push(PageBatch {
                batch,
                next: Some(next),
            });
        }
        if kept.is_empty() {
            return None;
        }
        self.stats.count_page(rows);
        debug!(location = %self.location, page = self.page_number, offset = resume_offset, rows, batches = kept.len(), "result file slice parsed into batches");
        let next = ResumeFrom::ResultFile {
            offset: resume_offset,
            row_number: self.row_number,
        };
        let mut page = ResultPage::of_rows(self.page_number, None, Some(next), Vec::new());
        page.batches = kept;
        self.page_number += 1;
        Some(page)
    }

    /// The end of the file: every byte must have made whole rows, after a header.
    fn end(&mut self) -> Result<Option<ResultPage>> {
        debug!(location = %self.location, rows = self.row_number, "result file read to the end");
        let assembler = std::mem::take(&mut self.assembler);
        // The unfinished row is the one after those handed out (the header is row 0).
        let row = if self.header { 0 } else { self.row_number + 1 };
        assembler
            .finish()
            .map_err(|e| self.fail(e.offset(), row, e.to_string()))?;
        if self.header {
            return Err(self.fail(0, 0, "the file has no header row".to_owned()));
        }
        Ok(None)
    }

    /// Ends the read with an error about the file; the tasks still running stop.
    fn fail(&mut self, offset: u64, row: u64, message: String) -> Error {
        self.done = true;
        self.jobs.clear();
        file_error(&self.location, offset, row, message)
    }
}

/// How many slices are parsed at once: one per core the process may use and one
/// more, so that a core that finishes a slice finds the next one started.
fn parse_tasks() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get() + 1)
}

fn file_error(location: &ObjectLocation, offset: u64, row: u64, message: String) -> Error {
    Error::ResultFile {
        location: location.to_string(),
        offset,
        row,
        message,
    }
}

impl PageSource for ResultFileSource {
    fn next_page(&mut self) -> BoxFuture<'_, Result<Option<ResultPage>>> {
        Box::pin(self.read())
    }

    fn metadata(&self) -> Option<Arc<ResultSetMetadata>> {
        Some(self.metadata.clone())
    }
}
