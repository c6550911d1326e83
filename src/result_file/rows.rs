//! Turning whole rows of a result file into the crate's [`Row`]s, on any task.

use std::ops::Range;
use std::sync::Arc;

use super::csv::{ColumnCheck, ColumnError, CsvError, CsvErrorKind, CsvParser, RowSink};
use super::split::Piece;
use crate::row::{Packer, ResultSetMetadata, Row};
use crate::s3::ranges::RangeBytes;

/// A [`RowSink`] that builds [`Row`]s, numbered from 0, each with its values packed in
/// one buffer.
pub(crate) struct RowBuilder {
    metadata: Arc<ResultSetMetadata>,
    packer: Packer,
    pub(crate) rows: Vec<Row>,
}

impl RowBuilder {
    pub(crate) fn new(metadata: Arc<ResultSetMetadata>) -> Self {
        RowBuilder {
            metadata,
            packer: Packer::default(),
            rows: Vec::new(),
        }
    }
}

impl RowSink for RowBuilder {
    type Error = std::convert::Infallible;

    fn field(&mut self, value: Option<&str>) -> Result<(), Self::Error> {
        self.packer.push(value);
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), Self::Error> {
        let row_number = self.rows.len() as u64;
        let data = self.packer.finish_row();
        self.rows
            .push(Row::from_data(self.metadata.clone(), row_number, data));
        Ok(())
    }
}

/// Whole rows of a result file, owned so that a task can parse them: a slice of a
/// range shared with the other slices of it, or a row joined from the tails of
/// several ranges (copied: it is one row).
pub(crate) enum OwnedPiece {
    /// `bytes[span]`, starting at file offset `offset`.
    InRange {
        offset: u64,
        bytes: Arc<RangeBytes>,
        span: Range<usize>,
    },
    /// A joined row starting at file offset `offset`.
    Joined { offset: u64, bytes: Vec<u8> },
}

impl OwnedPiece {
    /// `piece`, which lies either in `range` (the bytes at file offset `range_offset`)
    /// or in a buffer of the assembler. A row the assembler joined from two slices of
    /// the same range is the range's own bytes at its offset, and is shared, not copied.
    pub(crate) fn new(piece: Piece<'_>, range_offset: u64, range: &Arc<RangeBytes>) -> Self {
        let start = piece.offset.checked_sub(range_offset).map(|s| s as usize);
        match start {
            Some(start) if start + piece.bytes.len() <= range.len() => OwnedPiece::InRange {
                offset: piece.offset,
                bytes: range.clone(),
                span: start..start + piece.bytes.len(),
            },
            _ => OwnedPiece::Joined {
                offset: piece.offset,
                bytes: piece.bytes.to_vec(),
            },
        }
    }

    /// The file offset of the piece's first byte.
    pub(crate) fn offset(&self) -> u64 {
        match self {
            OwnedPiece::InRange { offset, .. } | OwnedPiece::Joined { offset, .. } => *offset,
        }
    }

    /// The piece's bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            OwnedPiece::InRange { bytes, span, .. } => &bytes[span.clone()],
            OwnedPiece::Joined { bytes, .. } => bytes,
        }
    }
}

/// Why the pieces of a slice could not be parsed: the file offset, the record counted
/// from the slice's first data row as 1 (0 is the header when the slice has it), and
/// what is wrong.
#[derive(Debug)]
pub(crate) struct PieceError {
    pub(crate) offset: u64,
    pub(crate) row: u64,
    pub(crate) message: String,
}

/// Parses pieces that follow each other in the file into [`Row`]s numbered from 0 (the
/// caller, which knows how many rows came before, renumbers them). With `header`, the
/// first row is Athena's header row, checked against the column names and not returned.
///
/// This is the work that runs on several cores at once: it needs nothing of the rows
/// before it, because the pieces were cut at row boundaries by quote parity.
pub(crate) fn parse_pieces(
    metadata: Arc<ResultSetMetadata>,
    pieces: &[OwnedPiece],
    header: bool,
) -> Result<Vec<Row>, PieceError> {
    let builder = RowBuilder::new(metadata.clone());
    let first = pieces.first().map_or(0, OwnedPiece::offset);
    parse_into(
        &metadata,
        first,
        pieces.iter().map(OwnedPiece::bytes),
        header,
        builder,
    )
    .map(|sink| sink.rows)
    .map_err(PieceError::from)
}

