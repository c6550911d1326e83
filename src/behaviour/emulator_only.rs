//! Rules only the emulator can show: real SQL (AWS's sample query, every Athena type,
//! SHOW statements), the real active-query limit, faults drawn at random rates, and the
//! SDK's own retries (the fake sits behind the seam, below the SDK).

use std::time::Duration;

use athena_emulator::{Emulator, EngineConfig, Injected};
use futures::TryStreamExt;

use super::backend::{Backend, OnEmulator, Queries, emulator_op};
use super::{numbers, range};
use crate::{Row, StartQueryExecution, error::Operation};

fn emulator() -> athena_emulator::EmulatorBuilder {
    Emulator::builder().with_engine_config(EngineConfig {
        cloudfront_rows: 100,
        ..EngineConfig::default()
    })
}

#[tokio::test]
async fn the_seed_query_reads_ten_uris() {
    let b = OnEmulator::start(Queries::Quick).await;
    let query = StartQueryExecution::new("SELECT uri FROM cf_access_logs LIMIT 10")
        .with_database("serverlessland_database");
    let rows: Vec<Row> = b.athena().query(query).try_collect().await.unwrap();
    assert_eq!(rows.len(), 10);
    for row in &rows {
        let uri: String = row.get("uri").unwrap();
        assert!(uri.starts_with('/'), "{uri}");
    }
    b.finish().await;
}

