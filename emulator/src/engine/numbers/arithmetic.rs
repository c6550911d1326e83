//! `a + b`, `a - b`, `a * b`, `a / b`, `a % b` on numbers, as one UDF per operator that
//! resolves its operands' types as Trino does when DataFusion coerces them (so a type
//! that changes after planning, a CASE unified to double, is still computed right):
//! integers of the wider type (checked, `integer.rs`), decimals of Trino's result type
//! (`decimal.rs`), and doubles or reals by IEEE arithmetic.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Decimal128Builder};
use datafusion::arrow::compute::kernels::numeric;
use datafusion::arrow::datatypes::{
    DataType, Decimal128Type, Int8Type, Int16Type, Int32Type, Int64Type,
};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::decimal::{self, DecimalOp, decimal_type, integer_as_decimal, result_type};
use super::integer::{
    self, IntOp, binary, integer_type_name, is_integer, on_arrays, wider_integer,
};
use super::{trino_type, user_error};

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulus,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Add => "athena_add",
            Op::Subtract => "athena_subtract",
            Op::Multiply => "athena_multiply",
            Op::Divide => "athena_divide",
            Op::Modulus => "athena_modulus",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Subtract => "-",
            Op::Multiply => "*",
            Op::Divide => "/",
            Op::Modulus => "%",
        }
    }

    fn int(self) -> IntOp {
        match self {
            Op::Add => IntOp::Add,
            Op::Subtract => IntOp::Subtract,
            Op::Multiply => IntOp::Multiply,
            Op::Divide => IntOp::Divide,
            Op::Modulus => IntOp::Modulus,
        }
    }

    fn decimal(self) -> DecimalOp {
        match self {
            Op::Add => DecimalOp::Add,
            Op::Subtract => DecimalOp::Subtract,
            Op::Multiply => DecimalOp::Multiply,
            Op::Divide => DecimalOp::Divide,
            Op::Modulus => DecimalOp::Modulus,
        }
    }
}

/// The operand types Trino computes `a op b` in, or `None` when they are not numbers.
pub(crate) fn operand_types(a: &DataType, b: &DataType) -> Option<(DataType, DataType)> {
    let (a, b) = (&signed(a), &signed(b));
    let int = |t: &DataType| is_integer(t) || *t == DataType::Null;
    let exact = |t: &DataType| int(t) || matches!(t, DataType::Decimal128(..));
    let number = |t: &DataType| exact(t) || matches!(t, DataType::Float32 | DataType::Float64);
    if !number(a) || !number(b) {
        return None;
    }
    if int(a) && int(b) {
        let t = wider_integer(a, b);
        return Some((t.clone(), t));
    }
    if exact(a) && exact(b) {
        let as_decimal = |t: &DataType| {
            let (p, s) = decimal_type(t)
                .or_else(|| integer_as_decimal(t))
                .unwrap_or((1, 0));
            DataType::Decimal128(p, s)
        };
        return Some((as_decimal(a), as_decimal(b)));
    }
    let t = if *a == DataType::Float64 || *b == DataType::Float64 {
        DataType::Float64
    } else {
        DataType::Float32
    };
    Some((t.clone(), t))
}

/// The Trino type of an unsigned integer DataFusion's functions return (`cardinality` is
/// a `UInt64`, Trino's bigint), any other type as it is.
pub(crate) fn signed(t: &DataType) -> DataType {
    match t {
        DataType::UInt8 => DataType::Int16,
        DataType::UInt16 => DataType::Int32,
        DataType::UInt32 | DataType::UInt64 => DataType::Int64,
        other => other.clone(),
    }
}

/// `a op b` on numbers.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct Arithmetic {
    op: Op,
    signature: Signature,
}

