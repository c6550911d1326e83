//! Arrow values as the crate's [`Value`]s, and through [`Value::to_athena_text`] as
//! Athena's text: the one renderer of that text in the library, so that a row read
//! from a Parquet file is the row `GetQueryResults` and the result file give
//! (docs/athena.md, "Values").
//!
//! A `Value` keeps dates, times, timestamps and decimals as Athena's text, so those are
//! written here, from the numbers Arrow holds, in the forms docs/athena.md gives.

use std::fmt::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal32Type, Decimal64Type, Decimal128Type, Decimal256Type,
    Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    Time32MillisecondType, Time32SecondType, Time64MicrosecondType, Time64NanosecondType,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, MapArray, StructArray};
use arrow_schema::{DataType, TimeUnit};

use super::schema::{INT96_PRECISION, precision};
use crate::value::Value;

/// The text of every value of a column (`None` for NULL), as Athena writes it.
/// `int96`: the column's timestamps are INT96 (see [`precision`]).
///
/// # Errors
/// A value of a type without an Athena type (the schema check refuses those first), or
/// a timestamp out of range.
pub(crate) fn column_texts(array: &ArrayRef, int96: bool) -> Result<Vec<Option<String>>, String> {
    let len = array.len();
    // Logical nulls: a dictionary's NULL may sit in its values, a Null array has no
    // null buffer at all.
    let nulls = array.logical_nulls();
    let is_null = |i: usize| nulls.as_ref().is_some_and(|n| n.is_null(i));
    let mut out = Vec::with_capacity(len);
    if let Some(dictionary) = array.as_any_dictionary_opt() {
        let keys = dictionary.normalized_keys();
        let values = dictionary.values();
        for (i, key) in keys.into_iter().enumerate().take(len) {
            out.push(if is_null(i) {
                None
            } else {
                Some(text(value(values.as_ref(), key, int96)?))
            });
        }
        return Ok(out);
    }
    for i in 0..len {
        out.push(if is_null(i) {
            None
        } else {
            Some(text(value(array.as_ref(), i, int96)?))
        });
    }
    Ok(out)
}

/// A value's text: a string is its own text (moved, not copied); anything else is
/// rendered by [`Value::to_athena_text`].
fn text(value: Value) -> String {
    match value {
        Value::Varchar(s) => s,
        other => other.to_athena_text(),
    }
}

