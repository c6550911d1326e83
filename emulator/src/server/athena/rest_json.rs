//! The restJson1 wire protocol: which operation a method and path name, and how the
//! members the service model binds to the URI and the query string are read into the
//! same JSON object the awsJson1_1 protocol sends as its body, so that both protocols
//! reach the one implementation of each operation (docs/athena.md, "Protocols").
//!
//! The routes are the `http` traits of Athena's service model as botocore publishes it
//! (`botocore/data/athena/2017-05-18/service-2.json`, botocore 1.44.18):
//!
//! | Operation | Method and path | Bound outside the body |
//! |---|---|---|
//! | StartQueryExecution | `POST /query-executions` | |
//! | GetQueryExecution | `GET /query-executions/{QueryExecutionId}` | the label |
//! | BatchGetQueryExecution | `POST /batch-get-query-executions` | |
//! | ListQueryExecutions | `GET /query-executions` | `NextToken`, `MaxResults`, `WorkGroup` in the query |
//! | GetQueryResults | `GET /query-executions/{QueryExecutionId}/results` | the label; `NextToken`, `MaxResults`, `QueryResultType` in the query |
//! | StopQueryExecution | `POST /query-executions/{QueryExecutionId}/stop` | the label |
//! | GetQueryRuntimeStatistics | `GET /query-executions/{QueryExecutionId}/runtime-statistics` | the label |
//! | CreateWorkGroup | `POST /workgroups` | |
//! | ListWorkGroups | `GET /workgroups` | `NextToken`, `MaxResults` in the query |
//! | GetWorkGroup | `GET /workgroups/{WorkGroup}` | the label |
//! | UpdateWorkGroup | `PATCH /workgroups/{WorkGroup}` | the label |
//! | DeleteWorkGroup | `DELETE /workgroups/{WorkGroup}` | the label; `RecursiveDeleteOption` in the query |

use serde_json::{Map, Number, Value};

use super::operation::Operation;
use super::protocol::ApiError;

/// The content type of every restJson1 answer.
pub(crate) const CONTENT_TYPE: &str = "application/json";

/// What a query-string member holds.
#[derive(Debug, Clone, Copy)]
enum Kind {
    String,
    Integer,
    Boolean,
}

/// A matched route: the operation and the members read from the URI and query string,
/// keyed by their member names (which are also their names in the JSON body).
#[derive(Debug, PartialEq)]
pub(crate) struct Route {
    pub(crate) operation: Operation,
    pub(crate) bound: Map<String, Value>,
}

/// The query-string members of an operation (the model's `location: querystring`).
fn query_members(operation: Operation) -> &'static [(&'static str, Kind)] {
    match operation {
        Operation::ListQueryExecutions => &[
            ("NextToken", Kind::String),
            ("MaxResults", Kind::Integer),
            ("WorkGroup", Kind::String),
        ],
        Operation::GetQueryResults => &[
            ("NextToken", Kind::String),
            ("MaxResults", Kind::Integer),
            ("QueryResultType", Kind::String),
        ],
        Operation::ListWorkGroups => &[("NextToken", Kind::String), ("MaxResults", Kind::Integer)],
        Operation::DeleteWorkGroup => &[("RecursiveDeleteOption", Kind::Boolean)],
        _ => &[],
    }
}

/// Finds the operation for `method` and the raw request `path` (without the query), and
/// reads the members bound to the path's label and to `query` (the raw query string).
///
/// A path that names no operation is `UnknownOperationException`, as an `X-Amz-Target`
/// that names none. A label may be empty (`/query-executions//results`): the operation
/// then reports the empty `QueryExecutionId` as its validation does for any member.
pub(crate) fn route(method: &str, path: &str, query: Option<&str>) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path
        .strip_prefix('/')
        .ok_or_else(|| unknown(method, path))?
        .split('/')
        .collect();
    const ID: &str = "QueryExecutionId";
    const WORK_GROUP: &str = "WorkGroup";
    let (operation, label) = match (method, segments.as_slice()) {
        ("POST", ["query-executions"]) => (Operation::StartQueryExecution, None),
        ("GET", ["query-executions"]) => (Operation::ListQueryExecutions, None),
        ("POST", ["batch-get-query-executions"]) => (Operation::BatchGetQueryExecution, None),
        ("GET", ["query-executions", id]) => (Operation::GetQueryExecution, Some((ID, *id))),
        ("GET", ["query-executions", id, "results"]) => {
            (Operation::GetQueryResults, Some((ID, *id)))
        }
        ("POST", ["query-executions", id, "stop"]) => {
            (Operation::StopQueryExecution, Some((ID, *id)))
        }
        ("GET", ["query-executions", id, "runtime-statistics"]) => {
            (Operation::GetQueryRuntimeStatistics, Some((ID, *id)))
        }
        ("POST", ["workgroups"]) => (Operation::CreateWorkGroup, None),
        ("GET", ["workgroups"]) => (Operation::ListWorkGroups, None),
        ("GET", ["workgroups", name]) => (Operation::GetWorkGroup, Some((WORK_GROUP, *name))),
        ("PATCH", ["workgroups", name]) => (Operation::UpdateWorkGroup, Some((WORK_GROUP, *name))),
        ("DELETE", ["workgroups", name]) => (Operation::DeleteWorkGroup, Some((WORK_GROUP, *name))),
        _ => return Err(unknown(method, path)),
    };
    let mut bound = Map::new();
    if let Some((member, label)) = label {
        let value = percent_decode(label).ok_or_else(|| {
            ApiError::serialization(format!(
                "The {member} in the path is not percent-encoded UTF-8"
            ))
        })?;
        bound.insert(member.into(), Value::String(value));
    }
    read_query(operation, query.unwrap_or(""), &mut bound)?;
    Ok(Route { operation, bound })
}

