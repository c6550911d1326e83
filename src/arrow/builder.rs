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

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Date32Builder, Decimal128Builder, FixedSizeBinaryBuilder,
    Float32Builder, Float64Builder, Int8Builder, Int16Builder, Int32Builder, Int64Builder,
    NullBufferBuilder, OffsetBufferBuilder, PrimitiveBuilder, StringBuilder,
    Time32MillisecondBuilder, Time32SecondBuilder, Time64MicrosecondBuilder,
    Time64NanosecondBuilder, TimestampMicrosecondBuilder, TimestampMillisecondBuilder,
    TimestampNanosecondBuilder, TimestampSecondBuilder,
};
use arrow_array::types::ArrowPrimitiveType;
use arrow_array::{ArrayRef, ListArray, MapArray, RecordBatch, StructArray};
use arrow_schema::{FieldRef, Fields, TimeUnit};

use super::native::{
    parse_date32, parse_decimal128, parse_time_of_day, parse_timestamp, parse_uuid,
};
use super::schema::{BatchPlan, Kind, LIST_ITEM, map_entries, map_entry_fields, struct_fields};
use crate::error::Error;
use crate::value::notation::{Node, parse_node};
use crate::value::scalars::{
    parse_bool, parse_double, parse_int, parse_real, parse_varbinary_into,
};
use crate::value::{AthenaType, ParseError, UNKNOWN, shorten};

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
    pub(crate) fn push(&mut self, value: Option<&str>) -> Result<(), ValueError> {
        let index = self.next;
        self.next += 1;
        let Some(state) = self.columns.get_mut(index) else {
            return Err(ValueError {
                row: self.rows,
                column: index,
                text: value.map(shorten).unwrap_or_default(),
                message: format!(
                    "the row has more values than the result's {} columns",
                    self.columns.len()
                ),
            });
        };
        self.bytes += state.slot_bytes;
        let Some(text) = value else {
            state.values.append_null();
            return Ok(());
        };
        let result = match state.text_cost {
            TextCost::None => state.values.append_scalar(text),
            cost => {
                if state.text_bytes + text.len() > MAX_COLUMN_TEXT {
                    state.values.append_null();
                    Err(
                        "the batch's values of this column pass 2 GiB, more than Arrow's \
                         32-bit offsets count: make batches smaller (BatchOptions::with_bytes)"
                            .to_owned(),
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
            message,
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

/// One column, or one part of a nested column: a typed arrow-rs builder per
/// [`Kind`], or the offsets, validity and children of a nested one.
enum Column {
    Boolean(BooleanBuilder),
    Int8(Int8Builder),
    Int16(Int16Builder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float32(Float32Builder),
    Float64(Float64Builder),
    Decimal {
        builder: Decimal128Builder,
        precision: u8,
        scale: u8,
    },
    Text(StringBuilder),
    Binary {
        builder: BinaryBuilder,
        /// The bytes of the value being read, reused from value to value.
        scratch: Vec<u8>,
    },
    Uuid(FixedSizeBinaryBuilder),
    Date(Date32Builder),
    TimeSecond(Time32SecondBuilder),
    TimeMillisecond(Time32MillisecondBuilder),
    TimeMicrosecond(Time64MicrosecondBuilder),
    TimeNanosecond(Time64NanosecondBuilder),
    TimestampSecond(TimestampSecondBuilder),
    TimestampMillisecond(TimestampMillisecondBuilder),
    TimestampMicrosecond(TimestampMicrosecondBuilder),
    TimestampNanosecond(TimestampNanosecondBuilder),
    List(Box<ListColumn>),
    Map(Box<MapColumn>),
    Struct(Box<StructColumn>),
}

/// An `array` column: offsets into its elements.
struct ListColumn {
    item: FieldRef,
    offsets: OffsetBufferBuilder<i32>,
    nulls: NullBufferBuilder,
    items: Column,
}

/// A `map` column: offsets into its entries, a struct of keys and values.
struct MapColumn {
    entries: FieldRef,
    entry_fields: Fields,
    offsets: OffsetBufferBuilder<i32>,
    nulls: NullBufferBuilder,
    keys: Column,
    values: Column,
}

/// A `row` column: one child per field.
struct StructColumn {
    fields: Fields,
    nulls: NullBufferBuilder,
    children: Vec<Column>,
    len: usize,
}

/// A value read into its column, or why its text did not read.
type Read = Result<(), String>;

/// Appends `value` when it read, nothing when it did not.
fn append<T: ArrowPrimitiveType>(
    builder: &mut PrimitiveBuilder<T>,
    value: Result<T::Native, String>,
) -> Read {
    builder.append_value(value?);
    Ok(())
}

/// A row path message.
fn message(e: ParseError) -> String {
    e.message().to_owned()
}

/// A time of day in a 32-bit unit (seconds, milliseconds: a day's fit).
fn time32(text: &str, unit: TimeUnit) -> Result<i32, String> {
    let value = parse_time_of_day(text, unit)?;
    i32::try_from(value).map_err(|_| "not a time of day".to_owned())
}

impl Column {
    /// An empty column of `kind`, sized for `rows` values and `text` bytes of text.
    fn new(kind: &Kind, rows: usize, text: usize) -> Column {
        match kind {
            Kind::Boolean => Column::Boolean(BooleanBuilder::with_capacity(rows)),
            Kind::Int8 => Column::Int8(Int8Builder::with_capacity(rows)),
            Kind::Int16 => Column::Int16(Int16Builder::with_capacity(rows)),
            Kind::Int32 => Column::Int32(Int32Builder::with_capacity(rows)),
            Kind::Int64 => Column::Int64(Int64Builder::with_capacity(rows)),
            Kind::Float32 => Column::Float32(Float32Builder::with_capacity(rows)),
            Kind::Float64 => Column::Float64(Float64Builder::with_capacity(rows)),
            Kind::Decimal { precision, scale } => Column::Decimal {
                builder: Decimal128Builder::with_capacity(rows).with_data_type(kind.data_type()),
                precision: *precision,
                scale: *scale,
            },
            Kind::Text | Kind::Json => Column::Text(StringBuilder::with_capacity(rows, text)),
            Kind::Binary => Column::Binary {
                builder: BinaryBuilder::with_capacity(rows, text.div_ceil(3)),
                scratch: Vec::new(),
            },
            Kind::Uuid => Column::Uuid(FixedSizeBinaryBuilder::with_capacity(rows, 16)),
            Kind::Date => Column::Date(Date32Builder::with_capacity(rows)),
            Kind::Time(TimeUnit::Second) => {
                Column::TimeSecond(Time32SecondBuilder::with_capacity(rows))
            }
            Kind::Time(TimeUnit::Millisecond) => {
                Column::TimeMillisecond(Time32MillisecondBuilder::with_capacity(rows))
            }
            Kind::Time(TimeUnit::Microsecond) => {
                Column::TimeMicrosecond(Time64MicrosecondBuilder::with_capacity(rows))
            }
            Kind::Time(TimeUnit::Nanosecond) => {
                Column::TimeNanosecond(Time64NanosecondBuilder::with_capacity(rows))
            }
            Kind::Timestamp(TimeUnit::Second) => {
                Column::TimestampSecond(TimestampSecondBuilder::with_capacity(rows))
            }
            Kind::Timestamp(TimeUnit::Millisecond) => {
                Column::TimestampMillisecond(TimestampMillisecondBuilder::with_capacity(rows))
            }
            Kind::Timestamp(TimeUnit::Microsecond) => {
                Column::TimestampMicrosecond(TimestampMicrosecondBuilder::with_capacity(rows))
            }
            Kind::Timestamp(TimeUnit::Nanosecond) => {
                Column::TimestampNanosecond(TimestampNanosecondBuilder::with_capacity(rows))
            }
            // A nested column's children are sized by its text: an element takes at
            // least a character and its separator.
            Kind::List(item) => Column::List(Box::new(ListColumn {
                item: Arc::new(item.field(LIST_ITEM, true)),
                offsets: OffsetBufferBuilder::new(rows),
                nulls: NullBufferBuilder::new(rows),
                items: Column::new(item, rows, text),
            })),
            Kind::Map(kv) => Column::Map(Box::new(MapColumn {
                entries: Arc::new(map_entries(&kv.0, &kv.1)),
                entry_fields: map_entry_fields(&kv.0, &kv.1),
                offsets: OffsetBufferBuilder::new(rows),
                nulls: NullBufferBuilder::new(rows),
                keys: Column::new(&kv.0, rows, text / 2),
                values: Column::new(&kv.1, rows, text / 2),
            })),
            Kind::Struct(fields) => Column::Struct(Box::new(StructColumn {
                fields: struct_fields(fields),
                nulls: NullBufferBuilder::new(rows),
                children: fields
                    .iter()
                    .map(|(_, kind)| Column::new(kind, rows, text / fields.len().max(1)))
                    .collect(),
                len: 0,
            })),
        }
    }

    /// Whether the empty text is a value of this column (else it is an error).
    fn takes_empty_text(&self) -> bool {
        matches!(self, Column::Text(_) | Column::Binary { .. })
    }

    /// The Athena type this column reads, with its article, for messages.
    fn athena_name(&self) -> String {
        match self {
            Column::Boolean(_) => "a boolean".to_owned(),
            Column::Int8(_) => "a tinyint".to_owned(),
            Column::Int16(_) => "a smallint".to_owned(),
            Column::Int32(_) => "an integer".to_owned(),
            Column::Int64(_) => "a bigint".to_owned(),
            Column::Float32(_) => "a real".to_owned(),
            Column::Float64(_) => "a double".to_owned(),
            Column::Decimal {
                precision, scale, ..
            } => format!("a decimal({precision},{scale})"),
            Column::Text(_) => "a varchar".to_owned(),
            Column::Binary { .. } => "a varbinary".to_owned(),
            Column::Uuid(_) => "a uuid".to_owned(),
            Column::Date(_) => "a date".to_owned(),
            Column::TimeSecond(_)
            | Column::TimeMillisecond(_)
            | Column::TimeMicrosecond(_)
            | Column::TimeNanosecond(_) => "a time".to_owned(),
            Column::TimestampSecond(_)
            | Column::TimestampMillisecond(_)
            | Column::TimestampMicrosecond(_)
            | Column::TimestampNanosecond(_) => "a timestamp".to_owned(),
            Column::List(_) => "an array".to_owned(),
            Column::Map(_) => "a map".to_owned(),
            Column::Struct(_) => "a row".to_owned(),
        }
    }

    /// Appends a column's value (not NULL), nested values included: exactly one slot,
    /// NULL when the text does not read.
    fn append_value(&mut self, text: &str, athena_type: &AthenaType) -> Read {
        if !matches!(self, Column::List(_) | Column::Map(_) | Column::Struct(_)) {
            return self.append_scalar(text);
        }
        if text.is_empty() {
            self.append_null();
            return Err(format!("empty text is not {}", self.athena_name()));
        }
        match parse_node(text, athena_type, 0) {
            Ok(node) => self.append_node(&node, false),
            Err(e) => {
                self.append_null();
                Err(message(e))
            }
        }
    }

    /// Appends a scalar's text: exactly one slot, NULL when the text does not read.
    fn append_scalar(&mut self, text: &str) -> Read {
        let read = self.read_scalar(text);
        if read.is_err() {
            self.append_null();
        }
        read
    }

    /// Reads a scalar's text into the column: one slot when it reads, none when not.
    fn read_scalar(&mut self, text: &str) -> Read {
        if text.is_empty() && !self.takes_empty_text() {
            return Err(format!("empty text is not {}", self.athena_name()));
        }
        match self {
            Column::Boolean(b) => b.append_value(parse_bool(text).map_err(message)?),
            Column::Int8(b) => append(b, parse_int(text).map_err(message))?,
            Column::Int16(b) => append(b, parse_int(text).map_err(message))?,
            Column::Int32(b) => append(b, parse_int(text).map_err(message))?,
            Column::Int64(b) => append(b, parse_int(text).map_err(message))?,
            Column::Float32(b) => append(b, parse_real(text).map_err(message))?,
            Column::Float64(b) => append(b, parse_double(text).map_err(message))?,
            Column::Decimal {
                builder,
                precision,
                scale,
            } => append(builder, parse_decimal128(text, *precision, *scale))?,
            Column::Text(b) => b.append_value(text),
            Column::Binary { builder, scratch } => {
                parse_varbinary_into(text, scratch).map_err(message)?;
                builder.append_value(&scratch[..]);
            }
            Column::Uuid(b) => b
                .append_value(parse_uuid(text)?)
                .map_err(|e| e.to_string())?,
            Column::Date(b) => append(b, parse_date32(text))?,
            Column::TimeSecond(b) => append(b, time32(text, TimeUnit::Second))?,
            Column::TimeMillisecond(b) => append(b, time32(text, TimeUnit::Millisecond))?,
            Column::TimeMicrosecond(b) => {
                append(b, parse_time_of_day(text, TimeUnit::Microsecond))?
            }
            Column::TimeNanosecond(b) => append(b, parse_time_of_day(text, TimeUnit::Nanosecond))?,
            Column::TimestampSecond(b) => append(b, parse_timestamp(text, TimeUnit::Second))?,
            Column::TimestampMillisecond(b) => {
                append(b, parse_timestamp(text, TimeUnit::Millisecond))?
            }
            Column::TimestampMicrosecond(b) => {
                append(b, parse_timestamp(text, TimeUnit::Microsecond))?
            }
            Column::TimestampNanosecond(b) => {
                append(b, parse_timestamp(text, TimeUnit::Nanosecond))?
            }
            Column::List(_) | Column::Map(_) | Column::Struct(_) => {
                return Err(format!(
                    "{} is not read from a scalar's text",
                    self.athena_name()
                ));
            }
        }
        Ok(())
    }

    /// Appends one part of a parsed nested value: exactly one slot. A part that fails
    /// is NULL, or, where `required` (a map key, which Arrow never lets be NULL), a
    /// zero value; the caller makes the value holding it NULL.
    fn append_node(&mut self, node: &Node<'_>, required: bool) -> Read {
        let result = match (&mut *self, node) {
            (_, Node::Null) if required => Err("a map key is NULL".to_owned()),
            (_, Node::Null) => {
                self.append_null();
                return Ok(());
            }
            (Column::List(list), Node::Array(_, items)) => return list.append(items, required),
            (Column::Map(map), Node::Map(_, entries)) => return map.append(entries, required),
            (Column::Struct(row), Node::Row(_, fields)) => return row.append(fields, required),
            // Text keeps whatever was written, nested or not.
            (Column::Text(b), node) => {
                b.append_value(node.raw());
                return Ok(());
            }
            (_, Node::Text(text)) => self.read_scalar(text),
            (_, node) => Err(format!(
                "{:?} is not {}",
                shorten(node.raw()),
                self.athena_name()
            )),
        };
        if result.is_err() {
            if required {
                self.append_zero();
            } else {
                self.append_null();
            }
        }
        result
    }

    /// Appends a NULL slot.
    fn append_null(&mut self) {
        match self {
            Column::Boolean(b) => b.append_null(),
            Column::Int8(b) => b.append_null(),
            Column::Int16(b) => b.append_null(),
            Column::Int32(b) => b.append_null(),
            Column::Int64(b) => b.append_null(),
            Column::Float32(b) => b.append_null(),
            Column::Float64(b) => b.append_null(),
            Column::Decimal { builder, .. } => builder.append_null(),
            Column::Text(b) => b.append_null(),
            Column::Binary { builder, .. } => builder.append_null(),
            Column::Uuid(b) => b.append_null(),
            Column::Date(b) => b.append_null(),
            Column::TimeSecond(b) => b.append_null(),
            Column::TimeMillisecond(b) => b.append_null(),
            Column::TimeMicrosecond(b) => b.append_null(),
            Column::TimeNanosecond(b) => b.append_null(),
            Column::TimestampSecond(b) => b.append_null(),
            Column::TimestampMillisecond(b) => b.append_null(),
            Column::TimestampMicrosecond(b) => b.append_null(),
            Column::TimestampNanosecond(b) => b.append_null(),
            Column::List(list) => {
                list.offsets.push_length(0);
                list.nulls.append_null();
            }
            Column::Map(map) => {
                map.offsets.push_length(0);
                map.nulls.append_null();
            }
            Column::Struct(row) => {
                for child in &mut row.children {
                    child.append_null();
                }
                row.nulls.append_null();
                row.len += 1;
            }
        }
    }

    /// Appends a valid zero value (false, 0, empty, a row of NULLs): the stand-in for a
    /// map key that failed, under a map that is NULL.
    fn append_zero(&mut self) {
        match self {
            Column::Boolean(b) => b.append_value(false),
            Column::Int8(b) => b.append_value(0),
            Column::Int16(b) => b.append_value(0),
            Column::Int32(b) => b.append_value(0),
            Column::Int64(b) => b.append_value(0),
            Column::Float32(b) => b.append_value(0.0),
            Column::Float64(b) => b.append_value(0.0),
            Column::Decimal { builder, .. } => builder.append_value(0),
            Column::Text(b) => b.append_value(""),
            Column::Binary { builder, .. } => builder.append_value(b""),
            Column::Uuid(b) => {
                // The width is 16, so this cannot fail; if it did, a NULL keeps the
                // column's length right.
                if b.append_value([0u8; 16]).is_err() {
                    b.append_null();
                }
            }
            Column::Date(b) => b.append_value(0),
            Column::TimeSecond(b) => b.append_value(0),
            Column::TimeMillisecond(b) => b.append_value(0),
            Column::TimeMicrosecond(b) => b.append_value(0),
            Column::TimeNanosecond(b) => b.append_value(0),
            Column::TimestampSecond(b) => b.append_value(0),
            Column::TimestampMillisecond(b) => b.append_value(0),
            Column::TimestampMicrosecond(b) => b.append_value(0),
            Column::TimestampNanosecond(b) => b.append_value(0),
            Column::List(list) => {
                list.offsets.push_length(0);
                list.nulls.append_non_null();
            }
            Column::Map(map) => {
                map.offsets.push_length(0);
                map.nulls.append_non_null();
            }
            Column::Struct(row) => {
                for child in &mut row.children {
                    child.append_null();
                }
                row.nulls.append_non_null();
                row.len += 1;
            }
        }
    }

    /// The column as an array.
    fn finish(self) -> ArrayRef {
        match self {
            Column::Boolean(mut b) => Arc::new(b.finish()),
            Column::Int8(mut b) => Arc::new(b.finish()),
            Column::Int16(mut b) => Arc::new(b.finish()),
            Column::Int32(mut b) => Arc::new(b.finish()),
            Column::Int64(mut b) => Arc::new(b.finish()),
            Column::Float32(mut b) => Arc::new(b.finish()),
            Column::Float64(mut b) => Arc::new(b.finish()),
            Column::Decimal { mut builder, .. } => Arc::new(builder.finish()),
            Column::Text(mut b) => Arc::new(b.finish()),
            Column::Binary { mut builder, .. } => Arc::new(builder.finish()),
            Column::Uuid(mut b) => Arc::new(b.finish()),
            Column::Date(mut b) => Arc::new(b.finish()),
            Column::TimeSecond(mut b) => Arc::new(b.finish()),
            Column::TimeMillisecond(mut b) => Arc::new(b.finish()),
            Column::TimeMicrosecond(mut b) => Arc::new(b.finish()),
            Column::TimeNanosecond(mut b) => Arc::new(b.finish()),
            Column::TimestampSecond(mut b) => Arc::new(b.finish()),
            Column::TimestampMillisecond(mut b) => Arc::new(b.finish()),
            Column::TimestampMicrosecond(mut b) => Arc::new(b.finish()),
            Column::TimestampNanosecond(mut b) => Arc::new(b.finish()),
            Column::List(list) => {
                let ListColumn {
                    item,
                    offsets,
                    mut nulls,
                    items,
                } = *list;
                // Offsets count the items appended (one slot each), so they end at the
                // items' length.
                Arc::new(ListArray::new(
                    item,
                    offsets.finish(),
                    items.finish(),
                    nulls.finish(),
                ))
            }
            Column::Map(map) => {
                let MapColumn {
                    entries,
                    entry_fields,
                    offsets,
                    mut nulls,
                    keys,
                    values,
                } = *map;
                // Keys and values get one slot per entry each, and keys are never NULL
                // (a key that fails is a zero value).
                let entries_array =
                    StructArray::new(entry_fields, vec![keys.finish(), values.finish()], None);
                Arc::new(MapArray::new(
                    entries,
                    offsets.finish(),
                    entries_array,
                    nulls.finish(),
                    false,
                ))
            }
            Column::Struct(row) => {
                let StructColumn {
                    fields,
                    mut nulls,
                    children,
                    len,
                } = *row;
                if fields.is_empty() {
                    return Arc::new(StructArray::new_empty_fields(len, nulls.finish()));
                }
                // Every child gets one slot per row.
                let children = children.into_iter().map(Column::finish).collect();
                Arc::new(StructArray::new(fields, children, nulls.finish()))
            }
        }
    }
}

/// Marks the slot just appended to a nested column valid, or NULL when a part failed
/// (valid all the same where `required`: its NULL parts stand in).
fn close_slot(nulls: &mut NullBufferBuilder, failed: bool, required: bool) {
    if failed && !required {
        nulls.append_null();
    } else {
        nulls.append_non_null();
    }
}

impl ListColumn {
    /// Appends an array's elements, and the array.
    fn append(&mut self, items: &[Node<'_>], required: bool) -> Read {
        let mut first_error = None;
        for (i, item) in items.iter().enumerate() {
            if let Err(e) = self.items.append_node(item, false) {
                first_error.get_or_insert_with(|| format!("element {i}: {e}"));
            }
        }
        self.offsets.push_length(items.len());
        close_slot(&mut self.nulls, first_error.is_some(), required);
        first_error.map_or(Ok(()), Err)
    }
}

impl MapColumn {
    /// Appends a map's entries, and the map.
    fn append(&mut self, entries: &[(Node<'_>, Node<'_>)], required: bool) -> Read {
        let mut first_error = None;
        for (i, (key, value)) in entries.iter().enumerate() {
            if let Err(e) = self.keys.append_node(key, true) {
                first_error.get_or_insert_with(|| format!("key of entry {i}: {e}"));
            }
            if let Err(e) = self.values.append_node(value, false) {
                first_error
                    .get_or_insert_with(|| format!("value of key {:?}: {e}", shorten(key.raw())));
            }
        }
        self.offsets.push_length(entries.len());
        close_slot(&mut self.nulls, first_error.is_some(), required);
        first_error.map_or(Ok(()), Err)
    }
}

impl StructColumn {
    /// Appends a row's fields, and the row.
    fn append(&mut self, values: &[(Option<&str>, Node<'_>)], required: bool) -> Read {
        let mut first_error = None;
        for (i, child) in self.children.iter_mut().enumerate() {
            let name = self.fields.get(i).map_or("", |f| f.name().as_str());
            match values.get(i) {
                Some((_, value)) => {
                    if let Err(e) = child.append_node(value, false) {
                        first_error.get_or_insert_with(|| format!("field {name}: {e}"));
                    }
                }
                // A row parsed with its type has every field; this keeps the
                // children's lengths equal should one be missing.
                None => {
                    child.append_null();
                    first_error.get_or_insert_with(|| format!("field {name} is missing"));
                }
            }
        }
        if values.len() > self.children.len() {
            first_error.get_or_insert_with(|| {
                format!(
                    "the row has {} fields, its type {}",
                    values.len(),
                    self.children.len()
                )
            });
        }
        self.len += 1;
        close_slot(&mut self.nulls, first_error.is_some(), required);
        first_error.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use arrow_array::Array;

    use super::*;
    use crate::arrow::BatchOptions;
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
