//! Trino's casts between numbers, booleans and text (trino.io, "Conversion functions"),
//! where Arrow's differ: doubles and decimals round half away from zero to integers;
//! values out of range fail (`NUMERIC_VALUE_OUT_OF_RANGE` or `INVALID_CAST_ARGUMENT`, as
//! Trino names each); text is read as Java reads it (`' 12 '` is 12, `'1.5'` no
//! integer, `'1.5d'` a double); doubles and reals are written as `1.5E0`; decimals
//! round half up. `TRY_CAST` answers NULL where `CAST` fails.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Date32Builder, Decimal128Builder, Float32Builder,
    Float64Builder, Int8Builder, Int16Builder, Int32Builder, Int64Array, Int64Builder, ListArray,
    StringBuilder,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::datatypes::{
    DataType, Decimal128Type, Field, FieldRef, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, TimeUnit, i256,
};
use datafusion::common::{Result, plan_err};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

use super::decimal::{div_half_up, fits, pow10_256};
use super::integer::on_arrays;
use super::temporal::{Unparsed, parse_date, parse_timestamp};
use super::text::{
    DecimalText, Unreadable, decimal_text, double_to_varchar, java_double, java_float, java_trim,
    parse_decimal, parse_double, parse_float, parse_long, real_to_varchar,
};
use super::{not_supported, out_of_range, user_error};

// Casts of JSON text, and the casts as the plan's scalar functions.
mod json;
mod udfs;
use json::json_array;
pub(crate) use udfs::{BoundedVarchar, CharText, TimestampText, TrinoCast};

/// `CAST(e AS to)` (or `TRY_CAST` when `try_cast`) with Trino's semantics.
pub(crate) fn trino_cast(e: Expr, to: DataType, try_cast: bool) -> Expr {
    let udf = ScalarUDF::new_from_impl(TrinoCast::new(to, try_cast, false));
    Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), vec![e]))
}

/// `CAST(e AS to)` of a JSON value (text tagged `json`) with Trino's semantics.
pub(crate) fn json_cast(e: Expr, to: DataType, try_cast: bool) -> Expr {
    let udf = ScalarUDF::new_from_impl(TrinoCast::new(to, try_cast, true));
    Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), vec![e]))
}

/// Whether a JSON value can be cast to `to` by [`json_cast`]: a scalar type, or an array
/// of them (arrays of arrays too).
pub(crate) fn json_target(to: &DataType) -> bool {
    match to {
        DataType::List(item) => json_target(item.data_type()),
        to => {
            is_int(to)
                || matches!(
                    to,
                    DataType::Float32
                        | DataType::Float64
                        | DataType::Decimal128(..)
                        | DataType::Boolean
                        | DataType::Utf8
                )
        }
    }
}

