//! Sums and means as Trino computes them (trino.io, "Aggregate functions"):
//!
//! - `sum` of integers is a bigint that fails with NUMERIC_VALUE_OUT_OF_RANGE when it
//!   overflows (DataFusion's wraps around);
//! - `sum` and `avg` of reals are reals, summed in double;
//! - `geometric_mean(x)` is `exp` of the mean of the natural logarithms, a real for reals
//!   and decimals (Trino coerces decimals to real), a double otherwise.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int64Array};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Int64Type, UInt64Type};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
};

/// The UDAFs: `athena_sum_bigint` (the plan rules put it in place of `sum` of integers),
/// `athena_sum_real`, `athena_avg_real` (in place of `sum`/`avg` of reals),
/// `athena_geometric_mean` (the query rewrite calls it).
pub(crate) fn udafs() -> Vec<AggregateUDF> {
    vec![
        AggregateUDF::new_from_impl(CheckedSum {
            signature: Signature::exact(vec![DataType::Int64], Volatility::Immutable),
        }),
        AggregateUDF::new_from_impl(DoubleSum {
            name: "athena_sum_real",
            kind: DoubleKind::SumReal,
            signature: Signature::exact(vec![DataType::Float64], Volatility::Immutable),
        }),
        AggregateUDF::new_from_impl(DoubleSum {
            name: "athena_avg_real",
            kind: DoubleKind::AvgReal,
            signature: Signature::exact(vec![DataType::Float64], Volatility::Immutable),
        }),
        AggregateUDF::new_from_impl(DoubleSum {
            name: "athena_geometric_mean",
            kind: DoubleKind::GeometricMean,
            signature: Signature::user_defined(Volatility::Immutable),
        }),
    ]
}

fn overflow(a: i64, b: i64) -> datafusion::error::DataFusionError {
    datafusion::error::DataFusionError::Execution(format!(
        "NUMERIC_VALUE_OUT_OF_RANGE: bigint addition overflow: {a} + {b}"
    ))
}

fn add(a: i64, b: i64) -> Result<i64> {
    a.checked_add(b).ok_or_else(|| overflow(a, b))
}

/// `sum` of bigints (DataFusion has cast smaller integers to bigint).
#[derive(Debug, PartialEq, Eq, Hash)]
struct CheckedSum {
    signature: Signature,
}

impl AggregateUDFImpl for CheckedSum {
    fn name(&self) -> &str {
        "athena_sum_bigint"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        if let Some(fields) = super::distinct_state_fields(&args) {
            return Ok(fields);
        }
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "sum"),
            DataType::Int64,
            true,
        ))])
    }

    fn accumulator(&self, acc_args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        let inner: Box<dyn Accumulator> = { Box::new(SumAccumulator { sum: 0, count: 0 }) };
        Ok(super::maybe_distinct(&acc_args, inner))
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs<'_>) -> bool {
        !args.is_distinct
    }

    fn create_groups_accumulator(
        &self,
        _args: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(SumGroups::default()))
    }
}

/// The sum and how many values it has (a window frame that loses all of its values is
/// NULL again, not 0).
#[derive(Debug)]
struct SumAccumulator {
    sum: i64,
    count: u64,
}

impl SumAccumulator {
    fn add_all(&mut self, values: &ArrayRef) -> Result<()> {
        for v in values.as_primitive::<Int64Type>().iter().flatten() {
            self.sum = add(self.sum, v)?;
            self.count += 1;
        }
        Ok(())
    }

    fn value(&self) -> ScalarValue {
        ScalarValue::Int64((self.count > 0).then_some(self.sum))
    }
}

impl Accumulator for SumAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.add_all(&values[0])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(self.value())
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![self.value()])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.add_all(&states[0])
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        for v in values[0].as_primitive::<Int64Type>().iter().flatten() {
            let s = self.sum;
            self.sum = s
                .checked_sub(v)
                .ok_or_else(|| overflow(s, v.wrapping_neg()))?;
            self.count -= 1;
        }
        Ok(())
    }

    fn supports_retract_batch(&self) -> bool {
        true
    }
}

/// The checked sum of every group.
#[derive(Debug, Default)]
struct SumGroups {
    sums: Vec<i64>,
    /// Whether the group has had a value (a sum of no values is NULL).
    seen: Vec<bool>,
}

impl SumGroups {
    fn add_batch(
        &mut self,
        values: &ArrayRef,
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.sums.resize(total_num_groups, 0);
        self.seen.resize(total_num_groups, false);
        let values = values.as_primitive::<Int64Type>();
        for (row, &group) in group_indices.iter().enumerate() {
            if values.is_null(row) || opt_filter.is_some_and(|f| !f.is_valid(row) || !f.value(row))
            {
                continue;
            }
            let v = values.value(row);
            self.sums[group] = add(self.sums[group], v)?;
            self.seen[group] = true;
        }
        Ok(())
    }

    fn emit(&mut self, emit_to: EmitTo) -> ArrayRef {
        let sums = emit_to.take_needed(&mut self.sums);
        let seen = emit_to.take_needed(&mut self.seen);
        Arc::new(Int64Array::new(sums.into(), Some(NullBuffer::from(seen))))
    }
}

