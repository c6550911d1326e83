//! Trino's aggregate functions as DataFusion plans them: renamed to DataFusion's or the
//! emulator's UDAF of the same meaning (`functions/aggregates/`), their arguments
//! reshaped where needed. A call keeps its DISTINCT, FILTER, ORDER BY and OVER clauses,
//! so the same rewrite serves aggregates and aggregates used as windows.

use datafusion::sql::sqlparser::ast::{
    DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentClause,
    FunctionArguments, Ident, ListAggOnOverflow, ObjectName, ObjectNamePart, Value,
};

use super::ast::{cast, function_name, template};
use crate::engine::error::QueryError;

/// The rewrite of a call of one of Trino's aggregate functions, `None` when it is not
/// one that needs it. (The forms Trino or the emulator refuse were refused before the
/// rewrite: `relational::check_relational`.)
pub(super) fn rewrite_aggregate(f: &Function) -> Option<Expr> {
    let name = function_name(&f.name)?;
    let arity = match &f.args {
        FunctionArguments::List(list) => list.args.len(),
        _ => 0,
    };
    let renamed = |to: &str| Some(Expr::Function(with_name(f, to)));
    match (name.as_str(), arity) {
        ("arbitrary", 1) => renamed("any_value"),
        ("every", 1) => renamed("bool_and"),
        ("count_if", 1) => {
            let mut call = with_name(f, "count");
            map_first_arg(&mut call, |c| template("CASE WHEN __0 THEN 1 END", &[c]));
            Some(Expr::Function(call))
        }
        ("max_by", 2 | 3) => renamed("athena_max_by"),
        ("min_by", 2 | 3) => renamed("athena_min_by"),
        ("max", 2) => renamed("athena_max_n"),
        ("min", 2) => renamed("athena_min_n"),
        ("approx_distinct", 1 | 2) => renamed("athena_approx_distinct"),
        ("approx_percentile", 2..=4) => renamed("athena_approx_percentile"),
        ("variance" | "var_samp", 1) => renamed("athena_var_samp"),
        ("var_pop", 1) => renamed("athena_var_pop"),
        ("stddev" | "stddev_samp", 1) => renamed("athena_stddev_samp"),
        ("stddev_pop", 1) => renamed("athena_stddev_pop"),
        ("kurtosis", 1) => renamed("athena_kurtosis"),
        ("skewness", 1) => renamed("athena_skewness"),
        ("corr", 2) => renamed("athena_corr"),
        ("covar_samp", 2) => renamed("athena_covar_samp"),
        ("covar_pop", 2) => renamed("athena_covar_pop"),
        ("regr_slope", 2) => renamed("athena_regr_slope"),
        ("regr_intercept", 2) => renamed("athena_regr_intercept"),
        ("geometric_mean", 1) => renamed("athena_geometric_mean"),
        ("histogram", 1) => renamed("athena_histogram"),
        ("map_agg", 2) => renamed("athena_map_agg"),
        ("multimap_agg", 2) => renamed("athena_multimap_agg"),
        // Trino's bitwise aggregates take and return bigints.
        ("bitwise_and_agg" | "bitwise_or_agg" | "bitwise_xor_agg", 1) => {
            let to = match name.as_str() {
                "bitwise_and_agg" => "bit_and",
                "bitwise_or_agg" => "bit_or",
                _ => "bit_xor",
            };
            let mut call = with_name(f, to);
            map_first_arg(&mut call, |x| Some(cast(x, DataType::BigInt(None))));
            Some(Expr::Function(call))
        }
        ("listagg", 1 | 2) => Some(listagg(f)),
        _ => None,
    }
}

/// `f` called by another name.
fn with_name(f: &Function, to: &str) -> Function {
    let mut call = f.clone();
    call.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(to))]);
    call
}

/// Replaces the first argument of `call` by `map` of it.
fn map_first_arg(call: &mut Function, map: impl FnOnce(Expr) -> Option<Expr>) {
    if let FunctionArguments::List(list) = &mut call.args
        && let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(first))) = list.args.first_mut()
        && let Some(new) = map(first.clone())
    {
        *first = new;
    }
}

/// `listagg(x[, separator]) WITHIN GROUP (ORDER BY ...)` is DataFusion's
/// `string_agg(x, separator ORDER BY ...)`: NULLs skipped, NULL when nothing is left.
/// (`ON OVERFLOW ERROR`, the default, fails only past 1 MB.)
fn listagg(f: &Function) -> Expr {
    let mut call = with_name(f, "string_agg");
    if let FunctionArguments::List(list) = &mut call.args {
        list.clauses
            .retain(|c| !matches!(c, FunctionArgumentClause::OnOverflow(_)));
        if list.args.len() == 1 {
            list.args
                .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::value(
                    Value::SingleQuotedString(String::new()),
                ))));
        }
        list.clauses
            .push(FunctionArgumentClause::OrderBy(call.within_group.clone()));
    }
    call.within_group = Vec::new();
    Expr::Function(call)
}

/// Trino requires `WITHIN GROUP` of `listagg`; `ON OVERFLOW TRUNCATE` is not supported.
pub(super) fn check_listagg(f: &Function) -> Result<(), QueryError> {
    if f.within_group.is_empty() {
        return Err(QueryError::Malformed {
            message: "line 1:1: mismatched input. Expecting: 'WITHIN' (listagg needs WITHIN GROUP (ORDER BY ...))"
                .to_owned(),
        });
    }
    if let FunctionArguments::List(list) = &f.args
        && list.clauses.iter().any(|c| {
            matches!(c, FunctionArgumentClause::OnOverflow(o) if !matches!(o, ListAggOnOverflow::Error))
        })
    {
        return Err(QueryError::user(
            "NOT_SUPPORTED: listagg ... ON OVERFLOW TRUNCATE is not supported by athena-emulator",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    fn rewrite(sql: &str) -> String {
        let expr = Parser::new(&GenericDialect {})
            .try_with_sql(sql)
            .unwrap()
            .parse_expr()
            .unwrap();
        let Expr::Function(f) = expr else {
            panic!("a call")
        };
        rewrite_aggregate(&f)
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn calls_keep_their_clauses() {
        assert_eq!(
            rewrite("count_if(x > 1) FILTER (WHERE y) OVER (PARTITION BY z)"),
            "count(CASE WHEN (x > 1) THEN 1 END) FILTER (WHERE y) OVER (PARTITION BY z)"
        );
        assert_eq!(
            rewrite("variance(DISTINCT x)"),
            "athena_var_samp(DISTINCT x)"
        );
        assert_eq!(
            rewrite("listagg(x, ',') WITHIN GROUP (ORDER BY x DESC)"),
            "string_agg(x, ',' ORDER BY x DESC)"
        );
        assert_eq!(rewrite("max(x)"), "");
    }
}
