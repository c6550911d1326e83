//! Entry points for `benches/serve_page.rs`: not part of the API.

use std::path::PathBuf;
use std::sync::Arc;

use super::athena::results::{
    ColumnMeta, ResultFile, ResultKind, ResultWriter, Sealing, column_info_json, names_row_json,
    render_page,
};
use super::athena::token::{Position, TokenKey};
use super::data_dir::DataDir;
use crate::engine::Column;

/// Appends rows to `out` as the result file holds them.
pub fn encode_rows(rows: &[Vec<Option<String>>], out: &mut Vec<u8>) {
    for row in rows {
        super::athena::results::encode_record(row.iter().map(Option::as_deref), out);
    }
}

/// A result file written as a query writes it, to serve pages from.
#[derive(Debug)]
pub struct PageSource {
    result: ResultFile,
    key: TokenKey,
    second_page: Position,
}

impl PageSource {
    /// Writes `rows` under `columns` to `path` (in the folder `data_dir`) as a DML
    /// result.
    pub async fn write(
        data_dir: &std::path::Path,
        path: PathBuf,
        columns: &[Column],
        rows: &[Vec<Option<String>>],
    ) -> std::io::Result<Self> {
        let data_dir = Arc::new(DataDir::open(data_dir)?);
        let columns: Vec<ColumnMeta> = columns.iter().map(ColumnMeta::from).collect();
        let temp = data_dir.temp_path("bench.csv");
        let mut writer = ResultWriter::create(temp, path, ResultKind::Csv, &columns).await?;
        writer.write_rows(rows).await?;
        let finished = writer
            .finish(&data_dir, Vec::new(), &Sealing::Server(Default::default()))
            .await?;
        let (path, len) = (finished.path, finished.len);
        let result = ResultFile {
            path,
            uri: "s3://bench/bench.csv".to_owned(),
            kind: ResultKind::Csv,
            len,
            columns: columns.len(),
            column_info: Arc::from(column_info_json(&columns)),
            update_count: Some(0),
            header_row: true,
            names_row: Arc::from(names_row_json(&columns)),
            data_manifest_location: None,
            content_key: None,
        };
        let key = TokenKey::new();
        // Page 1 is the header alone, so page 2 holds data rows only.
        let first = render_page(&result, &key, "bench", None, 1)?;
        let first: serde_json::Value = serde_json::from_slice(&first)?;
        let token = first["NextToken"].as_str().unwrap_or_default();
        let second_page = key
            .decode("bench", token)
            .unwrap_or(Position { offset: 0, row: 0 });
        Ok(Self {
            result,
            key,
            second_page,
        })
    }

    /// The GetQueryResults body of `max_rows` data rows (no header row).
    pub fn serve(&self, max_rows: usize) -> std::io::Result<Vec<u8>> {
        render_page(
            &self.result,
            &self.key,
            "bench",
            Some(self.second_page),
            max_rows,
        )
    }
}
