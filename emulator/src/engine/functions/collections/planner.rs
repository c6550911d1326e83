//! The operators on arrays, maps and rows, planned with the types of their operands
//! ([`CollectionPlanner`], ahead of DataFusion's planners):
//!
//! - `a[i]`, `m[k]` (also `m['k']`) are `athena_subscript`; `r[1]` is the first field of
//!   row `r` (the index must be a constant, as in Trino);
//! - `a || b` with an array is `athena_array_concat`;
//! - `=`, `<>`, `<`, `<=`, `>`, `>=` with an array, map or row operand are Trino's
//!   comparisons (`compare.rs`); a map has no order (TYPE_MISMATCH).
//!
//! `concat(...)` (and `||`) and `reverse(...)` are string functions too (the emulator's
//! `athena_concat` and `athena_reverse`, which let arrays through to planning):
//! [`ArrayOverloads`] makes them the array functions when an argument is an array, once
//! the types are known.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, BooleanArray};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result, ScalarValue, plan_err};
use datafusion::functions::core::expr_fn::get_field;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::expr_rewriter::FunctionRewrite;
use datafusion::logical_expr::planner::{
    ExprPlanner, PlannerResult, RawBinaryExpr, RawFieldAccessExpr,
};
use datafusion::logical_expr::sqlparser::ast::BinaryOperator;
use datafusion::logical_expr::type_coercion::binary::comparison_coercion;
use datafusion::logical_expr::{Expr, ExprSchemable, GetFieldAccess, ReturnFieldArgs, ScalarUDF};

use super::arrays::common_type;
use super::compare::{Comparer, is_nested};
use super::{CollectionFn, CollectionUdf, field};
use crate::engine::functions::trino_type_name;

pub(super) fn udfs() -> Vec<ScalarUDF> {
    Op::ALL
        .iter()
        .map(|&op| CollectionUdf::udf(op.udf_name(), Compare(op)))
        .collect()
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
}

impl Op {
    const ALL: [Op; 6] = [Op::Eq, Op::NotEq, Op::Lt, Op::LtEq, Op::Gt, Op::GtEq];

    fn of(op: &BinaryOperator) -> Option<Op> {
        Some(match op {
            BinaryOperator::Eq => Op::Eq,
            BinaryOperator::NotEq => Op::NotEq,
            BinaryOperator::Lt => Op::Lt,
            BinaryOperator::LtEq => Op::LtEq,
            BinaryOperator::Gt => Op::Gt,
            BinaryOperator::GtEq => Op::GtEq,
            _ => return None,
        })
    }

    fn udf_name(self) -> &'static str {
        match self {
            Op::Eq => "athena_eq",
            Op::NotEq => "athena_not_eq",
            Op::Lt => "athena_lt",
            Op::LtEq => "athena_lt_eq",
            Op::Gt => "athena_gt",
            Op::GtEq => "athena_gt_eq",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::NotEq => "<>",
            Op::Lt => "<",
            Op::LtEq => "<=",
            Op::Gt => ">",
            Op::GtEq => ">=",
        }
    }

    fn is_ordering(self) -> bool {
        !matches!(self, Op::Eq | Op::NotEq)
    }
}

/// `l op r` of arrays, maps or rows.
struct Compare(Op);

