//! Turning whole rows of a result file into the crate's [`Row`]s, on any task.

use std::ops::Range;
use std::sync::Arc;

use super::csv::{ColumnCheck, CsvParser, RowSink};
use super::ranges::RangeBytes;
use super::split::Piece;
use crate::row::{Packer, ResultSetMetadata, Row};

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

    fn offset(&self) -> u64 {
        match self {
            OwnedPiece::InRange { offset, .. } | OwnedPiece::Joined { offset, .. } => *offset,
        }
    }

    fn bytes(&self) -> &[u8] {
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
    let columns = metadata.len();
    let names = || metadata.columns().iter().map(|c| c.name.clone()).collect();
    let builder = RowBuilder::new(metadata.clone());
    let mut sink = if header {
        ColumnCheck::with_header(names(), builder)
    } else {
        ColumnCheck::without_header(columns, builder)
    };
    // The pieces of one push follow each other in the file, so one parser reads them
    // all. Records are counted as the file counts them (the header, if any, is 0); the
    // caller adds the rows before the slice to an error's row.
    let Some(first) = pieces.first() else {
        return Ok(Vec::new());
    };
    let mut parser = CsvParser::starting_at(first.offset(), u64::from(!header));
    pieces
        .iter()
        .try_for_each(|piece| parser.push(piece.bytes(), &mut sink))
        .and_then(|()| parser.finish(&mut sink))
        .map_err(|e| PieceError {
            offset: e.offset,
            row: e.row,
            message: e.kind.to_string(),
        })?;
    Ok(sink.into_inner().rows)
}
