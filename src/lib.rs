//! athena-stream: run an Amazon Athena query and feed its rows, with bounded
//! concurrency, into your own async code.
//!
//! (The guided tour of the crate is written in the crate docs once the API settles.)

#![deny(missing_docs, rustdoc::broken_intra_doc_links)]
#![warn(missing_debug_implementations, unreachable_pub, rust_2018_idioms)]

mod error;
mod row;

pub use error::{ApiErrorKind, AthenaError, BoxError, Error, Result};
pub use row::{ColumnInfo, ResultSetMetadata, Row};
