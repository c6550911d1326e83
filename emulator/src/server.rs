//! The Athena service: HTTP, protocol, query lifecycle, result pages, faults.
//!
//! [`Emulator::builder`] configures and [`EmulatorBuilder::start`] starts a server on
//! `127.0.0.1:0` (by default) speaking Athena's `awsJson1_1` protocol; point any AWS SDK
//! at [`Emulator::endpoint_url`]. Any credentials are accepted and signatures are not
//! verified.

// Leaves: they import nothing from the modules below.
mod operation;
mod token;

mod emulator;
mod execution;
mod faults;
mod http;
mod ids;
mod operations;
mod output_location;
mod protocol;
mod queries;
mod results;

#[doc(hidden)]
pub mod bench_support;

pub use emulator::{Emulator, EmulatorBuilder, StartError};
pub use faults::{CallCounts, Faults, Injected};
pub use operation::Operation;
