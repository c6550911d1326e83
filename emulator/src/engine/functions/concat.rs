//! Trino's `concat` and `||` (`athena_concat`): strings or varbinary values, NULL when any
//! argument is NULL, never numbers or dates (no implicit cast to varchar); a call with
//! arrays is planned with the array's type and replaced by the emulator's array
//! concatenation once the types are known (`collections::planner::ArrayOverloads`).

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::text;
use super::trino_fn::{P, R, TrinoFn, variadic};

/// `athena_concat(x, ...)`.
pub(crate) fn concat() -> ScalarUDF {
    ScalarUDF::from(Concat {
        signature: Signature::user_defined(Volatility::Immutable),
        scalar: TrinoFn::new(
            "concat",
            vec![
                variadic(&[P::Varchar], R::Varchar),
                variadic(&[P::Varbinary], R::Varbinary),
            ],
            text::concat,
        )
        .null_ambiguous()
        .min_args(2, "There must be two or more concatenation arguments"),
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Concat {
    signature: Signature,
    scalar: TrinoFn,
}

fn is_list(t: &DataType) -> bool {
    matches!(t, DataType::List(_) | DataType::LargeList(_))
}

/// What two arguments of which one is a bare NULL are, in Trino: `'a' || NULL` is
/// `concat(E, array(E))`, an array NULL; `X'01' || NULL` is ambiguous.
fn with_bare_null(types: &[DataType]) -> Option<Result<DataType>> {
    let [a, b] = types else { return None };
    let other = match (a, b) {
        (DataType::Null, o) | (o, DataType::Null) if o != &DataType::Null && !is_list(o) => o,
        _ => return None,
    };
    Some(match other {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            Ok(DataType::new_list(DataType::Utf8, true))
        }
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
            Err(DataFusionError::Plan(
                "AMBIGUOUS_FUNCTION_CALL: Could not choose a best candidate operator. Explicit \
                 type casts must be added."
                    .to_owned(),
            ))
        }
        _ => return None,
    })
}

impl ScalarUDFImpl for Concat {
    fn name(&self) -> &str {
        "athena_concat"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.iter().any(is_list) || with_bare_null(arg_types).is_some() {
            return Ok(arg_types.to_vec());
        }
        self.scalar.coerce_types(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if let Some(list) = arg_types.iter().find(|t| is_list(t)) {
            return Ok(list.clone());
        }
        if let Some(t) = with_bare_null(arg_types) {
            return t;
        }
        self.scalar.return_type(arg_types)
    }

    fn simplify(&self, args: Vec<Expr>, info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        let types: Vec<DataType> = args
            .iter()
            .map(|a| info.get_data_type(a))
            .collect::<Result<_>>()?;
        if let Some(Ok(list)) = with_bare_null(&types) {
            return Ok(ExprSimplifyResult::Simplified(Expr::Literal(
                ScalarValue::try_from(&list)?,
                None,
            )));
        }
        Ok(ExprSimplifyResult::Original(args))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if args.args.iter().any(|a| is_list(&a.data_type())) {
            // Replaced by the array concatenation once the types are known
            // (`collections::planner::ArrayOverloads`).
            return Err(DataFusionError::Internal(
                "athena_concat of arrays was not replaced by the array function".to_owned(),
            ));
        }
        self.scalar.invoke_with_args(args)
    }
}
