use super::*;

#[test]
fn doubles_round_as_trino_does() {
    assert_eq!(round_double(2.5, 0), 3.0);
    assert_eq!(round_double(-2.5, 0), -3.0);
    assert_eq!(round_double(1.005, 2), 1.0);
    assert_eq!(round_double(2.675, 2), 2.68);
    assert_eq!(round_double(-1.115, 2), -1.12);
    assert_eq!(round_double(1e300, 0), 1e300);
    assert_eq!(round_double(0.1, 20), 0.1);
    assert!(round_double(123.456, -400).is_nan());
    assert_eq!(round_double(1.5, 400), 1.5);
    assert!(round_double(-0.4, 0).is_sign_negative());
    assert!(round_double(-0.0, 0).is_sign_positive());
    assert_eq!(round_real(1.25, 1), 1.3);
    assert_eq!(round_real(-3.5, 0), -4.0);
}

#[test]
fn integers_round_to_tens() {
    assert_eq!(round_long(1250, -2).unwrap(), 1300);
    assert_eq!(round_long(-1250, -2).unwrap(), -1300);
    assert_eq!(round_long(1234, 2).unwrap(), 1234);
    assert!(round_long(i64::MAX, -1).is_err());
    assert!(round_long(15, -20).is_err());
}

#[test]
fn decimal_rounding_keeps_trinos_types() {
    let t = return_type(Op::Ceiling, &[DataType::Decimal128(2, 1)]).unwrap();
    assert_eq!(t, DataType::Decimal128(2, 0));
    let t = return_type(Op::Round, &[DataType::Decimal128(4, 2), DataType::Int32]).unwrap();
    assert_eq!(t, DataType::Decimal128(5, 2));
    let t = return_type(Op::Truncate, &[DataType::Decimal128(1, 1)]).unwrap();
    assert_eq!(t, DataType::Decimal128(1, 0));
    let x = decimal_scalar(-125, 3, 2);
    let out = invoke(Op::Floor, &[x], &DataType::Decimal128(2, 0)).unwrap();
    assert_eq!(out.as_primitive::<Decimal128Type>().value(0), -2);
    let x = decimal_scalar(9995, 4, 2);
    let d: ArrayRef = Arc::new(datafusion::arrow::array::Int32Array::from(vec![1]));
    let out = invoke(Op::Round, &[x, d], &DataType::Decimal128(5, 2)).unwrap();
    assert_eq!(out.as_primitive::<Decimal128Type>().value(0), 10000);
}

#[test]
fn mod_of_integers_by_zero_is_trinos_internal_error() {
    let x: ArrayRef = Arc::new(datafusion::arrow::array::Int32Array::from(vec![7]));
    let y: ArrayRef = Arc::new(datafusion::arrow::array::Int32Array::from(vec![0]));
    let err = mod_integers(&x, &y).unwrap_err();
    assert!(
        err.to_string()
            .contains("GENERIC_INTERNAL_ERROR: / by zero"),
        "{err}"
    );
}
