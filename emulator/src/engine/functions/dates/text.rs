//! Trino's text of dates, timestamps, times and intervals: the literal and CAST forms it
//! reads (`DateTimes.DATETIME_PATTERN` and `TIME_PATTERN`, the interval qualifiers'
//! forms) and the text it writes.

use std::fmt::Write as _;

use super::types::{NANOS_PER_DAY, NANOS_PER_SECOND, nanos_per_digit};
use crate::calendar::{civil_from_days, days_from_civil};

/// The days of a month of a year (proleptic Gregorian).
pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Whether a year is a leap year.
pub(crate) fn is_leap(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

/// The days since 1970-01-01 of a valid civil date.
pub(crate) fn checked_days(year: i64, month: i64, day: i64) -> Option<i64> {
    if !(1..=12).contains(&month) || year.abs() > 999_999_999 {
        return None;
    }
    let month = month as u32;
    if day < 1 || day > i64::from(days_in_month(year, month)) {
        return None;
    }
    Some(days_from_civil(year, month, day as u32))
}

/// A cursor over ASCII text.
struct Scan<'a> {
    s: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    fn new(s: &'a str) -> Self {
        Scan {
            s: s.as_bytes(),
            at: 0,
        }
    }

    fn done(&self) -> bool {
        self.at >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// Between `min` and `max` digits (as many as there are, up to `max`).
    fn digits(&mut self, min: usize, max: usize) -> Option<&'a str> {
        let start = self.at;
        while self.at - start < max && self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        if self.at - start < min {
            self.at = start;
            return None;
        }
        std::str::from_utf8(&self.s[start..self.at]).ok()
    }

    fn number(&mut self, min: usize, max: usize) -> Option<i64> {
        self.digits(min, max)?.parse().ok()
    }

    fn rest(&self) -> &'a str {
        std::str::from_utf8(&self.s[self.at.min(self.s.len())..]).unwrap_or("")
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }
}

/// A date and time of day read from text, with its fraction of a second as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DateTimeText<'a> {
    /// Days since 1970-01-01.
    pub(crate) days: i64,
    /// Whole seconds since midnight.
    pub(crate) seconds: i64,
    /// The fraction digits written (may be empty).
    pub(crate) fraction: &'a str,
    /// The zone written after the time, if any (not yet checked).
    pub(crate) zone: Option<&'a str>,
}

impl DateTimeText<'_> {
    /// Nanoseconds since 1970-01-01 00:00:00 of the local time, the fraction rounded to
    /// `p` digits (half up, as Trino rounds a value to a smaller precision).
    pub(crate) fn local_nanos(&self, p: u8) -> i128 {
        i128::from(self.days) * NANOS_PER_DAY
            + i128::from(self.seconds) * NANOS_PER_SECOND
            + fraction_nanos(self.fraction, p)
    }
}

/// The nanoseconds of the fraction digits `digits`, rounded half up to `p` digits (a
/// result of one second when they round up to it).
pub(crate) fn fraction_nanos(digits: &str, p: u8) -> i128 {
    let p = usize::from(p);
    let kept: i128 = digits
        .bytes()
        .take(p)
        .fold(0, |v, b| v * 10 + i128::from(b - b'0'));
    let kept = kept * 10i128.pow((p.saturating_sub(digits.len().min(p))) as u32);
    let up = digits.as_bytes().get(p).is_some_and(|b| *b >= b'5');
    (kept + i128::from(up)) * nanos_per_digit(p as u8)
}

/// Trino's `yyyy-mm-dd[ hh:mm[:ss[.fraction]]][ zone]` (DATETIME_PATTERN): a year of four
/// or more digits with an optional sign, one- or two-digit fields, blanks before a zone.
pub(crate) fn parse_datetime(s: &str) -> Option<DateTimeText<'_>> {
    let mut scan = Scan::new(s);
    let negative = if scan.eat(b'-') {
        true
    } else {
        scan.eat(b'+');
        false
    };
    let year = scan.number(4, 10)?;
    let year = if negative { -year } else { year };
    if !scan.eat(b'-') {
        return None;
    }
    let month = scan.number(1, 2)?;
    if !scan.eat(b'-') {
        return None;
    }
    let day = scan.number(1, 2)?;
    let days = checked_days(year, month, day)?;
    let mut out = DateTimeText {
        days,
        seconds: 0,
        fraction: "",
        zone: None,
    };
    if scan.done() {
        return Some(out);
    }
    if !scan.eat(b' ') {
        return None;
    }
    let save = scan.at;
    if let Some(hour) = scan.number(1, 2) {
        if !scan.eat(b':') {
            // A zone that starts with digits is not a time.
            scan.at = save;
        } else {
            let minute = scan.number(1, 2)?;
            let mut second = 0;
            if scan.eat(b':') {
                second = scan.number(1, 2)?;
                if scan.eat(b'.') {
                    out.fraction = scan.digits(1, usize::MAX)?;
                }
            }
            if hour > 23 || minute > 59 || second > 59 {
                return None;
            }
            out.seconds = hour * 3600 + minute * 60 + second;
        }
    }
    scan.skip_whitespace();
    if !scan.done() {
        out.zone = Some(scan.rest());
    }
    Some(out)
}

