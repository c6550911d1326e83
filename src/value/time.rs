//! Dates, times and timestamps as [`time`] types (feature `time`).
//!
//! | Athena type | time type | in a struct field |
//! |---|---|---|
//! | `date` | [`Date`] | [`deserialize_date`] |
//! | `time(p)` | [`Time`] | [`deserialize_time`] |
//! | `timestamp(p)` | [`PrimitiveDateTime`] | [`deserialize_timestamp`] |
//! | `timestamp(p) with time zone` | [`OffsetDateTime`] | [`deserialize_timestamp_tz`] |
//!
//! Every type goes through these functions (or `parse_*` on a text from
//! [`Row::get_str`](crate::Row::get_str)), each with an `Option` variant for a
//! nullable column (declare the field `#[serde(default, deserialize_with =
//! "...")]`). time's own serde (its feature `serde-human-readable`) is not used: its
//! formats want a fraction of a second, which a `time(0)` or `timestamp(0)` value
//! (`2024-01-02 03:04:05`) does not have, so a field that reads most rows would
//! fail on some. This feature turns on no feature of time at all. Fractions of a
//! second keep every digit up to nanoseconds (`timestamp(9)`); more digits are an
//! error rather than a silently shorter value. Years are time's: -9999 to 9999
//! (time's `large-dates` feature widens them, if you turn it on).
//!
//! # Zones
//!
//! time has no named time zones, so a `timestamp with time zone` reads into an
//! `OffsetDateTime` when its zone is an offset (`+05:30`, `-08:00`) or UTC (`UTC`,
//! `Z`), and is an error when the zone is a name such as `America/Los_Angeles`: a
//! name's offset on a given day is in the tz database, and guessing it would give a
//! wrong instant. The error says so and names the value. Read such columns with
//! feature `jiff` (`value::datetime::deserialize_zoned`, which resolves names from
//! the system's tz database), or give them an offset in SQL:
//! `SELECT ts AT TIME ZONE 'UTC' AS ts ...`.
//!
//! ```
//! use athena_stream::{Row, value::{ColumnInfo, ResultSetMetadata}};
//! use athena_stream::value::time as athena_time;
//! use std::sync::Arc;
//! use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
//!
//! #[derive(serde::Deserialize)]
//! struct Event {
//!     #[serde(deserialize_with = "athena_time::deserialize_date")]
//!     day: Date,
//!     #[serde(deserialize_with = "athena_time::deserialize_time")]
//!     opens: Time,
//!     #[serde(deserialize_with = "athena_time::deserialize_timestamp")]
//!     at: PrimitiveDateTime,
//!     #[serde(deserialize_with = "athena_time::deserialize_timestamp_tz")]
//!     local: OffsetDateTime,
//!     #[serde(default, deserialize_with = "athena_time::deserialize_option_timestamp")]
//!     closed: Option<PrimitiveDateTime>,
//! }
//!
//! let columns = Arc::new(ResultSetMetadata::new(vec![
//!     ColumnInfo::new("day", "date"),
//!     ColumnInfo::new("opens", "time"),
//!     ColumnInfo::new("at", "timestamp"),
//!     ColumnInfo::new("local", "timestamp with time zone"),
//!     ColumnInfo::new("closed", "timestamp"),
//! ]));
//! let row = Row::new(columns, 0, vec![
//!     Some("2014-07-05".into()),
//!     Some("03:04:05".into()),
//!     Some("2024-01-02 03:04:05.123456789".into()),
//!     Some("2001-08-22 03:04:05.321 +05:30".into()),
//!     None,
//! ]);
//! let event: Event = row.deserialize().unwrap();
//! assert_eq!(event.day, Date::from_calendar_date(2014, Month::July, 5).unwrap());
//! assert_eq!(event.opens, Time::from_hms(3, 4, 5).unwrap());
//! assert_eq!(event.at.nanosecond(), 123_456_789);
//! assert_eq!(event.local.offset().whole_minutes(), 5 * 60 + 30);
//! assert_eq!(event.local.unix_timestamp_nanos(), 998_429_645_321_000_000);
//! assert_eq!(event.closed, None);
//!
//! // One value of a row, by column name.
//! let day = athena_time::parse_date(row.get_str("day").unwrap().unwrap()).unwrap();
//! assert_eq!(day.year(), 2014);
//! ```

use ::time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::ParseError;
use super::datetime_fields::{
    DateFields, TimeFields, not_a, read_date, read_time, read_timestamp, read_timestamp_tz,
};

fn date(text: &str, f: DateFields) -> Result<Date, ParseError> {
    let month = Month::try_from(f.month).map_err(|e| not_a("a date", text, e))?;
    Date::from_calendar_date(f.year, month, f.day).map_err(|e| not_a("a date", text, e))
}

fn time(text: &str, f: TimeFields) -> Result<Time, ParseError> {
    Time::from_hms_nano(f.hour, f.minute, f.second, f.nanosecond)
        .map_err(|e| not_a("a time", text, e))
}

