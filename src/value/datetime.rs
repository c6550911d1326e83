//! Dates, times and timestamps as [`jiff`] types (feature `jiff`).
//!
//! Of the three date-time features (`jiff`, `chrono` with `value::chrono` and
//! `time` with `value::time`), jiff is the one that reads every `timestamp with
//! time zone`: it resolves zones by IANA name (Athena writes names like
//! `America/Los_Angeles`) from the system's tz database without a second crate,
//! where chrono and time read zones given as offsets or UTC only. All three hold
//! nanoseconds (Athena's `timestamp(9)`).
//!
//! `date`, `time` and `timestamp` columns also decode straight into
//! `jiff::civil::Date`, `jiff::civil::Time` and `jiff::civil::DateTime` with
//! [`Row::get`](crate::Row::get) and in structs, since jiff reads Athena's text
//! forms itself. A `timestamp with time zone` needs [`parse_timestamp_tz`], or
//! [`deserialize_zoned`] in a struct:
//!
//! ```
//! use athena_stream::{Row, value::{ColumnInfo, ResultSetMetadata}};
//! use std::sync::Arc;
//!
//! #[derive(serde::Deserialize)]
//! struct Event {
//!     day: jiff::civil::Date,
//!     at: jiff::civil::DateTime,
//!     #[serde(deserialize_with = "athena_stream::value::datetime::deserialize_zoned")]
//!     local: jiff::Zoned,
//! }
//!
//! let columns = Arc::new(ResultSetMetadata::new(vec![
//!     ColumnInfo::new("day", "date"),
//!     ColumnInfo::new("at", "timestamp"),
//!     ColumnInfo::new("local", "timestamp with time zone"),
//! ]));
//! let row = Row::new(columns, 0, vec![
//!     Some("2014-07-05".into()),
//!     Some("2024-01-02 03:04:05.123456789".into()),
//!     Some("2001-08-22 03:04:05.321 America/Los_Angeles".into()),
//! ]);
//! let event: Event = row.deserialize().unwrap();
//! assert_eq!(event.at.subsec_nanosecond(), 123_456_789);
//! assert_eq!(event.local.time_zone().iana_name(), Some("America/Los_Angeles"));
//! assert_eq!(event.local.timestamp().as_millisecond(), 998_474_645_321);
//! ```

use jiff::Zoned;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};

use super::ParseError;

/// Reads a `date` (`2014-07-05`).
pub fn parse_date(text: &str) -> Result<Date, ParseError> {
    text.parse()
        .map_err(|e| ParseError::new(format!("not a date: {e}")))
}

/// Reads a `time` (`03:04:05.123`).
pub fn parse_time(text: &str) -> Result<Time, ParseError> {
    text.parse()
        .map_err(|e| ParseError::new(format!("not a time: {e}")))
}

/// Reads a `timestamp(p)` (`2024-01-02 03:04:05.123`), to the nanosecond.
pub fn parse_timestamp(text: &str) -> Result<DateTime, ParseError> {
    text.parse()
        .map_err(|e| ParseError::new(format!("not a timestamp: {e}")))
}

/// Reads a `timestamp with time zone`
/// (`2001-08-22 03:04:05.321 America/Los_Angeles`, `... UTC`, `... +05:30`).
///
/// The zone is looked up by name in the tz database. A local time that a
/// daylight-saving change makes ambiguous or skips is resolved the way jiff's
/// `compatible` strategy does (the earlier instant for a repeated hour).
pub fn parse_timestamp_tz(text: &str) -> Result<Zoned, ParseError> {
    let (local, zone) = text
        .rsplit_once(' ')
        .ok_or_else(|| ParseError::new("a timestamp with time zone ends with its zone"))?;
    let local = parse_timestamp(local)?;
    let tz = time_zone(zone)?;
    local
        .to_zoned(tz)
        .map_err(|e| ParseError::new(format!("not a time in zone {zone}: {e}")))
}

/// An IANA name (`America/Los_Angeles`, `UTC`) or a fixed offset (`+05:30`).
fn time_zone(zone: &str) -> Result<TimeZone, ParseError> {
    let b = zone.as_bytes();
    if matches!(b.first(), Some(b'+' | b'-')) {
        let sign: i32 = if b[0] == b'-' { -1 } else { 1 };
        let (h, m) = zone[1..].split_once(':').unwrap_or((&zone[1..], "0"));
        // u8 parts: no overflow below, whatever the text (found by fuzzing).
        let bad = || ParseError::new(format!("bad time zone offset {zone}"));
        let h: u8 = h.parse().map_err(|_| bad())?;
        let m: u8 = m.parse().map_err(|_| bad())?;
        let offset = Offset::from_seconds(sign * (i32::from(h) * 3600 + i32::from(m) * 60))
            .map_err(|e| ParseError::new(format!("bad time zone offset {zone}: {e}")))?;
        return Ok(TimeZone::fixed(offset));
    }
    TimeZone::get(zone).map_err(|e| ParseError::new(format!("unknown time zone {zone}: {e}")))
}

/// For `#[serde(deserialize_with = "...")]`: a `timestamp with time zone` column
/// into a `jiff::Zoned`.
pub fn deserialize_zoned<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Zoned, D::Error> {
    let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    parse_timestamp_tz(&text).map_err(serde::de::Error::custom)
}

/// For `#[serde(deserialize_with = "...")]`: a nullable `timestamp with time
/// zone` column into an `Option<jiff::Zoned>` (declare the field
/// `#[serde(default, deserialize_with = "...")]`).
pub fn deserialize_option_zoned<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Zoned>, D::Error> {
    let text = <Option<std::borrow::Cow<'de, str>> as serde::Deserialize>::deserialize(d)?;
    text.map(|t| parse_timestamp_tz(&t).map_err(serde::de::Error::custom))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn athena_texts_read_as_jiff_values() {
        assert_eq!(
            parse_date("2014-07-05").unwrap(),
            jiff::civil::date(2014, 7, 5)
        );
        assert_eq!(
            parse_timestamp("2024-01-02 03:04:05").unwrap(),
            jiff::civil::date(2024, 1, 2).at(3, 4, 5, 0)
        );
        assert_eq!(
            parse_timestamp("2024-01-02 03:04:05.000000001")
                .unwrap()
                .subsec_nanosecond(),
            1
        );
        assert_eq!(
            parse_time("03:04:05.123").unwrap(),
            jiff::civil::time(3, 4, 5, 123_000_000)
        );
        let z = parse_timestamp_tz("2001-08-22 03:04:05.321 UTC").unwrap();
        assert_eq!(z.timestamp().as_millisecond(), 998_449_445_321);
        let z = parse_timestamp_tz("2001-08-22 03:04:05.321 +05:30").unwrap();
        assert_eq!(
            z.timestamp().as_millisecond(),
            998_449_445_321 - 5 * 3_600_000 - 1_800_000
        );
        for bad in [
            "2001-08-22 03:04:05.321",
            "2001-08-22 03:04:05.321 Mars/Olympus",
            "2001-08-22 03:04:05.321 +99:00",
            "2001-08-22 03:04:05.321 +99999999:00",
            "2001-08-22 03:04:05.321 -1:99999999999",
            "x UTC",
        ] {
            assert!(parse_timestamp_tz(bad).is_err(), "{bad}");
        }
        assert!(parse_date("2014-02-30").is_err());
    }
}
