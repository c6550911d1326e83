//! athena-emulator: a local Amazon Athena endpoint on Apache DataFusion.
//!
//! (Crate docs: how to start it, its flags, what it accepts, how it differs from Athena.)

#![warn(missing_debug_implementations, unreachable_pub, rust_2018_idioms)]

// The SQL side (owned by the engine work): DataFusion, Athena DDL, Trino functions,
// rendering values as Athena's text, the built-in CloudFront dataset.
pub mod engine;

// The service side (owned by the server work): the awsJson1_1 protocol, a query's
// life, result files and pages, fault injection.
pub mod server;

pub use engine::{Engine, EngineConfig};
pub use server::{CallCounts, Emulator, EmulatorBuilder, Faults, Operation, StartError};
