//! The per-item retry rule of the fan-out, shaped like a Step Functions `Retry` rule.
//!
//! The schedule is computed here; the sleeping and re-calling happen in the fan-out
//! engine, so that the per-item function may stay `FnMut` and an item being retried
//! keeps its slot (and, in the ordered form, its place).

use std::fmt;
use std::time::Duration;

use crate::error::{Error, Result};

/// How a retry delay is randomised, like Step Functions' `JitterStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum JitterStrategy {
    /// `NONE`: wait exactly the computed delay.
    #[default]
    None,
    /// `FULL`: wait a uniformly random time in `[0, delay]`.
    Full,
}

/// The retry predicate of a [`Retrier`] that retries every error (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct RetryAll;

/// The fan-out's retry policy when none is set: every item gets exactly one attempt.
///
/// This is the default of [`MapSettings`](crate::MapSettings), as in Step Functions, where a state
/// without a `Retry` rule is never retried. It places no bound on the item type.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRetry;

/// A per-item retry rule, shaped like a Step Functions `Retry` rule.
///
/// After a failed attempt, an item whose error passes the predicate ([`when`](Self::when),
/// by default every error) is tried again after a delay of
/// `interval * backoff_rate^(retry - 1)`, capped by `max_delay`, and randomised by the
/// [`JitterStrategy`]; at most `max_attempts` retries follow the first attempt.
///
/// Retrying calls the per-item function again with a clone of the item, so a
/// [`MapSettings`](crate::MapSettings) with a `Retrier` needs `T: Clone` (one clone per attempt that
/// may be followed by another). The delay is slept on the tokio timer, so retries need
/// a tokio runtime with time enabled. An item waiting for its retry keeps its slot in
/// `max_concurrency`.
///
/// ```
/// use std::time::Duration;
/// use athena_stream::{JitterStrategy, Retrier};
///
/// #[derive(Debug)]
/// struct Throttled;
///
/// let retrier = Retrier::new()
///     .with_interval(Duration::from_millis(100))
///     .with_max_attempts(2)
///     .when(|_: &Throttled| true);
/// let delays: Vec<_> = retrier.delays().collect();
/// assert_eq!(delays, [Duration::from_millis(100), Duration::from_millis(200)]);
///
/// // FULL jitter draws each delay in [0, computed delay]; a seed makes it repeatable.
/// let jittered = Retrier::new().with_jitter(JitterStrategy::Full).with_jitter_seed(7);
/// for (d, cap) in jittered.delays().zip(Retrier::new().delays()) {
///     assert!(d <= cap);
/// }
/// ```
#[derive(Clone, Copy)]
pub struct Retrier<W = RetryAll> {
    interval: Duration,
    backoff_rate: f64,
    max_attempts: u32,
    max_delay: Option<Duration>,
    jitter: JitterStrategy,
    jitter_seed: Option<u64>,
    when: W,
}

impl<W> fmt::Debug for Retrier<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retrier")
            .field("interval", &self.interval)
            .field("backoff_rate", &self.backoff_rate)
            .field("max_attempts", &self.max_attempts)
            .field("max_delay", &self.max_delay)
            .field("jitter", &self.jitter)
            .field("jitter_seed", &self.jitter_seed)
            .finish_non_exhaustive()
    }
}

impl Default for Retrier {
    fn default() -> Self {
        Self::new()
    }
}

impl Retrier {
    /// A rule with Step Functions' defaults: interval 1 s, backoff rate 2.0,
    /// 3 retries, no delay cap, no jitter, retrying every error.
    pub const fn new() -> Self {
        Self {
            interval: Duration::from_secs(1),
            backoff_rate: 2.0,
            max_attempts: 3,
            max_delay: None,
            jitter: JitterStrategy::None,
            jitter_seed: None,
            when: RetryAll,
        }
    }
}

impl<W> Retrier<W> {
    /// `IntervalSeconds`: the delay before the first retry. Default is 1 s.
    #[must_use]
    pub const fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// `BackoffRate`: the factor applied to the delay at each further retry; it must be
    /// a finite number of at least 1.0 (else the fan-out fails with
    /// [`Error::InvalidConfig`]). Default is 2.0.
    #[must_use]
    pub const fn with_backoff_rate(mut self, backoff_rate: f64) -> Self {
        self.backoff_rate = backoff_rate;
        self
    }

