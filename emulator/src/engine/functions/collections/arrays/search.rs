//! Finding elements: `contains`, `array_position`, `array_remove`, `arrays_overlap`,
//! `array_max` and `array_min`.

use super::*;

/// `contains`, `array_position` and `array_remove`: the elements equal to a value.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Search {
    Contains,
    Position,
    Remove,
}

impl Search {
    fn name(self) -> &'static str {
        match self {
            Search::Contains => "contains",
            Search::Position => "array_position",
            Search::Remove => "array_remove",
        }
    }
}

impl CollectionFn for Search {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_array_and_value(self.name(), types)
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let t = match self {
            Search::Contains => DataType::Boolean,
            Search::Position => DataType::Int64,
            Search::Remove => args.arg_fields[0].data_type().clone(),
        };
        Ok(field(self.name(), t))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let value = &args[1];
        let c = Comparer::new(l.values().as_ref(), value.as_ref())?;
        let nested = is_nested(value.data_type());
        let mut flags: Vec<Option<bool>> = Vec::with_capacity(rows);
        let mut positions: Vec<Option<i64>> = Vec::with_capacity(rows);
        let mut kept: Vec<Option<Vec<u32>>> = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) || value.is_null(r) {
                flags.push(None);
                positions.push(None);
                kept.push(None);
                continue;
            }
            let (s, e) = row_range(l, r);
            let mut found = None;
            let mut undecided = false;
            let mut keep = Vec::new();
            for p in s..e {
                match c.eq(p, r) {
                    Some(true) => {
                        found.get_or_insert(p - s);
                        if *self != Search::Remove {
                            break;
                        }
                    }
                    Some(false) => keep.push(p as u32),
                    None => {
                        // An element equal but for NULLs inside: Trino refuses to guess.
                        if nested && !c.is_null(p, r) {
                            return exec_err!(
                                "NOT_SUPPORTED: {} does not support arrays with elements that are null or contain null",
                                self.name()
                            );
                        }
                        undecided = true;
                        keep.push(p as u32);
                    }
                }
            }
            flags.push(match (found, undecided) {
                (Some(_), _) => Some(true),
                (None, true) => None,
                (None, false) => Some(false),
            });
            positions.push(match (found, undecided) {
                (Some(p), _) => Some(p as i64 + 1),
                (None, true) => None,
                (None, false) => Some(0),
            });
            kept.push(Some(keep));
        }
        Ok(match self {
            Search::Contains => Arc::new(BooleanArray::from(flags)),
            Search::Position => Arc::new(Int64Array::from(positions)),
            Search::Remove => gather(
                element_of(result.data_type())
                    .map(Arc::clone)
                    .unwrap_or_else(|| field("item", DataType::Null)),
                l.values().as_ref(),
                &kept,
            )?,
        })
    }
}

/// `arrays_overlap(x, y)`: true when they share a non-NULL element; else NULL when
/// either has a NULL (and neither is empty); else false.
pub(super) struct Overlap;

impl CollectionFn for Overlap {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_arrays("arrays_overlap", types, types.len() == 2)
    }

    fn return_field(&self, _: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("arrays_overlap", DataType::Boolean))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, _: &FieldRef) -> Result<ArrayRef> {
        let (a, b) = (list(&args[0])?, list(&args[1])?);
        let (la, lb) = (a.as_list::<i32>(), b.as_list::<i32>());
        // Elements as comparable rows: equal values (NaN included) have equal rows.
        let t = la.value_type();
        let converter = RowConverter::new(vec![SortField::new(t)])?;
        let ra = converter.convert_columns(&[Arc::clone(la.values())])?;
        let rb = converter.convert_columns(&[Arc::clone(lb.values())])?;
        let mut out = Vec::with_capacity(rows);
        for r in 0..rows {
            if la.is_null(r) || lb.is_null(r) {
                out.push(None);
                continue;
            }
            let ((sa, ea), (sb, eb)) = (row_range(la, r), row_range(lb, r));
            if sa == ea || sb == eb {
                out.push(Some(false));
                continue;
            }
            let mut saw_null = false;
            let mut seen = HashSet::new();
            for p in sa..ea {
                if la.values().is_null(p) {
                    saw_null = true;
                } else {
                    seen.insert(ra.row(p));
                }
            }
            let mut overlap = false;
            for q in sb..eb {
                if lb.values().is_null(q) {
                    saw_null = true;
                } else if seen.contains(&rb.row(q)) {
                    overlap = true;
                    break;
                }
            }
            out.push(match (overlap, saw_null) {
                (true, _) => Some(true),
                (false, true) => None,
                (false, false) => Some(false),
            });
        }
        Ok(Arc::new(BooleanArray::from(out)))
    }
}

