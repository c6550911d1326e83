//! From Athena's column metadata to an Arrow schema: one documented mapping
//! (docs/athena.md, "Values", "As Arrow columns"; the README's type table).
//!
//! | Athena | Arrow |
//! |---|---|
//! | boolean | Boolean |
//! | tinyint, smallint, integer, bigint | Int8, Int16, Int32, Int64 |
//! | real, double | Float32, Float64 |
//! | decimal(p,s) | Decimal128(p,s); Decimal128(38,s) when p is not known |
//! | varchar, char, string | Utf8 |
//! | date | Date32 |
//! | time(p) | Time32(Second) for p 0, Time32(Millisecond) 1-3, Time64(Microsecond) 4-6, Time64(Nanosecond) 7-9; Utf8 above |
//! | timestamp(p) | Timestamp at the same units, without zone; Utf8 above 9 |
//! | varbinary | Binary |
//! | json | Utf8, extension `arrow.json` |
//! | uuid | FixedSizeBinary(16), extension `arrow.uuid` |
//! | ipaddress, interval, time/timestamp with time zone, other names | Utf8 (Athena's text) |
//! | array(T), map(K,V), row(...) with every type known | List, Map, Struct of the mapped types |
//! | array, map, row with a type not known | Utf8 (Athena's text) |
//!
//! Every column is nullable: Athena reports `Nullable` as `UNKNOWN`.
//!
//! The precision of a time or timestamp comes from the signature given in
//! [`BatchOptions`] (`timestamp(6)`; a bare `timestamp` is `timestamp(3)`), else from a
//! precision written in `ColumnInfo.Type`, else from `ColumnInfo.Precision` (Athena
//! sends 3), else 3. A `Precision` of 0 reads as 3 as well: it is also what a
//! `ColumnInfo` built without one carries, and a `timestamp(0)` column's whole seconds
//! fit milliseconds exactly, while the opposite guess would refuse `.123`.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::extension::{EXTENSION_TYPE_METADATA_KEY, EXTENSION_TYPE_NAME_KEY};
use arrow_schema::{DataType, Field, FieldRef, Fields, Schema, SchemaRef, TimeUnit};

use crate::error::{Error, Result};
use crate::row::{ColumnInfo, ResultSetMetadata};
use crate::value::{AthenaType, parse_with_precisions};

use super::BatchOptions;

/// The most digits a `Decimal128` holds.
const MAX_DECIMAL128_PRECISION: u32 = 38;

/// The precision of a time or timestamp when nothing gives one: Trino's default
/// (`timestamp` is `timestamp(3)`), and what Athena reports.
const DEFAULT_TIME_PRECISION: u32 = 3;

/// How one column's text becomes Arrow.
#[derive(Debug, Clone)]
pub(crate) struct ColumnPlan {
    /// The column's name.
    pub(crate) name: String,
    /// `ColumnInfo.Type` as Athena sent it (or the signature given), for errors.
    pub(crate) type_name: String,
    /// The type the text is read as.
    pub(crate) athena_type: AthenaType,
    /// The Arrow field.
    pub(crate) field: FieldRef,
    /// How the text is read into the field's type (the field's type is made from it).
    pub(crate) kind: Kind,
}

/// Every column's plan, and the schema of the batches.
#[derive(Debug, Clone)]
pub(crate) struct BatchPlan {
    /// The batches' schema: one field per column, in result order.
    pub(crate) schema: SchemaRef,
    /// One plan per column, in result order.
    pub(crate) columns: Vec<ColumnPlan>,
}

/// What a column (or a part of a nested one) holds in Arrow, and so how its text is
/// read. The Arrow type is made from it ([`Kind::data_type`]) and the builder's column
/// from it too, so the two cannot disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `boolean` as Boolean.
    Boolean,
    /// `tinyint` as Int8.
    Int8,
    /// `smallint` as Int16.
    Int16,
    /// `integer` as Int32.
    Int32,
    /// `bigint` as Int64.
    Int64,
    /// `real` as Float32.
    Float32,
    /// `double` as Float64.
    Float64,
    /// `decimal(p,s)` as Decimal128(p, s): `precision` 1 to 38, `scale` at most
    /// `precision`.
    Decimal {
        /// Total digits.
        precision: u8,
        /// Fraction digits.
        scale: u8,
    },
    /// Text kept as Athena wrote it, as Utf8.
    Text,
    /// `json` text as Utf8 with the `arrow.json` extension.
    Json,
    /// `varbinary` (spaced hex) as Binary.
    Binary,
    /// `uuid` as FixedSizeBinary(16) with the `arrow.uuid` extension.
    Uuid,
    /// `date` as Date32.
    Date,
    /// `time(p)` as Time32 (seconds, milliseconds) or Time64 (micro-, nanoseconds).
    Time(TimeUnit),
    /// `timestamp(p)` as Timestamp without time zone.
    Timestamp(TimeUnit),
    /// `array(T)` as List.
    List(Box<Kind>),
    /// `map(K, V)` as Map.
    Map(Box<(Kind, Kind)>),
    /// `row(...)` as Struct: its fields' names and kinds.
    Struct(Vec<(String, Kind)>),
}

