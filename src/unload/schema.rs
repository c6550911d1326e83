//! The Athena type of each column of a Parquet file, derived from the Arrow schema the
//! `parquet` crate reads from the file's footer.
//!
//! Athena writes UNLOAD's Parquet through Trino's Hive writer (docs/athena.md, "UNLOAD
//! and data manifests"): `tinyint`, `smallint` and `integer` all as plain INT32,
//! decimals as FIXED_LEN_BYTE_ARRAY, timestamps as INT96, `char` as a string without
//! its padding, and no Arrow schema in the footer. So a file says less than the query
//! did: a `tinyint` column comes back `integer`, a `char(3)` one `varchar`, and a
//! timestamp comes back at the precision Athena gives the timestamp columns of its
//! tables, 3 (docs/athena.md, "Values"). The values themselves are the same.
//!
//! | Arrow (as read from the file) | Athena type |
//! |---|---|
//! | `Boolean` | `boolean` |
//! | `Int8`, `Int16`, `Int32`, `Int64` | `tinyint`, `smallint`, `integer`, `bigint` |
//! | `UInt8`, `UInt16`, `UInt32`, `UInt64` | `smallint`, `integer`, `bigint`, `decimal(20,0)` (the next type that holds every value) |
//! | `Float16`, `Float32`, `Float64` | `real`, `real`, `double` |
//! | `Decimal32/64/128/256(p, s)` | `decimal(p,s)` |
//! | `Utf8`, `LargeUtf8`, `Utf8View` | `varchar` |
//! | `Binary`, `LargeBinary`, `BinaryView`, `FixedSizeBinary` | `varbinary` |
//! | `Date32`, `Date64` | `date` |
//! | `Time32`/`Time64` of seconds, ms, µs, ns | `time(0)`, `time(3)`, `time(6)`, `time(9)` |
//! | `Timestamp` of seconds, ms, µs, ns | `timestamp(0)`, `timestamp(3)`, `timestamp(6)`, `timestamp(9)` |
//! | `Timestamp` read from INT96 (Hive's encoding, which Athena writes; read as microseconds) | `timestamp(3)`, rounded half up as Athena engine 3 rounds |
//! | `Timestamp` with a time zone | `timestamp(p) with time zone` |
//! | `List`, `LargeList`, `FixedSizeList` of `T` | `array(T)` |
//! | `Map` of `K` to `V` | `map(K, V)` |
//! | `Struct` of fields `a: A, b: B` | `row(a A, b B)` |
//! | `Null` (Parquet's UNKNOWN) | `unknown` (every value NULL) |
//! | `Dictionary` of `T` (top-level columns) | as `T` |
//!
//! Anything else (intervals, durations, unions, run-end encoding, a dictionary inside a
//! nested value) is refused with an error naming the column and the Arrow type.
//!
//! `ColumnInfo.Type` carries the whole signature (`array(integer)`, not Athena's bare
//! `array`), so the elements of arrays, maps and rows are typed when read
//! ([`Row::value`](crate::Row::value), [`Row::to_typed_json`](crate::Row::to_typed_json)).
//! `Precision` and `Scale` are what Athena reports for the type (docs/athena.md, "Column
//! metadata").

use arrow_schema::{DataType, Field, Schema, TimeUnit};

use crate::row::ColumnInfo;
use crate::value::AthenaType;

/// How one column of a file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnPlan {
    /// The column name, as the file has it.
    pub(crate) name: String,
    /// Its Athena type signature (`decimal(38,0)`, `array(row(id integer, name varchar))`).
    pub(crate) signature: String,
    /// Whether its timestamps are INT96, read at Athena's table precision (3).
    pub(crate) int96: bool,
}

