//! The `GetQueryResults` pager: one call per page, each with the previous page's
//! `NextToken`, the header row dropped where Athena sends one, every row checked
//! against the columns, and a token that comes back a second time refused rather than
//! followed in a loop (docs/athena.md, "Pages of results").

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio::time::Instant;
use tracing::debug;

use crate::api::RawPage;
use crate::client::ClientCore;
use crate::error::{Error, Operation, Result};
use crate::execution::{HeaderRule, QueryExecution};
use crate::page::source::PageSource;
use crate::page::{ResultPage, ResumeFrom};
use crate::row::{ResultSetMetadata, Row};
use crate::stats::Stats;

/// Where the pager is.
enum Next {
    /// Fetch the page this token names (`None`: the first page).
    Page(Option<String>),
    /// The page just handed out came with a token already used: say so, then end.
    Refuse(Error),
    /// No more pages.
    Done,
}

/// Pages through `GetQueryResults` for one finished query.
pub(crate) struct QueryResultsPager {
    core: Arc<ClientCore>,
    stats: Arc<Stats>,
    query_execution_id: String,
    next: Next,
    /// The rule for the first row of the next page: only the very first page of a
    /// result can hold a header row, never a page resumed from a token.
    header: HeaderRule,
    /// Hashes of the tokens seen: enough to catch a loop without keeping the tokens.
    seen: HashSet<u64>,
    hasher: RandomState,
    page_number: u64,
    /// The number of the next data row in the whole result (header excluded).
    row_number: u64,
    metadata: Option<Arc<ResultSetMetadata>>,
}

impl QueryResultsPager {
    /// A pager over `execution`'s results, from the first page or from `next_token`.
    pub(crate) fn new(
        core: Arc<ClientCore>,
        stats: Arc<Stats>,
        execution: &QueryExecution,
        next_token: Option<String>,
    ) -> Self {
        let header = if next_token.is_none() {
            execution.first_row_is_header()
        } else {
            HeaderRule::Never
        };
        let hasher = RandomState::new();
        let seen = next_token.iter().map(|t| hasher.hash_one(t)).collect();
        QueryResultsPager {
            core,
            stats,
            query_execution_id: execution.query_execution_id.clone(),
            next: Next::Page(next_token),
            header,
            seen,
            hasher,
            page_number: 0,
            row_number: 0,
            metadata: None,
        }
    }

    async fn fetch(&mut self) -> Result<Option<ResultPage>> {
        let token = match std::mem::replace(&mut self.next, Next::Done) {
            Next::Page(token) => token,
            Next::Refuse(error) => return Err(error),
            Next::Done => return Ok(None),
        };
        let started = Instant::now();
        let core = &*self.core;
        let stats = &*self.stats;
        let id = self.query_execution_id.as_str();
        let raw = core
            .call(stats, Operation::GetQueryResults, || {
                core.api
                    .get_query_results(id, token.as_deref(), core.settings.page_size, stats)
            })
            .await;
        self.stats.fetched_since(started);
        let raw = raw?;
        let next_token = raw.next_token.clone().filter(|t| !t.is_empty());
        let rows = self.rows(raw)?;
        debug!(
            query_execution_id = %self.query_execution_id,
            page = self.page_number,
            rows = rows.len(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0,
            "page fetched"
        );
        self.stats.count_page(rows.len());
        // The rows of this page are real whatever its token says: hand them over first,
        // and refuse to follow a token that would read pages again.
        self.next = match &next_token {
            Some(next) if !self.seen.insert(self.hasher.hash_one(next)) => {
                Next::Refuse(Error::RepeatedNextToken {
                    query_execution_id: self.query_execution_id.clone(),
                    next_token: next.clone(),
                })
            }
            Some(next) => Next::Page(Some(next.clone())),
            None => Next::Done,
        };
        let page = ResultPage::of_rows(
            self.page_number,
            token,
            next_token.map(ResumeFrom::NextToken),
            rows,
        );
        self.page_number += 1;
        Ok(Some(page))
    }

    /// Checks one page and turns it into rows: the columns come with the first page,
    /// the header row goes, and every row must have one value per column.
    fn rows(&mut self, raw: RawPage) -> Result<Vec<Row>> {
        let metadata = match (&self.metadata, raw.columns) {
            (Some(known), _) => known.clone(),
            (None, Some(columns)) => {
                let m = Arc::new(ResultSetMetadata::new(columns));
                self.metadata = Some(m.clone());
                m
            }
            (None, None) => {
                return Err(Error::invalid_response(
                    Operation::GetQueryResults,
                    "the response has no ResultSetMetadata.ColumnInfo",
                ));
            }
        };
        let mut raw_rows = raw.rows.into_iter().peekable();
        let header = std::mem::replace(&mut self.header, HeaderRule::Never);
        let drop_first = match header {
            HeaderRule::Always => true,
            HeaderRule::IfColumnNames => raw_rows.peek().is_some_and(|first| {
                first.len() == metadata.len()
                    && first
                        .iter()
                        .zip(metadata.columns())
                        .all(|(value, column)| value.as_deref() == Some(column.name.as_str()))
            }),
            HeaderRule::Never => false,
        };
        if drop_first {
            raw_rows.next();
        }
        let mut rows = Vec::with_capacity(raw_rows.len());
        for values in raw_rows {
            if values.len() != metadata.len() {
                return Err(Error::RowShape {
                    query_execution_id: self.query_execution_id.clone(),
                    row_number: self.row_number,
                    values: values.len(),
                    columns: metadata.len(),
                });
            }
            rows.push(Row::new(metadata.clone(), self.row_number, values));
            self.row_number += 1;
        }
        Ok(rows)
    }
}

impl PageSource for QueryResultsPager {
    fn next_page(&mut self) -> BoxFuture<'_, Result<Option<ResultPage>>> {
        Box::pin(self.fetch())
    }

    fn metadata(&self) -> Option<Arc<ResultSetMetadata>> {
        self.metadata.clone()
    }
}
