use super::*;
use std::convert::Infallible;

type Rows = Vec<Vec<Option<String>>>;

fn parse_in_chunks(input: &[u8], size: usize) -> Result<Rows, CsvError<Infallible>> {
    let mut parser = CsvParser::new();
    let mut sink = CollectRows::default();
    for chunk in input.chunks(size.max(1)) {
        parser.push(chunk, &mut sink)?;
    }
    parser.finish(&mut sink)?;
    Ok(sink.rows)
}

/// Parses `input` whole, in 1-byte chunks and in two chunks cut at every offset,
/// checks that all give the same answer, and returns it.
fn parse(input: &[u8]) -> Result<Rows, CsvError<Infallible>> {
    let whole = parse_in_chunks(input, input.len());
    assert_eq!(parse_in_chunks(input, 1), whole, "1-byte chunks");
    for cut in 0..=input.len() {
        let mut parser = CsvParser::new();
        let mut sink = CollectRows::default();
        let two = parser
            .push(&input[..cut], &mut sink)
            .and_then(|()| parser.push(&input[cut..], &mut sink))
            .and_then(|()| parser.finish(&mut sink))
            .map(|()| sink.rows);
        assert_eq!(two, whole, "cut at {cut}");
    }
    whole
}

fn row(values: &[Option<&str>]) -> Vec<Option<String>> {
    values.iter().map(|v| v.map(str::to_owned)).collect()
}

fn error_at(input: &[u8]) -> (u64, u64, CsvErrorKind<Infallible>) {
    let e = parse(input).expect_err("the input is malformed");
    (e.offset, e.row, e.kind)
}

#[test]
fn the_documented_example() {
    let rows = parse(b"\"a\",\"b\"\n\"x,y\",\n\"\",\"say \"\"hi\"\"\"\n").unwrap();
    assert_eq!(
        rows,
        vec![
            row(&[Some("a"), Some("b")]),
            row(&[Some("x,y"), None]),
            row(&[Some(""), Some("say \"hi\"")]),
        ]
    );
}

#[test]
fn null_and_empty_string_stay_apart_in_every_position() {
    let rows = parse(b",\"\",\n\"\",,\"\"\n").unwrap();
    assert_eq!(
        rows,
        vec![
            row(&[None, Some(""), None]),
            row(&[Some(""), None, Some("")])
        ]
    );
}

#[test]
fn a_one_column_null_row_is_an_empty_line() {
    let rows = parse(b"\"c\"\n\n\"\"\n\n").unwrap();
    assert_eq!(
        rows,
        vec![
            row(&[Some("c")]),
            row(&[None]),
            row(&[Some("")]),
            row(&[None])
        ]
    );
}

#[test]
fn a_header_alone_is_zero_rows_and_no_input_is_nothing() {
    assert_eq!(
        parse(b"\"a\",\"b\"\n").unwrap(),
        vec![row(&[Some("a"), Some("b")])]
    );
    assert_eq!(parse(b"").unwrap(), Rows::new());
}

#[test]
fn newlines_backslashes_and_non_ascii_are_kept_as_they_are() {
    let value = "l1\nl2\r\nl3\r \\n \\\" é € 😀 \t";
    let mut input = b"\"".to_vec();
    input.extend_from_slice(value.replace('"', "\"\"").as_bytes());
    input.extend_from_slice(b"\"\n");
    assert_eq!(parse(&input).unwrap(), vec![row(&[Some(value)])]);
}

#[test]
fn quotes_at_every_place_in_a_value() {
    // `""` at the start, the end, alone and in a run, around delimiters.
    let input = b"\"\"\"\"\"\"\"\",\"\"\"x\",\"x\"\"\",\"a\"\"\"\"b\",\"\"\",\"\"\"\n";
    assert_eq!(
        parse(input).unwrap(),
        vec![row(&[
            Some("\"\"\""),
            Some("\"x"),
            Some("x\""),
            Some("a\"\"b"),
            Some("\",\""),
        ])]
    );
}

#[test]
fn values_without_doubled_quotes_are_borrowed_from_the_chunk() {
    struct Where<'c> {
        chunk: &'c [u8],
        borrowed: Vec<bool>,
    }
    impl RowSink for Where<'_> {
        type Error = Infallible;
        fn field(&mut self, value: Option<&str>) -> Result<(), Infallible> {
            let range = self.chunk.as_ptr_range();
            let p = value.unwrap().as_ptr();
            self.borrowed.push(range.contains(&p));
            Ok(())
        }
        fn end_row(&mut self) -> Result<(), Infallible> {
            Ok(())
        }
    }
    let chunk = b"\"plain\",\"with \"\"q\"\"\",\"x\"\n";
    let mut sink = Where {
        chunk,
        borrowed: Vec::new(),
    };
    let mut parser = CsvParser::new();
    parser.push(chunk, &mut sink).unwrap();
    parser.finish(&mut sink).unwrap();
    assert_eq!(sink.borrowed, [true, false, true]);
}

