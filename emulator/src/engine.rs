//! The SQL engine: DataFusion behind the interface the server uses.
//!
//! [`Engine::prepare`] classifies and parses a statement synchronously (syntax errors are
//! [`QueryError::Malformed`], answered at StartQueryExecution); [`Engine::execute`] runs it
//! and streams rows already rendered as Athena's text (docs/athena.md, "Values").
//!
//! Queries (SELECT, WITH, VALUES, EXPLAIN) are parsed with DataFusion's SQL parser,
//! rewritten towards Trino's semantics (`_col0` names, Trino function names, typed
//! literals) and planned by DataFusion. Athena's Hive DDL (CREATE EXTERNAL TABLE, SHOW
//! TABLES, DESCRIBE, ...) is parsed and run by the emulator itself over DataFusion's
//! catalog, with `s3://bucket/prefix/` mapped to `<data_dir>/bucket/prefix/`.
//! What works and how it differs from Athena: [emulator/SQL.md].
//!
//! [emulator/SQL.md]: https://github.com/athena-stream/athena-stream/blob/main/emulator/SQL.md
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), athena_emulator::engine::QueryError> {
//! use athena_emulator::engine::{
//!     Engine, EngineConfig, ExecutionContext, StatementType, SubstatementType,
//! };
//! use futures::StreamExt;
//!
//! // AWS's sample dataset, 100 rows of it, in a fresh temp dir.
//! let engine = Engine::new(EngineConfig { cloudfront_rows: 100, ..EngineConfig::default() }).await?;
//! let prepared = engine.prepare("SELECT uri, bytes FROM cf_access_logs LIMIT 3")?;
//! assert_eq!(prepared.statement_type, StatementType::Dml);
//! assert_eq!(prepared.substatement_type, SubstatementType::Select);
//!
//! let ctx = ExecutionContext {
//!     database: Some("serverlessland_database".into()),
//!     ..ExecutionContext::default()
//! };
//! let output = engine.execute(&prepared, &ctx).await?;
//! assert_eq!(output.columns[1].athena_type, "bigint");
//! assert_eq!(output.update_count, Some(0));
//! let mut rows = Vec::new();
//! let mut batches = output.rows;
//! while let Some(batch) = batches.next().await {
//!     rows.extend(batch?);
//! }
//! assert_eq!(rows.len(), 3);
//! assert!(rows[0][0].as_deref().is_some_and(|uri| uri.starts_with('/')));
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use datafusion::execution::context::{SessionConfig, SessionContext};
use datafusion::sql::sqlparser;
use futures::StreamExt;

// Leaves: they import nothing from the modules below, so those can share them without
// importing one another (the module graph has no cycles).
mod error;
mod names;
mod output;
mod plan_rules;
mod query_ids;
mod statement_type;

mod column_info;
mod commands;
mod ddl;
mod functions;
mod location;
mod numbers;
mod query;
mod render;
mod rewrite;
mod scan;
mod stages;
mod state;
mod trino_errors;
mod unload;

pub use error::QueryError;
pub use output::{Column, QueryOutput, RowStream};
pub use stages::PlanHandle;
pub(crate) use stages::{PlanNode, PlanStats, Stage};
pub use statement_type::{StatementType, SubstatementType};

/// The functions the emulator serves, each with the family of the SQL corpus that
/// compares it with Trino (emulator/SQL.md): `("strings", "substr")`, ... A call of
/// any other function of Trino's fails with `NOT_SUPPORTED`, and of a name Trino does
/// not know with `FUNCTION_NOT_FOUND`, as on Athena.
///
/// ```
/// let served: Vec<_> = athena_emulator::engine::served_functions().collect();
/// assert!(served.contains(&("strings", "substr")));
/// assert!(!served.iter().any(|(_, name)| *name == "array_has"));
/// ```
pub fn served_functions() -> impl Iterator<Item = (&'static str, &'static str)> {
    functions::catalog::SERVED
        .iter()
        .flat_map(|(family, names)| names.iter().map(move |name| (*family, *name)))
}

use crate::datasets::cloudfront;
use names::CATALOG;
pub(crate) use query_ids::engine_query_id;
use state::EngineState;

/// How to build an [`Engine`].
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Where `s3://bucket/prefix/` lives: `<data_dir>/bucket/prefix/`.
    pub data_dir: PathBuf,
    /// Rows of the built-in `serverlessland_database.cf_access_logs` dataset (0: no dataset).
    pub cloudfront_rows: usize,
    /// A file of DDL statements (`;`-separated) run at startup.
    pub init_sql: Option<PathBuf>,
    /// The most rows UNLOAD writes into one file before it starts the next: Athena writes
    /// a large UNLOAD as many files, in parallel (docs/athena.md, "UNLOAD and data
    /// manifests"), so a reader must expect several, and this makes sure it meets them.
    pub unload_rows_per_file: NonZeroUsize,
}

