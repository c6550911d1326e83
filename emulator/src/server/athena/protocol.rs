//! The awsJson1_1 wire protocol (which operation an `X-Amz-Target` names), and what both
//! protocols share: how a request's JSON members are read field by field and how errors
//! are rendered, with the codes, messages and order of checks measured on the real
//! service (docs/athena.md, "Errors"). The restJson1 routes are in `rest_json.rs`.

use serde_json::{Map, Value};

use super::operation::Operation;

/// The prefix of every `X-Amz-Target` header Athena accepts.
pub(crate) const TARGET_PREFIX: &str = "AmazonAthena.";

/// The content type of every request and answer.
pub(crate) const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Finds the operation an `X-Amz-Target` header names.
pub(crate) fn route(target: Option<&[u8]>) -> Result<Operation, ApiError> {
    let Some(target) = target else {
        return Err(ApiError::unknown_operation());
    };
    std::str::from_utf8(target)
        .ok()
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
        .and_then(Operation::from_name)
        .ok_or_else(ApiError::unknown_operation)
}

/// An error answer: its `__type`, HTTP status and body fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// HTTP status code.
    pub(crate) status: u16,
    /// The error's name, sent as `__type` and `x-amzn-ErrorType`.
    pub(crate) kind: &'static str,
    /// `AthenaErrorCode` (InvalidRequestException only).
    pub(crate) athena_error_code: Option<&'static str>,
    /// `Message`.
    pub(crate) message: String,
    /// `Reason` (TooManyRequestsException only).
    pub(crate) reason: Option<&'static str>,
}

impl ApiError {
    fn new(status: u16, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            athena_error_code: None,
            message: message.into(),
            reason: None,
        }
    }

    /// `InvalidRequestException` with an `AthenaErrorCode`.
    pub(crate) fn invalid_request(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            athena_error_code: Some(code),
            ..Self::new(400, "InvalidRequestException", message)
        }
    }

    /// `InvalidRequestException` `INVALID_INPUT`.
    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Self::invalid_request("INVALID_INPUT", message)
    }

    /// `QueryExecution <id> was not found`.
    pub(crate) fn not_found(id: &str) -> Self {
        Self::invalid_request(
            "QUERY_EXECUTION_NOT_FOUND",
            format!("QueryExecution {id} was not found"),
        )
    }

    /// A body that is not JSON, or a field of the wrong JSON type.
    pub(crate) fn serialization(message: impl Into<String>) -> Self {
        Self::new(400, "SerializationException", message)
    }

    /// A missing or unknown `X-Amz-Target`.
    pub(crate) fn unknown_operation() -> Self {
        Self::new(400, "UnknownOperationException", "")
    }

    /// A request that names no operation, with a message saying what was asked.
    pub(crate) fn unknown_operation_named(message: impl Into<String>) -> Self {
        Self::new(400, "UnknownOperationException", message)
    }

    /// Injected throttling: what Athena answers above its request rate.
    pub(crate) fn throttling() -> Self {
        Self::new(400, "ThrottlingException", "Rate exceeded")
    }

    /// A server-side failure (injected, or an emulator fault such as an unreadable result file).
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalServerException", message)
    }

    /// Too many queries queued or running.
    pub(crate) fn too_many_queries(limit: usize) -> Self {
        Self {
            reason: Some("CONCURRENT_QUERY_LIMIT_EXCEEDED"),
            ..Self::new(
                400,
                "TooManyRequestsException",
                format!(
                    "You have exceeded the limit for the number of queries you can run \
                     concurrently. Reduce the number of concurrent queries submitted by this \
                     account. (limit: {limit} queued or running)"
                ),
            )
        }
    }

    /// A request body above the size limit.
    pub(crate) fn too_large(limit: usize) -> Self {
        Self::new(
            413,
            "RequestEntityTooLargeException",
            format!("Request body is larger than {limit} bytes"),
        )
    }

    /// An awsJson1_1 request (it has an `X-Amz-Target`) with a method other than `POST`.
    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            405,
            "UnknownOperationException",
            "awsJson1_1 is served on POST / only (restJson1 routes take no X-Amz-Target)",
        )
    }

    /// The JSON body of this error.
    pub(crate) fn body(&self) -> Vec<u8> {
        let mut map = Map::new();
        map.insert("__type".into(), Value::from(self.kind));
        if let Some(code) = self.athena_error_code {
            map.insert("AthenaErrorCode".into(), Value::from(code));
            map.insert("ErrorCode".into(), Value::from(code));
        }
        map.insert("Message".into(), Value::from(self.message.as_str()));
        if let Some(reason) = self.reason {
            map.insert("Reason".into(), Value::from(reason));
        }
        serde_json::to_vec(&Value::Object(map)).unwrap_or_default()
    }
}

