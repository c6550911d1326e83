//! The life of a query and the stream of its results.
//!
//! One spawned task per stream does the talking: it starts the query (or attaches to
//! one), polls it until it finishes, then fetches pages one after another, each with
//! the previous page's `NextToken`. Pages travel to the stream over a channel; a
//! semaphore of page credits keeps the task at most `prefetch` pages ahead of the
//! caller, so memory stays bounded whatever the size of the result. The task runs
//! beside the caller's code, which is what lets page N+1 arrive while page N is
//! processed, and it outlives a dropped stream just long enough to stop the query.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use aws_sdk_athena::operation::get_query_results::GetQueryResultsOutput;
use backon::{BackoffBuilder, Retryable};
use futures::Stream;
use futures::stream::FusedStream;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::{Instrument, debug, info, warn};

use crate::api::{ApiCallError, ApiResult, Operation};
use crate::athena::{Athena, Inner};
use crate::error::{ApiErrorKind, Error, Result};
use crate::execution::{HeaderRule, QueryExecution, QueryState};
use crate::query::{StartQueryExecution, new_client_request_token};
use crate::row::{ColumnInfo, ResultSetMetadata, Row};

/// Where a stream's rows come from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// Start this query.
    Start(StartQueryExecution),
    /// Read the results of an existing query, from the start or from a token.
    Attach {
        query_execution_id: String,
        next_token: Option<String>,
    },
}

/// What the task does once the query has succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Fetch and send the pages.
    Pages,
    /// Send the finished execution and end (for [`Athena::execute`]).
    WaitOnly,
}

/// Counters of one stream, updated by its task. Read through [`QueryStats`].
#[derive(Debug, Default)]
pub(crate) struct Stats {
    calls: [AtomicU64; 4],
    pages: AtomicU64,
    rows: AtomicU64,
    throttling_retries: AtomicU64,
    waiting_nanos: AtomicU64,
    fetching_nanos: AtomicU64,
}

impl Stats {
    fn count_call(&self, op: Operation) {
        self.calls[op.index()].fetch_add(1, Ordering::Relaxed);
    }

    fn add_time(counter: &AtomicU64, since: Instant) {
        let nanos = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
        counter.fetch_add(nanos, Ordering::Relaxed);
    }

    fn snapshot(&self) -> QueryStats {
        let calls = |op: Operation| self.calls[op.index()].load(Ordering::Relaxed);
        QueryStats {
            start_query_execution_calls: calls(Operation::StartQueryExecution),
            get_query_execution_calls: calls(Operation::GetQueryExecution),
            get_query_results_calls: calls(Operation::GetQueryResults),
            stop_query_execution_calls: calls(Operation::StopQueryExecution),
            pages: self.pages.load(Ordering::Relaxed),
            rows: self.rows.load(Ordering::Relaxed),
            throttling_retries: self.throttling_retries.load(Ordering::Relaxed),
            waiting: Duration::from_nanos(self.waiting_nanos.load(Ordering::Relaxed)),
            fetching: Duration::from_nanos(self.fetching_nanos.load(Ordering::Relaxed)),
        }
    }
}

/// What a stream has done so far: calls per operation (every attempt counts), pages,
/// rows, retries, and where the time went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryStats {
    /// `StartQueryExecution` calls (a re-run failed query or a retry counts again).
    pub start_query_execution_calls: u64,
    /// `GetQueryExecution` calls.
    pub get_query_execution_calls: u64,
    /// `GetQueryResults` calls.
    pub get_query_results_calls: u64,
    /// `StopQueryExecution` calls.
    pub stop_query_execution_calls: u64,
    /// Pages received.
    pub pages: u64,
    /// Data rows received (header rows excluded).
    pub rows: u64,
    /// Calls retried after throttling (`ThrottlingException`, `TooManyRequestsException`).
    pub throttling_retries: u64,
    /// Time from the start until the query finished.
    pub waiting: Duration,
    /// Time spent in `GetQueryResults` calls, retries included.
    pub fetching: Duration,
}

