//! Cutting a result file, fetched as byte ranges, into whole rows, exactly.
//!
//! Athena never escapes a `"` but by doubling it, so a byte of the file lies inside a
//! quoted value exactly when an odd number of `"` bytes come before it (a doubled `""`
//! adds two and changes nothing). A `\n` outside quotes ends a row, and nothing else
//! does. Counting the quotes of a range runs at memory speed; once the counts of all
//! earlier ranges are known, every row boundary in a range is known too, with no
//! guessing, quoted newlines included.
//!
//! [`RangeCut`] is that computation for one range. [`RowAssembler`] applies it to
//! ranges given in file order, carries the bytes of a row that continues into the next
//! range (over as many ranges as it spans), and hands out pieces that each hold whole
//! rows. Each piece can be parsed on its own, by its own
//! [`CsvParser::starting_at`](super::csv::CsvParser::starting_at), in parallel with
//! the others: the rows of the pieces, in order, are exactly the rows of the file.
//!
//! This file uses nothing else of the crate but the default chunk settings (the
//! measurement programs reach it through the hidden `__bench` module at the crate root).

use std::ops::Range;

use crate::settings::{DEFAULT_CHUNK_SIZE, DEFAULT_CHUNKS_IN_FLIGHT};

/// The number of `"` bytes in `bytes`.
pub(crate) fn count_quotes(bytes: &[u8]) -> u64 {
    // Per block of 255 bytes a u8 counter cannot overflow, and comparing and adding
    // bytes in a fixed-size loop is what the compiler turns into vector instructions.
    let mut total = 0u64;
    let mut blocks = bytes.chunks_exact(255);
    for block in &mut blocks {
        let mut n = 0u8;
        for &b in block {
            n += u8::from(b == b'"');
        }
        total += u64::from(n);
    }
    total + blocks.remainder().iter().filter(|&&b| b == b'"').count() as u64
}

/// Where the row boundaries of one range lie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RangeCut {
    /// The number of `"` bytes in the range.
    pub(crate) quotes: u64,
    /// The span from just past the first `\n` outside quotes to just past the last
    /// one: whole rows that start and end in the range (empty when it has one such
    /// `\n`). The bytes before it end a row that started before the range (or are a
    /// whole row if the range starts at a row boundary); the bytes after it start a
    /// row that ends in a later range. `None` when the range has no `\n` outside
    /// quotes: it lies inside one row.
    pub(crate) rows: Option<Range<usize>>,
}

impl RangeCut {
    /// Finds the row boundaries of `range`, given whether an odd number of quotes
    /// come before it in the file (the sum of [`count_quotes`] over all earlier
    /// ranges, modulo 2).
    pub(crate) fn new(range: &[u8], odd_quotes_before: bool) -> Self {
        let quotes = count_quotes(range);
        // Forward from the start for the first `\n` outside quotes.
        let mut odd = odd_quotes_before;
        let mut first = None;
        for (i, &b) in range.iter().enumerate() {
            if b == b'"' {
                odd = !odd;
            } else if b == b'\n' && !odd {
                first = Some(i + 1);
                break;
            }
        }
        let Some(first) = first else {
            return RangeCut { quotes, rows: None };
        };
        // Backward from the end for the last one: the parity at the end is known
        // from the count, and rows are short, so this stops soon.
        let mut odd = odd_quotes_before ^ (quotes % 2 == 1);
        let mut last = first;
        for (i, &b) in range.iter().enumerate().skip(first).rev() {
            if b == b'"' {
                odd = !odd;
            } else if b == b'\n' && !odd {
                last = i + 1;
                break;
            }
        }
        RangeCut {
            quotes,
            rows: Some(first..last),
        }
    }
}

/// Bytes of whole rows, with their offset in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Piece<'a> {
    /// File offset of `bytes[0]`; always at a row boundary.
    pub(crate) offset: u64,
    /// One or more whole rows, each ending with its `\n`.
    pub(crate) bytes: &'a [u8],
}

