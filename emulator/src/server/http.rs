//! HTTP/1.1 serving: accepting connections, telling Athena calls (in either of its
//! protocols) from S3 calls, reading an Athena request body within its limit, injecting
//! faults, and answering with the operation's JSON or its error; S3 calls go to s3s (see
//! `s3.rs`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::athena::protocol::{self, ApiError};
use super::athena::queries::Registry;
use super::athena::rest_json;
use super::athena::service;
use super::athena::token::TokenKey;
use super::faults::{Counters, FaultInjector, Outcome};
use super::s3;

/// What every connection shares.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) registry: Arc<Registry>,
    pub(super) key: TokenKey,
    pub(super) faults: FaultInjector,
    pub(super) counters: Counters,
    pub(super) max_body_bytes: usize,
    /// The S3 side, on the same port.
    pub(super) s3: s3s::service::S3Service,
}

/// Accepts connections until shutdown, then waits for them to finish.
pub(super) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut signal: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped(&mut signal) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, Arc::clone(&shared), signal.clone()));
                }
                Err(error) => {
                    // Out of file descriptors, or a connection reset before accept: keep
                    // serving, after a pause so a persistent error does not spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// Resolves once shutdown is signalled (or the emulator is gone).
async fn stopped(signal: &mut watch::Receiver<bool>) {
    let _ = signal.wait_for(|stop| *stop).await;
}

/// Serves one HTTP/1.1 connection until it closes or the emulator shuts down.
async fn serve_connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    mut signal: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    // S3 bodies cut on purpose wait for this connection's flushes (see `s3/flushes.rs`).
    let flushes = Arc::new(s3::Flushes::default());
    let stream = s3::FlushWatch::new(stream, Arc::clone(&flushes));
    let service = service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(Arc::clone(&flushes));
        handle(Arc::clone(&shared), request)
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = stopped(&mut signal) => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// The service error that makes hyper close a connection without answering.
#[derive(Debug)]
struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for DropConnection {}

/// An answer: Athena's JSON, or what s3s answers for an S3 call.
type Answer = Response<Either<Full<Bytes>, s3s::Body>>;

/// The two protocols Athena is served in (docs/athena.md, "Protocols").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// awsJson1_1: `POST /`, the operation in `X-Amz-Target`, every member in the body.
    AwsJson,
    /// restJson1: the operation in the method and path, members in the URI, the query
    /// string and the body.
    RestJson,
}

impl Protocol {
    fn content_type(self) -> &'static str {
        match self {
            Protocol::AwsJson => protocol::CONTENT_TYPE,
            Protocol::RestJson => rest_json::CONTENT_TYPE,
        }
    }
}

/// Where a request goes.
#[derive(Debug, PartialEq, Eq)]
enum Service {
    Athena(Protocol),
    S3,
    /// Signed for a service the emulator does not serve.
    Other(String),
}

fn response(status: u16, body: Vec<u8>, protocol: Protocol, request_id: &str) -> Answer {
    let mut response = Response::new(Either::Left(Full::new(Bytes::from(body))));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(protocol.content_type()),
    );
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// An error answer. Both protocols name the error in `X-Amzn-ErrorType` and carry the
/// same JSON body (`__type`, `Message` and the error's members), so a client of either
/// finds the name where it looks first.
fn error_response(error: &ApiError, protocol: Protocol, request_id: &str) -> Answer {
    let mut response = response(error.status, error.body(), protocol, request_id);
    response
        .headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(error.kind));
    response
}

