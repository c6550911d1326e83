//! The check of every function a query calls against the emulator's catalog
//! (`functions/catalog.rs`), on the statement as written, before any rewrite: a function
//! the emulator does not serve is refused, never run under DataFusion's meaning of its
//! name.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{Expr, ObjectNamePart, Statement, Visit, Visitor};

use crate::engine::error::QueryError;
use crate::engine::functions::catalog::{Status, status};

/// Fails with the first call of a function the emulator does not serve:
/// `FUNCTION_NOT_FOUND` for a name Trino does not know either (Trino's message),
/// `NOT_SUPPORTED` for one of Trino's functions.
pub(super) fn check_functions(statement: &Statement) -> Result<(), QueryError> {
    let mut gate = Gate(None);
    let _ = statement.visit(&mut gate);
    gate.0.map_or(Ok(()), Err)
}

struct Gate(Option<QueryError>);

impl Visitor for Gate {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        let Expr::Function(f) = expr else {
            return ControlFlow::Continue(());
        };
        // Only a function's own name counts (`system.builtin.abs` is `abs`).
        let Some(ObjectNamePart::Identifier(ident)) = f.name.0.last() else {
            return ControlFlow::Continue(());
        };
        let name = ident.value.to_ascii_lowercase();
        let (line, column) = (ident.span.start.line, ident.span.start.column);
        let error = match status(&name) {
            Status::Served => match super::strings::refused_form(&name, f) {
                Some(what) => QueryError::user(format!(
                    "NOT_SUPPORTED: line {line}:{column}: {what} is not supported by \
                     athena-emulator"
                )),
                None => return ControlFlow::Continue(()),
            },
            Status::NotServed => QueryError::user(format!(
                "NOT_SUPPORTED: line {line}:{column}: Function '{name}' is not supported by \
                 athena-emulator"
            )),
            Status::Unknown => QueryError::user(format!(
                "FUNCTION_NOT_FOUND: line {line}:{column}: Function '{name}' not registered"
            )),
        };
        self.0 = Some(error);
        ControlFlow::Break(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    fn check(sql: &str) -> Result<(), String> {
        let statement = Parser::new(&GenericDialect {})
            .try_with_sql(sql)
            .unwrap()
            .parse_statement()
            .unwrap();
        check_functions(&statement).map_err(|e| e.message().to_owned())
    }

    #[test]
    fn served_functions_pass_wherever_they_are_called() {
        assert_eq!(
            check("SELECT abs(-1), upper(x) FROM t WHERE length(x) > 1"),
            Ok(())
        );
        assert_eq!(
            check("SELECT count(*) FROM (SELECT coalesce(a, 1) AS a FROM t) GROUP BY a"),
            Ok(())
        );
    }

    #[test]
    fn other_names_fail_as_athena_fails_them() {
        assert_eq!(
            check("SELECT 1, array_has(ARRAY[1], 1)"),
            Err("FUNCTION_NOT_FOUND: line 1:11: Function 'array_has' not registered".into())
        );
        assert_eq!(
            check("SELECT x FROM t WHERE\n  TO_CHAR(x) = ''"),
            Err("FUNCTION_NOT_FOUND: line 2:3: Function 'to_char' not registered".into())
        );
    }

    #[test]
    fn trino_functions_not_served_are_refused() {
        let err = check("SELECT upper(bar(1, 2))").unwrap_err();
        assert_eq!(
            err,
            "NOT_SUPPORTED: line 1:14: Function 'bar' is not supported by athena-emulator"
        );
        // Inside subqueries, lambdas and window specifications too.
        assert!(check("SELECT * FROM (SELECT word_stem(x) FROM t)").is_err());
        assert!(check("SELECT transform(a, x -> soundex(x)) FROM t").is_err());
    }
}
