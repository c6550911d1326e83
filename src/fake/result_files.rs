//! The result files a fake query writes to the fake S3, as Athena writes them.

use super::Plan;
use crate::fake::s3::{FakeS3, athena_csv};
use crate::result_file::metadata::{self, MetadataColumn, Nullability};

/// Where the fake writes a query's result file.
pub(super) fn result_uri(id: &str, plan: &Plan) -> String {
    let ext = if plan.statement_type == "DML" {
        "csv"
    } else {
        "txt"
    };
    format!("s3://results/{id}.{ext}")
}

/// Writes the result file (and its `.csv.metadata`) as Athena would; returns its URI.
pub(super) fn write_result_file(s3: &FakeS3, id: &str, plan: &Plan) -> String {
    let uri = result_uri(id, plan);
    if plan.statement_type != "DML" {
        let mut text = String::new();
        for row in &plan.rows {
            let values: Vec<&str> = row.iter().map(|v| v.as_deref().unwrap_or("")).collect();
            text.push_str(&values.join("\t"));
            text.push('\n');
        }
        s3.put(&uri, text.into_bytes());
        return uri;
    }
    let names: Vec<&str> = plan.columns.iter().map(|(n, _)| *n).collect();
    s3.put(&uri, athena_csv(&names, &plan.rows));
    let columns: Vec<MetadataColumn> = plan
        .columns
        .iter()
        .map(|(name, r#type)| MetadataColumn {
            catalog_name: "hive".to_owned(),
            schema_name: String::new(),
            table_name: String::new(),
            name: (*name).to_owned(),
            label: (*name).to_owned(),
            r#type: (*r#type).to_owned(),
            precision: 0,
            scale: 0,
            nullable: Some(Nullability::Unknown),
            case_sensitive: *r#type == "varchar",
        })
        .collect();
    s3.put(&format!("{uri}.metadata"), metadata::encode(&columns));
    uri
}
