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

/// `contains`, `array_position` and `array_remove`: the elements equal to a value.
#[derive(Clone, Copy, PartialEq)]
enum Search {
    Contains,
    Position,
    Remove,
}

impl Search {
    fn name(self) -> &'static str {
        match self {
            Search::Contains => "contains",
            Search::Position => "array_position",
            Search::Remove => "array_remove",
        }
    }
}

impl CollectionFn for Search {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_array_and_value(self.name(), types)
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let t = match self {
            Search::Contains => DataType::Boolean,
            Search::Position => DataType::Int64,
            Search::Remove => args.arg_fields[0].data_type().clone(),
        };
        Ok(field(self.name(), t))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let value = &args[1];
        let c = Comparer::new(l.values().as_ref(), value.as_ref())?;
        let nested = is_nested(value.data_type());
        let mut flags: Vec<Option<bool>> = Vec::with_capacity(rows);
        let mut positions: Vec<Option<i64>> = Vec::with_capacity(rows);
        let mut kept: Vec<Option<Vec<u32>>> = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) || value.is_null(r) {
                flags.push(None);
                positions.push(None);
                kept.push(None);
                continue;
            }
            let (s, e) = row_range(l, r);
            let mut found = None;
            let mut undecided = false;
            let mut keep = Vec::new();
            for p in s..e {
                match c.eq(p, r) {
                    Some(true) => {
                        found.get_or_insert(p - s);
                        if *self != Search::Remove {
                            break;
                        }
                    }
                    Some(false) => keep.push(p as u32),
                    None => {
                        // An element equal but for NULLs inside: Trino refuses to guess.
                        if nested && !c.is_null(p, r) {
                            return exec_err!(
                                "NOT_SUPPORTED: {} does not support arrays with elements that are null or contain null",
                                self.name()
                            );
                        }
                        undecided = true;
                        keep.push(p as u32);
                    }
                }
            }
            flags.push(match (found, undecided) {
                (Some(_), _) => Some(true),
                (None, true) => None,
                (None, false) => Some(false),
            });
            positions.push(match (found, undecided) {
                (Some(p), _) => Some(p as i64 + 1),
                (None, true) => None,
                (None, false) => Some(0),
            });
            kept.push(Some(keep));
        }
        Ok(match self {
            Search::Contains => Arc::new(BooleanArray::from(flags)),
            Search::Position => Arc::new(Int64Array::from(positions)),
            Search::Remove => gather(
                element_of(result.data_type())
                    .map(Arc::clone)
                    .unwrap_or_else(|| field("item", DataType::Null)),
                l.values().as_ref(),
                &kept,
            )?,
        })
    }
}

/// `arrays_overlap(x, y)`: true when they share a non-NULL element; else NULL when
/// either has a NULL (and neither is empty); else false.
struct Overlap;

impl CollectionFn for Overlap {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_arrays("arrays_overlap", types, types.len() == 2)
    }

    fn return_field(&self, _: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("arrays_overlap", DataType::Boolean))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, _: &FieldRef) -> Result<ArrayRef> {
        let (a, b) = (list(&args[0])?, list(&args[1])?);
        let (la, lb) = (a.as_list::<i32>(), b.as_list::<i32>());
        // Elements as comparable rows: equal values (NaN included) have equal rows.
        let t = la.value_type();
        let converter = RowConverter::new(vec![SortField::new(t)])?;
        let ra = converter.convert_columns(&[Arc::clone(la.values())])?;
        let rb = converter.convert_columns(&[Arc::clone(lb.values())])?;
        let mut out = Vec::with_capacity(rows);
        for r in 0..rows {
            if la.is_null(r) || lb.is_null(r) {
                out.push(None);
                continue;
            }
            let ((sa, ea), (sb, eb)) = (row_range(la, r), row_range(lb, r));
            if sa == ea || sb == eb {
                out.push(Some(false));
                continue;
            }
            let mut saw_null = false;
            let mut seen = HashSet::new();
            for p in sa..ea {
                if la.values().is_null(p) {
                    saw_null = true;
                } else {
                    seen.insert(ra.row(p));
                }
            }
            let mut overlap = false;
            for q in sb..eb {
                if lb.values().is_null(q) {
                    saw_null = true;
                } else if seen.contains(&rb.row(q)) {
                    overlap = true;
                    break;
                }
            }
            out.push(match (overlap, saw_null) {
                (true, _) => Some(true),
                (false, true) => None,
                (false, false) => Some(false),
            });
        }
        Ok(Arc::new(BooleanArray::from(out)))
    }
}

