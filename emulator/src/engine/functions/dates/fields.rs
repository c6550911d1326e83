//! The fields of dates, timestamps, times and intervals (`year(x)`, `day_of_week(x)`,
//! `EXTRACT(HOUR FROM x)`, ...) and `last_day_of_month(x)`, as Trino computes them: ISO
//! weeks and weekdays (Monday is 1), the local fields of a zoned timestamp, and the
//! fields of an interval's value (`hour(INTERVAL '-36' HOUR)` is -12).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Date32Array, Int64Array};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;

use super::types::{Kind, NANOS_PER_DAY, NANOS_PER_MILLI, NANOS_PER_SECOND, read};
use super::udf::{Eval, Plan, no_signature, plain, trino_error, udf};
use super::values::to_local;
use super::zones::Zone;
use crate::calendar::{civil_from_days, days_from_civil};

/// A field of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Year,
    Quarter,
    Month,
    Week,
    Day,
    DayOfWeek,
    DayOfYear,
    YearOfWeek,
    Hour,
    Minute,
    Second,
    Millisecond,
    TimezoneHour,
    TimezoneMinute,
}

impl Field {
    /// The field of a function's name (`dow` is `day_of_week`).
    fn of_function(name: &str) -> Option<Field> {
        Some(match name {
            "year" => Field::Year,
            "quarter" => Field::Quarter,
            "month" => Field::Month,
            "week" | "week_of_year" => Field::Week,
            "day" | "day_of_month" => Field::Day,
            "day_of_week" | "dow" => Field::DayOfWeek,
            "day_of_year" | "doy" => Field::DayOfYear,
            "year_of_week" | "yow" => Field::YearOfWeek,
            "hour" => Field::Hour,
            "minute" => Field::Minute,
            "second" => Field::Second,
            "millisecond" => Field::Millisecond,
            "timezone_hour" => Field::TimezoneHour,
            "timezone_minute" => Field::TimezoneMinute,
            _ => return None,
        })
    }

    /// Whether Trino has this field for a kind of value.
    fn applies_to(self, kind: &Kind) -> bool {
        use Field::*;
        let date_field = matches!(
            self,
            Year | Quarter | Month | Week | Day | DayOfWeek | DayOfYear | YearOfWeek
        );
        let time_field = matches!(self, Hour | Minute | Second | Millisecond);
        let zone_field = matches!(self, TimezoneHour | TimezoneMinute);
        match kind {
            // Trino takes a date as a timestamp (midnight, in UTC) for the other fields.
            Kind::Date | Kind::Timestamp(_) => date_field || time_field || zone_field,
            Kind::TimestampTz(..) => {
                date_field || time_field || matches!(self, TimezoneHour | TimezoneMinute)
            }
            Kind::Time(_) => time_field,
            Kind::YearMonth => matches!(self, Year | Month),
            Kind::DaySecond => matches!(self, Day | Hour | Minute | Second | Millisecond),
        }
    }
}

/// The ISO week-based year and week of a day.
fn iso_week(days: i64) -> (i64, i64) {
    let (y, _, _) = civil_from_days(days);
    let weekday = (days + 3).rem_euclid(7) + 1; // Monday is 1
    let ordinal = days - days_from_civil(y, 1, 1) + 1;
    let week = (ordinal - weekday + 10) / 7;
    let weeks_in = |year: i64| {
        // A year has 53 weeks when it starts on a Thursday, or is a leap year starting
        // on a Wednesday.
        let jan1 = (days_from_civil(year, 1, 1) + 3).rem_euclid(7) + 1;
        if jan1 == 4 || (jan1 == 3 && super::text::is_leap(year)) {
            53
        } else {
            52
        }
    };
    if week < 1 {
        (y - 1, weeks_in(y - 1))
    } else if week > weeks_in(y) {
        (y + 1, 1)
    } else {
        (y, week)
    }
}