/// State shared by a stream and its task.
struct Shared {
    query_execution_id: Mutex<Option<String>>,
    execution: Mutex<Option<QueryExecution>>,
    metadata: Mutex<Option<Arc<ResultSetMetadata>>>,
    stats: Stats,
    /// Pages the task may still fetch before the caller is done with earlier ones.
    credits: Semaphore,
    /// Set to `true` by an explicit cancel.
    cancel: watch::Sender<bool>,
    /// The outcome of the stop sent on cancel, for [`RowStream::cancel`].
    stop_result: Mutex<Option<Result<()>>>,
}

impl Shared {
    fn new(prefetch: usize) -> Self {
        Shared {
            query_execution_id: Mutex::new(None),
            execution: Mutex::new(None),
            metadata: Mutex::new(None),
            stats: Stats::default(),
            credits: Semaphore::new(prefetch.saturating_add(1).min(Semaphore::MAX_PERMITS)),
            cancel: watch::Sender::new(false),
            stop_result: Mutex::new(None),
        }
    }
}

/// A lock that survives a panic elsewhere: the data is plain values, always consistent.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A message from the task to the stream.
enum Event {
    Page(ResultPage),
    /// Boxed: an execution is large and sent once, pages are many.
    Finished(Box<QueryExecution>),
    Error(Error),
}

/// One page of results, as one `GetQueryResults` call returned it (header row removed).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResultPage {
    /// 0-based number of this page among the pages this stream fetched.
    pub page_number: u64,
    /// The `NextToken` this page was fetched with (`None` for the first page).
    /// Resuming from it reads this page again.
    pub token: Option<String>,
    /// The `NextToken` for the page after this one (`None` on the last page): resume
    /// from it with [`Athena::resume`] to continue after this page.
    pub next_token: Option<String>,
    /// The data rows.
    pub rows: Vec<Row>,
}

impl ResultPage {
    /// The `NextToken` to resume from after this page (`None` on the last page).
    pub fn next_token(&self) -> Option<&str> {
        self.next_token.as_deref()
    }
}

enum PageState {
    NotStarted {
        source: Source,
        mode: Mode,
    },
    Running {
        events: mpsc::UnboundedReceiver<Event>,
        task: JoinHandle<()>,
    },
    Done,
}

/// A stream of the pages of a query's results. See [`RowStream::into_pages`].
#[must_use = "streams do nothing unless polled"]
pub struct PageStream {
    athena: Athena,
    shared: Arc<Shared>,
    state: PageState,
    /// A page was handed out and its credit is returned on the next poll.
    page_out: bool,
}

impl PageStream {
    fn new(athena: Athena, source: Source, mode: Mode) -> Self {
        let shared = Arc::new(Shared::new(athena.inner.config.prefetch));
        PageStream {
            athena,
            shared,
            state: PageState::NotStarted { source, mode },
            page_out: false,
        }
    }

    fn start_task(&mut self) {
        let PageState::NotStarted { source, mode } =
            std::mem::replace(&mut self.state, PageState::Done)
        else {
            return;
        };
        let (tx, events) = mpsc::unbounded_channel();
        let span = tracing::info_span!("athena_query", query_execution_id = tracing::field::Empty);
        let task = Task {
            inner: self.athena.inner.clone(),
            shared: self.shared.clone(),
            tx,
            mode,
            span: span.clone(),
        };
        let task = tokio::spawn(task.run(source).instrument(span));
        self.state = PageState::Running { events, task };
    }

    /// The `QueryExecutionId`, as soon as the query has been started (or at once when attached).
    pub fn query_execution_id(&self) -> Option<String> {
        lock(&self.shared.query_execution_id).clone()
    }

    /// The finished query execution, once the query has succeeded.
    pub fn query_execution(&self) -> Option<QueryExecution> {
        lock(&self.shared.execution).clone()
    }

    /// The columns of the result, once the first page has arrived.
    pub fn metadata(&self) -> Option<Arc<ResultSetMetadata>> {
        lock(&self.shared.metadata).clone()
    }

    /// Counters so far.
    pub fn stats(&self) -> QueryStats {
        self.shared.stats.snapshot()
    }

