//! The scalar types' text forms: readers and checkers of the text Athena writes
//! for booleans, integers, floats (Java notation), decimals, varbinary (spaced
//! hex), ipaddress, uuid and the date/time types, and writers of the forms
//! [`Value::to_athena_text`](super::Value::to_athena_text) needs.
//!
//! Not a public module: the crate's users read values with `Row::get` or
//! [`Value`](super::Value); the fuzz targets reach these through
//! `value::__fuzz`.

use std::fmt;
use std::net::IpAddr;

use super::{AthenaType, ParseError};

/// Reads a `boolean`: `true` or `false` (ASCII case ignored).
pub fn parse_bool(text: &str) -> Result<bool, ParseError> {
    if text.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if text.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(ParseError::new("not a boolean (true or false)"))
    }
}

/// Reads an integer of any Rust integer type; a value out of the type's range is
/// an error, never wrapped or saturated.
pub fn parse_int<T>(text: &str) -> Result<T, ParseError>
where
    T: std::str::FromStr<Err = std::num::ParseIntError>,
{
    text.parse::<T>().map_err(|e| {
        use std::num::IntErrorKind;
        ParseError::new(match e.kind() {
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
                format!("integer out of range for {}", std::any::type_name::<T>())
            }
            IntErrorKind::Empty => "empty text is not an integer".to_owned(),
            _ => "not an integer".to_owned(),
        })
    })
}

/// Reads a `double` in Java notation: `1.0E20`, `0.30000000000000004`, `NaN`,
/// `Infinity`, `-Infinity`.
pub fn parse_double(text: &str) -> Result<f64, ParseError> {
    text.parse::<f64>()
        .map_err(|_| ParseError::new("not a floating-point number"))
}

/// Reads a `real` in Java notation (see [`parse_double`]).
pub fn parse_real(text: &str) -> Result<f32, ParseError> {
    text.parse::<f32>()
        .map_err(|_| ParseError::new("not a floating-point number"))
}

/// Writes a `double` the way Java's `Double.toString` (and so Athena) does:
/// `1.0`, `0.001`, `1.0E7`, `1.0E-4`, `NaN`, `Infinity`, `-Infinity`.
pub fn render_double(x: f64) -> String {
    render_float(x)
}

/// Writes a `real` the way Java's `Float.toString` does (see [`render_double`]).
pub fn render_real(x: f32) -> String {
    render_float(x)
}

/// Java's `toString` for either float width. Digits come from the float's own
/// width (`Display` gives the shortest text that reads back to the same `f32` or
/// `f64`), so an `f32` 0.1 is `0.1`, not the `f64` widening's
/// `0.10000000149011612`. The range test is done on the exact value widened to
/// `f64`, which is Java's rule: plain notation from 10^-3 up to, not including,
/// 10^7.
fn render_float<F>(x: F) -> String
where
    F: Copy + fmt::Display + fmt::LowerExp + Into<f64>,
{
    let wide: f64 = x.into();
    if wide.is_nan() {
        return "NaN".to_owned();
    }
    if wide.is_infinite() {
        return if wide > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let a = wide.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let mut s = format!("{x}");
        if !s.contains('.') {
            s.push_str(".0");
        }
        s
    } else {
        java_scientific(format!("{x:e}"))
    }
}

/// `1e20` -> `1.0E20`, `1.5e-7` -> `1.5E-7`.
fn java_scientific(rust: String) -> String {
    match rust.split_once('e') {
        Some((mantissa, exp)) if mantissa.contains('.') => format!("{mantissa}E{exp}"),
        Some((mantissa, exp)) => format!("{mantissa}.0E{exp}"),
        None => rust,
    }
}

/// Checks a `decimal` text (`-12.50`: optional sign, digits, optional fraction)
/// and returns its scale, the number of fraction digits.
pub fn parse_decimal(text: &str) -> Result<u32, ParseError> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return Err(ParseError::new("not a decimal number"));
    }
    Ok(frac.map_or(0, |f| u32::try_from(f.len()).unwrap_or(u32::MAX)))
}

/// Reads a `varbinary`: hex bytes separated by single spaces (`68 65 6c 6c 6f`);
/// the empty text is no bytes.
pub fn parse_varbinary(text: &str) -> Result<Vec<u8>, ParseError> {
    let mut out = Vec::with_capacity(text.len().div_ceil(3));
    parse_varbinary_into(text, &mut out)?;
    Ok(out)
}

