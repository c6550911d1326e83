//! What a production account needs: the result configuration sent and what
//! Athena used reported, the expected bucket owner on the query and on every S3
//! request, workgroups that enforce their configuration or keep results in managed
//! storage, the cost guard, and live progress.

use std::sync::{Arc, Mutex};

use aws_sdk_athena::types as sdk;
use futures::TryStreamExt;

use super::backend::{Backend, OnEmulatorIn, OnFake, Protocol, Queries, ResultFiles};
use super::{numbers, on_both_backends, range};
use crate::error::{Error, Operation};
use crate::execution::QueryState;
use crate::fake::s3::ACCOUNT_ID;
use crate::progress::QueryProgress;
use crate::query::StartQueryExecution;
use crate::result_configuration::{
    EncryptionConfiguration, EncryptionOption, ResultConfiguration, S3AclOption,
};
use crate::row::Row;
use crate::settings::ReadPath;

/// An account that owns none of the backend's buckets.
const OTHER_ACCOUNT: &str = "111122223333";

/// A KMS key of the backend's account.
const KMS_KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// What these rules need from a backend besides its result files.
pub(super) trait Accounts: ResultFiles {
    /// Makes the queries of the returned workgroup run with `result` whatever they ask
    /// for, as a workgroup that enforces its configuration does.
    async fn enforcing(&self, result: ResultConfiguration) -> Option<String>;

    /// Makes the queries of the returned workgroup keep their results in Athena's
    /// managed storage.
    async fn managed(&self) -> Option<String>;

    /// A query that scans about a megabyte, slowly (with [`Queries::SlowScan`]).
    async fn scanning(&self) -> StartQueryExecution;

    /// The `x-amz-expected-bucket-owner` of every S3 call so far, where the backend can
    /// tell.
    fn owners_sent(&self) -> Option<Vec<Option<String>>>;
}

impl Accounts for OnFake {
    async fn enforcing(&self, result: ResultConfiguration) -> Option<String> {
        self.fake.enforce(result);
        None
    }

    async fn managed(&self) -> Option<String> {
        self.fake.set_managed(true);
        None
    }

    async fn scanning(&self) -> StartQueryExecution {
        let mut plan = self.plan(vec![vec![Some("25000".to_owned())]], vec![("n", "bigint")]);
        plan.scanned_per_poll = 100_000;
        self.push(plan)
    }

    fn owners_sent(&self) -> Option<Vec<Option<String>>> {
        Some(self.s3.owners_sent())
    }
}

impl<P: Protocol> Accounts for OnEmulatorIn<P> {
    async fn enforcing(&self, result: ResultConfiguration) -> Option<String> {
        let name = "enforcing";
        let encryption = result.encryption_configuration.map(|e| {
            sdk::EncryptionConfiguration::builder()
                .encryption_option(e.encryption_option.as_str().into())
                .set_kms_key(e.kms_key)
                .build()
                .expect("an option is set")
        });
        self.client
            .create_work_group()
            .name(name)
            .configuration(
                sdk::WorkGroupConfiguration::builder()
                    .result_configuration(
                        sdk::ResultConfiguration::builder()
                            .set_output_location(result.output_location)
                            .set_encryption_configuration(encryption)
                            .build(),
                    )
                    .enforce_work_group_configuration(true)
                    .build(),
            )
            .send()
            .await
            .expect("CreateWorkGroup answers");
        Some(name.to_owned())
    }

