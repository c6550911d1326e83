//! Trino's array functions where DataFusion's answer otherwise (trino.io, "Array functions
//! and operators"): the `ARRAY[...]` constructor, `contains`, `array_position`,
//! `array_remove`, `arrays_overlap`, `array_max`, `array_min`, `slice`, `trim_array`,
//! `repeat`, `zip`, and concatenation (`||`, `concat`).

use std::cmp::Ordering;
use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int64Array, ListArray, StructArray, UInt32Array,
    new_empty_array,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::{cast, interleave, take};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::type_coercion::binary::{
    comparison_coercion, try_type_union_resolution_with_struct, type_union_resolution,
};
use datafusion::logical_expr::{ReturnFieldArgs, ScalarUDF};

use super::compare::{Comparer, as_list_array, is_nested};
use super::{CollectionFn, CollectionUdf, element_of, field, list_of};
use crate::engine::functions::trino_type_name;

// The functions by what they do; the constructor, `array_join` and `cardinality` are here.
mod combine;
mod groups;
mod reshape;
mod search;
use combine::*;
use groups::*;
use reshape::*;
use search::*;

pub(super) fn udfs() -> Vec<ScalarUDF> {
    vec![
        CollectionUdf::udf("athena_array", Constructor),
        CollectionUdf::udf("athena_contains", Search::Contains),
        CollectionUdf::udf("athena_array_position", Search::Position),
        CollectionUdf::udf("athena_array_remove", Search::Remove),
        CollectionUdf::udf("athena_arrays_overlap", Overlap),
        CollectionUdf::udf("athena_array_max", Extreme { max: true }),
        CollectionUdf::udf("athena_array_min", Extreme { max: false }),
        CollectionUdf::udf("athena_slice", Slice),
        CollectionUdf::udf("athena_trim_array", TrimArray),
        CollectionUdf::udf("athena_repeat", Repeat),
        CollectionUdf::udf("athena_zip", Zip),
        CollectionUdf::udf("athena_array_concat", Concat),
        CollectionUdf::udf("athena_contains_sequence", ContainsSequence),
        CollectionUdf::udf("athena_combinations", Combinations),
        CollectionUdf::udf("athena_ngrams", Ngrams),
        CollectionUdf::volatile("athena_shuffle", Shuffle),
        CollectionUdf::udf("athena_cardinality", Cardinality),
        CollectionUdf::udf("athena_array_intersect", SetOp::Intersect),
        CollectionUdf::udf("athena_array_union", SetOp::Union),
        CollectionUdf::udf("athena_array_except", SetOp::Except),
        CollectionUdf::udf("athena_sort_array", Sort),
        CollectionUdf::udf("athena_flatten", Flatten),
        CollectionUdf::udf("athena_array_join", Join),
    ]
}

/// A list argument as a `List` array.
fn list(a: &ArrayRef) -> Result<ArrayRef> {
    as_list_array(a.as_ref())
}

/// Element `k` of row `r`'s range `(start, end)` of a list.
fn row_range(l: &ListArray, r: usize) -> (usize, usize) {
    let o = l.value_offsets();
    (o[r] as usize, o[r + 1] as usize)
}

/// A list array from the elements of `values` each row picks (`None`: a NULL row).
fn gather(element: FieldRef, values: &dyn Array, rows: &[Option<Vec<u32>>]) -> Result<ArrayRef> {
    let picked: Vec<u32> = rows.iter().flatten().flatten().copied().collect();
    let taken = take(values, &UInt32Array::from(picked), None)?;
    let offsets = OffsetBuffer::from_lengths(rows.iter().map(|r| r.as_ref().map_or(0, Vec::len)));
    let nulls = NullBuffer::from_iter(rows.iter().map(Option::is_some));
    let nulls = (nulls.null_count() > 0).then_some(nulls);
    let element = if element.data_type() == taken.data_type() {
        element
    } else {
        Arc::new(Field::new(element.name(), taken.data_type().clone(), true))
    };
    Ok(Arc::new(ListArray::try_new(
        element, offsets, taken, nulls,
    )?))
}

