//! Trino's numeric literals where DataFusion reads them otherwise: an integer literal
//! must fit a bigint (`SYNTAX_ERROR: Invalid numeric literal`), a decimal literal has at
//! most 38 digits (`INVALID_LITERAL`), `DECIMAL '...'` takes only `[+-]digits[.digits]`,
//! a negative literal is typed with its sign (`-2147483648` is an integer), `DECIMAL(p,
//! s)` takes a precision from 1 to 38, and unary plus refuses decimals.

use std::ops::ControlFlow;

use datafusion::arrow::datatypes::DataType as ArrowType;
use datafusion::sql::sqlparser::ast::{
    DataType, ExactNumberInfo, Expr, Parens, Query, SetExpr, Spanned, Statement, TypedString,
    UnaryOperator, Value, Visit, VisitMut, Visitor, VisitorMut,
};

use super::ast::{cast, template};
use crate::engine::error::QueryError;
use crate::engine::numbers::common_numeric;

/// The most digits of a decimal.
const MAX_DIGITS: usize = 38;

// layout: long function, because one pass over the SQL text; the position and what was copied are its state
/// Trino's other forms of number literals, as plain numbers: `1_000_000` (underscores
/// between digits), `0x1F`, `0b101`, `0o17` (SQL:2023), which sqlparser reads as a number
/// followed by an alias. `None` when `sql` has none; a malformed one (`1__0`, a
/// hexadecimal past a bigint) fails as in Trino.
pub(super) fn number_literal_forms(sql: &str) -> Result<Option<String>, QueryError> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut changed = false;
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        match bytes[i] {
            // Skip strings, quoted identifiers and comments.
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == q {
                        if bytes.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'0'..=b'9' => {
                let word_before = i > 0
                    && (bytes[i - 1].is_ascii_alphanumeric()
                        || bytes[i - 1] == b'_'
                        || bytes[i - 1] == b'.');
                let mut end = i;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                // A fraction with underscores (`1.5_0`).
                if bytes.get(end) == Some(&b'.')
                    && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
                {
                    let mut fraction_end = end + 1;
                    while fraction_end < bytes.len()
                        && (bytes[fraction_end].is_ascii_digit() || bytes[fraction_end] == b'_')
                    {
                        fraction_end += 1;
                    }
                    if sql[end..fraction_end].contains('_') {
                        end = fraction_end;
                    }
                }
                if !word_before {
                    let token = &sql[i..end];
                    if let Some(number) = number_form(token, sql, i)? {
                        // A decimal's fraction may follow (`1_000.5`, `1.5_0`).
                        out.push_str(&sql[copied..i]);
                        out.push_str(&number);
                        copied = end;
                        changed = true;
                    }
                }
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
    if !changed {
        return Ok(None);
    }
    out.push_str(&sql[copied.min(sql.len())..]);
    Ok(Some(out))
}

/// The plain number of one of Trino's literal forms (`token` starts with a digit), or
/// `None` for a plain number (or anything else, left to the parser).
fn number_form(token: &str, sql: &str, at: usize) -> Result<Option<String>, QueryError> {
    let (line, column) = position(sql, at);
    let invalid = || QueryError::Malformed {
        message: format!("line {line}:{column}: Invalid numeric literal: {token}"),
    };
    let radix = match token.get(..2) {
        Some("0x" | "0X") => Some(16),
        Some("0b" | "0B") => Some(2),
        Some("0o" | "0O") => Some(8),
        _ => None,
    };
    if let Some(radix) = radix {
        let digits: String = token[2..].chars().filter(|c| *c != '_').collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return Ok(None);
        }
        let value = i64::from_str_radix(&digits, radix).map_err(|_| invalid())?;
        return Ok(Some(value.to_string()));
    }
    if !token.contains('_') {
        return Ok(None);
    }
    // Digits with single underscores between them; anything else is an identifier
    // starting with a digit, which Trino refuses.
    let well_formed = token.split('.').count() <= 2
        && token.split('.').all(|part| {
            !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_digit() || b == b'_')
                && !part.starts_with('_')
                && !part.ends_with('_')
                && !part.contains("__")
        });
    if !well_formed {
        return Err(QueryError::Malformed {
            message: format!(
                "line {line}:{column}: identifiers must not start with a digit; surround the \
                 identifier with double quotes"
            ),
        });
    }
    Ok(Some(token.replace('_', "")))
}

