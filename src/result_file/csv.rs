//! Athena's CSV dialect, parsed by a push parser over byte chunks of any size.
//!
//! The dialect (what Athena writes to `<QueryExecutionId>.csv`): UTF-8, every row ends
//! with `\n` (the last one too), every non-NULL value is quoted with `"` and a `"` in it
//! is doubled, `\n` and `\r` stay inside quotes as they are, a `\` is an ordinary byte,
//! and NULL is an empty *unquoted* field while the empty string is `""`. The first row
//! is the header of quoted column names. The `csv` crate reads both NULL and `""` as
//! an empty string, which is why this parser exists.
//!
//! This file uses nothing else of the crate (the measurement programs reach it through
//! the hidden `__bench` module at the crate root).

use std::fmt;

/// Receives the fields and row ends that [`CsvParser`] finds, in file order.
pub(crate) trait RowSink {
    /// What the sink fails with. The parser hands it back inside [`CsvError`], with
    /// the byte offset and row where it happened.
    type Error;

    /// One field of the current row: `None` for NULL, `Some("")` for the empty string.
    ///
    /// The text is borrowed from the pushed chunk when it has no doubled quote and lies
    /// inside one chunk, from the parser's reused scratch buffer otherwise: copy
    /// what you keep.
    fn field(&mut self, value: Option<&str>) -> Result<(), Self::Error>;

    /// The end of the row whose fields were just given (its `\n` was read).
    fn end_row(&mut self) -> Result<(), Self::Error>;

    /// The file offset just past the `\n` of the row that [`end_row`](Self::end_row)
    /// (or the header check) just closed: a row boundary, where a reader may resume.
    /// Nothing by default; a sink that cuts its rows into batches notes where each
    /// batch ends.
    fn row_ended_at(&mut self, _offset: u64) {}

    /// The end of the input, after its last row: called once by [`CsvParser::finish`]
    /// when the input ended at a row boundary. Nothing by default.
    fn end_input(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// What is wrong with the input (or the sink), without the position.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CsvErrorKind<E> {
    /// A byte other than `"`, `,` or `\n` at the start of a field. Athena quotes every
    /// non-NULL value, so an unquoted field is always empty; this is also what a `"`
    /// in the middle of an unquoted field, or a `\r\n` line end after a NULL, gives.
    #[error(
        "unquoted text (byte 0x{byte:02x}): Athena quotes every value and writes NULL as an empty field"
    )]
    UnquotedText {
        /// The byte found.
        byte: u8,
    },
    /// A byte other than `"`, `,` or `\n` right after the `"` that closed a value
    /// (a lone `"` inside a value, or a `\r\n` line end).
    #[error("byte 0x{byte:02x} after the closing quote of a value, where `,` or a newline belongs")]
    TextAfterQuote {
        /// The byte found.
        byte: u8,
    },
    /// A value that is not UTF-8. The error's offset is that of the value's opening
    /// quote.
    #[error("a value is not UTF-8: only its first {valid_up_to} bytes are valid")]
    InvalidUtf8 {
        /// How many bytes of the (unescaped) value are valid UTF-8.
        valid_up_to: usize,
    },
    /// The input ended inside a quoted value. The error's offset is that of its
    /// opening quote.
    #[error("the input ends inside a quoted value")]
    UnterminatedQuote,
    /// The input ended in a row without its `\n`: Athena ends every row, the last one
    /// included, with `\n`, so the bytes are not the whole file.
    #[error("the input ends without the newline of its last row (the file is cut short)")]
    MissingFinalNewline,
    /// The parser was used again after it returned an error.
    #[error("the parser already failed")]
    AlreadyFailed,
    /// The sink returned an error.
    #[error("{0}")]
    Sink(E),
}

/// A parse error, or a sink error, with where it happened.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct CsvError<E> {
    /// Offset of the byte at fault in the file (the value's opening quote for
    /// [`CsvErrorKind::InvalidUtf8`] and [`CsvErrorKind::UnterminatedQuote`]; the end
    /// of the input for [`CsvErrorKind::MissingFinalNewline`]; the byte that ended the
    /// field or row for [`CsvErrorKind::Sink`]).
    pub(crate) offset: u64,
    /// 0-based number of the row (CSV record) at fault; the header is row 0, and a row
    /// with quoted newlines counts once.
    pub(crate) row: u64,
    /// What went wrong.
    pub(crate) kind: CsvErrorKind<E>,
}

