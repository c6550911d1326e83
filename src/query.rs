//! What to run: the `StartQueryExecution` request, built up and checked before it is sent.

use std::fmt;

use crate::error::{Error, Result};
use crate::result_configuration::{EncryptionConfiguration, ResultConfiguration, S3AclOption};

/// A query to start: the SQL and everything `StartQueryExecution` takes with it.
///
/// Only the SQL is required; every other setting is left to the workgroup's
/// defaults unless set. Values passed with [`with_execution_parameter`](Self::with_execution_parameter)
/// are bound to the `?` placeholders of the SQL, in order: the safe alternative to
/// formatting values into the SQL text.
///
/// ```
/// use athena_stream::StartQueryExecution;
///
/// let query = StartQueryExecution::new("SELECT uri FROM cf_access_logs WHERE status = ? LIMIT 10")
///     .with_database("serverlessland_database")
///     .with_workgroup("primary")
///     .with_output_location("s3://my-results/athena/")
///     .with_execution_parameter("'404'")
///     .with_result_reuse_max_age_minutes(30);
/// assert_eq!(query.query_string(), "SELECT uri FROM cf_access_logs WHERE status = ? LIMIT 10");
/// ```
#[derive(Clone, PartialEq, Eq)]
#[must_use]
pub struct StartQueryExecution {
    pub(crate) query_string: String,
    pub(crate) database: Option<String>,
    pub(crate) catalog: Option<String>,
    pub(crate) workgroup: Option<String>,
    /// Boxed: it is large, and a query is moved around in enums with small variants.
    pub(crate) result_configuration: Box<ResultConfiguration>,
    pub(crate) execution_parameters: Vec<String>,
    pub(crate) client_request_token: Option<String>,
    pub(crate) result_reuse_max_age_minutes: Option<i32>,
}

/// `QueryString` length limit, in bytes (docs/athena.md, "Starting a query").
const QUERY_STRING_MAX: usize = 262_144;
/// `ExecutionParameters` item length limits.
const PARAMETER_MAX: usize = 1024;
/// `ClientRequestToken` length limits.
const TOKEN_LEN: std::ops::RangeInclusive<usize> = 32..=128;
/// `MaxAgeInMinutes` limits for result reuse.
const REUSE_MAX_AGE: std::ops::RangeInclusive<i32> = 0..=10_080;

impl StartQueryExecution {
    /// A query with this SQL (`QueryString`) and no other setting.
    pub fn new(query_string: impl Into<String>) -> Self {
        StartQueryExecution {
            query_string: query_string.into(),
            database: None,
            catalog: None,
            workgroup: None,
            result_configuration: Box::default(),
            execution_parameters: Vec::new(),
            client_request_token: None,
            result_reuse_max_age_minutes: None,
        }
    }

    /// `QueryExecutionContext.Database`. Default is the workgroup's (usually `default`).
    pub fn with_database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// `QueryExecutionContext.Catalog`. Default is `AwsDataCatalog`.
    pub fn with_catalog(mut self, catalog: impl Into<String>) -> Self {
        self.catalog = Some(catalog.into());
        self
    }

    /// `WorkGroup`. Default is the account's `primary` workgroup.
    pub fn with_workgroup(mut self, workgroup: impl Into<String>) -> Self {
        self.workgroup = Some(workgroup.into());
        self
    }

    /// `ResultConfiguration.OutputLocation` (`s3://bucket/prefix/`). Default is the
    /// workgroup's output location.
    pub fn with_output_location(mut self, output_location: impl Into<String>) -> Self {
        self.result_configuration.output_location = Some(output_location.into());
        self
    }

