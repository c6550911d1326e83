//! Date/time patterns, printed and parsed as Trino does it through Joda-Time: MySQL's
//! `%Y-%m-%d` specifiers (`date_format`, `date_parse`) and Joda's own `yyyy-MM-dd`
//! letters (`format_datetime`, `parse_datetime`) both become a list of [`Token`]s.
//!
//! Printing works on milliseconds (Joda's precision: `%f` of `.123456` is `123000`).
//! Parsing reads the tokens in order (numbers up to their maximum digits, names
//! case-insensitively, literals case-insensitively), requires the whole text, then sets
//! the fields from the largest to the smallest, each checked against its range, on
//! 1970-01-01 00:00:00.

use super::text::{days_in_month, is_leap};
use crate::calendar::{civil_from_days, days_from_civil};

/// A numeric field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Num {
    Year,
    YearOfEra,
    CenturyOfEra,
    WeekYear,
    WeekOfWeekYear,
    Month,
    DayOfMonth,
    DayOfYear,
    DayOfWeek,
    HourOfDay,
    ClockHourOfDay,
    HourOfHalfday,
    ClockHourOfHalfday,
    Minute,
    Second,
}

/// A field written as a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Name {
    Month,
    DayOfWeek,
    Halfday,
    Era,
}

/// One element of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// Text as it is.
    Literal(String),
    /// A number: at least `min` digits printed, at most `max` read, a sign allowed when
    /// `signed`.
    Number {
        field: Num,
        min: usize,
        max: usize,
        signed: bool,
    },
    /// A two-digit year (`%y`, `yy`): read into the century around `pivot`.
    TwoDigitYear { pivot: i64, week_year: bool },
    /// A name (`long`: `January`, else `Jan`).
    Text { field: Name, long: bool },
    /// The fraction of the second: `min` to `max` digits.
    Fraction { min: usize, max: usize },
    /// The zone's offset, `+0530` or (with `colon`) `+05:30`; `Z` reads as UTC.
    Offset { colon: bool },
    /// The zone's id (`America/New_York`).
    ZoneId,
    /// The zone's name (`UTC`, `Coordinated Universal Time`).
    ZoneName { long: bool },
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Trino's pivot for MySQL's `%y`: 70 is 1970, 69 is 2069.
const MYSQL_PIVOT: i64 = 2020;

