//! The fan-out: run an async function over every item of a stream, the way a Step
//! Functions `Map` state runs its iterations, with no barrier between pages.
//!
//! Everything here is generic over a `Stream<Item = Result<T, E>>` whose error
//! converts into a [`BoxError`]: the row stream of a query, typed rows, or any other
//! stream of items.

mod batch;
mod config;
mod engine;
mod ordered;
mod report;
mod retrier;
mod unordered;

use std::future::Future;

use futures::stream::TryStream;

use crate::error::{BoxError, Error};

pub use batch::ItemBatcher;
pub use config::MapSettings;
pub use ordered::MapOrdered;
pub use report::{MapReport, RunMap};
pub use retrier::{NoRetry, Retrier, RetryAll, RetryPolicy};
pub use unordered::MapUnordered;

/// The fan-out, for every stream of `Result<T, E>` (such as a query's rows) whose
/// error `E` converts into a [`BoxError`].
///
/// Each method runs `f` on every item under a [`MapSettings`]'s settings:
///
/// - at most [`max_concurrency`](MapSettings::new) items are in flight;
///   `1` runs them one at a time in input order, `0` sets no limit;
/// - **no barrier**: the input is polled whenever a slot is free, so an item starts as
///   soon as another one finishes and the input has one ready (items of page N+1 start
///   while items of page N still run, and the row stream keeps fetching pages); the
///   input is polled *only* when a slot is free, so it is never read far ahead;
/// - **fail fast** by default: the first item that fails (after its retries) ends the
///   fan-out with its [`Error::Item`]; the items in flight are dropped (cancelled) and
///   so is the input stream, which for a row stream stops the query. With a
///   [tolerated failure count](MapSettings::with_tolerated_failure_count) or
///   [percentage](MapSettings::with_tolerated_failure_percentage), failed items are reported
///   and the run goes on until the threshold is passed, which ends it with
///   [`Error::ToleratedFailureThresholdExceeded`];
/// - an error from the input stream (the query failed, ...) ends the fan-out the same
///   way, with that error: an [`Error`] of this crate (a row stream's) as it is, any
///   other error wrapped in [`Error::Input`];
/// - an error that ends the fan-out is yielded once; the streams then end (they are
///   [`FusedStream`](futures::stream::FusedStream)s).
///
/// `f` is an `FnMut(T) -> impl Future<Output = Result<R, E>>` with `E` any error that
/// converts into a [`BoxError`]. It is called once per attempt; with a
/// [`Retrier`] it is called again with a clone of the item, which is why a `MapSettings` with a
/// retrier needs `T: Clone` and a `MapSettings` without one does not.
///
/// The futures run inside the stream (like `futures`' `buffer_unordered`), not on
/// spawned tasks: they make progress while the stream is polled. Wrap `f`'s body in
/// `tokio::spawn` for CPU-heavy work.
///
/// # Tracing
///
/// Each run has one `INFO` span named **`athena_map`**, made when the stream or future
/// is made and entered each time it is polled, so the run's events and those that
/// `f` and its futures log while polled belong to it. Its fields:
///
/// | field | value |
/// |---|---|
/// | `method` | `"map_ordered"`, `"map_unordered"` or `"run_map"` |
/// | `max_concurrency` | the [`MapSettings`]'s `MaxConcurrency` (`0` = no limit) |
/// | `tolerated_failure_count` | when set |
/// | `tolerated_failure_percentage` | when set |
/// | `max_attempts` | the [`Retrier`]'s retries after the first attempt (`0` without one; absent when it has no limit) |
///
/// Events inside it: `map item retried` (`INFO`: `index`, `attempt`, `delay`, `error`)
/// and `map item failed` (`WARN`: `index`, `attempts`, `error`) per item, then one at
/// the end of the run with its counts `succeeded`, `failed`, `retried`,
/// `max_in_flight` and its `elapsed` time: `map run succeeded` (`INFO`) or
/// `map run failed` (`WARN`, with the `error` that ended it). A stream dropped before
/// its end logs no end event.
pub trait MapExt: TryStream<Error: Into<BoxError>> + Sized {
    /// The results of `f` over the items, in input order, like the Map's output array.
    ///
    /// A failed item within the tolerance is yielded in its place as an
    /// [`Error::Item`] and the stream goes on; any other error is the last item.
    /// At most `max_concurrency` items run at once, and at most as many finished
    /// results wait for an earlier item, so one slow item holds back new ones rather
    /// than let the buffer grow.
    ///
    /// ```
    /// use athena_stream::{Error, map::{MapSettings, MapExt}};
    /// use futures::{StreamExt, stream};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// let items = stream::iter((1..=5).map(Ok::<u32, Error>));
    /// let doubled: Vec<u32> = items
    ///     .map_ordered(MapSettings::new(3), |n| async move {
    ///         Ok::<_, std::io::Error>(n * 2)
    ///     })
    ///     .map(|r| r.unwrap())
    ///     .collect()
    ///     .await;
    /// assert_eq!(doubled, [2, 4, 6, 8, 10]);
    /// # Ok(())
    /// # }
    /// ```
    fn map_ordered<P, F, Fut, R, E>(
        self,
        map: MapSettings<P>,
        f: F,
    ) -> MapOrdered<Self, F, Fut, Self::Ok, P>
    where
        F: FnMut(Self::Ok) -> Fut,
        Fut: Future<Output = Result<R, E>>,
        E: Into<BoxError>,
        P: RetryPolicy<Self::Ok, E>,
    {
        MapOrdered::new(self, map, f)
    }

