//! Client-side encryption (CSE_KMS) of result objects, in the envelope the S3 Encryption
//! Client leaves: the object's bytes are ciphertext, and the metadata the client needs to
//! decrypt them rides in user metadata (`x-amz-meta-x-amz-key-v2`, `-x-amz-iv`,
//! `-x-amz-cek-alg`, `-x-amz-wrap-alg`, `-x-amz-matdesc`, `-x-amz-tag-len`,
//! `-x-amz-unencrypted-content-length`; docs/athena.md, "Encrypted results").
//!
//! The cipher is emulated, not AES-GCM (the emulator has no AES implementation): the
//! content is XORed with a keystream of SHA-256 blocks, `SHA-256(key || iv || block
//! number)`, and 16 bytes of `SHA-256(key || iv || ciphertext)` follow it where GCM puts
//! its tag, so the object is as long as the S3 Encryption Client's would be. The data key
//! is "wrapped" by XOR with `SHA-256(KMS key || iv)`: there is no KMS to wrap it. What
//! matters to a client is real: the bytes are not the CSV (reading them as CSV fails),
//! the envelope is where the S3 Encryption Client looks for it, and only someone holding
//! the key reads the rows, as Athena does for GetQueryResults. Nothing here is security.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::server::data_dir::Md5Hex;

/// Bytes of the tag after the ciphertext (GCM's 128 bits).
const TAG_LEN: usize = 16;

/// Bytes of one keystream block.
const BLOCK: u64 = 32;

/// One object's content key and IV.
#[derive(Clone)]
pub(crate) struct ContentKey {
    key: [u8; 32],
    iv: [u8; 12],
}

impl std::fmt::Debug for ContentKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a key.
        f.write_str("ContentKey")
    }
}

/// Numbers the keys drawn, so two keys drawn at once differ.
static DRAWN: AtomicU64 = AtomicU64::new(0);

impl ContentKey {
    /// A fresh key and IV (from std's random hasher keys, the clock and a counter; good
    /// for an emulator, not for secrets).
    pub(crate) fn generate() -> Self {
        let mut seed = Sha256::new();
        for salt in 0..4u64 {
            let mut hasher = std::hash::RandomState::new().build_hasher();
            hasher.write_u64(DRAWN.fetch_add(1, Ordering::Relaxed));
            hasher.write_u64(salt);
            seed.update(hasher.finish().to_le_bytes());
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        seed.update(now.as_nanos().to_le_bytes());
        let key: [u8; 32] = seed.clone().finalize().into();
        seed.update(b"iv");
        let iv_block: [u8; 32] = seed.finalize().into();
        let mut iv = [0; 12];
        iv.copy_from_slice(&iv_block[..12]);
        Self { key, iv }
    }

    fn block(&self, index: u64) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(self.key);
        hash.update(self.iv);
        hash.update(index.to_be_bytes());
        hash.finalize().into()
    }

    /// XORs `data`, which sits at byte `offset` of the content, with the keystream:
    /// encrypts plaintext and decrypts ciphertext alike.
    pub(crate) fn apply(&self, offset: u64, data: &mut [u8]) {
        let mut position = offset;
        let mut done = 0;
        while done < data.len() {
            let block = self.block(position / BLOCK);
            let start = (position % BLOCK) as usize;
            let take = (block.len() - start).min(data.len() - done);
            for (byte, key) in data[done..done + take].iter_mut().zip(&block[start..]) {
                *byte ^= key;
            }
            done += take;
            position += take as u64;
        }
    }

