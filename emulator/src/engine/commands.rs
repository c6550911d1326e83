//! Running the statements the emulator handles itself (Hive DDL, SHOW, DESCRIBE).

use super::ddl::Command;
use super::{Engine, QueryError, QueryOutput};

/// Runs one command in the context of `database`.
pub(crate) async fn run(
    _engine: &Engine,
    _command: &Command,
    _database: &str,
) -> Result<QueryOutput, QueryError> {
    Err(QueryError::user("NOT_SUPPORTED: not yet"))
}
