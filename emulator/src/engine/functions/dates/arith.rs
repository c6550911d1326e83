//! Calendar arithmetic as Trino does it (through Joda-Time's ISO chronology):
//! `date_add`, `date_diff` and `date_trunc` for every unit, and the month arithmetic the
//! interval operators share.
//!
//! - Adding months keeps the day of the month, or the month's last day when it has fewer
//!   (`2024-01-31` plus a month is `2024-02-29`); quarters are three months.
//! - `date_diff` counts whole units from the first value to the second, negative when
//!   the first is later; a month is whole when the day and time of day are reached, or
//!   when the second value is the last day of its month (`2024-01-31` to `2024-02-29`
//!   is a month); a year likewise, with February 29 counted as 28 in a year without it.
//!   Quarters are months divided by three.
//! - On a `timestamp with time zone`, units of a day or more work on the local time of
//!   the first argument's zone, smaller units on the instant; timestamps finer than
//!   milliseconds are floored to milliseconds for `date_diff`.
//! - Times take millisecond to hour, and wrap around midnight.

use std::sync::Arc;

use datafusion::arrow::array::Array;
use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;

use super::text::days_in_month;
use super::types::{
    Kind, NANOS_PER_DAY, NANOS_PER_MILLI, NANOS_PER_SECOND, build, floor_to, read, round_to,
};
use super::udf::{
    Eval, Plan, integers, is_integer, is_text, no_signature, plain, strings, trino_error, udf,
};
use super::values::{from_local, out_of_range, to_local};
use crate::calendar::{civil_from_days, days_from_civil};

/// A unit of `date_add`, `date_diff` and `date_trunc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Unit {
    /// Milliseconds.
    Millisecond,
    /// Seconds.
    Second,
    /// Minutes.
    Minute,
    /// Hours.
    Hour,
    /// Days.
    Day,
    /// Weeks, from Monday.
    Week,
    /// Months.
    Month,
    /// Quarters: three months, from January, April, July and October.
    Quarter,
    /// Years.
    Year,
}

impl Unit {
    fn parse(text: &str) -> Option<Unit> {
        Some(match text.to_ascii_lowercase().as_str() {
            "millisecond" => Unit::Millisecond,
            "second" => Unit::Second,
            "minute" => Unit::Minute,
            "hour" => Unit::Hour,
            "day" => Unit::Day,
            "week" => Unit::Week,
            "month" => Unit::Month,
            "quarter" => Unit::Quarter,
            "year" => Unit::Year,
            _ => return None,
        })
    }

    /// The fixed length of units up to a week, in nanoseconds.
    fn nanos(self) -> Option<i128> {
        Some(match self {
            Unit::Millisecond => NANOS_PER_MILLI,
            Unit::Second => NANOS_PER_SECOND,
            Unit::Minute => 60 * NANOS_PER_SECOND,
            Unit::Hour => 3600 * NANOS_PER_SECOND,
            Unit::Day => NANOS_PER_DAY,
            Unit::Week => 7 * NANOS_PER_DAY,
            _ => return None,
        })
    }
}

/// The unit of row `i`, checked for the kind of value: `'hour' is not a valid DATE field`
/// as Trino says it.
fn unit_for(text: &str, kind: &Kind) -> Result<Unit> {
    let unit = Unit::parse(text);
    let (ok, name) = match kind {
        Kind::Date => (unit.filter(|u| *u >= Unit::Day), "DATE"),
        Kind::Time(_) => (unit.filter(|u| *u <= Unit::Hour), "TIME"),
        _ => (unit, "TIMESTAMP"),
    };
    ok.ok_or_else(|| {
        trino_error(
            "INVALID_FUNCTION_ARGUMENT",
            format!(
                "'{}' is not a valid {name} field",
                text.to_ascii_lowercase()
            ),
        )
    })
}

/// The day `months` months after `days`, the day of the month clamped to the month's end.
pub(crate) fn add_months(days: i64, months: i64) -> Option<i64> {
    let (y, m, d) = civil_from_days(days);
    let total = (y.checked_mul(12)?)
        .checked_add(i64::from(m) - 1)?
        .checked_add(months)?;
    let year = total.div_euclid(12);
    if year.abs() > 999_999_999 {
        return None;
    }
    let month = (total.rem_euclid(12) + 1) as u32;
    let day = d.min(days_in_month(year, month));
    Some(days_from_civil(year, month, day))
}

