//! Behaviour of the fan-out, on paused tokio time: every assertion is about counts,
//! order and virtual instants, never about the wall clock.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::stream::{self, FusedStream, Stream, StreamExt};
use tokio::time::{Instant, sleep};

use super::*;
use crate::JitterStrategy;

type Io = std::io::Error;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn boom(msg: &str) -> Io {
    Io::other(msg.to_owned())
}

/// Counts items in flight inside the per-item function, with a high-water mark.
#[derive(Default)]
struct Probe {
    in_flight: AtomicUsize,
    max: AtomicUsize,
    started: AtomicUsize,
    finished: AtomicUsize,
    dropped: AtomicUsize,
}

struct InFlight<'a>(&'a Probe, bool);

impl Probe {
    fn enter(&self) -> InFlight<'_> {
        self.started.fetch_add(1, SeqCst);
        let now = self.in_flight.fetch_add(1, SeqCst) + 1;
        self.max.fetch_max(now, SeqCst);
        InFlight(self, false)
    }
}

impl InFlight<'_> {
    fn finish(mut self) {
        self.1 = true;
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, SeqCst);
        if self.1 {
            self.0.finished.fetch_add(1, SeqCst);
        } else {
            self.0.dropped.fetch_add(1, SeqCst);
        }
    }
}

/// A source that counts the items pulled from it and knows whether it was dropped.
struct Source<St> {
    inner: St,
    pulled: Arc<AtomicUsize>,
    dropped: Arc<AtomicBool>,
}

impl<St: Stream + Unpin> Stream for Source<St> {
    type Item = St::Item;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<St::Item>> {
        let item = self.inner.poll_next_unpin(cx);
        if let Poll::Ready(Some(_)) = item {
            self.pulled.fetch_add(1, SeqCst);
        }
        item
    }
}

impl<St> Drop for Source<St> {
    fn drop(&mut self) {
        self.dropped.store(true, SeqCst);
    }
}

fn source<St: Stream + Unpin>(inner: St) -> (Source<St>, Arc<AtomicUsize>, Arc<AtomicBool>) {
    let pulled = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicBool::new(false));
    let s = Source {
        inner,
        pulled: pulled.clone(),
        dropped: dropped.clone(),
    };
    (s, pulled, dropped)
}

fn items(n: u64) -> impl Stream<Item = Result<u64, Error>> + Unpin {
    stream::iter((0..n).map(Ok))
}

/// A varied but deterministic duration per item.
fn work(i: u64) -> Duration {
    ms(10 + (i * 37) % 90)
}

/// A paged source like the row stream: a producer task fetches a page of `per_page`
/// items every `t_page`, at most one page ahead of the consumer (prefetch depth 1).
fn pages(
    n: u64,
    per_page: u64,
    t_page: Duration,
) -> impl Stream<Item = Result<u64, Error>> + Unpin {
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u64>>(1);
    tokio::spawn(async move {
        for p in 0..n.div_ceil(per_page) {
            sleep(t_page).await;
            let page = (p * per_page..((p + 1) * per_page).min(n)).collect();
            if tx.send(page).await.is_err() {
                return;
            }
        }
    });
    Box::pin(
        stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|page| (page, rx))
        })
        .flat_map(stream::iter)
        .map(Ok),
    )
}

fn fails_at(bad: &'static [u64]) -> impl FnMut(u64) -> futures::future::Ready<Result<u64, Io>> {
    move |i| {
        futures::future::ready(if bad.contains(&i) {
            Err(boom("bad"))
        } else {
            Ok(i)
        })
    }
}

mod batches;
mod failures;
mod limits;
mod retries;
mod spans;
