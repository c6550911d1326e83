//! Trino's map constructors and `map_concat` (trino.io, "Map functions and operators"):
//! `map()`, `map(keys, values)`, `map_from_entries`, `map_entries` and `map_concat`.
//! A map never holds a NULL key or two equal keys: building one fails with
//! `INVALID_FUNCTION_ARGUMENT`, as in Trino.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, ListArray, MapArray, StructArray, UInt32Array, new_empty_array,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::{cast, interleave, take};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{ReturnFieldArgs, ScalarUDF};

use super::arrays::common_type;
use super::compare::as_list_array;
use super::{CollectionFn, CollectionUdf, element_of, field, list_of};
use crate::engine::functions::trino_type_name;

pub(super) fn udfs() -> Vec<ScalarUDF> {
    vec![
        CollectionUdf::udf("athena_map", FromArrays),
        CollectionUdf::udf("athena_map_from_entries", FromEntries),
        CollectionUdf::udf("athena_map_entries", Entries),
        CollectionUdf::udf("athena_map_concat", MapConcat),
        CollectionUdf::udf("athena_multimap_from_entries", MultimapFromEntries),
    ]
}

/// A map type of these key and value types.
pub(super) fn map_type(key: DataType, value: DataType) -> DataType {
    let entries = Field::new(
        "entries",
        DataType::Struct(Fields::from(vec![
            Field::new("key", key, false),
            Field::new("value", value, true),
        ])),
        false,
    );
    DataType::Map(Arc::new(entries), false)
}

/// The key and value types of a map type.
pub(super) fn key_value(t: &DataType) -> Option<(DataType, DataType)> {
    match t {
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                Some((kv[0].data_type().clone(), kv[1].data_type().clone()))
            }
            _ => None,
        },
        _ => None,
    }
}

fn unexpected<T>(name: &str, types: &[DataType]) -> Result<T> {
    let shown: Vec<String> = types.iter().map(trino_type_name).collect();
    plan_err!(
        "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function {name}",
        shown.join(", ")
    )
}

/// A map array from the entries each row takes (`None`: a NULL map), checking that no
/// key is NULL and no row holds a key twice.
fn build(
    map: &DataType,
    keys: ArrayRef,
    values: ArrayRef,
    lens: &[Option<usize>],
) -> Result<ArrayRef> {
    let DataType::Map(entries_field, _) = map else {
        return exec_err!("expected a map type, got {map}");
    };
    let DataType::Struct(fields) = entries_field.data_type() else {
        return exec_err!("expected map entries, got {}", entries_field.data_type());
    };
    if keys.null_count() > 0 || keys.data_type().is_null() && !keys.is_empty() {
        return exec_err!("INVALID_FUNCTION_ARGUMENT: map key cannot be null");
    }
    check_unique(&keys, lens)?;
    let keys = if keys.data_type() == fields[0].data_type() {
        keys
    } else {
        cast(&keys, fields[0].data_type())?
    };
    let values = if values.data_type() == fields[1].data_type() {
        values
    } else {
        cast(&values, fields[1].data_type())?
    };
    let entries = StructArray::try_new(fields.clone(), vec![keys, values], None)?;
    let nulls = NullBuffer::from_iter(lens.iter().map(Option::is_some));
    Ok(Arc::new(MapArray::try_new(
        Arc::clone(entries_field),
        OffsetBuffer::from_lengths(lens.iter().map(|l| l.unwrap_or(0))),
        entries,
        (nulls.null_count() > 0).then_some(nulls),
        false,
    )?))
}

/// Fails on the first key a row holds twice.
fn check_unique(keys: &ArrayRef, lens: &[Option<usize>]) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let converter = RowConverter::new(vec![SortField::new(keys.data_type().clone())])?;
    let rows = converter.convert_columns(&[Arc::clone(keys)])?;
    let mut at = 0;
    for len in lens.iter().flatten() {
        let mut seen = HashSet::with_capacity(*len);
        for i in at..at + len {
            if !seen.insert(rows.row(i)) {
                let key = ScalarValue::try_from_array(keys, i)?;
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: Duplicate map keys ({key}) are not allowed"
                );
            }
        }
        at += len;
    }
    Ok(())
}

/// `map()` and `map(keys, values)`.
struct FromArrays;

