//! The handle's settings, their defaults, and the backoff type two of them and the
//! fan-out's retrier use.
//!
//! The defaults live here, once: the builder's docs, the README's table and the tests
//! of the defaults all read them from [`Settings::default`] and the two
//! `Backoff::DEFAULT_*` constants.

use std::fmt;
use std::time::Duration;

/// The most rows `GetQueryResults` returns in one page (`MaxResults` 1..=1000).
pub(crate) const MAX_PAGE_SIZE: i32 = 1000;

/// How a delay is randomised, like Step Functions' `JitterStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum JitterStrategy {
    /// `NONE`: wait exactly the computed delay.
    #[default]
    None,
    /// `FULL`: wait a uniformly random time in `[0, delay]`, which spreads out clients
    /// that would otherwise retry in step.
    Full,
}

/// An exponential backoff, in the words of a Step Functions `Retry` rule: the delay
/// before the first retry (`interval`), the factor applied at each further one
/// (`backoff_rate`), an optional cap (`max_delay`), the [`JitterStrategy`], and the
/// most retries after the first attempt (`max_attempts`).
///
/// The delay before retry `n` (1-based) is `interval * backoff_rate^(n - 1)`, capped
/// at `max_delay`, then randomised by the jitter.
///
/// One type for every backoff of the crate: polling `GetQueryExecution`
/// ([`AthenaBuilder::with_polling_backoff`]), retrying throttled and transient calls
/// ([`AthenaBuilder::with_retry_policy`]), and the fan-out's per-item retries (a
/// [`Retrier`](crate::map::Retrier) is a `Backoff` and a choice of errors to retry, with
/// the same `with_*` methods). The one difference: polling ignores `max_attempts`, since
/// a query is polled until it finishes or its timeout passes.
///
/// This is the crate's own type rather than a re-export of `backon`'s builder: a new
/// major version of `backon` then changes nothing for users of this crate.
///
/// ```
/// use std::time::Duration;
/// use athena_stream::{Backoff, JitterStrategy};
///
/// let fast = Backoff::new(Duration::from_millis(50))
///     .with_backoff_rate(1.5)
///     .with_max_delay(Duration::from_secs(2))
///     .with_jitter(JitterStrategy::Full)
///     .with_max_attempts(3);
/// assert_eq!(fast.to_string(), "exponential from 50 ms, x1.5, capped at 2 s, full jitter, 3 retries");
///
/// // Without jitter the delays are exact.
/// let plain = Backoff::new(Duration::from_millis(100)).with_max_delay(Duration::from_millis(300));
/// let ms = Duration::from_millis;
/// assert_eq!(plain.delays().collect::<Vec<_>>(), [ms(100), ms(200), ms(300)]);
/// ```
///
/// [`AthenaBuilder::with_polling_backoff`]: crate::AthenaBuilder::with_polling_backoff
/// [`AthenaBuilder::with_retry_policy`]: crate::AthenaBuilder::with_retry_policy
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
pub struct Backoff {
    interval: Duration,
    backoff_rate: f64,
    max_attempts: Option<u32>,
    max_delay: Option<Duration>,
    jitter: JitterStrategy,
    jitter_seed: Option<u64>,
}

impl Backoff {
    /// Polling `GetQueryExecution`: from 100 ms, x2, capped at 5 s, full jitter. Polling
    /// goes on until the query finishes or the query timeout passes (no `max_attempts`).
    pub const DEFAULT_POLLING: Backoff = Backoff::new(Duration::from_millis(100))
        .with_max_delay(Duration::from_secs(5))
        .with_jitter(JitterStrategy::Full)
        .without_max_attempts();

    /// Retrying throttled and transient calls: from 200 ms, x2, capped at 10 s, full
    /// jitter, at most 8 retries (9 attempts).
    pub const DEFAULT_RETRY: Backoff = Backoff::new(Duration::from_millis(200))
        .with_max_delay(Duration::from_secs(10))
        .with_jitter(JitterStrategy::Full)
        .with_max_attempts(8);

