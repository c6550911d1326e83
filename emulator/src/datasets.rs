//! Test data the emulator generates itself, outside the SQL engine: the engine registers
//! it as tables (through the same DDL users run) but does not make it.
//!
//! - `cloudfront.rs`: AWS's sample dataset, CloudFront standard access logs, as
//!   `serverlessland_database.cf_access_logs` ([`EngineConfig::cloudfront_rows`]).
//!
//! [`EngineConfig::cloudfront_rows`]: crate::EngineConfig::cloudfront_rows

pub(crate) mod cloudfront;