fn unknown(method: &str, path: &str) -> ApiError {
    ApiError::unknown_operation_named(format!(
        "No Athena operation is served at {method} {path} (restJson1: POST /query-executions, \
         GET /query-executions, GET /query-executions/{{QueryExecutionId}}, \
         GET /query-executions/{{QueryExecutionId}}/results, \
         POST /query-executions/{{QueryExecutionId}}/stop, \
         GET /query-executions/{{QueryExecutionId}}/runtime-statistics, \
         POST /batch-get-query-executions, POST /workgroups, GET /workgroups, \
         GET /workgroups/{{WorkGroup}}, PATCH /workgroups/{{WorkGroup}}, \
         DELETE /workgroups/{{WorkGroup}})"
    ))
}

/// Reads the operation's query-string members into `bound`; other parameters are
/// ignored (SDKs may add their own), a member given twice or an integer that does not
/// parse is a `SerializationException`, as a body member of the wrong type is.
fn read_query(
    operation: Operation,
    query: &str,
    bound: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    let members = query_members(operation);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(key), Some(value)) = (percent_decode(raw_key), percent_decode(raw_value)) else {
            return Err(ApiError::serialization(
                "The query string is not percent-encoded UTF-8",
            ));
        };
        let Some((name, kind)) = members.iter().find(|(name, _)| *name == key) else {
            continue;
        };
        if bound.contains_key(*name) {
            return Err(ApiError::serialization(format!(
                "{name} is given more than once in the query string"
            )));
        }
        let value = match kind {
            Kind::String => Value::String(value),
            Kind::Integer => match value.parse::<i32>() {
                Ok(n) => Value::Number(Number::from(n)),
                Err(_) => {
                    return Err(ApiError::serialization(format!(
                        "{name} '{value}' in the query string can not be converted to an Integer"
                    )));
                }
            },
            Kind::Boolean => match value.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => {
                    return Err(ApiError::serialization(format!(
                        "{name} '{value}' in the query string can not be converted to a Boolean"
                    )));
                }
            },
        };
        bound.insert((*name).to_owned(), value);
    }
    Ok(())
}

