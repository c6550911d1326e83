//! Binary operators on numbers, planned with Trino's types when DataFusion plans the SQL
//! (an [`ExprPlanner`] sees both operands with the types they have before DataFusion's
//! coercion, which would otherwise decide the result type):
//!
//! - arithmetic on numbers: the UDFs of `arithmetic.rs` (integers of the wider type,
//!   checked; decimals of Trino's precision and scale, an integer operand being
//!   `decimal(3|5|10|19, 0)`; doubles or reals);
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
use datafusion::logical_expr::{Expr, ExprSchemable, Operator, ScalarUDF};
use datafusion::sql::sqlparser::ast::BinaryOperator;

use super::arithmetic::{Arithmetic, Op as ArithOp, signed};
use super::ieee::FloatComparison;
use super::integer::is_integer;
use super::{trino_type, user_error};

/// The planner of arithmetic and comparisons on numbers (register it on the session).
#[derive(Debug, Default)]
pub(crate) struct NumericPlanner;

/// What a binary operator is.
#[derive(Clone, Copy)]
enum Kind {
    Arithmetic(ArithOp),
    Comparison(Operator),
}

fn kind(op: &BinaryOperator) -> Option<Kind> {
    use BinaryOperator as B;
    Some(match op {
        B::Plus => Kind::Arithmetic(ArithOp::Add),
        B::Minus => Kind::Arithmetic(ArithOp::Subtract),
        B::Multiply => Kind::Arithmetic(ArithOp::Multiply),
        B::Divide => Kind::Arithmetic(ArithOp::Divide),
        B::Modulo => Kind::Arithmetic(ArithOp::Modulus),
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
        // An unsigned integer (DataFusion's `cardinality`) counts as Trino's signed type.
        let (lt, rt) = (signed(&lt), signed(&rt));
        let planned = match kind {
            Kind::Arithmetic(op) => arithmetic(&expr, &lt, &rt, op)?,
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
    op: ArithOp,
) -> Result<Option<Expr>> {
    let (lc, rc) = (class(lt), class(rt));
    let (l, r) = (expr.left.clone(), expr.right.clone());
    match (&lc, &rc) {
        (Class::Mismatch, c) | (c, Class::Mismatch) if numeric(c) => {
            Err(mismatch(&expr.op, lt, rt))
        }
        // Two bare NULLs fit every operator (`%`'s smallest fit is tinyint's).
        (Class::Null, Class::Null) if op == ArithOp::Modulus => {
            Ok(Some(Expr::Cast(datafusion::logical_expr::Cast::new(
                Box::new(Expr::Literal(datafusion::common::ScalarValue::Null, None)),
                DataType::Int8,
            ))))
        }
        (Class::Null, Class::Null) => Err(ambiguous()),
        // A bare NULL fits an interval operator as well as a number operator when the
        // other side is exactly the interval operator's number: `interval * double`,
        // `double * interval`, `interval / double`, `interval * bigint`,
        // `bigint * interval` (a real or an integer would need a coercion there, so the
        // number operator is the better fit).
        (Class::Null, _) | (_, Class::Null)
            if null_fits_an_interval_operator(op, lc == Class::Null, lt, rt) =>
        {
            Err(ambiguous())
        }
        (a, b) if (numeric(a) || *a == Class::Null) && (numeric(b) || *b == Class::Null) => {
            Ok(Some(call(arithmetic_udf(op), vec![l, r])))
        }
        _ => Ok(None),
    }
}

/// Whether `NULL op x` (`null_left`) or `x op NULL` is ambiguous in Trino between the
/// number operator and an interval operator (see `arithmetic`).
fn null_fits_an_interval_operator(
    op: ArithOp,
    null_left: bool,
    lt: &DataType,
    rt: &DataType,
) -> bool {
    let other = if null_left { rt } else { lt };
    match op {
        ArithOp::Multiply => matches!(other, DataType::Float64 | DataType::Int64),
        ArithOp::Divide => null_left && other == &DataType::Float64,
        _ => false,
    }
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
        // converted to the float type first (by the UDF's coercion).
        (Class::Double | Class::Real, c) | (c, Class::Double | Class::Real) if numeric(c) => {
            call(comparison_udf(op), vec![l, r])
        }
        _ => return Ok(None),
    }))
}

fn call(udf: Arc<ScalarUDF>, args: Vec<Expr>) -> Expr {
    Expr::ScalarFunction(ScalarFunction::new_udf(udf, args))
}

fn arithmetic_udf(op: ArithOp) -> Arc<ScalarUDF> {
    static UDFS: LazyLock<Vec<(ArithOp, Arc<ScalarUDF>)>> = LazyLock::new(|| {
        [
            ArithOp::Add,
            ArithOp::Subtract,
            ArithOp::Multiply,
            ArithOp::Divide,
            ArithOp::Modulus,
        ]
        .into_iter()
        .map(|op| (op, Arc::new(ScalarUDF::new_from_impl(Arithmetic::new(op)))))
        .collect()
    });
    UDFS.iter()
        .find(|(o, _)| *o == op)
        .map_or_else(|| Arc::clone(&UDFS[0].1), |(_, udf)| Arc::clone(udf))
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
