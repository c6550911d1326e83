//! SHOW DATABASES, SHOW TABLES, SHOW VIEWS, DESCRIBE, SHOW COLUMNS, SHOW CREATE TABLE,
//! SHOW TBLPROPERTIES, SHOW PARTITIONS and SHOW FUNCTIONS: one varchar column each (six
//! for SHOW FUNCTIONS), as Athena answers them.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use datafusion::catalog::CatalogProvider;
use futures::StreamExt;

use crate::engine::ddl::{ColumnDef, FileFormat, TableDef, TableName};
use crate::engine::error::QueryError;
use crate::engine::functions::catalog;
use crate::engine::functions::trino_type_name;
use crate::engine::location::location_dir;
use crate::engine::names::CATALOG;
use crate::engine::output::{Column, QueryOutput};
use crate::engine::state::EngineState;

/// `SHOW DATABASES [LIKE 'pattern']`.
pub(super) fn show_databases(catalog: &dyn CatalogProvider, like: Option<&str>) -> QueryOutput {
    let mut names = catalog.schema_names();
    names.retain(|n| n != "information_schema");
    names.retain(|n| like.is_none_or(|p| hive_like(p, n)));
    names.sort();
    QueryOutput::varchar_column("database_name", names)
}

/// `SHOW TABLES [IN db] ['pattern']` (views included, as in Athena).
pub(super) fn show_tables(
    catalog: &dyn CatalogProvider,
    db: &str,
    like: Option<&str>,
) -> Result<QueryOutput, QueryError> {
    let schema = catalog
        .schema(db)
        .ok_or_else(|| QueryError::schema_not_found(db))?;
    let mut names = schema.table_names();
    names.retain(|n| like.is_none_or(|p| hive_like(p, n)));
    names.sort();
    Ok(QueryOutput::varchar_column("tab_name", names))
}

/// `SHOW VIEWS [IN db] ['pattern']`.
pub(super) fn show_views(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    db: &str,
    like: Option<&str>,
) -> Result<QueryOutput, QueryError> {
    let schema = catalog
        .schema(db)
        .ok_or_else(|| QueryError::schema_not_found(db))?;
    let tables = state.tables();
    let mut names = schema.table_names();
    names.retain(|n| {
        !tables.contains_key(&(db.to_owned(), n.clone())) && like.is_none_or(|p| hive_like(p, n))
    });
    names.sort();
    Ok(QueryOutput::varchar_column("views", names))
}

/// `DESCRIBE t`: Hive's lines for a table (partitions twice, as Hive prints them), Trino
/// type names for a view.
pub(super) async fn describe(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    name: &TableName,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let def = match state.table_def(catalog, name, database) {
        Ok(def) => def,
        Err(e) => {
            return match describe_view(catalog, name, database).await {
                Some(lines) => Ok(QueryOutput::varchar_column("col_name", lines)),
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
    Ok(QueryOutput::varchar_column("col_name", lines))
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
                    trino_type_name(f.data_type()),
                    ""
                )
            })
            .collect(),
    )
}

/// One DESCRIBE line: name, type and comment, each padded to 20 characters.
fn describe_line(c: &ColumnDef) -> String {
    format!(
        "{:<20}\t{:<20}\t{:<20}",
        c.name,
        c.hive_type.to_string(),
        c.comment.as_deref().unwrap_or("")
    )
}

/// `SHOW COLUMNS IN t`: the columns, then the partition columns.
pub(super) fn show_columns(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    name: &TableName,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let def = state.table_def(catalog, name, database)?;
    let names = def
        .columns
        .iter()
        .chain(&def.partitions)
        .map(|c| c.name.clone())
        .collect();
    Ok(QueryOutput::varchar_column("field", names))
}

/// `SHOW CREATE TABLE t`, regenerated from the parsed DDL.
pub(super) fn show_create_table(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    name: &TableName,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let def = state.table_def(catalog, name, database)?;
    let db = name.database.as_deref().unwrap_or(database);
    Ok(QueryOutput::varchar_column(
        "createtab_stmt",
        create_table_lines(&def, db),
    ))
}

/// `SHOW TBLPROPERTIES t`: `key<TAB>value` rows.
pub(super) fn show_tblproperties(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    name: &TableName,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let def = state.table_def(catalog, name, database)?;
    let lines = def
        .properties
        .iter()
        .map(|(k, v)| format!("{k}\t{v}"))
        .collect();
    Ok(QueryOutput::varchar_column("prpt_name", lines))
}

/// `SHOW PARTITIONS t`: the `k=v` directories under the table's location.
pub(super) fn show_partitions(
    state: &EngineState,
    catalog: &dyn CatalogProvider,
    name: &TableName,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    let def = state.table_def(catalog, name, database)?;
    if def.partitions.is_empty() {
        return Err(QueryError::user(format!(
            "NOT_PARTITIONED: Table '{CATALOG}.{}.{}' is not partitioned",
            def.name.database.as_deref().unwrap_or(database),
            def.name.table
        )));
    }
    let location = def.location.as_deref().unwrap_or_default();
    let dir = location_dir(&state.data_dir, location)?;
    let keys: Vec<&str> = def.partitions.iter().map(|p| p.name.as_str()).collect();
    let mut found = Vec::new();
    partition_dirs(&dir, &keys, String::new(), &mut found);
    found.sort();
    Ok(QueryOutput::varchar_column("partition", found))
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

/// `SHOW FUNCTIONS [LIKE 'pattern']`: Trino's own rows (name, return type, argument types,
/// kind, deterministic, description) of the functions the emulator serves
/// (`functions/catalog.rs`), one row a signature as in Trino.
pub(super) fn show_functions(like: Option<&str>) -> QueryOutput {
    let rows: Vec<Vec<Option<String>>> = catalog::served_signatures()
        .into_iter()
        .filter(|f| like.is_none_or(|p| sql_like(p, f.name)))
        .map(|f| {
            [
                f.name,
                f.return_type,
                f.argument_types,
                f.function_type,
                f.deterministic,
                f.description,
            ]
            .into_iter()
            .map(|v| Some(v.to_owned()))
            .collect()
        })
        .collect();
    QueryOutput {
        columns: [
            "Function",
            "Return Type",
            "Argument Types",
            "Function Type",
            "Deterministic",
            "Description",
        ]
        .iter()
        .map(|n| Column::varchar(n))
        .collect(),
        rows: futures::stream::once(async move { Ok(rows) }).boxed(),
        update_count: Some(0),
        data_scanned_in_bytes: Arc::new(AtomicU64::new(0)),
        data_manifest: None,
        plan: None,
    }
}

/// SHOW FUNCTIONS LIKE: `%` any characters (`_` is taken literally), case-insensitive.
fn sql_like(pattern: &str, name: &str) -> bool {
    hive_like(&pattern.replace('%', "*"), name)
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

/// SHOW CREATE TABLE, one line per row, as Athena prints it.
fn create_table_lines(def: &TableDef, db: &str) -> Vec<String> {
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
    storage_lines(def, &mut out);
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

/// ROW FORMAT and STORED AS of SHOW CREATE TABLE, by the table's format.
fn storage_lines(def: &TableDef, out: &mut Vec<String>) {
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
}
