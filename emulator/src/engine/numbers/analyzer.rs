//! An analyzer rule, run after DataFusion's type coercion (when every expression has its
//! final type), that gives numbers Trino's semantics where the planner could not:
//!
//! - `CAST` and `TRY_CAST` between numbers, booleans and text that Arrow computes
//!   differently (`cast.rs`); widening casts stay Arrow's;
//! - `athena_varchar(x)` (what `CAST(x AS VARCHAR)` is rewritten to) of a double or real:
//!   Trino's `1.5E0`; of JSON: the value's text;
//! - casts from JSON values to numbers, booleans and text, as Trino reads JSON;
//! - `TYPE_MISMATCH` for casts Trino has not (a date to an integer, varbinary to varchar);
//! - unary minus on integers, failing on the most negative value.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{Cast, Expr, ExprSchemable, LogicalPlan, ScalarUDF, TryCast};
use datafusion::optimizer::AnalyzerRule;

use super::cast::{
    TimestampText, forbidden_cast, json_cast, json_target, needs_trino_cast, trino_cast,
};
use super::integer::{CheckedNegate, is_integer};
use super::user_error;
use crate::engine::names::ATHENA_TYPE_KEY;

/// The rule (register it on the session).
#[derive(Debug, Default)]
pub(crate) struct TrinoNumbers;

impl AnalyzerRule for TrinoNumbers {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(analyze_node)
            .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "athena_trino_numbers"
    }
}

fn analyze_node(plan: LogicalPlan) -> Result<Transformed<LogicalPlan>> {
    let mut schema = merge_schema(&plan.inputs());
    if let LogicalPlan::TableScan(scan) = &plan {
        let source =
            DFSchema::try_from_qualified_schema(scan.table_name.clone(), &scan.source.schema())?;
        schema.merge(&source);
    }
    let preserver = NamePreserver::new(&plan);
    plan.map_expressions(|expr| {
        let name = preserver.save(&expr);
        expr.transform_up(|e| rewrite(e, &schema))
            .map(|t| t.update_data(|e| name.restore(e)))
    })?
    // A replaced expression's nullability may differ: every node's schema follows its
    // expressions and inputs again.
    .map_data(|plan| plan.recompute_schema())
}

fn rewrite(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    match e {
        Expr::Cast(Cast { expr, field }) => {
            let to = field.data_type().clone();
            match replace_cast(&expr, &to, field.metadata().is_empty(), false, schema)? {
                Some(new) => Ok(Transformed::yes(new)),
                None => Ok(Transformed::no(Expr::Cast(Cast { expr, field }))),
            }
        }
        Expr::TryCast(TryCast { expr, field }) => {
            let to = field.data_type().clone();
            match replace_cast(&expr, &to, field.metadata().is_empty(), true, schema)? {
                Some(new) => Ok(Transformed::yes(new)),
                None => Ok(Transformed::no(Expr::TryCast(TryCast { expr, field }))),
            }
        }
        Expr::Negative(inner) => match inner.get_type(schema) {
            Ok(t) if is_integer(&t) => Ok(Transformed::yes(Expr::ScalarFunction(
                ScalarFunction::new_udf(negate_udf(), vec![*inner]),
            ))),
            Ok(DataType::Null) => Err(user_error(
                "AMBIGUOUS_FUNCTION_CALL",
                "Could not choose a best candidate operator. Explicit type casts must be added.",
            )),
            _ => Ok(Transformed::no(Expr::Negative(inner))),
        },
        // CAST(x AS VARCHAR), as the query rewrite calls it.
        Expr::ScalarFunction(f) if f.func.name() == "athena_varchar" && f.args.len() == 1 => {
            let arg = &f.args[0];
            let json = is_json(arg, schema);
            if let Some(precision) = declared_timestamp_precision(arg, schema) {
                let arg = f.args.into_iter().next().expect("one argument");
                let udf = ScalarUDF::new_from_impl(TimestampText::new(precision));
                return Ok(Transformed::yes(Expr::ScalarFunction(
                    ScalarFunction::new_udf(Arc::new(udf), vec![arg]),
                )));
            }
            match arg.get_type(schema) {
                Ok(_) if json => {
                    let arg = f.args.into_iter().next().expect("one argument");
                    Ok(Transformed::yes(json_cast(arg, DataType::Utf8, false)))
                }
                Ok(DataType::Float32 | DataType::Float64) => {
                    let arg = f.args.into_iter().next().expect("one argument");
                    Ok(Transformed::yes(trino_cast(arg, DataType::Utf8, false)))
                }
                Ok(from) => match forbidden_cast(&from, &DataType::Utf8) {
                    Some(why) => Err(user_error("TYPE_MISMATCH", why)),
                    None => Ok(Transformed::no(Expr::ScalarFunction(f))),
                },
                Err(_) => Ok(Transformed::no(Expr::ScalarFunction(f))),
            }
        }
        other => Ok(Transformed::no(other)),
    }
}

/// The Trino cast of `expr` to `to` in place of DataFusion's, or `None` to keep it;
/// `TYPE_MISMATCH` for the casts Trino has not. `plain` is false for a cast whose target
/// field carries metadata of its own (a tagged type): those stay.
fn replace_cast(
    expr: &Expr,
    to: &DataType,
    plain: bool,
    try_cast: bool,
    schema: &DFSchema,
) -> Result<Option<Expr>> {
    let Ok(from) = expr.get_type(schema) else {
        return Ok(None);
    };
    if !plain {
        return Ok(None);
    }
    // JSON to varchar is `athena_varchar`'s (a cast to Utf8 here is the query rewrite's
    // own, `json_format`).
    if *to != DataType::Utf8 && is_json(expr, schema) {
        if json_target(to) {
            return Ok(Some(json_cast(expr.clone(), to.clone(), try_cast)));
        }
        if matches!(
            to,
            DataType::List(_) | DataType::Map(..) | DataType::Struct(_)
        ) {
            return Err(super::not_supported(format!(
                "casting JSON to {}",
                super::trino_type(to)
            )));
        }
    }
    if let Some(why) = forbidden_cast(&from, to) {
        return Err(user_error("TYPE_MISMATCH", why));
    }
    Ok(needs_trino_cast(&from, to).then(|| trino_cast(expr.clone(), to.clone(), try_cast)))
}

/// The precision of a `timestamp(p)` whose Arrow unit has more digits (its field is
/// tagged with the declared type).
fn declared_timestamp_precision(expr: &Expr, schema: &DFSchema) -> Option<usize> {
    let (_, field) = expr.to_field(schema).ok()?;
    let declared = field.metadata().get(ATHENA_TYPE_KEY)?;
    let p = declared.strip_prefix("timestamp(")?.split_once(')')?.0;
    p.trim().parse().ok()
}

/// Whether `expr` is a JSON value (text tagged `json`).
fn is_json(expr: &Expr, schema: &DFSchema) -> bool {
    expr.to_field(schema).is_ok_and(|(_, field)| {
        field.metadata().get(ATHENA_TYPE_KEY).map(String::as_str) == Some("json")
    })
}

fn negate_udf() -> Arc<ScalarUDF> {
    static NEGATE: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(CheckedNegate::new())));
    Arc::clone(&NEGATE)
}
