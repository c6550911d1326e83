//! Workgroups: CreateWorkGroup, GetWorkGroup, ListWorkGroups,
//! UpdateWorkGroup and DeleteWorkGroup through the SDK and both protocols; `primary`;
//! a workgroup's result configuration, enforced or not; managed query results; the
//! bytes-scanned cutoff; and Athena's errors for what does not exist or is out of range.

use crate::common;
use crate::protocol::assert_error_in;
use crate::wire::{self, Wire};

use aws_sdk_athena::types::{
    EncryptionConfiguration, EncryptionOption, ManagedQueryResultsConfiguration,
    ManagedQueryResultsEncryptionConfiguration, QueryExecutionState, ResultConfiguration,
    ResultConfigurationUpdates, WorkGroupConfiguration, WorkGroupConfigurationUpdates,
    WorkGroupState,
};
use serde_json::{Value, json};

const KMS_ARN: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// The SDK error's code and message.
fn error<E: aws_sdk_athena::error::ProvideErrorMetadata>(e: &E) -> (String, String) {
    (
        e.code().unwrap_or_default().to_owned(),
        e.message().unwrap_or_default().to_owned(),
    )
}

fn sse(option: EncryptionOption) -> EncryptionConfiguration {
    EncryptionConfiguration::builder()
        .encryption_option(option)
        .build()
        .unwrap()
}

/// Writes a CSV table of `rows` rows of two columns under `s3://data/<name>/` and
/// creates it; answers the file's length.
pub async fn csv_table(
    emulator: &athena_emulator::Emulator,
    athena: &aws_sdk_athena::Client,
    name: &str,
    rows: usize,
) -> u64 {
    let dir = emulator.engine().data_dir().join("data").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = String::with_capacity(rows * 40);
    for i in 0..rows {
        text.push_str(&format!("{i},a value of some length for row {i:08}\n"));
    }
    std::fs::write(dir.join("part-0.csv"), &text).unwrap();
    common::run(
        athena,
        &format!(
            "CREATE EXTERNAL TABLE {name} (id bigint, label string) \
             ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://data/{name}/'"
        ),
    )
    .await;
    text.len() as u64
}

