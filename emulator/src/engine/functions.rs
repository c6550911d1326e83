//! Trino's function names and syntax on DataFusion: UDFs where DataFusion lacks a
//! function, AST rewrites where only the name or the shape differs.

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryBuilder, StringBuilder};
use datafusion::arrow::datatypes::DataType as ArrowType;
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
use datafusion::sql::sqlparser::ast::{
    CastKind, DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, Ident,
    LimitClause, ObjectName, ObjectNamePart, OrderByKind, Query, SetExpr, TimezoneInfo, Value,
    VisitMut, VisitorMut, visit_expressions_mut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::render::ATHENA_TYPE_KEY;

/// Registers Trino names for DataFusion functions, and the functions DataFusion lacks.
pub(crate) fn register(ctx: &SessionContext) {
    let series = datafusion::functions_nested::range::gen_series_udf();
    ctx.register_udf(series.as_ref().clone().with_aliases(["sequence"]));
    for udf in super::json::udfs()
        .into_iter()
        .chain(super::datetime::udfs())
    {
        ctx.register_udf(udf);
    }
    ctx.register_udf(create_udf(
        "from_hex",
        vec![ArrowType::Utf8],
        ArrowType::Binary,
        Volatility::Immutable,
        Arc::new(from_hex),
    ));
    ctx.register_udf(create_udf(
        "to_hex",
        vec![ArrowType::Binary],
        ArrowType::Utf8,
        Volatility::Immutable,
        Arc::new(to_hex),
    ));
}

/// Applies `f` to the arrays of `args`, keeping a scalar result for scalar input.
fn map_columnar(
    args: &[ColumnarValue],
    f: impl Fn(&ArrayRef) -> DfResult<ArrayRef>,
) -> DfResult<ColumnarValue> {
    let scalar = args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let out = f(&arrays[0])?;
    if scalar {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
    } else {
        Ok(ColumnarValue::Array(out))
    }
}

/// Trino's `from_hex(varchar) -> varbinary`.
fn from_hex(args: &[ColumnarValue]) -> DfResult<ColumnarValue> {
    map_columnar(args, |array| {
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
fn to_hex(args: &[ColumnarValue]) -> DfResult<ColumnarValue> {
    map_columnar(args, |array| {
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

/// Rewrites Trino-only syntax into what DataFusion plans.
pub(crate) fn rewrite_tree<V: VisitMut>(node: &mut V) {
    let _ = node.visit(&mut TrinoRewriter);
}

struct TrinoRewriter;

impl VisitorMut for TrinoRewriter {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Some(new) = rewrite_expr(expr) {
            *expr = new;
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        // Positions (ORDER BY 1, GROUP BY 1) and LIMIT/OFFSET stay plain numbers.
        if let Some(order_by) = &mut query.order_by
            && let OrderByKind::Expressions(items) = &mut order_by.kind
        {
            for item in items {
                unwrap_int(&mut item.expr);
            }
        }
        if let Some(limit) = &mut query.limit_clause {
            match limit {
                LimitClause::LimitOffset { limit, offset, .. } => {
                    if let Some(l) = limit {
                        unwrap_int(l);
                    }
                    if let Some(o) = offset {
                        unwrap_int(&mut o.value);
                    }
                }
                LimitClause::OffsetCommaLimit { offset, limit } => {
                    unwrap_int(offset);
                    unwrap_int(limit);
                }
            }
        }
        if let Some(fetch) = &mut query.fetch
            && let Some(q) = &mut fetch.quantity
        {
            unwrap_int(q);
        }
        fix_group_by(query.body.as_mut());
        ControlFlow::Continue(())
    }
}

fn fix_group_by(body: &mut SetExpr) {
    match body {
        SetExpr::Select(select) => {
            if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
                for e in exprs {
                    unwrap_int(e);
                }
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            fix_group_by(left);
            fix_group_by(right);
        }
        _ => {}
    }
}

/// Undoes the integer cast of a number literal.
fn unwrap_int(expr: &mut Expr) {
    if let Expr::Cast {
        kind: CastKind::Cast,
        expr: inner,
        data_type: DataType::Integer(None),
        ..
    } = expr
        && matches!(inner.as_ref(), Expr::Value(v) if matches!(v.value, Value::Number(..)))
    {
        *expr = inner.as_ref().clone();
    }
}

/// The value of an integer literal (possibly already cast to INTEGER).
fn int_literal(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        Expr::Cast { expr, .. } | Expr::Nested(expr) => int_literal(expr),
        _ => None,
    }
}

fn string_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s),
            _ => None,
        },
        Expr::Nested(e) => string_literal(e),
        _ => None,
    }
}

fn cast(expr: Expr, data_type: DataType) -> Expr {
    Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(expr),
        data_type,
        array: false,
        format: None,
    }
}

/// Parses `text` with `__0`, `__1`, ... standing for `args`.
fn template(text: &str, args: &[Expr]) -> Option<Expr> {
    let dialect = GenericDialect {};
    let mut expr = Parser::new(&dialect)
        .try_with_sql(text)
        .ok()?
        .parse_expr()
        .ok()?;
    let _ = visit_expressions_mut(&mut expr, |e: &mut Expr| {
        if let Expr::Identifier(id) = e
            && let Some(n) = id.value.strip_prefix("__")
            && let Ok(i) = n.parse::<usize>()
            && let Some(arg) = args.get(i)
        {
            *e = Expr::Nested(Box::new(arg.clone()));
        }
        ControlFlow::<()>::Continue(())
    });
    Some(expr)
}

fn function_name(name: &ObjectName) -> Option<String> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Some(id.value.to_ascii_lowercase()),
        _ => None,
    }
}

