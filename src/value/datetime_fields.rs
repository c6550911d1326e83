//! The fields of Athena's date-time texts, for the chrono and time modules.
//!
//! jiff reads Athena's texts with its own parser. chrono's wants a `T` in a
//! timestamp, and time's serde formats a fraction of a second; rather than a format
//! description for each crate, both modules read the text here, in one set of rules
//! (so time needs none of its features), and only build their values from the
//! fields. The calendar (`2014-02-30`) and the ranges (hour 24) are left
//! to the crates, which know their own limits (time's years end at 9999).
//!
//! Every error names the text, since the `parse_*` functions are also called on
//! their own, outside a row.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

use super::{ParseError, shorten};

/// A `date` as written: `2014-07-05`, or a year of more digits or with a sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateFields {
    pub(crate) year: i32,
    pub(crate) month: u8,
    pub(crate) day: u8,
}

/// A `time` as written: `03:04:05.123`, with 0 to 9 fraction digits (or no
/// seconds at all, `03:04`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimeFields {
    pub(crate) hour: u8,
    pub(crate) minute: u8,
    pub(crate) second: u8,
    pub(crate) nanosecond: u32,
}

/// The error for `text`, which is not a value of `what` (`a date`, ...).
pub(crate) fn not_a(what: &str, text: &str, why: impl fmt::Display) -> ParseError {
    ParseError::new(format!("not {what}: {:?} ({why})", shorten(text)))
}

/// Exactly two digits.
fn two_digits(b: &[u8]) -> Option<u8> {
    match b {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

/// Reads a `date` (`2014-07-05`).
pub(crate) fn read_date(text: &str) -> Result<DateFields, ParseError> {
    date_fields(text).ok_or_else(|| not_a("a date", text, "expected YYYY-MM-DD"))
}

fn date_fields(text: &str) -> Option<DateFields> {
    // The year is everything before the second `-` from the end; Trino writes a
    // year beyond 9999 with more digits, and one before year 1 with a `-`.
    let (rest, day) = text.rsplit_once('-')?;
    let (year, month) = rest.rsplit_once('-')?;
    let digits = year.strip_prefix(['+', '-']).unwrap_or(year);
    // At most 9 digits, so that the i32 below cannot overflow.
    if !(4..=9).contains(&digits.len()) || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(DateFields {
        year: year.parse().ok()?,
        month: two_digits(month.as_bytes())?,
        day: two_digits(day.as_bytes())?,
    })
}

/// Reads a `time` (`03:04:05.123`).
pub(crate) fn read_time(text: &str) -> Result<TimeFields, ParseError> {
    time_fields(text).map_err(|why| not_a("a time", text, why))
}

fn time_fields(text: &str) -> Result<TimeFields, &'static str> {
    const SHAPE: &str = "expected hh:mm:ss with 0 to 9 fraction digits";
    let b = text.as_bytes();
    let hour = b.get(..2).and_then(two_digits).ok_or(SHAPE)?;
    if b.get(2) != Some(&b':') {
        return Err(SHAPE);
    }
    let minute = b.get(3..5).and_then(two_digits).ok_or(SHAPE)?;
    let (second, fraction) = match b.get(5..) {
        Some([]) => (0, &[][..]),
        Some([b':', s0, s1, rest @ ..]) => (two_digits(&[*s0, *s1]).ok_or(SHAPE)?, rest),
        _ => return Err(SHAPE),
    };
    let nanosecond = match fraction {
        [] => 0,
        [b'.', digits @ ..] => nanoseconds(digits)?,
        _ => return Err(SHAPE),
    };
    Ok(TimeFields {
        hour,
        minute,
        second,
        nanosecond,
    })
}

/// Nanoseconds from 1 to 9 fraction digits (`123` is 123 000 000 ns).
fn nanoseconds(digits: &[u8]) -> Result<u32, &'static str> {
    if digits.len() > 9 {
        // Athena's `timestamp(12)` has picoseconds; chrono and time hold nanoseconds,
        // and dropping digits silently would change the value.
        return Err("more than 9 fraction digits: nanoseconds are the finest held");
    }
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err("expected digits after the point");
    }
    let n = digits
        .iter()
        .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    Ok(n * 10u32.pow(9 - digits.len() as u32))
}

