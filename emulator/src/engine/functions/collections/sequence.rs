//! `sequence(start, stop[, step])` of integers (`athena_integer_sequence`), as Trino's
//! (trino.io, "Array functions and operators"): bigints, the step 1 or -1 by default,
//! following the direction; a zero step or one going away from `stop` fails with
//! `INVALID_FUNCTION_ARGUMENT`, and so do more than 10,000 elements, as in Trino: a query
//! that runs here must run on Athena (longer runs of numbers come from a cross join of
//! two sequences, `examples/common/designs.rs`). Sequences of dates and timestamps are
//! `functions/dates/sequence.rs`, which hands integer arguments to this one.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, ListArray};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::datatypes::{DataType, FieldRef, Int64Type};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{ReturnFieldArgs, ScalarUDF};

use super::{CollectionFn, CollectionUdf, element_of, field, list_of};
use crate::engine::functions::trino_type_name;

/// The name of the integer sequence, which `functions/dates/sequence.rs` calls.
pub(crate) const INTEGER_SEQUENCE: &str = "athena_integer_sequence";

pub(super) fn udfs() -> Vec<ScalarUDF> {
    vec![integer_sequence()]
}

/// The integer sequence as a UDF of its own, for `functions/dates/sequence.rs`.
pub(crate) fn integer_sequence() -> ScalarUDF {
    CollectionUdf::udf(INTEGER_SEQUENCE, Sequence)
}

/// The most elements one batch of sequences may hold (an array's offsets are 32-bit).
const MAX_ELEMENTS: i128 = i32::MAX as i128;

/// The most elements one sequence may have in Trino (`ArraySequence`'s limit).
const MAX_ENTRIES: i128 = 10_000;

const WRONG_DIRECTION: &str = "INVALID_FUNCTION_ARGUMENT: sequence stop value should be greater than or equal to start value if step is greater than zero otherwise stop should be less than or equal to start";

struct Sequence;

fn unexpected<T>(types: &[DataType]) -> Result<T> {
    let shown: Vec<String> = types.iter().map(trino_type_name).collect();
    plan_err!(
        "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function sequence",
        shown.join(", ")
    )
}

fn is_integer(t: &DataType) -> bool {
    t.is_integer() || t.is_null()
}

impl CollectionFn for Sequence {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [a, b] | [a, b, _] if is_integer(a) && is_integer(b) => {
                if types.get(2).is_some_and(|s| !is_integer(s)) {
                    return unexpected(types);
                }
                Ok(vec![DataType::Int64; types.len()])
            }
            _ => unexpected(types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field(
            "sequence",
            list_of(args.arg_fields[0].data_type().clone()),
        ))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let element = element_of(result.data_type())
            .map(Arc::clone)
            .unwrap_or_else(|| field("item", DataType::Int64));
        let mut lens = Vec::with_capacity(rows);
        let mut valid = Vec::with_capacity(rows);
        let values: ArrayRef = match args[0].data_type() {
            DataType::Int64 => {
                let mut out: Vec<i64> = Vec::new();
                let start = args[0].as_primitive::<Int64Type>();
                let stop = args[1].as_primitive::<Int64Type>();
                let step = args.get(2).map(|s| s.as_primitive::<Int64Type>());
                for r in 0..rows {
                    if start.is_null(r) || stop.is_null(r) || step.is_some_and(|s| s.is_null(r)) {
                        lens.push(0);
                        valid.push(false);
                        continue;
                    }
                    let (a, b) = (start.value(r), stop.value(r));
                    let s = step.map_or(if a <= b { 1 } else { -1 }, |s| s.value(r));
                    let n = integer_count(a, b, s)?;
                    check_total(out.len() as i128 + n)?;
                    out.extend((0..n as i64).map(|k| a + k * s));
                    lens.push(n as usize);
                    valid.push(true);
                }
                Arc::new(Int64Array::from(out))
            }
            other => return exec_err!("sequence of {other} is not defined"),
        };
        let nulls = NullBuffer::from(valid);
        Ok(Arc::new(ListArray::try_new(
            element,
            OffsetBuffer::from_lengths(lens),
            values,
            (nulls.null_count() > 0).then_some(nulls),
        )?))
    }
}

/// How many elements `start, start + step, ...` has up to `stop`; fails as Trino on a
/// zero step or one going away from `stop`.
fn integer_count(start: i64, stop: i64, step: i64) -> Result<i128> {
    if step == 0 {
        return exec_err!("INVALID_FUNCTION_ARGUMENT: step must not be zero");
    }
    if (step > 0 && stop < start) || (step < 0 && stop > start) {
        return exec_err!("{WRONG_DIRECTION}");
    }
    let n = (i128::from(stop) - i128::from(start)) / i128::from(step) + 1;
    check_entries(n)?;
    Ok(n)
}

/// Trino's limit on the length of one sequence.
fn check_entries(n: i128) -> Result<()> {
    if n > MAX_ENTRIES {
        return exec_err!(
            "INVALID_FUNCTION_ARGUMENT: result of sequence function must not have more than {MAX_ENTRIES} entries"
        );
    }
    Ok(())
}

fn check_total(n: i128) -> Result<()> {
    if n > MAX_ELEMENTS {
        return exec_err!(
            "INVALID_FUNCTION_ARGUMENT: result of sequence function must not have more than {MAX_ELEMENTS} entries"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_trinos_rules() {
        assert_eq!(integer_count(1, 10, 3).unwrap(), 4);
        assert_eq!(integer_count(10, 1, -4).unwrap(), 3);
        assert_eq!(integer_count(3, 3, 1).unwrap(), 1);
        assert!(
            integer_count(1, 5, 0)
                .unwrap_err()
                .to_string()
                .contains("step must not be zero")
        );
        assert!(
            integer_count(1, 5, -1)
                .unwrap_err()
                .to_string()
                .contains("stop value")
        );
    }

    #[test]
    fn a_sequence_holds_at_most_trinos_ten_thousand_entries() {
        assert_eq!(integer_count(1, 10_000, 1).unwrap(), 10_000);
        assert_eq!(integer_count(0, 19_998, 2).unwrap(), 10_000);
        assert!(integer_count(0, 20_000, 2).is_err());
        assert!(
            integer_count(1, 10_001, 1)
                .unwrap_err()
                .to_string()
                .contains("must not have more than 10000 entries")
        );
    }
}