/// Decodes `%XX` escapes (any case); `+` stays a plus, as AWS SDKs encode a space as
/// `%20` (SigV4's URI encoding). `None` when an escape is malformed or the bytes are not
/// UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Whether the operation's input has members in the body. Those that have none (all
/// bound to the URI and query string) ignore whatever body is sent, as a restJson1
/// service does.
pub(crate) fn has_body(operation: Operation) -> bool {
    matches!(
        operation,
        Operation::StartQueryExecution
            | Operation::BatchGetQueryExecution
            | Operation::CreateWorkGroup
            | Operation::UpdateWorkGroup
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(method: &str, path: &str, query: Option<&str>) -> Route {
        route(method, path, query).unwrap_or_else(|e| panic!("{method} {path}: {e:?}"))
    }

    #[test]
    fn every_operation_has_its_route() {
        assert_eq!(
            ok("POST", "/query-executions", None).operation,
            Operation::StartQueryExecution
        );
        assert_eq!(
            ok("GET", "/query-executions", None).operation,
            Operation::ListQueryExecutions
        );
        assert_eq!(
            ok("POST", "/batch-get-query-executions", None).operation,
            Operation::BatchGetQueryExecution
        );
        let get = ok("GET", "/query-executions/abc-1", None);
        assert_eq!(get.operation, Operation::GetQueryExecution);
        assert_eq!(get.bound["QueryExecutionId"], "abc-1");
        let results = ok("GET", "/query-executions/abc-1/results", None);
        assert_eq!(results.operation, Operation::GetQueryResults);
        assert_eq!(results.bound["QueryExecutionId"], "abc-1");
        let stop = ok("POST", "/query-executions/abc-1/stop", None);
        assert_eq!(stop.operation, Operation::StopQueryExecution);
        assert_eq!(stop.bound["QueryExecutionId"], "abc-1");
        let stats = ok("GET", "/query-executions/abc-1/runtime-statistics", None);
        assert_eq!(stats.operation, Operation::GetQueryRuntimeStatistics);
        assert_eq!(stats.bound["QueryExecutionId"], "abc-1");
        for (method, op) in [
            ("GET", Operation::GetWorkGroup),
            ("PATCH", Operation::UpdateWorkGroup),
            ("DELETE", Operation::DeleteWorkGroup),
        ] {
            let r = ok(method, "/workgroups/my.group-1", None);
            assert_eq!(r.operation, op);
            assert_eq!(r.bound["WorkGroup"], "my.group-1");
            assert!(!r.bound.contains_key("QueryExecutionId"));
        }
        let delete = ok(
            "DELETE",
            "/workgroups/g",
            Some("RecursiveDeleteOption=true"),
        );
        assert_eq!(delete.bound["RecursiveDeleteOption"], true);
        // Every operation the emulator serves is reachable.
        for op in Operation::ALL {
            let found = [
                ("POST", "/query-executions"),
                ("GET", "/query-executions"),
                ("POST", "/batch-get-query-executions"),
                ("GET", "/query-executions/x"),
                ("GET", "/query-executions/x/results"),
                ("POST", "/query-executions/x/stop"),
                ("GET", "/query-executions/x/runtime-statistics"),
                ("POST", "/workgroups"),
                ("GET", "/workgroups"),
                ("GET", "/workgroups/x"),
                ("PATCH", "/workgroups/x"),
                ("DELETE", "/workgroups/x"),
            ]
            .iter()
            .any(|(m, p)| ok(m, p, None).operation == op);
            assert!(found, "{op} has no route");
        }
    }

    #[test]
    fn query_members_are_read_with_their_types_and_others_ignored() {
        let r = ok(
            "GET",
            "/query-executions/q/results",
            Some(
                "MaxResults=10&NextToken=a%2Fb%3D%2B&QueryResultType=DATA_ROWS&x-id=GetQueryResults",
            ),
        );
        assert_eq!(r.bound["MaxResults"], 10);
        assert_eq!(r.bound["NextToken"], "a/b=+");
        assert_eq!(r.bound["QueryResultType"], "DATA_ROWS");
        assert!(!r.bound.contains_key("x-id"));
        let r = ok(
            "GET",
            "/query-executions",
            Some("WorkGroup=primary&MaxResults=5"),
        );
        assert_eq!(r.bound["WorkGroup"], "primary");
        assert_eq!(r.bound["MaxResults"], 5);
        // Members of other operations are not read.
        let r = ok("GET", "/query-executions/q", Some("MaxResults=5"));
        assert!(!r.bound.contains_key("MaxResults"));
        let r = ok("GET", "/workgroups", Some("MaxResults=5&NextToken=t"));
        assert_eq!(r.bound["MaxResults"], 5);
        assert_eq!(r.bound["NextToken"], "t");
    }

    #[test]
    fn labels_are_percent_decoded_and_may_be_empty() {
        let r = ok("GET", "/query-executions/a%20b", None);
        assert_eq!(r.bound["QueryExecutionId"], "a b");
        let r = ok("GET", "/query-executions//results", None);
        assert_eq!(r.bound["QueryExecutionId"], "");
        let r = ok("GET", "/query-executions/", None);
        assert_eq!(r.operation, Operation::GetQueryExecution);
        assert_eq!(r.bound["QueryExecutionId"], "");
    }

    #[test]
    fn paths_and_methods_that_name_no_operation_are_unknown_operations() {
        for (method, path) in [
            ("GET", "/"),
            ("POST", "/"),
            ("DELETE", "/query-executions/x"),
            ("PUT", "/query-executions"),
            ("GET", "/query-executions/x/stop"),
            ("POST", "/query-executions/x/results"),
            ("GET", "/query-executions/x/results/more"),
            ("GET", "/work-groups"),
            ("GET", "query-executions"),
        ] {
            let err = route(method, path, None).unwrap_err();
            assert_eq!(err.kind, "UnknownOperationException", "{method} {path}");
            assert_eq!(err.status, 400);
            assert!(err.message.contains(path), "{}", err.message);
        }
    }

    #[test]
    fn bad_query_strings_and_labels_are_serialization_errors() {
        for query in [
            "MaxResults=ten",
            "MaxResults=1.5",
            "MaxResults=99999999999",
            "MaxResults=1&MaxResults=2",
            "NextToken=%zz",
            "NextToken=%ff",
        ] {
            let err = route("GET", "/query-executions/q/results", Some(query)).unwrap_err();
            assert_eq!(err.kind, "SerializationException", "{query}");
        }
        for query in ["RecursiveDeleteOption=yes", "RecursiveDeleteOption=1"] {
            let err = route("DELETE", "/workgroups/g", Some(query)).unwrap_err();
            assert_eq!(err.kind, "SerializationException", "{query}");
        }
        let err = route("GET", "/query-executions/%e9", None).unwrap_err();
        assert_eq!(err.kind, "SerializationException");
    }

    #[test]
    fn only_operations_with_body_members_read_a_body() {
        let with_body: Vec<Operation> = Operation::ALL
            .into_iter()
            .filter(|op| has_body(*op))
            .collect();
        assert_eq!(
            with_body,
            [
                Operation::StartQueryExecution,
                Operation::BatchGetQueryExecution,
                Operation::CreateWorkGroup,
                Operation::UpdateWorkGroup,
            ]
        );
    }
}
