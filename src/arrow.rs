//! Columns: a query's results as Arrow [`RecordBatch`]es, typed from Athena's column
//! metadata. Feature `arrow`.
//!
//! [`RowStream::into_batches`](crate::RowStream::into_batches) turns a query's stream
//! (from [`Athena::query`](crate::Athena::query), [`Athena::attach`](crate::Athena::attach)
//! or [`Athena::resume_from`](crate::Athena::resume_from)) into a [`RecordBatchStream`],
//! on every read path: the result file is parsed straight into column builders on all
//! cores, pages of `GetQueryResults` are built into batches as they arrive.
//!
//! The types follow one mapping, [`schema`]'s (the README's type table lists it):
//! NULL stays distinct from `""` (the validity bitmap), and a value that does not read
//! as its column's type is an [`Error::Decode`](crate::Error::Decode) naming the row,
//! the column, the type and the text, never a wrapped or rounded value.
//!
//! The crates `arrow-array` and `arrow-schema` are re-exported, so that the types in
//! this API are the ones you name.
//!
//! The work is done by the crate's private modules: the mapping and the column
//! builders in `columnar`, the stream in `stream::batches`; this module is where their
//! public part is named.

pub use arrow_array::{self, RecordBatch};
pub use arrow_schema::{self, SchemaRef};

pub use crate::columnar::{BatchOptions, DEFAULT_BATCH_BYTES, DEFAULT_BATCH_ROWS, schema};
pub use crate::stream::batches::RecordBatchStream;
