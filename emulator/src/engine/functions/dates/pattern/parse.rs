//! Parsing a text with a pattern's tokens, as Joda-Time does: the tokens read in order
//! (numbers up to their maximum digits, names and literals case-insensitively), the whole
//! text required, then the fields set from the largest to the smallest, each checked
//! against its range.

use super::*;

/// What parsing found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// Days since 1970-01-01 of the local date.
    pub(crate) days: i64,
    /// Milliseconds since local midnight.
    pub(crate) millis: i64,
    /// The offset read, in minutes.
    pub(crate) offset_minutes: Option<i64>,
    /// The zone id read.
    pub(crate) zone: Option<String>,
}

#[derive(Default)]
struct Fields {
    era: Option<i64>,
    century: Option<i64>,
    year: Option<i64>,
    year_of_era: Option<i64>,
    week_year: Option<i64>,
    week: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    day_of_year: Option<i64>,
    day_of_week: Option<i64>,
    halfday: Option<i64>,
    hour_of_day: Option<i64>,
    clock_hour_of_day: Option<i64>,
    hour_of_halfday: Option<i64>,
    clock_hour_of_halfday: Option<i64>,
    minute: Option<i64>,
    second: Option<i64>,
    millis: Option<i64>,
}

// layout: long function, because one pass over the tokens, reading the text in order; the cursor and the fields found are its state
/// Reads `text` with `tokens`; the message of Trino's INVALID_FUNCTION_ARGUMENT
/// otherwise. `zone_of` checks a zone id read (Trino's canonical id, or `None`).
pub(crate) fn parse(
    tokens: &[Token],
    text: &str,
    zone_of: &dyn Fn(&str) -> Option<String>,
) -> Result<Parsed, String> {
    let bytes = text.as_bytes();
    let mut at = 0usize;
    let mut f = Fields::default();
    let mut parsed = Parsed::default();
    let malformed = |at: usize| {
        if at >= text.len() {
            if text.is_empty() {
                format!("Invalid format: \"{text}\"")
            } else {
                format!("Invalid format: \"{text}\" is too short")
            }
        } else if at == 0 {
            format!("Invalid format: \"{text}\"")
        } else {
            format!(
                "Invalid format: \"{text}\" is malformed at \"{}\"",
                &text[at..]
            )
        }
    };
    for t in tokens {
        match t {
            Token::Literal(s) => {
                let end = at + s.len();
                if end > text.len()
                    || !text.is_char_boundary(end)
                    || !text[at..end].eq_ignore_ascii_case(s)
                {
                    return Err(malformed(at));
                }
                at = end;
            }
            Token::Number {
                field, max, signed, ..
            } => {
                let start = at;
                let mut negative = false;
                if *signed && at < bytes.len() && (bytes[at] == b'-' || bytes[at] == b'+') {
                    negative = bytes[at] == b'-';
                    at += 1;
                }
                let digits_start = at;
                while at < bytes.len() && at - digits_start < *max && bytes[at].is_ascii_digit() {
                    at += 1;
                }
                if at == digits_start {
                    return Err(malformed(start));
                }
                let v: i64 = text[digits_start..at]
                    .parse()
                    .map_err(|_| malformed(start))?;
                let v = if negative { -v } else { v };
                let slot = match field {
                    Num::Year => &mut f.year,
                    Num::YearOfEra => &mut f.year_of_era,
                    Num::CenturyOfEra => &mut f.century,
                    Num::WeekYear => &mut f.week_year,
                    Num::WeekOfWeekYear => &mut f.week,
                    Num::Month => &mut f.month,
                    Num::DayOfMonth => &mut f.day,
                    Num::DayOfYear => &mut f.day_of_year,
                    Num::DayOfWeek => &mut f.day_of_week,
                    Num::HourOfDay => &mut f.hour_of_day,
                    Num::ClockHourOfDay => &mut f.clock_hour_of_day,
                    Num::HourOfHalfday => &mut f.hour_of_halfday,
                    Num::ClockHourOfHalfday => &mut f.clock_hour_of_halfday,
                    Num::Minute => &mut f.minute,
                    Num::Second => &mut f.second,
                };
                *slot = Some(v);
            }
            Token::TwoDigitYear { pivot, week_year } => {
                if at + 2 > bytes.len() || !bytes[at..at + 2].iter().all(u8::is_ascii_digit) {
                    return Err(malformed(at));
                }
                let two: i64 = text[at..at + 2].parse().map_err(|_| malformed(at))?;
                at += 2;
                let low = pivot - 50;
                let t = if low >= 0 {
                    low % 100
                } else {
                    99 + (low + 1) % 100
                };
                let year = two + low + if two < t { 100 } else { 0 } - t;
                if *week_year {
                    f.week_year = Some(year);
                } else {
                    f.year = Some(year);
                }
            }
            Token::Text { field, .. } => {
                let options: Vec<(String, i64)> = match field {
                    Name::Month => MONTHS
                        .iter()
                        .enumerate()
                        .flat_map(|(i, n)| {
                            [
                                (n.to_string(), i as i64 + 1),
                                (n[..3].to_owned(), i as i64 + 1),
                            ]
                        })
                        .collect(),
                    Name::DayOfWeek => WEEKDAYS
                        .iter()
                        .enumerate()
                        .flat_map(|(i, n)| {
                            [
                                (n.to_string(), i as i64 + 1),
                                (n[..3].to_owned(), i as i64 + 1),
                            ]
                        })
                        .collect(),
                    Name::Halfday => vec![("AM".to_owned(), 0), ("PM".to_owned(), 1)],
                    Name::Era => vec![("AD".to_owned(), 1), ("BC".to_owned(), 0)],
                };
                let rest = &text[at..];
                let best = options
                    .iter()
                    .filter(|(name, _)| {
                        rest.len() >= name.len()
                            && rest.is_char_boundary(name.len())
                            && rest[..name.len()].eq_ignore_ascii_case(name)
                    })
                    .max_by_key(|(name, _)| name.len());
                let Some((name, v)) = best else {
                    return Err(malformed(at));
                };
                at += name.len();
                match field {
                    Name::Month => f.month = Some(*v),
                    Name::DayOfWeek => f.day_of_week = Some(*v),
                    Name::Halfday => f.halfday = Some(*v),
                    Name::Era => f.era = Some(*v),
                }
            }
            Token::Fraction { max, .. } => {
                let start = at;
                while at < bytes.len() && at - start < *max && bytes[at].is_ascii_digit() {
                    at += 1;
                }
                if at == start {
                    return Err(malformed(start));
                }
                let digits = format!("{:0<3}", &text[start..at]);
                f.millis = Some(digits[..3].parse().map_err(|_| malformed(start))?);
            }
            Token::Offset { .. } => {
                if at < bytes.len() && bytes[at] == b'Z' {
                    at += 1;
                    parsed.offset_minutes = Some(0);
                    continue;
                }
                let start = at;
                let sign = match bytes.get(at) {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(malformed(at)),
                };
                at += 1;
                let two = |at: &mut usize| -> Option<i64> {
                    if *at + 2 <= bytes.len() && bytes[*at..*at + 2].iter().all(u8::is_ascii_digit)
                    {
                        let v = text[*at..*at + 2].parse().ok();
                        *at += 2;
                        v
                    } else {
                        None
                    }
                };
                let hours = two(&mut at).ok_or_else(|| malformed(start))?;
                if at < bytes.len() && bytes[at] == b':' {
                    at += 1;
                }
                let minutes = two(&mut at).unwrap_or(0);
                if hours > 23 || minutes > 59 {
                    return Err(malformed(start));
                }
                parsed.offset_minutes = Some(sign * (hours * 60 + minutes));
            }
            Token::ZoneId => {
                let rest = &text[at..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || "/_+-:".contains(c)))
                    .unwrap_or(rest.len());
                let mut found = None;
                for len in (1..=end).rev() {
                    if let Some(zone) = zone_of(&rest[..len]) {
                        found = Some((len, zone));
                        break;
                    }
                }
                let Some((len, zone)) = found else {
                    return Err(malformed(at));
                };
                at += len;
                parsed.zone = Some(zone);
            }
            Token::ZoneName { .. } => {
                return Err("parsing time zone names (pattern z)".to_owned());
            }
        }
    }
    if at < text.len() {
        return Err(malformed(at));
    }
    resolve(&f, &mut parsed)?;
    Ok(parsed)
}

