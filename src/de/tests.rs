use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;

use crate::{
    Error, Row,
    value::{ColumnInfo, ResultSetMetadata},
};

fn row(columns: &[(&str, &str)], values: &[Option<&str>]) -> Row {
    let meta = Arc::new(ResultSetMetadata::new(
        columns
            .iter()
            .map(|(n, t)| ColumnInfo::new(*n, *t))
            .collect(),
    ));
    Row::new(
        meta,
        7,
        values.iter().map(|v| v.map(str::to_owned)).collect(),
    )
}

fn one(ty: &str, text: &str) -> Row {
    row(&[("c", ty)], &[Some(text)])
}

fn no_such_column(e: Error) -> (u64, String, Vec<String>) {
    match e {
        Error::NoSuchColumn {
            row_number,
            column,
            columns,
        } => (row_number, column, columns),
        other => panic!("not a missing column: {other:?}"),
    }
}

fn decode_err(e: Error) -> (u64, String, String, String, String) {
    match e {
        Error::Decode {
            row_number,
            column,
            athena_type,
            text,
            message,
        } => (row_number, column, athena_type, text, message),
        other => panic!("not a decode error: {other:?}"),
    }
}

#[test]
fn integers() {
    assert_eq!(one("tinyint", "-128").get::<i8>("c").unwrap(), -128);
    assert_eq!(
        one("bigint", "9223372036854775807").get::<i64>(0).unwrap(),
        i64::MAX
    );
    assert_eq!(one("integer", "7").get::<u8>("c").unwrap(), 7);
    assert_eq!(one("bigint", "7").get::<i128>("c").unwrap(), 7);
    let (row_number, column, ty, text, message) =
        decode_err(one("bigint", "1024").get::<i8>("c").unwrap_err());
    assert_eq!(
        (row_number, column.as_str(), ty.as_str(), text.as_str()),
        (7, "c", "bigint", "1024")
    );
    assert!(message.contains("out of range"), "{message}");
    assert!(
        one("bigint", "9223372036854775808")
            .get::<i64>("c")
            .is_err()
    );
    assert!(one("integer", "1.0").get::<i32>("c").is_err());
}

#[test]
fn floats() {
    assert_eq!(one("double", "1.0E20").get::<f64>("c").unwrap(), 1e20);
    assert!(one("double", "NaN").get::<f64>("c").unwrap().is_nan());
    assert_eq!(
        one("real", "-Infinity").get::<f32>("c").unwrap(),
        f32::NEG_INFINITY
    );
    assert_eq!(one("real", "0.1").get::<f32>("c").unwrap(), 0.1);
    assert!(one("double", "x").get::<f64>("c").is_err());
}

#[test]
fn decimals_are_never_floats() {
    let r = row(&[("c", "decimal")], &[Some("12345678901234567890.12")]);
    assert_eq!(r.get::<String>("c").unwrap(), "12345678901234567890.12");
    let (_, _, ty, _, message) = decode_err(r.get::<f64>("c").unwrap_err());
    assert_eq!(ty, "decimal");
    assert!(
        message.contains("decimal is not read into a float"),
        "{message}"
    );
    assert_eq!(
        r.get::<serde_json::Value>("c").unwrap(),
        json!("12345678901234567890.12")
    );
    // An integral decimal reads into an integer, exactly.
    assert_eq!(one("decimal", "42").get::<i64>("c").unwrap(), 42);
    assert!(one("decimal", "42.50").get::<i64>("c").is_err());
}

#[test]
fn a_decimal_is_not_read_into_an_f32_either() {
    // README: decimals never go through floats, f32 no more than f64.
    let r = one("decimal", "0.10");
    let (_, column, ty, text, message) = decode_err(r.get::<f32>("c").unwrap_err());
    assert_eq!(
        (column.as_str(), ty.as_str(), text.as_str()),
        ("c", "decimal", "0.10")
    );
    assert!(
        message.contains("decimal is not read into a float"),
        "{message}"
    );
    let r = row(&[("price", "decimal(10,2)")], &[Some("1.50")]);
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Price {
        price: f32,
    }
    let (_, column, _, _, message) = decode_err(r.deserialize::<Price>().unwrap_err());
    assert_eq!(column, "price");
    assert!(message.contains("decimal"), "{message}");
}

