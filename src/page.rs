//! One page of a query's results, with where to resume after it.

use crate::row::Row;

/// One page of results, as one `GetQueryResults` call returned it (header row removed),
/// with where to resume after it.
#[derive(Debug, Clone)]
pub struct ResultPage {
    pub(crate) page_number: u64,
    pub(crate) token: Option<String>,
    pub(crate) next_token: Option<String>,
    pub(crate) rows: Vec<Row>,
}

impl ResultPage {
    /// 0-based number of this page among the pages its stream fetched.
    pub fn page_number(&self) -> u64 {
        self.page_number
    }

    /// The `NextToken` this page was fetched with (`None` for the first page).
    /// Resuming from it reads this page again.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The `NextToken` of the page after this one (`None` on the last page): resume from
    /// it with [`Athena::resume`](crate::Athena::resume) to continue after this page.
    pub fn next_token(&self) -> Option<&str> {
        self.next_token.as_deref()
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