    async fn managed(&self) -> Option<String> {
        let name = "managed";
        self.client
            .create_work_group()
            .name(name)
            .configuration(
                sdk::WorkGroupConfiguration::builder()
                    .managed_query_results_configuration(
                        sdk::ManagedQueryResultsConfiguration::builder()
                            .enabled(true)
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("CreateWorkGroup answers");
        Some(name.to_owned())
    }

    async fn scanning(&self) -> StartQueryExecution {
        // A CSV table of about 1 MB: four seconds at the slow rate.
        let dir = self
            .emulator
            .engine()
            .data_dir()
            .join("data")
            .join("events");
        std::fs::create_dir_all(&dir).expect("the data folder");
        let text: String = (0..25_000)
            .map(|i| format!("{i},a value of some length for row {i:08}\n"))
            .collect();
        std::fs::write(dir.join("part-0.csv"), text).expect("the table's file");
        let create = "CREATE EXTERNAL TABLE IF NOT EXISTS events (id bigint, label string) \
             ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://data/events/'";
        self.builder()
            .build()
            .expect("valid settings")
            .execute(create)
            .await
            .expect("the table is made");
        StartQueryExecution::new("SELECT count(*) AS n FROM events")
    }

    fn owners_sent(&self) -> Option<Vec<Option<String>>> {
        None
    }
}

async fn read_all(stream: &mut crate::RowStream) -> crate::Result<Vec<Row>> {
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await? {
        rows.push(row);
    }
    Ok(rows)
}

fn in_workgroup(query: StartQueryExecution, workgroup: Option<String>) -> StartQueryExecution {
    match workgroup {
        Some(w) => query.with_workgroup(w),
        None => query,
    }
}

/// The settings asked for reach Athena, and what it used is reported: on the query
/// execution and in the stats, with nothing said to be overridden. Every S3 request
/// for the result file names the expected owner.
async fn result_configuration_is_sent_and_what_was_used_reported<B: Accounts>() {
    let backend = B::start(Queries::Quick).await;
    let athena = backend.result_file_builder().build().unwrap();
    let kms = EncryptionConfiguration::new(EncryptionOption::SseKms).with_kms_key(KMS_KEY);
    let query = backend
        .numbers(3)
        .with_encryption_configuration(kms.clone())
        .with_expected_bucket_owner(ACCOUNT_ID)
        .with_acl_option(S3AclOption::BucketOwnerFullControl);
    let mut stream = athena.query(query);
    let rows = read_all(&mut stream).await.expect("the rows");
    assert_eq!(numbers(&rows), range(1, 3));
    let used = stream.query_execution().unwrap().result_configuration;
    assert_eq!(used.encryption_configuration, Some(kms));
    assert_eq!(used.expected_bucket_owner.as_deref(), Some(ACCOUNT_ID));
    assert_eq!(used.acl_option, Some(S3AclOption::BucketOwnerFullControl));
    let stats = stream.stats();
    assert_eq!(stats.result_configuration, Some(used));
    assert!(stats.result_configuration_overridden.is_empty());
    assert_eq!(stats.read_path, Some(ReadPath::ResultFile));
    if let Some(owners) = backend.owners_sent() {
        assert!(!owners.is_empty());
        assert!(
            owners.iter().all(|o| o.as_deref() == Some(ACCOUNT_ID)),
            "{owners:?}"
        );
    }
    backend.finish().await;
}

/// A query whose output bucket another account owns is refused at the start, plainly,
/// and not retried.
async fn a_bucket_of_another_account_is_refused_at_the_start<B: Accounts>() {
    let backend = B::start(Queries::Quick).await;
    let athena = backend.file_builder().build().unwrap();
    let query = backend.numbers(3).with_expected_bucket_owner(OTHER_ACCOUNT);
    let err = read_all(&mut athena.query(query)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { operation: Operation::StartQueryExecution, message, .. }
            if message.contains("Unable to verify/create output bucket")),
        "{err}"
    );
    assert_eq!(backend.calls(Operation::StartQueryExecution), 1);
    assert!(backend.started().await.is_empty());
    backend.finish().await;
}

/// A handle that expects another owner reads no byte of the file and does not fall
/// back to `GetQueryResults`: the error says the bucket belongs to another account.
async fn a_handle_expecting_another_owner_never_reads_the_file<B: Accounts>() {
    let backend = B::start(Queries::Quick).await;
    for read_path in [ReadPath::Auto, ReadPath::ResultFile] {
        let athena = backend
            .file_builder()
            .with_read_path(read_path)
            .with_expected_bucket_owner(OTHER_ACCOUNT)
            .build()
            .unwrap();
        // Two pages: Auto reads the first through GetQueryResults, then turns to S3.
        let mut stream = athena.query(backend.numbers(1500));
        let mut rows = 0;
        let err = loop {
            match stream.try_next().await {
                Ok(Some(_)) => rows += 1,
                Ok(None) => panic!("{read_path}: all rows read from a bucket of another account"),
                Err(e) => break e,
            }
        };
        assert!(
            matches!(&err, Error::BucketOwnerMismatch { location, expected_bucket_owner, .. }
                if location.starts_with("s3://") && expected_bucket_owner == OTHER_ACCOUNT),
            "{read_path}: {err}"
        );
        assert!(
            err.to_string().contains("belongs to another account"),
            "{err}"
        );
        // Only page 1 came, through GetQueryResults, with Auto.
        assert!(rows < 1500, "{read_path}: {rows}");
        assert_eq!(stream.stats().fallback_reason, None);
    }
    assert_eq!(backend.s3_calls(Operation::GetObject), 0);
    backend.finish().await;
}

/// With a workgroup that enforces its configuration, its settings are the ones used,
/// read back from `GetQueryExecution`, and the stats name the settings it replaced.
async fn a_workgroup_that_enforces_its_configuration_wins<B: Accounts>() {
    let backend = B::start(Queries::Quick).await;
    let enforced = ResultConfiguration {
        output_location: Some("s3://wg-results/enforced/".to_owned()),
        encryption_configuration: Some(EncryptionConfiguration::new(EncryptionOption::SseS3)),
        ..ResultConfiguration::default()
    };
    let workgroup = backend.enforcing(enforced).await;
    let athena = backend.result_file_builder().build().unwrap();
    let query = in_workgroup(backend.numbers(3), workgroup)
        .with_output_location("s3://mine/asked/")
        .with_encryption_configuration(
            EncryptionConfiguration::new(EncryptionOption::SseKms).with_kms_key(KMS_KEY),
        );
    let mut stream = athena.query(query);
    let rows = read_all(&mut stream)
        .await
        .expect("the rows, from the workgroup's file");
    assert_eq!(numbers(&rows), range(1, 3));
    let used = stream.query_execution().unwrap().result_configuration;
    let location = used.output_location.clone().unwrap();
    assert!(!location.starts_with("s3://mine/"), "{location}");
    assert_eq!(
        used.encryption_configuration,
        Some(EncryptionConfiguration::new(EncryptionOption::SseS3))
    );
    let stats = stream.stats();
    assert_eq!(
        stats.result_configuration_overridden,
        ["OutputLocation", "EncryptionConfiguration"]
    );
    assert_eq!(stats.read_path, Some(ReadPath::ResultFile));
    backend.finish().await;
}

/// Results in Athena's managed storage come through `GetQueryResults`, with the reason
/// and the way to go faster; asked for from the file only, they are an error that says
/// why.
async fn managed_results_come_through_the_api_with_the_reason<B: Accounts>() {
    let backend = B::start(Queries::Quick).await;
    let workgroup = backend.managed().await;
    let athena = backend.file_builder().build().unwrap();
    let mut stream = athena.query(in_workgroup(backend.numbers(1500), workgroup.clone()));
    let rows = read_all(&mut stream).await.expect("the rows");
    assert_eq!(numbers(&rows), range(1, 1500));
    let stats = stream.stats();
    assert_eq!(stats.read_path, Some(ReadPath::Api));
    let reason = stats.fallback_reason.unwrap();
    assert!(
        reason.contains("managed storage") && reason.contains("UNLOAD"),
        "{reason}"
    );
    assert!(stream.query_execution().unwrap().managed_query_results);

    let athena = backend.result_file_builder().build().unwrap();
    let err = read_all(&mut athena.query(in_workgroup(backend.numbers(3), workgroup)))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ResultFileUnreadable { reason, .. } if reason.contains("managed storage")),
        "{err}"
    );
    backend.finish().await;
}