/// Trino's date text (`DateTimeUtils.parseDate` after a trim): `[+-]yyyy-m-d`.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let mut scan = Scan::new(s.trim());
    let negative = if scan.eat(b'-') {
        true
    } else {
        scan.eat(b'+');
        false
    };
    let year = scan.number(1, 9)?;
    let year = if negative { -year } else { year };
    if !scan.eat(b'-') {
        return None;
    }
    let month = scan.number(1, 2)?;
    if !scan.eat(b'-') {
        return None;
    }
    let day = scan.number(1, 2)?;
    if !scan.done() {
        return None;
    }
    checked_days(year, month, day)
}

/// A time of day read from text (TIME_PATTERN): seconds, the fraction as written, and an
/// offset in minutes when one follows (a `time with time zone`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TimeText<'a> {
    /// Whole seconds since midnight.
    pub(crate) seconds: i64,
    /// The fraction digits written.
    pub(crate) fraction: &'a str,
    /// `+05:00` as 300.
    pub(crate) offset_minutes: Option<i64>,
}

/// Trino's `h:m[:s[.fraction]][ +hh:mm]`.
pub(crate) fn parse_time(s: &str) -> Option<TimeText<'_>> {
    let mut scan = Scan::new(s);
    let hour = scan.number(1, 2)?;
    if !scan.eat(b':') {
        return None;
    }
    let minute = scan.number(1, 2)?;
    let mut second = 0;
    let mut fraction = "";
    if scan.eat(b':') {
        second = scan.number(1, 2)?;
        if scan.eat(b'.') {
            fraction = scan.digits(1, usize::MAX)?;
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    scan.skip_whitespace();
    let mut offset_minutes = None;
    if let Some(sign @ (b'+' | b'-')) = scan.peek() {
        scan.at += 1;
        let h = scan.number(2, 2)?;
        if !scan.eat(b':') {
            return None;
        }
        let m = scan.number(2, 2)?;
        offset_minutes = Some(if sign == b'-' { -1 } else { 1 } * (h * 60 + m));
    }
    if !scan.done() {
        return None;
    }
    Some(TimeText {
        seconds: hour * 3600 + minute * 60 + second,
        fraction,
        offset_minutes,
    })
}

/// The fields of an interval qualifier, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum IntervalField {
    /// YEAR.
    Year,
    /// MONTH.
    Month,
    /// DAY.
    Day,
    /// HOUR.
    Hour,
    /// MINUTE.
    Minute,
    /// SECOND.
    Second,
}

impl IntervalField {
    /// The field of a qualifier word.
    pub(crate) fn parse(word: &str) -> Option<IntervalField> {
        Some(match word.to_ascii_uppercase().as_str() {
            "YEAR" => IntervalField::Year,
            "MONTH" => IntervalField::Month,
            "DAY" => IntervalField::Day,
            "HOUR" => IntervalField::Hour,
            "MINUTE" => IntervalField::Minute,
            "SECOND" => IntervalField::Second,
            _ => return None,
        })
    }

    /// Its name in Trino's messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            IntervalField::Year => "YEAR",
            IntervalField::Month => "MONTH",
            IntervalField::Day => "DAY",
            IntervalField::Hour => "HOUR",
            IntervalField::Minute => "MINUTE",
            IntervalField::Second => "SECOND",
        }
    }

    /// Whether an interval of this leading field is a year-to-month one.
    pub(crate) fn is_year_month(self) -> bool {
        self <= IntervalField::Month
    }
}

