//! The Arrow arrays the `parquet` crate decodes, as the Arrow types the rest of the
//! crate gives Athena's types ([`crate::arrow`]), without text in between.
//!
//! Most arrays are handed on as they are (the same buffers): the Arrow type Parquet
//! gives a column of an Athena file is already the one its Athena type maps to
//! (`integer` Int32, `decimal(p,s)` Decimal128(p,s), `varchar` Utf8, `date` Date32,
//! `timestamp(6)` Timestamp(µs), arrays, maps and rows as List, Map and Struct, ...).
//! The others are converted, exactly:
//!
//! | Parquet's Arrow type | Becomes | How |
//! |---|---|---|
//! | Timestamp from INT96, read at µs ([`super::shard`]) | Timestamp(ms): `timestamp(3)`, as Athena reads INT96 | exact: a value with digits below the millisecond is an error, never rounded |
//! | `UInt8`, `UInt16`, `UInt32` | `Int16`, `Int32`, `Int64` | widened |
//! | `UInt64` | `Decimal128(20, 0)` | widened |
//! | `Float16` | `Float32` | widened |
//! | `Decimal32`, `Decimal64`, `Decimal256(p ≤ 38)` | `Decimal128` of the same p, s | widened; a Decimal256 value beyond 128 bits is an error |
//! | `LargeUtf8`, `Utf8View` | `Utf8` | copied; more than 2 GiB of text in one batch is an error |
//! | `LargeBinary`, `BinaryView`, `FixedSizeBinary` | `Binary` | copied, likewise |
//! | `Date64` | `Date32` | exact: a value that is not a whole day is an error |
//! | `LargeList`, `FixedSizeList` | `List` | offsets rebuilt |
//! | `Dictionary` of `T` (a top-level column) | as `T` | unpacked |
//!
//! Kept as Parquet gives them, where the crate's mapping of the Athena type would say
//! less (Athena's UNLOAD writes none of these: docs/athena.md, "UNLOAD and data
//! manifests"): `Decimal256(p > 38)` (no Decimal128 holds it), `Timestamp` with a time
//! zone (the mapping has only Athena's text for `timestamp with time zone`), `Time32` /
//! `Time64`, and `Null` (Parquet's UNKNOWN, every value NULL).
//!
//! Nested fields keep the names and nullability the file gives them (Parquet's
//! `element` of a list, `key_value` with `key` and `value` of a map, a row's field
//! names); field metadata (Parquet field ids) is dropped, so that every batch of every
//! file of an UNLOAD has the same schema.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowTimestampType, Date64Type, Decimal32Type, Decimal64Type, Decimal128Type, Decimal256Type,
    Float16Type, Float32Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, UInt8Type, UInt16Type, UInt32Type,
    UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, BinaryArray, Date32Array, Decimal128Array, ListArray,
    MapArray, OffsetSizeTrait, PrimitiveArray, StringArray, StructArray,
};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, FieldRef, Fields, TimeUnit};

use super::schema::precision;

/// A value the conversion would change, or an array it cannot convert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unconvertible {
    /// The index of the value in the array converted (for a value inside a nested
    /// one, the index of the value that holds it); `None` when no one value is at
    /// fault.
    pub(crate) index: Option<usize>,
    /// Why.
    pub(crate) message: String,
}

impl Unconvertible {
    fn at(index: usize, message: String) -> Self {
        Unconvertible {
            index: Some(index),
            message,
        }
    }

    fn whole(message: String) -> Self {
        Unconvertible {
            index: None,
            message,
        }
    }
}

type Converted = Result<ArrayRef, Unconvertible>;

/// The Arrow field a column of the file becomes: its name, its nullability, the type
/// of [`target_type`]; no metadata.
pub(crate) fn target_field(field: &Field, int96: bool) -> Result<Field, String> {
    Ok(Field::new(
        field.name(),
        target_type(field.data_type(), int96)?,
        field.is_nullable(),
    ))
}

