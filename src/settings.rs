//! The handle's settings, their defaults, and the backoff type two of them use.
//!
//! The defaults live here, once: the builder's docs, the README's table and the tests
//! of the defaults all read them from [`Settings::default`] and the two
//! `Backoff::DEFAULT_*` constants.

use std::fmt;
use std::time::Duration;

use backon::ExponentialBuilder;

/// The most rows `GetQueryResults` returns in one page (`MaxResults` 1..=1000).
pub const MAX_PAGE_SIZE: i32 = 1000;

/// An exponential backoff: the first delay, a factor applied after each, a cap, an
/// optional jitter, and (for retries) how many times to try again.
///
/// Used for polling `GetQueryExecution` ([`AthenaBuilder::with_polling_backoff`]) and
/// for retrying throttled and transient calls ([`AthenaBuilder::with_retry_policy`]).
///
/// This is the crate's own type rather than a re-export of `backon`'s builder, which
/// does the work underneath: a new major version of `backon` then changes nothing for
/// users of this crate.
///
/// ```
/// use std::time::Duration;
/// use athena_stream::Backoff;
///
/// let fast = Backoff::new(Duration::from_millis(50))
///     .with_factor(1.5)
///     .with_max_delay(Duration::from_secs(2))
///     .with_jitter(true)
///     .with_max_retries(Some(3));
/// assert_eq!(fast.to_string(), "exponential from 50 ms, x1.5, capped at 2 s, with jitter, 3 retries");
/// ```
///
/// [`AthenaBuilder::with_polling_backoff`]: crate::AthenaBuilder::with_polling_backoff
/// [`AthenaBuilder::with_retry_policy`]: crate::AthenaBuilder::with_retry_policy
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
pub struct Backoff {
    min_delay: Duration,
    factor: f32,
    max_delay: Duration,
    jitter: bool,
    max_retries: Option<usize>,
}

impl Backoff {
    /// Polling `GetQueryExecution`: from 100 ms, x2, capped at 5 s, with jitter. Polling
    /// goes on until the query finishes or the query timeout passes.
    pub const DEFAULT_POLLING: Backoff = Backoff::new(Duration::from_millis(100))
        .with_max_delay(Duration::from_secs(5))
        .with_jitter(true);

    /// Retrying throttled and transient calls: from 200 ms, x2, capped at 10 s, with
    /// jitter, at most 8 retries (9 attempts).
    pub const DEFAULT_RETRY: Backoff = Backoff::new(Duration::from_millis(200))
        .with_max_delay(Duration::from_secs(10))
        .with_jitter(true)
        .with_max_retries(Some(8));

    /// Delays from `min_delay`, x2 each time, capped at 60 s, no jitter, no limit on
    /// the number of retries.
    pub const fn new(min_delay: Duration) -> Self {
        Backoff {
            min_delay,
            factor: 2.0,
            max_delay: Duration::from_secs(60),
            jitter: false,
            max_retries: None,
        }
    }

    /// The factor each delay is multiplied by to give the next one. Default is 2.
    pub const fn with_factor(mut self, factor: f32) -> Self {
        self.factor = factor;
        self
    }

    /// The longest delay (before jitter). Default is 60 s.
    pub const fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// With jitter, each delay gets a random 0-100% added (so a capped delay of 5 s
    /// waits 5 to 10 s), which spreads out clients that would otherwise retry in step.
    /// Default is off.
    pub const fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// How many times a failed call is tried again (`None`: no limit). Polling ignores
    /// it: a query is polled until it finishes or its timeout passes. Default is `None`.
    pub const fn with_max_retries(mut self, max_retries: Option<usize>) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The first delay.
    pub const fn min_delay(&self) -> Duration {
        self.min_delay
    }

    /// The factor between successive delays.
    pub const fn factor(&self) -> f32 {
        self.factor
    }

    /// The longest delay before jitter.
    pub const fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// Whether jitter is on.
    pub const fn jitter(&self) -> bool {
        self.jitter
    }

    /// The most retries, if limited.
    pub const fn max_retries(&self) -> Option<usize> {
        self.max_retries
    }

    /// The `backon` builder that produces these delays.
    pub(crate) fn to_backon(self) -> ExponentialBuilder {
        let builder = ExponentialBuilder::new()
            .with_min_delay(self.min_delay)
            .with_factor(self.factor)
            .with_max_delay(self.max_delay);
        let builder = if self.jitter {
            builder.with_jitter()
        } else {
            builder
        };
        match self.max_retries {
            Some(n) => builder.with_max_times(n),
            None => builder.without_max_times(),
        }
    }

    /// The delays between polls: these delays without a limit on their number.
    pub(crate) fn polling_delays(self) -> impl Iterator<Item = Duration> {
        use backon::BackoffBuilder;
        self.with_max_retries(None).to_backon().build()
    }

    /// Checks the values `backon` would otherwise take silently.
    pub(crate) fn problems(&self, setting: &str) -> Option<String> {
        if !(self.factor.is_finite() && self.factor >= 1.0) {
            Some(format!(
                "{setting}: the factor must be a finite number >= 1, got {}",
                self.factor
            ))
        } else if self.max_delay < self.min_delay {
            Some(format!(
                "{setting}: max_delay ({:?}) is shorter than min_delay ({:?})",
                self.max_delay, self.min_delay
            ))
        } else {
            None
        }
    }
}