impl Kind {
    /// The Arrow type of values of this kind.
    pub(crate) fn data_type(&self) -> DataType {
        match self {
            Kind::Boolean => DataType::Boolean,
            Kind::Int8 => DataType::Int8,
            Kind::Int16 => DataType::Int16,
            Kind::Int32 => DataType::Int32,
            Kind::Int64 => DataType::Int64,
            Kind::Float32 => DataType::Float32,
            Kind::Float64 => DataType::Float64,
            // The scale is at most 38, so the cast is lossless.
            Kind::Decimal { precision, scale } => DataType::Decimal128(*precision, *scale as i8),
            Kind::Text | Kind::Json => DataType::Utf8,
            Kind::Binary => DataType::Binary,
            Kind::Uuid => DataType::FixedSizeBinary(16),
            Kind::Date => DataType::Date32,
            Kind::Time(unit @ (TimeUnit::Second | TimeUnit::Millisecond)) => {
                DataType::Time32(*unit)
            }
            Kind::Time(unit) => DataType::Time64(*unit),
            Kind::Timestamp(unit) => DataType::Timestamp(*unit, None),
            Kind::List(item) => DataType::List(Arc::new(item.field(LIST_ITEM, true))),
            Kind::Map(kv) => DataType::Map(Arc::new(map_entries(&kv.0, &kv.1)), false),
            Kind::Struct(fields) => DataType::Struct(struct_fields(fields)),
        }
    }

    /// A field of this kind, with the extension metadata of `json` and `uuid`.
    pub(crate) fn field(&self, name: &str, nullable: bool) -> Field {
        let field = Field::new(name, self.data_type(), nullable);
        // Arrow's canonical extension types
        // (https://arrow.apache.org/docs/format/CanonicalExtensions.html): JSON's
        // metadata is required and may be empty; UUID has none.
        match self {
            Kind::Json => field.with_metadata(HashMap::from([
                (EXTENSION_TYPE_NAME_KEY.to_owned(), "arrow.json".to_owned()),
                (EXTENSION_TYPE_METADATA_KEY.to_owned(), String::new()),
            ])),
            Kind::Uuid => field.with_metadata(HashMap::from([(
                EXTENSION_TYPE_NAME_KEY.to_owned(),
                "arrow.uuid".to_owned(),
            )])),
            _ => field,
        }
    }
}

/// The name of a list's item field: arrow-rs's default (`Field::LIST_FIELD_DEFAULT_NAME`),
/// which its builders, the Parquet reader and DataFusion use.
pub(crate) const LIST_ITEM: &str = "item";

/// The fields of a map's entries, `key` (never null, as Arrow requires) and `value`.
pub(crate) fn map_entry_fields(key: &Kind, value: &Kind) -> Fields {
    Fields::from(vec![key.field("key", false), value.field("value", true)])
}

/// A map's `entries` field: a struct of key and value, itself never null.
pub(crate) fn map_entries(key: &Kind, value: &Kind) -> Field {
    Field::new(
        "entries",
        DataType::Struct(map_entry_fields(key, value)),
        false,
    )
}

/// The fields of a struct, all nullable (a row's fields may be NULL).
pub(crate) fn struct_fields(fields: &[(String, Kind)]) -> Fields {
    fields
        .iter()
        .map(|(name, kind)| kind.field(name, true))
        .collect()
}

