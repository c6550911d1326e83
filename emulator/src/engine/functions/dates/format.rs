//! Dates and timestamps to and from text with a pattern or in ISO 8601: `date_format`,
//! `date_parse` (MySQL specifiers), `format_datetime`, `parse_datetime` (Joda-Time
//! patterns), `to_iso8601`, `from_iso8601_timestamp`, `from_iso8601_timestamp_nanos`,
//! `from_iso8601_date`.
//!
//! A parsed `timestamp with time zone` takes the zone written in the text, or UTC (the
//! session's). Arrow keeps one zone per column: the zone of constant text is known when
//! the query is planned; for text that is not constant the column's zone is UTC, and a
//! row written in another zone is refused with NOT_SUPPORTED rather than shown in UTC.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, StringArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::ScalarUDF;

use super::pattern::{self, Moment, Token};
use super::text::checked_days;
use super::types::{Kind, NANOS_PER_DAY, NANOS_PER_MILLI, NANOS_PER_SECOND, build, read};
use super::udf::{
    Eval, Plan, is_text, no_signature, not_supported, plain, strings, trino_error, udf,
};
use super::values::{from_local, out_of_range, to_local};
use super::zones::{canonical, offset_id};

fn invalid(message: impl std::fmt::Display) -> DataFusionError {
    trino_error("INVALID_FUNCTION_ARGUMENT", message)
}

/// The current year (Joda's pivot of `yy` is 30 years before it).
fn current_year() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    crate::calendar::civil_from_days(now.div_euclid(86_400)).0
}

/// Which pattern language a function takes.
#[derive(Clone, Copy)]
enum Language {
    MySql,
    Joda,
}

fn tokens(language: Language, pattern: &str) -> Result<Vec<Token>> {
    match language {
        Language::MySql => pattern::mysql(pattern),
        Language::Joda => pattern::joda(pattern, current_year()),
    }
    .map_err(invalid)
}

/// The tokens of every row's pattern, read once per distinct pattern in a row.
struct Patterns {
    language: Language,
    last: Option<(String, Vec<Token>)>,
}

impl Patterns {
    fn get(&mut self, pattern: &str) -> Result<&[Token]> {
        if self.last.as_ref().is_none_or(|(p, _)| p != pattern) {
            self.last = Some((pattern.to_owned(), tokens(self.language, pattern)?));
        }
        Ok(self.last.as_ref().map_or(&[], |(_, t)| t.as_slice()))
    }
}

/// `date_format(x, format)`.
pub(crate) fn date_format() -> ScalarUDF {
    udf(
        "athena_date_format",
        |p| plan_format(p, "date_format"),
        |e| eval_format(e, Language::MySql),
    )
}

/// `format_datetime(x, pattern)`.
pub(crate) fn format_datetime() -> ScalarUDF {
    udf(
        "athena_format_datetime",
        |p| plan_format(p, "format_datetime"),
        |e| eval_format(e, Language::Joda),
    )
}

fn plan_format(plan: &Plan<'_>, name: &str) -> Result<FieldRef> {
    let value_ok = matches!(
        plan.kind(0),
        Some(Kind::Date | Kind::Timestamp(_) | Kind::TimestampTz(..))
    ) || plan.is_null(0);
    if plan.fields.len() != 2 || !value_ok || !(is_text(plan.data_type(1)) || plan.is_null(1)) {
        return Err(no_signature(name, plan));
    }
    Ok(plain(DataType::Utf8))
}

