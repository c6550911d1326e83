//! Render-then-parse properties: every value that Athena's notation can carry
//! without ambiguity reads back exactly, typed by a full signature, and its text
//! reads back to the same text when only the base type name is known (as Athena
//! reports it).
//!
//! Restrictions on the generated strings (the notation's documented ambiguities,
//! see the `value` module docs): strings inside arrays, maps and rows never
//! contain `, ` or brackets `[]{}`, are never `null`, map keys never contain `=`,
//! and an array never holds exactly one value written as empty text (an empty
//! string or an empty varbinary). Top-level strings are
//! unrestricted. `json` only appears at the top level (its text may contain `, `).

use std::net::IpAddr;

use proptest::prelude::*;

use super::scalars::*;
use super::*;
use crate::row::ColumnInfo;

/// Awkward characters: separators, quotes, spaces, newlines, non-ASCII.
const AWKWARD: &str = "[a-zA-Z0-9 =,:;._/\\\\\"'\\n\\t\\-é☃𝄞]{0,12}";

fn nested_string(is_key: bool) -> impl Strategy<Value = String> {
    AWKWARD.prop_filter("ambiguous in the notation", move |s| {
        !s.contains(", ") && s != "null" && !(is_key && s.contains('='))
    })
}

fn scalar_type() -> impl Strategy<Value = AthenaType> {
    prop_oneof![
        Just(AthenaType::Boolean),
        Just(AthenaType::TinyInt),
        Just(AthenaType::SmallInt),
        Just(AthenaType::Integer),
        Just(AthenaType::BigInt),
        Just(AthenaType::Real),
        Just(AthenaType::Double),
        Just(AthenaType::Decimal {
            precision: 38,
            scale: 4
        }),
        Just(AthenaType::Varchar),
        Just(AthenaType::Varbinary),
        Just(AthenaType::Date),
        Just(AthenaType::Timestamp),
        Just(AthenaType::TimestampWithTimeZone),
        Just(AthenaType::Uuid),
        Just(AthenaType::IpAddress),
    ]
}

fn key_type() -> impl Strategy<Value = AthenaType> {
    prop_oneof![
        Just(AthenaType::Varchar),
        Just(AthenaType::Integer),
        Just(AthenaType::BigInt),
        Just(AthenaType::Boolean),
        Just(AthenaType::Date),
    ]
}

fn any_type() -> impl Strategy<Value = AthenaType> {
    scalar_type().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|t| AthenaType::Array(Some(Box::new(t)))),
            (key_type(), inner.clone()).prop_map(|(k, v)| AthenaType::Map(Some(Box::new((k, v))))),
            (
                proptest::collection::vec(("[a-z][a-z0-9_]{0,5}", inner), 1..4),
                any::<bool>()
            )
                .prop_map(|(fields, named)| {
                    AthenaType::Row(Some(
                        fields
                            .into_iter()
                            .map(|(name, r#type)| RowField {
                                name: named.then_some(name),
                                r#type,
                            })
                            .collect(),
                    ))
                }),
        ]
    })
}

fn finite_f64() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("NaN is never equal to itself", |x| !x.is_nan())
}

fn finite_f32() -> impl Strategy<Value = f32> {
    any::<f32>().prop_filter("NaN is never equal to itself", |x| !x.is_nan())
}

fn scalar_value(ty: &AthenaType, nested: bool, is_key: bool) -> BoxedStrategy<Value> {
    match ty {
        AthenaType::Boolean => any::<bool>().prop_map(Value::Boolean).boxed(),
        AthenaType::TinyInt => any::<i8>().prop_map(Value::TinyInt).boxed(),
        AthenaType::SmallInt => any::<i16>().prop_map(Value::SmallInt).boxed(),
        AthenaType::Integer => any::<i32>().prop_map(Value::Integer).boxed(),
        AthenaType::BigInt => any::<i64>().prop_map(Value::BigInt).boxed(),
        AthenaType::Real => finite_f32().prop_map(Value::Real).boxed(),
        AthenaType::Double => finite_f64().prop_map(Value::Double).boxed(),
        AthenaType::Decimal { .. } => "-?[0-9]{1,20}(\\.[0-9]{1,10})?"
            .prop_map(Value::Decimal)
            .boxed(),
        AthenaType::Varchar if nested => nested_string(is_key).prop_map(Value::Varchar).boxed(),
        AthenaType::Varchar => any::<String>().prop_map(Value::Varchar).boxed(),
        AthenaType::Varbinary => proptest::collection::vec(any::<u8>(), 0..8)
            .prop_map(Value::Varbinary)
            .boxed(),
        AthenaType::Date => (0..10000u32, 1..13u32, 1..29u32)
            .prop_map(|(y, m, d)| Value::Date(format!("{y:04}-{m:02}-{d:02}")))
            .boxed(),
        AthenaType::Timestamp => {
            ("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?")
                .prop_map(Value::Timestamp)
                .boxed()
        }
        AthenaType::TimestampWithTimeZone => (
            "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}",
            prop_oneof![
                Just("UTC"),
                Just("America/Los_Angeles"),
                Just("Europe/Berlin"),
                Just("+05:30")
            ],
        )
            .prop_map(|(ts, zone)| Value::TimestampWithTimeZone(format!("{ts} {zone}")))
            .boxed(),
        AthenaType::Uuid => "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
            .prop_map(Value::Uuid)
            .boxed(),
        AthenaType::IpAddress => prop_oneof![
            any::<[u8; 4]>().prop_map(|b| Value::IpAddress(IpAddr::from(b))),
            any::<[u8; 16]>().prop_map(|b| Value::IpAddress(IpAddr::from(b))),
        ]
        .boxed(),
        other => panic!("not a generated scalar type: {other}"),
    }
}

