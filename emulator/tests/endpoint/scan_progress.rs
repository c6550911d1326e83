//! Live progress: with a slow scan, `Statistics.DataScannedInBytes` grows
//! across GetQueryExecution polls while the query is RUNNING and reaches what it read at
//! SUCCEEDED; GetQueryRuntimeStatistics answers from the engine's plan while it runs and
//! after; a slow query stopped leaves no query running.

use crate::common;
use crate::protocol::assert_error_in;
use crate::wire::{self, Wire};
use crate::work_groups::csv_table;

use std::time::Duration;

use aws_sdk_athena::types::{QueryExecutionState, QueryStage};
use serde_json::json;

/// Bytes a second the slow emulator shows a scan at.
const RATE: u64 = 256 * 1024;

async fn slow_emulator() -> athena_emulator::Emulator {
    common::builder()
        .with_scan_bytes_per_sec(RATE)
        .start()
        .await
        .expect("emulator starts")
}

/// The state and DataScannedInBytes of a query now.
async fn poll(athena: &aws_sdk_athena::Client, id: &str) -> (QueryExecutionState, i64) {
    let execution = athena
        .get_query_execution()
        .query_execution_id(id)
        .send()
        .await
        .unwrap()
        .query_execution
        .unwrap();
    (
        execution.status().unwrap().state().unwrap().clone(),
        execution
            .statistics()
            .and_then(|s| s.data_scanned_in_bytes())
            .unwrap(),
    )
}

