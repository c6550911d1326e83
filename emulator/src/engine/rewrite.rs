//! Parsing a query and rewriting it towards Trino's semantics before DataFusion plans it:
//! Trino's type syntax on the tokens (`type_syntax`), then Trino's literals, casts and
//! functions on the tree (`trino`), then Athena's column names; and binding
//! ExecutionParameters to the `?` placeholders.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, Ident, SelectItem, SetExpr, Statement, Value, visit_expressions_mut,
};
use datafusion::sql::sqlparser::parser::{Parser, ParserError};
use datafusion::sql::sqlparser::tokenizer::Token;

use super::error::QueryError;
use super::names::DUPLICATE_MARK;

mod aggregate_calls;
mod ast;
mod casts;
mod collection_syntax;
mod collections;
mod datetime;
mod dialect;
mod function_calls;
mod gate;
mod literals;
mod numbers;
mod relational;
mod strings;
mod trino;
mod type_syntax;
mod unnest;

use dialect::AthenaDialect;
use trino::rewrite_tree;
use type_syntax::{check_type_nesting, trino_types};
pub(crate) use unnest::{LateralUnnest, TrinoUnnest};

/// Parses one query statement and applies the context-free rewrites; returns it with the
/// number of `?` placeholders.
pub(crate) fn parse_query(sql: &str) -> Result<(Statement, usize), QueryError> {
    parse_query_naming(sql).map(|parsed| (parsed.statement, parsed.placeholders))
}

/// A query parsed and rewritten, with what its column names say.
#[derive(Debug)]
pub(crate) struct ParsedQuery {
    pub(crate) statement: Statement,
    /// How many `?` placeholders it has.
    pub(crate) placeholders: usize,
    /// The positions of the output columns that have no name in Athena's sense (an
    /// expression without an alias, a bare VALUES): named `_col<i>` when shown, refused
    /// where a name is required (UNLOAD, CTAS: docs/athena.md, "UNLOAD and data
    /// manifests").
    pub(crate) unnamed: Vec<usize>,
}

