//! Opening a query's result file: whether it can be read at all, its size and ETag,
//! and its columns.

use std::fmt;
use std::sync::Arc;

use tracing::warn;

use super::metadata;
use crate::aws::CallError;
use crate::client::ClientCore;
use crate::error::{Error, Operation, Result};
use crate::execution::QueryExecution;
use crate::page::Shape;
use crate::result_configuration::EncryptionOption;
use crate::result_file::source::{ResultFileSource, StartAt};
use crate::row::ResultSetMetadata;
use crate::s3::ranges::RangeFetcher;
use crate::s3::{ObjectLocation, is_access_denied, is_not_found};
use crate::stats::Stats;

/// Why a result file cannot be read here; the API path can still read the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// The handle has no S3 client.
    NoS3Client,
    /// `GetQueryExecution` gave no output location.
    NoOutputLocation,
    /// The results are in Athena's managed storage, which only `GetQueryResults` reads.
    ManagedQueryResults,
    /// The output location is not an `s3://` URI of a `.csv` file (a `.txt` result of a
    /// DDL or SHOW statement, say).
    NotCsv(String),
    /// The file is encrypted on the client side (CSE-KMS), which only the S3 Encryption
    /// Client can read; it has no Rust version (docs/athena.md, "Result files").
    ClientSideEncrypted,
    /// S3 refused access to the file.
    AccessDenied(String),
    /// The file is not there (deleted, say, by a lifecycle rule on the bucket): its
    /// `s3://` URI and S3's answer.
    NotFound(String, String),
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreadable::NoS3Client => f.write_str("the handle has no S3 client"),
            Unreadable::NoOutputLocation => f.write_str("the query has no output location"),
            Unreadable::ManagedQueryResults => f.write_str(
                "the workgroup keeps query results in Athena's managed storage, which only \
                 GetQueryResults reads (for speed, UNLOAD to a bucket of your own)",
            ),
            Unreadable::NotCsv(uri) => write!(f, "the result {uri} is not a CSV file in S3"),
            Unreadable::ClientSideEncrypted => {
                f.write_str("the result file is encrypted on the client side (CSE_KMS)")
            }
            Unreadable::AccessDenied(message) => write!(f, "S3 denied access: {message}"),
            Unreadable::NotFound(uri, answer) => {
                write!(f, "the result file {uri} is not in S3 ({answer})")
            }
        }
    }
}

/// What [`open`] found.
pub(crate) enum Opened {
    /// Boxed: a source is large, and it is made once per query.
    File(Box<ResultFileSource>),
    Unreadable(Unreadable),
}

