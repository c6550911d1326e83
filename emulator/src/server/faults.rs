//! Fault injection (latency, throttling, server errors, dropped connections), drawn from
//! one seeded generator so a run is reproducible, and the counts of calls per operation.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::athena::operation::Operation;

/// Faults injected into the answers of an operation.
///
/// Each call to an operation first waits `latency` plus a uniform random part of
/// `jitter`, then, with the given probabilities: drops the connection without answering
/// (after the operation has run, as when an answer is lost on the way), answers
/// `400 ThrottlingException` (`Rate exceeded`), or answers `500 InternalServerException`
/// (both before the operation runs). All draws come from the emulator's seeded
/// generator ([`EmulatorBuilder::with_seed`](crate::server::EmulatorBuilder::with_seed)).
///
/// ```
/// use std::time::Duration;
/// use athena_emulator::server::Faults;
///
/// let flaky = Faults::new()
///     .with_latency(Duration::from_millis(5), Duration::from_millis(10))
///     .with_throttle_rate(0.1)
///     .with_server_error_rate(0.05)
///     .with_drop_connection_rate(0.01);
/// assert_eq!(flaky.throttle_rate(), 0.1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Faults {
    latency: Duration,
    jitter: Duration,
    throttle_rate: f64,
    server_error_rate: f64,
    drop_connection_rate: f64,
}

impl Faults {
    /// No faults: no added latency, every rate 0.
    pub const fn new() -> Self {
        Self {
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            throttle_rate: 0.0,
            server_error_rate: 0.0,
            drop_connection_rate: 0.0,
        }
    }

    /// Adds `fixed` plus a uniform random delay in `[0, jitter]` before each answer.
    /// Default is no delay.
    #[must_use]
    pub const fn with_latency(mut self, fixed: Duration, jitter: Duration) -> Self {
        self.latency = fixed;
        self.jitter = jitter;
        self
    }

    /// The probability (0.0..=1.0) of answering `ThrottlingException`. Default is 0.
    #[must_use]
    pub const fn with_throttle_rate(mut self, rate: f64) -> Self {
        self.throttle_rate = rate;
        self
    }

    /// The probability (0.0..=1.0) of answering `500 InternalServerException`. Default is 0.
    #[must_use]
    pub const fn with_server_error_rate(mut self, rate: f64) -> Self {
        self.server_error_rate = rate;
        self
    }

    /// The probability (0.0..=1.0) of closing the connection without an answer.
    /// Default is 0.
    #[must_use]
    pub const fn with_drop_connection_rate(mut self, rate: f64) -> Self {
        self.drop_connection_rate = rate;
        self
    }

    /// The fixed latency.
    pub const fn latency(&self) -> Duration {
        self.latency
    }

    /// The maximum random latency added to the fixed one.
    pub const fn jitter(&self) -> Duration {
        self.jitter
    }

    /// The throttling probability.
    pub const fn throttle_rate(&self) -> f64 {
        self.throttle_rate
    }

    /// The server error probability.
    pub const fn server_error_rate(&self) -> f64 {
        self.server_error_rate
    }

    /// The dropped-connection probability.
    pub const fn drop_connection_rate(&self) -> f64 {
        self.drop_connection_rate
    }

    fn is_active(&self) -> bool {
        !self.latency.is_zero()
            || !self.jitter.is_zero()
            || self.throttle_rate > 0.0
            || self.server_error_rate > 0.0
            || self.drop_connection_rate > 0.0
    }

    /// The first rate that is not a probability, if any, with its name.
    pub(crate) fn invalid_rate(&self) -> Option<(&'static str, f64)> {
        [
            ("throttle_rate", self.throttle_rate),
            ("server_error_rate", self.server_error_rate),
            ("drop_connection_rate", self.drop_connection_rate),
        ]
        .into_iter()
        .find(|(_, rate)| !(0.0..=1.0).contains(rate))
    }
}

/// A fault for the next calls of one operation, injected whatever the rates say: to
/// make a test's fault happen at the call it is about (see
/// [`Emulator::inject`](crate::server::Emulator::inject)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Injected {
    /// `400 ThrottlingException` (`Rate exceeded`), before the operation runs.
    Throttle,
    /// `500 InternalServerException`, before the operation runs.
    ServerError,
    /// `400 TooManyRequestsException` with `Reason: CONCURRENT_QUERY_LIMIT_EXCEEDED`,
    /// before the operation runs (what `StartQueryExecution` answers at the active-query
    /// limit; sent as is for any operation).
    ConcurrentQueryLimit,
    /// The connection is closed before the operation runs: nothing happened.
    DropBeforeRunning,
    /// The operation runs, then the connection is closed without an answer: the call's
    /// effect (a started query, a stop) happened but the caller never learns of it.
    LoseAnswer,
}

/// What to do with one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Answer normally.
    Serve,
    /// Answer `ThrottlingException` without running the operation.
    Throttle,
    /// Answer `InternalServerException` without running the operation.
    ServerError,
    /// Answer `TooManyRequestsException` (concurrent query limit) without running.
    ConcurrentQueryLimit,
    /// Close the connection without running the operation.
    DropBeforeRunning,
    /// Run the operation, then close the connection without answering.
    Drop,
}

