//! Trino's approximate aggregates where their answers are exact, and a refusal where
//! they are not (trino.io, "Aggregate functions", approximate aggregate functions):
//!
//! - `approx_distinct(x[, e])` estimates with a HyperLogLog whose sparse form is exact
//!   for small sets: measured on Trino 476, the estimate is the exact count up to 251
//!   distinct values when the sketch has at least 2048 buckets (`e` below 0.0325, the
//!   default 0.023 included) and differs from it from 252 on. Up to 251 the emulator
//!   counts exactly; beyond, or with fewer buckets, it refuses.
//! - `approx_percentile(x, [w,] p)` walks a quantile digest (t-digest for doubles and
//!   reals) which keeps every value while there are few: measured on Trino 476, the
//!   answer is the `floor(p * n)`-th smallest value (from 0, the largest for p = 1) for
//!   up to 39 values, and an approximation from 40 on. The emulator answers the former
//!   and refuses the latter.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};

/// The most distinct values `approx_distinct` answers (exact in Trino up to there).
const DISTINCT_LIMIT: usize = 251;

/// The most values `approx_percentile` answers (exact in Trino up to there).
const PERCENTILE_LIMIT: u64 = 39;

/// The UDAFs `athena_approx_distinct` and `athena_approx_percentile` (the query rewrite
/// calls them).
pub(crate) fn udafs() -> Vec<AggregateUDF> {
    vec![
        AggregateUDF::new_from_impl(ApproxDistinct {
            signature: Signature::user_defined(Volatility::Immutable),
        }),
        AggregateUDF::new_from_impl(ApproxPercentile {
            signature: Signature::user_defined(Volatility::Immutable),
        }),
    ]
}

fn no_match(name: &str, arg_types: &[DataType]) -> Result<Vec<DataType>> {
    plan_err!(
        "No function matches the given name and argument types '{name}({})'",
        arg_types
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ApproxDistinct {
    signature: Signature,
}

impl AggregateUDFImpl for ApproxDistinct {
    fn name(&self) -> &str {
        "athena_approx_distinct"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] => Ok(vec![t.clone()]),
            [t, e] if e.is_numeric() => Ok(vec![t.clone(), DataType::Float64]),
            _ => no_match("approx_distinct", arg_types),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn default_value(&self, _data_type: &DataType) -> Result<ScalarValue> {
        Ok(ScalarValue::Int64(Some(0)))
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        if let Some(fields) = super::distinct_state_fields(&args) {
            return Ok(fields);
        }
        let t = args.input_fields[0].data_type().clone();
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "values"),
            DataType::List(Arc::new(Field::new_list_field(t, true))),
            true,
        ))])
    }

    fn accumulator(&self, acc_args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        let inner: Box<dyn Accumulator> = {
            Box::new(DistinctValues {
                data_type: acc_args.expr_fields[0].data_type().clone(),
                values: HashSet::new(),
                checked_error: false,
            })
        };
        Ok(super::maybe_distinct(&acc_args, inner))
    }

    fn create_sliding_accumulator(
        &self,
        acc_args: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn Accumulator>> {
        super::SlidingRecompute::for_udaf(self.name(), &acc_args)
    }
}

/// Checks the maximum standard error `e` of `approx_distinct(x, e)`.
fn check_standard_error(e: f64) -> Result<()> {
    if !(0.0040625..=0.26).contains(&e) {
        return exec_err!(
            "INVALID_FUNCTION_ARGUMENT: Max standard error must be in [0.0040625, 0.26]: {e}"
        );
    }
    // Trino's sketch has 2^ceil(log2(1.0816 / e^2)) buckets; below 2048 its estimates
    // differ from the count for small sets too.
    if (1.0816 / (e * e)).ceil() <= 1024.0 {
        return exec_err!(
            "NOT_SUPPORTED: approx_distinct with a maximum standard error of 0.0325 or more is not supported by athena-emulator (Athena's estimate is not the exact count there)"
        );
    }
    Ok(())
}

#[derive(Debug)]
struct DistinctValues {
    data_type: DataType,
    values: HashSet<ScalarValue>,
    checked_error: bool,
}

