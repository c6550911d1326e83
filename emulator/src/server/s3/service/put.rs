//! PutObject's checks and what it stores beside the bytes: its server-side encryption and
//! user metadata, the key it may write (never over a prefix of other keys), its
//! conditions (`If-Match`, `If-None-Match`) and its body's length and `Content-MD5`.

use super::*;

/// What a PutObject asks S3 to store beside the bytes: `x-amz-server-side-encryption`
/// (`AES256`, the default, or `aws:kms` with an optional key, the account's `aws/s3` key
/// when none is named) and the user metadata. Another algorithm is S3's `400
/// InvalidArgument`; a key id without `aws:kms` too.
pub(super) fn put_attributes(input: &PutObjectInput, account: &str) -> S3Result<ObjectAttributes> {
    let kms_key = input.ssekms_key_id.as_deref();
    let sse = match input.server_side_encryption.as_ref().map(|s| s.as_str()) {
        None | Some(s3s::dto::ServerSideEncryption::AES256) if kms_key.is_none() => {
            ServerSideEncryption::S3
        }
        Some(s3s::dto::ServerSideEncryption::AWS_KMS) => ServerSideEncryption::Kms {
            key_arn: account::kms_key_arn(account, kms_key),
        },
        None | Some(s3s::dto::ServerSideEncryption::AES256) => {
            return Err(error(
                S3ErrorCode::InvalidArgument,
                "Server Side Encryption with AWS KMS managed key requires HTTP header \
                 x-amz-server-side-encryption : aws:kms",
            ));
        }
        Some(_) => {
            return Err(error(
                S3ErrorCode::InvalidArgument,
                "The encryption method specified is not supported",
            ));
        }
    };
    let metadata = input
        .metadata
        .iter()
        .flatten()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    Ok(ObjectAttributes { sse, metadata })
}

/// The ETag of the object a PutObject at `target` replaces, if any. Where the file would
/// go must be a folder of the bucket (no file on the way, no folder in its place) inside
/// the data dir. Blocking file work.
pub(super) fn put_target(data_dir: &DataDir, target: &Path) -> S3Result<Option<String>> {
    if !data_dir.contains(target) {
        return Err(keys::access_denied());
    }
    let mut ancestor = target.parent();
    while let Some(dir) = ancestor {
        if dir.is_file() {
            return Err(error(
                S3ErrorCode::InvalidRequest,
                "The emulator stores objects as files, and a prefix of this key is \
                 an object: it cannot also be a folder of keys",
            ));
        }
        if dir == data_dir.root() {
            break;
        }
        ancestor = dir.parent();
    }
    match std::fs::metadata(target) {
        Ok(m) if m.is_dir() => Err(error(
            S3ErrorCode::InvalidRequest,
            "The emulator stores objects as files, and other keys start with this \
             key and '/': it cannot also be an object",
        )),
        Ok(m) => Ok(Some(data_dir.etag(target, &m).map_err(internal)?)),
        Err(_) => Ok(None),
    }
}

/// Conditional writes: `If-None-Match: *` only when absent, `If-Match` only over that
/// version (`existing`, the ETag of the object replaced).
pub(super) fn check_put_conditions(
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
    existing: Option<&str>,
) -> S3Result<()> {
    let failed = || {
        error(
            S3ErrorCode::PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold",
        )
    };
    if let Some(condition) = if_none_match
        && existing.is_some_and(|etag| matches(condition, etag))
    {
        return Err(failed());
    }
    if let Some(condition) = if_match
        && !existing.is_some_and(|etag| matches(condition, etag))
    {
        return Err(if existing.is_none() {
            no_such_key()
        } else {
            failed()
        });
    }
    Ok(())
}

/// Whether a PutObject body of `len` bytes and hex MD5 `md5` is the one its
/// `Content-Length` and `Content-MD5` (base64) announce, when they do.
pub(super) fn check_body(
    content_length: Option<i64>,
    content_md5: Option<&str>,
    len: u64,
    md5: &str,
) -> S3Result<()> {
    let complete =
        content_length.is_none_or(|expected| u64::try_from(expected).is_ok_and(|e| e == len));
    if !complete {
        return Err(error(
            S3ErrorCode::IncompleteBody,
            "You did not provide the number of bytes specified by the Content-Length HTTP header",
        ));
    }
    let digest_ok = content_md5
        .is_none_or(|expected| base64_md5_hex(expected).is_some_and(|expected| expected == md5));
    if !digest_ok {
        return Err(error(
            S3ErrorCode::BadDigest,
            "The Content-MD5 you specified did not match what we received.",
        ));
    }
    Ok(())
}

/// Streams a PutObject body into `temp`; answers its length and hex MD5.
pub(super) async fn write_body(
    temp: &Path,
    body: Option<StreamingBlob>,
) -> S3Result<(u64, String)> {
    let file = tokio::fs::File::create(temp).await.map_err(internal)?;
    let mut file = tokio::io::BufWriter::with_capacity(256 * 1024, file);
    let mut md5 = Md5Hex::new();
    let mut len = 0u64;
    if let Some(mut body) = body {
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| {
                error(
                    S3ErrorCode::IncompleteBody,
                    format!("The request body could not be read: {e}"),
                )
            })?;
            md5.update(&chunk);
            len += chunk.len() as u64;
            file.write_all(&chunk).await.map_err(internal)?;
        }
    }
    file.flush().await.map_err(internal)?;
    Ok((len, md5.finish()))
}

/// The hex form of a base64 `Content-MD5`, if it is one.
pub(super) fn base64_md5_hex(base64: &str) -> Option<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut bytes = Vec::with_capacity(16);
    for &c in base64.trim_end_matches('=').as_bytes() {
        let value = ALPHABET.iter().position(|&a| a == c)? as u32;
        bits = bits << 6 | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            bytes.push((bits >> count) as u8);
        }
    }
    if bytes.len() != 16 {
        return None;
    }
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