impl<E: fmt::Display> fmt::Display for CsvError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "result file, byte {}, row {} (0 is the header): {}",
            self.offset, self.row, self.kind
        )
    }
}

impl<E: std::error::Error + 'static> std::error::Error for CsvError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            CsvErrorKind::Sink(e) => Some(e),
            _ => None,
        }
    }
}

/// A [`CsvError`] as the parser's own steps return it: boxed, so that their results
/// are a word or two, returned in registers. Unboxed, the result of every value was
/// written to memory and read back (the sink's error holds strings), as
/// `columnar::column::Failure` explains for the column builders.
type Failed<E> = Box<CsvError<E>>;

/// Where the parser is between two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a row (and so of a field).
    RowStart,
    /// At the start of a field after a `,`.
    FieldStart,
    /// Inside a quoted value; what was read of it is in the scratch buffer.
    Quoted,
    /// Inside a quoted value right after a `"` that the previous chunk ended with: it
    /// closes the value, or starts a doubled `""`; the next byte tells.
    QuoteSeen,
    /// An error was returned; nothing more is parsed.
    Failed,
}

/// A push parser for Athena's CSV dialect.
///
/// Feed it the file's bytes in order with [`push`](Self::push), in chunks that may end
/// anywhere (inside a value, between the two quotes of a `""`, inside a UTF-8
/// character), then call [`finish`](Self::finish). Fields and row ends go to a
/// [`RowSink`] as soon as they are complete. Memory stays bounded by the longest value
/// that spans chunks or holds a doubled quote.
///
/// A missing `\n` after the last row is an error ([`CsvErrorKind::MissingFinalNewline`]):
/// Athena always writes it, so its absence means the bytes are cut short, and a row
/// cut right after a closing quote could otherwise pass with fields missing. An empty
/// input is zero rows (the header check, [`ColumnCheck`], rejects it).
#[derive(Debug)]
pub(crate) struct CsvParser {
    state: State,
    /// File offset of the next byte to be pushed.
    offset: u64,
    /// Number of the row being read.
    row: u64,
    /// File offset of the opening quote of the value being read.
    value_start: u64,
    /// The value being read, unescaped, when it spans chunks or has a doubled quote;
    /// empty otherwise. Reused, so steady-state parsing does not allocate.
    scratch: Vec<u8>,
}

impl Default for CsvParser {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvParser {
    /// A parser at the start of a file.
    pub(crate) fn new() -> Self {
        Self::starting_at(0, 0)
    }

    /// A parser for bytes that start at a row boundary inside a file: `offset` is the
    /// file offset of the first byte it will be given and `row` the number of the row
    /// that starts there, so that errors name positions in the whole file. A reader
    /// that parses parts of a file in parallel may not know `row` yet; it then passes
    /// 0 and adds the rows of the earlier parts to [`CsvError::row`] itself.
    pub(crate) fn starting_at(offset: u64, row: u64) -> Self {
        CsvParser {
            state: State::RowStart,
            offset,
            row,
            value_start: offset,
            scratch: Vec::new(),
        }
    }

    #[cfg(test)]
    /// The number of rows completed so far (plus the `row` it started at).
    pub(crate) fn rows(&self) -> u64 {
        self.row
    }

    /// Parses the next chunk of the input, calling `sink` for every complete field
    /// and row. After an error the parser is spent: every later call fails with
    /// [`CsvErrorKind::AlreadyFailed`].
    pub(crate) fn push<S: RowSink>(
        &mut self,
        chunk: &[u8],
        sink: &mut S,
    ) -> Result<(), CsvError<S::Error>> {
        match self.parse(chunk, sink) {
            Ok(()) => {
                self.offset += chunk.len() as u64;
                Ok(())
            }
            Err(e) => {
                self.state = State::Failed;
                Err(*e)
            }
        }
    }

    /// Ends the input: fails if it stopped inside a row, else calls
    /// [`RowSink::end_input`].
    pub(crate) fn finish<S: RowSink>(self, sink: &mut S) -> Result<(), CsvError<S::Error>> {
        let (offset, kind) = match self.state {
            State::RowStart => match sink.end_input() {
                Ok(()) => return Ok(()),
                Err(e) => (self.offset, CsvErrorKind::Sink(e)),
            },
            State::FieldStart | State::QuoteSeen => {
                (self.offset, CsvErrorKind::MissingFinalNewline)
            }
            State::Quoted => (self.value_start, CsvErrorKind::UnterminatedQuote),
            State::Failed => (self.offset, CsvErrorKind::AlreadyFailed),
        };
        Err(CsvError {
            offset,
            row: self.row,
            kind,
        })
    }

