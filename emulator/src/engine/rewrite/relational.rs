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

/// Syntax Trino does not have, and calls Trino refuses as written.
fn check_expr(expr: &Expr) -> Result<(), QueryError> {
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
        Expr::AllOp { .. } | Expr::AnyOp { .. } => Err(not_supported(
            "A comparison with ALL, ANY or SOME (subquery)",
        )),
        Expr::Function(f) if f.over.is_some() && f.filter.is_some() => Err(QueryError::user(
            "NOT_SUPPORTED: FILTER is not yet supported for window functions",
        )),
        Expr::Function(f) => check_call(f),
        _ => Ok(()),
    }
}

/// Functions Trino evaluates only as windows, which need an OVER clause.
const WINDOW_ONLY: &[&str] = &[
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
fn check_call(f: &Function) -> Result<(), QueryError> {
    let Some(name) = function_name(&f.name) else {
        return Ok(());
    };
    if name == "listagg" {
        return super::aggregate_calls::check_listagg(f);
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

/// Trino's LIKE: `%` and `_` are the only special characters unless `ESCAPE` names an
/// escape character, which must then be followed by `%`, `_` or itself. DataFusion
/// always escapes with a backslash, so the pattern is rewritten into that form: a
/// literal backslash doubled, the ESCAPE character turned into a backslash.
fn like(
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

fn pattern_literal(expr: &Expr) -> Option<String> {
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
fn like_pattern(pattern: &str, escape: Option<char>) -> Result<String, QueryError> {
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
fn push_literal(out: &mut String, c: char) {
    if c == '\\' {
        out.push('\\');
    }
    out.push(c);
}

/// A window's frame as DataFusion plans it and Trino checks it.
fn fix_window(spec: &mut WindowSpec) -> Result<(), QueryError> {
    let Some(frame) = &mut spec.window_frame else {
        return Ok(());
    };
    check_frame(frame, spec.order_by.len(), spec.window_name.is_some())?;
    for bound in std::iter::once(&mut frame.start_bound).chain(frame.end_bound.as_mut()) {
        if let WindowFrameBound::Preceding(Some(offset))
        | WindowFrameBound::Following(Some(offset)) = bound
        {
            *offset.as_mut() = frame_offset(offset)?;
        }
    }
    Ok(())
}

fn invalid_frame(message: &str) -> QueryError {
    QueryError::user(format!("INVALID_WINDOW_FRAME: {message}"))
}

/// Trino's rules for a frame (its analyzer's messages).
fn check_frame(
    frame: &WindowFrame,
    order_by_items: usize,
    order_by_elsewhere: bool,
) -> Result<(), QueryError> {
    use WindowFrameBound::{CurrentRow, Following, Preceding};
    let end = frame.end_bound.as_ref().unwrap_or(&CurrentRow);
    match (&frame.start_bound, end) {
        (Following(None), _) => {
            return Err(invalid_frame(
                "Window frame start cannot be UNBOUNDED FOLLOWING",
            ));
        }
        (_, Preceding(None)) => {
            return Err(invalid_frame(
                "Window frame end cannot be UNBOUNDED PRECEDING",
            ));
        }
        (CurrentRow, Preceding(Some(_))) => {
            return Err(invalid_frame(
                "Window frame starting from CURRENT ROW cannot end with PRECEDING",
            ));
        }
        (Following(Some(_)), Preceding(Some(_))) => {
            return Err(invalid_frame(
                "Window frame starting from FOLLOWING cannot end with PRECEDING",
            ));
        }
        (Following(Some(_)), CurrentRow) => {
            return Err(invalid_frame(
                "Window frame starting from FOLLOWING cannot end with CURRENT ROW",
            ));
        }
        _ => {}
    }
    let has_offset = [&frame.start_bound, end]
        .iter()
        .any(|b| matches!(b, Preceding(Some(_)) | Following(Some(_))));
    if !has_offset || order_by_elsewhere {
        return Ok(());
    }
    match (frame.units, order_by_items) {
        (WindowFrameUnits::Range, 0) => Err(QueryError::user(
            "MISSING_ORDER_BY: Window frame of type RANGE PRECEDING or FOLLOWING requires ORDER BY",
        )),
        (WindowFrameUnits::Range, n) if n > 1 => Err(QueryError::user(format!(
            "INVALID_ORDER_BY: Window frame of type RANGE PRECEDING or FOLLOWING requires single sort item in ORDER BY (actual: {n})"
        ))),
        (WindowFrameUnits::Groups, 0) => Err(QueryError::user(
            "MISSING_ORDER_BY: Window frame of type GROUPS PRECEDING or FOLLOWING requires ORDER BY",
        )),
        _ => Ok(()),
    }
}

/// A frame offset as the plain literal DataFusion requires.
fn frame_offset(offset: &Expr) -> Result<Expr, QueryError> {
    if is_null_literal(offset) {
        return Err(invalid_frame(
            "Window frame offset value must not be negative or null",
        ));
    }
    if let Some(n) = literal_number(offset) {
        if n.starts_with('-') {
            return Err(invalid_frame(
                "Window frame offset value must not be negative or null",
            ));
        }
        return Ok(Expr::value(Value::Number(n, false)));
    }
    match offset {
        // An interval (RANGE over dates and timestamps) is planned as it is.
        Expr::Interval(_) => Ok(offset.clone()),
        Expr::Cast { expr, .. } | Expr::Nested(expr)
            if matches!(expr.as_ref(), Expr::Interval(_)) =>
        {
            Ok(offset.clone())
        }
        _ => Err(not_supported("A window frame offset that is not a literal")),
    }
}

/// `(SELECT x FROM ... WHERE ...)` as a scalar subquery of a plain, unaggregated SELECT of
/// one column: `athena_single_value((SELECT array_agg(x) FROM ...))`, which is its one
/// value, NULL without rows, and fails with SUBQUERY_MULTIPLE_ROWS on more than one row
/// where Trino fails (only for the rows that use it). DataFusion plans correlated scalar
/// subqueries only when they are aggregated.
fn single_value_subquery(query: &Query) -> Option<Expr> {
    if query.order_by.is_some()
        || query.limit_clause.is_some()
        || query.fetch.is_some()
        || query.with.is_some()
    {
        return None;
    }
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let plain = select.distinct.is_none()
        && select.having.is_none()
        && select.named_window.is_empty()
        && select.qualify.is_none()
        && matches!(&select.group_by, GroupByExpr::Expressions(e, m) if e.is_empty() && m.is_empty());
    if !plain || select.projection.len() != 1 {
        return None;
    }
    let value = match &select.projection[0] {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
        _ => return None,
    };
    if aggregates_or_windows(value) {
        return None;
    }
    let mut aggregated = query.clone();
    if let SetExpr::Select(s) = aggregated.body.as_mut() {
        let collected = template("array_agg(__0)", std::slice::from_ref(value))?;
        s.projection = vec![SelectItem::UnnamedExpr(collected)];
    }
    template(
        "athena_single_value(__0)",
        &[Expr::Subquery(Box::new(aggregated))],
    )
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

/// In Trino, GROUP BY and HAVING see the columns of the FROM clause, never an output
/// alias; DataFusion falls back on a SELECT alias when no column has the name. A bare
/// name in GROUP BY or HAVING that is also an alias of another expression is qualified
/// with the one relation of the FROM clause, so that it resolves to that relation's
/// column or fails as in Trino (COLUMN_NOT_FOUND).
fn qualify_grouping_names(select: &mut Select) {
    let aliases: Vec<String> = select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::ExprWithAlias { expr, alias } => {
                let same = matches!(expr, Expr::Identifier(id) if id.value.eq_ignore_ascii_case(&alias.value));
                (!same).then(|| alias.value.to_ascii_lowercase())
            }
            _ => None,
        })
        .collect();
    if aliases.is_empty() {
        return;
    }
    let qualifier = single_relation_name(select);
    let qualify = |e: &mut Expr| {
        let Some(qualifier) = &qualifier else {
            return;
        };
        let _ = datafusion::sql::sqlparser::ast::visit_expressions_mut(e, |e: &mut Expr| {
            if let Expr::Identifier(id) = e
                && aliases.contains(&id.value.to_ascii_lowercase())
            {
                let mut parts = qualifier.clone();
                parts.push(id.clone());
                *e = Expr::CompoundIdentifier(parts);
            }
            ControlFlow::<()>::Continue(())
        });
    };
    if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
        for e in exprs.iter_mut() {
            // Positions (GROUP BY 1) refer to the output, as in Trino.
            if literal_number(e).is_none() {
                qualify(e);
            }
        }
    }
    // HAVING: the alias is hidden (renamed with a suffix ColumnInfo drops), so that the
    // name resolves to an input column or fails with COLUMN_NOT_FOUND; DataFusion
    // misreports a qualified name it does not find in HAVING.
    let Some(having) = &select.having else {
        return;
    };
    let mut referenced = Vec::new();
    let mut having = having.clone();
    let _ = datafusion::sql::sqlparser::ast::visit_expressions_mut(&mut having, |e: &mut Expr| {
        if let Expr::Identifier(id) = e
            && aliases.contains(&id.value.to_ascii_lowercase())
        {
            referenced.push(id.value.to_ascii_lowercase());
        }
        ControlFlow::<()>::Continue(())
    });
    for item in &mut select.projection {
        if let SelectItem::ExprWithAlias { alias, .. } = item
            && referenced.contains(&alias.value.to_ascii_lowercase())
        {
            alias.value = format!(
                "{}{DUPLICATE_MARK}{HIDDEN_FROM_HAVING}",
                alias.value.to_ascii_lowercase()
            );
            alias.quote_style = Some('"');
        }
    }
}

/// The suffix (after DUPLICATE_MARK, which ColumnInfo drops with what follows, so the
/// column keeps its name) of an output alias hidden from HAVING.
const HIDDEN_FROM_HAVING: &str = "having";

/// ORDER BY sees output aliases, those hidden from HAVING included: its bare names of
/// them are renamed too.
fn order_by_hidden_aliases(
    select: &Select,
    items: &mut [datafusion::sql::sqlparser::ast::OrderByExpr],
) {
    let hidden: Vec<(String, Ident)> = select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => alias
                .value
                .split_once(DUPLICATE_MARK)
                .filter(|(_, suffix)| *suffix == HIDDEN_FROM_HAVING)
                .map(|(base, _)| (base.to_owned(), alias.clone())),
            _ => None,
        })
        .collect();
    if hidden.is_empty() {
        return;
    }
    for item in items {
        replace_names(&mut item.expr, &|id: &Ident| {
            hidden
                .iter()
                .find(|(base, _)| base.eq_ignore_ascii_case(&id.value))
                .map(|(_, alias)| Expr::Identifier(alias.clone()))
        });
    }
}

/// The name that qualifies the columns of the one relation a SELECT reads (its alias, or
/// the table's name), when it reads exactly one.
fn single_relation_name(select: &Select) -> Option<Vec<Ident>> {
    let [table] = select.from.as_slice() else {
        return None;
    };
    if !table.joins.is_empty() {
        return None;
    }
    match &table.relation {
        TableFactor::Table { alias: Some(a), .. } | TableFactor::Derived { alias: Some(a), .. } => {
            Some(vec![a.name.clone()])
        }
        TableFactor::Table {
            name: ObjectName(parts),
            alias: None,
            args: None,
            ..
        } => parts
            .iter()
            .map(|p| match p {
                ObjectNamePart::Identifier(id) => Some(id.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn rewrite_query(query: &mut Query) -> Result<(), QueryError> {
    check_set_operations(&query.body)?;
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

/// INTERSECT ALL and EXCEPT ALL keep duplicates by their counts in Trino; DataFusion's
/// keep every duplicate of the left side that has a match.
fn check_set_operations(body: &SetExpr) -> Result<(), QueryError> {
    if let SetExpr::SetOperation {
        left,
        op,
        set_quantifier,
        right,
    } = body
    {
        if matches!(set_quantifier, SetQuantifier::All) {
            match op {
                SetOperator::Intersect => return Err(not_supported("INTERSECT ALL")),
                SetOperator::Except | SetOperator::Minus => {
                    return Err(not_supported("EXCEPT ALL"));
                }
                _ => {}
            }
        }
        check_set_operations(left)?;
        check_set_operations(right)?;
    }
    Ok(())
}

/// `FETCH FIRST n ROWS ONLY` is `LIMIT n` (n is 1 when left out).
fn fetch_as_limit(fetch: Fetch, limit: Option<LimitClause>) -> Result<LimitClause, QueryError> {
    if fetch.with_ties {
        return Err(not_supported("FETCH FIRST ... WITH TIES"));
    }
    if fetch.percent {
        return Err(syntax_error("mismatched input 'PERCENT'"));
    }
    let quantity = match fetch.quantity {
        Some(q) => literal_number(&q).map_or(q, |n| Expr::value(Value::Number(n, false))),
        None => Expr::value(Value::Number("1".to_owned(), false)),
    };
    let offset = match limit {
        Some(LimitClause::LimitOffset { offset, .. }) => offset,
        _ => None,
    };
    Ok(LimitClause::LimitOffset {
        limit: Some(quantity),
        offset,
        limit_by: Vec::new(),
    })
}

/// Trino refuses a `grouping()` in ORDER BY whose arguments name output columns.
fn check_grouping_in_order_by(query: &Query) -> Result<(), QueryError> {
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

/// `a JOIN b USING (c, ...)` as Trino answers it: the USING columns come first in
/// `SELECT *` (then the other columns of `a`, then `b`'s), and a USING column named
/// without a qualifier is `a.c` (inner and left joins), `b.c` (right joins) or
/// `coalesce(a.c, b.c)` (full joins). DataFusion lists the columns in table order and
/// reads `a.c` in every join, so the join is written with ON and the names replaced;
/// done for a FROM clause of two named relations. With more relations, a `SELECT *`
/// or a right or full USING join is refused.
fn using_join(
    select: &mut Select,
    order_by: Option<&mut Vec<datafusion::sql::sqlparser::ast::OrderByExpr>>,
) -> Result<(), QueryError> {
    let has_using = select.from.iter().any(|t| {
        t.joins.iter().any(|j| {
            matches!(
                join_constraint(&j.join_operator),
                Some(JoinConstraint::Using(_))
            )
        })
    });
    if !has_using {
        return Ok(());
    }
    let simple = match select.from.as_slice() {
        [table] if table.joins.len() == 1 => {
            relation_qualifier(&table.relation).zip(relation_qualifier(&table.joins[0].relation))
        }
        _ => None,
    };
    let Some((left, right)) = simple else {
        let star = select.projection.iter().any(|i| {
            matches!(
                i,
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
            )
        });
        let outer = select.from.iter().flat_map(|t| &t.joins).any(|j| {
            matches!(
                j.join_operator,
                JoinOperator::Right(JoinConstraint::Using(_))
                    | JoinOperator::RightOuter(JoinConstraint::Using(_))
                    | JoinOperator::FullOuter(JoinConstraint::Using(_))
            )
        });
        if star || outer {
            return Err(not_supported(
                "SELECT * or a RIGHT or FULL join over a JOIN ... USING of more than two relations",
            ));
        }
        return Ok(());
    };
    let join = &mut select.from[0].joins[0];
    let (columns, kind) = match &join.join_operator {
        JoinOperator::Join(JoinConstraint::Using(c))
        | JoinOperator::Inner(JoinConstraint::Using(c))
        | JoinOperator::Left(JoinConstraint::Using(c))
        | JoinOperator::LeftOuter(JoinConstraint::Using(c)) => (c.clone(), UsingSide::Left),
        JoinOperator::Right(JoinConstraint::Using(c))
        | JoinOperator::RightOuter(JoinConstraint::Using(c)) => (c.clone(), UsingSide::Right),
        JoinOperator::FullOuter(JoinConstraint::Using(c)) => (c.clone(), UsingSide::Both),
        _ => return Err(not_supported("This kind of JOIN ... USING")),
    };
    let names: Vec<Ident> = columns
        .iter()
        .filter_map(|c| match c.0.last() {
            Some(ObjectNamePart::Identifier(id)) => Some(id.clone()),
            _ => None,
        })
        .collect();
    let qualified = |q: &[Ident], c: &Ident| {
        let mut parts = q.to_vec();
        parts.push(c.clone());
        Expr::CompoundIdentifier(parts)
    };
    let column = |c: &Ident| match kind {
        UsingSide::Left => qualified(&left, c),
        UsingSide::Right => qualified(&right, c),
        UsingSide::Both => template(
            "coalesce(__0, __1)",
            &[qualified(&left, c), qualified(&right, c)],
        )
        .unwrap_or_else(|| qualified(&left, c)),
    };
    let on = names
        .iter()
        .map(|c| Expr::BinaryOp {
            left: Box::new(qualified(&left, c)),
            op: datafusion::sql::sqlparser::ast::BinaryOperator::Eq,
            right: Box::new(qualified(&right, c)),
        })
        .reduce(|a, b| Expr::BinaryOp {
            left: Box::new(a),
            op: datafusion::sql::sqlparser::ast::BinaryOperator::And,
            right: Box::new(b),
        });
    let Some(on) = on else {
        return Ok(());
    };
    let constraint = JoinConstraint::On(on);
    join.join_operator = match kind {
        UsingSide::Left
            if matches!(
                join.join_operator,
                JoinOperator::Left(_) | JoinOperator::LeftOuter(_)
            ) =>
        {
            JoinOperator::LeftOuter(constraint)
        }
        UsingSide::Left => JoinOperator::Inner(constraint),
        UsingSide::Right => JoinOperator::RightOuter(constraint),
        UsingSide::Both => JoinOperator::FullOuter(constraint),
    };
    let is_using = |id: &Ident| {
        names
            .iter()
            .any(|n| n.value.eq_ignore_ascii_case(&id.value))
    };
    // A USING column has no qualifier in Trino: `a.c` does not resolve.
    let same = |a: &[Ident], b: &[Ident]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.value.eq_ignore_ascii_case(&y.value))
    };
    let qualified_using = |parts: &[Ident]| match parts.split_last() {
        Some((c, q)) if is_using(c) && (same(q, &left) || same(q, &right)) => Some(
            parts
                .iter()
                .map(|p| p.value.clone())
                .collect::<Vec<_>>()
                .join("."),
        ),
        _ => None,
    };
    let mut clause_exprs: Vec<&Expr> = select
        .projection
        .iter()
        .filter_map(|i| match i {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
            _ => None,
        })
        .collect();
    clause_exprs.extend(select.selection.iter().chain(select.having.iter()));
    if let GroupByExpr::Expressions(exprs, _) = &select.group_by {
        clause_exprs.extend(exprs.iter());
    }
    if let Some(items) = order_by.as_deref() {
        clause_exprs.extend(items.iter().map(|i| &i.expr));
    }
    for e in clause_exprs {
        if let Some(name) = find_compound(e, &qualified_using) {
            return Err(QueryError::user(format!(
                "COLUMN_NOT_FOUND: Column '{name}' cannot be resolved"
            )));
        }
    }
    let replace = |e: &mut Expr| replace_names(e, &|id: &Ident| is_using(id).then(|| column(id)));
    let mut projection = Vec::with_capacity(select.projection.len() + names.len());
    for item in std::mem::take(&mut select.projection) {
        match item {
            SelectItem::Wildcard(options) => {
                if options.opt_exclude.is_some()
                    || options.opt_except.is_some()
                    || options.opt_replace.is_some()
                    || options.opt_rename.is_some()
                    || options.opt_ilike.is_some()
                {
                    return Err(not_supported("SELECT * with options over JOIN ... USING"));
                }
                for c in &names {
                    projection.push(SelectItem::ExprWithAlias {
                        expr: column(c),
                        alias: c.clone(),
                    });
                }
                for q in [&left, &right] {
                    let exclude = datafusion::sql::sqlparser::ast::ExcludeSelectItem::Multiple(
                        names
                            .iter()
                            .map(|n| ObjectName(vec![ObjectNamePart::Identifier(n.clone())]))
                            .collect(),
                    );
                    projection.push(SelectItem::QualifiedWildcard(
                        datafusion::sql::sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(
                            ObjectName(q.iter().cloned().map(ObjectNamePart::Identifier).collect()),
                        ),
                        datafusion::sql::sqlparser::ast::WildcardAdditionalOptions {
                            opt_exclude: Some(exclude),
                            ..Default::default()
                        },
                    ));
                }
            }
            SelectItem::QualifiedWildcard(
                datafusion::sql::sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(q),
                mut options,
            ) if options.opt_exclude.is_none() => {
                // `a.*` leaves the USING columns out, as in Trino.
                let parts: Vec<Ident> =
                    q.0.iter()
                        .filter_map(|p| match p {
                            ObjectNamePart::Identifier(id) => Some(id.clone()),
                            _ => None,
                        })
                        .collect();
                if same(&parts, &left) || same(&parts, &right) {
                    options.opt_exclude = Some(
                        datafusion::sql::sqlparser::ast::ExcludeSelectItem::Multiple(
                            names
                                .iter()
                                .map(|n| ObjectName(vec![ObjectNamePart::Identifier(n.clone())]))
                                .collect(),
                        ),
                    );
                }
                projection.push(SelectItem::QualifiedWildcard(
                    datafusion::sql::sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(q),
                    options,
                ));
            }
            SelectItem::UnnamedExpr(Expr::Identifier(id)) if is_using(&id) => {
                projection.push(SelectItem::ExprWithAlias {
                    expr: column(&id),
                    alias: id,
                });
            }
            SelectItem::UnnamedExpr(mut e) => {
                replace(&mut e);
                projection.push(SelectItem::UnnamedExpr(e));
            }
            SelectItem::ExprWithAlias { mut expr, alias } => {
                replace(&mut expr);
                projection.push(SelectItem::ExprWithAlias { expr, alias });
            }
            other => projection.push(other),
        }
    }
    select.projection = projection;
    if let Some(e) = &mut select.selection {
        replace(e);
    }
    if let Some(e) = &mut select.having {
        replace(e);
    }
    if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
        exprs.iter_mut().for_each(&replace);
    }
    if let Some(items) = order_by {
        for item in items.iter_mut() {
            replace(&mut item.expr);
        }
    }
    Ok(())
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

#[derive(Clone, Copy)]
enum UsingSide {
    Left,
    Right,
    Both,
}

/// The qualifier of a named relation's columns: its alias, or the table's name.
fn relation_qualifier(relation: &TableFactor) -> Option<Vec<Ident>> {
    match relation {
        TableFactor::Table { alias: Some(a), .. } | TableFactor::Derived { alias: Some(a), .. } => {
            Some(vec![a.name.clone()])
        }
        TableFactor::Table {
            name: ObjectName(parts),
            alias: None,
            args: None,
            ..
        } => parts
            .iter()
            .map(|p| match p {
                ObjectNamePart::Identifier(id) => Some(id.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
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

/// Windows defined on other windows (`WINDOW w1 AS (PARTITION BY a), w2 AS (w1 ORDER BY
/// b)`, `OVER (w1 ORDER BY b)`) with what they inherit written out: the named window's
/// PARTITION BY, and its ORDER BY and frame where the new one has none. DataFusion
/// drops the PARTITION BY of a window named inside another's definition.
fn inherit_named_windows(select: &mut Select) {
    if select.named_window.is_empty() {
        return;
    }
    let mut resolved: Vec<(String, WindowSpec)> = Vec::new();
    let lookup = |resolved: &[(String, WindowSpec)], name: &Ident| {
        resolved
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&name.value))
            .map(|(_, s)| s.clone())
    };
    for definition in &mut select.named_window {
        let spec = match &mut definition.1 {
            NamedWindowExpr::WindowSpec(spec) => {
                if let Some(base) = spec.window_name.as_ref().and_then(|n| lookup(&resolved, n)) {
                    inherit(spec, base);
                }
                spec.clone()
            }
            NamedWindowExpr::NamedWindow(other) => match lookup(&resolved, other) {
                Some(spec) => spec,
                None => continue,
            },
        };
        resolved.push((definition.0.value.clone(), spec));
    }
    let apply = |e: &mut Expr| {
        struct Inherit<'a> {
            depth: usize,
            resolved: &'a [(String, WindowSpec)],
        }
        impl VisitorMut for Inherit<'_> {
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
                    && let Expr::Function(f) = expr
                    && let Some(WindowType::WindowSpec(spec)) = &mut f.over
                    && let Some(name) = spec.window_name.clone()
                    && let Some((_, base)) = self
                        .resolved
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(&name.value))
                {
                    inherit(spec, base.clone());
                }
                ControlFlow::Continue(())
            }
        }
        let _ = e.visit(&mut Inherit {
            depth: 0,
            resolved: &resolved,
        });
    };
    for item in &mut select.projection {
        if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
            apply(e);
        }
    }
    if let Some(h) = &mut select.having {
        apply(h);
    }
}

/// `spec` (which names `base`) with what it inherits from `base`.
fn inherit(spec: &mut WindowSpec, base: WindowSpec) {
    spec.window_name = None;
    if spec.partition_by.is_empty() {
        spec.partition_by = base.partition_by;
    }
    if spec.order_by.is_empty() {
        spec.order_by = base.order_by;
    }
    if spec.window_frame.is_none() {
        spec.window_frame = base.window_frame;
    }
}

/// `x [NOT] IN (subquery)` as a value (in the SELECT list), which DataFusion plans only
/// as a filter: counts of the subquery's rows, with Trino's three-valued answer: true
/// when a row equals `x`; false when there are no rows; NULL when `x` is NULL or a row
/// is NULL; else false. The subquery is counted as a derived table of one column whose
/// names cannot capture the names of `x` (DataFusion cannot plan it when the subquery
/// itself is correlated, and refuses it).
fn replace_in_subqueries(expr: &mut Expr) {
    struct Replacer {
        depth: usize,
    }
    impl VisitorMut for Replacer {
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
                && let Expr::InSubquery {
                    expr: value,
                    subquery,
                    negated,
                } = expr
                && let Some(new) = in_subquery_value(value, subquery, *negated)
            {
                *expr = new;
            }
            ControlFlow::Continue(())
        }
    }
    let _ = expr.visit(&mut Replacer { depth: 0 });
}

fn in_subquery_value(value: &Expr, subquery: &Query, negated: bool) -> Option<Expr> {
    if correlated(subquery) {
        return None;
    }
    // (SELECT count(*) FROM (<subquery>) AS __athena_in(__athena_v) [WHERE <condition>]).
    let count = |condition: Option<&str>| -> Option<Expr> {
        let text = match condition {
            Some(c) => {
                format!("(SELECT count(*) FROM (SELECT 1) AS __athena_in(__athena_v) WHERE {c})")
            }
            None => "(SELECT count(*) FROM (SELECT 1) AS __athena_in(__athena_v))".to_owned(),
        };
        let mut counted = template(&text, std::slice::from_ref(value))?;
        // Put the subquery in place of the placeholder derived table.
        if let Expr::Subquery(q) = &mut counted
            && let SetExpr::Select(s) = q.body.as_mut()
            && let Some(TableFactor::Derived {
                subquery: inner, ..
            }) = s.from.first_mut().map(|t| &mut t.relation)
        {
            **inner = subquery.clone();
        }
        Some(counted)
    };
    let matches = count(Some("__athena_in.__athena_v = (__0)"))?;
    let rows = count(None)?;
    let nulls = count(Some("__athena_in.__athena_v IS NULL"))?;
    let answer = template(
        "CASE WHEN __0 > 0 THEN true WHEN __1 = 0 THEN false \
         WHEN __2 IS NULL OR __3 > 0 THEN CAST(NULL AS BOOLEAN) ELSE false END",
        &[matches, rows, value.clone(), nulls],
    )?;
    if negated {
        template("NOT (__0)", &[answer])
    } else {
        Some(answer)
    }
}

/// Whether `query` names a column with a qualifier that none of its own relations has
/// (a correlated subquery; one that names outer columns without a qualifier is not
/// seen).
fn correlated(query: &Query) -> bool {
    struct Names {
        relations: Vec<String>,
        qualifiers: Vec<String>,
    }
    impl Visitor for Names {
        type Break = ();
        fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
            match factor {
                TableFactor::Table { name, alias, .. } => {
                    if let Some(ObjectNamePart::Identifier(id)) = name.0.last() {
                        self.relations.push(id.value.to_ascii_lowercase());
                    }
                    if let Some(a) = alias {
                        self.relations.push(a.name.value.to_ascii_lowercase());
                    }
                }
                TableFactor::Derived { alias: Some(a), .. }
                | TableFactor::UNNEST { alias: Some(a), .. } => {
                    self.relations.push(a.name.value.to_ascii_lowercase());
                }
                _ => {}
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            if let Expr::CompoundIdentifier(parts) = expr
                && parts.len() > 1
            {
                self.qualifiers
                    .push(parts[parts.len() - 2].value.to_ascii_lowercase());
            }
            ControlFlow::Continue(())
        }
    }
    let mut names = Names {
        relations: Vec::new(),
        qualifiers: Vec::new(),
    };
    let _ = query.visit(&mut names);
    names
        .qualifiers
        .iter()
        .any(|q| !names.relations.contains(q))
}

/// The aggregates whose maps list their entries in the order of Trino's hash table
/// (`functions/aggregates/maps.rs`).
const MAP_AGGREGATES: &[&str] = &["histogram", "map_agg", "multimap_agg"];

/// Within a GROUP BY, Trino lists a group's entries in an order that depends on how its
/// partial states arrive: refused there (a grouping of the whole input, `GROUP BY ()`,
/// is the global aggregation the emulator reproduces).
fn check_map_aggregates(select: &Select) -> Result<(), QueryError> {
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

/// SELECT syntax of other dialects that sqlparser accepts and Trino does not: DISTINCT
/// ON, TOP, QUALIFY, `*` EXCEPT/EXCLUDE/REPLACE/RENAME/ILIKE, GROUP BY ... WITH ROLLUP.
fn check_select_syntax(select: &Select) -> Result<(), QueryError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rewrite::parse_query;

    fn sql(text: &str) -> String {
        parse_query(text)
            .map(|(s, _)| s.to_string())
            .unwrap_or_else(|e| e.message().to_owned())
    }

    #[test]
    fn like_patterns_escape_as_trino_says() {
        assert_eq!(like_pattern("a\\c", None).unwrap(), "a\\\\c");
        assert_eq!(like_pattern("a#%%", Some('#')).unwrap(), "a\\%%");
        assert_eq!(like_pattern("a##b", Some('#')).unwrap(), "a#b");
        assert!(like_pattern("ab#", Some('#')).is_err());
        assert!(like_pattern("a#b", Some('#')).is_err());
        assert!(
            sql("SELECT x LIKE 'a' ESCAPE 'ab' FROM t").starts_with("INVALID_FUNCTION_ARGUMENT")
        );
    }

    #[test]
    fn window_frames_keep_literal_offsets_and_trinos_rules() {
        let s =
            sql("SELECT sum(x) OVER (ORDER BY y ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING) FROM t");
        assert!(
            s.contains("ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING"),
            "{s}"
        );
        for (frame, error) in [
            (
                "ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW",
                "INVALID_WINDOW_FRAME",
            ),
            (
                "ROWS BETWEEN -1 PRECEDING AND CURRENT ROW",
                "INVALID_WINDOW_FRAME",
            ),
            (
                "ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW",
                "INVALID_WINDOW_FRAME",
            ),
        ] {
            let s = sql(&format!("SELECT sum(x) OVER (ORDER BY y {frame}) FROM t"));
            assert!(s.starts_with(error), "{frame}: {s}");
        }
        let s = sql("SELECT sum(x) OVER (ORDER BY y, z RANGE 1 PRECEDING) FROM t");
        assert!(s.starts_with("INVALID_ORDER_BY"), "{s}");
        assert!(sql("SELECT rank() FROM t").starts_with("MISSING_OVER"));
        assert!(
            sql("SELECT ntile(0) OVER (ORDER BY x) FROM t")
                .starts_with("INVALID_FUNCTION_ARGUMENT")
        );
    }

    #[test]
    fn grouping_names_resolve_the_input_not_an_alias() {
        let s = sql("SELECT a + 1 AS b, count(*) FROM t GROUP BY b");
        assert!(s.contains("GROUP BY t.b"), "{s}");
        // A position still names the output.
        let s = sql("SELECT a + 1 AS b, count(*) FROM t GROUP BY 1");
        assert!(s.contains("GROUP BY 1"), "{s}");
    }

    #[test]
    fn group_by_all_is_the_default_quantifier() {
        assert_eq!(
            group_by_quantifier("SELECT a FROM t GROUP BY ALL a")
                .unwrap()
                .as_deref(),
            Some("SELECT a FROM t GROUP BY  a")
        );
        assert_eq!(group_by_quantifier("SELECT all FROM t").unwrap(), None);
        let err = group_by_quantifier("SELECT a FROM t GROUP BY DISTINCT ROLLUP (a)").unwrap_err();
        assert!(err.message().starts_with("NOT_SUPPORTED"), "{err}");
        assert!(sql("SELECT a FROM t GROUP BY ALL").starts_with("COLUMN_NOT_FOUND"));
    }

    #[test]
    fn using_joins_put_their_columns_first() {
        let s = sql("SELECT * FROM a FULL JOIN b USING (k)");
        assert_eq!(
            s,
            "SELECT coalesce((a.k), (b.k)) AS \"k\", a.* EXCLUDE (k), b.* EXCLUDE (k) FROM a FULL JOIN b ON a.k = b.k"
        );
        assert!(sql("SELECT a.k FROM a JOIN b USING (k)").starts_with("COLUMN_NOT_FOUND"));
        assert!(
            sql("SELECT * FROM a JOIN b USING (k) JOIN c USING (j)").starts_with("NOT_SUPPORTED")
        );
    }

    #[test]
    fn subqueries_as_values() {
        let s = sql("SELECT (SELECT v FROM u WHERE u.k = t.k) FROM t");
        assert!(
            s.contains("athena_single_value(((SELECT array_agg((v))"),
            "{s}"
        );
        // Aggregated subqueries are left to DataFusion.
        let s = sql("SELECT (SELECT max(v) FROM u) FROM t");
        assert!(!s.contains("athena_single_value"), "{s}");
        let s = sql("SELECT x IN (SELECT v FROM u) FROM t");
        assert!(s.contains("__athena_in.__athena_v"), "{s}");
    }

    #[test]
    fn syntax_trino_does_not_have_fails_to_parse() {
        for text in [
            "SELECT x IS TRUE FROM t",
            "SELECT x ILIKE 'a' FROM t",
            "SELECT x FROM t WHERE x SIMILAR TO 'a'",
        ] {
            assert!(
                matches!(parse_query(text), Err(QueryError::Malformed { .. })),
                "{text}"
            );
        }
        assert!(sql("SELECT * FROM a NATURAL JOIN b").starts_with("NOT_SUPPORTED"));
        assert!(sql("SELECT x FROM a INTERSECT ALL SELECT x FROM b").starts_with("NOT_SUPPORTED"));
        assert!(sql("SELECT x FROM t WHERE count(*) > 1").starts_with("EXPRESSION_NOT_SCALAR"));
    }
}