impl CollectionFn for FromArrays {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [] => Ok(vec![]),
            [k, v] => {
                let element = |t: &DataType| match t {
                    DataType::Null => Some(DataType::Null),
                    t => element_of(t).map(|f| f.data_type().clone()),
                };
                match (element(k), element(v)) {
                    (Some(k), Some(v)) => Ok(vec![list_of(k), list_of(v)]),
                    _ => unexpected("map", types),
                }
            }
            _ => unexpected("map", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let element = |i: usize| {
            args.arg_fields
                .get(i)
                .and_then(|f| element_of(f.data_type()))
                .map_or(DataType::Null, |f| f.data_type().clone())
        };
        Ok(field("map", map_type(element(0), element(1))))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let (key_type, value_type) =
            key_value(result.data_type()).unwrap_or((DataType::Null, DataType::Null));
        if args.is_empty() {
            return build(
                result.data_type(),
                new_empty_array(&key_type),
                new_empty_array(&value_type),
                &vec![Some(0); rows],
            );
        }
        let (k, v) = (
            as_list_array(args[0].as_ref())?,
            as_list_array(args[1].as_ref())?,
        );
        let (lk, lv) = (k.as_list::<i32>(), v.as_list::<i32>());
        let (mut ki, mut vi, mut lens) = (Vec::new(), Vec::new(), Vec::with_capacity(rows));
        for r in 0..rows {
            if lk.is_null(r) || lv.is_null(r) {
                lens.push(None);
                continue;
            }
            let (ok, ov) = (lk.value_offsets(), lv.value_offsets());
            let (ks, ke, vs, ve) = (ok[r], ok[r + 1], ov[r], ov[r + 1]);
            if ke - ks != ve - vs {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: Key and value arrays must be the same length"
                );
            }
            ki.extend(ks as u32..ke as u32);
            vi.extend(vs as u32..ve as u32);
            lens.push(Some((ke - ks) as usize));
        }
        let keys = take(lk.values().as_ref(), &UInt32Array::from(ki), None)?;
        let values = take(lv.values().as_ref(), &UInt32Array::from(vi), None)?;
        build(result.data_type(), keys, values, &lens)
    }
}

/// The key and value types of an `array(row(k, v))` type.
fn entry_types(t: &DataType) -> Option<(DataType, DataType)> {
    match element_of(t).map(|f| f.data_type()) {
        Some(DataType::Struct(kv)) if kv.len() == 2 => {
            Some((kv[0].data_type().clone(), kv[1].data_type().clone()))
        }
        _ => None,
    }
}

/// `map_from_entries(array(row(k, v)))`.
struct FromEntries;

impl CollectionFn for FromEntries {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [t] if entry_types(t).is_some() => Ok(vec![t.clone()]),
            // A bare NULL or `ARRAY[]`: an array of rows of unknown fields.
            [t] if t.is_null() || element_of(t).is_some_and(|e| e.data_type().is_null()) => {
                Ok(vec![list_of(DataType::Struct(Fields::from(vec![
                    Field::new("c0", DataType::Null, true),
                    Field::new("c1", DataType::Null, true),
                ])))])
            }
            _ => unexpected("map_from_entries", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let (k, v) =
            entry_types(args.arg_fields[0].data_type()).unwrap_or((DataType::Null, DataType::Null));
        Ok(field("map_from_entries", map_type(k, v)))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = as_list_array(args[0].as_ref())?;
        let l = a.as_list::<i32>();
        let entries = l.values().as_struct();
        let mut picked = Vec::new();
        let mut lens = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) {
                lens.push(None);
                continue;
            }
            let (s, e) = (
                l.value_offsets()[r] as usize,
                l.value_offsets()[r + 1] as usize,
            );
            if (s..e).any(|p| entries.is_null(p)) {
                return exec_err!("INVALID_FUNCTION_ARGUMENT: map entry cannot be null");
            }
            picked.extend(s as u32..e as u32);
            lens.push(Some(e - s));
        }
        let at = UInt32Array::from(picked);
        let keys = take(entries.column(0).as_ref(), &at, None)?;
        let values = take(entries.column(1).as_ref(), &at, None)?;
        build(result.data_type(), keys, values, &lens)
    }
}

/// `map_entries(map)`: an array of anonymous rows `(key, value)`.
struct Entries;

fn entries_type(map: &DataType) -> DataType {
    let (k, v) = key_value(map).unwrap_or((DataType::Null, DataType::Null));
    list_of(DataType::Struct(Fields::from(vec![
        Field::new("c0", k, true),
        Field::new("c1", v, true),
    ])))
}

impl CollectionFn for Entries {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [t] if key_value(t).is_some() => Ok(vec![t.clone()]),
            [DataType::Null] => Ok(vec![map_type(DataType::Null, DataType::Null)]),
            _ => unexpected("map_entries", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field(
            "map_entries",
            entries_type(args.arg_fields[0].data_type()),
        ))
    }

    fn invoke(&self, args: &[ArrayRef], _: usize, result: &FieldRef) -> Result<ArrayRef> {
        let m = args[0].as_map();
        let Some(element) = element_of(result.data_type()) else {
            return exec_err!("map_entries makes an array");
        };
        let DataType::Struct(fields) = element.data_type() else {
            return exec_err!("map_entries makes rows");
        };
        let entries = m.entries();
        let rows = StructArray::try_new(
            fields.clone(),
            vec![Arc::clone(entries.column(0)), Arc::clone(entries.column(1))],
            None,
        )?;
        Ok(Arc::new(ListArray::try_new(
            Arc::clone(element),
            m.offsets().clone(),
            Arc::new(rows),
            m.nulls().cloned(),
        )?))
    }
}

