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
    ]
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
