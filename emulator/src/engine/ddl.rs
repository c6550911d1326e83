//! Statement classification and Athena's (Hive) DDL: a small lexer, the commands the
//! emulator runs itself, and Hive column types.
//!
//! Queries (SELECT, WITH, VALUES, EXPLAIN) go to DataFusion's SQL parser; everything
//! Athena routes to its Hive metastore (CREATE EXTERNAL TABLE, SHOW TABLES, ...) is parsed
//! here, because its syntax (`ROW FORMAT`, `struct<a:int>`, `TBLPROPERTIES`) is Hive's.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Fields, TimeUnit};

use super::QueryError;
use super::statement_type::SubstatementType;

/// One lexical token with its 1-based position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: Tok,
    pub(crate) line: usize,
    pub(crate) col: usize,
    /// Byte offset in the statement.
    pub(crate) offset: usize,
}

/// Kinds of tokens.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A bare word (identifier or keyword), as written.
    Word(String),
    /// A `quoted` or "quoted" identifier.
    Quoted(String),
    /// A '...' string literal: the raw text between the quotes (`''` already folded).
    Str(String),
    /// A number.
    Num(String),
    /// Any other single character.
    Sym(char),
}

impl Token {
    fn text(&self) -> String {
        match &self.kind {
            Tok::Word(w) | Tok::Num(w) => w.clone(),
            Tok::Quoted(w) => format!("\"{w}\""),
            Tok::Str(s) => format!("'{s}'"),
            Tok::Sym(c) => c.to_string(),
        }
    }

    fn is_word(&self, kw: &str) -> bool {
        matches!(&self.kind, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }

    fn is_sym(&self, c: char) -> bool {
        self.kind == Tok::Sym(c)
    }
}

/// Splits `sql` into tokens, skipping whitespace and comments. Stops after `limit` tokens.
pub(crate) fn lex(sql: &str, limit: usize) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = sql.chars().collect();
    let offsets: Vec<usize> = sql.char_indices().map(|(o, _)| o).collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    macro_rules! bump {
        () => {{
            if chars[i] == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
            i += 1;
        }};
    }
    while i < chars.len() && out.len() < limit {
        let c = chars[i];
        let (tl, tc, to) = (line, col, offsets[i]);
        if c.is_whitespace() {
            bump!();
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                bump!();
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            bump!();
            bump!();
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                bump!();
            }
            if i >= chars.len() {
                return Err(malformed(tl, tc, "unterminated comment"));
            }
            bump!();
            bump!();
        } else if c == '\'' {
            bump!();
            let mut s = String::new();
            loop {
                if i >= chars.len() {
                    return Err(malformed(tl, tc, "unterminated string literal"));
                }
                let d = chars[i];
                if d == '\\' && i + 1 < chars.len() {
                    s.push(d);
                    bump!();
                    s.push(chars[i]);
                    bump!();
                } else if d == '\'' {
                    bump!();
                    if i < chars.len() && chars[i] == '\'' {
                        s.push('\'');
                        bump!();
                    } else {
                        break;
                    }
                } else {
                    s.push(d);
                    bump!();
                }
            }
            out.push(Token {
                kind: Tok::Str(s),
                line: tl,
                col: tc,
                offset: to,
            });
        } else if c == '"' || c == '`' {
            bump!();
            let mut s = String::new();
            loop {
                if i >= chars.len() {
                    return Err(malformed(tl, tc, "unterminated quoted identifier"));
                }
                let d = chars[i];
                bump!();
                if d == c {
                    if i < chars.len() && chars[i] == c {
                        s.push(c);
                        bump!();
                    } else {
                        break;
                    }
                } else {
                    s.push(d);
                }
            }
            out.push(Token {
                kind: Tok::Quoted(s),
                line: tl,
                col: tc,
                offset: to,
            });
        } else if c.is_alphabetic() || c == '_' {
            let mut s = String::new();
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                s.push(chars[i]);
                bump!();
            }
            out.push(Token {
                kind: Tok::Word(s),
                line: tl,
                col: tc,
                offset: to,
            });
        } else if c.is_ascii_digit() {
            let mut s = String::new();
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                s.push(chars[i]);
                bump!();
            }
            out.push(Token {
                kind: Tok::Num(s),
                line: tl,
                col: tc,
                offset: to,
            });
        } else {
            bump!();
            out.push(Token {
                kind: Tok::Sym(c),
                line: tl,
                col: tc,
                offset: to,
            });
        }
    }
    Ok(out)
}

fn malformed(line: usize, col: usize, what: &str) -> QueryError {
    QueryError::Malformed {
        message: format!("line {line}:{col}: {what}"),
    }
}

/// The words a statement may start with, as Athena lists them in its error.
const EXPECTING: &str = "'ALTER', 'ANALYZE', 'CALL', 'CREATE', 'DESCRIBE', 'DROP', 'EXPLAIN', \
                         'INSERT', 'MSCK', 'SHOW', <query>";

