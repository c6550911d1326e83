//! Rows as the lines of UNLOAD's JSON and TEXTFILE files, value by value as Athena
//! writes them: Athena engine 3 writes text through Trino's Hive writers, which are
//! written to be byte-compatible with Hive's SerDes (emulator/SQL.md, "UNLOAD").
//!
//! JSON (Trino's `JsonSerializer`, "bug for bug compatible with Hive JsonSerDe"): one
//! object per line with every column, NULL as `null`; numbers as numbers, a decimal as
//! Java's `BigDecimal.toString` (`1.50`, `1E-7`), a real or double as Java's `toString`
//! (`1.0E20`), NaN and the infinities as strings (Jackson quotes them); dates
//! `2024-01-02` and timestamps `2024-01-02 03:04:05.123` (Hive's form: the fraction
//! without its trailing zeros, none when zero) as strings; varbinary as its bytes read as
//! UTF-8; arrays as arrays, maps and rows as objects.
//!
//! TEXTFILE (Trino's `SimpleSerializer`, Hive's LazySimpleSerDe): values joined by the
//! field delimiter, `\N` for NULL, no escaping; booleans `true`/`false`, reals and doubles
//! in Java's notation, decimals with their scale (`1.50`), dates and timestamps as in
//! JSON, varbinary in Base64.
//!
//! Where Athena's writer would lose a value, the emulator refuses the UNLOAD instead of
//! writing a file that reads back differently: a TEXTFILE value holding the delimiter or
//! a line break (no escape character is set, so Athena writes them bare and the row
//! splits), a TEXTFILE string `\N` (it reads back as NULL), a varbinary that is not UTF-8
//! in JSON (Athena writes replacement characters).

use crate::json_text::{Escapes, escape_json};
use std::fmt::Write as _;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimeUnit,
};

use crate::calendar::{civil_from_days, ticks_per_second};
use crate::engine::render::{write_f32, write_f64};

/// Why a value cannot be written.
pub(crate) type Refusal = String;

/// Appends every row of `batch` as one JSON object per line, keys `names`.
pub(crate) fn json_lines(
    batch: &RecordBatch,
    names: &[String],
    out: &mut Vec<u8>,
) -> Result<(), Refusal> {
    let mut scratch = String::new();
    for row in 0..batch.num_rows() {
        out.push(b'{');
        for (i, (column, name)) in batch.columns().iter().zip(names).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json_string(name, out);
            out.push(b':');
            json_value(column.as_ref(), row, out, &mut scratch)?;
        }
        out.extend_from_slice(b"}\n");
    }
    Ok(())
}

/// Appends every row of `batch` as one delimited line.
pub(crate) fn text_lines(
    batch: &RecordBatch,
    names: &[String],
    delimiter: u8,
    out: &mut Vec<u8>,
) -> Result<(), Refusal> {
    let mut value = String::new();
    for row in 0..batch.num_rows() {
        for (i, (column, name)) in batch.columns().iter().zip(names).enumerate() {
            if i > 0 {
                out.push(delimiter);
            }
            if column.is_null(row) {
                out.extend_from_slice(b"\\N");
                continue;
            }
            value.clear();
            text_value(column.as_ref(), row, &mut value, name)?;
            if value == "\\N" {
                return Err(format!(
                    "the value of column {name} is the text \\N, which TEXTFILE reads back as NULL"
                ));
            }
            if let Some(b) = value
                .bytes()
                .find(|&b| b == delimiter || b == b'\n' || b == b'\r')
            {
                let what = match b {
                    b'\n' | b'\r' => "a line break".to_owned(),
                    _ => format!("the field delimiter {:?}", char::from(delimiter)),
                };
                return Err(format!(
                    "a value of column {name} holds {what}, which Athena writes unescaped into TEXTFILE (the row would read back split)"
                ));
            }
            out.extend_from_slice(value.as_bytes());
        }
        out.push(b'\n');
    }
    Ok(())
}

/// One non-NULL primitive value as LazySimpleSerDe writes it.
fn text_value(array: &dyn Array, i: usize, out: &mut String, name: &str) -> Result<(), Refusal> {
    match array.data_type() {
        DataType::Binary => base64(array.as_binary::<i32>().value(i), out),
        DataType::List(_) | DataType::Map(..) | DataType::Struct(_) => {
            return Err(format!(
                "column {name} is an array, map or row, which athena-emulator cannot write as TEXTFILE"
            ));
        }
        _ => scalar(array, i, out, Decimals::Plain),
    }
    Ok(())
}

