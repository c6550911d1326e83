//! The `athena-emulator` binary: prints its URL when ready, serves, stops on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use aws_sdk_athena::config::{BehaviorVersion, Credentials, Region};

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

    let config = aws_sdk_athena::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("x", "y", None, None, "test"))
        .endpoint_url(&url)
        .build();
    let client = aws_sdk_athena::Client::from_conf(config);
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
}
