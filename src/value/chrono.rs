//! Dates, times and timestamps as [`chrono`] types (feature `chrono`).
//!
//! | Athena type | chrono type | in a struct field |
//! |---|---|---|
//! | `date` | [`NaiveDate`] | as it is, or [`deserialize_date`] |
//! | `time(p)` | [`NaiveTime`] | as it is, or [`deserialize_time`] |
//! | `timestamp(p)` | [`NaiveDateTime`] | [`deserialize_timestamp`] |
//! | `timestamp(p) with time zone` | [`DateTime<FixedOffset>`] | [`deserialize_timestamp_tz`] |
//!
//! `NaiveDate` and `NaiveTime` also decode as they are, with
//! [`Row::get`](crate::Row::get) and in structs, since chrono's own serde reads
//! Athena's `date` and `time` texts (this feature turns on chrono's `serde`).
//! chrono's `NaiveDateTime` wants a `T` between date and time where Athena writes
//! a space, so a `timestamp` needs [`parse_timestamp`], or [`deserialize_timestamp`]
//! in a struct; a `timestamp with time zone` likewise. Each has an `Option` variant
//! for a nullable column (declare the field `#[serde(default, deserialize_with =
//! "...")]`). Fractions of a second keep every digit up to nanoseconds
//! (`timestamp(9)`); more digits are an error rather than a silently shorter value.
//!
//! # Zones
//!
//! chrono has no named time zones without the chrono-tz crate, so a `timestamp
//! with time zone` reads into a `DateTime<FixedOffset>` when its zone is an offset
//! (`+05:30`, `-08:00`) or UTC (`UTC`, `Z`), and is an error when the zone is a
//! name such as `America/Los_Angeles`: a name's offset on a given day is in the tz
//! database, and guessing it would give a wrong instant. The error says so and
//! names the value. Read such columns with feature `jiff`
//! (`value::datetime::deserialize_zoned`, which resolves names from the system's
//! tz database), or give them an offset in SQL:
//! `SELECT ts AT TIME ZONE 'UTC' AS ts ...`.
//!
//! ```
//! use athena_stream::{Row, value::{ColumnInfo, ResultSetMetadata}};
//! use athena_stream::value::chrono as athena_chrono;
//! use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
//! use std::sync::Arc;
//!
//! #[derive(serde::Deserialize)]
//! struct Event {
//!     day: NaiveDate,
//!     opens: NaiveTime,
//!     #[serde(deserialize_with = "athena_chrono::deserialize_timestamp")]
//!     at: NaiveDateTime,
//!     #[serde(deserialize_with = "athena_chrono::deserialize_timestamp_tz")]
//!     local: DateTime<FixedOffset>,
//!     #[serde(default, deserialize_with = "athena_chrono::deserialize_option_timestamp")]
//!     closed: Option<NaiveDateTime>,
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
//!     Some("03:04:05.123".into()),
//!     Some("2024-01-02 03:04:05.123456789".into()),
//!     Some("2001-08-22 03:04:05.321 +05:30".into()),
//!     None,
//! ]);
//! let event: Event = row.deserialize().unwrap();
//! assert_eq!(event.day, NaiveDate::from_ymd_opt(2014, 7, 5).unwrap());
//! assert_eq!(event.opens.nanosecond(), 123_000_000);
//! assert_eq!(event.at.nanosecond(), 123_456_789);
//! assert_eq!(event.local.offset().local_minus_utc(), 5 * 3600 + 30 * 60);
//! assert_eq!(event.local.timestamp_millis(), 998_429_645_321);
//! assert_eq!(event.closed, None);
//!
//! // Row::get reads a date or a time as it is; a timestamp through parse_timestamp.
//! let day: NaiveDate = row.get("day").unwrap();
//! let at = athena_chrono::parse_timestamp(row.get_str("at").unwrap().unwrap()).unwrap();
//! assert_eq!(at.date(), NaiveDate::from_ymd_opt(2024, 1, 2).unwrap());
//! # let _ = day;
//! ```

use ::chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

use super::ParseError;
use super::datetime_fields::{
    DateFields, TimeFields, not_a, read_date, read_time, read_timestamp, read_timestamp_tz,
};

fn date(text: &str, f: DateFields) -> Result<NaiveDate, ParseError> {
    NaiveDate::from_ymd_opt(f.year, f.month.into(), f.day.into()).ok_or_else(|| {
        not_a(
            "a date",
            text,
            "no such day, or a year chrono does not hold",
        )
    })
}

