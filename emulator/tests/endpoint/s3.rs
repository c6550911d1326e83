//! S3 on the Athena endpoint, through the real `aws-sdk-s3` client (path-style, any
//! credentials): result files byte for byte, ranges and conditions, uploads that tables
//! read, the keys it refuses. The S3 faults are in `s3_faults.rs`.

use crate::common;

use athena_emulator::{Emulator, S3Operation};
use aws_sdk_athena::types::QueryExecutionState;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Runs `sql` to SUCCEEDED and answers its result file's `s3://` URI.
pub(crate) async fn result_uri(athena: &aws_sdk_athena::Client, sql: &str) -> String {
    let id = common::start(athena, sql).await;
    let execution = common::wait(athena, &id).await;
    assert_eq!(
        execution.status().and_then(|s| s.state()),
        Some(&QueryExecutionState::Succeeded),
        "{sql}: {execution:?}"
    );
    execution
        .result_configuration()
        .and_then(|r| r.output_location())
        .expect("an OutputLocation")
        .to_owned()
}

pub(crate) async fn get(s3: &aws_sdk_s3::Client, uri: &str) -> Vec<u8> {
    let (bucket, key) = common::bucket_and_key(uri);
    let object = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetObject {uri}: {e:?}"));
    object.body.collect().await.unwrap().into_bytes().to_vec()
}

/// A protobuf field as the test decodes it.
#[derive(Debug, PartialEq)]
enum Field {
    Int(u32, u64),
    Bytes(u32, Vec<u8>),
}

/// A decoder independent of the emulator's encoder: fields in order.
fn protobuf_fields(mut bytes: &[u8]) -> Vec<Field> {
    fn varint(bytes: &mut &[u8]) -> u64 {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = bytes[0];
            *bytes = &bytes[1..];
            value |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                break;
            }
        }
        value
    }
    let mut fields = Vec::new();
    while !bytes.is_empty() {
        let key = varint(&mut bytes);
        let number = (key >> 3) as u32;
        match key & 7 {
            0 => fields.push(Field::Int(number, varint(&mut bytes))),
            2 => {
                let len = varint(&mut bytes) as usize;
                fields.push(Field::Bytes(number, bytes[..len].to_vec()));
                bytes = &bytes[len..];
            }
            other => panic!("wire type {other} in a .metadata file"),
        }
    }
    fields
}

/// The `.csv.metadata` columns Athena writes for a varchar column `name`.
fn varchar_column(name: &str) -> Vec<Field> {
    vec![
        Field::Bytes(1, b"hive".to_vec()),
        Field::Bytes(4, name.as_bytes().to_vec()),
        Field::Bytes(5, name.as_bytes().to_vec()),
        Field::Bytes(6, b"varchar".to_vec()),
        Field::Int(7, 2_147_483_647),
        Field::Int(8, 0),
        Field::Int(9, 3),
        Field::Int(10, 1),
    ]
}

fn check_metadata(bytes: &[u8], columns: &[Vec<Field>]) {
    let fields = protobuf_fields(bytes);
    let Field::Bytes(1, engine_id) = &fields[0] else {
        panic!("field 1 first: {fields:?}")
    };
    // Trino's form: 20190513_152236_00114_n7swu.
    let engine_id = std::str::from_utf8(engine_id).unwrap();
    assert_eq!(engine_id.len(), 27, "{engine_id}");
    assert_eq!(
        engine_id.chars().filter(|c| *c == '_').count(),
        3,
        "{engine_id}"
    );
    assert_eq!(fields.len(), 1 + columns.len());
    for (field, expected) in fields[1..].iter().zip(columns) {
        let Field::Bytes(4, column) = field else {
            panic!("field 4 per column: {field:?}")
        };
        assert_eq!(&protobuf_fields(column), expected);
    }
}