/// Parses pieces as [`parse_pieces`] does, into any sink of data rows; the error
/// keeps the sink's own.
pub(crate) fn parse_into<'a, S: RowSink>(
    metadata: &ResultSetMetadata,
    first_offset: u64,
    pieces: impl IntoIterator<Item = &'a [u8]>,
    header: bool,
    sink: S,
) -> Result<S, SliceError<S::Error>>
where
    S::Error: std::fmt::Display,
{
    let mut slice = SliceParser::new(metadata, first_offset, header, sink);
    pieces.into_iter().try_for_each(|piece| slice.push(piece))?;
    slice.finish()
}

/// [`parse_into`] fed a piece at a time, so that a task can give way between pieces.
pub(crate) struct SliceParser<S: RowSink> {
    parser: CsvParser,
    sink: ColumnCheck<S>,
    /// Whether any bytes were pushed: a slice of no pieces is no rows, with no header
    /// to check.
    pushed: bool,
}

impl<S: RowSink> SliceParser<S>
where
    S::Error: std::fmt::Display,
{
    /// A parser of a slice that starts at file offset `first_offset` (with Athena's
    /// header row there when `header`).
    pub(crate) fn new(
        metadata: &ResultSetMetadata,
        first_offset: u64,
        header: bool,
        sink: S,
    ) -> Self {
        let names = || metadata.columns().iter().map(|c| c.name.clone()).collect();
        let sink = if header {
            ColumnCheck::with_header(names(), sink)
        } else {
            ColumnCheck::without_header(metadata.len(), sink)
        };
        // The pieces of one slice follow each other in the file, so one parser reads
        // them all. Records are counted as the file counts them (the header, if any, is
        // 0); the caller adds the rows before the slice to an error's row.
        SliceParser {
            parser: CsvParser::starting_at(first_offset, u64::from(!header)),
            sink,
            pushed: false,
        }
    }

    /// The next bytes of the slice: a piece, or part of one.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<(), SliceError<S::Error>> {
        self.pushed = true;
        self.parser.push(bytes, &mut self.sink).map_err(slice_error)
    }

    /// The end of the slice: the sink, or why the slice does not end at a row's end.
    pub(crate) fn finish(mut self) -> Result<S, SliceError<S::Error>> {
        if self.pushed {
            self.parser.finish(&mut self.sink).map_err(slice_error)?;
        }
        Ok(self.sink.into_inner())
    }
}

fn slice_error<E: std::fmt::Display>(e: CsvError<ColumnError<E>>) -> SliceError<E> {
    match e.kind {
        CsvErrorKind::Sink(ColumnError::Inner(inner)) => SliceError::Sink(inner),
        kind => SliceError::File(PieceError {
            offset: e.offset,
            row: e.row,
            message: kind.to_string(),
        }),
    }
}

/// Why a slice could not be parsed: the file is not Athena's CSV, or the sink refused
/// a value.
pub(crate) enum SliceError<E> {
    File(PieceError),
    Sink(E),
}

impl From<SliceError<std::convert::Infallible>> for PieceError {
    fn from(e: SliceError<std::convert::Infallible>) -> Self {
        match e {
            SliceError::File(e) => e,
            SliceError::Sink(never) => match never {},
        }
    }
}

#[cfg(feature = "arrow")]
pub(crate) use batches::{SliceBatch, parse_bytes_into_batches, parse_pieces_into_batches};

#[cfg(feature = "arrow")]
mod batches {
    use std::sync::Arc;

    use super::{SliceError, SliceParser, parse_into};
    use arrow_array::RecordBatch;

    use crate::columnar::{BatchBuilder, BatchOptions, BatchPlan, ValueError};
    use crate::result_file::csv::RowSink;
    use crate::row::ResultSetMetadata;

    /// One batch of a slice's rows, and the file offset of the row boundary after it
    /// (`None` for the slice's last batch: the slice's own end).
    pub(crate) struct SliceBatch {
        pub(crate) batch: RecordBatch,
        pub(crate) end: Option<u64>,
    }

    /// A [`RowSink`] that builds Arrow batches of at most the options' rows and bytes,
    /// noting where each ends in the file.
    struct BatchSink {
        builder: BatchBuilder,
        rows: usize,
        bytes: usize,
        done: Vec<SliceBatch>,
        /// Rows in the batches already done, so that errors count from the slice.
        rows_before: usize,
    }

    /// A value error as the sink's error, which the parser's error type wants to
    /// be able to print.
    pub(crate) struct SinkValueError(pub(crate) ValueError);