#[test]
fn nested_decimals_with_a_full_signature_keep_their_exact_text() {
    let r = one("array(decimal(10,2))", "[1.50, -2.00, null, 12345678.90]");
    assert_eq!(
        r.get::<Vec<Option<String>>>("c").unwrap(),
        [
            Some("1.50".to_owned()),
            Some("-2.00".to_owned()),
            None,
            Some("12345678.90".to_owned())
        ]
    );
    assert_eq!(
        r.get::<Vec<Option<&str>>>("c").unwrap()[0],
        Some("1.50"),
        "borrowed from the row"
    );
    // Self-describing targets get the exact text too, not a float.
    assert_eq!(
        r.get::<serde_json::Value>("c").unwrap(),
        json!(["1.50", "-2.00", null, "12345678.90"])
    );
    let (_, _, ty, _, message) = decode_err(r.get::<Vec<Option<f64>>>("c").unwrap_err());
    assert_eq!(ty, "array(decimal(10,2))");
    assert!(
        message.contains("element 0") && message.contains("decimal is not read into a float"),
        "{message}"
    );
    assert!(r.get::<Vec<Option<f32>>>("c").is_err());

    #[derive(Deserialize, Debug, PartialEq)]
    struct Item {
        name: String,
        price: String,
    }
    let r = one(
        "row(name varchar, price decimal(10,2))",
        "{name=tea, price=3.10}",
    );
    assert_eq!(
        r.get::<Item>("c").unwrap(),
        Item {
            name: "tea".into(),
            price: "3.10".into()
        }
    );
    assert_eq!(
        r.get::<serde_json::Value>("c").unwrap(),
        json!({"name": "tea", "price": "3.10"})
    );
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct FloatItem {
        name: String,
        price: f64,
    }
    let (_, _, _, _, message) = decode_err(r.get::<FloatItem>("c").unwrap_err());
    assert!(
        message.contains("row field price") && message.contains("decimal"),
        "{message}"
    );

    let r = one("map(varchar, decimal(5,3))", "{a=1.000, b=-0.500}");
    let m: BTreeMap<String, String> = r.get("c").unwrap();
    assert_eq!(m["a"], "1.000");
    assert_eq!(m["b"], "-0.500");
    assert!(r.get::<BTreeMap<String, f64>>("c").is_err());
}

#[test]
fn serde_and_typed_json_read_untyped_nested_values_alike() {
    // One rule decides what an untyped `{...}` is, for both ways of reading it.
    for (ty, text) in [
        ("array", "[{}, {a=1}]"),
        ("array", "[{1, x}, {a=1, b=[2, 3]}, [4], x]"),
        ("array", "[[{}], {k={}}]"),
        ("row", "{id=1, name=x}"),
        ("row", "{1, x}"),
        ("map", "{k1={a=1}, k2={}}"),
        ("map", "{}"),
    ] {
        let r = one(ty, text);
        let by_serde = r.get::<serde_json::Value>("c").unwrap();
        let by_value = r.value("c").unwrap().to_json();
        assert_eq!(by_serde, by_value, "{ty} {text}");
    }
    // `{}` inside an untyped value is an empty map (no row has zero fields).
    assert_eq!(
        one("array", "[{}, {a=1}]").to_typed_json().unwrap(),
        json!({"c": [{}, {"a": "1"}]})
    );
    let maps: Vec<HashMap<String, String>> = one("array", "[{}, {a=1}]").get("c").unwrap();
    assert_eq!(
        maps,
        [HashMap::new(), HashMap::from([("a".into(), "1".into())])]
    );
}

#[test]
fn booleans_text_and_null() {
    assert!(one("boolean", "true").get::<bool>("c").unwrap());
    assert!(one("boolean", "yes").get::<bool>("c").is_err());
    let r = row(&[("a", "varchar"), ("b", "varchar")], &[Some(""), None]);
    assert_eq!(r.get::<String>("a").unwrap(), "");
    assert_eq!(r.get::<Option<String>>("a").unwrap(), Some(String::new()));
    assert_eq!(r.get::<Option<&str>>("b").unwrap(), None);
    let (_, column, _, _, message) = decode_err(r.get::<String>("b").unwrap_err());
    assert_eq!(column, "b");
    assert!(message.contains("NULL"), "{message}");
    assert_eq!(one("char", "x").get::<char>("c").unwrap(), 'x');
}

#[test]
fn varbinary_ipaddress_uuid() {
    assert_eq!(
        one("varbinary", "68 69").get::<Vec<u8>>("c").unwrap(),
        b"hi"
    );
    assert_eq!(one("varbinary", "").get::<Vec<u8>>("c").unwrap(), b"");
    assert!(one("varbinary", "6").get::<Vec<u8>>("c").is_err());
    assert_eq!(
        one("varbinary", "68 69").get::<String>("c").unwrap(),
        "68 69"
    );
    assert_eq!(
        one("ipaddress", "10.0.0.1").get::<IpAddr>("c").unwrap(),
        "10.0.0.1".parse::<IpAddr>().unwrap()
    );
    assert!(one("ipaddress", "10.0.0").get::<IpAddr>("c").is_err());
    let u = "12151fd2-7586-11e9-8f9e-2a86e4085a59";
    assert_eq!(one("uuid", u).get::<String>("c").unwrap(), u);
}

