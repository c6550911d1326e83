//! One page of a ListObjectsV2: the keys after a point, grouped by a delimiter, each
//! object with the size, ETag and time of its file.

use std::path::Path;

use s3s::dto::{
    CommonPrefix, ETag, EncodingType, ListObjectsV2Input, Object, ObjectStorageClass, Timestamp,
};
use s3s::{S3ErrorCode, S3Result};

use super::errors::{error, internal};
use super::keys::{self, Entry, Listed};
use crate::server::data_dir::DataDir;

/// What a page lists.
pub(super) struct Query {
    pub(super) prefix: String,
    pub(super) delimiter: Option<String>,
    /// Only keys after this one (from a continuation token or `start-after`).
    pub(super) after: Option<String>,
    /// The most objects and common prefixes, together.
    pub(super) limit: usize,
    /// Whether keys are answered URL-encoded (`encoding-type=url`).
    pub(super) url: bool,
}

/// What `input` asks for, answering at most `max_keys` (at most 1000) entries;
/// `InvalidArgument` for a negative `max_keys`.
pub(super) fn query(input: &ListObjectsV2Input, max_keys: i32) -> S3Result<Query> {
    if max_keys < 0 {
        return Err(error(
            S3ErrorCode::InvalidArgument,
            "Provided max-keys not an integer or within integer range",
        ));
    }
    let after = match (&input.continuation_token, &input.start_after) {
        (Some(token), _) => Some(keys::after_token(token)?),
        (None, Some(start_after)) => Some(start_after.clone()),
        (None, None) => None,
    };
    Ok(Query {
        prefix: input.prefix.clone().unwrap_or_default(),
        delimiter: input.delimiter.clone(),
        after,
        limit: usize::try_from(max_keys.min(1000)).unwrap_or(1000),
        url: input
            .encoding_type
            .as_ref()
            .is_some_and(|e| e.as_str() == EncodingType::URL),
    })
}

/// The objects and common prefixes of a page, and the token of the next page if any.
pub(super) struct Page {
    pub(super) contents: Vec<Object>,
    pub(super) common_prefixes: Vec<CommonPrefix>,
    pub(super) next: Option<String>,
}

/// The page of `bucket_dir` that `query` asks for. Blocking file work.
pub(super) fn page(data_dir: &DataDir, bucket_dir: &Path, query: &Query) -> S3Result<Page> {
    let listed = keys::list_keys(bucket_dir, &query.prefix).map_err(internal)?;
    let entries = keys::group(&listed, &query.prefix, query.delimiter.as_deref());
    let mut page = entries
        .iter()
        .filter(|e| query.after.as_deref().is_none_or(|a| e.key() > a))
        .peekable();
    let mut contents = Vec::new();
    let mut common_prefixes = Vec::new();
    let mut last = None;
    while contents.len() + common_prefixes.len() < query.limit {
        let Some(entry) = page.next() else { break };
        last = Some(entry.key().to_owned());
        match entry {
            Entry::Object(item) => contents.extend(object(data_dir, item, query.url)?),
            Entry::CommonPrefix(prefix) => common_prefixes.push(CommonPrefix {
                prefix: Some(encode(prefix, query.url)),
            }),
        }
    }
    let next = match (page.peek(), last) {
        (Some(_), Some(last)) => Some(keys::continuation_token(&last)),
        _ => None,
    };
    Ok(Page {
        contents,
        common_prefixes,
        next,
    })
}

/// The listing of one object; `None` when its file is no longer one to list. The key
/// still counts as listed (it can end the page), as it was when the page was read.
fn object(data_dir: &DataDir, item: &Listed, url: bool) -> S3Result<Option<Object>> {
    let Ok(metadata) = std::fs::metadata(&item.path) else {
        return Ok(None); // deleted meanwhile
    };
    if !metadata.is_file() || !data_dir.contains(&item.path) {
        return Ok(None); // a symlink to a folder, or out of the data dir
    }
    let etag = data_dir.etag(&item.path, &metadata).map_err(internal)?;
    Ok(Some(Object {
        key: Some(encode(&item.key, url)),
        size: Some(i64::try_from(metadata.len()).map_err(internal)?),
        e_tag: Some(ETag::Strong(etag)),
        last_modified: metadata.modified().ok().map(Timestamp::from),
        storage_class: Some(ObjectStorageClass::from_static(
            ObjectStorageClass::STANDARD,
        )),
        ..Object::default()
    }))
}

/// `key` as answered: URL-encoded when `url`.
pub(super) fn encode(key: &str, url: bool) -> String {
    if url {
        keys::url_encode(key)
    } else {
        key.to_owned()
    }
}
