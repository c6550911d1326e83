//! Trino's lambda functions on arrays and maps, as DataFusion higher-order functions
//! (`x -> expr`, `(k, v) -> expr`). `transform` is DataFusion's `array_transform`; the
//! others are below, with Trino's semantics (emulator/SQL.md, "Lambdas"):
//!
//! - a NULL array or map gives NULL; the lambda sees NULL elements as NULL;
//! - a predicate (`filter`, `any_match`, `all_match`, `none_match`, `map_filter`) must
//!   return a boolean, else the call fails with FUNCTION_NOT_FOUND as in Trino;
//! - `any_match`/`all_match`/`none_match`: false / true / true for an empty array, NULL
//!   when the predicate is NULL for some elements and decides nothing for the others;
//! - `reduce(array, initial, (s, x) -> s', s -> r)`: `s` goes through the elements in
//!   order; an empty array gives `r(initial)`;
//! - `zip_with(a, b, (x, y) -> z)`: the shorter array is padded with NULLs;
//! - `transform_keys` fails on a NULL or duplicate key, as Trino does;
//! - `map_zip_with(a, b, (k, v1, v2) -> v)`: every key of either map, those of `a` first;
//! - `array_sort(array, (x, y) -> c)` (planned as `athena_array_sort`): the comparator
//!   must answer -1, 0 or 1; any other value, NULL included, fails the query.
//!
//! Each lambda is evaluated once over all the elements of a batch (captured columns are
//! repeated per element), except `reduce`, once per position, and the comparator of
//! `array_sort`, once per comparison.

mod elements;
mod maps;
mod sort;

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, BooleanBuilder, ListArray, UInt32Array, new_null_array,
};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::compute::{cast, interleave, take};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::execution::context::SessionContext;
use datafusion::functions_nested::array_transform;
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature,
    HigherOrderUDF, HigherOrderUDFImpl, LambdaArgument, LambdaParametersProgress, ValueOrLambda,
    Volatility,
};
use elements::{Rows, as_bool, call, element_field, list_rows};

/// Registers Trino's lambda functions.
pub(crate) fn register(ctx: &SessionContext) {
    let transform = array_transform::array_transform_higher_order_function();
    ctx.register_higher_order_function(Arc::new(
        transform.as_ref().clone().with_aliases(["transform"]),
    ));
    // `filter` and `any_match` are the emulator's too: DataFusion's take a predicate of
    // any type (Trino's must be boolean), and `any_match` replaces the alias DataFusion
    // registers for its `array_any_match`.
    for f in [
        Lambda::new("filter", Kind::Filter),
        Lambda::new("any_match", Kind::AnyMatch),
        Lambda::new("all_match", Kind::AllMatch),
        Lambda::new("none_match", Kind::NoneMatch),
        Lambda::new("reduce", Kind::Reduce),
        Lambda::new("zip_with", Kind::ZipWith),
        Lambda::new("map_filter", Kind::MapFilter),
        Lambda::new("transform_keys", Kind::TransformKeys),
        Lambda::new("transform_values", Kind::TransformValues),
        Lambda::new("map_zip_with", Kind::MapZipWith),
        Lambda::new("athena_array_sort", Kind::ArraySort),
    ] {
        // A DataFusion function of this name (`array_any_match` has the alias
        // `any_match`) goes first, with all its names: each query's session state is
        // rebuilt from the registry (`scan::counting`), where a name two functions claim
        // would go to either.
        let taken = ctx
            .state()
            .higher_order_functions()
            .get(f.name)
            .map(|existing| existing.name().to_owned());
        if let Some(existing) = taken {
            ctx.deregister_higher_order_function(&existing);
        }
        ctx.register_higher_order_function(Arc::new(HigherOrderUDF::new_from_impl(f)));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Filter,
    AnyMatch,
    AllMatch,
    NoneMatch,
    Reduce,
    ZipWith,
    MapFilter,
    TransformKeys,
    TransformValues,
    MapZipWith,
    ArraySort,
}

/// One of Trino's lambda functions.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Lambda {
    name: &'static str,
    kind: Kind,
    signature: HigherOrderSignature,
}

impl Lambda {
    fn new(name: &'static str, kind: Kind) -> Self {
        use ValueOrLambda::{Lambda as L, Value as V};
        let args = match kind {
            Kind::Reduce => vec![V(()), V(()), L(()), L(())],
            Kind::ZipWith | Kind::MapZipWith => vec![V(()), V(()), L(())],
            _ => vec![V(()), L(())],
        };
        Lambda {
            name,
            kind,
            signature: HigherOrderSignature::exact(args, Volatility::Immutable),
        }
    }

