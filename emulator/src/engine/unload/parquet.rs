//! Parquet files as close to Athena's as arrow-rs writes them.
//!
//! Athena engine 3 writes Parquet through Trino's Hive writer, whose schema converter
//! (`ParquetSchemaConverter`, with `HIVE_PARQUET_USE_INT96_TIMESTAMP_ENCODING` and
//! `HIVE_PARQUET_USE_LEGACY_DECIMAL_ENCODING` both true) makes every column OPTIONAL,
//! tinyint, smallint and integer plain INT32, varchar and char BINARY (STRING), varbinary
//! BINARY, date INT32 (DATE), arrays a LIST group with a repeated `list` of `element`,
//! maps a MAP group with a repeated `key_value` of a REQUIRED `key` and an OPTIONAL
//! `value`, rows a group of their fields, under a root named `trino_schema`. The emulator
//! writes the same, with no Arrow schema in the footer, except where arrow-rs cannot or
//! does otherwise (emulator/SQL.md, "UNLOAD"):
//! - timestamps are INT64 (TIMESTAMP, not adjusted to UTC) in milliseconds, micro- or
//!   nanoseconds after the column's precision, as Trino writes them when INT96 is off;
//!   Athena writes INT96, which arrow-rs does not write.
//! - decimals of precision 9 or less are INT32, of 18 or less INT64 (DECIMAL), as the
//!   Parquet spec prefers; Athena writes FIXED_LEN_BYTE_ARRAY for every precision.
//! - tinyint and smallint carry the annotation INT(8, true) / INT(16, true); Trino's are
//!   bare INT32. A reader sees the same values.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, ListArray, MapArray, RecordBatch, StructArray,
};
use datafusion::arrow::compute::{CastOptions, cast_with_options};
use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::error::ArrowError;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_writer::ArrowWriterOptions;
use datafusion::parquet::basic::{Compression as ParquetCompression, GzipLevel, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;

use super::options::Compression;

/// The name of the root of the Parquet schema, as Trino names it.
const SCHEMA_ROOT: &str = "trino_schema";

/// The schema the Parquet files are written with: the query's columns under their
/// names, each in the Arrow type that maps to Athena's Parquet type (module docs).
pub(crate) fn file_schema(names: &[String], fields: &[&Field]) -> SchemaRef {
    Arc::new(Schema::new(
        names
            .iter()
            .zip(fields)
            .map(|(name, f)| Field::new(name, file_type(f.data_type()), true))
            .collect::<Vec<_>>(),
    ))
}

/// The Arrow type a value of `data_type` is written as.
fn file_type(data_type: &DataType) -> DataType {
    match data_type {
        DataType::UInt8 => DataType::Int16,
        DataType::UInt16 => DataType::Int32,
        DataType::UInt32 | DataType::UInt64 => DataType::Int64,
        DataType::Float16 => DataType::Float32,
        DataType::LargeUtf8 | DataType::Utf8View => DataType::Utf8,
        DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_) => {
            DataType::Binary
        }
        DataType::Date64 => DataType::Date32,
        // A timestamp(0) held in seconds: Parquet has no seconds unit.
        DataType::Timestamp(TimeUnit::Second, None) => {
            DataType::Timestamp(TimeUnit::Millisecond, None)
        }
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) | DataType::Decimal256(p, s) => {
            DataType::Decimal128(*p, *s)
        }
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::FixedSizeList(f, _)
        | DataType::ListView(f)
        | DataType::LargeListView(f) => DataType::List(Arc::new(Field::new(
            "element",
            file_type(f.data_type()),
            true,
        ))),
        DataType::Map(entries, sorted) => {
            let (key, value) = match entries.data_type() {
                DataType::Struct(kv) if kv.len() == 2 => {
                    (kv[0].data_type().clone(), kv[1].data_type().clone())
                }
                other => (other.clone(), DataType::Null),
            };
            DataType::Map(
                Arc::new(Field::new(
                    "key_value",
                    DataType::Struct(Fields::from(vec![
                        Field::new("key", file_type(&key), false),
                        Field::new("value", file_type(&value), true),
                    ])),
                    false,
                )),
                *sorted,
            )
        }
        DataType::Struct(fields) => DataType::Struct(
            fields
                .iter()
                .map(|f| {
                    Field::new(
                        f.name().to_ascii_lowercase(),
                        file_type(f.data_type()),
                        true,
                    )
                })
                .collect(),
        ),
        DataType::Dictionary(_, value) => file_type(value),
        other => other.clone(),
    }
}

