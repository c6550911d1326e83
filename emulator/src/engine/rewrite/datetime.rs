//! The date/time parts of a query, rewritten into the emulator's own functions
//! (`functions/dates`), which hold Trino's semantics: typed literals (`DATE '...'`,
//! `TIMESTAMP '...'`, `TIME '...'`, `INTERVAL '...' DAY`), casts to the date/time types,
//! `EXTRACT(field FROM x)`, and the calls of Trino's date/time functions.

use datafusion::sql::sqlparser::ast::{
    CastKind, DataType, DateTimeField, Expr, Interval, IntervalFields, SetExpr, TimezoneInfo,
};

use super::ast::template;
use crate::engine::functions::dates::{Kind, NEGATE, literal_type};

/// `name('a', 'b', __0, ...)` with the constant strings quoted.
fn call_with(name: &str, constants: &[&str], args: &[Expr]) -> Option<Expr> {
    let mut text = format!("{name}(");
    let mut first = true;
    for c in constants {
        if !first {
            text.push_str(", ");
        }
        first = false;
        text.push('\'');
        text.push_str(&c.replace('\'', "''"));
        text.push('\'');
    }
    for i in 0..args.len() {
        if !first {
            text.push_str(", ");
        }
        first = false;
        text.push_str(&format!("__{i}"));
    }
    text.push(')');
    template(&text, args)
}

/// `DATE '...'`, `TIMESTAMP '...'`, `TIME '...'`.
pub(super) fn typed_literal(data_type: &DataType, text: &str) -> Option<Expr> {
    let kind = match data_type {
        DataType::Date => "DATE",
        DataType::Timestamp(None, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone) => {
            "TIMESTAMP"
        }
        DataType::Time(None, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone) => "TIME",
        _ => return None,
    };
    call_with("athena_literal", &[kind, text], &[])
}

/// The word of an interval field.
fn field_word(field: &DateTimeField) -> Option<&'static str> {
    Some(match field {
        DateTimeField::Year => "YEAR",
        DateTimeField::Month => "MONTH",
        DateTimeField::Day => "DAY",
        DateTimeField::Hour => "HOUR",
        DateTimeField::Minute => "MINUTE",
        DateTimeField::Second => "SECOND",
        _ => return None,
    })
}

/// `INTERVAL '...' <field> [TO <field>]`, whose value is a string.
pub(super) fn interval(i: &Interval) -> Option<Expr> {
    let text = super::ast::string_literal(&i.value)?;
    let from = field_word(i.leading_field.as_ref()?)?;
    let qualifier = match &i.last_field {
        Some(to) => format!("INTERVAL {from} TO {}", field_word(to)?),
        None => format!("INTERVAL {from}"),
    };
    call_with("athena_literal", &[&qualifier, text], &[])
}

/// `-x` of anything but a number literal: a binary operator of the emulator's own
/// (`0 <negate> x`), which the planner of the date/time operators gives DataFusion's
/// negation for numbers and the emulator's for intervals (DataFusion negates none of
/// the emulator's interval types).
pub(super) fn negate(operand: &Expr) -> Option<Expr> {
    // Number literals (as the rewrite types them: `CAST(1 AS INTEGER)`) stay as they are.
    let number = |e: &Expr| matches!(e, Expr::Value(v) if matches!(v.value, datafusion::sql::sqlparser::ast::Value::Number(..)));
    if number(operand) || matches!(operand, Expr::Cast { .. }) {
        return None;
    }
    Some(Expr::BinaryOp {
        left: Box::new(Expr::value(datafusion::sql::sqlparser::ast::Value::Number(
            "0".to_owned(),
            false,
        ))),
        op: datafusion::sql::sqlparser::ast::BinaryOperator::Custom(NEGATE.to_owned()),
        right: Box::new(operand.clone()),
    })
}

/// Whether an expression is a time: a TIME literal or a cast to a time.
fn is_time(expr: &Expr) -> bool {
    let mut inner = expr;
    while let Expr::Nested(e) = inner {
        inner = e;
    }
    let Expr::Function(f) = inner else {
        return false;
    };
    let Some(args) = super::ast::plain_args(&f.args) else {
        return false;
    };
    match super::ast::function_name(&f.name).as_deref() {
        Some("athena_literal") => args.first().and_then(super::ast::string_literal) == Some("TIME"),
        Some("athena_cast" | "athena_try_cast") => args
            .get(1)
            .and_then(super::ast::string_literal)
            .is_some_and(|t| t.starts_with("time(")),
        _ => false,
    }
}