/// The service a request is for (docs/athena.md, "Protocols"):
///
/// 1. an `X-Amz-Target` header: Athena, awsJson1_1 (S3 never sends one);
/// 2. else the service of the SigV4 credential scope, from the `Authorization` header or
///    a presigned URL's `X-Amz-Credential`: `athena` is Athena in restJson1, `s3` is S3
///    (so a bucket may be named `query-executions`), any other is refused;
/// 3. an unsigned request is S3 (Athena refuses unsigned requests; S3 serves anonymous
///    ones), unless it is sent as `application/x-amz-json-*`, which only an awsJson1_1
///    client sends: then it is Athena, and without a target, an unknown operation.
fn service_of<B>(request: &Request<B>) -> Service {
    let headers = request.headers();
    if headers.contains_key("x-amz-target") {
        return Service::Athena(Protocol::AwsJson);
    }
    match signing_service(request) {
        Some(service) if service == "athena" => Service::Athena(Protocol::RestJson),
        Some(service) if service == "s3" => Service::S3,
        Some(other) => Service::Other(other),
        None if headers
            .get(CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/x-amz-json")) =>
        {
            Service::Athena(Protocol::AwsJson)
        }
        None => Service::S3,
    }
}

/// The service named in a request's SigV4 credential scope
/// (`<key>/<date>/<region>/<service>/aws4_request`; SigV4a leaves the region out), from
/// the `Authorization` header or a presigned URL's `X-Amz-Credential` parameter.
fn signing_service<B>(request: &Request<B>) -> Option<String> {
    let from_header = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let start = v.find("Credential=")? + "Credential=".len();
            let rest = &v[start..];
            Some(rest[..rest.find([',', ' ']).unwrap_or(rest.len())].to_owned())
        });
    let scope = from_header.or_else(|| {
        request.uri().query()?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            key.eq_ignore_ascii_case("X-Amz-Credential")
                .then(|| value.replace("%2F", "/").replace("%2f", "/"))
        })
    })?;
    let parts: Vec<&str> = scope.split('/').collect();
    match parts.as_slice() {
        [.., service, "aws4_request"] if !service.is_empty() => Some(service.to_string()),
        _ => None,
    }
}

// layout: long function, because a request's way through the service in order: routing, limits, faults, the operation
/// Answers one request.
async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Answer, DropConnection> {
    let protocol = match service_of(&request) {
        Service::S3 => return Ok(handle_s3(&shared, request).await),
        Service::Athena(protocol) => protocol,
        Service::Other(service) => {
            let error = ApiError::unknown_operation_named(format!(
                "athena-emulator serves the services athena and s3; this request is signed \
                 for {service}"
            ));
            let request_id = shared.registry.request_id();
            return Ok(error_response(&error, Protocol::AwsJson, &request_id));
        }
    };
    let request_id = shared.registry.request_id();
    let routed = match protocol {
        Protocol::AwsJson if request.method() != Method::POST => {
            Err(ApiError::method_not_allowed())
        }
        Protocol::AwsJson => protocol::route(
            request
                .headers()
                .get("x-amz-target")
                .map(HeaderValue::as_bytes),
        )
        .map(|operation| rest_json::Route {
            operation,
            bound: serde_json::Map::new(),
        }),
        Protocol::RestJson => rest_json::route(
            request.method().as_str(),
            request.uri().path(),
            request.uri().query(),
        ),
    };
    let rest_json::Route { operation, bound } = match routed {
        Ok(route) => route,
        Err(error) => return Ok(error_response(&error, protocol, &request_id)),
    };
    shared.counters.record_call(operation);

    let limit = shared.max_body_bytes;
    let too_large = || {
        let mut answer = error_response(&ApiError::too_large(limit), protocol, &request_id);
        answer
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        answer
    };
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Ok(too_large());
    }
    let mut body = match Limited::new(request.into_body(), limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => return Ok(too_large()),
        // The client went away mid-body: nobody to answer.
        Err(_) => return Err(DropConnection),
    };
    if protocol == Protocol::RestJson && !rest_json::has_body(operation) {
        body = Bytes::new();
    }

    let (delay, outcome) = shared.faults.decide(operation);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let fault = match outcome {
        Outcome::Throttle => Some(ApiError::throttling()),
        Outcome::ServerError => Some(ApiError::internal(
            "We encountered an internal error. Please try again.",
        )),
        Outcome::ConcurrentQueryLimit => {
            Some(ApiError::too_many_queries(shared.registry.max_active()))
        }
        Outcome::DropBeforeRunning => {
            shared.counters.record_fault(operation);
            return Err(DropConnection);
        }
        Outcome::Serve | Outcome::Drop => None,
    };
    if let Some(fault) = fault {
        shared.counters.record_fault(operation);
        return Ok(error_response(&fault, protocol, &request_id));
    }

    let cx = service::Context {
        registry: &shared.registry,
        key: &shared.key,
    };
    let answer = service::dispatch(&cx, operation, &body, bound).await;
    if outcome == Outcome::Drop {
        shared.counters.record_fault(operation);
        return Err(DropConnection);
    }
    Ok(match answer {
        Ok(body) => response(200, body, protocol, &request_id),
        Err(error) => error_response(&error, protocol, &request_id),
    })
}