    fn parse<S: RowSink>(&mut self, chunk: &[u8], sink: &mut S) -> Result<(), Failed<S::Error>> {
        // One check of the whole chunk instead of one per value: the per-value checks
        // took as long as finding the quotes (a profile of the `read_paths` parse
        // rate). A value that lies in the chunk is then a slice of this `str`, since
        // its bounds are next to ASCII quotes. A chunk that is not UTF-8 (cut inside a
        // character, or not Athena's) has its values checked one by one, which finds
        // the value at fault.
        let text = std::str::from_utf8(chunk).ok();
        let mut i = 0;
        // Finish a value that an earlier chunk left open.
        match self.state {
            State::RowStart | State::FieldStart => {}
            State::Quoted => match self.quoted(chunk, text, 0, true, sink)? {
                Some(next) => i = next,
                None => return Ok(()),
            },
            State::QuoteSeen => match chunk.first() {
                None => return Ok(()),
                Some(b'"') => {
                    // The quote that ended the last chunk was the first of a `""`.
                    self.scratch.push(b'"');
                    match self.quoted(chunk, text, 1, true, sink)? {
                        Some(next) => i = next,
                        None => return Ok(()),
                    }
                }
                Some(&b) => {
                    self.end_value(b, 0, Tail::InScratch(&[]), sink)?;
                    i = 1;
                }
            },
            State::Failed => return Err(self.error(0, CsvErrorKind::AlreadyFailed)),
        }
        // Field by field. Each arm leaves `state` right for a chunk that ends after it.
        while let Some(&b) = chunk.get(i) {
            match b {
                b'"' => {
                    self.value_start = self.offset + i as u64;
                    match self.quoted(chunk, text, i + 1, false, sink)? {
                        Some(next) => i = next,
                        None => return Ok(()),
                    }
                }
                b',' => {
                    sink.field(None).map_err(|e| self.sink_error(i, e))?;
                    self.state = State::FieldStart;
                    i += 1;
                }
                b'\n' => {
                    sink.field(None).map_err(|e| self.sink_error(i, e))?;
                    self.end_row(i, sink)?;
                    i += 1;
                }
                _ => return Err(self.error(i, CsvErrorKind::UnquotedText { byte: b })),
            }
        }
        Ok(())
    }

    /// Reads a quoted value from `start` (just past its opening quote, or the start of
    /// a chunk that continues it) through its closing quote and the `,` or `\n` after
    /// it. `in_scratch` says whether the value so far is in the scratch buffer (else
    /// it starts at `start` in this chunk and the scratch buffer is empty); `text` is
    /// the chunk when it is UTF-8. Returns where the next field starts, or `None` when
    /// the chunk ends first (the value so far is then in the scratch buffer).
    fn quoted<S: RowSink>(
        &mut self,
        chunk: &[u8],
        text: Option<&str>,
        mut start: usize,
        mut in_scratch: bool,
        sink: &mut S,
    ) -> Result<Option<usize>, Failed<S::Error>> {
        loop {
            let Some(quote) = find_quote(&chunk[start..]).map(|q| start + q) else {
                self.scratch.extend_from_slice(&chunk[start..]);
                self.state = State::Quoted;
                return Ok(None);
            };
            match chunk.get(quote + 1) {
                None => {
                    self.scratch.extend_from_slice(&chunk[start..quote]);
                    self.state = State::QuoteSeen;
                    return Ok(None);
                }
                Some(b'"') => {
                    // A doubled quote stands for one: the value can no longer be a
                    // slice of the chunk.
                    self.scratch.extend_from_slice(&chunk[start..=quote]);
                    in_scratch = true;
                    start = quote + 2;
                }
                Some(&b) => {
                    let bytes = &chunk[start..quote];
                    let tail = if in_scratch {
                        Tail::InScratch(bytes)
                    } else {
                        match text.and_then(|text| text.get(start..quote)) {
                            Some(checked) => Tail::Text(checked),
                            None => Tail::Bytes(bytes),
                        }
                    };
                    self.end_value(b, quote + 1, tail, sink)?;
                    return Ok(Some(quote + 2));
                }
            }
        }
    }

