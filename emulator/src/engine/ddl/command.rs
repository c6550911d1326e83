//! The Hive statements the emulator runs itself (CREATE/DROP, SHOW, DESCRIBE, CTAS,
//! INSERT, ...), and their parser: one function per statement, after its first keyword.

use super::lexer::{TokenKind, tokenize};
use super::parser::{Parser, TableName, not_supported};
use super::table::{TableDef, column_definitions, table_definition};
use crate::engine::error::QueryError;

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
    /// `UNLOAD (query) TO 's3://bucket/prefix/' WITH (format = 'PARQUET', ...)`.
    Unload {
        /// The text of the query between the parentheses, after spaces that stand for
        /// what precedes it in the statement (its error positions are the statement's).
        query: String,
        /// The `TO` location, as written.
        location: String,
        /// `WITH (...)`, keys lowercased, `ARRAY['a', 'b']` as `a,b`.
        properties: Vec<(String, String)>,
    },
    /// Accepted and does nothing (MSCK REPAIR TABLE, ALTER TABLE ADD PARTITION: partitions
    /// are discovered from `key=value` directories at query time).
    NoOp,
}

/// Parses a statement the emulator runs itself (one that is not a query).
pub(crate) fn parse_command(sql: &str) -> Result<Command, QueryError> {
    let mut p = Parser::new(tokenize(sql, usize::MAX)?);
    if p.eat_keyword("create") {
        parse_create(&mut p, sql)
    } else if p.eat_keyword("drop") {
        parse_drop(&mut p)
    } else if p.eat_keyword("show") {
        parse_show(&mut p)
    } else if p.eat_keyword("describe") || p.eat_keyword("desc") {
        if !p.eat_keyword("formatted") {
            p.eat_keyword("extended");
        }
        let name = p.table_name()?;
        p.expect_end()?;
        Ok(Command::Describe { name })
    } else if p.eat_keyword("insert") {
        parse_insert(&mut p, sql)
    } else if p.eat_keyword("msck") {
        p.expect_keyword("repair")?;
        p.expect_keyword("table")?;
        p.table_name()?;
        p.expect_end()?;
        Ok(Command::NoOp)
    } else if p.eat_keyword("alter") {
        parse_alter(&mut p)
    } else if p.eat_keyword("unload") {
        parse_unload(&mut p, sql)
    } else {
        Err(p.mismatched("'CREATE', 'DROP', 'SHOW', 'DESCRIBE'"))
    }
}

/// CREATE VIEW, CREATE DATABASE, `CREATE [EXTERNAL] TABLE` and CTAS, after CREATE.
fn parse_create(p: &mut Parser, sql: &str) -> Result<Command, QueryError> {
    let or_replace = p.eat_keywords(&["or", "replace"]);
    if p.eat_keyword("view") {
        let name = p.table_name()?;
        if !p.peek().is_some_and(|t| t.is_keyword("as")) {
            return Err(p.mismatched("'AS'"));
        }
        p.advance();
        let Some(start) = p.peek().map(|t| t.offset) else {
            return Err(p.mismatched("<query>"));
        };
        let query = sql[start..].trim().trim_end_matches(';').trim().to_owned();
        return Ok(Command::CreateView {
            name,
            or_replace,
            query,
        });
    }
    if or_replace {
        return Err(p.mismatched("'VIEW'"));
    }
    if p.eat_keyword("database") || p.eat_keyword("schema") {
        let if_not_exists = p.eat_keywords(&["if", "not", "exists"]);
        let name = p.identifier()?;
        // COMMENT '...', LOCATION '...', WITH DBPROPERTIES (...): accepted, ignored.
        loop {
            if p.eat_keyword("comment") || p.eat_keyword("location") {
                p.string_literal()?;
            } else if p.eat_keywords(&["with", "dbproperties"]) {
                p.properties()?;
            } else {
                break;
            }
        }
        p.expect_end()?;
        return Ok(Command::CreateDatabase {
            name,
            if_not_exists,
        });
    }
    parse_create_table(p, sql)
}