/// The value of an interval literal: months (YEAR, MONTH) or milliseconds (DAY to
/// SECOND). Trino reads the fields from `from` to `to` in order, separated by `-` (year
/// to month), a blank (day to hour) and `:`; any prefix of them may be written; a
/// leading `-` negates; each field is a non-negative 32-bit number; seconds may have a
/// fraction (milliseconds, finer digits dropped). `None` when the text or the qualifier
/// is not valid, or the value does not fit (months in 32 bits, milliseconds in 64).
pub(crate) fn parse_interval(text: &str, from: IntervalField, to: IntervalField) -> Option<i64> {
    use IntervalField::*;
    if to < from || (from.is_year_month() != to.is_year_month()) {
        return None;
    }
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let order = [Year, Month, Day, Hour, Minute, Second];
    let fields: Vec<IntervalField> = order
        .iter()
        .copied()
        .filter(|f| *f >= from && *f <= to)
        .collect();
    let mut scan = Scan::new(body);
    let mut values = [0i64; 6];
    let mut millis = 0i64;
    for (k, field) in fields.iter().enumerate() {
        if k > 0 {
            let separator = match field {
                Month => b'-',
                Hour => b' ',
                _ => b':',
            };
            if scan.done() {
                break;
            }
            if !scan.eat(separator) {
                return None;
            }
        }
        let v = scan.number(1, 10)?;
        if v > i64::from(i32::MAX) {
            return None;
        }
        values[*field as usize] = v;
        if *field == Second && scan.eat(b'.') {
            let digits = scan.digits(1, 9)?;
            let scaled = format!("{digits:0<3}");
            millis = scaled[..3].parse().ok()?;
        }
    }
    if !scan.done() {
        return None;
    }
    let sign = if negative { -1 } else { 1 };
    if from.is_year_month() {
        let months = values[0].checked_mul(12)?.checked_add(values[1])?;
        return i32::try_from(months).ok().map(|m| sign * i64::from(m));
    }
    let total = values[2]
        .checked_mul(86_400_000)?
        .checked_add(values[3].checked_mul(3_600_000)?)?
        .checked_add(values[4].checked_mul(60_000)?)?
        .checked_add(values[5].checked_mul(1000)?)?
        .checked_add(millis)?;
    Some(sign * total)
}

/// A year as Java's `LocalDate` writes it: four digits, `+` above 9999, `-` below 0.
fn push_year(out: &mut String, year: i64, plus: bool) {
    if year > 9999 && plus {
        out.push('+');
    }
    if year < 0 {
        let _ = write!(out, "-{:04}", -year);
    } else {
        let _ = write!(out, "{year:04}");
    }
}

/// `2024-01-02` (`+10000-01-01` with `plus`, as Java's `LocalDate` writes it).
pub(crate) fn write_date(out: &mut String, days: i64, plus: bool) {
    let (y, m, d) = civil_from_days(days);
    push_year(out, y, plus);
    let _ = write!(out, "-{m:02}-{d:02}");
}

/// `03:04:05.123` with `p` fraction digits.
pub(crate) fn write_time(out: &mut String, nanos_of_day: i128, p: u8) {
    let secs = nanos_of_day.div_euclid(NANOS_PER_SECOND);
    let frac = nanos_of_day.rem_euclid(NANOS_PER_SECOND);
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if p > 0 {
        let digits = frac / nanos_per_digit(p);
        let _ = write!(out, ".{digits:0width$}", width = usize::from(p));
    }
}

/// `2024-01-02 03:04:05.123`: a local date and time with `p` fraction digits; years above
/// 9999 get a `+` (Java's `uuuu`).
pub(crate) fn write_timestamp(out: &mut String, local_nanos: i128, p: u8) {
    let days = local_nanos.div_euclid(NANOS_PER_DAY);
    write_date(out, days as i64, true);
    out.push(' ');
    write_time(out, local_nanos.rem_euclid(NANOS_PER_DAY), p);
}

/// `1-2`, `-0-1`: an interval year to month.
pub(crate) fn write_year_month(out: &mut String, months: i64) {
    let sign = if months < 0 { "-" } else { "" };
    let m = months.unsigned_abs();
    let _ = write!(out, "{sign}{}-{}", m / 12, m % 12);
}