/// [`EngineConfig::unload_rows_per_file`] by default: a 1,000,000-row UNLOAD writes at
/// least four files.
pub const DEFAULT_UNLOAD_ROWS_PER_FILE: NonZeroUsize = NonZeroUsize::new(250_000).unwrap();

impl Default for EngineConfig {
    /// A fresh directory under the system temp dir, 10,000 CloudFront rows, no init SQL,
    /// UNLOAD files of at most [`DEFAULT_UNLOAD_ROWS_PER_FILE`] rows.
    fn default() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        EngineConfig {
            data_dir: std::env::temp_dir()
                .join(format!("athena-emulator-{}-{n}", std::process::id())),
            cloudfront_rows: 10_000,
            init_sql: None,
            unload_rows_per_file: DEFAULT_UNLOAD_ROWS_PER_FILE,
        }
    }
}

/// A statement that parsed, ready to [`Engine::execute`].
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Athena's StatementType.
    pub statement_type: StatementType,
    /// Athena's SubstatementType: `SELECT`, `CREATE_TABLE`, `SHOW_TABLES`, ...
    pub substatement_type: SubstatementType,
    body: Body,
}

impl Prepared {
    /// How many `?` placeholders the statement has (ExecutionParameters must match).
    pub fn parameter_count(&self) -> usize {
        match &self.body {
            Body::Query { placeholders, .. } | Body::Unload { placeholders, .. } => *placeholders,
            Body::Command(_) => 0,
        }
    }
}

#[derive(Debug, Clone)]
enum Body {
    Query {
        statement: Box<sqlparser::ast::Statement>,
        placeholders: usize,
        /// The text as sent, for error positions.
        sql: Arc<str>,
    },
    Command(ddl::Command),
    /// UNLOAD: its query runs as any query does, its rows go to files
    /// (docs/athena.md, "UNLOAD and data manifests").
    Unload {
        target: unload::Target,
        statement: Box<sqlparser::ast::Statement>,
        placeholders: usize,
        /// Positions of the query's columns that have no name.
        unnamed: Vec<usize>,
        sql: Arc<str>,
    },
}

/// QueryExecutionContext and ExecutionParameters of one execution.
#[derive(Debug, Clone, Default)]
pub struct ExecutionContext {
    /// QueryExecutionContext.Database (default `default`).
    pub database: Option<String>,
    /// QueryExecutionContext.Catalog (default `AwsDataCatalog`).
    pub catalog: Option<String>,
    /// Bound to `?` in order, each as SQL literal text (`'abc'`, `42`), as Athena does.
    pub execution_parameters: Vec<String>,
    /// The engine's own id of this run, in Trino's form (`20190513_152236_00114_n7swu`):
    /// the files UNLOAD writes are named after it. `None`: the engine makes one.
    pub engine_query_id: Option<String>,
}

/// The SQL engine. Cheap to clone; all clones share the catalog.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineState>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("data_dir", &self.inner.data_dir)
            .finish_non_exhaustive()
    }
}

