use serde_json::json;

use super::scalars::*;
use super::*;
use crate::row::ColumnInfo;

fn t(sig: &str) -> AthenaType {
    AthenaType::parse(sig)
}

#[test]
fn type_signatures() {
    assert_eq!(t("varchar"), AthenaType::Varchar);
    assert_eq!(t("varchar(10)"), AthenaType::Varchar);
    assert_eq!(t("int"), AthenaType::Integer);
    assert_eq!(t("float"), AthenaType::Real);
    assert_eq!(
        t("decimal(10,2)"),
        AthenaType::Decimal {
            precision: 10,
            scale: 2
        }
    );
    assert_eq!(t("timestamp(3)"), AthenaType::Timestamp);
    assert_eq!(
        t("timestamp(3) with time zone"),
        AthenaType::TimestampWithTimeZone
    );
    assert_eq!(
        t("timestamp with time zone"),
        AthenaType::TimestampWithTimeZone
    );
    assert_eq!(t("time with time zone"), AthenaType::TimeWithTimeZone);
    assert_eq!(t("interval day to second"), AthenaType::Interval);
    assert_eq!(
        t("map(varchar, array(integer))"),
        AthenaType::Map(Some(Box::new((
            AthenaType::Varchar,
            AthenaType::Array(Some(Box::new(AthenaType::Integer)))
        ))))
    );
    assert_eq!(
        t("row(id integer, \"the name\" varchar)"),
        AthenaType::Row(Some(vec![
            RowField {
                name: Some("id".into()),
                r#type: AthenaType::Integer
            },
            RowField {
                name: Some("the name".into()),
                r#type: AthenaType::Varchar
            },
        ]))
    );
    assert_eq!(
        t("row(integer, varchar)"),
        AthenaType::Row(Some(vec![
            RowField {
                name: None,
                r#type: AthenaType::Integer
            },
            RowField {
                name: None,
                r#type: AthenaType::Varchar
            },
        ]))
    );
    assert_eq!(t("hyperloglog"), AthenaType::Unknown("hyperloglog".into()));
    assert_eq!(
        t("array(integer"),
        AthenaType::Unknown("array(integer".into())
    );
    assert_eq!(t(""), AthenaType::Unknown("".into()));
    // Display round-trips.
    for sig in [
        "array(row(id integer, name varchar))",
        "map(varchar, double)",
        "decimal(38,9)",
    ] {
        assert_eq!(t(&t(sig).to_string()), t(sig), "{sig}");
    }
}

#[test]
fn deep_type_signature_is_unknown_not_a_stack_overflow() {
    let sig = "array(".repeat(10_000) + "integer" + &")".repeat(10_000);
    assert!(matches!(t(&sig), AthenaType::Unknown(_)));
}

#[test]
fn decimal_type_takes_precision_and_scale_from_the_column() {
    let mut c = ColumnInfo::new("price", "decimal");
    c.precision = 10;
    c.scale = 2;
    assert_eq!(
        AthenaType::of_column(&c),
        AthenaType::Decimal {
            precision: 10,
            scale: 2
        }
    );
}

#[test]
fn integers_check_their_range() {
    assert_eq!(parse_int::<i64>("-9223372036854775808"), Ok(i64::MIN));
    let e = parse_int::<i64>("9223372036854775808").unwrap_err();
    assert!(e.message().contains("out of range"), "{e}");
    assert_eq!(parse_int::<i16>("32767"), Ok(32767));
    assert!(parse_int::<i16>("32768").is_err());
    assert!(parse_int::<u32>("-1").is_err());
    assert!(parse_int::<i32>("").is_err());
    assert!(parse_int::<i32>(" 1").is_err());
    assert!(parse_int::<i32>("1e3").is_err());
    // Once the doc example of the (then public) parse_int.
    assert_eq!(parse_int::<i8>("-128"), Ok(-128));
    assert!(parse_int::<i8>("128").is_err());
    assert!(parse_int::<i64>("1.5").is_err());
}

#[test]
fn floats_read_java_notation() {
    assert_eq!(parse_double("0.30000000000000004"), Ok(0.1 + 0.2));
    assert_eq!(parse_double("1.0E20"), Ok(1e20));
    assert_eq!(parse_double("4.9E-324"), Ok(4.9e-324));
    assert_eq!(parse_double("Infinity"), Ok(f64::INFINITY));
    assert_eq!(parse_double("-Infinity"), Ok(f64::NEG_INFINITY));
    assert!(parse_double("NaN").unwrap().is_nan());
    assert_eq!(parse_real("3.4028235E38"), Ok(f32::MAX));
    assert!(parse_double("").is_err());
    assert!(parse_double("1.0.0").is_err());
}

