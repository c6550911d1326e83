//! Result files and the pages GetQueryResults serves from them.
//!
//! A query's rows are written as Athena writes them (docs/athena.md, "Result files"):
//! DML as `<id>.csv` (a quoted header line, every value quoted with `"` doubled inside,
//! NULL an empty unquoted field, `\n` after every line), DDL and UTILITY statements as
//! `<id>.txt` (values joined by tabs, no quoting, no header line), each with its
//! `.metadata` beside it (see `result_metadata.rs`). Every page is read back from that
//! file: seek to the offset the `NextToken` carries, parse at most `MaxResults` records,
//! and write the JSON answer straight from the file's bytes. So the file and the API
//! cannot disagree, and nothing of a result is held in memory between pages.

use crate::json_text::{self, Escapes};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::io::AsyncWriteExt;

use super::envelope::{self, ContentKey, DecryptingReader};
use super::token::{Position, TokenKey};
use crate::engine::{StatementType, SubstatementType};
use crate::server::data_dir::{DataDir, Md5Hex, ObjectAttributes, ServerSideEncryption};

/// Which file a result is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResultKind {
    /// `<id>.csv`: DML (SELECT, CTAS, INSERT, ...).
    Csv,
    /// `<id>.txt`: DDL and UTILITY statements, and EXPLAIN.
    Txt,
    /// No rows, so no data file: `<id>.metadata` and the data manifest
    /// `<id>-manifest.csv` (UNLOAD). The OutputLocation is `<id>`, with no extension, as
    /// AWS's example of a statement with a manifest shows it, and no object is there
    /// (docs/athena.md, "UNLOAD and data manifests").
    Manifest,
}

impl ResultKind {
    /// The file a statement's result goes to: `.csv` for DML, `.txt` for DDL, and for
    /// SHOW, DESCRIBE and EXPLAIN (docs/athena.md, "Result files"). EXPLAIN is DML to the
    /// engine, but its file is `.txt`.
    pub(crate) fn of(statement_type: StatementType, substatement_type: SubstatementType) -> Self {
        match (statement_type, substatement_type) {
            (_, SubstatementType::Explain) => ResultKind::Txt,
            (_, SubstatementType::Unload) => ResultKind::Manifest,
            (StatementType::Dml, _) => ResultKind::Csv,
            (StatementType::Ddl | StatementType::Utility, _) => ResultKind::Txt,
        }
    }

    /// The name of the result file of query `id`: `<id>.csv`, `<id>.txt` or `<id>`; its
    /// `.metadata` is this name and `.metadata`.
    pub(crate) fn file_name(self, id: &str) -> String {
        match self {
            ResultKind::Csv => format!("{id}.csv"),
            ResultKind::Txt => format!("{id}.txt"),
            ResultKind::Manifest => id.to_owned(),
        }
    }
}

/// What ColumnInfo says about one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnMeta {
    pub(crate) name: String,
    pub(crate) athena_type: String,
    pub(crate) precision: i32,
    pub(crate) scale: i32,
    pub(crate) case_sensitive: bool,
}

impl From<&crate::engine::Column> for ColumnMeta {
    fn from(c: &crate::engine::Column) -> Self {
        Self {
            name: c.name.clone(),
            athena_type: c.athena_type.clone(),
            precision: c.precision,
            scale: c.scale,
            case_sensitive: c.case_sensitive,
        }
    }
}

/// Renders `ResultSetMetadata.ColumnInfo` as Athena fills it: a JSON array.
pub(crate) fn column_info_json(columns: &[ColumnMeta]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + columns.len() * 192);
    out.push(b'[');
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"CatalogName":"hive","SchemaName":"","TableName":"","Name":""#);
        escape_json(c.name.as_bytes(), &mut out);
        out.extend_from_slice(br#"","Label":""#);
        escape_json(c.name.as_bytes(), &mut out);
        out.extend_from_slice(br#"","Type":""#);
        escape_json(c.athena_type.as_bytes(), &mut out);
        out.extend_from_slice(
            format!(
                r#"","Precision":{},"Scale":{},"Nullable":"UNKNOWN","CaseSensitive":{}}}"#,
                c.precision, c.scale, c.case_sensitive
            )
            .as_bytes(),
        );
    }
    out.push(b']');
    out
}

