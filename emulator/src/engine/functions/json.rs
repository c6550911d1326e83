//! Trino's JSON type on DataFusion: JSON values are strings whose field carries the
//! `athena.type = json` metadata (so ColumnInfo says `json`), produced by
//! `CAST(x AS JSON)` (`athena_to_json`: any value to its JSON text), `json_parse`,
//! `json_extract` and `json_array_get` (Trino's canonical text, `json_text.rs`); the
//! other JSON functions read JSON text; casts from JSON read its scalars
//! (`athena_json_to_scalar`, `athena_json_to_array`) before DataFusion's cast to the
//! target type.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, MapArray, StringBuilder, StructArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::adapters::map_array;
use super::json_text::{self, Json};
use super::trino_fn::{O, P, R, TrinoFn, V, invalid, sig};
use crate::engine::render;

/// `athena_to_json(x)`.
pub(crate) fn to_json() -> ScalarUDF {
    ScalarUDF::from(ToJson::new())
}

/// The JSON functions served as [`TrinoFn`]s (`athena_<name>`).
pub(crate) fn functions() -> Vec<ScalarUDF> {
    use P::{Bigint as I, Boolean as Bool, Double as D, Varchar as S};
    let f = |t: TrinoFn| ScalarUDF::from(t);
    vec![
        f(TrinoFn::new(
            "json_parse",
            vec![sig(&[S], R::Varchar)],
            json_parse,
        )),
        f(TrinoFn::new(
            "json_format",
            vec![sig(&[S], R::Varchar)],
            json_format,
        )),
        f(TrinoFn::new(
            "json_extract",
            vec![sig(&[S, S], R::Varchar)],
            json_extract,
        )),
        f(TrinoFn::new(
            "json_extract_scalar",
            vec![sig(&[S, S], R::Varchar)],
            json_extract_scalar,
        )),
        f(TrinoFn::new(
            "json_size",
            vec![sig(&[S, S], R::Bigint)],
            json_size,
        )),
        f(TrinoFn::new(
            "json_array_length",
            vec![sig(&[S], R::Bigint)],
            json_array_length,
        )),
        f(TrinoFn::new(
            "json_array_get",
            vec![sig(&[S, I], R::Varchar)],
            json_array_get,
        )),
        f(TrinoFn::new(
            "json_array_contains",
            vec![
                sig(&[S, I], R::Boolean),
                sig(&[S, D], R::Boolean),
                sig(&[S, Bool], R::Boolean),
                sig(&[S, S], R::Boolean),
            ],
            json_array_contains,
        )),
        f(TrinoFn::new(
            "is_json_scalar",
            vec![sig(&[S], R::Boolean)],
            is_json_scalar,
        )),
        f(TrinoFn::new(
            "json_to_scalar",
            vec![sig(&[S, S], R::Varchar)],
            json_to_scalar,
        )),
        f(TrinoFn::new(
            "json_to_array",
            vec![sig(&[S, S], R::ArrayVarchar)],
            json_to_array,
        )),
    ]
}

type Res = std::result::Result<O, String>;

/// Compact JSON text of `text` with sorted keys (Trino's `json_parse`), or `None` when it
/// is not JSON.
pub(crate) fn canonical_json(text: &str) -> Option<String> {
    json_text::parse(text).map(|v| json_text::to_text(&v, true))
}

