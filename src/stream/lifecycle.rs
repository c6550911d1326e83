//! The life of a query: started (or attached to), polled until its state is final,
//! run again after a retryable failure when the settings allow it, and stopped when the
//! caller goes away first.
//!
//! It reads as one async function per phase: [`Lifecycle::run_started`] and
//! [`Lifecycle::run_attached`] drive the phases, [`Lifecycle::start`] sends the start,
//! [`Lifecycle::wait`] polls until the state is final.

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;
use tracing::{debug, info, warn};

use crate::client::ClientCore;
use crate::error::{Error, Operation, Result};
use crate::execution::{QueryExecution, QueryState};
use crate::progress::QueryProgress;
use crate::query::{StartQueryExecution, new_client_request_token};
use crate::stats::Stats;
use crate::stream::interrupt::{Interrupt, Interrupts};

/// Which query to follow.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// Start this one: it is ours, so it is stopped if the caller goes away first.
    Start(StartQueryExecution),
    /// Follow one started elsewhere: a drop leaves it running, a cancel stops it.
    Attach(String),
}

/// How a query's life ended, when it did not end in an error.
#[derive(Debug)]
pub(crate) enum Ended {
    /// `SUCCEEDED`: its results can be read. (Boxed: an execution is large.)
    Succeeded(Box<QueryExecution>),
    /// The caller went away or cancelled first; with the result of the stop that was
    /// sent, if one was.
    Interrupted(Option<Result<()>>),
}

/// Why [`Lifecycle::wait`] returned.
enum Waited {
    Final(Box<QueryExecution>),
    Interrupted(Interrupt),
    TimedOut,
}

/// Whether [`Lifecycle::wait`] polls before its first delay.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FirstPoll {
    /// A query just started is never finished yet: wait one polling delay first.
    AfterDelay,
    /// An attached query may have finished long ago.
    AtOnce,
}

/// What a query's life tells its surroundings as it goes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seen<'a> {
    /// The `QueryExecutionId`, as soon as it is known.
    Id(&'a str),
    /// What a poll found (a state that may not be final yet).
    Polled(&'a QueryExecution),
}

/// One query's life, with what it needs from its surroundings.
pub(crate) struct Lifecycle<'a> {
    core: &'a ClientCore,
    stats: &'a Stats,
    interrupts: &'a mut Interrupts,
    /// Told the id and every poll's answer.
    observer: &'a (dyn Fn(Seen<'_>) + Send + Sync),
    /// When the life began: the query timeout and the waiting time count from here.
    began: Instant,
    /// Where progress is published, if anywhere.
    progress: Option<&'a watch::Sender<QueryProgress>>,
    /// Cleared when `GetQueryRuntimeStatistics` was refused for good: the service
    /// lacks it, or this identity may not call it.
    runtime_statistics: bool,
}

