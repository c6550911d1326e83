//! Why a statement cannot run ([`QueryError`]), and DataFusion's errors in Athena's words
//! (`TABLE_NOT_FOUND: line 1:15: ...`, with the position of the name in the statement).

use std::fmt;

use datafusion::error::DataFusionError;

use super::names::CATALOG;
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

    /// A user error: category 2, ErrorType 1000.
    pub(crate) fn user(message: impl Into<String>) -> QueryError {
        QueryError::Failed {
            error_category: 2,
            error_type: 1000,
            message: message.into(),
        }
    }

    /// A system error: category 1, ErrorType 200.
    pub(crate) fn system(message: impl Into<String>) -> QueryError {
        QueryError::Failed {
            error_category: 1,
            error_type: 200,
            message: message.into(),
        }
    }

    /// SCHEMA_NOT_FOUND of a database a DDL or utility statement names.
    pub(crate) fn schema_not_found(db: &str) -> QueryError {
        QueryError::user(format!("SCHEMA_NOT_FOUND: Schema '{db}' does not exist"))
    }

    /// A DDL statement the metastore refuses, in Hive's words: category 2, ErrorType 1003.
    pub(crate) fn ddl(message: impl Into<String>) -> QueryError {
        QueryError::Failed {
            error_category: 2,
            error_type: 1003,
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

/// A table file that cannot be read as its table says (docs/athena.md, "Result files":
/// compression by extension): the query fails naming the file, never reads it as no rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DataFileError {
    /// Athena's error code: `HIVE_BAD_DATA`, `HIVE_CURSOR_ERROR` or `NOT_SUPPORTED`.
    pub(crate) code: &'static str,
    /// What is wrong, naming the file as `s3://bucket/key`.
    pub(crate) message: String,
}

impl DataFileError {
    /// Bytes that are not what the table's format says (not text, not JSON).
    pub(crate) fn bad_data(message: String) -> Self {
        DataFileError {
            code: "HIVE_BAD_DATA",
            message,
        }
    }

    /// A file whose compressed stream cannot be decoded, as Athena reports a corrupt
    /// gzip file (`HIVE_CURSOR_ERROR: incorrect header check`).
    pub(crate) fn cursor(message: String) -> Self {
        DataFileError {
            code: "HIVE_CURSOR_ERROR",
            message,
        }
    }

    /// A file Athena reads and the emulator cannot (LZO).
    pub(crate) fn not_supported(message: String) -> Self {
        DataFileError {
            code: "NOT_SUPPORTED",
            message,
        }
    }

    fn to_query_error(&self) -> QueryError {
        QueryError::Failed {
            error_category: 2,
            error_type: if self.code == "NOT_SUPPORTED" {
                1000
            } else {
                1001
            },
            message: self.to_string(),
        }
    }
}

impl fmt::Display for DataFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for DataFileError {}

/// The [`DataFileError`] somewhere in the chain of `e`'s sources (DataFusion wraps what
/// the object store returns in its own errors).
fn data_file_error(e: &DataFusionError) -> Option<&DataFileError> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(found) = err.downcast_ref::<DataFileError>() {
            return Some(found);
        }
        next = err.source();
    }
    None
}

/// A DataFusion error as Athena reports it.
pub(crate) fn map_error(e: DataFusionError, sql: &str, database: &str) -> QueryError {
    if let Some(file_error) = data_file_error(&e) {
        return file_error.to_query_error();
    }
    let root = e.find_root();
    if let Some(error) = unresolved_column_or_bad_data(root, sql) {
        return error;
    }
    let text = root.to_string();
    let msg = strip_df_prefix(&text);
    if let Some(error) = name_not_found(msg, sql, database) {
        return error;
    }
    if let Some(error) = coercion_error(msg) {
        return error;
    }
    by_kind(root, msg)
}

/// A Trino error a UDF raised while DataFusion resolved its arguments, which DataFusion
/// wraps in its own words: `Function 'abs' user-defined coercion failed with: Execution
/// error: FUNCTION_NOT_FOUND: Unexpected parameters (varchar) for function abs. No
/// function matches ...`.
fn coercion_error(msg: &str) -> Option<QueryError> {
    let (_, rest) = msg.split_once("coercion failed with: ")?;
    let rest = strip_df_prefix(rest);
    if !has_error_code(rest) {
        return None;
    }
    let message = rest.split(". No function matches").next().unwrap_or(rest);
    Some(QueryError::user(message.trim_end()))
}

/// An unknown column (COLUMN_NOT_FOUND) or a value Arrow cannot compute (a data error).
fn unresolved_column_or_bad_data(root: &DataFusionError, sql: &str) -> Option<QueryError> {
    use datafusion::common::SchemaError;
    match root {
        DataFusionError::SchemaError(schema_error, _)
            if let SchemaError::FieldNotFound { field, .. } = schema_error.as_ref() =>
        {
            let (line, col) = or_start(locate(sql, &field.name));
            Some(QueryError::user(format!(
                "COLUMN_NOT_FOUND: line {line}:{col}: Column '{}' cannot be resolved",
                field.name
            )))
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
            Some(QueryError::Failed {
                error_category: 2,
                error_type: 1001,
                message,
            })
        }
        _ => None,
    }
}

