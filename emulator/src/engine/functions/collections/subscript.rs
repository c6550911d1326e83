//! One element of an array or map: the subscript `a[i]` / `m[k]` (`athena_subscript`) and
//! `element_at` (`athena_element_at`), with Trino's rules (trino.io, "Array functions and
//! operators", "Map functions and operators"):
//!
//! - `a[i]` counts from 1; 0, a negative index and one past the end fail with
//!   `INVALID_FUNCTION_ARGUMENT`; `m[k]` fails on a missing key;
//! - `element_at(a, i)` counts from the end for a negative `i` and is NULL out of range
//!   (0 fails); `element_at(m, k)` is NULL for a missing key;
//! - a NULL array, map, index or key gives NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, UInt32Array};
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{ReturnFieldArgs, ScalarUDF};

use super::compare::{Comparer, as_list_array};
use super::{CollectionFn, CollectionUdf, element_of, field};

pub(super) fn udfs() -> Vec<ScalarUDF> {
    vec![
        CollectionUdf::udf("athena_subscript", Element { element_at: false }),
        CollectionUdf::udf("athena_element_at", Element { element_at: true }),
    ]
}

/// `a[i]` / `m[k]` (`element_at` false) or `element_at`.
struct Element {
    element_at: bool,
}

impl Element {
    fn name(&self) -> &'static str {
        if self.element_at {
            "element_at"
        } else {
            "subscript"
        }
    }
}

/// Whether `t` is an integer type (an array index).
fn is_integer(t: &DataType) -> bool {
    t.is_integer() || *t == DataType::Null
}

impl CollectionFn for Element {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        let [container, index] = types else {
            return plan_err!(
                "FUNCTION_NOT_FOUND: {} takes an array or map and an index",
                self.name()
            );
        };
        match container {
            DataType::Map(entries, _) => {
                let DataType::Struct(kv) = entries.data_type() else {
                    return plan_err!("a map's entries are not a struct");
                };
                Ok(vec![container.clone(), kv[0].data_type().clone()])
            }
            DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..) => {
                if !is_integer(index) {
                    return plan_err!(
                        "TYPE_MISMATCH: Cannot use {} for subscript of {}",
                        crate::engine::functions::trino_type_name(index),
                        crate::engine::functions::trino_type_name(container)
                    );
                }
                let f = element_of(container).map(Arc::clone);
                Ok(vec![
                    DataType::List(f.unwrap_or_else(|| field("item", DataType::Null))),
                    DataType::Int64,
                ])
            }
            DataType::Null => Ok(vec![
                DataType::new_list(DataType::Null, true),
                DataType::Int64,
            ]),
            other => plan_err!(
                "FUNCTION_NOT_FOUND: {} of {} is not defined",
                self.name(),
                crate::engine::functions::trino_type_name(other)
            ),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let t = match args.arg_fields[0].data_type() {
            DataType::Map(entries, _) => match entries.data_type() {
                DataType::Struct(kv) => kv[1].data_type().clone(),
                _ => DataType::Null,
            },
            other => element_of(other).map_or(DataType::Null, |f| f.data_type().clone()),
        };
        Ok(field(self.name(), t))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, _: &FieldRef) -> Result<ArrayRef> {
        if matches!(args[0].data_type(), DataType::Map(..)) {
            self.map_value(&args[0], &args[1], rows)
        } else {
            self.array_element(&args[0], &args[1], rows)
        }
    }
}

