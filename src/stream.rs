//! The machinery behind the public streams: a query's life and its pages, driven by one
//! task per stream.
//!
//! - [`lifecycle`]: the query started (or attached to), polled with backoff until its
//!   state is final, stopped when asked.
//! - [`read_path`] and [`get_query_results`]: the page sources this folder owns (the
//!   default path that starts with `GetQueryResults` and goes on with the result file,
//!   and the `GetQueryResults` pager); the result file's own source is
//!   `crate::result_file::source`. All three speak `crate::page::source::PageSource`.
//! - [`driver`]: the task: the lifecycle, then pages from a source, fetched ahead
//!   within a bound.
//! - [`interrupt`]: how the caller's side (a dropped stream, a cancel) tells that task.
//! - The public streams over that task, one per shape: [`pages::PageStream`] (pages),
//!   [`rows::RowStream`] (one row at a time), and (feature `arrow`)
//!   [`batches::RecordBatchStream`] (Arrow batches).

#[cfg(feature = "arrow")]
pub(crate) mod batches;
pub(crate) mod driver;
pub(crate) mod get_query_results;
pub(crate) mod interrupt;
pub(crate) mod lifecycle;
pub(crate) mod pages;
pub(crate) mod read_path;
pub(crate) mod rows;
