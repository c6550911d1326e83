//! `sequence(start, stop, step)` of dates and timestamps with an interval step, as Trino
//! makes it: every value from `start` by `step` while not past `stop` (inclusive), the
//! elements of `start`'s type; months are added to `start` (`Jan 31` by a month gives
//! `Feb 29`, `Mar 31`); a step that does not move toward `stop`, or more than 10,000
//! values, fails; `sequence(date, date)` steps by a day. Integer sequences are
//! `functions/collections/sequence.rs`'s, to which this hands any other arguments.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, ListArray};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

use super::arith::add_months_local;
use super::types::{Kind, NANOS_PER_DAY, NANOS_PER_MILLI, build, read};
use super::udf::trino_error;
use super::values::{from_local, out_of_range, to_local};

/// Trino's limit on a sequence's length.
const MAX_ENTRIES: usize = 10_000;

/// `athena_sequence(start, stop, step)`.
pub(crate) fn sequence() -> ScalarUDF {
    ScalarUDF::from(Sequence {
        signature: Signature::user_defined(Volatility::Immutable),
        series: Arc::new(crate::engine::functions::collections::integer_sequence()),
    })
}

#[derive(Debug)]
struct Sequence {
    signature: Signature,
    series: Arc<ScalarUDF>,
}

impl PartialEq for Sequence {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Sequence {}

impl std::hash::Hash for Sequence {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        "athena_sequence".hash(state);
    }
}

/// The element kind and step kind of a date/time sequence, if the arguments make one
/// (two dates step by a day).
fn temporal(fields: &[FieldRef]) -> Option<(Kind, Kind)> {
    let start = Kind::of_field(fields.first()?)?;
    let step = match fields.get(2) {
        Some(step) => Kind::of_field(step)?,
        None if start == Kind::Date && fields.len() == 2 => Kind::DaySecond,
        None => return None,
    };
    match (&start, &step) {
        (
            Kind::Date | Kind::Timestamp(_) | Kind::TimestampTz(..),
            Kind::YearMonth | Kind::DaySecond,
        ) => Some((start, step)),
        _ => None,
    }
}

impl ScalarUDFImpl for Sequence {
    fn name(&self) -> &str {
        "athena_sequence"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        // Dates, timestamps and intervals as they are; anything else is the integer
        // sequence's to take or refuse.
        let temporal = arg_types.first().is_some_and(|t| {
            matches!(
                t,
                DataType::Date32 | DataType::Date64 | DataType::Timestamp(..)
            )
        });
        if temporal {
            Ok(arg_types.to_vec())
        } else {
            self.series.coerce_types(arg_types)
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Err(datafusion::error::DataFusionError::Internal(
            "athena_sequence: return_field_from_args is used".to_owned(),
        ))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        match temporal(args.arg_fields) {
            Some((start, _)) => {
                // The elements of a list carry no precision of their own: one Arrow's
                // unit does not say would be lost.
                if let Some(p) = start.precision()
                    && p != super::types::unit_digits(super::types::unit_of(p))
                {
                    return Err(super::udf::not_supported(format!(
                        "sequence of {} values",
                        start.trino_name()
                    )));
                }
                if Kind::of_field(&args.arg_fields[1]).is_none_or(|stop| {
                    std::mem::discriminant(&stop) != std::mem::discriminant(&start)
                }) {
                    return Err(trino_error(
                        "FUNCTION_NOT_FOUND",
                        "Unexpected parameters for function sequence",
                    ));
                }
                let element = Field::new_list_field(start.arrow_type(), true);
                Ok(Arc::new(Field::new(
                    "sequence",
                    DataType::List(Arc::new(element)),
                    true,
                )))
            }
            None => self.series.return_field_from_args(args),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let Some((start_kind, step_kind)) = temporal(&args.arg_fields) else {
            return self.series.invoke_with_args(args);
        };
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalar { 1 } else { args.number_rows };
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<Result<Vec<_>>>()?;
        let starts = read(arrays[0].as_ref())?;
        let stops = read(arrays[1].as_ref())?;
        // Two dates: a day forward, or back when the stop is before the start.
        let steps = match arrays.get(2) {
            Some(step) => read(step.as_ref())?,
            None => starts
                .iter()
                .zip(&stops)
                .map(|(a, b)| Some(if b < a { -86_400_000 } else { 86_400_000 }))
                .collect(),
        };
        let mut values = Vec::new();
        let mut offsets = vec![0i32];
        let mut valid = Vec::with_capacity(rows);
        for i in 0..rows {
            match (starts[i], stops[i], steps[i]) {
                (Some(a), Some(b), Some(step)) => {
                    let series = series(&start_kind, a, b, &step_kind, step as i64)?;
                    values.extend(series.into_iter().map(Some));
                    valid.push(true);
                }
                _ => valid.push(false),
            }
            offsets.push(i32::try_from(values.len()).map_err(|_| out_of_range("sequence"))?);
        }
        let elements = build(&start_kind, values, &|| out_of_range("sequence value"))?;
        let field = Arc::new(Field::new_list_field(start_kind.arrow_type(), true));
        let list: ArrayRef = Arc::new(ListArray::try_new(
            field,
            OffsetBuffer::new(offsets.into()),
            elements,
            Some(valid.into()),
        )?);
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &list, 0,
            )?))
        } else {
            Ok(ColumnarValue::Array(list))
        }
    }
}

