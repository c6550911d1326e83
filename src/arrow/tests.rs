//! The mapping from Athena's metadata to Arrow, and the builder's values, asserted
//! value by value: every type with NULL apart from `""`, the boundaries of each type,
//! nested values typed by a signature, the errors and where they point.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, Time32MillisecondType, Time32SecondType, Time64MicrosecondType,
    Time64NanosecondType, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::extension::{EXTENSION_TYPE_METADATA_KEY, EXTENSION_TYPE_NAME_KEY};
use arrow_schema::{DataType, Field, Fields, TimeUnit};
use proptest::prelude::*;

use super::native::{parse_date32, parse_decimal128, parse_time_of_day, parse_timestamp};
use super::{BatchBuilder, BatchOptions, BatchPlan, ValueError, schema};
use crate::error::Error;
use crate::row::{ColumnInfo, ResultSetMetadata};

fn column(name: &str, ty: &str) -> ColumnInfo {
    ColumnInfo::new(name, ty)
}

/// A column as Athena describes it: with a Precision (and Scale).
fn column_p(name: &str, ty: &str, precision: i32, scale: i32) -> ColumnInfo {
    let mut c = ColumnInfo::new(name, ty);
    c.precision = precision;
    c.scale = scale;
    c
}

fn plan_with(columns: Vec<ColumnInfo>, options: &BatchOptions) -> Arc<BatchPlan> {
    BatchPlan::new(&ResultSetMetadata::new(columns), options).expect("the plan is made")
}

fn plan(columns: Vec<ColumnInfo>) -> Arc<BatchPlan> {
    plan_with(columns, &BatchOptions::new())
}

/// One row per value of a one-column result; the batch, and each push's outcome.
fn read_column(
    plan: Arc<BatchPlan>,
    values: &[Option<&str>],
) -> (ArrayRef, Vec<Result<(), ValueError>>) {
    let mut builder = BatchBuilder::new(plan);
    let results = values
        .iter()
        .map(|v| {
            let pushed = builder.push(*v);
            builder.end_row().expect("one value a row");
            pushed
        })
        .collect();
    let batch = builder.finish();
    assert_valid(&batch);
    assert_eq!(batch.num_rows(), values.len());
    (batch.column(0).clone(), results)
}

/// Reads values that must all read.
fn read_ok(plan: Arc<BatchPlan>, values: &[Option<&str>]) -> ArrayRef {
    let (array, results) = read_column(plan, values);
    for (value, result) in values.iter().zip(&results) {
        assert!(result.is_ok(), "{value:?}: {result:?}");
    }
    array
}

/// The message of one value that must fail; its slot must be NULL.
fn read_err(plan: Arc<BatchPlan>, text: &str) -> String {
    let (array, results) = read_column(plan, &[Some(text)]);
    assert!(array.is_null(0), "{text:?} failed, so its slot is NULL");
    match results.into_iter().next() {
        Some(Err(e)) => {
            assert_eq!((e.row, e.column), (0, 0));
            e.message
        }
        other => panic!("{text:?} should not read, got {other:?}"),
    }
}

/// The batch and every array in it pass Arrow's full validation.
fn assert_valid(batch: &RecordBatch) {
    assert_eq!(batch.schema().fields().len(), batch.num_columns());
    for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
        assert_eq!(field.data_type(), array.data_type());
        array
            .to_data()
            .validate_full()
            .unwrap_or_else(|e| panic!("column {}: {e}", field.name()));
    }
}

fn one(ty: &str) -> Arc<BatchPlan> {
    plan(vec![column("c", ty)])
}

fn typed(signature: &str) -> Arc<BatchPlan> {
    plan_with(
        vec![column("c", "varchar")],
        &BatchOptions::new().with_column_type("c", signature),
    )
}

// ---- The schema ----

#[test]
fn every_type_maps_as_documented() {
    let plan = plan(vec![
        column("b", "boolean"),
        column_p("i8", "tinyint", 3, 0),
        column_p("i16", "smallint", 5, 0),
        column_p("i32", "integer", 10, 0),
        column_p("i64", "bigint", 19, 0),
        column_p("f32", "real", 17, 0),
        column_p("f32b", "float", 17, 0),
        column_p("f64", "double", 17, 0),
        column_p("dec", "decimal", 10, 2),
        column_p("dec_unknown", "decimal", 0, 3),
        column_p("v", "varchar", 2147483647, 0),
        column_p("ch", "char", 3, 0),
        column("s", "string"),
        column("d", "date"),
        column_p("t", "time", 3, 0),
        column_p("ts", "timestamp", 3, 0),
        column_p("vb", "varbinary", 1073741824, 0),
        column("j", "json"),
        column("u", "uuid"),
        column("ip", "ipaddress"),
        column("iv", "interval year to month"),
        column_p("ttz", "time with time zone", 3, 0),
        column_p("tstz", "timestamp with time zone", 3, 0),
        column("a", "array"),
        column("m", "map"),
        column("r", "row"),
        column("x", "hyperloglog"),
        column("n", "unknown"),
    ]);
    let types: Vec<(&str, DataType)> = plan
        .schema
        .fields()
        .iter()
        .map(|f| (f.name().as_str(), f.data_type().clone()))
        .collect();
    let expected = vec![
        ("b", DataType::Boolean),
        ("i8", DataType::Int8),
        ("i16", DataType::Int16),
        ("i32", DataType::Int32),
        ("i64", DataType::Int64),
        ("f32", DataType::Float32),
        ("f32b", DataType::Float32),
        ("f64", DataType::Float64),
        ("dec", DataType::Decimal128(10, 2)),
        ("dec_unknown", DataType::Decimal128(38, 3)),
        ("v", DataType::Utf8),
        ("ch", DataType::Utf8),
        ("s", DataType::Utf8),
        ("d", DataType::Date32),
        ("t", DataType::Time32(TimeUnit::Millisecond)),
        ("ts", DataType::Timestamp(TimeUnit::Millisecond, None)),
        ("vb", DataType::Binary),
        ("j", DataType::Utf8),
        ("u", DataType::FixedSizeBinary(16)),
        ("ip", DataType::Utf8),
        ("iv", DataType::Utf8),
        ("ttz", DataType::Utf8),
        ("tstz", DataType::Utf8),
        ("a", DataType::Utf8),
        ("m", DataType::Utf8),
        ("r", DataType::Utf8),
        ("x", DataType::Utf8),
        ("n", DataType::Utf8),
    ];
    assert_eq!(types, expected);
    assert!(plan.schema.fields().iter().all(|f| f.is_nullable()));
    // Errors name the type as Athena sent it.
    assert_eq!(plan.columns[8].type_name, "decimal");
}

