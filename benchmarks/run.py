"""peerlint's benchmark: start-up, and cold/warm runs over generated fleets of 100,
1,000 and 10,000 files against the single-process parse floor (and checkov, when
installed). Prints a Markdown table; the numbers quoted in benchmarks/README.md come
from here.

    python benchmarks/run.py                       # everything (~10 minutes on 2 cores)
    python benchmarks/run.py --sizes 100,1000 --repeat 3
    python benchmarks/run.py --checkov /tmp/checkov-venv/bin/checkov

Each measurement runs peerlint as a user would (a fresh process, ``peerlint check
DIR``), and takes the median of ``--repeat`` runs. Cold: the parse cache folder
removed first (the files themselves are in the OS page cache: the generator just
wrote them). Warm: the same command again, nothing changed. The split comes from
``peerlint check --timings``; "start" is the rest of the wall time (interpreter,
imports, configuration, discovery). Peak RSS is the peerlint process's (workers are
forked copies and share its pages). CPU is user+system time of peerlint and its
workers: on a shared machine it moves less than wall time, so it is reported too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import generate  # noqa: E402  (benchmarks/ is not a package)

STAGES = ("parse", "model", "graph", "rules", "output")


def peerlint_cmd() -> list[str]:
    """The installed console script run directly (not through a pyenv shim, which
    adds its own ~50 ms), or ``python -m linter`` from this checkout."""
    script = os.path.join(os.path.dirname(sys.executable), "peerlint")
    if os.path.isfile(script):
        return [sys.executable, script]
    return [sys.executable, "-m", "linter"]


#: As installed: Python may cache bytecode (a CI image or sandbox that sets
#: PYTHONDONTWRITEBYTECODE recompiles every module on every run, ~90 ms here).
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PEERLINT_NO_DAEMON")}
#: A daemon the developer runs (``peerlint daemon start``) answers only the
#: measurements that ask for one (:func:`daemon_rechecks`).
ENV_ALONE = dict(ENV, PEERLINT_NO_DAEMON="1")


def measure(cmd: list[str], cwd: str = REPO, daemon: bool = False) -> dict:
    """One run: wall seconds, CPU seconds (with its children), peak RSS (MiB), stderr.
    ``daemon``: a running daemon may answer (else the command runs itself)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, env=ENV if daemon else ENV_ALONE)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall": wall,
        "cpu": cpu,
        "rss_mib": usage.ru_maxrss / 1024,
        "rc": proc.returncode,
        "stderr": stderr,
        "children_cpu": children.ru_utime + children.ru_stime,
    }


def timings_from(stderr: str) -> dict[str, float]:
    for line in stderr.splitlines():
        if line.startswith("peerlint: ") and "parse=" in line:
            out = {}
            for part in line.split(";", 1)[1].split():
                name, _, value = part.partition("=")
                out[name] = float(value.rstrip("s"))
            return out
    raise RuntimeError(f"no --timings line in peerlint's output:\n{stderr[-2000:]}")


def median_of(runs: list[dict]) -> dict:
    out = {
        "wall": statistics.median(r["wall"] for r in runs),
        "cpu": statistics.median(r["cpu"] for r in runs),
        "rss_mib": max(r["rss_mib"] for r in runs),
        "runs": [round(r["wall"], 3) for r in runs],
    }
    if runs and "stages" in runs[0]:
        out["stages"] = {s: statistics.median(r["stages"].get(s, 0.0) for r in runs) for s in STAGES}
    return out


