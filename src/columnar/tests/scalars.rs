//! Scalar values into their builders: NULL against "", bounds, units, exact decimals.

use super::*;

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