#[test]
fn json_and_uuid_carry_arrows_canonical_extension_names() {
    let plan = plan(vec![
        column("j", "json"),
        column("u", "uuid"),
        column("v", "varchar"),
    ]);
    let j = plan.schema.field(0).metadata();
    assert_eq!(
        j.get(EXTENSION_TYPE_NAME_KEY).map(String::as_str),
        Some("arrow.json")
    );
    assert_eq!(
        j.get(EXTENSION_TYPE_METADATA_KEY).map(String::as_str),
        Some("")
    );
    let u = plan.schema.field(1).metadata();
    assert_eq!(
        u.get(EXTENSION_TYPE_NAME_KEY).map(String::as_str),
        Some("arrow.uuid")
    );
    assert_eq!(u.get(EXTENSION_TYPE_METADATA_KEY), None);
    assert!(plan.schema.field(2).metadata().is_empty());
}

#[test]
fn time_and_timestamp_units_follow_the_precision() {
    let unit = |p: i32, ty: &str| {
        plan(vec![column_p("c", ty, p, 0)])
            .schema
            .field(0)
            .data_type()
            .clone()
    };
    assert_eq!(
        unit(3, "timestamp"),
        DataType::Timestamp(TimeUnit::Millisecond, None)
    );
    assert_eq!(
        unit(6, "timestamp"),
        DataType::Timestamp(TimeUnit::Microsecond, None)
    );
    assert_eq!(
        unit(9, "timestamp"),
        DataType::Timestamp(TimeUnit::Nanosecond, None)
    );
    assert_eq!(unit(12, "timestamp"), DataType::Utf8);
    assert_eq!(unit(1, "time"), DataType::Time32(TimeUnit::Millisecond));
    assert_eq!(unit(5, "time"), DataType::Time64(TimeUnit::Microsecond));
    assert_eq!(unit(7, "time"), DataType::Time64(TimeUnit::Nanosecond));
    // 0 is also "not set" (ColumnInfo::new): milliseconds, which hold whole seconds.
    assert_eq!(
        unit(0, "timestamp"),
        DataType::Timestamp(TimeUnit::Millisecond, None)
    );
    // A precision written in the Type wins over Precision.
    assert_eq!(
        unit(3, "timestamp(6)"),
        DataType::Timestamp(TimeUnit::Microsecond, None)
    );
    assert_eq!(unit(3, "time(0)"), DataType::Time32(TimeUnit::Second));

    let signature = |s: &str| typed(s).schema.field(0).data_type().clone();
    assert_eq!(
        signature("timestamp"),
        DataType::Timestamp(TimeUnit::Millisecond, None)
    );
    assert_eq!(
        signature("timestamp(0)"),
        DataType::Timestamp(TimeUnit::Second, None)
    );
    assert_eq!(
        signature("timestamp(2)"),
        DataType::Timestamp(TimeUnit::Millisecond, None)
    );
    assert_eq!(signature("time(9)"), DataType::Time64(TimeUnit::Nanosecond));
    assert_eq!(signature("timestamp(6) with time zone"), DataType::Utf8);
}

#[test]
fn precisions_inside_nested_signatures_are_kept_in_order() {
    let plan = typed(
        "row(ts timestamp(9), z timestamp(3) with time zone, t time(0), \
         list array(timestamp(6)), d timestamp, time time)",
    );
    let DataType::Struct(fields) = plan.schema.field(0).data_type() else {
        panic!("a struct: {:?}", plan.schema.field(0));
    };
    let types: Vec<(&str, &DataType)> = fields
        .iter()
        .map(|f| (f.name().as_str(), f.data_type()))
        .collect();
    let item = Field::new(
        "item",
        DataType::Timestamp(TimeUnit::Microsecond, None),
        true,
    );
    assert_eq!(
        types,
        vec![
            ("ts", &DataType::Timestamp(TimeUnit::Nanosecond, None)),
            ("z", &DataType::Utf8),
            ("t", &DataType::Time32(TimeUnit::Second)),
            ("list", &DataType::List(Arc::new(item))),
            ("d", &DataType::Timestamp(TimeUnit::Millisecond, None)),
            ("time", &DataType::Time32(TimeUnit::Millisecond)),
        ]
    );
}

