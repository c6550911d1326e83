//! Literals of the date/time types and casts between them and text, as Trino reads and
//! writes them:
//!
//! - `athena_literal(kind, text)`: `DATE '...'`, `TIMESTAMP '...'` (the precision is the
//!   number of fraction digits; a zone after the time makes it a `timestamp with time
//!   zone`), `TIME '...'` and `INTERVAL '...' <qualifier>`; invalid text fails planning
//!   with INVALID_LITERAL, as in Trino.
//! - `athena_cast(x, type)` / `athena_try_cast(x, type)`: `CAST(x AS DATE | TIME(p) |
//!   TIMESTAMP(p) [WITH TIME ZONE] | INTERVAL ...)` from text and between the date/time
//!   types; a smaller precision rounds half up, as Trino rounds.
//! - [`to_text`]: `CAST(x AS VARCHAR)` of a date/time value.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::FieldRef;
use datafusion::common::Result;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::ScalarUDF;

use super::text::{
    IntervalField, parse_date, parse_datetime, parse_interval, parse_time, write_date,
    write_day_second, write_time, write_timestamp, write_year_month,
};
use super::types::{Kind, MAX_PRECISION, NANOS_PER_DAY, NANOS_PER_SECOND, build, read, round_to};
use super::udf::{Eval, Plan, is_text, not_supported, strings, trino_error, type_name, udf};
use super::zones::{Local, Zone, canonical};

/// `athena_literal(kind, text)`.
pub(crate) fn literal() -> ScalarUDF {
    udf("athena_literal", plan_literal, eval_literal)
}

/// `athena_cast(x, type)`.
pub(crate) fn cast() -> ScalarUDF {
    udf("athena_cast", plan_cast, |e| eval_cast(e, false))
}

/// `athena_try_cast(x, type)`.
pub(crate) fn try_cast() -> ScalarUDF {
    udf("athena_try_cast", plan_cast, |e| eval_cast(e, true))
}

/// The Trino type of a valid date/time literal (`TIMESTAMP`, `2024-01-02 03:04:05.1`),
/// for the rewrite that gives the rows of a VALUES one type.
pub(crate) fn literal_type(kind: &str, text: &str) -> Option<Kind> {
    literal_value(kind, text).ok().map(|(k, _)| k)
}

/// `athena_refuse(what)`: fails planning with NOT_SUPPORTED, naming what the emulator
/// does not do (for rewrites that find it in the query's text).
pub(crate) fn refuse() -> ScalarUDF {
    udf(
        "athena_refuse",
        |plan| Err(not_supported(plan.text(0).unwrap_or("this query"))),
        |_| Err(not_supported("this query")),
    )
}

/// A parsed literal: its kind and value (the numbers of `types`).
fn literal_value(kind: &str, text: &str) -> Result<(Kind, i128)> {
    let invalid = |what: &str| {
        trino_error(
            "INVALID_LITERAL",
            format!("'{text}' is not a valid {what} literal"),
        )
    };
    match kind {
        "DATE" => parse_date(text)
            .map(|d| (Kind::Date, i128::from(d)))
            .ok_or_else(|| invalid("DATE")),
        "TIMESTAMP" => {
            let t = parse_datetime(text).ok_or_else(|| invalid("TIMESTAMP"))?;
            let p = precision_of(t.fraction.len(), "TIMESTAMP", text)?;
            let local = t.local_nanos(p);
            let Some(zone_text) = t.zone else {
                return Ok((Kind::Timestamp(p), local));
            };
            let zone = literal_zone(zone_text).ok_or_else(|| invalid("TIMESTAMP"))??;
            let rules = Zone::of(&zone).ok_or_else(|| invalid("TIMESTAMP"))?;
            let seconds = local.div_euclid(NANOS_PER_SECOND);
            let fraction = local.rem_euclid(NANOS_PER_SECOND);
            let utc = match rules.local_to_utc(seconds as i64) {
                Local::Single(u) | Local::Twice(u, _) => u,
                // A local time the clocks skip is not a valid literal.
                Local::Skipped(_) => return Err(invalid("TIMESTAMP")),
            };
            Ok((
                Kind::TimestampTz(p, Arc::from(zone)),
                i128::from(utc) * NANOS_PER_SECOND + fraction,
            ))
        }
        "TIME" => {
            let t = parse_time(text).ok_or_else(|| invalid("TIME"))?;
            if t.offset_minutes.is_some() {
                return Err(not_supported("TIME WITH TIME ZONE"));
            }
            let p = precision_of(t.fraction.len(), "TIME", text)?;
            let nanos = i128::from(t.seconds) * NANOS_PER_SECOND
                + super::text::fraction_nanos(t.fraction, p);
            Ok((Kind::Time(p), nanos))
        }
        qualifier => {
            let words: Vec<&str> = qualifier.split_whitespace().collect();
            let (from, to) = match words.as_slice() {
                ["INTERVAL", f] => (f, f),
                ["INTERVAL", f, "TO", t] => (f, t),
                _ => return Err(DataFusionError::Internal(format!("literal {qualifier}"))),
            };
            let (Some(from), Some(to)) = (IntervalField::parse(from), IntervalField::parse(to))
            else {
                return Err(DataFusionError::Internal(format!("literal {qualifier}")));
            };
            let kind = if from.is_year_month() {
                Kind::YearMonth
            } else {
                Kind::DaySecond
            };
            let fields = if from == to {
                from.name().to_owned()
            } else {
                format!("{} TO {}", from.name(), to.name())
            };
            parse_interval(text, from, to)
                .map(|v| (kind, i128::from(v)))
                .ok_or_else(|| {
                    trino_error(
                        "INVALID_LITERAL",
                        format!("Invalid INTERVAL {fields} value: {text}"),
                    )
                })
        }
    }
}

