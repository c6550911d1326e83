//! Running the statements the emulator handles itself (Hive DDL, SHOW, DESCRIBE, CTAS,
//! INSERT) over DataFusion's catalog: one function per statement, in files by family.

use super::ddl::Command;
use super::error::QueryError;
use super::output::QueryOutput;
use super::state::EngineState;

mod databases;
mod show;
mod tables;
mod views;
mod writes;

/// Runs one command in the context of `database`.
pub(crate) async fn run(
    state: &EngineState,
    command: &Command,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let catalog = state.catalog()?;
    let catalog = catalog.as_ref();
    match command {
        Command::CreateDatabase {
            name,
            if_not_exists,
        } => databases::create_database(catalog, name, *if_not_exists),
        Command::DropDatabase {
            name,
            if_exists,
            cascade,
        } => databases::drop_database(state, catalog, name, *if_exists, *cascade),
        Command::ShowDatabases { like } => Ok(show::show_databases(catalog, like.as_deref())),
        Command::CreateTable(def) => {
            tables::create_table(state, catalog, def, database).await?;
            Ok(QueryOutput::ddl())
        }
        Command::DropTable { name, if_exists } => {
            tables::drop_table(state, catalog, name, *if_exists, database)
        }
        Command::CreateView {
            name,
            or_replace,
            query,
        } => views::create_view(state, catalog, name, *or_replace, query, database).await,
        Command::DropView { name, if_exists } => {
            views::drop_view(state, catalog, name, *if_exists, database)
        }
        Command::CreateTableAs {
            name,
            if_not_exists,
            properties,
            query,
            with_data,
        } => {
            let target = writes::CtasTarget {
                name,
                if_not_exists: *if_not_exists,
                properties,
                with_data: *with_data,
            };
            writes::create_table_as(state, catalog, &target, query, database).await
        }
        Command::Insert {
            name,
            columns,
            query,
        } => writes::insert_into(state, catalog, name, columns.as_deref(), query, database).await,
        Command::ShowTables { database: db, like } => {
            show::show_tables(catalog, db.as_deref().unwrap_or(database), like.as_deref())
        }
        Command::ShowViews { database: db, like } => show::show_views(
            state,
            catalog,
            db.as_deref().unwrap_or(database),
            like.as_deref(),
        ),
        Command::Describe { name } => show::describe(state, catalog, name, database).await,
        Command::ShowColumns { name } => show::show_columns(state, catalog, name, database),
        Command::ShowCreateTable { name } => {
            show::show_create_table(state, catalog, name, database)
        }
        Command::ShowTblProperties { name } => {
            show::show_tblproperties(state, catalog, name, database)
        }
        Command::ShowPartitions { name } => show::show_partitions(state, catalog, name, database),
        Command::ShowFunctions { like } => Ok(show::show_functions(like.as_deref())),
        Command::NoOp => Ok(QueryOutput::ddl()),
        // `Engine::prepare` makes an UNLOAD a statement of its own (`engine/unload.rs`).
        Command::Unload { .. } => Err(QueryError::system(
            "GENERIC_INTERNAL_ERROR: UNLOAD reached the command runner".to_owned(),
        )),
    }
}
