//! Helpers shared by the integration tests: an emulator, a real aws-sdk-athena client
//! pointed at it, and small drivers for a query's life.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use athena_emulator::{Emulator, EmulatorBuilder, EngineConfig};
use aws_sdk_athena::Client;
use aws_sdk_athena::config::retry::RetryConfig;
use aws_sdk_athena::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_athena::types::{QueryExecution, QueryExecutionState, Row};

/// The tests' engine configuration: a fresh temp data dir and no CloudFront dataset
/// (fast to start). Tests that need more start from it: `EngineConfig { data_dir,
/// ..common::engine_config() }`.
pub fn engine_config() -> EngineConfig {
    EngineConfig {
        cloudfront_rows: 0,
        ..EngineConfig::default()
    }
}

/// A builder for an emulator without the CloudFront dataset (fast to start).
pub fn builder() -> EmulatorBuilder {
    builder_with(engine_config())
}

/// A builder for an emulator over `config`.
pub fn builder_with(config: EngineConfig) -> EmulatorBuilder {
    Emulator::builder().with_engine_config(config)
}

/// Starts an emulator without the CloudFront dataset.
pub async fn emulator() -> Emulator {
    builder().start().await.expect("emulator starts")
}

/// A real Athena client for the emulator, with test credentials and quick retries.
pub fn client(emulator: &Emulator) -> Client {
    client_with_retries(
        emulator,
        RetryConfig::standard()
            .with_max_attempts(10)
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(5)),
    )
}

/// A real Athena client that does not retry.
pub fn client_without_retries(emulator: &Emulator) -> Client {
    client_with_retries(emulator, RetryConfig::disabled())
}

fn client_with_retries(emulator: &Emulator, retry: RetryConfig) -> Client {
    client_at(&emulator.endpoint_url(), retry)
}

/// A real Athena client for an emulator at `url` (one started elsewhere, such as the
/// binary), with test credentials.
pub fn client_at(url: &str, retry: RetryConfig) -> Client {
    let config = aws_sdk_athena::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDEXAMPLE",
            "test-secret",
            None,
            None,
            "tests",
        ))
        .endpoint_url(url)
        .retry_config(retry)
        .build();
    Client::from_conf(config)
}

/// A real S3 client for the emulator's S3 side: path-style, test credentials, quick
/// retries.
pub fn s3_client(emulator: &Emulator) -> aws_sdk_s3::Client {
    s3_client_with_retries(
        emulator,
        aws_sdk_s3::config::retry::RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(5)),
    )
}

/// A real S3 client for the emulator that does not retry.
pub fn s3_client_without_retries(emulator: &Emulator) -> aws_sdk_s3::Client {
    s3_client_with_retries(emulator, aws_sdk_s3::config::retry::RetryConfig::disabled())
}

fn s3_client_with_retries(
    emulator: &Emulator,
    retry: aws_sdk_s3::config::retry::RetryConfig,
) -> aws_sdk_s3::Client {
    s3_client_at(&emulator.endpoint_url(), retry)
}

/// A real S3 client for an emulator at `url`: path-style, test credentials.
pub fn s3_client_at(
    url: &str,
    retry: aws_sdk_s3::config::retry::RetryConfig,
) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "AKIDEXAMPLE",
            "any-secret",
            None,
            None,
            "tests",
        ))
        .endpoint_url(url)
        // The emulator serves `http://HOST:PORT/bucket/key`, not `bucket.HOST`.
        .force_path_style(true)
        .retry_config(retry)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// Splits `s3://bucket/key` into bucket and key.
pub fn bucket_and_key(uri: &str) -> (String, String) {
    let rest = uri.strip_prefix("s3://").expect("an s3:// URI");
    let (bucket, key) = rest.split_once('/').expect("a key");
    (bucket.to_owned(), key.to_owned())
}

/// Starts `sql` and answers its QueryExecutionId.
pub async fn start(client: &Client, sql: &str) -> String {
    client
        .start_query_execution()
        .query_string(sql)
        .send()
        .await
        .unwrap_or_else(|e| panic!("start {sql}: {e:?}"))
        .query_execution_id
        .expect("an id")
}

/// Starts `sql` in the workgroup `work_group` and answers its QueryExecutionId.
pub async fn start_in(client: &Client, work_group: &str, sql: &str) -> String {
    client
        .start_query_execution()
        .query_string(sql)
        .work_group(work_group)
        .send()
        .await
        .unwrap_or_else(|e| panic!("start {sql} in {work_group}: {e:?}"))
        .query_execution_id
        .expect("an id")
}

/// Polls GetQueryExecution until the query is SUCCEEDED, FAILED or CANCELLED.
pub async fn wait(client: &Client, id: &str) -> QueryExecution {
    loop {
        let execution = client
            .get_query_execution()
            .query_execution_id(id)
            .send()
            .await
            .expect("GetQueryExecution")
            .query_execution
            .expect("a QueryExecution");
        let state = execution.status().and_then(|s| s.state()).cloned();
        match state {
            Some(QueryExecutionState::Queued | QueryExecutionState::Running) => {
                // Polling, not synchronisation: the state is re-read until final.
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            Some(_) => return execution,
            None => panic!("no state in {execution:?}"),
        }
    }
}

/// Every page of a query's results, in order, with the tokens seen.
pub async fn pages(
    client: &Client,
    id: &str,
    max_results: Option<i32>,
) -> Vec<aws_sdk_athena::operation::get_query_results::GetQueryResultsOutput> {
    let mut token: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let page = client
            .get_query_results()
            .query_execution_id(id)
            .set_max_results(max_results)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("GetQueryResults");
        let next = page.next_token.clone();
        pages.push(page);
        match next {
            Some(next) => {
                assert_ne!(Some(&next), token.as_ref(), "a token repeated");
                token = Some(next);
            }
            None => return pages,
        }
    }
}

/// A row's values, NULL as None.
pub fn values(row: &Row) -> Vec<Option<String>> {
    row.data()
        .iter()
        .map(|d| d.var_char_value().map(str::to_owned))
        .collect()
}

/// Runs `sql` to the end and answers all rows of all pages (header included for DML).
pub async fn run(client: &Client, sql: &str) -> Vec<Vec<Option<String>>> {
    let id = start(client, sql).await;
    let execution = wait(client, &id).await;
    assert_eq!(
        execution.status().and_then(|s| s.state()),
        Some(&QueryExecutionState::Succeeded),
        "{execution:?}"
    );
    pages(client, &id, None)
        .await
        .iter()
        .flat_map(|p| p.result_set().map(|r| r.rows()).unwrap_or_default())
        .map(values)
        .collect()
}