/// The whole rows that one [`RowAssembler::push`] completed: at most two pieces, in
/// file order (a row carried over from earlier ranges, then the rows inside the range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pieces<'a> {
    pieces: [Option<Piece<'a>>; 2],
}

impl<'a> Pieces<'a> {
    /// The pieces, in file order; none when no row ended in the range.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Piece<'a>> + '_ {
        self.pieces.iter().flatten().copied()
    }
}

/// Why a [`RowAssembler`] refused a range or the end of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SplitError {
    /// A range does not start where the previous one ended.
    #[error("a range starts at byte {found}, but the previous one ended at byte {expected}")]
    NotContiguous {
        /// The offset where the previous range ended.
        expected: u64,
        /// The offset given.
        found: u64,
    },
    /// A row grew past the limit without ending. Athena's rows are far smaller; a
    /// quote count that never returns to even (a file that is not Athena's CSV) does
    /// this, and would otherwise hold the rest of the file in memory.
    #[error(
        "the row that starts at byte {offset} is longer than {limit} bytes, the most one row \
         may take: the ranged read's memory budget (chunk size x chunks in flight, at least 64 KiB; \
         raise `with_chunk_size` or `with_chunks_in_flight` for longer rows)"
    )]
    RowTooLong {
        /// File offset of the row.
        offset: u64,
        /// The limit in bytes.
        limit: usize,
    },
    /// The input ended inside a row: the file does not end with a `\n` outside quotes.
    #[error(
        "the file ends inside the row that starts at byte {offset} ({len} bytes without a final newline{})",
        if *.inside_quotes { ", inside a quoted value" } else { "" }
    )]
    Unfinished {
        /// File offset of the row.
        offset: u64,
        /// Its length so far.
        len: usize,
        /// Whether the file ends inside a quoted value.
        inside_quotes: bool,
    },
}

impl SplitError {
    /// The file offset the error is about: the row's start, or where a range began.
    pub(crate) fn offset(&self) -> u64 {
        match self {
            SplitError::NotContiguous { found, .. } => *found,
            SplitError::RowTooLong { offset, .. } | SplitError::Unfinished { offset, .. } => {
                *offset
            }
        }
    }
}

/// Turns a file's byte ranges, given in file order, into pieces of whole rows.
///
/// It keeps the running quote parity, and the bytes of a row that has not ended yet
/// (the tail of the last range, or of several). Memory: that carried row, at most
/// [`max_row_len`](Self::with_max_row_len) bytes, plus the row it completed last.
#[derive(Debug)]
pub(crate) struct RowAssembler {
    /// File offset where the next range must start.
    next_offset: u64,
    /// Whether an odd number of quotes come before `next_offset`.
    odd: bool,
    /// The start of a row that has not ended yet; it ends at `next_offset`.
    carry: Vec<u8>,
    /// The row the last push completed from `carry`; kept so that it can be lent out.
    joined: Vec<u8>,
    max_row_len: usize,
}

impl Default for RowAssembler {
    fn default() -> Self {
        Self::new()
    }
}

impl RowAssembler {
    /// The default [`with_max_row_len`](Self::with_max_row_len): the ranged read's
    /// default memory budget (8 chunks of 8 MiB); the result file's source gives its own
    /// budget ([`with_memory_budget`](Self::with_memory_budget)), so that the row being
    /// put together never takes more memory than the ranges in flight. Athena's rows are at most 32 MB, a little
    /// more at times (docs/athena.md, "Result files"); as the file's text a varbinary
    /// takes three bytes a byte (`68 65 6c`), so a row of binary data near the limit
    /// needs a larger budget. A quote that never closes (a file that is not Athena's) is
    /// refused at this length rather than held for longer.
    pub(crate) const DEFAULT_MAX_ROW_LEN: usize =
        DEFAULT_CHUNK_SIZE as usize * DEFAULT_CHUNKS_IN_FLIGHT;

