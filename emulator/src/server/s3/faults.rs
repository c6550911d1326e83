//! S3 faults and limits: first-byte latency, bandwidth, `503 SlowDown`, `500
//! InternalError` and bodies cut off part-way, drawn from a seeded generator like the
//! Athena faults (`server/faults.rs`), or injected for the next calls of an operation;
//! and the counters of S3 calls and bytes served.

use std::collections::VecDeque;
use std::num::NonZeroU64;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::operation::S3Operation;
use crate::server::faults::SplitMix64;

const OPERATIONS: usize = S3Operation::ALL.len();

/// The S3 faults and limits of one operation (or of all of them), set with
/// [`EmulatorBuilder::with_s3_faults`](crate::EmulatorBuilder::with_s3_faults) and
/// [`EmulatorBuilder::with_s3_operation_faults`](crate::EmulatorBuilder::with_s3_operation_faults).
///
/// ```
/// use std::time::Duration;
/// use athena_emulator::S3Faults;
///
/// // 20 ms to the first byte, 10 MB/s per connection, one GET in 100 throttled.
/// let faults = S3Faults::new()
///     .with_first_byte_latency(Duration::from_millis(20))
///     .with_bandwidth(10_000_000)
///     .with_slow_down_rate(0.01);
/// assert_eq!(faults.bandwidth(), Some(10_000_000));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct S3Faults {
    first_byte_latency: Duration,
    bandwidth: Option<NonZeroU64>,
    slow_down_rate: f64,
    internal_error_rate: f64,
    cut_body_rate: f64,
    cut_body_after: u64,
}

impl Default for S3Faults {
    fn default() -> Self {
        Self::new()
    }
}

impl S3Faults {
    /// No fault, no limit.
    pub const fn new() -> Self {
        Self {
            first_byte_latency: Duration::ZERO,
            bandwidth: None,
            slow_down_rate: 0.0,
            internal_error_rate: 0.0,
            cut_body_rate: 0.0,
            cut_body_after: 0,
        }
    }

    /// Waits this long before answering each call (before the status line, so before
    /// the first byte of a GET's body). Default is no wait.
    #[must_use]
    pub const fn with_first_byte_latency(mut self, latency: Duration) -> Self {
        self.first_byte_latency = latency;
        self
    }

    /// Paces a GetObject body to at most this many bytes per second. Each answer has a
    /// connection of its own, so this is the bandwidth of one connection. `0` is no
    /// limit. Default is no limit.
    #[must_use]
    pub const fn with_bandwidth(mut self, bytes_per_second: u64) -> Self {
        self.bandwidth = NonZeroU64::new(bytes_per_second);
        self
    }

    /// The probability (0.0..=1.0) of answering `503 SlowDown` (`Please reduce your
    /// request rate.`) without running the call. Default is 0.
    #[must_use]
    pub const fn with_slow_down_rate(mut self, rate: f64) -> Self {
        self.slow_down_rate = rate;
        self
    }

    /// The probability (0.0..=1.0) of answering `500 InternalError` without running the
    /// call. Default is 0.
    #[must_use]
    pub const fn with_internal_error_rate(mut self, rate: f64) -> Self {
        self.internal_error_rate = rate;
        self
    }

    /// The probability (0.0..=1.0) that a GetObject body is cut off: the connection
    /// closes after `after_bytes` bytes of it (after all but its last byte when it is
    /// not longer than that), short of its `Content-Length`. Bodies of no bytes are
    /// never cut. Default is 0.
    #[must_use]
    pub const fn with_cut_body(mut self, rate: f64, after_bytes: u64) -> Self {
        self.cut_body_rate = rate;
        self.cut_body_after = after_bytes;
        self
    }

    /// The first-byte latency.
    pub const fn first_byte_latency(&self) -> Duration {
        self.first_byte_latency
    }

    /// The bandwidth of a GetObject body in bytes per second, if limited.
    pub const fn bandwidth(&self) -> Option<u64> {
        match self.bandwidth {
            Some(b) => Some(b.get()),
            None => None,
        }
    }

    /// The `SlowDown` probability.
    pub const fn slow_down_rate(&self) -> f64 {
        self.slow_down_rate
    }

    /// The `InternalError` probability.
    pub const fn internal_error_rate(&self) -> f64 {
        self.internal_error_rate
    }

    /// The probability of a cut body, and after how many bytes it is cut.
    pub const fn cut_body(&self) -> (f64, u64) {
        (self.cut_body_rate, self.cut_body_after)
    }

    fn draws(&self) -> bool {
        self.slow_down_rate > 0.0 || self.internal_error_rate > 0.0 || self.cut_body_rate > 0.0
    }

    /// The first rate that is not a probability, if any, with its name.
    pub(crate) fn invalid_rate(&self) -> Option<(&'static str, f64)> {
        [
            ("s3 slow_down_rate", self.slow_down_rate),
            ("s3 internal_error_rate", self.internal_error_rate),
            ("s3 cut_body_rate", self.cut_body_rate),
        ]
        .into_iter()
        .find(|(_, rate)| !(0.0..=1.0).contains(rate))
    }
}

