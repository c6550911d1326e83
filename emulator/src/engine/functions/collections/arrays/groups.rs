//! Arrays regrouped: `combinations`, `ngrams` and `shuffle`.

use super::*;

/// Trino's largest `combinations` size.
pub(super) const MAX_COMBINATION: i64 = 5;

/// `combinations(array, n)`: every group of `n` elements, in Trino's order (by the
/// position of the last element, then of the one before, ...).
pub(super) struct Combinations;

impl CollectionFn for Combinations {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_array_and_count("combinations", types)
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field(
            "combinations",
            list_of(args.arg_fields[0].data_type().clone()),
        ))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let k = args[1].as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) || k.is_null(r) {
                picks.push(None);
                continue;
            }
            let n = k.value(r);
            if n < 0 {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: combination size must not be negative: {n}"
                );
            }
            if n > MAX_COMBINATION {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: combination size must not exceed {MAX_COMBINATION}: {n}"
                );
            }
            let (s, e) = row_range(l, r);
            let count = combination_count(e - s, n as usize)?;
            if count as usize * n as usize > MAX_COMBINATION_ELEMENTS {
                return exec_err!("INVALID_FUNCTION_ARGUMENT: combinations exceed max size");
            }
            picks.push(Some(
                colex_combinations(e - s, n as usize)
                    .into_iter()
                    .map(|c| c.into_iter().map(|i| (s + i) as u32).collect())
                    .collect(),
            ));
        }
        nested_gather(result, l.values().as_ref(), &picks)
    }
}

/// The most elements (of all the groups together) one `combinations` makes, as Trino.
pub(super) const MAX_COMBINATION_ELEMENTS: usize = 100_000;

/// How many `k`-element groups `n` elements make, computed as Trino computes it (in
/// 32-bit integers: an overflow fails the query).
pub(super) fn combination_count(n: usize, k: usize) -> Result<i32> {
    let too_large = || {
        exec_err!(
            "INVALID_FUNCTION_ARGUMENT: Number of combinations too large for array of size {n} and combination length {k}"
        )
    };
    let (Ok(n32), Ok(k32)) = (i32::try_from(n), i32::try_from(k)) else {
        return too_large();
    };
    let mut count: i32 = 1;
    for i in 1..=k32 {
        let Some(product) = count.checked_mul(n32 - k32 + i) else {
            return too_large();
        };
        count = product / i;
    }
    Ok(count.max(0))
}

/// The `k`-element subsets of `0..n` in colexicographic order.
pub(super) fn colex_combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    if k > n {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut c: Vec<usize> = (0..k).collect();
    loop {
        out.push(c.clone());
        // The first position that can move up without reaching the next one.
        let Some(j) = (0..k).find(|&j| c[j] + 1 < if j + 1 < k { c[j + 1] } else { n }) else {
            return out;
        };
        c[j] += 1;
        for (i, v) in c.iter_mut().enumerate().take(j) {
            *v = i;
        }
    }
}

/// `ngrams(array, n)`: the runs of `n` consecutive elements (the whole array when it is
/// shorter).
pub(super) struct Ngrams;

impl CollectionFn for Ngrams {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_array_and_count("ngrams", types)
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field(
            "ngrams",
            list_of(args.arg_fields[0].data_type().clone()),
        ))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let k = args[1].as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) || k.is_null(r) {
                picks.push(None);
                continue;
            }
            let n = k.value(r);
            if n <= 0 {
                return exec_err!("INVALID_FUNCTION_ARGUMENT: N must be positive");
            }
            let (s, e) = row_range(l, r);
            let n = (n as usize).min(e - s);
            let grams: Vec<Vec<u32>> = if n == 0 {
                vec![Vec::new()]
            } else {
                (s..=e - n)
                    .map(|p| (p as u32..(p + n) as u32).collect())
                    .collect()
            };
            picks.push(Some(grams));
        }
        nested_gather(result, l.values().as_ref(), &picks)
    }
}

/// `shuffle(array)`: the elements in a random order.
pub(super) struct Shuffle;

impl CollectionFn for Shuffle {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [a] if element_type(a).is_some() => {
                Ok(vec![list_of(element_type(a).unwrap_or(DataType::Null))])
            }
            _ => unexpected("shuffle", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("shuffle", args.arg_fields[0].data_type().clone()))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        use std::hash::{BuildHasher, Hasher};
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        // xorshift64*, seeded by the standard library's per-process random keys.
        let mut state = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
            | 1;
        let mut next = move |bound: usize| -> usize {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) % bound as u64) as usize
        };
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) {
                picks.push(None);
                continue;
            }
            let (s, e) = row_range(l, r);
            let mut order: Vec<u32> = (s as u32..e as u32).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, next(i + 1));
            }
            picks.push(Some(order));
        }
        gather(result_element(result), l.values().as_ref(), &picks)
    }
}
