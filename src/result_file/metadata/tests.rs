use super::*;
use proptest::prelude::*;

/// One column as Athena writes it (the layout of the files Athena wrote that the
/// JDBC driver keeps as test data): no schema or table name, nullable 3.
fn uri_column() -> Vec<u8> {
    [
        &[0x0a, 4][..],
        b"hive", // 1 catalog_name
        &[0x22, 3],
        b"uri", // 4 name
        &[0x2a, 3],
        b"uri", // 5 label
        &[0x32, 7],
        b"varchar",                // 6 type
        &[0x38, 0xff, 0xff, 0x03], // 7 precision 65535, three varint bytes
        &[0x40, 0x00],             // 8 scale 0
        &[0x48, 0x03],             // 9 nullable UNKNOWN
        &[0x50, 0x00],             // 10 case_sensitive false
    ]
    .concat()
}

/// A column with every field, and two unknown ones to skip.
fn price_column() -> Vec<u8> {
    [
        &[0x0a, 4][..],
        b"hive",
        &[0x12, 2],
        b"db", // 2 schema_name
        &[0x1a, 1],
        b"t", // 3 table_name
        &[0x22, 5],
        b"price",
        &[0x2a, 5],
        b"label",
        &[0x32, 7],
        b"decimal",
        &[0x38, 38],      // precision 38
        &[0x40, 9],       // scale 9
        &[0x48, 0x01],    // NOT_NULL
        &[0x50, 0x01],    // case-sensitive
        &[0x58, 0x05],    // 11, a varint nobody knows
        &[0x62, 1, b'z'], // 12, a string nobody knows
    ]
    .concat()
}

fn file() -> Vec<u8> {
    let uri = uri_column();
    let price = price_column();
    assert_eq!((uri.len(), price.len()), (35, 49));
    [
        &[0x0a, 5][..],
        b"q_id1", // top-level 1: the engine's query id, skipped
        &[0x22, 35],
        &uri,
        &[0x22, 49],
        &price,
    ]
    .concat()
}

fn uri() -> MetadataColumn {
    MetadataColumn {
        catalog_name: "hive".into(),
        name: "uri".into(),
        label: "uri".into(),
        r#type: "varchar".into(),
        precision: 65535,
        nullable: Some(Nullability::Unknown),
        ..MetadataColumn::default()
    }
}

fn price() -> MetadataColumn {
    MetadataColumn {
        catalog_name: "hive".into(),
        schema_name: "db".into(),
        table_name: "t".into(),
        name: "price".into(),
        label: "label".into(),
        r#type: "decimal".into(),
        precision: 38,
        scale: 9,
        nullable: Some(Nullability::NotNull),
        case_sensitive: true,
    }
}

