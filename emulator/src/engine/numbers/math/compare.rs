//! `greatest` and `least` (trino.io, "Comparison functions"): the common type of the
//! arguments (Trino's: integers widen, with a decimal they are decimals, with a double
//! doubles), NULL when any argument is NULL, and for doubles and reals IEEE comparisons
//! in which a NaN argument loses to any other (`greatest(1e0, nan())` is 1.0).

use datafusion::arrow::array::{Array, ArrayRef, AsArray, make_comparator, new_null_array};
use datafusion::arrow::compute::{SortOptions, interleave};
use datafusion::arrow::datatypes::{DataType, Float32Type, Float64Type};
use datafusion::common::Result;

use super::super::decimal::{MAX_PRECISION, integer_as_decimal};
use super::super::integer::{is_integer, wider_integer};
use super::super::{not_supported, trino_type};
use super::no_overload;

/// Which argument wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pick {
    Greatest,
    Least,
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// The common type of the arguments: every argument is coerced to it.
pub(crate) fn coerce(name: &str, types: &[DataType]) -> Result<Vec<DataType>> {
    let fail = || no_overload(name, types);
    if types.is_empty() {
        return Err(fail());
    }
    let known: Vec<&DataType> = types.iter().filter(|t| **t != DataType::Null).collect();
    let common = if known.is_empty() {
        DataType::Null
    } else if known.iter().all(|t| is_integer(t)) {
        known
            .iter()
            .fold(DataType::Null, |acc, t| wider_integer(&acc, t))
    } else if known.iter().all(|t| {
        is_integer(t)
            || matches!(
                t,
                DataType::Decimal128(..) | DataType::Float32 | DataType::Float64
            )
    }) {
        if known.iter().any(|t| matches!(t, DataType::Float64)) {
            DataType::Float64
        } else if known.iter().any(|t| matches!(t, DataType::Float32)) {
            DataType::Float32
        } else {
            // Decimals (an integer as decimal(3|5|10|19, 0)): the widest integer part and
            // the largest scale.
            let (mut int_digits, mut scale) = (0i32, 0i32);
            for t in &known {
                let (p, s) = match t {
                    DataType::Decimal128(p, s) => (*p, *s),
                    t => integer_as_decimal(t).unwrap_or((1, 0)),
                };
                int_digits = int_digits.max(i32::from(p) - i32::from(s));
                scale = scale.max(i32::from(s));
            }
            let precision = (int_digits + scale).min(i32::from(MAX_PRECISION));
            DataType::Decimal128(precision as u8, scale as i8)
        }
    } else if known.iter().all(|t| is_text(t)) {
        DataType::Utf8
    } else if known.iter().all(|t| **t == *known[0]) && comparable(known[0]) {
        known[0].clone()
    } else if let Some(common) = common_timestamp(&known) {
        common
    } else if known.iter().all(|t| temporal(t))
        || known.iter().all(|t| matches!(t, DataType::List(_)))
    {
        // Trino coerces these to a common type (a date to a timestamp, timestamps to the
        // finest precision, arrays by element): not done here.
        return Err(not_supported(format!(
            "{name} of values of different types ({})",
            known
                .iter()
                .map(|t| trino_type(t))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    } else {
        return Err(fail());
    };
    Ok(vec![common; types.len()])
}

/// Dates and timestamps without a zone together: timestamps of the finest unit (a date
/// is its midnight), as Trino coerces them.
fn common_timestamp(known: &[&DataType]) -> Option<DataType> {
    use datafusion::arrow::datatypes::TimeUnit;
    let rank = |u: &TimeUnit| match u {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 1,
        TimeUnit::Microsecond => 2,
        TimeUnit::Nanosecond => 3,
    };
    let mut unit: Option<TimeUnit> = None;
    for t in known {
        match t {
            DataType::Date32 => {}
            DataType::Timestamp(u, None) => {
                if unit.as_ref().is_none_or(|best| rank(u) > rank(best)) {
                    unit = Some(*u);
                }
            }
            _ => return None,
        }
    }
    Some(DataType::Timestamp(unit?, None))
}

fn temporal(t: &DataType) -> bool {
    matches!(t, DataType::Date32 | DataType::Timestamp(..))
}

/// The types whose values Arrow's comparator orders as Trino does.
fn comparable(t: &DataType) -> bool {
    match t {
        DataType::Boolean
        | DataType::Date32
        | DataType::Timestamp(..)
        | DataType::Time32(_)
        | DataType::Time64(_)
        | DataType::Binary => true,
        DataType::List(f) => {
            comparable(f.data_type()) || is_integer(f.data_type()) || is_text(f.data_type())
        }
        DataType::Struct(fields) => fields.iter().all(|f| {
            comparable(f.data_type()) || is_integer(f.data_type()) || is_text(f.data_type())
        }),
        _ => false,
    }
}

/// The winner of each row; NULL when any argument is NULL.
pub(crate) fn invoke(pick: Pick, args: &[ArrayRef]) -> Result<ArrayRef> {
    let n = args.first().map_or(0, |a| a.len());
    let data_type = args
        .first()
        .map_or(DataType::Null, |a| a.data_type().clone());
    if data_type == DataType::Null {
        return Ok(new_null_array(&DataType::Null, n));
    }
    let mut chosen: Vec<(usize, usize)> = Vec::with_capacity(n);
    match data_type {
        DataType::Float64 => {
            let values: Vec<_> = args
                .iter()
                .map(|a| a.as_primitive::<Float64Type>())
                .collect();
            for row in 0..n {
                chosen.push(pick_row(args, row, |j, best| {
                    float_wins(pick, values[j].value(row), values[best].value(row))
                }));
            }
        }
        DataType::Float32 => {
            let values: Vec<_> = args
                .iter()
                .map(|a| a.as_primitive::<Float32Type>())
                .collect();
            for row in 0..n {
                chosen.push(pick_row(args, row, |j, best| {
                    float_wins(
                        pick,
                        f64::from(values[j].value(row)),
                        f64::from(values[best].value(row)),
                    )
                }));
            }
        }
        _ => {
            let options = SortOptions::default();
            let mut comparators = Vec::with_capacity(args.len());
            for j in 0..args.len() {
                let row: Vec<_> = (0..args.len())
                    .map(|best| make_comparator(args[j].as_ref(), args[best].as_ref(), options))
                    .collect::<std::result::Result<_, _>>()?;
                comparators.push(row);
            }
            for row in 0..n {
                chosen.push(pick_row(args, row, |j, best| {
                    let order = comparators[j][best](row, row);
                    match pick {
                        Pick::Greatest => order.is_gt(),
                        Pick::Least => order.is_lt(),
                    }
                }));
            }
        }
    }
    let arrays: Vec<&dyn Array> = args.iter().map(|a| a.as_ref()).collect();
    Ok(interleave(&arrays, &chosen)?)
}

/// Whether `candidate` replaces `best`: strictly greater (less), or `best` is NaN.
fn float_wins(pick: Pick, candidate: f64, best: f64) -> bool {
    best.is_nan()
        || match pick {
            Pick::Greatest => candidate > best,
            Pick::Least => candidate < best,
        }
}

/// The (argument, row) that row `row` takes: the first NULL argument if any, else the
/// first argument no later one beats.
fn pick_row(args: &[ArrayRef], row: usize, wins: impl Fn(usize, usize) -> bool) -> (usize, usize) {
    if let Some(null) = args.iter().position(|a| a.is_null(row)) {
        return (null, row);
    }
    let mut best = 0;
    for j in 1..args.len() {
        if wins(j, best) {
            best = j;
        }
    }
    (best, row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Float64Array, Int32Array, StringArray};
    use std::sync::Arc;

    #[test]
    fn common_types_follow_trino() {
        let c = |t: &[DataType]| coerce("greatest", t).unwrap()[0].clone();
        assert_eq!(
            c(&[DataType::Int32, DataType::Decimal128(2, 1)]),
            DataType::Decimal128(11, 1)
        );
        assert_eq!(c(&[DataType::Int8, DataType::Int16]), DataType::Int16);
        assert_eq!(c(&[DataType::Int64, DataType::Float32]), DataType::Float32);
        assert_eq!(c(&[DataType::Int32, DataType::Null]), DataType::Int32);
        assert!(coerce("greatest", &[DataType::Int32, DataType::Utf8]).is_err());
    }

    #[test]
    fn nulls_win_and_nan_loses() {
        let a: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), Some(5), None]));
        let b: ArrayRef = Arc::new(Int32Array::from(vec![Some(2), Some(3), Some(1)]));
        let out = invoke(Pick::Greatest, &[a, b]).unwrap();
        let out = out.as_primitive::<datafusion::arrow::datatypes::Int32Type>();
        assert_eq!(out.iter().collect::<Vec<_>>(), vec![Some(2), Some(5), None]);
        let x: ArrayRef = Arc::new(Float64Array::from(vec![f64::NAN, 1.0]));
        let y: ArrayRef = Arc::new(Float64Array::from(vec![1.0, f64::NAN]));
        let out = invoke(Pick::Greatest, &[x, y]).unwrap();
        assert_eq!(
            out.as_primitive::<Float64Type>().values().to_vec(),
            vec![1.0, 1.0]
        );
        let s: ArrayRef = Arc::new(StringArray::from(vec!["apple"]));
        let t: ArrayRef = Arc::new(StringArray::from(vec!["Banana"]));
        let out = invoke(Pick::Least, &[s, t]).unwrap();
        assert_eq!(out.as_string::<i32>().value(0), "Banana");
    }
}
