//! Serving one 1000-row GetQueryResults page: reading the rows back from the result file
//! and writing the JSON answer, for the one-column `UNNEST(sequence(...))` rows and the
//! 33-column `cf_access_logs` rows; and encoding the same rows into the result file.
//!
//! `cargo bench -p athena-emulator --bench serve_page`

use std::hint::black_box;

use athena_emulator::engine::{Column, Engine, EngineConfig, ExecutionContext};
use athena_emulator::server::bench_support::{PageSource, encode_rows};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::StreamExt;

/// Runs `sql` on the engine and collects its columns and rendered rows.
async fn rows(engine: &Engine, sql: &str) -> (Vec<Column>, Vec<Vec<Option<String>>>) {
    let prepared = engine.prepare(sql).expect("the bench SQL parses");
    let output = engine
        .execute(&prepared, &ExecutionContext::default())
        .await
        .expect("the bench SQL runs");
    let mut rows = Vec::new();
    let mut stream = output.rows;
    while let Some(batch) = stream.next().await {
        rows.extend(batch.expect("rows"));
    }
    (output.columns, rows)
}

fn serve_page(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let config = EngineConfig {
        cloudfront_rows: 1000,
        ..EngineConfig::default()
    };
    let data_dir = config.data_dir.clone();
    let engine = runtime
        .block_on(Engine::new(config))
        .expect("the engine starts");
    let cases = [
        (
            "one_column",
            "SELECT x FROM UNNEST(sequence(1, 1000)) AS t(x)",
        ),
        (
            "cloudfront_33_columns",
            "SELECT * FROM serverlessland_database.cf_access_logs LIMIT 1000",
        ),
    ];
    let mut group = c.benchmark_group("serve_page");
    group.throughput(Throughput::Elements(1000));
    for (name, sql) in cases {
        let (columns, rows) = runtime.block_on(rows(&engine, sql));
        assert_eq!(rows.len(), 1000, "{name}");
        let source = runtime
            .block_on(PageSource::write(
                &data_dir,
                data_dir.join(format!("bench/{name}.csv")),
                &columns,
                &rows,
            ))
            .expect("the result file is written");
        let page = source.serve(1000).expect("a page");
        assert!(!page.is_empty());

        group.bench_function(format!("get_query_results_1000_rows/{name}"), |b| {
            b.iter(|| black_box(source.serve(1000).expect("a page")))
        });
        let mut buffer = Vec::with_capacity(page.len());
        group.bench_function(format!("encode_result_file_1000_rows/{name}"), |b| {
            b.iter(|| {
                buffer.clear();
                encode_rows(black_box(&rows), &mut buffer);
                black_box(buffer.len())
            })
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&data_dir);
}

criterion_group!(benches, serve_page);
criterion_main!(benches);
