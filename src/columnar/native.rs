//! Athena's text of one scalar value as the native value of its Arrow type: a decimal
//! as an `i128` at the column's scale, a date as days since 1970-01-01, a time or
//! timestamp as a count of the column's unit, a uuid as 16 bytes.
//!
//! Every reader is exact: a value its Arrow type cannot hold (a digit too many, a
//! fraction finer than the unit, a day the calendar does not have) is an error, never
//! rounded, truncated or wrapped. None allocates unless it fails; the messages follow
//! the row path's (`value::scalars`).

use arrow_schema::TimeUnit;

use crate::value::scalars::check_uuid;

/// Seconds in a day.
const SECONDS_PER_DAY: i64 = 86_400;

/// Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
const DAYS_TO_UNIX_EPOCH: i64 = 719_468;

/// The digits a year may have: enough for any `Date32` (about 5.8 million years
/// either side of 1970), few enough that the arithmetic below cannot overflow.
const MAX_YEAR_DIGITS: usize = 9;

/// Reads a `decimal` text (`-12.50`: an optional `-`, digits, an optional point and
/// fraction digits) as an integer count of `10^-scale`, exactly.
///
/// Fewer fraction digits than `scale` are scaled up (`1.2` at scale 2 is 120); more
/// are an error, as are more integer digits than `precision - scale` (leading zeros
/// do not count).
pub(crate) fn parse_decimal128(text: &str, precision: u8, scale: u8) -> Result<i128, String> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return Err("not a decimal number".to_owned());
    }
    let frac = frac.unwrap_or("");
    let scale = usize::from(scale);
    if frac.len() > scale {
        return Err(format!(
            "{} fraction digits, more than the scale {scale} (a decimal is never rounded)",
            frac.len()
        ));
    }
    let int = int.trim_start_matches('0');
    let int_digits = usize::from(precision).saturating_sub(scale);
    if int.len() > int_digits {
        return Err(format!(
            "{} integer digits, more than decimal({precision},{scale}) holds ({int_digits})",
            int.len()
        ));
    }
    // A Decimal128 has at most 38 digits, below i128::MAX (about 1.7e38), so these
    // never fail; checked all the same, as a precision above 38 would overflow.
    let overflow = || format!("more digits than decimal({precision},{scale}) holds");
    let mut value: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(b - b'0')))
            .ok_or_else(overflow)?;
    }
    for _ in frac.len()..scale {
        value = value.checked_mul(10).ok_or_else(overflow)?;
    }
    Ok(if negative { -value } else { value })
}

/// The number of fraction digits a unit holds.
pub(crate) fn unit_digits(unit: TimeUnit) -> usize {
    match unit {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 3,
        TimeUnit::Microsecond => 6,
        TimeUnit::Nanosecond => 9,
    }
}

/// Units of `unit` in a second.
fn per_second(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

/// `b`, all ASCII digits and at most 18 of them, as a number.
fn number(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 18 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |n, d| n * 10 + i64::from(*d - b'0')))
}

