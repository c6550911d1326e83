//! Literals typed as Trino types them: `1` is an integer, `1e20` a double,
//! `DECIMAL '1.20'` a decimal(3,2), `JSON '...'` a json value; date/time literals are
//! `rewrite/datetime.rs`'s.

use datafusion::sql::sqlparser::ast::{DataType, ExactNumberInfo, Expr, TypedString, Value};

use super::ast::{cast, template};
use crate::engine::functions::canonical_json;
use crate::engine::names::ATHENA_TYPE_KEY;

/// A number literal (`expr`, of value `value`) with Trino's type.
pub(super) fn number(expr: &Expr, value: &Value) -> Option<Expr> {
    match value {
        // Trino types an integer literal `integer` when it fits, `bigint` otherwise.
        Value::Number(n, _) if !n.contains(['.', 'e', 'E']) && n.parse::<i32>().is_ok() => {
            Some(cast(expr.clone(), DataType::Integer(None)))
        }
        // 1e20 is a double in Trino: read from its text, as DataFusion would read the
        // number as a decimal (and fail past a scale of 128, as 1e300).
        Value::Number(n, _) if n.contains(['e', 'E']) => Some(cast(
            Expr::value(Value::SingleQuotedString(n.clone())),
            DataType::Double(ExactNumberInfo::None),
        )),
        _ => None,
    }
}

/// `TYPE 'text'`: a cast of the text to the type Trino gives the literal.
pub(super) fn typed_string(ts: &TypedString) -> Option<Expr> {
    let text = match &ts.value.value {
        Value::SingleQuotedString(s) => s.clone(),
        _ => return None,
    };
    // DATE, TIMESTAMP and TIME literals (rewrite/datetime.rs).
    if let Some(literal) = super::datetime::typed_literal(&ts.data_type, &text) {
        return Some(literal);
    }
    let lit = Expr::value(Value::SingleQuotedString(text.clone()));
    match &ts.data_type {
        DataType::Date | DataType::Time(..) | DataType::Interval { .. } => None,
        DataType::JSON => {
            let canonical = canonical_json(&text)?.replace('\'', "''");
            template(
                &format!("with_metadata('{canonical}', '{ATHENA_TYPE_KEY}', 'json')"),
                &[],
            )
        }
        // DECIMAL '1.20' is decimal(3,2).
        DataType::Decimal(_) | DataType::Numeric(_) | DataType::Dec(_) => {
            let t = text.trim().trim_start_matches(['-', '+']);
            let (int, frac) = t.split_once('.').unwrap_or((t, ""));
            let int = int.trim_start_matches('0');
            let scale = frac.len() as u64;
            let precision = (int.len() as u64 + scale).max(1);
            Some(cast(
                lit,
                DataType::Decimal(ExactNumberInfo::PrecisionAndScale(
                    precision.min(38),
                    scale.min(38) as i64,
                )),
            ))
        }
        other => Some(cast(lit, other.clone())),
    }
}
