//! Everyday queries of the kinds AWS's documentation shows for CloudFront and VPC flow
//! logs, each with its result checked: on small fixtures whose answers
//! are worked out by hand, and on the built-in `cf_access_logs`.

use std::io::Write;

use athena_emulator::engine::{Engine, EngineConfig};

use crate::engine_sql::{engine, error, exec, put, rows, table, value};

/// A CloudFront-like access log (gzipped, as CloudFront delivers it), header lines first.
const CF_ROWS: &[&str] = &[
    "2024-06-01\t00:10:00\tIAD89\t1000\t192.0.2.1\tGET\td1.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0\t-\t0.010",
    "2024-06-01\t00:40:00\tIAD89\t2000\t192.0.2.2\tGET\td1.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0\tlang=en\t0.020",
    "2024-06-01\t01:05:00\tFRA2\t500\t192.0.2.3\tGET\td1.cloudfront.net\t/a.css\t304\thttps://example.com/\tGooglebot/2.1\t-\t0.005",
    "2024-06-01\t01:30:00\tFRA2\t700\t192.0.2.3\tGET\td1.cloudfront.net\t/missing\t404\t-\tcurl/8.0\t-\t0.001",
    "2024-06-02\t10:00:00\tNRT1\t3000\t198.51.100.7\tGET\td1.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0\t-\t0.030",
    "2024-06-02\t10:15:00\tNRT1\t100\t198.51.100.7\tPOST\td1.cloudfront.net\t/api/items\t503\t-\tbingbot/2.0\tid=7&x=a%20b\t0.500",
    "2024-06-03\t23:59:59\tIAD89\t400\t192.0.2.1\tGET\td1.cloudfront.net\t/a.css\t200\t-\tMozilla/5.0\t-\t0.004",
    "2024-06-04\t08:00:00\tIAD89\t900\t192.0.2.9\tGET\td1.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0\t-\t0.009",
];

