//! `ResultConfiguration`: where a query's results go and how they are protected, as
//! `StartQueryExecution` takes it and `GetQueryExecution` reports what Athena used
//! (docs/athena.md, "Encrypted results and the result bucket's owner").

use std::fmt;

use crate::error::{Error, Result};

/// `EncryptionConfiguration.EncryptionOption`: how Athena encrypts the result files.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncryptionOption {
    /// `SSE_S3`: server-side, with keys S3 manages. Reading needs nothing more.
    SseS3,
    /// `SSE_KMS`: server-side, with a KMS key (the account's `aws/s3` key when none is
    /// named). Reading needs `kms:Decrypt` on the key.
    SseKms,
    /// `CSE_KMS`: client-side, with a KMS key. Only the S3 Encryption Client can read
    /// the result file, which has no Rust version: with [`ReadPath::Auto`](crate::ReadPath::Auto)
    /// the rows come through `GetQueryResults` instead (docs/athena.md, "Result files").
    CseKms,
    /// An option this library does not know, as Athena named it.
    Other(String),
}

impl EncryptionOption {
    /// Athena's name: `SSE_S3`, `SSE_KMS`, `CSE_KMS`.
    pub fn as_str(&self) -> &str {
        match self {
            EncryptionOption::SseS3 => "SSE_S3",
            EncryptionOption::SseKms => "SSE_KMS",
            EncryptionOption::CseKms => "CSE_KMS",
            EncryptionOption::Other(name) => name,
        }
    }

