//! Reading a query's result file (`<QueryExecutionId>.csv`) instead of paging through
//! `GetQueryResults`: the I/O-free part (issue 10).
//!
//! - [`csv`]: a push parser for Athena's CSV dialect that keeps NULL apart from `""`,
//!   and a sink adapter that checks the header row and each row's field count.
//! - [`split`]: the exact cut of byte ranges fetched in parallel into whole rows, by
//!   the parity of the quotes before each byte.
//! - [`metadata`]: decoding (and encoding) `<QueryExecutionId>.csv.metadata`.

pub(crate) mod csv;
pub(crate) mod metadata;
pub(crate) mod split;