/// Arrays coerced to arrays of one element type (`ok` says the arity is right).
pub(super) fn coerce_arrays(name: &str, types: &[DataType], ok: bool) -> Result<Vec<DataType>> {
    let elements: Option<Vec<DataType>> = types.iter().map(element_type).collect();
    let (true, Some(elements)) = (ok, elements) else {
        let shown: Vec<String> = types.iter().map(trino_type_name).collect();
        return plan_err!(
            "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function {name}",
            shown.join(", ")
        );
    };
    match common_type(&elements) {
        Ok(t) => Ok(vec![list_of(t); types.len()]),
        Err(_) => {
            let shown: Vec<String> = types.iter().map(trino_type_name).collect();
            plan_err!(
                "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function {name}",
                shown.join(", ")
            )
        }
    }
}

/// `array_max` / `array_min`: NULL if an element is NULL; NaN only when every element is.
pub(super) struct Extreme {
    pub(super) max: bool,
}

impl CollectionFn for Extreme {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        let name = if self.max { "array_max" } else { "array_min" };
        match types {
            [t] if element_type(t).is_some_and(|e| !matches!(e, DataType::Map(..))) => {
                Ok(vec![list_of(element_type(t).unwrap_or(DataType::Null))])
            }
            _ => {
                let shown: Vec<String> = types.iter().map(trino_type_name).collect();
                plan_err!(
                    "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function {name}",
                    shown.join(", ")
                )
            }
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let t = element_type(args.arg_fields[0].data_type()).unwrap_or(DataType::Null);
        Ok(field(if self.max { "array_max" } else { "array_min" }, t))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, _: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let values = l.values();
        let c = Comparer::new(values.as_ref(), values.as_ref())?;
        // Doubles seen as f64, to tell NaN.
        let floats = match values.data_type() {
            DataType::Float16 | DataType::Float32 | DataType::Float64 => {
                Some(cast(values, &DataType::Float64)?)
            }
            _ => None,
        };
        let nan = |p: usize| -> bool {
            floats.as_ref().is_some_and(|f| {
                f.as_primitive::<datafusion::arrow::datatypes::Float64Type>()
                    .value(p)
                    .is_nan()
            })
        };
        let mut at: Vec<Option<u32>> = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) {
                at.push(None);
                continue;
            }
            let (s, e) = row_range(l, r);
            if (s..e).any(|p| values.is_null(p)) {
                at.push(None);
                continue;
            }
            let mut best: Option<usize> = None;
            for p in s..e {
                best = Some(match best {
                    None => p,
                    // Trino's double comparison: NaN never wins over a number.
                    Some(b) if nan(b) && !nan(p) => p,
                    Some(b) if nan(p) => b,
                    Some(b) => {
                        let o = c.cmp(p, b)?;
                        if (self.max && o == Ordering::Greater)
                            || (!self.max && o == Ordering::Less)
                        {
                            p
                        } else {
                            b
                        }
                    }
                });
            }
            at.push(best.map(|p| p as u32));
        }
        Ok(take(values.as_ref(), &UInt32Array::from(at), None)?)
    }
}