/// The tokens of a MySQL format (`%Y-%m-%d`), or the message of the
/// INVALID_FUNCTION_ARGUMENT Trino fails with.
pub(crate) fn mysql(format: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let num = |field, min, max| Token::Number {
        field,
        min,
        max,
        signed: false,
    };
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            push_literal(&mut tokens, c);
            continue;
        }
        // A `%` at the end prints nothing.
        let Some(d) = chars.next() else { break };
        match d {
            'a' => tokens.push(Token::Text {
                field: Name::DayOfWeek,
                long: false,
            }),
            'b' => tokens.push(Token::Text {
                field: Name::Month,
                long: false,
            }),
            'c' => tokens.push(num(Num::Month, 1, 2)),
            'd' => tokens.push(num(Num::DayOfMonth, 2, 2)),
            'e' => tokens.push(num(Num::DayOfMonth, 1, 2)),
            'f' => tokens.push(Token::Fraction { min: 6, max: 9 }),
            'H' => tokens.push(num(Num::HourOfDay, 2, 2)),
            'h' | 'I' => tokens.push(num(Num::ClockHourOfHalfday, 2, 2)),
            'i' => tokens.push(num(Num::Minute, 2, 2)),
            'j' => tokens.push(num(Num::DayOfYear, 3, 3)),
            'k' => tokens.push(num(Num::HourOfDay, 1, 2)),
            'l' => tokens.push(num(Num::ClockHourOfHalfday, 1, 2)),
            'M' => tokens.push(Token::Text {
                field: Name::Month,
                long: true,
            }),
            'm' => tokens.push(num(Num::Month, 2, 2)),
            'p' => tokens.push(Token::Text {
                field: Name::Halfday,
                long: true,
            }),
            'r' => {
                tokens.push(num(Num::ClockHourOfHalfday, 2, 2));
                push_literal(&mut tokens, ':');
                tokens.push(num(Num::Minute, 2, 2));
                push_literal(&mut tokens, ':');
                tokens.push(num(Num::Second, 2, 2));
                push_literal(&mut tokens, ' ');
                tokens.push(Token::Text {
                    field: Name::Halfday,
                    long: true,
                });
            }
            'S' | 's' => tokens.push(num(Num::Second, 2, 2)),
            'T' => {
                tokens.push(num(Num::HourOfDay, 2, 2));
                push_literal(&mut tokens, ':');
                tokens.push(num(Num::Minute, 2, 2));
                push_literal(&mut tokens, ':');
                tokens.push(num(Num::Second, 2, 2));
            }
            'v' => tokens.push(num(Num::WeekOfWeekYear, 2, 2)),
            'x' => tokens.push(Token::Number {
                field: Num::WeekYear,
                min: 4,
                max: 4,
                signed: true,
            }),
            'W' => tokens.push(Token::Text {
                field: Name::DayOfWeek,
                long: true,
            }),
            'Y' => tokens.push(Token::Number {
                field: Num::Year,
                min: 4,
                max: 4,
                signed: true,
            }),
            'y' => tokens.push(Token::TwoDigitYear {
                pivot: MYSQL_PIVOT,
                week_year: false,
            }),
            'w' | 'U' | 'u' | 'V' | 'X' | 'D' => {
                return Err(format!("%{d} not supported in date format string"));
            }
            other => push_literal(&mut tokens, other),
        }
    }
    if tokens.is_empty() {
        return Err("Both printing and parsing not supported".to_owned());
    }
    Ok(tokens)
}

fn push_literal(tokens: &mut Vec<Token>, c: char) {
    if let Some(Token::Literal(s)) = tokens.last_mut() {
        s.push(c);
    } else {
        tokens.push(Token::Literal(c.to_string()));
    }
}

/// Whether a Joda pattern letter makes a number.
fn numeric_letter(c: char, count: usize) -> bool {
    match c {
        'C' | 'Y' | 'x' | 'w' | 'e' | 'y' | 'D' | 'd' | 'K' | 'h' | 'H' | 'k' | 'm' | 's' | 'S' => {
            true
        }
        'M' => count <= 2,
        _ => false,
    }
}

