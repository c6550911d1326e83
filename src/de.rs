//! Typed rows with serde: [`Row::get`] reads one value into any `Deserialize`
//! type, [`Row::deserialize`] reads a whole row into a struct whose fields are
//! matched to column names, and [`TypedExt::typed`] does that for every row of a
//! stream.
//!
//! Values are read straight from their text, driven by the Rust type asked for
//! (an `i64` field parses the text as an `i64`, a `String` field borrows or copies
//! the text); no intermediate [`Value`](crate::value::Value) is built for scalars.
//! The column's Athena type decides what only it can decide: that a `decimal`
//! never turns into a float, that `varbinary` is spaced hex, that a `json` column
//! is parsed as JSON, how an `array`/`map`/`row` is split, and what a
//! self-describing target (`serde_json::Value`) receives.
//!
//! ```no_run
//! use athena_stream::{Athena, TypedExt};
//! use futures::TryStreamExt;
//!
//! #[derive(serde::Deserialize)]
//! struct Hit {
//!     uri: String,
//!     bytes: i64,
//!     time_taken: f32,
//!     referer: Option<String>, // NULL reads as None, "" as Some("")
//! }
//!
//! # async fn run(athena: Athena) -> Result<(), athena_stream::Error> {
//! let mut hits = athena
//!     .query("SELECT uri, bytes, time_taken, referer FROM cf_access_logs")
//!     .typed::<Hit>();
//! while let Some(hit) = hits.try_next().await? {
//!     println!("{} {} {}", hit.uri, hit.bytes, hit.time_taken);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Which column feeds which field is worked out once per result and struct type
//! and cached per thread, keyed by the result's shared metadata, so a row costs
//! no name lookups.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::value::{self, AthenaType, Node, RowField, UNKNOWN};
use crate::{Error, ResultSetMetadata, Row};

mod typed;

#[cfg(test)]
mod tests;

pub use typed::{Typed, TypedExt};

// ---------------------------------------------------------------------------
// Column addressing
// ---------------------------------------------------------------------------

mod sealed {
    pub trait Sealed {}
    impl Sealed for usize {}
    impl Sealed for str {}
    impl Sealed for String {}
    impl<T: Sealed + ?Sized> Sealed for &T {}
}

/// A way to name a column: its 0-based index (`usize`) or its name (`&str`, `String`).
pub trait ColumnIndex: sealed::Sealed {
    /// The index of the column in the result, if there is such a column.
    fn index_in(&self, metadata: &ResultSetMetadata) -> Option<usize>;
    /// The column as written by the caller, for error messages.
    fn describe(&self) -> String;
}

impl ColumnIndex for usize {
    fn index_in(&self, metadata: &ResultSetMetadata) -> Option<usize> {
        (*self < metadata.len()).then_some(*self)
    }
    fn describe(&self) -> String {
        self.to_string()
    }
}

impl ColumnIndex for str {
    fn index_in(&self, metadata: &ResultSetMetadata) -> Option<usize> {
        metadata.index_of(self)
    }
    fn describe(&self) -> String {
        self.to_owned()
    }
}

impl ColumnIndex for String {
    fn index_in(&self, metadata: &ResultSetMetadata) -> Option<usize> {
        metadata.index_of(self)
    }
    fn describe(&self) -> String {
        self.clone()
    }
}

