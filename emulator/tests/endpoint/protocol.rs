//! The wire protocol spoken raw: errors for bad targets, bodies and members, exactly as
//! the service answers them, and a server that keeps serving whatever it is sent.

use crate::common;
use crate::wire::{self, Answer, Wire, parse, post, send_and_close, send_raw};

use std::time::Duration;

use athena_emulator::{Emulator, Faults, Operation};
use serde_json::{Value, json};
use tokio::net::TcpStream;

/// Calls `operation` in awsJson1_1.
async fn call(emulator: &Emulator, operation: &str, body: Value) -> Answer {
    wire::call(emulator, Wire::AwsJson, operation, body).await
}

fn assert_error(answer: &Answer, kind: &str, code: Option<&str>, message: &str) {
    assert_error_in(Wire::AwsJson, answer, kind, code, message);
}

/// Asserts an error answer in the protocol `wire`: status 400, the error named in the
/// body and the `x-amzn-errortype` header, its code and message, the protocol's content
/// type and a request id.
pub fn assert_error_in(wire: Wire, answer: &Answer, kind: &str, code: Option<&str>, message: &str) {
    assert_eq!(answer.status, 400, "{wire:?}: {answer:?}");
    let body = answer.json();
    assert_eq!(body["__type"], kind, "{wire:?}: {body}");
    assert_eq!(answer.header("x-amzn-errortype"), Some(kind), "{wire:?}");
    assert_eq!(
        body.get("AthenaErrorCode").and_then(Value::as_str),
        code,
        "{wire:?}: {body}"
    );
    assert_eq!(body["Message"], message, "{wire:?}: {body}");
    assert_eq!(answer.header("content-type"), Some(wire.content_type()));
    assert!(answer.header("x-amzn-requestid").is_some());
}

const NOT_NULL_ID: &str = "1 validation error detected: Value null at 'queryExecutionId' failed \
                           to satisfy constraint: Member must not be null";

#[tokio::test]
async fn unknown_or_missing_targets_answer_unknown_operation() {
    let emulator = common::emulator().await;
    for target in [
        Some("AmazonAthena.DropEverything"),
        Some("Athena.GetQueryExecution"),
        None,
    ] {
        let answer = post(&emulator, target, b"{}").await;
        assert_eq!(answer.status, 400);
        assert_eq!(answer.json()["__type"], "UnknownOperationException");
    }
    assert_eq!(emulator.calls().total(), 0);
}

#[tokio::test]
async fn bodies_that_are_not_json_answer_serialization_exception() {
    let emulator = common::emulator().await;
    for body in [&b"{"[..], b"not json", b"[1]", b"\xff\xfe"] {
        let answer = post(&emulator, Some("AmazonAthena.GetQueryExecution"), body).await;
        assert_eq!(answer.status, 400);
        let json = answer.json();
        assert_eq!(json["__type"], "SerializationException");
        assert!(json.get("AthenaErrorCode").is_none());
    }
}

#[tokio::test]
async fn members_of_the_wrong_type_answer_serialization_exception() {
    let emulator = common::emulator().await;
    let answer = call(
        &emulator,
        "GetQueryResults",
        json!({"QueryExecutionId": "x", "MaxResults": "10"}),
    )
    .await;
    assert_error(
        &answer,
        "SerializationException",
        None,
        "STRING_VALUE can not be converted to an Integer",
    );
}

