//! Trino's lambda functions, with the examples of Trino's array and map
//! function docs and their NULL and empty cases.

use crate::engine_sql::{engine, error, exec, put, rows, table, value};

#[tokio::test]
async fn transform_and_filter() {
    let e = engine().await;
    assert_eq!(
        value(&e, "SELECT transform(ARRAY[1, 2, 3], x -> x * 2)").await,
        "[2, 4, 6]"
    );
    assert_eq!(
        value(
            &e,
            "SELECT transform(ARRAY[5, NULL, 6], x -> coalesce(x, 0) + 1)"
        )
        .await,
        "[6, 1, 7]"
    );
    assert_eq!(
        value(
            &e,
            "SELECT transform(ARRAY['x', 'abc', 'z'], x -> x || '0')"
        )
        .await,
        "[x0, abc0, z0]"
    );
    assert_eq!(
        value(
            &e,
            "SELECT transform(CAST(ARRAY[] AS ARRAY(INTEGER)), x -> x + 1)"
        )
        .await,
        "[]"
    );
    assert_eq!(
        value(
            &e,
            "SELECT transform(CAST(NULL AS ARRAY(INTEGER)), x -> x + 1)"
        )
        .await,
        "<null>"
    );
    assert_eq!(
        value(
            &e,
            "SELECT transform(ARRAY[ARRAY[1, NULL, 2], ARRAY[3, NULL]], a -> filter(a, x -> x IS NOT NULL))"
        )
        .await,
        "[[1, 2], [3]]"
    );
    assert_eq!(
        value(&e, "SELECT filter(ARRAY[5, -6, NULL, 7], x -> x > 0)").await,
        "[5, 7]"
    );
    assert_eq!(
        value(
            &e,
            "SELECT filter(ARRAY[5, NULL, 7, NULL], x -> x IS NOT NULL)"
        )
        .await,
        "[5, 7]"
    );
}

#[tokio::test]
async fn matches_follow_trinos_null_rules() {
    let e = engine().await;
    let cases = [
        ("all_match(ARRAY[1, 2], x -> x > 0)", "true"),
        ("all_match(ARRAY[1, -2], x -> x > 0)", "false"),
        ("all_match(ARRAY[1, NULL], x -> x > 0)", "<null>"),
        ("all_match(ARRAY[-1, NULL], x -> x > 0)", "false"),
        (
            "all_match(CAST(ARRAY[] AS ARRAY(INTEGER)), x -> x > 0)",
            "true",
        ),
        ("any_match(ARRAY[1, NULL], x -> x > 0)", "true"),
        ("any_match(ARRAY[-1, NULL], x -> x > 0)", "<null>"),
        (
            "any_match(CAST(ARRAY[] AS ARRAY(INTEGER)), x -> x > 0)",
            "false",
        ),
        ("none_match(ARRAY[-1, -2], x -> x > 0)", "true"),
        ("none_match(ARRAY[-1, 2], x -> x > 0)", "false"),
        ("none_match(ARRAY[-1, NULL], x -> x > 0)", "<null>"),
        (
            "none_match(CAST(ARRAY[] AS ARRAY(INTEGER)), x -> x > 0)",
            "true",
        ),
        (
            "all_match(CAST(NULL AS ARRAY(INTEGER)), x -> x > 0)",
            "<null>",
        ),
    ];
    for (sql, want) in cases {
        assert_eq!(value(&e, &format!("SELECT {sql}")).await, want, "{sql}");
    }
}

#[tokio::test]
async fn reduce_goes_through_the_elements_in_order() {
    let e = engine().await;
    let cases = [
        ("reduce(ARRAY[5, 20, 50], 0, (s, x) -> s + x, s -> s)", "75"),
        (
            "reduce(CAST(ARRAY[] AS ARRAY(INTEGER)), 0, (s, x) -> s + x, s -> s)",
            "0",
        ),
        (
            "reduce(ARRAY[5, 20, NULL, 50], 0, (s, x) -> s + x, s -> s)",
            "<null>",
        ),
        (
            "reduce(ARRAY[5, 20, NULL, 50], 0, (s, x) -> s + coalesce(x, 0), s -> s)",
            "75",
        ),
        (
            "reduce(ARRAY[2147483647, 1], BIGINT '0', (s, x) -> s + x, s -> s)",
            "2147483648",
        ),
        // Order matters: ((('' || a) || b) || c).
        (
            "reduce(ARRAY['a', 'b', 'c'], '', (s, x) -> s || x, s -> upper(s))",
            "ABC",
        ),
        (
            "reduce(CAST(NULL AS ARRAY(INTEGER)), 0, (s, x) -> s + x, s -> s)",
            "<null>",
        ),
        (
            "reduce(ARRAY[5, 6, 10, 20], DOUBLE '0', (s, x) -> s + x, s -> s / 4)",
            "10.25",
        ),
    ];
    for (sql, want) in cases {
        assert_eq!(value(&e, &format!("SELECT {sql}")).await, want, "{sql}");
    }
}

