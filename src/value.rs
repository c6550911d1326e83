//! Athena's values: the types that `ColumnInfo.Type` names, parsers of the text
//! forms Athena sends them in, and a dynamic [`Value`] over all of them.
//!
//! Athena sends every value as text (`Datum.VarCharValue`, see ATHENA.md §2). The
//! scalar parsers here ([`parse_bool`], [`parse_double`], [`parse_varbinary`], ...)
//! read those texts; [`Value::parse`] reads any value of a known [`AthenaType`],
//! arrays, maps and rows included; [`Value::to_athena_text`] writes a value back
//! the way Athena does; [`Value::to_json`] gives the typed JSON of `--typed`.
//!
//! # The array, map and row notation is ambiguous
//!
//! Athena writes `ARRAY['a', 'b']` as `[a, b]`, `MAP(ARRAY['k'], ARRAY['v'])` as
//! `{k=v}` and `CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR))` as
//! `{id=1, name=x}`, without quoting strings. So the text cannot always be read
//! back to the value that was meant:
//!
//! - a string element containing `, ` reads as two elements (`ARRAY['a, b']` is `[a, b]`);
//! - a string element `null` reads as NULL;
//! - an array holding one value written as empty text (`ARRAY['']`, or one empty
//!   varbinary) is written `[]` and reads as the empty array;
//! - a map key containing `=` is cut at its first `=`; a map value or a row field
//!   containing `, ` splits the entry;
//! - where the element types are not known (Athena's `ColumnInfo.Type` is just
//!   `array`, `map` or `row`), an element that starts with `[` or `{` and is
//!   balanced is read as a nested value, every other element as text.
//!
//! The parser never guesses silently beyond these rules and never panics: text that
//! does not fit is an error. When exact values matter, cast to JSON in SQL:
//! `SELECT CAST(tags AS JSON) AS tags ...` arrives as a `json` column, which decodes
//! exactly into `serde_json::Value`, `Vec<String>`, `HashMap<String, i64>`, or any
//! `Deserialize` type.

use std::fmt;
use std::net::IpAddr;

use crate::Error;
use crate::row::{ColumnInfo, Row};

#[cfg(feature = "jiff")]
pub mod datetime;

/// The deepest nesting of arrays, maps and rows (and of type signatures) that is
/// read; deeper text is an error rather than unbounded recursion.
pub const MAX_DEPTH: usize = 64;

/// Longest text quoted in an [`Error::Decode`]; longer text is shortened.
const MAX_ERROR_TEXT: usize = 200;

/// Why a text could not be read as a value of its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    message: String,
    too_deep: bool,
}

impl ParseError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ParseError {
            message: message.into(),
            too_deep: false,
        }
    }

    fn too_deep() -> Self {
        ParseError {
            message: format!("nested deeper than {MAX_DEPTH} levels"),
            too_deep: true,
        }
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// This error as an [`Error::Decode`] about a value of a row.
    pub(crate) fn into_decode(self, row: &Row, column: usize, text: &str) -> Error {
        decode_error(row, column, text, self.message)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// An [`Error::Decode`] about the value at `column` of `row`.
pub(crate) fn decode_error(row: &Row, column: usize, text: &str, message: String) -> Error {
    let info = row.columns().get(column);
    Error::Decode {
        row_number: row.row_number(),
        column: info.map_or_else(|| column.to_string(), |c| c.name.clone()),
        athena_type: info.map_or_else(String::new, |c| c.r#type.clone()),
        text: shorten(text),
        message,
    }
}

/// `text`, cut to [`MAX_ERROR_TEXT`] characters (with `...`) for error messages.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_ERROR_TEXT) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}...", &text[..end]),
    }
}

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/// An Athena (Trino) type, as named by `ColumnInfo.Type` or by a full type
/// signature such as `array(row(id integer, name varchar))`.
///
/// Athena itself reports only base names (`array`, `map`, `row`, `decimal`, ...),
/// with a decimal's precision and scale in `ColumnInfo.Precision` and `Scale`;
/// element types are then unknown (`None`) and elements are read as text.
///
/// ```
/// use athena_stream::value::AthenaType;
///
/// assert_eq!(AthenaType::parse("bigint"), AthenaType::BigInt);
/// assert_eq!(
///     AthenaType::parse("array(integer)"),
///     AthenaType::Array(Some(Box::new(AthenaType::Integer)))
/// );
/// assert_eq!(AthenaType::parse("array"), AthenaType::Array(None));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AthenaType {
    /// `boolean`.
    Boolean,
    /// `tinyint` (i8).
    TinyInt,
    /// `smallint` (i16).
    SmallInt,
    /// `integer` / `int` (i32).
    Integer,
    /// `bigint` (i64).
    BigInt,
    /// `real` / `float` (f32).
    Real,
    /// `double` (f64).
    Double,
    /// `decimal(precision, scale)`.
    Decimal {
        /// Total digits (0 when not known).
        precision: u32,
        /// Fraction digits (0 when not known).
        scale: u32,
    },
    /// `varchar`, `varchar(n)`, `string`.
    Varchar,
    /// `char(n)`.
    Char,
    /// `varbinary`: spaced hex bytes.
    Varbinary,
    /// `json`: JSON text.
    Json,
    /// `date`: `2014-07-05`.
    Date,
    /// `time`, `time(p)`.
    Time,
    /// `time with time zone`.
    TimeWithTimeZone,
    /// `timestamp`, `timestamp(p)`: `2024-01-02 03:04:05.123`.
    Timestamp,
    /// `timestamp with time zone`: `2001-08-22 03:04:05.321 America/Los_Angeles`.
    TimestampWithTimeZone,
    /// `interval year to month`, `interval day to second`.
    Interval,
    /// `uuid`.
    Uuid,
    /// `ipaddress`.
    IpAddress,
    /// `array`, with its element type when known.
    Array(Option<Box<AthenaType>>),
    /// `map`, with its key and value types when known.
    Map(Option<Box<(AthenaType, AthenaType)>>),
    /// `row`, with its fields when known.
    Row(Option<Vec<RowField>>),
    /// Any other type name (kept as given); its values are read as text.
    Unknown(String),
}