#[test]
fn nested_types_known_in_full_map_to_list_map_and_struct() {
    let plan = plan_with(
        vec![
            column("tags", "array"),
            column("counts", "map"),
            column("person", "row"),
            column("pair", "row"),
            column("deep", "array"),
            column("partial", "array"),
        ],
        &BatchOptions::new()
            .with_column_type("tags", "array(varchar)")
            .with_column_type("counts", "map(varchar, bigint)")
            .with_column_type("person", "row(id integer, name varchar)")
            .with_column_type("pair", "row(integer, name varchar, json)")
            .with_column_type("deep", "array(map(varchar, array(decimal(5,2))))")
            .with_column_type("partial", "array(array)"),
    );
    let f = |i: usize| plan.schema.field(i).data_type().clone();
    assert_eq!(
        f(0),
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
    );
    let entries = Field::new(
        "entries",
        DataType::Struct(Fields::from(vec![
            Field::new("key", DataType::Utf8, false),
            Field::new("value", DataType::Int64, true),
        ])),
        false,
    );
    assert_eq!(f(1), DataType::Map(Arc::new(entries), false));
    assert_eq!(
        f(2),
        DataType::Struct(Fields::from(vec![
            Field::new("id", DataType::Int32, true),
            Field::new("name", DataType::Utf8, true),
        ]))
    );
    // Anonymous fields are named as Trino names them, by their place.
    let DataType::Struct(pair) = f(3) else {
        panic!("a struct")
    };
    let names: Vec<&str> = pair.iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["field0", "name", "field2"]);
    assert_eq!(
        pair[2]
            .metadata()
            .get(EXTENSION_TYPE_NAME_KEY)
            .map(String::as_str),
        Some("arrow.json")
    );
    let DataType::List(deep) = f(4) else {
        panic!("a list")
    };
    let DataType::Map(deep_entries, false) = deep.data_type() else {
        panic!("a map")
    };
    let DataType::Struct(kv) = deep_entries.data_type() else {
        panic!("a struct")
    };
    assert_eq!(
        kv[1].data_type(),
        &DataType::List(Arc::new(Field::new(
            "item",
            DataType::Decimal128(5, 2),
            true
        )))
    );
    // An element type not known makes the whole column Athena's text.
    assert_eq!(f(5), DataType::Utf8);
    // Errors name the signature given.
    assert_eq!(plan.columns[1].type_name, "map(varchar, bigint)");
}

#[test]
fn a_signature_decimal_without_digits_takes_the_columns() {
    let plan = plan_with(
        vec![column_p("d", "decimal", 12, 4)],
        &BatchOptions::new().with_column_type("d", "decimal"),
    );
    assert_eq!(
        plan.schema.field(0).data_type(),
        &DataType::Decimal128(12, 4)
    );
    let plan = plan_with(
        vec![column_p("d", "decimal", 12, 4)],
        &BatchOptions::new().with_column_type("d", "decimal(5,1)"),
    );
    assert_eq!(
        plan.schema.field(0).data_type(),
        &DataType::Decimal128(5, 1)
    );
}

#[test]
fn options_for_a_column_the_result_lacks_are_refused_naming_both() {
    let metadata = ResultSetMetadata::new(vec![column("uri", "varchar"), column("tags", "array")]);
    let options = BatchOptions::new()
        .with_column_type("tagz", "array(varchar)")
        .with_column_type("tags", "array(varchar)");
    let Err(Error::InvalidConfig { message }) = schema(&metadata, &options) else {
        panic!("a missing column is InvalidConfig");
    };
    assert!(
        message.contains("`tagz`") && message.contains("uri, tags"),
        "{message}"
    );
    assert!(!message.contains("`tags`"), "{message}");
}

#[test]
fn signatures_that_cannot_be_read_exactly_are_refused() {
    let metadata = ResultSetMetadata::new(vec![column("c", "varchar")]);
    for signature in [
        "aray(varchar)",
        "array(varchar",
        "array(hyperloglog)",
        "decimal(39,2)",
        "decimal(5,6)",
        "map(varchar, decimal(40,0))",
    ] {
        let options = BatchOptions::new().with_column_type("c", signature);
        match schema(&metadata, &options) {
            Err(Error::InvalidConfig { message }) => {
                assert!(message.contains("`c`"), "{signature}: {message}")
            }
            other => panic!("{signature}: {other:?}"),
        }
    }
}

#[test]
fn cloudfront_logs_map_to_their_arrow_types() {
    // The columns of AWS's CloudFront log table, as the benches and examples use them.
    let columns = [
        ("date", "date"),
        ("time", "varchar"),
        ("location", "varchar"),
        ("bytes", "bigint"),
        ("request_ip", "varchar"),
        ("method", "varchar"),
        ("host", "varchar"),
        ("uri", "varchar"),
        ("status", "integer"),
        ("referrer", "varchar"),
        ("user_agent", "varchar"),
        ("query_string", "varchar"),
        ("cookie", "varchar"),
        ("result_type", "varchar"),
        ("request_id", "varchar"),
        ("host_header", "varchar"),
        ("request_protocol", "varchar"),
        ("request_bytes", "bigint"),
        ("time_taken", "float"),
        ("xforwarded_for", "varchar"),
        ("ssl_protocol", "varchar"),
        ("ssl_cipher", "varchar"),
        ("response_result_type", "varchar"),
        ("http_version", "varchar"),
        ("fle_status", "varchar"),
        ("fle_encrypted_fields", "integer"),
        ("c_port", "integer"),
        ("time_to_first_byte", "float"),
        ("x_edge_detailed_result_type", "varchar"),
        ("sc_content_type", "varchar"),
        ("sc_content_len", "bigint"),
        ("sc_range_start", "bigint"),
        ("sc_range_end", "bigint"),
    ];
    let metadata = ResultSetMetadata::new(columns.iter().map(|(n, t)| column(n, t)).collect());
    let schema = schema(&metadata, &BatchOptions::new()).expect("a schema");
    assert_eq!(schema.fields().len(), columns.len());
    for ((name, ty), field) in columns.iter().zip(schema.fields()) {
        let expected = match *ty {
            "date" => DataType::Date32,
            "varchar" => DataType::Utf8,
            "bigint" => DataType::Int64,
            "integer" => DataType::Int32,
            "float" => DataType::Float32,
            other => panic!("{other}"),
        };
        assert_eq!(
            (field.name().as_str(), field.data_type()),
            (*name, &expected)
        );
        assert!(field.is_nullable());
    }

    // And a row of it reads.
    let plan = BatchPlan::new(&metadata, &BatchOptions::new()).expect("a plan");
    let mut builder = BatchBuilder::new(plan);
    let row = [
        "2014-05-23",
        "01:13:11",
        "FRA2",
        "182",
        "192.0.2.10",
        "GET",
        "d111111abcdef8.cloudfront.net",
        "/view/my/file.html",
        "200",
        "www.displaymyfiles.com",
        "Mozilla/4.0",
        "-",
        "-",
        "RefreshHit",
        "MRVMF7KydIvxMWfJIglgwHQwZsbG2IhRJ07sn9AkKUFSHS9EXAMPLE==",
        "d111111abcdef8.cloudfront.net",
        "http",
        "",
        "0.002",
        "-",
        "-",
        "-",
        "RefreshHit",
        "HTTP/1.1",
        "-",
        "",
        "11040",
        "0.002",
        "RefreshHit",
        "text/html",
        "78",
        "-1",
        "-1",
    ];
    for value in row {
        // request_bytes and fle_encrypted_fields are "" here: not a number.
        let _ = builder.push(Some(value));
    }
    builder.end_row().expect("a full row");
    let batch = builder.finish();
    assert_valid(&batch);
    assert_eq!(batch.column(0).as_primitive::<Date32Type>().value(0), 16213);
    assert_eq!(batch.column(3).as_primitive::<Int64Type>().value(0), 182);
    assert_eq!(
        batch.column(7).as_string::<i32>().value(0),
        "/view/my/file.html"
    );
    assert!(batch.column(17).is_null(0));
    assert_eq!(
        batch.column(18).as_primitive::<Float32Type>().value(0),
        0.002
    );
    assert_eq!(batch.column(31).as_primitive::<Int64Type>().value(0), -1);
}