/// An S3 fault for the next calls of one operation, injected whatever the rates say
/// (see [`Emulator::inject_s3`](crate::Emulator::inject_s3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum S3Injected {
    /// `503 SlowDown` (`Please reduce your request rate.`), before the call runs.
    SlowDown,
    /// `500 InternalError`, before the call runs.
    InternalError,
    /// `403 AccessDenied`, before the call runs: what S3 answers a caller whose policy
    /// does not allow the call (a workgroup's output bucket the reader may not read).
    AccessDenied,
    /// The GetObject body is cut off after this many bytes (after all but its last
    /// byte when it is not longer): the connection closes short of `Content-Length`.
    /// A body of no bytes is served whole.
    CutBody {
        /// Bytes of the body sent before the connection closes.
        after_bytes: u64,
    },
}

/// How one S3 call goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) latency: Duration,
    pub(crate) bandwidth: Option<NonZeroU64>,
    pub(crate) outcome: Outcome,
}

/// What to do with one S3 call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Serve,
    SlowDown,
    InternalError,
    AccessDenied,
    /// Serve, but cut a GetObject body after this many bytes.
    CutBody(u64),
}

impl From<S3Injected> for Outcome {
    fn from(injected: S3Injected) -> Self {
        match injected {
            S3Injected::SlowDown => Outcome::SlowDown,
            S3Injected::InternalError => Outcome::InternalError,
            S3Injected::AccessDenied => Outcome::AccessDenied,
            S3Injected::CutBody { after_bytes } => Outcome::CutBody(after_bytes),
        }
    }
}

/// Decides the faults of every S3 call.
#[derive(Debug)]
pub(crate) struct S3FaultInjector {
    per_operation: [S3Faults; OPERATIONS],
    rng: Mutex<SplitMix64>,
    script: Mutex<[VecDeque<Outcome>; OPERATIONS]>,
}

impl S3FaultInjector {
    /// S3 draws come from a generator of their own, so S3 traffic never shifts the
    /// Athena faults a seed gives (and the other way round).
    pub(crate) fn new(per_operation: [S3Faults; OPERATIONS], seed: u64) -> Self {
        Self {
            per_operation,
            rng: Mutex::new(SplitMix64(seed ^ 0x5333_5333_5333_5333)),
            script: Mutex::new(std::array::from_fn(|_| VecDeque::new())),
        }
    }

    pub(crate) fn inject(&self, operation: S3Operation, injected: S3Injected, times: usize) {
        let mut script = self.script.lock().unwrap_or_else(|e| e.into_inner());
        script[operation.index()].extend(std::iter::repeat_n(Outcome::from(injected), times));
    }

    pub(crate) fn injected_left(&self, operation: S3Operation) -> usize {
        let script = self.script.lock().unwrap_or_else(|e| e.into_inner());
        script[operation.index()].len()
    }

    pub(crate) fn decide(&self, operation: S3Operation) -> Decision {
        let faults = &self.per_operation[operation.index()];
        let scripted = {
            let mut script = self.script.lock().unwrap_or_else(|e| e.into_inner());
            script[operation.index()].pop_front()
        };
        let mut outcome = scripted.unwrap_or(Outcome::Serve);
        if faults.draws() {
            // Always three draws a call, so one rate's setting never shifts another's.
            let (slow, error, cut) = {
                let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
                (rng.next_f64(), rng.next_f64(), rng.next_f64())
            };
            if scripted.is_none() {
                outcome = if slow < faults.slow_down_rate {
                    Outcome::SlowDown
                } else if error < faults.internal_error_rate {
                    Outcome::InternalError
                } else if cut < faults.cut_body_rate {
                    Outcome::CutBody(faults.cut_body_after)
                } else {
                    Outcome::Serve
                };
            }
        }
        Decision {
            latency: faults.first_byte_latency,
            bandwidth: faults.bandwidth,
            outcome,
        }
    }
}

/// Live counters behind [`S3CallCounts`].
#[derive(Debug, Default)]
pub(crate) struct S3Counters {
    calls: [AtomicU64; OPERATIONS],
    faulted: [AtomicU64; OPERATIONS],
    bytes: [AtomicU64; OPERATIONS],
}