#[test]
fn a_character_split_between_chunks_is_put_back_together() {
    // parse() cuts the input at every offset, inside each multi-byte character too.
    let rows = parse("\"é€😀\",\"😀\"\n".as_bytes()).unwrap();
    assert_eq!(rows, vec![row(&[Some("é€😀"), Some("😀")])]);
}

#[test]
fn unquoted_text_is_refused_where_it_starts() {
    assert_eq!(
        error_at(b"\"a\"\nab,\"c\"\n"),
        (4, 1, CsvErrorKind::UnquotedText { byte: b'a' })
    );
    // A quote in the middle of an unquoted field: the field's first byte is at fault.
    assert_eq!(
        error_at(b"\"a\",x\"y\"\n"),
        (4, 0, CsvErrorKind::UnquotedText { byte: b'x' })
    );
    // A UTF-8 byte order mark.
    assert_eq!(
        error_at("\u{feff}\"a\"\n".as_bytes()),
        (0, 0, CsvErrorKind::UnquotedText { byte: 0xef })
    );
}

#[test]
fn text_after_a_closing_quote_is_refused() {
    assert_eq!(
        error_at(b"\"a\"\n\"b\"c\n"),
        (7, 1, CsvErrorKind::TextAfterQuote { byte: b'c' })
    );
    // A lone quote inside a value.
    assert_eq!(
        error_at(b"\"a\"b\"\n"),
        (3, 0, CsvErrorKind::TextAfterQuote { byte: b'b' })
    );
}

#[test]
fn crlf_line_ends_are_refused() {
    assert_eq!(
        error_at(b"\"a\"\r\n"),
        (3, 0, CsvErrorKind::TextAfterQuote { byte: b'\r' })
    );
    assert_eq!(
        error_at(b"\"a\",\r\n"),
        (4, 0, CsvErrorKind::UnquotedText { byte: b'\r' })
    );
}

#[test]
fn an_unterminated_quote_is_refused_at_its_opening_quote() {
    assert_eq!(
        error_at(b"\"a\"\n\"b\",\"c\nd\n"),
        (8, 1, CsvErrorKind::UnterminatedQuote)
    );
    // Ending on a doubled quote is still inside the value.
    assert_eq!(
        error_at(b"\"a\"\""),
        (0, 0, CsvErrorKind::UnterminatedQuote)
    );
}

#[test]
fn a_missing_final_newline_is_refused() {
    assert_eq!(
        error_at(b"\"a\"\n\"b\""),
        (7, 1, CsvErrorKind::MissingFinalNewline)
    );
    assert_eq!(
        error_at(b"\"a\"\n\"b\","),
        (8, 1, CsvErrorKind::MissingFinalNewline)
    );
}

#[test]
fn invalid_utf8_is_refused_at_its_value() {
    assert_eq!(
        error_at(b"\"a\"\n\"ok\",\"b\xffc\"\n"),
        (9, 1, CsvErrorKind::InvalidUtf8 { valid_up_to: 1 })
    );
    // In the scratch buffer (after a doubled quote) too.
    assert_eq!(
        error_at(b"\"\"\"\xe2\x82\"\n"),
        (0, 0, CsvErrorKind::InvalidUtf8 { valid_up_to: 1 })
    );
}

#[test]
fn errors_name_positions_from_the_start_given() {
    let mut parser = CsvParser::starting_at(1000, 7);
    let mut sink = CollectRows::default();
    parser.push(b"\"a\"\n\"b\"", &mut sink).unwrap();
    let e = parser.push(b"x\n", &mut sink).unwrap_err();
    assert_eq!((e.offset, e.row), (1007, 8));
    assert_eq!(
        e.to_string(),
        "result file, byte 1007, row 8 (0 is the header): byte 0x78 after the closing \
         quote of a value, where `,` or a newline belongs"
    );
}

#[test]
fn a_failed_parser_stays_failed() {
    let mut parser = CsvParser::new();
    let mut sink = CollectRows::default();
    assert!(parser.push(b"x", &mut sink).is_err());
    let e = parser.push(b"\"a\"\n", &mut sink).unwrap_err();
    assert_eq!(e.kind, CsvErrorKind::AlreadyFailed);
    let e = parser.finish(&mut sink).unwrap_err();
    assert_eq!(e.kind, CsvErrorKind::AlreadyFailed);
    assert!(sink.rows.is_empty());
}

#[derive(Debug, PartialEq, Eq)]
struct Stop;

/// Fails on the `n`th call (fields and row ends counted together).
struct FailAt(usize);

impl RowSink for FailAt {
    type Error = Stop;
    fn field(&mut self, _: Option<&str>) -> Result<(), Stop> {
        self.0 = self.0.checked_sub(1).ok_or(Stop)?;
        Ok(())
    }
    fn end_row(&mut self) -> Result<(), Stop> {
        self.field(None)
    }
}

