//! AWS's sample dataset: CloudFront standard access logs, generated deterministically.
//!
//! Files look like CloudFront's: a `#Version` and a `#Fields` line, then one TAB-separated
//! line of 33 fields per request, `-` where CloudFront leaves a field empty. They are
//! written in chunks (never all rows in memory) and registered with the DDL AWS documents
//! for CloudFront logs, run through the same path as users' DDL.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::calendar::write_date;

/// Where the log files live.
pub(crate) const LOCATION: &str = "s3://athena-emulator-cloudfront-logs/serverlessland/";
/// Rows per log file.
const ROWS_PER_FILE: usize = 100_000;
/// Bump when the generator changes, so existing data dirs are regenerated.
const GENERATOR_VERSION: u32 = 1;

/// The table's DDL (docs/athena.md, "AWS's sample workflow"), as users would run it.
pub(crate) fn ddl() -> String {
    format!(
        "CREATE DATABASE IF NOT EXISTS serverlessland_database;
CREATE EXTERNAL TABLE IF NOT EXISTS serverlessland_database.cf_access_logs (
  `date` DATE,
  time STRING,
  location STRING,
  bytes BIGINT,
  request_ip STRING,
  method STRING,
  host STRING,
  uri STRING,
  status STRING,
  referer STRING,
  user_agent STRING,
  query_string STRING,
  cookie STRING,
  result_type STRING,
  request_id STRING,
  host_header STRING,
  request_protocol STRING,
  request_bytes BIGINT,
  time_taken FLOAT,
  xforwarded_for STRING,
  ssl_protocol STRING,
  ssl_cipher STRING,
  response_result_type STRING,
  http_version STRING,
  fle_status STRING,
  fle_encrypted_fields INT,
  c_port INT,
  time_to_first_byte FLOAT,
  x_edge_detailed_result_type STRING,
  sc_content_type STRING,
  sc_content_len STRING,
  sc_range_start BIGINT,
  sc_range_end BIGINT
)
ROW FORMAT DELIMITED
FIELDS TERMINATED BY '\\t'
LOCATION '{LOCATION}'
TBLPROPERTIES ( 'skip.header.line.count'='2' );"
    )
}

/// Writes the log files into `dir`, the directory [`LOCATION`] maps to (unless the same
/// rows are already there); the engine then registers
/// `serverlessland_database.cf_access_logs` with [`ddl`].
pub(crate) async fn write_logs(dir: PathBuf, rows: usize) -> std::io::Result<()> {
    tokio::task::spawn_blocking(move || write_dataset(&dir, rows))
        .await
        .map_err(|e| std::io::Error::other(format!("CloudFront generator stopped: {e}")))?
}

fn marker(dir: &Path, rows: usize) -> PathBuf {
    let parent = dir.parent().unwrap_or(dir);
    parent.join(format!(".cloudfront-v{GENERATOR_VERSION}-{rows}-rows"))
}

fn write_dataset(dir: &Path, rows: usize) -> std::io::Result<()> {
    let done = marker(dir, rows);
    if done.exists() {
        return Ok(());
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    if let Some(parent) = dir.parent()
        && let Ok(entries) = std::fs::read_dir(parent)
    {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(".cloudfront-v") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    std::fs::create_dir_all(dir)?;
    let generator = Generator::new(rows);
    let mut line = String::with_capacity(512);
    let mut written = 0;
    let mut file_no = 0;
    while written < rows {
        let n = ROWS_PER_FILE.min(rows - written);
        let name = format!(
            "E2EXAMPLE1Q2W3E.{}.{file_no:04}",
            generator.file_stamp(written)
        );
        let tmp = dir.join(format!(".{name}.tmp"));
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp)?);
        out.write_all(b"#Version: 1.0\n")?;
        out.write_all(FIELDS_LINE.as_bytes())?;
        for i in written..written + n {
            line.clear();
            generator.row(i, &mut line);
            out.write_all(line.as_bytes())?;
        }
        out.flush()?;
        drop(out);
        std::fs::rename(&tmp, dir.join(&name))?;
        written += n;
        file_no += 1;
    }
    std::fs::write(done, b"")?;
    Ok(())
}