/// Reads a `date` (`2014-07-05`).
pub fn parse_date(text: &str) -> Result<Date, ParseError> {
    date(text, read_date(text)?)
}

/// Reads a `time(p)` (`03:04:05.123`), to the nanosecond.
pub fn parse_time(text: &str) -> Result<Time, ParseError> {
    time(text, read_time(text)?)
}

/// Reads a `timestamp(p)` (`2024-01-02 03:04:05.123`), to the nanosecond.
pub fn parse_timestamp(text: &str) -> Result<PrimitiveDateTime, ParseError> {
    let (d, t) = read_timestamp(text)?;
    Ok(PrimitiveDateTime::new(date(text, d)?, time(text, t)?))
}

/// Reads a `timestamp with time zone` whose zone is an offset or UTC
/// (`2001-08-22 03:04:05.321 +05:30`, `... UTC`), keeping that offset.
///
/// A zone given by name (`America/Los_Angeles`) is an error: see
/// [the module's documentation](self#zones).
pub fn parse_timestamp_tz(text: &str) -> Result<OffsetDateTime, ParseError> {
    let (d, t, seconds) = read_timestamp_tz(text, "time")?;
    let offset = UtcOffset::from_whole_seconds(seconds)
        .map_err(|e| not_a("a timestamp with time zone", text, e))?;
    Ok(PrimitiveDateTime::new(date(text, d)?, time(text, t)?).assume_offset(offset))
}

