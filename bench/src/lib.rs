//! The code the measuring programs of athena-stream share: the programs are this
//! crate's examples (`read_paths`, `concurrency_sweep`, `peak_memory`) and benches
//! (`decode`, `fanout`, `parse_csv`); how to run them and what they found is in
//! BENCHMARKS.md. Not published.

pub mod designs;
pub mod raw_s3;
pub mod read_paths_chart;
pub mod setup;
