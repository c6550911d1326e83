//! A GetObject body: `len` bytes of a file from its current position, in chunks, paced
//! to a bandwidth, optionally cut off, and counted as they are handed to the connection.

use std::io;
use std::num::NonZeroU64;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::Stream;
use tokio::io::AsyncReadExt;
use tokio::time::Instant;

use super::faults::S3Counters;
use super::flushes::Flushes;
use super::operation::S3Operation;

/// The largest chunk read and sent at once.
const CHUNK: u64 = 64 * 1024;

/// How a body is sent.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plan {
    /// Bytes to send.
    pub(super) len: u64,
    /// Bytes per second, if paced.
    pub(super) bandwidth: Option<NonZeroU64>,
    /// Send this many bytes, then fail the body (hyper then closes the connection
    /// short of `Content-Length`).
    pub(super) cut_after: Option<u64>,
}

struct State {
    file: tokio::fs::File,
    plan: Plan,
    sent: u64,
    started: Option<Instant>,
    counters: Arc<S3Counters>,
    flushes: Option<Arc<Flushes>>,
    done: bool,
}

/// The body stream of `plan.len` bytes of `file`. `flushes` are the connection's: a cut
/// waits for the bytes before it to be written out (see `flushes.rs`).
pub(super) fn file_body(
    file: tokio::fs::File,
    plan: Plan,
    counters: Arc<S3Counters>,
    flushes: Option<Arc<Flushes>>,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    let state = State {
        file,
        plan,
        sent: 0,
        started: None,
        counters,
        flushes,
        done: false,
    };
    futures::stream::unfold(state, |mut s| async move {
        if s.done {
            return None;
        }
        let limit = s.plan.cut_after.unwrap_or(s.plan.len).min(s.plan.len);
        if s.sent >= limit {
            s.done = true;
            s.plan.cut_after?;
            if let Some(flushes) = &s.flushes {
                // hyper has buffered the last chunk before polling again; it is on the
                // wire at the next flush.
                flushes.after(flushes.count()).await;
            }
            let cut = io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "body cut off on purpose (injected S3 fault)",
            );
            return Some((Err(cut), s));
        }
        let started = *s.started.get_or_insert_with(Instant::now);
        // At most a tenth of a second's worth per chunk when paced, so the pace is even.
        let chunk = match s.plan.bandwidth {
            Some(b) => CHUNK.min((b.get() / 10).max(1)),
            None => CHUNK,
        }
        .min(limit - s.sent);
        let mut buffer = BytesMut::with_capacity(chunk as usize);
        while (buffer.len() as u64) < chunk {
            match s.file.read_buf(&mut buffer).await {
                Ok(0) => {
                    // The file shrank under the reader: fail the body rather than send
                    // fewer bytes than `Content-Length` promised as if that were all.
                    s.done = true;
                    return Some((
                        Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the object changed while it was read",
                        )),
                        s,
                    ));
                }
                Ok(_) => {}
                Err(error) => {
                    s.done = true;
                    return Some((Err(error), s));
                }
            }
        }
        buffer.truncate(chunk as usize);
        if let Some(bandwidth) = s.plan.bandwidth {
            // Pacing, not synchronisation: this chunk may leave once the bytes sent so
            // far, itself included, fit in the time elapsed at the bandwidth.
            let due = Duration::from_secs_f64((s.sent + chunk) as f64 / bandwidth.get() as f64);
            tokio::time::sleep_until(started + due).await;
        }
        s.sent += chunk;
        s.counters.record_bytes(S3Operation::GetObject, chunk);
        Some((Ok(buffer.freeze()), s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    async fn file(name: &str, bytes: &[u8]) -> (std::path::PathBuf, tokio::fs::File) {
        let path = std::env::temp_dir().join(format!(
            "athena-emulator-body-{}-{name}",
            std::process::id()
        ));
        tokio::fs::write(&path, bytes).await.unwrap();
        let file = tokio::fs::File::open(&path).await.unwrap();
        (path, file)
    }

    async fn collect(
        stream: impl Stream<Item = io::Result<Bytes>>,
    ) -> (Vec<u8>, Option<io::ErrorKind>) {
        let mut stream = std::pin::pin!(stream);
        let mut out = Vec::new();
        while let Some(item) = stream.next().await {
            match item {
                Ok(bytes) => out.extend_from_slice(&bytes),
                Err(e) => return (out, Some(e.kind())),
            }
        }
        (out, None)
    }

    #[tokio::test]
    async fn a_plain_body_is_the_bytes_and_is_counted() {
        let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let (path, f) = file("plain", &data).await;
        let counters = Arc::new(S3Counters::default());
        let plan = Plan {
            len: 150_000,
            bandwidth: None,
            cut_after: None,
        };
        let (out, error) = collect(file_body(f, plan, Arc::clone(&counters), None)).await;
        assert_eq!((out.as_slice(), error), (&data[..150_000], None));
        assert_eq!(counters.snapshot().bytes(S3Operation::GetObject), 150_000);
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test]
    async fn a_cut_body_ends_with_an_error_after_its_bytes() {
        let (path, f) = file("cut", b"0123456789").await;
        let counters = Arc::new(S3Counters::default());
        let plan = Plan {
            len: 10,
            bandwidth: None,
            cut_after: Some(4),
        };
        let (out, error) = collect(file_body(f, plan, Arc::clone(&counters), None)).await;
        assert_eq!(out, b"0123");
        assert_eq!(error, Some(io::ErrorKind::ConnectionAborted));
        assert_eq!(counters.snapshot().bytes(S3Operation::GetObject), 4);
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test]
    async fn a_file_shorter_than_promised_fails_the_body() {
        let (path, f) = file("short", b"0123").await;
        let plan = Plan {
            len: 10,
            bandwidth: None,
            cut_after: None,
        };
        let (out, error) = collect(file_body(f, plan, Arc::default(), None)).await;
        // The chunk it could not fill is not sent: the body ends short, with an error.
        assert!(out.len() < 10);
        assert_eq!(error, Some(io::ErrorKind::UnexpectedEof));
        let _ = std::fs::remove_file(path);
    }

    /// 1,000 bytes at 100 bytes/s take 10 s of (paused, virtual) time, sent in chunks
    /// of a tenth of a second's worth.
    #[tokio::test(start_paused = true)]
    async fn a_paced_body_takes_its_bytes_over_bandwidth() {
        let (path, f) = file("paced", &[7; 1000]).await;
        let plan = Plan {
            len: 1000,
            bandwidth: NonZeroU64::new(100),
            cut_after: None,
        };
        let started = Instant::now();
        let mut stream = std::pin::pin!(file_body(f, plan, Arc::default(), None));
        let mut chunks = 0;
        while let Some(chunk) = stream.next().await {
            assert_eq!(chunk.unwrap().len(), 10);
            chunks += 1;
        }
        assert_eq!(chunks, 100);
        assert_eq!(started.elapsed(), Duration::from_secs(10));
        let _ = std::fs::remove_file(path);
    }
}
