//! A Parquet file in S3 as the `parquet` crate's [`AsyncFileReader`]: every read is a
//! ranged `GetObject` through the crate's S3 seam, pinned to the ETag `HeadObject`
//! gave (a file replaced during the read fails it instead of mixing two files), and
//! retried from where a cut-off body stopped, like the ranges of a result file.
//!
//! The footer is read first, with the last 64 KiB of the file in one request; then the
//! column chunks of each row group the reader decodes. Chunks less than 1 MiB apart are
//! read as one range, as object_store's `get_ranges` coalesces them, and a range longer
//! than the handle's `chunk_size` is cut into pieces of that size, at most
//! `chunks_in_flight` of them in flight at once: S3 serves parallel ranged GETs faster
//! than one long one (docs/athena.md, "Result files").

use std::ops::Range;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::future::BoxFuture;
use futures::{StreamExt, TryStreamExt};
use parquet::arrow::arrow_reader::ArrowReaderOptions;
use parquet::arrow::async_reader::AsyncFileReader;
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};

use crate::s3::ranges::{Shared, fetch};

/// Bytes read from the end of the file for the footer: a footer longer than this takes
/// one more request.
pub(crate) const FOOTER_PREFETCH: u64 = 64 * 1024;

/// Ranges less than this apart are read as one (object_store's default).
pub(crate) const COALESCE_GAP: u64 = 1024 * 1024;

/// One Parquet file being read.
pub(crate) struct S3File {
    shared: Arc<Shared>,
    size: u64,
    chunk_size: u64,
    max_in_flight: usize,
    /// The end of the file, read with the footer: reads inside it need no request.
    tail: Option<(u64, Bytes)>,
}

impl S3File {
    /// The file behind `shared`, of `size` bytes (from `HeadObject`).
    pub(crate) fn new(shared: Shared, size: u64, chunk_size: u64, max_in_flight: usize) -> Self {
        S3File {
            shared: Arc::new(shared),
            size,
            chunk_size: chunk_size.max(1),
            max_in_flight: max_in_flight.max(1),
            tail: None,
        }
    }

    /// `range` from the bytes read with the footer, if it lies within them.
    fn cached(&self, range: &Range<u64>) -> Option<Bytes> {
        let (start, tail) = self.tail.as_ref()?;
        let from = usize::try_from(range.start.checked_sub(*start)?).ok()?;
        let to = usize::try_from(range.end.checked_sub(*start)?).ok()?;
        (from <= to && to <= tail.len()).then(|| tail.slice(from..to))
    }

    /// Reads the ranges: those within the footer's bytes from them, the others
    /// coalesced and cut into pieces of `chunk_size`, at most `max_in_flight` at once.
    async fn read_ranges(&self, ranges: Vec<Range<u64>>) -> Result<Vec<Bytes>> {
        let mut out: Vec<Option<Bytes>> = ranges.iter().map(|r| self.cached(r)).collect();
        let mut wanted: Vec<usize> = (0..ranges.len()).filter(|&i| out[i].is_none()).collect();
        wanted.sort_by_key(|&i| ranges[i].start);
        // Coalesce: (merged range, the ranges it serves).
        let mut merged: Vec<(Range<u64>, Vec<usize>)> = Vec::new();
        for i in wanted {
            let r = &ranges[i];
            match merged.last_mut() {
                Some((m, served)) if r.start <= m.end.saturating_add(COALESCE_GAP) => {
                    m.end = m.end.max(r.end);
                    served.push(i);
                }
                _ => merged.push((r.clone(), vec![i])),
            }
        }
        // Cut into pieces, read them in order with several in flight, and put each
        // merged range back together.
        let pieces: Vec<(usize, Range<u64>)> = merged
            .iter()
            .enumerate()
            .flat_map(|(m, (range, _))| {
                let step = self.chunk_size;
                (range.start..range.end)
                    .step_by(usize::try_from(step).unwrap_or(usize::MAX))
                    .map(move |s| (m, s..s.saturating_add(step).min(range.end)))
            })
            .collect();
        let mut buffers: Vec<BytesMut> = merged
            .iter()
            .map(|(r, _)| BytesMut::with_capacity(usize::try_from(r.end - r.start).unwrap_or(0)))
            .collect();
        let shared = &self.shared;
        let mut read = futures::stream::iter(pieces)
            .map(|(m, piece)| async move { Ok::<_, ParquetError>((m, read(shared, piece).await?)) })
            .buffered(self.max_in_flight);
        while let Some((m, bytes)) = read.try_next().await? {
            buffers[m].extend_from_slice(&bytes);
        }
        for ((range, served), buffer) in merged.into_iter().zip(buffers) {
            let buffer = buffer.freeze();
            for i in served {
                let r = &ranges[i];
                let from = usize::try_from(r.start - range.start).unwrap_or(usize::MAX);
                let to = usize::try_from(r.end - range.start).unwrap_or(usize::MAX);
                let bytes = buffer.get(from..to).ok_or_else(|| {
                    ParquetError::General(format!(
                        "S3 answered {} bytes for the range {range:?}",
                        buffer.len()
                    ))
                })?;
                out[i] = Some(buffer.slice_ref(bytes));
            }
        }
        Ok(out.into_iter().flatten().collect())
    }
}

/// One range, through the result file's retrying ranged read. The crate's own error
/// travels inside the Parquet error, and comes out again where the stream's errors are
/// mapped ([`super::shard`]).
async fn read(shared: &Arc<Shared>, range: Range<u64>) -> Result<Bytes> {
    if range.start >= range.end {
        return Ok(Bytes::new());
    }
    fetch(shared.clone(), range)
        .await
        .map(Bytes::from)
        .map_err(|e| ParquetError::External(Box::new(e)))
}

impl AsyncFileReader for S3File {
    fn get_bytes(&mut self, range: Range<u64>) -> BoxFuture<'_, Result<Bytes>> {
        Box::pin(async move {
            match self.cached(&range) {
                Some(bytes) => Ok(bytes),
                None => read(&self.shared, range).await,
            }
        })
    }

    fn get_byte_ranges(&mut self, ranges: Vec<Range<u64>>) -> BoxFuture<'_, Result<Vec<Bytes>>> {
        Box::pin(self.read_ranges(ranges))
    }

    fn get_metadata<'a>(
        &'a mut self,
        _options: Option<&'a ArrowReaderOptions>,
    ) -> BoxFuture<'a, Result<Arc<ParquetMetaData>>> {
        Box::pin(async move {
            let size = self.size;
            // "PAR1", a footer length and "PAR1": no Parquet file is shorter.
            if size < 12 {
                return Err(ParquetError::General(format!(
                    "the file has {size} bytes: too short for Parquet"
                )));
            }
            let start = size.saturating_sub(FOOTER_PREFETCH);
            let tail = read(&self.shared, start..size).await?;
            let hint = tail.len();
            self.tail = Some((start, tail));
            let metadata = ParquetMetaDataReader::new()
                .with_prefetch_hint(Some(hint))
                .load_and_finish(&mut *self, size)
                .await?;
            Ok(Arc::new(metadata))
        })
    }
}