/// A local date-time (nanoseconds) plus `months` months, the time of day kept.
pub(crate) fn add_months_local(local: i128, months: i64) -> Option<i128> {
    let days = local.div_euclid(NANOS_PER_DAY);
    let time = local.rem_euclid(NANOS_PER_DAY);
    let days = add_months(i64::try_from(days).ok()?, months)?;
    Some(i128::from(days) * NANOS_PER_DAY + time)
}

/// Joda's month difference of two local date-times (milliseconds), `a - b`.
fn months_between(a: i128, b: i128) -> i64 {
    if a < b {
        return -months_between(b, a);
    }
    let (ad, at) = (
        a.div_euclid(NANOS_PER_DAY) as i64,
        a.rem_euclid(NANOS_PER_DAY),
    );
    let (bd, bt) = (
        b.div_euclid(NANOS_PER_DAY) as i64,
        b.rem_euclid(NANOS_PER_DAY),
    );
    let (ay, am, aday) = civil_from_days(ad);
    let (by, bm, mut bday) = civil_from_days(bd);
    let mut difference = (ay - by) * 12 + i64::from(am) - i64::from(bm);
    // The later value on the last day of its month: a longer earlier month counts whole.
    if aday == days_in_month(ay, am) && bday > aday {
        bday = aday;
    }
    if (aday, at) < (bday, bt) {
        difference -= 1;
    }
    difference
}

/// Joda's year difference of two local date-times, `a - b`.
fn years_between(a: i128, b: i128) -> i64 {
    if a < b {
        return -years_between(b, a);
    }
    let year_start = |v: i128| {
        let (y, _, _) = civil_from_days(v.div_euclid(NANOS_PER_DAY) as i64);
        (y, i128::from(days_from_civil(y, 1, 1)) * NANOS_PER_DAY)
    };
    let (ay, a_start) = year_start(a);
    let (by, b_start) = year_start(b);
    let mut a_rem = a - a_start;
    let mut b_rem = b - b_start;
    // Joda balances February 29: past it, a leap year's remainder is a day longer.
    let feb_29 = 59 * NANOS_PER_DAY;
    if b_rem >= feb_29 {
        if super::text::is_leap(by) {
            if !super::text::is_leap(ay) {
                b_rem -= NANOS_PER_DAY;
            }
        } else if a_rem >= feb_29 && super::text::is_leap(ay) {
            a_rem -= NANOS_PER_DAY;
        }
    }
    let mut difference = ay - by;
    if a_rem < b_rem {
        difference -= 1;
    }
    difference
}

/// Whole `unit`s from local date-time `b` to `a` (`a - b`), nanoseconds.
fn units_between(unit: Unit, a: i128, b: i128) -> i64 {
    match unit {
        Unit::Month => months_between(a, b),
        Unit::Quarter => months_between(a, b) / 3,
        Unit::Year => years_between(a, b),
        fixed => {
            let step = fixed.nanos().unwrap_or(1);
            ((a - b) / step) as i64
        }
    }
}

/// A local date-time truncated to `unit`.
fn truncate_local(unit: Unit, v: i128) -> i128 {
    match unit {
        Unit::Millisecond | Unit::Second | Unit::Minute | Unit::Hour | Unit::Day => {
            let step = unit.nanos().unwrap_or(1);
            v.div_euclid(step) * step
        }
        _ => {
            let days = v.div_euclid(NANOS_PER_DAY) as i64;
            let start = match unit {
                // 1970-01-01 was a Thursday: Monday is three days before.
                Unit::Week => days - (days + 3).rem_euclid(7),
                _ => {
                    let (y, m, _) = civil_from_days(days);
                    let m = match unit {
                        Unit::Month => m,
                        Unit::Quarter => (m - 1) / 3 * 3 + 1,
                        _ => 1,
                    };
                    days_from_civil(y, m, 1)
                }
            };
            i128::from(start) * NANOS_PER_DAY
        }
    }
}