/// SHOW TABLES (UTILITY) starts with data; SHOW FUNCTIONS sends a header row on the
/// wire, as Athena does, and the stream drops it (docs/athena.md, "Pages of results").
#[tokio::test]
async fn utility_results_keep_their_first_row_and_show_functions_drops_its_header() {
    let b = OnEmulator::start(Queries::Quick).await;
    let athena = b.athena();
    let tables: Vec<Row> = athena
        .query(StartQueryExecution::new("SHOW TABLES").with_database("serverlessland_database"))
        .try_collect()
        .await
        .unwrap();
    let names: Vec<String> = tables.iter().map(|r| r.get(0).unwrap()).collect();
    assert_eq!(names, ["cf_access_logs"]);

    let functions: Vec<Row> = athena.query("SHOW FUNCTIONS").try_collect().await.unwrap();
    assert!(!functions.is_empty());
    let columns: Vec<String> = functions[0]
        .columns()
        .iter()
        .map(|c| c.name.clone())
        .collect();
    for row in &functions {
        let values: Vec<String> = row.values().iter().flatten().cloned().collect();
        assert_ne!(values, columns, "the header row came through as data");
    }
    let id = athena
        .execute("SHOW FUNCTIONS")
        .await
        .unwrap()
        .query_execution_id;
    let page = OnEmulator::client(&b.emulator, 1)
        .get_query_results()
        .query_execution_id(id)
        .send()
        .await
        .unwrap();
    let first: Vec<String> = page.result_set().unwrap().rows()[0]
        .data()
        .iter()
        .map(|d| d.var_char_value().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(first, columns);
    b.finish().await;
}

/// Every type of the shared vectors end to end: the emulator renders it, the real SDK
/// carries it, the row stream keeps it as text and the typed decoding reads it back.
#[tokio::test]
async fn every_type_arrives_as_athenas_text_and_decodes() {
    let vectors: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../testdata/athena_values.json")).unwrap();
    let b = OnEmulator::start(Queries::Quick).await;
    let athena = b.athena();
    for vector in &vectors {
        let sql = vector["sql"].as_str().unwrap();
        let rows: Vec<Row> = athena
            .query(format!("SELECT {sql} AS v"))
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(rows.len(), 1, "{sql}");
        let row = &rows[0];
        assert_eq!(
            row.columns()[0].r#type,
            vector["type"].as_str().unwrap(),
            "{sql}"
        );
        assert_eq!(row.values()[0].as_deref(), vector["text"].as_str(), "{sql}");
        let typed = row.to_typed_json().unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(typed["v"], vector["json"], "{sql}");
    }
    b.finish().await;
}

/// Faults at random (seeded) rates on every call: no row lost or repeated, and every
/// page served exactly once (a retried page call reused its token).
#[tokio::test]
async fn faults_at_random_rates_lose_and_repeat_no_row() {
    let emulator = emulator()
        .with_throttle_rate(0.15)
        .with_server_error_rate(0.1)
        .with_drop_connection_rate(0.1)
        .with_seed(7)
        .start()
        .await
        .unwrap();
    // The random faults are drawn by calls that interleave (polls, pages), so which
    // calls they hit varies between runs; one lost page answer always happens.
    let page_calls = emulator_op(Operation::GetQueryResults);
    emulator.inject(page_calls, Injected::LoseAnswer, 1);
    let athena = OnEmulator::builder_over(OnEmulator::client(&emulator, 3))
        .build()
        .unwrap();
    let mut stream = athena.query("SELECT x FROM UNNEST(sequence(1, 5500)) AS t(x)");
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(numbers(&rows), range(1, 5500));
    let calls = emulator.calls();
    // Faults did happen on pages, or this proves nothing.
    assert_eq!(emulator.injected_left(page_calls), 0);
    assert!(calls.faulted(page_calls) > 0, "calls {calls:?}");
    assert_eq!(calls.served(page_calls), stream.stats().pages);
    emulator.shutdown().await;
}

/// The real active-query limit: a second query waits until the first has finished,
/// retried on `CONCURRENT_QUERY_LIMIT_EXCEEDED`, and both run once.
#[tokio::test]
async fn the_active_query_limit_makes_a_start_wait_and_both_queries_run_once() {
    let emulator = emulator()
        .with_max_active_queries(1)
        .with_query_delay(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let athena = OnEmulator::builder_over(OnEmulator::client(&emulator, 1))
        .with_retry_policy(
            crate::Backoff::new(Duration::from_millis(10))
                .with_max_delay(Duration::from_millis(50))
                .with_max_attempts(100),
        )
        .build()
        .unwrap();
    let first = athena.query("SELECT x FROM UNNEST(sequence(1, 3)) AS t(x)");
    let second = athena.query("SELECT x FROM UNNEST(sequence(1, 4)) AS t(x)");
    let (a, b) = futures::join!(
        first.try_collect::<Vec<Row>>(),
        second.try_collect::<Vec<Row>>()
    );
    assert_eq!(numbers(&a.unwrap()), range(1, 3));
    assert_eq!(numbers(&b.unwrap()), range(1, 4));
    let starts = emulator
        .calls()
        .get(emulator_op(Operation::StartQueryExecution));
    assert!(starts > 2, "one start waited: {starts} starts");
    let listed = OnEmulator::client(&emulator, 1)
        .list_query_executions()
        .send()
        .await
        .unwrap();
    assert_eq!(listed.query_execution_ids().len(), 2);
    emulator.shutdown().await;
}

/// A lost start answer with the SDK's own retries on (3 attempts): the SDK resends with
/// the token it keeps, the emulator answers with the query it started, one query runs.
#[tokio::test]
async fn a_lost_start_answer_starts_one_query_with_the_sdks_retries_on_too() {
    let emulator = emulator().start().await.unwrap();
    emulator.inject(
        emulator_op(Operation::StartQueryExecution),
        Injected::LoseAnswer,
        1,
    );
    let athena = OnEmulator::builder_over(OnEmulator::client(&emulator, 3))
        .build()
        .unwrap();
    let mut stream = athena.query("SELECT x FROM UNNEST(sequence(1, 1500)) AS t(x)");
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(numbers(&rows), range(1, 1500));
    let start = emulator_op(Operation::StartQueryExecution);
    assert_eq!(emulator.injected_left(start), 0);
    assert_eq!(
        emulator.calls().get(start),
        2,
        "the SDK sent the start again"
    );
    let listed = OnEmulator::client(&emulator, 1)
        .list_query_executions()
        .send()
        .await
        .unwrap();
    assert_eq!(listed.query_execution_ids().len(), 1, "exactly one query");
    assert_eq!(stream.stats().start_query_execution_calls, 2);
    emulator.shutdown().await;
}

/// A `ClientRequestToken` set by the caller: the same request again gets the same query;
/// the token with any idempotent parameter changed (the SQL, the database, the catalog,
/// the output location) is refused with `IDEMPOTENT_PARAMETER_MISMATCH`, never a second
/// query (docs/athena.md, "Starting a query").
#[tokio::test]
async fn a_reused_client_request_token_gets_its_query_or_a_mismatch() {
    let b = OnEmulator::start(Queries::Quick).await;
    let athena = b.athena();
    let token = "0123456789abcdef0123456789abcdef";
    let base = || {
        StartQueryExecution::new("SELECT 1 AS x")
            .with_database("default")
            .with_catalog("AwsDataCatalog")
            .with_output_location("s3://results/suite/")
            .with_client_request_token(token)
    };
    let first = athena.execute(base()).await.unwrap();
    let again = athena.execute(base()).await.unwrap();
    assert_eq!(first.query_execution_id, again.query_execution_id);
    let changed = [
        (
            "the SQL",
            base().with_execution_parameters(Vec::<String>::new()),
            false,
        ),
        (
            "the SQL",
            StartQueryExecution::new("SELECT 2 AS x")
                .with_database("default")
                .with_catalog("AwsDataCatalog")
                .with_output_location("s3://results/suite/")
                .with_client_request_token(token),
            true,
        ),
        (
            "the database",
            base().with_database("serverlessland_database"),
            true,
        ),
        ("the catalog", base().with_catalog("other_catalog"), true),
        (
            "the output location",
            base().with_output_location("s3://results/other/"),
            true,
        ),
    ];
    for (what, query, refused) in changed {
        match athena.execute(query).await {
            Err(crate::Error::Api {
                operation: Operation::StartQueryExecution,
                message,
                ..
            }) if refused => assert_eq!(message, "Idempotent parameters do not match", "{what}"),
            Ok(execution) if !refused => {
                assert_eq!(
                    execution.query_execution_id, first.query_execution_id,
                    "{what}"
                );
            }
            other => panic!("{what}: unexpected {other:?}"),
        }
    }
    assert_eq!(b.started().await.len(), 1, "no second query");
    b.finish().await;
}

/// A real SDK client whose credentials provider finds nothing (as the default chain does
/// on a machine without AWS configuration) fails at its first attempt, as
/// `Credentials`, on one line; the emulator never sees a request.
#[tokio::test]
async fn a_client_without_credentials_fails_at_once_and_sends_nothing() {
    use aws_sdk_athena::config::{BehaviorVersion, Region};

    let b = OnEmulator::start(Queries::Quick).await;
    let config = aws_sdk_athena::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(crate::fake::NoCredentials)
        .endpoint_url(b.emulator.endpoint_url())
        .build();
    let client = aws_sdk_athena::Client::from_conf(config);
    let athena = OnEmulator::builder_over(client).build().unwrap();
    let mut stream = athena.query(b.numbers(1));
    let err = stream.try_next().await.unwrap_err();
    match &err {
        crate::Error::Api {
            operation: Operation::StartQueryExecution,
            kind: crate::error::ApiErrorKind::Credentials,
            attempts: 1,
            ..
        } => {}
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    assert!(!text.contains('\n'), "{text}");
    assert!(
        text.contains("no AWS credentials found (tried Environment, Profile"),
        "{text}"
    );
    assert!(text.contains("AWS_ACCESS_KEY_ID"), "{text}");
    assert_eq!(b.calls(Operation::StartQueryExecution), 0);
    let stats = stream.stats();
    assert_eq!(stats.start_query_execution_calls, 0);
    assert_eq!(
        stats.retries, 0,
        "the suite's policy would have retried 20 times"
    );
    b.finish().await;
}
