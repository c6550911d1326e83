//! Helpers for the tests that run SQL on the engine directly (no server): an engine
//! without the CloudFront dataset, files written under its data dir, and results as
//! text with `<null>` for NULL.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use athena_emulator::engine::{Engine, ExecutionContext, QueryError};
use futures::StreamExt;

/// An engine of its own (a fresh temp data dir, removed with it).
pub async fn engine() -> Engine {
    Engine::new(crate::common::engine_config())
        .await
        .expect("engine")
}

/// The result of a query: column names and types, rows as text, bytes scanned.
#[derive(Debug)]
pub struct Answer {
    pub names: Vec<String>,
    pub types: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub scanned: u64,
}

/// Runs `sql` to its end.
pub async fn query(engine: &Engine, sql: &str) -> Result<Answer, QueryError> {
    let prepared = engine.prepare(sql)?;
    let out = engine
        .execute(&prepared, &ExecutionContext::default())
        .await?;
    let mut rows = Vec::new();
    let mut stream = out.rows;
    while let Some(batch) = stream.next().await {
        for row in batch? {
            rows.push(
                row.into_iter()
                    .map(|v| v.unwrap_or_else(|| "<null>".to_owned()))
                    .collect(),
            );
        }
    }
    Ok(Answer {
        names: out.columns.iter().map(|c| c.name.clone()).collect(),
        types: out.columns.iter().map(|c| c.athena_type.clone()).collect(),
        rows,
        scanned: out
            .data_scanned_in_bytes
            .load(std::sync::atomic::Ordering::Relaxed),
    })
}

/// The rows of `sql`, which must succeed.
pub async fn rows(engine: &Engine, sql: &str) -> Vec<Vec<String>> {
    match query(engine, sql).await {
        Ok(a) => a.rows,
        Err(e) => panic!("{sql}\nfailed: {e}"),
    }
}

/// The one value `sql` returns.
pub async fn value(engine: &Engine, sql: &str) -> String {
    let rows = rows(engine, sql).await;
    match rows.as_slice() {
        [row] if row.len() == 1 => row[0].clone(),
        other => panic!("{sql}\nexpected one value, got {other:?}"),
    }
}

/// The error of `sql`, which must fail.
pub async fn error(engine: &Engine, sql: &str) -> QueryError {
    match query(engine, sql).await {
        Ok(a) => panic!("{sql}\nshould fail, returned {:?}", a.rows),
        Err(e) => e,
    }
}

/// Rows written as `[["a", "1"], ...]` in a test.
pub fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|v| (*v).to_owned()).collect())
        .collect()
}

/// Writes `bytes` to `s3://<key>` of the engine's data dir; returns the path.
pub fn put(engine: &Engine, key: &str, bytes: &[u8]) -> PathBuf {
    let path = engine.data_dir().join(key);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&path, bytes).expect("write");
    path
}

/// Runs a statement that returns no rows (DDL).
pub async fn exec(engine: &Engine, sql: &str) {
    if let Err(e) = query(engine, sql).await {
        panic!("{sql}\nfailed: {e}");
    }
}