/// Appends `bytes` (UTF-8) to a JSON string being written, escaped as AWS's
/// serializer escapes it.
pub(crate) fn escape_json(bytes: &[u8], out: &mut Vec<u8>) {
    json_text::escape_json(bytes, out, Escapes::Aws);
}

/// Appends one CSV record: every value quoted, NULL an empty unquoted field.
pub(crate) fn encode_record<'a>(
    values: impl IntoIterator<Item = Option<&'a str>>,
    out: &mut Vec<u8>,
) {
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if let Some(value) = value {
            out.push(b'"');
            let bytes = value.as_bytes();
            let mut start = 0;
            for (j, &b) in bytes.iter().enumerate() {
                if b == b'"' {
                    out.extend_from_slice(&bytes[start..=j]);
                    out.push(b'"');
                    start = j + 1;
                }
            }
            out.extend_from_slice(&bytes[start..]);
            out.push(b'"');
        }
    }
    out.push(b'\n');
}

/// Appends one `.txt` line: values joined by tabs, NULL as an empty value.
///
/// The format has no quoting, so a value holding a newline, or a tab when there are
/// several columns, cannot be written so as to read back the same: that is an error
/// naming the value rather than a file that would page differently from the rows.
pub(crate) fn encode_txt_record<'a>(
    values: impl IntoIterator<Item = Option<&'a str>>,
    columns: usize,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        let value = value.unwrap_or_default();
        if value.contains('\n') || (columns > 1 && value.contains('\t')) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the value {value:?} cannot be written to a tab-separated .txt result"),
            ));
        }
        out.extend_from_slice(value.as_bytes());
    }
    out.push(b'\n');
    Ok(())
}

/// How a query's result objects are stored (its `EncryptionConfiguration`, docs/athena.md
/// "Encrypted results").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sealing {
    /// As they are, reporting this server-side encryption (SSE-S3, S3's default, or
    /// SSE-KMS).
    Server(ServerSideEncryption),
    /// Encrypted on the client side under this KMS key, in the S3 Encryption Client's
    /// envelope (see `envelope.rs`).
    Client { kms_key: String },
}

/// Publishes the complete temp file `temp` (whose bytes have the hex MD5 `md5_hex`) at
/// `target` as `sealing` says. Answers the content key when the object is encrypted on
/// the client side: what reads its plaintext back. Blocking.
pub(crate) fn publish_sealed(
    data_dir: &DataDir,
    temp: &Path,
    target: &Path,
    md5_hex: String,
    sealing: &Sealing,
) -> io::Result<Option<ContentKey>> {
    match sealing {
        Sealing::Server(sse) => {
            let attributes = ObjectAttributes {
                sse: sse.clone(),
                ..ObjectAttributes::default()
            };
            data_dir.publish_with(temp, target, md5_hex, attributes)?;
            Ok(None)
        }
        Sealing::Client { kms_key } => {
            let key = ContentKey::generate();
            let sealed = data_dir.temp_path("sealed");
            let encrypted = envelope::encrypt_file(&key, temp, &sealed);
            let _ = std::fs::remove_file(temp);
            let (len, md5) = encrypted.inspect_err(|_| {
                let _ = std::fs::remove_file(&sealed);
            })?;
            let attributes = ObjectAttributes {
                sse: ServerSideEncryption::default(),
                metadata: key.envelope(kms_key, len),
            };
            data_dir
                .publish_with(&sealed, target, md5, attributes)
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(&sealed);
                })?;
            Ok(Some(key))
        }
    }
}