/// 1-based line and column of byte `at` of `sql`.
fn position(sql: &str, at: usize) -> (usize, usize) {
    let before = &sql[..at.min(sql.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Fails with the first numeric literal Trino refuses.
pub(super) fn check_literals(statement: &Statement) -> Result<(), QueryError> {
    let mut check = LiteralCheck {
        negated: None,
        error: None,
    };
    let _ = statement.visit(&mut check);
    check.error.map_or(Ok(()), Err)
}

struct LiteralCheck {
    /// The literal under a unary minus being visited (its range includes one more value).
    negated: Option<*const Expr>,
    error: Option<QueryError>,
}

impl Visitor for LiteralCheck {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        let error = match expr {
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr: inner,
            } => {
                if matches!(inner.as_ref(), Expr::Value(v) if matches!(v.value, Value::Number(..)))
                {
                    self.negated = Some(inner.as_ref() as *const Expr);
                }
                None
            }
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => {
                    let negative = self.negated == Some(expr as *const Expr);
                    let (line, column) = (v.span.start.line, v.span.start.column);
                    number_error(n, negative, line, column)
                }
                _ => None,
            },
            Expr::Cast { data_type, .. } => decimal_type_error(data_type),
            Expr::TypedString(TypedString {
                data_type, value, ..
            }) if typed_number_name(data_type).is_some() => match &value.value {
                Value::SingleQuotedString(text) if !valid_typed_number(data_type, text) => {
                    let start = expr.span().start;
                    let name = typed_number_name(data_type).unwrap_or("INTEGER");
                    Some(QueryError::user(format!(
                        "INVALID_LITERAL: line {}:{}: '{text}' is not a valid {name} literal",
                        start.line, start.column
                    )))
                }
                _ => None,
            },
            Expr::TypedString(TypedString {
                data_type: DataType::Decimal(_) | DataType::Numeric(_) | DataType::Dec(_),
                value,
                ..
            }) => match &value.value {
                Value::SingleQuotedString(text) if !valid_decimal_text(text) => {
                    let start = expr.span().start;
                    Some(invalid_decimal(text, start.line, start.column))
                }
                _ => None,
            },
            _ => None,
        };
        match error {
            Some(e) => {
                self.error = Some(e);
                ControlFlow::Break(())
            }
            None => ControlFlow::Continue(()),
        }
    }
}

/// Trino's name of a number type a typed literal (`INTEGER '5'`) may have.
fn typed_number_name(t: &DataType) -> Option<&'static str> {
    Some(match t {
        DataType::TinyInt(_) => "TINYINT",
        DataType::SmallInt(_) => "SMALLINT",
        DataType::Int(_) | DataType::Integer(_) => "INTEGER",
        DataType::BigInt(_) => "BIGINT",
        DataType::Real | DataType::Float4 => "REAL",
        DataType::Double(_) | DataType::DoublePrecision | DataType::Float8 => "DOUBLE",
        _ => return None,
    })
}

/// Whether Trino reads `text` as a literal of the number type `t` (Java's
/// `Long.parseLong` / `Double.parseDouble` of the trimmed text, in the type's range).
/// Digits of other scripts pass: the cast then refuses them.
fn valid_typed_number(t: &DataType, text: &str) -> bool {
    use crate::engine::numbers::{Unreadable, java_trim, parse_double, parse_long};
    let trimmed = java_trim(text);
    let range = match t {
        DataType::TinyInt(_) => Some((i64::from(i8::MIN), i64::from(i8::MAX))),
        DataType::SmallInt(_) => Some((i64::from(i16::MIN), i64::from(i16::MAX))),
        DataType::Int(_) | DataType::Integer(_) => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
        DataType::BigInt(_) => Some((i64::MIN, i64::MAX)),
        _ => None,
    };
    match range {
        Some((min, max)) => match parse_long(trimmed) {
            Ok(v) => (min..=max).contains(&v),
            Err(Unreadable::OtherDigits) => true,
            Err(Unreadable::Invalid) => false,
        },
        None => !matches!(parse_double(trimmed), Err(Unreadable::Invalid)),
    }
}