/// The Arrow type a column decoded as `data_type` becomes (see the module docs);
/// `int96`: its timestamps are INT96, which Athena reads at precision 3.
///
/// # Errors
/// A type without an Athena type (the column planning refuses those first).
pub(crate) fn target_type(data_type: &DataType, int96: bool) -> Result<DataType, String> {
    let nested = |f: &FieldRef| -> Result<FieldRef, String> {
        Ok(Arc::new(Field::new(
            f.name(),
            target_type(f.data_type(), int96)?,
            f.is_nullable(),
        )))
    };
    Ok(match data_type {
        DataType::Null
        | DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::Float32
        | DataType::Float64
        | DataType::Utf8
        | DataType::Binary
        | DataType::Date32
        | DataType::Time32(_)
        | DataType::Time64(_) => data_type.clone(),
        DataType::UInt8 => DataType::Int16,
        DataType::UInt16 => DataType::Int32,
        DataType::UInt32 => DataType::Int64,
        DataType::UInt64 => DataType::Decimal128(20, 0),
        DataType::Float16 => DataType::Float32,
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) | DataType::Decimal128(p, s) => {
            DataType::Decimal128(*p, *s)
        }
        DataType::Decimal256(p, s) if *p <= arrow_schema::DECIMAL128_MAX_PRECISION => {
            DataType::Decimal128(*p, *s)
        }
        DataType::Decimal256(..) => data_type.clone(),
        DataType::LargeUtf8 | DataType::Utf8View => DataType::Utf8,
        DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_) => {
            DataType::Binary
        }
        DataType::Date64 => DataType::Date32,
        DataType::Timestamp(unit, zone) => {
            DataType::Timestamp(unit_of(precision(*unit, int96)), zone.clone())
        }
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            DataType::List(nested(f)?)
        }
        DataType::Map(entries, ordered) => DataType::Map(nested(entries)?, *ordered),
        DataType::Struct(fields) => DataType::Struct(
            fields
                .iter()
                .map(nested)
                .collect::<Result<Fields, String>>()?,
        ),
        DataType::Dictionary(_, values) => target_type(values, int96)?,
        other => return Err(format!("the Arrow type {other} has no Athena type")),
    })
}

/// The time unit of a precision of 0, 3, 6 or 9 fraction digits.
fn unit_of(precision: u32) -> TimeUnit {
    match precision {
        0 => TimeUnit::Second,
        1..=3 => TimeUnit::Millisecond,
        4..=6 => TimeUnit::Microsecond,
        _ => TimeUnit::Nanosecond,
    }
}

