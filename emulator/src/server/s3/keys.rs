//! Buckets and keys as paths of the data dir (`s3://bucket/key` is `DIR/bucket/key`),
//! the keys the mapping refuses, and the listing of a bucket's keys.
//!
//! S3 keys are opaque strings; files are not. The mapping is exact only for keys whose
//! `/`-separated segments are real names, so the rest is refused rather than mapped to
//! some other file:
//!
//! - a `.` or `..` segment answers `AccessDenied`: `..` would climb out of the bucket
//!   (and `.` aliases its parent), and AccessDenied is what S3 answers a caller who asks
//!   for something it may not reach, without saying whether it exists;
//! - an empty segment (a key starting or ending with `/`, or holding `//`) or a NUL byte
//!   answers `InvalidArgument`: `a//b` would be the file `a/b`, and a key ending in `/`
//!   would be a folder, not a file;
//! - a key longer than S3's 1,024 bytes, or a segment longer than a file name may be,
//!   answers `KeyTooLongError`, S3's own answer for a key too long;
//! - a path that a symlink leads out of the data dir answers `AccessDenied` (checked on
//!   the resolved path by [`DataDir::contains`](crate::server::data_dir::DataDir)).

use std::path::{Path, PathBuf};

use s3s::{S3Error, S3ErrorCode, S3Result};

/// S3's longest key, in bytes of UTF-8.
const MAX_KEY_BYTES: usize = 1024;
/// The longest file name on common file systems (ext4, APFS, NTFS count 255).
const MAX_SEGMENT_BYTES: usize = 255;

fn error(code: S3ErrorCode, message: impl Into<String>) -> S3Error {
    S3Error::with_message(code, message.into())
}

pub(super) fn access_denied() -> S3Error {
    error(S3ErrorCode::AccessDenied, "Access Denied")
}

/// `DIR/bucket`, for a bucket name s3s has already checked against S3's naming rules
/// (3-63 characters of lower-case letters, digits, `.` and `-`, starting and ending with
/// a letter or digit), so it is never `.`, `..` or hidden.
pub(super) fn bucket_path(root: &Path, bucket: &str) -> S3Result<PathBuf> {
    if bucket.is_empty() || bucket.starts_with('.') || bucket.contains(['/', '\\', '\0']) {
        return Err(error(
            S3ErrorCode::InvalidBucketName,
            "The specified bucket is not valid.",
        ));
    }
    Ok(root.join(bucket))
}

/// `DIR/bucket/key`, or S3's error for a key the mapping refuses (see the module doc).
pub(super) fn object_path(root: &Path, bucket: &str, key: &str) -> S3Result<PathBuf> {
    let mut path = bucket_path(root, bucket)?;
    if key.len() > MAX_KEY_BYTES {
        return Err(error(S3ErrorCode::KeyTooLongError, "Your key is too long"));
    }
    if key.is_empty() {
        return Err(error(
            S3ErrorCode::InvalidArgument,
            "The emulator stores objects as files: the key must not be empty",
        ));
    }
    for segment in key.split('/') {
        match segment {
            "." | ".." => return Err(access_denied()),
            "" => {
                return Err(error(
                    S3ErrorCode::InvalidArgument,
                    format!(
                        "The emulator stores objects as files: the key {key:?} has an empty \
                         path segment (it starts or ends with '/', or holds '//')"
                    ),
                ));
            }
            s if s.contains('\0') => {
                return Err(error(
                    S3ErrorCode::InvalidArgument,
                    "The emulator stores objects as files: the key must not hold a NUL byte",
                ));
            }
            s if s.len() > MAX_SEGMENT_BYTES => {
                return Err(error(
                    S3ErrorCode::KeyTooLongError,
                    format!(
                        "Your key is too long: the emulator stores objects as files, and a \
                         segment between '/' may have at most {MAX_SEGMENT_BYTES} bytes"
                    ),
                ));
            }
            s => path.push(s),
        }
    }
    Ok(path)
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Listed {
    pub(super) key: String,
    pub(super) path: PathBuf,
}

/// Every key of the bucket at `bucket_dir` that starts with `prefix`, sorted by bytes
/// (S3's order). Only the folder the prefix names is walked; symlinks are not followed
/// (what they lead to is checked when the object is read); names that are not UTF-8
/// cannot be keys and are skipped. Blocking.
pub(super) fn list_keys(bucket_dir: &Path, prefix: &str) -> std::io::Result<Vec<Listed>> {
    let (folder, _) = prefix.rsplit_once('/').unwrap_or(("", prefix));
    let mut start = bucket_dir.to_path_buf();
    for segment in folder.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." {
            return Ok(Vec::new());
        }
        start.push(segment);
    }
    let mut found = Vec::new();
    let mut pending = vec![(start, folder.to_owned())];
    while let Some((dir, dir_key)) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                tracing::warn!(path = %entry.path().display(), "not UTF-8: not listed");
                continue;
            };
            let key = if dir_key.is_empty() {
                name
            } else {
                format!("{dir_key}/{name}")
            };
            let file_type = entry.file_type()?;
            if file_type.is_dir() {
                // Only folders that can hold keys under the prefix.
                let as_prefix = format!("{key}/");
                if as_prefix.starts_with(prefix) || prefix.starts_with(&as_prefix) {
                    pending.push((entry.path(), key));
                }
            } else if (file_type.is_file() || file_type.is_symlink()) && key.starts_with(prefix) {
                found.push(Listed {
                    key,
                    path: entry.path(),
                });
            }
        }
    }
    found.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(found)
}

