//! `from_base`, `to_base` and `width_bucket`, as Trino computes them.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type};
use datafusion::common::Result;

use super::super::{not_supported, out_of_range};
use super::{
    doubles, invalid_argument, is_integer_or_null, long_array, longs, no_overload, same_lengths,
    string_array, to_double_ok,
};

fn check_radix(radix: i64) -> Result<u32> {
    if (2..=36).contains(&radix) {
        Ok(radix as u32)
    } else {
        Err(invalid_argument("Radix must be between 2 and 36"))
    }
}

/// Java's `Long.parseLong(s, radix)`: an optional sign, then digits of the radix (no
/// spaces).
fn parse_radix(s: &str, radix: u32) -> Result<Option<i64>> {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if unsigned
        .chars()
        .any(|c| !c.is_ascii() && c.is_alphanumeric())
    {
        // Java reads the digits and letters of other scripts too.
        return Err(not_supported(
            "from_base of digits of scripts other than ASCII".to_owned(),
        ));
    }
    if unsigned.is_empty() || !unsigned.chars().all(|c| c.is_digit(radix)) {
        return Ok(None);
    }
    Ok(i64::from_str_radix(s, radix).ok())
}

/// `from_base(string, radix)`.
pub(crate) fn from_base(a: &[ArrayRef]) -> Result<ArrayRef> {
    let n = same_lengths(a)?;
    let text = datafusion::arrow::compute::cast(&a[0], &DataType::Utf8)?;
    let text = text.as_string::<i32>();
    let radix = longs(&a[1]);
    let mut out = Vec::with_capacity(n);
    for (i, r) in radix.iter().enumerate() {
        let (Some(r), true) = (r, text.is_valid(i)) else {
            out.push(None);
            continue;
        };
        let radix = check_radix(*r)?;
        let s = text.value(i);
        match parse_radix(s, radix)? {
            Some(v) => out.push(Some(v)),
            None => {
                return Err(invalid_argument(format!(
                    "Not a valid base-{r} number: {s}"
                )));
            }
        }
    }
    Ok(long_array(out))
}

/// Java's `Long.toString(v, radix)`: lower-case digits, a leading `-`.
fn to_radix(v: i64, radix: u32) -> String {
    let mut digits = Vec::new();
    let mut m = v.unsigned_abs();
    loop {
        let d = (m % u64::from(radix)) as u32;
        digits.push(std::char::from_digit(d, radix).unwrap_or('?'));
        m /= u64::from(radix);
        if m == 0 {
            break;
        }
    }
    if v < 0 {
        digits.push('-');
    }
    digits.iter().rev().collect()
}

/// `to_base(x, radix)`.
pub(crate) fn to_base(a: &[ArrayRef]) -> Result<ArrayRef> {
    same_lengths(a)?;
    let values = longs(&a[0]);
    let radix = longs(&a[1]);
    let mut out = Vec::with_capacity(values.len());
    for (v, r) in values.into_iter().zip(radix) {
        match (v, r) {
            (Some(v), Some(r)) => out.push(Some(to_radix(v, check_radix(r)?))),
            _ => out.push(None),
        }
    }
    Ok(string_array(out))
}

/// `width_bucket(x, bound1, bound2, n)` or `width_bucket(x, bins)`.
pub(crate) fn coerce_width_bucket(name: &str, types: &[DataType]) -> Result<Vec<DataType>> {
    let fail = || no_overload(name, types);
    match types {
        [x, b1, b2, n]
            if to_double_ok(x) && to_double_ok(b1) && to_double_ok(b2) && is_integer_or_null(n) =>
        {
            Ok(vec![
                DataType::Float64,
                DataType::Float64,
                DataType::Float64,
                DataType::Int64,
            ])
        }
        [x, DataType::List(item)] if to_double_ok(x) && to_double_ok(item.data_type()) => Ok(vec![
            DataType::Float64,
            DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true))),
        ]),
        _ => Err(fail()),
    }
}