impl S3Counters {
    pub(crate) fn record_call(&self, operation: S3Operation) {
        self.calls[operation.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_fault(&self, operation: S3Operation) {
        self.faulted[operation.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_bytes(&self, operation: S3Operation, bytes: u64) {
        self.bytes[operation.index()].fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> S3CallCounts {
        let load =
            |a: &[AtomicU64; OPERATIONS]| std::array::from_fn(|i| a[i].load(Ordering::Relaxed));
        S3CallCounts {
            calls: load(&self.calls),
            faulted: load(&self.faulted),
            bytes: load(&self.bytes),
        }
    }
}

/// How many S3 calls the emulator received, per operation, and the body bytes it sent:
/// a snapshot taken by [`Emulator::s3_calls`](crate::Emulator::s3_calls).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct S3CallCounts {
    calls: [u64; OPERATIONS],
    faulted: [u64; OPERATIONS],
    bytes: [u64; OPERATIONS],
}

impl S3CallCounts {
    /// Calls to `operation`, faulted ones included.
    pub fn get(&self, operation: S3Operation) -> u64 {
        self.calls[operation.index()]
    }

    /// Calls to `operation` answered with a fault (`SlowDown`, `InternalError`, or a
    /// body cut off).
    pub fn faulted(&self, operation: S3Operation) -> u64 {
        self.faulted[operation.index()]
    }

    /// Calls to `operation` answered without a fault.
    pub fn served(&self, operation: S3Operation) -> u64 {
        self.get(operation) - self.faulted(operation)
    }

    /// Object bytes sent in the bodies of `operation`'s answers (GetObject's; a cut
    /// body counts the bytes sent before the cut).
    pub fn bytes(&self, operation: S3Operation) -> u64 {
        self.bytes[operation.index()]
    }

    /// Calls to all S3 operations.
    pub fn total(&self) -> u64 {
        self.calls.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(faults: S3Faults, seed: u64, n: usize) -> Vec<Outcome> {
        let injector = S3FaultInjector::new([faults; OPERATIONS], seed);
        (0..n)
            .map(|_| injector.decide(S3Operation::GetObject).outcome)
            .collect()
    }

    #[test]
    fn no_faults_by_default() {
        assert!(
            outcomes(S3Faults::new(), 1, 100)
                .iter()
                .all(|o| *o == Outcome::Serve)
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_faults_and_rates_are_honoured() {
        let faults = S3Faults::new()
            .with_slow_down_rate(0.2)
            .with_internal_error_rate(0.1)
            .with_cut_body(0.1, 100);
        let a = outcomes(faults, 7, 10_000);
        assert_eq!(a, outcomes(faults, 7, 10_000));
        assert_ne!(a, outcomes(faults, 8, 10_000));
        let count = |o: Outcome| a.iter().filter(|x| **x == o).count();
        assert!((1_800..2_200).contains(&count(Outcome::SlowDown)));
        // 10 % of the 80 % not slowed down.
        assert!((650..950).contains(&count(Outcome::InternalError)));
        assert!(count(Outcome::CutBody(100)) > 500);
    }

    #[test]
    fn injected_faults_come_first_then_the_rates() {
        let injector = S3FaultInjector::new([S3Faults::new(); OPERATIONS], 1);
        injector.inject(S3Operation::GetObject, S3Injected::SlowDown, 1);
        injector.inject(
            S3Operation::GetObject,
            S3Injected::CutBody { after_bytes: 5 },
            1,
        );
        assert_eq!(injector.injected_left(S3Operation::GetObject), 2);
        let next = || injector.decide(S3Operation::GetObject).outcome;
        assert_eq!(next(), Outcome::SlowDown);
        assert_eq!(next(), Outcome::CutBody(5));
        assert_eq!(next(), Outcome::Serve);
        assert_eq!(
            injector.decide(S3Operation::HeadObject).outcome,
            Outcome::Serve
        );
    }

    #[test]
    fn latency_and_bandwidth_come_with_every_decision() {
        let faults = S3Faults::new()
            .with_first_byte_latency(Duration::from_millis(3))
            .with_bandwidth(1000);
        let injector = S3FaultInjector::new([faults; OPERATIONS], 1);
        let decision = injector.decide(S3Operation::GetObject);
        assert_eq!(decision.latency, Duration::from_millis(3));
        assert_eq!(decision.bandwidth.map(NonZeroU64::get), Some(1000));
        assert_eq!(S3Faults::new().with_bandwidth(0).bandwidth(), None);
    }

    #[test]
    fn rates_outside_zero_to_one_are_invalid() {
        assert!(
            S3Faults::new()
                .with_slow_down_rate(2.0)
                .invalid_rate()
                .is_some()
        );
        assert!(
            S3Faults::new()
                .with_cut_body(f64::NAN, 1)
                .invalid_rate()
                .is_some()
        );
        assert_eq!(S3Faults::new().with_cut_body(1.0, 1).invalid_rate(), None);
    }

    #[test]
    fn counts_are_per_operation() {
        let counters = S3Counters::default();
        counters.record_call(S3Operation::GetObject);
        counters.record_call(S3Operation::GetObject);
        counters.record_fault(S3Operation::GetObject);
        counters.record_bytes(S3Operation::GetObject, 42);
        counters.record_call(S3Operation::ListBuckets);
        let counts = counters.snapshot();
        assert_eq!(counts.get(S3Operation::GetObject), 2);
        assert_eq!(counts.served(S3Operation::GetObject), 1);
        assert_eq!(counts.bytes(S3Operation::GetObject), 42);
        assert_eq!(counts.total(), 3);
    }
}
