//! The handle users hold, and its builder.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::Instrument;

use crate::api::AthenaApi;
use crate::api::sdk::SdkApi;
use crate::client::ClientCore;
use crate::error::{Error, Result};
use crate::execution::QueryExecution;
use crate::page::ResumeFrom;
use crate::query::StartQueryExecution;
use crate::result_configuration::check_account_id;
use crate::s3::S3Api;
use crate::settings::{
    Backoff, DEFAULT_CHUNK_SIZE, DEFAULT_CHUNKS_IN_FLIGHT, MAX_PAGE_SIZE, ReadPath, Settings,
};
use crate::stats::Stats;
use crate::stream::driver::Source;
use crate::stream::interrupt;
use crate::stream::lifecycle::{Ended, Lifecycle, Seen, Target};
use crate::stream::rows::RowStream;

/// Runs queries on Athena and streams their results.
///
/// Cheap to clone: clones share the SDK client and the settings.
///
/// ```no_run
/// use athena_stream::Athena;
/// use futures::TryStreamExt;
///
/// # async fn run() -> athena_stream::Result<()> {
/// let athena = Athena::from_env().await;
/// let mut rows = athena.query("SELECT uri FROM cf_access_logs LIMIT 10");
/// while let Some(row) = rows.try_next().await? {
///     println!("{:?}", row.get_str("uri")?);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Athena {
    core: Arc<ClientCore>,
}

impl Athena {
    /// A handle over this SDK client, with the default settings. It reads through
    /// `GetQueryResults` only: give it an S3 client too
    /// ([`AthenaBuilder::with_s3_client`], or [`from_conf`](Self::from_conf)) to read
    /// large results from their result file.
    pub fn new(client: aws_sdk_athena::Client) -> Self {
        Athena {
            core: Arc::new(ClientCore {
                api: Arc::new(SdkApi { client }),
                s3: None,
                settings: Settings::default(),
            }),
        }
    }

    /// A handle over an Athena and an S3 client built from one AWS configuration, with
    /// the default settings (so large results are read from their result file).
    #[cfg(feature = "s3")]
    pub fn from_conf(config: &aws_config::SdkConfig) -> Self {
        Athena::builder_from_conf(config)
            .build()
            .unwrap_or_else(|_| Athena::new(aws_sdk_athena::Client::new(config)))
    }

    /// A builder over an Athena and an S3 client built from one AWS configuration.
    #[cfg(feature = "s3")]
    pub fn builder_from_conf(config: &aws_config::SdkConfig) -> AthenaBuilder {
        Athena::builder(aws_sdk_athena::Client::new(config))
            .with_s3_client(aws_sdk_s3::Client::new(config))
    }

    /// A builder over this SDK client, to change the settings.
    pub fn builder(client: aws_sdk_athena::Client) -> AthenaBuilder {
        AthenaBuilder::with_api(Arc::new(SdkApi { client }))
    }

    /// A handle over clients configured from the environment (credentials, region,
    /// profile), as `aws_config::load_defaults` finds them, with the default settings:
    /// the Athena client, and with feature `s3` (on by default) an S3 client from the
    /// same configuration for reading result files.
    pub async fn from_env() -> Self {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        #[cfg(feature = "s3")]
        return Athena::from_conf(&config);
        #[cfg(not(feature = "s3"))]
        return Athena::new(aws_sdk_athena::Client::new(&config));
    }

    /// Streams the rows of a query. Nothing is sent until the stream is first polled;
    /// then the query is started, polled until it finishes, and its pages fetched one
    /// after another (with [`prefetch`](AthenaBuilder::with_prefetch) pages fetched
    /// ahead).
    ///
    /// Dropping the stream before the query finished stops the query.
    pub fn query(&self, query: impl Into<StartQueryExecution>) -> RowStream {
        RowStream::new(self.core.clone(), Source::Start(query.into()))
    }

    /// Streams the results of a query started elsewhere, from its first row. The query
    /// is polled until it finishes first. Dropping the stream leaves the query running;
    /// [`RowStream::cancel`] stops it.
    pub fn attach(&self, query_execution_id: impl Into<String>) -> RowStream {
        RowStream::new(
            self.core.clone(),
            Source::Attach {
                query_execution_id: query_execution_id.into(),
                resume: None,
            },
        )
    }

