//! The settings of the fan-out, in the words of the Step Functions Map state.

use std::num::NonZeroUsize;

use super::retrier::{NoRetry, Retrier};
use crate::error::{Error, Result};

/// The settings of a fan-out, like a Step Functions `Map` state: how many items run at
/// once, how many failures are tolerated, and how a failed item is retried.
///
/// A `MapSettings` is a plain value (`Copy` unless its retry predicate is not); hand it to
/// [`MapExt::map_ordered`](crate::map::MapExt::map_ordered),
/// [`map_unordered`](crate::map::MapExt::map_unordered) or
/// [`run_map`](crate::map::MapExt::run_map). Invalid settings are not refused here but by
/// the fan-out, which then fails at once with [`Error::InvalidConfig`] (see
/// `validate`).
///
/// There is no `Default`: how many items run at once is the one setting every fan-out
/// needs, so [`MapSettings::new`] takes it.
///
/// ```
/// use std::time::Duration;
/// use athena_stream::map::{MapSettings, Retrier};
///
/// let map = MapSettings::new(16)
///     .with_tolerated_failure_percentage(5.0)
///     .with_retrier(Retrier::new().with_interval(Duration::from_millis(200)));
/// assert_eq!(map.max_concurrency(), 16);
/// assert!(map.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MapSettings<P = NoRetry> {
    max_concurrency: usize,
    tolerated_failure_count: Option<u64>,
    tolerated_failure_percentage: Option<f64>,
    retrier: P,
}

impl MapSettings {
    /// A `MapSettings` with at most `max_concurrency` items in flight at once (`MaxConcurrency`:
    /// `0` means no limit, as in Step Functions; `1` runs items one at a time in input
    /// order), failing fast, without retries.
    ///
    /// ```
    /// use athena_stream::map::MapSettings;
    ///
    /// assert_eq!(MapSettings::new(8).max_concurrency(), 8);
    /// assert_eq!(MapSettings::new(0).max_concurrency(), 0); // no limit
    /// ```
    pub const fn new(max_concurrency: usize) -> Self {
        Self {
            max_concurrency,
            tolerated_failure_count: None,
            tolerated_failure_percentage: None,
            retrier: NoRetry,
        }
    }
}

impl<P> MapSettings<P> {
    /// `MaxConcurrency`: replaces the limit given to [`MapSettings::new`]. `0` means no limit,
    /// `1` runs items one at a time in input order, `N` runs at most `N` at once. An
    /// item waiting for a retry counts as in flight.
    #[must_use]
    pub const fn with_max_concurrency(mut self, max_concurrency: usize) -> Self {
        self.max_concurrency = max_concurrency;
        self
    }

    /// `ToleratedFailureCount`: the fan-out fails with
    /// [`Error::ToleratedFailureThresholdExceeded`] as soon as more than this many items
    /// have failed. Failed items within the tolerance are reported (as
    /// [`Error::Item`] in the streams, in [`MapReport::failures`](crate::map::MapReport::failures)
    /// from [`run_map`](crate::map::MapExt::run_map)) and the run goes on.
    ///
    /// Default is none; with neither this nor a percentage set, the fan-out fails fast:
    /// the first failed item ends it with its own [`Error::Item`].
    #[must_use]
    pub const fn with_tolerated_failure_count(mut self, count: u64) -> Self {
        self.tolerated_failure_count = Some(count);
        self
    }

    /// `ToleratedFailurePercentage` (`0.0..=100.0`): the fan-out fails with
    /// [`Error::ToleratedFailureThresholdExceeded`] when more than this percentage of
    /// all items failed.
    ///
    /// Step Functions knows the number of items up front; a stream does not. So the
    /// percentage is evaluated against the total once it is known, that is as soon as
    /// the input stream has ended (at that moment, and at every later failure). Before
    /// that, more items may still bring the ratio down, so only `0.0` (where any failure
    /// exceeds it) fails early. Add a [count](Self::with_tolerated_failure_count) to
    /// also bound the failures in absolute terms, early.
    ///
    /// Default is none (see [`with_tolerated_failure_count`](Self::with_tolerated_failure_count)).
    /// A value outside `0.0..=100.0` or NaN fails the fan-out with [`Error::InvalidConfig`].
    #[must_use]
    pub const fn with_tolerated_failure_percentage(mut self, percentage: f64) -> Self {
        self.tolerated_failure_percentage = Some(percentage);
        self
    }

    /// A `Retry` rule for failed items (see [`Retrier`]); items are then `Clone`d for
    /// their retries. Default is no retry.
    #[must_use]
    pub fn with_retrier<W>(self, retrier: Retrier<W>) -> MapSettings<Retrier<W>> {
        MapSettings {
            max_concurrency: self.max_concurrency,
            tolerated_failure_count: self.tolerated_failure_count,
            tolerated_failure_percentage: self.tolerated_failure_percentage,
            retrier,
        }
    }

    /// The most items in flight at once (`0` = no limit).
    pub const fn max_concurrency(&self) -> usize {
        self.max_concurrency
    }

    /// The tolerated failure count, if set.
    pub const fn tolerated_failure_count(&self) -> Option<u64> {
        self.tolerated_failure_count
    }

    /// The tolerated failure percentage, if set.
    pub const fn tolerated_failure_percentage(&self) -> Option<f64> {
        self.tolerated_failure_percentage
    }

