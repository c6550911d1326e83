//! Workgroups: their configuration as CreateWorkGroup and UpdateWorkGroup give it (read
//! with the model's checks), and as GetWorkGroup and ListWorkGroups report it. What a
//! workgroup does to a query (its result configuration, enforced or not, managed query
//! results, the bytes-scanned cutoff) is applied by the registry (`queries.rs`).

use std::time::SystemTime;

use serde_json::{Map, Value, json};

use super::protocol::{ApiError, Input};
use super::result_config::ResultConfig;
use crate::server::account;

/// The workgroup every account has, and that a query without `WorkGroup` runs in.
pub(crate) const PRIMARY: &str = "primary";

/// The smallest `BytesScannedCutoffPerQuery` the model allows: 10 MB.
pub(crate) const MIN_BYTES_SCANNED_CUTOFF: i64 = 10_000_000;

/// The engine every query runs on.
const EFFECTIVE_ENGINE_VERSION: &str = "Athena engine version 3";

/// The answer to a workgroup name that does not exist (docs/athena.md, "Workgroups").
pub(crate) fn not_found() -> ApiError {
    ApiError::invalid_input("WorkGroup is not found.")
}

/// The model's `[a-zA-Z0-9._-]{1,128}` for workgroup names.
pub(crate) fn is_name(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// `ManagedQueryResultsConfiguration`: results kept in storage Athena owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Managed {
    pub(crate) enabled: bool,
    /// `EncryptionConfiguration.KmsKey`.
    pub(crate) kms_key: Option<String>,
}

impl Managed {
    pub(crate) fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("Enabled".into(), json!(self.enabled));
        if let Some(key) = &self.kms_key {
            out.insert("EncryptionConfiguration".into(), json!({"KmsKey": key}));
        }
        Value::Object(out)
    }
}

/// `WorkGroupConfiguration`: the members the emulator keeps (the Spark, Identity Center,
/// monitoring and customer-content members are accepted and not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorkGroupConfig {
    pub(crate) result: ResultConfig,
    pub(crate) managed: Option<Managed>,
    pub(crate) enforce: bool,
    pub(crate) publish_cloudwatch_metrics: bool,
    pub(crate) bytes_scanned_cutoff: Option<i64>,
    pub(crate) requester_pays: bool,
    pub(crate) selected_engine_version: String,
    pub(crate) minimum_encryption: bool,
}

impl Default for WorkGroupConfig {
    /// A workgroup created without a configuration, as `primary` is measured to be
    /// (docs/athena.md, "Workgroups").
    fn default() -> Self {
        Self {
            result: ResultConfig::default(),
            managed: None,
            enforce: false,
            publish_cloudwatch_metrics: false,
            bytes_scanned_cutoff: None,
            requester_pays: false,
            selected_engine_version: "AUTO".to_owned(),
            minimum_encryption: false,
        }
    }
}

impl WorkGroupConfig {
    /// Whether results go to Athena's own storage rather than an S3 location.
    pub(crate) fn managed_enabled(&self) -> bool {
        self.managed.as_ref().is_some_and(|m| m.enabled)
    }

    /// The checks beyond the model's: an encryption configuration Athena cannot apply,
    /// and managed query results beside an output location, which the model says a
    /// workgroup cannot have.
    pub(crate) fn check(&self) -> Result<(), ApiError> {
        self.result.check()?;
        if self.managed_enabled() && self.result.output_location.is_some() {
            return Err(ApiError::invalid_input(
                "A workgroup with ManagedQueryResultsConfiguration enabled cannot have \
                 ResultConfiguration.OutputLocation",
            ));
        }
        Ok(())
    }

    fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert(
            "ResultConfiguration".into(),
            self.result.to_json(self.result.output_location.as_deref()),
        );
        if let Some(managed) = &self.managed {
            out.insert("ManagedQueryResultsConfiguration".into(), managed.to_json());
        }
        out.insert("EnforceWorkGroupConfiguration".into(), json!(self.enforce));
        out.insert(
            "PublishCloudWatchMetricsEnabled".into(),
            json!(self.publish_cloudwatch_metrics),
        );
        if let Some(cutoff) = self.bytes_scanned_cutoff {
            out.insert("BytesScannedCutoffPerQuery".into(), json!(cutoff));
        }
        out.insert("RequesterPaysEnabled".into(), json!(self.requester_pays));
        out.insert("EngineVersion".into(), self.engine_version_json());
        out.insert(
            "EnableMinimumEncryptionConfiguration".into(),
            json!(self.minimum_encryption),
        );
        Value::Object(out)
    }

    fn engine_version_json(&self) -> Value {
        json!({
            "SelectedEngineVersion": self.selected_engine_version,
            "EffectiveEngineVersion": EFFECTIVE_ENGINE_VERSION,
        })
    }
}

