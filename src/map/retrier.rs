//! The per-item retry rule of the fan-out, shaped like a Step Functions `Retry` rule.
//!
//! The schedule is computed here; the sleeping and re-calling happen in the fan-out
//! engine, so that the per-item function may stay `FnMut` and an item being retried
//! keeps its slot (and, in the ordered form, its place).

use std::fmt;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::settings::Backoff;
use crate::settings::JitterStrategy;

/// The retry predicate of a [`Retrier`] that retries every error (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct RetryAll;

/// The fan-out's retry policy when none is set: every item gets exactly one attempt.
///
/// This is the default of [`MapSettings`](crate::map::MapSettings), as in Step Functions, where a state
/// without a `Retry` rule is never retried. It places no bound on the item type.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRetry;

/// A per-item retry rule, shaped like a Step Functions `Retry` rule: a [`Backoff`] and
/// the errors to retry.
///
/// After a failed attempt, an item whose error passes the predicate ([`when`](Self::when),
/// by default every error) is tried again after the backoff's next delay:
/// `interval * backoff_rate^(retry - 1)`, capped by `max_delay`, and randomised by the
/// [`JitterStrategy`]; at most `max_attempts` retries follow the first attempt. The
/// `with_*` methods and getters are [`Backoff`]'s, forwarded; [`with_backoff`](Self::with_backoff)
/// sets them all at once.
///
/// Retrying calls the per-item function again with a clone of the item, so a
/// [`MapSettings`](crate::map::MapSettings) with a `Retrier` needs `T: Clone` (one clone per attempt that
/// may be followed by another). The delay is slept on the tokio timer, so retries need
/// a tokio runtime with time enabled. An item waiting for its retry keeps its slot in
/// `max_concurrency`.
///
/// ```
/// use std::time::Duration;
/// use athena_stream::JitterStrategy;
/// use athena_stream::map::Retrier;
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
    backoff: Backoff,
    when: W,
}

impl<W> fmt::Debug for Retrier<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retrier")
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

impl Default for Retrier {
    fn default() -> Self {
        Self::new()
    }
}

impl Retrier {
    /// A rule with Step Functions' defaults (those of [`Backoff::new`]): interval 1 s,
    /// backoff rate 2.0, 3 retries, no delay cap, no jitter, retrying every error.
    pub const fn new() -> Self {
        Self {
            backoff: Backoff::new(Duration::from_secs(1)),
            when: RetryAll,
        }
    }
}

impl<W> Retrier<W> {
    /// Every number of the rule at once: the interval, backoff rate, max attempts, max
    /// delay, jitter and seed of `backoff`.
    #[must_use]
    pub const fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// See [`Backoff::with_interval`]. Default is 1 s.
    #[must_use]
    pub const fn with_interval(mut self, interval: Duration) -> Self {
        self.backoff = self.backoff.with_interval(interval);
        self
    }

    /// See [`Backoff::with_backoff_rate`]: an invalid rate fails the fan-out with
    /// [`Error::InvalidConfig`]. Default is 2.0.
    #[must_use]
    pub const fn with_backoff_rate(mut self, backoff_rate: f64) -> Self {
        self.backoff = self.backoff.with_backoff_rate(backoff_rate);
        self
    }

    /// See [`Backoff::with_max_attempts`]: the most retries after the first attempt
    /// (`0` = never retry). Default is 3, so an item is tried at most 4 times.
    #[must_use]
    pub const fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.backoff = self.backoff.with_max_attempts(max_attempts);
        self
    }

    /// See [`Backoff::without_max_attempts`]: retry an item until it succeeds or its
    /// error is not one to retry.
    #[must_use]
    pub const fn without_max_attempts(mut self) -> Self {
        self.backoff = self.backoff.without_max_attempts();
        self
    }

    /// See [`Backoff::with_max_delay`]. Default is no cap.
    #[must_use]
    pub const fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.backoff = self.backoff.with_max_delay(max_delay);
        self
    }

    /// See [`Backoff::without_max_delay`].
    #[must_use]
    pub const fn without_max_delay(mut self) -> Self {
        self.backoff = self.backoff.without_max_delay();
        self
    }

    /// See [`Backoff::with_jitter`]. Default is [`JitterStrategy::None`].
    #[must_use]
    pub const fn with_jitter(mut self, jitter: JitterStrategy) -> Self {
        self.backoff = self.backoff.with_jitter(jitter);
        self
    }

    /// See [`Backoff::with_jitter_seed`]: the fan-out draws its jitter from this seed.
    #[must_use]
    pub const fn with_jitter_seed(mut self, seed: u64) -> Self {
        self.backoff = self.backoff.with_jitter_seed(seed);
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
            backoff: self.backoff,
            when: predicate,
        }
    }

    /// The rule's numbers, as a [`Backoff`].
    pub const fn backoff(&self) -> Backoff {
        self.backoff
    }

    /// The delay before the first retry.
    pub const fn interval(&self) -> Duration {
        self.backoff.interval()
    }

    /// The factor applied to the delay at each further retry.
    pub const fn backoff_rate(&self) -> f64 {
        self.backoff.backoff_rate()
    }

    /// The most retries after the first attempt (`None`: no limit).
    pub const fn max_attempts(&self) -> Option<u32> {
        self.backoff.max_attempts()
    }

    /// The cap on a computed delay, if any.
    pub const fn max_delay(&self) -> Option<Duration> {
        self.backoff.max_delay()
    }

    /// The jitter strategy.
    pub const fn jitter(&self) -> JitterStrategy {
        self.backoff.jitter()
    }

    /// The jitter's seed, if one was set.
    pub const fn jitter_seed(&self) -> Option<u64> {
        self.backoff.jitter_seed()
    }

    /// The delays of one item's retries, in order (see [`Backoff::delays`]), as the
    /// fan-out would draw them for the first item that retries (same seed, same numbers).
    pub fn delays(&self) -> impl Iterator<Item = Duration> + use<W> {
        self.backoff.delays()
    }

    /// Whether attempt number `attempt` (1-based) may be followed by a retry.
    fn may_retry_after(&self, attempt: u32) -> bool {
        self.backoff.max_attempts().is_none_or(|m| attempt <= m)
    }

    pub(super) fn validate(&self) -> Result<()> {
        match self.backoff.problems("Retrier") {
            Some(problem) => Err(Error::invalid_config(problem)),
            None => Ok(()),
        }
    }
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

    /// The most retries after the first attempt (`Some(0)` without a retrier, `None`
    /// without a limit), for the span.
    #[doc(hidden)]
    fn max_attempts(&self) -> Option<u32>;
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
    fn max_attempts(&self) -> Option<u32> {
        Some(0)
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
        self.may_retry_after(attempt).then(|| item.clone())
    }

    fn retry_delay(&self, error: &E, attempts: u32, rng: &mut u64) -> Option<Duration> {
        (self.may_retry_after(attempts) && self.when.test(error))
            .then(|| self.backoff.delay(attempts, rng))
    }

    fn validate(&self) -> Result<()> {
        Retrier::validate(self)
    }

    fn jitter_seed(&self) -> Option<u64> {
        self.backoff.jitter_seed()
    }

    fn max_attempts(&self) -> Option<u32> {
        self.backoff.max_attempts()
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
