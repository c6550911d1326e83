//! Arrow batches (feature `arrow`): on every read path the same values as the rows,
//! typed, NULL apart from `""`, in batches of bounded size, resumable, failing as the
//! row stream fails.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use futures::{StreamExt, TryStreamExt};

use super::backend::{Queries, ResultFiles};
use super::range;
use super::result_file::HARD_VALUES;
use crate::arrow::{BatchOptions, RecordBatchStream};
use crate::{Athena, Error, ReadPath, ResumeFrom, Row};

/// The integers of column 0 of the batches (an `integer` column on the fake, a `bigint`
/// one on the emulator, whose `sequence` makes bigints as Trino's does).
fn integers(batches: &[RecordBatch]) -> Vec<i64> {
    let mut out = Vec::new();
    for batch in batches {
        let column = batch.column(0);
        if let Some(a) = column.as_primitive_opt::<Int64Type>() {
            out.extend(a.iter().map(|v| v.expect("no NULL")));
        } else {
            let a = column.as_primitive::<Int32Type>();
            out.extend(a.iter().map(|v| i64::from(v.expect("no NULL"))));
        }
    }
    out
}

/// The text of column 0 of the batches, NULL as `None`.
fn texts(batches: &[RecordBatch]) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b.column(0).as_string::<i32>();
            (0..a.len())
                .map(|i| a.is_valid(i).then(|| a.value(i).to_owned()))
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn collect(mut stream: RecordBatchStream) -> (Vec<RecordBatch>, RecordBatchStream) {
    let mut batches = Vec::new();
    while let Some(batch) = stream.try_next().await.unwrap() {
        batches.push(batch);
    }
    (batches, stream)
}

fn athena_on<B: ResultFiles>(b: &B, path: ReadPath) -> Athena {
    b.file_builder()
        .with_read_path(path)
        .with_chunk_size(4096)
        .build()
        .unwrap()
}

/// Every size arrives whole and in order on every read path, in batches of at most the
/// rows asked for, the schema known before the first batch.
async fn every_size_arrives_whole_as_batches_on_every_read_path<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    for path in [ReadPath::Api, ReadPath::ResultFile, ReadPath::Auto] {
        let athena = athena_on(&b, path);
        for n in [0usize, 1, 999, 1000, 1001, 2500] {
            let options = BatchOptions::new().with_rows(700);
            let mut stream = athena.query(b.numbers(n)).into_batches_with(options);
            let schema = stream.schema().await.unwrap();
            assert_eq!(schema.field(0).name(), "x");
            let (batches, stream) = collect(stream).await;
            assert_eq!(integers(&batches), range(1, n as i64), "{path:?}, {n} rows");
            for batch in &batches {
                assert!((1..=700).contains(&batch.num_rows()), "{path:?}");
                assert_eq!(batch.schema(), schema);
            }
            let stats = stream.stats();
            assert_eq!(stats.rows as usize, n, "{path:?}");
            if path == ReadPath::ResultFile {
                assert_eq!(stats.get_query_results_calls, 0);
            }
        }
    }
    b.finish().await;
}

/// The hard values of a result file come back exactly as the row path gives them,
/// NULL apart from `""`, whatever the range size.
async fn batches_hold_the_same_text_as_the_rows<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let expected: Vec<Option<String>> = HARD_VALUES.iter().map(|v| v.map(str::to_owned)).collect();
    for chunk in [1, 2, 3, 7, 13, 64, 1000] {
        let athena = b
            .result_file_builder()
            .with_chunk_size(chunk)
            .with_chunks_in_flight(3)
            .build()
            .unwrap();
        let (batches, _) = collect(athena.query(b.values(&HARD_VALUES)).into_batches()).await;
        assert_eq!(texts(&batches), expected, "ranges of {chunk} bytes");
        let rows: Vec<Row> = athena
            .query(b.values(&HARD_VALUES))
            .try_collect()
            .await
            .unwrap();
        let from_rows: Vec<Option<String>> = rows.iter().map(|r| r.values()[0].clone()).collect();
        assert_eq!(texts(&batches), from_rows);
    }
    let (batches, _) = collect(b.athena().query(b.values(&HARD_VALUES)).into_batches()).await;
    assert_eq!(texts(&batches), expected, "through GetQueryResults");
    b.finish().await;
}

