//! Opening a query's result file: whether it can be read at all, its size and ETag,
//! and its columns.

use std::fmt;
use std::sync::Arc;

use tracing::warn;

use super::metadata;
use super::ranges::RangeFetcher;
use super::s3::ObjectLocation;
use crate::api::CallError;
use crate::client::ClientCore;
use crate::error::{Error, Operation, Result};
use crate::execution::QueryExecution;
use crate::page::Shape;
use crate::page_source::result_file::{ResultFileSource, StartAt};
use crate::row::ResultSetMetadata;
use crate::stats::Stats;

/// Why a result file cannot be read here; the API path can still read the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// The handle has no S3 client.
    NoS3Client,
    /// `GetQueryExecution` gave no output location (managed query results have none).
    NoOutputLocation,
    /// The output location is not an `s3://` URI of a `.csv` file (a `.txt` result of a
    /// DDL or SHOW statement, say).
    NotCsv(String),
    /// The file is encrypted on the client side (CSE-KMS), which only the S3 Encryption
    /// Client can read; it has no Rust version (docs/athena.md, "Result files").
    ClientSideEncrypted,
    /// S3 refused access to the file.
    AccessDenied(String),
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreadable::NoS3Client => f.write_str("the handle has no S3 client"),
            Unreadable::NoOutputLocation => f.write_str("the query has no output location"),
            Unreadable::NotCsv(uri) => write!(f, "the result {uri} is not a CSV file in S3"),
            Unreadable::ClientSideEncrypted => {
                f.write_str("the result file is encrypted on the client side (CSE_KMS)")
            }
            Unreadable::AccessDenied(message) => write!(f, "S3 denied access: {message}"),
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
    let Some(s3) = core.s3.clone() else {
        return unreadable(Unreadable::NoS3Client);
    };
    let Some(uri) = execution.output_location.as_deref() else {
        return unreadable(Unreadable::NoOutputLocation);
    };
    let location = match ObjectLocation::parse(uri) {
        Some(l) if l.key.ends_with(".csv") => l,
        _ => return unreadable(Unreadable::NotCsv(uri.to_owned())),
    };
    if execution.encryption_option.as_deref() == Some("CSE_KMS") {
        return unreadable(Unreadable::ClientSideEncrypted);
    }
    let head = core
        .call(stats, Operation::HeadObject, || {
            s3.head_object(&location, stats)
        })
        .await;
    let info = match head {
        Ok(info) => info,
        Err(Error::Api {
            code: Some(code),
            message,
            ..
        }) if is_access_denied(&code) => {
            return unreadable(Unreadable::AccessDenied(format!("{code}: {message}")));
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

/// The codes S3 answers a request it does not allow with (`Forbidden` is what the SDK
/// makes of a 403 to `HeadObject`, which has no body to carry a code).
fn is_access_denied(code: &str) -> bool {
    matches!(code, "AccessDenied" | "Forbidden" | "AllAccessDisabled")
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