/// One workgroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorkGroup {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) enabled: bool,
    pub(crate) created: SystemTime,
    pub(crate) config: WorkGroupConfig,
}

fn epoch_seconds(t: SystemTime) -> Value {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    json!(d.as_millis() as f64 / 1000.0)
}

impl WorkGroup {
    /// `primary`, as every account has it.
    pub(crate) fn primary(created: SystemTime) -> Self {
        Self {
            name: PRIMARY.to_owned(),
            description: None,
            enabled: true,
            created,
            config: WorkGroupConfig::default(),
        }
    }

    fn state(&self) -> &'static str {
        if self.enabled { "ENABLED" } else { "DISABLED" }
    }

    /// GetWorkGroup's `WorkGroup`: `Description` only when not empty, as measured.
    pub(crate) fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("Name".into(), json!(self.name));
        out.insert("State".into(), json!(self.state()));
        out.insert("Configuration".into(), self.config.to_json());
        if let Some(description) = self.description.as_deref().filter(|d| !d.is_empty()) {
            out.insert("Description".into(), json!(description));
        }
        out.insert("CreationTime".into(), epoch_seconds(self.created));
        Value::Object(out)
    }

    /// ListWorkGroups' `WorkGroupSummary`: `Description` always, `""` when none, as
    /// measured.
    pub(crate) fn summary_json(&self) -> Value {
        json!({
            "Name": self.name,
            "State": self.state(),
            "Description": self.description.as_deref().unwrap_or(""),
            "CreationTime": epoch_seconds(self.created),
            "EngineVersion": self.config.engine_version_json(),
        })
    }
}

/// Reads `Description` (0..1024 characters).
pub(crate) fn read_description(input: &mut Input) -> Result<Option<String>, ApiError> {
    let description = input.string("Description")?;
    input.check_length("description", description.as_deref(), 0, 1024);
    Ok(description)
}

/// Reads an `EngineVersion`: its `SelectedEngineVersion` (the effective one is read
/// only, and ignored as the model says).
fn read_engine_version(input: &mut Input, member: &str) -> Result<Option<String>, ApiError> {
    let Some(mut nested) = input.structure("EngineVersion")? else {
        return Ok(None);
    };
    let selected = nested.string("SelectedEngineVersion")?;
    nested.check_length(
        &format!("{member}.engineVersion.selectedEngineVersion"),
        selected.as_deref(),
        1,
        128,
    );
    let _ = nested.string("EffectiveEngineVersion")?;
    input.absorb(nested);
    Ok(selected)
}

/// The engine versions the emulator runs: `AUTO` and Athena engine version 3 (its SQL
/// is Trino's, as engine 3's is).
fn check_engine_version(selected: &str) -> Result<(), ApiError> {
    if selected == "AUTO" || selected == EFFECTIVE_ENGINE_VERSION {
        Ok(())
    } else {
        Err(ApiError::invalid_input(format!(
            "The engine version {selected} is not supported by athena-emulator, which runs \
             {EFFECTIVE_ENGINE_VERSION} (AUTO)"
        )))
    }
}

/// Reads `BytesScannedCutoffPerQuery` (at least 10 MB).
fn read_cutoff(input: &mut Input, member: &str) -> Result<Option<i64>, ApiError> {
    let cutoff = input.long("BytesScannedCutoffPerQuery")?;
    input.check_min(
        &format!("{member}.bytesScannedCutoffPerQuery"),
        cutoff,
        MIN_BYTES_SCANNED_CUTOFF,
    );
    Ok(cutoff)
}

/// Reads a `ManagedQueryResultsEncryptionConfiguration` (its `KmsKey` is required and
/// follows the model's `KmsKey` pattern).
fn read_managed_encryption(input: &mut Input, member: &str) -> Result<Option<String>, ApiError> {
    let Some(mut nested) = input.structure("EncryptionConfiguration")? else {
        return Ok(None);
    };
    let key_member = format!("{member}.encryptionConfiguration.kmsKey");
    let key = nested.string("KmsKey")?;
    match key.as_deref() {
        None => nested.violation(format!(
            "Value null at '{key_member}' failed to satisfy constraint: Member must not be null"
        )),
        Some(key) => {
            nested.check_length(&key_member, Some(key), 1, 2048);
            nested.check_pattern(
                &key_member,
                Some(key),
                account::is_kms_key,
                account::KMS_KEY_PATTERN,
            );
        }
    }
    input.absorb(nested);
    Ok(key)
}

