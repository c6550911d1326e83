//! Athena's text values straight into Arrow column builders, one row at a time,
//! without a `Row` in between.
//!
//! - [`BatchBuilder::push`] reads the next column's value of the current row (`None`
//!   is NULL, `Some("")` the empty string, distinct in the validity bitmap) as that
//!   column's type, exactly: a value out of its type's range (an integer overflow, a
//!   decimal with more digits than its precision or more fraction digits than its
//!   scale, a date or time that does not exist) is a [`ValueError`], never wrapped or
//!   rounded.
//! - [`BatchBuilder::end_row`] closes the row; a row with fewer values than columns
//!   is an error, and so is a value past the last column.
//! - [`BatchBuilder::finish`] hands out the rows pushed since the last `finish` as one
//!   `RecordBatch` of the plan's schema and starts again.
//!
//! This is the hot loop of the result-file path, so each column is one typed arrow-rs
//! builder in an enum (no `dyn ArrayBuilder`, no downcast per value), scalars are read
//! without allocating, and builders are sized from the previous batch.
//!
//! Every push appends exactly one slot to its column, whatever happens: a value that
//! fails is NULL in the batch (and the error says so to the caller). So the columns
//! always have as many slots as rows and `finish` cannot fail. Nested values keep the
//! same rule at every depth: an element that fails is NULL, and so is the array, map
//! or row holding it, except where Arrow forbids NULL (a map key), where a zero value
//! stands in; the parent being NULL, no reader sees it.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_schema::{Fields, TimeUnit};

use super::column::Column;
use super::schema::{BatchPlan, Kind};
use crate::error::Error;
use crate::value::{UNKNOWN, shorten};

/// Rows a builder is sized for before it has finished a batch (arrow-rs's own
/// default).
const FIRST_BATCH_ROWS: usize = 1024;

/// Text bytes a column's builder is sized for before it has finished a batch.
const FIRST_BATCH_TEXT: usize = 1024 * 16;

/// The most text one column of a batch may take: Arrow's `Utf8`, `Binary` and `List`
/// count their values with `i32` offsets (and arrow-rs's builders panic past them).
const MAX_COLUMN_TEXT: usize = i32::MAX as usize;

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
    /// One per column of the plan, in order.
    columns: Vec<ColumnState>,
    /// The column the next value of the current row goes to (past the last column
    /// when the row has too many values).
    next: usize,
    /// Rows ended since the last `finish`.
    rows: usize,
    /// About how many bytes the values pushed since the last `finish` take as arrays.
    bytes: usize,
}

/// One column being built, and what it counts towards [`BatchBuilder::bytes`].
struct ColumnState {
    values: Column,
    /// Bytes a value takes whatever its text: its width, or its offset.
    slot_bytes: usize,
    /// How a value's text adds to the bytes its column takes.
    text_cost: TextCost,
    /// Text bytes pushed since the last `finish`, where `text_cost` counts them: they
    /// size the next batch's buffers and guard Arrow's 32-bit offsets.
    text_bytes: usize,
}

/// How a value's text adds to its column's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextCost {
    /// Fixed width: the text adds nothing.
    None,
    /// Text kept as it is (and nested values, about).
    Full,
    /// Spaced hex: a byte for three characters.
    Hex,
}

impl ColumnState {
    fn new(kind: &Kind, rows: usize, text_bytes: usize) -> Self {
        let (slot_bytes, text_cost) = match kind {
            Kind::Boolean | Kind::Int8 => (1, TextCost::None),
            Kind::Int16 => (2, TextCost::None),
            Kind::Int32 | Kind::Float32 | Kind::Date => (4, TextCost::None),
            Kind::Int64 | Kind::Float64 | Kind::Timestamp(_) => (8, TextCost::None),
            Kind::Time(TimeUnit::Second | TimeUnit::Millisecond) => (4, TextCost::None),
            Kind::Time(_) => (8, TextCost::None),
            Kind::Decimal { .. } | Kind::Uuid => (16, TextCost::None),
            Kind::Binary => (4, TextCost::Hex),
            Kind::Text | Kind::Json | Kind::List(_) | Kind::Map(_) | Kind::Struct(_) => {
                (4, TextCost::Full)
            }
        };
        ColumnState {
            values: Column::new(kind, rows, text_bytes),
            slot_bytes,
            text_cost,
            text_bytes: 0,
        }
    }
}

