//! Where the pages of a finished query come from, behind one small interface.
//!
//! A page source hands out a query's results as [`ResultPage`]s, in order, each with
//! what a consumer needs to resume after it. The stream's task asks for one page at a
//! time (it decides how far ahead to fetch), so a source need not buffer. There are
//! three: the `GetQueryResults` pager (`crate::stream::get_query_results`), the result
//! file (`crate::result_file::source`), and the default read path that starts with the
//! first and goes on with the second (`crate::stream::read_path`). This interface sits
//! below all three, so that the result-file path and the API path never import each
//! other, and the stream's task sees only `PageSource`.

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