#[tokio::test]
async fn missing_required_members_answer_validation_errors() {
    let emulator = common::emulator().await;
    for operation in ["GetQueryExecution", "GetQueryResults", "StopQueryExecution"] {
        let answer = call(&emulator, operation, json!({"Unknown": true})).await;
        assert_error(
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            NOT_NULL_ID,
        );
    }
    for wire in Wire::BOTH {
        let answer = wire::call(&emulator, wire, "StartQueryExecution", json!({})).await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "1 validation error detected: Value null at 'queryString' failed to satisfy \
             constraint: Member must not be null",
        );
        let answer = wire::call(
            &emulator,
            wire,
            "StartQueryExecution",
            json!({"QueryString": "SELECT 1"}),
        )
        .await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "clientRequestToken is null or empty",
        );
        let answer = wire::call(
            &emulator,
            wire,
            "StartQueryExecution",
            json!({"QueryString": "SELECT 1", "ClientRequestToken": "short"}),
        )
        .await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "1 validation error detected: Value 'short' at 'clientRequestToken' failed to \
             satisfy constraint: Member must have length greater than or equal to 32",
        );
        let answer = wire::call(&emulator, wire, "BatchGetQueryExecution", json!({})).await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "1 validation error detected: Value null at 'queryExecutionIds' failed to \
             satisfy constraint: Member must not be null",
        );
    }
    assert_eq!(emulator.active_queries(), 0);
}

#[tokio::test]
async fn members_are_checked_against_the_models_patterns() {
    let emulator = common::emulator().await;
    for wire in Wire::BOTH {
        let answer = wire::call(
            &emulator,
            wire,
            "GetQueryExecution",
            json!({"QueryExecutionId": "a b"}),
        )
        .await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "1 validation error detected: Value 'a b' at 'queryExecutionId' failed to \
             satisfy constraint: Member must satisfy regular expression pattern: \\S+",
        );
        let answer = wire::call(
            &emulator,
            wire,
            "ListQueryExecutions",
            json!({"WorkGroup": "no/slash"}),
        )
        .await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "1 validation error detected: Value 'no/slash' at 'workGroup' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9._-]{1,128}",
        );
    }
}

#[tokio::test]
async fn get_query_results_reports_every_bad_member_at_once() {
    let emulator = common::emulator().await;
    for wire in Wire::BOTH {
        let answer = wire::call(
            &emulator,
            wire,
            "GetQueryResults",
            json!({"QueryExecutionId": "unknown", "NextToken": "", "MaxResults": 0}),
        )
        .await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "2 validation errors detected: Value '' at 'nextToken' failed to satisfy \
             constraint: Member must have length greater than or equal to 1; Value at \
             'maxResults' failed to satisfy constraint: Member must have value greater than \
             or equal to 1",
        );
    }
}

#[tokio::test]
async fn a_raw_start_runs_a_query_with_its_parameters() {
    let emulator = common::emulator().await;
    for (wire, token) in Wire::BOTH.into_iter().zip([
        "0123456789abcdef0123456789abcdef",
        "fedcba9876543210fedcba9876543210",
    ]) {
        let answer = wire::call(
            &emulator,
            wire,
            "StartQueryExecution",
            json!({
                "QueryString": "SELECT ? AS a, ? AS b",
                "ClientRequestToken": token,
                "ExecutionParameters": ["'x'", "42"],
                "UnknownMember": {"ignored": [1, 2]},
            }),
        )
        .await;
        assert_eq!(answer.status, 200, "{wire:?}: {answer:?}");
        assert_eq!(answer.header("content-type"), Some(wire.content_type()));
        let id = answer.json()["QueryExecutionId"]
            .as_str()
            .unwrap()
            .to_owned();
        let client = common::client(&emulator);
        let execution = common::wait(&client, &id).await;
        assert_eq!(execution.execution_parameters(), ["'x'", "42"]);
        let answer = wire::call(
            &emulator,
            wire,
            "GetQueryResults",
            json!({"QueryExecutionId": id}),
        )
        .await;
        let rows = &answer.json()["ResultSet"]["Rows"];
        assert_eq!(
            rows[1],
            json!({"Data": [{"VarCharValue": "x"}, {"VarCharValue": "42"}]}),
            "{wire:?}"
        );
    }
}

