//! What a statement is, from its first words, before it is parsed: Athena's
//! SubstatementType (and with it the StatementType), or MALFORMED_QUERY for a statement
//! Athena would not recognise.

use super::lexer::{TokenKind, tokenize};
use crate::engine::error::QueryError;
use crate::engine::statement_type::SubstatementType;

/// The words a statement may start with, as Athena lists them in its error.
const EXPECTING: &str = "'ALTER', 'ANALYZE', 'CALL', 'CREATE', 'DESCRIBE', 'DROP', 'EXPLAIN', \
                         'INSERT', 'MSCK', 'SHOW', <query>";

/// Looks at the first words of `sql` and says what kind of statement it is.
///
/// # Errors
/// [`QueryError::Malformed`] when the statement is empty, does not lex, or starts with
/// words that begin no statement the emulator knows.
pub(crate) fn classify(sql: &str) -> Result<SubstatementType, QueryError> {
    let tokens = tokenize(sql, 4)?;
    let Some(first) = tokens.first() else {
        return Err(QueryError::Malformed {
            message: format!("line 1:1: mismatched input '<EOF>'. Expecting: {EXPECTING}"),
        });
    };
    let word = |k: usize| -> String {
        match tokens.get(k).map(|t| &t.kind) {
            Some(TokenKind::Word(w)) => w.to_ascii_uppercase(),
            _ => String::new(),
        }
    };
    let (w0, w1, w2) = (word(0), word(1), word(2));
    let found = if first.is_symbol('(') {
        Some(SubstatementType::Select)
    } else {
        by_first_words(&w0, &w1, &w2, sql)
    };
    found.ok_or_else(|| {
        let multi_word = matches!(w0.as_str(), "CREATE" | "DROP" | "SHOW" | "ALTER");
        let t = if multi_word {
            tokens.get(1).unwrap_or(first)
        } else {
            first
        };
        QueryError::Malformed {
            message: format!(
                "line {}:{}: mismatched input '{}'. Expecting: {EXPECTING}",
                t.line,
                t.col,
                t.text()
            ),
        }
    })
}

/// The statement that starts with the words `w0 w1 w2` (uppercased; empty when not a
/// word), or `None`.
fn by_first_words(w0: &str, w1: &str, w2: &str, sql: &str) -> Option<SubstatementType> {
    use SubstatementType as S;
    Some(match w0 {
        "SELECT" | "WITH" | "VALUES" | "TABLE" => S::Select,
        "EXPLAIN" => S::Explain,
        "CREATE" => match w1 {
            "TABLE" if is_ctas(sql) => S::CreateTableAsSelect,
            "EXTERNAL" | "TABLE" => S::CreateTable,
            "DATABASE" | "SCHEMA" => S::CreateDatabase,
            "VIEW" | "OR" => S::CreateView,
            _ => return None,
        },
        "DROP" => match w1 {
            "TABLE" => S::DropTable,
            "DATABASE" | "SCHEMA" => S::DropDatabase,
            "VIEW" => S::DropView,
            _ => return None,
        },
        "SHOW" => match (w1, w2) {
            ("DATABASES" | "SCHEMAS", _) => S::ShowDatabases,
            ("TABLES", _) => S::ShowTables,
            ("VIEWS", _) => S::ShowViews,
            ("COLUMNS", _) => S::ShowColumns,
            ("CREATE", "TABLE") => S::ShowCreateTable,
            ("CREATE", "VIEW") => S::ShowCreateView,
            ("TBLPROPERTIES", _) => S::ShowTblProperties,
            ("PARTITIONS", _) => S::ShowPartitions,
            ("FUNCTIONS", _) => S::ShowFunctions,
            _ => return None,
        },
        "DESCRIBE" | "DESC" => S::DescribeTable,
        "MSCK" => S::RepairTable,
        "INSERT" => S::Insert,
        "UNLOAD" => S::Unload,
        "ALTER" => S::AlterTable,
        _ => return None,
    })
}

/// `CREATE TABLE [IF NOT EXISTS] name {AS | WITH (...) AS} query`.
fn is_ctas(sql: &str) -> bool {
    let Ok(tokens) = tokenize(sql, 16) else {
        return false;
    };
    let mut k = 2;
    if tokens.get(k).is_some_and(|t| t.is_keyword("if")) {
        k += 3;
    }
    // name, db.name or catalog.db.name
    k += 1;
    while tokens.get(k).is_some_and(|t| t.is_symbol('.')) {
        k += 2;
    }
    tokens
        .get(k)
        .is_some_and(|t| t.is_keyword("as") || t.is_keyword("with"))
}