#[test]
fn floats_render_like_java() {
    assert_eq!(render_double(1.0), "1.0");
    assert_eq!(render_double(-0.0), "-0.0");
    assert_eq!(render_double(0.001), "0.001");
    assert_eq!(render_double(0.0001), "1.0E-4");
    assert_eq!(render_double(1e7), "1.0E7");
    assert_eq!(render_double(9999999.0), "9999999.0");
    assert_eq!(render_double(1e20), "1.0E20");
    assert_eq!(render_double(1.5e-7), "1.5E-7");
    assert_eq!(render_double(0.1 + 0.2), "0.30000000000000004");
    assert_eq!(render_double(f64::NAN), "NaN");
    assert_eq!(render_double(f64::NEG_INFINITY), "-Infinity");
    assert_eq!(render_real(0.1), "0.1");
    assert_eq!(render_real(1e10), "1.0E10");
}

#[test]
fn decimals_are_checked_and_keep_their_scale() {
    assert_eq!(parse_decimal("1.50"), Ok(2));
    assert_eq!(parse_decimal("-12"), Ok(0));
    assert_eq!(parse_decimal("0.000000001"), Ok(9));
    for bad in ["", "-", "1.", ".5", "1e5", "1,5", "+1", "NaN"] {
        assert!(parse_decimal(bad).is_err(), "{bad}");
    }
    let d = Value::parse("1.50", &t("decimal(3,2)")).unwrap();
    assert_eq!(d, Value::Decimal("1.50".into()));
    assert_eq!(d.to_json(), json!("1.50"));
    // More digits than any float holds, kept exactly.
    let big = "12345678901234567890123456789012345678";
    assert_eq!(
        Value::parse(big, &t("decimal(38,0)")).unwrap().to_json(),
        json!(big)
    );
}

#[test]
fn varbinary_is_spaced_hex() {
    assert_eq!(parse_varbinary("68 65 6c 6c 6f").unwrap(), b"hello");
    assert_eq!(parse_varbinary("68 69").unwrap(), b"hi");
    assert_eq!(parse_varbinary("FF 00").unwrap(), [255, 0]);
    assert_eq!(parse_varbinary("").unwrap(), b"");
    for bad in ["6", "68 6", "6865", "68  65", " 68", "68 ", "zz", "é"] {
        assert!(parse_varbinary(bad).is_err(), "{bad:?}");
    }
    assert_eq!(render_varbinary(b"hello"), "68 65 6c 6c 6f");
    assert_eq!(
        Value::Varbinary(vec![0xde, 0xad, 0x0f]).to_json(),
        json!("dead0f")
    );
}

#[test]
fn dates_and_timestamps_are_checked() {
    let ok = [
        ("date", "2014-07-05"),
        ("date", "-0001-01-01"),
        ("time", "03:04:05"),
        ("time", "03:04:05.123456789"),
        ("time with time zone", "03:04:05.123+05:30"),
        ("timestamp", "2024-01-02 03:04:05"),
        ("timestamp(3)", "2024-01-02 03:04:05.123"),
        ("timestamp(9)", "2024-01-02 03:04:05.123456789"),
        (
            "timestamp with time zone",
            "2001-08-22 03:04:05.321 America/Los_Angeles",
        ),
        ("timestamp with time zone", "2001-08-22 03:04:05.321 UTC"),
    ];
    for (ty, text) in ok {
        let v = Value::parse(text, &t(ty)).unwrap_or_else(|e| panic!("{ty} {text}: {e}"));
        assert_eq!(v.to_json(), json!(text));
        assert_eq!(v.to_athena_text(), text);
    }
    let bad = [
        ("date", "2014-7-5"),
        ("date", "2014-07-05 "),
        ("timestamp", "2024-01-02T03:04:05"),
        ("timestamp", "2024-01-02 03:04:05."),
        ("timestamp with time zone", "2001-08-22 03:04:05.321"),
        ("timestamp with time zone", "2001-08-22 03:04:05.321 "),
        ("time", "3:04:05"),
    ];
    for (ty, text) in bad {
        assert!(Value::parse(text, &t(ty)).is_err(), "{ty} {text:?}");
    }
}

