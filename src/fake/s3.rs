//! A scripted S3 behind the seam, for tests under paused tokio time: objects in memory,
//! faults queued for the next calls, a latency before each answer, and a log of the
//! calls with how many ranges were in flight at once.

use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::future::BoxFuture;

use crate::aws::{ApiCallError, CallError};
use crate::error::{ApiErrorKind, Operation};
use crate::s3::{ObjectInfo, ObjectLocation, RangeBody, RangeError, S3Api};
use crate::stats::Stats;

/// A fault for the next call of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum S3Fault {
    /// `503 SlowDown`, before anything is sent.
    SlowDown,
    /// `500 InternalError`, before anything is sent.
    ServerError,
    /// `403 AccessDenied`.
    AccessDenied,
    /// The body stops after this many bytes (the connection is reset).
    CutAfter(usize),
}

#[derive(Debug)]
struct Object {
    bytes: Vec<u8>,
    etag: String,
    client_side_encrypted: bool,
}

#[derive(Debug, Default)]
struct State {
    objects: HashMap<String, Object>,
    faults: HashMap<Operation, VecDeque<S3Fault>>,
    calls: HashMap<Operation, u64>,
    /// `(start, end)` of every range asked for, in order.
    ranges: Vec<(u64, u64)>,
    in_flight: usize,
    max_in_flight: usize,
    latency: Duration,
    versions: u64,
    /// The `x-amz-expected-bucket-owner` of every call, in order.
    owners_sent: Vec<Option<String>>,
}

/// The account that owns every bucket of the fake (the emulator's default too).
pub(crate) const ACCOUNT_ID: &str = "123456789012";

/// The fake. Cheap to clone; clones share the state.
#[derive(Debug, Clone, Default)]
pub(crate) struct FakeS3 {
    state: Arc<Mutex<State>>,
}

/// Counts a range as in flight until dropped (answered, or its future dropped).
struct InFlight(FakeS3);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.lock().in_flight -= 1;
    }
}

/// A range's answer: in flight until its body is read or dropped.
struct FakeBody {
    body: Result<Vec<u8>, RangeError>,
    _in_flight: InFlight,
}

impl RangeBody for FakeBody {
    fn read(self: Box<Self>) -> BoxFuture<'static, Result<Vec<u8>, RangeError>> {
        Box::pin(async move { self.body })
    }
}

impl FakeS3 {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores an object (replacing any), with a new ETag.
    pub(crate) fn put(&self, uri: &str, bytes: Vec<u8>) {
        let mut s = self.lock();
        s.versions += 1;
        let etag = format!("\"v{}\"", s.versions);
        s.objects.insert(
            uri.to_owned(),
            Object {
                bytes,
                etag,
                client_side_encrypted: false,
            },
        );
    }

    /// The bytes of an object, if there is one.
    pub(crate) fn get(&self, uri: &str) -> Option<Vec<u8>> {
        self.lock().objects.get(uri).map(|o| o.bytes.clone())
    }

    /// Stores the same bytes again as a new version (a new ETag), as a writer replacing
    /// the object would.
    pub(crate) fn replace(&self, uri: &str) {
        if let Some(bytes) = self.get(uri) {
            self.put(uri, bytes);
        }
    }

    /// Marks an object as written by the S3 Encryption Client.
    pub(crate) fn encrypt_client_side(&self, uri: &str) {
        if let Some(o) = self.lock().objects.get_mut(uri) {
            o.client_side_encrypted = true;
        }
    }

    /// Removes an object.
    pub(crate) fn delete(&self, uri: &str) {
        self.lock().objects.remove(uri);
    }

    /// The next `times` calls of `op` (`HeadObject` or `GetObject`) get `fault`.
    pub(crate) fn fail_next(&self, op: Operation, fault: S3Fault, times: usize) {
        self.lock()
            .faults
            .entry(op)
            .or_default()
            .extend(std::iter::repeat_n(fault, times));
    }

    /// Faults of `op` not fired yet.
    pub(crate) fn faults_left(&self, op: Operation) -> usize {
        self.lock().faults.get(&op).map_or(0, VecDeque::len)
    }

    /// Every call waits this long (virtual time) before it is answered.
    pub(crate) fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// Calls of `op` so far.
    pub(crate) fn calls(&self, op: Operation) -> u64 {
        self.lock().calls.get(&op).copied().unwrap_or(0)
    }

    /// The most ranges that were in flight at once.
    pub(crate) fn max_in_flight(&self) -> usize {
        self.lock().max_in_flight
    }

    /// The ranges in flight now.
    pub(crate) fn in_flight(&self) -> usize {
        self.lock().in_flight
    }

    /// `(start, end)` of every range asked for, in order.
    pub(crate) fn ranges(&self) -> Vec<(u64, u64)> {
        self.lock().ranges.clone()
    }

    /// The `x-amz-expected-bucket-owner` of every call so far, in order.
    pub(crate) fn owners_sent(&self) -> Vec<Option<String>> {
        self.lock().owners_sent.clone()
    }

