//! Casts of JSON text (`CAST(JSON '[1, 2]' AS ARRAY(INTEGER))`): each JSON value cast by
//! the rules of its target type; another JSON value fails, `null` is NULL.

use super::*;

/// The cast of every JSON text of `array` to the array type of `item`: each JSON array's
/// elements cast by the rules of their type; another JSON value fails, `null` is NULL.
pub(super) fn json_list(array: &ArrayRef, item: &FieldRef, try_cast: bool) -> Result<ArrayRef> {
    let text = datafusion::arrow::compute::cast(array, &DataType::Utf8)?;
    let text = text.as_string::<i32>();
    let name = super::super::trino_type(&DataType::List(Arc::clone(item)));
    // Each row's elements as JSON texts (`None`: NULL).
    let mut rows: Vec<Option<Vec<String>>> = Vec::with_capacity(text.len());
    for i in 0..text.len() {
        if text.is_null(i) {
            rows.push(None);
            continue;
        }
        let json = text.value(i);
        let parsed: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| invalid_cast(format!("Cannot cast to {name}: {e}")))?;
        match parsed {
            serde_json::Value::Null => rows.push(None),
            serde_json::Value::Array(elements) => {
                rows.push(Some(elements.iter().map(ToString::to_string).collect()));
            }
            _ if try_cast => rows.push(None),
            other => {
                return Err(invalid_cast(format!(
                    "Cannot cast to {name}. Expected a json array, but got {other}"
                )));
            }
        }
    }
    let cast_elements = |texts: &[String]| -> Result<ArrayRef> {
        let texts: ArrayRef = Arc::new(datafusion::arrow::array::StringArray::from_iter_values(
            texts.iter(),
        ));
        json_array(&texts, item.data_type(), false)
    };
    let mut offsets = vec![0i32];
    let mut valid = Vec::with_capacity(rows.len());
    let mut pieces: Vec<ArrayRef> = Vec::new();
    for row in &rows {
        let cast = match row {
            None => None,
            Some(elements) => match cast_elements(elements) {
                Ok(values) => Some(values),
                // TRY_CAST: an array one of whose elements fails is NULL.
                Err(e) if try_cast && !is_refusal(&e) => None,
                Err(e) => return Err(e),
            },
        };
        let len = cast.as_ref().map_or(0, |v| v.len());
        valid.push(cast.is_some());
        if let Some(values) = cast {
            pieces.push(values);
        }
        let last = offsets[offsets.len() - 1];
        offsets.push(last + i32::try_from(len).unwrap_or(i32::MAX));
    }
    let refs: Vec<&dyn Array> = pieces.iter().map(|p| p.as_ref()).collect();
    let values = if refs.is_empty() {
        datafusion::arrow::array::new_empty_array(item.data_type())
    } else {
        datafusion::arrow::compute::concat(&refs)?
    };
    Ok(Arc::new(ListArray::try_new(
        Arc::clone(item),
        OffsetBuffer::new(offsets.into()),
        values,
        Some(NullBuffer::from(valid)),
    )?))
}

