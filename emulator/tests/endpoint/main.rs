//! The emulator's integration tests, as one test binary: each binary links DataFusion and
//! the AWS SDK (about 250 MB on disk, and a link step each), so the suites are modules here
//! rather than files of their own under `tests/`.

mod binary;
mod common;
mod compressed_files;
mod engine_sql;
mod engine_values;
mod everyday_queries;
mod lambdas;
mod protocol;
mod python_clients;
mod rest_json;
mod result_configuration;
mod s3;
mod s3_faults;
mod scan_progress;
mod sdk;
mod timestamps;
mod trino_corpus;
mod unload;
mod unnest;
mod wire;
mod work_groups;
