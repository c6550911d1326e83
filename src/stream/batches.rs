//! The stream of a query's results as Arrow batches: a thin adaptor over the page
//! stream, which hands it batches the result file was parsed into, or rows (pages of
//! `GetQueryResults`) that it builds into batches itself.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures::stream::FusedStream;
use futures::{Stream, StreamExt};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::columnar::{BatchBuilder, BatchOptions, BatchPlan};
use crate::error::{Error, Result};
use crate::execution::QueryExecution;
use crate::page::{PageBatch, ResultPage, ResumeFrom};
use crate::row::ResultSetMetadata;
use crate::stats::QueryStats;
use crate::stream::pages::PageStream;

/// A query's results as Arrow [`RecordBatch`]es: `Stream<Item = Result<RecordBatch>>`.
///
/// Made by [`RowStream::into_batches`](crate::RowStream::into_batches). Lazy, fetching
/// ahead, retrying, stopping a dropped query and failing once exactly as the row stream
/// it came from; the same [`stats`](Self::stats). Each batch holds at most
/// [`BatchOptions::rows`] rows and about [`BatchOptions::bytes`] bytes, in the schema
/// [`schema`](Self::schema) gives before the first batch. These are limits, not sizes:
/// a batch also ends where a byte range of the result file ends, since joining two
/// ranges' rows would copy them.
///
/// ```no_run
/// use athena_stream::Athena;
/// use futures::TryStreamExt;
///
/// # async fn run(athena: Athena) -> athena_stream::Result<()> {
/// let mut batches = athena
///     .query("SELECT uri, status, bytes FROM cf_access_logs")
///     .into_batches();
/// println!("{:?}", batches.schema().await?);
/// while let Some(batch) = batches.try_next().await? {
///     println!("{} rows", batch.num_rows());
/// }
/// # Ok(())
/// # }
/// ```
///
/// `Send`, `Sync` and `Unpin`, with no borrowed data (`'static`).
#[must_use = "streams do nothing unless polled"]
pub struct RecordBatchStream {
    pages: PageStream,
    options: Arc<BatchOptions>,
    plan: Option<Arc<BatchPlan>>,
    /// Rows of API pages not yet handed out, the number of the first, and where the
    /// rows after them start (the last page's `next`).
    builder: Option<BatchBuilder>,
    first_row: u64,
    builder_next: Option<ResumeFrom>,
    /// Batches made and not yet handed out.
    ready: VecDeque<PageBatch>,
    /// A page read to learn the schema, still to be taken.
    peeked: Option<ResultPage>,
    /// The pages ended (with this error, if any); what is built is handed out first.
    ended: bool,
    error: Option<Error>,
    /// Where to resume after the last batch handed out.
    resume_from: Option<ResumeFrom>,
}

impl RecordBatchStream {
    /// Batches of `pages`, which must not have started yet if the result file is to be
    /// parsed straight into batches (else they are built from rows).
    pub(crate) fn new(mut pages: PageStream, options: BatchOptions) -> Self {
        let options = Arc::new(options);
        pages.set_shape(crate::page::Shape::Batches(options.clone()));
        RecordBatchStream {
            pages,
            options,
            plan: None,
            builder: None,
            first_row: 0,
            builder_next: None,
            ready: VecDeque::new(),
            peeked: None,
            ended: false,
            error: None,
            resume_from: None,
        }
    }

    /// The schema of the batches, as soon as the result's columns are known: this
    /// waits for the query to finish and for its first page (which it keeps for the
    /// stream), without taking a batch.
    ///
    /// # Errors
    /// What the stream would fail with first (the query failed, a call failed beyond
    /// its retries, ...): the stream has then ended; and
    /// [`Error::InvalidConfig`] when a column type given in the [`BatchOptions`] names
    /// no column of the result.
    pub async fn schema(&mut self) -> Result<SchemaRef> {
        if self.plan.is_none() && self.peeked.is_none() && !self.ended {
            match self.pages.next().await {
                Some(Ok(page)) => self.peeked = Some(page),
                Some(Err(e)) => {
                    self.ended = true;
                    return Err(e);
                }
                None => self.ended = true,
            }
        }
        if let Some(plan) = &self.plan {
            return Ok(plan.schema.clone());
        }
        let metadata = self.metadata().ok_or_else(|| {
            Error::invalid_response(
                crate::error::Operation::GetQueryResults,
                "the result ended before its columns were known",
            )
        })?;
        Ok(self.plan_for(&metadata)?.schema.clone())
    }

    fn plan_for(&mut self, metadata: &ResultSetMetadata) -> Result<Arc<BatchPlan>> {
        if let Some(plan) = &self.plan {
            return Ok(plan.clone());
        }
        let plan = BatchPlan::new(metadata, &self.options)?;
        self.plan = Some(plan.clone());
        Ok(plan)
    }

    /// Where to resume to continue after the last batch handed out, with
    /// [`Athena::resume_from`](crate::Athena::resume_from) and then
    /// [`into_batches`](crate::RowStream::into_batches): `None` before the first batch,
    /// after the last batch of a `GetQueryResults` result, and after a batch that ended
    /// inside a page of `GetQueryResults` (only when [`BatchOptions::rows`] is under
    /// the page size). Every batch of the result file says where it ends.
    pub fn resume_from(&self) -> Option<&ResumeFrom> {
        self.resume_from.as_ref()
    }

