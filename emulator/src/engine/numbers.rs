//! Numbers with Trino's semantics (docs/emulator-sql.md, "Numbers"): arithmetic types
//! and overflow, decimal precision and scale, casts, the text of numbers, and the
//! mathematical functions.
//!
//! DataFusion's type coercion decides result types by its own rules (`1.0 / 3` is a
//! `decimal(6,5)`, an integer sum wraps), so the semantics are put in place at two points
//! of planning:
//!
//! - while DataFusion plans the SQL, an expression planner (`planner.rs`) plans binary
//!   operators on numbers, seeing both operands' types before any coercion: integers by
//!   checked UDFs (`integer.rs`), decimals by UDFs with Trino's result types
//!   (`decimal.rs`);
//! - after type coercion, an analyzer rule (`analyzer.rs`) replaces the casts Arrow
//!   computes otherwise (`cast.rs`, `text.rs`), unary minus on integers, and `sum` / `avg`
//!   of decimals (`aggregate.rs`).
//!
//! The mathematical functions are UDFs under Trino's names (`math.rs`), replacing
//! DataFusion's functions of the same names.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::error::DataFusionError;
use datafusion::execution::FunctionRegistry;
use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::ScalarUDF;

mod aggregate;
mod analyzer;
mod cast;
mod decimal;
mod ieee;
mod integer;
mod math;
mod planner;
mod temporal;
mod text;

pub(crate) use text::{double_digits, java_number_text, real_digits};

/// Puts Trino's numbers in place on a session: the planner of binary operators, the
/// analyzer rule, and the mathematical functions.
pub(crate) fn install(ctx: &mut SessionContext) {
    if let Err(e) = ctx.register_expr_planner(Arc::new(planner::NumericPlanner)) {
        tracing::error!("numeric planner not registered: {e}");
    }
    ctx.add_analyzer_rule(Arc::new(analyzer::TrinoNumbers));
    let functions = math::functions();
    // A DataFusion function that has one of these names as an alias (`inner_product`
    // is also `dot_product`) goes: a session built from this one registers every
    // function again in no set order, and its alias could then take the name back.
    let names: std::collections::HashSet<&str> = functions.iter().map(|f| f.name()).collect();
    let clashing: std::collections::BTreeSet<String> = ctx
        .state()
        .scalar_functions()
        .values()
        .filter(|f| {
            !names.contains(f.name()) && f.aliases().iter().any(|a| names.contains(a.as_str()))
        })
        .map(|f| f.name().to_owned())
        .collect();
    for name in clashing {
        // SessionContext's own (FunctionRegistry's default does nothing).
        SessionContext::deregister_udf(ctx, &name);
    }
    for udf in functions {
        SessionContext::register_udf(ctx, udf);
    }
    // What the query rewrite calls for `CAST(x AS varchar(n))` and `+x`.
    SessionContext::register_udf(ctx, ScalarUDF::new_from_impl(cast::BoundedVarchar::new()));
    SessionContext::register_udf(ctx, ScalarUDF::new_from_impl(decimal::UnaryPlus::new()));
}

/// An error Trino reports under `code`: the message starts with it, which
/// `error.rs` keeps.
pub(crate) fn user_error(code: &str, message: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Execution(format!("{code}: {message}"))
}

/// `NUMERIC_VALUE_OUT_OF_RANGE: <message>`.
pub(crate) fn out_of_range(message: String) -> DataFusionError {
    user_error("NUMERIC_VALUE_OUT_OF_RANGE", message)
}

/// `DIVISION_BY_ZERO: Division by zero`.
pub(crate) fn division_by_zero() -> DataFusionError {
    user_error("DIVISION_BY_ZERO", "Division by zero")
}

/// `NOT_SUPPORTED: <what> is not supported by athena-emulator`.
pub(crate) fn not_supported(what: String) -> DataFusionError {
    user_error(
        "NOT_SUPPORTED",
        format!("{what} is not supported by athena-emulator"),
    )
}

/// Trino's name of a type, for messages.
pub(crate) fn trino_type(t: &DataType) -> String {
    crate::engine::functions::trino_type_name(t)
}
