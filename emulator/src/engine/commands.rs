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
use super::{CATALOG, Column, Engine, QueryError, QueryOutput, render};

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
            names.retain(|n| n != "information_schema");
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
            let plan = engine.plan_statement(statement, query, database).await?;
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
        Command::CreateTableAs {
            name,
            if_not_exists,
            properties,
            query,
            with_data,
        } => {
            create_table_as(
                engine,
                &*catalog,
                name,
                *if_not_exists,
                properties,
                query,
                *with_data,
                database,
            )
            .await
        }
        Command::Insert {
            name,
            columns,
            query,
        } => insert_into(engine, &*catalog, name, columns.as_deref(), query, database).await,
        Command::ShowPartitions { name } => {
            let def = table_def(engine, &*catalog, name, database)?;
            if def.partitions.is_empty() {
                return Err(QueryError::user(format!(
                    "NOT_PARTITIONED: Table '{CATALOG}.{}.{}' is not partitioned",
                    def.name.database.as_deref().unwrap_or(database),
                    def.name.table
                )));
            }
            let location = def.location.as_deref().unwrap_or_default();
            let dir = location_dir(&engine.inner.data_dir, location)?;
            let keys: Vec<&str> = def.partitions.iter().map(|p| p.name.as_str()).collect();
            let mut found = Vec::new();
            partition_dirs(&dir, &keys, String::new(), &mut found);
            found.sort();
            Ok(single_column("partition", found))
        }
        Command::ShowFunctions { like } => {
            let state = engine.inner.ctx.state();
            let mut functions: Vec<(String, &str)> = Vec::new();
            functions.extend(
                state
                    .scalar_functions()
                    .keys()
                    .map(|n| (n.clone(), "scalar")),
            );
            functions.extend(
                state
                    .aggregate_functions()
                    .keys()
                    .map(|n| (n.clone(), "aggregate")),
            );
            functions.extend(
                state
                    .window_functions()
                    .keys()
                    .map(|n| (n.clone(), "window")),
            );
            functions.retain(|(n, _)| {
                !n.starts_with("athena_") && like.as_deref().is_none_or(|p| sql_like(p, n))
            });
            functions.sort();
            functions.dedup();
            let rows: Vec<Vec<Option<String>>> = functions
                .into_iter()
                .map(|(name, kind)| {
                    vec![
                        Some(name),
                        Some(String::new()),
                        Some(String::new()),
                        Some(kind.to_owned()),
                        Some("true".to_owned()),
                        Some(String::new()),
                    ]
                })
                .collect();
            let varchar = |name: &str| Column {
                name: name.to_owned(),
                athena_type: "varchar".to_owned(),
                precision: 2147483647,
                scale: 0,
                case_sensitive: true,
            };
            Ok(QueryOutput {
                columns: [
                    "Function",
                    "Return Type",
                    "Argument Types",
                    "Function Type",
                    "Deterministic",
                    "Description",
                ]
                .iter()
                .map(|n| varchar(n))
                .collect(),
                rows: futures::stream::once(async move { Ok(rows) }).boxed(),
                update_count: Some(0),
                data_scanned_in_bytes: Arc::new(AtomicU64::new(0)),
            })
        }
        Command::NoOp => Ok(ddl_output()),
    }
}

/// SHOW FUNCTIONS LIKE: `%` any characters (`_` is taken literally), case-insensitive.
fn sql_like(pattern: &str, name: &str) -> bool {
    hive_like(&pattern.replace('%', "*"), name)
}

/// `k1=v1/k2=v2` for every directory path under `dir` that names all partition keys in order.
fn partition_dirs(dir: &Path, keys: &[&str], prefix: String, out: &mut Vec<String>) {
    let Some((key, rest)) = keys.split_first() else {
        out.push(prefix);
        return;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir()
            && let Some(value) = name.strip_prefix(&format!("{key}="))
        {
            let next = if prefix.is_empty() {
                format!("{key}={value}")
            } else {
                format!("{prefix}/{key}={value}")
            };
            partition_dirs(&entry.path(), rest, next, out);
        }
    }
}

