//! Running a query (SELECT, WITH, VALUES, EXPLAIN) on DataFusion: planning it in the
//! session's database, counting the bytes it reads, and rendering its rows as Athena's
//! text in bounded slices.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use datafusion::execution::SendableRecordBatchStream;
use datafusion::physical_plan::execute_stream;
use datafusion::sql::sqlparser;
use futures::StreamExt;

use super::column_info::column_for_field;
use super::error::{QueryError, map_error};
use super::output::{Column, QueryOutput, RowStream};
use super::render::render_batch;
use super::scan;
use super::stages::PlanHandle;
use super::state::EngineState;

/// Rows rendered at a time (a stream item holds at most this many).
pub(crate) const RENDER_ROWS: usize = 4096;

/// Plans and starts a query in `database`; its rows come as they are produced.
pub(crate) async fn run_query(
    state: &EngineState,
    statement: sqlparser::ast::Statement,
    sql_text: &str,
    database: &str,
) -> Result<QueryOutput, QueryError> {
    use sqlparser::ast::{SetExpr, Statement};
    let explain = matches!(statement, Statement::Explain { .. });
    let values = matches!(&statement, Statement::Query(q) if matches!(*q.body, SetExpr::Values(_)));
    let scanned = Arc::new(AtomicU64::new(0));
    let session = scan::counting(state.session_in(database), Arc::clone(&scanned));
    let plan = session
        .statement_to_plan(datafusion::sql::parser::Statement::Statement(Box::new(
            statement,
        )))
        .await
        .map_err(|e| state.planning_error(e, sql_text, database))?;
    let physical = session
        .create_physical_plan(&plan)
        .await
        .map_err(|e| map_error(e, sql_text, database))?;
    let mut columns: Vec<Column> = physical
        .schema()
        .fields()
        .iter()
        .map(|f| column_for_field(f))
        .collect();
    if values {
        // Trino names the columns of a bare VALUES `_col0`, `_col1`, ...
        for (i, c) in columns.iter_mut().enumerate() {
            c.name = format!("_col{i}");
        }
    }
    let plan = PlanHandle::new(Arc::clone(&physical));
    let stream = execute_stream(physical, session.task_ctx())
        .map_err(|e| map_error(e, sql_text, database))?;
    let rows = render_rows(stream, sql_text, database);
    if explain {
        return explain_output(rows, scanned).await;
    }
    Ok(QueryOutput {
        columns,
        rows,
        update_count: Some(0),
        data_scanned_in_bytes: scanned,
        data_manifest: None,
        plan: Some(plan),
    })
}

/// The batches of `stream` rendered as Athena's text, errors as Athena reports them.
fn render_rows(stream: SendableRecordBatchStream, sql_text: &str, database: &str) -> RowStream {
    let sql_text: Arc<str> = Arc::from(sql_text);
    let database = Arc::new(database.to_owned());
    // Large batches (one UNNEST of a long sequence is a single batch) are rendered in
    // slices, so a consumer never holds more than RENDER_ROWS rendered rows at once.
    stream
        .flat_map(|batch| {
            let slices: Vec<_> = match batch {
                Ok(batch) => (0..batch.num_rows())
                    .step_by(RENDER_ROWS)
                    .map(|start| Ok(batch.slice(start, RENDER_ROWS.min(batch.num_rows() - start))))
                    .collect(),
                Err(e) => vec![Err(e)],
            };
            futures::stream::iter(slices)
        })
        .map(move |slice| match slice {
            Ok(slice) => Ok(render_batch(&slice)),
            Err(e) => Err(map_error(e, &sql_text, &database)),
        })
        .boxed()
}

/// EXPLAIN as Athena answers it: one column `Query Plan`, one row per line of the plan.
async fn explain_output(
    mut rows: RowStream,
    scanned: Arc<AtomicU64>,
) -> Result<QueryOutput, QueryError> {
    let mut lines = Vec::new();
    while let Some(batch) = rows.next().await {
        for row in batch? {
            let (kind, plan) = match row.as_slice() {
                [Some(kind), Some(plan)] => (kind.clone(), plan.clone()),
                _ => continue,
            };
            if kind == "logical_plan" || kind == "Plan with Metrics" {
                lines.extend(plan.lines().map(|l| vec![Some(l.to_owned())]));
            }
        }
    }
    let stream: RowStream = if lines.is_empty() {
        futures::stream::empty().boxed()
    } else {
        futures::stream::once(async move { Ok(lines) }).boxed()
    };
    Ok(QueryOutput {
        columns: vec![Column::varchar("Query Plan")],
        rows: stream,
        update_count: Some(0),
        data_scanned_in_bytes: scanned,
        data_manifest: None,
        plan: None,
    })
}
