//! The SQL engine: DataFusion behind the interface the server uses.
//!
//! [`Engine::prepare`] classifies and parses a statement synchronously (syntax errors are
//! [`QueryError::Malformed`], answered at StartQueryExecution); [`Engine::execute`] runs it
//! and streams rows already rendered as Athena's text (ATHENA.md §2).
//!
//! Queries (SELECT, WITH, VALUES, EXPLAIN) are parsed with DataFusion's SQL parser,
//! rewritten towards Trino's semantics (`_col0` names, Trino function names, typed
//! literals) and planned by DataFusion. Athena's Hive DDL (CREATE EXTERNAL TABLE, SHOW
//! TABLES, DESCRIBE, ...) is parsed and run by the emulator itself over DataFusion's
//! catalog, with `s3://bucket/prefix/` mapped to `<data_dir>/bucket/prefix/`.
//! What works and how it differs from Athena: `docs/emulator-sql.md`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), athena_emulator::engine::QueryError> {
//! use athena_emulator::engine::{
//!     Engine, EngineConfig, ExecutionContext, StatementType, SubstatementType,
//! };
//! use futures::StreamExt;
//!
//! // The seed's dataset, 100 rows of it, in a fresh temp dir.
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

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use datafusion::error::DataFusionError;
use datafusion::execution::context::{SessionConfig, SessionContext};
use datafusion::physical_plan::execute_stream;
use datafusion::sql::sqlparser;
use futures::StreamExt;
use futures::stream::BoxStream;

mod cloudfront;
mod commands;
mod datetime;
mod ddl;
mod functions;
mod json;
mod render;
mod rewrite;
mod scan;
mod statement_type;

pub use statement_type::{StatementType, SubstatementType};

/// Rows rendered at a time (a stream item holds at most this many).
const RENDER_ROWS: usize = 4096;

/// The one catalog: Athena's `AwsDataCatalog`, lowercased as DataFusion normalises it.
pub(crate) const CATALOG: &str = "awsdatacatalog";

/// How to build an [`Engine`].
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Where `s3://bucket/prefix/` lives: `<data_dir>/bucket/prefix/`.
    pub data_dir: PathBuf,
    /// Rows of the built-in `serverlessland_database.cf_access_logs` dataset (0: no dataset).
    pub cloudfront_rows: usize,
    /// A file of DDL statements (`;`-separated) run at startup.
    pub init_sql: Option<PathBuf>,
}

impl Default for EngineConfig {
    /// A fresh directory under the system temp dir, 10,000 CloudFront rows, no init SQL.
    fn default() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        EngineConfig {
            data_dir: std::env::temp_dir()
                .join(format!("athena-emulator-{}-{n}", std::process::id())),
            cloudfront_rows: 10_000,
            init_sql: None,
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
            Body::Query { placeholders, .. } => *placeholders,
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
}

/// One result column, as ColumnInfo reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Column name (also the Label).
    pub name: String,
    /// Base type name: `varchar`, `bigint`, `integer`, `double`, `decimal`, `array`, ...
    pub athena_type: String,
    /// Precision as Athena fills it (varchar 2147483647, integer 10, decimal(p,s) p, ...).
    pub precision: i32,
    /// Scale (decimal(p,s): s; else 0).
    pub scale: i32,
    /// True for varchar and char.
    pub case_sensitive: bool,
}

/// Why a statement cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// SQL that does not parse: StartQueryExecution answers InvalidRequestException MALFORMED_QUERY.
    Malformed {
        /// Athena-style message, e.g. `line 1:1: mismatched input 'SELEC'. Expecting: ...`.
        message: String,
    },
    /// The query ends FAILED with this AthenaError (unknown table/column: category 2).
    Failed {
        /// 1 system, 2 user, 3 other.
        error_category: i32,
        /// Athena's ErrorType number (1000 user error, 1001 data error, 200 engine error, ...).
        error_type: i32,
        /// StateChangeReason / ErrorMessage, e.g. `TABLE_NOT_FOUND: line 1:15: ...`.
        message: String,
    },
}

impl QueryError {
    /// The message, whichever the variant.
    pub fn message(&self) -> &str {
        match self {
            QueryError::Malformed { message } | QueryError::Failed { message, .. } => message,
        }
    }

    pub(crate) fn user(message: impl Into<String>) -> QueryError {
        QueryError::Failed {
            error_category: 2,
            error_type: 1000,
            message: message.into(),
        }
    }