    /// Stops the query if it is still queued or running, and ends the stream.
    ///
    /// Returns once `StopQueryExecution` has been answered (or has failed beyond its retries).
    /// A query that already finished is not touched.
    pub async fn cancel(&mut self) -> Result<()> {
        match std::mem::replace(&mut self.state, PageState::Done) {
            PageState::Running { task, .. } => {
                self.shared.cancel.send_replace(true);
                // The task ends right after its stop call; a panic in it is not ours to rethrow.
                let _ = task.await;
                lock(&self.shared.stop_result).take().unwrap_or(Ok(()))
            }
            PageState::NotStarted { .. } | PageState::Done => Ok(()),
        }
    }

    /// Polls until the query has finished, without fetching pages.
    fn poll_finished(&mut self, cx: &mut Context<'_>) -> Poll<Result<QueryExecution>> {
        loop {
            if let PageState::NotStarted { .. } = self.state {
                self.start_task();
            }
            let PageState::Running { events, .. } = &mut self.state else {
                return Poll::Ready(Err(Error::invalid_config(
                    "the stream has already ended".to_owned(),
                )));
            };
            match ready!(events.poll_recv(cx)) {
                Some(Event::Finished(execution)) => {
                    self.state = PageState::Done;
                    return Poll::Ready(Ok(*execution));
                }
                Some(Event::Error(e)) => {
                    self.state = PageState::Done;
                    return Poll::Ready(Err(e));
                }
                Some(Event::Page(_)) => continue,
                None => {
                    self.state = PageState::Done;
                    return Poll::Ready(Err(Error::invalid_response(
                        "GetQueryExecution",
                        "the query ended without a final state",
                    )));
                }
            }
        }
    }
}

impl Stream for PageStream {
    type Item = Result<ResultPage>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let PageState::NotStarted { .. } = this.state {
            this.start_task();
        }
        // The caller asking again means it is done with the page it had.
        if std::mem::take(&mut this.page_out) {
            this.shared.credits.add_permits(1);
        }
        loop {
            let PageState::Running { events, .. } = &mut this.state else {
                return Poll::Ready(None);
            };
            match ready!(events.poll_recv(cx)) {
                Some(Event::Page(page)) => {
                    this.page_out = true;
                    return Poll::Ready(Some(Ok(page)));
                }
                Some(Event::Finished(_)) => continue,
                Some(Event::Error(e)) => {
                    this.state = PageState::Done;
                    return Poll::Ready(Some(Err(e)));
                }
                None => {
                    this.state = PageState::Done;
                    return Poll::Ready(None);
                }
            }
        }
    }
}

impl FusedStream for PageStream {
    fn is_terminated(&self) -> bool {
        matches!(self.state, PageState::Done)
    }
}

impl fmt::Debug for PageStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            PageState::NotStarted { .. } => "not started",
            PageState::Running { .. } => "running",
            PageState::Done => "done",
        };
        f.debug_struct("PageStream")
            .field("state", &state)
            .field("query_execution_id", &self.query_execution_id())
            .field("stats", &self.stats())
            .finish()
    }
}

/// The rows of a query's results, as a `Stream<Item = Result<Row>>`.
///
/// Made by [`Athena::query`], [`Athena::attach`] and [`Athena::resume`]. Lazy: no
/// request is sent before the first poll. The header row of a DML result is
/// dropped; NULL stays `None`, distinct from `""`. An error is yielded once and
/// then the stream ends.
///
/// Dropping the stream before the query finished stops the query (in a spawned
/// task, best effort, logged); [`cancel`](Self::cancel) does it and waits for the answer.
#[must_use = "streams do nothing unless polled"]
pub struct RowStream {
    pages: PageStream,
    current: std::vec::IntoIter<Row>,
    /// The page `current` came from, without its rows: what a partly read page is
    /// handed out with by [`into_pages`](Self::into_pages).
    current_page: Option<ResultPage>,
}

impl RowStream {
    pub(crate) fn new(athena: Athena, source: Source) -> Self {
        RowStream {
            pages: PageStream::new(athena, source, Mode::Pages),
            current: Vec::new().into_iter(),
            current_page: None,
        }
    }

    /// The `QueryExecutionId`, as soon as the query has been started (or at once when attached).
    pub fn query_execution_id(&self) -> Option<String> {
        self.pages.query_execution_id()
    }

    /// The finished query execution (statistics, output location, ...), once it succeeded.
    pub fn query_execution(&self) -> Option<QueryExecution> {
        self.pages.query_execution()
    }

