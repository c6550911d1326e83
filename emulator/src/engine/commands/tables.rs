//! CREATE EXTERNAL TABLE and DROP TABLE: an external table is a listing of the files
//! under its location, read with its SerDe's rules and converted to its declared types.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::{CatalogProvider, TableProvider};
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

use crate::engine::ddl::{FileFormat, HiveType, TableDef, TableName};
use crate::engine::error::QueryError;
use crate::engine::location::location_dir;
use crate::engine::names::ATHENA_TYPE_KEY;
use crate::engine::output::QueryOutput;
use crate::engine::scan::{TextFilesTable, TextRead};
use crate::engine::state::EngineState;

/// `CREATE EXTERNAL TABLE`: creates the location's directory and registers the table
/// (a table that exists is an error, or nothing with IF NOT EXISTS).
pub(super) async fn create_table(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    def: &TableDef,
    database: &str,
) -> Result<(), QueryError> {
    let db = def.name.database.as_deref().unwrap_or(database);
    let schema = catalog
        .schema(db)
        .ok_or_else(|| QueryError::schema_not_found(db))?;
    let table = &def.name.table;
    if schema.table_exist(table) {
        if def.if_not_exists {
            return Ok(());
        }
        return Err(QueryError::ddl(format!(
            "FAILED: AlreadyExistsException(message:Table {table} already exists)"
        )));
    }
    let location = def.location.as_deref().ok_or_else(|| {
        QueryError::ddl(
            "FAILED: an external table needs a LOCATION 's3://bucket/prefix/'".to_owned(),
        )
    })?;
    let dir = location_dir(&state.data_dir, location)?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| QueryError::system(format!("cannot create {}: {e}", dir.display())))?;
    let provider = build_table(def, &dir, &state.data_dir)?;
    schema
        .register_table(table.clone(), provider)
        .map_err(|e| QueryError::system(e.to_string()))?;
    let mut stored = def.clone();
    stored.name.database = Some(db.to_owned());
    state
        .tables()
        .insert((db.to_owned(), table.clone()), stored);
    Ok(())
}

/// `DROP TABLE [IF EXISTS] name`: the files stay, as they do for an external table.
pub(super) fn drop_table(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    name: &TableName,
    if_exists: bool,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let db = name.database.as_deref().unwrap_or(database);
    let removed = match catalog.schema(db) {
        Some(schema) => schema
            .deregister_table(&name.table)
            .map_err(|e| QueryError::system(e.to_string()))?
            .is_some(),
        None => false,
    };
    if !removed && !if_exists {
        return Err(QueryError::ddl(format!(
            "FAILED: SemanticException [Error 10001]: Table not found {db}.{}",
            name.table
        )));
    }
    state.tables().remove(&(db.to_owned(), name.table.clone()));
    Ok(QueryOutput::ddl())
}

/// A ListingTable over the files in `dir`, behind a view that gives the declared types
/// (text: every field is read as a string, then converted as Hive's LazySimpleSerDe does:
/// what does not parse is NULL, `\N` is NULL, an empty string stays empty).
fn build_table(
    def: &TableDef,
    dir: &Path,
    data_dir: &Path,
) -> Result<Arc<dyn TableProvider>, QueryError> {
    let df = |e: datafusion::error::DataFusionError| QueryError::system(e.to_string());
    let textual = matches!(def.format, FileFormat::Text { .. } | FileFormat::Csv { .. });
    let format = listing_format(def);
    if textual && let Some(c) = def.columns.iter().find(|c| !c.hive_type.is_primitive()) {
        return Err(QueryError::ddl(format!(
            "FAILED: column {} of type {} cannot be read from delimited text by athena-emulator; use JSON or Parquet",
            c.name, c.hive_type
        )));
    }
    let listing = listing_table(def, dir, format, textual)?;
    let source: Arc<dyn TableProvider> = match text_read(def) {
        Some(read) => Arc::new(TextFilesTable::new(listing, read, data_dir)),
        None => Arc::new(listing),
    };
    let plan = LogicalPlanBuilder::scan(def.name.table.clone(), provider_as_source(source), None)
        .and_then(|b| b.project(declared_columns(def, textual)))
        .and_then(|b| b.build())
        .map_err(df)?;
    Ok(Arc::new(ExternalTable(ViewTable::new(plan, None))))
}

/// How the files of a text, CSV or JSON table are decoded and checked before DataFusion
/// parses them (`None` for Parquet, which DataFusion reads itself).
fn text_read(def: &TableDef) -> Option<TextRead> {
    let json = match def.format {
        FileFormat::Text { .. } | FileFormat::Csv { .. } => false,
        FileFormat::Json => true,
        FileFormat::Parquet => return None,
    };
    let ignore_malformed_json = json
        && def.serde_properties.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("ignore.malformed.json") && v.trim().eq_ignore_ascii_case("true")
        });
    Some(TextRead {
        // Athena skips the header lines of every file; JSON tables have no header.
        skip_lines: if json { 0 } else { def.skip_header_lines() },
        json,
        ignore_malformed_json,
    })
}

/// How DataFusion parses the table's (decoded) files: its SerDe's delimiters and quoting.
/// Header lines are already dropped by the store that decodes them ([`TextRead`]).
fn listing_format(def: &TableDef) -> Arc<dyn datafusion::datasource::file_format::FileFormat> {
    match &def.format {
        FileFormat::Text { delimiter, escape } => Arc::new(
            CsvFormat::default()
                .with_has_header(false)
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
                .with_has_header(false)
                .with_delimiter(*separator)
                .with_quote(*quote)
                .with_escape(*escape)
                .with_truncated_rows(true),
        ),
        FileFormat::Json => Arc::new(JsonFormat::default()),
        FileFormat::Parquet => Arc::new(ParquetFormat::default()),
    }
}

/// The listing of the files under `dir`: text as strings (converted by the view above
/// it), other formats as their declared types; partition columns from the directories.
fn listing_table(
    def: &TableDef,
    dir: &Path,
    format: Arc<dyn datafusion::datasource::file_format::FileFormat>,
    textual: bool,
) -> Result<ListingTable, QueryError> {
    let df = |e: datafusion::error::DataFusionError| QueryError::system(e.to_string());
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
    let url = match text_read(def) {
        Some(read) => read.table_url(dir),
        None => ListingTableUrl::parse(format!("{}/", dir.display())),
    }
    .map_err(df)?;
    let config = ListingTableConfig::new(url)
        .with_listing_options(options)
        .with_schema(Arc::new(Schema::new(file_fields)));
    ListingTable::try_new(config).map_err(df)
}

/// The table's columns then its partition columns, each converted from its text as
/// LazySimpleSerDe does when it is read from text, and tagged with its declared
/// varchar/char type.
fn declared_columns(def: &TableDef, textual: bool) -> Vec<Expr> {
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
    exprs
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