/// One field of a `row(...)` type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowField {
    /// The field name; `None` for anonymous fields (`row(integer, varchar)`).
    pub name: Option<String>,
    /// The field type.
    pub r#type: AthenaType,
}

impl AthenaType {
    /// Reads a type name or signature. Never fails: a name that is not known, or a
    /// signature that does not parse, becomes [`AthenaType::Unknown`].
    pub fn parse(signature: &str) -> AthenaType {
        let mut parser = TypeParser {
            s: signature.as_bytes(),
            src: signature,
            pos: 0,
        };
        match parser.parse_type(0) {
            Some(t) if parser.at_end() => t,
            _ => AthenaType::Unknown(signature.trim().to_owned()),
        }
    }

    /// The type of a column: its `Type`, with `Precision` and `Scale` for a decimal.
    pub fn of_column(column: &ColumnInfo) -> AthenaType {
        match AthenaType::parse(&column.r#type) {
            AthenaType::Decimal {
                precision: 0,
                scale: 0,
            } => AthenaType::Decimal {
                precision: u32::try_from(column.precision).unwrap_or(0),
                scale: u32::try_from(column.scale).unwrap_or(0),
            },
            other => other,
        }
    }

    /// Whether values of this type are written with the array/map/row notation.
    pub fn is_nested(&self) -> bool {
        matches!(
            self,
            AthenaType::Array(_) | AthenaType::Map(_) | AthenaType::Row(_)
        )
    }

    /// Whether an element of this type may contain `, ` in a way the parser must
    /// respect (nested values, JSON, and types not known).
    fn needs_bracket_split(&self) -> bool {
        matches!(
            self,
            AthenaType::Array(_)
                | AthenaType::Map(_)
                | AthenaType::Row(_)
                | AthenaType::Json
                | AthenaType::Unknown(_)
        )
    }
}

/// The type of elements whose type is not known.
pub(crate) static UNKNOWN: AthenaType = AthenaType::Unknown(String::new());

struct TypeParser<'a> {
    s: &'a [u8],
    src: &'a str,
    pos: usize,
}

