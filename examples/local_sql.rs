//! Athena and DataFusion in one query: Athena does what needs the data where it lies (the
//! scan of the table and the filter), and hands on its much smaller result as Arrow
//! record batches; DataFusion does the last step locally, over those batches, with no
//! copy and no second parse (feature `arrow`).
//!
//! With no flags it starts the Athena emulator in-process, with the
//! `serverlessland_database.cf_access_logs` table of AWS's sample, and counts the
//! CloudFront requests that failed, by status:
//!
//! ```text
//! cargo run --features arrow --example local_sql
//! cargo run --features arrow --example local_sql -- --cloudfront-rows 1000000
//! cargo run --features arrow --example local_sql -- --aws --output-location s3://my-bucket/results/
//! cargo run --features arrow --example local_sql -- \
//!     --athena-sql "SELECT uri, bytes FROM cf_access_logs WHERE method = 'GET'" \
//!     --local-sql "SELECT uri, max(bytes) AS largest FROM t GROUP BY uri ORDER BY largest DESC LIMIT 5"
//! ```
//!
//! Athena runs `--athena-sql` (by default the failed requests' status, bytes and URI:
//! `status` is a string column in the sample's table, hence the cast); its results come as
//! `athena.query(..).into_batches()`, typed from Athena's column metadata
//! (`athena_stream::arrow::schema`), read the library's default way (page 1 through
//! `GetQueryResults`, the rest of a larger result from its result file in S3). They
//! become DataFusion's table `t` (a `MemTable` of the batches as they came, in the
//! schema `RecordBatchStream::schema` gave, so that a result of no rows is still a table
//! with its columns), and DataFusion runs `--local-sql` over it (by default the count
//! and the bytes of each status). The table holds all of Athena's result in memory as
//! Arrow arrays: the filter in Athena is what keeps it small.
//!
//! DataFusion's result goes to stdout as a table; a summary of both steps (rows, batches,
//! read path, time) to stderr. Ctrl-C stops the Athena query before the program exits.
//! `--endpoint-url` runs on any Athena-compatible endpoint, `--aws` on the real service
//! with the default AWS configuration, as `cloudfront_map` does.

// layout: #[path] because local_sql connects and reports exactly as cloudfront_map does
// (the same flags, the same error report), and an example is one crate: it can share
// modules with another example only by including their files (a crate of its own for
// them would be a dev-dependency that depends on the library, building it twice for
// its unit tests and turning its default features on in `--no-default-features` runs).
#[path = "cloudfront_map/client.rs"]
mod client;
// layout: #[path] because of the reason above, for the error report.
#[path = "cloudfront_map/report.rs"]
mod report;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use athena_stream::arrow::{RecordBatch, SchemaRef};
use athena_stream::{Athena, QueryStats, StartQueryExecution};
use clap::Parser;
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use futures::TryStreamExt;

use client::{QueryContext, Target};
use report::{error_report, read_path_text};

/// What the run fails with: the library's errors, DataFusion's.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What Athena runs by default: the scan and the filter, next to the data.
const ATHENA_SQL: &str = "SELECT CAST(status AS integer) AS status, bytes, uri \
    FROM cf_access_logs WHERE CAST(status AS integer) >= 400";

/// What DataFusion runs by default over Athena's result, table `t`.
const LOCAL_SQL: &str = "SELECT status, count(*) AS requests, sum(bytes) AS bytes \
    FROM t GROUP BY status ORDER BY status";