    /// The option Athena names `name`.
    pub(crate) fn from_athena(name: &str) -> Self {
        match name {
            "SSE_S3" => EncryptionOption::SseS3,
            "SSE_KMS" => EncryptionOption::SseKms,
            "CSE_KMS" => EncryptionOption::CseKms,
            other => EncryptionOption::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for EncryptionOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `ResultConfiguration.EncryptionConfiguration`: the encryption option and, for the
/// KMS options, the key.
///
/// ```
/// use athena_stream::execution::{EncryptionConfiguration, EncryptionOption};
///
/// let kms = EncryptionConfiguration::new(EncryptionOption::SseKms).with_kms_key("alias/athena-results");
/// assert_eq!(kms.kms_key(), Some("alias/athena-results"));
/// assert_eq!(kms.to_string(), "SSE_KMS with alias/athena-results");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[must_use]
pub struct EncryptionConfiguration {
    pub(crate) encryption_option: EncryptionOption,
    pub(crate) kms_key: Option<String>,
}

impl EncryptionConfiguration {
    /// This option, with no KMS key.
    pub fn new(encryption_option: EncryptionOption) -> Self {
        EncryptionConfiguration {
            encryption_option,
            kms_key: None,
        }
    }

    /// `KmsKey`: a key ARN, an alias ARN, `alias/<name>` or a key id. Only for
    /// `SSE_KMS` (optional there) and `CSE_KMS` (required there).
    pub fn with_kms_key(mut self, kms_key: impl Into<String>) -> Self {
        self.kms_key = Some(kms_key.into());
        self
    }

    /// `EncryptionOption`.
    pub fn encryption_option(&self) -> &EncryptionOption {
        &self.encryption_option
    }

    /// `KmsKey`, if one is named.
    pub fn kms_key(&self) -> Option<&str> {
        self.kms_key.as_deref()
    }

    /// What Athena cannot encrypt with, refused before the call (docs/athena.md,
    /// "Encrypted results and the result bucket's owner").
    fn validate(&self) -> Result<()> {
        match (&self.encryption_option, self.kms_key.as_deref()) {
            (EncryptionOption::SseS3, Some(_)) => Err(Error::invalid_config(
                "a KmsKey was given with EncryptionOption SSE_S3, whose keys S3 manages: \
                 use SSE_KMS or CSE_KMS to name a key",
            )),
            (EncryptionOption::CseKms, None) => Err(Error::invalid_config(
                "EncryptionOption CSE_KMS needs a KmsKey: the client-side envelope is made \
                 with a key the caller names",
            )),
            (_, Some(key)) if !is_kms_key(key) => Err(Error::invalid_config(format!(
                "KmsKey {key:?} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), \
                 alias ARN, alias name (alias/<name>) or key id (a UUID, or mrk-<32 hex> for a \
                 multi-Region key)"
            ))),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for EncryptionConfiguration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kms_key {
            Some(key) => write!(f, "{} with {key}", self.encryption_option),
            None => write!(f, "{}", self.encryption_option),
        }
    }
}

/// `AclConfiguration.S3AclOption`: the canned ACL Athena writes result objects with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum S3AclOption {
    /// `BUCKET_OWNER_FULL_CONTROL`: the bucket's owner gets full control of the objects
    /// (for a result bucket another account owns). Athena's only option today.
    BucketOwnerFullControl,
    /// An option this library does not know, as Athena named it.
    Other(String),
}

impl S3AclOption {
    /// Athena's name: `BUCKET_OWNER_FULL_CONTROL`.
    pub fn as_str(&self) -> &str {
        match self {
            S3AclOption::BucketOwnerFullControl => "BUCKET_OWNER_FULL_CONTROL",
            S3AclOption::Other(name) => name,
        }
    }

    pub(crate) fn from_athena(name: &str) -> Self {
        match name {
            "BUCKET_OWNER_FULL_CONTROL" => S3AclOption::BucketOwnerFullControl,
            other => S3AclOption::Other(other.to_owned()),
        }
    }
}

/// `ResultConfiguration`: where the results go (`OutputLocation`), how they are
/// encrypted, which account must own the bucket, and the ACL of the objects.
///
/// Set on a query with [`StartQueryExecution`](crate::StartQueryExecution)'s
/// `with_output_location`, `with_encryption_configuration`, `with_expected_bucket_owner`
/// and `with_acl_option`; what Athena used, which a workgroup that enforces its
/// configuration decides, is [`QueryExecution::result_configuration`](crate::QueryExecution::result_configuration).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ResultConfiguration {
    /// `OutputLocation`: `s3://bucket/prefix/` as sent; as reported, the result file
    /// itself (`s3://bucket/prefix/<QueryExecutionId>.csv`).
    pub output_location: Option<String>,
    /// `EncryptionConfiguration`.
    pub encryption_configuration: Option<EncryptionConfiguration>,
    /// `ExpectedBucketOwner`: the account id (12 digits) that must own the output
    /// bucket.
    pub expected_bucket_owner: Option<String>,
    /// `AclConfiguration.S3AclOption`.
    pub acl_option: Option<S3AclOption>,
}

impl ResultConfiguration {
    /// Whether nothing is set: such a configuration is not sent.
    pub(crate) fn is_empty(&self) -> bool {
        *self == ResultConfiguration::default()
    }

    /// Checks what Athena would refuse, or answer less plainly, before any call.
    pub(crate) fn validate(&self) -> Result<()> {
        if let Some(encryption) = &self.encryption_configuration {
            encryption.validate()?;
        }
        if let Some(owner) = &self.expected_bucket_owner {
            check_account_id("ExpectedBucketOwner", owner)?;
        }
        Ok(())
    }

    /// The settings this configuration (what a query asked for) gave that `used` (what
    /// Athena reports it ran with) does not have: each was overridden by the
    /// workgroup. The output location is compared by prefix, since Athena reports the
    /// result file under the location it was given.
    pub(crate) fn overridden_in(&self, used: &ResultConfiguration) -> Vec<&'static str> {
        let mut overridden = Vec::new();
        if let Some(asked) = &self.output_location {
            let under = used.output_location.as_deref().is_some_and(|u| {
                u.starts_with(asked.as_str())
                    || u.starts_with(&format!("{}/", asked.trim_end_matches('/')))
            });
            if !under {
                overridden.push("OutputLocation");
            }
        }
        if self.encryption_configuration.is_some()
            && self.encryption_configuration != used.encryption_configuration
        {
            overridden.push("EncryptionConfiguration");
        }
        if self.expected_bucket_owner.is_some()
            && self.expected_bucket_owner != used.expected_bucket_owner
        {
            overridden.push("ExpectedBucketOwner");
        }
        if self.acl_option.is_some() && self.acl_option != used.acl_option {
            overridden.push("AclConfiguration");
        }
        overridden
    }
}

/// Refuses `id` unless it is an AWS account id: exactly 12 ASCII digits (the model's
/// `AwsAccountId`, and what S3 asks of `x-amz-expected-bucket-owner`).
pub(crate) fn check_account_id(setting: &str, id: &str) -> Result<()> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::invalid_config(format!(
            "{setting} must be an AWS account id (12 digits), got {id:?}"
        )))
    }
}

