//! Trino's date/time types as the emulator holds them in Arrow, and their values as one
//! number each.
//!
//! | Trino | Arrow | one value as an `i128` |
//! |---|---|---|
//! | `date` | Date32 | days since 1970-01-01 |
//! | `timestamp(p)` | Timestamp(unit, None) | nanoseconds since 1970-01-01 00:00:00 (local time) |
//! | `timestamp(p) with time zone` | Timestamp(unit, Some(zone)) | nanoseconds since the epoch (the instant) |
//! | `time(p)` | Time32(s / ms) or Time64(us / ns) | nanoseconds since midnight |
//! | `interval year to month` | Interval(YearMonth) | months |
//! | `interval day to second` | Duration(Millisecond) | milliseconds |
//!
//! The unit of a timestamp or time is the coarsest that holds `p` digits (0: seconds,
//! 1-3: milliseconds, 4-6: microseconds, 7-9: nanoseconds); when `p` is not the unit's
//! own number of digits it travels in the field's metadata (`athena.type`), which sets the
//! digits shown and ColumnInfo's Precision. Precisions above 9 (Trino has up to 12) are
//! not supported. The zone of a `timestamp with time zone` is Trino's canonical zone id
//! (`zones::canonical`), the same for every row of a column.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, DurationMillisecondArray, IntervalYearMonthArray,
    Time32MillisecondArray, Time32SecondArray, Time64MicrosecondArray, Time64NanosecondArray,
    TimestampMicrosecondArray, TimestampMillisecondArray, TimestampNanosecondArray,
    TimestampSecondArray,
};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, DurationMicrosecondType, DurationMillisecondType,
    DurationNanosecondType, DurationSecondType, Field, FieldRef, IntervalUnit,
    IntervalYearMonthType, Time32MillisecondType, Time32SecondType, Time64MicrosecondType,
    Time64NanosecondType, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use datafusion::common::Result;
use datafusion::error::DataFusionError;

use crate::engine::names::ATHENA_TYPE_KEY;

/// Nanoseconds in a second, a millisecond, a day.
pub(crate) const NANOS_PER_SECOND: i128 = 1_000_000_000;
pub(crate) const NANOS_PER_MILLI: i128 = 1_000_000;
pub(crate) const NANOS_PER_DAY: i128 = 86_400 * NANOS_PER_SECOND;
/// Milliseconds in a day.
pub(crate) const MILLIS_PER_DAY: i64 = 86_400_000;

/// The largest precision the emulator holds (Arrow's nanoseconds).
pub(crate) const MAX_PRECISION: u8 = 9;

/// A Trino date/time or interval type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `date`.
    Date,
    /// `timestamp(p)`.
    Timestamp(u8),
    /// `timestamp(p) with time zone`, in a zone (Trino's canonical id).
    TimestampTz(u8, Arc<str>),
    /// `time(p)`.
    Time(u8),
    /// `interval year to month`.
    YearMonth,
    /// `interval day to second`.
    DaySecond,
}

impl Kind {
    /// The kind of a field, if it holds one of Trino's date/time types.
    pub(crate) fn of_field(field: &Field) -> Option<Kind> {
        let declared = field
            .metadata()
            .get(ATHENA_TYPE_KEY)
            .and_then(|t| declared_precision(t));
        Kind::of_type(field.data_type(), declared)
    }

    /// The kind of an Arrow type, `declared` being the precision its metadata gives.
    pub(crate) fn of_type(data_type: &DataType, declared: Option<u8>) -> Option<Kind> {
        Some(match data_type {
            DataType::Date32 | DataType::Date64 => Kind::Date,
            DataType::Timestamp(unit, zone) => {
                let p = declared.unwrap_or_else(|| unit_digits(*unit));
                match zone {
                    Some(z) => Kind::TimestampTz(p, Arc::clone(z)),
                    None => Kind::Timestamp(p),
                }
            }
            DataType::Time32(unit) | DataType::Time64(unit) => {
                Kind::Time(declared.unwrap_or_else(|| unit_digits(*unit)))
            }
            DataType::Interval(IntervalUnit::YearMonth) => Kind::YearMonth,
            DataType::Duration(_) => Kind::DaySecond,
            _ => return None,
        })
    }

    /// The precision of a timestamp or time.
    pub(crate) fn precision(&self) -> Option<u8> {
        match self {
            Kind::Timestamp(p) | Kind::TimestampTz(p, _) | Kind::Time(p) => Some(*p),
            _ => None,
        }
    }

