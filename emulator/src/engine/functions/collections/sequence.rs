//! `sequence(start, stop[, step])` (`athena_sequence`), as Trino's (trino.io, "Array
//! functions and operators"): bigints (the step is 1 or -1 by default, following the
//! direction), dates (a day by default, or a whole-day or year-month interval) and
//! timestamps (an interval step); each element is `start + k * step`, so a month step
//! from January 31 gives February 29, March 31, April 30. A zero step or one going away
//! from `stop` fails with `INVALID_FUNCTION_ARGUMENT`.
//!
//! More than 10,000 elements fail with `INVALID_FUNCTION_ARGUMENT`, as in Trino: a query
//! that runs here must run on Athena. Longer runs of numbers come from a cross join of
//! two sequences (`examples/common/designs.rs`).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Date32Array, Int64Array, ListArray};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, FieldRef, Int64Type, IntervalMonthDayNanoType, IntervalUnit, TimeUnit,
};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{ReturnFieldArgs, ScalarUDF};

use super::{CollectionFn, CollectionUdf, element_of, field, list_of};
use crate::engine::calendar::{civil_from_days, days_from_civil};
use crate::engine::functions::trino_type_name;

pub(super) fn udfs() -> Vec<ScalarUDF> {
    vec![CollectionUdf::udf("athena_sequence", Sequence)]
}

/// The most elements one batch of sequences may hold (an array's offsets are 32-bit).
const MAX_ELEMENTS: i128 = i32::MAX as i128;

/// The most elements one sequence may have in Trino (`ArraySequence`'s limit).
const MAX_ENTRIES: i128 = 10_000;

const WRONG_DIRECTION: &str = "INVALID_FUNCTION_ARGUMENT: sequence stop value should be greater than or equal to start value if step is greater than zero otherwise stop should be less than or equal to start";

struct Sequence;

fn unexpected<T>(types: &[DataType]) -> Result<T> {
    let shown: Vec<String> = types.iter().map(trino_type_name).collect();
    plan_err!(
        "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function sequence",
        shown.join(", ")
    )
}

fn is_integer(t: &DataType) -> bool {
    t.is_integer() || t.is_null()
}