/// Answers one S3 call through s3s.
async fn handle_s3(shared: &Shared, request: Request<Incoming>) -> Answer {
    match shared.s3.call(s3::anonymous(request)).await {
        Ok(response) => response.map(Either::Right),
        Err(error) => {
            // s3s answers S3 errors itself; this is a failure of its own (rare), still
            // answered in S3's shape.
            tracing::warn!(?error, "s3s could not answer");
            let internal = s3s::S3Error::with_message(
                s3s::S3ErrorCode::InternalError,
                "We encountered an internal error. Please try again.",
            );
            match internal.to_http_response() {
                Ok(response) => response.map(Either::Right),
                Err(_) => {
                    let mut answer = Response::new(Either::Left(Full::new(Bytes::new())));
                    *answer.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                    answer
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)], uri: &str) -> Request<()> {
        let mut builder = Request::builder().uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap()
    }

    fn signed_for(service: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/{service}/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=abcd"
        )
    }

    #[test]
    fn a_target_header_is_athena_in_aws_json_whatever_the_signature() {
        for auth in [signed_for("athena"), signed_for("s3"), String::new()] {
            let mut headers = vec![("x-amz-target", "AmazonAthena.GetQueryExecution")];
            if !auth.is_empty() {
                headers.push(("authorization", &auth));
            }
            assert_eq!(
                service_of(&request(&headers, "/")),
                Service::Athena(Protocol::AwsJson)
            );
        }
    }

    #[test]
    fn the_credential_scope_tells_athena_rest_json_from_s3() {
        let athena = signed_for("athena");
        let s3 = signed_for("s3");
        // A bucket named like Athena's route is still S3 when signed for s3.
        assert_eq!(
            service_of(&request(&[("authorization", &s3)], "/query-executions")),
            Service::S3
        );
        assert_eq!(
            service_of(&request(&[("authorization", &athena)], "/query-executions")),
            Service::Athena(Protocol::RestJson)
        );
        // SigV4a has no region in its scope.
        let sigv4a = "AWS4-ECDSA-P256-SHA256 Credential=AKID/20261206/athena/aws4_request, \
                      SignedHeaders=host, Signature=ab";
        assert_eq!(
            service_of(&request(&[("authorization", sigv4a)], "/query-executions")),
            Service::Athena(Protocol::RestJson)
        );
        // A presigned URL carries the scope in its query.
        assert_eq!(
            service_of(&request(
                &[],
                "/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261206%2Fus-east-1%2Fs3%2Faws4_request"
            )),
            Service::S3
        );
        assert_eq!(
            service_of(&request(
                &[],
                "/query-executions/q?X-Amz-Credential=AKID%2F20261206%2Fus-east-1%2Fathena%2Faws4_request"
            )),
            Service::Athena(Protocol::RestJson)
        );
        assert_eq!(
            service_of(&request(&[("authorization", &signed_for("glue"))], "/")),
            Service::Other("glue".into())
        );
    }

    #[test]
    fn unsigned_requests_are_s3_unless_sent_as_aws_json() {
        assert_eq!(service_of(&request(&[], "/query-executions")), Service::S3);
        assert_eq!(
            service_of(&request(
                &[("content-type", "application/json")],
                "/query-executions"
            )),
            Service::S3
        );
        assert_eq!(
            service_of(&request(
                &[("content-type", "application/x-amz-json-1.1")],
                "/"
            )),
            Service::Athena(Protocol::AwsJson)
        );
        // A malformed Authorization header names no service.
        assert_eq!(
            service_of(&request(&[("authorization", "Bearer x")], "/b/k")),
            Service::S3
        );
    }
}
