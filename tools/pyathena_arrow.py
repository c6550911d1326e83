#!/usr/bin/env python3
"""PyAthena's ArrowCursor reading a finished query's results, for `read_paths --pyathena`.

The comparison of BENCHMARKS.md ("Columns"): `read_paths` runs a query on its emulator,
reads it with the library (rows, batches), then runs this script on the same emulator
with the same service times, so that both read the same result file under the same S3
limits in one run.

As `read_paths` attaches to the finished query, so does this: it does what
`ArrowCursor.execute` does after the query has run (poll once, then build the
`AthenaArrowResultSet`, which reads the whole CSV result file into an Arrow table), so
the query's own run time is counted by neither. That uses two private names of PyAthena
(`_poll`, and the result set's constructor arguments), pinned by the version below.

It reads with the part size and the number of parts at once it is given (read_paths
gives its chunk size and chunks in flight, so that both read over as many connections),
else with PyAthena's own (8 MiB, 16).

Where the time goes: besides the read, it times the two halves of it on their own, the
download of the file through pyarrow's S3 filesystem and PyAthena's read-ahead stream
(no parsing), and pyarrow's CSV parse of the bytes already in memory with the types
PyAthena asks for (no download).

Needs: `pip install 'PyAthena[arrow]==4.2.1' boto3==1.44.18` (pyarrow 26 came with it
here). PyAthena makes pyarrow's `S3FileSystem` with the region and credentials only,
so this script points it at the emulator (`endpoint_override`, `scheme`), which is
path-style as pyarrow is with an endpoint override.

Before the timed reads it makes `--warmup` reads (one by default) whose rows/s it reports
apart: the first read in a process pays one-time costs (imports, pyarrow's S3 filesystem
and the AWS C++ SDK under it, connections) that a service reading query after query
does not: first reads measured 0.68-0.97 M rows/s of five columns, later ones up to
1.2-1.4 M (BENCHMARKS.md, "Columns").

Prints one JSON object: rows, the median timed read's seconds and rows/s, every timed
read's rows/s in the order read, the warm-up reads' rows/s, and the halves.
"""

import argparse
import io
import json
import os
import statistics
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="the emulator's URL (Athena and S3)")
    parser.add_argument("--query-id", required=True, help="a finished query's id")
    parser.add_argument("--staging", default="s3://athena-results/pyathena/")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="reads before the timed ones, reported apart (a process's first read pays one-time costs)",
    )
    parser.add_argument(
        "--part-size",
        type=int,
        help="bytes a ranged read asks for (PyAthena's own: 8 MiB); read_paths passes its chunk size",
    )
    parser.add_argument(
        "--max-parts",
        type=int,
        help="ranged reads at once (PyAthena's own: 16); read_paths passes its chunks in flight",
    )
    args = parser.parse_args()
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    # PyAthena asks boto3's S3 client for the file's length: it finds the emulator by
    # the service's endpoint variable.
    os.environ["AWS_ENDPOINT_URL_S3"] = args.endpoint

    import pyarrow
    import pyarrow.fs
    import pyathena
    from pyarrow import csv

    scheme, _, host = args.endpoint.partition("://")
    s3_filesystem = pyarrow.fs.S3FileSystem

    def at_the_emulator(**kwargs):
        return s3_filesystem(endpoint_override=host.rstrip("/"), scheme=scheme, **kwargs)

    pyarrow.fs.S3FileSystem = at_the_emulator
    from pyathena.arrow.cursor import ArrowCursor
    from pyathena.arrow.result_set import AthenaArrowResultSet
    from pyathena.filesystem.reader import ReadAheadStream

    # The same connections and part size as the library's read it is compared with.
    # PyAthena builds its stream with the class's defaults, so those are what is set.
    if args.part_size:
        ReadAheadStream.DEFAULT_PART_SIZE = args.part_size
    if args.max_parts:
        ReadAheadStream.DEFAULT_MAX_PARTS = args.max_parts

    connection = pyathena.connect(
        s3_staging_dir=args.staging,
        region_name="us-east-1",
        endpoint_url=args.endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        poll_interval=0.01,
        cursor_class=ArrowCursor,
    )
    cursor = connection.cursor()

    reads = []
    rows = None
    result_set = None
    warmup = max(0, args.warmup)
    for _ in range(warmup + max(1, args.repeat)):
        started = time.perf_counter()
        execution = cursor._poll(args.query_id)
        result_set = AthenaArrowResultSet(
            connection=connection,
            converter=cursor._converter,
            query_execution=execution,
            arraysize=cursor.arraysize,
            retry_config=cursor._retry_config,
        )
        table = result_set.as_arrow()
        elapsed = time.perf_counter() - started
        rows = table.num_rows
        reads.append(elapsed)
        del table

    # The download alone: the same filesystem and read-ahead stream, no parsing.
    location = "/".join(
        __import__("pyathena.util", fromlist=["parse_output_location"]).parse_output_location(
            result_set.output_location
        )
    )
    fs = result_set._fs
    started = time.perf_counter()
    file = fs.open_input_file(location)
    size = file.size()
    stream = ReadAheadStream(lambda offset, n: file.read_at(n, offset), size, on_close=file.close)
    data = bytearray()
    while True:
        chunk = stream.read(8 << 20)
        if not chunk:
            break
        data += chunk
    stream.close()
    download = time.perf_counter() - started

    # The parse alone: pyarrow's CSV reader on the bytes in memory, typed as PyAthena
    # types them.
    description = result_set.description or []
    names = [d[0] for d in description]
    started = time.perf_counter()
    parsed = csv.read_csv(
        io.BytesIO(bytes(data)),
        read_options=csv.ReadOptions(skip_rows=1, column_names=names),
        parse_options=csv.ParseOptions(newlines_in_values=True),
        convert_options=csv.ConvertOptions(
            quoted_strings_can_be_null=False,
            column_types=result_set.column_types,
        ),
    )
    parse = time.perf_counter() - started
    assert parsed.num_rows == rows, (parsed.num_rows, rows)

    warmup_reads, reads = reads[:warmup], reads[warmup:]
    median = statistics.median(reads)
    print(
        json.dumps(
            {
                "pyathena": pyathena.__version__,
                "pyarrow": pyarrow.__version__,
                "part_size": ReadAheadStream.DEFAULT_PART_SIZE,
                "max_parts": ReadAheadStream.DEFAULT_MAX_PARTS,
                "rows": rows,
                "file_bytes": size,
                "elapsed_s": round(median, 4),
                "rows_per_sec": round(rows / median),
                "runs": [round(rows / r) for r in reads],
                "warmup_runs": [round(rows / r) for r in warmup_reads],
                "download_s": round(download, 4),
                "download_mb_per_sec": round(size / download / 1e6, 1),
                "parse_s": round(parse, 4),
                "parse_mb_per_sec": round(size / parse / 1e6, 1),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
