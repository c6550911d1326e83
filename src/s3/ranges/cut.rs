//! How a file's span is cut into ranges (see [`Cut`]).

/// The shortest range a [`Cut`] makes (unless the chunk size is smaller): below it,
/// a request's first-byte latency is most of its time.
const MIN_RANGE: u64 = 1 << 20;

/// How a span of bytes is cut into ranges: at most `chunk_size` each, a multiple of
/// `in_flight` of them, so that the connections finish together instead of the last
/// range or two running alone (a 143 MB file in 8 MiB ranges, 8 at a time, is 17 full
/// ranges and a scrap: three rounds, the last of two ranges; BENCHMARKS.md, "Read
/// paths"); and, when there are several rounds, the last round's ranges a third of the
/// length the ranges would have if all were alike, where the chunk size leaves room for
/// the earlier rounds to make up for it. The ranges of a round arrive together; those
/// of the earlier rounds are parsed while the next round is on the wire, those of the
/// last round after the last byte has come, so the last round's length is time added
/// to every read (BENCHMARKS.md, "Columns"). Never shorter than [`MIN_RANGE`] or
/// `chunk_size`, whichever is less.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cut {
    /// The length of the ranges before `last_from`.
    len: u64,
    /// Where the last round starts, from the start of the span.
    last_from: u64,
    /// The length of the ranges from `last_from` (the very last one may be shorter).
    last_len: u64,
}

/// The last round's ranges are this fraction of the length the rounds would have if
/// they were all alike; see [`Cut`].
const LAST_ROUND_SHARE: u64 = 3;

impl Cut {
    pub(super) fn of(span: u64, chunk_size: u64, in_flight: u64) -> Cut {
        let ranges = span.div_ceil(chunk_size).max(1).next_multiple_of(in_flight);
        let shortest = chunk_size.min(MIN_RANGE);
        let even = span.div_ceil(ranges).max(shortest);
        let rounds = ranges / in_flight;
        let alike = Cut {
            len: even,
            last_from: span,
            last_len: even,
        };
        // As short as the share, but no shorter than the shortest range.
        let last_len = (even / LAST_ROUND_SHARE).max(shortest);
        if rounds < 2 || last_len >= even {
            return alike;
        }
        // The earlier rounds no longer than a chunk: there are more than `earlier`
        // chunks in the span, so the last round is not empty.
        let earlier = ranges - in_flight;
        let len = span
            .saturating_sub(last_len.saturating_mul(in_flight))
            .div_ceil(earlier)
            .min(chunk_size);
        let last_from = len.saturating_mul(earlier);
        if last_from >= span {
            return alike;
        }
        Cut {
            len,
            last_from,
            last_len: (span - last_from).div_ceil(in_flight).max(shortest),
        }
    }

    /// The length of the range that starts `at` bytes into the span.
    pub(super) fn len_at(&self, at: u64) -> u64 {
        if at < self.last_from {
            self.len
        } else {
            self.last_len
        }
    }

    /// The lengths of the ranges the cut of a span of `span` bytes makes, in order.
    #[cfg(test)]
    pub(super) fn lengths(span: u64, chunk_size: u64, in_flight: u64) -> Vec<u64> {
        let cut = Cut::of(span, chunk_size, in_flight);
        let mut lens = Vec::new();
        let mut at = 0;
        while at < span {
            let len = cut.len_at(at).min(span - at);
            lens.push(len);
            at += len;
        }
        lens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    /// `n` ranges of `len` bytes.
    fn times(n: usize, len: u64) -> Vec<u64> {
        vec![len; n]
    }

    #[test]
    fn ranges_are_cut_to_a_multiple_of_the_connections_and_never_past_the_chunk_size() {
        // 143 MB in 8 MiB chunks is 17 full ranges and a scrap: three rounds of eight,
        // the last a third of the length they would all have if alike (5.97 MB).
        let lens = Cut::lengths(143_371_046, 8 * MIB, 8);
        assert_eq!(lens[..16], times(16, 7_965_059));
        assert_eq!(lens[16..], [times(7, 1_991_263), vec![1_991_261]].concat());
        // 466 MB is 56 ranges either way, just under 8 MiB: the chunk size leaves the
        // last round little shorter.
        let lens = Cut::lengths(465_936_533, 8 * MIB, 8);
        assert_eq!(lens[..48], times(48, 8 * MIB));
        assert_eq!(lens[48..], [times(7, 7_910_419), vec![7_910_416]].concat());
        // A file of one round goes to every connection, down to 1 MiB a range.
        assert_eq!(Cut::lengths(10 * MIB, 8 * MIB, 8), times(8, 10 * MIB / 8));
        assert_eq!(Cut::lengths(3 * MIB, 8 * MIB, 8), times(3, MIB));
        assert_eq!(Cut::lengths(1000, 8 * MIB, 8), [1000]);
        assert_eq!(Cut::lengths(0, 8 * MIB, 8), Vec::<u64>::new());
        // A chunk size under 1 MiB is the range length, as asked.
        assert_eq!(Cut::lengths(10_000, 1000, 3), times(10, 1000));
        assert_eq!(Cut::lengths(10_000, 1, 3), times(10_000, 1));
        for span in [1, 999, MIB + 1, 20 * MIB + 3, 100 * MIB + 7, 1 << 40] {
            for (chunk, in_flight) in [(1, 1), (4096, 3), (MIB, 8), (8 * MIB, 8), (16 * MIB, 64)] {
                if span / chunk > 10_000_000 {
                    continue;
                }
                let lens = Cut::lengths(span, chunk, in_flight);
                let whole = span.div_ceil(chunk) as usize;
                assert!(lens.iter().all(|&len| len <= chunk), "{span} {chunk}");
                assert_eq!(lens.iter().sum::<u64>(), span);
                assert!(lens.len() <= whole.next_multiple_of(in_flight as usize));
                assert!(lens.len() >= whole, "{span} {chunk} {in_flight}");
            }
        }
    }
}