fn plain_args(args: &FunctionArguments) -> Option<Vec<Expr>> {
    match args {
        FunctionArguments::List(list)
            if list.duplicate_treatment.is_none() && list.clauses.is_empty() =>
        {
            list.args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                    _ => None,
                })
                .collect()
        }
        FunctionArguments::None => Some(Vec::new()),
        _ => None,
    }
}

/// Renames a function in place (same arguments).
fn renamed(expr: &Expr, to: &str) -> Expr {
    let mut e = expr.clone();
    if let Expr::Function(f) = &mut e {
        f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(to))]);
    }
    e
}

/// Converts a Trino/MySQL `date_format` pattern (`%Y-%m-%d %H:%i:%s`) to chrono's.
fn mysql_to_chrono(fmt: &str) -> String {
    let mut out = String::with_capacity(fmt.len());
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(d) = chars.next() else {
            out.push('%');
            break;
        };
        let mapped = match d {
            'a' => "%a",
            'b' => "%b",
            'c' => "%-m",
            'd' => "%d",
            'e' => "%-d",
            'f' => "%6f",
            'H' | 'k' => "%H",
            'h' | 'I' | 'l' => "%I",
            'i' => "%M",
            'j' => "%j",
            'M' => "%B",
            'm' => "%m",
            'p' => "%p",
            'r' => "%I:%M:%S %p",
            'S' | 's' => "%S",
            'T' => "%H:%M:%S",
            'W' => "%A",
            'Y' => "%Y",
            'y' => "%y",
            '%' => "%%",
            _ => "",
        };
        if mapped.is_empty() {
            out.push(d);
        } else {
            out.push_str(mapped);
        }
    }
    out
}

