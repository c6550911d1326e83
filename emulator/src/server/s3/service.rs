//! The S3 operations over the data dir, behind s3s's protocol handling (routing, XML,
//! headers, error bodies): each one draws its faults first, then works on the files.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use futures::StreamExt;
use s3s::dto::{
    Bucket, CreateBucketInput, CreateBucketOutput, DeleteObjectInput, DeleteObjectOutput, ETag,
    ETagCondition, GetObjectInput, GetObjectOutput, HeadBucketInput, HeadBucketOutput,
    HeadObjectInput, HeadObjectOutput, ListBucketsInput, ListBucketsOutput, ListObjectsV2Input,
    ListObjectsV2Output, Metadata, PutObjectInput, PutObjectOutput, Range, StreamingBlob,
    Timestamp,
};
use s3s::{S3, S3Error, S3ErrorCode, S3Request, S3Response, S3Result};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use super::body::{Plan, file_body};
use super::errors::{error, internal};
use super::faults::{Decision, Outcome, S3Counters, S3FaultInjector};
use super::flushes::Flushes;
use super::keys;
use super::listing;
use super::operation::S3Operation;
use crate::server::account;
use crate::server::data_dir::{DataDir, Md5Hex, ObjectAttributes, ServerSideEncryption};

// PutObject's checks, apart from the operations.
mod put;
use put::{check_body, check_put_conditions, put_attributes, put_target, write_body};

/// The S3 side of one emulator.
#[derive(Debug)]
pub(crate) struct DataDirS3 {
    pub(crate) data_dir: Arc<DataDir>,
    pub(crate) faults: Arc<S3FaultInjector>,
    pub(crate) counters: Arc<S3Counters>,
    /// The account that owns every bucket.
    pub(crate) account_id: String,
}

/// S3's answer to an `x-amz-expected-bucket-owner` that is not an account id.
fn invalid_owner() -> S3Error {
    error(
        S3ErrorCode::InvalidBucketOwnerAWSAccountID,
        "The value of the expected bucket owner parameter must be an AWS Account ID.",
    )
}

/// The bucket owner condition (docs/athena.md, "S3 bucket owner condition"): an
/// `x-amz-expected-bucket-owner` that is not an account id is `400
/// InvalidBucketOwnerAWSAccountID`; one that is not the owner, `403 AccessDenied`. Every
/// bucket is owned by `account`.
fn check_owner(expected: Option<&str>, account: &str) -> S3Result<()> {
    match expected {
        None => Ok(()),
        Some(expected) if !account::is_account_id(expected) => Err(invalid_owner()),
        Some(expected) if expected != account => Err(keys::access_denied()),
        Some(_) => Ok(()),
    }
}

/// The `x-amz-server-side-encryption` and `-aws-kms-key-id` values of an object.
fn sse_headers(
    sse: &ServerSideEncryption,
) -> (Option<s3s::dto::ServerSideEncryption>, Option<String>) {
    match sse {
        ServerSideEncryption::S3 => (
            Some(s3s::dto::ServerSideEncryption::from_static(
                s3s::dto::ServerSideEncryption::AES256,
            )),
            None,
        ),
        ServerSideEncryption::Kms { key_arn } => (
            Some(s3s::dto::ServerSideEncryption::from_static(
                s3s::dto::ServerSideEncryption::AWS_KMS,
            )),
            Some(key_arn.clone()),
        ),
    }
}

/// The user metadata of an object as s3s sends it (`x-amz-meta-*`), None when empty.
fn metadata_headers(attributes: &ObjectAttributes) -> Option<Metadata> {
    (!attributes.metadata.is_empty()).then(|| {
        attributes
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    })
}

fn no_such_key() -> S3Error {
    error(S3ErrorCode::NoSuchKey, "The specified key does not exist.")
}

fn no_such_bucket() -> S3Error {
    error(
        S3ErrorCode::NoSuchBucket,
        "The specified bucket does not exist",
    )
}

/// Runs blocking file work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> S3Result<T> + Send + 'static,
) -> S3Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(internal)?
}

/// What a read of one object found.
struct Found {
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
    etag: String,
    attributes: ObjectAttributes,
}

/// Whether `condition` (an `If-Match` / `If-None-Match` value) names `etag`.
fn matches(condition: &ETagCondition, etag: &str) -> bool {
    match condition {
        ETagCondition::Any => true,
        ETagCondition::ETag(ETag::Strong(value) | ETag::Weak(value)) => value == etag,
    }
}

