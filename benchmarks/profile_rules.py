"""Where a run's time goes, by stage and by rule code: the list to hand to whoever
owns a slow rule. Runs in one process (after a warm-up run, so one-off imports are
counted apart), then optionally cProfile's top functions.

    python benchmarks/profile_rules.py DIR [--cprofile 30]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--cprofile", type=int, default=0, help="also print this many functions by cumulative time")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    os.chdir(args.folder)

    start = time.perf_counter()
    from linter.config import RunOptions, load_config
    from linter.engine import load_project
    from linter.registry import load_rules

    imports = time.perf_counter() - start
    config = load_config(".")
    rules = load_rules()
    timings: dict[str, float] = {}
    project = load_project(["."], config, None, timings, RunOptions(jobs=args.jobs))
    start = time.perf_counter()
    project.graph  # noqa: B018  (built here, so its time is its own)
    timings["graph"] = time.perf_counter() - start
    per_rule: dict[str, float] = {}
    first_import: dict[str, float] = {}
    profile = cProfile.Profile() if args.cprofile else None
    for code, rule_cls in rules.items():
        before = set(sys.modules)
        start = time.perf_counter()
        if profile:
            profile.enable()
        try:
            count = sum(1 for _ in rule_cls().check(project))
        except Exception as err:  # report, keep going
            count = f"raised {type(err).__name__}: {err}"
        if profile:
            profile.disable()
        per_rule[code] = time.perf_counter() - start
        new = set(sys.modules) - before
        if new:
            first_import[code] = len(new)
        per_rule[code + "#"] = count  # type: ignore[assignment]
    gc.collect()
    print(f"{len(project.files)} files, {len(project.documents)} documents; imports {imports:.3f}s")
    print("stages: " + " ".join(f"{k}={v:.3f}s" for k, v in timings.items()))
    total = sum(v for k, v in per_rule.items() if not k.endswith("#"))
    print(f"rules total {total:.3f}s")
    for code, seconds in sorted(((k, v) for k, v in per_rule.items() if not k.endswith("#")), key=lambda kv: -kv[1]):
        note = f"  (first to import {first_import[code]} modules)" if code in first_import else ""
        print(f"  {code:7} {seconds:7.3f}s  {seconds / total * 100:5.1f}%  findings={per_rule[code + '#']}{note}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