/// A CSE_KMS result cannot be read from S3 here: its rows come through the API.
async fn client_side_encrypted_results_come_through_the_api<B: Accounts>() {
    let backend = B::start(Queries::Quick).await;
    let athena = backend.file_builder().build().unwrap();
    let query = backend.numbers(1500).with_encryption_configuration(
        EncryptionConfiguration::new(EncryptionOption::CseKms).with_kms_key(KMS_KEY),
    );
    let mut stream = athena.query(query);
    let rows = read_all(&mut stream).await.expect("the rows");
    assert_eq!(numbers(&rows), range(1, 1500));
    let stats = stream.stats();
    assert_eq!(stats.read_path, Some(ReadPath::Api));
    assert!(stats.fallback_reason.unwrap().contains("CSE_KMS"));
    backend.finish().await;
}

/// The cost guard stops a query whose scan passes the limit while it runs, and says
/// how much it had scanned; the query is left stopped, not running.
async fn the_cost_guard_stops_a_query_that_scans_too_much<B: Accounts>() {
    let backend = B::start(Queries::SlowScan).await;
    let query = backend.scanning().await;
    let limit = 200_000;
    let athena = backend
        .builder()
        .with_max_bytes_scanned(limit)
        .build()
        .unwrap();
    let err = read_all(&mut athena.query(query)).await.unwrap_err();
    let Error::BytesScannedLimitExceeded {
        query_execution_id,
        data_scanned_in_bytes,
        max_bytes_scanned,
    } = &err
    else {
        panic!("{err}");
    };
    assert!(
        *data_scanned_in_bytes > limit && *max_bytes_scanned == limit,
        "{err}"
    );
    assert!(err.to_string().contains("it was stopped"), "{err}");
    assert_eq!(backend.calls(Operation::StopQueryExecution), 1);
    backend
        .until_state(query_execution_id, QueryState::Cancelled)
        .await;
    backend.finish().await;
}

