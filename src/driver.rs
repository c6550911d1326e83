//! The task behind a stream: the query's life, then its pages from a page source.
//!
//! One spawned task per stream does the talking, beside the caller's code: that is what
//! lets page N+1 arrive while page N is processed. Pages travel to the stream over a
//! channel; a semaphore of page credits keeps the task at most `prefetch` pages ahead
//! of the caller, so memory stays bounded whatever the size of the result. The task
//! outlives a dropped stream just long enough to stop the query.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{Semaphore, mpsc};

use crate::client::ClientCore;
use crate::error::Result;
use crate::execution::QueryExecution;
use crate::interrupt::Interrupts;
use crate::lifecycle::{Ended, Lifecycle, Target};
use crate::page::ResultPage;
use crate::page_source::PageSource;
use crate::page_source::get_query_results::QueryResultsPager;
use crate::query::StartQueryExecution;
use crate::row::ResultSetMetadata;
use crate::stats::Stats;

/// Where a stream's rows come from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// Start this query.
    Start(StartQueryExecution),
    /// Read the results of an existing query, from the start or from a `NextToken`.
    Attach {
        query_execution_id: String,
        next_token: Option<String>,
    },
}

/// What a stream and its task share.
#[derive(Debug)]
pub(crate) struct Shared {
    query_execution_id: Mutex<Option<String>>,
    execution: Mutex<Option<QueryExecution>>,
    metadata: Mutex<Option<Arc<ResultSetMetadata>>>,
    pub(crate) stats: Arc<Stats>,
    /// Pages the task may still fetch before the caller is done with earlier ones.
    pub(crate) credits: Semaphore,
}

/// A lock that survives a panic elsewhere: the data is plain values, always consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// `prefetch + 1` credits: the page the caller holds plus the pages fetched ahead.
    pub(crate) fn new(prefetch: usize) -> Self {
        Shared {
            query_execution_id: Mutex::new(None),
            execution: Mutex::new(None),
            metadata: Mutex::new(None),
            stats: Arc::new(Stats::default()),
            credits: Semaphore::new(prefetch.saturating_add(1).min(Semaphore::MAX_PERMITS)),
        }
    }

    pub(crate) fn query_execution_id(&self) -> Option<String> {
        lock(&self.query_execution_id).clone()
    }

    pub(crate) fn query_execution(&self) -> Option<QueryExecution> {
        lock(&self.execution).clone()
    }

    pub(crate) fn metadata(&self) -> Option<Arc<ResultSetMetadata>> {
        lock(&self.metadata).clone()
    }
}

/// Runs a stream's query and sends its pages. Returns the result of the
/// `StopQueryExecution` sent because of an interrupt, if one was sent (what
/// `cancel()` reports).
pub(crate) async fn drive(
    core: Arc<ClientCore>,
    shared: Arc<Shared>,
    source: Source,
    mut interrupts: Interrupts,
    pages: mpsc::UnboundedSender<Result<ResultPage>>,
) -> Option<Result<()>> {
    let (target, resume_from) = match source {
        Source::Start(query) => (Target::Start(query), None),
        Source::Attach {
            query_execution_id,
            next_token,
        } => (Target::Attach(query_execution_id), next_token),
    };
    let span = tracing::Span::current();
    let on_id = |id: &str| {
        span.record("query_execution_id", id);
        *lock(&shared.query_execution_id) = Some(id.to_owned());
    };
    let ended = Lifecycle::new(&core, &shared.stats, &mut interrupts, &on_id)
        .run(target)
        .await;
    let execution = match ended {
        Ok(Ended::Succeeded(execution)) => *execution,
        Ok(Ended::Interrupted(stop)) => return stop,
        Err(e) => {
            // The stream may be gone: then nobody is left to tell.
            let _ = pages.send(Err(e));
            return None;
        }
    };
    *lock(&shared.execution) = Some(execution.clone());
    let source =
        QueryResultsPager::new(core.clone(), shared.stats.clone(), &execution, resume_from);
    send_pages(source, &shared, &mut interrupts, &pages).await;
    None
}

/// Sends the pages of a finished query, each once the caller has room for it. The query
/// has finished, so there is nothing to stop: an interrupt simply ends the paging.
async fn send_pages(
    mut source: impl PageSource,
    shared: &Shared,
    interrupts: &mut Interrupts,
    pages: &mpsc::UnboundedSender<Result<ResultPage>>,
) {
    loop {
        // Wait until the caller is done with enough pages: this bounds memory.
        tokio::select! {
            biased;
            _ = interrupts.fired() => return,
            permit = shared.credits.acquire() => match permit {
                Ok(permit) => permit.forget(),
                Err(_) => return,
            },
        }
        let page = tokio::select! {
            biased;
            _ = interrupts.fired() => return,
            page = source.next_page() => page,
        };
        {
            // Known with the first page, even when that page turned out to be bad.
            let mut metadata = lock(&shared.metadata);
            if metadata.is_none() {
                *metadata = source.metadata();
            }
        }
        match page {
            Ok(Some(page)) => {
                if pages.send(Ok(page)).is_err() {
                    return;
                }
            }
            Ok(None) => return,
            Err(e) => {
                let _ = pages.send(Err(e));
                return;
            }
        }
    }
}