impl TypeParser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos == self.s.len()
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// An identifier (letters, digits, `_`) or a `"quoted"` name.
    fn word(&mut self) -> Option<String> {
        self.skip_ws();
        if self.s.get(self.pos) == Some(&b'"') {
            let mut out = String::new();
            self.pos += 1;
            loop {
                let start = self.pos;
                while self.pos < self.s.len() && self.s[self.pos] != b'"' {
                    self.pos += 1;
                }
                out.push_str(self.src.get(start..self.pos)?);
                if self.pos >= self.s.len() {
                    return None;
                }
                self.pos += 1;
                if self.s.get(self.pos) == Some(&b'"') {
                    out.push('"');
                    self.pos += 1;
                } else {
                    return Some(out);
                }
            }
        }
        let start = self.pos;
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_alphanumeric() || self.s[self.pos] == b'_')
        {
            self.pos += 1;
        }
        (self.pos > start).then(|| self.src[start..self.pos].to_owned())
    }

    fn number(&mut self) -> Option<u32> {
        self.skip_ws();
        let start = self.pos;
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        self.src.get(start..self.pos)?.parse().ok()
    }

    /// `with time zone` after a time or timestamp, if present.
    fn with_time_zone(&mut self) -> bool {
        let save = self.pos;
        let words: Vec<_> = (0..3).filter_map(|_| self.word()).collect();
        if words.len() == 3
            && words[0].eq_ignore_ascii_case("with")
            && words[1].eq_ignore_ascii_case("time")
            && words[2].eq_ignore_ascii_case("zone")
        {
            true
        } else {
            self.pos = save;
            false
        }
    }

    /// Optional `(n)` or `(p, s)` parameters, returned as numbers.
    fn params(&mut self) -> Option<Vec<u32>> {
        let mut out = Vec::new();
        if self.eat(b'(') {
            loop {
                out.push(self.number()?);
                if self.eat(b')') {
                    break;
                }
                if !self.eat(b',') {
                    return None;
                }
            }
        }
        Some(out)
    }

    fn parse_type(&mut self, depth: usize) -> Option<AthenaType> {
        if depth > MAX_DEPTH {
            return None;
        }
        let name = self.word()?.to_ascii_lowercase();
        let t = match name.as_str() {
            "boolean" => AthenaType::Boolean,
            "tinyint" => AthenaType::TinyInt,
            "smallint" => AthenaType::SmallInt,
            "integer" | "int" => AthenaType::Integer,
            "bigint" => AthenaType::BigInt,
            "real" | "float" => AthenaType::Real,
            "double" => {
                // `double precision` is accepted as a synonym.
                let save = self.pos;
                if !self
                    .word()
                    .is_some_and(|w| w.eq_ignore_ascii_case("precision"))
                {
                    self.pos = save;
                }
                AthenaType::Double
            }
            "decimal" | "numeric" => {
                let p = self.params()?;
                AthenaType::Decimal {
                    precision: p.first().copied().unwrap_or(0),
                    scale: p.get(1).copied().unwrap_or(0),
                }
            }
            "varchar" | "string" => {
                self.params()?;
                AthenaType::Varchar
            }
            "char" => {
                self.params()?;
                AthenaType::Char
            }
            "varbinary" | "binary" => AthenaType::Varbinary,
            "json" => AthenaType::Json,
            "date" => AthenaType::Date,
            "time" => {
                self.params()?;
                if self.with_time_zone() {
                    AthenaType::TimeWithTimeZone
                } else {
                    AthenaType::Time
                }
            }
            "timestamp" => {
                self.params()?;
                if self.with_time_zone() {
                    AthenaType::TimestampWithTimeZone
                } else {
                    AthenaType::Timestamp
                }
            }
            "interval" => {
                // interval year to month / interval day to second
                let save = self.pos;
                let words: Vec<_> = (0..3).filter_map(|_| self.word()).collect();
                if words.len() != 3 {
                    self.pos = save;
                }
                AthenaType::Interval
            }
            "uuid" => AthenaType::Uuid,
            "ipaddress" => AthenaType::IpAddress,
            "array" => {
                if self.eat(b'(') {
                    let elem = self.parse_type(depth + 1)?;
                    if !self.eat(b')') {
                        return None;
                    }
                    AthenaType::Array(Some(Box::new(elem)))
                } else {
                    AthenaType::Array(None)
                }
            }
            "map" => {
                if self.eat(b'(') {
                    let key = self.parse_type(depth + 1)?;
                    if !self.eat(b',') {
                        return None;
                    }
                    let value = self.parse_type(depth + 1)?;
                    if !self.eat(b')') {
                        return None;
                    }
                    AthenaType::Map(Some(Box::new((key, value))))
                } else {
                    AthenaType::Map(None)
                }
            }
            "row" | "struct" => {
                if self.eat(b'(') {
                    let mut fields = Vec::new();
                    loop {
                        fields.push(self.row_field(depth + 1)?);
                        if self.eat(b')') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                    AthenaType::Row(Some(fields))
                } else {
                    AthenaType::Row(None)
                }
            }
            _ => {
                // A type of another name keeps its name; parameters are skipped.
                self.params()?;
                AthenaType::Unknown(name)
            }
        };
        Some(t)
    }

    /// `name type` or just `type`.
    fn row_field(&mut self, depth: usize) -> Option<RowField> {
        let save = self.pos;
        // Try `name type` first; a lone type is an anonymous field.
        if let Some(name) = self.word()
            && let Some(t) = self.parse_type(depth)
            && matches!(self.peek(), Some(b',') | Some(b')'))
        {
            return Some(RowField {
                name: Some(name),
                r#type: t,
            });
        }
        self.pos = save;
        let t = self.parse_type(depth)?;
        Some(RowField {
            name: None,
            r#type: t,
        })
    }
}

impl fmt::Display for AthenaType {
    /// The type's signature, in Trino's spelling.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AthenaType::Boolean => f.write_str("boolean"),
            AthenaType::TinyInt => f.write_str("tinyint"),
            AthenaType::SmallInt => f.write_str("smallint"),
            AthenaType::Integer => f.write_str("integer"),
            AthenaType::BigInt => f.write_str("bigint"),
            AthenaType::Real => f.write_str("real"),
            AthenaType::Double => f.write_str("double"),
            AthenaType::Decimal { precision, scale } => write!(f, "decimal({precision},{scale})"),
            AthenaType::Varchar => f.write_str("varchar"),
            AthenaType::Char => f.write_str("char"),
            AthenaType::Varbinary => f.write_str("varbinary"),
            AthenaType::Json => f.write_str("json"),
            AthenaType::Date => f.write_str("date"),
            AthenaType::Time => f.write_str("time"),
            AthenaType::TimeWithTimeZone => f.write_str("time with time zone"),
            AthenaType::Timestamp => f.write_str("timestamp"),
            AthenaType::TimestampWithTimeZone => f.write_str("timestamp with time zone"),
            AthenaType::Interval => f.write_str("interval"),
            AthenaType::Uuid => f.write_str("uuid"),
            AthenaType::IpAddress => f.write_str("ipaddress"),
            AthenaType::Array(None) => f.write_str("array"),
            AthenaType::Array(Some(e)) => write!(f, "array({e})"),
            AthenaType::Map(None) => f.write_str("map"),
            AthenaType::Map(Some(kv)) => write!(f, "map({}, {})", kv.0, kv.1),
            AthenaType::Row(None) => f.write_str("row"),
            AthenaType::Row(Some(fields)) => {
                f.write_str("row(")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match &field.name {
                        Some(n) => write!(f, "{n} {}", field.r#type)?,
                        None => write!(f, "{}", field.r#type)?,
                    }
                }
                f.write_str(")")
            }
            AthenaType::Unknown(name) => f.write_str(name),
        }
    }
}

