//! Casts the emulator must not let through, checked on the planned query (where the
//! types of the casts' operands are known):
//!
//! - a date, time, timestamp or interval to a number or a boolean: Trino has no such
//!   cast (`CAST(DATE '2024-01-02' AS INTEGER)` fails with TYPE_MISMATCH; DataFusion
//!   would answer the day number);
//! - text to a date/time type or back, made by DataFusion's coercion (the emulator's
//!   own casts are functions): Trino coerces neither way, so `date_col = '2024-01-01'`
//!   fails with TYPE_MISMATCH and `length(DATE '2024-01-01')` with FUNCTION_NOT_FOUND,
//!   as on Athena;
//! - a zoned timestamp to another zone where values of different zones meet in one
//!   column (VALUES, UNION, CASE, COALESCE): Trino keeps each value's zone, an Arrow
//!   column has one, so the emulator would show some values in another zone. Such
//!   queries are refused; comparisons, which only compare instants, are fine.
//!
//! And results that would lose a precision Arrow's unit does not say (`timestamp(1)`
//! held in milliseconds, the 1 in the field's metadata): DataFusion's own functions and
//! aggregates (`max`, `CASE`, `ARRAY[...]`) drop the metadata, and the value would show
//! three digits where Trino shows one. Such results are refused.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr::{Cast, TryCast};
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, Operator};
use datafusion::optimizer::AnalyzerRule;

use super::types::Kind;
use super::udf::{not_supported, trino_error};
use crate::engine::functions::trino_type_name;

/// The analyzer rule.
#[derive(Debug)]
pub(crate) struct TemporalCasts;

impl AnalyzerRule for TemporalCasts {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.apply_with_subqueries(|node| {
            let inputs = node.inputs();
            let schema: DFSchema = if inputs.is_empty() {
                node.schema().as_ref().clone()
            } else {
                merge_schema(&inputs)
            };
            let results = matches!(
                node,
                LogicalPlan::Projection(_) | LogicalPlan::Aggregate(_) | LogicalPlan::Window(_)
            );
            node.apply_expressions(|expr| {
                visit(expr, Place::Other, &schema)?;
                if results {
                    keeps_precision(expr, &schema)?;
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })?;
        Ok(plan)
    }

    fn name(&self) -> &str {
        "athena_temporal_casts"
    }
}

/// Where an expression is: an operand of a comparison, an argument of a function, or
/// elsewhere.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Compared,
    Argument,
    Other,
}

/// Checks the casts of `expr` and below.
fn visit(expr: &Expr, place: Place, schema: &DFSchema) -> Result<()> {
    match expr {
        Expr::Cast(Cast {
            expr: operand,
            field,
        }) => check(operand, field.data_type(), place, false, schema)?,
        Expr::TryCast(TryCast {
            expr: operand,
            field,
        }) => check(operand, field.data_type(), place, true, schema)?,
        _ => {}
    }
    let comparison = match expr {
        Expr::BinaryExpr(b) => matches!(
            b.op,
            Operator::Eq
                | Operator::NotEq
                | Operator::Lt
                | Operator::LtEq
                | Operator::Gt
                | Operator::GtEq
                | Operator::IsDistinctFrom
                | Operator::IsNotDistinctFrom
        ),
        Expr::Between(_) | Expr::InList(_) => true,
        _ => false,
    };
    let place = if comparison {
        Place::Compared
    } else if matches!(expr, Expr::ScalarFunction(_) | Expr::AggregateFunction(_)) {
        Place::Argument
    } else {
        Place::Other
    };
    expr.apply_children(|child| {
        visit(child, place, schema)?;
        Ok(TreeNodeRecursion::Continue)
    })?;
    Ok(())
}

/// Fails a cast of a date/time value to a number or a boolean, and one that moves
/// zoned timestamps to another zone outside a comparison.
///
/// A TRY_CAST from text is a text table's reading of its files (the emulator's own
/// TRY_CASTs are functions), not a coercion.
fn check(
    operand: &Expr,
    target: &DataType,
    place: Place,
    try_cast: bool,
    schema: &DFSchema,
) -> Result<()> {
    // Expressions that do not resolve here (outer references) are not this rule's.
    let Ok((_, field)) = operand.to_field(schema) else {
        return Ok(());
    };
    if let (DataType::Timestamp(_, Some(from)), DataType::Timestamp(_, Some(to))) =
        (field.data_type(), target)
        && from != to
        && place != Place::Compared
    {
        return Err(not_supported(format!(
            "a column of timestamp with time zone values in different time zones ({from}, {to})"
        )));
    }
    let text =
        |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    let source_kind = Kind::of_field(&field);
    let target_kind = Kind::of_type(target, None);
    if text(field.data_type()) && target_kind.is_some() && !try_cast {
        return Err(trino_error(
            "TYPE_MISMATCH",
            format!(
                "Cannot coerce varchar to {}",
                target_kind.map(|k| k.trino_name()).unwrap_or_default()
            ),
        ));
    }
    if let Some(kind) = &source_kind
        && text(target)
    {
        let name = if place == Place::Argument {
            "FUNCTION_NOT_FOUND"
        } else {
            "TYPE_MISMATCH"
        };
        return Err(trino_error(
            name,
            format!(
                "Unexpected parameters ({}): a {} is not a varchar",
                kind.trino_name(),
                kind.trino_name()
            ),
        ));
    }
    if !(target.is_numeric() || matches!(target, DataType::Boolean)) {
        return Ok(());
    }
    match Kind::of_field(&field) {
        Some(kind) => Err(trino_error(
            "TYPE_MISMATCH",
            format!(
                "Cannot cast {} to {}",
                kind.trino_name(),
                trino_type_name(target)
            ),
        )),
        None => Ok(()),
    }
}

/// Whether a type is or holds a timestamp or time.
fn holds_time(data_type: &DataType) -> bool {
    match data_type {
        DataType::Timestamp(..) | DataType::Time32(_) | DataType::Time64(_) => true,
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            holds_time(f.data_type())
        }
        DataType::Map(f, _) => holds_time(f.data_type()),
        DataType::Struct(fields) => fields.iter().any(|f| holds_time(f.data_type())),
        _ => false,
    }
}

