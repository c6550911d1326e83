//! Intervals as numbers and text: `to_milliseconds(interval)`, `parse_duration(text)`
//! (airlift's `Duration` syntax, `1.5h`), `human_readable_seconds(seconds)`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Int64Array, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;

use super::types::{Kind, build, read};
use super::udf::{
    Eval, Plan, doubles, is_number, is_text, no_signature, plain, strings, trino_error, udf,
};

/// `to_milliseconds(interval day to second)`.
pub(crate) fn to_milliseconds() -> ScalarUDF {
    udf(
        "athena_to_milliseconds",
        |plan: &Plan<'_>| match plan.kind(0) {
            Some(Kind::DaySecond) if plan.fields.len() == 1 => Ok(plain(DataType::Int64)),
            None if plan.fields.len() == 1 && plan.is_null(0) => Ok(plain(DataType::Int64)),
            _ => Err(no_signature("to_milliseconds", plan)),
        },
        |eval: &Eval<'_>| {
            let values = read(eval.arrays[0].as_ref())?;
            Ok(Arc::new(
                values
                    .into_iter()
                    .map(|v| v.map(|v| v as i64))
                    .collect::<Int64Array>(),
            ) as ArrayRef)
        },
    )
}

/// `parse_duration(text)`.
pub(crate) fn parse_duration() -> ScalarUDF {
    udf(
        "athena_parse_duration",
        |plan: &Plan<'_>| {
            if plan.fields.len() == 1 && (is_text(plan.data_type(0)) || plan.is_null(0)) {
                Ok(Kind::DaySecond.field("parse_duration"))
            } else {
                Err(no_signature("parse_duration", plan))
            }
        },
        |eval: &Eval<'_>| {
            let texts = strings(&eval.arrays[0])?;
            let mut out = Vec::with_capacity(eval.rows);
            for i in 0..eval.rows {
                out.push(if texts.is_null(i) {
                    None
                } else {
                    Some(i128::from(
                        duration_millis(texts.value(i))
                            .map_err(|m| trino_error("INVALID_FUNCTION_ARGUMENT", m))?,
                    ))
                });
            }
            build(&Kind::DaySecond, out, &|| {
                trino_error("INVALID_FUNCTION_ARGUMENT", "duration out of range")
            })
        },
    )
}

/// airlift's `Duration.valueOf(text).toMillis()`: a decimal number and a unit (`ns`,
/// `us`, `ms`, `s`, `m`, `h`, `d`), blanks around and between; milliseconds rounded half
/// up.
fn duration_millis(text: &str) -> std::result::Result<i64, String> {
    if text.is_empty() {
        return Err("duration is empty".to_owned());
    }
    let invalid = || format!("duration is not a valid data duration string: {text}");
    let t = text.trim();
    let number_end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, rest) = t.split_at(number_end);
    let unit = rest.trim_start();
    let valid_number = !number.is_empty()
        && !number.starts_with('.')
        && !number.ends_with('.')
        && number.matches('.').count() <= 1;
    if !valid_number || unit.is_empty() || !unit.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(invalid());
    }
    let value: f64 = number.parse().map_err(|_| invalid())?;
    let millis_per_unit = match unit {
        "ns" => 1e-6,
        "us" => 1e-3,
        "ms" => 1.0,
        "s" => 1e3,
        "m" => 6e4,
        "h" => 3.6e6,
        "d" => 8.64e7,
        other => return Err(format!("Unknown time unit: {other}")),
    };
    let millis = (value * millis_per_unit + 0.5).floor();
    if millis > i64::MAX as f64 {
        return Err(invalid());
    }
    Ok(millis as i64)
}

/// `human_readable_seconds(seconds)`.
pub(crate) fn human_readable_seconds() -> ScalarUDF {
    udf(
        "athena_human_readable_seconds",
        |plan: &Plan<'_>| {
            if plan.fields.len() == 1 && (is_number(plan.data_type(0)) || plan.is_null(0)) {
                Ok(plain(DataType::Utf8))
            } else {
                Err(no_signature("human_readable_seconds", plan))
            }
        },
        |eval: &Eval<'_>| {
            let values = doubles(&eval.arrays[0])?;
            let mut out = StringBuilder::new();
            for v in values {
                match v {
                    None => out.append_null(),
                    Some(v) => out.append_value(human_readable(v)?),
                }
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        },
    )
}

/// `1 hour, 2 minutes, 43 seconds`: the seconds rounded half up, their absolute value
/// in weeks, days, hours, minutes and seconds, the units that are not zero.
fn human_readable(seconds: f64) -> Result<String> {
    if seconds.is_nan() || seconds.is_infinite() {
        let text = if seconds.is_nan() {
            "NaN"
        } else if seconds > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        return Err(trino_error(
            "INVALID_FUNCTION_ARGUMENT",
            format!("Invalid argument found: {text}"),
        ));
    }
    let mut rest = (seconds.abs() + 0.5).floor() as u64;
    let mut parts = Vec::new();
    for (size, name) in [
        (604_800, "week"),
        (86_400, "day"),
        (3600, "hour"),
        (60, "minute"),
        (1, "second"),
    ] {
        let n = rest / size;
        rest %= size;
        if n > 0 {
            parts.push(format!("{n} {name}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if parts.is_empty() {
        return Ok("0 seconds".to_owned());
    }
    Ok(parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_airlift_reads_them() {
        assert_eq!(duration_millis("1.5h"), Ok(5_400_000));
        assert_eq!(duration_millis("3.81 d"), Ok(329_184_000));
        assert_eq!(duration_millis(" 2 h "), Ok(7_200_000));
        assert_eq!(duration_millis("100us"), Ok(0));
        assert_eq!(duration_millis("1000000ns"), Ok(1));
        assert!(
            duration_millis("1 hour")
                .unwrap_err()
                .starts_with("Unknown time unit")
        );
        assert!(duration_millis("-1h").is_err());
        assert_eq!(duration_millis("").unwrap_err(), "duration is empty");
    }

    #[test]
    fn seconds_read_as_people_read_them() {
        assert_eq!(human_readable(96.0).unwrap(), "1 minute, 36 seconds");
        assert_eq!(
            human_readable(3762.5).unwrap(),
            "1 hour, 2 minutes, 43 seconds"
        );
        assert_eq!(human_readable(-1.5).unwrap(), "2 seconds");
        assert_eq!(human_readable(0.4).unwrap(), "0 seconds");
        assert_eq!(human_readable(1_209_601.0).unwrap(), "2 weeks, 1 second");
        assert!(human_readable(f64::NAN).is_err());
    }
}
