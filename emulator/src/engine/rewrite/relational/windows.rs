//! Window frames and named windows as Trino checks and inherits them.

use super::*;

/// A window's frame as DataFusion plans it and Trino checks it.
pub(super) fn fix_window(spec: &mut WindowSpec) -> Result<(), QueryError> {
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

pub(super) fn invalid_frame(message: &str) -> QueryError {
    QueryError::user(format!("INVALID_WINDOW_FRAME: {message}"))
}

/// Trino's rules for a frame (its analyzer's messages).
pub(super) fn check_frame(
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
pub(super) fn frame_offset(offset: &Expr) -> Result<Expr, QueryError> {
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

/// Windows defined on other windows (`WINDOW w1 AS (PARTITION BY a), w2 AS (w1 ORDER BY
/// b)`, `OVER (w1 ORDER BY b)`) with what they inherit written out: the named window's
/// PARTITION BY, and its ORDER BY and frame where the new one has none. DataFusion
/// drops the PARTITION BY of a window named inside another's definition.
pub(super) fn inherit_named_windows(select: &mut Select) {
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
pub(super) fn inherit(spec: &mut WindowSpec, base: WindowSpec) {
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