impl<'a> Lifecycle<'a> {
    pub(crate) fn new(
        core: &'a ClientCore,
        stats: &'a Stats,
        interrupts: &'a mut Interrupts,
        observer: &'a (dyn Fn(Seen<'_>) + Send + Sync),
    ) -> Self {
        Lifecycle {
            core,
            stats,
            interrupts,
            observer,
            began: Instant::now(),
            progress: None,
            runtime_statistics: true,
        }
    }

    /// Publishes what every poll finds on `progress`, with `GetQueryRuntimeStatistics`
    /// while someone watches.
    pub(crate) fn with_progress(mut self, progress: &'a watch::Sender<QueryProgress>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Tells the observer and the progress watchers the query's id.
    fn seen_id(&self, id: &str) {
        (self.observer)(Seen::Id(id));
        if let Some(progress) = self.progress {
            progress.send_modify(|p| p.query_execution_id = Some(id.to_owned()));
        }
    }

    /// Publishes a poll's answer, with the runtime statistics when someone watches and
    /// the query has begun to run. Those are only for show: a failure of the call is
    /// logged and never fails the query, and one that cannot succeed (a service
    /// without the call, a permission missing) is not tried again.
    async fn publish(
        core: &ClientCore,
        stats: &Stats,
        progress: Option<&watch::Sender<QueryProgress>>,
        runtime_statistics: &mut bool,
        id: &str,
        execution: &QueryExecution,
    ) {
        let Some(progress) = progress else {
            return;
        };
        let wanted = *runtime_statistics
            && progress.receiver_count() > 0
            && execution.state != QueryState::Queued;
        let runtime = if wanted {
            match core.api.get_query_runtime_statistics(id, stats).await {
                Ok(runtime) => Some(runtime),
                Err(e) => {
                    if !e.is_retryable() {
                        *runtime_statistics = false;
                    }
                    debug!(query_execution_id = %id, error = ?e, "GetQueryRuntimeStatistics gave no statistics");
                    None
                }
            }
        } else {
            None
        };
        progress.send_modify(|p| {
            p.polled(execution);
            if runtime.is_some() {
                p.runtime_statistics = runtime;
            }
        });
    }

    /// Stops a query the cost guard caught and returns the error that says so.
    async fn over_limit(&self, id: &str, scanned: u64, limit: u64) -> Error {
        warn!(query_execution_id = %id, scanned, limit, "the query scanned more than max_bytes_scanned: stopping it");
        // A failed stop is logged by `stop`; the limit is the error to report.
        let _ = self.core.stop(self.stats, id).await;
        Error::BytesScannedLimitExceeded {
            query_execution_id: id.to_owned(),
            data_scanned_in_bytes: scanned,
            max_bytes_scanned: limit,
        }
    }

    /// Follows the query until it succeeded, failed, was cancelled or timed out, or the
    /// caller interrupted.
    pub(crate) async fn run(mut self, target: Target) -> Result<Ended> {
        match target {
            Target::Start(query) => self.run_started(query).await,
            Target::Attach(id) => self.run_attached(id).await,
        }
    }

    async fn run_started(&mut self, query: StartQueryExecution) -> Result<Ended> {
        query.validate()?;
        let mut run = 1;
        loop {
            let id = self.start(&query, run).await?;
            let execution = match self.wait(&id, FirstPoll::AfterDelay).await? {
                Waited::Final(execution) => *execution,
                // Ours: stopped whether the caller dropped the stream or cancelled.
                Waited::Interrupted(why) => {
                    info!(query_execution_id = %id, ?why, "interrupted before the query finished: stopping it");
                    return Ok(Ended::Interrupted(Some(
                        self.core.stop(self.stats, &id).await,
                    )));
                }
                Waited::TimedOut => return Err(self.time_out(&id).await),
            };
            match execution.state {
                QueryState::Succeeded => return Ok(self.succeeded(execution)),
                QueryState::Cancelled => return Err(execution.cancelled_error()),
                _ if self.may_run_again(&execution, run) => {
                    warn!(query_execution_id = %id, run, reason = ?execution.state_change_reason, "query failed retryably: running it again");
                    run += 1;
                }
                _ => return Err(execution.failed_error(run)),
            }
        }
    }

    async fn run_attached(&mut self, id: String) -> Result<Ended> {
        self.seen_id(&id);
        let execution = match self.wait(&id, FirstPoll::AtOnce).await? {
            Waited::Final(execution) => *execution,
            // Someone else's query: a drop is no reason to stop it, a cancel is.
            Waited::Interrupted(Interrupt::Dropped) => return Ok(Ended::Interrupted(None)),
            Waited::Interrupted(Interrupt::Cancelled) => {
                return Ok(Ended::Interrupted(Some(
                    self.core.stop(self.stats, &id).await,
                )));
            }
            Waited::TimedOut => return Err(self.time_out(&id).await),
        };
        match execution.state {
            QueryState::Succeeded => Ok(self.succeeded(execution)),
            QueryState::Cancelled => Err(execution.cancelled_error()),
            _ => Err(execution.failed_error(1)),
        }
    }

    fn succeeded(&self, execution: QueryExecution) -> Ended {
        self.stats.waited_since(self.began);
        Ended::Succeeded(Box::new(execution))
    }

    /// Whether a failed query may be run again: Athena says a new run may succeed, the
    /// settings allow another run, and the timeout has not passed.
    fn may_run_again(&self, execution: &QueryExecution, run: u32) -> bool {
        let retryable = execution.athena_error.as_ref().is_some_and(|e| e.retryable);
        let timed_out = self
            .core
            .settings
            .query_timeout
            .is_some_and(|t| self.began.elapsed() >= t);
        retryable && run <= self.core.settings.failed_query_retries && !timed_out
    }

    /// Sends `StartQueryExecution` for run `run` (1, or a re-run of a failed query,
    /// which needs a new `ClientRequestToken` to be a new query).
    ///
    /// Not interruptible: a start whose answer was lost may still have started a query,
    /// which would then run on unseen. So the start completes (its retries keep the
    /// token, so they cannot start a second query), and an interrupt that came meanwhile
    /// is seen by the first thing [`wait`](Self::wait) does, which then stops the query.
    async fn start(&mut self, query: &StartQueryExecution, run: u32) -> Result<String> {
        let token = query
            .client_request_token
            .clone()
            .filter(|_| run == 1)
            .unwrap_or_else(new_client_request_token);
        let (core, stats) = (self.core, self.stats);
        let id = core
            .call(stats, Operation::StartQueryExecution, || {
                core.api.start_query_execution(query, &token, stats)
            })
            .await?;
        info!(query_execution_id = %id, "query started");
        self.seen_id(&id);
        Ok(id)
    }

    /// Polls `GetQueryExecution` with the polling backoff until the state is final, the
    /// caller interrupts, or the query timeout passes.
    async fn wait(&mut self, id: &str, first: FirstPoll) -> Result<Waited> {
        let (core, stats) = (self.core, self.stats);
        let deadline = core.settings.query_timeout.map(|t| self.began + t);
        let mut delays = core.settings.polling.polling_delays();
        let mut delay = match first {
            FirstPoll::AfterDelay => delays.next(),
            FirstPoll::AtOnce => None,
        };
        let mut last_state = None;
        loop {
            if let Some(delay) = delay {
                let wake = Instant::now() + delay;
                let until = deadline.map_or(wake, |d| d.min(wake));
                tokio::select! {
                    biased;
                    why = self.interrupts.fired() => return Ok(Waited::Interrupted(why)),
                    () = tokio::time::sleep_until(until) => {}
                }
                if until < wake {
                    return Ok(Waited::TimedOut);
                }
            }
            let poll = core.call(stats, Operation::GetQueryExecution, || {
                core.api.get_query_execution(id, stats)
            });
            let execution = tokio::select! {
                biased;
                why = self.interrupts.fired() => return Ok(Waited::Interrupted(why)),
                execution = poll => execution?,
            };
            (self.observer)(Seen::Polled(&execution));
            let publish = Self::publish(
                core,
                stats,
                self.progress,
                &mut self.runtime_statistics,
                id,
                &execution,
            );
            tokio::select! {
                biased;
                why = self.interrupts.fired() => return Ok(Waited::Interrupted(why)),
                () = publish => {}
            }
            if last_state != Some(execution.state) {
                debug!(query_execution_id = %id, state = execution.state.as_str(), reason = ?execution.state_change_reason, "query state");
                last_state = Some(execution.state);
            }
            // Only these three end a query's life. RUNNING may go back to QUEUED when
            // Athena retries a query after a transient error, so any other state means
            // polling on; FAILED is terminal: Athena does not retry a failed query itself
            // (docs/athena.md, "Query states").
            if execution.state.is_final() {
                info!(query_execution_id = %id, state = execution.state.as_str(), "query finished");
                return Ok(Waited::Final(Box::new(execution)));
            }
            // The cost guard, best effort: the figure grows while the query runs
            // (docs/athena.md, "Runtime statistics"), and is read at each poll.
            if let (Some(limit), Some(scanned)) = (
                core.settings.max_bytes_scanned,
                execution.statistics.data_scanned_in_bytes,
            ) && scanned > limit
            {
                return Err(self.over_limit(id, scanned, limit).await);
            }
            // The polling delays never run out (see `Backoff::polling_delays`).
            delay = Some(delays.next().unwrap_or(Duration::from_secs(5)));
        }
    }

    /// Stops a query whose timeout passed and returns the error that says so.
    async fn time_out(&self, id: &str) -> Error {
        let timeout = self.core.settings.query_timeout.unwrap_or_default();
        warn!(query_execution_id = %id, ?timeout, "query timed out: stopping it");
        // A failed stop is logged by `stop`; the timeout is the error to report.
        let _ = self.core.stop(self.stats, id).await;
        Error::QueryTimedOut {
            query_execution_id: id.to_owned(),
            timeout,
        }
    }
}