/// Opens `execution`'s result file for reading from `start`. `metadata` is the result's
/// columns when already known (from page 1 of `GetQueryResults`); otherwise they come
/// from the `.csv.metadata` beside the file, or from `GetQueryResults` with
/// `MaxResults=1` when that is missing or unreadable.
///
/// # Errors
/// A call that failed beyond its retries (other than S3 denying access, which is
/// [`Opened::Unreadable`]).
pub(crate) async fn open(
    core: &Arc<ClientCore>,
    stats: &Arc<Stats>,
    execution: &QueryExecution,
    start: StartAt,
    metadata: Option<Arc<ResultSetMetadata>>,
    shape: &Shape,
) -> Result<Opened> {
    let unreadable = |why| Ok(Opened::Unreadable(why));
    if execution.managed_query_results {
        return unreadable(Unreadable::ManagedQueryResults);
    }
    let Some(s3) = core.s3.clone() else {
        return unreadable(Unreadable::NoS3Client);
    };
    let Some(uri) = execution.result_configuration.output_location.as_deref() else {
        return unreadable(Unreadable::NoOutputLocation);
    };
    let location = match ObjectLocation::parse(uri) {
        Some(l) if l.key.ends_with(".csv") => l.owned_by(expected_bucket_owner(core, execution)),
        _ => return unreadable(Unreadable::NotCsv(uri.to_owned())),
    };
    let encryption = execution
        .result_configuration
        .encryption_configuration
        .as_ref();
    if encryption.is_some_and(|e| e.encryption_option == EncryptionOption::CseKms) {
        return unreadable(Unreadable::ClientSideEncrypted);
    }
    let head = core
        .call(stats, Operation::HeadObject, || {
            s3.head_object(&location, stats)
        })
        .await
        .map_err(|e| location.owner_checked(e));
    let info = match head {
        Ok(info) => info,
        Err(Error::Api {
            code: Some(code),
            message,
            ..
        }) if is_access_denied(&code) => {
            return unreadable(Unreadable::AccessDenied(format!("{code}: {message}")));
        }
        Err(Error::Api {
            code: Some(code), ..
        }) if is_not_found(&code) => {
            let answer = format!("S3 HeadObject: {code}");
            return unreadable(Unreadable::NotFound(location.to_string(), answer));
        }
        Err(e) => return Err(e),
    };
    if info.client_side_encrypted {
        return unreadable(Unreadable::ClientSideEncrypted);
    }
    let from = match start {
        StartAt::Beginning { .. } => 0,
        StartAt::Row { offset, .. } => offset,
    };
    let settings = &core.settings;
    // Started before the columns are read, so that the first ranges are on their way
    // while the `.csv.metadata` is: one round trip fewer before the first rows.
    let fetcher = RangeFetcher::new(
        s3,
        location.clone(),
        info.etag,
        info.size,
        from,
        settings.chunk_size,
        settings.chunks_in_flight,
        stats.clone(),
        settings.retry,
    );
    let metadata = match metadata {
        Some(m) => m,
        None => columns(core, stats, execution, &location).await?,
    };
    let source = ResultFileSource::new(location, fetcher, metadata, start, stats.clone(), shape)?;
    Ok(Opened::File(Box::new(source)))
}

/// The account that must own the buckets of `execution`'s files: the handle's, else
/// the one the query ran with (as `GetQueryExecution` reports it, so a workgroup's
/// enforced setting counts).
pub(crate) fn expected_bucket_owner<'a>(
    core: &'a ClientCore,
    execution: &'a QueryExecution,
) -> Option<&'a str> {
    core.settings.expected_bucket_owner.as_deref().or(execution
        .result_configuration
        .expected_bucket_owner
        .as_deref())
}

/// The result's columns from `<id>.csv.metadata`, or from one row of `GetQueryResults`.
async fn columns(
    core: &ClientCore,
    stats: &Stats,
    execution: &QueryExecution,
    location: &ObjectLocation,
) -> Result<Arc<ResultSetMetadata>> {
    let beside = location.with_suffix(".metadata");
    if let Some(s3) = &core.s3 {
        let bytes = core
            .call(stats, Operation::GetObject, || {
                s3.get_object(&beside, stats)
            })
            .await;
        let bytes = match bytes.map_err(|e| beside.owner_checked(e)) {
            // Never worked around: the bucket may have changed hands.
            Err(e @ Error::BucketOwnerMismatch { .. }) => return Err(e),
            other => other,
        };
        match bytes.map(|b| metadata::decode(&b)) {
            Ok(Ok(columns)) if !columns.is_empty() => {
                return Ok(Arc::new(ResultSetMetadata::new(
                    columns.into_iter().map(Into::into).collect(),
                )));
            }
            Ok(Ok(_)) => {
                warn!(file = %beside, "the metadata file lists no column: asking GetQueryResults")
            }
            Ok(Err(e)) => {
                warn!(file = %beside, error = %e, "the metadata file is unreadable: asking GetQueryResults")
            }
            Err(e) => warn!(file = %beside, error = %e, "no metadata file: asking GetQueryResults"),
        }
    }
    let id = execution.query_execution_id.as_str();
    let page = core
        .call(stats, Operation::GetQueryResults, || {
            core.api.get_query_results(id, None, 1, stats)
        })
        .await?;
    page.columns
        .map(|columns| Arc::new(ResultSetMetadata::new(columns)))
        .ok_or_else(|| {
            CallError::InvalidResponse(
                "the response has no ResultSetMetadata.ColumnInfo".to_owned(),
            )
            .into_error(Operation::GetQueryResults, 1, std::time::Duration::ZERO)
        })
}