/// `2 03:04:05.678`, `-0 02:00:00.000`: an interval day to second.
pub(crate) fn write_day_second(out: &mut String, millis: i64) {
    let sign = if millis < 0 { "-" } else { "" };
    let ms = millis.unsigned_abs();
    let _ = write!(
        out,
        "{sign}{} {:02}:{:02}:{:02}.{:03}",
        ms / 86_400_000,
        ms / 3_600_000 % 24,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use IntervalField::*;

    #[test]
    fn datetimes_read_as_trino_reads_them() {
        let t = parse_datetime("2024-01-02 03:04:05.123").unwrap();
        assert_eq!(
            (t.days, t.seconds, t.fraction, t.zone),
            (19_724, 11_045, "123", None)
        );
        let t = parse_datetime("2024-1-2 3:4").unwrap();
        assert_eq!((t.days, t.seconds), (19_724, 11_040));
        let t = parse_datetime("2024-01-02 03:04:05 America/New_York").unwrap();
        assert_eq!(t.zone, Some("America/New_York"));
        let t = parse_datetime("2024-01-02 03:04:05+05:30").unwrap();
        assert_eq!(t.zone, Some("+05:30"));
        assert_eq!(parse_datetime("2024-01-02 UTC").unwrap().zone, Some("UTC"));
        assert_eq!(parse_datetime("2024-01-02").unwrap().seconds, 0);
        for bad in [
            "2024-01-02T03:04:05",
            "2024-02-30",
            "2024-13-01",
            "24-01-02",
            "2024-01-02 24:00:00",
            " 2024-01-02",
            "x",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        assert_eq!(
            parse_datetime("2024-01-02 03:04:05.9999")
                .unwrap()
                .local_nanos(3),
            19_724 * NANOS_PER_DAY + 11_046 * NANOS_PER_SECOND
        );
    }

    #[test]
    fn dates_and_times_read_as_trino_reads_them() {
        assert_eq!(parse_date(" 2024-1-2 "), Some(19_724));
        assert_eq!(parse_date("+2024-01-02"), Some(19_724));
        assert_eq!(parse_date("2024-01-02 03:04:05"), None);
        assert_eq!(parse_date("2024-02-30"), None);
        let t = parse_time("1:2:3.45").unwrap();
        assert_eq!(
            (t.seconds, t.fraction, t.offset_minutes),
            (3723, "45", None)
        );
        assert_eq!(
            parse_time("01:02:03 +05:00").unwrap().offset_minutes,
            Some(300)
        );
        assert_eq!(parse_time("25:00:00"), None);
        assert_eq!(parse_time("12:60"), None);
    }

    #[test]
    fn intervals_read_as_trino_reads_them() {
        assert_eq!(parse_interval("1-2", Year, Month), Some(14));
        assert_eq!(parse_interval("-1-6", Year, Month), Some(-18));
        assert_eq!(parse_interval("1", Year, Month), Some(12));
        assert_eq!(
            parse_interval("2 03:04:05.678", Day, Second),
            Some(183_845_678)
        );
        assert_eq!(parse_interval("2 03", Day, Second), Some(183_600_000));
        assert_eq!(parse_interval("1.5", Second, Second), Some(1500));
        assert_eq!(parse_interval("0.0001", Second, Second), Some(0));
        assert_eq!(parse_interval("1:30", Minute, Second), Some(90_000));
        assert_eq!(parse_interval("x", Day, Day), None);
        assert_eq!(parse_interval("1 2", Day, Day), None);
        assert_eq!(parse_interval("2147483647", Year, Year), None);
        assert_eq!(parse_interval("178956970", Year, Year), Some(2_147_483_640));
        assert_eq!(parse_interval("106751991167", Day, Day), None);
        assert_eq!(parse_interval("1", Day, Month), None);
    }

    #[test]
    fn text_is_written_as_trino_writes_it() {
        let mut s = String::new();
        write_timestamp(&mut s, 19_724 * NANOS_PER_DAY + 11_045_123_000_000, 3);
        assert_eq!(s, "2024-01-02 03:04:05.123");
        s.clear();
        write_date(&mut s, days_from_civil(10_000, 1, 1), true);
        assert_eq!(s, "+10000-01-01");
        s.clear();
        write_date(&mut s, days_from_civil(-1, 1, 1), false);
        assert_eq!(s, "-0001-01-01");
        s.clear();
        write_year_month(&mut s, -1);
        assert_eq!(s, "-0-1");
        s.clear();
        write_day_second(&mut s, -7_200_000);
        assert_eq!(s, "-0 02:00:00.000");
        s.clear();
        write_time(&mut s, 3_723_400_000_000, 1);
        assert_eq!(s, "01:02:03.4");
    }
}