/// A listing entry after grouping by a delimiter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Entry<'a> {
    Object(&'a Listed),
    CommonPrefix(String),
}

impl Entry<'_> {
    /// The key the continuation token of a page ending here carries.
    pub(super) fn key(&self) -> &str {
        match self {
            Entry::Object(listed) => &listed.key,
            Entry::CommonPrefix(prefix) => prefix,
        }
    }
}

/// Groups sorted keys by `delimiter` after `prefix`, as ListObjectsV2 does: keys with
/// the delimiter after the prefix roll up into one common prefix each.
pub(super) fn group<'a>(
    listed: &'a [Listed],
    prefix: &str,
    delimiter: Option<&str>,
) -> Vec<Entry<'a>> {
    let mut entries: Vec<Entry<'a>> = Vec::new();
    for item in listed {
        let rest = &item.key[prefix.len()..];
        match delimiter.filter(|d| !d.is_empty()).and_then(|d| {
            rest.find(d)
                .map(|at| format!("{prefix}{}", &rest[..at + d.len()]))
        }) {
            Some(common) => {
                if !matches!(entries.last(), Some(Entry::CommonPrefix(p)) if *p == common) {
                    entries.push(Entry::CommonPrefix(common));
                }
            }
            None => entries.push(Entry::Object(item)),
        }
    }
    entries
}

/// `application/x-www-form-urlencoded` encoding of a key, what ListObjectsV2 answers with
/// `encoding-type=url` (clients decode it with `unquote_plus`).
pub(super) fn url_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
    out
}

/// A continuation token: the last key of the page, hex-encoded (opaque to clients, as
/// S3's are).
pub(super) fn continuation_token(last_key: &str) -> String {
    use std::fmt::Write;
    let mut token = String::with_capacity(2 + last_key.len() * 2);
    token.push_str("1-");
    for b in last_key.as_bytes() {
        let _ = write!(token, "{b:02x}");
    }
    token
}

