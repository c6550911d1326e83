//! Arrow types as Athena's ColumnInfo (docs/athena.md, "Column metadata"): the base type
//! name, Precision and Scale of a result column.

use datafusion::arrow::datatypes::{DataType, Field, IntervalUnit, TimeUnit};

use super::names::{ATHENA_TYPE_KEY, DUPLICATE_MARK};
use super::output::Column;

/// The ColumnInfo of one result column.
pub(crate) fn column_for_field(field: &Field) -> Column {
    let (athena_type, precision, scale) = match field.metadata().get(ATHENA_TYPE_KEY) {
        Some(hive) => declared_type(hive).unwrap_or_else(|| athena_type(field.data_type())),
        None => athena_type(field.data_type()),
    };
    let name = field.name();
    let name = name
        .split_once(DUPLICATE_MARK)
        .map_or(name.as_str(), |(n, _)| n);
    Column {
        name: name.to_ascii_lowercase(),
        case_sensitive: matches!(athena_type, "varchar" | "char"),
        athena_type: athena_type.to_owned(),
        precision,
        scale,
    }
}

/// `varchar(n)` / `char(n)` (Athena reports the length as Precision), `json`, `uuid`,
/// `ipaddress`.
fn declared_type(hive: &str) -> Option<(&'static str, i32, i32)> {
    let lower = hive.to_ascii_lowercase();
    match lower.as_str() {
        "json" => return Some(("json", 0, 0)),
        "uuid" => return Some(("uuid", 0, 0)),
        "ipaddress" => return Some(("ipaddress", 0, 0)),
        _ => {}
    }
    if let Some(p) = timestamp_precision(&lower) {
        let name = if lower.starts_with("time(") {
            "time"
        } else if lower.ends_with("with time zone") {
            "timestamp with time zone"
        } else {
            "timestamp"
        };
        return Some((name, p as i32, 0));
    }
    let (name, rest) = lower.split_once('(')?;
    let n: i32 = rest.trim_end_matches(')').trim().parse().ok()?;
    match name.trim() {
        "varchar" => Some(("varchar", n, 0)),
        "char" => Some(("char", n, 0)),
        _ => None,
    }
}

/// The precision of a declared `timestamp(p)`, `timestamp(p) with time zone` or
/// `time(p)`, whose Arrow unit has more digits than `p` (docs/athena.md, "Values": a
/// literal's precision is its number of fraction digits).
pub(crate) fn timestamp_precision(declared: &str) -> Option<u32> {
    let rest = declared
        .strip_prefix("timestamp(")
        .or_else(|| declared.strip_prefix("time("))?;
    let (p, tail) = rest.split_once(')')?;
    if !(tail.is_empty() || tail == " with time zone") {
        return None;
    }
    p.trim().parse().ok().filter(|p| *p <= 9)
}

/// Athena's base type name, Precision and Scale for an Arrow type.
pub(crate) fn athena_type(data_type: &DataType) -> (&'static str, i32, i32) {
    match data_type {
        DataType::Null => ("unknown", 0, 0),
        DataType::Boolean => ("boolean", 0, 0),
        DataType::Int8 => ("tinyint", 3, 0),
        DataType::Int16 | DataType::UInt8 => ("smallint", 5, 0),
        DataType::Int32 | DataType::UInt16 => ("integer", 10, 0),
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => ("bigint", 19, 0),
        DataType::Float16 | DataType::Float32 => ("real", 7, 0),
        DataType::Float64 => ("double", 17, 0),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ("varchar", 2147483647, 0),
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => ("varbinary", 1073741824, 0),
        DataType::Date32 | DataType::Date64 => ("date", 0, 0),
        DataType::Timestamp(unit, None) => ("timestamp", fraction_digits(*unit) as i32, 0),
        DataType::Timestamp(unit, Some(_)) => {
            ("timestamp with time zone", fraction_digits(*unit) as i32, 0)
        }
        DataType::Time32(unit) | DataType::Time64(unit) => {
            ("time", fraction_digits(*unit) as i32, 0)
        }
        DataType::Interval(IntervalUnit::YearMonth) => ("interval year to month", 0, 0),
        DataType::Interval(_) | DataType::Duration(_) => ("interval day to second", 0, 0),
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) | DataType::Decimal128(p, s) => {
            ("decimal", i32::from(*p), i32::from(*s))
        }
        DataType::Decimal256(p, s) => ("decimal", i32::from(*p).min(38), i32::from(*s)),
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::FixedSizeList(..)
        | DataType::ListView(_)
        | DataType::LargeListView(_) => ("array", 0, 0),
        DataType::Map(..) => ("map", 0, 0),
        DataType::Struct(_) => ("row", 0, 0),
        DataType::Dictionary(_, value) => athena_type(value),
        DataType::RunEndEncoded(_, value) => athena_type(value.data_type()),
        DataType::Union(..) => ("row", 0, 0),
    }
}

/// Fraction digits Athena shows for a timestamp of this Arrow unit.
pub(crate) fn fraction_digits(unit: TimeUnit) -> u32 {
    match unit {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 3,
        TimeUnit::Microsecond => 6,
        TimeUnit::Nanosecond => 9,
    }
}