/// `batch` in the types of `schema` (from [`file_schema`]).
pub(crate) fn to_file_batch(
    batch: &RecordBatch,
    schema: &SchemaRef,
) -> Result<RecordBatch, ArrowError> {
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(column, field)| convert(column, field.data_type()))
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(Arc::clone(schema), columns)
}

/// `array` as `target`: nested types rebuilt around their converted children (their
/// field names and nullability change, not their layout), leaves cast; a value that does
/// not fit (an unsigned bigint above the signed range) is an error, never wrapped.
fn convert(array: &ArrayRef, target: &DataType) -> Result<ArrayRef, ArrowError> {
    if array.data_type() == target {
        return Ok(Arc::clone(array));
    }
    let options = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    match (array.data_type(), target) {
        (DataType::List(_), DataType::List(field)) => {
            let list = array.as_list::<i32>();
            let values = convert(list.values(), field.data_type())?;
            Ok(Arc::new(ListArray::try_new(
                Arc::clone(field),
                list.offsets().clone(),
                values,
                list.nulls().cloned(),
            )?))
        }
        (
            DataType::LargeList(_)
            | DataType::FixedSizeList(..)
            | DataType::ListView(_)
            | DataType::LargeListView(_),
            DataType::List(field),
        ) => {
            // First as a list of the same elements, then converted as one.
            let source_field = match array.data_type() {
                DataType::LargeList(f)
                | DataType::FixedSizeList(f, _)
                | DataType::ListView(f)
                | DataType::LargeListView(f) => Arc::clone(f),
                _ => Arc::clone(field),
            };
            let as_list = cast_with_options(array, &DataType::List(source_field), &options)?;
            convert(&as_list, target)
        }
        (DataType::Map(..), DataType::Map(entries_field, sorted)) => {
            let map = array.as_map();
            let entries: ArrayRef = Arc::new(map.entries().clone());
            let entries = convert(&entries, entries_field.data_type())?;
            Ok(Arc::new(MapArray::try_new(
                Arc::clone(entries_field),
                map.offsets().clone(),
                entries.as_struct().clone(),
                map.nulls().cloned(),
                *sorted,
            )?))
        }
        (DataType::Struct(_), DataType::Struct(fields)) => {
            let row = array.as_struct();
            let columns = row
                .columns()
                .iter()
                .zip(fields)
                .map(|(c, f)| convert(c, f.data_type()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Arc::new(StructArray::try_new(
                fields.clone(),
                columns,
                row.nulls().cloned(),
            )?))
        }
        _ => cast_with_options(array, target, &options),
    }
}

/// A Parquet writer of `schema` into `out`, compressed as asked.
pub(crate) fn writer<W: std::io::Write + Send>(
    out: W,
    schema: &SchemaRef,
    compression: Compression,
) -> Result<ArrowWriter<W>, ArrowError> {
    let codec = match compression {
        Compression::None => ParquetCompression::UNCOMPRESSED,
        Compression::Gzip => ParquetCompression::GZIP(GzipLevel::default()),
        Compression::Snappy => ParquetCompression::SNAPPY,
        Compression::Zstd(level) => ParquetCompression::ZSTD(
            ZstdLevel::try_new(level).map_err(|e| ArrowError::ParquetError(e.to_string()))?,
        ),
        // The options refuse these for Parquet, as Athena writes neither.
        Compression::Bzip2 | Compression::Lz4 => {
            return Err(ArrowError::ParquetError(
                "Athena writes no BZIP2 or LZ4 Parquet".to_owned(),
            ));
        }
    };
    let properties = WriterProperties::builder()
        .set_compression(codec)
        // Lists of `element`, maps of `key_value` with `key` and `value`, as Trino names
        // them (and the Parquet spec).
        .set_coerce_types(true)
        .build();
    let options = ArrowWriterOptions::new()
        .with_properties(properties)
        // Athena's files carry no Arrow schema: a reader gets the types from the Parquet
        // schema alone, as it must for Athena's own files.
        .with_skip_arrow_metadata(true)
        .with_schema_root(SCHEMA_ROOT.to_owned());
    ArrowWriter::try_new_with_options(out, Arc::clone(schema), options)
        .map_err(|e| ArrowError::ParquetError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{
        Decimal128Array, Int8Array, Int32Array, MapBuilder, StringBuilder, TimestampSecondArray,
        UInt64Array,
    };
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};

    fn write(batch: &RecordBatch, names: &[&str]) -> bytes::Bytes {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let schema = batch.schema();
        let fields: Vec<&Field> = schema.fields().iter().map(|f| f.as_ref()).collect();
        let file_schema = file_schema(&names, &fields);
        let mut out = Vec::new();
        let mut w = writer(&mut out, &file_schema, Compression::Gzip).unwrap();
        w.write(&to_file_batch(batch, &file_schema).unwrap())
            .unwrap();
        w.close().unwrap();
        bytes::Bytes::from(out)
    }

    /// One row of every shape the schema test looks at.
    fn sample_batch() -> RecordBatch {
        let mut map = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
        map.keys().append_value("k");
        map.values().append_value("v");
        map.append(true).unwrap();
        let list =
            ListArray::from_iter_primitive::<datafusion::arrow::datatypes::Int32Type, _, _>(vec![
                Some(vec![Some(1), None]),
            ]);
        RecordBatch::try_from_iter(vec![
            ("i", Arc::new(Int32Array::from(vec![1])) as ArrayRef),
            (
                "ts",
                Arc::new(TimestampSecondArray::from(vec![1_704_164_645])) as ArrayRef,
            ),
            ("m", Arc::new(map.finish()) as ArrayRef),
            ("a", Arc::new(list) as ArrayRef),
            (
                "d9",
                Arc::new(
                    Decimal128Array::from(vec![150])
                        .with_precision_and_scale(3, 2)
                        .unwrap(),
                ) as ArrayRef,
            ),
            (
                "d18",
                Arc::new(
                    Decimal128Array::from(vec![150])
                        .with_precision_and_scale(18, 2)
                        .unwrap(),
                ) as ArrayRef,
            ),
            (
                "d38",
                Arc::new(
                    Decimal128Array::from(vec![150])
                        .with_precision_and_scale(38, 2)
                        .unwrap(),
                ) as ArrayRef,
            ),
            ("t", Arc::new(Int8Array::from(vec![1])) as ArrayRef),
        ])
        .unwrap()
    }

    #[test]
    fn the_parquet_schema_is_athenas_where_arrow_rs_can_write_it() {
        let batch = sample_batch();
        let bytes = write(&batch, &["i", "ts", "m", "a", "d9", "d18", "d38", "t"]);
        let reader = SerializedFileReader::new(bytes.clone()).unwrap();
        let metadata = reader.metadata().file_metadata();
        assert!(
            metadata
                .key_value_metadata()
                .is_none_or(|kv| kv.iter().all(|kv| kv.key != "ARROW:schema")),
            "no Arrow schema in the footer"
        );
        let mut printed = Vec::new();
        datafusion::parquet::schema::printer::print_schema(&mut printed, metadata.schema());
        let printed = String::from_utf8(printed).unwrap();
        for want in [
            "message trino_schema",
            "OPTIONAL INT32 i;",
            "OPTIONAL INT64 ts (TIMESTAMP(MILLIS,false));",
            "OPTIONAL group m (MAP)",
            "REPEATED group key_value",
            "REQUIRED BYTE_ARRAY key (STRING);",
            "OPTIONAL BYTE_ARRAY value (STRING);",
            "OPTIONAL group a (LIST)",
            "REPEATED group list",
            "OPTIONAL INT32 element;",
            // What arrow-rs writes where Athena writes FIXED_LEN_BYTE_ARRAY (module docs).
            "OPTIONAL INT32 d9 (DECIMAL(3,2));",
            "OPTIONAL INT64 d18 (DECIMAL(18,2));",
            "OPTIONAL FIXED_LEN_BYTE_ARRAY (16) d38 (DECIMAL(38,2));",
            "OPTIONAL INT32 t (INTEGER(8,true));",
        ] {
            assert!(printed.contains(want), "{want} not in\n{printed}");
        }
        // And the values come back.
        let batches: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(bytes)
            .unwrap()
            .build()
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let ts = batches[0].column(1);
        assert_eq!(
            ts.data_type(),
            &DataType::Timestamp(TimeUnit::Millisecond, None)
        );
        assert_eq!(
            ts.as_primitive::<datafusion::arrow::datatypes::TimestampMillisecondType>()
                .value(0),
            1_704_164_645_000
        );
    }

    #[test]
    fn values_that_do_not_fit_are_errors() {
        let batch = RecordBatch::try_from_iter(vec![(
            "u",
            Arc::new(UInt64Array::from(vec![u64::MAX])) as ArrayRef,
        )])
        .unwrap();
        let schema = batch.schema();
        let fields: Vec<&Field> = schema.fields().iter().map(|f| f.as_ref()).collect();
        let file_schema = file_schema(&["u".to_owned()], &fields);
        assert!(to_file_batch(&batch, &file_schema).is_err());
    }
}
