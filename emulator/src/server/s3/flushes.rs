//! Knowing when hyper has written out everything it buffered on a connection, so a body
//! cut on purpose is cut after its bytes reached the socket, not before.
//!
//! hyper drops a connection at once when a body fails, with whatever it still buffered
//! (the response head included) unsent. Its buffered writer calls the connection's
//! `poll_flush` only once its buffer is empty, so a body that waits, after its last
//! bytes, for the next `poll_flush` before failing is cut exactly there.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use futures::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The flushes of one connection: a count and the body waiting for the next one.
#[derive(Debug, Default)]
pub(crate) struct Flushes {
    count: AtomicU64,
    waiter: AtomicWaker,
}

impl Flushes {
    /// The flushes so far.
    pub(crate) fn count(&self) -> u64 {
        self.count.load(Ordering::Acquire)
    }

    /// Resolves at the first flush after the count was `seen`.
    pub(crate) async fn after(&self, seen: u64) {
        std::future::poll_fn(|cx| {
            self.waiter.register(cx.waker());
            if self.count() > seen {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }

    fn flushed(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
        self.waiter.wake();
    }
}

/// A connection whose flushes are counted.
#[derive(Debug)]
pub(crate) struct FlushWatch<T> {
    inner: T,
    flushes: std::sync::Arc<Flushes>,
}

impl<T> FlushWatch<T> {
    pub(crate) fn new(inner: T, flushes: std::sync::Arc<Flushes>) -> Self {
        Self { inner, flushes }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for FlushWatch<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for FlushWatch<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let flushed = Pin::new(&mut self.inner).poll_flush(cx);
        if flushed.is_ready() {
            self.flushes.flushed();
        }
        flushed
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn a_waiter_wakes_at_the_next_flush_only() {
        let flushes = Arc::new(Flushes::default());
        let mut io = FlushWatch::new(Vec::<u8>::new(), Arc::clone(&flushes));
        io.flush().await.unwrap();
        let seen = flushes.count();
        assert_eq!(seen, 1);
        let waiter = tokio::spawn({
            let flushes = Arc::clone(&flushes);
            async move { flushes.after(seen).await }
        });
        tokio::task::yield_now().await;
        io.write_all(b"x").await.unwrap();
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "a write is not a flush");
        io.flush().await.unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(10), waiter)
            .await
            .expect("woken by the flush")
            .unwrap();
    }
}