impl BatchPlan {
    /// The plan for a result's columns.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when a signature in `options` names no column of the
    /// result, does not parse, names a type this crate does not know, or gives a
    /// decimal that Decimal128 cannot hold (more than 38 digits, or a scale above the
    /// precision).
    pub(crate) fn new(metadata: &ResultSetMetadata, options: &BatchOptions) -> Result<Arc<Self>> {
        let mut missing: Vec<&str> = options
            .typed_columns()
            .filter(|name| metadata.index_of(name).is_none())
            .collect();
        if !missing.is_empty() {
            // Sorted, so that the message does not depend on the options' hash order.
            missing.sort_unstable();
            let columns: Vec<&str> = metadata.columns().iter().map(|c| c.name.as_str()).collect();
            return Err(Error::invalid_config(format!(
                "BatchOptions types column{} {}, which the result does not have (its columns: {})",
                if missing.len() == 1 { "" } else { "s" },
                missing
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                columns.join(", ")
            )));
        }
        let columns = metadata
            .columns()
            .iter()
            .map(|column| plan_column(column, options))
            .collect::<Result<Vec<_>>>()?;
        let schema = Arc::new(Schema::new(
            columns.iter().map(|c| c.field.clone()).collect::<Fields>(),
        ));
        Ok(Arc::new(BatchPlan { schema, columns }))
    }
}

