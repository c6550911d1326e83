//! The default read path: page 1 through `GetQueryResults`, the rest from the result
//! file when there is more and the file can be read.
//!
//! A result that fits one page costs no S3 request. A larger one continues from the
//! row after page 1 in the result file, read in parallel ranges; when the file cannot
//! be read (no S3 client, no output location, a `.txt` result, client-side encryption,
//! S3 refusing access) the pager simply goes on with page 1's `NextToken`, with a
//! warning and the reason in the stats.

use std::sync::Arc;

use futures::future::BoxFuture;
use tracing::warn;

use super::get_query_results::QueryResultsPager;
use crate::client::ClientCore;
use crate::error::Result;
use crate::execution::QueryExecution;
use crate::page::source::PageSource;
use crate::page::{ResultPage, Shape};
use crate::result_file::open::{Opened, open};
use crate::result_file::source::StartAt;
use crate::row::ResultSetMetadata;
use crate::settings::ReadPath;
use crate::stats::Stats;

enum Phase {
    /// Page 1 not fetched yet.
    FirstPage(QueryResultsPager),
    /// Page 1 handed out with a `NextToken`: the file is opened on the next call.
    Decide {
        pager: QueryResultsPager,
        rows_read: u64,
    },
    /// Reading through whichever source was chosen.
    Reading(Box<dyn PageSource>),
    /// Taken out while a call works on it; a call dropped half-way leaves this, and
    /// the source is dropped with it.
    Gone,
}

/// See the module docs.
pub(crate) struct AutoSource {
    core: Arc<ClientCore>,
    stats: Arc<Stats>,
    execution: QueryExecution,
    shape: Shape,
    phase: Phase,
}

impl AutoSource {
    pub(crate) fn new(
        core: Arc<ClientCore>,
        stats: Arc<Stats>,
        execution: QueryExecution,
        pager: QueryResultsPager,
        shape: Shape,
    ) -> Self {
        AutoSource {
            core,
            stats,
            execution,
            shape,
            phase: Phase::FirstPage(pager),
        }
    }

    async fn read(&mut self) -> Result<Option<ResultPage>> {
        loop {
            match std::mem::replace(&mut self.phase, Phase::Gone) {
                Phase::Reading(mut source) => {
                    let page = source.next_page().await;
                    self.phase = Phase::Reading(source);
                    return page;
                }
                Phase::FirstPage(mut pager) => {
                    let page = pager.next_page().await?;
                    self.phase = match &page {
                        Some(p) if p.next_token().is_some() => Phase::Decide {
                            pager,
                            rows_read: p.rows.len() as u64,
                        },
                        // One page holds it all: no S3 request.
                        _ => {
                            self.stats.set_read_path(ReadPath::Api, None);
                            Phase::Reading(Box::new(pager))
                        }
                    };
                    return Ok(page);
                }
                Phase::Decide { pager, rows_read } => {
                    self.phase = Phase::Reading(self.choose(pager, rows_read).await?);
                }
                Phase::Gone => return Ok(None),
            }
        }
    }

    /// The result file after the first `rows_read` rows, or the pager where it stopped.
    async fn choose(
        &mut self,
        pager: QueryResultsPager,
        rows_read: u64,
    ) -> Result<Box<dyn PageSource>> {
        let start = StartAt::Beginning { skip: rows_read };
        let metadata = pager.metadata();
        match open(
            &self.core,
            &self.stats,
            &self.execution,
            start,
            metadata,
            &self.shape,
        )
        .await?
        {
            Opened::File(source) => {
                self.stats.set_read_path(ReadPath::ResultFile, None);
                Ok(source)
            }
            Opened::Unreadable(why) => {
                warn!(query_execution_id = %self.execution.query_execution_id, reason = %why, "reading the rest through GetQueryResults: the result file cannot be read");
                self.stats
                    .set_read_path(ReadPath::Api, Some(why.to_string()));
                Ok(Box::new(pager))
            }
        }
    }
}

impl PageSource for AutoSource {
    fn next_page(&mut self) -> BoxFuture<'_, Result<Option<ResultPage>>> {
        Box::pin(self.read())
    }

    fn metadata(&self) -> Option<Arc<ResultSetMetadata>> {
        match &self.phase {
            Phase::Reading(source) => source.metadata(),
            Phase::FirstPage(pager) | Phase::Decide { pager, .. } => pager.metadata(),
            Phase::Gone => None,
        }
    }
}