    fn is_map(&self) -> bool {
        matches!(
            self.kind,
            Kind::MapFilter | Kind::TransformKeys | Kind::TransformValues
        )
    }

    /// Whether its lambda is a predicate (Trino's must return a boolean).
    fn is_predicate(&self) -> bool {
        matches!(
            self.kind,
            Kind::Filter | Kind::AnyMatch | Kind::AllMatch | Kind::NoneMatch | Kind::MapFilter
        )
    }
}

/// A list of any kind as a `List`, as the functions below read it.
fn as_list_type(name: &str, t: &DataType) -> Result<DataType> {
    match t {
        DataType::List(_) => Ok(t.clone()),
        DataType::LargeList(f)
        | DataType::FixedSizeList(f, _)
        | DataType::ListView(f)
        | DataType::LargeListView(f) => Ok(DataType::List(Arc::clone(f))),
        DataType::Null => Ok(DataType::new_list(DataType::Null, true)),
        other => plan_err!("{name} expects an array, got {other}"),
    }
}

/// The key and value fields of a map type.
fn map_fields(name: &str, t: &DataType) -> Result<(FieldRef, FieldRef)> {
    if let DataType::Map(entries, _) = t
        && let DataType::Struct(fields) = entries.data_type()
        && fields.len() == 2
    {
        return Ok((Arc::clone(&fields[0]), Arc::clone(&fields[1])));
    }
    plan_err!("{name} expects a map, got {t}")
}

/// A map type with these key and value fields.
fn map_type(key: FieldRef, value: FieldRef) -> DataType {
    let entries = Field::new(
        "entries",
        DataType::Struct(Fields::from(vec![key, value])),
        false,
    );
    DataType::Map(Arc::new(entries), false)
}

fn named(name: &str, f: &FieldRef) -> FieldRef {
    Arc::new(Field::new(name, f.data_type().clone(), true))
}

