//! The data dir as the emulator's one store: `s3://bucket/key` is `<data_dir>/bucket/key`
//! for S3 calls, result files and tables alike. This module keeps every path inside it,
//! publishes files atomically, and remembers ETags and what S3 reports of an object
//! beside its bytes (its server-side encryption and user metadata).
//!
//! Files are written under `<data_dir>/.athena-emulator/tmp/` and renamed into place
//! when complete, so an S3 reader never sees half a file: S3 shows an object only once
//! its upload is complete, and Athena's result files appear when the query has
//! SUCCEEDED (docs/athena.md, "Result files"). A name starting with `.` can never be a
//! bucket, so that folder is never visible through S3.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

/// The emulator's private folder under the data dir (never a bucket: names of buckets
/// cannot start with `.`).
const PRIVATE_DIR: &str = ".athena-emulator";

/// What identifies one version of a file: if any of these changes, so may its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

impl Stamp {
    fn of(metadata: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Self {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            #[cfg(unix)]
            inode: metadata.ino(),
        }
    }
}

/// The data dir: containment checks, atomic publication and the ETag cache.
#[derive(Debug)]
pub(crate) struct DataDir {
    /// The data dir, canonical (symlinks resolved), so containment is a prefix test.
    root: PathBuf,
    /// The data dir as it was given (it may differ from `root` through a symlink), for
    /// [`DataDir::hide_paths`].
    given: PathBuf,
    /// Where files are written before they are renamed into place.
    tmp: PathBuf,
    /// Temp file names: unique within this emulator; a random part keeps two emulators
    /// sharing one data dir apart.
    counter: AtomicU64,
    nonce: u64,
    /// ETag (hex MD5) per file, valid while the file's [`Stamp`] is unchanged.
    etags: Mutex<HashMap<PathBuf, (Stamp, String)>>,
    /// What S3 reports of an object beside its bytes, per file, valid while the file's
    /// [`Stamp`] is unchanged (a file replaced by hand, or by a PutObject that sends
    /// none, has the default attributes).
    attributes: Mutex<HashMap<PathBuf, (Stamp, ObjectAttributes)>>,
}

/// An object's server-side encryption, as S3 reports it on GetObject and HeadObject.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum ServerSideEncryption {
    /// `AES256`: SSE-S3, what S3 applies to every object not asked otherwise.
    #[default]
    S3,
    /// `aws:kms`, with the ARN of the KMS key.
    Kms {
        /// The key's ARN (`x-amz-server-side-encryption-aws-kms-key-id`).
        key_arn: String,
    },
}

/// What S3 stores of an object beside its bytes: its server-side encryption and its user
/// metadata (`x-amz-meta-*`). Held in memory: an emulator started again over the same
/// data dir reports the defaults (SSE-S3, no metadata) for the files already there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ObjectAttributes {
    /// How the object is encrypted at rest.
    pub(crate) sse: ServerSideEncryption,
    /// User metadata, keyed by name without the `x-amz-meta-` prefix, in lower case.
    pub(crate) metadata: BTreeMap<String, String>,
}

impl DataDir {
    /// Opens `root` (which must exist) and makes the private temp folder.
    pub(crate) fn open(given: &Path) -> io::Result<Self> {
        let root = given.canonicalize()?;
        let tmp = root.join(PRIVATE_DIR).join("tmp");
        std::fs::create_dir_all(&tmp)?;
        let nonce = {
            use std::hash::BuildHasher;
            std::hash::RandomState::new().hash_one(std::process::id())
        };
        Ok(Self {
            root,
            given: given.to_path_buf(),
            tmp,
            counter: AtomicU64::new(0),
            nonce,
            etags: Mutex::new(HashMap::new()),
            attributes: Mutex::new(HashMap::new()),
        })
    }

    /// The data dir, canonical.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// `text` with every local path under the data dir written as the `s3://` URI it
    /// stands for, and the data dir itself as `the data dir`: an error message may
    /// quote a path (DataFusion's, the file system's), and no answer names a path of the
    /// machine the emulator runs on. The forms a path takes in messages are covered:
    /// absolute, without its leading `/` (object_store's locations) and as a `file://`
    /// URL.
    pub(crate) fn hide_paths(&self, text: &str) -> String {
        let mut out = text.to_owned();
        let mut roots: Vec<String> = [&self.given, &self.root]
            .iter()
            .filter_map(|p| p.to_str())
            .map(|p| p.trim_end_matches('/').to_owned())
            .filter(|p| p.len() > 1)
            .collect();
        roots.dedup();
        for root in roots {
            let bare = root.trim_start_matches('/').to_owned();
            for (from, to) in [
                (format!("file://{root}/"), "s3://"),
                (format!("{root}/"), "s3://"),
                (format!("{bare}/"), "s3://"),
                (format!("file://{root}"), "the data dir"),
                (root.clone(), "the data dir"),
                (bare, "the data dir"),
            ] {
                out = out.replace(&from, to);
            }
        }
        out
    }