const FIELDS_LINE: &str = "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n";

/// SplitMix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// Picks from `(item, weight)` pairs.
    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut r = self.below(u64::from(total)) as u32;
        for (item, w) in items {
            if r < *w {
                return *item;
            }
            r -= w;
        }
        items[items.len() - 1].0
    }
}

/// The SplitMix64 finaliser: a bijection on u64, so distinct inputs give distinct outputs.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// 2024-06-01 00:00:00 UTC.
const START_EPOCH: i64 = 1_717_200_000;
/// The logs cover one week.
const SPAN_SECONDS: i64 = 7 * 86_400;

const EDGES: &[(&str, u32)] = &[
    ("IAD89-C1", 14),
    ("IAD12-P1", 8),
    ("DFW56-P2", 7),
    ("SFO5-P1", 7),
    ("SEA19-C2", 5),
    ("JFK50-P3", 7),
    ("ORD58-P4", 5),
    ("LHR61-P5", 9),
    ("FRA56-P5", 8),
    ("CDG52-P2", 5),
    ("AMS1-C1", 4),
    ("NRT57-P2", 6),
    ("SIN2-P1", 5),
    ("SYD1-C1", 3),
    ("GRU3-C2", 3),
    ("BOM78-P1", 4),
];

const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/125.0.0.0%20Safari/537.36",
    "Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_15_7)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.5%20Safari/605.1.15",
    "Mozilla/5.0%20(X11;%20Linux%20x86_64;%20rv:126.0)%20Gecko/20100101%20Firefox/126.0",
    "Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_5%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.5%20Mobile/15E148%20Safari/604.1",
    "Mozilla/5.0%20(Linux;%20Android%2014;%20Pixel%208)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/125.0.0.0%20Mobile%20Safari/537.36",
    "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/125.0.0.0%20Safari/537.36%20Edg/125.0.0.0",
    "Mozilla/5.0%20(compatible;%20Googlebot/2.1;%20+http://www.google.com/bot.html)",
    "curl/8.7.1",
    "python-requests/2.32.3",
    "Amazon%20CloudFront",
];

const REFERERS: &[&str] = &[
    "https://serverlessland.com/",
    "https://serverlessland.com/patterns",
    "https://www.google.com/",
    "https://github.com/aws-samples/serverless-patterns",
    "https://aws.amazon.com/",
    "https://t.co/",
];

const QUERIES: &[&str] = &[
    "utm_source=newsletter&utm_medium=email",
    "page=2",
    "q=lambda",
    "filter=step-functions",
    "ref=github",
];

/// One URI of the site.
struct Page {
    uri: String,
    content_type: &'static str,
    /// Typical response size in bytes.
    size: u64,
}

impl Page {
    fn new(uri: impl Into<String>, content_type: &'static str, size: u64) -> Page {
        Page {
            uri: uri.into(),
            content_type,
            size,
        }
    }
}

