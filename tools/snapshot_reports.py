"""Snapshot peerlint's JSON reports on every tree it is tested on, to prove that a
refactor changed no behaviour: run it before and after, then ``diff -r`` the two folders.

Why a tool: "behaviour unchanged" is a claim about the examples, every fixture case, the
public corpus and the benchmark fleets together; checking them by hand misses cases.
Each tree is linted in a fresh process with ``--no-cache`` (a warm cache would replay
the old findings) and ``--format json``.

    python tools/snapshot_reports.py OUT_DIR [--fleets 1000,10000]
    diff -r before/ after/
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")


def _trees(fleets: list[int], workdir: str) -> list[tuple[str, str]]:
    """(name, folder) of every tree to snapshot."""
    trees = [("examples", os.path.join(REPO, "examples"))]
    fixtures = os.path.join(REPO, "tests", "fixtures")
    for code in sorted(os.listdir(fixtures)):
        for case in sorted(os.listdir(os.path.join(fixtures, code))):
            folder = os.path.join(fixtures, code, case)
            if os.path.isdir(folder):
                trees.append((f"fixture-{code}-{case}", folder))
    for scenario in sorted(os.listdir(os.path.join(REPO, "tests", "scenarios"))):
        trees.append((f"scenario-{scenario}", os.path.join(REPO, "tests", "scenarios", scenario)))
    corpus = os.path.join(SHARED, "corpus")
    if os.path.isdir(corpus):
        trees.append(("corpus", corpus))
    if fleets:
        sys.path.insert(0, os.path.join(REPO, "benchmarks"))
        import generate

        for size in fleets:
            fleet = os.path.join(workdir, f"fleet-{size}")
            if not os.path.isdir(fleet):
                generate.generate(fleet, size)
            trees.append((f"fleet-{size}", fleet))
    return trees


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--fleets", default="1000", help="comma-separated fleet sizes ('' for none)")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "peerlint-snapshot"))
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    fleets = [int(s) for s in args.fleets.split(",") if s]
    for name, folder in _trees(fleets, args.workdir):
        proc = subprocess.run(
            [sys.executable, "-m", "linter", "check", "--no-cache", "--format", "json", "."],
            cwd=folder,
            capture_output=True,
            text=True,
        )
        with open(os.path.join(args.out, name + ".json"), "w", encoding="utf-8") as handle:
            handle.write(f"exit {proc.returncode}\n{proc.stdout}\n--stderr--\n{proc.stderr}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
