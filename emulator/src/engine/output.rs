//! What a statement produces: its columns as ColumnInfo reports them, and its rows as
//! Athena's text.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use futures::StreamExt;
use futures::stream::BoxStream;

use super::error::QueryError;
use super::stages::PlanHandle;

/// One result column, as ColumnInfo reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Column name (also the Label).
    pub name: String,
    /// Base type name: `varchar`, `bigint`, `integer`, `double`, `decimal`, `array`, ...
    pub athena_type: String,
    /// Precision as Athena fills it (varchar 2147483647, integer 10, decimal(p,s) p, ...).
    pub precision: i32,
    /// Scale (decimal(p,s): s; else 0).
    pub scale: i32,
    /// True for varchar and char.
    pub case_sensitive: bool,
}

impl Column {
    /// A `varchar` column, as SHOW and EXPLAIN results have.
    pub(crate) fn varchar(name: &str) -> Column {
        Column {
            name: name.to_owned(),
            athena_type: "varchar".to_owned(),
            precision: 2147483647,
            scale: 0,
            case_sensitive: true,
        }
    }
}

/// Rows rendered as Athena's text, in batches (`None` = NULL).
pub type RowStream = BoxStream<'static, Result<Vec<Vec<Option<String>>>, QueryError>>;

/// What a statement produced.
pub struct QueryOutput {
    /// The result's columns (empty for DDL).
    pub columns: Vec<Column>,
    /// Rows rendered as Athena's text (None = NULL), in batches; dropping the stream cancels the work.
    pub rows: RowStream,
    /// UpdateCount: Some(0) for SELECT/SHOW, None for DDL, Some(n) for CTAS/INSERT.
    pub update_count: Option<i64>,
    /// Bytes actually read; final once `rows` has ended.
    pub data_scanned_in_bytes: Arc<AtomicU64>,
    /// The `s3://` URIs of the files the statement wrote, the lines of its data manifest
    /// (UNLOAD); `None` for statements without one.
    pub data_manifest: Option<Vec<String>>,
    /// The physical plan that produces the rows, whose metrics can be read while it
    /// runs; `None` for statements without one (DDL, SHOW).
    pub plan: Option<PlanHandle>,
}

impl fmt::Debug for QueryOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryOutput")
            .field("columns", &self.columns)
            .field("update_count", &self.update_count)
            .field("data_scanned_in_bytes", &self.data_scanned_in_bytes)
            .field("data_manifest", &self.data_manifest)
            .field("plan", &self.plan)
            .finish_non_exhaustive()
    }
}

impl QueryOutput {
    /// The output of a DDL statement: no columns, no rows, no UpdateCount.
    pub(crate) fn ddl() -> QueryOutput {
        QueryOutput {
            columns: Vec::new(),
            rows: futures::stream::empty().boxed(),
            update_count: None,
            data_scanned_in_bytes: Arc::new(AtomicU64::new(0)),
            data_manifest: None,
            plan: None,
        }
    }

    /// A one-column varchar result (SHOW TABLES, DESCRIBE, ...), one row per value.
    pub(crate) fn varchar_column(name: &str, values: Vec<String>) -> QueryOutput {
        let rows: Vec<Vec<Option<String>>> = values.into_iter().map(|v| vec![Some(v)]).collect();
        let stream = if rows.is_empty() {
            futures::stream::empty().boxed()
        } else {
            futures::stream::once(async move { Ok(rows) }).boxed()
        };
        QueryOutput {
            columns: vec![Column::varchar(name)],
            rows: stream,
            update_count: Some(0),
            data_scanned_in_bytes: Arc::new(AtomicU64::new(0)),
            data_manifest: None,
            plan: None,
        }
    }

    /// The output of CTAS, INSERT and UNLOAD: one bigint column `rows`, no rows,
    /// UpdateCount `n`.
    pub(crate) fn rows_written(n: u64) -> QueryOutput {
        QueryOutput {
            columns: vec![Column {
                name: "rows".to_owned(),
                athena_type: "bigint".to_owned(),
                precision: 19,
                scale: 0,
                case_sensitive: false,
            }],
            rows: futures::stream::empty().boxed(),
            update_count: Some(i64::try_from(n).unwrap_or(i64::MAX)),
            data_scanned_in_bytes: Arc::new(AtomicU64::new(0)),
            data_manifest: None,
            plan: None,
        }
    }
}
