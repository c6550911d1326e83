//! The three runs: with the service times of the read paths, with no latency, and the
//! parse alone; each prints its JSON lines and adds its bars to the chart.

use super::*;

/// Part 1: the API path and the file path on the same query, with service times. Returns
/// their bars for the chart.
pub(super) async fn service_times(
    args: &Args,
    plan: &Plan,
    emulator: &Emulator,
    query: QueryKind,
) -> Result<Vec<Bar>, BoxError> {
    let mut bars = Vec::new();
    let file = library(args, emulator, ReadPath::ResultFile)?;
    let s3 = designs::s3_client(&emulator.endpoint_url());
    let prepared = prepare(&file, &s3, query).await?;
    let parse = parse_rate(args, &s3, &prepared, "service_times", query).await?;
    let api_rate = if args.skip_api {
        None
    } else {
        let api = library(args, emulator, ReadPath::Api)?;
        let read = read_all(&api, &prepared.id, Shape::Rows).await?;
        check_rows(&read, plan)?;
        let line = read_line("service_times", query, "api", &read, prepared.file_bytes);
        report(&line);
        bars.push(bar(format!("{} api", query.short()), &read, None));
        Some(rate(read.rows, read.elapsed))
    };
    #[cfg_attr(not(feature = "arrow"), allow(unused_mut))]
    let mut shapes = vec![(Shape::Rows, "file")];
    #[cfg(feature = "arrow")]
    shapes.push((Shape::Batches, "file_batches"));
    let mut rows_rate = None;
    let mut rates = Vec::new();
    #[cfg_attr(not(feature = "unload"), allow(unused_variables))]
    let mut file_read = None;
    for (shape, path) in shapes {
        let (read, runs) = read_median(&file, &prepared.id, args.repeat, plan, shape).await?;
        let mut line = read_line("service_times", query, path, &read, prepared.file_bytes);
        line["runs"] = json!(runs);
        let bytes_per_row = prepared.file_bytes as f64 / read.rows.max(1) as f64;
        let by_bandwidth = args.chunks_in_flight as f64 * plan.bandwidth as f64 / bytes_per_row;
        let bound = add_bound(&mut line, &read, by_bandwidth, parse / bytes_per_row);
        // The bound's bandwidth term leaves out S3's first-byte latency; with it, a range
        // takes first_byte + chunk_size / bandwidth, and the ranges in flight deliver that
        // much less (about 0.76 of the term with 30 ms, 8 MiB and 90 MB/s).
        let chunk_secs =
            plan.first_byte.as_secs_f64() + args.chunk_size as f64 / plan.bandwidth.max(1) as f64;
        let by_ranges = args.chunks_in_flight as f64 * args.chunk_size as f64 / chunk_secs;
        line["ranges_bound_rows_per_sec"] = json!((by_ranges / bytes_per_row).round());
        line["of_ranges_bound"] = json!(round3(
            rate(read.rows, read.elapsed) / (by_ranges / bytes_per_row).min(parse / bytes_per_row)
        ));
        if let Some(api_rate) = api_rate {
            line["x_api"] = json!(round1(rate(read.rows, read.elapsed) / api_rate.max(1e-9)));
        }
        x_rows(&mut line, &read, &mut rows_rate);
        report(&line);
        bars.push(bar(format!("{} {path}", query.short()), &read, Some(bound)));
        rates.push((path, rate(read.rows, read.elapsed)));
        file_read.get_or_insert(read);
    }
    if let Some(python) = &args.pyathena {
        let line = pyathena(python, args, emulator, &prepared, query, &rates)?;
        report(&line);
    }
    #[cfg(feature = "unload")]
    {
        let read = file_read.ok_or("no read of the file path")?;
        let file_rate = rate(read.rows, read.elapsed);
        let read = unload::read(args, plan, emulator, query, file_rate, api_rate).await?;
        bars.push(bar(format!("{} unload", query.short()), &read, None));
    }
    Ok(bars)
}

fn bar(label: String, read: &Read, bound: Option<f64>) -> Bar {
    Bar {
        label,
        rows_per_sec: rate(read.rows, read.elapsed),
        bound,
    }
}