impl Element {
    fn array_element(&self, list: &ArrayRef, index: &ArrayRef, rows: usize) -> Result<ArrayRef> {
        let list = as_list_array(list.as_ref())?;
        let list = list.as_list::<i32>();
        let index = cast(index, &DataType::Int64)?;
        let index: &Int64Array = index.as_primitive();
        let offsets = list.value_offsets();
        let mut at: Vec<Option<u32>> = Vec::with_capacity(rows);
        for r in 0..rows {
            if list.is_null(r) || index.is_null(r) {
                at.push(None);
                continue;
            }
            let (start, len) = (offsets[r] as i64, (offsets[r + 1] - offsets[r]) as i64);
            let i = index.value(r);
            if i == 0 {
                return exec_err!("INVALID_FUNCTION_ARGUMENT: SQL array indices start at 1");
            }
            let position = if self.element_at {
                match i {
                    i if i > len || i < -len => None,
                    i if i > 0 => Some(i - 1),
                    i => Some(len + i),
                }
            } else if i < 0 {
                return exec_err!("INVALID_FUNCTION_ARGUMENT: Array subscript is negative: {i}");
            } else if i > len {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: Array subscript must be less than or equal to array length: {i} > {len}"
                );
            } else {
                Some(i - 1)
            };
            at.push(position.map(|p| (start + p) as u32));
        }
        Ok(take(list.values().as_ref(), &UInt32Array::from(at), None)?)
    }

    fn map_value(&self, map: &ArrayRef, key: &ArrayRef, rows: usize) -> Result<ArrayRef> {
        let m = map.as_map();
        let keys = m.keys();
        let key = if key.data_type() == keys.data_type() {
            Arc::clone(key)
        } else {
            cast(key, keys.data_type())?
        };
        let comparer = Comparer::new(keys.as_ref(), key.as_ref())?;
        let offsets = m.value_offsets();
        let mut at: Vec<Option<u32>> = Vec::with_capacity(rows);
        for r in 0..rows {
            if m.is_null(r) || key.is_null(r) {
                at.push(None);
                continue;
            }
            let (s, e) = (offsets[r] as usize, offsets[r + 1] as usize);
            match (s..e).find(|&p| comparer.eq(p, r) == Some(true)) {
                Some(p) => at.push(Some(p as u32)),
                None if self.element_at => at.push(None),
                None => {
                    let shown = ScalarValue::try_from_array(&key, r)?;
                    return exec_err!("INVALID_FUNCTION_ARGUMENT: Key not present in map: {shown}");
                }
            }
        }
        Ok(take(m.values().as_ref(), &UInt32Array::from(at), None)?)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Int64Array, ListArray, StringArray};
    use datafusion::arrow::datatypes::Int32Type;

    use super::super::testing::{call, error};
    use super::*;

    fn array(values: &[Option<i32>]) -> ArrayRef {
        Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(values.to_vec()),
        ]))
    }

    fn index(i: i64) -> ArrayRef {
        Arc::new(Int64Array::from(vec![i]))
    }

    #[test]
    fn subscripts_fail_out_of_range() {
        let a = || array(&[Some(10), None, Some(30)]);
        let sub = Element { element_at: false };
        assert_eq!(
            call(&sub, vec![a(), index(3)]).unwrap().as_deref(),
            Some("30")
        );
        assert_eq!(call(&sub, vec![a(), index(2)]).unwrap(), None);
        assert!(error(&sub, vec![a(), index(0)]).contains("SQL array indices start at 1"));
        assert!(error(&sub, vec![a(), index(-1)]).contains("Array subscript is negative: -1"));
        assert!(error(&sub, vec![a(), index(4)]).contains("4 > 3"));
    }

    #[test]
    fn element_at_counts_from_the_end_and_is_null_out_of_range() {
        let a = || array(&[Some(10), Some(20), Some(30)]);
        let at = Element { element_at: true };
        assert_eq!(
            call(&at, vec![a(), index(-1)]).unwrap().as_deref(),
            Some("30")
        );
        assert_eq!(
            call(&at, vec![a(), index(-3)]).unwrap().as_deref(),
            Some("10")
        );
        assert_eq!(call(&at, vec![a(), index(4)]).unwrap(), None);
        assert_eq!(call(&at, vec![a(), index(-4)]).unwrap(), None);
        assert!(error(&at, vec![a(), index(0)]).contains("INVALID_FUNCTION_ARGUMENT"));
    }

    #[test]
    fn a_missing_map_key_fails_only_the_subscript() {
        let map = || super::super::maps::map_of(&[("a", 1), ("b", 2)]);
        let key = |k: &str| -> ArrayRef { Arc::new(StringArray::from(vec![k])) };
        let sub = Element { element_at: false };
        let at = Element { element_at: true };
        assert_eq!(
            call(&sub, vec![map(), key("b")]).unwrap().as_deref(),
            Some("2")
        );
        assert!(error(&sub, vec![map(), key("z")]).contains("Key not present in map: z"));
        assert_eq!(call(&at, vec![map(), key("z")]).unwrap(), None);
    }
}
