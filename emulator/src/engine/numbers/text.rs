//! Numbers as Trino writes and reads them in casts: `CAST(1.5e0 AS varchar)` is `1.5E0`
//! (Java's `DecimalFormat("0.0###################E0")` on the shortest digits of the
//! double; a real gets at most 7 digits, rounded half even), and text is read as Java's
//! `Long.parseLong` / `Double.parseDouble` / `BigDecimal` read it.

use crate::engine::render;

/// The digits and exponent (`d.ddd × 10^exponent`) of text Rust's `{:e}` wrote.
fn split_formatted(formatted_e: &str) -> (String, i32) {
    let (mantissa, exponent) = formatted_e.split_once('e').unwrap_or((formatted_e, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exponent.parse().unwrap_or(0))
}

/// Java's choice of digits for `Double.toString` / `Float.toString` (JDK 19 and later):
/// the fewest digits that read back as the value (two at least), and among those the
/// closest to it, ties to an even digit. Rust's `{:e}` gives the fewest digits but may
/// break a tie upwards; its fixed-precision formatting rounds the exact value, ties to
/// even. `shortest` and `exact` write `v` (positive, finite) with Rust's `{:e}` and
/// with a given number of fraction digits.
fn java_shortest<F: std::str::FromStr + PartialEq>(
    v: F,
    shortest: impl Fn(&F) -> String,
    exact: impl Fn(&F, usize) -> String,
) -> (String, i32) {
    let (digits, exponent) = split_formatted(&shortest(&v));
    if digits.is_empty() {
        // Not a finite number: nothing to choose.
        return (digits, exponent);
    }
    let n = digits.len().max(2);
    let closest = exact(&v, n - 1);
    if closest.parse::<F>().ok().as_ref() == Some(&v) {
        let (digits, exponent) = split_formatted(&closest);
        let trimmed = digits.trim_end_matches('0');
        let trimmed = if trimmed.len() < 2 {
            &digits[..2.min(digits.len())]
        } else {
            trimmed
        };
        return (trimmed.to_owned(), exponent);
    }
    (digits, exponent)
}

/// [`java_shortest`] of a positive, finite double.
pub(crate) fn double_digits(v: f64) -> (String, i32) {
    java_shortest(v, |v| format!("{v:e}"), |v, p| format!("{v:.p$e}"))
}

/// [`java_shortest`] of a positive, finite real.
pub(crate) fn real_digits(v: f32) -> (String, i32) {
    java_shortest(v, |v| format!("{v:e}"), |v, p| format!("{v:.p$e}"))
}

/// How many low digits of an integer-valued double of binary exponent `e` Java's
/// `FloatingDecimal` drops (rounding), for `e - 54` (`insignificantDigitsNumber`).
const INSIGNIFICANT_DIGITS: [u32; 64] = [
    0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9,
    9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15, 15, 16, 16,
    16, 17, 17, 17, 18, 18, 18, 19,
];

/// The digits `java.text.DecimalFormat` works from for a positive, finite double (the
/// older `FloatingDecimal` conversion): a whole number below 2^63 gives its own digits,
/// the lowest ones rounded off past 2^54; any other value its shortest digits. The
/// flag says whether the digits came from the whole number (DecimalFormat then rounds
/// a final 5 up).
fn decimal_format_digits(v: f64) -> (String, i32, bool) {
    if (1.0..2f64.powi(63)).contains(&v) && v.fract() == 0.0 {
        let binary_exponent = ((v.to_bits() >> 52) & 0x7ff) as i32 - 1023;
        let insignificant = if binary_exponent > 53 {
            INSIGNIFICANT_DIGITS[(binary_exponent - 54) as usize]
        } else {
            0
        };
        let mut whole = v as u64;
        if insignificant > 0 {
            let unit = 10u64.pow(insignificant);
            let residue = whole % unit;
            whole /= unit;
            if residue >= unit / 2 {
                whole += 1;
            }
        }
        let text = whole.to_string();
        let exponent = (text.len() - 1) as i32 + insignificant as i32;
        let digits = text.trim_end_matches('0');
        return (digits.to_owned(), exponent, true);
    }
    let (digits, exponent) = double_digits(v);
    (digits, exponent, false)
}

/// Java's `Double.toString` / `Float.toString` of a nonzero finite value, from its
/// [`double_digits`] or [`real_digits`]: plain between 10^-3 and 10^7 (`768.16`,
/// `0.001`), computerized scientific notation otherwise (`1.0E-4`, `1.0E20`).
pub(crate) fn java_number_text(negative: bool, digits: &str, exponent: i32) -> String {
    let sign = if negative { "-" } else { "" };
    if (-3..7).contains(&exponent) {
        let (int, frac) = if exponent >= 0 {
            let split = (exponent as usize + 1).min(digits.len());
            let mut int = digits[..split].to_owned();
            int.push_str(&"0".repeat(exponent as usize + 1 - split));
            (int, digits[split..].to_owned())
        } else {
            let zeros = "0".repeat((-exponent - 1) as usize);
            ("0".to_owned(), format!("{zeros}{digits}"))
        };
        let frac = frac.trim_end_matches('0');
        let frac = if frac.is_empty() { "0" } else { frac };
        return format!("{sign}{int}.{frac}");
    }
    scientific(negative, digits, exponent)
}

/// `d.ddd` then `E<exponent>`, with at least one fraction digit and no trailing zeros.
fn scientific(negative: bool, digits: &str, exponent: i32) -> String {
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let (first, rest) = digits.split_at(1);
    let rest = if rest.is_empty() { "0" } else { rest };
    let sign = if negative { "-" } else { "" };
    format!("{sign}{first}.{rest}E{exponent}")
}

/// The text of zero, NaN and the infinities, shared by doubles and reals.
fn special(is_nan: bool, infinite: bool, zero: bool, negative: bool) -> Option<String> {
    if is_nan {
        Some("NaN".to_owned())
    } else if infinite {
        Some(if negative { "-Infinity" } else { "Infinity" }.to_owned())
    } else if zero {
        Some(if negative { "-0E0" } else { "0E0" }.to_owned())
    } else {
        None
    }
}

/// `CAST(v AS varchar)` of a double: `DecimalFormat("0.0###################E0")`,
/// whose 21 digits never round the double's.
pub(crate) fn double_to_varchar(v: f64) -> String {
    if let Some(s) = special(v.is_nan(), v.is_infinite(), v == 0.0, v.is_sign_negative()) {
        return s;
    }
    let (digits, exponent, _) = decimal_format_digits(v.abs());
    scientific(v < 0.0, &digits, exponent)
}

/// `CAST(v AS varchar)` of a real: `DecimalFormat("0.0#####E0")` of the double its
/// `Float.toString` reads as: at most 7 significant digits, rounded half even from the
/// double's exact value (a final 5 of a whole number's digits rounds up).
pub(crate) fn real_to_varchar(v: f32) -> String {
    if let Some(s) = special(v.is_nan(), v.is_infinite(), v == 0.0, v.is_sign_negative()) {
        return s;
    }
    let (digits, exponent) = real_digits(v.abs());
    let as_double: f64 = format!("{}e{}", digits_with_point(&digits), exponent)
        .parse()
        .unwrap_or(f64::from(v.abs()));
    let (digits, exponent, whole) = decimal_format_digits(as_double);
    if digits.len() <= 7 {
        return scientific(v < 0.0, &digits, exponent);
    }
    let (digits, exponent) = if whole {
        round_digits_half_up(&digits, exponent, 7)
    } else {
        // Rust's fixed-precision formatting rounds the exact binary value, ties to even,
        // as DecimalFormat's HALF_EVEN does for digits that are not exact.
        split_formatted(&format!("{as_double:.6e}"))
    };
    scientific(v < 0.0, &digits, exponent)
}

/// `d.ddd` of digits `dddd`.
fn digits_with_point(digits: &str) -> String {
    let (first, rest) = digits.split_at(1.min(digits.len()));
    format!("{first}.{rest}0")
}

/// The first `n` of `digits` (exponent `exponent`), rounded half up.
fn round_digits_half_up(digits: &str, exponent: i32, n: usize) -> (String, i32) {
    let mut kept: Vec<u8> = digits.bytes().take(n).map(|b| b - b'0').collect();
    let mut exponent = exponent;
    if digits.as_bytes().get(n).is_some_and(|d| *d >= b'5') {
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, 1);
                kept.pop();
                exponent += 1;
                break;
            }
            i -= 1;
            if kept[i] == 9 {
                kept[i] = 0;
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    (
        kept.iter().map(|d| char::from(b'0' + d)).collect(),
        exponent,
    )
}

/// Java's `Double.toString(v)`, as Trino writes a double in its messages.
pub(crate) fn java_double(v: f64) -> String {
    let mut out = String::new();
    render::write_f64(&mut out, v);
    out
}

/// Java's `Float.toString(v)`.
pub(crate) fn java_float(v: f32) -> String {
    let mut out = String::new();
    render::write_f32(&mut out, v);
    out
}

/// Java's `String.trim()`: every character up to U+0020 off both ends.
pub(crate) fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Why text is not a number of the kind asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// Not a number.
    Invalid,
    /// Digits of another script (`١٢`), which Java reads and the emulator does not.
    OtherDigits,
}

