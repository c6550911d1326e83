//! Trino syntax of VALUES and ROW types that sqlparser does not take, rewritten on the
//! tokens before the statement is parsed (trino.io, "VALUES", "Data types"):
//!
//! - a VALUES row need not be parenthesised (`VALUES 1, 2`, `(VALUES 'a', NULL) t(x)`):
//!   each bare row becomes `(row)`; sqlparser only parses parenthesised rows;
//! - a quoted field name of a ROW type keeps its case in Trino (`ROW("Id" INTEGER)` is
//!   shown as `{Id=1}`), but every quoted identifier is lowercased here
//!   (`type_syntax.rs`): such a field name is refused rather than shown otherwise.

use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use crate::engine::error::QueryError;

/// `sql` with every bare VALUES row parenthesised; `None` when nothing changes (or the
/// text does not tokenize, which the parser then reports).
pub(super) fn parenthesize_values_rows(sql: &str) -> Option<String> {
    if !sql.to_ascii_lowercase().contains("values") {
        return None;
    }
    let tokens = Tokenizer::new(&GenericDialect {}, sql).tokenize().ok()?;
    let sig: Vec<usize> = (0..tokens.len())
        .filter(|&i| !matches!(tokens[i], Token::Whitespace(_)))
        .collect();
    // Text to insert before (opening) and after (closing) a token, by token index.
    let mut open = vec![0usize; tokens.len()];
    let mut close = vec![0usize; tokens.len()];
    let mut changed = false;
    let mut k = 0;
    while k < sig.len() {
        if !is_keyword(&tokens[sig[k]], Keyword::VALUES) {
            k += 1;
            continue;
        }
        k += 1;
        // One row after another, separated by commas at depth 0.
        while let Some(end) = row_end(&tokens, &sig, k) {
            if end > k && !is_parenthesised_row(&tokens, &sig, k, end) {
                open[sig[k]] += 1;
                close[sig[end - 1]] += 1;
                changed = true;
            }
            k = end;
            if k < sig.len() && tokens[sig[k]] == Token::Comma {
                k += 1;
            } else {
                break;
            }
        }
    }
    if !changed {
        return None;
    }
    let mut out = String::with_capacity(sql.len() + 8);
    for (i, t) in tokens.iter().enumerate() {
        out.push_str(&"(".repeat(open[i]));
        out.push_str(&t.to_string());
        out.push_str(&")".repeat(close[i]));
    }
    Some(out)
}

/// Whether `t` is the unquoted keyword `keyword`.
fn is_keyword(t: &Token, keyword: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.keyword == keyword)
}

/// The significant position just after the VALUES row starting at `k`: the first comma,
/// closing bracket or clause keyword at depth 0. `None` when `k` is past the end.
fn row_end(tokens: &[Token], sig: &[usize], k: usize) -> Option<usize> {
    if k >= sig.len() {
        return None;
    }
    let mut depth = 0usize;
    let mut m = k;
    while m < sig.len() {
        let t = &tokens[sig[m]];
        match t {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            Token::Comma | Token::SemiColon if depth == 0 => break,
            Token::Word(w)
                if depth == 0
                    && w.quote_style.is_none()
                    && matches!(
                        w.keyword,
                        Keyword::ORDER
                            | Keyword::LIMIT
                            | Keyword::OFFSET
                            | Keyword::FETCH
                            | Keyword::UNION
                            | Keyword::EXCEPT
                            | Keyword::INTERSECT
                    ) =>
            {
                break;
            }
            _ => {}
        }
        m += 1;
    }
    Some(m)
}