/// The values of one sequence.
fn series(kind: &Kind, start: i128, stop: i128, step_kind: &Kind, step: i64) -> Result<Vec<i128>> {
    if step == 0 {
        return Err(trino_error(
            "INVALID_FUNCTION_ARGUMENT",
            "step must not be zero",
        ));
    }
    if (step > 0 && stop < start) || (step < 0 && stop > start) {
        return Err(trino_error(
            "INVALID_FUNCTION_ARGUMENT",
            "sequence stop value should be greater than or equal to start value if step is greater than zero otherwise stop should be less than or equal to start",
        ));
    }
    if matches!(kind, Kind::Date) && *step_kind == Kind::DaySecond && step % 86_400_000 != 0 {
        return Err(trino_error(
            "INVALID_FUNCTION_ARGUMENT",
            "sequence step must be a day interval if start and end values are dates",
        ));
    }
    let mut out = Vec::new();
    for k in 0i64.. {
        let value = match (kind, step_kind) {
            (Kind::Date, Kind::YearMonth) => {
                add_months_local(start * NANOS_PER_DAY, k * step).map(|v| v / NANOS_PER_DAY)
            }
            (Kind::Date, _) => Some(start + i128::from(k * (step / 86_400_000))),
            (Kind::TimestampTz(_, zone), Kind::YearMonth) => {
                add_months_local(to_local(zone, start), k * step).map(|v| from_local(zone, v))
            }
            (_, Kind::YearMonth) => add_months_local(start, k * step),
            _ => Some(start + i128::from(k) * i128::from(step) * NANOS_PER_MILLI),
        }
        .ok_or_else(|| out_of_range("sequence value"))?;
        if (step > 0 && value > stop) || (step < 0 && value < stop) {
            break;
        }
        if out.len() == MAX_ENTRIES {
            return Err(trino_error(
                "INVALID_FUNCTION_ARGUMENT",
                format!(
                    "result of sequence function must not have more than {MAX_ENTRIES} entries"
                ),
            ));
        }
        out.push(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::days_from_civil;

    #[test]
    fn sequences_step_as_trino_steps() {
        let d = |m, dd| i128::from(days_from_civil(2024, m, dd));
        assert_eq!(
            series(&Kind::Date, d(1, 31), d(4, 30), &Kind::YearMonth, 1).unwrap(),
            vec![d(1, 31), d(2, 29), d(3, 31), d(4, 30)]
        );
        assert_eq!(
            series(&Kind::Date, d(1, 3), d(1, 1), &Kind::DaySecond, -86_400_000).unwrap(),
            vec![d(1, 3), d(1, 2), d(1, 1)]
        );
        assert!(series(&Kind::Date, d(1, 1), d(1, 3), &Kind::DaySecond, 3_600_000).is_err());
        assert!(series(&Kind::Date, d(1, 3), d(1, 1), &Kind::DaySecond, 86_400_000).is_err());
    }
}