impl From<Injected> for Outcome {
    fn from(injected: Injected) -> Self {
        match injected {
            Injected::Throttle => Outcome::Throttle,
            Injected::ServerError => Outcome::ServerError,
            Injected::ConcurrentQueryLimit => Outcome::ConcurrentQueryLimit,
            Injected::DropBeforeRunning => Outcome::DropBeforeRunning,
            Injected::LoseAnswer => Outcome::Drop,
        }
    }
}

/// SplitMix64: tiny, fast, and good enough to draw fault decisions reproducibly.
#[derive(Debug)]
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Decides the faults of every call.
#[derive(Debug)]
pub(crate) struct FaultInjector {
    per_operation: [Faults; Operation::ALL.len()],
    rng: Mutex<SplitMix64>,
    /// Faults injected for the next calls, per operation, taken before any draw.
    script: Mutex<[VecDeque<Outcome>; Operation::ALL.len()]>,
}

impl FaultInjector {
    pub(crate) fn new(per_operation: [Faults; Operation::ALL.len()], seed: u64) -> Self {
        Self {
            per_operation,
            rng: Mutex::new(SplitMix64(seed)),
            script: Mutex::new(std::array::from_fn(|_| VecDeque::new())),
        }
    }

    /// The next `times` calls of `operation` get `injected`, after those injected before.
    pub(crate) fn inject(&self, operation: Operation, injected: Injected, times: usize) {
        let mut script = self.script.lock().unwrap_or_else(|e| e.into_inner());
        script[operation.index()].extend(std::iter::repeat_n(Outcome::from(injected), times));
    }

    /// How many injected faults of `operation` have not fired yet.
    pub(crate) fn injected_left(&self, operation: Operation) -> usize {
        let script = self.script.lock().unwrap_or_else(|e| e.into_inner());
        script[operation.index()].len()
    }

    /// How long to wait before answering, and how to answer.
    pub(crate) fn decide(&self, operation: Operation) -> (Duration, Outcome) {
        let faults = &self.per_operation[operation.index()];
        let scripted = {
            let mut script = self.script.lock().unwrap_or_else(|e| e.into_inner());
            script[operation.index()].pop_front()
        };
        if !faults.is_active() {
            return (Duration::ZERO, scripted.unwrap_or(Outcome::Serve));
        }
        // Always four draws a call, so one operation's settings never shift another's.
        let (jitter, drop, throttle, error) = {
            let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
            (
                rng.next_f64(),
                rng.next_f64(),
                rng.next_f64(),
                rng.next_f64(),
            )
        };
        let delay = faults.latency + faults.jitter.mul_f64(jitter);
        let outcome = if let Some(scripted) = scripted {
            scripted
        } else if drop < faults.drop_connection_rate {
            Outcome::Drop
        } else if throttle < faults.throttle_rate {
            Outcome::Throttle
        } else if error < faults.server_error_rate {
            Outcome::ServerError
        } else {
            Outcome::Serve
        };
        (delay, outcome)
    }
}

/// Live counters behind [`CallCounts`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    calls: [AtomicU64; Operation::ALL.len()],
    faulted: [AtomicU64; Operation::ALL.len()],
    /// Woken at every call, for [`Counters::reached`]: a test waits for a call that a
    /// detached task makes (a stop sent on drop) without polling a clock.
    changed: tokio::sync::Notify,
}

impl Counters {
    pub(crate) fn record_call(&self, operation: Operation) {
        self.calls[operation.index()].fetch_add(1, Ordering::Relaxed);
        self.changed.notify_waiters();
    }

    /// Resolves once `operation` has received at least `count` calls.
    pub(crate) async fn reached(&self, operation: Operation, count: u64) {
        loop {
            // Registered before the count is read, so a call recorded in between still
            // wakes this waiter.
            let changed = self.changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            if self.calls[operation.index()].load(Ordering::Relaxed) >= count {
                return;
            }
            changed.await;
        }
    }

    pub(crate) fn record_fault(&self, operation: Operation) {
        self.faulted[operation.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> CallCounts {
        CallCounts {
            calls: std::array::from_fn(|i| self.calls[i].load(Ordering::Relaxed)),
            faulted: std::array::from_fn(|i| self.faulted[i].load(Ordering::Relaxed)),
        }
    }
}

/// How many calls the emulator received, per operation: a snapshot taken by
/// [`Emulator::calls`](crate::server::Emulator::calls).
///
/// Every call routed to an operation counts, including those answered with an injected
/// fault; [`CallCounts::faulted`] counts those alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallCounts {
    calls: [u64; Operation::ALL.len()],
    faulted: [u64; Operation::ALL.len()],
}

impl CallCounts {
    /// Calls to `operation`, faulted ones included.
    pub fn get(&self, operation: Operation) -> u64 {
        self.calls[operation.index()]
    }