/// The checks S3 makes before answering a GET or HEAD, in its order: `If-Match` that
/// fails is `412 PreconditionFailed`; `If-None-Match` that matches is `304 Not Modified`.
fn check_conditions(
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
    etag: &str,
) -> S3Result<()> {
    if let Some(condition) = if_match
        && !matches(condition, etag)
    {
        return Err(error(
            S3ErrorCode::PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold",
        ));
    }
    if let Some(condition) = if_none_match
        && matches(condition, etag)
    {
        return Err(S3Error::new(S3ErrorCode::NotModified));
    }
    Ok(())
}

/// The byte range a `Range` asks of an object of `len` bytes, `416 InvalidRange` when it
/// cannot be satisfied (an object of no bytes satisfies no range).
fn byte_range(range: Option<Range>, len: u64) -> S3Result<Option<std::ops::Range<u64>>> {
    let Some(range) = range else {
        return Ok(None);
    };
    let unsatisfiable = || {
        error(
            S3ErrorCode::InvalidRange,
            "The requested range is not satisfiable",
        )
    };
    if len == 0 {
        return Err(unsatisfiable());
    }
    range.check(len).map(Some).map_err(|_| unsatisfiable())
}

fn content_range(range: &std::ops::Range<u64>, len: u64) -> String {
    format!("bytes {}-{}/{len}", range.start, range.end - 1)
}

impl DataDirS3 {
    /// Counts the call, waits its first-byte latency, and answers its injected error if
    /// it draws one; else the outcome to serve it with.
    async fn begin(&self, operation: S3Operation) -> S3Result<Decision> {
        self.counters.record_call(operation);
        let decision = self.faults.decide(operation);
        if !decision.latency.is_zero() {
            tokio::time::sleep(decision.latency).await;
        }
        match decision.outcome {
            Outcome::SlowDown => {
                self.counters.record_fault(operation);
                Err(error(
                    S3ErrorCode::SlowDown,
                    "Please reduce your request rate.",
                ))
            }
            Outcome::InternalError => {
                self.counters.record_fault(operation);
                Err(error(
                    S3ErrorCode::InternalError,
                    "We encountered an internal error. Please try again.",
                ))
            }
            Outcome::AccessDenied => {
                self.counters.record_fault(operation);
                Err(keys::access_denied())
            }
            Outcome::Serve | Outcome::CutBody(_) => Ok(decision),
        }
    }

    /// The object `bucket/key`: its file, length, time and ETag; NoSuchBucket /
    /// NoSuchKey when it is not there, AccessDenied when a symlink leads out.
    /// What GetObject and HeadObject read: the object, once its conditions hold, and
    /// the byte range asked for (none: all of it).
    async fn read_target(
        &self,
        bucket: &str,
        key: &str,
        part_number: Option<i32>,
        (if_match, if_none_match): (Option<&ETagCondition>, Option<&ETagCondition>),
        range: Option<Range>,
    ) -> S3Result<(Found, Option<std::ops::Range<u64>>)> {
        if part_number.is_some() {
            return Err(error(
                S3ErrorCode::NotImplemented,
                "The emulator does not serve objects by partNumber; ask for a Range",
            ));
        }
        let found = self.find(bucket, key).await?;
        check_conditions(if_match, if_none_match, &found.etag)?;
        let range = byte_range(range, found.len)?;
        Ok((found, range))
    }

    async fn find(&self, bucket: &str, key: &str) -> S3Result<Found> {
        let path = keys::object_path(self.data_dir.root(), bucket, key)?;
        let bucket_dir = keys::bucket_path(self.data_dir.root(), bucket)?;
        let data_dir = Arc::clone(&self.data_dir);
        blocking(move || {
            if !data_dir.contains(&path) {
                return Err(keys::access_denied());
            }
            let metadata = match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => m,
                Ok(_) => return Err(no_such_key()),
                Err(_) if !bucket_dir.is_dir() => return Err(no_such_bucket()),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                    ) =>
                {
                    return Err(no_such_key());
                }
                Err(e) => return Err(internal(e)),
            };
            let etag = data_dir.etag(&path, &metadata).map_err(internal)?;
            let attributes = data_dir.attributes(&path, &metadata);
            Ok(Found {
                path,
                len: metadata.len(),
                modified: metadata.modified().ok(),
                etag,
                attributes,
            })
        })
        .await
    }

    /// The bucket folder, NoSuchBucket when it does not exist.
    async fn existing_bucket(&self, bucket: &str) -> S3Result<PathBuf> {
        let dir = keys::bucket_path(self.data_dir.root(), bucket)?;
        let data_dir = Arc::clone(&self.data_dir);
        blocking(move || {
            if !dir.is_dir() {
                return Err(no_such_bucket());
            }
            if !data_dir.contains(&dir) {
                return Err(keys::access_denied());
            }
            Ok(dir)
        })
        .await
    }
}

