//! The parser and the splitter together, against a reference encoder: random results
//! written as Athena writes them must come back exactly, whatever the chunking and
//! however the file is cut into ranges; any bytes at all must give rows or an error,
//! never a panic, and the same answer sequentially and in parallel pieces.

use std::convert::Infallible;

use proptest::prelude::*;

use super::csv::{CollectRows, ColumnCheck, CsvError, CsvParser};
use super::split::{RowAssembler, SplitError};

type Rows = Vec<Vec<Option<String>>>;

/// Writes a result as Athena does: a quoted header, every value quoted with `"`
/// doubled, NULL as an empty unquoted field, `\n` after every row. Written apart
/// from the parser, byte by byte, so that the two do not share a mistake.
fn athena_csv(header: &[String], rows: &Rows) -> Vec<u8> {
    let mut out = Vec::new();
    let header: Vec<Option<String>> = header.iter().cloned().map(Some).collect();
    for row in std::iter::once(&header).chain(rows) {
        for (i, value) in row.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if let Some(value) = value {
                out.push(b'"');
                for &b in value.as_bytes() {
                    if b == b'"' {
                        out.push(b'"');
                    }
                    out.push(b);
                }
                out.push(b'"');
            }
        }
        out.push(b'\n');
    }
    out
}

/// Parses `input` fed in chunks of `size` bytes.
fn parse_chunked(input: &[u8], size: usize) -> Result<Rows, CsvError<Infallible>> {
    let mut parser = CsvParser::new();
    let mut sink = CollectRows::default();
    for chunk in input.chunks(size.max(1)) {
        parser.push(chunk, &mut sink)?;
    }
    parser.finish(&mut sink)?;
    Ok(sink.rows)
}

/// Why the parallel path refused a file.
#[derive(Debug)]
#[allow(dead_code)] // read through Debug when a test fails
enum PiecesError {
    Split(SplitError),
    Csv(CsvError<Infallible>),
}

/// Cuts `input` into ranges at `cuts`, puts them through a [`RowAssembler`], and parses
/// every piece on its own with a fresh parser, as parallel workers would; returns the
/// rows of the pieces in order.
fn parse_in_pieces(input: &[u8], cuts: &[usize]) -> Result<Rows, PiecesError> {
    let mut bounds: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
    bounds.push(0);
    bounds.push(input.len());
    bounds.sort_unstable();
    let mut assembler = RowAssembler::new();
    let mut rows = Rows::new();
    for pair in bounds.windows(2) {
        let pieces = assembler
            .push(pair[0] as u64, &input[pair[0]..pair[1]])
            .map_err(PiecesError::Split)?;
        for piece in pieces.iter() {
            let mut parser = CsvParser::starting_at(piece.offset, 0);
            let mut sink = CollectRows::default();
            parser
                .push(piece.bytes, &mut sink)
                .map_err(PiecesError::Csv)?;
            parser.finish(&mut sink).map_err(PiecesError::Csv)?;
            rows.extend(sink.rows);
        }
    }
    assembler.finish().map_err(PiecesError::Split)?;
    Ok(rows)
}

/// A value that is hard to get right: quotes, delimiters, CR and LF, backslashes,
/// multi-byte characters, empty strings, and sometimes long.
fn value() -> impl Strategy<Value = Option<String>> {
    let tricky = prop::collection::vec(
        prop_oneof![
            Just("\""),
            Just("\"\""),
            Just(","),
            Just("\n"),
            Just("\r"),
            Just("\r\n"),
            Just("\\"),
            Just("a"),
            Just("xyz"),
            Just(" "),
            Just("é"),
            Just("€"),
            Just("😀"),
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat());
    prop_oneof![
        2 => Just(None),
        2 => Just(Some(String::new())),
        6 => tricky.prop_map(Some),
        1 => ("[a-z\",\n]{1,8}", 20..200usize).prop_map(|(s, n)| Some(s.repeat(n))),
    ]
}

/// A header and rows of one width; the header names are tricky too.
fn result() -> impl Strategy<Value = (Vec<String>, Rows)> {
    (1..5usize).prop_flat_map(|width| {
        (
            prop::collection::vec(value().prop_map(|v| v.unwrap_or_else(|| "n".into())), width),
            prop::collection::vec(prop::collection::vec(value(), width), 0..12),
        )
    })
}

/// The file and the rows the parser must give back (the header first).
fn expected(header: &[String], rows: &Rows) -> (Vec<u8>, Rows) {
    let file = athena_csv(header, rows);
    let mut all = vec![header.iter().cloned().map(Some).collect::<Vec<_>>()];
    all.extend(rows.iter().cloned());
    (file, all)
}

/// Small files, cut into chunks of every size from 1 byte to the whole file.
fn small_result() -> impl Strategy<Value = (Vec<String>, Rows)> {
    let short = prop_oneof![
        Just(None),
        Just(Some(String::new())),
        "[a\",\n\ré]{1,4}".prop_map(Some),
    ];
    (1..4usize).prop_flat_map(move |width| {
        (
            prop::collection::vec("[a\",\n]{1,3}", width),
            prop::collection::vec(prop::collection::vec(short.clone(), width), 0..5),
        )
    })
}

/// Bytes made of pieces of Athena's CSV in random order: mostly malformed, a tenth
/// well-formed.
fn token_soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::sample::select(vec![&b"\"a\""[..], b"\"\"", b"\"\"\"x\"", b"\",\n\""])
                .prop_map(<[u8]>::to_vec),
            4 => Just(b",".to_vec()),
            4 => Just(b"\n".to_vec()),
            1 => Just(b"\"".to_vec()),
            1 => Just(b"\r".to_vec()),
            1 => any::<u8>().prop_map(|b| vec![b]),
        ],
        0..24,
    )
    .prop_map(|tokens| tokens.concat())
}