/// How a decimal is written.
#[derive(Clone, Copy)]
enum Decimals {
    /// Trino's `Decimals.toString`: digits with exactly the scale's fraction digits.
    Plain,
    /// Java's `BigDecimal.toString`, which turns to an exponent below 1E-6.
    Java,
}

/// A boolean, number, string, date or timestamp as text (the forms both formats share).
fn scalar(array: &dyn Array, i: usize, out: &mut String, decimals: Decimals) {
    match array.data_type() {
        DataType::Boolean => out.push_str(if array.as_boolean().value(i) {
            "true"
        } else {
            "false"
        }),
        DataType::Int8 => push(out, array.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => push(out, array.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => push(out, array.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => push(out, array.as_primitive::<Int64Type>().value(i)),
        DataType::Float32 => write_f32(out, array.as_primitive::<Float32Type>().value(i)),
        DataType::Float64 => write_f64(out, array.as_primitive::<Float64Type>().value(i)),
        DataType::Decimal128(_, scale) => {
            let v = array.as_primitive::<datafusion::arrow::datatypes::Decimal128Type>();
            match decimals {
                Decimals::Plain => plain_decimal(out, v.value(i), *scale),
                Decimals::Java => java_decimal(out, v.value(i), *scale),
            }
        }
        DataType::Utf8 => out.push_str(array.as_string::<i32>().value(i)),
        DataType::Date32 => hive_date(out, i64::from(array.as_primitive::<Date32Type>().value(i))),
        DataType::Timestamp(unit, _) => {
            let v = timestamp_ticks(array, *unit, i);
            hive_timestamp(out, v, *unit);
        }
        // The file schema holds no other primitive type (see `parquet::file_schema`).
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn push<T: std::fmt::Display>(out: &mut String, v: T) {
    let _ = write!(out, "{v}");
}

fn timestamp_ticks(array: &dyn Array, unit: TimeUnit, i: usize) -> i64 {
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

/// One value (NULL included) as Trino's `JsonSerializer` writes it.
fn json_value(
    array: &dyn Array,
    i: usize,
    out: &mut Vec<u8>,
    scratch: &mut String,
) -> Result<(), Refusal> {
    if array.is_null(i) {
        out.extend_from_slice(b"null");
        return Ok(());
    }
    match array.data_type() {
        DataType::Utf8 => json_string(array.as_string::<i32>().value(i), out),
        DataType::Binary => json_string(utf8_binary(array.as_binary::<i32>().value(i))?, out),
        DataType::Date32 | DataType::Timestamp(..) => {
            scratch.clear();
            scalar(array, i, scratch, Decimals::Java);
            json_string(scratch, out);
        }
        DataType::Float32 | DataType::Float64 => {
            let finite = match array.data_type() {
                DataType::Float32 => array.as_primitive::<Float32Type>().value(i).is_finite(),
                _ => array.as_primitive::<Float64Type>().value(i).is_finite(),
            };
            scratch.clear();
            scalar(array, i, scratch, Decimals::Java);
            // Jackson writes NaN and the infinities as strings.
            if finite {
                out.extend_from_slice(scratch.as_bytes());
            } else {
                json_string(scratch, out);
            }
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            let values = list.value(i);
            out.push(b'[');
            for k in 0..values.len() {
                if k > 0 {
                    out.push(b',');
                }
                json_value(values.as_ref(), k, out, scratch)?;
            }
            out.push(b']');
        }
        DataType::Map(..) => json_map(array, i, out, scratch)?,
        DataType::Struct(fields) => {
            let row = array.as_struct();
            out.push(b'{');
            for (k, (field, column)) in fields.iter().zip(row.columns()).enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                json_string(&field.name().to_ascii_lowercase(), out);
                out.push(b':');
                json_value(column.as_ref(), i, out, scratch)?;
            }
            out.push(b'}');
        }
        _ => {
            scratch.clear();
            scalar(array, i, scratch, Decimals::Java);
            out.extend_from_slice(scratch.as_bytes());
        }
    }
    Ok(())
}

/// One map value as a JSON object, its keys as text.
fn json_map(
    array: &dyn Array,
    i: usize,
    out: &mut Vec<u8>,
    scratch: &mut String,
) -> Result<(), Refusal> {
    let map = array.as_map();
    let (start, end) = (
        map.value_offsets()[i] as usize,
        map.value_offsets()[i + 1] as usize,
    );
    out.push(b'{');
    for k in start..end {
        if k > start {
            out.push(b',');
        }
        scratch.clear();
        map_key(map.keys().as_ref(), k, scratch)?;
        json_string(scratch, out);
        out.push(b':');
        json_value(map.values().as_ref(), k, out, scratch)?;
    }
    out.push(b'}');
    Ok(())
}

/// A map key as the JSON writer names its field: the value as text (decimals plain,
/// varbinary as UTF-8), and only primitive keys.
fn map_key(keys: &dyn Array, k: usize, out: &mut String) -> Result<(), Refusal> {
    match keys.data_type() {
        DataType::Binary => out.push_str(utf8_binary(keys.as_binary::<i32>().value(k))?),
        DataType::List(_) | DataType::Map(..) | DataType::Struct(_) => {
            return Err(format!(
                "a map with {} keys cannot be written as JSON (Hive's JSON writer takes primitive keys only)",
                keys.data_type()
            ));
        }
        _ => scalar(keys, k, out, Decimals::Plain),
    }
    Ok(())
}

/// A varbinary value as the JSON writer writes it: its bytes as UTF-8 text, which
/// Athena writes with replacement characters when they are not UTF-8.
fn utf8_binary(bytes: &[u8]) -> Result<&str, Refusal> {
    std::str::from_utf8(bytes).map_err(|_| {
        "a varbinary value is not UTF-8: Athena's JSON writer would replace its bytes (Hive's JsonSerDe writes varbinary as text)".to_owned()
    })
}

/// A JSON string as Jackson writes it: `"` and `\` escaped, control characters as
/// `\b \t \n \f \r` or `\u00XX` (upper-case hex), everything else as it is.
fn json_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    escape_json(s.as_bytes(), out, Escapes::Jackson);
    out.push(b'"');
}

/// A date as Hive writes it: the year without padding, month and day two digits.
fn hive_date(out: &mut String, days: i64) {
    let (y, m, d) = civil_from_days(days);
    let _ = write!(out, "{y}-{m:02}-{d:02}");
}

/// A timestamp as Hive writes it: `2024-01-02 03:04:05`, then a point and the fraction
/// without its trailing zeros when it is not zero.
fn hive_timestamp(out: &mut String, value: i64, unit: TimeUnit) {
    let per_second = ticks_per_second(unit);
    let (seconds, ticks) = (value.div_euclid(per_second), value.rem_euclid(per_second));
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    hive_date(out, days);
    let _ = write!(
        out,
        " {:02}:{:02}:{:02}",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    );
    let nanos = ticks * (1_000_000_000 / per_second);
    if nanos != 0 {
        let digits = format!("{nanos:09}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

/// Digits with exactly `scale` fraction digits (`1.50`, `-0.05`, `12`).
fn plain_decimal(out: &mut String, unscaled: i128, scale: i8) {
    let digits = unscaled.unsigned_abs().to_string();
    if unscaled < 0 {
        out.push('-');
    }
    let scale = usize::try_from(scale).unwrap_or(0);
    if scale == 0 {
        out.push_str(&digits);
    } else if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        let _ = write!(out, "{int}.{frac}");
    } else {
        let _ = write!(out, "0.{}{digits}", "0".repeat(scale - digits.len()));
    }
}

/// Java's `BigDecimal.toString`: plain while the adjusted exponent is -6 or more, else
/// one digit, a point, the rest and `E-n` (`1E-7`, `1.0E-7`, `0E-8`).
fn java_decimal(out: &mut String, unscaled: i128, scale: i8) {
    let digits = unscaled.unsigned_abs().to_string();
    let adjusted = digits.len() as i64 - 1 - i64::from(scale);
    if scale >= 0 && adjusted >= -6 {
        plain_decimal(out, unscaled, scale);
        return;
    }
    if unscaled < 0 {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let _ = write!(out, "E{}{adjusted}", if adjusted >= 0 { "+" } else { "" });
}

/// Standard Base64 with padding, as Java's `Base64.getEncoder()` writes it.
fn base64(bytes: &[u8], out: &mut String) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (k, &b)| n | u32::from(b) << (16 - 8 * k));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * k) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{
        ArrayRef, BinaryArray, BooleanArray, Decimal128Array, Float64Array, Int32Array,
        StringArray, TimestampNanosecondArray,
    };
    use std::sync::Arc;

    fn batch(columns: Vec<(&str, ArrayRef)>) -> (RecordBatch, Vec<String>) {
        let names = columns.iter().map(|(n, _)| (*n).to_owned()).collect();
        (RecordBatch::try_from_iter(columns).unwrap(), names)
    }

    #[test]
    fn json_lines_write_every_column_as_hives_json_serde() {
        let (b, names) = batch(vec![
            (
                "i",
                Arc::new(Int32Array::from(vec![Some(1), None])) as ArrayRef,
            ),
            (
                "d",
                Arc::new(
                    Decimal128Array::from(vec![Some(150), Some(1)])
                        .with_precision_and_scale(9, 7)
                        .unwrap(),
                ),
            ),
            ("f", Arc::new(Float64Array::from(vec![1e20, f64::NAN]))),
            ("s", Arc::new(StringArray::from(vec!["a\"\u{1}", "é"]))),
            (
                "t",
                Arc::new(TimestampNanosecondArray::from(vec![
                    1_704_164_645_120_000_000,
                    0,
                ])),
            ),
            ("b", Arc::new(BooleanArray::from(vec![true, false]))),
        ]);
        let mut out = Vec::new();
        json_lines(&b, &names, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"i\":1,\"d\":0.0000150,\"f\":1.0E20,\"s\":\"a\\\"\\u0001\",\"t\":\"2024-01-02 03:04:05.12\",\"b\":true}\n\
             {\"i\":null,\"d\":1E-7,\"f\":\"NaN\",\"s\":\"é\",\"t\":\"1970-01-01 00:00:00\",\"b\":false}\n"
        );
    }

    #[test]
    fn text_lines_write_lazy_simple_serde_text() {
        let (b, names) = batch(vec![
            (
                "i",
                Arc::new(Int32Array::from(vec![Some(-5), None])) as ArrayRef,
            ),
            (
                "d",
                Arc::new(
                    Decimal128Array::from(vec![Some(-5), Some(150)])
                        .with_precision_and_scale(3, 2)
                        .unwrap(),
                ),
            ),
            (
                "v",
                Arc::new(BinaryArray::from(vec![b"hello".as_ref(), b"".as_ref()])),
            ),
        ]);
        let mut out = Vec::new();
        text_lines(&b, &names, b',', &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "-5,-0.05,aGVsbG8=\n\\N,1.50,\n"
        );
    }

    #[test]
    fn text_refuses_values_that_would_read_back_otherwise() {
        for (value, why) in [
            ("a,b", "field delimiter"),
            ("a\nb", "line break"),
            ("\\N", "NULL"),
        ] {
            let (b, names) = batch(vec![(
                "s",
                Arc::new(StringArray::from(vec![value])) as ArrayRef,
            )]);
            let err = text_lines(&b, &names, b',', &mut Vec::new()).unwrap_err();
            assert!(err.contains(why), "{value:?}: {err}");
        }
        let (b, names) = batch(vec![(
            "v",
            Arc::new(BinaryArray::from(vec![[0xffu8, 0xfe].as_ref()])) as ArrayRef,
        )]);
        assert!(json_lines(&b, &names, &mut Vec::new()).is_err());
    }

    #[test]
    fn decimals_and_base64_follow_java() {
        let java = |v: i128, s: i8| {
            let mut out = String::new();
            java_decimal(&mut out, v, s);
            out
        };
        assert_eq!(java(150, 2), "1.50");
        assert_eq!(java(1, 6), "0.000001");
        assert_eq!(java(1, 7), "1E-7");
        assert_eq!(java(10, 8), "1.0E-7");
        assert_eq!(java(0, 8), "0E-8");
        assert_eq!(java(-123, 0), "-123");
        let b64 = |b: &[u8]| {
            let mut out = String::new();
            base64(b, &mut out);
            out
        };
        assert_eq!(b64(b""), "");
        assert_eq!(b64(b"f"), "Zg==");
        assert_eq!(b64(b"fo"), "Zm8=");
        assert_eq!(b64(b"foo"), "Zm9v");
        assert_eq!(b64(b"hello"), "aGVsbG8=");
    }
}
