//! UNLOAD's `WITH (...)` properties: the format, its compression and (for TEXTFILE) the
//! field delimiter, checked against what Athena writes (docs/athena.md, "UNLOAD and data
//! manifests").

use crate::engine::ddl::unescape;
use crate::engine::error::QueryError;

/// The file format of the data files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Apache Parquet, one row group per 1,048,576 rows.
    Parquet,
    /// One JSON object per line, as the Hive JsonSerDe writes it.
    Json,
    /// Delimited text, as Hive's LazySimpleSerDe writes it.
    Text {
        /// One byte between fields (`\001` unless `field_delimiter` says otherwise).
        delimiter: u8,
    },
}

/// How the data files are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Snappy,
    /// With its level, 1..=22.
    Zstd(i32),
    Bzip2,
    Lz4,
}

impl Compression {
    /// The extension a compressed text file gets, that of Hadoop's codec: Athena picks a
    /// text file's codec by its extension when it reads it (docs/athena.md, "Result
    /// files"), and Trino's writer names the files it compresses that way
    /// (`HiveWriterFactory.getFileExtension`). Parquet files get none.
    pub(crate) fn text_extension(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
            Compression::Snappy => ".snappy",
            Compression::Zstd(_) => ".zst",
            Compression::Bzip2 => ".bz2",
            Compression::Lz4 => ".lz4",
        }
    }
}

/// What an UNLOAD writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) format: Format,
    pub(crate) compression: Compression,
}

/// The level ZSTD compresses at unless `compression_level` says otherwise
/// (docs/athena.md, "UNLOAD and data manifests").
const DEFAULT_ZSTD_LEVEL: i32 = 3;

/// The properties UNLOAD takes.
const PROPERTIES: &str = "format, compression, compression_level, field_delimiter, partitioned_by";

fn invalid(message: String) -> QueryError {
    QueryError::user(format!("INVALID_TABLE_PROPERTY: {message}"))
}

