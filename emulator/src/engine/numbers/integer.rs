//! Trino's integer arithmetic: `+ - * / %` and unary minus on tinyint, smallint, integer
//! and bigint keep the type of their operands and fail on overflow
//! (`NUMERIC_VALUE_OUT_OF_RANGE: integer addition overflow: 2147483647 + 1`) where Arrow's
//! kernels wrap around; division truncates toward zero, the remainder has the sign of the
//! dividend, and a zero divisor is `DIVISION_BY_ZERO`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, Field, FieldRef, Int8Type, Int16Type, Int32Type, Int64Type,
};
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{division_by_zero, out_of_range, user_error};

/// An arithmetic operator on integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum IntOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulus,
}

impl IntOp {
    /// The word of Trino's overflow message, and the operator's symbol.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            IntOp::Add => ("addition", "+"),
            IntOp::Subtract => ("subtraction", "-"),
            IntOp::Multiply => ("multiplication", "*"),
            IntOp::Divide => ("division", "/"),
            IntOp::Modulus => ("modulus", "%"),
        }
    }
}

/// Trino's name of an integer type.
pub(crate) fn integer_type_name(data_type: &DataType) -> &'static str {
    match data_type {
        DataType::Int8 => "tinyint",
        DataType::Int16 => "smallint",
        DataType::Int32 => "integer",
        _ => "bigint",
    }
}

/// Whether `t` is one of Trino's integer types.
pub(crate) fn is_integer(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64
    )
}

/// The wider of two integer types (a bare NULL takes the other's type).
pub(crate) fn wider_integer(a: &DataType, b: &DataType) -> DataType {
    let rank = |t: &DataType| match t {
        DataType::Int8 => 1,
        DataType::Int16 => 2,
        DataType::Int32 => 3,
        DataType::Int64 => 4,
        _ => 0,
    };
    if rank(a) >= rank(b) {
        a.clone()
    } else {
        b.clone()
    }
}

/// The native arithmetic the kernels need, for i8 to i64.
pub(crate) trait CheckedInt: Copy + std::fmt::Display + PartialEq {
    const ZERO: Self;
    fn checked_add(self, other: Self) -> Option<Self>;
    fn checked_sub(self, other: Self) -> Option<Self>;
    fn checked_mul(self, other: Self) -> Option<Self>;
    fn checked_div(self, other: Self) -> Option<Self>;
    fn wrapping_rem(self, other: Self) -> Self;
    fn checked_neg(self) -> Option<Self>;
}

macro_rules! checked_int {
    ($($t:ty),*) => {$(
        impl CheckedInt for $t {
            const ZERO: Self = 0;
            fn checked_add(self, other: Self) -> Option<Self> { <$t>::checked_add(self, other) }
            fn checked_sub(self, other: Self) -> Option<Self> { <$t>::checked_sub(self, other) }
            fn checked_mul(self, other: Self) -> Option<Self> { <$t>::checked_mul(self, other) }
            fn checked_div(self, other: Self) -> Option<Self> { <$t>::checked_div(self, other) }
            fn wrapping_rem(self, other: Self) -> Self { <$t>::wrapping_rem(self, other) }
            fn checked_neg(self) -> Option<Self> { <$t>::checked_neg(self) }
        }
    )*};
}

checked_int!(i8, i16, i32, i64);

/// `a op b` of Trino's integer type `type_name`.
pub(crate) fn apply<T: CheckedInt>(op: IntOp, type_name: &str, a: T, b: T) -> Result<T> {
    let (word, symbol) = op.words();
    let overflow = || out_of_range(format!("{type_name} {word} overflow: {a} {symbol} {b}"));
    match op {
        IntOp::Add => a.checked_add(b).ok_or_else(overflow),
        IntOp::Subtract => a.checked_sub(b).ok_or_else(overflow),
        IntOp::Multiply => a.checked_mul(b).ok_or_else(overflow),
        IntOp::Divide => {
            if b == T::ZERO {
                return Err(division_by_zero());
            }
            a.checked_div(b).ok_or_else(|| {
                // MIN / -1. Trino reports bigint's as an overflow, and the narrower types'
                // (computed as longs, then narrowed) as an internal error.
                if type_name == "bigint" {
                    overflow()
                } else {
                    let what = match type_name {
                        "integer" => "MAX_INT for type integer",
                        "smallint" => "MAX_SHORT",
                        _ => "MAX_BYTE",
                    };
                    let magnitude = format!("{a}");
                    user_error(
                        "GENERIC_INTERNAL_ERROR",
                        format!("Value {} exceeds {what}", magnitude.trim_start_matches('-')),
                    )
                }
            })
        }
        IntOp::Modulus => {
            if b == T::ZERO {
                return Err(division_by_zero());
            }
            // MIN % -1 is 0, as in Java.
            Ok(a.wrapping_rem(b))
        }
    }
}

/// `-a` of Trino's integer type `type_name`.
pub(crate) fn negate<T: CheckedInt>(type_name: &str, a: T) -> Result<T> {
    a.checked_neg()
        .ok_or_else(|| out_of_range(format!("{type_name} negation overflow: {a}")))
}