    pub(crate) fn system(message: impl Into<String>) -> QueryError {
        QueryError::Failed {
            error_category: 1,
            error_type: 200,
            message: message.into(),
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for QueryError {}

/// Rows rendered as Athena's text, in batches (`None` = NULL).
pub type RowStream = BoxStream<'static, Result<Vec<Vec<Option<String>>>, QueryError>>;

/// What a statement produced.
pub struct QueryOutput {
    /// The result's columns (empty for DDL).
    pub columns: Vec<Column>,
    /// Rows rendered as Athena's text (None = NULL), in batches; dropping the stream cancels the work.
    pub rows: RowStream,
    /// UpdateCount: Some(0) for SELECT/SHOW, None for DDL, Some(n) for CTAS/INSERT.
    pub update_count: Option<i64>,
    /// Bytes actually read; final once `rows` has ended.
    pub data_scanned_in_bytes: Arc<AtomicU64>,
}

impl fmt::Debug for QueryOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryOutput")
            .field("columns", &self.columns)
            .field("update_count", &self.update_count)
            .field("data_scanned_in_bytes", &self.data_scanned_in_bytes)
            .finish_non_exhaustive()
    }
}

/// The SQL engine. Cheap to clone; all clones share the catalog.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("data_dir", &self.inner.data_dir)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    ctx: SessionContext,
    data_dir: PathBuf,
    /// Table definitions as written in DDL, for DESCRIBE / SHOW CREATE TABLE.
    tables: Mutex<HashMap<(String, String), ddl::TableDef>>,
    /// The data dir is the default temp dir this engine created: removed when the last
    /// clone of the engine is dropped.
    remove_on_drop: bool,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if self.remove_on_drop {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
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
        let session = SessionConfig::new()
            .with_default_catalog_and_schema(CATALOG, "default")
            .with_create_default_catalog_and_schema(true)
            .with_information_schema(true)
            .set_bool("datafusion.sql_parser.parse_float_as_decimal", true)
            .set_bool("datafusion.sql_parser.map_string_types_to_utf8view", false)
            .set_bool(
                "datafusion.execution.parquet.schema_force_view_types",
                false,
            );
        let ctx = SessionContext::new_with_config(session);
        functions::register(&ctx);
        let engine = Engine {
            inner: Arc::new(Inner {
                ctx,
                data_dir,
                tables: Mutex::new(HashMap::new()),
                remove_on_drop,
            }),
        };
        if config.cloudfront_rows > 0 {
            cloudfront::install(&engine, config.cloudfront_rows).await?;
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
        commands::location_dir(&self.inner.data_dir, uri)
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
                self.run_query(statement, sql, &database).await
            }
            Body::Command(command) => commands::run(self, command, &database).await,
        }
    }

    async fn run_query(
        &self,
        statement: sqlparser::ast::Statement,
        sql_text: &str,
        database: &str,
    ) -> Result<QueryOutput, QueryError> {
        use sqlparser::ast::{SetExpr, Statement};
        let explain = matches!(statement, Statement::Explain { .. });
        let values =
            matches!(&statement, Statement::Query(q) if matches!(*q.body, SetExpr::Values(_)));
        let scanned = Arc::new(AtomicU64::new(0));
        let mut state = self.inner.ctx.state();
        state.config_mut().options_mut().catalog.default_schema = database.to_owned();
        let state = scan::counting(state, Arc::clone(&scanned));
        let plan = state
            .statement_to_plan(datafusion::sql::parser::Statement::Statement(Box::new(
                statement,
            )))
            .await
            .map_err(|e| self.schema_not_found(map_error(e, sql_text, database), sql_text))?;
        let physical = state
            .create_physical_plan(&plan)
            .await
            .map_err(|e| map_error(e, sql_text, database))?;
        let mut columns: Vec<Column> = physical
            .schema()
            .fields()
            .iter()
            .map(|f| render::column_for_field(f))
            .collect();
        if values {
            // Trino names the columns of a bare VALUES `_col0`, `_col1`, ...
            for (i, c) in columns.iter_mut().enumerate() {
                c.name = format!("_col{i}");
            }
        }
        let stream = execute_stream(physical, state.task_ctx())
            .map_err(|e| map_error(e, sql_text, database))?;
        let sql_text: Arc<str> = Arc::from(sql_text);
        let database = Arc::new(database.to_owned());
        // Large batches (one UNNEST of a long sequence is a single batch) are rendered in
        // slices, so a consumer never holds more than RENDER_ROWS rendered rows at once.
        let rows = stream
            .flat_map(|batch| {
                let slices: Vec<_> = match batch {
                    Ok(batch) => (0..batch.num_rows())
                        .step_by(RENDER_ROWS)
                        .map(|start| {
                            Ok(batch.slice(start, RENDER_ROWS.min(batch.num_rows() - start)))
                        })
                        .collect(),
                    Err(e) => vec![Err(e)],
                };
                futures::stream::iter(slices)
            })
            .map(move |slice| match slice {
                Ok(slice) => Ok(render::render_batch(&slice)),
                Err(e) => Err(map_error(e, &sql_text, &database)),
            })
            .boxed();
        if explain {
            return explain_output(rows, scanned).await;
        }
        Ok(QueryOutput {
            columns,
            rows,
            update_count: Some(0),
            data_scanned_in_bytes: scanned,
        })
    }
}

