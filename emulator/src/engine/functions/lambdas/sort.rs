//! `array_sort` with a comparator lambda.

use std::sync::Arc;

use super::elements::{Rows, call, element_field, list_rows};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, ListArray, UInt32Array};
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::LambdaArgument;

/// `array_sort(array, (x, y) -> -1 | 0 | 1)`: a stable merge sort whose comparisons are
/// the lambda's answers (a comparator that is not a total order cannot make it panic).
pub(super) fn sort_by(list: &ArrayRef, cmp: &LambdaArgument) -> Result<ArrayRef> {
    let (l, rows) = list_rows(list)?;
    let values = l.values();
    let mut order: Vec<u32> = Vec::new();
    let mut lens = Vec::with_capacity(rows.ranges.len());
    for (r, &(s, e)) in rows.ranges.iter().enumerate() {
        let mut idx: Vec<u32> = ((s as u32)..(e as u32)).collect();
        let owner = UInt32Array::from(vec![r as u32]);
        let mut compare = |x: u32, y: u32| -> Result<bool> {
            let px = take(values.as_ref(), &UInt32Array::from(vec![x]), None)?;
            let py = take(values.as_ref(), &UInt32Array::from(vec![y]), None)?;
            let c = call(cmp, &[px, py], &owner)?;
            let c = cast(&c, &DataType::Int64)?;
            let c: &Int64Array = c.as_primitive();
            match c.is_valid(0).then(|| c.value(0)) {
                // y goes first only when x is greater.
                Some(-1 | 0) => Ok(false),
                Some(1) => Ok(true),
                other => exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: Lambda comparator must return either -1, 0, or 1, got {}",
                    other.map_or_else(|| "null".to_owned(), |v| v.to_string())
                ),
            }
        };
        merge_sort(&mut idx, &mut compare)?;
        lens.push(idx.len());
        order.extend(idx);
    }
    let sorted = take(values.as_ref(), &UInt32Array::from(order), None)?;
    let field = element_field(l.data_type())?;
    Ok(Arc::new(ListArray::try_new(
        field,
        Rows::offsets(lens.into_iter()),
        sorted,
        rows.nulls.clone(),
    )?))
}

/// Sorts `v` stably; `after(x, y)` says whether `x` must come after `y`.
fn merge_sort(v: &mut [u32], after: &mut impl FnMut(u32, u32) -> Result<bool>) -> Result<()> {
    if v.len() <= 1 {
        return Ok(());
    }
    let mid = v.len() / 2;
    merge_sort(&mut v[..mid], after)?;
    merge_sort(&mut v[mid..], after)?;
    let (mut i, mut j) = (0, mid);
    let mut merged = Vec::with_capacity(v.len());
    while i < mid && j < v.len() {
        if after(v[i], v[j])? {
            merged.push(v[j]);
            j += 1;
        } else {
            merged.push(v[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&v[i..mid]);
    merged.extend_from_slice(&v[j..]);
    v.copy_from_slice(&merged);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::merge_sort;

    #[test]
    fn merge_sort_is_stable_and_survives_a_comparator_that_is_no_order() {
        let mut v = vec![3, 1, 2, 1, 0];
        merge_sort(&mut v, &mut |x, y| Ok(x > y)).unwrap();
        assert_eq!(v, vec![0, 1, 1, 2, 3]);
        let mut v: Vec<u32> = (0..50).collect();
        let mut n = 0u32;
        merge_sort(&mut v, &mut |_, _| {
            n += 1;
            Ok(n.is_multiple_of(3))
        })
        .unwrap();
        v.sort_unstable();
        assert_eq!(v, (0..50).collect::<Vec<_>>());
    }
}