/// Progress shows the state, the bytes scanned growing and the stages' rows while the
/// query runs, then its end; the runtime statistics are asked for once per poll at
/// most.
async fn progress_shows_the_scan_while_the_query_runs<B: Accounts>() {
    let backend = B::start(Queries::SlowScan).await;
    let query = backend.scanning().await;
    let athena = backend.builder().build().unwrap();
    let mut stream = athena.query(query);
    let mut progress = stream.progress();
    let seen: Arc<Mutex<Vec<QueryProgress>>> = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        while progress.changed().await.is_ok() {
            let now = progress.borrow_and_update().clone();
            log.lock().unwrap().push(now);
        }
    });
    let rows = read_all(&mut stream).await.expect("the rows");
    assert_eq!(rows[0].get::<i64>(0).unwrap(), 25_000);
    backend
        .until(|| {
            seen.lock()
                .unwrap()
                .last()
                .is_some_and(|p| p.state == Some(QueryState::Succeeded))
        })
        .await;
    let seen = seen.lock().unwrap().clone();
    let running: Vec<&QueryProgress> = seen
        .iter()
        .filter(|p| p.state == Some(QueryState::Running))
        .collect();
    assert!(!running.is_empty(), "{seen:?}");
    let scanned: Vec<u64> = running
        .iter()
        .filter_map(|p| p.data_scanned_in_bytes)
        .collect();
    assert!(scanned.windows(2).all(|w| w[0] <= w[1]), "{scanned:?}");
    assert!(
        running
            .iter()
            .any(|p| p
                .runtime_statistics
                .as_ref()
                .is_some_and(|r| r.input_bytes.unwrap_or(0) > 0 && !r.stages.is_empty())),
        "{running:?}"
    );
    let last = seen.last().unwrap();
    assert!(last.data_scanned_in_bytes.unwrap() >= *scanned.last().unwrap_or(&0));
    assert_eq!(last.query_execution_id, stream.query_execution_id());
    let stats = stream.stats();
    assert!(stats.get_query_runtime_statistics_calls >= 1);
    assert!(stats.get_query_runtime_statistics_calls <= stats.get_query_execution_calls);
    backend.finish().await;
}

/// Nobody watching, no `GetQueryRuntimeStatistics`: progress costs nothing unasked.
async fn progress_costs_no_call_when_nobody_watches<B: Accounts>() {
    let backend = B::start(Queries::SlowScan).await;
    let query = backend.scanning().await;
    let athena = backend.builder().build().unwrap();
    let mut stream = athena.query(query);
    read_all(&mut stream).await.expect("the rows");
    assert_eq!(stream.stats().get_query_runtime_statistics_calls, 0);
    assert_eq!(backend.calls(Operation::GetQueryRuntimeStatistics), 0);
    // The progress is still there for whoever looks afterwards.
    let progress = stream.progress().borrow().clone();
    assert_eq!(progress.state, Some(QueryState::Succeeded));
    backend.finish().await;
}

/// Settings Athena would refuse, or answer less plainly, are refused before any call.
async fn settings_athena_would_refuse_are_refused_before_any_call<B: Accounts>() {
    let backend = B::start(Queries::Quick).await;
    let athena = backend.builder().build().unwrap();
    let queries = [
        backend.numbers(1).with_encryption_configuration(
            EncryptionConfiguration::new(EncryptionOption::SseKms).with_kms_key("my-key"),
        ),
        backend.numbers(1).with_encryption_configuration(
            EncryptionConfiguration::new(EncryptionOption::SseS3).with_kms_key(KMS_KEY),
        ),
        backend
            .numbers(1)
            .with_encryption_configuration(EncryptionConfiguration::new(EncryptionOption::CseKms)),
        backend.numbers(1).with_expected_bucket_owner("12ab"),
    ];
    for query in queries {
        let err = read_all(&mut athena.query(query)).await.unwrap_err();
        assert!(matches!(err, Error::InvalidConfig { .. }), "{err}");
    }
    assert_eq!(backend.calls(Operation::StartQueryExecution), 0);
    for built in [
        backend.builder().with_max_bytes_scanned(0).build(),
        backend.builder().with_expected_bucket_owner("1234").build(),
    ] {
        let err = built.unwrap_err();
        assert!(matches!(err, Error::InvalidConfig { .. }), "{err}");
    }
    backend.finish().await;
}