/// Seals a file already in place (one UNLOAD wrote) as `sealing` says: it reports the
/// server-side encryption, or its bytes are replaced by their client-side encryption.
/// Blocking.
pub(crate) fn seal_in_place(data_dir: &DataDir, path: &Path, sealing: &Sealing) -> io::Result<()> {
    if *sealing == Sealing::Server(ServerSideEncryption::default()) {
        return Ok(());
    }
    let temp = data_dir.temp_path("unsealed");
    std::fs::copy(path, &temp)?;
    let mut md5 = Md5Hex::new();
    let mut file = File::open(&temp)?;
    let mut buffer = vec![0; 256 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        md5.update(&buffer[..n]);
    }
    publish_sealed(data_dir, &temp, path, md5.finish(), sealing)
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&temp);
        })
        .map(|_| ())
}

/// Writes a result file while the query runs: into a temp file of the data dir, renamed
/// into place with its `.metadata` by [`ResultWriter::finish`], so the file appears
/// whole once the query has SUCCEEDED and a failed or stopped query leaves none.
#[derive(Debug)]
pub(crate) struct ResultWriter {
    file: tokio::io::BufWriter<tokio::fs::File>,
    temp: PathBuf,
    target: PathBuf,
    kind: ResultKind,
    columns: usize,
    buffer: Vec<u8>,
    md5: Md5Hex,
    len: u64,
    /// Set once the temp file has been renamed into place.
    published: bool,
}

impl ResultWriter {
    /// Creates the temp file `temp`, to become `target`, and writes the CSV header line.
    pub(crate) async fn create(
        temp: PathBuf,
        target: PathBuf,
        kind: ResultKind,
        columns: &[ColumnMeta],
    ) -> io::Result<Self> {
        if let Some(dir) = temp.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let file = tokio::fs::File::create(&temp).await?;
        let mut writer = Self {
            file: tokio::io::BufWriter::with_capacity(256 * 1024, file),
            temp,
            target,
            kind,
            columns: columns.len(),
            buffer: Vec::new(),
            md5: Md5Hex::new(),
            len: 0,
            published: false,
        };
        if kind == ResultKind::Csv && !columns.is_empty() {
            encode_record(
                columns.iter().map(|c| Some(c.name.as_str())),
                &mut writer.buffer,
            );
            writer.flush_buffer().await?;
        }
        Ok(writer)
    }

    async fn flush_buffer(&mut self) -> io::Result<()> {
        self.file.write_all(&self.buffer).await?;
        self.md5.update(&self.buffer);
        self.len += self.buffer.len() as u64;
        self.buffer.clear();
        Ok(())
    }

    /// Appends a batch of rows.
    ///
    /// # Errors
    /// An I/O error, or (`InvalidData`) a value a `.txt` result cannot hold.
    pub(crate) async fn write_rows(&mut self, rows: &[Vec<Option<String>>]) -> io::Result<()> {
        for row in rows {
            let values = row.iter().map(Option::as_deref);
            match self.kind {
                ResultKind::Txt => encode_txt_record(values, self.columns, &mut self.buffer)?,
                ResultKind::Csv | ResultKind::Manifest => encode_record(values, &mut self.buffer),
            }
        }
        self.flush_buffer().await
    }

