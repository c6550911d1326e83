//! DataFusion's messages for queries Trino refuses too, with Trino's error name: the
//! analyzer's errors of Trino (`EXPRESSION_NOT_AGGREGATE`, `INVALID_COLUMN_REFERENCE`,
//! ...) that DataFusion reports as plain planning errors, and function calls with
//! arguments of the wrong types (`FUNCTION_NOT_FOUND`, as Trino resolves functions by
//! their signatures).

// layout: long function, because a table of DataFusion messages and Trino's error names, one entry each
/// Trino's error for DataFusion's message `msg` (the root error's text, without
/// DataFusion's prefix), as `NAME: message`; `None` when there is none.
pub(crate) fn translate(msg: &str) -> Option<String> {
    const RULES: &[(&str, &str)] = &[
        (
            "Aggregate functions are not allowed in the WHERE clause",
            "EXPRESSION_NOT_SCALAR",
        ),
        (
            "Aggregate function calls cannot be nested",
            "NESTED_AGGREGATION",
        ),
        (
            "Cannot find column with position",
            "INVALID_COLUMN_REFERENCE",
        ),
        ("Order by column out of bounds", "INVALID_COLUMN_REFERENCE"),
        ("Order by index starts at 1", "INVALID_COLUMN_REFERENCE"),
        (
            "must be in GROUP BY or an aggregate function",
            "EXPRESSION_NOT_AGGREGATE",
        ),
        (
            "For SELECT DISTINCT, ORDER BY expressions",
            "EXPRESSION_NOT_IN_DISTINCT",
        ),
        (
            "to grouping function is not in grouping columns",
            "INVALID_ARGUMENTS",
        ),
        ("queries have different number of columns", "TYPE_MISMATCH"),
        ("Ambiguous reference to unqualified field", "AMBIGUOUS_NAME"),
        (
            "Scalar subquery returned more than one row",
            "SUBQUERY_MULTIPLE_ROWS",
        ),
        (
            "NTILE requires a positive integer",
            "INVALID_FUNCTION_ARGUMENT",
        ),
        // `NULL || NULL`: Trino's varchar, varbinary and array operators all fit.
        (
            "Cannot infer common string type for string concat operation Null || Null",
            "AMBIGUOUS_FUNCTION_CALL",
        ),
        // Operands of types Trino does not mix (plan_rules/types.rs checks most before).
        ("Cannot coerce arithmetic expression", "TYPE_MISMATCH"),
        (
            "Cannot infer common argument type for comparison operation",
            "TYPE_MISMATCH",
        ),
        // A call whose arguments match none of the function's signatures.
        (
            "No function matches the given name and argument types",
            "FUNCTION_NOT_FOUND",
        ),
        ("failed to match any signature", "FUNCTION_NOT_FOUND"),
        (
            "Failed to coerce arguments to satisfy a call to",
            "FUNCTION_NOT_FOUND",
        ),
    ];
    /// What DataFusion plans but cannot run, named for the refusal.
    const NOT_SUPPORTED: &[(&str, &str)] = &[
        (
            "Physical plan does not support logical expression InSubquery",
            "IN (subquery) outside WHERE and HAVING",
        ),
        (
            "Physical plan does not support logical expression Exists",
            "EXISTS (subquery) outside WHERE and HAVING",
        ),
        (
            "Physical plan does not support logical expression OuterReferenceColumn",
            "A correlated subquery of this form (LATERAL, or a correlation that cannot be turned into a join)",
        ),
        (
            "There is only support Literal types for field at idx",
            "lag/lead with a default that is not a literal",
        ),
        (
            "which would be ambiguous",
            "A correlated subquery of this form (its columns clash with the outer query's after decorrelation)",
        ),
        (
            "COUNT DISTINCT with multiple arguments",
            "count(DISTINCT) of several arguments",
        ),
    ];
    // A refusal of the emulator that DataFusion wrapped in a message of its own.
    if let Some(at) = msg.find("NOT_SUPPORTED: ") {
        let refusal = first_line(&msg[at..]);
        let refusal = refusal
            .split_once(". No function matches")
            .map_or(refusal, |(r, _)| r);
        return Some(refusal.to_owned());
    }
    if let Some((_, what)) = NOT_SUPPORTED
        .iter()
        .find(|(pattern, _)| msg.contains(pattern))
    {
        return Some(format!(
            "NOT_SUPPORTED: {what} is not supported by athena-emulator"
        ));
    }
    RULES
        .iter()
        .find(|(pattern, _)| msg.contains(pattern))
        .map(|(_, name)| format!("{name}: {}", first_line(msg)))
}

/// DataFusion's message up to its first line break (its hints and candidate lists
/// follow on other lines).
fn first_line(msg: &str) -> &str {
    msg.lines().next().unwrap_or(msg).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planning_errors_get_trinos_names() {
        assert_eq!(
            translate("Order by column out of bounds, specified: 3, max: 1").as_deref(),
            Some("INVALID_COLUMN_REFERENCE: Order by column out of bounds, specified: 3, max: 1")
        );
        let wrong_arguments = "Function 'sum' failed to match any signature, errors: ...\nCandidate functions:\n\tsum(Int64)";
        assert_eq!(
            translate(wrong_arguments).as_deref(),
            Some("FUNCTION_NOT_FOUND: Function 'sum' failed to match any signature, errors: ...")
        );
        assert_eq!(translate("Division by zero"), None);
        // A refusal wrapped by DataFusion keeps its name and words.
        let wrapped = "Execution error: Function 'athena_histogram' user-defined coercion failed with: Error during planning: NOT_SUPPORTED: histogram with keys of type real is not supported by athena-emulator (why). No function matches the given name and argument types";
        assert_eq!(
            translate(wrapped).as_deref(),
            Some(
                "NOT_SUPPORTED: histogram with keys of type real is not supported by athena-emulator (why)"
            )
        );
    }
}
