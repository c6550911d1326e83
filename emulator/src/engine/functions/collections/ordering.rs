//! Arrays, maps and rows where a query orders, groups or deduplicates them, as Trino
//! does or refusing ([`NestedOrdering`], an analyzer rule run after type coercion):
//!
//! - ORDER BY a map fails with TYPE_MISMATCH, as in Trino (maps have no order);
//! - ORDER BY an array or row: Trino compares element by element and fails on reaching a
//!   NULL inside (`ARRAY comparison not supported for arrays with null elements`);
//!   DataFusion's sort cannot take Trino's comparison, so a sort key holding a NULL inside
//!   is refused with NOT_SUPPORTED (`athena_orderable`), never ordered otherwise;
//! - GROUP BY, DISTINCT and UNION of maps: Trino finds two maps equal whatever the order
//!   of their entries, DataFusion by their layout; refused with NOT_SUPPORTED.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, UInt32Array};
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    Distinct, Expr, ExprSchemable, LogicalPlan, ReturnFieldArgs, ScalarUDF, Sort, SortExpr,
};
use datafusion::optimizer::AnalyzerRule;

use super::compare::{as_list_array, is_nested};
use super::{CollectionFn, CollectionUdf, field};
use crate::engine::functions::trino_type_name;

pub(super) fn udfs() -> Vec<ScalarUDF> {
    vec![CollectionUdf::udf("athena_orderable", Orderable)]
}

/// Whether a type is or holds a map.
fn holds_map(t: &DataType) -> bool {
    match t {
        DataType::Map(..) => true,
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            holds_map(f.data_type())
        }
        DataType::Struct(fields) => fields.iter().any(|f| holds_map(f.data_type())),
        _ => false,
    }
}

/// The analyzer rule (register it on the session).
#[derive(Debug, Default)]
pub(crate) struct NestedOrdering;

impl AnalyzerRule for NestedOrdering {
    fn analyze(&self, plan: LogicalPlan, _: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(check).map(|t| t.data)
    }

    fn name(&self) -> &str {
        "athena_nested_ordering"
    }
}

fn refuse_maps(what: &str, types: impl Iterator<Item = DataType>) -> Result<()> {
    for t in types {
        if holds_map(&t) {
            return plan_err!(
                "NOT_SUPPORTED: {what} of a map ({}) is not supported by athena-emulator",
                trino_type_name(&t)
            );
        }
    }
    Ok(())
}

fn check(node: LogicalPlan) -> Result<Transformed<LogicalPlan>> {
    match node {
        LogicalPlan::Sort(sort) => {
            let schema = Arc::clone(sort.input.schema());
            let mut changed = false;
            let mut keys = Vec::with_capacity(sort.expr.len());
            for key in sort.expr {
                let t = key.expr.get_type(&schema)?;
                if matches!(t, DataType::Map(..)) {
                    return plan_err!(
                        "TYPE_MISMATCH: Type {} is not orderable, and therefore cannot be used in ORDER BY",
                        trino_type_name(&t)
                    );
                }
                if is_nested(&t) {
                    changed = true;
                    let orderable = Expr::ScalarFunction(ScalarFunction::new_udf(
                        Arc::new(CollectionUdf::udf("athena_orderable", Orderable)),
                        vec![key.expr],
                    ));
                    keys.push(SortExpr::new(orderable, key.asc, key.nulls_first));
                } else {
                    keys.push(key);
                }
            }
            let sort = LogicalPlan::Sort(Sort {
                expr: keys,
                input: sort.input,
                fetch: sort.fetch,
            });
            Ok(if changed {
                Transformed::yes(sort)
            } else {
                Transformed::no(sort)
            })
        }
        LogicalPlan::Aggregate(agg) => {
            let schema = agg.input.schema();
            let types = agg
                .group_expr
                .iter()
                .map(|e| e.get_type(schema))
                .collect::<Result<Vec<_>>>()?;
            refuse_maps("GROUP BY", types.into_iter())?;
            Ok(Transformed::no(LogicalPlan::Aggregate(agg)))
        }
        LogicalPlan::Distinct(Distinct::All(input)) => {
            refuse_maps(
                "DISTINCT",
                input
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| f.data_type().clone()),
            )?;
            Ok(Transformed::no(LogicalPlan::Distinct(Distinct::All(input))))
        }
        other => Ok(Transformed::no(other)),
    }
}

/// `athena_orderable(x)`: `x`, refused when an array or row of it holds a NULL inside
/// (Trino's order of such values fails or depends on where the NULL is).
struct Orderable;

impl CollectionFn for Orderable {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        Ok(types.to_vec())
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("orderable", args.arg_fields[0].data_type().clone()))
    }

    fn invoke(&self, args: &[ArrayRef], _: usize, _: &FieldRef) -> Result<ArrayRef> {
        if null_inside(&args[0])? {
            return exec_err!(
                "NOT_SUPPORTED: ordering arrays or rows that hold NULL elements is not supported by athena-emulator"
            );
        }
        Ok(Arc::clone(&args[0]))
    }
}

/// Whether a non-NULL value of `a` holds a NULL element or field, at any depth.
fn null_inside(a: &ArrayRef) -> Result<bool> {
    match a.data_type() {
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..) => {
            let l = as_list_array(a.as_ref())?;
            let l = l.as_list::<i32>();
            let offsets = l.value_offsets();
            let picked: UInt32Array = (0..l.len())
                .filter(|&r| l.is_valid(r))
                .flat_map(|r| offsets[r] as u32..offsets[r + 1] as u32)
                .collect();
            let elements = take(l.values().as_ref(), &picked, None)?;
            Ok(elements.null_count() > 0 || null_inside(&elements)?)
        }
        DataType::Struct(_) => {
            let s = a.as_struct();
            let valid: UInt32Array = (0..s.len())
                .filter(|&r| s.is_valid(r))
                .map(|r| r as u32)
                .collect();
            for column in s.columns() {
                let fields = take(column.as_ref(), &valid, None)?;
                if fields.null_count() > 0 || null_inside(&fields)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::ListArray;
    use datafusion::arrow::datatypes::Int32Type;

    use super::*;

    #[test]
    fn nulls_inside_values_are_found_at_any_depth() {
        let plain: ArrayRef = Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1), Some(2)]),
            None,
        ]));
        assert!(!null_inside(&plain).unwrap());
        let holed: ArrayRef = Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1), None]),
        ]));
        assert!(null_inside(&holed).unwrap());
        assert!(holds_map(&DataType::new_list(
            super::super::maps::map_type(DataType::Int32, DataType::Int32),
            true
        )));
    }
}
