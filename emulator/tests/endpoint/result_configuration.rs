//! A query's full result configuration: encryption (SSE_S3, SSE_KMS, CSE_KMS)
//! stored, reported and applied to the result objects as S3 reports them, the expected
//! bucket owner checked against the emulator's account on both sides of the port, and
//! the ACL option kept; bad input answered as Athena and S3 answer it, in both Athena
//! protocols.

use crate::common;
use crate::protocol::assert_error_in;
use crate::wire::{self, Wire};

use std::io::Read;

use athena_emulator::StartError;
use aws_sdk_athena::types::{
    AclConfiguration, EncryptionConfiguration, EncryptionOption, QueryExecution,
    QueryExecutionState, ResultConfiguration, S3AclOption,
};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use serde_json::json;

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

/// An S3 error's code.
fn code<E: aws_sdk_s3::error::ProvideErrorMetadata>(error: &E) -> Option<String> {
    error.code().map(str::to_owned)
}

/// Runs `sql` with `configuration` to its final state.
async fn run_with(
    athena: &aws_sdk_athena::Client,
    sql: &str,
    configuration: ResultConfiguration,
) -> QueryExecution {
    let id = athena
        .start_query_execution()
        .query_string(sql)
        .result_configuration(configuration)
        .send()
        .await
        .unwrap_or_else(|e| panic!("start {sql}: {e:?}"))
        .query_execution_id
        .expect("an id");
    common::wait(athena, &id).await
}

fn encryption(option: EncryptionOption, key: Option<&str>) -> EncryptionConfiguration {
    EncryptionConfiguration::builder()
        .encryption_option(option)
        .set_kms_key(key.map(str::to_owned))
        .build()
        .expect("an encryption configuration")
}

fn succeeded(execution: &QueryExecution) -> String {
    assert_eq!(
        execution.status().and_then(|s| s.state()),
        Some(&QueryExecutionState::Succeeded),
        "{execution:?}"
    );
    execution
        .result_configuration()
        .and_then(|r| r.output_location())
        .expect("an OutputLocation")
        .to_owned()
}

async fn get(
    s3: &aws_sdk_s3::Client,
    uri: &str,
) -> aws_sdk_s3::operation::get_object::GetObjectOutput {
    let (bucket, key) = common::bucket_and_key(uri);
    s3.get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetObject {uri}: {e:?}"))
}

async fn head(
    s3: &aws_sdk_s3::Client,
    uri: &str,
) -> aws_sdk_s3::operation::head_object::HeadObjectOutput {
    let (bucket, key) = common::bucket_and_key(uri);
    s3.head_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("HeadObject {uri}: {e:?}"))
}

