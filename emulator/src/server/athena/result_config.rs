//! A result configuration (`ResultConfiguration`): where results go and how they are
//! written, as StartQueryExecution and a workgroup give it; read with the model's checks,
//! merged with a workgroup's, and reported by GetQueryExecution and GetWorkGroup.

use serde_json::{Map, Value, json};

use super::protocol::{ApiError, Input};
use crate::server::account;

/// `EncryptionConfiguration.EncryptionOption`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EncryptionOption {
    /// Server-side, keys Amazon S3 manages.
    SseS3,
    /// Server-side, a KMS key.
    SseKms,
    /// Client-side (the S3 Encryption Client's envelope), a KMS key.
    CseKms,
}

impl EncryptionOption {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "SSE_S3" => Some(Self::SseS3),
            "SSE_KMS" => Some(Self::SseKms),
            "CSE_KMS" => Some(Self::CseKms),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::SseS3 => "SSE_S3",
            Self::SseKms => "SSE_KMS",
            Self::CseKms => "CSE_KMS",
        }
    }
}

/// `EncryptionConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Encryption {
    pub(crate) option: EncryptionOption,
    /// The KMS key, as given.
    pub(crate) kms_key: Option<String>,
}

impl Encryption {
    fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("EncryptionOption".into(), json!(self.option.as_str()));
        if let Some(key) = &self.kms_key {
            out.insert("KmsKey".into(), json!(key));
        }
        Value::Object(out)
    }
}

/// `ResultConfiguration`: each member as given (None: not given).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ResultConfig {
    pub(crate) output_location: Option<String>,
    pub(crate) encryption: Option<Encryption>,
    pub(crate) expected_bucket_owner: Option<String>,
    /// `AclConfiguration.S3AclOption`: its one value, `BUCKET_OWNER_FULL_CONTROL`.
    pub(crate) acl_bucket_owner_full_control: bool,
}

/// The only `S3AclOption`.
const BUCKET_OWNER_FULL_CONTROL: &str = "BUCKET_OWNER_FULL_CONTROL";

impl ResultConfig {
    /// Reads the structure `key` of `input` with the model's checks, naming its members
    /// under `member` (lowerCamel, as the service's messages do). Violations go to
    /// `input`; a member of the wrong JSON type fails at once.
    pub(crate) fn read(
        input: &mut Input,
        key: &str,
        member: &str,
    ) -> Result<Option<Self>, ApiError> {
        let Some(mut nested) = input.structure(key)? else {
            return Ok(None);
        };
        let config = Self::read_members(&mut nested, member)?;
        input.absorb(nested);
        Ok(Some(config))
    }

    /// Reads the members of an open `ResultConfiguration` (or of
    /// `ResultConfigurationUpdates`, which has them too) with the model's checks.
    pub(crate) fn read_members(nested: &mut Input, member: &str) -> Result<Self, ApiError> {
        let mut config = ResultConfig {
            output_location: nested.string("OutputLocation")?,
            ..ResultConfig::default()
        };
        config.encryption = read_encryption(
            nested,
            "EncryptionConfiguration",
            &format!("{member}.encryptionConfiguration"),
        )?;
        let owner = nested.string("ExpectedBucketOwner")?;
        let owner_member = format!("{member}.expectedBucketOwner");
        nested.check_length(&owner_member, owner.as_deref(), 12, 12);
        nested.check_pattern(
            &owner_member,
            owner.as_deref(),
            |v| v.bytes().all(|b| b.is_ascii_digit()),
            "^[0-9]+$",
        );
        config.expected_bucket_owner = owner;
        if let Some(mut acl) = nested.structure("AclConfiguration")? {
            let option = acl.string("S3AclOption")?;
            let acl_member = format!("{member}.aclConfiguration.s3AclOption");
            match option.as_deref() {
                None => acl.violation(format!(
                    "Value null at '{acl_member}' failed to satisfy constraint: \
                     Member must not be null"
                )),
                Some(BUCKET_OWNER_FULL_CONTROL) => config.acl_bucket_owner_full_control = true,
                Some(other) => acl.violation(format!(
                    "Value '{other}' at '{acl_member}' failed to satisfy constraint: \
                     Member must satisfy enum value set: [{BUCKET_OWNER_FULL_CONTROL}]"
                )),
            }
            nested.absorb(acl);
        }
        Ok(config)
    }