/// The fixed pages, then pattern pages, images and API documents with drawn sizes.
fn site_pages() -> Vec<Page> {
    let mut rng = Rng(0xC10D_F0E5);
    let mut pages = vec![
        Page::new("/", "text/html", 48_000),
        Page::new("/index.html", "text/html", 48_000),
        Page::new("/favicon.ico", "image/x-icon", 15_086),
        Page::new("/patterns", "text/html", 120_000),
        Page::new("/assets/app.3f9a1c.js", "application/javascript", 310_000),
        Page::new("/assets/app.77be02.css", "text/css", 58_000),
        Page::new("/robots.txt", "text/plain", 68),
        Page::new("/sitemap.xml", "application/xml", 92_000),
    ];
    let services = [
        "lambda",
        "sqs",
        "sns",
        "dynamodb",
        "s3",
        "apigw",
        "sfn",
        "eventbridge",
        "kinesis",
        "athena",
    ];
    for k in 0..220 {
        let a = services[rng.below(services.len() as u64) as usize];
        let b = services[rng.below(services.len() as u64) as usize];
        pages.push(Page {
            uri: format!("/patterns/{a}-{b}-{k}"),
            content_type: "text/html",
            size: 20_000 + rng.below(60_000),
        });
    }
    for k in 0..120 {
        pages.push(Page {
            uri: format!("/images/patterns/{k:03}.png"),
            content_type: "image/png",
            size: 8_000 + rng.below(400_000),
        });
    }
    for k in 0..60 {
        pages.push(Page {
            uri: format!("/api/v1/patterns/{k}"),
            content_type: "application/json",
            size: 500 + rng.below(9_000),
        });
    }
    pages
}

/// What one request was, drawn before its line is written.
struct Request {
    method: &'static str,
    status: u16,
    https: bool,
    /// `Hit`, `Miss`, `RefreshHit`, `Redirect` or `Error`.
    result: &'static str,
    bytes: u64,
    time_taken: f64,
    time_to_first_byte: f64,
}

impl Request {
    /// Draws a request for `page`.
    fn draw(rng: &mut Rng, page: &Page) -> Request {
        let method = rng.weighted(&[("GET", 92), ("HEAD", 3), ("POST", 3), ("OPTIONS", 2)]);
        let status: u16 = rng.weighted(&[
            (200, 840),
            (304, 70),
            (404, 40),
            (206, 10),
            (301, 10),
            (403, 10),
            (500, 5),
            (502, 5),
            (503, 5),
            (400, 5),
        ]);
        let https = rng.below(100) < 95;
        let result = match status {
            200 | 206 | 304 => rng.weighted(&[("Hit", 62), ("Miss", 32), ("RefreshHit", 6)]),
            301 => "Redirect",
            _ => "Error",
        };
        let bytes = match status {
            304 => 280 + rng.below(120),
            200 if method == "HEAD" => 300 + rng.below(200),
            200 => page.size * (90 + rng.below(20)) / 100,
            206 => 65_536 + rng.below(1_000_000),
            301 => 450 + rng.below(100),
            _ => 900 + rng.below(600),
        };
        let time_taken = match result {
            "Hit" => 0.001 + rng.unit() * 0.05,
            "Miss" | "RefreshHit" => 0.02 + rng.unit() * 0.9,
            _ => 0.005 + rng.unit() * 2.0,
        };
        let ttfb = time_taken * (0.3 + rng.unit() * 0.7);
        Request {
            method,
            status,
            https,
            result,
            bytes,
            time_taken,
            time_to_first_byte: ttfb,
        }
    }
}

struct Generator {
    rows: usize,
    pages: Vec<Page>,
    /// Cumulative Zipf weights over `pages` (long-tailed popularity).
    cumulative: Vec<f64>,
}

impl Generator {
    fn new(rows: usize) -> Generator {
        let pages = site_pages();
        let mut total = 0.0;
        let cumulative = (0..pages.len())
            .map(|rank| {
                total += 1.0 / ((rank + 1) as f64).powf(1.1);
                total
            })
            .collect();
        Generator {
            rows,
            pages,
            cumulative,
        }
    }

    /// Seconds since the epoch of row `i` (rows are in time order across the week).
    fn epoch(&self, i: usize) -> i64 {
        let rows = self.rows.max(1) as i64;
        START_EPOCH + (i as i64 * SPAN_SECONDS) / rows
    }

    /// `2024-06-01-00`: the date and hour in a log file's name.
    fn file_stamp(&self, first_row: usize) -> String {
        let t = self.epoch(first_row);
        let mut s = String::new();
        write_date(&mut s, t.div_euclid(86_400));
        let _ = write!(s, "-{:02}", t.rem_euclid(86_400) / 3600);
        s
    }