    /// The least limit a budget sets: a budget below it (ranges of a few bytes, which
    /// only tests and measurements ask for) still puts a row of 64 KiB together.
    pub(crate) const MIN_MAX_ROW_LEN: usize = 64 << 10;

    /// An assembler for a file read from its first byte.
    pub(crate) fn new() -> Self {
        RowAssembler {
            next_offset: 0,
            odd: false,
            carry: Vec::new(),
            joined: Vec::new(),
            max_row_len: Self::DEFAULT_MAX_ROW_LEN,
        }
    }

    /// An assembler for a file read from `offset`, which must be a row boundary (where a
    /// page said to resume).
    pub(crate) fn starting_at(offset: u64) -> Self {
        RowAssembler {
            next_offset: offset,
            ..Self::new()
        }
    }

    /// The file offset where the row that has not ended yet starts: where the rows
    /// after those handed out so far begin, and so where a consumer resumes.
    pub(crate) fn pending_row_start(&self) -> u64 {
        self.next_offset - self.carry.len() as u64
    }

    /// Refuses a row longer than a ranged read's memory budget of `budget` bytes, or
    /// than [`MIN_MAX_ROW_LEN`](Self::MIN_MAX_ROW_LEN) when the budget is smaller.
    pub(crate) fn with_memory_budget(self, budget: u64) -> Self {
        let limit = usize::try_from(budget).unwrap_or(usize::MAX);
        self.with_max_row_len(limit.max(Self::MIN_MAX_ROW_LEN))
    }

    /// Refuses, with [`SplitError::RowTooLong`], a row longer than `limit` bytes
    /// (default [`DEFAULT_MAX_ROW_LEN`](Self::DEFAULT_MAX_ROW_LEN)).
    pub(crate) fn with_max_row_len(mut self, limit: usize) -> Self {
        self.max_row_len = limit;
        self
    }

    #[cfg(test)]
    /// The file offset where the next range must start.
    pub(crate) fn next_offset(&self) -> u64 {
        self.next_offset
    }