/// Looks at the first words of `sql` and says what kind of statement it is.
///
/// # Errors
/// [`QueryError::Malformed`] when the statement is empty, does not lex, or starts with
/// words that begin no statement the emulator knows.
pub(crate) fn classify(sql: &str) -> Result<SubstatementType, QueryError> {
    let tokens = lex(sql, 4)?;
    let Some(first) = tokens.first() else {
        return Err(QueryError::Malformed {
            message: format!("line 1:1: mismatched input '<EOF>'. Expecting: {EXPECTING}"),
        });
    };
    let word = |k: usize| -> String {
        match tokens.get(k).map(|t| &t.kind) {
            Some(Tok::Word(w)) => w.to_ascii_uppercase(),
            _ => String::new(),
        }
    };
    let (w0, w1, w2) = (word(0), word(1), word(2));
    let found = if first.is_sym('(') {
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
        "ALTER" => S::AlterTable,
        _ => return None,
    })
}

/// `CREATE TABLE [IF NOT EXISTS] name {AS | WITH (...) AS} query`.
fn is_ctas(sql: &str) -> bool {
    let Ok(tokens) = lex(sql, 16) else {
        return false;
    };
    let mut k = 2;
    if tokens.get(k).is_some_and(|t| t.is_word("if")) {
        k += 3;
    }
    // name, db.name or catalog.db.name
    k += 1;
    while tokens.get(k).is_some_and(|t| t.is_sym('.')) {
        k += 2;
    }
    tokens
        .get(k)
        .is_some_and(|t| t.is_word("as") || t.is_word("with"))
}

/// A Hive column type, as written in `CREATE EXTERNAL TABLE`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HiveType {
    Boolean,
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Float,
    Double,
    Decimal(u8, i8),
    String,
    Varchar(u32),
    Char(u32),
    Date,
    Timestamp,
    Binary,
    Array(Box<HiveType>),
    Map(Box<HiveType>, Box<HiveType>),
    Struct(Vec<(String, HiveType)>),
}

impl HiveType {
    /// The Arrow type the emulator stores this as.
    pub(crate) fn to_arrow(&self) -> DataType {
        match self {
            HiveType::Boolean => DataType::Boolean,
            HiveType::TinyInt => DataType::Int8,
            HiveType::SmallInt => DataType::Int16,
            HiveType::Int => DataType::Int32,
            HiveType::BigInt => DataType::Int64,
            HiveType::Float => DataType::Float32,
            HiveType::Double => DataType::Float64,
            HiveType::Decimal(p, s) => DataType::Decimal128(*p, *s),
            HiveType::String | HiveType::Varchar(_) | HiveType::Char(_) => DataType::Utf8,
            HiveType::Date => DataType::Date32,
            HiveType::Timestamp => DataType::Timestamp(TimeUnit::Millisecond, None),
            HiveType::Binary => DataType::Binary,
            HiveType::Array(t) => DataType::List(Arc::new(Field::new("item", t.to_arrow(), true))),
            HiveType::Map(k, v) => DataType::Map(
                Arc::new(Field::new(
                    "entries",
                    DataType::Struct(Fields::from(vec![
                        Field::new("key", k.to_arrow(), false),
                        Field::new("value", v.to_arrow(), true),
                    ])),
                    false,
                )),
                false,
            ),
            HiveType::Struct(fields) => DataType::Struct(Fields::from(
                fields
                    .iter()
                    .map(|(n, t)| Field::new(n, t.to_arrow(), true))
                    .collect::<Vec<_>>(),
            )),
        }
    }

    /// Whether the Arrow type is a string (so text files need no conversion).
    pub(crate) fn is_string(&self) -> bool {
        matches!(
            self,
            HiveType::String | HiveType::Varchar(_) | HiveType::Char(_)
        )
    }

    /// Whether a delimited text file can hold this type (no nested types).
    pub(crate) fn is_primitive(&self) -> bool {
        !matches!(
            self,
            HiveType::Array(_) | HiveType::Map(..) | HiveType::Struct(_)
        )
    }
}

impl std::fmt::Display for HiveType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HiveType::Boolean => f.write_str("boolean"),
            HiveType::TinyInt => f.write_str("tinyint"),
            HiveType::SmallInt => f.write_str("smallint"),
            HiveType::Int => f.write_str("int"),
            HiveType::BigInt => f.write_str("bigint"),
            HiveType::Float => f.write_str("float"),
            HiveType::Double => f.write_str("double"),
            HiveType::Decimal(p, s) => write!(f, "decimal({p},{s})"),
            HiveType::String => f.write_str("string"),
            HiveType::Varchar(n) => write!(f, "varchar({n})"),
            HiveType::Char(n) => write!(f, "char({n})"),
            HiveType::Date => f.write_str("date"),
            HiveType::Timestamp => f.write_str("timestamp"),
            HiveType::Binary => f.write_str("binary"),
            HiveType::Array(t) => write!(f, "array<{t}>"),
            HiveType::Map(k, v) => write!(f, "map<{k},{v}>"),
            HiveType::Struct(fields) => {
                f.write_str("struct<")?;
                for (i, (n, t)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{n}:{t}")?;
                }
                f.write_str(">")
            }
        }
    }
}

/// `db.table` or `table`, lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableName {
    pub(crate) database: Option<String>,
    pub(crate) table: String,
}

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