    /// Counts the call, waits the latency, and takes the fault queued for it; a call
    /// that expects another owner than [`ACCOUNT_ID`] is denied, as S3 does.
    async fn enter(&self, op: Operation, object: &ObjectLocation) -> Option<S3Fault> {
        let latency = {
            let mut s = self.lock();
            *s.calls.entry(op).or_default() += 1;
            s.owners_sent.push(object.expected_bucket_owner.clone());
            s.latency
        };
        if object
            .expected_bucket_owner
            .as_deref()
            .is_some_and(|o| o != ACCOUNT_ID)
        {
            return Some(S3Fault::AccessDenied);
        }
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        self.lock()
            .faults
            .get_mut(&op)
            .and_then(VecDeque::pop_front)
    }

    /// The object's bytes, ETag, and whether it is client-side encrypted.
    fn object(&self, uri: &str) -> Result<(Vec<u8>, String, bool), CallError> {
        let s = self.lock();
        let o = s.objects.get(uri).ok_or_else(|| error(404, "NoSuchKey"))?;
        Ok((o.bytes.clone(), o.etag.clone(), o.client_side_encrypted))
    }
}

fn error(status: u16, code: &str) -> CallError {
    let kind = match status {
        503 => ApiErrorKind::Throttling,
        500..=599 => ApiErrorKind::Transient,
        _ => ApiErrorKind::Permanent,
    };
    CallError::Failed(ApiCallError {
        kind,
        code: Some(code.to_owned()),
        message: format!("{code} (injected)"),
        source: code.to_owned().into(),
    })
}

/// The error of a fault that fires before anything is sent.
fn refusal(fault: Option<S3Fault>) -> Option<CallError> {
    match fault? {
        S3Fault::SlowDown => Some(error(503, "SlowDown")),
        S3Fault::ServerError => Some(error(500, "InternalError")),
        S3Fault::AccessDenied => Some(error(403, "AccessDenied")),
        S3Fault::CutAfter(_) => None,
    }
}

impl S3Api for FakeS3 {
    fn head_object<'a>(
        &'a self,
        object: &'a ObjectLocation,
        sent: &'a Stats,
    ) -> BoxFuture<'a, Result<ObjectInfo, CallError>> {
        Box::pin(async move {
            sent.count_sent(Operation::HeadObject, 1);
            let fault = self.enter(Operation::HeadObject, object).await;
            if let Some(e) = refusal(fault) {
                return Err(e);
            }
            let (bytes, etag, client_side_encrypted) = self.object(&object.to_string())?;
            Ok(ObjectInfo {
                size: bytes.len() as u64,
                etag,
                client_side_encrypted,
            })
        })
    }

    fn get_range<'a>(
        &'a self,
        object: &'a ObjectLocation,
        range: Range<u64>,
        if_match: &'a str,
        sent: &'a Stats,
    ) -> BoxFuture<'a, Result<Box<dyn RangeBody>, RangeError>> {
        Box::pin(async move {
            sent.count_sent(Operation::GetObject, 1);
            let in_flight = {
                let mut s = self.lock();
                s.in_flight += 1;
                s.max_in_flight = s.max_in_flight.max(s.in_flight);
                s.ranges.push((range.start, range.end));
                InFlight(self.clone())
            };
            let fault = self.enter(Operation::GetObject, object).await;
            let refuse = |error| RangeError {
                received: Vec::new(),
                error,
            };
            if let Some(e) = refusal(fault) {
                return Err(refuse(e));
            }
            let (bytes, etag, _) = self.object(&object.to_string()).map_err(refuse)?;
            if etag != if_match {
                return Err(refuse(error(412, "PreconditionFailed")));
            }
            let start = usize::try_from(range.start)
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            let end = usize::try_from(range.end)
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            if start >= end {
                return Err(refuse(error(416, "InvalidRange")));
            }
            let body = bytes[start..end].to_vec();
            let body = match fault {
                Some(S3Fault::CutAfter(n)) if n < body.len() => Err(RangeError {
                    received: body[..n].to_vec(),
                    error: error(599, "connection reset (injected)"),
                }),
                _ => Ok(body),
            };
            Ok(Box::new(FakeBody {
                body,
                _in_flight: in_flight,
            }) as Box<dyn RangeBody>)
        })
    }

    fn get_object<'a>(
        &'a self,
        object: &'a ObjectLocation,
        sent: &'a Stats,
    ) -> BoxFuture<'a, Result<Vec<u8>, CallError>> {
        Box::pin(async move {
            sent.count_sent(Operation::GetObject, 1);
            let fault = self.enter(Operation::GetObject, object).await;
            if let Some(e) = refusal(fault) {
                return Err(e);
            }
            Ok(self.object(&object.to_string())?.0)
        })
    }
}

/// A result file as Athena writes it (docs/athena.md, "Result files"): the quoted
/// header, every non-NULL value quoted with `"` doubled, NULL an empty unquoted field,
/// `\n` after every row.
pub(crate) fn athena_csv(header: &[&str], rows: &[Vec<Option<String>>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut line = |values: &mut dyn Iterator<Item = Option<&str>>| {
        for (i, v) in values.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if let Some(v) = v {
                out.push(b'"');
                out.extend_from_slice(v.replace('"', "\"\"").as_bytes());
                out.push(b'"');
            }
        }
        out.push(b'\n');
    };
    line(&mut header.iter().map(|h| Some(*h)));
    for row in rows {
        line(&mut row.iter().map(Option::as_deref));
    }
    out
}
