//! Trino's decimal arithmetic: the precision and scale of the result of `+ - * / %`
//! (trino.io, "Decimal functions and operators"), and the values, computed exactly on the
//! unscaled integers (`i128`, widened to `i256` where an intermediate needs up to 77
//! digits), rounded half up, failing with `NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow`
//! when the result does not fit its type and `DIVISION_BY_ZERO` on a zero divisor.

use datafusion::arrow::datatypes::{DataType, i256};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{division_by_zero, out_of_range, user_error};

/// The largest precision of a decimal.
pub(crate) const MAX_PRECISION: u8 = 38;

/// A decimal type: precision and scale.
pub(crate) type DecimalType = (u8, i8);

/// The decimal type Trino gives an integer type when it meets a decimal
/// (`tinyint` is `decimal(3,0)`, ..., `bigint` is `decimal(19,0)`), and a bare NULL
/// (`decimal(1,0)`).
pub(crate) fn integer_as_decimal(data_type: &DataType) -> Option<DecimalType> {
    match data_type {
        DataType::Int8 => Some((3, 0)),
        DataType::Int16 => Some((5, 0)),
        DataType::Int32 => Some((10, 0)),
        DataType::Int64 => Some((19, 0)),
        DataType::Null => Some((1, 0)),
        _ => None,
    }
}

/// The precision and scale of a `Decimal128`.
pub(crate) fn decimal_type(data_type: &DataType) -> Option<DecimalType> {
    match data_type {
        DataType::Decimal128(p, s) => Some((*p, *s)),
        _ => None,
    }
}

/// An arithmetic operator on decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum DecimalOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulus,
}

/// The type of `a op b` (Trino's `DecimalOperators`):
///
/// - `+`, `-`: scale `max(s1, s2)`, precision `1 + max(p1 - s1, p2 - s2) + scale`;
/// - `*`: precision `p1 + p2`, scale `s1 + s2` (more than 38 is an error);
/// - `/`: scale `max(s1, s2)`, precision `p1 + s2 + max(s2 - s1, 0)`;
/// - `%`: scale `max(s1, s2)`, precision `min(p1 - s1, p2 - s2) + scale`;
///
/// every precision capped at 38.
pub(crate) fn result_type(op: DecimalOp, a: DecimalType, b: DecimalType) -> Result<DecimalType> {
    let (p1, s1) = (i32::from(a.0), i32::from(a.1));
    let (p2, s2) = (i32::from(b.0), i32::from(b.1));
    let max = i32::from(MAX_PRECISION);
    let (p, s) = match op {
        DecimalOp::Add | DecimalOp::Subtract => {
            let s = s1.max(s2);
            (1 + (p1 - s1).max(p2 - s2) + s, s)
        }
        DecimalOp::Multiply => {
            let s = s1 + s2;
            if s > max {
                return Err(user_error(
                    "INVALID_FUNCTION_ARGUMENT",
                    format!("DECIMAL scale must be in range [0, precision ({max})]: {s}"),
                ));
            }
            (p1 + p2, s)
        }
        DecimalOp::Divide => (p1 + s2 + (s2 - s1).max(0), s1.max(s2)),
        DecimalOp::Modulus => {
            let s = s1.max(s2);
            ((p1 - s1).min(p2 - s2) + s, s)
        }
    };
    // The casts below cannot truncate: 1 <= p <= 38 and 0 <= s <= p.
    Ok((p.clamp(1, max) as u8, s as i8))
}

/// 10^n as an `i256` (n <= 76).
pub(crate) fn pow10_256(n: u32) -> i256 {
    let ten = i256::from_i128(10);
    let mut v = i256::ONE;
    for _ in 0..n {
        v = v.wrapping_mul(ten);
    }
    v
}

/// Whether `v` has at most `precision` digits.
pub(crate) fn fits(v: i256, precision: u8) -> bool {
    let limit = pow10_256(u32::from(precision));
    v < limit && v > limit.wrapping_neg()
}

