//! A local Amazon Athena endpoint on Apache DataFusion, to test code that uses Athena without
//! AWS: in tests, examples and benchmarks.
//!
//! The emulator speaks Athena's `awsJson1_1` protocol over HTTP, so the real
//! `aws-sdk-athena` client (or the AWS CLI, or any other AWS SDK) talks to it unchanged:
//! queries run in the background through QUEUED, RUNNING and SUCCEEDED / FAILED /
//! CANCELLED, results are written as Athena writes them (`<id>.csv` or `<id>.txt` with
//! their `.metadata`) and paged 1000 rows at a time with Athena's header-row rule, errors
//! carry Athena's codes and messages, and faults (latency, throttling, 500s, dropped
//! connections) can be injected reproducibly. The same port speaks S3, path-style
//! (`http://127.0.0.1:PORT/bucket/key` is `<data_dir>/bucket/key`), with S3 faults of its
//! own ([`S3Faults`], [`Emulator::inject_s3`]), so result files can be read as from
//! Athena's result bucket. Any credentials are accepted; request signatures are not
//! verified.
//!
//! See [docs/emulator.md] for the binary's flags, what it serves and how it differs from
//! Athena, and [emulator/SQL.md] for the SQL it accepts.
//!
//! [docs/emulator.md]: https://github.com/athena-stream/athena-stream/blob/main/docs/emulator.md
//! [emulator/SQL.md]: https://github.com/athena-stream/athena-stream/blob/main/emulator/SQL.md
//!
//! # Start one in-process and query it with the AWS SDK
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use athena_emulator::{Emulator, EngineConfig};
//!
//! let emulator = Emulator::builder()
//!     // No built-in CloudFront table: starts in milliseconds.
//!     .with_engine_config(EngineConfig { cloudfront_rows: 0, ..EngineConfig::default() })
//!     .start()
//!     .await?;
//!
//! // An aws-sdk-athena client only needs the URL, a region and any credentials:
//! //     aws_sdk_athena::Config::builder()
//! //         .endpoint_url(emulator.endpoint_url())
//! //         .region(Region::new("us-east-1"))
//! //         .credentials_provider(Credentials::new("test", "test", None, None, "test"))
//! let url = emulator.endpoint_url();
//! assert!(url.starts_with("http://127.0.0.1:"));
//!
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Inject faults
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use athena_emulator::{Emulator, EngineConfig, Faults, Operation};
//!
//! let emulator = Emulator::builder()
//! #   .with_engine_config(EngineConfig { cloudfront_rows: 0, ..EngineConfig::default() })
//!     // Every call: 1 ms plus up to 4 ms of latency, 5 % throttled.
//!     .with_latency(Duration::from_millis(1), Duration::from_millis(4))
//!     .with_throttle_rate(0.05)
//!     // GetQueryResults alone: a dropped connection in 10 calls.
//!     .with_operation_faults(
//!         Operation::GetQueryResults,
//!         Faults::new().with_drop_connection_rate(0.1),
//!     )
//!     // Queries stay QUEUED/RUNNING for at least 200 ms.
//!     .with_query_delay(Duration::from_millis(200))
//!     // The same seed draws the same faults for the same calls.
//!     .with_seed(42)
//!     .start()
//!     .await?;
//! assert_eq!(emulator.calls().get(Operation::GetQueryResults), 0);
//! # emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs, rustdoc::broken_intra_doc_links)]
#![warn(missing_debug_implementations, unreachable_pub, rust_2018_idioms)]

// Leaves shared by the engine, the server and the datasets: they import nothing else
// from the crate.
mod calendar;
mod json_text;

// Test data the emulator writes itself (the built-in CloudFront dataset); the engine
// registers it as tables.
mod datasets;

// The SQL side (owned by the engine work): DataFusion, Athena DDL, Trino functions,
// rendering values as Athena's text.
pub mod engine;

// The service side (owned by the server work): the awsJson1_1 protocol, a query's
// life, result files and pages, fault injection.
pub mod server;

pub use engine::{Engine, EngineConfig};
pub use server::{
    CallCounts, DEFAULT_ACCOUNT_ID, Emulator, EmulatorBuilder, Faults, Injected, Operation,
    S3CallCounts, S3Faults, S3Injected, S3Operation, StartError,
};

// The README's Rust example is compiled and run with the doctests, so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
