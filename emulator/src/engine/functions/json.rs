//! Trino's JSON type on DataFusion: JSON values are strings whose field carries the
//! `athena.type = json` metadata (so ColumnInfo says `json`), produced by
//! `CAST(x AS JSON)` (`athena_to_json`: any value to its JSON text) and `json_parse`
//! (`athena_json_parse`: canonical text); `json_extract` and `json_extract_scalar` follow
//! a JSONPath into JSON text.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, MapArray, StringBuilder, StructArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::adapters::{StringFn, map_array};
use crate::engine::render;

/// `athena_to_json(x)`.
pub(crate) fn to_json() -> ScalarUDF {
    ScalarUDF::from(ToJson::new())
}

/// `athena_json_parse(varchar)`.
pub(crate) fn json_parse() -> ScalarUDF {
    ScalarUDF::from(JsonParse::new())
}

/// `athena_json_extract(json, path)`.
pub(crate) fn json_extract() -> ScalarUDF {
    ScalarUDF::from(StringFn::new("athena_json_extract", 2, extract))
}

/// `json_extract_scalar(json, path)`.
pub(crate) fn json_extract_scalar() -> ScalarUDF {
    ScalarUDF::from(StringFn::new("json_extract_scalar", 2, extract_scalar))
}

/// Follows a JSONPath of `.key`, `["key"]` and `[n]` steps from `$`.
fn json_path<'a>(
    value: &'a serde_json::Value,
    path: &str,
) -> std::result::Result<Option<&'a serde_json::Value>, String> {
    let bad = || format!("Invalid JSON path: '{path}'");
    let mut rest = path.trim().strip_prefix('$').ok_or_else(bad)?;
    let mut cur = value;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            if key.is_empty() {
                return Err(bad());
            }
            match cur.get(key) {
                Some(v) => cur = v,
                None => return Ok(None),
            }
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or_else(bad)?;
            let inner = r[..end].trim();
            let next = if let Some(q) = inner
                .strip_prefix('"')
                .and_then(|i| i.strip_suffix('"'))
                .or_else(|| inner.strip_prefix('\'').and_then(|i| i.strip_suffix('\'')))
            {
                cur.get(q)
            } else {
                let n: usize = inner.parse().map_err(|_| bad())?;
                cur.get(n)
            };
            match next {
                Some(v) => cur = v,
                None => return Ok(None),
            }
            rest = &r[end + 1..];
        } else {
            return Err(bad());
        }
    }
    Ok(Some(cur))
}

/// `json_extract(json, path)`: the JSON text at `path`.
fn extract(args: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
    let (Some(json), Some(path)) = (args[0], args[1]) else {
        return Ok(None);
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else {
        return Ok(None);
    };
    Ok(json_path(&value, path)?.and_then(|v| serde_json::to_string(v).ok()))
}

/// `json_extract_scalar(json, path)`: the scalar at `path` as text (NULL for arrays and
/// objects).
fn extract_scalar(args: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
    let (Some(json), Some(path)) = (args[0], args[1]) else {
        return Ok(None);
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else {
        return Ok(None);
    };
    Ok(match json_path(&value, path)? {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    })
}

/// `athena_to_json(x)`: the JSON text of any value (what `CAST(x AS JSON)` produces).
#[derive(Debug, PartialEq, Eq, Hash)]
struct ToJson {
    signature: Signature,
}

impl ToJson {
    fn new() -> ToJson {
        ToJson {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for ToJson {
    fn name(&self) -> &str {
        "athena_to_json"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        map_array(&args.args, |array| {
            let mut out = StringBuilder::with_capacity(array.len(), 0);
            let mut buf = String::new();
            for i in 0..array.len() {
                // A bare NULL (a NullArray has no validity buffer) is SQL NULL too.
                if array.is_null(i) || array.data_type() == &DataType::Null {
                    out.append_null();
                } else {
                    buf.clear();
                    write_json(&mut buf, array.as_ref(), i);
                    out.append_value(&buf);
                }
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }
}

/// `json_parse(varchar)`: the canonical text of a JSON document.
#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonParse {
    signature: Signature,
}

impl JsonParse {
    fn new() -> JsonParse {
        JsonParse {
            signature: Signature::exact(vec![DataType::Utf8], Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for JsonParse {
    fn name(&self) -> &str {
        "athena_json_parse"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        map_array(&args.args, |array| {
            let strings = array.as_string::<i32>();
            let mut out = StringBuilder::with_capacity(strings.len(), 0);
            for i in 0..strings.len() {
                if strings.is_null(i) {
                    out.append_null();
                    continue;
                }
                match canonical_json(strings.value(i)) {
                    Some(text) => out.append_value(text),
                    None => {
                        return Err(datafusion::error::DataFusionError::Execution(format!(
                            "INVALID_FUNCTION_ARGUMENT: Cannot convert value to JSON: '{}'",
                            strings.value(i)
                        )));
                    }
                }
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }
}

/// Compact JSON text of `text`, or `None` when it is not JSON.
pub(crate) fn canonical_json(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    serde_json::to_string(&value).ok()
}

fn write_json_string(out: &mut String, s: &str) {
    match serde_json::to_string(s) {
        Ok(q) => out.push_str(&q),
        Err(_) => out.push_str("\"\""),
    }
}

/// The JSON text of the value at `i` (`null` for NULL).
fn write_json(out: &mut String, array: &dyn Array, i: usize) {
    if array.is_null(i) {
        out.push_str("null");
        return;
    }
    match array.data_type() {
        DataType::Null => out.push_str("null"),
        DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => render::write_value(out, array, i),
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            let start = out.len();
            render::write_value(out, array, i);
            if out[start..].contains(['N', 'I']) {
                // NaN / Infinity are not JSON numbers.
                let text = out[start..].to_owned();
                out.truncate(start);
                write_json_string(out, &text);
            }
        }
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..) => {
            write_json_array(out, array, i);
        }
        DataType::Struct(_) => write_json_object(out, array.as_struct(), i),
        DataType::Map(..) => write_json_map(out, array.as_map(), i),
        _ => {
            let mut text = String::new();
            render::write_value(&mut text, array, i);
            write_json_string(out, &text);
        }
    }
}

/// An array value as a JSON array.
fn write_json_array(out: &mut String, array: &dyn Array, i: usize) {
    let values = match array.data_type() {
        DataType::List(_) => array.as_list::<i32>().value(i),
        DataType::LargeList(_) => array.as_list::<i64>().value(i),
        _ => array.as_fixed_size_list().value(i),
    };
    out.push('[');
    for j in 0..values.len() {
        if j > 0 {
            out.push(',');
        }
        write_json(out, values.as_ref(), j);
    }
    out.push(']');
}

/// A row value as a JSON object keyed by its field names.
fn write_json_object(out: &mut String, s: &StructArray, i: usize) {
    out.push('{');
    for (k, (field, column)) in s.fields().iter().zip(s.columns()).enumerate() {
        if k > 0 {
            out.push(',');
        }
        write_json_string(out, field.name());
        out.push(':');
        write_json(out, column.as_ref(), i);
    }
    out.push('}');
}

/// A map value as a JSON object, its keys as their text.
fn write_json_map(out: &mut String, m: &MapArray, i: usize) {
    let offsets = m.value_offsets();
    let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
    out.push('{');
    let mut key = String::new();
    for j in start..end {
        if j > start {
            out.push(',');
        }
        key.clear();
        render::write_value(&mut key, m.keys().as_ref(), j);
        write_json_string(out, &key);
        out.push(':');
        write_json(out, m.values().as_ref(), j);
    }
    out.push('}');
}
