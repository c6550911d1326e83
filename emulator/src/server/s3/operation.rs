//! The S3 API operations the emulator serves.

use std::fmt;

/// An S3 API operation the emulator serves, on the same endpoint as Athena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum S3Operation {
    /// `GetObject`, whole or a byte range.
    GetObject,
    /// `HeadObject`.
    HeadObject,
    /// `ListObjectsV2`.
    ListObjectsV2,
    /// `PutObject`.
    PutObject,
    /// `DeleteObject`.
    DeleteObject,
    /// `ListBuckets` (what `aws s3 ls` calls).
    ListBuckets,
    /// `CreateBucket` (what `aws s3 mb` calls).
    CreateBucket,
    /// `HeadBucket`.
    HeadBucket,
}

impl S3Operation {
    /// Every operation, in a fixed order.
    pub const ALL: [S3Operation; 8] = [
        S3Operation::GetObject,
        S3Operation::HeadObject,
        S3Operation::ListObjectsV2,
        S3Operation::PutObject,
        S3Operation::DeleteObject,
        S3Operation::ListBuckets,
        S3Operation::CreateBucket,
        S3Operation::HeadBucket,
    ];

    /// The operation's name, as in the S3 API reference.
    pub const fn name(self) -> &'static str {
        match self {
            S3Operation::GetObject => "GetObject",
            S3Operation::HeadObject => "HeadObject",
            S3Operation::ListObjectsV2 => "ListObjectsV2",
            S3Operation::PutObject => "PutObject",
            S3Operation::DeleteObject => "DeleteObject",
            S3Operation::ListBuckets => "ListBuckets",
            S3Operation::CreateBucket => "CreateBucket",
            S3Operation::HeadBucket => "HeadBucket",
        }
    }

    /// The operation with this name, if the emulator serves it.
    pub fn from_name(name: &str) -> Option<S3Operation> {
        S3Operation::ALL.into_iter().find(|op| op.name() == name)
    }

    /// The operation's position in [`S3Operation::ALL`], to index per-operation arrays.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for S3Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_index_all() {
        for (i, op) in S3Operation::ALL.into_iter().enumerate() {
            assert_eq!(S3Operation::from_name(op.name()), Some(op));
            assert_eq!(op.index(), i);
        }
        assert_eq!(S3Operation::from_name("GetQueryResults"), None);
    }
}
