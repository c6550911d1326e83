//! The seam over `aws_sdk_athena`: the only module that sees SDK types. It sends the
//! calls, classifies their errors, and turns the answers into the crate's own types,
//! refusing answers that miss what the API promises.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_athena::config::http::HttpResponse;
use aws_sdk_athena::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_athena::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_athena::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_athena::operation::get_query_results::GetQueryResultsOutput;
use aws_sdk_athena::operation::start_query_execution::StartQueryExecutionError;
use aws_sdk_athena::types as sdk;
use futures::future::BoxFuture;

use super::{ApiCallError, AthenaApi, CallError, CallResult, RawPage};
use crate::error::{ApiErrorKind, AthenaError, BoxError, Operation};
use crate::execution::{QueryExecution, QueryState, QueryStatistics, StatementType};
use crate::progress::{QueryRuntimeStatistics, QueryStage};
use crate::query::StartQueryExecution;
use crate::result_configuration::{
    EncryptionConfiguration, EncryptionOption, ResultConfiguration, S3AclOption,
};
use crate::row::ColumnInfo;
use crate::stats::Stats;

/// The real thing: calls through `aws_sdk_athena`.
pub(crate) struct SdkApi {
    pub(crate) client: aws_sdk_athena::Client,
}

impl AthenaApi for SdkApi {
    fn start_query_execution<'a>(
        &'a self,
        query: &'a StartQueryExecution,
        client_request_token: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<String>> {
        Box::pin(async move {
            let count = CountSent::default();
            let output = start_request(&self.client, query, client_request_token)
                .customize()
                .interceptor(count.clone())
                .send()
                .await;
            count.into_stats(sent, Operation::StartQueryExecution);
            let output = output.map_err(|e| classify(e, is_concurrent_query_limit))?;
            output
                .query_execution_id
                .filter(|id| !id.is_empty())
                .ok_or_else(|| {
                    CallError::InvalidResponse("the response has no QueryExecutionId".to_owned())
                })
        })
    }

    fn get_query_execution<'a>(
        &'a self,
        query_execution_id: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<QueryExecution>> {
        Box::pin(async move {
            let count = CountSent::default();
            let output = self
                .client
                .get_query_execution()
                .query_execution_id(query_execution_id)
                .customize()
                .interceptor(count.clone())
                .send()
                .await;
            count.into_stats(sent, Operation::GetQueryExecution);
            let output = output.map_err(|e| classify(e, |_| false))?;
            query_execution(output.query_execution, query_execution_id)
                .map_err(CallError::InvalidResponse)
        })
    }

    fn get_query_results<'a>(
        &'a self,
        query_execution_id: &'a str,
        next_token: Option<&'a str>,
        max_results: i32,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<RawPage>> {
        Box::pin(async move {
            let count = CountSent::default();
            let output = self
                .client
                .get_query_results()
                .query_execution_id(query_execution_id)
                .set_next_token(next_token.map(str::to_owned))
                .max_results(max_results)
                .customize()
                .interceptor(count.clone())
                .send()
                .await;
            count.into_stats(sent, Operation::GetQueryResults);
            let output = output.map_err(|e| classify(e, |_| false))?;
            raw_page(output).map_err(CallError::InvalidResponse)
        })
    }

    fn get_query_runtime_statistics<'a>(
        &'a self,
        query_execution_id: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<QueryRuntimeStatistics>> {
        Box::pin(async move {
            let count = CountSent::default();
            let output = self
                .client
                .get_query_runtime_statistics()
                .query_execution_id(query_execution_id)
                .customize()
                .interceptor(count.clone())
                .send()
                .await;
            count.into_stats(sent, Operation::GetQueryRuntimeStatistics);
            let output = output.map_err(|e| classify(e, |_| false))?;
            Ok(output
                .query_runtime_statistics
                .map(runtime_statistics)
                .unwrap_or_default())
        })
    }

