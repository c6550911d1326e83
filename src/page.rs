//! One page of a query's results, with where to resume after it.

pub(crate) mod source;

use crate::row::Row;

/// Where a consumer that stopped after a page resumes: what
/// [`Athena::resume_from`](crate::Athena::resume_from) takes.
///
/// It is plain data (`Clone`, `Eq`, `Debug`, and serde's `Serialize`/`Deserialize`), so
/// a consumer can store it with its own progress and resume after a crash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum ResumeFrom {
    /// The `NextToken` of a page read through `GetQueryResults`.
    NextToken(String),
    /// A row boundary in the query's result file: the byte offset where the next row
    /// starts and that row's number among the data rows (0-based, header excluded).
    ResultFile {
        /// Byte offset in `<QueryExecutionId>.csv`.
        offset: u64,
        /// 0-based number of the row that starts there.
        row_number: u64,
    },
}

/// One page of results (header row removed), with where to resume after it: one
/// `GetQueryResults` call's rows, or the rows of one range of the result file.
#[derive(Debug, Clone)]
pub struct ResultPage {
    pub(crate) page_number: u64,
    pub(crate) token: Option<String>,
    /// Where the rows after this page start (`None` after the last API page).
    pub(crate) next: Option<ResumeFrom>,
    pub(crate) rows: Vec<Row>,
    /// The page's rows as Arrow batches instead, each with where to resume after it,
    /// when the stream was asked for batches and the source builds them itself (the
    /// result file); `rows` is then empty.
    #[cfg(feature = "arrow")]
    pub(crate) batches: Vec<PageBatch>,
}

/// What the pages of a stream hold: rows, or (feature `arrow`) Arrow batches where the
/// source can build them without rows in between.
#[derive(Debug, Clone, Default)]
pub(crate) enum Shape {
    /// [`Row`]s.
    #[default]
    Rows,
    /// Batches cut and typed by these options.
    #[cfg(feature = "arrow")]
    Batches(std::sync::Arc<crate::columnar::BatchOptions>),
}

/// One batch of a page, and where the rows after it start.
#[cfg(feature = "arrow")]
#[derive(Debug, Clone)]
pub(crate) struct PageBatch {
    pub(crate) batch: arrow_array::RecordBatch,
    /// Where the rows after this batch start.
    pub(crate) next: Option<ResumeFrom>,
}

impl ResultPage {
    /// A page of rows.
    pub(crate) fn of_rows(
        page_number: u64,
        token: Option<String>,
        next: Option<ResumeFrom>,
        rows: Vec<Row>,
    ) -> Self {
        ResultPage {
            page_number,
            token,
            next,
            rows,
            #[cfg(feature = "arrow")]
            batches: Vec::new(),
        }
    }

    /// 0-based number of this page among the pages its stream fetched.
    pub fn page_number(&self) -> u64 {
        self.page_number
    }

    /// The `NextToken` this page was fetched with (`None` for the first page, and for
    /// pages of the result file). Resuming from it reads this page again.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The `NextToken` of the page after this one: `None` on the last page and on pages
    /// of the result file. Resume from it with [`Athena::resume`](crate::Athena::resume)
    /// to continue after this page.
    pub fn next_token(&self) -> Option<&str> {
        match &self.next {
            Some(ResumeFrom::NextToken(token)) => Some(token),
            _ => None,
        }
    }

    /// Where to resume to continue after this page, whichever way it was read: `None`
    /// only after the last page of the `GetQueryResults` path. (A result-file page
    /// always says where the next row starts; at the end of the file, resuming reads
    /// nothing more.)
    pub fn resume_from(&self) -> Option<&ResumeFrom> {
        self.next.as_ref()
    }

    /// The data rows.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The data rows, taken out of the page.
    pub fn into_rows(self) -> Vec<Row> {
        self.rows
    }
}