#[tokio::test]
async fn zip_with_pads_the_shorter_array_with_nulls() {
    let e = engine().await;
    assert_eq!(
        value(
            &e,
            "SELECT zip_with(ARRAY[1, 2], ARRAY[3, 4], (x, y) -> x + y)"
        )
        .await,
        "[4, 6]"
    );
    assert_eq!(
        value(
            &e,
            "SELECT zip_with(ARRAY['a', 'b', 'c'], ARRAY['d', 'e', 'f'], (x, y) -> concat(x, y))"
        )
        .await,
        "[ad, be, cf]"
    );
    assert_eq!(
        value(
            &e,
            "SELECT zip_with(ARRAY['a'], ARRAY['d', NULL, 'f'], (x, y) -> coalesce(x, y))"
        )
        .await,
        "[a, null, f]"
    );
    assert_eq!(
        value(
            &e,
            "SELECT zip_with(ARRAY[1], CAST(NULL AS ARRAY(INTEGER)), (x, y) -> x)"
        )
        .await,
        "<null>"
    );
}

#[tokio::test]
async fn map_lambdas() {
    let e = engine().await;
    let m = "MAP(ARRAY['a', 'b', 'c'], ARRAY[1, NULL, 3])";
    assert_eq!(
        value(
            &e,
            &format!("SELECT map_filter({m}, (k, v) -> v IS NOT NULL)")
        )
        .await,
        "{a=1, c=3}"
    );
    assert_eq!(
        value(&e, &format!("SELECT map_filter({m}, (k, v) -> v > 1)")).await,
        "{c=3}"
    );
    assert_eq!(
        value(
            &e,
            &format!("SELECT transform_values({m}, (k, v) -> coalesce(v, 0) * 10)")
        )
        .await,
        "{a=10, b=0, c=30}"
    );
    assert_eq!(
        value(
            &e,
            &format!("SELECT transform_keys({m}, (k, v) -> upper(k))")
        )
        .await,
        "{A=1, B=null, C=3}"
    );
    assert_eq!(
        value(&e, "SELECT transform_values(CASE WHEN 1 = 0 THEN MAP(ARRAY['a'], ARRAY[1]) END, (k, v) -> v)").await,
        "<null>"
    );
    let dup = error(&e, &format!("SELECT transform_keys({m}, (k, v) -> 'same')")).await;
    assert!(dup.message().contains("Duplicate map keys"), "{dup}");
    let null_key = error(
        &e,
        &format!("SELECT transform_keys({m}, (k, v) -> CAST(NULL AS VARCHAR))"),
    )
    .await;
    assert!(
        null_key.message().contains("map key cannot be null"),
        "{null_key}"
    );
}

#[tokio::test]
async fn array_sort_with_a_comparator() {
    let e = engine().await;
    assert_eq!(
        value(
            &e,
            "SELECT array_sort(ARRAY[3, 2, 5, 1, 2], (x, y) -> IF(x < y, 1, IF(x = y, 0, -1)))"
        )
        .await,
        "[5, 3, 2, 2, 1]"
    );
    assert_eq!(
        value(
            &e,
            "SELECT array_sort(ARRAY[3, 2, null, 5, null, 1, 2], (x, y) -> CASE WHEN x IS NULL THEN -1 \
             WHEN y IS NULL THEN 1 WHEN x < y THEN 1 WHEN x = y THEN 0 ELSE -1 END)"
        )
        .await,
        "[null, null, 5, 3, 2, 2, 1]"
    );
    assert_eq!(
        value(&e, "SELECT array_sort(ARRAY['a', 'abcd', 'abc'], (x, y) -> IF(length(x) < length(y), -1, IF(length(x) = length(y), 0, 1)))").await,
        "[a, abc, abcd]"
    );
    // Without a comparator it is DataFusion's array_sort, NULLs last as in Trino.
    assert_eq!(
        value(&e, "SELECT array_sort(ARRAY[3, NULL, 1])").await,
        "[1, 3, null]"
    );
    let bad = error(&e, "SELECT array_sort(ARRAY[1, 2], (x, y) -> 2)").await;
    assert!(bad.message().contains("-1, 0, or 1"), "{bad}");
    let null = error(
        &e,
        "SELECT array_sort(ARRAY[1, 2], (x, y) -> CAST(NULL AS INTEGER))",
    )
    .await;
    assert!(null.message().contains("-1, 0, or 1"), "{null}");
}

#[tokio::test]
async fn lambdas_see_the_row_they_run_in() {
    let e = engine().await;
    put(
        &e,
        "lam/t/rows.json",
        b"{\"id\": 1, \"k\": 10, \"xs\": [1, 2]}\n{\"id\": 2, \"k\": 100, \"xs\": []}\n\
          {\"id\": 3, \"k\": 1000, \"xs\": null}\n{\"id\": 4, \"k\": 5, \"xs\": [7, null]}\n",
    );
    exec(
        &e,
        "CREATE EXTERNAL TABLE lam (id int, k int, xs array<int>) \
         ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://lam/t/'",
    )
    .await;
    assert_eq!(
        rows(
            &e,
            "SELECT id, transform(xs, x -> x + k), reduce(xs, k, (s, x) -> s + coalesce(x, 0), s -> s), \
             any_match(xs, x -> x > k) FROM lam ORDER BY id"
        )
        .await,
        table(&[
            &["1", "[11, 12]", "13", "false"],
            &["2", "[]", "100", "false"],
            &["3", "<null>", "<null>", "<null>"],
            &["4", "[12, null]", "12", "true"],
        ])
    );
}
