//! The UNLOAD statement: the SELECT to run, where its files go, their format and
//! compression, checked before anything is sent (docs/athena.md, "UNLOAD and data
//! manifests").

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::query::StartQueryExecution;

/// `format`: the file format UNLOAD writes.
///
/// Every format can be written; this crate reads the files of [`Parquet`](Self::Parquet)
/// only (see [`Shard`](crate::unload::Shard)): a Parquet file carries its column types, the
/// others would need them from elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum UnloadFormat {
    /// `PARQUET`, the default.
    Parquet,
    /// `ORC`.
    Orc,
    /// `AVRO`.
    Avro,
    /// `JSON`: one JSON object per line.
    Json,
    /// `TEXTFILE`: delimited text.
    TextFile,
}

impl UnloadFormat {
    /// The name UNLOAD's `format` takes (`PARQUET`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            UnloadFormat::Parquet => "PARQUET",
            UnloadFormat::Orc => "ORC",
            UnloadFormat::Avro => "AVRO",
            UnloadFormat::Json => "JSON",
            UnloadFormat::TextFile => "TEXTFILE",
        }
    }

    /// The compressions Athena engine 3 writes files of this format with
    /// (docs/athena.md, "UNLOAD and data manifests"); none for Avro, where UNLOAD's
    /// `compression` does not apply.
    pub fn compressions(self) -> &'static [UnloadCompression] {
        use UnloadCompression as C;
        match self {
            UnloadFormat::Parquet => &[C::Gzip, C::Snappy, C::Zstd, C::None],
            UnloadFormat::Orc => &[C::Lz4, C::Snappy, C::Zlib, C::Zstd, C::None],
            UnloadFormat::Json | UnloadFormat::TextFile => {
                &[C::Bzip2, C::Gzip, C::Lz4, C::Snappy, C::Zstd, C::None]
            }
            UnloadFormat::Avro => &[],
        }
    }
}

impl fmt::Display for UnloadFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `compression`: how UNLOAD compresses its files. Which ones a format takes:
/// [`UnloadFormat::compressions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum UnloadCompression {
    /// `GZIP`: Athena's default for Parquet, JSON and TEXTFILE.
    Gzip,
    /// `SNAPPY`.
    Snappy,
    /// `ZSTD`, the one that takes a [level](Unload::compression_level).
    Zstd,
    /// `LZ4` (ORC and text formats).
    Lz4,
    /// `BZIP2` (text formats).
    Bzip2,
    /// `ZLIB`: Athena's default for ORC.
    Zlib,
    /// `NONE`: not compressed.
    None,
}

impl UnloadCompression {
    /// The name UNLOAD's `compression` takes (`GZIP`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            UnloadCompression::Gzip => "GZIP",
            UnloadCompression::Snappy => "SNAPPY",
            UnloadCompression::Zstd => "ZSTD",
            UnloadCompression::Lz4 => "LZ4",
            UnloadCompression::Bzip2 => "BZIP2",
            UnloadCompression::Zlib => "ZLIB",
            UnloadCompression::None => "NONE",
        }
    }
}

impl fmt::Display for UnloadCompression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An UNLOAD to run with [`Athena::unload`](crate::Athena::unload):
/// `UNLOAD (<select>) TO '<location>' WITH (format = ..., compression = ...)`.
///
/// The SELECT comes as a [`StartQueryExecution`] (or plain SQL), so its database,
/// workgroup, output location and execution parameters (bound to the `?`s of the
/// SELECT) are sent with the UNLOAD. The `TO` location is required; Athena refuses one
/// that already holds files.
///
/// ```
/// use athena_stream::{StartQueryExecution, unload::{Unload, UnloadCompression, UnloadFormat}};
///
/// let unload = Unload::new(
///     StartQueryExecution::new("SELECT uri, status FROM cf_access_logs WHERE status = ?")
///         .with_database("serverlessland_database")
///         .with_execution_parameter("'404'"),
/// )
/// .with_to("s3://my-bucket/unload/run-1/")
/// .with_format(UnloadFormat::Parquet)
/// .with_compression(UnloadCompression::Snappy);
/// assert_eq!(
///     unload.query_string()?,
///     "UNLOAD (SELECT uri, status FROM cf_access_logs WHERE status = ?) \
///      TO 's3://my-bucket/unload/run-1/' WITH (format = 'PARQUET', compression = 'SNAPPY')"
/// );
/// # Ok::<(), athena_stream::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Unload {
    select: StartQueryExecution,
    to: Option<String>,
    format: UnloadFormat,
    compression: Option<UnloadCompression>,
    compression_level: Option<u32>,
    field_delimiter: Option<char>,
}