/// The precision of a field the Arrow unit does not say (`timestamp(1)`), if it has one.
fn odd_precision(field: &datafusion::arrow::datatypes::Field) -> Option<Kind> {
    let kind = Kind::of_field(field)?;
    let p = kind.precision()?;
    let unit_digits = match field.data_type() {
        DataType::Timestamp(unit, _) | DataType::Time32(unit) | DataType::Time64(unit) => {
            super::types::unit_digits(*unit)
        }
        _ => return None,
    };
    (p != unit_digits).then_some(kind)
}

/// Fails a result expression that takes a value of an odd precision and gives a time or
/// timestamp without it. Columns and the emulator's own functions keep precisions.
fn keeps_precision(expr: &Expr, schema: &DFSchema) -> Result<()> {
    let mut e = expr;
    while let Expr::Alias(alias) = e {
        e = &alias.expr;
    }
    if matches!(e, Expr::Column(_) | Expr::Literal(..)) || is_own_function(e) {
        return Ok(());
    }
    let Ok((_, out)) = e.to_field(schema) else {
        return Ok(());
    };
    if !holds_time(out.data_type()) || odd_precision(&out).is_some() {
        return Ok(());
    }
    let mut lost = None;
    e.apply(|sub| {
        if matches!(sub, Expr::Column(_)) || is_own_function(sub) {
            if let Ok((_, field)) = sub.to_field(schema)
                && let Some(kind) = odd_precision(&field)
            {
                lost = Some(kind);
                return Ok(TreeNodeRecursion::Stop);
            }
            return Ok(TreeNodeRecursion::Jump);
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    match lost {
        Some(kind) => Err(not_supported(format!(
            "{} values through {} (the result would lose the precision)",
            kind.trino_name(),
            describe(e)
        ))),
        None => Ok(()),
    }
}

/// What an expression is, for messages: `max`, `CASE`, ...
fn describe(e: &Expr) -> String {
    match e {
        Expr::ScalarFunction(f) => format!("{}()", f.name()),
        Expr::AggregateFunction(f) => format!("{}()", f.func.name()),
        Expr::WindowFunction(f) => format!("{}()", f.fun.name()),
        Expr::Case(_) => "CASE".to_owned(),
        Expr::Cast(_) | Expr::TryCast(_) => "CAST".to_owned(),
        _ => "an expression".to_owned(),
    }
}

/// A call of one of the emulator's date/time functions, which set precisions
/// themselves.
fn is_own_function(e: &Expr) -> bool {
    matches!(e, Expr::ScalarFunction(f) if f.name().starts_with("athena_") || f.name() == "with_metadata")
}
