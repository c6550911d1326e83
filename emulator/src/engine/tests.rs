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
