//! Athena's API: its operations, the two protocols that carry them (awsJson1_1 and
//! restJson1), query executions and workgroups, result configurations, result files with
//! their metadata and pages, and the ids and `NextToken`s the service hands out.
//!
//! Serving is not here: `http.rs` (one level up) accepts connections, tells Athena calls
//! from S3 calls, injects faults and hands each Athena call to [`service::dispatch`] with
//! the [`queries::Registry`] the running emulator keeps. What Athena shares with S3 (the
//! data dir, the account) lives beside `http.rs` too.

// Leaves: they import nothing from the modules below.
pub(super) mod operation;
pub(super) mod token;

mod envelope;
mod execution;
mod ids;
mod output_location;
pub(super) mod protocol;
pub(super) mod queries;
pub(super) mod rest_json;
mod result_config;
mod result_metadata;
pub(super) mod results;
pub(super) mod service;
mod work_groups;