/// Trino's families of types that coerce into each other; values of two families have
/// no common type (`ARRAY[1, 'a']` is a TYPE_MISMATCH, where DataFusion casts 'a').
fn family(t: &DataType) -> Option<&'static str> {
    use DataType::*;
    Some(match t {
        Null => return None,
        Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 | Float16 | Float32
        | Float64 | Decimal32(..) | Decimal64(..) | Decimal128(..) | Decimal256(..) => "number",
        Utf8 | LargeUtf8 | Utf8View => "string",
        Boolean => "boolean",
        Date32 | Date64 | Timestamp(..) => "datetime",
        Binary | LargeBinary | BinaryView | FixedSizeBinary(_) => "binary",
        List(_) | LargeList(_) | FixedSizeList(..) => "array",
        Struct(_) => "row",
        Map(..) => "map",
        Time32(_) | Time64(_) => "time",
        Interval(_) | Duration(_) => "interval",
        _ => "other",
    })
}

/// The common type of values of `types` (NULLs take any type), as Trino finds it, or the
/// reason there is none.
pub(super) fn common_type(types: &[DataType]) -> std::result::Result<DataType, String> {
    let families: HashSet<&str> = types.iter().filter_map(family).collect();
    let mismatch = || {
        let shown: Vec<String> = types.iter().map(trino_type_name).collect();
        format!("Cannot find common type between {}", shown.join(", "))
    };
    if families.len() > 1 {
        return Err(mismatch());
    }
    if types.iter().all(DataType::is_null) {
        return Ok(DataType::Null);
    }
    // Numbers take Trino's common type (a double with a decimal is a double), not
    // DataFusion's.
    let refs: Vec<&DataType> = types.iter().collect();
    if let Some(t) = crate::engine::numbers::common_numeric(&refs) {
        return Ok(t);
    }
    if let Ok(unified) = try_type_union_resolution_with_struct(types)
        && let Some(t) = unified.into_iter().next()
    {
        return Ok(t);
    }
    type_union_resolution(types).ok_or_else(mismatch)
}

/// `ARRAY[...]` (`athena_array`): the elements coerced to one type.
struct Constructor;

impl CollectionFn for Constructor {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        if types.is_empty() {
            return Ok(vec![]);
        }
        match common_type(types) {
            Ok(t) => Ok(vec![t; types.len()]),
            Err(why) => plan_err!(
                "TYPE_MISMATCH: All ARRAY elements must be the same type or coercible to a common type. {why}"
            ),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let t = args
            .arg_fields
            .first()
            .map_or(DataType::Null, |f| f.data_type().clone());
        Ok(field("array", list_of(t)))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let element = element_of(result.data_type())
            .map(Arc::clone)
            .unwrap_or_else(|| field("item", DataType::Null));
        let values = if args.is_empty() {
            new_empty_array(element.data_type())
        } else {
            let sources: Vec<&dyn Array> = args.iter().map(|a| a.as_ref()).collect();
            let picks: Vec<(usize, usize)> = (0..rows)
                .flat_map(|r| (0..args.len()).map(move |k| (k, r)))
                .collect();
            interleave(&sources, &picks)?
        };
        let offsets = OffsetBuffer::from_lengths(std::iter::repeat_n(args.len(), rows));
        Ok(Arc::new(ListArray::try_new(
            element, offsets, values, None,
        )?))
    }
}

/// The element type of a list type, `Null` for a NULL.
fn element_type(t: &DataType) -> Option<DataType> {
    match t {
        DataType::Null => Some(DataType::Null),
        t => element_of(t).map(|f| f.data_type().clone()),
    }
}

/// `(array(T), T)`: the array's elements and the value coerced to one type.
fn coerce_array_and_value(name: &str, types: &[DataType]) -> Result<Vec<DataType>> {
    let [a, v] = types else {
        return plan_err!("FUNCTION_NOT_FOUND: {name} takes an array and a value");
    };
    let Some(e) = element_type(a) else {
        return plan_err!(
            "FUNCTION_NOT_FOUND: Unexpected parameters ({}, {}) for function {name}",
            trino_type_name(a),
            trino_type_name(v)
        );
    };
    let common = if e.is_null() {
        v.clone()
    } else if v.is_null() {
        e.clone()
    } else if family(&e) != family(v) {
        return plan_err!(
            "FUNCTION_NOT_FOUND: Unexpected parameters ({}, {}) for function {name}",
            trino_type_name(a),
            trino_type_name(v)
        );
    } else {
        comparison_coercion(&e, v).unwrap_or(e)
    };
    Ok(vec![list_of(common.clone()), common])
}

/// `array_join(array, delimiter[, null_replacement])`, called as
/// `athena_array_join(array, texts, delimiter[, null_replacement])` where `texts` are
/// the elements as `CAST(x AS VARCHAR)` writes them (the rewrite makes them): NULL if an
/// argument is NULL; NULL elements skipped, or replaced. `array` only says the element
/// type: an array, map, row or varbinary has no varchar cast in Trino.
struct Join;