    /// Calls to `operation` answered with an injected fault (throttled, 500, or dropped).
    pub fn faulted(&self, operation: Operation) -> u64 {
        self.faulted[operation.index()]
    }

    /// Calls to `operation` answered without an injected fault.
    pub fn served(&self, operation: Operation) -> u64 {
        self.get(operation) - self.faulted(operation)
    }

    /// Calls to all operations.
    pub fn total(&self) -> u64 {
        self.calls.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(faults: Faults, seed: u64, n: usize) -> Vec<(Duration, Outcome)> {
        let injector = FaultInjector::new([faults; Operation::ALL.len()], seed);
        (0..n)
            .map(|_| injector.decide(Operation::GetQueryResults))
            .collect()
    }

    #[test]
    fn no_faults_by_default() {
        assert!(
            run(Faults::new(), 1, 100)
                .iter()
                .all(|&d| d == (Duration::ZERO, Outcome::Serve))
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let faults = Faults::new()
            .with_latency(Duration::from_millis(1), Duration::from_millis(9))
            .with_throttle_rate(0.3)
            .with_server_error_rate(0.3)
            .with_drop_connection_rate(0.1);
        assert_eq!(run(faults, 7, 500), run(faults, 7, 500));
        assert_ne!(run(faults, 7, 500), run(faults, 8, 500));
    }

    #[test]
    fn rates_and_latency_are_honoured() {
        let faults = Faults::new()
            .with_latency(Duration::from_millis(10), Duration::from_millis(5))
            .with_throttle_rate(0.25);
        let decisions = run(faults, 42, 10_000);
        let throttled = decisions
            .iter()
            .filter(|d| d.1 == Outcome::Throttle)
            .count();
        assert!((2000..3000).contains(&throttled), "{throttled}");
        assert!(decisions.iter().all(|d| d.1 != Outcome::Drop));
        assert!(
            decisions
                .iter()
                .all(|d| d.0 >= Duration::from_millis(10) && d.0 <= Duration::from_millis(15))
        );
        assert!(
            run(Faults::new().with_server_error_rate(1.0), 1, 50)
                .iter()
                .all(|d| d.1 == Outcome::ServerError)
        );
    }

    #[test]
    fn injected_faults_come_first_in_order_then_the_rates_again() {
        let injector = FaultInjector::new([Faults::new(); Operation::ALL.len()], 1);
        injector.inject(Operation::GetQueryResults, Injected::Throttle, 2);
        injector.inject(Operation::GetQueryResults, Injected::LoseAnswer, 1);
        assert_eq!(injector.injected_left(Operation::GetQueryResults), 3);
        let outcomes: Vec<Outcome> = (0..4)
            .map(|_| injector.decide(Operation::GetQueryResults).1)
            .collect();
        assert_eq!(
            outcomes,
            [
                Outcome::Throttle,
                Outcome::Throttle,
                Outcome::Drop,
                Outcome::Serve
            ]
        );
        // Other operations are not touched.
        assert_eq!(
            injector.decide(Operation::StartQueryExecution).1,
            Outcome::Serve
        );
        assert_eq!(injector.injected_left(Operation::GetQueryResults), 0);
    }

    #[test]
    fn rates_outside_zero_to_one_are_invalid() {
        assert_eq!(Faults::new().with_throttle_rate(0.5).invalid_rate(), None);
        assert!(
            Faults::new()
                .with_throttle_rate(1.5)
                .invalid_rate()
                .is_some()
        );
        assert!(
            Faults::new()
                .with_drop_connection_rate(f64::NAN)
                .invalid_rate()
                .is_some()
        );
    }

    #[test]
    fn counts_are_per_operation() {
        let counters = Counters::default();
        counters.record_call(Operation::GetQueryResults);
        counters.record_call(Operation::GetQueryResults);
        counters.record_fault(Operation::GetQueryResults);
        counters.record_call(Operation::StartQueryExecution);
        let counts = counters.snapshot();
        assert_eq!(counts.get(Operation::GetQueryResults), 2);
        assert_eq!(counts.faulted(Operation::GetQueryResults), 1);
        assert_eq!(counts.served(Operation::GetQueryResults), 1);
        assert_eq!(counts.total(), 3);
    }

    #[tokio::test]
    async fn reached_wakes_on_the_call_that_reaches_the_count() {
        let counters = std::sync::Arc::new(Counters::default());
        let waiter = tokio::spawn({
            let counters = std::sync::Arc::clone(&counters);
            async move { counters.reached(Operation::StopQueryExecution, 2).await }
        });
        // Let the waiter register and see a count of 0.
        tokio::task::yield_now().await;
        counters.record_call(Operation::StopQueryExecution);
        counters.record_call(Operation::GetQueryResults);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "one stop of two is not enough");
        counters.record_call(Operation::StopQueryExecution);
        tokio::time::timeout(std::time::Duration::from_secs(10), waiter)
            .await
            .expect("woken by the second stop")
            .unwrap();
    }
}
