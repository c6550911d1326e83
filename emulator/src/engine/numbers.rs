//! Numbers with Trino's semantics (emulator/SQL.md, "Numbers"): arithmetic types
//! and overflow, decimal precision and scale, casts, the text of numbers, and the
//! mathematical functions.
//!
//! DataFusion's type coercion decides result types by its own rules (`1.0 / 3` is a
//! `decimal(6,5)`, an integer sum wraps), so the semantics are put in place at two points
//! of planning:
//!
//! - while DataFusion plans the SQL, an expression planner (`planner.rs`) plans binary
//!   operators on numbers, seeing both operands' types before any coercion: arithmetic
//!   by UDFs that resolve their operands as Trino does (`arithmetic.rs`: checked
//!   integers, `integer.rs`; decimals of Trino's result types, `decimal.rs`);
//! - before type coercion, an analyzer rule (`unify.rs`) casts numbers that meet in one
//!   column (CASE, coalesce, UNION, IN) to Trino's common type, and puts Trino's `sum` /
//!   `avg` of decimals in place (`aggregate.rs`);
//! - after type coercion, an analyzer rule (`analyzer.rs`) replaces the casts Arrow
//!   computes otherwise (`cast.rs`, `text.rs`) and unary minus on integers.
//!
//! The mathematical functions are UDFs under Trino's names (`math.rs`), replacing
//! DataFusion's functions of the same names.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::error::DataFusionError;
use datafusion::execution::context::SessionContext;
use datafusion::execution::{FunctionRegistry, SessionStateBuilder};
use datafusion::logical_expr::ScalarUDF;

mod aggregate;
mod analyzer;
mod arithmetic;
mod cast;
mod decimal;
mod ieee;
mod integer;
mod math;
mod planner;
mod temporal;
mod text;
mod unify;

pub(crate) use text::{
    Unreadable, double_digits, java_number_text, java_trim, parse_double, parse_long, real_digits,
};
pub(crate) use unify::common_numeric;

