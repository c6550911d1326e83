//! Where `s3://` locations live on the local disk: `s3://bucket/prefix/` is
//! `<data_dir>/bucket/prefix`.

use std::path::{Path, PathBuf};

use super::error::QueryError;

/// `s3://bucket/prefix/` as `<data_dir>/bucket/prefix`.
pub(crate) fn location_dir(data_dir: &Path, location: &str) -> Result<PathBuf, QueryError> {
    let rest = ["s3://", "s3a://", "s3n://"]
        .iter()
        .find_map(|p| {
            location
                .get(..p.len())
                .filter(|head| head.eq_ignore_ascii_case(p))
                .map(|_| &location[p.len()..])
        })
        .ok_or_else(|| {
            QueryError::ddl(format!(
                "FAILED: the LOCATION must be an s3:// URI, got '{location}'"
            ))
        })?;
    let mut path = data_dir.to_path_buf();
    let mut parts = 0;
    for seg in rest.split('/') {
        if seg.is_empty() {
            continue;
        }
        if seg == "." || seg == ".." || seg.contains('\\') || seg.contains('\0') {
            return Err(QueryError::ddl(format!(
                "FAILED: the LOCATION '{location}' has a path segment the emulator refuses: '{seg}'"
            )));
        }
        path.push(seg);
        parts += 1;
    }
    if parts == 0 {
        return Err(QueryError::ddl(format!(
            "FAILED: the LOCATION '{location}' names no bucket"
        )));
    }
    if !stays_inside(data_dir, &path) {
        return Err(QueryError::ddl(format!(
            "FAILED: the LOCATION '{location}' leads out of the data dir through a symlink"
        )));
    }
    Ok(path)
}

/// Whether `path` (under `data_dir`, without `..`) stays inside `data_dir` once the
/// symlinks on its existing part are resolved: a table must not read, nor CTAS write,
/// files the S3 side would refuse to serve.
fn stays_inside(data_dir: &Path, path: &Path) -> bool {
    let Ok(root) = data_dir.canonicalize() else {
        // No data dir yet: nothing under it can be a symlink.
        return true;
    };
    let mut existing = path;
    loop {
        match existing.canonicalize() {
            Ok(resolved) => return resolved.starts_with(&root),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match existing.parent() {
                Some(parent) => existing = parent,
                None => return false,
            },
            Err(_) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_map_into_the_data_dir() {
        let base = Path::new("/data");
        assert_eq!(
            location_dir(base, "s3://bucket/prefix/").unwrap(),
            PathBuf::from("/data/bucket/prefix")
        );
        assert!(location_dir(base, "s3://bucket/../etc/").is_err());
        assert!(location_dir(base, "s3://").is_err());
        assert!(location_dir(base, "/etc/passwd").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn locations_through_a_symlink_out_of_the_data_dir_are_refused() {
        let base =
            std::env::temp_dir().join(format!("athena-emulator-location-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let data = base.join("data");
        std::fs::create_dir_all(data.join("bucket")).unwrap();
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::os::unix::fs::symlink(base.join("outside"), data.join("bucket/out")).unwrap();
        assert!(location_dir(&data, "s3://bucket/in/").is_ok());
        let err = location_dir(&data, "s3://bucket/out/t/").unwrap_err();
        assert!(err.message().contains("symlink"), "{err}");
        let _ = std::fs::remove_dir_all(&base);
    }
}
