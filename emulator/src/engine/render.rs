//! Arrow values as Athena's text (docs/athena.md, "Values").
//!
//! Rendering is column-wise: each column is downcast once, then every row is written
//! into one reused scratch buffer (no `format!` per value) and copied out exactly sized.

use std::fmt::Write as _;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Decimal128Array, Decimal256Array, MapArray, StructArray,
};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, IntervalUnit, TimeUnit, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

use super::column_info::{fraction_digits, timestamp_precision};
use super::names::ATHENA_TYPE_KEY;
use super::numbers;
use crate::calendar::{push_two_digits, ticks_per_second, write_date, zone_offset};

/// Renders every row of `batch` as Athena's text (`None` = NULL).
pub(crate) fn render_batch(batch: &RecordBatch) -> Vec<Vec<Option<String>>> {
    let n = batch.num_rows();
    let width = batch.num_columns();
    let mut rows: Vec<Vec<Option<String>>> = (0..n).map(|_| Vec::with_capacity(width)).collect();
    let mut buf = String::with_capacity(64);
    let schema = batch.schema();
    for (i, column) in batch.columns().iter().enumerate() {
        render_column(column, &mut rows, &mut buf);
        if let Some(p) = schema
            .field(i)
            .metadata()
            .get(ATHENA_TYPE_KEY)
            .and_then(|t| timestamp_precision(t))
        {
            for row in rows.iter_mut() {
                if let Some(Some(text)) = row.last_mut() {
                    cut_fraction(text, p as usize);
                }
            }
        }
    }
    rows
}

/// A timestamp's text with `p` fraction digits: a `timestamp(p)` whose Arrow unit has
/// more, rendered from a literal with exactly `p` digits (the others are zeros).
fn cut_fraction(text: &mut String, p: usize) {
    let Some(colon) = text.find(':') else {
        return;
    };
    let Some(dot) = text[colon..].find('.').map(|d| colon + d) else {
        return;
    };
    let digits = text[dot + 1..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits > p {
        let from = if p == 0 { dot } else { dot + 1 + p };
        text.replace_range(from..dot + 1 + digits, "");
    }
}

/// Appends the text of every value of `array` to the matching row of `rows`.
pub(crate) fn render_column(array: &ArrayRef, rows: &mut [Vec<Option<String>>], buf: &mut String) {
    macro_rules! each {
        ($arr:expr, |$v:ident, $b:ident| $body:expr) => {{
            let arr = $arr;
            for (i, row) in rows.iter_mut().enumerate() {
                if arr.is_null(i) {
                    row.push(None);
                } else {
                    let $v = arr.value(i);
                    let $b: &mut String = buf;
                    $b.clear();
                    $body;
                    row.push(Some($b.as_str().to_owned()));
                }
            }
        }};
    }
    match array.data_type() {
        DataType::Null => rows.iter_mut().for_each(|row| row.push(None)),
        DataType::Utf8 => {
            let arr = array.as_string::<i32>();
            for (i, row) in rows.iter_mut().enumerate() {
                row.push(arr.is_valid(i).then(|| arr.value(i).to_owned()));
            }
        }
        DataType::LargeUtf8 => {
            let arr = array.as_string::<i64>();
            for (i, row) in rows.iter_mut().enumerate() {
                row.push(arr.is_valid(i).then(|| arr.value(i).to_owned()));
            }
        }
        DataType::Utf8View => {
            let arr = array.as_string_view();
            for (i, row) in rows.iter_mut().enumerate() {
                row.push(arr.is_valid(i).then(|| arr.value(i).to_owned()));
            }
        }
        DataType::Boolean => {
            let arr: &BooleanArray = array.as_boolean();
            for (i, row) in rows.iter_mut().enumerate() {
                row.push(
                    arr.is_valid(i)
                        .then(|| if arr.value(i) { "true" } else { "false" }.to_owned()),
                );
            }
        }
        DataType::Int8 => each!(array.as_primitive::<Int8Type>(), |v, b| write_int(b, v)),
        DataType::Int16 => each!(array.as_primitive::<Int16Type>(), |v, b| write_int(b, v)),
        DataType::Int32 => each!(array.as_primitive::<Int32Type>(), |v, b| write_int(b, v)),
        DataType::Int64 => each!(array.as_primitive::<Int64Type>(), |v, b| write_int(b, v)),
        DataType::UInt8 => each!(array.as_primitive::<UInt8Type>(), |v, b| write_int(b, v)),
        DataType::UInt16 => each!(array.as_primitive::<UInt16Type>(), |v, b| write_int(b, v)),
        DataType::UInt32 => each!(array.as_primitive::<UInt32Type>(), |v, b| write_int(b, v)),
        DataType::UInt64 => each!(array.as_primitive::<UInt64Type>(), |v, b| write_int(b, v)),
        DataType::Float64 => each!(array.as_primitive::<Float64Type>(), |v, b| write_f64(b, v)),
        DataType::Float32 => each!(array.as_primitive::<Float32Type>(), |v, b| write_f32(b, v)),
        DataType::Date32 => each!(array.as_primitive::<Date32Type>(), |v, b| write_date(
            b,
            i64::from(v)
        )),
        _ => {
            let nulls = array.logical_nulls();
            for (i, row) in rows.iter_mut().enumerate() {
                if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    row.push(None);
                } else {
                    buf.clear();
                    write_value(buf, array.as_ref(), i);
                    row.push(Some(buf.as_str().to_owned()));
                }
            }
        }
    }
}