/// Applies `f` to the rows of two primitive arrays of the same type.
pub(crate) fn binary<T: ArrowPrimitiveType>(
    x: &ArrayRef,
    y: &ArrayRef,
    f: impl Fn(T::Native, T::Native) -> Result<T::Native>,
) -> Result<ArrayRef> {
    let x = x.as_primitive::<T>();
    let y = y.as_primitive::<T>();
    let mut out = Vec::with_capacity(x.len());
    for i in 0..x.len() {
        out.push(if x.is_null(i) || y.is_null(i) {
            None
        } else {
            Some(f(x.value(i), y.value(i))?)
        });
    }
    Ok(Arc::new(out.into_iter().collect::<PrimitiveArray<T>>()))
}

/// Applies `f` to the rows of a primitive array.
fn unary<T: ArrowPrimitiveType>(
    x: &ArrayRef,
    f: impl Fn(T::Native) -> Result<T::Native>,
) -> Result<ArrayRef> {
    let x = x.as_primitive::<T>();
    let mut out = Vec::with_capacity(x.len());
    for i in 0..x.len() {
        out.push(if x.is_null(i) {
            None
        } else {
            Some(f(x.value(i))?)
        });
    }
    Ok(Arc::new(out.into_iter().collect::<PrimitiveArray<T>>()))
}

/// Runs `f` on the argument arrays, keeping a scalar result for scalar arguments.
pub(crate) fn on_arrays(
    args: &[ColumnarValue],
    f: impl FnOnce(&[ArrayRef]) -> Result<ArrayRef>,
) -> Result<ColumnarValue> {
    let scalar = args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let out = f(&arrays)?;
    if scalar {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
    } else {
        Ok(ColumnarValue::Array(out))
    }
}

/// `-a` on an integer, failing on the most negative value.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct CheckedNegate {
    signature: Signature,
}

impl CheckedNegate {
    pub(crate) fn new() -> CheckedNegate {
        CheckedNegate {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for CheckedNegate {
    fn name(&self) -> &str {
        "athena_checked_negate"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [a] if is_integer(a) => Ok(a.clone()),
            _ => plan_err!("athena_checked_negate takes one integer"),
        }
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        // As nullable as the `-x` it replaces after planning (and the schemas above it).
        let types: Vec<DataType> = args
            .arg_fields
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        let nullable = args.arg_fields.first().is_none_or(|f| f.is_nullable());
        Ok(Arc::new(Field::new(
            self.name(),
            self.return_type(&types)?,
            nullable,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        on_arrays(&args.args, |arrays| {
            let x = &arrays[0];
            let name = integer_type_name(x.data_type());
            match x.data_type() {
                DataType::Int8 => unary::<Int8Type>(x, |a| negate(name, a)),
                DataType::Int16 => unary::<Int16Type>(x, |a| negate(name, a)),
                DataType::Int32 => unary::<Int32Type>(x, |a| negate(name, a)),
                DataType::Int64 => unary::<Int64Type>(x, |a| negate(name, a)),
                other => plan_err!("athena_checked_negate of {other}"),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: Result<impl std::fmt::Debug>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn overflow_is_an_error_with_trinos_words() {
        assert_eq!(apply(IntOp::Add, "integer", 1i32, 2).unwrap(), 3);
        let m = message(apply(IntOp::Add, "integer", i32::MAX, 1));
        assert!(
            m.contains("NUMERIC_VALUE_OUT_OF_RANGE: integer addition overflow: 2147483647 + 1"),
            "{m}"
        );
        let m = message(apply(IntOp::Multiply, "tinyint", 16i8, 8));
        assert!(m.contains("tinyint multiplication overflow: 16 * 8"), "{m}");
        assert!(apply(IntOp::Subtract, "bigint", i64::MIN, 1).is_err());
        let m = message(negate("integer", i32::MIN));
        assert!(m.contains("integer negation overflow: -2147483648"), "{m}");
    }

    #[test]
    fn division_truncates_and_modulus_follows_the_dividend() {
        assert_eq!(apply(IntOp::Divide, "integer", -7i32, 2).unwrap(), -3);
        assert_eq!(apply(IntOp::Modulus, "integer", -7i32, 3).unwrap(), -1);
        assert_eq!(apply(IntOp::Modulus, "integer", 7i32, -3).unwrap(), 1);
        assert_eq!(apply(IntOp::Modulus, "integer", i32::MIN, -1).unwrap(), 0);
        assert!(message(apply(IntOp::Divide, "integer", 1i32, 0)).contains("DIVISION_BY_ZERO"));
        assert!(message(apply(IntOp::Modulus, "bigint", 1i64, 0)).contains("DIVISION_BY_ZERO"));
        assert!(
            message(apply(IntOp::Divide, "bigint", i64::MIN, -1))
                .contains("bigint division overflow")
        );
        assert!(
            message(apply(IntOp::Divide, "integer", i32::MIN, -1))
                .contains("GENERIC_INTERNAL_ERROR")
        );
    }
}
