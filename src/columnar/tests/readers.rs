//! The native readers on their own, and round trips against independent writers.

use super::*;

#[test]
fn the_readers_refuse_what_their_unit_cannot_hold() {
    assert_eq!(parse_decimal128("1.2", 5, 2), Ok(120));
    assert!(parse_decimal128("1.234", 5, 2).is_err());
    assert_eq!(parse_date32("1970-01-02"), Ok(1));
    assert!(parse_date32("-9999999-01-01").is_err());
    assert_eq!(
        parse_time_of_day("00:00:01.5", TimeUnit::Millisecond),
        Ok(1500)
    );
    assert!(parse_time_of_day("00:00:01.5", TimeUnit::Second).is_err());
    assert_eq!(
        parse_timestamp("1970-01-01 00:00:00.000000001", TimeUnit::Nanosecond),
        Ok(1)
    );
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`), written independently of the reader it checks.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A decimal's text as Athena writes it: exactly `scale` fraction digits.
fn decimal_text(value: i128, scale: u32) -> String {
    let digits = value.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    let sign = if value < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

proptest! {
    #[test]
    fn bigints_round_trip_through_text(values in prop::collection::vec(any::<i64>(), 1..50)) {
        let texts: Vec<String> = values.iter().map(i64::to_string).collect();
        let refs: Vec<Option<&str>> = texts.iter().map(|t| Some(t.as_str())).collect();
        let array = read_ok(one("bigint"), &refs);
        prop_assert_eq!(array.as_primitive::<Int64Type>().values().to_vec(), values);
    }

    #[test]
    fn decimals_round_trip_through_text(
        (precision, scale, value) in (1u32..=38)
            .prop_flat_map(|p| (Just(p), 0..=p))
            .prop_flat_map(|(p, s)| {
                let max = 10i128.pow(p) - 1;
                (Just(p), Just(s), -max..=max)
            })
    ) {
        let text = decimal_text(value, scale);
        let (p, s) = (precision as u8, scale as u8);
        prop_assert_eq!(parse_decimal128(&text, p, s), Ok(value), "{}", text);
        // Trailing zeros left out read the same: fewer fraction digits are scaled.
        if scale > 0 && text.contains('.') {
            let short = text.trim_end_matches('0').trim_end_matches('.');
            let short = if short.is_empty() || short == "-" { "0" } else { short };
            prop_assert_eq!(parse_decimal128(short, p, s), Ok(value), "{}", short);
        }
        // And through a column.
        let array = read_ok(
            plan(vec![column_p("c", "decimal", precision as i32, scale as i32)]),
            &[Some(&text)],
        );
        prop_assert_eq!(array.as_primitive::<Decimal128Type>().value(0), value);
        // One digit more than the precision allows is refused, never rounded.
        let wider = decimal_text(value.signum().max(1) * 10i128.pow(precision), scale);
        if precision < 38 {
            prop_assert!(parse_decimal128(&wider, p, s).is_err(), "{}", wider);
        }
    }

    #[test]
    fn dates_round_trip_through_text(days in -719_162i64..=2_932_896) {
        let (y, m, d) = civil_from_days(days);
        let text = format!("{y:04}-{m:02}-{d:02}");
        prop_assert_eq!(parse_date32(&text), Ok(days as i32), "{}", text);
    }
}
