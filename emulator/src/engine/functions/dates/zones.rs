//! Time zones as Trino names them and computes with them (trino.io, "Date and time
//! functions", time zone conversion): the canonical id of a zone as Trino shows it
//! (`GMT` and `Z` are `UTC`, `-08` is `-08:00`, `Etc/GMT+5` is `-05:00`), and the offset
//! of a zone at an instant or for a local time.
//!
//! Named zones are the IANA database's (chrono-tz, through Arrow's `Tz`), as Trino's are,
//! but for the three-letter fixed zones Java does not have (`EST`, `MST`, `HST`). Trino
//! keys offsets by minute from -14:00 to +14:00; any other offset is not a zone.

use datafusion::arrow::array::temporal_conversions::as_datetime_with_timezone;
use datafusion::arrow::array::timezone::Tz;
use datafusion::arrow::datatypes::TimestampSecondType;

/// Names Trino takes for UTC.
const UTC_EQUIVALENTS: &[&str] = &[
    "GMT",
    "GMT0",
    "GMT+0",
    "GMT-0",
    "Etc/GMT",
    "Etc/GMT0",
    "Etc/GMT+0",
    "Etc/GMT-0",
    "UT",
    "UT+0",
    "UT-0",
    "Etc/UT",
    "Etc/UT+0",
    "Etc/UT-0",
    "UTC",
    "UTC+0",
    "UTC-0",
    "Etc/UTC",
    "Etc/UTC+0",
    "Etc/UTC-0",
    "+0000",
    "+00:00",
    "-0000",
    "-00:00",
    "Z",
    "Zulu",
    "UCT",
    "Greenwich",
    "Universal",
    "Etc/Universal",
    "Etc/UCT",
];

/// Prefixes of legacy offset names (`GMT+7`, `Etc/GMT-3`, `UTC+05:30`), longest first.
const OFFSET_PREFIXES: &[&str] = &["Etc/GMT", "Etc/UTC", "Etc/UT", "GMT", "UTC", "UT"];

/// IANA names that are not zones in Trino (not in Java's database).
const NOT_TRINO_ZONES: &[&str] = &["EST", "MST", "HST", "Factory"];

/// The largest offset Trino has, in minutes.
const MAX_OFFSET_MINUTES: i64 = 14 * 60;

/// Trino's canonical id of a zone (`UTC`, `+05:30`, `America/New_York`), or `None` when
/// Trino does not know it. An empty id is `None` too (callers say so differently).
pub(crate) fn canonical(id: &str) -> Option<String> {
    if id.is_empty() {
        return None;
    }
    if UTC_EQUIVALENTS.contains(&id) {
        return Some("UTC".to_owned());
    }
    if let Some(offset) = legacy_offset(id) {
        return offset;
    }
    if let Some(minutes) = jdk_offset_minutes(id) {
        return minutes.and_then(offset_id);
    }
    if is_named_zone(id) {
        return Some(id.to_owned());
    }
    None
}

/// A zone Trino shows by name: an IANA region or link chrono-tz knows, spelled exactly.
fn is_named_zone(id: &str) -> bool {
    if NOT_TRINO_ZONES.contains(&id) || id.starts_with(['+', '-']) {
        return false;
    }
    id.parse::<Tz>().is_ok()
}

/// `GMT+7`, `UTC-05:30`, `Etc/GMT+5` (whose sign is reversed): `Some(Some(id))` for a
/// zone, `Some(None)` for a name of this form that is not one, `None` for other names.
fn legacy_offset(id: &str) -> Option<Option<String>> {
    let prefix = OFFSET_PREFIXES.iter().find(|p| id.starts_with(*p))?;
    let rest = &id[prefix.len()..];
    let sign = match rest.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        // `GMT7` and the like are not offsets; the name may still be a zone (`GMT0` was
        // taken above, `UTC` itself too).
        _ => return None,
    };
    let digits = &rest[1..];
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        // `GMT+0530` goes to Java's rules, as in Trino.
        None if digits.len() <= 2 => (digits, "0"),
        None => return None,
    };
    let (Some(hours), Some(minutes)) = (small_number(hours), small_number(minutes)) else {
        return Some(None);
    };
    let mut total = sign * (hours * 60 + minutes);
    if *prefix == "Etc/GMT" {
        // POSIX style: Etc/GMT+5 is five hours west of Greenwich.
        total = -total;
    }
    if total == 0 {
        return Some(Some("UTC".to_owned()));
    }
    if minutes >= 60 {
        return Some(None);
    }
    Some(offset_id(total))
}

