//! S3 on the emulator's own endpoint: what lets a client read a result file the way it
//! reads one from Athena's result bucket, and put table data where a `LOCATION` finds it.
//!
//! Every request that is not an Athena call (see `http.rs`) is an S3 call, path-style:
//! `http://127.0.0.1:PORT/bucket/key` is the file `<data_dir>/bucket/key`. The protocol
//! (routing, headers, XML bodies, error bodies) is s3s's; the operations work on the
//! data dir (`service.rs`, `listing.rs`), keep to it (`keys.rs`), and carry the S3 faults
//! (`faults.rs`, `body.rs`).

mod anonymous;
mod body;
mod errors;
mod faults;
mod flushes;
mod keys;
mod listing;
mod operation;
mod service;

pub(crate) use anonymous::anonymous;
pub use faults::{S3CallCounts, S3Faults, S3Injected};
pub(crate) use faults::{S3Counters, S3FaultInjector};
pub(crate) use flushes::{FlushWatch, Flushes};
pub use operation::S3Operation;
pub(crate) use service::DataDirS3;
