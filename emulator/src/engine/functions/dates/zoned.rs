//! Functions that put a value in a time zone or take it out of one: `at_timezone` (and
//! `AT TIME ZONE`), `with_timezone`, `from_unixtime` (in UTC, a named zone or an offset),
//! `from_unixtime_nanos`, `to_unixtime`.
//!
//! Arrow keeps one zone per column, so a zone must be known when the query is planned:
//! a constant. A zone that is not one is refused with NOT_SUPPORTED; a NULL zone gives
//! NULL, as in Trino.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::ScalarUDF;

use super::types::{Kind, NANOS_PER_DAY, NANOS_PER_MILLI, NANOS_PER_SECOND, build, read};
use super::udf::{
    Eval, Plan, doubles, integers, is_integer, is_number, is_text, no_signature, not_supported,
    null_at, plain, trino_error, udf,
};
use super::values::{from_local, out_of_range};
use super::zones::{canonical, offset_id};

/// The zone of constant argument `i` as Trino checks it for `function`, `None` for a
/// NULL zone.
fn constant_zone(plan: &Plan<'_>, i: usize, function: &str) -> Result<Option<String>> {
    if plan.is_null(i) || matches!(plan.scalars.get(i).copied().flatten(), Some(s) if s.is_null()) {
        return Ok(None);
    }
    let Some(text) = plan.text(i) else {
        return Err(not_supported(format!(
            "{function} with a time zone that is not a constant"
        )));
    };
    if text.is_empty() {
        return Err(trino_error(
            "GENERIC_INTERNAL_ERROR",
            "Zone id is an empty string",
        ));
    }
    match canonical(text) {
        Some(zone) => Ok(Some(zone)),
        None if function == "from_unixtime" => Err(trino_error(
            "NOT_SUPPORTED",
            format!("Time zone not supported: {text}"),
        )),
        None => Err(trino_error(
            "INVALID_FUNCTION_ARGUMENT",
            format!("'{text}' is not a valid time zone"),
        )),
    }
}

/// `at_timezone(ts, zone)`, `ts AT TIME ZONE zone`.
pub(crate) fn at_timezone() -> ScalarUDF {
    udf("athena_at_timezone", plan_at_timezone, eval_rezone)
}

fn plan_at_timezone(plan: &Plan<'_>) -> Result<FieldRef> {
    if plan.fields.len() != 2 || !(is_text(plan.data_type(1)) || plan.is_null(1)) {
        return Err(no_signature("at_timezone", plan));
    }
    let p = match plan.kind(0) {
        Some(Kind::Timestamp(p) | Kind::TimestampTz(p, _)) => p,
        None if plan.is_null(0) => 3,
        Some(kind) => {
            return Err(trino_error(
                "TYPE_MISMATCH",
                format!(
                    "Type of value must be a time or timestamp with or without time zone (actual {})",
                    kind.trino_name()
                ),
            ));
        }
        None => return Err(no_signature("at_timezone", plan)),
    };
    let zone = constant_zone(plan, 1, "at_timezone")?.unwrap_or_else(|| "UTC".to_owned());
    Ok(Kind::TimestampTz(p, Arc::from(zone)).field("at_timezone"))
}

/// The same instants in the result's zone (a plain timestamp is in UTC); NULL where the
/// zone is NULL.
fn eval_rezone(eval: &Eval<'_>) -> Result<ArrayRef> {
    let kind = eval.out_kind()?;
    let values = read(eval.arrays[0].as_ref())?;
    build(
        &kind,
        values
            .into_iter()
            .enumerate()
            .map(|(i, v)| v.filter(|_| !null_at(&eval.arrays[1], i))),
        &|| out_of_range("value"),
    )
}

/// `with_timezone(ts, zone)`: the local time of `ts`, in `zone`.
pub(crate) fn with_timezone() -> ScalarUDF {
    udf(
        "athena_with_timezone",
        plan_with_timezone,
        eval_with_timezone,
    )
}

