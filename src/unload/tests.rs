//! UNLOAD on the scripted Athena and the fake S3, under paused tokio time: the
//! statement, the manifest, and Parquet files written the way Athena writes them
//! (Trino's Hive writer: docs/athena.md, "UNLOAD and data manifests"), read back
//! through shards.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use arrow_array::builder::{Int32Builder, ListBuilder, MapBuilder, StringBuilder, StructBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Fields, TimeUnit};
use futures::stream::FusedStream;
use futures::{StreamExt, TryStreamExt};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::basic::{Compression, GzipLevel, ZstdLevel};
use parquet::data_type as pq;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::{Value as Json, json};

use super::*;
use crate::columnar::BatchOptions;
use crate::fake::s3::{FakeS3, S3Fault};
use crate::fake::{Fake, Plan};
use crate::value::{AthenaType, Value};
use crate::{Athena, Error, Row, error::Operation, map::MapSettings};

/// A handle on a fake Athena whose queries succeed at once, reading S3 from `s3`.
fn athena(s3: &FakeS3) -> (Fake, Athena) {
    let fake = Fake::new(Plan::rows(0));
    let athena = fake
        .builder()
        .with_s3_api(Arc::new(s3.clone()))
        .build()
        .expect("valid settings");
    (fake, athena)
}

/// A Parquet file of these columns as Arrow writes it, without the Arrow schema in its
/// footer (Athena's files have none), with row groups of `row_group` rows.
fn arrow_parquet(
    columns: Vec<(&str, ArrayRef)>,
    compression: Compression,
    row_group: usize,
) -> Vec<u8> {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_max_row_group_row_count(Some(row_group))
        .build();
    let options = ArrowWriterOptions::new()
        .with_properties(props)
        .with_skip_arrow_metadata(true);
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new_with_options(&mut out, batch.schema(), options).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    out
}

/// A file of `n` rows: `id` (`prefix-<i>`), `bytes` (`i`, NULL for every 7th row) and
/// `uri`, in row groups of 1000 rows, GZIP as Athena's default.
fn hits(prefix: &str, n: usize) -> Vec<u8> {
    let ids: StringArray = (0..n).map(|i| Some(format!("{prefix}-{i}"))).collect();
    let bytes: Int64Array = (0..n).map(|i| (i % 7 != 0).then_some(i as i64)).collect();
    let uris: StringArray = (0..n).map(|i| Some(format!("/page/{}", i % 13))).collect();
    arrow_parquet(
        vec![
            ("request_id", Arc::new(ids) as ArrayRef),
            ("bytes", Arc::new(bytes)),
            ("uri", Arc::new(uris)),
        ],
        Compression::GZIP(GzipLevel::default()),
        1000,
    )
}

fn hit_columns() -> Vec<ShardColumn> {
    vec![
        ShardColumn::new("request_id", "varchar"),
        ShardColumn::new("bytes", "bigint"),
        ShardColumn::new("uri", "varchar"),
    ]
}

// ---------------------------------------------------------------------------
// Values: every vector of testdata/athena_values.json that Parquet can carry
// ---------------------------------------------------------------------------

/// How Athena writes a vector's value to Parquet, or why it cannot.
enum Written {
    /// One column of Trino's Hive Parquet schema, with the value (or NULL), and what
    /// reading it back gives: the vector's text unless the file cannot carry it.
    Hive {
        message_type: String,
        value: HiveValue,
        text: Option<String>,
    },
    /// A nested value, written by Arrow's writer in Parquet's standard LIST, MAP and
    /// group encodings, as Trino's writer writes them.
    Nested(ArrayRef),
    Skipped(&'static str),
}

/// A value of one Parquet column.
enum HiveValue {
    Null,
    Boolean(bool),
    Int32(i32),
    Int64(i64),
    Float(f32),
    Double(f64),
    Bytes(Vec<u8>),
    Fixed(Vec<u8>),
    Int96(pq::Int96),
}

/// Days from 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn date_days(text: &str) -> i64 {
    let p: Vec<i64> = text.split('-').map(|s| s.parse().unwrap()).collect();
    days_from_civil(p[0], p[1], p[2])
}

/// Hive's INT96 of `YYYY-MM-DD HH:MM:SS[.f]`: nanoseconds of the day, then the Julian
/// day (any year: no `i64` of nanoseconds in between).
fn int96_at(text: &str) -> pq::Int96 {
    let (date, time) = text.split_once(' ').unwrap();
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let t: Vec<u64> = hms.split(':').map(|s| s.parse().unwrap()).collect();
    let nanos: u64 = format!("{fraction:0<9}").parse().unwrap();
    let of_day = (t[0] * 3600 + t[1] * 60 + t[2]) * 1_000_000_000 + nanos;
    let mut v = pq::Int96::new();
    v.set_data(
        of_day as u32,
        (of_day >> 32) as u32,
        (date_days(date) + 2_440_588) as u32,
    );
    v
}

/// The text Athena shows for an INT96 timestamp: precision 3 (the vectors here need no
/// rounding: their fourth digit is below 5).
fn at_millis(text: &str) -> String {
    let (head, fraction) = text.split_once('.').unwrap_or((text, ""));
    assert!(
        fraction.len() <= 3 || fraction.as_bytes()[3] < b'5',
        "{text}"
    );
    format!("{head}.{:0<3}", &fraction[..fraction.len().min(3)])
}

/// A decimal's FIXED_LEN_BYTE_ARRAY as Trino's Hive writer sizes it for precision `p`:
/// the fewest bytes whose two's complement holds every `p`-digit number.
fn decimal_bytes(unscaled: i128, p: u32) -> Vec<u8> {
    let max = 10u128.pow(p) - 1;
    let n = (1..=16).find(|n| max < 1u128 << (8 * n - 1)).unwrap();
    unscaled.to_be_bytes()[16 - n..].to_vec()
}

/// A column of two rows: a list of these integers, then NULL.
fn list_of_ints(item: &[Option<i32>]) -> ArrayRef {
    let mut b = ListBuilder::new(Int32Builder::new());
    b.append_value(item.iter().copied());
    b.append_null();
    Arc::new(b.finish())
}

fn id_name_fields() -> Vec<Field> {
    vec![
        Field::new("id", DataType::Int32, true),
        Field::new("name", DataType::Utf8, true),
    ]
}

/// Appends the row `{id=1, name=x}` (or NULL) to a builder of `row(id, name)`.
fn append_id_name(b: &mut StructBuilder, valid: bool) {
    let (id, name) = if valid {
        (Some(1), Some("x"))
    } else {
        (None, None)
    };
    b.field_builder::<Int32Builder>(0)
        .unwrap()
        .append_option(id);
    b.field_builder::<StringBuilder>(1)
        .unwrap()
        .append_option(name);
    b.append(valid);
}

/// A decimal as Trino's Hive writer writes it: FIXED_LEN_BYTE_ARRAY of the fewest
/// bytes for its precision, here the precision and scale of the text itself.
fn decimal_column(text: &str) -> (String, HiveValue) {
    let scale = text.split_once('.').map_or(0, |(_, f)| f.len()) as u32;
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let significant = digits.trim_start_matches('0').len() as u32;
    let precision = significant.max(scale).max(1);
    let unscaled: i128 = text.replace('.', "").parse().unwrap();
    let bytes = decimal_bytes(unscaled, precision);
    (
        format!(
            "fixed_len_byte_array({}) v (DECIMAL({precision},{scale}))",
            bytes.len()
        ),
        HiveValue::Fixed(bytes),
    )
}

