//! Batching of the fan-out's input, like the Map's `ItemBatcher { MaxItemsPerBatch }`.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{FusedStream, Stream, TryStream};
use pin_project_lite::pin_project;

use super::input_error;
use crate::error::{BoxError, Error};

/// Batches start with room for this many items at most, so that a huge
/// `max_items_per_batch` does not reserve memory it may never use.
const INITIAL_CAPACITY: usize = 1024;

pin_project! {
    /// Stream for the [`item_batcher`](crate::map::MapExt::item_batcher) method.
    #[must_use = "streams do nothing unless polled"]
    pub struct ItemBatcher<St, T> {
        #[pin]
        stream: Option<St>,
        items: Vec<T>,
        max_items_per_batch: usize,
    }
}

impl<St: fmt::Debug, T> fmt::Debug for ItemBatcher<St, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemBatcher")
            .field("stream", &self.stream)
            .field("buffered", &self.items.len())
            .field("max_items_per_batch", &self.max_items_per_batch)
            .finish()
    }
}

impl<St, T> ItemBatcher<St, T>
where
    St: TryStream<Ok = T, Error: Into<BoxError>>,
{
    pub(super) fn new(stream: St, max_items_per_batch: usize) -> Self {
        Self {
            stream: Some(stream),
            items: Vec::new(),
            max_items_per_batch,
        }
    }

    /// The input stream, or `None` once it has ended or failed and was dropped.
    pub fn get_ref(&self) -> Option<&St> {
        self.stream.as_ref()
    }

    fn take(items: &mut Vec<T>, max: usize) -> Vec<T> {
        std::mem::replace(items, Vec::with_capacity(max.min(INITIAL_CAPACITY)))
    }
}

impl<St, T> Stream for ItemBatcher<St, T>
where
    St: TryStream<Ok = T, Error: Into<BoxError>>,
{
    type Item = Result<Vec<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        let max = *this.max_items_per_batch;
        if max == 0 && this.stream.is_some() {
            this.stream.set(None);
            return Poll::Ready(Some(Err(Error::invalid_config(
                "max_items_per_batch must be at least 1",
            ))));
        }
        loop {
            let Some(input) = this.stream.as_mut().as_pin_mut() else {
                return Poll::Ready(None);
            };
            match input.try_poll_next(cx) {
                Poll::Ready(Some(Ok(item))) => {
                    this.items.push(item);
                    if this.items.len() >= max {
                        return Poll::Ready(Some(Ok(Self::take(this.items, max))));
                    }
                }
                // The error ends the fan-out anyway: the partial batch is dropped with it.
                // It is converted as the fan-out would, so batching changes nothing.
                Poll::Ready(Some(Err(error))) => {
                    this.stream.set(None);
                    this.items.clear();
                    return Poll::Ready(Some(Err(input_error(error))));
                }
                Poll::Ready(None) => {
                    this.stream.set(None);
                    if this.items.is_empty() {
                        return Poll::Ready(None);
                    }
                    return Poll::Ready(Some(Ok(std::mem::take(this.items))));
                }
                // Nothing more is ready: hand out what there is rather than stall on it.
                Poll::Pending if this.items.is_empty() => return Poll::Pending,
                Poll::Pending => return Poll::Ready(Some(Ok(Self::take(this.items, max)))),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = usize::from(!self.items.is_empty());
        match &self.stream {
            None => (buffered, Some(buffered)),
            Some(s) => {
                let (lower, upper) = s.size_hint();
                // An error may end the input early, so only one batch is certain.
                let lower = usize::from(lower.saturating_add(self.items.len()) > 0);
                // At worst every item is its own batch; an error is one more item.
                let upper = upper.and_then(|u| u.checked_add(self.items.len())?.checked_add(1));
                (lower, upper)
            }
        }
    }
}

impl<St, T> FusedStream for ItemBatcher<St, T>
where
    St: TryStream<Ok = T, Error: Into<BoxError>>,
{
    fn is_terminated(&self) -> bool {
        self.stream.is_none() && self.items.is_empty()
    }
}
