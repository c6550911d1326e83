//! Result files and the pages GetQueryResults serves from them.
//!
//! A query's rows are written as Athena writes them (`<id>.csv`: a quoted header line,
//! every value quoted with `"` doubled inside, NULL an empty unquoted field), and every
//! page is read back from that file: seek to the offset the `NextToken` carries, parse at
//! most `MaxResults` records, and write the JSON answer straight from the file's bytes.
//! Nothing of a result is held in memory between pages, so any size is servable.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::io::AsyncWriteExt;

use super::token::{Position, TokenKey};

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

/// Appends `bytes` (UTF-8) to a JSON string being written, escaped.
pub(crate) fn escape_json(bytes: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => &[],
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escaped.is_empty() {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]);
        } else {
            out.extend_from_slice(escaped);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
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

/// Writes a result file while the query runs.
#[derive(Debug)]
pub(crate) struct ResultWriter {
    file: tokio::io::BufWriter<tokio::fs::File>,
    path: PathBuf,
    buffer: Vec<u8>,
    len: u64,
    rows: u64,
}

impl ResultWriter {
    /// Creates `path` (and its directories) and writes the header line.
    pub(crate) async fn create(path: PathBuf, columns: &[ColumnMeta]) -> io::Result<Self> {
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let file = tokio::fs::File::create(&path).await?;
        let mut writer = Self {
            file: tokio::io::BufWriter::with_capacity(256 * 1024, file),
            path,
            buffer: Vec::new(),
            len: 0,
            rows: 0,
        };
        if !columns.is_empty() {
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
        self.len += self.buffer.len() as u64;
        self.buffer.clear();
        Ok(())
    }

    /// Appends a batch of rows.
    pub(crate) async fn write_rows(&mut self, rows: &[Vec<Option<String>>]) -> io::Result<()> {
        for row in rows {
            encode_record(row.iter().map(Option::as_deref), &mut self.buffer);
        }
        self.rows += rows.len() as u64;
        self.flush_buffer().await
    }

    /// Flushes and closes the file; returns its path, length and data row count.
    pub(crate) async fn finish(mut self) -> io::Result<(PathBuf, u64, u64)> {
        self.file.flush().await?;
        self.file.get_mut().sync_data().await.ok();
        Ok((self.path, self.len, self.rows))
    }
}

/// A finished result, ready to be paged.
#[derive(Debug)]
pub(crate) struct ResultFile {
    /// The `<id>.csv` file.
    pub(crate) path: PathBuf,
    /// Its length in bytes.
    pub(crate) len: u64,
    /// Number of columns of every record.
    pub(crate) columns: usize,
    /// `ResultSetMetadata.ColumnInfo`, rendered once.
    pub(crate) column_info: Arc<[u8]>,
    /// `UpdateCount`.
    pub(crate) update_count: Option<i64>,
    /// Whether page 1 starts with the header row (DML).
    pub(crate) header_row: bool,
}

/// A result file that does not hold what this module wrote.
fn corrupt(path: &std::path::Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("result file {} is corrupt", path.display()),
    )
}

/// Reads one record (with its `\n`) into `record`; `Ok(false)` at the end of the file.
fn read_record(reader: &mut impl BufRead, record: &mut Vec<u8>) -> io::Result<bool> {
    record.clear();
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

/// Appends one record as `{"Data":[...]}`.
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
    if position.offset < result.len {
        let mut file = File::open(&result.path)?;
        file.seek(SeekFrom::Start(position.offset))?;
        let mut reader = BufReader::with_capacity(64 * 1024, file);
        if position.row == 0 && !result.header_row && read_record(&mut reader, &mut record)? {
            position.offset += record.len() as u64;
            position.row += 1;
        }
        let mut served = 0;
        while served < max_rows && read_record(&mut reader, &mut record)? {
            if served > 0 {
                out.push(b',');
            }
            record_to_json(&record, result.columns, &mut out)
                .ok_or_else(|| corrupt(&result.path))?;
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
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn meta(name: &str) -> ColumnMeta {
        ColumnMeta {
            name: name.into(),
            athena_type: "varchar".into(),
            precision: 2147483647,
            scale: 0,
            case_sensitive: true,
        }
    }

    #[test]
    fn csv_quotes_every_value_and_leaves_null_empty() {
        let mut out = Vec::new();
        encode_record([Some("a"), None, Some(""), Some("say \"hi\"\n")], &mut out);
        assert_eq!(out, b"\"a\",,\"\",\"say \"\"hi\"\"\n\"\n");
    }

    #[test]
    fn json_escaping_keeps_every_character() {
        let text = "q\"b\\s\n\r\t\u{1}\u{1f}é😀";
        let mut out = b"\"".to_vec();
        escape_json(text.as_bytes(), &mut out);
        out.push(b'"');
        assert_eq!(serde_json::from_slice::<String>(&out).unwrap(), text);
    }

    struct Fixture {
        _dir: PathBuf,
        result: ResultFile,
    }

    async fn fixture(name: &str, rows: &[Vec<Option<String>>], header_row: bool) -> Fixture {
        let dir = std::env::temp_dir().join(format!(
            "athena-emulator-results-test-{}-{name}",
            std::process::id()
        ));
        let columns = vec![meta("a"), meta("b \"q\"")];
        let mut writer = ResultWriter::create(dir.join("x.csv"), &columns)
            .await
            .unwrap();
        writer.write_rows(rows).await.unwrap();
        let (path, len, count) = writer.finish().await.unwrap();
        assert_eq!(count, rows.len() as u64);
        Fixture {
            _dir: dir,
            result: ResultFile {
                path,
                len,
                columns: 2,
                column_info: column_info_json(&columns).into(),
                update_count: Some(0),
                header_row,
            },
        }
    }

    fn page(f: &Fixture, key: &TokenKey, token: Option<&str>, max: usize) -> Value {
        let start = token.map(|t| key.decode("q", t).expect("own token"));
        serde_json::from_slice(&render_page(&f.result, key, "q", start, max).unwrap()).unwrap()
    }

    fn values(page: &Value) -> Vec<Vec<Option<String>>> {
        page["ResultSet"]["Rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row["Data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| {
                        d.get("VarCharValue")
                            .map(|v| v.as_str().unwrap().to_owned())
                    })
                    .collect()
            })
            .collect()
    }

    fn rows(n: usize) -> Vec<Vec<Option<String>>> {
        (0..n)
            .map(|i| match i % 4 {
                0 => vec![Some(i.to_string()), None],
                1 => vec![Some(i.to_string()), Some(String::new())],
                2 => vec![Some(format!("{i}\n,\"x\"")), Some("é".into())],
                _ => vec![None, Some(format!("{i}"))],
            })
            .collect()
    }

    fn read_all(f: &Fixture, key: &TokenKey, max: usize) -> (Vec<Vec<Option<String>>>, usize) {
        let mut token: Option<String> = None;
        let mut all = Vec::new();
        let mut pages = 0;
        loop {
            let p = page(f, key, token.as_deref(), max);
            pages += 1;
            let vals = values(&p);
            assert!(vals.len() <= max);
            all.extend(vals);
            match p.get("NextToken") {
                Some(t) => token = Some(t.as_str().unwrap().to_owned()),
                None => return (all, pages),
            }
        }
    }

    #[tokio::test]
    async fn dml_pages_start_with_the_header_and_lose_no_row() {
        let data = rows(2500);
        let f = fixture("dml", &data, true).await;
        let key = TokenKey::new();
        let (all, pages) = read_all(&f, &key, 1000);
        assert_eq!(pages, 3);
        assert_eq!(all[0], vec![Some("a".into()), Some("b \"q\"".into())]);
        assert_eq!(&all[1..], &data[..]);

        let first = page(&f, &key, None, 1000);
        assert_eq!(first["UpdateCount"], 0);
        assert_eq!(
            first["ResultSet"]["ResultSetMetadata"]["ColumnInfo"][1],
            json!({"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": "b \"q\"",
                   "Label": "b \"q\"", "Type": "varchar", "Precision": 2147483647, "Scale": 0,
                   "Nullable": "UNKNOWN", "CaseSensitive": true})
        );
    }

    #[tokio::test]
    async fn a_1500_row_select_is_header_plus_999_then_501() {
        let f = fixture("1500", &rows(1500), true).await;
        let key = TokenKey::new();
        let first = page(&f, &key, None, 1000);
        assert_eq!(values(&first).len(), 1000);
        let second = page(&f, &key, first["NextToken"].as_str(), 1000);
        assert_eq!(values(&second).len(), 501);
        assert!(second.get("NextToken").is_none());
    }

    #[tokio::test]
    async fn utility_pages_start_with_data() {
        let data = rows(7);
        let f = fixture("utility", &data, false).await;
        let key = TokenKey::new();
        let (all, pages) = read_all(&f, &key, 3);
        assert_eq!(pages, 3);
        assert_eq!(all, data);
    }

    #[tokio::test]
    async fn exact_multiples_end_without_an_empty_page() {
        let f = fixture("exact", &rows(999), true).await;
        let (all, pages) = read_all(&f, &TokenKey::new(), 1000);
        assert_eq!((all.len(), pages), (1000, 1));
        let f = fixture("empty", &[], true).await;
        let (all, pages) = read_all(&f, &TokenKey::new(), 1000);
        assert_eq!((all.len(), pages), (1, 1));
        let f = fixture("empty-utility", &[], false).await;
        let (all, pages) = read_all(&f, &TokenKey::new(), 1000);
        assert_eq!((all.len(), pages), (0, 1));
    }

    #[tokio::test]
    async fn one_row_pages() {
        let data = rows(5);
        let f = fixture("ones", &data, true).await;
        let (all, pages) = read_all(&f, &TokenKey::new(), 1);
        assert_eq!(pages, 6);
        assert_eq!(&all[1..], &data[..]);
    }

    #[test]
    fn corrupt_records_are_rejected_not_panicked_on() {
        for bad in [
            &b"\"a"[..],
            b"\"a\"x",
            b"\"a\",\"b\",",
            b"\xff",
            b"\"a\"\"",
            b"a,b",
        ] {
            let mut out = Vec::new();
            assert_eq!(record_to_json(bad, 2, &mut out), None, "{bad:?}");
        }
    }
}
