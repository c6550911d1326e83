#!/usr/bin/env python3
"""Checks the workspace's layout rules; exits 1 and names each breach.

    python3 tools/layout_check.py [--root DIR] [--tests-since REV] [--graph]

Rules (DEVELOPERS.md, "Layout"):
- no import circle between the top-level modules of a crate (`crate::a` and
  `crate::b`, each with everything below it): every `use` path and every path
  written in code (`crate::x::y`, `super::z`) is resolved to the module it names;
  test-only modules (`tests`, `*_tests`, `proptests`, `behaviour`, `testing`) are left
  out, since a test may reach anywhere;
- no `#[path]` attribute in Rust source, unless the comments right above it hold
  `// layout: #[path] because <reason>` (two examples that share a module: an example
  is one crate, and no other way shares a file between two);
- no file over 700 lines, unless one of its first 40 lines says
  `// layout: long file, because <reason>`;
- no function over 80 lines, unless the comments and attributes right above it hold
  `// layout: long function, because <reason>`;
- with `--tests-since REV`: every test function that existed at REV still exists
  (compared by name, so a test may move to another file or module).

Reads the source as text (no rustc, no cargo), so it runs in a second; it strips
comments, strings and character literals before it reads paths and braces.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
from pathlib import Path

MAX_FILE_LINES = 700
MAX_FN_LINES = 80
LONG_FILE = "// layout: long file, because"
LONG_FN = "// layout: long function, because"
PATH_REASON = "// layout: #[path] because"
# The crates' source trees: (name, folder of lib.rs/main.rs). The emulator's binary
# (main.rs) is one file on top of its library.
CRATES = [("athena-stream", "src"), ("athena-emulator", "emulator/src")]
# Everything Rust in the workspace, for the file, function, #[path] and test rules.
SOURCE_DIRS = ["src", "emulator", "tests", "examples", "benches", "bench"]
TEST_ONLY = re.compile(r"^(tests|.*_tests|proptests|behaviour|fake|testing)$")


def strip_code(text: str) -> str:
    """The text with comments, string and char literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == "/" and nxt == "*":
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 8]) and not (
            i and (text[i - 1].isalnum() or text[i - 1] == "_")
        ):
            hashes = re.match(r"r(#*)\"", text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            end = n if end < 0 else end + 1 + len(hashes)
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('"' + re.sub(r"[^\n]", " ", text[i + 1:j]) + '"')
            i = j + 1
        elif c == "'":
            # A char literal ('x', '\n', '\u{..}') or a lifetime ('a): only blank
            # the first.
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:])
            if m:
                out.append(" " * len(m.group(0)))
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def module_path(crate_dir: Path, file: Path) -> list[str]:
    """`src/a/b.rs` -> ["a", "b"]; `src/a/mod.rs` -> ["a"]; lib.rs/main.rs -> []."""
    rel = file.relative_to(crate_dir).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "mod":
        parts.pop()
    if parts in (["lib"], ["main"]):
        return []
    return parts


def use_paths(tree: str) -> list[str]:
    """Expands a use tree (`a::{b, c::{d, e}}`) into its paths."""
    tree = re.sub(r"\s+", "", tree)
    depth = 0
    for i, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                prefix, inner = tree[:i], tree[i + 1:tree.rfind("}")]
                parts, d, start = [], 0, 0
                for j, cj in enumerate(inner):
                    d += cj == "{"
                    d -= cj == "}"
                    if cj == "," and d == 0:
                        parts.append(inner[start:j])
                        start = j + 1
                parts.append(inner[start:])
                out = []
                for p in parts:
                    if not p:
                        continue
                    for sub in use_paths(p):
                        out.append(prefix + sub if sub != "self" else prefix.rstrip(":"))
                return out
            depth += 1
    return [re.sub(r"as\w+$", "", tree)]


def resolve(path: str, here: list[str]) -> list[str] | None:
    """The absolute module path a `crate::`/`super::`/`self::` path starts from."""
    segs = [s for s in path.split("::") if s]
    if not segs:
        return None
    if segs[0] == "crate":
        base, rest = [], segs[1:]
    elif segs[0] in ("super", "self"):
        base = list(here)
        rest = segs
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                if not base:
                    return None
                base.pop()
            rest = rest[1:]
    else:
        return None
    return base + rest