/// `v` plus `n` `unit`s, on the kind's values.
fn add(kind: &Kind, unit: Unit, n: i64, v: i128) -> Option<i128> {
    let months = match unit {
        Unit::Month => Some(n),
        Unit::Quarter => Some(n.checked_mul(3)?),
        Unit::Year => Some(n.checked_mul(12)?),
        _ => None,
    };
    match kind {
        Kind::Date => match months {
            Some(m) => add_months(v as i64, m).map(i128::from),
            None => v.checked_add(i128::from(n) * unit.nanos()? / NANOS_PER_DAY),
        },
        Kind::Time(_) => {
            let step = unit.nanos()?;
            Some((v + i128::from(n) * step).rem_euclid(NANOS_PER_DAY))
        }
        Kind::Timestamp(_) => match months {
            Some(m) => add_months_local(v, m),
            None => v.checked_add(i128::from(n).checked_mul(unit.nanos()?)?),
        },
        Kind::TimestampTz(_, zone) => match (months, unit) {
            (None, Unit::Millisecond | Unit::Second | Unit::Minute | Unit::Hour) => {
                v.checked_add(i128::from(n) * unit.nanos()?)
            }
            // Days and longer units add to the local time in the zone.
            (None, _) => {
                let local =
                    to_local(zone, v).checked_add(i128::from(n).checked_mul(unit.nanos()?)?)?;
                Some(from_local(zone, local))
            }
            (Some(m), _) => Some(from_local(zone, add_months_local(to_local(zone, v), m)?)),
        },
        _ => None,
    }
}

/// `date_add(unit, value, x)`.
pub(crate) fn date_add() -> ScalarUDF {
    udf("athena_date_add", plan_date_add, eval_date_add)
}

fn plan_date_add(plan: &Plan<'_>) -> Result<FieldRef> {
    let ok = plan.fields.len() == 3
        && (is_text(plan.data_type(0)) || plan.is_null(0))
        && (is_integer(plan.data_type(1)) || plan.is_null(1));
    match plan.kind(2) {
        Some(kind @ (Kind::Date | Kind::Time(_) | Kind::Timestamp(_) | Kind::TimestampTz(..)))
            if ok =>
        {
            Ok(kind.field("date_add"))
        }
        None if ok && plan.is_null(2) => Ok(plain(DataType::Null)),
        _ => Err(no_signature("date_add", plan)),
    }
}

fn eval_date_add(eval: &Eval<'_>) -> Result<ArrayRef> {
    let kind = eval.out_kind()?;
    let units = strings(&eval.arrays[0])?;
    let amounts = integers(&eval.arrays[1])?;
    let values = read(eval.arrays[2].as_ref())?;
    let mut out = Vec::with_capacity(eval.rows);
    for (i, v) in values.into_iter().enumerate() {
        let (Some(v), Some(n)) = (v, amounts[i]) else {
            out.push(None);
            continue;
        };
        if units.is_null(i) {
            out.push(None);
            continue;
        }
        let unit = unit_for(units.value(i), &kind)?;
        if matches!(kind, Kind::Date) && i32::try_from(n).is_err() {
            // Trino adds an int number of days to a date.
            return Err(trino_error("GENERIC_INTERNAL_ERROR", "integer overflow"));
        }
        let sum = add(&kind, unit, n, v).ok_or_else(|| out_of_range("date_add result"))?;
        // A time or timestamp keeps its precision: the sum is rounded to it.
        out.push(Some(match kind {
            Kind::Time(p) => round_to(sum, p).rem_euclid(NANOS_PER_DAY),
            Kind::Timestamp(p) | Kind::TimestampTz(p, _) => round_to(sum, p),
            Kind::Date => sum,
            _ => sum,
        }));
    }
    build(&kind, out, &|| out_of_range("date_add result"))
}

/// `date_diff(unit, a, b)`.
pub(crate) fn date_diff() -> ScalarUDF {
    udf("athena_date_diff", plan_date_diff, eval_date_diff)
}

