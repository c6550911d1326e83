//! UNLOAD on the scripted Athena and the fake S3, under paused tokio time: the
//! statement, the manifest, and Parquet files written the way Athena writes them
//! (Trino's Hive writer: docs/athena.md, "UNLOAD and data manifests"), read back
//! through shards.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use arrow_array::builder::{Int32Builder, ListBuilder, MapBuilder, StringBuilder, StructBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Fields, TimeUnit};
use futures::stream::FusedStream;
use futures::{StreamExt, TryStreamExt};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::basic::{Compression, GzipLevel, ZstdLevel};
use parquet::data_type as pq;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::{Value as Json, json};

use super::*;
use crate::columnar::BatchOptions;
use crate::fake::s3::{FakeS3, S3Fault};
use crate::fake::{Fake, Plan};
use crate::value::{AthenaType, Value};
use crate::{Athena, Error, Row, error::Operation, map::MapSettings};

/// A handle on a fake Athena whose queries succeed at once, reading S3 from `s3`.
fn athena(s3: &FakeS3) -> (Fake, Athena) {
    let fake = Fake::new(Plan::rows(0));
    let athena = fake
        .builder()
        .with_s3_api(Arc::new(s3.clone()))
        .build()
        .expect("valid settings");
    (fake, athena)
}

/// A Parquet file of these columns as Arrow writes it, without the Arrow schema in its
/// footer (Athena's files have none), with row groups of `row_group` rows.
fn arrow_parquet(
    columns: Vec<(&str, ArrayRef)>,
    compression: Compression,
    row_group: usize,
) -> Vec<u8> {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_max_row_group_row_count(Some(row_group))
        .build();
    let options = ArrowWriterOptions::new()
        .with_properties(props)
        .with_skip_arrow_metadata(true);
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new_with_options(&mut out, batch.schema(), options).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    out
}

/// A file of `n` rows: `id` (`prefix-<i>`), `bytes` (`i`, NULL for every 7th row) and
/// `uri`, in row groups of 1000 rows, GZIP as Athena's default.
fn hits(prefix: &str, n: usize) -> Vec<u8> {
    let ids: StringArray = (0..n).map(|i| Some(format!("{prefix}-{i}"))).collect();
    let bytes: Int64Array = (0..n).map(|i| (i % 7 != 0).then_some(i as i64)).collect();
    let uris: StringArray = (0..n).map(|i| Some(format!("/page/{}", i % 13))).collect();
    arrow_parquet(
        vec![
            ("request_id", Arc::new(ids) as ArrayRef),
            ("bytes", Arc::new(bytes)),
            ("uri", Arc::new(uris)),
        ],
        Compression::GZIP(GzipLevel::default()),
        1000,
    )
}

fn hit_columns() -> Vec<ShardColumn> {
    vec![
        ShardColumn::new("request_id", "varchar"),
        ShardColumn::new("bytes", "bigint"),
        ShardColumn::new("uri", "varchar"),
    ]
}

// ---------------------------------------------------------------------------
// Values: every vector of testdata/athena_values.json that Parquet can carry
// ---------------------------------------------------------------------------

/// How Athena writes a vector's value to Parquet, or why it cannot.
enum Written {
    /// One column of Trino's Hive Parquet schema, with the value (or NULL), and what
    /// reading it back gives: the vector's text unless the file cannot carry it.
    Hive {
        message_type: String,
        value: HiveValue,
        text: Option<String>,
    },
    /// A nested value, written by Arrow's writer in Parquet's standard LIST, MAP and
    /// group encodings, as Trino's writer writes them.
    Nested(ArrayRef),
    Skipped(&'static str),
}

/// A value of one Parquet column.
enum HiveValue {
    Null,
    Boolean(bool),
    Int32(i32),
    Int64(i64),
    Float(f32),
    Double(f64),
    Bytes(Vec<u8>),
    Fixed(Vec<u8>),
    Int96(pq::Int96),
}

mod batch_reads;
mod batch_types;
mod batches;
mod errors;
mod shards;
mod statement;
mod vectors;

// Helpers one group of tests writes and others use.
use batches::{both_ways, shard_batches};
use errors::shard_error;
use shards::{assert_changed_while_read, big_file, hit_shards};
use vectors::{
    append_id_name, date_days, decimal_bytes, hive_columns, hive_leaves, hive_parquet,
    id_name_fields, int96_at, tags, written,
};
