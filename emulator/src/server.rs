//! The Athena and S3 services: HTTP, protocols, query lifecycle, result files and pages,
//! faults.
//!
//! [`Emulator::builder`] configures and [`EmulatorBuilder::start`] starts a server on
//! `127.0.0.1:0` (by default) speaking Athena's `awsJson1_1` protocol and S3's REST
//! protocol (path-style) on the same port; point any AWS SDK at
//! [`Emulator::endpoint_url`]. Any credentials are accepted and signatures are not
//! verified.

// Leaves: they import nothing from the modules below.
mod account;
mod operation;
mod token;

mod data_dir;
mod emulator;
mod envelope;
mod execution;
mod faults;
mod http;
mod ids;
mod operations;
mod output_location;
mod protocol;
mod queries;
mod rest_json;
mod result_config;
mod result_metadata;
mod results;
mod s3;
mod work_groups;

#[doc(hidden)]
pub mod bench_support;

pub use account::DEFAULT_ACCOUNT_ID;
pub use emulator::{Emulator, EmulatorBuilder, StartError};
pub use faults::{CallCounts, Faults, Injected};
pub use operation::Operation;
pub use s3::{S3CallCounts, S3Faults, S3Injected, S3Operation};
