//! `NextToken`s: opaque, tamper-evident positions in a result file (or a listing).
//!
//! A token carries a byte offset and a row number, and a keyed SipHash tag over them and
//! over the query they belong to. The key is drawn at random for each running emulator
//! (std's `RandomState`), so a token cannot be forged, reused for another query, or
//! carried over to another emulator; any such token answers `Malformed nextPageToken`.

use std::fmt::Write as _;
use std::hash::{BuildHasher, Hash, Hasher};

/// A position to continue from: a byte offset in the result file and the number of
/// rows (header included) before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    /// Byte offset of the next record.
    pub(crate) offset: u64,
    /// Records before `offset`.
    pub(crate) row: u64,
}

/// The per-emulator key that signs and checks tokens.
#[derive(Debug, Clone)]
pub(crate) struct TokenKey {
    key: std::hash::RandomState,
}

impl TokenKey {
    /// A fresh random key.
    pub(crate) fn new() -> Self {
        Self {
            key: std::hash::RandomState::new(),
        }
    }

    fn tag(&self, scope: &str, position: Position) -> u64 {
        let mut hasher = self.key.build_hasher();
        "athena-emulator NextToken v1".hash(&mut hasher);
        scope.hash(&mut hasher);
        position.offset.hash(&mut hasher);
        position.row.hash(&mut hasher);
        hasher.finish()
    }

    /// The token for `position` in `scope` (a query id, or a listing's name): 48 hex digits.
    pub(crate) fn encode(&self, scope: &str, position: Position) -> String {
        let mut token = String::with_capacity(48);
        let tag = self.tag(scope, position);
        // The tag also masks the position, so tokens of one query look unrelated.
        let _ = write!(
            token,
            "{:016x}{:016x}{:016x}",
            position.offset ^ tag,
            position.row ^ tag.rotate_left(32),
            tag
        );
        token
    }

    /// The position a token stands for, if it is one this key made for `scope`.
    pub(crate) fn decode(&self, scope: &str, token: &str) -> Option<Position> {
        if token.len() != 48 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let word = |i: usize| u64::from_str_radix(&token[i * 16..(i + 1) * 16], 16).ok();
        let tag = word(2)?;
        let position = Position {
            offset: word(0)? ^ tag,
            row: word(1)? ^ tag.rotate_left(32),
        };
        (self.tag(scope, position) == tag).then_some(position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_decodes_to_its_position() {
        let key = TokenKey::new();
        let position = Position {
            offset: 123_456_789,
            row: 1000,
        };
        let token = key.encode("q1", position);
        assert_eq!(token.len(), 48);
        assert_eq!(key.decode("q1", &token), Some(position));
    }

    #[test]
    fn tokens_are_bound_to_their_query_and_key() {
        let key = TokenKey::new();
        let token = key.encode("q1", Position { offset: 10, row: 1 });
        assert_eq!(key.decode("q2", &token), None);
        assert_eq!(TokenKey::new().decode("q1", &token), None);
    }

    #[test]
    fn any_altered_token_is_rejected() {
        let key = TokenKey::new();
        let token = key.encode(
            "q",
            Position {
                offset: 4096,
                row: 999,
            },
        );
        for i in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            let altered = String::from_utf8(bytes).unwrap();
            assert_eq!(key.decode("q", &altered), None, "digit {i}");
        }
        for bad in [
            "",
            "x",
            "é",
            &token[1..],
            &format!("{token}0"),
            &"g".repeat(48),
        ] {
            assert_eq!(key.decode("q", bad), None);
        }
    }
}
