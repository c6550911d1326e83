use super::*;

fn moment(days: i64, millis: i64) -> Moment<'static> {
    Moment {
        days,
        millis,
        offset: 0,
        zone: "UTC",
    }
}

#[test]
fn mysql_formats_print_as_trino_prints_them() {
    let jan2 = days_from_civil(2024, 1, 2);
    let t = mysql("%a %b %c %d %e %h %I %j %k %l %M %p %r %T %v %W %x %y %%").unwrap();
    assert_eq!(
        print(&t, &moment(jan2, 13 * 3_600_000 + 4 * 60_000 + 5000)).unwrap(),
        "Tue Jan 1 02 2 01 01 002 13 1 January PM 01:04:05 PM 13:04:05 01 Tuesday 2024 24 %"
    );
    let t = mysql("%Y-%m-%d %H:%i:%s.%f").unwrap();
    assert_eq!(
        print(&t, &moment(jan2, 3 * 3_600_000 + 4 * 60_000 + 5123)).unwrap(),
        "2024-01-02 03:04:05.123000"
    );
    assert!(mysql("%D").unwrap_err().contains("%D not supported"));
    assert!(mysql("").is_err());
    assert_eq!(mysql("abc%").unwrap(), vec![Token::Literal("abc".into())]);
}

#[test]
fn joda_patterns_print_as_joda_prints_them() {
    let jan2 = days_from_civil(2024, 1, 2);
    let t = joda("EEEE MMMM D w xxxx YY yy y e k K H h", 2026).unwrap();
    assert_eq!(
        print(&t, &moment(jan2, 3 * 3_600_000)).unwrap(),
        "Tuesday January 2 1 2024 24 24 2024 2 3 3 3 3"
    );
    let t = joda("S SS SSS SSSS SSSSSS", 2026).unwrap();
    assert_eq!(
        print(&t, &moment(jan2, 123)).unwrap(),
        "1 12 123 1230 123000"
    );
    let t = joda("'at' HH 'o''clock'", 2026).unwrap();
    assert_eq!(
        print(&t, &moment(jan2, 3 * 3_600_000)).unwrap(),
        "at 03 o'clock"
    );
    assert!(joda("yyyy-MM-dd q", 2026).unwrap_err().contains(": q"));
}

#[test]
fn text_is_parsed_as_joda_parses_it() {
    let none = |_: &str| None;
    let t = mysql("%Y-%m-%d %H:%i:%s").unwrap();
    let p = parse(&t, "2024-01-02 03:04:05", &none).unwrap();
    assert_eq!(
        (p.days, p.millis),
        (days_from_civil(2024, 1, 2), 11_045_000)
    );
    let t = mysql("%h:%i %p").unwrap();
    assert_eq!(parse(&t, "03:04 PM", &none).unwrap().millis, 54_240_000);
    let t = mysql("%y-%m-%d").unwrap();
    assert_eq!(
        parse(&t, "69-01-02", &none).unwrap().days,
        days_from_civil(2069, 1, 2)
    );
    assert_eq!(
        parse(&t, "70-01-02", &none).unwrap().days,
        days_from_civil(1970, 1, 2)
    );
    let t = mysql("%Y-%m-%d").unwrap();
    assert!(
        parse(&t, "2024-01-02x", &none)
            .unwrap_err()
            .contains("malformed at \"x\"")
    );
    assert!(parse(&t, "2024-02-30", &none).is_err());
    assert!(parse(&t, "2024-13-02", &none).is_err());
    let t = joda("dd/MMM/yyyy:HH:mm:ss Z", 2026).unwrap();
    let p = parse(&t, "02/Jan/2024:03:04:05 +0530", &none).unwrap();
    assert_eq!(p.offset_minutes, Some(330));
    let t = mysql("%W %Y").unwrap();
    assert_eq!(
        parse(&t, "monday 2024", &none).unwrap().days,
        days_from_civil(2024, 1, 1)
    );
}
