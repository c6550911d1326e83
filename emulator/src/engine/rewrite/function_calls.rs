//! Trino functions DataFusion has under another name or shape, rewritten into what it
//! plans: `arbitrary(x)` is `any_value(x)`, `element_at(a, i)` is `array_element`, ...
//! One function per family; each answers `None` for a call it does not rewrite.

use datafusion::sql::sqlparser::ast::{Expr, Function};

use super::ast::{function_name, plain_args, template};
use super::collections::collection_call;
use crate::engine::names::ATHENA_TYPE_KEY;

/// The rewrite of a call of a Trino function (`expr` is the call, `f` its function), or
/// `None` to leave it as it is.
pub(super) fn rewrite_call(expr: &Expr, f: &Function) -> Option<Expr> {
    // Aggregates keep their clauses, OVER included (aggregate_calls.rs).
    if let Some(call) = super::aggregate_calls::rewrite_aggregate(f) {
        return Some(call);
    }
    let name = function_name(&f.name)?;
    if f.over.is_some() {
        return None;
    }
    let args = plain_args(&f.args);
    let a = args.as_deref().unwrap_or(&[]);
    let name = name.as_str();
    collection_call(expr, name, a)
        .or_else(|| date_time_call(name, a))
        .or_else(|| json_call(name, a))
        .or_else(|| string_call(expr, name, a))
        .or_else(|| url_port_call(name, a))
        .or_else(|| math_and_conditional_call(expr, name, a))
}

/// Dates, times, time zones and intervals: rewrite/datetime.rs.
fn date_time_call(name: &str, a: &[Expr]) -> Option<Expr> {
    super::datetime::call(name, a)
}

/// JSON values: the UDFs of `functions/json.rs`, tagged as Athena's `json` type.
fn json_call(name: &str, a: &[Expr]) -> Option<Expr> {
    match (name, a.len()) {
        ("json_parse" | "json_extract" | "json_array_get", _) => template(
            &format!(
                "with_metadata(athena_{name}({}), '{ATHENA_TYPE_KEY}', 'json')",
                (0..a.len())
                    .map(|i| format!("__{i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            a,
        ),
        _ => None,
    }
}

/// Strings, regular expressions, binary values and UUIDs (`rewrite/strings.rs`).
fn string_call(expr: &Expr, name: &str, a: &[Expr]) -> Option<Expr> {
    if let Some(call) = super::strings::own_call(expr, name) {
        return Some(call);
    }
    match (name, a.len()) {
        ("uuid", 0) => template(
            &format!("with_metadata(uuid(), '{ATHENA_TYPE_KEY}', 'uuid')"),
            a,
        ),
        _ => None,
    }
}

/// The port of a URL, as a bigint. (The array functions are
/// `collections::collection_call`; the aggregates `aggregate_calls.rs`.)
fn url_port_call(name: &str, a: &[Expr]) -> Option<Expr> {
    match (name, a.len()) {
        ("url_extract_port", 1) => template("CAST(athena_url_extract_port(__0) AS BIGINT)", a),
        _ => None,
    }
}

/// `if` and `try`. (The mathematical functions are UDFs of their own names:
/// `engine/numbers/math.rs`.)
fn math_and_conditional_call(_expr: &Expr, name: &str, a: &[Expr]) -> Option<Expr> {
    match (name, a.len()) {
        ("if", 2) => template("CASE WHEN __0 THEN __1 END", a),
        ("if", 3) => template("CASE WHEN __0 THEN __1 ELSE __2 END", a),
        // NULL where the argument fails (plan_rules/try_expr.rs).
        ("try", 1) => template("athena_try(__0)", a),
        _ => None,
    }
}
