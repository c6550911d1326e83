//! Trino's aggregate functions where DataFusion has none of the name or computes them
//! otherwise: the UDAFs here are the emulator's own (`athena_*`); the query rewrite
//! (`rewrite/aggregate_calls.rs`) calls them for Trino's names, and the plan rules
//! (`plan_rules/aggregates.rs`) put them in place of DataFusion's `sum`, `avg`, `min`
//! and `max` where Trino's types or semantics differ.

use std::sync::Arc;

use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::AggregateUDF;

mod approximate;
mod extremes;
mod moments;
mod sums;

fn all() -> impl Iterator<Item = AggregateUDF> {
    moments::udafs()
        .into_iter()
        .chain(sums::udafs())
        .chain(extremes::udafs())
        .chain(approximate::udafs())
}

/// Registers every UDAF of the module.
pub(crate) fn register(ctx: &SessionContext) {
    for udaf in all() {
        ctx.register_udaf(udaf);
    }
}

/// The UDAF of the module called `name`, for the plan rules that put one in place of
/// DataFusion's.
pub(crate) fn udaf(name: &str) -> Option<Arc<AggregateUDF>> {
    all().find(|u| u.name() == name).map(Arc::new)
}
