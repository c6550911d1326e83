//! Serving: one HTTP endpoint that speaks Athena and S3, its data dir, and its faults.
//!
//! [`Emulator::builder`] configures and [`EmulatorBuilder::start`] starts a server on
//! `127.0.0.1:0` (by default) speaking Athena's `awsJson1_1` and `restJson1` protocols and
//! S3's REST protocol (path-style) on the same port; point any AWS SDK at
//! [`Emulator::endpoint_url`]. Any credentials are accepted and signatures are not
//! verified.
//!
//! - `athena/`: Athena's API (operations, protocols, executions, workgroups, result
//!   files and pages).
//! - `s3/`: S3's API over the data dir.
//! - here: the listener and the routing between the two (`http.rs`), the builder and the
//!   running emulator (`emulator.rs`), the data dir both services share
//!   (`data_dir.rs`), the account (`account.rs`) and Athena's fault injection
//!   (`faults.rs`).

// Leaves: they import nothing from the modules below.
mod account;
mod data_dir;

// Athena's API and S3's, side by side; what serves them both is below.
mod athena;
mod s3;

mod emulator;
mod faults;
mod http;

#[doc(hidden)]
pub mod bench_support;

pub use account::DEFAULT_ACCOUNT_ID;
pub use athena::operation::Operation;
pub use emulator::{Emulator, EmulatorBuilder, StartError};
pub use faults::{CallCounts, Faults, Injected};
pub use s3::{S3CallCounts, S3Faults, S3Injected, S3Operation};
