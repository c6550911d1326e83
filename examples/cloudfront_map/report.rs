//! What an example says when it is done: the summary's read-path text, and an error
//! report that says each cause once. `cloudfront_map`'s, and `local_sql`'s too (it
//! includes this file: see there).

use athena_stream::{Error, QueryStats, ReadPath, error::ApiErrorKind};

/// The lines that report an error: the error, then each source that adds something.
///
/// An error's message often already contains its source's (the library's `Error::Api`
/// carries the service's message; the SDK's error and the service error inside it both
/// print `Code: message`), so printing every source repeats lines. A source whose text
/// was already printed is skipped; one that reads `Code: message` with the message
/// already printed adds only its code.
///
/// A missing identity is reported on its one line: it names the providers tried and how
/// to configure one, and its sources are the SDK's layers and the chain's own list of
/// the same providers, one line each.
pub fn error_report(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut lines = vec![format!("error: {error}")];
    if let Some(Error::Api {
        kind: ApiErrorKind::Credentials,
        ..
    }) = error.downcast_ref::<Error>()
    {
        return lines;
    }
    let mut printed = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(new) = news(&cause.to_string(), &printed) {
            lines.push(format!("  caused by: {new}"));
            printed.push(new);
        }
        source = cause.source();
    }
    lines
}

/// What `text` adds to the lines already `printed`, if anything.
pub fn news(text: &str, printed: &[String]) -> Option<String> {
    let said = |t: &str| printed.iter().any(|p| p.contains(t));
    if text.trim().is_empty() || said(text) {
        return None;
    }
    if let Some((code, message)) = text.split_once(": ")
        && !code.is_empty()
        && !code.contains(char::is_whitespace)
        && said(message)
    {
        return (!said(code)).then(|| code.to_owned());
    }
    Some(text.to_owned())
}
/// The read path for the summary: which, what it read, and why the API path if the file
/// was meant to be read.
pub fn read_path_text(stats: &QueryStats) -> String {
    let mut text = format!(
        "read path {}",
        stats.read_path.map_or("none", ReadPath::as_str)
    );
    if stats.ranges > 0 || stats.bytes_read > 0 {
        text.push_str(&format!(
            " ({} ranges, {} read)",
            stats.ranges,
            human_bytes(stats.bytes_read)
        ));
    }
    if let Some(reason) = &stats.fallback_reason {
        text.push_str(&format!(", fallback: {reason}"));
    }
    text
}

/// `1.2 MB`: bytes in decimal units, as S3 and Athena's console count them.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error with a message and an optional source, like the layers of an SDK error.
    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    fn chain(messages: &[&'static str]) -> Layer {
        let mut layers = messages.iter().rev();
        let mut error = Layer(layers.next().copied().unwrap_or(""), None);
        for message in layers {
            error = Layer(message, Some(Box::new(error)));
        }
        error
    }

    #[test]
    fn a_message_already_printed_is_not_repeated() {
        // What invalid SQL gave: the service's message in the error, then the SDK's
        // layers, the last two alike.
        let message = "line 1:1: mismatched input 'SELEC'";
        let error = chain(&[
            "Athena StartQueryExecution failed (Permanent): line 1:1: mismatched input 'SELEC'",
            "service error",
            "InvalidRequestException: line 1:1: mismatched input 'SELEC'",
            "InvalidRequestException: line 1:1: mismatched input 'SELEC'",
        ]);
        let lines = error_report(&error);
        assert_eq!(
            lines,
            [
                "error: Athena StartQueryExecution failed (Permanent): line 1:1: mismatched input 'SELEC'",
                "  caused by: service error",
                "  caused by: InvalidRequestException",
            ]
        );
        assert_eq!(lines.iter().filter(|l| l.contains(message)).count(), 1);
    }

    #[test]
    fn a_chain_the_message_already_holds_adds_nothing() {
        // An error without a service message carries its whole chain, `a: b: c`.
        let error = chain(&[
            "Athena GetQueryExecution failed (Transient): dispatch failure: io error: connection refused",
            "dispatch failure",
            "io error",
            "connection refused",
        ]);
        assert_eq!(error_report(&error).len(), 1);
    }

    #[test]
    fn a_missing_identity_is_one_line() {
        let error = Error::Api {
            operation: athena_stream::error::Operation::StartQueryExecution,
            kind: ApiErrorKind::Credentials,
            code: None,
            message: "no AWS credentials found (tried Environment, Profile); configure them"
                .to_owned(),
            attempts: 1,
            elapsed: std::time::Duration::ZERO,
            source: Box::new(chain(&[
                "dispatch failure",
                "other",
                "the credential provider was not enabled",
                "no credentials found in chain. Attempted:\n  Environment: not set\n  Profile: none",
            ])),
        };
        assert_eq!(
            error_report(&error),
            [
                "error: Athena StartQueryExecution failed (Credentials): no AWS credentials found \
              (tried Environment, Profile); configure them"
            ]
        );
    }

    #[test]
    fn new_causes_are_kept() {
        let error = chain(&["reading failed", "the file changed"]);
        assert_eq!(
            error_report(&error),
            ["error: reading failed", "  caused by: the file changed"]
        );
    }

    #[test]
    fn bytes_read_as_people_count_them() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500), "1.5 kB");
        assert_eq!(human_bytes(88_400_000), "88.4 MB");
        assert_eq!(human_bytes(u64::MAX), "18446.7 PB");
    }
}