    /// The results of `f` over the items, in the order they finish.
    ///
    /// Like [`map_ordered`](Self::map_ordered) otherwise; a failed item's
    /// [`Error::Item`] says its input index.
    ///
    /// ```
    /// use athena_stream::{Error, map::{MapSettings, MapExt}};
    /// use futures::{TryStreamExt, stream};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// // Any error type converts: an input error would come out as `Error::Input`.
    /// let rows = stream::iter(["a", "bb", "ccc"].map(Ok::<_, std::io::Error>));
    /// let mut lengths: Vec<usize> = rows
    ///     .map_unordered(MapSettings::new(0), |s| async move {
    ///         Ok::<_, std::io::Error>(s.len())
    ///     })
    ///     .try_collect()
    ///     .await?;
    /// lengths.sort();
    /// assert_eq!(lengths, [1, 2, 3]);
    /// # Ok(())
    /// # }
    /// ```
    fn map_unordered<P, F, Fut, R, E>(
        self,
        map: MapSettings<P>,
        f: F,
    ) -> MapUnordered<Self, F, Fut, Self::Ok, P>
    where
        F: FnMut(Self::Ok) -> Fut,
        Fut: Future<Output = Result<R, E>>,
        E: Into<BoxError>,
        P: RetryPolicy<Self::Ok, E>,
    {
        MapUnordered::new(self, map, f)
    }

    /// Runs `f` over all items and returns a [`MapReport`] (`f`'s values are dropped).
    ///
    /// # Errors
    ///
    /// The error that ended the fan-out: the first [`Error::Item`] when failing fast,
    /// [`Error::ToleratedFailureThresholdExceeded`], the input stream's error, or
    /// [`Error::InvalidConfig`]. Failures within the tolerance are in
    /// [`MapReport::failures`] instead.
    ///
    /// ```
    /// use std::time::Duration;
    /// use athena_stream::{Error, map::{MapSettings, MapExt, Retrier}};
    /// use futures::stream;
    ///
    /// #[derive(Debug)]
    /// struct Flaky;
    /// impl std::fmt::Display for Flaky {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         f.write_str("flaky")
    ///     }
    /// }
    /// impl std::error::Error for Flaky {}
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), Error> {
    /// let map = MapSettings::new(4)
    ///     .with_tolerated_failure_count(1)
    ///     .with_retrier(Retrier::new().with_interval(Duration::from_millis(10)));
    /// let report = stream::iter((0..10u32).map(Ok::<_, Error>))
    ///     .run_map(map, |n| async move { if n == 7 { Err(Flaky) } else { Ok(()) } })
    ///     .await?;
    /// assert_eq!((report.succeeded, report.failed, report.retried), (9, 1, 3));
    /// assert!(matches!(report.failures[0], Error::Item { index: 7, attempts: 4, .. }));
    /// # Ok(())
    /// # }
    /// ```
    fn run_map<P, F, Fut, R, E>(
        self,
        map: MapSettings<P>,
        f: F,
    ) -> RunMap<Self, F, Fut, Self::Ok, P>
    where
        F: FnMut(Self::Ok) -> Fut,
        Fut: Future<Output = Result<R, E>>,
        E: Into<BoxError>,
        P: RetryPolicy<Self::Ok, E>,
    {
        RunMap::new(self, map, f)
    }

    /// Groups items into batches of up to `max_items_per_batch`, like the Map's
    /// `ItemBatcher`, for functions that take several rows per call: chain any of the
    /// fan-out methods after it, and `f` gets a `Vec<T>`. Indexes, counts and
    /// thresholds of the fan-out then count batches.
    ///
    /// Step Functions fills batches by count from an input it already has. A stream's
    /// next item may be far off (the next page of a query), so a batch is handed out
    /// when it is full **or when the input has nothing ready** and at least one item is
    /// waiting: a batch never waits for the input, and a full page of rows makes full
    /// batches. An input error is yielded (the partial batch is dropped) and ends the
    /// stream; it is converted as the fan-out converts it (an [`Error`] as it is, any
    /// other error wrapped in [`Error::Input`]). `0` yields [`Error::InvalidConfig`].
    ///
    /// ```
    /// use athena_stream::{Error, map::{MapSettings, MapExt}};
    /// use futures::{TryStreamExt, stream};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// let sizes: Vec<usize> = stream::iter((0..7).map(Ok::<u8, Error>))
    ///     .item_batcher(3)
    ///     .map_ordered(MapSettings::new(2), |batch| async move { Ok::<_, std::io::Error>(batch.len()) })
    ///     .try_collect()
    ///     .await?;
    /// assert_eq!(sizes, [3, 3, 1]);
    /// # Ok(())
    /// # }
    /// ```
    fn item_batcher(self, max_items_per_batch: usize) -> ItemBatcher<Self, Self::Ok> {
        ItemBatcher::new(self, max_items_per_batch)
    }
}

impl<St> MapExt for St where St: TryStream<Error: Into<BoxError>> {}

/// An input stream's error as the fan-out and the batcher yield it: this crate's own
/// [`Error`] (a row stream's, or one that already went through here) unchanged, any
/// other wrapped in [`Error::Input`]. The box costs one allocation, on an error that
/// ends the run.
fn input_error<E: Into<BoxError>>(error: E) -> Error {
    match error.into().downcast::<Error>() {
        Ok(error) => *error,
        Err(source) => Error::Input { source },
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod row_stream_tests;
