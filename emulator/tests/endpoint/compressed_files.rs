//! Tables over compressed and unreadable files: Athena picks
//! the codec by the file's extension and reads every file under the LOCATION; a file it
//! cannot read fails the query naming the file, never reads as zero rows.

use std::io::Write;

use athena_emulator::engine::{Engine, QueryError};

use crate::engine_sql::{engine, error, exec, put, query, rows, table};

/// A CloudFront-like log: the two `#` header lines, then tab-separated rows.
fn log(rows: &[(&str, &str, u64)]) -> Vec<u8> {
    let mut text = String::from("#Version: 1.0\n#Fields: date uri bytes\n");
    for (date, uri, bytes) in rows {
        text.push_str(&format!("{date}\t{uri}\t{bytes}\n"));
    }
    text.into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn bzip2(bytes: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Hadoop's block framing (`BlockCompressorStream`) of `bytes`, blocks of 64 bytes.
fn hadoop(bytes: &[u8], compress: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    for block in bytes.chunks(64) {
        let c = compress(block);
        out.extend_from_slice(&(block.len() as u32).to_be_bytes());
        out.extend_from_slice(&(c.len() as u32).to_be_bytes());
        out.extend_from_slice(&c);
    }
    out
}

async fn logs_table(e: &Engine, name: &str, prefix: &str) {
    exec(
        e,
        &format!(
            "CREATE EXTERNAL TABLE {name} (`date` date, uri string, bytes bigint) \
             ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' \
             LOCATION 's3://logs/{prefix}/' \
             TBLPROPERTIES ('skip.header.line.count'='2')"
        ),
    )
    .await;
}

#[tokio::test]
async fn a_gzipped_log_reads_its_rows() {
    let e = engine().await;
    put(
        &e,
        "logs/gz/E2ABC.2024-06-01-00.a1b2c3.gz",
        &gzip(&log(&[
            ("2024-06-01", "/index.html", 100),
            ("2024-06-01", "/a.css", 20),
        ])),
    );
    logs_table(&e, "gz_logs", "gz").await;
    assert_eq!(
        rows(&e, "SELECT * FROM gz_logs ORDER BY bytes").await,
        table(&[
            &["2024-06-01", "/a.css", "20"],
            &["2024-06-01", "/index.html", "100"],
        ])
    );
}

#[tokio::test]
async fn every_codec_athena_lists_reads_beside_plain_files_with_headers_skipped_per_file() {
    let e = engine().await;
    let file = |n: u64| log(&[("2024-06-01", "/f", n), ("2024-06-02", "/g", n + 1)]);
    put(&e, "logs/mixed/plain.log", &file(10));
    put(&e, "logs/mixed/a.gz", &gzip(&file(20)));
    put(&e, "logs/mixed/b.bz2", &bzip2(&file(30)));
    put(
        &e,
        "logs/mixed/c.zst",
        &zstd::encode_all(&file(40)[..], 3).unwrap(),
    );
    put(
        &e,
        "logs/mixed/d.lz4",
        &hadoop(&file(50), lz4_flex::block::compress),
    );
    put(
        &e,
        "logs/mixed/e.snappy",
        &hadoop(&file(60), |b| {
            snap::raw::Encoder::new().compress_vec(b).unwrap()
        }),
    );
    put(&e, "logs/mixed/f.deflate", &zlib(&file(70)));
    // Hidden files are skipped, whatever their content (Trino's Hive connector does).
    put(&e, "logs/mixed/_SUCCESS", b"\xff\xfe not data");
    put(&e, "logs/mixed/.part.crc", b"\x00\x01\x02");
    logs_table(&e, "mixed", "mixed").await;
    let got = rows(&e, "SELECT bytes FROM mixed ORDER BY bytes").await;
    let want: Vec<Vec<String>> = [10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 60, 61, 70, 71]
        .iter()
        .map(|n: &u64| vec![n.to_string()])
        .collect();
    assert_eq!(got, want);
    // Bytes scanned are the compressed bytes, as S3 counts them.
    let dir = e.data_dir().join("logs/mixed");
    let on_disk: u64 = [
        "plain.log",
        "a.gz",
        "b.bz2",
        "c.zst",
        "d.lz4",
        "e.snappy",
        "f.deflate",
    ]
    .iter()
    .map(|f| std::fs::metadata(dir.join(f)).unwrap().len())
    .sum();
    let answer = query(&e, "SELECT count(*) FROM mixed").await.unwrap();
    assert_eq!(answer.rows, table(&[&["14"]]));
    assert_eq!(answer.scanned, on_disk);
}

#[tokio::test]
async fn csv_and_json_tables_read_gzip_too() {
    let e = engine().await;
    put(
        &e,
        "data/csv/part-0.csv.gz",
        &gzip(b"id,name\n1,\"Smith, J\"\n2,\"x\"\"y\"\n"),
    );
    exec(
        &e,
        "CREATE EXTERNAL TABLE people (id int, name string) \
         ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' \
         LOCATION 's3://data/csv/' TBLPROPERTIES ('skip.header.line.count'='1')",
    )
    .await;
    assert_eq!(
        rows(&e, "SELECT id, name FROM people ORDER BY id").await,
        table(&[&["1", "Smith, J"], &["2", "x\"y"]])
    );
    put(
        &e,
        "data/json/a.json.gz",
        &gzip(b"{\"k\": \"a\", \"n\": 1}\n{\"k\": \"b\", \"n\": 2}\n"),
    );
    put(
        &e,
        "data/json/b.json.zst",
        &zstd::encode_all(&b"{\"k\": \"c\", \"n\": 3}"[..], 3).unwrap(),
    );
    exec(
        &e,
        "CREATE EXTERNAL TABLE events (k string, n int) \
         ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://data/json/'",
    )
    .await;
    assert_eq!(
        rows(&e, "SELECT k, n FROM events ORDER BY n").await,
        table(&[&["a", "1"], &["b", "2"], &["c", "3"]])
    );
}

/// The error of `SELECT * FROM t` over the one file `name` holding `bytes`.
async fn text_table_error(name: &str, bytes: &[u8]) -> QueryError {
    let e = engine().await;
    put(&e, &format!("bad/t/{name}"), bytes);
    exec(
        &e,
        "CREATE EXTERNAL TABLE t (a string, b string) \
         ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://bad/t/'",
    )
    .await;
    error(&e, "SELECT * FROM t").await
}

fn assert_failed(err: &QueryError, code: &str, file: &str) {
    let QueryError::Failed {
        error_category,
        message,
        ..
    } = err
    else {
        panic!("expected a FAILED query, got {err:?}");
    };
    assert_eq!(*error_category, 2, "{message}");
    assert!(message.starts_with(&format!("{code}: ")), "{message}");
    assert!(message.contains(&format!("s3://bad/t/{file}")), "{message}");
}

#[tokio::test]
async fn an_lzo_file_is_refused_not_read_as_nothing() {
    let err = text_table_error("x.lzo", b"\x89LZO\x00\r\n\x1a\n").await;
    assert_failed(&err, "NOT_SUPPORTED", "x.lzo");
}

#[tokio::test]
async fn compressed_data_without_its_extension_fails_with_a_hint() {
    // Athena knows `.gz`, not `.GZ`: it would read the bytes as text.
    let err = text_table_error("x.GZ", &gzip(b"a,b\n")).await;
    assert_failed(&err, "HIVE_BAD_DATA", "x.GZ");
    assert!(err.message().contains("gzip-compressed"), "{err}");
    assert!(err.message().contains(".gz"), "{err}");
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00rest of a zip file";
    let err = text_table_error("x.zip", zip).await;
    assert_failed(&err, "HIVE_BAD_DATA", "x.zip");
    assert!(err.message().contains("ZIP"), "{err}");
}

#[tokio::test]
async fn a_parquet_file_under_a_text_table_fails() {
    let e = engine().await;
    exec(
        &e,
        "CREATE TABLE pq WITH (format = 'PARQUET', external_location = 's3://src/pq/') \
         AS SELECT 'a' AS a, 'b' AS b",
    )
    .await;
    let dir = e.data_dir().join("src/pq");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|f| f.path())
        .find(|p| p.is_file())
        .expect("the CTAS wrote a file");
    let bytes = std::fs::read(file).unwrap();
    let err = text_table_error("part-0.parquet", &bytes).await;
    assert_failed(&err, "HIVE_BAD_DATA", "part-0.parquet");
    assert!(err.message().contains("Parquet"), "{err}");
}

#[tokio::test]
async fn invalid_utf8_in_a_text_table_fails_with_its_line() {
    let err = text_table_error("x.csv", b"a,b\nc,\xff\xfe\n").await;
    assert_failed(&err, "HIVE_BAD_DATA", "x.csv");
    assert!(err.message().contains("line 2"), "{err}");
}

#[tokio::test]
async fn a_corrupt_gzip_file_fails_as_athena_reports_it() {
    let mut bytes = gzip(b"a,b\nc,d\n");
    let n = bytes.len();
    bytes.truncate(n - 12);
    let err = text_table_error("x.gz", &bytes).await;
    assert_failed(&err, "HIVE_CURSOR_ERROR", "x.gz");
    let err = text_table_error("y.gz", b"plain text named .gz\n").await;
    assert_failed(&err, "HIVE_CURSOR_ERROR", "y.gz");
}

#[tokio::test]
async fn a_json_row_that_is_not_an_object_fails_unless_malformed_rows_are_ignored() {
    let e = engine().await;
    put(&e, "bad/t/x.json", b"{\"a\": \"1\"}\n{\"a\": \n");
    exec(
        &e,
        "CREATE EXTERNAL TABLE t (a string) \
         ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://bad/t/'",
    )
    .await;
    let err = error(&e, "SELECT * FROM t").await;
    assert_failed(&err, "HIVE_CURSOR_ERROR", "x.json");
    assert!(err.message().contains("line 2"), "{err}");
    exec(
        &e,
        "CREATE EXTERNAL TABLE lenient (a string) \
         ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' \
         WITH SERDEPROPERTIES ('ignore.malformed.json' = 'true') LOCATION 's3://bad/t/'",
    )
    .await;
    assert_eq!(
        rows(&e, "SELECT a FROM lenient ORDER BY a NULLS LAST").await,
        table(&[&["1"], &["<null>"]])
    );
}

#[tokio::test]
async fn a_file_shorter_than_its_header_has_no_rows_and_an_empty_file_none() {
    let e = engine().await;
    put(&e, "logs/short/a.log", b"#Version: 1.0\n");
    put(&e, "logs/short/b.log.gz", &gzip(b""));
    put(&e, "logs/short/c.log", &log(&[("2024-06-03", "/x", 1)]));
    logs_table(&e, "short", "short").await;
    assert_eq!(rows(&e, "SELECT uri FROM short").await, table(&[&["/x"]]));
}
