//! The result file as a page source: the query's `<QueryExecutionId>.csv` read from S3
//! in parallel byte ranges, cut into whole rows by quote parity, parsed without losing
//! NULL against `""`, and handed out in file order, one page per [`PAGE_BYTES`] of a range
//! (docs/athena.md, "Result files").

use std::sync::Arc;

use futures::future::BoxFuture;
use tokio::time::Instant;
use tracing::debug;

use super::PageSource;
use crate::error::{Error, Result};
use crate::page::{ResultPage, ResumeFrom};
use crate::result_file::csv::{ColumnCheck, CsvParser};
use crate::result_file::ranges::RangeFetcher;
use crate::result_file::rows::RowBuilder;
use crate::result_file::s3::ObjectLocation;
use crate::result_file::split::RowAssembler;
use crate::row::ResultSetMetadata;
use crate::stats::Stats;

/// The bytes of a range parsed into one page. A whole 8 MiB range as one page made
/// every row of it live at once: for small values a row takes ten times its bytes or
/// more (a million one-number rows, over 100 MB, per range), so the memory bound of
/// chunks in flight x chunk size did not hold for the rows, and the consumer read rows
/// written long before, out of the caches. A slice of this size keeps a page's rows
/// near the size of an API page (about 1,800 rows of five CloudFront columns).
pub(crate) const PAGE_BYTES: usize = 256 * 1024;

/// Where in the file reading starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartAt {
    /// The first byte: the header row, then `skip` data rows a consumer already has.
    Beginning { skip: u64 },
    /// A row boundary a page said to resume from.
    Row { offset: u64, row_number: u64 },
}

/// Reads one result file; see the module docs.
pub(crate) struct ResultFileSource {
    location: ObjectLocation,
    fetcher: RangeFetcher,
    assembler: RowAssembler,
    metadata: Arc<ResultSetMetadata>,
    /// The header row is still to be read and checked (reading from the first byte).
    header: bool,
    /// The number of the next data row, and the data rows still to skip.
    row_number: u64,
    skip: u64,
    page_number: u64,
    stats: Arc<Stats>,
    done: bool,
    /// The range being parsed (its offset and bytes) and how much of it has been.
    range: Option<(u64, Vec<u8>)>,
    parsed: usize,
}

impl ResultFileSource {
    /// A source over the file the fetcher reads, starting at `start` (which must be
    /// where the fetcher starts).
    pub(crate) fn new(
        location: ObjectLocation,
        fetcher: RangeFetcher,
        metadata: Arc<ResultSetMetadata>,
        start: StartAt,
        stats: Arc<Stats>,
    ) -> Self {
        let (assembler, header, row_number, skip) = match start {
            StartAt::Beginning { skip } => (RowAssembler::new(), true, 0, skip),
            StartAt::Row { offset, row_number } => {
                (RowAssembler::starting_at(offset), false, row_number, 0)
            }
        };
        ResultFileSource {
            location,
            fetcher,
            assembler,
            metadata,
            header,
            row_number,
            skip,
            page_number: 0,
            stats,
            done: false,
            range: None,
            parsed: 0,
        }
    }

    async fn read(&mut self) -> Result<Option<ResultPage>> {
        if self.done {
            return Ok(None);
        }
        loop {
            let (offset, bytes) = match self.range.take() {
                Some(range) => range,
                None => match self.fetcher.next().await {
                    None => return self.end(),
                    Some(Ok(range)) => {
                        self.parsed = 0;
                        range
                    }
                    Some(Err(e)) => {
                        self.done = true;
                        return Err(e);
                    }
                },
            };
            let start = self.parsed;
            let end = (start + PAGE_BYTES).min(bytes.len());
            let started = Instant::now();
            let rows = self.parse_range(offset + start as u64, &bytes[start..end]);
            self.stats.parsed_since(started);
            if end < bytes.len() {
                self.parsed = end;
                self.range = Some((offset, bytes));
            }
            let rows = match rows {
                Ok(rows) => rows,
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            };
            if rows.is_empty() {
                // A slice inside one long row, or rows a consumer already has.
                continue;
            }
            self.stats.count_page(rows.len());
            let page = ResultPage {
                page_number: self.page_number,
                token: None,
                next: Some(ResumeFrom::ResultFile {
                    offset: self.assembler.pending_row_start(),
                    row_number: self.row_number,
                }),
                rows,
            };
            debug!(location = %self.location, page = self.page_number, offset, rows = page.rows.len(), "result file slice parsed");
            self.page_number += 1;
            return Ok(Some(page));
        }
    }

    /// The end of the file: every byte must have made whole rows, after a header.
    fn end(&mut self) -> Result<Option<ResultPage>> {
        self.done = true;
        let assembler = std::mem::take(&mut self.assembler);
        assembler
            .finish()
            .map_err(|e| self.file_error(0, 0, e.to_string()))?;
        if self.header {
            return Err(self.file_error(0, 0, "the file has no header row".to_owned()));
        }
        Ok(None)
    }

    /// Cuts the bytes at `offset` (a range, or the next slice of one) into whole rows
    /// and parses them.
    fn parse_range(&mut self, offset: u64, bytes: &[u8]) -> Result<Vec<crate::row::Row>> {
        let pieces = self
            .assembler
            .push(offset, bytes)
            .map_err(|e| file_error(&self.location, offset, self.row_number, e.to_string()))?;
        let mut builder = RowBuilder::new(self.metadata.clone(), self.row_number, self.skip);
        for piece in pieces.iter() {
            // Rows parsed so far in the file, counting the header: for error messages.
            let record = self.row_number + u64::from(!self.header);
            let mut parser = CsvParser::starting_at(piece.offset, record);
            let names = || {
                self.metadata
                    .columns()
                    .iter()
                    .map(|c| c.name.clone())
                    .collect()
            };
            let mut sink = if std::mem::take(&mut self.header) {
                ColumnCheck::with_header(names(), builder)
            } else {
                ColumnCheck::without_header(self.metadata.len(), builder)
            };
            parser
                .push(piece.bytes, &mut sink)
                .and_then(|()| parser.finish(&mut sink))
                .map_err(|e| file_error(&self.location, e.offset, e.row, e.kind.to_string()))?;
            builder = sink.into_inner();
            (self.row_number, self.skip) = builder.position();
        }
        Ok(builder.rows)
    }

    fn file_error(&self, offset: u64, row: u64, message: String) -> Error {
        file_error(&self.location, offset, row, message)
    }
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
