//! Athena's values as Arrow columns (feature `arrow`): the batch options, the mapping
//! from Athena's column metadata to an Arrow schema ([`schema`](mod@schema)), and the column
//! builders that read Athena's text straight into Arrow arrays ([`builder`]). Below
//! every read path: the result file's parse, the `GetQueryResults` pages and UNLOAD's
//! shards all build batches here. Public as `crate::arrow`.

mod builder;
mod column;
mod native;
mod schema;

use std::collections::HashMap;

use arrow_schema::SchemaRef;

use crate::error::Result;
use crate::row::ResultSetMetadata;
use crate::value::AthenaType;

pub(crate) use builder::{BatchBuilder, ValueError};
pub(crate) use schema::BatchPlan;

/// The rows a batch holds at most, by default.
pub const DEFAULT_BATCH_ROWS: usize = 8192;

/// The bytes a batch holds at most, by default (its arrays' values and offsets).
pub const DEFAULT_BATCH_BYTES: usize = 8 * 1024 * 1024;

/// How batches are cut and typed: what
/// [`RowStream::into_batches_with`](crate::RowStream::into_batches_with) takes.
///
/// ```
/// use athena_stream::arrow::BatchOptions;
///
/// let options = BatchOptions::new()
///     .with_rows(65_536)
///     .with_column_type("tags", "array(varchar)");
/// assert_eq!(options.rows(), 65_536);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BatchOptions {
    rows: usize,
    bytes: usize,
    column_types: HashMap<String, ColumnSignature>,
}

/// A type given for a column by [`BatchOptions::with_column_type`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ColumnSignature {
    /// The type its text is read as.
    pub(crate) athena_type: AthenaType,
    /// The precision of each `time(p)`/`timestamp(p)` in it, in the order they are
    /// written: [`AthenaType`] does not keep them, the Arrow unit depends on them.
    pub(crate) precisions: Vec<Option<u32>>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            rows: DEFAULT_BATCH_ROWS,
            bytes: DEFAULT_BATCH_BYTES,
            column_types: HashMap::new(),
        }
    }
}

impl BatchOptions {
    /// [`DEFAULT_BATCH_ROWS`] rows or [`DEFAULT_BATCH_BYTES`] bytes a batch, whichever
    /// comes first; types from the metadata alone.
    pub fn new() -> Self {
        Self::default()
    }

    /// At most `rows` rows a batch (at least 1: 0 is taken as 1).
    pub fn with_rows(mut self, rows: usize) -> Self {
        self.rows = rows.max(1);
        self
    }

    /// At most about `bytes` bytes a batch: a batch ends after the row that reaches it
    /// (so a batch always has a row, however long).
    pub fn with_bytes(mut self, bytes: usize) -> Self {
        self.bytes = bytes.max(1);
        self
    }

    /// Reads column `name` as `signature`, an Athena type in Athena's notation
    /// (`array(varchar)`, `map(varchar, bigint)`, `row(id integer, name varchar)`):
    /// Athena's metadata names only `array`, `map` or `row` for nested columns, so
    /// without a signature they arrive as text.
    ///
    /// `time(p)` and `timestamp(p)` choose the unit (`timestamp` alone is
    /// `timestamp(3)`, milliseconds). A signature that does not parse, or that names a
    /// type this crate does not know, is an
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) when the batches' schema is
    /// made.
    pub fn with_column_type(mut self, name: impl Into<String>, signature: &str) -> Self {
        let (athena_type, precisions) = crate::value::parse_with_precisions(signature);
        self.column_types.insert(
            name.into(),
            ColumnSignature {
                athena_type,
                precisions,
            },
        );
        self
    }

    /// The most rows a batch holds.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The most bytes a batch holds (about).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The type given for a column, if any.
    pub fn column_type(&self, name: &str) -> Option<&AthenaType> {
        self.column_types.get(name).map(|s| &s.athena_type)
    }

    /// The type given for a column, with the precisions written in its signature.
    pub(crate) fn column_signature(&self, name: &str) -> Option<&ColumnSignature> {
        self.column_types.get(name)
    }

    /// The names of the columns a type is given for.
    pub(crate) fn typed_columns(&self) -> impl Iterator<Item = &str> {
        self.column_types.keys().map(String::as_str)
    }
}

/// The Arrow schema the batches of a result with these columns have.
///
/// # Errors
/// [`Error::InvalidConfig`](crate::Error::InvalidConfig) when `options` types a column the result does not have.
pub fn schema(metadata: &ResultSetMetadata, options: &BatchOptions) -> Result<SchemaRef> {
    BatchPlan::new(metadata, options).map(|plan| plan.schema.clone())
}

#[cfg(test)]
mod tests;