/// Puts Trino's numbers in place on a session: the planner of binary operators, the
/// analyzer rule, and the mathematical functions.
pub(crate) fn install(ctx: &mut SessionContext) {
    // Trino's common types of numbers are put in place before DataFusion's type coercion
    // (the first analyzer rule; the session only appends rules, so it is rebuilt).
    let state = ctx.state();
    let mut analyzer = state.analyzer().clone();
    analyzer.rules.insert(0, Arc::new(unify::TrinoUnification));
    let mut builder = SessionStateBuilder::new_from_existing(state);
    *builder.analyzer() = Some(analyzer);
    *ctx = SessionContext::new_with_state(builder.build());
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
    // What the query rewrite calls for `CAST(x AS varchar(n))`, `CAST(x AS char(n))`
    // and `+x`.
    for udf in [
        ScalarUDF::new_from_impl(cast::BoundedVarchar::new(false)),
        ScalarUDF::new_from_impl(cast::BoundedVarchar::new(true)),
        ScalarUDF::new_from_impl(cast::CharText::new()),
    ] {
        SessionContext::register_udf(ctx, udf);
    }
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

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use crate::engine::{Engine, EngineConfig, ExecutionContext, QueryError};

    /// The type (`decimal(p,s)` with its precision and scale) and text of each column of
    /// the one row `sql` answers, or the error's message.
    async fn answer(engine: &Engine, sql: &str) -> Result<Vec<(String, Option<String>)>, String> {
        let run = async {
            let prepared = engine.prepare(sql)?;
            let out = engine
                .execute(&prepared, &ExecutionContext::default())
                .await?;
            let mut rows = Vec::new();
            let mut stream = out.rows;
            while let Some(batch) = stream.next().await {
                rows.extend(batch?);
            }
            Ok::<_, QueryError>((out.columns, rows))
        };
        let (columns, rows) = run.await.map_err(|e| e.message().to_owned())?;
        let row = rows.into_iter().next().unwrap_or_default();
        Ok(columns
            .iter()
            .zip(row)
            .map(|(c, v)| {
                let t = if c.athena_type == "decimal" {
                    format!("decimal({},{})", c.precision, c.scale)
                } else {
                    c.athena_type.clone()
                };
                (t, v)
            })
            .collect())
    }

    async fn engine() -> Engine {
        Engine::new(EngineConfig {
            cloudfront_rows: 0,
            ..EngineConfig::default()
        })
        .await
        .expect("engine")
    }

    fn one(t: &str, v: &str) -> Vec<(String, Option<String>)> {
        vec![(t.to_owned(), Some(v.to_owned()))]
    }

    #[tokio::test]
    async fn integer_arithmetic_is_checked_in_constants_and_columns() {
        let e = engine().await;
        let err = answer(&e, "SELECT 2147483647 + 1").await.unwrap_err();
        assert!(
            err.starts_with("NUMERIC_VALUE_OUT_OF_RANGE: integer addition overflow"),
            "{err}"
        );
        let err = answer(&e, "SELECT x * 2 FROM (VALUES (2000000000)) t(x)")
            .await
            .unwrap_err();
        assert!(err.starts_with("NUMERIC_VALUE_OUT_OF_RANGE"), "{err}");
        let err = answer(&e, "SELECT -x FROM (VALUES (CAST(-128 AS tinyint))) t(x)")
            .await
            .unwrap_err();
        assert!(err.contains("tinyint negation overflow"), "{err}");
        assert_eq!(
            answer(&e, "SELECT -7 / 2").await.unwrap(),
            one("integer", "-3")
        );
        assert_eq!(
            answer(&e, "SELECT -2147483648").await.unwrap(),
            one("integer", "-2147483648")
        );
        let err = answer(&e, "SELECT 7 % 0").await.unwrap_err();
        assert!(err.starts_with("DIVISION_BY_ZERO"), "{err}");
    }

    #[tokio::test]
    async fn decimals_take_trinos_types() {
        let e = engine().await;
        assert_eq!(
            answer(&e, "SELECT 1.0 / 3").await.unwrap(),
            one("decimal(2,1)", "0.3")
        );
        assert_eq!(
            answer(&e, "SELECT 1.5 * 2.25").await.unwrap(),
            one("decimal(5,3)", "3.375")
        );
        assert_eq!(
            answer(&e, "SELECT sum(x) FROM (VALUES (1.25), (2.50)) t(x)")
                .await
                .unwrap(),
            one("decimal(38,2)", "3.75")
        );
        assert_eq!(
            answer(&e, "SELECT avg(x) FROM (VALUES (1.25), (2.50)) t(x)")
                .await
                .unwrap(),
            one("decimal(3,2)", "1.88")
        );
        let err = answer(
            &e,
            "SELECT DECIMAL '99999999999999999999999999999999999999' + 1",
        )
        .await
        .unwrap_err();
        assert!(err.contains("Decimal overflow"), "{err}");
    }

    #[tokio::test]
    async fn casts_and_functions_answer_as_trino() {
        let e = engine().await;
        assert_eq!(
            answer(&e, "SELECT CAST(12.5 AS INTEGER)").await.unwrap(),
            one("integer", "13")
        );
        assert_eq!(
            answer(&e, "SELECT CAST(1.5e0 AS VARCHAR)").await.unwrap(),
            one("varchar", "1.5E0")
        );
        assert_eq!(
            answer(&e, "SELECT sqrt(-1e0)").await.unwrap(),
            one("double", "NaN")
        );
        assert_eq!(
            answer(&e, "SELECT nan() = nan()").await.unwrap(),
            one("boolean", "false")
        );
        assert_eq!(
            answer(&e, "SELECT greatest(1, NULL, 3)").await.unwrap(),
            vec![("integer".to_owned(), None)]
        );
        let err = answer(&e, "SELECT abs('x')").await.unwrap_err();
        assert!(
            err.starts_with("FUNCTION_NOT_FOUND: Unexpected parameters"),
            "{err}"
        );
        let err = answer(&e, "SELECT CAST('x' AS INTEGER)").await.unwrap_err();
        assert_eq!(err, "INVALID_CAST_ARGUMENT: Cannot cast 'x' to INT");
        let err = answer(&e, "SELECT 1 = 'a'").await.unwrap_err();
        assert!(err.starts_with("TYPE_MISMATCH"), "{err}");
        let err = answer(&e, "SELECT tanh(1)").await.unwrap_err();
        assert!(err.starts_with("NOT_SUPPORTED"), "{err}");
    }
}
