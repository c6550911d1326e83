#!/usr/bin/env python3
"""A model of reading a result file in ranges, to compare ways of cutting it.

    python3 tools/range_plans.py

Each connection asks for the next range in file order when it is free and the ranges
held (requested and not yet parsed) fit the byte budget; a range takes the first-byte
latency plus its length over the bandwidth; one parser takes the ranges in file order
at a fixed rate, and a range's bytes are released when it is parsed. The defaults are
those of BENCHMARKS.md, "Read paths" (8 connections, 8 MiB chunks, 30 ms first byte,
90 MB/s a connection, 32 ms before the first request). It prints the modelled time of
a read for each plan, file and parse rate. The library cuts ranges as `balanced` does
(`range_len` in src/s3/ranges.rs); the other plans are the ones it was
weighed against.
"""

import heapq
import math

MB = 1e6
MIB = 1 << 20


def read_time(ranges, conns=8, budget=64 * MIB, first_byte=0.030, bandwidth=90 * MB,
              parse=600 * MB, head=0.032):
    """Seconds until the last range of `ranges` (lengths in file order) is parsed."""
    free = [head] * conns
    held = []  # (released at, length)
    parsed = 0.0
    for length in ranges:
        t = heapq.heappop(free)
        while sum(l for r, l in held if r > t) + length > budget:
            t = min(r for r, l in held if r > t)
        arrived = t + first_byte + length / bandwidth
        heapq.heappush(free, arrived)
        parsed = max(arrived, parsed) + length / parse
        held.append((parsed, length))
    return parsed


def cut(span, length):
    out = []
    while span > 0:
        out.append(min(length, span))
        span -= length
    return out


def fixed(span, chunk=8 * MIB, k=8):
    """Ranges of the chunk size, the last one shorter: how the library cut the file
    before 14a68b5 (when it also held a connection until its range was taken, which
    this model does not)."""
    return cut(span, chunk)


def balanced(span, chunk=8 * MIB, k=8):
    """A multiple of k ranges of one length, at most the chunk size (the library now)."""
    n = math.ceil(math.ceil(span / chunk) / k) * k
    return cut(span, math.ceil(span / n))


def mirrored(span, chunk=8 * MIB, k=8):
    """A first round growing from 1/k of a range, a last round shrinking to it."""
    middle = 0
    while (length := span / k / ((k + 1) / k + middle)) > chunk:
        middle += 1
    return ([length * (i + 1) / k for i in range(k)] + [length] * (middle * k)
            + [length * (k - i) / k for i in range(k)])


def slack(span, chunk=8 * MIB, k=8):
    """Like `balanced`, with ranges short enough that the budget holds one more."""
    return balanced(span, chunk * k / (k + 1), k)


if __name__ == "__main__":
    files = [("five columns", 143_371_046), ("SELECT *", 465_557_474)]
    for name, span in files:
        for parse in [600 * MB, 1200 * MB, 5000 * MB]:
            times = ", ".join(
                f"{plan.__name__} {len(plan(span))} ranges {read_time(plan(span), parse=parse) * 1000:.0f} ms"
                for plan in [fixed, balanced, mirrored, slack]
            )
            print(f"{name:12} parse {parse / MB:5.0f} MB/s: {times}")
