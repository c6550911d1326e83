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
//! And results that would not have Trino's precision: DataFusion's own functions,
//! aggregates and UNION drop or mix up a precision Arrow's unit does not say
//! (`timestamp(1)` held in milliseconds, the 1 in the field's metadata), or widen a date
//! to nanoseconds, and the value would show other digits than Trino's. Such results are
//! refused.

use std::sync::Arc;

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
            if let LogicalPlan::Union(union) = node {
                union_keeps_precision(union)?;
            }
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

/// Whether two kinds are the same type but for the precision (a date counts as a
/// timestamp(0), as Trino coerces it).
fn same_base(a: &Kind, b: &Kind) -> bool {
    matches!(
        (a, b),
        (
            Kind::Timestamp(_) | Kind::Date,
            Kind::Timestamp(_) | Kind::Date
        ) | (Kind::TimestampTz(..), Kind::TimestampTz(..))
            | (Kind::Time(_), Kind::Time(_))
    )
}

/// The date/time values an expression's result is made of: its columns and the
/// emulator's functions, through CASE's results (not its conditions) and other
/// expressions' arguments.
fn value_inputs(e: &Expr, schema: &DFSchema, out: &mut Vec<Kind>) {
    if matches!(e, Expr::Column(_)) || is_own_function(e) {
        if let Ok((_, field)) = e.to_field(schema)
            && let Some(kind) = Kind::of_field(&field)
        {
            out.push(kind);
        }
        return;
    }
    if let Expr::Case(case) = e {
        for (_, then) in &case.when_then_expr {
            value_inputs(then, schema, out);
        }
        if let Some(other) = &case.else_expr {
            value_inputs(other, schema, out);
        }
        return;
    }
    let _ = e.apply_children(|child| {
        value_inputs(child, schema, out);
        Ok(TreeNodeRecursion::Continue)
    });
}

/// Fails a result expression whose time or timestamp would not have Trino's precision:
/// the largest of the values it is made of (DataFusion's functions and aggregates drop a
/// precision kept in metadata, or widen a date to nanoseconds), and one holding values
/// of a precision a list or row cannot keep. Columns and the emulator's own functions
/// have their precisions.
fn keeps_precision(expr: &Expr, schema: &DFSchema) -> Result<()> {
    let mut e = expr;
    while let Expr::Alias(alias) = e {
        e = &alias.expr;
    }
    // Casts are coercions here (a query's own casts are the emulator's functions); a
    // UNION's are checked with the UNION.
    if matches!(
        e,
        Expr::Column(_) | Expr::Literal(..) | Expr::Cast(_) | Expr::TryCast(_)
    ) || is_own_function(e)
    {
        return Ok(());
    }
    let Ok((_, out)) = e.to_field(schema) else {
        return Ok(());
    };
    if !holds_time(out.data_type()) {
        return Ok(());
    }
    let mut inputs = Vec::new();
    value_inputs(e, schema, &mut inputs);
    let lost = match Kind::of_field(&out) {
        Some(kind) if kind.precision().is_some() => {
            let expected = inputs
                .iter()
                .filter(|k| same_base(k, &kind))
                .map(|k| k.precision().unwrap_or(0))
                .max();
            match expected {
                Some(p) if Some(p) != kind.precision() => Some(kind.with_precision(p)),
                _ => None,
            }
        }
        // A list, map or row: its elements keep no precision of their own.
        _ => inputs.into_iter().find(|k| {
            k.precision()
                .is_some_and(|p| p != super::types::unit_digits(super::types::unit_of(p)))
        }),
    };
    match lost {
        Some(kind) => Err(not_supported(format!(
            "{} values through {} (the result would not keep the precision)",
            kind.trino_name(),
            describe(e)
        ))),
        None => Ok(()),
    }
}

/// Fails a UNION whose date/time column would not have Trino's type: the largest
/// precision of its inputs (a date and a timestamp make a timestamp). DataFusion widens
/// units itself (a date and a timestamp(0) make nanoseconds), and merges the inputs'
/// metadata, where a precision the unit does not say is kept, in an order that depends
/// on the inputs: when inputs carry such precisions they must all be the one expected.
fn union_keeps_precision(union: &datafusion::logical_expr::Union) -> Result<()> {
    for (i, field) in union.schema.fields().iter().enumerate() {
        let Some(out) = Kind::of_type(field.data_type(), None) else {
            continue;
        };
        let Some(unit_p) = out.precision() else {
            continue;
        };
        let mut expected: Option<u8> = None;
        let mut carried = Vec::new();
        let mut precisions = Vec::new();
        for input in &union.inputs {
            // The input's value as its expression makes it (DataFusion's coercion has
            // already merged the inputs' metadata into their schemas), and the value
            // before the cast the coercion puts over it.
            let (field, source) = match input.as_ref() {
                LogicalPlan::Projection(p) => {
                    let expr = &p.expr[i];
                    let field = expr.to_field(p.input.schema()).ok().map(|(_, f)| f);
                    let mut e = expr;
                    while let Expr::Alias(a) = e {
                        e = &a.expr;
                    }
                    let source = match e {
                        Expr::Cast(Cast { expr, .. }) | Expr::TryCast(TryCast { expr, .. }) => {
                            expr.to_field(p.input.schema()).ok().map(|(_, f)| f)
                        }
                        _ => field.clone(),
                    };
                    (field, source)
                }
                other => {
                    let f = Arc::clone(&other.schema().fields()[i]);
                    (Some(Arc::clone(&f)), Some(f))
                }
            };
            if let Some(kind) = source.and_then(|f| Kind::of_field(&f))
                && same_base(&kind, &out)
            {
                let p = kind.precision().unwrap_or(0);
                expected = Some(expected.map_or(p, |e| e.max(p)));
            }
            let field = field.unwrap_or_else(|| Arc::clone(&input.schema().fields()[i]));
            if let Some(p) = field
                .metadata()
                .get(crate::engine::names::ATHENA_TYPE_KEY)
                .and_then(|t| super::types::declared_precision(t))
            {
                carried.push(p);
            }
            precisions.push(Kind::of_field(&field).and_then(|k| k.precision()));
        }
        let Some(expected) = expected else {
            continue;
        };
        let keeps = if carried.is_empty() {
            unit_p == expected
        } else {
            carried.iter().all(|p| *p == expected)
                && precisions.iter().all(|p| *p == Some(expected))
        };
        if !keeps {
            return Err(not_supported(format!(
                "UNION of {} values of different precisions (the result would not keep Trino's)",
                out.with_precision(expected).trino_name()
            )));
        }
    }
    Ok(())
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
/// themselves (the emulator's other functions, `athena_array` among them, keep no
/// precision the unit does not say, as DataFusion's do not).
fn is_own_function(e: &Expr) -> bool {
    static DATE_TIME: std::sync::LazyLock<std::collections::HashSet<String>> =
        std::sync::LazyLock::new(|| {
            super::udfs()
                .iter()
                .map(|udf| udf.name().to_owned())
                .collect()
        });
    matches!(e, Expr::ScalarFunction(f)
        if DATE_TIME.contains(f.name()) || f.name() == "with_metadata")
}
