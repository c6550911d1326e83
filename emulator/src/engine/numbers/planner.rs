//! Binary operators on numbers, planned with Trino's types when DataFusion plans the SQL
//! (an [`ExprPlanner`] sees both operands with the types they have before DataFusion's
//! coercion, which would otherwise decide the result type):
//!
//! - integers: the wider type, computed by the checked UDFs of `integer.rs`;
//! - decimals (an integer operand being `decimal(3|5|10|19, 0)`): Trino's precision and
//!   scale, computed by the UDFs of `decimal.rs`;
//! - a double (real) operand: the other operand cast to double (real), decimals exactly;
//! - comparisons with a double or real compare doubles (reals) as IEEE 754 does (NaN
//!   equals nothing), a decimal operand converted exactly;
//! - a number with a string or a boolean: `TYPE_MISMATCH`, where DataFusion would cast
//!   the string; a bare NULL with a double: `AMBIGUOUS_FUNCTION_CALL`, as Trino says.
//!
//! Anything else (dates and intervals, strings) is left to DataFusion.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::logical_expr::{BinaryExpr, Cast, Expr, ExprSchemable, Operator, ScalarUDF};
use datafusion::sql::sqlparser::ast::BinaryOperator;

use super::cast::trino_cast;
use super::decimal::{DecimalArithmetic, DecimalOp, decimal_type, integer_as_decimal};
use super::ieee::FloatComparison;
use super::integer::{CheckedArithmetic, IntOp, is_integer, wider_integer};
use super::{trino_type, user_error};

/// The planner of arithmetic and comparisons on numbers (register it on the session).
#[derive(Debug, Default)]
pub(crate) struct NumericPlanner;

/// What a binary operator is.
#[derive(Clone, Copy)]
enum Kind {
    Arithmetic(IntOp, DecimalOp, Operator),
    Comparison(Operator),
}

fn kind(op: &BinaryOperator) -> Option<Kind> {
    use BinaryOperator as B;
    Some(match op {
        B::Plus => Kind::Arithmetic(IntOp::Add, DecimalOp::Add, Operator::Plus),
        B::Minus => Kind::Arithmetic(IntOp::Subtract, DecimalOp::Subtract, Operator::Minus),
        B::Multiply => Kind::Arithmetic(IntOp::Multiply, DecimalOp::Multiply, Operator::Multiply),
        B::Divide => Kind::Arithmetic(IntOp::Divide, DecimalOp::Divide, Operator::Divide),
        B::Modulo => Kind::Arithmetic(IntOp::Modulus, DecimalOp::Modulus, Operator::Modulo),
        B::Eq => Kind::Comparison(Operator::Eq),
        B::NotEq => Kind::Comparison(Operator::NotEq),
        B::Lt => Kind::Comparison(Operator::Lt),
        B::LtEq => Kind::Comparison(Operator::LtEq),
        B::Gt => Kind::Comparison(Operator::Gt),
        B::GtEq => Kind::Comparison(Operator::GtEq),
        _ => return None,
    })
}

/// The class of an operand's type.
#[derive(Debug, Clone, PartialEq)]
enum Class {
    Integer,
    Decimal,
    Real,
    Double,
    Null,
    /// A string or boolean: not an operand of arithmetic with numbers in Trino.
    Mismatch,
    Other,
}

fn class(t: &DataType) -> Class {
    match t {
        t if is_integer(t) => Class::Integer,
        DataType::Decimal128(..) => Class::Decimal,
        DataType::Float32 => Class::Real,
        DataType::Float64 => Class::Double,
        DataType::Null => Class::Null,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Boolean => {
            Class::Mismatch
        }
        _ => Class::Other,
    }
}