// ---- Scalars ----

#[test]
fn null_and_empty_text_stay_apart_for_text_types() {
    for ty in [
        "varchar",
        "char",
        "json",
        "ipaddress",
        "interval day to second",
        "time with time zone",
        "timestamp with time zone",
        "array",
        "hyperloglog",
    ] {
        let array = read_ok(one(ty), &[None, Some(""), Some("x")]);
        let strings = array.as_string::<i32>();
        assert!(strings.is_null(0), "{ty}");
        assert!(strings.is_valid(1), "{ty}");
        assert_eq!((strings.value(1), strings.value(2)), ("", "x"), "{ty}");
    }
    let array = read_ok(one("varbinary"), &[None, Some("")]);
    let bytes = array.as_binary::<i32>();
    assert!(bytes.is_null(0));
    assert!(bytes.is_valid(1));
    assert_eq!(bytes.value(1), b"");
}

#[test]
fn empty_text_is_no_number_date_or_uuid() {
    for (ty, name) in [
        ("boolean", "a boolean"),
        ("tinyint", "a tinyint"),
        ("smallint", "a smallint"),
        ("integer", "an integer"),
        ("bigint", "a bigint"),
        ("real", "a real"),
        ("double", "a double"),
        ("decimal(10,2)", "a decimal(10,2)"),
        ("date", "a date"),
        ("time", "a time"),
        ("timestamp", "a timestamp"),
        ("uuid", "a uuid"),
    ] {
        let (array, results) = read_column(one(ty), &[None, Some("")]);
        assert!(array.is_null(0) && array.is_null(1), "{ty}");
        assert!(results[0].is_ok(), "{ty}: NULL is fine");
        let e = results[1].clone().expect_err(ty);
        assert_eq!(e.message, format!("empty text is not {name}"));
    }
    let message = read_err(typed("array(integer)"), "");
    assert_eq!(message, "empty text is not an array");
}

#[test]
fn booleans() {
    let array = read_ok(one("boolean"), &[Some("true"), Some("false"), None]);
    let b = array.as_boolean();
    assert!(b.value(0) && !b.value(1) && b.is_null(2));
    assert!(read_err(one("boolean"), "yes").contains("not a boolean"));
}

#[test]
fn integers_at_their_bounds_and_one_past() {
    fn check<T: arrow_array::ArrowPrimitiveType>(ty: &str, min: i128, max: i128)
    where
        T::Native: Into<i128>,
    {
        let (min_s, max_s) = (min.to_string(), max.to_string());
        let array = read_ok(
            one(ty),
            &[Some(&min_s), Some(&max_s), Some("0"), Some("-7")],
        );
        let values: Vec<i128> = array
            .as_primitive::<T>()
            .values()
            .iter()
            .map(|v| (*v).into())
            .collect();
        assert_eq!(values, [min, max, 0, -7], "{ty}");
        for past in [min - 1, max + 1] {
            let message = read_err(one(ty), &past.to_string());
            assert!(message.contains("out of range"), "{ty} {past}: {message}");
        }
        assert!(read_err(one(ty), "1.0").contains("not an integer"), "{ty}");
    }
    check::<Int8Type>("tinyint", i8::MIN.into(), i8::MAX.into());
    check::<Int16Type>("smallint", i16::MIN.into(), i16::MAX.into());
    check::<Int32Type>("integer", i32::MIN.into(), i32::MAX.into());
    check::<Int64Type>("bigint", i64::MIN.into(), i64::MAX.into());
}

#[test]
fn floats_in_java_notation() {
    let array = read_ok(
        one("double"),
        &[
            Some("NaN"),
            Some("Infinity"),
            Some("-Infinity"),
            Some("1.0E20"),
            Some("0.30000000000000004"),
            Some("1.0E-4"),
        ],
    );
    let d = array.as_primitive::<Float64Type>();
    assert!(d.value(0).is_nan());
    assert_eq!(d.value(1), f64::INFINITY);
    assert_eq!(d.value(2), f64::NEG_INFINITY);
    assert_eq!(d.value(3), 1.0e20);
    assert_eq!(d.value(4), 0.1 + 0.2);
    assert_eq!(d.value(5), 1.0e-4);
    let array = read_ok(one("real"), &[Some("3.4028235E38"), Some("0.1")]);
    let r = array.as_primitive::<Float32Type>();
    assert_eq!((r.value(0), r.value(1)), (f32::MAX, 0.1f32));
    assert!(read_err(one("double"), "one").contains("not a floating-point number"));
}

