//! The engine over tables: DDL round trips, views, JSON and Parquet tables with nested
//! types, partitions, CTAS and INSERT INTO, OpenCSV.

use super::*;

#[tokio::test]
async fn ddl_round_trip() {
    let e = engine().await;
    let dir = e.data_dir().join("bucket/people");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("part-0"),
        "id|name|score|born\n1|ann|1.5|2000-01-02\n2||x|\\N\n",
    )
    .unwrap();
    run(&e, "CREATE DATABASE IF NOT EXISTS db").await.unwrap();
    let p = e
        .prepare(
            "CREATE EXTERNAL TABLE db.people (id int, name string, score double, born date) \
        ROW FORMAT DELIMITED FIELDS TERMINATED BY '|' STORED AS TEXTFILE \
        LOCATION 's3://bucket/people/' TBLPROPERTIES ('skip.header.line.count'='1')",
        )
        .unwrap();
    assert_eq!(
        (p.statement_type, p.substatement_type.as_str()),
        (StatementType::Ddl, "CREATE_TABLE")
    );
    let out = e.execute(&p, &ExecutionContext::default()).await.unwrap();
    assert_eq!(out.update_count, None);
    assert!(out.columns.is_empty());
    let (_, rows) = run(&e, "SELECT * FROM db.people ORDER BY id")
        .await
        .unwrap();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        rows,
        vec![
            vec![s("1"), s("ann"), s("1.5"), s("2000-01-02")],
            vec![s("2"), s(""), None, None],
        ]
    );
    // Hidden files (`_SUCCESS`, `.crc`) are skipped as Athena does.
    std::fs::write(dir.join("_SUCCESS"), "not data\n").unwrap();
    std::fs::write(dir.join(".part-0.crc"), "not data\n").unwrap();
    let (_, again) = run(&e, "SELECT * FROM db.people ORDER BY id")
        .await
        .unwrap();
    assert_eq!(again, rows);
    views_over_a_table(&e).await;
    let (cols, rows) = run(&e, "SHOW FUNCTIONS LIKE 'to_he%'").await.unwrap();
    assert_eq!(cols[0].name, "Function");
    assert_eq!(cols.len(), 6);
    // Trino's own row for each signature of a function the emulator serves.
    let to_hex: Vec<_> = ["to_hex", "varchar", "varbinary", "scalar", "true"]
        .map(|v| Some(v.to_owned()))
        .to_vec();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][..5], to_hex[..]);
    // Functions Trino does not have are not listed, whatever DataFusion has.
    let (_, rows) = run(&e, "SHOW FUNCTIONS LIKE 'array_has%'").await.unwrap();
    assert_eq!(rows, Vec::<Vec<Option<String>>>::new());
    let (cols, rows) = run(&e, "SHOW TABLES IN db").await.unwrap();
    assert_eq!(cols[0].name, "tab_name");
    assert_eq!(rows, vec![vec![s("people")]]);
    let (_, rows) = run(&e, "SHOW DATABASES").await.unwrap();
    assert_eq!(rows, vec![vec![s("db")], vec![s("default")]]);
    let (_, rows) = run(&e, "DESCRIBE db.people").await.unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows[0][0].as_deref().unwrap().starts_with("id"));
    let err = run(
        &e,
        "CREATE EXTERNAL TABLE db.people (a int) LOCATION 's3://bucket/x/'",
    )
    .await
    .unwrap_err();
    assert!(err.message().contains("already exists"), "{err}");
    run(&e, "DROP TABLE db.people").await.unwrap();
    let err = run(&e, "SELECT * FROM db.people").await.unwrap_err();
    assert_eq!(
        err.message(),
        "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.db.people' does not exist"
    );
    run(&e, "DROP TABLE IF EXISTS db.people").await.unwrap();
    run(&e, "DROP DATABASE db").await.unwrap();
}