/// Arrays coerced to arrays of one element type (`ok` says the arity is right).
fn coerce_arrays(name: &str, types: &[DataType], ok: bool) -> Result<Vec<DataType>> {
    let elements: Option<Vec<DataType>> = types.iter().map(element_type).collect();
    let (true, Some(elements)) = (ok, elements) else {
        let shown: Vec<String> = types.iter().map(trino_type_name).collect();
        return plan_err!(
            "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function {name}",
            shown.join(", ")
        );
    };
    match common_type(&elements) {
        Ok(t) => Ok(vec![list_of(t); types.len()]),
        Err(_) => {
            let shown: Vec<String> = types.iter().map(trino_type_name).collect();
            plan_err!(
                "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function {name}",
                shown.join(", ")
            )
        }
    }
}

/// `array_max` / `array_min`: NULL if an element is NULL; NaN only when every element is.
struct Extreme {
    max: bool,
}

impl CollectionFn for Extreme {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        let name = if self.max { "array_max" } else { "array_min" };
        match types {
            [t] if element_type(t).is_some_and(|e| !matches!(e, DataType::Map(..))) => {
                Ok(vec![list_of(element_type(t).unwrap_or(DataType::Null))])
            }
            _ => {
                let shown: Vec<String> = types.iter().map(trino_type_name).collect();
                plan_err!(
                    "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function {name}",
                    shown.join(", ")
                )
            }
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let t = element_type(args.arg_fields[0].data_type()).unwrap_or(DataType::Null);
        Ok(field(if self.max { "array_max" } else { "array_min" }, t))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, _: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let values = l.values();
        let c = Comparer::new(values.as_ref(), values.as_ref())?;
        // Doubles seen as f64, to tell NaN.
        let floats = match values.data_type() {
            DataType::Float16 | DataType::Float32 | DataType::Float64 => {
                Some(cast(values, &DataType::Float64)?)
            }
            _ => None,
        };
        let nan = |p: usize| -> bool {
            floats.as_ref().is_some_and(|f| {
                f.as_primitive::<datafusion::arrow::datatypes::Float64Type>()
                    .value(p)
                    .is_nan()
            })
        };
        let mut at: Vec<Option<u32>> = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) {
                at.push(None);
                continue;
            }
            let (s, e) = row_range(l, r);
            if (s..e).any(|p| values.is_null(p)) {
                at.push(None);
                continue;
            }
            let mut best: Option<usize> = None;
            for p in s..e {
                best = Some(match best {
                    None => p,
                    // Trino's double comparison: NaN never wins over a number.
                    Some(b) if nan(b) && !nan(p) => p,
                    Some(b) if nan(p) => b,
                    Some(b) => {
                        let o = c.cmp(p, b)?;
                        if (self.max && o == Ordering::Greater)
                            || (!self.max && o == Ordering::Less)
                        {
                            p
                        } else {
                            b
                        }
                    }
                });
            }
            at.push(best.map(|p| p as u32));
        }
        Ok(take(values.as_ref(), &UInt32Array::from(at), None)?)
    }
}

/// `slice(array, start, length)`: from `start` (from the end when negative), at most
/// `length` elements.
struct Slice;

impl CollectionFn for Slice {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [a, s, n]
                if element_type(a).is_some()
                    && [s, n].iter().all(|t| t.is_integer() || t.is_null()) =>
            {
                Ok(vec![
                    list_of(element_type(a).unwrap_or(DataType::Null)),
                    DataType::Int64,
                    DataType::Int64,
                ])
            }
            _ => unexpected("slice", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("slice", args.arg_fields[0].data_type().clone()))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let (start, length) = (
            args[1].as_primitive::<datafusion::arrow::datatypes::Int64Type>(),
            args[2].as_primitive::<datafusion::arrow::datatypes::Int64Type>(),
        );
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) || start.is_null(r) || length.is_null(r) {
                picks.push(None);
                continue;
            }
            let (s, e) = row_range(l, r);
            let len = (e - s) as i64;
            let (from, n) = (start.value(r), length.value(r));
            if from == 0 {
                return exec_err!("INVALID_FUNCTION_ARGUMENT: SQL array indices start at 1");
            }
            if n < 0 {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: length must be greater than or equal to 0"
                );
            }
            let first = if from > 0 { from - 1 } else { len + from };
            if first < 0 || first >= len {
                picks.push(Some(Vec::new()));
                continue;
            }
            let last = first.saturating_add(n).min(len);
            picks.push(Some((first..last).map(|k| (s as i64 + k) as u32).collect()));
        }
        gather(result_element(result), l.values().as_ref(), &picks)
    }
}

