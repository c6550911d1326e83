//! Trino's string, regular expression, binary, JSON and URL calls towards the emulator's
//! UDFs (`functions/text.rs`, `regex.rs`, `binary.rs`, `concat.rs`): a call of one of
//! them becomes a call of `athena_<name>`, and the SQL forms the parser reads as
//! expressions of their own (`a || b`, `substring(s FROM i FOR n)`, `position(x IN s)`,
//! `trim(LEADING c FROM s)`) become the same calls.

use datafusion::sql::sqlparser::ast::{
    BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList,
    FunctionArguments, Ident, ObjectName, ObjectNamePart, TrimWhereField,
};

use datafusion::sql::sqlparser::ast::DataType;

use super::ast::{renamed, string_literal};
use crate::engine::names::ATHENA_TYPE_KEY;

/// Trino functions served by a UDF `athena_<name>` of the same arguments.
pub(super) const OWN: &[&str] = &[
    "chr",
    "codepoint",
    "concat",
    "concat_ws",
    "crc32",
    "from_base64",
    "from_base64url",
    "from_big_endian_32",
    "from_big_endian_64",
    "from_hex",
    "from_ieee754_32",
    "from_ieee754_64",
    "from_utf8",
    "hamming_distance",
    "hmac_md5",
    "hmac_sha1",
    "hmac_sha256",
    "hmac_sha512",
    "is_json_scalar",
    "json_array_contains",
    "json_array_length",
    "json_extract_scalar",
    "json_format",
    "json_size",
    "length",
    "levenshtein_distance",
    "lower",
    "lpad",
    "ltrim",
    "md5",
    "regexp_count",
    "regexp_extract",
    "regexp_extract_all",
    "regexp_like",
    "regexp_position",
    "regexp_replace",
    "regexp_split",
    "replace",
    "reverse",
    "rpad",
    "rtrim",
    "sha1",
    "sha256",
    "sha512",
    "split",
    "split_part",
    "starts_with",
    "strpos",
    "substr",
    "substring",
    "to_base64",
    "to_base64url",
    "to_big_endian_32",
    "to_big_endian_64",
    "to_hex",
    "to_ieee754_32",
    "to_ieee754_64",
    "to_utf8",
    "translate",
    "trim",
    "upper",
    "xxhash64",
];

/// The form of a served function's call the emulator does not serve, named for the
/// NOT_SUPPORTED refusal: `regexp_replace(s, p, x -> ...)` (a lambda replacement).
pub(super) fn refused_form(name: &str, f: &Function) -> Option<String> {
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let lambda = list.args.iter().any(|a| {
        matches!(
            a,
            FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Lambda(_)))
        )
    });
    (name == "regexp_replace" && lambda)
        .then(|| "regexp_replace with a lambda replacement".to_owned())
}

/// The rewrite of a call of one of [`OWN`].
pub(super) fn own_call(expr: &Expr, name: &str) -> Option<Expr> {
    let name = if name == "substring" { "substr" } else { name };
    OWN.contains(&name)
        .then(|| renamed(expr, &format!("athena_{name}")))
}

/// `athena_<name>(args)`.
fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new(format!(
            "athena_{name}"
        )))]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
                .collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

/// Whether `expr` is a JSON value as the rewrite makes them:
/// `with_metadata(..., 'athena.type', 'json')` (JSON literals, `json_parse`,
/// `json_extract`, `json_array_get`, `CAST(... AS JSON)`).
fn is_json(expr: &Expr) -> bool {
    match expr {
        Expr::Nested(inner) => is_json(inner),
        Expr::Function(f) => {
            let name = f
                .name
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map(|i| i.value.as_str());
            let FunctionArguments::List(list) = &f.args else {
                return false;
            };
            let arg = |i: usize| match list.args.get(i) {
                Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(e))) => string_literal(e),
                _ => None,
            };
            name == Some("with_metadata")
                && list.args.len() == 3
                && arg(1) == Some(ATHENA_TYPE_KEY)
                && arg(2) == Some("json")
        }
        _ => false,
    }
}

