//! The operators on dates, times and intervals, as Trino types and computes them
//! (trino.io, "Date and time functions and operators"):
//!
//! | Operation | Result |
//! |---|---|
//! | `date ± interval year to month` | `date`, the day clamped to the month's end |
//! | `date ± interval day to second` | `date`; an interval that is not whole days fails |
//! | `timestamp(p) ± interval year to month` | `timestamp(p)` (with its zone: in local time) |
//! | `timestamp(p) ± interval day to second` | `timestamp(max(p, 3))` (with its zone: on the instant) |
//! | `time(p) ± interval day to second` | `time(max(p, 3))`, around midnight |
//! | `timestamp - timestamp`, `date - date`, `time - time` | `interval day to second` |
//! | `interval ± interval` (same kind), `interval * number`, `number * interval`, `interval / number` | the interval's kind |
//!
//! [`TemporalPlanner`] sees every binary operator while a query is planned and turns the
//! ones with a date/time operand into `athena_op(op, a, b)` (the comparisons keep
//! DataFusion's operators, with the operands made comparable as Trino compares them).

use std::sync::Arc;

use datafusion::arrow::array::Array;
use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::logical_expr::{Expr, ExprSchemable, ScalarUDF, lit};
use datafusion::sql::sqlparser::ast::BinaryOperator;

use super::arith::add_months_local;
use super::types::{Kind, NANOS_PER_DAY, NANOS_PER_MILLI, build, read, round_to};
use super::udf::{
    Eval, Plan, doubles, integers, is_integer, is_number, trino_error, type_name, udf,
};
use super::values::{from_local, out_of_range, to_local};

/// `athena_op(op, a, b)`.
pub(crate) fn op() -> ScalarUDF {
    udf("athena_op", plan_op, eval_op)
}

/// What one side of an operator is.
#[derive(Debug, Clone, PartialEq)]
enum Side {
    Temporal(Kind),
    Integer,
    Number,
    Null,
    Other,
}

fn side(field: &FieldRef) -> Side {
    if let Some(kind) = Kind::of_field(field) {
        return Side::Temporal(kind);
    }
    match field.data_type() {
        DataType::Null => Side::Null,
        t if is_integer(t) => Side::Integer,
        t if is_number(t) => Side::Number,
        _ => Side::Other,
    }
}

/// The result kind of `a op b`, or `None` when Trino has no such operator.
fn result_kind(op: &str, a: &Side, b: &Side) -> Option<Kind> {
    use Kind::*;
    use Side::*;
    let at_least_3 = |k: &Kind| k.with_precision(k.precision().unwrap_or(3).max(3));
    Some(match (op, a, b) {
        ("+" | "-", Temporal(Date), Temporal(YearMonth | DaySecond)) => Date,
        ("+", Temporal(YearMonth | DaySecond), Temporal(Date)) => Date,
        ("+" | "-", Temporal(k @ (Timestamp(_) | TimestampTz(..))), Temporal(YearMonth)) => {
            k.clone()
        }
        ("+", Temporal(YearMonth), Temporal(k @ (Timestamp(_) | TimestampTz(..)))) => k.clone(),
        (
            "+" | "-",
            Temporal(k @ (Timestamp(_) | TimestampTz(..) | Time(_))),
            Temporal(DaySecond),
        ) => at_least_3(k),
        ("+", Temporal(DaySecond), Temporal(k @ (Timestamp(_) | TimestampTz(..) | Time(_)))) => {
            at_least_3(k)
        }
        ("+" | "-", Temporal(YearMonth), Temporal(YearMonth)) => YearMonth,
        ("+" | "-", Temporal(DaySecond), Temporal(DaySecond)) => DaySecond,
        (
            "-",
            Temporal(Date | Timestamp(_) | TimestampTz(..)),
            Temporal(Date | Timestamp(_) | TimestampTz(..)),
        ) => DaySecond,
        ("-", Temporal(Time(_)), Temporal(Time(_))) => DaySecond,
        ("*", Temporal(k @ (YearMonth | DaySecond)), Integer | Number | Null)
        | ("*", Integer | Number | Null, Temporal(k @ (YearMonth | DaySecond)))
        | ("/", Temporal(k @ (YearMonth | DaySecond)), Integer | Number | Null) => k.clone(),
        // A bare NULL takes the type that makes the operator exist.
        ("+" | "-", Temporal(k), Null) if !k.is_interval() => k.clone(),
        ("+" | "-", Temporal(k), Null) => k.clone(),
        ("+", Null, Temporal(k)) => k.clone(),
        _ => return None,
    })
}

