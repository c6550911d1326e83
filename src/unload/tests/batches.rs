//! Batches: the same files as Arrow, compared value by value with their rows.

use super::*;

/// Every batch of a shard, or the one error its stream yields (and then it ends).
pub(super) async fn shard_batches(
    athena: &Athena,
    shard: &Shard,
    options: &BatchOptions,
) -> Result<Vec<RecordBatch>, Error> {
    let mut stream = athena.read_shard_batches(shard, options);
    let mut batches = Vec::new();
    while let Some(batch) = stream.next().await {
        match batch {
            Ok(batch) => batches.push(batch),
            Err(e) => {
                assert!(
                    stream.next().await.is_none(),
                    "the stream ends after its error"
                );
                return Err(e);
            }
        }
    }
    Ok(batches)
}

/// The text of every value of the batches, row by row: each value read from the
/// batch's own arrays by the renderer the rows use, so that a row and a batch that
/// hold the same value give the same text (NULL `None`, `""` `Some("")`).
fn batch_texts(batches: &[RecordBatch]) -> Vec<Vec<Option<String>>> {
    let mut rows = Vec::new();
    for batch in batches {
        let columns: Vec<Vec<Option<String>>> = batch
            .columns()
            .iter()
            .map(|c| values::column_texts(c, false).unwrap())
            .collect();
        for i in 0..batch.num_rows() {
            rows.push(columns.iter().map(|c| c[i].clone()).collect());
        }
    }
    rows
}

fn row_texts(rows: &[Row]) -> Vec<Vec<Option<String>>> {
    rows.iter().map(|r| r.values().to_vec()).collect()
}

