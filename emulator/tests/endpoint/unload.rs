//! UNLOAD through the real SDK clients: each format written where the
//! TO location says and served by the S3 side, the data manifest and
//! `Statistics.DataManifestLocation`, several files for a large result, and Athena's
//! errors for what cannot be written.

use crate::common;

use std::io::Read;
use std::num::NonZeroUsize;

use athena_emulator::{Emulator, EngineConfig};
use aws_sdk_athena::types::{QueryExecution, QueryExecutionState};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Int64Type, TimeUnit};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};

/// An emulator whose UNLOAD starts a new file every `rows_per_file` rows.
async fn emulator_with_files_of(rows_per_file: usize) -> Emulator {
    common::builder_with(EngineConfig {
        unload_rows_per_file: NonZeroUsize::new(rows_per_file).expect("not zero"),
        ..common::engine_config()
    })
    .start()
    .await
    .expect("emulator starts")
}

/// Runs `sql` to its final state.
async fn finish(athena: &aws_sdk_athena::Client, sql: &str) -> QueryExecution {
    let id = common::start(athena, sql).await;
    common::wait(athena, &id).await
}

/// Runs an UNLOAD to SUCCEEDED; answers its execution and the URIs of its manifest.
async fn unload(
    athena: &aws_sdk_athena::Client,
    s3: &aws_sdk_s3::Client,
    sql: &str,
) -> (QueryExecution, Vec<String>) {
    let execution = finish(athena, sql).await;
    assert_eq!(
        execution.status().and_then(|s| s.state()),
        Some(&QueryExecutionState::Succeeded),
        "{sql}: {execution:?}"
    );
    let manifest = execution
        .statistics()
        .and_then(|s| s.data_manifest_location())
        .expect("a DataManifestLocation")
        .to_owned();
    let text = String::from_utf8(get(s3, &manifest).await).expect("a UTF-8 manifest");
    // One URI per line, each line ended by `\n`, no header.
    assert!(text.is_empty() || text.ends_with('\n'), "{text:?}");
    let uris = text.lines().map(str::to_owned).collect();
    (execution, uris)
}

/// The message of a query that must fail.
async fn failure(athena: &aws_sdk_athena::Client, sql: &str) -> String {
    let execution = finish(athena, sql).await;
    let status = execution.status().expect("a status");
    assert_eq!(
        status.state(),
        Some(&QueryExecutionState::Failed),
        "{sql}: {execution:?}"
    );
    status.state_change_reason().expect("a reason").to_owned()
}

async fn get(s3: &aws_sdk_s3::Client, uri: &str) -> Vec<u8> {
    let (bucket, key) = common::bucket_and_key(uri);
    let object = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetObject {uri}: {e:?}"));
    object.body.collect().await.unwrap().into_bytes().to_vec()
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("a gzip file of UTF-8 text");
    text
}

fn parquet_batches(bytes: Vec<u8>) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))
        .expect("a Parquet file")
        .build()
        .expect("a reader")
        .collect::<Result<_, _>>()
        .expect("its batches")
}