fn result_element(result: &FieldRef) -> FieldRef {
    element_of(result.data_type())
        .map(Arc::clone)
        .unwrap_or_else(|| field("item", DataType::Null))
}

fn unexpected<T>(name: &str, types: &[DataType]) -> Result<T> {
    let shown: Vec<String> = types.iter().map(trino_type_name).collect();
    plan_err!(
        "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function {name}",
        shown.join(", ")
    )
}

/// `trim_array(array, n)`: without its last `n` elements.
struct TrimArray;

impl CollectionFn for TrimArray {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [a, n] if element_type(a).is_some() && (n.is_integer() || n.is_null()) => Ok(vec![
                list_of(element_type(a).unwrap_or(DataType::Null)),
                DataType::Int64,
            ]),
            _ => unexpected("trim_array", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("trim_array", args.arg_fields[0].data_type().clone()))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let n = args[1].as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) || n.is_null(r) {
                picks.push(None);
                continue;
            }
            let (s, e) = row_range(l, r);
            let k = n.value(r);
            if k < 0 {
                return exec_err!("INVALID_FUNCTION_ARGUMENT: size must not be negative: {k}");
            }
            if k > (e - s) as i64 {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: size must not exceed array cardinality {}: {k}",
                    e - s
                );
            }
            picks.push(Some((s as u32..(e as i64 - k) as u32).collect()));
        }
        gather(result_element(result), l.values().as_ref(), &picks)
    }
}

/// Trino's largest `repeat` count.
const MAX_REPEAT: i64 = 10_000;

/// `repeat(element, count)`: an array of `count` copies.
struct Repeat;

impl CollectionFn for Repeat {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [e, n] if n.is_integer() || n.is_null() => Ok(vec![e.clone(), DataType::Int64]),
            _ => unexpected("repeat", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field(
            "repeat",
            list_of(args.arg_fields[0].data_type().clone()),
        ))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let n = args[1].as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if n.is_null(r) {
                picks.push(None);
                continue;
            }
            let k = n.value(r);
            if k < 0 {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: count argument of repeat function must be greater than or equal to 0"
                );
            }
            if k > MAX_REPEAT {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: count argument of repeat function must be less than or equal to 10000"
                );
            }
            picks.push(Some(vec![r as u32; k as usize]));
        }
        gather(result_element(result), args[0].as_ref(), &picks)
    }
}

/// `zip(a, b, ...)`: rows of the elements at each position, the shorter arrays padded
/// with NULLs.
struct Zip;

impl CollectionFn for Zip {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        if !(2..=5).contains(&types.len()) || types.iter().any(|t| element_type(t).is_none()) {
            return unexpected("zip", types);
        }
        Ok(types
            .iter()
            .map(|t| list_of(element_type(t).unwrap_or(DataType::Null)))
            .collect())
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("zip", list_of(zip_row(args.arg_fields))))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let lists = args.iter().map(list).collect::<Result<Vec<_>>>()?;
        let ls: Vec<&ListArray> = lists.iter().map(|a| a.as_list::<i32>()).collect();
        let mut picks: Vec<Vec<Option<u32>>> = vec![Vec::new(); ls.len()];
        let mut lens = Vec::with_capacity(rows);
        let mut valid = Vec::with_capacity(rows);
        for r in 0..rows {
            if ls.iter().any(|l| l.is_null(r)) {
                lens.push(0);
                valid.push(false);
                continue;
            }
            let ranges: Vec<(usize, usize)> = ls.iter().map(|l| row_range(l, r)).collect();
            let n = ranges.iter().map(|(s, e)| e - s).max().unwrap_or(0);
            for (k, &(s, e)) in ranges.iter().enumerate() {
                picks[k].extend((0..n).map(|i| (s + i < e).then_some((s + i) as u32)));
            }
            lens.push(n);
            valid.push(true);
        }
        let DataType::Struct(fields) = result_element(result).data_type().clone() else {
            return exec_err!("zip makes rows");
        };
        let columns = ls
            .iter()
            .zip(picks)
            .map(|(l, p)| Ok(take(l.values().as_ref(), &UInt32Array::from(p), None)?))
            .collect::<Result<Vec<ArrayRef>>>()?;
        let len = columns.first().map_or(0, |c| c.len());
        let structs = StructArray::try_new_with_length(fields, columns, None, len)?;
        let nulls = NullBuffer::from(valid);
        Ok(Arc::new(ListArray::try_new(
            result_element(result),
            OffsetBuffer::from_lengths(lens),
            Arc::new(structs),
            (nulls.null_count() > 0).then_some(nulls),
        )?))
    }
}