impl<T: ColumnIndex + ?Sized> ColumnIndex for &T {
    fn index_in(&self, metadata: &ResultSetMetadata) -> Option<usize> {
        (**self).index_in(metadata)
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// The index of `column` in `row`, or the error that names what is there.
pub(crate) fn resolve<C: ColumnIndex + ?Sized>(row: &Row, column: &C) -> Result<usize, Error> {
    column
        .index_in(row.metadata())
        .ok_or_else(|| missing_column(row, &column.describe()))
}

fn missing_column(row: &Row, column: &str) -> Error {
    let names: Vec<&str> = row.columns().iter().map(|c| c.name.as_str()).collect();
    Error::Decode {
        row_number: row.row_number(),
        column: column.to_owned(),
        athena_type: String::new(),
        text: String::new(),
        message: format!(
            "the result has no column `{column}` (its columns: {})",
            names.join(", ")
        ),
    }
}

// ---------------------------------------------------------------------------
// Per-result cache: column types and struct field -> column maps
// ---------------------------------------------------------------------------

/// What is worked out once per result: each column's type, and for each struct
/// type read from it, the column of each field.
struct Meta {
    types: Vec<AthenaType>,
    structs: RefCell<Vec<StructMap>>,
}

struct StructMap {
    /// The `FIELDS` slice that serde's derive passes; compared by address.
    fields: &'static [&'static str],
    columns: Rc<[Option<usize>]>,
}

/// How many results' metadata a thread keeps (most recently used first).
const CACHE_SIZE: usize = 8;

thread_local! {
    // The `Arc` is kept so that its address cannot be reused by another result
    // while the entry exists.
    static CACHE: RefCell<Vec<(Arc<ResultSetMetadata>, Rc<Meta>)>> = const { RefCell::new(Vec::new()) };
}

fn meta_of(row: &Row) -> Rc<Meta> {
    let metadata = row.metadata();
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(pos) = cache.iter().position(|(m, _)| Arc::ptr_eq(m, metadata)) {
            if pos != 0 {
                let entry = cache.remove(pos);
                cache.insert(0, entry);
            }
            return Rc::clone(&cache[0].1);
        }
        let meta = Rc::new(Meta {
            types: metadata
                .columns()
                .iter()
                .map(AthenaType::of_column)
                .collect(),
            structs: RefCell::new(Vec::new()),
        });
        cache.insert(0, (Arc::clone(metadata), Rc::clone(&meta)));
        cache.truncate(CACHE_SIZE);
        meta
    })
}

impl Meta {
    fn struct_columns(
        &self,
        metadata: &ResultSetMetadata,
        fields: &'static [&'static str],
    ) -> Rc<[Option<usize>]> {
        let mut structs = self.structs.borrow_mut();
        if let Some(m) = structs.iter().find(|m| std::ptr::eq(m.fields, fields)) {
            return Rc::clone(&m.columns);
        }
        let columns: Rc<[Option<usize>]> = fields.iter().map(|f| metadata.index_of(f)).collect();
        structs.push(StructMap {
            fields,
            columns: Rc::clone(&columns),
        });
        columns
    }
}

// ---------------------------------------------------------------------------
// Row API
// ---------------------------------------------------------------------------

impl Row {
    /// The value at a column (by index or name) as any `Deserialize` type.
    ///
    /// NULL reads as `None` into an `Option<T>` and is an error for any other
    /// type (NULL and the empty string never merge). The text is parsed for the
    /// type asked for: integers check their range, `f32`/`f64` read Java notation
    /// (`1.0E20`, `NaN`, `-Infinity`), `String`/`&str` take the text as is, a
    /// `varbinary` column reads into `Vec<u8>`, a `json` column into
    /// `serde_json::Value` or any `Deserialize` type, an `ipaddress` into
    /// `std::net::IpAddr`, arrays into `Vec<T>`, maps into `HashMap<K, V>`, rows
    /// into structs or tuples. A `decimal` reads into `String` (exact, with its
    /// scale) or `rust_decimal::Decimal`, never into `f32`/`f64`.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] naming the row number, the column, its Athena type and the
    /// text, when the column does not exist or its value does not fit `T`.
    ///
    /// ```
    /// use athena_stream::{ColumnInfo, ResultSetMetadata, Row};
    /// use std::sync::Arc;
    ///
    /// let columns = Arc::new(ResultSetMetadata::new(vec![
    ///     ColumnInfo::new("bytes", "bigint"),
    ///     ColumnInfo::new("tags", "array"),
    ///     ColumnInfo::new("referer", "varchar"),
    /// ]));
    /// let row = Row::new(
    ///     columns,
    ///     0,
    ///     vec![Some("1024".into()), Some("[a, b]".into()), None],
    /// );
    /// assert_eq!(row.get::<i64>("bytes").unwrap(), 1024);
    /// assert_eq!(row.get::<Vec<String>>(1).unwrap(), ["a", "b"]);
    /// assert_eq!(row.get::<Option<&str>>("referer").unwrap(), None);
    /// assert!(row.get::<i8>("bytes").is_err()); // 1024 does not fit an i8
    /// ```
    pub fn get<'de, T: Deserialize<'de>>(&'de self, column: impl ColumnIndex) -> Result<T, Error> {
        let index = resolve(self, &column)?;
        let meta = meta_of(self);
        let ty = meta.types.get(index).unwrap_or(&UNKNOWN);
        T::deserialize(ValueDe::column(self, index, ty))
            .map_err(|e| e.into_error(self, Some(index)))
    }

