//! Arrays put together and compared: concatenation (`||`, `concat`), `contains_sequence`,
//! `array_intersect`, `array_union`, `array_except`, `array_sort` and `flatten`.

use super::*;

/// Concatenation of arrays and elements (`a || b`, `concat(a, b, ...)`): the arguments of
/// the deepest list type are arrays, those one level less deep are elements; NULL if any
/// argument is NULL.
pub(super) struct Concat;

impl CollectionFn for Concat {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        let deepest = types.iter().map(depth).max().unwrap_or(0);
        let ambiguous = types
            .iter()
            .any(|t| t.is_null() || element_type(t).is_some_and(|e| e.is_null()));
        if deepest == 0 || ambiguous || types.len() < 2 {
            let shown: Vec<String> = types.iter().map(trino_type_name).collect();
            return plan_err!(
                "AMBIGUOUS_FUNCTION_CALL: Could not choose a best candidate operator for ({}). Explicit type casts must be added.",
                shown.join(", ")
            );
        }
        let mut elements = Vec::with_capacity(types.len());
        for t in types {
            match depth(t) {
                d if d == deepest => elements.push(element_type(t).unwrap_or(DataType::Null)),
                d if d + 1 == deepest => elements.push(t.clone()),
                _ => return unexpected("concat", types),
            }
        }
        let common = common_type(&elements).or_else(|_| unexpected("concat", types))?;
        Ok(types
            .iter()
            .map(|t| {
                if depth(t) == deepest {
                    list_of(common.clone())
                } else {
                    common.clone()
                }
            })
            .collect())
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let deepest = args
            .arg_fields
            .iter()
            .max_by_key(|f| depth(f.data_type()))
            .map_or(DataType::Null, |f| f.data_type().clone());
        Ok(field("concat", deepest))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let deepest = depth(result.data_type());
        let element = result_element(result);
        // Each argument as (source values, the range of each row in them).
        let mut sources: Vec<ArrayRef> = Vec::with_capacity(args.len());
        let mut lists: Vec<Option<ArrayRef>> = Vec::with_capacity(args.len());
        for a in args {
            if depth(a.data_type()) == deepest {
                let l = list(a)?;
                sources.push(Arc::clone(l.as_list::<i32>().values()));
                lists.push(Some(l));
            } else {
                sources.push(Arc::clone(a));
                lists.push(None);
            }
        }
        let mut picks: Vec<(usize, usize)> = Vec::new();
        let mut lens = Vec::with_capacity(rows);
        let mut valid = Vec::with_capacity(rows);
        for r in 0..rows {
            if args.iter().any(|a| a.is_null(r)) {
                lens.push(0);
                valid.push(false);
                continue;
            }
            let before = picks.len();
            for (k, l) in lists.iter().enumerate() {
                match l {
                    Some(l) => {
                        let (s, e) = row_range(l.as_list::<i32>(), r);
                        picks.extend((s..e).map(|p| (k, p)));
                    }
                    None => picks.push((k, r)),
                }
            }
            lens.push(picks.len() - before);
            valid.push(true);
        }
        let refs: Vec<&dyn Array> = sources.iter().map(|s| s.as_ref()).collect();
        let values = if picks.is_empty() {
            new_empty_array(element.data_type())
        } else {
            interleave(&refs, &picks)?
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

/// `contains_sequence(x, seq)`: whether `seq` occurs in `x` as consecutive elements
/// (NULL elements match NULL ones).
pub(super) struct ContainsSequence;

impl CollectionFn for ContainsSequence {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_arrays("contains_sequence", types, types.len() == 2)
    }

    fn return_field(&self, _: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("contains_sequence", DataType::Boolean))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, _: &FieldRef) -> Result<ArrayRef> {
        let (a, b) = (list(&args[0])?, list(&args[1])?);
        let (la, lb) = (a.as_list::<i32>(), b.as_list::<i32>());
        let converter = RowConverter::new(vec![SortField::new(la.value_type())])?;
        let ra = converter.convert_columns(&[Arc::clone(la.values())])?;
        let rb = converter.convert_columns(&[Arc::clone(lb.values())])?;
        let mut out = Vec::with_capacity(rows);
        for r in 0..rows {
            if la.is_null(r) || lb.is_null(r) {
                out.push(None);
                continue;
            }
            let ((sa, ea), (sb, eb)) = (row_range(la, r), row_range(lb, r));
            let n = eb - sb;
            let found = n == 0
                || (sa..(ea + 1).saturating_sub(n))
                    .any(|p| (0..n).all(|k| ra.row(p + k) == rb.row(sb + k)));
            out.push(Some(found));
        }
        Ok(Arc::new(BooleanArray::from(out)))
    }
}

