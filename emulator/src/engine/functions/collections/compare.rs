//! Trino's equality and ordering of values, nested ones included (trino.io, "Comparison
//! functions and operators", "Array functions and operators"):
//!
//! - equality is three-valued: `ARRAY[1, NULL] = ARRAY[1, NULL]` is NULL, but
//!   `ARRAY[1, NULL] = ARRAY[2, NULL]` is false (one pair of elements decides); maps are
//!   equal when they hold the same keys with equal values, in any order; `NaN` equals
//!   nothing and `-0.0` equals `0.0`;
//! - ordering is lexicographic for arrays (then by length) and rows; reaching a NULL
//!   inside fails with `NOT_SUPPORTED`, as Trino fails (`ARRAY comparison not supported
//!   for arrays with null elements`); maps have no order.
//!
//! A [`Comparer`] is built once for two arrays of the same type and compares any element
//! of one with any element of the other.

use std::cmp::Ordering;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, make_comparator};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::compute::{SortOptions, cast};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};

/// The element ranges of each row of the left and of the right list or map array.
type RangePair = (Vec<(usize, usize)>, Vec<(usize, usize)>);

/// Compares the elements of two arrays of one type.
pub(crate) struct Comparer {
    node: Node,
}

enum Node {
    Leaf {
        nulls: (Option<NullBuffer>, Option<NullBuffer>),
        compare: datafusion::arrow::array::DynComparator,
    },
    Float {
        left: Float64Array,
        right: Float64Array,
    },
    List {
        nulls: (Option<NullBuffer>, Option<NullBuffer>),
        ranges: RangePair,
        child: Box<Node>,
    },
    Struct {
        nulls: (Option<NullBuffer>, Option<NullBuffer>),
        children: Vec<Node>,
    },
    Map {
        nulls: (Option<NullBuffer>, Option<NullBuffer>),
        ranges: RangePair,
        keys: Box<Node>,
        values: Box<Node>,
    },
}

/// The element ranges of each row of a list or map array (`offsets` relative to the
/// child array).
fn ranges(offsets: &[i32]) -> Vec<(usize, usize)> {
    offsets
        .windows(2)
        .map(|w| (w[0] as usize, w[1] as usize))
        .collect()
}

/// A list of any layout as a `List` array (`LargeList` and `FixedSizeList` cast).
pub(crate) fn as_list_array(a: &dyn Array) -> Result<ArrayRef> {
    Ok(match a.data_type() {
        DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            cast(a, &DataType::List(Arc::clone(f)))?
        }
        _ => datafusion::arrow::array::make_array(a.to_data()),
    })
}

