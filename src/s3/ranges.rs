//! A file's byte ranges fetched in parallel and handed out in file order.
//!
//! At most `in_flight` ranges of at most `chunk_size` bytes are requested at once, each
//! in a task of its own so that bodies keep arriving while the caller parses, and the
//! ranges read and not yet dropped by the caller hold at most `in_flight x chunk_size`
//! bytes whatever the size of the file. A connection whose range has arrived asks for
//! the next one at once, while the caller is still parsing; the answer's body is read
//! once the budget has room for it, granted in file order. So S3's first-byte latency
//! passes while the ranges before are parsed, instead of after (BENCHMARKS.md,
//! "Columns"), and a body waits unread at most [`BODY_PATIENCE`] before its
//! connection is closed and the range asked again when there is room. The ranges are
//! cut in rounds of `in_flight`, so that the connections finish together, the last
//! round shorter, so that little is left to parse once the last byte has come
//! ([`Cut`]). A range whose body is cut off or answered with a throttling or
//! transient error is asked again from the byte where it stopped, under the retry
//! policy; every request is pinned to the ETag the file had
//! at the start (`If-Match`), so a file that changes during the read fails the read
//! instead of mixing two files. Dropping the fetcher aborts the requests in flight.

mod cut;

use std::collections::VecDeque;
use std::ops::{Deref, Range};
use std::sync::Arc;

use backon::BackoffBuilder;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tracing::{debug, warn};

use self::cut::Cut;
use super::{ObjectLocation, RangeError, S3Api};
use crate::aws::CallError;
use crate::error::{ApiErrorKind, Error, Operation, Result};
use crate::settings::Backoff;
use crate::stats::Stats;

/// What a range task needs, shared by all of them: one object, pinned to one ETag.
pub(crate) struct Shared {
    s3: Arc<dyn S3Api>,
    object: ObjectLocation,
    etag: String,
    stats: Arc<Stats>,
    retry: Backoff,
}

impl Shared {
    /// The ranges of `object` while its ETag is `etag`, each read with `fetch_through`.
    pub(crate) fn new(
        s3: Arc<dyn S3Api>,
        object: ObjectLocation,
        etag: String,
        stats: Arc<Stats>,
        retry: Backoff,
    ) -> Self {
        Shared {
            s3,
            object,
            etag,
            stats,
            retry,
        }
    }
}