/// The row type of `zip`: anonymous fields (`c0`, `c1`, ...) of the element types.
fn zip_row(fields: &[FieldRef]) -> DataType {
    DataType::Struct(Fields::from(
        fields
            .iter()
            .enumerate()
            .map(|(k, f)| {
                Field::new(
                    format!("c{k}"),
                    element_type(f.data_type()).unwrap_or(DataType::Null),
                    true,
                )
            })
            .collect::<Vec<_>>(),
    ))
}

/// The depth of list nesting of a type.
fn depth(t: &DataType) -> usize {
    element_type(t)
        .filter(|_| !t.is_null())
        .map_or(0, |e| 1 + depth(&e))
}

/// Concatenation of arrays and elements (`a || b`, `concat(a, b, ...)`): the arguments of
/// the deepest list type are arrays, those one level less deep are elements; NULL if any
/// argument is NULL.
struct Concat;

impl CollectionFn for Concat {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        let deepest = types.iter().map(depth).max().unwrap_or(0);
        let ambiguous = types
            .iter()
            .any(|t| t.is_null() || element_type(t).is_some_and(|e| e.is_null()));
        if deepest == 0 || ambiguous || types.len() < 2 {
            let shown: Vec<String> = types.iter().map(trino_type_name).collect();
            return plan_err!(
                "AMBIGUOUS_FUNCTION_CALL: Could not choose a best candidate operator for ({}). Explicit type casts must be added.",
                shown.join(", ")
            );
        }
        let mut elements = Vec::with_capacity(types.len());
        for t in types {
            match depth(t) {
                d if d == deepest => elements.push(element_type(t).unwrap_or(DataType::Null)),
                d if d + 1 == deepest => elements.push(t.clone()),
                _ => return unexpected("concat", types),
            }
        }
        let common = common_type(&elements).or_else(|_| unexpected("concat", types))?;
        Ok(types
            .iter()
            .map(|t| {
                if depth(t) == deepest {
                    list_of(common.clone())
                } else {
                    common.clone()
                }
            })
            .collect())
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let deepest = args
            .arg_fields
            .iter()
            .max_by_key(|f| depth(f.data_type()))
            .map_or(DataType::Null, |f| f.data_type().clone());
        Ok(field("concat", deepest))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let deepest = depth(result.data_type());
        let element = result_element(result);
        // Each argument as (source values, the range of each row in them).
        let mut sources: Vec<ArrayRef> = Vec::with_capacity(args.len());
        let mut lists: Vec<Option<ArrayRef>> = Vec::with_capacity(args.len());
        for a in args {
            if depth(a.data_type()) == deepest {
                let l = list(a)?;
                sources.push(Arc::clone(l.as_list::<i32>().values()));
                lists.push(Some(l));
            } else {
                sources.push(Arc::clone(a));
                lists.push(None);
            }
        }
        let mut picks: Vec<(usize, usize)> = Vec::new();
        let mut lens = Vec::with_capacity(rows);
        let mut valid = Vec::with_capacity(rows);
        for r in 0..rows {
            if args.iter().any(|a| a.is_null(r)) {
                lens.push(0);
                valid.push(false);
                continue;
            }
            let before = picks.len();
            for (k, l) in lists.iter().enumerate() {
                match l {
                    Some(l) => {
                        let (s, e) = row_range(l.as_list::<i32>(), r);
                        picks.extend((s..e).map(|p| (k, p)));
                    }
                    None => picks.push((k, r)),
                }
            }
            lens.push(picks.len() - before);
            valid.push(true);
        }
        let refs: Vec<&dyn Array> = sources.iter().map(|s| s.as_ref()).collect();
        let values = if picks.is_empty() {
            new_empty_array(element.data_type())
        } else {
            interleave(&refs, &picks)?
        };
        let nulls = NullBuffer::from(valid);
        Ok(Arc::new(ListArray::try_new(
            element,
            OffsetBuffer::from_lengths(lens),
            values,
            (nulls.null_count() > 0).then_some(nulls),
        )?))
    }
}