impl Engine {
    /// A TABLE_NOT_FOUND whose database does not exist is Athena's SCHEMA_NOT_FOUND.
    fn schema_not_found(&self, err: QueryError, sql: &str) -> QueryError {
        let QueryError::Failed { message, .. } = &err else {
            return err;
        };
        let Some(full) = between(message, "Table '", "' does not exist") else {
            return err;
        };
        let parts: Vec<&str> = full.split('.').collect();
        let [_, db, _] = parts.as_slice() else {
            return err;
        };
        let exists = self
            .inner
            .ctx
            .catalog(CATALOG)
            .is_some_and(|c| c.schema(db).is_some());
        if exists {
            return err;
        }
        let (line, col) = or_start(locate(sql, db));
        QueryError::user(format!(
            "SCHEMA_NOT_FOUND: line {line}:{col}: Schema '{db}' does not exist"
        ))
    }

    /// Plans a query (of CREATE VIEW, CTAS, INSERT) in `database`.
    pub(crate) async fn plan_statement(
        &self,
        statement: sqlparser::ast::Statement,
        sql_text: &str,
        database: &str,
    ) -> Result<datafusion::logical_expr::LogicalPlan, QueryError> {
        let mut state = self.inner.ctx.state();
        state.config_mut().options_mut().catalog.default_schema = database.to_owned();
        state
            .statement_to_plan(datafusion::sql::parser::Statement::Statement(Box::new(
                statement,
            )))
            .await
            .map_err(|e| self.schema_not_found(map_error(e, sql_text, database), sql_text))
    }
}

