//! Athena's (Hive) DDL: statement classification, and the statements the emulator
//! runs itself.
//!
//! Queries (SELECT, WITH, VALUES, EXPLAIN) go to DataFusion's SQL parser; everything
//! Athena routes to its Hive metastore (CREATE EXTERNAL TABLE, SHOW TABLES, ...) is parsed
//! here, because its syntax (`ROW FORMAT`, `struct<a:int>`, `TBLPROPERTIES`) is Hive's:
//! `lexer` makes tokens, `parser` walks them, `hive_type` and `table` parse column types
//! and table definitions, `command` the statements, `classify` names a statement from its
//! first words.

mod classify;
mod command;
mod hive_type;
mod lexer;
mod parser;
mod table;

pub(crate) use classify::classify;
pub(crate) use command::{Command, parse_command};
pub(crate) use hive_type::HiveType;
pub(crate) use parser::{TableName, unescape};
pub(crate) use table::{ColumnDef, FileFormat, TableDef};

#[cfg(test)]
mod tests;
