//! Athena's restJson1 protocol (what boto3 1.44.18 and later speak) beside awsJson1_1 on
//! the one port: the same operations, answers, errors, faults, limits and tokens through
//! both; the requests only restJson1 can get wrong; S3 on the same port; and no answer
//! naming a path of the machine.

use crate::common;
use crate::protocol::assert_error_in;
use crate::wire::{self, Answer, Wire};

use std::time::Duration;

use athena_emulator::{Injected, Operation};
use serde_json::{Value, json};

/// A ClientRequestToken unique to `n` (at least 32 characters, as the model asks).
fn token(n: usize) -> String {
    format!("rest-json-test-token-{n:012}-0000")
}

fn start_body(sql: &str, n: usize) -> Value {
    json!({"QueryString": sql, "ClientRequestToken": token(n)})
}

async fn start(emulator: &athena_emulator::Emulator, wire: Wire, sql: &str, n: usize) -> String {
    let answer = wire::call(emulator, wire, "StartQueryExecution", start_body(sql, n)).await;
    assert_eq!(answer.status, 200, "{wire:?}: {answer:?}");
    answer.json()["QueryExecutionId"]
        .as_str()
        .expect("an id")
        .to_owned()
}

/// Polls GetQueryExecution in `wire` until the query's state is final; its answer.
async fn wait(emulator: &athena_emulator::Emulator, wire: Wire, id: &str) -> Value {
    loop {
        let answer = wire::call(
            emulator,
            wire,
            "GetQueryExecution",
            json!({"QueryExecutionId": id}),
        )
        .await;
        assert_eq!(answer.status, 200, "{wire:?}: {answer:?}");
        let execution = answer.json()["QueryExecution"].clone();
        match execution["Status"]["State"].as_str() {
            Some("QUEUED" | "RUNNING") => {
                // Polling, not synchronisation: the state is re-read until final.
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            Some(_) => return execution,
            None => panic!("no state in {execution}"),
        }
    }
}

/// Every row of every page, read `max` at a time in `wire`, and how many pages.
async fn page_through(
    emulator: &athena_emulator::Emulator,
    wire: Wire,
    id: &str,
    max: i64,
) -> (Vec<Value>, usize) {
    let mut rows = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut members = json!({"QueryExecutionId": id, "MaxResults": max});
        if let Some(token) = &token {
            members["NextToken"] = json!(token);
        }
        let answer = wire::call(emulator, wire, "GetQueryResults", members).await;
        assert_eq!(answer.status, 200, "{wire:?}: {answer:?}");
        assert_eq!(answer.header("content-type"), Some(wire.content_type()));
        let page = answer.json();
        pages += 1;
        rows.extend(
            page["ResultSet"]["Rows"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
        match page["NextToken"].as_str() {
            Some(next) => {
                assert_ne!(Some(next), token.as_deref(), "a token repeated");
                token = Some(next.to_owned());
            }
            None => return (rows, pages),
        }
    }
}

#[tokio::test]
async fn a_query_lives_the_same_in_both_protocols() {
    let emulator = common::emulator().await;
    let sql = "SELECT x, CAST(NULL AS varchar) AS n, '' AS e FROM UNNEST(sequence(1, 25)) AS t(x)";
    let mut answers = Vec::new();
    for (n, wire) in Wire::BOTH.into_iter().enumerate() {
        let id = start(&emulator, wire, sql, n).await;
        let execution = wait(&emulator, wire, &id).await;
        assert_eq!(execution["Status"]["State"], "SUCCEEDED", "{wire:?}");
        assert_eq!(execution["QueryExecutionId"], id.as_str());
        assert_eq!(execution["Query"], sql);
        // 26 rows (the header and 25) in pages of 10.
        let (rows, pages) = page_through(&emulator, wire, &id, 10).await;
        assert_eq!(pages, 3, "{wire:?}");
        assert_eq!(rows.len(), 26, "{wire:?}");
        assert_eq!(
            rows[0],
            json!({"Data": [{"VarCharValue": "x"}, {"VarCharValue": "n"}, {"VarCharValue": "e"}]})
        );
        assert_eq!(
            rows[25],
            json!({"Data": [{"VarCharValue": "25"}, {}, {"VarCharValue": ""}]})
        );

        let listed = wire::call(
            &emulator,
            wire,
            "ListQueryExecutions",
            json!({"MaxResults": 50}),
        )
        .await
        .json();
        assert!(
            listed["QueryExecutionIds"]
                .as_array()
                .unwrap()
                .contains(&json!(id)),
            "{wire:?}: {listed}"
        );
        let batch = wire::call(
            &emulator,
            wire,
            "BatchGetQueryExecution",
            json!({"QueryExecutionIds": [id, "no-such-query"]}),
        )
        .await
        .json();
        assert_eq!(batch["QueryExecutions"][0]["QueryExecutionId"], id.as_str());
        assert_eq!(
            batch["UnprocessedQueryExecutionIds"][0]["ErrorCode"],
            "QUERY_EXECUTION_NOT_FOUND"
        );
        // Stopping a finished query changes nothing.
        let stopped = wire::call(
            &emulator,
            wire,
            "StopQueryExecution",
            json!({"QueryExecutionId": id}),
        )
        .await;
        assert_eq!(stopped.status, 200);
        assert_eq!(stopped.json(), json!({}));
        assert_eq!(
            wait(&emulator, wire, &id).await["Status"]["State"],
            "SUCCEEDED"
        );
        answers.push((rows, execution));
    }
    // The same rows, and the same description but for what differs per query.
    assert_eq!(answers[0].0, answers[1].0);
    let keys = |e: &Value| e.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&answers[0].1), keys(&answers[1].1));
    // Each protocol listed the other's query too: one registry.
    let listed = wire::call(&emulator, Wire::RestJson, "ListQueryExecutions", json!({}))
        .await
        .json();
    assert_eq!(listed["QueryExecutionIds"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn results_errors_are_the_same_in_both_protocols() {
    let emulator = common::builder()
        .with_query_delay(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let finished = common::builder().start().await.unwrap();
    for (n, wire) in Wire::BOTH.into_iter().enumerate() {
        let running = start(&emulator, wire, "SELECT 1", n).await;
        let answer = wire::call(
            &emulator,
            wire,
            "GetQueryResults",
            json!({"QueryExecutionId": running}),
        )
        .await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_QUERY_EXECUTION_STATE"),
            "Query has not yet finished. Current state: QUEUED",
        );
        let answer = wire::call(
            &emulator,
            wire,
            "GetQueryResults",
            json!({"QueryExecutionId": "no-such-query"}),
        )
        .await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("QUERY_EXECUTION_NOT_FOUND"),
            "QueryExecution no-such-query was not found",
        );

        let id = start(&finished, wire, "SELECT 1", n).await;
        wait(&finished, wire, &id).await;
        let answer = wire::call(
            &finished,
            wire,
            "GetQueryResults",
            json!({"QueryExecutionId": id, "MaxResults": 1001}),
        )
        .await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "MaxResults is more than maximum allowed length 1000",
        );
        let answer = wire::call(
            &finished,
            wire,
            "GetQueryResults",
            json!({"QueryExecutionId": id, "NextToken": "forged/+="}),
        )
        .await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "Malformed nextPageToken forged/+=",
        );
    }
}

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn faults_the_query_limit_and_idempotency_are_the_same_in_both_protocols() {
    let emulator = common::builder()
        .with_query_delay(Duration::from_secs(3600))
        .with_max_active_queries(1)
        .start()
        .await
        .unwrap();
    let first = start(&emulator, Wire::AwsJson, "SELECT 1", 0).await;
    for wire in Wire::BOTH {
        // The same token (and request) is the same query, whichever protocol sent it.
        let again = wire::call(
            &emulator,
            wire,
            "StartQueryExecution",
            start_body("SELECT 1", 0),
        )
        .await;
        assert_eq!(again.json()["QueryExecutionId"], first.as_str(), "{wire:?}");
        // The same token for another query is a mismatch.
        let other = wire::call(
            &emulator,
            wire,
            "StartQueryExecution",
            start_body("SELECT 2", 0),
        )
        .await;
        assert_error_in(
            wire,
            &other,
            "InvalidRequestException",
            Some("IDEMPOTENT_PARAMETER_MISMATCH"),
            "Idempotent parameters do not match",
        );
        // A second query is past the limit of one.
        let over = wire::call(
            &emulator,
            wire,
            "StartQueryExecution",
            start_body("SELECT 3", 7),
        )
        .await;
        assert_eq!(over.status, 400);
        assert_eq!(over.json()["__type"], "TooManyRequestsException");
        assert_eq!(over.json()["Reason"], "CONCURRENT_QUERY_LIMIT_EXCEEDED");
        assert_eq!(
            over.header("x-amzn-errortype"),
            Some("TooManyRequestsException")
        );

        // Injected faults fire on either protocol's calls.
        emulator.inject(Operation::GetQueryExecution, Injected::Throttle, 1);
        let throttled = wire::call(
            &emulator,
            wire,
            "GetQueryExecution",
            json!({"QueryExecutionId": first}),
        )
        .await;
        assert_error_in(
            wire,
            &throttled,
            "ThrottlingException",
            None,
            "Rate exceeded",
        );
        emulator.inject(Operation::GetQueryExecution, Injected::ServerError, 1);
        let failed = wire::call(
            &emulator,
            wire,
            "GetQueryExecution",
            json!({"QueryExecutionId": first}),
        )
        .await;
        assert_eq!(failed.status, 500, "{wire:?}");
        assert_eq!(
            failed.header("x-amzn-errortype"),
            Some("InternalServerException")
        );
        assert_eq!(emulator.injected_left(Operation::GetQueryExecution), 0);
    }
    // Every call was counted against its operation, whichever protocol sent it.
    let calls = emulator.calls();
    assert_eq!(calls.get(Operation::StartQueryExecution), 7);
    assert_eq!(calls.faulted(Operation::GetQueryExecution), 4);
    // A stop in restJson1 frees the slot.
    let stopped = wire::call(
        &emulator,
        Wire::RestJson,
        "StopQueryExecution",
        json!({"QueryExecutionId": first}),
    )
    .await;
    assert_eq!(stopped.status, 200);
    let next = wire::call(
        &emulator,
        Wire::RestJson,
        "StartQueryExecution",
        start_body("SELECT 4", 8),
    )
    .await;
    assert_eq!(next.status, 200, "{next:?}");
}