    /// The whole row as a `Deserialize` type: a struct (or a map) whose fields are
    /// matched to column names (`#[serde(rename = "...")]` is honoured), or a tuple
    /// (columns in order).
    ///
    /// Declare a field `Option<T>` when its column may be NULL. Every field must
    /// have a column: a field whose column is not in the result is an error (so a
    /// typo cannot silently read as `None`). Columns without a field are ignored.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] naming the row number, the column, its Athena type and the
    /// text of the first value that does not fit its field, or the field that has
    /// no column.
    ///
    /// ```
    /// use athena_stream::{ColumnInfo, ResultSetMetadata, Row};
    /// use std::sync::Arc;
    ///
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct Hit {
    ///     uri: String,
    ///     bytes: i64,
    ///     #[serde(rename = "time_taken")]
    ///     seconds: f32,
    ///     referer: Option<String>,
    /// }
    ///
    /// let columns = Arc::new(ResultSetMetadata::new(vec![
    ///     ColumnInfo::new("uri", "varchar"),
    ///     ColumnInfo::new("bytes", "bigint"),
    ///     ColumnInfo::new("time_taken", "real"),
    ///     ColumnInfo::new("referer", "varchar"),
    /// ]));
    /// let row = Row::new(
    ///     columns,
    ///     0,
    ///     vec![Some("/a".into()), Some("10".into()), Some("0.5".into()), None],
    /// );
    /// let hit: Hit = row.deserialize().unwrap();
    /// assert_eq!(hit, Hit { uri: "/a".into(), bytes: 10, seconds: 0.5, referer: None });
    /// ```
    pub fn deserialize<'de, T: Deserialize<'de>>(&'de self) -> Result<T, Error> {
        let meta = meta_of(self);
        T::deserialize(RowDe {
            row: self,
            meta: &meta,
        })
        .map_err(|e| e.into_error(self, None))
    }
}

// ---------------------------------------------------------------------------
// The error type of the deserializers
// ---------------------------------------------------------------------------

/// The error inside the deserializers: a message until the column is known, then
/// a complete [`Error::Decode`].
#[derive(Debug)]
pub(crate) enum DeError {
    Message(String),
    Complete(Box<Error>),
}

impl DeError {
    fn msg(message: impl Into<String>) -> Self {
        DeError::Message(message.into())
    }

    fn parse(e: value::ParseError) -> Self {
        DeError::Message(e.message().to_owned())
    }

    fn json(e: serde_json::Error) -> Self {
        DeError::Message(format!("JSON: {e}"))
    }

    fn in_element(self, what: fmt::Arguments<'_>) -> Self {
        match self {
            DeError::Message(m) => DeError::Message(format!("{what}: {m}")),
            complete => complete,
        }
    }

