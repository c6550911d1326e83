//! Arrays, maps and rows into List, Map and Struct columns, and the text they fall back to.

use super::*;

#[test]
fn arrays_of_a_known_type() {
    let array = read_ok(
        typed("array(integer)"),
        &[Some("[1, 2, null]"), Some("[]"), None, Some("[-7]")],
    );
    let list = array.as_list::<i32>();
    assert_eq!(list.value_offsets(), &[0, 3, 3, 3, 4]);
    assert!(list.is_valid(1) && list.is_null(2));
    let items = list.values().as_primitive::<Int32Type>();
    assert_eq!(items.value(0), 1);
    assert_eq!(items.value(1), 2);
    assert!(items.is_null(2));
    assert_eq!(items.value(3), -7);

    let message = read_err(typed("array(integer)"), "[1, x, 99999999999]");
    assert_eq!(message, "element 1: not an integer");
    let message = read_err(typed("array(integer)"), "1, 2");
    assert!(message.contains("[a, b, ...]"), "{message}");
}

#[test]
fn maps_of_known_types() {
    let array = read_ok(
        typed("map(varchar, bigint)"),
        &[Some("{a=1, b=null}"), Some("{}"), None],
    );
    let map = array.as_map();
    assert_eq!(map.value_offsets(), &[0, 2, 2, 2]);
    assert!(map.is_valid(1) && map.is_null(2));
    let keys = map.keys().as_string::<i32>();
    assert_eq!((keys.value(0), keys.value(1)), ("a", "b"));
    let values = map.values().as_primitive::<Int64Type>();
    assert_eq!(values.value(0), 1);
    assert!(values.is_null(1));

    // A key that fails makes the map NULL; the batch stays valid (keys are never NULL).
    let message = read_err(typed("map(integer, varchar)"), "{1=a, x=b}");
    assert_eq!(message, "key of entry 1: not an integer");
    let message = read_err(typed("map(integer, varchar)"), "{null=a}");
    assert_eq!(message, "key of entry 0: a map key is NULL");
    let message = read_err(typed("map(varchar, date)"), "{a=2023-02-29}");
    assert!(
        message.starts_with("value of key \"a\": not a calendar date"),
        "{message}"
    );
}

#[test]
fn rows_of_known_types() {
    let array = read_ok(
        typed("row(id integer, name varchar)"),
        &[Some("{id=1, name=x, y}"), Some("{id=null, name=}"), None],
    );
    let row = array.as_struct();
    assert!(row.is_valid(0) && row.is_valid(1) && row.is_null(2));
    let ids = row.column(0).as_primitive::<Int32Type>();
    let names = row.column(1).as_string::<i32>();
    assert_eq!(ids.value(0), 1);
    assert!(ids.is_null(1));
    // The last field takes the rest: a value may contain `, `.
    assert_eq!((names.value(0), names.value(1)), ("x, y", ""));

    let array = read_ok(typed("row(integer, varchar)"), &[Some("{25, Alice}")]);
    let row = array.as_struct();
    assert_eq!(row.column_names(), ["field0", "field1"]);
    assert_eq!(row.column(0).as_primitive::<Int32Type>().value(0), 25);

    let message = read_err(typed("row(id integer, name varchar)"), "{id=x, name=y}");
    assert_eq!(message, "field id: not an integer");
}

#[test]
fn nested_in_nested_and_errors_deep_inside_leave_a_valid_batch() {
    let plan = typed("array(row(a bigint, b array(varchar), m map(varchar, uuid)))");
    let (array, results) = read_column(
        plan,
        &[
            Some("[{a=1, b=[x, y], m={k=12151fd2-7586-11e9-8f9e-2a86e4085a59}}, null]"),
            Some("[{a=2, b=null, m={k=not-a-uuid}}]"),
            Some("[{a=3, b=[], m={}}]"),
        ],
    );
    assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
    let e = results[1].clone().expect_err("a bad uuid");
    assert_eq!(
        e.message,
        "element 0: field m: value of key \"k\": not a uuid"
    );
    let list = array.as_list::<i32>();
    assert!(list.is_valid(0) && list.is_null(1) && list.is_valid(2));
    let rows = list.value(0);
    let rows = rows.as_struct();
    assert_eq!(rows.len(), 2);
    assert!(rows.is_null(1));
    let b = rows.column(1).as_list::<i32>().value(0);
    let b = b.as_string::<i32>();
    assert_eq!((b.value(0), b.value(1)), ("x", "y"));
    let third = list.value(2);
    assert_eq!(
        third
            .as_struct()
            .column(0)
            .as_primitive::<Int64Type>()
            .value(0),
        3
    );
}

#[test]
fn a_map_key_of_a_nested_type_that_fails_stays_non_null() {
    let (array, results) = read_column(
        typed("map(row(a integer), varchar)"),
        &[Some("{{a=x}=v}"), Some("{{a=1}=w}")],
    );
    assert!(results[0].is_err() && results[1].is_ok(), "{results:?}");
    let map = array.as_map();
    assert!(map.is_null(0) && map.is_valid(1));
    assert_eq!(map.keys().null_count(), 0);
}

#[test]
fn nested_columns_without_full_types_are_athenas_text() {
    let array = read_ok(one("array"), &[Some("[1, [2, 3]]"), Some("")]);
    assert_eq!(array.as_string::<i32>().value(0), "[1, [2, 3]]");
    let array = read_ok(typed("map(varchar, array)"), &[Some("{a=[1]}")]);
    assert_eq!(array.as_string::<i32>().value(0), "{a=[1]}");
}
