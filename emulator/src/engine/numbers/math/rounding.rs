//! `abs`, `ceiling`, `floor`, `round`, `truncate`, `sign` and `mod` on every numeric
//! type, with Trino's result types, and `rand` / `random`.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Array, Float32Array, Float64Array, PrimitiveArray,
};
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, i256,
};
use datafusion::common::{Result, exec_err};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs};

use super::super::decimal::{
    DecimalOp, MAX_PRECISION, apply as decimal_apply, div_half_up, fits, integer_as_decimal,
    pow10_256, result_type,
};
use super::super::integer::{integer_type_name, is_integer, on_arrays, wider_integer};
use super::super::{out_of_range, user_error};
use super::{ints, invalid_argument, is_integer_or_null, no_overload};

/// Which function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Abs,
    Ceiling,
    Floor,
    Round,
    Truncate,
    Sign,
    Mod,
}

/// The argument types Trino resolves the call to.
pub(crate) fn coerce(op: Op, name: &str, types: &[DataType]) -> Result<Vec<DataType>> {
    let fail = || no_overload(name, types);
    let same = |t: &DataType| match t {
        t if is_integer(t) => Some(t.clone()),
        DataType::Decimal128(..) | DataType::Float32 | DataType::Float64 => Some(t.clone()),
        // Trino picks its first candidate for a bare NULL: tinyint.
        DataType::Null => Some(DataType::Int8),
        _ => None,
    };
    let decimal = |t: &DataType| match t {
        DataType::Decimal128(..) => Some(t.clone()),
        t => integer_as_decimal(t).map(|(p, s)| DataType::Decimal128(p, s)),
    };
    let digits = |t: &DataType| match t {
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Null => {
            Some(DataType::Int32)
        }
        _ => None,
    };
    match (op, types) {
        (Op::Abs | Op::Ceiling | Op::Floor | Op::Sign | Op::Round, [t]) => {
            Ok(vec![same(t).ok_or_else(fail)?])
        }
        (Op::Round, [t, d]) => Ok(vec![same(t).ok_or_else(fail)?, digits(d).ok_or_else(fail)?]),
        // truncate has no integer overload: an integer is a decimal to it.
        (Op::Truncate, [t]) => match t {
            DataType::Float32 | DataType::Float64 => Ok(vec![t.clone()]),
            t => Ok(vec![decimal(t).ok_or_else(fail)?]),
        },
        (Op::Truncate, [t, d]) => Ok(vec![
            decimal(t).ok_or_else(fail)?,
            digits(d).ok_or_else(fail)?,
        ]),
        (Op::Mod, [a, b]) => mod_types(a, b).ok_or_else(fail),
        _ => Err(fail()),
    }
}

/// `mod(a, b)`: integers of the wider type, decimals of their own types, or doubles /
/// reals.
fn mod_types(a: &DataType, b: &DataType) -> Option<Vec<DataType>> {
    let int = |t: &DataType| is_integer_or_null(t);
    let exact = |t: &DataType| int(t) || matches!(t, DataType::Decimal128(..));
    let number = |t: &DataType| exact(t) || matches!(t, DataType::Float32 | DataType::Float64);
    if !number(a) || !number(b) {
        return None;
    }
    if int(a) && int(b) {
        let t = match wider_integer(a, b) {
            // mod(NULL, NULL): tinyint, Trino's first candidate.
            DataType::Null => DataType::Int8,
            t => t,
        };
        return Some(vec![t.clone(), t]);
    }
    if exact(a) && exact(b) {
        let as_decimal = |t: &DataType| match t {
            DataType::Decimal128(..) => t.clone(),
            t => {
                let (p, s) = integer_as_decimal(t).unwrap_or((1, 0));
                DataType::Decimal128(p, s)
            }
        };
        return Some(vec![as_decimal(a), as_decimal(b)]);
    }
    let t = if matches!(a, DataType::Float64) || matches!(b, DataType::Float64) {
        DataType::Float64
    } else {
        DataType::Float32
    };
    Some(vec![t.clone(), t])
}