#[test]
fn json_columns() {
    let r = one("json", r#"{"a": [1, 2], "b": "x"}"#);
    assert_eq!(
        r.get::<serde_json::Value>("c").unwrap(),
        json!({"a": [1, 2], "b": "x"})
    );
    #[derive(Deserialize, Debug, PartialEq)]
    struct J<'a> {
        a: Vec<i64>,
        b: &'a str,
    }
    assert_eq!(
        r.get::<J<'_>>("c").unwrap(),
        J {
            a: vec![1, 2],
            b: "x"
        }
    );
    assert_eq!(r.get::<String>("c").unwrap(), r#"{"a": [1, 2], "b": "x"}"#);
    assert_eq!(one("json", "[1,2]").get::<Vec<u8>>("c").unwrap(), [1, 2]);
    assert!(
        one("json", "[1,2] x")
            .get::<serde_json::Value>("c")
            .is_err()
    );
    assert!(one("json", "{").get::<serde_json::Value>("c").is_err());
}

#[test]
fn arrays_maps_rows() {
    let r = one("array", "[1, 2, 3]");
    assert_eq!(r.get::<Vec<i32>>("c").unwrap(), [1, 2, 3]);
    assert_eq!(r.get::<Vec<String>>("c").unwrap(), ["1", "2", "3"]);
    assert_eq!(r.get::<(u8, u8, u8)>("c").unwrap(), (1, 2, 3));
    let r = one("array", "[[1, 2], [], [3]]");
    assert_eq!(
        r.get::<Vec<Vec<i64>>>("c").unwrap(),
        vec![vec![1, 2], vec![], vec![3]]
    );
    let r = one("array", "[a, null]");
    assert_eq!(
        r.get::<Vec<Option<String>>>("c").unwrap(),
        [Some("a".into()), None]
    );
    assert!(r.get::<Vec<String>>("c").is_err());
    let (_, _, _, _, message) =
        decode_err(one("array", "[1, x]").get::<Vec<i32>>("c").unwrap_err());
    assert!(message.contains("element 1"), "{message}");

    let r = one("map", "{a=1, b=2}");
    let m: HashMap<String, i64> = r.get("c").unwrap();
    assert_eq!(m, HashMap::from([("a".into(), 1), ("b".into(), 2)]));
    let m: BTreeMap<i32, String> = one("map", "{1=x, 2=y}").get("c").unwrap();
    assert_eq!(m[&2], "y");

    #[derive(Deserialize, Debug, PartialEq)]
    struct Person {
        id: i32,
        name: String,
        tags: Vec<String>,
    }
    let r = one("row", "{id=1, name=x, tags=[a, b]}");
    assert_eq!(
        r.get::<Person>("c").unwrap(),
        Person {
            id: 1,
            name: "x".into(),
            tags: vec!["a".into(), "b".into()]
        }
    );
    assert_eq!(
        one("row", "{1, x}").get::<(i32, String)>("c").unwrap(),
        (1, "x".into())
    );
    // A full type signature types the elements.
    let r = one(
        "array(row(id integer, name varchar))",
        "[{id=1, name=a, b}]",
    );
    let v: Vec<BTreeMap<String, serde_json::Value>> = r.get("c").unwrap();
    assert_eq!(v[0]["id"], json!(1));
    assert_eq!(v[0]["name"], json!("a, b"));
    // Self-describing targets get typed values where the type is known.
    assert_eq!(
        one("map(varchar, double)", "{x=1.5, y=NaN}")
            .get::<serde_json::Value>("c")
            .unwrap()["x"],
        json!(1.5)
    );
    assert_eq!(
        one("array", "[1, [2]]")
            .get::<serde_json::Value>("c")
            .unwrap(),
        json!(["1", ["2"]])
    );
}

#[test]
fn enums_from_text() {
    #[derive(Deserialize, Debug, PartialEq)]
    enum ResultType {
        Hit,
        Miss,
    }
    assert_eq!(
        one("varchar", "Hit").get::<ResultType>("c").unwrap(),
        ResultType::Hit
    );
    assert!(one("varchar", "Error").get::<ResultType>("c").is_err());
}

#[derive(Deserialize, Debug, PartialEq)]
struct Log<'a> {
    date: String,
    bytes: i64,
    #[serde(rename = "time_taken")]
    seconds: f32,
    uri: &'a str,
    referer: Option<String>,
    status: u16,
}