/// Java's `ZoneId.of` offsets: `+h`, `+hh`, `+hh:mm`, `+hhmm`, `+hh:mm:ss`, `+hhmmss`.
/// `Some(Some(minutes))` for an offset Trino can key, `Some(None)` for an offset it
/// cannot (seconds, beyond ±18:00), `None` for anything else.
fn jdk_offset_minutes(id: &str) -> Option<Option<i64>> {
    let sign = match id.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return None,
    };
    let body = &id[1..];
    if !body.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let (h, m, s) = match body.len() {
        1 | 2 if !body.contains(':') => (body, "0", "0"),
        4 if !body.contains(':') => (&body[..2], &body[2..], "0"),
        5 if body.as_bytes()[2] == b':' => (&body[..2], &body[3..], "0"),
        6 if !body.contains(':') => (&body[..2], &body[2..4], &body[4..]),
        8 if body.as_bytes()[2] == b':' && body.as_bytes()[5] == b':' => {
            (&body[..2], &body[3..5], &body[6..])
        }
        _ => return None,
    };
    let (Some(h), Some(m), Some(s)) = (small_number(h), small_number(m), small_number(s)) else {
        return None;
    };
    if h > 18 || m > 59 || s > 59 {
        return None;
    }
    if s != 0 {
        return Some(None);
    }
    Some(Some(sign * (h * 60 + m)))
}

fn small_number(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `+05:30` for 330 minutes, `UTC` for 0, `None` beyond Trino's ±14:00.
pub(crate) fn offset_id(minutes: i64) -> Option<String> {
    if minutes == 0 {
        return Some("UTC".to_owned());
    }
    if minutes.abs() > MAX_OFFSET_MINUTES {
        return None;
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    Some(format!("{sign}{:02}:{:02}", m / 60, m % 60))
}

/// A zone to compute with: a fixed offset or a named zone's rules.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Zone {
    /// Seconds east of UTC, always.
    Fixed(i64),
    /// An IANA zone.
    Named(Tz),
}

/// What a local time is in a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Local {
    /// One instant (UTC seconds).
    Single(i64),
    /// Two: the clocks went back; the earlier instant first.
    Twice(i64, i64),
    /// None: the clocks jumped over it; the instant the local time names when the jump
    /// is ignored (it lies after the jump, as Java shifts a local time in a gap).
    Skipped(i64),
}

impl Local {
    /// The instant Trino takes for a local time: the earlier of two, a skipped time
    /// shifted forward.
    pub(crate) fn earlier(self) -> i64 {
        match self {
            Local::Single(u) | Local::Twice(u, _) | Local::Skipped(u) => u,
        }
    }
}

impl Zone {
    /// The zone of a canonical id (as Arrow's type holds it). `None` for an id no zone
    /// has, which `canonical` never gives.
    pub(crate) fn of(id: &str) -> Option<Zone> {
        if id == "UTC" {
            return Some(Zone::Fixed(0));
        }
        if let Some(Some(minutes)) = jdk_offset_minutes(id) {
            return Some(Zone::Fixed(minutes * 60));
        }
        id.parse::<Tz>().ok().map(Zone::Named)
    }

    /// Seconds east of UTC at the instant `utc_seconds`.
    pub(crate) fn offset_at(&self, utc_seconds: i64) -> i64 {
        match self {
            Zone::Fixed(s) => *s,
            Zone::Named(tz) => as_datetime_with_timezone::<TimestampSecondType>(utc_seconds, *tz)
                .map_or(0, |local| {
                    local.naive_local().and_utc().timestamp() - utc_seconds
                }),
        }
    }