#[tokio::test]
async fn paths_and_methods_that_name_no_operation_answer_unknown_operation() {
    let emulator = common::emulator().await;
    for (method, target) in [
        ("GET", "/"),
        ("POST", "/"),
        ("DELETE", "/query-executions/x"),
        ("PUT", "/query-executions"),
        ("GET", "/query-executions/x/stop"),
        ("GET", "/work-groups/primary"),
        ("GET", "/query-executions/x/results/extra"),
    ] {
        let answer = wire::rest(&emulator, method, target, b"").await;
        assert_eq!(answer.status, 400, "{method} {target}: {answer:?}");
        assert_eq!(
            answer.header("x-amzn-errortype"),
            Some("UnknownOperationException")
        );
        let message = answer.json()["Message"].as_str().unwrap().to_owned();
        assert!(message.contains("POST /query-executions"), "{message}");
    }
    assert_eq!(emulator.calls().total(), 0);
}

#[tokio::test]
async fn query_strings_labels_and_bodies_that_do_not_read_answer_serialization_errors() {
    let emulator = common::emulator().await;
    for target in [
        "/query-executions/q/results?MaxResults=ten",
        "/query-executions/q/results?MaxResults=1.5",
        "/query-executions/q/results?MaxResults=1&MaxResults=2",
        "/query-executions/q/results?NextToken=%zz",
        "/query-executions?MaxResults=99999999999",
        "/query-executions/%ff%fe",
    ] {
        let answer = wire::rest(&emulator, "GET", target, b"").await;
        assert_eq!(answer.status, 400, "{target}");
        assert_eq!(
            answer.json()["__type"],
            "SerializationException",
            "{target}"
        );
        assert_eq!(
            answer.header("x-amzn-errortype"),
            Some("SerializationException")
        );
    }
    for path in ["/query-executions", "/batch-get-query-executions"] {
        for body in [&b"{"[..], b"not json", b"[1]", b"\xff\xfe"] {
            let answer = wire::rest(&emulator, "POST", path, body).await;
            assert_eq!(answer.status, 400, "{path} {body:?}");
            assert_eq!(answer.json()["__type"], "SerializationException");
        }
    }
    // Operations whose members are all in the URI ignore a body, whatever it holds.
    let answer = wire::rest(&emulator, "GET", "/query-executions/x", b"not json").await;
    assert_error_in(
        Wire::RestJson,
        &answer,
        "InvalidRequestException",
        Some("QUERY_EXECUTION_NOT_FOUND"),
        "QueryExecution x was not found",
    );
    // A body member cannot override the path's.
    let answer = wire::rest(
        &emulator,
        "POST",
        "/query-executions/from-path/stop",
        br#"{"QueryExecutionId": "from-body"}"#,
    )
    .await;
    assert_eq!(
        answer.json()["Message"],
        "QueryExecution from-path was not found"
    );
    assert_eq!(emulator.active_queries(), 0);
}