const SQL: &str =
    "SELECT x, 'row ' || CAST(x AS varchar) AS label FROM UNNEST(sequence(1, 2000)) AS t(x)";

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn sse_s3_and_sse_kms_results_report_their_server_side_encryption() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let s3 = common::s3_client(&emulator);

    let sse_s3 = run_with(
        &athena,
        SQL,
        ResultConfiguration::builder()
            .output_location("s3://enc-results/sse-s3/")
            .encryption_configuration(encryption(EncryptionOption::SseS3, None))
            .build(),
    )
    .await;
    let location = succeeded(&sse_s3);
    assert_eq!(
        sse_s3
            .result_configuration()
            .and_then(|r| r.encryption_configuration())
            .map(|e| e.encryption_option()),
        Some(&EncryptionOption::SseS3)
    );
    for uri in [location.clone(), format!("{location}.metadata")] {
        let head = head(&s3, &uri).await;
        assert_eq!(
            head.server_side_encryption(),
            Some(&ServerSideEncryption::Aes256),
            "{uri}"
        );
        assert_eq!(head.ssekms_key_id(), None, "{uri}");
    }
    let body = get(&s3, &location)
        .await
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes();
    assert!(body.starts_with(b"\"x\",\"label\"\n\"1\",\"row 1\"\n"));

    let sse_kms = run_with(
        &athena,
        SQL,
        ResultConfiguration::builder()
            .output_location("s3://enc-results/sse-kms/")
            .encryption_configuration(encryption(EncryptionOption::SseKms, Some(KEY_ID)))
            .build(),
    )
    .await;
    let location = succeeded(&sse_kms);
    let reported = sse_kms
        .result_configuration()
        .and_then(|r| r.encryption_configuration())
        .expect("an EncryptionConfiguration");
    assert_eq!(reported.encryption_option(), &EncryptionOption::SseKms);
    assert_eq!(reported.kms_key(), Some(KEY_ID));
    let key_arn = format!("arn:aws:kms:us-east-1:123456789012:key/{KEY_ID}");
    for uri in [location.clone(), format!("{location}.metadata")] {
        let head = head(&s3, &uri).await;
        assert_eq!(
            head.server_side_encryption(),
            Some(&ServerSideEncryption::AwsKms),
            "{uri}"
        );
        assert_eq!(head.ssekms_key_id(), Some(key_arn.as_str()), "{uri}");
    }
    let object = get(&s3, &location).await;
    assert_eq!(
        object.server_side_encryption(),
        Some(&ServerSideEncryption::AwsKms)
    );
    assert_eq!(object.ssekms_key_id(), Some(key_arn.as_str()));
    // Server-side encryption is invisible to the reader: the bytes are the CSV.
    let body = object.body.collect().await.unwrap().into_bytes();
    assert!(body.starts_with(b"\"x\",\"label\"\n"));

    // SSE_KMS without a key uses the account's AWS managed key for S3.
    let default_key = run_with(
        &athena,
        "SELECT 1",
        ResultConfiguration::builder()
            .output_location("s3://enc-results/sse-kms-default/")
            .encryption_configuration(encryption(EncryptionOption::SseKms, None))
            .build(),
    )
    .await;
    let head = head(&s3, &succeeded(&default_key)).await;
    assert_eq!(
        head.ssekms_key_id(),
        Some("arn:aws:kms:us-east-1:123456789012:alias/aws/s3")
    );
    emulator.shutdown().await;
}

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn a_cse_kms_result_is_ciphertext_in_the_s3_encryption_clients_envelope() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let s3 = common::s3_client(&emulator);
    let plain = run_with(
        &athena,
        SQL,
        ResultConfiguration::builder()
            .output_location("s3://enc-results/plain/")
            .build(),
    )
    .await;
    let csv = get(&s3, &succeeded(&plain))
        .await
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes();

    let cse = run_with(
        &athena,
        SQL,
        ResultConfiguration::builder()
            .output_location("s3://enc-results/cse/")
            .encryption_configuration(encryption(
                EncryptionOption::CseKms,
                Some("alias/athena-results"),
            ))
            .build(),
    )
    .await;
    let location = succeeded(&cse);
    let head = head(&s3, &location).await;
    let metadata = head.metadata().expect("user metadata");
    for key in [
        "x-amz-key-v2",
        "x-amz-iv",
        "x-amz-cek-alg",
        "x-amz-wrap-alg",
        "x-amz-matdesc",
        "x-amz-tag-len",
    ] {
        assert!(metadata.contains_key(key), "{key} in {metadata:?}");
    }
    assert_eq!(metadata["x-amz-cek-alg"], "AES/GCM/NoPadding");
    assert_eq!(
        metadata["x-amz-matdesc"],
        r#"{"kms_cmk_id":"alias/athena-results"}"#
    );
    assert_eq!(
        metadata["x-amz-unencrypted-content-length"],
        csv.len().to_string()
    );
    // The object is ciphertext and a 16-byte tag: nothing of the CSV is in it.
    let body = get(&s3, &location)
        .await
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes();
    assert_eq!(body.len(), csv.len() + 16);
    assert!(!body.windows(9).any(|w| w == b"\"label\"\n"));
    assert_ne!(&body[..csv.len()], &csv[..]);
    // The `.metadata` is encrypted the same way.
    let meta = head_metadata(&s3, &format!("{location}.metadata")).await;
    assert!(meta.contains_key("x-amz-key-v2"));
    // GetQueryResults answers the rows, as Athena decrypts the result for it.
    let id = cse.query_execution_id().unwrap();
    let rows: Vec<_> = common::pages(&athena, id, Some(333))
        .await
        .iter()
        .flat_map(|p| p.result_set().unwrap().rows().to_vec())
        .map(|r| common::values(&r))
        .collect();
    let plain_rows: Vec<_> = common::pages(&athena, plain.query_execution_id().unwrap(), None)
        .await
        .iter()
        .flat_map(|p| p.result_set().unwrap().rows().to_vec())
        .map(|r| common::values(&r))
        .collect();
    assert_eq!(rows.len(), 2001);
    assert_eq!(rows, plain_rows);
    // BatchGetQueryExecution reports the configuration too.
    let batch = athena
        .batch_get_query_execution()
        .query_execution_ids(id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        batch.query_executions()[0]
            .result_configuration()
            .and_then(|r| r.encryption_configuration())
            .and_then(|e| e.kms_key()),
        Some("alias/athena-results")
    );
    emulator.shutdown().await;
}

