//! Doubles and reals as Trino compares and orders them (measured on Trino 476), where
//! DataFusion uses a total order in which NaN is the largest number and equals itself:
//!
//! - a comparison (`=`, `<`, `<=`, `>`, `>=`, IN) with NaN is false, `<>` true (NULL
//!   stays NULL); each such comparison of floats is wrapped in a CASE that answers so;
//! - in ORDER BY, `-0.0` and `0.0` are equal (the total order puts `-0.0` first), and NaN
//!   sorts as the largest number ascending and descending with NULLS LAST, but as the
//!   smallest with NULLS FIRST (right after the NULLs ascending, last descending). Each
//!   float key becomes `CASE WHEN x = 0 THEN 0 ELSE x END` (which maps `-0.0` to `0.0`
//!   and keeps NaN), and under NULLS FIRST it is preceded by a key that is NULL for
//!   NULL, 0 for NaN and 1 for a number, sorted the same way.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::config::ConfigOptions;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{
    BinaryExpr, Expr, ExprSchemable, LogicalPlan, Operator, SortExpr, cast, lit, when,
};
use datafusion::optimizer::AnalyzerRule;

/// The analyzer rule.
#[derive(Debug)]
pub(super) struct TrinoFloats;

impl AnalyzerRule for TrinoFloats {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            let node = comparisons(node)?;
            if !matches!(node.data, LogicalPlan::Sort(_)) {
                return Ok(node);
            }
            let LogicalPlan::Sort(mut sort) = node.data else {
                unreachable!("a sort");
            };
            let schema = sort.input.schema().clone();
            let mut changed = false;
            let mut keys = Vec::with_capacity(sort.expr.len());
            for key in sort.expr {
                let float = matches!(
                    key.expr.get_type(&schema),
                    Ok(DataType::Float32 | DataType::Float64)
                );
                if !float {
                    keys.push(key);
                    continue;
                }
                changed = true;
                let t = key.expr.get_type(&schema)?;
                let zero = cast(lit(ScalarValue::Float64(Some(0.0))), t);
                if key.nulls_first {
                    let nan_first = when(
                        Expr::ScalarFunction(
                            datafusion::logical_expr::expr::ScalarFunction::new_udf(
                                datafusion::functions::math::isnan(),
                                vec![key.expr.clone()],
                            ),
                        ),
                        lit(0i32),
                    )
                    .when(key.expr.clone().is_not_null(), lit(1i32))
                    .end()?;
                    keys.push(SortExpr::new(nan_first, key.asc, true));
                }
                let normalized =
                    when(key.expr.clone().eq(zero.clone()), zero).otherwise(key.expr.clone())?;
                keys.push(SortExpr::new(normalized, key.asc, key.nulls_first));
            }
            sort.expr = keys;
            Ok(Transformed::new_transformed(
                LogicalPlan::Sort(sort),
                changed || node.transformed,
            ))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "trino_floats"
    }
}

fn is_float(expr: &Expr, schema: &DFSchema) -> bool {
    matches!(
        expr.get_type(schema),
        Ok(DataType::Float32 | DataType::Float64)
    )
}

fn isnan(expr: Expr) -> Expr {
    Expr::ScalarFunction(ScalarFunction::new_udf(
        datafusion::functions::math::isnan(),
        vec![expr],
    ))
}

/// The float comparisons of a node's expressions, with Trino's answers for NaN.
fn comparisons(node: LogicalPlan) -> Result<Transformed<LogicalPlan>> {
    let inputs = node.inputs();
    if inputs.is_empty() {
        return Ok(Transformed::no(node));
    }
    let schema = merge_schema(&inputs);
    let names = NamePreserver::new(&node);
    node.map_expressions(|e| {
        let saved = names.save(&e);
        Ok(e.transform_up(|e| comparison(e, &schema))?
            .update_data(|e| saved.restore(e)))
    })
}

fn comparison(expr: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op, right })
            if matches!(
                op,
                Operator::Eq
                    | Operator::NotEq
                    | Operator::Lt
                    | Operator::LtEq
                    | Operator::Gt
                    | Operator::GtEq
            ) && (is_float(&left, schema) || is_float(&right, schema)) =>
        {
            // Against a number literal DataFusion answers as Trino but that NaN is greater:
            // `x > 1` becomes `x > 1 AND NOT isnan(x)` (which still prunes files).
            let number = |e: &Expr| match e {
                Expr::Literal(ScalarValue::Float64(Some(v)), _) => !v.is_nan(),
                Expr::Literal(ScalarValue::Float32(Some(v)), _) => !v.is_nan(),
                _ => false,
            };
            let guarded = match (number(&left), number(&right), op) {
                (false, true, Operator::Gt | Operator::GtEq) => Some(left.as_ref().clone()),
                (true, false, Operator::Lt | Operator::LtEq) => Some(right.as_ref().clone()),
                (false, true, _) | (true, false, _) => {
                    return Ok(Transformed::no(Expr::BinaryExpr(BinaryExpr {
                        left,
                        op,
                        right,
                    })));
                }
                _ => None,
            };
            if let Some(column) = guarded {
                let compared = Expr::BinaryExpr(BinaryExpr { left, op, right });
                return Ok(Transformed::yes(
                    compared.and(Expr::Not(Box::new(isnan(column)))),
                ));
            }
            // CASE WHEN isnan(a) OR isnan(b) THEN <NULL if one is NULL, else op is <>>
            // ELSE a op b END
            let either_nan = isnan(left.as_ref().clone()).or(isnan(right.as_ref().clone()));
            let either_null = left
                .as_ref()
                .clone()
                .is_null()
                .or(right.as_ref().clone().is_null());
            let nan_answer = when(either_null, lit(ScalarValue::Boolean(None)))
                .otherwise(lit(op == Operator::NotEq))?;
            let compared = Expr::BinaryExpr(BinaryExpr { left, op, right });
            Ok(Transformed::yes(
                when(either_nan, nan_answer).otherwise(compared)?,
            ))
        }
        Expr::InList(in_list) if is_float(&in_list.expr, schema) => {
            // A NaN is in no list: false, or NULL when the list holds a NULL.
            let any_null = in_list
                .list
                .iter()
                .map(|item| item.clone().is_null())
                .reduce(Expr::or)
                .unwrap_or(lit(false));
            let nan_answer =
                when(any_null, lit(ScalarValue::Boolean(None))).otherwise(lit(in_list.negated))?;
            let value = in_list.expr.as_ref().clone();
            Ok(Transformed::yes(
                when(isnan(value), nan_answer).otherwise(Expr::InList(in_list))?,
            ))
        }
        other => Ok(Transformed::no(other)),
    }
}