/// How Athena writes the vector of this type, SQL and text.
fn written(athena_type: &str, sql: &str, text: Option<&str>) -> Written {
    let hive = |message_type: &str, value: HiveValue, read_back: Option<String>| Written::Hive {
        message_type: format!("message trino_schema {{ optional {message_type}; }}"),
        value,
        text: read_back.or_else(|| text.map(str::to_owned)),
    };
    let Some(text) = text else {
        // NULL of a type: a column with no value.
        return match athena_type {
            "varchar" => hive("binary v (UTF8)", HiveValue::Null, None),
            "bigint" => hive("int64 v", HiveValue::Null, None),
            other => panic!("no NULL vector of {other} expected"),
        };
    };
    let value = Value::parse(text, &AthenaType::parse(athena_type));
    match athena_type {
        // Trino's Hive Parquet writer has no column type for these (its schema
        // converter refuses them), and docs/athena.md says UNLOAD cannot write time or
        // timestamp with time zone.
        "json" | "uuid" | "ipaddress" | "time" | "timestamp with time zone" => {
            Written::Skipped("Athena's Parquet writer has no such type")
        }
        "boolean" => hive("boolean v", HiveValue::Boolean(text == "true"), None),
        // tinyint, smallint and integer are all plain INT32 in Athena's files.
        "tinyint" | "smallint" | "integer" => {
            hive("int32 v", HiveValue::Int32(text.parse().unwrap()), None)
        }
        "bigint" => hive("int64 v", HiveValue::Int64(text.parse().unwrap()), None),
        "real" => match value.unwrap() {
            Value::Real(x) => hive("float v", HiveValue::Float(x), None),
            other => panic!("{other:?}"),
        },
        "double" => match value.unwrap() {
            Value::Double(x) => hive("double v", HiveValue::Double(x), None),
            other => panic!("{other:?}"),
        },
        "decimal" => {
            let (message_type, value) = decimal_column(text);
            hive(&message_type, value, None)
        }
        "varchar" => hive(
            "binary v (UTF8)",
            HiveValue::Bytes(text.as_bytes().to_vec()),
            None,
        ),
        // Trino keeps char values without their padding (`Chars.truncateToLengthAndTrimSpaces`)
        // and writes them so: the file has `ab`, read as a varchar.
        "char" => {
            let trimmed = text.trim_end_matches(' ');
            hive(
                "binary v (UTF8)",
                HiveValue::Bytes(trimmed.as_bytes().to_vec()),
                Some(trimmed.to_owned()),
            )
        }
        "varbinary" => match value.unwrap() {
            Value::Varbinary(bytes) => hive("binary v", HiveValue::Bytes(bytes), None),
            other => panic!("{other:?}"),
        },
        "date" => hive(
            "int32 v (DATE)",
            HiveValue::Int32(date_days(text) as i32),
            None,
        ),
        // INT96, which Athena reads back at precision 3.
        "timestamp" => hive(
            "int96 v",
            HiveValue::Int96(int96_at(text)),
            Some(at_millis(text)),
        ),
        "array" | "map" | "row" => nested(sql),
        other => panic!("a new type in the vectors: say how Athena writes {other}"),
    }
}

/// How Athena writes the nested vector of this SQL: Arrow's writer writes Parquet's
/// standard LIST, MAP and group encodings, as Trino's writer does.
fn nested(sql: &str) -> Written {
    match sql {
        "ARRAY[1, 2, 3]" => Written::Nested(list_of_ints(&[Some(1), Some(2), Some(3)])),
        "ARRAY[1, NULL]" => Written::Nested(list_of_ints(&[Some(1), None])),
        // Athena's ARRAY[] is array(unknown), which its writer cannot write; an empty
        // array(integer) is.
        "ARRAY[]" => Written::Nested(list_of_ints(&[])),
        "ARRAY['a', 'b']" | "ARRAY['a, b']" => {
            let items: &[&str] = if sql == "ARRAY['a, b']" {
                &["a, b"]
            } else {
                &["a", "b"]
            };
            let mut b = ListBuilder::new(StringBuilder::new());
            b.append_value(items.iter().map(|s| Some(*s)));
            b.append_null();
            Written::Nested(Arc::new(b.finish()))
        }
        "ARRAY[ARRAY[1, 2], ARRAY[3]]" => {
            let mut b = ListBuilder::new(ListBuilder::new(Int32Builder::new()));
            b.values().append_value([Some(1), Some(2)]);
            b.values().append_value([Some(3)]);
            b.append(true);
            b.append_null();
            Written::Nested(Arc::new(b.finish()))
        }
        "MAP(ARRAY['k1', 'k2'], ARRAY['v1', 'v2'])" => {
            let mut b = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
            for (k, v) in [("k1", "v1"), ("k2", "v2")] {
                b.keys().append_value(k);
                b.values().append_value(v);
            }
            b.append(true).unwrap();
            b.append(false).unwrap();
            Written::Nested(Arc::new(b.finish()))
        }
        "MAP(ARRAY['k'], ARRAY[ARRAY[1, 2]])" => {
            let mut b = MapBuilder::new(
                None,
                StringBuilder::new(),
                ListBuilder::new(Int32Builder::new()),
            );
            b.keys().append_value("k");
            b.values().append_value([Some(1), Some(2)]);
            b.append(true).unwrap();
            b.append(false).unwrap();
            Written::Nested(Arc::new(b.finish()))
        }
        "CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR))" => {
            let mut b = StructBuilder::from_fields(id_name_fields(), 2);
            append_id_name(&mut b, true);
            append_id_name(&mut b, false);
            Written::Nested(Arc::new(b.finish()))
        }
        "ARRAY[CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR))]" => {
            let mut b = ListBuilder::new(StructBuilder::from_fields(id_name_fields(), 1));
            append_id_name(b.values(), true);
            b.append(true);
            b.append_null();
            Written::Nested(Arc::new(b.finish()))
        }
        // Trino's Hive writer refuses a row without field names.
        "ROW(1, 'x')" => Written::Skipped("a row without field names cannot be written"),
        other => panic!("a new nested vector: say how Athena writes {other}"),
    }
}

/// A file of one column `v` of Trino's Hive Parquet schema: the value, then a NULL.
fn hive_parquet(message_type: &str, value: HiveValue) -> Vec<u8> {
    hive_columns(message_type, vec![vec![value, HiveValue::Null]])
}

/// A file of Trino's Hive Parquet schema `message_type` whose top-level columns (all
/// OPTIONAL and flat) hold these values, in one row group.
fn hive_columns(message_type: &str, columns: Vec<Vec<HiveValue>>) -> Vec<u8> {
    let leaves = columns
        .into_iter()
        .map(|values| {
            let defs = values
                .iter()
                .map(|v| i16::from(!matches!(v, HiveValue::Null)))
                .collect();
            let present = values
                .into_iter()
                .filter(|v| !matches!(v, HiveValue::Null))
                .collect();
            (defs, present)
        })
        .collect();
    hive_leaves(message_type, leaves)
}

/// A file of the schema `message_type` whose leaf columns have these definition levels
/// and (present) values, in one row group, as Trino's writer writes them.
fn hive_leaves(message_type: &str, leaves: Vec<(Vec<i16>, Vec<HiveValue>)>) -> Vec<u8> {
    use parquet::column::writer::ColumnWriter;
    let schema = Arc::new(parse_message_type(message_type).unwrap());
    let props = Arc::new(WriterProperties::builder().build());
    let mut out = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut out, schema, props).unwrap();
    let mut group = writer.next_row_group().unwrap();
    for (defs, values) in leaves {
        let mut column = group.next_column().unwrap().unwrap();
        macro_rules! values {
            ($variant:ident, $t:ty) => {
                values
                    .iter()
                    .map(|v| match v {
                        HiveValue::$variant(x) => <$t>::from(x.clone()),
                        _ => panic!("a value of another type in the column"),
                    })
                    .collect::<Vec<$t>>()
            };
        }
        let defs = Some(defs.as_slice());
        let written = match column.untyped() {
            ColumnWriter::BoolColumnWriter(w) => w.write_batch(&values!(Boolean, bool), defs, None),
            ColumnWriter::Int32ColumnWriter(w) => w.write_batch(&values!(Int32, i32), defs, None),
            ColumnWriter::Int64ColumnWriter(w) => w.write_batch(&values!(Int64, i64), defs, None),
            ColumnWriter::Int96ColumnWriter(w) => {
                w.write_batch(&values!(Int96, pq::Int96), defs, None)
            }
            ColumnWriter::FloatColumnWriter(w) => w.write_batch(&values!(Float, f32), defs, None),
            ColumnWriter::DoubleColumnWriter(w) => w.write_batch(&values!(Double, f64), defs, None),
            ColumnWriter::ByteArrayColumnWriter(w) => {
                w.write_batch(&values!(Bytes, pq::ByteArray), defs, None)
            }
            ColumnWriter::FixedLenByteArrayColumnWriter(w) => {
                w.write_batch(&values!(Fixed, pq::FixedLenByteArray), defs, None)
            }
        };
        assert_eq!(written.unwrap(), values.len(), "every value written");
        column.close().unwrap();
    }
    group.close().unwrap();
    writer.close().unwrap();
    out
}