impl HigherOrderUDFImpl for Lambda {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    fn coerce_value_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match (self.kind, arg_types) {
            (Kind::Reduce, [list, init]) => Ok(vec![as_list_type(self.name, list)?, init.clone()]),
            (Kind::ZipWith, [a, b]) => Ok(vec![
                as_list_type(self.name, a)?,
                as_list_type(self.name, b)?,
            ]),
            // A bare NULL map takes the other's type.
            (Kind::MapZipWith, [DataType::Null, b]) if !b.is_null() => {
                map_fields(self.name, b)?;
                Ok(vec![b.clone(), b.clone()])
            }
            (Kind::MapZipWith, [a, DataType::Null]) if !a.is_null() => {
                map_fields(self.name, a)?;
                Ok(vec![a.clone(), a.clone()])
            }
            (Kind::MapZipWith, [a, b]) => {
                let (ka, _) = map_fields(self.name, a)?;
                let (kb, _) = map_fields(self.name, b)?;
                if ka.data_type() != kb.data_type() {
                    return plan_err!(
                        "FUNCTION_NOT_FOUND: map_zip_with takes two maps of the same key type, got {a} and {b}"
                    );
                }
                Ok(vec![a.clone(), b.clone()])
            }
            (_, [map]) if self.is_map() => {
                map_fields(self.name, map)?;
                Ok(vec![map.clone()])
            }
            (_, [list]) => Ok(vec![as_list_type(self.name, list)?]),
            _ => plan_err!(
                "{} got {} values besides its lambdas",
                self.name,
                arg_types.len()
            ),
        }
    }

    fn lambda_parameters(
        &self,
        step: usize,
        fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
    ) -> Result<LambdaParametersProgress> {
        let value = |i: usize| match fields.get(i) {
            Some(ValueOrLambda::Value(f)) => Ok(Arc::clone(f)),
            _ => plan_err!("{} expects a value as argument {}", self.name, i + 1),
        };
        let params = match self.kind {
            Kind::Filter | Kind::AnyMatch | Kind::AllMatch | Kind::NoneMatch => {
                vec![vec![named("x", &element_field(value(0)?.data_type())?)]]
            }
            Kind::MapZipWith => {
                let (k, v1) = map_fields(self.name, value(0)?.data_type())?;
                let (_, v2) = map_fields(self.name, value(1)?.data_type())?;
                vec![vec![named("k", &k), named("v1", &v1), named("v2", &v2)]]
            }
            Kind::ArraySort => {
                let e = element_field(value(0)?.data_type())?;
                vec![vec![named("x", &e), named("y", &e)]]
            }
            Kind::ZipWith => vec![vec![
                named("x", &element_field(value(0)?.data_type())?),
                named("y", &element_field(value(1)?.data_type())?),
            ]],
            Kind::MapFilter | Kind::TransformKeys | Kind::TransformValues => {
                let (k, v) = map_fields(self.name, value(0)?.data_type())?;
                vec![vec![named("k", &k), named("v", &v)]]
            }
            Kind::Reduce => {
                // The state's type is the input function's output type (the initial
                // value is cast to it): found by planning the input function with the
                // initial value's type first, then with its own output type.
                let element = named("x", &element_field(value(0)?.data_type())?);
                let init = value(1)?;
                let (state, settled) = match (fields.get(2), fields.get(3)) {
                    (
                        Some(ValueOrLambda::Lambda(Some(out))),
                        Some(ValueOrLambda::Lambda(Some(_))),
                    ) => (Arc::clone(out), true),
                    (Some(ValueOrLambda::Lambda(Some(out))), _) if step > 0 => {
                        let settled = step > 1 || out.data_type() == init.data_type();
                        (Arc::clone(out), settled)
                    }
                    _ => (init, false),
                };
                let state = named("s", &state);
                if !settled {
                    return Ok(LambdaParametersProgress::Partial(vec![
                        Some(vec![state, element]),
                        None,
                    ]));
                }
                vec![vec![Arc::clone(&state), element], vec![state]]
            }
        };
        Ok(LambdaParametersProgress::Complete(params))
    }

    fn coerce_values_for_lambdas(
        &self,
        fields: &[ValueOrLambda<DataType, DataType>],
    ) -> Result<Option<Vec<DataType>>> {
        match (self.kind, fields) {
            (
                Kind::Reduce,
                [
                    ValueOrLambda::Value(list),
                    ValueOrLambda::Value(_),
                    ValueOrLambda::Lambda(state),
                    _,
                ],
            ) => Ok(Some(vec![list.clone(), state.clone()])),
            _ => Ok(None),
        }
    }

    fn return_field_from_args(&self, args: HigherOrderReturnFieldArgs<'_>) -> Result<FieldRef> {
        let f = args.arg_fields;
        let value = |i: usize| match f.get(i) {
            Some(ValueOrLambda::Value(v)) => Ok(Arc::clone(v)),
            _ => plan_err!("{} expects a value as argument {}", self.name, i + 1),
        };
        let lambda = |i: usize| match f.get(i) {
            Some(ValueOrLambda::Lambda(l)) => Ok(Arc::clone(l)),
            _ => plan_err!("{} expects a lambda as argument {}", self.name, i + 1),
        };
        if self.is_predicate() {
            let answer = lambda(1)?;
            // Trino takes only a boolean (not even a bare NULL).
            if answer.data_type() != &DataType::Boolean {
                return plan_err!(
                    "FUNCTION_NOT_FOUND: Unexpected parameters for function {}: the lambda returns {}, not a boolean",
                    self.name,
                    answer.data_type()
                );
            }
        }
        let t = match self.kind {
            Kind::AnyMatch | Kind::AllMatch | Kind::NoneMatch => DataType::Boolean,
            Kind::Filter => value(0)?.data_type().clone(),
            Kind::MapZipWith => {
                let (k, _) = map_fields(self.name, value(0)?.data_type())?;
                let v = Field::new("value", lambda(2)?.data_type().clone(), true);
                map_type(k, Arc::new(v))
            }
            Kind::Reduce => lambda(3)?.data_type().clone(),
            Kind::ZipWith => DataType::new_list(lambda(2)?.data_type().clone(), true),
            Kind::ArraySort | Kind::MapFilter => value(0)?.data_type().clone(),
            Kind::TransformValues => {
                let (k, _) = map_fields(self.name, value(0)?.data_type())?;
                let v = Field::new("value", lambda(1)?.data_type().clone(), true);
                map_type(k, Arc::new(v))
            }
            Kind::TransformKeys => {
                let (_, v) = map_fields(self.name, value(0)?.data_type())?;
                let k = Field::new("key", lambda(1)?.data_type().clone(), false);
                map_type(Arc::new(k), v)
            }
        };
        Ok(Arc::new(Field::new(self.name, t, true)))
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let mut values = Vec::new();
        let mut lambdas = Vec::new();
        for a in &args.args {
            match a {
                ValueOrLambda::Value(v) => values.push(v.to_array(n)?),
                ValueOrLambda::Lambda(l) => lambdas.push(l),
            }
        }
        let out_type = args.return_type().clone();
        let out = match (self.kind, values.as_slice(), lambdas.as_slice()) {
            (Kind::Filter, [list], [p]) => filter(list, p)?,
            (Kind::AnyMatch, [list], [p]) => any_match(list, p)?,
            (Kind::AllMatch, [list], [p]) => matches(list, p, true)?,
            (Kind::NoneMatch, [list], [p]) => matches(list, p, false)?,
            (Kind::Reduce, [list, init], [input, output]) => reduce(list, init, input, output)?,
            (Kind::ZipWith, [a, b], [f]) => zip_with(a, b, f, &out_type)?,
            (Kind::MapFilter, [map], [p]) => maps::map_filter(map, p)?,
            (Kind::TransformValues, [map], [f]) => maps::transform_map(map, f, false, &out_type)?,
            (Kind::TransformKeys, [map], [f]) => maps::transform_map(map, f, true, &out_type)?,
            (Kind::MapZipWith, [a, b], [f]) => maps::map_zip_with(a, b, f, &out_type)?,
            (Kind::ArraySort, [list], [cmp]) => sort::sort_by(list, cmp)?,
            _ => return exec_err!("{} called with the wrong arguments", self.name),
        };
        Ok(ColumnarValue::Array(out))
    }
}