impl CollectionFn for Sequence {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        let interval = DataType::Interval(IntervalUnit::MonthDayNano);
        match types {
            [a, b] | [a, b, _] if is_integer(a) && is_integer(b) => {
                if types.get(2).is_some_and(|s| !is_integer(s)) {
                    return unexpected(types);
                }
                Ok(vec![DataType::Int64; types.len()])
            }
            [DataType::Date32, DataType::Date32] => Ok(types.to_vec()),
            [DataType::Date32, DataType::Date32, DataType::Interval(_)] => {
                Ok(vec![DataType::Date32, DataType::Date32, interval])
            }
            [
                DataType::Timestamp(u1, z1),
                DataType::Timestamp(u2, z2),
                DataType::Interval(_),
            ] => {
                if z1.is_some() || z2.is_some() {
                    return plan_err!(
                        "NOT_SUPPORTED: sequence of timestamps with time zone is not supported by athena-emulator"
                    );
                }
                let unit = finer(*u1, *u2);
                let t = DataType::Timestamp(unit, None);
                Ok(vec![t.clone(), t, interval])
            }
            _ => unexpected(types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field(
            "sequence",
            list_of(args.arg_fields[0].data_type().clone()),
        ))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let element = element_of(result.data_type())
            .map(Arc::clone)
            .unwrap_or_else(|| field("item", DataType::Int64));
        let mut lens = Vec::with_capacity(rows);
        let mut valid = Vec::with_capacity(rows);
        let values: ArrayRef = match args[0].data_type() {
            DataType::Int64 => {
                let mut out: Vec<i64> = Vec::new();
                let start = args[0].as_primitive::<Int64Type>();
                let stop = args[1].as_primitive::<Int64Type>();
                let step = args.get(2).map(|s| s.as_primitive::<Int64Type>());
                for r in 0..rows {
                    if start.is_null(r) || stop.is_null(r) || step.is_some_and(|s| s.is_null(r)) {
                        lens.push(0);
                        valid.push(false);
                        continue;
                    }
                    let (a, b) = (start.value(r), stop.value(r));
                    let s = step.map_or(if a <= b { 1 } else { -1 }, |s| s.value(r));
                    let n = integer_count(a, b, s)?;
                    check_total(out.len() as i128 + n)?;
                    out.extend((0..n as i64).map(|k| a + k * s));
                    lens.push(n as usize);
                    valid.push(true);
                }
                Arc::new(Int64Array::from(out))
            }
            DataType::Date32 => {
                let mut out: Vec<i32> = Vec::new();
                let start = args[0].as_primitive::<Date32Type>();
                let stop = args[1].as_primitive::<Date32Type>();
                let step = args
                    .get(2)
                    .map(|s| s.as_primitive::<IntervalMonthDayNanoType>());
                for r in 0..rows {
                    if start.is_null(r) || stop.is_null(r) || step.is_some_and(|s| s.is_null(r)) {
                        lens.push(0);
                        valid.push(false);
                        continue;
                    }
                    let (a, b) = (start.value(r), stop.value(r));
                    let dates = match step.map(|s| s.value(r)) {
                        None => {
                            let s = if a <= b { 1 } else { -1 };
                            let n = integer_count(i64::from(a), i64::from(b), s)?;
                            check_total(out.len() as i128 + n)?;
                            (0..n as i32).map(|k| a + k * s as i32).collect()
                        }
                        Some(v) if v.months != 0 => {
                            if v.days != 0 || v.nanoseconds != 0 {
                                return exec_err!(
                                    "INVALID_FUNCTION_ARGUMENT: sequence step must be a day interval if start and end values are dates"
                                );
                            }
                            month_steps(a, b, v.months, out.len())?
                        }
                        Some(v) => {
                            if v.nanoseconds % 86_400_000_000_000 != 0 {
                                return exec_err!(
                                    "INVALID_FUNCTION_ARGUMENT: sequence step must be a day interval if start and end values are dates"
                                );
                            }
                            let days = i64::from(v.days) + v.nanoseconds / 86_400_000_000_000;
                            let n = integer_count(i64::from(a), i64::from(b), days)?;
                            check_total(out.len() as i128 + n)?;
                            (0..n as i64)
                                .map(|k| (i64::from(a) + k * days) as i32)
                                .collect()
                        }
                    };
                    lens.push(dates.len());
                    out.extend(dates);
                    valid.push(true);
                }
                Arc::new(Date32Array::from(out))
            }
            DataType::Timestamp(unit, _) => {
                let unit = *unit;
                let start = cast(&args[0], &DataType::Int64)?;
                let stop = cast(&args[1], &DataType::Int64)?;
                let (start, stop) = (
                    start.as_primitive::<Int64Type>(),
                    stop.as_primitive::<Int64Type>(),
                );
                let step = args[2].as_primitive::<IntervalMonthDayNanoType>();
                let mut out: Vec<i64> = Vec::new();
                for r in 0..rows {
                    if start.is_null(r) || stop.is_null(r) || step.is_null(r) {
                        lens.push(0);
                        valid.push(false);
                        continue;
                    }
                    let (a, b, v) = (start.value(r), stop.value(r), step.value(r));
                    let values = if v.months != 0 {
                        if v.days != 0 || v.nanoseconds != 0 {
                            return exec_err!(
                                "INVALID_FUNCTION_ARGUMENT: sequence step must be a day-time or a year-month interval"
                            );
                        }
                        timestamp_month_steps(a, b, v.months, unit, out.len())?
                    } else {
                        let nanos =
                            i128::from(v.days) * 86_400_000_000_000 + i128::from(v.nanoseconds);
                        let per_unit = i128::from(nanos_per(unit));
                        let s = i64::try_from(nanos / per_unit).unwrap_or(i64::MAX);
                        let n = integer_count(a, b, s)?;
                        check_total(out.len() as i128 + n)?;
                        (0..n as i64).map(|k| a + k * s).collect()
                    };
                    lens.push(values.len());
                    out.extend(values);
                    valid.push(true);
                }
                let ints = Int64Array::from(out);
                cast(&ints, &DataType::Timestamp(unit, None))?
            }
            other => return exec_err!("sequence of {other} is not defined"),
        };
        let nulls = NullBuffer::from(valid);
        Ok(Arc::new(ListArray::try_new(
            element,
            OffsetBuffer::from_lengths(lens),
            values,
            (nulls.null_count() > 0).then_some(nulls),
        )?))
    }
}

/// The finer of two time units.
fn finer(a: TimeUnit, b: TimeUnit) -> TimeUnit {
    if nanos_per(a) <= nanos_per(b) { a } else { b }
}

fn nanos_per(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1_000_000_000,
        TimeUnit::Millisecond => 1_000_000,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1,
    }
}

/// How many elements `start, start + step, ...` has up to `stop`; fails as Trino on a
/// zero step or one going away from `stop`.
fn integer_count(start: i64, stop: i64, step: i64) -> Result<i128> {
    if step == 0 {
        return exec_err!("INVALID_FUNCTION_ARGUMENT: step must not be zero");
    }
    if (step > 0 && stop < start) || (step < 0 && stop > start) {
        return exec_err!("{WRONG_DIRECTION}");
    }
    let n = (i128::from(stop) - i128::from(start)) / i128::from(step) + 1;
    check_entries(n)?;
    Ok(n)
}