#[async_trait::async_trait]
impl S3 for DataDirS3 {
    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let decision = self.begin(S3Operation::GetObject).await?;
        let req_flushes = req.extensions.get::<Arc<Flushes>>().cloned();
        let input = req.input;
        check_owner(input.expected_bucket_owner.as_deref(), &self.account_id)?;
        let (found, range) = self
            .read_target(
                &input.bucket,
                &input.key,
                input.part_number,
                (input.if_match.as_ref(), input.if_none_match.as_ref()),
                input.range,
            )
            .await?;
        let (start, len) = range
            .as_ref()
            .map_or((0, found.len), |r| (r.start, r.end - r.start));
        let mut file = tokio::fs::File::open(&found.path).await.map_err(internal)?;
        if start > 0 {
            file.seek(io::SeekFrom::Start(start))
                .await
                .map_err(internal)?;
        }
        let cut_after = match decision.outcome {
            Outcome::CutBody(after) if len > 0 => {
                self.counters.record_fault(S3Operation::GetObject);
                Some(after.min(len - 1))
            }
            _ => None,
        };
        let plan = Plan {
            len,
            bandwidth: decision.bandwidth,
            cut_after,
        };
        let flushes = req_flushes;
        let body = file_body(file, plan, Arc::clone(&self.counters), flushes);
        let (server_side_encryption, ssekms_key_id) = sse_headers(&found.attributes.sse);
        let output = GetObjectOutput {
            body: Some(StreamingBlob::wrap(body)),
            accept_ranges: Some("bytes".to_owned()),
            content_length: Some(i64::try_from(len).map_err(internal)?),
            content_range: range.as_ref().map(|r| content_range(r, found.len)),
            e_tag: Some(ETag::Strong(found.etag.clone())),
            last_modified: found.modified.map(Timestamp::from),
            server_side_encryption,
            ssekms_key_id,
            metadata: metadata_headers(&found.attributes),
            ..GetObjectOutput::default()
        };
        Ok(S3Response::new(output))
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.begin(S3Operation::HeadObject).await?;
        let input = req.input;
        check_owner(input.expected_bucket_owner.as_deref(), &self.account_id)?;
        let (found, range) = self
            .read_target(
                &input.bucket,
                &input.key,
                input.part_number,
                (input.if_match.as_ref(), input.if_none_match.as_ref()),
                input.range,
            )
            .await?;
        let len = range.as_ref().map_or(found.len, |r| r.end - r.start);
        let (server_side_encryption, ssekms_key_id) = sse_headers(&found.attributes.sse);
        let output = HeadObjectOutput {
            accept_ranges: Some("bytes".to_owned()),
            content_length: Some(i64::try_from(len).map_err(internal)?),
            content_range: range.as_ref().map(|r| content_range(r, found.len)),
            e_tag: Some(ETag::Strong(found.etag.clone())),
            last_modified: found.modified.map(Timestamp::from),
            server_side_encryption,
            ssekms_key_id,
            metadata: metadata_headers(&found.attributes),
            ..HeadObjectOutput::default()
        };
        let mut response = S3Response::new(output);
        if range.is_some() {
            response.status = Some(hyper::StatusCode::PARTIAL_CONTENT);
        }
        Ok(response)
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        self.begin(S3Operation::ListObjectsV2).await?;
        let input = req.input;
        check_owner(input.expected_bucket_owner.as_deref(), &self.account_id)?;
        let bucket_dir = self.existing_bucket(&input.bucket).await?;
        let max_keys = input.max_keys.unwrap_or(1000);
        let query = listing::query(&input, max_keys)?;
        let url = query.url;
        let data_dir = Arc::clone(&self.data_dir);
        let listing::Page {
            contents,
            common_prefixes,
            next,
        } = blocking(move || listing::page(&data_dir, &bucket_dir, &query)).await?;
        let encode = |s: Option<String>| s.map(|s| listing::encode(&s, url));
        let key_count = i32::try_from(contents.len() + common_prefixes.len()).unwrap_or(i32::MAX);
        let output = ListObjectsV2Output {
            name: Some(input.bucket),
            prefix: Some(encode(input.prefix).unwrap_or_default()),
            delimiter: encode(input.delimiter),
            start_after: encode(input.start_after),
            encoding_type: input.encoding_type,
            max_keys: Some(max_keys),
            key_count: Some(key_count),
            is_truncated: Some(next.is_some()),
            continuation_token: input.continuation_token,
            next_continuation_token: next,
            contents: Some(contents),
            common_prefixes: (!common_prefixes.is_empty()).then_some(common_prefixes),
            ..ListObjectsV2Output::default()
        };
        Ok(S3Response::new(output))
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        self.begin(S3Operation::PutObject).await?;
        let input = req.input;
        check_owner(input.expected_bucket_owner.as_deref(), &self.account_id)?;
        let attributes = put_attributes(&input, &self.account_id)?;
        let path = keys::object_path(self.data_dir.root(), &input.bucket, &input.key)?;
        self.existing_bucket(&input.bucket).await?;
        let target = path.clone();
        let data_dir = Arc::clone(&self.data_dir);
        let existing_etag = blocking(move || put_target(&data_dir, &target)).await?;
        check_put_conditions(
            input.if_match.as_ref(),
            input.if_none_match.as_ref(),
            existing_etag.as_deref(),
        )?;
        let temp = self.data_dir.temp_path(&input.key);
        let received = write_body(&temp, input.body).await.and_then(|(len, md5)| {
            check_body(
                input.content_length,
                input.content_md5.as_deref(),
                len,
                &md5,
            )?;
            Ok((len, md5))
        });
        let (len, md5) = match received {
            Ok(received) => received,
            Err(e) => {
                let _ = tokio::fs::remove_file(&temp).await;
                return Err(e);
            }
        };
        let data_dir = Arc::clone(&self.data_dir);
        let etag = md5.clone();
        let (server_side_encryption, ssekms_key_id) = sse_headers(&attributes.sse);
        blocking(move || {
            data_dir
                .publish_with(&temp, &path, md5, attributes)
                .map_err(|e| {
                    let _ = std::fs::remove_file(&temp);
                    internal(e)
                })
        })
        .await?;
        let output = PutObjectOutput {
            e_tag: Some(ETag::Strong(etag)),
            size: Some(i64::try_from(len).map_err(internal)?),
            server_side_encryption,
            ssekms_key_id,
            ..PutObjectOutput::default()
        };
        Ok(S3Response::new(output))
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.begin(S3Operation::DeleteObject).await?;
        let input = req.input;
        check_owner(input.expected_bucket_owner.as_deref(), &self.account_id)?;
        let path = keys::object_path(self.data_dir.root(), &input.bucket, &input.key)?;
        let bucket_dir = self.existing_bucket(&input.bucket).await?;
        let data_dir = Arc::clone(&self.data_dir);
        blocking(move || {
            if !data_dir.contains(&path) {
                return Err(keys::access_denied());
            }
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => return Ok(()), // no such object: S3 answers 204
                Ok(_) => std::fs::remove_file(&path).map_err(internal)?,
                Err(_) => return Ok(()),
            }
            data_dir.forget(&path);
            // S3 has no folders: drop the ones this delete emptied, up to the bucket, so
            // a later PutObject of their name finds no folder in its way.
            let mut dir = path.parent();
            while let Some(d) = dir {
                if d == bucket_dir || std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
            Ok(())
        })
        .await?;
        Ok(S3Response::new(DeleteObjectOutput::default()))
    }

    async fn list_buckets(
        &self,
        _req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        self.begin(S3Operation::ListBuckets).await?;
        let root = self.data_dir.root().to_path_buf();
        let buckets = blocking(move || {
            let mut buckets = Vec::new();
            for entry in std::fs::read_dir(&root).map_err(internal)? {
                let entry = entry.map_err(internal)?;
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                if name.starts_with('.') || !entry.path().is_dir() {
                    continue;
                }
                let created = entry
                    .metadata()
                    .ok()
                    .and_then(|m| m.created().or_else(|_| m.modified()).ok());
                buckets.push(Bucket {
                    name: Some(name),
                    creation_date: created.map(Timestamp::from),
                    ..Bucket::default()
                });
            }
            buckets.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(buckets)
        })
        .await?;
        let output = ListBucketsOutput {
            buckets: Some(buckets),
            ..ListBucketsOutput::default()
        };
        Ok(S3Response::new(output))
    }

    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        self.begin(S3Operation::CreateBucket).await?;
        let bucket = req.input.bucket;
        let dir = keys::bucket_path(self.data_dir.root(), &bucket)?;
        blocking(move || match std::fs::create_dir(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(error(
                S3ErrorCode::BucketAlreadyOwnedByYou,
                "Your previous request to create the named bucket succeeded and you already own it.",
            )),
            Err(e) => Err(internal(e)),
        })
        .await?;
        let output = CreateBucketOutput {
            location: Some(format!("/{bucket}")),
        };
        Ok(S3Response::new(output))
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.begin(S3Operation::HeadBucket).await?;
        check_owner(req.input.expected_bucket_owner.as_deref(), &self.account_id)?;
        self.existing_bucket(&req.input.bucket).await?;
        Ok(S3Response::new(HeadBucketOutput::default()))
    }
}

#[cfg(test)]
mod tests;
