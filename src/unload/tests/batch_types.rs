//! Batches: Athena's Parquet types as the crate's Arrow types, scalar and nested, every value exact.

use super::*;

// layout: long function, because one Parquet file of every type Athena writes, built column by column and checked column by column in the same order.
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

// layout: long function, because one file of nested columns, built and checked in the same order.
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
