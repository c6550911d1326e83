//! Trino's `date_trunc(unit, x)`: a date stays a date, a timestamp keeps its precision and
//! zone (DataFusion's turns dates into nanosecond timestamps).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Date32Array, PrimitiveArray};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use datafusion::common::{Result, ScalarValue};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use crate::engine::calendar::{civil_from_days, days_from_civil, ticks_per_second, zone_offset};
use crate::engine::column_info::timestamp_precision;
use crate::engine::names::ATHENA_TYPE_KEY;

/// `date_trunc(unit, x)`.
pub(crate) fn date_trunc() -> ScalarUDF {
    // Every name of DataFusion's date_trunc must point here: a session rebuilt from its
    // functions registers them again in any order.
    ScalarUDF::from(DateTrunc {
        signature: Signature::any(2, Volatility::Immutable),
    })
    .with_aliases(["datetrunc"])
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct DateTrunc {
    signature: Signature,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

fn parse_unit(s: &str) -> Option<Unit> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
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

/// Truncates a day number to the start of its week (Monday), month, quarter or year.
fn trunc_days(days: i64, unit: Unit) -> i64 {
    match unit {
        Unit::Week => days - (days + 3).rem_euclid(7),
        Unit::Month | Unit::Quarter | Unit::Year => {
            let (y, m, _) = civil_from_days(days);
            let m = match unit {
                Unit::Month => m,
                Unit::Quarter => (m - 1) / 3 * 3 + 1,
                _ => 1,
            };
            days_from_civil(y, m, 1)
        }
        _ => days,
    }
}

/// Truncates a timestamp of `per_second` ticks per second (local time already applied).
fn trunc_ticks(v: i64, per_second: i64, unit: Unit) -> i64 {
    let step = match unit {
        Unit::Millisecond => (per_second / 1000).max(1),
        Unit::Second => per_second,
        Unit::Minute => 60 * per_second,
        Unit::Hour => 3600 * per_second,
        _ => {
            let per_day = 86_400 * per_second;
            return trunc_days(v.div_euclid(per_day), unit) * per_day;
        }
    };
    v - v.rem_euclid(step)
}

impl ScalarUDFImpl for DateTrunc {
    fn name(&self) -> &str {
        "date_trunc"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match args.get(1) {
            Some(DataType::Date32 | DataType::Date64) => Ok(DataType::Date32),
            Some(t @ DataType::Timestamp(..)) => Ok(t.clone()),
            Some(DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => {
                Ok(DataType::Timestamp(TimeUnit::Millisecond, None))
            }
            Some(DataType::Null) => Ok(DataType::Null),
            other => Err(DataFusionError::Plan(format!(
                "TYPE_MISMATCH: date_trunc cannot truncate {other:?}"
            ))),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let unit = match args.args.first() {
            Some(ColumnarValue::Scalar(
                ScalarValue::Utf8(Some(u))
                | ScalarValue::LargeUtf8(Some(u))
                | ScalarValue::Utf8View(Some(u)),
            )) => parse_unit(u),
            _ => None,
        };
        let Some(unit) = unit else {
            return Err(DataFusionError::Execution(
                "INVALID_FUNCTION_ARGUMENT: date_trunc needs a constant unit: millisecond, \
                 second, minute, hour, day, week, month, quarter or year"
                    .to_owned(),
            ));
        };
        let Some(value) = args.args.get(1) else {
            return Err(DataFusionError::Execution(
                "date_trunc needs two arguments".into(),
            ));
        };
        let scalar = matches!(value, ColumnarValue::Scalar(_));
        let mut array = value.to_array(1)?;
        if matches!(
            array.data_type(),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        ) {
            array = datafusion::arrow::compute::cast(
                &array,
                &DataType::Timestamp(TimeUnit::Millisecond, None),
            )?;
        }
        let out = truncate(array, unit)?;
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}

/// Truncates every date or timestamp of `array` to `unit`.
fn truncate(array: ArrayRef, unit: Unit) -> Result<ArrayRef> {
    Ok(match array.data_type().clone() {
        DataType::Null => array,
        DataType::Date32 => Arc::new(
            array
                .as_primitive::<Date32Type>()
                .unary::<_, Date32Type>(|d| trunc_days(i64::from(d), unit) as i32),
        ),
        DataType::Date64 => Arc::new(Date32Array::from_iter(
            array
                .as_primitive::<Date64Type>()
                .iter()
                .map(|v| v.map(|ms| trunc_days(ms.div_euclid(86_400_000), unit) as i32)),
        )),
        DataType::Timestamp(tu, tz) => truncate_timestamps(&array, tu, tz, unit),
        other => {
            return Err(DataFusionError::Execution(format!(
                "TYPE_MISMATCH: date_trunc cannot truncate {other}"
            )));
        }
    })
}

/// Truncates timestamps in the local time of their zone, keeping unit and zone.
fn truncate_timestamps(
    array: &ArrayRef,
    tu: TimeUnit,
    tz: Option<Arc<str>>,
    unit: Unit,
) -> ArrayRef {
    let per_second = ticks_per_second(tu);
    let f = |v: i64| {
        let offset = tz
            .as_deref()
            .and_then(|z| zone_offset(z, v.div_euclid(per_second)))
            .unwrap_or(0)
            * per_second;
        trunc_ticks(v + offset, per_second, unit) - offset
    };
    macro_rules! trunc {
        ($t:ty) => {{
            let a: PrimitiveArray<$t> = array.as_primitive::<$t>().unary(f);
            Arc::new(a.with_timezone_opt(tz.clone())) as ArrayRef
        }};
    }
    match tu {
        TimeUnit::Second => trunc!(TimestampSecondType),
        TimeUnit::Millisecond => trunc!(TimestampMillisecondType),
        TimeUnit::Microsecond => trunc!(TimestampMicrosecondType),
        TimeUnit::Nanosecond => trunc!(TimestampNanosecondType),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation() {
        // 2024-03-15 is a Friday, day 19797.
        let d = days_from_civil(2024, 3, 15);
        assert_eq!(civil_from_days(trunc_days(d, Unit::Week)), (2024, 3, 11));
        assert_eq!(civil_from_days(trunc_days(d, Unit::Month)), (2024, 3, 1));
        assert_eq!(civil_from_days(trunc_days(d, Unit::Quarter)), (2024, 1, 1));
        assert_eq!(civil_from_days(trunc_days(d, Unit::Year)), (2024, 1, 1));
        assert_eq!(trunc_ticks(3_723_456, 1000, Unit::Hour), 3_600_000);
        assert_eq!(trunc_ticks(-1, 1000, Unit::Second), -1000);
    }
}

/// `ts AT TIME ZONE zone` and `at_timezone(ts, zone)` (planned as `athena_at_timezone`):
/// the same instant shown in `zone`, at the precision of `ts` (docs/athena.md, "Values":
/// `at_timezone(timestamp(p), zone)` keeps `p`). A timestamp without a zone is taken in
/// the session's zone, UTC. DataFusion's own AT TIME ZONE makes nanoseconds of it.
pub(crate) fn at_timezone() -> ScalarUDF {
    ScalarUDF::from(AtTimeZone {
        signature: Signature::any(2, Volatility::Immutable),
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct AtTimeZone {
    signature: Signature,
}

/// The zone as Athena shows it (`UTC` for UTC, else as written), if Arrow knows it.
fn checked_zone(zone: &str) -> Result<String> {
    let zone = zone.trim();
    if ["utc", "z", "+00:00", "gmt"].contains(&zone.to_ascii_lowercase().as_str()) {
        return Ok("UTC".to_owned());
    }
    if zone_offset(zone, 0).is_none() {
        return Err(DataFusionError::Execution(format!(
            "INVALID_FUNCTION_ARGUMENT: Time zone not supported: {zone}"
        )));
    }
    Ok(zone.to_owned())
}

impl ScalarUDFImpl for AtTimeZone {
    fn name(&self) -> &str {
        "athena_at_timezone"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal(
            "athena_at_timezone: return_field_from_args is used".to_owned(),
        ))
    }

    fn return_field_from_args(
        &self,
        args: datafusion::logical_expr::ReturnFieldArgs<'_>,
    ) -> Result<datafusion::arrow::datatypes::FieldRef> {
        let unit = match args.arg_fields[0].data_type() {
            DataType::Timestamp(unit, _) => *unit,
            DataType::Date32 | DataType::Date64 => TimeUnit::Millisecond,
            DataType::Null => TimeUnit::Millisecond,
            other => {
                return Err(DataFusionError::Plan(format!(
                    "TYPE_MISMATCH: AT TIME ZONE needs a timestamp, not {other}"
                )));
            }
        };
        let zone = match args.scalar_arguments.get(1).copied().flatten() {
            Some(ScalarValue::Utf8(Some(z)) | ScalarValue::LargeUtf8(Some(z))) => checked_zone(z)?,
            _ => {
                return Err(DataFusionError::NotImplemented(
                    "AT TIME ZONE with a zone that is not a literal".to_owned(),
                ));
            }
        };
        let field = datafusion::arrow::datatypes::Field::new(
            self.name(),
            DataType::Timestamp(unit, Some(zone.into())),
            true,
        );
        // A timestamp(p) whose p the Arrow unit does not say keeps it.
        let declared = args.arg_fields[0]
            .metadata()
            .get(ATHENA_TYPE_KEY)
            .and_then(|t| timestamp_precision(t));
        Ok(Arc::new(match declared {
            Some(p) => field.with_metadata(
                [(
                    ATHENA_TYPE_KEY.to_owned(),
                    format!("timestamp({p}) with time zone"),
                )]
                .into(),
            ),
            None => field,
        }))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let target = args.return_field.data_type().clone();
        let DataType::Timestamp(unit, _) = &target else {
            return Err(DataFusionError::Internal(format!(
                "athena_at_timezone returns {target}"
            )));
        };
        let scalar = matches!(args.args[0], ColumnarValue::Scalar(_));
        let input = args.args[0].to_array(args.number_rows)?;
        // Dates are midnight UTC; a timestamp keeps its instant, only its zone changes.
        let input = match input.data_type() {
            DataType::Timestamp(..) => input,
            _ => datafusion::arrow::compute::cast(&input, &DataType::Timestamp(*unit, None))?,
        };
        let out = datafusion::arrow::array::make_array(
            input.to_data().into_builder().data_type(target).build()?,
        );
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}