/// The key a continuation token carries, or S3's error for a token it did not make.
pub(super) fn after_token(token: &str) -> S3Result<String> {
    let invalid = || {
        error(
            S3ErrorCode::InvalidArgument,
            "The continuation token provided is incorrect",
        )
    };
    let hex = token.strip_prefix("1-").ok_or_else(invalid)?;
    if hex.len() % 2 != 0 {
        return Err(invalid());
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(hex.get(i..i + 2).ok_or_else(invalid)?, 16).map_err(|_| invalid())
        })
        .collect::<S3Result<Vec<u8>>>()?;
    String::from_utf8(bytes).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: S3Result<PathBuf>) -> String {
        result.unwrap_err().code().as_str().to_owned()
    }

    #[test]
    fn keys_map_to_files_of_the_bucket() {
        let root = Path::new("/data");
        assert_eq!(
            object_path(root, "bucket", "a/b/c.csv").unwrap(),
            PathBuf::from("/data/bucket/a/b/c.csv")
        );
        assert_eq!(
            object_path(root, "bucket", "with space/é+%.txt").unwrap(),
            PathBuf::from("/data/bucket/with space/é+%.txt")
        );
    }

    #[test]
    fn keys_that_would_leave_the_bucket_or_alias_another_are_refused() {
        let root = Path::new("/data");
        for key in ["..", "../x", "a/../../etc/passwd", "a/./b", "./a"] {
            assert_eq!(code(object_path(root, "b", key)), "AccessDenied", "{key}");
        }
        for key in ["/etc/passwd", "a//b", "folder/", "", "a\0b"] {
            assert_eq!(
                code(object_path(root, "b", key)),
                "InvalidArgument",
                "{key:?}"
            );
        }
        assert_eq!(
            code(object_path(root, "b", &"k".repeat(1025))),
            "KeyTooLongError"
        );
        assert_eq!(
            code(object_path(root, "b", &"k".repeat(256))),
            "KeyTooLongError"
        );
        assert!(object_path(root, "b", "k/".repeat(500).trim_end_matches('/')).is_ok());
        for bucket in ["..", ".hidden", "a/b", ""] {
            assert_eq!(code(object_path(root, bucket, "k")), "InvalidBucketName");
        }
    }

    fn listed(keys: &[&str]) -> Vec<Listed> {
        keys.iter()
            .map(|k| Listed {
                key: (*k).to_owned(),
                path: PathBuf::new(),
            })
            .collect()
    }

    #[test]
    fn delimiters_roll_keys_up_into_common_prefixes() {
        let items = listed(&["a.csv", "t/1/x", "t/1/y", "t/2/x", "t/z", "u"]);
        let entries = group(&items, "", Some("/"));
        let keys: Vec<&str> = entries.iter().map(Entry::key).collect();
        assert_eq!(keys, ["a.csv", "t/", "u"]);
        let under_t: Vec<Listed> = items[1..5].to_vec();
        let entries = group(&under_t, "t/", Some("/"));
        let keys: Vec<&str> = entries.iter().map(Entry::key).collect();
        assert_eq!(keys, ["t/1/", "t/2/", "t/z"]);
        let entries = group(&items, "", None);
        assert_eq!(entries.len(), 6);
    }

    #[test]
    fn tokens_round_trip_and_strangers_are_refused() {
        for key in ["", "a/b", "é 😀"] {
            assert_eq!(after_token(&continuation_token(key)).unwrap(), key);
        }
        for bad in ["", "x", "1-f", "1-zz", "1-ff"] {
            assert!(after_token(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn url_encoding_is_form_encoding() {
        assert_eq!(url_encode("a b/c+é"), "a+b%2Fc%2B%C3%A9");
    }

    #[test]
    fn listing_walks_only_the_prefix_folder() {
        let dir = std::env::temp_dir().join(format!("athena-emulator-list-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for file in ["t/1/x", "t/1/y", "t/2/x", "t/z", "u", "tu"] {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"x").unwrap();
        }
        let keys = |prefix: &str| -> Vec<String> {
            list_keys(&dir, prefix)
                .unwrap()
                .into_iter()
                .map(|l| l.key)
                .collect()
        };
        assert_eq!(keys(""), ["t/1/x", "t/1/y", "t/2/x", "t/z", "tu", "u"]);
        assert_eq!(keys("t/"), ["t/1/x", "t/1/y", "t/2/x", "t/z"]);
        assert_eq!(keys("t/1"), ["t/1/x", "t/1/y"]);
        assert_eq!(keys("t"), ["t/1/x", "t/1/y", "t/2/x", "t/z", "tu"]);
        assert!(keys("nothing/here").is_empty());
        assert!(keys("../").is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