/// Reads a `timestamp(p)` (`2024-01-02 03:04:05.123`).
pub(crate) fn read_timestamp(text: &str) -> Result<(DateFields, TimeFields), ParseError> {
    timestamp_fields(text).map_err(|why| not_a("a timestamp", text, why))
}

fn timestamp_fields(text: &str) -> Result<(DateFields, TimeFields), &'static str> {
    let (date, time) = text
        .split_once(' ')
        .ok_or("expected a date, a space and a time")?;
    let date = date_fields(date).ok_or("expected YYYY-MM-DD")?;
    Ok((date, time_fields(time)?))
}

/// Reads a `timestamp with time zone` whose zone is an offset
/// (`2001-08-22 03:04:05.321 +05:30`, `... UTC`): the local date and time and
/// the offset in seconds east of UTC.
///
/// A zone given by name (`America/Los_Angeles`) is an error: its offset on a
/// given day is in the tz database, which neither chrono (without chrono-tz) nor
/// time carries. jiff does, hence the advice in the message.
pub(crate) fn read_timestamp_tz(
    text: &str,
    crate_name: &str,
) -> Result<(DateFields, TimeFields, i32), ParseError> {
    let what = "a timestamp with time zone";
    let (local, zone) = text
        .rsplit_once(' ')
        .filter(|(_, zone)| !zone.is_empty())
        .ok_or_else(|| not_a(what, text, "expected a timestamp, a space and a zone"))?;
    let (date, time) = timestamp_fields(local).map_err(|why| not_a(what, text, why))?;
    let offset = match zone_offset(zone) {
        Some(Ok(seconds)) => seconds,
        Some(Err(why)) => return Err(not_a(what, text, why)),
        None => {
            return Err(ParseError::new(format!(
                "the time zone of {:?} is a name, {zone}, and {crate_name} has no tz database \
                 to find its offset: read it with feature `jiff` \
                 (athena_stream::value::datetime::deserialize_zoned), or give it an offset in \
                 SQL (`... AT TIME ZONE 'UTC'`)",
                shorten(text),
                zone = shorten(zone),
            )));
        }
    };
    Ok((date, time, offset))
}

/// The offset, in seconds east of UTC, of a zone written as an offset (`+05:30`,
/// `-08:00`, `+05`) or as a name of UTC; `None` for any other name.
fn zone_offset(zone: &str) -> Option<Result<i32, &'static str>> {
    // Trino writes UTC, whatever alias a query used; `Z` and the other names of a
    // zero offset need no tz database either.
    if matches!(zone, "UTC" | "Z" | "GMT" | "UT" | "Etc/UTC" | "Etc/GMT") {
        return Some(Ok(0));
    }
    let (sign, rest) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "00"));
    let hours = two_digits(hours.as_bytes()).filter(|h| *h < 24);
    let minutes = two_digits(minutes.as_bytes()).filter(|m| *m < 60);
    let (Some(h), Some(m)) = (hours, minutes) else {
        return Some(Err("expected an offset +hh:mm from -23:59 to +23:59"));
    };
    Some(Ok(sign * (i32::from(h) * 3600 + i32::from(m) * 60)))
}

/// A `parse_*` function of the chrono or time module.
pub(crate) type Parse<T> = fn(&str) -> Result<T, ParseError>;

/// Reads a value's text with `parse`, borrowing it where the deserializer can
/// (a row's text always), so that a typed row costs no copy of it.
struct Text<T> {
    parse: Parse<T>,
    expecting: &'static str,
}

impl<T> Visitor<'_> for Text<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        (self.parse)(text).map_err(E::custom)
    }
}

/// The same, NULL as `None`.
struct OptionText<T>(Text<T>);

impl<'de, T> Visitor<'de> for OptionText<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} or NULL", self.0.expecting)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_str(self.0).map(Some)
    }
}

/// The body of a `deserialize_*` function: the text read with `parse`.
pub(crate) fn deserialize_text<'de, D: Deserializer<'de>, T>(
    d: D,
    parse: Parse<T>,
    expecting: &'static str,
) -> Result<T, D::Error> {
    d.deserialize_str(Text { parse, expecting })
}

