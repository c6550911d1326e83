//! Trino's mathematical functions (trino.io, "Mathematical functions and operators") as
//! UDFs under Trino's names, replacing DataFusion's functions of the same names: each
//! resolves its arguments as Trino resolves the overloads (`abs(tinyint)` is a tinyint,
//! `ceil(decimal(p, s))` a `decimal(p - s + 1, 0)`, `sqrt(integer)` a double, and
//! arguments of no overload fail with `FUNCTION_NOT_FOUND`), and computes as Trino's
//! Java does (`log2(x)` is `ln(x) / ln(2)`, `pow(1, NaN)` is NaN, `round(x, d)` of a
//! double scales by `10^d` and rounds half up).

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array, StringArray,
};
use datafusion::arrow::datatypes::{
    DataType, Field, FieldRef, Float32Type, Float64Type, Int32Type, Int64Type,
};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

use super::arithmetic::signed;
use super::integer::on_arrays;
use super::{not_supported, trino_type, user_error};
use crate::engine::names::ATHENA_TYPE_KEY;

mod bases;
mod bitwise;
mod compare;
mod rounding;
mod vectors;

/// The functions, under Trino's names.
pub(crate) fn functions() -> Vec<ScalarUDF> {
    use Kind::*;
    // Java's Math: sin, cos, tan, exp, log, pow and cbrt are correctly rounded on nearly
    // every argument, as glibc's (Rust's) are; asin, acos, atan, atan2 and log10 are
    // fdlibm's (the libm crate); sinh and cosh fdlibm's formulas over fdlibm's exp.
    let double: [(&'static str, DoubleFn); 16] = [
        ("acos", libm::acos),
        ("asin", libm::asin),
        ("atan", libm::atan),
        ("cbrt", f64::cbrt),
        ("cos", f64::cos),
        ("cosh", fdlibm_cosh),
        ("degrees", f64::to_degrees),
        ("exp", f64::exp),
        ("ln", f64::ln),
        // Trino's log2 is Math.log(x) / Math.log(2), not a base-2 logarithm of its own.
        ("log2", |x| x.ln() / 2f64.ln()),
        ("log10", libm::log10),
        ("radians", f64::to_radians),
        ("sin", f64::sin),
        ("sinh", fdlibm_sinh),
        ("sqrt", f64::sqrt),
        ("tan", f64::tan),
    ];
    let mut all: Vec<Math> = double
        .into_iter()
        .map(|(name, f)| Math::new(name, DoubleUnary(f)))
        .collect();
    all.extend([
        Math::new("atan2", DoubleBinary(libm::atan2)),
        Math::new("power", DoubleBinary(java_pow)),
        Math::new("pow", DoubleBinary(java_pow)),
        // log(b, x) = ln(x) / ln(b).
        Math::new("log", DoubleBinary(|b, x| x.ln() / b.ln())),
        Math::new("e", Constant(std::f64::consts::E)),
        Math::new("pi", Constant(std::f64::consts::PI)),
        Math::new("nan", Constant(f64::NAN)),
        Math::new("infinity", Constant(f64::INFINITY)),
        Math::new("is_nan", FloatTest(Test::Nan)),
        Math::new("is_finite", FloatTest(Test::Finite)),
        Math::new("is_infinite", FloatTest(Test::Infinite)),
        Math::new("abs", Rounding(rounding::Op::Abs)),
        Math::new("ceil", Rounding(rounding::Op::Ceiling)),
        Math::new("ceiling", Rounding(rounding::Op::Ceiling)),
        Math::new("floor", Rounding(rounding::Op::Floor)),
        Math::new("round", Rounding(rounding::Op::Round)),
        Math::new("truncate", Rounding(rounding::Op::Truncate)),
        Math::new("sign", Rounding(rounding::Op::Sign)),
        Math::new("mod", Rounding(rounding::Op::Mod)),
        Math::volatile("rand", Random),
        Math::volatile("random", Random),
        Math::new("greatest", Compare(compare::Pick::Greatest)),
        Math::new("least", Compare(compare::Pick::Least)),
        Math::new("from_base", FromBase),
        Math::new("to_base", ToBase),
        Math::new("width_bucket", WidthBucket),
        Math::new("dot_product", Vector(vectors::Op::DotProduct)),
        Math::new("cosine_similarity", Vector(vectors::Op::CosineSimilarity)),
        Math::new("cosine_distance", Vector(vectors::Op::CosineDistance)),
        Math::new("euclidean_distance", Vector(vectors::Op::EuclideanDistance)),
        Math::new("bit_count", Bitwise(bitwise::Op::BitCount)),
        Math::new("bitwise_and", Bitwise(bitwise::Op::And)),
        Math::new("bitwise_or", Bitwise(bitwise::Op::Or)),
        Math::new("bitwise_xor", Bitwise(bitwise::Op::Xor)),
        Math::new("bitwise_not", Bitwise(bitwise::Op::Not)),
        Math::new("bitwise_left_shift", Bitwise(bitwise::Op::LeftShift)),
        Math::new("bitwise_right_shift", Bitwise(bitwise::Op::RightShift)),
        Math::new(
            "bitwise_right_shift_arithmetic",
            Bitwise(bitwise::Op::RightShiftArithmetic),
        ),
        Math::new("wilson_interval_lower", Wilson(-1.0)),
        Math::new("wilson_interval_upper", Wilson(1.0)),
    ]);
    all.into_iter().map(ScalarUDF::new_from_impl).collect()
}

/// The largest argument whose `exp` is finite, and the largest whose `cosh` / `sinh` is.
const EXP_MAX: f64 = 709.782_712_893_384;
const HYPERBOLIC_MAX: f64 = 710.475_860_073_943_9;

/// Java's `Math.sinh` (fdlibm): `(e^x - e^-x) / 2` through `expm1` near zero, `e^x / 2`
/// past 22, `e^(x/2) / 2 × e^(x/2)` near overflow.
fn fdlibm_sinh(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let h = if x < 0.0 { -0.5 } else { 0.5 };
    let ax = x.abs();
    if ax < 22.0 {
        if ax < 2f64.powi(-28) {
            return x;
        }
        let t = libm::expm1(ax);
        if ax < 1.0 {
            return h * (2.0 * t - t * t / (t + 1.0));
        }
        return h * (t + t / (t + 1.0));
    }
    if ax < EXP_MAX {
        return h * libm::exp(ax);
    }
    if ax <= HYPERBOLIC_MAX {
        let w = libm::exp(0.5 * ax);
        let t = h * w;
        return t * w;
    }
    x * f64::INFINITY
}

/// Java's `Math.cosh` (fdlibm): `1 + (e^x - 1)^2 / 2e^x` near zero, `(e^x + e^-x) / 2`
/// up to 22, then as `sinh`.
fn fdlibm_cosh(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let ax = x.abs();
    if ax.is_infinite() {
        return ax;
    }
    if ax < 0.5 * std::f64::consts::LN_2 {
        let t = libm::expm1(ax);
        let w = 1.0 + t;
        if ax < 2f64.powi(-55) {
            return w;
        }
        return 1.0 + (t * t) / (w + w);
    }
    if ax < 22.0 {
        let t = libm::exp(ax);
        return 0.5 * t + 0.5 / t;
    }
    if ax < EXP_MAX {
        return 0.5 * libm::exp(ax);
    }
    if ax <= HYPERBOLIC_MAX {
        let w = libm::exp(0.5 * ax);
        let t = 0.5 * w;
        return t * w;
    }
    f64::INFINITY
}

/// Trino's Wilson score interval bound for `successes` of `trials` at z-score `z`.
fn wilson(successes: i64, trials: i64, z: f64, sign: f64) -> Result<f64> {
    if successes < 0 {
        return Err(invalid_argument("number of successes must not be negative"));
    }
    if trials <= 0 {
        return Err(invalid_argument("number of trials must be positive"));
    }
    if successes > trials {
        return Err(invalid_argument(
            "number of successes must not be larger than number of trials",
        ));
    }
    if z.is_nan() || z < 0.0 {
        return Err(invalid_argument("z-score must not be negative"));
    }
    let p = successes as f64 * 1.0 / trials as f64;
    let n = trials as f64;
    let spread = (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    Ok((p + z * z / (2.0 * n) + sign * z * spread) / (1.0 + z * z / n))
}

/// Java's `Math.pow`: a NaN exponent gives NaN (but `x^0` is 1), and `±1^±Infinity` is
/// NaN, where C's `pow` gives 1.
fn java_pow(x: f64, p: f64) -> f64 {
    if p == 0.0 {
        1.0
    } else if p.is_nan() || (x.abs() == 1.0 && p.is_infinite()) {
        f64::NAN
    } else {
        x.powf(p)
    }
}

/// A function of one double.
type DoubleFn = fn(f64) -> f64;

/// What a function computes.
#[derive(Clone, Copy)]
enum Kind {
    DoubleUnary(fn(f64) -> f64),
    DoubleBinary(fn(f64, f64) -> f64),
    Constant(f64),
    FloatTest(Test),
    Rounding(rounding::Op),
    Random,
    Compare(compare::Pick),
    FromBase,
    ToBase,
    WidthBucket,
    Vector(vectors::Op),
    Bitwise(bitwise::Op),
    /// The Wilson score interval's bound below (-1) or above (1).
    Wilson(f64),
}

#[derive(Clone, Copy)]
enum Test {
    Nan,
    Finite,
    Infinite,
}

/// One of Trino's mathematical functions.
struct Math {
    name: &'static str,
    kind: Kind,
    signature: Signature,
}

impl std::fmt::Debug for Math {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Math").field("name", &self.name).finish()
    }
}

// Functions are told apart by name (function pointers do not compare meaningfully).
impl PartialEq for Math {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Math {}

impl std::hash::Hash for Math {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl Math {
    fn new(name: &'static str, kind: Kind) -> Math {
        Math {
            name,
            kind,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    fn volatile(name: &'static str, kind: Kind) -> Math {
        Math {
            name,
            kind,
            signature: Signature::user_defined(Volatility::Volatile),
        }
    }
}

/// `FUNCTION_NOT_FOUND: Unexpected parameters (varchar) for function abs`.
pub(super) fn no_overload(name: &str, types: &[DataType]) -> datafusion::error::DataFusionError {
    let types: Vec<String> = types.iter().map(trino_type).collect();
    user_error(
        "FUNCTION_NOT_FOUND",
        format!(
            "Unexpected parameters ({}) for function {name}",
            types.join(", ")
        ),
    )
}

/// Whether Trino coerces a value of type `t` to a double: a number or a bare NULL.
pub(super) fn to_double_ok(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::Decimal128(..)
            | DataType::Float32
            | DataType::Float64
            | DataType::Null
    )
}

impl ScalarUDFImpl for Math {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        // An unsigned integer (DataFusion's `cardinality`) is Trino's signed type.
        let types: &[DataType] = &types.iter().map(signed).collect::<Vec<_>>();
        let fail = || no_overload(self.name, types);
        match self.kind {
            Kind::DoubleUnary(_) | Kind::DoubleBinary(_) => {
                let arity = if matches!(self.kind, Kind::DoubleUnary(_)) {
                    1
                } else {
                    2
                };
                if types.len() == arity && types.iter().all(to_double_ok) {
                    Ok(vec![DataType::Float64; arity])
                } else {
                    Err(fail())
                }
            }
            Kind::Constant(_) => {
                if types.is_empty() {
                    Ok(vec![])
                } else {
                    Err(fail())
                }
            }
            Kind::FloatTest(test) => match types {
                // is_nan also takes a real.
                [DataType::Float32] if matches!(test, Test::Nan) => Ok(vec![DataType::Float32]),
                [t] if to_double_ok(t) => Ok(vec![DataType::Float64]),
                _ => Err(fail()),
            },
            Kind::Rounding(op) => rounding::coerce(op, self.name, types),
            Kind::Random => rounding::coerce_random(self.name, types),
            Kind::Compare(_) => compare::coerce(self.name, types),
            Kind::FromBase => match types {
                [s, b] if is_text_or_null(s) && is_integer_or_null(b) => {
                    Ok(vec![DataType::Utf8, DataType::Int64])
                }
                _ => Err(fail()),
            },
            Kind::ToBase => match types {
                [a, b] if is_integer_or_null(a) && is_integer_or_null(b) => {
                    Ok(vec![DataType::Int64, DataType::Int64])
                }
                _ => Err(fail()),
            },
            Kind::WidthBucket => bases::coerce_width_bucket(self.name, types),
            Kind::Vector(op) => vectors::coerce(op, self.name, types),
            Kind::Bitwise(op) => bitwise::coerce(op, self.name, types),
            Kind::Wilson(_) => match types {
                [s, n, z] if is_integer_or_null(s) && is_integer_or_null(n) && to_double_ok(z) => {
                    Ok(vec![DataType::Int64, DataType::Int64, DataType::Float64])
                }
                _ => Err(fail()),
            },
        }
    }

    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            Kind::DoubleUnary(_)
            | Kind::DoubleBinary(_)
            | Kind::Constant(_)
            | Kind::Vector(_)
            | Kind::Wilson(_) => DataType::Float64,
            Kind::FloatTest(_) => DataType::Boolean,
            Kind::Rounding(op) => rounding::return_type(op, types)?,
            Kind::Random => types.first().cloned().unwrap_or(DataType::Float64),
            Kind::Compare(_) => types.first().cloned().unwrap_or(DataType::Null),
            Kind::FromBase | Kind::WidthBucket => DataType::Int64,
            Kind::Bitwise(_) => types.first().cloned().unwrap_or(DataType::Int64),
            Kind::ToBase => DataType::Utf8,
        })
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let types: Vec<DataType> = args
            .arg_fields
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        let field = Field::new(self.name, self.return_type(&types)?, true);
        if !matches!(self.kind, Kind::Compare(_)) {
            return Ok(Arc::new(field));
        }
        // greatest / least of timestamps of a declared precision (`timestamp(1)`, kept in
        // the field's metadata): the same precision for all, or refused.
        let declared: Vec<Option<&String>> = args
            .arg_fields
            .iter()
            .filter(|f| f.data_type() != &DataType::Null)
            .map(|f| f.metadata().get(ATHENA_TYPE_KEY))
            .collect();
        let timestamp = |d: &Option<&String>| d.is_some_and(|t| t.starts_with("timestamp("));
        if declared.iter().any(timestamp) {
            if declared.iter().any(|d| *d != declared[0]) {
                return Err(not_supported(format!(
                    "{} of timestamps of different precisions",
                    self.name
                )));
            }
            if let Some(t) = declared[0] {
                let metadata = HashMap::from([(ATHENA_TYPE_KEY.to_owned(), t.clone())]);
                return Ok(Arc::new(field.with_metadata(metadata)));
            }
        }
        Ok(Arc::new(field))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match self.kind {
            Kind::DoubleUnary(f) => on_arrays(&args.args, |a| {
                let x = a[0].as_primitive::<Float64Type>();
                Ok(Arc::new(x.unary::<_, Float64Type>(f)) as ArrayRef)
            }),
            Kind::DoubleBinary(f) => on_arrays(&args.args, |a| {
                let x = a[0].as_primitive::<Float64Type>();
                let y = a[1].as_primitive::<Float64Type>();
                let out: Float64Array = x
                    .iter()
                    .zip(y.iter())
                    .map(|(x, y)| Some(f(x?, y?)))
                    .collect();
                Ok(Arc::new(out) as ArrayRef)
            }),
            Kind::Constant(v) => Ok(ColumnarValue::Scalar(ScalarValue::Float64(Some(v)))),
            Kind::FloatTest(test) => on_arrays(&args.args, |a| {
                let check = |x: f64| match test {
                    Test::Nan => x.is_nan(),
                    Test::Finite => x.is_finite(),
                    Test::Infinite => x.is_infinite(),
                };
                let out: BooleanArray = match a[0].data_type() {
                    DataType::Float32 => a[0]
                        .as_primitive::<Float32Type>()
                        .iter()
                        .map(|x| x.map(|x| check(f64::from(x))))
                        .collect(),
                    _ => a[0]
                        .as_primitive::<Float64Type>()
                        .iter()
                        .map(|x| x.map(check))
                        .collect(),
                };
                Ok(Arc::new(out) as ArrayRef)
            }),
            Kind::Rounding(op) => {
                let return_type = args.return_field.data_type().clone();
                on_arrays(&args.args, |a| rounding::invoke(op, a, &return_type))
            }
            Kind::Random => rounding::random(&args),
            Kind::Compare(pick) => on_arrays(&args.args, |a| compare::invoke(pick, a)),
            Kind::FromBase => on_arrays(&args.args, bases::from_base),
            Kind::ToBase => on_arrays(&args.args, bases::to_base),
            Kind::WidthBucket => on_arrays(&args.args, bases::width_bucket),
            Kind::Vector(op) => on_arrays(&args.args, |a| vectors::invoke(op, a)),
            Kind::Bitwise(op) => on_arrays(&args.args, |a| bitwise::invoke(op, a)),
            Kind::Wilson(sign) => on_arrays(&args.args, |a| {
                let (s, n, z) = (longs(&a[0]), longs(&a[1]), doubles(&a[2]));
                let mut out = Vec::with_capacity(s.len());
                for i in 0..s.len() {
                    out.push(match (s[i], n[i], z[i]) {
                        (Some(s), Some(n), Some(z)) => Some(wilson(s, n, z, sign)?),
                        _ => None,
                    });
                }
                Ok(double_array(out))
            }),
        }
    }
}

