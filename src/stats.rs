//! What a stream has done so far: counters its task updates and callers read.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Operation;
use crate::result_configuration::ResultConfiguration;
use crate::settings::ReadPath;

/// Counters of one stream (or one `execute`), updated by its task with relaxed atomics:
/// each counter is exact, a snapshot of several is not a transaction.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    calls: [AtomicU64; 7],
    pages: AtomicU64,
    rows: AtomicU64,
    throttling_retries: AtomicU64,
    retries: AtomicU64,
    waiting_nanos: AtomicU64,
    fetching_nanos: AtomicU64,
    parsing_nanos: AtomicU64,
    bytes_read: AtomicU64,
    ranges: AtomicU64,
    s3_retries: AtomicU64,
    /// Set once, when the page source is chosen.
    read_path: Mutex<Option<(ReadPath, Option<String>)>>,
    /// Set once the query succeeded: what Athena used, and the settings of the query
    /// the workgroup replaced.
    result_configuration: Mutex<Option<(ResultConfiguration, Vec<&'static str>)>>,
}

fn slot(op: Operation) -> usize {
    match op {
        Operation::StartQueryExecution => 0,
        Operation::GetQueryExecution => 1,
        Operation::GetQueryResults => 2,
        Operation::StopQueryExecution => 3,
        Operation::HeadObject => 4,
        Operation::GetObject => 5,
        Operation::GetQueryRuntimeStatistics => 6,
    }
}

