//! The row stream's behaviour against the emulator, through the real aws-sdk-athena
//! client over HTTP: what the fake-based unit tests check, on a real peer.

mod common;

use std::time::Duration;

use athena_emulator::Operation as Op;
use athena_stream::{Error, Row, StartQueryExecution};
use futures::TryStreamExt;

fn numbers(rows: &[Row]) -> Vec<i64> {
    rows.iter()
        .map(|r| {
            r.get_str(0)
                .unwrap()
                .expect("not null")
                .parse()
                .expect("a number")
        })
        .collect()
}

#[tokio::test]
async fn results_of_every_size_arrive_whole_and_in_order() {
    let emulator = common::emulator().start().await.unwrap();
    let athena = common::athena(&emulator).build().unwrap();
    for n in [0usize, 1, 999, 1000, 1001, 2500] {
        let mut stream = athena.query(common::sequence(n));
        let mut rows = Vec::new();
        while let Some(row) = stream.try_next().await.unwrap() {
            rows.push(row);
        }
        assert_eq!(
            numbers(&rows),
            (1..=n as i64).collect::<Vec<_>>(),
            "{n} rows"
        );
        // Page 1 carries the header row plus 999 rows.
        assert_eq!(
            stream.stats().pages as usize,
            (n + 1).div_ceil(1000).max(1),
            "{n} rows"
        );
        assert_eq!(stream.metadata().unwrap().columns()[0].name, "x");
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_seed_query_reads_ten_uris() {
    let emulator = common::emulator().start().await.unwrap();
    let athena = common::athena(&emulator).build().unwrap();
    let query = StartQueryExecution::new("SELECT uri FROM cf_access_logs LIMIT 10")
        .database("serverlessland_database");
    let rows: Vec<Row> = athena.query(query).try_collect().await.unwrap();
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|r| {
        r.get_str("uri")
            .unwrap()
            .is_some_and(|u| u.starts_with('/'))
    }));
    emulator.shutdown().await;
}