/// Reads `ManagedQueryResultsConfiguration` (`Enabled` is required).
fn read_managed(input: &mut Input, member: &str) -> Result<Option<Managed>, ApiError> {
    let Some(mut nested) = input.structure("ManagedQueryResultsConfiguration")? else {
        return Ok(None);
    };
    let member = format!("{member}.managedQueryResultsConfiguration");
    let enabled = nested.boolean("Enabled")?;
    if enabled.is_none() {
        nested.violation(format!(
            "Value null at '{member}.enabled' failed to satisfy constraint: Member must not be null"
        ));
    }
    let kms_key = read_managed_encryption(&mut nested, &member)?;
    input.absorb(nested);
    Ok(Some(Managed {
        enabled: enabled.unwrap_or(false),
        kms_key,
    }))
}

/// Reads CreateWorkGroup's `Configuration` with the model's checks (violations go to
/// `input`); [`WorkGroupConfig::check`] and the engine version are checked by the caller
/// once the request is otherwise valid.
pub(crate) fn read_configuration(input: &mut Input) -> Result<Option<WorkGroupConfig>, ApiError> {
    let Some(mut nested) = input.structure("Configuration")? else {
        return Ok(None);
    };
    let member = "configuration";
    let mut config = WorkGroupConfig {
        result: ResultConfig::read(
            &mut nested,
            "ResultConfiguration",
            "configuration.resultConfiguration",
        )?
        .unwrap_or_default(),
        managed: read_managed(&mut nested, member)?,
        ..WorkGroupConfig::default()
    };
    config.enforce = nested
        .boolean("EnforceWorkGroupConfiguration")?
        .unwrap_or(false);
    config.publish_cloudwatch_metrics = nested
        .boolean("PublishCloudWatchMetricsEnabled")?
        .unwrap_or(false);
    config.bytes_scanned_cutoff = read_cutoff(&mut nested, member)?;
    config.requester_pays = nested.boolean("RequesterPaysEnabled")?.unwrap_or(false);
    if let Some(selected) = read_engine_version(&mut nested, member)? {
        config.selected_engine_version = selected;
    }
    config.minimum_encryption = nested
        .boolean("EnableMinimumEncryptionConfiguration")?
        .unwrap_or(false);
    input.absorb(nested);
    Ok(Some(config))
}

/// A configuration checked in full: the checks [`read_configuration`] leaves to the
/// caller.
pub(crate) fn check_configuration(config: &WorkGroupConfig) -> Result<(), ApiError> {
    check_engine_version(&config.selected_engine_version)?;
    config.check()
}

/// `ResultConfigurationUpdates`: values to set and members to remove.
#[derive(Debug, Default)]
struct ResultUpdates {
    set: ResultConfig,
    remove_output_location: bool,
    remove_encryption: bool,
    remove_expected_bucket_owner: bool,
    remove_acl: bool,
}

/// `ManagedQueryResultsConfigurationUpdates`.
#[derive(Debug, Default)]
struct ManagedUpdates {
    enabled: Option<bool>,
    kms_key: Option<String>,
    remove_encryption: bool,
}

/// UpdateWorkGroup's `ConfigurationUpdates`, read and checked, to apply to a workgroup.
#[derive(Debug, Default)]
pub(crate) struct ConfigUpdates {
    enforce: Option<bool>,
    result: Option<ResultUpdates>,
    managed: Option<ManagedUpdates>,
    publish_cloudwatch_metrics: Option<bool>,
    bytes_scanned_cutoff: Option<i64>,
    remove_bytes_scanned_cutoff: bool,
    requester_pays: Option<bool>,
    selected_engine_version: Option<String>,
    minimum_encryption: Option<bool>,
}