super::datetime_fields::deserializers! {
    "date", "time::Date",
        deserialize_date, deserialize_option_date => parse_date -> Date;
    "time", "time::Time",
        deserialize_time, deserialize_option_time => parse_time -> Time;
    "timestamp", "time::PrimitiveDateTime",
        deserialize_timestamp, deserialize_option_timestamp => parse_timestamp -> PrimitiveDateTime;
    "timestamp with time zone", "time::OffsetDateTime",
        deserialize_timestamp_tz, deserialize_option_timestamp_tz
        => parse_timestamp_tz -> OffsetDateTime;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Error, Row,
        value::{ColumnInfo, ResultSetMetadata},
    };
    use std::sync::Arc;

    fn row(r#type: &str, text: Option<&str>) -> Row {
        let columns = Arc::new(ResultSetMetadata::new(vec![ColumnInfo::new("v", r#type)]));
        Row::new(columns, 7, vec![text.map(str::to_owned)])
    }

    fn ymd(y: i32, m: Month, d: u8) -> Date {
        Date::from_calendar_date(y, m, d).unwrap()
    }

    #[test]
    fn every_type_reads_athena_texts() {
        assert_eq!(parse_date("2014-07-05").unwrap(), ymd(2014, Month::July, 5));
        assert_eq!(parse_date("-0001-12-31").unwrap().year(), -1);
        assert_eq!(
            parse_time("03:04:05.123").unwrap(),
            Time::from_hms_milli(3, 4, 5, 123).unwrap()
        );
        assert_eq!(
            parse_timestamp("2024-01-02 03:04:05").unwrap(),
            PrimitiveDateTime::new(
                ymd(2024, Month::January, 2),
                Time::from_hms(3, 4, 5).unwrap()
            )
        );
        let utc = parse_timestamp_tz("2001-08-22 03:04:05.321 UTC").unwrap();
        assert_eq!(utc.unix_timestamp_nanos(), 998_449_445_321_000_000);
        assert!(utc.offset().is_utc());
        assert_eq!(
            parse_timestamp_tz("2001-08-22 03:04:05.321 Z").unwrap(),
            utc
        );
        let india = parse_timestamp_tz("2001-08-22 03:04:05.321 +05:30").unwrap();
        assert_eq!(
            india.unix_timestamp_nanos(),
            (998_449_445_321 - 19_800_000) * 1_000_000
        );
        assert_eq!(india.offset().whole_seconds(), 19_800);
        // The local date and time are kept as written, with the offset beside them.
        assert_eq!(india.time(), Time::from_hms_milli(3, 4, 5, 321).unwrap());
        let west = parse_timestamp_tz("2001-08-22 03:04:05.321 -08:00").unwrap();
        assert_eq!(
            west.unix_timestamp_nanos(),
            (998_449_445_321 + 8 * 3_600_000) * 1_000_000
        );
    }

    #[test]
    fn fraction_digits_0_to_9_keep_nanoseconds() {
        for n in 0..=9u32 {
            // The first n digits of 123456789, and what they are in nanoseconds.
            let digits = &"123456789"[..n as usize];
            let (fraction, nanos) = if n == 0 {
                (String::new(), 0)
            } else {
                (
                    format!(".{digits}"),
                    digits.parse::<u32>().unwrap() * 10u32.pow(9 - n),
                )
            };
            let t = parse_time(&format!("03:04:05{fraction}")).unwrap();
            assert_eq!(t.nanosecond(), nanos, "time{fraction}");
            let ts = parse_timestamp(&format!("2024-01-02 03:04:05{fraction}")).unwrap();
            assert_eq!(ts.nanosecond(), nanos, "timestamp{fraction}");
            let tz = parse_timestamp_tz(&format!("2024-01-02 03:04:05{fraction} UTC")).unwrap();
            assert_eq!(tz.nanosecond(), nanos, "timestamp with time zone{fraction}");
        }
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Tz {
        #[serde(deserialize_with = "deserialize_timestamp_tz")]
        v: OffsetDateTime,
    }

    #[test]
    fn a_named_zone_is_an_error_pointing_to_jiff() {
        let text = "2001-08-22 03:04:05.321 America/Los_Angeles";
        let e = parse_timestamp_tz(text).unwrap_err();
        assert!(e.message().contains(text), "{e}");
        assert!(e.message().contains("jiff"), "{e}");
        let e = row("timestamp with time zone", Some(text))
            .deserialize::<Tz>()
            .unwrap_err();
        assert!(matches!(e, Error::Decode { .. }), "{e}");
        assert!(e.to_string().contains("America/Los_Angeles"), "{e}");
    }

    #[test]
    fn structs_read_every_type_and_null_into_option() {
        #[derive(serde::Deserialize)]
        struct All {
            #[serde(deserialize_with = "deserialize_date")]
            d: Date,
            #[serde(deserialize_with = "deserialize_time")]
            t: Time,
            #[serde(deserialize_with = "deserialize_timestamp")]
            ts: PrimitiveDateTime,
            #[serde(deserialize_with = "deserialize_timestamp_tz")]
            tz: OffsetDateTime,
            #[serde(default, deserialize_with = "deserialize_option_date")]
            no_d: Option<Date>,
            #[serde(default, deserialize_with = "deserialize_option_time")]
            no_t: Option<Time>,
            #[serde(default, deserialize_with = "deserialize_option_timestamp")]
            no_ts: Option<PrimitiveDateTime>,
            #[serde(default, deserialize_with = "deserialize_option_timestamp_tz")]
            no_tz: Option<OffsetDateTime>,
            #[serde(default, deserialize_with = "deserialize_option_date")]
            some_d: Option<Date>,
        }
        let names = [
            ("d", "date"),
            ("t", "time"),
            ("ts", "timestamp"),
            ("tz", "timestamp with time zone"),
            ("no_d", "date"),
            ("no_t", "time"),
            ("no_ts", "timestamp"),
            ("no_tz", "timestamp with time zone"),
            ("some_d", "date"),
        ];
        let columns = Arc::new(ResultSetMetadata::new(
            names.iter().map(|(n, t)| ColumnInfo::new(*n, *t)).collect(),
        ));
        let texts = [
            Some("2014-07-05"),
            Some("03:04:05.123"),
            Some("2024-01-02 03:04:05.123"),
            Some("2001-08-22 03:04:05.321 UTC"),
            None,
            None,
            None,
            None,
            Some("2014-07-06"),
        ];
        let row = Row::new(columns, 0, texts.map(|t| t.map(str::to_owned)).to_vec());
        let all: All = row.deserialize().unwrap();
        assert_eq!(all.d, ymd(2014, Month::July, 5));
        assert_eq!(all.t.nanosecond(), 123_000_000);
        assert_eq!(
            all.ts,
            PrimitiveDateTime::new(
                ymd(2024, Month::January, 2),
                Time::from_hms_milli(3, 4, 5, 123).unwrap()
            )
        );
        assert_eq!(all.tz.unix_timestamp_nanos(), 998_449_445_321_000_000);
        assert_eq!(
            (all.no_d, all.no_t, all.no_ts, all.no_tz),
            (None, None, None, None)
        );
        assert_eq!(all.some_d, Some(ymd(2014, Month::July, 6)));
    }

    #[test]
    fn bad_text_is_an_error_naming_it() {
        for bad in [
            "2014-02-30",
            "2014-13-01",
            "2014-00-01",
            "+12345-01-02",
            "x",
            "",
        ] {
            let e = parse_date(bad).unwrap_err();
            assert!(e.message().contains(&format!("{bad:?}")), "{e}");
        }
        use crate::value::datetime_fields::refused;
        refused::check(refused::TIMES, parse_time);
        refused::check(refused::TIMESTAMPS, parse_timestamp);
        refused::check(refused::TIMESTAMPS_TZ, parse_timestamp_tz);
        // Through a row: an Error::Decode naming row, column, type and text.
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct D {
            #[serde(deserialize_with = "deserialize_date")]
            v: Date,
        }
        let e = row("date", Some("2014-02-30"))
            .deserialize::<D>()
            .unwrap_err();
        let Error::Decode {
            row_number,
            column,
            text,
            ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(
            (*row_number, column.as_str(), text.as_str()),
            (7, "v", "2014-02-30")
        );
        // NULL into a non-Option field is the usual error, not a panic.
        assert!(row("date", None).deserialize::<D>().is_err());
    }
}
