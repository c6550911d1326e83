//! Literals typed as Trino types them: `1` is an integer, `1e20` a double,
//! `TIMESTAMP '... .123'` a timestamp(3), `DECIMAL '1.20'` a decimal(3,2),
//! `JSON '...'` a json value.

use datafusion::sql::sqlparser::ast::{
    DataType, ExactNumberInfo, Expr, TimezoneInfo, TypedString, Value,
};

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
    let lit = Expr::value(Value::SingleQuotedString(text.clone()));
    match &ts.data_type {
        DataType::Timestamp(None, TimezoneInfo::None) => timestamp(&text, lit),
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

/// TIMESTAMP '2024-01-02 03:04:05.123' is timestamp(3): as many digits as written
/// (docs/athena.md, "Values"). Arrow keeps seconds, milli-, micro- or nanoseconds; a
/// precision in between (`.1` is timestamp(1)) is kept in the field's metadata, which
/// sets the digits rendered and the ColumnInfo Precision.
fn timestamp(text: &str, lit: Expr) -> Option<Expr> {
    // TIMESTAMP '2001-08-22 03:04:05.321 America/Los_Angeles': a zoned value.
    let (local, zone) = split_zone(text);
    let digits = local.split_once('.').map_or(0, |(_, f)| {
        f.chars().take_while(char::is_ascii_digit).count()
    });
    let (unit, arrow_p) = match digits {
        0 => ("s", 0),
        1..=3 => ("ms", 3),
        4..=6 => ("us", 6),
        _ => ("ns", 9),
    };
    let p = digits.min(9);
    let (value, declared) = match zone {
        Some(zone) => {
            let local = local.replace('\'', "''");
            let zone = zone.replace(['\'', '"'], "");
            let value = template(
                &format!("arrow_cast('{local}', 'Timestamp({unit}, \"{zone}\")')"),
                &[],
            )?;
            (value, format!("timestamp({p}) with time zone"))
        }
        None => (
            cast(lit, DataType::Timestamp(Some(arrow_p), TimezoneInfo::None)),
            format!("timestamp({p})"),
        ),
    };
    if p == arrow_p as usize {
        return Some(value);
    }
    template(
        &format!("with_metadata(__0, '{ATHENA_TYPE_KEY}', '{declared}')"),
        &[value],
    )
}

/// `2001-08-22 03:04:05.321 America/Los_Angeles` → (`2001-08-22 03:04:05.321`, zone).
fn split_zone(text: &str) -> (&str, Option<&str>) {
    let t = text.trim();
    match t.rsplit_once(' ') {
        Some((local, zone))
            if local.contains(':')
                && (zone.contains('/')
                    || zone.eq_ignore_ascii_case("UTC")
                    || zone.starts_with(['+', '-'])) =>
        {
            (local.trim(), Some(zone))
        }
        _ => (t, None),
    }
}
