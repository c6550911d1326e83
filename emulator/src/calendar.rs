//! The proleptic Gregorian calendar and time zones, as the engine's renderer and date
//! functions and the CloudFront generator (`datasets/`) all need them. A leaf: it imports
//! nothing from the crate's other modules, so any of them can use it.

use std::fmt::Write as _;

use datafusion::arrow::datatypes::TimeUnit;

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a civil date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Ticks of a timestamp of this Arrow unit in one second.
pub(crate) fn ticks_per_second(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

/// Appends the last two decimal digits of `v` (`07`).
pub(crate) fn push_two_digits(out: &mut String, v: u32) {
    out.push(char::from(b'0' + (v / 10 % 10) as u8));
    out.push(char::from(b'0' + (v % 10) as u8));
}

/// `2014-07-05`; a year past 9999 with a `+` (`+10000-01-01`) and one before year 0 with
/// four digits (`-0001-01-01`), as Java's `LocalDate` writes them and Athena shows them.
pub(crate) fn write_date(out: &mut String, days: i64) {
    let (y, m, d) = civil_from_days(days);
    if y > 9999 {
        out.push('+');
    }
    if (0..10_000).contains(&y) {
        let y = y as u32;
        push_two_digits(out, y / 100);
        push_two_digits(out, y % 100);
    } else if y < 0 {
        let _ = write!(out, "-{:04}", -y);
    } else {
        let _ = write!(out, "{y}");
    }
    out.push('-');
    push_two_digits(out, m);
    out.push('-');
    push_two_digits(out, d);
}

/// The offset of a zone (`+05:30`, `UTC`, `America/Los_Angeles`) at `utc_seconds`, in
/// seconds east of UTC.
pub(crate) fn zone_offset(tz: &str, utc_seconds: i64) -> Option<i64> {
    parse_offset(tz).or_else(|| named_zone_offset(tz, utc_seconds))
}

/// The offset of a named zone (`America/Los_Angeles`) at `utc_seconds`, in seconds.
fn named_zone_offset(tz: &str, utc_seconds: i64) -> Option<i64> {
    use datafusion::arrow::array::temporal_conversions::as_datetime_with_timezone;
    use datafusion::arrow::array::timezone::Tz;
    use datafusion::arrow::datatypes::TimestampSecondType;
    let zone: Tz = tz.parse().ok()?;
    let local = as_datetime_with_timezone::<TimestampSecondType>(utc_seconds, zone)?;
    Some(local.naive_local().and_utc().timestamp() - utc_seconds)
}

/// `+05:30` / `-08:00` as seconds east of UTC.
fn parse_offset(tz: &str) -> Option<i64> {
    let b = tz.as_bytes();
    if b.len() != 6 || b[3] != b':' {
        return None;
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h: i64 = tz[1..3].parse().ok()?;
    let m: i64 = tz[4..6].parse().ok()?;
    Some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        for d in [-1000, -1, 0, 1, 19_000, 20_000, 60_000] {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
        }
    }
}
