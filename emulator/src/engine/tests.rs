//! Engine tests: SQL in, Athena text out.

use super::query::RENDER_ROWS;
use super::*;

// Tables: DDL, views, JSON, Parquet, partitions, CTAS and INSERT, OpenCSV.
mod tables;

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

#[test]
fn engine_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Engine>();
    assert_send_sync::<Prepared>();
    fn assert_send<T: Send>() {}
    assert_send::<QueryOutput>();
}

#[tokio::test]
async fn default_data_dir_is_removed_with_the_engine() {
    let config = EngineConfig {
        cloudfront_rows: 10,
        ..EngineConfig::default()
    };
    let dir = config.data_dir.clone();
    let e = Engine::new(config).await.unwrap();
    assert!(dir.exists());
    let clone = e.clone();
    drop(e);
    assert!(dir.exists(), "a clone still holds the engine");
    drop(clone);
    assert!(!dir.exists());
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
    // A long sequence is one DataFusion batch; it comes out in bounded slices.
    let p = e
        .prepare("SELECT x FROM UNNEST(sequence(1, 10000)) AS t(x)")
        .unwrap();
    let out = e.execute(&p, &ExecutionContext::default()).await.unwrap();
    let sizes: Vec<usize> = out.rows.map(|b| b.unwrap().len()).collect().await;
    assert_eq!(sizes.iter().sum::<usize>(), 10_000);
    assert!(sizes.iter().all(|&n| n <= RENDER_ROWS), "{sizes:?}");
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
async fn unknown_database_fails_with_schema_not_found() {
    let e = engine().await;
    let err = run(&e, "SELECT * FROM nosuchdb.t").await.unwrap_err();
    assert_eq!(
        err.message(),
        "SCHEMA_NOT_FOUND: line 1:15: Schema 'nosuchdb' does not exist"
    );
    let ctx = ExecutionContext {
        database: Some("nosuchdb".into()),
        ..ExecutionContext::default()
    };
    let p = e.prepare("SELECT * FROM t").unwrap();
    let err = e.execute(&p, &ctx).await.unwrap_err();
    assert!(err.message().starts_with("SCHEMA_NOT_FOUND"), "{err}");
    let ctx = ExecutionContext {
        catalog: Some("other".into()),
        ..ExecutionContext::default()
    };
    let err = e.execute(&p, &ctx).await.unwrap_err();
    assert!(err.message().starts_with("CATALOG_NOT_FOUND"), "{err}");
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

/// The columns of the `cf_access_logs` table of AWS's sample, in order.
const CLOUDFRONT_COLUMNS: [&str; 33] = [
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
    "sc_range_end",
];

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
    assert_eq!(names, CLOUDFRONT_COLUMNS);
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

    // The sample's query, in the sample's database.
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

async fn run_with(
    engine: &Engine,
    sql: &str,
    params: &[&str],
) -> Result<(Vec<Column>, Vec<Vec<Option<String>>>), QueryError> {
    let prepared = engine.prepare(sql)?;
    let ctx = ExecutionContext {
        execution_parameters: params.iter().map(|p| (*p).to_owned()).collect(),
        ..ExecutionContext::default()
    };
    let out = engine.execute(&prepared, &ctx).await?;
    let mut rows = Vec::new();
    let mut stream = out.rows;
    while let Some(batch) = stream.next().await {
        rows.extend(batch?);
    }
    Ok((out.columns, rows))
}

fn text(rows: &[Vec<Option<String>>]) -> Vec<Vec<&str>> {
    rows.iter()
        .map(|r| r.iter().map(|v| v.as_deref().unwrap_or("NULL")).collect())
        .collect()
}

#[tokio::test]
async fn execution_parameters_bind_as_values() {
    let e = engine().await;
    let (_, rows) = run_with(
        &e,
        "SELECT x FROM UNNEST(sequence(1, 10)) AS t(x) WHERE x > ? ORDER BY x LIMIT ?",
        &["7", "2"],
    )
    .await
    .unwrap();
    assert_eq!(text(&rows), [["8"], ["9"]]);
    let (_, rows) = run_with(&e, "SELECT ? || '!'", &["'it''s'"]).await.unwrap();
    assert_eq!(text(&rows), [["it's!"]]);
    // A parameter is one value, never more SQL.
    let err = run_with(&e, "SELECT ?", &["1; DROP TABLE x"])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            QueryError::Failed {
                error_category: 2,
                ..
            }
        ),
        "{err:?}"
    );
    let err = run_with(&e, "SELECT ?", &[]).await.unwrap_err();
    assert!(err.message().contains("expected 1 but found 0"), "{err}");
}