    /// The same kind at another precision (timestamps and times).
    pub(crate) fn with_precision(&self, p: u8) -> Kind {
        match self {
            Kind::Timestamp(_) => Kind::Timestamp(p),
            Kind::TimestampTz(_, z) => Kind::TimestampTz(p, Arc::clone(z)),
            Kind::Time(_) => Kind::Time(p),
            other => other.clone(),
        }
    }

    /// Whether this is one of the two interval types.
    pub(crate) fn is_interval(&self) -> bool {
        matches!(self, Kind::YearMonth | Kind::DaySecond)
    }

    /// The Arrow type that holds this kind.
    pub(crate) fn arrow_type(&self) -> DataType {
        match self {
            Kind::Date => DataType::Date32,
            Kind::Timestamp(p) => DataType::Timestamp(unit_of(*p), None),
            Kind::TimestampTz(p, z) => DataType::Timestamp(unit_of(*p), Some(Arc::clone(z))),
            Kind::Time(p) => match unit_of(*p) {
                TimeUnit::Second => DataType::Time32(TimeUnit::Second),
                TimeUnit::Millisecond => DataType::Time32(TimeUnit::Millisecond),
                unit => DataType::Time64(unit),
            },
            Kind::YearMonth => DataType::Interval(IntervalUnit::YearMonth),
            Kind::DaySecond => DataType::Duration(TimeUnit::Millisecond),
        }
    }

    /// A nullable field of this kind, with the precision in its metadata when the Arrow
    /// unit does not say it.
    pub(crate) fn field(&self, name: &str) -> FieldRef {
        let field = Field::new(name, self.arrow_type(), true);
        Arc::new(match self.precision() {
            Some(p) if p != unit_digits(unit_of(p)) => {
                field.with_metadata([(ATHENA_TYPE_KEY.to_owned(), self.trino_name())].into())
            }
            _ => field,
        })
    }

    /// Trino's name of the type (`timestamp(3) with time zone`).
    pub(crate) fn trino_name(&self) -> String {
        match self {
            Kind::Date => "date".to_owned(),
            Kind::Timestamp(p) => format!("timestamp({p})"),
            Kind::TimestampTz(p, _) => format!("timestamp({p}) with time zone"),
            Kind::Time(p) => format!("time({p})"),
            Kind::YearMonth => "interval year to month".to_owned(),
            Kind::DaySecond => "interval day to second".to_owned(),
        }
    }
}

/// The precision written in a declared type: `timestamp(4)`, `timestamp(4) with time
/// zone`, `time(4)`.
pub(crate) fn declared_precision(declared: &str) -> Option<u8> {
    let rest = declared
        .strip_prefix("timestamp(")
        .or_else(|| declared.strip_prefix("time("))?;
    let (p, tail) = rest.split_once(')')?;
    if !(tail.is_empty() || tail == " with time zone") {
        return None;
    }
    p.trim().parse().ok().filter(|p| *p <= MAX_PRECISION)
}

/// The Arrow unit that holds `p` fraction digits.
pub(crate) fn unit_of(p: u8) -> TimeUnit {
    match p {
        0 => TimeUnit::Second,
        1..=3 => TimeUnit::Millisecond,
        4..=6 => TimeUnit::Microsecond,
        _ => TimeUnit::Nanosecond,
    }
}

/// The fraction digits of an Arrow unit.
pub(crate) fn unit_digits(unit: TimeUnit) -> u8 {
    match unit {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 3,
        TimeUnit::Microsecond => 6,
        TimeUnit::Nanosecond => 9,
    }
}

/// Nanoseconds in one tick of a unit.
fn nanos_per_tick(unit: TimeUnit) -> i128 {
    match unit {
        TimeUnit::Second => NANOS_PER_SECOND,
        TimeUnit::Millisecond => NANOS_PER_MILLI,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1,
    }
}

/// Nanoseconds in the last digit of precision `p` (`10^(9-p)`).
pub(crate) fn nanos_per_digit(p: u8) -> i128 {
    10i128.pow(u32::from(MAX_PRECISION.saturating_sub(p)))
}

/// `nanos` rounded to `p` fraction digits, halves up (towards positive infinity), as
/// Trino rounds when a value loses precision.
pub(crate) fn round_to(nanos: i128, p: u8) -> i128 {
    let step = nanos_per_digit(p);
    (nanos + step / 2).div_euclid(step) * step
}