/// JSON with every number and boolean as a string: what the typed JSON of a nested
/// value is when its element types are not known (Athena's bare `array`).
fn untyped(json: &Json) -> Json {
    match json {
        Json::Number(n) => Json::String(n.to_string()),
        Json::Bool(b) => Json::String(b.to_string()),
        Json::Array(items) => Json::Array(items.iter().map(untyped).collect()),
        Json::Object(fields) => Json::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), untyped(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[tokio::test(start_paused = true)]
async fn every_vector_parquet_can_carry_reads_back_as_athena_text_and_typed_json() {
    let vectors: Vec<Json> =
        serde_json::from_str(include_str!("../../testdata/athena_values.json")).unwrap();
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    let (mut read, mut skipped) = (0, Vec::new());
    for (i, vector) in vectors.iter().enumerate() {
        let (sql, athena_type) = (
            vector["sql"].as_str().unwrap(),
            vector["type"].as_str().unwrap(),
        );
        let text = vector["text"].as_str();
        let uri = format!("s3://out/values/{i}");
        let (expected_text, nested) = match written(athena_type, sql, text) {
            Written::Skipped(why) => {
                skipped.push(format!("{sql}: {why}"));
                continue;
            }
            Written::Hive {
                message_type,
                value,
                text,
            } => {
                s3.put(&uri, hive_parquet(&message_type, value));
                (text, false)
            }
            Written::Nested(column) => {
                s3.put(
                    &uri,
                    arrow_parquet(vec![("v", column)], Compression::SNAPPY, 1000),
                );
                (text.map(str::to_owned), true)
            }
        };
        let rows: Vec<Row> = athena
            .read_shard(&Shard::new(&uri, UnloadFormat::Parquet))
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(rows.len(), 2, "{sql}");
        // The text Athena shows, and NULL apart from it (the second row).
        assert_eq!(
            rows[0].get_str("v").unwrap(),
            expected_text.as_deref(),
            "{sql}"
        );
        assert_eq!(rows[1].get_str("v").unwrap(), None, "{sql}: NULL");
        // The typed JSON: the vector's, once the Parquet-typed elements of a nested
        // value are made text again (GetQueryResults' bare `array` types none).
        let typed = rows[0]
            .to_typed_json()
            .unwrap_or_else(|e| panic!("{sql}: {e}"))["v"]
            .clone();
        let expected_json = match athena_type {
            "timestamp" | "char" => Json::from(expected_text.clone()),
            _ => vector["json"].clone(),
        };
        if nested {
            assert_eq!(untyped(&typed), expected_json, "{sql}");
        } else {
            assert_eq!(typed, expected_json, "{sql}");
        }
        read += 1;
    }
    // Every vector was either read back or is named here with the reason.
    assert_eq!(read + skipped.len(), vectors.len());
    assert_eq!(skipped.len(), 11, "{skipped:#?}");
}

#[tokio::test(start_paused = true)]
async fn int96_timestamps_of_any_year_read_back_as_athena_shows_them() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    // Written with every digit; read at Athena's precision 3, rounded half up. The
    // first two are outside what an i64 of nanoseconds holds (1677 to 2262).
    let cases = [
        ("9999-12-31 23:59:59.999", "9999-12-31 23:59:59.999"),
        ("0001-01-01 00:00:00", "0001-01-01 00:00:00.000"),
        ("1969-12-31 23:59:59.999", "1969-12-31 23:59:59.999"),
        ("2024-01-02 03:04:05.1234995", "2024-01-02 03:04:05.123"),
        ("2024-01-02 03:04:05.9995", "2024-01-02 03:04:06.000"),
        ("1500-02-28 23:59:59.9996", "1500-03-01 00:00:00.000"),
    ];
    let values = cases
        .iter()
        .map(|(written, _)| HiveValue::Int96(int96_at(written)))
        .collect();
    s3.put(
        "s3://out/int96/years",
        hive_columns("message trino_schema { optional int96 ts; }", vec![values]),
    );
    let rows: Vec<Row> = athena
        .read_shard(&Shard::new("s3://out/int96/years", UnloadFormat::Parquet))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows[0].columns()[0].r#type, "timestamp(3)");
    let got: Vec<Option<&str>> = rows.iter().map(|r| r.get_str("ts").unwrap()).collect();
    let expected: Vec<Option<&str>> = cases.iter().map(|(_, shown)| Some(*shown)).collect();
    assert_eq!(got, expected);
}

/// `array(varchar)` of three rows: `[a, null, ""]`, NULL, `[]`.
fn tags() -> ArrayRef {
    let mut tags = ListBuilder::new(StringBuilder::new());
    tags.append_value([Some("a"), None, Some("")]);
    tags.append_null();
    tags.append_value([] as [Option<&str>; 0]);
    Arc::new(tags.finish())
}

#[tokio::test(start_paused = true)]
async fn nested_values_are_typed_by_the_file_and_nulls_stay_apart_from_empty_text() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    let names: StringArray = vec![Some(""), None, Some("x")].into_iter().collect();
    s3.put(
        "s3://out/nested/f1",
        arrow_parquet(
            vec![("name", Arc::new(names) as ArrayRef), ("tags", tags())],
            Compression::ZSTD(ZstdLevel::default()),
            1000,
        ),
    );
    let rows: Vec<Row> = athena
        .read_shard(&Shard::new("s3://out/nested/f1", UnloadFormat::Parquet))
        .try_collect()
        .await
        .unwrap();
    let texts: Vec<Vec<Option<&str>>> = rows
        .iter()
        .map(|r| r.values().iter().map(Option::as_deref).collect())
        .collect();
    assert_eq!(
        texts,
        [
            vec![Some(""), Some("[a, null, ]")],
            vec![None, None],
            vec![Some("x"), Some("[]")],
        ]
    );
    assert_eq!(rows[0].columns()[1].r#type, "array(varchar)");
    assert_eq!(
        rows.iter().map(Row::row_number).collect::<Vec<_>>(),
        [0, 1, 2]
    );
}

// ---------------------------------------------------------------------------
// Reading shards
// ---------------------------------------------------------------------------

#[derive(Debug, serde::Deserialize)]
struct Hit {
    request_id: String,
    bytes: Option<i64>,
}

/// `files` files of [`hits`] of `rows` rows each, `s3://out/run/f<i>`, as shards that
/// list their columns.
fn hit_shards(s3: &FakeS3, files: usize, rows: usize) -> Vec<Shard> {
    (0..files)
        .map(|f| {
            let uri = format!("s3://out/run/f{f}");
            s3.put(&uri, hits(&format!("f{f}"), rows));
            let mut shard = Shard::new(uri, UnloadFormat::Parquet);
            shard.columns = hit_columns();
            shard
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn several_shards_are_read_at_once_and_every_row_comes_once() {
    let s3 = FakeS3::default();
    s3.set_latency(Duration::from_millis(10));
    let (_, athena) = athena(&s3);
    let shards = hit_shards(&s3, 6, 2500);

    let started = tokio::time::Instant::now();
    let hits: Vec<Hit> = athena
        .read_shards(shards.clone(), MapSettings::new(3))
        .and_then(|row| async move { row.deserialize::<Hit>() })
        .try_collect()
        .await
        .unwrap();
    let parallel = started.elapsed();
    let ids: BTreeSet<&str> = hits.iter().map(|h| h.request_id.as_str()).collect();
    assert_eq!(hits.len(), 6 * 2500);
    assert_eq!(ids.len(), hits.len(), "every row once");
    for f in 0..6 {
        assert!(ids.contains(format!("f{f}-2499").as_str()));
    }
    assert_eq!(hits.iter().filter(|h| h.bytes.is_none()).count(), 6 * 358);
    assert!(s3.max_in_flight() >= 2, "files were read at once");

    // One at a time: the files in order, each in its own order, and slower.
    let started = tokio::time::Instant::now();
    let ids: Vec<String> = athena
        .read_shards(shards, MapSettings::new(1))
        .map_ok(|row| row.get::<String>("request_id").unwrap())
        .try_collect()
        .await
        .unwrap();
    let sequential = started.elapsed();
    let expected: Vec<String> = (0..6)
        .flat_map(|f| (0..2500).map(move |i| format!("f{f}-{i}")))
        .collect();
    assert_eq!(ids, expected);
    assert!(
        parallel * 2 <= sequential,
        "3 at once took {parallel:?}, one at a time {sequential:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_footer_is_read_first_then_the_column_chunks_in_ranges() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    // Uncompressed, so the file is large enough for its footer to be a suffix.
    let n = 40_000;
    let file = big_file();
    let size = file.len() as u64;
    assert!(size > 4 * reader::FOOTER_PREFETCH, "{size}");
    s3.put("s3://out/big/f1", file);

    let rows = athena
        .read_shard(&Shard::new("s3://out/big/f1", UnloadFormat::Parquet))
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(rows, n);
    assert_eq!(s3.calls(Operation::HeadObject), 1);
    let ranges = s3.ranges();
    // The footer first, in one request for the end of the file.
    assert_eq!(ranges[0], (size - reader::FOOTER_PREFETCH, size));
    // Then each row group's column chunks (adjacent, so one range each), except what
    // the footer's request already brought.
    let chunks = &ranges[1..];
    assert!((3..=4).contains(&chunks.len()), "{ranges:?}");
    assert!(
        chunks.windows(2).all(|w| w[0].1 <= w[1].0),
        "in file order: {ranges:?}"
    );
    assert!(chunks.iter().all(|r| r.1 <= size - 8), "{ranges:?}");
    let read: u64 = ranges.iter().map(|(s, e)| e - s).sum();
    assert!(
        read < size + reader::FOOTER_PREFETCH,
        "{read} bytes for a {size}-byte file"
    );

    // With a smaller chunk size, a row group's range is cut into pieces read at once.
    let s3_small = FakeS3::default();
    s3_small.set_latency(Duration::from_millis(5));
    s3_small.put("s3://out/big/f1", s3_object(&s3, "s3://out/big/f1"));
    let athena_small = Fake::new(Plan::rows(0))
        .builder()
        .with_s3_api(Arc::new(s3_small.clone()))
        .with_chunk_size(16 * 1024)
        .with_chunks_in_flight(4)
        .build()
        .unwrap();
    let count = athena_small
        .read_shard(&Shard::new("s3://out/big/f1", UnloadFormat::Parquet))
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(count, n);
    let ranges = s3_small.ranges();
    assert!(
        ranges[1..].iter().all(|(s, e)| e - s <= 16 * 1024),
        "{ranges:?}"
    );
    assert_eq!(s3_small.max_in_flight(), 4);
}

/// The bytes of an object of the fake, read through the seam.
fn s3_object(s3: &FakeS3, uri: &str) -> Vec<u8> {
    use crate::s3::{ObjectLocation, S3Api};
    let stats = crate::stats::Stats::default();
    futures::executor::block_on(s3.get_object(&ObjectLocation::parse(uri).unwrap(), &stats))
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn throttled_and_cut_off_reads_are_retried() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put("s3://out/run/f1", hits("f1", 3000));
    s3.fail_next(Operation::HeadObject, S3Fault::SlowDown, 1);
    s3.fail_next(Operation::GetObject, S3Fault::SlowDown, 2);
    s3.fail_next(Operation::GetObject, S3Fault::CutAfter(100), 1);
    let rows: Vec<Row> = athena
        .read_shard(&Shard::new("s3://out/run/f1", UnloadFormat::Parquet))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 3000);
    assert_eq!(s3.faults_left(Operation::GetObject), 0);
    assert_eq!(s3.faults_left(Operation::HeadObject), 0);
}

/// A file too large for its footer's request to bring it all: 40,000 rows in row
/// groups of 10,000, uncompressed.
fn big_file() -> Vec<u8> {
    let n = 40_000;
    let ids: StringArray = (0..n).map(|i| Some(format!("request-{i:08}"))).collect();
    let bytes: Int64Array = (0..n).map(|i| Some(i as i64 * 31)).collect();
    arrow_parquet(
        vec![
            ("request_id", Arc::new(ids) as ArrayRef),
            ("bytes", Arc::new(bytes)),
        ],
        Compression::UNCOMPRESSED,
        10_000,
    )
}

#[tokio::test(start_paused = true)]
async fn a_file_replaced_while_read_fails_the_read_and_no_row_comes_twice() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put("s3://out/run/f1", big_file());
    let mut rows = athena.read_shard(&Shard::new("s3://out/run/f1", UnloadFormat::Parquet));
    let first = rows.next().await.unwrap().unwrap();
    assert_eq!(
        first.get_str("request_id").unwrap(),
        Some("request-00000000")
    );
    // The reader is at most a few batches ahead (its channel is bounded), so the row
    // groups after them are read from the new version, which S3 refuses (If-Match).
    s3.replace("s3://out/run/f1");
    let mut seen = BTreeSet::from([first.row_number()]);
    let err = loop {
        match rows.next().await {
            Some(Ok(row)) => assert!(
                seen.insert(row.row_number()),
                "row {} twice",
                row.row_number()
            ),
            Some(Err(e)) => break e,
            None => panic!("the replaced file was read to its end"),
        }
    };
    assert!(seen.len() < 40_000, "{} rows", seen.len());
    assert!(
        rows.next().await.is_none(),
        "the stream ends after its error"
    );
    assert_changed_while_read(&err, "s3://out/run/f1");
}

/// The error of a read of `uri` that S3 refused because the file changed (`If-Match`
/// on the ETag the read began with, `"v1"`).
fn assert_changed_while_read(err: &Error, uri: &str) {
    let Error::Unload {
        location, source, ..
    } = err
    else {
        panic!("{err:?}");
    };
    assert_eq!(location, uri);
    let source = source.as_ref().expect("the S3 error underneath");
    assert!(
        matches!(
            source.downcast_ref::<Error>(),
            Some(Error::ResultFileChanged { etag, .. }) if etag == "\"v1\""
        ),
        "{source:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_read_is_not_retried_and_names_the_file() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put("s3://out/run/f1", hits("f1", 10));
    s3.fail_next(Operation::GetObject, S3Fault::AccessDenied, 1);
    let err = shard_error(
        &athena,
        &Shard::new("s3://out/run/f1", UnloadFormat::Parquet),
    )
    .await;
    assert!(matches!(err, Error::Unload { .. }), "{err:?}");
    assert!(err.to_string().contains("s3://out/run/f1"), "{err}");
    assert!(err.to_string().contains("AccessDenied"), "{err}");
    assert_eq!(s3.calls(Operation::GetObject), 1, "not retried");

    // HeadObject refused: the same, before any byte is read.
    s3.fail_next(Operation::HeadObject, S3Fault::AccessDenied, 1);
    let err = shard_error(
        &athena,
        &Shard::new("s3://out/run/f1", UnloadFormat::Parquet),
    )
    .await;
    assert!(err.to_string().contains("HeadObject failed"), "{err}");
    assert_eq!(s3.calls(Operation::GetObject), 1);
}

#[tokio::test(start_paused = true)]
async fn a_column_of_a_type_athena_has_not_is_refused_by_name() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    // Parquet's INTERVAL, which the Arrow reader reads as an interval, which no Athena
    // column type is.
    s3.put(
        "s3://out/run/interval",
        hive_parquet(
            "message trino_schema { optional fixed_len_byte_array(12) v (INTERVAL); }",
            HiveValue::Fixed(vec![0; 12]),
        ),
    );
    let err = shard_error(
        &athena,
        &Shard::new("s3://out/run/interval", UnloadFormat::Parquet),
    )
    .await;
    assert!(matches!(err, Error::Unload { .. }), "{err:?}");
    assert!(err.to_string().contains("column `v`"), "{err}");
    assert!(err.to_string().contains("has no Athena type"), "{err}");
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// The one error a shard's stream yields, and that it ends after it.
async fn shard_error(athena: &Athena, shard: &Shard) -> Error {
    let mut rows = athena.read_shard(shard);
    let err = loop {
        match rows.next().await {
            Some(Ok(_)) => continue,
            Some(Err(e)) => break e,
            None => panic!("{} was read without an error", shard.uri),
        }
    };
    assert!(
        rows.next().await.is_none(),
        "the stream ends after its error"
    );
    err
}

#[tokio::test(start_paused = true)]
async fn a_missing_file_is_a_clear_error() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    let err = shard_error(
        &athena,
        &Shard::new("s3://out/run/gone", UnloadFormat::Parquet),
    )
    .await;
    assert!(
        matches!(&err, Error::Unload { location, .. } if location == "s3://out/run/gone"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "UNLOAD file s3://out/run/gone: the file does not exist (HeadObject answered NoSuchKey)"
    );
}

/// Both read paths fail a bad shard with the same one error, then end: gives it.
async fn shard_error_both_ways(athena: &Athena, shard: &Shard) -> Error {
    let from_rows = shard_error(athena, shard).await;
    let from_batches = shard_batches(athena, shard, &BatchOptions::new())
        .await
        .unwrap_err();
    assert_eq!(from_batches.to_string(), from_rows.to_string());
    assert_eq!(
        std::mem::discriminant(&from_batches),
        std::mem::discriminant(&from_rows)
    );
    from_rows
}

#[tokio::test(start_paused = true)]
async fn files_that_cannot_be_read_are_refused_by_name() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put(
        "s3://out/text",
        b"request_id,bytes\nr1,10\nr2,20\n".to_vec(),
    );
    s3.put("s3://out/tiny", b"PAR1".to_vec());
    s3.put("s3://out/f1", hits("f1", 10));
    let with_columns = |columns: Vec<ShardColumn>| {
        let mut s = Shard::new("s3://out/f1", UnloadFormat::Parquet);
        s.columns = columns;
        s
    };
    let mut more = hit_columns();
    more.push(ShardColumn::new("status", "integer"));
    let mut retyped = hit_columns();
    retyped[1] = ShardColumn::new("bytes", "integer");
    let cases = [
        (
            Shard::new("s3://out/text", UnloadFormat::Parquet),
            "is not a Parquet file",
        ),
        (
            Shard::new("s3://out/tiny", UnloadFormat::Parquet),
            "too short for Parquet",
        ),
        (
            Shard::new("s3://out/f1", UnloadFormat::Json),
            "reads the Parquet files of an UNLOAD only, not JSON",
        ),
        (
            Shard::new("out/f1", UnloadFormat::Parquet),
            "not an s3://bucket/key URI",
        ),
        (
            Shard::new("s3://out/gone", UnloadFormat::Parquet),
            "the file does not exist",
        ),
        // Fewer columns than the file, more (one the file has not), another type.
        (
            with_columns(vec![ShardColumn::new("request_id", "varchar")]),
            "the file's columns (request_id varchar, bytes bigint, uri varchar) are not \
             the shard's (request_id varchar)",
        ),
        (with_columns(more), "uri varchar, status integer)"),
        (with_columns(retyped), "bytes integer, uri varchar)"),
    ];
    for (shard, expected) in cases {
        let err = shard_error_both_ways(&athena, &shard).await;
        assert!(matches!(err, Error::Unload { .. }), "{err:?}");
        assert!(
            err.to_string().contains(expected),
            "{expected:?} not in {err}"
        );
        assert!(err.to_string().contains(&shard.uri), "{err}");
    }
    // Refused by S3 (not retried).
    s3.fail_next(Operation::GetObject, S3Fault::AccessDenied, 2);
    let err =
        shard_error_both_ways(&athena, &Shard::new("s3://out/f1", UnloadFormat::Parquet)).await;
    assert!(err.to_string().contains("AccessDenied"), "{err}");
    // No S3 client at all.
    let no_s3 = Fake::new(Plan::rows(0)).athena();
    let err =
        shard_error_both_ways(&no_s3, &Shard::new("s3://out/f1", UnloadFormat::Parquet)).await;
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn the_first_failed_shard_ends_the_rows_of_all() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put("s3://out/run/f1", hits("f1", 10));
    let shards = [
        Shard::new("s3://out/run/f1", UnloadFormat::Parquet),
        Shard::new("s3://out/run/missing", UnloadFormat::Parquet),
    ];
    let mut rows = athena.read_shards(shards, MapSettings::new(1));
    let mut ok = 0;
    let err = loop {
        match rows.next().await {
            Some(Ok(_)) => ok += 1,
            Some(Err(e)) => break e,
            None => panic!("no error"),
        }
    };
    assert_eq!(ok, 10);
    assert!(err.to_string().contains("s3://out/run/missing"), "{err}");
    assert!(rows.next().await.is_none());

    // Tolerances do not apply to files: refused, not ignored.
    let mut rows = athena.read_shards(
        [Shard::new("s3://out/run/f1", UnloadFormat::Parquet)],
        MapSettings::new(2).with_tolerated_failure_count(1),
    );
    let err = rows.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err:?}");
    assert!(rows.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn corrupted_files_end_their_read_with_an_error_never_a_panic() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    let good = hits("f1", 3000);
    let len = good.len();
    // Bytes changed at the start, through the column chunks, in the footer and its
    // length, and the file cut short at each of those places.
    let mut variants = Vec::new();
    for at in (0..len).step_by(len / 40).chain(len - 12..len) {
        let mut flipped = good.clone();
        flipped[at] ^= 0x5a;
        variants.push((format!("byte {at} changed"), flipped));
        variants.push((format!("cut at {at}"), good[..at].to_vec()));
    }
    let mut failed = 0;
    for (i, (what, bytes)) in variants.into_iter().enumerate() {
        let uri = format!("s3://out/bad/{i}");
        s3.put(&uri, bytes);
        let mut rows = athena.read_shard(&Shard::new(&uri, UnloadFormat::Parquet));
        let (mut n, mut errored) = (0, false);
        while let Some(row) = rows.next().await {
            match row {
                Ok(_) => n += 1,
                Err(e) => {
                    assert!(matches!(e, Error::Unload { .. }), "{what}: {e:?}");
                    assert!(e.to_string().contains(&uri), "{what}: {e}");
                    errored = true;
                    assert!(rows.next().await.is_none(), "{what}: ends after its error");
                    break;
                }
            }
        }
        // A change the checks cannot see (a byte of a value) still gives every row.
        assert!(errored || n == 3000, "{what}: {n} rows and no error");
        failed += usize::from(errored);
    }
    assert!(failed > 40, "{failed} corrupted files failed");
}

#[tokio::test]
async fn a_reader_that_panics_is_an_error_naming_the_file() {
    let task = tokio::spawn(async { panic!("index out of bounds") });
    let err = shard::task_error("s3://out/bad/f1", task.await.unwrap_err());
    assert!(matches!(&err, Error::Unload { location, .. } if location == "s3://out/bad/f1"));
    assert!(
        err.to_string().contains("panicked: index out of bounds"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// Athena::unload
// ---------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn an_unload_runs_its_statement_and_lists_the_manifest_files_with_their_columns() {
    let s3 = FakeS3::default();
    let (fake, athena) = athena(&s3);
    // The fake's queries write their result under s3://results/, so the manifest of
    // the first one, q1, is found beside it (it gives no DataManifestLocation).
    fake.write_result_files(&s3);
    s3.put(
        "s3://results/q1-manifest.csv",
        b"s3://out/run/f1\ns3://out/run/f2\n".to_vec(),
    );
    s3.put("s3://out/run/f1", hits("f1", 1200));
    s3.put("s3://out/run/f2", hits("f2", 800));

    let unloaded = athena
        .unload(Unload::new("SELECT request_id, bytes, uri FROM hits").with_to("s3://out/run/"))
        .await
        .unwrap();
    assert_eq!(fake.calls_of(Operation::StartQueryExecution).len(), 1);
    assert_eq!(unloaded.query_execution.query_execution_id, "q1");
    assert_eq!(unloaded.manifest_location, "s3://results/q1-manifest.csv");
    assert_eq!(
        unloaded
            .shards
            .iter()
            .map(|s| s.uri.as_str())
            .collect::<Vec<_>>(),
        ["s3://out/run/f1", "s3://out/run/f2"]
    );
    assert_eq!(unloaded.columns(), hit_columns());
    assert!(unloaded.shards.iter().all(|s| s.columns == hit_columns()));
    assert_eq!(unloaded.metadata().columns()[1].precision, 19);

    // A shard travels as JSON and reads the same on the other side.
    let json = serde_json::to_value(&unloaded.shards[1]).unwrap();
    assert_eq!(
        json,
        json!({
            "uri": "s3://out/run/f2",
            "format": "PARQUET",
            "columns": [
                {"name": "request_id", "type": "varchar"},
                {"name": "bytes", "type": "bigint"},
                {"name": "uri", "type": "varchar"},
            ],
        })
    );
    let shard: Shard = serde_json::from_value(json).unwrap();
    let rows: Vec<Row> = athena.read_shard(&shard).try_collect().await.unwrap();
    assert_eq!(rows.len(), 800);
    assert_eq!(rows[1].get::<i64>("bytes").unwrap(), 1);

    let total = unloaded
        .rows(&athena, MapSettings::new(0))
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(total, 2000);

    // The same rows as batches, of the columns the UNLOAD lists.
    let batches: Vec<RecordBatch> = unloaded
        .batches(&athena, MapSettings::new(0), &BatchOptions::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        batches.iter().map(RecordBatch::num_rows).sum::<usize>(),
        2000
    );
    let names: Vec<&str> = unloaded.columns().iter().map(|c| c.name.as_str()).collect();
    for batch in &batches {
        let fields = batch.schema();
        let got: Vec<&str> = fields.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(got, names);
    }
}

#[tokio::test(start_paused = true)]
async fn an_unload_that_wrote_no_row_has_no_shards() {
    let s3 = FakeS3::default();
    let (fake, athena) = athena(&s3);
    fake.write_result_files(&s3);
    s3.put("s3://results/q1-manifest.csv", Vec::new());
    let unloaded = athena
        .unload(Unload::new("SELECT 1 WHERE false").with_to("s3://out/empty/"))
        .await
        .unwrap();
    assert!(unloaded.shards.is_empty());
    assert!(unloaded.columns().is_empty());
    assert!(unloaded.metadata().is_empty());
    let rows: Vec<Row> = unloaded
        .rows(&athena, MapSettings::new(4))
        .try_collect()
        .await
        .unwrap();
    assert!(rows.is_empty());
    // Nothing but the manifest was read.
    assert_eq!(s3.calls(Operation::HeadObject), 0);
}

#[tokio::test(start_paused = true)]
async fn an_unload_whose_manifest_is_missing_or_wrong_is_a_clear_error() {
    let s3 = FakeS3::default();
    let (fake, athena) = athena(&s3);
    fake.write_result_files(&s3);
    let err = athena
        .unload(Unload::new("SELECT 1").with_to("s3://out/a/"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "UNLOAD file s3://results/q1-manifest.csv: the data manifest does not exist \
         (GetObject answered NoSuchKey)"
    );
    s3.put(
        "s3://results/q2-manifest.csv",
        b"s3://out/b/f1\nnot a uri\n".to_vec(),
    );
    let err = athena
        .unload(Unload::new("SELECT 1").with_to("s3://out/b/"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("line 2 of the manifest"), "{err}");

    // Bad settings and a handle without S3 are refused before anything is sent.
    let err = athena.unload(Unload::new("SELECT 1")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err:?}");
    let no_s3 = Fake::new(Plan::rows(0));
    let err = no_s3
        .athena()
        .unload(Unload::new("SELECT 1").with_to("s3://out/c/"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("S3 client"), "{err}");
    assert!(no_s3.calls().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_unload_to_another_format_lists_its_files_without_columns() {
    let s3 = FakeS3::default();
    let (fake, athena) = athena(&s3);
    fake.write_result_files(&s3);
    s3.put(
        "s3://results/q1-manifest.csv",
        b"s3://out/j/f1.gz\n".to_vec(),
    );
    let unloaded = athena
        .unload(
            Unload::new("SELECT 1 AS n")
                .with_to("s3://out/j/")
                .with_format(UnloadFormat::Json),
        )
        .await
        .unwrap();
    assert_eq!(
        unloaded.shards,
        [Shard::new("s3://out/j/f1.gz", UnloadFormat::Json)]
    );
    let err = shard_error(&athena, &unloaded.shards[0]).await;
    assert!(err.to_string().contains("not JSON"), "{err}");
}

// ---------------------------------------------------------------------------
// Batches: the same files as Arrow, compared value by value with their rows
// ---------------------------------------------------------------------------

/// Every batch of a shard, or the one error its stream yields (and then it ends).
async fn shard_batches(
    athena: &Athena,
    shard: &Shard,
    options: &BatchOptions,
) -> Result<Vec<RecordBatch>, Error> {
    let mut stream = athena.read_shard_batches(shard, options);
    let mut batches = Vec::new();
    while let Some(batch) = stream.next().await {
        match batch {
            Ok(batch) => batches.push(batch),
            Err(e) => {
                assert!(
                    stream.next().await.is_none(),
                    "the stream ends after its error"
                );
                return Err(e);
            }
        }
    }
    Ok(batches)
}

/// The text of every value of the batches, row by row: each value read from the
/// batch's own arrays by the renderer the rows use, so that a row and a batch that
/// hold the same value give the same text (NULL `None`, `""` `Some("")`).
fn batch_texts(batches: &[RecordBatch]) -> Vec<Vec<Option<String>>> {
    let mut rows = Vec::new();
    for batch in batches {
        let columns: Vec<Vec<Option<String>>> = batch
            .columns()
            .iter()
            .map(|c| values::column_texts(c, false).unwrap())
            .collect();
        for i in 0..batch.num_rows() {
            rows.push(columns.iter().map(|c| c[i].clone()).collect());
        }
    }
    rows
}

fn row_texts(rows: &[Row]) -> Vec<Vec<Option<String>>> {
    rows.iter().map(|r| r.values().to_vec()).collect()
}

/// Reads a shard both ways and checks that the batches hold every value of every row;
/// gives the batches and the rows.
async fn both_ways(
    athena: &Athena,
    shard: &Shard,
    options: &BatchOptions,
) -> (Vec<RecordBatch>, Vec<Row>) {
    let rows: Vec<Row> = athena.read_shard(shard).try_collect().await.unwrap();
    let batches = shard_batches(athena, shard, options)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", shard.uri));
    assert_eq!(batch_texts(&batches), row_texts(&rows), "{}", shard.uri);
    // One schema for the file: its columns, named as the rows name them.
    for batch in &batches {
        assert_eq!(batch.schema(), batches[0].schema());
        assert!(batch.num_rows() <= options.rows());
    }
    if let (Some(batch), Some(row)) = (batches.first(), rows.first()) {
        let names: Vec<&str> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        let expected: Vec<&str> = row.columns().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, expected);
        for (field, column) in batch.schema_ref().fields().iter().zip(row.columns()) {
            assert_same_shape(field.data_type(), &mapped(&column.r#type), &column.r#type);
        }
    }
    (batches, rows)
}

/// The Arrow type the crate maps an Athena type signature to, as decided for the whole
/// crate (src/columnar/schema.rs): written here from the signature, not from the code
/// under test. Nested field names are Arrow's defaults; [`assert_same_shape`] looks
/// past them.
fn mapped(signature: &str) -> DataType {
    let precision = |s: &str| -> u32 {
        s.split_once('(')
            .and_then(|(_, p)| p.split_once(')'))
            .map_or(3, |(p, _)| p.trim().parse().unwrap())
    };
    match AthenaType::parse(signature) {
        AthenaType::Boolean => DataType::Boolean,
        AthenaType::TinyInt => DataType::Int8,
        AthenaType::SmallInt => DataType::Int16,
        AthenaType::Integer => DataType::Int32,
        AthenaType::BigInt => DataType::Int64,
        AthenaType::Real => DataType::Float32,
        AthenaType::Double => DataType::Float64,
        AthenaType::Decimal { precision, scale } => {
            DataType::Decimal128(precision as u8, scale as i8)
        }
        AthenaType::Varchar | AthenaType::Char => DataType::Utf8,
        AthenaType::Varbinary => DataType::Binary,
        AthenaType::Date => DataType::Date32,
        AthenaType::Timestamp => DataType::Timestamp(
            match precision(signature) {
                0 => TimeUnit::Second,
                1..=3 => TimeUnit::Millisecond,
                4..=6 => TimeUnit::Microsecond,
                _ => TimeUnit::Nanosecond,
            },
            None,
        ),
        AthenaType::Array(Some(element)) => {
            DataType::List(Arc::new(Field::new("item", mapped_type(&element), true)))
        }
        AthenaType::Map(Some(kv)) => DataType::Map(
            Arc::new(Field::new(
                "entries",
                DataType::Struct(Fields::from(vec![
                    Field::new("keys", mapped_type(&kv.0), false),
                    Field::new("values", mapped_type(&kv.1), true),
                ])),
                false,
            )),
            false,
        ),
        AthenaType::Row(Some(fields)) => DataType::Struct(
            fields
                .iter()
                .map(|f| Field::new(f.name.clone().unwrap(), mapped_type(&f.r#type), true))
                .collect(),
        ),
        other => panic!("no Arrow type decided for {other:?}"),
    }
}

/// [`mapped`] of an element type (whose timestamps are `timestamp(3)` here).
fn mapped_type(t: &AthenaType) -> DataType {
    let signature = match t {
        AthenaType::Array(Some(e)) => {
            return DataType::List(Arc::new(Field::new("item", mapped_type(e), true)));
        }
        AthenaType::Timestamp => "timestamp(3)".to_owned(),
        AthenaType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
        AthenaType::Row(Some(_)) | AthenaType::Map(Some(_)) => {
            return mapped(&signature_of(t));
        }
        other => format!("{other:?}").to_lowercase(),
    };
    mapped(&signature)
}

/// A signature for a nested type, for [`mapped`].
fn signature_of(t: &AthenaType) -> String {
    match t {
        AthenaType::Row(Some(fields)) => format!(
            "row({})",
            fields
                .iter()
                .map(|f| format!("{} {}", f.name.clone().unwrap(), signature_of(&f.r#type)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        AthenaType::Map(Some(kv)) => {
            format!("map({}, {})", signature_of(&kv.0), signature_of(&kv.1))
        }
        AthenaType::Array(Some(e)) => format!("array({})", signature_of(e)),
        AthenaType::Timestamp => "timestamp(3)".to_owned(),
        AthenaType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// The same Arrow type, nested field names and nullability aside (Parquet names a
/// list's field `element`, Arrow's builders `item`).
fn assert_same_shape(got: &DataType, expected: &DataType, what: &str) {
    match (got, expected) {
        (DataType::List(a), DataType::List(b)) => {
            assert_same_shape(a.data_type(), b.data_type(), what);
        }
        (DataType::Map(a, _), DataType::Map(b, _)) => {
            assert_same_shape(a.data_type(), b.data_type(), what);
        }
        (DataType::Struct(a), DataType::Struct(b)) => {
            assert_eq!(a.len(), b.len(), "{what}: {got} vs {expected}");
            for (a, b) in a.iter().zip(b.iter()) {
                assert_same_shape(a.data_type(), b.data_type(), what);
            }
        }
        _ => assert_eq!(got, expected, "{what}"),
    }
}

#[tokio::test(start_paused = true)]
async fn every_vector_parquet_can_carry_reads_back_as_batches_holding_the_rows_values() {
    let vectors: Vec<Json> =
        serde_json::from_str(include_str!("../../testdata/athena_values.json")).unwrap();
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    let options = BatchOptions::new();
    let (mut compared, mut refused) = (0, Vec::new());
    for (i, vector) in vectors.iter().enumerate() {
        let (sql, athena_type) = (
            vector["sql"].as_str().unwrap(),
            vector["type"].as_str().unwrap(),
        );
        let uri = format!("s3://out/values/{i}");
        match written(athena_type, sql, vector["text"].as_str()) {
            Written::Skipped(_) => continue,
            Written::Hive {
                message_type,
                value,
                ..
            } => s3.put(&uri, hive_parquet(&message_type, value)),
            Written::Nested(column) => s3.put(
                &uri,
                arrow_parquet(vec![("v", column)], Compression::SNAPPY, 1000),
            ),
        }
        let shard = Shard::new(&uri, UnloadFormat::Parquet);
        let digits = vector["text"]
            .as_str()
            .and_then(|t| t.split_once('.'))
            .map_or(0, |(_, f)| f.len());
        if athena_type == "timestamp" && digits > 3 {
            // An INT96 value finer than the millisecond: the rows round it as Athena
            // reads it (timestamp(3)); a batch holds Athena's type exactly or fails.
            let err = shard_batches(&athena, &shard, &options).await.unwrap_err();
            let Error::Unload {
                location, message, ..
            } = &err
            else {
                panic!("{sql}: {err:?}");
            };
            assert_eq!(location, &uri);
            assert!(
                message.starts_with(
                    "column `v`, row 0 of the file: the timestamp \
                     2024-01-02 03:04:05.123456 has digits below the millisecond"
                ),
                "{sql}: {message}"
            );
            refused.push(sql);
            continue;
        }
        let (batches, rows) = both_ways(&athena, &shard, &options).await;
        assert_eq!(rows.len(), 2, "{sql}");
        assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 2);
        // The value, then NULL (never an empty value).
        let column = batches[0].column(0);
        assert!(column.is_valid(0) || vector["text"].is_null(), "{sql}");
        assert!(column.is_null(1), "{sql}");
        compared += 1;
    }
    assert_eq!(refused, ["TIMESTAMP '2024-01-02 03:04:05.123456'"]);
    // Every vector the rows read (the test above) is compared here but that one.
    assert_eq!(compared + refused.len() + 11, vectors.len());
}

#[tokio::test(start_paused = true)]
async fn athenas_parquet_types_arrive_as_the_crates_arrow_types_with_every_value_exact() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    let big = "12345678901234567890123456789012345678";
    let decimal = |text: &str, p: u32| {
        HiveValue::Fixed(decimal_bytes(text.replace('.', "").parse().unwrap(), p))
    };
    let bytes = |s: &str| HiveValue::Bytes(s.as_bytes().to_vec());
    use HiveValue::Null;
    // Three rows: values, NULLs, and empty or extreme values.
    let file = hive_columns(
        "message trino_schema {
            optional boolean b;
            optional int32 i;
            optional int64 n;
            optional float r;
            optional double d;
            optional fixed_len_byte_array(16) big (DECIMAL(38,0));
            optional fixed_len_byte_array(2) cents (DECIMAL(3,2));
            optional binary s (UTF8);
            optional binary bin;
            optional int32 day (DATE);
            optional int96 ts;
            optional int96 old;
        }",
        vec![
            vec![HiveValue::Boolean(true), Null, HiveValue::Boolean(false)],
            vec![HiveValue::Int32(i32::MIN), Null, HiveValue::Int32(0)],
            vec![HiveValue::Int64(i64::MAX), Null, HiveValue::Int64(-1)],
            vec![HiveValue::Float(1.5), Null, HiveValue::Float(f32::NAN)],
            vec![
                HiveValue::Double(0.1 + 0.2),
                Null,
                HiveValue::Double(f64::NEG_INFINITY),
            ],
            vec![
                decimal(big, 38),
                Null,
                decimal(&format!("-{}", "9".repeat(38)), 38),
            ],
            vec![decimal("1.50", 3), Null, decimal("-0.05", 3)],
            vec![bytes("x"), Null, bytes("")],
            vec![bytes("he"), Null, bytes("")],
            vec![
                HiveValue::Int32(date_days("2024-01-02") as i32),
                Null,
                HiveValue::Int32(date_days("0001-01-01") as i32),
            ],
            vec![
                HiveValue::Int96(int96_at("2024-01-02 03:04:05.123")),
                Null,
                HiveValue::Int96(int96_at("9999-12-31 23:59:59.999")),
            ],
            vec![
                HiveValue::Int96(int96_at("0001-01-01 00:00:00.000")),
                Null,
                HiveValue::Int96(int96_at("1969-12-31 23:59:59.999")),
            ],
        ],
    );
    s3.put("s3://out/types/f1", file);
    let shard = Shard::new("s3://out/types/f1", UnloadFormat::Parquet);
    let (batches, rows) = both_ways(&athena, &shard, &BatchOptions::new()).await;
    assert_eq!(batches.len(), 1);
    let batch = &batches[0];
    let types: Vec<DataType> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.data_type().clone())
        .collect();
    let ms = DataType::Timestamp(TimeUnit::Millisecond, None);
    assert_eq!(
        types,
        [
            DataType::Boolean,
            DataType::Int32,
            DataType::Int64,
            DataType::Float32,
            DataType::Float64,
            DataType::Decimal128(38, 0),
            DataType::Decimal128(3, 2),
            DataType::Utf8,
            DataType::Binary,
            DataType::Date32,
            ms.clone(),
            ms,
        ]
    );
    // Decimals at full precision, as Arrow's unscaled integers.
    let big_column = batch
        .column(5)
        .as_primitive::<arrow_array::types::Decimal128Type>();
    assert_eq!(big_column.value(0), big.parse::<i128>().unwrap());
    assert_eq!(
        big_column.value(2),
        -"9".repeat(38).parse::<i128>().unwrap()
    );
    let cents = batch
        .column(6)
        .as_primitive::<arrow_array::types::Decimal128Type>();
    assert_eq!((cents.value(0), cents.value(2)), (150, -5));
    // NULL and the empty string apart, in the validity bitmap.
    let s = batch.column(7).as_string::<i32>();
    assert_eq!(s.iter().collect::<Vec<_>>(), [Some("x"), None, Some("")]);
    let bin = batch.column(8).as_binary::<i32>();
    assert_eq!(
        bin.iter().collect::<Vec<_>>(),
        [Some(&b"he"[..]), None, Some(&b""[..])]
    );
    // INT96 at milliseconds, at any year (nanoseconds would wrap past 2262).
    let ts = batch
        .column(10)
        .as_primitive::<arrow_array::types::TimestampMillisecondType>();
    assert_eq!(ts.value(0), 1_704_164_645_123);
    assert_eq!(ts.value(2), 253_402_300_799_999);
    let old = batch
        .column(11)
        .as_primitive::<arrow_array::types::TimestampMillisecondType>();
    assert_eq!(old.value(0), -62_135_596_800_000);
    assert_eq!(old.value(2), -1);
    // And the rows show the same instants.
    assert_eq!(
        rows[2].get_str("ts").unwrap(),
        Some("9999-12-31 23:59:59.999")
    );
    assert_eq!(
        rows[0].get_str("old").unwrap(),
        Some("0001-01-01 00:00:00.000")
    );
    assert_eq!(rows[0].columns()[10].r#type, "timestamp(3)");
    // The second row is NULL in every column.
    assert!(batch.columns().iter().all(|c| c.is_null(1)));
}

#[tokio::test(start_paused = true)]
async fn nested_values_arrive_as_lists_maps_and_structs_of_the_crates_types() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    let mut attrs = MapBuilder::new(
        None,
        StringBuilder::new(),
        ListBuilder::new(Int32Builder::new()),
    );
    attrs.keys().append_value("k");
    attrs.values().append_value([Some(1), None]);
    attrs.keys().append_value("");
    attrs.values().append_null();
    attrs.append(true).unwrap();
    attrs.append(false).unwrap();
    attrs.append(true).unwrap();
    let mut person = StructBuilder::from_fields(id_name_fields(), 3);
    append_id_name(&mut person, true);
    append_id_name(&mut person, false);
    person
        .field_builder::<Int32Builder>(0)
        .unwrap()
        .append_null();
    person
        .field_builder::<StringBuilder>(1)
        .unwrap()
        .append_value("");
    person.append(true);
    let mut people = ListBuilder::new(StructBuilder::from_fields(id_name_fields(), 1));
    append_id_name(people.values(), true);
    append_id_name(people.values(), false);
    people.append(true);
    people.append_null();
    people.append(true);
    s3.put(
        "s3://out/nested/f1",
        arrow_parquet(
            vec![
                ("tags", tags()),
                ("attrs", Arc::new(attrs.finish())),
                ("person", Arc::new(person.finish())),
                ("people", Arc::new(people.finish())),
            ],
            Compression::ZSTD(ZstdLevel::default()),
            1000,
        ),
    );
    let shard = Shard::new("s3://out/nested/f1", UnloadFormat::Parquet);
    let (batches, rows) = both_ways(&athena, &shard, &BatchOptions::new()).await;
    assert_eq!(
        rows.iter()
            .map(|r| r
                .columns()
                .iter()
                .map(|c| c.r#type.clone())
                .collect::<Vec<_>>())
            .next()
            .unwrap(),
        [
            "array(varchar)",
            "map(varchar, array(integer))",
            "row(id integer, name varchar)",
            "array(row(id integer, name varchar))",
        ]
    );
    let batch = &batches[0];
    let tags = batch.column(0).as_list::<i32>();
    assert_eq!(
        tags.value(0).as_string::<i32>().iter().collect::<Vec<_>>(),
        [Some("a"), None, Some("")]
    );
    assert!(tags.is_null(1));
    assert!(tags.is_valid(2) && tags.value(2).is_empty());
    let attrs = batch.column(1).as_map();
    assert!(attrs.is_null(1) && attrs.is_valid(2) && attrs.value(2).is_empty());
    let person = batch.column(2).as_struct();
    assert!(person.is_null(1));
    assert!(person.column(0).is_null(2));
    assert_eq!(person.column(1).as_string::<i32>().value(2), "");
    // The texts of the rows, value by value (`both_ways` compared them all).
    assert_eq!(
        rows[0].get_str("attrs").unwrap(),
        Some("{k=[1, null], =null}")
    );
}

#[tokio::test(start_paused = true)]
async fn int96_timestamps_inside_a_row_are_milliseconds_too() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    // row(ts timestamp, id integer): {ts=9999-12-31..., id=1}, NULL, {ts=NULL, id=2}.
    let file = hive_leaves(
        "message trino_schema {
            optional group r { optional int96 ts; optional int32 id; }
        }",
        vec![
            (
                vec![2, 0, 1],
                vec![HiveValue::Int96(int96_at("9999-12-31 23:59:59.999"))],
            ),
            (
                vec![2, 0, 2],
                vec![HiveValue::Int32(1), HiveValue::Int32(2)],
            ),
        ],
    );
    s3.put("s3://out/int96/row", file);
    let shard = Shard::new("s3://out/int96/row", UnloadFormat::Parquet);
    let (batches, rows) = both_ways(&athena, &shard, &BatchOptions::new()).await;
    assert_eq!(
        rows[0].columns()[0].r#type,
        "row(ts timestamp(3), id integer)"
    );
    assert_eq!(
        rows[0].get_str("r").unwrap(),
        Some("{ts=9999-12-31 23:59:59.999, id=1}")
    );
    let r = batches[0].column(0).as_struct();
    assert_eq!(
        r.column(0).data_type(),
        &DataType::Timestamp(TimeUnit::Millisecond, None)
    );
    assert!(r.is_null(1) && r.column(0).is_null(2));
}

#[tokio::test(start_paused = true)]
async fn a_value_a_batch_cannot_hold_exactly_names_the_file_column_and_row() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    // 3000 INT96 timestamps of whole milliseconds but one, at row 2345.
    let values: Vec<HiveValue> = (0..3000)
        .map(|i| {
            let text = if i == 2345 {
                "2024-01-02 03:04:05.123456".to_owned()
            } else {
                format!("2024-01-02 03:04:{:02}.{:03}", i % 60, i % 1000)
            };
            HiveValue::Int96(int96_at(&text))
        })
        .collect();
    s3.put(
        "s3://out/int96/fine",
        hive_columns("message trino_schema { optional int96 ts; }", vec![values]),
    );
    let shard = Shard::new("s3://out/int96/fine", UnloadFormat::Parquet);
    let options = BatchOptions::new().with_rows(1000);
    let mut stream = athena.read_shard_batches(&shard, &options);
    let mut before = 0;
    let err = loop {
        match stream.next().await.expect("an error before the end") {
            Ok(batch) => before += batch.num_rows(),
            Err(e) => break e,
        }
    };
    assert_eq!(before, 2000, "the batches before the one that holds it");
    assert!(stream.next().await.is_none());
    assert!(matches!(err, Error::Unload { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "UNLOAD file s3://out/int96/fine: column `ts`, row 2345 of the file: the timestamp \
         2024-01-02 03:04:05.123456 has digits below the millisecond, which Athena's \
         timestamp(3) (how Athena reads INT96) does not hold; the rows of this file round \
         it, as Athena does"
    );
    // The rows: rounded half up, as Athena reads it.
    let rows: Vec<Row> = athena.read_shard(&shard).try_collect().await.unwrap();
    assert_eq!(
        rows[2345].get_str("ts").unwrap(),
        Some("2024-01-02 03:04:05.123")
    );
}

/// The first column of [`hits`] batches, in order.
fn request_ids(batches: &[RecordBatch]) -> Vec<String> {
    batches
        .iter()
        .flat_map(|b| {
            b.column(0)
                .as_string::<i32>()
                .iter()
                .map(|s| s.unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_batch_holds_at_most_the_rows_asked_for_in_file_order() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    let shard = hit_shards(&s3, 1, 2500).remove(0);
    let options = BatchOptions::new().with_rows(300);
    let (batches, _) = both_ways(&athena, &shard, &options).await;
    let sizes: Vec<usize> = batches.iter().map(RecordBatch::num_rows).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 2500);
    // Row groups of 1000 rows: no batch spans two.
    assert_eq!(sizes[..4], [300, 300, 300, 100]);
    assert_eq!(
        request_ids(&batches),
        (0..2500).map(|i| format!("f0-{i}")).collect::<Vec<_>>()
    );
    let schema = batches[0].schema();
    assert_eq!(
        schema
            .fields()
            .iter()
            .map(|f| (f.name().as_str(), f.data_type().clone()))
            .collect::<Vec<_>>(),
        [
            ("request_id", DataType::Utf8),
            ("bytes", DataType::Int64),
            ("uri", DataType::Utf8)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_column_type_given_for_batches_must_be_the_files() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put("s3://out/f1", hits("f1", 10));
    let shard = Shard::new("s3://out/f1", UnloadFormat::Parquet);
    let same = BatchOptions::new().with_column_type("bytes", "bigint");
    let batches = shard_batches(&athena, &shard, &same).await.unwrap();
    assert_eq!(batches[0].schema().field(1).data_type(), &DataType::Int64);
    let other = BatchOptions::new().with_column_type("bytes", "varchar");
    let err = shard_batches(&athena, &shard, &other).await.unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err:?}");
    assert!(err.to_string().contains("column `bytes`"), "{err}");
    assert!(err.to_string().contains("holds it as bigint"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_file_replaced_while_its_batches_are_read_fails_the_read() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put("s3://out/run/f1", big_file());
    let options = BatchOptions::new().with_rows(1000);
    let mut batches = athena.read_shard_batches(
        &Shard::new("s3://out/run/f1", UnloadFormat::Parquet),
        &options,
    );
    let first = batches.next().await.unwrap().unwrap();
    assert_eq!(
        first.column(0).as_string::<i32>().value(0),
        "request-00000000"
    );
    s3.replace("s3://out/run/f1");
    let mut read = first.num_rows();
    let err = loop {
        match batches.next().await {
            Some(Ok(batch)) => read += batch.num_rows(),
            Some(Err(e)) => break e,
            None => panic!("the replaced file was read to its end"),
        }
    };
    assert!(read < 40_000, "{read} rows");
    assert!(batches.next().await.is_none());
    assert_changed_while_read(&err, "s3://out/run/f1");
}

#[tokio::test(start_paused = true)]
async fn several_shards_batches_come_once_each_and_the_first_failure_ends_them() {
    let s3 = FakeS3::default();
    s3.set_latency(Duration::from_millis(10));
    let (_, athena) = athena(&s3);
    let shards = hit_shards(&s3, 5, 1500);
    let options = BatchOptions::new().with_rows(400);
    let batches: Vec<RecordBatch> = athena
        .read_shards_batches(shards.clone(), MapSettings::new(3), &options)
        .try_collect()
        .await
        .unwrap();
    let all: BTreeSet<String> = request_ids(&batches).into_iter().collect();
    assert_eq!(all.len(), 5 * 1500, "every row once");
    assert_eq!(request_ids(&batches).len(), 5 * 1500);
    assert!(batches.iter().all(|b| b.schema() == batches[0].schema()));
    assert!(s3.max_in_flight() >= 2, "files were read at once");

    // One at a time: file after file, each in its order.
    let batches: Vec<RecordBatch> = athena
        .read_shards_batches(shards.clone(), MapSettings::new(1), &options)
        .try_collect()
        .await
        .unwrap();
    let expected: Vec<String> = (0..5)
        .flat_map(|f| (0..1500).map(move |i| format!("f{f}-{i}")))
        .collect();
    assert_eq!(request_ids(&batches), expected);

    // Fail fast: a missing file ends them all.
    let mut failing = shards[..1].to_vec();
    failing.push(Shard::new("s3://out/run/missing", UnloadFormat::Parquet));
    let mut stream = athena.read_shards_batches(failing, MapSettings::new(1), &options);
    let mut rows = 0;
    let err = loop {
        match stream.next().await.expect("an error") {
            Ok(batch) => rows += batch.num_rows(),
            Err(e) => break e,
        }
    };
    assert_eq!(rows, 1500);
    assert!(err.to_string().contains("s3://out/run/missing"), "{err}");
    assert!(stream.next().await.is_none());
    assert!(stream.is_terminated());

    // Tolerances are refused, as for rows.
    let mut stream = athena.read_shards_batches(
        shards,
        MapSettings::new(2).with_tolerated_failure_percentage(10.0),
        &options,
    );
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err:?}");
    assert!(stream.next().await.is_none());
}
