//! One column being built (or one part of a nested column): a typed arrow-rs builder
//! per kind, or the offsets, validity and children of an `array`, `map` or `row`, and
//! how Athena's text of a value (scalar or nested) is appended to it. The batch around
//! these columns is `super::builder`.

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
use arrow_array::{ArrayRef, ListArray, MapArray, StructArray};
use arrow_schema::{FieldRef, Fields, TimeUnit};

use super::native::{
    parse_date32, parse_decimal128, parse_time_of_day, parse_timestamp, parse_uuid,
};
use super::schema::{Kind, LIST_ITEM, map_entries, map_entry_fields, struct_fields};
use crate::value::notation::{Node, parse_node};
use crate::value::scalars::{
    parse_bool, parse_double, parse_int, parse_real, parse_varbinary_into,
};
use crate::value::{AthenaType, ParseError, shorten};

/// One column, or one part of a nested column: a typed arrow-rs builder per
/// [`Kind`], or the offsets, validity and children of a nested one.
pub(super) enum Column {
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
pub(super) struct ListColumn {
    item: FieldRef,
    offsets: OffsetBufferBuilder<i32>,
    nulls: NullBufferBuilder,
    items: Column,
}

/// A `map` column: offsets into its entries, a struct of keys and values.
pub(super) struct MapColumn {
    entries: FieldRef,
    entry_fields: Fields,
    offsets: OffsetBufferBuilder<i32>,
    nulls: NullBufferBuilder,
    keys: Column,
    values: Column,
}

/// A `row` column: one child per field.
pub(super) struct StructColumn {
    fields: Fields,
    nulls: NullBufferBuilder,
    children: Vec<Column>,
    len: usize,
}

/// A value read into its column, or why its text did not read.
pub(super) type Read = Result<(), Failure>;

/// Why a value's text did not read: a message for [`super::builder::ValueError`].
///
/// A boxed `str` so that a [`Read`] is two words, returned in registers. As a
/// `Result<(), String>` (three words, returned through memory) the result of every
/// value appended was written and read back through the stack, where a `perf
/// annotate` of the `parse_csv/batches` bench put most of its samples (BENCHMARKS.md,
/// "Columns", has the bench before and after this and the text path of `push`).
pub(super) struct Failure(Box<str>);

impl Failure {
    /// The message.
    pub(super) fn into_message(self) -> String {
        self.0.into_string()
    }
}

impl From<String> for Failure {
    #[cold]
    fn from(message: String) -> Self {
        Failure(message.into_boxed_str())
    }
}

impl From<&str> for Failure {
    #[cold]
    fn from(message: &str) -> Self {
        Failure(message.into())
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Appends `value` when it read, nothing when it did not.
fn append<T: ArrowPrimitiveType>(
    builder: &mut PrimitiveBuilder<T>,
    value: Result<T::Native, String>,
) -> Read {
    builder.append_value(value?);
    Ok(())
}

/// A row path message.
#[inline]
fn message(e: ParseError) -> String {
    e.message().to_owned()
}

/// A time of day in a 32-bit unit (seconds, milliseconds: a day's fit).
#[inline]
fn time32(text: &str, unit: TimeUnit) -> Result<i32, String> {
    let value = parse_time_of_day(text, unit)?;
    i32::try_from(value).map_err(|_| "not a time of day".to_owned())
}

impl Column {
    /// An empty column of `kind`, sized for `rows` values and `text` bytes of text.
    pub(super) fn new(kind: &Kind, rows: usize, text: usize) -> Column {
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
    #[inline]
    pub(super) fn takes_empty_text(&self) -> bool {
        matches!(self, Column::Text(_) | Column::Binary { .. })
    }

    /// The Athena type this column reads, with its article, for messages.
    pub(super) fn athena_name(&self) -> String {
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
    #[inline]
    pub(super) fn append_value(&mut self, text: &str, athena_type: &AthenaType) -> Read {
        if !matches!(self, Column::List(_) | Column::Map(_) | Column::Struct(_)) {
            return self.append_scalar(text);
        }
        if text.is_empty() {
            self.append_null();
            return Err(format!("empty text is not {}", self.athena_name()).into());
        }
        match parse_node(text, athena_type, 0) {
            Ok(node) => self.append_node(&node, false),
            Err(e) => {
                self.append_null();
                Err(message(e).into())
            }
        }
    }

    /// Appends a scalar's text: exactly one slot, NULL when the text does not read.
    #[inline]
    pub(super) fn append_scalar(&mut self, text: &str) -> Read {
        let read = self.read_scalar(text);
        if read.is_err() {
            self.append_null();
        }
        read
    }

    /// Reads a scalar's text into the column: one slot when it reads, none when not.
    #[inline]
    fn read_scalar(&mut self, text: &str) -> Read {
        if text.is_empty() && !self.takes_empty_text() {
            return Err(format!("empty text is not {}", self.athena_name()).into());
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
                return Err(
                    format!("{} is not read from a scalar's text", self.athena_name()).into(),
                );
            }
        }
        Ok(())
    }

    /// Appends one part of a parsed nested value: exactly one slot. A part that fails
    /// is NULL, or, where `required` (a map key, which Arrow never lets be NULL), a
    /// zero value; the caller makes the value holding it NULL.
    fn append_node(&mut self, node: &Node<'_>, required: bool) -> Read {
        let result = match (&mut *self, node) {
            (_, Node::Null) if required => Err("a map key is NULL".into()),
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
            (_, node) => {
                Err(format!("{:?} is not {}", shorten(node.raw()), self.athena_name()).into())
            }
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
    #[inline]
    pub(super) fn append_null(&mut self) {
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
    pub(super) fn finish(self) -> ArrayRef {
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
        first_error.map_or(Ok(()), |e| Err(e.into()))
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
        first_error.map_or(Ok(()), |e| Err(e.into()))
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
        first_error.map_or(Ok(()), |e| Err(e.into()))
    }
}