/// `nanos` truncated (floored) to `p` fraction digits.
pub(crate) fn floor_to(nanos: i128, p: u8) -> i128 {
    let step = nanos_per_digit(p);
    nanos.div_euclid(step) * step
}

/// Every value of a date/time or interval array as one number (the module's table),
/// `None` for NULL.
pub(crate) fn read(array: &dyn Array) -> Result<Vec<Option<i128>>> {
    fn collect<T: datafusion::arrow::datatypes::ArrowPrimitiveType>(
        array: &dyn Array,
        f: impl Fn(T::Native) -> i128,
    ) -> Vec<Option<i128>> {
        array
            .as_primitive::<T>()
            .iter()
            .map(|v| v.map(&f))
            .collect()
    }
    Ok(match array.data_type() {
        DataType::Null => vec![None; array.len()],
        DataType::Date32 => collect::<Date32Type>(array, i128::from),
        DataType::Date64 => {
            collect::<Date64Type>(array, |ms| i128::from(ms.div_euclid(MILLIS_PER_DAY)))
        }
        DataType::Timestamp(unit, _) => {
            let k = nanos_per_tick(*unit);
            match unit {
                TimeUnit::Second => collect::<TimestampSecondType>(array, |v| i128::from(v) * k),
                TimeUnit::Millisecond => {
                    collect::<TimestampMillisecondType>(array, |v| i128::from(v) * k)
                }
                TimeUnit::Microsecond => {
                    collect::<TimestampMicrosecondType>(array, |v| i128::from(v) * k)
                }
                TimeUnit::Nanosecond => collect::<TimestampNanosecondType>(array, i128::from),
            }
        }
        DataType::Time32(TimeUnit::Second) => {
            collect::<Time32SecondType>(array, |v| i128::from(v) * NANOS_PER_SECOND)
        }
        DataType::Time32(_) => {
            collect::<Time32MillisecondType>(array, |v| i128::from(v) * NANOS_PER_MILLI)
        }
        DataType::Time64(TimeUnit::Microsecond) => {
            collect::<Time64MicrosecondType>(array, |v| i128::from(v) * 1_000)
        }
        DataType::Time64(_) => collect::<Time64NanosecondType>(array, i128::from),
        DataType::Interval(IntervalUnit::YearMonth) => {
            collect::<IntervalYearMonthType>(array, i128::from)
        }
        DataType::Duration(unit) => match unit {
            TimeUnit::Second => collect::<DurationSecondType>(array, |v| i128::from(v) * 1000),
            TimeUnit::Millisecond => collect::<DurationMillisecondType>(array, i128::from),
            TimeUnit::Microsecond => {
                collect::<DurationMicrosecondType>(array, |v| i128::from(v).div_euclid(1000))
            }
            TimeUnit::Nanosecond => {
                collect::<DurationNanosecondType>(array, |v| i128::from(v).div_euclid(1_000_000))
            }
        },
        other => {
            return Err(DataFusionError::Internal(format!(
                "not a date/time value: {other}"
            )));
        }
    })
}