/// Whether `dir` is a default data dir (`<temp>/athena-emulator-<this pid>-<n>`).
fn is_default_temp_dir(dir: &std::path::Path) -> bool {
    let prefix = format!("athena-emulator-{}-", std::process::id());
    dir.parent() == Some(std::env::temp_dir().as_path())
        && dir
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix(&prefix))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl Engine {
    /// Builds the engine: creates `data_dir`, writes and registers the CloudFront dataset
    /// (when `cloudfront_rows > 0`) and runs `init_sql`.
    ///
    /// # Errors
    /// When the data dir cannot be written or a statement of `init_sql` fails.
    pub async fn new(config: EngineConfig) -> Result<Engine, QueryError> {
        let remove_on_drop = !config.data_dir.exists() && is_default_temp_dir(&config.data_dir);
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            QueryError::system(format!(
                "cannot create data dir {}: {e}",
                config.data_dir.display()
            ))
        })?;
        let data_dir = config
            .data_dir
            .canonicalize()
            .unwrap_or_else(|_| config.data_dir.clone());
        let engine = Engine {
            inner: Arc::new(EngineState::new(
                session(),
                data_dir,
                remove_on_drop,
                config.unload_rows_per_file,
            )),
        };
        if config.cloudfront_rows > 0 {
            let dir = location::location_dir(&engine.inner.data_dir, cloudfront::LOCATION)?;
            cloudfront::write_logs(dir, config.cloudfront_rows)
                .await
                .map_err(|e| {
                    QueryError::system(format!("cannot write the CloudFront logs: {e}"))
                })?;
            engine.run_script(&cloudfront::ddl()).await?;
        }
        if let Some(path) = &config.init_sql {
            let text = std::fs::read_to_string(path).map_err(|e| {
                QueryError::system(format!("cannot read init SQL {}: {e}", path.display()))
            })?;
            engine.run_script(&text).await?;
        }
        Ok(engine)
    }

    /// The directory `s3://` locations map into.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.inner.data_dir
    }

    /// Whether the data dir is a temp dir this engine made (and removes when its last
    /// clone is dropped).
    pub(crate) fn owns_data_dir(&self) -> bool {
        self.inner.remove_on_drop
    }

    /// Where `s3://bucket/prefix/` lives on disk: `<data_dir>/bucket/prefix`.
    ///
    /// # Errors
    /// When `uri` is not an `s3://` URI with a bucket, or has `.`/`..` segments.
    pub fn resolve_location(&self, uri: &str) -> Result<PathBuf, QueryError> {
        location::location_dir(&self.inner.data_dir, uri)
    }

    /// Runs `;`-separated statements one after another (DDL files for `--init-sql`).
    ///
    /// # Errors
    /// The first statement that fails, with its text in the message.
    pub async fn run_script(&self, script: &str) -> Result<(), QueryError> {
        for sql in split_statements(script) {
            let prepared = self.prepare(&sql)?;
            let out = self
                .execute(&prepared, &ExecutionContext::default())
                .await?;
            let mut rows = out.rows;
            while let Some(batch) = rows.next().await {
                batch?;
            }
        }
        Ok(())
    }

    /// Synchronous parse, called by StartQueryExecution before answering.
    ///
    /// # Errors
    /// [`QueryError::Malformed`] when the SQL does not parse; [`QueryError::Failed`] for
    /// statements the emulator does not support.
    pub fn prepare(&self, sql: &str) -> Result<Prepared, QueryError> {
        // A panic in the parser (a bug) must not take the server down with it.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.prepare_inner(sql)))
            .unwrap_or_else(|panic| Err(panic_error(panic.as_ref())))
    }

    fn prepare_inner(&self, sql: &str) -> Result<Prepared, QueryError> {
        let substatement_type = ddl::classify(sql)?;
        let body = match substatement_type {
            // Queries go to DataFusion's parser and planner.
            SubstatementType::Select | SubstatementType::Explain => {
                let (statement, placeholders) = rewrite::parse_query(sql)?;
                Body::Query {
                    statement: Box::new(statement),
                    placeholders,
                    sql: Arc::from(sql),
                }
            }
            SubstatementType::Unload => {
                let ddl::Command::Unload {
                    query,
                    location,
                    properties,
                } = ddl::parse_command(sql)?
                else {
                    return Err(QueryError::system("UNLOAD parsed as another statement"));
                };
                // The query must parse now: a syntax error is MALFORMED_QUERY.
                let parsed = rewrite::parse_query_naming(&query)?;
                Body::Unload {
                    target: unload::Target::new(location, properties),
                    statement: Box::new(parsed.statement),
                    placeholders: parsed.placeholders,
                    unnamed: parsed.unnamed,
                    sql: Arc::from(query.as_str()),
                }
            }
            // Everything else is Hive DDL or a utility statement the emulator runs itself.
            _ => {
                let command = ddl::parse_command(sql)?;
                if let ddl::Command::CreateView { query, .. }
                | ddl::Command::CreateTableAs { query, .. }
                | ddl::Command::Insert { query, .. } = &command
                {
                    // The view's query must parse now: a syntax error is MALFORMED_QUERY.
                    rewrite::parse_query(query)?;
                }
                Body::Command(command)
            }
        };
        Ok(Prepared {
            statement_type: substatement_type.statement_type(),
            substatement_type,
            body,
        })
    }

    /// Runs a prepared statement. Dropping the returned future / stream cancels the engine work.
    ///
    /// # Errors
    /// [`QueryError::Failed`] when planning fails (unknown table or column, type errors);
    /// errors while rows are produced arrive in the row stream.
    pub async fn execute(
        &self,
        prepared: &Prepared,
        ctx: &ExecutionContext,
    ) -> Result<QueryOutput, QueryError> {
        // A panic while planning or producing rows (a bug) ends this query as FAILED.
        use futures::FutureExt;
        let planned = std::panic::AssertUnwindSafe(self.execute_inner(prepared, ctx))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| Err(panic_error(panic.as_ref())));
        planned.map(|mut out| {
            out.rows = std::panic::AssertUnwindSafe(out.rows)
                .catch_unwind()
                .map(|item| item.unwrap_or_else(|panic| Err(panic_error(panic.as_ref()))))
                .boxed();
            out
        })
    }

    async fn execute_inner(
        &self,
        prepared: &Prepared,
        ctx: &ExecutionContext,
    ) -> Result<QueryOutput, QueryError> {
        if let Some(catalog) = &ctx.catalog
            && !catalog.eq_ignore_ascii_case(CATALOG)
        {
            return Err(QueryError::user(format!(
                "CATALOG_NOT_FOUND: Catalog '{catalog}' does not exist"
            )));
        }
        let database = ctx
            .database
            .as_deref()
            .filter(|d| !d.is_empty())
            .unwrap_or("default")
            .to_ascii_lowercase();
        match &prepared.body {
            Body::Query {
                statement,
                placeholders,
                sql,
            } => {
                let statement = rewrite::bind_parameters(
                    statement.as_ref().clone(),
                    *placeholders,
                    &ctx.execution_parameters,
                )?;
                query::run_query(&self.inner, statement, sql, &database).await
            }
            Body::Command(command) => commands::run(&self.inner, command, &database).await,
            Body::Unload {
                target,
                statement,
                placeholders,
                unnamed,
                sql,
            } => {
                // UNLOAD works with prepared statements (docs/athena.md, "UNLOAD and data
                // manifests"): its parameters bind into its query.
                let statement = rewrite::bind_parameters(
                    statement.as_ref().clone(),
                    *placeholders,
                    &ctx.execution_parameters,
                )?;
                let engine_query_id = ctx
                    .engine_query_id
                    .clone()
                    .unwrap_or_else(query_ids::fresh_engine_query_id);
                let query = unload::Query {
                    statement,
                    sql,
                    unnamed,
                    database: &database,
                    engine_query_id: &engine_query_id,
                };
                unload::run(&self.inner, target, query).await
            }
        }
    }
}