fn plan_with_timezone(plan: &Plan<'_>) -> Result<FieldRef> {
    let p = match plan.kind(0) {
        Some(Kind::Timestamp(p)) => p,
        None if plan.is_null(0) => 3,
        _ => return Err(no_signature("with_timezone", plan)),
    };
    if plan.fields.len() != 2 || !(is_text(plan.data_type(1)) || plan.is_null(1)) {
        return Err(no_signature("with_timezone", plan));
    }
    let zone = constant_zone(plan, 1, "with_timezone")?.unwrap_or_else(|| "UTC".to_owned());
    Ok(Kind::TimestampTz(p, Arc::from(zone)).field("with_timezone"))
}

fn eval_with_timezone(eval: &Eval<'_>) -> Result<ArrayRef> {
    let kind = eval.out_kind()?;
    let Kind::TimestampTz(_, zone) = &kind else {
        return Err(out_of_range("value"));
    };
    let values = read(eval.arrays[0].as_ref())?;
    build(
        &kind,
        values.into_iter().enumerate().map(|(i, v)| {
            v.filter(|_| !null_at(&eval.arrays[1], i))
                .map(|v| from_local(zone, v))
        }),
        &|| out_of_range("value"),
    )
}

/// `from_unixtime(seconds [, zone | hours, minutes])`.
pub(crate) fn from_unixtime() -> ScalarUDF {
    udf(
        "athena_from_unixtime",
        plan_from_unixtime,
        eval_from_unixtime,
    )
}

fn plan_from_unixtime(plan: &Plan<'_>) -> Result<FieldRef> {
    let number = |i: usize| is_number(plan.data_type(i)) || plan.is_null(i);
    let zone = match plan.fields.len() {
        1 if number(0) => Some("UTC".to_owned()),
        2 if number(0) && (is_text(plan.data_type(1)) || plan.is_null(1)) => {
            constant_zone(plan, 1, "from_unixtime")?
        }
        3 if number(0)
            && (is_integer(plan.data_type(1)) || plan.is_null(1))
            && (is_integer(plan.data_type(2)) || plan.is_null(2)) =>
        {
            let int = |i: usize| match plan.scalars.get(i).copied().flatten() {
                Some(s) if s.is_null() => Ok(None),
                Some(s) => s
                    .cast_to(&DataType::Int64)
                    .ok()
                    .and_then(|v| match v {
                        ScalarValue::Int64(v) => Some(v),
                        _ => None,
                    })
                    .ok_or_else(|| {
                        not_supported("from_unixtime with an offset that is not a constant")
                    }),
                None => Err(not_supported(
                    "from_unixtime with an offset that is not a constant",
                )),
            };
            match (int(1)?, int(2)?) {
                (Some(h), Some(m)) => {
                    let minutes = h.saturating_mul(60).saturating_add(m);
                    Some(offset_id(minutes).ok_or_else(|| {
                        trino_error(
                            "INVALID_FUNCTION_ARGUMENT",
                            format!("Invalid offset minutes {minutes}"),
                        )
                    })?)
                }
                _ => None,
            }
        }
        _ => return Err(no_signature("from_unixtime", plan)),
    };
    let zone = zone.unwrap_or_else(|| "UTC".to_owned());
    Ok(Kind::TimestampTz(3, Arc::from(zone)).field("from_unixtime"))
}

fn eval_from_unixtime(eval: &Eval<'_>) -> Result<ArrayRef> {
    let kind = eval.out_kind()?;
    let seconds = doubles(&eval.arrays[0])?;
    let others_null = |i: usize| eval.arrays[1..].iter().any(|a| null_at(a, i));
    let mut out = Vec::with_capacity(eval.rows);
    for (i, s) in seconds.into_iter().enumerate() {
        out.push(match s {
            Some(s) if !others_null(i) => {
                // Java's Math.round(seconds * 1000): milliseconds, halves up.
                let ms = (s * 1000.0 + 0.5).floor();
                if !ms.is_finite() || ms.abs() > 9.2e18 {
                    return Err(out_of_range("from_unixtime result"));
                }
                Some(ms as i128 * NANOS_PER_MILLI)
            }
            _ => None,
        });
    }
    build(&kind, out, &|| out_of_range("from_unixtime result"))
}