fn nanos_since(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

impl Stats {
    /// `n` requests of `op` went on the wire for one call of the library: the first,
    /// and `n - 1` retries made below the library (by the SDK).
    pub(crate) fn count_sent(&self, op: Operation, n: u32) {
        self.calls[slot(op)].fetch_add(u64::from(n), Ordering::Relaxed);
        self.retries
            .fetch_add(u64::from(n.saturating_sub(1)), Ordering::Relaxed);
    }

    /// The library tries a call again; `throttled` when the service said to slow down.
    /// (The attempt itself is counted by [`count_sent`](Self::count_sent).)
    pub(crate) fn count_retry(&self, throttled: bool) {
        self.retries.fetch_add(1, Ordering::Relaxed);
        if throttled {
            self.throttling_retries.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn count_page(&self, rows: usize) {
        self.pages.fetch_add(1, Ordering::Relaxed);
        self.rows.fetch_add(rows as u64, Ordering::Relaxed);
    }

    /// The query finished: the time from its start until now was spent waiting.
    pub(crate) fn waited_since(&self, since: Instant) {
        self.waiting_nanos
            .fetch_add(nanos_since(since), Ordering::Relaxed);
    }

    /// Bytes of a result file arrived (those of a cut-off body too).
    pub(crate) fn count_bytes_read(&self, n: usize) {
        self.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// A range of a result file was read whole.
    pub(crate) fn count_range(&self) {
        self.ranges.fetch_add(1, Ordering::Relaxed);
    }

    /// A range of a result file is asked for again; `throttled` after `SlowDown`.
    pub(crate) fn count_s3_retry(&self, throttled: bool) {
        self.s3_retries.fetch_add(1, Ordering::Relaxed);
        self.count_retry(throttled);
    }

    /// A slice of a range was parsed from `since` until now (slices are parsed in
    /// parallel; the times add up).
    pub(crate) fn parsed_since(&self, since: Instant) {
        self.parsing_nanos
            .fetch_add(nanos_since(since), Ordering::Relaxed);
    }

    /// The read path chosen, and why the API path was used if the file was meant to be.
    pub(crate) fn set_read_path(&self, path: ReadPath, fallback_reason: Option<String>) {
        *self.read_path.lock().unwrap_or_else(|e| e.into_inner()) = Some((path, fallback_reason));
    }

    /// The configuration a finished query used, and which settings the workgroup
    /// replaced.
    pub(crate) fn set_result_configuration(
        &self,
        used: ResultConfiguration,
        overridden: Vec<&'static str>,
    ) {
        *self
            .result_configuration
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some((used, overridden));
    }

    /// A page call (with its retries) took from `since` until now.
    pub(crate) fn fetched_since(&self, since: Instant) {
        self.fetching_nanos
            .fetch_add(nanos_since(since), Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> QueryStats {
        let calls = |op: Operation| self.calls[slot(op)].load(Ordering::Relaxed);
        let (read_path, fallback_reason) = self
            .read_path
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .map_or((None, None), |(p, r)| (Some(p), r));
        let (result_configuration, overridden) = self
            .result_configuration
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .map_or((None, Vec::new()), |(used, overridden)| {
                (Some(used), overridden)
            });
        QueryStats {
            result_configuration,
            result_configuration_overridden: overridden.into_iter().map(str::to_owned).collect(),
            start_query_execution_calls: calls(Operation::StartQueryExecution),
            get_query_execution_calls: calls(Operation::GetQueryExecution),
            get_query_results_calls: calls(Operation::GetQueryResults),
            stop_query_execution_calls: calls(Operation::StopQueryExecution),
            get_query_runtime_statistics_calls: calls(Operation::GetQueryRuntimeStatistics),
            pages: self.pages.load(Ordering::Relaxed),
            rows: self.rows.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            throttling_retries: self.throttling_retries.load(Ordering::Relaxed),
            waiting: Duration::from_nanos(self.waiting_nanos.load(Ordering::Relaxed)),
            fetching: Duration::from_nanos(self.fetching_nanos.load(Ordering::Relaxed)),
            parsing: Duration::from_nanos(self.parsing_nanos.load(Ordering::Relaxed)),
            head_object_calls: calls(Operation::HeadObject),
            get_object_calls: calls(Operation::GetObject),
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            ranges: self.ranges.load(Ordering::Relaxed),
            s3_retries: self.s3_retries.load(Ordering::Relaxed),
            read_path,
            fallback_reason,
        }
    }
}

/// What a stream has done so far: requests per operation (every attempt counts), pages,
/// rows, retries, and where the time went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryStats {
    /// `StartQueryExecution` requests sent (every attempt counts, the SDK's own retries
    /// included; a re-run failed query counts again).
    pub start_query_execution_calls: u64,
    /// `GetQueryExecution` requests sent.
    pub get_query_execution_calls: u64,
    /// `GetQueryResults` requests sent.
    pub get_query_results_calls: u64,
    /// `StopQueryExecution` requests sent.
    pub stop_query_execution_calls: u64,
    /// `GetQueryRuntimeStatistics` requests sent (only while someone watches
    /// [`RowStream::progress`](crate::RowStream::progress)).
    pub get_query_runtime_statistics_calls: u64,
    /// Pages received.
    pub pages: u64,
    /// Data rows received (header rows excluded).
    pub rows: u64,
    /// Calls sent again after a throttling or transient error or a lost answer, whatever
    /// the operation: the library's own retries and the SDK's.
    pub retries: u64,
    /// The library's own retries after throttling (`ThrottlingException`,
    /// `TooManyRequestsException`).
    pub throttling_retries: u64,
    /// Time from the start until the query finished.
    pub waiting: Duration,
    /// Time spent in `GetQueryResults` calls, retries included.
    pub fetching: Duration,
    /// Time spent parsing the result file (the ranges themselves arrive concurrently),
    /// summed over the tasks that parse its slices in parallel: on several cores it can
    /// be longer than the read.
    pub parsing: Duration,
    /// How the rows were read, once decided (with [`ReadPath::Auto`], after page 1).
    pub read_path: Option<ReadPath>,
    /// Why the API path was used where the result file was meant to be read.
    pub fallback_reason: Option<String>,
    /// The `ResultConfiguration` the query ran with, as `GetQueryExecution` reported it
    /// once it succeeded: the workgroup's settings where it enforces them.
    pub result_configuration: Option<ResultConfiguration>,
    /// The settings of the query's own `ResultConfiguration` that Athena replaced
    /// (`OutputLocation`, `EncryptionConfiguration`, `ExpectedBucketOwner`,
    /// `AclConfiguration`): a workgroup that enforces its configuration does so. Empty
    /// when the query's settings applied, or it set none (or was attached to).
    pub result_configuration_overridden: Vec<String>,
    /// S3 `HeadObject` requests sent.
    pub head_object_calls: u64,
    /// S3 `GetObject` requests sent (ranges, their retries, the `.csv.metadata`).
    pub get_object_calls: u64,
    /// Bytes of the result file received.
    pub bytes_read: u64,
    /// Ranges of the result file read whole.
    pub ranges: u64,
    /// Ranges asked for again (the rest of a cut-off body, or after `SlowDown` or 5xx).
    pub s3_retries: u64,
}
