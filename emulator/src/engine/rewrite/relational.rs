//! Trino's semantics of the relational parts of a query where DataFusion's SQL differs,
//! on the parsed statement after the literal/cast/function rewrites (trino.io, "SELECT",
//! "Window functions", "Comparison functions and operators"):
//!
//! - window frames: offsets stay literals (DataFusion plans only literals), and the frames
//!   Trino refuses are refused with its error names (`INVALID_WINDOW_FRAME`, ...);
//! - `LIKE` has no escape character unless `ESCAPE` names one (DataFusion's default is a
//!   backslash, and it takes no other);
//! - a scalar subquery returns its one value or fails with `SUBQUERY_MULTIPLE_ROWS`, also
//!   when correlated (DataFusion plans only aggregated correlated subqueries);
//! - an output alias is not a grouping key (`GROUP BY alias` resolves the input column);
//! - `FETCH FIRST n ROWS ONLY` is a LIMIT, `GROUP BY ()` the one empty grouping set;
//! - `nullif(a, b)` has the type of `a`;
//! - syntax Trino does not have (`IS TRUE`, `ILIKE`, `SIMILAR TO`, DuckDB's `GROUP BY
//!   ALL`) fails as Trino's parser fails it; what the emulator cannot do as Trino does
//!   (`INTERSECT ALL`, `EXCEPT ALL`, `FETCH ... WITH TIES`) is refused with NOT_SUPPORTED.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    CastKind, DataType, Expr, Fetch, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList,
    FunctionArguments, GroupByExpr, Ident, JoinConstraint, JoinOperator, LimitClause,
    NamedWindowExpr, ObjectName, ObjectNamePart, OrderByKind, Query, Select, SelectItem, SetExpr,
    SetOperator, SetQuantifier, TableFactor, UnaryOperator, Value, ValueWithSpan, Visit, VisitMut,
    Visitor, VisitorMut, WindowFrame, WindowFrameBound, WindowFrameUnits, WindowSpec, WindowType,
};

use super::ast::{function_name, template};
use crate::engine::error::QueryError;
use crate::engine::functions::catalog;
use crate::engine::names::DUPLICATE_MARK;

mod checks;
mod grouping;
mod joins;
mod like;
mod set_operations;
mod subqueries;
mod windows;

use checks::*;
use grouping::*;
use joins::*;
use like::*;
use set_operations::*;
use subqueries::*;
use windows::*;

/// Fails with the first construct of `statement` (as written, before any rewrite) that
/// Trino refuses: syntax it does not have, window functions without OVER or with
/// constant arguments out of range, aggregates and windows in WHERE.
pub(super) fn check_relational<V: Visit>(statement: &V) -> Result<(), QueryError> {
    let mut checker = Checker(None);
    let _ = statement.visit(&mut checker);
    checker.0.map_or(Ok(()), Err)
}

struct Checker(Option<QueryError>);

impl Visitor for Checker {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        match check_expr(expr) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.0 = Some(e);
                ControlFlow::Break(())
            }
        }
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if matches!(
            query.limit_clause,
            Some(LimitClause::OffsetCommaLimit { .. })
        ) {
            self.0 = Some(syntax_error(
                "mismatched input ','. Expecting: <EOF> (LIMIT offset, count is MySQL's)",
            ));
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        if let Err(e) = check_select_syntax(select) {
            self.0 = Some(e);
            return ControlFlow::Break(());
        }
        if let Err(e) = check_map_aggregates(select) {
            self.0 = Some(e);
            return ControlFlow::Break(());
        }
        let clauses = [("WHERE", select.selection.as_ref())];
        for (clause, expr) in clauses {
            if let Some(expr) = expr
                && aggregates_or_windows(expr)
            {
                self.0 = Some(QueryError::user(format!(
                    "EXPRESSION_NOT_SCALAR: {clause} clause cannot contain aggregations, window functions or grouping operations"
                )));
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }
}

/// Applies the rewrites of the module to every query of `statement`, subqueries
/// included; fails with the first query the emulator cannot answer as Trino.
pub(super) fn rewrite_relational<V: VisitMut>(statement: &mut V) -> Result<(), QueryError> {
    let mut rewriter = Relational(None);
    let _ = statement.visit(&mut rewriter);
    rewriter.0.map_or(Ok(()), Err)
}

struct Relational(Option<QueryError>);

impl Relational {
    fn fail(&mut self, error: QueryError) -> ControlFlow<()> {
        self.0 = Some(error);
        ControlFlow::Break(())
    }
}

impl VisitorMut for Relational {
    type Break = ();

    /// `x op ALL/ANY (subquery)`, before its subquery is visited (as a scalar subquery it
    /// would be rewritten as one).
    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        let rewritten = match expr {
            Expr::AllOp {
                left,
                compare_op,
                right,
            } => quantified_value(left, compare_op, right, true)
                .ok_or_else(|| not_supported("A comparison with ALL of a correlated subquery")),
            Expr::AnyOp {
                left,
                compare_op,
                right,
                ..
            } => quantified_value(left, compare_op, right, false).ok_or_else(|| {
                not_supported("A comparison with ANY or SOME of a correlated subquery")
            }),
            _ => return ControlFlow::Continue(()),
        };
        match rewritten {
            Ok(new) => {
                *expr = new;
                ControlFlow::Continue(())
            }
            Err(e) => self.fail(e),
        }
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        match rewrite_expr(expr) {
            Ok(Some(new)) => {
                *expr = new;
                ControlFlow::Continue(())
            }
            Ok(None) => ControlFlow::Continue(()),
            Err(e) => self.fail(e),
        }
    }

    fn post_visit_select(&mut self, select: &mut Select) -> ControlFlow<()> {
        match rewrite_select(select) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => self.fail(e),
        }
    }

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        match rewrite_query(query) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => self.fail(e),
        }
    }
}