fn plan_op(plan: &Plan<'_>) -> Result<FieldRef> {
    let op = plan.text(0).unwrap_or("?");
    let (a, b) = (side(&plan.fields[1]), side(&plan.fields[2]));
    match result_kind(op, &a, &b) {
        Some(kind) => Ok(kind.field("op")),
        None => Err(mismatch(op, &plan.fields[1], &plan.fields[2])),
    }
}

fn mismatch(op: &str, a: &FieldRef, b: &FieldRef) -> datafusion::error::DataFusionError {
    trino_error(
        "TYPE_MISMATCH",
        format!(
            "Cannot apply operator: {} {op} {}",
            type_name(a),
            type_name(b)
        ),
    )
}

/// A number operand: integers exactly, other numbers as doubles.
enum Numbers {
    Integers(Vec<Option<i64>>),
    Doubles(Vec<Option<f64>>),
}

fn numbers(array: &ArrayRef) -> Result<Numbers> {
    if is_integer(array.data_type()) || matches!(array.data_type(), DataType::Null) {
        Ok(Numbers::Integers(integers(array)?))
    } else {
        Ok(Numbers::Doubles(doubles(array)?))
    }
}

/// Java's `(long) d`: toward zero, saturating, NaN as 0.
fn java_long(d: f64) -> i64 {
    if d.is_nan() { 0 } else { d as i64 }
}

/// Java's `Double.toString` of the divisors and factors in Trino's messages.
fn java_double(d: f64) -> String {
    let mut s = String::new();
    crate::engine::render::write_f64(&mut s, d);
    s
}

fn eval_op(eval: &Eval<'_>) -> Result<ArrayRef> {
    let out_kind = eval.out_kind()?;
    let ops = super::udf::strings(&eval.arrays[0])?;
    let op = if ops.is_empty() || ops.is_null(0) {
        "?"
    } else {
        ops.value(0)
    }
    .to_owned();
    let (a_kind, b_kind) = (eval.kind(1), eval.kind(2));
    let overflow = || out_of_range("result");
    // interval * number, number * interval, interval / number.
    if matches!(op.as_str(), "*" | "/") {
        let (interval, factor) = if a_kind.as_ref().is_some_and(Kind::is_interval) {
            (&eval.arrays[1], &eval.arrays[2])
        } else {
            (&eval.arrays[2], &eval.arrays[1])
        };
        let values = read(interval.as_ref())?;
        let factors = numbers(factor)?;
        let mut out = Vec::with_capacity(eval.rows);
        for (i, v) in values.into_iter().enumerate() {
            out.push(match v {
                None => None,
                Some(v) => scale(&out_kind, &op, v as i64, &factors, i)?.map(i128::from),
            });
        }
        return build(&out_kind, out, &overflow);
    }
    let a = read(eval.arrays[1].as_ref())?;
    let b = read(eval.arrays[2].as_ref())?;
    let mut out = Vec::with_capacity(eval.rows);
    for i in 0..eval.rows {
        let (Some(x), Some(y)) = (a[i], b[i]) else {
            out.push(None);
            continue;
        };
        let (a_kind, b_kind) = (a_kind.clone(), b_kind.clone());
        let value = match (a_kind, b_kind) {
            (Some(ak), Some(bk)) if !ak.is_interval() && bk.is_interval() => {
                shift(&op, &ak, x, &bk, y)?
            }
            (Some(ak), Some(bk)) if ak.is_interval() && !bk.is_interval() => {
                shift("+", &bk, y, &ak, x)?
            }
            (Some(ak), Some(_)) if ak.is_interval() => {
                let (x, y) = (x as i64, y as i64);
                let sum = if op == "+" {
                    x.checked_add(y)
                } else {
                    x.checked_sub(y)
                };
                let sum = sum.filter(|s| ak != Kind::YearMonth || i32::try_from(*s).is_ok());
                i128::from(sum.ok_or_else(|| {
                    trino_error("NUMERIC_VALUE_OUT_OF_RANGE", "interval arithmetic overflow")
                })?)
            }
            (Some(ak), Some(bk)) => difference(&ak, x, &bk, y),
            _ => return Err(mismatch(&op, &eval.fields[1], &eval.fields[2])),
        };
        out.push(Some(value));
    }
    build(&out_kind, out, &overflow)
}