/// A value of `ty`; `nested` when it sits inside an array, map or row.
fn value_of(ty: &AthenaType, nested: bool, is_key: bool) -> BoxedStrategy<Value> {
    let inner = match ty {
        AthenaType::Array(Some(elem)) => {
            proptest::collection::vec(value_of(elem, true, false), 0..4)
                .prop_filter("[''] is written [] and reads as the empty array", |v| {
                    !(v.len() == 1 && v[0].to_athena_text().is_empty())
                })
                .prop_map(Value::Array)
                .boxed()
        }
        AthenaType::Map(Some(kv)) => proptest::collection::vec(
            (value_of(&kv.0, true, true), value_of(&kv.1, true, false)),
            0..4,
        )
        .prop_filter("a NULL key is not a map key", |entries| {
            entries.iter().all(|(k, _)| !k.is_null())
        })
        .prop_map(Value::Map)
        .boxed(),
        AthenaType::Row(Some(fields)) => {
            let names: Vec<Option<String>> = fields.iter().map(|f| f.name.clone()).collect();
            fields
                .iter()
                .map(|f| value_of(&f.r#type, true, false))
                .collect::<Vec<_>>()
                .prop_map(move |values| names.clone().into_iter().zip(values).collect())
                .prop_map(Value::Row)
                .boxed()
        }
        scalar => scalar_value(scalar, nested, is_key),
    };
    if nested && !is_key {
        prop_oneof![1 => Just(Value::Null), 6 => inner].boxed()
    } else {
        inner
    }
}

fn typed_value() -> impl Strategy<Value = (AthenaType, Value)> {
    any_type().prop_flat_map(|ty| {
        let v = value_of(&ty, false, false);
        (Just(ty), v)
    })
}

/// The base type name Athena reports for a type.
fn base(ty: &AthenaType) -> AthenaType {
    match ty {
        AthenaType::Array(_) => AthenaType::Array(None),
        AthenaType::Map(_) => AthenaType::Map(None),
        AthenaType::Row(_) => AthenaType::Row(None),
        other => other.clone(),
    }
}

proptest! {
    #[test]
    fn render_then_parse_with_the_full_type((ty, value) in typed_value()) {
        let text = value.to_athena_text();
        let parsed = Value::parse(&text, &ty);
        prop_assert_eq!(parsed.as_ref(), Ok(&value), "type {} text {:?}", ty, text);
        // The signature itself round-trips through its text.
        prop_assert_eq!(AthenaType::parse(&ty.to_string()), ty);
    }

    #[test]
    fn render_then_parse_with_the_base_type_keeps_the_text((ty, value) in typed_value()) {
        let text = value.to_athena_text();
        let parsed = Value::parse(&text, &base(&ty))
            .map_err(|e| TestCaseError::fail(format!("{ty} {text:?}: {e}")))?;
        prop_assert_eq!(parsed.to_athena_text(), text);
    }

    #[test]
    fn any_top_level_string_reads_back(s in any::<String>()) {
        prop_assert_eq!(Value::parse(&s, &AthenaType::Varchar), Ok(Value::Varchar(s.clone())));
    }

    #[test]
    fn floats_render_and_parse_exactly(x in any::<f64>(), y in any::<f32>()) {
        let back = parse_double(&render_double(x)).unwrap();
        prop_assert!(back.to_bits() == x.to_bits() || (x.is_nan() && back.is_nan()));
        let back = parse_real(&render_real(y)).unwrap();
        prop_assert!(back.to_bits() == y.to_bits() || (y.is_nan() && back.is_nan()));
    }

    #[test]
    fn arrays_of_integers_through_serde(v in proptest::collection::vec(proptest::option::of(any::<i64>()), 0..8)) {
        use std::sync::Arc;
        let text = Value::Array(v.iter().map(|x| x.map_or(Value::Null, Value::BigInt)).collect())
            .to_athena_text();
        let meta = Arc::new(crate::value::ResultSetMetadata::new(vec![ColumnInfo::new("a", "array")]));
        let row = Row::new(meta, 0, vec![Some(text)]);
        prop_assert_eq!(row.get::<Vec<Option<i64>>>("a").unwrap(), v);
    }

    #[test]
    fn parsers_never_panic(text in "[\\[\\]{}=, a-z0-9.null-]{0,40}", sig in any_type()) {
        let _ = Value::parse(&text, &sig);
        let _ = Value::parse(&text, &base(&sig));
        let _ = parse_double(&text);
        let _ = parse_int::<i64>(&text);
        let _ = parse_varbinary(&text);
        let _ = AthenaType::parse(&text);
    }
}