#[tokio::test]
async fn result_files_are_byte_exact_through_s3() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let s3 = common::s3_client(&emulator);

    let uri = result_uri(
        &athena,
        "SELECT 'say \"hi\"' AS q, 'x,y' AS c, 'one' || chr(13) || chr(10) || 'two' AS crlf, \
         '' AS empty, CAST(NULL AS VARCHAR) AS n, 'é😀' AS u",
    )
    .await;
    assert!(
        uri.starts_with("s3://athena-emulator-results/") && uri.ends_with(".csv"),
        "{uri}"
    );
    assert_eq!(
        get(&s3, &uri).await,
        "\"q\",\"c\",\"crlf\",\"empty\",\"n\",\"u\"\n\
         \"say \"\"hi\"\"\",\"x,y\",\"one\r\ntwo\",\"\",,\"é😀\"\n"
            .as_bytes()
    );
    let columns: Vec<Vec<Field>> = ["q", "c", "crlf", "empty", "n", "u"]
        .into_iter()
        .map(varchar_column)
        .collect();
    check_metadata(&get(&s3, &format!("{uri}.metadata")).await, &columns);

    // A one-column NULL row is an empty line; no rows is the header alone.
    let uri = result_uri(&athena, "SELECT CAST(NULL AS VARCHAR) AS v").await;
    assert_eq!(get(&s3, &uri).await, b"\"v\"\n\n");
    let uri = result_uri(&athena, "SELECT 'a' AS v WHERE false").await;
    assert_eq!(get(&s3, &uri).await, b"\"v\"\n");

    // A bigint column's metadata: precision 19, not case sensitive.
    let uri = result_uri(&athena, "SELECT CAST(1 AS BIGINT) AS n").await;
    assert_eq!(get(&s3, &uri).await, b"\"n\"\n\"1\"\n");
    check_metadata(
        &get(&s3, &format!("{uri}.metadata")).await,
        &[vec![
            Field::Bytes(1, b"hive".to_vec()),
            Field::Bytes(4, b"n".to_vec()),
            Field::Bytes(5, b"n".to_vec()),
            Field::Bytes(6, b"bigint".to_vec()),
            Field::Int(7, 19),
            Field::Int(8, 0),
            Field::Int(9, 3),
            Field::Int(10, 0),
        ]],
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn utility_and_ddl_results_are_tab_separated_txt_files() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let s3 = common::s3_client(&emulator);

    let uri = result_uri(&athena, "CREATE DATABASE txt_db").await;
    assert!(uri.ends_with(".txt"), "{uri}");
    assert_eq!(get(&s3, &uri).await, b"");
    check_metadata(&get(&s3, &format!("{uri}.metadata")).await, &[]);

    let uri = result_uri(&athena, "SHOW DATABASES").await;
    assert!(uri.ends_with(".txt"), "{uri}");
    let file = String::from_utf8(get(&s3, &uri).await).unwrap();
    assert!(file.lines().any(|l| l == "txt_db"), "{file:?}");
    assert!(file.ends_with('\n') && !file.contains('"'), "{file:?}");
    // GetQueryResults pages that same file: rows are its lines, no header row.
    let id = uri
        .rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".txt")
        .to_owned();
    let rows: Vec<Vec<Option<String>>> = common::pages(&athena, &id, None)
        .await
        .iter()
        .flat_map(|p| p.result_set().map(|r| r.rows()).unwrap_or_default())
        .map(common::values)
        .collect();
    let lines: Vec<Vec<Option<String>>> = file.lines().map(|l| vec![Some(l.to_owned())]).collect();
    assert_eq!(rows, lines);

    // EXPLAIN: a .txt without a header line; page 1 still starts with the names.
    let uri = result_uri(&athena, "EXPLAIN SELECT 1").await;
    assert!(uri.ends_with(".txt"), "{uri}");
    let file = String::from_utf8(get(&s3, &uri).await).unwrap();
    assert!(!file.starts_with("Query Plan"), "{file:?}");
    let id = uri.rsplit('/').next().unwrap().trim_end_matches(".txt");
    let first = common::pages(&athena, id, None).await;
    let first_row = common::values(&first[0].result_set().unwrap().rows()[0]);
    assert_eq!(first_row, [Some("Query Plan".to_owned())]);

    // SHOW FUNCTIONS: six tab-separated columns, and the header row on page 1.
    let uri = result_uri(&athena, "SHOW FUNCTIONS LIKE 'upper'").await;
    let file = String::from_utf8(get(&s3, &uri).await).unwrap();
    assert!(file.starts_with("upper\t"), "{file:?}");
    assert_eq!(
        file.lines().next().unwrap().split('\t').count(),
        6,
        "{file:?}"
    );
    let id = uri.rsplit('/').next().unwrap().trim_end_matches(".txt");
    let pages = common::pages(&athena, id, None).await;
    let rows = pages[0].result_set().unwrap().rows();
    assert_eq!(common::values(&rows[0])[0].as_deref(), Some("Function"));
    assert_eq!(common::values(&rows[1])[0].as_deref(), Some("upper"));
    emulator.shutdown().await;
}

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn ranges_etags_and_conditions_follow_s3() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let s3 = common::s3_client_without_retries(&emulator);
    let uri = result_uri(&athena, "SELECT 'abcdefghij' AS v").await;
    let (bucket, key) = common::bucket_and_key(&uri);
    let whole = get(&s3, &uri).await;
    assert_eq!(whole, b"\"v\"\n\"abcdefghij\"\n");
    let len = whole.len();

    let head = s3
        .head_object()
        .bucket(&bucket)
        .key(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(len as i64));
    let etag = head.e_tag().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");

    let range = |r: &str| s3.get_object().bucket(&bucket).key(&key).range(r).send();
    for (asked, start, end) in [
        ("bytes=0-4", 0, 4),
        ("bytes=4-", 4, len - 1),
        ("bytes=-3", len - 3, len - 1),
        ("bytes=10-1000", 10, len - 1),
    ] {
        let part = range(asked).await.unwrap();
        assert_eq!(
            part.content_range(),
            Some(format!("bytes {start}-{end}/{len}").as_str())
        );
        assert_eq!(part.e_tag(), Some(etag.as_str()));
        let bytes = part.body.collect().await.unwrap().into_bytes();
        assert_eq!(&bytes[..], &whole[start..=end], "{asked}");
    }
    let unsatisfiable = range(&format!("bytes={len}-")).await.unwrap_err();
    assert_eq!(unsatisfiable.code(), Some("InvalidRange"));
    assert_eq!(unsatisfiable.raw_response().unwrap().status().as_u16(), 416);

    let pinned = s3
        .get_object()
        .bucket(&bucket)
        .key(&key)
        .range("bytes=0-2")
        .if_match(&etag)
        .send()
        .await
        .unwrap();
    assert_eq!(pinned.content_length(), Some(3));
    let pinned = pinned.body.collect().await.unwrap().into_bytes();
    assert_eq!(&pinned[..], &whole[..3]);
    let moved = s3
        .get_object()
        .bucket(&bucket)
        .key(&key)
        .if_match("\"0123456789abcdef0123456789abcdef\"")
        .send()
        .await
        .unwrap_err();
    assert_eq!(moved.code(), Some("PreconditionFailed"));
    assert_eq!(moved.raw_response().unwrap().status().as_u16(), 412);
    let unchanged = s3
        .get_object()
        .bucket(&bucket)
        .key(&key)
        .if_none_match(&etag)
        .send()
        .await
        .unwrap_err();
    assert_eq!(unchanged.raw_response().unwrap().status().as_u16(), 304);
    let changed = s3
        .get_object()
        .bucket(&bucket)
        .key(&key)
        .if_none_match("\"0123456789abcdef0123456789abcdef\"")
        .send()
        .await
        .unwrap();
    assert_eq!(changed.content_length(), Some(len as i64));
    // The server counts bytes as the connection takes them: read the body to its end, so
    // that they have all been counted before the counts are taken.
    let body = changed.body.collect().await.unwrap().into_bytes();
    assert_eq!(body.len(), len);

    let counts = emulator.s3_calls();
    assert_eq!(counts.get(S3Operation::HeadObject), 1);
    // The whole file once, the four ranges, the 3 pinned bytes and the changed one.
    let ranged: usize = 5 + (len - 4) + 3 + (len - 10);
    assert_eq!(
        counts.bytes(S3Operation::GetObject),
        (len + ranged + 3 + len) as u64
    );
    emulator.shutdown().await;
}

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn uploaded_files_are_listed_and_queried() {
    let emulator = common::emulator().await;
    let athena = common::client(&emulator);
    let s3 = common::s3_client(&emulator);

    let missing = s3
        .put_object()
        .bucket("no-such-bucket")
        .key("k")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("NoSuchBucket"));
    s3.create_bucket().bucket("data").send().await.unwrap();
    let again = s3.create_bucket().bucket("data").send().await.unwrap_err();
    assert_eq!(again.code(), Some("BucketAlreadyOwnedByYou"));
    s3.head_bucket().bucket("data").send().await.unwrap();

    for (key, body) in [
        ("tables/people/part-1.csv", "1|ann\n2|bob\n"),
        ("tables/people/part-2.csv", "3|cy\n"),
        ("tables/other/x.csv", "9|zed\n"),
        ("top.txt", "top"),
    ] {
        let put = s3
            .put_object()
            .bucket("data")
            .key(key)
            .body(ByteStream::from_static(body.as_bytes()))
            .send()
            .await
            .unwrap();
        assert_eq!(put.e_tag().map(str::len), Some(34));
    }
    // A streamed upload (the SDK may send it aws-chunked) stores the payload alone.
    let path = std::env::temp_dir().join(format!("athena-emulator-upload-{}", std::process::id()));
    let streamed: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    tokio::fs::write(&path, &streamed).await.unwrap();
    s3.put_object()
        .bucket("data")
        .key("blobs/streamed.bin")
        .body(ByteStream::from_path(&path).await.unwrap())
        .send()
        .await
        .unwrap();
    let _ = tokio::fs::remove_file(&path).await;
    assert_eq!(get(&s3, "s3://data/blobs/streamed.bin").await, streamed);

    let buckets = s3.list_buckets().send().await.unwrap();
    let names: Vec<&str> = buckets.buckets().iter().filter_map(|b| b.name()).collect();
    assert!(names.contains(&"data"), "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");

    let listed = s3
        .list_objects_v2()
        .bucket("data")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    let prefixes: Vec<&str> = listed
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .collect();
    assert_eq!(prefixes, ["blobs/", "tables/"]);
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["top.txt"]);

    // Paging one key at a time with continuation tokens.
    let mut token = None;
    let mut paged = Vec::new();
    loop {
        let page = s3
            .list_objects_v2()
            .bucket("data")
            .prefix("tables/")
            .max_keys(1)
            .set_continuation_token(token.clone())
            .send()
            .await
            .unwrap();
        paged.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_owned)),
        );
        match page.next_continuation_token() {
            Some(next) => {
                assert_eq!(page.is_truncated(), Some(true));
                token = Some(next.to_owned());
            }
            None => break,
        }
    }
    assert_eq!(
        paged,
        [
            "tables/other/x.csv",
            "tables/people/part-1.csv",
            "tables/people/part-2.csv"
        ]
    );

    // What was uploaded through S3 is what a table LOCATION reads.
    common::run(
        &athena,
        "CREATE EXTERNAL TABLE people (id int, name string) \
         ROW FORMAT DELIMITED FIELDS TERMINATED BY '|' LOCATION 's3://data/tables/people/'",
    )
    .await;
    let rows = common::run(&athena, "SELECT name FROM people ORDER BY id").await;
    let names: Vec<Option<String>> = rows.into_iter().skip(1).map(|r| r[0].clone()).collect();
    assert_eq!(
        names,
        [Some("ann".into()), Some("bob".into()), Some("cy".into())]
    );

    s3.delete_object()
        .bucket("data")
        .key("tables/other/x.csv")
        .send()
        .await
        .unwrap();
    let gone = s3
        .get_object()
        .bucket("data")
        .key("tables/other/x.csv")
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Some("NoSuchKey"));
    // Deleting what is not there succeeds, as on S3.
    s3.delete_object()
        .bucket("data")
        .key("tables/other/x.csv")
        .send()
        .await
        .unwrap();
    let listed = s3
        .list_objects_v2()
        .bucket("data")
        .prefix("tables/")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    let prefixes: Vec<&str> = listed
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .collect();
    assert_eq!(prefixes, ["tables/people/"]);

    let counts = emulator.s3_calls();
    assert_eq!(counts.get(S3Operation::PutObject), 6);
    assert_eq!(counts.get(S3Operation::DeleteObject), 2);
    assert_eq!(counts.faulted(S3Operation::PutObject), 0);
    emulator.shutdown().await;
}

