//! Decoding speed of typed rows: a 1000-row page of the one-column `uri` query of AWS's
//! sample, and a 1000-row page of the 33-column CloudFront log table (docs/athena.md,
//! "AWS's sample workflow"), each decoded into a struct with `Row::deserialize`.
//!
//! Targets: at least 1,000,000 rows/s per core for `uri`, 100,000 rows/s per core
//! for the 33-column struct. Run with `cargo bench -p athena-stream-bench --bench decode`.

use std::hint::black_box;
use std::sync::Arc;

use athena_stream::{
    Row,
    value::{ColumnInfo, ResultSetMetadata},
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::Deserialize;

const PAGE: usize = 1000;

#[derive(Deserialize)]
#[allow(dead_code)]
struct UriRow {
    uri: String,
}

/// The `cf_access_logs` table, with the Rust type each column decodes into.
#[derive(Deserialize)]
#[allow(dead_code)]
struct CloudFrontLog {
    date: String,
    time: String,
    location: String,
    bytes: i64,
    request_ip: String,
    method: String,
    host: String,
    uri: String,
    status: String,
    referer: Option<String>,
    user_agent: String,
    query_string: Option<String>,
    cookie: Option<String>,
    result_type: String,
    request_id: String,
    host_header: String,
    request_protocol: String,
    request_bytes: i64,
    time_taken: f32,
    xforwarded_for: Option<String>,
    ssl_protocol: Option<String>,
    ssl_cipher: Option<String>,
    response_result_type: String,
    http_version: String,
    fle_status: Option<String>,
    fle_encrypted_fields: Option<i32>,
    c_port: i32,
    time_to_first_byte: f32,
    x_edge_detailed_result_type: String,
    sc_content_type: String,
    sc_content_len: String,
    sc_range_start: Option<i64>,
    sc_range_end: Option<i64>,
}

const CLOUDFRONT_COLUMNS: [(&str, &str); 33] = [
    ("date", "date"),
    ("time", "varchar"),
    ("location", "varchar"),
    ("bytes", "bigint"),
    ("request_ip", "varchar"),
    ("method", "varchar"),
    ("host", "varchar"),
    ("uri", "varchar"),
    ("status", "varchar"),
    ("referer", "varchar"),
    ("user_agent", "varchar"),
    ("query_string", "varchar"),
    ("cookie", "varchar"),
    ("result_type", "varchar"),
    ("request_id", "varchar"),
    ("host_header", "varchar"),
    ("request_protocol", "varchar"),
    ("request_bytes", "bigint"),
    ("time_taken", "real"),
    ("xforwarded_for", "varchar"),
    ("ssl_protocol", "varchar"),
    ("ssl_cipher", "varchar"),
    ("response_result_type", "varchar"),
    ("http_version", "varchar"),
    ("fle_status", "varchar"),
    ("fle_encrypted_fields", "integer"),
    ("c_port", "integer"),
    ("time_to_first_byte", "real"),
    ("x_edge_detailed_result_type", "varchar"),
    ("sc_content_type", "varchar"),
    ("sc_content_len", "varchar"),
    ("sc_range_start", "bigint"),
    ("sc_range_end", "bigint"),
];

fn metadata(columns: &[(&str, &str)]) -> Arc<ResultSetMetadata> {
    Arc::new(ResultSetMetadata::new(
        columns
            .iter()
            .map(|(n, t)| ColumnInfo::new(*n, *t))
            .collect(),
    ))
}

fn uri_page() -> Vec<Row> {
    let meta = metadata(&[("uri", "varchar")]);
    (0..PAGE)
        .map(|i| {
            Row::new(
                meta.clone(),
                i as u64,
                vec![Some(format!("/images/products/{i}/thumbnail-large.jpg"))],
            )
        })
        .collect()
}

fn cloudfront_page() -> Vec<Row> {
    let meta = metadata(&CLOUDFRONT_COLUMNS);
    (0..PAGE)
        .map(|i| {
            let v = |s: &str| Some(s.to_owned());
            let values = vec![
                v("2019-12-04"),
                v("21:02:31"),
                v("LAX1"),
                Some((392 + i).to_string()),
                v("192.0.2.100"),
                v("GET"),
                v("d111111abcdef8.cloudfront.net"),
                Some(format!("/index-{i}.html")),
                v("200"),
                None,
                v("Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36"),
                None,
                None,
                v("Hit"),
                v("SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ=="),
                v("d111111abcdef8.cloudfront.net"),
                v("https"),
                v("23"),
                Some(format!("0.{:03}", i % 1000)),
                None,
                v("TLSv1.2"),
                v("ECDHE-RSA-AES128-GCM-SHA256"),
                v("Hit"),
                v("HTTP/2.0"),
                None,
                None,
                v("11040"),
                v("0.001"),
                v("Hit"),
                v("text/html"),
                v("78"),
                None,
                None,
            ];
            Row::new(meta.clone(), i as u64, values)
        })
        .collect()
}

fn decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode_page");
    group.throughput(Throughput::Elements(PAGE as u64));

    let uri = uri_page();
    group.bench_function("uri_1_column", |b| {
        b.iter(|| {
            for row in black_box(&uri) {
                black_box(row.deserialize::<UriRow>().unwrap());
            }
        })
    });

    let cloudfront = cloudfront_page();
    group.bench_function("cloudfront_33_columns", |b| {
        b.iter(|| {
            for row in black_box(&cloudfront) {
                black_box(row.deserialize::<CloudFrontLog>().unwrap());
            }
        })
    });

    group.bench_function("cloudfront_33_columns_typed_json", |b| {
        b.iter(|| {
            for row in black_box(&cloudfront) {
                black_box(row.to_typed_json().unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