impl DistinctValues {
    fn insert(&mut self, value: ScalarValue) -> Result<()> {
        if value.is_null() {
            return Ok(());
        }
        self.values.insert(value);
        if self.values.len() > DISTINCT_LIMIT {
            return exec_err!(
                "NOT_SUPPORTED: approx_distinct over more than {DISTINCT_LIMIT} distinct values is not supported by athena-emulator (Athena's HyperLogLog estimate is not the exact count there)"
            );
        }
        Ok(())
    }
}

impl Accumulator for DistinctValues {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        if !self.checked_error
            && let Some(errors) = values.get(1)
        {
            let errors = errors.as_primitive::<Float64Type>();
            if let Some(e) = errors.iter().flatten().next() {
                check_standard_error(e)?;
                self.checked_error = true;
            }
        }
        for i in 0..values[0].len() {
            self.insert(ScalarValue::try_from_array(&values[0], i)?)?;
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Int64(Some(self.values.len() as i64)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.values.iter().map(ScalarValue::size).sum::<usize>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let values: Vec<ScalarValue> = self.values.iter().cloned().collect();
        Ok(vec![ScalarValue::List(ScalarValue::new_list_nullable(
            &values,
            &self.data_type,
        ))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let lists = states[0].as_list::<i32>();
        for row in 0..lists.len() {
            if lists.is_null(row) {
                continue;
            }
            let values = lists.value(row);
            for i in 0..values.len() {
                self.insert(ScalarValue::try_from_array(&values, i)?)?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ApproxPercentile {
    signature: Signature,
}

/// The type Trino computes `approx_percentile` of `x` in: bigint for integers, real for
/// reals and decimals, double for doubles.
fn percentile_type(t: &DataType) -> Option<DataType> {
    match t {
        t if t.is_integer() || t.is_null() => Some(DataType::Int64),
        DataType::Float32 | DataType::Decimal128(..) | DataType::Decimal256(..) => {
            Some(DataType::Float32)
        }
        DataType::Float64 => Some(DataType::Float64),
        _ => None,
    }
}

fn list_of(t: DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(t, true)))
}

fn is_percentages(t: &DataType) -> bool {
    t.is_numeric() || matches!(t, DataType::List(f) if f.data_type().is_numeric())
}

fn as_percentages(t: &DataType) -> DataType {
    if matches!(t, DataType::List(_)) {
        list_of(DataType::Float64)
    } else {
        DataType::Float64
    }
}

impl AggregateUDFImpl for ApproxPercentile {
    fn name(&self) -> &str {
        "athena_approx_percentile"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let Some(x) = arg_types.first().and_then(percentile_type) else {
            return no_match("approx_percentile", arg_types);
        };
        match arg_types {
            [_, p] if is_percentages(p) => Ok(vec![x, as_percentages(p)]),
            [_, w, p] if w.is_integer() && is_percentages(p) => {
                Ok(vec![x, DataType::Int64, as_percentages(p)])
            }
            [_, w, p, a] if w.is_integer() && p.is_numeric() && a.is_numeric() => Ok(vec![
                x,
                DataType::Int64,
                DataType::Float64,
                DataType::Float64,
            ]),
            _ => no_match("approx_percentile", arg_types),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let x = arg_types[0].clone();
        let p = if arg_types.len() == 2 {
            &arg_types[1]
        } else {
            &arg_types[2]
        };
        Ok(if matches!(p, DataType::List(_)) {
            list_of(x)
        } else {
            x
        })
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        if let Some(fields) = super::distinct_state_fields(&args) {
            return Ok(fields);
        }
        let t = args.input_fields[0].data_type().clone();
        let p = args.input_fields[if args.input_fields.len() == 2 { 1 } else { 2 }]
            .data_type()
            .clone();
        Ok(vec![
            Arc::new(Field::new(
                format_state_name(args.name, "values"),
                list_of(t),
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "weights"),
                list_of(DataType::Int64),
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "percentages"),
                p,
                true,
            )),
        ])
    }

    fn accumulator(&self, acc_args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        let inner: Box<dyn Accumulator> = {
            let types: Vec<DataType> = acc_args
                .expr_fields
                .iter()
                .map(|f| f.data_type().clone())
                .collect();
            Box::new(Percentiles {
                data_type: types[0].clone(),
                weighted: types.len() > 2,
                percentages: None,
                percentages_type: types[if types.len() == 2 { 1 } else { 2 }].clone(),
                entries: Vec::new(),
                total: 0,
            })
        };
        Ok(super::maybe_distinct(&acc_args, inner))
    }

    fn create_sliding_accumulator(
        &self,
        acc_args: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn Accumulator>> {
        super::SlidingRecompute::for_udaf(self.name(), &acc_args)
    }
}

#[derive(Debug)]
struct Percentiles {
    data_type: DataType,
    weighted: bool,
    /// The percentages asked for, once read (`None` in the list: a NULL percentage).
    percentages: Option<ScalarValue>,
    percentages_type: DataType,
    /// Every value with its weight.
    entries: Vec<(ScalarValue, i64)>,
    total: u64,
}

impl Percentiles {
    fn add(&mut self, value: ScalarValue, weight: i64) -> Result<()> {
        if value.is_null() {
            return Ok(());
        }
        if weight <= 0 {
            return exec_err!("INVALID_FUNCTION_ARGUMENT: percentile weight must be > 0");
        }
        self.total = self.total.saturating_add(weight as u64);
        if self.entries.len() as u64 >= PERCENTILE_LIMIT || self.total > PERCENTILE_LIMIT {
            return exec_err!(
                "NOT_SUPPORTED: approx_percentile over more than {PERCENTILE_LIMIT} values is not supported by athena-emulator (Athena's quantile digest answers an approximation there)"
            );
        }
        self.entries.push((value, weight));
        Ok(())
    }

    fn set_percentages(&mut self, p: ScalarValue) -> Result<()> {
        if self.percentages.is_some() || p.is_null() {
            return Ok(());
        }
        let check = |v: &ScalarValue| -> Result<()> {
            match v {
                ScalarValue::Float64(Some(f)) if (0.0..=1.0).contains(f) => Ok(()),
                _ => exec_err!("INVALID_FUNCTION_ARGUMENT: Percentile must be between 0 and 1"),
            }
        };
        match &p {
            ScalarValue::List(list) => {
                let values = list.value(0);
                for i in 0..values.len() {
                    check(&ScalarValue::try_from_array(&values, i)?)?;
                }
            }
            other => check(other)?,
        }
        self.percentages = Some(p);
        Ok(())
    }

    /// The value at percentage `p` of the sorted, weighted values.
    fn at(sorted: &[(ScalarValue, i64)], total: u64, p: f64) -> ScalarValue {
        let rank = ((p * total as f64).floor() as u64).min(total.saturating_sub(1));
        let mut seen = 0u64;
        for (v, w) in sorted {
            seen += *w as u64;
            if seen > rank {
                return v.clone();
            }
        }
        sorted
            .last()
            .map(|(v, _)| v.clone())
            .unwrap_or(ScalarValue::Null)
    }
}

impl Accumulator for Percentiles {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let p_index = if values.len() == 2 { 1 } else { 2 };
        if self.percentages.is_none() {
            for i in 0..values[p_index].len() {
                if values[p_index].is_valid(i) {
                    self.set_percentages(ScalarValue::try_from_array(&values[p_index], i)?)?;
                    break;
                }
            }
        }
        let weights = self
            .weighted
            .then(|| values[1].as_primitive::<Int64Type>().clone());
        for i in 0..values[0].len() {
            let weight = match &weights {
                Some(w) if w.is_null(i) => continue,
                Some(w) => w.value(i),
                None => 1,
            };
            self.add(ScalarValue::try_from_array(&values[0], i)?, weight)?;
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let result_type = match &self.percentages_type {
            DataType::List(_) => list_of(self.data_type.clone()),
            _ => self.data_type.clone(),
        };
        let (Some(p), false) = (&self.percentages, self.entries.is_empty()) else {
            return ScalarValue::try_from(&result_type);
        };
        let mut sorted = self.entries.clone();
        sorted.sort_by(|(a, _), (b, _)| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        let value_at = |p: &ScalarValue| match p {
            ScalarValue::Float64(Some(f)) => Self::at(&sorted, self.total, *f),
            _ => ScalarValue::try_from(&self.data_type).unwrap_or(ScalarValue::Null),
        };
        Ok(match p {
            ScalarValue::List(list) => {
                let ps = list.value(0);
                let mut out = Vec::with_capacity(ps.len());
                for i in 0..ps.len() {
                    out.push(value_at(&ScalarValue::try_from_array(&ps, i)?));
                }
                ScalarValue::List(ScalarValue::new_list_nullable(&out, &self.data_type))
            }
            single => value_at(single),
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.entries.len() * 64
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let values: Vec<ScalarValue> = self.entries.iter().map(|(v, _)| v.clone()).collect();
        let weights: Vec<ScalarValue> = self
            .entries
            .iter()
            .map(|(_, w)| ScalarValue::Int64(Some(*w)))
            .collect();
        let p = match &self.percentages {
            Some(p) => p.clone(),
            None => ScalarValue::try_from(&self.percentages_type)?,
        };
        Ok(vec![
            ScalarValue::List(ScalarValue::new_list_nullable(&values, &self.data_type)),
            ScalarValue::List(ScalarValue::new_list_nullable(&weights, &DataType::Int64)),
            p,
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let values = states[0].as_list::<i32>();
        let weights = states[1].as_list::<i32>();
        for row in 0..values.len() {
            if states[2].is_valid(row) {
                self.set_percentages(ScalarValue::try_from_array(&states[2], row)?)?;
            }
            if values.is_null(row) {
                continue;
            }
            let (v, w) = (values.value(row), weights.value(row));
            let w = cast(&w, &DataType::Int64)?;
            let w = w.as_primitive::<Int64Type>();
            for i in 0..v.len() {
                self.add(ScalarValue::try_from_array(&v, i)?, w.value(i))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(values: &[i64]) -> Vec<(ScalarValue, i64)> {
        values
            .iter()
            .map(|v| (ScalarValue::Int64(Some(*v)), 1))
            .collect()
    }

    #[test]
    fn the_floor_rank_is_trinos_answer_for_few_values() {
        // Trino 476 over 1, 2, 3, 4: 0.5 -> 3, 0.25 -> 2, 0.1 -> 1, 0.9 -> 4.
        let sorted = entries(&[1, 2, 3, 4]);
        let at = |p| Percentiles::at(&sorted, 4, p);
        assert_eq!(at(0.5), ScalarValue::Int64(Some(3)));
        assert_eq!(at(0.25), ScalarValue::Int64(Some(2)));
        assert_eq!(at(0.1), ScalarValue::Int64(Some(1)));
        assert_eq!(at(0.9), ScalarValue::Int64(Some(4)));
        assert_eq!(at(1.0), ScalarValue::Int64(Some(4)));
        // Weighted: 1 (1), 10 (5), 100 (1) at 0.5 -> 10.
        let weighted = vec![
            (ScalarValue::Int64(Some(1)), 1),
            (ScalarValue::Int64(Some(10)), 5),
            (ScalarValue::Int64(Some(100)), 1),
        ];
        assert_eq!(
            Percentiles::at(&weighted, 7, 0.5),
            ScalarValue::Int64(Some(10))
        );
    }

    #[test]
    fn standard_errors_out_of_range_or_too_coarse_are_refused() {
        assert!(check_standard_error(0.023).is_ok());
        assert!(check_standard_error(0.0040625).is_ok());
        let err = check_standard_error(0.3).unwrap_err().to_string();
        assert!(err.contains("INVALID_FUNCTION_ARGUMENT"), "{err}");
        let err = check_standard_error(0.05).unwrap_err().to_string();
        assert!(err.contains("NOT_SUPPORTED"), "{err}");
    }
}