    fn stop_query_execution<'a>(
        &'a self,
        query_execution_id: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, CallResult<()>> {
        Box::pin(async move {
            let count = CountSent::default();
            let output = self
                .client
                .stop_query_execution()
                .query_execution_id(query_execution_id)
                .customize()
                .interceptor(count.clone())
                .send()
                .await;
            count.into_stats(sent, Operation::StopQueryExecution);
            output.map(|_| ()).map_err(|e| classify(e, |_| false))
        })
    }
}

/// Counts the requests the SDK puts on the wire for one call, its own retries
/// included, so that the stats count what reached the service.
#[derive(Debug, Clone, Default)]
pub(crate) struct CountSent(Arc<AtomicU32>);

impl CountSent {
    pub(crate) fn into_stats(self, stats: &Stats, op: Operation) {
        stats.count_sent(op, self.0.load(Ordering::Relaxed));
    }
}

impl Intercept for CountSent {
    fn name(&self) -> &'static str {
        "athena_stream::CountSent"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// The `StartQueryExecution` request for `query`, with only the settings it has.
fn start_request(
    client: &aws_sdk_athena::Client,
    query: &StartQueryExecution,
    client_request_token: &str,
) -> aws_sdk_athena::operation::start_query_execution::builders::StartQueryExecutionFluentBuilder {
    let mut request = client
        .start_query_execution()
        .query_string(&query.query_string)
        .client_request_token(client_request_token)
        .set_work_group(query.workgroup.clone());
    if query.database.is_some() || query.catalog.is_some() {
        request = request.query_execution_context(
            sdk::QueryExecutionContext::builder()
                .set_database(query.database.clone())
                .set_catalog(query.catalog.clone())
                .build(),
        );
    }
    if !query.result_configuration.is_empty() {
        request =
            request.result_configuration(sdk_result_configuration(&query.result_configuration));
    }
    if !query.execution_parameters.is_empty() {
        request = request.set_execution_parameters(Some(query.execution_parameters.clone()));
    }
    if let Some(minutes) = query.result_reuse_max_age_minutes {
        request = request.result_reuse_configuration(
            sdk::ResultReuseConfiguration::builder()
                .result_reuse_by_age_configuration(
                    sdk::ResultReuseByAgeConfiguration::builder()
                        .enabled(true)
                        .max_age_in_minutes(minutes)
                        .build(),
                )
                .build(),
        );
    }
    request
}

/// The SDK's `ResultConfiguration` for ours, with only the settings it has.
fn sdk_result_configuration(r: &ResultConfiguration) -> sdk::ResultConfiguration {
    let encryption = r.encryption_configuration.as_ref().map(|e| {
        sdk::EncryptionConfiguration::builder()
            .encryption_option(sdk::EncryptionOption::from(e.encryption_option.as_str()))
            .set_kms_key(e.kms_key.clone())
            .build()
    });
    let acl = r.acl_option.as_ref().map(|a| {
        sdk::AclConfiguration::builder()
            .s3_acl_option(sdk::S3AclOption::from(a.as_str()))
            .build()
    });
    sdk::ResultConfiguration::builder()
        .set_output_location(r.output_location.clone())
        .set_encryption_configuration(encryption.transpose().ok().flatten())
        .set_expected_bucket_owner(r.expected_bucket_owner.clone())
        .set_acl_configuration(acl.transpose().ok().flatten())
        .build()
}

fn is_concurrent_query_limit(e: &StartQueryExecutionError) -> bool {
    matches!(
        e,
        StartQueryExecutionError::TooManyRequestsException(t)
            if t.reason() == Some(&sdk::ThrottleReason::ConcurrentQueryLimitExceeded)
    )
}

/// Checks and converts a `GetQueryExecution` answer; `expected_id` is the id asked for.
fn query_execution(
    value: Option<sdk::QueryExecution>,
    expected_id: &str,
) -> Result<QueryExecution, String> {
    let value = value.ok_or("the response has no QueryExecution")?;
    let query_execution_id = match value.query_execution_id {
        Some(id) if id == expected_id => id,
        Some(id) => return Err(format!("asked for {expected_id}, got {id}")),
        // Absent in the answer: it can only be the one asked for.
        None => expected_id.to_owned(),
    };
    let status = value
        .status
        .ok_or_else(|| format!("query {query_execution_id} has no Status"))?;
    let state = status
        .state
        .as_ref()
        .ok_or_else(|| format!("query {query_execution_id} has no Status.State"))?;
    let state = QueryState::from_athena(state.as_str())
        .ok_or_else(|| format!("unknown query state {:?}", state.as_str()))?;
    Ok(QueryExecution {
        query_execution_id,
        state,
        state_change_reason: status.state_change_reason,
        athena_error: status.athena_error.map(|e| AthenaError {
            error_category: e.error_category,
            error_type: e.error_type,
            retryable: e.retryable,
            error_message: e.error_message,
        }),
        statement_type: value
            .statement_type
            .as_ref()
            .map(|t| StatementType::from_athena(t.as_str())),
        substatement_type: value.substatement_type,
        result_configuration: value
            .result_configuration
            .map(result_configuration)
            .unwrap_or_default(),
        managed_query_results: value
            .managed_query_results_configuration
            .is_some_and(|m| m.enabled),
        workgroup: value.work_group,
        submission_date_time: status.submission_date_time.and_then(system_time),
        completion_date_time: status.completion_date_time.and_then(system_time),
        statistics: value.statistics.map(statistics).unwrap_or_default(),
    })
}

/// What Athena reports it used; an empty key or owner is taken as none.
fn result_configuration(r: sdk::ResultConfiguration) -> ResultConfiguration {
    ResultConfiguration {
        output_location: r.output_location.filter(|l| !l.is_empty()),
        encryption_configuration: r.encryption_configuration.map(|e| EncryptionConfiguration {
            encryption_option: EncryptionOption::from_athena(e.encryption_option.as_str()),
            kms_key: e.kms_key.filter(|k| !k.is_empty()),
        }),
        expected_bucket_owner: r.expected_bucket_owner.filter(|o| !o.is_empty()),
        acl_option: r
            .acl_configuration
            .map(|a| S3AclOption::from_athena(a.s3_acl_option.as_str())),
    }
}

fn statistics(s: sdk::QueryExecutionStatistics) -> QueryStatistics {
    let millis = |v: Option<i64>| {
        v.and_then(|m| u64::try_from(m).ok())
            .map(Duration::from_millis)
    };
    QueryStatistics {
        engine_execution_time: millis(s.engine_execution_time_in_millis),
        data_scanned_in_bytes: s.data_scanned_in_bytes.and_then(|b| u64::try_from(b).ok()),
        data_manifest_location: s.data_manifest_location.filter(|l| !l.is_empty()),
        total_execution_time: millis(s.total_execution_time_in_millis),
        query_queue_time: millis(s.query_queue_time_in_millis),
        query_planning_time: millis(s.query_planning_time_in_millis),
        service_processing_time: millis(s.service_processing_time_in_millis),
        reused_previous_result: s.result_reuse_information.map(|r| r.reused_previous_result),
    }
}

/// The figures of `GetQueryRuntimeStatistics`; a negative count is taken as none.
fn runtime_statistics(r: sdk::QueryRuntimeStatistics) -> QueryRuntimeStatistics {
    let count = |v: Option<i64>| v.and_then(|n| u64::try_from(n).ok());
    let rows = r.rows;
    let row =
        |f: fn(&sdk::QueryRuntimeStatisticsRows) -> Option<i64>| count(rows.as_ref().and_then(f));
    let mut stages = Vec::new();
    let mut next: Vec<sdk::QueryStage> = r.output_stage.into_iter().collect();
    // Depth first, parents before children; the tree is the service's, so it is walked
    // with a stack rather than recursion.
    while let Some(stage) = next.pop() {
        stages.push(QueryStage {
            stage_id: stage.stage_id,
            state: stage.state,
            input_rows: count(stage.input_rows),
            input_bytes: count(stage.input_bytes),
            output_rows: count(stage.output_rows),
            output_bytes: count(stage.output_bytes),
            execution_time: count(stage.execution_time).map(Duration::from_millis),
        });
        next.extend(stage.sub_stages.unwrap_or_default().into_iter().rev());
    }
    QueryRuntimeStatistics {
        input_rows: row(|r| r.input_rows),
        input_bytes: row(|r| r.input_bytes),
        output_rows: row(|r| r.output_rows),
        output_bytes: row(|r| r.output_bytes),
        stages,
    }
}

fn system_time(t: aws_sdk_athena::primitives::DateTime) -> Option<SystemTime> {
    SystemTime::try_from(t).ok()
}

/// Converts a `GetQueryResults` answer, moving the values (no copies).
fn raw_page(output: GetQueryResultsOutput) -> Result<RawPage, String> {
    let result_set = output.result_set.ok_or("the response has no ResultSet")?;
    Ok(RawPage {
        columns: result_set
            .result_set_metadata
            .and_then(|m| m.column_info)
            .map(|columns| columns.into_iter().map(column_info).collect()),
        rows: result_set
            .rows
            .unwrap_or_default()
            .into_iter()
            .map(|row| {
                row.data
                    .unwrap_or_default()
                    .into_iter()
                    .map(|d| d.var_char_value)
                    .collect()
            })
            .collect(),
        next_token: output.next_token,
    })
}

fn column_info(c: sdk::ColumnInfo) -> ColumnInfo {
    let mut column = ColumnInfo::new(c.name, c.r#type);
    if let Some(label) = c.label {
        column.label = label;
    }
    column.precision = c.precision;
    column.scale = c.scale;
    column.nullable = c.nullable.map(|n| n.as_str().to_owned());
    column.case_sensitive = c.case_sensitive;
    column
}

/// Error codes that mean "slow down", whatever the operation.
const THROTTLING_CODES: &[&str] = &[
    "ThrottlingException",
    "TooManyRequestsException",
    "Throttling",
    "ThrottledException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
];

/// Error codes of the service's own transient faults.
const TRANSIENT_CODES: &[&str] = &[
    "InternalServerException",
    "InternalFailure",
    "ServiceUnavailable",
    "InternalError",
];

/// Sorts an SDK error (of any AWS SDK: Athena's, S3's) into the kinds the retry logic
/// knows, with a message on one line (the whole error stays the `source`).
///
/// What the SDK returns when nothing was answered (docs/athena.md, "Errors"): a missing
/// identity, a client without a region and a refused connection are all
/// `DispatchFailure`s; the connector error inside tells them apart. `Io` and `Timeout`
/// (and an `Other` the connector marks retryable) are transient; an `Other` without a
/// kind is the SDK failing before it sent anything (identity, endpoint, signing), which
/// the SDK's own retry classifier does not retry either.
pub(crate) fn classify<E>(
    err: SdkError<E, HttpResponse>,
    is_concurrent_limit: impl Fn(&E) -> bool,
) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    // An answer without a body (S3's to HeadObject) carries no code: name it by its
    // status, so that "access denied" is recognised whichever call it answered.
    let code = err.code().map(str::to_owned).or_else(|| {
        match status {
            Some(403) => Some("Forbidden"),
            Some(404) => Some("NotFound"),
            Some(412) => Some("PreconditionFailed"),
            _ => None,
        }
        .map(str::to_owned)
    });
    let identity = match &err {
        SdkError::ServiceError(_) => None,
        _ => identity_failure(&err),
    };
    let kind = match &err {
        SdkError::ServiceError(service) if is_concurrent_limit(service.err()) => {
            ApiErrorKind::ConcurrentQueryLimit
        }
        SdkError::ServiceError(_) => match code.as_deref() {
            Some(c) if THROTTLING_CODES.contains(&c) => ApiErrorKind::Throttling,
            Some(c) if TRANSIENT_CODES.contains(&c) => ApiErrorKind::Transient,
            _ if status.is_some_and(|s| (500..600).contains(&s)) => ApiErrorKind::Transient,
            _ if status == Some(429) => ApiErrorKind::Throttling,
            _ => ApiErrorKind::Permanent,
        },
        // No credentials: nothing was sent, and asking again gets the same answer.
        _ if identity.is_some() => ApiErrorKind::Credentials,
        // The connection was refused, dropped or timed out: the request may be sent
        // again.
        SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() || d.as_other().is_some() => {
            ApiErrorKind::Transient
        }
        // No complete answer arrived: it timed out, or the body could not be read.
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => ApiErrorKind::Transient,
        // The request could not be built or sent (no region, no auth scheme, a
        // request the HTTP client refused): retrying cannot help.
        _ => ApiErrorKind::Permanent,
    };
    let message = match identity {
        Some(identity) => identity.message(),
        None => err
            .message()
            .map(str::to_owned)
            .unwrap_or_else(|| error_chain(&err)),
    };
    CallError::Failed(ApiCallError {
        kind,
        code,
        message: one_line(&message),
        source: Box::new(err),
    })
}

/// How to give the SDK credentials, for the message of a missing identity.
pub(crate) const CONFIGURE_CREDENTIALS: &str = "configure them with AWS_ACCESS_KEY_ID and \
    AWS_SECRET_ACCESS_KEY, with AWS_PROFILE and ~/.aws/config (`aws configure`, or `aws sso \
    login` for an SSO profile), or with an instance, task or pod role";

/// Why the SDK had no identity to sign with.
enum IdentityFailure<'a> {
    /// A credentials provider (or the default chain) failed.
    Credentials(&'a CredentialsError),
    /// The identity cache or the auth orchestration failed without a credentials error
    /// (a resolver that timed out, a client with no credentials provider): its text.
    Other(String),
}

/// The identity failure in an SDK error's sources, if it is one.
fn identity_failure<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<IdentityFailure<'a>> {
    let mut source = Some(err);
    while let Some(s) = source {
        if let Some(e) = s.downcast_ref::<CredentialsError>() {
            return Some(IdentityFailure::Credentials(e));
        }
        // Types the SDK keeps private: their words are what there is to go by.
        let text = s.to_string();
        if text.starts_with("identity resolver timed out")
            || text.contains("there was no identity resolver")
        {
            return Some(IdentityFailure::Other(text));
        }
        source = s.source();
    }
    None
}

