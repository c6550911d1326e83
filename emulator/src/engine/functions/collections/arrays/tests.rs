use datafusion::arrow::array::{Int32Array, StringArray};
use datafusion::arrow::datatypes::Int32Type;

use super::super::testing::{call, error};
use super::*;

fn ints(values: &[Option<i32>]) -> ArrayRef {
    Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
        Some(values.to_vec()),
    ]))
}

fn int(v: Option<i32>) -> ArrayRef {
    Arc::new(Int32Array::from(vec![v]))
}

fn text(v: &str) -> ArrayRef {
    Arc::new(StringArray::from(vec![v]))
}

#[test]
fn searches_are_three_valued() {
    let a = || ints(&[Some(1), None, Some(3)]);
    let answer = |f: Search, v| call(&f, vec![a(), int(v)]).unwrap();
    assert_eq!(answer(Search::Contains, Some(3)).as_deref(), Some("true"));
    assert_eq!(answer(Search::Contains, Some(2)), None);
    assert_eq!(answer(Search::Contains, None), None);
    assert_eq!(answer(Search::Position, Some(3)).as_deref(), Some("3"));
    assert_eq!(answer(Search::Position, Some(2)), None);
    assert_eq!(
        answer(Search::Remove, Some(1)).as_deref(),
        Some("[null, 3]")
    );
    let b = ints(&[Some(1), Some(2)]);
    assert_eq!(
        call(&Search::Position, vec![b, int(Some(5))])
            .unwrap()
            .as_deref(),
        Some("0")
    );
    assert!(
        Search::Contains
            .coerce(&[list_of(DataType::Int32), DataType::Utf8])
            .unwrap_err()
            .to_string()
            .contains("FUNCTION_NOT_FOUND")
    );
}

#[test]
fn extremes_are_null_with_a_null_element() {
    let max = Extreme { max: true };
    assert_eq!(
        call(&max, vec![ints(&[Some(1), Some(5), Some(3)])])
            .unwrap()
            .as_deref(),
        Some("5")
    );
    assert_eq!(call(&max, vec![ints(&[Some(1), None])]).unwrap(), None);
    assert_eq!(call(&max, vec![ints(&[])]).unwrap(), None);
}

#[test]
fn slices_and_trims_follow_trino() {
    let a = || ints(&[Some(1), Some(2), Some(3), Some(4)]);
    let n = |v: i64| -> ArrayRef { Arc::new(Int64Array::from(vec![v])) };
    assert_eq!(
        call(&Slice, vec![a(), n(-2), n(5)]).unwrap().as_deref(),
        Some("[3, 4]")
    );
    assert_eq!(
        call(&Slice, vec![a(), n(5), n(1)]).unwrap().as_deref(),
        Some("[]")
    );
    assert!(error(&Slice, vec![a(), n(0), n(1)]).contains("indices start at 1"));
    assert!(error(&Slice, vec![a(), n(1), n(-1)]).contains("length must be"));
    assert_eq!(
        call(&TrimArray, vec![a(), n(1)]).unwrap().as_deref(),
        Some("[1, 2, 3]")
    );
    assert!(error(&TrimArray, vec![a(), n(5)]).contains("cardinality 4: 5"));
}

#[test]
fn concatenation_is_null_with_a_null_argument() {
    assert_eq!(
        call(&Concat, vec![ints(&[Some(1)]), int(Some(2))])
            .unwrap()
            .as_deref(),
        Some("[1, 2]")
    );
    assert_eq!(
        call(&Concat, vec![int(Some(0)), ints(&[Some(1)]), int(None)]).unwrap(),
        None
    );
    assert!(
        Concat
            .coerce(&[list_of(DataType::Null), list_of(DataType::Int32)])
            .unwrap_err()
            .to_string()
            .contains("AMBIGUOUS_FUNCTION_CALL")
    );
}

#[test]
fn set_operations_keep_the_first_appearance() {
    let a = || ints(&[Some(5), Some(1), Some(5), None, Some(3)]);
    let b = || ints(&[Some(3), Some(5), None]);
    let run = |op: SetOp| call(&op, vec![a(), b()]).unwrap();
    assert_eq!(run(SetOp::Intersect).as_deref(), Some("[5, null, 3]"));
    assert_eq!(run(SetOp::Union).as_deref(), Some("[5, 1, null, 3]"));
    assert_eq!(run(SetOp::Except).as_deref(), Some("[1]"));
}

#[test]
fn joins_skip_or_replace_nulls_and_sorts_put_them_last() {
    let texts = || -> ArrayRef {
        let field = Arc::new(Field::new("item", DataType::Utf8, true));
        Arc::new(
            ListArray::try_new(
                field,
                OffsetBuffer::from_lengths([3]),
                Arc::new(StringArray::from(vec![Some("a"), None, Some("c")])),
                None,
            )
            .unwrap(),
        )
    };
    assert_eq!(
        call(&Join, vec![texts(), texts(), text(",")])
            .unwrap()
            .as_deref(),
        Some("a,c")
    );
    assert_eq!(
        call(&Join, vec![texts(), texts(), text(","), text("N")])
            .unwrap()
            .as_deref(),
        Some("a,N,c")
    );
    assert_eq!(
        call(&Sort, vec![ints(&[Some(3), None, Some(1)])])
            .unwrap()
            .as_deref(),
        Some("[1, 3, null]")
    );
}

#[test]
fn element_types_of_different_families_do_not_mix() {
    assert_eq!(
        common_type(&[DataType::Int32, DataType::Decimal128(2, 1)]),
        Ok(DataType::Decimal128(11, 1))
    );
    assert_eq!(
        common_type(&[DataType::Null, DataType::Utf8]),
        Ok(DataType::Utf8)
    );
    assert!(common_type(&[DataType::Int32, DataType::Utf8]).is_err());
    assert!(common_type(&[DataType::Boolean, DataType::Int64]).is_err());
}

#[test]
fn combinations_come_in_trinos_order() {
    assert_eq!(
        colex_combinations(4, 3),
        vec![vec![0, 1, 2], vec![0, 1, 3], vec![0, 2, 3], vec![1, 2, 3]]
    );
    assert_eq!(
        colex_combinations(4, 2)[..4],
        [vec![0, 1], vec![0, 2], vec![1, 2], vec![0, 3]]
    );
    assert_eq!(colex_combinations(2, 0), vec![Vec::<usize>::new()]);
    assert_eq!(combination_count(20, 5).unwrap(), 15504);
    assert_eq!(combination_count(2, 3).unwrap(), 0);
    assert!(combination_count(5000, 3).is_err());
    assert!(colex_combinations(2, 3).is_empty());
}

#[test]
fn list_depth_counts_nesting() {
    assert_eq!(depth(&DataType::Int32), 0);
    assert_eq!(depth(&list_of(list_of(DataType::Int32))), 2);
    assert_eq!(depth(&DataType::Null), 0);
}
