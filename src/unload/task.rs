//! One shard's file read by a task of its own, what [`ShardRows`](super::ShardRows) and
//! [`ShardBatches`](super::ShardBatches) are made of: the task opens the file, checks
//! its columns, decodes it with the `parquet` crate's async reader and hands each
//! decoded batch, made into the stream's items by a [`Decode`], through a bounded
//! channel; the stream yields them, then the task's own result.
//!
//! A task of its own, so that the file is read and decoded while the stream's consumer
//! works on the items before, and so that a Parquet reader that panics on a malformed
//! file fails that file's read ([`task_error`]), not the caller's task.

use std::fmt;
use std::future::Future as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use futures::stream::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::schema::ColumnPlan;
use super::shard::{AbortOnDrop, Shard, columns_of, describe, open, parquet_error, task_error};
use crate::client::ClientCore;
use crate::error::Result;

/// Batches waiting in the channel: memory holds at most this many batches, plus the one
/// being decoded and the one being read, per shard.
const BATCHES_AHEAD: usize = 2;

/// What a file's decoded Arrow batches become on their way to the stream.
pub(crate) trait Decode: Send + Sync + 'static {
    /// What the channel carries: one item per decoded batch.
    type Item: Send + 'static;

    /// The most rows the Parquet reader decodes at once.
    fn batch_rows(&self) -> usize;

    /// The decoder of this file's batches, once its columns are known and match the
    /// shard's.
    ///
    /// # Errors
    /// Whatever makes the file unreadable this way; the read ends with it.
    /// `decoded` is the schema of the batches the Parquet reader decodes.
    fn start(
        self,
        shard: &Shard,
        plans: &[ColumnPlan],
        decoded: &SchemaRef,
    ) -> Result<Decoder<Self::Item>>;
}

/// Makes one decoded batch, whose first row is row `first_row` of the file (from 0), an
/// item; an error ends the read.
pub(crate) type Decoder<T> = Box<dyn FnMut(RecordBatch, u64) -> Result<T> + Send>;

/// Reads `shard` through `decode` into `items`, until the file ends or the stream is
/// dropped.
async fn read<D: Decode>(
    core: Arc<ClientCore>,
    shard: Shard,
    decode: D,
    items: mpsc::Sender<D::Item>,
) -> Result<()> {
    let opened = open(&core, &shard).await?;
    let derived = columns_of(&opened.plans);
    if !shard.columns.is_empty() && shard.columns != derived {
        return Err(super::shard::unload_error(
            &shard.uri,
            format!(
                "the file's columns ({}) are not the shard's ({})",
                describe(&derived),
                describe(&shard.columns)
            ),
            None,
        ));
    }
    let batch_rows = decode.batch_rows();
    let mut decoder = decode.start(&shard, &opened.plans, opened.builder.schema())?;
    let mut stream = opened
        .builder
        .with_batch_size(batch_rows)
        .build()
        .map_err(|e| parquet_error(&shard.uri, "cannot be read", e))?;
    let mut first_row = 0u64;
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(|e| parquet_error(&shard.uri, "cannot be read", e))?;
        let rows = batch.num_rows() as u64;
        let item = decoder(batch, first_row)?;
        first_row += rows;
        if items.send(item).await.is_err() {
            // The stream was dropped: nobody wants the rest.
            return Ok(());
        }
    }
    Ok(())
}

/// Starts the task. Boxed as a plain `FnOnce` of `Send + Sync` data (not as a future,
/// which is not `Sync`), so that an idle stream stays `Sync`.
type Start<T> = Box<dyn FnOnce(mpsc::Sender<T>) -> JoinHandle<Result<()>> + Send + Sync>;

/// The items of one file, read by a task spawned at the first poll: the state machine
/// of the shard streams. Yields the items in file order, then the task's error if it
/// ended with one, then ends.
pub(crate) struct FileTask<T> {
    state: State<T>,
}

enum State<T> {
    Idle {
        uri: String,
        start: Start<T>,
    },
    Reading {
        uri: String,
        items: mpsc::Receiver<T>,
        task: AbortOnDrop<Result<()>>,
    },
    Done,
}

impl<T: Send + 'static> FileTask<T> {
    /// A task that will read `shard` through `decode`; nothing happens until the first
    /// poll.
    pub(crate) fn new<D: Decode<Item = T>>(core: Arc<ClientCore>, shard: Shard, decode: D) -> Self {
        let uri = shard.uri.clone();
        let start: Start<T> = Box::new(move |items| tokio::spawn(read(core, shard, decode, items)));
        FileTask {
            state: State::Idle { uri, start },
        }
    }

    /// The next item, the task's error, or the end.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        loop {
            match &mut self.state {
                State::Idle { .. } => {
                    let State::Idle { uri, start } =
                        std::mem::replace(&mut self.state, State::Done)
                    else {
                        continue;
                    };
                    let (tx, rx) = mpsc::channel(BATCHES_AHEAD);
                    self.state = State::Reading {
                        uri,
                        items: rx,
                        task: AbortOnDrop(start(tx)),
                    };
                }
                State::Reading { uri, items, task } => {
                    if let Some(item) = ready!(items.poll_recv(cx)) {
                        return Poll::Ready(Some(Ok(item)));
                    }
                    // The task has sent its last item: its result says whether the
                    // file was read to its end.
                    let ended = ready!(Pin::new(&mut task.0).poll(cx));
                    let ended = match ended {
                        Ok(Ok(())) => None,
                        Ok(Err(e)) => Some(Err(e)),
                        Err(e) => Some(Err(task_error(uri, e))),
                    };
                    self.state = State::Done;
                    return Poll::Ready(ended);
                }
                State::Done => return Poll::Ready(None),
            }
        }
    }

    /// Whether it has ended.
    pub(crate) fn is_terminated(&self) -> bool {
        matches!(self.state, State::Done)
    }
}

impl<T> fmt::Debug for FileTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            State::Idle { uri, .. } => write!(f, "idle: {uri}"),
            State::Reading { uri, items, .. } => {
                write!(f, "reading {uri} ({} batches ready)", items.len())
            }
            State::Done => f.write_str("done"),
        }
    }
}
