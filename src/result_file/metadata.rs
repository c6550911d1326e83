//! `<QueryExecutionId>.csv.metadata`: the result's columns, as protobuf.
//!
//! The file is one message whose field 4 repeats, one `ColumnInfo` message per column
//! in result order: 1 catalog_name, 2 schema_name, 3 table_name, 4 name, 5 label,
//! 6 type (strings), 7 precision, 8 scale (int32 varints), 9 nullable (enum varint),
//! 10 case_sensitive (bool varint). Athena also writes a top-level field 1, the
//! engine's own query id (`20190513_152236_00114_n7swu`, not the QueryExecutionId),
//! which is skipped like any field not listed here.
//!
//! The nullable enum is 1 NOT_NULL, 2 NULLABLE, 3 UNKNOWN. This is what Athena writes:
//! files it wrote (kept as test data by the open-source JDBC driver
//! burtcorp/athena-jdbc, `src/test/resources/protobuf/medium.bin`) carry 3 on integer
//! columns, for which `GetQueryResults` says `UNKNOWN`, and that driver reads 1 and 2
//! as NOT_NULL and NULLABLE. The same files write strings only when not empty, and
//! precision, scale, nullable and case_sensitive always; [`encode`] does the same.
//!
//! Only wire types 0 (varint) and 2 (length-delimited) occur. Unknown fields of those
//! types are skipped; other wire types, truncated input, varints past 64 bits, int32
//! values out of range, strings that are not UTF-8 and nullable values other than
//! 1-3 are errors. A file cut right after a whole column cannot be told from a file
//! with fewer columns (protobuf has no end marker); the CSV's header row, which must
//! match the names, catches that.

use crate::row::ColumnInfo;

/// The `Nullable` of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Nullability {
    /// `NOT_NULL` (1).
    NotNull,
    /// `NULLABLE` (2).
    Nullable,
    /// `UNKNOWN` (3), what Athena writes for every column.
    Unknown,
}

impl Nullability {
    /// The name `GetQueryResults` uses for it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Nullability::NotNull => "NOT_NULL",
            Nullability::Nullable => "NULLABLE",
            Nullability::Unknown => "UNKNOWN",
        }
    }

    fn from_wire(value: u64) -> Option<Self> {
        match value {
            1 => Some(Nullability::NotNull),
            2 => Some(Nullability::Nullable),
            3 => Some(Nullability::Unknown),
            _ => None,
        }
    }

    #[cfg(test)]
    fn to_wire(self) -> u64 {
        match self {
            Nullability::NotNull => 1,
            Nullability::Nullable => 2,
            Nullability::Unknown => 3,
        }
    }
}

/// One column of `.csv.metadata`, with every field the file has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MetadataColumn {
    /// Field 1, `CatalogName` (Athena writes `hive`).
    pub(crate) catalog_name: String,
    /// Field 2, `SchemaName`.
    pub(crate) schema_name: String,
    /// Field 3, `TableName`.
    pub(crate) table_name: String,
    /// Field 4, `Name`.
    pub(crate) name: String,
    /// Field 5, `Label`.
    pub(crate) label: String,
    /// Field 6, `Type`.
    pub(crate) r#type: String,
    /// Field 7, `Precision`.
    pub(crate) precision: i32,
    /// Field 8, `Scale`.
    pub(crate) scale: i32,
    /// Field 9, `Nullable`; `None` when absent.
    pub(crate) nullable: Option<Nullability>,
    /// Field 10, `CaseSensitive`.
    pub(crate) case_sensitive: bool,
}

