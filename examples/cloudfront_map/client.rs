//! Where an example's queries run, one set of flags for all of them: the Athena emulator
//! started in this process (no flag), any Athena-compatible endpoint (`--endpoint-url`),
//! or the real service (`--aws`); and the context they run in (`--database`,
//! `--workgroup`, `--output-location`).
//!
//! A module of its own so that `cloudfront_map` and `local_sql` (and the tests that run
//! their code) connect the same way, and an example's own file stays about what it shows.

use athena_stream::{
    AthenaBuilder, Error, StartQueryExecution,
    execution::{EncryptionConfiguration, EncryptionOption},
};
use aws_sdk_athena::config::{BehaviorVersion, Credentials, Region};

/// The flags that say where the queries run.
#[derive(Debug, Clone, clap::Args)]
pub struct Target {
    /// Any Athena-compatible endpoint (credentials and region from the environment,
    /// test credentials and us-east-1 when none are set). Result files are read from S3
    /// on the same URL, path-style, as athena-emulator serves them.
    #[arg(long, conflicts_with = "aws")]
    pub endpoint_url: Option<String>,
    /// The real Athena service (and S3 for result files), with the default AWS configuration.
    #[arg(long)]
    pub aws: bool,
    /// Rows of the embedded emulator's cf_access_logs table.
    #[arg(long, default_value_t = 10_000)]
    pub cloudfront_rows: usize,
}

impl Target {
    /// A library builder for the target, and the embedded emulator it runs on when
    /// neither `--aws` nor `--endpoint-url` was given: the caller keeps the emulator for
    /// as long as it queries it.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the embedded emulator does not start.
    pub async fn builder(
        &self,
    ) -> Result<(AthenaBuilder, Option<athena_emulator::Emulator>), Error> {
        if self.aws {
            let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
            return Ok((athena_stream::Athena::builder_from_conf(&config), None));
        }
        if let Some(url) = &self.endpoint_url {
            return Ok((endpoint_builder(url), None));
        }
        let emulator = athena_emulator::Emulator::builder()
            .with_engine_config(athena_emulator::EngineConfig {
                cloudfront_rows: self.cloudfront_rows,
                ..Default::default()
            })
            .start()
            .await
            .map_err(|e| Error::InvalidConfig {
                message: format!("could not start the embedded emulator: {e}"),
            })?;
        let url = emulator.endpoint_url();
        eprintln!("embedded athena-emulator at {url}");
        Ok((endpoint_builder(&url), Some(emulator)))
    }
}

/// A builder over SDK clients for an Athena-compatible endpoint, with an S3 client on
/// the same URL (path-style, as athena-emulator serves S3) for the result files.
/// Credentials come from the environment when set there, else test credentials (the
/// emulator accepts any).
fn endpoint_builder(endpoint: &str) -> AthenaBuilder {
    let region = Region::new(
        std::env::var("AWS_REGION")
            .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|_| "us-east-1".to_owned()),
    );
    let credentials = match (
        std::env::var("AWS_ACCESS_KEY_ID"),
        std::env::var("AWS_SECRET_ACCESS_KEY"),
    ) {
        (Ok(key), Ok(secret)) => Credentials::new(
            key,
            secret,
            std::env::var("AWS_SESSION_TOKEN").ok(),
            None,
            "environment",
        ),
        _ => Credentials::new("test", "test", None, None, "test"),
    };
    let athena = aws_sdk_athena::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region.clone())
        .credentials_provider(credentials.clone())
        .endpoint_url(endpoint)
        .build();
    let s3 = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region)
        .credentials_provider(credentials)
        .endpoint_url(endpoint)
        .force_path_style(true)
        .build();
    athena_stream::Athena::builder(aws_sdk_athena::Client::from_conf(athena))
        .with_s3_client(aws_sdk_s3::Client::from_conf(s3))
}

/// The flags that say what a query runs in.
#[derive(Debug, Clone, clap::Args)]
pub struct QueryContext {
    /// The database (QueryExecutionContext.Database).
    #[arg(long, default_value = "serverlessland_database")]
    pub database: String,
    /// The workgroup (default: the account's primary workgroup).
    #[arg(long)]
    pub workgroup: Option<String>,
    /// Where Athena writes the result file, s3://bucket/prefix/ (default: the workgroup's).
    #[arg(long)]
    pub output_location: Option<String>,
    /// How Athena encrypts the result files: SSE_S3, SSE_KMS or CSE_KMS (default: the
    /// workgroup's).
    #[arg(long, value_name = "OPTION")]
    pub encryption: Option<String>,
    /// The KMS key for SSE_KMS or CSE_KMS: a key ARN, alias ARN, alias/<name> or key id.
    #[arg(long, requires = "encryption")]
    pub kms_key: Option<String>,
    /// The account id (12 digits) that must own the output bucket; also sent on every
    /// S3 request for the query's files.
    #[arg(long, value_name = "ACCOUNT_ID")]
    pub expected_bucket_owner: Option<String>,
}

impl QueryContext {
    /// `sql`, to run in this context.
    pub fn query(&self, sql: &str) -> StartQueryExecution {
        let mut query = StartQueryExecution::new(sql).with_database(&self.database);
        if let Some(w) = &self.workgroup {
            query = query.with_workgroup(w);
        }
        if let Some(o) = &self.output_location {
            query = query.with_output_location(o);
        }
        if let Some(option) = &self.encryption {
            // An option the library does not know is sent as named: Athena says no.
            let option = match option.to_ascii_uppercase().as_str() {
                "SSE_S3" => EncryptionOption::SseS3,
                "SSE_KMS" => EncryptionOption::SseKms,
                "CSE_KMS" => EncryptionOption::CseKms,
                other => EncryptionOption::Other(other.to_owned()),
            };
            let mut encryption = EncryptionConfiguration::new(option);
            if let Some(key) = &self.kms_key {
                encryption = encryption.with_kms_key(key);
            }
            query = query.with_encryption_configuration(encryption);
        }
        if let Some(owner) = &self.expected_bucket_owner {
            query = query.with_expected_bucket_owner(owner);
        }
        query
    }
}