/// `array` as `target` (from [`target_type`] of its type): the same array when it is
/// already of that type, else converted exactly.
///
/// # Errors
/// The first value the conversion would change (or cannot hold), by its index.
pub(crate) fn convert(array: &ArrayRef, target: &DataType) -> Converted {
    if array.data_type() == target {
        return Ok(array.clone());
    }
    match (array.data_type(), target) {
        (DataType::Dictionary(..), _) => convert(&unpack_dictionary(array)?, target),
        (DataType::UInt8, DataType::Int16) => {
            Ok(Arc::new(widen::<UInt8Type, Int16Type>(array, i16::from)))
        }
        (DataType::UInt16, DataType::Int32) => {
            Ok(Arc::new(widen::<UInt16Type, Int32Type>(array, i32::from)))
        }
        (DataType::UInt32, DataType::Int64) => {
            Ok(Arc::new(widen::<UInt32Type, Int64Type>(array, i64::from)))
        }
        (DataType::Float16, DataType::Float32) => {
            Ok(Arc::new(widen::<Float16Type, Float32Type>(array, |x| {
                x.to_f32()
            })))
        }
        (DataType::UInt64, DataType::Decimal128(p, s)) => decimal(
            widen::<UInt64Type, Decimal128Type>(array, i128::from),
            *p,
            *s,
        ),
        (DataType::Decimal32(..), DataType::Decimal128(p, s)) => decimal(
            widen::<Decimal32Type, Decimal128Type>(array, i128::from),
            *p,
            *s,
        ),
        (DataType::Decimal64(..), DataType::Decimal128(p, s)) => decimal(
            widen::<Decimal64Type, Decimal128Type>(array, i128::from),
            *p,
            *s,
        ),
        (DataType::Decimal256(..), DataType::Decimal128(p, s)) => {
            narrow_decimal(array.as_primitive::<Decimal256Type>(), *p, *s)
        }
        (DataType::LargeUtf8, DataType::Utf8) => utf8(array.as_string::<i64>().iter()),
        (DataType::Utf8View, DataType::Utf8) => utf8(array.as_string_view().iter()),
        (DataType::LargeBinary, DataType::Binary) => binary(array.as_binary::<i64>().iter()),
        (DataType::BinaryView, DataType::Binary) => binary(array.as_binary_view().iter()),
        (DataType::FixedSizeBinary(_), DataType::Binary) => {
            binary(array.as_fixed_size_binary().iter())
        }
        (DataType::Date64, DataType::Date32) => dates(array.as_primitive::<Date64Type>()),
        (DataType::Timestamp(from, _), DataType::Timestamp(TimeUnit::Millisecond, zone)) => {
            timestamps_to_millis(array, *from, zone)
                .unwrap_or_else(|| Err(unexpected(array.data_type(), target)))
        }
        (DataType::List(_), DataType::List(field)) => {
            let list = array.as_list::<i32>();
            list_of(list.offsets().clone(), list.values(), list.nulls(), field)
        }
        (DataType::LargeList(_), DataType::List(field)) => {
            let list = array.as_list::<i64>();
            list_of(narrow(list.offsets())?, list.values(), list.nulls(), field)
        }
        (DataType::FixedSizeList(_, size), DataType::List(field)) => {
            let list = array.as_fixed_size_list();
            list_of(
                fixed_offsets(list.len(), *size)?,
                list.values(),
                list.nulls(),
                field,
            )
        }
        (DataType::Map(..), DataType::Map(entries, ordered)) => {
            map_of(array.as_map(), entries, *ordered)
        }
        (DataType::Struct(_), DataType::Struct(fields)) => row_of(array.as_struct(), fields),
        _ => Err(unexpected(array.data_type(), target)),
    }
}

/// Microsecond or nanosecond timestamps in milliseconds (`None` for another unit).
fn timestamps_to_millis(
    array: &ArrayRef,
    from: TimeUnit,
    zone: &Option<Arc<str>>,
) -> Option<Converted> {
    match from {
        TimeUnit::Microsecond => Some(to_millis(
            array.as_primitive::<TimestampMicrosecondType>(),
            zone,
        )),
        TimeUnit::Nanosecond => Some(to_millis(
            array.as_primitive::<TimestampNanosecondType>(),
            zone,
        )),
        _ => None,
    }
}

/// A dictionary's column: the value each key points at, a NULL key a NULL.
fn unpack_dictionary(array: &ArrayRef) -> Converted {
    let dictionary = array.as_any_dictionary();
    arrow_select::take::take(dictionary.values().as_ref(), dictionary.keys(), None)
        .map_err(|e| Unconvertible::whole(format!("a dictionary cannot be unpacked: {e}")))
}

/// A 256-bit decimal as `decimal(p,s)` in 128 bits, when every value fits.
fn narrow_decimal(wide: &PrimitiveArray<Decimal256Type>, p: u8, s: i8) -> Converted {
    if let Some(i) = first_valid(wide, |v| v.to_i128().is_none()) {
        return Err(Unconvertible::at(
            i,
            format!(
                "the decimal {} does not fit in the 128 bits of decimal({p},{s})",
                wide.value_as_string(i)
            ),
        ));
    }
    // Every valid value fits (checked above); a NULL slot's bits are no value.
    decimal(wide.unary::<_, Decimal128Type>(|v| v.as_i128()), p, s)
}

/// A map with its entries converted to `entries`; an error names the map's row.
fn map_of(map: &MapArray, entries: &FieldRef, ordered: bool) -> Converted {
    let converted = convert(
        &(Arc::new(map.entries().clone()) as ArrayRef),
        entries.data_type(),
    )
    .map_err(|e| up(e, map.offsets()))?;
    let Some(converted) = converted.as_struct_opt() else {
        return Err(unexpected(converted.data_type(), entries.data_type()));
    };
    MapArray::try_new(
        entries.clone(),
        map.offsets().clone(),
        converted.clone(),
        map.nulls().cloned(),
        ordered,
    )
    .map(|m| Arc::new(m) as ArrayRef)
    .map_err(|e| Unconvertible::whole(format!("a map cannot be rebuilt: {e}")))
}

