//! The seam over `aws_sdk_athena`: the only module that sees SDK types. It sends the
//! calls, classifies their errors, and turns the answers into the crate's own types,
//! refusing answers that miss what the API promises.

use std::time::{Duration, SystemTime};

use aws_sdk_athena::operation::get_query_results::GetQueryResultsOutput;
use aws_sdk_athena::operation::start_query_execution::StartQueryExecutionError;
use aws_sdk_athena::types as sdk;
use futures::future::BoxFuture;

use super::{AthenaApi, RawPage};
use crate::aws::{CallError, CallResult, CountSent, classify};
use crate::error::{AthenaError, Operation};
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