    fn into_error(self, row: &Row, column: Option<usize>) -> Error {
        match (self, column) {
            (DeError::Complete(e), _) => *e,
            (DeError::Message(m), Some(i)) => {
                value::decode_error(row, i, row.get_index(i).unwrap_or_default(), m)
            }
            (DeError::Message(m), None) => Error::Decode {
                row_number: row.row_number(),
                column: "(row)".to_owned(),
                athena_type: String::new(),
                text: String::new(),
                message: m,
            },
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeError::Message(m) => f.write_str(m),
            DeError::Complete(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::Message(msg.to_string())
    }
}

// ---------------------------------------------------------------------------
// A whole row
// ---------------------------------------------------------------------------

struct RowDe<'de, 'm> {
    row: &'de Row,
    meta: &'m Meta,
}

impl<'de> Deserializer<'de> for RowDe<'de, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let columns = self.meta.struct_columns(self.row.metadata(), fields);
        if let Some(missing) = fields.iter().zip(columns.iter()).find(|(_, c)| c.is_none()) {
            return Err(DeError::Complete(Box::new(missing_column(
                self.row, missing.0,
            ))));
        }
        visitor.visit_map(StructAccess {
            row: self.row,
            meta: self.meta,
            fields,
            columns: &columns,
            next: 0,
        })
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(ColumnsAccess {
            row: self.row,
            meta: self.meta,
            next: 0,
        })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(ColumnsAccess {
            row: self.row,
            meta: self.meta,
            next: 0,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct enum identifier
    }
}

/// A struct's fields, in declaration order, each from its column.
struct StructAccess<'de, 'm> {
    row: &'de Row,
    meta: &'m Meta,
    fields: &'static [&'static str],
    columns: &'m [Option<usize>],
    next: usize,
}

impl<'de> MapAccess<'de> for StructAccess<'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.fields.get(self.next) {
            None => Ok(None),
            Some(field) => seed
                .deserialize(de::value::BorrowedStrDeserializer::new(field))
                .map(Some),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let index = self.columns.get(self.next).copied().flatten();
        self.next += 1;
        let index = index.ok_or_else(|| DeError::msg("field without a column"))?;
        let ty = self.meta.types.get(index).unwrap_or(&UNKNOWN);
        seed.deserialize(ValueDe::column(self.row, index, ty))
            .map_err(|e| DeError::Complete(Box::new(e.into_error(self.row, Some(index)))))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len() - self.next.min(self.fields.len()))
    }
}

/// All columns in order: as `name -> value` entries, or as a sequence.
struct ColumnsAccess<'de, 'm> {
    row: &'de Row,
    meta: &'m Meta,
    next: usize,
}

impl<'de> ColumnsAccess<'de, '_> {
    fn value<T: DeserializeSeed<'de>>(&self, index: usize, seed: T) -> Result<T::Value, DeError> {
        let ty = self.meta.types.get(index).unwrap_or(&UNKNOWN);
        seed.deserialize(ValueDe::column(self.row, index, ty))
            .map_err(|e| DeError::Complete(Box::new(e.into_error(self.row, Some(index)))))
    }
}

impl<'de> MapAccess<'de> for ColumnsAccess<'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let row: &'de Row = self.row;
        match row.columns().get(self.next) {
            None => Ok(None),
            Some(c) => seed
                .deserialize(de::value::BorrowedStrDeserializer::new(c.name.as_str()))
                .map(Some),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let index = self.next;
        self.next += 1;
        self.value(index, seed)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.row.len().saturating_sub(self.next))
    }
}

impl<'de> SeqAccess<'de> for ColumnsAccess<'de, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        if self.next >= self.row.len() {
            return Ok(None);
        }
        let index = self.next;
        self.next += 1;
        self.value(index, seed).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.row.len().saturating_sub(self.next))
    }
}

// ---------------------------------------------------------------------------
// One value: a column, or an element of an array, map or row
// ---------------------------------------------------------------------------