/// The view part of `ddl_round_trip`: a view over `db.people` created, read, listed,
/// described and dropped.
async fn views_over_a_table(e: &Engine) {
    let s = |v: &str| Some(v.to_owned());
    run(
        e,
        "CREATE VIEW db.v AS SELECT name FROM people WHERE id = 2",
    )
    .await
    .unwrap_err();
    let p = e
        .prepare("CREATE VIEW db.v AS SELECT id, name FROM db.people WHERE id = 1")
        .unwrap();
    assert_eq!(p.substatement_type.as_str(), "CREATE_VIEW");
    e.execute(&p, &ExecutionContext::default()).await.unwrap();
    let (_, rows) = run(e, "SELECT name FROM db.v").await.unwrap();
    assert_eq!(rows, vec![vec![s("ann")]]);
    let (_, rows) = run(e, "SHOW VIEWS IN db").await.unwrap();
    assert_eq!(rows, vec![vec![s("v")]]);
    let (_, rows) = run(e, "DESCRIBE db.v").await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(matches!(
        e.prepare("CREATE VIEW v AS SELEC 1"),
        Err(QueryError::Malformed { .. })
    ));
    run(e, "DROP VIEW db.v").await.unwrap();
}

#[tokio::test]
async fn json_and_parquet_tables_with_nested_types() {
    let e = engine().await;
    let dir = e.data_dir().join("b/json");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("0.json"),
        "{\"id\": 1, \"tags\": [\"a\", \"b\"], \"attrs\": {\"k\": 2}, \"s\": {\"x\": 1.5, \"y\": \"z\"}, \"ts\": \"2024-01-02 03:04:05.120\"}\n\
         {\"id\": 2, \"tags\": [], \"attrs\": {}, \"s\": null, \"ts\": null}\n",
    )
    .unwrap();
    run(
        &e,
        "CREATE EXTERNAL TABLE j (id bigint, tags array<string>, attrs map<string,int>, \
         s struct<x:double,y:string>, ts timestamp) \
         ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://b/json/'",
    )
    .await
    .unwrap();
    let (cols, rows) = run(&e, "SELECT * FROM j ORDER BY id").await.unwrap();
    let types: Vec<_> = cols.iter().map(|c| c.athena_type.as_str()).collect();
    assert_eq!(types, ["bigint", "array", "map", "row", "timestamp"]);
    assert_eq!(
        text(&rows),
        [
            [
                "1",
                "[a, b]",
                "{k=2}",
                "{x=1.5, y=z}",
                "2024-01-02 03:04:05.120"
            ],
            ["2", "[]", "{}", "NULL", "NULL"],
        ]
    );

    // Parquet written by DataFusion itself, read back through Hive DDL (the date made by
    // a function: the session refuses DataFusion's casts of text to dates, which Trino
    // does not make).
    let pq = e.data_dir().join("b/pq");
    std::fs::create_dir_all(&pq).unwrap();
    let file = pq.join("part-0.parquet");
    e.inner
        .ctx
        .sql(&format!(
            "COPY (SELECT CAST(1 AS BIGINT) AS id, 'x' AS name, CAST(2.50 AS DECIMAL(5,2)) AS price, \
             true AS ok, to_date('2024-05-06') AS d) TO '{}' STORED AS PARQUET",
            file.display()
        ))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    run(
        &e,
        "CREATE EXTERNAL TABLE p (id bigint, name string, price decimal(5,2), ok boolean, d date) \
         STORED AS PARQUET LOCATION 's3://b/pq/'",
    )
    .await
    .unwrap();
    let (cols, rows) = run(&e, "SELECT * FROM p").await.unwrap();
    assert_eq!(
        (
            cols[2].athena_type.as_str(),
            cols[2].precision,
            cols[2].scale
        ),
        ("decimal", 5, 2)
    );
    assert_eq!(text(&rows), [["1", "x", "2.50", "true", "2024-05-06"]]);
}