/// The zone of a TIMESTAMP literal: `None` when it is no zone at all, NOT_SUPPORTED
/// (Trino's answer) for an offset beyond Trino's ±14:00.
fn literal_zone(text: &str) -> Option<Result<String>> {
    if let Some(id) = canonical(text) {
        return Some(Ok(id));
    }
    let looks_like_offset =
        text.starts_with(['+', '-']) && text[1..].bytes().all(|b| b.is_ascii_digit() || b == b':');
    looks_like_offset.then(|| {
        Err(trino_error(
            "NOT_SUPPORTED",
            format!("Time zone not supported: {text}"),
        ))
    })
}

/// The precision of a literal with `digits` fraction digits.
fn precision_of(digits: usize, what: &str, text: &str) -> Result<u8> {
    match digits {
        0..=9 => Ok(digits as u8),
        10..=12 => Err(not_supported(format!(
            "{what} with more than 9 fraction digits ({text})"
        ))),
        _ => Err(trino_error(
            "INVALID_LITERAL",
            format!("'{text}' is not a valid {what} literal"),
        )),
    }
}

fn plan_literal(plan: &Plan<'_>) -> Result<FieldRef> {
    let (Some(kind), Some(text)) = (plan.text(0), plan.text(1)) else {
        return Err(DataFusionError::Internal(
            "athena_literal takes two constants".to_owned(),
        ));
    };
    let (kind, _) = literal_value(kind, text)?;
    Ok(kind.field("literal"))
}

fn eval_literal(eval: &Eval<'_>) -> Result<ArrayRef> {
    let kinds = strings(&eval.arrays[0])?;
    let texts = strings(&eval.arrays[1])?;
    let mut values = Vec::with_capacity(eval.rows);
    for i in 0..eval.rows {
        values.push(Some(literal_value(kinds.value(i), texts.value(i))?.1));
    }
    build(&eval.out_kind()?, values, &|| out_of_range("literal"))
}

/// The error of a value Arrow cannot hold (a timestamp(7..9) beyond 1677-2262, a date
/// beyond five million years).
pub(crate) fn out_of_range(what: &str) -> DataFusionError {
    not_supported(format!(
        "a {what} outside the range the emulator holds (dates within 5 million years of 1970, timestamp(7) to timestamp(9) within 1677-2262)"
    ))
}

/// The target of a cast, from its Trino spelling (`timestamp(3) with time zone`).
fn target_kind(text: &str) -> Option<Kind> {
    let t = text.trim();
    if t == "date" {
        return Some(Kind::Date);
    }
    if t == "interval year to month" {
        return Some(Kind::YearMonth);
    }
    if t == "interval day to second" {
        return Some(Kind::DaySecond);
    }
    let (base, rest) = t.split_once('(')?;
    let (p, tail) = rest.split_once(')')?;
    let p: u8 = p.trim().parse().ok()?;
    match (base, tail) {
        ("timestamp", "") => Some(Kind::Timestamp(p)),
        // The zone is the value's; planning picks it.
        ("timestamp", " with time zone") => Some(Kind::TimestampTz(p, Arc::from(""))),
        ("time", "") => Some(Kind::Time(p)),
        _ => None,
    }
}