fn rewrite_expr(expr: &Expr) -> Option<Expr> {
    match expr {
        // Trino types an integer literal `integer` when it fits, `bigint` otherwise.
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) if !n.contains(['.', 'e', 'E']) && n.parse::<i32>().is_ok() => {
                Some(cast(expr.clone(), DataType::Integer(None)))
            }
            // 1e20 is a double in Trino.
            Value::Number(n, _) if n.contains(['e', 'E']) => Some(cast(
                expr.clone(),
                DataType::Double(datafusion::sql::sqlparser::ast::ExactNumberInfo::None),
            )),
            _ => None,
        },
        Expr::TypedString(ts) => {
            let text = match &ts.value.value {
                Value::SingleQuotedString(s) => s.clone(),
                _ => return None,
            };
            let lit = Expr::value(Value::SingleQuotedString(text.clone()));
            match &ts.data_type {
                // TIMESTAMP '2024-01-02 03:04:05.123' is timestamp(3): as many digits as written.
                DataType::Timestamp(None, TimezoneInfo::None) => {
                    // TIMESTAMP '2001-08-22 03:04:05.321 America/Los_Angeles': a zoned value.
                    let (local, zone) = split_zone(&text);
                    let digits = local.split_once('.').map_or(0, |(_, f)| {
                        f.chars().take_while(char::is_ascii_digit).count()
                    });
                    if let Some(zone) = zone {
                        let unit = match digits {
                            0..=3 => "ms",
                            4..=6 => "us",
                            _ => "ns",
                        };
                        let local = local.replace('\'', "''");
                        let zone = zone.replace(['\'', '"'], "");
                        return template(
                            &format!("arrow_cast('{local}', 'Timestamp({unit}, \"{zone}\")')"),
                            &[],
                        );
                    }
                    let digits = text.split_once('.').map_or(0, |(_, f)| {
                        f.chars().take_while(char::is_ascii_digit).count()
                    });
                    let p = match digits {
                        0 => 0,
                        1..=3 => 3,
                        4..=6 => 6,
                        _ => 9,
                    };
                    Some(cast(lit, DataType::Timestamp(Some(p), TimezoneInfo::None)))
                }
                DataType::Date | DataType::Time(..) | DataType::Interval { .. } => None,
                DataType::JSON => {
                    let canonical = super::json::canonical_json(&text)?.replace('\'', "''");
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
                        DataType::Decimal(
                            datafusion::sql::sqlparser::ast::ExactNumberInfo::PrecisionAndScale(
                                precision.min(38),
                                scale.min(38) as i64,
                            ),
                        ),
                    ))
                }
                other => Some(cast(lit, other.clone())),
            }
        }
        Expr::Cast {
            kind,
            expr: inner,
            data_type,
            array,
            format,
        } => {
            // CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR)): name the fields.
            if let Some(named) = cast_row(inner, data_type, kind) {
                return Some(named);
            }
            if let Some(tagged) = cast_tagged(inner, data_type) {
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
        Expr::Function(f) => {
            let name = function_name(&f.name)?;
            if f.over.is_some() {
                return None;
            }
            let args = plain_args(&f.args);
            let a = args.as_deref().unwrap_or(&[]);
            match (name.as_str(), a.len()) {
                ("now" | "current_timestamp", 0) => {
                    template("arrow_cast(now(), 'Timestamp(ms, \"UTC\")')", a)
                }
                ("from_unixtime", 1) => template(
                    "arrow_cast(to_timestamp_millis(CAST(__0 * 1000 AS BIGINT)), 'Timestamp(ms, \"UTC\")')",
                    a,
                ),
                ("to_unixtime", 1) => template("CAST(date_part('epoch', __0) AS DOUBLE)", a),
                ("json_parse", 1) => template(
                    &format!("with_metadata(athena_json_parse(__0), '{ATHENA_TYPE_KEY}', 'json')"),
                    a,
                ),
                ("json_format", 1) => template("CAST(__0 AS VARCHAR)", a),
                ("json_extract", 2) => template(
                    &format!(
                        "with_metadata(athena_json_extract(__0, __1), '{ATHENA_TYPE_KEY}', 'json')"
                    ),
                    a,
                ),
                ("length" | "strpos" | "char_length" | "levenshtein_distance", _) => {
                    let inner = if name == "levenshtein_distance" {
                        renamed(expr, "levenshtein")
                    } else if name == "length" {
                        renamed(expr, "character_length")
                    } else {
                        expr.clone()
                    };
                    Some(cast(inner, DataType::BigInt(None)))
                }
                ("localtimestamp", 0) => template("CAST(now() AS TIMESTAMP(3))", a),
                ("arbitrary", _) => Some(renamed(expr, "any_value")),
                ("element_at", 2) => Some(renamed(expr, "array_element")),
                ("max_by", 2) => template("first_value(__0 ORDER BY __1 DESC NULLS LAST)", a),
                ("min_by", 2) => template("first_value(__0 ORDER BY __1 ASC NULLS LAST)", a),
                ("slice", 3) => template("array_slice(__0, __1, __1 + __2 - 1)", a),
                ("current_timezone", 0) => template("'UTC'", a),
                ("rand" | "random", 0) => template("random()", a),
                ("rand" | "random", 1) => template("CAST(floor(random() * __0) AS BIGINT)", a),
                ("uuid", 0) => template(
                    &format!("with_metadata(uuid(), '{ATHENA_TYPE_KEY}', 'uuid')"),
                    a,
                ),
                ("approx_percentile", 2) => {
                    template("approx_percentile_cont(__0, CAST(__1 AS DOUBLE))", a)
                }
                ("array_join", _) => Some(renamed(expr, "array_to_string")),
                ("contains", 2) => Some(renamed(expr, "array_has")),
                ("split", 2) => Some(renamed(expr, "string_to_array")),
                ("every", _) => Some(renamed(expr, "bool_and")),
                ("codepoint", _) => Some(renamed(expr, "ascii")),
                ("is_nan", _) => Some(renamed(expr, "isnan")),
                ("truncate", 1) => Some(renamed(expr, "trunc")),
                ("ceiling", _) => Some(renamed(expr, "ceil")),
                ("sign", _) => Some(renamed(expr, "signum")),
                (
                    "year" | "quarter" | "month" | "week" | "day" | "hour" | "minute" | "second"
                    | "day_of_month" | "day_of_year" | "doy" | "millisecond",
                    1,
                ) => {
                    let unit = match name.as_str() {
                        "day_of_month" => "day",
                        "day_of_year" | "doy" => "doy",
                        "millisecond" => "millisecond",
                        other => other,
                    };
                    template(&format!("CAST(date_part('{unit}', __0) AS BIGINT)"), a)
                }
                ("day_of_week" | "dow", 1) => template(
                    "CAST(((CAST(date_part('dow', __0) AS BIGINT) + 6) % 7) + 1 AS BIGINT)",
                    a,
                ),
                ("if", 2) => template("CASE WHEN __0 THEN __1 END", a),
                ("if", 3) => template("CASE WHEN __0 THEN __1 ELSE __2 END", a),
                ("count_if", 1) => template("COUNT(CASE WHEN __0 THEN 1 END)", a),
                ("mod", 2) => template("__0 % __1", a),
                ("infinity", 0) => template("CAST('Infinity' AS DOUBLE)", a),
                ("nan", 0) => template("CAST('NaN' AS DOUBLE)", a),
                ("try", 1) => Some(Expr::Nested(Box::new(a[0].clone()))),
                ("to_utf8", 1) => template("CAST(__0 AS BYTEA)", a),
                ("from_utf8", 1) => template("CAST(__0 AS VARCHAR)", a),
                ("replace", 2) => template("replace(__0, __1, '')", a),
                ("regexp_replace", 2) => template("regexp_replace(__0, __1, '', 'g')", a),
                ("regexp_replace", 3) => template("regexp_replace(__0, __1, __2, 'g')", a),
                ("regexp_extract", 2) => template(
                    "array_element(regexp_match(__0, concat('(', __1, ')')), 1)",
                    a,
                ),
                ("regexp_extract", 3) => {
                    let group = int_literal(&a[2])?;
                    template(
                        &format!(
                            "array_element(regexp_match(__0, concat('(', __1, ')')), {})",
                            group + 1
                        ),
                        a,
                    )
                }
                ("from_iso8601_timestamp", 1) => template("CAST(__0 AS TIMESTAMP(3))", a),
                ("from_iso8601_date", 1) => template("CAST(__0 AS DATE)", a),
                ("date_format", 2) => {
                    let fmt = mysql_to_chrono(string_literal(&a[1])?);
                    let fmt = fmt.replace('\'', "''");
                    template(&format!("to_char(__0, '{fmt}')"), a)
                }
                ("date_parse", 2) => {
                    let fmt = mysql_to_chrono(string_literal(&a[1])?);
                    let fmt = fmt.replace('\'', "''");
                    template(
                        &format!("CAST(to_timestamp(__0, '{fmt}') AS TIMESTAMP(3))"),
                        a,
                    )
                }
                ("date_add", 3) => {
                    let unit = interval_unit(string_literal(&a[0])?)?;
                    match int_literal(&a[1]) {
                        Some(n) => template(&format!("__2 + INTERVAL '{n} {unit}'"), a),
                        None => template(&format!("__2 + __1 * INTERVAL '1 {unit}'"), a),
                    }
                }
                ("date_diff", 3) => {
                    let unit = string_literal(&a[0])?.to_ascii_lowercase();
                    let secs = match unit.as_str() {
                        "millisecond" => "* 1000",
                        "second" => "",
                        "minute" => "/ 60",
                        "hour" => "/ 3600",
                        "day" => "/ 86400",
                        "week" => "/ 604800",
                        _ => return None,
                    };
                    template(
                        &format!(
                            "CAST(trunc((date_part('epoch', CAST(__2 AS TIMESTAMP)) - date_part('epoch', CAST(__1 AS TIMESTAMP))) {secs}) AS BIGINT)"
                        ),
                        a,
                    )
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Casts to the types Arrow stores as strings with an `athena.type` tag: CHAR(n) (padded),
/// VARCHAR(n) (truncated), JSON, UUID, IPADDRESS.
fn cast_tagged(inner: &Expr, data_type: &DataType) -> Option<Expr> {
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
            tagged(
                &format!("rpad(CAST(__0 AS VARCHAR), {n})"),
                format!("char({n})"),
            )
        }
        DataType::Varchar(None) | DataType::String(None) | DataType::Text => {
            template("athena_varchar(__0)", std::slice::from_ref(inner))
        }
        DataType::Varchar(l) | DataType::CharacterVarying(l) => {
            let n = length(l)?;
            tagged(
                &format!("substr(CAST(__0 AS VARCHAR), 1, {n})"),
                format!("varchar({n})"),
            )
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

fn interval_unit(unit: &str) -> Option<&'static str> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "millisecond" => "millisecond",
        "second" => "second",
        "minute" => "minute",
        "hour" => "hour",
        "day" => "day",
        "week" => "week",
        "month" => "month",
        "quarter" => return None,
        "year" => "year",
        _ => return None,
    })
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
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mysql_formats_become_chrono() {
        assert_eq!(mysql_to_chrono("%Y-%m-%d %H:%i:%s"), "%Y-%m-%d %H:%M:%S");
        assert_eq!(mysql_to_chrono("100%%"), "100%%");
    }
}