#[tokio::test]
async fn bodies_above_the_limit_answer_413() {
    let emulator = common::builder()
        .with_max_body_bytes(2048)
        .start()
        .await
        .unwrap();
    let big = json!({"QueryString": "x".repeat(4096)}).to_string();
    let answer = post(
        &emulator,
        Some("AmazonAthena.StartQueryExecution"),
        big.as_bytes(),
    )
    .await;
    assert_eq!(answer.status, 413);
    // Chunked, without a Content-Length, too.
    let mut request =
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonAthena.StartQueryExecution\r\n\
        Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            .to_vec();
    request.extend_from_slice(format!("{:x}\r\n{big}\r\n0\r\n\r\n", big.len()).as_bytes());
    assert_eq!(parse(&send_raw(&emulator, &request).await).status, 413);
    let answer = wire::rest(&emulator, "POST", "/query-executions", big.as_bytes()).await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.json()["__type"], "RequestEntityTooLargeException");
    let answer = call(
        &emulator,
        "GetQueryExecution",
        json!({"QueryExecutionId": "x"}),
    )
    .await;
    assert_eq!(answer.status, 400);
}

#[tokio::test]
async fn garbage_does_not_stop_the_server() {
    let emulator = common::emulator().await;
    for garbage in [
        &b"\x00\x01\x02\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nX-Amz-Target: AmazonAthena.StartQueryExecution\r\n\r\n{\"Qu",
        b"PUT /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ] {
        let _ = send_and_close(&emulator, garbage).await;
    }
    // `GET /` is S3's ListBuckets on the same port; with an Athena target it is a GET
    // Athena does not take.
    let raw = send_raw(
        &emulator,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    let listed = parse(&raw);
    assert_eq!(listed.status, 200);
    assert!(String::from_utf8_lossy(&listed.body).contains("<ListAllMyBucketsResult"));
    let raw = send_raw(
        &emulator,
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonAthena.GetQueryExecution\r\n\
          Connection: close\r\n\r\n",
    )
    .await;
    assert_eq!(parse(&raw).status, 405);
    let answer = call(
        &emulator,
        "GetQueryExecution",
        json!({"QueryExecutionId": "x"}),
    )
    .await;
    assert_error(
        &answer,
        "InvalidRequestException",
        Some("QUERY_EXECUTION_NOT_FOUND"),
        "QueryExecution x was not found",
    );
}

#[tokio::test]
async fn a_dropped_connection_gets_no_answer_at_all() {
    let emulator = common::builder()
        .with_operation_faults(
            Operation::GetQueryExecution,
            Faults::new().with_drop_connection_rate(1.0),
        )
        .start()
        .await
        .unwrap();
    let body = json!({"QueryExecutionId": "x"}).to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonAthena.GetQueryExecution\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    assert!(send_raw(&emulator, request.as_bytes()).await.is_empty());
    let request = format!(
        "GET /query-executions/x HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\n\r\n",
        wire::signed_for("athena")
    );
    assert!(send_raw(&emulator, request.as_bytes()).await.is_empty());
    let counts = emulator.calls();
    assert_eq!(counts.faulted(Operation::GetQueryExecution), 2);
    // Other operations are unaffected.
    let answer = call(
        &emulator,
        "StopQueryExecution",
        json!({"QueryExecutionId": "x"}),
    )
    .await;
    assert_eq!(answer.status, 400);
}

#[tokio::test]
async fn latency_is_added_before_the_answer() {
    let emulator = common::builder()
        .with_operation_latency(
            Operation::GetQueryExecution,
            Duration::from_millis(100),
            Duration::ZERO,
        )
        .start()
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    let answer = call(
        &emulator,
        "GetQueryExecution",
        json!({"QueryExecutionId": "x"}),
    )
    .await;
    assert_eq!(answer.status, 400);
    // A lower bound only: the answer cannot come before the injected latency.
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let emulator = common::emulator().await;
    let addr = emulator.local_addr();
    let data_dir = emulator.engine().data_dir().to_path_buf();
    assert!(data_dir.is_dir());
    emulator.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
    // The temp data dir EngineConfig::default() made is gone.
    assert!(!data_dir.exists());
}

#[tokio::test]
async fn a_chosen_data_dir_is_kept() {
    let dir = std::env::temp_dir().join(format!("athena-emulator-kept-{}", std::process::id()));
    let emulator = common::builder_with(athena_emulator::EngineConfig {
        data_dir: dir.clone(),
        ..common::engine_config()
    })
    .start()
    .await
    .unwrap();
    emulator.shutdown().await;
    assert!(dir.is_dir());
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn odd_members_answer_errors_never_panics() {
    let emulator = common::emulator().await;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let token = "t".repeat(40);
    let bodies = [
        json!({"QueryExecutionId": ["a"]}),
        json!({"QueryExecutionId": {"a": 1}}),
        json!({"QueryExecutionId": ""}),
        json!({"QueryExecutionId": "x".repeat(200)}),
        json!({"QueryExecutionId": "é😀\u{0}"}),
        json!({"QueryExecutionId": "x", "MaxResults": -1}),
        json!({"QueryExecutionId": "x", "MaxResults": 1e300}),
        json!({"QueryExecutionId": "x", "NextToken": "n".repeat(2000)}),
        json!({"QueryExecutionIds": []}),
        json!({"QueryExecutionIds": vec!["a"; 51]}),
        json!({"QueryExecutionIds": "a"}),
        json!({"QueryString": "SELECT 1", "ClientRequestToken": token, "QueryExecutionContext": "x"}),
        json!({"QueryString": "SELECT 1", "ClientRequestToken": token, "ExecutionParameters": "x"}),
        json!({"QueryString": "SELECT 1", "ClientRequestToken": token, "ExecutionParameters": []}),
        json!({"QueryString": "SELECT 1", "ClientRequestToken": token,
               "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": "yes"}}}),
        json!({"QueryString": "SELECT 1", "ClientRequestToken": token,
               "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"MaxAgeInMinutes": 99999}}}),
        json!({"QueryString": "SELECT 1", "ClientRequestToken": token,
               "ResultConfiguration": {"OutputLocation": "s3://b/../../etc"}}),
        json!({"QueryString": "SELECT 1", "ClientRequestToken": token,
               "ResultConfiguration": {"OutputLocation": "file:///etc/"}}),
        json!({"QueryString": "", "ClientRequestToken": token}),
        json!({"QueryString": "x".repeat(262_145), "ClientRequestToken": token}),
        json!({"MaxResults": 51}),
        json!({"NextToken": "forged"}),
    ];
    for operation in Operation::ALL {
        for body in &bodies {
            let answer = call(&emulator, operation.name(), body.clone()).await;
            // The listings have no required member, so most of these are fine there.
            if answer.status == 200 {
                assert!(
                    matches!(
                        operation,
                        Operation::ListQueryExecutions | Operation::ListWorkGroups
                    ),
                    "{operation} {body}"
                );
                continue;
            }
            assert_eq!(answer.status, 400, "{operation} {body}: {answer:?}");
            assert!(answer.json()["__type"].is_string());
        }
        let answer = post(
            &emulator,
            Some(&format!("AmazonAthena.{}", operation.name())),
            deep.as_bytes(),
        )
        .await;
        assert_eq!(answer.json()["__type"], "SerializationException");
    }
    // Still serving, and nothing was started.
    assert_eq!(emulator.active_queries(), 0);
    let answer = call(&emulator, "ListQueryExecutions", json!({})).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["QueryExecutionIds"], json!([]));
}

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Emulator>();
    send_sync::<athena_emulator::EmulatorBuilder>();
    send_sync::<athena_emulator::CallCounts>();
    send_sync::<Faults>();
    send_sync::<Operation>();
    send_sync::<athena_emulator::StartError>();
}
