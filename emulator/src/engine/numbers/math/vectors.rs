//! `dot_product`, `cosine_similarity`, `cosine_distance` and `euclidean_distance` of two
//! arrays of doubles, summed in order as Trino does. (`cosine_similarity` of two maps is
//! refused.)

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type};
use datafusion::common::Result;

use super::super::not_supported;
use super::{double_array, invalid_argument, no_overload, same_lengths, to_double_ok};

/// Which function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    DotProduct,
    CosineSimilarity,
    CosineDistance,
    EuclideanDistance,
}

/// Two arrays of numbers, as arrays of doubles.
pub(crate) fn coerce(_op: Op, name: &str, types: &[DataType]) -> Result<Vec<DataType>> {
    let list = DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true)));
    match types {
        [DataType::List(a), DataType::List(b)]
            if to_double_ok(a.data_type()) && to_double_ok(b.data_type()) =>
        {
            Ok(vec![list.clone(), list])
        }
        [DataType::Map(..), DataType::Map(..)] if name == "cosine_similarity" => {
            Err(not_supported("cosine_similarity of maps".to_owned()))
        }
        _ => Err(no_overload(name, types)),
    }
}

pub(crate) fn invoke(op: Op, a: &[ArrayRef]) -> Result<ArrayRef> {
    let n = same_lengths(a)?;
    let (x, y) = (a[0].as_list::<i32>(), a[1].as_list::<i32>());
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if x.is_null(i) || y.is_null(i) {
            out.push(None);
            continue;
        }
        let (u, v) = (x.value(i), y.value(i));
        if u.len() != v.len() {
            return Err(invalid_argument("The arguments must have the same length"));
        }
        let has_null = u.null_count() > 0 || v.null_count() > 0;
        let (u, v) = (
            u.as_primitive::<Float64Type>(),
            v.as_primitive::<Float64Type>(),
        );
        out.push(match op {
            // NULL elements: NULL, as Trino's cosine functions answer.
            Op::CosineSimilarity | Op::CosineDistance if has_null => None,
            // Trino reads a NULL element of these as whatever its block stores.
            Op::DotProduct | Op::EuclideanDistance if has_null => {
                return Err(not_supported(format!(
                    "{} of arrays with NULL elements",
                    match op {
                        Op::DotProduct => "dot_product",
                        _ => "euclidean_distance",
                    }
                )));
            }
            Op::DotProduct => Some(
                u.values()
                    .iter()
                    .zip(v.values().iter())
                    .fold(0.0, |acc, (a, b)| acc + a * b),
            ),
            Op::EuclideanDistance => Some(
                u.values()
                    .iter()
                    .zip(v.values().iter())
                    .fold(0.0, |acc, (a, b)| {
                        let d = a - b;
                        acc + d * d
                    })
                    .sqrt(),
            ),
            Op::CosineSimilarity | Op::CosineDistance => {
                let (mut nu, mut nv, mut dot) = (0.0, 0.0, 0.0);
                for (a, b) in u.values().iter().zip(v.values().iter()) {
                    nu += a * a;
                    nv += b * b;
                    dot += a * b;
                }
                if nu == 0.0 || nv == 0.0 {
                    return Err(invalid_argument("Vector magnitude cannot be zero"));
                }
                let similarity = dot / (nu * nv).sqrt();
                Some(if op == Op::CosineDistance {
                    1.0 - similarity
                } else {
                    similarity
                })
            }
        });
    }
    Ok(double_array(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::ListArray;

    fn list(rows: Vec<Option<Vec<Option<f64>>>>) -> ArrayRef {
        Arc::new(ListArray::from_iter_primitive::<Float64Type, _, _>(rows))
    }

    #[test]
    fn vectors_as_trino_computes_them() {
        let x = list(vec![Some(vec![Some(1.0), Some(2.0)])]);
        let y = list(vec![Some(vec![Some(3.0), Some(4.0)])]);
        let dot = invoke(Op::DotProduct, &[Arc::clone(&x), Arc::clone(&y)]).unwrap();
        assert_eq!(dot.as_primitive::<Float64Type>().value(0), 11.0);
        let d = invoke(Op::EuclideanDistance, &[x, y]).unwrap();
        assert_eq!(d.as_primitive::<Float64Type>().value(0), 8f64.sqrt());
        let short = list(vec![Some(vec![Some(1.0)])]);
        let long = list(vec![Some(vec![Some(1.0), Some(2.0)])]);
        assert!(invoke(Op::DotProduct, &[short, long]).is_err());
        let z = list(vec![Some(vec![Some(0.0)])]);
        assert!(invoke(Op::CosineSimilarity, &[Arc::clone(&z), z]).is_err());
    }
}