    /// `MaxAttempts`: the most retries after the first attempt (`0` = never retry).
    /// Default is 3, so an item is tried at most 4 times.
    #[must_use]
    pub const fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// `MaxDelaySeconds`: the cap on a computed delay (applied before jitter).
    /// Default is no cap.
    #[must_use]
    pub const fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = Some(max_delay);
        self
    }

    /// `JitterStrategy`. Default is [`JitterStrategy::None`].
    #[must_use]
    pub const fn with_jitter(mut self, jitter: JitterStrategy) -> Self {
        self.jitter = jitter;
        self
    }

    /// Seeds the jitter's random numbers, for repeatable runs and tests.
    /// Default is a seed drawn from the process' random state.
    #[must_use]
    pub const fn with_jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// `ErrorEquals`: retry only the errors for which `predicate` returns `true`; the
    /// others fail the item at once. `E` is the per-item function's own error type.
    /// Default is to retry every error.
    #[must_use]
    pub fn when<E, P>(self, predicate: P) -> Retrier<P>
    where
        P: Fn(&E) -> bool,
    {
        Retrier {
            interval: self.interval,
            backoff_rate: self.backoff_rate,
            max_attempts: self.max_attempts,
            max_delay: self.max_delay,
            jitter: self.jitter,
            jitter_seed: self.jitter_seed,
            when: predicate,
        }
    }

    /// The delay before the first retry.
    pub const fn interval(&self) -> Duration {
        self.interval
    }

    /// The factor applied to the delay at each further retry.
    pub const fn backoff_rate(&self) -> f64 {
        self.backoff_rate
    }

    /// The most retries after the first attempt.
    pub const fn max_attempts(&self) -> u32 {
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

    /// The delays of one item's retries, in order (`max_attempts` of them), as the
    /// fan-out would draw them for the first item that retries (same seed, same numbers).
    pub fn delays(&self) -> impl Iterator<Item = Duration> + use<W> {
        let schedule = Schedule::of(self);
        let mut rng = seed_or_random(self.jitter_seed);
        (1..=self.max_attempts).map(move |retry| schedule.delay(retry, &mut rng))
    }

    pub(super) fn validate(&self) -> Result<()> {
        if !self.backoff_rate.is_finite() || self.backoff_rate < 1.0 {
            return Err(Error::invalid_config(format!(
                "Retrier backoff_rate must be a finite number >= 1.0, got {}",
                self.backoff_rate
            )));
        }
        Ok(())
    }
}

/// The numeric part of a [`Retrier`], free of the predicate's type.
#[derive(Debug, Clone, Copy)]
struct Schedule {
    interval: Duration,
    backoff_rate: f64,
    max_delay: Option<Duration>,
    jitter: JitterStrategy,
}

impl Schedule {
    fn of<W>(r: &Retrier<W>) -> Self {
        Self {
            interval: r.interval,
            backoff_rate: r.backoff_rate,
            max_delay: r.max_delay,
            jitter: r.jitter,
        }
    }

    /// The delay before retry number `retry` (1-based).
    fn delay(&self, retry: u32, rng: &mut u64) -> Duration {
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

pub(crate) fn seed_or_random(seed: Option<u64>) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    seed.unwrap_or_else(|| {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    })
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::NoRetry {}
    impl<W> Sealed for super::Retrier<W> {}
}

/// What the fan-out needs from its retry setting: implemented by [`NoRetry`] (for any
/// item type) and by [`Retrier`] (for items that are `Clone`). Sealed.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot retry items of type `{T}` that fail with `{E}`",
    note = "a `MapSettings` with a `Retrier` calls the function again with a clone of the item: `{T}` must be `Clone`",
    note = "a predicate given to `Retrier::when` must take `&{E}`, the function's error type"
)]
pub trait RetryPolicy<T, E>: sealed::Sealed {
    /// A copy of `item` to keep for a later attempt, when attempt number `attempt`
    /// (1-based) may be followed by a retry.
    #[doc(hidden)]
    fn keep(&self, item: &T, attempt: u32) -> Option<T>;

    /// The delay before retrying after attempt `attempts` failed with `error`, or
    /// `None` when the error is not to be retried.
    #[doc(hidden)]
    fn retry_delay(&self, error: &E, attempts: u32, rng: &mut u64) -> Option<Duration>;

    /// Refuses invalid settings.
    #[doc(hidden)]
    fn validate(&self) -> Result<()>;

    /// The jitter seed, if one was set.
    #[doc(hidden)]
    fn jitter_seed(&self) -> Option<u64>;

    /// The most retries after the first attempt (`0` without a retrier), for the span.
    #[doc(hidden)]
    fn max_attempts(&self) -> u32;
}

