//! The common type of numbers that meet in one column or list, as Trino resolves it:
//! integers widen, an integer with a decimal is a decimal (`bigint` as
//! `decimal(19,0)`), anything with a real is a real and with a double a double.
//! DataFusion turns a double meeting a decimal into a `decimal(30,15)` (so
//! `coalesce(double_column, 0.0)` would be a decimal) and a bigint into `decimal(20,0)`.
//!
//! An analyzer rule run before DataFusion's type coercion casts the branches of CASE
//! (and `if`), the arguments of `coalesce` and of the ARRAY constructor, the values of IN
//! lists and BETWEEN, and the columns of UNION inputs to Trino's common type, so that the
//! coercion has nothing left to decide. (VALUES rows, typed when DataFusion plans them,
//! are unified in the query rewrite: `rewrite/numbers.rs`.) It also puts Trino's `sum`
//! and `avg` of decimals (`aggregate.rs`) in place of DataFusion's, whose result types
//! differ, so that what compares or computes with them is coerced to Trino's type.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr::{Case, InList, WindowFunction};
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{
    AggregateUDF, Between, Cast, Expr, ExprSchemable, LogicalPlan, Projection, Union,
    WindowFunctionDefinition,
};
use datafusion::optimizer::AnalyzerRule;

use super::aggregate::{DecimalAggregate, DecimalAggregateUdf};
use super::decimal::{MAX_PRECISION, integer_as_decimal};
use super::integer::{is_integer, wider_integer};

/// Trino's common type of number types (NULLs ignored); `None` when some type is not a
/// number, or when there is nothing to unify.
pub(crate) fn common_numeric(types: &[&DataType]) -> Option<DataType> {
    let known: Vec<&DataType> = types
        .iter()
        .copied()
        .filter(|t| **t != DataType::Null)
        .collect();
    if known.is_empty()
        || !known.iter().all(|t| {
            is_integer(t)
                || matches!(
                    t,
                    DataType::Decimal128(..) | DataType::Float32 | DataType::Float64
                )
        })
    {
        return None;
    }
    if known.iter().any(|t| **t == DataType::Float64) {
        return Some(DataType::Float64);
    }
    if known.iter().any(|t| **t == DataType::Float32) {
        return Some(DataType::Float32);
    }
    if known.iter().all(|t| is_integer(t)) {
        return Some(
            known
                .iter()
                .fold(DataType::Null, |acc, t| wider_integer(&acc, t)),
        );
    }
    let (mut int_digits, mut scale) = (0i32, 0i32);
    for t in &known {
        let (p, s) = match t {
            DataType::Decimal128(p, s) => (*p, *s),
            t => integer_as_decimal(t).unwrap_or((1, 0)),
        };
        int_digits = int_digits.max(i32::from(p) - i32::from(s));
        scale = scale.max(i32::from(s));
    }
    let precision = (int_digits + scale).min(i32::from(MAX_PRECISION));
    Some(DataType::Decimal128(precision as u8, scale as i8))
}

/// The rule (to run before type coercion).
#[derive(Debug, Default)]
pub(crate) struct TrinoUnification;

impl AnalyzerRule for TrinoUnification {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(unify_node)
            .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "athena_trino_numeric_unification"
    }
}

fn unify_node(plan: LogicalPlan) -> Result<Transformed<LogicalPlan>> {
    let node = match plan {
        LogicalPlan::Union(union) => unify_union(union)?,
        other => Transformed::no(other),
    };
    let node_changed = node.transformed;
    let mut schema = merge_schema(&node.data.inputs());
    if let LogicalPlan::TableScan(scan) = &node.data {
        let source =
            DFSchema::try_from_qualified_schema(scan.table_name.clone(), &scan.source.schema())?;
        schema.merge(&source);
    }
    let plan = node
        .data
        .map_expressions(|e| e.transform_up(|e| unify_expr(e, &schema)))?;
    let changed = node_changed || plan.transformed;
    // A unified expression has a new type: the node's schema follows it, and every node
    // above is recomputed in turn.
    let plan = plan.data.recompute_schema()?;
    Ok(if changed {
        Transformed::yes(plan)
    } else {
        Transformed::no(plan)
    })
}