fn syntax_error(message: &str) -> QueryError {
    QueryError::Malformed {
        message: format!("line 1:1: {message}"),
    }
}

fn not_supported(what: &str) -> QueryError {
    QueryError::user(format!(
        "NOT_SUPPORTED: {what} is not supported by athena-emulator"
    ))
}

/// The positional arguments of a call.
fn positional_args(args: &FunctionArguments) -> Vec<&Expr> {
    match args {
        FunctionArguments::List(FunctionArgumentList { args, .. }) => args
            .iter()
            .filter_map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The text of a number literal, through the casts the literal rewrite puts around it
/// (`CAST(1 AS INTEGER)`) and a minus sign (`-1` is `-` applied to `1`).
fn literal_number(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Some(n.clone()),
            _ => None,
        },
        Expr::Cast {
            kind: CastKind::Cast,
            expr,
            data_type:
                DataType::Integer(_)
                | DataType::Int(_)
                | DataType::BigInt(_)
                | DataType::Double(_)
                | DataType::Decimal(_),
            ..
        }
        | Expr::Nested(expr) => literal_number(expr),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => literal_number(expr).map(|n| match n.strip_prefix('-') {
            Some(positive) => positive.to_owned(),
            None => format!("-{n}"),
        }),
        Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr,
        } => literal_number(expr),
        _ => None,
    }
}

/// Whether `expr` is a NULL literal, possibly cast (`CAST(NULL AS BIGINT)`).
fn is_null_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Value(v) => matches!(v.value, Value::Null),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => is_null_literal(expr),
        _ => false,
    }
}

fn rewrite_expr(expr: &mut Expr) -> Result<Option<Expr>, QueryError> {
    match expr {
        Expr::Like {
            negated,
            expr: value,
            pattern,
            escape_char,
            ..
        } => like(*negated, value, pattern, escape_char.as_ref()).map(Some),
        Expr::Function(f) => {
            if let Some(WindowType::WindowSpec(spec)) = &mut f.over {
                fix_window(spec)?;
            }
            Ok(rewrite_call(f))
        }
        Expr::Subquery(query) => Ok(single_value_subquery(query)),

        _ => Ok(None),
    }
}

/// `nullif(a, b)` is `a` unless `a = b`: its type is `a`'s (DataFusion's nullif takes
/// the common type of both). `ntile(NULL)` is NULL on every row.
fn rewrite_call(f: &Function) -> Option<Expr> {
    let name = function_name(&f.name)?;
    let args: Vec<Expr> = positional_args(&f.args).into_iter().cloned().collect();
    match (name.as_str(), args.as_slice()) {
        ("nullif", [_, _]) if f.over.is_none() && f.filter.is_none() => {
            template("CASE WHEN __0 = __1 THEN NULL ELSE __0 END", &args)
        }
        ("ntile", [buckets]) if is_null_literal(buckets) => template("CAST(NULL AS BIGINT)", &args),
        _ => None,
    }
}