    /// The checks after the model's: an encryption configuration Athena cannot apply
    /// (docs/athena.md, "Encrypted results"). Called once the request is otherwise
    /// valid.
    pub(crate) fn check(&self) -> Result<(), ApiError> {
        match &self.encryption {
            Some(encryption) => check_encryption(encryption),
            None => Ok(()),
        }
    }

    /// This configuration where it sets a member, `fallback`'s where it does not: a
    /// client's settings over a workgroup's that does not enforce its own.
    pub(crate) fn or(&self, fallback: &ResultConfig) -> ResultConfig {
        ResultConfig {
            output_location: self
                .output_location
                .clone()
                .or_else(|| fallback.output_location.clone()),
            encryption: self
                .encryption
                .clone()
                .or_else(|| fallback.encryption.clone()),
            expected_bucket_owner: self
                .expected_bucket_owner
                .clone()
                .or_else(|| fallback.expected_bucket_owner.clone()),
            acl_bucket_owner_full_control: self.acl_bucket_owner_full_control
                || fallback.acl_bucket_owner_full_control,
        }
    }

    /// The structure as GetQueryExecution and GetWorkGroup report it: the members set,
    /// `OutputLocation` replaced by `output_location` (a query reports the full URI of
    /// its file; None leaves it out).
    pub(crate) fn to_json(&self, output_location: Option<&str>) -> Value {
        let mut out = Map::new();
        if let Some(location) = output_location {
            out.insert("OutputLocation".into(), json!(location));
        }
        if let Some(encryption) = &self.encryption {
            out.insert("EncryptionConfiguration".into(), encryption.to_json());
        }
        if let Some(owner) = &self.expected_bucket_owner {
            out.insert("ExpectedBucketOwner".into(), json!(owner));
        }
        if self.acl_bucket_owner_full_control {
            out.insert(
                "AclConfiguration".into(),
                json!({"S3AclOption": BUCKET_OWNER_FULL_CONTROL}),
            );
        }
        Value::Object(out)
    }
}

/// Reads an `EncryptionConfiguration` with the model's checks.
pub(crate) fn read_encryption(
    input: &mut Input,
    key: &str,
    member: &str,
) -> Result<Option<Encryption>, ApiError> {
    let Some(mut nested) = input.structure(key)? else {
        return Ok(None);
    };
    let option = nested.string("EncryptionOption")?;
    let kms_key = nested.string("KmsKey")?;
    let option_member = format!("{member}.encryptionOption");
    let parsed = match option.as_deref() {
        None => {
            nested.violation(format!(
                "Value null at '{option_member}' failed to satisfy constraint: \
                 Member must not be null"
            ));
            None
        }
        Some(text) => {
            let parsed = EncryptionOption::parse(text);
            if parsed.is_none() {
                nested.violation(format!(
                    "Value '{text}' at '{option_member}' failed to satisfy constraint: \
                     Member must satisfy enum value set: [SSE_S3, SSE_KMS, CSE_KMS]"
                ));
            }
            parsed
        }
    };
    input.absorb(nested);
    // A violation recorded above fails the request before the value is used.
    Ok(parsed.map(|option| Encryption { option, kms_key }))
}