#[tokio::test]
async fn unload_to_parquet_writes_gzip_files_the_manifest_lists() {
    let emulator = common::emulator().await;
    let (athena, s3) = (common::client(&emulator), common::s3_client(&emulator));
    let (execution, uris) = unload(
        &athena,
        &s3,
        "UNLOAD (SELECT id, name, price, ts, day FROM (VALUES \
           (1, 'a', DECIMAL '1.50', TIMESTAMP '2024-01-02 03:04:05.123', DATE '2024-01-02'), \
           (2, NULL, DECIMAL '-0.05', NULL, NULL)) AS t(id, name, price, ts, day)) \
         TO 's3://unloads/parquet/' WITH (format = 'PARQUET')",
    )
    .await;
    assert_eq!(execution.statement_type().map(|t| t.as_str()), Some("DML"));
    assert_eq!(execution.substatement_type(), Some("UNLOAD"));
    // The manifest sits beside the query's result, named after the query.
    let id = execution.query_execution_id().unwrap();
    let output = execution
        .result_configuration()
        .and_then(|r| r.output_location())
        .unwrap();
    assert!(output.ends_with(id), "{output}");
    assert_eq!(
        execution
            .statistics()
            .and_then(|s| s.data_manifest_location()),
        Some(format!("{output}-manifest.csv").as_str())
    );
    assert_eq!(uris.len(), 1, "{uris:?}");
    assert!(uris[0].starts_with("s3://unloads/parquet/"), "{uris:?}");

    let bytes = get(&s3, &uris[0]).await;
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes.clone())).unwrap();
    let metadata = reader.metadata();
    // Athena's default for Parquet is GZIP.
    for column in metadata.row_group(0).columns() {
        assert!(
            matches!(column.compression(), Compression::GZIP(_)),
            "{column:?}"
        );
    }
    let batches = parquet_batches(bytes);
    let batch = &batches[0];
    let schema = batch.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["id", "name", "price", "ts", "day"]);
    assert_eq!(schema.field(0).data_type(), &DataType::Int32);
    assert_eq!(schema.field(1).data_type(), &DataType::Utf8);
    assert_eq!(schema.field(2).data_type(), &DataType::Decimal128(3, 2));
    // arrow-rs writes no INT96: a timestamp(3) is INT64 milliseconds (emulator/SQL.md).
    assert_eq!(
        schema.field(3).data_type(),
        &DataType::Timestamp(TimeUnit::Millisecond, None)
    );
    assert_eq!(schema.field(4).data_type(), &DataType::Date32);
    assert_eq!(batch.num_rows(), 2);
    let ts = batch
        .column(3)
        .as_primitive::<datafusion::arrow::datatypes::TimestampMillisecondType>();
    assert_eq!(ts.value(0), 1_704_164_645_123);
    assert!(ts.is_null(1));
    let price = batch
        .column(2)
        .as_primitive::<datafusion::arrow::datatypes::Decimal128Type>();
    assert_eq!((price.value(0), price.value(1)), (150, -5));
    assert!(batch.column(1).is_null(1));

    // GetQueryResults of an UNLOAD: the `rows` column, no rows; UpdateCount the rows
    // written (Athena's own answer is not documented: emulator/SQL.md, "UNLOAD").
    let page = &common::pages(&athena, id, None).await[0];
    assert_eq!(page.update_count(), Some(2));
    let rows = page.result_set().map(|r| r.rows()).unwrap_or_default();
    assert!(rows.is_empty(), "{rows:?}");
}

#[tokio::test]
async fn unload_to_json_writes_gzipped_lines() {
    let emulator = common::emulator().await;
    let (athena, s3) = (common::client(&emulator), common::s3_client(&emulator));
    let (_, uris) = unload(
        &athena,
        &s3,
        "UNLOAD (SELECT 1 AS id, 'x\"y' AS s, ARRAY[1, 2] AS a, CAST(NULL AS double) AS d, \
           TIMESTAMP '2024-01-02 03:04:05.100' AS ts) \
         TO 's3://unloads/json' WITH (format = 'JSON')",
    )
    .await;
    assert_eq!(uris.len(), 1, "{uris:?}");
    assert!(uris[0].ends_with(".gz"), "{uris:?}");
    assert_eq!(
        gunzip(&get(&s3, &uris[0]).await),
        "{\"id\":1,\"s\":\"x\\\"y\",\"a\":[1,2],\"d\":null,\"ts\":\"2024-01-02 03:04:05.1\"}\n"
    );
}

#[tokio::test]
async fn unload_to_textfile_takes_a_delimiter_and_no_compression() {
    let emulator = common::emulator().await;
    let (athena, s3) = (common::client(&emulator), common::s3_client(&emulator));
    let (_, uris) = unload(
        &athena,
        &s3,
        "UNLOAD (SELECT * FROM (VALUES (1, 'a', true), (2, NULL, false)) AS t(n, s, b) ORDER BY n) \
         TO 's3://unloads/text/' \
         WITH (format = 'TEXTFILE', field_delimiter = ',', compression = 'NONE')",
    )
    .await;
    assert_eq!(uris.len(), 1, "{uris:?}");
    let text = String::from_utf8(get(&s3, &uris[0]).await).unwrap();
    assert_eq!(text, "1,a,true\n2,\\N,false\n");

    // The default: `\001` between fields, GZIP.
    let (_, uris) = unload(
        &athena,
        &s3,
        "UNLOAD (SELECT 1 AS n, 'a' AS s) TO 's3://unloads/text-default/' \
         WITH (format = 'TEXTFILE')",
    )
    .await;
    assert!(uris[0].ends_with(".gz"), "{uris:?}");
    assert_eq!(gunzip(&get(&s3, &uris[0]).await), "1\u{1}a\n");
}