/// An interval times or divided by a number, Trino's way: integers multiply exactly
/// (wrapping like Java's long), other numbers through doubles truncated toward zero.
fn scale(kind: &Kind, op: &str, v: i64, factors: &Numbers, i: usize) -> Result<Option<i64>> {
    let result = match factors {
        Numbers::Integers(ns) if op == "*" => {
            let Some(n) = ns[i] else { return Ok(None) };
            v.wrapping_mul(n)
        }
        Numbers::Integers(ns) => {
            let Some(n) = ns[i] else { return Ok(None) };
            divide(v, n as f64)?
        }
        Numbers::Doubles(ds) => {
            let Some(d) = ds[i] else { return Ok(None) };
            if op == "*" {
                if d.is_nan() {
                    return Err(trino_error(
                        "INVALID_FUNCTION_ARGUMENT",
                        format!("Cannot multiply by double {}", java_double(d)),
                    ));
                }
                java_long(v as f64 * d)
            } else {
                divide(v, d)?
            }
        }
    };
    if *kind == Kind::YearMonth && i32::try_from(result).is_err() {
        return Err(trino_error(
            "GENERIC_INTERNAL_ERROR",
            format!("Value {result} exceeds MAX_INT for type interval year to month"),
        ));
    }
    Ok(Some(result))
}

fn divide(v: i64, d: f64) -> Result<i64> {
    if d == 0.0 || d.is_nan() {
        return Err(trino_error(
            "INVALID_FUNCTION_ARGUMENT",
            format!("Cannot divide by double {}", java_double(d)),
        ));
    }
    Ok(java_long(v as f64 / d))
}

/// A date, timestamp or time moved by an interval (`op` is `+` or `-`).
fn shift(op: &str, kind: &Kind, v: i128, interval: &Kind, amount: i128) -> Result<i128> {
    let amount = if op == "-" { -amount } else { amount };
    let overflow = || out_of_range("result");
    match (kind, interval) {
        (Kind::Date, Kind::YearMonth) => super::arith::add_months(v as i64, amount as i64)
            .map(i128::from)
            .ok_or_else(overflow),
        (Kind::Date, _) => {
            if amount % i128::from(super::types::MILLIS_PER_DAY) != 0 {
                let message = if op == "-" {
                    "Cannot subtract hour, minutes or seconds from a date"
                } else {
                    "Cannot add hour, minutes or seconds to a date"
                };
                return Err(trino_error("INVALID_FUNCTION_ARGUMENT", message));
            }
            Ok(v + amount / i128::from(super::types::MILLIS_PER_DAY))
        }
        (Kind::Timestamp(_), Kind::YearMonth) => {
            add_months_local(v, amount as i64).ok_or_else(overflow)
        }
        (Kind::TimestampTz(_, zone), Kind::YearMonth) => {
            let local = add_months_local(to_local(zone, v), amount as i64).ok_or_else(overflow)?;
            Ok(from_local(zone, local))
        }
        (Kind::Time(_), _) => Ok((v + amount * NANOS_PER_MILLI).rem_euclid(NANOS_PER_DAY)),
        _ => Ok(v + amount * NANOS_PER_MILLI),
    }
}

/// `a - b` of two dates, timestamps or times, in milliseconds: each side rounded to
/// milliseconds, as Trino subtracts.
fn difference(a_kind: &Kind, a: i128, b_kind: &Kind, b: i128) -> i128 {
    let nanos = |kind: &Kind, v: i128| match kind {
        Kind::Date => v * NANOS_PER_DAY,
        _ => v,
    };
    let ms = |v: i128| round_to(v, 3) / NANOS_PER_MILLI;
    ms(nanos(a_kind, a)) - ms(nanos(b_kind, b))
}

/// The operator the query rewrite makes of a unary minus (`0 <negate> x`): the planner
/// turns it back into a negation.
pub(crate) const NEGATE: &str = "athena_negate";