/// The result type for the coerced argument types.
pub(crate) fn return_type(op: Op, types: &[DataType]) -> Result<DataType> {
    let Some(t) = types.first() else {
        return exec_err!("no arguments");
    };
    Ok(match (op, t) {
        (Op::Ceiling | Op::Floor, DataType::Decimal128(p, s))
        | (Op::Round, DataType::Decimal128(p, s))
            if types.len() == 1 || op != Op::Round =>
        {
            // p - s + min(s, 1): a carry may need one more digit.
            DataType::Decimal128(p - (*s as u8) + (*s).min(1) as u8, 0)
        }
        (Op::Round, DataType::Decimal128(p, s)) => {
            DataType::Decimal128((p + 1).min(MAX_PRECISION), *s)
        }
        (Op::Truncate, DataType::Decimal128(p, s)) if types.len() == 1 => {
            DataType::Decimal128((p - *s as u8).max(1), 0)
        }
        (Op::Sign, DataType::Decimal128(..)) => DataType::Decimal128(1, 0),
        (Op::Mod, DataType::Decimal128(p1, s1)) => match types.get(1) {
            Some(DataType::Decimal128(p2, s2)) => {
                let (p, s) = result_type(DecimalOp::Modulus, (*p1, *s1), (*p2, *s2))?;
                DataType::Decimal128(p, s)
            }
            _ => t.clone(),
        },
        _ => t.clone(),
    })
}

/// Java's `Math.round(double)`: half up, NaN 0, saturated.
fn java_math_round(x: f64) -> i64 {
    if x.is_nan() {
        return 0;
    }
    let f = x.floor();
    // x - floor(x) is exact for the non-negative x it is called with.
    let r = if x - f >= 0.5 { f + 1.0 } else { f };
    // 2^63: the first double past i64's range.
    let limit = 2f64.powi(63);
    if r >= limit {
        i64::MAX
    } else if r < -limit {
        i64::MIN
    } else {
        r as i64
    }
}

/// Trino's `round(double, decimals)`: `x × 10^d` rounded half up (on its magnitude),
/// divided back; values too large to scale stay as they are.
pub(crate) fn round_double(num: f64, decimals: i64) -> f64 {
    if num.is_nan() || num.is_infinite() {
        return num;
    }
    let factor = 10f64.powf(decimals as f64);
    let sign = if num < 0.0 { -1.0 } else { 1.0 };
    let rescaled = sign * num * factor;
    let r = java_math_round(rescaled);
    if r != i64::MAX {
        return sign * (r as f64 / factor);
    }
    if rescaled.is_infinite() {
        return num;
    }
    // Past 2^63 a double is an integer already.
    sign * rescaled / factor
}

/// Trino's `round(real, decimals)`: the same in doubles, from the real's magnitude.
pub(crate) fn round_real(num: f32, decimals: i64) -> f32 {
    if num.is_nan() || num.is_infinite() {
        return num;
    }
    let factor = 10f64.powf(decimals as f64);
    let sign: f32 = if num < 0.0 { -1.0 } else { 1.0 };
    let rescaled = f64::from(sign * num) * factor;
    let r = java_math_round(rescaled);
    let result = if r != i64::MAX {
        f64::from(sign) * (r as f64 / factor)
    } else if rescaled.is_infinite() {
        return num;
    } else {
        f64::from(sign) * (rescaled / factor)
    };
    result as f32
}

/// Java's `Math.signum`.
fn signum(x: f64) -> f64 {
    if x.is_nan() || x == 0.0 {
        x
    } else if x > 0.0 {
        1.0
    } else {
        -1.0
    }
}

/// Trino's `truncate(double)`: `signum(x) × floor(|x|)`.
fn truncate_double(x: f64) -> f64 {
    signum(x) * x.abs().floor()
}

/// Trino's `round(n, decimals)` of an integer: to a multiple of `10^-decimals`, half away
/// from zero.
fn round_long(num: i64, decimals: i64) -> Result<i64> {
    if decimals >= 0 {
        return Ok(num);
    }
    let overflow = || out_of_range(format!("numerical overflow: {num}"));
    let factor = u32::try_from(-decimals)
        .ok()
        .and_then(|k| 10i64.checked_pow(k))
        .ok_or_else(overflow)?;
    let q = num / factor;
    let r = num % factor;
    let q = if r.unsigned_abs() * 2 >= factor.unsigned_abs() {
        q + num.signum()
    } else {
        q
    };
    q.checked_mul(factor).ok_or_else(overflow)
}