    /// Streams the results of a query from a page's `NextToken`: where a consumer that
    /// stopped after that page left off (see [`ResultPage::next_token`](crate::ResultPage::next_token)).
    /// Like [`attach`](Self::attach) otherwise.
    pub fn resume(
        &self,
        query_execution_id: impl Into<String>,
        next_token: impl Into<String>,
    ) -> RowStream {
        RowStream::new(
            self.core.clone(),
            Source::Attach {
                query_execution_id: query_execution_id.into(),
                resume: Some(ResumeFrom::NextToken(next_token.into())),
            },
        )
    }

    /// Streams the results of a query from where a page said to resume
    /// ([`ResultPage::resume_from`](crate::ResultPage::resume_from)), whichever way that
    /// page was read: a `NextToken`, or a row boundary in the result file (which needs
    /// the S3 client). Like [`attach`](Self::attach) otherwise.
    pub fn resume_from(
        &self,
        query_execution_id: impl Into<String>,
        resume: ResumeFrom,
    ) -> RowStream {
        RowStream::new(
            self.core.clone(),
            Source::Attach {
                query_execution_id: query_execution_id.into(),
                resume: Some(resume),
            },
        )
    }

    /// Starts a query and waits until it finishes, without reading its rows: for DDL,
    /// CTAS and INSERT statements, or to read the result file yourself.
    ///
    /// The query runs in a spawned task (so this needs a Tokio runtime). Cancel-safe:
    /// dropping the future before the query finished stops the query, as dropping a
    /// stream does.
    ///
    /// # Errors
    /// [`Error::QueryFailed`], [`Error::QueryCancelled`], [`Error::QueryTimedOut`]
    /// (the query was stopped), [`Error::InvalidConfig`] for a query that breaks
    /// Athena's limits, or [`Error::Api`] when a call failed beyond its retries.
    pub async fn execute(&self, query: impl Into<StartQueryExecution>) -> Result<QueryExecution> {
        let (guard, mut interrupts) = interrupt::channel();
        let core = self.core.clone();
        let query = query.into();
        let id = Arc::new(Mutex::new(None::<String>));
        let seen = id.clone();
        let span = tracing::info_span!("athena_query", query_execution_id = tracing::field::Empty);
        let task = tokio::spawn(
            async move {
                let stats = Stats::default();
                let span = tracing::Span::current();
                let observer = |event: Seen<'_>| {
                    if let Seen::Id(id) = event {
                        span.record("query_execution_id", id);
                        *seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(id.to_owned());
                    }
                };
                Lifecycle::new(&core, &stats, &mut interrupts, &observer)
                    .run(Target::Start(query))
                    .await
            }
            .instrument(span),
        );
        let ended = task.await;
        // Held until here: if this future is dropped while it waits, the guard's drop
        // tells the task, which stops the query.
        drop(guard);
        match ended {
            Ok(Ok(Ended::Succeeded(execution))) => Ok(*execution),
            Ok(Err(e)) => Err(e),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // The task was interrupted (impossible while the guard is held) or aborted by
            // a runtime shutting down: either way the query did not finish for us.
            Ok(Ok(Ended::Interrupted(_))) | Err(_) => Err(Error::QueryCancelled {
                query_execution_id: id
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone()
                    .unwrap_or_default(),
                state_change_reason:
                    "the task running the query ended early (Tokio runtime shutting down)"
                        .to_owned(),
            }),
        }
    }

    /// The core this handle shares with its streams (for the modules that add methods
    /// to `Athena` elsewhere, such as `unload`).
    #[cfg_attr(not(feature = "unload"), allow(dead_code))]
    pub(crate) fn core(&self) -> &Arc<ClientCore> {
        &self.core
    }

    /// Sends `StopQueryExecution` (retried when throttled). Stopping a finished query
    /// changes nothing.
    ///
    /// # Errors
    /// [`Error::Api`] when the call failed beyond its retries.
    pub async fn stop(&self, query_execution_id: &str) -> Result<()> {
        self.core.stop(&Stats::default(), query_execution_id).await
    }
}

impl fmt::Debug for Athena {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Athena")
            .field("settings", &self.core.settings)
            .finish_non_exhaustive()
    }
}

