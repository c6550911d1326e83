//! A query's results both ways on the embedded emulator: as rows (Athena's text), and as
//! Arrow batches written to an Arrow IPC file through `cloudfront_map --format
//! arrow-ipc`'s own code (`arrow_ipc_out.rs`), then read back with arrow-rs's
//! `StreamReader` as another tool would. Every value of every column must agree: text as
//! text, numbers as the numbers the text says, decimals rendered at their scale, dates
//! and timestamps as the instant the text names, NULL where the row has NULL and only
//! there (`""` is a value). Feature `arrow`.
//!
//! Tests of the example (`cargo test --features arrow --example cloudfront_map`), so
//! that they run its own code: the example's output and its connection (`client.rs`).

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use arrow_ipc::reader::StreamReader;
use athena_stream::arrow::arrow_array::cast::AsArray;
use athena_stream::arrow::arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use athena_stream::arrow::arrow_array::{Array, RecordBatch};
use athena_stream::arrow::arrow_schema::{DataType, TimeUnit};
use athena_stream::{Athena, ReadPath, Row, StartQueryExecution};
use futures::TryStreamExt;

use crate::arrow_ipc_out::{IpcOutput, write_batches};
use crate::client;

/// Rows of the emulator's `cf_access_logs`: a few pages and a result file of several
/// ranges, small enough to compare value by value in a moment.
const CLOUDFRONT_ROWS: usize = 2500;

/// The scalar types of Athena's results, with NULLs and empty strings in different rows
/// of different columns, and text that needs quoting in the result file (a comma, quotes,
/// a line break, a non-ASCII letter); 2,345 rows, so that `ReadPath::Auto` reads page 1
/// through `GetQueryResults` and the rest from the result file.
const TYPED_QUERY: &str = "SELECT \
        x AS id, \
        CAST(x AS integer) AS int_col, \
        CAST(x % 100 AS smallint) AS small_col, \
        CAST(x % 100 AS tinyint) AS tiny_col, \
        CASE WHEN x % 7 = 0 THEN NULL ELSE (x - 1000) / 8e0 END AS dbl, \
        CAST(x AS real) / 3 AS rl, \
        CAST((x - 1200) / 4e0 AS decimal(10,2)) AS dec, \
        CASE WHEN x % 11 = 0 THEN NULL ELSE date_add('day', x, DATE '2023-12-31') END AS day, \
        date_add('millisecond', x * 86400123, TIMESTAMP '2024-02-28 23:59:59.999') AS ts, \
        CASE WHEN x % 5 = 0 THEN NULL ELSE x % 2 = 0 END AS flag, \
        CASE WHEN x % 3 = 0 THEN NULL WHEN x % 3 = 1 THEN '' \
            ELSE 'v' || CAST(x AS varchar) || ', \"quoted\", é' || chr(10) || 'line 2' END AS txt \
    FROM UNNEST(sequence(1, 2345)) AS t(x)";

/// The columns of [`TYPED_QUERY`] as `athena_stream::arrow::schema` maps them.
fn typed_query_types() -> Vec<(&'static str, DataType)> {
    vec![
        ("id", DataType::Int64),
        ("int_col", DataType::Int32),
        ("small_col", DataType::Int16),
        ("tiny_col", DataType::Int8),
        ("dbl", DataType::Float64),
        ("rl", DataType::Float32),
        ("dec", DataType::Decimal128(10, 2)),
        ("day", DataType::Date32),
        ("ts", DataType::Timestamp(TimeUnit::Millisecond, None)),
        ("flag", DataType::Boolean),
        ("txt", DataType::Utf8),
    ]
}

