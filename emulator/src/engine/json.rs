//! Trino's JSON type on DataFusion: JSON values are strings whose field carries the
//! `athena.type = json` metadata (so ColumnInfo says `json`), produced by
//! `CAST(x AS JSON)` (any value to its JSON text) and `json_parse` (canonical text).
//! Also `typeof(x)`: the Trino type name of a value.

use std::fmt::Write as _;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::render;

/// The UDFs of this module.
pub(crate) fn udfs() -> Vec<ScalarUDF> {
    vec![
        ScalarUDF::from(ToJson::new()),
        ScalarUDF::from(JsonParse::new()),
        ScalarUDF::from(TypeOf::new()),
        ScalarUDF::from(ToVarchar::new()),
        ScalarUDF::from(StringFn::new("url_decode", 1, url_decode)),
        ScalarUDF::from(StringFn::new("url_encode", 1, url_encode)),
        ScalarUDF::from(StringFn::new("athena_json_extract", 2, json_extract)),
        ScalarUDF::from(StringFn::new("json_extract_scalar", 2, json_extract_scalar)),
    ]
}

type StringFnImpl = fn(&[Option<&str>]) -> std::result::Result<Option<String>, String>;

/// A function of strings to a string, row by row.
#[derive(Debug)]
struct StringFn {
    name: &'static str,
    signature: Signature,
    f: StringFnImpl,
}

// Functions are told apart by name (function pointers do not compare meaningfully).
impl PartialEq for StringFn {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.signature == other.signature
    }
}

impl Eq for StringFn {}

impl std::hash::Hash for StringFn {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.signature.hash(state);
    }
}

impl StringFn {
    fn new(name: &'static str, arity: usize, f: StringFnImpl) -> StringFn {
        StringFn {
            name,
            signature: Signature::exact(vec![DataType::Utf8; arity], Volatility::Immutable),
            f,
        }
    }
}

impl ScalarUDFImpl for StringFn {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let strings: Vec<_> = arrays.iter().map(|a| a.as_string::<i32>()).collect();
        let rows = arrays.first().map_or(0, |a| a.len());
        let mut out = StringBuilder::with_capacity(rows, 0);
        let mut row: Vec<Option<&str>> = Vec::with_capacity(strings.len());
        for i in 0..rows {
            row.clear();
            row.extend(strings.iter().map(|s| s.is_valid(i).then(|| s.value(i))));
            match (self.f)(&row) {
                Ok(Some(v)) => out.append_value(v),
                Ok(None) => out.append_null(),
                Err(e) => {
                    return Err(datafusion::error::DataFusionError::Execution(format!(
                        "INVALID_FUNCTION_ARGUMENT: {e}"
                    )));
                }
            }
        }
        let out: ArrayRef = Arc::new(out.finish());
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}

/// Java's `URLDecoder.decode(s, UTF-8)`: `%XX` bytes and `+` as space.
fn url_decode(args: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
    let Some(s) = args[0] else { return Ok(None) };
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => return Err(format!("Cannot unescape '{s}'")),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    Ok(Some(String::from_utf8_lossy(&out).into_owned()))
}

/// Java's `URLEncoder.encode(s, UTF-8)`.
fn url_encode(args: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
    let Some(s) = args[0] else { return Ok(None) };
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    Ok(Some(out))
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
fn json_extract(args: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
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
fn json_extract_scalar(args: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
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

/// `athena_varchar(x)`: `CAST(x AS VARCHAR)` with Trino's text (Java doubles, `2024-01-02
/// 03:04:05.123` timestamps, decimals with their scale).
#[derive(Debug, PartialEq, Eq, Hash)]
struct ToVarchar {
    signature: Signature,
}

impl ToVarchar {
    fn new() -> ToVarchar {
        ToVarchar {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for ToVarchar {
    fn name(&self) -> &str {
        "athena_varchar"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        map_array(&args.args, |array| {
            if matches!(
                array.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
            ) {
                return datafusion::arrow::compute::cast(array, &DataType::Utf8).map_err(|e| {
                    datafusion::error::DataFusionError::ArrowError(Box::new(e), None)
                });
            }
            let mut out = StringBuilder::with_capacity(array.len(), 0);
            let mut buf = String::new();
            for i in 0..array.len() {
                if array.is_null(i) {
                    out.append_null();
                } else {
                    buf.clear();
                    render::write_value(&mut buf, array.as_ref(), i);
                    out.append_value(&buf);
                }
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
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
                if array.is_null(i) {
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

/// `typeof(x)`: Trino's name of the type of `x` (`integer`, `varchar`, `decimal(3,2)`, ...).
#[derive(Debug, PartialEq, Eq, Hash)]
struct TypeOf {
    signature: Signature,
}

impl TypeOf {
    fn new() -> TypeOf {
        TypeOf {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for TypeOf {
    fn name(&self) -> &str {
        "typeof"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = match args.arg_fields.first() {
            Some(field) => match field.metadata().get(render::ATHENA_TYPE_KEY) {
                Some(t) => t.clone(),
                None => trino_type_name(field.data_type()),
            },
            None => "unknown".to_owned(),
        };
        Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(name))))
    }
}

/// Trino's full type name of an Arrow type.
pub(crate) fn trino_type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) | DataType::Decimal128(p, s) => {
            format!("decimal({p},{s})")
        }
        DataType::Timestamp(unit, tz) => {
            let (_, p, _) = render::athena_type(&DataType::Timestamp(*unit, None));
            if tz.is_some() {
                format!("timestamp({p}) with time zone")
            } else {
                format!("timestamp({p})")
            }
        }
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            format!("array({})", trino_type_name(f.data_type()))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => format!(
                "map({}, {})",
                trino_type_name(kv[0].data_type()),
                trino_type_name(kv[1].data_type())
            ),
            _ => "map".to_owned(),
        },
        DataType::Struct(fields) => {
            let mut s = String::from("row(");
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                let _ = write!(s, "{} {}", f.name(), trino_type_name(f.data_type()));
            }
            s.push(')');
            s
        }
        other => render::athena_type(other).0.to_owned(),
    }
}

/// Compact JSON text of `text`, or `None` when it is not JSON.
pub(crate) fn canonical_json(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    serde_json::to_string(&value).ok()
}

fn map_array(
    args: &[ColumnarValue],
    f: impl Fn(&ArrayRef) -> Result<ArrayRef>,
) -> Result<ColumnarValue> {
    let scalar = args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let out = f(&arrays[0])?;
    if scalar {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
    } else {
        Ok(ColumnarValue::Array(out))
    }
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
        DataType::Struct(_) => {
            let s = array.as_struct();
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
        DataType::Map(..) => {
            let m = array.as_map();
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
        _ => {
            let mut text = String::new();
            render::write_value(&mut text, array, i);
            write_json_string(out, &text);
        }
    }
}