/// The output of CTAS and INSERT: one bigint column `rows`, no rows, UpdateCount `n`.
fn rows_written(n: u64) -> QueryOutput {
    QueryOutput {
        columns: vec![Column {
            name: "rows".to_owned(),
            athena_type: "bigint".to_owned(),
            precision: 19,
            scale: 0,
            case_sensitive: false,
        }],
        rows: futures::stream::empty().boxed(),
        update_count: Some(i64::try_from(n).unwrap_or(i64::MAX)),
        data_scanned_in_bytes: Arc::new(AtomicU64::new(0)),
    }
}

/// The Hive type Athena's CTAS gives a result column of this Arrow type.
fn hive_type_of(data_type: &DataType) -> Option<HiveType> {
    Some(match data_type {
        DataType::Boolean => HiveType::Boolean,
        DataType::Int8 => HiveType::TinyInt,
        DataType::Int16 | DataType::UInt8 => HiveType::SmallInt,
        DataType::Int32 | DataType::UInt16 => HiveType::Int,
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => HiveType::BigInt,
        DataType::Float16 | DataType::Float32 => HiveType::Float,
        DataType::Float64 => HiveType::Double,
        DataType::Decimal128(p, s) => HiveType::Decimal(*p, *s),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {
            HiveType::String
        }
        DataType::Date32 | DataType::Date64 => HiveType::Date,
        DataType::Timestamp(..) => HiveType::Timestamp,
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => HiveType::Binary,
        DataType::List(f) | DataType::LargeList(f) => {
            HiveType::Array(Box::new(hive_type_of(f.data_type())?))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => HiveType::Map(
                Box::new(hive_type_of(kv[0].data_type())?),
                Box::new(hive_type_of(kv[1].data_type())?),
            ),
            _ => return None,
        },
        DataType::Struct(fields) => HiveType::Struct(
            fields
                .iter()
                .map(|f| Some((f.name().to_lowercase(), hive_type_of(f.data_type())?)))
                .collect::<Option<Vec<_>>>()?,
        ),
        _ => return None,
    })
}

/// Writes the rows of `plan` as new files in `dir` in the table's format; returns the count.
async fn write_files(
    engine: &Engine,
    plan: datafusion::logical_expr::LogicalPlan,
    dir: &Path,
    format: &FileFormat,
) -> Result<u64, QueryError> {
    use datafusion::arrow::array::AsArray;
    use datafusion::dataframe::{DataFrame, DataFrameWriteOptions};
    let df = DataFrame::new(engine.inner.ctx.state(), plan);
    let path = format!("{}/", dir.display());
    let options = DataFrameWriteOptions::new();
    let result = match format {
        FileFormat::Parquet => df.write_parquet(&path, options, None).await,
        FileFormat::Json => df.write_json(&path, options, None).await,
        FileFormat::Text { delimiter, .. }
        | FileFormat::Csv {
            separator: delimiter,
            ..
        } => {
            let csv = datafusion::config::CsvOptions {
                has_header: Some(false),
                delimiter: *delimiter,
                null_value: Some("\\N".to_owned()),
                ..Default::default()
            };
            df.write_csv(&path, options, Some(csv)).await
        }
    };
    let batches = result.map_err(|e| super::map_error(e, "", "default"))?;
    let mut n = 0u64;
    for b in batches {
        if let Some(col) = b.columns().first()
            && let Some(counts) = col.as_primitive_opt::<datafusion::arrow::datatypes::UInt64Type>()
        {
            n += counts.iter().flatten().sum::<u64>();
        }
    }
    Ok(n)
}