/// A task that is aborted when dropped (a `JoinHandle` alone would detach it).
pub(crate) struct AbortOnDrop<T>(pub(crate) JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A range's bytes. They hold their share of the memory budget until dropped: after
/// the last slice of them is parsed, not when they are handed out.
pub(crate) struct RangeBytes {
    bytes: Vec<u8>,
    /// Always there for the fetcher's ranges, whose bodies are read only once it has
    /// been granted; an `Option` because the same read serves the Parquet reader's
    /// ranges, which have no budget.
    _budget: Option<OwnedSemaphorePermit>,
}

impl Deref for RangeBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

/// A range's task, started in file order.
type Started = (u64, AbortOnDrop<Result<RangeBytes>>);

/// Hands out a file's ranges in order; see the module docs.
pub(crate) struct RangeFetcher {
    /// Ranges started and not yet handed out, in file order.
    queue: VecDeque<Started>,
    /// Ranges as the scheduler starts them; closed once it has started the last one
    /// (or was stopped).
    started: mpsc::UnboundedReceiver<Started>,
    /// Starts ranges while the budget allows; stopped when the fetcher is dropped.
    scheduler: Option<AbortOnDrop<()>>,
    /// The memory budget in bytes: chunk size x chunks in flight.
    budget_bytes: u64,
}

/// The budget of memory for ranges is counted in KiB: a semaphore takes at most
/// `u32::MAX` permits at once.
const BUDGET_UNIT: u64 = 1024;

/// How long an answer's body may wait unread for the budget before its connection is
/// closed (and the range asked again once there is room). The wait is meant to cover
/// the parse of the ranges before, tens of milliseconds; a caller that stops taking
/// rows for longer should not leave connections open with unread bodies, which a
/// server or a proxy on the way may time out.
const BODY_PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

impl RangeFetcher {
    /// A fetcher of the bytes `start..size` of `object`, pinned to `etag`, that starts
    /// requesting ranges at once (so that they arrive while the caller does other
    /// work, such as reading the columns).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        s3: Arc<dyn S3Api>,
        object: ObjectLocation,
        etag: String,
        size: u64,
        start: u64,
        chunk_size: u64,
        max_in_flight: usize,
        stats: Arc<Stats>,
        retry: Backoff,
    ) -> Self {
        let shared = Arc::new(Shared::new(s3, object, etag, stats, retry));
        let start = start.min(size);
        let chunk_size = chunk_size.max(1);
        // A semaphore holds at most `MAX_PERMITS`; more connections than that mean all.
        let max_in_flight = max_in_flight.clamp(1, Semaphore::MAX_PERMITS);
        let plan = Plan {
            start,
            size,
            cut: Cut::of(size - start, chunk_size, max_in_flight as u64),
        };
        let budget_bytes = chunk_size.saturating_mul(max_in_flight as u64);
        let budget = units(chunk_size).saturating_mul(max_in_flight);
        let limits = Limits {
            connections: Arc::new(Semaphore::new(max_in_flight)),
            budget: Arc::new(Semaphore::new(budget.min(Semaphore::MAX_PERMITS))),
        };
        let (tx, started) = mpsc::unbounded_channel();
        let scheduler = tokio::spawn(schedule(shared, plan, limits, tx));
        RangeFetcher {
            queue: VecDeque::new(),
            started,
            scheduler: Some(AbortOnDrop(scheduler)),
            budget_bytes,
        }
    }

    /// The memory budget in bytes (chunk size x chunks in flight): what the ranges in
    /// flight and fetched may hold at once, and so the longest row a reader of them
    /// should put together.
    pub(crate) fn budget_bytes(&self) -> u64 {
        self.budget_bytes
    }

    /// Takes the ranges the scheduler has started since the last call.
    fn take_started(&mut self) {
        while let Ok(range) = self.started.try_recv() {
            self.queue.push_back(range);
        }
    }

    /// Whether [`next`](Self::next) would answer without waiting: the next range has
    /// arrived (or failed), or there is none. A caller with other work can ask this
    /// first instead of dropping a pending `next` (which is not cancel-safe).
    pub(crate) fn next_is_ready(&mut self) -> bool {
        self.take_started();
        match self.queue.front() {
            Some((_, task)) => task.0.is_finished(),
            // Closed first: once it is, nothing more can arrive behind the check.
            None => self.started.is_closed() && self.started.is_empty(),
        }
    }

    /// The next range in file order, as `(offset, bytes)`; `None` after the last.
    pub(crate) async fn next(&mut self) -> Option<Result<(u64, RangeBytes)>> {
        let (offset, mut task) = match self.queue.pop_front() {
            Some(range) => range,
            None => self.started.recv().await?,
        };
        let result = match (&mut task.0).await {
            Ok(result) => result,
            // Our tasks are not aborted while we hold them; a panic in one is a bug that
            // must not pass as data.
            Err(e) => Err(Error::invalid_response(
                Operation::GetObject,
                format!("reading a range failed: {e}"),
            )),
        };
        if result.is_err() {
            // The read ends here: stop the scheduler and the other requests now rather
            // than at drop.
            drop(self.scheduler.take());
            self.started.close();
            while self.started.try_recv().is_ok() {}
            self.queue.clear();
        }
        Some(result.map(|bytes| (offset, bytes)))
    }
}

/// The ranges to fetch: `start..size`, cut as `cut` says.
struct Plan {
    start: u64,
    size: u64,
    cut: Cut,
}

/// What a range waits for.
struct Limits {
    /// One permit a request in flight: `chunks_in_flight` connections.
    connections: Arc<Semaphore>,
    /// One permit a KiB of ranges whose body is being read or was read and is not yet
    /// dropped: `chunks_in_flight x chunk_size` bytes.
    budget: Arc<Semaphore>,
}

/// What a range's body waits for once its answer's headers have come: its share of the
/// memory budget.
enum BodyGate {
    /// Nothing to wait for (the Parquet reader's ranges, read one file part at a time).
    #[cfg(feature = "unload")]
    Open,
    /// The share is to be granted, in file order.
    Waiting(oneshot::Receiver<OwnedSemaphorePermit>),
    /// The share, held until the range's bytes are dropped.
    Passed(OwnedSemaphorePermit),
}

impl BodyGate {
    fn is_open(&self) -> bool {
        !matches!(self, BodyGate::Waiting(_))
    }

    /// Waits for the share; `false` if it will never come (the read was stopped).
    async fn pass(&mut self) -> bool {
        if let BodyGate::Waiting(grant) = self {
            match grant.await {
                Ok(permit) => *self = BodyGate::Passed(permit),
                Err(_) => return false,
            }
        }
        true
    }

