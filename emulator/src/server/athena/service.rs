//! The operations: read a request's members with the service's checks (in the service's
//! order), act on the registry, render the answer's JSON.

use serde_json::{Map, Value, json};

use super::execution::StartRequest;
use super::operation::Operation;
use super::protocol::{ApiError, Input};
use super::queries::{Registry, ResultsState};
use super::result_config::ResultConfig;
use super::results::render_page;
use super::token::{Position, TokenKey};
use super::work_groups::{self, PRIMARY, WorkGroup};

/// The largest page GetQueryResults serves, and its default size.
pub(crate) const MAX_PAGE_ROWS: i64 = 1000;

/// What the operations need.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    pub(crate) registry: &'a std::sync::Arc<Registry>,
    pub(crate) key: &'a TokenKey,
}

/// Runs `operation` on a request's members: the JSON body (awsJson1_1 sends them all
/// there; restJson1 only those the model does not bind elsewhere) and the members read
/// from the URI and query string (`bound`, restJson1 only). Returns the answer's JSON
/// body or the error to answer.
pub(crate) async fn dispatch(
    cx: &Context<'_>,
    operation: Operation,
    body: &[u8],
    bound: Map<String, Value>,
) -> Result<Vec<u8>, ApiError> {
    let mut input = Input::parse(body)?;
    input.bind(bound);
    match operation {
        Operation::StartQueryExecution => start_query_execution(cx, input),
        Operation::GetQueryExecution => get_query_execution(cx, input),
        Operation::BatchGetQueryExecution => batch_get_query_execution(cx, input),
        Operation::ListQueryExecutions => list_query_executions(cx, input),
        Operation::GetQueryResults => get_query_results(cx, input).await,
        Operation::StopQueryExecution => stop_query_execution(cx, input),
        Operation::GetQueryRuntimeStatistics => get_query_runtime_statistics(cx, input),
        Operation::CreateWorkGroup => create_work_group(cx, input),
        Operation::GetWorkGroup => get_work_group(cx, input),
        Operation::ListWorkGroups => list_work_groups(cx, input),
        Operation::UpdateWorkGroup => update_work_group(cx, input),
        Operation::DeleteWorkGroup => delete_work_group(cx, input),
    }
}

fn to_vec(value: &serde_json::Value) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| ApiError::internal(e.to_string()))
}

/// A required member that [`Input::finish`] has already checked is present.
fn present(value: Option<String>, member: &str) -> Result<String, ApiError> {
    value.ok_or_else(|| {
        ApiError::invalid_input(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy \
             constraint: Member must not be null"
        ))
    })
}

/// Reads and checks `QueryExecutionId`.
fn query_execution_id(input: &mut Input) -> Result<Option<String>, ApiError> {
    let id = input.required_string("QueryExecutionId", "queryExecutionId")?;
    input.check_length("queryExecutionId", id.as_deref(), 1, 128);
    input.check_pattern("queryExecutionId", id.as_deref(), no_whitespace, "\\S+");
    Ok(id)
}

/// The model's `\S+` (an empty value is left to the length check).
fn no_whitespace(value: &str) -> bool {
    !value.chars().any(char::is_whitespace)
}

/// Reads and checks `WorkGroup` (optional: a query's, a listing's).
fn work_group(input: &mut Input) -> Result<Option<String>, ApiError> {
    let work_group = input.string("WorkGroup")?;
    input.check_pattern(
        "workGroup",
        work_group.as_deref(),
        work_groups::is_name,
        "[a-zA-Z0-9._-]{1,128}",
    );
    Ok(work_group)
}

/// Reads and checks the workgroup name `key` names in `member` (required).
fn required_work_group(
    input: &mut Input,
    key: &str,
    member: &str,
) -> Result<Option<String>, ApiError> {
    let name = input.required_string(key, member)?;
    input.check_pattern(
        member,
        name.as_deref(),
        work_groups::is_name,
        "[a-zA-Z0-9._-]{1,128}",
    );
    Ok(name)
}

/// Reads and checks `ExecutionParameters`.
fn execution_parameters(input: &mut Input) -> Result<Option<Vec<String>>, ApiError> {
    let execution_parameters = input.string_list("ExecutionParameters")?;
    if let Some(parameters) = &execution_parameters {
        if parameters.is_empty() {
            input.violation(
                "Value '[]' at 'executionParameters' failed to satisfy constraint: \
                 Member must have length greater than or equal to 1"
                    .into(),
            );
        }
        for parameter in parameters {
            input.check_length("executionParameters.member", Some(parameter), 1, 1024);
        }
    }
    Ok(execution_parameters)
}