fn plan_date_diff(plan: &Plan<'_>) -> Result<FieldRef> {
    let unit_ok = plan.fields.len() == 3 && (is_text(plan.data_type(0)) || plan.is_null(0));
    let (a, b) = (plan.kind(1), plan.kind(2));
    let compatible = match (&a, &b) {
        (Some(Kind::Date), Some(Kind::Date)) | (Some(Kind::Time(_)), Some(Kind::Time(_))) => true,
        (
            Some(Kind::Date | Kind::Timestamp(_) | Kind::TimestampTz(..)),
            Some(Kind::Date | Kind::Timestamp(_) | Kind::TimestampTz(..)),
        ) => true,
        (Some(k), None) | (None, Some(k)) => {
            !k.is_interval() && (plan.is_null(1) || plan.is_null(2))
        }
        (None, None) => plan.is_null(1) && plan.is_null(2),
        _ => false,
    };
    if !(unit_ok && compatible) {
        return Err(no_signature("date_diff", plan));
    }
    Ok(plain(DataType::Int64))
}

/// The common kind two `date_diff` arguments are compared as (Trino coerces a date to a
/// timestamp, a timestamp to a timestamp with time zone in the session zone, UTC).
fn diff_kind(a: &Option<Kind>, b: &Option<Kind>) -> Kind {
    match (a, b) {
        (Some(Kind::TimestampTz(_, z)), _) | (_, Some(Kind::TimestampTz(_, z))) => {
            Kind::TimestampTz(9, Arc::clone(z))
        }
        (Some(Kind::Timestamp(_)), _) | (_, Some(Kind::Timestamp(_))) => Kind::Timestamp(9),
        (Some(Kind::Time(_)), _) | (_, Some(Kind::Time(_))) => Kind::Time(9),
        _ => Kind::Date,
    }
}

fn eval_date_diff(eval: &Eval<'_>) -> Result<ArrayRef> {
    let (ka, kb) = (eval.kind(1), eval.kind(2));
    let common = diff_kind(&ka, &kb);
    let units = strings(&eval.arrays[0])?;
    let a = read(eval.arrays[1].as_ref())?;
    let b = read(eval.arrays[2].as_ref())?;
    // Values as the common kind's numbers: instants for zoned timestamps (a plain
    // timestamp is in UTC), local times otherwise; dates as midnight.
    let as_common = |kind: &Option<Kind>, v: i128| -> i128 {
        match (kind, &common) {
            (Some(Kind::Date), Kind::Timestamp(_) | Kind::TimestampTz(..)) => v * NANOS_PER_DAY,
            (Some(Kind::Date), _) => v * NANOS_PER_DAY,
            _ => v,
        }
    };
    let first_zone = match &ka {
        Some(Kind::TimestampTz(_, z)) => Some(Arc::clone(z)),
        _ => None,
    };
    let mut out = Vec::with_capacity(eval.rows);
    for i in 0..eval.rows {
        let (Some(x), Some(y)) = (a[i], b[i]) else {
            out.push(None);
            continue;
        };
        if units.is_null(i) {
            out.push(None);
            continue;
        }
        let unit = unit_for(units.value(i), &common)?;
        let (x, y) = (as_common(&ka, x), as_common(&kb, y));
        let diff = match &common {
            Kind::Time(_) => {
                let step = unit.nanos().unwrap_or(1);
                ((y - x) / step) as i64
            }
            Kind::TimestampTz(..) => {
                // Joda works in milliseconds: finer digits are floored.
                let (x, y) = (floor_to(x, 3), floor_to(y, 3));
                if unit <= Unit::Hour {
                    units_between(unit, y, x)
                } else {
                    // Days and longer: local times in the first argument's zone.
                    let zone = first_zone.as_deref().unwrap_or("UTC");
                    units_between(unit, to_local(zone, y), to_local(zone, x))
                }
            }
            _ => units_between(unit, floor_to(y, 3), floor_to(x, 3)),
        };
        out.push(Some(diff));
    }
    Ok(Arc::new(datafusion::arrow::array::Int64Array::from(out)))
}

/// `date_trunc(unit, x)`.
pub(crate) fn date_trunc() -> ScalarUDF {
    udf("athena_date_trunc", plan_date_trunc, eval_date_trunc)
}

