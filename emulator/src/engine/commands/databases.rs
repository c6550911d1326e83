//! CREATE DATABASE and DROP DATABASE.

use std::sync::Arc;

use datafusion::catalog::{CatalogProvider, MemorySchemaProvider};

use crate::engine::error::QueryError;
use crate::engine::output::QueryOutput;
use crate::engine::state::EngineState;

/// `CREATE DATABASE [IF NOT EXISTS] name`.
pub(super) fn create_database(
    catalog: &dyn CatalogProvider,
    name: &str,
    if_not_exists: bool,
) -> Result<QueryOutput, QueryError> {
    if catalog.schema(name).is_some() {
        if if_not_exists {
            return Ok(QueryOutput::ddl());
        }
        return Err(QueryError::ddl(format!(
            "FAILED: AlreadyExistsException(message:Database {name} already exists)"
        )));
    }
    catalog
        .register_schema(name, Arc::new(MemorySchemaProvider::new()))
        .map_err(|e| QueryError::system(e.to_string()))?;
    Ok(QueryOutput::ddl())
}

/// `DROP DATABASE [IF EXISTS] name [CASCADE]`: a database with tables needs CASCADE.
pub(super) fn drop_database(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    name: &str,
    if_exists: bool,
    cascade: bool,
) -> Result<QueryOutput, QueryError> {
    let Some(schema) = catalog.schema(name) else {
        if if_exists {
            return Ok(QueryOutput::ddl());
        }
        return Err(QueryError::ddl(format!(
            "FAILED: SemanticException [Error 10072]: Database does not exist: {name}"
        )));
    };
    if !schema.table_names().is_empty() && !cascade {
        return Err(QueryError::ddl(format!(
            "FAILED: InvalidOperationException(message:Database {name} is not empty. One or more tables exist.)"
        )));
    }
    catalog
        .deregister_schema(name, true)
        .map_err(|e| QueryError::system(e.to_string()))?;
    state.tables().retain(|(db, _), _| db != name);
    Ok(QueryOutput::ddl())
}
