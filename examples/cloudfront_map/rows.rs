//! A row as one JSON line: Athena's text, or typed (a whole `cf_access_logs` row
//! through its struct).

use athena_stream::Row;

/// One row of the sample's `cf_access_logs` table (docs/athena.md, "AWS's sample
/// workflow"), typed: what `--typed` decodes `SELECT * FROM cf_access_logs` into.
/// Nullable columns are `Option`.
#[derive(Debug, serde::Deserialize, serde::Serialize)]
pub struct CloudFrontLog {
    date: String,
    time: String,
    location: Option<String>,
    bytes: Option<i64>,
    request_ip: Option<String>,
    method: Option<String>,
    host: Option<String>,
    uri: Option<String>,
    status: Option<String>,
    referer: Option<String>,
    user_agent: Option<String>,
    query_string: Option<String>,
    cookie: Option<String>,
    result_type: Option<String>,
    request_id: Option<String>,
    host_header: Option<String>,
    request_protocol: Option<String>,
    request_bytes: Option<i64>,
    time_taken: Option<f32>,
    xforwarded_for: Option<String>,
    ssl_protocol: Option<String>,
    ssl_cipher: Option<String>,
    response_result_type: Option<String>,
    http_version: Option<String>,
    fle_status: Option<String>,
    fle_encrypted_fields: Option<i32>,
    c_port: Option<i32>,
    time_to_first_byte: Option<f32>,
    x_edge_detailed_result_type: Option<String>,
    sc_content_type: Option<String>,
    sc_content_len: Option<String>,
    sc_range_start: Option<i64>,
    sc_range_end: Option<i64>,
}

/// The columns of `cf_access_logs`, in table order.
pub const CLOUDFRONT_COLUMNS: [&str; 33] = [
    "date",
    "time",
    "location",
    "bytes",
    "request_ip",
    "method",
    "host",
    "uri",
    "status",
    "referer",
    "user_agent",
    "query_string",
    "cookie",
    "result_type",
    "request_id",
    "host_header",
    "request_protocol",
    "request_bytes",
    "time_taken",
    "xforwarded_for",
    "ssl_protocol",
    "ssl_cipher",
    "response_result_type",
    "http_version",
    "fle_status",
    "fle_encrypted_fields",
    "c_port",
    "time_to_first_byte",
    "x_edge_detailed_result_type",
    "sc_content_type",
    "sc_content_len",
    "sc_range_start",
    "sc_range_end",
];

/// One row as a JSON object: column names as keys, NULL as null. Values are Athena's
/// text, or with `typed` decoded by their column type (a whole `cf_access_logs` row
/// through the `CloudFrontLog` struct).
pub fn row_json(row: &Row, typed: bool) -> std::io::Result<String> {
    if typed
        && row
            .columns()
            .iter()
            .map(|c| c.name.as_str())
            .eq(CLOUDFRONT_COLUMNS)
    {
        // Serialized straight from the struct: keeps the column order, and f32 values
        // print as f32 (0.02, not 0.019999999552965164).
        let log: CloudFrontLog = row.deserialize().map_err(std::io::Error::other)?;
        return serde_json::to_string(&log).map_err(std::io::Error::other);
    }
    // Written by hand so that the keys keep the column order.
    let mut line = String::from("{");
    for (index, (name, text)) in row.iter().enumerate() {
        if index > 0 {
            line.push(',');
        }
        line.push_str(&serde_json::to_string(name).map_err(std::io::Error::other)?);
        line.push(':');
        let value = if typed {
            row.value(index).map_err(std::io::Error::other)?.to_json()
        } else {
            text.map_or(serde_json::Value::Null, Into::into)
        };
        line.push_str(&serde_json::to_string(&value).map_err(std::io::Error::other)?);
    }
    line.push('}');
    Ok(line)
}