    /// The retry setting: [`NoRetry`] or a [`Retrier`].
    pub const fn retrier(&self) -> &P {
        &self.retrier
    }

    /// Refuses an invalid percentage; the retrier checks its own settings.
    pub(super) fn validate_tolerance(&self) -> Result<()> {
        if let Some(p) = self.tolerated_failure_percentage
            && !(0.0..=100.0).contains(&p)
        {
            return Err(Error::invalid_config(format!(
                "tolerated_failure_percentage must be within 0.0..=100.0, got {p}"
            )));
        }
        Ok(())
    }

    pub(super) fn into_parts(self) -> (Option<NonZeroUsize>, Tolerance, P) {
        let tolerance = Tolerance {
            count: self.tolerated_failure_count,
            percentage: self.tolerated_failure_percentage,
        };
        (
            NonZeroUsize::new(self.max_concurrency),
            tolerance,
            self.retrier,
        )
    }
}

impl MapSettings<NoRetry> {
    /// Checks the settings that the fan-out would otherwise refuse when first polled.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for a tolerated failure percentage outside
    /// `0.0..=100.0` (or NaN).
    pub fn validate(&self) -> Result<()> {
        self.validate_tolerance()
    }
}

impl<W> MapSettings<Retrier<W>> {
    /// Checks the settings that the fan-out would otherwise refuse when first polled.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for a tolerated failure percentage outside
    /// `0.0..=100.0` (or NaN), or a retrier's backoff rate below 1.0 (or not finite).
    pub fn validate(&self) -> Result<()> {
        self.validate_tolerance()?;
        self.retrier.validate()
    }
}

/// The failure policy, evaluated by the engine.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tolerance {
    count: Option<u64>,
    percentage: Option<f64>,
}

impl Tolerance {
    /// Fail fast: no tolerance was set, so the first failure is the error itself.
    pub(super) fn is_fail_fast(&self) -> bool {
        self.count.is_none() && self.percentage.is_none()
    }

    /// Whether `failed` failures exceed the tolerance; `total` is the number of items
    /// once the input has ended, `None` while it is still open.
    pub(super) fn exceeded(&self, failed: u64, total: Option<u64>) -> bool {
        if self.is_fail_fast() {
            return failed > 0;
        }
        let by_count = self.count.is_some_and(|c| failed > c);
        let by_percentage = self.percentage.is_some_and(|p| match total {
            Some(total) => failed as f64 * 100.0 > p * total as f64,
            None => p == 0.0 && failed > 0,
        });
        by_count || by_percentage
    }

    pub(super) fn threshold_error(&self, failed: u64, total: u64, last: Option<Error>) -> Error {
        Error::ToleratedFailureThresholdExceeded {
            failed,
            total,
            tolerated_failure_count: self.count,
            tolerated_failure_percentage: self.percentage,
            last: last.map(Box::new),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_takes_the_limit_and_fails_fast_without_retries() {
        let m = MapSettings::new(7);
        assert_eq!(m.max_concurrency(), 7);
        assert_eq!(m.tolerated_failure_count(), None);
        assert_eq!(m.tolerated_failure_percentage(), None);
        assert!(m.into_parts().1.is_fail_fast());
        assert!(m.validate().is_ok());
        assert_eq!(m.with_max_concurrency(0).max_concurrency(), 0);
        assert_eq!(
            m.with_max_concurrency(0).into_parts().0,
            None,
            "0 is no limit"
        );
    }

    #[test]
    fn invalid_percentage_is_refused() {
        for p in [-0.1, 100.1, f64::NAN, f64::INFINITY] {
            let err = MapSettings::new(1)
                .with_tolerated_failure_percentage(p)
                .validate()
                .unwrap_err();
            assert!(matches!(err, Error::InvalidConfig { .. }), "{p}");
        }
        for p in [0.0, 50.0, 100.0] {
            assert!(
                MapSettings::new(1)
                    .with_tolerated_failure_percentage(p)
                    .validate()
                    .is_ok()
            );
        }
    }

    #[test]
    fn tolerance_rules() {
        let fail_fast = MapSettings::new(1).into_parts().1;
        assert!(!fail_fast.exceeded(0, None));
        assert!(fail_fast.exceeded(1, None));

        let count = MapSettings::new(1)
            .with_tolerated_failure_count(2)
            .into_parts()
            .1;
        assert!(!count.exceeded(2, None));
        assert!(count.exceeded(3, None));

        let pct = MapSettings::new(1)
            .with_tolerated_failure_percentage(10.0)
            .into_parts()
            .1;
        assert!(
            !pct.exceeded(5, None),
            "total unknown: the ratio may still drop"
        );
        assert!(!pct.exceeded(1, Some(10)), "10% of 10 is tolerated");
        assert!(pct.exceeded(2, Some(10)));

        let zero = MapSettings::new(1)
            .with_tolerated_failure_percentage(0.0)
            .into_parts()
            .1;
        assert!(
            zero.exceeded(1, None),
            "0% is exceeded by any failure, early"
        );

        let hundred = MapSettings::new(1)
            .with_tolerated_failure_percentage(100.0)
            .into_parts()
            .1;
        assert!(!hundred.exceeded(10, Some(10)));
    }
}
