//! Reading a query's result file (`<QueryExecutionId>.csv`) instead of paging through
//! `GetQueryResults`: the I/O-free part (issue 10).
//!
//! - [`csv`]: a push parser for Athena's CSV dialect that keeps NULL apart from `""`,
//!   and a sink adapter that checks the header row and each row's field count.

pub(crate) mod csv;
