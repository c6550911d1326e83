//! The behaviour suite in Athena's other protocol. `aws-sdk-athena` 1.128 speaks
//! awsJson1_1; botocore 1.44.18 already describes Athena in restJson1, and an SDK
//! generated from that model will send the same operations as REST calls (docs/athena.md,
//! "Protocols"). This interceptor turns each request the SDK has serialized into the
//! restJson1 request the model describes (method, path with its label, query string,
//! body), before it is signed and sent; answers are left as the emulator sends them.
//!
//! That is enough to stand for a restJson1 client: for the operations the library calls,
//! the model puts every output member in the body, in both protocols, and the SDK reads
//! an error's name from the `X-Amzn-ErrorType` header first, as a restJson1 client does.
//! So every rule that passes here passes for a client that speaks restJson1 natively.

use aws_sdk_athena::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_athena::config::{ConfigBag, Intercept, RuntimeComponents};
use serde_json::{Map, Value};

/// Rewrites awsJson1_1 requests into restJson1 ones.
#[derive(Debug, Clone, Copy)]
pub(super) struct RestJsonRequests;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where botocore's model (1.44.18) puts an operation's members: the method, the path
/// (with `{QueryExecutionId}` for its label), the members in the query string, and
/// whether the rest go in a body.
fn route(operation: &str) -> Option<(&'static str, &'static str, &'static [&'static str], bool)> {
    Some(match operation {
        "StartQueryExecution" => ("POST", "/query-executions", &[], true),
        "BatchGetQueryExecution" => ("POST", "/batch-get-query-executions", &[], true),
        "ListQueryExecutions" => (
            "GET",
            "/query-executions",
            &["NextToken", "MaxResults", "WorkGroup"],
            false,
        ),
        "GetQueryExecution" => ("GET", "/query-executions/{QueryExecutionId}", &[], false),
        "GetQueryResults" => (
            "GET",
            "/query-executions/{QueryExecutionId}/results",
            &["NextToken", "MaxResults", "QueryResultType"],
            false,
        ),
        "StopQueryExecution" => (
            "POST",
            "/query-executions/{QueryExecutionId}/stop",
            &[],
            false,
        ),
        "GetQueryRuntimeStatistics" => (
            "GET",
            "/query-executions/{QueryExecutionId}/runtime-statistics",
            &[],
            false,
        ),
        "CreateWorkGroup" => ("POST", "/workgroups", &[], true),
        _ => return None,
    })
}

/// Percent-encodes all but the unreserved characters, as SigV4 canonical URIs do.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The restJson1 path-and-query and body of an operation with these members.
fn rest_request(
    operation: &str,
    mut members: Map<String, Value>,
) -> Result<(&'static str, String, Option<Vec<u8>>), BoxError> {
    let (method, template, query_members, has_body) =
        route(operation).ok_or_else(|| format!("no restJson1 route for {operation}"))?;
    let mut path = template.to_owned();
    if template.contains("{QueryExecutionId}") {
        let id = match members.remove("QueryExecutionId") {
            Some(Value::String(id)) => id,
            other => return Err(format!("QueryExecutionId is {other:?}").into()),
        };
        path = path.replace("{QueryExecutionId}", &encode(&id));
    }
    let mut query = Vec::new();
    for name in query_members {
        match members.remove(*name) {
            None => {}
            Some(Value::String(s)) => query.push(format!("{name}={}", encode(&s))),
            Some(Value::Number(n)) => query.push(format!("{name}={n}")),
            Some(other) => return Err(format!("{name} is {other}").into()),
        }
    }
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    let body = has_body
        .then(|| serde_json::to_vec(&Value::Object(members)))
        .transpose()?;
    Ok((method, path, body))
}

impl Intercept for RestJsonRequests {
    fn name(&self) -> &'static str {
        "RestJsonRequests"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let operation = request
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.strip_prefix("AmazonAthena."))
            .ok_or("an awsJson1_1 request names its operation in X-Amz-Target")?
            .to_owned();
        let members = match request.body().bytes() {
            Some(bytes) if !bytes.is_empty() => serde_json::from_slice(bytes)?,
            _ => Value::Object(Map::new()),
        };
        let Value::Object(members) = members else {
            return Err("an awsJson1_1 body is a JSON object".into());
        };
        let (method, path, body) = rest_request(&operation, members)?;
        request.set_method(method)?;
        let endpoint = request.uri().trim_end_matches('/').to_owned();
        request.set_uri(format!("{endpoint}{path}"))?;
        let headers = request.headers_mut();
        headers.remove("x-amz-target");
        match &body {
            Some(body) => {
                headers.insert("content-type", "application/json");
                headers.insert("content-length", body.len().to_string());
            }
            None => {
                headers.remove("content-type");
                headers.insert("content-length", "0");
            }
        }
        *request.body_mut() = body.unwrap_or_default().into();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn members(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn members_go_where_the_model_binds_them() {
        let (method, path, body) = rest_request(
            "GetQueryResults",
            members(json!({"QueryExecutionId": "a/b", "MaxResults": 10, "NextToken": "x+y="})),
        )
        .unwrap();
        assert_eq!(method, "GET");
        assert_eq!(
            path,
            "/query-executions/a%2Fb/results?NextToken=x%2By%3D&MaxResults=10"
        );
        assert_eq!(body, None);
        let (method, path, body) = rest_request(
            "StartQueryExecution",
            members(json!({"QueryString": "SELECT 1"})),
        )
        .unwrap();
        assert_eq!((method, path.as_str()), ("POST", "/query-executions"));
        assert_eq!(body.unwrap(), br#"{"QueryString":"SELECT 1"}"#);
        let (method, path, _) = rest_request(
            "StopQueryExecution",
            members(json!({"QueryExecutionId": "q"})),
        )
        .unwrap();
        assert_eq!(
            (method, path.as_str()),
            ("POST", "/query-executions/q/stop")
        );
        assert!(rest_request("DeleteEverything", Map::new()).is_err());
        assert!(rest_request("GetQueryExecution", Map::new()).is_err());
    }
}