/// A DataFusion session with Athena's settings and the Trino functions.
fn session() -> SessionContext {
    let session = SessionConfig::new()
        .with_default_catalog_and_schema(CATALOG, "default")
        .with_create_default_catalog_and_schema(true)
        .with_information_schema(true)
        .set_bool("datafusion.sql_parser.parse_float_as_decimal", true)
        // Trino sorts NULLs last in both directions unless told otherwise
        // (trino.io, "SELECT", ORDER BY clause); DataFusion's default is Postgres's
        // (last ascending, first descending).
        .set_str("datafusion.sql_parser.default_null_ordering", "nulls_last")
        .set_bool("datafusion.sql_parser.map_string_types_to_utf8view", false)
        .set_bool(
            "datafusion.execution.parquet.schema_force_view_types",
            false,
        );
    // Trino's type, aggregate, ordering and TRY rules on the plans (plan_rules.rs).
    let mut ctx = plan_rules::with_trino_rules(SessionContext::new_with_config(session));
    functions::register(&ctx);
    // Trino's arithmetic, decimals, casts and mathematical functions (numbers.rs).
    numbers::install(&mut ctx);
    // UNNEST of maps and rows, and WITH ORDINALITY (emulator/SQL.md, "Queries").
    if let Err(e) = ctx.register_relation_planner(Arc::new(rewrite::TrinoUnnest)) {
        tracing::error!("UNNEST planner not registered: {e}");
    }
    ctx.add_analyzer_rule(Arc::new(rewrite::LateralUnnest));
    ctx
}

/// A caught panic as a system error.
fn panic_error(panic: &(dyn std::any::Any + Send)) -> QueryError {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    QueryError::system(format!("GENERIC_INTERNAL_ERROR: the engine failed: {what}"))
}

/// Splits a script on `;` outside strings, quoted identifiers and comments.
pub(crate) fn split_statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                cur.push(c);
                while let Some(d) = chars.next() {
                    cur.push(d);
                    if d == '\\' && c == '\'' {
                        if let Some(e) = chars.next() {
                            cur.push(e);
                        }
                    } else if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        cur.push('\n');
                        break;
                    }
                }
            }
            ';' => {
                if !cur.trim().is_empty() {
                    out.push(cur.trim().to_owned());
                }
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_owned());
    }
    out
}

#[cfg(test)]
mod tests;