#[tokio::test]
async fn a_large_unload_writes_several_files_that_hold_every_row_once() {
    let emulator = emulator_with_files_of(1_000).await;
    let (athena, s3) = (common::client(&emulator), common::s3_client(&emulator));
    let (execution, uris) = unload(
        &athena,
        &s3,
        "UNLOAD (SELECT value AS n FROM UNNEST(sequence(1, 4500)) AS t(value)) \
         TO 's3://unloads/many/' WITH (format = 'PARQUET', compression = 'SNAPPY')",
    )
    .await;
    assert!(uris.len() >= 5, "{uris:?}");
    let mut seen = Vec::new();
    for uri in &uris {
        let batches = parquet_batches(get(&s3, uri).await);
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        assert!(rows <= 1_000, "{uri}: {rows} rows");
        for batch in &batches {
            let column = datafusion::arrow::compute::cast(batch.column(0), &DataType::Int64)
                .expect("integers");
            seen.extend(column.as_primitive::<Int64Type>().values().iter().copied());
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=4500).collect::<Vec<i64>>());
    let id = execution.query_execution_id().unwrap();
    assert_eq!(
        common::pages(&athena, id, None).await[0].update_count(),
        Some(4500)
    );
}

#[tokio::test]
async fn an_unload_of_no_rows_writes_an_empty_manifest() {
    let emulator = common::emulator().await;
    let (athena, s3) = (common::client(&emulator), common::s3_client(&emulator));
    // The bucket exists, as the TO location's bucket must on S3.
    s3.create_bucket().bucket("unloads").send().await.unwrap();
    let (_, uris) = unload(
        &athena,
        &s3,
        "UNLOAD (SELECT 1 AS n WHERE false) TO 's3://unloads/none/' WITH (format = 'JSON')",
    )
    .await;
    assert!(uris.is_empty(), "{uris:?}");
    let listed = s3
        .list_objects_v2()
        .bucket("unloads")
        .prefix("none/")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.key_count(), Some(0), "{listed:?}");
}

#[tokio::test]
async fn unload_never_writes_into_a_location_that_holds_data() {
    let emulator = common::emulator().await;
    let (athena, s3) = (common::client(&emulator), common::s3_client(&emulator));
    let sql = "UNLOAD (SELECT 1 AS n) TO 's3://unloads/again/' WITH (format = 'PARQUET')";
    let (_, first) = unload(&athena, &s3, sql).await;
    let message = failure(&athena, sql).await;
    assert!(message.starts_with("HIVE_PATH_ALREADY_EXISTS"), "{message}");
    assert!(message.contains("s3://unloads/again/"), "{message}");
    // The first UNLOAD's file is untouched and alone.
    let listed = s3
        .list_objects_v2()
        .bucket("unloads")
        .prefix("again/")
        .send()
        .await
        .unwrap();
    let keys: Vec<String> = listed
        .contents()
        .iter()
        .map(|o| format!("s3://unloads/{}", o.key().unwrap()))
        .collect();
    assert_eq!(keys, first);
}

#[tokio::test]
async fn unload_refuses_what_athena_cannot_write() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    for (sql, want) in [
        (
            "UNLOAD (SELECT TIME '01:02:03' AS t) TO 's3://unloads/e1/' WITH (format = 'PARQUET')",
            "NOT_SUPPORTED: Unsupported Hive type: time",
        ),
        (
            "UNLOAD (SELECT TIMESTAMP '2024-01-02 03:04:05 UTC' AS t) TO 's3://unloads/e2/' \
             WITH (format = 'JSON')",
            // A literal's precision is its digits, as in Trino.
            "NOT_SUPPORTED: Unsupported Hive type: timestamp(0) with time zone",
        ),
        (
            "UNLOAD (SELECT 1 AS a, 1 + 1) TO 's3://unloads/e3/' WITH (format = 'PARQUET')",
            "MISSING_COLUMN_NAME: line 1:1: Column name not specified at position 2",
        ),
        (
            "UNLOAD (SELECT 1 AS a) TO 's3://unloads/e4/' WITH (format = 'ORC')",
            "NOT_SUPPORTED: UNLOAD to ORC",
        ),
        (
            "UNLOAD (SELECT 1 AS a) TO 's3://unloads/e5/' WITH (format = 'AVRO')",
            "NOT_SUPPORTED: UNLOAD to AVRO",
        ),
        (
            "UNLOAD (SELECT 1 AS a, 2 AS p) TO 's3://unloads/e6/' \
             WITH (format = 'PARQUET', partitioned_by = ARRAY['p'])",
            "NOT_SUPPORTED: UNLOAD with partitioned_by",
        ),
        (
            "UNLOAD (SELECT 1 AS a) TO 's3://unloads/e7/'",
            "INVALID_TABLE_PROPERTY",
        ),
        (
            "UNLOAD (SELECT 1 AS a) TO 's3://unloads/e8/' \
             WITH (format = 'PARQUET', compression = 'LZ4')",
            "NOT_SUPPORTED",
        ),
        (
            "UNLOAD (SELECT 'a,b' AS s) TO 's3://unloads/e9/' \
             WITH (format = 'TEXTFILE', field_delimiter = ',')",
            "NOT_SUPPORTED",
        ),
        (
            "UNLOAD (SELECT 1 AS a) TO 'unloads/e10/' WITH (format = 'PARQUET')",
            "INVALID_TABLE_PROPERTY",
        ),
    ] {
        let message = failure(&athena, sql).await;
        assert!(message.starts_with(want), "{sql}: {message}");
    }
}

