//! Scalar subqueries and `x IN (subquery)` as values, with Trino's answers.

use super::*;

/// `(SELECT x FROM ... WHERE ...)` as a scalar subquery of a plain, unaggregated SELECT of
/// one column: `athena_single_value((SELECT array_agg(x) FROM ...))`, which is its one
/// value, NULL without rows, and fails with SUBQUERY_MULTIPLE_ROWS on more than one row
/// where Trino fails (only for the rows that use it). DataFusion plans correlated scalar
/// subqueries only when they are aggregated.
pub(super) fn single_value_subquery(query: &Query) -> Option<Expr> {
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

/// `x [NOT] IN (subquery)` as a value (in the SELECT list), which DataFusion plans only
/// as a filter: counts of the subquery's rows, with Trino's three-valued answer: true
/// when a row equals `x`; false when there are no rows; NULL when `x` is NULL or a row
/// is NULL; else false. The subquery is counted as a derived table of one column whose
/// names cannot capture the names of `x` (DataFusion cannot plan it when the subquery
/// itself is correlated, and refuses it).
pub(super) fn replace_in_subqueries(expr: &mut Expr) {
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

pub(super) fn in_subquery_value(value: &Expr, subquery: &Query, negated: bool) -> Option<Expr> {
    if correlated(subquery) {
        return None;
    }
    let matches = count_rows(subquery, value, Some("__athena_in.__athena_v = (__0)"))?;
    let rows = count_rows(subquery, value, None)?;
    let nulls = count_rows(subquery, value, Some("__athena_in.__athena_v IS NULL"))?;
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

/// `x op ALL (subquery)` / `x op ANY (subquery)` (SOME is ANY) with Trino's three-valued
/// answer, from uncorrelated aggregates of the (uncorrelated) subquery: its rows, its
/// non-NULL values, their minimum and maximum (DataFusion cannot decorrelate a
/// subquery whose correlation is an inequality). ALL is true without rows, NULL for a
/// NULL `x`, false when a value compares false, NULL when a value is NULL, else true;
/// ANY is true when a value compares true, false without rows, NULL for a NULL `x` or a
/// NULL value, else false. `= ANY` is IN, `<> ALL` is NOT IN.
pub(super) fn quantified_value(
    value: &Expr,
    op: &datafusion::sql::sqlparser::ast::BinaryOperator,
    right: &Expr,
    all: bool,
) -> Option<Expr> {
    use datafusion::sql::sqlparser::ast::BinaryOperator as B;
    let Expr::Subquery(subquery) = right else {
        return None;
    };
    match (op, all) {
        (B::Eq, false) => return in_subquery_value(value, subquery, false),
        (B::NotEq, true) => return in_subquery_value(value, subquery, true),
        _ => {}
    }
    if correlated(subquery) {
        return None;
    }
    let rows = count_rows(subquery, value, None)?;
    let values = aggregate_rows(subquery, "count(__athena_in.__athena_v)")?;
    let min = aggregate_rows(subquery, "min(__athena_in.__athena_v)")?;
    let max = aggregate_rows(subquery, "max(__athena_in.__athena_v)")?;
    // `= ALL` is false, `<> ANY` true, as soon as two values differ, whatever `x` is
    // (measured on Trino 476, NULL `x` included).
    if matches!((op, all), (B::Eq, true) | (B::NotEq, false)) {
        let (differ, same) = if all {
            ("false", "true")
        } else {
            ("true", "false")
        };
        let empty = if all { "true" } else { "false" };
        let text = format!(
            "CASE WHEN __0 = 0 THEN {empty} WHEN __2 > 0 AND __4 <> __5 THEN {differ} \
             WHEN __1 IS NULL THEN CAST(NULL AS BOOLEAN) WHEN __2 > 0 AND __4 <> __1 THEN {differ} \
             WHEN __3 > __2 THEN CAST(NULL AS BOOLEAN) ELSE {same} END"
        );
        return template(
            &text,
            &[rows.clone(), value.clone(), values, rows, min, max],
        );
    }
    // Whether some value compares true (ANY) or false (ALL), given non-NULL values.
    let decided = match (op, all) {
        (B::Gt, true) => "NOT (__1 > __5)",
        (B::GtEq, true) => "NOT (__1 >= __5)",
        (B::Lt, true) => "NOT (__1 < __4)",
        (B::LtEq, true) => "NOT (__1 <= __4)",
        (B::Gt, false) => "__1 > __4",
        (B::GtEq, false) => "__1 >= __4",
        (B::Lt, false) => "__1 < __5",
        (B::LtEq, false) => "__1 <= __5",
        _ => return None,
    };
    // __0 rows, __1 x, __2 non-NULL values, __3 rows again, __4 min, __5 max.
    let text = if all {
        format!(
            "CASE WHEN __0 = 0 THEN true WHEN __1 IS NULL THEN CAST(NULL AS BOOLEAN) \
             WHEN __2 > 0 AND {decided} THEN false \
             WHEN __3 > __2 THEN CAST(NULL AS BOOLEAN) ELSE true END"
        )
    } else {
        format!(
            "CASE WHEN __2 > 0 AND {decided} THEN true WHEN __0 = 0 THEN false \
             WHEN __1 IS NULL OR __3 > __2 THEN CAST(NULL AS BOOLEAN) ELSE false END"
        )
    };
    template(
        &text,
        &[rows.clone(), value.clone(), values, rows, min, max],
    )
}

/// `(SELECT <aggregate> FROM (<subquery>) AS __athena_in(__athena_v))`.
fn aggregate_rows(subquery: &Query, aggregate: &str) -> Option<Expr> {
    let text = format!("(SELECT {aggregate} FROM (SELECT 1) AS __athena_in(__athena_v))");
    let mut counted = template(&text, &[])?;
    if let Expr::Subquery(q) = &mut counted
        && let SetExpr::Select(s) = q.body.as_mut()
        && let Some(TableFactor::Derived {
            subquery: inner, ..
        }) = s.from.first_mut().map(|t| &mut t.relation)
    {
        **inner = subquery.clone();
    }
    Some(counted)
}

/// `(SELECT count(*) FROM (<subquery>) AS __athena_in(__athena_v) [WHERE <condition>])`,
/// `__0` in the condition standing for `value` (an outer value: the derived table's one
/// column has a name nothing else has).
fn count_rows(subquery: &Query, value: &Expr, condition: Option<&str>) -> Option<Expr> {
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
}

/// Whether `query` names a column with a qualifier that none of its own relations has
/// (a correlated subquery; one that names outer columns without a qualifier is not
/// seen).
pub(super) fn correlated(query: &Query) -> bool {
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