    /// Ends a quoted value at the byte `b` after its closing quote (at `at` in the
    /// chunk): hands the value (the scratch buffer and the tail, or the tail alone) to
    /// the sink, then the row end if `b` is `\n`.
    fn end_value<S: RowSink>(
        &mut self,
        b: u8,
        at: usize,
        tail: Tail<'_>,
        sink: &mut S,
    ) -> Result<(), Failed<S::Error>> {
        if b != b',' && b != b'\n' {
            return Err(self.error(at, CsvErrorKind::TextAfterQuote { byte: b }));
        }
        let value = match tail {
            Tail::Text(text) => Ok(text),
            Tail::Bytes(bytes) => std::str::from_utf8(bytes),
            Tail::InScratch(bytes) => {
                self.scratch.extend_from_slice(bytes);
                std::str::from_utf8(&self.scratch)
            }
        };
        let value = match value {
            Ok(value) => value,
            Err(e) => {
                return Err(Box::new(CsvError {
                    offset: self.value_start,
                    row: self.row,
                    kind: CsvErrorKind::InvalidUtf8 {
                        valid_up_to: e.valid_up_to(),
                    },
                }));
            }
        };
        let sent = sink.field(Some(value));
        self.scratch.clear();
        sent.map_err(|e| self.sink_error(at, e))?;
        if b == b'\n' {
            self.end_row(at, sink)
        } else {
            self.state = State::FieldStart;
            Ok(())
        }
    }

    fn end_row<S: RowSink>(&mut self, at: usize, sink: &mut S) -> Result<(), Failed<S::Error>> {
        sink.end_row().map_err(|e| self.sink_error(at, e))?;
        sink.row_ended_at(self.offset + at as u64 + 1);
        self.row += 1;
        self.state = State::RowStart;
        Ok(())
    }

    /// An error at index `at` of the chunk being parsed.
    #[cold]
    fn error<E>(&self, at: usize, kind: CsvErrorKind<E>) -> Failed<E> {
        Box::new(CsvError {
            offset: self.offset + at as u64,
            row: self.row,
            kind,
        })
    }

    #[cold]
    fn sink_error<E>(&self, at: usize, e: E) -> Failed<E> {
        self.error(at, CsvErrorKind::Sink(e))
    }
}

/// The last bytes of a quoted value, as [`CsvParser::end_value`] gets them.
enum Tail<'c> {
    /// The value is the scratch buffer with these bytes after it.
    InScratch(&'c [u8]),
    /// The value, already known to be UTF-8.
    Text(&'c str),
    /// The value, still to be checked.
    Bytes(&'c [u8]),
}

/// The index of the first `"` in `bytes`.
///
/// The first 16 bytes are searched eight at a time in a machine word, then memchr's
/// vector search takes the rest. memchr alone was ~30% faster than a byte loop (the
/// `parse_csv` bench: 909 against 695 MiB/s with the counting sink), but most values
/// are short, and for them its call and set-up were a sixth of the parse of a result
/// of many short text columns (a profile of the parse of `SELECT *` in `read_paths`).
#[inline]
fn find_quote(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while at < WORD_SEARCH_BYTES {
        let Some(word) = bytes.get(at..).and_then(|rest| rest.first_chunk::<8>()) else {
            break;
        };
        if let Some(found) = quote_in_word(u64::from_le_bytes(*word)) {
            return Some(at + found);
        }
        at += 8;
    }
    memchr::memchr(b'"', bytes.get(at..)?).map(|found| at + found)
}

/// How many bytes [`find_quote`] looks at a word at a time before it calls memchr.
const WORD_SEARCH_BYTES: usize = 16;

/// The index of the first `"` among the eight bytes of `word` (little-endian: byte 0
/// is the lowest), if any.
#[inline]
fn quote_in_word(word: u64) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);
    // A byte of `x` is zero where `word` has a quote. `(x - ONES) & !x` sets the high
    // bit of each byte that is zero, and may set it in bytes above a zero byte too
    // (the borrow runs upwards), never below the lowest: that one is exact.
    let x = word ^ QUOTES;
    let zeros = x.wrapping_sub(ONES) & !x & HIGHS;
    (zeros != 0).then(|| (zeros.trailing_zeros() / 8) as usize)
}

/// Why a [`ColumnCheck`] refused the rows.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ColumnError<E> {
    /// The header row is not the expected column names.
    #[error("the header row is {found:?}, expected the column names {expected:?}")]
    HeaderMismatch {
        /// The expected names.
        expected: Vec<String>,
        /// The header's fields (`None` for a NULL field).
        found: Vec<Option<String>>,
    },
    /// The input ended before a header row.
    #[error("the result file has no header row")]
    NoHeader,
    /// A data row has more or fewer fields than there are columns.
    #[error("a row has {found} fields, expected {expected} (one per column)")]
    FieldCount {
        /// The number of columns.
        expected: usize,
        /// The number of fields the row has (for too many: the count when the first
        /// extra field was seen).
        found: usize,
    },
    /// The inner sink failed.
    #[error("{0}")]
    Inner(E),
}

