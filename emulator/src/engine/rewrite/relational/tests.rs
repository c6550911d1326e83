use super::*;
use crate::engine::rewrite::parse_query;

fn sql(text: &str) -> String {
    parse_query(text)
        .map(|(s, _)| s.to_string())
        .unwrap_or_else(|e| e.message().to_owned())
}

#[test]
fn like_patterns_escape_as_trino_says() {
    assert_eq!(like_pattern("a\\c", None).unwrap(), "a\\\\c");
    assert_eq!(like_pattern("a#%%", Some('#')).unwrap(), "a\\%%");
    assert_eq!(like_pattern("a##b", Some('#')).unwrap(), "a#b");
    assert!(like_pattern("ab#", Some('#')).is_err());
    assert!(like_pattern("a#b", Some('#')).is_err());
    assert!(sql("SELECT x LIKE 'a' ESCAPE 'ab' FROM t").starts_with("INVALID_FUNCTION_ARGUMENT"));
}

#[test]
fn window_frames_keep_literal_offsets_and_trinos_rules() {
    let s = sql("SELECT sum(x) OVER (ORDER BY y ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING) FROM t");
    assert!(
        s.contains("ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING"),
        "{s}"
    );
    for (frame, error) in [
        (
            "ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW",
            "INVALID_WINDOW_FRAME",
        ),
        (
            "ROWS BETWEEN -1 PRECEDING AND CURRENT ROW",
            "INVALID_WINDOW_FRAME",
        ),
        (
            "ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW",
            "INVALID_WINDOW_FRAME",
        ),
    ] {
        let s = sql(&format!("SELECT sum(x) OVER (ORDER BY y {frame}) FROM t"));
        assert!(s.starts_with(error), "{frame}: {s}");
    }
    let s = sql("SELECT sum(x) OVER (ORDER BY y, z RANGE 1 PRECEDING) FROM t");
    assert!(s.starts_with("INVALID_ORDER_BY"), "{s}");
    assert!(sql("SELECT rank() FROM t").starts_with("MISSING_OVER"));
    assert!(
        sql("SELECT ntile(0) OVER (ORDER BY x) FROM t").starts_with("INVALID_FUNCTION_ARGUMENT")
    );
}

#[test]
fn grouping_names_resolve_the_input_not_an_alias() {
    let s = sql("SELECT a + 1 AS b, count(*) FROM t GROUP BY b");
    assert!(s.contains("GROUP BY t.b"), "{s}");
    // A position still names the output.
    let s = sql("SELECT a + 1 AS b, count(*) FROM t GROUP BY 1");
    assert!(s.contains("GROUP BY 1"), "{s}");
}

#[test]
fn group_by_all_is_the_default_quantifier() {
    assert_eq!(
        group_by_quantifier("SELECT a FROM t GROUP BY ALL a")
            .unwrap()
            .as_deref(),
        Some("SELECT a FROM t GROUP BY  a")
    );
    assert_eq!(group_by_quantifier("SELECT all FROM t").unwrap(), None);
    let err = group_by_quantifier("SELECT a FROM t GROUP BY DISTINCT ROLLUP (a)").unwrap_err();
    assert!(err.message().starts_with("NOT_SUPPORTED"), "{err}");
    assert!(sql("SELECT a FROM t GROUP BY ALL").starts_with("COLUMN_NOT_FOUND"));
}

#[test]
fn using_joins_put_their_columns_first() {
    let s = sql("SELECT * FROM a FULL JOIN b USING (k)");
    assert_eq!(
        s,
        "SELECT coalesce((a.k), (b.k)) AS \"k\", a.* EXCLUDE (k), b.* EXCLUDE (k) FROM a FULL JOIN b ON a.k = b.k"
    );
    assert!(sql("SELECT a.k FROM a JOIN b USING (k)").starts_with("COLUMN_NOT_FOUND"));
    assert!(sql("SELECT * FROM a JOIN b USING (k) JOIN c USING (j)").starts_with("NOT_SUPPORTED"));
}

#[test]
fn subqueries_as_values() {
    let s = sql("SELECT (SELECT v FROM u WHERE u.k = t.k) FROM t");
    assert!(
        s.contains("athena_single_value(((SELECT array_agg((v))"),
        "{s}"
    );
    // Aggregated subqueries are left to DataFusion.
    let s = sql("SELECT (SELECT max(v) FROM u) FROM t");
    assert!(!s.contains("athena_single_value"), "{s}");
    let s = sql("SELECT x IN (SELECT v FROM u) FROM t");
    assert!(s.contains("__athena_in.__athena_v"), "{s}");
    // Quantified comparisons: from counts, minimum and maximum of the subquery.
    let s = sql("SELECT x FROM t WHERE x > ALL (SELECT v FROM u)");
    assert!(s.contains("max(__athena_in.__athena_v)"), "{s}");
    let s = sql("SELECT x FROM t WHERE x > ANY (SELECT v FROM u WHERE u.k = t.k)");
    assert!(s.starts_with("NOT_SUPPORTED"), "{s}");
}

#[test]
fn syntax_trino_does_not_have_fails_to_parse() {
    for text in [
        "SELECT x IS TRUE FROM t",
        "SELECT x ILIKE 'a' FROM t",
        "SELECT x FROM t WHERE x SIMILAR TO 'a'",
    ] {
        assert!(
            matches!(parse_query(text), Err(QueryError::Malformed { .. })),
            "{text}"
        );
    }
    assert!(sql("SELECT * FROM a NATURAL JOIN b").starts_with("NOT_SUPPORTED"));
    let s = sql("SELECT x FROM a INTERSECT ALL SELECT x FROM b");
    assert!(
        s.contains("row_number() OVER (PARTITION BY __athena_l.__athena_c1)"),
        "{s}"
    );
    assert!(sql("SELECT * FROM a EXCEPT ALL SELECT x FROM b").starts_with("NOT_SUPPORTED"));
    assert!(sql("SELECT x FROM t WHERE count(*) > 1").starts_with("EXPRESSION_NOT_SCALAR"));
}
