//! Trino's `from_hex(varchar) -> varbinary` and `to_hex(varbinary) -> varchar`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryBuilder, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};

use super::adapters::map_array;

/// `from_hex(varchar)`.
pub(crate) fn from_hex() -> ScalarUDF {
    create_udf(
        "from_hex",
        vec![DataType::Utf8],
        DataType::Binary,
        Volatility::Immutable,
        Arc::new(decode_hex),
    )
}

/// `to_hex(varbinary)`.
pub(crate) fn to_hex() -> ScalarUDF {
    create_udf(
        "to_hex",
        vec![DataType::Binary],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(encode_hex),
    )
}

/// Trino's `from_hex(varchar) -> varbinary`.
fn decode_hex(args: &[ColumnarValue]) -> Result<ColumnarValue> {
    map_array(args, |array| {
        let strings = array.as_string::<i32>();
        let mut out = BinaryBuilder::with_capacity(strings.len(), 0);
        for i in 0..strings.len() {
            if strings.is_null(i) {
                out.append_null();
                continue;
            }
            let s = strings.value(i).as_bytes();
            if s.len() % 2 != 0 {
                return Err(datafusion::error::DataFusionError::Execution(
                    "INVALID_FUNCTION_ARGUMENT: invalid input length".to_owned(),
                ));
            }
            let mut bytes = Vec::with_capacity(s.len() / 2);
            for pair in s.chunks(2) {
                let digit = |c: u8| (c as char).to_digit(16);
                match (digit(pair[0]), digit(pair[1])) {
                    (Some(h), Some(l)) => bytes.push((h * 16 + l) as u8),
                    _ => {
                        return Err(datafusion::error::DataFusionError::Execution(format!(
                            "INVALID_FUNCTION_ARGUMENT: invalid hex character in '{}'",
                            strings.value(i)
                        )));
                    }
                }
            }
            out.append_value(&bytes);
        }
        Ok(Arc::new(out.finish()) as ArrayRef)
    })
}

/// Trino's `to_hex(varbinary) -> varchar` (uppercase).
fn encode_hex(args: &[ColumnarValue]) -> Result<ColumnarValue> {
    map_array(args, |array| {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let binary = array.as_binary::<i32>();
        let mut out = StringBuilder::with_capacity(binary.len(), 0);
        let mut buf = String::new();
        for i in 0..binary.len() {
            if binary.is_null(i) {
                out.append_null();
                continue;
            }
            buf.clear();
            for b in binary.value(i) {
                buf.push(char::from(HEX[usize::from(b >> 4)]));
                buf.push(char::from(HEX[usize::from(b & 15)]));
            }
            out.append_value(&buf);
        }
        Ok(Arc::new(out.finish()) as ArrayRef)
    })
}