/// Trino's limit on the length of one sequence.
fn check_entries(n: i128) -> Result<()> {
    if n > MAX_ENTRIES {
        return exec_err!(
            "INVALID_FUNCTION_ARGUMENT: result of sequence function must not have more than {MAX_ENTRIES} entries"
        );
    }
    Ok(())
}

fn check_total(n: i128) -> Result<()> {
    if n > MAX_ELEMENTS {
        return exec_err!(
            "INVALID_FUNCTION_ARGUMENT: result of sequence function must not have more than {MAX_ELEMENTS} entries"
        );
    }
    Ok(())
}

/// `days` (since the epoch) plus `months`, the day clamped to the month's last (January
/// 31 + 1 month is the last day of February).
fn add_months(days: i64, months: i64) -> i64 {
    let (y, m, d) = civil_from_days(days);
    let total = y * 12 + i64::from(m) - 1 + months;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let last = match m {
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    };
    days_from_civil(y, m, d.min(last))
}

/// Dates (days since the epoch) from `start` by `months` to `stop`.
fn month_steps(start: i32, stop: i32, months: i32, already: usize) -> Result<Vec<i32>> {
    if (months > 0 && stop < start) || (months < 0 && stop > start) {
        return exec_err!("{WRONG_DIRECTION}");
    }
    let mut out = Vec::new();
    for k in 0i64.. {
        let days = add_months(i64::from(start), k * i64::from(months));
        if (months > 0 && days > i64::from(stop)) || (months < 0 && days < i64::from(stop)) {
            break;
        }
        out.push(days as i32);
        check_entries(out.len() as i128)?;
        check_total((already + out.len()) as i128)?;
    }
    Ok(out)
}

/// Timestamps (in `unit` since the epoch) from `start` by `months` to `stop`.
fn timestamp_month_steps(
    start: i64,
    stop: i64,
    months: i32,
    unit: TimeUnit,
    already: usize,
) -> Result<Vec<i64>> {
    if (months > 0 && stop < start) || (months < 0 && stop > start) {
        return exec_err!("{WRONG_DIRECTION}");
    }
    let per_day = i128::from(86_400_000_000_000 / nanos_per(unit));
    let (day, time) = (
        i128::from(start).div_euclid(per_day),
        i128::from(start).rem_euclid(per_day),
    );
    let mut out = Vec::new();
    for k in 0i64.. {
        let days = add_months(day as i64, k * i64::from(months));
        let Ok(v) = i64::try_from(i128::from(days) * per_day + time) else {
            break;
        };
        if (months > 0 && v > stop) || (months < 0 && v < stop) {
            break;
        }
        out.push(v);
        check_entries(out.len() as i128)?;
        check_total((already + out.len()) as i128)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_trinos_rules() {
        assert_eq!(integer_count(1, 10, 3).unwrap(), 4);
        assert_eq!(integer_count(10, 1, -4).unwrap(), 3);
        assert_eq!(integer_count(3, 3, 1).unwrap(), 1);
        assert!(
            integer_count(1, 5, 0)
                .unwrap_err()
                .to_string()
                .contains("step must not be zero")
        );
        assert!(
            integer_count(1, 5, -1)
                .unwrap_err()
                .to_string()
                .contains("stop value")
        );
    }

    #[test]
    fn a_sequence_holds_at_most_trinos_ten_thousand_entries() {
        assert_eq!(integer_count(1, 10_000, 1).unwrap(), 10_000);
        assert_eq!(integer_count(0, 19_998, 2).unwrap(), 10_000);
        assert!(integer_count(0, 20_000, 2).is_err());
        assert!(
            integer_count(1, 10_001, 1)
                .unwrap_err()
                .to_string()
                .contains("must not have more than 10000 entries")
        );
        let day = |y, m, d| days_from_civil(y, m, d) as i32;
        // 10,001 months from 1900.
        assert!(month_steps(day(1900, 1, 1), day(2733, 5, 1), 1, 0).is_err());
        assert_eq!(
            month_steps(day(1900, 1, 1), day(2733, 4, 1), 1, 0)
                .unwrap()
                .len(),
            10_000
        );
    }

    #[test]
    fn month_steps_clamp_to_the_months_last_day() {
        let day = |y, m, d| days_from_civil(y, m, d) as i32;
        assert_eq!(
            month_steps(day(2024, 1, 31), day(2024, 5, 1), 1, 0).unwrap(),
            vec![
                day(2024, 1, 31),
                day(2024, 2, 29),
                day(2024, 3, 31),
                day(2024, 4, 30)
            ]
        );
        assert_eq!(
            month_steps(day(2024, 3, 31), day(2024, 1, 1), -1, 0).unwrap(),
            vec![day(2024, 3, 31), day(2024, 2, 29), day(2024, 1, 31)]
        );
    }
}