/// `from_unixtime_nanos(nanoseconds)`.
pub(crate) fn from_unixtime_nanos() -> ScalarUDF {
    udf(
        "athena_from_unixtime_nanos",
        |plan| {
            if plan.fields.len() == 1 && (is_integer(plan.data_type(0)) || plan.is_null(0)) {
                Ok(Kind::TimestampTz(9, Arc::from("UTC")).field("from_unixtime_nanos"))
            } else if plan.fields.len() == 1 && is_number(plan.data_type(0)) {
                Err(not_supported("from_unixtime_nanos of a decimal"))
            } else {
                Err(no_signature("from_unixtime_nanos", plan))
            }
        },
        |eval| {
            let kind = eval.out_kind()?;
            let values = integers(&eval.arrays[0])?;
            build(
                &kind,
                values.into_iter().map(|v| v.map(i128::from)),
                &|| out_of_range("from_unixtime_nanos result"),
            )
        },
    )
}

/// `timezone(ts)`: the zone of a timestamp with time zone (a plain timestamp is in the
/// session's zone, UTC).
pub(crate) fn timezone() -> ScalarUDF {
    udf(
        "athena_timezone",
        |plan| match plan.kind(0) {
            Some(Kind::Timestamp(_) | Kind::TimestampTz(..)) if plan.fields.len() == 1 => {
                Ok(plain(DataType::Utf8))
            }
            None if plan.fields.len() == 1 && plan.is_null(0) => Ok(plain(DataType::Utf8)),
            _ => Err(no_signature("timezone", plan)),
        },
        |eval| {
            let zone = match eval.kind(0) {
                Some(Kind::TimestampTz(_, zone)) => zone.to_string(),
                _ => "UTC".to_owned(),
            };
            let values = read(eval.arrays[0].as_ref())?;
            Ok(Arc::new(
                values
                    .into_iter()
                    .map(|v| v.map(|_| zone.clone()))
                    .collect::<datafusion::arrow::array::StringArray>(),
            ) as ArrayRef)
        },
    )
}

/// `to_unixtime(ts)`: seconds since the epoch, as a double.
pub(crate) fn to_unixtime() -> ScalarUDF {
    udf(
        "athena_to_unixtime",
        |plan| match plan.kind(0) {
            Some(Kind::Timestamp(_) | Kind::TimestampTz(..) | Kind::Date)
                if plan.fields.len() == 1 =>
            {
                Ok(plain(DataType::Float64))
            }
            None if plan.fields.len() == 1 && plan.is_null(0) => Ok(plain(DataType::Float64)),
            _ => Err(no_signature("to_unixtime", plan)),
        },
        |eval| {
            let kind = eval.kind(0);
            let values = read(eval.arrays[0].as_ref())?;
            Ok(Arc::new(
                values
                    .into_iter()
                    .map(|v| {
                        v.map(|v| {
                            let nanos = match kind {
                                Some(Kind::Date) => v * NANOS_PER_DAY,
                                _ => v,
                            };
                            unix_seconds(nanos)
                        })
                    })
                    .collect::<Float64Array>(),
            ) as ArrayRef)
        },
    )
}

/// Seconds since the epoch as Trino computes them: milliseconds divided by 1000, the
/// digits finer than milliseconds added on.
fn unix_seconds(nanos: i128) -> f64 {
    let millis = nanos.div_euclid(NANOS_PER_MILLI);
    let finer = nanos.rem_euclid(NANOS_PER_MILLI);
    let seconds = millis as f64 / 1000.0;
    if finer == 0 {
        seconds
    } else {
        seconds + finer as f64 / NANOS_PER_SECOND as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_as_doubles() {
        assert_eq!(
            unix_seconds(1_704_164_645_678 * NANOS_PER_MILLI),
            1_704_164_645.678
        );
        assert_eq!(unix_seconds(-500 * NANOS_PER_MILLI), -0.5);
    }
}
