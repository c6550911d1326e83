//! Running the statements the emulator handles itself (Hive DDL, SHOW, DESCRIBE) over
//! DataFusion's catalog.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::{CatalogProvider, MemorySchemaProvider, TableProvider};
use datafusion::common::Column as DfColumn;
use datafusion::common::metadata::FieldMetadata;
use datafusion::datasource::file_format::csv::CsvFormat;
use datafusion::datasource::file_format::json::JsonFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::datasource::{ViewTable, provider_as_source};
use datafusion::functions::core::expr_fn::{coalesce, nullif};
use datafusion::logical_expr::{Expr, LogicalPlanBuilder, lit, try_cast};
use futures::StreamExt;

use super::ddl::{ColumnDef, Command, FileFormat, HiveType, TableDef, TableName};
use super::render::ATHENA_TYPE_KEY;
use super::{CATALOG, Column, Engine, QueryError, QueryOutput};

/// Runs one command in the context of `database`.
pub(crate) async fn run(
    engine: &Engine,
    command: &Command,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let catalog = catalog(engine)?;
    match command {
        Command::CreateDatabase {
            name,
            if_not_exists,
        } => {
            if catalog.schema(name).is_some() {
                if *if_not_exists {
                    return Ok(ddl_output());
                }
                return Err(ddl_error(format!(
                    "FAILED: AlreadyExistsException(message:Database {name} already exists)"
                )));
            }
            catalog
                .register_schema(name, Arc::new(MemorySchemaProvider::new()))
                .map_err(|e| QueryError::system(e.to_string()))?;
            Ok(ddl_output())
        }
        Command::DropDatabase {
            name,
            if_exists,
            cascade,
        } => {
            let Some(schema) = catalog.schema(name) else {
                if *if_exists {
                    return Ok(ddl_output());
                }
                return Err(ddl_error(format!(
                    "FAILED: SemanticException [Error 10072]: Database does not exist: {name}"
                )));
            };
            if !schema.table_names().is_empty() && !cascade {
                return Err(ddl_error(format!(
                    "FAILED: InvalidOperationException(message:Database {name} is not empty. One or more tables exist.)"
                )));
            }
            catalog
                .deregister_schema(name, true)
                .map_err(|e| QueryError::system(e.to_string()))?;
            lock_tables(engine).retain(|(db, _), _| db != name);
            Ok(ddl_output())
        }
        Command::CreateTable(def) => {
            create_table(engine, &*catalog, def, database).await?;
            Ok(ddl_output())
        }
        Command::DropTable { name, if_exists } => {
            let db = name.database.as_deref().unwrap_or(database);
            let removed = match catalog.schema(db) {
                Some(schema) => schema
                    .deregister_table(&name.table)
                    .map_err(|e| QueryError::system(e.to_string()))?
                    .is_some(),
                None => false,
            };
            if !removed && !if_exists {
                return Err(ddl_error(format!(
                    "FAILED: SemanticException [Error 10001]: Table not found {db}.{}",
                    name.table
                )));
            }
            lock_tables(engine).remove(&(db.to_owned(), name.table.clone()));
            Ok(ddl_output())
        }
        Command::ShowDatabases { like } => {
            let mut names = catalog.schema_names();
            names.retain(|n| like.as_deref().is_none_or(|p| hive_like(p, n)));
            names.sort();
            Ok(single_column("database_name", names))
        }
        Command::ShowTables { database: db, like } => {
            let db = db.as_deref().unwrap_or(database);
            let schema = catalog.schema(db).ok_or_else(|| schema_not_found(db))?;
            let mut names = schema.table_names();
            names.retain(|n| like.as_deref().is_none_or(|p| hive_like(p, n)));
            names.sort();
            Ok(single_column("tab_name", names))
        }
        Command::Describe { name } => {
            let def = match table_def(engine, &*catalog, name, database) {
                Ok(def) => def,
                Err(e) => {
                    return match describe_view(&*catalog, name, database).await {
                        Some(lines) => Ok(single_column("col_name", lines)),
                        None => Err(e),
                    };
                }
            };
            let mut lines: Vec<String> = def.columns.iter().map(describe_line).collect();
            if !def.partitions.is_empty() {
                lines.extend(def.partitions.iter().map(describe_line));
                lines.push(String::new());
                lines.push("# Partition Information".to_owned());
                lines.push(format!(
                    "{:<20}\t{:<20}\t{:<20}",
                    "# col_name", "data_type", "comment"
                ));
                lines.push(String::new());
                lines.extend(def.partitions.iter().map(describe_line));
            }
            Ok(single_column("col_name", lines))
        }
        Command::ShowColumns { name } => {
            let def = table_def(engine, &*catalog, name, database)?;
            let names = def
                .columns
                .iter()
                .chain(&def.partitions)
                .map(|c| c.name.clone())
                .collect();
            Ok(single_column("field", names))
        }
        Command::ShowCreateTable { name } => {
            let def = table_def(engine, &*catalog, name, database)?;
            let db = name.database.as_deref().unwrap_or(database);
            Ok(single_column("createtab_stmt", show_create_table(&def, db)))
        }
        Command::ShowTblProperties { name } => {
            let def = table_def(engine, &*catalog, name, database)?;
            let lines = def
                .properties
                .iter()
                .map(|(k, v)| format!("{k}\t{v}"))
                .collect();
            Ok(single_column("prpt_name", lines))
        }
        Command::CreateView {
            name,
            or_replace,
            query,
        } => {
            let db = name.database.as_deref().unwrap_or(database);
            let schema = catalog.schema(db).ok_or_else(|| schema_not_found(db))?;
            let is_table = lock_tables(engine).contains_key(&(db.to_owned(), name.table.clone()));
            if is_table || (schema.table_exist(&name.table) && !or_replace) {
                return Err(QueryError::user(format!(
                    "ALREADY_EXISTS: {} '{CATALOG}.{db}.{}' already exists",
                    if is_table { "Table" } else { "View" },
                    name.table
                )));
            }
            let (statement, placeholders) = super::rewrite::parse_query(query)?;
            if placeholders > 0 {
                return Err(QueryError::user(
                    "NOT_SUPPORTED: a view cannot have ? parameters".to_owned(),
                ));
            }
            let plan = engine.plan_view(statement, query, database).await?;
            let _ = schema.deregister_table(&name.table);
            schema
                .register_table(
                    name.table.clone(),
                    Arc::new(ViewTable::new(plan, Some(query.clone()))),
                )
                .map_err(|e| QueryError::system(e.to_string()))?;
            Ok(ddl_output())
        }
        Command::DropView { name, if_exists } => {
            let db = name.database.as_deref().unwrap_or(database);
            let is_table = lock_tables(engine).contains_key(&(db.to_owned(), name.table.clone()));
            let exists = catalog
                .schema(db)
                .is_some_and(|s| s.table_exist(&name.table));
            if is_table || !exists {
                if !exists && *if_exists {
                    return Ok(ddl_output());
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
            Ok(ddl_output())
        }
        Command::ShowViews { database: db, like } => {
            let db = db.as_deref().unwrap_or(database);
            let schema = catalog.schema(db).ok_or_else(|| schema_not_found(db))?;
            let tables = lock_tables(engine);
            let mut names = schema.table_names();
            names.retain(|n| {
                !tables.contains_key(&(db.to_owned(), n.clone()))
                    && like.as_deref().is_none_or(|p| hive_like(p, n))
            });
            names.sort();
            Ok(single_column("views", names))
        }
        Command::NoOp => Ok(ddl_output()),
    }
}

/// DESCRIBE of a view: its columns with Trino's type names.
async fn describe_view(
    catalog: &dyn CatalogProvider,
    name: &TableName,
    database: &str,
) -> Option<Vec<String>> {
    let db = name.database.as_deref().unwrap_or(database);
    let table = catalog.schema(db)?.table(&name.table).await.ok()??;
    Some(
        table
            .schema()
            .fields()
            .iter()
            .map(|f| {
                format!(
                    "{:<20}\t{:<20}\t{:<20}",
                    f.name(),
                    super::json::trino_type_name(f.data_type()),
                    ""
                )
            })
            .collect(),
    )
}

fn catalog(engine: &Engine) -> Result<Arc<dyn CatalogProvider>, QueryError> {
    engine
        .inner
        .ctx
        .catalog(CATALOG)
        .ok_or_else(|| QueryError::system("the AwsDataCatalog catalog is missing"))
}

fn lock_tables(
    engine: &Engine,
) -> std::sync::MutexGuard<'_, std::collections::HashMap<(String, String), TableDef>> {
    engine
        .inner
        .tables
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn ddl_error(message: String) -> QueryError {
    QueryError::Failed {
        error_category: 2,
        error_type: 1003,
        message,
    }
}

fn schema_not_found(db: &str) -> QueryError {
    QueryError::user(format!("SCHEMA_NOT_FOUND: Schema '{db}' does not exist"))
}

fn table_def(
    engine: &Engine,
    catalog: &dyn CatalogProvider,
    name: &TableName,
    database: &str,
) -> Result<TableDef, QueryError> {
    let db = name.database.as_deref().unwrap_or(database);
    if catalog.schema(db).is_none() {
        return Err(schema_not_found(db));
    }
    lock_tables(engine)
        .get(&(db.to_owned(), name.table.clone()))
        .cloned()
        .ok_or_else(|| {
            QueryError::user(format!(
                "TABLE_NOT_FOUND: Table '{CATALOG}.{db}.{}' does not exist",
                name.table
            ))
        })
}

/// The output of a DDL statement: no columns, no rows, no UpdateCount.
fn ddl_output() -> QueryOutput {
    QueryOutput {
        columns: Vec::new(),
        rows: futures::stream::empty().boxed(),
        update_count: None,
        data_scanned_in_bytes: Arc::new(AtomicU64::new(0)),
    }
}

/// A one-column varchar result.
fn single_column(name: &str, values: Vec<String>) -> QueryOutput {
    let rows: Vec<Vec<Option<String>>> = values.into_iter().map(|v| vec![Some(v)]).collect();
    let stream = if rows.is_empty() {
        futures::stream::empty().boxed()
    } else {
        futures::stream::once(async move { Ok(rows) }).boxed()
    };
    QueryOutput {
        columns: vec![Column {
            name: name.to_owned(),
            athena_type: "varchar".to_owned(),
            precision: 2147483647,
            scale: 0,
            case_sensitive: true,
        }],
        rows: stream,
        update_count: Some(0),
        data_scanned_in_bytes: Arc::new(AtomicU64::new(0)),
    }
}

fn describe_line(c: &ColumnDef) -> String {
    format!(
        "{:<20}\t{:<20}\t{:<20}",
        c.name,
        c.hive_type.to_string(),
        c.comment.as_deref().unwrap_or("")
    )
}

/// Hive's SHOW TABLES pattern: `*` any characters, `|` alternatives, case-insensitive.
pub(crate) fn hive_like(pattern: &str, name: &str) -> bool {
    fn glob(p: &[u8], s: &[u8]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((b'*', rest)) => (0..=s.len()).any(|k| glob(rest, &s[k..])),
            Some((c, rest)) => s
                .split_first()
                .is_some_and(|(d, srest)| c.eq_ignore_ascii_case(d) && glob(rest, srest)),
        }
    }
    pattern
        .split('|')
        .any(|alt| glob(alt.trim().as_bytes(), name.as_bytes()))
}

/// `s3://bucket/prefix/` as `<data_dir>/bucket/prefix`.
pub(crate) fn location_dir(data_dir: &Path, location: &str) -> Result<PathBuf, QueryError> {
    let rest = ["s3://", "s3a://", "s3n://"]
        .iter()
        .find_map(|p| {
            location
                .get(..p.len())
                .filter(|head| head.eq_ignore_ascii_case(p))
                .map(|_| &location[p.len()..])
        })
        .ok_or_else(|| {
            ddl_error(format!(
                "FAILED: the LOCATION must be an s3:// URI, got '{location}'"
            ))
        })?;
    let mut path = data_dir.to_path_buf();
    let mut parts = 0;
    for seg in rest.split('/') {
        if seg.is_empty() {
            continue;
        }
        if seg == "." || seg == ".." || seg.contains('\\') || seg.contains('\0') {
            return Err(ddl_error(format!(
                "FAILED: the LOCATION '{location}' has a path segment the emulator refuses: '{seg}'"
            )));
        }
        path.push(seg);
        parts += 1;
    }
    if parts == 0 {
        return Err(ddl_error(format!(
            "FAILED: the LOCATION '{location}' names no bucket"
        )));
    }
    Ok(path)
}

/// How many of the first `n` lines of the first data file in `dir` start with `#`.
fn leading_comment_lines(dir: &Path, n: usize) -> Option<usize> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                let f = std::fs::File::open(&p).ok()?;
                let lines = std::io::BufReader::new(f).lines().take(n);
                return Some(
                    lines
                        .map_while(Result::ok)
                        .take_while(|l| l.starts_with('#'))
                        .count(),
                );
            }
        }
    }
    None
}

