//! UNLOAD's data manifest: where it is, and the files it lists (docs/athena.md, "UNLOAD
//! and data manifests").

use std::collections::HashSet;

use crate::execution::QueryExecution;
use crate::s3::ObjectLocation;

/// Where the manifest of a finished UNLOAD is: `Statistics.DataManifestLocation`, or
/// else `<QueryExecutionId>-manifest.csv` in the folder of the query's
/// `ResultConfiguration.OutputLocation`, where Athena writes it (AWS's own sample
/// appends `-manifest.csv` to the output location, which for UNLOAD ends in the id).
///
/// # Errors
/// The message when neither is there or the one there is not an `s3://` URI.
pub(crate) fn location(execution: &QueryExecution) -> Result<ObjectLocation, String> {
    if let Some(uri) = execution.statistics.data_manifest_location.as_deref() {
        return ObjectLocation::parse(uri)
            .ok_or_else(|| format!("DataManifestLocation {uri:?} is not an s3://bucket/key URI"));
    }
    let output = execution
        .result_configuration
        .output_location
        .as_deref()
        .ok_or_else(|| {
            "the query has neither a DataManifestLocation nor an OutputLocation to find its \
         data manifest by"
                .to_owned()
        })?;
    // The folder is everything up to the key's last `/` (`s3://bucket/` for a key
    // without one, or for an output location that is the bucket itself).
    let folder = output
        .strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .filter(|(bucket, _)| !bucket.is_empty())
        .map(|(bucket, key)| match key.rfind('/') {
            Some(slash) => format!("s3://{bucket}/{}", &key[..=slash]),
            None => format!("s3://{bucket}/"),
        })
        .ok_or_else(|| format!("OutputLocation {output:?} is not an s3:// URI"))?;
    let uri = format!("{folder}{}-manifest.csv", execution.query_execution_id);
    ObjectLocation::parse(&uri).ok_or_else(|| format!("{uri:?} is not an s3://bucket/key URI"))
}

/// The files a manifest lists: one `s3://` URI a line, no header; empty when the
/// UNLOAD wrote no row. A line ending in `\r\n` is read like one ending in `\n`, and
/// blank lines are skipped.
///
/// # Errors
/// The message for text that is not UTF-8, a line that is not an `s3://bucket/key`
/// URI, or a file listed twice (reading it twice would give its rows twice).
pub(crate) fn parse(bytes: &[u8]) -> Result<Vec<String>, String> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| format!("the manifest is not UTF-8 text: {e}"))?;
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if ObjectLocation::parse(line).is_none() {
            return Err(format!(
                "line {} of the manifest is not an s3://bucket/key URI: {line:?}",
                n + 1
            ));
        }
        if !seen.insert(line) {
            return Err(format!("the manifest lists {line} twice"));
        }
        files.push(line.to_owned());
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execution::{QueryState, QueryStatistics};

    fn execution(output: Option<&str>, manifest: Option<&str>) -> QueryExecution {
        let statistics = QueryStatistics {
            data_manifest_location: manifest.map(str::to_owned),
            ..QueryStatistics::default()
        };
        QueryExecution {
            query_execution_id: "abc-123".to_owned(),
            state: QueryState::Succeeded,
            state_change_reason: None,
            athena_error: None,
            statement_type: None,
            substatement_type: None,
            result_configuration: crate::execution::ResultConfiguration {
                output_location: output.map(str::to_owned),
                ..crate::execution::ResultConfiguration::default()
            },
            managed_query_results: false,
            workgroup: None,
            submission_date_time: None,
            completion_date_time: None,
            statistics,
        }
    }

    #[test]
    fn the_manifest_is_found_where_athena_says_or_beside_the_output() {
        let at = |e: &QueryExecution| location(e).map(|l| l.to_string());
        assert_eq!(
            at(&execution(
                Some("s3://results/abc-123"),
                Some("s3://elsewhere/m.csv")
            )),
            Ok("s3://elsewhere/m.csv".to_owned())
        );
        // UNLOAD's OutputLocation ends in the id, a SELECT's in the id and `.csv`.
        for output in [
            "s3://results/athena/abc-123",
            "s3://results/athena/abc-123.csv",
            "s3://results/athena/",
        ] {
            assert_eq!(
                at(&execution(Some(output), None)),
                Ok("s3://results/athena/abc-123-manifest.csv".to_owned()),
                "{output}"
            );
        }
        let err = at(&execution(None, None)).unwrap_err();
        assert!(err.contains("neither a DataManifestLocation"), "{err}");
        let err = at(&execution(None, Some("manifest.csv"))).unwrap_err();
        assert!(err.contains("not an s3://bucket/key URI"), "{err}");
        let err = at(&execution(Some("/tmp/results/"), None)).unwrap_err();
        assert!(err.contains("not an s3:// URI"), "{err}");
    }

    #[test]
    fn a_manifest_is_one_uri_a_line_and_may_be_empty() {
        assert_eq!(parse(b""), Ok(vec![]));
        assert_eq!(parse(b"\n"), Ok(vec![]));
        assert_eq!(
            parse(b"s3://b/p/f1\ns3://b/p/f2\r\n\ns3://b/p/f3").unwrap(),
            ["s3://b/p/f1", "s3://b/p/f2", "s3://b/p/f3"]
        );
        let err = parse(b"s3://b/p/f1\nf2\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        let err = parse(b"s3://b/p/f1\ns3://b/p/f1\n").unwrap_err();
        assert!(err.contains("twice"), "{err}");
        let err = parse(b"\xff\n").unwrap_err();
        assert!(err.contains("not UTF-8"), "{err}");
    }
}