    /// The `QueryExecutionId`, as soon as the query has been started (or at once when
    /// attached).
    pub fn query_execution_id(&self) -> Option<String> {
        self.pages.query_execution_id()
    }

    /// The finished query execution, once it succeeded.
    pub fn query_execution(&self) -> Option<QueryExecution> {
        self.pages.query_execution()
    }

    /// The query execution as the last `GetQueryExecution` described it, while it is
    /// still queued or running too.
    pub fn polled_execution(&self) -> Option<QueryExecution> {
        self.pages.polled_execution()
    }

    /// The columns of the result as Athena describes them, once known.
    pub fn metadata(&self) -> Option<Arc<ResultSetMetadata>> {
        self.pages.metadata().or_else(|| {
            let page = self.peeked.as_ref()?;
            page.rows.first().map(|row| row.metadata().clone())
        })
    }

    /// Counters so far: calls per operation, pages, rows, retries, time.
    pub fn stats(&self) -> QueryStats {
        self.pages.stats()
    }

    /// The query's progress as its status polls see it (see [`QueryProgress`](crate::progress::QueryProgress) and
    /// [`PageStream::progress`](crate::PageStream::progress)).
    pub fn progress(&self) -> tokio::sync::watch::Receiver<crate::progress::QueryProgress> {
        self.pages.progress()
    }

    /// Stops the query if it is still queued or running, and ends the stream, as
    /// [`RowStream::cancel`](crate::RowStream::cancel) does.
    ///
    /// # Errors
    /// The error of `StopQueryExecution`, when it failed beyond its retries.
    pub async fn cancel(&mut self) -> Result<()> {
        self.ready.clear();
        self.builder = None;
        self.peeked = None;
        self.ended = true;
        self.error = None;
        self.pages.cancel().await
    }

    /// Takes a page: its batches as they are, its rows into the builder.
    fn take(&mut self, page: ResultPage) -> Result<()> {
        if self.plan.is_none() {
            let metadata = page
                .rows
                .first()
                .map(|row| row.metadata().clone())
                .or_else(|| self.pages.metadata());
            if let Some(metadata) = metadata {
                self.plan_for(&metadata)?;
            }
        }
        if !page.batches.is_empty() {
            // The rows of an API page before it (the first page of `ReadPath::Auto`)
            // come first.
            self.flush();
            self.ready.extend(page.batches);
            return Ok(());
        }
        let Some(plan) = self.plan.clone() else {
            // No columns known and no rows: nothing to build.
            return Ok(());
        };
        let rows = page.rows.len();
        let (limit_rows, limit_bytes) = (self.options.rows(), self.options.bytes());
        for (i, row) in page.rows.iter().enumerate() {
            let builder = self
                .builder
                .get_or_insert_with(|| BatchBuilder::new(plan.clone()));
            if builder.rows() == 0 {
                self.first_row = row.row_number();
            }
            let pushed = (0..row.len())
                .try_for_each(|column| builder.push(row.text(column)))
                .and_then(|()| builder.end_row());
            if let Err(e) = pushed {
                return Err(e.into_error(&plan, self.first_row));
            }
            if builder.rows() >= limit_rows || builder.bytes() >= limit_bytes {
                // Inside the page there is nowhere to resume; at its end, its `next`.
                self.builder_next = if i + 1 == rows {
                    page.next.clone()
                } else {
                    None
                };
                self.flush();
            }
        }
        self.builder_next = page.next;
        // Cut batches at page boundaries, so that each says where to resume: end this
        // one when a page as long as this one would not fit.
        if let Some(builder) = &self.builder
            && builder.rows() > 0
            && (builder.rows() + rows > limit_rows
                || builder.bytes() + builder.bytes() / builder.rows() * rows > limit_bytes)
        {
            self.flush();
        }
        Ok(())
    }

    /// Hands the rows built so far out as a batch.
    fn flush(&mut self) {
        if let Some(builder) = &mut self.builder
            && builder.rows() > 0
        {
            let batch = builder.finish();
            self.ready.push_back(PageBatch {
                batch,
                next: self.builder_next.take(),
            });
        }
    }
}

impl Stream for RecordBatchStream {
    type Item = Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(PageBatch { batch, next }) = this.ready.pop_front() {
                this.resume_from = next;
                return Poll::Ready(Some(Ok(batch)));
            }
            if this.ended {
                return Poll::Ready(this.error.take().map(Err));
            }
            let page = match this.peeked.take() {
                Some(page) => Some(Ok(page)),
                None => ready!(this.pages.poll_next_unpin(cx)),
            };
            match page {
                Some(Ok(page)) => {
                    if let Err(e) = this.take(page) {
                        // The batches completed before the bad value come first; the
                        // rows of the one being built go with the error (the builder
                        // holds the bad row too, as a NULL).
                        this.ended = true;
                        this.error = Some(e);
                        this.builder = None;
                    }
                }
                Some(Err(e)) => {
                    this.ended = true;
                    this.error = Some(e);
                    this.flush();
                }
                None => {
                    this.ended = true;
                    this.flush();
                }
            }
        }
    }
}

impl FusedStream for RecordBatchStream {
    fn is_terminated(&self) -> bool {
        self.ended && self.ready.is_empty() && self.error.is_none()
    }
}

impl fmt::Debug for RecordBatchStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordBatchStream")
            .field("pages", &self.pages)
            .field("options", &self.options)
            .field("ready", &self.ready.len())
            .finish_non_exhaustive()
    }
}
