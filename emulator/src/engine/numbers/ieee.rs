//! Comparisons of doubles and reals as Trino makes them, IEEE 754's: NaN is neither
//! equal to, less nor greater than anything (itself included) and `-0.0 = 0.0`. Arrow's
//! kernels order floats totally (NaN equal to NaN and above every number, `-0.0` below
//! `0.0`), as ORDER BY does in both engines. The UDF resolves its operands as Trino does
//! (so an operand whose type changes after planning is still compared right): with a
//! double (real) both are doubles (reals), else numbers of their common type.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, BooleanArray};
use datafusion::arrow::compute::kernels::cmp;
use datafusion::arrow::datatypes::{DataType, Float32Type, Float64Type};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Operator, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::arithmetic::signed;
use super::integer::on_arrays;
use super::unify::common_numeric;
use super::{trino_type, user_error};

/// `a op b` on two doubles or two reals.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct FloatComparison {
    op: Operator,
    signature: Signature,
}

impl FloatComparison {
    /// `op` is one of `= <> < <= > >=`.
    pub(crate) fn new(op: Operator) -> FloatComparison {
        FloatComparison {
            op,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    fn symbol(&self) -> &'static str {
        match self.op {
            Operator::Eq => "=",
            Operator::NotEq => "<>",
            Operator::Lt => "<",
            Operator::LtEq => "<=",
            Operator::Gt => ">",
            _ => ">=",
        }
    }
}

fn compare(op: Operator, a: f64, b: f64) -> bool {
    match op {
        Operator::Eq => a == b,
        Operator::NotEq => a != b,
        Operator::Lt => a < b,
        Operator::LtEq => a <= b,
        Operator::Gt => a > b,
        _ => a >= b,
    }
}

impl ScalarUDFImpl for FloatComparison {
    fn name(&self) -> &str {
        match self.op {
            Operator::Eq => "athena_float_eq",
            Operator::NotEq => "athena_float_ne",
            Operator::Lt => "athena_float_lt",
            Operator::LtEq => "athena_float_le",
            Operator::Gt => "athena_float_gt",
            _ => "athena_float_ge",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        let [a, b] = types else {
            return plan_err!("{} compares two values", self.name());
        };
        match common_numeric(&[&signed(a), &signed(b)]) {
            Some(t) => Ok(vec![t.clone(), t]),
            None => Err(user_error(
                "TYPE_MISMATCH",
                format!(
                    "Cannot apply operator: {} {} {}",
                    trino_type(a),
                    self.symbol(),
                    trino_type(b)
                ),
            )),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let op = self.op;
        on_arrays(&args.args, |a| {
            let out: BooleanArray = match a[0].data_type() {
                // Not floats: numbers of one type, which Arrow compares exactly.
                DataType::Float32 | DataType::Float64 => match a[0].data_type() {
                    DataType::Float32 => a[0]
                        .as_primitive::<Float32Type>()
                        .iter()
                        .zip(a[1].as_primitive::<Float32Type>().iter())
                        .map(|(x, y)| Some(compare(op, f64::from(x?), f64::from(y?))))
                        .collect(),
                    _ => a[0]
                        .as_primitive::<Float64Type>()
                        .iter()
                        .zip(a[1].as_primitive::<Float64Type>().iter())
                        .map(|(x, y)| Some(compare(op, x?, y?)))
                        .collect(),
                },
                _ => {
                    let (x, y) = (&a[0], &a[1]);
                    match op {
                        Operator::Eq => cmp::eq(x, y)?,
                        Operator::NotEq => cmp::neq(x, y)?,
                        Operator::Lt => cmp::lt(x, y)?,
                        Operator::LtEq => cmp::lt_eq(x, y)?,
                        Operator::Gt => cmp::gt(x, y)?,
                        _ => cmp::gt_eq(x, y)?,
                    }
                }
            };
            Ok(Arc::new(out) as ArrayRef)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_compares_false_and_zeros_are_equal() {
        assert!(!compare(Operator::Eq, f64::NAN, f64::NAN));
        assert!(compare(Operator::NotEq, f64::NAN, f64::NAN));
        assert!(!compare(Operator::Gt, f64::NAN, 1.0));
        assert!(!compare(Operator::Lt, f64::NAN, 1.0));
        assert!(compare(Operator::Eq, -0.0, 0.0));
        assert!(compare(Operator::GtEq, f64::INFINITY, f64::INFINITY));
    }
}