on_both_backends!(
    result_configuration_is_sent_and_what_was_used_reported,
    a_bucket_of_another_account_is_refused_at_the_start,
    a_handle_expecting_another_owner_never_reads_the_file,
    a_workgroup_that_enforces_its_configuration_wins,
    managed_results_come_through_the_api_with_the_reason,
    client_side_encrypted_results_come_through_the_api,
    the_cost_guard_stops_a_query_that_scans_too_much,
    progress_shows_the_scan_while_the_query_runs,
    progress_costs_no_call_when_nobody_watches,
    settings_athena_would_refuse_are_refused_before_any_call,
);

mod fake_only {
    use super::*;
    use crate::error::ApiErrorKind;

    /// A `GetQueryRuntimeStatistics` that fails never fails the query: a refusal stops
    /// the asking, a transient failure is asked again at the next poll.
    #[tokio::test(start_paused = true)]
    async fn runtime_statistics_that_fail_never_fail_the_query() {
        for (kind, calls) in [(ApiErrorKind::Permanent, 1), (ApiErrorKind::Transient, 11)] {
            let backend = OnFake::start(Queries::SlowScan).await;
            let query = backend.scanning().await;
            backend
                .fake
                .fail_next(Operation::GetQueryRuntimeStatistics, kind, 1);
            let athena = backend.builder().build().unwrap();
            let mut stream = athena.query(query);
            let _watching = stream.progress();
            let rows = read_all(&mut stream).await.expect("the rows");
            assert_eq!(rows.len(), 1);
            // Ten RUNNING polls and the SUCCEEDED one ask; after a refusal, none does.
            assert_eq!(
                stream.stats().get_query_runtime_statistics_calls,
                calls,
                "{kind:?}"
            );
        }
    }

    /// The builder's expected owner wins over the query's, for every S3 request.
    #[tokio::test(start_paused = true)]
    async fn the_handles_expected_owner_is_sent_on_every_s3_request() {
        let backend = OnFake::start(Queries::Quick).await;
        let athena = backend
            .result_file_builder()
            .with_expected_bucket_owner(ACCOUNT_ID)
            .build()
            .unwrap();
        let rows = read_all(&mut athena.query(backend.numbers(5)))
            .await
            .expect("the rows");
        assert_eq!(numbers(&rows), range(1, 5));
        let owners = backend.s3.owners_sent();
        // HeadObject, the .csv.metadata and the ranges.
        assert!(owners.len() >= 3, "{owners:?}");
        assert!(owners.iter().all(|o| o.as_deref() == Some(ACCOUNT_ID)));
    }
}

mod emulator_only {
    use super::*;
    use crate::behaviour::backend::OnEmulator;

    /// A workgroup that does not exist is Athena's error, at once.
    #[tokio::test]
    async fn a_workgroup_that_does_not_exist_is_athenas_error() {
        let backend = OnEmulator::start(Queries::Quick).await;
        let athena = backend.builder().build().unwrap();
        let err = read_all(&mut athena.query(backend.numbers(1).with_workgroup("no-such-group")))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Api { operation: Operation::StartQueryExecution, code: Some(code), message, .. }
                if code == "InvalidRequestException" && message.contains("WorkGroup is not found")),
            "{err}"
        );
        assert_eq!(backend.calls(Operation::StartQueryExecution), 1);
        backend.finish().await;
    }

    /// The cost guard leaves no query running: the emulator counts none.
    #[tokio::test]
    async fn a_query_stopped_by_the_cost_guard_leaves_none_running() {
        let backend = OnEmulator::start(Queries::SlowScan).await;
        let query = backend.scanning().await;
        let athena = backend
            .builder()
            .with_max_bytes_scanned(100_000)
            .build()
            .unwrap();
        let err = read_all(&mut athena.query(query)).await.unwrap_err();
        assert!(
            matches!(err, Error::BytesScannedLimitExceeded { .. }),
            "{err}"
        );
        let running = backend
            .client
            .list_query_executions()
            .send()
            .await
            .unwrap()
            .query_execution_ids()
            .to_vec();
        for id in running {
            let state = backend.state_of(&id).await;
            assert!(state.is_final(), "{id} is {state:?}");
        }
        backend.finish().await;
    }
}