#[allow(clippy::too_many_arguments)]
async fn create_table_as(
    engine: &Engine,
    catalog: &dyn CatalogProvider,
    name: &TableName,
    if_not_exists: bool,
    properties: &[(String, String)],
    query: &str,
    with_data: bool,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let db = name.database.as_deref().unwrap_or(database);
    let schema = catalog.schema(db).ok_or_else(|| schema_not_found(db))?;
    if schema.table_exist(&name.table) {
        if if_not_exists {
            return Ok(rows_written(0));
        }
        return Err(QueryError::user(format!(
            "TABLE_ALREADY_EXISTS: Table '{CATALOG}.{db}.{}' already exists",
            name.table
        )));
    }
    let prop = |k: &str| {
        properties
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
    };
    for unsupported in ["partitioned_by", "bucketed_by", "partitioning"] {
        if prop(unsupported).is_some() {
            return Err(QueryError::user(format!(
                "NOT_SUPPORTED: CREATE TABLE AS with {unsupported} is not supported by athena-emulator"
            )));
        }
    }
    let format = match prop("format").map(str::to_ascii_uppercase).as_deref() {
        None | Some("PARQUET") => FileFormat::Parquet,
        Some("JSON") => FileFormat::Json,
        Some("TEXTFILE") => {
            let delimiter = match prop("field_delimiter") {
                Some(d) => {
                    let d = super::ddl::unescape(d);
                    match d.as_bytes() {
                        [b] => *b,
                        _ => {
                            return Err(QueryError::user(format!(
                                "INVALID_TABLE_PROPERTY: field_delimiter must be one character, got '{d}'"
                            )));
                        }
                    }
                }
                None => 1,
            };
            FileFormat::Text {
                delimiter,
                escape: None,
            }
        }
        Some(other) => {
            return Err(QueryError::user(format!(
                "NOT_SUPPORTED: CREATE TABLE AS with format '{other}' is not supported by athena-emulator (PARQUET, JSON, TEXTFILE are)"
            )));
        }
    };
    let location = match prop("external_location") {
        Some(l) => {
            let l = l.to_owned();
            if l.ends_with('/') { l } else { format!("{l}/") }
        }
        None => format!("s3://athena-emulator-tables/{db}/{}/", name.table),
    };
    let dir = location_dir(&engine.inner.data_dir, &location)?;
    if std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(QueryError::user(format!(
            "HIVE_PATH_ALREADY_EXISTS: Target directory for table '{db}.{}' already exists: {location}",
            name.table
        )));
    }
    let (statement, placeholders) = super::rewrite::parse_query(query)?;
    if placeholders > 0 {
        return Err(QueryError::user(
            "NOT_SUPPORTED: ? parameters in CREATE TABLE AS".to_owned(),
        ));
    }
    let plan = engine.plan_statement(statement, query, database).await?;
    let mut columns = Vec::new();
    for field in plan.schema().fields() {
        let name = render::column_for_field(field).name;
        let hive_type = hive_type_of(field.data_type()).ok_or_else(|| {
            QueryError::user(format!(
                "NOT_SUPPORTED: column {name} of type {} cannot be stored by athena-emulator",
                field.data_type()
            ))
        })?;
        columns.push(ColumnDef {
            name,
            hive_type,
            comment: None,
        });
    }
    if matches!(format, FileFormat::Text { .. })
        && let Some(c) = columns.iter().find(|c| !c.hive_type.is_primitive())
    {
        return Err(QueryError::user(format!(
            "NOT_SUPPORTED: column {} of type {} cannot be stored as TEXTFILE by athena-emulator",
            c.name, c.hive_type
        )));
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| QueryError::system(format!("cannot create {}: {e}", dir.display())))?;
    let written = if with_data {
        // Store under the declared (lowercase) names so the table reads them back.
        let exprs: Vec<Expr> = plan
            .schema()
            .columns()
            .into_iter()
            .zip(&columns)
            .map(|(c, def)| Expr::Column(c).alias(def.name.clone()))
            .collect();
        let plan = LogicalPlanBuilder::from(plan)
            .project(exprs)
            .and_then(|b| b.build())
            .map_err(|e| QueryError::system(e.to_string()))?;
        write_files(engine, plan, &dir, &format).await?
    } else {
        0
    };
    let def = TableDef {
        name: TableName {
            database: Some(db.to_owned()),
            table: name.table.clone(),
        },
        if_not_exists: false,
        columns,
        partitions: Vec::new(),
        serde: String::new(),
        format,
        location: Some(location),
        properties: Vec::new(),
        serde_properties: Vec::new(),
    };
    let def = TableDef {
        serde: default_serde(&def.format).to_owned(),
        ..def
    };
    create_table(engine, catalog, &def, db).await?;
    Ok(rows_written(written))
}

fn default_serde(format: &FileFormat) -> &'static str {
    match format {
        FileFormat::Parquet => "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        FileFormat::Json => "org.openx.data.jsonserde.JsonSerDe",
        FileFormat::Csv { .. } => "org.apache.hadoop.hive.serde2.OpenCSVSerde",
        FileFormat::Text { .. } => "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
    }
}