    /// The columns of the result, once the first page has arrived.
    pub fn metadata(&self) -> Option<Arc<ResultSetMetadata>> {
        self.pages.metadata()
    }

    /// Counters so far: calls per operation, pages, rows, throttling retries, time.
    pub fn stats(&self) -> QueryStats {
        self.pages.stats()
    }

    /// Stops the query if it is still queued or running, and ends the stream.
    ///
    /// # Errors
    /// The error of `StopQueryExecution`, when it failed beyond its retries.
    pub async fn cancel(&mut self) -> Result<()> {
        self.current = Vec::new().into_iter();
        self.current_page = None;
        self.pages.cancel().await
    }

    /// The same results as a stream of whole pages, each with the `NextToken` to
    /// resume from. The rows not yet read of a page already partly read come first, as
    /// that page (same number and tokens) with only those rows.
    pub fn into_pages(self) -> impl Stream<Item = Result<ResultPage>> + Send + Unpin {
        let rest: Vec<Row> = self.current.collect();
        let leftover = self
            .current_page
            .filter(|_| !rest.is_empty())
            .map(|page| Ok(ResultPage { rows: rest, ..page }));
        futures::stream::iter(leftover).chain(self.pages)
    }

    pub(crate) async fn wait_for_completion(&mut self) -> Result<QueryExecution> {
        if let PageState::NotStarted { mode, .. } = &mut self.pages.state {
            *mode = Mode::WaitOnly;
        }
        std::future::poll_fn(|cx| self.pages.poll_finished(cx)).await
    }
}

use futures::StreamExt as _;

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

/// The work behind one stream.
struct Task {
    inner: Arc<Inner>,
    shared: Arc<Shared>,
    tx: mpsc::UnboundedSender<Event>,
    mode: Mode,
    span: tracing::Span,
}

/// Why the task must stop early.
enum Interrupt {
    /// The stream was dropped.
    Dropped,
    /// [`RowStream::cancel`] was called.
    Cancelled,
}

impl Task {
    async fn run(self, source: Source) {
        let result = self.run_inner(source).await;
        if let Err(e) = result {
            // The receiver may be gone: then nobody is left to tell.
            let _ = self.tx.send(Event::Error(e));
        }
    }

    async fn run_inner(&self, source: Source) -> Result<()> {
        let (execution, next_token) = match source {
            Source::Start(query) => (self.start_and_wait(query).await?, None),
            Source::Attach {
                query_execution_id,
                next_token,
            } => {
                self.set_id(&query_execution_id);
                let started = Instant::now();
                let wait = self.wait(&query_execution_id, started, false);
                let execution = match self.interruptible(wait).await {
                    Ok(result) => result?,
                    // Attached to someone else's query: stopping it is not ours to do
                    // on a drop, but an explicit cancel asks for it.
                    Err(Interrupt::Cancelled) => {
                        self.stop_on_cancel(&query_execution_id).await;
                        return Ok(());
                    }
                    Err(Interrupt::Dropped) => return Ok(()),
                };
                Stats::add_time(&self.shared.stats.waiting_nanos, started);
                match execution.state {
                    QueryState::Succeeded => {}
                    QueryState::Cancelled => return Err(execution.cancelled_error()),
                    _ => return Err(execution.failed_error(1)),
                }
                (execution, next_token)
            }
        };
        *lock(&self.shared.execution) = Some(execution.clone());
        if self.mode == Mode::WaitOnly {
            let _ = self.tx.send(Event::Finished(Box::new(execution)));
            return Ok(());
        }
        // The query has finished: nothing to stop any more, so a drop or a cancel
        // simply ends the paging.
        match self.interruptible(self.pages(&execution, next_token)).await {
            Ok(result) => result,
            Err(_) => Ok(()),
        }
    }