/// Whether `s` has a non-ASCII digit of some script (Java's `Character.digit` reads
/// them; the emulator refuses them rather than answer otherwise).
fn has_other_digits(s: &str) -> bool {
    s.chars().any(|c| !c.is_ascii() && c.is_numeric())
}

/// Java's `Long.parseLong(s)` of text already trimmed: an optional sign, then decimal
/// digits.
pub(crate) fn parse_long(s: &str) -> Result<i64, Unreadable> {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Err(if has_other_digits(s) {
            Unreadable::OtherDigits
        } else {
            Unreadable::Invalid
        });
    }
    // `i64::from_str` takes the same form (sign, digits), and fails past the range.
    s.parse().map_err(|_| Unreadable::Invalid)
}

/// Java's `Double.parseDouble` / `Float.parseFloat` grammar of text already trimmed, as
/// text Rust reads the same way: `[sign] (NaN | Infinity | digits[.digits][e[sign]digits]
/// | .digits[...] | hex) [fFdD]`.
fn java_float_text(s: &str) -> Result<JavaFloat, Unreadable> {
    let invalid = || {
        if has_other_digits(s) {
            Unreadable::OtherDigits
        } else {
            Unreadable::Invalid
        }
    };
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    match unsigned {
        "NaN" => return Ok(JavaFloat::NaN),
        "Infinity" => return Ok(JavaFloat::Infinity(negative)),
        _ => {}
    }
    let body = unsigned
        .strip_suffix(['f', 'F', 'd', 'D'])
        .unwrap_or(unsigned);
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        return hex_float(hex, negative).ok_or_else(invalid);
    }
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut digits = 0;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return Err(invalid());
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        i += 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(invalid());
        }
    }
    if i != bytes.len() {
        return Err(invalid());
    }
    let sign = if negative { "-" } else { "" };
    Ok(JavaFloat::Decimal(format!("{sign}{body}")))
}