/// Reads and checks `ResultReuseConfiguration`: (Enabled, MaxAgeInMinutes).
fn result_reuse(input: &mut Input) -> Result<Option<(bool, Option<i64>)>, ApiError> {
    let mut result_reuse = None;
    if let Some(mut reuse) = input.structure("ResultReuseConfiguration")? {
        if let Some(mut by_age) = reuse.structure("ResultReuseByAgeConfiguration")? {
            let enabled = by_age.boolean("Enabled")?;
            if enabled.is_none() {
                by_age.violation(
                    "Value null at 'resultReuseConfiguration.resultReuseByAgeConfiguration.enabled' \
                     failed to satisfy constraint: Member must not be null"
                        .into(),
                );
            }
            let age = by_age.integer("MaxAgeInMinutes")?;
            by_age.check_min(
                "resultReuseConfiguration.resultReuseByAgeConfiguration.maxAgeInMinutes",
                age,
                0,
            );
            by_age.check_max(
                "resultReuseConfiguration.resultReuseByAgeConfiguration.maxAgeInMinutes",
                age,
                10_080,
            );
            result_reuse = Some((enabled.unwrap_or(false), age));
            reuse.absorb(by_age);
        }
        input.absorb(reuse);
    }
    Ok(result_reuse)
}

fn start_query_execution(cx: &Context<'_>, mut input: Input) -> Result<Vec<u8>, ApiError> {
    let query_string = input.required_string("QueryString", "queryString")?;
    input.check_length("queryString", query_string.as_deref(), 1, 262_144);
    let token = input.string("ClientRequestToken")?;
    if let Some(token) = token.as_deref().filter(|t| !t.is_empty()) {
        input.check_length("clientRequestToken", Some(token), 32, 128);
    }
    let (mut database, mut catalog) = (None, None);
    if let Some(mut context) = input.structure("QueryExecutionContext")? {
        database = context.string("Database")?;
        context.check_length(
            "queryExecutionContext.database",
            database.as_deref(),
            1,
            255,
        );
        catalog = context.string("Catalog")?;
        context.check_length("queryExecutionContext.catalog", catalog.as_deref(), 1, 256);
        input.absorb(context);
    }
    let result = ResultConfig::read(&mut input, "ResultConfiguration", "resultConfiguration")?
        .unwrap_or_default();
    let work_group = work_group(&mut input)?;
    let execution_parameters = execution_parameters(&mut input)?;
    let result_reuse = result_reuse(&mut input)?;
    input.finish()?;
    let query_string = present(query_string, "queryString")?;
    let Some(client_request_token) = token.filter(|t| !t.is_empty()) else {
        return Err(ApiError::invalid_input(
            "clientRequestToken is null or empty",
        ));
    };
    result.check()?;
    if let Some(location) = &result.output_location {
        // A malformed location is refused at start whatever the workgroup does with it.
        super::output_location::OutputLocation::parse(location)?;
    }

    let id = cx.registry.start(StartRequest {
        query_string,
        client_request_token,
        database,
        catalog,
        result,
        work_group: work_group.unwrap_or_else(|| PRIMARY.to_owned()),
        execution_parameters,
        result_reuse,
    })?;
    to_vec(&json!({ "QueryExecutionId": id }))
}

fn get_query_execution(cx: &Context<'_>, mut input: Input) -> Result<Vec<u8>, ApiError> {
    let id = query_execution_id(&mut input)?;
    input.finish()?;
    let id = present(id, "queryExecutionId")?;
    to_vec(&json!({ "QueryExecution": cx.registry.describe(&id)? }))
}

fn batch_get_query_execution(cx: &Context<'_>, mut input: Input) -> Result<Vec<u8>, ApiError> {
    let ids = input.string_list("QueryExecutionIds")?;
    match &ids {
        None => input.violation(
            "Value null at 'queryExecutionIds' failed to satisfy constraint: \
             Member must not be null"
                .into(),
        ),
        Some(ids) if ids.is_empty() || ids.len() > 50 => {
            let bound = if ids.is_empty() {
                "greater than or equal to 1"
            } else {
                "less than or equal to 50"
            };
            input.violation(format!(
                "Value at 'queryExecutionIds' failed to satisfy constraint: \
                 Member must have length {bound}"
            ));
        }
        Some(ids) => {
            for id in ids {
                input.check_length("queryExecutionIds.member", Some(id), 1, 128);
            }
        }
    }
    input.finish()?;
    let ids = ids.unwrap_or_default();
    let (found, missing) = cx.registry.describe_many(&ids);
    let unprocessed: Vec<_> = missing
        .into_iter()
        .map(|id| {
            json!({
                "QueryExecutionId": id,
                "ErrorCode": "QUERY_EXECUTION_NOT_FOUND",
                "ErrorMessage": format!("QueryExecution {id} was not found"),
            })
        })
        .collect();
    to_vec(&json!({
        "QueryExecutions": found,
        "UnprocessedQueryExecutionIds": unprocessed,
    }))
}

