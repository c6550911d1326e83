//! Hive column types, as `CREATE EXTERNAL TABLE` writes them (`array<struct<a:int>>`):
//! their parser, their Arrow types, and the Hive type of an Arrow type (for CTAS).

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Fields, TimeUnit};

use super::lexer::TokenKind;
use super::parser::Parser;
use crate::engine::error::QueryError;

/// Deepest nesting of a type accepted (`array<array<...>>`), so a hostile statement
/// cannot exhaust the stack.
const MAX_TYPE_DEPTH: usize = 64;

/// A Hive column type, as written in `CREATE EXTERNAL TABLE`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HiveType {
    Boolean,
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Float,
    Double,
    Decimal(u8, i8),
    String,
    Varchar(u32),
    Char(u32),
    Date,
    Timestamp,
    Binary,
    Array(Box<HiveType>),
    Map(Box<HiveType>, Box<HiveType>),
    Struct(Vec<(String, HiveType)>),
}

impl HiveType {
    /// The Arrow type the emulator stores this as.
    pub(crate) fn to_arrow(&self) -> DataType {
        match self {
            HiveType::Boolean => DataType::Boolean,
            HiveType::TinyInt => DataType::Int8,
            HiveType::SmallInt => DataType::Int16,
            HiveType::Int => DataType::Int32,
            HiveType::BigInt => DataType::Int64,
            HiveType::Float => DataType::Float32,
            HiveType::Double => DataType::Float64,
            HiveType::Decimal(p, s) => DataType::Decimal128(*p, *s),
            HiveType::String | HiveType::Varchar(_) | HiveType::Char(_) => DataType::Utf8,
            HiveType::Date => DataType::Date32,
            HiveType::Timestamp => DataType::Timestamp(TimeUnit::Millisecond, None),
            HiveType::Binary => DataType::Binary,
            HiveType::Array(t) => DataType::List(Arc::new(Field::new("item", t.to_arrow(), true))),
            HiveType::Map(k, v) => DataType::Map(
                Arc::new(Field::new(
                    "entries",
                    DataType::Struct(Fields::from(vec![
                        Field::new("key", k.to_arrow(), false),
                        Field::new("value", v.to_arrow(), true),
                    ])),
                    false,
                )),
                false,
            ),
            HiveType::Struct(fields) => DataType::Struct(Fields::from(
                fields
                    .iter()
                    .map(|(n, t)| Field::new(n, t.to_arrow(), true))
                    .collect::<Vec<_>>(),
            )),
        }
    }

    /// Whether the Arrow type is a string (so text files need no conversion).
    pub(crate) fn is_string(&self) -> bool {
        matches!(
            self,
            HiveType::String | HiveType::Varchar(_) | HiveType::Char(_)
        )
    }

    /// Whether a delimited text file can hold this type (no nested types).
    pub(crate) fn is_primitive(&self) -> bool {
        !matches!(
            self,
            HiveType::Array(_) | HiveType::Map(..) | HiveType::Struct(_)
        )
    }

    /// The Hive type Athena's CTAS gives a result column of this Arrow type.
    pub(crate) fn from_arrow(data_type: &DataType) -> Option<HiveType> {
        Some(match data_type {
            DataType::Boolean => HiveType::Boolean,
            DataType::Int8 => HiveType::TinyInt,
            DataType::Int16 | DataType::UInt8 => HiveType::SmallInt,
            DataType::Int32 | DataType::UInt16 => HiveType::Int,
            DataType::Int64 | DataType::UInt32 | DataType::UInt64 => HiveType::BigInt,
            DataType::Float16 | DataType::Float32 => HiveType::Float,
            DataType::Float64 => HiveType::Double,
            DataType::Decimal128(p, s) => HiveType::Decimal(*p, *s),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {
                HiveType::String
            }
            DataType::Date32 | DataType::Date64 => HiveType::Date,
            DataType::Timestamp(..) => HiveType::Timestamp,
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView => HiveType::Binary,
            DataType::List(f) | DataType::LargeList(f) => {
                HiveType::Array(Box::new(HiveType::from_arrow(f.data_type())?))
            }
            DataType::Map(entries, _) => match entries.data_type() {
                DataType::Struct(kv) if kv.len() == 2 => HiveType::Map(
                    Box::new(HiveType::from_arrow(kv[0].data_type())?),
                    Box::new(HiveType::from_arrow(kv[1].data_type())?),
                ),
                _ => return None,
            },
            DataType::Struct(fields) => HiveType::Struct(
                fields
                    .iter()
                    .map(|f| {
                        Some((
                            f.name().to_lowercase(),
                            HiveType::from_arrow(f.data_type())?,
                        ))
                    })
                    .collect::<Option<Vec<_>>>()?,
            ),
            _ => return None,
        })
    }