fn eval_format(eval: &Eval<'_>, language: Language) -> Result<ArrayRef> {
    let kind = eval.kind(0);
    let values = read(eval.arrays[0].as_ref())?;
    let formats = strings(&eval.arrays[1])?;
    let mut patterns = Patterns {
        language,
        last: None,
    };
    let mut out = StringBuilder::new();
    for (i, v) in values.into_iter().enumerate() {
        let (Some(v), false) = (v, formats.is_null(i)) else {
            out.append_null();
            continue;
        };
        let tokens = patterns.get(formats.value(i))?;
        if matches!(language, Language::Joda)
            && !matches!(kind, Some(Kind::TimestampTz(..)))
            && tokens.iter().any(|t| {
                matches!(
                    t,
                    Token::Offset { .. } | Token::ZoneId | Token::ZoneName { .. }
                )
            })
        {
            return Err(invalid(
                "format_datetime for TIMESTAMP type, cannot use 'Z' nor 'z' in format, as this type does not contain TZ information",
            ));
        }
        let (local, offset, zone) = match &kind {
            Some(Kind::Date) => (v * NANOS_PER_DAY, 0, "UTC"),
            Some(Kind::TimestampTz(_, zone)) => {
                let local = to_local(zone, v);
                let offset = ((local - v) / NANOS_PER_SECOND) as i64;
                (local, offset, zone.as_ref())
            }
            _ => (v, 0, "UTC"),
        };
        // Joda keeps milliseconds.
        let millis = local.div_euclid(NANOS_PER_MILLI);
        let moment = Moment {
            days: millis.div_euclid(86_400_000) as i64,
            millis: millis.rem_euclid(86_400_000) as i64,
            offset,
            zone,
        };
        out.append_value(pattern::print(tokens, &moment).map_err(not_supported)?);
    }
    Ok(Arc::new(out.finish()))
}

/// `date_parse(text, format)`: a timestamp(3).
pub(crate) fn date_parse() -> ScalarUDF {
    udf(
        "athena_date_parse",
        |plan| {
            if plan.fields.len() == 2
                && (is_text(plan.data_type(0)) || plan.is_null(0))
                && (is_text(plan.data_type(1)) || plan.is_null(1))
            {
                Ok(Kind::Timestamp(3).field("date_parse"))
            } else {
                Err(no_signature("date_parse", plan))
            }
        },
        |eval| {
            let texts = strings(&eval.arrays[0])?;
            let formats = strings(&eval.arrays[1])?;
            let mut patterns = Patterns {
                language: Language::MySql,
                last: None,
            };
            let mut out = Vec::with_capacity(eval.rows);
            for i in 0..eval.rows {
                if texts.is_null(i) || formats.is_null(i) {
                    out.push(None);
                    continue;
                }
                let tokens = patterns.get(formats.value(i))?;
                let parsed = pattern::parse(tokens, texts.value(i), &|_| None).map_err(|m| {
                    if m.starts_with("parsing") {
                        not_supported(m)
                    } else {
                        invalid(m)
                    }
                })?;
                out.push(Some(
                    i128::from(parsed.days) * NANOS_PER_DAY
                        + i128::from(parsed.millis) * NANOS_PER_MILLI,
                ));
            }
            build(&Kind::Timestamp(3), out, &|| {
                out_of_range("date_parse result")
            })
        },
    )
}

/// The zone of one parsed value: Trino's id of the offset or zone read, else UTC.
fn parsed_zone(offset_minutes: Option<i64>, zone: Option<&str>) -> Option<String> {
    match (zone, offset_minutes) {
        (Some(z), _) => Some(z.to_owned()),
        (None, Some(m)) => offset_id(m),
        (None, None) => Some("UTC".to_owned()),
    }
}

/// A local date-time (nanoseconds) in a zone or at an offset, as an instant.
fn instant(local: i128, offset_minutes: Option<i64>, zone: &str) -> i128 {
    match offset_minutes {
        Some(m) => local - i128::from(m) * 60 * NANOS_PER_SECOND,
        None => from_local(zone, local),
    }
}

/// `parse_datetime(text, pattern)`: a timestamp(3) with time zone.
pub(crate) fn parse_datetime() -> ScalarUDF {
    udf(
        "athena_parse_datetime",
        plan_parse_datetime,
        eval_parse_datetime,
    )
}

