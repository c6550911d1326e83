//! Shared setup of the behaviour tests: an in-process emulator and an SDK client on it.
#![allow(dead_code)] // each test file uses its own part of this module

use std::time::Duration;

use athena_emulator::{Emulator, EmulatorBuilder, EngineConfig};
use athena_stream::{Athena, AthenaBuilder, Backoff};
use aws_sdk_athena::config::retry::RetryConfig;
use aws_sdk_athena::config::{BehaviorVersion, Credentials, Region};

/// An emulator with a small CloudFront table, unless the builder says otherwise.
pub fn emulator() -> EmulatorBuilder {
    Emulator::builder().engine_config(EngineConfig {
        cloudfront_rows: 100,
        ..Default::default()
    })
}

/// An SDK client on the emulator, with test credentials and quick SDK retries, so that
/// tests with injected faults spend milliseconds, not seconds, in backoff.
pub fn client(emulator: &Emulator) -> aws_sdk_athena::Client {
    let config = aws_sdk_athena::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(emulator.endpoint_url())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(20)),
        )
        .build();
    aws_sdk_athena::Client::from_conf(config)
}

/// An `Athena` builder on the emulator with fast polling and retries.
pub fn athena(emulator: &Emulator) -> AthenaBuilder {
    Athena::builder(client(emulator))
        .with_polling_backoff(
            Backoff::new(Duration::from_millis(5)).with_max_delay(Duration::from_millis(50)),
        )
        .with_retry_policy(
            Backoff::new(Duration::from_millis(1))
                .with_max_delay(Duration::from_millis(20))
                .with_max_retries(Some(20)),
        )
}

/// `SELECT x FROM UNNEST(sequence(1, n))`: the usual way to make n rows in Athena.
pub fn sequence(n: usize) -> String {
    if n == 0 {
        "SELECT x FROM UNNEST(sequence(1, 1)) AS t(x) WHERE x > 1".to_owned()
    } else {
        format!("SELECT x FROM UNNEST(sequence(1, {n})) AS t(x)")
    }
}