    /// Delays from `interval`, with Step Functions' defaults for the rest: backoff rate
    /// 2.0, 3 retries, no cap, no jitter.
    pub const fn new(interval: Duration) -> Self {
        Backoff {
            interval,
            backoff_rate: 2.0,
            max_attempts: Some(3),
            max_delay: None,
            jitter: JitterStrategy::None,
            jitter_seed: None,
        }
    }

    /// `IntervalSeconds`: the delay before the first retry (replaces the one given to
    /// [`new`](Self::new)).
    pub const fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// `BackoffRate`: the factor applied to the delay at each further retry; it must be
    /// a finite number of at least 1.0 (else [`Error::InvalidConfig`](crate::Error::InvalidConfig)).
    /// Default is 2.0.
    pub const fn with_backoff_rate(mut self, backoff_rate: f64) -> Self {
        self.backoff_rate = backoff_rate;
        self
    }

    /// `MaxAttempts`: the most retries after the first attempt (`0` = never retry).
    /// Default is 3, so a call or item is tried at most 4 times. Polling ignores it.
    pub const fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = Some(max_attempts);
        self
    }

    /// No limit on the number of retries: retry until success (or, for the fan-out's
    /// items, until the predicate refuses an error).
    pub const fn without_max_attempts(mut self) -> Self {
        self.max_attempts = None;
        self
    }

    /// `MaxDelaySeconds`: the cap on a computed delay (applied before jitter); it must
    /// not be shorter than the interval. Default is no cap (a polling backoff needs one).
    pub const fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = Some(max_delay);
        self
    }

    /// No cap on a computed delay (the default).
    pub const fn without_max_delay(mut self) -> Self {
        self.max_delay = None;
        self
    }

    /// `JitterStrategy`. Default is [`JitterStrategy::None`].
    pub const fn with_jitter(mut self, jitter: JitterStrategy) -> Self {
        self.jitter = jitter;
        self
    }

    /// Seeds the jitter's random numbers, for repeatable runs and tests. Default is a
    /// seed drawn from the process' random state.
    pub const fn with_jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// The delay before the first retry.
    pub const fn interval(&self) -> Duration {
        self.interval
    }

    /// The factor applied to the delay at each further retry.
    pub const fn backoff_rate(&self) -> f64 {
        self.backoff_rate
    }

    /// The most retries after the first attempt (`None`: no limit).
    pub const fn max_attempts(&self) -> Option<u32> {
        self.max_attempts
    }

    /// The cap on a computed delay, if any.
    pub const fn max_delay(&self) -> Option<Duration> {
        self.max_delay
    }

    /// The jitter strategy.
    pub const fn jitter(&self) -> JitterStrategy {
        self.jitter
    }

    /// The jitter's seed, if one was set.
    pub const fn jitter_seed(&self) -> Option<u64> {
        self.jitter_seed
    }

    /// The delays of the retries, in order (`max_attempts` of them; without a limit,
    /// they never run out). With a [jitter seed](Self::with_jitter_seed), the same
    /// numbers each time.
    pub fn delays(&self) -> impl Iterator<Item = Duration> + Send + Sync + Unpin + use<> {
        Delays {
            backoff: *self,
            retry: 0,
            rng: seed_or_random(self.jitter_seed),
        }
    }

    /// The delay before retry number `retry` (1-based), drawing the jitter from `rng`.
    pub(crate) fn delay(&self, retry: u32, rng: &mut u64) -> Duration {
        let exponent = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
        let secs = self.interval.as_secs_f64() * self.backoff_rate.powi(exponent);
        // Overflow (or an infinite product) saturates instead of panicking.
        let mut delay = Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX);
        if let Some(cap) = self.max_delay {
            delay = delay.min(cap);
        }
        match self.jitter {
            JitterStrategy::None => delay,
            JitterStrategy::Full => {
                Duration::try_from_secs_f64(delay.as_secs_f64() * unit_f64(rng)).unwrap_or(delay)
            }
        }
    }

    /// The delays as a `backon` backoff, for `Retryable::retry` (`max_attempts` of them).
    pub(crate) fn to_backon(self) -> impl backon::Backoff + use<> {
        self.delays()
    }

    /// The delays between polls: these delays without a limit on their number.
    pub(crate) fn polling_delays(self) -> impl Iterator<Item = Duration> {
        self.without_max_attempts().delays()
    }

    /// Checks the values that would otherwise give nonsense delays; `setting` names
    /// the setting in the message.
    pub(crate) fn problems(&self, setting: &str) -> Option<String> {
        if !(self.backoff_rate.is_finite() && self.backoff_rate >= 1.0) {
            Some(format!(
                "{setting}: backoff_rate must be a finite number >= 1.0, got {}",
                self.backoff_rate
            ))
        } else {
            self.max_delay
                .filter(|d| *d < self.interval)
                .map(|max_delay| {
                    format!(
                        "{setting}: max_delay ({max_delay:?}) is shorter than interval ({:?})",
                        self.interval
                    )
                })
        }
    }
}