    impl std::fmt::Display for SinkValueError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{:?}: {}", self.0.text, self.0.message)
        }
    }

    impl BatchSink {
        fn counted_in_slice(&self, mut e: ValueError) -> SinkValueError {
            e.row += self.rows_before;
            SinkValueError(e)
        }
    }

    impl RowSink for BatchSink {
        type Error = SinkValueError;

        fn field(&mut self, value: Option<&str>) -> Result<(), SinkValueError> {
            self.builder
                .push(value)
                .map_err(|e| self.counted_in_slice(e))
        }

        fn end_row(&mut self) -> Result<(), SinkValueError> {
            self.builder.end_row().map_err(|e| self.counted_in_slice(e))
        }

        fn row_ended_at(&mut self, offset: u64) {
            let rows = self.builder.rows();
            if rows > 0 && (rows >= self.rows || self.builder.bytes() >= self.bytes) {
                self.rows_before += rows;
                let batch = self.builder.finish();
                self.done.push(SliceBatch {
                    batch,
                    end: Some(offset),
                });
            }
        }
    }

    /// Parses bytes that start at file offset `first` as
    /// [`parse_pieces`](super::parse_pieces) does, straight into Arrow batches of
    /// `plan`'s schema: no `Row` in between. A value that does not read as its column's
    /// type is the sink's error, its row counted from the slice's first data row
    /// (0-based).
    pub(crate) fn parse_bytes_into_batches<'a>(
        metadata: &ResultSetMetadata,
        plan: Arc<BatchPlan>,
        options: &BatchOptions,
        first: u64,
        pieces: impl IntoIterator<Item = &'a [u8]>,
        header: bool,
    ) -> Result<Vec<SliceBatch>, SliceError<ValueError>> {
        let sink = BatchSink::new(plan, options);
        let sink = parse_into(metadata, first, pieces, header, sink).map_err(value_error)?;
        Ok(sink.finish())
    }

    /// How many bytes [`parse_pieces_into_batches`] parses between two
    /// turns of the runtime's other tasks: about a third of a millisecond.
    const GIVE_WAY_BYTES: usize = 256 * 1024;

    /// [`parse_bytes_into_batches`] in a task that lets the runtime's other tasks run
    /// after every [`GIVE_WAY_BYTES`]. A slice of a batch's rows (megabytes) took a
    /// worker thread for milliseconds, and the tasks reading the ranges' bodies waited
    /// that long: with S3's latency, a read of `SELECT *` as batches fell to 0.84 of
    /// the rows/s of the same read as rows, whose slices are a tenth of the size
    /// (BENCHMARKS.md, "Columns"). Parsing on the blocking pool instead cost a quarter
    /// of the speed without latency, in hand-offs between threads.
    pub(crate) async fn parse_pieces_into_batches<'a>(
        metadata: &ResultSetMetadata,
        plan: Arc<BatchPlan>,
        options: &BatchOptions,
        first: u64,
        pieces: impl IntoIterator<Item = &'a [u8]>,
        header: bool,
    ) -> Result<Vec<SliceBatch>, SliceError<ValueError>> {
        let mut slice = SliceParser::new(metadata, first, header, BatchSink::new(plan, options));
        for piece in pieces {
            if piece.is_empty() {
                // Pushed all the same, as `parse_into` pushes it: a slice of empty
                // pieces is still checked for its header when it is finished.
                slice.push(piece).map_err(value_error)?;
            }
            for part in piece.chunks(GIVE_WAY_BYTES) {
                slice.push(part).map_err(value_error)?;
                tokio::task::yield_now().await;
            }
        }
        Ok(slice.finish().map_err(value_error)?.finish())
    }

    impl BatchSink {
        fn new(plan: Arc<BatchPlan>, options: &BatchOptions) -> Self {
            BatchSink {
                builder: BatchBuilder::new(plan),
                rows: options.rows(),
                bytes: options.bytes(),
                done: Vec::new(),
                rows_before: 0,
            }
        }

        /// The slice's batches, the rows not yet in one as the last.
        fn finish(mut self) -> Vec<SliceBatch> {
            if self.builder.rows() > 0 {
                let batch = self.builder.finish();
                self.done.push(SliceBatch { batch, end: None });
            }
            self.done
        }
    }

    fn value_error(e: SliceError<SinkValueError>) -> SliceError<ValueError> {
        match e {
            SliceError::File(e) => SliceError::File(e),
            SliceError::Sink(SinkValueError(e)) => SliceError::Sink(e),
        }
    }
}