    fn page(&self, rng: &mut Rng) -> &Page {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let r = rng.unit() * total;
        let idx = self.cumulative.partition_point(|&c| c < r);
        &self.pages[idx.min(self.pages.len() - 1)]
    }

    /// Appends row `i` (TAB-separated, newline-terminated) to `out`.
    fn row(&self, i: usize, out: &mut String) {
        let mut rng = Rng(mix(i as u64 ^ 0xA7E9_A000_0000_0000));
        let t = self.epoch(i);
        let page = self.page(&mut rng);
        let request = Request::draw(&mut rng, page);
        let Request {
            method,
            status,
            https,
            result,
            bytes,
            time_taken,
            time_to_first_byte: ttfb,
        } = request;

        // date, time
        write_date(out, t.div_euclid(86_400));
        let secs = t.rem_euclid(86_400);
        let _ = write!(
            out,
            "\t{:02}:{:02}:{:02}\t",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
        // x-edge-location, sc-bytes
        out.push_str(rng.weighted(EDGES));
        let _ = write!(out, "\t{bytes}\t");
        // c-ip
        write_client_ip(&mut rng, out);
        // cs-method, cs(Host), cs-uri-stem, sc-status
        let _ = write!(
            out,
            "\t{method}\td111111abcdef8.cloudfront.net\t{}\t{status}\t",
            page.uri
        );
        // cs(Referer), cs(User-Agent), cs-uri-query, cs(Cookie)
        write_request_headers(&mut rng, out);
        // x-edge-result-type, x-edge-request-id (unique: the bijective mix of the row number)
        out.push_str(result);
        out.push('\t');
        request_id(i as u64, &mut rng, out);
        // x-host-header, cs-protocol, cs-bytes, time-taken
        let _ = write!(
            out,
            "\tserverlessland.com\t{}\t{}\t{time_taken:.3}\t",
            if https { "https" } else { "http" },
            120 + rng.below(1_400)
        );
        // x-forwarded-for, ssl-protocol, ssl-cipher
        write_forwarded_for_and_tls(&mut rng, https, out);
        // x-edge-response-result-type, cs-protocol-version, fle-status, fle-encrypted-fields
        out.push_str(result);
        out.push('\t');
        out.push_str(rng.weighted(&[("HTTP/2.0", 70), ("HTTP/1.1", 28), ("HTTP/3.0", 2)]));
        // c-port, time-to-first-byte
        let _ = write!(out, "\t-\t-\t{}\t{ttfb:.3}\t", 1024 + rng.below(64_511));
        // x-edge-detailed-result-type
        out.push_str(match (result, status) {
            ("Error", 502) => "OriginConnectError",
            ("Error", 503) => "OriginError",
            ("Error", 500) => "OriginError",
            ("Error", 403) => "ClientGeoBlocked",
            _ => result,
        });
        out.push('\t');
        // sc-content-type, sc-content-len, sc-range-start, sc-range-end
        write_content(&mut rng, page, &request, out);
    }
}

/// `c-ip`: IPv4 mostly, IPv6 for 6 % of the clients.
fn write_client_ip(rng: &mut Rng, out: &mut String) {
    if rng.below(100) < 6 {
        let _ = write!(
            out,
            "2600:1f18:{:x}:{:x}::{:x}",
            rng.below(0xffff),
            rng.below(0xffff),
            rng.below(0xffff) + 1
        );
    } else {
        let _ = write!(
            out,
            "{}.{}.{}.{}",
            1 + rng.below(223),
            rng.below(256),
            rng.below(256),
            1 + rng.below(254)
        );
    }
}

/// `cs(Referer)`, `cs(User-Agent)`, `cs-uri-query` and `cs(Cookie)`, TAB-separated and
/// followed by a TAB.
fn write_request_headers(rng: &mut Rng, out: &mut String) {
    // cs(Referer)
    if rng.below(100) < 45 {
        out.push('-');
    } else {
        out.push_str(rng.pick(REFERERS));
    }
    out.push('\t');
    // cs(User-Agent)
    out.push_str(rng.pick(USER_AGENTS));
    out.push('\t');
    // cs-uri-query
    if rng.below(100) < 82 {
        out.push('-');
    } else {
        out.push_str(rng.pick(QUERIES));
    }
    // cs(Cookie)
    out.push_str(if rng.below(100) < 3 {
        "\tsession=abc123\t"
    } else {
        "\t-\t"
    });
}

/// `x-forwarded-for`, `ssl-protocol` and `ssl-cipher`, TAB-separated and followed by a
/// TAB.
fn write_forwarded_for_and_tls(rng: &mut Rng, https: bool, out: &mut String) {
    if rng.below(100) < 4 {
        let _ = write!(
            out,
            "{}.{}.{}.{}",
            10,
            rng.below(256),
            rng.below(256),
            1 + rng.below(254)
        );
    } else {
        out.push('-');
    }
    // ssl-protocol, ssl-cipher
    if https {
        if rng.below(100) < 78 {
            out.push_str("\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t");
        } else {
            out.push_str("\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\t");
        }
    } else {
        out.push_str("\t-\t-\t");
    }
}

/// `sc-content-type`, `sc-content-len`, `sc-range-start` and `sc-range-end`, and the end
/// of the line.
fn write_content(rng: &mut Rng, page: &Page, request: &Request, out: &mut String) {
    let Request { status, bytes, .. } = *request;
    match status {
        304 => out.push_str("-\t-\t-\t-\n"),
        206 => {
            let start = rng.below(page.size.max(1));
            let _ = writeln!(
                out,
                "{}\t{}\t{start}\t{}",
                page.content_type,
                bytes.saturating_sub(400),
                start + bytes.saturating_sub(400)
            );
        }
        200 if page.content_type == "text/html" && rng.below(100) < 30 => {
            // Chunked transfer: CloudFront logs no length.
            let _ = writeln!(out, "{}\t-\t-\t-", page.content_type);
        }
        200 => {
            let _ = writeln!(
                out,
                "{}\t{}\t-\t-",
                page.content_type,
                bytes.saturating_sub(350)
            );
        }
        _ => {
            let _ = writeln!(out, "text/html\t{}\t-\t-", bytes.saturating_sub(350));
        }
    }
}

/// A 56-character request id in CloudFront's alphabet, unique per row.
fn request_id(row: u64, rng: &mut Rng, out: &mut String) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut unique = mix(row ^ 0x005E_ED0F_C10D);
    // 11 characters carry the 64 unique bits; the rest is random.
    for _ in 0..11 {
        out.push(char::from(ALPHABET[(unique & 63) as usize]));
        unique >>= 6;
    }
    for _ in 0..43 {
        out.push(char::from(ALPHABET[rng.below(64) as usize]));
    }
    out.push_str("==");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_have_33_fields_and_are_deterministic() {
        let g = Generator::new(1000);
        let mut a = String::new();
        let mut b = String::new();
        for i in 0..1000 {
            a.clear();
            b.clear();
            g.row(i, &mut a);
            Generator::new(1000).row(i, &mut b);
            assert_eq!(a, b);
            assert!(a.ends_with('\n'));
            assert_eq!(a.trim_end_matches('\n').split('\t').count(), 33, "{a}");
        }
        assert_eq!(FIELDS_LINE.trim_end().split(' ').count(), 34);
    }

    #[test]
    fn request_ids_are_unique() {
        let mut seen = std::collections::HashSet::new();
        let mut rng = Rng(1);
        for i in 0..20_000u64 {
            let mut s = String::new();
            request_id(i, &mut rng, &mut s);
            assert_eq!(s.len(), 56);
            assert!(seen.insert(s[..11].to_owned()));
        }
    }
}
