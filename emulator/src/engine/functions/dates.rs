//! Trino's dates, times, time zones and intervals (trino.io, "Date and time functions and
//! operators" and "Data types"), with their types held in Arrow as `dates/types.rs`
//! says.
//!
//! The query rewrite (`rewrite/datetime.rs`) turns literals, casts and Trino's function
//! calls into the `athena_*` functions here; the operators `+`, `-`, `*`, `/` and the
//! comparisons whose operands are these types are planned by [`ops::TemporalPlanner`].

use std::sync::Arc;

use datafusion::arrow::array::Array;
use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::ScalarUDF;

mod arith;
mod checks;
mod fields;
mod format;
mod misc;
mod ops;
mod pattern;
mod sequence;
mod text;
mod types;
mod udf;
mod values;
mod zoned;
mod zones;

pub(crate) use ops::NEGATE;
pub(crate) use types::Kind;
pub(crate) use values::{literal_type, to_text};

/// The date/time UDFs.
pub(crate) fn udfs() -> Vec<ScalarUDF> {
    vec![
        values::literal(),
        values::cast(),
        values::try_cast(),
        values::refuse(),
        ops::op(),
        fields::field(),
        fields::extract(),
        fields::last_day_of_month(),
        arith::date_add(),
        arith::date_diff(),
        arith::date_trunc(),
        zoned::at_timezone(),
        zoned::with_timezone(),
        zoned::from_unixtime(),
        zoned::from_unixtime_nanos(),
        zoned::to_unixtime(),
        zoned::timezone(),
        misc::to_milliseconds(),
        misc::parse_duration(),
        misc::human_readable_seconds(),
        sequence::sequence(),
        format::date_format(),
        format::date_parse(),
        format::format_datetime(),
        format::parse_datetime(),
        format::to_iso8601(),
        format::from_iso8601_timestamp(),
        format::from_iso8601_timestamp_nanos(),
        format::from_iso8601_date(),
    ]
}

/// Registers the UDFs and the planner of the operators.
pub(crate) fn register(ctx: &SessionContext) {
    for udf in udfs() {
        ctx.register_udf(udf);
    }
    let registered = {
        use datafusion::execution::FunctionRegistry;
        ctx.state_ref()
            .write()
            .register_expr_planner(Arc::new(ops::TemporalPlanner))
    };
    if let Err(e) = registered {
        tracing::error!("date/time operators not planned: {e}");
    }
    ctx.add_analyzer_rule(Arc::new(checks::TemporalCasts));
}

/// Writes the text of value `i` of a time, or an interval array (the renderer's share of
/// this module; NULLs are the caller's).
pub(crate) fn write_arrow_value(out: &mut String, array: &dyn Array, i: usize) {
    let Some(kind) = types::Kind::of_type(array.data_type(), None) else {
        return;
    };
    if let Ok(values) = types::read(&array.slice(i, 1))
        && let Some(Some(v)) = values.first()
    {
        values::write_value(out, &kind, *v, true);
    }
}
