//! The task behind a stream: the query's life, then its pages from a page source.
//!
//! One spawned task per stream does the talking, beside the caller's code: that is what
//! lets page N+1 arrive while page N is processed. Pages travel to the stream over a
//! channel; a semaphore of page credits keeps the task at most `prefetch` pages ahead
//! of the caller, so memory stays bounded whatever the size of the result. The task
//! outlives a dropped stream just long enough to stop the query.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{Semaphore, mpsc, watch};

use crate::client::ClientCore;
use crate::error::Error;
use crate::error::Result;
use crate::execution::QueryExecution;
use crate::page::source::PageSource;
use crate::page::{ResultPage, ResumeFrom, Shape};
use crate::progress::QueryProgress;
use crate::query::StartQueryExecution;
use crate::result_file::open::{Opened, open};
use crate::result_file::source::StartAt;
use crate::row::ResultSetMetadata;
use crate::settings::ReadPath;
use crate::stats::Stats;
use crate::stream::get_query_results::QueryResultsPager;
use crate::stream::interrupt::Interrupts;
use crate::stream::lifecycle::{Ended, Lifecycle, Seen, Target};
use crate::stream::read_path::AutoSource;

/// Where a stream's rows come from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// Start this query.
    Start(StartQueryExecution),
    /// Read the results of an existing query, from the start or from where a page
    /// said to resume.
    Attach {
        query_execution_id: String,
        resume: Option<ResumeFrom>,
    },
}

/// What a stream and its task share.
#[derive(Debug)]
pub(crate) struct Shared {
    query_execution_id: Mutex<Option<String>>,
    execution: Mutex<Option<QueryExecution>>,
    /// What the last poll found, while the query runs too.
    polled: Mutex<Option<QueryExecution>>,
    metadata: Mutex<Option<Arc<ResultSetMetadata>>>,
    pub(crate) stats: Arc<Stats>,
    /// Pages the task may still fetch before the caller is done with earlier ones.
    pub(crate) credits: Semaphore,
    /// What the polls say, for [`RowStream::progress`](crate::RowStream::progress).
    pub(crate) progress: watch::Sender<QueryProgress>,
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
            polled: Mutex::new(None),
            metadata: Mutex::new(None),
            stats: Arc::new(Stats::default()),
            credits: Semaphore::new(prefetch.saturating_add(1).min(Semaphore::MAX_PERMITS)),
            progress: watch::Sender::new(QueryProgress::default()),
        }
    }

    pub(crate) fn query_execution_id(&self) -> Option<String> {
        lock(&self.query_execution_id).clone()
    }

    pub(crate) fn query_execution(&self) -> Option<QueryExecution> {
        lock(&self.execution).clone()
    }

    pub(crate) fn polled_execution(&self) -> Option<QueryExecution> {
        lock(&self.polled).clone()
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
    shape: Shape,
    mut interrupts: Interrupts,
    pages: mpsc::UnboundedSender<Result<ResultPage>>,
) -> Option<Result<()>> {
    let mut asked = None;
    let (target, resume_from) = match source {
        Source::Start(query) => {
            asked = Some(query.result_configuration.as_ref().clone());
            (Target::Start(query), None)
        }
        Source::Attach {
            query_execution_id,
            resume,
        } => (Target::Attach(query_execution_id), resume),
    };
    let span = tracing::Span::current();
    let observer = |seen: Seen<'_>| match seen {
        Seen::Id(id) => {
            span.record("query_execution_id", id);
            *lock(&shared.query_execution_id) = Some(id.to_owned());
        }
        Seen::Polled(execution) => *lock(&shared.polled) = Some(execution.clone()),
    };
    let ended = Lifecycle::new(&core, &shared.stats, &mut interrupts, &observer)
        .with_progress(&shared.progress)
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
    // Which settings Athena used, and which of the query's the workgroup replaced.
    let overridden = asked.map_or_else(Vec::new, |asked| {
        asked.overridden_in(&execution.result_configuration)
    });
    shared
        .stats
        .set_result_configuration(execution.result_configuration.clone(), overridden);
    *lock(&shared.execution) = Some(execution.clone());
    // Choosing the source makes calls of its own (HeadObject, .csv.metadata): a drop
    // or cancel meanwhile simply ends the stream, the query has finished.
    let source = tokio::select! {
        biased;
        _ = interrupts.fired() => return None,
        source = page_source(&core, &shared.stats, execution, resume_from, shape) => source,
    };
    match source {
        Ok(source) => send_pages(source, &shared, &mut interrupts, &pages).await,
        Err(e) => {
            let _ = pages.send(Err(e));
        }
    }
    None
}

/// The page source for a finished query, by the read path and where to resume.
async fn page_source(
    core: &Arc<ClientCore>,
    stats: &Arc<Stats>,
    execution: QueryExecution,
    resume: Option<ResumeFrom>,
    shape: Shape,
) -> Result<Box<dyn PageSource>> {
    let pager = |token| QueryResultsPager::new(core.clone(), stats.clone(), &execution, token);
    let start = match resume {
        Some(ResumeFrom::NextToken(token)) => {
            stats.set_read_path(ReadPath::Api, None);
            return Ok(Box::new(pager(Some(token))));
        }
        Some(ResumeFrom::ResultFile { offset, row_number }) => StartAt::Row { offset, row_number },
        None => match core.settings.read_path {
            ReadPath::Api => {
                stats.set_read_path(ReadPath::Api, None);
                return Ok(Box::new(pager(None)));
            }
            ReadPath::Auto => {
                let pager = pager(None);
                let auto = AutoSource::new(core.clone(), stats.clone(), execution, pager, shape);
                return Ok(Box::new(auto));
            }
            ReadPath::ResultFile => StartAt::Beginning { skip: 0 },
        },
    };
    match open(core, stats, &execution, start, None, &shape).await? {
        Opened::File(source) => {
            stats.set_read_path(ReadPath::ResultFile, None);
            Ok(source)
        }
        Opened::Unreadable(why) => Err(Error::ResultFileUnreadable {
            query_execution_id: execution.query_execution_id.clone(),
            reason: why.to_string(),
        }),
    }
}

/// Sends the pages of a finished query, each once the caller has room for it. The query
/// has finished, so there is nothing to stop: an interrupt simply ends the paging.
async fn send_pages(
    mut source: Box<dyn PageSource>,
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