/// One column's plan: from a signature in `options` when there is one, else from its
/// metadata.
fn plan_column(column: &ColumnInfo, options: &BatchOptions) -> Result<ColumnPlan> {
    let (athena_type, type_name, kind) = match options.column_signature(&column.name) {
        Some(signature) => {
            let ty = &signature.athena_type;
            let refuse = |message: String| {
                Error::invalid_config(format!(
                    "BatchOptions types column `{}` as `{ty}`: {message}",
                    column.name
                ))
            };
            // A signature that does not parse is kept whole as an unknown name; either
            // way a type given to read a column by is one this crate must know.
            if contains_unknown(ty) {
                return Err(refuse(
                    "not a type athena-stream knows (or a signature that does not parse)"
                        .to_owned(),
                ));
            }
            let mut precisions = Precisions::new(&signature.precisions, DEFAULT_TIME_PRECISION);
            let kind = kind_of(ty, &mut precisions, decimal_of_column(column)).map_err(refuse)?;
            (ty.clone(), ty.to_string(), kind)
        }
        None => {
            let ty = AthenaType::of_column(column);
            // Athena's Type has no parameters, but a Type such as `timestamp(6)` (as a
            // hand-built ColumnInfo may carry) is read too; Precision comes next.
            let (_, written) = parse_with_precisions(&column.r#type);
            let default = u32::try_from(column.precision)
                .ok()
                .filter(|p| *p > 0)
                .unwrap_or(DEFAULT_TIME_PRECISION);
            let mut precisions = Precisions::new(&written, default);
            // Metadata is what the result is: a type that cannot be mapped exactly is
            // delivered as its text rather than refused.
            let kind = kind_of(&ty, &mut precisions, None).unwrap_or(Kind::Text);
            (ty, column.r#type.clone(), kind)
        }
    };
    Ok(ColumnPlan {
        name: column.name.clone(),
        type_name,
        field: Arc::new(kind.field(&column.name, true)),
        athena_type,
        kind,
    })
}

/// A column's decimal precision and scale from its metadata, when its type is a
/// decimal: a signature `decimal` without them takes these.
fn decimal_of_column(column: &ColumnInfo) -> Option<(u32, u32)> {
    match AthenaType::of_column(column) {
        AthenaType::Decimal { precision, scale } if precision > 0 => Some((precision, scale)),
        _ => None,
    }
}

/// The precisions of the time and timestamp types of a type, in a depth-first walk's
/// order, with the one to use where none is written.
struct Precisions<'a> {
    written: std::slice::Iter<'a, Option<u32>>,
    default: u32,
}

impl<'a> Precisions<'a> {
    fn new(written: &'a [Option<u32>], default: u32) -> Self {
        Precisions {
            written: written.iter(),
            default,
        }
    }

    /// The precision of the next time or timestamp.
    fn next(&mut self) -> u32 {
        self.written
            .next()
            .copied()
            .flatten()
            .unwrap_or(self.default)
    }
}

/// The unit that holds `precision` fraction digits exactly, if any does.
fn time_unit(precision: u32) -> Option<TimeUnit> {
    match precision {
        0 => Some(TimeUnit::Second),
        1..=3 => Some(TimeUnit::Millisecond),
        4..=6 => Some(TimeUnit::Microsecond),
        7..=9 => Some(TimeUnit::Nanosecond),
        _ => None,
    }
}

/// Whether every element, key, value and field type of `ty` is known, at every depth:
/// only then does it map to nested Arrow types.
fn known_in_full(ty: &AthenaType) -> bool {
    match ty {
        AthenaType::Array(Some(item)) => known_in_full(item),
        AthenaType::Map(Some(kv)) => known_in_full(&kv.0) && known_in_full(&kv.1),
        AthenaType::Row(Some(fields)) => fields.iter().all(|f| known_in_full(&f.r#type)),
        AthenaType::Array(None)
        | AthenaType::Map(None)
        | AthenaType::Row(None)
        | AthenaType::Unknown(_) => false,
        _ => true,
    }
}

/// The kind of a type. `decimal` gives a decimal's precision and scale when the type
/// leaves them out. A decimal Decimal128 cannot hold is an `Err`: the caller refuses a
/// signature the user gave, and reads Athena's metadata as text instead.
fn kind_of(
    ty: &AthenaType,
    precisions: &mut Precisions<'_>,
    decimal: Option<(u32, u32)>,
) -> std::result::Result<Kind, String> {
    if ty.is_nested() && !known_in_full(ty) {
        return Ok(Kind::Text);
    }
    Ok(match ty {
        AthenaType::Boolean => Kind::Boolean,
        AthenaType::TinyInt => Kind::Int8,
        AthenaType::SmallInt => Kind::Int16,
        AthenaType::Integer => Kind::Int32,
        AthenaType::BigInt => Kind::Int64,
        AthenaType::Real => Kind::Float32,
        AthenaType::Double => Kind::Float64,
        AthenaType::Decimal { precision, scale } => {
            let (precision, scale) = match (*precision, decimal) {
                (0, Some(given)) => given,
                (p, _) => (p, *scale),
            };
            // Precision 0 is "not known": the widest Decimal128 holds any decimal
            // Athena has (at most 38 digits).
            let precision = if precision == 0 {
                MAX_DECIMAL128_PRECISION
            } else {
                precision
            };
            if precision > MAX_DECIMAL128_PRECISION {
                return Err(format!(
                    "decimal({precision},{scale}) has more digits than Decimal128 holds (38)"
                ));
            }
            if scale > precision {
                return Err(format!(
                    "decimal({precision},{scale}) has a scale above its precision"
                ));
            }
            // Both at most 38 here.
            Kind::Decimal {
                precision: precision as u8,
                scale: scale as u8,
            }
        }
        AthenaType::Varchar | AthenaType::Char => Kind::Text,
        AthenaType::Json => Kind::Json,
        AthenaType::Varbinary => Kind::Binary,
        AthenaType::Uuid => Kind::Uuid,
        AthenaType::Date => Kind::Date,
        AthenaType::Time => time_unit(precisions.next()).map_or(Kind::Text, Kind::Time),
        AthenaType::Timestamp => time_unit(precisions.next()).map_or(Kind::Text, Kind::Timestamp),
        AthenaType::TimeWithTimeZone
        | AthenaType::TimestampWithTimeZone
        | AthenaType::Interval
        | AthenaType::IpAddress
        | AthenaType::Unknown(_) => Kind::Text,
        AthenaType::Array(Some(item)) => Kind::List(Box::new(kind_of(item, precisions, None)?)),
        AthenaType::Map(Some(kv)) => {
            let key = kind_of(&kv.0, precisions, None)?;
            let value = kind_of(&kv.1, precisions, None)?;
            Kind::Map(Box::new((key, value)))
        }
        AthenaType::Row(Some(fields)) => Kind::Struct(
            fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    // Trino names an anonymous field `field<i>` wherever a name is needed
                    // (its connectors write `ROW(1, 'a')` as `{field0=1, field1=a}`), and
                    // AWS's page on creating a ROW shows the same names; `i` counts every
                    // field, named or not.
                    let name = f.name.clone().unwrap_or_else(|| format!("field{i}"));
                    Ok((name, kind_of(&f.r#type, precisions, None)?))
                })
                .collect::<std::result::Result<_, String>>()?,
        ),
        // Handled above: not known in full.
        AthenaType::Array(None) | AthenaType::Map(None) | AthenaType::Row(None) => Kind::Text,
    })
}

/// Whether `ty` is, or holds, a type name this crate does not know.
fn contains_unknown(ty: &AthenaType) -> bool {
    match ty {
        AthenaType::Unknown(_) => true,
        AthenaType::Array(Some(item)) => contains_unknown(item),
        AthenaType::Map(Some(kv)) => contains_unknown(&kv.0) || contains_unknown(&kv.1),
        AthenaType::Row(Some(fields)) => fields.iter().any(|f| contains_unknown(&f.r#type)),
        _ => false,
    }
}