// ---------------------------------------------------------------------------
// Scalar parsers
// ---------------------------------------------------------------------------

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
///
/// ```
/// use athena_stream::value::parse_int;
///
/// assert_eq!(parse_int::<i8>("-128"), Ok(-128));
/// assert!(parse_int::<i8>("128").is_err());
/// assert!(parse_int::<i64>("1.5").is_err());
/// ```
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
///
/// ```
/// use athena_stream::value::parse_double;
///
/// assert_eq!(parse_double("1.0E20"), Ok(1.0e20));
/// assert_eq!(parse_double("-Infinity"), Ok(f64::NEG_INFINITY));
/// assert!(parse_double("NaN").unwrap().is_nan());
/// ```
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
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let a = x.abs();
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

/// Writes a `real` the way Java's `Float.toString` does (see [`render_double`]).
pub fn render_real(x: f32) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let a = x.abs();
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
///
/// ```
/// use athena_stream::value::parse_varbinary;
///
/// assert_eq!(parse_varbinary("68 69").unwrap(), b"hi");
/// assert_eq!(parse_varbinary("").unwrap(), b"");
/// ```
pub fn parse_varbinary(text: &str) -> Result<Vec<u8>, ParseError> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len().div_ceil(3));
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
    Ok(out)
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

fn push_hex(s: &mut String, b: u8) {
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

// ---------------------------------------------------------------------------
// The array / map / row notation
// ---------------------------------------------------------------------------

/// A value parsed from Athena's notation, borrowing its text: scalars stay text
/// until a type asks for them (the serde deserializer reads them on demand).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    /// `null` inside an array, map or row.
    Null,
    /// A scalar, or a nested value not parsed yet, as written.
    Text(&'a str),
    /// `[a, b]`.
    Array(&'a str, Vec<Node<'a>>),
    /// `{k=v}`.
    Map(&'a str, Vec<(Node<'a>, Node<'a>)>),
    /// `{f=v}` (named fields) or `{v, w}` (anonymous fields).
    Row(&'a str, Vec<(Option<&'a str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// The text this node was read from (`null` for NULL).
    pub(crate) fn raw(&self) -> &'a str {
        match self {
            Node::Null => "null",
            Node::Text(t) | Node::Array(t, _) | Node::Map(t, _) | Node::Row(t, _) => t,
        }
    }
}

/// Reads `text` as a value of type `ty` in Athena's notation. Scalars (and
/// anything of a non-nested type) come back as [`Node::Text`].
pub(crate) fn parse_node<'a>(
    text: &'a str,
    ty: &AthenaType,
    depth: usize,
) -> Result<Node<'a>, ParseError> {
    if depth > MAX_DEPTH {
        return Err(ParseError::too_deep());
    }
    match ty {
        AthenaType::Array(elem) => {
            let inner = strip_brackets(text, b'[', b']')
                .ok_or_else(|| ParseError::new("an array must be written [a, b, ...]"))?;
            let elem = elem.as_deref().unwrap_or(&UNKNOWN);
            let parts = split_untyped_fallback(inner, elem.needs_bracket_split(), elem)?;
            let mut items = Vec::with_capacity(parts.len());
            for part in parts {
                items.push(parse_element(part, elem, depth + 1)?);
            }
            Ok(Node::Array(text, items))
        }
        AthenaType::Map(kv) => {
            let inner = strip_brackets(text, b'{', b'}')
                .ok_or_else(|| ParseError::new("a map must be written {k=v, ...}"))?;
            let (kt, vt) = match kv.as_deref() {
                Some((k, v)) => (k, v),
                None => (&UNKNOWN, &UNKNOWN),
            };
            let parts =
                split_untyped_fallback(inner, vt.needs_bracket_split() || kt.is_nested(), vt)?;
            let mut entries = Vec::with_capacity(parts.len());
            for part in parts {
                let eq = find_top_level(part, b'=', kt.is_nested()).ok_or_else(|| {
                    ParseError::new(format!("map entry {:?} has no `=`", shorten(part)))
                })?;
                let key = parse_element(&part[..eq], kt, depth + 1)?;
                let value = parse_element(&part[eq + 1..], vt, depth + 1)?;
                entries.push((key, value));
            }
            Ok(Node::Map(text, entries))
        }
        AthenaType::Row(fields) => {
            let inner = strip_brackets(text, b'{', b'}')
                .ok_or_else(|| ParseError::new("a row must be written {f=v, ...} or {v, ...}"))?;
            match fields {
                Some(fields) => parse_typed_row(text, inner, fields, depth),
                None => parse_untyped_row(text, inner, depth),
            }
        }
        _ => Ok(Node::Text(text)),
    }
}

/// One element of an array, or a key, value or field of a map or row.
fn parse_element<'a>(text: &'a str, ty: &AthenaType, depth: usize) -> Result<Node<'a>, ParseError> {
    if text == "null" {
        return Ok(Node::Null);
    }
    if let AthenaType::Unknown(_) = ty {
        return parse_guess(text, depth);
    }
    parse_node(text, ty, depth)
}