    /// Flushes the file, writes `metadata` as `<target>.metadata`, then moves the file
    /// to its target, both sealed as `sealing` says; returns its path, length (of the
    /// plaintext), and content key when it is encrypted client-side.
    pub(crate) async fn finish(
        mut self,
        data_dir: &Arc<DataDir>,
        metadata: Vec<u8>,
        sealing: &Sealing,
    ) -> io::Result<Finished> {
        self.file.flush().await?;
        self.file.get_mut().sync_data().await.ok();
        let mut metadata_target = self.target.clone().into_os_string();
        metadata_target.push(".metadata");
        let metadata_target = PathBuf::from(metadata_target);
        let metadata_temp = data_dir.temp_path("result.metadata");
        let mut md5 = Md5Hex::new();
        md5.update(&metadata);
        tokio::fs::write(&metadata_temp, &metadata).await?;
        let md5_hex = std::mem::replace(&mut self.md5, Md5Hex::new()).finish();
        let data_dir = Arc::clone(data_dir);
        let (temp, target) = (self.temp.clone(), self.target.clone());
        let sealing = sealing.clone();
        // The metadata first: a reader that finds the result file finds its metadata.
        let key = tokio::task::spawn_blocking(move || {
            publish_sealed(
                &data_dir,
                &metadata_temp,
                &metadata_target,
                md5.finish(),
                &sealing,
            )
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&metadata_temp);
            })?;
            publish_sealed(&data_dir, &temp, &target, md5_hex, &sealing)
        })
        .await
        .map_err(io::Error::other)??;
        self.published = true;
        Ok(Finished {
            path: self.target.clone(),
            len: self.len,
            content_key: key,
        })
    }
}

/// A result file [`ResultWriter::finish`] published.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) path: PathBuf,
    /// Bytes of the plaintext.
    pub(crate) len: u64,
    /// The key of a file encrypted client-side.
    pub(crate) content_key: Option<ContentKey>,
}

impl Drop for ResultWriter {
    /// A query that failed or was stopped leaves no result file behind.
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes the result of a statement without a data file ([`ResultKind::Manifest`]):
/// `<target>.metadata`, then the data manifest `<target>-manifest.csv`, one `s3://` URI
/// per line, `\n` after each, empty when nothing was written (docs/athena.md, "UNLOAD
/// and data manifests"). Each is renamed into place whole, the manifest last: a reader
/// that finds it finds the metadata, and the data files it lists are all complete.
pub(crate) async fn publish_manifest_result(
    data_dir: &Arc<DataDir>,
    target: &std::path::Path,
    metadata: Vec<u8>,
    manifest: &[String],
    sealing: &Sealing,
) -> io::Result<()> {
    let mut lines = Vec::with_capacity(manifest.iter().map(|u| u.len() + 1).sum());
    for uri in manifest {
        lines.extend_from_slice(uri.as_bytes());
        lines.push(b'\n');
    }
    let with_suffix = |suffix: &str| {
        let mut name = target.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    for (bytes, path) in [
        (metadata, with_suffix(".metadata")),
        (lines, with_suffix("-manifest.csv")),
    ] {
        let temp = data_dir.temp_path("result");
        let mut md5 = Md5Hex::new();
        md5.update(&bytes);
        tokio::fs::write(&temp, &bytes).await?;
        let data_dir = Arc::clone(data_dir);
        let sealing = sealing.clone();
        tokio::task::spawn_blocking(move || {
            publish_sealed(&data_dir, &temp, &path, md5.finish(), &sealing).inspect_err(|_| {
                let _ = std::fs::remove_file(&temp);
            })
        })
        .await
        .map_err(io::Error::other)??;
    }
    Ok(())
}

/// A finished result, ready to be paged.
#[derive(Debug)]
pub(crate) struct ResultFile {
    /// The `<id>.csv` or `<id>.txt` file (`<id>`, which does not exist, for a
    /// [`ResultKind::Manifest`] result: it has no rows).
    pub(crate) path: PathBuf,
    /// The `s3://` URI of that file, which errors name (never the local path).
    pub(crate) uri: String,
    /// Which of the two it is.
    pub(crate) kind: ResultKind,
    /// Its length in bytes.
    pub(crate) len: u64,
    /// Number of columns of every record.
    pub(crate) columns: usize,
    /// `ResultSetMetadata.ColumnInfo`, rendered once.
    pub(crate) column_info: Arc<[u8]>,
    /// `UpdateCount`.
    pub(crate) update_count: Option<i64>,
    /// Whether page 1 starts with the header row (DML, and SHOW FUNCTIONS).
    pub(crate) header_row: bool,
    /// The header row as a JSON row, for a `.txt` result that has one: the file holds
    /// no header line, so page 1 starts with the names its `.metadata` holds.
    pub(crate) names_row: Arc<[u8]>,
    /// `Statistics.DataManifestLocation`: the `s3://` URI of the data manifest, for a
    /// statement that has one.
    pub(crate) data_manifest_location: Option<String>,
    /// The key of a file encrypted client-side (CSE_KMS): pages are read through it, as
    /// Athena decrypts such a result for GetQueryResults.
    pub(crate) content_key: Option<ContentKey>,
}

/// The column names as one GetQueryResults row (`{"Data":[...]}`).
pub(crate) fn names_row_json(columns: &[ColumnMeta]) -> Vec<u8> {
    let mut out = b"{\"Data\":[".to_vec();
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"VarCharValue\":\"");
        escape_json(c.name.as_bytes(), &mut out);
        out.extend_from_slice(b"\"}");
    }
    out.extend_from_slice(b"]}");
    out
}

