//! Turning the parsed fields of a result file into the crate's [`Row`]s.

use std::sync::Arc;

use super::csv::RowSink;
use crate::row::{ResultSetMetadata, Row};

/// A [`RowSink`] that builds [`Row`]s, skipping the first `skip` data rows (those a
/// consumer already has, from page 1 of `GetQueryResults` or before a resume point).
pub(crate) struct RowBuilder {
    metadata: Arc<ResultSetMetadata>,
    values: Vec<Option<String>>,
    /// The number of the next data row in the whole result.
    row_number: u64,
    skip: u64,
    pub(crate) rows: Vec<Row>,
}

impl RowBuilder {
    /// Rows numbered from `row_number`, after skipping `skip` of them.
    pub(crate) fn new(metadata: Arc<ResultSetMetadata>, row_number: u64, skip: u64) -> Self {
        let columns = metadata.len();
        RowBuilder {
            metadata,
            values: Vec::with_capacity(columns),
            row_number,
            skip,
            rows: Vec::new(),
        }
    }

    /// The number of the next data row, and how many rows are still to be skipped.
    pub(crate) fn position(&self) -> (u64, u64) {
        (self.row_number, self.skip)
    }
}

impl RowSink for RowBuilder {
    type Error = std::convert::Infallible;

    fn field(&mut self, value: Option<&str>) -> Result<(), Self::Error> {
        if self.skip == 0 {
            self.values.push(value.map(str::to_owned));
        }
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), Self::Error> {
        if self.skip > 0 {
            self.skip -= 1;
        } else {
            let columns = self.metadata.len();
            let values = std::mem::replace(&mut self.values, Vec::with_capacity(columns));
            self.rows
                .push(Row::new(self.metadata.clone(), self.row_number, values));
        }
        self.row_number += 1;
        Ok(())
    }
}
