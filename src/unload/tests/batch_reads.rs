//! Batches: INT96 inside rows, values a batch cannot hold, batch sizes, column types given, replaced files, several shards.

use super::*;

#[tokio::test(start_paused = true)]
async fn int96_timestamps_inside_a_row_are_milliseconds_too() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    // row(ts timestamp, id integer): {ts=9999-12-31..., id=1}, NULL, {ts=NULL, id=2}.
    let file = hive_leaves(
        "message trino_schema {
            optional group r { optional int96 ts; optional int32 id; }
        }",
        vec![
            (
                vec![2, 0, 1],
                vec![HiveValue::Int96(int96_at("9999-12-31 23:59:59.999"))],
            ),
            (
                vec![2, 0, 2],
                vec![HiveValue::Int32(1), HiveValue::Int32(2)],
            ),
        ],
    );
    s3.put("s3://out/int96/row", file);
    let shard = Shard::new("s3://out/int96/row", UnloadFormat::Parquet);
    let (batches, rows) = both_ways(&athena, &shard, &BatchOptions::new()).await;
    assert_eq!(
        rows[0].columns()[0].r#type,
        "row(ts timestamp(3), id integer)"
    );
    assert_eq!(
        rows[0].get_str("r").unwrap(),
        Some("{ts=9999-12-31 23:59:59.999, id=1}")
    );
    let r = batches[0].column(0).as_struct();
    assert_eq!(
        r.column(0).data_type(),
        &DataType::Timestamp(TimeUnit::Millisecond, None)
    );
    assert!(r.is_null(1) && r.column(0).is_null(2));
}