/// `v` (an unscaled value of scale `from`) at scale `to >= from`, exactly.
fn upscale(v: i128, from: i8, to: i8) -> Option<i256> {
    let k = u32::try_from(i32::from(to) - i32::from(from)).ok()?;
    i256::from_i128(v).checked_mul(pow10_256(k))
}

/// `n / d` rounded half away from zero (`d != 0`).
pub(crate) fn div_half_up(n: i256, d: i256) -> Option<i256> {
    let q = n.checked_div(d)?;
    let r = n.checked_rem(d)?;
    let twice = r.checked_mul(i256::from_i128(2))?;
    if twice.wrapping_abs() >= d.wrapping_abs() {
        let negative = (n < i256::ZERO) != (d < i256::ZERO);
        let step = if negative { i256::MINUS_ONE } else { i256::ONE };
        q.checked_add(step)
    } else {
        Some(q)
    }
}

/// `a op b` for unscaled values of types `ta` and `tb`, as an unscaled value of type `to`
/// (their [`result_type`]).
pub(crate) fn apply(
    op: DecimalOp,
    a: i128,
    ta: DecimalType,
    b: i128,
    tb: DecimalType,
    to: DecimalType,
) -> Result<i128> {
    let overflow = || out_of_range("Decimal overflow".to_owned());
    let scale = to.1;
    let v = match op {
        DecimalOp::Add | DecimalOp::Subtract => {
            let x = upscale(a, ta.1, scale).ok_or_else(overflow)?;
            let y = upscale(b, tb.1, scale).ok_or_else(overflow)?;
            if op == DecimalOp::Add {
                x.checked_add(y)
            } else {
                x.checked_sub(y)
            }
            .ok_or_else(overflow)?
        }
        DecimalOp::Multiply => i256::from_i128(a)
            .checked_mul(i256::from_i128(b))
            .ok_or_else(overflow)?,
        DecimalOp::Divide => {
            if b == 0 {
                return Err(division_by_zero());
            }
            // a / 10^sa / (b / 10^sb) * 10^s = a * 10^(s + sb - sa) / b.
            let k = i32::from(scale) + i32::from(tb.1) - i32::from(ta.1);
            let n = i256::from_i128(a)
                .checked_mul(pow10_256(k.max(0) as u32))
                .ok_or_else(overflow)?;
            div_half_up(n, i256::from_i128(b)).ok_or_else(overflow)?
        }
        DecimalOp::Modulus => {
            if b == 0 {
                return Err(division_by_zero());
            }
            let x = upscale(a, ta.1, scale).ok_or_else(overflow)?;
            let y = upscale(b, tb.1, scale).ok_or_else(overflow)?;
            x.checked_rem(y).ok_or_else(overflow)?
        }
    };
    if !fits(v, to.0) {
        return Err(overflow());
    }
    v.to_i128().ok_or_else(overflow)
}

/// `athena_unary_plus(x)`: `+x`, which Trino refuses for a decimal (`TYPE_MISMATCH:
/// Unary '+' operator cannot by applied to decimal(2,1) type`); `x` for anything else.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct UnaryPlus {
    signature: Signature,
}