#[tokio::test]
async fn an_empty_label_is_reported_as_the_member_it_binds() {
    let emulator = common::emulator().await;
    for (method, target) in [
        ("GET", "/query-executions//results"),
        ("POST", "/query-executions//stop"),
        ("GET", "/query-executions/"),
    ] {
        let answer = wire::rest(&emulator, method, target, b"").await;
        assert_error_in(
            Wire::RestJson,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "1 validation error detected: Value '' at 'queryExecutionId' failed to satisfy \
             constraint: Member must have length greater than or equal to 1",
        );
    }
}

#[tokio::test]
async fn s3_and_athena_share_the_port_by_the_signing_service() {
    let emulator = common::emulator().await;
    let s3 = common::s3_client(&emulator);
    // A bucket named as Athena's route: S3 calls signed for s3 reach it.
    s3.create_bucket()
        .bucket("query-executions")
        .send()
        .await
        .expect("CreateBucket");
    s3.put_object()
        .bucket("query-executions")
        .key("stop")
        .body(b"an object".to_vec().into())
        .send()
        .await
        .expect("PutObject");
    let got = s3
        .get_object()
        .bucket("query-executions")
        .key("stop")
        .send()
        .await
        .expect("GetObject");
    assert_eq!(got.body.collect().await.unwrap().to_vec(), b"an object");
    // Signed for athena, the same path is Athena's.
    let answer = wire::rest(&emulator, "GET", "/query-executions", b"").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["QueryExecutionIds"], json!([]));
    // Unsigned, it is S3 (anonymous S3 requests exist; unsigned Athena ones do not).
    let unsigned = wire::request(&emulator, "GET", "/query-executions/stop", &[], b"").await;
    assert_eq!(unsigned.status, 200);
    assert_eq!(unsigned.body, b"an object");
    // Signed for another service, it is refused.
    let auth = wire::signed_for("glue");
    let other = wire::request(
        &emulator,
        "GET",
        "/query-executions",
        &[("Authorization", auth.as_str())],
        b"",
    )
    .await;
    assert_eq!(other.status, 400);
    assert_eq!(other.json()["__type"], "UnknownOperationException");
    let message = other.json()["Message"].as_str().unwrap().to_owned();
    assert!(message.contains("signed for glue"), "{message}");
}