impl Node {
    fn new(a: &dyn Array, b: &dyn Array) -> Result<Node> {
        if a.data_type() != b.data_type() {
            return exec_err!(
                "cannot compare values of types {} and {}",
                a.data_type(),
                b.data_type()
            );
        }
        let nulls = (a.logical_nulls(), b.logical_nulls());
        Ok(match a.data_type() {
            DataType::Float16 | DataType::Float32 | DataType::Float64 => {
                let left = cast(a, &DataType::Float64)?;
                let right = cast(b, &DataType::Float64)?;
                Node::Float {
                    left: left.as_primitive().clone(),
                    right: right.as_primitive().clone(),
                }
            }
            DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..) => {
                let (a, b) = (as_list_array(a)?, as_list_array(b)?);
                let (la, lb) = (a.as_list::<i32>(), b.as_list::<i32>());
                Node::List {
                    nulls,
                    ranges: (ranges(la.value_offsets()), ranges(lb.value_offsets())),
                    child: Box::new(Node::new(la.values().as_ref(), lb.values().as_ref())?),
                }
            }
            DataType::Struct(_) => {
                let (sa, sb) = (a.as_struct(), b.as_struct());
                let children = sa
                    .columns()
                    .iter()
                    .zip(sb.columns())
                    .map(|(x, y)| Node::new(x.as_ref(), y.as_ref()))
                    .collect::<Result<Vec<_>>>()?;
                Node::Struct { nulls, children }
            }
            DataType::Map(..) => {
                let (ma, mb) = (a.as_map(), b.as_map());
                Node::Map {
                    nulls,
                    ranges: (ranges(ma.value_offsets()), ranges(mb.value_offsets())),
                    keys: Box::new(Node::new(ma.keys().as_ref(), mb.keys().as_ref())?),
                    values: Box::new(Node::new(ma.values().as_ref(), mb.values().as_ref())?),
                }
            }
            // A bare NULL's type: every value is NULL, never compared.
            DataType::Null => Node::Leaf {
                nulls,
                compare: Box::new(|_, _| Ordering::Equal),
            },
            _ => Node::Leaf {
                nulls,
                compare: make_comparator(a, b, SortOptions::default())?,
            },
        })
    }

    fn nulls(&self) -> Option<&(Option<NullBuffer>, Option<NullBuffer>)> {
        match self {
            Node::Leaf { nulls, .. }
            | Node::List { nulls, .. }
            | Node::Struct { nulls, .. }
            | Node::Map { nulls, .. } => Some(nulls),
            Node::Float { .. } => None,
        }
    }

    fn is_null(&self, i: usize, j: usize) -> bool {
        match self {
            Node::Float { left, right } => left.is_null(i) || right.is_null(j),
            _ => self.nulls().is_some_and(|(a, b)| {
                a.as_ref().is_some_and(|n| n.is_null(i)) || b.as_ref().is_some_and(|n| n.is_null(j))
            }),
        }
    }

    /// Trino's `=`: `None` when NULLs leave it undecided.
    fn eq(&self, i: usize, j: usize) -> Option<bool> {
        if self.is_null(i, j) {
            return None;
        }
        match self {
            Node::Float { left, right } => Some(left.value(i) == right.value(j)),
            Node::Leaf { compare, .. } => Some(compare(i, j) == Ordering::Equal),
            Node::List { ranges, child, .. } => {
                let ((sa, ea), (sb, eb)) = (ranges.0[i], ranges.1[j]);
                if ea - sa != eb - sb {
                    return Some(false);
                }
                all_equal((0..ea - sa).map(|k| child.eq(sa + k, sb + k)))
            }
            Node::Struct { children, .. } => all_equal(children.iter().map(|c| c.eq(i, j))),
            Node::Map {
                ranges,
                keys,
                values,
                ..
            } => {
                let ((sa, ea), (sb, eb)) = (ranges.0[i], ranges.1[j]);
                if ea - sa != eb - sb {
                    return Some(false);
                }
                let mut undecided = false;
                for p in sa..ea {
                    let Some(q) = (sb..eb).find(|&q| keys.eq(p, q) == Some(true)) else {
                        return Some(false);
                    };
                    match values.eq(p, q) {
                        Some(false) => return Some(false),
                        None => undecided = true,
                        Some(true) => {}
                    }
                }
                (!undecided).then_some(true)
            }
        }
    }

    /// Trino's order of two non-NULL values; a NULL met inside fails.
    fn cmp(&self, i: usize, j: usize) -> Result<Ordering> {
        match self {
            Node::Float { left, right } => Ok(float_order(left.value(i), right.value(j))),
            Node::Leaf { compare, .. } => Ok(compare(i, j)),
            Node::List { ranges, child, .. } => {
                let ((sa, ea), (sb, eb)) = (ranges.0[i], ranges.1[j]);
                for k in 0..(ea - sa).min(eb - sb) {
                    if child.is_null(sa + k, sb + k) {
                        return exec_err!(
                            "NOT_SUPPORTED: ARRAY comparison not supported for arrays with null elements"
                        );
                    }
                    let o = child.cmp(sa + k, sb + k)?;
                    if o != Ordering::Equal {
                        return Ok(o);
                    }
                }
                Ok((ea - sa).cmp(&(eb - sb)))
            }
            Node::Struct { children, .. } => {
                for c in children {
                    if c.is_null(i, j) {
                        return exec_err!(
                            "NOT_SUPPORTED: ROW comparison not supported for fields with null elements"
                        );
                    }
                    let o = c.cmp(i, j)?;
                    if o != Ordering::Equal {
                        return Ok(o);
                    }
                }
                Ok(Ordering::Equal)
            }
            Node::Map { .. } => exec_err!("TYPE_MISMATCH: maps are not orderable"),
        }
    }
}