/// A statement the emulator runs itself.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    CreateDatabase {
        name: String,
        if_not_exists: bool,
    },
    DropDatabase {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    CreateTable(TableDef),
    DropTable {
        name: TableName,
        if_exists: bool,
    },
    ShowDatabases {
        like: Option<String>,
    },
    ShowTables {
        database: Option<String>,
        like: Option<String>,
    },
    Describe {
        name: TableName,
    },
    ShowColumns {
        name: TableName,
    },
    ShowCreateTable {
        name: TableName,
    },
    ShowTblProperties {
        name: TableName,
    },
    ShowPartitions {
        name: TableName,
    },
    ShowFunctions {
        like: Option<String>,
    },
    CreateView {
        name: TableName,
        or_replace: bool,
        query: String,
    },
    DropView {
        name: TableName,
        if_exists: bool,
    },
    ShowViews {
        database: Option<String>,
        like: Option<String>,
    },
    /// `CREATE TABLE t WITH (format = 'PARQUET', ...) AS query [WITH [NO] DATA]`.
    CreateTableAs {
        name: TableName,
        if_not_exists: bool,
        properties: Vec<(String, String)>,
        query: String,
        with_data: bool,
    },
    /// `INSERT INTO t [(columns)] query`.
    Insert {
        name: TableName,
        columns: Option<Vec<String>>,
        query: String,
    },
    /// Accepted and does nothing (MSCK REPAIR TABLE, ALTER TABLE ADD PARTITION: partitions
    /// are discovered from `key=value` directories at query time).
    NoOp,
}

/// A cursor over the tokens of one command.
struct P {
    toks: Vec<Token>,
    pos: usize,
    /// Nesting of the type being parsed.
    depth: usize,
}

const SERDE_LAZY: &str = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe";
const SERDE_OPENCSV: &str = "org.apache.hadoop.hive.serde2.OpenCSVSerde";
const SERDE_JSON: &str = "org.openx.data.jsonserde.JsonSerDe";
const SERDE_PARQUET: &str = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";

impl P {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn err(&self, expecting: &str) -> QueryError {
        match self.peek() {
            Some(t) => QueryError::Malformed {
                message: format!(
                    "line {}:{}: mismatched input '{}'. Expecting: {expecting}",
                    t.line,
                    t.col,
                    t.text()
                ),
            },
            None => {
                let (line, col) = self
                    .toks
                    .last()
                    .map(|t| (t.line, t.col + t.text().chars().count()))
                    .unwrap_or((1, 1));
                QueryError::Malformed {
                    message: format!(
                        "line {line}:{col}: mismatched input '<EOF>'. Expecting: {expecting}"
                    ),
                }
            }
        }
    }

