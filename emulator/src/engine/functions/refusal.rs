//! `athena_not_supported('what')`: a call a rewrite puts where the emulator cannot give
//! Trino's answer, so that planning fails with `NOT_SUPPORTED: <what> is not supported
//! by athena-emulator` instead of DataFusion planning something else. Its argument must
//! be a string literal (the rewrite writes it).

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

/// The name rewrites call.
const NAME: &str = "athena_not_supported";

pub(crate) fn not_supported() -> ScalarUDF {
    ScalarUDF::from(NotSupported {
        signature: Signature::any(1, Volatility::Immutable),
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct NotSupported {
    signature: Signature,
}

fn refusal(what: &str) -> DataFusionError {
    DataFusionError::Plan(format!(
        "NOT_SUPPORTED: {what} is not supported by athena-emulator"
    ))
}

impl ScalarUDFImpl for NotSupported {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Err(refusal("this expression"))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        match args.scalar_arguments.first().copied().flatten() {
            Some(ScalarValue::Utf8(Some(what))) => Err(refusal(what)),
            _ => Err(refusal("this expression")),
        }
    }

    fn invoke_with_args(&self, _: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Err(refusal("this expression"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::SessionContext;

    #[tokio::test]
    async fn planning_a_refusal_fails_with_what_it_names() {
        let ctx = SessionContext::new();
        ctx.register_udf(not_supported());
        let err = ctx
            .sql("SELECT athena_not_supported('CAST from JSON to MAP')")
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains(
                "NOT_SUPPORTED: CAST from JSON to MAP is not supported by athena-emulator"
            ),
            "{err}"
        );
    }
}