/// Writes the text of the non-null value at `i` (nested NULLs are written as `null`).
pub(crate) fn write_value(out: &mut String, array: &dyn Array, i: usize) {
    match array.data_type() {
        DataType::Null => out.push_str("null"),
        DataType::Boolean => out.push_str(if array.as_boolean().value(i) {
            "true"
        } else {
            "false"
        }),
        DataType::Int8 => write_int(out, array.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => write_int(out, array.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => write_int(out, array.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => write_int(out, array.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => write_int(out, array.as_primitive::<UInt8Type>().value(i)),
        DataType::UInt16 => write_int(out, array.as_primitive::<UInt16Type>().value(i)),
        DataType::UInt32 => write_int(out, array.as_primitive::<UInt32Type>().value(i)),
        DataType::UInt64 => write_int(out, array.as_primitive::<UInt64Type>().value(i)),
        DataType::Float16 => write_f32(out, array.as_primitive::<Float16Type>().value(i).to_f32()),
        DataType::Float32 => write_f32(out, array.as_primitive::<Float32Type>().value(i)),
        DataType::Float64 => write_f64(out, array.as_primitive::<Float64Type>().value(i)),
        DataType::Utf8 => out.push_str(array.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => out.push_str(array.as_string::<i64>().value(i)),
        DataType::Utf8View => out.push_str(array.as_string_view().value(i)),
        DataType::Binary => write_hex(out, array.as_binary::<i32>().value(i)),
        DataType::LargeBinary => write_hex(out, array.as_binary::<i64>().value(i)),
        DataType::BinaryView => write_hex(out, array.as_binary_view().value(i)),
        DataType::FixedSizeBinary(_) => write_hex(out, array.as_fixed_size_binary().value(i)),
        DataType::Date32 => write_date(out, i64::from(array.as_primitive::<Date32Type>().value(i))),
        DataType::Date64 => write_date(
            out,
            array
                .as_primitive::<Date64Type>()
                .value(i)
                .div_euclid(86_400_000),
        ),
        DataType::Timestamp(unit, tz) => {
            let v = timestamp_value(array, *unit, i);
            write_timestamp(out, v, *unit, tz.as_deref());
        }
        DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => write_decimal_value(out, array, i),
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::FixedSizeList(..)
        | DataType::Map(..)
        | DataType::Struct(_) => write_nested_value(out, array, i),
        // Times and Trino's two interval types (functions/dates/types.rs).
        DataType::Time32(_)
        | DataType::Time64(_)
        | DataType::Duration(_)
        | DataType::Interval(IntervalUnit::YearMonth) => {
            crate::engine::functions::dates::write_arrow_value(out, array, i);
        }
        DataType::Interval(unit) => write_interval_value(out, array, *unit, i),
        _ => fallback(out, array, i),
    }
}

/// A decimal value with its scale.
fn write_decimal_value(out: &mut String, array: &dyn Array, i: usize) {
    match array.data_type() {
        DataType::Decimal128(_, s) => {
            let arr: &Decimal128Array = array.as_primitive();
            write_decimal(out, arr.value(i), *s);
        }
        DataType::Decimal256(_, s) => {
            let arr: &Decimal256Array = array.as_primitive();
            match arr.value(i).to_i128() {
                Some(v) => write_decimal(out, v, *s),
                None => fallback(out, array, i),
            }
        }
        DataType::Decimal64(_, s) => write_decimal(
            out,
            i128::from(
                array
                    .as_primitive::<datafusion::arrow::datatypes::Decimal64Type>()
                    .value(i),
            ),
            *s,
        ),
        DataType::Decimal32(_, s) => write_decimal(
            out,
            i128::from(
                array
                    .as_primitive::<datafusion::arrow::datatypes::Decimal32Type>()
                    .value(i),
            ),
            *s,
        ),
        // `write_value` sends only decimals here.
        _ => fallback(out, array, i),
    }
}

/// An array, map or row value: `[1, 2]`, `{k=v}`, `{id=1, name=x}`.
fn write_nested_value(out: &mut String, array: &dyn Array, i: usize) {
    match array.data_type() {
        DataType::List(_) => {
            let arr = array.as_list::<i32>();
            write_list(out, arr.value(i).as_ref());
        }
        DataType::LargeList(_) => {
            let arr = array.as_list::<i64>();
            write_list(out, arr.value(i).as_ref());
        }
        DataType::FixedSizeList(..) => {
            let arr = array.as_fixed_size_list();
            write_list(out, arr.value(i).as_ref());
        }
        DataType::Map(..) => {
            let arr: &MapArray = array.as_map();
            write_map(out, arr, i);
        }
        DataType::Struct(_) => {
            let arr: &StructArray = array.as_struct();
            write_struct(out, arr, i);
        }
        // `write_value` sends only lists, maps and rows here.
        _ => fallback(out, array, i),
    }
}

/// An interval value, whichever unit Arrow stores it in.
fn write_interval_value(out: &mut String, array: &dyn Array, unit: IntervalUnit, i: usize) {
    match unit {
        IntervalUnit::MonthDayNano => {
            let v = array
                .as_primitive::<datafusion::arrow::datatypes::IntervalMonthDayNanoType>()
                .value(i);
            write_interval(out, v.months, v.days, v.nanoseconds);
        }
        IntervalUnit::DayTime => {
            let v = array
                .as_primitive::<datafusion::arrow::datatypes::IntervalDayTimeType>()
                .value(i);
            write_interval(out, 0, v.days, i64::from(v.milliseconds) * 1_000_000);
        }
        IntervalUnit::YearMonth => {
            let v = array
                .as_primitive::<datafusion::arrow::datatypes::IntervalYearMonthType>()
                .value(i);
            write_interval(out, v, 0, 0);
        }
    }
}

/// Trino's interval text: `1-2` (year to month) or `2 03:04:05.000` (day to second).
fn write_interval(out: &mut String, months: i32, days: i32, nanos: i64) {
    if months != 0 && days == 0 && nanos == 0 {
        let sign = if months < 0 { "-" } else { "" };
        let m = months.unsigned_abs();
        let _ = write!(out, "{sign}{}-{}", m / 12, m % 12);
        return;
    }
    let total_ms = i128::from(days) * 86_400_000 + i128::from(nanos / 1_000_000);
    let sign = if total_ms < 0 { "-" } else { "" };
    let ms = total_ms.unsigned_abs();
    let _ = write!(
        out,
        "{sign}{} {:02}:{:02}:{:02}.{:03}",
        ms / 86_400_000,
        ms / 3_600_000 % 24,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    );
}

fn fallback(out: &mut String, array: &dyn Array, i: usize) {
    let options = FormatOptions::default().with_null("null");
    match ArrayFormatter::try_new(array, &options) {
        Ok(f) => {
            let _ = write!(out, "{}", f.value(i));
        }
        Err(_) => out.push_str("null"),
    }
}

fn timestamp_value(array: &dyn Array, unit: TimeUnit, i: usize) -> i64 {
    use datafusion::arrow::datatypes::{
        TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    match unit {
        TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(i),
        TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().value(i),
        TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(i),
        TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(i),
    }
}

fn write_element(out: &mut String, array: &dyn Array, i: usize) {
    if array.is_null(i) {
        out.push_str("null");
    } else {
        write_value(out, array, i);
    }
}

fn write_list(out: &mut String, values: &dyn Array) {
    out.push('[');
    for j in 0..values.len() {
        if j > 0 {
            out.push_str(", ");
        }
        write_element(out, values, j);
    }
    out.push(']');
}

fn write_map(out: &mut String, map: &MapArray, i: usize) {
    let offsets = map.value_offsets();
    let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
    let keys = map.keys();
    let values = map.values();
    out.push('{');
    for j in start..end {
        if j > start {
            out.push_str(", ");
        }
        write_element(out, keys.as_ref(), j);
        out.push('=');
        write_element(out, values.as_ref(), j);
    }
    out.push('}');
}

/// Fields DataFusion names itself (`c0`, `c1`, ... from `ROW(...)`/`struct(...)`) are
/// anonymous: Athena writes such a row as `{1, x}`; named rows as `{id=1, name=x}`.
fn is_anonymous_row(arr: &StructArray) -> bool {
    arr.fields().iter().enumerate().all(|(k, f)| {
        let name = f.name();
        name.len() > 1 && name.as_bytes()[0] == b'c' && name[1..].parse::<usize>().ok() == Some(k)
            || name.is_empty()
    })
}

fn write_struct(out: &mut String, arr: &StructArray, i: usize) {
    let anonymous = is_anonymous_row(arr);
    out.push('{');
    for (k, (field, column)) in arr.fields().iter().zip(arr.columns()).enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        if !anonymous {
            out.push_str(field.name());
            out.push('=');
        }
        write_element(out, column.as_ref(), i);
    }
    out.push('}');
}

/// Integers as plain decimal digits (without the formatting machinery: this is the
/// hot path of CloudFront-like results).
fn write_int<T: Into<i128>>(out: &mut String, v: T) {
    let v: i128 = v.into();
    let mut buf = [0u8; 40];
    let mut pos = buf.len();
    let abs = v.unsigned_abs();
    if let Ok(mut n) = u64::try_from(abs) {
        // u64 division is a machine instruction, u128's is not.
        loop {
            pos -= 1;
            buf[pos] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
    } else {
        let mut n = abs;
        loop {
            pos -= 1;
            buf[pos] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
    }
    if v < 0 {
        out.push('-');
    }
    for &b in &buf[pos..] {
        out.push(char::from(b));
    }
}

/// A double in Java's `Double.toString` notation, as Athena writes it.
pub(crate) fn write_f64(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "Infinity" } else { "-Infinity" });
    } else if v == 0.0 {
        out.push_str(if v.is_sign_negative() { "-0.0" } else { "0.0" });
    } else {
        // Java's digits (ties to even, two at least: 4.9E-324), numbers/text.rs.
        let (digits, exponent) = numbers::double_digits(v.abs());
        out.push_str(&numbers::java_number_text(v < 0.0, &digits, exponent));
    }
}

/// A real in Java's `Float.toString` notation.
pub(crate) fn write_f32(out: &mut String, v: f32) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "Infinity" } else { "-Infinity" });
    } else if v == 0.0 {
        out.push_str(if v.is_sign_negative() { "-0.0" } else { "0.0" });
    } else {
        let (digits, exponent) = numbers::real_digits(v.abs());
        out.push_str(&numbers::java_number_text(v < 0.0, &digits, exponent));
    }
}