/// A row (struct) with each field converted to its type in `fields`.
fn row_of(row: &StructArray, fields: &Fields) -> Converted {
    let columns = row
        .columns()
        .iter()
        .zip(fields.iter())
        .map(|(column, field)| {
            // A field's value is in the row of the same index.
            convert(column, field.data_type()).map_err(|e| Unconvertible {
                index: e.index,
                message: format!("field `{}`: {}", field.name(), e.message),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    StructArray::try_new(fields.clone(), columns, row.nulls().cloned())
        .map(|s| Arc::new(s) as ArrayRef)
        .map_err(|e| Unconvertible::whole(format!("a row cannot be rebuilt: {e}")))
}

/// Every value of `array` (of type `F`) in `T`, by `f`, which holds every value of `F`;
/// NULLs kept.
fn widen<F: ArrowPrimitiveType, T: ArrowPrimitiveType>(
    array: &dyn Array,
    f: impl Fn(F::Native) -> T::Native,
) -> PrimitiveArray<T> {
    array.as_primitive::<F>().unary(f)
}

fn unexpected(from: &DataType, to: &DataType) -> Unconvertible {
    Unconvertible::whole(format!("no conversion of {from} to {to}"))
}

/// The index of the first valid (not NULL) value for which `bad` holds.
fn first_valid<T: ArrowPrimitiveType>(
    array: &PrimitiveArray<T>,
    bad: impl Fn(T::Native) -> bool,
) -> Option<usize> {
    (0..array.len()).find(|&i| array.is_valid(i) && bad(array.value(i)))
}

fn decimal(array: PrimitiveArray<Decimal128Type>, p: u8, s: i8) -> Converted {
    array
        .with_precision_and_scale(p, s)
        .map(|a: Decimal128Array| Arc::new(a) as ArrayRef)
        .map_err(|e| Unconvertible::whole(format!("decimal({p},{s}): {e}")))
}

/// The most bytes of values a `Utf8` or `Binary` array holds (its offsets are `i32`).
const MAX_BYTES: usize = i32::MAX as usize;

/// The index of the value at which `lengths` (`None` for NULL) pass [`MAX_BYTES`] in
/// all.
fn too_long(lengths: impl Iterator<Item = Option<usize>>) -> Option<usize> {
    let mut total = 0usize;
    for (i, length) in lengths.enumerate() {
        total = total.saturating_add(length.unwrap_or(0));
        if total > MAX_BYTES {
            return Some(i);
        }
    }
    None
}

fn utf8<'a>(values: impl Iterator<Item = Option<&'a str>> + Clone) -> Converted {
    if let Some(i) = too_long(values.clone().map(|v| v.map(str::len))) {
        return Err(Unconvertible::at(
            i,
            "the batch holds more than 2 GiB of text, more than a Utf8 array holds: \
             read it with fewer rows a batch"
                .to_owned(),
        ));
    }
    Ok(Arc::new(values.collect::<StringArray>()))
}

fn binary<'a>(values: impl Iterator<Item = Option<&'a [u8]>> + Clone) -> Converted {
    if let Some(i) = too_long(values.clone().map(|v| v.map(<[u8]>::len))) {
        return Err(Unconvertible::at(
            i,
            "the batch holds more than 2 GiB of bytes, more than a Binary array holds: \
             read it with fewer rows a batch"
                .to_owned(),
        ));
    }
    Ok(Arc::new(values.collect::<BinaryArray>()))
}

const MILLIS_PER_DAY: i64 = 86_400_000;

/// Date64 (milliseconds) as Date32 (days), each a whole day.
fn dates(array: &PrimitiveArray<Date64Type>) -> Converted {
    if let Some(i) = first_valid(array, |ms| {
        ms.rem_euclid(MILLIS_PER_DAY) != 0 || i32::try_from(ms.div_euclid(MILLIS_PER_DAY)).is_err()
    }) {
        return Err(Unconvertible::at(
            i,
            format!(
                "the date {} ms from 1970-01-01 is not a whole day a date holds",
                array.value(i)
            ),
        ));
    }
    // Checked above: every valid value is a whole day within i32.
    let days = array.unary(|ms| i32::try_from(ms.div_euclid(MILLIS_PER_DAY)).unwrap_or_default());
    Ok(Arc::new(days as Date32Array))
}

/// Timestamps of a finer unit as milliseconds, each a whole millisecond.
fn to_millis<T: ArrowTimestampType>(
    array: &PrimitiveArray<T>,
    zone: &Option<Arc<str>>,
) -> Converted {
    let per_milli: i64 = match T::UNIT {
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1_000_000,
        TimeUnit::Second | TimeUnit::Millisecond => 1,
    };
    if let Some(i) = first_valid(array, |t| t.rem_euclid(per_milli) != 0) {
        return Err(Unconvertible::at(
            i,
            format!(
                "the timestamp {} has digits below the millisecond, which Athena's \
                 timestamp(3) (how Athena reads INT96) does not hold; the rows of this \
                 file round it, as Athena does",
                timestamp_text(array, i)
            ),
        ));
    }
    let millis: PrimitiveArray<TimestampMillisecondType> = array.unary(|t| t.div_euclid(per_milli));
    Ok(Arc::new(millis.with_timezone_opt(zone.clone())))
}

/// The timestamp at `i` for an error message: every digit of its unit.
fn timestamp_text<T: ArrowTimestampType>(array: &PrimitiveArray<T>, i: usize) -> String {
    super::values::value(array, i, false).map_or_else(
        |_| format!("{} ({:?})", array.value(i), T::UNIT),
        |v| v.to_athena_text(),
    )
}

/// A list's offsets, values and NULLs as a `List` of `field`, its values converted.
fn list_of(
    offsets: OffsetBuffer<i32>,
    values: &ArrayRef,
    nulls: Option<&NullBuffer>,
    field: &FieldRef,
) -> Converted {
    let values = convert(values, field.data_type()).map_err(|e| up(e, &offsets))?;
    ListArray::try_new(field.clone(), offsets, values, nulls.cloned())
        .map(|l| Arc::new(l) as ArrayRef)
        .map_err(|e| Unconvertible::whole(format!("a list cannot be rebuilt: {e}")))
}

/// An error about the value at an index of a list's (or map's) values, about the list
/// that holds it.
fn up<O: OffsetSizeTrait>(e: Unconvertible, offsets: &OffsetBuffer<O>) -> Unconvertible {
    let index = e.index.map(|j| {
        // The last list whose values start at or before j.
        offsets
            .partition_point(|o| o.as_usize() <= j)
            .saturating_sub(1)
    });
    Unconvertible {
        index,
        message: e.message,
    }
}

/// `i64` offsets as `i32`, for a batch's lists whose values number at most `i32::MAX`.
fn narrow(offsets: &OffsetBuffer<i64>) -> Result<OffsetBuffer<i32>, Unconvertible> {
    let narrowed = offsets
        .iter()
        .enumerate()
        .map(|(i, &o)| {
            i32::try_from(o).map_err(|_| {
                Unconvertible::at(
                    i.saturating_sub(1),
                    "the batch's lists hold more values than a List array holds: read it \
                     with fewer rows a batch"
                        .to_owned(),
                )
            })
        })
        .collect::<Result<Vec<i32>, _>>()?;
    // Narrowed from valid offsets: still non-negative and increasing.
    Ok(OffsetBuffer::new(ScalarBuffer::from(narrowed)))
}

/// The offsets of `len` lists of `size` values each.
fn fixed_offsets(len: usize, size: i32) -> Result<OffsetBuffer<i32>, Unconvertible> {
    let size = usize::try_from(size).unwrap_or(0);
    if len.checked_mul(size).is_none_or(|n| n > MAX_BYTES) {
        return Err(Unconvertible::whole(
            "the batch's lists hold more values than a List array holds: read it with \
             fewer rows a batch"
                .to_owned(),
        ));
    }
    Ok(OffsetBuffer::from_lengths(std::iter::repeat_n(size, len)))
}

#[cfg(test)]
mod tests;