/// Doubles in order, `-0.0` equal to `0.0`, NaN after every number.
fn float_order(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// The conjunction of equalities: false as soon as one is false, else NULL if one is.
fn all_equal(results: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut undecided = false;
    for r in results {
        match r {
            Some(false) => return Some(false),
            None => undecided = true,
            Some(true) => {}
        }
    }
    (!undecided).then_some(true)
}

impl Comparer {
    /// A comparer of the elements of `a` with those of `b` (of the same type).
    pub(crate) fn new(a: &dyn Array, b: &dyn Array) -> Result<Comparer> {
        Ok(Comparer {
            node: Node::new(a, b)?,
        })
    }

    /// Whether `a[i]` or `b[j]` is NULL.
    pub(crate) fn is_null(&self, i: usize, j: usize) -> bool {
        self.node.is_null(i, j)
    }

    /// Trino's `a[i] = b[j]`: `None` for NULL.
    pub(crate) fn eq(&self, i: usize, j: usize) -> Option<bool> {
        self.node.eq(i, j)
    }

    /// Trino's order of `a[i]` and `b[j]` (neither NULL); fails on a NULL inside them.
    pub(crate) fn cmp(&self, i: usize, j: usize) -> Result<Ordering> {
        self.node.cmp(i, j)
    }
}

/// Whether a value of this type can hold a NULL inside it (an array, row or map).
pub(crate) fn is_nested(t: &DataType) -> bool {
    matches!(
        t,
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(..)
            | DataType::Struct(_)
            | DataType::Map(..)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int32Array, ListArray, StringArray};
    use datafusion::arrow::datatypes::Int32Type;

    fn lists(rows: Vec<Option<Vec<Option<i32>>>>) -> ArrayRef {
        Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(rows))
    }

    #[test]
    fn scalars_compare_with_nulls_undecided() {
        let a = Int32Array::from(vec![Some(1), None, Some(3)]);
        let c = Comparer::new(&a, &a).unwrap();
        assert_eq!(c.eq(0, 0), Some(true));
        assert_eq!(c.eq(0, 2), Some(false));
        assert_eq!(c.eq(1, 1), None);
        assert_eq!(c.cmp(0, 2).unwrap(), Ordering::Less);
        let s = StringArray::from(vec!["b", "ab"]);
        let c = Comparer::new(&s, &s).unwrap();
        assert_eq!(c.cmp(0, 1).unwrap(), Ordering::Greater);
    }

    #[test]
    fn doubles_follow_trino() {
        let a = Float64Array::from(vec![f64::NAN, -0.0, 0.0, 1.0]);
        let c = Comparer::new(&a, &a).unwrap();
        assert_eq!(c.eq(0, 0), Some(false));
        assert_eq!(c.eq(1, 2), Some(true));
        assert_eq!(c.cmp(0, 3).unwrap(), Ordering::Greater);
    }

    #[test]
    fn arrays_decide_on_one_unequal_pair() {
        let a = lists(vec![
            Some(vec![Some(1), None]),
            Some(vec![Some(2), None]),
            Some(vec![Some(1)]),
            Some(vec![Some(1), Some(5)]),
        ]);
        let c = Comparer::new(a.as_ref(), a.as_ref()).unwrap();
        assert_eq!(c.eq(0, 0), None);
        assert_eq!(c.eq(0, 1), Some(false));
        assert_eq!(c.eq(0, 2), Some(false));
        assert_eq!(c.cmp(2, 3).unwrap(), Ordering::Less);
        assert_eq!(c.cmp(0, 1).unwrap(), Ordering::Less);
        let err = c.cmp(0, 0).unwrap_err().to_string();
        assert!(err.contains("NOT_SUPPORTED"), "{err}");
    }
}