    fn eat(&mut self, kw: &str) -> bool {
        if self.peek().is_some_and(|t| t.is_word(kw)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_all(&mut self, kws: &[&str]) -> bool {
        let save = self.pos;
        for kw in kws {
            if !self.eat(kw) {
                self.pos = save;
                return false;
            }
        }
        true
    }

    fn expect(&mut self, kw: &str) -> Result<(), QueryError> {
        if self.eat(kw) {
            Ok(())
        } else {
            Err(self.err(&format!("'{kw}'")))
        }
    }

    fn eat_sym(&mut self, c: char) -> bool {
        if self.peek().is_some_and(|t| t.is_sym(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_sym(&mut self, c: char) -> Result<(), QueryError> {
        if self.eat_sym(c) {
            Ok(())
        } else {
            Err(self.err(&format!("'{c}'")))
        }
    }

    fn ident(&mut self) -> Result<String, QueryError> {
        match self.peek().map(|t| &t.kind) {
            Some(Tok::Word(w)) | Some(Tok::Quoted(w)) => {
                let w = w.to_ascii_lowercase();
                self.pos += 1;
                Ok(w)
            }
            _ => Err(self.err("<identifier>")),
        }
    }

    fn string(&mut self) -> Result<String, QueryError> {
        match self.peek().map(|t| &t.kind) {
            Some(Tok::Str(s)) => {
                let s = unescape(s);
                self.pos += 1;
                Ok(s)
            }
            _ => Err(self.err("<string>")),
        }
    }

    fn number(&mut self) -> Result<u32, QueryError> {
        match self.peek().map(|t| &t.kind) {
            Some(Tok::Num(n)) => match n.parse() {
                Ok(v) => {
                    self.pos += 1;
                    Ok(v)
                }
                Err(_) => Err(self.err("<integer>")),
            },
            _ => Err(self.err("<integer>")),
        }
    }

    fn table_name(&mut self) -> Result<TableName, QueryError> {
        let first = self.ident()?;
        if self.eat_sym('.') {
            let second = self.ident()?;
            if self.eat_sym('.') {
                // catalog.db.table: the catalog is the only one there is.
                let third = self.ident()?;
                return Ok(TableName {
                    database: Some(second),
                    table: third,
                });
            }
            Ok(TableName {
                database: Some(first),
                table: second,
            })
        } else {
            Ok(TableName {
                database: None,
                table: first,
            })
        }
    }

    fn at_end(&mut self) -> bool {
        while self.eat_sym(';') {}
        self.pos >= self.toks.len()
    }

    fn end(&mut self) -> Result<(), QueryError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.err("<EOF>"))
        }
    }

    fn hive_type(&mut self) -> Result<HiveType, QueryError> {
        self.depth += 1;
        let t = if self.depth > 64 {
            Err(self.err("a type nested at most 64 levels deep"))
        } else {
            self.hive_type_inner()
        };
        self.depth -= 1;
        t
    }

    fn hive_type_inner(&mut self) -> Result<HiveType, QueryError> {
        let name = match self.peek().map(|t| &t.kind) {
            Some(Tok::Word(w)) => w.to_ascii_lowercase(),
            _ => return Err(self.err("<type>")),
        };
        self.pos += 1;
        let t = match name.as_str() {
            "boolean" => HiveType::Boolean,
            "tinyint" => HiveType::TinyInt,
            "smallint" => HiveType::SmallInt,
            "int" | "integer" => HiveType::Int,
            "bigint" => HiveType::BigInt,
            "float" | "real" => HiveType::Float,
            "double" => {
                self.eat("precision");
                HiveType::Double
            }
            "string" => HiveType::String,
            "date" => HiveType::Date,
            "timestamp" => HiveType::Timestamp,
            "binary" | "varbinary" => HiveType::Binary,
            "varchar" | "char" => {
                self.expect_sym('(')?;
                let n = self.number()?;
                self.expect_sym(')')?;
                if name == "varchar" {
                    HiveType::Varchar(n)
                } else {
                    HiveType::Char(n)
                }
            }
            "decimal" | "numeric" => {
                if self.eat_sym('(') {
                    let p = self.number()?;
                    let s = if self.eat_sym(',') { self.number()? } else { 0 };
                    self.expect_sym(')')?;
                    if !(1..=38).contains(&p) || s > p {
                        return Err(QueryError::Failed {
                            error_category: 2,
                            error_type: 1003,
                            message: format!(
                                "INVALID_COLUMN_TYPE: decimal({p},{s}): precision must be 1..38 and scale at most the precision"
                            ),
                        });
                    }
                    HiveType::Decimal(p as u8, s as i8)
                } else {
                    HiveType::Decimal(10, 0)
                }
            }
            "array" => {
                self.expect_sym('<')?;
                let t = self.hive_type()?;
                self.expect_sym('>')?;
                HiveType::Array(Box::new(t))
            }
            "map" => {
                self.expect_sym('<')?;
                let k = self.hive_type()?;
                self.expect_sym(',')?;
                let v = self.hive_type()?;
                self.expect_sym('>')?;
                HiveType::Map(Box::new(k), Box::new(v))
            }
            "struct" => {
                self.expect_sym('<')?;
                let mut fields = Vec::new();
                loop {
                    let n = self.ident()?;
                    self.expect_sym(':')?;
                    let t = self.hive_type()?;
                    fields.push((n, t));
                    if !self.eat_sym(',') {
                        break;
                    }
                }
                self.expect_sym('>')?;
                HiveType::Struct(fields)
            }
            _ => {
                self.pos -= 1;
                return Err(self.err("<type>"));
            }
        };
        Ok(t)
    }

    fn column_defs(&mut self) -> Result<Vec<ColumnDef>, QueryError> {
        self.expect_sym('(')?;
        let mut cols = Vec::new();
        loop {
            let name = self.ident()?;
            let hive_type = self.hive_type()?;
            let comment = if self.eat("comment") {
                Some(self.string()?)
            } else {
                None
            };
            cols.push(ColumnDef {
                name,
                hive_type,
                comment,
            });
            if !self.eat_sym(',') {
                break;
            }
        }
        self.expect_sym(')')?;
        Ok(cols)
    }

    fn properties(&mut self) -> Result<Vec<(String, String)>, QueryError> {
        self.expect_sym('(')?;
        let mut props = Vec::new();
        if self.eat_sym(')') {
            return Ok(props);
        }
        loop {
            let k = self.string()?;
            self.expect_sym('=')?;
            let v = self.string()?;
            props.push((k, v));
            if !self.eat_sym(',') {
                break;
            }
        }
        self.expect_sym(')')?;
        Ok(props)
    }

    fn like(&mut self) -> Result<Option<String>, QueryError> {
        if self.eat("like") || matches!(self.peek().map(|t| &t.kind), Some(Tok::Str(_))) {
            Ok(Some(self.string()?))
        } else {
            Ok(None)
        }
    }
}

/// Hive string escapes: `\t`, `\n`, `\\`, `\'`, `\001` (octal), `\u0001`.
pub(crate) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let chars: Vec<char> = raw.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' || i + 1 >= chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let d = chars[i + 1];
        i += 2;
        match d {
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            '0'..='7' => {
                let mut v = d.to_digit(8).unwrap_or(0);
                let mut k = 0;
                while k < 2 && i < chars.len() && chars[i].is_digit(8) {
                    v = v * 8 + chars[i].to_digit(8).unwrap_or(0);
                    i += 1;
                    k += 1;
                }
                out.push(char::from_u32(v).unwrap_or('\0'));
            }
            'u' if i + 4 <= chars.len() => {
                let hex: String = chars[i..i + 4].iter().collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => {
                        out.push(ch);
                        i += 4;
                    }
                    None => out.push('u'),
                }
            }
            other => out.push(other),
        }
    }
    out
}

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

