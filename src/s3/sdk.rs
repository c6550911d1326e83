//! The S3 seam over `aws_sdk_s3`: the only module that sees S3's SDK types.

use std::ops::Range;

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::operation::get_object::builders::GetObjectFluentBuilder;
use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};
use futures::future::BoxFuture;

use super::{ObjectInfo, ObjectLocation, RangeBody, RangeError, S3Api};
use crate::aws::{ApiCallError, CallError};
use crate::aws::{CountSent, classify};
use crate::error::{ApiErrorKind, Operation};
use crate::stats::Stats;

/// The real thing: calls through `aws_sdk_s3`.
pub(crate) struct SdkS3 {
    pub(crate) client: aws_sdk_s3::Client,
}

impl S3Api for SdkS3 {
    fn head_object<'a>(
        &'a self,
        object: &'a ObjectLocation,
        sent: &'a Stats,
    ) -> BoxFuture<'a, Result<ObjectInfo, CallError>> {
        Box::pin(async move {
            let count = CountSent::default();
            let output = self
                .client
                .head_object()
                .bucket(&object.bucket)
                .key(&object.key)
                .set_expected_bucket_owner(object.expected_bucket_owner.clone())
                .customize()
                .interceptor(count.clone())
                .send()
                .await;
            count.into_stats(sent, Operation::HeadObject);
            let output = output.map_err(|e| classify(e, |_| false))?;
            let size = output
                .content_length
                .and_then(|n| u64::try_from(n).ok())
                .ok_or_else(|| invalid("HeadObject answered without a Content-Length"))?;
            let etag = output
                .e_tag
                .filter(|t| !t.is_empty())
                .ok_or_else(|| invalid("HeadObject answered without an ETag"))?;
            // The S3 Encryption Client keeps its envelope in these metadata keys.
            let client_side_encrypted = output.metadata.as_ref().is_some_and(|m| {
                m.contains_key("x-amz-cek-alg")
                    || m.contains_key("x-amz-key-v2")
                    || m.contains_key("x-amz-key")
            });
            Ok(ObjectInfo {
                size,
                etag,
                client_side_encrypted,
            })
        })
    }

    fn get_range<'a>(
        &'a self,
        object: &'a ObjectLocation,
        range: Range<u64>,
        if_match: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, Result<Box<dyn RangeBody>, RangeError>> {
        Box::pin(async move {
            let expected = range.end.saturating_sub(range.start);
            if expected == 0 {
                return Ok(Box::new(EmptyBody) as Box<dyn RangeBody>);
            }
            let request = self
                .get(object)
                .range(format!("bytes={}-{}", range.start, range.end - 1))
                .if_match(if_match);
            let output = send_get(request, sent).await.map_err(|e| RangeError {
                received: Vec::new(),
                error: classify(e, |_| false),
            })?;
            Ok(Box::new(Body { output, expected }) as Box<dyn RangeBody>)
        })
    }

    fn get_object<'a>(
        &'a self,
        object: &'a ObjectLocation,
        sent: &'a Stats,
    ) -> BoxFuture<'a, Result<Vec<u8>, CallError>> {
        Box::pin(async move {
            let output = send_get(self.get(object), sent)
                .await
                .map_err(|e| classify(e, |_| false))?;
            let bytes = output
                .body
                .collect()
                .await
                .map_err(|e| cut_off(e.to_string()))?;
            Ok(bytes.to_vec())
        })
    }
}

impl SdkS3 {
    /// A `GetObject` of `object`, with the bucket owner it expects.
    fn get(&self, object: &ObjectLocation) -> GetObjectFluentBuilder {
        self.client
            .get_object()
            .bucket(&object.bucket)
            .key(&object.key)
            .set_expected_bucket_owner(object.expected_bucket_owner.clone())
    }
}

/// Sends a `GetObject`, counting in `sent` what went on the wire.
async fn send_get(
    request: GetObjectFluentBuilder,
    sent: &Stats,
) -> Result<GetObjectOutput, SdkError<GetObjectError, HttpResponse>> {
    let count = CountSent::default();
    let output = request.customize().interceptor(count.clone()).send().await;
    count.into_stats(sent, Operation::GetObject);
    output
}

/// A range of no bytes: never asked for.
struct EmptyBody;

impl RangeBody for EmptyBody {
    fn read(self: Box<Self>) -> BoxFuture<'static, Result<Vec<u8>, RangeError>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}

/// A range's answer, its body not yet read.
struct Body {
    output: GetObjectOutput,
    expected: u64,
}

impl RangeBody for Body {
    fn read(self: Box<Self>) -> BoxFuture<'static, Result<Vec<u8>, RangeError>> {
        Box::pin(read_body(self.output, self.expected))
    }
}

/// Reads a ranged body, keeping what arrived if it is cut off: the caller resumes from
/// there. A body of another length than asked for is an error too.
async fn read_body(mut output: GetObjectOutput, expected: u64) -> Result<Vec<u8>, RangeError> {
    let mut received = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    loop {
        match output.body.next().await {
            Some(Ok(chunk)) => received.extend_from_slice(&chunk),
            Some(Err(e)) => {
                return Err(RangeError {
                    received,
                    error: cut_off(e.to_string()),
                });
            }
            None => break,
        }
    }
    match received.len() as u64 {
        n if n == expected => Ok(received),
        // Fewer bytes and no error: the connection closed early; the rest is asked again.
        n if n < expected => Err(RangeError {
            received,
            error: cut_off(format!("the body ended after {n} of {expected} bytes")),
        }),
        n => Err(RangeError {
            received: Vec::new(),
            error: invalid(&format!(
                "GetObject answered {n} bytes for a range of {expected}"
            )),
        }),
    }
}

/// A body that stopped part-way: transient, the rest may be read again.
fn cut_off(message: String) -> CallError {
    CallError::Failed(ApiCallError {
        kind: ApiErrorKind::Transient,
        code: None,
        source: message.clone().into(),
        message,
    })
}

fn invalid(message: &str) -> CallError {
    CallError::InvalidResponse(message.to_owned())
}
