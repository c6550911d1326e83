//! How the caller's side (a stream, or the future of `Athena::execute`) tells the task
//! that runs its query to stop early: because it was dropped, or because it asked to
//! cancel.
//!
//! The caller holds an [`InterruptGuard`]; dropping it is the "dropped" signal, so no
//! path that gives up on a query (an early `return`, a `select!` that picks another
//! branch, a panic) can forget to send it.

use tokio::sync::watch;

/// Why the caller's side stopped waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interrupt {
    /// The stream or future was dropped.
    Dropped,
    /// `cancel()` was called.
    Cancelled,
}

/// The caller's end. Dropping it signals [`Interrupt::Dropped`] unless a cancel was
/// signalled first.
#[derive(Debug)]
pub(crate) struct InterruptGuard {
    tx: watch::Sender<Option<Interrupt>>,
}

/// The task's end.
#[derive(Debug)]
pub(crate) struct Interrupts {
    rx: watch::Receiver<Option<Interrupt>>,
}

/// A connected pair.
pub(crate) fn channel() -> (InterruptGuard, Interrupts) {
    let (tx, rx) = watch::channel(None);
    (InterruptGuard { tx }, Interrupts { rx })
}

impl InterruptGuard {
    /// Signals [`Interrupt::Cancelled`] (the first signal wins).
    pub(crate) fn cancel(&self) {
        self.signal(Interrupt::Cancelled);
    }

    fn signal(&self, interrupt: Interrupt) {
        self.tx.send_if_modified(|current| {
            let first = current.is_none();
            if first {
                *current = Some(interrupt);
            }
            first
        });
    }
}

impl Drop for InterruptGuard {
    fn drop(&mut self) {
        self.signal(Interrupt::Dropped);
    }
}

impl Interrupts {
    /// Resolves with the interrupt once one is signalled; at once if one already was.
    /// Cancel-safe: it only reads a value, so losing a `select!` race loses nothing.
    pub(crate) async fn fired(&mut self) -> Interrupt {
        match self.rx.wait_for(Option::is_some).await {
            Ok(value) => value.unwrap_or(Interrupt::Dropped),
            // The guard signals in its `Drop` before the sender goes away, so this is
            // only reached if it was leaked; a caller that is gone counts as dropped.
            Err(_) => Interrupt::Dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_drop_is_a_signal_and_the_first_signal_wins() {
        let (guard, mut interrupts) = channel();
        assert!(futures::poll!(Box::pin(interrupts.fired())).is_pending());
        drop(guard);
        assert_eq!(interrupts.fired().await, Interrupt::Dropped);

        let (guard, mut interrupts) = channel();
        guard.cancel();
        drop(guard);
        assert_eq!(interrupts.fired().await, Interrupt::Cancelled);
        // Asking again gives the same answer: the state is kept, not consumed.
        assert_eq!(interrupts.fired().await, Interrupt::Cancelled);
    }
}