/// A date field of a day.
fn date_field(field: Field, days: i64) -> i64 {
    let (y, m, d) = civil_from_days(days);
    match field {
        Field::Year => y,
        Field::Quarter => i64::from((m - 1) / 3 + 1),
        Field::Month => i64::from(m),
        Field::Day => i64::from(d),
        Field::DayOfWeek => (days + 3).rem_euclid(7) + 1,
        Field::DayOfYear => days - days_from_civil(y, 1, 1) + 1,
        Field::Week => iso_week(days).1,
        Field::YearOfWeek => iso_week(days).0,
        _ => 0,
    }
}

/// A field of a local date-time (nanoseconds since 1970-01-01 00:00:00).
fn local_field(field: Field, local: i128) -> i64 {
    let days = local.div_euclid(NANOS_PER_DAY) as i64;
    let time = local.rem_euclid(NANOS_PER_DAY);
    time_or_date_field(field, days, time)
}

fn time_or_date_field(field: Field, days: i64, time: i128) -> i64 {
    let seconds = (time / NANOS_PER_SECOND) as i64;
    match field {
        // A date or plain timestamp is in UTC.
        Field::TimezoneHour | Field::TimezoneMinute => 0,
        Field::Hour => seconds / 3600,
        Field::Minute => seconds / 60 % 60,
        Field::Second => seconds % 60,
        Field::Millisecond => ((time % NANOS_PER_SECOND) / NANOS_PER_MILLI) as i64,
        other => date_field(other, days),
    }
}

/// The value of `field` of one value of `kind`.
fn value_of(field: Field, kind: &Kind, v: i128) -> i64 {
    match kind {
        Kind::Date => time_or_date_field(field, v as i64, 0),
        Kind::Timestamp(_) => local_field(field, v),
        Kind::TimestampTz(_, zone) => match field {
            Field::TimezoneHour | Field::TimezoneMinute => {
                let offset = Zone::of(zone)
                    .map_or(0, |z| z.offset_at(v.div_euclid(NANOS_PER_SECOND) as i64));
                if field == Field::TimezoneHour {
                    offset / 3600
                } else {
                    offset / 60 % 60
                }
            }
            _ => local_field(field, to_local(zone, v)),
        },
        Kind::Time(_) => time_or_date_field(field, 0, v),
        Kind::YearMonth => {
            let months = v as i64;
            if field == Field::Year {
                months / 12
            } else {
                months % 12
            }
        }
        Kind::DaySecond => {
            let ms = v as i64;
            match field {
                Field::Day => ms / 86_400_000,
                Field::Hour => ms % 86_400_000 / 3_600_000,
                Field::Minute => ms % 3_600_000 / 60_000,
                Field::Second => ms % 60_000 / 1000,
                _ => ms % 1000,
            }
        }
    }
}

/// `athena_field(name, x)`: `year(x)`, `dow(x)`, ... by the function's name.
pub(crate) fn field() -> ScalarUDF {
    udf("athena_field", |p| plan_field(p, false), eval_field)
}

/// `athena_extract(name, x)`: `EXTRACT(name FROM x)`.
pub(crate) fn extract() -> ScalarUDF {
    udf("athena_extract", |p| plan_field(p, true), eval_field)
}

/// The field an `athena_field`/`athena_extract` call names.
fn named_field(plan_or_name: &str, extract: bool) -> Option<Field> {
    if extract {
        // EXTRACT takes the fields' SQL names; `millisecond` is not one of them.
        if plan_or_name == "millisecond" || plan_or_name == "week_of_year" {
            return None;
        }
    }
    Field::of_function(plan_or_name)
}

fn plan_field(plan: &Plan<'_>, extract: bool) -> Result<FieldRef> {
    let name = plan.text(0).unwrap_or("");
    let Some(field) = named_field(name, extract) else {
        return Err(trino_error(
            "SYNTAX_ERROR",
            format!("Invalid EXTRACT field: {name}"),
        ));
    };
    if plan.fields.len() != 2 {
        return Err(no_signature(name, &rest(plan)));
    }
    match plan.kind(1) {
        Some(kind) if field.applies_to(&kind) => Ok(plain(DataType::Int64)),
        None if plan.is_null(1) => Ok(plain(DataType::Int64)),
        _ if extract => Err(trino_error(
            "TYPE_MISMATCH",
            format!(
                "Type of argument to extract must be DATE, TIME, TIMESTAMP, or INTERVAL (actual {})",
                super::udf::type_name(&plan.fields[1])
            ),
        )),
        _ => Err(no_signature(name, &rest(plan))),
    }
}