def lint_runs(
    fleet: str,
    repeat: int,
    extra: list[str],
    cold: bool,
    edit: bool | str = False,
    raw: bool = False,
    daemon: bool = False,
) -> Any:
    """Cold: no cache. Warm: nothing changed. ``edit``: warm, but one file changed
    before each run (the pre-commit case): a comment appended (True, "comment"), or a
    value added ("value": the documents, the graph and the rules reading them change).
    ``daemon``: answered by the fleet's daemon (started by the caller)."""
    cache = os.path.join(fleet, ".peerlint_cache")
    runs = []
    if edit:
        target = os.path.join(
            fleet, sorted(d for d in os.listdir(fleet) if d.startswith("dc"))[0], "config", "mesh.hcl"
        )
        with open(target, encoding="utf-8") as handle:
            original = handle.read()
    if not cold:  # fill the cache once
        measure(peerlint_cmd() + ["check", "--timings", *extra, "."], cwd=fleet, daemon=daemon)
    for n in range(repeat):
        if cold:
            shutil.rmtree(cache, ignore_errors=True)
        if edit == "value":
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(original + f'Meta {{ edit = "{n}" }}\n')
        elif edit:
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(f"# edit {n}\n")
        run = measure(peerlint_cmd() + ["check", "--timings", *extra, "."], cwd=fleet, daemon=daemon)
        if run["rc"] not in (0, 1):
            raise RuntimeError(f"peerlint failed ({run['rc']}):\n{run['stderr'][-3000:]}")
        run["stages"] = timings_from(run["stderr"])
        runs.append(run)
    if edit:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(original)
    return runs if raw else median_of(runs)


def _git(fleet: str, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@peerlint.invalid")
    env.update(GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@peerlint.invalid")
    subprocess.run(["git", *args], cwd=fleet, env=env, check=True, capture_output=True)


def hook_runs(fleet: str, repeat: int, daemon: bool = False) -> dict:
    """The pre-commit hook's command, ``check --new-since HEAD``, in the fleet as a git
    repository: a commit of non-Consul files only (returns after one git diff); one
    staged Consul file, each run a new index state with HEAD already linted (the usual
    case after a commit); the same state tried again (both sides remembered)."""
    if not os.path.isdir(os.path.join(fleet, ".git")):
        _git(fleet, "init", "-q")
        with open(os.path.join(fleet, ".gitignore"), "w", encoding="utf-8") as handle:
            handle.write(".peerlint_cache/\n")
        with open(os.path.join(fleet, "NOTES.txt"), "w", encoding="utf-8") as handle:
            handle.write("notes\n")
        _git(fleet, "add", "-A")
        _git(fleet, "commit", "-q", "-m", "fleet")
    cmd = peerlint_cmd() + ["check", "--new-since", "HEAD"]
    target = os.path.join(sorted(d for d in os.listdir(fleet) if d.startswith("dc"))[0], "config", "mesh.hcl")
    out: dict = {}
    runs = []
    for n in range(repeat):
        with open(os.path.join(fleet, "NOTES.txt"), "a", encoding="utf-8") as handle:
            handle.write(f"note {n}\n")
        _git(fleet, "add", "NOTES.txt")
        runs.append(measure(cmd, cwd=fleet, daemon=daemon))
    out["non-Consul files only"] = median_of(runs)
    measure(cmd, cwd=fleet, daemon=daemon)  # HEAD's state linted once (as the previous commit's run would have)
    runs = []
    for n in range(repeat):
        with open(os.path.join(fleet, target), "a", encoding="utf-8") as handle:
            handle.write(f"# staged edit {n} {time.time_ns()}\n")  # a new state (never remembered)
        _git(fleet, "add", target)
        runs.append(measure(cmd, cwd=fleet, daemon=daemon))
    out["one staged Consul file"] = median_of(runs)
    out["the same state again"] = median_of([measure(cmd, cwd=fleet, daemon=daemon) for _ in range(repeat)])
    _git(fleet, "reset", "-q", "--hard")
    return out


def lsp_runs(fleet: str, repeat: int) -> dict:
    """The language server driven by a real client (pygls's, over stdio): first
    diagnostics after opening a file of the fleet (the project read), then didChange to
    publishDiagnostics for single edits (medians)."""
    import asyncio
    import time as _time

    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    async def run() -> dict:
        client = LanguageClient("bench", "1")
        got: dict = {}

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: types.PublishDiagnosticsParams) -> None:
            got[params.uri] = _time.perf_counter()

        await client.start_io(*peerlint_cmd(), "lsp", "--stdio")
        root = Path(fleet).resolve()
        await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="fleet")],
            )
        )
        client.initialized(types.InitializedParams())
        path = root / sorted(d for d in os.listdir(fleet) if d.startswith("dc"))[0] / "config" / "mesh.hcl"
        text = path.read_text(encoding="utf-8")
        uri = path.as_uri()

        pid = client._server.pid  # the server's CPU time per edit: what a loaded host does not inflate
        cpu: list[float] = []

        def cpu_seconds() -> float:
            with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        async def wait(send) -> float:
            got.pop(uri, None)
            before = cpu_seconds() if os.path.exists(f"/proc/{pid}/stat") else 0.0
            start = _time.perf_counter()
            send()
            while uri not in got:
                await asyncio.sleep(0.005)
            cpu.append(cpu_seconds() - before if before else 0.0)
            return got[uri] - start

        first = await wait(
            lambda: client.text_document_did_open(
                types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "hcl", 1, text))
            )
        )
        version = 1
        out: dict = {"first diagnostics": first, "first diagnostics (CPU)": cpu[-1]}
        # a trailing comment edited in place (documents and positions stay: the graph is kept;
        # the first edit adds the line) and a value (the graph and the rules reading it run again)
        for label, edit in (
            ("didChange to diagnostics", lambda n: text + f"# edit {n}\n"),
            ("didChange to diagnostics, a value", lambda n: text + f'Meta {{ edit = "{n}" }}\n'),
        ):
            edits = []
            for n in range(repeat):
                await asyncio.sleep(0.3)
                version += 1
                change = types.TextDocumentContentChangeWholeDocument(text=edit(n))
                edits.append(
                    await wait(
                        lambda change=change, version=version: client.text_document_did_change(
                            types.DidChangeTextDocumentParams(
                                types.VersionedTextDocumentIdentifier(version=version, uri=uri), [change]
                            )
                        )
                    )
                )
            out[label] = statistics.median(edits)
            out[label + " (runs)"] = [round(e, 3) for e in edits]
            out[label + " (CPU)"] = statistics.median(cpu[-repeat:])
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
        return out

    return asyncio.run(run())


