//! Rows, errors and batches: short and long rows, finishing, error messages, byte counts.

use super::*;

#[test]
fn rows_with_too_few_or_too_many_values_are_errors() {
    let plan = plan(vec![column("a", "integer"), column("b", "varchar")]);
    let mut builder = BatchBuilder::new(plan);
    builder.push(Some("1")).expect("a value");
    let e = builder.end_row().expect_err("one value short");
    assert_eq!((e.row, e.column), (0, 1));
    assert_eq!(e.message, "the row has 1 value, the result has 2 columns");

    builder.push(Some("2")).expect("a value");
    builder.push(Some("x")).expect("a value");
    let e = builder.push(Some("extra")).expect_err("one value too many");
    assert_eq!((e.row, e.column, e.text.as_str()), (1, 2, "extra"));
    assert_eq!(
        e.message,
        "the row has more values than the result's 2 columns"
    );
    builder.end_row().expect("every column has its value");

    let e = builder.end_row().expect_err("no values at all");
    assert_eq!(e.message, "the row has 0 values, the result has 2 columns");

    let batch = builder.finish();
    assert_valid(&batch);
    assert_eq!(batch.num_rows(), 3);
    let a = batch.column(0).as_primitive::<Int32Type>();
    assert_eq!(a.value(1), 2);
    assert!(batch.column(1).is_null(0) && batch.column(1).is_null(2));
}

#[test]
fn finish_closes_an_open_row_and_starts_again() {
    let plan = plan(vec![column("a", "bigint"), column("b", "varchar")]);
    let mut builder = BatchBuilder::new(plan.clone());
    builder.push(Some("1")).expect("a value");
    assert_eq!(builder.rows(), 0);
    let batch = builder.finish();
    assert_valid(&batch);
    assert_eq!(batch.num_rows(), 1);
    assert!(batch.column(1).is_null(0));
    assert_eq!(batch.schema(), plan.schema);

    // The builder goes on, its rows counted from 0 again.
    for i in 0..3 {
        builder.push(Some(&i.to_string())).expect("a value");
        builder.push(None).expect("NULL");
        builder.end_row().expect("a row");
    }
    let e = builder.push(Some("x")).expect_err("not a bigint");
    assert_eq!(e.row, 3);
    builder.push(None).expect("NULL");
    builder.end_row().expect("a row");
    let batch = builder.finish();
    assert_valid(&batch);
    assert_eq!(
        batch
            .column(0)
            .as_primitive::<Int64Type>()
            .iter()
            .collect::<Vec<_>>(),
        [Some(0), Some(1), Some(2), None]
    );
    assert_eq!(builder.finish().num_rows(), 0);
}

#[test]
fn a_result_without_columns_counts_its_rows() {
    let mut builder = BatchBuilder::new(plan(vec![]));
    builder.end_row().expect("an empty row");
    builder.end_row().expect("an empty row");
    let batch = builder.finish();
    assert_eq!((batch.num_rows(), batch.num_columns()), (2, 0));
}

#[test]
fn value_errors_name_the_row_column_type_and_shortened_text() {
    let plan = plan(vec![column("id", "bigint"), column("n", "integer")]);
    let mut builder = BatchBuilder::new(plan.clone());
    assert!(Arc::ptr_eq(builder.plan(), &plan));
    builder.push(Some("1")).expect("a value");
    builder.push(Some("2")).expect("a value");
    builder.end_row().expect("a row");
    builder.push(Some("3")).expect("a value");
    let long = "9".repeat(500);
    let e = builder.push(Some(&long)).expect_err("out of range");
    assert_eq!((e.row, e.column), (1, 1));
    assert_eq!(e.text.chars().count(), 203);
    assert!(e.text.ends_with("..."));
    match e.into_error(&plan, 1000) {
        Error::Decode {
            row_number,
            column,
            athena_type,
            text,
            message,
        } => {
            assert_eq!(row_number, 1001);
            assert_eq!((column.as_str(), athena_type.as_str()), ("n", "integer"));
            assert!(text.starts_with("999") && text.len() == 203);
            assert_eq!(message, "integer out of range for i32");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bytes_count_values_offsets_and_validity() {
    let plan = plan(vec![
        column("a", "bigint"),
        column("s", "varchar"),
        column("b", "varbinary"),
    ]);
    let mut builder = BatchBuilder::new(plan);
    assert_eq!(builder.bytes(), 0);
    builder.push(Some("1")).expect("a value");
    builder.push(Some("hello")).expect("a value");
    builder.push(Some("68 65 6c")).expect("a value");
    builder.end_row().expect("a row");
    // 8 for the bigint, 4 + 5 for the string, 4 + 3 for the bytes, 1 of validity.
    assert_eq!(builder.bytes(), 8 + 9 + 7 + 1);
    for _ in 0..3 {
        builder.push(None).expect("NULL");
    }
    builder.end_row().expect("a row");
    assert_eq!(builder.bytes(), 25 + 8 + 4 + 4);
    builder.finish();
    assert_eq!(builder.bytes(), 0);
}