/// `-x`: DataFusion's negation (with its check of the operand's type), but for the
/// emulator's intervals (negated as products by -1) and the other date/time types
/// (which Trino does not negate).
fn negation(operand: Expr, schema: &DFSchema) -> Result<Expr> {
    let (_, field) = operand.to_field(schema)?;
    match Kind::of_field(&field) {
        Some(kind) if kind.is_interval() => Ok(Expr::ScalarFunction(
            datafusion::logical_expr::expr::ScalarFunction::new_udf(
                Arc::new(op()),
                vec![lit("*"), operand, lit(-1i64)],
            ),
        )),
        Some(kind) => Err(trino_error(
            "TYPE_MISMATCH",
            format!("Cannot negate {}", kind.trino_name()),
        )),
        None => {
            let t = field.data_type();
            if t.is_null() || t.is_signed_integer() || t.is_floating() || t.is_decimal() {
                Ok(Expr::Negative(Box::new(operand)))
            } else {
                Err(trino_error(
                    "TYPE_MISMATCH",
                    format!("Cannot negate {}", type_name(&field)),
                ))
            }
        }
    }
}

/// `a || b` with a date/time operand: Trino concatenates strings, arrays and binary
/// values, not dates (FUNCTION_NOT_FOUND); an array with an element is the array
/// planner's.
fn concatenation(expr: RawBinaryExpr, schema: &DFSchema) -> Result<PlannerResult<RawBinaryExpr>> {
    let (_, left) = expr.left.to_field(schema)?;
    let (_, right) = expr.right.to_field(schema)?;
    let list = |t: &DataType| matches!(t, DataType::List(_) | DataType::LargeList(_));
    let temporal = Kind::of_field(&left).is_some() || Kind::of_field(&right).is_some();
    if temporal && !list(left.data_type()) && !list(right.data_type()) {
        return Err(trino_error(
            "FUNCTION_NOT_FOUND",
            format!(
                "Unexpected parameters ({}, {}) for function concat",
                type_name(&left),
                type_name(&right)
            ),
        ));
    }
    Ok(PlannerResult::Original(expr))
}

/// The planner of the operators whose operands are dates, times or intervals.
#[derive(Debug)]
pub(crate) struct TemporalPlanner;

impl ExprPlanner for TemporalPlanner {
    fn plan_binary_op(
        &self,
        expr: RawBinaryExpr,
        schema: &DFSchema,
    ) -> Result<PlannerResult<RawBinaryExpr>> {
        let symbol = match &expr.op {
            BinaryOperator::Plus => "+",
            BinaryOperator::Minus => "-",
            BinaryOperator::Multiply => "*",
            BinaryOperator::Divide => "/",
            BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
            | BinaryOperator::Spaceship => return comparable(expr, schema),
            BinaryOperator::Custom(op) if op == NEGATE => {
                return Ok(PlannerResult::Planned(negation(expr.right, schema)?));
            }
            BinaryOperator::StringConcat => return concatenation(expr, schema),
            _ => return Ok(PlannerResult::Original(expr)),
        };
        let (_, left) = expr.left.to_field(schema)?;
        let (_, right) = expr.right.to_field(schema)?;
        if Kind::of_field(&left).is_none() && Kind::of_field(&right).is_none() {
            return Ok(PlannerResult::Original(expr));
        }
        let call = Expr::ScalarFunction(datafusion::logical_expr::expr::ScalarFunction::new_udf(
            Arc::new(op()),
            vec![lit(symbol), expr.left, expr.right],
        ));
        Ok(PlannerResult::Planned(call))
    }
}