impl ExprPlanner for NumericPlanner {
    fn plan_binary_op(
        &self,
        expr: RawBinaryExpr,
        schema: &DFSchema,
    ) -> Result<PlannerResult<RawBinaryExpr>> {
        let Some(kind) = kind(&expr.op) else {
            return Ok(PlannerResult::Original(expr));
        };
        let (Ok(lt), Ok(rt)) = (expr.left.get_type(schema), expr.right.get_type(schema)) else {
            return Ok(PlannerResult::Original(expr));
        };
        let planned = match kind {
            Kind::Arithmetic(int_op, decimal_op, op) => {
                arithmetic(&expr, &lt, &rt, int_op, decimal_op, op)?
            }
            Kind::Comparison(op) => comparison(&expr, &lt, &rt, op)?,
        };
        Ok(match planned {
            Some(e) => PlannerResult::Planned(e),
            None => PlannerResult::Original(expr),
        })
    }
}

fn numeric(c: &Class) -> bool {
    matches!(
        c,
        Class::Integer | Class::Decimal | Class::Real | Class::Double
    )
}

/// `TYPE_MISMATCH: Cannot apply operator: integer + varchar`.
fn mismatch(
    op: &BinaryOperator,
    lt: &DataType,
    rt: &DataType,
) -> datafusion::error::DataFusionError {
    user_error(
        "TYPE_MISMATCH",
        format!(
            "Cannot apply operator: {} {op} {}",
            trino_type(lt),
            trino_type(rt)
        ),
    )
}

fn ambiguous() -> datafusion::error::DataFusionError {
    user_error(
        "AMBIGUOUS_FUNCTION_CALL",
        "Could not choose a best candidate operator. Explicit type casts must be added.",
    )
}

fn arithmetic(
    expr: &RawBinaryExpr,
    lt: &DataType,
    rt: &DataType,
    int_op: IntOp,
    decimal_op: DecimalOp,
    op: Operator,
) -> Result<Option<Expr>> {
    let (lc, rc) = (class(lt), class(rt));
    let (l, r) = (expr.left.clone(), expr.right.clone());
    let e = match (&lc, &rc) {
        (Class::Mismatch, c) | (c, Class::Mismatch) if numeric(c) => {
            return Err(mismatch(&expr.op, lt, rt));
        }
        (Class::Null, Class::Null) => return Err(ambiguous()),
        (Class::Null, Class::Double | Class::Real) | (Class::Double | Class::Real, Class::Null) => {
            return Err(ambiguous());
        }
        (Class::Integer | Class::Null, Class::Integer | Class::Null) => {
            let t = wider_integer(lt, rt);
            call(
                checked_udf(int_op),
                vec![cast_to(l, lt, &t), cast_to(r, rt, &t)],
            )
        }
        (Class::Decimal, Class::Integer | Class::Decimal | Class::Null)
        | (Class::Integer | Class::Null, Class::Decimal) => {
            let as_decimal = |e: Expr, t: &DataType| {
                let (p, s) = decimal_type(t)
                    .or_else(|| integer_as_decimal(t))
                    .unwrap_or((1, 0));
                cast_to(e, t, &DataType::Decimal128(p, s))
            };
            call(
                decimal_udf(decimal_op),
                vec![as_decimal(l, lt), as_decimal(r, rt)],
            )
        }
        (Class::Double, c) | (c, Class::Double) if numeric(c) => {
            float_binary(l, lt, op, r, rt, &DataType::Float64)
        }
        (Class::Real, c) | (c, Class::Real) if numeric(c) => {
            float_binary(l, lt, op, r, rt, &DataType::Float32)
        }
        _ => return Ok(None),
    };
    Ok(Some(e))
}

fn comparison(
    expr: &RawBinaryExpr,
    lt: &DataType,
    rt: &DataType,
    op: Operator,
) -> Result<Option<Expr>> {
    let (lc, rc) = (class(lt), class(rt));
    let (l, r) = (expr.left.clone(), expr.right.clone());
    Ok(Some(match (&lc, &rc) {
        (Class::Mismatch, c) | (c, Class::Mismatch) if numeric(c) => {
            return Err(mismatch(&expr.op, lt, rt));
        }
        // Doubles (reals) compare as IEEE 754 says, a decimal or integer operand
        // converted to the float type first.
        (Class::Double, c) | (c, Class::Double) if numeric(c) => {
            float_comparison(l, lt, op, r, rt, &DataType::Float64)
        }
        (Class::Real, c) | (c, Class::Real) if numeric(c) => {
            float_comparison(l, lt, op, r, rt, &DataType::Float32)
        }
        _ => return Ok(None),
    }))
}