/// Writes a duration the way the docs do: `100 ms`, `5 s`, `1.5 s`.
fn human(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs_f64())
    }
}

impl fmt::Display for Backoff {
    /// The words the docs use for a backoff: `exponential from 100 ms, x2, capped at
    /// 5 s, with jitter, 8 retries`. The README's settings table is checked against it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exponential from {}, x{}, capped at {}",
            human(self.min_delay),
            self.factor,
            human(self.max_delay)
        )?;
        if self.jitter {
            f.write_str(", with jitter")?;
        }
        if let Some(n) = self.max_retries {
            write!(f, ", {n} retries")?;
        }
        Ok(())
    }
}

/// Which way a query's rows are read.
///
/// `GetQueryResults` (the API path) returns at most 1000 rows a call, each call waiting
/// for the previous one's `NextToken`: a few thousand rows a second on the real service.
/// The result file (`<QueryExecutionId>.csv` in the output location) can be read from S3
/// in parallel byte ranges, orders of magnitude faster for large results
/// (docs/athena.md, "Throughput measured by others").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ReadPath {
    /// Page 1 through `GetQueryResults` (a result that fits one page costs no S3
    /// request), the rest from the result file; the API path, with a `tracing` warning
    /// and the reason in [`QueryStats::fallback_reason`](crate::QueryStats::fallback_reason),
    /// when the file cannot be read: no S3 client, no output location, a `.txt` result,
    /// client-side encryption (CSE-KMS), or S3 denying access.
    #[default]
    Auto,
    /// `GetQueryResults` only.
    Api,
    /// The result file only (its columns from `.csv.metadata`); an
    /// [`Error::ResultFileUnreadable`](crate::Error::ResultFileUnreadable) when it
    /// cannot be read.
    ResultFile,
}

impl ReadPath {
    /// The name the docs and the example's `--read-path` use: `auto`, `api`, `file`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadPath::Auto => "auto",
            ReadPath::Api => "api",
            ReadPath::ResultFile => "file",
        }
    }
}

impl fmt::Display for ReadPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The default [`chunk_size`](crate::AthenaBuilder::with_chunk_size): 8 MiB, the low end
/// of the ranged-GET size S3's performance guidelines suggest.
pub const DEFAULT_CHUNK_SIZE: u64 = 8 << 20;

/// The default [`chunks_in_flight`](crate::AthenaBuilder::with_chunks_in_flight).
pub const DEFAULT_CHUNKS_IN_FLIGHT: usize = 8;

/// The settings of a handle. Their meaning and defaults are documented on the
/// setters of [`AthenaBuilder`](crate::AthenaBuilder).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Settings {
    pub(crate) polling: Backoff,
    pub(crate) retry: Backoff,
    pub(crate) query_timeout: Option<Duration>,
    pub(crate) page_size: i32,
    pub(crate) prefetch: usize,
    pub(crate) failed_query_retries: u32,
    pub(crate) read_path: ReadPath,
    pub(crate) chunk_size: u64,
    pub(crate) chunks_in_flight: usize,
    /// The account that must own the buckets read from (`x-amz-expected-bucket-owner`).
    pub(crate) expected_bucket_owner: Option<String>,
    /// The cost guard's limit on `DataScannedInBytes`.
    pub(crate) max_bytes_scanned: Option<u64>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            polling: Backoff::DEFAULT_POLLING,
            retry: Backoff::DEFAULT_RETRY,
            query_timeout: None,
            page_size: MAX_PAGE_SIZE,
            prefetch: 1,
            failed_query_retries: 0,
            read_path: ReadPath::Auto,
            chunk_size: DEFAULT_CHUNK_SIZE,
            chunks_in_flight: DEFAULT_CHUNKS_IN_FLIGHT,
            expected_bucket_owner: None,
            max_bytes_scanned: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoffs_describe_themselves_as_the_docs_do() {
        assert_eq!(
            Backoff::DEFAULT_POLLING.to_string(),
            "exponential from 100 ms, x2, capped at 5 s, with jitter"
        );
        assert_eq!(
            Backoff::DEFAULT_RETRY.to_string(),
            "exponential from 200 ms, x2, capped at 10 s, with jitter, 8 retries"
        );
    }

    #[test]
    fn polling_delays_never_run_out() {
        let limited = Backoff::new(Duration::from_millis(1)).with_max_retries(Some(2));
        assert_eq!(limited.polling_delays().take(100).count(), 100);
    }

    #[test]
    fn nonsense_factors_and_caps_are_refused() {
        let ok = Backoff::new(Duration::from_millis(100));
        assert!(ok.problems("x").is_none());
        assert!(ok.with_factor(0.5).problems("x").is_some());
        assert!(ok.with_factor(f32::NAN).problems("x").is_some());
        assert!(
            ok.with_max_delay(Duration::from_millis(1))
                .problems("x")
                .is_some()
        );
    }
}