    /// Starts the query, re-running it when it fails retryably and retries are allowed.
    async fn start_and_wait(&self, query: StartQueryExecution) -> Result<QueryExecution> {
        query.validate()?;
        let started = Instant::now();
        let deadline = self.inner.config.query_timeout.map(|t| started + t);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let token = query
                .client_request_token
                .clone()
                .filter(|_| attempts == 1)
                .unwrap_or_else(new_client_request_token);
            // A start is never interrupted half-way: a query started by a request
            // whose answer was lost would run on unseen. Once the id is known, a drop
            // or a cancel stops it.
            let id = self.start(&query, &token).await?;
            self.set_id(&id);
            let wait = self.wait(&id, started, true);
            let execution = match self.interruptible(wait).await {
                Ok(result) => result?,
                Err(Interrupt::Cancelled) => {
                    self.stop_on_cancel(&id).await;
                    return Err(Error::QueryCancelled {
                        query_execution_id: id,
                        state_change_reason: "cancelled by the caller".to_owned(),
                    });
                }
                Err(Interrupt::Dropped) => {
                    info!(query_execution_id = %id, "stream dropped before the query finished: stopping it");
                    if let Err(e) = stop_query(&self.inner, &self.shared.stats, &id).await {
                        warn!(query_execution_id = %id, error = %e, "could not stop the query");
                    }
                    return Err(Error::QueryCancelled {
                        query_execution_id: id,
                        state_change_reason: "the stream was dropped".to_owned(),
                    });
                }
            };
            match execution.state {
                QueryState::Succeeded => {
                    Stats::add_time(&self.shared.stats.waiting_nanos, started);
                    return Ok(execution);
                }
                QueryState::Cancelled => return Err(execution.cancelled_error()),
                _ => {
                    let retryable = execution.athena_error.as_ref().is_some_and(|e| e.retryable);
                    let timed_out = deadline.is_some_and(|d| Instant::now() >= d);
                    if retryable && attempts <= self.inner.config.failed_query_retries && !timed_out
                    {
                        warn!(query_execution_id = %id, attempt = attempts, reason = ?execution.state_change_reason, "query failed retryably: running it again");
                        continue;
                    }
                    return Err(execution.failed_error(attempts));
                }
            }
        }
    }

    /// Races `work` against a drop of the stream and an explicit cancel.
    async fn interruptible<T>(
        &self,
        work: impl Future<Output = T>,
    ) -> std::result::Result<T, Interrupt> {
        let mut cancel = self.shared.cancel.subscribe();
        tokio::select! {
            biased;
            _ = self.tx.closed() => Err(Interrupt::Dropped),
            _ = cancel.wait_for(|c| *c) => Err(Interrupt::Cancelled),
            value = work => Ok(value),
        }
    }

    async fn stop_on_cancel(&self, id: &str) {
        let result = stop_query(&self.inner, &self.shared.stats, id).await;
        if let Err(e) = &result {
            warn!(query_execution_id = %id, error = %e, "could not stop the query");
        }
        *lock(&self.shared.stop_result) = Some(result);
    }

    fn set_id(&self, id: &str) {
        self.span.record("query_execution_id", id);
        *lock(&self.shared.query_execution_id) = Some(id.to_owned());
    }

    async fn start(&self, query: &StartQueryExecution, token: &str) -> Result<String> {
        let id = call(
            &self.inner,
            &self.shared.stats,
            Operation::StartQueryExecution,
            || self.inner.api.start_query_execution(query, token),
        )
        .await?;
        let id = id.filter(|id| !id.is_empty()).ok_or_else(|| {
            Error::invalid_response(
                "StartQueryExecution",
                "the response has no QueryExecutionId",
            )
        })?;
        info!(query_execution_id = %id, "query started");
        Ok(id)
    }

    /// Polls `GetQueryExecution` until the query is final (or the timeout passes: then
    /// the query is stopped and the error returned).
    async fn wait(&self, id: &str, started: Instant, fresh: bool) -> Result<QueryExecution> {
        let deadline = self.inner.config.query_timeout.map(|t| started + t);
        let mut delays = self.inner.config.polling.build();
        let mut last_state = None;
        // A query that was just started is never finished yet: wait before the first poll.
        let mut delay = if fresh { delays.next() } else { None };
        // A FAILED that Athena marks retryable may turn back to QUEUED: look once more.
        let mut failed_seen = false;
        loop {
            if let Some(delay) = delay {
                let wake = Instant::now() + delay;
                match deadline {
                    Some(deadline) if deadline <= wake => {
                        tokio::time::sleep_until(deadline).await;
                        return Err(self.time_out(id).await);
                    }
                    _ => tokio::time::sleep_until(wake).await,
                }
            }
            let execution = call(
                &self.inner,
                &self.shared.stats,
                Operation::GetQueryExecution,
                || self.inner.api.get_query_execution(id),
            )
            .await?;
            let execution = QueryExecution::from_sdk(execution, id)?;
            if last_state != Some(execution.state) {
                debug!(query_execution_id = %id, state = execution.state.as_str(), reason = ?execution.state_change_reason, "query state");
                last_state = Some(execution.state);
            }
            let confirm = execution.state == QueryState::Failed
                && !failed_seen
                && execution.athena_error.as_ref().is_some_and(|e| e.retryable);
            if execution.state.is_final() && !confirm {
                info!(query_execution_id = %id, state = execution.state.as_str(), "query finished");
                return Ok(execution);
            }
            failed_seen |= execution.state == QueryState::Failed;
            delay = Some(delays.next().unwrap_or(Duration::from_secs(5)));
        }
    }

    async fn time_out(&self, id: &str) -> Error {
        let timeout = self.inner.config.query_timeout.unwrap_or_default();
        warn!(query_execution_id = %id, ?timeout, "query timed out: stopping it");
        if let Err(e) = stop_query(&self.inner, &self.shared.stats, id).await {
            warn!(query_execution_id = %id, error = %e, "could not stop the timed-out query");
        }
        Error::QueryTimedOut {
            query_execution_id: id.to_owned(),
            timeout,
        }
    }

    /// Fetches the pages one after another and sends them to the stream.
    async fn pages(&self, execution: &QueryExecution, mut token: Option<String>) -> Result<()> {
        let id = execution.query_execution_id.as_str();
        // The header rule applies to the very first page only, never to a resumed one.
        let mut header = if token.is_none() {
            execution.first_row_is_header()
        } else {
            HeaderRule::Never
        };
        // Hashes of the tokens seen: enough to catch a loop without keeping the tokens.
        let hasher = RandomState::new();
        let mut seen = HashSet::new();
        if let Some(t) = &token {
            seen.insert(hasher.hash_one(t));
        }
        let mut page_number = 0u64;
        let mut row_number = 0u64;
        loop {
            // Wait until the caller is done with enough pages: this bounds memory.
            match self.shared.credits.acquire().await {
                Ok(permit) => permit.forget(),
                Err(_) => return Ok(()),
            }
            let started = Instant::now();
            let output = call(
                &self.inner,
                &self.shared.stats,
                Operation::GetQueryResults,
                || {
                    self.inner.api.get_query_results(
                        id,
                        token.as_deref(),
                        self.inner.config.page_size,
                    )
                },
            )
            .await;
            Stats::add_time(&self.shared.stats.fetching_nanos, started);
            let output = output?;
            let next_token = output.next_token.clone().filter(|t| !t.is_empty());
            let rows = self.rows(id, output, header, row_number)?;
            header = HeaderRule::Never;
            debug!(
                query_execution_id = %id,
                page = page_number,
                rows = rows.len(),
                latency_ms = started.elapsed().as_secs_f64() * 1000.0,
                "page fetched"
            );
            row_number += rows.len() as u64;
            self.shared.stats.pages.fetch_add(1, Ordering::Relaxed);
            self.shared
                .stats
                .rows
                .fetch_add(rows.len() as u64, Ordering::Relaxed);
            // The rows of this page are real whatever its token says: hand them over
            // first, then refuse to follow a token that would read pages again.
            let repeated = next_token
                .as_ref()
                .is_some_and(|next| !seen.insert(hasher.hash_one(next)));
            let page = ResultPage {
                page_number,
                token: token.take(),
                next_token: next_token.clone(),
                rows,
            };
            if self.tx.send(Event::Page(page)).is_err() {
                return Ok(());
            }
            page_number += 1;
            match next_token {
                Some(next) if repeated => {
                    return Err(Error::RepeatedNextToken {
                        query_execution_id: id.to_owned(),
                        next_token: next,
                    });
                }
                Some(next) => token = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// Checks one page and turns it into rows.
    fn rows(
        &self,
        id: &str,
        output: GetQueryResultsOutput,
        header: HeaderRule,
        first_row_number: u64,
    ) -> Result<Vec<Row>> {
        const OP: &str = "GetQueryResults";
        let result_set = output
            .result_set
            .ok_or_else(|| Error::invalid_response(OP, "the response has no ResultSet"))?;
        let metadata = {
            let mut known = lock(&self.shared.metadata);
            match &*known {
                Some(m) => m.clone(),
                None => {
                    let columns = result_set
                        .result_set_metadata
                        .and_then(|m| m.column_info)
                        .ok_or_else(|| {
                            Error::invalid_response(
                                OP,
                                "the response has no ResultSetMetadata.ColumnInfo",
                            )
                        })?;
                    let m = Arc::new(ResultSetMetadata::new(
                        columns.into_iter().map(column_info).collect(),
                    ));
                    *known = Some(m.clone());
                    m
                }
            }
        };
        let mut raw = result_set.rows.unwrap_or_default().into_iter().peekable();
        let drop_first = match header {
            HeaderRule::Always => true,
            HeaderRule::IfColumnNames => raw.peek().is_some_and(|row| {
                let data = row.data.as_deref().unwrap_or_default();
                data.len() == metadata.len()
                    && data
                        .iter()
                        .zip(metadata.columns())
                        .all(|(d, c)| d.var_char_value.as_deref() == Some(c.name.as_str()))
            }),
            HeaderRule::Never => false,
        };
        if drop_first {
            raw.next();
        }
        let mut rows = Vec::with_capacity(raw.len());
        for (i, row) in raw.enumerate() {
            let row_number = first_row_number + i as u64;
            let values: Vec<Option<String>> = row
                .data
                .unwrap_or_default()
                .into_iter()
                .map(|d| d.var_char_value)
                .collect();
            if values.len() != metadata.len() {
                return Err(Error::RowShape {
                    query_execution_id: id.to_owned(),
                    row_number,
                    values: values.len(),
                    columns: metadata.len(),
                });
            }
            rows.push(Row::new(metadata.clone(), row_number, values));
        }
        Ok(rows)
    }
}

fn column_info(c: aws_sdk_athena::types::ColumnInfo) -> ColumnInfo {
    let mut column = ColumnInfo::new(c.name, c.r#type);
    if let Some(label) = c.label {
        column.label = label;
    }
    column.precision = c.precision;
    column.scale = c.scale;
    column.nullable = c.nullable.map(|n| n.as_str().to_owned());
    column.case_sensitive = c.case_sensitive;
    column
}

/// One call, retried with the handle's retry policy while its errors are throttling or transient.
async fn call<'a, T, F>(inner: &'a Inner, stats: &'a Stats, op: Operation, mut f: F) -> Result<T>
where
    F: FnMut() -> futures::future::BoxFuture<'a, ApiResult<T>>,
{
    let attempts = AtomicU64::new(0);
    let result = (|| {
        attempts.fetch_add(1, Ordering::Relaxed);
        stats.count_call(op);
        f()
    })
    .retry(inner.config.retry)
    .sleep(tokio::time::sleep)
    .when(|e: &ApiCallError| e.kind.is_retryable())
    .notify(|e: &ApiCallError, delay: Duration| {
        if matches!(e.kind, ApiErrorKind::Throttling | ApiErrorKind::ConcurrentQueryLimit) {
            stats.throttling_retries.fetch_add(1, Ordering::Relaxed);
        }
        warn!(operation = op.name(), kind = ?e.kind, code = ?e.code, message = %e.message, ?delay, "retrying");
    })
    .await;
    result.map_err(|e| {
        let n = u32::try_from(attempts.load(Ordering::Relaxed)).unwrap_or(u32::MAX);
        e.into_error(op, n)
    })
}

/// `StopQueryExecution`, retried like any call.
pub(crate) async fn stop_query(inner: &Inner, stats: &Stats, id: &str) -> Result<()> {
    let result = call(inner, stats, Operation::StopQueryExecution, || {
        inner.api.stop_query_execution(id)
    })
    .await;
    match &result {
        Ok(()) => info!(query_execution_id = %id, "StopQueryExecution sent"),
        Err(e) => warn!(query_execution_id = %id, error = %e, "StopQueryExecution failed"),
    }
    result
}
