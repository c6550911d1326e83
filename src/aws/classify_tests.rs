//! `classify` on the errors the SDK returns when nothing was answered, built as the SDK
//! builds them (the shapes measured with real clients, and checked again by the tests at
//! the end, which use one).

use std::time::Duration;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_athena::config::http::HttpResponse;
use aws_sdk_athena::config::retry::RetryConfig;
use aws_sdk_athena::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
use aws_sdk_athena::error::{ConnectorError, SdkError};
use aws_sdk_athena::operation::start_query_execution::StartQueryExecutionError;
use futures::TryStreamExt;

use super::classify;
use crate::aws::{ApiCallError, CallError};
use crate::fake::{NoCredentials, no_credentials};
use crate::{
    Athena, Backoff, Error,
    error::{ApiErrorKind, Operation},
};

type StartError = SdkError<StartQueryExecutionError, HttpResponse>;

fn classified(err: StartError) -> ApiCallError {
    match classify(err, |_| false) {
        CallError::Failed(e) => e,
        CallError::InvalidResponse(m) => panic!("not classified: {m}"),
    }
}

fn dispatch(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> StartError {
    SdkError::dispatch_failure(ConnectorError::other(source.into(), None))
}

/// The sources below an error, as text.
fn sources(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut texts = Vec::new();
    let mut source = err.source();
    while let Some(s) = source {
        texts.push(s.to_string());
        source = s.source();
    }
    texts
}

#[test]
fn a_chain_that_found_nothing_is_a_credentials_error_on_one_line() {
    let e = classified(no_credentials());
    assert_eq!(e.kind, ApiErrorKind::Credentials);
    assert!(!e.kind.is_retryable());
    assert_eq!(e.code, None);
    assert!(!e.message.contains('\n'), "{}", e.message);
    assert!(
        e.message.starts_with(
            "no AWS credentials found (tried Environment, Profile, WebIdentityToken, \
             EcsContainer, Ec2InstanceMetadata); configure them with AWS_ACCESS_KEY_ID"
        ),
        "{}",
        e.message
    );
    for hint in ["AWS_PROFILE", "~/.aws/config", "aws sso login", "role"] {
        assert!(e.message.contains(hint), "no {hint:?} in {}", e.message);
    }
    // The chain's own text stays reachable, in the source.
    let below = sources(e.source.as_ref());
    assert!(
        below
            .iter()
            .any(|s| s.contains("Attempted:\n  Environment:")),
        "{below:?}"
    );
}

#[test]
fn a_provider_that_failed_is_a_credentials_error_that_says_why() {
    let e = classified(dispatch(CredentialsError::provider_error(
        "the SSO session has expired\nrun `aws sso login`",
    )));
    assert_eq!(e.kind, ApiErrorKind::Credentials);
    assert!(
        e.message.starts_with(
            "could not load AWS credentials: an error occurred while loading credentials: \
             the SSO session has expired run `aws sso login`; configure them"
        ),
        "{}",
        e.message
    );
    let e = classified(dispatch(CredentialsError::provider_timed_out(
        Duration::from_secs(5),
    )));
    assert_eq!(e.kind, ApiErrorKind::Credentials);
    assert!(
        e.message.contains("timed out after 5 seconds"),
        "{}",
        e.message
    );
}

#[test]
fn a_client_without_a_credentials_provider_is_a_credentials_error() {
    // The SDK's private NoMatchingAuthSchemeError, by its words.
    let e = classified(dispatch(
        "failed to select an auth scheme to sign the request with. \"sigv4\" wasn't a valid \
         option because there was no identity resolver for it. Be sure to set an identity",
    ));
    assert_eq!(e.kind, ApiErrorKind::Credentials);
    assert!(
        e.message
            .starts_with("the SDK client has no credentials provider; configure them"),
        "{}",
        e.message
    );
    let e = classified(dispatch("identity resolver timed out after 5s"));
    assert_eq!(e.kind, ApiErrorKind::Credentials);
}

#[test]
fn refused_dropped_and_timed_out_connections_are_transient() {
    let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
    for err in [
        SdkError::dispatch_failure(ConnectorError::io(Box::new(refused))),
        SdkError::dispatch_failure(ConnectorError::timeout("HTTP read timeout".into())),
        SdkError::timeout_error("operation attempt timeout"),
        SdkError::dispatch_failure(ConnectorError::other(
            "incomplete message".into(),
            Some(aws_config::retry::ErrorKind::TransientError),
        )),
    ] {
        let e = classified(err);
        assert_eq!(e.kind, ApiErrorKind::Transient, "{}", e.message);
        assert!(!e.message.contains('\n'));
    }
}

#[test]
fn a_request_the_sdk_cannot_build_is_permanent_and_not_credentials() {
    // A client without a region: the endpoint resolver's error, inside a dispatch failure.
    let e = classified(dispatch("Invalid Configuration: Missing Region"));
    assert_eq!(e.kind, ApiErrorKind::Permanent);
    assert_eq!(
        e.message,
        "dispatch failure: other: Invalid Configuration: Missing Region"
    );
    let e = classified(SdkError::construction_failure("QueryString is required"));
    assert_eq!(e.kind, ApiErrorKind::Permanent);
}

/// What the library logs while the guard lives, as `tracing`'s plain text lines.
#[derive(Clone, Default)]
struct Log(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Log {
    type Writer = Log;

    fn make_writer(&'a self) -> Log {
        self.clone()
    }
}

impl Log {
    /// Captures this thread's events (the test's current-thread runtime runs the
    /// stream's task too) until the guard drops.
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(self.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::WARN)
            .finish();
        crate::fake::capture_on_this_thread(subscriber)
    }

    fn lines(&self) -> Vec<String> {
        let bytes = self.0.lock().unwrap();
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

/// A loopback URL nothing listens on.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// A real SDK client on `url`, with the SDK's own retries off.
fn client(url: &str, credentials: SharedCredentialsProvider) -> aws_sdk_athena::Client {
    let config = aws_sdk_athena::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials)
        .endpoint_url(url)
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .build();
    aws_sdk_athena::Client::from_conf(config)
}

fn athena(client: aws_sdk_athena::Client) -> Athena {
    Athena::builder(client)
        .with_retry_policy(Backoff::new(Duration::from_millis(1)).with_max_attempts(3))
        .build()
        .unwrap()
}

/// A real client whose credentials provider finds nothing fails at its first attempt,
/// as `Credentials`, on one line, having sent nothing.
#[tokio::test]
async fn a_real_client_without_credentials_fails_at_once() {
    let client = client(
        &closed_port(),
        SharedCredentialsProvider::new(NoCredentials),
    );
    let mut stream = athena(client).query("SELECT 1");
    let err = stream.try_next().await.unwrap_err();
    let text = err.to_string();
    match &err {
        Error::Api {
            operation: Operation::StartQueryExecution,
            kind: ApiErrorKind::Credentials,
            attempts: 1,
            ..
        } => {}
        other => panic!("unexpected {other:?}"),
    }
    assert!(!text.contains('\n'), "{text}");
    assert!(
        text.starts_with(
            "Athena StartQueryExecution failed (Credentials): no AWS credentials found (tried \
             Environment, Profile, WebIdentityToken, EcsContainer, Ec2InstanceMetadata); \
             configure them with AWS_ACCESS_KEY_ID"
        ),
        "{text}"
    );
    let stats = stream.stats();
    assert_eq!(stats.start_query_execution_calls, 0, "nothing was sent");
    assert_eq!(stats.retries, 0);
    // The SDK's error and the chain's are the sources.
    let below = sources(&err);
    assert!(
        below
            .iter()
            .any(|s| s == "the credential provider was not enabled"),
        "{below:?}"
    );
}

/// A refused connection is retried under the policy, and the error after the last
/// attempt says how many attempts were made over how long, on one line.
#[tokio::test]
async fn a_refused_connection_is_retried_and_the_error_says_for_how_long() {
    let credentials = Credentials::new("test", "test", None, None, "test");
    let client = client(&closed_port(), SharedCredentialsProvider::new(credentials));
    let log = Log::default();
    let guard = log.install();
    let mut stream = athena(client).query("SELECT 1");
    let err = stream.try_next().await.unwrap_err();
    drop(guard);
    // One line per retry, each with the attempt and the failure, nothing else.
    let lines = log.lines();
    let retried: Vec<&String> = lines.iter().filter(|l| l.contains("retrying")).collect();
    assert_eq!(retried.len(), 3, "{lines:#?}");
    for (n, line) in retried.iter().enumerate() {
        assert!(line.contains(&format!("attempt={}", n + 1)), "{line}");
        assert!(line.contains("Connection refused"), "{line}");
    }
    let text = err.to_string();
    match &err {
        Error::Api {
            operation: Operation::StartQueryExecution,
            kind: ApiErrorKind::Transient,
            attempts: 4,
            elapsed,
            message,
            ..
        } => {
            assert!(*elapsed > Duration::ZERO);
            assert!(message.contains("Connection refused"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!text.contains('\n'), "{text}");
    assert!(
        text.starts_with(
            "Athena StartQueryExecution failed (Transient): gave up after 4 attempts over "
        ),
        "{text}"
    );
    assert!(
        text.ends_with("Connection refused (os error 111)"),
        "{text}"
    );
    let stats = stream.stats();
    assert_eq!(
        stats.start_query_execution_calls, 4,
        "each attempt was sent"
    );
    assert_eq!(stats.retries, 3);
}