/// Whether the row `k..end` is `( ... )` or `ROW( ... )` as a whole: a row sqlparser
/// parses as it is (its items the columns).
fn is_parenthesised_row(tokens: &[Token], sig: &[usize], k: usize, end: usize) -> bool {
    let start = if is_keyword(&tokens[sig[k]], Keyword::ROW) {
        k + 1
    } else {
        k
    };
    if start >= end || tokens[sig[start]] != Token::LParen {
        return false;
    }
    let mut depth = 0usize;
    for (m, &i) in sig.iter().enumerate().take(end).skip(start) {
        match tokens[i] {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => {
                depth -= 1;
                if depth == 0 {
                    return m == end - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// Refuses a quoted field name with upper-case letters in a `ROW(...)` type (after `AS`):
/// Trino keeps its case, the emulator lowercases every quoted identifier.
pub(super) fn check_row_field_names(sql: &str) -> Result<(), QueryError> {
    if !sql.contains('"') || !sql.to_ascii_lowercase().contains("row") {
        return Ok(());
    }
    let Ok(tokens) = Tokenizer::new(&GenericDialect {}, sql).tokenize_with_location() else {
        return Ok(());
    };
    let sig: Vec<&TokenWithSpan> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    // Depths of the brackets of ROW types, innermost last.
    let mut depth = 0usize;
    let mut row_types: Vec<usize> = Vec::new();
    for k in 0..sig.len() {
        match &sig[k].token {
            Token::LParen => {
                depth += 1;
                let after_row = k > 0 && is_keyword(&sig[k - 1].token, Keyword::ROW);
                let typed = k > 1
                    && (is_keyword(&sig[k - 2].token, Keyword::AS)
                        || !row_types.is_empty() && is_word(&sig[k - 2].token));
                if after_row && typed {
                    row_types.push(depth);
                }
            }
            Token::RParen => {
                if row_types.last() == Some(&depth) {
                    row_types.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Token::Word(w)
                if w.quote_style == Some('"')
                    && row_types.last() == Some(&depth)
                    && w.value.chars().any(char::is_uppercase)
                    && k > 0
                    && matches!(sig[k - 1].token, Token::LParen | Token::Comma) =>
            {
                let at = sig[k].span.start;
                return Err(QueryError::user(format!(
                    "NOT_SUPPORTED: line {}:{}: ROW field names with upper-case letters \
                     (\"{}\") are not supported by athena-emulator",
                    at.line, at.column, w.value
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

fn is_word(t: &Token) -> bool {
    matches!(t, Token::Word(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(sql: &str) -> String {
        parenthesize_values_rows(sql).unwrap_or_else(|| sql.to_owned())
    }

    #[test]
    fn bare_rows_are_parenthesised() {
        assert_eq!(
            rows("SELECT x FROM (VALUES 1, NULL, 3) t(x)"),
            "SELECT x FROM (VALUES (1), (NULL), (3)) t(x)"
        );
        assert_eq!(rows("VALUES 1 + 1, abs(-3)"), "VALUES (1 + 1), (abs(-3))");
        assert_eq!(
            rows("VALUES ARRAY[1, 2], ARRAY[3] ORDER BY 1"),
            "VALUES (ARRAY[1, 2]), (ARRAY[3]) ORDER BY 1"
        );
        assert_eq!(
            rows("SELECT * FROM (VALUES DATE '2024-01-02', NULL) t(d)"),
            "SELECT * FROM (VALUES (DATE '2024-01-02'), (NULL)) t(d)"
        );
        // An expression that merely starts with a parenthesis is one column.
        assert_eq!(rows("VALUES (1) + 1, 2"), "VALUES ((1) + 1), (2)");
    }

    #[test]
    fn parenthesised_and_row_rows_are_left_alone() {
        for sql in [
            "VALUES (1, 'a'), (2, 'b')",
            "SELECT * FROM (VALUES ROW(1, 'a'), ROW(2, 'b')) t(a, b)",
            "INSERT INTO t VALUES (1)",
            "SELECT map_values(m) FROM t",
            "SELECT 'values 1, 2' FROM t",
        ] {
            assert_eq!(parenthesize_values_rows(sql), None, "{sql}");
        }
    }

    #[test]
    fn upper_case_row_field_names_are_refused() {
        let err = check_row_field_names("SELECT CAST(ROW(1) AS ROW(\"Id\" INTEGER))").unwrap_err();
        assert!(
            err.message().starts_with("NOT_SUPPORTED: line 1:27: "),
            "{err}"
        );
        for sql in [
            "SELECT CAST(ROW(1) AS ROW(\"id\" INTEGER))",
            "SELECT \"Name\" FROM t",
            "SELECT CAST(ROW(1) AS ROW(a ROW(\"b\" INTEGER)))",
        ] {
            assert_eq!(check_row_field_names(sql), Ok(()), "{sql}");
        }
        assert!(check_row_field_names("SELECT CAST(x AS ROW(a ROW(\"B\" INTEGER)))").is_err());
    }
}
