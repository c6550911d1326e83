//! What `cloudfront_map` shows on stderr besides its rows: the status line drawn in place
//! while stderr is a terminal, the log writer that keeps log lines above it, the
//! summary's read-path text, and an error report that says each cause once.
//!
//! A module of its own so that the example itself stays about the workflow.

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use athena_stream::{
    Error, QueryState, QueryStats, ReadPath, error::ApiErrorKind, progress::QueryProgress,
};

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

/// The status line on stderr, drawn in place (`\r`) while stderr is a terminal. Anything
/// else written to that terminal (a log line; a row, when stdout is the same terminal)
/// erases it first, and the next tick draws it again below.
pub struct StatusLine {
    /// Whether a status is on the screen now.
    drawn: Mutex<bool>,
}

pub static STATUS: StatusLine = StatusLine {
    drawn: Mutex::new(false),
};

impl StatusLine {
    fn lock(&self) -> std::sync::MutexGuard<'_, bool> {
        self.drawn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the status with `text`.
    pub fn draw(&self, text: &str) {
        let mut drawn = self.lock();
        let mut err = std::io::stderr().lock();
        // Back to the start of the line, the text, then clear the rest of a longer
        // previous text. Only ever written to a terminal, so the escape is understood.
        let _ = write!(err, "\r{text}\x1b[K");
        let _ = err.flush();
        *drawn = true;
    }

    /// Removes the status, if drawn.
    pub fn erase(&self) {
        Self::erase_locked(&mut self.lock());
    }

    fn erase_locked(drawn: &mut bool) {
        if std::mem::take(drawn) {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
        }
    }

    /// Runs `write` with the status erased, and no status drawn meanwhile.
    pub fn write_above<T>(&self, write: impl FnOnce() -> T) -> T {
        let mut drawn = self.lock();
        Self::erase_locked(&mut drawn);
        write()
    }
}

/// Where log lines go: stderr, above the status line.
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        STATUS.write_above(|| std::io::stderr().write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// What the status line shows of the query: its id, its state and data scanned as the
/// last poll saw them, and the rows its stages have read (from
/// `GetQueryRuntimeStatistics`, while it runs).
pub struct QueryStatus<'a> {
    pub id: &'a str,
    pub state: QueryState,
    pub data_scanned: Option<u64>,
    pub rows_read: Option<u64>,
}

impl<'a> QueryStatus<'a> {
    /// The status of what the stream's progress says, once the first poll answered.
    pub fn of(progress: &'a QueryProgress) -> Option<Self> {
        Some(QueryStatus {
            id: progress.query_execution_id.as_deref()?,
            state: progress.state?,
            data_scanned: progress.data_scanned_in_bytes,
            rows_read: progress
                .runtime_statistics
                .as_ref()
                .and_then(|r| r.input_rows),
        })
    }
}

/// The status line: while the query runs, its state as the last poll saw it and the
/// data scanned so far; once it finished, the data scanned, the rows processed, rows/s
/// and MB/s since it finished, and the read path. Short enough for an 80-column terminal,
/// where a wrapped line could not be redrawn in place.
pub fn status_text(
    elapsed: Duration,
    query: Option<&QueryStatus<'_>>,
    stats: &QueryStats,
    processed: u64,
) -> String {
    let Some(query) = query else {
        return format!("starting the query, {:.1} s", elapsed.as_secs_f64());
    };
    let scanned = query
        .data_scanned
        .map_or_else(|| "?".to_owned(), human_bytes);
    if !query.state.is_final() {
        let short = query.id.get(..8).unwrap_or(query.id);
        let mut text = format!(
            "query {short}: {} {:.1} s, {scanned} scanned",
            query.state.as_str(),
            elapsed.as_secs_f64(),
        );
        if let Some(rows) = query.rows_read {
            text.push_str(&format!(", {rows} rows read"));
        }
        return text;
    }
    // Rates count from the query's end: before it, there was nothing to read.
    let reading = elapsed
        .saturating_sub(stats.waiting)
        .as_secs_f64()
        .max(1e-3);
    let mut text = format!(
        "{}, {scanned} scanned | {processed} rows, {:.0} rows/s",
        query.state.as_str(),
        processed as f64 / reading
    );
    if stats.bytes_read > 0 {
        text.push_str(&format!(
            ", {:.1} MB/s",
            stats.bytes_read as f64 / 1e6 / reading
        ));
    }
    text.push_str(&format!(
        " ({})",
        stats.read_path.map_or("page 1", ReadPath::as_str)
    ));
    text
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
            elapsed: Duration::ZERO,
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
    fn the_status_says_what_is_known() {
        let mut stats = QueryStats::default();
        let starting = status_text(Duration::from_millis(1500), None, &stats, 0);
        assert_eq!(starting, "starting the query, 1.5 s");

        let mut query = QueryStatus {
            id: "3f0c6d1e-1111-2222-3333-444455556666",
            state: QueryState::Running,
            data_scanned: Some(81_700_000),
            rows_read: None,
        };
        let running = status_text(Duration::from_millis(3500), Some(&query), &stats, 0);
        assert_eq!(running, "query 3f0c6d1e: RUNNING 3.5 s, 81.7 MB scanned");
        query.rows_read = Some(1_250_000);
        let running = status_text(Duration::from_millis(3500), Some(&query), &stats, 0);
        assert_eq!(
            running,
            "query 3f0c6d1e: RUNNING 3.5 s, 81.7 MB scanned, 1250000 rows read"
        );
        query.rows_read = None;

        query.state = QueryState::Succeeded;
        stats.waiting = Duration::from_secs(4);
        stats.bytes_read = 40_000_000;
        stats.read_path = Some(ReadPath::ResultFile);
        let reading = status_text(Duration::from_secs(6), Some(&query), &stats, 100_000);
        assert_eq!(
            reading,
            "SUCCEEDED, 81.7 MB scanned | 100000 rows, 50000 rows/s, 20.0 MB/s (file)"
        );
        for text in [starting, running, reading] {
            assert!(text.len() <= 80, "{text}");
        }
    }

    #[test]
    fn bytes_read_as_people_count_them() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500), "1.5 kB");
        assert_eq!(human_bytes(88_400_000), "88.4 MB");
        assert_eq!(human_bytes(u64::MAX), "18446.7 PB");
    }
}
