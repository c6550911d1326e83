//! The stream of a query's result pages: a thin adaptor over the task of
//! [`driver`](crate::stream::driver), which it starts on its first poll.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures::Stream;
use futures::stream::FusedStream;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::client::ClientCore;
use crate::error::Result;
use crate::execution::QueryExecution;
use crate::page::{ResultPage, Shape};
use crate::progress::QueryProgress;
use crate::row::ResultSetMetadata;
use crate::stats::QueryStats;
use crate::stream::driver::{self, Shared, Source};
use crate::stream::interrupt::{self, InterruptGuard};

enum State {
    NotStarted(Source),
    Running {
        pages: mpsc::UnboundedReceiver<Result<ResultPage>>,
        task: JoinHandle<Option<Result<()>>>,
        /// Dropped with the stream (or when it ends): tells the task to stop.
        guard: InterruptGuard,
    },
    Done,
}

/// A stream of the pages of a query's results: `Stream<Item = Result<ResultPage>>`.
///
/// Made by [`RowStream::into_pages`](crate::RowStream::into_pages); lazy, fetching ahead,
/// stopping a dropped query and failing once exactly as the [`RowStream`](crate::RowStream)
/// it came from.
#[must_use = "streams do nothing unless polled"]
pub struct PageStream {
    core: Arc<ClientCore>,
    shared: Arc<Shared>,
    state: State,
    /// The rest of a page the row stream had partly read, handed out first.
    leftover: Option<ResultPage>,
    /// A page was handed out and its credit is returned on the next poll.
    page_out: bool,
    /// What the pages hold, fixed when the task starts.
    shape: Shape,
}

impl PageStream {
    pub(crate) fn new(core: Arc<ClientCore>, source: Source) -> Self {
        let shared = Arc::new(Shared::new(core.settings.prefetch));
        PageStream {
            core,
            shared,
            state: State::NotStarted(source),
            leftover: None,
            page_out: false,
            shape: Shape::Rows,
        }
    }

    /// Whether the task has not started yet: the shape of the pages can still change.
    #[cfg(feature = "arrow")]
    pub(crate) fn set_shape(&mut self, shape: Shape) -> bool {
        let fresh = matches!(self.state, State::NotStarted(_)) && self.leftover.is_none();
        if fresh {
            self.shape = shape;
        }
        fresh
    }

    pub(crate) fn with_leftover(mut self, page: Option<ResultPage>) -> Self {
        self.leftover = page;
        self
    }

    fn start_task(&mut self) {
        let State::NotStarted(source) = std::mem::replace(&mut self.state, State::Done) else {
            return;
        };
        let (pages_tx, pages) = mpsc::unbounded_channel();
        let (guard, interrupts) = interrupt::channel();
        let span = tracing::info_span!("athena_query", query_execution_id = tracing::field::Empty);
        let task = tokio::spawn(
            driver::drive(
                self.core.clone(),
                self.shared.clone(),
                source,
                self.shape.clone(),
                interrupts,
                pages_tx,
            )
            .instrument(span),
        );
        self.state = State::Running { pages, task, guard };
    }

    /// The `QueryExecutionId`, as soon as the query has been started (or at once when
    /// attached).
    pub fn query_execution_id(&self) -> Option<String> {
        self.shared.query_execution_id()
    }

    /// The finished query execution (statistics, output location, ...), once it succeeded.
    pub fn query_execution(&self) -> Option<QueryExecution> {
        self.shared.query_execution()
    }

    /// The query execution as the last `GetQueryExecution` described it, while it is
    /// still queued or running too: its state and statistics (data scanned so far), for
    /// a progress display. [`query_execution`](Self::query_execution) is the final one.
    pub fn polled_execution(&self) -> Option<QueryExecution> {
        self.shared.polled_execution()
    }

    /// The columns of the result, once the first page has arrived.
    pub fn metadata(&self) -> Option<Arc<ResultSetMetadata>> {
        self.shared.metadata()
    }

    /// Counters so far: calls per operation, pages, rows, retries, time.
    pub fn stats(&self) -> QueryStats {
        self.shared.stats.snapshot()
    }

    /// The query's progress as its status polls see it, on a watch channel (see
    /// [`QueryProgress`]). Looking costs nothing more than the polls themselves, except
    /// one `GetQueryRuntimeStatistics` call per poll while a receiver exists and the
    /// query runs.
    pub fn progress(&self) -> watch::Receiver<QueryProgress> {
        self.shared.progress.subscribe()
    }

    /// Stops the query if it is still queued or running, and ends the stream. Returns
    /// once `StopQueryExecution` has been answered; a query that already finished is not
    /// touched. On an attached stream it stops the query too (dropping one does not).
    ///
    /// Cancel-safe: if this future is dropped before it completes, the stream has ended
    /// and the stop is still sent.
    ///
    /// # Errors
    /// The error of `StopQueryExecution`, when it failed beyond its retries.
    pub async fn cancel(&mut self) -> Result<()> {
        self.leftover = None;
        match std::mem::replace(&mut self.state, State::Done) {
            State::Running { task, guard, .. } => {
                guard.cancel();
                // The task ends right after its stop call; a panic in it is not ours to
                // rethrow, and a task that ended otherwise had nothing to stop.
                task.await.ok().flatten().unwrap_or(Ok(()))
            }
            State::NotStarted(_) | State::Done => Ok(()),
        }
    }
}

impl Stream for PageStream {
    type Item = Result<ResultPage>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Some(page) = this.leftover.take() {
            return Poll::Ready(Some(Ok(page)));
        }
        if let State::NotStarted(_) = this.state {
            this.start_task();
        }
        // The caller asking again means it is done with the page it had.
        if std::mem::take(&mut this.page_out) {
            this.shared.credits.add_permits(1);
        }
        let State::Running { pages, .. } = &mut this.state else {
            return Poll::Ready(None);
        };
        match ready!(pages.poll_recv(cx)) {
            Some(Ok(page)) => {
                this.page_out = true;
                Poll::Ready(Some(Ok(page)))
            }
            Some(Err(e)) => {
                this.state = State::Done;
                Poll::Ready(Some(Err(e)))
            }
            None => {
                this.state = State::Done;
                Poll::Ready(None)
            }
        }
    }
}

impl FusedStream for PageStream {
    fn is_terminated(&self) -> bool {
        self.leftover.is_none() && matches!(self.state, State::Done)
    }
}

impl fmt::Debug for PageStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::NotStarted(_) => "not started",
            State::Running { .. } => "running",
            State::Done => "done",
        };
        f.debug_struct("PageStream")
            .field("state", &state)
            .field("query_execution_id", &self.query_execution_id())
            .field("stats", &self.stats())
            .finish()
    }
}
