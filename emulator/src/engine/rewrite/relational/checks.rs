//! Checks of what Trino refuses as written: syntax of other dialects, window
//! functions without OVER or with constant arguments out of range, set operations
//! the emulator refuses, and aggregates whose maps it cannot order as Trino within a
//! GROUP BY.

use super::*;

/// Syntax Trino does not have, and calls Trino refuses as written.
pub(super) fn check_expr(expr: &Expr) -> Result<(), QueryError> {
    match expr {
        Expr::IsTrue(_)
        | Expr::IsNotTrue(_)
        | Expr::IsFalse(_)
        | Expr::IsNotFalse(_)
        | Expr::IsUnknown(_)
        | Expr::IsNotUnknown(_) => Err(syntax_error(
            "mismatched input. Expecting: 'DISTINCT', 'NOT', 'NULL' (Trino has no IS TRUE, IS FALSE or IS UNKNOWN)",
        )),
        Expr::ILike { .. } => Err(syntax_error("mismatched input 'ILIKE'")),
        Expr::SimilarTo { .. } => Err(syntax_error("mismatched input 'SIMILAR'")),
        Expr::RLike { .. } => Err(syntax_error("mismatched input 'RLIKE'")),
        Expr::Like { any: true, .. } => Err(syntax_error("mismatched input 'ANY'")),
        Expr::BinaryOp {
            op: datafusion::sql::sqlparser::ast::BinaryOperator::Spaceship,
            ..
        } => Err(syntax_error("mismatched input '>'")),
        Expr::InSubquery { expr, .. } if matches!(expr.as_ref(), Expr::Tuple(_)) => Err(
            not_supported("IN with a row of values and a subquery ((a, b) IN (SELECT ...))"),
        ),
        Expr::Function(f) if f.over.is_some() && f.filter.is_some() => Err(QueryError::user(
            "NOT_SUPPORTED: FILTER is not yet supported for window functions",
        )),
        Expr::Function(f) => check_call(f),
        _ => Ok(()),
    }
}

/// Functions Trino evaluates only as windows, which need an OVER clause.
pub(super) const WINDOW_ONLY: &[&str] = &[
    "cume_dist",
    "dense_rank",
    "first_value",
    "lag",
    "last_value",
    "lead",
    "nth_value",
    "ntile",
    "percent_rank",
    "rank",
    "row_number",
];

/// A call of a window function: it has an OVER clause, and its constant arguments are in
/// range (Trino checks them when the window runs; a constant fails on the first row).
pub(super) fn check_call(f: &Function) -> Result<(), QueryError> {
    let Some(name) = function_name(&f.name) else {
        return Ok(());
    };
    if name == "listagg" {
        return crate::engine::rewrite::aggregate_calls::check_listagg(f);
    }
    if MAP_AGGREGATES.contains(&name.as_str()) && f.over.is_some() {
        return Err(not_supported(&format!("{name} as a window function")));
    }
    // A bare NULL (Trino's `unknown`) fits every `sum` and `avg`, and none best.
    if matches!(name.as_str(), "sum" | "avg")
        && matches!(positional_args(&f.args).as_slice(), [Expr::Value(v)] if matches!(v.value, Value::Null))
    {
        return Err(QueryError::user(
            "AMBIGUOUS_FUNCTION_CALL: Could not choose a best candidate operator. Explicit type casts must be added.",
        ));
    }
    if !WINDOW_ONLY.contains(&name.as_str()) {
        return Ok(());
    }
    if f.over.is_none() {
        return Err(QueryError::user(format!(
            "MISSING_OVER: Window function system.builtin.{name} requires an OVER clause"
        )));
    }
    let args = positional_args(&f.args);
    let invalid = |message: &str| {
        Err(QueryError::user(format!(
            "INVALID_FUNCTION_ARGUMENT: {message}"
        )))
    };
    match (name.as_str(), args.as_slice()) {
        ("lag" | "lead", [_, offset, ..]) => match literal_number(offset) {
            Some(n) if n.starts_with('-') => invalid("Offset must be at least 0"),
            _ => Ok(()),
        },
        ("nth_value", [_, offset]) => {
            match literal_number(offset).and_then(|n| n.parse::<i64>().ok()) {
                Some(n) if n < 1 => invalid("Offset must be at least 1"),
                _ => Ok(()),
            }
        }
        ("ntile", [buckets]) => match literal_number(buckets).and_then(|n| n.parse::<i64>().ok()) {
            Some(n) if n < 1 => invalid("Buckets must be greater than 0"),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Trino refuses a `grouping()` in ORDER BY whose arguments name output columns.
pub(super) fn check_grouping_in_order_by(query: &Query) -> Result<(), QueryError> {
    let Some(order_by) = &query.order_by else {
        return Ok(());
    };
    let OrderByKind::Expressions(items) = &order_by.kind else {
        return Ok(());
    };
    let SetExpr::Select(select) = query.body.as_ref() else {
        return Ok(());
    };
    let outputs: Vec<String> = select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.to_ascii_lowercase()),
            SelectItem::UnnamedExpr(Expr::Identifier(id)) => Some(id.value.to_ascii_lowercase()),
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => {
                parts.last().map(|p| p.value.to_ascii_lowercase())
            }
            _ => None,
        })
        .collect();
    for item in items {
        let mut expr = item.expr.clone();
        let mut bad = false;
        let _ = datafusion::sql::sqlparser::ast::visit_expressions_mut(
            &mut expr,
            |e: &mut Expr| {
                if let Expr::Function(f) = e
                && function_name(&f.name).as_deref() == Some("grouping")
                && positional_args(&f.args).iter().any(|a| {
                    matches!(a, Expr::Identifier(id) if outputs.contains(&id.value.to_ascii_lowercase()))
                })
            {
                bad = true;
                return ControlFlow::Break(());
            }
                ControlFlow::Continue(())
            },
        );
        if bad {
            return Err(QueryError::user(
                "INVALID_ARGUMENTS: Invalid reference to output of SELECT clause from grouping() expression in ORDER BY",
            ));
        }
    }
    Ok(())
}

