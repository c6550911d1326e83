//! `sum` and `avg` of decimals with Trino's result types: `sum(decimal(p, s))` is a
//! `decimal(38, s)` failing with `NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow` past 38
//! digits, `avg(decimal(p, s))` a `decimal(p, s)` rounded half up (DataFusion's are
//! `decimal(p + 10, s)`, wrapping, and `decimal(p + 4, s + 4)`). The analyzer rule puts
//! these in place of DataFusion's `sum` and `avg` when the argument is a decimal.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{
    DataType, Decimal128Type, Decimal256Type, Field, FieldRef, i256,
};
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};

use super::decimal::{MAX_PRECISION, div_half_up, fits};
use super::out_of_range;

/// Which aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum DecimalAggregate {
    Sum,
    Avg,
}

/// `sum` / `avg` of a decimal, Trino's way.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct DecimalAggregateUdf {
    kind: DecimalAggregate,
    signature: Signature,
}

impl DecimalAggregateUdf {
    pub(crate) fn new(kind: DecimalAggregate) -> DecimalAggregateUdf {
        DecimalAggregateUdf {
            kind,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

fn input_type(arg_types: &[DataType]) -> Result<(u8, i8)> {
    match arg_types {
        [DataType::Decimal128(p, s)] => Ok((*p, *s)),
        _ => plan_err!("a decimal aggregate takes one decimal"),
    }
}

impl AggregateUDFImpl for DecimalAggregateUdf {
    fn name(&self) -> &str {
        // Trino's names: the column names and error messages of the query stay its own.
        match self.kind {
            DecimalAggregate::Sum => "sum",
            DecimalAggregate::Avg => "avg",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let (p, s) = input_type(arg_types)?;
        Ok(match self.kind {
            DecimalAggregate::Sum => DataType::Decimal128(MAX_PRECISION, s),
            DecimalAggregate::Avg => DataType::Decimal128(p, s),
        })
    }

    fn accumulator(&self, acc_args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        let (p, s) = match acc_args.return_type() {
            DataType::Decimal128(p, s) => (*p, *s),
            other => return plan_err!("a decimal aggregate returning {other}"),
        };
        let input = acc_args
            .expr_fields
            .first()
            .map(|f| f.data_type().clone())
            .unwrap_or(DataType::Decimal128(p, s));
        Ok(Box::new(DecimalAccumulator {
            kind: self.kind,
            result: (p, s),
            input,
            sum: i256::ZERO,
            count: 0,
            distinct: acc_args.is_distinct.then(HashSet::new),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        let scale = match args.return_type() {
            DataType::Decimal128(_, s) => *s,
            _ => 0,
        };
        if args.is_distinct {
            let item = args
                .input_fields
                .first()
                .map(|f| f.data_type().clone())
                .unwrap_or(DataType::Decimal128(MAX_PRECISION, scale));
            return Ok(vec![Arc::new(Field::new_list(
                format!("{}[distinct]", args.name),
                Field::new_list_field(item, true),
                true,
            ))]);
        }
        Ok(vec![
            Arc::new(Field::new(
                format!("{}[sum]", args.name),
                DataType::Decimal256(76, scale),
                true,
            )),
            Arc::new(Field::new(
                format!("{}[count]", args.name),
                DataType::Int64,
                true,
            )),
        ])
    }
}

/// The running sum (exact, 256 bits) and count of the non-NULL values; with DISTINCT,
/// the distinct values instead.
#[derive(Debug)]
struct DecimalAccumulator {
    kind: DecimalAggregate,
    result: (u8, i8),
    input: DataType,
    sum: i256,
    count: i64,
    distinct: Option<HashSet<i128>>,
}

impl DecimalAccumulator {
    fn add(&mut self, v: i128, sign: i8) {
        if let Some(seen) = &mut self.distinct {
            seen.insert(v);
            return;
        }
        let v = i256::from_i128(v);
        if sign > 0 {
            self.sum = self.sum.wrapping_add(v);
            self.count += 1;
        } else {
            self.sum = self.sum.wrapping_sub(v);
            self.count -= 1;
        }
    }

    fn totals(&self) -> (i256, i64) {
        match &self.distinct {
            Some(seen) => (
                seen.iter()
                    .fold(i256::ZERO, |acc, v| acc.wrapping_add(i256::from_i128(*v))),
                seen.len() as i64,
            ),
            None => (self.sum, self.count),
        }
    }
}

impl Accumulator for DecimalAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let values = values[0].as_primitive::<Decimal128Type>();
        for v in values.iter().flatten() {
            self.add(v, 1);
        }
        Ok(())
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let values = values[0].as_primitive::<Decimal128Type>();
        for v in values.iter().flatten() {
            self.add(v, -1);
        }
        Ok(())
    }

    fn supports_retract_batch(&self) -> bool {
        self.distinct.is_none()
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let (p, s) = self.result;
        let (sum, count) = self.totals();
        if count == 0 {
            return Ok(ScalarValue::Decimal128(None, p, s));
        }
        let value = match self.kind {
            DecimalAggregate::Sum => sum,
            DecimalAggregate::Avg => {
                div_half_up(sum, i256::from_i128(i128::from(count))).unwrap_or(i256::MAX)
            }
        };
        if !fits(value, p) {
            return Err(out_of_range("Decimal overflow".to_owned()));
        }
        Ok(ScalarValue::Decimal128(Some(value.as_i128()), p, s))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.distinct.as_ref().map_or(0, |d| d.len() * 16)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let scale = self.result.1;
        if let Some(seen) = &self.distinct {
            let (p, s) = match self.input {
                DataType::Decimal128(p, s) => (p, s),
                _ => (MAX_PRECISION, scale),
            };
            let values: Vec<ScalarValue> = seen
                .iter()
                .map(|v| ScalarValue::Decimal128(Some(*v), p, s))
                .collect();
            return Ok(vec![ScalarValue::List(ScalarValue::new_list_nullable(
                &values,
                &self.input,
            ))]);
        }
        Ok(vec![
            ScalarValue::Decimal256(Some(self.sum), 76, scale),
            ScalarValue::Int64(Some(self.count)),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        if self.distinct.is_some() {
            let lists = states[0].as_list::<i32>();
            for list in lists.iter().flatten() {
                self.update_batch(&[list])?;
            }
            return Ok(());
        }
        let sums = states[0].as_primitive::<Decimal256Type>();
        let counts = states[1].as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        for i in 0..sums.len() {
            if sums.is_valid(i) {
                self.sum = self.sum.wrapping_add(sums.value(i));
            }
            if counts.is_valid(i) {
                self.count += counts.value(i);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Decimal128Array;

    fn accumulator(kind: DecimalAggregate, result: (u8, i8)) -> DecimalAccumulator {
        DecimalAccumulator {
            kind,
            result,
            input: DataType::Decimal128(result.0, result.1),
            sum: i256::ZERO,
            count: 0,
            distinct: None,
        }
    }

    fn values(v: Vec<Option<i128>>, p: u8, s: i8) -> ArrayRef {
        Arc::new(
            Decimal128Array::from(v)
                .with_precision_and_scale(p, s)
                .unwrap(),
        )
    }

    #[test]
    fn avg_rounds_half_up_in_the_input_type() {
        let mut acc = accumulator(DecimalAggregate::Avg, (3, 2));
        acc.update_batch(&[values(vec![Some(125), Some(250), None], 3, 2)])
            .unwrap();
        assert_eq!(
            acc.evaluate().unwrap(),
            ScalarValue::Decimal128(Some(188), 3, 2)
        );
        let mut acc = accumulator(DecimalAggregate::Avg, (2, 2));
        acc.update_batch(&[values(vec![Some(-1), Some(-2)], 2, 2)])
            .unwrap();
        assert_eq!(
            acc.evaluate().unwrap(),
            ScalarValue::Decimal128(Some(-2), 2, 2)
        );
    }

    #[test]
    fn sum_fails_past_38_digits_and_is_null_for_no_rows() {
        let mut acc = accumulator(DecimalAggregate::Sum, (38, 0));
        assert_eq!(
            acc.evaluate().unwrap(),
            ScalarValue::Decimal128(None, 38, 0)
        );
        let max = 10i128.pow(38) - 1;
        acc.update_batch(&[values(vec![Some(max), Some(1)], 38, 0)])
            .unwrap();
        assert!(
            acc.evaluate()
                .unwrap_err()
                .to_string()
                .contains("Decimal overflow")
        );
        acc.retract_batch(&[values(vec![Some(1)], 38, 0)]).unwrap();
        assert_eq!(
            acc.evaluate().unwrap(),
            ScalarValue::Decimal128(Some(max), 38, 0)
        );
    }

    #[test]
    fn partial_states_merge() {
        let mut a = accumulator(DecimalAggregate::Sum, (38, 1));
        let mut b = accumulator(DecimalAggregate::Sum, (38, 1));
        a.update_batch(&[values(vec![Some(15)], 2, 1)]).unwrap();
        b.update_batch(&[values(vec![Some(25)], 2, 1)]).unwrap();
        let state: Vec<ArrayRef> = b
            .state()
            .unwrap()
            .into_iter()
            .map(|v| v.to_array().unwrap())
            .collect();
        a.merge_batch(&state).unwrap();
        assert_eq!(
            a.evaluate().unwrap(),
            ScalarValue::Decimal128(Some(40), 38, 1)
        );
    }
}
