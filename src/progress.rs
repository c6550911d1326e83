//! Live progress of a query: what the status polls and `GetQueryRuntimeStatistics`
//! say while it runs, published on a watch channel a caller may look at.

use std::fmt;
use std::time::Duration;

use crate::execution::{QueryExecution, QueryState};

/// What is known of a query's progress, as of its last status poll.
///
/// Read it from [`RowStream::progress`](crate::RowStream::progress) (a
/// `tokio::sync::watch` receiver: `borrow()` for the latest, `changed().await` to wait
/// for the next). It changes at most once per status poll: watching costs no extra
/// `GetQueryExecution` call, and the one `GetQueryRuntimeStatistics` call per poll
/// while the query runs is made only while a receiver exists.
///
/// ```no_run
/// use athena_stream::Athena;
/// use futures::TryStreamExt;
///
/// # async fn run(athena: Athena) -> athena_stream::Result<()> {
/// let mut rows = athena.query("SELECT count(*) FROM cf_access_logs");
/// let mut progress = rows.progress();
/// tokio::spawn(async move {
///     while progress.changed().await.is_ok() {
///         eprintln!("{}", *progress.borrow_and_update());
///     }
/// });
/// while let Some(row) = rows.try_next().await? {
///     println!("{:?}", row.get_str(0)?);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct QueryProgress {
    /// The `QueryExecutionId`, once the query was started (or attached to).
    pub query_execution_id: Option<String>,
    /// `Status.State` at the last poll; `None` before the first.
    pub state: Option<QueryState>,
    /// `Statistics.QueryQueueTimeInMillis`: time spent queued.
    pub queue_time: Option<Duration>,
    /// `Statistics.EngineExecutionTimeInMillis`: time spent running so far.
    pub engine_execution_time: Option<Duration>,
    /// `Statistics.DataScannedInBytes`: Athena reports it growing while the query runs
    /// (it is what the query is billed by).
    pub data_scanned_in_bytes: Option<u64>,
    /// `GetQueryRuntimeStatistics`, from the last poll that found the query running or
    /// at its end; `None` when the service did not answer it (it never fails the query).
    pub runtime_statistics: Option<QueryRuntimeStatistics>,
    /// Status polls so far.
    pub polls: u64,
}

impl QueryProgress {
    /// Takes what a status poll found.
    pub(crate) fn polled(&mut self, execution: &QueryExecution) {
        self.query_execution_id = Some(execution.query_execution_id.clone());
        self.state = Some(execution.state);
        let s = &execution.statistics;
        self.queue_time = s.query_queue_time.or(self.queue_time);
        self.engine_execution_time = s.engine_execution_time.or(self.engine_execution_time);
        self.data_scanned_in_bytes = s.data_scanned_in_bytes.or(self.data_scanned_in_bytes);
        self.polls += 1;
    }
}

impl fmt::Display for QueryProgress {
    /// One line: `RUNNING, queued 0.2 s, running 3.1 s, 12.6 MB scanned, 120,000 rows
    /// read, 2 stages`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.state.map_or("STARTING", QueryState::as_str))?;
        if let Some(t) = self.queue_time {
            write!(f, ", queued {:.1} s", t.as_secs_f64())?;
        }
        if let Some(t) = self.engine_execution_time {
            write!(f, ", running {:.1} s", t.as_secs_f64())?;
        }
        if let Some(b) = self.data_scanned_in_bytes {
            write!(f, ", {:.1} MB scanned", b as f64 / 1e6)?;
        }
        if let Some(r) = &self.runtime_statistics {
            if let Some(rows) = r.input_rows {
                write!(f, ", {} rows read", thousands(rows))?;
            }
            if !r.stages.is_empty() {
                write!(f, ", {} stages", r.stages.len())?;
            }
        }
        Ok(())
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `QueryRuntimeStatistics`: the rows and bytes a running query's stages have read and
/// written (docs/athena.md, "Runtime statistics"). Fields Athena did not send are
/// `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryRuntimeStatistics {
    /// `Rows.InputRows`: rows read from the sources.
    pub input_rows: Option<u64>,
    /// `Rows.InputBytes`: bytes read from the sources.
    pub input_bytes: Option<u64>,
    /// `Rows.OutputRows`: rows of the result.
    pub output_rows: Option<u64>,
    /// `Rows.OutputBytes`: bytes of the result.
    pub output_bytes: Option<u64>,
    /// The stages, from `OutputStage` down through `SubStages`, each once, parents
    /// before their children.
    pub stages: Vec<QueryStage>,
}

/// One `QueryStage` of [`QueryRuntimeStatistics`] (without its plan and sub-stages).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryStage {
    /// `StageId`.
    pub stage_id: Option<i64>,
    /// `State` (`RUNNING`, `FINISHED`, ...), as Athena names it.
    pub state: Option<String>,
    /// `InputRows`.
    pub input_rows: Option<u64>,
    /// `InputBytes`.
    pub input_bytes: Option<u64>,
    /// `OutputRows`.
    pub output_rows: Option<u64>,
    /// `OutputBytes`.
    pub output_bytes: Option<u64>,
    /// `ExecutionTime`.
    pub execution_time: Option<Duration>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_as_one_line() {
        let mut p = QueryProgress::default();
        assert_eq!(p.to_string(), "STARTING");
        p.state = Some(QueryState::Running);
        p.queue_time = Some(Duration::from_millis(200));
        p.engine_execution_time = Some(Duration::from_millis(3140));
        p.data_scanned_in_bytes = Some(12_600_000);
        p.runtime_statistics = Some(QueryRuntimeStatistics {
            input_rows: Some(1_234_567),
            stages: vec![QueryStage::default(), QueryStage::default()],
            ..QueryRuntimeStatistics::default()
        });
        assert_eq!(
            p.to_string(),
            "RUNNING, queued 0.2 s, running 3.1 s, 12.6 MB scanned, 1,234,567 rows read, 2 stages"
        );
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }
}