impl Options {
    /// Checks UNLOAD's properties (keys lowercased, values as written).
    pub(crate) fn parse(properties: &[(String, String)]) -> Result<Options, QueryError> {
        let get = |key: &str| {
            properties
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        if let Some((key, _)) = properties
            .iter()
            .find(|(k, _)| !PROPERTIES.split(", ").any(|p| p == k))
        {
            return Err(invalid(format!(
                "UNLOAD has no property '{key}' (it takes {PROPERTIES})"
            )));
        }
        if get("partitioned_by").is_some() {
            return Err(QueryError::user(
                "NOT_SUPPORTED: UNLOAD with partitioned_by is not supported by athena-emulator"
                    .to_owned(),
            ));
        }
        let format = match get("format").map(str::to_ascii_uppercase).as_deref() {
            None => {
                return Err(invalid(
                    "UNLOAD needs the property format: 'PARQUET', 'ORC', 'AVRO', 'JSON' or 'TEXTFILE'"
                        .to_owned(),
                ));
            }
            Some("PARQUET") => Format::Parquet,
            Some("JSON") => Format::Json,
            Some("TEXTFILE") => Format::Text {
                delimiter: delimiter(get("field_delimiter"))?,
            },
            // Athena writes these; the emulator has no writer it trusts to write them as
            // Athena does, and writing another format under their name would be wrong.
            Some(f @ ("ORC" | "AVRO")) => {
                return Err(QueryError::user(format!(
                    "NOT_SUPPORTED: UNLOAD to {f} is not supported by athena-emulator (PARQUET, JSON and TEXTFILE are)"
                )));
            }
            Some(other) => {
                return Err(invalid(format!(
                    "format '{other}' is not one of 'PARQUET', 'ORC', 'AVRO', 'JSON', 'TEXTFILE'"
                )));
            }
        };
        let compression = compression(format, get("compression"), get("compression_level"))?;
        Ok(Options {
            format,
            compression,
        })
    }
}

/// TEXTFILE's `field_delimiter`: one single-byte character, `\001` by default.
fn delimiter(value: Option<&str>) -> Result<u8, QueryError> {
    let Some(value) = value else {
        return Ok(1);
    };
    let value = unescape(value);
    match value.as_bytes() {
        [b'\n' | b'\r'] => Err(invalid(
            "field_delimiter cannot be a line break: it would end the row".to_owned(),
        )),
        [b] if b.is_ascii() => Ok(*b),
        _ => Err(invalid(format!(
            "field_delimiter must be a single character, got '{value}' (multicharacter delimiters are not supported)"
        ))),
    }
}

/// The compression of `format`, from `compression` and `compression_level`: Parquet
/// defaults to GZIP and writes GZIP, SNAPPY, ZSTD or none; JSON and TEXTFILE default to
/// GZIP and write BZIP2, GZIP, LZ4, SNAPPY, ZSTD or none (docs/athena.md, "UNLOAD and
/// data manifests" and "Result files").
fn compression(
    format: Format,
    compression: Option<&str>,
    level: Option<&str>,
) -> Result<Compression, QueryError> {
    let name = compression.map_or_else(|| "GZIP".to_owned(), str::to_ascii_uppercase);
    let text = !matches!(format, Format::Parquet);
    let chosen = match name.as_str() {
        "NONE" => Compression::None,
        "GZIP" => Compression::Gzip,
        "SNAPPY" => Compression::Snappy,
        "ZSTD" => Compression::Zstd(DEFAULT_ZSTD_LEVEL),
        "BZIP2" if text => Compression::Bzip2,
        "LZ4" if text => Compression::Lz4,
        "BZIP2" | "LZ4" | "LZO" | "ZLIB" | "DEFLATE" => {
            return Err(QueryError::user(format!(
                "NOT_SUPPORTED: Athena does not write {name}-compressed {}",
                format_name(format)
            )));
        }
        other => {
            return Err(invalid(format!(
                "compression '{other}' is not a compression Athena knows"
            )));
        }
    };
    match (chosen, level) {
        (_, None) => Ok(chosen),
        (Compression::Zstd(_), Some(level)) => match level.trim().parse::<i32>() {
            Ok(level @ 1..=22) => Ok(Compression::Zstd(level)),
            _ => Err(invalid(format!(
                "compression_level must be a number from 1 to 22, got '{level}'"
            ))),
        },
        (_, Some(_)) => Err(invalid(
            "compression_level applies to ZSTD compression only".to_owned(),
        )),
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Parquet => "PARQUET",
        Format::Json => "JSON",
        Format::Text { .. } => "TEXTFILE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(props: &[(&str, &str)]) -> Result<Options, QueryError> {
        let props: Vec<(String, String)> = props
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Options::parse(&props)
    }

    #[test]
    fn every_format_defaults_to_gzip() {
        for (format, want) in [
            ("PARQUET", Format::Parquet),
            ("json", Format::Json),
            ("TextFile", Format::Text { delimiter: 1 }),
        ] {
            let o = parse(&[("format", format)]).unwrap();
            assert_eq!(o.format, want);
            assert_eq!(o.compression, Compression::Gzip, "{format}");
        }
    }

    #[test]
    fn compressions_follow_what_athena_writes() {
        let o = parse(&[("format", "PARQUET"), ("compression", "snappy")]).unwrap();
        assert_eq!(o.compression, Compression::Snappy);
        let o = parse(&[
            ("format", "PARQUET"),
            ("compression", "ZSTD"),
            ("compression_level", "9"),
        ])
        .unwrap();
        assert_eq!(o.compression, Compression::Zstd(9));
        let o = parse(&[("format", "TEXTFILE"), ("compression", "NONE")]).unwrap();
        assert_eq!(o.compression, Compression::None);
        let o = parse(&[("format", "JSON"), ("compression", "BZIP2")]).unwrap();
        assert_eq!(o.compression, Compression::Bzip2);
        for refused in [
            &[("format", "PARQUET"), ("compression", "LZ4")][..],
            &[("format", "PARQUET"), ("compression", "BZIP2")],
            &[("format", "JSON"), ("compression", "DEFLATE")],
            &[("format", "JSON"), ("compression", "brotli")],
            &[("format", "PARQUET"), ("compression_level", "5")],
            &[
                ("format", "PARQUET"),
                ("compression", "ZSTD"),
                ("compression_level", "23"),
            ],
        ] {
            assert!(parse(refused).is_err(), "{refused:?}");
        }
    }

    #[test]
    fn field_delimiter_is_one_character() {
        let o = parse(&[("format", "TEXTFILE"), ("field_delimiter", ",")]).unwrap();
        assert_eq!(o.format, Format::Text { delimiter: b',' });
        let o = parse(&[("format", "TEXTFILE"), ("field_delimiter", "\\t")]).unwrap();
        assert_eq!(o.format, Format::Text { delimiter: b'\t' });
        for bad in [",,", "", "é", "\\n"] {
            let err = parse(&[("format", "TEXTFILE"), ("field_delimiter", bad)]).unwrap_err();
            assert!(err.message().starts_with("INVALID_TABLE_PROPERTY"), "{err}");
        }
    }

    #[test]
    fn unsupported_and_unknown_properties_are_refused() {
        let err = parse(&[("format", "ORC")]).unwrap_err();
        assert!(
            err.message().starts_with("NOT_SUPPORTED: UNLOAD to ORC"),
            "{err}"
        );
        let err = parse(&[("format", "AVRO")]).unwrap_err();
        assert!(err.message().starts_with("NOT_SUPPORTED"), "{err}");
        let err = parse(&[("format", "CSV")]).unwrap_err();
        assert!(err.message().starts_with("INVALID_TABLE_PROPERTY"), "{err}");
        let err = parse(&[]).unwrap_err();
        assert!(err.message().contains("needs the property format"), "{err}");
        let err = parse(&[("format", "JSON"), ("partitioned_by", "a")]).unwrap_err();
        assert!(err.message().starts_with("NOT_SUPPORTED"), "{err}");
        let err = parse(&[("format", "JSON"), ("bucket_count", "4")]).unwrap_err();
        assert!(
            err.message().contains("no property 'bucket_count'"),
            "{err}"
        );
    }
}
