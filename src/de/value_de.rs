//! One value, a column or a part of an array, map or row, read from its text
//! for the Rust type asked for. The column's Athena type decides what only it
//! can: that a decimal is never a float, that varbinary is spaced hex, that json
//! is parsed as JSON, how nested values split, and what a self-describing target
//! (`serde_json::Value`) receives.
//!
//! The parts of a nested value (the elements of an array, the entries of a map,
//! the fields of a row) are read by the same deserializer, each with its own
//! type: [`ItemsAccess`], [`EntriesAccess`] and [`FieldsAccess`] hand them to it,
//! which is why they live here with it.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::error::DeError;
use crate::row::Row;
use crate::value::notation::{Node, fields_by_name, parse_node};
use crate::value::scalars::{parse_bool, parse_double, parse_int, parse_real, parse_varbinary};
use crate::value::{AthenaType, shorten};

/// The shapes to read a value of a type that is not nested in, when a sequence
/// or a map is asked for (a `varchar` holding `[a, b]`, say). Statics, so that a
/// nested value costs no type clone.
static ARRAY: AthenaType = AthenaType::Array(None);
static ROW: AthenaType = AthenaType::Row(None);

/// Reads one value from its text (or parsed node), for the type asked for.
pub(super) struct ValueDe<'de, 'm> {
    pub(super) node: Node<'de>,
    pub(super) ty: &'m AthenaType,
}

impl<'de, 'm> ValueDe<'de, 'm> {
    pub(super) fn column(row: &'de Row, index: usize, ty: &'m AthenaType) -> Self {
        ValueDe {
            node: match row.text(index) {
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
    /// type does not say), with the type it was parsed with.
    fn nested(self, want: &'static AthenaType) -> Result<(Node<'de>, &'m AthenaType), DeError> {
        let ty = if self.ty.is_nested() { self.ty } else { want };
        match self.node {
            Node::Null => Err(null_error()),
            Node::Text(t) => Ok((parse_node(t, ty, 0).map_err(DeError::parse)?, ty)),
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
            let n: $t = parse_int(self.text()?).map_err(DeError::parse)?;
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
                        parse_node(t, self.ty, 0).map_err(DeError::parse)?
                    }
                    node => node,
                };
                let ty = self.ty;
                match node {
                    Node::Row(_, ref fields) if !fields_by_name(fields) => {
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
        visitor.visit_bool(parse_bool(self.text()?).map_err(DeError::parse)?)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.decimal_is_not_float()?;
        visitor.visit_f32(parse_real(self.text()?).map_err(DeError::parse)?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.decimal_is_not_float()?;
        visitor.visit_f64(parse_double(self.text()?).map_err(DeError::parse)?)
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
            visitor.visit_byte_buf(parse_varbinary(t).map_err(DeError::parse)?)
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
                let bytes = parse_varbinary(self.text()?).map_err(DeError::parse)?;
                return visitor.visit_seq(de::value::SeqDeserializer::new(bytes.into_iter()));
            }
            _ => {}
        }
        let (node, ty) = self.nested(&ARRAY)?;
        match node {
            Node::Array(_, items) => visitor.visit_seq(ItemsAccess::new(items, ty.element_type())),
            Node::Row(_, fields) => visitor.visit_seq(FieldsAccess::new(fields, ty)),
            node => Err(de::Error::invalid_type(unexpected(&node), &visitor)),
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
        let (node, ty) = self.nested(&ROW)?;
        match node {
            Node::Map(_, entries) => {
                let (key_ty, value_ty) = ty.key_value_types();
                visitor.visit_map(EntriesAccess::new(entries, key_ty, value_ty))
            }
            Node::Row(_, fields) if fields_by_name(&fields) => {
                visitor.visit_map(FieldsAccess::new(fields, ty))
            }
            node => Err(de::Error::invalid_type(unexpected(&node), &visitor)),
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

// ---------------------------------------------------------------------------
// The parts of a nested value
// ---------------------------------------------------------------------------

/// The elements of an array.
struct ItemsAccess<'de, 'm> {
    items: std::vec::IntoIter<Node<'de>>,
    ty: &'m AthenaType,
    index: usize,
}

impl<'de, 'm> ItemsAccess<'de, 'm> {
    /// The elements `items`, each of type `ty`.
    fn new(items: Vec<Node<'de>>, ty: &'m AthenaType) -> Self {
        ItemsAccess {
            items: items.into_iter(),
            ty,
            index: 0,
        }
    }
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
            .map_err(|e| e.in_element(format_args!("element {index} ({:?})", shorten(text))))
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

impl<'de, 'm> EntriesAccess<'de, 'm> {
    /// The entries `entries`, keys of type `key_ty`, values of type `value_ty`.
    fn new(
        entries: Vec<(Node<'de>, Node<'de>)>,
        key_ty: &'m AthenaType,
        value_ty: &'m AthenaType,
    ) -> Self {
        EntriesAccess {
            entries: entries.into_iter(),
            key_ty,
            value_ty,
            pending: None,
        }
    }
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
        .map_err(|e| e.in_element(format_args!("map key {:?}", shorten(text))))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let node = self.pending.take().unwrap_or(Node::Null);
        let text = node.raw();
        seed.deserialize(ValueDe {
            node,
            ty: self.value_ty,
        })
        .map_err(|e| e.in_element(format_args!("map value {:?}", shorten(text))))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The fields of a row: `name -> value` entries, or values in order.
struct FieldsAccess<'de, 'm> {
    fields: std::vec::IntoIter<(Option<&'de str>, Node<'de>)>,
    /// The row's type, which gives each field's type (unknown when it does not).
    row_ty: &'m AthenaType,
    index: usize,
    pending: Option<(&'de str, Node<'de>)>,
}

impl<'de, 'm> FieldsAccess<'de, 'm> {
    /// The fields `fields` of a row of type `row_ty`.
    fn new(fields: Vec<(Option<&'de str>, Node<'de>)>, row_ty: &'m AthenaType) -> Self {
        FieldsAccess {
            fields: fields.into_iter(),
            row_ty,
            index: 0,
            pending: None,
        }
    }

    /// The next field's value; `name` (its name, or its place when anonymous) is
    /// only formatted into an error message.
    fn field<T: DeserializeSeed<'de>>(
        &mut self,
        name: &dyn fmt::Display,
        node: Node<'de>,
        seed: T,
    ) -> Result<T::Value, DeError> {
        let ty = self.row_ty.field_type(self.index);
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
        self.pending = Some((name, node));
        seed.deserialize(de::value::BorrowedStrDeserializer::new(name))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (name, node) = self.pending.take().unwrap_or(("", Node::Null));
        self.field(&name, node, seed)
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
        let index = self.index;
        self.field(&index, node, seed).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len())
    }
}