/// The body of a `deserialize_option_*` function: NULL as `None`, any other text
/// read with `parse`.
pub(crate) fn deserialize_option_text<'de, D: Deserializer<'de>, T>(
    d: D,
    parse: Parse<T>,
    expecting: &'static str,
) -> Result<Option<T>, D::Error> {
    d.deserialize_option(OptionText(Text { parse, expecting }))
}

/// The `deserialize_*` functions of the chrono and time modules, two for each
/// Athena type (the value, and a nullable value), with their documentation.
/// Only the crate's type and `parse_*` function differ between the modules.
macro_rules! deserializers {
    ($(
        $athena:literal, $rust:literal,
        $name:ident, $option:ident => $parse:ident -> $t:ty;
    )*) => {$(
        #[doc = concat!(
            "For `#[serde(deserialize_with = \"...\")]`: a `", $athena, "` column into a `",
            $rust, "`, read with [`", stringify!($parse), "`].",
        )]
        pub fn $name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
            $crate::value::datetime_fields::deserialize_text(
                d,
                $parse,
                concat!("a ", $athena, " text"),
            )
        }

        #[doc = concat!(
            "For `#[serde(default, deserialize_with = \"...\")]`: a nullable `", $athena,
            "` column into an `Option<", $rust, ">` (NULL is `None`).",
        )]
        pub fn $option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<$t>, D::Error> {
            $crate::value::datetime_fields::deserialize_option_text(
                d,
                $parse,
                concat!("a ", $athena, " text"),
            )
        }
    )*};
}

pub(crate) use deserializers;

/// Texts no date-time crate may read, for the tests of each crate's module: every one
/// must be an error that quotes it.
#[cfg(test)]
pub(crate) mod refused {
    /// Not a `time`.
    pub(crate) const TIMES: &[&str] = &["24:00:00", "03:60:00", "03:04:05.1234567890", "3:04"];
    /// Not a `timestamp`.
    pub(crate) const TIMESTAMPS: &[&str] = &[
        "2024-01-02T03:04:05",
        "2024-02-30 03:04:05",
        "2024-01-02 25:00:00",
    ];
    /// Not a `timestamp with time zone`.
    pub(crate) const TIMESTAMPS_TZ: &[&str] = &[
        "2001-08-22 03:04:05.321",
        "2001-08-22 03:04:05.321 +24:00",
        "2001-02-30 03:04:05.321 UTC",
    ];