/// Part 2: the file path against a bare ranged download of the same file, no latency.
/// Returns the file path's bar for the chart.
pub(super) async fn no_latency(
    args: &Args,
    plan: &Plan,
    emulator: &Emulator,
    query: QueryKind,
) -> Result<Bar, BoxError> {
    let file = library(args, emulator, ReadPath::ResultFile)?;
    let s3 = designs::s3_client(&emulator.endpoint_url());
    let prepared = prepare(&file, &s3, query).await?;
    let parse = parse_rate(args, &s3, &prepared, "no_latency", query).await?;
    library_parse_rates(emulator, &s3, &prepared, query).await?;
    #[cfg(feature = "arrow")]
    let mut rows_rate = None;
    let (read, runs) = read_median(&file, &prepared.id, args.repeat, plan, Shape::Rows).await?;
    let mut line = read_line("no_latency", query, "file", &read, prepared.file_bytes);
    line["runs"] = json!(runs);
    let bytes_per_row = prepared.file_bytes as f64 / read.rows.max(1) as f64;
    let bound = add_bound(&mut line, &read, f64::INFINITY, parse / bytes_per_row);
    #[cfg(feature = "arrow")]
    x_rows(&mut line, &read, &mut rows_rate);
    report(&line);
    #[cfg(feature = "arrow")]
    {
        let (batches, runs) =
            read_median(&file, &prepared.id, args.repeat, plan, Shape::Batches).await?;
        let mut line = read_line(
            "no_latency",
            query,
            "file_batches",
            &batches,
            prepared.file_bytes,
        );
        line["runs"] = json!(runs);
        add_bound(&mut line, &batches, f64::INFINITY, parse / bytes_per_row);
        x_rows(&mut line, &batches, &mut rows_rate);
        report(&line);
    }

    let mut downloads = Vec::new();
    for _ in 0..args.repeat.max(1) {
        let before = process_cpu();
        let download = raw_s3::ranged_download(
            &s3,
            &prepared.location,
            prepared.file_bytes,
            args.chunk_size,
            args.chunks_in_flight,
        )
        .await?;
        let cores = cpu_since(before).map(|cpu| cores_busy(cpu, download.elapsed));
        downloads.push((download, cores));
    }
    let ((download, download_cores), download_runs) = median_by_time(
        downloads,
        |(d, _)| d.elapsed,
        |(d, _)| d.bytes as f64 / d.elapsed.as_secs_f64().max(1e-9) / 1e6,
    );
    let bare_rate = download.bytes as f64 / download.elapsed.as_secs_f64().max(1e-9);
    let file_rate = prepared.file_bytes as f64 / read.elapsed.as_secs_f64().max(1e-9);
    report(&json!({
        "kind": "bare_download",
        "phase": "no_latency",
        "query": query.name(),
        "bytes": download.bytes,
        "ranges": download.ranges,
        "elapsed_ms": round1(download.elapsed.as_secs_f64() * 1000.0),
        "mb_per_sec": round1(bare_rate / 1e6),
        "runs": download_runs,
        "file_path_of_bare": round3(file_rate / bare_rate.max(1e-9)),
        "cores_busy": download_cores,
    }));
    let label = format!("{} file, 0 lat.", query.short());
    Ok(bar(label, &read, Some(bound)))
}

/// The parse rate in bytes/s: given, or measured on the start of the result file.
async fn parse_rate(
    args: &Args,
    s3: &aws_sdk_s3::Client,
    prepared: &Prepared,
    phase: &str,
    query: QueryKind,
) -> Result<f64, BoxError> {
    if let Some(rate) = args.parse_mb_per_sec {
        return Ok(rate * 1e6);
    }
    let measured = raw_s3::parse_rate(s3, &prepared.location, prepared.file_bytes).await?;
    report(&json!({
        "kind": "parse",
        "phase": phase,
        "query": query.name(),
        "bytes": measured.bytes,
        "rows": measured.rows,
        "mb_per_sec": round1(measured.bytes_per_sec / 1e6),
    }));
    Ok(measured.bytes_per_sec)
}

/// Part 3 of a query's no-latency run: the library's own parse of the same sample on
/// one core, the parser alone, into rows and into batches, as the line `library_parse`
/// (BENCHMARKS.md, "Columns": what a batch can gain over a row when both share the
/// parser).
async fn library_parse_rates(
    emulator: &Emulator,
    s3: &aws_sdk_s3::Client,
    prepared: &Prepared,
    query: QueryKind,
) -> Result<(), BoxError> {
    // The columns as GetQueryResults gives them, as the file path reads the file.
    let answer = designs::client(&emulator.endpoint_url())
        .get_query_results()
        .query_execution_id(&prepared.id)
        .max_results(1)
        .send()
        .await?;
    let columns = answer
        .result_set
        .and_then(|r| r.result_set_metadata)
        .and_then(|m| m.column_info)
        .unwrap_or_default()
        .into_iter()
        .map(|c| athena_stream::value::ColumnInfo::new(c.name, c.r#type))
        .collect();
    let metadata = std::sync::Arc::new(athena_stream::value::ResultSetMetadata::new(columns));
    let rates =
        raw_s3::library_parse_rates(s3, &prepared.location, prepared.file_bytes, metadata).await?;
    let mut line = json!({
        "kind": "library_parse",
        "query": query.name(),
        "bytes": rates.bytes,
        "count_mb_per_sec": round1(rates.count),
        "rows_mb_per_sec": round1(rates.rows),
    });
    if let Some(batches) = rates.batches {
        line["batches_mb_per_sec"] = json!(round1(batches));
        line["batches_x_rows"] = json!(round3(batches / rates.rows.max(1e-9)));
    }
    report(&line);
    Ok(())
}