#[tokio::test(start_paused = true)]
async fn a_value_a_batch_cannot_hold_exactly_names_the_file_column_and_row() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    // 3000 INT96 timestamps of whole milliseconds but one, at row 2345.
    let values: Vec<HiveValue> = (0..3000)
        .map(|i| {
            let text = if i == 2345 {
                "2024-01-02 03:04:05.123456".to_owned()
            } else {
                format!("2024-01-02 03:04:{:02}.{:03}", i % 60, i % 1000)
            };
            HiveValue::Int96(int96_at(&text))
        })
        .collect();
    s3.put(
        "s3://out/int96/fine",
        hive_columns("message trino_schema { optional int96 ts; }", vec![values]),
    );
    let shard = Shard::new("s3://out/int96/fine", UnloadFormat::Parquet);
    let options = BatchOptions::new().with_rows(1000);
    let mut stream = athena.read_shard_batches(&shard, &options);
    let mut before = 0;
    let err = loop {
        match stream.next().await.expect("an error before the end") {
            Ok(batch) => before += batch.num_rows(),
            Err(e) => break e,
        }
    };
    assert_eq!(before, 2000, "the batches before the one that holds it");
    assert!(stream.next().await.is_none());
    assert!(matches!(err, Error::Unload { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "UNLOAD file s3://out/int96/fine: column `ts`, row 2345 of the file: the timestamp \
         2024-01-02 03:04:05.123456 has digits below the millisecond, which Athena's \
         timestamp(3) (how Athena reads INT96) does not hold; the rows of this file round \
         it, as Athena does"
    );
    // The rows: rounded half up, as Athena reads it.
    let rows: Vec<Row> = athena.read_shard(&shard).try_collect().await.unwrap();
    assert_eq!(
        rows[2345].get_str("ts").unwrap(),
        Some("2024-01-02 03:04:05.123")
    );
}

/// The first column of [`hits`] batches, in order.
fn request_ids(batches: &[RecordBatch]) -> Vec<String> {
    batches
        .iter()
        .flat_map(|b| {
            b.column(0)
                .as_string::<i32>()
                .iter()
                .map(|s| s.unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_batch_holds_at_most_the_rows_asked_for_in_file_order() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    let shard = hit_shards(&s3, 1, 2500).remove(0);
    let options = BatchOptions::new().with_rows(300);
    let (batches, _) = both_ways(&athena, &shard, &options).await;
    let sizes: Vec<usize> = batches.iter().map(RecordBatch::num_rows).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 2500);
    // Row groups of 1000 rows: no batch spans two.
    assert_eq!(sizes[..4], [300, 300, 300, 100]);
    assert_eq!(
        request_ids(&batches),
        (0..2500).map(|i| format!("f0-{i}")).collect::<Vec<_>>()
    );
    let schema = batches[0].schema();
    assert_eq!(
        schema
            .fields()
            .iter()
            .map(|f| (f.name().as_str(), f.data_type().clone()))
            .collect::<Vec<_>>(),
        [
            ("request_id", DataType::Utf8),
            ("bytes", DataType::Int64),
            ("uri", DataType::Utf8)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_column_type_given_for_batches_must_be_the_files() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put("s3://out/f1", hits("f1", 10));
    let shard = Shard::new("s3://out/f1", UnloadFormat::Parquet);
    let same = BatchOptions::new().with_column_type("bytes", "bigint");
    let batches = shard_batches(&athena, &shard, &same).await.unwrap();
    assert_eq!(batches[0].schema().field(1).data_type(), &DataType::Int64);
    let other = BatchOptions::new().with_column_type("bytes", "varchar");
    let err = shard_batches(&athena, &shard, &other).await.unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err:?}");
    assert!(err.to_string().contains("column `bytes`"), "{err}");
    assert!(err.to_string().contains("holds it as bigint"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_file_replaced_while_its_batches_are_read_fails_the_read() {
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    s3.put("s3://out/run/f1", big_file());
    let options = BatchOptions::new().with_rows(1000);
    let mut batches = athena.read_shard_batches(
        &Shard::new("s3://out/run/f1", UnloadFormat::Parquet),
        &options,
    );
    let first = batches.next().await.unwrap().unwrap();
    assert_eq!(
        first.column(0).as_string::<i32>().value(0),
        "request-00000000"
    );
    s3.replace("s3://out/run/f1");
    let mut read = first.num_rows();
    let err = loop {
        match batches.next().await {
            Some(Ok(batch)) => read += batch.num_rows(),
            Some(Err(e)) => break e,
            None => panic!("the replaced file was read to its end"),
        }
    };
    assert!(read < 40_000, "{read} rows");
    assert!(batches.next().await.is_none());
    assert_changed_while_read(&err, "s3://out/run/f1");
}

#[tokio::test(start_paused = true)]
async fn several_shards_batches_come_once_each_and_the_first_failure_ends_them() {
    let s3 = FakeS3::default();
    s3.set_latency(Duration::from_millis(10));
    let (_, athena) = athena(&s3);
    let shards = hit_shards(&s3, 5, 1500);
    let options = BatchOptions::new().with_rows(400);
    let batches: Vec<RecordBatch> = athena
        .read_shards_batches(shards.clone(), MapSettings::new(3), &options)
        .try_collect()
        .await
        .unwrap();
    let all: BTreeSet<String> = request_ids(&batches).into_iter().collect();
    assert_eq!(all.len(), 5 * 1500, "every row once");
    assert_eq!(request_ids(&batches).len(), 5 * 1500);
    assert!(batches.iter().all(|b| b.schema() == batches[0].schema()));
    assert!(s3.max_in_flight() >= 2, "files were read at once");

    // One at a time: file after file, each in its order.
    let batches: Vec<RecordBatch> = athena
        .read_shards_batches(shards.clone(), MapSettings::new(1), &options)
        .try_collect()
        .await
        .unwrap();
    let expected: Vec<String> = (0..5)
        .flat_map(|f| (0..1500).map(move |i| format!("f{f}-{i}")))
        .collect();
    assert_eq!(request_ids(&batches), expected);

    // Fail fast: a missing file ends them all.
    let mut failing = shards[..1].to_vec();
    failing.push(Shard::new("s3://out/run/missing", UnloadFormat::Parquet));
    let mut stream = athena.read_shards_batches(failing, MapSettings::new(1), &options);
    let mut rows = 0;
    let err = loop {
        match stream.next().await.expect("an error") {
            Ok(batch) => rows += batch.num_rows(),
            Err(e) => break e,
        }
    };
    assert_eq!(rows, 1500);
    assert!(err.to_string().contains("s3://out/run/missing"), "{err}");
    assert!(stream.next().await.is_none());
    assert!(stream.is_terminated());

    // Tolerances are refused, as for rows.
    let mut stream = athena.read_shards_batches(
        shards,
        MapSettings::new(2).with_tolerated_failure_percentage(10.0),
        &options,
    );
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err:?}");
    assert!(stream.next().await.is_none());
}
