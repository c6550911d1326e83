//! The stream of a query's rows: the pages of a [`PageStream`], one row at a time.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures::stream::FusedStream;
use futures::{Stream, StreamExt as _};

use crate::client::ClientCore;
use crate::error::Result;
use crate::execution::QueryExecution;
use crate::page::ResultPage;
use crate::row::{ResultSetMetadata, Row};
use crate::stats::QueryStats;
use crate::stream::driver::Source;
use crate::stream::pages::PageStream;

/// The rows of a query's results, as a `Stream<Item = Result<Row>>`.
///
/// Made by [`Athena::query`](crate::Athena::query), [`Athena::attach`](crate::Athena::attach)
/// and [`Athena::resume`](crate::Athena::resume). Lazy: no request is sent before the
/// first poll, which spawns the task that runs the query (so it needs a Tokio runtime).
/// The header row of a DML result is dropped; NULL stays `None`, distinct from `""`.
/// An error is yielded once and then the stream ends.
///
/// Dropping the stream before its query finished stops the query (from the task, which
/// retries the stop and logs its outcome); [`cancel`](Self::cancel) does it and waits
/// for the answer. A stream made by `attach` or `resume` reads someone else's query:
/// dropping it leaves the query running, `cancel` stops it.
///
/// `Send`, `Sync` and `Unpin`, with no borrowed data (`'static`): it can be moved into
/// a spawned task.
#[must_use = "streams do nothing unless polled"]
pub struct RowStream {
    pages: PageStream,
    current: std::vec::IntoIter<Row>,
    /// The page `current` came from, without its rows: what a partly read page is
    /// handed out with by [`into_pages`](Self::into_pages).
    current_page: Option<ResultPage>,
}

impl RowStream {
    pub(crate) fn new(core: Arc<ClientCore>, source: Source) -> Self {
        RowStream {
            pages: PageStream::new(core, source),
            current: Vec::new().into_iter(),
            current_page: None,
        }
    }

    /// The `QueryExecutionId`, as soon as the query has been started (or at once when
    /// attached).
    pub fn query_execution_id(&self) -> Option<String> {
        self.pages.query_execution_id()
    }

    /// The finished query execution (statistics, output location, ...), once it succeeded.
    pub fn query_execution(&self) -> Option<QueryExecution> {
        self.pages.query_execution()
    }

    /// The query execution as the last `GetQueryExecution` described it, while it is
    /// still queued or running too (see [`PageStream::polled_execution`]).
    pub fn polled_execution(&self) -> Option<QueryExecution> {
        self.pages.polled_execution()
    }

    /// The columns of the result, once the first page has arrived.
    pub fn metadata(&self) -> Option<Arc<ResultSetMetadata>> {
        self.pages.metadata()
    }

    /// Counters so far: calls per operation, pages, rows, retries, time.
    pub fn stats(&self) -> QueryStats {
        self.pages.stats()
    }

    /// The query's progress as its status polls see it (see [`QueryProgress`](crate::progress::QueryProgress) and
    /// [`PageStream::progress`](crate::PageStream::progress)).
    pub fn progress(&self) -> tokio::sync::watch::Receiver<crate::progress::QueryProgress> {
        self.pages.progress()
    }

    /// Stops the query if it is still queued or running, and ends the stream. See
    /// [`PageStream::cancel`].
    ///
    /// # Errors
    /// The error of `StopQueryExecution`, when it failed beyond its retries.
    pub async fn cancel(&mut self) -> Result<()> {
        self.current = Vec::new().into_iter();
        self.current_page = None;
        self.pages.cancel().await
    }

    /// The same results as Arrow batches of at most
    /// [`DEFAULT_BATCH_ROWS`](crate::arrow::DEFAULT_BATCH_ROWS) rows, typed from the
    /// result's columns (see [`arrow`](crate::arrow)). Feature `arrow`.
    ///
    /// Called before the first poll (the usual way), the result file is parsed straight
    /// into column builders; on a stream already read from, the rows not yet read come
    /// first and the rest is built from rows.
    #[cfg(feature = "arrow")]
    pub fn into_batches(self) -> crate::stream::batches::RecordBatchStream {
        self.into_batches_with(crate::columnar::BatchOptions::default())
    }

    /// [`into_batches`](Self::into_batches), with batches cut and typed by `options`.
    #[cfg(feature = "arrow")]
    pub fn into_batches_with(
        self,
        options: crate::columnar::BatchOptions,
    ) -> crate::stream::batches::RecordBatchStream {
        crate::stream::batches::RecordBatchStream::new(self.into_pages(), options)
    }

    /// The same results as a stream of whole pages, each with the `NextToken` to resume
    /// from. The rows not yet read of a page already partly read come first, as that
    /// page (same number and tokens) with only those rows.
    pub fn into_pages(self) -> PageStream {
        let rest: Vec<Row> = self.current.collect();
        let leftover = self
            .current_page
            .filter(|_| !rest.is_empty())
            .map(|page| ResultPage { rows: rest, ..page });
        self.pages.with_leftover(leftover)
    }
}

impl Stream for RowStream {
    type Item = Result<Row>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(row) = self.current.next() {
                return Poll::Ready(Some(Ok(row)));
            }
            match ready!(self.pages.poll_next_unpin(cx)) {
                Some(Ok(mut page)) => {
                    self.current = std::mem::take(&mut page.rows).into_iter();
                    self.current_page = Some(page);
                }
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.current.len();
        if self.pages.is_terminated() {
            (buffered, Some(buffered))
        } else {
            (buffered, None)
        }
    }
}

impl FusedStream for RowStream {
    fn is_terminated(&self) -> bool {
        self.current.len() == 0 && self.pages.is_terminated()
    }
}

impl fmt::Debug for RowStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowStream")
            .field("pages", &self.pages)
            .field("buffered_rows", &self.current.len())
            .finish()
    }
}
