//! The flags, checked before anything starts, and the rows as JSON.

use super::*;

fn args(flags: &[&str]) -> Args {
    Args::try_parse_from(std::iter::once("cloudfront_map").chain(flags.iter().copied())).unwrap()
}

#[test]
fn jsonl_to_stdout_is_the_default() {
    let args = args(&[]);
    assert_eq!((args.format, args.output.as_deref()), (Format::Jsonl, None));
    assert_eq!(check(&args), Ok(()));
    assert_eq!(
        check(&self::args(&["--output", "rows.jsonl", "--typed"])),
        Ok(())
    );
}

/// Without the feature, arrow-ipc is refused naming the feature and the command that
/// has it, before anything starts.
#[cfg(not(feature = "arrow"))]
#[test]
fn arrow_ipc_without_the_feature_names_it() {
    let err = check(&args(&["--format", "arrow-ipc", "--output", "x.arrow"])).unwrap_err();
    assert!(err.contains("`arrow` feature"), "{err}");
    assert!(err.contains("cargo run --features arrow"), "{err}");
}

#[cfg(feature = "arrow")]
#[test]
fn arrow_ipc_needs_an_output_file_and_no_typed() {
    let err = check(&args(&["--format", "arrow-ipc"])).unwrap_err();
    assert!(err.contains("--output FILE"), "{err}");
    let err = check(&args(&[
        "--format",
        "arrow-ipc",
        "--output",
        "x.arrow",
        "--typed",
    ]))
    .unwrap_err();
    assert!(err.contains("--typed"), "{err}");
    assert_eq!(
        check(&args(&["--format", "arrow-ipc", "--output", "x.arrow"])),
        Ok(())
    );
}

/// The production flags reach the query and the handle; a bad one is refused before
/// any query starts.
#[tokio::test]
async fn production_flags_reach_the_query_and_the_handle() {
    let args = args(&[
        "--encryption",
        "sse_kms",
        "--kms-key",
        "alias/athena-results",
        "--expected-bucket-owner",
        "123456789012",
        "--max-bytes-scanned",
        "1000000000",
    ]);
    let query = args.context.query("SELECT 1");
    let result = query.result_configuration();
    assert_eq!(
        result
            .encryption_configuration
            .as_ref()
            .map(ToString::to_string),
        Some("SSE_KMS with alias/athena-results".to_owned())
    );
    assert_eq!(
        result.expected_bucket_owner.as_deref(),
        Some("123456789012")
    );
    let (athena, _emulator) = setup(&args).await.unwrap();
    assert!(format!("{athena:?}").contains("max_bytes_scanned: Some(1000000000)"));

    let bad = self::args(&["--max-bytes-scanned", "0"]);
    let err = setup(&bad).await.unwrap_err();
    assert!(err.to_string().contains("max_bytes_scanned"), "{err}");
}

/// A fresh directory for one test, under the system's temporary directory.
fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cloudfront_map-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The output gets its name only once complete; a run that stops before leaves no
/// partial file, and the earlier file as it was.
#[test]
fn the_output_file_appears_only_when_complete() {
    let dir = tmp_dir("partial");
    let path = dir.join("rows.jsonl");
    std::fs::write(&path, "earlier\n").unwrap();

    let (file, mut out) = PartialFile::create(&path).unwrap();
    writeln!(out, "half").unwrap();
    out.flush().unwrap();
    assert!(dir.join("rows.jsonl.partial").exists());
    drop((file, out));
    assert!(!dir.join("rows.jsonl.partial").exists());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "earlier\n");

    let (file, mut out) = PartialFile::create(&path).unwrap();
    writeln!(out, "whole").unwrap();
    file.commit(out).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "whole\n");
    assert!(!dir.join("rows.jsonl.partial").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_output_that_cannot_be_created_is_named() {
    let dir = tmp_dir("missing");
    let path = dir.join("no/such/dir/rows.jsonl");
    let err = PartialFile::create(&path).err().unwrap().to_string();
    assert!(err.contains("rows.jsonl.partial"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
