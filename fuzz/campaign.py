"""The long fuzz campaign: mutated corpus files through the whole pipeline (parse,
classify, clusters, every rule), and through the other surfaces a pull request reaches
(fuzz/surfaces.py: reading from disk under hostile names, every report format, config
and baseline files, the language server's buffers), counting inputs and crashes.

    python fuzz/campaign.py --count 100000 --seconds 1800 --jobs 2
    python fuzz/campaign.py --surfaces disk,reports,config,baseline,lsp --count 100000

A crash is any exception escaping the pipeline or a PL000 internal-error finding, or a
surface breaking its promise (invalid JSON, a multi-line workflow annotation, a secret
printed); the first few are written to fuzz/crashes/ for reproduction. Exit 1 if any.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from mutate import load_seeds, mutate  # noqa: E402

DEFAULT_CORPUS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared", "corpus")


EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")


def _example_project() -> dict[str, str]:
    """The bundled multi-cluster example, as absolute path -> text (cluster globs in
    its peerlint.toml resolve against the folder, whatever the working directory)."""
    texts = {}
    for root, _dirs, files in os.walk(EXAMPLES):
        for name in files:
            if name.endswith((".hcl", ".json", ".yaml", ".yml")):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as handle:
                    texts[path] = handle.read()
    return texts


def _example_config():
    from linter.config import load_config

    return load_config(EXAMPLES)


def _worker(args: tuple) -> tuple[int, list[tuple[str, str, str]]]:
    from linter.config import Config
    from linter.engine import INTERNAL_ERROR, run_rules
    from linter.inmemory import project_from_texts
    from linter.registry import load_rules

    worker, count, deadline, corpus, surfaces = args
    import surfaces as targets

    rules = load_rules()
    seeds = load_seeds(corpus)
    project_files = _example_project()
    rng = random.Random(worker)
    crashes: list[tuple[str, str, str]] = []
    done = 0
    while done < count and time.time() < deadline:
        surface = rng.choice(surfaces)
        if surface != "pipeline":
            seeds_for = {"config": targets.CONFIG_SEEDS, "baseline": targets.BASELINE_SEEDS}.get(surface)
            name, text = (surface, rng.choice(seeds_for)) if seeds_for else rng.choice(seeds)
            text = mutate(text, rng)
            why = targets.run_one(surface, rng, text, rules)
            if why:
                crashes.append((f"{surface}-{os.path.basename(name)}", text, why))
            done += 1
            continue
        if project_files and rng.random() < 0.25:
            # one file of the multi-cluster example broken: cross-cluster rules under stress
            texts = dict(project_files)
            name = rng.choice(sorted(texts))
            texts[name] = text = mutate(texts[name], rng)
            config = _example_config()
        else:
            name, text = rng.choice(seeds)
            text = mutate(text, rng)
            texts, config = {name: text}, Config()
        try:
            project = project_from_texts(texts, config)
            findings, _internal = run_rules(project, rules)
            bad = [f.message for f in findings if f.code == INTERNAL_ERROR]
            if bad:
                crashes.append((name, text, bad[0]))
        except Exception:
            crashes.append((name, text, traceback.format_exc()))
        done += 1
    return done, crashes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=1800)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("--seed", type=int, default=0, help="first worker's random seed (workers count up)")
    parser.add_argument(
        "--surfaces",
        default="pipeline",
        help="comma-separated: pipeline (default), disk, reports, config, baseline, lsp, or all",
    )
    args = parser.parse_args()
    start = time.time()
    deadline = start + args.seconds
    share = [args.count // args.jobs + (1 if i < args.count % args.jobs else 0) for i in range(args.jobs)]
    with multiprocessing.Pool(args.jobs) as pool:
        chosen = (
            ["pipeline", "disk", "reports", "config", "baseline", "lsp"]
            if args.surfaces == "all"
            else args.surfaces.split(",")
        )
        results = pool.map(_worker, [(args.seed + i, n, deadline, args.corpus, chosen) for i, n in enumerate(share)])
    tried = sum(n for n, _ in results)
    crashes = [c for _, cs in results for c in cs]
    elapsed = time.time() - start
    print(f"inputs tried: {tried}, crashes: {len(crashes)}, seconds: {elapsed:.0f}, inputs/s: {tried / elapsed:.0f}")
    if crashes:
        out = os.path.join(HERE, "crashes")
        os.makedirs(out, exist_ok=True)
        for i, (name, text, why) in enumerate(crashes[:20]):
            with open(
                os.path.join(out, f"{i}-{os.path.basename(name)}"), "w", encoding="utf-8", errors="surrogatepass"
            ) as handle:
                handle.write(text)
            print(f"--- crash {i} ({name}):\n{why}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