async fn create_table(
    engine: &Engine,
    catalog: &dyn CatalogProvider,
    def: &TableDef,
    database: &str,
) -> Result<(), QueryError> {
    let db = def.name.database.as_deref().unwrap_or(database);
    let schema = catalog.schema(db).ok_or_else(|| schema_not_found(db))?;
    let table = &def.name.table;
    if schema.table_exist(table) {
        if def.if_not_exists {
            return Ok(());
        }
        return Err(ddl_error(format!(
            "FAILED: AlreadyExistsException(message:Table {table} already exists)"
        )));
    }
    let location = def.location.as_deref().ok_or_else(|| {
        ddl_error("FAILED: an external table needs a LOCATION 's3://bucket/prefix/'".to_owned())
    })?;
    let dir = location_dir(&engine.inner.data_dir, location)?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| QueryError::system(format!("cannot create {}: {e}", dir.display())))?;
    let provider = build_table(def, &dir)?;
    schema
        .register_table(table.clone(), provider)
        .map_err(|e| QueryError::system(e.to_string()))?;
    let mut stored = def.clone();
    stored.name.database = Some(db.to_owned());
    lock_tables(engine).insert((db.to_owned(), table.clone()), stored);
    Ok(())
}

/// A ListingTable over the files in `dir`, behind a view that gives the declared types
/// (text: every field is read as a string, then converted as Hive's LazySimpleSerDe does:
/// what does not parse is NULL, `\N` is NULL, an empty string stays empty).
fn build_table(def: &TableDef, dir: &Path) -> Result<Arc<dyn TableProvider>, QueryError> {
    let df = |e: datafusion::error::DataFusionError| QueryError::system(e.to_string());
    let textual = matches!(def.format, FileFormat::Text { .. } | FileFormat::Csv { .. });
    let skip = def.skip_header_lines();
    let (has_header, comment) = match skip {
        0 => (false, None),
        1 => (true, None),
        n => {
            let hashes = leading_comment_lines(dir, n).unwrap_or(n);
            (n > hashes, (hashes > 0).then_some(b'#'))
        }
    };
    let format: Arc<dyn datafusion::datasource::file_format::FileFormat> = match &def.format {
        FileFormat::Text { delimiter, escape } => Arc::new(
            CsvFormat::default()
                .with_has_header(has_header)
                .with_comment(comment)
                .with_delimiter(*delimiter)
                .with_quote(0)
                .with_escape(*escape)
                .with_truncated_rows(true),
        ),
        FileFormat::Csv {
            separator,
            quote,
            escape,
        } => Arc::new(
            CsvFormat::default()
                .with_has_header(has_header)
                .with_comment(comment)
                .with_delimiter(*separator)
                .with_quote(*quote)
                .with_escape(*escape)
                .with_truncated_rows(true),
        ),
        FileFormat::Json => Arc::new(JsonFormat::default()),
        FileFormat::Parquet => Arc::new(ParquetFormat::default()),
    };
    if textual && let Some(c) = def.columns.iter().find(|c| !c.hive_type.is_primitive()) {
        return Err(ddl_error(format!(
            "FAILED: column {} of type {} cannot be read from delimited text by athena-emulator; use JSON or Parquet",
            c.name, c.hive_type
        )));
    }
    let file_fields: Vec<Field> = def
        .columns
        .iter()
        .map(|c| {
            let t = if textual {
                DataType::Utf8
            } else {
                c.hive_type.to_arrow()
            };
            Field::new(&c.name, t, true)
        })
        .collect();
    let partition_cols: Vec<(String, DataType)> = def
        .partitions
        .iter()
        .map(|p| (p.name.clone(), DataType::Utf8))
        .collect();
    let options = ListingOptions::new(format)
        .with_file_extension("")
        .with_table_partition_cols(partition_cols);
    let url_text = format!("{}/", dir.display());
    let url = ListingTableUrl::parse(&url_text).map_err(df)?;
    let config = ListingTableConfig::new(url)
        .with_listing_options(options)
        .with_schema(Arc::new(Schema::new(file_fields)));
    let listing = ListingTable::try_new(config).map_err(df)?;

    let mut exprs = Vec::with_capacity(def.columns.len() + def.partitions.len());
    for (c, from_text) in def
        .columns
        .iter()
        .map(|c| (c, textual))
        .chain(def.partitions.iter().map(|p| (p, true)))
    {
        let column = Expr::Column(DfColumn::new_unqualified(&c.name));
        let value = match (&c.hive_type, from_text) {
            (t, true) if t.is_string() => nullif(coalesce(vec![column, lit("")]), lit("\\N")),
            (t, true) => try_cast(column, t.to_arrow()),
            (_, false) => column,
        };
        let metadata = match c.hive_type {
            HiveType::Varchar(_) | HiveType::Char(_) => Some(FieldMetadata::from(BTreeMap::from(
                [(ATHENA_TYPE_KEY.to_owned(), c.hive_type.to_string())],
            ))),
            _ => None,
        };
        exprs.push(value.alias_with_metadata(c.name.clone(), metadata));
    }
    let plan = LogicalPlanBuilder::scan(
        def.name.table.clone(),
        provider_as_source(Arc::new(listing)),
        None,
    )
    .and_then(|b| b.project(exprs))
    .and_then(|b| b.build())
    .map_err(df)?;
    Ok(Arc::new(ViewTable::new(plan, None)))
}