fn is_int(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64
    )
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Ticks of a time unit per second.
fn ticks(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

fn int_digits(t: &DataType) -> i32 {
    match t {
        DataType::Int8 => 3,
        DataType::Int16 => 5,
        DataType::Int32 => 10,
        _ => 19,
    }
}

fn int_rank(t: &DataType) -> u8 {
    match t {
        DataType::Int8 => 1,
        DataType::Int16 => 2,
        DataType::Int32 => 3,
        _ => 4,
    }
}

/// Whether a cast from `from` to `to` needs Trino's semantics (Arrow's answer differs
/// for some value); casts that cannot lose anything (widening) stay Arrow's.
pub(crate) fn needs_trino_cast(from: &DataType, to: &DataType) -> bool {
    use DataType as T;
    let numeric_or_bool = |t: &DataType| {
        is_int(t) || matches!(t, T::Float32 | T::Float64 | T::Decimal128(..) | T::Boolean)
    };
    match (from, to) {
        (f, t) if is_text(f) => {
            numeric_or_bool(t) || matches!(t, T::Date32 | T::Timestamp(_, None))
        }
        (T::Float32 | T::Float64 | T::Decimal128(..), T::Utf8) => true,
        (f, t) if is_int(f) && is_int(t) => int_rank(t) < int_rank(f),
        (T::Float32 | T::Float64 | T::Decimal128(..), t) if is_int(t) => true,
        (f, T::Decimal128(p, s)) if is_int(f) => i32::from(*p) - i32::from(*s) < int_digits(f),
        (T::Decimal128(p1, s1), T::Decimal128(p2, s2)) => {
            s2 < s1 || i32::from(*p2) - i32::from(*s2) < i32::from(*p1) - i32::from(*s1)
        }
        (T::Float32 | T::Float64, T::Decimal128(..)) => true,
        (T::Decimal128(..), T::Float32 | T::Float64) => true,
        // Arrays cast element by element.
        (T::List(a), T::List(b)) => needs_trino_cast(a.data_type(), b.data_type()),
        // A finer timestamp to a coarser one rounds half up (Arrow truncates).
        (T::Timestamp(a, _), T::Timestamp(b, _)) => ticks(*b) < ticks(*a),
        // Arrow has no cast between decimals and booleans.
        (T::Decimal128(..), T::Boolean) | (T::Boolean, T::Decimal128(..)) => true,
        _ => false,
    }
}

/// Why Trino refuses to cast `from` to `to` at all (`TYPE_MISMATCH: Cannot cast date to
/// integer`), for the pairs Arrow would cast anyway.
pub(crate) fn forbidden_cast(from: &DataType, to: &DataType) -> Option<String> {
    use DataType as T;
    let number =
        |t: &DataType| is_int(t) || matches!(t, T::Float32 | T::Float64 | T::Decimal128(..));
    let temporal = |t: &DataType| matches!(t, T::Date32 | T::Timestamp(..));
    let binary = |t: &DataType| matches!(t, T::Binary | T::LargeBinary | T::BinaryView);
    let nested =
        |t: &DataType| matches!(t, T::List(_) | T::LargeList(_) | T::Map(..) | T::Struct(_));
    let refused = (nested(from) && is_text(to))
        || (temporal(from) && (number(to) || matches!(to, T::Boolean)))
        || ((number(from) || matches!(from, T::Boolean)) && temporal(to))
        || (binary(from) && (number(to) || is_text(to) || matches!(to, T::Boolean)))
        || ((number(from) || matches!(from, T::Boolean)) && binary(to));
    refused.then(|| {
        format!(
            "Cannot cast {} to {}",
            super::trino_type(from),
            super::trino_type(to)
        )
    })
}

/// A value read from the argument array, in the terms of the cast.
#[derive(Debug, Clone, Copy)]
enum Value<'a> {
    Int(i64, &'static str),
    Double(f64),
    Real(f32),
    Decimal(i128, u8, i8),
    Bool(bool),
    Text(&'a str),
}

/// Trino's upper-case name of an integer type in cast messages.
fn int_upper(t: &DataType) -> &'static str {
    match t {
        DataType::Int8 => "TINYINT",
        DataType::Int16 => "SMALLINT",
        DataType::Int32 => "INTEGER",
        _ => "BIGINT",
    }
}

fn int_lower(t: &DataType) -> &'static str {
    match t {
        DataType::Int8 => "tinyint",
        DataType::Int16 => "smallint",
        DataType::Int32 => "integer",
        _ => "bigint",
    }
}

fn int_range(t: &DataType) -> (i64, i64) {
    match t {
        DataType::Int8 => (i64::from(i8::MIN), i64::from(i8::MAX)),
        DataType::Int16 => (i64::from(i16::MIN), i64::from(i16::MAX)),
        DataType::Int32 => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    }
}

fn invalid_cast(message: String) -> DataFusionError {
    user_error("INVALID_CAST_ARGUMENT", message)
}

fn unreadable(why: Unreadable, message: String) -> DataFusionError {
    match why {
        Unreadable::Invalid => invalid_cast(message),
        Unreadable::OtherDigits => {
            not_supported("reading digits of scripts other than ASCII as a number".to_owned())
        }
    }
}

/// The value as Trino's integer type `to`.
fn to_int(v: Value<'_>, to: &DataType) -> Result<i64> {
    let (min, max) = int_range(to);
    let name = int_lower(to);
    let in_range = |x: i128| x >= i128::from(min) && x <= i128::from(max);
    match v {
        Value::Int(x, _) => {
            if in_range(i128::from(x)) {
                Ok(x)
            } else {
                Err(out_of_range(format!("Out of range for {name}: {x}")))
            }
        }
        Value::Double(_) | Value::Real(_) => {
            let (x, kind, text) = match v {
                Value::Real(r) => (f64::from(r), "real", java_float(r)),
                Value::Double(d) => (d, "double", java_double(d)),
                _ => unreachable!("a double or real"),
            };
            if x.is_nan() {
                return Err(invalid_cast(format!("Cannot cast {kind} NaN to {name}")));
            }
            // Half away from zero, as Trino's HALF_UP.
            let rounded = x.round();
            let fits = rounded >= min as f64 && rounded < -(min as f64);
            if fits && in_range(rounded as i128) {
                return Ok(rounded as i64);
            }
            if matches!(to, DataType::Int64) {
                Err(invalid_cast(format!("Unable to cast {text} to bigint")))
            } else {
                Err(out_of_range(format!("Out of range for {name}: {text}")))
            }
        }
        Value::Decimal(x, _, s) => {
            let rounded = div_half_up(i256::from_i128(x), pow10_256(s.max(0) as u32))
                .and_then(|r| r.to_i128())
                .unwrap_or(i128::MAX);
            if in_range(rounded) {
                Ok(rounded as i64)
            } else {
                Err(invalid_cast(format!(
                    "Cannot cast '{rounded}' to {}",
                    int_upper(to)
                )))
            }
        }
        Value::Bool(b) => Ok(i64::from(b)),
        Value::Text(s) => {
            let short = match to {
                DataType::Int32 => "INT".to_owned(),
                other => int_upper(other).to_owned(),
            };
            let message = || format!("Cannot cast '{s}' to {short}");
            let x = parse_long(java_trim(s)).map_err(|why| unreadable(why, message()))?;
            if in_range(i128::from(x)) {
                Ok(x)
            } else {
                Err(invalid_cast(message()))
            }
        }
    }
}