impl UnaryPlus {
    pub(crate) fn new() -> UnaryPlus {
        UnaryPlus {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for UnaryPlus {
    fn name(&self) -> &str {
        "athena_unary_plus"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [DataType::Decimal128(p, s)] => Err(user_error(
                "TYPE_MISMATCH",
                format!("Unary '+' operator cannot by applied to decimal({p},{s}) type"),
            )),
            [t] => Ok(vec![t.clone()]),
            _ => datafusion::common::plan_err!("unary plus takes one operand"),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types.first().cloned().unwrap_or(DataType::Null))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(args
            .args
            .into_iter()
            .next()
            .unwrap_or(ColumnarValue::Scalar(ScalarValue::Null)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        op: DecimalOp,
        a: (i128, DecimalType),
        b: (i128, DecimalType),
    ) -> Result<(i128, DecimalType)> {
        let to = result_type(op, a.1, b.1)?;
        apply(op, a.0, a.1, b.0, b.1, to).map(|v| (v, to))
    }

    #[test]
    fn result_types_follow_trino() {
        use DecimalOp::*;
        assert_eq!(result_type(Add, (2, 1), (3, 2)).unwrap(), (4, 2));
        assert_eq!(result_type(Add, (2, 1), (10, 0)).unwrap(), (12, 1));
        assert_eq!(result_type(Add, (38, 0), (10, 0)).unwrap(), (38, 0));
        assert_eq!(result_type(Multiply, (2, 1), (3, 2)).unwrap(), (5, 3));
        assert_eq!(result_type(Multiply, (20, 10), (20, 10)).unwrap(), (38, 20));
        assert!(result_type(Multiply, (19, 19), (20, 20)).is_err());
        assert_eq!(result_type(Divide, (2, 1), (10, 0)).unwrap(), (2, 1));
        assert_eq!(result_type(Divide, (10, 0), (2, 1)).unwrap(), (12, 1));
        assert_eq!(result_type(Divide, (10, 0), (4, 4)).unwrap(), (18, 4));
        assert_eq!(result_type(Divide, (22, 2), (3, 2)).unwrap(), (24, 2));
        assert_eq!(result_type(Modulus, (3, 1), (10, 0)).unwrap(), (3, 1));
        assert_eq!(result_type(Modulus, (3, 2), (1, 1)).unwrap(), (2, 2));
        assert_eq!(result_type(Modulus, (10, 0), (1, 1)).unwrap(), (1, 1));
    }

    #[test]
    fn division_rounds_half_up_and_checks_zero() {
        use DecimalOp::*;
        // 1.0 / 3 = 0.3, 2.0 / 3 = 0.7, -2.0 / 3 = -0.7.
        assert_eq!(
            run(Divide, (10, (2, 1)), (3, (10, 0))).unwrap(),
            (3, (2, 1))
        );
        assert_eq!(
            run(Divide, (20, (2, 1)), (3, (10, 0))).unwrap(),
            (7, (2, 1))
        );
        assert_eq!(run(Divide, (-20, (2, 1)), (3, (10, 0))).unwrap().0, -7);
        assert_eq!(run(Divide, (20, (2, 1)), (-3, (10, 0))).unwrap().0, -7);
        // 1 / 0.0003 = 3333.3333.
        assert_eq!(
            run(Divide, (1, (10, 0)), (3, (4, 4))).unwrap(),
            (33_333_333, (18, 4))
        );
        let err = run(Divide, (1, (2, 1)), (0, (1, 0))).unwrap_err();
        assert!(err.to_string().contains("DIVISION_BY_ZERO"), "{err}");
    }

    #[test]
    fn overflow_past_the_result_precision_fails() {
        use DecimalOp::*;
        let max = 10i128.pow(38) - 1;
        assert_eq!(run(Add, (max, (38, 0)), (0, (10, 0))).unwrap().0, max);
        let err = run(Add, (max, (38, 0)), (1, (10, 0))).unwrap_err();
        assert!(
            err.to_string()
                .contains("NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow"),
            "{err}"
        );
        assert!(run(Multiply, (max, (38, 0)), (max, (38, 0))).is_err());
        assert!(run(Divide, (max, (38, 0)), (1, (2, 1))).is_err());
    }

    #[test]
    fn modulus_keeps_the_sign_of_the_dividend() {
        use DecimalOp::*;
        // -10.5 % 3 = -1.5; 10.5 % -3 = 1.5; 5.25 % 0.5 = 0.25.
        assert_eq!(run(Modulus, (-105, (3, 1)), (3, (10, 0))).unwrap().0, -15);
        assert_eq!(run(Modulus, (105, (3, 1)), (-3, (10, 0))).unwrap().0, 15);
        assert_eq!(
            run(Modulus, (525, (3, 2)), (5, (1, 1))).unwrap(),
            (25, (2, 2))
        );
    }
}
