//! The rewrite of a parsed statement towards Trino's semantics, node by node: literals,
//! casts and function calls (each in its own module), and positions (`ORDER BY 1`) that
//! must stay plain numbers.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    CastKind, DataType, Expr, GroupByExpr, LimitClause, OrderByKind, Query, SetExpr, UnaryOperator,
    Value, VisitMut, VisitorMut,
};

use super::ast::template;
use super::{casts, datetime, function_calls, literals, numbers, strings};

/// Rewrites Trino-only syntax into what DataFusion plans.
pub(crate) fn rewrite_tree<V: VisitMut>(node: &mut V) {
    let _ = node.visit(&mut TrinoRewriter);
}

struct TrinoRewriter;

impl VisitorMut for TrinoRewriter {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Some(new) = rewrite_expr(expr) {
            *expr = new;
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        // Positions (ORDER BY 1, GROUP BY 1) and LIMIT/OFFSET stay plain numbers.
        if let Some(order_by) = &mut query.order_by
            && let OrderByKind::Expressions(items) = &mut order_by.kind
        {
            for item in items {
                unwrap_int(&mut item.expr);
            }
        }
        if let Some(limit) = &mut query.limit_clause {
            match limit {
                LimitClause::LimitOffset { limit, offset, .. } => {
                    if let Some(l) = limit {
                        unwrap_int(l);
                    }
                    if let Some(o) = offset {
                        unwrap_int(&mut o.value);
                    }
                }
                LimitClause::OffsetCommaLimit { offset, limit } => {
                    unwrap_int(offset);
                    unwrap_int(limit);
                }
            }
        }
        if let Some(fetch) = &mut query.fetch
            && let Some(q) = &mut fetch.quantity
        {
            unwrap_int(q);
        }
        fix_group_by(query.body.as_mut());
        datetime::unify_values(query.body.as_mut());
        ControlFlow::Continue(())
    }
}

fn fix_group_by(body: &mut SetExpr) {
    match body {
        SetExpr::Select(select) => {
            if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
                for e in exprs {
                    unwrap_int(e);
                }
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            fix_group_by(left);
            fix_group_by(right);
        }
        _ => {}
    }
}

/// Undoes the integer cast of a number literal.
fn unwrap_int(expr: &mut Expr) {
    if let Expr::Cast {
        kind: CastKind::Cast,
        expr: inner,
        data_type: DataType::Integer(None),
        ..
    } = expr
        && matches!(inner.as_ref(), Expr::Value(v) if matches!(v.value, Value::Number(..)))
    {
        *expr = inner.as_ref().clone();
    }
}

fn rewrite_expr(expr: &Expr) -> Option<Expr> {
    match expr {
        Expr::Value(v) => literals::number(expr, &v.value),
        Expr::TypedString(ts) => literals::typed_string(ts),
        Expr::Cast { .. } => casts::rewrite_cast(expr),
        Expr::Function(f) => function_calls::rewrite_call(expr, f),
        Expr::BinaryOp { .. }
        | Expr::Substring { .. }
        | Expr::Position { .. }
        | Expr::Trim { .. } => strings::syntax(expr),
        Expr::Interval(interval) => datetime::interval(interval),
        Expr::Between {
            expr: value,
            negated,
            low,
            high,
        } => datetime::between(value, *negated, low, high),
        // `-2147483648` is an integer in Trino (numbers.rs); other negations are planned
        // with Trino's types (datetime.rs).
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr: operand,
        } => numbers::negative_number(operand).or_else(|| datetime::negate(operand)),
        Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr: operand,
        } => numbers::unary_plus(operand),
        Expr::Extract { field, expr, .. } => datetime::extract(field, expr),
        // DataFusion's AT TIME ZONE gives nanoseconds; Trino keeps the precision.
        Expr::AtTimeZone {
            timestamp,
            time_zone,
        } => template(
            "athena_at_timezone(__0, __1)",
            &[timestamp.as_ref().clone(), time_zone.as_ref().clone()],
        ),
        _ => None,
    }
}