fn plan_parse_datetime(plan: &Plan<'_>) -> Result<FieldRef> {
    if plan.fields.len() != 2
        || !(is_text(plan.data_type(0)) || plan.is_null(0))
        || !(is_text(plan.data_type(1)) || plan.is_null(1))
    {
        return Err(no_signature("parse_datetime", plan));
    }
    let mut zone = "UTC".to_owned();
    if let (Some(text), Some(pattern)) = (plan.text(0), plan.text(1)) {
        let tokens = tokens(Language::Joda, pattern)?;
        if let Ok(p) = pattern::parse(&tokens, text, &canonical) {
            zone = parsed_zone(p.offset_minutes, p.zone.as_deref()).unwrap_or(zone);
        }
    }
    Ok(Kind::TimestampTz(3, Arc::from(zone)).field("parse_datetime"))
}

/// The refusal of a row whose zone is not the column's.
fn other_zone(function: &str, text: &str) -> DataFusionError {
    not_supported(format!(
        "{function} of non-constant text in a time zone other than UTC ({text})"
    ))
}

fn eval_parse_datetime(eval: &Eval<'_>) -> Result<ArrayRef> {
    let kind = eval.out_kind()?;
    let Kind::TimestampTz(_, column_zone) = &kind else {
        return Err(DataFusionError::Internal("parse_datetime".to_owned()));
    };
    let texts = strings(&eval.arrays[0])?;
    let patterns_in = strings(&eval.arrays[1])?;
    let mut patterns = Patterns {
        language: Language::Joda,
        last: None,
    };
    let mut out = Vec::with_capacity(eval.rows);
    for i in 0..eval.rows {
        if texts.is_null(i) || patterns_in.is_null(i) {
            out.push(None);
            continue;
        }
        let text = texts.value(i);
        let tokens = patterns.get(patterns_in.value(i))?;
        let p = pattern::parse(tokens, text, &canonical).map_err(|m| {
            if m.starts_with("parsing") {
                not_supported(m)
            } else {
                invalid(m)
            }
        })?;
        let zone = parsed_zone(p.offset_minutes, p.zone.as_deref())
            .ok_or_else(|| invalid(format!("Invalid offset in \"{text}\"")))?;
        if zone != column_zone.as_ref() {
            return Err(other_zone("parse_datetime", text));
        }
        let local = i128::from(p.days) * NANOS_PER_DAY + i128::from(p.millis) * NANOS_PER_MILLI;
        out.push(Some(instant(local, p.offset_minutes, &zone)));
    }
    build(&kind, out, &|| out_of_range("parse_datetime result"))
}