/// The value as a double.
fn to_double(v: Value<'_>) -> Result<f64> {
    Ok(match v {
        Value::Int(x, _) => x as f64,
        Value::Double(x) => x,
        Value::Real(x) => f64::from(x),
        // The decimal's text, read once: correctly rounded.
        Value::Decimal(x, _, s) => decimal_text(x, s).parse().unwrap_or(f64::NAN),
        Value::Bool(b) => f64::from(u8::from(b)),
        Value::Text(s) => parse_double(java_trim(s))
            .map_err(|why| unreadable(why, format!("Cannot cast '{s}' to DOUBLE")))?,
    })
}

/// The value as a real.
fn to_real(v: Value<'_>) -> Result<f32> {
    Ok(match v {
        Value::Int(x, _) => x as f32,
        Value::Double(x) => x as f32,
        Value::Real(x) => x,
        Value::Decimal(x, _, s) => decimal_text(x, s).parse().unwrap_or(f32::NAN),
        Value::Bool(b) => f32::from(u8::from(b)),
        Value::Text(s) => parse_float(java_trim(s))
            .map_err(|why| unreadable(why, format!("Cannot cast '{s}' to REAL")))?,
    })
}

/// The value as an unscaled `decimal(p, s)`.
fn to_decimal(v: Value<'_>, p: u8, s: i8) -> Result<i128> {
    let target = format!("DECIMAL({p}, {s})");
    match v {
        Value::Int(x, type_name) => {
            let scaled = i256::from_i128(i128::from(x)).checked_mul(pow10_256(s.max(0) as u32));
            match scaled {
                Some(v) if fits(v, p) => Ok(v.as_i128()),
                _ => Err(invalid_cast(format!(
                    "Cannot cast {type_name} '{x}' to {target}"
                ))),
            }
        }
        Value::Decimal(x, p1, s1) => {
            let v = i256::from_i128(x);
            let rescaled = if s >= s1 {
                v.checked_mul(pow10_256((s - s1) as u32))
            } else {
                div_half_up(v, pow10_256((s1 - s) as u32))
            };
            match rescaled {
                Some(r) if fits(r, p) => Ok(r.as_i128()),
                _ => Err(invalid_cast(format!(
                    "Cannot cast DECIMAL({p1}, {s1}) '{}' to {target}",
                    decimal_text(x, s1)
                ))),
            }
        }
        Value::Double(_) | Value::Real(_) => {
            let (finite, text) = match v {
                Value::Double(d) => (d.is_finite(), java_double(d)),
                Value::Real(r) => (r.is_finite(), java_float(r)),
                _ => unreachable!("a double or real"),
            };
            let kind = if matches!(v, Value::Real(_)) {
                "REAL"
            } else {
                "DOUBLE"
            };
            let fail = || invalid_cast(format!("Cannot cast {kind} '{text}' to {target}"));
            if !finite {
                return Err(fail());
            }
            let digits = match v {
                Value::Real(r) => DecimalText::of_real(r),
                Value::Double(d) => DecimalText::of_double(d),
                _ => unreachable!("a double or real"),
            };
            digits.to_unscaled(p, s).ok_or_else(fail)
        }
        Value::Bool(b) => Ok(if b { 10i128.pow(s.max(0) as u32) } else { 0 }),
        Value::Text(text) => {
            let number = parse_decimal(text).map_err(|why| {
                unreadable(
                    why,
                    format!("Cannot cast VARCHAR '{text}' to {target}. Value is not a number."),
                )
            })?;
            number.to_unscaled(p, s).ok_or_else(|| {
                invalid_cast(format!(
                    "Cannot cast VARCHAR '{text}' to {target}. Value too large."
                ))
            })
        }
    }
}

