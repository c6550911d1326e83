//! The emulator's AWS account: the one account that owns every bucket, which S3's
//! `x-amz-expected-bucket-owner` and Athena's `ExpectedBucketOwner` are checked against,
//! and the KMS key ARNs that name it.

/// The account id of an emulator that is not given one (AWS's documentation example id).
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";

/// The Region the emulator's ARNs name: it serves one Region, whichever the client
/// signs for, and names this one.
pub(crate) const REGION: &str = "us-east-1";

/// Whether `id` is an AWS account id: twelve ASCII digits (the model's `AwsAccountId`,
/// and what S3 asks of `x-amz-expected-bucket-owner`).
pub(crate) fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `key` names a KMS key as the model's `KmsKey` pattern allows: a key ARN, an
/// alias ARN, `alias/<name>`, or a key id (a lower-case UUID).
pub(crate) fn is_kms_key(key: &str) -> bool {
    if key.is_empty() || key.len() > 2048 {
        return false;
    }
    let arn_tail = |s: &str| {
        !s.is_empty()
            && s.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(b, b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b'-' | b'/')
            })
    };
    if let Some(rest) = key.strip_prefix("arn:aws") {
        // `arn:aws[a-z-]*:kms:<region>:<12 digits>:(key|alias)/?<name>`
        let Some((partition, rest)) = rest.split_once(':') else {
            return false;
        };
        if !partition
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-')
        {
            return false;
        }
        let mut parts = rest.splitn(4, ':');
        let (Some("kms"), Some(region), Some(account), Some(resource)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        let region_ok = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let tail = resource
            .strip_prefix("key")
            .or_else(|| resource.strip_prefix("alias"))
            .map(|t| t.strip_prefix('/').unwrap_or(t));
        return region_ok && is_account_id(account) && tail.is_some_and(arn_tail);
    }
    if let Some(name) = key.strip_prefix("alias/") {
        return !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'));
    }
    is_key_id(key)
}

/// A key id: `8-4-4-4-12` lower-case hex digits.
fn is_key_id(key: &str) -> bool {
    let groups: Vec<&str> = key.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// The model's `KmsKey` pattern, as a validation message quotes it.
pub(crate) const KMS_KEY_PATTERN: &str = "^(arn:aws[a-z\\-]*:kms:([a-z0-9\\-]+):\\d{12}:key/?[a-zA-Z_0-9+=,.@\\-_/]+|arn:aws[a-z\\-]*:kms:([a-z0-9\\-]+):\\d{12}:alias/?[a-zA-Z_0-9+=,.@\\-_/]+|alias/[a-zA-Z0-9/_-]+|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$";

/// The ARN S3 reports in `x-amz-server-side-encryption-aws-kms-key-id` for an object
/// encrypted with `key` (None: the account's AWS managed key for S3, `aws/s3`). S3
/// reports a key's ARN; the emulator has no KMS to resolve an alias to its key, so an
/// alias is reported as its alias ARN.
pub(crate) fn kms_key_arn(account: &str, key: Option<&str>) -> String {
    match key {
        Some(arn) if arn.starts_with("arn:") => arn.to_owned(),
        Some(alias) if alias.starts_with("alias/") => {
            format!("arn:aws:kms:{REGION}:{account}:{alias}")
        }
        Some(id) => format!("arn:aws:kms:{REGION}:{account}:key/{id}"),
        None => format!("arn:aws:kms:{REGION}:{account}:alias/aws/s3"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!(is_account_id(DEFAULT_ACCOUNT_ID));
        for bad in [
            "",
            "12345678901",
            "1234567890123",
            "12345678901a",
            "١٢٣٤٥٦٧٨٩٠١٢",
        ] {
            assert!(!is_account_id(bad), "{bad}");
        }
    }

    #[test]
    fn kms_keys_follow_the_models_pattern() {
        for good in [
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/my-key",
            "arn:aws:kms:eu-west-1:111122223333:keymrk-1",
            "alias/my/key_1",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
        ] {
            assert!(is_kms_key(good), "{good}");
        }
        for bad in [
            "",
            "not a key",
            "my-key",
            "alias/",
            "alias/has space",
            "arn:aws:kms:us-east-1:1111:key/x",
            "arn:aws:s3:us-east-1:111122223333:key/x",
            "arn:aws:kms:us-east-1:111122223333:secret/x",
            "arn:aws:kms::111122223333:key/x",
            "1234ABCD-12ab-34cd-56ef-1234567890ab",
            "1234abcd-12ab-34cd-56ef",
        ] {
            assert!(!is_kms_key(bad), "{bad}");
        }
    }

    #[test]
    fn key_arns_name_the_account() {
        let account = "111122223333";
        assert_eq!(
            kms_key_arn(account, Some("1234abcd-12ab-34cd-56ef-1234567890ab")),
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        );
        assert_eq!(
            kms_key_arn(account, Some("alias/mine")),
            "arn:aws:kms:us-east-1:111122223333:alias/mine"
        );
        assert_eq!(
            kms_key_arn(account, None),
            "arn:aws:kms:us-east-1:111122223333:alias/aws/s3"
        );
        let arn = "arn:aws:kms:eu-west-1:444455556666:key/k";
        assert_eq!(kms_key_arn(account, Some(arn)), arn);
    }
}