    /// Whether `path` stays inside the data dir once every symlink on it is resolved.
    ///
    /// `path` need not exist: its deepest existing ancestor is resolved, and the rest
    /// (which holds no `..`, as the callers refuse those) is below it. A path whose
    /// resolution fails for another reason than not existing is treated as outside.
    pub(crate) fn contains(&self, path: &Path) -> bool {
        let mut existing = path;
        loop {
            match existing.canonicalize() {
                Ok(resolved) => return resolved.starts_with(&self.root),
                Err(e) if e.kind() == io::ErrorKind::NotFound => match existing.parent() {
                    Some(parent) => existing = parent,
                    None => return false,
                },
                Err(_) => return false,
            }
        }
    }

    /// Where a query's result `file_name` is kept when its workgroup has managed query
    /// results: Athena's own storage, which no S3 call reaches (the private folder is
    /// never a bucket).
    pub(crate) fn managed_path(&self, file_name: &str) -> PathBuf {
        self.root.join(PRIVATE_DIR).join("managed").join(file_name)
    }

    /// A fresh path in the private temp folder, named after `hint` for debugging.
    pub(crate) fn temp_path(&self, hint: &str) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let hint: String = hint
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        self.tmp.join(format!("{:016x}-{n}-{hint}", self.nonce))
    }

    /// Moves a complete temp file to `target` (making its folders), and remembers its
    /// ETag and the `attributes` S3 reports of it. The rename is atomic: readers see the
    /// old file or the new one, never a mix.
    pub(crate) fn publish_with(
        &self,
        temp: &Path,
        target: &Path,
        md5_hex: String,
        attributes: ObjectAttributes,
    ) -> io::Result<()> {
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::rename(temp, target)?;
        match std::fs::metadata(target) {
            Ok(metadata) => {
                self.remember_etag(target, &metadata, md5_hex);
                let mut all = self.attributes.lock().unwrap_or_else(|e| e.into_inner());
                if attributes == ObjectAttributes::default() {
                    all.remove(target);
                } else {
                    all.insert(target.to_path_buf(), (Stamp::of(&metadata), attributes));
                }
            }
            Err(_) => self.forget(target),
        }
        Ok(())
    }

    /// The attributes of the file `path` whose metadata is `metadata`: those it was
    /// published with, while it is the same version of the file; else the defaults.
    pub(crate) fn attributes(&self, path: &Path, metadata: &std::fs::Metadata) -> ObjectAttributes {
        let all = self.attributes.lock().unwrap_or_else(|e| e.into_inner());
        match all.get(path) {
            Some((stamp, attributes)) if *stamp == Stamp::of(metadata) => attributes.clone(),
            _ => ObjectAttributes::default(),
        }
    }

    /// Records the ETag of the file `path` as it is now.
    pub(crate) fn remember_etag(&self, path: &Path, metadata: &std::fs::Metadata, md5_hex: String) {
        let mut etags = self.etags.lock().unwrap_or_else(|e| e.into_inner());
        etags.insert(path.to_path_buf(), (Stamp::of(metadata), md5_hex));
    }

    /// The ETag (hex MD5 of the bytes) of the file `path` whose metadata is `metadata`:
    /// remembered when the emulator wrote it, else computed once per version of the
    /// file. Blocking: call it from `spawn_blocking` for files of unknown size.
    pub(crate) fn etag(&self, path: &Path, metadata: &std::fs::Metadata) -> io::Result<String> {
        let stamp = Stamp::of(metadata);
        {
            let etags = self.etags.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((known, etag)) = etags.get(path)
                && *known == stamp
            {
                return Ok(etag.clone());
            }
        }
        let etag = md5_of_file(path)?;
        // The file may have changed while it was read: only remember an ETag whose
        // stamp still holds afterwards.
        if std::fs::metadata(path).is_ok_and(|m| Stamp::of(&m) == stamp) {
            self.remember_etag(path, metadata, etag.clone());
        }
        Ok(etag)
    }

    /// Forgets the ETag and attributes of a file that is gone.
    pub(crate) fn forget(&self, path: &Path) {
        let mut etags = self.etags.lock().unwrap_or_else(|e| e.into_inner());
        etags.remove(path);
        drop(etags);
        let mut attributes = self.attributes.lock().unwrap_or_else(|e| e.into_inner());
        attributes.remove(path);
    }

    /// The file an `s3://bucket/key` URI the emulator wrote maps to (None: not such a
    /// URI). The caller made the URI, so it holds no `.` or `..` segment.
    pub(crate) fn path_of_uri(&self, uri: &str) -> Option<PathBuf> {
        let rest = uri.strip_prefix("s3://")?;
        let mut path = self.root.clone();
        for segment in rest.split('/').filter(|s| !s.is_empty()) {
            if segment == "." || segment == ".." {
                return None;
            }
            path.push(segment);
        }
        Some(path)
    }
}

