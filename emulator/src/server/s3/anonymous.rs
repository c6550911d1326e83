//! Requests made anonymous before s3s sees them: the emulator accepts any credentials
//! and verifies no signature (as on the Athena side), while s3s verifies every signed
//! request against a secret key it looks up, which the emulator does not have.
//!
//! So the `Authorization` header goes, and a body sent in `aws-chunked` encoding (what
//! SDKs send for a streaming upload with a trailing checksum, `x-amz-content-sha256:
//! STREAMING-...`) is decoded here, chunk signatures and trailers ignored, since s3s
//! decodes it only for a request whose signature it has checked. Left encoded, the
//! chunk framing would be stored as part of the object: a silent wrong answer.

use bytes::{Buf, Bytes, BytesMut};
use futures::{Stream, StreamExt};
use http_body_util::BodyExt;
use hyper::Request;
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH, HeaderValue};

/// Longest chunk header or trailer line accepted (a signature is 64 hex digits).
const MAX_LINE: usize = 4096;

/// `request` with its signature removed and its body decoded, ready for s3s.
pub(crate) fn anonymous(request: Request<Incoming>) -> s3s::HttpRequest {
    let (mut parts, body) = request.into_parts();
    parts.headers.remove(AUTHORIZATION);
    let streaming = parts
        .headers
        .get("x-amz-content-sha256")
        .is_some_and(|v| v.as_bytes().starts_with(b"STREAMING-"));
    parts.headers.remove("x-amz-content-sha256");
    if !streaming {
        return Request::from_parts(parts, s3s::Body::from(body));
    }
    // The object's length is the decoded one; without it the upload cannot be checked
    // for completeness, so leave the Content-Length out and let PutObject's own checks
    // see the bytes as they come.
    match parts.headers.remove("x-amz-decoded-content-length") {
        Some(decoded) => {
            parts.headers.insert(CONTENT_LENGTH, decoded);
        }
        None => {
            parts.headers.remove(CONTENT_LENGTH);
        }
    }
    let encodings: Vec<String> = parts
        .headers
        .get_all(CONTENT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case("aws-chunked"))
        .map(str::to_owned)
        .collect();
    parts.headers.remove(CONTENT_ENCODING);
    if let Ok(value) = HeaderValue::from_str(&encodings.join(", "))
        && !encodings.is_empty()
    {
        parts.headers.insert(CONTENT_ENCODING, value);
    }
    let decoded = decode_aws_chunked(body.into_data_stream());
    let body =
        http_body_util::StreamBody::new(decoded.map(|chunk| chunk.map(hyper::body::Frame::data)));
    Request::from_parts(parts, s3s::Body::http_body_unsync(body))
}

/// Where the decoder is in the `aws-chunked` framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before `<hex size>[;chunk-signature=...]\r\n`.
    ChunkHeader,
    /// Inside a chunk, this many bytes left.
    Data(u64),
    /// The `\r\n` after a chunk's bytes.
    DataEnd,
    /// After the last (empty) chunk: trailer lines until an empty one.
    Trailers,
    Done,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn invalid(message: &'static str) -> BoxError {
    Box::new(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("invalid aws-chunked body: {message}"),
    ))
}

/// The payload of an `aws-chunked` body.
pub(crate) fn decode_aws_chunked<S, E>(input: S) -> impl Stream<Item = Result<Bytes, BoxError>>
where
    S: Stream<Item = Result<Bytes, E>> + Send + Unpin + 'static,
    E: Into<BoxError>,
{
    let decoder = (input, BytesMut::new(), State::ChunkHeader, false);
    futures::stream::unfold(
        decoder,
        |(mut input, mut buffer, mut state, mut ended)| async move {
            loop {
                if state == State::Done {
                    return None;
                }
                match step(&mut buffer, &mut state) {
                    Step::Again => continue,
                    Step::Yield(item) => return Some((item, (input, buffer, state, ended))),
                    Step::NeedInput => {}
                }
                if ended {
                    state = State::Done;
                    return Some((
                        Err(invalid("the body ended inside a chunk")),
                        (input, buffer, state, ended),
                    ));
                }
                match input.next().await {
                    Some(Ok(bytes)) => buffer.extend_from_slice(&bytes),
                    Some(Err(e)) => {
                        state = State::Done;
                        return Some((Err(e.into()), (input, buffer, state, ended)));
                    }
                    None => ended = true,
                }
            }
        },
    )
}