async fn fixtures() -> Engine {
    let e = engine().await;
    let mut log = String::from("#Version: 1.0\n#Fields: date time x-edge-location ...\n");
    for r in CF_ROWS {
        log.push_str(r);
        log.push('\n');
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(log.as_bytes()).unwrap();
    put(
        &e,
        "cf-logs/E123.2024-06-01-00.abcd.gz",
        &gz.finish().unwrap(),
    );
    exec(
        &e,
        "CREATE EXTERNAL TABLE cf (`date` DATE, time STRING, location STRING, bytes BIGINT, \
         request_ip STRING, method STRING, host STRING, uri STRING, status INT, referrer STRING, \
         user_agent STRING, query_string STRING, time_taken FLOAT) \
         ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' LOCATION 's3://cf-logs/' \
         TBLPROPERTIES ('skip.header.line.count'='2')",
    )
    .await;
    put(
        &e,
        "vpc-logs/eni-1.log",
        b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n\
          2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1620000000 1620000060 ACCEPT OK\n\
          2 123456789010 eni-1 203.0.113.5 10.0.0.2 50000 22 6 3 180 1620000000 1620000060 REJECT OK\n\
          2 123456789010 eni-1 203.0.113.5 10.0.0.2 50001 22 6 4 240 1620000060 1620000120 REJECT OK\n\
          2 123456789010 eni-1 203.0.113.6 10.0.0.2 50002 3389 6 1 60 1620000060 1620000120 REJECT OK\n\
          2 123456789010 eni-1 10.0.0.9 10.0.0.2 50003 22 6 20 4000 1620000120 1620000180 ACCEPT OK\n\
          2 123456789010 eni-1 - - - - - - - 1620000180 1620000240 - NODATA\n",
    );
    exec(
        &e,
        "CREATE EXTERNAL TABLE vpc_flow_logs (version int, account_id string, interface_id string, \
         srcaddr string, dstaddr string, srcport int, dstport int, protocol bigint, packets bigint, \
         bytes bigint, `start` bigint, `end` bigint, action string, log_status string) \
         ROW FORMAT DELIMITED FIELDS TERMINATED BY ' ' LOCATION 's3://vpc-logs/' \
         TBLPROPERTIES ('skip.header.line.count'='1')",
    )
    .await;
    e
}

#[tokio::test]
async fn cloudfront_totals_top_uris_and_status_classes() {
    let e = fixtures().await;
    // Total bytes served in a date range (AWS's first CloudFront example).
    assert_eq!(
        rows(
            &e,
            "SELECT count(*) AS requests, SUM(bytes) AS total_bytes FROM cf \
             WHERE \"date\" BETWEEN DATE '2024-06-01' AND DATE '2024-06-02'"
        )
        .await,
        table(&[&["6", "7300"]])
    );
    assert_eq!(
        rows(
            &e,
            "SELECT uri, count(*) AS hits, sum(bytes) AS bytes FROM cf \
             GROUP BY uri ORDER BY hits DESC, uri LIMIT 3"
        )
        .await,
        table(&[
            &["/index.html", "4", "6900"],
            &["/a.css", "2", "900"],
            &["/api/items", "1", "100"],
        ])
    );
    assert_eq!(
        rows(
            &e,
            "SELECT CAST(status / 100 AS varchar) || 'xx' AS class, count(*) FROM cf \
             GROUP BY 1 ORDER BY 1"
        )
        .await,
        table(&[&["2xx", "5"], &["3xx", "1"], &["4xx", "1"], &["5xx", "1"]])
    );
    assert_eq!(
        rows(
            &e,
            "SELECT count_if(status >= 400) AS errors, \
             round(100 * CAST(count_if(status >= 400) AS double) / count(*), 1) AS error_pct FROM cf"
        )
        .await,
        table(&[&["2", "25.0"]])
    );
}

#[tokio::test]
async fn cloudfront_hourly_buckets_and_user_agents() {
    let e = fixtures().await;
    assert_eq!(
        rows(
            &e,
            "SELECT date_trunc('hour', CAST(CAST(\"date\" AS varchar) || ' ' || time AS timestamp)) AS hour, \
             count(*) AS requests FROM cf WHERE \"date\" = DATE '2024-06-01' GROUP BY 1 ORDER BY 1"
        )
        .await,
        table(&[
            &["2024-06-01 00:00:00.000", "2"],
            &["2024-06-01 01:00:00.000", "2"],
        ])
    );
    assert_eq!(
        rows(
            &e,
            "SELECT regexp_extract(user_agent, '^([A-Za-z]+)', 1) AS agent, count(*) FROM cf \
             WHERE regexp_like(user_agent, '(?i)bot') GROUP BY 1 ORDER BY 1"
        )
        .await,
        table(&[&["Googlebot", "1"], &["bingbot", "1"]])
    );
}

#[tokio::test]
async fn urls_and_json() {
    let e = fixtures().await;
    assert_eq!(
        rows(
            &e,
            "SELECT url_extract_host(u), url_extract_path(u), url_extract_parameter(u, 'x'), \
             url_extract_port(u), url_extract_protocol(u) FROM \
             (SELECT 'https://' || host || uri || '?' || query_string AS u FROM cf \
              WHERE query_string LIKE 'id=%') AS t"
        )
        .await,
        table(&[&["d1.cloudfront.net", "/api/items", "a b", "<null>", "https"]])
    );
    assert_eq!(
        value(&e, "SELECT url_extract_path(referrer) FROM cf WHERE referrer IS NOT NULL AND referrer <> '-'").await,
        "/"
    );
    assert_eq!(
        rows(
            &e,
            "SELECT json_extract_scalar(doc, '$.user.id'), json_extract_scalar(doc, '$.items[1]') \
             FROM (VALUES ('{\"user\": {\"id\": \"u1\"}, \"items\": [10, 20]}'), ('{\"user\": {}}')) AS t(doc)"
        )
        .await,
        table(&[&["u1", "20"], &["<null>", "<null>"]])
    );
}

#[tokio::test]
async fn windows_ctes_and_percentiles() {
    let e = fixtures().await;
    // The largest response of each URI, with a window function.
    assert_eq!(
        rows(
            &e,
            "SELECT uri, bytes FROM (SELECT uri, bytes, \
             row_number() OVER (PARTITION BY uri ORDER BY bytes DESC) AS rn FROM cf) AS t \
             WHERE rn = 1 ORDER BY uri"
        )
        .await,
        table(&[
            &["/a.css", "500"],
            &["/api/items", "100"],
            &["/index.html", "3000"],
            &["/missing", "700"],
        ])
    );
    assert_eq!(
        rows(
            &e,
            "WITH daily AS (SELECT \"date\" AS day, sum(bytes) AS b FROM cf GROUP BY 1) \
             SELECT day, b, sum(b) OVER (ORDER BY day) AS running FROM daily ORDER BY day"
        )
        .await,
        table(&[
            &["2024-06-01", "4200", "4200"],
            &["2024-06-02", "3100", "7300"],
            &["2024-06-03", "400", "7700"],
            &["2024-06-04", "900", "8600"],
        ])
    );
    // An approximation: between the two middle values of 100, 400, ..., 3000.
    let median: f64 = value(&e, "SELECT approx_percentile(bytes, 0.5) FROM cf")
        .await
        .parse()
        .unwrap();
    assert!((700.0..=900.0).contains(&median), "{median}");
    let p99: f64 = value(&e, "SELECT approx_percentile(bytes, 0.99) FROM cf")
        .await
        .parse()
        .unwrap();
    assert!((2000.0..=3000.0).contains(&p99), "{p99}");
}

#[tokio::test]
async fn vpc_flow_logs_rejected_ssh_by_source() {
    let e = fixtures().await;
    assert_eq!(
        rows(
            &e,
            "SELECT srcaddr, count(*) AS flows, sum(bytes) AS bytes FROM vpc_flow_logs \
             WHERE action = 'REJECT' AND dstport = 22 GROUP BY srcaddr ORDER BY flows DESC"
        )
        .await,
        table(&[&["203.0.113.5", "2", "420"]])
    );
    assert_eq!(
        rows(
            &e,
            "SELECT from_unixtime(min(\"start\")), count(*) FILTER (WHERE log_status = 'NODATA'), \
             count(packets) FROM vpc_flow_logs"
        )
        .await,
        table(&[&["2021-05-03 00:00:00.000 UTC", "1", "5"]])
    );
}

#[tokio::test]
async fn functions_the_emulator_lacks_are_refused_by_name() {
    let e = engine().await;
    // Trino's own functions the emulator does not serve: refused, never answered
    // otherwise.
    for (f, name) in [
        ("soundex('Robert')", "soundex"),
        ("split_to_map('a=1', ',', '=')", "split_to_map"),
        ("current_time", "current_time"),
    ] {
        let err = error(&e, &format!("SELECT {f}")).await;
        assert_eq!(
            err.message(),
            format!(
                "NOT_SUPPORTED: line 1:8: Function '{name}' is not supported by athena-emulator"
            )
        );
    }
    // DataFusion's functions that Trino does not have fail as they fail on Athena.
    for (f, name) in [
        ("array_has(ARRAY[1], 1)", "array_has"),
        ("to_char(DATE '2024-01-02', '%Y')", "to_char"),
        ("string_to_array('a,b', ',')", "string_to_array"),
    ] {
        let err = error(&e, &format!("SELECT {f}")).await;
        assert_eq!(
            err.message(),
            format!("FUNCTION_NOT_FOUND: line 1:8: Function '{name}' not registered")
        );
    }
}

#[tokio::test]
async fn the_built_in_dataset_answers_consistently() {
    let e = Engine::new(EngineConfig {
        cloudfront_rows: 2000,
        ..EngineConfig::default()
    })
    .await
    .unwrap();
    let db = "serverlessland_database.cf_access_logs";
    assert_eq!(
        value(&e, &format!("SELECT count(*) FROM {db}")).await,
        "2000"
    );
    let classes = rows(
        &e,
        &format!("SELECT substr(status, 1, 1) || 'xx', count(*) FROM {db} GROUP BY 1 ORDER BY 1"),
    )
    .await;
    let total: u64 = classes.iter().map(|r| r[1].parse::<u64>().unwrap()).sum();
    assert_eq!(total, 2000);
    assert!(
        classes
            .iter()
            .all(|r| ["2xx", "3xx", "4xx", "5xx"].contains(&r[0].as_str()))
    );
    let top = rows(
        &e,
        &format!(
            "SELECT uri, count(*) AS hits FROM {db} GROUP BY uri ORDER BY hits DESC, uri LIMIT 5"
        ),
    )
    .await;
    let hits: Vec<u64> = top.iter().map(|r| r[1].parse().unwrap()).collect();
    assert!(hits.windows(2).all(|w| w[0] >= w[1]), "{top:?}");
    // The path of every URI is the URI itself (CloudFront's uri has no query).
    assert_eq!(
        value(
            &e,
            &format!("SELECT count(*) FROM {db} WHERE url_extract_path(uri) <> uri")
        )
        .await,
        "0"
    );
}
