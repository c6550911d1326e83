#!/usr/bin/env python3
"""Record Trino's answers to the SQL corpus into the golden files.

    python3 tools/trino/record.py                    # every family
    python3 tools/trino/record.py --family strings   # only some (repeatable)
    python3 tools/trino/record.py --check            # record to a temp dir, diff
    python3 tools/trino/record.py --keep-running     # leave the server up afterwards
    python3 tools/trino/record.py --stop             # stop a server left running
    python3 tools/trino/record.py --functions        # only Trino's function list

A full run (no --family) also writes Trino's own list of functions (SHOW FUNCTIONS) to
emulator/src/engine/functions/trino_functions.tsv, from which the emulator answers SHOW
FUNCTIONS and tells a Trino function it does not serve (NOT_SUPPORTED) from a name Trino
does not know (FUNCTION_NOT_FOUND).

Installs Trino under target/trino/ if needed (server.py), starts it on 127.0.0.1,
creates the corpus tables (emulator/tests/trino/tables/) in hive.corpus, runs every case of
every corpus file (emulator/tests/trino/corpus/<family>.sql) and writes
emulator/tests/trino/golden/<family>.json. The server is stopped at the end, also on failure
or Ctrl-C, unless --keep-running; a server already running from an earlier
--keep-running is reused and left running.
"""

import argparse
import difflib
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

# No __pycache__ in the tracked tree.
sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
import render  # noqa: E402
import server  # noqa: E402
from protocol import Client, QueryError  # noqa: E402

RECORDED_WITH = "python3 tools/trino/record.py"
FUNCTIONS = (Path(__file__).resolve().parents[2]
             / "emulator/src/engine/functions/trino_functions.tsv")
SCHEMA = "corpus"
# Where the table data is copied to: local:///tables/<name> is HIVE_FS/tables/<name>.
TABLE_ROOT = "tables"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def setup_tables(client, tables):
    """(Re)create every table of emulator/tests/trino/tables/ as an external text table."""
    client.execute(f"CREATE SCHEMA IF NOT EXISTS hive.{SCHEMA} "
                   f"WITH (location = 'local:///{SCHEMA}')")
    for (name,) in client.execute(f"SHOW TABLES FROM hive.{SCHEMA}")["data"]:
        client.execute(f'DROP TABLE hive.{SCHEMA}."{name}"')
    root = server.HIVE_FS / TABLE_ROOT
    shutil.rmtree(root, ignore_errors=True)
    for name, table in tables.items():
        # A copy, so that nothing Trino does can touch the tracked files.
        target = root / name
        target.mkdir(parents=True)
        for data in sorted(table["dir"].glob("*.txt")):
            shutil.copyfile(data, target / data.name)
        client.execute(corpus.create_table_sql(f"hive.{SCHEMA}", name, table,
                                               f"local:///{TABLE_ROOT}/{name}"))
    # Cases may create tables in the memory catalog; start every run without them.
    for (name,) in client.execute("SHOW TABLES FROM memory.default")["data"]:
        client.execute(f'DROP TABLE memory.default."{name}"')


def run_case(client, sql):
    try:
        result = client.execute(sql)
    except QueryError as e:
        error = e.error
        return {"sql": sql, "error": {"name": error.get("errorName"),
                                      "type": error.get("errorType"),
                                      "message": error.get("message")}}
    columns = result["columns"]
    rows = [[render.render_value(v, c["typeSignature"]) for v, c in zip(row, columns)]
            for row in result["data"]]
    ordered = corpus.is_ordered(sql)
    if not ordered:
        # The tests compare unordered rows as a multiset; storing them sorted keeps a
        # re-record byte-identical whatever order the splits finished in.
        rows.sort(key=lambda row: [(v is None, v or "") for v in row])
    return {"sql": sql, "ordered": ordered,
            "columns": [{"name": c["name"], "type": c["type"]} for c in columns],
            "rows": rows}


def record_family(client, family, cases, out_dir):
    started = time.monotonic()
    results = [run_case(client, sql) for sql in cases]
    text = corpus.golden_text(family, server.TRINO_VERSION, RECORDED_WITH, results)
    (out_dir / f"{family}.json").write_text(text, encoding="utf-8")
    errors = sum(1 for r in results if "error" in r)
    log(f"  {family}: {len(results)} cases ({errors} errors) in "
        f"{time.monotonic() - started:.1f} s")