fn log_row(values: &[Option<&str>]) -> Row {
    row(
        &[
            ("date", "date"),
            ("uri", "varchar"),
            ("bytes", "bigint"),
            ("status", "varchar"),
            ("time_taken", "real"),
            ("referer", "varchar"),
            ("extra", "varchar"),
        ],
        values,
    )
}

#[test]
fn struct_fields_match_column_names() {
    let r = log_row(&[
        Some("2024-01-02"),
        Some("/a"),
        Some("100"),
        Some("200"),
        Some("0.25"),
        None,
        Some("ignored"),
    ]);
    let log: Log<'_> = r.deserialize().unwrap();
    assert_eq!(
        log,
        Log {
            date: "2024-01-02".into(),
            bytes: 100,
            seconds: 0.25,
            uri: "/a",
            referer: None,
            status: 200
        }
    );
    // Again, through the cache.
    assert_eq!(r.deserialize::<Log<'_>>().unwrap(), log);
}

#[test]
fn struct_errors_name_row_column_type_and_text() {
    let r = log_row(&[
        Some("2024-01-02"),
        Some("/a"),
        Some("lots"),
        Some("200"),
        Some("0.25"),
        None,
        None,
    ]);
    let (row_number, column, ty, text, _) = decode_err(r.deserialize::<Log<'_>>().unwrap_err());
    assert_eq!(
        (row_number, column.as_str(), ty.as_str(), text.as_str()),
        (7, "bytes", "bigint", "lots")
    );
}

#[test]
fn a_missing_column_is_an_error_even_for_options() {
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Typo {
        uri: String,
        refferer: Option<String>,
    }
    let r = log_row(&[None, Some("/a"), None, None, None, None, None]);
    let e = r.deserialize::<Typo>().unwrap_err();
    let message = e.to_string();
    let (row_number, column, columns) = no_such_column(e);
    assert_eq!((row_number, column.as_str()), (7, "refferer"));
    assert!(columns.iter().any(|c| c == "referer"), "{columns:?}");
    assert!(
        message.contains("no column `refferer`") && message.contains("referer"),
        "{message}"
    );
    let (_, column, _) = no_such_column(r.get::<String>("nope").unwrap_err());
    assert_eq!(column, "nope");
    let (_, column, _) = no_such_column(r.get::<Option<String>>(99).unwrap_err());
    assert_eq!(column, "99");
}

#[test]
fn rows_into_tuples_and_maps() {
    let r = row(&[("a", "integer"), ("b", "varchar")], &[Some("1"), None]);
    assert_eq!(r.deserialize::<(i32, Option<String>)>().unwrap(), (1, None));
    let m: BTreeMap<String, serde_json::Value> = r.deserialize().unwrap();
    assert_eq!(m["a"], json!(1));
    assert_eq!(m["b"], json!(null));
    assert_eq!(
        r.deserialize::<serde_json::Value>().unwrap(),
        json!({"a": 1, "b": null})
    );
}

#[test]
fn typed_json_of_a_row() {
    let r = row(
        &[
            ("i", "integer"),
            ("d", "double"),
            ("n", "decimal"),
            ("b", "boolean"),
            ("s", "varchar"),
            ("t", "timestamp"),
            ("bin", "varbinary"),
            ("j", "json"),
            ("a", "array"),
            ("m", "map"),
            ("r", "row"),
            ("u", "row"),
            ("nul", "varchar"),
            ("inf", "double"),
        ],
        &[
            Some("1"),
            Some("1.5"),
            Some("1.50"),
            Some("true"),
            Some("x"),
            Some("2024-01-02 03:04:05.123"),
            Some("de ad"),
            Some(r#"{"k":[1]}"#),
            Some("[a, b]"),
            Some("{k=v}"),
            Some("{id=1, name=x}"),
            Some("{1, x}"),
            None,
            Some("-Infinity"),
        ],
    );
    assert_eq!(
        r.to_typed_json().unwrap(),
        json!({
            "i": 1, "d": 1.5, "n": "1.50", "b": true, "s": "x",
            "t": "2024-01-02 03:04:05.123", "bin": "dead", "j": {"k": [1]},
            "a": ["a", "b"], "m": {"k": "v"}, "r": {"id": "1", "name": "x"},
            "u": ["1", "x"], "nul": null, "inf": "-Infinity"
        })
    );
    let (_, column, ty, text, _) = decode_err(one("integer", "x").to_typed_json().unwrap_err());
    assert_eq!(
        (column.as_str(), ty.as_str(), text.as_str()),
        ("c", "integer", "x")
    );
}

#[test]
fn metadata_cache_does_not_mix_results() {
    // Many results with the same struct: each is read with its own columns.
    #[derive(Deserialize)]
    struct A {
        a: i64,
    }
    for i in 0..20 {
        let names: Vec<(String, &str)> = (0..=i % 3).map(|k| (format!("x{k}"), "bigint")).collect();
        let mut columns: Vec<(&str, &str)> = names.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        columns.push(("a", "bigint"));
        let text = i.to_string();
        let mut values = vec![Some("0"); columns.len() - 1];
        values.push(Some(text.as_str()));
        let r = row(&columns, &values);
        assert_eq!(r.deserialize::<A>().unwrap().a, i);
    }
}

#[test]
fn typed_stream_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    let s = crate::TypedExt::typed::<String>(futures::stream::empty::<Result<Row, Error>>());
    assert_send_sync(&s);
}

#[test]
fn typed_stream_passes_errors_on_and_goes_on() {
    use futures::StreamExt;
    let meta = Arc::new(ResultSetMetadata::new(vec![ColumnInfo::new(
        "n", "integer",
    )]));
    let rows = futures::stream::iter(vec![
        Ok(Row::new(meta.clone(), 0, vec![Some("1".into())])),
        Ok(Row::new(meta.clone(), 1, vec![Some("x".into())])),
        Err(Error::InvalidResponse {
            operation: crate::error::Operation::GetQueryResults,
            message: "boom".into(),
        }),
        Ok(Row::new(meta, 2, vec![Some("3".into())])),
    ]);
    #[derive(Deserialize, Debug, PartialEq)]
    struct N {
        n: i32,
    }
    let out: Vec<_> = futures::executor::block_on(crate::TypedExt::typed::<N>(rows).collect());
    assert_eq!(out.len(), 4);
    assert_eq!(out[0].as_ref().unwrap(), &N { n: 1 });
    assert!(matches!(out[1], Err(Error::Decode { row_number: 1, .. })));
    assert!(matches!(out[2], Err(Error::InvalidResponse { .. })));
    assert_eq!(out[3].as_ref().unwrap(), &N { n: 3 });
}

#[cfg(feature = "rust_decimal")]
#[test]
fn decimals_into_rust_decimal() {
    use rust_decimal::Decimal;
    let r = one("decimal", "12345678901234567890.12");
    let d: Decimal = r.get("c").unwrap();
    assert_eq!(d.to_string(), "12345678901234567890.12");
    assert_eq!(d.scale(), 2);
    assert_eq!(
        crate::value::Value::parse("1.50", &crate::value::AthenaType::parse("decimal"))
            .unwrap()
            .to_decimal(),
        Some(Decimal::new(150, 2))
    );
    assert!(one("decimal", "x").get::<Decimal>("c").is_err());
}

#[cfg(feature = "rust_decimal")]
#[test]
fn nested_decimals_into_rust_decimal() {
    use rust_decimal::Decimal;
    let r = one("array(decimal(10,2))", "[1.50, -2.00, null]");
    let v: Vec<Option<Decimal>> = r.get("c").unwrap();
    assert_eq!(
        v,
        [
            Some(Decimal::new(150, 2)),
            Some(Decimal::new(-200, 2)),
            None
        ]
    );
    // The scale comes from the text, so 1.50 stays 1.50, not 1.5.
    assert_eq!(v[0].unwrap().to_string(), "1.50");

    #[derive(Deserialize, Debug, PartialEq)]
    struct Item {
        price: Decimal,
    }
    let r = one("row(price decimal(10,2))", "{price=3.10}");
    assert_eq!(
        r.get::<Item>("c").unwrap(),
        Item {
            price: Decimal::new(310, 2)
        }
    );
    assert_eq!(r.get::<Item>("c").unwrap().price.scale(), 2);
    let r = row(
        &[("items", "array(row(price decimal(10,2)))")],
        &[Some("[{price=0.01}, {price=99999999.99}]")],
    );
    let items: Vec<Item> = r.get("items").unwrap();
    assert_eq!(items[1].price, Decimal::new(9_999_999_999, 2));
    assert!(
        one("array(decimal(10,2))", "[1.5x]")
            .get::<Vec<Decimal>>("c")
            .is_err()
    );
}
