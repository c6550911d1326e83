//! Trino's string functions DataFusion lacks: `url_decode`, `url_encode`, and
//! `athena_varchar` (what `CAST(x AS VARCHAR)` becomes, with Trino's text of `x`).

use std::fmt::Write as _;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::adapters::{StringFn, map_array};
use crate::engine::names::ATHENA_TYPE_KEY;
use crate::engine::render;

/// `url_decode(varchar)`.
pub(crate) fn url_decode() -> ScalarUDF {
    ScalarUDF::from(StringFn::new("url_decode", 1, decode_url))
}

/// `url_encode(varchar)`.
pub(crate) fn url_encode() -> ScalarUDF {
    ScalarUDF::from(StringFn::new("url_encode", 1, encode_url))
}

/// `athena_varchar(x)`.
pub(crate) fn to_varchar() -> ScalarUDF {
    ScalarUDF::from(ToVarchar::new())
}

/// Java's `URLDecoder.decode(s, UTF-8)`: `%XX` bytes and `+` as space.
fn decode_url(args: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
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
fn encode_url(args: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
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
        let json = args
            .arg_fields
            .first()
            .is_some_and(|f| f.metadata().get(ATHENA_TYPE_KEY).map(String::as_str) == Some("json"));
        if json {
            // CAST(json AS VARCHAR): a JSON scalar's text; arrays and objects fail.
            return map_array(&args.args, |array| {
                let strings = array.as_string::<i32>();
                let mut out = StringBuilder::with_capacity(strings.len(), 0);
                for i in 0..strings.len() {
                    if strings.is_null(i) {
                        out.append_null();
                        continue;
                    }
                    let text = super::json::scalar_text(strings.value(i), "varchar")
                        .map_err(datafusion::error::DataFusionError::Execution)?;
                    out.append_option(text);
                }
                Ok(Arc::new(out.finish()) as ArrayRef)
            });
        }
        map_array(&args.args, |array| {
            if matches!(
                array.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
            ) {
                return datafusion::arrow::compute::cast(array, &DataType::Utf8).map_err(|e| {
                    datafusion::error::DataFusionError::ArrowError(Box::new(e), None)
                });
            }
            // Dates, times and intervals: Trino's text at the value's precision.
            if let Some(text) = super::dates::to_text(&args.arg_fields[0], array) {
                return text;
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