/// [`parse_varbinary`] into a buffer the caller reuses (cleared first), so that a
/// column of values needs no allocation per value.
pub(crate) fn parse_varbinary_into(text: &str, out: &mut Vec<u8>) -> Result<(), ParseError> {
    out.clear();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if i > 0 {
            if b[i] != b' ' {
                return Err(ParseError::new(
                    "varbinary bytes must be separated by one space",
                ));
            }
            i += 1;
        }
        match (
            b.get(i).and_then(|&c| hex(c)),
            b.get(i + 1).and_then(|&c| hex(c)),
        ) {
            (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
            _ => return Err(ParseError::new("varbinary expects two hex digits per byte")),
        }
        i += 2;
    }
    Ok(())
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Writes bytes as Athena writes a `varbinary`: lowercase hex, one space between bytes.
pub fn render_varbinary(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        push_hex(&mut s, *b);
    }
    s
}

pub(crate) fn push_hex(s: &mut String, b: u8) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    s.push(DIGITS[usize::from(b >> 4)] as char);
    s.push(DIGITS[usize::from(b & 15)] as char);
}

/// Reads an `ipaddress` (`192.168.0.1`, `2001:db8::1`).
pub fn parse_ipaddress(text: &str) -> Result<IpAddr, ParseError> {
    text.parse()
        .map_err(|_| ParseError::new("not an IPv4 or IPv6 address"))
}

/// Checks a `uuid` text (`8-4-4-4-12` hex digits).
pub fn check_uuid(text: &str) -> Result<(), ParseError> {
    let b = text.as_bytes();
    let ok = b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    if ok {
        Ok(())
    } else {
        Err(ParseError::new("not a uuid"))
    }
}

fn digits(b: &[u8], n: usize) -> bool {
    b.len() >= n && b[..n].iter().all(u8::is_ascii_digit)
}

/// The length of a `YYYY-MM-DD` prefix (the year may have a sign and more digits).
fn date_len(b: &[u8]) -> Option<usize> {
    let sign = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let year = b[sign..].iter().take_while(|c| c.is_ascii_digit()).count();
    let i = sign + year;
    (year >= 4
        && b.get(i) == Some(&b'-')
        && digits(&b[i + 1..], 2)
        && b.get(i + 3) == Some(&b'-')
        && digits(b.get(i + 4..)?, 2))
    .then_some(i + 6)
}

/// The length of a `hh:mm:ss[.fff...]` prefix.
fn time_len(b: &[u8]) -> Option<usize> {
    if !(digits(b, 2) && b.get(2) == Some(&b':') && digits(&b[3..], 2)) {
        return None;
    }
    let mut i = 5;
    if b.get(i) == Some(&b':') {
        if !digits(&b[i + 1..], 2) {
            return None;
        }
        i += 3;
        if b.get(i) == Some(&b'.') {
            let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            i += 1 + n;
        }
    }
    Some(i)
}

/// Checks a text against the shape Athena writes values of a date/time type in:
/// `date` `2014-07-05`; `time` `03:04:05.123`; `timestamp` `2024-01-02 03:04:05.123`;
/// `timestamp with time zone` `2001-08-22 03:04:05.321 America/Los_Angeles`.
pub fn check_datetime(r#type: &AthenaType, text: &str) -> Result<(), ParseError> {
    let b = text.as_bytes();
    let ok = match r#type {
        AthenaType::Date => date_len(b) == Some(b.len()),
        AthenaType::Time => time_len(b) == Some(b.len()),
        AthenaType::TimeWithTimeZone => time_len(b).is_some_and(|n| n < b.len()),
        AthenaType::Timestamp => date_len(b).is_some_and(|d| {
            b.get(d) == Some(&b' ') && time_len(&b[d + 1..]) == Some(b.len() - d - 1)
        }),
        AthenaType::TimestampWithTimeZone => date_len(b).is_some_and(|d| {
            b.get(d) == Some(&b' ')
                && time_len(&b[d + 1..]).is_some_and(|t| {
                    let z = d + 1 + t;
                    b.get(z) == Some(&b' ') && z + 1 < b.len()
                })
        }),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(ParseError::new(format!("not a {type} text", type = r#type)))
    }
}
