//! The conversions against arrays built by hand: kept, widened, narrowed when every
//! value fits, refused naming the value that does not.

use arrow_array::builder::{FixedSizeListBuilder, LargeListBuilder, MapBuilder, UInt8Builder};
use arrow_array::types::Int32Type;
use arrow_array::{
    BinaryViewArray, Date64Array, Decimal256Array, DictionaryArray, FixedSizeBinaryArray,
    Float16Array, Int32Array, LargeBinaryArray, LargeStringArray, StringViewArray,
    TimestampNanosecondArray, UInt8Array, UInt64Array,
};
use arrow_buffer::i256;

use super::*;

/// `array` converted to the target of its type, or the error.
fn converted(array: ArrayRef, int96: bool) -> Converted {
    let target = target_type(array.data_type(), int96).unwrap();
    let out = convert(&array, &target)?;
    assert_eq!(out.data_type(), &target);
    assert_eq!(out.len(), array.len());
    Ok(out)
}

#[test]
fn arrays_already_of_their_type_are_handed_on_as_they_are() {
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from(vec![Some(1), None])),
        Arc::new(StringArray::from(vec![Some(""), None])),
        Arc::new(
            Decimal128Array::from(vec![Some(i128::MAX / 10), None])
                .with_precision_and_scale(38, 0)
                .unwrap(),
        ),
        Arc::new(TimestampNanosecondArray::from(vec![Some(1), None])),
    ];
    for array in arrays {
        let out = converted(array.clone(), false).unwrap();
        assert!(Arc::ptr_eq(&out, &array), "{}", array.data_type());
    }
}

#[test]
fn wider_types_hold_every_value_of_the_narrower() {
    let out = converted(Arc::new(UInt8Array::from(vec![Some(255), None])), false).unwrap();
    assert_eq!(out.as_primitive::<Int16Type>().value(0), 255);
    assert!(out.is_null(1));

    let out = converted(Arc::new(UInt64Array::from(vec![u64::MAX])), false).unwrap();
    assert_eq!(out.data_type(), &DataType::Decimal128(20, 0));
    assert_eq!(
        out.as_primitive::<Decimal128Type>().value(0),
        i128::from(u64::MAX)
    );

    // 1.5 in IEEE half precision: sign 0, exponent 15 (2^0), fraction 0.5.
    let bits = arrow_buffer::Buffer::from_slice_ref([0x3E00u16]);
    let out = converted(
        Arc::new(Float16Array::new(ScalarBuffer::new(bits, 0, 1), None)),
        false,
    )
    .unwrap();
    assert_eq!(out.as_primitive::<Float32Type>().value(0), 1.5);

    let narrow = arrow_array::Decimal64Array::from(vec![Some(-5), None])
        .with_precision_and_scale(18, 2)
        .unwrap();
    let out = converted(Arc::new(narrow), false).unwrap();
    assert_eq!(out.data_type(), &DataType::Decimal128(18, 2));
    assert_eq!(out.as_primitive::<Decimal128Type>().value(0), -5);
}

#[test]
fn a_wide_decimal_narrows_only_when_every_value_fits() {
    let fits = Decimal256Array::from(vec![Some(i256::from_i128(-7)), None])
        .with_precision_and_scale(38, 1)
        .unwrap();
    let out = converted(Arc::new(fits), false).unwrap();
    assert_eq!(out.data_type(), &DataType::Decimal128(38, 1));
    assert_eq!(out.as_primitive::<Decimal128Type>().value(0), -7);
    assert!(out.is_null(1));

    let too_wide = Decimal256Array::from(vec![
        Some(i256::ONE),
        None,
        Some(i256::from_i128(i128::MAX).wrapping_add(i256::ONE)),
    ])
    .with_precision_and_scale(38, 0)
    .unwrap();
    let err = converted(Arc::new(too_wide), false).unwrap_err();
    assert_eq!(err.index, Some(2));
    assert!(err.message.contains("does not fit"), "{}", err.message);

    // Beyond 38 digits no Decimal128 holds it: kept as it is.
    let t = DataType::Decimal256(50, 2);
    assert_eq!(target_type(&t, false).unwrap(), t);
}

#[test]
fn other_strings_and_binaries_become_utf8_and_binary_nulls_and_empties_apart() {
    let text = vec![Some("a"), None, Some("")];
    for array in [
        Arc::new(LargeStringArray::from(text.clone())) as ArrayRef,
        Arc::new(StringViewArray::from(text.clone())),
    ] {
        let out = converted(array, false).unwrap();
        let out = out.as_string::<i32>();
        assert_eq!(out.iter().collect::<Vec<_>>(), text);
    }
    let bytes: Vec<Option<&[u8]>> = vec![Some(b"ab"), None, Some(b"")];
    for array in [
        Arc::new(LargeBinaryArray::from(bytes.clone())) as ArrayRef,
        Arc::new(BinaryViewArray::from(bytes.clone())),
    ] {
        let out = converted(array, false).unwrap();
        assert_eq!(out.as_binary::<i32>().iter().collect::<Vec<_>>(), bytes);
    }
    let fixed = FixedSizeBinaryArray::try_from_sparse_iter_with_size(
        vec![Some(vec![1u8, 2]), None].into_iter(),
        2,
    )
    .unwrap();
    let out = converted(Arc::new(fixed), false).unwrap();
    let out = out.as_binary::<i32>();
    assert_eq!(out.value(0), [1, 2]);
    assert!(out.is_null(1));
}

#[test]
fn too_much_text_for_one_utf8_array_names_the_value_that_passes_the_limit() {
    let lengths = [Some(MAX_BYTES - 1), None, Some(1), Some(1)];
    assert_eq!(too_long(lengths.into_iter()), Some(3));
    assert_eq!(too_long([Some(MAX_BYTES)].into_iter()), None);
}

