//! `INTERSECT ALL` and `EXCEPT ALL` as Trino answers them: a row is kept as many times as
//! it occurs in both sides (INTERSECT: the smaller count; EXCEPT: the left count less
//! the right). DataFusion keeps every duplicate of the left side that has a match.
//!
//! Each side numbers the copies of each row (`row_number() OVER (PARTITION BY every
//! column)`), so that copies become distinct rows; the DISTINCT set operation of the
//! numbered sides then keeps exactly the copies Trino keeps, and the number is dropped:
//!
//! ```sql
//! SELECT __s.c1 AS name1, ... FROM (
//!   (SELECT __l.*, row_number() OVER (PARTITION BY __l.c1, ...) FROM (<left>) __l(c1, ...))
//!   INTERSECT
//!   (SELECT __r.*, row_number() OVER (PARTITION BY __r.c1, ...) FROM (<right>) __r(c1, ...))
//! ) __s(c1, ..., n)
//! ```

use super::*;

/// Rewrites every INTERSECT ALL and EXCEPT ALL of `body`.
pub(super) fn all_set_operations(body: &mut SetExpr) -> Result<(), QueryError> {
    let SetExpr::SetOperation {
        left,
        op,
        set_quantifier,
        right,
    } = body
    else {
        return Ok(());
    };
    all_set_operations(left)?;
    all_set_operations(right)?;
    let keyword = match op {
        SetOperator::Intersect => "INTERSECT",
        SetOperator::Except | SetOperator::Minus => "EXCEPT",
        _ => return Ok(()),
    };
    if !matches!(set_quantifier, SetQuantifier::All) {
        return Ok(());
    }
    let Some(names) = output_names(left) else {
        return Err(not_supported(&format!(
            "{keyword} ALL of a side whose columns are not listed (SELECT *)"
        )));
    };
    let columns: Vec<String> = (1..=names.len())
        .map(|i| format!("__athena_c{i}"))
        .collect();
    let list = columns.join(", ");
    let numbered = |alias: &str| {
        let partition: Vec<String> = columns.iter().map(|c| format!("{alias}.{c}")).collect();
        format!(
            "(SELECT {alias}.*, row_number() OVER (PARTITION BY {}) AS __athena_copy \
             FROM (SELECT 1) AS {alias}({list}))",
            partition.join(", ")
        )
    };
    let outputs: Vec<String> = columns
        .iter()
        .zip(&names)
        .map(|(c, n)| format!("__athena_s.{c} AS \"{}\"", n.replace('"', "\"\"")))
        .collect();
    let text = format!(
        "SELECT {} FROM ({} {keyword} {}) AS __athena_s({list}, __athena_copy)",
        outputs.join(", "),
        numbered("__athena_l"),
        numbered("__athena_r"),
    );
    let mut query = parse_query_text(&text)?;
    // Put each side in place of its placeholder `(SELECT 1)`.
    let mut sides = vec![left.as_ref().clone(), right.as_ref().clone()].into_iter();
    let _ = VisitMut::visit(&mut query, &mut PlaceSides { sides: &mut sides });
    *body = SetExpr::Query(Box::new(query));
    Ok(())
}

/// The output names of a query body as Trino names them (its first SELECT's).
fn output_names(body: &SetExpr) -> Option<Vec<String>> {
    match body {
        SetExpr::Select(select) => select
            .projection
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.to_lowercase()),
                SelectItem::UnnamedExpr(Expr::Identifier(id)) => Some(id.value.to_lowercase()),
                SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => {
                    parts.last().map(|p| p.value.to_lowercase())
                }
                SelectItem::UnnamedExpr(_) => Some(format!("_col{i}")),
                _ => None,
            })
            .collect(),
        SetExpr::Query(q) => output_names(&q.body),
        SetExpr::SetOperation { left, .. } => output_names(left),
        SetExpr::Values(values) => values
            .rows
            .first()
            .map(|row| (0..row.content.len()).map(|i| format!("_col{i}")).collect()),
        _ => None,
    }
}

fn parse_query_text(text: &str) -> Result<Query, QueryError> {
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::parser::Parser;
    Parser::new(&GenericDialect {})
        .try_with_sql(text)
        .and_then(|mut p| p.parse_query())
        .map(|q| *q)
        .map_err(|e| {
            QueryError::system(format!(
                "GENERIC_INTERNAL_ERROR: set operation rewrite: {e}"
            ))
        })
}

/// Replaces the derived tables `(SELECT 1)` of the template by the sides, in order.
struct PlaceSides<'a> {
    sides: &'a mut dyn Iterator<Item = SetExpr>,
}

impl VisitorMut for PlaceSides<'_> {
    type Break = ();

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if let TableFactor::Derived { subquery, .. } = factor
            && matches!(subquery.body.as_ref(), SetExpr::Select(s) if s.from.is_empty())
            && let Some(side) = self.sides.next()
        {
            *subquery.body = side;
        }
        ControlFlow::Continue(())
    }
}