/// `map_concat(m1, m2, ...)`: the union of the maps, a later map's value winning; the
/// entries of the last map first, then those of earlier maps not already there.
struct MapConcat;

impl CollectionFn for MapConcat {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        if types.len() < 2 {
            return plan_err!(
                "INVALID_FUNCTION_ARGUMENT: There must be two or more concatenation arguments to map_concat"
            );
        }
        let kvs: Option<Vec<(DataType, DataType)>> = types
            .iter()
            .map(|t| match t {
                DataType::Null => Some((DataType::Null, DataType::Null)),
                t => key_value(t),
            })
            .collect();
        let Some(kvs) = kvs else {
            return unexpected("map_concat", types);
        };
        let keys: Vec<DataType> = kvs.iter().map(|(k, _)| k.clone()).collect();
        let values: Vec<DataType> = kvs.iter().map(|(_, v)| v.clone()).collect();
        match (common_type(&keys), common_type(&values)) {
            (Ok(k), Ok(v)) => Ok(vec![map_type(k, v); types.len()]),
            _ => unexpected("map_concat", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("map_concat", args.arg_fields[0].data_type().clone()))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let maps: Vec<&MapArray> = args.iter().map(|a| a.as_map()).collect();
        let (key_type, _) =
            key_value(result.data_type()).unwrap_or((DataType::Null, DataType::Null));
        let converter = RowConverter::new(vec![SortField::new(key_type)])?;
        let encoded = maps
            .iter()
            .map(|m| converter.convert_columns(&[Arc::clone(m.keys())]))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut picks: Vec<(usize, usize)> = Vec::new();
        let mut lens = Vec::with_capacity(rows);
        for r in 0..rows {
            if maps.iter().any(|m| m.is_null(r)) {
                lens.push(None);
                continue;
            }
            let before = picks.len();
            let mut seen = HashSet::new();
            for (k, m) in maps.iter().enumerate().rev() {
                let (s, e) = (
                    m.value_offsets()[r] as usize,
                    m.value_offsets()[r + 1] as usize,
                );
                for p in s..e {
                    if seen.insert(encoded[k].row(p)) {
                        picks.push((k, p));
                    }
                }
            }
            lens.push(Some(picks.len() - before));
        }
        let pick = |column: usize| -> Result<ArrayRef> {
            let sources: Vec<&dyn Array> = maps
                .iter()
                .map(|m| m.entries().column(column).as_ref())
                .collect();
            if picks.is_empty() {
                return Ok(new_empty_array(sources[0].data_type()));
            }
            Ok(interleave(&sources, &picks)?)
        };
        build(result.data_type(), pick(0)?, pick(1)?, &lens)
    }
}

/// `multimap_from_entries(array(row(k, v)))`: each key (in the order it first comes) with
/// the array of its values.
struct MultimapFromEntries;

impl CollectionFn for MultimapFromEntries {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        FromEntries.coerce(types)
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let (k, v) =
            entry_types(args.arg_fields[0].data_type()).unwrap_or((DataType::Null, DataType::Null));
        Ok(field("multimap_from_entries", map_type(k, list_of(v))))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = as_list_array(args[0].as_ref())?;
        let l = a.as_list::<i32>();
        let entries = l.values().as_struct();
        let (keys, values) = (entries.column(0), entries.column(1));
        let converter = RowConverter::new(vec![SortField::new(keys.data_type().clone())])?;
        let encoded = converter.convert_columns(&[Arc::clone(keys)])?;
        // For each map: its keys (first entry of each), and each key's entries.
        let (mut key_at, mut value_at, mut group_lens, mut lens) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::with_capacity(rows));
        for r in 0..rows {
            if l.is_null(r) {
                lens.push(None);
                continue;
            }
            let (s, e) = (
                l.value_offsets()[r] as usize,
                l.value_offsets()[r + 1] as usize,
            );
            let mut groups: Vec<(usize, Vec<u32>)> = Vec::new();
            let mut index = std::collections::HashMap::new();
            for p in s..e {
                if entries.is_null(p) {
                    return exec_err!("INVALID_FUNCTION_ARGUMENT: map entry cannot be null");
                }
                if keys.is_null(p) {
                    return exec_err!("INVALID_FUNCTION_ARGUMENT: map key cannot be null");
                }
                let g = *index.entry(encoded.row(p)).or_insert_with(|| {
                    groups.push((p, Vec::new()));
                    groups.len() - 1
                });
                groups[g].1.push(p as u32);
            }
            lens.push(Some(groups.len()));
            for (first, members) in groups {
                key_at.push(first as u32);
                group_lens.push(members.len());
                value_at.extend(members);
            }
        }
        let (_, value_list) =
            key_value(result.data_type()).unwrap_or((DataType::Null, DataType::Null));
        let Some(element) = element_of(&value_list) else {
            return exec_err!("multimap_from_entries makes arrays of values");
        };
        let grouped = ListArray::try_new(
            Arc::clone(element),
            OffsetBuffer::from_lengths(group_lens),
            take(values.as_ref(), &UInt32Array::from(value_at), None)?,
            None,
        )?;
        let keys = take(keys.as_ref(), &UInt32Array::from(key_at), None)?;
        build(result.data_type(), keys, Arc::new(grouped), &lens)
    }
}

