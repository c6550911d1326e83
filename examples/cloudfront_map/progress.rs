//! What `cloudfront_map` shows on stderr besides its rows while it runs: the status line
//! drawn in place while stderr is a terminal, and the log writer that keeps log lines
//! above it.
//!
//! A module of its own so that the example itself stays about the workflow.

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use athena_stream::{QueryState, QueryStats, ReadPath, progress::QueryProgress};

use crate::report::human_bytes;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