#[tokio::test]
async fn null_stays_distinct_from_the_empty_string() {
    let emulator = common::emulator().start().await.unwrap();
    let athena = common::athena(&emulator).build().unwrap();
    let rows: Vec<Row> = athena
        .query("SELECT CAST(NULL AS varchar) AS a, '' AS b, 'x' AS c")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].is_null(0).unwrap());
    assert_eq!(rows[0].get_str("b").unwrap(), Some(""));
    assert!(!rows[0].is_null(1).unwrap());
    assert_eq!(rows[0].get_str("c").unwrap(), Some("x"));
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_unknown_table_is_a_failed_query_with_its_reason() {
    let emulator = common::emulator().start().await.unwrap();
    let athena = common::athena(&emulator).build().unwrap();
    let err = athena
        .query("SELECT * FROM no_such_table")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    match err {
        Error::QueryFailed {
            state_change_reason,
            athena_error: Some(athena_error),
            ..
        } => {
            assert!(
                state_change_reason.contains("no_such_table"),
                "{state_change_reason}"
            );
            assert_eq!(athena_error.error_category, Some(2));
        }
        other => panic!("unexpected {other:?}"),
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn sql_that_does_not_parse_is_refused_at_start() {
    let emulator = common::emulator().start().await.unwrap();
    let athena = common::athena(&emulator).build().unwrap();
    let err = athena
        .query("SELEC 1")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    match err {
        Error::Api {
            operation: "StartQueryExecution",
            code,
            attempts: 1,
            ..
        } => assert_eq!(code.as_deref(), Some("InvalidRequestException")),
        other => panic!("unexpected {other:?}"),
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn cancel_stops_a_running_query() {
    let emulator = common::emulator()
        .query_delay(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let athena = common::athena(&emulator).build().unwrap();
    let mut stream = athena.query(common::sequence(10));
    // Poll until the query has been started, then cancel it.
    let poll = tokio::time::timeout(Duration::from_millis(300), stream.try_next()).await;
    assert!(poll.is_err(), "the query cannot have finished yet");
    let id = stream.query_execution_id().expect("started");
    stream.cancel().await.unwrap();
    assert_eq!(emulator.calls().get(Op::StopQueryExecution), 1);
    let execution = common::client(&emulator)
        .get_query_execution()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap();
    let status = execution.query_execution().unwrap().status().unwrap();
    assert_eq!(status.state().unwrap().as_str(), "CANCELLED");
    assert_eq!(
        status.state_change_reason(),
        Some("Query cancelled by user")
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_timed_out_query_is_stopped() {
    let emulator = common::emulator()
        .query_delay(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let athena = common::athena(&emulator)
        .query_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = athena
        .query(common::sequence(10))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::QueryTimedOut { .. }), "{err}");
    assert_eq!(emulator.calls().get(Op::StopQueryExecution), 1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn injected_faults_lose_and_repeat_no_row() {
    let emulator = common::emulator()
        .throttle_rate(0.15)
        .server_error_rate(0.1)
        .drop_connection_rate(0.1)
        .seed(7)
        .start()
        .await
        .unwrap();
    let athena = common::athena(&emulator).build().unwrap();
    let mut stream = athena.query(common::sequence(5500));
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.unwrap() {
        rows.push(row);
    }
    assert_eq!(numbers(&rows), (1..=5500).collect::<Vec<_>>());
    // Some faults did happen, or this test proves nothing.
    let calls = emulator.calls();
    assert!(calls.faulted(Op::GetQueryResults) > 0, "calls {calls:?}");
    // Every page was served exactly once: a retried page call reused its token.
    assert_eq!(calls.served(Op::GetQueryResults), stream.stats().pages);
    emulator.shutdown().await;
}

#[tokio::test]
async fn dropping_the_stream_stops_the_query() {
    let emulator = common::emulator()
        .query_delay(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let athena = common::athena(&emulator).build().unwrap();
    let mut stream = athena.query(common::sequence(10));
    let poll = tokio::time::timeout(Duration::from_millis(300), stream.try_next()).await;
    assert!(poll.is_err());
    drop(stream);
    // The stop is sent by the stream's task, detached; wait for the emulator to see it
    // (the timeout only turns a missing stop into a failure instead of a hang).
    let stopped = tokio::time::timeout(
        Duration::from_secs(10),
        emulator.calls_reach(Op::StopQueryExecution, 1),
    )
    .await;
    assert!(stopped.is_ok(), "StopQueryExecution was not sent");
    assert_eq!(emulator.calls().get(Op::StopQueryExecution), 1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn concurrent_query_limit_waits_and_never_starts_a_query_twice() {
    let emulator = common::emulator()
        .max_active_queries(1)
        .query_delay(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let athena = common::athena(&emulator)
        .retry_policy(
            athena_stream::ExponentialBuilder::new()
                .with_min_delay(Duration::from_millis(10))
                .with_max_delay(Duration::from_millis(50))
                .with_max_times(100),
        )
        .build()
        .unwrap();
    let first = athena.query(common::sequence(3));
    let second = athena.query(common::sequence(4));
    let (a, b) = futures::join!(
        first.try_collect::<Vec<Row>>(),
        second.try_collect::<Vec<Row>>()
    );
    assert_eq!(numbers(&a.unwrap()), vec![1, 2, 3]);
    assert_eq!(numbers(&b.unwrap()), vec![1, 2, 3, 4]);
    // One of the two starts was refused at least once and retried...
    assert!(emulator.calls().get(Op::StartQueryExecution) > 2);
    // ...with the same ClientRequestToken: only two queries exist.
    let listed = common::client(&emulator)
        .list_query_executions()
        .send()
        .await
        .unwrap();
    assert_eq!(listed.query_execution_ids().len(), 2);
    emulator.shutdown().await;
}

#[tokio::test]
async fn utility_results_keep_their_first_row_and_show_functions_drops_its_header() {
    let emulator = common::emulator().start().await.unwrap();
    let athena = common::athena(&emulator).build().unwrap();
    let tables: Vec<Row> = athena
        .query(StartQueryExecution::new("SHOW TABLES").database("serverlessland_database"))
        .try_collect()
        .await
        .unwrap();
    let names: Vec<&str> = tables
        .iter()
        .filter_map(|r| r.get_str(0).unwrap())
        .collect();
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
    // On the wire, SHOW FUNCTIONS starts with its header row, as on Athena (ATHENA.md §2).
    let id = athena
        .execute("SHOW FUNCTIONS")
        .await
        .unwrap()
        .query_execution_id;
    let page = common::client(&emulator)
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
    emulator.shutdown().await;
}

/// Every type of ATHENA.md §2, end to end: the emulator renders it, the real SDK carries
/// it, the row stream keeps it as text and the typed decoding reads it back, for each
/// entry of the shared vectors in `testdata/athena_values.json`.
#[tokio::test]
async fn every_type_arrives_as_athenas_text_and_decodes() {
    let vectors: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../testdata/athena_values.json")).unwrap();
    let emulator = common::emulator().start().await.unwrap();
    let athena = common::athena(&emulator).build().unwrap();
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
        assert_eq!(row.get_str(0).unwrap(), vector["text"].as_str(), "{sql}");
        let typed = row.to_typed_json().unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(typed["v"], vector["json"], "{sql}");
    }
    emulator.shutdown().await;
}
