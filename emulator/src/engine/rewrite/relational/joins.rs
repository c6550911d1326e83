//! `JOIN ... USING` as Trino answers it.

use super::*;

// layout: long function, because the USING-to-ON rewrite of one FROM clause, whose steps share the relations' names and columns
/// `a JOIN b USING (c, ...)` as Trino answers it: the USING columns come first in
/// `SELECT *` (then the other columns of `a`, then `b`'s), and a USING column named
/// without a qualifier is `a.c` (inner and left joins), `b.c` (right joins) or
/// `coalesce(a.c, b.c)` (full joins). DataFusion lists the columns in table order and
/// reads `a.c` in every join, so the join is written with ON and the names replaced;
/// done for a FROM clause of two named relations. With more relations, a `SELECT *`
/// or a right or full USING join is refused.
pub(super) fn using_join(
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

#[derive(Clone, Copy)]
pub(super) enum UsingSide {
    Left,
    Right,
    Both,
}

/// The qualifier of a named relation's columns: its alias, or the table's name.
pub(super) fn relation_qualifier(relation: &TableFactor) -> Option<Vec<Ident>> {
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