/// `filter(array, x -> boolean)`: the elements whose predicate is true.
fn filter(list: &ArrayRef, predicate: &LambdaArgument) -> Result<ArrayRef> {
    let (l, rows) = list_rows(list)?;
    let elements = rows.elements(l.values())?;
    let p = as_bool(
        "filter",
        &call(predicate, &[Arc::clone(&elements)], &rows.owner)?,
    )?;
    // NULL drops the element, as false does.
    let keep = BooleanArray::from_iter(p.iter().map(|v| Some(v == Some(true))));
    let mut lens = Vec::with_capacity(rows.ranges.len());
    let mut at = 0;
    for &(s, e) in &rows.ranges {
        lens.push((at..at + (e - s)).filter(|&i| keep.value(i)).count());
        at += e - s;
    }
    let kept = datafusion::arrow::compute::filter(&elements, &keep)?;
    Ok(Arc::new(ListArray::try_new(
        element_field(l.data_type())?,
        Rows::offsets(lens.into_iter()),
        kept,
        rows.nulls.clone(),
    )?))
}

/// `any_match(array, x -> boolean)`: true if one is true; else NULL if one is NULL; else
/// false.
fn any_match(list: &ArrayRef, predicate: &LambdaArgument) -> Result<ArrayRef> {
    let (l, rows) = list_rows(list)?;
    let elements = rows.elements(l.values())?;
    let p = as_bool("any_match", &call(predicate, &[elements], &rows.owner)?)?;
    let mut out = BooleanBuilder::with_capacity(rows.ranges.len());
    let mut at = 0;
    for (r, &(s, e)) in rows.ranges.iter().enumerate() {
        if rows.nulls.as_ref().is_some_and(|n| n.is_null(r)) {
            out.append_null();
            continue;
        }
        let results: Vec<Option<bool>> = (at..at + (e - s))
            .map(|i| p.is_valid(i).then(|| p.value(i)))
            .collect();
        at += e - s;
        out.append_option(if results.contains(&Some(true)) {
            Some(true)
        } else if results.contains(&None) {
            None
        } else {
            Some(false)
        });
    }
    Ok(Arc::new(out.finish()))
}

/// `all_match` (`all` true) or `none_match` (`all` false).
fn matches(list: &ArrayRef, predicate: &LambdaArgument, all: bool) -> Result<ArrayRef> {
    let (l, rows) = list_rows(list)?;
    let elements = rows.elements(l.values())?;
    let name = if all { "all_match" } else { "none_match" };
    let p = as_bool(name, &call(predicate, &[elements], &rows.owner)?)?;
    let mut out = BooleanBuilder::with_capacity(rows.ranges.len());
    let mut at = 0;
    for (r, &(s, e)) in rows.ranges.iter().enumerate() {
        if rows.nulls.as_ref().is_some_and(|n| n.is_null(r)) {
            out.append_null();
            continue;
        }
        let results = (at..at + (e - s)).map(|i| p.is_valid(i).then(|| p.value(i)));
        at += e - s;
        // all_match: a false decides (false); none_match: a true decides (false).
        let mut saw_null = false;
        let mut decided = false;
        for v in results {
            match v {
                Some(v) if v != all => decided = true,
                None => saw_null = true,
                _ => {}
            }
        }
        out.append_option(match (decided, saw_null) {
            (true, _) => Some(false),
            (false, true) => None,
            (false, false) => Some(true),
        });
    }
    Ok(Arc::new(out.finish()))
}