/// Applies `f` to each row of an integer array of any width, narrowing the result back
/// (`Out of range for tinyint: 130` when it does not fit).
fn map_integers(
    a: &ArrayRef,
    extra: Option<&ArrayRef>,
    f: impl Fn(i64, Option<i32>) -> Result<i64>,
) -> Result<ArrayRef> {
    fn go<T: ArrowPrimitiveType>(
        a: &ArrayRef,
        extra: Option<&[Option<i32>]>,
        f: &dyn Fn(i64, Option<i32>) -> Result<i64>,
        name: &str,
    ) -> Result<ArrayRef>
    where
        T::Native: Into<i64> + TryFrom<i64>,
    {
        let x = a.as_primitive::<T>();
        let mut out: Vec<Option<T::Native>> = Vec::with_capacity(x.len());
        for i in 0..x.len() {
            let d = extra.map(|e| e[i]);
            if x.is_null(i) || d == Some(None) {
                out.push(None);
                continue;
            }
            let v = f(x.value(i).into(), d.flatten())?;
            let narrowed = T::Native::try_from(v)
                .map_err(|_| out_of_range(format!("Out of range for {name}: {v}")))?;
            out.push(Some(narrowed));
        }
        Ok(Arc::new(out.into_iter().collect::<PrimitiveArray<T>>()))
    }
    let extra = extra.map(ints);
    let extra = extra.as_deref();
    let name = integer_type_name(a.data_type());
    match a.data_type() {
        DataType::Int8 => go::<Int8Type>(a, extra, &f, name),
        DataType::Int16 => go::<Int16Type>(a, extra, &f, name),
        DataType::Int32 => go::<Int32Type>(a, extra, &f, name),
        DataType::Int64 => go::<Int64Type>(a, extra, &f, name),
        other => exec_err!("integer function of {other}"),
    }
}

/// Applies `f` to the rows of a decimal array (and the `decimals` argument).
fn map_decimals(
    a: &ArrayRef,
    extra: Option<&ArrayRef>,
    to: &DataType,
    f: impl Fn(i128, i8, Option<i32>) -> Result<i128>,
) -> Result<ArrayRef> {
    let DataType::Decimal128(p, s) = to else {
        return exec_err!("decimal function returning {to}");
    };
    let DataType::Decimal128(_, scale) = a.data_type() else {
        return exec_err!("decimal function of {}", a.data_type());
    };
    let x = a.as_primitive::<Decimal128Type>();
    let extra = extra.map(ints);
    let mut out = Vec::with_capacity(x.len());
    for i in 0..x.len() {
        let d = extra.as_ref().map(|e| e[i]);
        if x.is_null(i) || d == Some(None) {
            out.push(None);
            continue;
        }
        out.push(Some(f(x.value(i), *scale, d.flatten())?));
    }
    Ok(Arc::new(
        Decimal128Array::from(out).with_precision_and_scale(*p, *s)?,
    ))
}

/// `v` (scale `s`) divided by `10^k`, rounded by `round` (`None` when `10^k` is past
/// any value: the quotient is then 0).
fn shift_down(v: i128, k: u32, round: impl Fn(i256, i256) -> Option<i256>) -> i128 {
    if k > 38 {
        return 0;
    }
    let divisor = pow10_256(k);
    round(i256::from_i128(v), divisor)
        .and_then(|q| q.to_i128())
        .unwrap_or(0)
}

fn floor_div(n: i256, d: i256) -> Option<i256> {
    let q = n.checked_div(d)?;
    let r = n.checked_rem(d)?;
    Some(if r < i256::ZERO {
        q.wrapping_sub(i256::ONE)
    } else {
        q
    })
}

fn ceil_div(n: i256, d: i256) -> Option<i256> {
    let q = n.checked_div(d)?;
    let r = n.checked_rem(d)?;
    Some(if r > i256::ZERO {
        q.wrapping_add(i256::ONE)
    } else {
        q
    })
}

fn trunc_div(n: i256, d: i256) -> Option<i256> {
    n.checked_div(d)
}