fn plan_cast(plan: &Plan<'_>) -> Result<FieldRef> {
    let target_text = plan
        .text(1)
        .ok_or_else(|| DataFusionError::Internal("athena_cast takes a type".to_owned()))?;
    let target = target_kind(target_text)
        .ok_or_else(|| DataFusionError::Internal(format!("athena_cast to {target_text}")))?;
    if let Some(p) = target.precision()
        && p > MAX_PRECISION
    {
        return Err(not_supported(format!(
            "{} (precision above 9)",
            target_text.trim()
        )));
    }
    let source = plan.kind(0);
    let mismatch = || {
        trino_error(
            "TYPE_MISMATCH",
            format!(
                "Cannot cast {} to {}",
                type_name(&plan.fields[0]),
                target_text
            ),
        )
    };
    let target = match (&target, &source) {
        (Kind::TimestampTz(p, _), Some(Kind::TimestampTz(_, zone))) => {
            Kind::TimestampTz(*p, Arc::clone(zone))
        }
        (Kind::TimestampTz(p, _), Some(Kind::Timestamp(_) | Kind::Date)) => {
            Kind::TimestampTz(*p, Arc::from("UTC"))
        }
        (Kind::TimestampTz(p, _), None) if plan.is_null(0) => {
            Kind::TimestampTz(*p, Arc::from("UTC"))
        }
        (Kind::TimestampTz(p, _), None) if is_text(plan.data_type(0)) => {
            // Every row of an Arrow column has one zone: the zone of a constant is known
            // now; the column of non-constant text is in UTC, and a row in another zone
            // is refused when it is read.
            let zone = plan
                .text(0)
                .and_then(|text| parse_datetime(text.trim()))
                .and_then(|t| match t.zone {
                    Some(z) => canonical(z),
                    None => Some("UTC".to_owned()),
                })
                .unwrap_or_else(|| "UTC".to_owned());
            Kind::TimestampTz(*p, Arc::from(zone))
        }
        (_, None) if plan.is_null(0) || is_text(plan.data_type(0)) => target.clone(),
        (Kind::Date, Some(Kind::Date | Kind::Timestamp(_) | Kind::TimestampTz(..)))
        | (Kind::Timestamp(_), Some(Kind::Date | Kind::Timestamp(_) | Kind::TimestampTz(..)))
        | (Kind::Time(_), Some(Kind::Time(_) | Kind::Timestamp(_) | Kind::TimestampTz(..))) => {
            target.clone()
        }
        (Kind::YearMonth, Some(Kind::YearMonth)) | (Kind::DaySecond, Some(Kind::DaySecond)) => {
            target.clone()
        }
        (Kind::Timestamp(_), Some(Kind::Time(_))) => {
            // Trino puts the session's current date in front of the time.
            return Err(not_supported(
                "CAST of time to timestamp (it takes today's date)",
            ));
        }
        _ => return Err(mismatch()),
    };
    Ok(target.field("cast"))
}

fn eval_cast(eval: &Eval<'_>, try_cast: bool) -> Result<ArrayRef> {
    let target = eval.out_kind()?;
    let input = &eval.arrays[0];
    let overflow = || out_of_range("value");
    if is_text(input.data_type()) {
        let texts = strings(input)?;
        let mut values = Vec::with_capacity(eval.rows);
        for i in 0..eval.rows {
            if texts.is_null(i) {
                values.push(None);
                continue;
            }
            match from_text(&target, texts.value(i)) {
                Ok(v) => values.push(Some(v)),
                Err(_) if try_cast => values.push(None),
                Err(e) => return Err(e),
            }
        }
        return build(&target, values, &overflow);
    }
    let Some(source) = eval.kind(0) else {
        return build(&target, vec![None; eval.rows], &overflow);
    };
    let values = read(input.as_ref())?;
    let converted = values
        .into_iter()
        .map(|v| v.map(|v| convert(&source, &target, v)));
    build(&target, converted, &overflow)
}

