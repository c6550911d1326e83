//! Casts to Trino types DataFusion does not have, or has under another name: named
//! ROW types, CHAR(n)/VARCHAR(n), JSON, UUID, IPADDRESS, VARBINARY, TIMESTAMP.

use datafusion::sql::sqlparser::ast::{CastKind, DataType, ExactNumberInfo, Expr, TimezoneInfo};

use super::ast::{function_name, plain_args, string_literal, template};
use crate::engine::names::ATHENA_TYPE_KEY;

/// The rewrite of a `CAST(...)` expression, or `None` to leave it as it is.
pub(super) fn rewrite_cast(expr: &Expr) -> Option<Expr> {
    let Expr::Cast {
        kind,
        expr: inner,
        data_type,
        array,
        format,
    } = expr
    else {
        return None;
    };
    // CAST(json AS T): T from the JSON value (rewrite/strings.rs).
    if let Some(value) = super::strings::cast_from_json(inner, data_type) {
        let recast = Expr::Cast {
            kind: kind.clone(),
            expr: Box::new(value),
            data_type: data_type.clone(),
            array: *array,
            format: format.clone(),
        };
        return Some(rewrite_cast(&recast).unwrap_or(recast));
    }
    // CAST(x AS DATE | TIME | TIMESTAMP | INTERVAL ...): rewrite/datetime.rs.
    if let Some(temporal) = super::datetime::cast(inner, data_type, kind) {
        return Some(temporal);
    }
    // CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR)): name the fields.
    if let Some(named) = cast_row(inner, data_type, kind) {
        return Some(named);
    }
    if let Some(tagged) = cast_tagged(inner, data_type, kind) {
        return Some(tagged);
    }
    let mapped = map_type(data_type)?;
    Some(Expr::Cast {
        kind: kind.clone(),
        expr: inner.clone(),
        data_type: mapped,
        array: *array,
        format: format.clone(),
    })
}

/// Casts to the types Arrow stores as strings with an `athena.type` tag: CHAR(n) (padded),
/// VARCHAR(n) (truncated), JSON, UUID, IPADDRESS.
fn cast_tagged(inner: &Expr, data_type: &DataType, kind: &CastKind) -> Option<Expr> {
    use datafusion::sql::sqlparser::ast::CharacterLength;
    let length = |l: &Option<CharacterLength>| match l {
        Some(CharacterLength::IntegerLength { length, .. }) => Some(*length),
        _ => None,
    };
    let tagged = |value: &str, tag: String| {
        template(
            &format!("with_metadata({value}, '{ATHENA_TYPE_KEY}', '{tag}')"),
            std::slice::from_ref(inner),
        )
    };
    match data_type {
        DataType::Char(l) | DataType::Character(l) => {
            let n = length(l).unwrap_or(1);
            // Only text casts to char in Trino (engine/numbers/cast.rs).
            tagged(
                &format!("rpad(athena_char_text(__0), {n})"),
                format!("char({n})"),
            )
        }
        DataType::Varchar(None) | DataType::String(None) | DataType::Text => {
            template("athena_varchar(__0)", std::slice::from_ref(inner))
        }
        DataType::Varchar(l) | DataType::CharacterVarying(l) => {
            let n = length(l)?;
            // Text is cut to n characters; another value too long fails
            // (engine/numbers/cast.rs).
            let udf = if matches!(kind, CastKind::TryCast | CastKind::SafeCast) {
                "athena_try_bounded_varchar"
            } else {
                "athena_bounded_varchar"
            };
            tagged(&format!("{udf}(__0, {n})"), format!("varchar({n})"))
        }
        DataType::JSON => {
            if let Some(text) = string_literal(inner) {
                // CAST('...' AS JSON) is a JSON string.
                let quoted = serde_json::to_string(text).ok()?.replace('\'', "''");
                return template(
                    &format!("with_metadata('{quoted}', '{ATHENA_TYPE_KEY}', 'json')"),
                    &[],
                );
            }
            tagged("athena_to_json(__0)", "json".to_owned())
        }
        DataType::Uuid => tagged("lower(CAST(__0 AS VARCHAR))", "uuid".to_owned()),
        DataType::Custom(name, mods) if mods.is_empty() => match function_name(name)?.as_str() {
            "ipaddress" => {
                if let Some(text) = string_literal(inner) {
                    let ip: std::net::IpAddr = text.trim().parse().ok()?;
                    let canonical = match ip {
                        std::net::IpAddr::V6(v6) => v6
                            .to_ipv4_mapped()
                            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
                        v4 => v4.to_string(),
                    };
                    return template(
                        &format!("with_metadata('{canonical}', '{ATHENA_TYPE_KEY}', 'ipaddress')"),
                        &[],
                    );
                }
                tagged("CAST(__0 AS VARCHAR)", "ipaddress".to_owned())
            }
            "json" => tagged("athena_to_json(__0)", "json".to_owned()),
            _ => None,
        },
        _ => None,
    }
}

/// `CAST(ROW(a, b) AS ROW(x T, y U))` as `named_struct('x', CAST(a AS T), 'y', CAST(b AS U))`,
/// recursively for nested rows (DataFusion cannot cast between differently named structs).
fn cast_row(inner: &Expr, data_type: &DataType, kind: &CastKind) -> Option<Expr> {
    let DataType::Struct(fields, _) = data_type else {
        return None;
    };
    let Expr::Function(f) = inner else {
        return None;
    };
    if !matches!(function_name(&f.name).as_deref(), Some("row" | "struct")) {
        return None;
    }
    let args = plain_args(&f.args)?;
    if args.len() != fields.len() {
        return None;
    }
    let mut text = String::from("named_struct(");
    let mut values = Vec::with_capacity(args.len());
    for (i, (field, arg)) in fields.iter().zip(args).enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        let name = field
            .field_name
            .as_ref()
            .map_or_else(|| format!("field{i}"), |n| n.value.to_lowercase());
        text.push_str(&format!("'{}', __{i}", name.replace('\'', "''")));
        let value = cast_row(&arg, &field.field_type, kind).unwrap_or_else(|| Expr::Cast {
            kind: kind.clone(),
            expr: Box::new(arg),
            data_type: map_type(&field.field_type).unwrap_or_else(|| field.field_type.clone()),
            array: false,
            format: None,
        });
        values.push(value);
    }
    text.push(')');
    template(&text, &values)
}

/// Trino type names DataFusion does not know, mapped to ones it does.
fn map_type(data_type: &DataType) -> Option<DataType> {
    match data_type {
        DataType::Varbinary(_) | DataType::Binary(_) => Some(DataType::Bytea),
        DataType::Custom(name, mods) if mods.is_empty() => match function_name(name)?.as_str() {
            "varbinary" => Some(DataType::Bytea),
            _ => None,
        },
        DataType::Timestamp(None, TimezoneInfo::None) => {
            Some(DataType::Timestamp(Some(3), TimezoneInfo::None))
        }
        // DECIMAL alone is decimal(38, 0) in Trino (DataFusion's is decimal(38, 10)).
        DataType::Decimal(ExactNumberInfo::None) | DataType::Numeric(ExactNumberInfo::None) => {
            Some(DataType::Decimal(ExactNumberInfo::PrecisionAndScale(38, 0)))
        }
        _ => None,
    }
}