/// `to_iso8601(x)`.
pub(crate) fn to_iso8601() -> ScalarUDF {
    udf(
        "athena_to_iso8601",
        |plan| {
            // Trino's varchar(n): the longest text of the type.
            let length = match plan.kind(0) {
                Some(Kind::Date) => 16,
                Some(Kind::Timestamp(p)) => 22 + if p > 0 { usize::from(p) + 1 } else { 0 },
                Some(Kind::TimestampTz(p, _)) => 28 + if p > 0 { usize::from(p) + 1 } else { 0 },
                None if plan.is_null(0) => 16,
                _ => return Err(no_signature("to_iso8601", plan)),
            };
            if plan.fields.len() != 1 {
                return Err(no_signature("to_iso8601", plan));
            }
            let field =
                datafusion::arrow::datatypes::Field::new("to_iso8601", DataType::Utf8, true)
                    .with_metadata(
                        [(
                            crate::engine::names::ATHENA_TYPE_KEY.to_owned(),
                            format!("varchar({length})"),
                        )]
                        .into(),
                    );
            Ok(Arc::new(field))
        },
        |eval| {
            let kind = eval.kind(0);
            let values = read(eval.arrays[0].as_ref())?;
            let mut out = StringBuilder::new();
            for v in values {
                let Some(v) = v else {
                    out.append_null();
                    continue;
                };
                let mut s = String::new();
                match &kind {
                    Some(Kind::Date) => super::text::write_date(&mut s, v as i64, false),
                    Some(Kind::Timestamp(p)) => iso_local(&mut s, v, *p),
                    Some(Kind::TimestampTz(p, zone)) => {
                        let local = to_local(zone, v);
                        iso_local(&mut s, local, *p);
                        let offset = ((local - v) / NANOS_PER_SECOND) as i64;
                        if offset == 0 {
                            s.push('Z');
                        } else {
                            let m = offset.abs() / 60;
                            let sign = if offset < 0 { '-' } else { '+' };
                            s.push_str(&format!("{sign}{:02}:{:02}", m / 60, m % 60));
                        }
                    }
                    _ => {}
                }
                out.append_value(s);
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        },
    )
}

/// `2024-01-02T03:04:05.123`.
fn iso_local(out: &mut String, local: i128, p: u8) {
    let mut s = String::new();
    super::text::write_timestamp(&mut s, local, p);
    out.push_str(&s.replacen(' ', "T", 1));
}

/// An ISO 8601 date and time as Joda's parsers read it.
#[derive(Debug, PartialEq, Eq)]
struct Iso {
    days: i64,
    nanos: i128,
    offset_minutes: Option<i64>,
}

// layout: long function, because one left-to-right pass over the text, field by field, as Joda reads it; the position is its state
/// Reads `[+-]yyyy[-MM[-dd]]`, `yyyy-Www[-e]`, `yyyy-DDD`; with `time`, then
/// `[THH[:mm[:ss[.fff]]]][Z|±HH[:mm]]` (fields of one digit too, as Joda reads them). `full` requires a whole date and a time with
/// minutes (java.time's ISO_DATE_TIME). The message of Trino's error otherwise.
fn parse_iso(text: &str, time: bool, full: bool) -> std::result::Result<Iso, String> {
    let b = text.as_bytes();
    let mut at = 0;
    let malformed = |at: usize| {
        if at == 0 || at >= text.len() {
            format!("Invalid format: \"{text}\"")
        } else {
            format!(
                "Invalid format: \"{text}\" is malformed at \"{}\"",
                &text[at..]
            )
        }
    };
    let digits = |at: &mut usize, min: usize, max: usize| -> Option<i64> {
        let start = *at;
        while *at < b.len() && *at - start < max && b[*at].is_ascii_digit() {
            *at += 1;
        }
        if *at - start < min {
            *at = start;
            return None;
        }
        text[start..*at].parse().ok()
    };
    let negative = at < b.len() && b[at] == b'-';
    if at < b.len() && (b[at] == b'-' || b[at] == b'+') {
        at += 1;
    }
    let year = digits(&mut at, 1, 9).ok_or_else(|| malformed(0))?;
    let year = if negative { -year } else { year };
    let range = |v: i64, name: &str, high: i64| {
        if v < 1 || v > high {
            Err(format!(
                "Cannot parse \"{text}\": Value {v} for {name} must be in the range [1,{high}]"
            ))
        } else {
            Ok(v)
        }
    };
    let mut days = checked_days(year, 1, 1).ok_or_else(|| malformed(0))?;
    let mut whole_date = false;
    if at < b.len() && b[at] == b'-' {
        at += 1;
        if at < b.len() && b[at] == b'W' {
            at += 1;
            let week = digits(&mut at, 1, 2).ok_or_else(|| malformed(at))?;
            let mut weekday = 1;
            if at < b.len() && b[at] == b'-' {
                at += 1;
                weekday = digits(&mut at, 1, 1).ok_or_else(|| malformed(at))?;
            }
            range(week, "weekOfWeekyear", 53)?;
            range(weekday, "dayOfWeek", 7)?;
            // Week 1 is the week of January 4th.
            let jan4 = checked_days(year, 1, 4).ok_or_else(|| malformed(0))?;
            let monday = jan4 - (jan4 + 3).rem_euclid(7);
            days = monday + (week - 1) * 7 + weekday - 1;
        } else {
            let start = at;
            let n = digits(&mut at, 1, 3).ok_or_else(|| malformed(start))?;
            if at - start == 3 {
                let max = if super::text::is_leap(year) { 366 } else { 365 };
                days += range(n, "dayOfYear", max)? - 1;
                whole_date = true;
            } else {
                let month = range(n, "monthOfYear", 12)?;
                let mut day = 1;
                if at < b.len() && b[at] == b'-' {
                    at += 1;
                    day = digits(&mut at, 1, 2).ok_or_else(|| malformed(at))?;
                    range(
                        day,
                        "dayOfMonth",
                        i64::from(super::text::days_in_month(year, month as u32)),
                    )?;
                    whole_date = true;
                }
                days = checked_days(year, month, day).ok_or_else(|| malformed(0))?;
            }
        }
    }
    let mut nanos = 0i128;
    let mut offset_minutes = None;
    if full && !whole_date {
        return Err(malformed(at));
    }
    if time && at < b.len() && b[at] == b'T' {
        at += 1;
        let hour = digits(&mut at, 1, 2).ok_or_else(|| malformed(at))?;
        let (mut minute, mut second) = (0, 0);
        let mut had_minutes = false;
        if at < b.len() && b[at] == b':' {
            at += 1;
            minute = digits(&mut at, 1, 2).ok_or_else(|| malformed(at))?;
            had_minutes = true;
            if at < b.len() && b[at] == b':' {
                at += 1;
                second = digits(&mut at, 1, 2).ok_or_else(|| malformed(at))?;
                if at < b.len() && (b[at] == b'.' || b[at] == b',') {
                    at += 1;
                    let start = at;
                    while at < b.len() && at - start < 9 && b[at].is_ascii_digit() {
                        at += 1;
                    }
                    if at == start {
                        return Err(malformed(start));
                    }
                    nanos = format!("{:0<9}", &text[start..at]).parse().unwrap_or(0);
                }
            }
        }
        if full && !had_minutes {
            return Err(malformed(at));
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(format!("Cannot parse \"{text}\": time out of range"));
        }
        nanos += i128::from(hour * 3600 + minute * 60 + second) * NANOS_PER_SECOND;
        if at < b.len() && b[at] == b'Z' {
            at += 1;
            offset_minutes = Some(0);
        } else if at < b.len() && (b[at] == b'+' || b[at] == b'-') {
            let sign = if b[at] == b'-' { -1 } else { 1 };
            at += 1;
            let h = digits(&mut at, 2, 2).ok_or_else(|| malformed(at))?;
            let mut m = 0;
            if at < b.len() && b[at] == b':' {
                at += 1;
                m = digits(&mut at, 2, 2).ok_or_else(|| malformed(at))?;
            } else if at < b.len() && b[at].is_ascii_digit() {
                m = digits(&mut at, 2, 2).ok_or_else(|| malformed(at))?;
            }
            offset_minutes = Some(sign * (h * 60 + m));
        }
    } else if full {
        return Err(malformed(at));
    }
    if at < b.len() {
        return Err(malformed(at));
    }
    Ok(Iso {
        days,
        nanos,
        offset_minutes,
    })
}

/// `from_iso8601_timestamp(text)` (precision 3) and `from_iso8601_timestamp_nanos(text)`
/// (precision 9).
pub(crate) fn from_iso8601_timestamp() -> ScalarUDF {
    udf(
        "athena_from_iso8601_timestamp",
        |p| plan_from_iso(p, "from_iso8601_timestamp", 3),
        |e| eval_from_iso(e, "from_iso8601_timestamp", false),
    )
}

/// `from_iso8601_timestamp_nanos(text)`.
pub(crate) fn from_iso8601_timestamp_nanos() -> ScalarUDF {
    udf(
        "athena_from_iso8601_timestamp_nanos",
        |p| plan_from_iso(p, "from_iso8601_timestamp_nanos", 9),
        |e| eval_from_iso(e, "from_iso8601_timestamp_nanos", true),
    )
}

fn plan_from_iso(plan: &Plan<'_>, name: &str, p: u8) -> Result<FieldRef> {
    if plan.fields.len() != 1 || !(is_text(plan.data_type(0)) || plan.is_null(0)) {
        return Err(no_signature(name, plan));
    }
    let mut zone = "UTC".to_owned();
    if let Some(text) = plan.text(0)
        && let Ok(iso) = parse_iso(text, true, p == 9)
    {
        zone = parsed_zone(iso.offset_minutes, None).unwrap_or(zone);
    }
    Ok(Kind::TimestampTz(p, Arc::from(zone)).field(name))
}

fn eval_from_iso(eval: &Eval<'_>, name: &str, full: bool) -> Result<ArrayRef> {
    let kind = eval.out_kind()?;
    let Kind::TimestampTz(p, column_zone) = &kind else {
        return Err(DataFusionError::Internal(name.to_owned()));
    };
    let texts: StringArray = strings(&eval.arrays[0])?;
    let mut out = Vec::with_capacity(eval.rows);
    for i in 0..eval.rows {
        if texts.is_null(i) {
            out.push(None);
            continue;
        }
        let text = texts.value(i);
        let iso = parse_iso(text, true, full).map_err(invalid)?;
        let zone = parsed_zone(iso.offset_minutes, None)
            .ok_or_else(|| invalid(format!("Invalid offset in \"{text}\"")))?;
        if zone != column_zone.as_ref() {
            return Err(other_zone(name, text));
        }
        let nanos = if *p == 3 {
            iso.nanos.div_euclid(NANOS_PER_MILLI) * NANOS_PER_MILLI
        } else {
            iso.nanos
        };
        let local = i128::from(iso.days) * NANOS_PER_DAY + nanos;
        out.push(Some(instant(local, iso.offset_minutes, &zone)));
    }
    build(&kind, out, &|| out_of_range("timestamp"))
}

/// `from_iso8601_date(text)`.
pub(crate) fn from_iso8601_date() -> ScalarUDF {
    udf(
        "athena_from_iso8601_date",
        |plan| {
            if plan.fields.len() == 1 && (is_text(plan.data_type(0)) || plan.is_null(0)) {
                Ok(Kind::Date.field("from_iso8601_date"))
            } else {
                Err(no_signature("from_iso8601_date", plan))
            }
        },
        |eval| {
            let texts = strings(&eval.arrays[0])?;
            let mut out = Vec::with_capacity(eval.rows);
            for i in 0..eval.rows {
                out.push(if texts.is_null(i) {
                    None
                } else {
                    Some(i128::from(
                        parse_iso(texts.value(i), false, false)
                            .map_err(invalid)?
                            .days,
                    ))
                });
            }
            build(&Kind::Date, out, &|| out_of_range("date"))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::days_from_civil;

    #[test]
    fn iso_8601_as_joda_reads_it() {
        let jan2 = days_from_civil(2024, 1, 2);
        let iso = parse_iso("2024-01-02T03:04:05.123+05:30", true, false).unwrap();
        assert_eq!(iso.days, jan2);
        assert_eq!(iso.offset_minutes, Some(330));
        assert_eq!(iso.nanos, 11_045_123_000_000);
        assert_eq!(
            parse_iso("2024-W01-1", false, false).unwrap().days,
            days_from_civil(2024, 1, 1)
        );
        assert_eq!(
            parse_iso("2024-032", false, false).unwrap().days,
            days_from_civil(2024, 2, 1)
        );
        assert_eq!(
            parse_iso("2024", true, false).unwrap().days,
            days_from_civil(2024, 1, 1)
        );
        assert!(
            parse_iso("2024-01-02 03:04:05", true, false)
                .unwrap_err()
                .contains("malformed at \" 03:04:05\"")
        );
        assert!(
            parse_iso("2024-02-30", false, false)
                .unwrap_err()
                .contains("dayOfMonth")
        );
        assert!(parse_iso("2024-01-02", true, true).is_err());
    }
}