/// What a Java floating-point literal is.
enum JavaFloat {
    NaN,
    Infinity(bool),
    /// Decimal text in Rust's float syntax.
    Decimal(String),
    /// An exact value from hexadecimal notation.
    Hex(f64),
}

/// `1.8p1` (after `0x`): a hexadecimal significand and a binary exponent, which Java
/// requires. Significands past 53 bits would need care with rounding: not read.
fn hex_float(hex: &str, negative: bool) -> Option<JavaFloat> {
    let (significand, exponent) = hex.split_once(['p', 'P'])?;
    let exponent: i32 = exponent.parse().ok()?;
    let (int, frac) = significand.split_once('.').unwrap_or((significand, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut m: u64 = 0;
    for c in int.chars().chain(frac.chars()) {
        m = m.checked_mul(16)?.checked_add(u64::from(c.to_digit(16)?))?;
    }
    if m > 1 << 53 {
        return None;
    }
    let shift = exponent.checked_sub(i32::try_from(frac.len()).ok()?.checked_mul(4)?)?;
    let v = (m as f64) * 2f64.powi(shift);
    Some(JavaFloat::Hex(if negative { -v } else { v }))
}

/// Java's `Double.parseDouble(s)` of text already trimmed.
pub(crate) fn parse_double(s: &str) -> Result<f64, Unreadable> {
    match java_float_text(s)? {
        JavaFloat::NaN => Ok(f64::NAN),
        JavaFloat::Infinity(negative) => Ok(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
        JavaFloat::Decimal(text) => text.parse().map_err(|_| Unreadable::Invalid),
        JavaFloat::Hex(v) => Ok(v),
    }
}

/// Java's `Float.parseFloat(s)` of text already trimmed (rounded once, to a float).
pub(crate) fn parse_float(s: &str) -> Result<f32, Unreadable> {
    match java_float_text(s)? {
        JavaFloat::NaN => Ok(f32::NAN),
        JavaFloat::Infinity(negative) => Ok(if negative {
            f32::NEG_INFINITY
        } else {
            f32::INFINITY
        }),
        JavaFloat::Decimal(text) => text.parse().map_err(|_| Unreadable::Invalid),
        JavaFloat::Hex(v) => Ok(v as f32),
    }
}

/// A decimal number read from text: `digits × 10^exponent`, the digits without leading
/// zeros (empty for zero).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecimalText {
    pub(crate) negative: bool,
    pub(crate) digits: String,
    pub(crate) exponent: i64,
}

/// `BigDecimal`'s reading of text (no surrounding spaces): `[sign] digits [. digits]
/// [e [sign] digits]`, or `.digits`.
pub(crate) fn parse_decimal(s: &str) -> Result<DecimalText, Unreadable> {
    let invalid = || {
        if has_other_digits(s) {
            Unreadable::OtherDigits
        } else {
            Unreadable::Invalid
        }
    };
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => {
            let e = &unsigned[at + 1..];
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            (&unsigned[..at], e.parse::<i64>().map_err(|_| invalid())?)
        }
        None => (unsigned, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid());
    }
    let all: String = format!("{int}{frac}");
    let digits = all.trim_start_matches('0').to_owned();
    let exponent = exponent - frac.len() as i64;
    Ok(DecimalText {
        negative,
        digits,
        exponent,
    })
}

impl DecimalText {
    /// The shortest digits of a finite double (`BigDecimal.valueOf(v)`, from
    /// `Double.toString`).
    pub(crate) fn of_double(v: f64) -> DecimalText {
        let (digits, exponent) = double_digits(v.abs());
        Self::of_digits(v < 0.0, &digits, exponent)
    }

    /// The shortest digits of a finite real (from `Float.toString`).
    pub(crate) fn of_real(v: f32) -> DecimalText {
        let (digits, exponent) = real_digits(v.abs());
        Self::of_digits(v < 0.0, &digits, exponent)
    }

    fn of_digits(negative: bool, digits: &str, exponent: i32) -> DecimalText {
        let digits = digits.trim_start_matches('0').to_owned();
        let exponent = i64::from(exponent) - (digits.len() as i64 - 1).max(0);
        DecimalText {
            negative,
            digits,
            exponent,
        }
    }

    /// The unscaled value at `scale`, rounded half up, when it has at most `precision`
    /// digits.
    pub(crate) fn to_unscaled(&self, precision: u8, scale: i8) -> Option<i128> {
        if self.digits.is_empty() {
            return Some(0);
        }
        let shift = self.exponent + i64::from(scale);
        let mut digits: Vec<u8> = self.digits.bytes().map(|b| b - b'0').collect();
        if shift >= 0 {
            if digits.len() as i64 + shift > i64::from(precision) {
                return None;
            }
            digits.extend(std::iter::repeat_n(0, shift as usize));
        } else {
            let drop = (-shift) as usize;
            if drop > digits.len() {
                digits.clear();
            } else {
                let keep = digits.len() - drop;
                let round_up = digits[keep] >= 5;
                digits.truncate(keep);
                if round_up {
                    let mut i = digits.len();
                    loop {
                        if i == 0 {
                            digits.insert(0, 1);
                            break;
                        }
                        i -= 1;
                        if digits[i] == 9 {
                            digits[i] = 0;
                        } else {
                            digits[i] += 1;
                            break;
                        }
                    }
                }
            }
            while digits.first() == Some(&0) {
                digits.remove(0);
            }
            if digits.len() > usize::from(precision) {
                return None;
            }
        }
        let mut v: i128 = 0;
        for d in digits {
            v = v * 10 + i128::from(d);
        }
        Some(if self.negative { -v } else { v })
    }
}

/// The text of an unscaled decimal with `scale` fraction digits (`1.50`, `-0.001`).
pub(crate) fn decimal_text(v: i128, scale: i8) -> String {
    let digits = v.unsigned_abs().to_string();
    let sign = if v < 0 { "-" } else { "" };
    if scale <= 0 {
        // A negative scale (`1e20` read as a decimal is 1 at scale -20) adds zeros.
        let zeros = if v == 0 {
            0
        } else {
            scale.unsigned_abs() as usize
        };
        return format!("{sign}{digits}{}", "0".repeat(zeros));
    }
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_are_written_in_scientific_notation() {
        assert_eq!(double_to_varchar(1.5), "1.5E0");
        assert_eq!(double_to_varchar(1e20), "1.0E20");
        assert_eq!(double_to_varchar(0.1), "1.0E-1");
        assert_eq!(double_to_varchar(100.0), "1.0E2");
        assert_eq!(double_to_varchar(-0.0), "-0E0");
        assert_eq!(double_to_varchar(0.0), "0E0");
        assert_eq!(double_to_varchar(123.456), "1.23456E2");
        assert_eq!(double_to_varchar(1.0 / 3.0), "3.333333333333333E-1");
        assert_eq!(double_to_varchar(-2.5e-3), "-2.5E-3");
        assert_eq!(double_to_varchar(f64::NAN), "NaN");
        assert_eq!(double_to_varchar(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(double_to_varchar(4.9e-324), "4.9E-324");
    }

    #[test]
    fn reals_keep_seven_digits() {
        assert_eq!(real_to_varchar(1.5), "1.5E0");
        assert_eq!(real_to_varchar(0.1), "1.0E-1");
        assert_eq!(real_to_varchar(1.0 / 3.0), "3.333333E-1");
        assert_eq!(real_to_varchar(-1e20), "-1.0E20");
        // 2^-11 = 4.8828125E-4 exactly: the tie goes to the even digit.
        assert_eq!(real_to_varchar(4.882_812_5e-4), "4.882812E-4");
    }

    #[test]
    fn text_is_read_as_java_reads_it() {
        assert_eq!(parse_long("+5"), Ok(5));
        assert_eq!(parse_long("-0012"), Ok(-12));
        assert_eq!(parse_long("1.5"), Err(Unreadable::Invalid));
        assert_eq!(parse_long(""), Err(Unreadable::Invalid));
        assert_eq!(parse_long("9223372036854775808"), Err(Unreadable::Invalid));
        assert_eq!(parse_long("١٢"), Err(Unreadable::OtherDigits));
        assert_eq!(parse_double("1.5d"), Ok(1.5));
        assert_eq!(parse_double("-.5"), Ok(-0.5));
        assert_eq!(parse_double("5."), Ok(5.0));
        assert_eq!(parse_double("0x1p3"), Ok(8.0));
        assert_eq!(parse_double("1e400"), Ok(f64::INFINITY));
        assert!(parse_double("NaN").unwrap().is_nan());
        assert_eq!(parse_double("inf"), Err(Unreadable::Invalid));
        assert_eq!(parse_double("1,5"), Err(Unreadable::Invalid));
        assert_eq!(parse_double("1e"), Err(Unreadable::Invalid));
        assert_eq!(parse_float("0.1"), Ok(0.1f32));
        assert_eq!(java_trim(" \t12\n"), "12");
    }

    #[test]
    fn decimal_text_rounds_half_up_to_a_scale() {
        let d = parse_decimal("1.25").unwrap();
        assert_eq!(d.to_unscaled(3, 1), Some(13));
        assert_eq!(parse_decimal("-1.25").unwrap().to_unscaled(3, 1), Some(-13));
        assert_eq!(parse_decimal("1e2").unwrap().to_unscaled(5, 0), Some(100));
        assert_eq!(parse_decimal(".5").unwrap().to_unscaled(2, 1), Some(5));
        assert_eq!(parse_decimal("9.99").unwrap().to_unscaled(2, 1), None);
        assert_eq!(parse_decimal("9.95").unwrap().to_unscaled(3, 1), Some(100));
        assert_eq!(parse_decimal("0.0004").unwrap().to_unscaled(3, 2), Some(0));
        assert_eq!(parse_decimal("0.005").unwrap().to_unscaled(3, 2), Some(1));
        assert_eq!(parse_decimal("123.45").unwrap().to_unscaled(4, 2), None);
        assert!(parse_decimal(" 1").is_err());
        assert!(parse_decimal("abc").is_err());
        assert_eq!(DecimalText::of_double(2.675).to_unscaled(4, 2), Some(268));
        assert_eq!(
            DecimalText::of_double(0.1).to_unscaled(20, 18),
            Some(100_000_000_000_000_000)
        );
        assert_eq!(
            DecimalText::of_real(0.1).to_unscaled(10, 9),
            Some(100_000_000)
        );
        assert_eq!(decimal_text(-1, 3), "-0.001");
        assert_eq!(decimal_text(150, 2), "1.50");
        assert_eq!(decimal_text(-5, 0), "-5");
    }
}
