//! The private seam to S3: `HeadObject` and a ranged `GetObject` pinned to an ETag, in
//! the crate's own types, and above it the reader that fetches a file's byte ranges in
//! parallel within a memory budget ([`ranges`]). Both the result file
//! (`crate::result_file`) and UNLOAD's files (`crate::unload`) read S3 through here. The
//! real implementation ([`sdk::SdkS3`]) wraps an `aws_sdk_s3::Client`; tests put a
//! scripted fake behind it (`crate::fake::s3`).

pub(crate) mod ranges;
#[cfg(feature = "s3")]
pub(crate) mod sdk;

use std::fmt;
use std::ops::Range;

use futures::future::BoxFuture;

use crate::aws::CallError;
use crate::error::Error;
use crate::stats::Stats;

/// Where an object is, and the account that must own its bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjectLocation {
    pub(crate) bucket: String,
    pub(crate) key: String,
    /// Sent as `x-amz-expected-bucket-owner` with every request for the object: S3 then
    /// refuses it when another account owns the bucket (docs/athena.md, "S3 bucket
    /// owner condition").
    pub(crate) expected_bucket_owner: Option<String>,
}

impl ObjectLocation {
    /// Reads `s3://bucket/key`; `None` for anything else (a missing key, another scheme).
    pub(crate) fn parse(uri: &str) -> Option<Self> {
        let rest = uri.strip_prefix("s3://")?;
        let (bucket, key) = rest.split_once('/')?;
        (!bucket.is_empty() && !key.is_empty()).then(|| ObjectLocation {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            expected_bucket_owner: None,
        })
    }

    /// This object, read only from a bucket `owner` owns (none: from any).
    pub(crate) fn owned_by(mut self, owner: Option<&str>) -> Self {
        self.expected_bucket_owner = owner.map(str::to_owned);
        self
    }

    /// The object beside this one whose key is this key plus `suffix`.
    pub(crate) fn with_suffix(&self, suffix: &str) -> Self {
        ObjectLocation {
            bucket: self.bucket.clone(),
            key: format!("{}{suffix}", self.key),
            expected_bucket_owner: self.expected_bucket_owner.clone(),
        }
    }

    /// `error` of a request for this object, as [`Error::BucketOwnerMismatch`] when S3
    /// denied access and the request named an expected owner: S3 answers a bucket of
    /// another account with `403 Access Denied`, and that must not pass as a plain
    /// denial that a caller might work around.
    pub(crate) fn owner_checked(&self, error: Error) -> Error {
        match (&self.expected_bucket_owner, &error) {
            (
                Some(owner),
                Error::Api {
                    code: Some(code),
                    message,
                    ..
                },
            ) if is_access_denied(code) => Error::BucketOwnerMismatch {
                location: self.to_string(),
                expected_bucket_owner: owner.clone(),
                message: format!("{code}: {message}"),
            },
            _ => error,
        }
    }
}

/// The codes S3 answers a request it does not allow with (`Forbidden` is what the SDK
/// makes of a 403 to `HeadObject`, which has no body to carry a code).
pub(crate) fn is_access_denied(code: &str) -> bool {
    matches!(code, "AccessDenied" | "Forbidden" | "AllAccessDisabled")
}

/// Whether an S3 error code says the object is not there: `NoSuchKey` (a `GetObject`,
/// or an answer with a body) or `NotFound` (a bare 404, as `HeadObject` answers).
pub(crate) fn is_not_found(code: &str) -> bool {
    matches!(code, "NoSuchKey" | "NotFound")
}

impl fmt::Display for ObjectLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// What `HeadObject` says of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjectInfo {
    /// `Content-Length`.
    pub(crate) size: u64,
    /// `ETag`: every range is read pinned to it (`If-Match`), so a file that changes
    /// during the read is an error, never a mix of two files.
    pub(crate) etag: String,
    /// Whether the object carries the envelope of S3's client-side encryption
    /// (`x-amz-cek-alg` / `x-amz-key-v2` metadata): its bytes cannot be read as CSV.
    pub(crate) client_side_encrypted: bool,
}

/// A ranged read that failed, with the bytes that arrived before it failed (a body cut
/// off part-way): the retry asks only for the rest.
#[derive(Debug)]
pub(crate) struct RangeError {
    pub(crate) received: Vec<u8>,
    pub(crate) error: CallError,
}

/// The answer to a ranged `GetObject` whose headers have come and whose body has not
/// been read. Dropped unread, it closes its connection.
pub(crate) trait RangeBody: Send {
    /// Reads the body: the whole range, or the error with what arrived.
    fn read(self: Box<Self>) -> BoxFuture<'static, Result<Vec<u8>, RangeError>>;
}

/// What the library needs from S3.
///
/// Each method counts in `sent` every request it puts on the wire.
pub(crate) trait S3Api: Send + Sync + 'static {
    /// `HeadObject`.
    fn head_object<'a>(
        &'a self,
        object: &'a ObjectLocation,
        sent: &'a Stats,
    ) -> BoxFuture<'a, Result<ObjectInfo, CallError>>;

    /// `GetObject` of the bytes `range` (end exclusive), only while the object's ETag is
    /// `if_match`: done once the answer's headers have come, the body still to be read
    /// ([`RangeBody::read`]), so that a caller can ask for a range before it has room
    /// for the bytes.
    fn get_range<'a>(
        &'a self,
        object: &'a ObjectLocation,
        range: Range<u64>,
        if_match: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, Result<Box<dyn RangeBody>, RangeError>>;

    /// `GetObject` of a whole small object (the `.csv.metadata` beside a result).
    fn get_object<'a>(
        &'a self,
        object: &'a ObjectLocation,
        sent: &'a Stats,
    ) -> BoxFuture<'a, Result<Vec<u8>, CallError>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_uris_parse_into_bucket_and_key() {
        let l = ObjectLocation::parse("s3://results/athena/q1.csv").unwrap();
        assert_eq!(
            (l.bucket.as_str(), l.key.as_str()),
            ("results", "athena/q1.csv")
        );
        assert_eq!(l.to_string(), "s3://results/athena/q1.csv");
        assert_eq!(l.with_suffix(".metadata").key, "athena/q1.csv.metadata");
        for bad in [
            "",
            "s3://",
            "s3://bucket",
            "s3://bucket/",
            "s3:///key",
            "https://b/k",
        ] {
            assert_eq!(ObjectLocation::parse(bad), None, "{bad}");
        }
    }
}