#[tokio::test]
async fn athena_shapes_of_explain_values_and_names() {
    let e = engine().await;
    let (cols, rows) = run(&e, "EXPLAIN SELECT 1").await.unwrap();
    assert_eq!(cols.len(), 1);
    assert_eq!(cols[0].name, "Query Plan");
    assert!(!rows.is_empty());
    let (cols, _) = run(&e, "VALUES (1, 'a')").await.unwrap();
    assert_eq!(cols[0].name, "_col0");
    assert_eq!(cols[1].name, "_col1");
    let (cols, _) = run(&e, "SELECT 1 AS \"MixedCase\", upper('a')")
        .await
        .unwrap();
    assert_eq!(cols[0].name, "mixedcase");
    assert_eq!(cols[1].name, "_col1");
    let (_, rows) = run(&e, "SELECT INTERVAL '2' DAY, INTERVAL '3' MONTH")
        .await
        .unwrap();
    assert_eq!(text(&rows), [["2 00:00:00.000", "0-3"]]);
}

// layout: long function, because a table of SQL and the answers Trino gives, one line each
#[tokio::test]
async fn trino_functions_work() {
    let e = engine().await;
    let cases = [
        ("if(1 > 0, 'y', 'n')", "y"),
        ("count_if(x > 0)", "1"),
        ("date_add('day', 3, DATE '2024-03-04')", "2024-03-07"),
        (
            "date_diff('day', DATE '2024-01-01', DATE '2024-03-01')",
            "60",
        ),
        (
            "date_format(TIMESTAMP '2024-01-02 03:04:05', '%Y/%m/%d %H:%i:%s')",
            "2024/01/02 03:04:05",
        ),
        ("year(DATE '2024-03-04')", "2024"),
        ("day_of_week(DATE '2024-03-04')", "1"),
        ("regexp_extract('abc123', '[0-9]+')", "123"),
        ("regexp_replace('aaa', 'a', 'b')", "bbb"),
        ("split('a,b', ',')", "[a, b]"),
        ("array_join(ARRAY['a', 'b'], '-')", "a-b"),
        ("cardinality(ARRAY[1, 2])", "2"),
        ("contains(ARRAY[1, 2], 1)", "true"),
        ("to_hex(from_hex('ff00'))", "FF00"),
        ("length('héllo')", "5"),
        ("typeof(1.50)", "decimal(3,2)"),
        (
            // Trino casts only a JSON scalar to varchar; json_format writes any JSON.
            "json_format(json_parse('{\"b\": 1, \"a\": [1, 2]}'))",
            "{\"a\":[1,2],\"b\":1}",
        ),
        ("mod(7, 3)", "1"),
        ("arbitrary(x)", "1"),
        ("url_decode('Mozilla/5.0%20(X11)+x')", "Mozilla/5.0 (X11) x"),
        ("url_encode('a b/c')", "a+b%2Fc"),
        (
            "json_extract_scalar('{\"a\": {\"b\": [10, \"x\"]}}', '$.a.b[1]')",
            "x",
        ),
        (
            "json_format(json_extract('{\"a\": {\"b\": [10, 20]}}', '$.a.b'))",
            "[10,20]",
        ),
        ("typeof(json_extract('{}', '$'))", "json"),
        ("CAST(1e20 AS VARCHAR)", "1.0E20"),
        (
            "CAST(TIMESTAMP '2024-01-02 03:04:05.123' AS VARCHAR)",
            "2024-01-02 03:04:05.123",
        ),
        ("CAST(1.50 AS VARCHAR)", "1.50"),
        ("CAST('abc' AS VARCHAR(2))", "ab"),
        ("slice(ARRAY[1, 2, 3, 4], 2, 2)", "[2, 3]"),
        ("date_trunc('month', DATE '2024-03-15')", "2024-03-01"),
        ("date_trunc('week', DATE '2024-03-15')", "2024-03-11"),
        (
            "date_trunc('hour', TIMESTAMP '2024-03-15 10:45:12.345')",
            "2024-03-15 10:00:00.000",
        ),
        (
            "date_trunc('day', TIMESTAMP '2001-08-22 03:04:05.321 America/Los_Angeles')",
            "2001-08-22 00:00:00.000 America/Los_Angeles",
        ),
        ("current_timezone()", "UTC"),
        ("typeof(uuid())", "uuid"),
        ("rand(1)", "0"),
    ];
    let (_, rows) = run(
        &e,
        "SELECT max_by(n, x), min_by(n, x) FROM (VALUES (1, 'a'), (3, 'c'), (2, 'b')) AS t(x, n)",
    )
    .await
    .unwrap();
    assert_eq!(text(&rows), [["c", "a"]]);
    for (sql, want) in cases {
        let q =
            format!("SELECT {sql} FROM (SELECT min(x) AS x FROM UNNEST(sequence(1, 3)) AS t(x))");
        let (_, rows) = run(&e, &q)
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err}"));
        assert_eq!(rows[0][0].as_deref(), Some(want), "{sql}");
    }
}

