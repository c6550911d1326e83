//! Ids the engine writes into file names: the engine's own query id in Trino's form
//! (`20190513_152236_00114_n7swu`) and random UUIDs. A leaf: the server numbers its
//! queries with the same formatter, so a query's `.metadata` and the data files it wrote
//! carry the same id.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// The engine's own id of a query run at `at`, in Trino's form
/// (`20190513_152236_00114_n7swu`: UTC date and time, a sequence number, five random
/// letters), as Athena writes it at the top of `.csv.metadata` and at the start of the
/// data files of a write (Trino names them `<query id>_<uuid>`: `HiveWriterFactory`).
/// `sequence` wraps at 100,000 as Trino's counter does.
pub(crate) fn engine_query_id(at: std::time::SystemTime, sequence: u64, random: u64) -> String {
    let seconds = at
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, second_of_day) = (seconds / 86_400, seconds % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let letters: String = (0..5)
        .map(|i| char::from(b'a' + ((random >> (i * 8)) % 26) as u8))
        .collect();
    format!(
        "{year:04}{month:02}{day:02}_{:02}{:02}{:02}_{:05}_{letters}",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60,
        sequence % 100_000
    )
}

/// Random bits, never the same twice within a process (a counter hashed with a
/// per-process random key).
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static KEY: std::sync::OnceLock<std::hash::RandomState> = std::sync::OnceLock::new();
    let mut h = KEY.get_or_init(std::hash::RandomState::new).build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.finish()
}

/// A random UUID in the version 4 layout (`0bd3b4d8-ed44-4d8f-9bd0-7b6b6e0a0a57`).
pub(crate) fn random_uuid() -> String {
    let (hi, lo) = (random_u64(), random_u64());
    let hi = (hi & !0xf000) | 0x4000; // version 4
    let lo = (lo & !(0xc << 60)) | (0x8 << 60); // RFC 4122 variant
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

/// A fresh engine query id for a statement run now outside the server (which numbers
/// its own: see `server/athena/ids.rs`).
pub(crate) fn fresh_engine_query_id() -> String {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    engine_query_id(
        std::time::SystemTime::now(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed),
        random_u64(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_query_ids_have_trinos_form() {
        // 2019-05-13 15:22:36 UTC.
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_557_760_956);
        let id = engine_query_id(at, 114, 0);
        assert_eq!(id, "20190513_152236_00114_aaaaa");
        let id = engine_query_id(std::time::UNIX_EPOCH, 100_001, u64::MAX);
        assert!(id.starts_with("19700101_000000_00001_"), "{id}");
        assert!(id[22..].chars().all(|c| c.is_ascii_lowercase()));
    }

    #[test]
    fn uuids_have_the_version_4_layout_and_do_not_repeat() {
        let (a, b) = (random_uuid(), random_uuid());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }
}
