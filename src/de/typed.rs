//! [`TypedExt::typed`]: a stream of rows as a stream of `T`.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{FusedStream, Stream};
use pin_project_lite::pin_project;
use serde::de::DeserializeOwned;

use crate::{Error, Row};

/// Turns a stream of rows into a stream of typed values.
///
/// Implemented for every `Stream<Item = Result<Row, Error>>`.
pub trait TypedExt: Stream<Item = Result<Row, Error>> + Sized {
    /// Reads each row into `T` with [`Row::deserialize`]: a struct whose fields
    /// are matched to column names, a tuple, or a map. An error from the stream is
    /// passed on as it is; a row that does not fit `T` becomes an
    /// [`Error::Decode`] item naming the row, the column and the text (or an
    /// [`Error::NoSuchColumn`] item for a field without a column), and the
    /// stream goes on with the next row (stop at the first error with
    /// `try_next`/`try_for_each`, or skip such rows yourself).
    ///
    /// The column of each field is worked out once per result, not per row.
    ///
    /// ```
    /// use athena_stream::{Row, TypedExt, value::{ColumnInfo, ResultSetMetadata}};
    /// use futures::{StreamExt, TryStreamExt, stream};
    /// use std::sync::Arc;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Hit {
    ///     uri: String,
    ///     bytes: i64,
    /// }
    ///
    /// # futures::executor::block_on(async {
    /// let columns = Arc::new(ResultSetMetadata::new(vec![
    ///     ColumnInfo::new("uri", "varchar"),
    ///     ColumnInfo::new("bytes", "bigint"),
    /// ]));
    /// let rows = stream::iter((0..3).map(|i| {
    ///     Ok(Row::new(columns.clone(), i, vec![Some(format!("/{i}")), Some(i.to_string())]))
    /// }));
    /// let hits: Vec<Hit> = rows.typed::<Hit>().try_collect().await.unwrap();
    /// assert_eq!(hits[2].uri, "/2");
    /// assert_eq!(hits.iter().map(|h| h.bytes).sum::<i64>(), 3);
    /// # });
    /// ```
    fn typed<T: DeserializeOwned>(self) -> Typed<Self, T> {
        Typed::new(self)
    }
}

impl<S: Stream<Item = Result<Row, Error>>> TypedExt for S {}

pin_project! {
    /// The stream returned by [`TypedExt::typed`].
    #[must_use = "streams do nothing unless polled"]
    pub struct Typed<S, T> {
        #[pin]
        rows: S,
        // fn() -> T: the stream is Send/Sync whatever T is; it only makes Ts.
        _type: PhantomData<fn() -> T>,
    }
}

impl<S, T> Typed<S, T> {
    pub(super) fn new(rows: S) -> Self {
        Typed {
            rows,
            _type: PhantomData,
        }
    }

    /// The stream of rows inside.
    pub fn into_inner(self) -> S {
        self.rows
    }
}

impl<S, T> Stream for Typed<S, T>
where
    S: Stream<Item = Result<Row, Error>>,
    T: DeserializeOwned,
{
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.project()
            .rows
            .poll_next(cx)
            .map(|row| row.map(|row| row.and_then(|row| row.deserialize::<T>())))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.rows.size_hint()
    }
}

impl<S, T> FusedStream for Typed<S, T>
where
    S: FusedStream<Item = Result<Row, Error>>,
    T: DeserializeOwned,
{
    fn is_terminated(&self) -> bool {
        self.rows.is_terminated()
    }
}

impl<S: fmt::Debug, T> fmt::Debug for Typed<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Typed")
            .field("rows", &self.rows)
            .field("type", &std::any::type_name::<T>())
            .finish()
    }
}
