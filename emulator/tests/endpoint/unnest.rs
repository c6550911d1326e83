//! UNNEST as Trino has it: maps as key and value columns, several
//! arrays side by side (the shorter padded with NULLs), WITH ORDINALITY, arrays of rows
//! split into their fields, and a lateral UNNEST of a table's column.

use crate::engine_sql::{engine, exec, put, query, rows, table};

#[tokio::test]
async fn a_map_unnests_into_keys_and_values() {
    let e = engine().await;
    assert_eq!(
        rows(
            &e,
            "SELECT k, v FROM UNNEST(MAP(ARRAY['a', 'b'], ARRAY[1, 2])) AS t(k, v) ORDER BY k"
        )
        .await,
        table(&[&["a", "1"], &["b", "2"]])
    );
}

#[tokio::test]
async fn several_arrays_unnest_side_by_side() {
    let e = engine().await;
    let answer = query(
        &e,
        "SELECT x, y FROM UNNEST(ARRAY[1, 2, 3], ARRAY['a', 'b']) AS t(x, y)",
    )
    .await
    .unwrap();
    assert_eq!(answer.names, ["x", "y"]);
    assert_eq!(
        answer.rows,
        table(&[&["1", "a"], &["2", "b"], &["3", "<null>"]])
    );
}

#[tokio::test]
async fn with_ordinality_numbers_the_elements_from_one() {
    let e = engine().await;
    let answer = query(
        &e,
        "SELECT x, n FROM UNNEST(ARRAY['a', 'b', 'c']) WITH ORDINALITY AS t(x, n)",
    )
    .await
    .unwrap();
    assert_eq!(answer.types, ["varchar", "bigint"]);
    assert_eq!(answer.rows, table(&[&["a", "1"], &["b", "2"], &["c", "3"]]));
    assert_eq!(
        rows(
            &e,
            "SELECT k, v, n FROM UNNEST(MAP(ARRAY['a'], ARRAY[10]), ARRAY[7, 8]) WITH ORDINALITY AS t(k, v, x, n)"
        )
        .await
        .into_iter()
        .map(|mut r| {
            r.truncate(3);
            r
        })
        .collect::<Vec<_>>(),
        table(&[&["a", "10", "1"], &["<null>", "<null>", "2"]])
    );
}

#[tokio::test]
async fn an_array_of_rows_unnests_into_columns() {
    let e = engine().await;
    assert_eq!(
        rows(
            &e,
            "SELECT name, age FROM UNNEST(ARRAY[CAST(ROW('Bob', 38) AS ROW(name VARCHAR, age INTEGER)), \
             CAST(ROW('Alice', 25) AS ROW(name VARCHAR, age INTEGER))]) AS t(name, age) ORDER BY age"
        )
        .await,
        table(&[&["Alice", "25"], &["Bob", "38"]])
    );
}

#[tokio::test]
async fn cross_join_unnest_of_a_table_column() {
    let e = engine().await;
    put(
        &e,
        "un/t/rows.json",
        b"{\"id\": 1, \"tags\": [\"a\", \"b\"], \"attrs\": {\"x\": \"1\"}}\n\
          {\"id\": 2, \"tags\": [], \"attrs\": {}}\n\
          {\"id\": 3, \"tags\": [\"c\"], \"attrs\": {\"y\": \"2\", \"z\": \"3\"}}\n",
    );
    exec(
        &e,
        "CREATE EXTERNAL TABLE docs (id int, tags array<string>, attrs map<string,string>) \
         ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://un/t/'",
    )
    .await;
    assert_eq!(
        rows(
            &e,
            "SELECT d.id, u.tag FROM docs d CROSS JOIN UNNEST(d.tags) AS u(tag) ORDER BY d.id, u.tag"
        )
        .await,
        table(&[&["1", "a"], &["1", "b"], &["3", "c"]])
    );
    assert_eq!(
        rows(
            &e,
            "SELECT id, tag, n FROM docs CROSS JOIN UNNEST(tags) WITH ORDINALITY AS u(tag, n) ORDER BY id, n"
        )
        .await,
        table(&[&["1", "a", "1"], &["1", "b", "2"], &["3", "c", "1"]])
    );
    assert_eq!(
        rows(
            &e,
            "SELECT id, k, v FROM docs CROSS JOIN UNNEST(attrs) AS u(k, v) ORDER BY id, k"
        )
        .await,
        table(&[&["1", "x", "1"], &["3", "y", "2"], &["3", "z", "3"]])
    );
}

#[tokio::test]
async fn a_comma_join_is_lateral_too_and_a_left_join_keeps_empty_arrays() {
    let e = engine().await;
    put(
        &e,
        "un/t/rows.json",
        b"{\"id\": 1, \"tags\": [\"a\", \"b\"]}\n{\"id\": 2, \"tags\": []}\n",
    );
    exec(
        &e,
        "CREATE EXTERNAL TABLE docs (id int, tags array<string>) \
         ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://un/t/'",
    )
    .await;
    assert_eq!(
        rows(
            &e,
            "SELECT id, tag FROM docs, UNNEST(tags) AS u(tag) ORDER BY tag"
        )
        .await,
        table(&[&["1", "a"], &["1", "b"]])
    );
    // As in Trino, id 2 (an empty array) stays, with a NULL tag.
    let kept = rows(
        &e,
        "SELECT id, tag FROM docs LEFT JOIN UNNEST(tags) AS u(tag) ON true ORDER BY id, tag",
    )
    .await;
    assert_eq!(kept, table(&[&["1", "a"], &["1", "b"], &["2", "<null>"]]));
    // Trino refuses any other join condition on an UNNEST; so does the emulator.
    let err = crate::engine_sql::error(
        &e,
        "SELECT id, tag FROM docs LEFT JOIN UNNEST(tags) AS u(tag) ON tag = 'a'",
    )
    .await;
    assert!(err.message().starts_with("NOT_SUPPORTED"), "{err}");
}