/// The value at `i` (not NULL: callers check) of `array`.
pub(crate) fn value(array: &dyn Array, i: usize, int96: bool) -> Result<Value, String> {
    Ok(match array.data_type() {
        DataType::Null => Value::Null,
        DataType::Boolean => Value::Boolean(array.as_boolean().value(i)),
        DataType::Int8 => Value::TinyInt(array.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => Value::SmallInt(array.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => Value::Integer(array.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => Value::BigInt(array.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => Value::SmallInt(i16::from(array.as_primitive::<UInt8Type>().value(i))),
        DataType::UInt16 => Value::Integer(i32::from(array.as_primitive::<UInt16Type>().value(i))),
        DataType::UInt32 => Value::BigInt(i64::from(array.as_primitive::<UInt32Type>().value(i))),
        DataType::UInt64 => Value::Decimal(array.as_primitive::<UInt64Type>().value(i).to_string()),
        DataType::Float16 => Value::Real(array.as_primitive::<Float16Type>().value(i).to_f32()),
        DataType::Float32 => Value::Real(array.as_primitive::<Float32Type>().value(i)),
        DataType::Float64 => Value::Double(array.as_primitive::<Float64Type>().value(i)),
        DataType::Decimal32(_, s) => Value::Decimal(decimal_text(
            &array.as_primitive::<Decimal32Type>().value(i).to_string(),
            *s,
        )),
        DataType::Decimal64(_, s) => Value::Decimal(decimal_text(
            &array.as_primitive::<Decimal64Type>().value(i).to_string(),
            *s,
        )),
        DataType::Decimal128(_, s) => Value::Decimal(decimal_text(
            &array.as_primitive::<Decimal128Type>().value(i).to_string(),
            *s,
        )),
        DataType::Decimal256(_, s) => Value::Decimal(decimal_text(
            &array.as_primitive::<Decimal256Type>().value(i).to_string(),
            *s,
        )),
        DataType::Utf8 => Value::Varchar(array.as_string::<i32>().value(i).to_owned()),
        DataType::LargeUtf8 => Value::Varchar(array.as_string::<i64>().value(i).to_owned()),
        DataType::Utf8View => Value::Varchar(array.as_string_view().value(i).to_owned()),
        DataType::Binary => Value::Varbinary(array.as_binary::<i32>().value(i).to_vec()),
        DataType::LargeBinary => Value::Varbinary(array.as_binary::<i64>().value(i).to_vec()),
        DataType::BinaryView => Value::Varbinary(array.as_binary_view().value(i).to_vec()),
        DataType::FixedSizeBinary(_) => {
            Value::Varbinary(array.as_fixed_size_binary().value(i).to_vec())
        }
        DataType::Date32 => Value::Date(date_text(i64::from(
            array.as_primitive::<Date32Type>().value(i),
        ))),
        DataType::Date64 => Value::Date(date_text(
            array
                .as_primitive::<Date64Type>()
                .value(i)
                .div_euclid(MILLIS_PER_DAY),
        )),
        DataType::Time32(_) | DataType::Time64(_) | DataType::Timestamp(..) => {
            temporal(array, i, int96)?
        }
        DataType::List(_) => list(array.as_list::<i32>().value(i).as_ref(), int96)?,
        DataType::LargeList(_) => list(array.as_list::<i64>().value(i).as_ref(), int96)?,
        DataType::FixedSizeList(..) => list(array.as_fixed_size_list().value(i).as_ref(), int96)?,
        DataType::Map(..) => map(array.as_map(), i, int96)?,
        DataType::Struct(_) => row(array.as_struct(), i, int96)?,
        other => return Err(format!("the Arrow type {other} has no Athena type")),
    })
}

/// A time of day or a timestamp: Athena's text from Arrow's ticks of its unit.
fn temporal(array: &dyn Array, i: usize, int96: bool) -> Result<Value, String> {
    Ok(match array.data_type() {
        DataType::Time32(unit) | DataType::Time64(unit) => {
            let ticks = match unit {
                TimeUnit::Second => i64::from(array.as_primitive::<Time32SecondType>().value(i)),
                TimeUnit::Millisecond => {
                    i64::from(array.as_primitive::<Time32MillisecondType>().value(i))
                }
                TimeUnit::Microsecond => array.as_primitive::<Time64MicrosecondType>().value(i),
                TimeUnit::Nanosecond => array.as_primitive::<Time64NanosecondType>().value(i),
            };
            let mut out = String::with_capacity(18);
            write_time_of_day(&mut out, ticks, *unit)?;
            Value::Time(out)
        }
        DataType::Timestamp(unit, zone) => {
            let ticks = match unit {
                TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(i),
                TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().value(i),
                TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(i),
                TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(i),
            };
            match zone {
                None => Value::Timestamp(timestamp_text(ticks, *unit, int96, None)?),
                Some(zone) => {
                    Value::TimestampWithTimeZone(timestamp_text(ticks, *unit, int96, Some(zone))?)
                }
            }
        }
        other => return Err(format!("{other} is not a time or a timestamp")),
    })
}

/// A part of a nested value: NULL or its value.
fn element(array: &dyn Array, i: usize, int96: bool) -> Result<Value, String> {
    if array.is_null(i) {
        Ok(Value::Null)
    } else {
        value(array, i, int96)
    }
}

fn list(values: &dyn Array, int96: bool) -> Result<Value, String> {
    (0..values.len())
        .map(|j| element(values, j, int96))
        .collect::<Result<_, _>>()
        .map(Value::Array)
}

fn map(map: &MapArray, i: usize, int96: bool) -> Result<Value, String> {
    let offsets = map.value_offsets();
    let (start, end) = (offsets[i], offsets[i + 1]);
    let (start, end) = (
        usize::try_from(start).map_err(|_| "a negative map offset")?,
        usize::try_from(end).map_err(|_| "a negative map offset")?,
    );
    let (keys, values) = (map.keys(), map.values());
    (start..end)
        .map(|j| {
            Ok((
                element(keys.as_ref(), j, int96)?,
                element(values.as_ref(), j, int96)?,
            ))
        })
        .collect::<Result<_, String>>()
        .map(Value::Map)
}

/// A row, with its field names: Athena's UNLOAD writes only named rows (Trino's Hive
/// writer refuses anonymous fields).
fn row(row: &StructArray, i: usize, int96: bool) -> Result<Value, String> {
    row.fields()
        .iter()
        .zip(row.columns())
        .map(|(field, column)| {
            Ok((
                Some(field.name().clone()),
                element(column.as_ref(), i, int96)?,
            ))
        })
        .collect::<Result<_, String>>()
        .map(Value::Row)
}

const SECONDS_PER_DAY: i64 = 86_400;
const MILLIS_PER_DAY: i64 = 86_400_000;

/// Ticks of `unit` per second.
fn per_second(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

/// A decimal's text from its unscaled digits: exactly `scale` digits after the point
/// (`150` at scale 2 is `1.50`, `-5` is `-0.05`). A negative scale is refused by the
/// schema check, so it is never seen here.
pub(crate) fn decimal_text(unscaled: &str, scale: i8) -> String {
    let (sign, digits) = match unscaled.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", unscaled),
    };
    let scale = usize::try_from(scale).unwrap_or(0);
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, fraction) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{fraction}")
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01, in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
pub(crate) fn date_text(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(10);
    write_year(&mut out, y);
    let _ = write!(out, "-{m:02}-{d:02}");
    out
}

fn write_year(out: &mut String, y: i64) {
    if y < 0 {
        let _ = write!(out, "-{:04}", y.unsigned_abs());
    } else {
        let _ = write!(out, "{y:04}");
    }
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    // The month and day are small by construction (1..=12, 1..=31).
    let (m, d) = (
        u32::try_from(m).unwrap_or_default(),
        u32::try_from(d).unwrap_or_default(),
    );
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `HH:MM:SS` and the fraction of `unit` (none for seconds), of `ticks` since midnight.
fn write_time_of_day(out: &mut String, ticks: i64, unit: TimeUnit) -> Result<(), String> {
    let per = per_second(unit);
    let seconds = ticks.div_euclid(per);
    if !(0..SECONDS_PER_DAY).contains(&seconds) {
        return Err(format!(
            "time of day {ticks} ({unit:?}) is not within a day"
        ));
    }
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    let digits = per.ilog10() as usize;
    if digits > 0 {
        let _ = write!(out, ".{:0digits$}", ticks.rem_euclid(per));
    }
    Ok(())
}

/// A timestamp's text (docs/athena.md, "Values"): `YYYY-MM-DD HH:MM:SS` and `p`
/// fraction digits, `p` the unit's (see [`precision`]), then for a timestamp with a
/// time zone a space and the zone.
///
/// INT96 timestamps (microseconds) are rounded half up to milliseconds, as Athena engine 3 rounds
/// values with more digits than a column's precision. A zone given as an offset
/// (`+05:30`) shifts the local time and is written as given, `+00:00` and `UTC` as
/// `UTC`; a zone by IANA name cannot be resolved without a time zone database, so such
/// a value is written as the same instant in UTC.
fn timestamp_text(
    ticks: i64,
    unit: TimeUnit,
    int96: bool,
    zone: Option<&str>,
) -> Result<String, String> {
    let out_of_range = || format!("timestamp {ticks} ({unit:?}) is out of range");
    let (ticks, unit) = if precision(unit, int96) == INT96_PRECISION
        && matches!(unit, TimeUnit::Microsecond | TimeUnit::Nanosecond)
    {
        // Only INT96 columns are read below their unit's precision, at 3 digits.
        let per_milli = per_second(unit) / 1_000;
        (
            ticks
                .checked_add(per_milli / 2)
                .ok_or_else(out_of_range)?
                .div_euclid(per_milli),
            TimeUnit::Millisecond,
        )
    } else {
        (ticks, unit)
    };
    let per = per_second(unit);
    let (offset, zone_text) = match zone.map(zone_offset) {
        None => (0, None),
        Some(Some((seconds, text))) => (seconds, Some(text)),
        Some(None) => (0, Some("UTC".to_owned())),
    };
    let seconds = ticks
        .div_euclid(per)
        .checked_add(offset)
        .ok_or_else(out_of_range)?;
    let fraction = ticks.rem_euclid(per);
    let mut out = date_text(seconds.div_euclid(SECONDS_PER_DAY));
    out.push(' ');
    write_time_of_day(
        &mut out,
        seconds.rem_euclid(SECONDS_PER_DAY) * per + fraction,
        unit,
    )?;
    if let Some(zone) = zone_text {
        out.push(' ');
        out.push_str(&zone);
    }
    Ok(out)
}

/// A zone's offset in seconds and how Athena writes it: `UTC` for UTC, an offset as
/// `+hh:mm`. `None` for a zone by any other name.
fn zone_offset(zone: &str) -> Option<(i64, String)> {
    if matches!(
        zone,
        "UTC" | "Z" | "Etc/UTC" | "+00:00" | "-00:00" | "+0000" | "+00"
    ) {
        return Some((0, "UTC".to_owned()));
    }
    let (sign, rest) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    let (h, m) = rest
        .split_once(':')
        .unwrap_or((rest.get(..2)?, rest.get(2..)?));
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    if h > 23 || m > 59 || h < 0 || m < 0 {
        return None;
    }
    Some((
        sign * (h * 3600 + m * 60),
        format!("{}{h:02}:{m:02}", if sign < 0 { '-' } else { '+' }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_scale() {
        assert_eq!(decimal_text("150", 2), "1.50");
        assert_eq!(decimal_text("-5", 2), "-0.05");
        assert_eq!(decimal_text("0", 3), "0.000");
        assert_eq!(decimal_text("42", 0), "42");
        assert_eq!(decimal_text("-120", 1), "-12.0");
        assert_eq!(
            decimal_text("12345678901234567890123456789012345678", 0),
            "12345678901234567890123456789012345678"
        );
    }

    #[test]
    fn dates_from_days() {
        assert_eq!(date_text(0), "1970-01-01");
        assert_eq!(date_text(16_256), "2014-07-05");
        assert_eq!(date_text(-1), "1969-12-31");
        assert_eq!(date_text(11_016), "2000-02-29");
        assert_eq!(date_text(-719_528), "0000-01-01");
    }

    #[test]
    fn timestamps_at_their_precision() {
        let t = |ticks, unit, int96| timestamp_text(ticks, unit, int96, None).unwrap();
        assert_eq!(
            t(1_704_164_645_123, TimeUnit::Millisecond, false),
            "2024-01-02 03:04:05.123"
        );
        assert_eq!(
            t(1_704_164_645, TimeUnit::Second, false),
            "2024-01-02 03:04:05"
        );
        assert_eq!(
            t(1_704_164_645_000_001, TimeUnit::Microsecond, false),
            "2024-01-02 03:04:05.000001"
        );
        assert_eq!(
            t(-1, TimeUnit::Millisecond, false),
            "1969-12-31 23:59:59.999"
        );
        // INT96: nanoseconds, rounded half up to Athena's precision 3.
        let ns = 1_704_164_645_123_456_789;
        assert_eq!(t(ns, TimeUnit::Nanosecond, true), "2024-01-02 03:04:05.123");
        assert_eq!(
            t(1_704_164_645_999_500_000, TimeUnit::Nanosecond, true),
            "2024-01-02 03:04:06.000"
        );
        assert_eq!(
            t(ns, TimeUnit::Nanosecond, false),
            "2024-01-02 03:04:05.123456789"
        );
        assert!(timestamp_text(i64::MAX, TimeUnit::Nanosecond, true, None).is_err());
    }

    #[test]
    fn zones_as_athena_writes_them() {
        let t = |zone| timestamp_text(0, TimeUnit::Millisecond, false, Some(zone)).unwrap();
        assert_eq!(t("+00:00"), "1970-01-01 00:00:00.000 UTC");
        assert_eq!(t("UTC"), "1970-01-01 00:00:00.000 UTC");
        assert_eq!(t("+05:30"), "1970-01-01 05:30:00.000 +05:30");
        assert_eq!(t("-0800"), "1969-12-31 16:00:00.000 -08:00");
        // A named zone cannot be resolved here: the same instant, in UTC.
        assert_eq!(t("America/Los_Angeles"), "1970-01-01 00:00:00.000 UTC");
    }

    #[test]
    fn times_of_day() {
        let mut s = String::new();
        write_time_of_day(&mut s, 11_045_123, TimeUnit::Millisecond).unwrap();
        assert_eq!(s, "03:04:05.123");
        assert!(write_time_of_day(&mut String::new(), 86_400, TimeUnit::Second).is_err());
    }
}