impl Arithmetic {
    pub(crate) fn new(op: Op) -> Arithmetic {
        Arithmetic {
            op,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Arithmetic {
    fn name(&self) -> &str {
        self.op.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [a, b] => match operand_types(a, b) {
                Some((a, b)) => Ok(vec![a, b]),
                None => Err(user_error(
                    "TYPE_MISMATCH",
                    format!(
                        "Cannot apply operator: {} {} {}",
                        trino_type(a),
                        self.op.symbol(),
                        trino_type(b)
                    ),
                )),
            },
            _ => plan_err!("{} takes two operands", self.name()),
        }
    }

    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        match types {
            [DataType::Decimal128(p1, s1), DataType::Decimal128(p2, s2)] => {
                let (p, s) = result_type(self.op.decimal(), (*p1, *s1), (*p2, *s2))?;
                Ok(DataType::Decimal128(p, s))
            }
            // A bare NULL on both sides stays NULL (the planner refuses it as Trino does).
            [a, _] if *a == DataType::Null => Ok(types[1].clone()),
            [a, _] => Ok(a.clone()),
            _ => plan_err!("{} takes two operands", self.name()),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let op = self.op;
        let to = args.return_field.data_type().clone();
        on_arrays(&args.args, |a| compute(op, &a[0], &a[1], &to))
    }
}

/// `x op y` of two arrays of the coerced operand types.
fn compute(op: Op, x: &ArrayRef, y: &ArrayRef, to: &DataType) -> Result<ArrayRef> {
    let name = integer_type_name(x.data_type());
    let int_op = op.int();
    match (x.data_type(), y.data_type()) {
        (DataType::Int8, DataType::Int8) => {
            binary::<Int8Type>(x, y, |a, b| integer::apply(int_op, name, a, b))
        }
        (DataType::Int16, DataType::Int16) => {
            binary::<Int16Type>(x, y, |a, b| integer::apply(int_op, name, a, b))
        }
        (DataType::Int32, DataType::Int32) => {
            binary::<Int32Type>(x, y, |a, b| integer::apply(int_op, name, a, b))
        }
        (DataType::Int64, DataType::Int64) => {
            binary::<Int64Type>(x, y, |a, b| integer::apply(int_op, name, a, b))
        }
        (DataType::Decimal128(p1, s1), DataType::Decimal128(p2, s2)) => {
            let DataType::Decimal128(p, s) = to else {
                return plan_err!("decimal arithmetic returning {to}");
            };
            let (a, b) = (
                x.as_primitive::<Decimal128Type>(),
                y.as_primitive::<Decimal128Type>(),
            );
            let mut out = Decimal128Builder::with_capacity(a.len());
            for i in 0..a.len() {
                if a.is_null(i) || b.is_null(i) {
                    out.append_null();
                } else {
                    out.append_value(decimal::apply(
                        op.decimal(),
                        a.value(i),
                        (*p1, *s1),
                        b.value(i),
                        (*p2, *s2),
                        (*p, *s),
                    )?);
                }
            }
            Ok(Arc::new(out.finish().with_precision_and_scale(*p, *s)?))
        }
        // IEEE arithmetic: Arrow's float kernels give Infinity and NaN, never an error.
        (DataType::Float64, DataType::Float64) | (DataType::Float32, DataType::Float32) => {
            Ok(match op {
                Op::Add => numeric::add(x, y)?,
                Op::Subtract => numeric::sub(x, y)?,
                Op::Multiply => numeric::mul(x, y)?,
                Op::Divide => numeric::div(x, y)?,
                Op::Modulus => numeric::rem(x, y)?,
            })
        }
        (DataType::Null, _) | (_, DataType::Null) => Ok(datafusion::arrow::array::new_null_array(
            to,
            x.len().max(y.len()),
        )),
        (a, b) => plan_err!("{} of {a} and {b}", op.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operands_take_trinos_types() {
        use DataType::*;
        assert_eq!(operand_types(&Int8, &Int32), Some((Int32, Int32)));
        assert_eq!(
            operand_types(&Int64, &Decimal128(2, 1)),
            Some((Decimal128(19, 0), Decimal128(2, 1)))
        );
        assert_eq!(
            operand_types(&Decimal128(2, 1), &Float32),
            Some((Float32, Float32))
        );
        assert_eq!(operand_types(&Float32, &Float64), Some((Float64, Float64)));
        assert_eq!(
            operand_types(&Null, &Decimal128(2, 1)),
            Some((Decimal128(1, 0), Decimal128(2, 1)))
        );
        assert_eq!(operand_types(&Int32, &Utf8), None);
    }
}
