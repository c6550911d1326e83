//! The files of text, CSV and JSON tables, read as Athena reads them: each file whole,
//! decompressed by its extension ([`Codec`]), its first `skip.header.line.count` lines
//! dropped, and checked to be what the table says it is. A file that is not (a Parquet
//! file under a text table, bytes that are not UTF-8, a corrupt gzip stream, a JSON row
//! that is not an object) fails the query with an error that names it, never reads as
//! zero rows (docs/athena.md, "Result files").
//!
//! DataFusion's CSV and JSON readers take one compression for a whole scan and know
//! neither Hadoop's LZ4/Snappy framing nor a per-file header count, so the decoding is
//! done below them, in an object store that serves a table's files decoded. Its URL
//! (`athena-hive://text-skip2/<dir>/`) says how to read them; the store is registered
//! in the query's runtime when the table is scanned, over the store that counts the
//! bytes read (so DataScannedInBytes counts compressed bytes, as S3 does).

use std::fmt;
use std::io::{BufReader, Cursor, Read};
use std::ops::Range;
use std::path::Path as FsPath;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::datasource::listing::{ListingTable, ListingTableUrl};
use datafusion::datasource::physical_plan::FileScanConfig;
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::object_store::path::Path;
use datafusion::object_store::{
    CopyOptions, GetOptions, GetResult, GetResultPayload, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};
use datafusion::physical_plan::{ExecutionPlan, Partitioning};
use futures::stream::{BoxStream, StreamExt, TryStreamExt};

use super::codec::Codec;
use crate::engine::error::DataFileError;

const SCHEME: &str = "athena-hive";

/// Bytes decoded at a time.
const CHUNK: usize = 256 << 10;

/// How the files of one table are read: the same for every table with the same value,
/// so one store per value serves them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TextRead {
    /// `skip.header.line.count`: lines dropped at the start of every file.
    pub(crate) skip_lines: usize,
    /// Newline-delimited JSON: each line must be a JSON object.
    pub(crate) json: bool,
    /// JSON only: `ignore.malformed.json`, a line that is not a JSON object reads as a
    /// row of NULLs instead of failing the query.
    pub(crate) ignore_malformed_json: bool,
}

impl TextRead {
    fn store_url(&self) -> String {
        let kind = match (self.json, self.ignore_malformed_json) {
            (false, _) => "text",
            (true, false) => "json",
            (true, true) => "jsonlenient",
        };
        format!("{SCHEME}://{kind}-skip{}", self.skip_lines)
    }

    /// The listing URL of the files under `dir`, served by this way of reading.
    pub(crate) fn table_url(&self, dir: &FsPath) -> DfResult<ListingTableUrl> {
        let local = ListingTableUrl::parse(format!("{}/", dir.display()))?;
        let path = local
            .as_str()
            .strip_prefix("file://")
            .ok_or_else(|| DataFusionError::Internal(format!("not a local path: {local}")))?;
        ListingTableUrl::parse(format!("{}{path}", self.store_url()))
    }
}

/// A listing of a text, CSV or JSON table's files that reads each file whole through the
/// store of its [`TextRead`].
#[derive(Debug)]
pub(crate) struct TextFilesTable {
    listing: ListingTable,
    read: TextRead,
    /// The data dir as an object path: `s3://` names in messages are the paths below it.
    data_root: Path,
}

impl TextFilesTable {
    pub(crate) fn new(listing: ListingTable, read: TextRead, data_dir: &FsPath) -> Self {
        let data_root = Path::from_absolute_path(data_dir).unwrap_or_default();
        TextFilesTable {
            listing,
            read,
            data_root,
        }
    }
}

