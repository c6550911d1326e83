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
//! - [`floats`], after it: a comparison with NaN is false (`<>`: true), and ORDER BY
//!   puts `-0.0` with `0.0` and NaN where Trino does;
//! - [`try_expr`], after it: `TRY(x)` is NULL on the rows where `x` fails.

use std::sync::Arc;

use datafusion::execution::SessionStateBuilder;
use datafusion::execution::context::SessionContext;

mod aggregates;
mod floats;
mod try_expr;
mod types;

/// `ctx` with the rules: [`types`] first among the analyzer's rules, the others after
/// DataFusion's.
pub(crate) fn with_trino_rules(ctx: SessionContext) -> SessionContext {
    let mut builder = SessionStateBuilder::new_from_existing(ctx.state());
    if let Some(analyzer) = builder.analyzer() {
        analyzer.rules.insert(0, Arc::new(types::TrinoTypes));
        analyzer.rules.push(Arc::new(aggregates::TrinoAggregates));
        analyzer.rules.push(Arc::new(floats::TrinoFloats));
        analyzer.rules.push(Arc::new(try_expr::TrinoTry));
    }
    let ctx = SessionContext::new_with_state(builder.build());
    ctx.register_udf(try_expr::try_marker());
    ctx
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::Array;
    use datafusion::arrow::util::display::array_value_to_string;

    /// The rows of `sql` planned by the engine's session (its rules, no SQL rewrite), as
    /// text; or the error's text.
    async fn rows(sql: &str) -> Result<Vec<String>, String> {
        let ctx = super::super::session();
        let batches = async { ctx.sql(sql).await?.collect().await }
            .await
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for batch in batches {
            for row in 0..batch.num_rows() {
                let cells: Vec<String> = batch
                    .columns()
                    .iter()
                    .map(|c| {
                        if c.is_null(row) {
                            "NULL".to_owned()
                        } else {
                            array_value_to_string(c, row).unwrap()
                        }
                    })
                    .collect();
                out.push(cells.join("|"));
            }
        }
        Ok(out)
    }

    #[tokio::test]
    async fn values_trino_does_not_mix_are_a_type_mismatch() {
        for sql in [
            "SELECT CAST(1 AS INT) = 'a'",
            "SELECT CASE WHEN true THEN 1 ELSE 'x' END",
            "SELECT coalesce(1, 'x')",
            "SELECT 1 IN (1, 'a')",
            "SELECT 1 UNION ALL SELECT 'a'",
        ] {
            let err = rows(sql).await.unwrap_err();
            assert!(err.contains("TYPE_MISMATCH"), "{sql}: {err}");
        }
        // A decimal next to a double is a double, as in Trino.
        assert_eq!(
            rows("SELECT arrow_typeof(CASE WHEN true THEN CAST(1 AS DOUBLE) ELSE 0.5 END)")
                .await
                .unwrap(),
            vec!["Float64"]
        );
    }

    #[tokio::test]
    async fn sums_overflow_and_floats_order_as_in_trino() {
        let err = rows("SELECT sum(x) FROM (VALUES (9223372036854775807), (1)) t(x)")
            .await
            .unwrap_err();
        assert!(err.contains("NUMERIC_VALUE_OUT_OF_RANGE"), "{err}");
        assert_eq!(
            rows("SELECT max(x) FROM (VALUES (CAST(1 AS DOUBLE)), (CAST('NaN' AS DOUBLE)), (CAST(3 AS DOUBLE))) t(x)")
                .await
                .unwrap(),
            vec!["3.0"]
        );
        assert_eq!(
            rows(
                "SELECT x FROM (VALUES (CAST('NaN' AS DOUBLE)), (CAST(1 AS DOUBLE)), (NULL)) t(x) ORDER BY x NULLS FIRST"
            )
            .await
            .unwrap(),
            vec!["NULL", "NaN", "1.0"]
        );
    }

    #[tokio::test]
    async fn nan_compares_as_in_trino() {
        let nan = "CAST('NaN' AS DOUBLE)";
        assert_eq!(
            rows(&format!(
                "SELECT {nan} = {nan}, {nan} <> {nan}, {nan} > CAST(1 AS DOUBLE), {nan} IN (CAST(1 AS DOUBLE), {nan}), {nan} = CAST(NULL AS DOUBLE)"
            ))
            .await
            .unwrap(),
            vec!["false|true|false|false|NULL"]
        );
        assert_eq!(
            rows(&format!(
                "SELECT x FROM (VALUES ({nan}), (CAST(2 AS DOUBLE))) t(x) WHERE x > 1.5"
            ))
            .await
            .unwrap(),
            vec!["2.0"]
        );
    }

    #[tokio::test]
    async fn try_is_null_on_the_rows_that_fail() {
        assert_eq!(
            rows("SELECT athena_try(10 / x) FROM (VALUES (0), (2), (NULL)) t(x)")
                .await
                .unwrap(),
            vec!["NULL", "5", "NULL"]
        );
        assert_eq!(
            rows("SELECT athena_try(CAST('x' AS INT))").await.unwrap(),
            vec!["NULL"]
        );
    }
}