/// Starts `sql` in `work_group` and waits for its end.
async fn run_in(
    athena: &aws_sdk_athena::Client,
    work_group: &str,
    sql: &str,
    configuration: Option<ResultConfiguration>,
) -> aws_sdk_athena::types::QueryExecution {
    let id = athena
        .start_query_execution()
        .query_string(sql)
        .work_group(work_group)
        .set_result_configuration(configuration)
        .send()
        .await
        .unwrap_or_else(|e| panic!("start in {work_group}: {e:?}"))
        .query_execution_id
        .unwrap();
    common::wait(athena, &id).await
}

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn workgroups_are_created_read_listed_updated_and_deleted() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);

    // `primary` exists, as measured on Athena.
    let primary = athena
        .get_work_group()
        .work_group("primary")
        .send()
        .await
        .unwrap()
        .work_group
        .unwrap();
    assert_eq!(primary.state(), Some(&WorkGroupState::Enabled));
    let configuration = primary.configuration().unwrap();
    assert_eq!(
        configuration.enforce_work_group_configuration(),
        Some(false)
    );
    assert_eq!(configuration.bytes_scanned_cutoff_per_query(), None);
    assert!(primary.creation_time().is_some());

    athena
        .create_work_group()
        .name("analytics")
        .description("the analysts' queries")
        .configuration(
            WorkGroupConfiguration::builder()
                .result_configuration(
                    ResultConfiguration::builder()
                        .output_location("s3://wg-results/analytics/")
                        .encryption_configuration(sse(EncryptionOption::SseS3))
                        .expected_bucket_owner("123456789012")
                        .build(),
                )
                .enforce_work_group_configuration(true)
                .bytes_scanned_cutoff_per_query(10_000_000)
                .publish_cloud_watch_metrics_enabled(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    athena
        .create_work_group()
        .name("batch")
        .send()
        .await
        .unwrap();
    let analytics = athena
        .get_work_group()
        .work_group("analytics")
        .send()
        .await
        .unwrap()
        .work_group
        .unwrap();
    assert_eq!(analytics.description(), Some("the analysts' queries"));
    let configuration = analytics.configuration().unwrap();
    assert_eq!(configuration.enforce_work_group_configuration(), Some(true));
    assert_eq!(
        configuration.bytes_scanned_cutoff_per_query(),
        Some(10_000_000)
    );
    assert_eq!(
        configuration.publish_cloud_watch_metrics_enabled(),
        Some(true)
    );
    let result = configuration.result_configuration().unwrap();
    assert_eq!(result.output_location(), Some("s3://wg-results/analytics/"));
    assert_eq!(result.expected_bucket_owner(), Some("123456789012"));

    // Listed in name order, paged.
    let all = athena.list_work_groups().send().await.unwrap();
    let names: Vec<_> = all.work_groups().iter().filter_map(|w| w.name()).collect();
    assert_eq!(names, ["analytics", "batch", "primary"]);
    assert_eq!(all.next_token(), None);
    let mut token = None;
    let mut paged = Vec::new();
    loop {
        let page = athena
            .list_work_groups()
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert_eq!(page.work_groups().len(), 1);
        paged.push(page.work_groups()[0].name().unwrap().to_owned());
        match page.next_token() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(paged, names);
    let malformed = athena
        .list_work_groups()
        .next_token("not-a-token")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error(&malformed),
        (
            "InvalidRequestException".into(),
            "The nextPageToken is malformed: not-a-token".into()
        )
    );

    // Updated: settings replaced and removed, disabled.
    athena
        .update_work_group()
        .work_group("analytics")
        .configuration_updates(
            WorkGroupConfigurationUpdates::builder()
                .enforce_work_group_configuration(false)
                .remove_bytes_scanned_cutoff_per_query(true)
                .result_configuration_updates(
                    ResultConfigurationUpdates::builder()
                        .output_location("s3://wg-results/analytics-2/")
                        .remove_expected_bucket_owner(true)
                        .build(),
                )
                .build(),
        )
        .state(WorkGroupState::Disabled)
        .send()
        .await
        .unwrap();
    let analytics = athena
        .get_work_group()
        .work_group("analytics")
        .send()
        .await
        .unwrap()
        .work_group
        .unwrap();
    assert_eq!(analytics.state(), Some(&WorkGroupState::Disabled));
    let configuration = analytics.configuration().unwrap();
    assert_eq!(
        configuration.enforce_work_group_configuration(),
        Some(false)
    );
    assert_eq!(configuration.bytes_scanned_cutoff_per_query(), None);
    let result = configuration.result_configuration().unwrap();
    assert_eq!(
        result.output_location(),
        Some("s3://wg-results/analytics-2/")
    );
    assert_eq!(result.expected_bucket_owner(), None);
    // A disabled workgroup runs nothing.
    let refused = athena
        .start_query_execution()
        .query_string("SELECT 1")
        .work_group("analytics")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error(&refused).1, "WorkGroup is disabled.");

    // Deleted: `primary` never; one with queries only recursively.
    let refused = athena
        .delete_work_group()
        .work_group("primary")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error(&refused).0, "InvalidRequestException");
    let id = common::start_in(&athena, "batch", "SELECT 1").await;
    common::wait(&athena, &id).await;
    let refused = athena
        .delete_work_group()
        .work_group("batch")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error(&refused).0, "InvalidRequestException");
    athena
        .delete_work_group()
        .work_group("batch")
        .recursive_delete_option(true)
        .send()
        .await
        .unwrap();
    let gone = athena
        .get_work_group()
        .work_group("batch")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error(&gone),
        (
            "InvalidRequestException".into(),
            "WorkGroup is not found.".into()
        )
    );
    // Its query stays readable by id.
    common::wait(&athena, &id).await;
    emulator.shutdown().await;
}

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn workgroup_operations_answer_alike_in_both_protocols() {
    let emulator = common::emulator().await;
    for wire in Wire::BOTH {
        let name = format!("wg-{wire:?}");
        let created = wire::call(
            &emulator,
            wire,
            "CreateWorkGroup",
            json!({"Name": name, "Description": "d",
                   "Configuration": {"BytesScannedCutoffPerQuery": 20000000,
                                     "ResultConfiguration": {"OutputLocation": "s3://b/p/"}}}),
        )
        .await;
        assert_eq!(created.status, 200, "{wire:?}: {created:?}");
        assert_eq!(created.json(), json!({}));
        let got = wire::call(&emulator, wire, "GetWorkGroup", json!({"WorkGroup": name})).await;
        assert_eq!(got.status, 200, "{wire:?}: {got:?}");
        let work_group = &got.json()["WorkGroup"];
        assert_eq!(work_group["Name"], name);
        assert_eq!(work_group["Description"], "d");
        assert_eq!(work_group["State"], "ENABLED");
        assert_eq!(
            work_group["Configuration"]["BytesScannedCutoffPerQuery"],
            20_000_000
        );
        assert_eq!(
            work_group["Configuration"]["ResultConfiguration"],
            json!({"OutputLocation": "s3://b/p/"})
        );
        let updated = wire::call(
            &emulator,
            wire,
            "UpdateWorkGroup",
            json!({"WorkGroup": name,
                   "ConfigurationUpdates": {"BytesScannedCutoffPerQuery": 30000000}}),
        )
        .await;
        assert_eq!(updated.status, 200, "{wire:?}: {updated:?}");
        let listed = wire::call(&emulator, wire, "ListWorkGroups", json!({"MaxResults": 50})).await;
        let names: Vec<Value> = listed.json()["WorkGroups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["Name"].clone())
            .collect();
        assert!(names.contains(&json!(name)), "{names:?}");
        let deleted = wire::call(
            &emulator,
            wire,
            "DeleteWorkGroup",
            json!({"WorkGroup": name, "RecursiveDeleteOption": true}),
        )
        .await;
        assert_eq!(deleted.status, 200, "{wire:?}: {deleted:?}");

        // What does not exist, or is out of range, is Athena's error.
        for (operation, members) in [
            ("GetWorkGroup", json!({"WorkGroup": "missing"})),
            ("DeleteWorkGroup", json!({"WorkGroup": "missing"})),
            ("UpdateWorkGroup", json!({"WorkGroup": "missing"})),
            (
                "StartQueryExecution",
                json!({"QueryString": "SELECT 1", "WorkGroup": "missing",
                       "ClientRequestToken": format!("missing-wg-{wire:?}-000000000000000000000")}),
            ),
        ] {
            let answer = wire::call(&emulator, wire, operation, members).await;
            assert_error_in(
                wire,
                &answer,
                "InvalidRequestException",
                Some("INVALID_INPUT"),
                "WorkGroup is not found.",
            );
        }
        let answer = wire::call(
            &emulator,
            wire,
            "CreateWorkGroup",
            json!({"Name": "cheap", "Configuration": {"BytesScannedCutoffPerQuery": 9999999}}),
        )
        .await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "1 validation error detected: Value at 'configuration.bytesScannedCutoffPerQuery' \
             failed to satisfy constraint: Member must have value greater than or equal to \
             10000000",
        );
        let answer = wire::call(
            &emulator,
            wire,
            "CreateWorkGroup",
            json!({"Name": "bad name!"}),
        )
        .await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9._-]{1,128}",
        );
        let answer = wire::call(
            &emulator,
            wire,
            "CreateWorkGroup",
            json!({"Name": "managed-key",
                   "Configuration": {"ManagedQueryResultsConfiguration":
                       {"Enabled": true, "EncryptionConfiguration": {"KmsKey": "my-key"}}}}),
        )
        .await;
        assert_eq!(answer.status, 400, "{wire:?}: {answer:?}");
        assert!(
            answer.json()["Message"]
                .as_str()
                .unwrap()
                .contains("'configuration.managedQueryResultsConfiguration.encryptionConfiguration.kmsKey' failed to satisfy constraint: Member must satisfy regular expression pattern"),
            "{wire:?}: {answer:?}"
        );
        let answer = wire::call(&emulator, wire, "ListWorkGroups", json!({"MaxResults": 51})).await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INVALID_INPUT"),
            "1 validation error detected: Value at 'maxResults' failed to satisfy \
             constraint: Member must have value less than or equal to 50",
        );
    }
    emulator.shutdown().await;
}

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn an_enforcing_workgroup_overrides_the_clients_result_configuration() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let s3 = common::s3_client(&emulator);
    athena
        .create_work_group()
        .name("enforced")
        .configuration(
            WorkGroupConfiguration::builder()
                .result_configuration(
                    ResultConfiguration::builder()
                        .output_location("s3://wg-results/enforced/")
                        .encryption_configuration(sse(EncryptionOption::SseS3))
                        .build(),
                )
                .enforce_work_group_configuration(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    athena
        .create_work_group()
        .name("lenient")
        .configuration(
            WorkGroupConfiguration::builder()
                .result_configuration(
                    ResultConfiguration::builder()
                        .output_location("s3://wg-results/lenient/")
                        .encryption_configuration(
                            EncryptionConfiguration::builder()
                                .encryption_option(EncryptionOption::SseKms)
                                .kms_key(KMS_ARN)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let client_side = ResultConfiguration::builder()
        .output_location("s3://client-results/mine/")
        .build();

    let enforced = run_in(&athena, "enforced", "SELECT 1", Some(client_side.clone())).await;
    assert_eq!(enforced.work_group(), Some("enforced"));
    let result = enforced.result_configuration().unwrap();
    let location = result.output_location().unwrap();
    assert!(
        location.starts_with("s3://wg-results/enforced/"),
        "{location}"
    );
    assert_eq!(
        result
            .encryption_configuration()
            .map(|e| e.encryption_option()),
        Some(&EncryptionOption::SseS3)
    );
    let (bucket, key) = common::bucket_and_key(location);
    s3.head_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap();

    // Not enforced: the client's location wins; what it leaves out, the workgroup's.
    let lenient = run_in(&athena, "lenient", "SELECT 1", Some(client_side)).await;
    let result = lenient.result_configuration().unwrap();
    let location = result.output_location().unwrap();
    assert!(
        location.starts_with("s3://client-results/mine/"),
        "{location}"
    );
    assert_eq!(
        result.encryption_configuration().and_then(|e| e.kms_key()),
        Some(KMS_ARN)
    );
    let (bucket, key) = common::bucket_and_key(location);
    let head = s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap();
    assert_eq!(head.ssekms_key_id(), Some(KMS_ARN));
    emulator.shutdown().await;
}

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn managed_query_results_have_no_s3_location_and_page_through_the_api() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let s3 = common::s3_client(&emulator);
    athena
        .create_work_group()
        .name("managed")
        .configuration(
            WorkGroupConfiguration::builder()
                .managed_query_results_configuration(
                    ManagedQueryResultsConfiguration::builder()
                        .enabled(true)
                        .encryption_configuration(
                            ManagedQueryResultsEncryptionConfiguration::builder()
                                .kms_key(KMS_ARN)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let execution = run_in(
        &athena,
        "managed",
        "SELECT x FROM UNNEST(sequence(1, 1500)) AS t(x)",
        None,
    )
    .await;
    assert_eq!(
        execution.status().and_then(|s| s.state()),
        Some(&QueryExecutionState::Succeeded)
    );
    assert_eq!(
        execution
            .result_configuration()
            .and_then(|r| r.output_location()),
        None
    );
    let managed = execution.managed_query_results_configuration().unwrap();
    assert!(managed.enabled());
    assert_eq!(
        managed.encryption_configuration().map(|e| e.kms_key()),
        Some(KMS_ARN)
    );
    let id = execution.query_execution_id().unwrap();
    let rows: usize = common::pages(&athena, id, None)
        .await
        .iter()
        .map(|p| p.result_set().unwrap().rows().len())
        .sum();
    assert_eq!(rows, 1501);
    // No bucket the caller can list holds the result.
    let buckets = s3.list_buckets().send().await.unwrap();
    for bucket in buckets.buckets() {
        let name = bucket.name().unwrap();
        let objects = s3.list_objects_v2().bucket(name).send().await.unwrap();
        for object in objects.contents() {
            assert!(
                !object.key().unwrap().contains(id),
                "{name}/{:?}",
                object.key()
            );
        }
    }
    // An output location of the client's is refused where results are managed.
    let refused = athena
        .start_query_execution()
        .query_string("SELECT 1")
        .work_group("managed")
        .result_configuration(
            ResultConfiguration::builder()
                .output_location("s3://client-results/")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(error(&refused).0, "InvalidRequestException");
    // ... as is a workgroup with both.
    let refused = athena
        .create_work_group()
        .name("both")
        .configuration(
            WorkGroupConfiguration::builder()
                .result_configuration(
                    ResultConfiguration::builder()
                        .output_location("s3://wg-results/both/")
                        .build(),
                )
                .managed_query_results_configuration(
                    ManagedQueryResultsConfiguration::builder()
                        .enabled(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(error(&refused).0, "InvalidRequestException");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_query_past_the_bytes_scanned_cutoff_is_cancelled_at_the_cutoff() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    // About 10.6 MB: past the smallest cutoff Athena allows.
    let big = csv_table(&emulator, &athena, "big", 250_000).await;
    assert!(big > 10_000_000, "{big}");
    let small = csv_table(&emulator, &athena, "small", 100).await;
    athena
        .create_work_group()
        .name("guarded")
        .configuration(
            WorkGroupConfiguration::builder()
                .bytes_scanned_cutoff_per_query(10_000_000)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let cut = run_in(&athena, "guarded", "SELECT count(*) FROM big", None).await;
    let status = cut.status().unwrap();
    assert_eq!(status.state(), Some(&QueryExecutionState::Cancelled));
    assert_eq!(
        status.state_change_reason(),
        Some("Bytes scanned limit was exceeded")
    );
    assert_eq!(
        cut.statistics().and_then(|s| s.data_scanned_in_bytes()),
        Some(10_000_000)
    );
    let results = athena
        .get_query_results()
        .query_execution_id(cut.query_execution_id().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error(&results).1, "Could not find results");
    assert_eq!(emulator.active_queries(), 0);

    // Under the cutoff, a query runs; outside the workgroup, the big one too.
    let fine = run_in(&athena, "guarded", "SELECT count(*) FROM small", None).await;
    assert_eq!(
        fine.status().and_then(|s| s.state()),
        Some(&QueryExecutionState::Succeeded)
    );
    assert_eq!(
        fine.statistics().and_then(|s| s.data_scanned_in_bytes()),
        Some(small as i64)
    );
    let unguarded = run_in(&athena, "primary", "SELECT count(*) FROM big", None).await;
    assert_eq!(
        unguarded
            .statistics()
            .and_then(|s| s.data_scanned_in_bytes()),
        Some(big as i64)
    );
    emulator.shutdown().await;
}
