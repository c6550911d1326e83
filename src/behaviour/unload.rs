//! UNLOAD end to end on the emulator (feature `unload`): its SQL writes the Parquet
//! files and the manifest, its S3 side serves them over HTTP, and the rows read from the
//! shards are compared with the rows `GetQueryResults` gives for the same SELECT.
//!
//! The emulator writes Parquet through arrow-rs, not Trino's Hive writer
//! (emulator/SQL.md, "UNLOAD"): timestamps are INT64 at 3, 6 or 9 digits rather than
//! INT96, so what a file can carry of a timestamp differs from Athena's own files in the
//! ways listed in `expected_from_a_file`.

use std::collections::BTreeSet;
use std::num::NonZeroUsize;

use athena_emulator::{Emulator, EngineConfig, S3Injected, S3Operation};
use futures::TryStreamExt;
use serde_json::Value as Json;

use super::backend::{Backend, OnEmulator, Queries, ResultFiles};
use crate::arrow::BatchOptions;
use crate::{
    Error, Row,
    map::MapSettings,
    unload::{Unload, UnloadFormat},
};

/// The typed JSON of a value whose element types are not known (Athena's bare `array`,
/// `map` and `row` in `GetQueryResults`): numbers and booleans as text.
fn untyped(json: &Json) -> Json {
    match json {
        Json::Number(n) => Json::String(n.to_string()),
        Json::Bool(b) => Json::String(b.to_string()),
        Json::Array(items) => Json::Array(items.iter().map(untyped).collect()),
        Json::Object(fields) => Json::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), untyped(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The type a Parquet file carries of an Athena type: a `char` is a string like any
/// other (the module docs of `unload`).
fn type_in_a_file(athena_type: &str) -> &str {
    if athena_type == "char" {
        "varchar"
    } else {
        athena_type
    }
}

/// What a Parquet file can carry of the API's text: a timestamp at its unit's digits (3
/// for a precision up to 3), where `GetQueryResults` writes the precision's own. (A
/// `char` keeps its padding in the emulator's files; Trino's writer would drop it,
/// docs/athena.md, "UNLOAD and data manifests".)
fn expected_from_a_file(athena_type: &str, api_text: &str) -> String {
    if athena_type != "timestamp" {
        return api_text.to_owned();
    }
    let (head, fraction) = api_text.split_once('.').unwrap_or((api_text, ""));
    let digits = match fraction.len() {
        0..=3 => 3,
        4..=6 => 6,
        _ => 9,
    };
    format!("{head}.{fraction:0<digits$}")
}

/// Every vector of testdata/athena_values.json: UNLOAD writes it (or refuses it, as
/// Athena does, for the types Hive cannot hold), and the shard's row is the API's row.
#[tokio::test]
async fn every_type_unloads_and_reads_back_as_the_api_reads_it() {
    let vectors: Vec<Json> =
        serde_json::from_str(include_str!("../../testdata/athena_values.json")).unwrap();
    let b = OnEmulator::start(Queries::Quick).await;
    let api = b.athena();
    let athena = b.file_builder().build().unwrap();
    let (mut read, mut refused) = (0, Vec::new());
    for (i, vector) in vectors.iter().enumerate() {
        let sql = vector["sql"].as_str().unwrap();
        let athena_type = vector["type"].as_str().unwrap();
        let select = format!("SELECT {sql} AS v");
        let from_api: Vec<Row> = api.query(select.as_str()).try_collect().await.unwrap();
        let unloaded = match athena
            .unload(Unload::new(select.as_str()).with_to(format!("s3://unload/values/{i}/")))
            .await
        {
            Ok(unloaded) => unloaded,
            Err(Error::QueryFailed {
                state_change_reason: reason,
                ..
            }) => {
                assert!(
                    reason.contains("NOT_SUPPORTED") || reason.contains("COLUMN_TYPE_UNKNOWN"),
                    "{sql}: {reason}"
                );
                refused.push(sql);
                continue;
            }
            Err(e) => panic!("{sql}: {e}"),
        };
        let rows: Vec<Row> = unloaded
            .rows(&athena, MapSettings::new(2))
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(rows.len(), 1, "{sql}");
        let (row, api_row) = (&rows[0], &from_api[0]);
        // The type: the API's base name, with the element types the file adds.
        let signature = &row.columns()[0].r#type;
        let base = signature.split('(').next().unwrap();
        assert_eq!(base, type_in_a_file(&api_row.columns()[0].r#type), "{sql}");
        assert_eq!(unloaded.columns()[0].r#type, *signature, "{sql}");
        // The text, NULL apart.
        let api_text = api_row.values()[0].as_deref();
        let expected = api_text.map(|t| expected_from_a_file(athena_type, t));
        assert_eq!(row.values()[0].as_deref(), expected.as_deref(), "{sql}");
        // The typed JSON, the same once the file's element types are put aside.
        let typed = row.to_typed_json().unwrap()["v"].clone();
        let api_typed = api_row.to_typed_json().unwrap()["v"].clone();
        if athena_type == "timestamp" || athena_type == "char" {
            assert_eq!(typed, Json::from(expected), "{sql}");
        } else {
            assert_eq!(untyped(&typed), untyped(&api_typed), "{sql}");
        }
        read += 1;
    }
    assert_eq!(read + refused.len(), vectors.len());
    // Refused as Athena refuses them: the types Hive cannot hold (time, timestamp with
    // time zone, json, uuid, ipaddress), the row without field names, and ARRAY[]
    // (array(unknown)). Every other vector was read back.
    assert_eq!(
        refused,
        [
            "TIME '03:04:05.123'",
            "TIMESTAMP '2024-01-02 03:04:05 UTC' AT TIME ZONE 'America/Los_Angeles'",
            "at_timezone(TIMESTAMP '2024-01-02 03:04:05.123 UTC', 'Asia/Kolkata')",
            "TIMESTAMP '2001-08-22 03:04:05.321 America/Los_Angeles'",
            "JSON '{\"a\": [1, 2]}'",
            "CAST(ARRAY[1, 2] AS JSON)",
            "CAST(ARRAY['a, b'] AS JSON)",
            "CAST('12151fd2-7586-11e9-8f9e-2a86e4085a59' AS UUID)",
            "IPADDRESS '10.0.0.1'",
            "IPADDRESS '2001:db8::1'",
            "ARRAY[]",
            "ROW(1, 'x')",
        ]
    );
    b.finish().await;
}

/// Every vector the emulator unloads, read as Arrow batches: the emulator's files
/// (INT64 timestamps at 3, 6 or 9 digits, INT32 and INT64 decimals, INT(8) and INT(16)
/// integers) arrive in the crate's Arrow types, and the batches hold every value of
/// the rows, NULL apart from the empty string.
#[tokio::test]
async fn every_type_unloaded_reads_back_as_batches_holding_the_rows_values() {
    use arrow_array::Array;
    use arrow_array::RecordBatch;
    use arrow_schema::{DataType, TimeUnit};

    let vectors: Vec<Json> =
        serde_json::from_str(include_str!("../../testdata/athena_values.json")).unwrap();
    let b = OnEmulator::start(Queries::Quick).await;
    let athena = b.file_builder().build().unwrap();
    let mut compared = 0;
    for (i, vector) in vectors.iter().enumerate() {
        let sql = vector["sql"].as_str().unwrap();
        let unloaded = match athena
            .unload(
                Unload::new(format!("SELECT {sql} AS v"))
                    .with_to(format!("s3://unload/batches/{i}/")),
            )
            .await
        {
            Ok(unloaded) => unloaded,
            // The types Hive cannot hold: the test above lists them.
            Err(Error::QueryFailed { .. }) => continue,
            Err(e) => panic!("{sql}: {e}"),
        };
        let rows: Vec<Row> = unloaded
            .rows(&athena, MapSettings::new(2))
            .try_collect()
            .await
            .unwrap();
        let batches: Vec<RecordBatch> = unloaded
            .batches(&athena, MapSettings::new(2), &BatchOptions::new())
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let texts: Vec<Option<String>> = batches
            .iter()
            .flat_map(|b| crate::unload::column_texts(b.column(0), false).unwrap())
            .collect();
        let row_texts: Vec<Option<String>> = rows.iter().map(|r| r.values()[0].clone()).collect();
        assert_eq!(texts, row_texts, "{sql}");
        let column = batches[0].column(0);
        assert_eq!(column.is_null(0), vector["text"].is_null(), "{sql}");
        let signature = unloaded.columns()[0].r#type.as_str();
        let expected = match signature {
            "tinyint" => Some(DataType::Int8),
            "smallint" => Some(DataType::Int16),
            "timestamp(3)" => Some(DataType::Timestamp(TimeUnit::Millisecond, None)),
            "timestamp(6)" => Some(DataType::Timestamp(TimeUnit::Microsecond, None)),
            "decimal(3,2)" => Some(DataType::Decimal128(3, 2)),
            "decimal(38,0)" => Some(DataType::Decimal128(38, 0)),
            _ => None,
        };
        if let Some(expected) = expected {
            assert_eq!(column.data_type(), &expected, "{sql}: {signature}");
        }
        compared += 1;
    }
    // The vectors the rows test reads back, every one.
    assert_eq!(compared, vectors.len() - 12);
    b.finish().await;
}

/// A result of several files: every row once, read four files at once.
#[tokio::test]
async fn a_large_unload_is_several_shards_and_every_row_comes_once() {
    let emulator = Emulator::builder()
        .with_engine_config(EngineConfig {
            cloudfront_rows: 0,
            unload_rows_per_file: NonZeroUsize::new(1000).unwrap(),
            ..EngineConfig::default()
        })
        .start()
        .await
        .unwrap();
    let athena = OnEmulator::builder_over(OnEmulator::client(&emulator, 1))
        .with_s3_client(OnEmulator::s3_client(&emulator, 1))
        .build()
        .unwrap();
    let unloaded = athena
        .unload(
            Unload::new(
                "SELECT x, CAST(x AS varchar) AS s FROM UNNEST(sequence(1, 10000)) AS t(x)",
            )
            .with_to("s3://unload/large/"),
        )
        .await
        .unwrap();
    assert!(
        unloaded.shards.len() >= 10,
        "{} files",
        unloaded.shards.len()
    );
    assert!(
        unloaded
            .shards
            .iter()
            .all(|s| s.format == UnloadFormat::Parquet)
    );
    assert_eq!(
        unloaded
            .query_execution
            .statistics
            .data_manifest_location
            .as_deref(),
        Some(unloaded.manifest_location.as_str())
    );
    // S3 throttles some reads: they are retried, and change nothing.
    emulator.inject_s3(S3Operation::GetObject, S3Injected::SlowDown, 3);
    let xs: Vec<i64> = unloaded
        .rows(&athena, MapSettings::new(4))
        .map_ok(|row| {
            assert_eq!(
                row.get::<String>("s").unwrap(),
                row.get::<i64>("x").unwrap().to_string()
            );
            row.get::<i64>("x").unwrap()
        })
        .try_collect()
        .await
        .unwrap();
    let distinct: BTreeSet<i64> = xs.iter().copied().collect();
    assert_eq!(xs.len(), 10_000);
    assert_eq!(distinct, (1..=10_000).collect());
    assert_eq!(emulator.s3_injected_left(S3Operation::GetObject), 0);

    emulator.shutdown().await;
}

/// Zero rows: an empty manifest and no shard. A TO location that holds files: Athena's
/// error, through `execute`.
#[tokio::test]
async fn an_empty_unload_has_no_shards_and_a_used_location_is_refused() {
    let b = OnEmulator::start(Queries::Quick).await;
    let athena = b.file_builder().build().unwrap();
    athena
        .unload(Unload::new("SELECT 1 AS x").with_to("s3://unload/used/"))
        .await
        .unwrap();
    // Zero rows: an empty manifest, no shard.
    let empty = athena
        .unload(
            Unload::new("SELECT x FROM UNNEST(sequence(1, 3)) AS t(x) WHERE x > 3")
                .with_to("s3://unload/empty/"),
        )
        .await
        .unwrap();
    assert!(empty.shards.is_empty());

    // A TO location that holds files: Athena's error, through execute.
    let err = athena
        .unload(Unload::new("SELECT 1 AS x").with_to("s3://unload/used/"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("HIVE_PATH_ALREADY_EXISTS"),
        "{err}"
    );
    b.finish().await;
}

/// The expected bucket owner reaches every request of an UNLOAD's read: the shards carry
/// the query's, and a handle that expects another account reads neither the manifest
/// nor a file, with the error that says the bucket belongs to another account.
#[tokio::test]
async fn unload_reads_name_the_expected_bucket_owner() {
    let b = OnEmulator::start(Queries::Quick).await;
    let athena = b.file_builder().build().unwrap();
    let owner = crate::fake::s3::ACCOUNT_ID;
    let select = crate::StartQueryExecution::new("SELECT x FROM UNNEST(sequence(1, 5)) AS t(x)")
        .with_expected_bucket_owner(owner);
    let unloaded = athena
        .unload(Unload::new(select).with_to("s3://unload/owned/"))
        .await
        .unwrap();
    assert!(!unloaded.shards.is_empty());
    for shard in &unloaded.shards {
        assert_eq!(shard.expected_bucket_owner.as_deref(), Some(owner));
    }
    let rows: Vec<Row> = unloaded
        .rows(&athena, MapSettings::new(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);

    // A shard handed to a worker that expects another account is not read.
    let elsewhere = b
        .file_builder()
        .with_expected_bucket_owner("111122223333")
        .build()
        .unwrap();
    let err = elsewhere
        .read_shard(&unloaded.shards[0])
        .try_collect::<Vec<Row>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::BucketOwnerMismatch { expected_bucket_owner, .. } if expected_bucket_owner == "111122223333"),
        "{err}"
    );
    // Nor the manifest of a new UNLOAD.
    let err = elsewhere
        .unload(Unload::new("SELECT 1 AS x").with_to("s3://unload/owned-2/"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::BucketOwnerMismatch { location, .. } if location.ends_with("-manifest.csv")),
        "{err}"
    );
    b.finish().await;
}