impl From<MetadataColumn> for ColumnInfo {
    /// The library's column type, as `GetQueryResults` would give it (which has no
    /// catalog, schema or table name).
    fn from(c: MetadataColumn) -> Self {
        let mut info = ColumnInfo::new(c.name, c.r#type);
        info.label = c.label;
        info.precision = c.precision;
        info.scale = c.scale;
        info.nullable = c.nullable.map(|n| n.as_str().to_owned());
        info.case_sensitive = c.case_sensitive;
        info
    }
}

/// What is wrong with a `.csv.metadata` file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MetadataErrorKind {
    /// The input ends inside a tag, a varint or a length-delimited field.
    #[error("the input ends inside {0}")]
    Truncated(&'static str),
    /// A varint has more than 64 bits.
    #[error("a varint is longer than 64 bits")]
    VarintOverflow,
    /// A tag with field number 0 or above 2^29 - 1.
    #[error("invalid tag {0}")]
    InvalidTag(u64),
    /// A wire type other than 0 (varint) and 2 (length-delimited).
    #[error(
        "field {field} has wire type {wire_type}; only 0 (varint) and 2 (length-delimited) occur"
    )]
    UnsupportedWireType {
        /// The field number.
        field: u32,
        /// The wire type.
        wire_type: u8,
    },
    /// A known field with the other wire type.
    #[error("field {field} of {message} has wire type {found}, expected {expected}")]
    WrongWireType {
        /// `result` (the top-level message) or `ColumnInfo`.
        message: &'static str,
        /// The field number.
        field: u32,
        /// Its wire type.
        expected: u8,
        /// The wire type found.
        found: u8,
    },
    /// A string field that is not UTF-8.
    #[error("field {field} of ColumnInfo is not UTF-8")]
    NotUtf8 {
        /// The field number.
        field: u32,
    },
    /// An int32 field whose varint is not an int32.
    #[error("field {field} of ColumnInfo is {value}, out of the int32 range")]
    OutOfRange {
        /// The field number.
        field: u32,
        /// The value, as a signed 64-bit number.
        value: i64,
    },
    /// A nullable value other than 1, 2 and 3.
    #[error("nullable is {0}; known values are 1 NOT_NULL, 2 NULLABLE, 3 UNKNOWN")]
    UnknownNullable(u64),
}

/// A `.csv.metadata` decoding error, with the offset of the tag, varint or field at
/// fault in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("result metadata, byte {offset}: {kind}")]
pub(crate) struct MetadataError {
    /// Offset in the file.
    pub(crate) offset: usize,
    /// What is wrong.
    pub(crate) kind: MetadataErrorKind,
}

const VARINT: u8 = 0;
const LEN: u8 = 2;

/// Decodes a `.csv.metadata` file into its columns, in result order.
pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<MetadataColumn>, MetadataError> {
    let mut reader = Reader { bytes, pos: 0 };
    let mut columns = Vec::new();
    while let Some((field, value)) = reader.field()? {
        match (field.number, value) {
            (4, Value::Len(start, body)) => columns.push(decode_column(start, body)?),
            (4, Value::Varint(_)) => {
                return Err(field.wrong_wire_type("result", LEN));
            }
            _ => {}
        }
    }
    Ok(columns)
}

/// Decodes one `ColumnInfo` message, found at `start` in the file.
fn decode_column(start: usize, body: &[u8]) -> Result<MetadataColumn, MetadataError> {
    let mut reader = Reader {
        bytes: body,
        pos: 0,
    };
    let mut column = MetadataColumn::default();
    while let Some((field, value)) = reader.field().map_err(|e| e.at(start))? {
        let at = start + field.offset;
        let error = |kind| MetadataError { offset: at, kind };
        let string = |bytes: &[u8]| {
            std::str::from_utf8(bytes).map(str::to_owned).map_err(|_| {
                error(MetadataErrorKind::NotUtf8 {
                    field: field.number,
                })
            })
        };
        let int32 = |v: u64| {
            // int32 is sign-extended to 64 bits on the wire.
            i32::try_from(v as i64).map_err(|_| {
                error(MetadataErrorKind::OutOfRange {
                    field: field.number,
                    value: v as i64,
                })
            })
        };
        match (field.number, value) {
            (1, Value::Len(_, b)) => column.catalog_name = string(b)?,
            (2, Value::Len(_, b)) => column.schema_name = string(b)?,
            (3, Value::Len(_, b)) => column.table_name = string(b)?,
            (4, Value::Len(_, b)) => column.name = string(b)?,
            (5, Value::Len(_, b)) => column.label = string(b)?,
            (6, Value::Len(_, b)) => column.r#type = string(b)?,
            (7, Value::Varint(v)) => column.precision = int32(v)?,
            (8, Value::Varint(v)) => column.scale = int32(v)?,
            (9, Value::Varint(v)) => {
                column.nullable = Some(
                    Nullability::from_wire(v)
                        .ok_or_else(|| error(MetadataErrorKind::UnknownNullable(v)))?,
                );
            }
            // Protobuf reads any non-zero bool as true.
            (10, Value::Varint(v)) => column.case_sensitive = v != 0,
            (1..=6, Value::Varint(_)) => {
                return Err(field.wrong_wire_type("ColumnInfo", LEN).at(start));
            }
            (7..=10, Value::Len(..)) => {
                return Err(field.wrong_wire_type("ColumnInfo", VARINT).at(start));
            }
            _ => {}
        }
    }
    Ok(column)
}

