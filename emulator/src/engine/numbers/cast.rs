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

/// `CAST(x AS to)` / `TRY_CAST(x AS to)` with Trino's semantics, one instance per target
/// type (the plan holds it; it is never looked up by name).
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct TrinoCast {
    to: DataType,
    try_cast: bool,
    /// The argument is JSON text.
    json: bool,
    signature: Signature,
}

impl TrinoCast {
    pub(crate) fn new(to: DataType, try_cast: bool, json: bool) -> TrinoCast {
        TrinoCast {
            to,
            try_cast,
            json,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for TrinoCast {
    fn name(&self) -> &str {
        if self.try_cast {
            "athena_try_cast"
        } else {
            "athena_cast"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(self.to.clone())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        // A CAST fails rather than answer NULL: it is NULL only where its argument is, as
        // the cast it replaces (and the schemas planned above it) said. A TRY_CAST, or
        // JSON's null, may be NULL anywhere.
        let nullable =
            self.try_cast || self.json || args.arg_fields.first().is_none_or(|f| f.is_nullable());
        Ok(Arc::new(Field::new(self.name(), self.to.clone(), nullable)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        on_arrays(&args.args, |arrays| {
            if self.json {
                json_array(&arrays[0], &self.to, self.try_cast)
            } else {
                cast_array(&arrays[0], &self.to, self.try_cast)
            }
        })
    }
}

/// `athena_bounded_varchar(x, n)`: `CAST(x AS varchar(n))`. Text is cut to `n`
/// characters; any other value becomes its text (a number as `CAST(x AS varchar)` writes
/// it), which fails with `INVALID_CAST_ARGUMENT` when longer than `n`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct BoundedVarchar {
    /// `TRY_CAST`: a value too long is NULL.
    try_cast: bool,
    signature: Signature,
}

impl BoundedVarchar {
    pub(crate) fn new(try_cast: bool) -> BoundedVarchar {
        BoundedVarchar {
            try_cast,
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for BoundedVarchar {
    fn name(&self) -> &str {
        if self.try_cast {
            "athena_try_bounded_varchar"
        } else {
            "athena_bounded_varchar"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        on_arrays(&args.args, |arrays| {
            let (x, n) = (&arrays[0], &arrays[1]);
            let n = datafusion::arrow::compute::cast(n, &DataType::Int64)?;
            let n = n.as_primitive::<Int64Type>();
            let mut out = StringBuilder::with_capacity(x.len(), 0);
            let mut buf = String::new();
            for i in 0..x.len() {
                if x.is_null(i) || n.is_null(i) {
                    out.append_null();
                    continue;
                }
                let limit = usize::try_from(n.value(i)).unwrap_or(0);
                if is_text(x.data_type()) || matches!(x.data_type(), DataType::Null) {
                    let text = match value(x, i)? {
                        Value::Text(t) => t,
                        _ => "",
                    };
                    let cut: String = text.chars().take(limit).collect();
                    out.append_value(cut);
                    continue;
                }
                buf.clear();
                match value(x, i) {
                    Ok(v) => buf.push_str(&to_text(v)),
                    Err(_) => crate::engine::render::write_value(&mut buf, x.as_ref(), i),
                }
                if buf.chars().count() > limit {
                    if self.try_cast {
                        out.append_null();
                        continue;
                    }
                    // Trino fails a boolean with an internal error of its own.
                    if x.data_type() == &DataType::Boolean {
                        return Err(user_error(
                            "GENERIC_INTERNAL_ERROR",
                            format!("Character count exceeds length limit {limit}"),
                        ));
                    }
                    return Err(invalid_cast(format!(
                        "Value {buf} cannot be represented as varchar({limit})"
                    )));
                }
                out.append_value(&buf);
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }
}

/// `athena_char_text(x)`: the text a `CAST(x AS char(n))` pads, which only text has in
/// Trino (`CAST(1.5e0 AS char(5))` is `TYPE_MISMATCH: Cannot cast double to char(5)`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct CharText {
    signature: Signature,
}

impl CharText {
    pub(crate) fn new() -> CharText {
        CharText {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for CharText {
    fn name(&self) -> &str {
        "athena_char_text"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [t] if is_text(t) || *t == DataType::Null => Ok(vec![DataType::Utf8]),
            [t] => Err(user_error(
                "TYPE_MISMATCH",
                format!("Cannot cast {} to char", super::trino_type(t)),
            )),
            _ => plan_err!("athena_char_text takes one argument"),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(args
            .args
            .into_iter()
            .next()
            .unwrap_or(ColumnarValue::Scalar(
                datafusion::common::ScalarValue::Utf8(None),
            )))
    }
}

/// `CAST(x AS varchar)` of a `timestamp(p)` whose Arrow unit has more fraction digits
/// than `p` (a literal's precision is its digits: `TIMESTAMP '... 10:30:00.5'` is a
/// timestamp(1)): the text with `p` fraction digits.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct TimestampText {
    precision: usize,
    signature: Signature,
}

impl TimestampText {
    pub(crate) fn new(precision: usize) -> TimestampText {
        TimestampText {
            precision,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for TimestampText {
    fn name(&self) -> &str {
        "athena_timestamp_text"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        on_arrays(&args.args, |arrays| {
            let x = &arrays[0];
            let mut out = StringBuilder::with_capacity(x.len(), 0);
            let mut buf = String::new();
            for i in 0..x.len() {
                if x.is_null(i) {
                    out.append_null();
                    continue;
                }
                buf.clear();
                crate::engine::render::write_value(&mut buf, x.as_ref(), i);
                // `2024-01-15 10:30:00.500` → `...00.5`: the fraction after the time.
                if let Some(colon) = buf.find(':')
                    && let Some(dot) = buf[colon..].find('.').map(|d| colon + d)
                {
                    let digits = buf[dot + 1..]
                        .bytes()
                        .take_while(u8::is_ascii_digit)
                        .count();
                    if digits > self.precision {
                        let from = if self.precision == 0 {
                            dot
                        } else {
                            dot + 1 + self.precision
                        };
                        buf.replace_range(from..dot + 1 + digits, "");
                    }
                }
                out.append_value(&buf);
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }
}

/// The cast of every JSON text of `array` to the array type of `item`: each JSON array's
/// elements cast by the rules of their type; another JSON value fails, `null` is NULL.
fn json_list(array: &ArrayRef, item: &FieldRef, try_cast: bool) -> Result<ArrayRef> {
    let text = datafusion::arrow::compute::cast(array, &DataType::Utf8)?;
    let text = text.as_string::<i32>();
    let name = super::trino_type(&DataType::List(Arc::clone(item)));
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

/// The cast of every JSON text of `array` to `to`.
fn json_array(array: &ArrayRef, to: &DataType, try_cast: bool) -> Result<ArrayRef> {
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
            t => super::trino_type(t),
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
enum JsonValue {
    Scalar(JsonScalar, String),
    Other(String),
}

/// A JSON scalar: an integer, another number (its text), a string, a boolean.
enum JsonScalar {
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
fn json_value(text: &str) -> Result<Option<JsonValue>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Decimal128Array, Float64Array, StringArray};

    fn cast(array: ArrayRef, to: DataType, try_cast: bool) -> Result<ArrayRef> {
        cast_array(&array, &to, try_cast)
    }

    fn err(r: Result<ArrayRef>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn doubles_round_half_away_from_zero_to_integers() {
        let a: ArrayRef = Arc::new(Float64Array::from(vec![12.5, -12.5, 0.5, 12.4999]));
        let out = cast(a, DataType::Int32, false).unwrap();
        assert_eq!(
            out.as_primitive::<Int32Type>().values().to_vec(),
            vec![13, -13, 1, 12]
        );
        let nan: ArrayRef = Arc::new(Float64Array::from(vec![f64::NAN]));
        assert!(err(cast(nan, DataType::Int32, false)).contains("INVALID_CAST_ARGUMENT"));
        let big: ArrayRef = Arc::new(Float64Array::from(vec![1e10]));
        assert!(
            err(cast(Arc::clone(&big), DataType::Int32, false))
                .contains("NUMERIC_VALUE_OUT_OF_RANGE")
        );
        let out = cast(big, DataType::Int32, true).unwrap();
        assert!(out.is_null(0));
        let huge: ArrayRef = Arc::new(Float64Array::from(vec![1e19]));
        assert!(
            err(cast(huge, DataType::Int64, false))
                .contains("INVALID_CAST_ARGUMENT: Unable to cast 1.0E19 to bigint")
        );
    }

    #[test]
    fn text_becomes_numbers_as_java_reads_it() {
        let a: ArrayRef = Arc::new(StringArray::from(vec![" 12 ", "+5", "-7"]));
        let out = cast(a, DataType::Int32, false).unwrap();
        assert_eq!(
            out.as_primitive::<Int32Type>().values().to_vec(),
            vec![12, 5, -7]
        );
        let bad: ArrayRef = Arc::new(StringArray::from(vec!["1.5"]));
        assert_eq!(
            err(cast(Arc::clone(&bad), DataType::Int32, false)),
            "Execution error: INVALID_CAST_ARGUMENT: Cannot cast '1.5' to INT"
        );
        assert!(cast(bad, DataType::Int32, true).unwrap().is_null(0));
        let arabic: ArrayRef = Arc::new(StringArray::from(vec!["١٢"]));
        assert!(err(cast(arabic, DataType::Int32, true)).contains("NOT_SUPPORTED"));
        let d: ArrayRef = Arc::new(StringArray::from(vec!["1.255", "-1.25"]));
        let out = cast(d, DataType::Decimal128(4, 2), false).unwrap();
        assert_eq!(
            out.as_primitive::<Decimal128Type>().values().to_vec(),
            vec![126, -125]
        );
        let b: ArrayRef = Arc::new(StringArray::from(vec!["TRUE", "f", "0"]));
        let out = cast(b, DataType::Boolean, false).unwrap();
        assert_eq!(
            out.as_boolean().iter().collect::<Vec<_>>(),
            vec![Some(true), Some(false), Some(false)]
        );
    }

    #[test]
    fn decimals_rescale_half_up_and_check_precision() {
        let a: ArrayRef = Arc::new(
            Decimal128Array::from(vec![125, -125, 124])
                .with_precision_and_scale(3, 2)
                .unwrap(),
        );
        let out = cast(Arc::clone(&a), DataType::Decimal128(3, 1), false).unwrap();
        assert_eq!(
            out.as_primitive::<Decimal128Type>().values().to_vec(),
            vec![13, -13, 12]
        );
        let out = cast(a, DataType::Int32, false).unwrap();
        assert_eq!(
            out.as_primitive::<Int32Type>().values().to_vec(),
            vec![1, -1, 1]
        );
        let big: ArrayRef = Arc::new(
            Decimal128Array::from(vec![12345])
                .with_precision_and_scale(5, 2)
                .unwrap(),
        );
        assert!(
            err(cast(big, DataType::Decimal128(2, 0), false))
                .contains("Cannot cast DECIMAL(5, 2) '123.45' to DECIMAL(2, 0)")
        );
    }

    #[test]
    fn numbers_become_trinos_text() {
        let a: ArrayRef = Arc::new(Float64Array::from(vec![1.5, 100.0]));
        let out = cast(a, DataType::Utf8, false).unwrap();
        assert_eq!(
            out.as_string::<i32>().iter().collect::<Vec<_>>(),
            vec![Some("1.5E0"), Some("1.0E2")]
        );
    }

    #[test]
    fn json_values_cast_as_trino_reads_them() {
        let j: ArrayRef = Arc::new(StringArray::from(vec![
            Some("1"),
            Some("\"12\""),
            Some("2.5"),
            Some("null"),
            None,
        ]));
        let out = json_array(&j, &DataType::Int32, false).unwrap();
        let out = out.as_primitive::<Int32Type>();
        assert_eq!(
            out.iter().collect::<Vec<_>>(),
            vec![Some(1), Some(12), Some(3), None, None]
        );
        let text = json_array(&j, &DataType::Utf8, false).unwrap();
        assert_eq!(text.as_string::<i32>().value(2), "2.5E0");
        let obj: ArrayRef = Arc::new(StringArray::from(vec!["{\"a\":1}"]));
        assert!(
            json_array(&obj, &DataType::Int32, false)
                .unwrap_err()
                .to_string()
                .contains("INVALID_CAST_ARGUMENT")
        );
        let list: ArrayRef = Arc::new(StringArray::from(vec![Some("[1, \"x\"]"), Some("[2]")]));
        let item = Arc::new(Field::new_list_field(DataType::Int64, true));
        assert!(json_list(&list, &item, false).is_err());
        let out = json_list(&list, &item, true).unwrap();
        assert!(out.is_null(0) && out.is_valid(1));
    }

    #[test]
    fn widening_casts_stay_arrows() {
        assert!(!needs_trino_cast(&DataType::Int32, &DataType::Int64));
        assert!(needs_trino_cast(&DataType::Int64, &DataType::Int32));
        assert!(!needs_trino_cast(
            &DataType::Int32,
            &DataType::Decimal128(10, 0)
        ));
        assert!(needs_trino_cast(
            &DataType::Int32,
            &DataType::Decimal128(9, 0)
        ));
        assert!(!needs_trino_cast(
            &DataType::Decimal128(3, 1),
            &DataType::Decimal128(5, 2)
        ));
        assert!(needs_trino_cast(
            &DataType::Decimal128(3, 2),
            &DataType::Decimal128(3, 1)
        ));
        assert!(needs_trino_cast(&DataType::Utf8, &DataType::Int32));
        assert!(needs_trino_cast(&DataType::Float64, &DataType::Utf8));
        assert!(!needs_trino_cast(&DataType::Int32, &DataType::Float64));
    }
}
