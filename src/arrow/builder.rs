//! Athena's text values straight into Arrow column builders, one row at a time,
//! without a `Row` in between.
//!
//! CONTRACT (skeleton, to be implemented):
//! - `push(value)` reads the next column's value of the current row (`None` is NULL,
//!   `Some("")` the empty string, distinct in the validity bitmap) as that column's
//!   type, exactly: a value out of its type's range (an integer overflow, a decimal
//!   with more digits than its precision or more fraction digits than its scale, a date
//!   or time that does not exist) is a [`ValueError`], never wrapped or rounded.
//! - `end_row()` closes the row; a row with fewer values than columns is an error.
//! - `finish()` hands out the rows pushed since the last `finish` as one `RecordBatch`
//!   of the plan's schema and starts again.

use std::sync::Arc;

use arrow_array::RecordBatch;

use super::schema::BatchPlan;
use crate::error::Error;

/// A value that did not read as its column's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValueError {
    /// The row, counted from the first row pushed since the last `finish` (0-based).
    pub(crate) row: usize,
    /// The column's index.
    pub(crate) column: usize,
    /// The text (shortened when very long).
    pub(crate) text: String,
    /// Why it failed.
    pub(crate) message: String,
}

impl ValueError {
    /// As the row path reports it ([`Error::Decode`]), the batch's first row being
    /// row `first_row_number` of the result.
    pub(crate) fn into_error(self, plan: &BatchPlan, first_row_number: u64) -> Error {
        let column = plan.columns.get(self.column);
        Error::Decode {
            row_number: first_row_number + self.row as u64,
            column: column.map_or_else(|| self.column.to_string(), |c| c.name.clone()),
            athena_type: column.map_or_else(String::new, |c| c.type_name.clone()),
            text: self.text,
            message: self.message,
        }
    }
}

/// Builds batches of a plan's schema from text values.
pub(crate) struct BatchBuilder {
    plan: Arc<BatchPlan>,
}

impl std::fmt::Debug for BatchBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchBuilder").finish_non_exhaustive()
    }
}

impl BatchBuilder {
    /// An empty builder.
    pub(crate) fn new(plan: Arc<BatchPlan>) -> Self {
        BatchBuilder { plan }
    }

    /// The plan it builds to.
    pub(crate) fn plan(&self) -> &Arc<BatchPlan> {
        &self.plan
    }

    /// The next value of the current row.
    pub(crate) fn push(&mut self, value: Option<&str>) -> Result<(), ValueError> {
        let _ = value;
        Ok(())
    }

    /// The end of the current row.
    pub(crate) fn end_row(&mut self) -> Result<(), ValueError> {
        Ok(())
    }

    /// Rows pushed since the last `finish`.
    pub(crate) fn rows(&self) -> usize {
        0
    }

    /// About how many bytes the rows pushed since the last `finish` take as Arrow
    /// arrays (values and offsets; what a byte limit on batches counts).
    pub(crate) fn bytes(&self) -> usize {
        0
    }

    /// The rows pushed since the last `finish`, as one batch.
    pub(crate) fn finish(&mut self) -> RecordBatch {
        RecordBatch::new_empty(self.plan.schema.clone())
    }
}
