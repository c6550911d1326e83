//! The lambdas over maps: `map_filter`, `transform_keys` and `transform_values`.

use std::collections::HashSet;
use std::sync::Arc;

use super::elements::{Rows, as_bool, call, map_rows};
use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, MapArray, StructArray, UInt32Array};
use datafusion::arrow::compute::{cast, filter};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::LambdaArgument;

/// The keys and values of the non-NULL rows of a map.
fn map_entries(m: &MapArray, rows: &Rows) -> Result<(ArrayRef, ArrayRef)> {
    let keys = rows.elements(m.keys())?;
    let values = rows.elements(m.values())?;
    Ok((keys, values))
}

fn map_field(m: &MapArray) -> Result<FieldRef> {
    match m.data_type() {
        DataType::Map(f, _) => Ok(Arc::clone(f)),
        other => exec_err!("expected a map, got {other}"),
    }
}

/// `map_filter(map, (k, v) -> boolean)`.
pub(super) fn map_filter(map: &ArrayRef, p: &LambdaArgument) -> Result<ArrayRef> {
    let (m, rows) = map_rows(map)?;
    let (keys, values) = map_entries(m, &rows)?;
    let keep = as_bool(
        "map_filter",
        &call(p, &[Arc::clone(&keys), Arc::clone(&values)], &rows.owner)?,
    )?;
    // NULL counts as false.
    let keep = BooleanArray::from_iter(keep.iter().map(|v| Some(v == Some(true))));
    let mut lens = Vec::with_capacity(rows.ranges.len());
    let mut at = 0;
    for &(s, e) in &rows.ranges {
        lens.push((at..at + (e - s)).filter(|&i| keep.value(i)).count());
        at += e - s;
    }
    let entries = StructArray::try_new(
        m.entries().fields().clone(),
        vec![filter(&keys, &keep)?, filter(&values, &keep)?],
        None,
    )?;
    Ok(Arc::new(MapArray::try_new(
        map_field(m)?,
        Rows::offsets(lens.into_iter()),
        entries,
        rows.nulls.clone(),
        false,
    )?))
}

/// `transform_keys` (`keys` true) or `transform_values`.
pub(super) fn transform_map(
    map: &ArrayRef,
    f: &LambdaArgument,
    keys: bool,
    out_type: &DataType,
) -> Result<ArrayRef> {
    let (m, rows) = map_rows(map)?;
    let (k, v) = map_entries(m, &rows)?;
    let new = call(f, &[Arc::clone(&k), Arc::clone(&v)], &rows.owner)?;
    let DataType::Map(entries_field, _) = out_type else {
        return exec_err!("expected a map type, got {out_type}");
    };
    let DataType::Struct(fields) = entries_field.data_type() else {
        return exec_err!("expected map entries, got {}", entries_field.data_type());
    };
    let target = if keys { &fields[0] } else { &fields[1] };
    let new = if new.data_type() == target.data_type() {
        new
    } else {
        cast(&new, target.data_type())?
    };
    if keys {
        check_keys(&new, &rows)?;
    }
    let columns = if keys { vec![new, v] } else { vec![k, new] };
    let entries = StructArray::try_new(fields.clone(), columns, None)?;
    let lens = rows.ranges.iter().map(|(s, e)| e - s);
    Ok(Arc::new(MapArray::try_new(
        Arc::clone(entries_field),
        Rows::offsets(lens),
        entries,
        rows.nulls.clone(),
        false,
    )?))
}

/// Trino refuses a NULL key and two equal keys in one map.
fn check_keys(keys: &ArrayRef, rows: &Rows) -> Result<()> {
    if keys.null_count() > 0 {
        return exec_err!("INVALID_FUNCTION_ARGUMENT: map key cannot be null");
    }
    let converter = RowConverter::new(vec![SortField::new(keys.data_type().clone())])?;
    let encoded = converter.convert_columns(&[Arc::clone(keys)])?;
    let mut at = 0;
    for &(s, e) in &rows.ranges {
        let mut seen = HashSet::new();
        for i in at..at + (e - s) {
            if !seen.insert(encoded.row(i)) {
                let key = ScalarValue::try_from_array(keys, i)?;
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: Duplicate map keys ({key}) are not allowed"
                );
            }
        }
        at += e - s;
    }
    Ok(())
}

/// `map_zip_with(a, b, (k, v1, v2) -> v3)`: every key of either map (those of `a` first,
/// in order, then those only in `b`), `v1`/`v2` NULL where a map lacks the key.
pub(super) fn map_zip_with(
    a: &ArrayRef,
    b: &ArrayRef,
    f: &LambdaArgument,
    out_type: &DataType,
) -> Result<ArrayRef> {
    let (ma, ra) = map_rows(a)?;
    let (mb, rb) = map_rows(b)?;
    let converter = RowConverter::new(vec![SortField::new(ma.key_type().clone())])?;
    let ka = converter.convert_columns(&[Arc::clone(ma.keys())])?;
    let kb = converter.convert_columns(&[Arc::clone(mb.keys())])?;
    let n = ra.ranges.len();
    let (mut keys, mut v1, mut v2, mut owner, mut lens, mut valid) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for r in 0..n {
        let null = ra.nulls.as_ref().is_some_and(|x| x.is_null(r))
            || rb.nulls.as_ref().is_some_and(|x| x.is_null(r));
        if null {
            lens.push(0);
            valid.push(false);
            continue;
        }
        let ((sa, ea), (sb, eb)) = (ra.ranges[r], rb.ranges[r]);
        let before = keys.len();
        for p in sa..ea {
            keys.push((0, p));
            v1.push(Some(p as u32));
            v2.push((sb..eb).find(|&q| kb.row(q) == ka.row(p)).map(|q| q as u32));
        }
        for q in sb..eb {
            if !(sa..ea).any(|p| ka.row(p) == kb.row(q)) {
                keys.push((1, q));
                v1.push(None);
                v2.push(Some(q as u32));
            }
        }
        owner.extend(std::iter::repeat_n(r as u32, keys.len() - before));
        lens.push(keys.len() - before);
        valid.push(true);
    }
    let key_values: ArrayRef = if keys.is_empty() {
        datafusion::arrow::array::new_empty_array(ma.key_type())
    } else {
        datafusion::arrow::compute::interleave(&[ma.keys().as_ref(), mb.keys().as_ref()], &keys)?
    };
    let x = datafusion::arrow::compute::take(ma.values().as_ref(), &UInt32Array::from(v1), None)?;
    let y = datafusion::arrow::compute::take(mb.values().as_ref(), &UInt32Array::from(v2), None)?;
    let z = call(
        f,
        &[Arc::clone(&key_values), x, y],
        &UInt32Array::from(owner),
    )?;
    let DataType::Map(entries_field, _) = out_type else {
        return exec_err!("expected a map type, got {out_type}");
    };
    let DataType::Struct(fields) = entries_field.data_type() else {
        return exec_err!("expected map entries, got {}", entries_field.data_type());
    };
    let z = if z.data_type() == fields[1].data_type() {
        z
    } else {
        cast(&z, fields[1].data_type())?
    };
    let entries = StructArray::try_new(fields.clone(), vec![key_values, z], None)?;
    let nulls = datafusion::arrow::buffer::NullBuffer::from(valid);
    Ok(Arc::new(MapArray::try_new(
        Arc::clone(entries_field),
        Rows::offsets(lens.into_iter()),
        entries,
        (nulls.null_count() > 0).then_some(nulls),
        false,
    )?))
}