/// `contains_sequence(x, seq)`: whether `seq` occurs in `x` as consecutive elements
/// (NULL elements match NULL ones).
struct ContainsSequence;

impl CollectionFn for ContainsSequence {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_arrays("contains_sequence", types, types.len() == 2)
    }

    fn return_field(&self, _: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("contains_sequence", DataType::Boolean))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, _: &FieldRef) -> Result<ArrayRef> {
        let (a, b) = (list(&args[0])?, list(&args[1])?);
        let (la, lb) = (a.as_list::<i32>(), b.as_list::<i32>());
        let converter = RowConverter::new(vec![SortField::new(la.value_type())])?;
        let ra = converter.convert_columns(&[Arc::clone(la.values())])?;
        let rb = converter.convert_columns(&[Arc::clone(lb.values())])?;
        let mut out = Vec::with_capacity(rows);
        for r in 0..rows {
            if la.is_null(r) || lb.is_null(r) {
                out.push(None);
                continue;
            }
            let ((sa, ea), (sb, eb)) = (row_range(la, r), row_range(lb, r));
            let n = eb - sb;
            let found = n == 0
                || (sa..(ea + 1).saturating_sub(n))
                    .any(|p| (0..n).all(|k| ra.row(p + k) == rb.row(sb + k)));
            out.push(Some(found));
        }
        Ok(Arc::new(BooleanArray::from(out)))
    }
}

/// `array_intersect`, `array_union`, `array_except`: without duplicates, in the order
/// of first appearance (NULL counts as a value, as does NaN).
#[derive(Clone, Copy)]
enum SetOp {
    Intersect,
    Union,
    Except,
}

impl SetOp {
    fn name(self) -> &'static str {
        match self {
            SetOp::Intersect => "array_intersect",
            SetOp::Union => "array_union",
            SetOp::Except => "array_except",
        }
    }
}

impl CollectionFn for SetOp {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_arrays(self.name(), types, types.len() == 2)
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field(self.name(), args.arg_fields[0].data_type().clone()))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let (a, b) = (list(&args[0])?, list(&args[1])?);
        let (la, lb) = (a.as_list::<i32>(), b.as_list::<i32>());
        let converter = RowConverter::new(vec![SortField::new(la.value_type())])?;
        let ra = converter.convert_columns(&[Arc::clone(la.values())])?;
        let rb = converter.convert_columns(&[Arc::clone(lb.values())])?;
        // Picks into the values of `a` followed by those of `b`.
        let offset = la.values().len() as u32;
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if la.is_null(r) || lb.is_null(r) {
                picks.push(None);
                continue;
            }
            let ((sa, ea), (sb, eb)) = (row_range(la, r), row_range(lb, r));
            let in_b: HashSet<_> = (sb..eb).map(|q| rb.row(q)).collect();
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for p in sa..ea {
                let keep = match self {
                    SetOp::Intersect => in_b.contains(&ra.row(p)),
                    SetOp::Union => true,
                    SetOp::Except => !in_b.contains(&ra.row(p)),
                };
                if keep && seen.insert(ra.row(p)) {
                    out.push(p as u32);
                }
            }
            if let SetOp::Union = self {
                for q in sb..eb {
                    if seen.insert(rb.row(q)) {
                        out.push(offset + q as u32);
                    }
                }
            }
            picks.push(Some(out));
        }
        let both =
            datafusion::arrow::compute::concat(&[la.values().as_ref(), lb.values().as_ref()])?;
        gather(result_element(result), both.as_ref(), &picks)
    }
}

/// `array_sort(array)`: ascending, NULLs last; arrays and rows compare as Trino's
/// (`compare.rs`), maps are not orderable.
struct Sort;

impl CollectionFn for Sort {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        Extreme { max: true }
            .coerce(types)
            .or_else(|_| unexpected("array_sort", types))
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("array_sort", args.arg_fields[0].data_type().clone()))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let values = l.values();
        let c = Comparer::new(values.as_ref(), values.as_ref())?;
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) {
                picks.push(None);
                continue;
            }
            let (s, e) = row_range(l, r);
            let (mut present, nulls): (Vec<u32>, Vec<u32>) =
                (s as u32..e as u32).partition(|&p| !values.is_null(p as usize));
            let mut failure = None;
            present.sort_by(|&x, &y| match c.cmp(x as usize, y as usize) {
                Ok(o) => o,
                Err(e) => {
                    failure.get_or_insert(e);
                    Ordering::Equal
                }
            });
            if let Some(e) = failure {
                return Err(e);
            }
            present.extend(nulls);
            picks.push(Some(present));
        }
        gather(result_element(result), values.as_ref(), &picks)
    }
}

