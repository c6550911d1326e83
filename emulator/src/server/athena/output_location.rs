//! Where a query's result file goes: the `s3://` OutputLocation it reports, and the file
//! under the data dir that location maps to.

use std::path::PathBuf;

use super::protocol::ApiError;

/// Where results go when a request names no OutputLocation.
pub(crate) const DEFAULT_OUTPUT_LOCATION: &str = "s3://athena-emulator-results/";

/// Where a query's result goes: the reported `s3://` location and the file it maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputLocation {
    /// `s3://bucket/prefix/`, always ending with `/`.
    pub(crate) prefix: String,
}

impl OutputLocation {
    /// Checks an `s3://bucket/prefix` location; a trailing `/` is added when missing.
    pub(crate) fn parse(location: &str) -> Result<Self, ApiError> {
        let invalid = || {
            ApiError::invalid_input(format!("outputLocation is not a valid S3 path: {location}"))
        };
        let rest = location.strip_prefix("s3://").ok_or_else(invalid)?;
        let mut segments = rest.split('/');
        let bucket = segments.next().unwrap_or_default();
        if bucket.is_empty()
            || rest
                .split('/')
                .any(|s| s == "." || s == ".." || s.contains('\\') || s.contains('\0'))
        {
            return Err(invalid());
        }
        let mut prefix = location.to_owned();
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        Ok(Self { prefix })
    }

    /// The bucket of the location.
    pub(crate) fn bucket(&self) -> &str {
        let rest = &self.prefix["s3://".len()..];
        rest.split('/').next().unwrap_or(rest)
    }

    /// The file `<prefix><file_name>` maps to under `data_dir`.
    pub(crate) fn path(&self, data_dir: &std::path::Path, file_name: &str) -> PathBuf {
        let mut path = data_dir.to_path_buf();
        for segment in self.prefix["s3://".len()..].split('/') {
            if !segment.is_empty() {
                path.push(segment);
            }
        }
        path.push(file_name);
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_locations_map_into_the_data_dir() {
        let loc = OutputLocation::parse("s3://bucket/some/prefix").unwrap();
        assert_eq!(loc.prefix, "s3://bucket/some/prefix/");
        assert_eq!(
            loc.path(std::path::Path::new("/data"), "x.csv"),
            PathBuf::from("/data/bucket/some/prefix/x.csv")
        );
        assert_eq!(loc.bucket(), "bucket");
        let loc = OutputLocation::parse(DEFAULT_OUTPUT_LOCATION).unwrap();
        assert_eq!(
            loc.path(std::path::Path::new("/d"), "x.csv"),
            PathBuf::from("/d/athena-emulator-results/x.csv")
        );
        for bad in [
            "bucket/x",
            "s3://",
            "s3:///x",
            "s3://b/../../etc",
            "s3://b/./x",
            "http://b/",
        ] {
            assert!(OutputLocation::parse(bad).is_err(), "{bad}");
        }
    }
}
