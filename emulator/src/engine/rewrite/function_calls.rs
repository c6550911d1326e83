//! Trino functions DataFusion has under another name or shape, rewritten into what it
//! plans: `arbitrary(x)` is `any_value(x)`, `date_add('day', n, d)` is `d + INTERVAL`, ...
//! One function per family; each answers `None` for a call it does not rewrite.

use datafusion::sql::sqlparser::ast::{DataType, Expr, Function};

use super::ast::{cast, function_name, int_literal, plain_args, renamed, string_literal, template};
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
    date_time_call(name, a)
        .or_else(|| date_field_call(name, a))
        .or_else(|| json_call(name, a))
        .or_else(|| string_call(expr, name, a))
        .or_else(|| aggregate_and_array_call(expr, name, a))
        .or_else(|| math_and_conditional_call(expr, name, a))
}

/// Clocks, conversions from and to text and epochs, and date arithmetic.
fn date_time_call(name: &str, a: &[Expr]) -> Option<Expr> {
    match (name, a.len()) {
        ("now" | "current_timestamp", 0) => {
            template("arrow_cast(now(), 'Timestamp(ms, \"UTC\")')", a)
        }
        ("at_timezone", 2) => template("athena_at_timezone(__0, __1)", a),
        ("localtimestamp", 0) => template("CAST(now() AS TIMESTAMP(3))", a),
        ("current_timezone", 0) => template("'UTC'", a),
        ("from_unixtime", 1) => template(
            "arrow_cast(to_timestamp_millis(CAST(__0 * 1000 AS BIGINT)), 'Timestamp(ms, \"UTC\")')",
            a,
        ),
        ("to_unixtime", 1) => template("CAST(date_part('epoch', __0) AS DOUBLE)", a),
        ("from_iso8601_timestamp", 1) => template("CAST(__0 AS TIMESTAMP(3))", a),
        ("from_iso8601_date", 1) => template("CAST(__0 AS DATE)", a),
        ("date_format", 2) => {
            let fmt = mysql_to_chrono(string_literal(&a[1])?);
            let fmt = fmt.replace('\'', "''");
            template(&format!("to_char(__0, '{fmt}')"), a)
        }
        ("date_parse", 2) => {
            let fmt = mysql_to_chrono(string_literal(&a[1])?);
            let fmt = fmt.replace('\'', "''");
            template(
                &format!("CAST(to_timestamp(__0, '{fmt}') AS TIMESTAMP(3))"),
                a,
            )
        }
        ("date_add", 3) => {
            let unit = interval_unit(string_literal(&a[0])?)?;
            match int_literal(&a[1]) {
                Some(n) => template(&format!("__2 + INTERVAL '{n} {unit}'"), a),
                None => template(&format!("__2 + __1 * INTERVAL '1 {unit}'"), a),
            }
        }
        ("date_diff", 3) => {
            let unit = string_literal(&a[0])?.to_ascii_lowercase();
            let secs = match unit.as_str() {
                "millisecond" => "* 1000",
                "second" => "",
                "minute" => "/ 60",
                "hour" => "/ 3600",
                "day" => "/ 86400",
                "week" => "/ 604800",
                _ => return None,
            };
            template(
                &format!(
                    "CAST(trunc((date_part('epoch', CAST(__2 AS TIMESTAMP)) - date_part('epoch', CAST(__1 AS TIMESTAMP))) {secs}) AS BIGINT)"
                ),
                a,
            )
        }
        _ => None,
    }
}

/// `year(x)`, `day_of_week(x)`, ...: one field of a date or timestamp, as a bigint.
fn date_field_call(name: &str, a: &[Expr]) -> Option<Expr> {
    match (name, a.len()) {
        (
            "year" | "quarter" | "month" | "week" | "day" | "hour" | "minute" | "second"
            | "day_of_month" | "day_of_year" | "doy" | "millisecond",
            1,
        ) => {
            let unit = match name {
                "day_of_month" => "day",
                "day_of_year" | "doy" => "doy",
                "millisecond" => "millisecond",
                other => other,
            };
            template(&format!("CAST(date_part('{unit}', __0) AS BIGINT)"), a)
        }
        ("day_of_week" | "dow", 1) => template(
            "CAST(((CAST(date_part('dow', __0) AS BIGINT) + 6) % 7) + 1 AS BIGINT)",
            a,
        ),
        _ => None,
    }
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

/// Array functions.
fn aggregate_and_array_call(expr: &Expr, name: &str, a: &[Expr]) -> Option<Expr> {
    match (name, a.len()) {
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
        // NULL where the argument fails (plan_rules/try_expr.rs).
        ("try", 1) => template("athena_try(__0)", a),
        _ => None,
    }
}

/// Converts a Trino/MySQL `date_format` pattern (`%Y-%m-%d %H:%i:%s`) to chrono's.
fn mysql_to_chrono(fmt: &str) -> String {
    let mut out = String::with_capacity(fmt.len());
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(d) = chars.next() else {
            out.push('%');
            break;
        };
        let mapped = match d {
            'a' => "%a",
            'b' => "%b",
            'c' => "%-m",
            'd' => "%d",
            'e' => "%-d",
            'f' => "%6f",
            'H' | 'k' => "%H",
            'h' | 'I' | 'l' => "%I",
            'i' => "%M",
            'j' => "%j",
            'M' => "%B",
            'm' => "%m",
            'p' => "%p",
            'r' => "%I:%M:%S %p",
            'S' | 's' => "%S",
            'T' => "%H:%M:%S",
            'W' => "%A",
            'Y' => "%Y",
            'y' => "%y",
            '%' => "%%",
            _ => "",
        };
        if mapped.is_empty() {
            out.push(d);
        } else {
            out.push_str(mapped);
        }
    }
    out
}

/// The INTERVAL unit of a `date_add` unit (`quarter` has none).
fn interval_unit(unit: &str) -> Option<&'static str> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "millisecond" => "millisecond",
        "second" => "second",
        "minute" => "minute",
        "hour" => "hour",
        "day" => "day",
        "week" => "week",
        "month" => "month",
        "quarter" => return None,
        "year" => "year",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mysql_formats_become_chrono() {
        assert_eq!(mysql_to_chrono("%Y-%m-%d %H:%i:%s"), "%Y-%m-%d %H:%M:%S");
        assert_eq!(mysql_to_chrono("100%%"), "100%%");
    }
}
