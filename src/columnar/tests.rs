//! The mapping from Athena's metadata to Arrow, and the builder's values, asserted
//! value by value: every type with NULL apart from `""`, the boundaries of each type,
//! nested values typed by a signature, the errors and where they point.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, Time32MillisecondType, Time32SecondType, Time64MicrosecondType,
    Time64NanosecondType, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::extension::{EXTENSION_TYPE_METADATA_KEY, EXTENSION_TYPE_NAME_KEY};
use arrow_schema::{DataType, Field, Fields, TimeUnit};
use proptest::prelude::*;

use super::native::{parse_date32, parse_decimal128, parse_time_of_day, parse_timestamp};
use super::{BatchBuilder, BatchOptions, BatchPlan, ValueError, schema};
use crate::error::Error;
use crate::row::{ColumnInfo, ResultSetMetadata};

fn column(name: &str, ty: &str) -> ColumnInfo {
    ColumnInfo::new(name, ty)
}

/// A column as Athena describes it: with a Precision (and Scale).
fn column_p(name: &str, ty: &str, precision: i32, scale: i32) -> ColumnInfo {
    let mut c = ColumnInfo::new(name, ty);
    c.precision = precision;
    c.scale = scale;
    c
}

fn plan_with(columns: Vec<ColumnInfo>, options: &BatchOptions) -> Arc<BatchPlan> {
    BatchPlan::new(&ResultSetMetadata::new(columns), options).expect("the plan is made")
}

fn plan(columns: Vec<ColumnInfo>) -> Arc<BatchPlan> {
    plan_with(columns, &BatchOptions::new())
}

/// One row per value of a one-column result; the batch, and each push's outcome.
fn read_column(
    plan: Arc<BatchPlan>,
    values: &[Option<&str>],
) -> (ArrayRef, Vec<Result<(), ValueError>>) {
    let mut builder = BatchBuilder::new(plan);
    let results = values
        .iter()
        .map(|v| {
            let pushed = builder.push(*v);
            builder.end_row().expect("one value a row");
            pushed
        })
        .collect();
    let batch = builder.finish();
    assert_valid(&batch);
    assert_eq!(batch.num_rows(), values.len());
    (batch.column(0).clone(), results)
}

/// Reads values that must all read.
fn read_ok(plan: Arc<BatchPlan>, values: &[Option<&str>]) -> ArrayRef {
    let (array, results) = read_column(plan, values);
    for (value, result) in values.iter().zip(&results) {
        assert!(result.is_ok(), "{value:?}: {result:?}");
    }
    array
}

/// The message of one value that must fail; its slot must be NULL.
fn read_err(plan: Arc<BatchPlan>, text: &str) -> String {
    let (array, results) = read_column(plan, &[Some(text)]);
    assert!(array.is_null(0), "{text:?} failed, so its slot is NULL");
    match results.into_iter().next() {
        Some(Err(e)) => {
            assert_eq!((e.row, e.column), (0, 0));
            e.message
        }
        other => panic!("{text:?} should not read, got {other:?}"),
    }
}

/// The batch and every array in it pass Arrow's full validation.
fn assert_valid(batch: &RecordBatch) {
    assert_eq!(batch.schema().fields().len(), batch.num_columns());
    for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
        assert_eq!(field.data_type(), array.data_type());
        array
            .to_data()
            .validate_full()
            .unwrap_or_else(|e| panic!("column {}: {e}", field.name()));
    }
}

fn one(ty: &str) -> Arc<BatchPlan> {
    plan(vec![column("c", ty)])
}

fn typed(signature: &str) -> Arc<BatchPlan> {
    plan_with(
        vec![column("c", "varchar")],
        &BatchOptions::new().with_column_type("c", signature),
    )
}

mod mapping;
mod nested;
mod readers;
mod rows;
mod scalars;