fn check(name: &str, v: i64, low: i64, high: i64) -> Result<i64, String> {
    if v < low || v > high {
        Err(format!(
            "Value {v} for {name} must be in the range [{low},{high}]"
        ))
    } else {
        Ok(v)
    }
}

/// Sets the fields read on 1970-01-01 00:00:00, largest first, as Joda does.
fn resolve(f: &Fields, out: &mut Parsed) -> Result<(), String> {
    if f.week_year.is_some() || f.week.is_some() {
        return Err("parsing week-based years and weeks".to_owned());
    }
    let (mut y, mut m, mut d) = (1970i64, 1i64, 1i64);
    if let Some(c) = f.century {
        y = c * 100 + y.rem_euclid(100);
    }
    if let Some(v) = f.year_of_era {
        check("yearOfEra", v, 1, 292_278_993)?;
        y = if f.era == Some(0) { 1 - v } else { v };
    } else if f.era == Some(0) {
        y = 1 - y;
    }
    if let Some(v) = f.year {
        y = check("year", v, -292_275_054, 292_278_993)?;
    }
    if let Some(v) = f.month {
        m = check("monthOfYear", v, 1, 12)?;
    }
    if let Some(v) = f.day {
        let max = i64::from(days_in_month(y, m as u32));
        d = check("dayOfMonth", v, 1, max)?;
    }
    let mut days = days_from_civil(y, m as u32, d as u32);
    if let Some(v) = f.day_of_year {
        let max = if is_leap(y) { 366 } else { 365 };
        days = days_from_civil(y, 1, 1) + check("dayOfYear", v, 1, max)? - 1;
    }
    if let Some(v) = f.day_of_week {
        let current = (days + 3).rem_euclid(7) + 1;
        days += check("dayOfWeek", v, 1, 7)? - current;
    }
    let mut hour = 0;
    if let Some(v) = f.halfday {
        hour = v * 12;
    }
    if let Some(v) = f.clock_hour_of_halfday {
        hour = hour / 12 * 12 + check("clockhourOfHalfday", v, 1, 12)? % 12;
    }
    if let Some(v) = f.hour_of_halfday {
        hour = hour / 12 * 12 + check("hourOfHalfday", v, 0, 11)?;
    }
    if let Some(v) = f.clock_hour_of_day {
        hour = check("clockhourOfDay", v, 1, 24)? % 24;
    }
    if let Some(v) = f.hour_of_day {
        hour = check("hourOfDay", v, 0, 23)?;
    }
    let minute = f
        .minute
        .map(|v| check("minuteOfHour", v, 0, 59))
        .transpose()?
        .unwrap_or(0);
    let second = f
        .second
        .map(|v| check("secondOfMinute", v, 0, 59))
        .transpose()?
        .unwrap_or(0);
    let millis = f.millis.unwrap_or(0);
    out.days = days;
    out.millis = ((hour * 60 + minute) * 60 + second) * 1000 + millis;
    Ok(())
}