/// `reduce(array, initial, (s, x) -> s', s -> r)`.
fn reduce(
    list: &ArrayRef,
    init: &ArrayRef,
    input: &LambdaArgument,
    output: &LambdaArgument,
) -> Result<ArrayRef> {
    let (l, rows) = list_rows(list)?;
    let n = rows.ranges.len();
    let longest = rows.ranges.iter().map(|(s, e)| e - s).max().unwrap_or(0);
    let state_type = init.data_type().clone();
    let mut state = Arc::clone(init);
    for k in 0..longest {
        // The rows that have a k-th element, and that element.
        let active: Vec<u32> = (0..n as u32)
            .filter(|&r| {
                let (s, e) = rows.ranges[r as usize];
                e - s > k
            })
            .collect();
        let active = UInt32Array::from(active);
        let at: UInt32Array = active
            .values()
            .iter()
            .map(|&r| (rows.ranges[r as usize].0 + k) as u32)
            .collect();
        let x = take(l.values().as_ref(), &at, None)?;
        let s = take(state.as_ref(), &active, None)?;
        let mut next = call(input, &[s, x], &active)?;
        if next.data_type() != &state_type {
            next = cast(&next, &state_type)?;
        }
        // Each row keeps its state unless it had a k-th element.
        let mut pick = Vec::with_capacity(n);
        let mut a = 0;
        for r in 0..n {
            if a < active.len() && active.value(a) as usize == r {
                pick.push((1, a));
                a += 1;
            } else {
                pick.push((0, r));
            }
        }
        state = interleave(&[state.as_ref(), next.as_ref()], &pick)?;
    }
    let every: UInt32Array = (0..n as u32).collect();
    let out = call(output, &[state], &every)?;
    // A NULL array reduces to NULL.
    match &rows.nulls {
        Some(nulls) if nulls.null_count() > 0 => {
            let mask = BooleanArray::from_iter((0..n).map(|r| Some(nulls.is_valid(r))));
            let null = new_null_array(out.data_type(), n);
            Ok(datafusion::arrow::compute::kernels::zip::zip(
                &mask, &out, &null,
            )?)
        }
        _ => Ok(out),
    }
}

/// `zip_with(a, b, (x, y) -> z)`: the shorter array padded with NULLs.
fn zip_with(
    a: &ArrayRef,
    b: &ArrayRef,
    f: &LambdaArgument,
    out_type: &DataType,
) -> Result<ArrayRef> {
    let (la, ra) = list_rows(a)?;
    let (lb, rb) = list_rows(b)?;
    let n = ra.ranges.len();
    let nulls = NullBuffer::union(ra.nulls.as_ref(), rb.nulls.as_ref());
    let (mut ia, mut ib, mut owner, mut lens) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in 0..n {
        if nulls.as_ref().is_some_and(|m| m.is_null(r)) {
            lens.push(0);
            continue;
        }
        let (sa, ea) = ra.ranges[r];
        let (sb, eb) = rb.ranges[r];
        let len = (ea - sa).max(eb - sb);
        for i in 0..len {
            ia.push((sa + i < ea).then_some((sa + i) as u32));
            ib.push((sb + i < eb).then_some((sb + i) as u32));
            owner.push(r as u32);
        }
        lens.push(len);
    }
    let xa = take(la.values().as_ref(), &UInt32Array::from(ia), None)?;
    let xb = take(lb.values().as_ref(), &UInt32Array::from(ib), None)?;
    let z = call(f, &[xa, xb], &UInt32Array::from(owner))?;
    let field = element_field(out_type)?;
    let z = if z.data_type() == field.data_type() {
        z
    } else {
        cast(&z, field.data_type())?
    };
    Ok(Arc::new(ListArray::try_new(
        field,
        Rows::offsets(lens.into_iter()),
        z,
        nulls,
    )?))
}