/// The aggregates whose maps list their entries in the order of Trino's hash table
/// (`functions/aggregates/maps.rs`).
pub(super) const MAP_AGGREGATES: &[&str] = &["histogram", "map_agg", "multimap_agg"];

/// Within a GROUP BY, Trino lists a group's entries in an order that depends on how its
/// partial states arrive: refused there (a grouping of the whole input, `GROUP BY ()`,
/// is the global aggregation the emulator reproduces).
pub(super) fn check_map_aggregates(select: &Select) -> Result<(), QueryError> {
    let grouped = match &select.group_by {
        GroupByExpr::Expressions(exprs, _) => !exprs.iter().all(is_empty_tuple),
        GroupByExpr::All(_) => true,
    };
    if !grouped {
        return Ok(());
    }
    let exprs = select
        .projection
        .iter()
        .filter_map(|i| match i {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
            _ => None,
        })
        .chain(select.having.iter());
    for e in exprs {
        let found = find_call(e, &|name| MAP_AGGREGATES.contains(&name));
        if let Some(name) = found {
            return Err(not_supported(&format!("{name} with GROUP BY")));
        }
    }
    Ok(())
}

/// SELECT syntax of other dialects that sqlparser accepts and Trino does not: DISTINCT
/// ON, TOP, QUALIFY, `*` EXCEPT/EXCLUDE/REPLACE/RENAME/ILIKE, GROUP BY ... WITH ROLLUP.
pub(super) fn check_select_syntax(select: &Select) -> Result<(), QueryError> {
    if matches!(
        select.distinct,
        Some(datafusion::sql::sqlparser::ast::Distinct::On(_))
    ) {
        return Err(syntax_error(
            "mismatched input 'ON'. Expecting: '*', <expression>",
        ));
    }
    if select.top.is_some() {
        return Err(syntax_error("mismatched input 'TOP'"));
    }
    if select.qualify.is_some() {
        return Err(syntax_error("mismatched input 'QUALIFY'"));
    }
    let wildcard_options = |o: &datafusion::sql::sqlparser::ast::WildcardAdditionalOptions| {
        o.opt_exclude.is_some()
            || o.opt_except.is_some()
            || o.opt_replace.is_some()
            || o.opt_rename.is_some()
            || o.opt_ilike.is_some()
    };
    if select.projection.iter().any(|item| match item {
        SelectItem::Wildcard(o) | SelectItem::QualifiedWildcard(_, o) => wildcard_options(o),
        _ => false,
    }) {
        return Err(syntax_error(
            "mismatched input after '*'. Expecting: ',', 'FROM' (Trino has no * EXCEPT, EXCLUDE, REPLACE or RENAME)",
        ));
    }
    if let GroupByExpr::Expressions(_, modifiers) = &select.group_by
        && !modifiers.is_empty()
    {
        return Err(syntax_error("mismatched input 'WITH'"));
    }
    Ok(())
}