/// `array_intersect`, `array_union`, `array_except`: without duplicates, in the order
/// of first appearance (NULL counts as a value, as does NaN).
#[derive(Clone, Copy)]
pub(super) enum SetOp {
    Intersect,
    Union,
    Except,
}

impl SetOp {
    fn name(self) -> &'static str {
        match self {
            SetOp::Intersect => "array_intersect",
            SetOp::Union => "array_union",
            SetOp::Except => "array_except",
        }
    }
}

impl CollectionFn for SetOp {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_arrays(self.name(), types, types.len() == 2)
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field(self.name(), args.arg_fields[0].data_type().clone()))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let (a, b) = (list(&args[0])?, list(&args[1])?);
        let (la, lb) = (a.as_list::<i32>(), b.as_list::<i32>());
        let converter = RowConverter::new(vec![SortField::new(la.value_type())])?;
        let ra = converter.convert_columns(&[Arc::clone(la.values())])?;
        let rb = converter.convert_columns(&[Arc::clone(lb.values())])?;
        // Picks into the values of `a` followed by those of `b`.
        let offset = la.values().len() as u32;
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if la.is_null(r) || lb.is_null(r) {
                picks.push(None);
                continue;
            }
            let ((sa, ea), (sb, eb)) = (row_range(la, r), row_range(lb, r));
            let in_b: HashSet<_> = (sb..eb).map(|q| rb.row(q)).collect();
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for p in sa..ea {
                let keep = match self {
                    SetOp::Intersect => in_b.contains(&ra.row(p)),
                    SetOp::Union => true,
                    SetOp::Except => !in_b.contains(&ra.row(p)),
                };
                if keep && seen.insert(ra.row(p)) {
                    out.push(p as u32);
                }
            }
            if let SetOp::Union = self {
                for q in sb..eb {
                    if seen.insert(rb.row(q)) {
                        out.push(offset + q as u32);
                    }
                }
            }
            picks.push(Some(out));
        }
        let both =
            datafusion::arrow::compute::concat(&[la.values().as_ref(), lb.values().as_ref()])?;
        gather(result_element(result), both.as_ref(), &picks)
    }
}

/// `array_sort(array)`: ascending, NULLs last; arrays and rows compare as Trino's
/// (`compare.rs`), maps are not orderable.
pub(super) struct Sort;

impl CollectionFn for Sort {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        Extreme { max: true }
            .coerce(types)
            .or_else(|_| unexpected("array_sort", types))
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(field("array_sort", args.arg_fields[0].data_type().clone()))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let l = a.as_list::<i32>();
        let values = l.values();
        let c = Comparer::new(values.as_ref(), values.as_ref())?;
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if l.is_null(r) {
                picks.push(None);
                continue;
            }
            let (s, e) = row_range(l, r);
            let (mut present, nulls): (Vec<u32>, Vec<u32>) =
                (s as u32..e as u32).partition(|&p| !values.is_null(p as usize));
            let mut failure = None;
            present.sort_by(|&x, &y| match c.cmp(x as usize, y as usize) {
                Ok(o) => o,
                Err(e) => {
                    failure.get_or_insert(e);
                    Ordering::Equal
                }
            });
            if let Some(e) = failure {
                return Err(e);
            }
            present.extend(nulls);
            picks.push(Some(present));
        }
        gather(result_element(result), values.as_ref(), &picks)
    }
}

/// `flatten(array(array(T)))`: the elements of the inner arrays, NULL ones skipped.
pub(super) struct Flatten;

impl CollectionFn for Flatten {
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [t] if t.is_null() || element_type(t).is_some_and(|e| e.is_null()) => {
                Ok(vec![list_of(list_of(DataType::Null))])
            }
            [t] if element_type(t).and_then(|e| element_type(&e)).is_some() => {
                let inner = element_type(t)
                    .and_then(|e| element_type(&e))
                    .unwrap_or(DataType::Null);
                Ok(vec![list_of(list_of(inner))])
            }
            _ => unexpected("flatten", types),
        }
    }

    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef> {
        let inner = element_type(args.arg_fields[0].data_type()).unwrap_or(DataType::Null);
        Ok(field("flatten", inner))
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef> {
        let a = list(&args[0])?;
        let outer = a.as_list::<i32>();
        let inner = list(outer.values())?;
        let inner = inner.as_list::<i32>();
        let mut picks = Vec::with_capacity(rows);
        for r in 0..rows {
            if outer.is_null(r) {
                picks.push(None);
                continue;
            }
            let (s, e) = row_range(outer, r);
            let elements: Vec<u32> = (s..e)
                .filter(|&i| !inner.is_null(i))
                .flat_map(|i| {
                    let (x, y) = row_range(inner, i);
                    x as u32..y as u32
                })
                .collect();
            picks.push(Some(elements));
        }
        gather(result_element(result), inner.values().as_ref(), &picks)
    }
}
