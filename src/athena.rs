//! The handle: an Athena client plus the settings that govern polling, paging and retries.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use backon::ExponentialBuilder;

use crate::api::{AthenaApi, SdkApi};
use crate::error::{Error, Result};
use crate::execution::QueryExecution;
use crate::query::StartQueryExecution;
use crate::results::{RowStream, Source};

/// The most rows `GetQueryResults` returns in one page.
pub const MAX_PAGE_SIZE: i32 = 1000;

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
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) api: Arc<dyn AthenaApi>,
    pub(crate) config: Config,
}

/// The settings, with their defaults in [`AthenaBuilder`]'s setters.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) polling: ExponentialBuilder,
    pub(crate) retry: ExponentialBuilder,
    pub(crate) query_timeout: Option<Duration>,
    pub(crate) page_size: i32,
    pub(crate) prefetch: usize,
    pub(crate) failed_query_retries: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            polling: default_polling(),
            retry: default_retry(),
            query_timeout: None,
            page_size: MAX_PAGE_SIZE,
            prefetch: 1,
            failed_query_retries: 0,
        }
    }
}

/// Polling `GetQueryExecution`: from 100 ms, x2, capped at 5 s, with jitter, no limit
/// on the number of polls (a query timeout bounds the wait when set).
fn default_polling() -> ExponentialBuilder {
    ExponentialBuilder::new()
        .with_min_delay(Duration::from_millis(100))
        .with_factor(2.0)
        .with_max_delay(Duration::from_secs(5))
        .with_jitter()
        .without_max_times()
}

/// Retrying throttled and transient calls, beyond the SDK's own attempts: from
/// 200 ms, x2, capped at 10 s, with jitter, at most 8 retries.
fn default_retry() -> ExponentialBuilder {
    ExponentialBuilder::new()
        .with_min_delay(Duration::from_millis(200))
        .with_factor(2.0)
        .with_max_delay(Duration::from_secs(10))
        .with_jitter()
        .with_max_times(8)
}

impl Athena {
    /// A handle over this SDK client, with the default settings.
    pub fn new(client: aws_sdk_athena::Client) -> Self {
        Athena::from_api(Arc::new(SdkApi { client }), Config::default())
    }

    /// A builder over this SDK client, to change the settings.
    pub fn builder(client: aws_sdk_athena::Client) -> AthenaBuilder {
        AthenaBuilder {
            api: Arc::new(SdkApi { client }),
            config: Config::default(),
            problems: Vec::new(),
        }
    }

    /// A handle over a client configured from the environment (credentials, region,
    /// profile), as `aws_config::load_defaults` finds them, with the default settings.
    pub async fn from_env() -> Self {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Athena::new(aws_sdk_athena::Client::new(&config))
    }

    pub(crate) fn from_api(api: Arc<dyn AthenaApi>, config: Config) -> Self {
        Athena {
            inner: Arc::new(Inner { api, config }),
        }
    }

    /// Streams the rows of a query. Nothing is sent until the stream is first polled;
    /// then the query is started, polled until it finishes, and its pages fetched one
    /// after another (with [`prefetch`](AthenaBuilder::prefetch) pages fetched ahead).
    ///
    /// Dropping the stream before the query finished stops the query.
    pub fn query(&self, query: impl Into<StartQueryExecution>) -> RowStream {
        RowStream::new(self.clone(), Source::Start(query.into()))
    }

    /// Streams the results of a query started elsewhere, from its first row. The query
    /// is polled until it finishes first.
    pub fn attach(&self, query_execution_id: impl Into<String>) -> RowStream {
        RowStream::new(
            self.clone(),
            Source::Attach {
                query_execution_id: query_execution_id.into(),
                next_token: None,
            },
        )
    }

    /// Streams the results of a query from a page's `NextToken`: where a consumer that
    /// stopped after that page left off (see [`ResultPage::next_token`](crate::ResultPage::next_token)).
    pub fn resume(
        &self,
        query_execution_id: impl Into<String>,
        next_token: impl Into<String>,
    ) -> RowStream {
        RowStream::new(
            self.clone(),
            Source::Attach {
                query_execution_id: query_execution_id.into(),
                next_token: Some(next_token.into()),
            },
        )
    }

    /// Starts a query and waits until it finishes, without reading its rows: for DDL,
    /// CTAS and INSERT statements, or to read the result file yourself.
    ///
    /// # Errors
    /// [`Error::QueryFailed`], [`Error::QueryCancelled`], [`Error::QueryTimedOut`]
    /// (the query was stopped), or [`Error::Api`] when a call failed beyond its retries.
    pub async fn execute(&self, query: impl Into<StartQueryExecution>) -> Result<QueryExecution> {
        let mut stream = RowStream::new(self.clone(), Source::Start(query.into()));
        stream.wait_for_completion().await
    }