/// `v` of scale `s` rounded (by `round`) to `d` fraction digits, kept at scale `s`.
fn round_at(
    v: i128,
    s: i8,
    d: i32,
    precision: u8,
    round: impl Fn(i256, i256) -> Option<i256>,
) -> Result<i128> {
    let s = i32::from(s);
    if d >= s {
        return Ok(v);
    }
    let k = (s - d) as u32;
    if k > 38 {
        return Ok(0);
    }
    let unit = pow10_256(k);
    let r = round(i256::from_i128(v), unit)
        .and_then(|q| q.checked_mul(unit))
        .ok_or_else(|| out_of_range("Decimal overflow".to_owned()))?;
    if !fits(r, precision) {
        return Err(out_of_range("Decimal overflow".to_owned()));
    }
    Ok(r.as_i128())
}

/// Computes the function on the argument arrays (already of the coerced types).
pub(crate) fn invoke(op: Op, a: &[ArrayRef], to: &DataType) -> Result<ArrayRef> {
    let x = &a[0];
    let extra = a.get(1);
    match x.data_type() {
        t if is_integer(t) => integer(op, x, extra),
        DataType::Float64 => {
            if op == Op::Mod {
                let y = extra.map(|e| e.as_primitive::<Float64Type>());
                let x = x.as_primitive::<Float64Type>();
                let out: Float64Array = match y {
                    Some(y) => x.iter().zip(y.iter()).map(|(a, b)| Some(a? % b?)).collect(),
                    None => return exec_err!("mod takes two arguments"),
                };
                return Ok(Arc::new(out));
            }
            let digits = extra.map(ints);
            let x = x.as_primitive::<Float64Type>();
            let out: Float64Array = (0..x.len())
                .map(|i| {
                    let v = x.is_valid(i).then(|| x.value(i))?;
                    let d = match &digits {
                        Some(d) => Some(d[i]?),
                        None => None,
                    };
                    Some(match op {
                        Op::Abs => v.abs(),
                        Op::Ceiling => v.ceil(),
                        Op::Floor => v.floor(),
                        Op::Round => round_double(v, i64::from(d.unwrap_or(0))),
                        Op::Truncate => truncate_double(v),
                        Op::Sign => signum(v),
                        Op::Mod => unreachable!("handled above"),
                    })
                })
                .collect();
            Ok(Arc::new(out))
        }
        DataType::Float32 => {
            if op == Op::Mod {
                let y = extra.map(|e| e.as_primitive::<Float32Type>());
                let x = x.as_primitive::<Float32Type>();
                let out: Float32Array = match y {
                    Some(y) => x.iter().zip(y.iter()).map(|(a, b)| Some(a? % b?)).collect(),
                    None => return exec_err!("mod takes two arguments"),
                };
                return Ok(Arc::new(out));
            }
            let digits = extra.map(ints);
            let x = x.as_primitive::<Float32Type>();
            let out: Float32Array = (0..x.len())
                .map(|i| {
                    let v = x.is_valid(i).then(|| x.value(i))?;
                    let d = match &digits {
                        Some(d) => Some(d[i]?),
                        None => None,
                    };
                    Some(match op {
                        Op::Abs => v.abs(),
                        Op::Ceiling => v.ceil(),
                        Op::Floor => v.floor(),
                        Op::Round => round_real(v, i64::from(d.unwrap_or(0))),
                        Op::Truncate => truncate_double(f64::from(v)) as f32,
                        Op::Sign => signum(f64::from(v)) as f32,
                        Op::Mod => unreachable!("handled above"),
                    })
                })
                .collect();
            Ok(Arc::new(out))
        }
        DataType::Decimal128(p, _) => decimal(op, x, extra, *p, to),
        other => exec_err!("{op:?} of {other}"),
    }
}

