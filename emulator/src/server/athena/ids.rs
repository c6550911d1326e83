//! Query and request ids: random-looking UUIDs (version 4 layout), never repeated within
//! a process.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::engine::engine_query_id;

/// Makes query and request ids: random-looking UUIDs (version 4 layout), never repeated
/// within a process.
#[derive(Debug)]
pub(crate) struct IdGenerator {
    key: std::hash::RandomState,
    counter: AtomicU64,
    /// Numbers the engine query ids, as Trino numbers the queries it runs.
    engine_counter: AtomicU64,
}

impl IdGenerator {
    pub(crate) fn new() -> Self {
        Self {
            key: std::hash::RandomState::new(),
            counter: AtomicU64::new(0),
            engine_counter: AtomicU64::new(0),
        }
    }

    /// A fresh engine query id for a query run now, in Trino's form (see
    /// `engine/query_ids.rs`).
    pub(crate) fn next_engine_query_id(&self) -> String {
        let n = self.engine_counter.fetch_add(1, Ordering::Relaxed);
        let mut h = self.key.build_hasher();
        h.write_u64(n);
        h.write_u64(3);
        engine_query_id(std::time::SystemTime::now(), n, h.finish())
    }

    pub(crate) fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let word = |salt: u64| {
            let mut h = self.key.build_hasher();
            h.write_u64(n);
            h.write_u64(salt);
            h.finish()
        };
        let (hi, lo) = (word(1), word(2));
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_uuids_and_do_not_repeat() {
        let ids = IdGenerator::new();
        let a = ids.next();
        let b = ids.next();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }
}
