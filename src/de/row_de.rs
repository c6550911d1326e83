//! A whole row as a struct (fields matched to columns by name), a map (every
//! column by name) or a tuple (columns in order).

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::cache::Meta;
use super::error::DeError;
use super::value_de::ValueDe;
use crate::row::Row;

/// Reads a row; see [`Row::deserialize`].
pub(super) struct RowDe<'de, 'm> {
    pub(super) row: &'de Row,
    pub(super) meta: &'m Meta,
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
        // Every field needs its column, `Option` fields too: a typo must not read
        // as NULL.
        if let Some((field, _)) = fields.iter().zip(columns.iter()).find(|(_, c)| c.is_none()) {
            return Err(DeError::Complete(Box::new(self.row.no_such_column(field))));
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
        let ty = self.meta.type_of(index);
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
        let ty = self.meta.type_of(index);
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