/// The result file of query `id`, on the emulator's disk.
fn result_file(emulator: &athena_emulator::Emulator, execution: &Value) -> std::path::PathBuf {
    let uri = execution["ResultConfiguration"]["OutputLocation"]
        .as_str()
        .expect("an OutputLocation");
    let (bucket, key) = common::bucket_and_key(uri);
    emulator.engine().data_dir().join(bucket).join(key)
}

fn assert_names_no_local_path(emulator: &athena_emulator::Emulator, answer: &Answer) {
    let text = String::from_utf8_lossy(&answer.body);
    let dir = emulator.engine().data_dir().to_str().unwrap().to_owned();
    let canonical = std::fs::canonicalize(&dir).unwrap();
    for local in [dir.as_str(), canonical.to_str().unwrap()] {
        assert!(
            !text.contains(local.trim_start_matches('/')),
            "{text} names {local}"
        );
    }
}

#[tokio::test]
async fn a_result_file_cut_short_is_an_error_naming_its_uri_never_the_same_token() {
    let emulator = common::emulator().await;
    for (n, wire) in Wire::BOTH.into_iter().enumerate() {
        let id = start(
            &emulator,
            wire,
            "SELECT x FROM UNNEST(sequence(1, 30)) AS t(x)",
            n,
        )
        .await;
        let execution = wait(&emulator, wire, &id).await;
        let first = wire::call(
            &emulator,
            wire,
            "GetQueryResults",
            json!({"QueryExecutionId": id, "MaxResults": 5}),
        )
        .await
        .json();
        let next = first["NextToken"].as_str().expect("more pages").to_owned();
        // The file is emptied behind the emulator's back (as an S3 PutObject could).
        std::fs::write(result_file(&emulator, &execution), b"").unwrap();
        for members in [
            json!({"QueryExecutionId": id, "MaxResults": 5, "NextToken": next}),
            json!({"QueryExecutionId": id}),
        ] {
            let answer = wire::call(&emulator, wire, "GetQueryResults", members).await;
            // Permanent: answered as a request to give up on, never a 500 to retry.
            assert_eq!(answer.status, 400, "{wire:?}: {answer:?}");
            let body = answer.json();
            assert!(body.get("NextToken").is_none());
            assert_eq!(body["__type"], "InvalidRequestException", "{body}");
            let message = body["Message"].as_str().unwrap();
            assert!(
                message.contains(&format!("s3://athena-emulator-results/{id}.csv")),
                "{message}"
            );
            assert_names_no_local_path(&emulator, &answer);
        }
    }
}