#[test]
fn decimals_are_exact() {
    let dec = |p: i32, s: i32| plan(vec![column_p("c", "decimal", p, s)]);
    let array = read_ok(
        dec(10, 2),
        &[
            Some("-12.50"),
            Some("1.2"),
            Some("7"),
            Some("0.05"),
            Some("-0.00"),
            Some("12345678.99"),
        ],
    );
    let values: Vec<i128> = array.as_primitive::<Decimal128Type>().values().to_vec();
    assert_eq!(values, [-1250, 120, 700, 5, 0, 1_234_567_899]);
    assert_eq!(array.data_type(), &DataType::Decimal128(10, 2));

    // 38 digits fit decimal(38,0), 39 do not.
    let nines = "9".repeat(38);
    let array = read_ok(dec(38, 0), &[Some(&nines), Some(&format!("-{nines}"))]);
    let d = array.as_primitive::<Decimal128Type>();
    assert_eq!(d.value(0), 10i128.pow(38) - 1);
    assert_eq!(d.value(1), -(10i128.pow(38) - 1));
    let message = read_err(dec(38, 0), &"9".repeat(39));
    assert!(message.contains("39 integer digits"), "{message}");
    let message = read_err(dec(38, 0), &format!("1{}", "0".repeat(38)));
    assert!(
        message.contains("more than decimal(38,0) holds"),
        "{message}"
    );

    // Never rounded.
    let message = read_err(dec(10, 2), "1.234");
    assert!(
        message.contains("3 fraction digits") && message.contains("never rounded"),
        "{message}"
    );
    let message = read_err(dec(4, 2), "123.45");
    assert!(message.contains("3 integer digits"), "{message}");
    // Leading zeros are no digits of the value.
    let array = read_ok(dec(3, 2), &[Some("007.00"), Some("0.50")]);
    assert_eq!(
        array.as_primitive::<Decimal128Type>().values().to_vec(),
        [700, 50]
    );
    for bad in ["1.", ".5", "+1", "1e3", "1,5", "--1", "NaN"] {
        assert!(read_err(dec(10, 2), bad).contains("not a decimal"), "{bad}");
    }
}

#[test]
fn dates_with_a_real_calendar() {
    let array = read_ok(
        one("date"),
        &[
            Some("1970-01-01"),
            Some("0001-01-01"),
            Some("9999-12-31"),
            Some("2024-02-29"),
            Some("2000-02-29"),
            Some("1969-12-31"),
            Some("+10000-01-01"),
            Some("-0001-12-31"),
        ],
    );
    let values: Vec<i32> = array.as_primitive::<Date32Type>().values().to_vec();
    // 0000 is a leap year of the proleptic calendar: 366 days before 0001-01-01.
    assert_eq!(
        values,
        [
            0,
            -719_162,
            2_932_896,
            19_782,
            11_016,
            -1,
            2_932_897,
            -719_162 - 366 - 1
        ]
    );
    for (bad, needle) in [
        ("2023-02-29", "month 2 of 2023 has 28 days"),
        ("1900-02-29", "month 2 of 1900 has 28 days"),
        ("2024-04-31", "has 30 days"),
        ("2024-13-01", "no month 13"),
        ("2024-00-10", "no month 0"),
        ("2024-01-00", "has 31 days"),
        ("2024-1-01", "not a date text"),
        ("24-01-01", "not a date text"),
        ("2024-01-01 ", "not a date text"),
        ("2024/01/01", "not a date text"),
        ("1234567890-01-01", "out of range"),
    ] {
        let message = read_err(one("date"), bad);
        assert!(message.contains(needle), "{bad}: {message}");
    }
}

#[test]
fn timestamps_at_the_columns_unit() {
    let ms = plan(vec![column_p("c", "timestamp", 3, 0)]);
    let array = read_ok(
        ms.clone(),
        &[
            Some("2024-01-02 03:04:05.123"),
            Some("2024-01-02 03:04:05"),
            Some("2024-01-02 03:04:05.1"),
            Some("1969-12-31 23:59:59.999"),
        ],
    );
    let base = 1_704_164_645_000i64;
    assert_eq!(
        array
            .as_primitive::<TimestampMillisecondType>()
            .values()
            .to_vec(),
        [base + 123, base, base + 100, -1]
    );
    let message = read_err(ms.clone(), "2024-01-02 03:04:05.1234");
    assert!(
        message.contains("4 fraction digits") && message.contains("never truncated"),
        "{message}"
    );
    for bad in [
        "2024-01-02T03:04:05",
        "2024-01-02 24:00:00",
        "2024-01-02 03:60:00",
        "2024-01-02 03:04:05.",
        "2024-01-02",
        "2024-02-30 00:00:00",
        "2024-01-02 03:04:05 UTC",
    ] {
        read_err(ms.clone(), bad);
    }

    let at = |p: &str| typed(&format!("timestamp({p})"));
    let s = read_ok(at("0"), &[Some("2024-01-02 03:04:05")]);
    assert_eq!(
        s.as_primitive::<TimestampSecondType>().value(0),
        1_704_164_645
    );
    assert!(read_err(at("0"), "2024-01-02 03:04:05.1").contains("1 fraction digits"));
    let us = read_ok(
        at("6"),
        &[
            Some("2024-01-02 03:04:05.123456"),
            Some("2024-01-02 03:04:05.5"),
        ],
    );
    assert_eq!(
        us.as_primitive::<TimestampMicrosecondType>()
            .values()
            .to_vec(),
        [1_704_164_645_123_456, 1_704_164_645_500_000]
    );
    let ns = read_ok(at("9"), &[Some("2024-01-02 03:04:05.123456789")]);
    assert_eq!(
        ns.as_primitive::<TimestampNanosecondType>().value(0),
        1_704_164_645_123_456_789
    );
    // Nanoseconds since 1970 pass i64 in 2262.
    assert!(read_err(at("9"), "2263-01-01 00:00:00").contains("out of range for nanoseconds"));
    // Above 9 digits Arrow has no unit: the text is kept.
    let text = read_ok(at("12"), &[Some("2024-01-02 03:04:05.123456789012")]);
    assert_eq!(
        text.as_string::<i32>().value(0),
        "2024-01-02 03:04:05.123456789012"
    );
}