/// The value as a boolean.
fn to_bool(v: Value<'_>) -> Result<bool> {
    Ok(match v {
        Value::Int(x, _) => x != 0,
        // NaN is not zero: true.
        Value::Double(x) => x != 0.0,
        Value::Real(x) => x != 0.0,
        Value::Decimal(x, _, _) => x != 0,
        Value::Bool(b) => b,
        Value::Text(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "t" | "1" => true,
            "false" | "f" | "0" => false,
            _ => return Err(invalid_cast(format!("Cannot cast '{s}' to BOOLEAN"))),
        },
    })
}

/// The value as text.
fn to_text(v: Value<'_>) -> String {
    match v {
        Value::Int(x, _) => x.to_string(),
        Value::Double(x) => double_to_varchar(x),
        Value::Real(x) => real_to_varchar(x),
        Value::Decimal(x, _, s) => decimal_text(x, s),
        Value::Bool(b) => b.to_string(),
        Value::Text(s) => s.to_owned(),
    }
}

/// Reads row `i` of `array` (not null) as a [`Value`].
fn value(array: &ArrayRef, i: usize) -> Result<Value<'_>> {
    Ok(match array.data_type() {
        DataType::Int8 => Value::Int(
            i64::from(array.as_primitive::<Int8Type>().value(i)),
            "TINYINT",
        ),
        DataType::Int16 => Value::Int(
            i64::from(array.as_primitive::<Int16Type>().value(i)),
            "SMALLINT",
        ),
        DataType::Int32 => Value::Int(
            i64::from(array.as_primitive::<Int32Type>().value(i)),
            "INTEGER",
        ),
        DataType::Int64 => Value::Int(array.as_primitive::<Int64Type>().value(i), "BIGINT"),
        DataType::Float64 => Value::Double(array.as_primitive::<Float64Type>().value(i)),
        DataType::Float32 => Value::Real(array.as_primitive::<Float32Type>().value(i)),
        DataType::Decimal128(p, s) => {
            Value::Decimal(array.as_primitive::<Decimal128Type>().value(i), *p, *s)
        }
        DataType::Boolean => Value::Bool(array.as_boolean().value(i)),
        DataType::Utf8 => Value::Text(array.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Value::Text(array.as_string::<i64>().value(i)),
        DataType::Utf8View => Value::Text(array.as_string_view().value(i)),
        other => return plan_err!("athena_cast from {other}"),
    })
}

/// The cast of every row of `array` to `to`; a failing row is NULL when `try_cast`
/// (a refusal stays an error: the emulator does not know Trino's answer).
fn cast_array(array: &ArrayRef, to: &DataType, try_cast: bool) -> Result<ArrayRef> {
    if let (DataType::List(_), DataType::List(item)) = (array.data_type(), to) {
        return cast_list(array, item, try_cast);
    }
    if let (DataType::Timestamp(from, _), DataType::Timestamp(unit, zone)) = (array.data_type(), to)
    {
        return round_timestamps(array, *from, *unit, zone.clone());
    }
    macro_rules! build {
        ($builder:expr, |$v:ident| $convert:expr) => {{
            let mut out = $builder;
            for i in 0..array.len() {
                if array.is_null(i) {
                    out.append_null();
                    continue;
                }
                let $v = value(array, i)?;
                match $convert {
                    Ok(x) => out.append_value(x),
                    Err(e) if try_cast && !is_refusal(&e) => out.append_null(),
                    Err(e) => return Err(e),
                }
            }
            Arc::new(out.finish()) as ArrayRef
        }};
    }
    let n = array.len();
    Ok(match to {
        DataType::Int8 => build!(Int8Builder::with_capacity(n), |v| to_int(v, to)
            .map(|x| x as i8)),
        DataType::Int16 => build!(Int16Builder::with_capacity(n), |v| to_int(v, to)
            .map(|x| x as i16)),
        DataType::Int32 => build!(Int32Builder::with_capacity(n), |v| to_int(v, to)
            .map(|x| x as i32)),
        DataType::Int64 => build!(Int64Builder::with_capacity(n), |v| to_int(v, to)),
        DataType::Float64 => build!(Float64Builder::with_capacity(n), |v| to_double(v)),
        DataType::Float32 => build!(Float32Builder::with_capacity(n), |v| to_real(v)),
        DataType::Boolean => build!(BooleanBuilder::with_capacity(n), |v| to_bool(v)),
        DataType::Utf8 => build!(StringBuilder::with_capacity(n, 0), |v| Ok::<
            _,
            DataFusionError,
        >(to_text(
            v
        ))),
        DataType::Decimal128(p, s) => {
            let out = build!(Decimal128Builder::with_capacity(n), |v| to_decimal(
                v, *p, *s
            ));
            let out = out.as_primitive::<Decimal128Type>().clone();
            Arc::new(out.with_precision_and_scale(*p, *s)?)
        }
        DataType::Date32 => build!(Date32Builder::with_capacity(n), |v| to_date(v)),
        DataType::Timestamp(unit, None) => {
            let out = build!(Int64Builder::with_capacity(n), |v| to_timestamp(v, *unit));
            datafusion::arrow::compute::cast(&out, to)?
        }
        other => return plan_err!("athena_cast to {other}"),
    })
}