/// The value of an integer literal as the rewrite leaves it (`CAST(5 AS INTEGER)`,
/// `-5` as a negation of one), if `expr` is one.
fn signed_int_literal(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::Nested(e) => signed_int_literal(e),
        Expr::UnaryOp {
            op: datafusion::sql::sqlparser::ast::UnaryOperator::Minus,
            expr,
        } => signed_int_literal(expr).map(|n| -n),
        Expr::BinaryOp {
            op: datafusion::sql::sqlparser::ast::BinaryOperator::Custom(op),
            right,
            ..
        } if op == NEGATE => signed_int_literal(right).map(|n| -n),
        other => super::ast::int_literal(other),
    }
}

/// `x BETWEEN a AND b` with a time among them, as the two comparisons it is: DataFusion
/// does not compare times of different precisions (Arrow units) in a BETWEEN, while the
/// comparisons are planned as Trino compares times.
pub(super) fn between(expr: &Expr, negated: bool, low: &Expr, high: &Expr) -> Option<Expr> {
    if ![expr, low, high].into_iter().any(is_time) {
        return None;
    }
    let text = if negated {
        "(__0 < __1 OR __0 > __2)"
    } else {
        "(__0 >= __1 AND __0 <= __2)"
    };
    template(text, &[expr.clone(), low.clone(), high.clone()])
}

/// Trino's spelling of a cast's date/time target type, or `None` for other types.
fn cast_target(data_type: &DataType) -> Option<String> {
    let zone = |tz: &TimezoneInfo| match tz {
        TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => " with time zone",
        _ => "",
    };
    Some(match data_type {
        DataType::Date => "date".to_owned(),
        DataType::Timestamp(p, tz) => format!("timestamp({}){}", p.unwrap_or(3), zone(tz)),
        DataType::Time(p, tz) => format!("time({}){}", p.unwrap_or(3), zone(tz)),
        DataType::Interval { fields, .. } => match fields {
            Some(IntervalFields::YearToMonth | IntervalFields::Year | IntervalFields::Month) => {
                "interval year to month".to_owned()
            }
            _ => "interval day to second".to_owned(),
        },
        _ => return None,
    })
}

/// `CAST(x AS <date/time type>)`, `TRY_CAST(...)`.
pub(super) fn cast(inner: &Expr, data_type: &DataType, kind: &CastKind) -> Option<Expr> {
    let target = cast_target(data_type)?;
    let name = match kind {
        CastKind::TryCast | CastKind::SafeCast => "athena_try_cast",
        CastKind::Cast | CastKind::DoubleColon => "athena_cast",
    };
    template(
        &format!("{name}(__0, '{target}')"),
        std::slice::from_ref(inner),
    )
}

/// `EXTRACT(field FROM x)`: the function of the same field.
pub(super) fn extract(field: &DateTimeField, expr: &Expr) -> Option<Expr> {
    let name = match field {
        DateTimeField::Year => "year".to_owned(),
        DateTimeField::Quarter => "quarter".to_owned(),
        DateTimeField::Month => "month".to_owned(),
        DateTimeField::Week(None) => "week".to_owned(),
        DateTimeField::Day => "day".to_owned(),
        DateTimeField::DayOfWeek | DateTimeField::Dow => "day_of_week".to_owned(),
        DateTimeField::DayOfYear | DateTimeField::Doy => "day_of_year".to_owned(),
        DateTimeField::Hour => "hour".to_owned(),
        DateTimeField::Minute => "minute".to_owned(),
        DateTimeField::Second => "second".to_owned(),
        DateTimeField::TimezoneHour => "timezone_hour".to_owned(),
        DateTimeField::TimezoneMinute => "timezone_minute".to_owned(),
        DateTimeField::Custom(ident) => ident.value.to_ascii_lowercase(),
        other => other.to_string().to_ascii_lowercase(),
    };
    call_with("athena_extract", &[&name], std::slice::from_ref(expr))
}

/// The fields `athena_field` extracts, by the names of Trino's functions.
const FIELD_FUNCTIONS: &[&str] = &[
    "year",
    "quarter",
    "month",
    "week",
    "week_of_year",
    "day",
    "day_of_month",
    "day_of_week",
    "dow",
    "day_of_year",
    "doy",
    "year_of_week",
    "yow",
    "hour",
    "minute",
    "second",
    "millisecond",
    "timezone_hour",
    "timezone_minute",
];