/// What Athena cannot encrypt with (docs/athena.md, "Encrypted results"): a KMS key with
/// SSE_S3, whose keys S3 manages; CSE_KMS without a key, since the client-side envelope
/// is made with a key the caller names (SSE_KMS without one uses the account's `aws/s3`
/// key, as S3 does); a key that is not a key ARN, alias or key id.
fn check_encryption(encryption: &Encryption) -> Result<(), ApiError> {
    match (encryption.option, encryption.kms_key.as_deref()) {
        (EncryptionOption::SseS3, Some(_)) => Err(ApiError::invalid_input(
            "KmsKey is not allowed with EncryptionOption SSE_S3, which encrypts with keys \
             Amazon S3 manages",
        )),
        (EncryptionOption::CseKms, None) => Err(ApiError::invalid_input(
            "KmsKey is required with EncryptionOption CSE_KMS",
        )),
        (_, Some(key)) if !account::is_kms_key(key) => Err(ApiError::invalid_input(format!(
            "KmsKey {key} is not a KMS key ARN, alias ARN, alias name or key id"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> Result<Option<ResultConfig>, ApiError> {
        let mut input = Input::parse(body.as_bytes()).unwrap();
        let config = ResultConfig::read(&mut input, "ResultConfiguration", "resultConfiguration")?;
        input.finish()?;
        Ok(config)
    }

    #[test]
    fn every_member_is_read_and_reported_back() {
        let config = read(
            r#"{"ResultConfiguration": {"OutputLocation": "s3://b/p/",
                "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": "alias/k"},
                "ExpectedBucketOwner": "111122223333",
                "AclConfiguration": {"S3AclOption": "BUCKET_OWNER_FULL_CONTROL"}}}"#,
        )
        .unwrap()
        .unwrap();
        config.check().unwrap();
        assert_eq!(
            config.to_json(Some("s3://b/p/q.csv")),
            json!({
                "OutputLocation": "s3://b/p/q.csv",
                "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": "alias/k"},
                "ExpectedBucketOwner": "111122223333",
                "AclConfiguration": {"S3AclOption": "BUCKET_OWNER_FULL_CONTROL"},
            })
        );
        assert_eq!(read("{}").unwrap(), None);
    }

    #[test]
    fn the_models_constraints_are_validation_errors() {
        let err = read(
            r#"{"ResultConfiguration": {"EncryptionConfiguration": {"EncryptionOption": "AES"},
                "ExpectedBucketOwner": "12ab", "AclConfiguration": {}}}"#,
        )
        .unwrap_err();
        assert_eq!(err.athena_error_code, Some("INVALID_INPUT"));
        assert_eq!(
            err.message,
            "4 validation errors detected: Value 'AES' at \
             'resultConfiguration.encryptionConfiguration.encryptionOption' failed to satisfy \
             constraint: Member must satisfy enum value set: [SSE_S3, SSE_KMS, CSE_KMS]; \
             Value '12ab' at 'resultConfiguration.expectedBucketOwner' failed to satisfy \
             constraint: Member must have length greater than or equal to 12; Value '12ab' at \
             'resultConfiguration.expectedBucketOwner' failed to satisfy constraint: Member \
             must satisfy regular expression pattern: ^[0-9]+$; Value null at \
             'resultConfiguration.aclConfiguration.s3AclOption' failed to satisfy constraint: \
             Member must not be null"
        );
        let err = read(r#"{"ResultConfiguration": {"EncryptionConfiguration": {}}}"#).unwrap_err();
        assert!(
            err.message.contains(
                "Value null at 'resultConfiguration.encryptionConfiguration.encryptionOption'"
            ),
            "{}",
            err.message
        );
        let err = read(r#"{"ResultConfiguration": {"ExpectedBucketOwner": 5}}"#).unwrap_err();
        assert_eq!(err.kind, "SerializationException");
    }

    #[test]
    fn keys_athena_cannot_use_are_refused() {
        let check = |option, key: Option<&str>| {
            ResultConfig {
                encryption: Some(Encryption {
                    option,
                    kms_key: key.map(str::to_owned),
                }),
                ..ResultConfig::default()
            }
            .check()
        };
        let key = Some("1234abcd-12ab-34cd-56ef-1234567890ab");
        assert!(check(EncryptionOption::SseS3, None).is_ok());
        assert!(check(EncryptionOption::SseKms, None).is_ok());
        assert!(check(EncryptionOption::SseKms, key).is_ok());
        assert!(check(EncryptionOption::CseKms, key).is_ok());
        for (option, key) in [
            (EncryptionOption::SseS3, key),
            (EncryptionOption::CseKms, None),
            (EncryptionOption::SseKms, Some("my key")),
            (EncryptionOption::CseKms, Some("alias/")),
        ] {
            let err = check(option, key).unwrap_err();
            assert_eq!(err.kind, "InvalidRequestException");
            assert_eq!(err.athena_error_code, Some("INVALID_INPUT"));
        }
    }

    #[test]
    fn a_clients_members_win_over_a_workgroups() {
        let client = ResultConfig {
            output_location: Some("s3://client/".into()),
            ..ResultConfig::default()
        };
        let workgroup = ResultConfig {
            output_location: Some("s3://workgroup/".into()),
            expected_bucket_owner: Some("111122223333".into()),
            ..ResultConfig::default()
        };
        let merged = client.or(&workgroup);
        assert_eq!(merged.output_location.as_deref(), Some("s3://client/"));
        assert_eq!(
            merged.expected_bucket_owner.as_deref(),
            Some("111122223333")
        );
    }
}