#[test]
fn times_of_day_at_the_columns_unit() {
    let array = read_ok(
        plan(vec![column_p("c", "time", 3, 0)]),
        &[
            Some("03:04:05.123"),
            Some("00:00:00"),
            Some("23:59:59.999"),
            Some("12:30"),
        ],
    );
    assert_eq!(
        array
            .as_primitive::<Time32MillisecondType>()
            .values()
            .to_vec(),
        [11_045_123, 0, 86_399_999, 45_000_000]
    );
    let s = read_ok(typed("time(0)"), &[Some("12:00:01")]);
    assert_eq!(s.as_primitive::<Time32SecondType>().value(0), 43_201);
    let us = read_ok(typed("time(6)"), &[Some("23:59:59.999999")]);
    assert_eq!(
        us.as_primitive::<Time64MicrosecondType>().value(0),
        86_399_999_999
    );
    let ns = read_ok(typed("time(9)"), &[Some("00:00:00.000000001")]);
    assert_eq!(ns.as_primitive::<Time64NanosecondType>().value(0), 1);
    for bad in [
        "24:00:00",
        "03:04:05.1234",
        "3:04:05",
        "03:04:5",
        "03-04-05",
        "03:04:05 UTC",
    ] {
        read_err(typed("time(3)"), bad);
    }
}

#[test]
fn varbinary_from_spaced_hex() {
    let array = read_ok(
        one("varbinary"),
        &[Some("68 65 6c 6c 6f"), Some("00 FF"), Some("")],
    );
    let b = array.as_binary::<i32>();
    assert_eq!(
        (b.value(0), b.value(1), b.value(2)),
        (&b"hello"[..], &[0u8, 255][..], &b""[..])
    );
    assert!(read_err(one("varbinary"), "6865").contains("separated by one space"));
    assert!(read_err(one("varbinary"), "zz").contains("two hex digits"));
}

#[test]
fn uuids_as_16_bytes() {
    let array = read_ok(
        one("uuid"),
        &[
            Some("12151fd2-7586-11e9-8f9e-2a86e4085a59"),
            Some("12151FD2-7586-11E9-8F9E-2A86E4085A59"),
        ],
    );
    let u = array.as_fixed_size_binary();
    let expected = [
        0x12, 0x15, 0x1f, 0xd2, 0x75, 0x86, 0x11, 0xe9, 0x8f, 0x9e, 0x2a, 0x86, 0xe4, 0x08, 0x5a,
        0x59,
    ];
    assert_eq!((u.value(0), u.value(1)), (&expected[..], &expected[..]));
    assert!(read_err(one("uuid"), "12151fd2758611e98f9e2a86e4085a59").contains("not a uuid"));
}

#[test]
fn json_and_other_text_types_are_kept_as_written() {
    let json = r#"{"a":[1,23,456],"b":null}"#;
    let array = read_ok(one("json"), &[Some(json), Some("not json at all")]);
    let s = array.as_string::<i32>();
    assert_eq!((s.value(0), s.value(1)), (json, "not json at all"));
    let array = read_ok(
        one("timestamp with time zone"),
        &[Some("2001-08-22 03:04:05.321 America/Los_Angeles")],
    );
    assert_eq!(
        array.as_string::<i32>().value(0),
        "2001-08-22 03:04:05.321 America/Los_Angeles"
    );
}

// ---- Nested values ----

#[test]
fn arrays_of_a_known_type() {
    let array = read_ok(
        typed("array(integer)"),
        &[Some("[1, 2, null]"), Some("[]"), None, Some("[-7]")],
    );
    let list = array.as_list::<i32>();
    assert_eq!(list.value_offsets(), &[0, 3, 3, 3, 4]);
    assert!(list.is_valid(1) && list.is_null(2));
    let items = list.values().as_primitive::<Int32Type>();
    assert_eq!(items.value(0), 1);
    assert_eq!(items.value(1), 2);
    assert!(items.is_null(2));
    assert_eq!(items.value(3), -7);

    let message = read_err(typed("array(integer)"), "[1, x, 99999999999]");
    assert_eq!(message, "element 1: not an integer");
    let message = read_err(typed("array(integer)"), "1, 2");
    assert!(message.contains("[a, b, ...]"), "{message}");
}

#[test]
fn maps_of_known_types() {
    let array = read_ok(
        typed("map(varchar, bigint)"),
        &[Some("{a=1, b=null}"), Some("{}"), None],
    );
    let map = array.as_map();
    assert_eq!(map.value_offsets(), &[0, 2, 2, 2]);
    assert!(map.is_valid(1) && map.is_null(2));
    let keys = map.keys().as_string::<i32>();
    assert_eq!((keys.value(0), keys.value(1)), ("a", "b"));
    let values = map.values().as_primitive::<Int64Type>();
    assert_eq!(values.value(0), 1);
    assert!(values.is_null(1));

    // A key that fails makes the map NULL; the batch stays valid (keys are never NULL).
    let message = read_err(typed("map(integer, varchar)"), "{1=a, x=b}");
    assert_eq!(message, "key of entry 1: not an integer");
    let message = read_err(typed("map(integer, varchar)"), "{null=a}");
    assert_eq!(message, "key of entry 0: a map key is NULL");
    let message = read_err(typed("map(varchar, date)"), "{a=2023-02-29}");
    assert!(
        message.starts_with("value of key \"a\": not a calendar date"),
        "{message}"
    );
}