/// Reads UpdateWorkGroup's `ConfigurationUpdates` with the model's checks.
pub(crate) fn read_updates(input: &mut Input) -> Result<Option<ConfigUpdates>, ApiError> {
    let Some(mut nested) = input.structure("ConfigurationUpdates")? else {
        return Ok(None);
    };
    let member = "configurationUpdates";
    let mut updates = ConfigUpdates {
        enforce: nested.boolean("EnforceWorkGroupConfiguration")?,
        ..ConfigUpdates::default()
    };
    if let Some(mut result) = nested.structure("ResultConfigurationUpdates")? {
        let set = ResultConfig::read_members(
            &mut result,
            "configurationUpdates.resultConfigurationUpdates",
        )?;
        updates.result = Some(ResultUpdates {
            set,
            remove_output_location: result.boolean("RemoveOutputLocation")?.unwrap_or(false),
            remove_encryption: result
                .boolean("RemoveEncryptionConfiguration")?
                .unwrap_or(false),
            remove_expected_bucket_owner: result
                .boolean("RemoveExpectedBucketOwner")?
                .unwrap_or(false),
            remove_acl: result.boolean("RemoveAclConfiguration")?.unwrap_or(false),
        });
        nested.absorb(result);
    }
    if let Some(mut managed) = nested.structure("ManagedQueryResultsConfigurationUpdates")? {
        let managed_member = "configurationUpdates.managedQueryResultsConfigurationUpdates";
        updates.managed = Some(ManagedUpdates {
            enabled: managed.boolean("Enabled")?,
            kms_key: read_managed_encryption(&mut managed, managed_member)?,
            remove_encryption: managed
                .boolean("RemoveEncryptionConfiguration")?
                .unwrap_or(false),
        });
        nested.absorb(managed);
    }
    updates.publish_cloudwatch_metrics = nested.boolean("PublishCloudWatchMetricsEnabled")?;
    updates.bytes_scanned_cutoff = read_cutoff(&mut nested, member)?;
    updates.remove_bytes_scanned_cutoff = nested
        .boolean("RemoveBytesScannedCutoffPerQuery")?
        .unwrap_or(false);
    updates.requester_pays = nested.boolean("RequesterPaysEnabled")?;
    updates.selected_engine_version = read_engine_version(&mut nested, member)?;
    updates.minimum_encryption = nested.boolean("EnableMinimumEncryptionConfiguration")?;
    input.absorb(nested);
    Ok(Some(updates))
}

