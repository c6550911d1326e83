//! Where the pages of a finished query come from, behind one small interface.
//!
//! A page source hands out a query's results as [`ResultPage`]s, in order, each with
//! what a consumer needs to resume after it. The stream's task asks for one page at a
//! time (it decides how far ahead to fetch), so a source need not buffer. Today there
//! is one source, [`get_query_results::QueryResultsPager`]; a source that reads the
//! result file beside it plugs in here without touching the query's lifecycle.

pub(crate) mod auto;
pub(crate) mod get_query_results;
pub(crate) mod result_file;

use std::sync::Arc;

use futures::future::BoxFuture;

use crate::error::Result;
use crate::page::ResultPage;
use crate::row::ResultSetMetadata;

/// A query's results, page by page.
pub(crate) trait PageSource: Send {
    /// The next page; `Ok(None)` after the last one. After an error the source is done:
    /// the next call answers `Ok(None)`.
    fn next_page(&mut self) -> BoxFuture<'_, Result<Option<ResultPage>>>;

    /// The result's columns, once known (at the latest with the first page).
    fn metadata(&self) -> Option<Arc<ResultSetMetadata>>;
}