impl std::fmt::Debug for BatchBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchBuilder")
            .field("columns", &self.columns.len())
            .field("rows", &self.rows)
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

impl BatchBuilder {
    /// An empty builder.
    pub(crate) fn new(plan: Arc<BatchPlan>) -> Self {
        let columns = plan
            .columns
            .iter()
            .map(|c| ColumnState::new(&c.kind, FIRST_BATCH_ROWS, FIRST_BATCH_TEXT))
            .collect();
        BatchBuilder {
            plan,
            columns,
            next: 0,
            rows: 0,
            bytes: 0,
        }
    }

    /// The next value of the current row: `None` is NULL.
    ///
    /// # Errors
    /// A [`ValueError`] when the text does not read as the column's type (the value is
    /// then NULL in the batch), or when the row already has a value for every column
    /// (the value is then dropped).
    #[inline]
    pub(crate) fn push(&mut self, value: Option<&str>) -> Result<(), ValueError> {
        let index = self.next;
        self.next += 1;
        let Some(state) = self.columns.get_mut(index) else {
            return Err(self.extra_value(index, value));
        };
        self.bytes += state.slot_bytes;
        let Some(text) = value else {
            state.values.append_null();
            return Ok(());
        };
        // Text as it is, most columns of most results: straight into its builder. Through
        // the general path below, the checks and calls around the copy made a result of
        // mostly text parse slower into batches than into rows (BENCHMARKS.md, "Columns").
        if let Column::Text(builder) = &mut state.values
            && state.text_bytes + text.len() <= MAX_COLUMN_TEXT
        {
            state.text_bytes += text.len();
            self.bytes += text.len();
            builder.append_value(text);
            return Ok(());
        }
        self.push_value(index, text)
    }

    /// The error of a value past the result's last column.
    #[cold]
    fn extra_value(&self, index: usize, value: Option<&str>) -> ValueError {
        ValueError {
            row: self.rows,
            column: index,
            text: value.map(shorten).unwrap_or_default(),
            message: format!(
                "the row has more values than the result's {} columns",
                self.columns.len()
            ),
        }
    }

    /// [`push`](Self::push) of a value (not NULL) to a column other than plain text, or
    /// to a text column past its 2 GiB (which fails).
    fn push_value(&mut self, index: usize, text: &str) -> Result<(), ValueError> {
        let Some(state) = self.columns.get_mut(index) else {
            return Err(self.extra_value(index, Some(text)));
        };
        let result = match state.text_cost {
            TextCost::None => state.values.append_scalar(text),
            cost => {
                if state.text_bytes + text.len() > MAX_COLUMN_TEXT {
                    state.values.append_null();
                    Err(
                        "the batch's values of this column pass 2 GiB, more than Arrow's \
                         32-bit offsets count: make batches smaller (BatchOptions::with_bytes)"
                            .into(),
                    )
                } else {
                    state.text_bytes += text.len();
                    self.bytes += if cost == TextCost::Hex {
                        text.len().div_ceil(3)
                    } else {
                        text.len()
                    };
                    let athena_type = self
                        .plan
                        .columns
                        .get(index)
                        .map_or(&UNKNOWN, |c| &c.athena_type);
                    state.values.append_value(text, athena_type)
                }
            }
        };
        result.map_err(|message| ValueError {
            row: self.rows,
            column: index,
            text: shorten(text),
            message: message.into_message(),
        })
    }