/// A decimal's unscaled value with exactly `scale` fraction digits.
fn write_decimal(out: &mut String, value: i128, scale: i8) {
    if scale <= 0 {
        let _ = write!(out, "{value}");
        for _ in 0..(-i32::from(scale)) {
            if value != 0 {
                out.push('0');
            }
        }
        return;
    }
    let scale = scale as usize;
    if value < 0 {
        out.push('-');
    }
    let start = out.len();
    let _ = write!(out, "{}", value.unsigned_abs());
    let digits = out.len() - start;
    if digits <= scale {
        let zeros = scale + 1 - digits;
        for _ in 0..zeros {
            out.insert(start, '0');
        }
    }
    let point = out.len() - scale;
    out.insert(point, '.');
}

/// `2024-01-02 03:04:05.123`, as many fraction digits as the unit has.
fn write_timestamp(out: &mut String, value: i64, unit: TimeUnit, tz: Option<&str>) {
    let per_second = ticks_per_second(unit);
    let utc_seconds = value.div_euclid(per_second);
    let offset_seconds = tz.and_then(|tz| zone_offset(tz, utc_seconds)).unwrap_or(0);
    let seconds = utc_seconds.saturating_add(offset_seconds);
    let fraction = value.rem_euclid(per_second);
    write_date(out, seconds.div_euclid(86_400));
    out.push(' ');
    write_time_of_day(
        out,
        seconds.rem_euclid(86_400),
        fraction,
        fraction_digits(unit),
    );
    if let Some(tz) = tz {
        out.push(' ');
        match tz {
            "+00:00" | "Z" | "UTC" | "utc" | "+0000" | "+00" => out.push_str("UTC"),
            other => out.push_str(other),
        }
    }
}