impl CollectionFn for Compare {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        let [l, r] = types else {
            return plan_err!("{} compares two values", self.0.symbol());
        };
        let mismatch = || {
            plan_err!(
                "TYPE_MISMATCH: Cannot apply operator: {} {} {}",
                trino_type_name(l),
                self.0.symbol(),
                trino_type_name(r)
            )
        };
        if self.0.is_ordering()
            && (matches!(l, DataType::Map(..)) || matches!(r, DataType::Map(..)))
        {
            return mismatch();
        }
        let common = if l == r {
            l.clone()
        } else if let Some(t) = comparison_coercion(l, r) {
            t
        } else if let Ok(t) = common_type(&[l.clone(), r.clone()]) {
            t
        } else {
            return mismatch();
        };
        Ok(vec![common.clone(), common])
    }

    fn return_field(&self, _: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field(self.0.udf_name(), DataType::Boolean))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, _: &FieldRef) -> Result<ArrayRef> {
        let c = Comparer::new(args[0].as_ref(), args[1].as_ref())?;
        let mut out = Vec::with_capacity(rows);
        for r in 0..rows {
            if c.is_null(r, r) {
                out.push(None);
                continue;
            }
            out.push(match self.0 {
                Op::Eq => c.eq(r, r),
                Op::NotEq => c.eq(r, r).map(|e| !e),
                op => {
                    let o = c.cmp(r, r)?;
                    Some(match op {
                        Op::Lt => o.is_lt(),
                        Op::LtEq => o.is_le(),
                        Op::Gt => o.is_gt(),
                        _ => o.is_ge(),
                    })
                }
            });
        }
        Ok(Arc::new(BooleanArray::from(out)))
    }
}

/// Plans the operators on arrays, maps and rows.
#[derive(Debug, Default)]
pub(crate) struct CollectionPlanner;

/// A call of one of this module's UDFs by name (registered on the session).
fn call(name: &'static str, args: Vec<Expr>) -> Expr {
    let udf = super::arrays::udfs()
        .into_iter()
        .chain(super::subscript::udfs())
        .chain(udfs())
        .find(|u| u.name() == name)
        .map(Arc::new);
    match udf {
        Some(udf) => Expr::ScalarFunction(ScalarFunction::new_udf(udf, args)),
        None => Expr::ScalarFunction(ScalarFunction::new_udf(
            Arc::new(CollectionUdf::udf(name, Compare(Op::Eq))),
            args,
        )),
    }
}

fn list_like(t: &DataType) -> bool {
    matches!(
        t,
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..)
    )
}

/// The value of a constant integer index (`1`, `CAST(1 AS INTEGER)`).
fn constant_index(e: &Expr) -> Option<i64> {
    match e {
        Expr::Literal(v, _) => match v {
            ScalarValue::Int8(Some(i)) => Some(i64::from(*i)),
            ScalarValue::Int16(Some(i)) => Some(i64::from(*i)),
            ScalarValue::Int32(Some(i)) => Some(i64::from(*i)),
            ScalarValue::Int64(Some(i)) => Some(*i),
            _ => None,
        },
        Expr::Cast(c) => constant_index(&c.expr),
        Expr::TryCast(c) => constant_index(&c.expr),
        _ => None,
    }
}

impl ExprPlanner for CollectionPlanner {
    fn plan_binary_op(
        &self,
        expr: RawBinaryExpr,
        schema: &DFSchema,
    ) -> Result<PlannerResult<RawBinaryExpr>> {
        let (Ok(l), Ok(r)) = (expr.left.get_type(schema), expr.right.get_type(schema)) else {
            return Ok(PlannerResult::Original(expr));
        };
        if expr.op == BinaryOperator::StringConcat && (list_like(&l) || list_like(&r)) {
            return Ok(PlannerResult::Planned(call(
                "athena_array_concat",
                vec![expr.left, expr.right],
            )));
        }
        if let Some(op) = Op::of(&expr.op)
            && (is_nested(&l) || is_nested(&r))
        {
            return Ok(PlannerResult::Planned(call(
                op.udf_name(),
                vec![expr.left, expr.right],
            )));
        }
        Ok(PlannerResult::Original(expr))
    }