/// The delays of a [`Backoff`], as [`Backoff::delays`] yields them.
#[derive(Debug, Clone)]
struct Delays {
    backoff: Backoff,
    retry: u32,
    rng: u64,
}

impl Iterator for Delays {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        if self.backoff.max_attempts.is_some_and(|m| self.retry >= m) {
            return None;
        }
        self.retry = self.retry.saturating_add(1);
        Some(self.backoff.delay(self.retry, &mut self.rng))
    }
}

/// splitmix64: a tiny, good-enough generator for jitter, seedable for tests.
fn next_u64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform number in `[0, 1)`.
fn unit_f64(state: &mut u64) -> f64 {
    (next_u64(state) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The seed, or one drawn from the process' random state.
pub(crate) fn seed_or_random(seed: Option<u64>) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    seed.unwrap_or_else(|| {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    })
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
    /// 5 s, full jitter, 8 retries` (no cap, no jitter and no limit say nothing). The
    /// README's settings table is checked against it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exponential from {}, x{}",
            human(self.interval),
            self.backoff_rate
        )?;
        if let Some(cap) = self.max_delay {
            write!(f, ", capped at {}", human(cap))?;
        }
        match self.jitter {
            JitterStrategy::None => {}
            JitterStrategy::Full => f.write_str(", full jitter")?,
        }
        if let Some(n) = self.max_attempts {
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
pub(crate) const DEFAULT_CHUNK_SIZE: u64 = 8 << 20;

/// The default [`chunks_in_flight`](crate::AthenaBuilder::with_chunks_in_flight).
pub(crate) const DEFAULT_CHUNKS_IN_FLIGHT: usize = 8;

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
            "exponential from 100 ms, x2, capped at 5 s, full jitter"
        );
        assert_eq!(
            Backoff::DEFAULT_RETRY.to_string(),
            "exponential from 200 ms, x2, capped at 10 s, full jitter, 8 retries"
        );
    }

    #[test]
    fn polling_delays_never_run_out() {
        let limited = Backoff::new(Duration::from_millis(1)).with_max_attempts(2);
        assert_eq!(limited.polling_delays().take(100).count(), 100);
    }

    #[test]
    fn nonsense_factors_and_caps_are_refused() {
        let ok = Backoff::new(Duration::from_millis(100));
        assert!(ok.problems("x").is_none());
        assert!(ok.with_backoff_rate(0.5).problems("x").is_some());
        assert!(ok.with_backoff_rate(f64::NAN).problems("x").is_some());
        assert!(
            ok.with_max_delay(Duration::from_millis(1))
                .problems("x")
                .is_some()
        );
    }
}