fn time(text: &str, f: TimeFields) -> Result<NaiveTime, ParseError> {
    NaiveTime::from_hms_nano_opt(
        f.hour.into(),
        f.minute.into(),
        f.second.into(),
        f.nanosecond,
    )
    .ok_or_else(|| not_a("a time", text, "no such time of day"))
}

/// Reads a `date` (`2014-07-05`).
pub fn parse_date(text: &str) -> Result<NaiveDate, ParseError> {
    date(text, read_date(text)?)
}

/// Reads a `time(p)` (`03:04:05.123`), to the nanosecond.
pub fn parse_time(text: &str) -> Result<NaiveTime, ParseError> {
    time(text, read_time(text)?)
}

/// Reads a `timestamp(p)` (`2024-01-02 03:04:05.123`), to the nanosecond.
pub fn parse_timestamp(text: &str) -> Result<NaiveDateTime, ParseError> {
    let (d, t) = read_timestamp(text)?;
    Ok(date(text, d)?.and_time(time(text, t)?))
}

/// Reads a `timestamp with time zone` whose zone is an offset or UTC
/// (`2001-08-22 03:04:05.321 +05:30`, `... UTC`), keeping that offset.
///
/// A zone given by name (`America/Los_Angeles`) is an error: see
/// [the module's documentation](self#zones).
pub fn parse_timestamp_tz(text: &str) -> Result<DateTime<FixedOffset>, ParseError> {
    let (d, t, seconds) = read_timestamp_tz(text, "chrono")?;
    let local = date(text, d)?.and_time(time(text, t)?);
    let what = "a timestamp with time zone";
    let offset = FixedOffset::east_opt(seconds)
        .ok_or_else(|| not_a(what, text, "an offset chrono does not hold"))?;
    // A fixed offset maps each local time to exactly one instant; `single` is
    // `None` only at the ends of chrono's range.
    offset
        .from_local_datetime(&local)
        .single()
        .ok_or_else(|| not_a(what, text, "out of chrono's range"))
}