    /// Sends `StopQueryExecution` (retried when throttled). Stopping a finished query
    /// changes nothing.
    pub async fn stop(&self, query_execution_id: &str) -> Result<()> {
        let stats = crate::results::Stats::default();
        crate::results::stop_query(&self.inner, &stats, query_execution_id).await
    }
}

impl fmt::Debug for Athena {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Athena")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// Builds an [`Athena`] handle with settings other than the defaults.
///
/// Invalid settings are collected and reported together by [`build`](Self::build).
///
/// ```
/// use athena_stream::Athena;
/// use std::time::Duration;
///
/// # fn make(client: aws_sdk_athena::Client) -> athena_stream::Result<Athena> {
/// let athena = Athena::builder(client)
///     .page_size(1000)
///     .prefetch(2)
///     .query_timeout(Duration::from_secs(600))
///     .build()?;
/// # Ok(athena)
/// # }
/// ```
#[must_use]
pub struct AthenaBuilder {
    api: Arc<dyn AthenaApi>,
    config: Config,
    problems: Vec<String>,
}

impl AthenaBuilder {
    #[cfg(test)]
    pub(crate) fn with_api(api: Arc<dyn AthenaApi>) -> Self {
        AthenaBuilder {
            api,
            config: Config::default(),
            problems: Vec::new(),
        }
    }

    /// How `GetQueryExecution` is polled while the query is queued or running.
    /// Only the delays are used: polling goes on until the query finishes or the
    /// [`query_timeout`](Self::query_timeout) passes, whatever `max_times` says.
    ///
    /// Default is exponential from 100 ms, x2, capped at 5 s, with jitter (backon's
    /// jitter adds a random 0-100% of the delay).
    pub fn polling_backoff(mut self, backoff: ExponentialBuilder) -> Self {
        self.config.polling = backoff.without_max_times();
        self
    }

    /// How throttled (`ThrottlingException`, `TooManyRequestsException`, including
    /// `CONCURRENT_QUERY_LIMIT_EXCEEDED` on start) and transient (HTTP 5xx, dropped
    /// connection, timeout) calls are retried, on top of the SDK's own retries. A
    /// start is retried with the same `ClientRequestToken`, a page with the same
    /// `NextToken`, so a retry never runs a second query nor loses or repeats a row.
    ///
    /// Default is exponential from 200 ms, x2, capped at 10 s, with jitter, at most 8 retries.
    pub fn retry_policy(mut self, backoff: ExponentialBuilder) -> Self {
        self.config.retry = backoff;
        self
    }

    /// The longest a query may take from its start until it finishes. When it
    /// passes, the query is stopped and [`Error::QueryTimedOut`] returned. Reading
    /// the pages of a finished query is not limited by it.
    ///
    /// Default is no timeout.
    pub fn query_timeout(mut self, timeout: Duration) -> Self {
        if timeout.is_zero() {
            self.problems
                .push("query_timeout must be more than zero".to_owned());
        }
        self.config.query_timeout = Some(timeout);
        self
    }

    /// Rows asked for per `GetQueryResults` call (`MaxResults`), 1 to 1000.
    ///
    /// Default is 1000, the most Athena allows: paging is bound by round trips.
    pub fn page_size(mut self, rows: usize) -> Self {
        match i32::try_from(rows) {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => self.config.page_size = n,
            _ => self.problems.push(format!(
                "page_size must be 1 to {MAX_PAGE_SIZE} (Athena's MaxResults), got {rows}"
            )),
        }
        self
    }

    /// Pages fetched ahead of the one being read. With 1, page N+1 is fetched while
    /// the caller works on page N; memory holds at most `prefetch + 1` pages whatever
    /// the size of the result. 0 fetches a page only when the previous one is used up.
    ///
    /// Default is 1.
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.config.prefetch = pages;
        self
    }

    /// How many times a query that ends `FAILED` with an `AthenaError` marked
    /// `Retryable` is started again (with a new `ClientRequestToken`).
    ///
    /// Default is 0: a failed query is an error at once.
    pub fn failed_query_retries(mut self, retries: u32) -> Self {
        self.config.failed_query_retries = retries;
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
        Ok(Athena::from_api(self.api, self.config))
    }
}

impl fmt::Debug for AthenaBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AthenaBuilder")
            .field("config", &self.config)
            .field("problems", &self.problems)
            .finish_non_exhaustive()
    }
}