/// Every stage's `RemoteSources` name stages below it.
fn check_stages(stage: &QueryStage) {
    let below: Vec<String> = stage
        .sub_stages()
        .iter()
        .map(|s| s.stage_id().unwrap().to_string())
        .collect();
    let mut sources = Vec::new();
    let mut nodes = vec![stage.query_stage_plan().expect("a plan")];
    while let Some(node) = nodes.pop() {
        assert!(!node.name().unwrap().is_empty());
        sources.extend(node.remote_sources().iter().cloned());
        nodes.extend(node.children());
    }
    sources.sort();
    let mut sorted = below.clone();
    sorted.sort();
    assert_eq!(sources, sorted);
    stage.sub_stages().iter().for_each(check_stages);
}

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn data_scanned_grows_while_running_and_ends_at_what_was_read() {
    let emulator = slow_emulator().await;
    let athena = common::client(&emulator);
    // About 1 MB: some four seconds at the slow rate.
    let size = csv_table(&emulator, &athena, "events", 25_000).await as i64;
    let id = common::start(&athena, "SELECT count(*) FROM events").await;

    // Watch the figure: a first one part-way, then a larger one, all while RUNNING.
    let mut seen = Vec::new();
    loop {
        let (state, scanned) = poll(&athena, &id).await;
        assert!(
            state == QueryExecutionState::Queued || state == QueryExecutionState::Running,
            "ended before it was seen growing: {seen:?}"
        );
        assert!(scanned <= size, "{scanned} of {size}");
        if state == QueryExecutionState::Running && scanned > 0 {
            seen.push(scanned);
            if seen.len() >= 2 && seen[seen.len() - 1] > seen[0] {
                break;
            }
        }
        // Polling, not synchronisation: the figure is re-read until it has moved.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(seen[0] < size);

    // While it runs, the runtime statistics answer from the plan.
    let running = athena
        .get_query_runtime_statistics()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap()
        .query_runtime_statistics
        .unwrap();
    let timeline = running.timeline().unwrap();
    assert!(timeline.total_execution_time_in_millis().is_some());
    let rows = running.rows().unwrap();
    assert!(rows.input_bytes().unwrap() <= size);
    if let Some(stage) = running.output_stage() {
        assert_eq!(stage.state(), Some("RUNNING"));
    }

    let execution = common::wait(&athena, &id).await;
    assert_eq!(
        execution.status().and_then(|s| s.state()),
        Some(&QueryExecutionState::Succeeded)
    );
    assert_eq!(
        execution
            .statistics()
            .and_then(|s| s.data_scanned_in_bytes()),
        Some(size)
    );
    // It took at least the time the rate asks for the bytes it read.
    let engine_ms = execution
        .statistics()
        .and_then(|s| s.engine_execution_time_in_millis())
        .unwrap();
    assert!(
        engine_ms * RATE as i64 >= size * 1000 - RATE as i64,
        "{engine_ms} ms"
    );
    let rows = common::pages(&athena, &id, None).await;
    let values = common::values(&rows[0].result_set().unwrap().rows()[1]);
    assert_eq!(values, [Some("25000".to_owned())]);

    // After: the final figures.
    let done = athena
        .get_query_runtime_statistics()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap()
        .query_runtime_statistics
        .unwrap();
    let rows = done.rows().unwrap();
    assert_eq!(rows.input_rows(), Some(25_000));
    assert_eq!(rows.input_bytes(), Some(size));
    assert_eq!(rows.output_rows(), Some(1));
    assert!(rows.output_bytes().unwrap() > 0);
    let stage = done.output_stage().expect("an output stage");
    assert_eq!(stage.stage_id(), Some(0));
    assert_eq!(stage.state(), Some("FINISHED"));
    assert_eq!(stage.output_rows(), Some(1));
    check_stages(stage);
    let timeline = done.timeline().unwrap();
    assert_eq!(timeline.engine_execution_time_in_millis(), Some(engine_ms));
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_slow_query_stopped_leaves_none_running() {
    let emulator = slow_emulator().await;
    let athena = common::client(&emulator);
    let size = csv_table(&emulator, &athena, "events", 25_000).await as i64;
    let id = common::start(&athena, "SELECT label FROM events").await;
    loop {
        let (state, scanned) = poll(&athena, &id).await;
        assert!(scanned < size, "finished before it was stopped");
        if state == QueryExecutionState::Running && scanned > 0 {
            break;
        }
        // Polling, not synchronisation: the state is re-read until RUNNING.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(emulator.active_queries(), 1);
    athena
        .stop_query_execution()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.active_queries(), 0);
    let (state, stopped_at) = poll(&athena, &id).await;
    assert_eq!(state, QueryExecutionState::Cancelled);
    assert!(stopped_at < size);
    // The figure stays where the stop left it.
    assert_eq!(poll(&athena, &id).await.1, stopped_at);
    let stats = athena
        .get_query_runtime_statistics()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap()
        .query_runtime_statistics
        .unwrap();
    assert_eq!(stats.rows().unwrap().input_bytes(), Some(stopped_at));
    if let Some(stage) = stats.output_stage() {
        assert_eq!(stage.state(), Some("CANCELED"));
    }
    // No result file: a cancelled query leaves none.
    let results = athena
        .get_query_results()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_athena::error::ProvideErrorMetadata::message(&results),
        Some("Could not find results")
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn runtime_statistics_in_both_protocols_and_of_unknown_queries() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let id = common::start(
        &athena,
        "SELECT x % 10 AS k, count(*) AS n FROM UNNEST(sequence(1, 5000)) AS t(x) GROUP BY 1",
    )
    .await;
    common::wait(&athena, &id).await;
    let mut answers = Vec::new();
    for wire in Wire::BOTH {
        let answer = wire::call(
            &emulator,
            wire,
            "GetQueryRuntimeStatistics",
            json!({"QueryExecutionId": id}),
        )
        .await;
        assert_eq!(answer.status, 200, "{wire:?}: {answer:?}");
        assert_eq!(answer.header("content-type"), Some(wire.content_type()));
        let statistics = answer.json()["QueryRuntimeStatistics"].clone();
        assert_eq!(statistics["Rows"]["OutputRows"], 10, "{statistics}");
        assert_eq!(statistics["OutputStage"]["State"], "FINISHED");
        answers.push(statistics);

        let unknown = wire::call(
            &emulator,
            wire,
            "GetQueryRuntimeStatistics",
            json!({"QueryExecutionId": "no-such-query"}),
        )
        .await;
        assert_error_in(
            wire,
            &unknown,
            "InvalidRequestException",
            Some("QUERY_EXECUTION_NOT_FOUND"),
            "QueryExecution no-such-query was not found",
        );
        let missing = wire::call(&emulator, wire, "GetQueryRuntimeStatistics", json!({})).await;
        assert_error_in(
            wire,
            &missing,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            if wire == Wire::AwsJson {
                "1 validation error detected: Value null at 'queryExecutionId' failed to \
                 satisfy constraint: Member must not be null"
            } else {
                "1 validation error detected: Value '' at 'queryExecutionId' failed to \
                 satisfy constraint: Member must have length greater than or equal to 1"
            },
        );
    }
    // A finished query's figures do not change.
    assert_eq!(answers[0], answers[1]);
    emulator.shutdown().await;
}