/// A well-formed file with up to three bytes inserted, removed or replaced.
fn edited_file() -> impl Strategy<Value = Vec<u8>> {
    let edit = (
        any::<prop::sample::Index>(),
        0..3u8,
        prop::sample::select(vec![b'"', b',', b'\n', b'\r', b'a', 0xff]),
    );
    (result(), prop::collection::vec(edit, 0..4)).prop_map(|((header, rows), edits)| {
        let mut file = athena_csv(&header, &rows);
        for (at, op, byte) in edits {
            let i = at.index(file.len() + 1);
            match op {
                0 => file.insert(i, byte),
                1 if i < file.len() => {
                    file.remove(i);
                }
                _ if i < file.len() => file[i] = byte,
                _ => {}
            }
        }
        file
    })
}

proptest! {
    #[test]
    fn every_chunk_size_gives_the_rows_back((header, rows) in small_result()) {
        let (file, all) = expected(&header, &rows);
        for size in 1..=file.len() {
            prop_assert_eq!(&parse_chunked(&file, size).unwrap(), &all, "chunks of {}", size);
        }
    }

    #[test]
    fn random_chunks_give_the_rows_back(
        (header, rows) in result(),
        sizes in prop::collection::vec(1..64usize, 1..8),
    ) {
        let (file, all) = expected(&header, &rows);
        // Chunk sizes taken in turn from `sizes`: boundaries fall everywhere.
        let mut parser = CsvParser::new();
        let mut sink = CollectRows::default();
        let mut at = 0;
        for size in sizes.iter().cycle() {
            if at == file.len() {
                break;
            }
            let end = (at + size).min(file.len());
            parser.push(&file[at..end], &mut sink).unwrap();
            at = end;
        }
        parser.finish(&mut sink).unwrap();
        prop_assert_eq!(sink.rows, all);
    }

    #[test]
    fn ranges_cut_anywhere_give_every_row_once_in_order(
        (header, rows) in result(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let (file, all) = expected(&header, &rows);
        let cuts: Vec<usize> = cuts.iter().map(|i| i.index(file.len() + 1)).collect();
        prop_assert_eq!(parse_in_pieces(&file, &cuts).unwrap(), all);
    }

    #[test]
    fn the_column_check_passes_exactly_the_data_rows((header, rows) in result()) {
        let file = athena_csv(&header, &rows);
        let mut sink = ColumnCheck::with_header(header.clone(), CollectRows::default());
        let mut parser = CsvParser::new();
        parser.push(&file, &mut sink).unwrap();
        parser.finish(&mut sink).unwrap();
        prop_assert_eq!(sink.into_inner().rows, rows);
    }

    #[test]
    fn any_bytes_give_the_same_answer_whole_in_chunks_and_in_pieces(
        bytes in prop_oneof![token_soup(), edited_file()],
        size in 1..8usize,
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let whole = parse_chunked(&bytes, bytes.len());
        prop_assert_eq!(&parse_chunked(&bytes, size), &whole);
        let cuts: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        match (&whole, parse_in_pieces(&bytes, &cuts)) {
            (Ok(rows), Ok(pieces)) => prop_assert_eq!(rows, &pieces),
            (Err(_), Err(_)) => {}
            (whole, pieces) => prop_assert!(
                false,
                "whole: {:?}, in pieces: {:?}", whole, pieces
            ),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse_chunked(&bytes, 7);
        let mut sink = ColumnCheck::with_header(vec!["a".into()], CollectRows::default());
        let mut parser = CsvParser::new();
        let checked = parser.push(&bytes, &mut sink).and_then(|()| parser.finish(&mut sink));
        if let Err(e) = checked {
            // Every error has a position inside the input (or at its end).
            prop_assert!(e.offset <= bytes.len() as u64);
        }
        let _ = parse_in_pieces(&bytes, &[bytes.len() / 3, bytes.len() / 2]);
    }
}

#[test]
fn a_cut_short_file_fails_whichever_way_it_is_read() {
    let header = vec!["a".to_owned(), "b".to_owned()];
    let rows = vec![
        vec![Some("x,\"y\"\n".to_owned()), None],
        vec![Some(String::new()), Some("z".to_owned())],
    ];
    let file = athena_csv(&header, &rows);
    // Where whole rows end: after nothing, the header, and each row.
    let mut row_ends = vec![0];
    row_ends.extend((0..=rows.len()).map(|k| athena_csv(&header, &rows[..k].to_vec()).len()));
    for len in 0..file.len() {
        let short = &file[..len];
        let whole = parse_chunked(short, 5);
        let pieces = parse_in_pieces(short, &[len / 2]);
        if row_ends.contains(&len) {
            // Whole rows: nothing in the bytes tells. The header check and the row
            // count in the query's statistics are what notice rows missing here.
            assert!(whole.is_ok() && pieces.is_ok(), "cut at {len}");
        } else {
            assert!(whole.is_err(), "cut at {len}: {whole:?}");
            assert!(pieces.is_err(), "cut at {len}: {pieces:?}");
        }
    }
    // A cut right after a closing quote is refused, so no field goes missing unseen.
    let cut = file.len() - 1;
    let e = parse_chunked(&file[..cut], 64).unwrap_err();
    assert_eq!((e.offset, e.row), (cut as u64, 2));
}

/// A slice parsed into batches a few hundred KiB at a time, giving way to other tasks
/// between (as the file path parses), makes the same batches as in one go, values cut
/// between two of its parts included; and a bad value deep in it is the same error.
#[cfg(feature = "arrow")]
#[tokio::test]
async fn a_slice_parsed_giving_way_makes_the_same_batches_as_in_one_go() {
    use super::rows::{
        SliceBatch, SliceError, parse_bytes_into_batches, parse_pieces_into_batches,
    };
    use crate::columnar::{BatchOptions, BatchPlan, ValueError};
    use crate::row::{ColumnInfo, ResultSetMetadata};

    let metadata = ResultSetMetadata::new(vec![
        ColumnInfo::new("s", "varchar"),
        ColumnInfo::new("n", "bigint"),
        ColumnInfo::new("d", "date"),
    ]);
    let header = ["s", "n", "d"].map(str::to_owned).to_vec();
    let rows: Rows = (0..20_000)
        .map(|i| {
            vec![
                (i % 7 != 0).then(|| format!("value \"{i}\" with, a comma and some more text")),
                (i % 11 != 0).then(|| (i * 7919).to_string()),
                Some(format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28)),
            ]
        })
        .collect();
    let file = athena_csv(&header, &rows);
    assert!(file.len() > 3 * 256 * 1024, "the slice spans several parts");
    let options = BatchOptions::new().with_rows(6_000);
    let plan = BatchPlan::new(&metadata, &options).unwrap();
    let parse_in_one_go = |file: &[u8]| {
        let pieces = [file];
        parse_bytes_into_batches(&metadata, plan.clone(), &options, 0, pieces, true)
    };
    let in_one_go = parse_in_one_go(&file).ok().unwrap();
    // Two pieces, the first ending inside a row, as the assembler hands them out.
    let cut = file.len() / 3 + 17;
    let pieces = [&file[..cut], &file[cut..]];
    let giving_way = parse_pieces_into_batches(&metadata, plan.clone(), &options, 0, pieces, true)
        .await
        .ok()
        .unwrap();
    assert_eq!(in_one_go.len(), 4);
    assert_eq!(giving_way.len(), in_one_go.len());
    for (a, b) in in_one_go.iter().zip(&giving_way) {
        assert_eq!(a.batch, b.batch);
        assert_eq!(a.end, b.end);
    }

    // Row 15,000 gets a date that does not exist.
    let mut bad = rows.clone();
    bad[15_000][2] = Some("2024-02-30".to_owned());
    let file = athena_csv(&header, &bad);
    let error = |e: Result<Vec<SliceBatch>, SliceError<ValueError>>| match e {
        Err(SliceError::Sink(e)) => (e.row, e.column, e.text),
        _ => panic!("not a value error"),
    };
    let expected = error(parse_in_one_go(&file));
    let pieces = [&file[..]];
    let found =
        error(parse_pieces_into_batches(&metadata, plan.clone(), &options, 0, pieces, true).await);
    assert_eq!(found, expected);
    assert_eq!(found, (15_000, 2, "2024-02-30".to_owned()));

    // A slice of one empty piece that should hold the header is refused both ways.
    let empty: [&[u8]; 1] = [&[]];
    assert!(parse_bytes_into_batches(&metadata, plan.clone(), &options, 0, empty, true).is_err());
    let giving_way = parse_pieces_into_batches(&metadata, plan.clone(), &options, 0, empty, true);
    assert!(giving_way.await.is_err());
}
