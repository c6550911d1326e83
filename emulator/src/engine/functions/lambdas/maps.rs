//! The lambdas over maps: `map_filter`, `transform_keys` and `transform_values`.

use std::collections::HashSet;
use std::sync::Arc;

use super::elements::{Rows, as_bool, call, map_rows};
use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, MapArray, StructArray};
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
