//! Trino functions DataFusion has under another name or shape, rewritten into what it
//! plans: `arbitrary(x)` is `any_value(x)`, `element_at(a, i)` is `array_element`, ...
//! One function per family; each answers `None` for a call it does not rewrite.

use datafusion::sql::sqlparser::ast::{DataType, Expr, Function};

use super::ast::{cast, function_name, int_literal, plain_args, renamed, template};
use crate::engine::names::ATHENA_TYPE_KEY;

/// The rewrite of a call of a Trino function (`expr` is the call, `f` its function), or
/// `None` to leave it as it is.
pub(super) fn rewrite_call(expr: &Expr, f: &Function) -> Option<Expr> {
    let name = function_name(&f.name)?;
    if f.over.is_some() {
        return None;
    }
    let args = plain_args(&f.args);
    let a = args.as_deref().unwrap_or(&[]);
    let name = name.as_str();
    date_time_call(name, a)
        .or_else(|| json_call(name, a))
        .or_else(|| string_call(expr, name, a))
        .or_else(|| aggregate_and_array_call(expr, name, a))
        .or_else(|| math_and_conditional_call(expr, name, a))
}

/// Dates, times, time zones and intervals: rewrite/datetime.rs.
fn date_time_call(name: &str, a: &[Expr]) -> Option<Expr> {
    super::datetime::call(name, a)
}

/// JSON values: the UDFs of `functions/json.rs`, tagged as Athena's `json` type.
fn json_call(name: &str, a: &[Expr]) -> Option<Expr> {
    match (name, a.len()) {
        ("json_parse", 1) => template(
            &format!("with_metadata(athena_json_parse(__0), '{ATHENA_TYPE_KEY}', 'json')"),
            a,
        ),
        ("json_format", 1) => template("CAST(__0 AS VARCHAR)", a),
        ("json_extract", 2) => template(
            &format!("with_metadata(athena_json_extract(__0, __1), '{ATHENA_TYPE_KEY}', 'json')"),
            a,
        ),
        _ => None,
    }
}

/// Strings, regular expressions, UTF-8 and UUIDs.
fn string_call(expr: &Expr, name: &str, a: &[Expr]) -> Option<Expr> {
    match (name, a.len()) {
        ("length" | "strpos" | "char_length" | "levenshtein_distance", _) => {
            let inner = if name == "levenshtein_distance" {
                renamed(expr, "levenshtein")
            } else if name == "length" {
                renamed(expr, "character_length")
            } else {
                expr.clone()
            };
            Some(cast(inner, DataType::BigInt(None)))
        }
        ("split", 2) => Some(renamed(expr, "string_to_array")),
        ("codepoint", _) => Some(renamed(expr, "ascii")),
        ("to_utf8", 1) => template("CAST(__0 AS BYTEA)", a),
        ("from_utf8", 1) => template("CAST(__0 AS VARCHAR)", a),
        ("replace", 2) => template("replace(__0, __1, '')", a),
        ("regexp_replace", 2) => template("regexp_replace(__0, __1, '', 'g')", a),
        ("regexp_replace", 3) => template("regexp_replace(__0, __1, __2, 'g')", a),
        ("regexp_extract", 2) => template(
            "array_element(regexp_match(__0, concat('(', __1, ')')), 1)",
            a,
        ),
        ("regexp_extract", 3) => {
            let group = int_literal(&a[2])?;
            template(
                &format!(
                    "array_element(regexp_match(__0, concat('(', __1, ')')), {})",
                    group + 1
                ),
                a,
            )
        }
        ("uuid", 0) => template(
            &format!("with_metadata(uuid(), '{ATHENA_TYPE_KEY}', 'uuid')"),
            a,
        ),
        _ => None,
    }
}

/// Aggregates and array functions.
fn aggregate_and_array_call(expr: &Expr, name: &str, a: &[Expr]) -> Option<Expr> {
    match (name, a.len()) {
        ("arbitrary", _) => Some(renamed(expr, "any_value")),
        ("every", _) => Some(renamed(expr, "bool_and")),
        ("count_if", 1) => template("COUNT(CASE WHEN __0 THEN 1 END)", a),
        ("max_by", 2) => template("first_value(__0 ORDER BY __1 DESC NULLS LAST)", a),
        ("min_by", 2) => template("first_value(__0 ORDER BY __1 ASC NULLS LAST)", a),
        ("approx_percentile", 2) => template("approx_percentile_cont(__0, CAST(__1 AS DOUBLE))", a),
        ("element_at", 2) => Some(renamed(expr, "array_element")),
        ("slice", 3) => template("array_slice(__0, __1, __1 + __2 - 1)", a),
        ("array_join", _) => Some(renamed(expr, "array_to_string")),
        ("contains", 2) => Some(renamed(expr, "array_has")),
        ("url_extract_port", 1) => template("CAST(athena_url_extract_port(__0) AS BIGINT)", a),
        // Trino puts NULLs last; DataFusion's default is NULLS FIRST.
        ("array_sort", 1) => template("array_sort(__0, 'ASC', 'NULLS LAST')", a),
        // DataFusion's array_sort takes a direction, not a comparator.
        ("array_sort", 2) if matches!(a[1], Expr::Lambda(_)) => {
            Some(renamed(expr, "athena_array_sort"))
        }
        _ => None,
    }
}

/// Numbers, `if` and `try`.
fn math_and_conditional_call(expr: &Expr, name: &str, a: &[Expr]) -> Option<Expr> {
    match (name, a.len()) {
        ("rand" | "random", 0) => template("random()", a),
        ("rand" | "random", 1) => template("CAST(floor(random() * __0) AS BIGINT)", a),
        ("is_nan", _) => Some(renamed(expr, "isnan")),
        ("truncate", 1) => Some(renamed(expr, "trunc")),
        ("ceiling", _) => Some(renamed(expr, "ceil")),
        ("sign", _) => Some(renamed(expr, "signum")),
        ("mod", 2) => template("__0 % __1", a),
        ("infinity", 0) => template("CAST('Infinity' AS DOUBLE)", a),
        ("nan", 0) => template("CAST('NaN' AS DOUBLE)", a),
        ("if", 2) => template("CASE WHEN __0 THEN __1 END", a),
        ("if", 3) => template("CASE WHEN __0 THEN __1 ELSE __2 END", a),
        ("try", 1) => Some(Expr::Nested(Box::new(a[0].clone()))),
        _ => None,
    }
}
