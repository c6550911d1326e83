//! What every clone of an engine shares: DataFusion's session (its catalog of databases,
//! tables and views), the data dir that `s3://` locations map into, and the table
//! definitions as their DDL wrote them.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use datafusion::catalog::CatalogProvider;
use datafusion::execution::context::{SessionContext, SessionState};
use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::sqlparser;

use super::ddl::{TableDef, TableName};
use super::error::{QueryError, map_error, schema_not_found_if_missing};
use super::names::CATALOG;

/// Table definitions by (database, table), both lowercase.
pub(crate) type TableDefs = HashMap<(String, String), TableDef>;

/// The state behind an engine and all its clones.
pub(crate) struct EngineState {
    pub(crate) ctx: SessionContext,
    /// Where `s3://bucket/prefix/` lives: `<data_dir>/bucket/prefix/`.
    pub(crate) data_dir: PathBuf,
    /// Table definitions as written in DDL, for DESCRIBE / SHOW CREATE TABLE.
    tables: Mutex<TableDefs>,
    /// The data dir is the default temp dir this engine created: removed when the last
    /// clone of the engine is dropped.
    pub(crate) remove_on_drop: bool,
    /// The most rows UNLOAD writes into one file (`EngineConfig::unload_rows_per_file`).
    pub(crate) unload_rows_per_file: NonZeroUsize,
}

impl Drop for EngineState {
    fn drop(&mut self) {
        if self.remove_on_drop {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
    }
}

impl EngineState {
    /// The state of a new engine, with no tables defined yet.
    pub(crate) fn new(
        ctx: SessionContext,
        data_dir: PathBuf,
        remove_on_drop: bool,
        unload_rows_per_file: NonZeroUsize,
    ) -> Self {
        EngineState {
            ctx,
            data_dir,
            tables: Mutex::new(HashMap::new()),
            remove_on_drop,
            unload_rows_per_file,
        }
    }

    /// Athena's one catalog, `AwsDataCatalog`.
    pub(crate) fn catalog(&self) -> Result<Arc<dyn CatalogProvider>, QueryError> {
        self.ctx
            .catalog(CATALOG)
            .ok_or_else(|| QueryError::system("the AwsDataCatalog catalog is missing"))
    }

    /// The table definitions, locked.
    pub(crate) fn tables(&self) -> MutexGuard<'_, TableDefs> {
        // A panic elsewhere must not stop the engine from answering.
        self.tables.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The definition of a table created by DDL (not a view), in `database` unless the
    /// name says otherwise.
    pub(crate) fn table_def(
        &self,
        catalog: &dyn CatalogProvider,
        name: &TableName,
        database: &str,
    ) -> Result<TableDef, QueryError> {
        let db = name.database.as_deref().unwrap_or(database);
        if catalog.schema(db).is_none() {
            return Err(QueryError::schema_not_found(db));
        }
        self.tables()
            .get(&(db.to_owned(), name.table.clone()))
            .cloned()
            .ok_or_else(|| {
                QueryError::user(format!(
                    "TABLE_NOT_FOUND: Table '{CATALOG}.{db}.{}' does not exist",
                    name.table
                ))
            })
    }

    /// A session whose unqualified names resolve in `database`.
    pub(crate) fn session_in(&self, database: &str) -> SessionState {
        let mut state = self.ctx.state();
        state.config_mut().options_mut().catalog.default_schema = database.to_owned();
        state
    }

    /// A planning error as Athena reports it: a TABLE_NOT_FOUND whose database does not
    /// exist is a SCHEMA_NOT_FOUND.
    pub(crate) fn planning_error(
        &self,
        e: datafusion::error::DataFusionError,
        sql: &str,
        database: &str,
    ) -> QueryError {
        schema_not_found_if_missing(map_error(e, sql, database), sql, |db| {
            self.ctx
                .catalog(CATALOG)
                .is_some_and(|c| c.schema(db).is_some())
        })
    }

    /// Plans a query (of CREATE VIEW, CTAS, INSERT) in `database`.
    pub(crate) async fn plan_statement(
        &self,
        statement: sqlparser::ast::Statement,
        sql_text: &str,
        database: &str,
    ) -> Result<LogicalPlan, QueryError> {
        self.session_in(database)
            .statement_to_plan(datafusion::sql::parser::Statement::Statement(Box::new(
                statement,
            )))
            .await
            .map_err(|e| self.planning_error(e, sql_text, database))
    }
}