/// A table, schema or function DataFusion did not find, named and located as Athena does.
fn name_not_found(msg: &str, sql: &str, database: &str) -> Option<QueryError> {
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
        return Some(QueryError::user(format!(
            "TABLE_NOT_FOUND: line {line}:{col}: Table '{full}' does not exist"
        )));
    }
    if let Some(name) = between(msg, "failed to resolve schema: ", "")
        .or_else(|| between(msg, "schema '", "' not found"))
    {
        let (line, col) = or_start(locate(sql, name));
        return Some(QueryError::user(format!(
            "SCHEMA_NOT_FOUND: line {line}:{col}: Schema '{name}' does not exist"
        )));
    }
    if let Some(name) = between(msg, "Invalid function '", "'") {
        let (line, col) = or_start(locate(sql, name));
        return Some(QueryError::user(format!(
            "FUNCTION_NOT_FOUND: line {line}:{col}: Function '{name}' not registered"
        )));
    }
    None
}

/// Any other error, by the kind of DataFusion error it is.
fn by_kind(root: &DataFusionError, msg: &str) -> QueryError {
    // Trino's own error for what DataFusion refuses too (trino_errors.rs); an error the
    // emulator raised with a Trino error name keeps it.
    if let Some(message) = super::trino_errors::translate(msg) {
        return match root {
            DataFusionError::Execution(_) => QueryError::Failed {
                error_category: 2,
                error_type: 1001,
                message,
            },
            _ => QueryError::user(message),
        };
    }
    if matches!(root, DataFusionError::Plan(_)) && has_error_code(msg) {
        return QueryError::user(msg);
    }
    match root {
        DataFusionError::NotImplemented(m) => QueryError::user(format!("NOT_SUPPORTED: {m}")),
        // A UDF's check of its arguments names Trino's error (FUNCTION_NOT_FOUND, ...).
        DataFusionError::Plan(_) if has_error_code(msg) => QueryError::user(msg.to_owned()),
        DataFusionError::Plan(_) | DataFusionError::SQL(..) | DataFusionError::SchemaError(..) => {
            QueryError::user(match plan_error_code(msg) {
                Some(code) => code,
                None => format!("SYNTAX_ERROR: {msg}"),
            })
        }
        DataFusionError::Execution(_) => QueryError::Failed {
            error_category: 2,
            error_type: 1001,
            // A function's own check may reach here wrapped by the analyzer ("... coercion
            // failed with: Error during planning: AMBIGUOUS_FUNCTION_CALL: ...").
            message: plan_error_code(msg).unwrap_or_else(|| format!("GENERIC_USER_ERROR: {msg}")),
        },
        DataFusionError::ResourcesExhausted(_) => QueryError::Failed {
            error_category: 1,
            error_type: 0,
            message: format!("EXCEEDED_LOCAL_MEMORY_LIMIT: {msg}"),
        },
        _ => QueryError::system(format!("GENERIC_INTERNAL_ERROR: {msg}")),
    }
}

/// A TABLE_NOT_FOUND whose database does not exist (`schema_exists` says no) is
/// Athena's SCHEMA_NOT_FOUND.
pub(crate) fn schema_not_found_if_missing(
    err: QueryError,
    sql: &str,
    schema_exists: impl FnOnce(&str) -> bool,
) -> QueryError {
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
    if schema_exists(db) {
        return err;
    }
    let (line, col) = or_start(locate(sql, db));
    QueryError::user(format!(
        "SCHEMA_NOT_FOUND: line {line}:{col}: Schema '{db}' does not exist"
    ))
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

/// The message of a planning error in Trino's words: one raised with Trino's error code
/// (`TYPE_MISMATCH: ...`, the emulator's functions), possibly inside DataFusion's
/// wording of a failed coercion; a missing field of a row; a column alias list that does
/// not fit its relation.
fn plan_error_code(msg: &str) -> Option<String> {
    if has_error_code(msg) {
        return Some(msg.to_owned());
    }
    // "Failed to coerce arguments ...: TYPE_MISMATCH: ..." and the like.
    for code in [
        "TYPE_MISMATCH: ",
        "FUNCTION_NOT_FOUND: ",
        "OPERATOR_NOT_FOUND: ",
        "AMBIGUOUS_FUNCTION_CALL: ",
        "INVALID_FUNCTION_ARGUMENT: ",
        "NOT_SUPPORTED: ",
    ] {
        if let Some(at) = msg.find(code) {
            let rest = &msg[at..];
            let line = rest.lines().next().unwrap_or(rest);
            let own = line.split(". No function matches").next().unwrap_or(line);
            return Some(own.to_owned());
        }
    }
    if let Some(field) = between(msg, "Field ", " not found in struct") {
        return Some(format!(
            "INVALID_COLUMN_REFERENCE: Column reference '{field}' is invalid"
        ));
    }
    if msg.contains("names given as column alias") {
        return Some(format!("MISMATCHED_COLUMN_ALIASES: {msg}"));
    }
    None
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
mod tests {
    use super::*;

    #[test]
    fn a_udfs_error_while_its_arguments_resolve_keeps_its_code() {
        let wrapped = "Function 'abs' user-defined coercion failed with: Execution error: \
                       FUNCTION_NOT_FOUND: Unexpected parameters (varchar) for function abs. No \
                       function matches the given name and argument types 'abs(Utf8)'.";
        assert_eq!(
            coercion_error(wrapped).map(|e| e.message().to_owned()),
            Some("FUNCTION_NOT_FOUND: Unexpected parameters (varchar) for function abs".into())
        );
        assert_eq!(coercion_error("coercion failed with: no code here"), None);
    }
}