#[tokio::test]
async fn partitioned_text_table() {
    let e = engine().await;
    for (dt, v) in [("2024-01-01", "a"), ("2024-01-02", "b")] {
        let dir = e.data_dir().join(format!("b/part/dt={dt}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("f"), format!("{v},1\n")).unwrap();
    }
    run(
        &e,
        "CREATE EXTERNAL TABLE t (v string, n int) PARTITIONED BY (dt date) \
         ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://b/part/'",
    )
    .await
    .unwrap();
    let (_, rows) = run(&e, "SELECT v, n, dt FROM t WHERE dt = DATE '2024-01-02'")
        .await
        .unwrap();
    assert_eq!(text(&rows), [["b", "1", "2024-01-02"]]);
    let (_, rows) = run(&e, "DESCRIBE t").await.unwrap();
    assert!(
        rows.iter()
            .any(|r| r[0].as_deref() == Some("# Partition Information"))
    );
}

#[tokio::test]
async fn create_table_as_select_and_insert_into() {
    let e = engine().await;
    for (format, extra) in [
        ("PARQUET", ""),
        ("JSON", ""),
        ("TEXTFILE", ", field_delimiter = '|'"),
    ] {
        let table = format!("ctas_{}", format.to_lowercase());
        let p = e
            .prepare(&format!(
                "CREATE TABLE {table} WITH (format = '{format}'{extra}) AS \
                 SELECT x, CAST(x AS VARCHAR) AS s, CAST(NULL AS VARCHAR) AS n, DATE '2024-01-02' AS d \
                 FROM UNNEST(sequence(1, 3)) AS t(x)"
            ))
            .unwrap();
        assert_eq!(p.substatement_type.as_str(), "CREATE_TABLE_AS_SELECT");
        let out = e.execute(&p, &ExecutionContext::default()).await.unwrap();
        assert_eq!(out.update_count, Some(3), "{format}");
        assert_eq!(out.columns[0].name, "rows");
        let p = e
            .prepare(&format!(
                "INSERT INTO {table} VALUES (4, 'four', 'n', DATE '2024-01-03')"
            ))
            .unwrap();
        assert_eq!(
            (p.statement_type, p.substatement_type.as_str()),
            (StatementType::Dml, "INSERT")
        );
        let out = e.execute(&p, &ExecutionContext::default()).await.unwrap();
        assert_eq!(out.update_count, Some(1), "{format}");
        let (cols, rows) = run(&e, &format!("SELECT * FROM {table} ORDER BY x"))
            .await
            .unwrap();
        let types: Vec<_> = cols.iter().map(|c| c.athena_type.as_str()).collect();
        assert_eq!(types, ["bigint", "varchar", "varchar", "date"], "{format}");
        assert_eq!(
            text(&rows),
            [
                ["1", "1", "NULL", "2024-01-02"],
                ["2", "2", "NULL", "2024-01-02"],
                ["3", "3", "NULL", "2024-01-02"],
                ["4", "four", "n", "2024-01-03"],
            ],
            "{format}"
        );
    }
    let err = run(&e, "CREATE TABLE ctas_parquet AS SELECT 1")
        .await
        .unwrap_err();
    assert!(err.message().contains("already exists"), "{err}");
    let (_, rows) = run(&e, "SHOW CREATE TABLE ctas_textfile").await.unwrap();
    assert!(
        rows.iter()
            .any(|r| r[0].as_deref() == Some("  FIELDS TERMINATED BY '|' ")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn opencsv_tables_read_quoted_fields() {
    let e = engine().await;
    let dir = e.data_dir().join("b/csv");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("data.csv"),
        "name,city,n\n\"Smith, J\",\"Paris\",3\n\"O\"\"Neil\",,x\n",
    )
    .unwrap();
    run(
        &e,
        "CREATE EXTERNAL TABLE c (name string, city string, n int) \
         ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' \
         WITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '\"') \
         LOCATION 's3://b/csv/' TBLPROPERTIES ('skip.header.line.count' = '1')",
    )
    .await
    .unwrap();
    let (_, rows) = run(&e, "SELECT * FROM c ORDER BY name DESC").await.unwrap();
    assert_eq!(
        text(&rows),
        [["Smith, J", "Paris", "3"], ["O\"Neil", "", "NULL"]]
    );
}