/// Reads one value from its text (or parsed node), for the type asked for.
struct ValueDe<'de, 'm> {
    node: Node<'de>,
    ty: &'m AthenaType,
}

impl<'de, 'm> ValueDe<'de, 'm> {
    fn column(row: &'de Row, index: usize, ty: &'m AthenaType) -> Self {
        ValueDe {
            node: match row.get_index(index) {
                Some(text) => Node::Text(text),
                None => Node::Null,
            },
            ty,
        }
    }

    /// The text of a non-NULL value.
    fn text(&self) -> Result<&'de str, DeError> {
        match self.node {
            Node::Null => Err(null_error()),
            ref n => Ok(n.raw()),
        }
    }

    /// The value parsed as nested (`want` is the shape to read when the column
    /// type does not say), with the type of its parts.
    fn nested(self, want: AthenaType) -> Result<(Node<'de>, AthenaType), DeError> {
        let ty = if self.ty.is_nested() {
            self.ty.clone()
        } else {
            want
        };
        match self.node {
            Node::Null => Err(null_error()),
            Node::Text(t) => Ok((value::parse_node(t, &ty, 0).map_err(DeError::parse)?, ty)),
            node => Ok((node, ty)),
        }
    }

    fn decimal_is_not_float(&self) -> Result<(), DeError> {
        if let AthenaType::Decimal { .. } = self.ty {
            return Err(DeError::msg(
                "a decimal is not read into a float (it would lose digits): read it into String \
                 or rust_decimal::Decimal, or CAST it to DOUBLE in SQL",
            ));
        }
        Ok(())
    }
}

fn null_error() -> DeError {
    DeError::msg("the value is NULL: declare the field as Option<_>")
}

macro_rules! deserialize_int {
    ($($method:ident $t:ty => $visit:ident,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let n: $t = value::parse_int(self.text()?).map_err(DeError::parse)?;
            visitor.$visit(n)
        }
    )*};
}

/// A `json` value forwarded to serde_json's deserializer, which must read all of it.
macro_rules! json {
    ($self:ident, $method:ident ( $($arg:expr),* )) => {{
        let mut d = serde_json::Deserializer::from_str($self.text()?);
        let v = d.$method($($arg),*).map_err(DeError::json)?;
        d.end().map_err(DeError::json)?;
        Ok(v)
    }};
}