impl Unload {
    /// An UNLOAD of this SELECT (its SQL, and the settings it is started with). A
    /// trailing `;` is dropped, as it cannot stand inside `UNLOAD (...)`.
    pub fn new(select: impl Into<StartQueryExecution>) -> Self {
        Unload {
            select: select.into(),
            to: None,
            format: UnloadFormat::Parquet,
            compression: None,
            compression_level: None,
            field_delimiter: None,
        }
    }

    /// `TO`: the `s3://bucket/prefix/` the files are written under. It must be empty
    /// (docs/athena.md, "UNLOAD and data manifests"). Required.
    pub fn with_to(mut self, location: impl Into<String>) -> Self {
        self.to = Some(location.into());
        self
    }

    /// `format`. Default is [`UnloadFormat::Parquet`], the one this crate reads.
    pub fn with_format(mut self, format: UnloadFormat) -> Self {
        self.format = format;
        self
    }

    /// `compression`, one of [`UnloadFormat::compressions`] of the format. Default is
    /// Athena's: GZIP for Parquet, JSON and TEXTFILE, ZLIB for ORC.
    pub fn with_compression(mut self, compression: UnloadCompression) -> Self {
        self.compression = Some(compression);
        self
    }

    /// `compression_level`, 1 to 22, for [`UnloadCompression::Zstd`] only. Default is
    /// Athena's (3).
    pub fn with_compression_level(mut self, level: u32) -> Self {
        self.compression_level = Some(level);
        self
    }

    /// `field_delimiter`, for [`UnloadFormat::TextFile`] only. Default is Athena's,
    /// `\u{1}` (`^A`).
    pub fn with_field_delimiter(mut self, delimiter: char) -> Self {
        self.field_delimiter = Some(delimiter);
        self
    }

    /// The `TO` location, if set.
    pub fn to(&self) -> Option<&str> {
        self.to.as_deref()
    }

    /// The format the files are written in.
    pub fn format(&self) -> UnloadFormat {
        self.format
    }

    /// The `compression`, if set (else Athena's default for the format).
    pub fn compression(&self) -> Option<UnloadCompression> {
        self.compression
    }

    /// The `compression_level`, if set.
    pub fn compression_level(&self) -> Option<u32> {
        self.compression_level
    }

    /// The `field_delimiter`, if set.
    pub fn field_delimiter(&self) -> Option<char> {
        self.field_delimiter
    }

    /// The UNLOAD statement's SQL.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming every problem: no `TO`, a `TO` that is not an
    /// `s3://bucket/prefix/` ending in `/`, an empty SELECT, a compression the format
    /// is not written with, a level without ZSTD or outside 1 to 22, a delimiter
    /// without TEXTFILE.
    pub fn query_string(&self) -> Result<String> {
        let mut problems = Vec::new();
        let select = self.select.query_string().trim();
        let select = select.strip_suffix(';').unwrap_or(select).trim_end();
        if select.is_empty() {
            problems.push("the SELECT of an UNLOAD is empty".to_owned());
        }
        match self.to.as_deref() {
            None => problems.push("an UNLOAD needs a TO location (Unload::with_to)".to_owned()),
            Some(to) if !is_s3_prefix(to) => problems.push(format!(
                "the TO location of an UNLOAD must be s3://bucket/prefix/ ending in `/`, got {to:?}"
            )),
            Some(_) => {}
        }
        if let Some(c) = self.compression
            && !self.format.compressions().contains(&c)
        {
            let allowed: Vec<_> = self
                .format
                .compressions()
                .iter()
                .map(|c| c.as_str())
                .collect();
            problems.push(if allowed.is_empty() {
                format!("UNLOAD's compression does not apply to {}", self.format)
            } else {
                format!(
                    "{} files are not written with {c} (Athena writes {})",
                    self.format,
                    allowed.join(", ")
                )
            });
        }
        if let Some(level) = self.compression_level {
            if self.compression != Some(UnloadCompression::Zstd) {
                problems.push("compression_level applies to ZSTD compression only".to_owned());
            }
            if !(1..=22).contains(&level) {
                problems.push(format!("compression_level must be 1 to 22, got {level}"));
            }
        }
        if self.field_delimiter.is_some() && self.format != UnloadFormat::TextFile {
            problems.push("field_delimiter applies to TEXTFILE only".to_owned());
        }
        if !problems.is_empty() {
            return Err(Error::invalid_config(problems.join("; ")));
        }
        let mut with = vec![format!("format = '{}'", self.format)];
        if let Some(c) = self.compression {
            with.push(format!("compression = '{c}'"));
        }
        if let Some(level) = self.compression_level {
            with.push(format!("compression_level = {level}"));
        }
        if let Some(d) = self.field_delimiter {
            with.push(format!("field_delimiter = {}", sql_string(&d.to_string())));
        }
        Ok(format!(
            "UNLOAD ({select}) TO {} WITH ({})",
            sql_string(self.to.as_deref().unwrap_or_default()),
            with.join(", ")
        ))
    }