fn list_query_executions(cx: &Context<'_>, mut input: Input) -> Result<Vec<u8>, ApiError> {
    let token = input.string("NextToken")?;
    input.check_length("nextToken", token.as_deref(), 1, 1024);
    let max = input.integer("MaxResults")?;
    input.check_min("maxResults", max, 0);
    input.check_max("maxResults", max, 50);
    let work_group = work_group(&mut input)?;
    input.finish()?;

    let work_group = work_group.unwrap_or_else(|| PRIMARY.to_owned());
    let scope = format!("ListQueryExecutions/{work_group}");
    let before = match &token {
        None => None,
        Some(token) => Some(
            cx.key
                .decode(&scope, token)
                .ok_or_else(|| ApiError::invalid_input(format!("Malformed nextPageToken {token}")))?
                .offset,
        ),
    };
    let max = match max {
        Some(n) if n > 0 => n as usize,
        _ => 50,
    };
    let (ids, next) = cx.registry.list(&work_group, before, max);
    let mut answer = json!({ "QueryExecutionIds": ids });
    if let Some(next) = next {
        answer["NextToken"] = json!(cx.key.encode(
            &scope,
            Position {
                offset: next,
                row: 0
            }
        ));
    }
    to_vec(&answer)
}

/// GetQueryResults, with the checks in the order of docs/athena.md, "Errors".
async fn get_query_results(cx: &Context<'_>, mut input: Input) -> Result<Vec<u8>, ApiError> {
    // 1: request shape.
    let id = query_execution_id(&mut input)?;
    let token = input.string("NextToken")?;
    input.check_length("nextToken", token.as_deref(), 1, 1024);
    let max = input.integer("MaxResults")?;
    input.check_min("maxResults", max, 1);
    let result_type = input.string("QueryResultType")?;
    if let Some(other) = result_type
        .as_deref()
        .filter(|t| !matches!(*t, "DATA_ROWS" | "DATA_MANIFEST"))
    {
        input.violation(format!(
            "Value '{other}' at 'queryResultType' failed to satisfy constraint: \
             Member must satisfy enum value set: [DATA_MANIFEST, DATA_ROWS]"
        ));
    }
    input.finish()?;
    let id = present(id, "queryExecutionId")?;
    // 2: the query exists.
    cx.registry.exists(&id)?;
    // The manifest as rows is not served (its columns are not documented): a refusal,
    // not the data rows under the manifest's name. The manifest itself is an S3 object
    // at `Statistics.DataManifestLocation`.
    if result_type.as_deref() == Some("DATA_MANIFEST") {
        return Err(ApiError::invalid_input(
            "QueryResultType DATA_MANIFEST is not supported by athena-emulator: \
             read the manifest at Statistics.DataManifestLocation",
        ));
    }
    // 3: the page size.
    let max = max.unwrap_or(MAX_PAGE_ROWS);
    if max > MAX_PAGE_ROWS {
        return Err(ApiError::invalid_input(format!(
            "MaxResults is more than maximum allowed length {MAX_PAGE_ROWS}"
        )));
    }
    // 4: the query's state.
    let result = match cx.registry.results(&id)? {
        ResultsState::Ready(result) => result,
        ResultsState::NotReady(error) => return Err(error),
    };
    // 5: the token.
    let start =
        match &token {
            None => None,
            Some(token) => Some(cx.key.decode(&id, token).ok_or_else(|| {
                ApiError::invalid_input(format!("Malformed nextPageToken {token}"))
            })?),
        };
    let key = cx.key.clone();
    tokio::task::spawn_blocking(move || render_page(&result, &key, &id, start, max as usize))
        .await
        .map_err(|e| ApiError::internal(format!("page task failed: {e}")))?
        .map_err(result_unreadable)
}

/// The answer to a result file GetQueryResults cannot read back.
///
/// A file that is gone, or holds what it was not written with (cut, replaced, not
/// decryptable), stays so however often the call is repeated: answered as Athena answers
/// a request it cannot serve, `InvalidRequestException` (400), which clients do not
/// retry. Any other I/O error may pass, so it stays `InternalServerException` (500),
/// which clients retry (docs/emulator.md, "Result files it cannot read").
fn result_unreadable(e: std::io::Error) -> ApiError {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::InvalidData | ErrorKind::UnexpectedEof => {
            ApiError::invalid_request("INVALID_INPUT", e.to_string())
        }
        ErrorKind::NotFound => ApiError::invalid_request("RESULT_NOT_FOUND", e.to_string()),
        _ => ApiError::internal(format!("cannot read the result: {e}")),
    }
}

