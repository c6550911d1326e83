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
    dir: PathBuf,
    result: ResultFile,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn fixture(
    name: &str,
    kind: ResultKind,
    rows: &[Vec<Option<String>>],
    header_row: bool,
) -> Fixture {
    sealed_fixture(
        name,
        kind,
        rows,
        header_row,
        &Sealing::Server(Default::default()),
    )
    .await
}

async fn sealed_fixture(
    name: &str,
    kind: ResultKind,
    rows: &[Vec<Option<String>>],
    header_row: bool,
    sealing: &Sealing,
) -> Fixture {
    let dir = std::env::temp_dir().join(format!(
        "athena-emulator-results-test-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data_dir = Arc::new(DataDir::open(&dir).unwrap());
    let columns = vec![meta("a"), meta("b \"q\"")];
    let target = data_dir.root().join("bucket").join(kind.file_name("x"));
    let mut writer = ResultWriter::create(data_dir.temp_path("x"), target.clone(), kind, &columns)
        .await
        .unwrap();
    writer.write_rows(rows).await.unwrap();
    assert!(!target.exists(), "published only when finished");
    let finished = writer
        .finish(&data_dir, b"meta".to_vec(), sealing)
        .await
        .unwrap();
    let (path, len) = (finished.path, finished.len);
    assert_eq!(path, target);
    let metadata = std::fs::read(format!("{}.metadata", target.display())).unwrap();
    assert_eq!(metadata == b"meta", finished.content_key.is_none());
    Fixture {
        dir,
        result: ResultFile {
            path,
            uri: format!("s3://bucket/{}", kind.file_name("x")),
            kind,
            len,
            columns: 2,
            column_info: column_info_json(&columns).into(),
            update_count: Some(0),
            header_row,
            names_row: names_row_json(&columns).into(),
            data_manifest_location: None,
            content_key: finished.content_key,
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

fn txt_rows(n: usize) -> Vec<Vec<Option<String>>> {
    (0..n)
        .map(|i| match i % 4 {
            2 => vec![Some(i.to_string()), Some("é \"x\",".into())],
            _ => vec![Some(i.to_string()), None],
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
    let f = fixture("dml", ResultKind::Csv, &data, true).await;
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
    let f = fixture("1500", ResultKind::Csv, &rows(1500), true).await;
    let key = TokenKey::new();
    let first = page(&f, &key, None, 1000);
    assert_eq!(values(&first).len(), 1000);
    let second = page(&f, &key, first["NextToken"].as_str(), 1000);
    assert_eq!(values(&second).len(), 501);
    assert!(second.get("NextToken").is_none());
}

#[tokio::test]
async fn utility_pages_start_with_data() {
    let data = txt_rows(7);
    let f = fixture("utility", ResultKind::Txt, &data, false).await;
    assert_eq!(
        std::fs::read(&f.result.path).unwrap(),
        b"0\t\n1\t\n2\t\xc3\xa9 \"x\",\n3\t\n4\t\n5\t\n6\t\xc3\xa9 \"x\",\n"
    );
    let key = TokenKey::new();
    let (all, pages) = read_all(&f, &key, 3);
    assert_eq!(pages, 3);
    // No NULL in a .txt: an empty value reads as the empty string.
    let expected: Vec<Vec<Option<String>>> = data
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| Some(v.clone().unwrap_or_default()))
                .collect()
        })
        .collect();
    assert_eq!(all, expected);

    // A csv without a header row skips the file's header line.
    let data = rows(7);
    let f = fixture("utility-csv", ResultKind::Csv, &data, false).await;
    assert_eq!(read_all(&f, &key, 3).0, data);
}

/// SHOW FUNCTIONS and EXPLAIN: a `.txt` file without a header line, and page 1
/// starting with the names all the same; the header row counts toward MaxResults.
#[tokio::test]
async fn txt_results_with_a_header_row_start_with_the_names() {
    let data = txt_rows(4);
    let f = fixture("txt-header", ResultKind::Txt, &data, true).await;
    let key = TokenKey::new();
    let (all, pages) = read_all(&f, &key, 1);
    assert_eq!(pages, 5);
    assert_eq!(all[0], vec![Some("a".into()), Some("b \"q\"".into())]);
    assert_eq!(all.len(), 5);
    let (all, pages) = read_all(&f, &key, 1000);
    assert_eq!((all.len(), pages), (5, 1));
    let f = fixture("txt-header-empty", ResultKind::Txt, &[], true).await;
    let (all, pages) = read_all(&f, &key, 1000);
    assert_eq!((all.len(), pages), (1, 1));
}

#[test]
fn txt_refuses_values_it_cannot_hold() {
    let mut out = Vec::new();
    assert!(encode_txt_record([Some("a\tb")], 1, &mut out).is_ok());
    assert_eq!(out, b"a\tb\n");
    assert!(encode_txt_record([Some("a\tb"), None], 2, &mut out).is_err());
    assert!(encode_txt_record([Some("a\nb")], 1, &mut out).is_err());
}

#[test]
fn result_kinds_follow_the_statement() {
    use crate::engine::{StatementType as S, SubstatementType as T};
    assert_eq!(ResultKind::of(S::Dml, T::Select), ResultKind::Csv);
    assert_eq!(
        ResultKind::of(S::Dml, T::CreateTableAsSelect),
        ResultKind::Csv
    );
    assert_eq!(ResultKind::of(S::Dml, T::Explain), ResultKind::Txt);
    assert_eq!(ResultKind::of(S::Utility, T::ShowTables), ResultKind::Txt);
    assert_eq!(ResultKind::of(S::Ddl, T::CreateTable), ResultKind::Txt);
}

#[tokio::test]
async fn exact_multiples_end_without_an_empty_page() {
    let f = fixture("exact", ResultKind::Csv, &rows(999), true).await;
    let (all, pages) = read_all(&f, &TokenKey::new(), 1000);
    assert_eq!((all.len(), pages), (1000, 1));
    let f = fixture("empty", ResultKind::Csv, &[], true).await;
    let (all, pages) = read_all(&f, &TokenKey::new(), 1000);
    assert_eq!((all.len(), pages), (1, 1));
    let f = fixture("empty-utility", ResultKind::Txt, &[], false).await;
    let (all, pages) = read_all(&f, &TokenKey::new(), 1000);
    assert_eq!((all.len(), pages), (0, 1));
}

#[tokio::test]
async fn one_row_pages() {
    let data = rows(5);
    let f = fixture("ones", ResultKind::Csv, &data, true).await;
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

#[tokio::test]
async fn a_client_side_encrypted_result_stores_ciphertext_and_pages_its_plaintext() {
    let data = rows(2500);
    let plain = fixture("cse-plain", ResultKind::Csv, &data, true).await;
    let sealing = Sealing::Client {
        kms_key: "alias/results".into(),
    };
    let sealed = sealed_fixture("cse", ResultKind::Csv, &data, true, &sealing).await;
    // The object holds ciphertext (and a 16-byte tag), never the CSV.
    let stored = std::fs::read(&sealed.result.path).unwrap();
    let csv = std::fs::read(&plain.result.path).unwrap();
    assert_eq!(stored.len(), csv.len() + 16);
    assert_ne!(&stored[..csv.len()], &csv[..]);
    assert!(!stored.windows(5).any(|w| w == b"\"a\",\""));
    // Its pages are the plain result's, token for token in position.
    let key = TokenKey::new();
    assert_eq!(read_all(&sealed, &key, 1000), read_all(&plain, &key, 1000));
    assert_eq!(read_all(&sealed, &key, 7), read_all(&plain, &key, 7));
}