fn integer(op: Op, x: &ArrayRef, extra: Option<&ArrayRef>) -> Result<ArrayRef> {
    let name = integer_type_name(x.data_type());
    let min = match x.data_type() {
        DataType::Int8 => i64::from(i8::MIN),
        DataType::Int16 => i64::from(i16::MIN),
        DataType::Int32 => i64::from(i32::MIN),
        _ => i64::MIN,
    };
    match op {
        Op::Abs => map_integers(x, None, |v, _| {
            if v == min {
                Err(out_of_range(format!(
                    "Value {v} is out of range for abs({name})"
                )))
            } else {
                Ok(v.abs())
            }
        }),
        Op::Ceiling | Op::Floor => map_integers(x, None, |v, _| Ok(v)),
        Op::Sign => map_integers(x, None, |v, _| Ok(v.signum())),
        Op::Round => map_integers(x, extra, |v, d| round_long(v, i64::from(d.unwrap_or(0)))),
        Op::Truncate => exec_err!("truncate of an integer"),
        Op::Mod => {
            let Some(y) = extra else {
                return exec_err!("mod takes two arguments");
            };
            mod_integers(x, y)
        }
    }
}

/// Trino's `mod` of integers: Java's `%`, whose zero divisor is an internal error
/// (`/ by zero`), unlike the `%` operator's `DIVISION_BY_ZERO`.
fn mod_integers(x: &ArrayRef, y: &ArrayRef) -> Result<ArrayRef> {
    fn go<T: ArrowPrimitiveType>(x: &ArrayRef, y: &ArrayRef) -> Result<ArrayRef>
    where
        T::Native: Into<i64> + TryFrom<i64>,
    {
        let (x, y) = (x.as_primitive::<T>(), y.as_primitive::<T>());
        let mut out: Vec<Option<T::Native>> = Vec::with_capacity(x.len());
        for i in 0..x.len() {
            if x.is_null(i) || y.is_null(i) {
                out.push(None);
                continue;
            }
            let (a, b): (i64, i64) = (x.value(i).into(), y.value(i).into());
            if b == 0 {
                return Err(user_error("GENERIC_INTERNAL_ERROR", "/ by zero"));
            }
            let r = T::Native::try_from(a.wrapping_rem(b))
                .map_err(|_| DataFusionError::Internal("remainder out of range".to_owned()))?;
            out.push(Some(r));
        }
        Ok(Arc::new(out.into_iter().collect::<PrimitiveArray<T>>()))
    }
    match x.data_type() {
        DataType::Int8 => go::<Int8Type>(x, y),
        DataType::Int16 => go::<Int16Type>(x, y),
        DataType::Int32 => go::<Int32Type>(x, y),
        DataType::Int64 => go::<Int64Type>(x, y),
        other => exec_err!("mod of {other}"),
    }
}

fn decimal(
    op: Op,
    x: &ArrayRef,
    extra: Option<&ArrayRef>,
    p: u8,
    to: &DataType,
) -> Result<ArrayRef> {
    let to_precision = match to {
        DataType::Decimal128(tp, _) => *tp,
        _ => p,
    };
    match op {
        Op::Abs => map_decimals(x, None, to, |v, _, _| Ok(v.abs())),
        Op::Sign => map_decimals(x, None, to, |v, _, _| Ok(v.signum())),
        Op::Ceiling => map_decimals(x, None, to, |v, s, _| Ok(shift_down(v, s as u32, ceil_div))),
        Op::Floor => map_decimals(x, None, to, |v, s, _| {
            Ok(shift_down(v, s as u32, floor_div))
        }),
        Op::Round if extra.is_none() => map_decimals(x, None, to, |v, s, _| {
            Ok(shift_down(v, s as u32, div_half_up))
        }),
        Op::Round => map_decimals(x, extra, to, |v, s, d| {
            round_at(v, s, d.unwrap_or(0), to_precision, div_half_up)
        }),
        Op::Truncate if extra.is_none() => map_decimals(x, None, to, |v, s, _| {
            Ok(shift_down(v, s as u32, trunc_div))
        }),
        Op::Truncate => map_decimals(x, extra, to, |v, s, d| {
            round_at(v, s, d.unwrap_or(0), to_precision, trunc_div)
        }),
        Op::Mod => {
            let Some(y) = extra else {
                return exec_err!("mod takes two arguments");
            };
            let (
                DataType::Decimal128(p1, s1),
                DataType::Decimal128(p2, s2),
                DataType::Decimal128(tp, ts),
            ) = (x.data_type(), y.data_type(), to)
            else {
                return exec_err!("mod of decimals");
            };
            let (a, b) = (
                x.as_primitive::<Decimal128Type>(),
                y.as_primitive::<Decimal128Type>(),
            );
            let mut out = Vec::with_capacity(a.len());
            for i in 0..a.len() {
                if a.is_null(i) || b.is_null(i) {
                    out.push(None);
                } else {
                    out.push(Some(decimal_apply(
                        DecimalOp::Modulus,
                        a.value(i),
                        (*p1, *s1),
                        b.value(i),
                        (*p2, *s2),
                        (*tp, *ts),
                    )?));
                }
            }
            Ok(Arc::new(
                Decimal128Array::from(out).with_precision_and_scale(*tp, *ts)?,
            ))
        }
    }
}