/// `flatten(array(array(T)))`: the elements of the inner arrays, NULL ones skipped.
struct Flatten;

impl CollectionFn for Flatten {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [t] if t.is_null() || element_type(t).is_some_and(|e| e.is_null()) => {
                Ok(vec![list_of(list_of(DataType::Null))])
            }
            [t] if element_type(t).and_then(|e| element_type(&e)).is_some() => {
                let inner = element_type(t)
                    .and_then(|e| element_type(&e))
                    .unwrap_or(DataType::Null);
                Ok(vec![list_of(list_of(inner))])
            }
            _ => unexpected("flatten", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let inner = element_type(args.arg_fields[0].data_type()).unwrap_or(DataType::Null);
        Ok(field("flatten", inner))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let outer = a.as_list::<i32>();
        let inner = list(outer.values())?;
        let inner = inner.as_list::<i32>();
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if outer.is_null(r) {
                picks.push(None);
                continue;
            }
            let (s, e) = row_range(outer, r);
            let elements: Vec<u32> = (s..e)
                .filter(|&i| !inner.is_null(i))
                .flat_map(|i| {
                    let (x, y) = row_range(inner, i);
                    x as u32..y as u32
                })
                .collect();
            picks.push(Some(elements));
        }
        gather(result_element(result), inner.values().as_ref(), &picks)
    }
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

/// Trino's largest `combinations` size.
const MAX_COMBINATION: i64 = 5;

/// `combinations(array, n)`: every group of `n` elements, in Trino's order (by the
/// position of the last element, then of the one before, ...).
struct Combinations;

impl CollectionFn for Combinations {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_array_and_count("combinations", types)
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field(
            "combinations",
            list_of(args.arg_fields[0].data_type().clone()),
        ))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let k = args[1].as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) || k.is_null(r) {
                picks.push(None);
                continue;
            }
            let n = k.value(r);
            if n < 0 {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: combination size must not be negative: {n}"
                );
            }
            if n > MAX_COMBINATION {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: combination size must not exceed {MAX_COMBINATION}: {n}"
                );
            }
            let (s, e) = row_range(l, r);
            let count = combination_count(e - s, n as usize)?;
            if count as usize * n as usize > MAX_COMBINATION_ELEMENTS {
                return exec_err!("INVALID_FUNCTION_ARGUMENT: combinations exceed max size");
            }
            picks.push(Some(
                colex_combinations(e - s, n as usize)
                    .into_iter()
                    .map(|c| c.into_iter().map(|i| (s + i) as u32).collect())
                    .collect(),
            ));
        }
        nested_gather(result, l.values().as_ref(), &picks)
    }
}

/// The most elements (of all the groups together) one `combinations` makes, as Trino.
const MAX_COMBINATION_ELEMENTS: usize = 100_000;

/// How many `k`-element groups `n` elements make, computed as Trino computes it (in
/// 32-bit integers: an overflow fails the query).
fn combination_count(n: usize, k: usize) -> Result<i32> {
    let too_large = || {
        exec_err!(
            "INVALID_FUNCTION_ARGUMENT: Number of combinations too large for array of size {n} and combination length {k}"
        )
    };
    let (Ok(n32), Ok(k32)) = (i32::try_from(n), i32::try_from(k)) else {
        return too_large();
    };
    let mut count: i32 = 1;
    for i in 1..=k32 {
        let Some(product) = count.checked_mul(n32 - k32 + i) else {
            return too_large();
        };
        count = product / i;
    }
    Ok(count.max(0))
}

/// The `k`-element subsets of `0..n` in colexicographic order.
fn colex_combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    if k > n {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut c: Vec<usize> = (0..k).collect();
    loop {
        out.push(c.clone());
        // The first position that can move up without reaching the next one.
        let Some(j) = (0..k).find(|&j| c[j] + 1 < if j + 1 < k { c[j + 1] } else { n }) else {
            return out;
        };
        c[j] += 1;
        for (i, v) in c.iter_mut().enumerate().take(j) {
            *v = i;
        }
    }
}

