//! Text read as a date or timestamp the way Trino's `CAST(varchar AS date|timestamp)`
//! reads it: surrounding spaces trimmed, a signed year of any length, one- or
//! two-digit months, days, hours, minutes and seconds (`2024-1-5 1:2`), a fraction
//! rounded half up to the precision, and a time zone after the time ignored.

use datafusion::arrow::datatypes::TimeUnit;

use super::text::java_trim;

/// Days from 1970-01-01 to the civil date (proleptic Gregorian).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            if leap { 29 } else { 28 }
        }
    }
}

/// A run of 1 to `max` ASCII digits at the start of `s`, and the rest.
fn digits(s: &str, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || n > max {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// `[+-]year-month-day` at the start of `s`: the days since the epoch, and the rest.
fn date_prefix(s: &str) -> Option<(i64, &str)> {
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || n > 9 {
        return None;
    }
    let year: i64 = rest[..n].parse().ok()?;
    let year = if negative { -year } else { year };
    let rest = rest[n..].strip_prefix('-')?;
    let (month, rest) = digits(rest, 2)?;
    let rest = rest.strip_prefix('-')?;
    let (day, rest) = digits(rest, 2)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some((days_from_civil(year, month, day), rest))
}

/// `CAST(s AS date)`: the days since 1970-01-01, `None` when Trino refuses the text.
pub(crate) fn parse_date(s: &str) -> Option<i32> {
    let (days, rest) = date_prefix(java_trim(s))?;
    if !rest.is_empty() {
        return None;
    }
    i32::try_from(days).ok()
}

/// Why text is not a timestamp.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Unparsed {
    /// Trino refuses it too.
    Invalid,
    /// A time zone the emulator does not recognize (Trino knows its own list).
    Zone,
}

/// A time zone after a time, which `CAST(... AS timestamp)` ignores: `Z`, `UTC`, `+02:00`,
/// `America/New_York`.
fn zone(s: &str) -> Result<(), Unparsed> {
    let z = s.strip_prefix(' ').unwrap_or(s);
    if z.is_empty() || z.contains(' ') {
        return Err(Unparsed::Invalid);
    }
    let offset = |z: &str| {
        let rest = z.strip_prefix(['+', '-'])?;
        let (h, rest) = digits(rest, 2)?;
        let rest = match rest.strip_prefix(':') {
            Some(m) => {
                let (_, rest) = digits(m, 2)?;
                rest
            }
            None => rest,
        };
        (rest.is_empty() && h <= 14).then_some(())
    };
    if z == "Z" || z == "UTC" || offset(z).is_some() {
        return Ok(());
    }
    if z.contains('/')
        && z.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c))
    {
        // A region: Trino checks it against its zone list, which the emulator has not.
        return Err(Unparsed::Zone);
    }
    Err(Unparsed::Invalid)
}

/// `CAST(s AS timestamp(p))` in `unit`s since the epoch (the fraction rounded half up to
/// the unit).
pub(crate) fn parse_timestamp(s: &str, unit: TimeUnit) -> Result<i64, Unparsed> {
    let (days, rest) = date_prefix(java_trim(s)).ok_or(Unparsed::Invalid)?;
    let per_second: i64 = match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    };
    let mut ticks: i128 = 0;
    if !rest.is_empty() {
        let rest = rest.strip_prefix(' ').ok_or(Unparsed::Invalid)?;
        let (hour, rest) = digits(rest, 2).ok_or(Unparsed::Invalid)?;
        let rest = rest.strip_prefix(':').ok_or(Unparsed::Invalid)?;
        let (minute, mut rest) = digits(rest, 2).ok_or(Unparsed::Invalid)?;
        let mut second = 0;
        let mut fraction = 0i128;
        if let Some(after) = rest.strip_prefix(':') {
            let (s, after) = digits(after, 2).ok_or(Unparsed::Invalid)?;
            second = s;
            rest = after;
            if let Some(after) = rest.strip_prefix('.') {
                let n = after.bytes().take_while(u8::is_ascii_digit).count();
                if n == 0 {
                    return Err(Unparsed::Invalid);
                }
                // The fraction in units, rounded half up.
                let text = &after[..n];
                let scale = per_second.ilog10() as usize;
                let mut kept: i128 = 0;
                for (i, b) in text.bytes().enumerate().take(scale) {
                    kept += i128::from(b - b'0') * 10i128.pow((scale - 1 - i) as u32);
                }
                if n > scale && text.as_bytes()[scale] >= b'5' {
                    kept += 1;
                }
                fraction = kept;
                rest = &after[n..];
            }
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(Unparsed::Invalid);
        }
        if !rest.is_empty() {
            zone(rest)?;
        }
        let seconds = i128::from(hour) * 3600 + i128::from(minute) * 60 + i128::from(second);
        ticks = seconds * i128::from(per_second) + fraction;
    }
    let total = i128::from(days) * 86_400 * i128::from(per_second) + ticks;
    i64::try_from(total).map_err(|_| Unparsed::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_trino_reads_them() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date(" 2024-1-5 "), parse_date("2024-01-05"));
        assert_eq!(parse_date("+2024-01-05"), parse_date("2024-01-05"));
        assert_eq!(parse_date("2024-02-29"), Some(19_782));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("20240115"), None);
        assert_eq!(parse_date("2024-001-01"), None);
        assert_eq!(parse_date("2024-01-05 10:00:00"), None);
        assert!(parse_date("99-01-01").is_some());
    }

    #[test]
    fn timestamps_round_the_fraction_and_ignore_zones() {
        let ms = |s: &str| parse_timestamp(s, TimeUnit::Millisecond);
        let base = ms("2024-01-15").unwrap();
        assert_eq!(ms("2024-01-15 10:30").unwrap(), base + 37_800_000);
        assert_eq!(ms("2024-1-15 10:3").unwrap(), base + 36_180_000);
        assert_eq!(ms("2024-01-15 10:30:00.1239").unwrap(), base + 37_800_124);
        assert_eq!(ms("2024-01-15 10:30:59.9995").unwrap(), base + 37_860_000);
        assert_eq!(ms("2024-01-15 10:30:00 UTC").unwrap(), base + 37_800_000);
        assert_eq!(ms("2024-01-15 10:30:00+02:00").unwrap(), base + 37_800_000);
        assert_eq!(
            ms("2024-01-15 10:30:00 America/New_York"),
            Err(Unparsed::Zone)
        );
        assert_eq!(ms("2024-01-15 10"), Err(Unparsed::Invalid));
        assert_eq!(ms("2024-01-15T10:30:00"), Err(Unparsed::Invalid));
        assert_eq!(ms("2024-01-15 24:00:00"), Err(Unparsed::Invalid));
        assert_eq!(ms("2024-01-15 10:30:00."), Err(Unparsed::Invalid));
        assert_eq!(ms("2024-01-15  10:30"), Err(Unparsed::Invalid));
    }
}