/// Reads a shard both ways and checks that the batches hold every value of every row;
/// gives the batches and the rows.
pub(super) async fn both_ways(
    athena: &Athena,
    shard: &Shard,
    options: &BatchOptions,
) -> (Vec<RecordBatch>, Vec<Row>) {
    let rows: Vec<Row> = athena.read_shard(shard).try_collect().await.unwrap();
    let batches = shard_batches(athena, shard, options)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", shard.uri));
    assert_eq!(batch_texts(&batches), row_texts(&rows), "{}", shard.uri);
    // One schema for the file: its columns, named as the rows name them.
    for batch in &batches {
        assert_eq!(batch.schema(), batches[0].schema());
        assert!(batch.num_rows() <= options.rows());
    }
    if let (Some(batch), Some(row)) = (batches.first(), rows.first()) {
        let names: Vec<&str> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        let expected: Vec<&str> = row.columns().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, expected);
        for (field, column) in batch.schema_ref().fields().iter().zip(row.columns()) {
            assert_same_shape(field.data_type(), &mapped(&column.r#type), &column.r#type);
        }
    }
    (batches, rows)
}

/// The Arrow type the crate maps an Athena type signature to, as decided for the whole
/// crate (src/columnar/schema.rs): written here from the signature, not from the code
/// under test. Nested field names are Arrow's defaults; [`assert_same_shape`] looks
/// past them.
fn mapped(signature: &str) -> DataType {
    let precision = |s: &str| -> u32 {
        s.split_once('(')
            .and_then(|(_, p)| p.split_once(')'))
            .map_or(3, |(p, _)| p.trim().parse().unwrap())
    };
    match AthenaType::parse(signature) {
        AthenaType::Boolean => DataType::Boolean,
        AthenaType::TinyInt => DataType::Int8,
        AthenaType::SmallInt => DataType::Int16,
        AthenaType::Integer => DataType::Int32,
        AthenaType::BigInt => DataType::Int64,
        AthenaType::Real => DataType::Float32,
        AthenaType::Double => DataType::Float64,
        AthenaType::Decimal { precision, scale } => {
            DataType::Decimal128(precision as u8, scale as i8)
        }
        AthenaType::Varchar | AthenaType::Char => DataType::Utf8,
        AthenaType::Varbinary => DataType::Binary,
        AthenaType::Date => DataType::Date32,
        AthenaType::Timestamp => DataType::Timestamp(
            match precision(signature) {
                0 => TimeUnit::Second,
                1..=3 => TimeUnit::Millisecond,
                4..=6 => TimeUnit::Microsecond,
                _ => TimeUnit::Nanosecond,
            },
            None,
        ),
        AthenaType::Array(Some(element)) => {
            DataType::List(Arc::new(Field::new("item", mapped_type(&element), true)))
        }
        AthenaType::Map(Some(kv)) => DataType::Map(
            Arc::new(Field::new(
                "entries",
                DataType::Struct(Fields::from(vec![
                    Field::new("keys", mapped_type(&kv.0), false),
                    Field::new("values", mapped_type(&kv.1), true),
                ])),
                false,
            )),
            false,
        ),
        AthenaType::Row(Some(fields)) => DataType::Struct(
            fields
                .iter()
                .map(|f| Field::new(f.name.clone().unwrap(), mapped_type(&f.r#type), true))
                .collect(),
        ),
        other => panic!("no Arrow type decided for {other:?}"),
    }
}

/// [`mapped`] of an element type (whose timestamps are `timestamp(3)` here).
fn mapped_type(t: &AthenaType) -> DataType {
    let signature = match t {
        AthenaType::Array(Some(e)) => {
            return DataType::List(Arc::new(Field::new("item", mapped_type(e), true)));
        }
        AthenaType::Timestamp => "timestamp(3)".to_owned(),
        AthenaType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
        AthenaType::Row(Some(_)) | AthenaType::Map(Some(_)) => {
            return mapped(&signature_of(t));
        }
        other => format!("{other:?}").to_lowercase(),
    };
    mapped(&signature)
}

/// A signature for a nested type, for [`mapped`].
fn signature_of(t: &AthenaType) -> String {
    match t {
        AthenaType::Row(Some(fields)) => format!(
            "row({})",
            fields
                .iter()
                .map(|f| format!("{} {}", f.name.clone().unwrap(), signature_of(&f.r#type)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        AthenaType::Map(Some(kv)) => {
            format!("map({}, {})", signature_of(&kv.0), signature_of(&kv.1))
        }
        AthenaType::Array(Some(e)) => format!("array({})", signature_of(e)),
        AthenaType::Timestamp => "timestamp(3)".to_owned(),
        AthenaType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// The same Arrow type, nested field names and nullability aside (Parquet names a
/// list's field `element`, Arrow's builders `item`).
fn assert_same_shape(got: &DataType, expected: &DataType, what: &str) {
    match (got, expected) {
        (DataType::List(a), DataType::List(b)) => {
            assert_same_shape(a.data_type(), b.data_type(), what);
        }
        (DataType::Map(a, _), DataType::Map(b, _)) => {
            assert_same_shape(a.data_type(), b.data_type(), what);
        }
        (DataType::Struct(a), DataType::Struct(b)) => {
            assert_eq!(a.len(), b.len(), "{what}: {got} vs {expected}");
            for (a, b) in a.iter().zip(b.iter()) {
                assert_same_shape(a.data_type(), b.data_type(), what);
            }
        }
        _ => assert_eq!(got, expected, "{what}"),
    }
}

#[tokio::test(start_paused = true)]
async fn every_vector_parquet_can_carry_reads_back_as_batches_holding_the_rows_values() {
    let vectors: Vec<Json> =
        serde_json::from_str(include_str!("../../../testdata/athena_values.json")).unwrap();
    let s3 = FakeS3::default();
    let (_, athena) = athena(&s3);
    let options = BatchOptions::new();
    let (mut compared, mut refused) = (0, Vec::new());
    for (i, vector) in vectors.iter().enumerate() {
        let (sql, athena_type) = (
            vector["sql"].as_str().unwrap(),
            vector["type"].as_str().unwrap(),
        );
        let uri = format!("s3://out/values/{i}");
        match written(athena_type, sql, vector["text"].as_str()) {
            Written::Skipped(_) => continue,
            Written::Hive {
                message_type,
                value,
                ..
            } => s3.put(&uri, hive_parquet(&message_type, value)),
            Written::Nested(column) => s3.put(
                &uri,
                arrow_parquet(vec![("v", column)], Compression::SNAPPY, 1000),
            ),
        }
        let shard = Shard::new(&uri, UnloadFormat::Parquet);
        let digits = vector["text"]
            .as_str()
            .and_then(|t| t.split_once('.'))
            .map_or(0, |(_, f)| f.len());
        if athena_type == "timestamp" && digits > 3 {
            // An INT96 value finer than the millisecond: the rows round it as Athena
            // reads it (timestamp(3)); a batch holds Athena's type exactly or fails.
            let err = shard_batches(&athena, &shard, &options).await.unwrap_err();
            let Error::Unload {
                location, message, ..
            } = &err
            else {
                panic!("{sql}: {err:?}");
            };
            assert_eq!(location, &uri);
            assert!(
                message.starts_with(
                    "column `v`, row 0 of the file: the timestamp \
                     2024-01-02 03:04:05.123456 has digits below the millisecond"
                ),
                "{sql}: {message}"
            );
            refused.push(sql);
            continue;
        }
        let (batches, rows) = both_ways(&athena, &shard, &options).await;
        assert_eq!(rows.len(), 2, "{sql}");
        assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 2);
        // The value, then NULL (never an empty value).
        let column = batches[0].column(0);
        assert!(column.is_valid(0) || vector["text"].is_null(), "{sql}");
        assert!(column.is_null(1), "{sql}");
        compared += 1;
    }
    assert_eq!(refused, ["TIMESTAMP '2024-01-02 03:04:05.123456'"]);
    // Every vector the rows read (the test above) is compared here but that one.
    assert_eq!(compared + refused.len() + 11, vectors.len());
}