def check_crate(root: Path, name: str, src: str, problems: list[str], graph_out: bool):
    crate_dir = root / src
    files = sorted(p for p in crate_dir.rglob("*.rs"))
    modules = {tuple(module_path(crate_dir, f)): f for f in files}
    edges: dict[str, set[str]] = collections.defaultdict(set)
    where: dict[tuple[str, str], str] = {}
    for f in files:
        here = module_path(crate_dir, f)
        if not here or any(TEST_ONLY.match(p) for p in here):
            continue
        code = strip_code(f.read_text())
        # Test modules written inline (`#[cfg(test)] mod tests { ... }`) are cut off.
        m = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", code)
        if m:
            code = code[: m.start()]
        paths = []
        for m in re.finditer(r"\buse\s+([^;]+);", code):
            paths.extend(use_paths(m.group(1)))
        for m in re.finditer(r"\b(?:crate|super|self)(?:::\w+)+", code):
            paths.append(m.group(0))
        for p in paths:
            target = resolve(p, here)
            if not target:
                continue
            # The longest prefix that is a module of the crate.
            while target and tuple(target) not in modules:
                target = target[:-1]
            if not target or any(TEST_ONLY.match(t) for t in target):
                continue
            a, b = here[0], target[0]
            if a != b:
                edges[a].add(b)
                where.setdefault((a, b), f"{f.relative_to(root)}: {p}")
    if graph_out:
        for a in sorted(edges):
            print(f"{name}: {a} -> {', '.join(sorted(edges[a]))}")
    # Circles: Tarjan's strongly connected components over the top-level modules.
    index, low, stack, on, sccs = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(set(edges) | {w for ws in edges.values() for w in ws}):
        if v not in index:
            visit(v)
    for comp in sccs:
        arrows = [
            f"    {a} -> {b} ({where[(a, b)]})"
            for a in comp
            for b in sorted(edges.get(a, ()))
            if b in comp
        ]
        problems.append(
            f"{name}: import circle between {', '.join(comp)}:\n" + "\n".join(arrows)
        )


def functions(code: str):
    """(name, first line, last line) of every `fn` with a body, 1-based."""
    for m in re.finditer(r"\bfn\s+(\w+)", code):
        # The body's `{` (a `;` first means a declaration without a body).
        i, depth_paren = m.end(), 0
        while i < len(code):
            ch = code[i]
            if ch in "([<":
                depth_paren += 1
            elif ch in ")]>" and depth_paren:
                depth_paren -= 1
            elif ch == ";" and depth_paren == 0:
                i = -1
                break
            elif ch == "{" and depth_paren == 0:
                break
            i += 1
        if i < 0 or i >= len(code):
            continue
        depth, j = 0, i
        while j < len(code):
            if code[j] == "{":
                depth += 1
            elif code[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        start = code.count("\n", 0, m.start()) + 1
        end = code.count("\n", 0, j) + 1
        yield m.group(1), start, end


def reason_above(lines: list[str], first: int, reason: str = LONG_FN) -> bool:
    """A `reason` comment among the comments/attributes above line `first`."""
    k = first - 2
    while k >= 0:
        s = lines[k].strip()
        if s.startswith(reason):
            return True
        if s.startswith(("//", "#[", "#![")) or (s.endswith(")]") or s == "]"):
            k -= 1
            continue
        return False
    return False


def rust_files(root: Path):
    for d in SOURCE_DIRS:
        base = root / d
        if not base.exists():
            continue
        for f in sorted(base.rglob("*.rs")):
            if "target" in f.relative_to(root).parts:
                continue
            yield f


def test_names(text: str) -> list[str]:
    code = strip_code(text)
    return [
        m.group(1)
        for m in re.finditer(
            r"#\[(?:[\w:]*test|rstest)[^\]]*\](?:\s*#\[[^\]]*\])*\s*(?:pub\s+)?(?:async\s+)?fn\s+(\w+)",
            code,
        )
    ]


def tests_at(root: Path, rev: str) -> collections.Counter:
    listing = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", rev],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout.split()
    names: collections.Counter = collections.Counter()
    for path in listing:
        if path.endswith(".rs") and path.split("/")[0] in SOURCE_DIRS and "/target/" not in path:
            text = subprocess.run(
                ["git", "show", f"{rev}:{path}"],
                cwd=root, check=True, capture_output=True, text=True,
            ).stdout
            names.update(test_names(text))
    return names


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=Path(__file__).resolve().parent.parent, type=Path)
    ap.add_argument("--tests-since", metavar="REV")
    ap.add_argument("--graph", action="store_true", help="print the module graph")
    args = ap.parse_args()
    root: Path = args.root.resolve()
    problems: list[str] = []

    for name, src in CRATES:
        check_crate(root, name, src, problems, args.graph)

    now: collections.Counter = collections.Counter()
    for f in rust_files(root):
        rel = f.relative_to(root)
        text = f.read_text()
        lines = text.split("\n")
        now.update(test_names(text))
        count = len(lines) - (1 if text.endswith("\n") else 0)
        if count > MAX_FILE_LINES and not any(l.startswith(LONG_FILE) for l in lines[:40]):
            problems.append(f"{rel}: {count} lines (over {MAX_FILE_LINES}, no `{LONG_FILE}`)")
        code = strip_code(text)
        for m in re.finditer(r"#\[path\s*=", code):
            line = code.count("\n", 0, m.start()) + 1
            if not reason_above(lines, line, PATH_REASON):
                problems.append(f"{rel}:{line}: #[path] attribute (no `{PATH_REASON}`)")
        for fn, first, last in functions(code):
            length = last - first + 1
            if length > MAX_FN_LINES and not reason_above(lines, first):
                problems.append(
                    f"{rel}:{first}: fn {fn} is {length} lines (over {MAX_FN_LINES}, no `{LONG_FN}`)"
                )

    if args.tests_since:
        before = tests_at(root, args.tests_since)
        gone = before - now
        for name, k in sorted(gone.items()):
            problems.append(f"test `{name}` existed at {args.tests_since} ({k} gone)")
        print(f"tests: {sum(before.values())} at {args.tests_since}, {sum(now.values())} now")

    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)" if problems else "layout: all rules hold")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