/// The tokens of a Joda pattern (`yyyy-MM-dd HH:mm:ss`), or the message of the
/// INVALID_FUNCTION_ARGUMENT Trino fails with. `current_year` sets the pivot of a
/// two-digit year (the year 30 years ago, as Joda takes it).
pub(crate) fn joda(pattern: &str, current_year: i64) -> Result<Vec<Token>, String> {
    // The pattern's pieces: (letter, count) or literal text.
    enum Piece {
        Letters(char, usize),
        Text(String),
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphabetic() {
            let mut n = 1;
            while i + n < chars.len() && chars[i + n] == c {
                n += 1;
            }
            pieces.push(Piece::Letters(c, n));
            i += n;
        } else if c == '\'' {
            // Quoted text up to the next lone quote ('' is a quote); unterminated text
            // runs to the end.
            let mut text = String::new();
            i += 1;
            if i < chars.len() && chars[i] == '\'' {
                pieces.push(Piece::Text("'".to_owned()));
                i += 1;
                continue;
            }
            while i < chars.len() {
                if chars[i] == '\'' {
                    if i + 1 < chars.len() && chars[i + 1] == '\'' {
                        text.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                text.push(chars[i]);
                i += 1;
            }
            pieces.push(Piece::Text(text));
        } else {
            pieces.push(Piece::Text(c.to_string()));
            i += 1;
        }
    }
    let mut tokens = Vec::new();
    for (k, piece) in pieces.iter().enumerate() {
        let (c, n) = match piece {
            Piece::Text(t) => {
                for ch in t.chars() {
                    push_literal(&mut tokens, ch);
                }
                continue;
            }
            Piece::Letters(c, n) => (*c, *n),
        };
        let next_numeric =
            matches!(pieces.get(k + 1), Some(Piece::Letters(c2, n2)) if numeric_letter(*c2, *n2));
        let num = |field, max| Token::Number {
            field,
            min: n,
            max,
            signed: false,
        };
        tokens.push(match c {
            'G' => Token::Text {
                field: Name::Era,
                long: false,
            },
            'C' => Token::Number {
                field: Num::CenturyOfEra,
                min: n,
                max: n,
                signed: true,
            },
            'y' | 'Y' | 'x' if n == 2 => Token::TwoDigitYear {
                pivot: current_year - 30,
                week_year: c == 'x',
            },
            'y' | 'Y' | 'x' => Token::Number {
                field: match c {
                    'y' => Num::Year,
                    'Y' => Num::YearOfEra,
                    _ => Num::WeekYear,
                },
                min: n,
                max: if next_numeric { n } else { 9 },
                signed: c != 'Y',
            },
            'w' => num(Num::WeekOfWeekYear, 2),
            'e' => num(Num::DayOfWeek, 1),
            'E' => Token::Text {
                field: Name::DayOfWeek,
                long: n >= 4,
            },
            'D' => num(Num::DayOfYear, 3),
            'M' if n >= 3 => Token::Text {
                field: Name::Month,
                long: n >= 4,
            },
            'M' => num(Num::Month, 2),
            'd' => num(Num::DayOfMonth, 2),
            'a' => Token::Text {
                field: Name::Halfday,
                long: true,
            },
            'h' => num(Num::ClockHourOfHalfday, 2),
            'H' => num(Num::HourOfDay, 2),
            'k' => num(Num::ClockHourOfDay, 2),
            'K' => num(Num::HourOfHalfday, 2),
            'm' => num(Num::Minute, 2),
            's' => num(Num::Second, 2),
            'S' => Token::Fraction { min: n, max: n },
            'z' => Token::ZoneName { long: n >= 4 },
            'Z' if n <= 2 => Token::Offset { colon: n == 2 },
            'Z' => Token::ZoneId,
            other => {
                return Err(format!(
                    "Illegal pattern component: {}",
                    other.to_string().repeat(n)
                ));
            }
        });
    }
    if tokens.is_empty() {
        return Err("Both printing and parsing not supported".to_owned());
    }
    Ok(tokens)
}

/// A moment to print: its local date and time and its zone.
pub(crate) struct Moment<'a> {
    /// Days since 1970-01-01 (local).
    pub(crate) days: i64,
    /// Milliseconds since local midnight.
    pub(crate) millis: i64,
    /// The zone's offset at that moment, in seconds.
    pub(crate) offset: i64,
    /// The zone's id (`UTC`, `+05:30`, `Asia/Tokyo`).
    pub(crate) zone: &'a str,
}

fn pad(out: &mut String, v: i64, min: usize) {
    if v < 0 {
        out.push('-');
    }
    let digits = v.unsigned_abs().to_string();
    for _ in digits.len()..min {
        out.push('0');
    }
    out.push_str(&digits);
}

fn iso_week_fields(days: i64) -> (i64, i64) {
    let (y, _, _) = civil_from_days(days);
    let weekday = (days + 3).rem_euclid(7) + 1;
    let ordinal = days - days_from_civil(y, 1, 1) + 1;
    let week = (ordinal - weekday + 10) / 7;
    let weeks_in = |year: i64| {
        let jan1 = (days_from_civil(year, 1, 1) + 3).rem_euclid(7) + 1;
        if jan1 == 4 || (jan1 == 3 && is_leap(year)) {
            53
        } else {
            52
        }
    };
    if week < 1 {
        (y - 1, weeks_in(y - 1))
    } else if week > weeks_in(y) {
        (y + 1, 1)
    } else {
        (y, week)
    }
}

/// Prints a moment; `Err` names what cannot be printed (zone names other than UTC's).
pub(crate) fn print(tokens: &[Token], m: &Moment<'_>) -> Result<String, String> {
    let (y, mo, d) = civil_from_days(m.days);
    let hour = m.millis / 3_600_000;
    let year_of_era = if y <= 0 { 1 - y } else { y };
    let mut out = String::new();
    for t in tokens {
        match t {
            Token::Literal(s) => out.push_str(s),
            Token::Number { field, min, .. } => {
                let v = match field {
                    Num::Year => y,
                    Num::YearOfEra => year_of_era,
                    Num::CenturyOfEra => year_of_era / 100,
                    Num::WeekYear => iso_week_fields(m.days).0,
                    Num::WeekOfWeekYear => iso_week_fields(m.days).1,
                    Num::Month => i64::from(mo),
                    Num::DayOfMonth => i64::from(d),
                    Num::DayOfYear => m.days - days_from_civil(y, 1, 1) + 1,
                    Num::DayOfWeek => (m.days + 3).rem_euclid(7) + 1,
                    Num::HourOfDay => hour,
                    Num::ClockHourOfDay => {
                        if hour == 0 {
                            24
                        } else {
                            hour
                        }
                    }
                    Num::HourOfHalfday => hour % 12,
                    Num::ClockHourOfHalfday => {
                        if hour % 12 == 0 {
                            12
                        } else {
                            hour % 12
                        }
                    }
                    Num::Minute => m.millis / 60_000 % 60,
                    Num::Second => m.millis / 1000 % 60,
                };
                pad(&mut out, v, *min);
            }
            Token::TwoDigitYear { week_year, .. } => {
                let year = if *week_year {
                    iso_week_fields(m.days).0
                } else {
                    y
                };
                pad(&mut out, year.rem_euclid(100), 2);
            }
            Token::Text { field, long } => {
                let name = match field {
                    Name::Month => MONTHS[(mo - 1) as usize],
                    Name::DayOfWeek => WEEKDAYS[(m.days + 3).rem_euclid(7) as usize],
                    Name::Halfday => {
                        if hour < 12 {
                            "AM"
                        } else {
                            "PM"
                        }
                    }
                    Name::Era => {
                        if y <= 0 {
                            "BC"
                        } else {
                            "AD"
                        }
                    }
                };
                if *long || matches!(field, Name::Halfday | Name::Era) {
                    out.push_str(name);
                } else {
                    out.push_str(&name[..3]);
                }
            }
            Token::Fraction { min, max } => {
                // Joda keeps milliseconds: the fraction's digits past the third are 0.
                let ms = m.millis % 1000;
                let mut digits = format!("{ms:03}");
                while digits.len() < *max {
                    digits.push('0');
                }
                digits.truncate(*max);
                while digits.len() > *min && digits.ends_with('0') {
                    digits.pop();
                }
                out.push_str(&digits);
            }
            Token::Offset { colon } => {
                let sign = if m.offset < 0 { '-' } else { '+' };
                let minutes = m.offset.abs() / 60;
                out.push(sign);
                pad(&mut out, minutes / 60, 2);
                if *colon {
                    out.push(':');
                }
                pad(&mut out, minutes % 60, 2);
            }
            Token::ZoneId => out.push_str(m.zone),
            Token::ZoneName { long } => {
                if m.zone != "UTC" {
                    return Err("time zone names (pattern z) other than UTC's".to_owned());
                }
                out.push_str(if *long {
                    "Coordinated Universal Time"
                } else {
                    "UTC"
                });
            }
        }
    }
    Ok(out)
}

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

#[cfg(test)]
mod tests {
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
}