    /// `ResultConfiguration.EncryptionConfiguration`: how Athena encrypts the result
    /// files. Default is the workgroup's (S3 then encrypts new objects with SSE-S3).
    ///
    /// A workgroup that enforces its configuration replaces this with its own;
    /// [`QueryExecution::result_configuration`](crate::QueryExecution::result_configuration)
    /// says what was used. `CSE_KMS` results cannot be read from S3 by this crate: see
    /// [`EncryptionOption::CseKms`](crate::execution::EncryptionOption::CseKms).
    ///
    /// ```
    /// use athena_stream::{StartQueryExecution, execution::{EncryptionConfiguration, EncryptionOption}};
    ///
    /// let query = StartQueryExecution::new("SELECT 1")
    ///     .with_output_location("s3://my-results/athena/")
    ///     .with_encryption_configuration(
    ///         EncryptionConfiguration::new(EncryptionOption::SseKms)
    ///             .with_kms_key("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    ///     )
    ///     .with_expected_bucket_owner("111122223333");
    /// assert_eq!(query.result_configuration().expected_bucket_owner.as_deref(), Some("111122223333"));
    /// ```
    pub fn with_encryption_configuration(mut self, encryption: EncryptionConfiguration) -> Self {
        self.result_configuration.encryption_configuration = Some(encryption);
        self
    }

    /// `ResultConfiguration.ExpectedBucketOwner`: the account id (12 digits) that must
    /// own the output bucket. Athena refuses to write to a bucket another account owns
    /// (the start fails with `INSUFFICIENT_PERMISSIONS`), and this crate sends it as
    /// `x-amz-expected-bucket-owner` on every S3 request it makes for the query's files,
    /// unless the handle has its own
    /// ([`AthenaBuilder::with_expected_bucket_owner`](crate::AthenaBuilder::with_expected_bucket_owner)).
    pub fn with_expected_bucket_owner(mut self, account_id: impl Into<String>) -> Self {
        self.result_configuration.expected_bucket_owner = Some(account_id.into());
        self
    }

    /// `ResultConfiguration.AclConfiguration`: the canned ACL of the result objects,
    /// for a bucket another account owns.
    pub fn with_acl_option(mut self, acl: S3AclOption) -> Self {
        self.result_configuration.acl_option = Some(acl);
        self
    }

    /// Appends one of `ExecutionParameters`, bound to the next `?` of the SQL.
    ///
    /// Athena reads each parameter as SQL literal text: a string is written with its
    /// quotes (`'404'`), a number without (`404`). Each is 1 to 1024 characters.
    pub fn with_execution_parameter(mut self, value: impl Into<String>) -> Self {
        self.execution_parameters.push(value.into());
        self
    }

    /// Replaces `ExecutionParameters` with these values, bound to the `?`s in order.
    pub fn with_execution_parameters<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.execution_parameters = values.into_iter().map(Into::into).collect();
        self
    }

    /// `ClientRequestToken` (32 to 128 characters): starting the same request with the
    /// same token returns the same `QueryExecutionId` instead of running it twice.
    ///
    /// Default is a fresh random token per query, kept across this library's own
    /// retries of the start, so a retried start never runs a second query.
    pub fn with_client_request_token(mut self, token: impl Into<String>) -> Self {
        self.client_request_token = Some(token.into());
        self
    }

    /// Enables result reuse: Athena may answer with the results of an identical query
    /// that ran at most `minutes` ago (0 to 10080). Default is no reuse.
    pub fn with_result_reuse_max_age_minutes(mut self, minutes: i32) -> Self {
        self.result_reuse_max_age_minutes = Some(minutes);
        self
    }

    /// The SQL.
    pub fn query_string(&self) -> &str {
        &self.query_string
    }

    /// `QueryExecutionContext.Database`, if set.
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// `QueryExecutionContext.Catalog`, if set.
    pub fn catalog(&self) -> Option<&str> {
        self.catalog.as_deref()
    }

    /// `WorkGroup`, if set.
    pub fn workgroup(&self) -> Option<&str> {
        self.workgroup.as_deref()
    }

    /// `ResultConfiguration.OutputLocation`, if set.
    pub fn output_location(&self) -> Option<&str> {
        self.result_configuration.output_location.as_deref()
    }

    /// The whole `ResultConfiguration` this query asks for (empty settings are not
    /// sent).
    pub fn result_configuration(&self) -> &ResultConfiguration {
        &self.result_configuration
    }

    /// The execution parameters, in order.
    pub fn execution_parameters(&self) -> &[String] {
        &self.execution_parameters
    }

    /// `ClientRequestToken`, if set.
    pub fn client_request_token(&self) -> Option<&str> {
        self.client_request_token.as_deref()
    }

    /// The result reuse max age in minutes, if reuse is enabled.
    pub fn result_reuse_max_age_minutes(&self) -> Option<i32> {
        self.result_reuse_max_age_minutes
    }

    /// Checks the limits that Athena would otherwise refuse with a less helpful error.
    pub(crate) fn validate(&self) -> Result<()> {
        // The quota counts UTF-8 bytes, which is stricter than the model's characters
        // for non-ASCII SQL (docs/athena.md, "Starting a query").
        let len = self.query_string.len();
        if self.query_string.trim().is_empty() || len > QUERY_STRING_MAX {
            return Err(Error::invalid_config(format!(
                "QueryString must be 1 to {QUERY_STRING_MAX} bytes of UTF-8 and not blank, got {len}"
            )));
        }
        for (i, p) in self.execution_parameters.iter().enumerate() {
            let n = p.chars().count();
            if n == 0 || n > PARAMETER_MAX {
                return Err(Error::invalid_config(format!(
                    "ExecutionParameters[{i}] must be 1 to {PARAMETER_MAX} characters, got {n}"
                )));
            }
        }
        if let Some(token) = &self.client_request_token {
            let n = token.chars().count();
            if !TOKEN_LEN.contains(&n) {
                return Err(Error::invalid_config(format!(
                    "ClientRequestToken must be 32 to 128 characters, got {n}"
                )));
            }
        }
        if let Some(age) = self
            .result_reuse_max_age_minutes
            .filter(|age| !REUSE_MAX_AGE.contains(age))
        {
            return Err(Error::invalid_config(format!(
                "result reuse MaxAgeInMinutes must be 0 to 10080, got {age}"
            )));
        }
        self.result_configuration.validate()
    }
}