/// Parses a statement the emulator runs itself (one that is not a query).
pub(crate) fn parse_command(sql: &str) -> Result<Command, QueryError> {
    let toks = lex(sql, usize::MAX)?;
    let mut p = P {
        toks,
        pos: 0,
        depth: 0,
    };
    let cmd = if p.eat("create") {
        let or_replace = p.eat_all(&["or", "replace"]);
        if p.eat("view") {
            let name = p.table_name()?;
            if !p.peek().is_some_and(|t| t.is_word("as")) {
                return Err(p.err("'AS'"));
            }
            p.pos += 1;
            let Some(start) = p.peek().map(|t| t.offset) else {
                return Err(p.err("<query>"));
            };
            let query = sql[start..].trim().trim_end_matches(';').trim().to_owned();
            return Ok(Command::CreateView {
                name,
                or_replace,
                query,
            });
        }
        if or_replace {
            return Err(p.err("'VIEW'"));
        }
        if p.eat("database") || p.eat("schema") {
            let if_not_exists = p.eat_all(&["if", "not", "exists"]);
            let name = p.ident()?;
            // COMMENT '...', LOCATION '...', WITH DBPROPERTIES (...): accepted, ignored.
            loop {
                if p.eat("comment") || p.eat("location") {
                    p.string()?;
                } else if p.eat_all(&["with", "dbproperties"]) {
                    p.properties()?;
                } else {
                    break;
                }
            }
            Command::CreateDatabase {
                name,
                if_not_exists,
            }
        } else {
            p.eat("external");
            if !p.eat("table") {
                return Err(p.err("'TABLE'"));
            }
            let if_not_exists = p.eat_all(&["if", "not", "exists"]);
            let name = p.table_name()?;
            if p.peek()
                .is_some_and(|t| t.is_word("as") || t.is_word("with"))
            {
                let properties = if p.eat("with") {
                    ctas_properties(&mut p)?
                } else {
                    Vec::new()
                };
                p.expect("as")?;
                let (query, with_data) = rest_query(&p, sql)?;
                return Ok(Command::CreateTableAs {
                    name,
                    if_not_exists,
                    properties,
                    query,
                    with_data,
                });
            }
            let columns = p.column_defs()?;
            create_table_rest(&mut p, name, if_not_exists, columns)?
        }
    } else if p.eat("drop") {
        if p.eat("table") {
            let if_exists = p.eat_all(&["if", "exists"]);
            let name = p.table_name()?;
            Command::DropTable { name, if_exists }
        } else if p.eat("database") || p.eat("schema") {
            let if_exists = p.eat_all(&["if", "exists"]);
            let name = p.ident()?;
            let cascade = p.eat("cascade");
            if !cascade {
                p.eat("restrict");
            }
            Command::DropDatabase {
                name,
                if_exists,
                cascade,
            }
        } else if p.eat("view") {
            let if_exists = p.eat_all(&["if", "exists"]);
            let name = p.table_name()?;
            Command::DropView { name, if_exists }
        } else {
            return Err(p.err("'TABLE', 'DATABASE', 'VIEW'"));
        }
    } else if p.eat("show") {
        if p.eat("databases") || p.eat("schemas") {
            Command::ShowDatabases { like: p.like()? }
        } else if p.eat("tables") {
            let database = if p.eat("in") || p.eat("from") {
                Some(p.ident()?)
            } else {
                None
            };
            Command::ShowTables {
                database,
                like: p.like()?,
            }
        } else if p.eat("functions") {
            Command::ShowFunctions { like: p.like()? }
        } else if p.eat("partitions") {
            Command::ShowPartitions {
                name: p.table_name()?,
            }
        } else if p.eat("views") {
            let database = if p.eat("in") || p.eat("from") {
                Some(p.ident()?)
            } else {
                None
            };
            Command::ShowViews {
                database,
                like: p.like()?,
            }
        } else if p.eat("columns") {
            if !(p.eat("in") || p.eat("from")) {
                return Err(p.err("'IN', 'FROM'"));
            }
            let mut name = p.table_name()?;
            if (p.eat("in") || p.eat("from")) && name.database.is_none() {
                name.database = Some(p.ident()?);
            }
            Command::ShowColumns { name }
        } else if p.eat_all(&["create", "table"]) {
            Command::ShowCreateTable {
                name: p.table_name()?,
            }
        } else if p.eat("tblproperties") {
            let name = p.table_name()?;
            if p.eat_sym('(') {
                p.string()?;
                p.expect_sym(')')?;
            }
            Command::ShowTblProperties { name }
        } else {
            return Err(not_supported("this SHOW statement"));
        }
    } else if p.eat("describe") || p.eat("desc") {
        if !p.eat("formatted") {
            p.eat("extended");
        }
        Command::Describe {
            name: p.table_name()?,
        }
    } else if p.eat("insert") {
        p.expect("into")?;
        let name = p.table_name()?;
        let columns = if p.peek().is_some_and(|t| t.is_sym('('))
            && p.toks
                .get(p.pos + 1)
                .is_some_and(|t| !t.is_word("select") && !t.is_word("with") && !t.is_word("values"))
        {
            p.pos += 1;
            let mut cols = Vec::new();
            loop {
                cols.push(p.ident()?);
                if !p.eat_sym(',') {
                    break;
                }
            }
            p.expect_sym(')')?;
            Some(cols)
        } else {
            None
        };
        let (query, _) = rest_query(&p, sql)?;
        return Ok(Command::Insert {
            name,
            columns,
            query,
        });
    } else if p.eat("msck") {
        p.expect("repair")?;
        p.expect("table")?;
        p.table_name()?;
        Command::NoOp
    } else if p.eat("alter") {
        p.expect("table")?;
        p.table_name()?;
        let adds_partition = p.eat("add") && {
            p.eat_all(&["if", "not", "exists"]);
            p.eat("partition")
        };
        if !adds_partition {
            return Err(not_supported("ALTER TABLE other than ADD PARTITION"));
        }
        // ADD [IF NOT EXISTS] PARTITION (...) [LOCATION '...'] ...: accepted, partitions are
        // discovered from the directories.
        p.pos = p.toks.len();
        Command::NoOp
    } else {
        return Err(p.err("'CREATE', 'DROP', 'SHOW', 'DESCRIBE'"));
    };
    p.end()?;
    Ok(cmd)
}