    /// Takes the next range, which starts at file offset `offset`, and returns the
    /// whole rows that end in it.
    pub(crate) fn push<'a>(
        &'a mut self,
        offset: u64,
        range: &'a [u8],
    ) -> Result<Pieces<'a>, SplitError> {
        if offset != self.next_offset {
            return Err(SplitError::NotContiguous {
                expected: self.next_offset,
                found: offset,
            });
        }
        let carry_offset = self.next_offset - self.carry.len() as u64;
        let cut = RangeCut::new(range, self.odd);
        let Some(rows) = cut.rows else {
            // The whole range lies inside one row.
            if self.carry.len() + range.len() > self.max_row_len {
                return Err(SplitError::RowTooLong {
                    offset: carry_offset,
                    limit: self.max_row_len,
                });
            }
            self.carry.extend_from_slice(range);
            self.advance(range.len(), cut.quotes);
            return Ok(Pieces::default());
        };
        let tail = &range[rows.end..];
        if tail.len() > self.max_row_len {
            return Err(SplitError::RowTooLong {
                offset: offset + rows.end as u64,
                limit: self.max_row_len,
            });
        }
        if !self.carry.is_empty() && self.carry.len() + rows.start > self.max_row_len {
            return Err(SplitError::RowTooLong {
                offset: carry_offset,
                limit: self.max_row_len,
            });
        }
        // Nothing can fail from here on: a refused range leaves the assembler as it was.
        self.advance(range.len(), cut.quotes);
        let mut pieces = Pieces::default();
        if self.carry.is_empty() {
            // The range starts at a row boundary: its head is a whole row, and it is
            // contiguous with the rows after it.
            pieces.pieces[0] = Some(Piece {
                offset,
                bytes: &range[..rows.end],
            });
        } else {
            // The carried row ends with the range's head. Swapping the buffers lets
            // the completed row be lent out while the tail starts the next carry.
            std::mem::swap(&mut self.carry, &mut self.joined);
            self.joined.extend_from_slice(&range[..rows.start]);
            self.carry.clear();
            pieces.pieces[0] = Some(Piece {
                offset: carry_offset,
                bytes: &self.joined,
            });
            if !rows.is_empty() {
                pieces.pieces[1] = Some(Piece {
                    offset: offset + rows.start as u64,
                    bytes: &range[rows.clone()],
                });
            }
        }
        self.carry.extend_from_slice(tail);
        Ok(pieces)
    }

    /// Ends the input: fails if the file does not end at a row boundary.
    pub(crate) fn finish(self) -> Result<(), SplitError> {
        if self.carry.is_empty() {
            Ok(())
        } else {
            Err(SplitError::Unfinished {
                offset: self.next_offset - self.carry.len() as u64,
                len: self.carry.len(),
                inside_quotes: self.odd,
            })
        }
    }

    /// Moves past a range of `len` bytes holding `quotes` quotes.
    fn advance(&mut self, len: usize, quotes: u64) {
        self.next_offset += len as u64;
        self.odd ^= quotes % 2 == 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_counted_in_every_block_and_the_remainder() {
        assert_eq!(count_quotes(b""), 0);
        assert_eq!(count_quotes(b"\"a\"\"b\""), 4);
        // 255-byte blocks: a full block of quotes must not overflow its counter.
        for len in [254, 255, 256, 510, 511, 1000] {
            let all = vec![b'"'; len];
            assert_eq!(count_quotes(&all), len as u64);
            let every_third: Vec<u8> = (0..len)
                .map(|i| if i % 3 == 0 { b'"' } else { b'x' })
                .collect();
            assert_eq!(count_quotes(&every_third), len.div_ceil(3) as u64);
        }
    }

    #[test]
    fn newlines_inside_quotes_are_not_boundaries() {
        // "a\n","b"\n"c\n\n"\n"d"\n
        let range = b"\"a\n\",\"b\"\n\"c\n\n\"\n\"d\"\n";
        let cut = RangeCut::new(range, false);
        assert_eq!(cut.quotes, 8);
        assert_eq!(cut.rows, Some(9..range.len()));
        assert_eq!(&range[..9], b"\"a\n\",\"b\"\n");
    }

    #[test]
    fn the_parity_before_the_range_decides() {
        // `"x\n","y"\n` read from byte 1: after one quote, so the first `\n` is
        // quoted. Read as if no quote came before, the same bytes cut elsewhere.
        let range = b"x\n\",\"y\"\n";
        assert_eq!(RangeCut::new(range, true).rows, Some(8..8));
        assert_eq!(RangeCut::new(range, false).rows, Some(2..2));
    }

    #[test]
    fn a_range_inside_one_row_has_no_rows() {
        assert_eq!(RangeCut::new(b"\"abc\n", false).rows, None);
        assert_eq!(RangeCut::new(b"\n\n,\n", true).rows, None);
        assert_eq!(RangeCut::new(b"", false).rows, None);
        // One boundary: nothing whole inside, but the head ends a row.
        assert_eq!(RangeCut::new(b"ab\ncd", false).rows, Some(3..3));
    }

    /// Pushes `ranges` and returns the pieces as (offset, bytes).
    fn assemble(ranges: &[&[u8]]) -> Result<Vec<(u64, Vec<u8>)>, SplitError> {
        let mut assembler = RowAssembler::new();
        let mut pieces = Vec::new();
        for range in ranges {
            let offset = assembler.next_offset();
            for piece in assembler.push(offset, range)?.iter() {
                pieces.push((piece.offset, piece.bytes.to_vec()));
            }
        }
        assembler.finish()?;
        Ok(pieces)
    }

    #[test]
    fn a_row_spanning_several_ranges_is_carried_over() {
        let pieces = assemble(&[
            b"\"a\"\n\"lo",
            b"ng\nrow",
            b"\"\"",
            b"\"\n\"b\"\n\"c",
            b"\"\n",
        ])
        .unwrap();
        assert_eq!(
            pieces,
            vec![
                (0, b"\"a\"\n".to_vec()),
                (4, b"\"long\nrow\"\"\"\n".to_vec()),
                (17, b"\"b\"\n".to_vec()),
                (21, b"\"c\"\n".to_vec()),
            ]
        );
    }

    #[test]
    fn a_range_that_starts_at_a_row_boundary_is_one_piece() {
        let pieces = assemble(&[b"\"a\"\n", b"\"b\"\n\"c\"\n", b"", b"\"d\"\n"]).unwrap();
        assert_eq!(
            pieces,
            vec![
                (0, b"\"a\"\n".to_vec()),
                (4, b"\"b\"\n\"c\"\n".to_vec()),
                (12, b"\"d\"\n".to_vec()),
            ]
        );
    }

    #[test]
    fn ranges_must_be_contiguous() {
        let mut assembler = RowAssembler::new();
        assembler.push(0, b"\"a\"\n\"b").unwrap();
        for offset in [0, 5, 7] {
            assert_eq!(
                assembler.push(offset, b"\"\n").unwrap_err(),
                SplitError::NotContiguous {
                    expected: 6,
                    found: offset
                }
            );
        }
        // Refused ranges change nothing.
        let pieces: Vec<_> = assembler.push(6, b"\"\n").unwrap().iter().collect();
        assert_eq!(
            pieces,
            [Piece {
                offset: 4,
                bytes: b"\"b\"\n"
            }]
        );
        assembler.finish().unwrap();
    }

    #[test]
    fn the_file_must_end_at_a_row_boundary() {
        assert_eq!(
            assemble(&[b"\"a\"\n\"b\""]).unwrap_err(),
            SplitError::Unfinished {
                offset: 4,
                len: 3,
                inside_quotes: false
            }
        );
        let e = assemble(&[b"\"a\"\n\"b", b"\nc"]).unwrap_err();
        assert_eq!(
            e,
            SplitError::Unfinished {
                offset: 4,
                len: 4,
                inside_quotes: true
            }
        );
        assert_eq!(
            e.to_string(),
            "the file ends inside the row that starts at byte 4 (4 bytes without a final \
             newline, inside a quoted value)"
        );
    }

    #[test]
    fn a_row_past_the_limit_is_refused() {
        // A row that keeps growing over ranges.
        let mut assembler = RowAssembler::new().with_max_row_len(8);
        assembler.push(0, b"\"a\"\n\"b").unwrap();
        assembler.push(6, b"\"\"\n\"c").unwrap();
        assert_eq!(
            assembler.push(11, b"\"\n").unwrap_err(),
            SplitError::RowTooLong {
                offset: 4,
                limit: 8
            }
        );
        // A tail alone, and a head that completes a carried row.
        let mut assembler = RowAssembler::new().with_max_row_len(3);
        assert_eq!(
            assembler.push(0, b"\"\"\n\"abc").unwrap_err(),
            SplitError::RowTooLong {
                offset: 3,
                limit: 3
            }
        );
        let mut assembler = RowAssembler::new().with_max_row_len(4);
        assembler.push(0, b"\"ab").unwrap();
        assert_eq!(
            assembler.push(3, b"c\"\n").unwrap_err(),
            SplitError::RowTooLong {
                offset: 0,
                limit: 4
            }
        );
        // A refused range leaves the assembler as it was.
        assert_eq!(assembler.next_offset(), 3);
        // Exactly at the limit passes.
        let mut assembler = RowAssembler::new().with_max_row_len(5);
        assembler.push(0, b"\"ab").unwrap();
        let pieces: Vec<_> = assembler.push(3, b"\"\n").unwrap().iter().collect();
        assert_eq!(
            pieces,
            [Piece {
                offset: 0,
                bytes: b"\"ab\"\n"
            }]
        );
    }
}