async fn head_metadata(
    s3: &aws_sdk_s3::Client,
    uri: &str,
) -> std::collections::HashMap<String, String> {
    head(s3, uri).await.metadata().cloned().unwrap_or_default()
}

#[tokio::test]
async fn unload_files_are_encrypted_as_the_query_says() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let s3 = common::s3_client(&emulator);
    for (option, key, prefix) in [
        (EncryptionOption::SseKms, Some(KEY_ID), "sse-kms"),
        (EncryptionOption::CseKms, Some(KEY_ID), "cse-kms"),
    ] {
        let execution = run_with(
            &athena,
            &format!(
                "UNLOAD (SELECT x FROM UNNEST(sequence(1, 100)) AS t(x)) \
                 TO 's3://unloaded/{prefix}/' WITH (format = 'JSON')"
            ),
            ResultConfiguration::builder()
                .output_location(format!("s3://enc-results/unload-{prefix}/"))
                .encryption_configuration(encryption(option.clone(), key))
                .build(),
        )
        .await;
        succeeded(&execution);
        let files = s3
            .list_objects_v2()
            .bucket("unloaded")
            .prefix(format!("{prefix}/"))
            .send()
            .await
            .unwrap();
        assert!(!files.contents().is_empty(), "{prefix}");
        for file in files.contents() {
            let uri = format!("s3://unloaded/{}", file.key().unwrap());
            let head = head(&s3, &uri).await;
            match option {
                EncryptionOption::SseKms => {
                    assert_eq!(
                        head.server_side_encryption(),
                        Some(&ServerSideEncryption::AwsKms)
                    );
                    assert!(head.metadata().is_none_or(|m| m.is_empty()));
                }
                _ => {
                    let metadata = head.metadata().expect("an envelope");
                    assert_eq!(metadata["x-amz-wrap-alg"], "kms");
                    let plain_len: usize = metadata["x-amz-unencrypted-content-length"]
                        .parse()
                        .unwrap();
                    // Not gzip any more: ciphertext and its tag.
                    let body = get(&s3, &uri)
                        .await
                        .body
                        .collect()
                        .await
                        .unwrap()
                        .into_bytes();
                    assert_eq!(body.len(), plain_len + 16, "{uri}");
                    let mut gunzipped = Vec::new();
                    assert!(
                        flate2::read::GzDecoder::new(&body[..])
                            .read_to_end(&mut gunzipped)
                            .is_err(),
                        "{uri} still reads as gzip"
                    );
                }
            }
        }
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_expected_bucket_owner_and_acl_are_kept_and_another_owner_is_refused() {
    let emulator = common::builder()
        .with_account_id("444455556666")
        .start()
        .await
        .unwrap();
    assert_eq!(emulator.account_id(), "444455556666");
    let athena = common::client(&emulator);
    let execution = run_with(
        &athena,
        "SELECT 1",
        ResultConfiguration::builder()
            .output_location("s3://owned/results/")
            .expected_bucket_owner("444455556666")
            .acl_configuration(
                AclConfiguration::builder()
                    .s3_acl_option(S3AclOption::BucketOwnerFullControl)
                    .build()
                    .unwrap(),
            )
            .build(),
    )
    .await;
    succeeded(&execution);
    let reported = execution.result_configuration().unwrap();
    assert_eq!(reported.expected_bucket_owner(), Some("444455556666"));
    assert_eq!(
        reported.acl_configuration().map(|a| a.s3_acl_option()),
        Some(&S3AclOption::BucketOwnerFullControl)
    );

    // Another owner: Athena cannot verify the output bucket, and starts nothing; an
    // UNLOAD writes its manifest there too, so it is refused alike.
    for (wire, sql) in [
        (Wire::AwsJson, "SELECT 1"),
        (Wire::RestJson, "SELECT 1"),
        (
            Wire::AwsJson,
            "UNLOAD (SELECT 1 AS x) TO 's3://owned/unload/' WITH (format = 'JSON')",
        ),
    ] {
        let answer = wire::call(
            &emulator,
            wire,
            "StartQueryExecution",
            json!({"QueryString": sql,
                   "ClientRequestToken": format!("owner-token-{wire:?}-{:020}", sql.len()),
                   "ResultConfiguration": {"OutputLocation": "s3://owned/results/",
                                           "ExpectedBucketOwner": "123456789012"}}),
        )
        .await;
        assert_error_in(
            wire,
            &answer,
            "InvalidRequestException",
            Some("INSUFFICIENT_PERMISSIONS"),
            "Unable to verify/create output bucket owned",
        );
    }
    assert_eq!(emulator.active_queries(), 0);
    emulator.shutdown().await;
}

#[tokio::test]
async fn bad_result_configurations_answer_athenas_errors_in_both_protocols() {
    let emulator = common::emulator().await;
    let validation = |m: &str| format!("1 validation error detected: {m}");
    let cases = [
        (
            json!({"EncryptionConfiguration": {"EncryptionOption": "SSE_S3", "KmsKey": KEY_ID}}),
            "KmsKey is not allowed with EncryptionOption SSE_S3, which encrypts with keys \
             Amazon S3 manages"
                .to_owned(),
        ),
        (
            json!({"EncryptionConfiguration": {"EncryptionOption": "CSE_KMS"}}),
            "KmsKey is required with EncryptionOption CSE_KMS".to_owned(),
        ),
        (
            json!({"EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": "my key"}}),
            "KmsKey my key is not a KMS key ARN, alias ARN, alias name or key id".to_owned(),
        ),
        (
            json!({"EncryptionConfiguration": {"EncryptionOption": "AES256"}}),
            validation(
                "Value 'AES256' at 'resultConfiguration.encryptionConfiguration.encryptionOption' \
                 failed to satisfy constraint: Member must satisfy enum value set: \
                 [SSE_S3, SSE_KMS, CSE_KMS]",
            ),
        ),
        (
            json!({"ExpectedBucketOwner": "12345678901x"}),
            validation(
                "Value '12345678901x' at 'resultConfiguration.expectedBucketOwner' failed to \
                 satisfy constraint: Member must satisfy regular expression pattern: ^[0-9]+$",
            ),
        ),
        (
            json!({"ExpectedBucketOwner": "1234567890123"}),
            validation(
                "Value at 'resultConfiguration.expectedBucketOwner' failed to satisfy \
                 constraint: Member must have length less than or equal to 12",
            ),
        ),
        (
            json!({"AclConfiguration": {"S3AclOption": "PUBLIC_READ"}}),
            validation(
                "Value 'PUBLIC_READ' at 'resultConfiguration.aclConfiguration.s3AclOption' \
                 failed to satisfy constraint: Member must satisfy enum value set: \
                 [BUCKET_OWNER_FULL_CONTROL]",
            ),
        ),
    ];
    for wire in Wire::BOTH {
        for (n, (configuration, message)) in cases.iter().enumerate() {
            let answer = wire::call(
                &emulator,
                wire,
                "StartQueryExecution",
                json!({"QueryString": "SELECT 1",
                       "ClientRequestToken": format!("bad-configuration-{wire:?}-{n:020}"),
                       "ResultConfiguration": configuration}),
            )
            .await;
            assert_error_in(
                wire,
                &answer,
                "InvalidRequestException",
                Some("INVALID_INPUT"),
                message,
            );
        }
    }
    assert_eq!(emulator.active_queries(), 0);
    emulator.shutdown().await;
}

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn s3_checks_the_expected_bucket_owner_against_the_account() {
    let emulator = common::emulator().await;
    let s3 = common::s3_client_without_retries(&emulator);
    s3.create_bucket().bucket("mine").send().await.unwrap();
    s3.put_object()
        .bucket("mine")
        .key("a.txt")
        .body(ByteStream::from_static(b"hello"))
        .expected_bucket_owner(athena_emulator::DEFAULT_ACCOUNT_ID)
        .send()
        .await
        .unwrap();
    let object = s3
        .get_object()
        .bucket("mine")
        .key("a.txt")
        .expected_bucket_owner("123456789012")
        .send()
        .await
        .unwrap();
    // Every object is encrypted at rest, SSE-S3 unless asked otherwise.
    assert_eq!(
        object.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );

    let denied = s3
        .get_object()
        .bucket("mine")
        .key("a.txt")
        .expected_bucket_owner("111122223333")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&denied).as_deref(), Some("AccessDenied"));
    assert_eq!(
        denied.raw_response().map(|r| r.status().as_u16()),
        Some(403)
    );
    let denied = s3
        .list_objects_v2()
        .bucket("mine")
        .expected_bucket_owner("111122223333")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&denied).as_deref(), Some("AccessDenied"));
    let denied = s3
        .put_object()
        .bucket("mine")
        .key("b.txt")
        .body(ByteStream::from_static(b"x"))
        .expected_bucket_owner("111122223333")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&denied).as_deref(), Some("AccessDenied"));
    assert!(
        s3.head_object()
            .bucket("mine")
            .key("b.txt")
            .send()
            .await
            .is_err(),
        "a refused PutObject writes nothing"
    );
    let malformed = s3
        .head_bucket()
        .bucket("mine")
        .expected_bucket_owner("not-an-account")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        malformed.raw_response().map(|r| r.status().as_u16()),
        Some(400)
    );

    // The XML error body, as S3 sends it, for a raw unsigned request.
    let answer = wire::request(
        &emulator,
        "GET",
        "/mine/a.txt",
        &[("x-amz-expected-bucket-owner", "111122223333")],
        b"",
    )
    .await;
    assert_eq!(answer.status, 403);
    let body = String::from_utf8(answer.body.clone()).unwrap();
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");
    assert!(body.contains("<Message>Access Denied</Message>"), "{body}");
    let answer = wire::request(
        &emulator,
        "GET",
        "/mine/a.txt",
        &[("x-amz-expected-bucket-owner", "12")],
        b"",
    )
    .await;
    assert_eq!(answer.status, 400);
    let body = String::from_utf8(answer.body.clone()).unwrap();
    assert!(
        body.contains("<Code>InvalidBucketOwnerAWSAccountID</Code>"),
        "{body}"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn put_object_keeps_its_server_side_encryption_and_user_metadata() {
    let emulator = common::emulator().await;
    let s3 = common::s3_client_without_retries(&emulator);
    s3.create_bucket().bucket("meta").send().await.unwrap();
    let put = s3
        .put_object()
        .bucket("meta")
        .key("k")
        .body(ByteStream::from_static(b"ciphertext"))
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id(KEY_ID)
        .metadata("x-amz-cek-alg", "AES/GCM/NoPadding")
        .send()
        .await
        .unwrap();
    assert_eq!(
        put.server_side_encryption(),
        Some(&ServerSideEncryption::AwsKms)
    );
    let head = s3
        .head_object()
        .bucket("meta")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.ssekms_key_id(),
        Some(format!("arn:aws:kms:us-east-1:123456789012:key/{KEY_ID}").as_str())
    );
    assert_eq!(
        head.metadata()
            .and_then(|m| m.get("x-amz-cek-alg"))
            .map(String::as_str),
        Some("AES/GCM/NoPadding")
    );
    // Replaced without them, the object has S3's defaults again.
    s3.put_object()
        .bucket("meta")
        .key("k")
        .body(ByteStream::from_static(b"plain"))
        .send()
        .await
        .unwrap();
    let head = s3
        .head_object()
        .bucket("meta")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert!(head.metadata().is_none_or(|m| m.is_empty()));
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_account_id_that_is_not_twelve_digits_is_refused_at_start() {
    for bad in ["", "12345", "1234567890123", "12345678901a"] {
        match common::builder().with_account_id(bad).start().await {
            Err(StartError::InvalidConfig { message }) => {
                assert!(message.contains("account_id"), "{message}")
            }
            other => panic!("{bad:?}: {other:?}"),
        }
    }
}