/// The name the service's deserializer gives a JSON value's kind in its messages.
fn token_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NULL_VALUE",
        Value::Bool(_) => "BOOLEAN_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::String(_) => "STRING_VALUE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

fn wrong_type(value: &Value, target: &str) -> ApiError {
    match value {
        Value::Object(_) => {
            ApiError::serialization("Start of structure or map found where not expected.")
        }
        Value::Array(_) => ApiError::serialization("Start of list found where not expected"),
        _ => ApiError::serialization(format!(
            "{} can not be converted to {target}",
            token_name(value)
        )),
    }
}

/// A request's JSON object, read field by field.
///
/// Fields of the wrong JSON type fail at once with `SerializationException` (as the
/// service's deserializer does); constraint violations (missing required members,
/// lengths, ranges) are collected and reported together by [`Input::finish`], in the
/// order they were checked, as the service's validator does.
#[derive(Debug)]
pub(crate) struct Input {
    map: Map<String, Value>,
    violations: Vec<String>,
}

impl Input {
    /// Parses a request body: a JSON object (an empty body reads as `{}`).
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ApiError> {
        let map = if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => map,
                Ok(_) => {
                    return Err(ApiError::serialization(
                        "Expected a JSON object as the request body",
                    ));
                }
                Err(e) => return Err(ApiError::serialization(format!("Malformed JSON: {e}"))),
            }
        };
        Ok(Self {
            map,
            violations: Vec::new(),
        })
    }

    /// Adds the members a restJson1 request binds to its URI and query string. A body
    /// member of the same name is not part of the body in the model, so the bound value
    /// replaces it.
    pub(crate) fn bind(&mut self, bound: Map<String, Value>) {
        self.map.extend(bound);
    }

    /// Wraps an already parsed object (a nested structure).
    fn from_map(map: Map<String, Value>) -> Self {
        Self {
            map,
            violations: Vec::new(),
        }
    }

    /// Removes a member; JSON `null` reads as absent.
    fn take(&mut self, key: &str) -> Option<Value> {
        match self.map.remove(key) {
            Some(Value::Null) | None => None,
            Some(v) => Some(v),
        }
    }

    /// Records a constraint violation in the service's words.
    pub(crate) fn violation(&mut self, clause: String) {
        self.violations.push(clause);
    }

    /// An optional string member.
    pub(crate) fn string(&mut self, key: &str) -> Result<Option<String>, ApiError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(wrong_type(&other, "a String")),
        }
    }

    /// A required string member: absent records `Value null at '<member>' ...`.
    pub(crate) fn required_string(
        &mut self,
        key: &str,
        member: &str,
    ) -> Result<Option<String>, ApiError> {
        let value = self.string(key)?;
        if value.is_none() {
            self.violation(format!(
                "Value null at '{member}' failed to satisfy constraint: Member must not be null"
            ));
        }
        Ok(value)
    }

    /// Checks a string's length (in characters) against `min..=max`.
    pub(crate) fn check_length(
        &mut self,
        member: &str,
        value: Option<&str>,
        min: usize,
        max: usize,
    ) {
        let Some(value) = value else { return };
        let len = value.chars().count();
        if len < min {
            self.violation(format!(
                "Value '{value}' at '{member}' failed to satisfy constraint: \
                 Member must have length greater than or equal to {min}"
            ));
        } else if len > max {
            // Long values are not echoed back in full, as the service does.
            self.violation(format!(
                "Value at '{member}' failed to satisfy constraint: \
                 Member must have length less than or equal to {max}"
            ));
        }
    }

    /// Checks a string against the model's pattern (`matches` decides; `pattern` is the
    /// text the message quotes).
    pub(crate) fn check_pattern(
        &mut self,
        member: &str,
        value: Option<&str>,
        matches: fn(&str) -> bool,
        pattern: &str,
    ) {
        if let Some(value) = value.filter(|v| !matches(v)) {
            self.violation(format!(
                "Value '{value}' at '{member}' failed to satisfy constraint: \
                 Member must satisfy regular expression pattern: {pattern}"
            ));
        }
    }

    /// An optional integer member (a JSON number without fraction that fits in an i32).
    pub(crate) fn integer(&mut self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) if i32::try_from(i).is_ok() => Ok(Some(i)),
                _ => Err(ApiError::serialization(format!(
                    "NUMBER_VALUE {n} can not be converted to an Integer"
                ))),
            },
            Some(other) => Err(wrong_type(&other, "an Integer")),
        }
    }

    /// An optional long member (a JSON number without fraction that fits in an i64).
    pub(crate) fn long(&mut self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) => Ok(Some(i)),
                None => Err(ApiError::serialization(format!(
                    "NUMBER_VALUE {n} can not be converted to a Long"
                ))),
            },
            Some(other) => Err(wrong_type(&other, "a Long")),
        }
    }

    /// Checks an integer against a minimum, with the service's message.
    pub(crate) fn check_min(&mut self, member: &str, value: Option<i64>, min: i64) {
        if value.is_some_and(|v| v < min) {
            self.violation(format!(
                "Value at '{member}' failed to satisfy constraint: \
                 Member must have value greater than or equal to {min}"
            ));
        }
    }

    /// Checks an integer against a maximum, with the service's message.
    pub(crate) fn check_max(&mut self, member: &str, value: Option<i64>, max: i64) {
        if value.is_some_and(|v| v > max) {
            self.violation(format!(
                "Value at '{member}' failed to satisfy constraint: \
                 Member must have value less than or equal to {max}"
            ));
        }
    }

    /// An optional boolean member.
    pub(crate) fn boolean(&mut self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(wrong_type(&other, "a Boolean")),
        }
    }

    /// An optional list of strings.
    pub(crate) fn string_list(&mut self, key: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    other => Err(wrong_type(&other, "a String")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other @ Value::Object(_)) => Err(wrong_type(&other, "a List")),
            Some(other) => Err(ApiError::serialization(format!(
                "{} can not be converted to a List",
                token_name(&other)
            ))),
        }
    }

    /// An optional nested structure, read with its own [`Input`]; its violations are
    /// merged into this one's by [`Input::absorb`].
    pub(crate) fn structure(&mut self, key: &str) -> Result<Option<Input>, ApiError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Input::from_map(map))),
            Some(other) => Err(ApiError::serialization(format!(
                "{} can not be converted to a Structure",
                token_name(&other)
            ))),
        }
    }

    /// Takes over the violations found in a nested structure.
    pub(crate) fn absorb(&mut self, nested: Input) {
        self.violations.extend(nested.violations);
    }

    /// Ends reading: `INVALID_INPUT` with every violation, or Ok.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        match self.violations.len() {
            0 => Ok(()),
            1 => Err(ApiError::invalid_input(format!(
                "1 validation error detected: {}",
                self.violations[0]
            ))),
            n => Err(ApiError::invalid_input(format!(
                "{n} validation errors detected: {}",
                self.violations.join("; ")
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_every_operation_and_rejects_the_rest() {
        for op in Operation::ALL {
            let target = format!("AmazonAthena.{}", op.name());
            assert_eq!(route(Some(target.as_bytes())), Ok(op));
        }
        for bad in [
            &b"AmazonAthena.DeleteEverything"[..],
            b"StartQueryExecution",
            b"AmazonAthena.",
            b"\xff\xfe",
            b"",
        ] {
            assert_eq!(
                route(Some(bad)).unwrap_err().kind,
                "UnknownOperationException"
            );
        }
        assert_eq!(route(None).unwrap_err().kind, "UnknownOperationException");
    }

    #[test]
    fn bodies_that_are_not_json_objects_are_serialization_errors() {
        for body in [&b"{"[..], b"[]", b"3", b"\"x\"", b"{\"a\":}", b"\xff"] {
            let err = Input::parse(body).unwrap_err();
            assert_eq!(err.kind, "SerializationException", "{body:?}");
            assert_eq!(err.athena_error_code, None);
        }
        assert!(Input::parse(b"").is_ok());
        assert!(Input::parse(b"  {\"Unknown\": 1} ").is_ok());
    }

    #[test]
    fn wrong_json_types_are_serialization_errors_with_the_service_message() {
        let mut input = Input::parse(br#"{"MaxResults": "10"}"#).unwrap();
        let err = input.integer("MaxResults").unwrap_err();
        assert_eq!(err.kind, "SerializationException");
        assert_eq!(
            err.message,
            "STRING_VALUE can not be converted to an Integer"
        );

        let mut input = Input::parse(br#"{"QueryString": 5}"#).unwrap();
        assert_eq!(
            input.string("QueryString").unwrap_err().message,
            "NUMBER_VALUE can not be converted to a String"
        );
        let mut input = Input::parse(br#"{"MaxResults": 1.5}"#).unwrap();
        assert!(input.integer("MaxResults").is_err());
        let mut input = Input::parse(br#"{"MaxResults": 99999999999}"#).unwrap();
        assert!(input.integer("MaxResults").is_err());
        let mut input = Input::parse(br#"{"L": ["a", 1]}"#).unwrap();
        assert!(input.string_list("L").is_err());
    }

    #[test]
    fn null_reads_as_absent() {
        let mut input = Input::parse(br#"{"QueryExecutionId": null}"#).unwrap();
        assert_eq!(
            input
                .required_string("QueryExecutionId", "queryExecutionId")
                .unwrap(),
            None
        );
        let err = input.finish().unwrap_err();
        assert_eq!(err.athena_error_code, Some("INVALID_INPUT"));
        assert_eq!(
            err.message,
            "1 validation error detected: Value null at 'queryExecutionId' failed to satisfy \
             constraint: Member must not be null"
        );
    }

    #[test]
    fn violations_are_reported_together_in_order() {
        let mut input = Input::parse(br#"{"NextToken": "", "MaxResults": 0}"#).unwrap();
        let token = input.string("NextToken").unwrap();
        input.check_length("nextToken", token.as_deref(), 1, 1024);
        let max = input.integer("MaxResults").unwrap();
        input.check_min("maxResults", max, 1);
        let err = input.finish().unwrap_err();
        assert_eq!(
            err.message,
            "2 validation errors detected: Value '' at 'nextToken' failed to satisfy \
             constraint: Member must have length greater than or equal to 1; Value at \
             'maxResults' failed to satisfy constraint: Member must have value greater than \
             or equal to 1"
        );
    }

    #[test]
    fn error_bodies_carry_type_code_message_and_reason() {
        let body: Value = serde_json::from_slice(&ApiError::not_found("abc").body()).unwrap();
        assert_eq!(body["__type"], "InvalidRequestException");
        assert_eq!(body["AthenaErrorCode"], "QUERY_EXECUTION_NOT_FOUND");
        assert_eq!(body["Message"], "QueryExecution abc was not found");
        let body: Value = serde_json::from_slice(&ApiError::too_many_queries(2).body()).unwrap();
        assert_eq!(body["__type"], "TooManyRequestsException");
        assert_eq!(body["Reason"], "CONCURRENT_QUERY_LIMIT_EXCEEDED");
        assert!(body.get("AthenaErrorCode").is_none());
    }
}