/// A one-row map of string keys and integer values.
#[cfg(test)]
pub(super) fn map_of(entries: &[(&str, i32)]) -> ArrayRef {
    use datafusion::arrow::array::{Int32Array, StringArray};
    let keys: ArrayRef = Arc::new(StringArray::from_iter_values(entries.iter().map(|e| e.0)));
    let values: ArrayRef = Arc::new(Int32Array::from_iter_values(entries.iter().map(|e| e.1)));
    build(
        &map_type(DataType::Utf8, DataType::Int32),
        keys,
        values,
        &[Some(entries.len())],
    )
    .expect("a map")
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Int32Array, StringArray};
    use datafusion::arrow::datatypes::Int32Type;

    use super::super::testing::{call, error};
    use super::*;

    fn strings(values: &[Option<&str>]) -> ArrayRef {
        let field = Arc::new(Field::new("item", DataType::Utf8, true));
        Arc::new(
            ListArray::try_new(
                field,
                OffsetBuffer::from_lengths([values.len()]),
                Arc::new(StringArray::from(values.to_vec())),
                None,
            )
            .unwrap(),
        )
    }

    fn ints(values: &[i32]) -> ArrayRef {
        Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(values.iter().map(|v| Some(*v)).collect::<Vec<_>>()),
        ]))
    }

    #[test]
    fn maps_refuse_null_and_duplicate_keys() {
        assert_eq!(
            call(
                &FromArrays,
                vec![strings(&[Some("a"), Some("b")]), ints(&[1, 2])]
            )
            .unwrap()
            .as_deref(),
            Some("{a=1, b=2}")
        );
        assert!(
            error(
                &FromArrays,
                vec![strings(&[Some("a"), Some("a")]), ints(&[1, 2])]
            )
            .contains("Duplicate map keys (a) are not allowed")
        );
        assert!(
            error(
                &FromArrays,
                vec![strings(&[Some("a"), None]), ints(&[1, 2])]
            )
            .contains("map key cannot be null")
        );
        assert!(
            error(&FromArrays, vec![strings(&[Some("a")]), ints(&[1, 2])])
                .contains("must be the same length")
        );
    }

    #[test]
    fn later_maps_win_and_come_first() {
        let a = map_of(&[("a", 1), ("b", 2)]);
        let b = map_of(&[("b", 20), ("c", 30)]);
        assert_eq!(
            call(&MapConcat, vec![a, b]).unwrap().as_deref(),
            Some("{b=20, c=30, a=1}")
        );
        assert!(
            MapConcat
                .coerce(&[map_type(DataType::Utf8, DataType::Int32)])
                .unwrap_err()
                .to_string()
                .contains("two or more")
        );
    }

    #[test]
    fn entries_are_anonymous_rows_and_group_by_first_key() {
        assert_eq!(
            call(&Entries, vec![map_of(&[("a", 1)])])
                .unwrap()
                .as_deref(),
            Some("[{a, 1}]")
        );
        let keys: ArrayRef = Arc::new(Int32Array::from(vec![3, 1, 3]));
        let values: ArrayRef = Arc::new(StringArray::from(vec!["x", "y", "z"]));
        let rows = StructArray::try_new(
            Fields::from(vec![
                Field::new("c0", DataType::Int32, true),
                Field::new("c1", DataType::Utf8, true),
            ]),
            vec![keys, values],
            None,
        )
        .unwrap();
        let entries: ArrayRef = Arc::new(
            ListArray::try_new(
                Arc::new(Field::new("item", rows.data_type().clone(), true)),
                OffsetBuffer::from_lengths([3]),
                Arc::new(rows),
                None,
            )
            .unwrap(),
        );
        assert_eq!(
            call(&MultimapFromEntries, vec![Arc::clone(&entries)])
                .unwrap()
                .as_deref(),
            Some("{3=[x, z], 1=[y]}")
        );
        assert!(
            error(&FromEntries, vec![entries]).contains("Duplicate map keys (3) are not allowed")
        );
    }
}