/// Builds an [`Athena`] handle with settings other than the defaults.
///
/// Every setter's doc ends with its default. Invalid settings are collected and
/// reported together by [`build`](Self::build).
///
/// ```
/// use athena_stream::{Athena, Backoff, JitterStrategy};
/// use std::time::Duration;
///
/// # fn make(client: aws_sdk_athena::Client) -> athena_stream::Result<Athena> {
/// let athena = Athena::builder(client)
///     .with_page_size(1000)
///     .with_prefetch(2)
///     .with_query_timeout(Duration::from_secs(600))
///     .with_polling_backoff(
///         Backoff::new(Duration::from_millis(250))
///             .with_max_delay(Duration::from_secs(5))
///             .with_jitter(JitterStrategy::Full),
///     )
///     .build()?;
/// # Ok(athena)
/// # }
/// ```
#[must_use]
pub struct AthenaBuilder {
    api: Arc<dyn AthenaApi>,
    s3: Option<Arc<dyn S3Api>>,
    settings: Settings,
    problems: Vec<String>,
}

impl AthenaBuilder {
    /// The most rows `GetQueryResults` returns in one page (`MaxResults` 1..=1000), and
    /// the default [page size](Self::with_page_size).
    pub const MAX_PAGE_SIZE: i32 = MAX_PAGE_SIZE;

    /// The default [`chunk_size`](Self::with_chunk_size): 8 MiB, the low end of the
    /// ranged-GET size S3's performance guidelines suggest.
    pub const DEFAULT_CHUNK_SIZE: u64 = DEFAULT_CHUNK_SIZE;

    /// The default [`chunks_in_flight`](Self::with_chunks_in_flight).
    pub const DEFAULT_CHUNKS_IN_FLIGHT: usize = DEFAULT_CHUNKS_IN_FLIGHT;

    pub(crate) fn with_api(api: Arc<dyn AthenaApi>) -> Self {
        AthenaBuilder {
            api,
            s3: None,
            settings: Settings::default(),
            problems: Vec::new(),
        }
    }

    #[cfg(all(test, feature = "s3"))]
    pub(crate) fn with_s3_api(mut self, s3: Arc<dyn S3Api>) -> Self {
        self.s3 = Some(s3);
        self
    }

    /// The S3 client that reads result files (of the same account and region as the
    /// Athena client, able to `GetObject` the workgroup's output location).
    ///
    /// Default is none: results are read through `GetQueryResults` only.
    #[cfg(feature = "s3")]
    pub fn with_s3_client(mut self, client: aws_sdk_s3::Client) -> Self {
        self.s3 = Some(Arc::new(crate::s3::sdk::SdkS3 { client }));
        self
    }

    /// Which way rows are read: see [`ReadPath`].
    ///
    /// Default is [`ReadPath::Auto`]: the result file for results larger than a page
    /// when an S3 client is set and the file can be read, `GetQueryResults` otherwise.
    pub fn with_read_path(mut self, read_path: ReadPath) -> Self {
        self.settings.read_path = read_path;
        self
    }

    /// The most bytes asked for per ranged `GetObject` of a result file.
    ///
    /// The file is cut into ranges of at most this, in rounds of
    /// [`with_chunks_in_flight`](Self::with_chunks_in_flight), so that the connections
    /// finish together instead of the last range running alone; the last round's ranges
    /// are shorter where this size leaves room (a third of the length the ranges would
    /// have if all were alike), because they arrive together and are parsed after the
    /// last byte has come. Ranges are not made shorter than 1 MiB to get there (or than
    /// this size, if it is smaller). A 143 MB file in 8 MiB chunks, 8 at a time, is read
    /// in 16 ranges of 8.0 MB and 8 of 2.0 MB, not 17 of 8 MiB and one of 0.4 MiB.
    ///
    /// Default is 8 MiB ([`DEFAULT_CHUNK_SIZE`](crate::AthenaBuilder::DEFAULT_CHUNK_SIZE)), within the
    /// 8-16 MB that S3's performance guidelines suggest.
    pub fn with_chunk_size(mut self, bytes: u64) -> Self {
        if bytes == 0 {
            self.problems
                .push("chunk_size must be at least 1 byte".to_owned());
        }
        self.settings.chunk_size = bytes;
        self
    }