#[async_trait]
impl TableProvider for TextFilesTable {
    fn schema(&self) -> datafusion::arrow::datatypes::SchemaRef {
        self.listing.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DfResult<Vec<TableProviderFilterPushDown>> {
        self.listing.supports_filters_pushdown(filters)
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let runtime = state.runtime_env();
        let local = runtime.object_store(ObjectStoreUrl::local_filesystem())?;
        let url = ObjectStoreUrl::parse(self.read.store_url())?;
        let store = TextFileStore {
            inner: local,
            read: self.read,
            data_root: self.data_root.clone(),
        };
        runtime.register_object_store(url.as_ref(), Arc::new(store));
        let plan = self.listing.scan(state, projection, filters, limit).await?;
        whole_files(plan)
    }
}

/// The plan with every file scan reading whole files: the store decodes a file from its
/// first byte, so DataFusion must not split it into byte ranges (a scan whose file
/// groups declare the output partitioning is not split).
fn whole_files(plan: Arc<dyn ExecutionPlan>) -> DfResult<Arc<dyn ExecutionPlan>> {
    plan.transform_up(|p| {
        if let Some(exec) = p.downcast_ref::<DataSourceExec>()
            && let Some(conf) = exec.data_source().downcast_ref::<FileScanConfig>()
            && !conf.file_groups.is_empty()
            && conf.output_partitioning.is_none()
        {
            let mut conf = conf.clone();
            conf.output_partitioning =
                Some(Partitioning::UnknownPartitioning(conf.file_groups.len()));
            let exec: Arc<dyn ExecutionPlan> = DataSourceExec::from_data_source(conf);
            return Ok(Transformed::yes(exec));
        }
        Ok(Transformed::no(p))
    })
    .map(|t| t.data)
}

/// The local file system (through the counting store), serving each file decoded.
#[derive(Debug)]
struct TextFileStore {
    inner: Arc<dyn ObjectStore>,
    read: TextRead,
    data_root: Path,
}

impl fmt::Display for TextFileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TextFiles({})", self.inner)
    }
}

impl TextFileStore {
    /// `s3://bucket/key` of a file under the data dir.
    fn s3_name(&self, location: &Path) -> String {
        match location.prefix_match(&self.data_root) {
            Some(parts) => {
                let parts: Vec<String> = parts.map(|p| p.as_ref().to_owned()).collect();
                format!("s3://{}", parts.join("/"))
            }
            None => format!("/{location}"),
        }
    }
}

fn store_error(e: DataFileError) -> datafusion::object_store::Error {
    datafusion::object_store::Error::Generic {
        store: "athena-emulator",
        source: Box::new(e),
    }
}

#[async_trait]
impl ObjectStore for TextFileStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        if options.head {
            return self.inner.get_opts(location, options).await;
        }
        if options.range.is_some() {
            return Err(datafusion::object_store::Error::NotSupported {
                source: "a text table's file is read whole, not by range".into(),
            });
        }
        let name = self.s3_name(location);
        let codec = Codec::for_file(location.filename().unwrap_or_default());
        let GetResult {
            payload,
            meta,
            range,
            attributes,
        } = self.inner.get_opts(location, options).await?;
        let raw: Box<dyn Read + Send> = match payload {
            GetResultPayload::File(file, _) => Box::new(BufReader::with_capacity(CHUNK, file)),
            GetResultPayload::Stream(s) => {
                let parts: Vec<Bytes> = s.try_collect().await?;
                Box::new(Cursor::new(parts.concat()))
            }
        };
        let reader = match codec.decoder(raw) {
            None => {
                return Err(store_error(DataFileError::not_supported(format!(
                    "{name} is {}-compressed, which athena-emulator cannot read (Athena can)",
                    codec.name()
                ))));
            }
            Some(Err(e)) => {
                return Err(store_error(DataFileError::cursor(format!(
                    "{e} ({name}, {} compressed)",
                    codec.name()
                ))));
            }
            Some(Ok(reader)) => reader,
        };
        let check = Checks::new(name, codec, self.read);
        Ok(GetResult {
            payload: GetResultPayload::Stream(decoded(reader, check)),
            meta,
            range,
            attributes,
        })
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        self.inner.get_ranges(location, ranges).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list_with_offset(prefix, offset)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

/// The decoded, checked bytes of a file. The reads are blocking, as DataFusion's own
/// CSV reader reads a local file; files are local to the emulator.
fn decoded(reader: Box<dyn Read + Send>, check: Checks) -> BoxStream<'static, Result<Bytes>> {
    futures::stream::try_unfold(Some((reader, check)), |state| async move {
        let Some((mut reader, mut check)) = state else {
            return Ok(None);
        };
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(store_error(DataFileError::cursor(format!(
                        "{e} ({}, {} compressed)",
                        check.name,
                        check.codec.name()
                    ))));
                }
            };
            if n == 0 {
                let tail = check.finish().map_err(store_error)?;
                return Ok((!tail.is_empty()).then(|| (Bytes::from(tail), None)));
            }
            let out = check.push(&buf[..n]).map_err(store_error)?;
            if !out.is_empty() {
                return Ok(Some((Bytes::from(out), Some((reader, check)))));
            }
        }
    })
    .boxed()
}