/// Hex MD5 of a file's bytes.
fn md5_of_file(path: &Path) -> io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut md5 = Md5Hex::new();
    let mut buffer = vec![0; 256 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(md5.finish());
        }
        md5.update(&buffer[..n]);
    }
}

/// An MD5 being computed, finished as lower-case hex (S3's ETag of a single-part
/// object).
pub(crate) struct Md5Hex(s3s::crypto::Md5);

impl std::fmt::Debug for Md5Hex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Md5Hex")
    }
}

impl Md5Hex {
    pub(crate) fn new() -> Self {
        use s3s::crypto::Checksum;
        Self(s3s::crypto::Md5::new())
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        use s3s::crypto::Checksum;
        self.0.update(bytes);
    }

    pub(crate) fn finish(self) -> String {
        use s3s::crypto::Checksum;
        use std::fmt::Write;
        let digest = self.0.finalize();
        let mut hex = String::with_capacity(32);
        for byte in digest {
            let _ = write!(hex, "{byte:02x}");
        }
        hex
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "athena-emulator-data-dir-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn md5_is_s3s_single_part_etag() {
        let mut md5 = Md5Hex::new();
        md5.update(b"hello");
        assert_eq!(md5.finish(), "5d41402abc4b2a76b9719d911017c592");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_data_dir_are_outside() {
        let base = scratch("contains");
        let root = base.join("data");
        let outside = base.join("outside");
        std::fs::create_dir_all(root.join("bucket")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("bucket/out")).unwrap();
        std::os::unix::fs::symlink(root.join("bucket"), root.join("bucket/loop")).unwrap();
        let data = DataDir::open(&root).unwrap();
        assert!(data.contains(&root.join("bucket/a/b/c.csv")));
        assert!(data.contains(&root.join("new-bucket/x")));
        assert!(data.contains(&root.join("bucket/loop/x")));
        assert!(!data.contains(&root.join("bucket/out")));
        assert!(!data.contains(&root.join("bucket/out/not/yet/there.csv")));
        assert!(!data.contains(Path::new("/")));
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn messages_name_s3_uris_not_local_paths() {
        let base = scratch("hide");
        let data = DataDir::open(&base).unwrap();
        let root = data.root().to_str().unwrap().to_owned();
        let bare = root.trim_start_matches('/');
        for (message, want) in [
            (
                format!("result file {root}/bucket/q.csv is corrupt"),
                "result file s3://bucket/q.csv is corrupt".to_owned(),
            ),
            (
                format!("Object at location {bare}/b/k.parquet not found"),
                "Object at location s3://b/k.parquet not found".to_owned(),
            ),
            (
                format!("cannot open file://{root}/b/k: denied"),
                "cannot open s3://b/k: denied".to_owned(),
            ),
            (
                format!("cannot list {root}: gone"),
                "cannot list the data dir: gone".to_owned(),
            ),
        ] {
            let hidden = data.hide_paths(&message);
            assert_eq!(hidden, want);
            assert!(!hidden.contains(bare), "{hidden}");
        }
        assert_eq!(data.hide_paths("nothing local"), "nothing local");
    }

    #[test]
    fn etags_follow_the_file_not_the_cache() {
        let base = scratch("etags");
        let data = DataDir::open(&base).unwrap();
        let path = base.join("b").join("k");
        let temp = data.temp_path("k");
        std::fs::write(&temp, b"hello").unwrap();
        // A wrong remembered ETag proves the cache is used while the file is unchanged.
        data.publish_with(
            &temp,
            &path,
            "remembered".into(),
            ObjectAttributes::default(),
        )
        .unwrap();
        let metadata = std::fs::metadata(&path).unwrap();
        assert_eq!(data.etag(&path, &metadata).unwrap(), "remembered");
        std::fs::write(&path, b"hello, world").unwrap();
        let metadata = std::fs::metadata(&path).unwrap();
        assert_eq!(
            data.etag(&path, &metadata).unwrap(),
            "e4d7f1b4ed2e42d15898f4b27b019da4"
        );
        let _ = std::fs::remove_dir_all(&base);
    }
}