/// The text of the query that starts at the cursor, without a trailing `WITH [NO] DATA`
/// (returned as `false` for NO DATA).
fn rest_query(p: &P, sql: &str) -> Result<(String, bool), QueryError> {
    let Some(start) = p.peek().map(|t| t.offset) else {
        return Err(p.err("<query>"));
    };
    let mut query = sql[start..].trim().trim_end_matches(';').trim().to_owned();
    let lower = query.to_ascii_lowercase();
    let mut with_data = true;
    for (suffix, data) in [("with no data", false), ("with data", true)] {
        if lower.ends_with(suffix) {
            let cut = query.len() - suffix.len();
            let head = query[..cut].trim_end();
            if head.len() < cut {
                query = head.to_owned();
                with_data = data;
                break;
            }
        }
    }
    Ok((query, with_data))
}

/// `(format = 'PARQUET', external_location = 's3://...', partitioned_by = ARRAY['a'])`.
fn ctas_properties(p: &mut P) -> Result<Vec<(String, String)>, QueryError> {
    p.expect_sym('(')?;
    let mut props = Vec::new();
    loop {
        let key = p.ident()?;
        p.expect_sym('=')?;
        let value = match p.peek().map(|t| t.kind.clone()) {
            Some(Tok::Str(_)) => p.string()?,
            Some(Tok::Num(n)) | Some(Tok::Word(n)) if !n.eq_ignore_ascii_case("array") => {
                p.pos += 1;
                n
            }
            Some(Tok::Word(_)) => {
                // ARRAY['a', 'b']
                p.pos += 1;
                p.expect_sym('[')?;
                let mut items = Vec::new();
                while !p.eat_sym(']') {
                    items.push(p.string()?);
                    p.eat_sym(',');
                }
                items.join(",")
            }
            _ => return Err(p.err("<value>")),
        };
        props.push((key, value));
        if !p.eat_sym(',') {
            break;
        }
    }
    p.expect_sym(')')?;
    Ok(props)
}

fn not_supported(what: &str) -> QueryError {
    QueryError::Failed {
        error_category: 2,
        error_type: 1000,
        message: format!("NOT_SUPPORTED: {what} is not supported by athena-emulator"),
    }
}