def floor_once(fleet: str) -> dict:
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "floor.py"), fleet], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


def floor_and_cold(fleet: str, repeat: int) -> tuple[dict, dict, list[float]]:
    """The parse floor and cold runs, taken in turns (floor, cold, floor, cold, ...),
    so a shared machine's changing load weighs on both alike; the ratio is the median
    of each cold run over the floor run just before it."""
    seconds: list[float] = []
    runs: list[dict] = []
    info: dict = {}
    for _ in range(repeat):
        info = floor_once(fleet)
        seconds.append(info["seconds"])
        runs.append(lint_runs(fleet, 1, [], cold=True, raw=True)[0])
    floor = {
        "seconds": statistics.median(seconds),
        "files": info["files"],
        "bytes": info["bytes"],
        "runs": [round(s, 3) for s in seconds],
    }
    ratios = [run["wall"] / sec for run, sec in zip(runs, seconds)]
    return floor, median_of(runs), ratios


def startup(repeat: int) -> dict:
    def med(cmd):
        return statistics.median(measure(cmd)["wall"] for _ in range(repeat))

    base = med([sys.executable, "-c", "pass"])
    version = med(peerlint_cmd() + ["--version"])
    rules = med(peerlint_cmd() + ["rules"])
    return {"python -c pass": base, "peerlint --version": version, "peerlint rules": rules, "ratio": version / base}