fn is_text_or_null(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
    )
}

pub(super) fn is_integer_or_null(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 | DataType::Null
    )
}

/// `INVALID_FUNCTION_ARGUMENT: <message>`.
pub(super) fn invalid_argument(
    message: impl std::fmt::Display,
) -> datafusion::error::DataFusionError {
    user_error("INVALID_FUNCTION_ARGUMENT", message)
}

// The helpers below are shared by the submodules' kernels.

/// The rows of a double array as options.
pub(super) fn doubles(a: &ArrayRef) -> Vec<Option<f64>> {
    a.as_primitive::<Float64Type>().iter().collect()
}

/// The rows of a bigint array as options.
pub(super) fn longs(a: &ArrayRef) -> Vec<Option<i64>> {
    a.as_primitive::<Int64Type>().iter().collect()
}

/// The rows of an integer array as options.
pub(super) fn ints(a: &ArrayRef) -> Vec<Option<i32>> {
    a.as_primitive::<Int32Type>().iter().collect()
}

/// A double array of the rows.
pub(super) fn double_array(rows: Vec<Option<f64>>) -> ArrayRef {
    Arc::new(Float64Array::from(rows))
}

/// A bigint array of the rows.
pub(super) fn long_array(rows: Vec<Option<i64>>) -> ArrayRef {
    Arc::new(Int64Array::from(rows))
}

