//! How plain Rust functions become DataFusion UDFs: row by row over strings
//! ([`StringFn`]), or over the one array argument, keeping a scalar result for scalar
//! input ([`map_array`]).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

/// The Rust side of a [`StringFn`]: the row's arguments (`None` = NULL) to its value, or
/// the message of an INVALID_FUNCTION_ARGUMENT.
pub(crate) type StringFnImpl = fn(&[Option<&str>]) -> std::result::Result<Option<String>, String>;

/// A function of strings to a string, row by row.
#[derive(Debug)]
pub(crate) struct StringFn {
    name: &'static str,
    signature: Signature,
    f: StringFnImpl,
}

// Functions are told apart by name (function pointers do not compare meaningfully).
impl PartialEq for StringFn {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.signature == other.signature
    }
}

impl Eq for StringFn {}

impl std::hash::Hash for StringFn {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.signature.hash(state);
    }
}

impl StringFn {
    pub(crate) fn new(name: &'static str, arity: usize, f: StringFnImpl) -> StringFn {
        StringFn {
            name,
            signature: Signature::exact(vec![DataType::Utf8; arity], Volatility::Immutable),
            f,
        }
    }
}

impl ScalarUDFImpl for StringFn {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let strings: Vec<_> = arrays.iter().map(|a| a.as_string::<i32>()).collect();
        let rows = arrays.first().map_or(0, |a| a.len());
        let mut out = StringBuilder::with_capacity(rows, 0);
        let mut row: Vec<Option<&str>> = Vec::with_capacity(strings.len());
        for i in 0..rows {
            row.clear();
            row.extend(strings.iter().map(|s| s.is_valid(i).then(|| s.value(i))));
            match (self.f)(&row) {
                Ok(Some(v)) => out.append_value(v),
                Ok(None) => out.append_null(),
                Err(e) => {
                    return Err(datafusion::error::DataFusionError::Execution(format!(
                        "INVALID_FUNCTION_ARGUMENT: {e}"
                    )));
                }
            }
        }
        let out: ArrayRef = Arc::new(out.finish());
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}

/// Applies `f` to the array of the first argument, keeping a scalar result for scalar
/// input.
pub(crate) fn map_array(
    args: &[ColumnarValue],
    f: impl Fn(&ArrayRef) -> Result<ArrayRef>,
) -> Result<ColumnarValue> {
    let scalar = args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let out = f(&arrays[0])?;
    if scalar {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
    } else {
        Ok(ColumnarValue::Array(out))
    }
}
