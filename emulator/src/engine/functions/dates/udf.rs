//! The shape every date/time UDF of the emulator has: a planning step that checks the
//! arguments' types (and constant arguments) and decides the result's field, and an
//! evaluation step over whole arrays. Arguments come uncoerced, as written: the
//! functions accept what Trino accepts and fail as Trino fails otherwise.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    TypeSignature, Volatility,
};

use super::types::Kind;
use crate::engine::functions::trino_type_name;

/// What a function sees while it is planned.
pub(crate) struct Plan<'a> {
    /// The arguments' fields.
    pub(crate) fields: &'a [FieldRef],
    /// The constant arguments' values.
    pub(crate) scalars: &'a [Option<&'a ScalarValue>],
}

impl Plan<'_> {
    /// The date/time kind of argument `i`, if it has one.
    pub(crate) fn kind(&self, i: usize) -> Option<Kind> {
        self.fields.get(i).and_then(|f| Kind::of_field(f))
    }

    /// The Arrow type of argument `i`.
    pub(crate) fn data_type(&self, i: usize) -> &DataType {
        self.fields
            .get(i)
            .map_or(&DataType::Null, |f| f.data_type())
    }

    /// Whether argument `i` is a bare NULL (Trino's `unknown`, which fits any type).
    pub(crate) fn is_null(&self, i: usize) -> bool {
        matches!(self.data_type(i), DataType::Null)
    }

    /// The text of constant argument `i` (`None` when it is not a constant string, or
    /// NULL).
    pub(crate) fn text(&self, i: usize) -> Option<&str> {
        match self.scalars.get(i).copied().flatten()? {
            ScalarValue::Utf8(Some(s))
            | ScalarValue::LargeUtf8(Some(s))
            | ScalarValue::Utf8View(Some(s)) => Some(s),
            _ => None,
        }
    }
}

/// What a function sees while it runs: every argument as an array of `rows` values.
pub(crate) struct Eval<'a> {
    /// The arguments.
    pub(crate) arrays: Vec<ArrayRef>,
    /// Their fields.
    pub(crate) fields: &'a [FieldRef],
    /// The result's field, as planned.
    pub(crate) out: &'a FieldRef,
    /// The number of rows.
    pub(crate) rows: usize,
}

impl Eval<'_> {
    /// The kind of argument `i`.
    pub(crate) fn kind(&self, i: usize) -> Option<Kind> {
        self.fields.get(i).and_then(|f| Kind::of_field(f))
    }

    /// The kind of the result.
    pub(crate) fn out_kind(&self) -> Result<Kind> {
        Kind::of_field(self.out).ok_or_else(|| {
            DataFusionError::Internal(format!("not a date/time result: {}", self.out))
        })
    }
}

/// A function's planning step.
pub(crate) type PlanFn = fn(&Plan<'_>) -> Result<FieldRef>;
/// A function's evaluation step.
pub(crate) type EvalFn = fn(&Eval<'_>) -> Result<ArrayRef>;

/// A date/time UDF.
#[derive(Debug)]
pub(crate) struct DateUdf {
    name: &'static str,
    signature: Signature,
    plan: PlanFn,
    eval: EvalFn,
}

// Functions are told apart by name (function pointers do not compare meaningfully).
impl PartialEq for DateUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for DateUdf {}

impl std::hash::Hash for DateUdf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

/// A UDF named `name` (any number of arguments of any type), deterministic.
pub(crate) fn udf(name: &'static str, plan: PlanFn, eval: EvalFn) -> ScalarUDF {
    with_volatility(name, plan, eval, Volatility::Immutable)
}

/// A UDF with the given volatility.
pub(crate) fn with_volatility(
    name: &'static str,
    plan: PlanFn,
    eval: EvalFn,
    volatility: Volatility,
) -> ScalarUDF {
    ScalarUDF::from(DateUdf {
        name,
        signature: Signature::one_of(
            vec![TypeSignature::Nullary, TypeSignature::VariadicAny],
            volatility,
        ),
        plan,
        eval,
    })
}

impl ScalarUDFImpl for DateUdf {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal(format!(
            "{}: return_field_from_args is used",
            self.name
        )))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        (self.plan)(&Plan {
            fields: args.arg_fields,
            scalars: args.scalar_arguments,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalar { 1 } else { args.number_rows };
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<Result<Vec<_>>>()?;
        let out = (self.eval)(&Eval {
            arrays,
            fields: &args.arg_fields,
            out: &args.return_field,
            rows,
        })?;
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}

/// Whether row `i` of an argument is NULL (a bare NULL argument is NULL in every row).
pub(crate) fn null_at(array: &ArrayRef, i: usize) -> bool {
    matches!(array.data_type(), DataType::Null) || array.is_null(i)
}

/// An error Trino reports with this name (`INVALID_FUNCTION_ARGUMENT`, ...): an
/// execution error whose message starts with the name, which error.rs keeps.
pub(crate) fn trino_error(name: &str, message: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Execution(format!("{name}: {message}"))
}

/// What the emulator does not do: `NOT_SUPPORTED: <what> is not supported by
/// athena-emulator`.
pub(crate) fn not_supported(what: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::NotImplemented(format!("{what} is not supported by athena-emulator"))
}

/// Trino's answer to arguments no signature of `function` takes.
pub(crate) fn no_signature(function: &str, plan: &Plan<'_>) -> DataFusionError {
    let types: Vec<String> = plan.fields.iter().map(type_name).collect();
    trino_error(
        "FUNCTION_NOT_FOUND",
        format!(
            "Unexpected parameters ({}) for function {function}",
            types.join(", ")
        ),
    )
}

/// Trino's name of a field's type (`time(0)`, `varchar`, `integer`).
pub(crate) fn type_name(field: &FieldRef) -> String {
    match Kind::of_field(field) {
        Some(kind) => kind.trino_name(),
        None if matches!(field.data_type(), DataType::Null) => "unknown".to_owned(),
        None => trino_type_name(field.data_type()),
    }
}

/// Whether a type is text.
pub(crate) fn is_text(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

/// Whether a type is an integer.
pub(crate) fn is_integer(data_type: &DataType) -> bool {
    data_type.is_integer()
}

/// Whether a type is a number (integer, decimal, floating point).
pub(crate) fn is_number(data_type: &DataType) -> bool {
    data_type.is_numeric()
}

/// An array of text as UTF-8 strings.
pub(crate) fn strings(array: &ArrayRef) -> Result<StringArray> {
    let cast = datafusion::arrow::compute::cast(array, &DataType::Utf8)?;
    Ok(cast.as_string::<i32>().clone())
}

/// An array of integers as 64-bit numbers.
pub(crate) fn integers(array: &ArrayRef) -> Result<Vec<Option<i64>>> {
    let cast = datafusion::arrow::compute::cast(array, &DataType::Int64)?;
    Ok(cast
        .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
        .iter()
        .collect())
}

/// An array of numbers as doubles.
pub(crate) fn doubles(array: &ArrayRef) -> Result<Vec<Option<f64>>> {
    let cast = datafusion::arrow::compute::cast(array, &DataType::Float64)?;
    Ok(cast
        .as_primitive::<datafusion::arrow::datatypes::Float64Type>()
        .iter()
        .collect())
}

/// A plain result field (not a date/time kind).
pub(crate) fn plain(data_type: DataType) -> FieldRef {
    Arc::new(datafusion::arrow::datatypes::Field::new(
        "value", data_type, true,
    ))
}