// layout: long function, because one match over the target element types, one arm each
/// The cast of every JSON text of `array` to `to`.
pub(super) fn json_array(array: &ArrayRef, to: &DataType, try_cast: bool) -> Result<ArrayRef> {
    if let DataType::List(item) = to {
        return json_list(array, item, try_cast);
    }
    let text = datafusion::arrow::compute::cast(array, &DataType::Utf8)?;
    let text = text.as_string::<i32>();
    // Each row's JSON value as the value it casts from (NULL for JSON null).
    let mut values: Vec<Option<JsonValue>> = Vec::with_capacity(text.len());
    for i in 0..text.len() {
        values.push(if text.is_null(i) {
            None
        } else {
            json_value(text.value(i))?
        });
    }
    let n = values.len();
    let fail = |json: &str| {
        let name = match to {
            DataType::Utf8 => "varchar".to_owned(),
            t if is_int(t) => int_lower(t).to_owned(),
            t => super::super::trino_type(t),
        };
        invalid_cast(format!("Cannot cast '{json}' to {name}"))
    };
    macro_rules! build {
        ($builder:expr, |$v:ident| $convert:expr) => {{
            let mut out = $builder;
            for row in &values {
                let converted = match row {
                    None => Ok(None),
                    Some(JsonValue::Other(json)) => Err(fail(json)),
                    Some(JsonValue::Scalar($v, json)) => $convert.map(Some).map_err(|e| {
                        // Out of range reads as an invalid cast from JSON.
                        if e.to_string().contains("NUMERIC_VALUE_OUT_OF_RANGE") {
                            fail(json)
                        } else {
                            e
                        }
                    }),
                };
                match converted {
                    Ok(Some(x)) => out.append_value(x),
                    Ok(None) => out.append_null(),
                    Err(e) if try_cast && !is_refusal(&e) => out.append_null(),
                    Err(e) => return Err(e),
                }
            }
            Arc::new(out.finish()) as ArrayRef
        }};
    }
    Ok(match to {
        DataType::Int8 => build!(Int8Builder::with_capacity(n), |v| to_int(v.as_value(), to)
            .map(|x| x as i8)),
        DataType::Int16 => build!(Int16Builder::with_capacity(n), |v| to_int(v.as_value(), to)
            .map(|x| x as i16)),
        DataType::Int32 => build!(Int32Builder::with_capacity(n), |v| to_int(v.as_value(), to)
            .map(|x| x as i32)),
        DataType::Int64 => build!(Int64Builder::with_capacity(n), |v| to_int(v.as_value(), to)),
        DataType::Float64 => build!(Float64Builder::with_capacity(n), |v| to_double(
            v.as_value()
        )),
        DataType::Float32 => build!(Float32Builder::with_capacity(n), |v| to_real(v.as_value())),
        DataType::Boolean => build!(BooleanBuilder::with_capacity(n), |v| to_bool(v.as_value())),
        DataType::Utf8 => build!(StringBuilder::with_capacity(n, 0), |v| Ok::<
            _,
            DataFusionError,
        >(to_text(
            v.as_value()
        ))),
        DataType::Decimal128(p, s) => {
            let out = build!(Decimal128Builder::with_capacity(n), |v| match v {
                // A JSON number keeps its decimal digits.
                JsonScalar::Number(text) => parse_decimal(text)
                    .ok()
                    .and_then(|d| d.to_unscaled(*p, *s))
                    .ok_or_else(|| invalid_cast(format!(
                        "Cannot cast '{text}' to DECIMAL({p}, {s})"
                    ))),
                other => to_decimal(other.as_value(), *p, *s),
            });
            let out = out.as_primitive::<Decimal128Type>().clone();
            Arc::new(out.with_precision_and_scale(*p, *s)?)
        }
        other => return plan_err!("athena_cast of json to {other}"),
    })
}

/// A JSON value a cast reads: a scalar (with its JSON text), or an array or object.
pub(super) enum JsonValue {
    Scalar(JsonScalar, String),
    Other(String),
}

/// A JSON scalar: an integer, another number (its text), a string, a boolean.
pub(super) enum JsonScalar {
    Integer(i64),
    Number(String),
    Text(String),
    Bool(bool),
}

impl JsonScalar {
    /// The value it casts as: an integer, a double, text or a boolean.
    fn as_value(&self) -> Value<'_> {
        match self {
            JsonScalar::Integer(i) => Value::Int(*i, "BIGINT"),
            JsonScalar::Number(text) => Value::Double(text.parse().unwrap_or(f64::NAN)),
            JsonScalar::Text(s) => Value::Text(s),
            JsonScalar::Bool(b) => Value::Bool(*b),
        }
    }
}

/// The value of a JSON text (`None` for `null`).
pub(super) fn json_value(text: &str) -> Result<Option<JsonValue>> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| invalid_cast(format!("Cannot cast '{text}': {e}")))?;
    let compact = value.to_string();
    Ok(match value {
        serde_json::Value::Null => None,
        serde_json::Value::Bool(b) => Some(JsonValue::Scalar(JsonScalar::Bool(b), compact)),
        serde_json::Value::String(s) => Some(JsonValue::Scalar(JsonScalar::Text(s.clone()), s)),
        serde_json::Value::Number(n) => {
            let scalar = match n.as_i64() {
                Some(i) if !compact.contains(['.', 'e', 'E']) => JsonScalar::Integer(i),
                _ if !compact.contains(['.', 'e', 'E']) => {
                    // A whole number past a bigint.
                    return Err(invalid_cast(format!("Cannot cast '{compact}' to bigint")));
                }
                _ => JsonScalar::Number(compact.clone()),
            };
            Some(JsonValue::Scalar(scalar, compact))
        }
        other => Some(JsonValue::Other(other.to_string())),
    })
}