    /// Ranges of a result file fetched at once (one connection each). The ranges
    /// fetched, waiting to be parsed or being parsed hold at most this many chunks of
    /// [`with_chunk_size`](Self::with_chunk_size) bytes, whatever the size of the file
    /// (besides them, memory holds the parsed pages of
    /// [`with_prefetch`](Self::with_prefetch) and the pages being parsed, one per core
    /// and one more, each of about 2,048 rows). When the ranges are shorter than the
    /// chunk size, a connection asks for its next range while the ones it fetched wait
    /// to be parsed, as long as they fit.
    ///
    /// Default is 8 ([`DEFAULT_CHUNKS_IN_FLIGHT`](crate::AthenaBuilder::DEFAULT_CHUNKS_IN_FLIGHT)): with
    /// 8 MiB chunks, 64 MiB of the file, enough to keep eight connections busy at S3's
    /// 85-90 MB/s each. Where the network is faster than parsing (a service beside its
    /// bucket), fewer and smaller ranges cost little speed and much less memory:
    /// BENCHMARKS.md ("Read paths") measured 2 x 1 MiB reading 10,000,000 rows about as fast
    /// as 8 x 8 MiB, at 39-40 MiB peak instead of 94 MiB.
    pub fn with_chunks_in_flight(mut self, ranges: usize) -> Self {
        if ranges == 0 {
            self.problems
                .push("chunks_in_flight must be at least 1".to_owned());
        }
        self.settings.chunks_in_flight = ranges;
        self
    }

    /// How `GetQueryExecution` is polled while the query is queued or running. Polling
    /// goes on until the query finishes or the [query timeout](Self::with_query_timeout)
    /// passes, whatever the backoff's `max_attempts` says. The backoff needs a
    /// [`max_delay`](Backoff::with_max_delay): without one, the time between polls
    /// would double without end, so [`build`](Self::build) refuses it.
    ///
    /// Default is [`Backoff::DEFAULT_POLLING`]: exponential from 100 ms, x2, capped at
    /// 5 s, full jitter.
    pub fn with_polling_backoff(mut self, backoff: Backoff) -> Self {
        if let Some(problem) = backoff.problems("polling_backoff") {
            self.problems.push(problem);
        } else if backoff.max_delay().is_none() {
            self.problems.push(
                "polling_backoff needs a max_delay: without one, the time between polls doubles without end"
                    .to_owned(),
            );
        }
        self.settings.polling = backoff;
        self
    }

    /// How throttled (`ThrottlingException`, `TooManyRequestsException`, including
    /// `CONCURRENT_QUERY_LIMIT_EXCEEDED` on start) and transient (HTTP 5xx, dropped
    /// connection, timeout) calls are retried, on top of the SDK's own retries. A start
    /// is retried with the same `ClientRequestToken`, a page with the same `NextToken`,
    /// so a retry never runs a second query nor loses or repeats a row.
    ///
    /// Default is [`Backoff::DEFAULT_RETRY`]: exponential from 200 ms, x2, capped at
    /// 10 s, full jitter, at most 8 retries.
    pub fn with_retry_policy(mut self, backoff: Backoff) -> Self {
        if let Some(problem) = backoff.problems("retry_policy") {
            self.problems.push(problem);
        }
        self.settings.retry = backoff;
        self
    }

    /// The longest a query may take from its start until it finishes. When it passes,
    /// the query is stopped and [`Error::QueryTimedOut`] returned. Reading the pages of
    /// a finished query is not limited by it.
    ///
    /// Default is no timeout.
    pub fn with_query_timeout(mut self, timeout: Duration) -> Self {
        if timeout.is_zero() {
            self.problems
                .push("query_timeout must be more than zero".to_owned());
        }
        self.settings.query_timeout = Some(timeout);
        self
    }

    /// Rows asked for per `GetQueryResults` call (`MaxResults`), 1 to 1000.
    ///
    /// Default is 1000 ([`MAX_PAGE_SIZE`](Self::MAX_PAGE_SIZE)), the most Athena allows: paging is bound by
    /// round trips.
    pub fn with_page_size(mut self, rows: usize) -> Self {
        match i32::try_from(rows) {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => self.settings.page_size = n,
            _ => self.problems.push(format!(
                "page_size must be 1 to {MAX_PAGE_SIZE} (Athena's MaxResults), got {rows}"
            )),
        }
        self
    }

    /// Pages fetched ahead of the one being read. With 1, page N+1 is fetched while the
    /// caller works on page N; memory holds at most `prefetch + 1` pages whatever the
    /// size of the result. 0 fetches a page only when the previous one is used up.
    ///
    /// Default is 1.
    pub fn with_prefetch(mut self, pages: usize) -> Self {
        self.settings.prefetch = pages;
        self
    }

