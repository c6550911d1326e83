//! The SDK's answer when no credentials are found, for the fake and for real SDK
//! clients in tests.

use aws_sdk_athena::operation::start_query_execution::StartQueryExecutionError;

/// What the SDK's default credentials chain answers when no provider has credentials
/// (as measured: `CredentialsNotLoaded`, whose source lists the providers tried on
/// lines of their own).
fn chain_found_nothing() -> aws_credential_types::provider::error::CredentialsError {
    aws_credential_types::provider::error::CredentialsError::not_loaded(
        "no credentials found in chain. Attempted:\n  \
         Environment: the credential provider was not enabled: environment variable not set\n  \
         Profile: the credential provider was not enabled\n  \
         WebIdentityToken: the credential provider was not enabled: $AWS_WEB_IDENTITY_TOKEN_FILE was not set\n  \
         EcsContainer: the credential provider was not enabled: ECS provider not configured\n  \
         Ec2InstanceMetadata: the credential provider was not enabled: IMDS disabled by AWS_EC2_METADATA_DISABLED env var set to `true`",
    )
}

/// The error `aws-sdk-athena` returns when its credentials chain finds nothing (as
/// measured: `DispatchFailure`, a connector error of kind `Other` without a retry kind,
/// the chain's error inside).
pub(crate) fn no_credentials() -> aws_sdk_athena::error::SdkError<
    StartQueryExecutionError,
    aws_sdk_athena::config::http::HttpResponse,
> {
    aws_sdk_athena::error::SdkError::dispatch_failure(aws_sdk_athena::error::ConnectorError::other(
        Box::new(chain_found_nothing()),
        None,
    ))
}

/// A credentials provider that finds nothing, as the default chain does on a machine
/// without AWS configuration: for real SDK clients in tests.
#[derive(Debug)]
pub(crate) struct NoCredentials;

impl aws_sdk_athena::config::ProvideCredentials for NoCredentials {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::ready(
            Err(chain_found_nothing()),
        )
    }
}
