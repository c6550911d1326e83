//! UNLOAD: the rows of a query written as files under an `s3://` location
//! (docs/athena.md, "UNLOAD and data manifests").
//!
//! The query runs as any query does (same planning, same errors); its columns are then
//! checked as Athena checks them (`columns`), the TO location must hold nothing
//! (UNLOAD never overwrites), and each output partition of the query is written by a
//! thread of its own into Parquet, JSON or TEXTFILE files (`files`, `parquet`, `lines`).
//! The statement answers as CTAS does (one bigint column `rows`, UpdateCount = rows
//! written) and hands the server the URIs of the files, which it writes as the data
//! manifest `<QueryExecutionId>-manifest.csv` beside the query's `.metadata`. What works
//! and how it differs from Athena: emulator/SQL.md, "UNLOAD".

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::physical_plan::execute_stream_partitioned;
use datafusion::sql::sqlparser;
use tokio::task::JoinSet;

use super::error::{QueryError, map_error};
use super::location::location_dir;
use super::output::QueryOutput;
use super::scan;
use super::state::EngineState;

mod columns;
mod files;
mod lines;
mod options;
mod parquet;

use options::{Format, Options};

/// Where an UNLOAD writes and how: its `TO` location and `WITH (...)` properties, as
/// written; checked when it runs, as Athena checks them while it plans the query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Target {
    location: String,
    properties: Vec<(String, String)>,
}

impl Target {
    pub(crate) fn new(location: String, properties: Vec<(String, String)>) -> Target {
        Target {
            location,
            properties,
        }
    }
}

/// The query of an UNLOAD, with what running it needs.
#[derive(Debug)]
pub(crate) struct Query<'a> {
    /// Parsed, rewritten and with its parameters bound.
    pub(crate) statement: sqlparser::ast::Statement,
    /// Its text, for error positions.
    pub(crate) sql: &'a Arc<str>,
    /// Positions of its columns that have no name.
    pub(crate) unnamed: &'a [usize],
    pub(crate) database: &'a str,
    /// Names the files (`<engine query id>_<uuid>`).
    pub(crate) engine_query_id: &'a str,
}

/// Runs an UNLOAD: checks, runs the query, writes the files.
///
/// # Errors
/// The query's own errors; the properties', the location's and the columns' (module
/// docs); `HIVE_PATH_ALREADY_EXISTS` when the location holds data; a value a format
/// cannot hold.
pub(crate) async fn run(
    state: &EngineState,
    target: &Target,
    query: Query<'_>,
) -> Result<QueryOutput, QueryError> {
    let options = Options::parse(&target.properties)?;
    let (location, dir) = target_dir(&state.data_dir, &target.location)?;

    let scanned = Arc::new(AtomicU64::new(0));
    let session = scan::counting(state.session_in(query.database), Arc::clone(&scanned));
    let plan = session
        .statement_to_plan(datafusion::sql::parser::Statement::Statement(Box::new(
            query.statement,
        )))
        .await
        .map_err(|e| state.planning_error(e, query.sql, query.database))?;
    let physical = session
        .create_physical_plan(&plan)
        .await
        .map_err(|e| map_error(e, query.sql, query.database))?;
    let output_schema = physical.schema();
    let fields: Vec<&Field> = output_schema.fields().iter().map(|f| f.as_ref()).collect();
    let names = columns::check(&fields, query.unnamed)?;
    check_format(options.format, &names, &fields)?;
    check_empty(&location, &dir)?;

    let sink = Arc::new(files::Sink {
        location,
        dir,
        temp_dir: state.data_dir.join(".athena-emulator").join("tmp"),
        engine_query_id: query.engine_query_id.to_owned(),
        rows_per_file: state.unload_rows_per_file.get(),
        options,
        schema: parquet::file_schema(&names, &fields),
        names,
        sql: Arc::clone(query.sql),
        database: query.database.to_owned(),
    });
    let plan = crate::engine::PlanHandle::new(Arc::clone(&physical));
    let streams = execute_stream_partitioned(physical, session.task_ctx())
        .map_err(|e| map_error(e, query.sql, query.database))?;
    // Each partition on a task of its own, so they run in parallel; dropping the set
    // (the query stopped, or another partition failed) aborts the rest.
    let mut writers = JoinSet::new();
    for stream in streams {
        writers.spawn(files::write_partition(stream, Arc::clone(&sink)));
    }
    let mut written = Vec::new();
    while let Some(joined) = writers.join_next().await {
        match joined {
            Ok(files) => written.extend(files?),
            Err(e) => {
                return Err(QueryError::system(format!(
                    "GENERIC_INTERNAL_ERROR: an UNLOAD writer failed: {e}"
                )));
            }
        }
    }
    let rows = written.iter().map(|w| w.rows).sum();
    let mut output = QueryOutput::rows_written(rows);
    output.data_manifest = Some(written.into_iter().map(|w| w.uri).collect());
    output.data_scanned_in_bytes = scanned;
    output.plan = Some(plan);
    Ok(output)
}