#[test]
fn a_hand_made_file_is_read_field_by_field() {
    let columns = decode(&file()).unwrap();
    assert_eq!(columns.len(), 2);
    let c = &columns[0];
    assert_eq!(c.catalog_name, "hive");
    assert_eq!(c.schema_name, "");
    assert_eq!(c.table_name, "");
    assert_eq!(c.name, "uri");
    assert_eq!(c.label, "uri");
    assert_eq!(c.r#type, "varchar");
    assert_eq!(c.precision, 65535);
    assert_eq!(c.scale, 0);
    assert_eq!(c.nullable, Some(Nullability::Unknown));
    assert!(!c.case_sensitive);
    let c = &columns[1];
    assert_eq!(c.catalog_name, "hive");
    assert_eq!(c.schema_name, "db");
    assert_eq!(c.table_name, "t");
    assert_eq!(c.name, "price");
    assert_eq!(c.label, "label");
    assert_eq!(c.r#type, "decimal");
    assert_eq!(c.precision, 38);
    assert_eq!(c.scale, 9);
    assert_eq!(c.nullable, Some(Nullability::NotNull));
    assert!(c.case_sensitive);
    assert_eq!(columns, [uri(), price()]);
}

#[test]
fn the_encoder_writes_athenas_layout() {
    let mut expected = vec![0x22, 35];
    expected.extend(uri_column());
    assert_eq!(encode(&[uri()]), expected);
    assert_eq!(encode(&[]), Vec::<u8>::new());
    assert_eq!(decode(&[]).unwrap(), []);
}

#[test]
fn columns_become_the_librarys_column_info() {
    let info = ColumnInfo::from(price());
    let mut expected = ColumnInfo::new("price", "decimal");
    expected.label = "label".into();
    expected.precision = 38;
    expected.scale = 9;
    expected.nullable = Some("NOT_NULL".into());
    expected.case_sensitive = true;
    assert_eq!(info, expected);
    assert_eq!(ColumnInfo::from(uri()).nullable.as_deref(), Some("UNKNOWN"));
    let unset = MetadataColumn::default();
    assert_eq!(ColumnInfo::from(unset).nullable, None);
}

#[test]
fn every_cut_short_file_fails_or_is_a_whole_column_short() {
    let file = file();
    let whole_columns = [0, 7, 7 + 37];
    for len in 0..file.len() {
        match decode(&file[..len]) {
            Ok(columns) => {
                // Protobuf has no end marker: a cut between top-level fields reads
                // as fewer columns. The CSV header check catches it.
                assert!(whole_columns.contains(&len), "cut at {len} decoded");
                assert_eq!(columns, [uri(), price()][..columns.len()]);
            }
            Err(e) => assert!(
                matches!(e.kind, MetadataErrorKind::Truncated(_)),
                "cut at {len}: {e}"
            ),
        }
    }
}

fn error(bytes: &[u8]) -> (usize, MetadataErrorKind) {
    let e = decode(bytes).unwrap_err();
    (e.offset, e.kind)
}

#[test]
fn varints_past_64_bits_are_refused() {
    let mut max = vec![0x08];
    max.extend([0xff; 9]);
    max.push(0x01);
    assert_eq!(decode(&max).unwrap(), []); // u64::MAX in an unknown field is fine
    let mut over = max.clone();
    *over.last_mut().unwrap() = 0x02;
    assert_eq!(error(&over), (1, MetadataErrorKind::VarintOverflow));
    let mut longer = vec![0x08];
    longer.extend([0xff; 10]);
    longer.push(0x01);
    assert_eq!(error(&longer), (1, MetadataErrorKind::VarintOverflow));
    assert_eq!(
        error(&[0x08, 0x80]),
        (1, MetadataErrorKind::Truncated("a varint"))
    );
    assert_eq!(error(&[0x88]), (0, MetadataErrorKind::Truncated("a tag")));
}

#[test]
fn lengths_past_the_end_are_refused() {
    assert_eq!(
        error(&[0x22, 5, 0x0a]),
        (1, MetadataErrorKind::Truncated("a length-delimited field"))
    );
    let mut huge = vec![0x22];
    huge.extend([0xff; 9]);
    huge.push(0x01);
    assert_eq!(
        error(&huge),
        (1, MetadataErrorKind::Truncated("a length-delimited field"))
    );
    // Inside a column, with the offset in the file.
    assert_eq!(
        error(&[0x22, 3, 0x0a, 9, b'h']),
        (3, MetadataErrorKind::Truncated("a length-delimited field"))
    );
}

#[test]
fn other_wire_types_and_bad_tags_are_refused() {
    for (tag, wire_type) in [
        (0x09, 1),
        (0x0b, 3),
        (0x0c, 4),
        (0x0d, 5),
        (0x0e, 6),
        (0x0f, 7),
    ] {
        assert_eq!(
            error(&[tag, 0, 0, 0, 0, 0, 0, 0, 0]),
            (
                0,
                MetadataErrorKind::UnsupportedWireType {
                    field: 1,
                    wire_type
                }
            )
        );
    }
    assert_eq!(
        error(&[0x22, 2, 0x3d, 0]),
        (
            2,
            MetadataErrorKind::UnsupportedWireType {
                field: 7,
                wire_type: 5
            }
        )
    );
    assert_eq!(error(&[0x00, 0x00]), (0, MetadataErrorKind::InvalidTag(0)));
    // Field number 2^29: one past the largest.
    assert_eq!(
        error(&[0x80, 0x80, 0x80, 0x80, 0x10, 0x00]),
        (0, MetadataErrorKind::InvalidTag(1 << 32))
    );
}

#[test]
fn known_fields_of_the_wrong_wire_type_are_refused() {
    let wrong = |message, field, expected, found| MetadataErrorKind::WrongWireType {
        message,
        field,
        expected,
        found,
    };
    assert_eq!(error(&[0x20, 1]), (0, wrong("result", 4, 2, 0)));
    assert_eq!(
        error(&[0x0a, 0, 0x22, 2, 0x20, 1]),
        (4, wrong("ColumnInfo", 4, 2, 0))
    );
    assert_eq!(
        error(&[0x22, 3, 0x3a, 1, 0]),
        (2, wrong("ColumnInfo", 7, 0, 2))
    );
    assert_eq!(
        error(&[0x22, 3, 0x52, 1, 1]),
        (2, wrong("ColumnInfo", 10, 0, 2))
    );
}

#[test]
fn bad_values_are_refused() {
    assert_eq!(
        error(&[0x22, 3, 0x22, 1, 0xff]),
        (2, MetadataErrorKind::NotUtf8 { field: 4 })
    );
    // 2^31 does not fit an int32.
    assert_eq!(
        error(&[0x22, 6, 0x40, 0x80, 0x80, 0x80, 0x80, 0x08]),
        (
            2,
            MetadataErrorKind::OutOfRange {
                field: 8,
                value: 1 << 31
            }
        )
    );
    // Negative values are sign-extended: -1 is ten bytes, and fine.
    let mut minus_one = vec![0x22, 11, 0x38];
    minus_one.extend([0xff; 9]);
    minus_one.push(0x01);
    assert_eq!(decode(&minus_one).unwrap()[0].precision, -1);
    for value in [0, 4, 300] {
        let mut bytes = vec![0x22, 0, 0x48];
        put_varint(&mut bytes, value);
        bytes[1] = (bytes.len() - 2) as u8;
        assert_eq!(
            error(&bytes),
            (2, MetadataErrorKind::UnknownNullable(value))
        );
    }
    assert_eq!(
        decode(&file()[..]).map(|c| c.len()),
        Ok(2),
        "the file itself stays good"
    );
}

fn column() -> impl Strategy<Value = MetadataColumn> {
    let text = || prop_oneof![Just(String::new()), ".{0,12}", "[a-z_0-9]{1,300}"];
    (
        (text(), text(), text(), text(), text(), text()),
        any::<i32>(),
        any::<i32>(),
        prop_oneof![
            Just(None),
            Just(Some(Nullability::NotNull)),
            Just(Some(Nullability::Nullable)),
            Just(Some(Nullability::Unknown)),
        ],
        any::<bool>(),
    )
        .prop_map(
            |(
                (catalog_name, schema_name, table_name, name, label, r#type),
                precision,
                scale,
                nullable,
                case_sensitive,
            )| {
                MetadataColumn {
                    catalog_name,
                    schema_name,
                    table_name,
                    name,
                    label,
                    r#type,
                    precision,
                    scale,
                    nullable,
                    case_sensitive,
                }
            },
        )
}

proptest! {
    #[test]
    fn encoded_columns_decode_to_themselves(columns in prop::collection::vec(column(), 0..8)) {
        prop_assert_eq!(decode(&encode(&columns)).unwrap(), columns);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = decode(&bytes);
    }

    #[test]
    fn arbitrary_bytes_inside_a_column_never_panic(body in prop::collection::vec(any::<u8>(), 0..64)) {
        let mut bytes = vec![0x22];
        put_varint(&mut bytes, body.len() as u64);
        bytes.extend(body);
        let _ = decode(&bytes);
    }
}