/// What is checked of a file's decoded bytes as they pass: no other format's magic
/// number at its start, header lines dropped, UTF-8, and for JSON one object per line.
struct Checks {
    /// `s3://bucket/key`.
    name: String,
    codec: Codec,
    read: TextRead,
    /// Header lines still to drop.
    skip: usize,
    /// The start of the file has been looked at.
    sniffed: bool,
    /// Bytes held back: an incomplete UTF-8 sequence, or (JSON) an incomplete line.
    carry: Vec<u8>,
    /// Lines handed on or dropped so far, for messages.
    lines: u64,
}

impl Checks {
    fn new(name: String, codec: Codec, read: TextRead) -> Self {
        Checks {
            name,
            codec,
            read,
            skip: read.skip_lines,
            sniffed: false,
            carry: Vec::new(),
            lines: 0,
        }
    }

    /// The bytes of `chunk` (after what was carried) that can be handed on.
    fn push(&mut self, chunk: &[u8]) -> Result<Vec<u8>, DataFileError> {
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(chunk);
        if !self.sniffed {
            // The magic numbers below are at most 10 bytes long.
            if data.len() < 10 {
                self.carry = data;
                return Ok(Vec::new());
            }
            self.sniff(&data)?;
        }
        let mut start = 0;
        while self.skip > 0 && start < data.len() {
            match data[start..].iter().position(|&b| b == b'\n') {
                Some(i) => {
                    start += i + 1;
                    self.skip -= 1;
                    self.lines += 1;
                }
                None => start = data.len(),
            }
        }
        let body = &data[start..];
        let valid = match std::str::from_utf8(body) {
            Ok(_) => body.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(self.not_utf8(&body[..e.valid_up_to()])),
        };
        let keep = if self.read.json {
            body[..valid]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
        } else {
            valid
        };
        self.carry = body[keep..].to_vec();
        let out = if self.read.json {
            self.json_lines(&body[..keep])?
        } else {
            body[..keep].to_vec()
        };
        self.lines += out.iter().filter(|&&b| b == b'\n').count() as u64;
        Ok(out)
    }

    /// What is left at the end of the file.
    fn finish(&mut self) -> Result<Vec<u8>, DataFileError> {
        let data = std::mem::take(&mut self.carry);
        if !self.sniffed {
            self.sniff(&data)?;
        }
        if self.skip > 0 {
            // A file shorter than its header has no rows.
            return Ok(Vec::new());
        }
        if std::str::from_utf8(&data).is_err() {
            let valid = std::str::from_utf8(&data).map_or_else(|e| e.valid_up_to(), |s| s.len());
            return Err(self.not_utf8(&data[..valid]));
        }
        if self.read.json {
            let mut line = data;
            if !line.is_empty() {
                line.push(b'\n');
            }
            return self.json_lines(&line);
        }
        Ok(data)
    }

    fn not_utf8(&self, valid_prefix: &[u8]) -> DataFileError {
        let line = self.lines + valid_prefix.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        DataFileError::bad_data(format!(
            "{} is not UTF-8 text: line {line} has bytes that are not UTF-8{}",
            self.name,
            match self.codec {
                Codec::Plain => "",
                _ => " after decompression",
            }
        ))
    }

    /// Fails on data that is plainly another format (Athena would read its bytes as
    /// text and return garbage rows, or fail).
    fn sniff(&mut self, head: &[u8]) -> Result<(), DataFileError> {
        self.sniffed = true;
        let kind = if head.starts_with(&[0x1f, 0x8b]) {
            "gzip-compressed"
        } else if head.len() >= 10 && head.starts_with(b"BZh") && &head[4..10] == b"1AY&SY" {
            "bzip2-compressed"
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            "zstd-compressed"
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            "xz-compressed"
        } else if head.starts_with(b"PK\x03\x04") {
            "a ZIP archive"
        } else if head.starts_with(b"PAR1\x15") {
            "a Parquet file"
        } else {
            return Ok(());
        };
        let why = match (self.codec, kind.ends_with("compressed")) {
            (Codec::Plain, true) => {
                " (Athena chooses the compression by the file's lower-case extension: \
                 .gz, .bz2, .zst, .lz4, .snappy, .deflate; it does not read ZIP or xz)"
            }
            _ => "",
        };
        let table = if self.read.json { "JSON" } else { "text" };
        Err(DataFileError::bad_data(format!(
            "{} is {kind}{}, not {table} data{why}",
            self.name,
            match self.codec {
                Codec::Plain => String::new(),
                c => format!(" once {} is decompressed", c.name()),
            }
        )))
    }

