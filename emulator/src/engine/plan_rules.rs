//! Rules on DataFusion's logical plans that give a query Trino's semantics where they
//! depend on types, which the SQL rewrite (`rewrite/`) cannot see:
//!
//! - [`types`], before DataFusion's type coercion: the operands Trino refuses to mix
//!   (a varchar and a number, a boolean and a number, ...) fail with TYPE_MISMATCH
//!   instead of being cast, a double mixed with decimals is a double, and a bare NULL
//!   where Trino cannot choose an operator is AMBIGUOUS_FUNCTION_CALL;
//! - [`aggregates`], after it: `sum` of integers fails on overflow, `sum`/`avg` of reals
//!   are reals, `min`/`max` of floats skip NaN, and RANGE frames need a numeric or
//!   temporal sort key;
//! - [`ordering`], after it: ORDER BY puts `-0.0` with `0.0` and NaN where Trino does;
//! - [`try_expr`], after it: `TRY(x)` is NULL on the rows where `x` fails.

use std::sync::Arc;

use datafusion::execution::SessionStateBuilder;
use datafusion::execution::context::SessionContext;

mod aggregates;
mod ordering;
mod try_expr;
mod types;

/// `ctx` with the rules: [`types`] first among the analyzer's rules, the others after
/// DataFusion's.
pub(crate) fn with_trino_rules(ctx: SessionContext) -> SessionContext {
    let mut builder = SessionStateBuilder::new_from_existing(ctx.state());
    if let Some(analyzer) = builder.analyzer() {
        analyzer.rules.insert(0, Arc::new(types::TrinoTypes));
        analyzer.rules.push(Arc::new(aggregates::TrinoAggregates));
        analyzer.rules.push(Arc::new(ordering::TrinoOrdering));
        analyzer.rules.push(Arc::new(try_expr::TrinoTry));
    }
    let ctx = SessionContext::new_with_state(builder.build());
    ctx.register_udf(try_expr::try_marker());
    ctx
}
