//! `<id>.csv.metadata` (and `<id>.txt.metadata`): a result's columns as protobuf, written
//! beside the result file as Athena writes it (docs/athena.md, "Result files").
//!
//! The layout, learnt from files Athena wrote that the JDBC driver burtcorp/athena-jdbc
//! keeps as test data (`src/test/resources/protobuf/medium.bin`, described field by field
//! by its `VeryBasicProtobufParserTest.java`):
//!
//! - top level: field 1, the engine's own query id (`20190513_152236_00114_n7swu`, not
//!   the QueryExecutionId), then field 4 once per column, in result order;
//! - each column: 1 catalog (`hive`), 2 schema, 3 table, 4 name, 5 label, 6 type
//!   (strings, written only when not empty: the file's columns carry no 2 and 3), then
//!   7 precision, 8 scale, 9 nullable and 10 case-sensitive as varints, always written,
//!   zeros included.
//!
//! Nullable is 1 NOT_NULL, 2 NULLABLE, 3 UNKNOWN: that file carries 3 on a column
//! `GetQueryResults` reports as `UNKNOWN`, and the driver reads 1 and 2 as NOT_NULL and
//! NULLABLE. The emulator, like Athena, says UNKNOWN for every column.
//!
//! A small encoder rather than a protobuf crate: two wire types, ten fields, and the
//! library's own decoder is written independently, so each checks the other.

use super::results::ColumnMeta;

/// Protobuf wire type 0.
const VARINT: u8 = 0;
/// Protobuf wire type 2.
const LENGTH_DELIMITED: u8 = 2;

/// Field 9's value for UNKNOWN.
const NULLABLE_UNKNOWN: u64 = 3;

fn put_varint(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_key(field: u8, wire_type: u8, out: &mut Vec<u8>) {
    // Every field number here is below 16, so its key is one byte.
    out.push(field << 3 | wire_type);
}

fn put_bytes(field: u8, bytes: &[u8], out: &mut Vec<u8>) {
    put_key(field, LENGTH_DELIMITED, out);
    put_varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// A string field, left out when empty (as in Athena's files).
fn put_string(field: u8, value: &str, out: &mut Vec<u8>) {
    if !value.is_empty() {
        put_bytes(field, value.as_bytes(), out);
    }
}

/// A varint field, always written.
fn put_int(field: u8, value: u64, out: &mut Vec<u8>) {
    put_key(field, VARINT, out);
    put_varint(value, out);
}

/// int32 on the wire: a negative value is sign-extended to ten bytes, as protobuf does.
fn int32(value: i32) -> u64 {
    i64::from(value) as u64
}

/// The bytes of `<id>.csv.metadata` for a result with these columns, written by the
/// engine query `engine_query_id`.
pub(crate) fn encode(engine_query_id: &str, columns: &[ColumnMeta]) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + columns.len() * 48);
    put_string(1, engine_query_id, &mut out);
    let mut column = Vec::with_capacity(64);
    for c in columns {
        column.clear();
        put_string(1, "hive", &mut column);
        put_string(2, "", &mut column);
        put_string(3, "", &mut column);
        put_string(4, &c.name, &mut column);
        put_string(5, &c.name, &mut column);
        put_string(6, &c.athena_type, &mut column);
        put_int(7, int32(c.precision), &mut column);
        put_int(8, int32(c.scale), &mut column);
        put_int(9, NULLABLE_UNKNOWN, &mut column);
        put_int(10, u64::from(c.case_sensitive), &mut column);
        put_bytes(4, &column, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_are_little_endian_groups_of_seven_bits() {
        let encoded = |v| {
            let mut out = Vec::new();
            put_varint(v, &mut out);
            out
        };
        assert_eq!(encoded(0), [0]);
        assert_eq!(encoded(127), [0x7f]);
        assert_eq!(encoded(128), [0x80, 0x01]);
        assert_eq!(encoded(300), [0xac, 0x02]);
        assert_eq!(encoded(2_147_483_647), [0xff, 0xff, 0xff, 0xff, 0x07]);
        assert_eq!(encoded(int32(-1)).len(), 10);
    }

    /// The column of the JDBC driver's `medium.bin`, rebuilt: `_col0 integer` is 37 bytes
    /// with fields 1, 4, 5, 6, 7, 8, 9, 10 in that order, 10 / 0 / 3 / 0.
    #[test]
    fn an_integer_column_is_laid_out_as_in_athenas_file() {
        let column = ColumnMeta {
            name: "_col0".into(),
            athena_type: "integer".into(),
            precision: 10,
            scale: 0,
            case_sensitive: false,
        };
        let bytes = encode("20190513_152236_00114_n7swu", &[column]);
        let mut expected = vec![0x0a, 27];
        expected.extend_from_slice(b"20190513_152236_00114_n7swu");
        expected.extend_from_slice(&[0x22, 37]);
        expected.extend_from_slice(&[0x0a, 4]);
        expected.extend_from_slice(b"hive");
        expected.extend_from_slice(&[0x22, 5]);
        expected.extend_from_slice(b"_col0");
        expected.extend_from_slice(&[0x2a, 5]);
        expected.extend_from_slice(b"_col0");
        expected.extend_from_slice(&[0x32, 7]);
        expected.extend_from_slice(b"integer");
        expected.extend_from_slice(&[0x38, 10, 0x40, 0, 0x48, 3, 0x50, 0]);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn no_columns_is_the_query_id_alone() {
        assert_eq!(encode("q", &[]), [0x0a, 1, b'q']);
    }
}