/// A comparison with date/time operands, made as Trino makes it: an interval of one
/// kind is not comparable with one of the other, nor a time with a date or timestamp; a
/// timestamp or date compared with a zoned timestamp is taken in the session's zone,
/// UTC; times of different precisions compare at the finer one.
fn comparable(expr: RawBinaryExpr, schema: &DFSchema) -> Result<PlannerResult<RawBinaryExpr>> {
    let (_, left) = expr.left.to_field(schema)?;
    let (_, right) = expr.right.to_field(schema)?;
    let (lk, rk) = (Kind::of_field(&left), Kind::of_field(&right));
    let text =
        |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    // Trino compares no date/time value with text (no implicit cast either way).
    if (lk.is_some() && text(right.data_type())) || (rk.is_some() && text(left.data_type())) {
        return Err(mismatch(&expr.op.to_string(), &left, &right));
    }
    let (Some(a), Some(b)) = (&lk, &rk) else {
        return Ok(PlannerResult::Original(expr));
    };
    let cast = |e: Expr, target: String| {
        Expr::ScalarFunction(datafusion::logical_expr::expr::ScalarFunction::new_udf(
            Arc::new(super::values::cast()),
            vec![e, lit(target)],
        ))
    };
    let symbol = expr.op.to_string();
    let fail = || Err(mismatch(&symbol, &left, &right));
    use Kind::*;
    match (a, b) {
        (YearMonth, YearMonth) | (DaySecond, DaySecond) | (Date, Date) => {
            Ok(PlannerResult::Original(expr))
        }
        (YearMonth | DaySecond, _) | (_, YearMonth | DaySecond) => fail(),
        (Time(p), Time(q)) => {
            let p = (*p).max(*q);
            let RawBinaryExpr {
                op,
                left: l,
                right: r,
            } = expr;
            Ok(PlannerResult::Original(RawBinaryExpr {
                op,
                left: cast(l, format!("time({p})")),
                right: cast(r, format!("time({p})")),
            }))
        }
        (Time(_), _) | (_, Time(_)) => fail(),
        (TimestampTz(..), Timestamp(_) | Date) | (Timestamp(_) | Date, TimestampTz(..)) => {
            let RawBinaryExpr {
                op,
                left: l,
                right: r,
            } = expr;
            let zoned = |e: Expr, k: &Kind| match k {
                TimestampTz(..) => e,
                _ => cast(e, "timestamp(9) with time zone".to_owned()),
            };
            Ok(PlannerResult::Original(RawBinaryExpr {
                op,
                left: zoned(l, a),
                right: zoned(r, b),
            }))
        }
        _ => Ok(PlannerResult::Original(expr)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_types_are_trinos() {
        use Side::Temporal as T;
        assert_eq!(
            result_kind("-", &T(Kind::Timestamp(0)), &T(Kind::DaySecond)),
            Some(Kind::Timestamp(3))
        );
        assert_eq!(
            result_kind("+", &T(Kind::Timestamp(6)), &T(Kind::DaySecond)),
            Some(Kind::Timestamp(6))
        );
        assert_eq!(
            result_kind("+", &T(Kind::Timestamp(0)), &T(Kind::YearMonth)),
            Some(Kind::Timestamp(0))
        );
        assert_eq!(
            result_kind("-", &T(Kind::Date), &T(Kind::Date)),
            Some(Kind::DaySecond)
        );
        assert_eq!(result_kind("+", &T(Kind::Date), &Side::Integer), None);
        assert_eq!(
            result_kind("+", &T(Kind::Time(0)), &T(Kind::YearMonth)),
            None
        );
        assert_eq!(
            result_kind("*", &Side::Number, &T(Kind::YearMonth)),
            Some(Kind::YearMonth)
        );
    }

    #[test]
    fn intervals_scale_as_java_longs() {
        let ds = Kind::DaySecond;
        let ints = Numbers::Integers(vec![Some(i64::MAX)]);
        assert_eq!(
            scale(&ds, "*", 86_400_000, &ints, 0).unwrap(),
            Some(-86_400_000)
        );
        let half = Numbers::Doubles(vec![Some(0.0015)]);
        assert_eq!(scale(&ds, "*", -1000, &half, 0).unwrap(), Some(-1));
        let zero = Numbers::Integers(vec![Some(0)]);
        assert!(scale(&ds, "/", 1, &zero, 0).is_err());
        let ym = Kind::YearMonth;
        assert_eq!(
            scale(&ym, "/", 10, &Numbers::Integers(vec![Some(3)]), 0).unwrap(),
            Some(3)
        );
        assert!(scale(&ym, "*", 1, &ints, 0).is_err());
    }

    #[test]
    fn differences_round_to_milliseconds() {
        let ts = Kind::Timestamp(4);
        assert_eq!(difference(&ts, 0, &ts, 123_600_000), -124);
        assert_eq!(difference(&Kind::Date, 1, &Kind::Date, 0), 86_400_000);
    }
}
