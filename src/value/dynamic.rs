//! [`Value`]: one value of any Athena type, decoded from its text, and written
//! back as Athena's text ([`Value::to_athena_text`]) or as typed JSON
//! ([`Value::to_json`]); and the rows' dynamic access ([`Row::value`],
//! [`Row::to_values`], [`Row::to_typed_json`]).

use std::net::IpAddr;

use super::notation::{Node, fields_by_name, parse_node};
use super::scalars::{
    check_datetime, check_uuid, parse_bool, parse_decimal, parse_double, parse_int,
    parse_ipaddress, parse_real, parse_varbinary, push_hex, render_double, render_real,
    render_varbinary,
};
use super::{AthenaType, ParseError};
use crate::error::Error;
use crate::row::{ColumnIndex, Row};

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

    /// The value of a parsed node. `ty` is the type the node was parsed with, so
    /// the node's shape and the type agree (an array node has an array type or an
    /// unknown one, and so on); the parts take the types `ty` gives them, unknown
    /// when it gives none.
    fn from_node(node: &Node<'_>, ty: &AthenaType) -> Result<Value, ParseError> {
        Ok(match node {
            Node::Null => Value::Null,
            Node::Array(_, items) => {
                let elem = ty.element_type();
                Value::Array(
                    items
                        .iter()
                        .map(|n| Value::from_node(n, elem))
                        .collect::<Result<_, _>>()?,
                )
            }
            Node::Map(_, entries) => {
                let (kt, vt) = ty.key_value_types();
                Value::Map(
                    entries
                        .iter()
                        .map(|(k, v)| Ok((Value::from_node(k, kt)?, Value::from_node(v, vt)?)))
                        .collect::<Result<_, ParseError>>()?,
                )
            }
            Node::Row(_, values) => Value::Row(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, (name, v))| {
                        // A typed row takes its names from the type (the text may
                        // spell them in another case); an untyped one from the text.
                        let name = match ty {
                            AthenaType::Row(Some(fields)) => {
                                fields.get(i).and_then(|f| f.name.clone())
                            }
                            _ => name.map(str::to_owned),
                        };
                        Ok((name, Value::from_node(v, ty.field_type(i))?))
                    })
                    .collect::<Result<_, ParseError>>()?,
            ),
            Node::Text(t) if !ty.is_nested() => Value::scalar(t, ty)?,
            Node::Text(t) => Value::parse(t, ty)?,
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
    /// objects, anonymous rows as arrays (a row without fields, `{}`, as an empty
    /// object), NULL as null.
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
            Value::Row(fields) if fields_by_name(fields) => J::Object(
                fields
                    .iter()
                    .map(|(n, v)| (n.clone().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
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

    /// Writes the value the way Athena writes it in `VarCharValue` (docs/athena.md, "Values").
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
    /// [`Error::NoSuchColumn`] when the result has no such column;
    /// [`Error::Decode`] when its text does not fit its type.
    ///
    /// ```
    /// use athena_stream::{Row, value::Value, value::{ColumnInfo, ResultSetMetadata}};
    /// use std::sync::Arc;
    ///
    /// let columns = Arc::new(ResultSetMetadata::new(vec![ColumnInfo::new("n", "bigint")]));
    /// let row = Row::new(columns, 0, vec![Some("42".into())]);
    /// assert_eq!(row.value("n").unwrap(), Value::BigInt(42));
    /// ```
    pub fn value(&self, column: impl ColumnIndex) -> Result<Value, Error> {
        let index = self.column_index(&column)?;
        self.value_at(index)
    }

    fn value_at(&self, index: usize) -> Result<Value, Error> {
        let Some(text) = self.text(index) else {
            return Ok(Value::Null);
        };
        // A row built by hand may have more values than columns: those read as text.
        let ty = self
            .columns()
            .get(index)
            .map_or_else(|| AthenaType::Unknown(String::new()), AthenaType::of_column);
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
    /// use athena_stream::{Row, value::{ColumnInfo, ResultSetMetadata}};
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
