//! The Trino functions DataFusion lacks, as UDFs, one file per family. Functions that
//! DataFusion has under another name or shape are rewritten in the query instead
//! (`rewrite/function_calls.rs`).
//!
//! The UDFs whose names start with `athena_` are the emulator's own: the query rewrite
//! calls them (`CAST(x AS JSON)` is `athena_to_json(x)`), and SHOW FUNCTIONS hides them.

use datafusion::execution::context::SessionContext;

mod adapters;
mod aggregates;
mod binary;
pub(crate) mod catalog;
mod dates;
mod json;
mod lambdas;
mod strings;
mod subqueries;
mod types;
mod urls;

pub(crate) use aggregates::udaf as aggregate_udaf;
pub(crate) use json::canonical_json;
pub(crate) use types::trino_type_name;

/// Registers Trino names for DataFusion functions, and the functions DataFusion lacks.
pub(crate) fn register(ctx: &SessionContext) {
    let series = datafusion::functions_nested::range::gen_series_udf();
    ctx.register_udf(series.as_ref().clone().with_aliases(["sequence"]));
    for udf in [
        json::to_json(),
        json::json_parse(),
        types::type_of(),
        strings::to_varchar(),
        strings::url_decode(),
        strings::url_encode(),
        json::json_extract(),
        json::json_extract_scalar(),
        dates::date_trunc(),
        dates::at_timezone(),
        binary::from_hex(),
        binary::to_hex(),
        subqueries::single_value(),
    ] {
        ctx.register_udf(udf);
    }
    for udf in urls::url_functions() {
        ctx.register_udf(udf);
    }
    lambdas::register(ctx);
    aggregates::register(ctx);
}