#[tokio::test]
async fn a_corrupt_result_file_is_an_invalid_request_answered_once() {
    let emulator = common::emulator().await;
    // The SDK's retrying client: a 500 would be asked again up to 10 times.
    let client = common::client(&emulator);
    let id = common::start(
        &client,
        "SELECT x, x * 2 FROM UNNEST(sequence(1, 3)) AS t(x)",
    )
    .await;
    let execution = common::wait(&client, &id).await;
    let uri = execution
        .result_configuration()
        .and_then(|c| c.output_location())
        .expect("an OutputLocation")
        .to_owned();
    let (bucket, key) = common::bucket_and_key(&uri);
    let path = emulator.engine().data_dir().join(bucket).join(key);
    // Same length, but the second row has one field where the result has two.
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replacen("\"1\",\"2\"", "\"1\"    ", 1);
    assert_ne!(broken, text, "{text}");
    assert_eq!(broken.len(), text.len());
    std::fs::write(&path, broken).unwrap();

    let before = emulator.calls().get(Operation::GetQueryResults);
    let error = client
        .get_query_results()
        .query_execution_id(&id)
        .send()
        .await
        .expect_err("a corrupt result file");
    let raw = error.raw_response().expect("an HTTP answer");
    assert_eq!(raw.status().as_u16(), 400);
    let service = error.into_service_error();
    assert!(service.is_invalid_request_exception(), "{service:?}");
    let message = service.meta().message().unwrap_or_default().to_owned();
    assert!(
        message.contains(&uri) && message.contains("corrupt"),
        "{message}"
    );
    assert_eq!(emulator.calls().get(Operation::GetQueryResults), before + 1);
}