    fn plan_field_access(
        &self,
        expr: RawFieldAccessExpr,
        schema: &DFSchema,
    ) -> Result<PlannerResult<RawFieldAccessExpr>> {
        let Ok(t) = expr.expr.get_type(schema) else {
            return Ok(PlannerResult::Original(expr));
        };
        let RawFieldAccessExpr { expr, field_access } = expr;
        match (&t, field_access) {
            (DataType::Map(..), GetFieldAccess::NamedStructField { name }) => {
                Ok(PlannerResult::Planned(call(
                    "athena_subscript",
                    vec![expr, Expr::Literal(name, None)],
                )))
            }
            (t, GetFieldAccess::ListIndex { key })
                if list_like(t) || matches!(t, DataType::Map(..)) =>
            {
                Ok(PlannerResult::Planned(call(
                    "athena_subscript",
                    vec![expr, *key],
                )))
            }
            (DataType::Struct(fields), GetFieldAccess::ListIndex { key }) => {
                let Some(i) = constant_index(&key) else {
                    return plan_err!(
                        "TYPE_MISMATCH: A row's field must be subscripted by a constant integer"
                    );
                };
                match usize::try_from(i - 1).ok().and_then(|i| fields.get(i)) {
                    Some(f) => Ok(PlannerResult::Planned(get_field(expr, f.name().as_str()))),
                    None => plan_err!(
                        "INVALID_FUNCTION_ARGUMENT: Invalid subscript index: {i}. ROW type {} has {} fields",
                        trino_type_name(&t),
                        fields.len()
                    ),
                }
            }
            // `a[2:3]` is not Trino's syntax.
            (_, GetFieldAccess::ListRange { .. }) => {
                plan_err!("SYNTAX_ERROR: mismatched input ':'. Expecting: ']'")
            }
            (_, field_access) => Ok(PlannerResult::Original(RawFieldAccessExpr {
                expr,
                field_access,
            })),
        }
    }
}

/// `x IN (a, b)` and `x BETWEEN a AND b` of arrays, maps or rows as Trino's comparisons:
/// `x = a OR x = b`, `x >= a AND x <= b` (with their NULLs and failures).
fn nested_comparison(expr: &Expr, schema: &DFSchema) -> Option<Expr> {
    let nested = |e: &Expr| e.get_type(schema).is_ok_and(|t| is_nested(&t));
    match expr {
        Expr::InList(in_list) if nested(&in_list.expr) && !in_list.list.is_empty() => {
            let any = in_list
                .list
                .iter()
                .map(|v| {
                    call(
                        Op::Eq.udf_name(),
                        vec![in_list.expr.as_ref().clone(), v.clone()],
                    )
                })
                .reduce(Expr::or)?;
            Some(if in_list.negated {
                Expr::Not(Box::new(any))
            } else {
                any
            })
        }
        Expr::Between(between) if nested(&between.expr) => {
            let x = between.expr.as_ref().clone();
            let within = call(
                Op::GtEq.udf_name(),
                vec![x.clone(), between.low.as_ref().clone()],
            )
            .and(call(
                Op::LtEq.udf_name(),
                vec![x, between.high.as_ref().clone()],
            ));
            Some(if between.negated {
                Expr::Not(Box::new(within))
            } else {
                within
            })
        }
        _ => None,
    }
}

/// `concat` and `reverse` with an array argument are the array functions.
#[derive(Debug, Default)]
pub(crate) struct ArrayOverloads;

impl FunctionRewrite for ArrayOverloads {
    fn name(&self) -> &str {
        "athena_array_overloads"
    }

    fn rewrite(
        &self,
        expr: Expr,
        schema: &DFSchema,
        _: &ConfigOptions,
    ) -> Result<Transformed<Expr>> {
        if let Some(compared) = nested_comparison(&expr, schema) {
            return Ok(Transformed::yes(compared));
        }
        let Expr::ScalarFunction(f) = &expr else {
            return Ok(Transformed::no(expr));
        };
        // The string functions under the names the rewrite gives them
        // (`rewrite/strings.rs`), or DataFusion's.
        let name = f.func.name().trim_start_matches("athena_");
        if !matches!(name, "concat" | "reverse") {
            return Ok(Transformed::no(expr));
        }
        let any_array = f
            .args
            .iter()
            .any(|a| a.get_type(schema).is_ok_and(|t| list_like(&t)));
        if !any_array {
            return Ok(Transformed::no(expr));
        }
        let args = f.args.clone();
        Ok(Transformed::yes(if name == "concat" {
            call("athena_array_concat", args)
        } else {
            Expr::ScalarFunction(ScalarFunction::new_udf(
                datafusion::functions_nested::reverse::array_reverse_udf(),
                args,
            ))
        }))
    }
}