#[test]
fn sink_errors_come_back_with_their_position() {
    let input = b"\"a\",\n\"\"\"b\",\n";
    let mut positions = Vec::new();
    for n in 0..6 {
        let mut parser = CsvParser::new();
        let e = parser.push(input, &mut FailAt(n)).unwrap_err();
        assert_eq!(e.kind, CsvErrorKind::Sink(Stop));
        positions.push((e.offset, e.row));
    }
    // Each field and row end fails at the byte that completed it.
    assert_eq!(
        positions,
        [(3, 0), (4, 0), (4, 0), (10, 1), (11, 1), (11, 1)]
    );
    let mut parser = CsvParser::new();
    parser.push(input, &mut FailAt(6)).unwrap();
    assert_eq!(parser.rows(), 2);
}

fn check(
    header: Option<Vec<&str>>,
    columns: usize,
    input: &[u8],
) -> Result<Rows, CsvError<ColumnError<Infallible>>> {
    let mut sink = match header {
        Some(names) => ColumnCheck::with_header(
            names.into_iter().map(str::to_owned).collect(),
            CollectRows::default(),
        ),
        None => ColumnCheck::without_header(columns, CollectRows::default()),
    };
    let mut parser = CsvParser::new();
    parser.push(input, &mut sink)?;
    parser.finish(&mut sink)?;
    Ok(sink.into_inner().rows)
}

#[test]
fn the_column_check_passes_data_rows_only() {
    let rows = check(Some(vec!["a", "b"]), 2, b"\"a\",\"b\"\n\"1\",\n,\"2\"\n").unwrap();
    assert_eq!(rows, vec![row(&[Some("1"), None]), row(&[None, Some("2")])]);
    assert_eq!(
        check(Some(vec!["a", "b"]), 2, b"\"a\",\"b\"\n").unwrap(),
        Rows::new()
    );
    let rows = check(None, 1, b"\"1\"\n\n").unwrap();
    assert_eq!(rows, vec![row(&[Some("1")]), row(&[None])]);
}

#[test]
fn the_column_check_refuses_a_wrong_header() {
    for (input, found) in [
        (&b"\"a\",\"c\"\n"[..], row(&[Some("a"), Some("c")])),
        (b"\"a\"\n", row(&[Some("a")])),
        (
            b"\"a\",\"b\",\"c\"\n",
            row(&[Some("a"), Some("b"), Some("c")]),
        ),
        (b"\"a\",\n", row(&[Some("a"), None])),
    ] {
        let e = check(Some(vec!["a", "b"]), 2, input).unwrap_err();
        assert_eq!(e.row, 0);
        assert_eq!(
            e.kind,
            CsvErrorKind::Sink(ColumnError::HeaderMismatch {
                expected: vec!["a".into(), "b".into()],
                found,
            })
        );
    }
    let e = check(Some(vec!["a"]), 1, b"").unwrap_err();
    assert_eq!(e.kind, CsvErrorKind::Sink(ColumnError::NoHeader));
}

#[test]
fn the_column_check_refuses_rows_of_another_width() {
    let e = check(Some(vec!["a", "b"]), 2, b"\"a\",\"b\"\n\"1\",\"2\"\n\n").unwrap_err();
    assert_eq!((e.offset, e.row), (16, 2));
    assert_eq!(
        e.kind,
        CsvErrorKind::Sink(ColumnError::FieldCount {
            expected: 2,
            found: 1
        })
    );
    let e = check(None, 2, b"\"1\",\"2\",\"3\"\n").unwrap_err();
    assert_eq!((e.offset, e.row), (11, 0));
    assert_eq!(
        e.kind,
        CsvErrorKind::Sink(ColumnError::FieldCount {
            expected: 2,
            found: 3
        })
    );
}

/// The word-at-a-time search finds the first quote wherever it is, among every other
/// byte value (those next to `"` and those with the high bit set included), in
/// haystacks shorter, as long as and longer than the part searched by words.
#[test]
fn the_first_quote_is_found_wherever_it_is() {
    let naive = |bytes: &[u8]| bytes.iter().position(|&b| b == b'"');
    for len in 0..=2 * WORD_SEARCH_BYTES + 3 {
        for filler in 0..=u8::MAX {
            let mut bytes = vec![filler; len];
            assert_eq!(
                find_quote(&bytes),
                naive(&bytes),
                "{len} bytes of {filler:#04x}"
            );
            if filler == b'"' {
                continue;
            }
            for first in 0..len {
                bytes[first] = b'"';
                // A second quote after the first must not be found instead of it.
                if first + 1 < len {
                    bytes[len - 1] = b'"';
                }
                assert_eq!(
                    find_quote(&bytes),
                    Some(first),
                    "{len} bytes of {filler:#04x}, quote at {first}"
                );
                bytes.fill(filler);
            }
        }
    }
}