impl IdentityFailure<'_> {
    /// One line: what failed, the providers tried when the chain says, and how to
    /// configure credentials.
    fn message(&self) -> String {
        let what = match self {
            IdentityFailure::Credentials(e @ CredentialsError::CredentialsNotLoaded(_)) => {
                match providers_tried(*e).as_slice() {
                    [] => "no AWS credentials found".to_owned(),
                    tried => format!("no AWS credentials found (tried {})", tried.join(", ")),
                }
            }
            IdentityFailure::Credentials(e) => {
                format!("could not load AWS credentials: {}", error_chain(*e))
            }
            IdentityFailure::Other(text) if text.contains("there was no identity resolver") => {
                "the SDK client has no credentials provider".to_owned()
            }
            IdentityFailure::Other(text) => format!("could not load AWS credentials: {text}"),
        };
        format!("{what}; {CONFIGURE_CREDENTIALS}")
    }
}

/// The providers a credentials chain tried, from its error's text (`no credentials
/// found in chain. Attempted:` then one `  Name: why` line each; the type is private).
fn providers_tried(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut source = Some(err);
    while let Some(s) = source {
        let text = s.to_string();
        if let Some((_, attempted)) = text.split_once("Attempted:") {
            return attempted
                .lines()
                .filter_map(|line| line.trim().split_once(':'))
                .map(|(name, _)| name.trim())
                .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
                .map(str::to_owned)
                .collect();
        }
        source = s.source();
    }
    Vec::new()
}