/// A consumer that stopped after a batch resumes where its rows end: on the result
/// file after any batch, through `GetQueryResults` after a batch that ended a page.
async fn resuming_after_a_batch_continues_there<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    for (path, rows) in [(ReadPath::ResultFile, 300), (ReadPath::Api, 2000)] {
        let athena = athena_on(&b, path);
        let options = BatchOptions::new().with_rows(rows);
        let mut stream = athena
            .query(b.numbers(4500))
            .into_batches_with(options.clone());
        let first = stream.try_next().await.unwrap().unwrap();
        let second = stream.try_next().await.unwrap().unwrap();
        let id = stream.query_execution_id().unwrap();
        let resume = stream.resume_from().cloned().unwrap();
        drop(stream);
        match (&resume, path) {
            (ResumeFrom::ResultFile { row_number, .. }, ReadPath::ResultFile) => {
                assert_eq!(*row_number as usize, first.num_rows() + second.num_rows())
            }
            (ResumeFrom::NextToken(_), ReadPath::Api) => {
                assert_eq!(second.num_rows(), 2000, "batches end at page boundaries")
            }
            other => panic!("{other:?}"),
        }
        let (rest, _) = collect(athena.resume_from(id, resume).into_batches_with(options)).await;
        let mut all = vec![first, second];
        all.extend(rest);
        assert_eq!(integers(&all), range(1, 4500), "{path:?}");
    }
    b.finish().await;
}

/// A value that does not read as its column's type is the row path's error: it names
/// the row, the column, the type and the text. Batches completed before it may come
/// first, and hold only the rows before it, never the bad value as a NULL.
async fn a_value_that_is_not_its_type_is_an_error_naming_it<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let values = [Some("1"), Some("2"), Some("x3"), Some("4")];
    for path in [ReadPath::Api, ReadPath::ResultFile] {
        let options = BatchOptions::new()
            .with_rows(2)
            .with_column_type("v", "integer");
        let mut stream = athena_on(&b, path)
            .query(b.values(&values))
            .into_batches_with(options);
        let mut before = Vec::new();
        let err = loop {
            match stream.try_next().await {
                Ok(Some(batch)) => before.push(batch),
                Ok(None) => panic!("{path:?}: the stream ended without an error"),
                Err(e) => break e,
            }
        };
        assert!(integers(&before).len() <= 2, "{path:?}");
        assert_eq!(integers(&before), range(1, integers(&before).len() as i64));
        match err {
            Error::Decode {
                row_number,
                column,
                athena_type,
                text,
                ..
            } => {
                assert_eq!(
                    (
                        row_number,
                        column.as_str(),
                        athena_type.as_str(),
                        text.as_str()
                    ),
                    (2, "v", "integer", "x3"),
                    "{path:?}"
                );
            }
            other => panic!("{path:?}: {other:?}"),
        }
        assert!(stream.next().await.is_none());
    }
    b.finish().await;
}

/// A column type given for a column the result lacks is a clear error, not a silently
/// ignored option.
async fn a_type_for_a_column_the_result_lacks_is_refused<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let options = BatchOptions::new().with_column_type("nope", "integer");
    let mut stream = athena_on(&b, ReadPath::ResultFile)
        .query(b.numbers(3))
        .into_batches_with(options);
    let err = stream.schema().await.unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err}");
    assert!(err.to_string().contains("nope"), "{err}");
    b.finish().await;
}

/// A file replaced while it is read fails the batches as it fails the rows.
async fn a_file_that_changes_during_the_read_fails_the_batches<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    let athena = b
        .result_file_builder()
        .with_chunk_size(2048)
        .with_chunks_in_flight(1)
        .build()
        .unwrap();
    let options = BatchOptions::new().with_rows(100);
    let mut stream = athena.query(b.numbers(3000)).into_batches_with(options);
    assert!(stream.try_next().await.unwrap().is_some());
    let file = crate::behaviour::result_file_of(stream.query_execution());
    b.overwrite(&file).await;
    let err = loop {
        match stream.next().await {
            Some(Ok(_)) => {}
            Some(Err(e)) => break e,
            None => panic!("the stream ended without an error"),
        }
    };
    assert!(matches!(err, Error::ResultFileChanged { .. }), "{err}");
    assert!(stream.next().await.is_none());
    b.finish().await;
}

/// NULL and `""` stay apart in the validity bitmap, on both paths.
async fn null_and_empty_stay_apart_in_batches<B: ResultFiles>() {
    let b = B::start(Queries::Quick).await;
    for path in [ReadPath::Api, ReadPath::ResultFile] {
        let (batches, _) =
            collect(athena_on(&b, path).query(b.null_and_empty()).into_batches()).await;
        let batch = &batches[0];
        assert!(batch.column(0).is_null(0), "{path:?}");
        assert!(batch.column(1).is_valid(0));
        assert_eq!(batch.column(1).as_string::<i32>().value(0), "");
        assert_eq!(batch.column(2).as_string::<i32>().value(0), "x");
    }
    b.finish().await;
}

super::on_both_backends!(
    every_size_arrives_whole_as_batches_on_every_read_path,
    batches_hold_the_same_text_as_the_rows,
    resuming_after_a_batch_continues_there,
    a_value_that_is_not_its_type_is_an_error_naming_it,
    a_type_for_a_column_the_result_lacks_is_refused,
    a_file_that_changes_during_the_read_fails_the_batches,
    null_and_empty_stay_apart_in_batches,
);
