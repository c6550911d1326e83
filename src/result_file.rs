//! Reading a query's result file (`<QueryExecutionId>.csv`) from S3 instead of paging
//! through `GetQueryResults` (docs/athena.md, "Result files"): the whole result-file
//! path, from opening the file ([`open`]) to the file as a page source ([`source`]).
//!
//! The I/O-free part:
//! - [`csv`]: a push parser for Athena's CSV dialect that keeps NULL apart from `""`,
//!   and a sink adapter that checks the header row and each row's field count.
//! - [`split`]: the exact cut of byte ranges fetched in parallel into whole rows, by
//!   the parity of the quotes before each byte.
//! - [`metadata`]: decoding (and encoding) `<QueryExecutionId>.csv.metadata`.
//!
//! How a reader puts them together: decode the metadata for the columns; fetch the
//! CSV's byte ranges; push each range, in file order, into a
//! [`RowAssembler`](split::RowAssembler); parse the pieces it hands out with
//! [`CsvParser`](csv::CsvParser)s (one per piece, in parallel if wanted, each over
//! [`ColumnCheck`](csv::ColumnCheck) — with the header names for the piece at offset
//! 0, the column count for the others); emit the rows of the pieces in file order.

pub(crate) mod csv;
pub(crate) mod metadata;
pub(crate) mod split;

// The I/O, over the S3 seam and its ranged reader (`crate::s3`): opening a file, the
// file as a page source, rows and batches out of fields.
pub(crate) mod open;
pub(crate) mod rows;
pub(crate) mod source;

#[cfg(test)]
mod tests;
