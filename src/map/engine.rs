//! The engine shared by the ordered, unordered and run-to-completion forms of the
//! fan-out: it pulls items from the input while a slot is free, runs the per-item
//! futures, retries, counts, and applies the failure policy.
//!
//! The input stream itself lives in the combinator (pinned, as an `Option` so that it
//! can be dropped the moment the fan-out ends: dropping a row stream stops its query).

use std::collections::VecDeque;
use std::fmt;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures::stream::{FuturesUnordered, Stream, StreamExt};
use futures::{TryFuture, future::Future};
use pin_project_lite::pin_project;

use super::config::{Map, Tolerance};
use super::retrier::{RetryPolicy, seed_or_random};
use crate::error::{BoxError, Error};

pin_project! {
    /// One item in flight: an attempt running, or a retry waiting for its delay.
    #[project = TaskProj]
    pub(super) enum Task<Fut, T> {
        Running {
            #[pin]
            fut: Fut,
            index: u64,
            attempt: u32,
            // A copy of the item for a retry, when the policy allows one.
            kept: Option<T>,
        },
        Sleeping {
            #[pin]
            sleep: tokio::time::Sleep,
            index: u64,
            attempt: u32,
            item: Option<T>,
        },
    }
}

/// What a task hands back to the engine.
pub(super) enum TaskDone<R, E, T> {
    /// An attempt finished.
    Attempt {
        index: u64,
        attempt: u32,
        result: Result<R, E>,
        kept: Option<T>,
    },
    /// A retry's delay passed: call the function again with `item`.
    Wake {
        index: u64,
        attempt: u32,
        item: Option<T>,
    },
}

impl<Fut: TryFuture, T> Future for Task<Fut, T> {
    type Output = TaskDone<Fut::Ok, Fut::Error, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            TaskProj::Running {
                fut,
                index,
                attempt,
                kept,
            } => {
                let result = ready!(fut.try_poll(cx));
                Poll::Ready(TaskDone::Attempt {
                    index: *index,
                    attempt: *attempt,
                    result,
                    kept: kept.take(),
                })
            }
            TaskProj::Sleeping {
                sleep,
                index,
                attempt,
                item,
            } => {
                ready!(sleep.poll(cx));
                Poll::Ready(TaskDone::Wake {
                    index: *index,
                    attempt: *attempt,
                    item: item.take(),
                })
            }
        }
    }
}

/// What the engine hands to a combinator.
pub(super) enum Event<R> {
    /// Item `index` is done: its value, or its error (a failure within the tolerance).
    Output {
        index: u64,
        result: Result<R, Error>,
    },
    /// The fan-out failed and is over: fail fast, threshold exceeded, input error, or
    /// invalid settings.
    Fatal(Error),
}

/// Counters of a fan-out, for its report.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Counts {
    pub(super) started: u64,
    pub(super) succeeded: u64,
    pub(super) failed: u64,
    pub(super) retried: u64,
    pub(super) max_in_flight: usize,
}

pub(super) struct Engine<F, Fut: TryFuture, T, P> {
    f: F,
    policy: P,
    limit: Option<NonZeroUsize>,
    tolerance: Tolerance,
    /// Boxed so that an attempt can be polled once before it joins (see `call`).
    tasks: FuturesUnordered<Pin<Box<Task<Fut, T>>>>,
    /// Items whose first poll already finished them (a processor with nothing to wait
    /// for), in the order they started: handed out when no task is ready, without the
    /// waker bookkeeping a task in `tasks` costs. They count as in flight until then.
    finished: VecDeque<TaskDone<Fut::Ok, Fut::Error, T>>,
    pub(super) counts: Counts,
    rng: u64,
    /// Set when the settings are invalid: yielded on the first poll.
    invalid: Option<Error>,
    done: bool,
}

impl<F, Fut: TryFuture, T, P> fmt::Debug for Engine<F, Fut, T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("limit", &self.limit)
            .field("tolerance", &self.tolerance)
            .field("in_flight", &(self.tasks.len() + self.finished.len()))
            .field("counts", &self.counts)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<F, Fut, T, P> Engine<F, Fut, T, P>