/// What the decoder does after a [`step`].
enum Step {
    /// The state moved on without output: step again.
    Again,
    /// Payload bytes, or an error (the state is then [`State::Done`]).
    Yield(Result<Bytes, BoxError>),
    /// The buffer holds too little for the current state.
    NeedInput,
}

/// Takes what `buffer` holds for `state`, moving `state` on.
fn step(buffer: &mut BytesMut, state: &mut State) -> Step {
    match *state {
        State::ChunkHeader | State::Trailers => {
            let Some(at) = buffer.windows(2).position(|w| w == b"\r\n") else {
                if buffer.len() > MAX_LINE {
                    return fail(state, "line too long");
                }
                return Step::NeedInput;
            };
            let line = buffer.split_to(at + 2);
            let line = &line[..at];
            if *state == State::Trailers {
                if line.is_empty() {
                    *state = State::Done;
                }
                return Step::Again;
            }
            match chunk_size(line) {
                Some(0) => *state = State::Trailers,
                Some(n) => *state = State::Data(n),
                None => return fail(state, "bad chunk size"),
            }
            Step::Again
        }
        State::Data(left) if !buffer.is_empty() => {
            let take = left.min(buffer.len() as u64) as usize;
            let data = buffer.split_to(take).freeze();
            *state = match left - take as u64 {
                0 => State::DataEnd,
                n => State::Data(n),
            };
            Step::Yield(Ok(data))
        }
        State::DataEnd if buffer.len() >= 2 => {
            if &buffer[..2] != b"\r\n" {
                return fail(state, "no CRLF after a chunk");
            }
            buffer.advance(2);
            *state = State::ChunkHeader;
            Step::Again
        }
        _ => Step::NeedInput,
    }
}

/// The size in a chunk header line, `<hex size>[;chunk-signature=...]`.
fn chunk_size(line: &[u8]) -> Option<u64> {
    let size = line.split(|&b| b == b';').next().unwrap_or_default();
    std::str::from_utf8(size)
        .ok()
        .and_then(|s| u64::from_str_radix(s.trim(), 16).ok())
}

/// Ends the body with an error.
fn fail(state: &mut State, message: &'static str) -> Step {
    *state = State::Done;
    Step::Yield(Err(invalid(message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn decode(pieces: Vec<&'static [u8]>) -> Result<Vec<u8>, String> {
        let input = futures::stream::iter(
            pieces
                .into_iter()
                .map(|p| Ok::<_, std::io::Error>(Bytes::from_static(p))),
        );
        let mut out = Vec::new();
        let mut decoded = std::pin::pin!(decode_aws_chunked(input));
        while let Some(chunk) = decoded.next().await {
            out.extend_from_slice(&chunk.map_err(|e| e.to_string())?);
        }
        Ok(out)
    }

    #[tokio::test]
    async fn unsigned_chunks_with_a_trailer_decode_to_the_payload() {
        let body: &[u8] =
            b"5\r\nhello\r\n7\r\n, world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
        assert_eq!(decode(vec![body]).await.unwrap(), b"hello, world");
        // Split at every byte: the framing may fall anywhere in the input.
        let pieces: Vec<&'static [u8]> = body.chunks(1).collect();
        assert_eq!(decode(pieces).await.unwrap(), b"hello, world");
    }

    #[tokio::test]
    async fn signed_chunks_decode_with_their_signatures_ignored() {
        let body: &[u8] =
            b"a;chunk-signature=0123abcd\r\n0123456789\r\n0;chunk-signature=ffff\r\n\r\n";
        assert_eq!(decode(vec![body]).await.unwrap(), b"0123456789");
    }

    #[tokio::test]
    async fn broken_framing_is_an_error_not_data() {
        for body in [
            &b"5\r\nhel"[..],
            b"zz\r\nhello\r\n0\r\n\r\n",
            b"5\r\nhelloXX0\r\n\r\n",
            b"5\r\nhello\r\n",
        ] {
            assert!(decode(vec![body]).await.is_err(), "{body:?}");
        }
    }
}
