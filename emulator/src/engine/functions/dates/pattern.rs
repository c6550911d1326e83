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

// Reading a text with the tokens; printing is here.
mod parse;
pub(crate) use parse::parse;

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

// layout: long function, because one match over MySQL's specifiers, read as the table of them in Trino's docs
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

// layout: long function, because one match over Joda's letters, read as the table of them in Joda's docs
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

// layout: long function, because one match over the token kinds, one arm each
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

#[cfg(test)]
mod tests;