#[tokio::test]
async fn the_manifest_as_rows_is_refused_rather_than_answered_wrongly() {
    use aws_sdk_athena::error::ProvideErrorMetadata;
    use aws_sdk_athena::types::QueryResultType;

    let emulator = common::emulator().await;
    let (athena, s3) = (common::client(&emulator), common::s3_client(&emulator));
    let (execution, _) = unload(
        &athena,
        &s3,
        "UNLOAD (SELECT 1 AS n) TO 's3://unloads/rows/' WITH (format = 'JSON')",
    )
    .await;
    let err = athena
        .get_query_results()
        .query_execution_id(execution.query_execution_id().unwrap())
        .query_result_type(QueryResultType::DataManifest)
        .send()
        .await
        .expect_err("DATA_MANIFEST is refused");
    assert_eq!(err.code(), Some("InvalidRequestException"), "{err:?}");
    assert!(
        err.message().is_some_and(|m| m.contains("DATA_MANIFEST")),
        "{err:?}"
    );
    // DATA_ROWS, the default, is served.
    athena
        .get_query_results()
        .query_execution_id(execution.query_execution_id().unwrap())
        .query_result_type(QueryResultType::DataRows)
        .send()
        .await
        .expect("DATA_ROWS");
}

#[tokio::test]
async fn a_million_row_unload_writes_more_than_one_file_by_default() {
    let emulator = common::emulator().await;
    let (athena, s3) = (common::client(&emulator), common::s3_client(&emulator));
    let (execution, uris) = unload(
        &athena,
        &s3,
        "UNLOAD (SELECT (a - 1) * 1000 + b AS n FROM UNNEST(sequence(1, 1000)) AS t(a) \
         CROSS JOIN UNNEST(sequence(1, 1000)) AS u(b)) \
         TO 's3://unloads/million/' WITH (format = 'PARQUET', compression = 'NONE')",
    )
    .await;
    assert!(uris.len() > 1, "{uris:?}");
    let id = execution.query_execution_id().unwrap();
    assert_eq!(
        common::pages(&athena, id, None).await[0].update_count(),
        Some(1_000_000)
    );
}

#[tokio::test]
async fn unload_binds_execution_parameters_into_its_query() {
    let emulator = common::emulator().await;
    let (athena, s3) = (common::client(&emulator), common::s3_client(&emulator));
    let id = athena
        .start_query_execution()
        .query_string(
            "UNLOAD (SELECT n FROM (VALUES (1), (2), (3)) AS t(n) WHERE n >= ?) \
             TO 's3://unloads/params/' WITH (format = 'TEXTFILE', compression = 'NONE')",
        )
        .execution_parameters("2")
        .send()
        .await
        .expect("StartQueryExecution")
        .query_execution_id
        .expect("an id");
    let execution = common::wait(&athena, &id).await;
    let manifest = execution
        .statistics()
        .and_then(|s| s.data_manifest_location())
        .expect("a DataManifestLocation");
    let uris = String::from_utf8(get(&s3, manifest).await).unwrap();
    let mut lines = Vec::new();
    for uri in uris.lines() {
        let text = String::from_utf8(get(&s3, uri).await).unwrap();
        lines.extend(text.lines().map(str::to_owned));
    }
    lines.sort();
    assert_eq!(lines, ["2", "3"]);
}

#[tokio::test]
async fn errors_in_the_query_point_into_the_whole_statement() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let message = failure(
        &athena,
        "UNLOAD (SELECT nope FROM (VALUES (1)) AS t(n)) TO 's3://unloads/pos/' \
         WITH (format = 'JSON')",
    )
    .await;
    assert!(
        message.starts_with("COLUMN_NOT_FOUND: line 1:16: "),
        "{message}"
    );
}
