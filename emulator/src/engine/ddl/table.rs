//! A table as `CREATE EXTERNAL TABLE` defines it, and the parser of its clauses
//! (columns, PARTITIONED BY, ROW FORMAT, STORED AS, LOCATION, TBLPROPERTIES).

use super::hive_type::HiveType;
use super::parser::{Parser, TableName, not_supported};
use crate::engine::error::QueryError;

const SERDE_LAZY: &str = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe";
const SERDE_OPENCSV: &str = "org.apache.hadoop.hive.serde2.OpenCSVSerde";
const SERDE_JSON: &str = "org.openx.data.jsonserde.JsonSerDe";
const SERDE_PARQUET: &str = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";

/// One column of a table definition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ColumnDef {
    pub(crate) name: String,
    pub(crate) hive_type: HiveType,
    pub(crate) comment: Option<String>,
}

/// How a table's files are read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FileFormat {
    /// Delimited text (LazySimpleSerDe): no quoting.
    Text { delimiter: u8, escape: Option<u8> },
    /// OpenCSVSerde: quoted CSV.
    Csv {
        separator: u8,
        quote: u8,
        escape: Option<u8>,
    },
    /// Newline-delimited JSON (JsonSerDe).
    Json,
    /// Parquet.
    Parquet,
}

/// A parsed `CREATE EXTERNAL TABLE`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TableDef {
    pub(crate) name: TableName,
    pub(crate) if_not_exists: bool,
    pub(crate) columns: Vec<ColumnDef>,
    pub(crate) partitions: Vec<ColumnDef>,
    pub(crate) format: FileFormat,
    pub(crate) serde: String,
    pub(crate) location: Option<String>,
    pub(crate) properties: Vec<(String, String)>,
    pub(crate) serde_properties: Vec<(String, String)>,
}

impl TableDef {
    /// `skip.header.line.count` from TBLPROPERTIES (0 when absent).
    pub(crate) fn skip_header_lines(&self) -> usize {
        self.properties
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("skip.header.line.count"))
            .and_then(|(_, v)| v.trim().parse().ok())
            .unwrap_or(0)
    }
}

impl FileFormat {
    /// The SerDe a table of this format has when its DDL names none.
    pub(crate) fn default_serde(&self) -> &'static str {
        match self {
            FileFormat::Parquet => SERDE_PARQUET,
            FileFormat::Json => SERDE_JSON,
            FileFormat::Csv { .. } => SERDE_OPENCSV,
            FileFormat::Text { .. } => SERDE_LAZY,
        }
    }
}

/// `(name type [COMMENT '...'], ...)`.
pub(crate) fn column_definitions(p: &mut Parser) -> Result<Vec<ColumnDef>, QueryError> {
    p.expect_symbol('(')?;
    let mut cols = Vec::new();
    loop {
        let name = p.identifier()?;
        let hive_type = HiveType::parse(p)?;
        let comment = if p.eat_keyword("comment") {
            Some(p.string_literal()?)
        } else {
            None
        };
        cols.push(ColumnDef {
            name,
            hive_type,
            comment,
        });
        if !p.eat_symbol(',') {
            break;
        }
    }
    p.expect_symbol(')')?;
    Ok(cols)
}

/// The clauses after the column list, as written.
#[derive(Debug, Default)]
struct Clauses {
    partitions: Vec<ColumnDef>,
    serde: Option<String>,
    delimiter: Option<u8>,
    escape: Option<u8>,
    stored_as: Option<String>,
    location: Option<String>,
    properties: Vec<(String, String)>,
    serde_properties: Vec<(String, String)>,
}

/// The rest of `CREATE EXTERNAL TABLE name (columns)`: its clauses, and the file format
/// and SerDe they make.
pub(crate) fn table_definition(
    p: &mut Parser,
    name: TableName,
    if_not_exists: bool,
    columns: Vec<ColumnDef>,
) -> Result<TableDef, QueryError> {
    let clauses = table_clauses(p)?;
    let format = file_format(&clauses)?;
    let serde = clauses
        .serde
        .unwrap_or_else(|| format.default_serde().to_owned());
    Ok(TableDef {
        name,
        if_not_exists,
        columns,
        partitions: clauses.partitions,
        format,
        serde,
        location: clauses.location,
        properties: clauses.properties,
        serde_properties: clauses.serde_properties,
    })
}

fn table_clauses(p: &mut Parser) -> Result<Clauses, QueryError> {
    let mut c = Clauses::default();
    loop {
        if p.eat_keyword("comment") {
            p.string_literal()?;
        } else if p.eat_keywords(&["partitioned", "by"]) {
            c.partitions = column_definitions(p)?;
        } else if p.eat_keywords(&["clustered", "by"]) {
            skip_clustered_by(p)?;
        } else if p.eat_keywords(&["row", "format"]) {
            row_format(p, &mut c)?;
        } else if p.eat_keywords(&["with", "serdeproperties"]) {
            c.serde_properties = p.properties()?;
        } else if p.eat_keywords(&["stored", "as"]) {
            c.stored_as = Some(stored_as(p)?);
        } else if p.eat_keyword("location") {
            c.location = Some(p.string_literal()?);
        } else if p.eat_keyword("tblproperties") {
            c.properties = p.properties()?;
        } else {
            return Ok(c);
        }
    }
}

