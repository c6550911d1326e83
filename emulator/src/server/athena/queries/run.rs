//! The background task that runs one query: it waits its delay, executes the statement,
//! writes the result file (or, for UNLOAD, seals the files and writes the manifest) and
//! moves the query to its final state through the registry's lock.

use super::*;

impl Registry {
    /// The background task of one query.
    pub(super) async fn run(
        self: Arc<Self>,
        id: String,
        prepared: Result<Prepared, QueryError>,
        context: ExecutionContext,
        target: Target,
    ) {
        // `start` inserts the query before it releases the lock this waits for.
        let Some(submitted_at) = self.lock().queries.get(&id).map(|q| q.submitted_at) else {
            return;
        };
        let delay = self.settings.query_delay;
        if !delay.is_zero() {
            tokio::time::sleep_until(submitted_at + delay / 2).await;
        }
        if !self.transition(&id, |q| {
            q.state = State::Running;
            q.running_at = Some(Instant::now());
        }) {
            return;
        }

        let outcome = match prepared {
            Ok(prepared) => self.execute(&id, &prepared, &context, target).await,
            Err(error) => Err(Ended::Failed(error)),
        };

        if !delay.is_zero() {
            tokio::time::sleep_until(submitted_at + delay).await;
        }
        // A message may quote a local path (a file DataFusion could not read): the
        // answer names its s3:// URI instead.
        let hide = |message: String| self.data_dir.hide_paths(&message);
        self.finish(&id, |q| {
            q.state = match outcome {
                Ok(result) => State::Succeeded(Arc::new(result)),
                Err(Ended::CutOff) => State::Cancelled(CancelReason::BytesScannedLimit),
                Err(Ended::Failed(QueryError::Failed {
                    error_category,
                    error_type,
                    message,
                })) => State::Failed {
                    error_category,
                    error_type,
                    message: hide(message),
                },
                Err(Ended::Failed(QueryError::Malformed { message })) => State::Failed {
                    error_category: 2,
                    error_type: 1000,
                    message: hide(message),
                },
            };
        });
    }

    /// Waits, when scans are shown slowly, until the query shows what it read (up to
    /// its cutoff), as a scan at that rate would; then whether it went past the cutoff.
    /// The wait is the one the query's own task makes, anchored at the instant it
    /// started running, so the figure GetQueryExecution shows grows with time and the
    /// query ends once it reaches what was read.
    async fn settle(
        &self,
        id: &str,
        scanned: &AtomicU64,
        cutoff: Option<u64>,
    ) -> Result<(), Ended> {
        let read = scanned.load(Ordering::Relaxed);
        if let Some(rate) = self.settings.scan_rate {
            let shown = cutoff.map_or(read, |c| read.min(c));
            let running_at = self.lock().queries.get(id).and_then(|q| q.running_at);
            if let Some(running_at) = running_at {
                match running_at.checked_add(time_to_show(shown, rate)) {
                    Some(deadline) => tokio::time::sleep_until(deadline).await,
                    // Beyond what a clock can count: the scan never ends; a stop ends it.
                    None => std::future::pending().await,
                }
            }
        }
        if cutoff.is_some_and(|c| read > c) {
            return Err(Ended::CutOff);
        }
        Ok(())
    }