/// `[EXTERNAL] TABLE [IF NOT EXISTS] name (columns) ...` or CTAS, after CREATE.
fn parse_create_table(p: &mut Parser, sql: &str) -> Result<Command, QueryError> {
    p.eat_keyword("external");
    if !p.eat_keyword("table") {
        return Err(p.mismatched("'TABLE'"));
    }
    let if_not_exists = p.eat_keywords(&["if", "not", "exists"]);
    let name = p.table_name()?;
    if p.peek()
        .is_some_and(|t| t.is_keyword("as") || t.is_keyword("with"))
    {
        let properties = if p.eat_keyword("with") {
            ctas_properties(p)?
        } else {
            Vec::new()
        };
        p.expect_keyword("as")?;
        let (query, with_data) = rest_query(p, sql)?;
        return Ok(Command::CreateTableAs {
            name,
            if_not_exists,
            properties,
            query,
            with_data,
        });
    }
    let columns = column_definitions(p)?;
    let def = table_definition(p, name, if_not_exists, columns)?;
    p.expect_end()?;
    Ok(Command::CreateTable(def))
}

/// DROP TABLE, DROP DATABASE and DROP VIEW, after DROP.
fn parse_drop(p: &mut Parser) -> Result<Command, QueryError> {
    let command = if p.eat_keyword("table") {
        let if_exists = p.eat_keywords(&["if", "exists"]);
        let name = p.table_name()?;
        Command::DropTable { name, if_exists }
    } else if p.eat_keyword("database") || p.eat_keyword("schema") {
        let if_exists = p.eat_keywords(&["if", "exists"]);
        let name = p.identifier()?;
        let cascade = p.eat_keyword("cascade");
        if !cascade {
            p.eat_keyword("restrict");
        }
        Command::DropDatabase {
            name,
            if_exists,
            cascade,
        }
    } else if p.eat_keyword("view") {
        let if_exists = p.eat_keywords(&["if", "exists"]);
        let name = p.table_name()?;
        Command::DropView { name, if_exists }
    } else {
        return Err(p.mismatched("'TABLE', 'DATABASE', 'VIEW'"));
    };
    p.expect_end()?;
    Ok(command)
}

/// The SHOW statements, after SHOW.
fn parse_show(p: &mut Parser) -> Result<Command, QueryError> {
    let command = if p.eat_keyword("databases") || p.eat_keyword("schemas") {
        Command::ShowDatabases {
            like: p.like_pattern()?,
        }
    } else if p.eat_keyword("tables") {
        let database = in_database(p)?;
        Command::ShowTables {
            database,
            like: p.like_pattern()?,
        }
    } else if p.eat_keyword("functions") {
        Command::ShowFunctions {
            like: p.like_pattern()?,
        }
    } else if p.eat_keyword("partitions") {
        Command::ShowPartitions {
            name: p.table_name()?,
        }
    } else if p.eat_keyword("views") {
        let database = in_database(p)?;
        Command::ShowViews {
            database,
            like: p.like_pattern()?,
        }
    } else if p.eat_keyword("columns") {
        if !(p.eat_keyword("in") || p.eat_keyword("from")) {
            return Err(p.mismatched("'IN', 'FROM'"));
        }
        let mut name = p.table_name()?;
        if (p.eat_keyword("in") || p.eat_keyword("from")) && name.database.is_none() {
            name.database = Some(p.identifier()?);
        }
        Command::ShowColumns { name }
    } else if p.eat_keywords(&["create", "table"]) {
        Command::ShowCreateTable {
            name: p.table_name()?,
        }
    } else if p.eat_keyword("tblproperties") {
        let name = p.table_name()?;
        if p.eat_symbol('(') {
            p.string_literal()?;
            p.expect_symbol(')')?;
        }
        Command::ShowTblProperties { name }
    } else {
        return Err(not_supported("this SHOW statement"));
    };
    p.expect_end()?;
    Ok(command)
}

/// `[IN | FROM db]` of SHOW TABLES and SHOW VIEWS.
fn in_database(p: &mut Parser) -> Result<Option<String>, QueryError> {
    if p.eat_keyword("in") || p.eat_keyword("from") {
        Ok(Some(p.identifier()?))
    } else {
        Ok(None)
    }
}

