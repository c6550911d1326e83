//! `athena_single_value(array)`: the value of a scalar subquery, which the query rewrite
//! (`rewrite/relational.rs`) collects with `array_agg`: its one element, NULL when there
//! is none, and Trino's SUBQUERY_MULTIPLE_ROWS when there are more.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, UInt64Builder};
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The UDF.
pub(crate) fn single_value() -> ScalarUDF {
    ScalarUDF::new_from_impl(SingleValue {
        signature: Signature::any(1, Volatility::Immutable),
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SingleValue {
    signature: Signature,
}

impl ScalarUDFImpl for SingleValue {
    fn name(&self) -> &str {
        "athena_single_value"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [DataType::List(field)] => Ok(field.data_type().clone()),
            [DataType::Null] => Ok(DataType::Null),
            other => plan_err!("athena_single_value takes a list, not {other:?}"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [values] = args.args.as_slice() else {
            return exec_err!("athena_single_value takes one argument");
        };
        let scalar = matches!(values, ColumnarValue::Scalar(_));
        let array = values.to_array(1)?;
        if array.data_type() == &DataType::Null {
            return Ok(ColumnarValue::Array(array));
        }
        let lists = array.as_list::<i32>();
        let mut indexes = UInt64Builder::with_capacity(lists.len());
        for i in 0..lists.len() {
            let (start, end) = (lists.value_offsets()[i], lists.value_offsets()[i + 1]);
            match end - start {
                _ if lists.is_null(i) => indexes.append_null(),
                0 => indexes.append_null(),
                1 => indexes.append_value(start as u64),
                _ => {
                    return exec_err!(
                        "SUBQUERY_MULTIPLE_ROWS: Scalar sub-query has returned multiple rows"
                    );
                }
            }
        }
        let taken = take(lists.values().as_ref(), &indexes.finish(), None)?;
        if scalar {
            return Ok(ColumnarValue::Scalar(
                datafusion::common::ScalarValue::try_from_array(&taken, 0)?,
            ));
        }
        Ok(ColumnarValue::Array(Arc::new(taken) as _))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int32Array, ListArray};
    use datafusion::arrow::datatypes::{Field, Int32Type};
    use datafusion::config::ConfigOptions;

    fn call(lists: ListArray) -> Result<ColumnarValue> {
        let field = Arc::new(Field::new("v", DataType::Int32, true));
        let n = lists.len();
        single_value().invoke_with_args(ScalarFunctionArgs {
            args: vec![ColumnarValue::Array(Arc::new(lists))],
            arg_fields: vec![Arc::new(Field::new(
                "a",
                DataType::List(field.clone()),
                true,
            ))],
            number_rows: n,
            return_field: field,
            config_options: Arc::new(ConfigOptions::default()),
        })
    }

    #[test]
    fn one_value_none_or_too_many() {
        let lists = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(7)]),
            Some(vec![]),
            None,
            Some(vec![None]),
        ]);
        let ColumnarValue::Array(out) = call(lists).unwrap() else {
            panic!("an array");
        };
        let out = out.as_any().downcast_ref::<Int32Array>().unwrap();
        assert_eq!(
            out.iter().collect::<Vec<_>>(),
            vec![Some(7), None, None, None]
        );
        let two =
            ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1), Some(2)])]);
        let err = call(two).unwrap_err().to_string();
        assert!(err.contains("SUBQUERY_MULTIPLE_ROWS"), "{err}");
    }
}