/// [`parse_query`], keeping the positions of the unnamed columns.
pub(crate) fn parse_query_naming(sql: &str) -> Result<ParsedQuery, QueryError> {
    let dialect = AthenaDialect;
    // 1_000, 0x1F, 0b101, 0o17 (numbers.rs).
    let forms = numbers::number_literal_forms(sql)?;
    let sql = forms.as_deref().unwrap_or(sql);
    check_type_nesting(sql)?;
    collection_syntax::check_row_field_names(sql)?;
    let converted = trino_types(sql);
    let sql = converted.as_deref().unwrap_or(sql);
    let rows = collection_syntax::parenthesize_values_rows(sql);
    let sql = rows.as_deref().unwrap_or(sql);
    let quantified = relational::group_by_quantifier(sql)?;
    let sql = quantified.as_deref().unwrap_or(sql);
    let mut parser = Parser::new(&dialect).try_with_sql(sql).map_err(malformed)?;
    let statement = parser.parse_statement().map_err(malformed)?;
    while parser.consume_token(&Token::SemiColon) {}
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(QueryError::Malformed {
            message: format!(
                "line {}:{}: mismatched input '{}'. Expecting: <EOF>",
                next.span.start.line, next.span.start.column, next.token
            ),
        });
    }
    let mut statement = statement;
    gate::check_functions(&statement)?;
    numbers::check_literals(&statement)?;
    relational::check_relational(&statement)?;
    collections::rewrite_statement(&mut statement)?;
    rewrite_tree(&mut statement);
    numbers::unify_values(&mut statement);
    relational::rewrite_relational(&mut statement)?;
    let unnamed = name_columns(&mut statement);
    let mut placeholders = 0usize;
    let _ = visit_expressions_mut(&mut statement, |expr: &mut Expr| {
        if is_placeholder(expr) {
            placeholders += 1;
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(ParsedQuery {
        statement,
        placeholders,
        unnamed,
    })
}

fn is_placeholder(expr: &Expr) -> bool {
    matches!(expr, Expr::Value(v) if matches!(&v.value, Value::Placeholder(p) if p == "?"))
}

/// A sqlparser error in Athena's words: `line 1:8: mismatched input 'x'. Expecting: ...`.
fn malformed(e: ParserError) -> QueryError {
    let text = match &e {
        ParserError::ParserError(m) | ParserError::TokenizerError(m) => m.clone(),
        ParserError::RecursionLimitExceeded => {
            return QueryError::Malformed {
                message: "line 1:1: Statement is too large (stack overflow during analysis)"
                    .to_owned(),
            };
        }
    };
    let (line, col) = match text.rfind(" at Line: ") {
        Some(at) => {
            let pos = &text[at + " at Line: ".len()..];
            let mut parts = pos.split(", Column: ");
            let line = parts
                .next()
                .and_then(|l| l.trim().parse().ok())
                .unwrap_or(1);
            let col = parts
                .next()
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or(1);
            (line, col)
        }
        None => (1, 1),
    };
    let body = text
        .rfind(" at Line: ")
        .map_or(text.as_str(), |at| &text[..at]);
    let message = match (body.find("Expected: "), body.rfind(", found: ")) {
        (Some(e), Some(f)) if e < f => {
            let expected = &body[e + "Expected: ".len()..f];
            let found = &body[f + ", found: ".len()..];
            format!("line {line}:{col}: mismatched input '{found}'. Expecting: {expected}")
        }
        _ => format!("line {line}:{col}: {body}"),
    };
    QueryError::Malformed { message }
}

/// Athena names an unaliased expression column `_col<i>` (its position) and lowercases
/// every name; a bare column keeps its name. Returns the positions of the columns that
/// had no name.
fn name_columns(statement: &mut Statement) -> Vec<usize> {
    let mut unnamed = Vec::new();
    let Statement::Query(query) = statement else {
        return unnamed;
    };
    let mut body = query.body.as_mut();
    loop {
        match body {
            SetExpr::SetOperation { left, .. } => body = left.as_mut(),
            SetExpr::Query(q) => body = q.body.as_mut(),
            _ => break,
        }
    }
    let select = match body {
        SetExpr::Select(select) => select,
        // A bare VALUES has no names: Trino shows its columns as `_col<i>`.
        SetExpr::Values(values) => {
            return (0..values.rows.first().map_or(0, |row| row.content.len())).collect();
        }
        _ => return unnamed,
    };
    let mut seen = std::collections::HashSet::new();
    for (i, item) in select.projection.iter_mut().enumerate() {
        let (expr, name) =
            match std::mem::replace(item, SelectItem::UnnamedExpr(Expr::value(Value::Null))) {
                SelectItem::UnnamedExpr(Expr::Identifier(id)) => {
                    let name = id.value.to_lowercase();
                    (Expr::Identifier(id), name)
                }
                // t.x and row.field are named after their last part.
                SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => {
                    let name = parts
                        .last()
                        .map_or_else(|| format!("_col{i}"), |p| p.value.to_lowercase());
                    (Expr::CompoundIdentifier(parts), name)
                }
                SelectItem::UnnamedExpr(expr) => {
                    unnamed.push(i);
                    (expr, format!("_col{i}"))
                }
                SelectItem::ExprWithAlias { expr, alias } => (expr, alias.value.to_lowercase()),
                other => {
                    *item = other;
                    continue;
                }
            };
        // Trino allows duplicate output names, DataFusion does not: later duplicates get a
        // hidden suffix that `column_info::column_for_field` drops.
        let alias = if seen.insert(name.clone()) {
            name
        } else {
            format!("{name}{DUPLICATE_MARK}{i}")
        };
        *item = match expr {
            Expr::Identifier(id)
                if id.value.to_lowercase() == alias && id.quote_style.is_none() =>
            {
                SelectItem::UnnamedExpr(Expr::Identifier(id))
            }
            expr => SelectItem::ExprWithAlias {
                expr,
                alias: Ident::with_quote('"', alias),
            },
        };
    }
    unnamed
}

/// Replaces each `?` with the matching ExecutionParameter, parsed as one SQL expression
/// (Athena binds the parameter text as literal SQL: `'abc'`, `42`, `DATE '2024-01-01'`).
pub(crate) fn bind_parameters(
    mut statement: Statement,
    expected: usize,
    parameters: &[String],
) -> Result<Statement, QueryError> {
    if expected != parameters.len() {
        return Err(QueryError::user(format!(
            "INVALID_PARAMETER_USAGE: Incorrect number of parameters: expected {expected} but found {}",
            parameters.len()
        )));
    }
    if expected == 0 {
        return Ok(statement);
    }
    let mut values = Vec::with_capacity(parameters.len());
    for (i, text) in parameters.iter().enumerate() {
        values.push(parse_parameter(text).map_err(|why| {
            QueryError::user(format!(
                "INVALID_PARAMETER_USAGE: ExecutionParameters[{i}] is not a SQL value ({why}): {text}"
            ))
        })?);
    }
    let mut values = values.into_iter();
    let _ = visit_expressions_mut(&mut statement, |expr: &mut Expr| {
        if is_placeholder(expr)
            && let Some(value) = values.next()
        {
            *expr = Expr::Nested(Box::new(value));
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(statement)
}

fn parse_parameter(text: &str) -> Result<Expr, String> {
    let dialect = AthenaDialect;
    let mut parser = Parser::new(&dialect)
        .try_with_sql(text)
        .map_err(|e| e.to_string())?;
    let mut expr = parser.parse_expr().map_err(|e| e.to_string())?;
    if parser.peek_token().token != Token::EOF {
        return Err("more than one expression".to_owned());
    }
    // A parameter is a value: no subqueries, no placeholders of its own.
    let mut bad = false;
    let _ = visit_expressions_mut(&mut expr, |e: &mut Expr| {
        if matches!(
            e,
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. }
        ) || is_placeholder(e)
        {
            bad = true;
        }
        ControlFlow::<()>::Continue(())
    });
    if bad {
        return Err("subqueries and placeholders are not values".to_owned());
    }
    rewrite_tree(&mut expr);
    Ok(expr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_read_like_athena() {
        let Err(QueryError::Malformed { message }) = parse_query("SELECT 1 FROM") else {
            panic!("expected Malformed");
        };
        assert!(message.starts_with("line 1:"), "{message}");
        assert!(message.contains("mismatched input"), "{message}");
    }

    #[test]
    fn unnamed_columns_are_numbered() {
        let (s, _) = parse_query("SELECT 1, a, b AS Bee, a + 1 FROM t").unwrap();
        assert_eq!(
            s.to_string(),
            "SELECT CAST(1 AS INTEGER) AS \"_col0\", a, b AS \"bee\", a + CAST(1 AS INTEGER) AS \"_col3\" FROM t"
        );
    }

    #[test]
    fn parameters_are_bound_as_values() {
        let (s, n) = parse_query("SELECT * FROM t WHERE a = ? AND b = ?").unwrap();
        assert_eq!(n, 2);
        let bound = bind_parameters(s.clone(), n, &["'x'".into(), "42".into()]).unwrap();
        assert_eq!(
            bound.to_string(),
            "SELECT * FROM t WHERE a = ('x') AND b = (CAST(42 AS INTEGER))"
        );
        assert!(bind_parameters(s.clone(), n, &["'x'".into()]).is_err());
        assert!(bind_parameters(s.clone(), n, &["1; DROP TABLE t".into(), "1".into()]).is_err());
        assert!(bind_parameters(s, n, &["(SELECT 1)".into(), "1".into()]).is_err());
    }
}