fn plan_date_trunc(plan: &Plan<'_>) -> Result<FieldRef> {
    let ok = plan.fields.len() == 2 && (is_text(plan.data_type(0)) || plan.is_null(0));
    match plan.kind(1) {
        Some(kind @ (Kind::Date | Kind::Time(_) | Kind::Timestamp(_) | Kind::TimestampTz(..)))
            if ok =>
        {
            Ok(kind.field("date_trunc"))
        }
        None if ok && plan.is_null(1) => Ok(plain(DataType::Null)),
        _ => Err(no_signature("date_trunc", plan)),
    }
}

fn eval_date_trunc(eval: &Eval<'_>) -> Result<ArrayRef> {
    let kind = eval.out_kind()?;
    let units = strings(&eval.arrays[0])?;
    let values = read(eval.arrays[1].as_ref())?;
    let mut out = Vec::with_capacity(eval.rows);
    for (i, v) in values.into_iter().enumerate() {
        let Some(v) = v else {
            out.push(None);
            continue;
        };
        if units.is_null(i) {
            out.push(None);
            continue;
        }
        let unit = unit_for(units.value(i), &kind)?;
        out.push(Some(match &kind {
            Kind::Date => truncate_local(unit, v * NANOS_PER_DAY) / NANOS_PER_DAY,
            Kind::TimestampTz(_, zone) => {
                if unit <= Unit::Hour {
                    // Time units: on the local time, the instant's offset kept.
                    let local = to_local(zone, v);
                    v - (local - truncate_local(unit, local))
                } else {
                    from_local(zone, truncate_local(unit, to_local(zone, v)))
                }
            }
            _ => truncate_local(unit, v),
        }));
    }
    build(&kind, out, &|| out_of_range("date_trunc result"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i64, m: u32, d: u32) -> i128 {
        i128::from(days_from_civil(y, m, d)) * NANOS_PER_DAY
    }

    #[test]
    fn months_are_added_as_joda_adds_them() {
        let d = |y, m, dd| days_from_civil(y, m, dd);
        assert_eq!(add_months(d(2024, 1, 31), 1), Some(d(2024, 2, 29)));
        assert_eq!(add_months(d(2024, 3, 31), -13), Some(d(2023, 2, 28)));
        assert_eq!(add_months(d(2024, 2, 29), 12), Some(d(2025, 2, 28)));
        assert_eq!(add_months(d(2024, 11, 30), 3), Some(d(2025, 2, 28)));
    }

    #[test]
    fn differences_are_jodas() {
        assert_eq!(months_between(day(2024, 2, 29), day(2024, 1, 31)), 1);
        assert_eq!(months_between(day(2024, 2, 14), day(2024, 1, 15)), 0);
        assert_eq!(months_between(day(2024, 2, 29), day(2024, 3, 31)), -1);
        assert_eq!(months_between(day(2023, 2, 28), day(2023, 1, 31)), 1);
        let hour = 3600 * NANOS_PER_SECOND;
        assert_eq!(
            months_between(day(2024, 2, 29) + 9 * hour, day(2024, 1, 31) + 10 * hour),
            0
        );
        assert_eq!(years_between(day(2021, 2, 28), day(2020, 2, 29)), 1);
        assert_eq!(years_between(day(2020, 2, 29), day(2019, 3, 1)), 0);
        assert_eq!(years_between(day(2024, 2, 28), day(2020, 2, 29)), 3);
        assert_eq!(
            units_between(Unit::Quarter, day(2023, 10, 16), day(2024, 1, 15)),
            0
        );
        assert_eq!(
            units_between(Unit::Week, day(2024, 1, 14), day(2024, 1, 1)),
            1
        );
    }

    #[test]
    fn truncation() {
        let friday = day(2024, 3, 15) + 3_723_456 * NANOS_PER_MILLI;
        assert_eq!(truncate_local(Unit::Week, friday), day(2024, 3, 11));
        assert_eq!(truncate_local(Unit::Quarter, friday), day(2024, 1, 1));
        assert_eq!(
            truncate_local(Unit::Hour, friday),
            day(2024, 3, 15) + 3600 * NANOS_PER_SECOND
        );
        assert_eq!(truncate_local(Unit::Second, -1), -NANOS_PER_SECOND);
    }
}
