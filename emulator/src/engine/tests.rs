//! Engine tests: SQL in, Athena text out.

use super::*;

async fn engine() -> Engine {
    Engine::new(EngineConfig {
        cloudfront_rows: 0,
        ..EngineConfig::default()
    })
    .await
    .unwrap()
}

async fn run(
    engine: &Engine,
    sql: &str,
) -> Result<(Vec<Column>, Vec<Vec<Option<String>>>), QueryError> {
    let prepared = engine.prepare(sql)?;
    let out = engine
        .execute(&prepared, &ExecutionContext::default())
        .await?;
    let mut rows = Vec::new();
    let mut stream = out.rows;
    while let Some(batch) = stream.next().await {
        rows.extend(batch?);
    }
    Ok((out.columns, rows))
}

#[tokio::test]
async fn select_literals() {
    let e = engine().await;
    let (cols, rows) = run(&e, "SELECT 1, 'a' AS Name, NULL").await.unwrap();
    assert_eq!(cols[0].name, "_col0");
    assert_eq!(cols[0].athena_type, "integer");
    assert_eq!(cols[1].name, "name");
    assert_eq!(cols[1].athena_type, "varchar");
    assert_eq!(
        rows,
        vec![vec![Some("1".to_owned()), Some("a".to_owned()), None]]
    );
}

#[tokio::test]
async fn unnest_sequence_makes_rows() {
    let e = engine().await;
    let (cols, rows) = run(&e, "SELECT x FROM UNNEST(sequence(1, 2500)) AS t(x)")
        .await
        .unwrap();
    assert_eq!(cols[0].name, "x");
    assert_eq!(cols[0].athena_type, "bigint");
    assert_eq!(rows.len(), 2500);
    assert_eq!(rows[0][0].as_deref(), Some("1"));
    assert_eq!(rows[2499][0].as_deref(), Some("2500"));
}

#[tokio::test]
async fn unknown_table_fails_with_category_2() {
    let e = engine().await;
    let err = run(&e, "SELECT * FROM nosuch").await.unwrap_err();
    let QueryError::Failed {
        error_category,
        message,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(error_category, 2);
    assert_eq!(
        message,
        "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.default.nosuch' does not exist"
    );
}

#[tokio::test]
async fn unknown_column_fails_with_category_2() {
    let e = engine().await;
    let err = run(&e, "SELECT nosuch FROM (SELECT 1 AS a)")
        .await
        .unwrap_err();
    let QueryError::Failed {
        error_category,
        message,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(error_category, 2);
    assert_eq!(
        message,
        "COLUMN_NOT_FOUND: line 1:8: Column 'nosuch' cannot be resolved"
    );
}

#[tokio::test]
async fn cloudfront_dataset_has_the_seed_shape() {
    let e = Engine::new(EngineConfig {
        cloudfront_rows: 2_500,
        ..EngineConfig::default()
    })
    .await
    .unwrap();
    let (cols, rows) = run(&e, "SELECT * FROM serverlessland_database.cf_access_logs")
        .await
        .unwrap();
    assert_eq!(
        rows.len(),
        2_500,
        "both header lines are skipped, every row is read"
    );
    let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "date",
            "time",
            "location",
            "bytes",
            "request_ip",
            "method",
            "host",
            "uri",
            "status",
            "referer",
            "user_agent",
            "query_string",
            "cookie",
            "result_type",
            "request_id",
            "host_header",
            "request_protocol",
            "request_bytes",
            "time_taken",
            "xforwarded_for",
            "ssl_protocol",
            "ssl_cipher",
            "response_result_type",
            "http_version",
            "fle_status",
            "fle_encrypted_fields",
            "c_port",
            "time_to_first_byte",
            "x_edge_detailed_result_type",
            "sc_content_type",
            "sc_content_len",
            "sc_range_start",
            "sc_range_end"
        ]
    );
    let types: Vec<&str> = cols.iter().map(|c| c.athena_type.as_str()).collect();
    assert_eq!(
        &types[..5],
        ["date", "varchar", "varchar", "bigint", "varchar"]
    );
    assert_eq!(types[18], "real");
    assert_eq!(types[25], "integer");
    assert_eq!(types[32], "bigint");
    // `-` in an int column reads as NULL, in a string column as `-`.
    assert!(
        rows.iter()
            .all(|r| r[25].is_none() && r[24].as_deref() == Some("-"))
    );
    assert!(rows.iter().all(|r| r.iter().take(5).all(Option::is_some)));

    // The seed's query, in the seed's database.
    let ctx = ExecutionContext {
        database: Some("serverlessland_database".into()),
        ..ExecutionContext::default()
    };
    let p = e
        .prepare("SELECT uri FROM cf_access_logs limit 10")
        .unwrap();
    let out = e.execute(&p, &ctx).await.unwrap();
    let got: Vec<_> = out.rows.collect::<Vec<_>>().await;
    assert_eq!(got.into_iter().map(|b| b.unwrap().len()).sum::<usize>(), 10);
    assert!(
        out.data_scanned_in_bytes
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
    );

    let (_, rows) = run(
        &e,
        "SELECT count(DISTINCT request_id), count(*) FROM serverlessland_database.cf_access_logs",
    )
    .await
    .unwrap();
    assert_eq!(
        rows[0],
        vec![Some("2500".to_owned()), Some("2500".to_owned())]
    );
}

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

#[tokio::test]
#[ignore]
async fn probe() {
    let e = engine().await;
    let list = std::env::var("PROBE").unwrap_or_default();
    for sql in list.split(" ;; ") {
        match run(&e, sql).await {
            Ok((cols, rows)) => println!(
                "OK  {sql}\n    {:?}\n    {:?}",
                cols.iter()
                    .map(|c| format!("{}:{}({},{})", c.name, c.athena_type, c.precision, c.scale))
                    .collect::<Vec<_>>(),
                rows.iter().take(3).collect::<Vec<_>>()
            ),
            Err(err) => println!("ERR {sql}\n    {err:?}"),
        }
    }
}
