//! A file's byte ranges fetched in parallel and handed out in file order.
//!
//! At most `in_flight` ranges of `chunk_size` bytes are fetched at once, each in a task
//! of its own so that bodies keep arriving while the caller parses; memory holds at
//! most `in_flight` ranges whatever the size of the file. A range whose body is cut off
//! or answered with a throttling or transient error is asked again from the byte where
//! it stopped, under the retry policy; every request is pinned to the ETag the file had
//! at the start (`If-Match`), so a file that changes during the read fails the read
//! instead of mixing two files. Dropping the fetcher aborts the requests in flight.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;

use backon::BackoffBuilder;
use tokio::task::JoinHandle;
use tracing::warn;

use super::s3::{ObjectLocation, RangeError, S3Api};
use crate::api::CallError;
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
    /// The ranges of `object` while its ETag is `etag`, each read with [`fetch`].
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

/// Hands out a file's ranges in order; see the module docs.
pub(crate) struct RangeFetcher {
    shared: Arc<Shared>,
    size: u64,
    chunk_size: u64,
    max_in_flight: usize,
    /// Where the next range to request starts.
    next_start: u64,
    in_flight: VecDeque<(u64, AbortOnDrop<Result<Vec<u8>>>)>,
}

impl RangeFetcher {
    /// A fetcher of the bytes `start..size` of `object`, pinned to `etag`.
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
        RangeFetcher {
            shared: Arc::new(Shared::new(s3, object, etag, stats, retry)),
            size,
            chunk_size: chunk_size.max(1),
            max_in_flight: max_in_flight.max(1),
            next_start: start.min(size),
            in_flight: VecDeque::new(),
        }
    }

    /// Whether [`next`](Self::next) would answer without waiting: the next range has
    /// arrived (or failed), or there is none. A caller with other work can ask this
    /// first instead of dropping a pending `next` (which is not cancel-safe).
    pub(crate) fn next_is_ready(&self) -> bool {
        match self.in_flight.front() {
            Some((_, task)) => task.0.is_finished(),
            None => self.next_start >= self.size,
        }
    }

    /// The next range in file order, as `(offset, bytes)`; `None` after the last.
    pub(crate) async fn next(&mut self) -> Option<Result<(u64, Vec<u8>)>> {
        while self.in_flight.len() < self.max_in_flight && self.next_start < self.size {
            let end = self
                .next_start
                .saturating_add(self.chunk_size)
                .min(self.size);
            let range = self.next_start..end;
            let task = tokio::spawn(fetch(self.shared.clone(), range));
            self.in_flight
                .push_back((self.next_start, AbortOnDrop(task)));
            self.next_start = end;
        }
        let (offset, mut task) = self.in_flight.pop_front()?;
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
            // The read ends here: stop the other requests now rather than at drop.
            self.in_flight.clear();
            self.next_start = self.size;
        }
        Some(result.map(|bytes| (offset, bytes)))
    }
}

/// Fetches one range, asking again for the rest after a cut-off body or a retryable
/// error, under the retry policy. (The Parquet reader of `unload` reads its ranges
/// through this too.)
pub(crate) async fn fetch(shared: Arc<Shared>, range: Range<u64>) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut delays = shared.retry.to_backon().build();
    let mut attempts = 0u32;
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
            return Err(range_error(error, attempts, &shared));
        };
        let throttled =
            matches!(&error, CallError::Failed(e) if e.kind == ApiErrorKind::Throttling);
        shared.stats.count_s3_retry(throttled);
        if let CallError::Failed(e) = &error {
            warn!(object = %shared.object, range_start = start, range_end = range.end, kind = ?e.kind, message = %e.message, ?delay, "retrying a range of the result file");
        }
        tokio::time::sleep(delay).await;
    }
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
fn range_error(error: CallError, attempts: u32, shared: &Shared) -> Error {
    let changed =
        matches!(&error, CallError::Failed(e) if e.code.as_deref() == Some("PreconditionFailed"));
    let error = error.into_error(Operation::GetObject, attempts);
    if changed {
        return Error::ResultFileChanged {
            location: shared.object.to_string(),
            etag: shared.etag.clone(),
        };
    }
    error
}