super::datetime_fields::deserializers! {
    "date", "chrono::NaiveDate",
        deserialize_date, deserialize_option_date => parse_date -> NaiveDate;
    "time", "chrono::NaiveTime",
        deserialize_time, deserialize_option_time => parse_time -> NaiveTime;
    "timestamp", "chrono::NaiveDateTime",
        deserialize_timestamp, deserialize_option_timestamp => parse_timestamp -> NaiveDateTime;
    "timestamp with time zone", "chrono::DateTime<chrono::FixedOffset>",
        deserialize_timestamp_tz, deserialize_option_timestamp_tz
        => parse_timestamp_tz -> DateTime<FixedOffset>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Error, Row,
        value::{ColumnInfo, ResultSetMetadata},
    };
    use ::chrono::{Datelike, Timelike};
    use std::sync::Arc;

    fn row(r#type: &str, text: Option<&str>) -> Row {
        let columns = Arc::new(ResultSetMetadata::new(vec![ColumnInfo::new("v", r#type)]));
        Row::new(columns, 7, vec![text.map(str::to_owned)])
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_type_reads_athena_texts() {
        assert_eq!(parse_date("2014-07-05").unwrap(), ymd(2014, 7, 5));
        assert_eq!(parse_date("+12345-01-02").unwrap().year(), 12345);
        assert_eq!(parse_date("-0001-12-31").unwrap().year(), -1);
        assert_eq!(
            parse_time("03:04:05.123").unwrap(),
            NaiveTime::from_hms_milli_opt(3, 4, 5, 123).unwrap()
        );
        assert_eq!(
            parse_timestamp("2024-01-02 03:04:05").unwrap(),
            ymd(2024, 1, 2).and_hms_opt(3, 4, 5).unwrap()
        );
        let utc = parse_timestamp_tz("2001-08-22 03:04:05.321 UTC").unwrap();
        assert_eq!(utc.timestamp_millis(), 998_449_445_321);
        assert_eq!(utc.offset().local_minus_utc(), 0);
        let z = parse_timestamp_tz("2001-08-22 03:04:05.321 Z").unwrap();
        assert_eq!(z, utc);
        let india = parse_timestamp_tz("2001-08-22 03:04:05.321 +05:30").unwrap();
        assert_eq!(india.timestamp_millis(), 998_449_445_321 - 19_800_000);
        assert_eq!(india.offset().local_minus_utc(), 19_800);
        assert_eq!(india.naive_local(), utc.naive_utc());
        let west = parse_timestamp_tz("2001-08-22 03:04:05.321 -08:00").unwrap();
        assert_eq!(west.timestamp_millis(), 998_449_445_321 + 8 * 3_600_000);
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
            // chrono's own serde reads a time with any of these fractions too.
            let plain: NaiveTime = row("time", Some(&format!("03:04:05{fraction}")))
                .get(0)
                .unwrap();
            assert_eq!(plain, t);
        }
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

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Tz {
        #[serde(deserialize_with = "deserialize_timestamp_tz")]
        v: DateTime<FixedOffset>,
    }

    #[test]
    fn structs_read_every_type_and_null_into_option() {
        #[derive(serde::Deserialize)]
        struct All {
            #[serde(deserialize_with = "deserialize_date")]
            d: NaiveDate,
            plain_d: NaiveDate,
            #[serde(deserialize_with = "deserialize_time")]
            t: NaiveTime,
            plain_t: NaiveTime,
            #[serde(deserialize_with = "deserialize_timestamp")]
            ts: NaiveDateTime,
            #[serde(deserialize_with = "deserialize_timestamp_tz")]
            tz: DateTime<FixedOffset>,
            #[serde(default, deserialize_with = "deserialize_option_date")]
            no_d: Option<NaiveDate>,
            #[serde(default, deserialize_with = "deserialize_option_time")]
            no_t: Option<NaiveTime>,
            #[serde(default, deserialize_with = "deserialize_option_timestamp")]
            no_ts: Option<NaiveDateTime>,
            #[serde(default, deserialize_with = "deserialize_option_timestamp_tz")]
            no_tz: Option<DateTime<FixedOffset>>,
            #[serde(default, deserialize_with = "deserialize_option_timestamp_tz")]
            some_tz: Option<DateTime<FixedOffset>>,
            plain_none: Option<NaiveDate>,
        }
        let names = [
            ("d", "date"),
            ("plain_d", "date"),
            ("t", "time"),
            ("plain_t", "time"),
            ("ts", "timestamp"),
            ("tz", "timestamp with time zone"),
            ("no_d", "date"),
            ("no_t", "time"),
            ("no_ts", "timestamp"),
            ("no_tz", "timestamp with time zone"),
            ("some_tz", "timestamp with time zone"),
            ("plain_none", "date"),
        ];
        let columns = Arc::new(ResultSetMetadata::new(
            names.iter().map(|(n, t)| ColumnInfo::new(*n, *t)).collect(),
        ));
        let texts = [
            Some("2014-07-05"),
            Some("2014-07-05"),
            Some("03:04:05.123"),
            Some("03:04:05.123"),
            Some("2024-01-02 03:04:05.123"),
            Some("2001-08-22 03:04:05.321 UTC"),
            None,
            None,
            None,
            None,
            Some("2001-08-22 03:04:05.321 -08:00"),
            None,
        ];
        let row = Row::new(columns, 0, texts.map(|t| t.map(str::to_owned)).to_vec());
        let all: All = row.deserialize().unwrap();
        assert_eq!(all.d, ymd(2014, 7, 5));
        assert_eq!(all.plain_d, all.d);
        assert_eq!(all.t.nanosecond(), 123_000_000);
        assert_eq!(all.plain_t, all.t);
        assert_eq!(
            all.ts,
            ymd(2024, 1, 2).and_hms_milli_opt(3, 4, 5, 123).unwrap()
        );
        assert_eq!(all.tz.timestamp_millis(), 998_449_445_321);
        assert_eq!(
            (all.no_d, all.no_t, all.no_ts, all.no_tz, all.plain_none),
            (None, None, None, None, None)
        );
        assert_eq!(all.some_tz.unwrap().offset().local_minus_utc(), -8 * 3600);
    }

    #[test]
    fn bad_text_is_an_error_naming_it() {
        for bad in ["2014-02-30", "2014-13-01", "2014-07-5", "x", ""] {
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
        struct Ts {
            #[serde(deserialize_with = "deserialize_timestamp")]
            v: NaiveDateTime,
        }
        let e = row("timestamp", Some("2024-01-02 03:04:05.x"))
            .deserialize::<Ts>()
            .unwrap_err();
        let Error::Decode {
            row_number, text, ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!((*row_number, text.as_str()), (7, "2024-01-02 03:04:05.x"));
        // NULL into a non-Option field is the usual error, not a panic.
        assert!(row("timestamp", None).deserialize::<Ts>().is_err());
        // chrono's own serde for NaiveDateTime does not read Athena's text (it wants a
        // `T`): the error that the module's documentation warns about.
        assert!(
            row("timestamp", Some("2024-01-02 03:04:05"))
                .get::<NaiveDateTime>(0)
                .is_err()
        );
        let plain_bad: Result<NaiveDate, _> = row("date", Some("2014-02-30")).get(0);
        assert!(plain_bad.unwrap_err().to_string().contains("2014-02-30"));
    }
}
