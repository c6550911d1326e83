//! The emulator against Trino, the engine Athena runs: every case of the SQL corpus
//! (`emulator/tests/trino/corpus/`) run on the emulator's engine and compared with the answer a
//! real Trino gave (`emulator/tests/trino/golden/`, recorded by `tools/trino/record.py`).
//!
//! A case **agrees** when the emulator answers as Trino did: the same column names and
//! types (the base type as ColumnInfo gives it, with precision and scale of decimals and
//! the precision of timestamps and times) and the same rows as Athena renders them (in
//! order when the query orders them, else as a multiset); or, when Trino failed, when the
//! emulator fails with the same error name (`NUMERIC_VALUE_OUT_OF_RANGE: ...`). A case is
//! **refused** when the emulator fails with `NOT_SUPPORTED`: it says what it does not do
//! rather than answer otherwise. Anything else is a disagreement, and fails this test.
//!
//! The figures and every refusal are written in `emulator/SQL.md`, between the
//! markers below; this test fails when they are out of date. Run it with
//! `ATHENA_EMULATOR_BLESS=1` to rewrite that section.
//!
//! While working on some families, `TRINO_CORPUS_FAMILIES=strings,regexp` judges only
//! those (and checks neither the docs nor that every served function is covered).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use athena_emulator::engine::{Column, Engine, ExecutionContext, QueryError};
use futures::StreamExt;
use serde::Deserialize;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BEGIN: &str = "<!-- trino-corpus:begin (written by emulator/tests/endpoint/trino_corpus.rs; ATHENA_EMULATOR_BLESS=1 rewrites it) -->";
const END: &str = "<!-- trino-corpus:end -->";

#[derive(Deserialize)]
struct Golden {
    trino_version: String,
    family: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    sql: String,
    #[serde(default)]
    ordered: bool,
    columns: Option<Vec<GoldenColumn>>,
    rows: Option<Vec<Vec<Option<String>>>>,
    error: Option<GoldenError>,
}

#[derive(Deserialize)]
struct GoldenColumn {
    name: String,
    #[serde(rename = "type")]
    trino_type: String,
}

#[derive(Deserialize)]
struct GoldenError {
    name: String,
    message: String,
}

#[derive(Deserialize)]
struct TableDef {
    columns: Vec<(String, String)>,
    field_delimiter: String,
}

/// What the emulator did with a case.
enum Outcome {
    Agree,
    Refused(String),
    Disagree(String),
}