/// Trino's date/time functions the emulator implements as `athena_<name>`, same
/// arguments.
const OWN_FUNCTIONS: &[&str] = &[
    "last_day_of_month",
    "date_trunc",
    "date_add",
    "date_diff",
    "at_timezone",
    "with_timezone",
    "timezone",
    "from_unixtime",
    "from_unixtime_nanos",
    "to_unixtime",
    "to_milliseconds",
    "date_format",
    "date_parse",
    "format_datetime",
    "parse_datetime",
    "to_iso8601",
    "from_iso8601_timestamp",
    "from_iso8601_timestamp_nanos",
    "from_iso8601_date",
    "human_readable_seconds",
    "parse_duration",
];

/// The rewrite of a call of one of Trino's date/time functions, or `None`.
pub(super) fn call(name: &str, args: &[Expr]) -> Option<Expr> {
    if FIELD_FUNCTIONS.contains(&name) {
        return call_with("athena_field", &[name], args);
    }
    if name == "from_unixtime" && args.len() == 3 {
        // The offset decides the result's type: its numbers must reach the planner as
        // constants, not as casts of them.
        let mut args = args.to_vec();
        for arg in &mut args[1..] {
            if let Some(n) = signed_int_literal(arg) {
                *arg = Expr::value(datafusion::sql::sqlparser::ast::Value::Number(
                    n.to_string(),
                    false,
                ));
                if n < 0 {
                    *arg = template(&format!("({n})"), &[])?;
                }
            }
        }
        return call_with("athena_from_unixtime", &[], &args);
    }
    if OWN_FUNCTIONS.contains(&name) {
        return call_with(&format!("athena_{name}"), &[], args);
    }
    match (name, args.len()) {
        ("date", 1) => template("athena_cast(__0, 'date')", args),
        // The clocks: DataFusion's, in UTC (the session zone), at Trino's precision.
        ("now" | "current_timestamp", 0) => {
            template("arrow_cast(now(), 'Timestamp(ms, \"UTC\")')", args)
        }
        ("localtimestamp", 0) => template("CAST(now() AS TIMESTAMP(3))", args),
        ("localtime", 0) => template("athena_cast(CAST(now() AS TIMESTAMP(3)), 'time(3)')", args),
        ("current_timezone", 0) => template("'UTC'", args),
        // Dates and timestamps by an interval: functions/dates/sequence.rs.
        ("sequence", 2 | 3) => call_with("athena_sequence", &[], args),
        _ => None,
    }
}

/// The type of a date/time literal cell (`athena_literal(kind, text)`, possibly in
/// parentheses); `Some(None)` for NULL, `None` for anything else.
fn cell_type(cell: &Expr) -> Option<Option<Kind>> {
    let mut inner = cell;
    while let Expr::Nested(e) = inner {
        inner = e;
    }
    if let Expr::Value(v) = inner
        && matches!(v.value, datafusion::sql::sqlparser::ast::Value::Null)
    {
        return Some(None);
    }
    let Expr::Function(f) = inner else {
        return None;
    };
    if super::ast::function_name(&f.name).as_deref() != Some("athena_literal") {
        return None;
    }
    let args = super::ast::plain_args(&f.args)?;
    let kind = super::ast::string_literal(args.first()?)?;
    let text = super::ast::string_literal(args.get(1)?)?;
    literal_type(kind, text).map(Some)
}