/// A value of one kind as another (the pairs `plan_cast` admits).
pub(crate) fn convert(source: &Kind, target: &Kind, v: i128) -> i128 {
    let local = |v: i128| match source {
        Kind::TimestampTz(_, zone) => to_local(zone, v),
        _ => v,
    };
    match (source, target) {
        (Kind::Date, Kind::Date) => v,
        (Kind::Date, Kind::Timestamp(_) | Kind::TimestampTz(..)) => v * NANOS_PER_DAY,
        (Kind::Timestamp(_) | Kind::TimestampTz(..), Kind::Date) => {
            local(v).div_euclid(NANOS_PER_DAY)
        }
        (Kind::TimestampTz(_, from), Kind::TimestampTz(p, to)) if from == to => round_to(v, *p),
        (Kind::Timestamp(_), Kind::TimestampTz(p, _)) => round_to(v, *p),
        (Kind::Timestamp(_) | Kind::TimestampTz(..), Kind::Timestamp(p)) => round_to(local(v), *p),
        (Kind::Timestamp(_) | Kind::TimestampTz(..) | Kind::Time(_), Kind::Time(p)) => {
            round_to(local(v).rem_euclid(NANOS_PER_DAY), *p).rem_euclid(NANOS_PER_DAY)
        }
        _ => v,
    }
}

/// The local time (nanoseconds) of an instant in a zone.
pub(crate) fn to_local(zone: &str, instant: i128) -> i128 {
    let Some(rules) = Zone::of(zone) else {
        return instant;
    };
    let seconds = instant.div_euclid(NANOS_PER_SECOND);
    let offset = rules.offset_at(seconds.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64);
    instant + i128::from(offset) * NANOS_PER_SECOND
}

/// The instant of a local time (nanoseconds) in a zone: the earlier of two, a skipped
/// time shifted forward.
pub(crate) fn from_local(zone: &str, local: i128) -> i128 {
    let Some(rules) = Zone::of(zone) else {
        return local;
    };
    let seconds = local.div_euclid(NANOS_PER_SECOND);
    let fraction = local.rem_euclid(NANOS_PER_SECOND);
    let seconds = seconds.clamp(i128::from(i64::MIN / 2), i128::from(i64::MAX / 2)) as i64;
    i128::from(rules.local_to_utc(seconds).earlier()) * NANOS_PER_SECOND + fraction
}

/// A value of `target` from text, as Trino's CAST reads it.
fn from_text(target: &Kind, text: &str) -> Result<i128> {
    let fail = |what: &str| {
        trino_error(
            "INVALID_CAST_ARGUMENT",
            format!("Value cannot be cast to {what}: {text}"),
        )
    };
    match target {
        Kind::Date => parse_date(text).map(i128::from).ok_or_else(|| fail("date")),
        Kind::Timestamp(p) => {
            // A zone after the time is read and dropped.
            let t = parse_datetime(text.trim()).ok_or_else(|| fail("timestamp"))?;
            Ok(t.local_nanos(*p))
        }
        Kind::TimestampTz(p, zone) => {
            let t = parse_datetime(text.trim()).ok_or_else(|| fail("timestamp"))?;
            let written = match t.zone {
                Some(z) => canonical(z).ok_or_else(|| fail("timestamp"))?,
                None => "UTC".to_owned(),
            };
            if written != zone.as_ref() {
                return Err(not_supported(format!(
                    "CAST of non-constant varchar in a time zone other than {zone} to timestamp with time zone ({text})"
                )));
            }
            Ok(from_local(zone, t.local_nanos(*p)))
        }
        Kind::Time(p) => {
            let t = parse_time(text).ok_or_else(|| fail("time"))?;
            if t.offset_minutes.is_some() {
                return Err(not_supported("CAST of a time with an offset to time"));
            }
            let nanos = i128::from(t.seconds) * NANOS_PER_SECOND
                + super::text::fraction_nanos(t.fraction, *p);
            Ok(nanos.rem_euclid(NANOS_PER_DAY))
        }
        Kind::YearMonth | Kind::DaySecond => Err(trino_error(
            "TYPE_MISMATCH",
            "Cannot cast varchar to an interval",
        )),
    }
}