fn create_table_rest(
    p: &mut P,
    name: TableName,
    if_not_exists: bool,
    columns: Vec<ColumnDef>,
) -> Result<Command, QueryError> {
    let mut partitions = Vec::new();
    let mut serde: Option<String> = None;
    let mut delimiter: Option<u8> = None;
    let mut escape: Option<u8> = None;
    let mut stored_as: Option<String> = None;
    let mut location = None;
    let mut properties = Vec::new();
    let mut serde_properties = Vec::new();
    loop {
        if p.eat("comment") {
            p.string()?;
        } else if p.eat_all(&["partitioned", "by"]) {
            partitions = p.column_defs()?;
        } else if p.eat_all(&["clustered", "by"]) {
            p.expect_sym('(')?;
            while !p.eat_sym(')') {
                if p.peek().is_none() {
                    return Err(p.err("')'"));
                }
                p.pos += 1;
            }
            if p.eat_all(&["sorted", "by"]) {
                p.expect_sym('(')?;
                while !p.eat_sym(')') {
                    if p.peek().is_none() {
                        return Err(p.err("')'"));
                    }
                    p.pos += 1;
                }
            }
            p.expect("into")?;
            p.number()?;
            p.expect("buckets")?;
        } else if p.eat_all(&["row", "format"]) {
            if p.eat("delimited") {
                serde = Some(SERDE_LAZY.to_owned());
                loop {
                    if p.eat_all(&["fields", "terminated", "by"]) {
                        delimiter = Some(single_byte(&p.string()?, "field delimiter")?);
                        if p.eat_all(&["escaped", "by"]) {
                            escape = Some(single_byte(&p.string()?, "escape character")?);
                        }
                    } else if p.eat_all(&["collection", "items", "terminated", "by"])
                        || p.eat_all(&["map", "keys", "terminated", "by"])
                        || p.eat_all(&["lines", "terminated", "by"])
                        || p.eat_all(&["null", "defined", "as"])
                    {
                        p.string()?;
                    } else {
                        break;
                    }
                }
            } else if p.eat("serde") {
                serde = Some(p.string()?);
                if p.eat_all(&["with", "serdeproperties"]) {
                    serde_properties = p.properties()?;
                }
            } else {
                return Err(p.err("'DELIMITED', 'SERDE'"));
            }
        } else if p.eat_all(&["with", "serdeproperties"]) {
            serde_properties = p.properties()?;
        } else if p.eat_all(&["stored", "as"]) {
            if p.eat("inputformat") {
                let input = p.string()?;
                p.expect("outputformat")?;
                p.string()?;
                let lower = input.to_ascii_lowercase();
                stored_as = Some(
                    if lower.contains("parquet") {
                        "parquet"
                    } else if lower.contains("orc") {
                        "orc"
                    } else {
                        "textfile"
                    }
                    .to_owned(),
                );
            } else {
                stored_as = Some(p.ident()?);
            }
        } else if p.eat("location") {
            location = Some(p.string()?);
        } else if p.eat("tblproperties") {
            properties = p.properties()?;
        } else {
            break;
        }
    }
    let prop = |k: &str| {
        serde_properties
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    let serde_lower = serde.clone().unwrap_or_default().to_ascii_lowercase();
    let format = match stored_as.as_deref() {
        Some("parquet") => FileFormat::Parquet,
        Some("orc") | Some("avro") | Some("ion") | Some("sequencefile") | Some("rcfile") => {
            return Err(not_supported(&format!(
                "STORED AS {}",
                stored_as.unwrap_or_default().to_ascii_uppercase()
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
            separator: delimiter.unwrap_or(b','),
            quote: b'"',
            escape,
        },
        Some("json") => FileFormat::Json,
        _ => {
            let delimiter = match delimiter {
                Some(d) => d,
                None => match prop("field.delim").or_else(|| prop("serialization.format")) {
                    Some(d) => single_byte(&d, "field.delim")?,
                    None => 1, // Hive's default: \001
                },
            };
            let escape = escape.or(match prop("escape.delim") {
                Some(e) => Some(single_byte(&e, "escape.delim")?),
                None => None,
            });
            FileFormat::Text { delimiter, escape }
        }
    };
    let serde = serde.unwrap_or_else(|| {
        match format {
            FileFormat::Parquet => SERDE_PARQUET,
            FileFormat::Json => SERDE_JSON,
            FileFormat::Csv { .. } => SERDE_OPENCSV,
            FileFormat::Text { .. } => SERDE_LAZY,
        }
        .to_owned()
    });
    Ok(Command::CreateTable(TableDef {
        name,
        if_not_exists,
        columns,
        partitions,
        format,
        serde,
        location,
        properties,
        serde_properties,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_statements_as_athena_does() {
        let c = |s| {
            let substatement = classify(s).unwrap();
            (
                substatement.statement_type().as_str(),
                substatement.as_str(),
            )
        };
        assert_eq!(c("SELECT 1"), ("DML", "SELECT"));
        assert_eq!(
            c("  with x as (select 1) select * from x"),
            ("DML", "SELECT")
        );
        assert_eq!(c("-- hi\nselect 1"), ("DML", "SELECT"));
        assert_eq!(c("EXPLAIN SELECT 1"), ("DML", "EXPLAIN"));
        assert_eq!(
            c("CREATE EXTERNAL TABLE t (a int)"),
            ("DDL", "CREATE_TABLE")
        );
        assert_eq!(c("create database x"), ("DDL", "CREATE_DATABASE"));
        assert_eq!(c("DROP TABLE t"), ("DDL", "DROP_TABLE"));
        assert_eq!(c("DROP DATABASE d"), ("DDL", "DROP_DATABASE"));
        assert_eq!(c("SHOW TABLES"), ("UTILITY", "SHOW_TABLES"));
        assert_eq!(c("SHOW DATABASES"), ("UTILITY", "SHOW_DATABASES"));
        assert_eq!(c("DESCRIBE t"), ("UTILITY", "DESCRIBE_TABLE"));
        assert_eq!(c("SHOW COLUMNS IN t"), ("UTILITY", "SHOW_COLUMNS"));
        assert_eq!(c("SHOW CREATE TABLE t"), ("UTILITY", "SHOW_CREATE_TABLE"));
    }

    #[test]
    fn unknown_first_word_is_malformed_like_athena() {
        let Err(QueryError::Malformed { message }) = classify("SELEC 1") else {
            panic!("expected Malformed");
        };
        assert!(
            message.starts_with("line 1:1: mismatched input 'SELEC'"),
            "{message}"
        );
        assert!(matches!(classify(""), Err(QueryError::Malformed { .. })));
        assert!(matches!(
            classify("'unterminated"),
            Err(QueryError::Malformed { .. })
        ));
    }

    #[test]
    fn parses_the_seed_ddl() {
        let sql = "CREATE EXTERNAL TABLE IF NOT EXISTS serverlessland_database.cf_access_logs (
            `date` DATE, time STRING, bytes BIGINT, time_taken FLOAT, c_port INT,
            tags array<string>, m map<string,array<int>>, s struct<a:int,b:decimal(10,2)>)
            ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'
            STORED AS TEXTFILE
            LOCATION 's3://bucket/prefix/'
            TBLPROPERTIES ('skip.header.line.count'='2');";
        let Command::CreateTable(def) = parse_command(sql).unwrap() else {
            panic!("expected CreateTable");
        };
        assert!(def.if_not_exists);
        assert_eq!(
            def.name.database.as_deref(),
            Some("serverlessland_database")
        );
        assert_eq!(def.name.table, "cf_access_logs");
        assert_eq!(def.columns.len(), 8);
        assert_eq!(def.columns[0].name, "date");
        assert_eq!(def.columns[0].hive_type, HiveType::Date);
        assert_eq!(def.columns[3].hive_type, HiveType::Float);
        assert_eq!(
            def.columns[6].hive_type.to_string(),
            "map<string,array<int>>"
        );
        assert_eq!(
            def.columns[7].hive_type.to_string(),
            "struct<a:int,b:decimal(10,2)>"
        );
        assert_eq!(
            def.format,
            FileFormat::Text {
                delimiter: b'\t',
                escape: None
            }
        );
        assert_eq!(def.location.as_deref(), Some("s3://bucket/prefix/"));
        assert_eq!(def.skip_header_lines(), 2);
    }

    #[test]
    fn parses_serde_formats() {
        let csv = "CREATE EXTERNAL TABLE t (a string) ROW FORMAT SERDE \
            'org.apache.hadoop.hive.serde2.OpenCSVSerde' WITH SERDEPROPERTIES \
            ('separatorChar' = ';', 'quoteChar' = '\"') LOCATION 's3://b/p/'";
        let Command::CreateTable(def) = parse_command(csv).unwrap() else {
            panic!()
        };
        assert_eq!(
            def.format,
            FileFormat::Csv {
                separator: b';',
                quote: b'"',
                escape: Some(b'\\')
            }
        );
        let json = "CREATE EXTERNAL TABLE t (a string) ROW FORMAT SERDE \
            'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://b/p/'";
        let Command::CreateTable(def) = parse_command(json).unwrap() else {
            panic!()
        };
        assert_eq!(def.format, FileFormat::Json);
        let pq = "CREATE EXTERNAL TABLE t (a string) PARTITIONED BY (dt string) STORED AS PARQUET LOCATION 's3://b/p/'";
        let Command::CreateTable(def) = parse_command(pq).unwrap() else {
            panic!()
        };
        assert_eq!(def.format, FileFormat::Parquet);
        assert_eq!(def.partitions.len(), 1);
    }

    #[test]
    fn parses_utility_commands() {
        assert_eq!(
            parse_command("SHOW TABLES IN db 'cf*'").unwrap(),
            Command::ShowTables {
                database: Some("db".into()),
                like: Some("cf*".into())
            }
        );
        assert_eq!(
            parse_command("DROP TABLE IF EXISTS `db`.t").unwrap(),
            Command::DropTable {
                name: TableName {
                    database: Some("db".into()),
                    table: "t".into()
                },
                if_exists: true
            }
        );
        assert_eq!(
            parse_command("CREATE DATABASE IF NOT EXISTS x COMMENT 'c'").unwrap(),
            Command::CreateDatabase {
                name: "x".into(),
                if_not_exists: true
            }
        );
        assert!(matches!(
            parse_command("CREATE EXTERNAL TABLE t (a nosuchtype)"),
            Err(QueryError::Malformed { .. })
        ));
        assert!(matches!(
            parse_command("CREATE EXTERNAL TABLE t (a int"),
            Err(QueryError::Malformed { .. })
        ));
    }

    #[test]
    fn alter_table_adds_partitions_only() {
        assert_eq!(
            parse_command(
                "ALTER TABLE t ADD IF NOT EXISTS PARTITION (dt='x') LOCATION 's3://b/x/'"
            )
            .unwrap(),
            Command::NoOp
        );
        assert!(matches!(
            parse_command("ALTER TABLE t ADD COLUMNS (x int)"),
            Err(QueryError::Failed { .. })
        ));
    }

    #[test]
    fn unescapes_hive_strings() {
        assert_eq!(unescape("\\t"), "\t");
        assert_eq!(unescape("\\001"), "\u{1}");
        assert_eq!(unescape("a\\\\b"), "a\\b");
        assert_eq!(unescape("|"), "|");
    }
}