impl GroupsAccumulator for SumGroups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.add_batch(&values[0], group_indices, opt_filter, total_num_groups)
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        Ok(self.emit(emit_to))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.emit(emit_to)])
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.add_batch(&values[0], group_indices, None, total_num_groups)
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let values = values[0].as_primitive::<Int64Type>();
        let kept: Int64Array = (0..values.len())
            .map(|row| {
                let filtered = opt_filter.is_some_and(|f| !f.is_valid(row) || !f.value(row));
                (!filtered && values.is_valid(row)).then(|| values.value(row))
            })
            .collect();
        Ok(vec![Arc::new(kept)])
    }

    fn size(&self) -> usize {
        self.sums.capacity() * 8 + self.seen.capacity()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum DoubleKind {
    SumReal,
    AvgReal,
    GeometricMean,
}

/// A sum (and count) of doubles: `sum`/`avg` of reals, `geometric_mean`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct DoubleSum {
    name: &'static str,
    kind: DoubleKind,
    signature: Signature,
}

impl AggregateUDFImpl for DoubleSum {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            // Reals and decimals are reals in Trino's geometric_mean; integers bigints.
            [t] if t == &DataType::Float32
                || matches!(t, DataType::Decimal128(..) | DataType::Decimal256(..)) =>
            {
                Ok(vec![DataType::Float32])
            }
            [t] if t.is_numeric() || t.is_null() => Ok(vec![DataType::Float64]),
            _ => plan_err!(
                "No function matches the given name and argument types 'geometric_mean({})'",
                arg_types
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            DoubleKind::SumReal | DoubleKind::AvgReal => DataType::Float32,
            DoubleKind::GeometricMean if arg_types == [DataType::Float32] => DataType::Float32,
            DoubleKind::GeometricMean => DataType::Float64,
        })
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        if let Some(fields) = super::distinct_state_fields(&args) {
            return Ok(fields);
        }
        Ok(vec![
            Arc::new(Field::new(
                format_state_name(args.name, "sum"),
                DataType::Float64,
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "count"),
                DataType::UInt64,
                true,
            )),
        ])
    }

    fn accumulator(&self, acc_args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        let inner: Box<dyn Accumulator> = {
            Box::new(DoubleSumAccumulator {
                kind: self.kind,
                real: acc_args.return_field.data_type() == &DataType::Float32,
                sum: 0.0,
                count: 0,
            })
        };
        Ok(super::maybe_distinct(&acc_args, inner))
    }

    fn create_sliding_accumulator(
        &self,
        acc_args: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn Accumulator>> {
        // Sums and means remove the rows that leave the frame, as Trino's do; the
        // geometric mean is computed afresh for each frame.
        if self.kind == DoubleKind::GeometricMean {
            super::SlidingRecompute::for_udaf(self.name(), &acc_args)
        } else {
            self.accumulator(acc_args)
        }
    }
}

#[derive(Debug)]
struct DoubleSumAccumulator {
    kind: DoubleKind,
    real: bool,
    sum: f64,
    count: u64,
}

impl Accumulator for DoubleSumAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let doubles = cast(&values[0], &DataType::Float64)?;
        for v in doubles.as_primitive::<Float64Type>().iter().flatten() {
            self.sum += if self.kind == DoubleKind::GeometricMean {
                v.ln()
            } else {
                v
            };
            self.count += 1;
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let value = (self.count > 0).then(|| match self.kind {
            DoubleKind::SumReal => self.sum,
            DoubleKind::AvgReal => self.sum / self.count as f64,
            DoubleKind::GeometricMean => (self.sum / self.count as f64).exp(),
        });
        Ok(if self.real {
            ScalarValue::Float32(value.map(|v| v as f32))
        } else {
            ScalarValue::Float64(value)
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![
            ScalarValue::Float64(Some(self.sum)),
            ScalarValue::UInt64(Some(self.count)),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let sums = states[0].as_primitive::<Float64Type>();
        let counts = states[1].as_primitive::<UInt64Type>();
        for i in 0..sums.len() {
            if sums.is_valid(i) && counts.is_valid(i) {
                self.sum += sums.value(i);
                self.count += counts.value(i);
            }
        }
        Ok(())
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        if self.kind == DoubleKind::GeometricMean {
            return exec_err!("geometric_mean cannot retract");
        }
        let doubles = cast(&values[0], &DataType::Float64)?;
        for v in doubles.as_primitive::<Float64Type>().iter().flatten() {
            self.sum -= v;
            self.count -= 1;
        }
        Ok(())
    }

    fn supports_retract_batch(&self) -> bool {
        self.kind != DoubleKind::GeometricMean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bigint_sum_that_overflows_fails_as_in_trino() {
        let mut groups = SumGroups::default();
        let values: ArrayRef = Arc::new(Int64Array::from(vec![i64::MAX, 1]));
        let err = groups
            .update_batch(&[values], &[0, 0], None, 1)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "NUMERIC_VALUE_OUT_OF_RANGE: bigint addition overflow: 9223372036854775807 + 1"
            ),
            "{err}"
        );
        let mut groups = SumGroups::default();
        let values: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), None, Some(2), Some(5)]));
        groups
            .update_batch(&[values], &[0, 0, 1, 0], None, 3)
            .unwrap();
        let out = groups.evaluate(EmitTo::All).unwrap();
        let out = out.as_primitive::<Int64Type>();
        assert_eq!(out.iter().collect::<Vec<_>>(), vec![Some(6), Some(2), None]);
    }

    #[test]
    fn geometric_mean_of_logs() {
        let mut g = DoubleSumAccumulator {
            kind: DoubleKind::GeometricMean,
            real: false,
            sum: 0.0,
            count: 0,
        };
        let values: ArrayRef =
            Arc::new(datafusion::arrow::array::Float64Array::from(vec![2.0, 8.0]));
        g.update_batch(&[values]).unwrap();
        assert_eq!(g.evaluate().unwrap(), ScalarValue::Float64(Some(4.0)));
    }
}