#[tokio::test]
async fn malformed_sql_never_panics() {
    let e = engine().await;
    for sql in [
        "",
        ";",
        "SELEC 1",
        "SELECT",
        "SELECT 1 FROM",
        "SELECT ((((1",
        "SELECT 'x",
        "CREATE",
        "CREATE EXTERNAL TABLE",
        "DROP",
        "SHOW",
        "DESCRIBE",
        "SELECT 1; SELECT 2",
        "\u{0}",
        "SELECT * FROM UNNEST(",
        "CAST(",
        "SELECT CAST(1 AS ROW(",
        "SELECT ARRAY[",
    ] {
        match e.prepare(sql) {
            Ok(p) => {
                let _ = e.execute(&p, &ExecutionContext::default()).await;
            }
            Err(QueryError::Malformed { message }) => {
                assert!(message.starts_with("line "), "{sql}: {message}")
            }
            Err(other) => assert!(matches!(other, QueryError::Failed { .. }), "{sql}"),
        }
    }
    let deep = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
    assert!(e.prepare(&deep).is_err());
    let deep_row = format!(
        "SELECT CAST(NULL AS {}INT{})",
        "ROW(a ".repeat(20_000),
        ")".repeat(20_000)
    );
    let _ = e.prepare(&deep_row);
    let deep_type = format!(
        "CREATE EXTERNAL TABLE t (a {}int{}) LOCATION 's3://b/p/'",
        "array<".repeat(20_000),
        ">".repeat(20_000)
    );
    assert!(matches!(
        e.prepare(&deep_type),
        Err(QueryError::Malformed { .. })
    ));
}

#[tokio::test]
async fn init_sql_runs_at_startup() {
    let config = EngineConfig {
        cloudfront_rows: 0,
        ..EngineConfig::default()
    };
    let script = config.data_dir.with_extension("sql");
    std::fs::write(
        &script,
        "CREATE DATABASE a; -- comment; with a semicolon\nCREATE DATABASE IF NOT EXISTS b;\n",
    )
    .unwrap();
    let e = Engine::new(EngineConfig {
        init_sql: Some(script.clone()),
        ..config
    })
    .await
    .unwrap();
    let (_, rows) = run(&e, "SHOW DATABASES").await.unwrap();
    assert_eq!(text(&rows), [["a"], ["b"], ["default"]]);
    let _ = std::fs::remove_file(script);
}

/// Mutations of typical queries through prepare/execute: no panic, no hang, no crash.
/// `FUZZ_SEED` and `FUZZ_ROUNDS` (default 3000, well under a second) run it longer.
#[tokio::test]
async fn mutated_statements_never_panic_or_hang() {
    let e = Engine::new(EngineConfig {
        cloudfront_rows: 50,
        ..EngineConfig::default()
    })
    .await
    .unwrap();
    let corpus = [
        "SELECT uri, count(*) FROM serverlessland_database.cf_access_logs WHERE status = '200' GROUP BY uri ORDER BY 2 DESC LIMIT 5",
        "SELECT CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR)), ARRAY[1, 2], MAP(ARRAY['a'], ARRAY[1])",
        "CREATE EXTERNAL TABLE t (a int, b array<string>) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' LOCATION 's3://b/p/' TBLPROPERTIES ('skip.header.line.count'='2')",
        "WITH a AS (SELECT x FROM UNNEST(sequence(1, 5)) AS t(x)) SELECT date_add('day', x, DATE '2024-01-01'), if(x > 2, 'a', 'b') FROM a",
        "SELECT TIMESTAMP '2024-01-02 03:04:05.123', DECIMAL '1.20', json_extract_scalar('{\"a\":1}', '$.a'), CAST(1 AS JSON)",
        "CREATE TABLE x WITH (format = 'JSON') AS SELECT 1 AS a",
        "SHOW TABLES IN serverlessland_database 'cf*'",
    ];
    let pieces = [
        "(", ")", ",", "'", "\"", "ROW(", "ARRAY[", "CAST(", " AS ", "<", ">", "?", ";", "--",
        "/*", "1e999", "-", "NULL", " FROM ", "\\", "SELECT", "[", "]", "*",
    ];
    let mut seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(42);
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut n = 0;
    let rounds: usize = std::env::var("FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    for _ in 0..rounds {
        let base = corpus[(next() % corpus.len() as u64) as usize];
        let mut sql: Vec<char> = base.chars().collect();
        for _ in 0..(1 + next() % 3) {
            let at = (next() % (sql.len() as u64 + 1)) as usize;
            match next() % 3 {
                0 => {
                    let p = pieces[(next() % pieces.len() as u64) as usize];
                    for (k, c) in p.chars().enumerate() {
                        sql.insert(at + k, c);
                    }
                }
                1 if at < sql.len() => {
                    sql.remove(at);
                }
                _ => sql.truncate(at),
            }
        }
        let sql: String = sql.into_iter().collect();
        if let Ok(p) = e.prepare(&sql) {
            let ctx = ExecutionContext {
                execution_parameters: vec!["1".into()],
                ..ExecutionContext::default()
            };
            // The bound covers the rows too: a stream that never ends is a hang as much as
            // an execute that never returns.
            let run = async {
                if let Ok(out) = e.execute(&p, &ctx).await {
                    let _ = out.rows.collect::<Vec<_>>().await;
                }
            };
            tokio::time::timeout(std::time::Duration::from_secs(10), run)
                .await
                .unwrap_or_else(|_| panic!("no answer within 10 s: {sql}"));
            n += 1;
        }
    }
    // Most mutations do not parse; enough must, or this tests only the parser.
    assert!(
        n * 10 >= rounds,
        "only {n} of {rounds} mutated statements got past prepare"
    );
}
