//! Values: every vector of testdata/athena_values.json that Parquet can carry, read back as Athena's text and typed.

use super::*;

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

pub(super) fn date_days(text: &str) -> i64 {
    let p: Vec<i64> = text.split('-').map(|s| s.parse().unwrap()).collect();
    days_from_civil(p[0], p[1], p[2])
}

/// Hive's INT96 of `YYYY-MM-DD HH:MM:SS[.f]`: nanoseconds of the day, then the Julian
/// day (any year: no `i64` of nanoseconds in between).
pub(super) fn int96_at(text: &str) -> pq::Int96 {
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
pub(super) fn decimal_bytes(unscaled: i128, p: u32) -> Vec<u8> {
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

pub(super) fn id_name_fields() -> Vec<Field> {
    vec![
        Field::new("id", DataType::Int32, true),
        Field::new("name", DataType::Utf8, true),
    ]
}

/// Appends the row `{id=1, name=x}` (or NULL) to a builder of `row(id, name)`.
pub(super) fn append_id_name(b: &mut StructBuilder, valid: bool) {
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
pub(super) fn written(athena_type: &str, sql: &str, text: Option<&str>) -> Written {
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
pub(super) fn hive_parquet(message_type: &str, value: HiveValue) -> Vec<u8> {
    hive_columns(message_type, vec![vec![value, HiveValue::Null]])
}

/// A file of Trino's Hive Parquet schema `message_type` whose top-level columns (all
/// OPTIONAL and flat) hold these values, in one row group.
pub(super) fn hive_columns(message_type: &str, columns: Vec<Vec<HiveValue>>) -> Vec<u8> {
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
pub(super) fn hive_leaves(message_type: &str, leaves: Vec<(Vec<i16>, Vec<HiveValue>)>) -> Vec<u8> {
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
        serde_json::from_str(include_str!("../../../testdata/athena_values.json")).unwrap();
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
pub(super) fn tags() -> ArrayRef {
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