    /// The user metadata of an object encrypted with this key under `kms_key`, whose
    /// plaintext is `plaintext_len` bytes: the S3 Encryption Client's keys (KMS wrapping,
    /// the material description naming the key, as the AWS SDK for Java writes it).
    pub(crate) fn envelope(&self, kms_key: &str, plaintext_len: u64) -> BTreeMap<String, String> {
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let mut wrap = Sha256::new();
        wrap.update(kms_key.as_bytes());
        wrap.update(self.iv);
        let mask: [u8; 32] = wrap.finalize().into();
        let wrapped: Vec<u8> = self.key.iter().zip(mask).map(|(k, m)| k ^ m).collect();
        let matdesc = serde_json::json!({ "kms_cmk_id": kms_key }).to_string();
        [
            ("x-amz-key-v2", b64(&wrapped)),
            ("x-amz-iv", b64(&self.iv)),
            ("x-amz-cek-alg", "AES/GCM/NoPadding".to_owned()),
            ("x-amz-wrap-alg", "kms".to_owned()),
            ("x-amz-matdesc", matdesc),
            ("x-amz-tag-len", (TAG_LEN * 8).to_string()),
            (
                "x-amz-unencrypted-content-length",
                plaintext_len.to_string(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

/// Encrypts the file `plaintext` into `ciphertext` (made anew): the content, then the
/// tag. Answers the plaintext's length and the hex MD5 of what was written (its ETag).
/// Blocking.
pub(crate) fn encrypt_file(
    key: &ContentKey,
    plaintext: &Path,
    ciphertext: &Path,
) -> io::Result<(u64, String)> {
    let mut input = std::fs::File::open(plaintext)?;
    let mut output = io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(ciphertext)?);
    let mut md5 = Md5Hex::new();
    let mut tag = Sha256::new();
    tag.update(key.key);
    tag.update(key.iv);
    let mut buffer = vec![0; 256 * 1024];
    let mut offset = 0u64;
    loop {
        let n = input.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        let chunk = &mut buffer[..n];
        key.apply(offset, chunk);
        tag.update(&*chunk);
        md5.update(chunk);
        output.write_all(chunk)?;
        offset += n as u64;
    }
    let tag: [u8; 32] = tag.finalize().into();
    md5.update(&tag[..TAG_LEN]);
    output.write_all(&tag[..TAG_LEN])?;
    output.flush()?;
    Ok((offset, md5.finish()))
}

/// Reads the plaintext of an object [`encrypt_file`] wrote, from any offset: what
/// GetQueryResults pages from, as Athena decrypts a CSE_KMS result for it.
#[derive(Debug)]
pub(crate) struct DecryptingReader<R> {
    inner: R,
    key: ContentKey,
    position: u64,
}

impl<R> DecryptingReader<R> {
    pub(crate) fn new(inner: R, key: ContentKey) -> Self {
        Self {
            inner,
            key,
            position: 0,
        }
    }
}

impl<R: Read> Read for DecryptingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.key.apply(self.position, &mut buf[..n]);
        self.position += n as u64;
        Ok(n)
    }
}

impl<R: Seek> Seek for DecryptingReader<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.position = self.inner.seek(to)?;
        Ok(self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_round_trips_from_any_offset_and_hides_the_text() {
        let dir =
            std::env::temp_dir().join(format!("athena-emulator-envelope-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let plain = dir.join("plain.csv");
        let cipher = dir.join("cipher");
        let text: Vec<u8> = (0..5000)
            .flat_map(|i| format!("\"{i}\",\"row\"\n").into_bytes())
            .collect();
        std::fs::write(&plain, &text).unwrap();
        let key = ContentKey::generate();
        let (len, md5) = encrypt_file(&key, &plain, &cipher).unwrap();
        assert_eq!(len, text.len() as u64);
        let stored = std::fs::read(&cipher).unwrap();
        assert_eq!(stored.len(), text.len() + TAG_LEN);
        assert_ne!(&stored[..text.len()], &text[..]);
        assert!(!stored.windows(7).any(|w| w == b"\"row\"\n\""));
        let mut etag = Md5Hex::new();
        etag.update(&stored);
        assert_eq!(md5, etag.finish());
        for offset in [0u64, 1, 31, 32, 33, 4095, 20_000] {
            let mut reader =
                DecryptingReader::new(std::fs::File::open(&cipher).unwrap(), key.clone());
            reader.seek(SeekFrom::Start(offset)).unwrap();
            let mut back = vec![0; 100];
            reader.read_exact(&mut back).unwrap();
            assert_eq!(
                back,
                text[offset as usize..offset as usize + 100],
                "{offset}"
            );
        }
        let other = ContentKey::generate();
        assert_ne!(other.key, key.key);
        let envelope = key.envelope("alias/k", len);
        assert_eq!(envelope["x-amz-cek-alg"], "AES/GCM/NoPadding");
        assert_eq!(
            envelope["x-amz-unencrypted-content-length"],
            len.to_string()
        );
        assert_eq!(envelope["x-amz-matdesc"], r#"{"kms_cmk_id":"alias/k"}"#);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