/// A result file that does not hold what this module wrote: `problem` says how.
/// `InvalidData`, which GetQueryResults answers as a permanent error (reading the same
/// bytes again cannot help).
fn corrupt(uri: &str, problem: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("Result file {uri} is corrupt: {problem}"),
    )
}

/// Reads one record (with its `\n`) into `record`; `Ok(false)` at the end of the file.
fn read_record(
    reader: &mut impl BufRead,
    kind: ResultKind,
    record: &mut Vec<u8>,
) -> io::Result<bool> {
    record.clear();
    if kind == ResultKind::Txt {
        // No quoting: every `\n` ends a record.
        return Ok(reader.read_until(b'\n', record)? > 0);
    }
    let mut quotes = 0usize;
    loop {
        let start = record.len();
        if reader.read_until(b'\n', record)? == 0 {
            return Ok(!record.is_empty());
        }
        // Quotes come in pairs outside a value and `""` inside one, so an even count
        // means the `\n` just read ends the record rather than sits inside a value.
        quotes += record[start..].iter().filter(|&&b| b == b'"').count();
        if quotes.is_multiple_of(2) {
            return Ok(true);
        }
    }
}

/// Appends one `.txt` record as `{"Data":[...]}`.
fn txt_record_to_json(record: &[u8], columns: usize, out: &mut Vec<u8>) -> Option<()> {
    let record = record.strip_suffix(b"\n").unwrap_or(record);
    std::str::from_utf8(record).ok()?;
    out.extend_from_slice(b"{\"Data\":[");
    let mut fields = 0;
    let values: Box<dyn Iterator<Item = &[u8]>> = if columns == 1 {
        Box::new(std::iter::once(record))
    } else {
        Box::new(record.split(|&b| b == b'\t'))
    };
    for value in values {
        if fields > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"VarCharValue\":\"");
        escape_json(value, out);
        out.extend_from_slice(b"\"}");
        fields += 1;
    }
    if fields != columns {
        return None;
    }
    out.extend_from_slice(b"]}");
    Some(())
}

/// Appends one CSV record as `{"Data":[...]}`.
fn record_to_json(record: &[u8], columns: usize, out: &mut Vec<u8>) -> Option<()> {
    let record = record.strip_suffix(b"\n").unwrap_or(record);
    std::str::from_utf8(record).ok()?;
    out.extend_from_slice(b"{\"Data\":[");
    let mut i = 0;
    let mut fields = 0;
    loop {
        if fields > 0 {
            out.push(b',');
        }
        if record.get(i) == Some(&b'"') {
            out.extend_from_slice(b"{\"VarCharValue\":\"");
            i += 1;
            loop {
                let end = i + record[i..].iter().position(|&b| b == b'"')?;
                escape_json(&record[i..end], out);
                i = end + 1;
                if record.get(i) == Some(&b'"') {
                    out.extend_from_slice(b"\\\"");
                    i += 1;
                } else {
                    break;
                }
            }
            out.extend_from_slice(b"\"}");
        } else {
            out.extend_from_slice(b"{}");
        }
        fields += 1;
        match record.get(i) {
            None => break,
            Some(b',') => i += 1,
            Some(_) => return None,
        }
    }
    if fields != columns {
        return None;
    }
    out.extend_from_slice(b"]}");
    Some(())
}