/// `CAST(x AS VARCHAR)` of a date/time value: Trino's text (a date without Java's `+`
/// for years past 9999), or `None` when the field is not a date/time kind.
pub(crate) fn to_text(field: &FieldRef, array: &ArrayRef) -> Option<Result<ArrayRef>> {
    let kind = Kind::of_field(field)?;
    Some(read(array.as_ref()).map(|values| {
        let mut out = StringBuilder::with_capacity(values.len(), values.len() * 24);
        let mut buf = String::new();
        for v in values {
            match v {
                None => out.append_null(),
                Some(v) => {
                    buf.clear();
                    write_value(&mut buf, &kind, v, false);
                    out.append_value(&buf);
                }
            }
        }
        Arc::new(out.finish()) as ArrayRef
    }))
}

/// The text of one value (`plus`: Java's `+` before years past 9999 in dates, as
/// results show them; CAST to varchar writes none).
pub(crate) fn write_value(out: &mut String, kind: &Kind, v: i128, plus: bool) {
    match kind {
        Kind::Date => write_date(out, v as i64, plus),
        Kind::Timestamp(p) => write_timestamp(out, v, *p),
        Kind::TimestampTz(p, zone) => {
            write_timestamp(out, to_local(zone, v), *p);
            out.push(' ');
            out.push_str(zone);
        }
        Kind::Time(p) => write_time(out, v, *p),
        Kind::YearMonth => write_year_month(out, v as i64),
        Kind::DaySecond => write_day_second(out, v as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_have_trinos_types_and_values() {
        let (k, v) = literal_value("TIMESTAMP", "2024-01-02 03:04:05.12").unwrap();
        assert_eq!(k, Kind::Timestamp(2));
        assert_eq!(v % NANOS_PER_SECOND, 120_000_000);
        let (k, v) = literal_value("TIMESTAMP", "2024-01-02 03:04:05 +05:30").unwrap();
        assert_eq!(k, Kind::TimestampTz(0, Arc::from("+05:30")));
        assert_eq!(v, (1_704_164_645 - 19_800) * NANOS_PER_SECOND);
        let (k, _) = literal_value("TIMESTAMP", "2024-01-02 03:04:05 Etc/GMT-3").unwrap();
        assert_eq!(k, Kind::TimestampTz(0, Arc::from("+03:00")));
        assert!(literal_value("TIMESTAMP", "2024-03-10 02:30:00 America/New_York").is_err());
        assert!(literal_value("TIMESTAMP", "2024-01-02 03:04:05 europe/paris").is_err());
        let e = literal_value("TIMESTAMP", "2024-01-02 03:04:05 +15:00").unwrap_err();
        assert!(e.to_string().contains("NOT_SUPPORTED"), "{e}");
        assert_eq!(
            literal_value("TIME", "01:02:03.5").unwrap().0,
            Kind::Time(1)
        );
        assert_eq!(
            literal_value("INTERVAL DAY TO SECOND", "2 03:04:05").unwrap(),
            (Kind::DaySecond, 183_845_000)
        );
        assert!(literal_value("DATE", "2024-02-30").is_err());
    }

    #[test]
    fn casts_round_and_keep_zones() {
        let ts = Kind::Timestamp(6);
        let v = 1_704_164_645_987_654_000i128;
        assert_eq!(
            convert(&ts, &Kind::Timestamp(2), v),
            1_704_164_645_990_000_000
        );
        assert_eq!(convert(&ts, &Kind::Date, v), 19_724);
        let tokyo = Kind::TimestampTz(0, Arc::from("Asia/Tokyo"));
        // 2024-01-01 18:04:05 UTC is 2024-01-02 03:04:05 in Tokyo.
        let instant = 1_704_132_245i128 * NANOS_PER_SECOND;
        assert_eq!(convert(&tokyo, &Kind::Date, instant), 19_724);
        assert_eq!(
            convert(&tokyo, &Kind::Time(0), instant),
            11_045 * NANOS_PER_SECOND
        );
        assert_eq!(
            from_text(&Kind::Timestamp(0), " 2024-01-02 03:04:05.5 ").unwrap(),
            1_704_164_646 * NANOS_PER_SECOND
        );
        assert!(from_text(&Kind::Date, "2024-01-02 03:04:05").is_err());
    }
}