/// `e` as `to`, unless it is one already.
fn cast_to(e: Expr, to: &DataType, schema: &DFSchema) -> Expr {
    match e.get_type(schema) {
        Ok(t) if t == *to || t == DataType::Null => e,
        _ => Expr::Cast(Cast::new(Box::new(e), to.clone())),
    }
}

/// The common type of `exprs` when they are numbers of more than one type.
fn target(exprs: &[&Expr], schema: &DFSchema) -> Option<DataType> {
    let types: Vec<DataType> = exprs
        .iter()
        .map(|e| e.get_type(schema))
        .collect::<Result<_>>()
        .ok()?;
    let known: Vec<&DataType> = types.iter().filter(|t| **t != DataType::Null).collect();
    if known.windows(2).all(|w| w[0] == w[1]) {
        return None;
    }
    common_numeric(&types.iter().collect::<Vec<_>>())
}

// layout: long function, because one match over the expression kinds that unify their operands' types
fn unify_expr(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    Ok(match e {
        Expr::Case(case) => {
            let branches: Vec<&Expr> = case
                .when_then_expr
                .iter()
                .map(|(_, then)| then.as_ref())
                .chain(case.else_expr.as_deref())
                .collect();
            match target(&branches, schema) {
                Some(to) => {
                    let Case {
                        expr,
                        when_then_expr,
                        else_expr,
                    } = case;
                    Transformed::yes(Expr::Case(Case {
                        expr,
                        when_then_expr: when_then_expr
                            .into_iter()
                            .map(|(w, t)| (w, Box::new(cast_to(*t, &to, schema))))
                            .collect(),
                        else_expr: else_expr.map(|e| Box::new(cast_to(*e, &to, schema))),
                    }))
                }
                None => Transformed::no(Expr::Case(case)),
            }
        }
        Expr::ScalarFunction(mut f) if matches!(f.func.name(), "coalesce" | "make_array") => {
            let args: Vec<&Expr> = f.args.iter().collect();
            match target(&args, schema) {
                Some(to) => {
                    f.args = f
                        .args
                        .into_iter()
                        .map(|a| cast_to(a, &to, schema))
                        .collect();
                    Transformed::yes(Expr::ScalarFunction(f))
                }
                None => Transformed::no(Expr::ScalarFunction(f)),
            }
        }
        Expr::InList(list) => {
            let all: Vec<&Expr> = std::iter::once(list.expr.as_ref())
                .chain(list.list.iter())
                .collect();
            match target(&all, schema) {
                Some(to) => {
                    let InList {
                        expr,
                        list,
                        negated,
                    } = list;
                    Transformed::yes(Expr::InList(InList {
                        expr: Box::new(cast_to(*expr, &to, schema)),
                        list: list.into_iter().map(|e| cast_to(e, &to, schema)).collect(),
                        negated,
                    }))
                }
                None => Transformed::no(Expr::InList(list)),
            }
        }
        Expr::Between(between) => {
            let all = [
                between.expr.as_ref(),
                between.low.as_ref(),
                between.high.as_ref(),
            ];
            match target(&all, schema) {
                Some(to) => {
                    let Between {
                        expr,
                        negated,
                        low,
                        high,
                    } = between;
                    Transformed::yes(Expr::Between(Between {
                        expr: Box::new(cast_to(*expr, &to, schema)),
                        negated,
                        low: Box::new(cast_to(*low, &to, schema)),
                        high: Box::new(cast_to(*high, &to, schema)),
                    }))
                }
                None => Transformed::no(Expr::Between(between)),
            }
        }
        Expr::AggregateFunction(mut f) => {
            match decimal_aggregate(f.func.name(), &f.params.args, schema) {
                Some(udaf) => {
                    f.func = udaf;
                    Transformed::yes(Expr::AggregateFunction(f))
                }
                None => Transformed::no(Expr::AggregateFunction(f)),
            }
        }
        Expr::WindowFunction(w) => {
            let replacement = match &w.fun {
                WindowFunctionDefinition::AggregateUDF(udaf) => {
                    decimal_aggregate(udaf.name(), &w.params.args, schema)
                }
                _ => None,
            };
            match replacement {
                Some(udaf) => {
                    let WindowFunction { params, .. } = *w;
                    Transformed::yes(Expr::from(WindowFunction {
                        fun: WindowFunctionDefinition::AggregateUDF(udaf),
                        params,
                    }))
                }
                None => Transformed::no(Expr::WindowFunction(w)),
            }
        }
        other => Transformed::no(other),
    })
}