/// `ngrams(array, n)`: the runs of `n` consecutive elements (the whole array when it is
/// shorter).
struct Ngrams;

impl CollectionFn for Ngrams {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_array_and_count("ngrams", types)
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field(
            "ngrams",
            list_of(args.arg_fields[0].data_type().clone()),
        ))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let k = args[1].as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) || k.is_null(r) {
                picks.push(None);
                continue;
            }
            let n = k.value(r);
            if n <= 0 {
                return exec_err!("INVALID_FUNCTION_ARGUMENT: N must be positive");
            }
            let (s, e) = row_range(l, r);
            let n = (n as usize).min(e - s);
            let grams: Vec<Vec<u32>> = if n == 0 {
                vec![Vec::new()]
            } else {
                (s..=e - n)
                    .map(|p| (p as u32..(p + n) as u32).collect())
                    .collect()
            };
            picks.push(Some(grams));
        }
        nested_gather(result, l.values().as_ref(), &picks)
    }
}

/// `shuffle(array)`: the elements in a random order.
struct Shuffle;

impl CollectionFn for Shuffle {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [a] if element_type(a).is_some() => {
                Ok(vec![list_of(element_type(a).unwrap_or(DataType::Null))])
            }
            _ => unexpected("shuffle", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("shuffle", args.arg_fields[0].data_type().clone()))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        use std::hash::{BuildHasher, Hasher};
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        // xorshift64*, seeded by the standard library's per-process random keys.
        let mut state = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
            | 1;
        let mut next = move |bound: usize| -> usize {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) % bound as u64) as usize
        };
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) {
                picks.push(None);
                continue;
            }
            let (s, e) = row_range(l, r);
            let mut order: Vec<u32> = (s as u32..e as u32).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, next(i + 1));
            }
            picks.push(Some(order));
        }
        gather(result_element(result), l.values().as_ref(), &picks)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Int32Array, StringArray};
    use datafusion::arrow::datatypes::Int32Type;

    use super::super::testing::{call, error};
    use super::*;

    fn ints(values: &[Option<i32>]) -> ArrayRef {
        Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(values.to_vec()),
        ]))
    }

    fn int(v: Option<i32>) -> ArrayRef {
        Arc::new(Int32Array::from(vec![v]))
    }

    fn text(v: &str) -> ArrayRef {
        Arc::new(StringArray::from(vec![v]))
    }

    #[test]
    fn searches_are_three_valued() {
        let a = || ints(&[Some(1), None, Some(3)]);
        let answer = |f: Search, v| call(&f, vec![a(), int(v)]).unwrap();
        assert_eq!(answer(Search::Contains, Some(3)).as_deref(), Some("true"));
        assert_eq!(answer(Search::Contains, Some(2)), None);
        assert_eq!(answer(Search::Contains, None), None);
        assert_eq!(answer(Search::Position, Some(3)).as_deref(), Some("3"));
        assert_eq!(answer(Search::Position, Some(2)), None);
        assert_eq!(
            answer(Search::Remove, Some(1)).as_deref(),
            Some("[null, 3]")
        );
        let b = ints(&[Some(1), Some(2)]);
        assert_eq!(
            call(&Search::Position, vec![b, int(Some(5))])
                .unwrap()
                .as_deref(),
            Some("0")
        );
        assert!(
            Search::Contains
                .coerce(&[list_of(DataType::Int32), DataType::Utf8])
                .unwrap_err()
                .to_string()
                .contains("FUNCTION_NOT_FOUND")
        );
    }

    #[test]
    fn extremes_are_null_with_a_null_element() {
        let max = Extreme { max: true };
        assert_eq!(
            call(&max, vec![ints(&[Some(1), Some(5), Some(3)])])
                .unwrap()
                .as_deref(),
            Some("5")
        );
        assert_eq!(call(&max, vec![ints(&[Some(1), None])]).unwrap(), None);
        assert_eq!(call(&max, vec![ints(&[])]).unwrap(), None);
    }

    #[test]
    fn slices_and_trims_follow_trino() {
        let a = || ints(&[Some(1), Some(2), Some(3), Some(4)]);
        let n = |v: i64| -> ArrayRef { Arc::new(Int64Array::from(vec![v])) };
        assert_eq!(
            call(&Slice, vec![a(), n(-2), n(5)]).unwrap().as_deref(),
            Some("[3, 4]")
        );
        assert_eq!(
            call(&Slice, vec![a(), n(5), n(1)]).unwrap().as_deref(),
            Some("[]")
        );
        assert!(error(&Slice, vec![a(), n(0), n(1)]).contains("indices start at 1"));
        assert!(error(&Slice, vec![a(), n(1), n(-1)]).contains("length must be"));
        assert_eq!(
            call(&TrimArray, vec![a(), n(1)]).unwrap().as_deref(),
            Some("[1, 2, 3]")
        );
        assert!(error(&TrimArray, vec![a(), n(5)]).contains("cardinality 4: 5"));
    }

    #[test]
    fn concatenation_is_null_with_a_null_argument() {
        assert_eq!(
            call(&Concat, vec![ints(&[Some(1)]), int(Some(2))])
                .unwrap()
                .as_deref(),
            Some("[1, 2]")
        );
        assert_eq!(
            call(&Concat, vec![int(Some(0)), ints(&[Some(1)]), int(None)]).unwrap(),
            None
        );
        assert!(
            Concat
                .coerce(&[list_of(DataType::Null), list_of(DataType::Int32)])
                .unwrap_err()
                .to_string()
                .contains("AMBIGUOUS_FUNCTION_CALL")
        );
    }

    #[test]
    fn set_operations_keep_the_first_appearance() {
        let a = || ints(&[Some(5), Some(1), Some(5), None, Some(3)]);
        let b = || ints(&[Some(3), Some(5), None]);
        let run = |op: SetOp| call(&op, vec![a(), b()]).unwrap();
        assert_eq!(run(SetOp::Intersect).as_deref(), Some("[5, null, 3]"));
        assert_eq!(run(SetOp::Union).as_deref(), Some("[5, 1, null, 3]"));
        assert_eq!(run(SetOp::Except).as_deref(), Some("[1]"));
    }

    #[test]
    fn joins_skip_or_replace_nulls_and_sorts_put_them_last() {
        let texts = || -> ArrayRef {
            let field = Arc::new(Field::new("item", DataType::Utf8, true));
            Arc::new(
                ListArray::try_new(
                    field,
                    OffsetBuffer::from_lengths([3]),
                    Arc::new(StringArray::from(vec![Some("a"), None, Some("c")])),
                    None,
                )
                .unwrap(),
            )
        };
        assert_eq!(
            call(&Join, vec![texts(), texts(), text(",")])
                .unwrap()
                .as_deref(),
            Some("a,c")
        );
        assert_eq!(
            call(&Join, vec![texts(), texts(), text(","), text("N")])
                .unwrap()
                .as_deref(),
            Some("a,N,c")
        );
        assert_eq!(
            call(&Sort, vec![ints(&[Some(3), None, Some(1)])])
                .unwrap()
                .as_deref(),
            Some("[1, 3, null]")
        );
    }

    #[test]
    fn element_types_of_different_families_do_not_mix() {
        assert_eq!(
            common_type(&[DataType::Int32, DataType::Decimal128(2, 1)]),
            Ok(DataType::Decimal128(11, 1))
        );
        assert_eq!(
            common_type(&[DataType::Null, DataType::Utf8]),
            Ok(DataType::Utf8)
        );
        assert!(common_type(&[DataType::Int32, DataType::Utf8]).is_err());
        assert!(common_type(&[DataType::Boolean, DataType::Int64]).is_err());
    }

    #[test]
    fn combinations_come_in_trinos_order() {
        assert_eq!(
            colex_combinations(4, 3),
            vec![vec![0, 1, 2], vec![0, 1, 3], vec![0, 2, 3], vec![1, 2, 3]]
        );
        assert_eq!(
            colex_combinations(4, 2)[..4],
            [vec![0, 1], vec![0, 2], vec![1, 2], vec![0, 3]]
        );
        assert_eq!(colex_combinations(2, 0), vec![Vec::<usize>::new()]);
        assert_eq!(combination_count(20, 5).unwrap(), 15504);
        assert_eq!(combination_count(2, 3).unwrap(), 0);
        assert!(combination_count(5000, 3).is_err());
        assert!(colex_combinations(2, 3).is_empty());
    }

    #[test]
    fn list_depth_counts_nesting() {
        assert_eq!(depth(&DataType::Int32), 0);
        assert_eq!(depth(&list_of(list_of(DataType::Int32))), 2);
        assert_eq!(depth(&DataType::Null), 0);
    }
}
