//! Trino's LIKE as DataFusion's: `%` and `_` only, no escape character unless ESCAPE
//! names one.

use super::*;

/// Trino's LIKE: `%` and `_` are the only special characters unless `ESCAPE` names an
/// escape character, which must then be followed by `%`, `_` or itself. DataFusion
/// always escapes with a backslash, so the pattern is rewritten into that form: a
/// literal backslash doubled, the ESCAPE character turned into a backslash.
pub(super) fn like(
    negated: bool,
    value: &Expr,
    pattern: &Expr,
    escape: Option<&ValueWithSpan>,
) -> Result<Expr, QueryError> {
    let escape = match escape.map(|v| &v.value) {
        None => None,
        Some(Value::Null) => {
            return Ok(template("CAST(NULL AS BOOLEAN)", &[]).unwrap_or(Expr::value(Value::Null)));
        }
        Some(Value::SingleQuotedString(s)) => {
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => {
                    return Err(QueryError::user(
                        "INVALID_FUNCTION_ARGUMENT: Escape string must be a single character",
                    ));
                }
            }
        }
        Some(_) => return Err(not_supported("An ESCAPE character that is not a literal")),
    };
    let pattern = match (pattern_literal(pattern), escape) {
        (Some(text), _) => Expr::value(Value::SingleQuotedString(like_pattern(&text, escape)?)),
        (None, None) => template("replace(__0, '\\', '\\\\')", std::slice::from_ref(pattern))
            .unwrap_or_else(|| pattern.clone()),
        (None, Some(_)) => {
            return Err(not_supported(
                "LIKE with ESCAPE on a pattern that is not a literal",
            ));
        }
    };
    Ok(Expr::Like {
        negated,
        any: false,
        expr: Box::new(value.clone()),
        pattern: Box::new(pattern),
        escape_char: None,
    })
}

pub(super) fn pattern_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        Expr::Nested(e) => pattern_literal(e),
        _ => None,
    }
}

/// A Trino LIKE pattern with escape character `escape` as DataFusion's backslash-escaped
/// pattern.
pub(super) fn like_pattern(pattern: &str, escape: Option<char>) -> Result<String, QueryError> {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            match chars.next() {
                Some(next @ ('%' | '_')) => {
                    out.push('\\');
                    out.push(next);
                }
                Some(next) if Some(next) == escape => push_literal(&mut out, next),
                _ => {
                    return Err(QueryError::user(
                        "INVALID_FUNCTION_ARGUMENT: Escape character must be followed by '%', '_' or the escape character itself",
                    ));
                }
            }
        } else {
            push_literal(&mut out, c);
        }
    }
    Ok(out)
}

/// `c` as itself in DataFusion's pattern (a backslash is the escape there).
pub(super) fn push_literal(out: &mut String, c: char) {
    if c == '\\' {
        out.push('\\');
    }
    out.push(c);
}