    /// Parses a type at the cursor.
    pub(crate) fn parse(p: &mut Parser) -> Result<HiveType, QueryError> {
        parse_at_depth(p, 1)
    }
}

impl std::fmt::Display for HiveType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HiveType::Boolean => f.write_str("boolean"),
            HiveType::TinyInt => f.write_str("tinyint"),
            HiveType::SmallInt => f.write_str("smallint"),
            HiveType::Int => f.write_str("int"),
            HiveType::BigInt => f.write_str("bigint"),
            HiveType::Float => f.write_str("float"),
            HiveType::Double => f.write_str("double"),
            HiveType::Decimal(p, s) => write!(f, "decimal({p},{s})"),
            HiveType::String => f.write_str("string"),
            HiveType::Varchar(n) => write!(f, "varchar({n})"),
            HiveType::Char(n) => write!(f, "char({n})"),
            HiveType::Date => f.write_str("date"),
            HiveType::Timestamp => f.write_str("timestamp"),
            HiveType::Binary => f.write_str("binary"),
            HiveType::Array(t) => write!(f, "array<{t}>"),
            HiveType::Map(k, v) => write!(f, "map<{k},{v}>"),
            HiveType::Struct(fields) => {
                f.write_str("struct<")?;
                for (i, (n, t)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{n}:{t}")?;
                }
                f.write_str(">")
            }
        }
    }
}

/// A type nested `depth` levels deep (1: a column's own type).
fn parse_at_depth(p: &mut Parser, depth: usize) -> Result<HiveType, QueryError> {
    if depth > MAX_TYPE_DEPTH {
        return Err(p.mismatched("a type nested at most 64 levels deep"));
    }
    let name = match p.peek().map(|t| &t.kind) {
        Some(TokenKind::Word(w)) => w.to_ascii_lowercase(),
        _ => return Err(p.mismatched("<type>")),
    };
    p.advance();
    let t = match name.as_str() {
        "boolean" => HiveType::Boolean,
        "tinyint" => HiveType::TinyInt,
        "smallint" => HiveType::SmallInt,
        "int" | "integer" => HiveType::Int,
        "bigint" => HiveType::BigInt,
        "float" | "real" => HiveType::Float,
        "double" => {
            p.eat_keyword("precision");
            HiveType::Double
        }
        "string" => HiveType::String,
        "date" => HiveType::Date,
        "timestamp" => HiveType::Timestamp,
        "binary" | "varbinary" => HiveType::Binary,
        "varchar" | "char" => {
            p.expect_symbol('(')?;
            let n = p.number()?;
            p.expect_symbol(')')?;
            if name == "varchar" {
                HiveType::Varchar(n)
            } else {
                HiveType::Char(n)
            }
        }
        "decimal" | "numeric" => decimal(p)?,
        "array" | "map" | "struct" => nested(p, &name, depth)?,
        _ => {
            p.back();
            return Err(p.mismatched("<type>"));
        }
    };
    Ok(t)
}

/// `decimal[(p[,s])]`, after the word.
fn decimal(p: &mut Parser) -> Result<HiveType, QueryError> {
    if !p.eat_symbol('(') {
        return Ok(HiveType::Decimal(10, 0));
    }
    let precision = p.number()?;
    let scale = if p.eat_symbol(',') { p.number()? } else { 0 };
    p.expect_symbol(')')?;
    if !(1..=38).contains(&precision) || scale > precision {
        return Err(QueryError::Failed {
            error_category: 2,
            error_type: 1003,
            message: format!(
                "INVALID_COLUMN_TYPE: decimal({precision},{scale}): precision must be 1..38 and scale at most the precision"
            ),
        });
    }
    Ok(HiveType::Decimal(precision as u8, scale as i8))
}

/// `array<t>`, `map<k,v>` or `struct<name:t,...>`, after the word `name`.
fn nested(p: &mut Parser, name: &str, depth: usize) -> Result<HiveType, QueryError> {
    p.expect_symbol('<')?;
    let t = match name {
        "array" => HiveType::Array(Box::new(parse_at_depth(p, depth + 1)?)),
        "map" => {
            let k = parse_at_depth(p, depth + 1)?;
            p.expect_symbol(',')?;
            let v = parse_at_depth(p, depth + 1)?;
            HiveType::Map(Box::new(k), Box::new(v))
        }
        _ => {
            let mut fields = Vec::new();
            loop {
                let n = p.identifier()?;
                p.expect_symbol(':')?;
                let t = parse_at_depth(p, depth + 1)?;
                fields.push((n, t));
                if !p.eat_symbol(',') {
                    break;
                }
            }
            HiveType::Struct(fields)
        }
    };
    p.expect_symbol('>')?;
    Ok(t)
}