fn json_parse(args: &[V<'_>]) -> Res {
    let text = args[0].str();
    canonical_json(text)
        .map(O::Str)
        .ok_or_else(|| invalid(format!("Cannot convert value to JSON: '{text}'")))
}

fn json_format(args: &[V<'_>]) -> Res {
    Ok(O::Str(args[0].str().to_owned()))
}

/// The document and the value its path leads to: `Ok(None)` when the text is not JSON
/// or the path leads nowhere; an invalid path fails.
fn at_path(args: &[V<'_>]) -> std::result::Result<Option<Json>, String> {
    let path = args[1].str();
    let steps = json_text::parse_path(path)
        .ok_or_else(|| invalid(format!("Invalid JSON path: '{path}'")))?;
    Ok(json_text::parse(args[0].str()).and_then(|v| json_text::follow(&v, &steps).cloned()))
}

fn json_extract(args: &[V<'_>]) -> Res {
    Ok(at_path(args)?.map_or(O::Null, |v| O::Str(json_text::to_text(&v, false))))
}

fn json_extract_scalar(args: &[V<'_>]) -> Res {
    Ok(match at_path(args)? {
        Some(Json::String(s)) => O::Str(s),
        Some(Json::Number(n)) => O::Str(n),
        Some(Json::Bool(b)) => O::Str(b.to_string()),
        _ => O::Null,
    })
}

fn json_size(args: &[V<'_>]) -> Res {
    Ok(match at_path(args)? {
        Some(Json::Array(items)) => O::Int(items.len() as i64),
        Some(Json::Object(entries)) => O::Int(entries.len() as i64),
        Some(_) => O::Int(0),
        None => O::Null,
    })
}

fn json_array_length(args: &[V<'_>]) -> Res {
    Ok(match json_text::parse(args[0].str()) {
        Some(Json::Array(items)) => O::Int(items.len() as i64),
        _ => O::Null,
    })
}

fn json_array_get(args: &[V<'_>]) -> Res {
    let Some(Json::Array(items)) = json_text::parse(args[0].str()) else {
        return Ok(O::Null);
    };
    let index = args[1].int();
    let at = if index < 0 {
        usize::try_from(index.unsigned_abs())
            .ok()
            .and_then(|back| items.len().checked_sub(back))
    } else {
        usize::try_from(index).ok()
    };
    Ok(at
        .and_then(|i| items.get(i))
        .map_or(O::Null, |v| O::Str(json_text::to_text(v, false))))
}

fn json_array_contains(args: &[V<'_>]) -> Res {
    let Some(Json::Array(items)) = json_text::parse(args[0].str()) else {
        return Ok(O::Null);
    };
    let found = items.iter().any(|item| match (item, &args[1]) {
        (Json::Number(n), V::Int(i)) => n.parse::<i64>().ok() == Some(*i),
        (Json::Number(n), V::F64(x)) => n.parse::<f64>().ok() == Some(*x),
        (Json::Bool(b), V::Bool(x)) => b == x,
        (Json::String(s), V::Str(x)) => s == x,
        _ => false,
    });
    Ok(O::Bool(found))
}

fn is_json_scalar(args: &[V<'_>]) -> Res {
    match json_text::parse(args[0].str()) {
        Some(Json::Array(_) | Json::Object(_)) => Ok(O::Bool(false)),
        Some(_) => Ok(O::Bool(true)),
        None => Err(invalid("Invalid JSON value")),
    }
}

/// The text of a JSON value for a cast from JSON to a scalar of class `target`
/// (`integer`, `double`, `boolean` or `varchar`), which DataFusion's cast of the text to
/// the target type follows: strings unquoted, numbers and booleans as Trino converts
/// them, null as NULL; arrays and objects fail as in Trino, and what the cast of the text
/// would answer otherwise than Trino is refused.
fn scalar_for(v: &Json, target: &str, whole: &str) -> std::result::Result<Option<String>, String> {
    let refuse = |what: &str| {
        format!(
            "NOT_SUPPORTED: a cast of the JSON {what} {whole} to {target} is not supported by \
             athena-emulator"
        )
    };
    Ok(match (v, target) {
        (Json::Null, _) => None,
        (Json::Array(_) | Json::Object(_), _) => {
            return Err(format!(
                "INVALID_CAST_ARGUMENT: Cannot cast '{whole}' to {target}"
            ));
        }
        (Json::Number(n), "integer") if n.contains(['.', 'e', 'E']) => {
            return Err(refuse("number"));
        }
        (Json::Number(n), "boolean") => Some((n.parse::<f64>().unwrap_or(0.0) != 0.0).to_string()),
        (Json::Number(n), "varchar") => Some(json_text::to_text(&Json::Number(n.clone()), false)),
        (Json::Number(n), _) => Some(n.clone()),
        (Json::Bool(b), "integer") => Some(if *b { "1" } else { "0" }.to_owned()),
        (Json::Bool(b), "double") => Some(if *b { "1.0" } else { "0.0" }.to_owned()),
        (Json::Bool(b), _) => Some(b.to_string()),
        (Json::String(s), "boolean") if !matches!(s.as_str(), "true" | "false") => {
            return Err(refuse("string"));
        }
        (Json::String(s), _) => Some(s.clone()),
    })
}

/// [`scalar_for`] of a JSON text.
pub(crate) fn scalar_text(json: &str, target: &str) -> std::result::Result<Option<String>, String> {
    match json_text::parse(json) {
        Some(v) => scalar_for(&v, target, json),
        None => Err(format!(
            "INVALID_CAST_ARGUMENT: Cannot cast '{json}' to {target}"
        )),
    }
}

/// `athena_json_to_scalar(json, class)`: `CAST(json AS <scalar>)`.
fn json_to_scalar(args: &[V<'_>]) -> Res {
    Ok(scalar_text(args[0].str(), args[1].str())?.map_or(O::Null, O::Str))
}

/// `athena_json_to_array(json, class)`: `CAST(json AS ARRAY(<scalar>))`, the elements'
/// texts.
fn json_to_array(args: &[V<'_>]) -> Res {
    let text = args[0].str();
    match json_text::parse(text) {
        Some(Json::Null) => Ok(O::Null),
        Some(Json::Array(items)) => items
            .iter()
            .map(|item| scalar_for(item, args[1].str(), text))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map(O::StrList),
        _ => Err(format!(
            "INVALID_CAST_ARGUMENT: Cannot cast '{text}' to array"
        )),
    }
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
                // A bare NULL (a NullArray has no validity buffer) is a NULL json too.
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

fn write_json_string(out: &mut String, s: &str) {
    json_text::write_string(out, s);
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

/// A map value as a JSON object, its keys as their text, sorted as Trino sorts them.
fn write_json_map(out: &mut String, m: &MapArray, i: usize) {
    let offsets = m.value_offsets();
    let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
    let mut entries: Vec<(String, usize)> = (start..end)
        .map(|j| {
            let mut key = String::new();
            render::write_value(&mut key, m.keys().as_ref(), j);
            (key, j)
        })
        .collect();
    entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    out.push('{');
    for (k, (key, j)) in entries.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        write_json_string(out, key);
        out.push(':');
        write_json(out, m.values().as_ref(), *j);
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_from_json_read_scalars_by_the_targets_class() {
        let cast = |json: &str, class: &str| scalar_text(json, class);
        assert_eq!(cast("\"abc\"", "varchar"), Ok(Some("abc".into())));
        assert_eq!(cast("1.50", "varchar"), Ok(Some("1.5".into())));
        assert_eq!(cast("true", "integer"), Ok(Some("1".into())));
        assert_eq!(cast("0", "boolean"), Ok(Some("false".into())));
        assert_eq!(cast("null", "double"), Ok(None));
        assert!(
            cast("{\"a\":1}", "varchar")
                .unwrap_err()
                .starts_with("INVALID_CAST_ARGUMENT")
        );
        assert!(
            cast("1.5", "integer")
                .unwrap_err()
                .starts_with("NOT_SUPPORTED")
        );
        assert!(
            cast("\"yes\"", "boolean")
                .unwrap_err()
                .starts_with("NOT_SUPPORTED")
        );
    }

    #[test]
    fn json_functions_follow_trinos_paths() {
        let s = |f: fn(&[V<'_>]) -> Res, json: &'static str, path: &'static str| {
            f(&[V::Str(json), V::Str(path)])
        };
        assert_eq!(
            s(json_extract_scalar, r#"{"a": 1e2}"#, "$.a"),
            Ok(O::Str("1e2".into()))
        );
        assert_eq!(
            s(json_extract, r#"{"a": {"z": 1, "y": 2.50}}"#, "$.a"),
            Ok(O::Str(r#"{"z":1,"y":2.5}"#.into()))
        );
        assert_eq!(s(json_extract, "not json", "$.a"), Ok(O::Null));
        assert!(s(json_extract, "{}", "$.a-b").is_err());
        assert_eq!(s(json_size, r#"{"a": [1, 2]}"#, "$.a"), Ok(O::Int(2)));
        assert_eq!(
            json_array_get(&[V::Str("[1, [2]]"), V::Int(-1)]),
            Ok(O::Str("[2]".into()))
        );
        assert_eq!(
            json_array_contains(&[V::Str("[1, \"a\"]"), V::Str("a")]),
            Ok(O::Bool(true))
        );
        assert!(json_parse(&[V::Str("{")]).is_err());
    }
}