/// The rows of a VALUES give each column one type, as Trino gives it: date/time literals
/// of different precisions are cast to the largest (DataFusion refuses rows whose
/// precisions differ in the field metadata); zoned timestamps in different zones cannot
/// share an Arrow column and are refused.
pub(super) fn unify_values(body: &mut SetExpr) {
    let SetExpr::Values(values) = body else {
        return;
    };
    let width = values.rows.first().map_or(0, |r| r.content.len());
    for column in 0..width {
        let mut kinds = Vec::new();
        let mut all_literals = true;
        for row in &values.rows {
            match row.content.get(column).map(cell_type) {
                Some(Some(Some(kind))) => kinds.push(kind),
                Some(Some(None)) => {}
                _ => all_literals = false,
            }
        }
        if !all_literals || kinds.len() < 2 {
            continue;
        }
        let zones: Vec<_> = kinds
            .iter()
            .filter_map(|k| match k {
                Kind::TimestampTz(_, z) => Some(z.clone()),
                _ => None,
            })
            .collect();
        let replacement = if zones.windows(2).any(|w| w[0] != w[1]) {
            Some(
                "athena_refuse('VALUES rows of timestamp with time zone in different time zones')"
                    .to_owned(),
            )
        } else {
            let precisions: Vec<u8> = kinds.iter().filter_map(Kind::precision).collect();
            let same_base = kinds
                .windows(2)
                .all(|w| std::mem::discriminant(&w[0]) == std::mem::discriminant(&w[1]));
            match precisions.iter().max() {
                Some(max) if same_base && precisions.iter().any(|p| p != max) => Some(format!(
                    "athena_cast(__0, '{}')",
                    kinds[0].with_precision(*max).trino_name()
                )),
                _ => None,
            }
        };
        let Some(replacement) = replacement else {
            continue;
        };
        for row in &mut values.rows {
            if let Some(cell) = row.content.get_mut(column)
                && matches!(cell_type(cell), Some(Some(_)))
                && let Some(new) = template(&replacement, std::slice::from_ref(cell))
            {
                *cell = new;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_query;

    fn rewritten(sql: &str) -> String {
        parse_query(sql).expect("parses").0.to_string()
    }

    #[test]
    fn literals_become_the_emulators_functions() {
        let sql = rewritten(
            "SELECT DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.1 UTC', TIME '01:02', INTERVAL '1-2' YEAR TO MONTH",
        );
        assert!(
            sql.contains("athena_literal('DATE', '2024-01-02')"),
            "{sql}"
        );
        assert!(
            sql.contains("athena_literal('TIMESTAMP', '2024-01-02 03:04:05.1 UTC')"),
            "{sql}"
        );
        assert!(sql.contains("athena_literal('TIME', '01:02')"), "{sql}");
        assert!(
            sql.contains("athena_literal('INTERVAL YEAR TO MONTH', '1-2')"),
            "{sql}"
        );
    }

    #[test]
    fn casts_extract_and_calls_are_rewritten() {
        let sql = rewritten(
            "SELECT CAST(x AS TIMESTAMP), TRY_CAST(x AS TIME(6)), CAST(x AS TIMESTAMP WITH TIME ZONE), EXTRACT(DOW FROM x), year(x), date_add('day', 1, x) FROM t",
        );
        assert!(sql.contains("athena_cast((x), 'timestamp(3)')"), "{sql}");
        assert!(sql.contains("athena_try_cast((x), 'time(6)')"), "{sql}");
        assert!(sql.contains("'timestamp(3) with time zone'"), "{sql}");
        assert!(sql.contains("athena_extract('day_of_week', (x))"), "{sql}");
        assert!(sql.contains("athena_field('year', (x))"), "{sql}");
        assert!(sql.contains("athena_date_add("), "{sql}");
    }

    #[test]
    fn negation_and_between_of_times() {
        let sql = rewritten("SELECT -x, -1, t BETWEEN TIME '01:00' AND TIME '02:00:00.5' FROM t");
        assert!(sql.contains("athena_negate"), "{sql}");
        assert!(sql.contains("-CAST(1 AS INTEGER)"), "{sql}");
        assert!(sql.contains(">=") && sql.contains("<="), "{sql}");
        let plain = rewritten("SELECT x BETWEEN 1 AND 2 FROM t");
        assert!(plain.contains("BETWEEN"), "{plain}");
    }

    #[test]
    fn values_rows_get_one_type() {
        let sql =
            rewritten("SELECT * FROM (VALUES (TIME '01:00'), (TIME '02:00:00.5'), (NULL)) t(x)");
        assert_eq!(sql.matches("athena_cast(").count(), 2, "{sql}");
        assert!(sql.contains("'time(1)'"), "{sql}");
        let zones = rewritten(
            "SELECT * FROM (VALUES (TIMESTAMP '2024-01-01 00:00 UTC'), (TIMESTAMP '2024-01-01 00:00 +01:00')) t(x)",
        );
        assert!(zones.contains("athena_refuse"), "{zones}");
        let same =
            rewritten("SELECT * FROM (VALUES (DATE '2024-01-01'), (DATE '2024-01-02')) t(x)");
        assert!(!same.contains("athena_cast"), "{same}");
    }
}
