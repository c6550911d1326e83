//! The `athena-emulator` binary: prints its URL when ready, serves, stops on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use aws_sdk_athena::config::retry::RetryConfig;

use crate::common;

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn prints_one_line_when_ready_serves_and_stops_on_ctrl_c() {
    let data_dir =
        std::env::temp_dir().join(format!("athena-emulator-bin-test-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_athena-emulator"))
        .args([
            "--port",
            "0",
            "--cloudfront-rows",
            "0",
            "--seed",
            "1",
            "--s3-first-byte-latency-ms",
            "1",
            "--s3-bandwidth",
            "100000000",
            "--data-dir",
        ])
        .arg(&data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .strip_prefix("athena-emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .trim_end()
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let client = common::client_at(&url, RetryConfig::standard());
    let id = client
        .start_query_execution()
        .query_string("SELECT 1")
        .send()
        .await
        .unwrap()
        .query_execution_id
        .unwrap();
    let execution = client
        .get_query_execution()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        execution.query_execution().unwrap().query_execution_id(),
        Some(id.as_str())
    );

    // S3 on the same URL, path-style: the query's result file is there.
    let s3 = common::s3_client_at(&url, aws_sdk_s3::config::retry::RetryConfig::standard());
    let location = execution
        .query_execution()
        .and_then(|q| q.result_configuration())
        .and_then(|r| r.output_location())
        .unwrap()
        .to_owned();
    let (bucket, key) = location
        .strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .unwrap();
    // Read it once the query has SUCCEEDED, as a client does (polling the state).
    loop {
        let state = client
            .get_query_execution()
            .query_execution_id(&id)
            .send()
            .await
            .unwrap()
            .query_execution
            .and_then(|q| q.status)
            .and_then(|s| s.state);
        match state {
            Some(aws_sdk_athena::types::QueryExecutionState::Succeeded) => break,
            Some(
                aws_sdk_athena::types::QueryExecutionState::Queued
                | aws_sdk_athena::types::QueryExecutionState::Running,
            ) => tokio::time::sleep(std::time::Duration::from_millis(2)).await,
            other => panic!("query ended {other:?}"),
        }
    }
    let object = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap();
    let bytes = object.body.collect().await.unwrap().into_bytes();
    assert_eq!(&bytes[..], b"\"_col0\"\n\"1\"\n");

    // Ctrl-C: SIGINT to the child this test started, by its id.
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
    let mut rest = String::new();
    stdout.read_line(&mut rest).unwrap();
    assert_eq!(rest, "", "exactly one line on stdout");
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[test]
fn bad_flags_are_refused_with_a_message() {
    let output = Command::new(env!("CARGO_BIN_EXE_athena-emulator"))
        .args(["--operation-latency", "Nope=5"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown operation"));
    let output = Command::new(env!("CARGO_BIN_EXE_athena-emulator"))
        .args([
            "--port",
            "0",
            "--cloudfront-rows",
            "0",
            "--throttle-rate",
            "2",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("throttle_rate"));
    let output = Command::new(env!("CARGO_BIN_EXE_athena-emulator"))
        .args([
            "--port",
            "0",
            "--cloudfront-rows",
            "0",
            "--s3-slow-down-rate",
            "2",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("s3 slow_down_rate"));
}