impl<T, E> RetryPolicy<T, E> for NoRetry {
    fn keep(&self, _: &T, _: u32) -> Option<T> {
        None
    }
    fn retry_delay(&self, _: &E, _: u32, _: &mut u64) -> Option<Duration> {
        None
    }
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    fn jitter_seed(&self) -> Option<u64> {
        None
    }
    fn max_attempts(&self) -> u32 {
        0
    }
}

/// Retrying needs to know whether the error is one to retry.
trait Predicate<E> {
    fn test(&self, error: &E) -> bool;
}

impl<E> Predicate<E> for RetryAll {
    fn test(&self, _: &E) -> bool {
        true
    }
}

impl<E, P: Fn(&E) -> bool> Predicate<E> for P {
    fn test(&self, error: &E) -> bool {
        self(error)
    }
}

#[allow(private_bounds)] // `Predicate` only joins the two public cases above.
impl<T: Clone, E, W: Predicate<E>> RetryPolicy<T, E> for Retrier<W> {
    fn keep(&self, item: &T, attempt: u32) -> Option<T> {
        // Attempt `a` is followed by retry number `a`, allowed while `a <= max_attempts`.
        (attempt <= self.max_attempts).then(|| item.clone())
    }

    fn retry_delay(&self, error: &E, attempts: u32, rng: &mut u64) -> Option<Duration> {
        (attempts <= self.max_attempts && self.when.test(error))
            .then(|| Schedule::of(self).delay(attempts, rng))
    }

    fn validate(&self) -> Result<()> {
        Retrier::validate(self)
    }

    fn jitter_seed(&self) -> Option<u64> {
        self.jitter_seed
    }

    fn max_attempts(&self) -> u32 {
        self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_is_exponential_and_capped() {
        let r = Retrier::new()
            .with_max_attempts(5)
            .with_max_delay(Duration::from_secs(5));
        let d: Vec<_> = r.delays().collect();
        let s = Duration::from_secs;
        assert_eq!(d, [s(1), s(2), s(4), s(5), s(5)]);
    }

    #[test]
    fn zero_max_attempts_never_retries() {
        let r = Retrier::new().with_max_attempts(0);
        assert_eq!(r.delays().count(), 0);
        assert_eq!(RetryPolicy::<u8, ()>::keep(&r, &1, 1), None);
        assert_eq!(RetryPolicy::<u8, ()>::retry_delay(&r, &(), 1, &mut 0), None);
    }

    #[test]
    fn full_jitter_is_within_delay_and_seeded() {
        let r = Retrier::new()
            .with_max_attempts(50)
            .with_max_delay(Duration::from_secs(30))
            .with_jitter(JitterStrategy::Full)
            .with_jitter_seed(42);
        let a: Vec<_> = r.delays().collect();
        let b: Vec<_> = r.delays().collect();
        assert_eq!(a, b, "same seed, same delays");
        let caps: Vec<_> = r.with_jitter(JitterStrategy::None).delays().collect();
        assert!(a.iter().zip(&caps).all(|(d, cap)| d <= cap));
        assert!(
            a.iter().zip(&caps).any(|(d, cap)| d < cap),
            "jitter draws below the cap"
        );
        let other: Vec<_> = r.with_jitter_seed(43).delays().collect();
        assert_ne!(a, other);
    }

    #[test]
    fn huge_schedules_saturate_instead_of_panicking() {
        let r = Retrier::new()
            .with_backoff_rate(1e300)
            .with_max_attempts(10)
            .with_interval(Duration::MAX);
        assert!(r.delays().all(|d| d == Duration::MAX));
    }

    #[test]
    fn predicate_chooses_errors() {
        let r = Retrier::new().when(|e: &&str| *e == "throttled");
        assert!(RetryPolicy::<u8, &str>::retry_delay(&r, &"throttled", 1, &mut 0).is_some());
        assert!(RetryPolicy::<u8, &str>::retry_delay(&r, &"denied", 1, &mut 0).is_none());
        assert!(RetryPolicy::<u8, &str>::retry_delay(&r, &"throttled", 4, &mut 0).is_none());
    }

    #[test]
    fn invalid_backoff_rate_is_refused() {
        for rate in [0.5, f64::NAN, f64::INFINITY, -1.0] {
            let err = Retrier::new()
                .with_backoff_rate(rate)
                .validate()
                .unwrap_err();
            assert!(matches!(err, Error::InvalidConfig { .. }), "{rate}");
        }
    }
}
