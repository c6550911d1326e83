//! The DDL parser's tests: classification, Hive DDL, SerDe formats, utility statements.

use super::*;
use crate::engine::error::QueryError;

#[test]
fn classifies_statements_as_athena_does() {
    let c = |s| {
        let substatement = classify(s).unwrap();
        (
            substatement.statement_type().as_str(),
            substatement.as_str(),
        )
    };
    assert_eq!(c("SELECT 1"), ("DML", "SELECT"));
    assert_eq!(
        c("  with x as (select 1) select * from x"),
        ("DML", "SELECT")
    );
    assert_eq!(c("-- hi\nselect 1"), ("DML", "SELECT"));
    assert_eq!(c("EXPLAIN SELECT 1"), ("UTILITY", "EXPLAIN"));
    assert_eq!(
        c("CREATE EXTERNAL TABLE t (a int)"),
        ("DDL", "CREATE_TABLE")
    );
    assert_eq!(c("create database x"), ("DDL", "CREATE_DATABASE"));
    assert_eq!(c("DROP TABLE t"), ("DDL", "DROP_TABLE"));
    assert_eq!(c("DROP DATABASE d"), ("DDL", "DROP_DATABASE"));
    assert_eq!(c("SHOW TABLES"), ("UTILITY", "SHOW_TABLES"));
    assert_eq!(c("SHOW DATABASES"), ("UTILITY", "SHOW_DATABASES"));
    assert_eq!(c("DESCRIBE t"), ("UTILITY", "DESCRIBE_TABLE"));
    assert_eq!(c("SHOW COLUMNS IN t"), ("UTILITY", "SHOW_COLUMNS"));
    assert_eq!(c("SHOW CREATE TABLE t"), ("UTILITY", "SHOW_CREATE_TABLE"));
}

#[test]
fn unknown_first_word_is_malformed_like_athena() {
    let Err(QueryError::Malformed { message }) = classify("SELEC 1") else {
        panic!("expected Malformed");
    };
    assert!(
        message.starts_with("line 1:1: mismatched input 'SELEC'"),
        "{message}"
    );
    assert!(matches!(classify(""), Err(QueryError::Malformed { .. })));
    assert!(matches!(
        classify("'unterminated"),
        Err(QueryError::Malformed { .. })
    ));
}

#[test]
fn parses_the_seed_ddl() {
    let sql = "CREATE EXTERNAL TABLE IF NOT EXISTS serverlessland_database.cf_access_logs (
        `date` DATE, time STRING, bytes BIGINT, time_taken FLOAT, c_port INT,
        tags array<string>, m map<string,array<int>>, s struct<a:int,b:decimal(10,2)>)
        ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'
        STORED AS TEXTFILE
        LOCATION 's3://bucket/prefix/'
        TBLPROPERTIES ('skip.header.line.count'='2');";
    let Command::CreateTable(def) = parse_command(sql).unwrap() else {
        panic!("expected CreateTable");
    };
    assert!(def.if_not_exists);
    assert_eq!(
        def.name.database.as_deref(),
        Some("serverlessland_database")
    );
    assert_eq!(def.name.table, "cf_access_logs");
    assert_eq!(def.columns.len(), 8);
    assert_eq!(def.columns[0].name, "date");
    assert_eq!(def.columns[0].hive_type, HiveType::Date);
    assert_eq!(def.columns[3].hive_type, HiveType::Float);
    assert_eq!(
        def.columns[6].hive_type.to_string(),
        "map<string,array<int>>"
    );
    assert_eq!(
        def.columns[7].hive_type.to_string(),
        "struct<a:int,b:decimal(10,2)>"
    );
    assert_eq!(
        def.format,
        FileFormat::Text {
            delimiter: b'\t',
            escape: None
        }
    );
    assert_eq!(def.location.as_deref(), Some("s3://bucket/prefix/"));
    assert_eq!(def.skip_header_lines(), 2);
}

