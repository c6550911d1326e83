//! Athena::unload: the statement, the manifest, its files and their columns.

use super::*;

#[tokio::test(start_paused = true)]
async fn an_unload_runs_its_statement_and_lists_the_manifest_files_with_their_columns() {
    let s3 = FakeS3::default();
    let (fake, athena) = athena(&s3);
    // The fake's queries write their result under s3://results/, so the manifest of
    // the first one, q1, is found beside it (it gives no DataManifestLocation).
    fake.write_result_files(&s3);
    s3.put(
        "s3://results/q1-manifest.csv",
        b"s3://out/run/f1\ns3://out/run/f2\n".to_vec(),
    );
    s3.put("s3://out/run/f1", hits("f1", 1200));
    s3.put("s3://out/run/f2", hits("f2", 800));

    let unloaded = athena
        .unload(Unload::new("SELECT request_id, bytes, uri FROM hits").with_to("s3://out/run/"))
        .await
        .unwrap();
    assert_eq!(fake.calls_of(Operation::StartQueryExecution).len(), 1);
    assert_eq!(unloaded.query_execution.query_execution_id, "q1");
    assert_eq!(unloaded.manifest_location, "s3://results/q1-manifest.csv");
    assert_eq!(
        unloaded
            .shards
            .iter()
            .map(|s| s.uri.as_str())
            .collect::<Vec<_>>(),
        ["s3://out/run/f1", "s3://out/run/f2"]
    );
    assert_eq!(unloaded.columns(), hit_columns());
    assert!(unloaded.shards.iter().all(|s| s.columns == hit_columns()));
    assert_eq!(unloaded.metadata().columns()[1].precision, 19);

    // A shard travels as JSON and reads the same on the other side.
    let json = serde_json::to_value(&unloaded.shards[1]).unwrap();
    assert_eq!(
        json,
        json!({
            "uri": "s3://out/run/f2",
            "format": "PARQUET",
            "columns": [
                {"name": "request_id", "type": "varchar"},
                {"name": "bytes", "type": "bigint"},
                {"name": "uri", "type": "varchar"},
            ],
        })
    );
    let shard: Shard = serde_json::from_value(json).unwrap();
    let rows: Vec<Row> = athena.read_shard(&shard).try_collect().await.unwrap();
    assert_eq!(rows.len(), 800);
    assert_eq!(rows[1].get::<i64>("bytes").unwrap(), 1);

    let total = unloaded
        .rows(&athena, MapSettings::new(0))
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(total, 2000);

    // The same rows as batches, of the columns the UNLOAD lists.
    let batches: Vec<RecordBatch> = unloaded
        .batches(&athena, MapSettings::new(0), &BatchOptions::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        batches.iter().map(RecordBatch::num_rows).sum::<usize>(),
        2000
    );
    let names: Vec<&str> = unloaded.columns().iter().map(|c| c.name.as_str()).collect();
    for batch in &batches {
        let fields = batch.schema();
        let got: Vec<&str> = fields.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(got, names);
    }
}

#[tokio::test(start_paused = true)]
async fn an_unload_that_wrote_no_row_has_no_shards() {
    let s3 = FakeS3::default();
    let (fake, athena) = athena(&s3);
    fake.write_result_files(&s3);
    s3.put("s3://results/q1-manifest.csv", Vec::new());
    let unloaded = athena
        .unload(Unload::new("SELECT 1 WHERE false").with_to("s3://out/empty/"))
        .await
        .unwrap();
    assert!(unloaded.shards.is_empty());
    assert!(unloaded.columns().is_empty());
    assert!(unloaded.metadata().is_empty());
    let rows: Vec<Row> = unloaded
        .rows(&athena, MapSettings::new(4))
        .try_collect()
        .await
        .unwrap();
    assert!(rows.is_empty());
    // Nothing but the manifest was read.
    assert_eq!(s3.calls(Operation::HeadObject), 0);
}

#[tokio::test(start_paused = true)]
async fn an_unload_whose_manifest_is_missing_or_wrong_is_a_clear_error() {
    let s3 = FakeS3::default();
    let (fake, athena) = athena(&s3);
    fake.write_result_files(&s3);
    let err = athena
        .unload(Unload::new("SELECT 1").with_to("s3://out/a/"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "UNLOAD file s3://results/q1-manifest.csv: the data manifest does not exist \
         (GetObject answered NoSuchKey)"
    );
    s3.put(
        "s3://results/q2-manifest.csv",
        b"s3://out/b/f1\nnot a uri\n".to_vec(),
    );
    let err = athena
        .unload(Unload::new("SELECT 1").with_to("s3://out/b/"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("line 2 of the manifest"), "{err}");

    // Bad settings and a handle without S3 are refused before anything is sent.
    let err = athena.unload(Unload::new("SELECT 1")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err:?}");
    let no_s3 = Fake::new(Plan::rows(0));
    let err = no_s3
        .athena()
        .unload(Unload::new("SELECT 1").with_to("s3://out/c/"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("S3 client"), "{err}");
    assert!(no_s3.calls().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_unload_to_another_format_lists_its_files_without_columns() {
    let s3 = FakeS3::default();
    let (fake, athena) = athena(&s3);
    fake.write_result_files(&s3);
    s3.put(
        "s3://results/q1-manifest.csv",
        b"s3://out/j/f1.gz\n".to_vec(),
    );
    let unloaded = athena
        .unload(
            Unload::new("SELECT 1 AS n")
                .with_to("s3://out/j/")
                .with_format(UnloadFormat::Json),
        )
        .await
        .unwrap();
    assert_eq!(
        unloaded.shards,
        [Shard::new("s3://out/j/f1.gz", UnloadFormat::Json)]
    );
    let err = shard_error(&athena, &unloaded.shards[0]).await;
    assert!(err.to_string().contains("not JSON"), "{err}");
}

// ---------------------------------------------------------------------------
// Batches: the same files as Arrow, compared value by value with their rows
// ---------------------------------------------------------------------------