/// Whether `key` names a KMS key: a key or alias ARN, `alias/<name>`, or a key id (a
/// UUID, or `mrk-` and 32 hex digits for a multi-Region key). This is the pattern of
/// the model's `KmsKey` (docs/athena.md), plus multi-Region key ids, which KMS issues.
pub(crate) fn is_kms_key(key: &str) -> bool {
    if key.is_empty() || key.len() > 2048 {
        return false;
    }
    let name_chars = |s: &str, extra: &[u8]| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    };
    if let Some(rest) = key.strip_prefix("arn:") {
        // arn:<partition>:kms:<region>:<account>:key/<id> or :alias/<name>
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let [partition, "kms", region, account, resource] = parts.as_slice() else {
            return false;
        };
        let tail = resource
            .strip_prefix("key/")
            .or_else(|| resource.strip_prefix("alias/"));
        return partition.starts_with("aws")
            && name_chars(region, b"-")
            && check_account_id("", account).is_ok()
            && tail.is_some_and(|t| name_chars(t, b"_+=,.@-/"));
    }
    if let Some(name) = key.strip_prefix("alias/") {
        return name_chars(name, b"/_-");
    }
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(id) = key.strip_prefix("mrk-") {
        return hex(id, 32);
    }
    let groups: Vec<&str> = key.split('-').collect();
    groups.len() == 5 && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| hex(g, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kms_keys_are_arns_aliases_or_key_ids() {
        for good in [
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/results",
            "alias/athena-results",
            "alias/team/results_2",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "mrk-1234abcd12ab34cd56ef1234567890ab",
        ] {
            assert!(is_kms_key(good), "{good}");
        }
        for bad in [
            "",
            "my-key",
            "alias/",
            "alias/with space",
            "arn:aws:s3:::bucket",
            "arn:aws:kms:us-east-1:1111:key/abc",
            "arn:aws:kms:us-east-1:111122223333:secret/abc",
            "1234abcd-12ab-34cd-56ef",
            "mrk-123",
        ] {
            assert!(!is_kms_key(bad), "{bad}");
        }
    }

    #[test]
    fn encryption_that_athena_cannot_do_is_refused_before_the_call() {
        let config = |option, key: Option<&str>| ResultConfiguration {
            encryption_configuration: Some(EncryptionConfiguration {
                encryption_option: option,
                kms_key: key.map(str::to_owned),
            }),
            ..ResultConfiguration::default()
        };
        assert!(config(EncryptionOption::SseS3, None).validate().is_ok());
        assert!(config(EncryptionOption::SseKms, None).validate().is_ok());
        assert!(
            config(EncryptionOption::CseKms, Some("alias/k"))
                .validate()
                .is_ok()
        );
        for (option, key, says) in [
            (EncryptionOption::SseS3, Some("alias/k"), "SSE_S3"),
            (EncryptionOption::CseKms, None, "needs a KmsKey"),
            (EncryptionOption::SseKms, Some("my key"), "\"my key\""),
        ] {
            let err = config(option, key).validate().unwrap_err();
            assert!(
                matches!(&err, Error::InvalidConfig { message } if message.contains(says)),
                "{err}"
            );
        }
    }

    #[test]
    fn account_ids_are_twelve_digits() {
        let owner = |id: &str| ResultConfiguration {
            expected_bucket_owner: Some(id.to_owned()),
            ..ResultConfiguration::default()
        };
        assert!(owner("111122223333").validate().is_ok());
        for bad in ["", "11112222333", "1111222233334", "11112222333a"] {
            let err = owner(bad).validate().unwrap_err();
            assert!(err.to_string().contains("12 digits"), "{err}");
        }
    }

    #[test]
    fn overridden_settings_are_named() {
        let asked = ResultConfiguration {
            output_location: Some("s3://mine/results/".to_owned()),
            encryption_configuration: Some(EncryptionConfiguration::new(EncryptionOption::SseS3)),
            expected_bucket_owner: None,
            acl_option: None,
        };
        let same = ResultConfiguration {
            output_location: Some("s3://mine/results/q1.csv".to_owned()),
            ..asked.clone()
        };
        assert!(asked.overridden_in(&same).is_empty());
        let enforced = ResultConfiguration {
            output_location: Some("s3://workgroup/out/q1.csv".to_owned()),
            encryption_configuration: Some(
                EncryptionConfiguration::new(EncryptionOption::SseKms).with_kms_key("alias/wg"),
            ),
            expected_bucket_owner: Some("111122223333".to_owned()),
            acl_option: None,
        };
        assert_eq!(
            asked.overridden_in(&enforced),
            ["OutputLocation", "EncryptionConfiguration"]
        );
        assert!(
            ResultConfiguration::default()
                .overridden_in(&enforced)
                .is_empty()
        );
    }
}
