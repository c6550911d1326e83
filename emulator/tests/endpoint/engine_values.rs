//! Every entry of `tests/data/athena_values.json`, the shared value vectors (docs/athena.md,
//! "Values"): `SELECT <sql>` must come back with ColumnInfo type `type` and the text
//! `text`. The file is a copy of the workspace's `testdata/athena_values.json` (which the
//! library's tests read), kept in this package so its tests read only its own files.

use athena_emulator::engine::ExecutionContext;
use futures::StreamExt;

#[derive(serde::Deserialize)]
struct Entry {
    sql: String,
    #[serde(rename = "type")]
    athena_type: String,
    text: Option<String>,
}

#[tokio::test]
async fn shared_value_vectors_render_as_athena_does() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/athena_values.json");
    let entries: Vec<Entry> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read athena_values.json"))
            .expect("parse athena_values.json");
    assert!(!entries.is_empty());
    let engine = crate::engine_sql::engine().await;
    let mut failures = Vec::new();
    for entry in &entries {
        let sql = format!("SELECT {}", entry.sql);
        let got = async {
            let prepared = engine.prepare(&sql).map_err(|e| e.to_string())?;
            let out = engine
                .execute(&prepared, &ExecutionContext::default())
                .await
                .map_err(|e| e.to_string())?;
            let mut rows = Vec::new();
            let mut stream = out.rows;
            while let Some(batch) = stream.next().await {
                rows.extend(batch.map_err(|e| e.to_string())?);
            }
            let column = out.columns.first().ok_or("no column")?.athena_type.clone();
            match rows.as_slice() {
                [row] if row.len() == 1 => Ok((column, row[0].clone())),
                _ => Err(format!("expected one value, got {rows:?}")),
            }
        }
        .await;
        match got {
            Ok((t, text)) if t == entry.athena_type && text == entry.text => {}
            Ok((t, text)) => failures.push(format!(
                "{sql}: got type {t} text {text:?}, want type {} text {:?}",
                entry.athena_type, entry.text
            )),
            Err(e) => failures.push(format!("{sql}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} entries differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