/// Trino's `sum` / `avg` in place of DataFusion's, for one decimal argument
/// (`aggregate.rs`): before type coercion, so that what compares or computes with the
/// result is coerced to its type (`HAVING sum(x) > 3`).
fn decimal_aggregate(name: &str, args: &[Expr], schema: &DFSchema) -> Option<Arc<AggregateUDF>> {
    let kind = match name {
        "sum" => DecimalAggregate::Sum,
        "avg" | "mean" => DecimalAggregate::Avg,
        _ => return None,
    };
    match args {
        [arg] if matches!(arg.get_type(schema), Ok(DataType::Decimal128(..))) => {
            Some(decimal_aggregate_udf(kind))
        }
        _ => None,
    }
}

fn decimal_aggregate_udf(kind: DecimalAggregate) -> Arc<AggregateUDF> {
    static SUM: LazyLock<Arc<AggregateUDF>> = LazyLock::new(|| {
        Arc::new(AggregateUDF::new_from_impl(DecimalAggregateUdf::new(
            DecimalAggregate::Sum,
        )))
    });
    static AVG: LazyLock<Arc<AggregateUDF>> = LazyLock::new(|| {
        Arc::new(AggregateUDF::new_from_impl(DecimalAggregateUdf::new(
            DecimalAggregate::Avg,
        )))
    });
    match kind {
        DecimalAggregate::Sum => Arc::clone(&SUM),
        DecimalAggregate::Avg => Arc::clone(&AVG),
    }
}

/// A UNION's inputs, their number columns cast to Trino's common types.
fn unify_union(union: Union) -> Result<Transformed<LogicalPlan>> {
    let width = union.schema.fields().len();
    let mut targets: Vec<Option<DataType>> = Vec::with_capacity(width);
    for i in 0..width {
        let types: Vec<&DataType> = union
            .inputs
            .iter()
            .map(|input| input.schema().field(i).data_type())
            .collect();
        let distinct = types.windows(2).any(|w| w[0] != w[1]);
        targets.push(if distinct {
            common_numeric(&types)
        } else {
            None
        });
    }
    if targets.iter().all(Option::is_none) {
        return Ok(Transformed::no(LogicalPlan::Union(union)));
    }
    let mut inputs = Vec::with_capacity(union.inputs.len());
    for input in union.inputs {
        let schema = Arc::clone(input.schema());
        let exprs: Vec<Expr> = schema
            .columns()
            .into_iter()
            .zip(&targets)
            .zip(schema.fields())
            .map(|((column, to), field)| {
                let name = column.name.clone();
                let e = Expr::Column(column);
                match to {
                    // The cast keeps the column's nullability, which the union's schema
                    // (and a DISTINCT over it) was planned with.
                    Some(to) if to != field.data_type() => Expr::Cast(Cast::new_from_field(
                        Box::new(e),
                        Arc::new(Field::new(&name, to.clone(), field.is_nullable())),
                    ))
                    .alias(name),
                    _ => e,
                }
            })
            .collect();
        inputs.push(Arc::new(LogicalPlan::Projection(Projection::try_new(
            exprs, input,
        )?)));
    }
    Ok(Transformed::yes(LogicalPlan::Union(
        Union::try_new_with_loose_types(inputs)?,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_types_are_trinos() {
        let c = |t: &[DataType]| common_numeric(&t.iter().collect::<Vec<_>>());
        assert_eq!(
            c(&[DataType::Float64, DataType::Decimal128(2, 1)]),
            Some(DataType::Float64)
        );
        assert_eq!(
            c(&[DataType::Int64, DataType::Decimal128(2, 1)]),
            Some(DataType::Decimal128(20, 1))
        );
        assert_eq!(
            c(&[DataType::Float32, DataType::Decimal128(2, 1)]),
            Some(DataType::Float32)
        );
        assert_eq!(
            c(&[DataType::Int8, DataType::Int32, DataType::Null]),
            Some(DataType::Int32)
        );
        assert_eq!(c(&[DataType::Int32, DataType::Utf8]), None);
    }
}
