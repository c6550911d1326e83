//! The mapping from Athena's column metadata to an Arrow schema, asserted type by type.

use super::*;

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

// layout: long function, because a table of every CloudFront column and its Arrow type, read top to bottom.
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
