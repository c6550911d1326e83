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
    Ok(path)
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
}