async fn insert_into(
    engine: &Engine,
    catalog: &dyn CatalogProvider,
    name: &TableName,
    columns: Option<&[String]>,
    query: &str,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let def = table_def(engine, catalog, name, database)?;
    if !def.partitions.is_empty() {
        return Err(QueryError::user(
            "NOT_SUPPORTED: INSERT INTO a partitioned table is not supported by athena-emulator"
                .to_owned(),
        ));
    }
    let (statement, placeholders) = super::rewrite::parse_query(query)?;
    if placeholders > 0 {
        return Err(QueryError::user(
            "NOT_SUPPORTED: ? parameters in INSERT INTO".to_owned(),
        ));
    }
    let plan = engine.plan_statement(statement, query, database).await?;
    let source: Vec<DfColumn> = plan.schema().columns();
    let targets: Vec<&ColumnDef> = match columns {
        None => def.columns.iter().collect(),
        Some(names) => names
            .iter()
            .map(|n| {
                def.columns.iter().find(|c| &c.name == n).ok_or_else(|| {
                    QueryError::user(format!(
                        "COLUMN_NOT_FOUND: Insert column name does not exist in target table: {n}"
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    if source.len() != targets.len() {
        return Err(QueryError::user(format!(
            "TYPE_MISMATCH: Insert query has {} columns, target table '{CATALOG}.{}.{}' has {}",
            source.len(),
            def.name.database.as_deref().unwrap_or(database),
            def.name.table,
            targets.len()
        )));
    }
    // Every table column, in table order: the inserted value cast to its type, or NULL.
    let exprs: Vec<Expr> = def
        .columns
        .iter()
        .map(|c| {
            let value = match targets.iter().position(|t| t.name == c.name) {
                Some(i) => datafusion::logical_expr::cast(
                    Expr::Column(source[i].clone()),
                    c.hive_type.to_arrow(),
                ),
                None => datafusion::logical_expr::cast(
                    lit(datafusion::common::ScalarValue::Null),
                    c.hive_type.to_arrow(),
                ),
            };
            value.alias(c.name.clone())
        })
        .collect();
    let plan = LogicalPlanBuilder::from(plan)
        .project(exprs)
        .and_then(|b| b.build())
        .map_err(|e| super::map_error(e, query, database))?;
    let location = def.location.as_deref().unwrap_or_default();
    let dir = location_dir(&engine.inner.data_dir, location)?;
    let written = write_files(engine, plan, &dir, &def.format).await?;
    Ok(rows_written(written))
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
    /// Wildcard match in O(len(p) * len(s)): on a mismatch, the last `*` takes one more
    /// character.
    fn glob(p: &[u8], s: &[u8]) -> bool {
        let (mut pi, mut si) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while si < s.len() {
            if pi < p.len() && p[pi] == b'*' {
                star = Some((pi, si));
                pi += 1;
            } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&s[si]) {
                pi += 1;
                si += 1;
            } else if let Some((sp, ss)) = star {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|&c| c == b'*')
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
    Ok(Arc::new(ExternalTable(ViewTable::new(plan, None))))
}

/// An external table: a view over the listing of its files (the conversions of its SerDe),
/// that reports itself as a base table (`information_schema.tables` says `BASE TABLE`).
#[derive(Debug)]
struct ExternalTable(ViewTable);

#[async_trait::async_trait]
impl TableProvider for ExternalTable {
    fn get_logical_plan(
        &self,
    ) -> Option<std::borrow::Cow<'_, datafusion::logical_expr::LogicalPlan>> {
        self.0.get_logical_plan()
    }

    fn schema(&self) -> datafusion::arrow::datatypes::SchemaRef {
        self.0.schema()
    }

    fn table_type(&self) -> datafusion::logical_expr::TableType {
        datafusion::logical_expr::TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> datafusion::common::Result<Vec<datafusion::logical_expr::TableProviderFilterPushDown>>
    {
        self.0.supports_filters_pushdown(filters)
    }

    async fn scan(
        &self,
        state: &dyn datafusion::catalog::Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> datafusion::common::Result<Arc<dyn datafusion::physical_plan::ExecutionPlan>> {
        self.0.scan(state, projection, filters, limit).await
    }
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
        assert!(hive_like("*", ""));
        assert!(!hive_like("a*b", "a"));
        let many = format!("{}b", "*a".repeat(40));
        assert!(!hive_like(&many, &"a".repeat(60)));
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