/// Whether `expr` calls an aggregate or window function (or `grouping`) outside its
/// subqueries.
fn aggregates_or_windows(expr: &Expr) -> bool {
    struct Finder {
        depth: usize,
    }
    impl Visitor for Finder {
        type Break = ();
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            if self.depth == 0
                && let Expr::Function(f) = expr
            {
                let name = function_name(&f.name).unwrap_or_default();
                if f.over.is_some()
                    || catalog::is_aggregate(&name)
                    || name == "grouping"
                    || WINDOW_ONLY.contains(&name.as_str())
                {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        }
    }
    expr.visit(&mut Finder { depth: 0 }).is_break()
}

fn rewrite_select(select: &mut Select) -> Result<(), QueryError> {
    for table in &select.from {
        for join in &table.joins {
            if join_constraint(&join.join_operator)
                .is_some_and(|c| matches!(c, JoinConstraint::Natural))
            {
                return Err(QueryError::user(
                    "NOT_SUPPORTED: Natural join not supported",
                ));
            }
        }
    }
    for definition in &mut select.named_window {
        if let NamedWindowExpr::WindowSpec(spec) = &mut definition.1 {
            fix_window(spec)?;
        }
    }
    inherit_named_windows(select);
    for item in &mut select.projection {
        if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
            replace_in_subqueries(e);
        }
    }
    if let GroupByExpr::All(_) = select.group_by {
        // DuckDB's GROUP BY ALL (every column that is not aggregated): to Trino, a bare
        // ALL there is a column named `all`.
        return Err(QueryError::user(
            "COLUMN_NOT_FOUND: Column 'all' cannot be resolved",
        ));
    }
    if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
        // GROUP BY () is the one empty grouping set (DataFusion plans no empty tuple).
        if !exprs.is_empty() && exprs.iter().all(is_empty_tuple) {
            *exprs = vec![Expr::GroupingSets(vec![vec![]])];
        }
    }
    qualify_grouping_names(select);
    Ok(())
}

fn is_empty_tuple(expr: &Expr) -> bool {
    matches!(expr, Expr::Tuple(items) if items.is_empty())
}

fn join_constraint(op: &JoinOperator) -> Option<&JoinConstraint> {
    match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::Right(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c)
        | JoinOperator::CrossJoin(c)
        | JoinOperator::Semi(c)
        | JoinOperator::LeftSemi(c)
        | JoinOperator::RightSemi(c)
        | JoinOperator::Anti(c)
        | JoinOperator::LeftAnti(c)
        | JoinOperator::RightAnti(c)
        | JoinOperator::StraightJoin(c) => Some(c),
        _ => None,
    }
}

fn rewrite_query(query: &mut Query) -> Result<(), QueryError> {
    all_set_operations(query.body.as_mut())?;
    if let SetExpr::Select(select) = query.body.as_mut() {
        let mut order_by = query.order_by.as_mut().and_then(|o| match &mut o.kind {
            OrderByKind::Expressions(items) => Some(items),
            _ => None,
        });
        if let Some(items) = order_by.as_deref_mut() {
            order_by_hidden_aliases(select, items);
        }
        using_join(select, order_by)?;
    }
    if let Some(fetch) = query.fetch.take() {
        query.limit_clause = Some(fetch_as_limit(fetch, query.limit_clause.take())?);
    }
    check_grouping_in_order_by(query)
}