/// The columns of a file whose Arrow schema is `schema`; `int96[i]` says whether the
/// Parquet column under the i-th root field has an INT96 leaf.
///
/// # Errors
/// A column of a type that has no Athena type, named with its Arrow type.
pub(crate) fn plan_columns(schema: &Schema, int96: &[bool]) -> Result<Vec<ColumnPlan>, String> {
    if schema.fields().len() != int96.len() {
        return Err(format!(
            "the Arrow schema has {} columns but the Parquet schema {}",
            schema.fields().len(),
            int96.len()
        ));
    }
    schema
        .fields()
        .iter()
        .zip(int96)
        .map(|(field, &int96)| {
            let data_type = match field.data_type() {
                // A dictionary is an encoding: its values are the column's values.
                DataType::Dictionary(_, values) => values.as_ref(),
                other => other,
            };
            let signature = signature(data_type, int96)
                .map_err(|e| format!("column `{}`: {e}", field.name()))?;
            Ok(ColumnPlan {
                name: field.name().clone(),
                signature,
                int96,
            })
        })
        .collect()
}

/// The Athena type signature of an Arrow type (see the module docs).
pub(crate) fn signature(data_type: &DataType, int96: bool) -> Result<String, String> {
    Ok(match data_type {
        DataType::Null => "unknown".to_owned(),
        DataType::Boolean => "boolean".to_owned(),
        DataType::Int8 => "tinyint".to_owned(),
        DataType::Int16 | DataType::UInt8 => "smallint".to_owned(),
        DataType::Int32 | DataType::UInt16 => "integer".to_owned(),
        DataType::Int64 | DataType::UInt32 => "bigint".to_owned(),
        DataType::UInt64 => "decimal(20,0)".to_owned(),
        DataType::Float16 | DataType::Float32 => "real".to_owned(),
        DataType::Float64 => "double".to_owned(),
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => {
            if *s < 0 || i16::from(*s) > i16::from(*p) {
                return Err(format!(
                    "{data_type} has a scale Athena's decimal cannot have"
                ));
            }
            format!("decimal({p},{s})")
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "varchar".to_owned(),
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => "varbinary".to_owned(),
        DataType::Date32 | DataType::Date64 => "date".to_owned(),
        DataType::Time32(unit) | DataType::Time64(unit) => format!("time({})", digits(*unit)),
        DataType::Timestamp(unit, None) => format!("timestamp({})", precision(*unit, int96)),
        DataType::Timestamp(unit, Some(_)) => {
            format!("timestamp({}) with time zone", precision(*unit, int96))
        }
        DataType::List(element)
        | DataType::LargeList(element)
        | DataType::FixedSizeList(element, _) => {
            format!("array({})", signature(element.data_type(), int96)?)
        }
        DataType::Map(entries, _) => {
            let DataType::Struct(kv) = entries.data_type() else {
                return Err(format!("{data_type} has no key/value entries"));
            };
            let [key, value] = kv.iter().collect::<Vec<_>>()[..] else {
                return Err(format!("{data_type} has no key/value entries"));
            };
            format!(
                "map({}, {})",
                signature(key.data_type(), int96)?,
                signature(value.data_type(), int96)?
            )
        }
        DataType::Struct(fields) if !fields.is_empty() => {
            let fields = fields
                .iter()
                .map(|f| {
                    Ok(format!(
                        "{} {}",
                        field_name(f),
                        signature(f.data_type(), int96)?
                    ))
                })
                .collect::<Result<Vec<_>, String>>()?;
            format!("row({})", fields.join(", "))
        }
        other => return Err(format!("the Arrow type {other} has no Athena type")),
    })
}

/// Fraction digits of a time unit.
fn digits(unit: TimeUnit) -> u32 {
    match unit {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 3,
        TimeUnit::Microsecond => 6,
        TimeUnit::Nanosecond => 9,
    }
}

/// A timestamp column's precision: its unit's, except INT96 (read as microseconds, see
/// `super::shard`), which Athena reads at the precision of its tables' timestamps.
pub(crate) fn precision(unit: TimeUnit, int96: bool) -> u32 {
    match unit {
        TimeUnit::Microsecond | TimeUnit::Nanosecond if int96 => INT96_PRECISION,
        _ => digits(unit),
    }
}

/// The precision Athena engine 3 gives the timestamp columns of its tables, whatever
/// the file holds (docs/athena.md, "Values").
pub(crate) const INT96_PRECISION: u32 = 3;

/// A row field's name in a signature: bare when the type parser reads it back as it is
/// (letters, digits and `_`, not starting with a digit), else `"quoted"`.
fn field_name(field: &Field) -> String {
    let name = field.name();
    let bare = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if bare {
        name.clone()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// The `ColumnInfo` of a column of this name and type signature: `Type` is the whole
/// signature; `Precision` and `Scale` what Athena reports for the type (docs/athena.md,
/// "Column metadata"); `Nullable` `UNKNOWN`, as Athena always says.
pub(crate) fn column_info(name: &str, signature: &str) -> ColumnInfo {
    let mut column = ColumnInfo::new(name, signature);
    let (precision, scale) = match AthenaType::parse(signature) {
        AthenaType::Boolean | AthenaType::Date => (0, 0),
        AthenaType::TinyInt => (3, 0),
        AthenaType::SmallInt => (5, 0),
        AthenaType::Integer => (10, 0),
        AthenaType::BigInt => (19, 0),
        AthenaType::Real | AthenaType::Double => (17, 0),
        AthenaType::Decimal { precision, scale } => (
            i32::try_from(precision).unwrap_or(0),
            i32::try_from(scale).unwrap_or(0),
        ),
        AthenaType::Varchar | AthenaType::Char => (i32::MAX, 0),
        AthenaType::Varbinary => (1_073_741_824, 0),
        AthenaType::Time
        | AthenaType::TimeWithTimeZone
        | AthenaType::Timestamp
        | AthenaType::TimestampWithTimeZone => (declared_precision(signature).unwrap_or(3), 0),
        _ => (0, 0),
    };
    column.precision = precision;
    column.scale = scale;
    column.nullable = Some("UNKNOWN".to_owned());
    column.case_sensitive = matches!(
        AthenaType::parse(signature),
        AthenaType::Varchar | AthenaType::Char
    );
    column
}

/// The `p` of `timestamp(p)` / `time(p)` (with or without a time zone).
fn declared_precision(signature: &str) -> Option<i32> {
    let (_, rest) = signature.split_once('(')?;
    let (p, _) = rest.split_once(')')?;
    p.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_schema::Fields;

    use super::*;

    fn field(name: &str, t: DataType) -> Arc<Field> {
        Arc::new(Field::new(name, t, true))
    }

    /// Arrow types, whether they were INT96, and the Athena type they map to.
    fn mapping() -> Vec<(DataType, bool, &'static str)> {
        let list = |t: DataType| DataType::List(field("element", t));
        let map = |k: DataType, v: DataType| {
            DataType::Map(
                Arc::new(Field::new(
                    "key_value",
                    DataType::Struct(Fields::from(vec![
                        Field::new("key", k, false),
                        Field::new("value", v, true),
                    ])),
                    false,
                )),
                false,
            )
        };
        let row = DataType::Struct(Fields::from(vec![
            Field::new("id", DataType::Int32, true),
            Field::new("name", DataType::Utf8, true),
        ]));
        let ns = TimeUnit::Nanosecond;
        vec![
            (DataType::Boolean, false, "boolean"),
            (DataType::Int8, false, "tinyint"),
            (DataType::Int16, false, "smallint"),
            (DataType::Int32, false, "integer"),
            (DataType::Int64, false, "bigint"),
            (DataType::UInt8, false, "smallint"),
            (DataType::UInt32, false, "bigint"),
            (DataType::UInt64, false, "decimal(20,0)"),
            (DataType::Float32, false, "real"),
            (DataType::Float64, false, "double"),
            (DataType::Decimal128(38, 0), false, "decimal(38,0)"),
            (DataType::Decimal32(3, 2), false, "decimal(3,2)"),
            (DataType::Utf8, false, "varchar"),
            (DataType::Utf8View, false, "varchar"),
            (DataType::Binary, false, "varbinary"),
            (DataType::FixedSizeBinary(16), false, "varbinary"),
            (DataType::Date32, false, "date"),
            (DataType::Time64(TimeUnit::Microsecond), false, "time(6)"),
            (
                DataType::Timestamp(TimeUnit::Second, None),
                false,
                "timestamp(0)",
            ),
            (
                DataType::Timestamp(TimeUnit::Millisecond, None),
                false,
                "timestamp(3)",
            ),
            (DataType::Timestamp(ns, None), false, "timestamp(9)"),
            (DataType::Timestamp(ns, None), true, "timestamp(3)"),
            (
                DataType::Timestamp(TimeUnit::Millisecond, Some("+00:00".into())),
                false,
                "timestamp(3) with time zone",
            ),
            (list(DataType::Int32), false, "array(integer)"),
            (list(list(DataType::Utf8)), false, "array(array(varchar))"),
            (
                map(DataType::Utf8, list(DataType::Int64)),
                false,
                "map(varchar, array(bigint))",
            ),
            (row.clone(), false, "row(id integer, name varchar)"),
            (list(row), false, "array(row(id integer, name varchar))"),
            (
                list(DataType::Timestamp(ns, None)),
                true,
                "array(timestamp(3))",
            ),
            (DataType::Null, false, "unknown"),
        ]
    }

    #[test]
    fn the_documented_mapping() {
        for (t, int96, expected) in mapping() {
            let got = signature(&t, int96).unwrap();
            assert_eq!(got, expected, "{t}");
            // Every signature is one the crate's own type parser reads.
            if expected != "unknown" {
                assert!(
                    !matches!(AthenaType::parse(&got), AthenaType::Unknown(_)),
                    "{got}"
                );
            }
        }
    }

    #[test]
    fn odd_field_names_are_quoted_so_that_the_signature_reads_back() {
        let t = DataType::Struct(Fields::from(vec![
            Field::new("user id", DataType::Int32, true),
            Field::new("say \"hi\"", DataType::Utf8, true),
            Field::new("1st", DataType::Utf8, true),
        ]));
        let sig = signature(&t, false).unwrap();
        assert_eq!(
            sig,
            r#"row("user id" integer, "say ""hi""" varchar, "1st" varchar)"#
        );
        let AthenaType::Row(Some(fields)) = AthenaType::parse(&sig) else {
            panic!("{sig} does not read back as a row");
        };
        let names: Vec<_> = fields.iter().map(|f| f.name.as_deref()).collect();
        assert_eq!(names, [Some("user id"), Some("say \"hi\""), Some("1st")]);
    }

    #[test]
    fn types_without_an_athena_type_are_refused_by_name() {
        let schema = Schema::new(vec![
            Field::new("ok", DataType::Int32, true),
            Field::new("span", DataType::Duration(TimeUnit::Second), true),
        ]);
        let err = plan_columns(&schema, &[false, false]).unwrap_err();
        assert!(err.contains("column `span`"), "{err}");
        assert!(err.contains("Duration"), "{err}");
        let err = plan_columns(&schema, &[false]).unwrap_err();
        assert!(err.contains("2 columns but the Parquet schema 1"), "{err}");
    }

    #[test]
    fn column_info_is_what_athena_reports() {
        let c = column_info("price", "decimal(10,1)");
        assert_eq!((c.precision, c.scale), (10, 1));
        assert_eq!(c.r#type, "decimal(10,1)");
        let c = column_info("ts", "timestamp(3)");
        assert_eq!((c.precision, c.scale), (3, 0));
        let c = column_info("uri", "varchar");
        assert_eq!(c.precision, 2_147_483_647);
        assert!(c.case_sensitive);
        assert_eq!(c.nullable.as_deref(), Some("UNKNOWN"));
        assert_eq!(column_info("n", "bigint").precision, 19);
        assert_eq!(column_info("tags", "array(varchar)").precision, 0);
    }
}