#[test]
fn parses_serde_formats() {
    let csv = "CREATE EXTERNAL TABLE t (a string) ROW FORMAT SERDE \
        'org.apache.hadoop.hive.serde2.OpenCSVSerde' WITH SERDEPROPERTIES \
        ('separatorChar' = ';', 'quoteChar' = '\"') LOCATION 's3://b/p/'";
    let Command::CreateTable(def) = parse_command(csv).unwrap() else {
        panic!()
    };
    assert_eq!(
        def.format,
        FileFormat::Csv {
            separator: b';',
            quote: b'"',
            escape: Some(b'\\')
        }
    );
    let json = "CREATE EXTERNAL TABLE t (a string) ROW FORMAT SERDE \
        'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://b/p/'";
    let Command::CreateTable(def) = parse_command(json).unwrap() else {
        panic!()
    };
    assert_eq!(def.format, FileFormat::Json);
    let pq = "CREATE EXTERNAL TABLE t (a string) PARTITIONED BY (dt string) STORED AS PARQUET LOCATION 's3://b/p/'";
    let Command::CreateTable(def) = parse_command(pq).unwrap() else {
        panic!()
    };
    assert_eq!(def.format, FileFormat::Parquet);
    assert_eq!(def.partitions.len(), 1);
}

#[test]
fn parses_utility_commands() {
    assert_eq!(
        parse_command("SHOW TABLES IN db 'cf*'").unwrap(),
        Command::ShowTables {
            database: Some("db".into()),
            like: Some("cf*".into())
        }
    );
    assert_eq!(
        parse_command("DROP TABLE IF EXISTS `db`.t").unwrap(),
        Command::DropTable {
            name: TableName {
                database: Some("db".into()),
                table: "t".into()
            },
            if_exists: true
        }
    );
    assert_eq!(
        parse_command("CREATE DATABASE IF NOT EXISTS x COMMENT 'c'").unwrap(),
        Command::CreateDatabase {
            name: "x".into(),
            if_not_exists: true
        }
    );
    assert!(matches!(
        parse_command("CREATE EXTERNAL TABLE t (a nosuchtype)"),
        Err(QueryError::Malformed { .. })
    ));
    assert!(matches!(
        parse_command("CREATE EXTERNAL TABLE t (a int"),
        Err(QueryError::Malformed { .. })
    ));
}

#[test]
fn alter_table_adds_partitions_only() {
    assert_eq!(
        parse_command("ALTER TABLE t ADD IF NOT EXISTS PARTITION (dt='x') LOCATION 's3://b/x/'")
            .unwrap(),
        Command::NoOp
    );
    assert!(matches!(
        parse_command("ALTER TABLE t ADD COLUMNS (x int)"),
        Err(QueryError::Failed { .. })
    ));
}

#[test]
fn unescapes_hive_strings() {
    assert_eq!(unescape("\\t"), "\t");
    assert_eq!(unescape("\\001"), "\u{1}");
    assert_eq!(unescape("a\\\\b"), "a\\b");
    assert_eq!(unescape("|"), "|");
}

#[test]
fn unload_keeps_its_query_whole_and_its_properties() {
    assert_eq!(
        classify("unload (select 1) to 's3://b/p/'")
            .unwrap()
            .as_str(),
        "UNLOAD"
    );
    let Command::Unload {
        query,
        location,
        properties,
    } = parse_command(
        "UNLOAD (SELECT f(a) AS x, ')' AS y -- )\n FROM t WHERE (a > 1)) TO 's3://b/p/' \
         WITH (Format = 'PARQUET', partitioned_by = ARRAY['x', 'y'])",
    )
    .unwrap()
    else {
        panic!("not an UNLOAD");
    };
    assert_eq!(
        query,
        "        SELECT f(a) AS x, ')' AS y -- )\n FROM t WHERE (a > 1)"
    );
    assert_eq!(location, "s3://b/p/");
    assert_eq!(
        properties,
        [
            ("format".to_owned(), "PARQUET".to_owned()),
            ("partitioned_by".to_owned(), "x,y".to_owned())
        ]
    );
    for bad in [
        "UNLOAD SELECT 1 TO 's3://b/p/'",
        "UNLOAD (SELECT 1 TO 's3://b/p/'",
        "UNLOAD () TO 's3://b/p/'",
        "UNLOAD (SELECT 1) 's3://b/p/'",
        "UNLOAD (SELECT 1) TO 's3://b/p/' WITH (format = 'JSON') extra",
    ] {
        assert!(
            matches!(parse_command(bad), Err(QueryError::Malformed { .. })),
            "{bad}"
        );
    }
}