/// SHOW CREATE TABLE, one line per row, as Athena prints it.
fn show_create_table(def: &TableDef, db: &str) -> Vec<String> {
    let mut out = vec![format!(
        "CREATE EXTERNAL TABLE `{db}`.`{}`(",
        def.name.table
    )];
    let cols = |cols: &[ColumnDef], out: &mut Vec<String>| {
        for (i, c) in cols.iter().enumerate() {
            let sep = if i + 1 < cols.len() { ", " } else { ")" };
            out.push(format!("  `{}` {}{sep}", c.name, c.hive_type));
        }
    };
    cols(&def.columns, &mut out);
    if !def.partitions.is_empty() {
        out.push("PARTITIONED BY ( ".to_owned());
        cols(&def.partitions, &mut out);
    }
    let escape = |b: u8| match b {
        b'\t' => "\\t".to_owned(),
        b'\n' => "\\n".to_owned(),
        b'\'' => "\\'".to_owned(),
        1 => "\\u0001".to_owned(),
        other => (other as char).to_string(),
    };
    match &def.format {
        FileFormat::Text { delimiter, .. } => {
            out.push("ROW FORMAT DELIMITED ".to_owned());
            out.push(format!("  FIELDS TERMINATED BY '{}' ", escape(*delimiter)));
            out.push("STORED AS INPUTFORMAT ".to_owned());
            out.push("  'org.apache.hadoop.mapred.TextInputFormat' ".to_owned());
            out.push("OUTPUTFORMAT ".to_owned());
            out.push("  'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'".to_owned());
        }
        FileFormat::Parquet => {
            out.push("ROW FORMAT SERDE ".to_owned());
            out.push(format!("  '{}' ", def.serde));
            out.push("STORED AS INPUTFORMAT ".to_owned());
            out.push(
                "  'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat' ".to_owned(),
            );
            out.push("OUTPUTFORMAT ".to_owned());
            out.push(
                "  'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'".to_owned(),
            );
        }
        FileFormat::Csv { .. } | FileFormat::Json => {
            out.push("ROW FORMAT SERDE ".to_owned());
            out.push(format!("  '{}' ", def.serde));
            if !def.serde_properties.is_empty() {
                out.push("WITH SERDEPROPERTIES ( ".to_owned());
                for (i, (k, v)) in def.serde_properties.iter().enumerate() {
                    let sep = if i + 1 < def.serde_properties.len() {
                        ", "
                    } else {
                        ") "
                    };
                    out.push(format!("  '{k}'='{v}'{sep}"));
                }
            }
            out.push("STORED AS INPUTFORMAT ".to_owned());
            out.push("  'org.apache.hadoop.mapred.TextInputFormat' ".to_owned());
            out.push("OUTPUTFORMAT ".to_owned());
            out.push("  'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'".to_owned());
        }
    }
    if let Some(location) = &def.location {
        out.push("LOCATION".to_owned());
        out.push(format!("  '{}'", location.trim_end_matches('/')));
    }
    if !def.properties.is_empty() {
        out.push("TBLPROPERTIES (".to_owned());
        for (i, (k, v)) in def.properties.iter().enumerate() {
            let sep = if i + 1 < def.properties.len() {
                ", "
            } else {
                ")"
            };
            out.push(format!("  '{k}'='{v}'{sep}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hive_patterns() {
        assert!(hive_like("cf*", "cf_access_logs"));
        assert!(hive_like("x|cf_access_logs", "cf_access_logs"));
        assert!(!hive_like("cf", "cf_access_logs"));
        assert!(hive_like("*LOGS", "cf_access_logs"));
    }

    #[test]
    fn locations_map_into_the_data_dir() {
        let base = Path::new("/data");
        assert_eq!(
            location_dir(base, "s3://bucket/prefix/").unwrap(),
            PathBuf::from("/data/bucket/prefix")
        );
        assert!(location_dir(base, "s3://bucket/../etc/").is_err());
        assert!(location_dir(base, "s3://").is_err());
        assert!(location_dir(base, "/etc/passwd").is_err());
    }
}