/// Refuses a column the format cannot hold as Athena writes it.
fn check_format(format: Format, names: &[String], fields: &[&Field]) -> Result<(), QueryError> {
    if let Format::Text { .. } = format
        && let Some((name, field)) = names.iter().zip(fields).find(|(_, f)| {
            matches!(
                f.data_type(),
                DataType::List(_)
                    | DataType::LargeList(_)
                    | DataType::FixedSizeList(..)
                    | DataType::Map(..)
                    | DataType::Struct(_)
            )
        })
    {
        return Err(QueryError::user(format!(
            "NOT_SUPPORTED: column {name} of type {} cannot be written as TEXTFILE by athena-emulator (Athena writes arrays, maps and rows with Hive's collection delimiters)",
            crate::engine::functions::trino_type_name(field.data_type())
        )));
    }
    Ok(())
}

/// UNLOAD checks that the location is empty before it writes: it never overwrites.
fn check_empty(location: &str, dir: &Path) -> Result<(), QueryError> {
    if holds_files(dir) {
        return Err(QueryError::user(format!(
            "HIVE_PATH_ALREADY_EXISTS: Target directory for table already exists: {location}"
        )));
    }
    if dir.is_file() {
        return Err(QueryError::user(format!(
            "HIVE_PATH_ALREADY_EXISTS: {location} cannot be written: its parent key is an object, and athena-emulator cannot hold a key that is both an object and a prefix"
        )));
    }
    Ok(())
}

/// The TO location, as `s3://bucket/prefix/` (with its `/`), and the folder it maps to.
///
/// # Errors
/// A location that is not an `s3://` URI with a bucket; one the emulator may not write
/// (a `.` or `..` segment, a symlink out of the data dir), refused as an OutputLocation
/// there is (docs/emulator.md, "S3": Access denied).
fn target_dir(data_dir: &Path, location: &str) -> Result<(String, PathBuf), QueryError> {
    let has_bucket = location
        .get(.."s3://".len())
        .is_some_and(|s| s.eq_ignore_ascii_case("s3://"))
        && location["s3://".len()..]
            .split('/')
            .next()
            .is_some_and(|bucket| !bucket.is_empty());
    if !has_bucket {
        return Err(QueryError::user(format!(
            "INVALID_TABLE_PROPERTY: UNLOAD TO must name an s3:// location with a bucket, got '{location}'"
        )));
    }
    let mut location = location.to_owned();
    if !location.ends_with('/') {
        location.push('/');
    }
    let dir = location_dir(data_dir, &location).map_err(|_| {
        QueryError::user(format!(
            "Access denied when writing output to url: {location}"
        ))
    })?;
    Ok((location, dir))
}

/// Whether any file lies under `dir` (S3 has no folders: empty ones hold no data).
fn holds_files(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| match entry.file_type() {
        Ok(t) if t.is_dir() => holds_files(&entry.path()),
        Ok(_) => true,
        Err(_) => true,
    })
}