#[test]
fn scalars_parse_by_column_type() {
    assert_eq!(
        Value::parse("true", &t("boolean")),
        Ok(Value::Boolean(true))
    );
    assert_eq!(
        Value::parse("-128", &t("tinyint")),
        Ok(Value::TinyInt(-128))
    );
    assert!(Value::parse("128", &t("tinyint")).is_err());
    assert_eq!(Value::parse("7", &t("integer")), Ok(Value::Integer(7)));
    assert_eq!(
        Value::parse("", &t("varchar")),
        Ok(Value::Varchar(String::new()))
    );
    assert_eq!(
        Value::parse("::1", &t("ipaddress")),
        Ok(Value::IpAddress("::1".parse().unwrap()))
    );
    assert!(Value::parse("1.2.3", &t("ipaddress")).is_err());
    assert_eq!(
        Value::parse("12151fd2-7586-11e9-8f9e-2a86e4085a59", &t("uuid")),
        Ok(Value::Uuid("12151fd2-7586-11e9-8f9e-2a86e4085a59".into()))
    );
    assert!(Value::parse("12151fd2", &t("uuid")).is_err());
    assert_eq!(
        Value::parse(r#"{"a":[1,2]}"#, &t("json")),
        Ok(Value::Json(json!({"a": [1, 2]})))
    );
    assert!(Value::parse("{", &t("json")).is_err());
    assert_eq!(
        Value::parse("1-2", &t("interval year to month")),
        Ok(Value::Text("1-2".into()))
    );
}

#[test]
fn floats_in_json() {
    assert_eq!(Value::Double(f64::NAN).to_json(), json!("NaN"));
    assert_eq!(Value::Double(f64::INFINITY).to_json(), json!("Infinity"));
    assert_eq!(Value::Real(f32::NEG_INFINITY).to_json(), json!("-Infinity"));
    assert_eq!(Value::Real(0.1).to_json(), json!(0.1));
    assert_eq!(Value::Double(1e20).to_json(), json!(1e20));
}

#[test]
fn typed_arrays() {
    let v = Value::parse("[[1, 2], [], [3]]", &t("array(array(integer))")).unwrap();
    assert_eq!(v.to_json(), json!([[1, 2], [], [3]]));
    // Strings are not quoted; with a scalar element type, brackets in strings are text.
    let v = Value::parse("[a], [b, c{]", &t("array(varchar)")).unwrap();
    assert_eq!(v.to_json(), json!(["a]", "[b", "c{"]));
    assert!(Value::parse("a, b", &t("array(varchar)")).is_err());
    let v = Value::parse("[x[, }y, null, ]", &t("array(varchar)")).unwrap();
    assert_eq!(v.to_json(), json!(["x[", "}y", null, ""]));
    assert!(Value::parse("[1, x]", &t("array(integer)")).is_err());
    assert!(Value::parse("[1, [2]", &t("array(array(integer))")).is_err());
}

#[test]
fn typed_maps_and_rows() {
    let v = Value::parse("{a=1, b=null}", &t("map(varchar, bigint)")).unwrap();
    assert_eq!(
        v,
        Value::Map(vec![
            (Value::Varchar("a".into()), Value::BigInt(1)),
            (Value::Varchar("b".into()), Value::Null),
        ])
    );
    assert_eq!(v.to_json(), json!({"a": 1, "b": null}));
    let v = Value::parse("{k=[1, 2]}", &t("map(varchar, array(integer))")).unwrap();
    assert_eq!(v.to_json(), json!({"k": [1, 2]}));

    let ty = t("row(id integer, name varchar, tags array(varchar))");
    let v = Value::parse("{id=1, name=a=b, c, tags=[x, y]}", &ty).unwrap();
    assert_eq!(
        v.to_json(),
        json!({"id": 1, "name": "a=b, c", "tags": ["x", "y"]})
    );
    let v = Value::parse("{1, x}", &t("row(integer, varchar)")).unwrap();
    assert_eq!(v.to_json(), json!([1, "x"]));
    assert!(Value::parse("{id=1}", &t("row(id integer, name varchar)")).is_err());
    assert!(Value::parse("{name=x, id=1}", &t("row(id integer, name varchar)")).is_err());
}

#[test]
fn untyped_nested_values_keep_text_elements() {
    // What Athena reports: ColumnInfo.Type is just `array`, `map`, `row`.
    let v = Value::parse("[1, 2, null]", &t("array")).unwrap();
    assert_eq!(v.to_json(), json!(["1", "2", null]));
    let v = Value::parse("[[1, 2], [3]]", &t("array")).unwrap();
    assert_eq!(v.to_json(), json!([["1", "2"], ["3"]]));
    let v = Value::parse("[{a=1, b=[x]}]", &t("array")).unwrap();
    assert_eq!(v.to_json(), json!([{"a": "1", "b": ["x"]}]));
    let v = Value::parse("{k1=v1, k2=v2}", &t("map")).unwrap();
    assert_eq!(v.to_json(), json!({"k1": "v1", "k2": "v2"}));
    let v = Value::parse("{id=1, name=x}", &t("row")).unwrap();
    assert_eq!(v.to_json(), json!({"id": "1", "name": "x"}));
    let v = Value::parse("{1, x}", &t("row")).unwrap();
    assert_eq!(v.to_json(), json!(["1", "x"]));
    // An element that only looks nested stays text.
    let v = Value::parse("[[a, b}]", &t("array")).unwrap();
    assert_eq!(v.to_json(), json!(["[a, b}"]));
    let v = Value::parse("[[x, y]", &t("array")).unwrap();
    assert_eq!(v.to_json(), json!(["[x", "y"]));
    assert_eq!(
        Value::parse("[]", &t("array")).unwrap(),
        Value::Array(vec![])
    );
    assert_eq!(Value::parse("{}", &t("map")).unwrap(), Value::Map(vec![]));
}

#[test]
fn a_value_of_a_missing_column_is_no_such_column() {
    let columns = std::sync::Arc::new(crate::value::ResultSetMetadata::new(vec![ColumnInfo::new(
        "n", "bigint",
    )]));
    let row = crate::Row::new(columns, 0, vec![None]);
    assert_eq!(row.value("n").unwrap(), Value::Null);
    assert_eq!(row.value(0).unwrap(), Value::Null);
    for e in [row.value("m").unwrap_err(), row.value(1).unwrap_err()] {
        assert!(matches!(e, Error::NoSuchColumn { .. }), "{e:?}");
    }
}

#[test]
fn nesting_depth_is_limited() {
    let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
    assert!(Value::parse(&ok, &t("array")).is_ok());
    for depth in [MAX_DEPTH + 2, 100_000] {
        let deep = "[".repeat(depth) + &"]".repeat(depth);
        let e = Value::parse(&deep, &t("array")).unwrap_err();
        assert!(e.message().contains("nested deeper"), "{e}");
    }
    let deep = "{a=".repeat(100_000) + &"}".repeat(100_000);
    assert!(Value::parse(&deep, &t("map")).is_err());
}

#[test]
fn render_then_parse() {
    let ty = t("array(row(id bigint, name varchar, score double, raw varbinary))");
    let v = Value::Array(vec![
        Value::Row(vec![
            (Some("id".into()), Value::BigInt(-5)),
            (Some("name".into()), Value::Varchar("x y".into())),
            (Some("score".into()), Value::Double(1e-9)),
            (Some("raw".into()), Value::Varbinary(vec![1, 255])),
        ]),
        Value::Null,
    ]);
    let text = v.to_athena_text();
    assert_eq!(text, "[{id=-5, name=x y, score=1.0E-9, raw=01 ff}, null]");
    assert_eq!(Value::parse(&text, &ty).unwrap(), v);
}

#[test]
fn errors_never_panic_on_odd_text() {
    let types = [
        "array",
        "map",
        "row",
        "array(integer)",
        "map(varchar, integer)",
        "row(a integer, b varchar)",
        "row(integer)",
        "array(array(varchar))",
    ];
    let texts = [
        "", "[", "]", "{", "}", "[,", "{=}", "{=, =}", "[, ]", "{a}", "[[[", "]]]", "{a=[}",
        "[é, ü]", "{é=ü}", "[\u{0}]", "[, , ]", "{, }",
    ];
    for ty in types {
        for text in texts {
            let _ = Value::parse(text, &t(ty));
        }
    }
}

#[test]
fn shorten_cuts_long_text_on_a_char_boundary() {
    let long = "é".repeat(500);
    let s = shorten(&long);
    assert!(s.ends_with("...") && s.chars().count() == MAX_ERROR_TEXT + 3);
}

/// The shared test vectors: the text Athena sends for each SQL expression, and
/// the typed JSON of `--typed` for it. The emulator checks its rendering against
/// the same file.
#[test]
fn shared_test_vectors() {
    let vectors: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../testdata/athena_values.json")).unwrap();
    assert!(vectors.len() >= 40);
    for v in vectors {
        let ty = t(v["type"].as_str().unwrap());
        let expected = &v["json"];
        let Some(text) = v["text"].as_str() else {
            assert!(expected.is_null(), "{v}");
            continue;
        };
        let value = Value::parse(text, &ty).unwrap_or_else(|e| panic!("{v}: {e}"));
        assert_eq!(&value.to_json(), expected, "{v}");
        assert_eq!(value.to_athena_text(), text, "{v}");
    }
}

/// Every shared vector names where its expected text comes from: a documentation page,
/// an open-source client that read the real service, or, when nothing public shows it,
/// a `source` that starts with "emulator's guess".
#[test]
fn shared_test_vectors_name_their_source() {
    let vectors: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../testdata/athena_values.json")).unwrap();
    let missing: Vec<&str> = vectors
        .iter()
        .filter(|v| {
            v["source"]
                .as_str()
                .is_none_or(|source| source.trim().is_empty())
        })
        .map(|v| v["sql"].as_str().unwrap_or("?"))
        .collect();
    assert!(
        missing.is_empty(),
        "vectors without a source (name a page, or write \"emulator's guess: why\"): {missing:?}"
    );
}