/// Sends one raw HTTP request and answers status and body.
async fn raw(emulator: &Emulator, request: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(emulator.local_addr())
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test]
async fn keys_and_locations_that_leave_the_data_dir_are_refused() {
    let base = std::env::temp_dir().join(format!("athena-emulator-escape-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let data_dir = base.join("data");
    let outside = base.join("outside");
    std::fs::create_dir_all(data_dir.join("bucket")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), b"secret").unwrap();
    std::fs::write(data_dir.join("bucket/inside.txt"), b"inside").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, data_dir.join("bucket/link")).unwrap();

    let emulator = common::builder_with(athena_emulator::EngineConfig {
        data_dir: data_dir.clone(),
        ..common::engine_config()
    })
    .start()
    .await
    .unwrap();
    let s3 = common::s3_client_without_retries(&emulator);
    let athena = common::client(&emulator);

    // `..` as the raw path sends it (an SDK might normalise it away).
    for path in [
        "/bucket/../outside/secret.txt",
        "/bucket/a/../../../outside/secret.txt",
        "/bucket/..%2F..%2Foutside%2Fsecret.txt",
        "/bucket/./inside.txt",
    ] {
        let (status, body) = raw(
            &emulator,
            &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
        )
        .await;
        assert_eq!(status, 403, "{path}: {body}");
        assert!(body.contains("<Code>AccessDenied</Code>"), "{path}: {body}");
    }
    let (status, body) = raw(
        &emulator,
        "GET /bucket/a//b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("<Code>InvalidArgument</Code>"), "{body}");
    let too_long = s3
        .get_object()
        .bucket("bucket")
        .key("k".repeat(1025))
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_long.code(), Some("KeyTooLongError"));
    assert_eq!(
        get(&s3, "s3://bucket/inside.txt").await,
        b"inside",
        "the same client reads what is inside"
    );

    #[cfg(unix)]
    {
        let through_link = s3
            .get_object()
            .bucket("bucket")
            .key("link/secret.txt")
            .send()
            .await
            .unwrap_err();
        assert_eq!(through_link.code(), Some("AccessDenied"));
        let write_through_link = s3
            .put_object()
            .bucket("bucket")
            .key("link/planted.txt")
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(write_through_link.code(), Some("AccessDenied"));
        assert!(!outside.join("planted.txt").exists());
        let listed = s3.list_objects_v2().bucket("bucket").send().await.unwrap();
        let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
        assert_eq!(keys, ["inside.txt"], "nothing behind the link is listed");

        // An OutputLocation through the link: the query fails, nothing is written.
        let id = athena
            .start_query_execution()
            .query_string("SELECT 1")
            .result_configuration(
                aws_sdk_athena::types::ResultConfiguration::builder()
                    .output_location("s3://bucket/link/results/")
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .query_execution_id
            .unwrap();
        let execution = common::wait(&athena, &id).await;
        let status = execution.status().unwrap();
        assert_eq!(status.state(), Some(&QueryExecutionState::Failed));
        assert!(
            status
                .state_change_reason()
                .unwrap()
                .starts_with("Access denied when writing output to url: s3://bucket/link/results/"),
            "{status:?}"
        );
        assert!(!outside.join("results").exists());

        // A table LOCATION through the link is refused by the engine.
        let id = common::start(
            &athena,
            "CREATE EXTERNAL TABLE leak (line string) LOCATION 's3://bucket/link/'",
        )
        .await;
        let execution = common::wait(&athena, &id).await;
        assert_eq!(
            execution.status().and_then(|s| s.state()),
            Some(&QueryExecutionState::Failed),
            "{execution:?}"
        );
    }
    // An OutputLocation with `..` is refused at start, as before.
    let refused = athena
        .start_query_execution()
        .query_string("SELECT 1")
        .result_configuration(
            aws_sdk_athena::types::ResultConfiguration::builder()
                .output_location("s3://bucket/../outside/")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        format!("{refused:?}").contains("outputLocation"),
        "{refused:?}"
    );

    emulator.shutdown().await;
    let _ = std::fs::remove_dir_all(&base);
}

#[tokio::test]
async fn requests_the_emulator_does_not_serve_answer_s3_errors() {
    let emulator = common::emulator().await;
    // GetBucketAcl: not served, answered in S3's shape.
    let (status, body) = raw(
        &emulator,
        "GET /bucket?acl HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 501, "{body}");
    assert!(body.contains("<Code>NotImplemented</Code>"), "{body}");
    let (status, body) = raw(
        &emulator,
        "GET /no-such-bucket/k HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("<Code>NoSuchBucket</Code>"), "{body}");
    // Athena calls on the same port are untouched.
    let athena = common::client(&emulator);
    common::run(&athena, "SELECT 1").await;
    assert_eq!(
        emulator
            .calls()
            .get(athena_emulator::Operation::StartQueryExecution),
        1
    );
    emulator.shutdown().await;
}