#[test]
fn rows_of_known_types() {
    let array = read_ok(
        typed("row(id integer, name varchar)"),
        &[Some("{id=1, name=x, y}"), Some("{id=null, name=}"), None],
    );
    let row = array.as_struct();
    assert!(row.is_valid(0) && row.is_valid(1) && row.is_null(2));
    let ids = row.column(0).as_primitive::<Int32Type>();
    let names = row.column(1).as_string::<i32>();
    assert_eq!(ids.value(0), 1);
    assert!(ids.is_null(1));
    // The last field takes the rest: a value may contain `, `.
    assert_eq!((names.value(0), names.value(1)), ("x, y", ""));

    let array = read_ok(typed("row(integer, varchar)"), &[Some("{25, Alice}")]);
    let row = array.as_struct();
    assert_eq!(row.column_names(), ["field0", "field1"]);
    assert_eq!(row.column(0).as_primitive::<Int32Type>().value(0), 25);

    let message = read_err(typed("row(id integer, name varchar)"), "{id=x, name=y}");
    assert_eq!(message, "field id: not an integer");
}

#[test]
fn nested_in_nested_and_errors_deep_inside_leave_a_valid_batch() {
    let plan = typed("array(row(a bigint, b array(varchar), m map(varchar, uuid)))");
    let (array, results) = read_column(
        plan,
        &[
            Some("[{a=1, b=[x, y], m={k=12151fd2-7586-11e9-8f9e-2a86e4085a59}}, null]"),
            Some("[{a=2, b=null, m={k=not-a-uuid}}]"),
            Some("[{a=3, b=[], m={}}]"),
        ],
    );
    assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
    let e = results[1].clone().expect_err("a bad uuid");
    assert_eq!(
        e.message,
        "element 0: field m: value of key \"k\": not a uuid"
    );
    let list = array.as_list::<i32>();
    assert!(list.is_valid(0) && list.is_null(1) && list.is_valid(2));
    let rows = list.value(0);
    let rows = rows.as_struct();
    assert_eq!(rows.len(), 2);
    assert!(rows.is_null(1));
    let b = rows.column(1).as_list::<i32>().value(0);
    let b = b.as_string::<i32>();
    assert_eq!((b.value(0), b.value(1)), ("x", "y"));
    let third = list.value(2);
    assert_eq!(
        third
            .as_struct()
            .column(0)
            .as_primitive::<Int64Type>()
            .value(0),
        3
    );
}

#[test]
fn a_map_key_of_a_nested_type_that_fails_stays_non_null() {
    let (array, results) = read_column(
        typed("map(row(a integer), varchar)"),
        &[Some("{{a=x}=v}"), Some("{{a=1}=w}")],
    );
    assert!(results[0].is_err() && results[1].is_ok(), "{results:?}");
    let map = array.as_map();
    assert!(map.is_null(0) && map.is_valid(1));
    assert_eq!(map.keys().null_count(), 0);
}

#[test]
fn nested_columns_without_full_types_are_athenas_text() {
    let array = read_ok(one("array"), &[Some("[1, [2, 3]]"), Some("")]);
    assert_eq!(array.as_string::<i32>().value(0), "[1, [2, 3]]");
    let array = read_ok(typed("map(varchar, array)"), &[Some("{a=[1]}")]);
    assert_eq!(array.as_string::<i32>().value(0), "{a=[1]}");
}

// ---- Rows, errors, batches ----

#[test]
fn rows_with_too_few_or_too_many_values_are_errors() {
    let plan = plan(vec![column("a", "integer"), column("b", "varchar")]);
    let mut builder = BatchBuilder::new(plan);
    builder.push(Some("1")).expect("a value");
    let e = builder.end_row().expect_err("one value short");
    assert_eq!((e.row, e.column), (0, 1));
    assert_eq!(e.message, "the row has 1 value, the result has 2 columns");

    builder.push(Some("2")).expect("a value");
    builder.push(Some("x")).expect("a value");
    let e = builder.push(Some("extra")).expect_err("one value too many");
    assert_eq!((e.row, e.column, e.text.as_str()), (1, 2, "extra"));
    assert_eq!(
        e.message,
        "the row has more values than the result's 2 columns"
    );
    builder.end_row().expect("every column has its value");

    let e = builder.end_row().expect_err("no values at all");
    assert_eq!(e.message, "the row has 0 values, the result has 2 columns");

    let batch = builder.finish();
    assert_valid(&batch);
    assert_eq!(batch.num_rows(), 3);
    let a = batch.column(0).as_primitive::<Int32Type>();
    assert_eq!(a.value(1), 2);
    assert!(batch.column(1).is_null(0) && batch.column(1).is_null(2));
}

#[test]
fn finish_closes_an_open_row_and_starts_again() {
    let plan = plan(vec![column("a", "bigint"), column("b", "varchar")]);
    let mut builder = BatchBuilder::new(plan.clone());
    builder.push(Some("1")).expect("a value");
    assert_eq!(builder.rows(), 0);
    let batch = builder.finish();
    assert_valid(&batch);
    assert_eq!(batch.num_rows(), 1);
    assert!(batch.column(1).is_null(0));
    assert_eq!(batch.schema(), plan.schema);

    // The builder goes on, its rows counted from 0 again.
    for i in 0..3 {
        builder.push(Some(&i.to_string())).expect("a value");
        builder.push(None).expect("NULL");
        builder.end_row().expect("a row");
    }
    let e = builder.push(Some("x")).expect_err("not a bigint");
    assert_eq!(e.row, 3);
    builder.push(None).expect("NULL");
    builder.end_row().expect("a row");
    let batch = builder.finish();
    assert_valid(&batch);
    assert_eq!(
        batch
            .column(0)
            .as_primitive::<Int64Type>()
            .iter()
            .collect::<Vec<_>>(),
        [Some(0), Some(1), Some(2), None]
    );
    assert_eq!(builder.finish().num_rows(), 0);
}