/// An element of unknown type: nested when it looks nested and parses, else text.
fn parse_guess(text: &str, depth: usize) -> Result<Node<'_>, ParseError> {
    let b = text.as_bytes();
    let guess = match (b.first(), b.last()) {
        (Some(b'['), Some(b']')) if balanced(text) => AthenaType::Array(None),
        (Some(b'{'), Some(b'}')) if balanced(text) => AthenaType::Row(None),
        _ => return Ok(Node::Text(text)),
    };
    if depth > MAX_DEPTH {
        return Err(ParseError::too_deep());
    }
    match parse_node(text, &guess, depth) {
        Ok(node) => Ok(node),
        Err(e) if e.too_deep => Err(e),
        // Not nested after all: an element that only looks like it.
        Err(_) => Ok(Node::Text(text)),
    }
}

/// `{...}` of unknown fields: named when every part is `name=value` with a
/// plausible field name, anonymous otherwise. (A map of unknown types reads the
/// same way: a map is a row whose "names" are its keys.)
fn parse_untyped_row<'a>(
    text: &'a str,
    inner: &'a str,
    depth: usize,
) -> Result<Node<'a>, ParseError> {
    let parts = split_elements(inner, true).or_else(|_| split_elements(inner, false))?;
    let named = !parts.is_empty()
        && parts
            .iter()
            .all(|p| find_top_level(p, b'=', false).is_some_and(|eq| eq > 0));
    let mut fields = Vec::with_capacity(parts.len());
    for part in parts {
        if named {
            let eq = find_top_level(part, b'=', false).unwrap_or(0);
            fields.push((
                Some(&part[..eq]),
                parse_element(&part[eq + 1..], &UNKNOWN, depth + 1)?,
            ));
        } else {
            fields.push((None, parse_element(part, &UNKNOWN, depth + 1)?));
        }
    }
    Ok(Node::Row(text, fields))
}

fn parse_typed_row<'a>(
    text: &'a str,
    inner: &'a str,
    fields: &[RowField],
    depth: usize,
) -> Result<Node<'a>, ParseError> {
    let mut out = Vec::with_capacity(fields.len());
    let mut rest = inner;
    // Fields are read in order; a named field must start with `name=`. Knowing the
    // names lets a value contain `=`, and the last field may contain `, `.
    for (i, field) in fields.iter().enumerate() {
        let last = i + 1 == fields.len();
        let name = match &field.name {
            Some(name) => {
                let n = name.len();
                let here = rest.get(..n).filter(|h| h.eq_ignore_ascii_case(name));
                match (here, rest.as_bytes().get(n)) {
                    (Some(here), Some(b'=')) => {
                        rest = &rest[n + 1..];
                        Some(here)
                    }
                    _ => {
                        return Err(ParseError::new(format!(
                            "row field `{name}` is missing or out of order"
                        )));
                    }
                }
            }
            None => None,
        };
        let end = if last {
            rest.len()
        } else {
            let next_name = fields[i + 1].name.as_deref();
            find_field_end(rest, field.r#type.needs_bracket_split(), next_name).ok_or_else(
                || ParseError::new(format!("row has fewer than {} fields", fields.len())),
            )?
        };
        let value = parse_element(&rest[..end], &field.r#type, depth + 1)?;
        out.push((name, value));
        rest = if last { "" } else { &rest[end + 2..] };
    }
    if fields.is_empty() && !inner.is_empty() {
        return Err(ParseError::new("row has more fields than its type"));
    }
    Ok(Node::Row(text, out))
}

/// Where a row field's value ends: at the first `, ` that is followed by the next
/// field's `name=` when the next field is named (so values may contain `, `).
fn find_field_end(text: &str, nested: bool, next_name: Option<&str>) -> Option<usize> {
    let mut from = 0;
    loop {
        let i = from + find_separator(&text[from..], nested)?;
        let after = &text[i + 2..];
        let named_next = next_name.is_none_or(|n| {
            after
                .get(..n.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(n))
                && after.as_bytes().get(n.len()) == Some(&b'=')
        });
        if named_next {
            return Some(i);
        }
        from = i + 2;
    }
}

/// [`split_elements`], falling back to a plain split at every `, ` when elements
/// of unknown type do not balance their brackets (strings like `[x`).
fn split_untyped_fallback<'a>(
    inner: &'a str,
    nested: bool,
    elem: &AthenaType,
) -> Result<Vec<&'a str>, ParseError> {
    match split_elements(inner, nested) {
        Err(_) if matches!(elem, AthenaType::Unknown(_)) => split_elements(inner, false),
        other => other,
    }
}

/// The inside of `[...]` / `{...}`.
fn strip_brackets(text: &str, open: u8, close: u8) -> Option<&str> {
    let b = text.as_bytes();
    (b.len() >= 2 && b[0] == open && b[b.len() - 1] == close).then(|| &text[1..text.len() - 1])
}

