//! Arrays cut and made: `slice`, `trim_array`, `repeat` and `zip`.

use super::*;

/// `slice(array, start, length)`: from `start` (from the end when negative), at most
/// `length` elements.
pub(super) struct Slice;

impl CollectionFn for Slice {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [a, s, n]
                if element_type(a).is_some()
                    && [s, n].iter().all(|t| t.is_integer() || t.is_null()) =>
            {
                Ok(vec![
                    list_of(element_type(a).unwrap_or(DataType::Null)),
                    DataType::Int64,
                    DataType::Int64,
                ])
            }
            _ => unexpected("slice", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("slice", args.arg_fields[0].data_type().clone()))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let (start, length) = (
            args[1].as_primitive::<datafusion::arrow::datatypes::Int64Type>(),
            args[2].as_primitive::<datafusion::arrow::datatypes::Int64Type>(),
        );
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) || start.is_null(r) || length.is_null(r) {
                picks.push(None);
                continue;
            }
            let (s, e) = row_range(l, r);
            let len = (e - s) as i64;
            let (from, n) = (start.value(r), length.value(r));
            if from == 0 {
                return exec_err!("INVALID_FUNCTION_ARGUMENT: SQL array indices start at 1");
            }
            if n < 0 {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: length must be greater than or equal to 0"
                );
            }
            let first = if from > 0 { from - 1 } else { len + from };
            if first < 0 || first >= len {
                picks.push(Some(Vec::new()));
                continue;
            }
            let last = first.saturating_add(n).min(len);
            picks.push(Some((first..last).map(|k| (s as i64 + k) as u32).collect()));
        }
        gather(result_element(result), l.values().as_ref(), &picks)
    }
}

pub(super) fn result_element(result: &FieldRef) -> FieldRef {
    element_of(result.data_type())
        .map(Arc::clone)
        .unwrap_or_else(|| field("item", DataType::Null))
}

pub(super) fn unexpected<T>(name: &str, types: &[DataType]) -> Result<T> {
    let shown: Vec<String> = types.iter().map(trino_type_name).collect();
    plan_err!(
        "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function {name}",
        shown.join(", ")
    )
}

/// `trim_array(array, n)`: without its last `n` elements.
pub(super) struct TrimArray;

impl CollectionFn for TrimArray {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [a, n] if element_type(a).is_some() && (n.is_integer() || n.is_null()) => Ok(vec![
                list_of(element_type(a).unwrap_or(DataType::Null)),
                DataType::Int64,
            ]),
            _ => unexpected("trim_array", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("trim_array", args.arg_fields[0].data_type().clone()))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let n = args[1].as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) || n.is_null(r) {
                picks.push(None);
                continue;
            }
            let (s, e) = row_range(l, r);
            let k = n.value(r);
            if k < 0 {
                return exec_err!("INVALID_FUNCTION_ARGUMENT: size must not be negative: {k}");
            }
            if k > (e - s) as i64 {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: size must not exceed array cardinality {}: {k}",
                    e - s
                );
            }
            picks.push(Some((s as u32..(e as i64 - k) as u32).collect()));
        }
        gather(result_element(result), l.values().as_ref(), &picks)
    }
}

/// Trino's largest `repeat` count.
pub(super) const MAX_REPEAT: i64 = 10_000;

/// `repeat(element, count)`: an array of `count` copies.
pub(super) struct Repeat;

impl CollectionFn for Repeat {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [e, n] if n.is_integer() || n.is_null() => Ok(vec![e.clone(), DataType::Int64]),
            _ => unexpected("repeat", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field(
            "repeat",
            list_of(args.arg_fields[0].data_type().clone()),
        ))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let n = args[1].as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if n.is_null(r) {
                picks.push(None);
                continue;
            }
            let k = n.value(r);
            if k < 0 {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: count argument of repeat function must be greater than or equal to 0"
                );
            }
            if k > MAX_REPEAT {
                return exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: count argument of repeat function must be less than or equal to 10000"
                );
            }
            picks.push(Some(vec![r as u32; k as usize]));
        }
        gather(result_element(result), args[0].as_ref(), &picks)
    }
}

/// `zip(a, b, ...)`: rows of the elements at each position, the shorter arrays padded
/// with NULLs.
pub(super) struct Zip;

impl CollectionFn for Zip {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        if !(2..=5).contains(&types.len()) || types.iter().any(|t| element_type(t).is_none()) {
            return unexpected("zip", types);
        }
        Ok(types
            .iter()
            .map(|t| list_of(element_type(t).unwrap_or(DataType::Null)))
            .collect())
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("zip", list_of(zip_row(args.arg_fields))))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let lists = args.iter().map(list).collect::<Result<Vec<_>>>()?;
        let ls: Vec<&ListArray> = lists.iter().map(|a| a.as_list::<i32>()).collect();
        let mut picks: Vec<Vec<Option<u32>>> = vec![Vec::new(); ls.len()];
        let mut lens = Vec::with_capacity(rows);
        let mut valid = Vec::with_capacity(rows);
        for r in 0..rows {
            if ls.iter().any(|l| l.is_null(r)) {
                lens.push(0);
                valid.push(false);
                continue;
            }
            let ranges: Vec<(usize, usize)> = ls.iter().map(|l| row_range(l, r)).collect();
            let n = ranges.iter().map(|(s, e)| e - s).max().unwrap_or(0);
            for (k, &(s, e)) in ranges.iter().enumerate() {
                picks[k].extend((0..n).map(|i| (s + i < e).then_some((s + i) as u32)));
            }
            lens.push(n);
            valid.push(true);
        }
        let DataType::Struct(fields) = result_element(result).data_type().clone() else {
            return exec_err!("zip makes rows");
        };
        let columns = ls
            .iter()
            .zip(picks)
            .map(|(l, p)| Ok(take(l.values().as_ref(), &UInt32Array::from(p), None)?))
            .collect::<Result<Vec<ArrayRef>>>()?;
        let len = columns.first().map_or(0, |c| c.len());
        let structs = StructArray::try_new_with_length(fields, columns, None, len)?;
        let nulls = NullBuffer::from(valid);
        Ok(Arc::new(ListArray::try_new(
            result_element(result),
            OffsetBuffer::from_lengths(lens),
            Arc::new(structs),
            (nulls.null_count() > 0).then_some(nulls),
        )?))
    }
}

/// The row type of `zip`: anonymous fields (`c0`, `c1`, ...) of the element types.
pub(super) fn zip_row(fields: &[FieldRef]) -> DataType {
    DataType::Struct(Fields::from(
        fields
            .iter()
            .enumerate()
            .map(|(k, f)| {
                Field::new(
                    format!("c{k}"),
                    element_type(f.data_type()).unwrap_or(DataType::Null),
                    true,
                )
            })
            .collect::<Vec<_>>(),
    ))
}

/// The depth of list nesting of a type.
pub(super) fn depth(t: &DataType) -> usize {
    element_type(t)
        .filter(|_| !t.is_null())
        .map_or(0, |e| 1 + depth(&e))
}