/// An array cast element by element; with `TRY_CAST` an array one of whose elements
/// fails is NULL, as in Trino.
fn cast_list(array: &ArrayRef, item: &FieldRef, try_cast: bool) -> Result<ArrayRef> {
    let list = array.as_list::<i32>();
    let strict = cast_array(list.values(), item.data_type(), false);
    let values = match strict {
        Ok(values) => values,
        Err(e) if !try_cast || is_refusal(&e) => return Err(e),
        Err(_) => {
            // Row by row: the arrays that cast keep their elements, the others are NULL.
            let mut pieces: Vec<ArrayRef> = Vec::with_capacity(list.len());
            let mut offsets = vec![0i32];
            let mut valid = Vec::with_capacity(list.len());
            for i in 0..list.len() {
                let cast = if list.is_null(i) {
                    None
                } else {
                    match cast_array(&list.value(i), item.data_type(), false) {
                        Ok(v) => Some(v),
                        Err(e) if is_refusal(&e) => return Err(e),
                        Err(_) => None,
                    }
                };
                let len = cast.as_ref().map_or(0, |v| v.len());
                valid.push(cast.is_some());
                if let Some(v) = cast {
                    pieces.push(v);
                }
                offsets.push(offsets[i] + i32::try_from(len).unwrap_or(i32::MAX));
            }
            let refs: Vec<&dyn Array> = pieces.iter().map(|p| p.as_ref()).collect();
            let values = if refs.is_empty() {
                datafusion::arrow::array::new_empty_array(item.data_type())
            } else {
                datafusion::arrow::compute::concat(&refs)?
            };
            return Ok(Arc::new(ListArray::try_new(
                Arc::clone(item),
                OffsetBuffer::new(offsets.into()),
                values,
                Some(NullBuffer::from(valid)),
            )?));
        }
    };
    Ok(Arc::new(ListArray::try_new(
        Arc::clone(item),
        list.offsets().clone(),
        values,
        list.nulls().cloned(),
    )?))
}

/// Timestamps to a coarser unit, rounded half up (Trino's `timestamp(p)` casts).
fn round_timestamps(
    array: &ArrayRef,
    from: TimeUnit,
    to: TimeUnit,
    zone: Option<Arc<str>>,
) -> Result<ArrayRef> {
    let factor = ticks(from) / ticks(to);
    let as_i64 = datafusion::arrow::compute::cast(array, &DataType::Int64)?;
    let rounded: Int64Array = as_i64
        .as_primitive::<Int64Type>()
        .iter()
        .map(|v| v.map(|v| (v + factor / 2).div_euclid(factor)))
        .collect();
    let rounded: ArrayRef = Arc::new(rounded);
    Ok(datafusion::arrow::compute::cast(
        &rounded,
        &DataType::Timestamp(to, zone),
    )?)
}

/// Text as a date.
fn to_date(v: Value<'_>) -> Result<i32> {
    match v {
        Value::Text(s) => {
            parse_date(s).ok_or_else(|| invalid_cast(format!("Value cannot be cast to date: {s}")))
        }
        _ => plan_err!("athena_cast of a non-text value to date"),
    }
}

/// Text as a timestamp in `unit`s.
fn to_timestamp(v: Value<'_>, unit: datafusion::arrow::datatypes::TimeUnit) -> Result<i64> {
    match v {
        Value::Text(s) => parse_timestamp(s, unit).map_err(|why| match why {
            Unparsed::Invalid => invalid_cast(format!("Value cannot be cast to timestamp: {s}")),
            Unparsed::Zone => not_supported(format!("the time zone of the timestamp text '{s}'")),
        }),
        _ => plan_err!("athena_cast of a non-text value to timestamp"),
    }
}

fn is_refusal(e: &DataFusionError) -> bool {
    e.to_string().contains("NOT_SUPPORTED")
}

#[cfg(test)]
mod tests;
