//! CREATE VIEW and DROP VIEW: a view is DataFusion's, planned when it is created.

use std::sync::Arc;

use datafusion::catalog::CatalogProvider;
use datafusion::datasource::ViewTable;

use crate::engine::ddl::TableName;
use crate::engine::error::QueryError;
use crate::engine::names::CATALOG;
use crate::engine::output::QueryOutput;
use crate::engine::rewrite::parse_query;
use crate::engine::state::EngineState;

/// `CREATE [OR REPLACE] VIEW name AS query`, its names resolved in `database`.
pub(super) async fn create_view(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    name: &TableName,
    or_replace: bool,
    query: &str,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let db = name.database.as_deref().unwrap_or(database);
    let schema = catalog
        .schema(db)
        .ok_or_else(|| QueryError::schema_not_found(db))?;
    let is_table = state
        .tables()
        .contains_key(&(db.to_owned(), name.table.clone()));
    if is_table || (schema.table_exist(&name.table) && !or_replace) {
        return Err(QueryError::user(format!(
            "ALREADY_EXISTS: {} '{CATALOG}.{db}.{}' already exists",
            if is_table { "Table" } else { "View" },
            name.table
        )));
    }
    let (statement, placeholders) = parse_query(query)?;
    if placeholders > 0 {
        return Err(QueryError::user(
            "NOT_SUPPORTED: a view cannot have ? parameters".to_owned(),
        ));
    }
    let plan = state.plan_statement(statement, query, database).await?;
    let _ = schema.deregister_table(&name.table);
    schema
        .register_table(
            name.table.clone(),
            Arc::new(ViewTable::new(plan, Some(query.to_owned()))),
        )
        .map_err(|e| QueryError::system(e.to_string()))?;
    Ok(QueryOutput::ddl())
}

/// `DROP VIEW [IF EXISTS] name`: a table is not a view.
pub(super) fn drop_view(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    name: &TableName,
    if_exists: bool,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let db = name.database.as_deref().unwrap_or(database);
    let is_table = state
        .tables()
        .contains_key(&(db.to_owned(), name.table.clone()));
    let exists = catalog
        .schema(db)
        .is_some_and(|s| s.table_exist(&name.table));
    if is_table || !exists {
        if !exists && if_exists {
            return Ok(QueryOutput::ddl());
        }
        return Err(QueryError::user(format!(
            "TABLE_NOT_FOUND: View '{CATALOG}.{db}.{}' does not exist",
            name.table
        )));
    }
    if let Some(schema) = catalog.schema(db) {
        schema
            .deregister_table(&name.table)
            .map_err(|e| QueryError::system(e.to_string()))?;
    }
    Ok(QueryOutput::ddl())
}