/// `DECIMAL(p, s)` with a precision or scale Trino has not.
fn decimal_type_error(data_type: &DataType) -> Option<QueryError> {
    let (DataType::Decimal(info) | DataType::Numeric(info) | DataType::Dec(info)) = data_type
    else {
        return None;
    };
    let (p, s) = match info {
        ExactNumberInfo::None => return None,
        ExactNumberInfo::Precision(p) => (*p, 0),
        ExactNumberInfo::PrecisionAndScale(p, s) => (*p, *s),
    };
    if p == 0 || p > MAX_DIGITS as u64 {
        return Some(QueryError::user(format!(
            "INVALID_FUNCTION_ARGUMENT: DECIMAL precision must be in range [1, {MAX_DIGITS}]: {p}"
        )));
    }
    if s < 0 || s as u64 > p {
        return Some(QueryError::user(format!(
            "INVALID_FUNCTION_ARGUMENT: DECIMAL scale must be in range [0, precision ({p})]: {s}"
        )));
    }
    None
}

/// `+x`: Trino has no unary plus for decimals (`athena_unary_plus` refuses them).
pub(super) fn unary_plus(operand: &Expr) -> Option<Expr> {
    template("athena_unary_plus(__0)", std::slice::from_ref(operand))
}

fn invalid_decimal(text: &str, line: u64, column: u64) -> QueryError {
    QueryError::user(format!(
        "INVALID_LITERAL: line {line}:{column}: '{text}' is not a valid DECIMAL literal"
    ))
}

/// Why Trino refuses the number literal `n` (`negative` when under a unary minus).
fn number_error(n: &str, negative: bool, line: u64, column: u64) -> Option<QueryError> {
    if n.contains(['e', 'E']) {
        return None;
    }
    if n.contains('.') {
        return (decimal_digits(n) > MAX_DIGITS).then(|| invalid_decimal(n, line, column));
    }
    let signed = if negative {
        format!("-{n}")
    } else {
        n.to_owned()
    };
    signed
        .parse::<i64>()
        .is_err()
        .then(|| QueryError::Malformed {
            message: format!("line {line}:{column}: Invalid numeric literal: {n}"),
        })
}

/// The digits of a decimal literal that count for its precision: leading zeros of the
/// integer part do not.
fn decimal_digits(n: &str) -> usize {
    let unsigned = n.trim_start_matches(['+', '-']);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    int.trim_start_matches('0').len() + frac.len()
}

/// `DECIMAL '<text>'`: `[+-] digits [. [digits]]` or `[+-] . digits`, at most 38 digits.
fn valid_decimal_text(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && decimal_digits(text) <= MAX_DIGITS
}

/// VALUES rows whose columns hold numbers of several types (`VALUES (1), (2.5), (3e0)`):
/// each value cast to Trino's common type of its column (a double here), which
/// DataFusion would otherwise choose by its own rules (a `decimal(30,15)`). Only columns
/// of literals (and casts) are typed here; the others are left to DataFusion.
pub(super) fn unify_values<V: VisitMut>(node: &mut V) {
    let _ = node.visit(&mut ValuesUnifier);
}

struct ValuesUnifier;

impl VisitorMut for ValuesUnifier {
    type Break = ();

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        unify_set_expr(query.body.as_mut());
        ControlFlow::Continue(())
    }
}

fn unify_set_expr(body: &mut SetExpr) {
    match body {
        SetExpr::Values(values) => unify_rows(&mut values.rows),
        SetExpr::SetOperation { left, right, .. } => {
            unify_set_expr(left);
            unify_set_expr(right);
        }
        _ => {}
    }
}

fn unify_rows(rows: &mut [Parens<Vec<Expr>>]) {
    let width = rows.first().map_or(0, |r| r.content.len());
    for column in 0..width {
        let types: Option<Vec<ArrowType>> = rows
            .iter()
            .map(|row| row.content.get(column).and_then(literal_type))
            .collect();
        let Some(types) = types else { continue };
        let known: Vec<&ArrowType> = types.iter().filter(|t| **t != ArrowType::Null).collect();
        if known.windows(2).all(|w| w[0] == w[1]) {
            continue;
        }
        let Some(common) = common_numeric(&types.iter().collect::<Vec<_>>()) else {
            continue;
        };
        let Some(sql_type) = sql_type(&common) else {
            continue;
        };
        for (row, t) in rows.iter_mut().zip(&types) {
            if *t != common && *t != ArrowType::Null {
                let value = std::mem::replace(&mut row.content[column], Expr::value(Value::Null));
                row.content[column] = cast(value, sql_type.clone());
            }
        }
    }
}