    /// The `StartQueryExecution` that runs this UNLOAD: the SELECT's settings with
    /// the UNLOAD's SQL.
    ///
    /// # Errors
    /// As [`query_string`](Self::query_string).
    pub(crate) fn to_query(&self) -> Result<StartQueryExecution> {
        let mut query = self.select.clone();
        query.query_string = self.query_string()?;
        Ok(query)
    }
}

/// `s3://bucket/prefix/`: a bucket, and a location that ends in `/`.
fn is_s3_prefix(location: &str) -> bool {
    location
        .strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(bucket, _)| !bucket.is_empty())
        && location.ends_with('/')
}

/// A SQL string literal: in quotes, quotes doubled.
fn sql_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unload() -> Unload {
        Unload::new("SELECT 1 AS n").with_to("s3://b/p/")
    }

    #[test]
    fn the_statement_is_built_with_only_the_settings_given() {
        assert_eq!(
            unload().query_string().unwrap(),
            "UNLOAD (SELECT 1 AS n) TO 's3://b/p/' WITH (format = 'PARQUET')"
        );
        assert_eq!(
            Unload::new("  SELECT 1 AS n ;\n")
                .with_to("s3://b/it's/")
                .with_compression(UnloadCompression::Zstd)
                .with_compression_level(9)
                .query_string()
                .unwrap(),
            "UNLOAD (SELECT 1 AS n) TO 's3://b/it''s/' WITH (format = 'PARQUET', \
             compression = 'ZSTD', compression_level = 9)"
        );
        assert_eq!(
            unload()
                .with_format(UnloadFormat::TextFile)
                .with_field_delimiter('\'')
                .query_string()
                .unwrap(),
            "UNLOAD (SELECT 1 AS n) TO 's3://b/p/' WITH (format = 'TEXTFILE', \
             field_delimiter = '''')"
        );
    }

    #[test]
    fn the_select_keeps_its_settings() {
        let select = StartQueryExecution::new("SELECT uri FROM t WHERE status = ?")
            .with_database("db")
            .with_workgroup("wg")
            .with_execution_parameter("'404'");
        let query = Unload::new(select).with_to("s3://b/p/").to_query().unwrap();
        assert_eq!(
            query.query_string(),
            "UNLOAD (SELECT uri FROM t WHERE status = ?) TO 's3://b/p/' WITH (format = 'PARQUET')"
        );
        assert_eq!(query.database(), Some("db"));
        assert_eq!(query.workgroup(), Some("wg"));
        assert_eq!(query.execution_parameters(), ["'404'"]);
    }

    #[test]
    fn every_problem_is_named() {
        let err = Unload::new(" ; ")
            .with_compression(UnloadCompression::Zlib)
            .with_compression_level(30)
            .with_field_delimiter(',')
            .query_string()
            .unwrap_err()
            .to_string();
        for part in [
            "the SELECT of an UNLOAD is empty",
            "needs a TO location",
            "PARQUET files are not written with ZLIB (Athena writes GZIP, SNAPPY, ZSTD, NONE)",
            "compression_level applies to ZSTD compression only",
            "compression_level must be 1 to 22, got 30",
            "field_delimiter applies to TEXTFILE only",
        ] {
            assert!(err.contains(part), "{part:?} not in {err}");
        }
        for to in ["s3://b/p", "https://b/p/", "s3:///p/", "b/p/", ""] {
            let err = Unload::new("SELECT 1")
                .with_to(to)
                .query_string()
                .unwrap_err();
            assert!(
                err.to_string().contains("must be s3://bucket/prefix/"),
                "{to}: {err}"
            );
        }
        let err = unload()
            .with_format(UnloadFormat::Avro)
            .with_compression(UnloadCompression::Snappy)
            .query_string()
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("compression does not apply to AVRO"),
            "{err}"
        );
    }

    #[test]
    fn formats_and_compressions_serialize_as_athena_names_them() {
        for f in [
            UnloadFormat::Parquet,
            UnloadFormat::Orc,
            UnloadFormat::Avro,
            UnloadFormat::Json,
            UnloadFormat::TextFile,
        ] {
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
            for c in f.compressions() {
                assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
            }
        }
        assert_eq!(
            serde_json::from_str::<UnloadFormat>("\"TEXTFILE\"").unwrap(),
            UnloadFormat::TextFile
        );
    }
}