def record_functions(client, out):
    """Trino's SHOW FUNCTIONS, one tab-separated row a line, as Athena renders the values."""
    result = client.execute("SHOW FUNCTIONS")
    names = [c["name"] for c in result["columns"]]
    lines = [f"# Trino {server.TRINO_VERSION}'s SHOW FUNCTIONS (hive, memory and tpch plugins), "
             f"written by {RECORDED_WITH}: do not edit.",
             "# " + "\t".join(names)]
    for row in result["data"]:
        values = [("true" if v else "false") if isinstance(v, bool) else str(v) for v in row]
        if any("\t" in v or "\n" in v for v in values):
            raise SystemExit(f"a SHOW FUNCTIONS value holds a tab or newline: {values}")
        lines.append("\t".join(values))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"  functions: {len(result['data'])} rows into {out}")


def diff(families, out_dir):
    """Unified diffs of the fresh recording against the committed golden files."""
    changed = 0
    for family in families:
        new = (out_dir / f"{family}.json").read_text(encoding="utf-8")
        old_path = corpus.GOLDEN / f"{family}.json"
        old = old_path.read_text(encoding="utf-8") if old_path.exists() else ""
        if old != new:
            changed += 1
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True),
                f"golden/{family}.json (committed)", f"golden/{family}.json (recorded now)"))
    return changed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", action="append",
                        help="record only this family (repeatable); default: all")
    parser.add_argument("--check", action="store_true",
                        help="record to a temporary directory and diff against the "
                             "committed golden files; exit 1 when they differ")
    parser.add_argument("--keep-running", action="store_true",
                        help="leave the server running afterwards")
    parser.add_argument("--stop", action="store_true",
                        help="stop a server left running, then exit")
    parser.add_argument("--functions", action="store_true",
                        help="record only Trino's function list")
    parser.add_argument("--port", type=int, default=server.DEFAULT_PORT)
    args = parser.parse_args()

    if args.stop:
        if not server.stop():
            log("no Trino server of ours is running")
        return 0

    # Parse everything before starting a JVM: a corpus mistake should cost nothing.
    all_families = corpus.families()
    families = [] if args.functions else (args.family or all_families)
    for family in families:
        if family not in all_families:
            raise SystemExit(f"no corpus file {corpus.CORPUS / (family + '.sql')}")
    cases = {f: corpus.parse_corpus(corpus.CORPUS / f"{f}.sql") for f in families}
    tables = corpus.load_tables()

    # SIGTERM (and SIGHUP) unwind like Ctrl-C does, so the finally below stops Trino.
    def unwind(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, unwind)
    signal.signal(signal.SIGHUP, unwind)

    tmp = Path(tempfile.mkdtemp(prefix="trino-golden-")) if args.check else None
    out_dir = tmp or corpus.GOLDEN
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    server.install()
    reused = server.ours(args.port)
    if reused:
        log(f"reusing the Trino server already running on 127.0.0.1:{args.port}")
    try:
        if not reused:
            server.start(args.port)
        client = Client(args.port, catalog="hive", schema=SCHEMA)
        if families:
            setup_tables(client, tables)
            log(f"recording {len(families)} families into {out_dir}")
        for family in families:
            record_family(client, family, cases[family], out_dir)
        if (args.functions or not args.family) and not args.check:
            record_functions(client, FUNCTIONS)
    finally:
        if not reused and not args.keep_running:
            server.stop()
    log(f"done in {time.monotonic() - started:.0f} s")
    if args.keep_running and not reused:
        log(f"Trino left running on 127.0.0.1:{args.port}; stop it with "
            "python3 tools/trino/record.py --stop")

    if render.MISMATCHES:
        log("real/double text that is not Java's Float/Double.toString as re-derived in "
            "render.py (Trino's text was kept):")
        for raw, text, expected in render.MISMATCHES:
            log(f"  {raw}: Trino {text!r}, expected {expected!r}")
    if not args.family and not args.functions:
        stale = sorted(set(p.stem for p in corpus.GOLDEN.glob("*.json")) - set(all_families))
        if stale:
            log(f"golden files without a corpus file (delete them?): {', '.join(stale)}")
    if args.check:
        changed = diff(families, out_dir)
        shutil.rmtree(tmp)
        if changed:
            log(f"--check: {changed} golden file(s) differ from a fresh recording")
            return 1
        log(f"--check: all {len(families)} golden file(s) match a fresh recording")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except corpus.CorpusError as e:
        sys.exit(f"corpus error: {e}")
