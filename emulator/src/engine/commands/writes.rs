//! CREATE TABLE AS and INSERT INTO: the rows of a query written as new files in a
//! table's format (DataFusion's writers), and the UpdateCount of rows written.

use std::path::Path;

use datafusion::catalog::CatalogProvider;
use datafusion::common::Column as DfColumn;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, lit};

use super::tables::create_table;
use crate::engine::column_info::column_for_field;
use crate::engine::ddl::{ColumnDef, FileFormat, HiveType, TableDef, TableName, unescape};
use crate::engine::error::{QueryError, map_error};
use crate::engine::location::location_dir;
use crate::engine::names::CATALOG;
use crate::engine::output::QueryOutput;
use crate::engine::rewrite::parse_query;
use crate::engine::state::EngineState;

/// The table a CREATE TABLE AS makes.
#[derive(Debug)]
pub(super) struct CtasTarget<'a> {
    pub(super) name: &'a TableName,
    pub(super) if_not_exists: bool,
    /// `WITH (format = 'PARQUET', external_location = '...', ...)`.
    pub(super) properties: &'a [(String, String)],
    /// False for `WITH NO DATA`: the table is created empty.
    pub(super) with_data: bool,
}

/// `CREATE TABLE name [WITH (...)] AS query [WITH [NO] DATA]`: writes the rows and
/// registers an external table over them, with the Hive types of the result.
pub(super) async fn create_table_as(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    target: &CtasTarget<'_>,
    query: &str,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let name = target.name;
    let db = name.database.as_deref().unwrap_or(database);
    let schema = catalog
        .schema(db)
        .ok_or_else(|| QueryError::schema_not_found(db))?;
    if schema.table_exist(&name.table) {
        if target.if_not_exists {
            return Ok(QueryOutput::rows_written(0));
        }
        return Err(QueryError::user(format!(
            "TABLE_ALREADY_EXISTS: Table '{CATALOG}.{db}.{}' already exists",
            name.table
        )));
    }
    let format = ctas_format(target.properties)?;
    let location = match property(target.properties, "external_location") {
        Some(l) => {
            let l = l.to_owned();
            if l.ends_with('/') { l } else { format!("{l}/") }
        }
        None => format!("s3://athena-emulator-tables/{db}/{}/", name.table),
    };
    let dir = location_dir(&state.data_dir, &location)?;
    if std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(QueryError::user(format!(
            "HIVE_PATH_ALREADY_EXISTS: Target directory for table '{db}.{}' already exists: {location}",
            name.table
        )));
    }
    let (statement, placeholders) = parse_query(query)?;
    if placeholders > 0 {
        return Err(QueryError::user(
            "NOT_SUPPORTED: ? parameters in CREATE TABLE AS".to_owned(),
        ));
    }
    let plan = state.plan_statement(statement, query, database).await?;
    let columns = result_columns(&plan, &format)?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| QueryError::system(format!("cannot create {}: {e}", dir.display())))?;
    let written = if target.with_data {
        write_as_declared(state, plan, &columns, &dir, &format).await?
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
        serde: format.default_serde().to_owned(),
        format,
        location: Some(location),
        properties: Vec::new(),
        serde_properties: Vec::new(),
    };
    create_table(state, catalog, &def, db).await?;
    Ok(QueryOutput::rows_written(written))
}

/// The value of CTAS property `k` (any case).
fn property<'a>(properties: &'a [(String, String)], k: &str) -> Option<&'a str> {
    properties
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(k))
        .map(|(_, v)| v.as_str())
}

/// The file format the CTAS properties ask for (Parquet by default).
fn ctas_format(properties: &[(String, String)]) -> Result<FileFormat, QueryError> {
    for unsupported in ["partitioned_by", "bucketed_by", "partitioning"] {
        if property(properties, unsupported).is_some() {
            return Err(QueryError::user(format!(
                "NOT_SUPPORTED: CREATE TABLE AS with {unsupported} is not supported by athena-emulator"
            )));
        }
    }
    Ok(
        match property(properties, "format")
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("PARQUET") => FileFormat::Parquet,
            Some("JSON") => FileFormat::Json,
            Some("TEXTFILE") => {
                let delimiter = match property(properties, "field_delimiter") {
                    Some(d) => {
                        let d = unescape(d);
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
        },
    )
}

/// The table columns of a CTAS result: its names, and the Hive types of its Arrow types
/// (a TEXTFILE table holds no nested types).
fn result_columns(plan: &LogicalPlan, format: &FileFormat) -> Result<Vec<ColumnDef>, QueryError> {
    let mut columns = Vec::new();
    for field in plan.schema().fields() {
        let name = column_for_field(field).name;
        let hive_type = HiveType::from_arrow(field.data_type()).ok_or_else(|| {
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
    Ok(columns)
}

/// Writes the rows of `plan` under the declared (lowercase) column names, so the table
/// reads them back; returns the count.
async fn write_as_declared(
    state: &EngineState,
    plan: LogicalPlan,
    columns: &[ColumnDef],
    dir: &Path,
    format: &FileFormat,
) -> Result<u64, QueryError> {
    let exprs: Vec<Expr> = plan
        .schema()
        .columns()
        .into_iter()
        .zip(columns)
        .map(|(c, def)| Expr::Column(c).alias(def.name.clone()))
        .collect();
    let plan = LogicalPlanBuilder::from(plan)
        .project(exprs)
        .and_then(|b| b.build())
        .map_err(|e| QueryError::system(e.to_string()))?;
    write_files(state, plan, dir, format).await
}

/// `INSERT INTO t [(columns)] query`: values cast to the table's types, missing columns
/// NULL; not into a partitioned table.
pub(super) async fn insert_into(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    name: &TableName,
    columns: Option<&[String]>,
    query: &str,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let def = state.table_def(catalog, name, database)?;
    if !def.partitions.is_empty() {
        return Err(QueryError::user(
            "NOT_SUPPORTED: INSERT INTO a partitioned table is not supported by athena-emulator"
                .to_owned(),
        ));
    }
    let (statement, placeholders) = parse_query(query)?;
    if placeholders > 0 {
        return Err(QueryError::user(
            "NOT_SUPPORTED: ? parameters in INSERT INTO".to_owned(),
        ));
    }
    let plan = state.plan_statement(statement, query, database).await?;
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
        .map_err(|e| map_error(e, query, database))?;
    let location = def.location.as_deref().unwrap_or_default();
    let dir = location_dir(&state.data_dir, location)?;
    let written = write_files(state, plan, &dir, &def.format).await?;
    Ok(QueryOutput::rows_written(written))
}

/// Writes the rows of `plan` as new files in `dir` in the table's format; returns the count.
async fn write_files(
    state: &EngineState,
    plan: LogicalPlan,
    dir: &Path,
    format: &FileFormat,
) -> Result<u64, QueryError> {
    use datafusion::arrow::array::AsArray;
    use datafusion::dataframe::{DataFrame, DataFrameWriteOptions};
    let df = DataFrame::new(state.ctx.state(), plan);
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
    let batches = result.map_err(|e| map_error(e, "", "default"))?;
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