/// `INTO t [(columns)] query`, after INSERT.
fn parse_insert(p: &mut Parser, sql: &str) -> Result<Command, QueryError> {
    p.expect_keyword("into")?;
    let name = p.table_name()?;
    let columns = if p.peek().is_some_and(|t| t.is_symbol('('))
        && p.peek_second().is_some_and(|t| {
            !t.is_keyword("select") && !t.is_keyword("with") && !t.is_keyword("values")
        }) {
        p.advance();
        let mut cols = Vec::new();
        loop {
            cols.push(p.identifier()?);
            if !p.eat_symbol(',') {
                break;
            }
        }
        p.expect_symbol(')')?;
        Some(cols)
    } else {
        None
    };
    let (query, _) = rest_query(p, sql)?;
    Ok(Command::Insert {
        name,
        columns,
        query,
    })
}

/// `TABLE t ADD [IF NOT EXISTS] PARTITION ...`, after ALTER: the only ALTER accepted.
fn parse_alter(p: &mut Parser) -> Result<Command, QueryError> {
    p.expect_keyword("table")?;
    p.table_name()?;
    let adds_partition = p.eat_keyword("add") && {
        p.eat_keywords(&["if", "not", "exists"]);
        p.eat_keyword("partition")
    };
    if !adds_partition {
        return Err(not_supported("ALTER TABLE other than ADD PARTITION"));
    }
    // ADD [IF NOT EXISTS] PARTITION (...) [LOCATION '...'] ...: accepted, partitions are
    // discovered from the directories.
    p.skip_to_end();
    p.expect_end()?;
    Ok(Command::NoOp)
}

/// `(query) TO 's3://...' [WITH (property = value, ...)]`, after UNLOAD (docs/athena.md,
/// "UNLOAD and data manifests": the syntax).
fn parse_unload(p: &mut Parser, sql: &str) -> Result<Command, QueryError> {
    if !p.peek().is_some_and(|t| t.is_symbol('(')) {
        return Err(p.mismatched("'('"));
    }
    let open = p.peek().map_or(0, |t| t.offset);
    p.advance();
    // The query ends at the parenthesis that closes the first one; the lexer has already
    // kept strings, quoted names and comments from counting.
    let mut depth = 1usize;
    let close = loop {
        let Some(t) = p.peek() else {
            return Err(p.mismatched("')'"));
        };
        if t.is_symbol('(') {
            depth += 1;
        } else if t.is_symbol(')') {
            depth -= 1;
            if depth == 0 {
                break t.offset;
            }
        }
        p.advance();
    };
    if sql[open + 1..close].trim().is_empty() {
        return Err(p.mismatched("<query>"));
    }
    // The query keeps its place in the statement: what comes before it is blanked out,
    // line breaks kept, so its errors point at `line:column` of the whole UNLOAD, as
    // Athena's do.
    let mut query: String = sql[..=open]
        .chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect();
    query.push_str(sql[open + 1..close].trim_end());
    p.advance();
    p.expect_keyword("to")?;
    let location = p.string_literal()?;
    let properties = if p.eat_keyword("with") {
        ctas_properties(p)?
    } else {
        Vec::new()
    };
    p.expect_end()?;
    Ok(Command::Unload {
        query,
        location,
        properties,
    })
}

/// The text of the query that starts at the cursor, without a trailing `WITH [NO] DATA`
/// (returned as `false` for NO DATA).
fn rest_query(p: &Parser, sql: &str) -> Result<(String, bool), QueryError> {
    let Some(start) = p.peek().map(|t| t.offset) else {
        return Err(p.mismatched("<query>"));
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
fn ctas_properties(p: &mut Parser) -> Result<Vec<(String, String)>, QueryError> {
    p.expect_symbol('(')?;
    let mut props = Vec::new();
    loop {
        let key = p.identifier()?;
        p.expect_symbol('=')?;
        let value = match p.peek().map(|t| t.kind.clone()) {
            Some(TokenKind::StringLiteral(_)) => p.string_literal()?,
            Some(TokenKind::Number(n)) | Some(TokenKind::Word(n))
                if !n.eq_ignore_ascii_case("array") =>
            {
                p.advance();
                n
            }
            Some(TokenKind::Word(_)) => {
                // ARRAY['a', 'b']
                p.advance();
                p.expect_symbol('[')?;
                let mut items = Vec::new();
                while !p.eat_symbol(']') {
                    items.push(p.string_literal()?);
                    p.eat_symbol(',');
                }
                items.join(",")
            }
            _ => return Err(p.mismatched("<value>")),
        };
        props.push((key, value));
        if !p.eat_symbol(',') {
            break;
        }
    }
    p.expect_symbol(')')?;
    Ok(props)
}
