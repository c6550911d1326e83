//! Small pieces of sqlparser's AST the rewrites build and read: literals, casts, function
//! names and arguments, and expressions parsed from a template.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    CastKind, DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, ObjectName,
    ObjectNamePart, Value, visit_expressions_mut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// The value of an integer literal (possibly already cast to INTEGER).
pub(super) fn int_literal(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        Expr::Cast { expr, .. } | Expr::Nested(expr) => int_literal(expr),
        _ => None,
    }
}

/// The text of a string literal.
pub(super) fn string_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s),
            _ => None,
        },
        Expr::Nested(e) => string_literal(e),
        _ => None,
    }
}

/// `CAST(expr AS data_type)`.
pub(super) fn cast(expr: Expr, data_type: DataType) -> Expr {
    Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(expr),
        data_type,
        array: false,
        format: None,
    }
}

/// Parses `text` with `__0`, `__1`, ... standing for `args`.
pub(super) fn template(text: &str, args: &[Expr]) -> Option<Expr> {
    let dialect = GenericDialect {};
    let mut expr = Parser::new(&dialect)
        .try_with_sql(text)
        .ok()?
        .parse_expr()
        .ok()?;
    let _ = visit_expressions_mut(&mut expr, |e: &mut Expr| {
        if let Expr::Identifier(id) = e
            && let Some(n) = id.value.strip_prefix("__")
            && let Ok(i) = n.parse::<usize>()
            && let Some(arg) = args.get(i)
        {
            *e = Expr::Nested(Box::new(arg.clone()));
        }
        ControlFlow::<()>::Continue(())
    });
    Some(expr)
}

/// The name of a function called by one unqualified name, lowercased.
pub(super) fn function_name(name: &ObjectName) -> Option<String> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Some(id.value.to_ascii_lowercase()),
        _ => None,
    }
}

/// The arguments of a call that has only positional arguments (no DISTINCT, no
/// ORDER BY, ...); no arguments for `f` without parentheses.
pub(super) fn plain_args(args: &FunctionArguments) -> Option<Vec<Expr>> {
    match args {
        FunctionArguments::List(list)
            if list.duplicate_treatment.is_none() && list.clauses.is_empty() =>
        {
            list.args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                    _ => None,
                })
                .collect()
        }
        FunctionArguments::None => Some(Vec::new()),
        _ => None,
    }
}

/// Renames a function in place (same arguments).
pub(super) fn renamed(expr: &Expr, to: &str) -> Expr {
    let mut e = expr.clone();
    if let Expr::Function(f) = &mut e {
        f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(to))]);
    }
    e
}