/// Whether `year` is a leap year of the proleptic Gregorian calendar.
fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The days of `month` (1 to 12) in `year`.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`), for a `month` and `day` already checked.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - DAYS_TO_UNIX_EPOCH
}

/// Reads `YYYY-MM-DD` (the year at least four digits, with an optional sign, as
/// Trino writes years outside 0000-9999) as days since 1970-01-01, checking the
/// calendar (`2023-02-29` is an error).
pub(crate) fn parse_days(text: &str) -> Result<i64, String> {
    let b = text.as_bytes();
    let (negative, rest) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let year_len = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let shape = year_len >= 4
        && rest.len() == year_len + 6
        && rest[year_len] == b'-'
        && rest[year_len + 3] == b'-';
    if !shape {
        return Err("not a date text".to_owned());
    }
    if year_len > MAX_YEAR_DIGITS {
        return Err("year out of range for a date".to_owned());
    }
    let (Some(year), Some(month), Some(day)) = (
        number(&rest[..year_len]),
        number(&rest[year_len + 1..year_len + 3]),
        number(&rest[year_len + 4..]),
    ) else {
        return Err("not a date text".to_owned());
    };
    let year = if negative { -year } else { year };
    if !(1..=12).contains(&month) {
        return Err(format!("not a calendar date: there is no month {month}"));
    }
    let last = days_in_month(year, month);
    if !(1..=last).contains(&day) {
        return Err(format!(
            "not a calendar date: month {month} of {year} has {last} days"
        ));
    }
    Ok(days_from_civil(year, month, day))
}

/// Reads `YYYY-MM-DD` as a `Date32`: days since 1970-01-01.
pub(crate) fn parse_date32(text: &str) -> Result<i32, String> {
    let days = parse_days(text)?;
    i32::try_from(days).map_err(|_| "date out of range for Date32".to_owned())
}

/// Reads `hh:mm[:ss[.f...]]` as a count of `unit` since midnight. More fraction
/// digits than the unit holds are an error (never truncated); fewer are scaled.
pub(crate) fn parse_time_of_day(text: &str, unit: TimeUnit) -> Result<i64, String> {
    let b = text.as_bytes();
    let field = |at: usize| b.get(at..at + 2).and_then(number);
    let (Some(hour), Some(minute)) = (field(0), field(3)) else {
        return Err("not a time text".to_owned());
    };
    if b.get(2) != Some(&b':') {
        return Err("not a time text".to_owned());
    }
    let mut second = 0;
    let mut fraction = 0;
    match b.get(5) {
        None => {}
        Some(b':') => {
            second = field(6).ok_or("not a time text")?;
            match b.get(8) {
                None => {}
                Some(b'.') => {
                    let digits = &b[9..];
                    let max = unit_digits(unit);
                    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                        return Err("not a time text".to_owned());
                    }
                    if digits.len() > max {
                        return Err(format!(
                            "{} fraction digits, more than the column's unit holds ({max}); \
                             a time is never truncated",
                            digits.len()
                        ));
                    }
                    fraction = number(digits).ok_or("not a time text")?;
                    for _ in digits.len()..max {
                        fraction *= 10;
                    }
                }
                Some(_) => return Err("not a time text".to_owned()),
            }
        }
        Some(_) => return Err("not a time text".to_owned()),
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err("not a time of day (00:00:00 to 23:59:59)".to_owned());
    }
    Ok((hour * 3600 + minute * 60 + second) * per_second(unit) + fraction)
}

/// Reads `YYYY-MM-DD hh:mm:ss[.f...]` as a count of `unit` since 1970-01-01 00:00:00,
/// with the checks of [`parse_days`] and [`parse_time_of_day`]; a timestamp the unit
/// cannot count in an `i64` (nanoseconds past 2262) is an error.
pub(crate) fn parse_timestamp(text: &str, unit: TimeUnit) -> Result<i64, String> {
    let Some((date, time)) = text.split_once(' ') else {
        return Err("not a timestamp text".to_owned());
    };
    let days = parse_days(date).map_err(|e| e.replace("a date text", "a timestamp text"))?;
    let time =
        parse_time_of_day(time, unit).map_err(|e| e.replace("a time text", "a timestamp text"))?;
    days.checked_mul(SECONDS_PER_DAY * per_second(unit))
        .and_then(|t| t.checked_add(time))
        .ok_or_else(|| format!("timestamp out of range for {}", unit_name(unit)))
}

/// The unit's name in messages.
fn unit_name(unit: TimeUnit) -> &'static str {
    match unit {
        TimeUnit::Second => "seconds",
        TimeUnit::Millisecond => "milliseconds",
        TimeUnit::Microsecond => "microseconds",
        TimeUnit::Nanosecond => "nanoseconds",
    }
}

/// Reads a `uuid` (`8-4-4-4-12` hex digits, either case) as its 16 bytes.
pub(crate) fn parse_uuid(text: &str) -> Result<[u8; 16], String> {
    check_uuid(text).map_err(|e| e.message().to_owned())?;
    let mut out = [0u8; 16];
    let mut nibbles = text.bytes().filter(|&c| c != b'-').map(hex_value);
    for byte in &mut out {
        // check_uuid saw 32 hex digits, so both are there.
        let (hi, lo) = (nibbles.next().unwrap_or(0), nibbles.next().unwrap_or(0));
        *byte = hi << 4 | lo;
    }
    Ok(out)
}

/// The value of a hex digit (0 for anything else, which callers have excluded).
fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}
