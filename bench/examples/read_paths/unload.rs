//! The UNLOAD path: the same query UNLOADed to Parquet, its shards read as rows and
//! as batches (feature `unload`).

use std::time::Instant;

use athena_emulator::Emulator;
use athena_stream::{ReadPath, error::BoxError, map::MapSettings, unload::Unload};
use futures::StreamExt;
use serde_json::json;

use super::{
    Args, Plan, QueryKind, Read, check_rows, library, rate, raw_s3, read_line, report, round1,
};

// layout: long function, because one measurement in order (UNLOAD, then its shards as rows and as batches, each timed), which reads best whole.
/// Unloads `query` (outside the clock) and reads every row of its files, with as many
/// files at once as the file path has ranges in flight.
pub(super) async fn read(
    args: &Args,
    plan: &Plan,
    emulator: &Emulator,
    query: QueryKind,
    file_rate: f64,
    api_rate: Option<f64>,
) -> Result<Read, BoxError> {
    let athena = library(args, emulator, ReadPath::Auto)?;
    let to = format!("s3://read-paths/unload/{}/", query.name());
    let select = athena_stream::StartQueryExecution::new(query.sql())
        .with_database("serverlessland_database");
    let unloaded = athena.unload(Unload::new(select).with_to(to)).await?;
    let s3 = super::designs::s3_client(&emulator.endpoint_url());
    let mut file_bytes = 0;
    for shard in &unloaded.shards {
        file_bytes += raw_s3::size(&s3, &raw_s3::Location::parse(&shard.uri)?).await?;
    }

    let started = Instant::now();
    let mut stream = unloaded.rows(&athena, MapSettings::new(args.chunks_in_flight));
    let mut rows = 0u64;
    while let Some(row) = stream.next().await {
        std::hint::black_box(row?);
        rows += 1;
    }
    let read = Read {
        rows,
        elapsed: started.elapsed(),
        stats: athena_stream::QueryStats::default(),
        cpu: None,
    };
    check_rows(&read, plan)?;
    let mut line = read_line("service_times", query, "unload", &read, file_bytes);
    line["bytes"] = json!(file_bytes);
    // Reading shards keeps no `QueryStats`: leave out what was not counted rather
    // than print zeros.
    for key in ["ranges", "get_query_results_calls", "s3_retries"] {
        line[key] = serde_json::Value::Null;
    }
    line["files"] = json!(unloaded.shards.len());
    line["x_file"] = json!(round1(rate(read.rows, read.elapsed) / file_rate.max(1e-9)));
    if let Some(api_rate) = api_rate {
        line["x_api"] = json!(round1(rate(read.rows, read.elapsed) / api_rate.max(1e-9)));
    }
    report(&line);

    // The same files as Arrow batches: Parquet's arrays handed through, no text.
    let started = Instant::now();
    let options = athena_stream::arrow::BatchOptions::new();
    let mut stream = unloaded.batches(&athena, MapSettings::new(args.chunks_in_flight), &options);
    let mut rows = 0u64;
    while let Some(batch) = stream.next().await {
        rows += std::hint::black_box(batch?).num_rows() as u64;
    }
    let batches = Read {
        rows,
        elapsed: started.elapsed(),
        stats: athena_stream::QueryStats::default(),
        cpu: None,
    };
    check_rows(&batches, plan)?;
    let mut batch_line = read_line(
        "service_times",
        query,
        "unload_batches",
        &batches,
        file_bytes,
    );
    batch_line["bytes"] = json!(file_bytes);
    for key in ["ranges", "get_query_results_calls", "s3_retries"] {
        batch_line[key] = serde_json::Value::Null;
    }
    batch_line["files"] = json!(unloaded.shards.len());
    batch_line["x_rows"] = json!(super::round3(
        rate(batches.rows, batches.elapsed) / rate(read.rows, read.elapsed).max(1e-9)
    ));
    batch_line["x_file"] = json!(round1(
        rate(batches.rows, batches.elapsed) / file_rate.max(1e-9)
    ));
    report(&batch_line);
    Ok(read)
}