fn write_time_of_day(out: &mut String, secs: i64, fraction: i64, digits: u32) {
    let secs = secs as u32;
    push_two_digits(out, secs / 3600);
    out.push(':');
    push_two_digits(out, secs / 60 % 60);
    out.push(':');
    push_two_digits(out, secs % 60);
    if digits > 0 {
        out.push('.');
        let start = out.len();
        let _ = write!(out, "{fraction}");
        let len = out.len() - start;
        for _ in len..digits as usize {
            out.insert(start, '0');
        }
    }
}

/// Spaced lowercase hex: `68 65 6c 6c 6f`.
fn write_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (k, b) in bytes.iter().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f64s(v: f64) -> String {
        let mut s = String::new();
        write_f64(&mut s, v);
        s
    }

    #[test]
    fn doubles_in_java_notation() {
        assert_eq!(f64s(1.0), "1.0");
        assert_eq!(f64s(1e20), "1.0E20");
        assert_eq!(f64s(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(f64s(f64::NAN), "NaN");
        assert_eq!(f64s(f64::INFINITY), "Infinity");
        assert_eq!(f64s(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(f64s(1.5e-5), "1.5E-5");
        assert_eq!(f64s(1234567.0), "1234567.0");
        assert_eq!(f64s(12345678.9), "1.23456789E7");
        assert_eq!(f64s(0.001), "0.001");
        assert_eq!(f64s(-2.5), "-2.5");
        assert_eq!(f64s(0.0), "0.0");
    }

    #[test]
    fn reals_in_java_notation() {
        let mut s = String::new();
        write_f32(&mut s, 0.1);
        assert_eq!(s, "0.1");
        s.clear();
        write_f32(&mut s, 1e10);
        assert_eq!(s, "1.0E10");
    }

    #[test]
    fn decimals_keep_their_scale() {
        let d = |v, s| {
            let mut out = String::new();
            write_decimal(&mut out, v, s);
            out
        };
        assert_eq!(d(12345, 2), "123.45");
        assert_eq!(d(5, 2), "0.05");
        assert_eq!(d(-5, 2), "-0.05");
        assert_eq!(d(0, 3), "0.000");
        assert_eq!(d(42, 0), "42");
        assert_eq!(d(-120, 1), "-12.0");
    }

    #[test]
    fn dates_and_timestamps() {
        let mut s = String::new();
        write_date(&mut s, 0);
        assert_eq!(s, "1970-01-01");
        s.clear();
        write_date(&mut s, 16_256);
        assert_eq!(s, "2014-07-05");
        s.clear();
        write_date(&mut s, -1);
        assert_eq!(s, "1969-12-31");
        s.clear();
        write_timestamp(&mut s, 1_704_164_645_123, TimeUnit::Millisecond, None);
        assert_eq!(s, "2024-01-02 03:04:05.123");
        s.clear();
        write_timestamp(&mut s, 1_704_164_645, TimeUnit::Second, None);
        assert_eq!(s, "2024-01-02 03:04:05");
        s.clear();
        write_timestamp(
            &mut s,
            1_704_164_645_000_001,
            TimeUnit::Microsecond,
            Some("+00:00"),
        );
        assert_eq!(s, "2024-01-02 03:04:05.000001 UTC");
        s.clear();
        write_timestamp(&mut s, -1, TimeUnit::Millisecond, None);
        assert_eq!(s, "1969-12-31 23:59:59.999");
    }

    #[test]
    fn integers_as_digits() {
        let w = |v: i64| {
            let mut s = String::new();
            write_int(&mut s, v);
            s
        };
        assert_eq!(w(0), "0");
        assert_eq!(w(-7), "-7");
        assert_eq!(w(i64::MIN), "-9223372036854775808");
        assert_eq!(w(i64::MAX), "9223372036854775807");
        let mut s = String::new();
        write_int(&mut s, u64::MAX);
        assert_eq!(s, "18446744073709551615");
    }

    #[test]
    fn hex_is_spaced_lowercase() {
        let mut s = String::new();
        write_hex(&mut s, b"hello");
        assert_eq!(s, "68 65 6c 6c 6f");
    }
}