/// ColumnInfo's view of a Trino type: the base name, and the precision and scale that
/// ColumnInfo carries for it (decimals; timestamps and times by their precision).
fn athena_view(trino_type: &str) -> (String, Option<(i32, i32)>) {
    let t = trino_type.trim();
    let lower = t.to_ascii_lowercase();
    let params = |s: &str| -> Vec<i32> {
        s.split_once('(')
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(inner, _)| {
                inner
                    .split(',')
                    .filter_map(|p| p.trim().parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    if lower.starts_with("decimal") {
        let p = params(&lower);
        return ("decimal".into(), Some((p[0], *p.get(1).unwrap_or(&0))));
    }
    for base in ["timestamp", "time"] {
        if let Some(rest) = lower.strip_prefix(base)
            && (rest.is_empty() || rest.starts_with('(') || rest.starts_with(' '))
        {
            let precision = params(&lower).first().copied().unwrap_or(3);
            let name = if lower.ends_with("with time zone") {
                format!("{base} with time zone")
            } else {
                base.to_owned()
            };
            return (name, Some((precision, 0)));
        }
    }
    if lower.starts_with("interval") {
        return (lower, None);
    }
    let base = lower.split('(').next().unwrap_or(&lower).trim().to_owned();
    (base, None)
}

fn emulator_view(column: &Column) -> (String, Option<(i32, i32)>) {
    let t = column.athena_type.to_ascii_lowercase();
    let extra = match t.as_str() {
        "decimal" => Some((column.precision, column.scale)),
        "timestamp" | "time" | "timestamp with time zone" | "time with time zone" => {
            Some((column.precision, 0))
        }
        _ => None,
    };
    (t, extra)
}

/// The error name a message starts with (`NAME: ...`), Athena's `MALFORMED_QUERY`
/// refusal of SQL that does not parse being Trino's `SYNTAX_ERROR`.
fn error_name(error: &QueryError) -> String {
    match error {
        QueryError::Malformed { .. } => "SYNTAX_ERROR".to_owned(),
        QueryError::Failed { message, .. } => message
            .split_once(':')
            .map_or(message.as_str(), |(name, _)| name)
            .trim()
            .to_owned(),
    }
}

fn sorted(mut rows: Vec<Vec<Option<String>>>) -> Vec<Vec<Option<String>>> {
    rows.sort_by(|a, b| {
        let key = |r: &Vec<Option<String>>| {
            r.iter()
                .map(|v| (v.is_none(), v.clone().unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        key(a).cmp(&key(b))
    });
    rows
}

/// Runs `sql` to its end: the columns and every row, or the error.
async fn run(
    engine: &Engine,
    sql: &str,
) -> Result<(Vec<Column>, Vec<Vec<Option<String>>>), QueryError> {
    let prepared = engine.prepare(sql)?;
    let context = ExecutionContext {
        database: Some("corpus".to_owned()),
        ..ExecutionContext::default()
    };
    let out = engine.execute(&prepared, &context).await?;
    let mut rows = Vec::new();
    let mut stream = out.rows;
    while let Some(batch) = stream.next().await {
        rows.extend(batch?);
    }
    Ok((out.columns, rows))
}

async fn judge(engine: &Engine, case: &Case) -> Outcome {
    let got = run(engine, &case.sql).await;
    match (&case.error, got) {
        (_, Err(e))
            if error_name(&e) == "NOT_SUPPORTED"
                && case
                    .error
                    .as_ref()
                    .is_none_or(|t| t.name != "NOT_SUPPORTED") =>
        {
            Outcome::Refused(e.message().to_owned())
        }
        (Some(want), Err(e)) if error_name(&e) == want.name => Outcome::Agree,
        (Some(want), Err(e)) => Outcome::Disagree(format!(
            "Trino fails with {}: {}\n      the emulator with: {}",
            want.name,
            want.message,
            e.message()
        )),
        (Some(want), Ok((_, rows))) => Outcome::Disagree(format!(
            "Trino fails with {}: {}\n      the emulator answers {rows:?}",
            want.name, want.message
        )),
        (None, Err(e)) => Outcome::Disagree(format!("the emulator fails: {}", e.message())),
        (None, Ok((columns, rows))) => {
            let want_columns = case.columns.as_deref().unwrap_or_default();
            let want: Vec<_> = want_columns
                .iter()
                .map(|c| (c.name.clone(), athena_view(&c.trino_type)))
                .collect();
            let got: Vec<_> = columns
                .iter()
                .map(|c| (c.name.clone(), emulator_view(c)))
                .collect();
            if want != got {
                let trino: Vec<_> = want_columns
                    .iter()
                    .map(|c| format!("{} {}", c.name, c.trino_type))
                    .collect();
                return Outcome::Disagree(format!(
                    "columns differ: Trino {trino:?}\n      the emulator {got:?}"
                ));
            }
            let want_rows = case.rows.clone().unwrap_or_default();
            let (want_rows, rows) = if case.ordered {
                (want_rows, rows)
            } else {
                (sorted(want_rows), sorted(rows))
            };
            if want_rows == rows {
                Outcome::Agree
            } else {
                Outcome::Disagree(format!(
                    "rows differ: Trino {want_rows:?}\n      the emulator {rows:?}"
                ))
            }
        }
    }
}

/// An engine with the corpus's tables in the database `corpus`, over copies of their files.
async fn engine_with_tables() -> Engine {
    let engine = crate::engine_sql::engine().await;
    run(&engine, "CREATE DATABASE corpus")
        .await
        .expect("database");
    let tables = Path::new(ROOT).join("tests/trino/tables");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&tables)
        .expect("emulator/tests/trino/tables")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let def: TableDef = serde_json::from_str(
            &std::fs::read_to_string(dir.join("table.json")).expect("table.json"),
        )
        .expect("a table definition");
        let target = engine.data_dir().join("corpus-tables").join(&name);
        std::fs::create_dir_all(&target).unwrap();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "txt") {
                std::fs::copy(&file, target.join(file.file_name().unwrap())).unwrap();
            }
        }
        let columns: Vec<String> = def
            .columns
            .iter()
            .map(|(n, t)| format!("`{n}` {t}"))
            .collect();
        let ddl = format!(
            "CREATE EXTERNAL TABLE corpus.{name} ({}) ROW FORMAT DELIMITED FIELDS TERMINATED BY '{}' \
             LOCATION 's3://corpus-tables/{name}/'",
            columns.join(", "),
            def.field_delimiter.replace('\'', "\\'")
        );
        run(&engine, &ddl)
            .await
            .unwrap_or_else(|e| panic!("{ddl}: {e}"));
    }
    engine
}

fn golden_files() -> Vec<Golden> {
    let dir = Path::new(ROOT).join("tests/trino/golden");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("emulator/tests/trino/golden")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            serde_json::from_str(&std::fs::read_to_string(p).expect("read"))
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

/// Every corpus file's text.
fn all_corpus_sql() -> String {
    let dir = Path::new(ROOT).join("tests/trino/corpus");
    let mut text = String::new();
    for entry in std::fs::read_dir(&dir).expect("emulator/tests/trino/corpus") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "sql") {
            text.push_str(&std::fs::read_to_string(&path).expect("read"));
            text.push('\n');
        }
    }
    text
}

/// Whether `sql` (lowercase) names `function` as a word: a call, or a special form
/// written without parentheses (`current_timestamp`).
fn calls(sql: &str, function: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    sql.match_indices(function).any(|(at, _)| {
        !word(sql[..at].chars().next_back()) && !word(sql[at + function.len()..].chars().next())
    })
}

/// The generated section of emulator/SQL.md.
fn report(
    version: &str,
    figures: &BTreeMap<String, (usize, usize, usize)>,
    refusals: &[(String, String, String)],
) -> String {
    let mut out = format!("{BEGIN}\n\n");
    let (total, agree, refused) = figures.values().fold((0, 0, 0), |(t, a, r), (ft, fa, fr)| {
        (t + ft, a + fa, r + fr)
    });
    out.push_str(&format!(
        "Trino {version}: {total} cases, {agree} agree, {refused} refused, {} disagree.\n\n",
        total - agree - refused
    ));
    out.push_str("| Family | Cases | Agree | Refused |\n|---|---:|---:|---:|\n");
    for (family, (t, a, r)) in figures {
        out.push_str(&format!("| {family} | {t} | {a} | {r} |\n"));
    }
    if !refusals.is_empty() {
        out.push_str("\nEvery refusal, by family: the case, then the emulator's message.\n\n");
        for (family, sql, message) in refusals {
            let sql = sql.replace('\n', " ").replace('|', "\\|");
            let message = message.replace('\n', " ").replace('|', "\\|");
            out.push_str(&format!("- {family}: `{sql}`: {message}\n"));
        }
    }
    out.push('\n');
    out.push_str(END);
    out
}

// layout: long function, because one scenario whose steps build on the state the earlier ones left
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_answers_the_corpus_as_trino_does_or_refuses() {
    let only: Option<Vec<String>> = std::env::var("TRINO_CORPUS_FAMILIES")
        .ok()
        .map(|v| v.split(',').map(|f| f.trim().to_owned()).collect());
    let goldens: Vec<Golden> = golden_files()
        .into_iter()
        .filter(|g| only.as_ref().is_none_or(|o| o.contains(&g.family)))
        .collect();
    assert!(!goldens.is_empty(), "no golden files");
    let engine = engine_with_tables().await;
    let mut figures = BTreeMap::new();
    let mut refusals = Vec::new();
    let mut disagreements = Vec::new();
    let version = goldens[0].trino_version.clone();
    for golden in &goldens {
        let (mut agree, mut refused) = (0, 0);
        for case in &golden.cases {
            match judge(&engine, case).await {
                Outcome::Agree => agree += 1,
                Outcome::Refused(message) => {
                    refused += 1;
                    refusals.push((golden.family.clone(), case.sql.clone(), message));
                }
                Outcome::Disagree(why) => {
                    disagreements.push(format!("{}: {}\n      {why}", golden.family, case.sql))
                }
            }
        }
        figures.insert(golden.family.clone(), (golden.cases.len(), agree, refused));
    }
    for (family, (t, a, r)) in &figures {
        eprintln!(
            "{family}: {t} cases, {a} agree, {r} refused, {} disagree",
            t - a - r
        );
    }
    if only.is_some() {
        assert!(
            disagreements.is_empty(),
            "{} cases disagree with Trino:\n{}",
            disagreements.len(),
            disagreements.join("\n")
        );
        return;
    }
    let section = report(&version, &figures, &refusals);
    let doc_path = Path::new(ROOT).join("SQL.md");
    let doc = std::fs::read_to_string(&doc_path).expect("emulator/SQL.md");
    let current = doc
        .find(BEGIN)
        .zip(doc.find(END))
        .map(|(b, e)| &doc[b..e + END.len()]);
    if std::env::var_os("ATHENA_EMULATOR_BLESS").is_some() {
        let updated = match current {
            Some(old) => doc.replace(old, &section),
            None => format!("{}\n\n{section}\n", doc.trim_end()),
        };
        std::fs::write(&doc_path, updated).expect("write emulator/SQL.md");
    }
    // Every function the emulator serves is called by some case.
    let corpus = all_corpus_sql().to_ascii_lowercase();
    let uncovered: Vec<String> = athena_emulator::engine::served_functions()
        .filter(|(_, name)| !calls(&corpus, name))
        .map(|(family, name)| format!("{family}: {name}"))
        .collect();
    assert!(
        uncovered.is_empty(),
        "{} served functions are called by no case of the corpus:\n{}",
        uncovered.len(),
        uncovered.join("\n")
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} cases disagree with Trino:\n{}",
        disagreements.len(),
        figures.values().map(|f| f.0).sum::<usize>(),
        disagreements.join("\n")
    );
    if std::env::var_os("ATHENA_EMULATOR_BLESS").is_none() {
        assert_eq!(
            current,
            Some(section.as_str()),
            "emulator/SQL.md's corpus figures are out of date: run this test with \
             ATHENA_EMULATOR_BLESS=1"
        );
    }
}

#[test]
fn trino_types_read_as_columninfo_gives_them() {
    assert_eq!(athena_view("varchar(5)"), ("varchar".into(), None));
    assert_eq!(
        athena_view("decimal(3, 2)"),
        ("decimal".into(), Some((3, 2)))
    );
    assert_eq!(
        athena_view("timestamp(3) with time zone"),
        ("timestamp with time zone".into(), Some((3, 0)))
    );
    assert_eq!(
        athena_view("timestamp(6)"),
        ("timestamp".into(), Some((6, 0)))
    );
    assert_eq!(athena_view("time(3)"), ("time".into(), Some((3, 0))));
    assert_eq!(
        athena_view("array(map(varchar, integer))"),
        ("array".into(), None)
    );
    assert_eq!(
        athena_view("row(a integer, b varchar)"),
        ("row".into(), None)
    );
    assert_eq!(
        athena_view("INTERVAL DAY TO SECOND"),
        ("interval day to second".into(), None)
    );
}