/// `(cols) [SORTED BY (cols)] INTO n BUCKETS`, after CLUSTERED BY: accepted, ignored.
fn skip_clustered_by(p: &mut Parser) -> Result<(), QueryError> {
    p.expect_symbol('(')?;
    while !p.eat_symbol(')') {
        if p.peek().is_none() {
            return Err(p.mismatched("')'"));
        }
        p.advance();
    }
    if p.eat_keywords(&["sorted", "by"]) {
        p.expect_symbol('(')?;
        while !p.eat_symbol(')') {
            if p.peek().is_none() {
                return Err(p.mismatched("')'"));
            }
            p.advance();
        }
    }
    p.expect_keyword("into")?;
    p.number()?;
    p.expect_keyword("buckets")?;
    Ok(())
}

/// `DELIMITED ...` or `SERDE '...' [WITH SERDEPROPERTIES (...)]`, after ROW FORMAT.
fn row_format(p: &mut Parser, c: &mut Clauses) -> Result<(), QueryError> {
    if p.eat_keyword("delimited") {
        c.serde = Some(SERDE_LAZY.to_owned());
        loop {
            if p.eat_keywords(&["fields", "terminated", "by"]) {
                c.delimiter = Some(single_byte(&p.string_literal()?, "field delimiter")?);
                if p.eat_keywords(&["escaped", "by"]) {
                    c.escape = Some(single_byte(&p.string_literal()?, "escape character")?);
                }
            } else if p.eat_keywords(&["collection", "items", "terminated", "by"])
                || p.eat_keywords(&["map", "keys", "terminated", "by"])
                || p.eat_keywords(&["lines", "terminated", "by"])
                || p.eat_keywords(&["null", "defined", "as"])
            {
                p.string_literal()?;
            } else {
                return Ok(());
            }
        }
    } else if p.eat_keyword("serde") {
        c.serde = Some(p.string_literal()?);
        if p.eat_keywords(&["with", "serdeproperties"]) {
            c.serde_properties = p.properties()?;
        }
        Ok(())
    } else {
        Err(p.mismatched("'DELIMITED', 'SERDE'"))
    }
}

/// `format` or `INPUTFORMAT '...' OUTPUTFORMAT '...'`, after STORED AS: the format's name.
fn stored_as(p: &mut Parser) -> Result<String, QueryError> {
    if !p.eat_keyword("inputformat") {
        return p.identifier();
    }
    let input = p.string_literal()?;
    p.expect_keyword("outputformat")?;
    p.string_literal()?;
    let lower = input.to_ascii_lowercase();
    Ok(if lower.contains("parquet") {
        "parquet"
    } else if lower.contains("orc") {
        "orc"
    } else {
        "textfile"
    }
    .to_owned())
}

/// How the table's files are read, from STORED AS, the SerDe and its properties.
fn file_format(c: &Clauses) -> Result<FileFormat, QueryError> {
    let prop = |k: &str| {
        c.serde_properties
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    let serde_lower = c.serde.clone().unwrap_or_default().to_ascii_lowercase();
    Ok(match c.stored_as.as_deref() {
        Some("parquet") => FileFormat::Parquet,
        Some("orc") | Some("avro") | Some("ion") | Some("sequencefile") | Some("rcfile") => {
            return Err(not_supported(&format!(
                "STORED AS {}",
                c.stored_as
                    .as_deref()
                    .unwrap_or_default()
                    .to_ascii_uppercase()
            )));
        }
        _ if serde_lower.contains("parquet") => FileFormat::Parquet,
        _ if serde_lower.contains("json") => FileFormat::Json,
        _ if serde_lower.contains("opencsv") => FileFormat::Csv {
            separator: single_byte(
                &prop("separatorChar").unwrap_or_else(|| ",".into()),
                "separatorChar",
            )?,
            quote: single_byte(
                &prop("quoteChar").unwrap_or_else(|| "\"".into()),
                "quoteChar",
            )?,
            escape: Some(single_byte(
                &prop("escapeChar").unwrap_or_else(|| "\\".into()),
                "escapeChar",
            )?),
        },
        Some("csv") => FileFormat::Csv {
            separator: c.delimiter.unwrap_or(b','),
            quote: b'"',
            escape: c.escape,
        },
        Some("json") => FileFormat::Json,
        _ => {
            let delimiter = match c.delimiter {
                Some(d) => d,
                None => match prop("field.delim").or_else(|| prop("serialization.format")) {
                    Some(d) => single_byte(&d, "field.delim")?,
                    None => 1, // Hive's default: \001
                },
            };
            let escape = c.escape.or(match prop("escape.delim") {
                Some(e) => Some(single_byte(&e, "escape.delim")?),
                None => None,
            });
            FileFormat::Text { delimiter, escape }
        }
    })
}

/// The one ASCII character of `s` (a delimiter, quote or escape character).
fn single_byte(s: &str, what: &str) -> Result<u8, QueryError> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii() => Ok(c as u8),
        _ => Err(QueryError::Failed {
            error_category: 2,
            error_type: 1003,
            message: format!(
                "FAILED: the {what} must be one ASCII character, got '{}'",
                s.escape_default()
            ),
        }),
    }
}