    // layout: long function, because the statement's steps in order (run, write, seal, publish), sharing the target and the columns
    /// Runs the statement and writes its rows to the result file.
    async fn execute(
        &self,
        id: &str,
        prepared: &Prepared,
        context: &ExecutionContext,
        target: Target,
    ) -> Result<ResultFile, Ended> {
        let planning_started = Instant::now();
        let output = self.engine.execute(prepared, context).await?;
        let planning = planning_started.elapsed();
        let scanned = Arc::clone(&output.data_scanned_in_bytes);
        let plan = output.plan.clone();
        self.transition(id, |q| {
            q.planning = planning;
            q.data_scanned = Some(Arc::clone(&scanned));
            q.plan = plan;
        });

        let columns: Vec<ColumnMeta> = output.columns.iter().map(ColumnMeta::from).collect();
        // A symlink on the way may lead out of the data dir: Athena cannot write where
        // its caller may not, so the query fails as it does on a bucket it may not
        // write to.
        if target.in_s3 && !self.data_dir.contains(&target.path) {
            return Err(Ended::Failed(QueryError::Failed {
                error_category: 2,
                error_type: 1000,
                message: format!("Access denied when writing output to url: {}", target.uri),
            }));
        }
        let kind = ResultKind::of(prepared.statement_type, prepared.substatement_type);
        let engine_query_id = context
            .engine_query_id
            .clone()
            .unwrap_or_else(|| self.ids.next_engine_query_id());
        let metadata = result_metadata::encode(&engine_query_id, &columns);
        if kind == ResultKind::Manifest {
            self.settle(id, &scanned, target.cutoff).await?;
            return self
                .publish_manifest(&target, metadata, output, &columns)
                .await
                .map_err(Ended::Failed);
        }
        let io_error = |e| Ended::Failed(write_error(&target.uri, e));
        let temp = self.data_dir.temp_path(&kind.file_name(id));
        let mut writer = ResultWriter::create(temp, target.path.clone(), kind, &columns)
            .await
            .map_err(io_error)?;
        let mut rows = output.rows;
        let over =
            |cutoff: Option<u64>| cutoff.is_some_and(|c| scanned.load(Ordering::Relaxed) > c);
        while let Some(batch) = rows.next().await {
            writer.write_rows(&batch?).await.map_err(io_error)?;
            if over(target.cutoff) {
                // Stop reading: the query ends once the figure shown reaches the cutoff.
                drop(rows);
                self.settle(id, &scanned, target.cutoff).await?;
                return Err(Ended::CutOff);
            }
        }
        self.settle(id, &scanned, target.cutoff).await?;
        let finished = writer
            .finish(&self.data_dir, metadata, &target.sealing)
            .await
            .map_err(io_error)?;
        Ok(ResultFile {
            path: finished.path,
            uri: target.uri,
            kind,
            len: finished.len,
            columns: columns.len(),
            column_info: column_info_json(&columns).into(),
            update_count: output.update_count,
            // DML results start with a header row; of the UTILITY statements SHOW
            // FUNCTIONS has one, and so does EXPLAIN, which the team measured with a
            // header when it counted it as DML, while the Smithy model lists it as
            // UTILITY (docs/athena.md, "Pages of results"). A `.txt` file has no header
            // line, so that row comes from the names in its `.metadata`.
            header_row: prepared.statement_type == StatementType::Dml
                || matches!(
                    prepared.substatement_type,
                    SubstatementType::ShowFunctions | SubstatementType::Explain
                ),
            names_row: names_row_json(&columns).into(),
            data_manifest_location: None,
            content_key: finished.content_key,
        })
    }

    /// The result of a statement whose rows went to files (UNLOAD): the files sealed as
    /// the query's encryption says (docs/athena.md, "UNLOAD and data manifests": its
    /// output is encrypted with the query's configuration), then its `.metadata` and its
    /// data manifest, no rows.
    async fn publish_manifest(
        &self,
        target: &Target,
        metadata: Vec<u8>,
        output: crate::engine::QueryOutput,
        columns: &[ColumnMeta],
    ) -> Result<ResultFile, QueryError> {
        let manifest = output.data_manifest.unwrap_or_default();
        let files: Vec<PathBuf> = manifest
            .iter()
            .filter_map(|uri| self.data_dir.path_of_uri(uri))
            .collect();
        let data_dir = Arc::clone(&self.data_dir);
        // UNLOAD's own files are the caller's (its TO location), wherever the result
        // goes; with managed results they carry S3's default encryption.
        let file_sealing = if target.in_s3 {
            target.sealing.clone()
        } else {
            Sealing::Server(ServerSideEncryption::default())
        };
        tokio::task::spawn_blocking(move || {
            files
                .iter()
                .try_for_each(|path| results::seal_in_place(&data_dir, path, &file_sealing))
        })
        .await
        .map_err(|e| write_error(&target.uri, std::io::Error::other(e)))?
        .map_err(|e| write_error(&target.uri, e))?;
        results::publish_manifest_result(
            &self.data_dir,
            &target.path,
            metadata,
            &manifest,
            &target.sealing,
        )
        .await
        .map_err(|e| write_error(&target.uri, e))?;
        Ok(ResultFile {
            path: target.path.clone(),
            uri: target.uri.clone(),
            kind: ResultKind::Manifest,
            len: 0,
            columns: columns.len(),
            column_info: column_info_json(columns).into(),
            update_count: output.update_count,
            header_row: false,
            names_row: names_row_json(columns).into(),
            // Managed storage has no S3 location to give.
            data_manifest_location: target.in_s3.then(|| format!("{}-manifest.csv", target.uri)),
            content_key: None,
        })
    }
}
