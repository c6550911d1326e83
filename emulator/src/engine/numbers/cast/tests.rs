use super::json::json_list;
use super::*;
use datafusion::arrow::array::{Decimal128Array, Float64Array, StringArray};

fn cast(array: ArrayRef, to: DataType, try_cast: bool) -> Result<ArrayRef> {
    cast_array(&array, &to, try_cast)
}

fn err(r: Result<ArrayRef>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn doubles_round_half_away_from_zero_to_integers() {
    let a: ArrayRef = Arc::new(Float64Array::from(vec![12.5, -12.5, 0.5, 12.4999]));
    let out = cast(a, DataType::Int32, false).unwrap();
    assert_eq!(
        out.as_primitive::<Int32Type>().values().to_vec(),
        vec![13, -13, 1, 12]
    );
    let nan: ArrayRef = Arc::new(Float64Array::from(vec![f64::NAN]));
    assert!(err(cast(nan, DataType::Int32, false)).contains("INVALID_CAST_ARGUMENT"));
    let big: ArrayRef = Arc::new(Float64Array::from(vec![1e10]));
    assert!(
        err(cast(Arc::clone(&big), DataType::Int32, false)).contains("NUMERIC_VALUE_OUT_OF_RANGE")
    );
    let out = cast(big, DataType::Int32, true).unwrap();
    assert!(out.is_null(0));
    let huge: ArrayRef = Arc::new(Float64Array::from(vec![1e19]));
    assert!(
        err(cast(huge, DataType::Int64, false))
            .contains("INVALID_CAST_ARGUMENT: Unable to cast 1.0E19 to bigint")
    );
}

#[test]
fn text_becomes_numbers_as_java_reads_it() {
    let a: ArrayRef = Arc::new(StringArray::from(vec![" 12 ", "+5", "-7"]));
    let out = cast(a, DataType::Int32, false).unwrap();
    assert_eq!(
        out.as_primitive::<Int32Type>().values().to_vec(),
        vec![12, 5, -7]
    );
    let bad: ArrayRef = Arc::new(StringArray::from(vec!["1.5"]));
    assert_eq!(
        err(cast(Arc::clone(&bad), DataType::Int32, false)),
        "Execution error: INVALID_CAST_ARGUMENT: Cannot cast '1.5' to INT"
    );
    assert!(cast(bad, DataType::Int32, true).unwrap().is_null(0));
    let arabic: ArrayRef = Arc::new(StringArray::from(vec!["١٢"]));
    assert!(err(cast(arabic, DataType::Int32, true)).contains("NOT_SUPPORTED"));
    let d: ArrayRef = Arc::new(StringArray::from(vec!["1.255", "-1.25"]));
    let out = cast(d, DataType::Decimal128(4, 2), false).unwrap();
    assert_eq!(
        out.as_primitive::<Decimal128Type>().values().to_vec(),
        vec![126, -125]
    );
    let b: ArrayRef = Arc::new(StringArray::from(vec!["TRUE", "f", "0"]));
    let out = cast(b, DataType::Boolean, false).unwrap();
    assert_eq!(
        out.as_boolean().iter().collect::<Vec<_>>(),
        vec![Some(true), Some(false), Some(false)]
    );
}

#[test]
fn decimals_rescale_half_up_and_check_precision() {
    let a: ArrayRef = Arc::new(
        Decimal128Array::from(vec![125, -125, 124])
            .with_precision_and_scale(3, 2)
            .unwrap(),
    );
    let out = cast(Arc::clone(&a), DataType::Decimal128(3, 1), false).unwrap();
    assert_eq!(
        out.as_primitive::<Decimal128Type>().values().to_vec(),
        vec![13, -13, 12]
    );
    let out = cast(a, DataType::Int32, false).unwrap();
    assert_eq!(
        out.as_primitive::<Int32Type>().values().to_vec(),
        vec![1, -1, 1]
    );
    let big: ArrayRef = Arc::new(
        Decimal128Array::from(vec![12345])
            .with_precision_and_scale(5, 2)
            .unwrap(),
    );
    assert!(
        err(cast(big, DataType::Decimal128(2, 0), false))
            .contains("Cannot cast DECIMAL(5, 2) '123.45' to DECIMAL(2, 0)")
    );
}

#[test]
fn numbers_become_trinos_text() {
    let a: ArrayRef = Arc::new(Float64Array::from(vec![1.5, 100.0]));
    let out = cast(a, DataType::Utf8, false).unwrap();
    assert_eq!(
        out.as_string::<i32>().iter().collect::<Vec<_>>(),
        vec![Some("1.5E0"), Some("1.0E2")]
    );
}

#[test]
fn json_values_cast_as_trino_reads_them() {
    let j: ArrayRef = Arc::new(StringArray::from(vec![
        Some("1"),
        Some("\"12\""),
        Some("2.5"),
        Some("null"),
        None,
    ]));
    let out = json_array(&j, &DataType::Int32, false).unwrap();
    let out = out.as_primitive::<Int32Type>();
    assert_eq!(
        out.iter().collect::<Vec<_>>(),
        vec![Some(1), Some(12), Some(3), None, None]
    );
    let text = json_array(&j, &DataType::Utf8, false).unwrap();
    assert_eq!(text.as_string::<i32>().value(2), "2.5E0");
    let obj: ArrayRef = Arc::new(StringArray::from(vec!["{\"a\":1}"]));
    assert!(
        json_array(&obj, &DataType::Int32, false)
            .unwrap_err()
            .to_string()
            .contains("INVALID_CAST_ARGUMENT")
    );
    let list: ArrayRef = Arc::new(StringArray::from(vec![Some("[1, \"x\"]"), Some("[2]")]));
    let item = Arc::new(Field::new_list_field(DataType::Int64, true));
    assert!(json_list(&list, &item, false).is_err());
    let out = json_list(&list, &item, true).unwrap();
    assert!(out.is_null(0) && out.is_valid(1));
}

#[test]
fn widening_casts_stay_arrows() {
    assert!(!needs_trino_cast(&DataType::Int32, &DataType::Int64));
    assert!(needs_trino_cast(&DataType::Int64, &DataType::Int32));
    assert!(!needs_trino_cast(
        &DataType::Int32,
        &DataType::Decimal128(10, 0)
    ));
    assert!(needs_trino_cast(
        &DataType::Int32,
        &DataType::Decimal128(9, 0)
    ));
    assert!(!needs_trino_cast(
        &DataType::Decimal128(3, 1),
        &DataType::Decimal128(5, 2)
    ));
    assert!(needs_trino_cast(
        &DataType::Decimal128(3, 2),
        &DataType::Decimal128(3, 1)
    ));
    assert!(needs_trino_cast(&DataType::Utf8, &DataType::Int32));
    assert!(needs_trino_cast(&DataType::Float64, &DataType::Utf8));
    assert!(!needs_trino_cast(&DataType::Int32, &DataType::Float64));
}
