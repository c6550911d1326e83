//! What UNLOAD checks of its query's columns before it writes a row, in Trino's order
//! and words (Athena engine 3 is Trino): every column has a name, no name twice, no
//! column of unknown type (Trino's `StatementAnalyzer.validateColumns`), and every type
//! has a Hive type (Trino's `HiveTypeTranslator.toTypeInfo`): `time`, `timestamp with
//! time zone`, `json`, `uuid`, `ipaddress`, intervals and rows without field names do not
//! (docs/athena.md, "UNLOAD and data manifests").

use datafusion::arrow::datatypes::{DataType, Field, IntervalUnit};

use crate::engine::column_info::{column_for_field, fraction_digits, timestamp_precision};
use crate::engine::error::QueryError;
use crate::engine::functions::trino_type_name;
use crate::engine::names::ATHENA_TYPE_KEY;

/// Checks the columns `fields` of an UNLOAD query whose unnamed columns (expressions
/// without an alias) are at the select-list positions `unnamed`; returns the names the
/// files use.
///
/// # Errors
/// `MISSING_COLUMN_NAME`, `DUPLICATE_COLUMN_NAME`, `COLUMN_TYPE_UNKNOWN` (`line 1:1`, the
/// statement, as Athena places them) or `NOT_SUPPORTED: Unsupported Hive type: ...`.
pub(crate) fn check(fields: &[&Field], unnamed: &[usize]) -> Result<Vec<String>, QueryError> {
    let names: Vec<String> = fields.iter().map(|f| column_for_field(f).name).collect();
    // The query rewrite named the column of an unaliased expression `_col<i>` after its
    // place in the select list; its place among the output columns may differ (after a
    // `*`), and that is the position Trino reports.
    let unnamed_at: Vec<usize> = unnamed
        .iter()
        .filter_map(|i| names.iter().position(|n| *n == format!("_col{i}")))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for (position, (field, name)) in fields.iter().zip(&names).enumerate() {
        if unnamed_at.contains(&position) {
            return Err(QueryError::user(format!(
                "MISSING_COLUMN_NAME: line 1:1: Column name not specified at position {}",
                position + 1
            )));
        }
        if !seen.insert(name.as_str()) {
            return Err(QueryError::user(format!(
                "DUPLICATE_COLUMN_NAME: line 1:1: Column name '{name}' specified more than once"
            )));
        }
        if field.data_type() == &DataType::Null {
            return Err(QueryError::user(format!(
                "COLUMN_TYPE_UNKNOWN: line 1:1: Column type is unknown: {name}"
            )));
        }
    }
    for field in fields {
        hive_type(field)?;
    }
    Ok(names)
}

/// Whether `field` has a Hive type; the error names the first part that has none.
fn hive_type(field: &Field) -> Result<(), QueryError> {
    let unsupported =
        |name: String| QueryError::user(format!("NOT_SUPPORTED: Unsupported Hive type: {name}"));
    if let Some(declared) = field.metadata().get(ATHENA_TYPE_KEY) {
        let declared = declared.to_ascii_lowercase();
        if matches!(declared.as_str(), "json" | "uuid" | "ipaddress")
            || declared.ends_with("with time zone")
        {
            return Err(unsupported(declared));
        }
    }
    match field.data_type() {
        DataType::Null => Err(unsupported("unknown".to_owned())),
        DataType::Time32(unit) | DataType::Time64(unit) => {
            Err(unsupported(format!("time({})", fraction_digits(*unit))))
        }
        DataType::Timestamp(unit, Some(_)) => {
            let p = field
                .metadata()
                .get(ATHENA_TYPE_KEY)
                .and_then(|t| timestamp_precision(t))
                .unwrap_or_else(|| fraction_digits(*unit));
            Err(unsupported(format!("timestamp({p}) with time zone")))
        }
        DataType::Interval(IntervalUnit::YearMonth) => {
            Err(unsupported("interval year to month".to_owned()))
        }
        DataType::Interval(_) | DataType::Duration(_) => {
            Err(unsupported("interval day to second".to_owned()))
        }
        DataType::Union(..) | DataType::RunEndEncoded(..) => {
            Err(unsupported(trino_type_name(field.data_type())))
        }
        DataType::Decimal256(p, _) if *p > 38 => {
            Err(unsupported(trino_type_name(field.data_type())))
        }
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::FixedSizeList(f, _)
        | DataType::ListView(f)
        | DataType::LargeListView(f) => hive_type(f),
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                hive_type(&kv[0])?;
                hive_type(&kv[1])
            }
            other => Err(unsupported(trino_type_name(other))),
        },
        DataType::Struct(fields) => {
            if is_anonymous(fields.iter().map(|f| f.name().as_str())) {
                let types: Vec<String> = fields
                    .iter()
                    .map(|f| trino_type_name(f.data_type()))
                    .collect();
                return Err(QueryError::user(format!(
                    "NOT_SUPPORTED: Anonymous row type is not supported in Hive. Please give each field a name: row({})",
                    types.join(", ")
                )));
            }
            fields.iter().try_for_each(|f| hive_type(f))
        }
        DataType::Dictionary(_, value) => hive_type(&Field::new("", value.as_ref().clone(), true)),
        _ => Ok(()),
    }
}

