//! DataFusion's `sum`, `avg`, `min` and `max` where Trino's differ (after type coercion,
//! when the argument types are known), as aggregates and as windows:
//!
//! - `sum` of integers (DataFusion has cast them to bigint) is checked for overflow
//!   (not as a window: Trino's window sum wraps around);
//! - `sum` and `avg` of reals are reals (DataFusion's are doubles);
//! - `min` and `max` of doubles and reals skip NaN and keep the first of equal values;
//!
//! and a RANGE frame with an offset needs a number, date or interval to order by.
//! Each replaced call keeps its output name, so the plan above it still finds it.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::config::ConfigOptions;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::expr::{AggregateFunction, WindowFunction};
use datafusion::logical_expr::{
    AggregateUDF, Expr, ExprSchemable, LogicalPlan, WindowFrameBound, WindowFrameUnits,
    WindowFunctionDefinition,
};
use datafusion::optimizer::AnalyzerRule;

use crate::engine::functions::aggregate_udaf;

/// The analyzer rule.
#[derive(Debug)]
pub(super) struct TrinoAggregates;

impl AnalyzerRule for TrinoAggregates {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        let rewritten = plan.transform_up_with_subqueries(|node| {
            if !matches!(node, LogicalPlan::Aggregate(_) | LogicalPlan::Window(_)) {
                return Ok(Transformed::no(node));
            }
            let input_schema = Arc::clone(node.inputs()[0].schema());
            node.map_expressions(|e| top_level(e, &input_schema))
        })?;
        if !rewritten.transformed {
            return Ok(rewritten.data);
        }
        // A real sum or average changes the type of a column: every plan above it is
        // typed again.
        rewritten
            .data
            .transform_up_with_subqueries(|node| Ok(Transformed::yes(node.recompute_schema()?)))
            .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "trino_aggregates"
    }
}

/// One aggregate or window expression of the node, aliased or not.
fn top_level(expr: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    match expr {
        Expr::Alias(mut alias) => {
            let inner = replace(*alias.expr, schema)?;
            alias.expr = Box::new(inner.data);
            Ok(Transformed::new_transformed(
                Expr::Alias(alias),
                inner.transformed,
            ))
        }
        other => {
            let name = other.schema_name().to_string();
            let replaced = replace(other, schema)?;
            if replaced.transformed {
                Ok(Transformed::yes(replaced.data.alias(name)))
            } else {
                Ok(replaced)
            }
        }
    }
}

/// The emulator's UDAF in place of DataFusion's `name` over arguments of `types`.
fn replacement(
    name: &str,
    args: &[Expr],
    schema: &DFSchema,
    window: bool,
) -> Option<Arc<AggregateUDF>> {
    let [arg] = args else {
        return None;
    };
    let arg_type = arg.get_type(schema).ok()?;
    // The type before DataFusion's coercion cast (reals are cast to double).
    let source_type = match arg {
        Expr::Cast(c) => c.expr.get_type(schema).ok()?,
        Expr::TryCast(c) => c.expr.get_type(schema).ok()?,
        _ => arg_type.clone(),
    };
    let to = match (name, &arg_type, &source_type) {
        // Trino's window sum wraps around as DataFusion's does (measured on 476).
        ("sum", DataType::Int64, _) if !window => "athena_sum_bigint",
        ("sum", DataType::Float64, DataType::Float32) => "athena_sum_real",
        ("avg", DataType::Float64, DataType::Float32) => "athena_avg_real",
        ("min", DataType::Float32 | DataType::Float64, _) => "athena_float_min",
        ("max", DataType::Float32 | DataType::Float64, _) => "athena_float_max",
        _ => return None,
    };
    aggregate_udaf(to)
}

fn replace(expr: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    match expr {
        Expr::AggregateFunction(call) => {
            match replacement(call.func.name(), &call.params.args, schema, false) {
                Some(func) => Ok(Transformed::yes(Expr::AggregateFunction(
                    AggregateFunction {
                        func,
                        params: call.params,
                    },
                ))),
                None => Ok(Transformed::no(Expr::AggregateFunction(call))),
            }
        }
        Expr::WindowFunction(window) => {
            check_range_frame(&window, schema)?;
            let WindowFunction { fun, params } = *window;
            let fun = match &fun {
                WindowFunctionDefinition::AggregateUDF(udaf) => {
                    match replacement(udaf.name(), &params.args, schema, true) {
                        Some(new) => {
                            return Ok(Transformed::yes(Expr::WindowFunction(Box::new(
                                WindowFunction {
                                    fun: WindowFunctionDefinition::AggregateUDF(new),
                                    params,
                                },
                            ))));
                        }
                        None => fun,
                    }
                }
                _ => fun,
            };
            Ok(Transformed::no(Expr::WindowFunction(Box::new(
                WindowFunction { fun, params },
            ))))
        }
        other => Ok(Transformed::no(other)),
    }
}

/// Trino orders a RANGE frame with an offset by a number, date, time or interval.
fn check_range_frame(window: &WindowFunction, schema: &DFSchema) -> Result<()> {
    let frame = &window.params.window_frame;
    let offset = |b: &WindowFrameBound| match b {
        WindowFrameBound::Preceding(v) | WindowFrameBound::Following(v) => {
            !matches!(v, ScalarValue::Null) && !v.is_null()
        }
        WindowFrameBound::CurrentRow => false,
    };
    if frame.units != WindowFrameUnits::Range
        || !(offset(&frame.start_bound) || offset(&frame.end_bound))
    {
        return Ok(());
    }
    let Some(sort) = window.params.order_by.first() else {
        return Ok(());
    };
    let Ok(t) = sort.expr.get_type(schema) else {
        return Ok(());
    };
    let ordered = t.is_numeric()
        || t.is_temporal()
        || matches!(t, DataType::Interval(_) | DataType::Duration(_));
    if !ordered {
        return Err(DataFusionError::Plan(format!(
            "TYPE_MISMATCH: Window frame of type RANGE PRECEDING or FOLLOWING requires that sort item type be numeric, datetime or interval (actual: {})",
            crate::engine::functions::trino_type_name(&t)
        )));
    }
    Ok(())
}
