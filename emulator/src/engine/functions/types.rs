//! Trino's `typeof(x)`, and the Trino name of an Arrow type it reports (also what
//! DESCRIBE shows for a view's columns).

use std::fmt::Write as _;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use crate::engine::column_info::athena_type;
use crate::engine::names::ATHENA_TYPE_KEY;

/// `typeof(x)`.
pub(crate) fn type_of() -> ScalarUDF {
    ScalarUDF::from(TypeOf::new())
}

/// `typeof(x)`: Trino's name of the type of `x` (`integer`, `varchar`, `decimal(3,2)`, ...).
#[derive(Debug, PartialEq, Eq, Hash)]
struct TypeOf {
    signature: Signature,
}

impl TypeOf {
    fn new() -> TypeOf {
        TypeOf {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for TypeOf {
    fn name(&self) -> &str {
        "typeof"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = match args.arg_fields.first() {
            Some(field) => match field.metadata().get(ATHENA_TYPE_KEY) {
                Some(t) => t.clone(),
                // Trino's varchar has a length (`'abc'` is a varchar(3), a table's string
                // column a varchar) that the emulator does not keep.
                None if has_text(field.data_type()) => {
                    return Err(datafusion::error::DataFusionError::Execution(
                        "NOT_SUPPORTED: typeof of a varchar value (its length) is not \
                         supported by athena-emulator"
                            .to_owned(),
                    ));
                }
                None => trino_type_name(field.data_type()),
            },
            None => "unknown".to_owned(),
        };
        Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(name))))
    }
}

/// Whether a type is or holds text.
fn has_text(data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            has_text(f.data_type())
        }
        DataType::Map(entries, _) => has_text(entries.data_type()),
        DataType::Struct(fields) => fields.iter().any(|f| has_text(f.data_type())),
        _ => false,
    }
}

/// Trino's full type name of an Arrow type.
pub(crate) fn trino_type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) | DataType::Decimal128(p, s) => {
            format!("decimal({p},{s})")
        }
        DataType::Timestamp(unit, tz) => {
            let (_, p, _) = athena_type(&DataType::Timestamp(*unit, None));
            if tz.is_some() {
                format!("timestamp({p}) with time zone")
            } else {
                format!("timestamp({p})")
            }
        }
        DataType::Time32(_) | DataType::Time64(_) => {
            format!("time({})", athena_type(data_type).1)
        }
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            format!("array({})", trino_type_name(f.data_type()))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => format!(
                "map({}, {})",
                trino_type_name(kv[0].data_type()),
                trino_type_name(kv[1].data_type())
            ),
            _ => "map".to_owned(),
        },
        DataType::Struct(fields) => {
            // Fields DataFusion names itself (`c0`, `c1`, ...) are a row's anonymous
            // fields: `row(integer, boolean)`, as the renderer shows them (`{1, true}`).
            let anonymous = fields
                .iter()
                .enumerate()
                .all(|(i, f)| *f.name() == format!("c{i}"));
            let mut s = String::from("row(");
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                if anonymous {
                    s.push_str(&trino_type_name(f.data_type()));
                } else {
                    let _ = write!(s, "{} {}", f.name(), trino_type_name(f.data_type()));
                }
            }
            s.push(')');
            s
        }
        other => athena_type(other).0.to_owned(),
    }
}
