//! ORDER BY of doubles and reals as Trino orders them (measured on Trino 476):
//! `-0.0` and `0.0` are equal (DataFusion's total order puts `-0.0` first), and NaN sorts
//! as the largest number ascending and descending with NULLS LAST, but as the smallest
//! with NULLS FIRST (right after the NULLs ascending, last descending).
//!
//! Each float key becomes `CASE WHEN x = 0 THEN 0 ELSE x END` (which maps `-0.0` to
//! `0.0` and keeps NaN), and under NULLS FIRST it is preceded by a key that is NULL
//! for NULL, 0 for NaN and 1 for a number, sorted the same way.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{Result, ScalarValue};
use datafusion::config::ConfigOptions;
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, SortExpr, cast, lit, when};
use datafusion::optimizer::AnalyzerRule;

/// The analyzer rule.
#[derive(Debug)]
pub(super) struct TrinoOrdering;

impl AnalyzerRule for TrinoOrdering {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            let LogicalPlan::Sort(mut sort) = node else {
                return Ok(Transformed::no(node));
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
                changed,
            ))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "trino_ordering"
    }
}