/// The Arrow type of a literal value as the query rewrite left it (`CAST(1 AS INTEGER)`,
/// `1.5`, `CAST('1e0' AS DOUBLE)`, `-2.5`), or `None` for anything else.
fn literal_type(e: &Expr) -> Option<ArrowType> {
    match e {
        Expr::Nested(inner) => literal_type(inner),
        Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Plus,
            expr,
        } => literal_type(expr),
        Expr::Value(v) => match &v.value {
            Value::Null => Some(ArrowType::Null),
            Value::Number(n, _) if n.contains(['e', 'E']) => Some(ArrowType::Float64),
            Value::Number(n, _) if n.contains('.') => {
                let (_, frac) = n.split_once('.').unwrap_or((n, ""));
                let scale = frac.len();
                let precision = decimal_digits(n).max(1);
                Some(ArrowType::Decimal128(
                    precision.min(MAX_DIGITS) as u8,
                    scale.min(MAX_DIGITS) as i8,
                ))
            }
            Value::Number(n, _) => Some(if n.parse::<i32>().is_ok() {
                ArrowType::Int32
            } else {
                ArrowType::Int64
            }),
            _ => None,
        },
        Expr::Cast { data_type, .. } => arrow_type(data_type),
        _ => None,
    }
}

/// The Arrow type of a SQL number type.
fn arrow_type(t: &DataType) -> Option<ArrowType> {
    Some(match t {
        DataType::TinyInt(_) => ArrowType::Int8,
        DataType::SmallInt(_) => ArrowType::Int16,
        DataType::Int(_) | DataType::Integer(_) => ArrowType::Int32,
        DataType::BigInt(_) => ArrowType::Int64,
        DataType::Real | DataType::Float4 => ArrowType::Float32,
        DataType::Double(_) | DataType::DoublePrecision | DataType::Float8 => ArrowType::Float64,
        DataType::Decimal(info) | DataType::Numeric(info) | DataType::Dec(info) => match info {
            ExactNumberInfo::PrecisionAndScale(p, s) => {
                ArrowType::Decimal128(u8::try_from(*p).ok()?, i8::try_from(*s).ok()?)
            }
            ExactNumberInfo::Precision(p) => ArrowType::Decimal128(u8::try_from(*p).ok()?, 0),
            ExactNumberInfo::None => ArrowType::Decimal128(38, 0),
        },
        _ => return None,
    })
}

/// The SQL type of an Arrow number type.
fn sql_type(t: &ArrowType) -> Option<DataType> {
    Some(match t {
        ArrowType::Int8 => DataType::TinyInt(None),
        ArrowType::Int16 => DataType::SmallInt(None),
        ArrowType::Int32 => DataType::Integer(None),
        ArrowType::Int64 => DataType::BigInt(None),
        ArrowType::Float32 => DataType::Real,
        ArrowType::Float64 => DataType::Double(ExactNumberInfo::None),
        ArrowType::Decimal128(p, s) => DataType::Decimal(ExactNumberInfo::PrecisionAndScale(
            u64::from(*p),
            i64::from(*s),
        )),
        _ => return None,
    })
}