pub(crate) fn width_bucket(a: &[ArrayRef]) -> Result<ArrayRef> {
    let n = same_lengths(a)?;
    let x = doubles(&a[0]);
    let mut out = Vec::with_capacity(n);
    if a.len() == 4 {
        let (b1, b2, count) = (doubles(&a[1]), doubles(&a[2]), longs(&a[3]));
        for i in 0..n {
            match (x[i], b1[i], b2[i], count[i]) {
                (Some(x), Some(b1), Some(b2), Some(count)) => {
                    out.push(Some(equi_width(x, b1, b2, count)?));
                }
                _ => out.push(None),
            }
        }
    } else {
        let bins = a[1].as_list::<i32>();
        for (i, x) in x.iter().enumerate() {
            let (Some(x), true) = (x, bins.is_valid(i)) else {
                out.push(None);
                continue;
            };
            let values = bins.value(i);
            if values.null_count() > 0 {
                return Err(not_supported("width_bucket with NULL bins".to_owned()));
            }
            let values: Vec<f64> = values.as_primitive::<Float64Type>().values().to_vec();
            out.push(Some(in_bins(*x, &values)?));
        }
    }
    Ok(long_array(out))
}

/// The bucket of `x` among `count` equal buckets between the bounds (0 below, count + 1
/// above; numbered from the first bound towards the second).
fn equi_width(x: f64, b1: f64, b2: f64, count: i64) -> Result<i64> {
    if count <= 0 {
        return Err(invalid_argument("bucketCount must be greater than 0"));
    }
    if x.is_nan() {
        return Err(invalid_argument("operand must not be NaN"));
    }
    if !b1.is_finite() {
        return Err(invalid_argument("first bound must be finite"));
    }
    if !b2.is_finite() {
        return Err(invalid_argument("second bound must be finite"));
    }
    if b1 == b2 {
        return Err(invalid_argument("bounds cannot equal each other"));
    }
    let (lower, upper) = (b1.min(b2), b1.max(b2));
    let bucket = if x < lower {
        0
    } else if x >= upper {
        count.checked_add(1).ok_or_else(|| {
            out_of_range(format!(
                "Bucket for value {} is out of range",
                super::super::text::java_double(x)
            ))
        })?
    } else {
        ((count as f64 * (x - lower)) / (upper - lower) + 1.0) as i64
    };
    Ok(if b1 > b2 { count - bucket + 1 } else { bucket })
}

/// The number of bins not greater than `x` (binary search over ascending bins).
fn in_bins(x: f64, bins: &[f64]) -> Result<i64> {
    if bins.is_empty() {
        return Err(invalid_argument("Bins cannot be an empty array"));
    }
    if x.is_nan() {
        return Err(invalid_argument("Operand cannot be NaN"));
    }
    let (mut lower, mut upper) = (0usize, bins.len());
    while lower < upper {
        if bins[lower] > bins[upper - 1] {
            return Err(invalid_argument(
                "Bin values are not sorted in ascending order",
            ));
        }
        let index = (lower + upper) / 2;
        let pivot = bins[index];
        if !pivot.is_finite() {
            return Err(invalid_argument(format!(
                "Bin value must be finite, got {}",
                super::super::text::java_double(pivot)
            )));
        }
        if x < pivot {
            upper = index;
        } else {
            lower = index + 1;
        }
    }
    Ok(lower as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_read_and_write_as_java() {
        assert_eq!(parse_radix("ff", 16).unwrap(), Some(255));
        assert_eq!(parse_radix("-101", 2).unwrap(), Some(-5));
        assert_eq!(parse_radix("12", 2).unwrap(), None);
        assert_eq!(parse_radix("", 10).unwrap(), None);
        assert_eq!(to_radix(255, 16), "ff");
        assert_eq!(to_radix(-5, 2), "-101");
        assert_eq!(to_radix(0, 7), "0");
        assert_eq!(to_radix(i64::MIN, 16), "-8000000000000000");
        assert!(check_radix(37).is_err());
    }

    #[test]
    fn buckets_follow_trino() {
        assert_eq!(equi_width(5.3, 0.2, 10.6, 5).unwrap(), 3);
        assert_eq!(equi_width(-1.0, 0.0, 10.0, 5).unwrap(), 0);
        assert_eq!(equi_width(10.0, 0.0, 10.0, 5).unwrap(), 6);
        assert_eq!(equi_width(5.0, 10.0, 0.0, 5).unwrap(), 3);
        assert!(equi_width(5.0, 0.0, 10.0, 0).is_err());
        assert_eq!(in_bins(3.5, &[1.0, 2.0, 3.0, 4.0]).unwrap(), 3);
        assert_eq!(in_bins(0.0, &[1.0, 2.0]).unwrap(), 0);
        assert_eq!(in_bins(5.0, &[1.0, 2.0]).unwrap(), 2);
        assert!(in_bins(5.0, &[]).is_err());
    }
}