impl CollectionFn for Join {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        let Some(e) = types.first().and_then(element_type) else {
            return unexpected("array_join", types);
        };
        if !matches!(types.len(), 3 | 4) {
            return unexpected("array_join", types);
        }
        if is_nested(&e) || matches!(family(&e), Some("binary")) {
            return plan_err!(
                "OPERATOR_NOT_FOUND: Cannot cast {} to varchar",
                trino_type_name(&e)
            );
        }
        let mut out = vec![types[0].clone(), list_of(DataType::Utf8)];
        out.extend(std::iter::repeat_n(DataType::Utf8, types.len() - 2));
        Ok(out)
    }

    fn return_field(&self, _: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("array_join", DataType::Utf8))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, _: &FieldRef) -> Result<ArrayRef> {
        let texts = list(&args[1])?;
        let l = texts.as_list::<i32>();
        let values = l.values().as_string::<i32>();
        let delimiter = args[2].as_string::<i32>();
        let replacement = args.get(3).map(|a| a.as_string::<i32>());
        let mut out = datafusion::arrow::array::StringBuilder::new();
        for r in 0..rows {
            if l.is_null(r) || delimiter.is_null(r) || replacement.is_some_and(|n| n.is_null(r)) {
                out.append_null();
                continue;
            }
            let (s, e) = row_range(l, r);
            let parts: Vec<&str> = (s..e)
                .filter_map(|p| {
                    if values.is_null(p) {
                        replacement.map(|n| n.value(r))
                    } else {
                        Some(values.value(p))
                    }
                })
                .collect();
            out.append_value(parts.join(delimiter.value(r)));
        }
        Ok(Arc::new(out.finish()))
    }
}

/// `cardinality(array | map)`: the number of elements (DataFusion's counts the elements
/// of nested arrays too).
struct Cardinality;

impl CollectionFn for Cardinality {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [t] if matches!(t, DataType::Map(..)) => Ok(vec![t.clone()]),
            [t] if element_type(t).is_some() => {
                Ok(vec![list_of(element_type(t).unwrap_or(DataType::Null))])
            }
            _ => unexpected("cardinality", types),
        }
    }

    fn return_field(&self, _: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("cardinality", DataType::Int64))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, _: &FieldRef) -> Result<ArrayRef> {
        let (offsets, nulls) = match args[0].data_type() {
            DataType::Map(..) => {
                let m = args[0].as_map();
                (m.value_offsets().to_vec(), m.logical_nulls())
            }
            _ => {
                let l = list(&args[0])?;
                let l = l.as_list::<i32>();
                (l.value_offsets().to_vec(), l.logical_nulls())
            }
        };
        let counts: Int64Array = (0..rows)
            .map(|r| {
                (!nulls.as_ref().is_some_and(|n| n.is_null(r)))
                    .then(|| i64::from(offsets[r + 1] - offsets[r]))
            })
            .collect();
        Ok(Arc::new(counts))
    }
}

/// An `array(array(T))` of the groups of elements of `list` each row picks (`None`: a
/// NULL row).
fn nested_gather(
    result: &FieldRef,
    values: &dyn Array,
    rows: &[Option<Vec<Vec<u32>>>],
) -> Result<ArrayRef> {
    let outer = result_element(result);
    let inner = result_element(&outer);
    let groups: Vec<Option<Vec<u32>>> = rows
        .iter()
        .flatten()
        .flat_map(|r| r.iter().cloned().map(Some))
        .collect();
    let grouped = gather(inner, values, &groups)?;
    let offsets = OffsetBuffer::from_lengths(rows.iter().map(|r| r.as_ref().map_or(0, Vec::len)));
    let nulls = NullBuffer::from_iter(rows.iter().map(Option::is_some));
    Ok(Arc::new(ListArray::try_new(
        Arc::new(Field::new(outer.name(), grouped.data_type().clone(), true)),
        offsets,
        grouped,
        (nulls.null_count() > 0).then_some(nulls),
    )?))
}

/// `array(T)` and an integer, for `combinations` and `ngrams`.
fn coerce_array_and_count(name: &str, types: &[DataType]) -> Result<Vec<DataType>> {
    match types {
        [a, n] if element_type(a).is_some() && (n.is_integer() || n.is_null()) => Ok(vec![
            list_of(element_type(a).unwrap_or(DataType::Null)),
            DataType::Int64,
        ]),
        _ => unexpected(name, types),
    }
}

#[cfg(test)]
mod tests;
