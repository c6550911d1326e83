//! S3's injected faults on the emulator's endpoint: throttling and server errors, cut
//! bodies, seeded draws, latency and bandwidth, as a real S3 client meets them.

use crate::common;
use crate::s3::{get, result_uri};

use std::time::{Duration, Instant};

use athena_emulator::{S3Faults, S3Injected, S3Operation};
use aws_sdk_s3::error::ProvideErrorMetadata;

#[tokio::test]
async fn slow_down_and_internal_errors_are_retried_as_throttling_and_transient() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let uri = result_uri(&athena, "SELECT 'x' AS v").await;
    let (bucket, key) = common::bucket_and_key(&uri);

    let once = common::s3_client_without_retries(&emulator);
    emulator.inject_s3(S3Operation::GetObject, S3Injected::SlowDown, 1);
    let slowed = once
        .get_object()
        .bucket(&bucket)
        .key(&key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(slowed.code(), Some("SlowDown"));
    assert_eq!(slowed.message(), Some("Please reduce your request rate."));
    assert_eq!(slowed.raw_response().unwrap().status().as_u16(), 503);
    emulator.inject_s3(S3Operation::HeadObject, S3Injected::InternalError, 1);
    let failed = once
        .head_object()
        .bucket(&bucket)
        .key(&key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(failed.raw_response().unwrap().status().as_u16(), 500);

    // The SDK's standard retries (3 attempts) get through two faults.
    let retrying = common::s3_client(&emulator);
    emulator.inject_s3(S3Operation::GetObject, S3Injected::SlowDown, 1);
    emulator.inject_s3(S3Operation::GetObject, S3Injected::InternalError, 1);
    assert_eq!(get(&retrying, &uri).await, b"\"v\"\n\"x\"\n");
    assert_eq!(emulator.s3_injected_left(S3Operation::GetObject), 0);
    let counts = emulator.s3_calls();
    assert_eq!(counts.get(S3Operation::GetObject), 4);
    assert_eq!(counts.faulted(S3Operation::GetObject), 3);
    assert_eq!(counts.served(S3Operation::GetObject), 1);
    assert_eq!(counts.faulted(S3Operation::HeadObject), 1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_cut_body_is_a_read_error_after_its_bytes() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let uri = result_uri(&athena, "SELECT x FROM UNNEST(sequence(1, 2000)) AS t(x)").await;
    let (bucket, key) = common::bucket_and_key(&uri);
    let s3 = common::s3_client_without_retries(&emulator);
    emulator.inject_s3(
        S3Operation::GetObject,
        S3Injected::CutBody { after_bytes: 100 },
        1,
    );
    let object = s3
        .get_object()
        .bucket(&bucket)
        .key(&key)
        .send()
        .await
        .unwrap();
    let promised = object.content_length().unwrap();
    assert!(promised > 100);
    assert!(
        object.body.collect().await.is_err(),
        "a short body is an error"
    );
    let counts = emulator.s3_calls();
    assert_eq!(counts.bytes(S3Operation::GetObject), 100);
    assert_eq!(counts.faulted(S3Operation::GetObject), 1);
    // The next read is whole again.
    assert_eq!(get(&s3, &uri).await.len() as i64, promised);
    emulator.shutdown().await;
}

#[tokio::test]
async fn seeded_s3_faults_repeat_with_the_seed() {
    async fn faulted_calls(seed: u64) -> Vec<bool> {
        let emulator = common::builder()
            .with_seed(seed)
            .with_s3_operation_faults(
                S3Operation::HeadBucket,
                S3Faults::new().with_slow_down_rate(0.5),
            )
            .start()
            .await
            .unwrap();
        let s3 = common::s3_client_without_retries(&emulator);
        s3.create_bucket().bucket("bkt").send().await.unwrap();
        let mut outcomes = Vec::new();
        for _ in 0..40 {
            outcomes.push(s3.head_bucket().bucket("bkt").send().await.is_err());
        }
        let counts = emulator.s3_calls();
        assert_eq!(
            counts.faulted(S3Operation::HeadBucket),
            outcomes.iter().filter(|f| **f).count() as u64
        );
        assert_eq!(counts.faulted(S3Operation::CreateBucket), 0);
        emulator.shutdown().await;
        outcomes
    }
    let first = faulted_calls(11).await;
    assert_eq!(first, faulted_calls(11).await);
    assert!(first.iter().any(|f| *f) && first.iter().any(|f| !*f));
}

/// Lower bounds only: a paced body and a first-byte latency cannot arrive sooner than
/// their settings allow (sleeps never end early); how much later is the machine's.
#[tokio::test]
async fn latency_and_bandwidth_hold_back_the_body() {
    let emulator = common::builder()
        .with_s3_operation_faults(
            S3Operation::GetObject,
            S3Faults::new()
                .with_first_byte_latency(Duration::from_millis(100))
                .with_bandwidth(20_000),
        )
        .start()
        .await
        .unwrap();
    let athena = common::client(&emulator);
    let uri = result_uri(&athena, "SELECT x FROM UNNEST(sequence(1, 1000)) AS t(x)").await;
    let s3 = common::s3_client(&emulator);
    let started = Instant::now();
    let bytes = get(&s3, &uri).await;
    let elapsed = started.elapsed();
    // 100 ms to the first byte, then len / 20,000 s for the body.
    let floor = Duration::from_millis(100) + Duration::from_secs_f64(bytes.len() as f64 / 20_000.0);
    assert!(bytes.len() > 4_000, "{}", bytes.len());
    assert!(elapsed >= floor, "{elapsed:?} < {floor:?}");
    assert_eq!(
        emulator.s3_calls().bytes(S3Operation::GetObject),
        bytes.len() as u64
    );
    emulator.shutdown().await;
}
