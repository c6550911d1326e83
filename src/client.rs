//! The client core shared by a handle and every stream it makes: the seam to Athena,
//! the settings, and the one way a call is made (retried while its errors are
//! throttling or transient).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use backon::Retryable;
use futures::future::BoxFuture;
use tracing::{info, warn};

use crate::api::AthenaApi;
use crate::aws::{CallError, CallResult};
use crate::error::{ApiErrorKind, Operation, Result};
use crate::s3::S3Api;
use crate::settings::Settings;
use crate::stats::Stats;

/// What a handle and its streams share.
pub(crate) struct ClientCore {
    pub(crate) api: Arc<dyn AthenaApi>,
    /// For reading result files; `None` reads through `GetQueryResults` only.
    pub(crate) s3: Option<Arc<dyn S3Api>>,
    pub(crate) settings: Settings,
}

impl ClientCore {
    /// One call, retried with the retry policy while its errors are throttling or
    /// transient. The seam counts every request sent in `stats`; the error after the
    /// last attempt says how many attempts the library made and over how long. Each
    /// retry logs one line (a warning) with the failure's one-line message; an error
    /// that is not retried (credentials, a refused request) is returned at once.
    ///
    /// Retrying is safe for every operation the library calls: a start is retried with
    /// the same `ClientRequestToken` (the caller's closure keeps it), a page with the same
    /// `NextToken`, and polls and stops change nothing (docs/athena.md, "Starting a query").
    pub(crate) async fn call<'a, T, F>(
        &'a self,
        stats: &'a Stats,
        op: Operation,
        mut f: F,
    ) -> Result<T>
    where
        F: FnMut() -> BoxFuture<'a, CallResult<T>>,
    {
        let attempts = AtomicU32::new(0);
        let began = tokio::time::Instant::now();
        let result = (|| {
            attempts.fetch_add(1, Ordering::Relaxed);
            f()
        })
        .retry(self.settings.retry.to_backon())
        .sleep(tokio::time::sleep)
        .when(CallError::is_retryable)
        .notify(|e: &CallError, delay: Duration| {
            if let CallError::Failed(e) = e {
                let throttled = matches!(
                    e.kind,
                    ApiErrorKind::Throttling | ApiErrorKind::ConcurrentQueryLimit
                );
                stats.count_retry(throttled);
                let attempt = attempts.load(Ordering::Relaxed);
                warn!(operation = op.as_str(), attempt, kind = ?e.kind, code = ?e.code, message = %e.message, ?delay, "retrying");
            }
        })
        .await;
        result.map_err(|e| e.into_error(op, attempts.load(Ordering::Relaxed), began.elapsed()))
    }

    /// `StopQueryExecution`, retried like any call. Stopping a finished query changes
    /// nothing, so this is safe whatever the query's state.
    pub(crate) async fn stop(&self, stats: &Stats, query_execution_id: &str) -> Result<()> {
        let result = self
            .call(stats, Operation::StopQueryExecution, || {
                self.api.stop_query_execution(query_execution_id, stats)
            })
            .await;
        match &result {
            Ok(()) => info!(query_execution_id, "StopQueryExecution sent"),
            Err(e) => warn!(query_execution_id, error = %e, "StopQueryExecution failed"),
        }
        result
    }
}