    fn into_permit(self) -> Option<OwnedSemaphorePermit> {
        match self {
            BodyGate::Passed(permit) => Some(permit),
            _ => None,
        }
    }
}

/// Starts the ranges of `plan` in file order, each once a connection is free (a
/// connection is free again when its range has arrived), and grants each its share of
/// the budget in the same order. Granting in file order means a later range never
/// holds the budget that the next one to be handed out waits for.
async fn schedule(
    shared: Arc<Shared>,
    plan: Plan,
    limits: Limits,
    tx: mpsc::UnboundedSender<Started>,
) {
    let (to_grant, mut grants) = mpsc::unbounded_channel::<(u32, oneshot::Sender<_>)>();
    let budget = limits.budget;
    let grant = async move {
        while let Some((wanted, to)) = grants.recv().await {
            // The semaphore is never closed.
            let Ok(permit) = budget.clone().acquire_many_owned(wanted).await else {
                return;
            };
            // A range that failed has dropped its receiver: the share comes back.
            let _ = to.send(permit);
        }
    };
    let start = async move {
        let mut next = plan.start;
        while next < plan.size {
            let len = plan.cut.len_at(next - plan.start);
            let end = next.saturating_add(len).min(plan.size);
            let Ok(connection) = limits.connections.clone().acquire_owned().await else {
                return;
            };
            let (granted, gate) = oneshot::channel();
            let wanted = u32::try_from(units(end - next)).unwrap_or(u32::MAX);
            if to_grant.send((wanted, granted)).is_err() {
                return;
            }
            let shared = shared.clone();
            // The timeline of a read (when each range goes out and arrives) is what tells
            // waiting on the network from waiting on the parser: BENCHMARKS.md, "Read paths".
            debug!(offset = next, len = end - next, "range requested");
            let task = tokio::spawn(async move {
                let mut gate = BodyGate::Waiting(gate);
                let bytes = fetch_through(shared, next..end, &mut gate).await;
                debug!(offset = next, ok = bytes.is_ok(), "range arrived");
                drop(connection);
                bytes.map(|bytes| RangeBytes {
                    bytes,
                    _budget: gate.into_permit(),
                })
            });
            if tx.send((next, AbortOnDrop(task))).is_err() {
                return;
            }
            next = end;
        }
    };
    // Both end when the last range has been started and granted, or with the fetcher.
    tokio::join!(grant, start);
}

/// How many budget permits `bytes` take.
fn units(bytes: u64) -> usize {
    usize::try_from(bytes.div_ceil(BUDGET_UNIT)).unwrap_or(usize::MAX)
}

/// Fetches one range, asking again for the rest after a cut-off body or a retryable
/// error, under the retry policy. (The Parquet reader of `unload` reads its ranges
/// through this.)
#[cfg(feature = "unload")]
pub(crate) async fn fetch(shared: Arc<Shared>, range: Range<u64>) -> Result<Vec<u8>> {
    fetch_through(shared, range, &mut BodyGate::Open).await
}

/// A range's read, as `fetch` makes it, reading a body only once `gate` has passed; a
/// body that waits longer than [`BODY_PATIENCE`] is dropped unread and its range asked
/// again once the gate has passed (not counted as a retry: nothing failed).
async fn fetch_through(
    shared: Arc<Shared>,
    range: Range<u64>,
    gate: &mut BodyGate,
) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut delays = shared.retry.to_backon().build();
    let mut attempts = 0u32;
    let began = tokio::time::Instant::now();
    loop {
        attempts += 1;
        let start = range.start + bytes.len() as u64;
        let answer = shared
            .s3
            .get_range(
                &shared.object,
                start..range.end,
                &shared.etag,
                &shared.stats,
            )
            .await;
        let answer = match answer {
            Ok(body) if gate.is_open() => body.read().await,
            Ok(body) => match tokio::time::timeout(BODY_PATIENCE, gate.pass()).await {
                Ok(true) => body.read().await,
                Ok(false) => return Err(stopped()),
                Err(_) => {
                    drop(body);
                    debug!(offset = start, "range body waited too long; asked again");
                    if !gate.pass().await {
                        return Err(stopped());
                    }
                    attempts -= 1;
                    continue;
                }
            },
            Err(e) => Err(e),
        };
        let error = match answer {
            Ok(rest) => {
                shared.stats.count_bytes_read(rest.len());
                append(&mut bytes, rest);
                shared.stats.count_range();
                return Ok(bytes);
            }
            Err(RangeError { received, error }) => {
                shared.stats.count_bytes_read(received.len());
                append(&mut bytes, received);
                error
            }
        };
        let delay = error.is_retryable().then(|| delays.next()).flatten();
        let Some(delay) = delay else {
            return Err(range_error(error, attempts, began.elapsed(), &shared));
        };
        let throttled =
            matches!(&error, CallError::Failed(e) if e.kind == ApiErrorKind::Throttling);
        shared.stats.count_s3_retry(throttled);
        if let CallError::Failed(e) = &error {
            warn!(object = %shared.object, range_start = start, range_end = range.end, attempt = attempts, kind = ?e.kind, message = %e.message, ?delay, "retrying a range of the result file");
        }
        tokio::time::sleep(delay).await;
    }
}

