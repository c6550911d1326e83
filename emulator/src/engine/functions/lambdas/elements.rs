//! The elements of list and map arrays as the lambdas read them: which elements belong to
//! which row, and a lambda called on all of them at once. A leaf module, shared by the
//! array and map lambdas and `array_sort`.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, ListArray, MapArray, UInt32Array,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::{cast, take, take_arrays};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::LambdaArgument;

pub(super) fn element_field(t: &DataType) -> Result<FieldRef> {
    match t {
        DataType::List(f) => Ok(Arc::clone(f)),
        other => plan_err!("expected an array, got {other}"),
    }
}

/// Rows of a list (or map) array and the range of flattened elements of each; a NULL
/// row has no elements.
pub(super) struct Rows {
    /// Element `i` of row `r` is `values[ranges[r].0 + i]`.
    pub(super) ranges: Vec<(usize, usize)>,
    /// The row of each flattened element (to repeat captured columns).
    pub(super) owner: UInt32Array,
    pub(super) nulls: Option<NullBuffer>,
}

impl Rows {
    pub(super) fn new(offsets: &[i32], nulls: Option<&NullBuffer>) -> Self {
        let base = offsets.first().copied().unwrap_or(0) as usize;
        let mut ranges = Vec::with_capacity(offsets.len().saturating_sub(1));
        let mut owner = Vec::new();
        for (r, w) in offsets.windows(2).enumerate() {
            let (start, end) = (w[0] as usize - base, w[1] as usize - base);
            if nulls.is_some_and(|n| n.is_null(r)) {
                ranges.push((start, start));
            } else {
                ranges.push((start, end));
                owner.extend(std::iter::repeat_n(r as u32, end - start));
            }
        }
        Rows {
            ranges,
            owner: UInt32Array::from(owner),
            nulls: nulls.cloned(),
        }
    }

    /// The flattened elements of the non-NULL rows, in order.
    pub(super) fn elements(&self, values: &ArrayRef) -> Result<ArrayRef> {
        let idx: UInt32Array = self
            .ranges
            .iter()
            .flat_map(|&(s, e)| (s as u32)..(e as u32))
            .collect();
        Ok(take(values.as_ref(), &idx, None)?)
    }

    /// Offsets of a result with `lens[r]` elements in row `r`.
    pub(super) fn offsets(lens: impl Iterator<Item = usize>) -> OffsetBuffer<i32> {
        OffsetBuffer::from_lengths(lens)
    }
}

pub(super) fn list_rows(list: &ArrayRef) -> Result<(&ListArray, Rows)> {
    let Some(l) = list.as_list_opt::<i32>() else {
        return exec_err!("expected an array, got {}", list.data_type());
    };
    let offsets: Vec<i32> = l.value_offsets().to_vec();
    let rows = Rows::new(&offsets, l.nulls());
    Ok((l, rows))
}

pub(super) fn map_rows(map: &ArrayRef) -> Result<(&MapArray, Rows)> {
    let Some(m) = map.as_map_opt() else {
        return exec_err!("expected a map, got {}", map.data_type());
    };
    let offsets: Vec<i32> = m.value_offsets().to_vec();
    let rows = Rows::new(&offsets, m.nulls());
    Ok((m, rows))
}

/// The lambda evaluated once per element: `params[i]` is the i-th parameter of every
/// element, `owner` the row each element comes from.
pub(super) fn call(
    lambda: &LambdaArgument,
    params: &[ArrayRef],
    owner: &UInt32Array,
) -> Result<ArrayRef> {
    let len = owner.len();
    let closures: Vec<Box<dyn Fn() -> Result<ArrayRef>>> = params
        .iter()
        .map(|p| {
            let p = Arc::clone(p);
            Box::new(move || Ok(Arc::clone(&p))) as Box<dyn Fn() -> Result<ArrayRef>>
        })
        .collect();
    let refs: Vec<&dyn Fn() -> Result<ArrayRef>> = closures.iter().map(|c| c.as_ref()).collect();
    lambda
        .evaluate(&refs, |captured| Ok(take_arrays(captured, owner, None)?))?
        .into_array(len)
}

pub(super) fn as_bool(name: &str, a: &ArrayRef) -> Result<BooleanArray> {
    match a.as_boolean_opt() {
        Some(b) => Ok(b.clone()),
        None => match cast(a, &DataType::Boolean) {
            Ok(b) => Ok(b.as_boolean().clone()),
            Err(_) => exec_err!("the lambda of {name} must return a boolean"),
        },
    }
}