/// Run a query in Athena, then SQL over its results in this process with DataFusion.
#[derive(Debug, Parser)]
#[command(version, name = "local_sql")]
struct Args {
    /// What Athena runs: the scan and the filter, where the data is.
    #[arg(long, default_value = ATHENA_SQL)]
    athena_sql: String,
    /// What DataFusion then runs in this process, over Athena's result as table `t`.
    #[arg(long, default_value = LOCAL_SQL)]
    local_sql: String,
    #[command(flatten)]
    context: QueryContext,
    #[command(flatten)]
    target: Target,
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colour codes are for a terminal; in a file or a pipe they are noise.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    match run(&args).await {
        Ok(code) => code,
        Err(e) => {
            for line in error_report(&*e) {
                eprintln!("{line}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<ExitCode, BoxError> {
    // The emulator lives as long as the run when no endpoint was given.
    let (builder, emulator) = args.target.builder().await?;
    let athena = builder.build()?;
    let query = args.context.query(&args.athena_sql);
    let started = Instant::now();
    let stop = async {
        // No handler to install (a failure) is no Ctrl-C: never stop for it.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let Some(fetched) = fetch(&athena, query, stop).await? else {
        return Ok(ExitCode::from(130));
    };
    let in_athena = started.elapsed();
    let rows: usize = fetched.batches.iter().map(RecordBatch::num_rows).sum();
    let batches = fetched.batches.len();
    let result = run_locally(fetched.schema, fetched.batches, &args.local_sql).await?;
    let locally = started.elapsed() - in_athena;
    println!("{}", pretty_format_batches(&result)?);
    eprintln!(
        "athena: query {}: {rows} rows in {batches} batches ({} pages), {:.1} ms, {}",
        fetched.query_execution_id,
        fetched.stats.pages,
        ms(in_athena),
        read_path_text(&fetched.stats),
    );
    eprintln!(
        "datafusion: {} rows in {:.1} ms",
        result.iter().map(RecordBatch::num_rows).sum::<usize>(),
        ms(locally),
    );
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    Ok(ExitCode::SUCCESS)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Athena's result, as batches.
struct Fetched {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    query_execution_id: String,
    stats: QueryStats,
}

/// Runs `query` in Athena and takes all of its result as Arrow batches; `None` when
/// `stop` (Ctrl-C) completes first, once the query has been stopped.
///
/// # Errors
/// The query's (it failed, timed out, a value did not read as its column's type, ...).
async fn fetch(
    athena: &Athena,
    query: StartQueryExecution,
    stop: impl Future<Output = ()>,
) -> Result<Option<Fetched>, BoxError> {
    let mut stream = athena.query(query).into_batches();
    let outcome = {
        let read = async {
            // The schema first (it waits for the query to finish): DataFusion's table
            // needs it even when no batch comes.
            let schema = stream.schema().await?;
            let batches: Vec<RecordBatch> = (&mut stream).try_collect().await?;
            Ok::<_, athena_stream::Error>((schema, batches))
        };
        tokio::select! {
            read = read => Some(read?),
            () = stop => None,
        }
    };
    let Some((schema, batches)) = outcome else {
        eprintln!("interrupted: stopping the query");
        stream.cancel().await?;
        return Ok(None);
    };
    Ok(Some(Fetched {
        schema,
        batches,
        query_execution_id: stream.query_execution_id().unwrap_or_default(),
        stats: stream.stats(),
    }))
}

/// Runs `sql` in DataFusion over `batches` as table `t`.
///
/// # Errors
/// DataFusion's: the SQL does not parse or plan over `t`, or fails as it runs.
async fn run_locally(
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    sql: &str,
) -> Result<Vec<RecordBatch>, BoxError> {
    let ctx = SessionContext::new();
    // One partition: the batches in the order Athena's result has them.
    let table = MemTable::try_new(schema, vec![batches])?;
    ctx.register_table("t", Arc::new(table))?;
    Ok(ctx.sql(sql).await?.collect().await?)
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::{DataType, Int64Type};

    use athena_stream::Row;

    use super::*;

    /// The embedded emulator with `cloudfront_rows` rows, connected as `main` connects.
    async fn on_emulator(cloudfront_rows: usize) -> (Athena, athena_emulator::Emulator) {
        let target = Target {
            endpoint_url: None,
            aws: false,
            cloudfront_rows,
        };
        let (builder, emulator) = target.builder().await.unwrap();
        (
            builder.build().unwrap(),
            emulator.expect("the embedded emulator"),
        )
    }

    fn query(sql: &str) -> StartQueryExecution {
        QueryContext {
            database: "serverlessland_database".to_owned(),
            workgroup: None,
            output_location: None,
            encryption: None,
            kms_key: None,
            expected_bucket_owner: None,
        }
        .query(sql)
    }

    /// Every value of a result of integer columns, as i64 (NULL as `None`).
    fn integers(batches: &[RecordBatch]) -> Vec<Vec<Option<i64>>> {
        let mut rows = Vec::new();
        for batch in batches {
            let columns: Vec<_> = batch
                .columns()
                .iter()
                .map(|c| cast(c, &DataType::Int64).unwrap())
                .collect();
            for i in 0..batch.num_rows() {
                rows.push(
                    columns
                        .iter()
                        .map(|c| {
                            c.is_valid(i)
                                .then(|| c.as_primitive::<Int64Type>().value(i))
                        })
                        .collect(),
                );
            }
        }
        rows
    }

    /// DataFusion's count and bytes of each failed status, over Athena's batches, are
    /// what Athena gives for the same aggregation done in its own SQL.
    #[tokio::test]
    async fn the_local_aggregation_is_the_one_athena_computes() {
        let (athena, emulator) = on_emulator(5000).await;
        let fetched = fetch(&athena, query(ATHENA_SQL), std::future::pending())
            .await
            .unwrap()
            .expect("nothing stops it");
        let fetched_rows: usize = fetched.batches.iter().map(RecordBatch::num_rows).sum();
        assert!(fetched.stats.rows > 0);
        let local = run_locally(fetched.schema, fetched.batches, LOCAL_SQL)
            .await
            .unwrap();
        let local = integers(&local);

        let in_athena = "SELECT CAST(status AS integer) AS status, count(*), sum(bytes) \
            FROM cf_access_logs WHERE CAST(status AS integer) >= 400 \
            GROUP BY CAST(status AS integer) ORDER BY 1";
        let rows: Vec<Row> = athena.query(query(in_athena)).try_collect().await.unwrap();
        let expected: Vec<Vec<Option<i64>>> = rows
            .iter()
            .map(|row| {
                (0..3)
                    .map(|c| row.get_str(c).unwrap().map(|t| t.parse().unwrap()))
                    .collect()
            })
            .collect();

        assert_eq!(local, expected);
        // The data has failures of several statuses, so the grouping was tested.
        assert!(expected.len() >= 2, "{expected:?}");
        let counted: i64 = local.iter().map(|row| row[1].unwrap()).sum();
        assert_eq!(counted as usize, fetched_rows);
        emulator.shutdown().await;
    }

    /// A filter that keeps no row still gives DataFusion a table with its columns (from
    /// the stream's schema), so the local SQL plans and answers no rows.
    #[tokio::test]
    async fn no_rows_from_athena_is_an_empty_table_not_an_error() {
        let (athena, emulator) = on_emulator(100).await;
        let sql = "SELECT CAST(status AS integer) AS status, bytes, uri FROM cf_access_logs \
            WHERE bytes < 0";
        let fetched = fetch(&athena, query(sql), std::future::pending())
            .await
            .unwrap()
            .expect("nothing stops it");
        assert_eq!(
            fetched
                .batches
                .iter()
                .map(RecordBatch::num_rows)
                .sum::<usize>(),
            0
        );
        let local = run_locally(fetched.schema, fetched.batches, LOCAL_SQL)
            .await
            .unwrap();
        assert_eq!(local.iter().map(RecordBatch::num_rows).sum::<usize>(), 0);
        emulator.shutdown().await;
    }
}
