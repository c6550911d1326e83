//! Trino's mathematical functions (trino.io, "Mathematical functions and operators") as
//! UDFs under Trino's names, replacing DataFusion's functions of the same names: each
//! resolves its arguments as Trino resolves the overloads (`abs(tinyint)` is a tinyint,
//! `ceil(decimal(p, s))` a `decimal(p - s + 1, 0)`, `sqrt(integer)` a double, and
//! arguments of no overload fail with `FUNCTION_NOT_FOUND`), and computes as Trino's
//! Java does (`log2(x)` is `ln(x) / ln(2)`, `pow(1, NaN)` is NaN, `round(x, d)` of a
//! double scales by `10^d` and rounds half up).

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Float32Type, Float64Type, Int32Type, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::integer::on_arrays;
use super::{trino_type, user_error};

mod bases;
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
        }
    }

    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            Kind::DoubleUnary(_) | Kind::DoubleBinary(_) | Kind::Constant(_) | Kind::Vector(_) => {
                DataType::Float64
            }
            Kind::FloatTest(_) => DataType::Boolean,
            Kind::Rounding(op) => rounding::return_type(op, types)?,
            Kind::Random => types.first().cloned().unwrap_or(DataType::Float64),
            Kind::Compare(_) => types.first().cloned().unwrap_or(DataType::Null),
            Kind::FromBase | Kind::WidthBucket => DataType::Int64,
            Kind::ToBase => DataType::Utf8,
        })
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