/// `l op r` compared as floats of type `to`.
fn float_comparison(
    l: Expr,
    lt: &DataType,
    op: Operator,
    r: Expr,
    rt: &DataType,
    to: &DataType,
) -> Expr {
    let Expr::BinaryExpr(BinaryExpr { left, right, .. }) = float_binary(l, lt, op, r, rt, to)
    else {
        unreachable!("float_binary builds a binary expression");
    };
    call(comparison_udf(op), vec![*left, *right])
}

fn comparison_udf(op: Operator) -> Arc<ScalarUDF> {
    static UDFS: LazyLock<Vec<(Operator, Arc<ScalarUDF>)>> = LazyLock::new(|| {
        [
            Operator::Eq,
            Operator::NotEq,
            Operator::Lt,
            Operator::LtEq,
            Operator::Gt,
            Operator::GtEq,
        ]
        .into_iter()
        .map(|op| {
            (
                op,
                Arc::new(ScalarUDF::new_from_impl(FloatComparison::new(op))),
            )
        })
        .collect()
    });
    UDFS.iter()
        .find(|(o, _)| *o == op)
        .map_or_else(|| Arc::clone(&UDFS[0].1), |(_, udf)| Arc::clone(udf))
}

/// `l op r` on floats of type `to` (doubles or reals), converting the operands with
/// Trino's casts (a decimal exactly, not through Arrow's division).
fn float_binary(
    l: Expr,
    lt: &DataType,
    op: Operator,
    r: Expr,
    rt: &DataType,
    to: &DataType,
) -> Expr {
    let convert = |e: Expr, t: &DataType| {
        if t == to {
            e
        } else if matches!(t, DataType::Decimal128(..)) {
            trino_cast(e, to.clone(), false)
        } else {
            Expr::Cast(Cast::new(Box::new(e), to.clone()))
        }
    };
    Expr::BinaryExpr(BinaryExpr::new(
        Box::new(convert(l, lt)),
        op,
        Box::new(convert(r, rt)),
    ))
}

/// `e` (of type `from`) as type `to`, with no cast when it already is one.
fn cast_to(e: Expr, from: &DataType, to: &DataType) -> Expr {
    if from == to {
        e
    } else {
        Expr::Cast(Cast::new(Box::new(e), to.clone()))
    }
}

fn call(udf: Arc<ScalarUDF>, args: Vec<Expr>) -> Expr {
    Expr::ScalarFunction(ScalarFunction::new_udf(udf, args))
}

fn checked_udf(op: IntOp) -> Arc<ScalarUDF> {
    static UDFS: LazyLock<[Arc<ScalarUDF>; 5]> = LazyLock::new(|| {
        [
            IntOp::Add,
            IntOp::Subtract,
            IntOp::Multiply,
            IntOp::Divide,
            IntOp::Modulus,
        ]
        .map(|op| Arc::new(ScalarUDF::new_from_impl(CheckedArithmetic::new(op))))
    });
    let i = match op {
        IntOp::Add => 0,
        IntOp::Subtract => 1,
        IntOp::Multiply => 2,
        IntOp::Divide => 3,
        IntOp::Modulus => 4,
    };
    Arc::clone(&UDFS[i])
}

fn decimal_udf(op: DecimalOp) -> Arc<ScalarUDF> {
    static UDFS: LazyLock<[Arc<ScalarUDF>; 5]> = LazyLock::new(|| {
        [
            DecimalOp::Add,
            DecimalOp::Subtract,
            DecimalOp::Multiply,
            DecimalOp::Divide,
            DecimalOp::Modulus,
        ]
        .map(|op| Arc::new(ScalarUDF::new_from_impl(DecimalArithmetic::new(op))))
    });
    let i = match op {
        DecimalOp::Add => 0,
        DecimalOp::Subtract => 1,
        DecimalOp::Multiply => 2,
        DecimalOp::Divide => 3,
        DecimalOp::Modulus => 4,
    };
    Arc::clone(&UDFS[i])
}