/// Whether brackets `[]` and `{}` balance (ignoring their kinds' pairing).
fn balanced(text: &str) -> bool {
    let mut depth: i64 = 0;
    for b in text.bytes() {
        match b {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// Where the next `, ` separator is: the first one, or the first one outside
/// brackets when `nested`.
fn find_separator(text: &str, nested: bool) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth: i64 = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        match b[i] {
            b'[' | b'{' if nested => depth += 1,
            b']' | b'}' if nested => depth -= 1,
            b',' if depth == 0 && b[i + 1] == b' ' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The first `c` in `text` (outside brackets when `nested`).
fn find_top_level(text: &str, c: u8, nested: bool) -> Option<usize> {
    let mut depth: i64 = 0;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' | b'{' if nested => depth += 1,
            b']' | b'}' if nested => depth -= 1,
            _ if b == c && depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// Splits the inside of brackets at `, ` (outside brackets when `nested`).
/// The empty inside is no elements.
fn split_elements(inner: &str, nested: bool) -> Result<Vec<&str>, ParseError> {
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    if nested && !balanced(inner) {
        return Err(ParseError::new("unbalanced brackets"));
    }
    let mut out = Vec::new();
    let mut rest = inner;
    while let Some(i) = find_separator(rest, nested) {
        out.push(&rest[..i]);
        rest = &rest[i + 2..];
    }
    out.push(rest);
    Ok(out)
}

// ---------------------------------------------------------------------------
// Value
// ---------------------------------------------------------------------------

/// One value of any Athena type, decoded from its text.
///
/// ```
/// use athena_stream::value::{AthenaType, Value};
///
/// let t = AthenaType::parse("array(integer)");
/// let v = Value::parse("[1, 2, null]", &t).unwrap();
/// assert_eq!(
///     v,
///     Value::Array(vec![Value::Integer(1), Value::Integer(2), Value::Null])
/// );
/// assert_eq!(v.to_json(), serde_json::json!([1, 2, null]));
/// assert_eq!(v.to_athena_text(), "[1, 2, null]");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// NULL.
    Null,
    /// `boolean`.
    Boolean(bool),
    /// `tinyint`.
    TinyInt(i8),
    /// `smallint`.
    SmallInt(i16),
    /// `integer`.
    Integer(i32),
    /// `bigint`.
    BigInt(i64),
    /// `real`.
    Real(f32),
    /// `double`.
    Double(f64),
    /// `decimal`, exactly as Athena wrote it (`-12.50`: its scale is the number of
    /// fraction digits). Never converted through a float.
    Decimal(String),
    /// `varchar`, `char`, `string`.
    Varchar(String),
    /// `varbinary`.
    Varbinary(Vec<u8>),
    /// `json`.
    Json(serde_json::Value),
    /// `date`, as Athena's text (`2014-07-05`).
    Date(String),
    /// `time` or `time with time zone`, as Athena's text.
    Time(String),
    /// `timestamp(p)`, as Athena's text (`2024-01-02 03:04:05.123`).
    Timestamp(String),
    /// `timestamp with time zone`, as Athena's text
    /// (`2001-08-22 03:04:05.321 America/Los_Angeles`).
    TimestampWithTimeZone(String),
    /// `uuid`.
    Uuid(String),
    /// `ipaddress`.
    IpAddress(IpAddr),
    /// `array`.
    Array(Vec<Value>),
    /// `map`, its entries in Athena's order.
    Map(Vec<(Value, Value)>),
    /// `row`: fields with their names (`None` for anonymous fields).
    Row(Vec<(Option<String>, Value)>),
    /// A value whose type is not known: an element of an `array`, `map` or `row`
    /// column (Athena's `ColumnInfo.Type` names no element types), an interval, or a
    /// type this crate does not know. Kept as written.
    Text(String),
}

impl Value {
    /// Reads the text of a (non-NULL) value of type `ty`.
    pub fn parse(text: &str, ty: &AthenaType) -> Result<Value, ParseError> {
        if ty.is_nested() {
            let node = parse_node(text, ty, 0)?;
            Value::from_node(&node, ty)
        } else {
            Value::scalar(text, ty)
        }
    }

    fn scalar(text: &str, ty: &AthenaType) -> Result<Value, ParseError> {
        Ok(match ty {
            AthenaType::Boolean => Value::Boolean(parse_bool(text)?),
            AthenaType::TinyInt => Value::TinyInt(parse_int(text)?),
            AthenaType::SmallInt => Value::SmallInt(parse_int(text)?),
            AthenaType::Integer => Value::Integer(parse_int(text)?),
            AthenaType::BigInt => Value::BigInt(parse_int(text)?),
            AthenaType::Real => Value::Real(parse_real(text)?),
            AthenaType::Double => Value::Double(parse_double(text)?),
            AthenaType::Decimal { .. } => {
                parse_decimal(text)?;
                Value::Decimal(text.to_owned())
            }
            AthenaType::Varchar | AthenaType::Char => Value::Varchar(text.to_owned()),
            AthenaType::Varbinary => Value::Varbinary(parse_varbinary(text)?),
            AthenaType::Json => Value::Json(
                serde_json::from_str(text)
                    .map_err(|e| ParseError::new(format!("not JSON: {e}")))?,
            ),
            AthenaType::Date => {
                check_datetime(ty, text)?;
                Value::Date(text.to_owned())
            }
            AthenaType::Time | AthenaType::TimeWithTimeZone => {
                check_datetime(ty, text)?;
                Value::Time(text.to_owned())
            }
            AthenaType::Timestamp => {
                check_datetime(ty, text)?;
                Value::Timestamp(text.to_owned())
            }
            AthenaType::TimestampWithTimeZone => {
                check_datetime(ty, text)?;
                Value::TimestampWithTimeZone(text.to_owned())
            }
            AthenaType::Uuid => {
                check_uuid(text)?;
                Value::Uuid(text.to_owned())
            }
            AthenaType::IpAddress => Value::IpAddress(parse_ipaddress(text)?),
            AthenaType::Interval | AthenaType::Unknown(_) => Value::Text(text.to_owned()),
            AthenaType::Array(_) | AthenaType::Map(_) | AthenaType::Row(_) => {
                return Value::parse(text, ty);
            }
        })
    }

    fn from_node(node: &Node<'_>, ty: &AthenaType) -> Result<Value, ParseError> {
        Ok(match (node, ty) {
            (Node::Null, _) => Value::Null,
            (Node::Array(_, items), AthenaType::Array(elem)) => {
                let elem = elem.as_deref().unwrap_or(&UNKNOWN);
                Value::Array(
                    items
                        .iter()
                        .map(|n| Value::from_node(n, elem))
                        .collect::<Result<_, _>>()?,
                )
            }
            (Node::Map(_, entries), AthenaType::Map(kv)) => {
                let (kt, vt) = match kv.as_deref() {
                    Some((k, v)) => (k, v),
                    None => (&UNKNOWN, &UNKNOWN),
                };
                Value::Map(
                    entries
                        .iter()
                        .map(|(k, v)| Ok((Value::from_node(k, kt)?, Value::from_node(v, vt)?)))
                        .collect::<Result<_, ParseError>>()?,
                )
            }
            (Node::Row(_, values), AthenaType::Row(Some(fields))) => Value::Row(
                fields
                    .iter()
                    .zip(values)
                    .map(|(f, (_, v))| Ok((f.name.clone(), Value::from_node(v, &f.r#type)?)))
                    .collect::<Result<_, ParseError>>()?,
            ),
            // Untyped nested values: a `{...}` whose type is not known is a row,
            // named or anonymous; a `map` column of unknown types is a map.
            (Node::Row(_, values), AthenaType::Map(_)) => Value::Map(
                values
                    .iter()
                    .map(|(k, v)| {
                        Ok((
                            Value::Text(k.unwrap_or_default().to_owned()),
                            Value::from_node(v, &UNKNOWN)?,
                        ))
                    })
                    .collect::<Result<_, ParseError>>()?,
            ),
            (Node::Row(_, values), _) => Value::Row(
                values
                    .iter()
                    .map(|(k, v)| Ok((k.map(str::to_owned), Value::from_node(v, &UNKNOWN)?)))
                    .collect::<Result<_, ParseError>>()?,
            ),
            (Node::Map(_, entries), _) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| {
                        Ok((
                            Value::from_node(k, &UNKNOWN)?,
                            Value::from_node(v, &UNKNOWN)?,
                        ))
                    })
                    .collect::<Result<_, ParseError>>()?,
            ),
            (Node::Array(_, items), _) => Value::Array(
                items
                    .iter()
                    .map(|n| Value::from_node(n, &UNKNOWN))
                    .collect::<Result<_, _>>()?,
            ),
            (Node::Text(t), ty) if !ty.is_nested() => Value::scalar(t, ty)?,
            (Node::Text(t), ty) => Value::parse(t, ty)?,
        })
    }

    /// Whether this is NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The typed JSON of `--typed`: integers and floats as numbers (NaN and
    /// ±Infinity as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`), decimal as a
    /// string with its scale (`"1.50"`), booleans, text as strings, dates and
    /// timestamps as Athena's text, varbinary as lowercase hex without spaces, json
    /// embedded, arrays as arrays, maps as objects (keys as text), named rows as
    /// objects, anonymous rows as arrays, NULL as null.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Boolean(b) => J::Bool(*b),
            Value::TinyInt(i) => J::from(*i),
            Value::SmallInt(i) => J::from(*i),
            Value::Integer(i) => J::from(*i),
            Value::BigInt(i) => J::from(*i),
            // Through the shortest text of the f32, so that 0.1 stays 0.1.
            Value::Real(x) => float_json(f64::from(*x), || render_real(*x)),
            Value::Double(x) => float_json(*x, || render_double(*x)),
            Value::Decimal(s)
            | Value::Varchar(s)
            | Value::Date(s)
            | Value::Time(s)
            | Value::Timestamp(s)
            | Value::TimestampWithTimeZone(s)
            | Value::Uuid(s)
            | Value::Text(s) => J::String(s.clone()),
            Value::Varbinary(bytes) => {
                let mut s = String::with_capacity(bytes.len() * 2);
                for b in bytes {
                    push_hex(&mut s, *b);
                }
                J::String(s)
            }
            Value::Json(j) => j.clone(),
            Value::IpAddress(ip) => J::String(ip.to_string()),
            Value::Array(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.key_text(), v.to_json()))
                    .collect(),
            ),
            Value::Row(fields) if fields.iter().all(|(n, _)| n.is_some()) && !fields.is_empty() => {
                J::Object(
                    fields
                        .iter()
                        .map(|(n, v)| (n.clone().unwrap_or_default(), v.to_json()))
                        .collect(),
                )
            }
            Value::Row(fields) => J::Array(fields.iter().map(|(_, v)| v.to_json()).collect()),
        }
    }

    /// A map key as JSON object key: text as is, anything else as its Athena text.
    fn key_text(&self) -> String {
        match self {
            Value::Varchar(s) | Value::Text(s) => s.clone(),
            other => other.to_athena_text(),
        }
    }

    /// Writes the value the way Athena writes it in `VarCharValue` (ATHENA.md §2).
    /// NULL, which Athena sends as a `Datum` without text, is written `null` here,
    /// as it is inside arrays, maps and rows.
    pub fn to_athena_text(&self) -> String {
        let mut s = String::new();
        self.write_athena_text(&mut s);
        s
    }

    fn write_athena_text(&self, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            Value::Null => out.push_str("null"),
            Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::TinyInt(i) => {
                let _ = write!(out, "{i}");
            }
            Value::SmallInt(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Integer(i) => {
                let _ = write!(out, "{i}");
            }
            Value::BigInt(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Real(x) => out.push_str(&render_real(*x)),
            Value::Double(x) => out.push_str(&render_double(*x)),
            Value::Decimal(s)
            | Value::Varchar(s)
            | Value::Date(s)
            | Value::Time(s)
            | Value::Timestamp(s)
            | Value::TimestampWithTimeZone(s)
            | Value::Uuid(s)
            | Value::Text(s) => out.push_str(s),
            Value::Varbinary(b) => out.push_str(&render_varbinary(b)),
            Value::Json(j) => out.push_str(&j.to_string()),
            Value::IpAddress(ip) => {
                let _ = write!(out, "{ip}");
            }
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_athena_text(out);
                }
                out.push(']');
            }
            Value::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write_athena_text(out);
                    out.push('=');
                    v.write_athena_text(out);
                }
                out.push('}');
            }
            Value::Row(fields) => {
                out.push('{');
                for (i, (n, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if let Some(n) = n {
                        out.push_str(n);
                        out.push('=');
                    }
                    v.write_athena_text(out);
                }
                out.push('}');
            }
        }
    }

    /// The decimal as a `rust_decimal::Decimal`, exactly (`None` when this is not a
    /// decimal, or it has more than 28 fraction digits or does not fit 96 bits).
    #[cfg(feature = "rust_decimal")]
    pub fn to_decimal(&self) -> Option<rust_decimal::Decimal> {
        match self {
            Value::Decimal(s) => s.parse().ok(),
            _ => None,
        }
    }
}

fn float_json(x: f64, text: impl FnOnce() -> String) -> serde_json::Value {
    if x.is_finite() {
        // Parse the shortest text back so that an f32 0.1 is the JSON number 0.1.
        text()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)
    } else {
        serde_json::Value::String(render_double(x))
    }
}