/// `a: b: c` from an error and its sources, for errors without a service message.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// `text` on one line: each run of whitespace that holds a line break becomes one space.
fn one_line(text: &str) -> String {
    if !text.contains(['\n', '\r']) {
        return text.trim().to_owned();
    }
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod classify_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn execution(state: &str) -> sdk::QueryExecution {
        sdk::QueryExecution::builder()
            .query_execution_id("q1")
            .status(
                sdk::QueryExecutionStatus::builder()
                    .state(sdk::QueryExecutionState::from(state))
                    .build(),
            )
            .build()
    }

    #[test]
    fn unknown_state_is_a_clear_error() {
        let err = query_execution(Some(execution("PAUSED")), "q1").unwrap_err();
        assert!(err.contains("unknown query state \"PAUSED\""), "{err}");
    }

    #[test]
    fn missing_status_is_a_clear_error() {
        let value = sdk::QueryExecution::builder()
            .query_execution_id("q1")
            .build();
        let err = query_execution(Some(value), "q1").unwrap_err();
        assert!(err.contains("has no Status"), "{err}");
        let value = sdk::QueryExecution::builder()
            .query_execution_id("q1")
            .status(sdk::QueryExecutionStatus::builder().build())
            .build();
        let err = query_execution(Some(value), "q1").unwrap_err();
        assert!(err.contains("has no Status.State"), "{err}");
        let err = query_execution(None, "q1").unwrap_err();
        assert!(err.contains("no QueryExecution"), "{err}");
    }

    #[test]
    fn another_query_in_the_answer_is_an_error() {
        let err = query_execution(Some(execution("RUNNING")), "q2").unwrap_err();
        assert!(err.contains("asked for q2, got q1"), "{err}");
    }

    #[test]
    fn states_parse() {
        for (text, state) in [
            ("QUEUED", QueryState::Queued),
            ("RUNNING", QueryState::Running),
            ("SUCCEEDED", QueryState::Succeeded),
            ("FAILED", QueryState::Failed),
            ("CANCELLED", QueryState::Cancelled),
        ] {
            let e = query_execution(Some(execution(text)), "q1").unwrap();
            assert_eq!(e.state, state);
            assert_eq!(e.state.as_str(), text);
        }
    }

    #[test]
    fn the_data_manifest_location_is_kept_and_an_empty_one_is_none() {
        let with = |location: Option<&str>| {
            let mut value = execution("SUCCEEDED");
            value.statistics = Some(
                sdk::QueryExecutionStatistics::builder()
                    .set_data_manifest_location(location.map(str::to_owned))
                    .build(),
            );
            query_execution(Some(value), "q1")
                .unwrap()
                .statistics
                .data_manifest_location
        };
        assert_eq!(
            with(Some("s3://results/q1-manifest.csv")).as_deref(),
            Some("s3://results/q1-manifest.csv")
        );
        assert_eq!(with(Some("")), None);
        assert_eq!(with(None), None);
    }

    #[test]
    fn a_page_without_a_result_set_is_refused_and_nulls_survive() {
        let err = raw_page(GetQueryResultsOutput::builder().build()).unwrap_err();
        assert!(err.contains("no ResultSet"), "{err}");
        let row = sdk::Row::builder()
            .data(sdk::Datum::builder().var_char_value("").build())
            .data(sdk::Datum::builder().build())
            .build();
        let page = raw_page(
            GetQueryResultsOutput::builder()
                .result_set(sdk::ResultSet::builder().rows(row).build())
                .next_token("t")
                .build(),
        )
        .unwrap();
        assert_eq!(page.rows, vec![vec![Some(String::new()), None]]);
        assert_eq!(page.columns, None);
        assert_eq!(page.next_token.as_deref(), Some("t"));
    }
}