/// `GROUP BY ALL a, b` is Trino's `GROUP BY a, b` (ALL is the default quantifier), which
/// sqlparser does not parse; `GROUP BY DISTINCT` (duplicate grouping sets removed) is not
/// supported; `==`, which sqlparser reads as `=`, and `LIMIT n OFFSET m` (Trino's OFFSET
/// comes first) are syntax errors in Trino. Works on the statement's text before it is
/// parsed; `None` when nothing changes.
pub(super) fn group_by_quantifier(sql: &str) -> Result<Option<String>, QueryError> {
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer};
    let lower = sql.to_ascii_lowercase();
    let grouping = lower.contains("group") && (lower.contains("all") || lower.contains("distinct"));
    let limit_offset = lower.contains("limit") && lower.contains("offset");
    if !grouping && !limit_offset && !sql.contains("==") {
        return Ok(None);
    }
    let Ok(tokens) = Tokenizer::new(&GenericDialect {}, sql).tokenize() else {
        return Ok(None); // the parser reports it
    };
    // `==` is not Trino's (sqlparser reads it as `=`).
    if tokens.iter().any(|t| matches!(t, Token::DoubleEq)) {
        return Err(syntax_error(
            "mismatched input '='. Expecting: 'ALL', 'ANY', 'SOME', <expression>",
        ));
    }
    let word = |t: &Token, w: &str| matches!(t, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
    let significant: Vec<usize> = (0..tokens.len())
        .filter(|&i| !matches!(tokens[i], Token::Whitespace(_)))
        .collect();
    // Trino's OFFSET comes before LIMIT: `LIMIT n OFFSET m` does not parse.
    for k in 2..significant.len() {
        if word(&tokens[significant[k - 2]], "limit") && word(&tokens[significant[k]], "offset") {
            return Err(syntax_error(
                "mismatched input 'OFFSET'. Expecting: <EOF> (Trino's OFFSET comes before LIMIT)",
            ));
        }
    }
    let mut drop = Vec::new();
    for k in 2..significant.len() {
        let (g, b, q) = (significant[k - 2], significant[k - 1], significant[k]);
        if !(word(&tokens[g], "group") && word(&tokens[b], "by")) {
            continue;
        }
        if word(&tokens[q], "distinct") {
            return Err(not_supported("GROUP BY DISTINCT"));
        }
        // ALL followed by a grouping element (not the end of the clause) is the quantifier.
        let next = significant.get(k + 1).map(|&i| &tokens[i]);
        let element_follows = next.is_some_and(|t| {
            !matches!(t, Token::SemiColon | Token::RParen | Token::EOF)
                && ![
                    "having",
                    "order",
                    "limit",
                    "offset",
                    "window",
                    "union",
                    "intersect",
                    "except",
                    "fetch",
                ]
                .iter()
                .any(|w| word(t, w))
        });
        if word(&tokens[q], "all") && element_follows {
            drop.push(q);
        }
    }
    if drop.is_empty() {
        return Ok(None);
    }
    let text: String = tokens
        .iter()
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, t)| t.to_string())
        .collect();
    Ok(Some(text))
}

/// The first compound name of `expr` (outside its subqueries) that `matches`.
fn find_compound(expr: &Expr, matches: &dyn Fn(&[Ident]) -> Option<String>) -> Option<String> {
    struct Finder<'a> {
        depth: usize,
        matches: &'a dyn Fn(&[Ident]) -> Option<String>,
        found: Option<String>,
    }
    impl Visitor for Finder<'_> {
        type Break = ();
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            if self.depth == 0
                && let Expr::CompoundIdentifier(parts) = expr
                && let Some(name) = (self.matches)(parts)
            {
                self.found = Some(name);
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut finder = Finder {
        depth: 0,
        matches,
        found: None,
    };
    let _ = expr.visit(&mut finder);
    finder.found
}

/// Replaces the bare names of `expr` (outside its subqueries) for which `with` has an
/// expression.
fn replace_names(expr: &mut Expr, with: &dyn Fn(&Ident) -> Option<Expr>) {
    struct Replacer<'a> {
        depth: usize,
        with: &'a dyn Fn(&Ident) -> Option<Expr>,
    }
    impl VisitorMut for Replacer<'_> {
        type Break = ();
        fn pre_visit_query(&mut self, _: &mut Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &mut Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
            if self.depth == 0
                && let Expr::Identifier(id) = expr
                && let Some(new) = (self.with)(id)
            {
                *expr = new;
            }
            ControlFlow::Continue(())
        }
    }
    let _ = expr.visit(&mut Replacer { depth: 0, with });
}

/// The name of the first call of `expr` (outside its subqueries) that `matches`.
fn find_call(expr: &Expr, matches: &dyn Fn(&str) -> bool) -> Option<String> {
    struct Finder<'a> {
        depth: usize,
        matches: &'a dyn Fn(&str) -> bool,
        found: Option<String>,
    }
    impl Visitor for Finder<'_> {
        type Break = ();
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            if self.depth == 0
                && let Expr::Function(f) = expr
                && let Some(name) = function_name(&f.name)
                && (self.matches)(&name)
            {
                self.found = Some(name);
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut finder = Finder {
        depth: 0,
        matches,
        found: None,
    };
    let _ = expr.visit(&mut finder);
    finder.found
}

#[cfg(test)]
mod tests;
