//! The array/map/row notation parser and the serde deserializer on arbitrary
//! text: no panic, no unbounded recursion, whatever the type and the text.
//!
//! Input: a type signature on the first line (`array(row(a integer, b varchar))`,
//! `map`, ...), the value's text after it.

#![no_main]

use std::collections::HashMap;
use std::sync::Arc;

use athena_stream::value::{AthenaType, Value};
use athena_stream::{Row, value::{ColumnInfo, ResultSetMetadata}};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (signature, text) = input.split_once('\n').unwrap_or(("array", input));
    let ty = AthenaType::parse(signature);
    let _ = ty.to_string();

    if let Ok(value) = Value::parse(text, &ty) {
        let _ = value.to_json();
        // What parsed renders to text that parses again with the same type.
        let rendered = value.to_athena_text();
        let _ = Value::parse(&rendered, &ty);
    }
    for base in ["array", "map", "row"] {
        let _ = Value::parse(text, &AthenaType::parse(base));
    }

    let columns = Arc::new(ResultSetMetadata::new(vec![ColumnInfo::new("c", signature)]));
    let row = Row::new(columns, 0, vec![Some(text.to_owned())]);
    let _ = row.to_typed_json();
    let _ = row.get::<serde_json::Value>("c");
    let _ = row.get::<Vec<Vec<Option<i64>>>>("c");
    let _ = row.get::<HashMap<String, Vec<String>>>("c");
    let _ = row.get::<(i32, Option<String>, Vec<u8>)>("c");
});