/// A [`RowSink`] adapter that checks the header row against the expected column names
/// and every data row's field count, and passes only data rows on.
///
/// Its errors come out of the parser as [`CsvErrorKind::Sink`], so they carry the
/// byte offset and row. After one, the inner sink may hold a partial row: discard it.
#[derive(Debug)]
pub(crate) struct ColumnCheck<S> {
    /// The expected names while the header row is still to come.
    expected_header: Option<Vec<String>>,
    /// The header row's fields as read so far.
    header: Vec<Option<String>>,
    columns: usize,
    /// Fields of the current data row so far.
    fields: usize,
    inner: S,
}

impl<S: RowSink> ColumnCheck<S> {
    /// Checks that the first row is exactly `names` (Athena's header row) and that
    /// every later row has `names.len()` fields; data rows go to `inner`.
    pub(crate) fn with_header(names: Vec<String>, inner: S) -> Self {
        ColumnCheck {
            columns: names.len(),
            expected_header: Some(names),
            header: Vec::new(),
            fields: 0,
            inner,
        }
    }

    /// Checks that every row has `columns` fields, for a part of the file that starts
    /// after the header; rows go to `inner`.
    pub(crate) fn without_header(columns: usize, inner: S) -> Self {
        ColumnCheck {
            expected_header: None,
            header: Vec::new(),
            columns,
            fields: 0,
            inner,
        }
    }

    /// The inner sink.
    pub(crate) fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: RowSink> RowSink for ColumnCheck<S> {
    type Error = ColumnError<S::Error>;

    fn field(&mut self, value: Option<&str>) -> Result<(), Self::Error> {
        if self.expected_header.is_some() {
            self.header.push(value.map(str::to_owned));
            return Ok(());
        }
        if self.fields == self.columns {
            return Err(ColumnError::FieldCount {
                expected: self.columns,
                found: self.fields + 1,
            });
        }
        self.fields += 1;
        self.inner.field(value).map_err(ColumnError::Inner)
    }

    fn end_row(&mut self) -> Result<(), Self::Error> {
        if let Some(expected) = self.expected_header.take() {
            let matches = self.header.len() == expected.len()
                && self
                    .header
                    .iter()
                    .zip(&expected)
                    .all(|(found, name)| found.as_deref() == Some(name.as_str()));
            if !matches {
                return Err(ColumnError::HeaderMismatch {
                    expected,
                    found: std::mem::take(&mut self.header),
                });
            }
            self.header = Vec::new();
            return Ok(());
        }
        if self.fields != self.columns {
            return Err(ColumnError::FieldCount {
                expected: self.columns,
                found: self.fields,
            });
        }
        self.fields = 0;
        self.inner.end_row().map_err(ColumnError::Inner)
    }

    fn row_ended_at(&mut self, offset: u64) {
        self.inner.row_ended_at(offset);
    }

    fn end_input(&mut self) -> Result<(), Self::Error> {
        if self.expected_header.is_some() {
            return Err(ColumnError::NoHeader);
        }
        self.inner.end_input().map_err(ColumnError::Inner)
    }
}

#[cfg(test)]
/// A [`RowSink`] that collects every row as `Vec<Option<String>>`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct CollectRows {
    /// The complete rows.
    pub(crate) rows: Vec<Vec<Option<String>>>,
    /// The fields of the row being read.
    current: Vec<Option<String>>,
}

#[cfg(test)]
impl RowSink for CollectRows {
    type Error = std::convert::Infallible;

    fn field(&mut self, value: Option<&str>) -> Result<(), Self::Error> {
        self.current.push(value.map(str::to_owned));
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), Self::Error> {
        let width = self.current.len();
        self.rows.push(std::mem::replace(
            &mut self.current,
            Vec::with_capacity(width),
        ));
        Ok(())
    }
}

#[cfg(test)]
mod tests;