/// `-<integer literal>` that did not fit an integer without its sign (`-2147483648`):
/// the negative literal, typed `integer` when it fits one.
pub(super) fn negative_number(operand: &Expr) -> Option<Expr> {
    let Expr::Value(v) = operand else {
        return None;
    };
    let Value::Number(n, long) = &v.value else {
        return None;
    };
    if n.contains(['.', 'e', 'E']) {
        return None;
    }
    let negative = format!("-{n}");
    let literal = Expr::value(Value::Number(negative.clone(), *long));
    Some(if negative.parse::<i32>().is_ok() {
        cast(literal, DataType::Integer(None))
    } else {
        literal
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    fn check(sql: &str) -> Result<(), String> {
        let statement = Parser::new(&GenericDialect {})
            .try_with_sql(sql)
            .unwrap()
            .parse_statement()
            .unwrap();
        check_literals(&statement).map_err(|e| e.message().to_owned())
    }

    #[test]
    fn integer_literals_fit_a_bigint() {
        assert_eq!(
            check("SELECT 9223372036854775807, -9223372036854775808"),
            Ok(())
        );
        assert_eq!(
            check("SELECT 9223372036854775808"),
            Err("line 1:8: Invalid numeric literal: 9223372036854775808".into())
        );
        assert!(check("SELECT -9223372036854775809").is_err());
    }

    #[test]
    fn decimal_literals_have_at_most_38_digits() {
        assert_eq!(
            check("SELECT 0000001.5, 12345678901234567890.123456789012345678"),
            Ok(())
        );
        assert!(
            check("SELECT 123456789012345678901234567890123456789.5")
                .unwrap_err()
                .starts_with(
                    "INVALID_LITERAL: line 1:8: '123456789012345678901234567890123456789.5'"
                )
        );
        assert_eq!(
            check("SELECT DECIMAL '-.5', DECIMAL '1.', DECIMAL '+2.50'"),
            Ok(())
        );
        assert!(check("SELECT DECIMAL ' 1.5'").is_err());
        assert!(check("SELECT DECIMAL '1e2'").is_err());
        assert!(check("SELECT DECIMAL ''").is_err());
    }

    #[test]
    fn trinos_other_number_literals_are_plain_numbers() {
        let forms = |s: &str| number_literal_forms(s).map_err(|e| e.message().to_owned());
        assert_eq!(
            forms("SELECT 1_000_000, 0x1F, 0b101, 0O17, 0x_1f"),
            Ok(Some("SELECT 1000000, 31, 5, 15, 31".into()))
        );
        assert_eq!(
            forms("SELECT 1_000.5, 1.5_0, a_1, 'x_1', \"1_2\""),
            Ok(Some("SELECT 1000.5, 1.50, a_1, 'x_1', \"1_2\"".into()))
        );
        assert_eq!(forms("SELECT 1, X'1F', t1.c_2"), Ok(None));
        assert!(
            forms("SELECT 1__0")
                .unwrap_err()
                .contains("identifiers must not start with a digit")
        );
        assert!(
            forms("SELECT 0xFFFFFFFFFFFFFFFF")
                .unwrap_err()
                .contains("Invalid numeric literal")
        );
    }

    #[test]
    fn typed_number_literals_are_checked() {
        assert_eq!(
            check("SELECT BIGINT ' 12 ', INTEGER '+5', DOUBLE '1.5d', REAL 'NaN'"),
            Ok(())
        );
        let err = check("SELECT TINYINT '300'").unwrap_err();
        assert!(err.starts_with("INVALID_LITERAL: line 1:"), "{err}");
        assert!(
            err.ends_with("'300' is not a valid TINYINT literal"),
            "{err}"
        );
        assert!(check("SELECT INTEGER '1.5'").is_err());
        assert!(check("SELECT DOUBLE 'abc'").is_err());
    }

    #[test]
    fn decimal_types_take_trinos_precisions() {
        assert_eq!(
            check("SELECT CAST(x AS DECIMAL(38, 38)), CAST(x AS DECIMAL)"),
            Ok(())
        );
        assert_eq!(
            check("SELECT CAST(1.5 AS DECIMAL(39, 0))"),
            Err("INVALID_FUNCTION_ARGUMENT: DECIMAL precision must be in range [1, 38]: 39".into())
        );
        assert!(
            check("SELECT TRY_CAST(1.5 AS DECIMAL(3, 4))")
                .unwrap_err()
                .contains("scale must be in range [0, precision (3)]: 4")
        );
    }

    #[test]
    fn values_of_several_number_types_take_trinos_common_type() {
        let (s, _) = crate::engine::rewrite::parse_query(
            "SELECT * FROM (VALUES (1, 'a'), (2.5, 'b'), (-3e0, NULL)) t(x, y)",
        )
        .unwrap();
        let text = s.to_string();
        assert!(
            text.contains("CAST(CAST(1 AS INTEGER) AS DOUBLE)"),
            "{text}"
        );
        assert!(text.contains("CAST(2.5 AS DOUBLE)"), "{text}");
        let (s, _) =
            crate::engine::rewrite::parse_query("SELECT * FROM (VALUES (1), (2.5)) t(x)").unwrap();
        assert!(
            s.to_string()
                .contains("CAST(CAST(1 AS INTEGER) AS DECIMAL(11,1))"),
            "{s}"
        );
        let (s, _) =
            crate::engine::rewrite::parse_query("SELECT * FROM (VALUES (1), (2)) t(x)").unwrap();
        assert!(
            !s.to_string().contains("DOUBLE") && !s.to_string().contains("DECIMAL"),
            "{s}"
        );
    }

    #[test]
    fn negative_literals_keep_their_type() {
        let n = Expr::value(Value::Number("2147483648".into(), false));
        assert_eq!(
            negative_number(&n).unwrap().to_string(),
            "CAST(-2147483648 AS INTEGER)"
        );
        let big = Expr::value(Value::Number("9223372036854775808".into(), false));
        assert_eq!(
            negative_number(&big).unwrap().to_string(),
            "-9223372036854775808"
        );
    }
}