    /// The instant(s) of a local time (seconds since 1970-01-01 00:00:00 local).
    pub(crate) fn local_to_utc(&self, local_seconds: i64) -> Local {
        let Zone::Named(_) = self else {
            return Local::Single(local_seconds - self.offset_at(local_seconds));
        };
        // The offsets in force around the local time: a day before and after covers any
        // transition (none are closer than that).
        let before = self.offset_at(local_seconds - 86_400);
        let after = self.offset_at(local_seconds + 86_400);
        let mut valid: Vec<i64> = [before, after]
            .iter()
            .map(|o| local_seconds - o)
            .filter(|u| local_seconds - self.offset_at(*u) == *u)
            .collect();
        valid.sort_unstable();
        valid.dedup();
        match valid.as_slice() {
            [u] => Local::Single(*u),
            [a, b, ..] => Local::Twice(*a, *b),
            [] => Local::Skipped(local_seconds - before),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_ids_are_trinos() {
        let c = |id: &str| canonical(id);
        assert_eq!(c("UTC").as_deref(), Some("UTC"));
        assert_eq!(c("Z").as_deref(), Some("UTC"));
        assert_eq!(c("GMT").as_deref(), Some("UTC"));
        assert_eq!(c("Etc/UTC").as_deref(), Some("UTC"));
        assert_eq!(c("-00:00").as_deref(), Some("UTC"));
        assert_eq!(c("+05:30").as_deref(), Some("+05:30"));
        assert_eq!(c("+0530").as_deref(), Some("+05:30"));
        assert_eq!(c("-08").as_deref(), Some("-08:00"));
        assert_eq!(c("+5").as_deref(), Some("+05:00"));
        assert_eq!(c("+05:30:00").as_deref(), Some("+05:30"));
        assert_eq!(c("GMT+5").as_deref(), Some("+05:00"));
        assert_eq!(c("UTC+05:00").as_deref(), Some("+05:00"));
        assert_eq!(c("Etc/GMT+5").as_deref(), Some("-05:00"));
        assert_eq!(c("Etc/GMT-3").as_deref(), Some("+03:00"));
        assert_eq!(c("America/New_York").as_deref(), Some("America/New_York"));
        assert_eq!(c("Asia/Calcutta").as_deref(), Some("Asia/Calcutta"));
        assert_eq!(c("US/Pacific").as_deref(), Some("US/Pacific"));
        assert_eq!(c("+14:00").as_deref(), Some("+14:00"));
        for bad in [
            "",
            "utc",
            "etc/utc",
            "europe/paris",
            "EST",
            "+15:00",
            "Mars/Olympus",
            " UTC",
            "+05:30:15",
        ] {
            assert_eq!(c(bad), None, "{bad}");
        }
    }

    #[test]
    fn offsets_follow_the_rules() {
        let ny = Zone::of("America/New_York").unwrap();
        // 2024-01-02 00:00 UTC: EST.
        assert_eq!(ny.offset_at(1_704_153_600), -5 * 3600);
        // 2024-07-02 00:00 UTC: EDT.
        assert_eq!(ny.offset_at(1_719_878_400), -4 * 3600);
        assert_eq!(Zone::of("+05:30").unwrap().offset_at(0), 19_800);
        // 2024-03-10 02:30 local does not exist; 01:30 on 2024-11-03 exists twice.
        let gap = 1_710_037_800; // 2024-03-10 02:30 as local seconds
        assert_eq!(ny.local_to_utc(gap), Local::Skipped(gap + 5 * 3600));
        let twice = 1_730_597_400; // 2024-11-03 01:30
        assert_eq!(
            ny.local_to_utc(twice),
            Local::Twice(twice + 4 * 3600, twice + 5 * 3600)
        );
        assert_eq!(ny.local_to_utc(0), Local::Single(5 * 3600));
    }
}