/// A result file, read as it is or through its decryption.
trait ReadSeek: Read + Seek {}

impl<T: Read + Seek> ReadSeek for T {}

// layout: long function, because one page read from one open file; the position is the state every step moves
/// Renders one GetQueryResults answer from the result file.
///
/// `start` is the position a NextToken carried (None: page 1). `scope` is the query id
/// the next token is bound to. Blocking: call it from `spawn_blocking`.
pub(crate) fn render_page(
    result: &ResultFile,
    key: &TokenKey,
    scope: &str,
    start: Option<Position>,
    max_rows: usize,
) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(16 * 1024);
    out.extend_from_slice(br#"{"ResultSet":{"Rows":["#);
    let mut position = start.unwrap_or(Position { offset: 0, row: 0 });
    let mut record = Vec::with_capacity(1024);
    let mut served = 0;
    if position.row == 0 && result.header_row && result.kind == ResultKind::Txt && max_rows > 0 {
        out.extend_from_slice(&result.names_row);
        position.row += 1;
        served += 1;
    }
    if position.offset < result.len {
        let unreadable =
            |e: io::Error| io::Error::new(e.kind(), format!("result file {}: {e}", result.uri));
        let file = File::open(&result.path).map_err(unreadable)?;
        let mut file: Box<dyn ReadSeek> = match &result.content_key {
            Some(key) => Box::new(DecryptingReader::new(file, key.clone())),
            None => Box::new(file),
        };
        file.seek(SeekFrom::Start(position.offset))
            .map_err(unreadable)?;
        // The records end at the length written: what follows is not rows (the tag of a
        // client-side encrypted file).
        let records = file.take(result.len - position.offset);
        let mut reader = BufReader::with_capacity(64 * 1024, records);
        if position.row == 0
            && !result.header_row
            && result.kind == ResultKind::Csv
            && read_record(&mut reader, result.kind, &mut record).map_err(unreadable)?
        {
            position.offset += record.len() as u64;
            position.row += 1;
        }
        while served < max_rows {
            if !read_record(&mut reader, result.kind, &mut record).map_err(unreadable)? {
                // The file ends before the length it was written with (it was cut or
                // replaced since): an error, never a page that hands back the token it
                // was asked with, which would page forever.
                if position.offset < result.len {
                    return Err(corrupt(
                        &result.uri,
                        &format!(
                            "it ends at byte {}, before the {} bytes it was written with",
                            position.offset, result.len
                        ),
                    ));
                }
                break;
            }
            if served > 0 {
                out.push(b',');
            }
            match result.kind {
                ResultKind::Txt => txt_record_to_json(&record, result.columns, &mut out),
                ResultKind::Csv | ResultKind::Manifest => {
                    record_to_json(&record, result.columns, &mut out)
                }
            }
            .ok_or_else(|| {
                corrupt(
                    &result.uri,
                    &format!(
                        "row {} at byte {} is not a row of {} columns",
                        position.row + 1,
                        position.offset,
                        result.columns
                    ),
                )
            })?;
            position.offset += record.len() as u64;
            position.row += 1;
            served += 1;
        }
    }
    out.extend_from_slice(br#"],"ResultSetMetadata":{"ColumnInfo":"#);
    out.extend_from_slice(&result.column_info);
    out.extend_from_slice(b"}}");
    if let Some(count) = result.update_count {
        out.extend_from_slice(format!(",\"UpdateCount\":{count}").as_bytes());
    }
    if position.offset < result.len {
        out.extend_from_slice(b",\"NextToken\":\"");
        out.extend_from_slice(key.encode(scope, position).as_bytes());
        out.push(b'"');
    }
    out.push(b'}');
    Ok(out)
}

#[cfg(test)]
mod tests;
