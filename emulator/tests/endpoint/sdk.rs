//! The emulator driven by the real aws-sdk-athena client, as any Athena user would.

use crate::common;

use std::time::Duration;

use athena_emulator::Operation;
use aws_sdk_athena::error::ProvideErrorMetadata;
use aws_sdk_athena::types::{
    ColumnNullable, QueryExecutionContext, QueryExecutionState, ResultConfiguration, StatementType,
    ThrottleReason,
};
use common::{client, client_without_retries, emulator, pages, run, start, values, wait};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_2500_rows_without_losing_or_repeating_one() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let id = start(&client, "SELECT x FROM UNNEST(sequence(1, 2500)) AS t(x)").await;
    let execution = wait(&client, &id).await;
    assert_eq!(execution.statement_type(), Some(&StatementType::Dml));
    assert_eq!(execution.substatement_type(), Some("SELECT"));

    let pages = pages(&client, &id, None).await;
    let sizes: Vec<usize> = pages
        .iter()
        .map(|p| p.result_set().unwrap().rows().len())
        .collect();
    // Header + 999, then 1000, then 501: the header counts toward page 1.
    assert_eq!(sizes, [1000, 1000, 501]);
    let rows: Vec<_> = pages
        .iter()
        .flat_map(|p| p.result_set().unwrap().rows())
        .map(values)
        .collect();
    assert_eq!(rows[0], [Some("x".to_owned())]);
    let numbers: Vec<i64> = rows[1..]
        .iter()
        .map(|r| r[0].as_deref().unwrap().parse().unwrap())
        .collect();
    assert_eq!(numbers, (1..=2500).collect::<Vec<_>>());
    assert!(pages.iter().all(|p| p.update_count() == Some(0)));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn null_is_distinct_from_the_empty_string() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let rows = run(
        &client,
        "SELECT CAST(NULL AS varchar) AS n, '' AS e, 'a\"b,c' AS q",
    )
    .await;
    assert_eq!(
        rows,
        [
            vec![Some("n".into()), Some("e".into()), Some("q".into())],
            vec![None, Some(String::new()), Some("a\"b,c".into())],
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn column_info_is_filled_as_athena_fills_it() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let id = start(&client, "SELECT 'a' AS s, 1 AS i").await;
    wait(&client, &id).await;
    let page = client
        .get_query_results()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap();
    let columns = page
        .result_set()
        .unwrap()
        .result_set_metadata()
        .unwrap()
        .column_info();
    assert_eq!(columns.len(), 2);
    let s = &columns[0];
    assert_eq!(
        (
            s.catalog_name(),
            s.schema_name(),
            s.table_name(),
            s.name(),
            s.label()
        ),
        (Some("hive"), Some(""), Some(""), "s", Some("s"))
    );
    assert_eq!(
        (s.r#type(), s.precision(), s.scale()),
        ("varchar", 2147483647, 0)
    );
    assert_eq!(s.nullable().map(ColumnNullable::as_str), Some("UNKNOWN"));
    assert!(s.case_sensitive());
    assert_eq!(
        (columns[1].r#type(), columns[1].precision()),
        ("integer", 10)
    );
    assert!(!columns[1].case_sensitive());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_execution_reports_what_athena_reports() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let id = client
        .start_query_execution()
        .query_string("SELECT 1")
        .query_execution_context(QueryExecutionContext::builder().database("default").build())
        .result_configuration(
            ResultConfiguration::builder()
                .output_location("s3://my-results/some/prefix")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .query_execution_id
        .unwrap();
    let execution = wait(&client, &id).await;
    assert_eq!(execution.query_execution_id(), Some(id.as_str()));
    assert_eq!(execution.query(), Some("SELECT 1"));
    let location = format!("s3://my-results/some/prefix/{id}.csv");
    assert_eq!(
        execution.result_configuration().unwrap().output_location(),
        Some(location.as_str())
    );
    assert_eq!(execution.work_group(), Some("primary"));
    assert_eq!(
        execution.query_execution_context().unwrap().database(),
        Some("default")
    );
    let status = execution.status().unwrap();
    let submitted = status.submission_date_time().unwrap();
    let completed = status.completion_date_time().unwrap();
    assert!(completed >= submitted);
    assert!(submitted.secs() > 1_600_000_000);
    let statistics = execution.statistics().unwrap();
    assert!(statistics.total_execution_time_in_millis().is_some());
    assert!(statistics.data_scanned_in_bytes().is_some());

    // The result file is where OutputLocation says, written as Athena writes it.
    let file = emulator
        .engine()
        .data_dir()
        .join("my-results/some/prefix")
        .join(format!("{id}.csv"));
    assert_eq!(std::fs::read_to_string(file).unwrap(), "\"_col0\"\n\"1\"\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_go_to_the_default_location_and_nulls_stay_empty_in_the_file() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let id = start(&client, "SELECT CAST(NULL AS varchar) AS a, '' AS b").await;
    let execution = wait(&client, &id).await;
    let location = execution
        .result_configuration()
        .unwrap()
        .output_location()
        .unwrap();
    assert_eq!(location, format!("s3://athena-emulator-results/{id}.csv"));
    let file = emulator
        .engine()
        .data_dir()
        .join(format!("athena-emulator-results/{id}.csv"));
    assert_eq!(
        std::fs::read_to_string(file).unwrap(),
        "\"a\",\"b\"\n,\"\"\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_pages_follow_max_results() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let id = start(&client, "SELECT x FROM UNNEST(sequence(1, 10)) AS t(x)").await;
    wait(&client, &id).await;
    let pages = pages(&client, &id, Some(3)).await;
    let sizes: Vec<usize> = pages
        .iter()
        .map(|p| p.result_set().unwrap().rows().len())
        .collect();
    assert_eq!(sizes, [3, 3, 3, 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syntax_errors_answer_malformed_query_at_start() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let error = client
        .start_query_execution()
        .query_string("SELEC 1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_invalid_request_exception(), "{error:?}");
    let aws_sdk_athena::operation::start_query_execution::StartQueryExecutionError::InvalidRequestException(e) = &error else {
        unreachable!()
    };
    assert_eq!(e.athena_error_code(), Some("MALFORMED_QUERY"));
    assert_eq!(emulator.active_queries(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_tables_end_failed_with_a_user_error() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let id = start(&client, "SELECT * FROM no_such_table").await;
    let execution = wait(&client, &id).await;
    let status = execution.status().unwrap();
    assert_eq!(status.state(), Some(&QueryExecutionState::Failed));
    let error = status.athena_error().unwrap();
    assert_eq!(error.error_category(), Some(2));
    assert_eq!(error.error_message(), status.state_change_reason());
    assert!(error.error_message().unwrap().contains("no_such_table"));

    let error = client
        .get_query_results()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        error.message(),
        Some("Query did not finish successfully. Final query state: FAILED")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_query_cancels_it() {
    let emulator = common::builder()
        .with_query_delay(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let client = client(&emulator);
    let id = start(&client, "SELECT 1").await;
    // Half the query delay is spent QUEUED.
    let queued = client
        .get_query_execution()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap();
    let status = queued.query_execution().unwrap().status().unwrap();
    assert_eq!(status.state(), Some(&QueryExecutionState::Queued));
    assert!(status.completion_date_time().is_none());
    let running = client
        .get_query_results()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        running
            .message()
            .unwrap()
            .starts_with("Query has not yet finished. Current state: "),
        "{running:?}"
    );
    assert_eq!(emulator.active_queries(), 1);
    client
        .stop_query_execution()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap();
    let execution = wait(&client, &id).await;
    let status = execution.status().unwrap();
    assert_eq!(status.state(), Some(&QueryExecutionState::Cancelled));
    assert_eq!(
        status.state_change_reason(),
        Some("Query cancelled by user")
    );
    assert!(status.athena_error().is_none());
    assert!(status.completion_date_time().is_some());
    assert_eq!(emulator.active_queries(), 0);

    // Stopping again changes nothing.
    client
        .stop_query_execution()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap();
    let error = client
        .get_query_results()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(error.message(), Some("Could not find results"));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_active_query_limit_starts_are_refused() {
    let emulator = common::builder()
        .with_max_active_queries(2)
        .with_query_delay(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let client = client_without_retries(&emulator);
    let first = start(&client, "SELECT 1").await;
    let _second = start(&client, "SELECT 2").await;
    let error = client
        .start_query_execution()
        .query_string("SELECT 3")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let aws_sdk_athena::operation::start_query_execution::StartQueryExecutionError::TooManyRequestsException(e) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        e.reason(),
        Some(&ThrottleReason::ConcurrentQueryLimitExceeded)
    );

    client
        .stop_query_execution()
        .query_execution_id(&first)
        .send()
        .await
        .unwrap();
    start(&client, "SELECT 3").await;
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_request_token_starts_one_query() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let token = "a-token-of-at-least-thirty-two-characters";
    let mut ids = Vec::new();
    for _ in 0..2 {
        ids.push(
            client
                .start_query_execution()
                .query_string("SELECT 1")
                .client_request_token(token)
                .send()
                .await
                .unwrap()
                .query_execution_id
                .unwrap(),
        );
    }
    assert_eq!(ids[0], ids[1]);
    let error = client
        .start_query_execution()
        .query_string("SELECT 2")
        .client_request_token(token)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let aws_sdk_athena::operation::start_query_execution::StartQueryExecutionError::InvalidRequestException(e) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(e.athena_error_code(), Some("IDEMPOTENT_PARAMETER_MISMATCH"));
    assert_eq!(e.message(), Some("Idempotent parameters do not match"));
}

/// The AthenaErrorCode and message of a GetQueryResults call that must fail with an
/// InvalidRequestException.
async fn results_error(
    client: &aws_sdk_athena::Client,
    id: &str,
    max: Option<i32>,
    token: Option<&str>,
) -> (Option<String>, Option<String>) {
    use aws_sdk_athena::operation::get_query_results::GetQueryResultsError;
    let error = client
        .get_query_results()
        .query_execution_id(id)
        .set_max_results(max)
        .set_next_token(token.map(str::to_owned))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    match error {
        GetQueryResultsError::InvalidRequestException(e) => (
            e.athena_error_code().map(str::to_owned),
            e.message().map(str::to_owned),
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_query_results_checks_in_athenas_order() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let ask = |id: &str, max: Option<i32>, token: Option<&str>| {
        client
            .get_query_results()
            .query_execution_id(id)
            .set_max_results(max)
            .set_next_token(token.map(str::to_owned))
            .send()
    };
    // 1 before 2: MaxResults < 1 on an unknown query.
    assert_eq!(
        results_error(&client, "nope", Some(0), None).await,
        (
            Some("INVALID_INPUT".into()),
            Some(
                "1 validation error detected: Value at 'maxResults' failed to satisfy \
                 constraint: Member must have value greater than or equal to 1"
                    .into()
            )
        )
    );
    // 2 before 3.
    assert_eq!(
        results_error(&client, "nope", Some(5000), None).await,
        (
            Some("QUERY_EXECUTION_NOT_FOUND".into()),
            Some("QueryExecution nope was not found".into())
        )
    );
    let id = start(&client, "SELECT x FROM UNNEST(sequence(1, 5)) AS t(x)").await;
    wait(&client, &id).await;
    // 3 before 5.
    assert_eq!(
        results_error(&client, &id, Some(1001), Some("forged")).await,
        (
            Some("INVALID_INPUT".into()),
            Some("MaxResults is more than maximum allowed length 1000".into())
        )
    );
    // 5: a forged or altered token.
    assert_eq!(
        results_error(&client, &id, None, Some("forged")).await,
        (
            Some("INVALID_INPUT".into()),
            Some("Malformed nextPageToken forged".into())
        )
    );
    let page = ask(&id, Some(2), None).await.unwrap();
    let token = page.next_token().unwrap().to_owned();
    let mut altered = token.clone().into_bytes();
    altered[3] = if altered[3] == b'0' { b'1' } else { b'0' };
    let altered = String::from_utf8(altered).unwrap();
    assert_eq!(
        results_error(&client, &id, None, Some(&altered)).await.1,
        Some(format!("Malformed nextPageToken {altered}"))
    );
    // A token of another query is refused too.
    let other = start(&client, "SELECT x FROM UNNEST(sequence(1, 5)) AS t(x)").await;
    wait(&client, &other).await;
    assert!(ask(&other, None, Some(&token)).await.is_err());
    // The genuine token still works.
    let next = ask(&id, Some(2), Some(&token)).await.unwrap();
    assert_eq!(
        values(&next.result_set().unwrap().rows()[0]),
        [Some("2".into())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_query_ids_are_not_found() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let e = client
        .get_query_execution()
        .query_execution_id("missing")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(e.message(), Some("QueryExecution missing was not found"));
    let e = client
        .stop_query_execution()
        .query_execution_id("missing")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(e.message(), Some("QueryExecution missing was not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_get_and_list_query_executions() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let a = start(&client, "SELECT 1").await;
    let b = start(&client, "SELECT 2").await;
    let c = start(&client, "SELECT 3").await;
    let batch = client
        .batch_get_query_execution()
        .query_execution_ids(&a)
        .query_execution_ids("missing")
        .query_execution_ids(&c)
        .send()
        .await
        .unwrap();
    let found: Vec<_> = batch
        .query_executions()
        .iter()
        .map(|q| q.query_execution_id().unwrap())
        .collect();
    assert_eq!(found, [a.as_str(), c.as_str()]);
    assert_eq!(
        batch.unprocessed_query_execution_ids()[0].query_execution_id(),
        Some("missing")
    );

    // Newest first, two a page.
    let first = client
        .list_query_executions()
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert_eq!(first.query_execution_ids(), [c.clone(), b.clone()]);
    let second = client
        .list_query_executions()
        .max_results(2)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.query_execution_ids(), std::slice::from_ref(&a));
    assert!(second.next_token().is_none());
    let other = client
        .list_query_executions()
        .work_group("other")
        .send()
        .await
        .unwrap();
    assert!(other.query_execution_ids().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_throttling_answers_rate_exceeded_and_is_counted() {
    let emulator = common::builder()
        .with_throttle_rate(1.0)
        .with_seed(1)
        .start()
        .await
        .unwrap();
    let client = client_without_retries(&emulator);
    let error = client
        .get_query_execution()
        .query_execution_id("x")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(error.code(), Some("ThrottlingException"));
    assert_eq!(error.message(), Some("Rate exceeded"));
    let calls = emulator.calls();
    assert_eq!(calls.get(Operation::GetQueryExecution), 1);
    assert_eq!(calls.faulted(Operation::GetQueryExecution), 1);
    assert_eq!(calls.total(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_server_errors_answer_500() {
    let emulator = common::builder()
        .with_operation_faults(
            Operation::GetQueryResults,
            athena_emulator::Faults::new().with_server_error_rate(1.0),
        )
        .start()
        .await
        .unwrap();
    let client = client_without_retries(&emulator);
    let id = start(&client, "SELECT 1").await;
    wait(&client, &id).await;
    let error = client
        .get_query_results()
        .query_execution_id(&id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_internal_server_exception(), "{error:?}");
    assert_eq!(emulator.calls().faulted(Operation::StartQueryExecution), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_faults_and_retries_no_row_is_lost_or_repeated() {
    let faults = athena_emulator::Faults::new()
        .with_throttle_rate(0.2)
        .with_server_error_rate(0.2)
        .with_drop_connection_rate(0.2)
        .with_latency(Duration::ZERO, Duration::from_millis(2));
    let emulator = common::builder()
        .with_faults(faults)
        .with_seed(7)
        .start()
        .await
        .unwrap();
    // Besides the random faults, the start's first answer is lost for sure: the query
    // runs, and the SDK's retry must find it by its ClientRequestToken.
    // So is one page's: the SDK's retry must read the same page again, not the next.
    // (The random faults above are drawn from one generator by calls that interleave,
    // so which call they hit varies from run to run; these two always happen.)
    emulator.inject(
        Operation::StartQueryExecution,
        athena_emulator::Injected::LoseAnswer,
        1,
    );
    emulator.inject(
        Operation::GetQueryResults,
        athena_emulator::Injected::LoseAnswer,
        1,
    );
    let client = client(&emulator);
    let rows = run(&client, "SELECT x FROM UNNEST(sequence(1, 2500)) AS t(x)").await;
    let numbers: Vec<i64> = rows[1..]
        .iter()
        .map(|r| r[0].as_deref().unwrap().parse().unwrap())
        .collect();
    assert_eq!(numbers, (1..=2500).collect::<Vec<_>>());
    let calls = emulator.calls();
    // The faults did fire, or this test proves nothing.
    assert_eq!(emulator.injected_left(Operation::StartQueryExecution), 0);
    assert_eq!(emulator.injected_left(Operation::GetQueryResults), 0);
    assert!(
        calls.faulted(Operation::StartQueryExecution) >= 1,
        "{calls:?}"
    );
    assert!(calls.faulted(Operation::GetQueryResults) >= 1, "{calls:?}");
    assert!(calls.served(Operation::GetQueryResults) >= 3, "{calls:?}");
    // However often the SDK retried its start (a lost answer included), one query ran.
    let listed = client.list_query_executions().send().await.unwrap();
    assert_eq!(listed.query_execution_ids().len(), 1, "{calls:?}");
    emulator.shutdown().await;
}