/// A cast from JSON (trino.io, "JSON functions", "Cast from JSON"): the value to cast
/// instead of the JSON text, for DataFusion's cast to the target type: the scalar's text
/// (`athena_json_to_scalar`), an array's elements' texts (`athena_json_to_array`).
/// `None` when `inner` is not JSON; a refusal (`athena_not_supported`) for any other
/// target (maps, rows, arrays of them), whose conversion from JSON the emulator does not
/// have.
pub(super) fn cast_from_json(inner: &Expr, target: &DataType) -> Option<Expr> {
    if !is_json(inner) {
        return None;
    }
    let with = |class: &str| vec![inner.clone(), string(class)];
    match target {
        t if scalar_class(t).is_some() => Some(call("json_to_scalar", with(scalar_class(t)?))),
        DataType::Array(def) => {
            use datafusion::sql::sqlparser::ast::ArrayElemTypeDef;
            match def {
                ArrayElemTypeDef::AngleBracket(t)
                | ArrayElemTypeDef::SquareBracket(t, _)
                | ArrayElemTypeDef::Parenthesis(t) => match scalar_class(t) {
                    Some(class) => Some(call("json_to_array", with(class))),
                    None => Some(refuse(target)),
                },
                ArrayElemTypeDef::None => Some(refuse(target)),
            }
        }
        _ => Some(refuse(target)),
    }
}

/// The call that makes planning fail with NOT_SUPPORTED naming the cast
/// (`functions/refusal.rs`).
fn refuse(target: &DataType) -> Expr {
    call(
        "not_supported",
        vec![string(&format!("CAST from JSON to {target}"))],
    )
}

fn string(s: &str) -> Expr {
    Expr::value(datafusion::sql::sqlparser::ast::Value::SingleQuotedString(
        s.to_owned(),
    ))
}

fn is_varchar(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Varchar(None) | DataType::String(None) | DataType::Text
    )
}

/// The class of a scalar target type a JSON value converts to, as
/// `functions/json.rs` reads it.
fn scalar_class(t: &DataType) -> Option<&'static str> {
    Some(match t {
        t if is_varchar(t) => "varchar",
        DataType::Boolean => "boolean",
        DataType::TinyInt(_)
        | DataType::SmallInt(_)
        | DataType::Int(_)
        | DataType::Integer(_)
        | DataType::BigInt(_) => "integer",
        DataType::Real | DataType::Double(_) | DataType::DoublePrecision => "double",
        _ => return None,
    })
}

/// The rewrite of the SQL forms of string functions.
pub(super) fn syntax(expr: &Expr) -> Option<Expr> {
    match expr {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::StringConcat,
            right,
        } => Some(call(
            "concat",
            vec![left.as_ref().clone(), right.as_ref().clone()],
        )),
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            ..
        } => {
            let mut args = vec![expr.as_ref().clone()];
            args.push(substring_from.as_deref()?.clone());
            args.extend(substring_for.as_deref().cloned());
            Some(call("substr", args))
        }
        Expr::Position { expr, r#in } => Some(call(
            "strpos",
            vec![r#in.as_ref().clone(), expr.as_ref().clone()],
        )),
        Expr::Trim {
            expr,
            trim_where,
            trim_what,
            trim_characters,
        } => {
            let name = match trim_where {
                Some(TrimWhereField::Leading) => "ltrim",
                Some(TrimWhereField::Trailing) => "rtrim",
                Some(TrimWhereField::Both) | None => "trim",
            };
            let mut args = vec![expr.as_ref().clone()];
            if let Some(what) = trim_what {
                args.push(what.as_ref().clone());
            }
            if let Some(chars) = trim_characters {
                args.extend(chars.iter().cloned());
            }
            Some(call(name, args))
        }
        _ => None,
    }
}