    /// The end of the current row.
    ///
    /// # Errors
    /// A [`ValueError`] when the row has fewer values than the result has columns; the
    /// row is kept, the missing values NULL.
    pub(crate) fn end_row(&mut self) -> Result<(), ValueError> {
        let pushed = self.next;
        let columns = self.columns.len();
        for state in self.columns.iter_mut().skip(pushed) {
            state.values.append_null();
            self.bytes += state.slot_bytes;
        }
        let row = self.rows;
        self.rows += 1;
        self.next = 0;
        if pushed < columns {
            return Err(ValueError {
                row,
                column: pushed,
                text: String::new(),
                message: format!(
                    "the row has {pushed} value{}, the result has {columns} columns",
                    if pushed == 1 { "" } else { "s" }
                ),
            });
        }
        Ok(())
    }

    /// The plan it builds to.
    #[cfg(test)]
    pub(crate) fn plan(&self) -> &Arc<BatchPlan> {
        &self.plan
    }

    /// Rows pushed since the last `finish`.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// About how many bytes the rows pushed since the last `finish` take as Arrow
    /// arrays (values, offsets and validity; what a byte limit on batches counts).
    pub(crate) fn bytes(&self) -> usize {
        self.bytes + (self.rows * self.columns.len()).div_ceil(8)
    }

    /// The rows pushed since the last `finish`, as one batch; the builder starts
    /// again, sized for a batch like this one.
    ///
    /// A row still open (values pushed, `end_row` not called) is closed first as
    /// `end_row` would, its missing values NULL.
    pub(crate) fn finish(&mut self) -> RecordBatch {
        if self.next > 0 {
            // Its error, a short row, was the caller's to see from `end_row`.
            let _ = self.end_row();
        }
        let rows = self.rows;
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .zip(&self.plan.columns)
            .map(|(state, plan)| {
                // The next batch is likely the size of this one; an empty one says
                // nothing about it.
                let (next_rows, next_text) = if rows == 0 {
                    (FIRST_BATCH_ROWS, FIRST_BATCH_TEXT)
                } else {
                    (rows, state.text_bytes)
                };
                let next = ColumnState::new(&plan.kind, next_rows, next_text);
                std::mem::replace(state, next).values.finish()
            })
            .collect();
        self.rows = 0;
        self.bytes = 0;
        // Every column has `rows` slots of its field's type (a push appends exactly one
        // slot, `end_row` pads a short row, and each column's builder is made from the
        // kind its field is made from), so the struct's checks hold.
        let columns = if arrays.is_empty() {
            StructArray::new_empty_fields(rows, None)
        } else {
            let fields: Fields = self.plan.schema.fields().clone();
            StructArray::new(fields, arrays, None)
        };
        RecordBatch::from(columns)
    }
}

#[cfg(test)]
mod tests {
    use arrow_array::Array;

    use super::*;
    use crate::columnar::BatchOptions;
    use crate::row::{ColumnInfo, ResultSetMetadata};

    /// Arrow's 32-bit offsets end at 2 GiB a column; arrow-rs's builders panic past
    /// them, the builder says so instead. (Set up without pushing 2 GiB.)
    #[test]
    fn a_column_past_2_gib_of_text_is_an_error_not_a_panic() {
        let metadata = ResultSetMetadata::new(vec![ColumnInfo::new("s", "varchar")]);
        let plan = BatchPlan::new(&metadata, &BatchOptions::new()).expect("a plan");
        let mut builder = BatchBuilder::new(plan);
        builder.columns[0].text_bytes = MAX_COLUMN_TEXT - 2;
        builder.push(Some("ab")).expect("up to the limit fits");
        builder.end_row().expect("a row");
        let e = builder.push(Some("c")).expect_err("past the limit");
        assert!(e.message.contains("2 GiB"), "{}", e.message);
        builder.end_row().expect("a row");
        let batch = builder.finish();
        assert_eq!(batch.num_rows(), 2);
        assert!(batch.column(0).is_valid(0) && batch.column(0).is_null(1));
    }
}