/// The error of a range whose read was stopped (the fetcher dropped, or another range
/// failed): nobody is left to see it.
fn stopped() -> Error {
    Error::invalid_response(Operation::GetObject, "the read of the file was stopped")
}

/// Appends what a request received to what the range has so far: the first answer
/// (most ranges have only one) is taken as it is, not copied into a growing buffer,
/// which held a range twice for a moment and moved every byte once more.
fn append(bytes: &mut Vec<u8>, received: Vec<u8>) {
    if bytes.is_empty() {
        *bytes = received;
    } else {
        bytes.extend_from_slice(&received);
    }
}

/// The error of a range that failed for good; a changed file says so in words.
fn range_error(
    error: CallError,
    attempts: u32,
    elapsed: std::time::Duration,
    shared: &Shared,
) -> Error {
    let changed =
        matches!(&error, CallError::Failed(e) if e.code.as_deref() == Some("PreconditionFailed"));
    let error =
        shared
            .object
            .owner_checked(error.into_error(Operation::GetObject, attempts, elapsed));
    if changed {
        return Error::ResultFileChanged {
            location: shared.object.to_string(),
            etag: shared.etag.clone(),
        };
    }
    error
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::fake::s3::FakeS3;

    const MIB: u64 = 1 << 20;

    /// The `(start, end)` of ranges of these lengths, from 0.
    fn bounds(lens: &[u64]) -> Vec<(u64, u64)> {
        let mut at = 0;
        lens.iter()
            .map(|len| {
                at += len;
                (at - len, at)
            })
            .collect()
    }

    fn fetcher(s3: &FakeS3, size: u64, chunk: u64, in_flight: usize) -> RangeFetcher {
        let object = ObjectLocation::parse("s3://b/f.csv").unwrap();
        RangeFetcher::new(
            Arc::new(s3.clone()),
            object,
            "\"v1\"".to_owned(),
            size,
            0,
            chunk,
            in_flight,
            Arc::new(Stats::default()),
            Backoff::DEFAULT_RETRY,
        )
    }

    /// A connection whose range has arrived asks for the next one at once; a body is
    /// read while the ranges read and held fit the budget (chunks in flight x chunk
    /// size), and past it waits, its request made, for the caller to drop a range. The
    /// bytes come back whole.
    #[tokio::test(start_paused = true)]
    async fn connections_run_ahead_of_the_caller_and_bodies_wait_for_the_budget() {
        let s3 = FakeS3::default();
        let file: Vec<u8> = (0..10 * MIB).map(|i| (i % 251) as u8).collect();
        s3.put("s3://b/f.csv", file.clone());
        s3.set_latency(Duration::from_millis(50));
        // 10 MiB, 2 connections, 4 MiB chunks: two rounds, ranges of 4, 4, 1 and 1 MiB;
        // the first two fill the budget.
        let mut fetcher = fetcher(&s3, file.len() as u64, 4 * MIB, 2);
        assert_eq!(
            Cut::lengths(10 * MIB, 4 * MIB, 2),
            [4 * MIB, 4 * MIB, MIB, MIB]
        );
        let asked = |n: usize| bounds(&Cut::lengths(10 * MIB, 4 * MIB, 2))[..n].to_vec();
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(s3.ranges(), asked(2), "two connections");
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            s3.ranges(),
            asked(4),
            "the third and fourth are asked for while nothing is taken"
        );
        assert_eq!(s3.in_flight(), 2, "the last two bodies wait for the budget");
        assert!(fetcher.next_is_ready());
        let (offset, first) = fetcher.next().await.unwrap().unwrap();
        assert_eq!(offset, 0);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            s3.in_flight(),
            2,
            "the budget is full while the first is held"
        );
        let mut bytes = first.to_vec();
        drop(first);
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(
            s3.in_flight(),
            0,
            "and the last two are read once it is dropped"
        );
        assert_eq!(s3.ranges(), asked(4), "without being asked for again");
        while let Some(range) = fetcher.next().await {
            let (offset, range) = range.unwrap();
            assert_eq!(offset, bytes.len() as u64);
            bytes.extend_from_slice(&range);
        }
        assert!(bytes == file, "the bytes come back whole and in order");
        assert_eq!(s3.max_in_flight(), 2);
        assert!(fetcher.next_is_ready());
    }

    /// A body left unread longer than `BODY_PATIENCE` (a caller that stopped taking
    /// ranges) has its connection closed; its range is asked again once the budget has
    /// room, and the bytes still come back whole.
    #[tokio::test(start_paused = true)]
    async fn a_body_that_waits_too_long_is_asked_for_again() {
        let s3 = FakeS3::default();
        let file: Vec<u8> = (0..10 * MIB).map(|i| (i % 253) as u8).collect();
        s3.put("s3://b/f.csv", file.clone());
        s3.set_latency(Duration::from_millis(50));
        let mut fetcher = fetcher(&s3, file.len() as u64, 4 * MIB, 2);
        let ranges = bounds(&Cut::lengths(10 * MIB, 4 * MIB, 2));
        tokio::time::sleep(BODY_PATIENCE + Duration::from_secs(1)).await;
        assert_eq!(
            s3.in_flight(),
            0,
            "no body is left waiting past the patience"
        );
        assert_eq!(s3.ranges().len(), 4);
        let mut bytes = Vec::new();
        let (_, first) = fetcher.next().await.unwrap().unwrap();
        bytes.extend_from_slice(&first);
        drop(first);
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            s3.ranges()[4..],
            ranges[2..],
            "the last two are asked for again"
        );
        while let Some(range) = fetcher.next().await {
            bytes.extend_from_slice(&range.unwrap().1);
        }
        assert!(bytes == file, "the bytes come back whole and in order");
    }

    /// Settings past what a semaphore can count (any number of connections, the largest
    /// chunk) read the file whole, in ranges of 1 MiB over as many connections, without
    /// a panic.
    #[tokio::test(start_paused = true)]
    async fn settings_past_the_counters_read_the_file_whole() {
        let s3 = FakeS3::default();
        let file: Vec<u8> = (0..3 * MIB).map(|i| (i % 241) as u8).collect();
        s3.put("s3://b/f.csv", file.clone());
        let mut fetcher = fetcher(&s3, file.len() as u64, u64::MAX, usize::MAX);
        let mut bytes = Vec::new();
        while let Some(range) = fetcher.next().await {
            let (offset, range) = range.unwrap();
            assert_eq!(offset, bytes.len() as u64);
            bytes.extend_from_slice(&range);
        }
        assert!(bytes == file, "the bytes come back whole and in order");
        assert_eq!(s3.ranges(), bounds(&[MIB, MIB, MIB]));
        assert_eq!(s3.max_in_flight(), 3);
    }

    /// A range that fails for good ends the read: its error is handed out, nothing after
    /// it, and no range is asked for once it has been.
    #[tokio::test(start_paused = true)]
    async fn a_failed_range_stops_the_requests() {
        let s3 = FakeS3::default();
        s3.put("s3://b/f.csv", vec![b'x'; 40 << 20]);
        s3.set_latency(Duration::from_millis(50));
        // Ten ranges of 4 MiB, two at a time; the file changes before the first arrives.
        let mut fetcher = fetcher(&s3, 40 * MIB, 4 * MIB, 2);
        s3.replace("s3://b/f.csv");
        match fetcher.next().await {
            Some(Err(Error::ResultFileChanged { .. })) => {}
            Some(Err(other)) => panic!("unexpected {other:?}"),
            Some(Ok(_)) | None => panic!("a changed file was read"),
        }
        let asked = s3.ranges().len();
        assert!(fetcher.next().await.is_none());
        assert!(fetcher.next_is_ready());
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(
            s3.ranges().len(),
            asked,
            "no range is asked for after the error"
        );
        assert!(asked < 10, "{asked} of 10 ranges were asked for");
    }
}