where
    F: FnMut(T) -> Fut,
    Fut: TryFuture,
    Fut::Error: Into<BoxError>,
    P: RetryPolicy<T, Fut::Error>,
{
    pub(super) fn new(map: Map<P>, f: F) -> Self {
        let invalid = map
            .validate_tolerance()
            .and_then(|()| map.retrier().validate())
            .err();
        let (limit, tolerance, policy) = map.into_parts();
        Self {
            f,
            rng: seed_or_random(policy.jitter_seed()),
            policy,
            limit,
            tolerance,
            tasks: FuturesUnordered::new(),
            finished: VecDeque::new(),
            counts: Counts::default(),
            invalid,
            done: false,
        }
    }

    pub(super) fn is_done(&self) -> bool {
        self.done
    }

    pub(super) fn in_flight(&self) -> usize {
        self.tasks.len() + self.finished.len()
    }

    /// Whether another item may start. `held` is the number of finished results a
    /// combinator keeps (the ordered form's reorder buffer), bounded by the limit too so
    /// that one slow item cannot make the buffer grow without bound.
    fn has_slot(&self, held: usize) -> bool {
        match self.limit {
            None => true,
            Some(limit) => {
                let in_flight = self.in_flight();
                in_flight < limit.get()
                    && in_flight.saturating_add(held) < limit.get().saturating_mul(2)
            }
        }
    }

    fn push(&mut self, task: Pin<Box<Task<Fut, T>>>) {
        self.tasks.push(task);
        self.counts.max_in_flight = self.counts.max_in_flight.max(self.in_flight());
    }

    /// Calls the function on `item` and polls the attempt once right away: one that
    /// is done at once (work with nothing to wait for) goes to `finished` and never
    /// becomes a task. One that is pending becomes a task, which `tasks` polls again
    /// with its own waker (a spurious extra poll, which futures allow).
    fn call(&mut self, index: u64, attempt: u32, item: T, cx: &mut Context<'_>) {
        let kept = self.policy.keep(&item, attempt);
        let fut = (self.f)(item);
        let mut task = Box::pin(Task::Running {
            fut,
            index,
            attempt,
            kept,
        });
        match task.as_mut().poll(cx) {
            Poll::Ready(done) => {
                self.finished.push_back(done);
                self.counts.max_in_flight = self.counts.max_in_flight.max(self.in_flight());
            }
            Poll::Pending => self.push(task),
        }
    }

    /// Ends the fan-out: in-flight items and the input are dropped now.
    fn fatal<St>(
        &mut self,
        mut stream: Pin<&mut Option<St>>,
        error: Error,
    ) -> Poll<Option<Event<Fut::Ok>>> {
        self.tasks.clear();
        self.finished.clear();
        stream.set(None);
        self.done = true;
        Poll::Ready(Some(Event::Fatal(error)))
    }

    /// The next event. `held` is explained at [`has_slot`](Self::has_slot).
    pub(super) fn poll_event<St>(
        &mut self,
        mut stream: Pin<&mut Option<St>>,
        cx: &mut Context<'_>,
        held: usize,
    ) -> Poll<Option<Event<Fut::Ok>>>
    where
        St: Stream<Item = Result<T, Error>>,
    {
        if self.done {
            return Poll::Ready(None);
        }
        if let Some(error) = self.invalid.take() {
            return self.fatal(stream, error);
        }
        loop {
            // 1. Start items while a slot is free and the input has one ready. The input
            //    is polled only then: backpressure, no reading ahead of the slots.
            while self.has_slot(held) {
                let Some(input) = stream.as_mut().as_pin_mut() else {
                    break;
                };
                match input.poll_next(cx) {
                    Poll::Ready(Some(Ok(item))) => {
                        let index = self.counts.started;
                        self.counts.started += 1;
                        self.call(index, 1, item, cx);
                    }
                    Poll::Ready(Some(Err(error))) => {
                        tracing::warn!(%error, "map input failed; in-flight items dropped");
                        return self.fatal(stream, error);
                    }
                    Poll::Ready(None) => {
                        stream.set(None);
                        // The total is known now: the percentage can be decided.
                        if self
                            .tolerance
                            .exceeded(self.counts.failed, Some(self.counts.started))
                        {
                            return self.threshold_exceeded(stream, None);
                        }
                    }
                    Poll::Pending => break,
                }
            }

            // 2. Drain what is ready among the items in flight: the tasks first, then
            //    those finished when they started. Tasks go first because `finished`
            //    can stay non-empty for as long as the input has items ready; a task
            //    polled only once it emptied (a retry due, a slow item done) would wait
            //    that long.
            let polled = if self.tasks.is_empty() {
                Poll::Ready(None)
            } else {
                self.tasks.poll_next_unpin(cx)
            };
            let next = match polled {
                Poll::Ready(Some(done)) => Poll::Ready(Some(done)),
                idle => match self.finished.pop_front() {
                    Some(done) => Poll::Ready(Some(done)),
                    None => idle,
                },
            };
            let done = match next {
                Poll::Ready(Some(done)) => done,
                Poll::Ready(None) if stream.is_none() => {
                    // 3. Input ended and nothing is in flight: the fan-out is over.
                    self.done = true;
                    return Poll::Ready(None);
                }
                // Nothing in flight, the input is open: it was polled above and will wake us.
                Poll::Ready(None) | Poll::Pending => return Poll::Pending,
            };
            match done {
                TaskDone::Attempt {
                    index,
                    result: Ok(value),
                    ..
                } => {
                    self.counts.succeeded += 1;
                    return Poll::Ready(Some(Event::Output {
                        index,
                        result: Ok(value),
                    }));
                }
                TaskDone::Attempt {
                    index,
                    attempt,
                    result: Err(error),
                    kept,
                } => {
                    if let Some(item) = kept
                        && let Some(delay) = self.policy.retry_delay(&error, attempt, &mut self.rng)
                    {
                        self.retry(index, attempt, item, delay, error.into());
                        continue;
                    }
                    let source: BoxError = error.into();
                    self.counts.failed += 1;
                    tracing::warn!(index, attempts = attempt, error = %source, "map item failed");
                    let error = Error::Item {
                        index,
                        attempts: attempt,
                        source,
                    };
                    let total = stream.is_none().then_some(self.counts.started);
                    if self.tolerance.is_fail_fast() {
                        return self.fatal(stream, error);
                    }
                    if self.tolerance.exceeded(self.counts.failed, total) {
                        return self.threshold_exceeded(stream, Some(error));
                    }
                    return Poll::Ready(Some(Event::Output {
                        index,
                        result: Err(error),
                    }));
                }
                TaskDone::Wake {
                    index,
                    attempt,
                    item: Some(item),
                } => self.call(index, attempt + 1, item, cx),
                // A task is never polled again once done, so its item is always there.
                TaskDone::Wake { item: None, .. } => {}
            }
        }
    }

    fn retry(&mut self, index: u64, attempt: u32, item: T, delay: Duration, error: BoxError) {
        self.counts.retried += 1;
        tracing::info!(index, attempt, ?delay, %error, "map item retried");
        self.push(Box::pin(Task::Sleeping {
            sleep: tokio::time::sleep(delay),
            index,
            attempt,
            item: Some(item),
        }));
    }

    fn threshold_exceeded<St>(
        &mut self,
        stream: Pin<&mut Option<St>>,
        last: Option<Error>,
    ) -> Poll<Option<Event<Fut::Ok>>> {
        let (failed, total) = (self.counts.failed, self.counts.started);
        let error = self.tolerance.threshold_error(failed, total, last);
        tracing::error!(failed, total, "map tolerated failure threshold exceeded");
        self.fatal(stream, error)
    }
}