/// A varchar array of the rows.
pub(super) fn string_array(rows: Vec<Option<String>>) -> ArrayRef {
    Arc::new(StringArray::from(rows))
}

/// Fails unless every argument array has as many rows as the first.
pub(super) fn same_lengths(a: &[ArrayRef]) -> Result<usize> {
    let n = a.first().map_or(0, |x| x.len());
    if a.iter().any(|x| x.len() != n) {
        return exec_err!("arguments of different lengths");
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyperbolic_functions_match_java() {
        // Java's Math.cosh(1) and Math.sinh(1), which glibc's differ from.
        assert_eq!(fdlibm_cosh(1.0), 1.543_080_634_815_244);
        assert_eq!(fdlibm_sinh(1.0), 1.175_201_193_643_801_4);
        assert_eq!(fdlibm_cosh(-1000.0), f64::INFINITY);
        assert_eq!(fdlibm_sinh(0.0), 0.0);
    }

    #[test]
    fn wilson_bounds_match_trino() {
        // Trino 476: wilson_interval_lower(1250, 1310, 1.96), wilson_interval_upper(...).
        assert_eq!(
            wilson(1250, 1310, 1.96, -1.0).unwrap(),
            0.941_488_372_539_589_4
        );
        assert_eq!(
            wilson(1250, 1310, 1.96, 1.0).unwrap(),
            0.964_252_471_714_390_8
        );
        assert!(wilson(5, 3, 1.0, 1.0).is_err());
        assert!(wilson(1, 3, -1.0, 1.0).is_err());
    }

    #[test]
    fn java_pow_special_cases() {
        assert!(java_pow(1.0, f64::NAN).is_nan());
        assert!(java_pow(-1.0, f64::INFINITY).is_nan());
        assert_eq!(java_pow(f64::NAN, 0.0), 1.0);
        assert_eq!(java_pow(2.0, 10.0), 1024.0);
        assert_eq!(java_pow(0.0, -1.0), f64::INFINITY);
    }

    #[test]
    fn overloads_follow_trino() {
        let udfs = functions();
        let find = |n: &str| udfs.iter().find(|u| u.name() == n).unwrap();
        assert_eq!(
            find("sqrt").coerce_types(&[DataType::Int32]).unwrap(),
            vec![DataType::Float64]
        );
        let err = find("sqrt").coerce_types(&[DataType::Utf8]).unwrap_err();
        assert!(err.to_string().contains("FUNCTION_NOT_FOUND"), "{err}");
        assert!(find("ln").coerce_types(&[]).is_err());
        assert!(find("pi").coerce_types(&[DataType::Int32]).is_err());
    }
}
