//! Trino's bitwise functions (trino.io, "Bitwise functions"): `bit_count`, `bitwise_and`,
//! `bitwise_or`, `bitwise_xor`, `bitwise_not` on bigints, and the shifts, which keep the
//! width of their value (a tinyint shifts within 8 bits). A shift of 64 or more gives 0
//! (-1 for an arithmetic shift of a negative value); a negative shift counts modulo 64,
//! as Java's shifts do.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, PrimitiveArray};
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, Int8Type, Int16Type, Int32Type, Int64Type,
};
use datafusion::common::{Result, exec_err};

use super::super::integer::is_integer;
use super::{invalid_argument, is_integer_or_null, long_array, longs, no_overload};

/// Which function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    BitCount,
    And,
    Or,
    Xor,
    Not,
    LeftShift,
    RightShift,
    RightShiftArithmetic,
}

impl Op {
    fn is_shift(self) -> bool {
        matches!(
            self,
            Op::LeftShift | Op::RightShift | Op::RightShiftArithmetic
        )
    }
}

/// Bigints, or for a shift the value's own integer type and an integer shift.
pub(crate) fn coerce(op: Op, name: &str, types: &[DataType]) -> Result<Vec<DataType>> {
    let fail = || no_overload(name, types);
    match (op, types) {
        (Op::Not, [a]) if is_integer_or_null(a) => Ok(vec![DataType::Int64]),
        (Op::BitCount | Op::And | Op::Or | Op::Xor, [a, b])
            if is_integer_or_null(a) && is_integer_or_null(b) =>
        {
            Ok(vec![DataType::Int64, DataType::Int64])
        }
        (_, [value, shift]) if op.is_shift() => {
            let value = match value {
                DataType::Null => DataType::Int8,
                t if is_integer(t) => t.clone(),
                _ => return Err(fail()),
            };
            match shift {
                DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Null => {
                    Ok(vec![value, DataType::Int32])
                }
                _ => Err(fail()),
            }
        }
        _ => Err(fail()),
    }
}

/// `bit_count(x, bits)`: the one bits of `x` in two's complement of `bits` bits.
fn bit_count(x: i64, bits: i64) -> Result<i64> {
    if bits == 64 {
        return Ok(i64::from(x.count_ones()));
    }
    if !(2..=64).contains(&bits) {
        return Err(invalid_argument(format!(
            "Bits specified in bit_count must be between 2 and 64, got {bits}"
        )));
    }
    let low = (1i64 << (bits - 1)) - 1;
    if x > low || x < !low {
        return Err(invalid_argument(format!(
            "Number must be representable with the bits specified. {x} cannot be represented with {bits} bits"
        )));
    }
    let mask = (1i64 << bits) - 1;
    Ok(i64::from((x & mask).count_ones()))
}

/// The shift of `value` (a `width`-bit integer, as an i64) by `shift`.
fn shift(op: Op, value: i64, shift: i64, width: u32) -> i64 {
    let mask: i64 = if width == 64 { -1 } else { (1i64 << width) - 1 };
    // Back to `width` bits, the top one the sign.
    let signed = |v: i64| {
        if width == 64 {
            v
        } else if v & (1i64 << (width - 1)) != 0 {
            v | !mask
        } else {
            v & mask
        }
    };
    let by = shift as u32;
    match op {
        Op::LeftShift if shift >= 64 => 0,
        Op::LeftShift => signed(value.wrapping_shl(by)),
        Op::RightShift if shift >= 64 => 0,
        Op::RightShift if shift == 0 => value,
        Op::RightShift => ((value & mask) as u64).wrapping_shr(by) as i64,
        Op::RightShiftArithmetic if shift >= 64 => {
            if value < 0 {
                -1
            } else {
                0
            }
        }
        _ => signed(value).wrapping_shr(by),
    }
}

/// Computes the function on the coerced argument arrays.
pub(crate) fn invoke(op: Op, a: &[ArrayRef]) -> Result<ArrayRef> {
    if op.is_shift() {
        return match a[0].data_type() {
            DataType::Int8 => shifts::<Int8Type>(op, a, 8),
            DataType::Int16 => shifts::<Int16Type>(op, a, 16),
            DataType::Int32 => shifts::<Int32Type>(op, a, 32),
            DataType::Int64 => shifts::<Int64Type>(op, a, 64),
            other => exec_err!("bitwise shift of {other}"),
        };
    }
    let x = longs(&a[0]);
    if op == Op::Not {
        return Ok(long_array(x.into_iter().map(|v| v.map(|v| !v)).collect()));
    }
    let y = longs(&a[1]);
    let mut out = Vec::with_capacity(x.len());
    for (x, y) in x.into_iter().zip(y) {
        let (Some(x), Some(y)) = (x, y) else {
            out.push(None);
            continue;
        };
        out.push(Some(match op {
            Op::BitCount => bit_count(x, y)?,
            Op::And => x & y,
            Op::Or => x | y,
            _ => x ^ y,
        }));
    }
    Ok(long_array(out))
}

fn shifts<T: ArrowPrimitiveType>(op: Op, a: &[ArrayRef], width: u32) -> Result<ArrayRef>
where
    T::Native: Into<i64> + TryFrom<i64>,
{
    let values = a[0].as_primitive::<T>();
    let by = a[1].as_primitive::<Int32Type>();
    let out: Option<Vec<Option<T::Native>>> = values
        .iter()
        .zip(by.iter())
        .map(|(v, s)| match (v, s) {
            (Some(v), Some(s)) => T::Native::try_from(shift(op, v.into(), i64::from(s), width))
                .ok()
                .map(Some),
            _ => Some(None),
        })
        .collect();
    match out {
        Some(rows) => Ok(Arc::new(rows.into_iter().collect::<PrimitiveArray<T>>())),
        None => exec_err!("a shift left its type's range"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_keep_the_width() {
        assert_eq!(shift(Op::LeftShift, 1, 7, 8), -128);
        assert_eq!(shift(Op::LeftShift, 1, 8, 8), 0);
        assert_eq!(shift(Op::RightShift, -1, 1, 8), 127);
        assert_eq!(shift(Op::RightShift, -8, 0, 8), -8);
        assert_eq!(shift(Op::RightShiftArithmetic, -8, 1, 8), -4);
        assert_eq!(shift(Op::RightShiftArithmetic, -8, 70, 32), -1);
        assert_eq!(shift(Op::LeftShift, 1, 63, 64), i64::MIN);
        assert_eq!(shift(Op::LeftShift, 3, 64, 64), 0);
        assert_eq!(shift(Op::RightShift, -1, 60, 64), 15);
    }

    #[test]
    fn bit_count_checks_its_bits() {
        assert_eq!(bit_count(9, 64).unwrap(), 2);
        assert_eq!(bit_count(-7, 8).unwrap(), 6);
        assert!(bit_count(300, 8).is_err());
        assert!(bit_count(1, 1).is_err());
    }
}
