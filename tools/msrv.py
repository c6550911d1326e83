#!/usr/bin/env python3
"""The lowest Rust that can build the published crates, from `cargo metadata` alone.

Prints, for athena-stream and athena-emulator, the highest `rust-version` declared by a
package they build (normal and build dependencies, every feature on, every platform:
what a user of either crate compiles), then the same over the whole workspace with its
dev-dependencies (what `cargo test --workspace` compiles), and our own code's floor
(OWN_CODE below). Fails when the workspace's declared `rust-version` is lower than the
highest of those for the two crates, or when a workspace crate declares none.

Usage: python3 tools/msrv.py (no network: `cargo metadata --offline --locked`).

A crate's `rust-version` is what its authors declare, not what was proven: the figure is
the lowest Rust the tree accepts (cargo refuses older ones), checked here without a
toolchain of that version. Our own code's use of newer std APIs is checked by clippy's
`incompatible_msrv` lint (on by default; `.ci/run` runs clippy with `-D warnings`), which
reads `rust-version` from Cargo.toml; language features are listed in OWN_CODE.
"""

import json
import subprocess
import sys

# What our own code needs, with why: the language features clippy's incompatible_msrv
# does not see (it checks std APIs only). Raise it when the code starts using a newer one.
OWN_CODE = ((1, 88), "edition 2024 (1.85) and let chains (`if let ... && ...`, 1.88)")

PUBLISHED = ("athena-stream", "athena-emulator")


def version(text):
    return tuple(int(part) for part in text.split(".")) if text else ()


def show(v):
    return ".".join(str(part) for part in v)


def main():
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--all-features", "--locked", "--offline"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    packages = {p["id"]: p for p in metadata["packages"]}
    nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}
    members = set(metadata["workspace_members"])

    def reach(roots, kinds):
        seen, todo = set(), list(roots)
        while todo:
            pkg = todo.pop()
            if pkg in seen:
                continue
            seen.add(pkg)
            for dep in nodes[pkg]["deps"]:
                if any(k["kind"] in kinds for k in dep["dep_kinds"]):
                    todo.append(dep["pkg"])
        return seen

    def highest(ids):
        # Our own crates declare what this script checks: leave them out.
        best = max(
            ((version(packages[i].get("rust_version")), i) for i in ids if i not in members),
            default=((), None),
        )
        holders = sorted(
            f"{packages[i]['name']} {packages[i]['version']}"
            for i in ids
            if i not in members and version(packages[i].get("rust_version")) == best[0]
        )
        return best[0], holders

    failed = False
    floor = OWN_CODE[0]
    for name in PUBLISHED:
        root = next(i for i in members if packages[i]["name"] == name)
        tree = reach([root], {None, "build"})
        v, holders = highest(tree)
        print(f"{name}: {len(tree) - 1} packages built for its users; highest rust-version {show(v)} ({', '.join(holders[:3])}{', ...' if len(holders) > 3 else ''})")
        floor = max(floor, v)
    v, holders = highest(reach(members, {None, "build", "dev"}))
    print(f"workspace with dev-dependencies: highest rust-version {show(v)} ({', '.join(holders[:3])}{', ...' if len(holders) > 3 else ''})")
    print(f"own code: {show(OWN_CODE[0])}, {OWN_CODE[1]}")
    print(f"minimum for the published crates: {show(floor)}")

    for i in sorted(members):
        declared = packages[i].get("rust_version")
        name = packages[i]["name"]
        if not declared:
            print(f"error: {name} declares no rust-version", file=sys.stderr)
            failed = True
        elif version(declared) < floor:
            print(f"error: {name} declares rust-version {declared}, lower than {show(floor)}", file=sys.stderr)
            failed = True
        elif version(declared) > floor and name in PUBLISHED:
            print(f"note: {name} declares rust-version {declared}; the tree and our code allow {show(floor)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