/// EXPLAIN as Athena answers it: one column `Query Plan`, one row per line of the plan.
async fn explain_output(
    mut rows: RowStream,
    scanned: Arc<AtomicU64>,
) -> Result<QueryOutput, QueryError> {
    let mut lines = Vec::new();
    while let Some(batch) = rows.next().await {
        for row in batch? {
            let (kind, plan) = match row.as_slice() {
                [Some(kind), Some(plan)] => (kind.clone(), plan.clone()),
                _ => continue,
            };
            if kind == "logical_plan" || kind == "Plan with Metrics" {
                lines.extend(plan.lines().map(|l| vec![Some(l.to_owned())]));
            }
        }
    }
    let stream: RowStream = if lines.is_empty() {
        futures::stream::empty().boxed()
    } else {
        futures::stream::once(async move { Ok(lines) }).boxed()
    };
    Ok(QueryOutput {
        columns: vec![Column {
            name: "Query Plan".to_owned(),
            athena_type: "varchar".to_owned(),
            precision: 2147483647,
            scale: 0,
            case_sensitive: true,
        }],
        rows: stream,
        update_count: Some(0),
        data_scanned_in_bytes: scanned,
    })
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

/// 1-based line and column of the first case-insensitive occurrence of `needle` in `sql`
/// as a whole word; `(0, 0)` when it does not occur.
fn locate(sql: &str, needle: &str) -> (usize, usize) {
    let hay = sql.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    if needle.is_empty() {
        return (0, 0);
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut from = 0;
    while let Some(rel) = hay[from..].find(&needle) {
        let at = from + rel;
        let end = at + needle.len();
        let quoted_or_bare =
            !word(hay[..at].chars().next_back()) && !word(hay[end..].chars().next());
        if quoted_or_bare {
            let before = &sql[..at];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            return (line, col);
        }
        from = at + 1;
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    (0, 0)
}

fn or_start(pos: (usize, usize)) -> (usize, usize) {
    if pos == (0, 0) { (1, 1) } else { pos }
}

/// A DataFusion error as Athena reports it.
pub(crate) fn map_error(e: DataFusionError, sql: &str, database: &str) -> QueryError {
    use datafusion::common::SchemaError;
    let root = e.find_root();
    match root {
        DataFusionError::SchemaError(schema_error, _)
            if let SchemaError::FieldNotFound { field, .. } = schema_error.as_ref() =>
        {
            let (line, col) = or_start(locate(sql, &field.name));
            return QueryError::user(format!(
                "COLUMN_NOT_FOUND: line {line}:{col}: Column '{}' cannot be resolved",
                field.name
            ));
        }
        DataFusionError::ArrowError(err, _) => {
            use datafusion::arrow::error::ArrowError;
            let message = match err.as_ref() {
                ArrowError::DivideByZero => "DIVISION_BY_ZERO: Division by zero".to_owned(),
                ArrowError::CastError(m) => format!("INVALID_CAST_ARGUMENT: {m}"),
                ArrowError::ParseError(m) | ArrowError::CsvError(m) | ArrowError::JsonError(m) => {
                    format!("HIVE_BAD_DATA: {m}")
                }
                ArrowError::ArithmeticOverflow(m) => format!("NUMERIC_VALUE_OUT_OF_RANGE: {m}"),
                other => format!("GENERIC_USER_ERROR: {other}"),
            };
            return QueryError::Failed {
                error_category: 2,
                error_type: 1001,
                message,
            };
        }
        _ => {}
    }
    let text = root.to_string();
    let msg = strip_df_prefix(&text);
    if let Some(name) = between(msg, "table '", "' not found") {
        let mut candidates = vec![name];
        let mut rest = name;
        while let Some((_, tail)) = rest.split_once('.') {
            candidates.push(tail);
            rest = tail;
        }
        let (line, col) = candidates
            .iter()
            .map(|c| locate(sql, c))
            .find(|&p| p != (0, 0))
            .unwrap_or((1, 1));
        let full = qualify(name, database);
        return QueryError::user(format!(
            "TABLE_NOT_FOUND: line {line}:{col}: Table '{full}' does not exist"
        ));
    }
    if let Some(name) = between(msg, "failed to resolve schema: ", "")
        .or_else(|| between(msg, "schema '", "' not found"))
    {
        let (line, col) = or_start(locate(sql, name));
        return QueryError::user(format!(
            "SCHEMA_NOT_FOUND: line {line}:{col}: Schema '{name}' does not exist"
        ));
    }
    if let Some(name) = between(msg, "Invalid function '", "'") {
        let (line, col) = or_start(locate(sql, name));
        return QueryError::user(format!(
            "FUNCTION_NOT_FOUND: line {line}:{col}: Function '{name}' not registered"
        ));
    }
    match root {
        DataFusionError::NotImplemented(m) => QueryError::user(format!("NOT_SUPPORTED: {m}")),
        DataFusionError::Plan(_) | DataFusionError::SQL(..) | DataFusionError::SchemaError(..) => {
            QueryError::user(format!("SYNTAX_ERROR: {msg}"))
        }
        DataFusionError::Execution(_) => QueryError::Failed {
            error_category: 2,
            error_type: 1001,
            message: if has_error_code(msg) {
                msg.to_owned()
            } else {
                format!("GENERIC_USER_ERROR: {msg}")
            },
        },
        DataFusionError::ResourcesExhausted(_) => QueryError::Failed {
            error_category: 1,
            error_type: 0,
            message: format!("EXCEEDED_LOCAL_MEMORY_LIMIT: {msg}"),
        },
        _ => QueryError::system(format!("GENERIC_INTERNAL_ERROR: {msg}")),
    }
}

/// Whether `msg` already starts with a Trino error code (`INVALID_FUNCTION_ARGUMENT: ...`).
fn has_error_code(msg: &str) -> bool {
    msg.split_once(": ").is_some_and(|(code, _)| {
        code.len() > 3 && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
    })
}

fn qualify(name: &str, database: &str) -> String {
    match name.matches('.').count() {
        0 => format!("{CATALOG}.{database}.{name}"),
        1 => format!("{CATALOG}.{name}"),
        _ => name.to_owned(),
    }
}

fn strip_df_prefix(s: &str) -> &str {
    for prefix in [
        "Error during planning: ",
        "Schema error: ",
        "Execution error: ",
        "This feature is not implemented: ",
        "SQL error: ",
        "Internal error: ",
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return rest;
        }
    }
    s
}

/// The text between `start` and `end` (end empty: to the end of the line).
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let rest = &s[from..];
    if end.is_empty() {
        Some(rest.lines().next().unwrap_or(rest).trim())
    } else {
        Some(&rest[..rest.find(end)?])
    }
}

#[cfg(test)]
mod tests;