    /// How many times a query that ends `FAILED` with an `AthenaError` marked
    /// `Retryable` is started again (with a new `ClientRequestToken`).
    ///
    /// Default is 0: a failed query is an error at once.
    pub fn with_failed_query_retries(mut self, retries: u32) -> Self {
        self.settings.failed_query_retries = retries;
        self
    }

    /// The account id (12 digits) that must own every bucket this handle reads from:
    /// sent as `x-amz-expected-bucket-owner` on each S3 request (`HeadObject` and
    /// `GetObject` of result files, their `.csv.metadata`, UNLOAD manifests and files),
    /// so that a bucket that changed hands is never read. S3 answers a request for a
    /// bucket another account owns with `403 Access Denied`, which this crate reports as
    /// [`Error::BucketOwnerMismatch`] and never works around (not even with
    /// [`ReadPath::Auto`]). It is not sent to Athena: a query's own
    /// `ExpectedBucketOwner` is set with
    /// [`StartQueryExecution::with_expected_bucket_owner`].
    ///
    /// Default is none: the query's own `ExpectedBucketOwner`, as `GetQueryExecution`
    /// reports it, is sent when it has one, and nothing otherwise.
    pub fn with_expected_bucket_owner(mut self, account_id: impl Into<String>) -> Self {
        let account_id = account_id.into();
        if let Err(e) = check_account_id("expected_bucket_owner", &account_id) {
            self.problems.push(e.to_string());
        }
        self.settings.expected_bucket_owner = Some(account_id);
        self
    }

    /// A cost guard: a query whose `Statistics.DataScannedInBytes` passes `bytes` while
    /// it runs is stopped, and its stream ends with [`Error::BytesScannedLimitExceeded`]
    /// carrying the bytes scanned. Athena bills by the byte scanned.
    ///
    /// A best-effort limit: the figure is read at each status poll (the
    /// [polling backoff](Self::with_polling_backoff)), so a fast scan may pass it by what
    /// it scans between two polls, and a query that finishes between two polls is not
    /// stopped. For a hard limit, set the workgroup's `BytesScannedCutoffPerQuery`
    /// (at least 10 MB), which Athena enforces itself: such a query ends `CANCELLED`
    /// (docs/athena.md, "Workgroups"). Applies to queries this handle starts and
    /// attaches to; a limit of 0 is refused.
    ///
    /// Default is no limit.
    pub fn with_max_bytes_scanned(mut self, bytes: u64) -> Self {
        if bytes == 0 {
            self.problems.push(
                "max_bytes_scanned must be more than zero: a limit of 0 would stop every query"
                    .to_owned(),
            );
        }
        self.settings.max_bytes_scanned = Some(bytes);
        self
    }

    /// The handle.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming every invalid setting.
    pub fn build(self) -> Result<Athena> {
        if !self.problems.is_empty() {
            return Err(Error::invalid_config(self.problems.join("; ")));
        }
        Ok(Athena {
            core: Arc::new(ClientCore {
                api: self.api,
                s3: self.s3,
                settings: self.settings,
            }),
        })
    }
}

impl fmt::Debug for AthenaBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AthenaBuilder")
            .field("settings", &self.settings)
            .field("problems", &self.problems)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::Error;
    use crate::fake::{Fake, Plan};
    use crate::settings::Backoff;

    #[test]
    fn invalid_settings_are_refused_when_the_handle_is_built() {
        let fake = Fake::new(Plan::rows(0));
        for size in [0usize, 1001, usize::MAX] {
            let err = fake.builder().with_page_size(size).build().unwrap_err();
            assert!(matches!(err, Error::InvalidConfig { .. }));
            assert!(
                err.to_string().contains("page_size must be 1 to 1000"),
                "{err}"
            );
        }
        assert!(fake.builder().with_page_size(1).build().is_ok());
        assert!(
            fake.builder()
                .with_query_timeout(Duration::ZERO)
                .build()
                .is_err()
        );
        // Every problem is named, not only the first.
        let err = fake
            .builder()
            .with_page_size(0)
            .with_retry_policy(Backoff::new(Duration::from_secs(1)).with_backoff_rate(0.5))
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("page_size") && err.contains("retry_policy"),
            "{err}"
        );
    }
}