#[test]
fn dates_and_int96_timestamps_convert_exactly_or_not_at_all() {
    let day = MILLIS_PER_DAY;
    let out = converted(
        Arc::new(Date64Array::from(vec![
            Some(-day),
            None,
            Some(19_000 * day),
        ])),
        false,
    )
    .unwrap();
    assert_eq!(
        out.as_primitive::<arrow_array::types::Date32Type>()
            .iter()
            .collect::<Vec<_>>(),
        [Some(-1), None, Some(19_000)]
    );
    let err = converted(Arc::new(Date64Array::from(vec![0, day + 1])), false).unwrap_err();
    assert_eq!(err.index, Some(1));

    // INT96, read as microseconds: whole milliseconds become milliseconds (before
    // 1970 too), anything finer is an error at its index.
    let micros =
        |v: Vec<Option<i64>>| Arc::new(arrow_array::TimestampMicrosecondArray::from(v)) as ArrayRef;
    let out = converted(
        micros(vec![Some(-1_000), None, Some(253_402_300_799_999_000)]),
        true,
    )
    .unwrap();
    assert_eq!(
        out.data_type(),
        &DataType::Timestamp(TimeUnit::Millisecond, None)
    );
    assert_eq!(
        out.as_primitive::<TimestampMillisecondType>()
            .iter()
            .collect::<Vec<_>>(),
        [Some(-1), None, Some(253_402_300_799_999)]
    );
    let err = converted(
        micros(vec![Some(0), None, Some(1_704_164_645_123_456)]),
        true,
    )
    .unwrap_err();
    assert_eq!(err.index, Some(2));
    assert!(
        err.message
            .contains("2024-01-02 03:04:05.123456 has digits below the millisecond"),
        "{}",
        err.message
    );
    // Not INT96: a timestamp keeps its unit.
    let t = DataType::Timestamp(TimeUnit::Microsecond, None);
    assert_eq!(target_type(&t, false).unwrap(), t);
}

#[test]
fn nested_values_convert_inside_and_an_error_names_the_row_that_holds_it() {
    // [[1, 2], NULL, [], [3, 255]] of UInt8 in a LargeList: a List of Int16.
    let mut b = LargeListBuilder::new(UInt8Builder::new());
    b.append_value([Some(1), Some(2)]);
    b.append_null();
    b.append_value([] as [Option<u8>; 0]);
    b.append_value([Some(3), Some(255)]);
    let out = converted(Arc::new(b.finish()), false).unwrap();
    let list = out.as_list::<i32>();
    assert!(list.is_null(1));
    assert_eq!(list.value(2).len(), 0);
    assert_eq!(
        list.value(3).as_primitive::<Int16Type>().values().to_vec(),
        [3, 255]
    );

    let mut b = FixedSizeListBuilder::new(UInt8Builder::new(), 2);
    for v in [[1, 2], [3, 4]] {
        b.values().append_slice(&v);
        b.append(true);
    }
    let out = converted(Arc::new(b.finish()), false).unwrap();
    assert_eq!(out.as_list::<i32>().value(1).len(), 2);

    // INT96 timestamps in lists: the third list's second value has microseconds.
    let values = arrow_array::TimestampMicrosecondArray::from(vec![0, 1_000, 2_000, 2_001]);
    let field = Arc::new(Field::new("element", values.data_type().clone(), true));
    let list = ListArray::new(
        field,
        OffsetBuffer::from_lengths([1, 0, 1, 2]),
        Arc::new(values),
        None,
    );
    let err = converted(Arc::new(list), true).unwrap_err();
    assert_eq!(err.index, Some(3));

    // A row's field: the same row, and the field named.
    let ts = Arc::new(arrow_array::TimestampMicrosecondArray::from(vec![0, 5])) as ArrayRef;
    let row = StructArray::from(vec![(
        Arc::new(Field::new("ts", ts.data_type().clone(), true)),
        ts,
    )]);
    let err = converted(Arc::new(row), true).unwrap_err();
    assert_eq!(err.index, Some(1));
    assert!(err.message.starts_with("field `ts`: "), "{}", err.message);

    // A map of UInt8 to UInt8, an entry of the second map at fault... none here:
    // the values widen.
    let mut b = MapBuilder::new(None, UInt8Builder::new(), UInt8Builder::new());
    b.keys().append_value(1);
    b.values().append_value(2);
    b.append(true).unwrap();
    b.append(false).unwrap();
    let out = converted(Arc::new(b.finish()), false).unwrap();
    let map = out.as_map();
    assert_eq!(map.keys().data_type(), &DataType::Int16);
    assert_eq!(map.values().as_primitive::<Int16Type>().value(0), 2);
    assert!(map.is_null(1));
}

#[test]
fn a_dictionary_is_unpacked_to_its_values_nulls_kept() {
    let keys = arrow_array::Int32Array::from(vec![Some(1), None, Some(0), Some(1)]);
    let values = Arc::new(StringArray::from(vec!["a", ""])) as ArrayRef;
    let dictionary = DictionaryArray::<Int32Type>::try_new(keys, values).unwrap();
    let out = converted(Arc::new(dictionary), false).unwrap();
    assert_eq!(
        out.as_string::<i32>().iter().collect::<Vec<_>>(),
        [Some(""), None, Some("a"), Some("")]
    );
}

#[test]
fn types_without_an_athena_type_have_no_target() {
    let err = target_type(&DataType::Duration(TimeUnit::Second), false).unwrap_err();
    assert!(err.contains("has no Athena type"), "{err}");
}
