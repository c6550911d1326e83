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
mod collections;
mod concat;
pub(crate) mod dates;
mod json;
mod json_text;
mod lambdas;
mod refusal;
mod regex;
mod strings;
mod subqueries;
mod text;
mod trino_fn;
mod types;
mod urls;

pub(crate) use aggregates::udaf as aggregate_udaf;
pub(crate) use json::canonical_json;
pub(crate) use types::trino_type_name;

/// Registers Trino names for DataFusion functions, and the functions DataFusion lacks.
pub(crate) fn register(ctx: &SessionContext) {
    // First: it rebuilds the session's state (see there).
    collections::register_planners(ctx);
    for udf in [
        json::to_json(),
        types::type_of(),
        strings::to_varchar(),
        strings::url_decode(),
        strings::url_encode(),
        concat::concat(),
        refusal::not_supported(),
        subqueries::single_value(),
    ] {
        ctx.register_udf(udf);
    }
    for udf in text::functions()
        .into_iter()
        .chain(regex::functions())
        .chain(binary::functions())
        .chain(urls::url_functions())
        .chain(json::functions())
    {
        ctx.register_udf(udf);
    }
    dates::register(ctx);
    lambdas::register(ctx);
    collections::register(ctx);
    aggregates::register(ctx);
}
