//! Athena's `StatementType` and `SubstatementType`, as GetQueryExecution reports them.
//!
//! The substatement decides the statement type, in one exhaustive `match`: a new kind of
//! statement cannot be reported as some default type by accident.

use std::fmt;

/// Athena's `StatementType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatementType {
    /// SELECT, INSERT, CTAS, UNLOAD.
    Dml,
    /// CREATE/DROP TABLE/DATABASE, ALTER, MSCK.
    Ddl,
    /// SHOW ..., DESCRIBE, EXPLAIN.
    Utility,
}

impl StatementType {
    /// `"DML"`, `"DDL"` or `"UTILITY"`.
    pub fn as_str(self) -> &'static str {
        match self {
            StatementType::Dml => "DML",
            StatementType::Ddl => "DDL",
            StatementType::Utility => "UTILITY",
        }
    }
}

impl fmt::Display for StatementType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Athena's `SubstatementType`: what a statement does, one of the statements the
/// emulator accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubstatementType {
    /// `SELECT`, `WITH`, `VALUES`, `TABLE t`, a parenthesised query.
    Select,
    /// `EXPLAIN [ANALYZE] query`.
    Explain,
    /// `CREATE TABLE t [WITH (...)] AS query`.
    CreateTableAsSelect,
    /// `INSERT INTO t query`.
    Insert,
    /// `UNLOAD (query) TO 's3://...' WITH (...)`.
    Unload,
    /// `CREATE [EXTERNAL] TABLE t (...)`.
    CreateTable,
    /// `CREATE DATABASE` / `CREATE SCHEMA`.
    CreateDatabase,
    /// `CREATE [OR REPLACE] VIEW`.
    CreateView,
    /// `DROP TABLE`.
    DropTable,
    /// `DROP DATABASE` / `DROP SCHEMA`.
    DropDatabase,
    /// `DROP VIEW`.
    DropView,
    /// `MSCK REPAIR TABLE`.
    RepairTable,
    /// `ALTER TABLE`.
    AlterTable,
    /// `SHOW DATABASES` / `SHOW SCHEMAS`.
    ShowDatabases,
    /// `SHOW TABLES`.
    ShowTables,
    /// `SHOW VIEWS`.
    ShowViews,
    /// `SHOW COLUMNS`.
    ShowColumns,
    /// `SHOW CREATE TABLE`.
    ShowCreateTable,
    /// `SHOW CREATE VIEW`.
    ShowCreateView,
    /// `SHOW TBLPROPERTIES`.
    ShowTblProperties,
    /// `SHOW PARTITIONS`.
    ShowPartitions,
    /// `SHOW FUNCTIONS`.
    ShowFunctions,
    /// `DESCRIBE` / `DESC`.
    DescribeTable,
}

impl SubstatementType {
    /// The name Athena reports: `SELECT`, `CREATE_TABLE`, `SHOW_TABLES`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            SubstatementType::Select => "SELECT",
            SubstatementType::Explain => "EXPLAIN",
            SubstatementType::CreateTableAsSelect => "CREATE_TABLE_AS_SELECT",
            SubstatementType::Insert => "INSERT",
            SubstatementType::Unload => "UNLOAD",
            SubstatementType::CreateTable => "CREATE_TABLE",
            SubstatementType::CreateDatabase => "CREATE_DATABASE",
            SubstatementType::CreateView => "CREATE_VIEW",
            SubstatementType::DropTable => "DROP_TABLE",
            SubstatementType::DropDatabase => "DROP_DATABASE",
            SubstatementType::DropView => "DROP_VIEW",
            SubstatementType::RepairTable => "REPAIR_TABLE",
            SubstatementType::AlterTable => "ALTER_TABLE",
            SubstatementType::ShowDatabases => "SHOW_DATABASES",
            SubstatementType::ShowTables => "SHOW_TABLES",
            SubstatementType::ShowViews => "SHOW_VIEWS",
            SubstatementType::ShowColumns => "SHOW_COLUMNS",
            SubstatementType::ShowCreateTable => "SHOW_CREATE_TABLE",
            SubstatementType::ShowCreateView => "SHOW_CREATE_VIEW",
            SubstatementType::ShowTblProperties => "SHOW_TBLPROPERTIES",
            SubstatementType::ShowPartitions => "SHOW_PARTITIONS",
            SubstatementType::ShowFunctions => "SHOW_FUNCTIONS",
            SubstatementType::DescribeTable => "DESCRIBE_TABLE",
        }
    }

    /// The `StatementType` Athena reports with it.
    pub fn statement_type(self) -> StatementType {
        match self {
            SubstatementType::Select
            | SubstatementType::CreateTableAsSelect
            | SubstatementType::Insert
            // UNLOAD counts against the DML query quota (docs/athena.md, "Throttling and
            // quotas") and is DML to the API.
            | SubstatementType::Unload => StatementType::Dml,
            SubstatementType::CreateTable
            | SubstatementType::CreateDatabase
            | SubstatementType::CreateView
            | SubstatementType::DropTable
            | SubstatementType::DropDatabase
            | SubstatementType::DropView
            | SubstatementType::RepairTable
            | SubstatementType::AlterTable => StatementType::Ddl,
            SubstatementType::ShowDatabases
            | SubstatementType::ShowTables
            | SubstatementType::ShowViews
            | SubstatementType::ShowColumns
            | SubstatementType::ShowCreateTable
            | SubstatementType::ShowCreateView
            | SubstatementType::ShowTblProperties
            | SubstatementType::ShowPartitions
            | SubstatementType::ShowFunctions
            | SubstatementType::DescribeTable
            // The Smithy model's examples list EXPLAIN under UTILITY (docs/athena.md,
            // "Query states"), not under DML as the team's notes had it.
            | SubstatementType::Explain => StatementType::Utility,
        }
    }
}

impl fmt::Display for SubstatementType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
