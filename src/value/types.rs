//! The types that `ColumnInfo.Type` names ([`AthenaType`]) and the parser of
//! Trino's type signatures (`array(row(id integer, name varchar))`).

use std::fmt;

use super::MAX_DEPTH;
use crate::row::ColumnInfo;

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
        parse_with_precisions(signature).0
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

    /// The type of an array's elements: unknown unless this is an `array(...)`
    /// with its element type.
    pub(crate) fn element_type(&self) -> &AthenaType {
        match self {
            AthenaType::Array(Some(elem)) => elem,
            _ => &UNKNOWN,
        }
    }

    /// The types of a map's keys and values: unknown unless this is a `map(k, v)`.
    pub(crate) fn key_value_types(&self) -> (&AthenaType, &AthenaType) {
        match self {
            AthenaType::Map(Some(kv)) => (&kv.0, &kv.1),
            _ => (&UNKNOWN, &UNKNOWN),
        }
    }

    /// The type of a row's field at `index`: unknown unless this is a `row(...)`
    /// with that many fields.
    pub(crate) fn field_type(&self, index: usize) -> &AthenaType {
        match self {
            AthenaType::Row(Some(fields)) => fields.get(index).map_or(&UNKNOWN, |f| &f.r#type),
            _ => &UNKNOWN,
        }
    }

    /// Whether an element of this type may contain `, ` in a way the parser must
    /// respect (nested values, JSON, and types not known).
    pub(crate) fn needs_bracket_split(&self) -> bool {
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

/// [`AthenaType::parse`], with the precision written for each `time(p)` and
/// `timestamp(p)` (without time zone) of the signature, in the order they are written,
/// which is the order a depth-first walk of the type meets them (`None` where the
/// signature writes no precision; the list is empty when the signature does not parse).
///
/// [`AthenaType`] keeps no precision for these (its values are text either way); Arrow
/// columns need it for their unit, `array(timestamp(6))` included.
pub(crate) fn parse_with_precisions(signature: &str) -> (AthenaType, Vec<Option<u32>>) {
    let mut parser = TypeParser {
        s: signature.as_bytes(),
        src: signature,
        pos: 0,
        precisions: Vec::new(),
    };
    match parser.parse_type(0) {
        Some(t) if parser.at_end() => (t, parser.precisions),
        _ => (AthenaType::Unknown(signature.trim().to_owned()), Vec::new()),
    }
}

struct TypeParser<'a> {
    s: &'a [u8],
    src: &'a str,
    pos: usize,
    /// The precisions of the `time` and `timestamp` types read so far.
    precisions: Vec<Option<u32>>,
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
        match name.as_str() {
            "array" | "map" | "row" | "struct" => self.nested_type(&name, depth),
            _ => self.scalar_type(name),
        }
    }

    /// The rest of a type that is not nested, after its name.
    fn scalar_type(&mut self, name: String) -> Option<AthenaType> {
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
                let p = self.params()?;
                if self.with_time_zone() {
                    AthenaType::TimeWithTimeZone
                } else {
                    self.precisions.push(p.first().copied());
                    AthenaType::Time
                }
            }
            "timestamp" => {
                let p = self.params()?;
                if self.with_time_zone() {
                    AthenaType::TimestampWithTimeZone
                } else {
                    self.precisions.push(p.first().copied());
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
            _ => {
                // A type of another name keeps its name; parameters are skipped.
                self.params()?;
                AthenaType::Unknown(name)
            }
        };
        Some(t)
    }

    /// The rest of an `array`, `map` or `row` type, after its name: element types
    /// in parentheses, or nothing (Athena's `ColumnInfo.Type`).
    fn nested_type(&mut self, name: &str, depth: usize) -> Option<AthenaType> {
        let t = match name {
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
            _ => return None,
        };
        Some(t)
    }

    /// `name type` or just `type`.
    fn row_field(&mut self, depth: usize) -> Option<RowField> {
        let save = self.pos;
        let saved_precisions = self.precisions.len();
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
        // What the first try read is read again.
        self.pos = save;
        self.precisions.truncate(saved_precisions);
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