impl<'de> Deserializer<'de> for ValueDe<'de, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if let Node::Null = self.node {
            return visitor.visit_unit();
        }
        match self.ty {
            AthenaType::Boolean => self.deserialize_bool(visitor),
            AthenaType::TinyInt => self.deserialize_i8(visitor),
            AthenaType::SmallInt => self.deserialize_i16(visitor),
            AthenaType::Integer => self.deserialize_i32(visitor),
            AthenaType::BigInt => self.deserialize_i64(visitor),
            AthenaType::Real => self.deserialize_f32(visitor),
            AthenaType::Double => self.deserialize_f64(visitor),
            AthenaType::Varbinary => self.deserialize_byte_buf(visitor),
            AthenaType::Json => json!(self, deserialize_any(visitor)),
            AthenaType::Array(_) => self.deserialize_seq(visitor),
            AthenaType::Map(_) => self.deserialize_map(visitor),
            AthenaType::Row(_) | AthenaType::Unknown(_) => {
                let node = match self.node {
                    // A row column not parsed yet.
                    Node::Text(t) if self.ty.is_nested() => {
                        value::parse_node(t, self.ty, 0).map_err(DeError::parse)?
                    }
                    node => node,
                };
                let ty = self.ty;
                match node {
                    // Named rows are maps, anonymous ones sequences.
                    Node::Row(_, ref fields) if fields.iter().any(|(n, _)| n.is_none()) => {
                        ValueDe { node, ty }.deserialize_seq(visitor)
                    }
                    Node::Row(..) | Node::Map(..) => ValueDe { node, ty }.deserialize_map(visitor),
                    Node::Array(..) => ValueDe { node, ty }.deserialize_seq(visitor),
                    Node::Text(t) => visitor.visit_borrowed_str(t),
                    Node::Null => visitor.visit_unit(),
                }
            }
            // decimal (exact text), varchar, char, date/time, uuid, ipaddress, interval.
            _ => visitor.visit_borrowed_str(self.text()?),
        }
    }

    deserialize_int! {
        deserialize_i8 i8 => visit_i8,
        deserialize_i16 i16 => visit_i16,
        deserialize_i32 i32 => visit_i32,
        deserialize_i64 i64 => visit_i64,
        deserialize_i128 i128 => visit_i128,
        deserialize_u8 u8 => visit_u8,
        deserialize_u16 u16 => visit_u16,
        deserialize_u32 u32 => visit_u32,
        deserialize_u64 u64 => visit_u64,
        deserialize_u128 u128 => visit_u128,
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_bool(value::parse_bool(self.text()?).map_err(DeError::parse)?)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.decimal_is_not_float()?;
        visitor.visit_f32(value::parse_real(self.text()?).map_err(DeError::parse)?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.decimal_is_not_float()?;
        visitor.visit_f64(value::parse_double(self.text()?).map_err(DeError::parse)?)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let t = self.text()?;
        let mut chars = t.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => visitor.visit_char(c),
            _ => Err(DeError::msg("expected exactly one character")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_str(self.text()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_str(self.text()?)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let t = self.text()?;
        if let AthenaType::Varbinary = self.ty {
            visitor.visit_byte_buf(value::parse_varbinary(t).map_err(DeError::parse)?)
        } else {
            visitor.visit_borrowed_bytes(t.as_bytes())
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node {
            Node::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.ty {
            AthenaType::Json => return json!(self, deserialize_seq(visitor)),
            AthenaType::Varbinary => {
                let bytes = value::parse_varbinary(self.text()?).map_err(DeError::parse)?;
                return visitor.visit_seq(de::value::SeqDeserializer::new(bytes.into_iter()));
            }
            _ => {}
        }
        let (node, ty) = self.nested(AthenaType::Array(None))?;
        match (node, &ty) {
            (Node::Array(_, items), AthenaType::Array(elem)) => visitor.visit_seq(ItemsAccess {
                items: items.into_iter(),
                ty: elem.as_deref().unwrap_or(&UNKNOWN),
                index: 0,
            }),
            (Node::Array(_, items), _) => visitor.visit_seq(ItemsAccess {
                items: items.into_iter(),
                ty: &UNKNOWN,
                index: 0,
            }),
            (Node::Row(_, fields), ty) => visitor.visit_seq(FieldsAccess {
                fields: fields.into_iter(),
                types: row_types(ty),
                index: 0,
                pending: None,
            }),
            (node, _) => Err(de::Error::invalid_type(unexpected(&node), &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if let AthenaType::Json = self.ty {
            return json!(self, deserialize_map(visitor));
        }
        let want = AthenaType::Row(None);
        let (node, ty) = self.nested(want)?;
        match (node, &ty) {
            (Node::Map(_, entries), AthenaType::Map(kv)) => {
                let (k, v) = match kv.as_deref() {
                    Some((k, v)) => (k, v),
                    None => (&UNKNOWN, &UNKNOWN),
                };
                visitor.visit_map(EntriesAccess {
                    entries: entries.into_iter(),
                    key_ty: k,
                    value_ty: v,
                    pending: None,
                })
            }
            (Node::Row(_, fields), ty) if fields.iter().all(|(n, _)| n.is_some()) => visitor
                .visit_map(FieldsAccess {
                    fields: fields.into_iter(),
                    types: row_types(ty),
                    index: 0,
                    pending: None,
                }),
            (node, _) => Err(de::Error::invalid_type(unexpected(&node), &visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if let AthenaType::Json = self.ty {
            return json!(self, deserialize_struct(name, fields, visitor));
        }
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if let AthenaType::Json = self.ty {
            return json!(self, deserialize_enum(name, variants, visitor));
        }
        // A text value names a unit variant.
        let t = self.text()?;
        visitor.visit_enum(de::value::BorrowedStrDeserializer::<DeError>::new(t))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

/// What a node is, for "invalid type" errors.
fn unexpected<'a>(node: &Node<'a>) -> de::Unexpected<'a> {
    match node {
        Node::Null => de::Unexpected::Unit,
        Node::Text(t) => de::Unexpected::Str(t),
        Node::Array(..) => de::Unexpected::Seq,
        Node::Map(..) => de::Unexpected::Map,
        Node::Row(..) => de::Unexpected::Other("row"),
    }
}

fn row_types(ty: &AthenaType) -> Vec<&AthenaType> {
    match ty {
        AthenaType::Row(Some(fields)) => fields.iter().map(|f: &RowField| &f.r#type).collect(),
        _ => Vec::new(),
    }
}

/// The elements of an array.
struct ItemsAccess<'de, 'm> {
    items: std::vec::IntoIter<Node<'de>>,
    ty: &'m AthenaType,
    index: usize,
}

impl<'de> SeqAccess<'de> for ItemsAccess<'de, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(node) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        let text = node.raw();
        seed.deserialize(ValueDe { node, ty: self.ty })
            .map(Some)
            .map_err(|e| e.in_element(format_args!("element {index} ({:?})", value::shorten(text))))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of a map.
struct EntriesAccess<'de, 'm> {
    entries: std::vec::IntoIter<(Node<'de>, Node<'de>)>,
    key_ty: &'m AthenaType,
    value_ty: &'m AthenaType,
    pending: Option<Node<'de>>,
}

impl<'de> MapAccess<'de> for EntriesAccess<'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some(value);
        let text = key.raw();
        seed.deserialize(ValueDe {
            node: key,
            ty: self.key_ty,
        })
        .map(Some)
        .map_err(|e| e.in_element(format_args!("map key {:?}", value::shorten(text))))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let node = self.pending.take().unwrap_or(Node::Null);
        let text = node.raw();
        seed.deserialize(ValueDe {
            node,
            ty: self.value_ty,
        })
        .map_err(|e| e.in_element(format_args!("map value {:?}", value::shorten(text))))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The fields of a row: `name -> value` entries, or values in order.
struct FieldsAccess<'de, 'm> {
    fields: std::vec::IntoIter<(Option<&'de str>, Node<'de>)>,
    types: Vec<&'m AthenaType>,
    index: usize,
    pending: Option<(String, Node<'de>)>,
}

impl<'de> FieldsAccess<'de, '_> {
    fn field<T: DeserializeSeed<'de>>(
        &mut self,
        name: String,
        node: Node<'de>,
        seed: T,
    ) -> Result<T::Value, DeError> {
        let ty = self.types.get(self.index).copied().unwrap_or(&UNKNOWN);
        self.index += 1;
        seed.deserialize(ValueDe { node, ty })
            .map_err(|e| e.in_element(format_args!("row field {name}")))
    }
}

impl<'de> MapAccess<'de> for FieldsAccess<'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((name, node)) = self.fields.next() else {
            return Ok(None);
        };
        let name = name.unwrap_or_default();
        self.pending = Some((name.to_owned(), node));
        seed.deserialize(de::value::BorrowedStrDeserializer::new(name))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (name, node) = self.pending.take().unwrap_or((String::new(), Node::Null));
        self.field(name, node, seed)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len())
    }
}

impl<'de> SeqAccess<'de> for FieldsAccess<'de, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some((_, node)) = self.fields.next() else {
            return Ok(None);
        };
        let name = self.index.to_string();
        self.field(name, node, seed).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len())
    }
}