impl ConfigUpdates {
    /// `config` with the updates applied; a `Remove*` flag wins over a value given
    /// beside it.
    pub(crate) fn apply(&self, config: &WorkGroupConfig) -> WorkGroupConfig {
        let mut out = config.clone();
        if let Some(enforce) = self.enforce {
            out.enforce = enforce;
        }
        if let Some(result) = &self.result {
            let r = &mut out.result;
            if result.set.output_location.is_some() {
                r.output_location.clone_from(&result.set.output_location);
            }
            if result.remove_output_location {
                r.output_location = None;
            }
            if result.set.encryption.is_some() {
                r.encryption.clone_from(&result.set.encryption);
            }
            if result.remove_encryption {
                r.encryption = None;
            }
            if result.set.expected_bucket_owner.is_some() {
                r.expected_bucket_owner
                    .clone_from(&result.set.expected_bucket_owner);
            }
            if result.remove_expected_bucket_owner {
                r.expected_bucket_owner = None;
            }
            if result.set.acl_bucket_owner_full_control {
                r.acl_bucket_owner_full_control = true;
            }
            if result.remove_acl {
                r.acl_bucket_owner_full_control = false;
            }
        }
        if let Some(managed) = &self.managed {
            let mut m = out.managed.clone().unwrap_or(Managed {
                enabled: false,
                kms_key: None,
            });
            if let Some(enabled) = managed.enabled {
                m.enabled = enabled;
            }
            if managed.kms_key.is_some() {
                m.kms_key.clone_from(&managed.kms_key);
            }
            if managed.remove_encryption {
                m.kms_key = None;
            }
            out.managed = Some(m);
        }
        if let Some(publish) = self.publish_cloudwatch_metrics {
            out.publish_cloudwatch_metrics = publish;
        }
        if self.bytes_scanned_cutoff.is_some() {
            out.bytes_scanned_cutoff = self.bytes_scanned_cutoff;
        }
        if self.remove_bytes_scanned_cutoff {
            out.bytes_scanned_cutoff = None;
        }
        if let Some(requester_pays) = self.requester_pays {
            out.requester_pays = requester_pays;
        }
        if let Some(selected) = &self.selected_engine_version {
            out.selected_engine_version.clone_from(selected);
        }
        if let Some(minimum) = self.minimum_encryption {
            out.minimum_encryption = minimum;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configuration(body: &str) -> Result<WorkGroupConfig, ApiError> {
        let mut input = Input::parse(body.as_bytes()).unwrap();
        let config = read_configuration(&mut input)?.unwrap_or_default();
        input.finish()?;
        check_configuration(&config)?;
        Ok(config)
    }

    #[test]
    fn primary_reads_as_measured() {
        let created = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_700_000_000_500);
        assert_eq!(
            WorkGroup::primary(created).to_json(),
            json!({
                "Name": "primary",
                "State": "ENABLED",
                "Configuration": {
                    "ResultConfiguration": {},
                    "EnforceWorkGroupConfiguration": false,
                    "PublishCloudWatchMetricsEnabled": false,
                    "RequesterPaysEnabled": false,
                    "EngineVersion": {
                        "SelectedEngineVersion": "AUTO",
                        "EffectiveEngineVersion": "Athena engine version 3",
                    },
                    "EnableMinimumEncryptionConfiguration": false,
                },
                "CreationTime": 1_700_000_000.5,
            })
        );
        assert_eq!(
            WorkGroup::primary(created).summary_json()["Description"],
            ""
        );
    }

    #[test]
    fn a_configuration_is_read_whole() {
        let config = configuration(
            r#"{"Configuration": {
                "ResultConfiguration": {"OutputLocation": "s3://b/p/",
                    "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"}},
                "EnforceWorkGroupConfiguration": true,
                "BytesScannedCutoffPerQuery": 10000000,
                "PublishCloudWatchMetricsEnabled": true,
                "EngineVersion": {"SelectedEngineVersion": "Athena engine version 3"}}}"#,
        )
        .unwrap();
        assert!(config.enforce);
        assert_eq!(config.bytes_scanned_cutoff, Some(10_000_000));
        assert_eq!(config.result.output_location.as_deref(), Some("s3://b/p/"));
        assert_eq!(
            config.to_json()["ResultConfiguration"]["OutputLocation"],
            "s3://b/p/"
        );
    }

    #[test]
    fn bad_configurations_are_refused() {
        let err = configuration(r#"{"Configuration": {"BytesScannedCutoffPerQuery": 9999999}}"#)
            .unwrap_err();
        assert_eq!(
            err.message,
            "1 validation error detected: Value at 'configuration.bytesScannedCutoffPerQuery' \
             failed to satisfy constraint: Member must have value greater than or equal to \
             10000000"
        );
        let err = configuration(
            r#"{"Configuration": {"ManagedQueryResultsConfiguration":
                {"EncryptionConfiguration": {"KmsKey": "not a key"}}}}"#,
        )
        .unwrap_err();
        assert!(err.message.starts_with("2 validation errors detected: Value null at 'configuration.managedQueryResultsConfiguration.enabled'"), "{}", err.message);
        assert!(
            err.message
                .contains("Member must satisfy regular expression pattern: ^(arn:aws"),
            "{}",
            err.message
        );
        let err = configuration(
            r#"{"Configuration": {"ResultConfiguration": {"OutputLocation": "s3://b/"},
                "ManagedQueryResultsConfiguration": {"Enabled": true}}}"#,
        )
        .unwrap_err();
        assert_eq!(err.athena_error_code, Some("INVALID_INPUT"));
        let err = configuration(
            r#"{"Configuration": {"EngineVersion": {"SelectedEngineVersion": "Athena engine version 2"}}}"#,
        )
        .unwrap_err();
        assert_eq!(err.athena_error_code, Some("INVALID_INPUT"));
        let err = configuration(r#"{"Configuration": {"BytesScannedCutoffPerQuery": "big"}}"#)
            .unwrap_err();
        assert_eq!(err.kind, "SerializationException");
    }

    #[test]
    fn updates_set_and_remove_members() {
        let config = configuration(
            r#"{"Configuration": {"ResultConfiguration": {"OutputLocation": "s3://b/",
                "ExpectedBucketOwner": "111122223333"}, "BytesScannedCutoffPerQuery": 20000000}}"#,
        )
        .unwrap();
        let mut input = Input::parse(
            br#"{"ConfigurationUpdates": {"EnforceWorkGroupConfiguration": true,
                "ResultConfigurationUpdates": {"OutputLocation": "s3://c/",
                    "RemoveExpectedBucketOwner": true},
                "RemoveBytesScannedCutoffPerQuery": true,
                "ManagedQueryResultsConfigurationUpdates": {"Enabled": false}}}"#,
        )
        .unwrap();
        let updates = read_updates(&mut input).unwrap().unwrap();
        input.finish().unwrap();
        let updated = updates.apply(&config);
        assert!(updated.enforce);
        assert_eq!(updated.result.output_location.as_deref(), Some("s3://c/"));
        assert_eq!(updated.result.expected_bucket_owner, None);
        assert_eq!(updated.bytes_scanned_cutoff, None);
        assert_eq!(
            updated.managed,
            Some(Managed {
                enabled: false,
                kms_key: None
            })
        );
    }
}
