//! HTTP/1.1 serving: accepting connections, telling Athena calls from S3 calls, reading
//! an Athena request body within its limit, injecting faults, and answering with the
//! operation's JSON or its error; S3 calls go to s3s (see `s3.rs`).

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

use super::faults::{Counters, FaultInjector, Outcome};
use super::operations;
use super::protocol::{self, ApiError};
use super::queries::Registry;
use super::s3;
use super::token::TokenKey;

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

fn response(status: u16, body: Vec<u8>, request_id: &str) -> Answer {
    let mut response = Response::new(Either::Left(Full::new(Bytes::from(body))));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(protocol::CONTENT_TYPE),
    );
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

fn error_response(error: &ApiError, request_id: &str) -> Answer {
    let mut response = response(error.status, error.body(), request_id);
    response
        .headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(error.kind));
    response
}

/// Whether a request is an Athena call: it names an operation in `X-Amz-Target`, is sent
/// as `application/x-amz-json-1.1`, or is signed for the service `athena`
/// (docs/athena.md, "Errors"). S3 calls do none of these.
fn is_athena(request: &Request<Incoming>) -> bool {
    let headers = request.headers();
    headers.contains_key("x-amz-target")
        || headers
            .get(CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/x-amz-json"))
        || headers
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("/athena/aws4_request"))
}

/// Answers one request.
async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Answer, DropConnection> {
    if !is_athena(&request) {
        return Ok(handle_s3(&shared, request).await);
    }
    let request_id = shared.registry.request_id();
    if request.method() != Method::POST {
        return Ok(error_response(&ApiError::method_not_allowed(), &request_id));
    }
    let target = request
        .headers()
        .get("x-amz-target")
        .map(HeaderValue::as_bytes);
    let operation = match protocol::route(target) {
        Ok(operation) => operation,
        Err(error) => return Ok(error_response(&error, &request_id)),
    };
    shared.counters.record_call(operation);

    let limit = shared.max_body_bytes;
    let too_large = || {
        let mut answer = error_response(&ApiError::too_large(limit), &request_id);
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
    let body = match Limited::new(request.into_body(), limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => return Ok(too_large()),
        // The client went away mid-body: nobody to answer.
        Err(_) => return Err(DropConnection),
    };

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
        return Ok(error_response(&fault, &request_id));
    }

    let cx = operations::Context {
        registry: &shared.registry,
        key: &shared.key,
    };
    let answer = operations::dispatch(&cx, operation, &body).await;
    if outcome == Outcome::Drop {
        shared.counters.record_fault(operation);
        return Err(DropConnection);
    }
    Ok(match answer {
        Ok(body) => response(200, body, &request_id),
        Err(error) => error_response(&error, &request_id),
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