    /// Checks that `parse` refuses each of `texts` with an error quoting it.
    pub(crate) fn check<T: std::fmt::Debug>(
        texts: &[&str],
        parse: impl Fn(&str) -> Result<T, crate::value::ParseError>,
    ) {
        for bad in texts {
            let e = parse(bad).unwrap_err();
            assert!(e.message().contains(&format!("{bad:?}")), "{e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// What Trino writes for a `timestamp(p)`, p = 0..9, reads back field by field.
        #[test]
        fn timestamps_as_athena_writes_them_read_back(
            year in 0i32..=9999, month in 1u8..=12, day in 1u8..=31,
            hour in 0u8..24, minute in 0u8..60, second in 0u8..60,
            nanos in 0u32..1_000_000_000, p in 0u32..=9,
        ) {
            let unit = 10u32.pow(9 - p);
            let kept = nanos / unit * unit;
            let fraction = if p == 0 {
                String::new()
            } else {
                format!(".{kept:09}")[..=p as usize].to_owned()
            };
            let text =
                format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}{fraction}");
            let (d, t) = read_timestamp(&text).unwrap();
            prop_assert_eq!(d, DateFields { year, month, day });
            prop_assert_eq!(t, TimeFields { hour, minute, second, nanosecond: kept });
        }

        /// Any text is fields or an error naming it, never a panic.
        #[test]
        fn any_text_reads_or_is_an_error(text in "[0-9+\\-: .TZUC/a-z]{0,32}|\\PC{0,16}") {
            for result in [
                read_date(&text).map(drop),
                read_time(&text).map(drop),
                read_timestamp(&text).map(drop),
                read_timestamp_tz(&text, "chrono").map(drop),
            ] {
                if let Err(e) = result {
                    let quoted = format!("{:?}", shorten(&text));
                    prop_assert!(e.message().contains(&quoted), "{}", e);
                }
            }
        }
    }

    fn time(hour: u8, minute: u8, second: u8, nanosecond: u32) -> TimeFields {
        TimeFields {
            hour,
            minute,
            second,
            nanosecond,
        }
    }

    #[test]
    fn fraction_digits_0_to_9_are_nanoseconds() {
        let mut text = String::from("03:04:05");
        assert_eq!(read_time(&text).unwrap(), time(3, 4, 5, 0));
        let mut expected = 0;
        for digit in 1..=9u32 {
            text.push(char::from_digit(digit, 10).unwrap());
            if digit == 1 {
                text.insert(8, '.');
            }
            expected += digit * 10u32.pow(9 - digit);
            assert_eq!(read_time(&text).unwrap().nanosecond, expected, "{text}");
        }
        assert_eq!(expected, 123_456_789);
        let e = read_time("03:04:05.1234567891").unwrap_err();
        assert!(e.message().contains("more than 9"), "{e}");
        assert_eq!(read_time("03:04").unwrap(), time(3, 4, 0, 0));
    }

    #[test]
    fn dates_with_long_and_signed_years() {
        let d = read_date("2014-07-05").unwrap();
        assert_eq!((d.year, d.month, d.day), (2014, 7, 5));
        assert_eq!(read_date("+12345-01-02").unwrap().year, 12345);
        assert_eq!(read_date("-0001-01-02").unwrap().year, -1);
        assert_eq!(read_date("0000-01-02").unwrap().year, 0);
    }

    #[test]
    fn zones_as_offsets_and_names_of_utc() {
        assert_eq!(zone_offset("+05:30"), Some(Ok(5 * 3600 + 30 * 60)));
        assert_eq!(zone_offset("-08:00"), Some(Ok(-8 * 3600)));
        assert_eq!(zone_offset("+05"), Some(Ok(5 * 3600)));
        assert_eq!(zone_offset("UTC"), Some(Ok(0)));
        assert_eq!(zone_offset("Z"), Some(Ok(0)));
        assert_eq!(zone_offset("America/Los_Angeles"), None);
        for bad in [
            "+24:00", "+99:00", "+05:60", "+5:30", "+", "-", "+05:3", "+0530",
        ] {
            assert!(matches!(zone_offset(bad), Some(Err(_))), "{bad}");
        }
    }

    #[test]
    fn a_named_zone_is_an_error_that_points_to_jiff() {
        let e =
            read_timestamp_tz("2001-08-22 03:04:05.321 America/Los_Angeles", "chrono").unwrap_err();
        let m = e.message();
        assert!(
            m.contains("2001-08-22 03:04:05.321 America/Los_Angeles"),
            "{m}"
        );
        assert!(m.contains("chrono") && m.contains("jiff"), "{m}");
    }

    #[test]
    fn text_of_the_wrong_shape_is_an_error_naming_it() {
        for bad in [
            "",
            "2014-7-05",
            "2014-07-5",
            "14-07-05",
            "2014/07/05",
            "2014-07-05 ",
            "1234567890-01-01",
            "x2014-07-05",
            "２０１４-07-05",
        ] {
            let e = read_date(bad).unwrap_err();
            assert!(e.message().contains(&format!("{bad:?}")), "{e}");
        }
        for bad in [
            "",
            "3:04:05",
            "03:04:05.",
            "03:04:05.x",
            "03:04:5",
            "03-04-05",
            "03:04:05 ",
            "03",
            "03:04:",
        ] {
            let e = read_time(bad).unwrap_err();
            assert!(e.message().contains(&format!("{bad:?}")), "{e}");
        }
        for bad in [
            "2024-01-02T03:04:05",
            "2024-01-02  03:04:05",
            "2024-01-02",
            "2024-01-02 03:04:05.1234567890",
        ] {
            let e = read_timestamp(bad).unwrap_err();
            assert!(e.message().contains(&format!("{bad:?}")), "{e}");
        }
        for bad in [
            "2001-08-22 03:04:05.321",
            "2001-08-22 03:04:05.321 +99:00",
            "2001-08-22 03:04:05.321 -1:99999999999",
            "x UTC",
            "UTC",
            "2001-08-22 03:04:05.321 ",
        ] {
            let e = read_timestamp_tz(bad, "time").unwrap_err();
            assert!(e.message().contains(&format!("{bad:?}")), "{e}");
        }
    }
}
