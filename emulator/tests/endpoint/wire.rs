//! Raw HTTP on the emulator's port in either of Athena's protocols: an operation's
//! members sent as awsJson1_1 (`POST /`, `X-Amz-Target`, all in the body) or as
//! restJson1 (the members bound to the path and query string where botocore's model
//! binds them, docs/athena.md "Protocols"), so one test can run through both.

#![allow(dead_code, unreachable_pub)]

use athena_emulator::Emulator;
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A raw answer: status, headers (lowercased names), body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends raw bytes on a fresh connection and reads until the server closes it.
pub async fn send_raw(emulator: &Emulator, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(emulator.local_addr()).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    answer
}

/// Sends raw bytes, closes the sending side (so an incomplete request ends), and reads
/// whatever comes back until the server closes the connection.
pub async fn send_and_close(emulator: &Emulator, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(emulator.local_addr()).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    stream.shutdown().await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    answer
}

/// Parses a whole HTTP/1.1 answer (the server closed the connection after it).
pub fn parse(raw: &[u8]) -> Answer {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// An `Authorization` header signed (with a made-up signature) for `service`.
pub fn signed_for(service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/us-east-1/{service}/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=0000"
    )
}

/// Sends one request: `extra` headers beside Host, Content-Length and `Connection: close`.
pub async fn request(
    emulator: &Emulator,
    method: &str,
    target: &str,
    extra: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n\
         Connection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    parse(&send_raw(emulator, &bytes).await)
}

/// POSTs `body` as awsJson1_1 with `X-Amz-Target: <target>` (none when `None`).
pub async fn post(emulator: &Emulator, target: Option<&str>, body: &[u8]) -> Answer {
    let auth = signed_for("athena");
    let mut headers = vec![
        ("Content-Type", "application/x-amz-json-1.1"),
        ("Authorization", auth.as_str()),
    ];
    if let Some(target) = target {
        headers.push(("X-Amz-Target", target));
    }
    request(emulator, "POST", "/", &headers, body).await
}

/// Athena's two protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    AwsJson,
    RestJson,
}

impl Wire {
    pub const BOTH: [Wire; 2] = [Wire::AwsJson, Wire::RestJson];

    /// The content type of the emulator's answers in this protocol.
    pub fn content_type(self) -> &'static str {
        match self {
            Wire::AwsJson => "application/x-amz-json-1.1",
            Wire::RestJson => "application/json",
        }
    }
}

/// Calls `operation` with `members` (a JSON object) in the protocol `wire`.
pub async fn call(emulator: &Emulator, wire: Wire, operation: &str, members: Value) -> Answer {
    match wire {
        Wire::AwsJson => {
            post(
                emulator,
                Some(&format!("AmazonAthena.{operation}")),
                members.to_string().as_bytes(),
            )
            .await
        }
        Wire::RestJson => {
            let Value::Object(members) = members else {
                panic!("members are a JSON object")
            };
            let (method, target, body) = rest_request(operation, members);
            rest(emulator, method, &target, body.as_bytes()).await
        }
    }
}

/// Sends a restJson1 request signed for `athena`.
pub async fn rest(emulator: &Emulator, method: &str, target: &str, body: &[u8]) -> Answer {
    let auth = signed_for("athena");
    let mut headers = vec![("Authorization", auth.as_str())];
    if !body.is_empty() {
        headers.push(("Content-Type", "application/json"));
    }
    request(emulator, method, target, &headers, body).await
}

/// The method, path with query, and body botocore's model makes of `operation`'s
/// members. A missing path label is sent empty.
fn rest_request(
    operation: &str,
    mut members: Map<String, Value>,
) -> (&'static str, String, String) {
    let mut label = |member: &str| match members.remove(member) {
        None => String::new(),
        Some(Value::String(id)) => encode(&id),
        Some(other) => panic!("a path label is a string, not {other}"),
    };
    let (method, path, query_members): (&str, String, &[&str]) = match operation {
        "StartQueryExecution" => ("POST", "/query-executions".into(), &[]),
        "BatchGetQueryExecution" => ("POST", "/batch-get-query-executions".into(), &[]),
        "ListQueryExecutions" => (
            "GET",
            "/query-executions".into(),
            &["NextToken", "MaxResults", "WorkGroup"],
        ),
        "GetQueryExecution" => (
            "GET",
            format!("/query-executions/{}", label("QueryExecutionId")),
            &[],
        ),
        "GetQueryResults" => (
            "GET",
            format!("/query-executions/{}/results", label("QueryExecutionId")),
            &["NextToken", "MaxResults", "QueryResultType"],
        ),
        "StopQueryExecution" => (
            "POST",
            format!("/query-executions/{}/stop", label("QueryExecutionId")),
            &[],
        ),
        "GetQueryRuntimeStatistics" => (
            "GET",
            format!(
                "/query-executions/{}/runtime-statistics",
                label("QueryExecutionId")
            ),
            &[],
        ),
        "CreateWorkGroup" => ("POST", "/workgroups".into(), &[]),
        "ListWorkGroups" => ("GET", "/workgroups".into(), &["NextToken", "MaxResults"]),
        "GetWorkGroup" => ("GET", format!("/workgroups/{}", label("WorkGroup")), &[]),
        "UpdateWorkGroup" => ("PATCH", format!("/workgroups/{}", label("WorkGroup")), &[]),
        "DeleteWorkGroup" => (
            "DELETE",
            format!("/workgroups/{}", label("WorkGroup")),
            &["RecursiveDeleteOption"],
        ),
        other => panic!("no restJson1 route for {other}"),
    };
    let mut query = Vec::new();
    for name in query_members {
        match members.remove(*name) {
            None => {}
            Some(Value::String(s)) => query.push(format!("{name}={}", encode(&s))),
            Some(Value::Number(n)) => query.push(format!("{name}={n}")),
            Some(Value::Bool(b)) => query.push(format!("{name}={b}")),
            Some(other) => panic!("a query member is a string, number or boolean, not {other}"),
        }
    }
    let target = if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    };
    let body = if matches!(
        operation,
        "StartQueryExecution" | "BatchGetQueryExecution" | "CreateWorkGroup" | "UpdateWorkGroup"
    ) {
        Value::Object(members).to_string()
    } else {
        String::new()
    };
    (method, target, body)
}

/// Percent-encodes everything but SigV4's unreserved characters, as AWS SDKs do.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