/// `rand()` / `random()`: argument types (none, one integer, or two of one integer type).
pub(crate) fn coerce_random(name: &str, types: &[DataType]) -> Result<Vec<DataType>> {
    let int = |t: &DataType| match t {
        DataType::Null => Some(DataType::Int8),
        t if is_integer(t) => Some(t.clone()),
        _ => None,
    };
    match types {
        [] => Ok(vec![]),
        [n] => Ok(vec![int(n).ok_or_else(|| no_overload(name, types))?]),
        [a, b] if is_integer_or_null(a) && is_integer_or_null(b) => {
            let t = match wider_integer(a, b) {
                DataType::Null => DataType::Int8,
                t => t,
            };
            Ok(vec![t.clone(), t])
        }
        _ => Err(no_overload(name, types)),
    }
}

/// A pseudo-random source (SplitMix64) seeded from the process's random hasher keys:
/// the values only need to be spread and differ between calls.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(std::process::id().into());
        Rng(h.finish())
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In [0, 1).
    fn next_double(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// In [0, bound) for bound > 0.
    fn below(&mut self, bound: u64) -> u64 {
        // Multiply-shift: the bias is below 2^-64 × bound, nothing a test can see.
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }
}

/// `rand()`, `rand(n)`, `rand(start, stop)`.
pub(crate) fn random(args: &ScalarFunctionArgs) -> Result<ColumnarValue> {
    let mut rng = Rng::new();
    if args.args.is_empty() {
        let values: Float64Array = (0..args.number_rows)
            .map(|_| Some(rng.next_double()))
            .collect();
        return Ok(ColumnarValue::Array(Arc::new(values)));
    }
    on_arrays(&args.args, |a| {
        let lows: Vec<Option<i64>>;
        let highs: Vec<Option<i64>>;
        let as_longs = |x: &ArrayRef| -> Result<Vec<Option<i64>>> {
            let cast = datafusion::arrow::compute::cast(x, &DataType::Int64)?;
            Ok(cast.as_primitive::<Int64Type>().iter().collect())
        };
        if a.len() == 1 {
            highs = as_longs(&a[0])?;
            lows = vec![Some(0); highs.len()];
        } else {
            lows = as_longs(&a[0])?;
            highs = as_longs(&a[1])?;
        }
        let mut out = Vec::with_capacity(highs.len());
        for (low, high) in lows.into_iter().zip(highs) {
            let (Some(low), Some(high)) = (low, high) else {
                out.push(None);
                continue;
            };
            if a.len() == 1 && high <= 0 {
                return Err(invalid_argument("bound must be positive"));
            }
            if low >= high {
                return Err(invalid_argument("start value must be less than stop value"));
            }
            let span = (i128::from(high) - i128::from(low)) as u64;
            out.push(Some(low.wrapping_add(rng.below(span) as i64)));
        }
        let longs: ArrayRef = Arc::new(datafusion::arrow::array::Int64Array::from(out));
        // Back to the argument's type: every value lies between two values of it.
        Ok(datafusion::arrow::compute::cast(&longs, a[0].data_type())?)
    })
}

/// A scalar of the type (for tests).
#[cfg(test)]
fn decimal_scalar(v: i128, p: u8, s: i8) -> ArrayRef {
    datafusion::common::ScalarValue::Decimal128(Some(v), p, s)
        .to_array()
        .unwrap()
}

#[cfg(test)]
mod tests;