#[test]
fn a_result_without_columns_counts_its_rows() {
    let mut builder = BatchBuilder::new(plan(vec![]));
    builder.end_row().expect("an empty row");
    builder.end_row().expect("an empty row");
    let batch = builder.finish();
    assert_eq!((batch.num_rows(), batch.num_columns()), (2, 0));
}

#[test]
fn value_errors_name_the_row_column_type_and_shortened_text() {
    let plan = plan(vec![column("id", "bigint"), column("n", "integer")]);
    let mut builder = BatchBuilder::new(plan.clone());
    assert!(Arc::ptr_eq(builder.plan(), &plan));
    builder.push(Some("1")).expect("a value");
    builder.push(Some("2")).expect("a value");
    builder.end_row().expect("a row");
    builder.push(Some("3")).expect("a value");
    let long = "9".repeat(500);
    let e = builder.push(Some(&long)).expect_err("out of range");
    assert_eq!((e.row, e.column), (1, 1));
    assert_eq!(e.text.chars().count(), 203);
    assert!(e.text.ends_with("..."));
    match e.into_error(&plan, 1000) {
        Error::Decode {
            row_number,
            column,
            athena_type,
            text,
            message,
        } => {
            assert_eq!(row_number, 1001);
            assert_eq!((column.as_str(), athena_type.as_str()), ("n", "integer"));
            assert!(text.starts_with("999") && text.len() == 203);
            assert_eq!(message, "integer out of range for i32");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bytes_count_values_offsets_and_validity() {
    let plan = plan(vec![
        column("a", "bigint"),
        column("s", "varchar"),
        column("b", "varbinary"),
    ]);
    let mut builder = BatchBuilder::new(plan);
    assert_eq!(builder.bytes(), 0);
    builder.push(Some("1")).expect("a value");
    builder.push(Some("hello")).expect("a value");
    builder.push(Some("68 65 6c")).expect("a value");
    builder.end_row().expect("a row");
    // 8 for the bigint, 4 + 5 for the string, 4 + 3 for the bytes, 1 of validity.
    assert_eq!(builder.bytes(), 8 + 9 + 7 + 1);
    for _ in 0..3 {
        builder.push(None).expect("NULL");
    }
    builder.end_row().expect("a row");
    assert_eq!(builder.bytes(), 25 + 8 + 4 + 4);
    builder.finish();
    assert_eq!(builder.bytes(), 0);
}

// ---- The readers, and round trips ----

#[test]
fn the_readers_refuse_what_their_unit_cannot_hold() {
    assert_eq!(parse_decimal128("1.2", 5, 2), Ok(120));
    assert!(parse_decimal128("1.234", 5, 2).is_err());
    assert_eq!(parse_date32("1970-01-02"), Ok(1));
    assert!(parse_date32("-9999999-01-01").is_err());
    assert_eq!(
        parse_time_of_day("00:00:01.5", TimeUnit::Millisecond),
        Ok(1500)
    );
    assert!(parse_time_of_day("00:00:01.5", TimeUnit::Second).is_err());
    assert_eq!(
        parse_timestamp("1970-01-01 00:00:00.000000001", TimeUnit::Nanosecond),
        Ok(1)
    );
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`), written independently of the reader it checks.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A decimal's text as Athena writes it: exactly `scale` fraction digits.
fn decimal_text(value: i128, scale: u32) -> String {
    let digits = value.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    let sign = if value < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

proptest! {
    #[test]
    fn bigints_round_trip_through_text(values in prop::collection::vec(any::<i64>(), 1..50)) {
        let texts: Vec<String> = values.iter().map(i64::to_string).collect();
        let refs: Vec<Option<&str>> = texts.iter().map(|t| Some(t.as_str())).collect();
        let array = read_ok(one("bigint"), &refs);
        prop_assert_eq!(array.as_primitive::<Int64Type>().values().to_vec(), values);
    }

    #[test]
    fn decimals_round_trip_through_text(
        (precision, scale, value) in (1u32..=38)
            .prop_flat_map(|p| (Just(p), 0..=p))
            .prop_flat_map(|(p, s)| {
                let max = 10i128.pow(p) - 1;
                (Just(p), Just(s), -max..=max)
            })
    ) {
        let text = decimal_text(value, scale);
        let (p, s) = (precision as u8, scale as u8);
        prop_assert_eq!(parse_decimal128(&text, p, s), Ok(value), "{}", text);
        // Trailing zeros left out read the same: fewer fraction digits are scaled.
        if scale > 0 && text.contains('.') {
            let short = text.trim_end_matches('0').trim_end_matches('.');
            let short = if short.is_empty() || short == "-" { "0" } else { short };
            prop_assert_eq!(parse_decimal128(short, p, s), Ok(value), "{}", short);
        }
        // And through a column.
        let array = read_ok(
            plan(vec![column_p("c", "decimal", precision as i32, scale as i32)]),
            &[Some(&text)],
        );
        prop_assert_eq!(array.as_primitive::<Decimal128Type>().value(0), value);
        // One digit more than the precision allows is refused, never rounded.
        let wider = decimal_text(value.signum().max(1) * 10i128.pow(precision), scale);
        if precision < 38 {
            prop_assert!(parse_decimal128(&wider, p, s).is_err(), "{}", wider);
        }
    }

    #[test]
    fn dates_round_trip_through_text(days in -719_162i64..=2_932_896) {
        let (y, m, d) = civil_from_days(days);
        let text = format!("{y:04}-{m:02}-{d:02}");
        prop_assert_eq!(parse_date32(&text), Ok(days as i32), "{}", text);
    }
}
