use super::put::base64_md5_hex;
use super::*;

#[test]
fn content_md5_is_decoded_from_base64() {
    // MD5("hello") = 5d41402abc4b2a76b9719d911017c592.
    assert_eq!(
        base64_md5_hex("XUFAKrxLKna5cZ2REBfFkg==").as_deref(),
        Some("5d41402abc4b2a76b9719d911017c592")
    );
    assert_eq!(base64_md5_hex("not base64!"), None);
    assert_eq!(base64_md5_hex("aGVsbG8="), None);
}

#[test]
fn conditions_are_checked_in_s3s_order() {
    let strong = |v: &str| ETagCondition::ETag(ETag::Strong(v.to_owned()));
    assert!(check_conditions(Some(&strong("e")), None, "e").is_ok());
    let failed = check_conditions(Some(&strong("x")), Some(&strong("e")), "e").unwrap_err();
    assert_eq!(failed.code(), &S3ErrorCode::PreconditionFailed);
    let not_modified = check_conditions(None, Some(&ETagCondition::Any), "e").unwrap_err();
    assert_eq!(not_modified.code(), &S3ErrorCode::NotModified);
    assert!(check_conditions(None, Some(&strong("x")), "e").is_ok());
}

#[test]
fn ranges_follow_rfc_9110_and_s3() {
    let r = |first, last| Some(Range::Int { first, last });
    assert_eq!(byte_range(r(0, Some(9)), 100).unwrap(), Some(0..10));
    assert_eq!(byte_range(r(90, Some(500)), 100).unwrap(), Some(90..100));
    assert_eq!(byte_range(r(90, None), 100).unwrap(), Some(90..100));
    assert_eq!(
        byte_range(Some(Range::Suffix { length: 10 }), 100).unwrap(),
        Some(90..100)
    );
    assert_eq!(
        byte_range(Some(Range::Suffix { length: 1000 }), 100).unwrap(),
        Some(0..100)
    );
    for bad in [
        r(100, None),
        r(100, Some(200)),
        Some(Range::Suffix { length: 0 }),
    ] {
        assert_eq!(
            byte_range(bad, 100).unwrap_err().code(),
            &S3ErrorCode::InvalidRange
        );
    }
    assert!(byte_range(r(0, None), 0).is_err());
    assert_eq!(byte_range(None, 0).unwrap(), None);
    assert_eq!(content_range(&(90..100), 100), "bytes 90-99/100");
}