// layout: long function, because one match over the Arrow types a kind maps to, one arm each
/// An array of `kind` from numbers in the module's table (already at the kind's
/// precision: finer digits are dropped). A number the Arrow type cannot hold fails with
/// `overflow`'s message.
pub(crate) fn build(
    kind: &Kind,
    values: impl IntoIterator<Item = Option<i128>>,
    overflow: &dyn Fn() -> DataFusionError,
) -> Result<ArrayRef> {
    fn narrow<T: TryFrom<i128>>(
        v: Option<i128>,
        per: i128,
        overflow: &dyn Fn() -> DataFusionError,
    ) -> Result<Option<T>> {
        v.map(|v| T::try_from(v.div_euclid(per)).map_err(|_| overflow()))
            .transpose()
    }
    let values = values.into_iter();
    Ok(match kind.arrow_type() {
        DataType::Date32 => Arc::new(
            values
                .map(|v| narrow::<i32>(v, 1, overflow))
                .collect::<Result<Date32Array>>()?,
        ),
        DataType::Timestamp(unit, zone) => {
            let k = nanos_per_tick(unit);
            let array: ArrayRef = match unit {
                TimeUnit::Second => Arc::new(
                    values
                        .map(|v| narrow::<i64>(v, k, overflow))
                        .collect::<Result<TimestampSecondArray>>()?
                        .with_timezone_opt(zone),
                ),
                TimeUnit::Millisecond => Arc::new(
                    values
                        .map(|v| narrow::<i64>(v, k, overflow))
                        .collect::<Result<TimestampMillisecondArray>>()?
                        .with_timezone_opt(zone),
                ),
                TimeUnit::Microsecond => Arc::new(
                    values
                        .map(|v| narrow::<i64>(v, k, overflow))
                        .collect::<Result<TimestampMicrosecondArray>>()?
                        .with_timezone_opt(zone),
                ),
                TimeUnit::Nanosecond => Arc::new(
                    values
                        .map(|v| narrow::<i64>(v, k, overflow))
                        .collect::<Result<TimestampNanosecondArray>>()?
                        .with_timezone_opt(zone),
                ),
            };
            array
        }
        DataType::Time32(TimeUnit::Second) => Arc::new(
            values
                .map(|v| narrow::<i32>(v, NANOS_PER_SECOND, overflow))
                .collect::<Result<Time32SecondArray>>()?,
        ),
        DataType::Time32(_) => Arc::new(
            values
                .map(|v| narrow::<i32>(v, NANOS_PER_MILLI, overflow))
                .collect::<Result<Time32MillisecondArray>>()?,
        ),
        DataType::Time64(TimeUnit::Microsecond) => Arc::new(
            values
                .map(|v| narrow::<i64>(v, 1_000, overflow))
                .collect::<Result<Time64MicrosecondArray>>()?,
        ),
        DataType::Time64(_) => Arc::new(
            values
                .map(|v| narrow::<i64>(v, 1, overflow))
                .collect::<Result<Time64NanosecondArray>>()?,
        ),
        DataType::Interval(_) => Arc::new(
            values
                .map(|v| narrow::<i32>(v, 1, overflow))
                .collect::<Result<IntervalYearMonthArray>>()?,
        ),
        _ => Arc::new(
            values
                .map(|v| narrow::<i64>(v, 1, overflow))
                .collect::<Result<DurationMillisecondArray>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_arrow_and_back() {
        for kind in [
            Kind::Date,
            Kind::Timestamp(0),
            Kind::Timestamp(2),
            Kind::Timestamp(9),
            Kind::TimestampTz(4, Arc::from("Asia/Tokyo")),
            Kind::Time(0),
            Kind::Time(3),
            Kind::Time(7),
            Kind::YearMonth,
            Kind::DaySecond,
        ] {
            let field = kind.field("x");
            assert_eq!(Kind::of_field(&field), Some(kind.clone()), "{kind:?}");
        }
        assert_eq!(Kind::Time(4).trino_name(), "time(4)");
        assert_eq!(
            Kind::TimestampTz(3, Arc::from("UTC")).trino_name(),
            "timestamp(3) with time zone"
        );
    }

    #[test]
    fn rounding_is_half_up() {
        assert_eq!(round_to(1_500_000_000, 0), 2_000_000_000);
        assert_eq!(round_to(-500_000_000, 0), 0);
        assert_eq!(round_to(-1_500_000_000, 0), -1_000_000_000);
        assert_eq!(round_to(-1_600_000_000, 0), -2_000_000_000);
        assert_eq!(round_to(123_456_789, 3), 123_000_000);
        assert_eq!(round_to(123_500_000, 3), 124_000_000);
        assert_eq!(floor_to(-1, 3), -1_000_000);
    }

    #[test]
    fn values_round_trip_through_arrow() {
        let overflow = || DataFusionError::Execution("overflow".into());
        for kind in [
            Kind::Timestamp(1),
            Kind::Time(6),
            Kind::Date,
            Kind::DaySecond,
        ] {
            let values = vec![
                Some(0),
                None,
                Some(-3_000_000_000_000),
                Some(86_399_000_000_000),
            ];
            let values: Vec<_> = if kind == Kind::Date || kind == Kind::DaySecond {
                vec![Some(0), None, Some(-3), Some(19_000)]
            } else {
                values
            };
            let array = build(&kind, values.clone(), &overflow).unwrap();
            assert_eq!(read(array.as_ref()).unwrap(), values, "{kind:?}");
        }
        assert!(build(&Kind::Date, [Some(i128::from(i64::MAX))], &overflow).is_err());
    }
}