/// The plan without its first (name) argument, for messages.
fn rest<'a>(plan: &'a Plan<'a>) -> Plan<'a> {
    Plan {
        fields: &plan.fields[1.min(plan.fields.len())..],
        scalars: &plan.scalars[1.min(plan.scalars.len())..],
    }
}

fn eval_field(eval: &Eval<'_>) -> Result<ArrayRef> {
    let names = super::udf::strings(&eval.arrays[0])?;
    let name = if names.is_empty() { "" } else { names.value(0) };
    let field = Field::of_function(name)
        .ok_or_else(|| trino_error("SYNTAX_ERROR", format!("Invalid field: {name}")))?;
    let Some(kind) = eval.kind(1) else {
        return Ok(Arc::new(Int64Array::new_null(eval.rows)));
    };
    let values = read(eval.arrays[1].as_ref())?;
    Ok(Arc::new(
        values
            .into_iter()
            .map(|v| v.map(|v| value_of(field, &kind, v)))
            .collect::<Int64Array>(),
    ))
}

/// `last_day_of_month(x)`.
pub(crate) fn last_day_of_month() -> ScalarUDF {
    udf("athena_last_day_of_month", plan_last_day, eval_last_day)
}

fn plan_last_day(plan: &Plan<'_>) -> Result<FieldRef> {
    match plan.kind(0) {
        Some(Kind::Date | Kind::Timestamp(_) | Kind::TimestampTz(..)) if plan.fields.len() == 1 => {
            Ok(Kind::Date.field("last_day_of_month"))
        }
        None if plan.fields.len() == 1 && plan.is_null(0) => {
            Ok(Kind::Date.field("last_day_of_month"))
        }
        _ => Err(no_signature("last_day_of_month", plan)),
    }
}

fn eval_last_day(eval: &Eval<'_>) -> Result<ArrayRef> {
    let Some(kind) = eval.kind(0) else {
        return Ok(Arc::new(Date32Array::new_null(eval.rows)));
    };
    let values = read(eval.arrays[0].as_ref())?;
    Ok(Arc::new(
        values
            .into_iter()
            .map(|v| {
                v.map(|v| {
                    let days = match &kind {
                        Kind::Date => v as i64,
                        Kind::TimestampTz(_, zone) => {
                            to_local(zone, v).div_euclid(NANOS_PER_DAY) as i64
                        }
                        _ => v.div_euclid(NANOS_PER_DAY) as i64,
                    };
                    let (y, m, _) = civil_from_days(days);
                    days_from_civil(y, m, super::text::days_in_month(y, m)) as i32
                })
            })
            .collect::<Date32Array>(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks() {
        let d = |y, m, dd| days_from_civil(y, m, dd);
        assert_eq!(iso_week(d(2021, 1, 3)), (2020, 53));
        assert_eq!(iso_week(d(2024, 12, 30)), (2025, 1));
        assert_eq!(iso_week(d(2024, 1, 1)), (2024, 1));
        assert_eq!(iso_week(d(2026, 12, 31)), (2026, 53));
        assert_eq!(iso_week(d(2027, 1, 1)), (2026, 53));
    }

    #[test]
    fn fields_of_values() {
        let sunday = days_from_civil(2024, 3, 17);
        assert_eq!(date_field(Field::DayOfWeek, sunday), 7);
        assert_eq!(date_field(Field::DayOfYear, sunday), 77);
        assert_eq!(value_of(Field::Hour, &Kind::DaySecond, -129_600_000), -12);
        assert_eq!(value_of(Field::Day, &Kind::DaySecond, -129_600_000), -1);
        assert_eq!(value_of(Field::Month, &Kind::YearMonth, -14), -2);
        let tz = Kind::TimestampTz(0, Arc::from("-05:45"));
        assert_eq!(value_of(Field::TimezoneHour, &tz, 0), -5);
        assert_eq!(value_of(Field::TimezoneMinute, &tz, 0), -45);
    }
}