#[cfg(test)]
/// Encodes columns as a `.csv.metadata` file (the inverse of [`decode`]), writing what
/// Athena writes: strings when not empty, the numbers always, `nullable` when set.
pub(crate) fn encode(columns: &[MetadataColumn]) -> Vec<u8> {
    let mut out = Vec::with_capacity(columns.len() * 48);
    let mut body = Vec::with_capacity(64);
    for c in columns {
        body.clear();
        for (number, text) in [
            (1, &c.catalog_name),
            (2, &c.schema_name),
            (3, &c.table_name),
            (4, &c.name),
            (5, &c.label),
            (6, &c.r#type),
        ] {
            if !text.is_empty() {
                put_len_field(&mut body, number, text.as_bytes());
            }
        }
        // Negative int32 values are sign-extended to 64 bits, as protobuf does.
        put_varint_field(&mut body, 7, i64::from(c.precision) as u64);
        put_varint_field(&mut body, 8, i64::from(c.scale) as u64);
        if let Some(nullable) = c.nullable {
            put_varint_field(&mut body, 9, nullable.to_wire());
        }
        put_varint_field(&mut body, 10, u64::from(c.case_sensitive));
        put_len_field(&mut out, 4, &body);
    }
    out
}

#[cfg(test)]
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[cfg(test)]
fn put_varint_field(out: &mut Vec<u8>, number: u32, v: u64) {
    put_varint(out, u64::from(number) << 3 | u64::from(VARINT));
    put_varint(out, v);
}

#[cfg(test)]
fn put_len_field(out: &mut Vec<u8>, number: u32, bytes: &[u8]) {
    put_varint(out, u64::from(number) << 3 | u64::from(LEN));
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// A field's number and where its tag is.
#[derive(Debug, Clone, Copy)]
struct Field {
    number: u32,
    wire_type: u8,
    /// Offset of the tag in the message being read.
    offset: usize,
}

impl Field {
    fn wrong_wire_type(self, message: &'static str, expected: u8) -> MetadataError {
        MetadataError {
            offset: self.offset,
            kind: MetadataErrorKind::WrongWireType {
                message,
                field: self.number,
                expected,
                found: self.wire_type,
            },
        }
    }
}

impl MetadataError {
    /// The error moved by `base` bytes, for a message nested at `base` in the file.
    fn at(mut self, base: usize) -> Self {
        self.offset += base;
        self
    }
}

/// A field's value: a varint, or the bytes of a length-delimited field with the
/// offset where they start.
#[derive(Debug, Clone, Copy)]
enum Value<'a> {
    Varint(u64),
    Len(usize, &'a [u8]),
}

/// Reads the fields of one message.
#[derive(Debug)]
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// The next field, or `None` at the end of the message.
    fn field(&mut self) -> Result<Option<(Field, Value<'a>)>, MetadataError> {
        if self.pos == self.bytes.len() {
            return Ok(None);
        }
        let offset = self.pos;
        let tag = self.varint("a tag")?;
        let number = tag >> 3;
        if number == 0 || number > (1 << 29) - 1 {
            return Err(MetadataError {
                offset,
                kind: MetadataErrorKind::InvalidTag(tag),
            });
        }
        let field = Field {
            number: number as u32,
            wire_type: (tag & 7) as u8,
            offset,
        };
        let value = match field.wire_type {
            VARINT => Value::Varint(self.varint("a varint")?),
            LEN => {
                let len_at = self.pos;
                let len = self.varint("a length")?;
                let left = self.bytes.len() - self.pos;
                // `len` is compared as u64: a length past usize is past the input too.
                if len > left as u64 {
                    return Err(MetadataError {
                        offset: len_at,
                        kind: MetadataErrorKind::Truncated("a length-delimited field"),
                    });
                }
                let start = self.pos;
                self.pos += len as usize;
                Value::Len(start, &self.bytes[start..self.pos])
            }
            wire_type => {
                return Err(MetadataError {
                    offset,
                    kind: MetadataErrorKind::UnsupportedWireType {
                        field: field.number,
                        wire_type,
                    },
                });
            }
        };
        Ok(Some((field, value)))
    }

    /// A base-128 varint of at most 64 bits (10 bytes, the last one 0 or 1).
    fn varint(&mut self, what: &'static str) -> Result<u64, MetadataError> {
        let start = self.pos;
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(MetadataError {
                    offset: start,
                    kind: MetadataErrorKind::Truncated(what),
                });
            };
            self.pos += 1;
            // The 10th byte holds bit 63 alone: more would not fit in 64 bits.
            if shift == 63 && b > 1 {
                return Err(MetadataError {
                    offset: start,
                    kind: MetadataErrorKind::VarintOverflow,
                });
            }
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
    }
}

#[cfg(test)]
mod tests;