def checkov_runs(checkov: str, fleet: str, workdir: str, repeat: int) -> dict:
    """checkov and peerlint (cold) on the fleet's Kubernetes half, taken in turns
    (checkov, peerlint, checkov, ...) like the parse floor: the ratio is the median of
    each checkov run over the peerlint run right after it, so the machine's drifting
    speed weighs on both alike."""
    half = os.path.join(workdir, "fleet-1000-k8s-half")
    shutil.rmtree(half, ignore_errors=True)
    os.makedirs(half)
    for name in sorted(os.listdir(fleet)):
        if name.startswith("k8s"):
            shutil.copytree(os.path.join(fleet, name), os.path.join(half, name))
    files = len([f for _d, _s, fs in os.walk(half) for f in fs])
    version = statistics.median(measure([checkov, "--version"])["wall"] for _ in range(max(1, repeat // 2)))
    runs, ours = [], []
    for _ in range(repeat):
        runs.append(measure([checkov, "-d", half, "--framework", "kubernetes", "--quiet", "--compact"]))
        ours.append(lint_runs(half, 1, [], cold=True, raw=True)[0])
    wall = statistics.median(r["wall"] for r in runs)
    mine = statistics.median(r["wall"] for r in ours)
    ratios = [c["wall"] / p["wall"] for c, p in zip(runs, ours)]
    return {
        "files": files,
        "checkov --version": version,
        "checkov": wall,
        "checkov runs": [round(r["wall"], 3) for r in runs],
        "peerlint cold": mine,
        "peerlint runs": [round(r["wall"], 3) for r in ours],
        "ratio": statistics.median(ratios),
        "ratios": [round(r, 2) for r in ratios],
    }


def machine() -> dict:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = 0.0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "load_before": os.getloadavg(),
    }


def table(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, {m['os']}; "
        f"load average before {m['load_before'][0]:.2f}, after {results.get('load_after', [0])[0]:.2f}.",
        "",
    ]
    s = results.get("startup")
    if s:
        lines += [
            "| start-up | median |",
            "|---|---|",
            f"| `python -c pass` | {s['python -c pass'] * 1000:.0f} ms |",
            f"| `peerlint --version` | {s['peerlint --version'] * 1000:.0f} ms ({s['ratio']:.2f}x) |",
            f"| `peerlint rules` | {s['peerlint rules'] * 1000:.0f} ms |",
            "",
        ]
    lines += [
        "| files | MB | run | wall | files/s | CPU | peak RSS | start | parse | model | graph | rules | output | parse floor | wall / floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, r in results["sizes"].items():
        fl = r["floor"]
        for label in ("cold", "warm", "one file edited", "cold -j1"):
            x = r.get(label)
            if not x:
                continue
            st = x["stages"]
            start = x["wall"] - sum(st.values())
            # cold: the median of the paired ratios (see floor_and_cold); others: medians
            ratio = (
                r["cold / floor"]["median"] if label == "cold" and "cold / floor" in r else x["wall"] / fl["seconds"]
            )
            lines.append(
                f"| {size} | {fl['bytes'] / 1e6:.1f} | {label} | {x['wall']:.2f} s | {fl['files'] / x['wall']:,.0f} | {x['cpu']:.2f} s | "
                f"{x['rss_mib']:.0f} MiB | {start:.2f} | {st['parse']:.2f} | {st['model']:.2f} | {st['graph']:.2f} | {st['rules']:.2f} | "
                f"{st['output']:.2f} | {fl['seconds']:.2f} s | {ratio:.2f} |"
            )
    lines += [
        "",
        "| files | `check --new-since HEAD` (the hook) | wall | language server | seconds |",
        "|---|---|---|---|---|",
    ]
    for size, r in results["sizes"].items():
        hook, lsp = r.get("hook", {}), r.get("lsp", {})
        rows = [(k, v["wall"]) for k, v in hook.items()]
        served = [
            (k, lsp[k])
            for k in ("first diagnostics", "didChange to diagnostics", "didChange to diagnostics, a value")
            if k in lsp
        ]
        for i in range(max(len(rows), len(served))):
            h = rows[i] if i < len(rows) else ("", None)
            v = served[i] if i < len(served) else ("", None)
            lines.append(
                f"| {size} | {h[0]} | {'' if h[1] is None else f'{h[1]:.2f} s'} | {v[0]} | "
                f"{'' if v[1] is None else f'{v[1]:.2f} s'} |"
            )
    sizes = list(results["sizes"])
    if "1000" in results["sizes"] and "10000" in results["sizes"]:
        a, b = results["sizes"]["1000"]["cold"]["wall"], results["sizes"]["10000"]["cold"]["wall"]
        lines += ["", f"1,000 -> 10,000 files, cold: {b / a:.1f}x the time for 10x the files."]
    for size in sizes:
        r = results["sizes"][size]
        lines.append(f"{size} files: warm is {r['warm']['wall'] / r['cold']['wall'] * 100:.0f}% of cold.")
        if "cold / floor" in r:
            pairs = ", ".join(f"{w:.2f}/{f:.2f}" for w, f in zip(r["cold"]["runs"], r["floor"]["runs"]))
            lines.append(
                f"{size} files, cold run / parse floor run just before it (s): {pairs}; median ratio {r['cold / floor']['median']:.2f}."
            )
    c = results.get("checkov")
    if c:
        if "error" in c:
            lines += ["", f"checkov: {c['error']}"]
        else:
            lines += [
                "",
                f"checkov on the 1,000-file fleet's Kubernetes half ({c['files']} files): `checkov --version` {c['checkov --version']:.2f} s; "
                f"`checkov -d DIR --framework kubernetes` {c['checkov']:.2f} s; peerlint cold {c['peerlint cold']:.2f} s: "
                f"**{c['ratio']:.1f}x** faster (median of paired runs; checkov/peerlint (s): "
                + ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(c["checkov runs"], c["peerlint runs"]))
                + ").",
            ]
    return "\n".join(lines)


def rechecks(fleet: str, repeat: int) -> dict:
    """#17's targets on one fleet, each with its runs (the machine is shared: the
    spread says how much to trust a median)."""
    entry: dict = {
        "files": len([f for _d, _s, fs in os.walk(fleet) for f in fs if f.endswith((".hcl", ".json", ".yaml"))])
    }
    for label, cold, edit in (
        ("cold", True, False),
        ("warm", False, False),
        ("one file edited", False, True),
        ("one value edited", False, "value"),
    ):
        entry[label] = lint_runs(fleet, min(repeat, 3) if cold and entry["files"] >= 10000 else repeat, [], cold, edit)
    entry["hook"] = hook_runs(fleet, repeat)
    entry["daemon"] = daemon_rechecks(fleet, repeat)
    entry["lsp"] = lsp_runs(fleet, repeat)
    return entry


def daemon_rechecks(fleet: str, repeat: int) -> dict:
    """The same with the fleet's daemon running (``peerlint daemon start``): the
    command's whole wall time, its start-up included."""
    started = subprocess.run(
        peerlint_cmd() + ["daemon", "start", fleet], env=ENV, capture_output=True, text=True, check=False
    )
    if started.returncode != 0:
        raise RuntimeError(f"peerlint daemon start failed:\n{started.stderr}")
    try:
        out = {
            label: lint_runs(fleet, repeat, [], False, edit, daemon=True)
            for label, edit in (("warm", False), ("one file edited", True), ("one value edited", "value"))
        }
        out["hook"] = hook_runs(fleet, repeat, daemon=True)
    finally:
        subprocess.run(peerlint_cmd() + ["daemon", "stop", fleet], env=ENV, capture_output=True, check=False)
    return out


def recheck_table(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}; load average before "
        f"{m['load_before'][0]:.2f}, after {results.get('load_after', [0])[0]:.2f}.",
        "",
        "| files | measurement | median | runs |",
        "|---|---|---|---|",
    ]
    for size, r in results["sizes"].items():
        for label in ("cold", "warm", "one file edited", "one value edited"):
            x = r[label]
            share = (
                f" ({x['wall'] / r['cold']['wall'] * 100:.0f}% of cold; CPU {x['cpu']:.2f} s)"
                if label != "cold"
                else f" (CPU {x['cpu']:.2f} s)"
            )
            lines.append(
                f"| {size} | `check` {label} | {x['wall']:.2f} s{share} | {', '.join(f'{w:.2f}' for w in x['runs'])} |"
            )
        for label, x in r["hook"].items():
            lines.append(
                f"| {size} | hook: {label} | {x['wall']:.2f} s (CPU {x['cpu']:.2f} s) | {', '.join(f'{w:.2f}' for w in x['runs'])} |"
            )
        daemon = r.get("daemon", {})
        for label in ("warm", "one file edited", "one value edited"):
            if label in daemon:
                x = daemon[label]
                lines.append(
                    f"| {size} | daemon: `check` {label} | {x['wall']:.2f} s ({x['wall'] / r['cold']['wall'] * 100:.0f}% of cold) "
                    f"| {', '.join(f'{w:.2f}' for w in x['runs'])} |"
                )
        for label, x in daemon.get("hook", {}).items():
            lines.append(
                f"| {size} | daemon: hook: {label} | {x['wall']:.2f} s | {', '.join(f'{w:.2f}' for w in x['runs'])} |"
            )
        lsp = r["lsp"]
        first = lsp["first diagnostics"]
        lines.append(
            f"| {size} | language server: first diagnostics | {first:.2f} s (server CPU {lsp.get('first diagnostics (CPU)', 0):.2f} s) | |"
        )
        for label in ("didChange to diagnostics", "didChange to diagnostics, a value"):
            runs = ", ".join(f"{w * 1000:.0f}" for w in lsp[label + " (runs)"])
            used = lsp.get(label + " (CPU)", 0) * 1000
            lines.append(
                f"| {size} | language server: {label} | {lsp[label] * 1000:.0f} ms (server CPU {used:.0f} ms) | {runs} ms |"
            )
    return "\n".join(lines)


def rechecks_main(args) -> int:
    os.makedirs(args.workdir, exist_ok=True)
    results: dict = {"machine": machine(), "sizes": {}}
    measure(peerlint_cmd() + ["check", "--no-cache", HERE])  # compile bytecode once, as an install does
    for size in [int(s) for s in args.sizes.split(",") if s]:
        fleet = os.path.join(args.workdir, f"fleet-{size}")
        generate.generate(fleet, size)
        shutil.rmtree(os.path.join(fleet, ".git"), ignore_errors=True)
        results["sizes"][str(size)] = rechecks(fleet, args.repeat)
        print(f"{size}: {json.dumps(results['sizes'][str(size)], default=str)[:400]}", file=sys.stderr)
    results["load_after"] = os.getloadavg()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    print(recheck_table(results))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="peerlint benchmark")
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs per measurement (median); 10,000 files use at most 3"
    )
    parser.add_argument("--pairs", type=int, default=7, help="parse floor + cold run pairs per size (median ratio)")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "peerlint-bench"))
    parser.add_argument(
        "--checkov", default=None, help="checkov executable (default: on PATH or /tmp/checkov-venv/bin/checkov)"
    )
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--json", default=None, help="also write the raw results here")
    parser.add_argument(
        "--rechecks",
        action="store_true",
        help="only the re-check targets of #17: cold, warm, one file edited, the hook, the language server",
    )
    args = parser.parse_args()
    if args.rechecks:
        return rechecks_main(args)
    os.makedirs(args.workdir, exist_ok=True)
    results: dict = {"machine": machine(), "sizes": {}}
    print(f"machine: {results['machine']}", file=sys.stderr)
    measure(peerlint_cmd() + ["check", "--no-cache", HERE])  # compile bytecode once, as an install does
    results["startup"] = startup(max(args.repeat, 10))
    print(f"startup: {results['startup']}", file=sys.stderr)
    for size in [int(s) for s in args.sizes.split(",") if s]:
        fleet = os.path.join(args.workdir, f"fleet-{size}")
        generate.generate(fleet, size)
        repeat = min(args.repeat, 3) if size >= 10000 else args.repeat
        floor, cold, ratios = floor_and_cold(fleet, args.pairs)
        entry = {
            "floor": floor,
            "cold": cold,
            "cold / floor": {"median": statistics.median(ratios), "runs": [round(r, 3) for r in ratios]},
        }
        entry["warm"] = lint_runs(fleet, repeat, [], cold=False)
        entry["one file edited"] = lint_runs(fleet, repeat, [], cold=False, edit=True)
        entry["cold -j1"] = lint_runs(fleet, max(1, repeat // 2), ["-j", "1", "--no-cache"], cold=True)
        entry["hook"] = hook_runs(fleet, repeat)
        entry["lsp"] = lsp_runs(fleet, repeat)
        results["sizes"][str(size)] = entry
        print(
            f"{size}: floor {entry['floor']['seconds']:.2f}s cold {entry['cold']['wall']:.2f}s warm {entry['warm']['wall']:.2f}s "
            f"j1 {entry['cold -j1']['wall']:.2f}s rss {entry['cold']['rss_mib']:.0f}MiB",
            file=sys.stderr,
        )
    if not args.no_checkov and "1000" in results["sizes"]:
        checkov = args.checkov or shutil.which("checkov") or "/tmp/checkov-venv/bin/checkov"
        if os.path.exists(checkov) or shutil.which(checkov):
            results["checkov"] = checkov_runs(
                checkov, os.path.join(args.workdir, "fleet-1000"), args.workdir, args.repeat
            )
        else:
            results["checkov"] = {
                "error": f"not installed ({checkov}); pip install checkov into a separate venv to compare"
            }
    results["load_after"] = os.getloadavg()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
