#!/usr/bin/env python3
"""Profile only the parts of a run between two lines of its stderr.

    python3 tools/perf_between.py START END OUT -- COMMAND [ARGS...]

Runs COMMAND under `perf record -g` with sampling off, switches it on when a stderr
line contains START and off when one contains END (any number of times), and writes
the profile to OUT; the command's other stderr lines are passed through. Used in
BENCHMARKS.md ("Read paths") to profile the reads of `read_paths` and not the queries
that write their files:

    RUST_LOG=athena_stream::result_file::ranges=debug,athena_stream::page_source::result_file=debug \
    python3 tools/perf_between.py 'range requested offset=0 ' 'read to the end' /tmp/reads.perf -- \
        target/release/examples/read_paths --rows 1000000 --query five-columns --skip-api --skip-bare
    perf report -i /tmp/reads.perf --no-children --sort dso,symbol
"""

import os
import subprocess
import sys
import tempfile


def main() -> int:
    if len(sys.argv) < 6 or sys.argv[4] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    start, end, out, command = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5:]
    with tempfile.TemporaryDirectory() as tmp:
        fifo = os.path.join(tmp, "control")
        os.mkfifo(fifo)
        perf = subprocess.Popen(
            ["perf", "record", "-g", "-D", "-1", "--control", f"fifo:{fifo}", "-o", out, "--"]
            + command,
            stderr=subprocess.PIPE,
            text=True,
        )
        # perf opens the fifo for reading once it starts; opening it for writing waits
        # for that.
        with open(fifo, "w") as control:
            on = False
            for line in perf.stderr:
                if not on and start in line:
                    control.write("enable\n")
                    control.flush()
                    on = True
                elif on and end in line:
                    control.write("disable\n")
                    control.flush()
                    on = False
                elif "DEBUG" not in line:
                    sys.stderr.write(line)
        return perf.wait()


if __name__ == "__main__":
    sys.exit(main())