impl From<&str> for StartQueryExecution {
    fn from(sql: &str) -> Self {
        StartQueryExecution::new(sql)
    }
}

impl From<String> for StartQueryExecution {
    fn from(sql: String) -> Self {
        StartQueryExecution::new(sql)
    }
}

impl fmt::Debug for StartQueryExecution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Parameters may carry user data: show how many, not what.
        f.debug_struct("StartQueryExecution")
            .field("query_string", &self.query_string)
            .field("database", &self.database)
            .field("catalog", &self.catalog)
            .field("workgroup", &self.workgroup)
            .field("result_configuration", &self.result_configuration)
            .field("execution_parameters", &self.execution_parameters.len())
            .field(
                "result_reuse_max_age_minutes",
                &self.result_reuse_max_age_minutes,
            )
            .finish_non_exhaustive()
    }
}

/// A fresh `ClientRequestToken`: 32 hex digits from the process's random hasher keys,
/// the clock and a counter, so no random-number crate is needed.
pub(crate) fn new_client_request_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let state = std::collections::hash_map::RandomState::new();
    let mut halves = [0u64; 2];
    for (i, half) in halves.iter_mut().enumerate() {
        let mut h = state.build_hasher();
        h.write_u64(n);
        h.write_u128(nanos);
        h.write_usize(i);
        *half = h.finish();
    }
    format!("{:016x}{:016x}", halves[0], halves[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_refuses_out_of_range_settings() {
        assert!(StartQueryExecution::new("SELECT 1").validate().is_ok());
        assert!(StartQueryExecution::new("  ").validate().is_err());
        // The limit is in bytes: 87,382 three-byte characters are over it.
        assert!(
            StartQueryExecution::new("€".repeat(87_382))
                .validate()
                .is_err()
        );
        assert!(
            StartQueryExecution::new("x".repeat(262_144))
                .validate()
                .is_ok()
        );
        assert!(
            StartQueryExecution::new("SELECT ?")
                .with_execution_parameter("")
                .validate()
                .is_err()
        );
        assert!(
            StartQueryExecution::new("SELECT 1")
                .with_client_request_token("short")
                .validate()
                .is_err()
        );
        assert!(
            StartQueryExecution::new("SELECT 1")
                .with_result_reuse_max_age_minutes(10_081)
                .validate()
                .is_err()
        );
    }

    #[test]
    fn client_request_tokens_are_valid_and_distinct() {
        let a = new_client_request_token();
        let b = new_client_request_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(
            StartQueryExecution::new("SELECT 1")
                .with_client_request_token(a)
                .validate()
                .is_ok()
        );
    }
}