impl From<Value> for serde_json::Value {
    fn from(value: Value) -> Self {
        value.to_json()
    }
}

impl From<&Value> for serde_json::Value {
    fn from(value: &Value) -> Self {
        value.to_json()
    }
}

// ---------------------------------------------------------------------------
// Row access
// ---------------------------------------------------------------------------

impl Row {
    /// The value at a column (by index or name) as a dynamic [`Value`], read
    /// according to the column's type. NULL is [`Value::Null`].
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the column does not exist or its text does not fit its type.
    ///
    /// ```
    /// use athena_stream::{ColumnInfo, ResultSetMetadata, Row, value::Value};
    /// use std::sync::Arc;
    ///
    /// let columns = Arc::new(ResultSetMetadata::new(vec![ColumnInfo::new("n", "bigint")]));
    /// let row = Row::new(columns, 0, vec![Some("42".into())]);
    /// assert_eq!(row.value("n").unwrap(), Value::BigInt(42));
    /// ```
    pub fn value(&self, column: impl crate::de::ColumnIndex) -> Result<Value, Error> {
        let index = crate::de::resolve(self, &column)?;
        self.value_at(index)
    }

    fn value_at(&self, index: usize) -> Result<Value, Error> {
        let Some(text) = self.get_index(index) else {
            return Ok(Value::Null);
        };
        let ty = AthenaType::of_column(&self.columns()[index]);
        Value::parse(text, &ty).map_err(|e| e.into_decode(self, index, text))
    }