#[tokio::test]
async fn every_type_agrees_between_rows_and_the_arrow_ipc_file_on_every_read_path() {
    let emulator = start_emulator().await;
    for path in [ReadPath::Auto, ReadPath::Api, ReadPath::ResultFile] {
        let athena = athena_on(&emulator, path).await;
        let file = tmp_file(&format!("typed-{}.arrow", path.as_str()));
        let (rows, batches) = both_ways(&athena, TYPED_QUERY, &file).await;
        assert_eq!(rows.len(), 2345, "{path:?}");
        let schema = batches[0].schema();
        let types: Vec<(&str, DataType)> = schema
            .fields()
            .iter()
            .map(|f| (f.name().as_str(), f.data_type().clone()))
            .collect();
        assert_eq!(types, typed_query_types(), "{path:?}");
        let compared = compare(&rows, &batches);
        // The query makes NULLs and "" in these columns: the comparison met them.
        for (column, want) in [("dbl", 335), ("day", 213), ("flag", 469), ("txt", 781)] {
            assert_eq!(compared.nulls[column], want, "NULLs of {column}, {path:?}");
        }
        assert_eq!(compared.empty_strings, 782, "{path:?}");
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_cloudfront_table_agrees_between_rows_and_the_arrow_ipc_file() {
    let emulator = start_emulator().await;
    let athena = athena_on(&emulator, ReadPath::Auto).await;
    let file = tmp_file("cloudfront.arrow");
    let (rows, batches) = both_ways(&athena, "SELECT * FROM cf_access_logs", &file).await;
    assert_eq!(rows.len(), CLOUDFRONT_ROWS);
    let schema = batches[0].schema();
    assert_eq!(schema.fields().len(), 33);
    for (column, data_type) in [
        ("date", DataType::Date32),
        ("bytes", DataType::Int64),
        ("time_taken", DataType::Float32),
        ("c_port", DataType::Int32),
        ("uri", DataType::Utf8),
    ] {
        let field = schema.field_with_name(column).unwrap();
        assert_eq!(field.data_type(), &data_type, "{column}");
    }
    let compared = compare(&rows, &batches);
    // CloudFront's `-` (an empty field) is NULL in the table: some columns have them.
    assert!(
        compared.nulls.values().any(|&n| n > 0),
        "{:?}",
        compared.nulls
    );
    emulator.shutdown().await;
}

/// A query with no rows is still a valid IPC stream, with its typed columns.
#[tokio::test]
async fn a_result_of_no_rows_is_an_ipc_stream_of_its_schema() {
    let emulator = start_emulator().await;
    let athena = athena_on(&emulator, ReadPath::Auto).await;
    let file = tmp_file("empty.arrow");
    let sql = "SELECT uri, bytes FROM cf_access_logs WHERE bytes < 0";
    let mut stream = athena.query(query(sql)).into_batches();
    let mut output = IpcOutput::new(BufWriter::new(File::create(&file).unwrap()));
    write_batches(&mut stream, &mut output, |_| {})
        .await
        .unwrap();
    assert_eq!((output.rows(), output.batches()), (0, 0));
    output.finish(&stream.schema().await.unwrap()).unwrap();
    let reader = StreamReader::try_new(BufReader::new(File::open(&file).unwrap()), None).unwrap();
    let schema = reader.schema();
    assert_eq!(schema.field(0).name(), "uri");
    assert_eq!(schema.field(1).data_type(), &DataType::Int64);
    assert_eq!(reader.count(), 0);
    emulator.shutdown().await;
}

/// The embedded emulator with [`CLOUDFRONT_ROWS`] CloudFront rows.
async fn start_emulator() -> athena_emulator::Emulator {
    athena_emulator::Emulator::builder()
        .with_engine_config(athena_emulator::EngineConfig {
            cloudfront_rows: CLOUDFRONT_ROWS,
            ..Default::default()
        })
        .start()
        .await
        .unwrap()
}

/// The library on `emulator`, connected as the examples connect to an endpoint, reading
/// results by `path`.
async fn athena_on(emulator: &athena_emulator::Emulator, path: ReadPath) -> Athena {
    let target = client::Target {
        endpoint_url: Some(emulator.endpoint_url()),
        aws: false,
        cloudfront_rows: CLOUDFRONT_ROWS,
    };
    let (builder, started) = target.builder().await.unwrap();
    assert!(
        started.is_none(),
        "an endpoint was given: no second emulator"
    );
    builder
        .with_read_path(path)
        // Small ranges, so that the result file is read in several, as a large one is.
        .with_chunk_size(16 * 1024)
        .build()
        .unwrap()
}

fn query(sql: &str) -> StartQueryExecution {
    client::QueryContext {
        database: "serverlessland_database".to_owned(),
        workgroup: None,
        output_location: None,
        encryption: None,
        kms_key: None,
        expected_bucket_owner: None,
    }
    .query(sql)
}

/// A file under the system's temporary directory, apart for this process.
fn tmp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arrow_interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// `query` as rows, and as batches written to `file` as an Arrow IPC stream and read
/// back from it.
async fn both_ways(athena: &Athena, sql: &str, file: &Path) -> (Vec<Row>, Vec<RecordBatch>) {
    let rows: Vec<Row> = athena.query(query(sql)).try_collect().await.unwrap();

    let mut stream = athena.query(query(sql)).into_batches();
    let mut output = IpcOutput::new(BufWriter::new(File::create(file).unwrap()));
    let mut seen = 0;
    write_batches(&mut stream, &mut output, |batch| seen += batch.num_rows())
        .await
        .unwrap();
    let (written_rows, written_batches) = (output.rows(), output.batches());
    let schema = stream.schema().await.unwrap();
    output.finish(&schema).unwrap();
    assert_eq!(written_rows as usize, seen);

    let reader = StreamReader::try_new(BufReader::new(File::open(file).unwrap()), None).unwrap();
    assert_eq!(reader.schema(), schema, "the file's schema is the stream's");
    let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(batches.len() as u64, written_batches);
    let read_rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(read_rows as u64, written_rows);
    assert_eq!(read_rows, rows.len(), "as many rows both ways");
    assert!(!batches.is_empty());
    (rows, batches)
}

/// What [`compare`] met.
struct Compared {
    /// NULLs per column.
    nulls: std::collections::HashMap<String, usize>,
    /// Values that are the empty string (not NULL).
    empty_strings: usize,
}

/// Asserts that every value of `batches` is the value of the row at the same place.
fn compare(rows: &[Row], batches: &[RecordBatch]) -> Compared {
    let mut compared = Compared {
        nulls: Default::default(),
        empty_strings: 0,
    };
    let mut rows = rows.iter();
    for batch in batches {
        let schema = batch.schema();
        for i in 0..batch.num_rows() {
            let row = rows.next().expect("as many rows as batch rows");
            assert_eq!(row.len(), batch.num_columns());
            for (c, field) in schema.fields().iter().enumerate() {
                assert_eq!(&row.columns()[c].name, field.name());
                let text = row.get_str(c).unwrap();
                let array = batch.column(c);
                let at = || {
                    format!(
                        "row {}, column {}: {text:?}",
                        row.row_number(),
                        field.name()
                    )
                };
                let Some(text) = text else {
                    assert!(array.is_null(i), "{} is a value in Arrow", at());
                    *compared.nulls.entry(field.name().clone()).or_default() += 1;
                    continue;
                };
                assert!(array.is_valid(i), "{} is NULL in Arrow", at());
                if text.is_empty() {
                    compared.empty_strings += 1;
                }
                check_value(array.as_ref(), i, text, &at);
            }
        }
    }
    assert!(rows.next().is_none(), "as many batch rows as rows");
    compared
}

// layout: long function, because one match over every Arrow type a column can have, an arm each.
/// Asserts that the value at `i` of `array` is what Athena's `text` says.
fn check_value(array: &dyn Array, i: usize, text: &str, at: &dyn Fn() -> String) {
    let int = || {
        text.parse::<i64>()
            .unwrap_or_else(|e| panic!("{}: {e}", at()))
    };
    match array.data_type() {
        DataType::Utf8 => assert_eq!(array.as_string::<i32>().value(i), text, "{}", at()),
        DataType::Boolean => {
            let want = match text {
                "true" => true,
                "false" => false,
                other => panic!("{}: not a boolean: {other}", at()),
            };
            assert_eq!(array.as_boolean().value(i), want, "{}", at());
        }
        DataType::Int8 => {
            assert_eq!(
                i64::from(array.as_primitive::<Int8Type>().value(i)),
                int(),
                "{}",
                at()
            )
        }
        DataType::Int16 => {
            assert_eq!(
                i64::from(array.as_primitive::<Int16Type>().value(i)),
                int(),
                "{}",
                at()
            )
        }
        DataType::Int32 => {
            assert_eq!(
                i64::from(array.as_primitive::<Int32Type>().value(i)),
                int(),
                "{}",
                at()
            )
        }
        DataType::Int64 => {
            assert_eq!(
                array.as_primitive::<Int64Type>().value(i),
                int(),
                "{}",
                at()
            )
        }
        DataType::Float32 => {
            let want: f32 = text.parse().unwrap_or_else(|e| panic!("{}: {e}", at()));
            let got = array.as_primitive::<Float32Type>().value(i);
            assert_eq!(got.to_bits(), want.to_bits(), "{}: {got}", at());
        }
        DataType::Float64 => {
            let want: f64 = text.parse().unwrap_or_else(|e| panic!("{}: {e}", at()));
            let got = array.as_primitive::<Float64Type>().value(i);
            assert_eq!(got.to_bits(), want.to_bits(), "{}: {got}", at());
        }
        DataType::Decimal128(_, scale) => {
            // Athena writes a decimal with exactly its scale's fraction digits, as Arrow
            // renders one: the unscaled integer is the text without its point.
            let got = array.as_primitive::<Decimal128Type>().value(i);
            let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
            assert_eq!(fraction.len(), usize::try_from(*scale).unwrap(), "{}", at());
            let want: i128 = format!("{whole}{fraction}").parse().unwrap();
            assert_eq!(got, want, "{}", at());
        }
        DataType::Date32 => {
            let got = array.as_primitive::<Date32Type>().value(i);
            assert_eq!(i64::from(got), days_since_epoch(text, at), "{}", at());
        }
        DataType::Timestamp(unit, None) => {
            let got = match unit {
                TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(i),
                TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().value(i),
                TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(i),
                TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(i),
            };
            assert_eq!(got, timestamp_in(unit, text, at), "{}", at());
        }
        other => panic!("{}: {other} is not a type this test compares", at()),
    }
}

/// `YYYY-MM-DD` as days since 1970-01-01 (proleptic Gregorian, Howard Hinnant's
/// `days_from_civil`), an oracle independent of Arrow's own conversions.
fn days_since_epoch(text: &str, at: &dyn Fn() -> String) -> i64 {
    let mut parts = text.splitn(3, '-').map(|p| {
        p.parse::<i64>()
            .unwrap_or_else(|e| panic!("{}: not a date: {e}", at()))
    });
    let (y, m, d) = match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => (y, m, d),
        _ => panic!("{}: not a date", at()),
    };
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD HH:MM:SS[.fff...]` as `unit`s since the epoch; the fraction must fit
/// the unit (a timestamp of more digits than its unit holds would be rounded).
fn timestamp_in(unit: &TimeUnit, text: &str, at: &dyn Fn() -> String) -> i64 {
    let (date, time) = text
        .split_once(' ')
        .unwrap_or_else(|| panic!("{}: not a timestamp", at()));
    let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
    let hms: Vec<i64> = clock
        .split(':')
        .map(|p| p.parse().unwrap_or_else(|e| panic!("{}: {e}", at())))
        .collect();
    assert_eq!(hms.len(), 3, "{}", at());
    let seconds = days_since_epoch(date, at) * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2];
    let digits = match unit {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 3,
        TimeUnit::Microsecond => 6,
        TimeUnit::Nanosecond => 9,
    };
    assert!(
        fraction.len() <= digits,
        "{}: more digits than {unit:?}",
        at()
    );
    let fraction: i64 = if digits == 0 {
        0
    } else {
        format!("{fraction:0<digits$}")
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", at()))
    };
    seconds * 10_i64.pow(digits as u32) + fraction
}
