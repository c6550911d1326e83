//! Trino's arrays, maps and rows where DataFusion's functions answer otherwise
//! (emulator/SQL.md, "Arrays, maps and rows"): the functions below, the subscript
//! `a[i]` / `m[k]` / `r[1]`, `||` and `concat` of arrays, and `=`, `<`, ... of arrays,
//! maps and rows.
//!
//! The query rewrite (`rewrite/collections.rs`) calls the UDFs by their `athena_` names
//! (`element_at(a, i)` is `athena_element_at(a, i)`); the operators are planned with the
//! types of their operands by [`planner::CollectionPlanner`], ahead of DataFusion's own
//! planners; `concat` and `reverse` of arrays are told from those of strings once the
//! argument types are known ([`planner::ArrayOverloads`]).
//!
//! Every function follows Trino's rules for NULL (a NULL argument gives NULL unless
//! Trino says otherwise) and fails as Trino fails, with its error name.

mod arrays;
mod compare;
mod maps;
mod ordering;
mod planner;
mod sequence;
mod subscript;

pub(crate) use sequence::integer_sequence;

use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

/// One of the functions of this module: its argument types, result and rows.
pub(super) trait CollectionFn: Send + Sync + 'static {
    /// The types the arguments are cast to (Trino's coercions), or a planning error.
    fn coerce(&self, types: &[DataType]) -> Result<Vec<DataType>>;
    /// The result's field, from the coerced argument fields and the constant arguments.
    fn return_field(&self, args: &ReturnFieldArgs<'_>) -> Result<FieldRef>;
    /// The result for `rows` rows of arguments (every argument an array of that length).
    fn invoke(&self, args: &[ArrayRef], rows: usize, result: &FieldRef) -> Result<ArrayRef>;
}

/// A [`CollectionFn`] as a DataFusion UDF.
pub(super) struct CollectionUdf {
    name: &'static str,
    signature: Signature,
    f: Box<dyn CollectionFn>,
}

impl std::fmt::Debug for CollectionUdf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CollectionUdf")
            .field("name", &self.name)
            .finish()
    }
}

// Functions are told apart by name (their implementations are not comparable).
impl PartialEq for CollectionUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for CollectionUdf {}

impl std::hash::Hash for CollectionUdf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl CollectionUdf {
    pub(super) fn udf(name: &'static str, f: impl CollectionFn) -> ScalarUDF {
        Self::with_volatility(name, f, Volatility::Immutable)
    }

    /// A function whose answer changes from call to call (`shuffle`).
    pub(super) fn volatile(name: &'static str, f: impl CollectionFn) -> ScalarUDF {
        Self::with_volatility(name, f, Volatility::Volatile)
    }

    fn with_volatility(name: &'static str, f: impl CollectionFn, v: Volatility) -> ScalarUDF {
        ScalarUDF::from(CollectionUdf {
            name,
            signature: Signature::user_defined(v),
            f: Box::new(f),
        })
    }
}

impl ScalarUDFImpl for CollectionUdf {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.f.coerce(arg_types)
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        // Answered by return_field_from_args.
        exec_err!("{} has no fixed return type", self.name)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        self.f.return_field(&args)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if all_scalar { 1 } else { args.number_rows };
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<Result<Vec<_>>>()?;
        let out = self.f.invoke(&arrays, rows, &args.return_field)?;
        if all_scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}

/// A nullable field of type `t` named after the function.
pub(super) fn field(name: &str, t: DataType) -> FieldRef {
    Arc::new(Field::new(name, t, true))
}

/// The element field of a list type.
pub(super) fn element_of(t: &DataType) -> Option<&FieldRef> {
    match t {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => Some(f),
        _ => None,
    }
}

/// A `List` type of elements of type `t`.
pub(super) fn list_of(t: DataType) -> DataType {
    DataType::new_list(t, true)
}

/// Registers the functions.
pub(crate) fn register(ctx: &SessionContext) {
    for udf in arrays::udfs()
        .into_iter()
        .chain(maps::udfs())
        .chain(subscript::udfs())
        .chain(sequence::udfs())
        .chain(planner::udfs())
        .chain(ordering::udfs())
    {
        ctx.register_udf(udf);
    }
    ctx.add_analyzer_rule(Arc::new(ordering::NestedOrdering));
}

/// Puts the operators' planner first (DataFusion's own would plan `a[i]`, `||` and `=`
/// of arrays with its semantics) and registers the overloads of `concat` and `reverse`
/// on arrays. Call it before registering any function: the session's state is rebuilt,
/// which registers its functions again in no particular order, so a function that
/// replaces one of DataFusion's (by name or alias) must come after.
pub(crate) fn register_planners(ctx: &SessionContext) {
    let state = ctx.state_ref();
    let mut state = state.write();
    let mut planners: Vec<Arc<dyn datafusion::logical_expr::planner::ExprPlanner>> =
        vec![Arc::new(planner::CollectionPlanner)];
    planners.extend(state.expr_planners().iter().cloned());
    let mut rebuilt = SessionStateBuilder::new_from_existing(state.clone())
        .with_expr_planners(planners)
        .build();
    if let Err(e) = datafusion::execution::FunctionRegistry::register_function_rewrite(
        &mut rebuilt,
        Arc::new(planner::ArrayOverloads),
    ) {
        tracing::error!("array overloads not registered: {e}");
    }
    *state = rebuilt;
}

/// Calling a [`CollectionFn`] as DataFusion would, for the unit tests of this module.
#[cfg(test)]
pub(super) mod testing {
    use std::sync::Arc;

    use datafusion::arrow::array::{Array, ArrayRef};
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
    use datafusion::common::Result;
    use datafusion::logical_expr::ReturnFieldArgs;

    use super::CollectionFn;
    use crate::engine::render::write_value;

    /// `f` over one row of `args` (cast to the types `f` asks for), as Athena's text.
    pub(crate) fn call(f: &dyn CollectionFn, args: Vec<ArrayRef>) -> Result<Option<String>> {
        let types: Vec<DataType> = args.iter().map(|a| a.data_type().clone()).collect();
        let coerced = f.coerce(&types)?;
        let args: Vec<ArrayRef> = args
            .iter()
            .zip(&coerced)
            .map(|(a, t)| Ok(cast(a, t)?))
            .collect::<Result<_>>()?;
        let fields: Vec<FieldRef> = coerced
            .iter()
            .map(|t| Arc::new(Field::new("a", t.clone(), true)))
            .collect();
        let scalars = vec![None; fields.len()];
        let result = f.return_field(&ReturnFieldArgs {
            arg_fields: &fields,
            scalar_arguments: &scalars,
        })?;
        let out = f.invoke(&args, 1, &result)?;
        if out.is_null(0) {
            return Ok(None);
        }
        let mut text = String::new();
        write_value(&mut text, out.as_ref(), 0);
        Ok(Some(text))
    }

    /// The message of `f`'s error.
    pub(crate) fn error(f: &dyn CollectionFn, args: Vec<ArrayRef>) -> String {
        match call(f, args) {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => e.to_string(),
        }
    }
}