    /// All values of the row, in column order.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] for the first value whose text does not fit its column's type.
    pub fn to_values(&self) -> Result<Vec<Value>, Error> {
        (0..self.len()).map(|i| self.value_at(i)).collect()
    }

    /// The row as one JSON object of typed values (the output of the example's
    /// `--typed`): column names as keys, values as [`Value::to_json`] writes them.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] for the first value whose text does not fit its column's type.
    ///
    /// ```
    /// use athena_stream::{ColumnInfo, ResultSetMetadata, Row};
    /// use std::sync::Arc;
    ///
    /// let columns = Arc::new(ResultSetMetadata::new(vec![
    ///     ColumnInfo::new("bytes", "bigint"),
    ///     ColumnInfo::new("referer", "varchar"),
    /// ]));
    /// let row = Row::new(columns, 0, vec![Some("1024".into()), None]);
    /// assert_eq!(
    ///     row.to_typed_json().unwrap(),
    ///     serde_json::json!({"bytes": 1024, "referer": null})
    /// );
    /// ```
    pub fn to_typed_json(&self) -> Result<serde_json::Value, Error> {
        let mut object = serde_json::Map::with_capacity(self.len());
        for (i, column) in self.columns().iter().enumerate() {
            let value = self.value_at(i)?;
            object.insert(column.name.clone(), value.to_json());
        }
        Ok(serde_json::Value::Object(object))
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
