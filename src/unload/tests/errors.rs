//! Errors: missing, unreadable and corrupted files, and the first failed shard ending the rest.

use super::*;

/// The one error a shard's stream yields, and that it ends after it.
pub(super) async fn shard_error(athena: &Athena, shard: &Shard) -> Error {
    let mut rows = athena.read_shard(shard);
    let err = loop {
        match rows.next().await {
            Some(Ok(_)) => continue,
            Some(Err(e)) => break e,
            None => panic!("{} was read without an error", shard.uri),
        }
    };
    assert!(
        rows.next().await.is_none(),
        "the stream ends after its error"
    );
    err
}

#[tokio::test(start_paused = true)]
async fn a_missing_file_is_a_clear_error() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    let err = shard_error(
        &athena,
        &Shard::new("s3://out/run/gone", UnloadFormat::Parquet),
    )
    .await;
    assert!(
        matches!(&err, Error::Unload { location, .. } if location == "s3://out/run/gone"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "UNLOAD file s3://out/run/gone: the file does not exist (HeadObject answered NoSuchKey)"
    );
}

/// Both read paths fail a bad shard with the same one error, then end: gives it.
async fn shard_error_both_ways(athena: &Athena, shard: &Shard) -> Error {
    let from_rows = shard_error(athena, shard).await;
    let from_batches = shard_batches(athena, shard, &BatchOptions::new())
        .await
        .unwrap_err();
    assert_eq!(from_batches.to_string(), from_rows.to_string());
    assert_eq!(
        std::mem::discriminant(&from_batches),
        std::mem::discriminant(&from_rows)
    );
    from_rows
}

#[tokio::test(start_paused = true)]
async fn files_that_cannot_be_read_are_refused_by_name() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put(
        "s3://out/text",
        b"request_id,bytes\nr1,10\nr2,20\n".to_vec(),
    );
    s3.put("s3://out/tiny", b"PAR1".to_vec());
    s3.put("s3://out/f1", hits("f1", 10));
    let with_columns = |columns: Vec<ShardColumn>| {
        let mut s = Shard::new("s3://out/f1", UnloadFormat::Parquet);
        s.columns = columns;
        s
    };
    let mut more = hit_columns();
    more.push(ShardColumn::new("status", "integer"));
    let mut retyped = hit_columns();
    retyped[1] = ShardColumn::new("bytes", "integer");
    let cases = [
        (
            Shard::new("s3://out/text", UnloadFormat::Parquet),
            "is not a Parquet file",
        ),
        (
            Shard::new("s3://out/tiny", UnloadFormat::Parquet),
            "too short for Parquet",
        ),
        (
            Shard::new("s3://out/f1", UnloadFormat::Json),
            "reads the Parquet files of an UNLOAD only, not JSON",
        ),
        (
            Shard::new("out/f1", UnloadFormat::Parquet),
            "not an s3://bucket/key URI",
        ),
        (
            Shard::new("s3://out/gone", UnloadFormat::Parquet),
            "the file does not exist",
        ),
        // Fewer columns than the file, more (one the file has not), another type.
        (
            with_columns(vec![ShardColumn::new("request_id", "varchar")]),
            "the file's columns (request_id varchar, bytes bigint, uri varchar) are not \
             the shard's (request_id varchar)",
        ),
        (with_columns(more), "uri varchar, status integer)"),
        (with_columns(retyped), "bytes integer, uri varchar)"),
    ];
    for (shard, expected) in cases {
        let err = shard_error_both_ways(&athena, &shard).await;
        assert!(matches!(err, Error::Unload { .. }), "{err:?}");
        assert!(
            err.to_string().contains(expected),
            "{expected:?} not in {err}"
        );
        assert!(err.to_string().contains(&shard.uri), "{err}");
    }
    // Refused by S3 (not retried).
    s3.fail_next(Operation::GetObject, S3Fault::AccessDenied, 2);
    let err =
        shard_error_both_ways(&athena, &Shard::new("s3://out/f1", UnloadFormat::Parquet)).await;
    assert!(err.to_string().contains("AccessDenied"), "{err}");
    // No S3 client at all.
    let no_s3 = Fake::new(Plan::rows(0)).athena();
    let err =
        shard_error_both_ways(&no_s3, &Shard::new("s3://out/f1", UnloadFormat::Parquet)).await;
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn the_first_failed_shard_ends_the_rows_of_all() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put("s3://out/run/f1", hits("f1", 10));
    let shards = [
        Shard::new("s3://out/run/f1", UnloadFormat::Parquet),
        Shard::new("s3://out/run/missing", UnloadFormat::Parquet),
    ];
    let mut rows = athena.read_shards(shards, MapSettings::new(1));
    let mut ok = 0;
    let err = loop {
        match rows.next().await {
            Some(Ok(_)) => ok += 1,
            Some(Err(e)) => break e,
            None => panic!("no error"),
        }
    };
    assert_eq!(ok, 10);
    assert!(err.to_string().contains("s3://out/run/missing"), "{err}");
    assert!(rows.next().await.is_none());

    // Tolerances do not apply to files: refused, not ignored.
    let mut rows = athena.read_shards(
        [Shard::new("s3://out/run/f1", UnloadFormat::Parquet)],
        MapSettings::new(2).with_tolerated_failure_count(1),
    );
    let err = rows.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err:?}");
    assert!(rows.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn corrupted_files_end_their_read_with_an_error_never_a_panic() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    let good = hits("f1", 3000);
    let len = good.len();
    // Bytes changed at the start, through the column chunks, in the footer and its
    // length, and the file cut short at each of those places.
    let mut variants = Vec::new();
    for at in (0..len).step_by(len / 40).chain(len - 12..len) {
        let mut flipped = good.clone();
        flipped[at] ^= 0x5a;
        variants.push((format!("byte {at} changed"), flipped));
        variants.push((format!("cut at {at}"), good[..at].to_vec()));
    }
    let mut failed = 0;
    for (i, (what, bytes)) in variants.into_iter().enumerate() {
        let uri = format!("s3://out/bad/{i}");
        s3.put(&uri, bytes);
        let mut rows = athena.read_shard(&Shard::new(&uri, UnloadFormat::Parquet));
        let (mut n, mut errored) = (0, false);
        while let Some(row) = rows.next().await {
            match row {
                Ok(_) => n += 1,
                Err(e) => {
                    assert!(matches!(e, Error::Unload { .. }), "{what}: {e:?}");
                    assert!(e.to_string().contains(&uri), "{what}: {e}");
                    errored = true;
                    assert!(rows.next().await.is_none(), "{what}: ends after its error");
                    break;
                }
            }
        }
        // A change the checks cannot see (a byte of a value) still gives every row.
        assert!(errored || n == 3000, "{what}: {n} rows and no error");
        failed += usize::from(errored);
    }
    assert!(failed > 40, "{failed} corrupted files failed");
}

#[tokio::test]
async fn a_reader_that_panics_is_an_error_naming_the_file() {
    let task = tokio::spawn(async { panic!("index out of bounds") });
    let err = shard::task_error("s3://out/bad/f1", task.await.unwrap_err());
    assert!(matches!(&err, Error::Unload { location, .. } if location == "s3://out/bad/f1"));
    assert!(
        err.to_string().contains("panicked: index out of bounds"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// Athena::unload
// ---------------------------------------------------------------------------