fn stop_query_execution(cx: &Context<'_>, mut input: Input) -> Result<Vec<u8>, ApiError> {
    let id = query_execution_id(&mut input)?;
    input.finish()?;
    let id = present(id, "queryExecutionId")?;
    cx.registry.stop(&id)?;
    Ok(b"{}".to_vec())
}

fn get_query_runtime_statistics(cx: &Context<'_>, mut input: Input) -> Result<Vec<u8>, ApiError> {
    let id = query_execution_id(&mut input)?;
    input.finish()?;
    let id = present(id, "queryExecutionId")?;
    to_vec(&json!({ "QueryRuntimeStatistics": cx.registry.runtime_statistics(&id)? }))
}

/// Reads `State` (`ENABLED` or `DISABLED`): whether the workgroup is enabled.
fn work_group_state(input: &mut Input) -> Result<Option<bool>, ApiError> {
    let state = input.string("State")?;
    Ok(match state.as_deref() {
        None => None,
        Some("ENABLED") => Some(true),
        Some("DISABLED") => Some(false),
        Some(other) => {
            input.violation(format!(
                "Value '{other}' at 'state' failed to satisfy constraint: \
                 Member must satisfy enum value set: [ENABLED, DISABLED]"
            ));
            None
        }
    })
}

fn create_work_group(cx: &Context<'_>, mut input: Input) -> Result<Vec<u8>, ApiError> {
    let name = required_work_group(&mut input, "Name", "name")?;
    let config = work_groups::read_configuration(&mut input)?.unwrap_or_default();
    let description = work_groups::read_description(&mut input)?;
    // Tags are not read: the emulator serves no tagging operation to read them back.
    input.finish()?;
    let name = present(name, "name")?;
    work_groups::check_configuration(&config)?;
    cx.registry.create_work_group(WorkGroup {
        name,
        description,
        enabled: true,
        created: std::time::SystemTime::now(),
        config,
    })?;
    Ok(b"{}".to_vec())
}

fn get_work_group(cx: &Context<'_>, mut input: Input) -> Result<Vec<u8>, ApiError> {
    let name = required_work_group(&mut input, "WorkGroup", "workGroup")?;
    input.finish()?;
    let name = present(name, "workGroup")?;
    to_vec(&json!({ "WorkGroup": cx.registry.work_group(&name)? }))
}

fn list_work_groups(cx: &Context<'_>, mut input: Input) -> Result<Vec<u8>, ApiError> {
    let token = input.string("NextToken")?;
    input.check_length("nextToken", token.as_deref(), 1, 1024);
    let max = input.integer("MaxResults")?;
    input.check_min("maxResults", max, 1);
    input.check_max("maxResults", max, 50);
    input.finish()?;
    const SCOPE: &str = "ListWorkGroups";
    let from = match &token {
        None => 0,
        Some(token) => {
            cx.key
                .decode(SCOPE, token)
                .ok_or_else(|| {
                    ApiError::invalid_input(format!("The nextPageToken is malformed: {token}"))
                })?
                .offset as usize
        }
    };
    let max = max.map_or(50, |n| n as usize);
    let (work_groups, next) = cx.registry.list_work_groups(from, max);
    let mut answer = json!({ "WorkGroups": work_groups });
    if let Some(next) = next {
        answer["NextToken"] = json!(cx.key.encode(
            SCOPE,
            Position {
                offset: next as u64,
                row: 0
            }
        ));
    }
    to_vec(&answer)
}

fn update_work_group(cx: &Context<'_>, mut input: Input) -> Result<Vec<u8>, ApiError> {
    let name = required_work_group(&mut input, "WorkGroup", "workGroup")?;
    let description = work_groups::read_description(&mut input)?;
    let updates = work_groups::read_updates(&mut input)?;
    let enabled = work_group_state(&mut input)?;
    input.finish()?;
    let name = present(name, "workGroup")?;
    cx.registry
        .update_work_group(&name, description, updates.as_ref(), enabled)?;
    Ok(b"{}".to_vec())
}

fn delete_work_group(cx: &Context<'_>, mut input: Input) -> Result<Vec<u8>, ApiError> {
    let name = required_work_group(&mut input, "WorkGroup", "workGroup")?;
    let recursive = input.boolean("RecursiveDeleteOption")?;
    input.finish()?;
    let name = present(name, "workGroup")?;
    cx.registry
        .delete_work_group(&name, recursive.unwrap_or(false))?;
    Ok(b"{}".to_vec())
}