    /// Complete lines of a JSON table, each checked to be one JSON object (a blank line
    /// is skipped, as the JSON SerDe skips it).
    fn json_lines(&self, lines: &[u8]) -> Result<Vec<u8>, DataFileError> {
        let mut out = Vec::with_capacity(lines.len());
        let mut n = self.lines;
        for line in lines.split_inclusive(|&b| b == b'\n') {
            n += 1;
            let text = std::str::from_utf8(line).unwrap_or_default().trim();
            if text.is_empty() {
                out.push(b'\n');
                continue;
            }
            let problem = if !text.starts_with('{') {
                Some("a JSON object must begin with '{'".to_owned())
            } else {
                serde_json::from_str::<serde::de::IgnoredAny>(text)
                    .err()
                    .map(|e| e.to_string())
            };
            match problem {
                None => out.extend_from_slice(line),
                Some(_) if self.read.ignore_malformed_json => out.extend_from_slice(b"{}\n"),
                Some(why) => {
                    return Err(DataFileError::cursor(format!(
                        "Row is not a valid JSON Object - {why} ({}, line {n})",
                        self.name
                    )));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(read: TextRead, codec: Codec, chunks: &[&[u8]]) -> Result<Vec<u8>, DataFileError> {
        let mut c = Checks::new("s3://b/k".into(), codec, read);
        let mut out = Vec::new();
        for chunk in chunks {
            out.extend(c.push(chunk)?);
        }
        out.extend(c.finish()?);
        Ok(out)
    }

    const TEXT: TextRead = TextRead {
        skip_lines: 0,
        json: false,
        ignore_malformed_json: false,
    };

    #[test]
    fn header_lines_are_dropped_even_across_chunks() {
        let read = TextRead {
            skip_lines: 2,
            ..TEXT
        };
        let out = run(
            read,
            Codec::Plain,
            &[b"#Version: 1.0\n#Fie", b"lds: a b\na\t1\nb\t2\n"],
        );
        assert_eq!(out.unwrap(), b"a\t1\nb\t2\n");
        assert_eq!(
            run(read, Codec::Plain, &[b"#only one line\n"]).unwrap(),
            b""
        );
    }

    #[test]
    fn utf8_split_across_chunks_is_fine_but_invalid_bytes_fail_with_the_line() {
        let text = "caf\u{e9}\tx\n".as_bytes();
        let (a, b) = text.split_at(4);
        assert_eq!(run(TEXT, Codec::Plain, &[a, b]).unwrap(), text);
        let err = run(TEXT, Codec::Plain, &[b"ok line here\nbad \xff here\n"]).unwrap_err();
        assert_eq!(err.code, "HIVE_BAD_DATA");
        assert!(err.message.contains("s3://b/k"), "{err}");
        assert!(err.message.contains("line 2"), "{err}");
        let err = run(TEXT, Codec::Plain, &[b"ends inside a character \xe2\x82"]).unwrap_err();
        assert_eq!(err.code, "HIVE_BAD_DATA");
    }

    #[test]
    fn other_formats_are_named() {
        let err = run(
            TEXT,
            Codec::Plain,
            &[b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"],
        );
        assert!(err.unwrap_err().message.contains("gzip-compressed"));
        let err = run(TEXT, Codec::Plain, &[b"PAR1\x15\x00\x15\x10\x15\x14\x00"]);
        assert!(err.unwrap_err().message.contains("a Parquet file"));
        // Text that merely starts with the letters stays text.
        assert!(run(TEXT, Codec::Plain, &[b"PAR1\tPK\tBZh\n"]).is_ok());
    }

    #[test]
    fn json_rows_must_be_objects_unless_malformed_rows_are_ignored() {
        let json = TextRead { json: true, ..TEXT };
        let ok = run(json, Codec::Plain, &[b"{\"a\": 1}\n\n{\"a\"", b": 2}"]).unwrap();
        assert_eq!(ok, b"{\"a\": 1}\n\n{\"a\": 2}\n");
        let err = run(json, Codec::Plain, &[b"{\"a\": 1}\n{\"a\": \n[1]\n"]).unwrap_err();
        assert_eq!(err.code, "HIVE_CURSOR_ERROR");
        assert!(err.message.contains("line 2"), "{err}");
        let lenient = TextRead {
            ignore_malformed_json: true,
            ..json
        };
        let out = run(lenient, Codec::Plain, &[b"{\"a\": 1}\nnot json\n"]).unwrap();
        assert_eq!(out, b"{\"a\": 1}\n{}\n");
    }
}