/// A row whose fields DataFusion named `c0`, `c1`, ... (`ROW(1, 'x')`): a row without
/// field names in Trino, as the renderer shows it (`{1, x}`).
pub(crate) fn is_anonymous<'a>(names: impl Iterator<Item = &'a str>) -> bool {
    names.enumerate().all(|(k, name)| {
        name.is_empty()
            || name.len() > 1
                && name.as_bytes()[0] == b'c'
                && name[1..].parse::<usize>().ok() == Some(k)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::{Fields, TimeUnit};
    use std::collections::HashMap;
    use std::sync::Arc;

    fn message(fields: &[Field], unnamed: &[usize]) -> String {
        let refs: Vec<&Field> = fields.iter().collect();
        check(&refs, unnamed).unwrap_err().message().to_owned()
    }

    #[test]
    fn every_column_needs_one_name_and_a_known_type() {
        let f = |n: &str| Field::new(n, DataType::Int32, true);
        assert_eq!(
            message(&[f("a"), f("_col1")], &[1]),
            "MISSING_COLUMN_NAME: line 1:1: Column name not specified at position 2"
        );
        // An alias `_col1` that is not in the unnamed list is a name.
        let refs = [f("a"), f("_col1")];
        assert!(check(&refs.iter().collect::<Vec<_>>(), &[]).is_ok());
        assert_eq!(
            message(&[f("a"), f("a\u{1}1")], &[]),
            "DUPLICATE_COLUMN_NAME: line 1:1: Column name 'a' specified more than once"
        );
        assert_eq!(
            message(&[Field::new("n", DataType::Null, true)], &[]),
            "COLUMN_TYPE_UNKNOWN: line 1:1: Column type is unknown: n"
        );
    }

    #[test]
    fn types_without_a_hive_type_are_named_as_trino_names_them() {
        let with = |t: &str, dt: DataType| {
            Field::new("v", dt, true)
                .with_metadata(HashMap::from([(ATHENA_TYPE_KEY.to_owned(), t.to_owned())]))
        };
        for (field, want) in [
            (
                Field::new("v", DataType::Time64(TimeUnit::Nanosecond), true),
                "time(9)",
            ),
            (
                Field::new("v", DataType::Time32(TimeUnit::Millisecond), true),
                "time(3)",
            ),
            (
                Field::new(
                    "v",
                    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                    true,
                ),
                "timestamp(3) with time zone",
            ),
            (with("json", DataType::Utf8), "json"),
            (with("uuid", DataType::Utf8), "uuid"),
            (with("ipaddress", DataType::Utf8), "ipaddress"),
            (
                Field::new(
                    "v",
                    DataType::List(Arc::new(Field::new("item", DataType::Null, true))),
                    true,
                ),
                "unknown",
            ),
        ] {
            assert_eq!(
                message(&[field], &[]),
                format!("NOT_SUPPORTED: Unsupported Hive type: {want}")
            );
        }
        let anonymous = Field::new(
            "v",
            DataType::Struct(Fields::from(vec![
                Field::new("c0", DataType::Int32, true),
                Field::new("c1", DataType::Utf8, true),
            ])),
            true,
        );
        assert_eq!(
            message(&[anonymous], &[]),
            "NOT_SUPPORTED: Anonymous row type is not supported in Hive. Please give each field a name: row(integer, varchar)"
        );
        let named = Field::new(
            "v",
            DataType::Struct(Fields::from(vec![Field::new("id", DataType::Int32, true)])),
            true,
        );
        assert!(check(&[&named], &[]).is_ok());
    }
}
