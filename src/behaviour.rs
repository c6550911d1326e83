//! The row stream's promises, each written once as a rule and run on two backends (the
//! pattern of object_store's conformance suite):
//!
//! - the scripted fake of `src/fake.rs`, under paused tokio time: exact schedules, and
//!   faults at exactly the call a rule means;
//! - `athena-emulator` through the real `aws-sdk-athena` client over HTTP, in real time:
//!   the same rules against a real peer, its wire format and its SQL; once in awsJson1_1,
//!   as the SDK speaks today, and once in restJson1, as botocore's model already
//!   describes Athena (see `rest_json.rs`), so the suite keeps passing when the SDK
//!   switches.
//!
//! A rule is an `async fn` generic over [`backend::Backend`]; `on_both_backends!` makes a
//! test of it for each backend (and each protocol). A rule only one backend can show lives in
//! [`fake_only`] or [`emulator_only`], which say why.

mod accounts;
mod backend;
#[cfg(feature = "arrow")]
mod batches;
#[cfg(all(feature = "unload", feature = "distributed-map"))]
mod distributed_map;
mod emulator_only;
mod fake_only;
mod lifecycle;
mod paging;
mod rest_json;
mod result_file;
mod retries;
mod stops;
#[cfg(feature = "unload")]
mod unload;

use crate::row::Row;

/// Makes `on_fake::<rule>` (paused time) and `on_emulator::<rule>` tests of each rule of
/// the module it is called in.
macro_rules! on_both_backends {
    ($($rule:ident),* $(,)?) => {
        mod on_fake {
            $(
                #[tokio::test(start_paused = true)]
                async fn $rule() {
                    super::$rule::<crate::behaviour::backend::OnFake>().await;
                }
            )*
        }

        mod on_emulator {
            $(
                #[tokio::test]
                async fn $rule() {
                    super::$rule::<crate::behaviour::backend::OnEmulator>().await;
                }
            )*
        }

        mod on_emulator_rest_json {
            $(
                #[tokio::test]
                async fn $rule() {
                    super::$rule::<crate::behaviour::backend::OnEmulatorRestJson>().await;
                }
            )*
        }
    };
}
use on_both_backends;

/// The integers of column 0 of each row (the rules' queries number their rows).
fn numbers(rows: &[Row]) -> Vec<i64> {
    rows.iter()
        .map(|r| r.get::<i64>(0).expect("a number in column 0"))
        .collect()
}

/// `from..=to`, to compare with [`numbers`].
fn range(from: i64, to: i64) -> Vec<i64> {
    (from..=to).collect()
}

/// The result file a finished query wrote, as `GetQueryExecution` reported it.
fn result_file_of(execution: Option<crate::QueryExecution>) -> String {
    execution
        .and_then(|e| e.result_configuration.output_location)
        .expect("a finished query with a result file")
}
