//! Names in GROUP BY, HAVING and ORDER BY as Trino resolves them, and FETCH FIRST.

use super::*;

/// In Trino, GROUP BY and HAVING see the columns of the FROM clause, never an output
/// alias; DataFusion falls back on a SELECT alias when no column has the name. A bare
/// name in GROUP BY or HAVING that is also an alias of another expression is qualified
/// with the one relation of the FROM clause, so that it resolves to that relation's
/// column or fails as in Trino (COLUMN_NOT_FOUND).
pub(super) fn qualify_grouping_names(select: &mut Select) {
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
pub(super) const HIDDEN_FROM_HAVING: &str = "having";

/// ORDER BY sees output aliases, those hidden from HAVING included: its bare names of
/// them are renamed too.
pub(super) fn order_by_hidden_aliases(
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
pub(super) fn single_relation_name(select: &Select) -> Option<Vec<Ident>> {
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

/// `FETCH FIRST n ROWS ONLY` is `LIMIT n` (n is 1 when left out).
pub(super) fn fetch_as_limit(
    fetch: Fetch,
    limit: Option<LimitClause>,
) -> Result<LimitClause, QueryError> {
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
