"""The pipeline: discover -> read -> parse -> classify -> assign clusters -> rules ->
filter. Each stage runs once per run; rules get the finished, read-only project."""
from __future__ import annotations

import contextlib
import fnmatch
import gc
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

from linter.api import Finding, Rule, SEVERITY_RANK, sorted_findings
from linter.config import Config
from linter.discover import display_path, iter_files
from linter.nodes import Span
from linter.project import Project

INTERNAL_ERROR = "PL000"


@dataclass
class Result:
    findings: list[Finding]
    rules: dict[str, type[Rule]]
    project: Project
    internal_error: bool = False
    timings: dict[str, float] = field(default_factory=dict)


def _code_selected(code: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    select = list(select)
    if select and not any(code.startswith(s) for s in select):
        return False
    return not any(code.startswith(i) for i in ignore)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading allocates millions of long-lived nodes and frees almost nothing: the
    cyclic collector would walk the growing heap again and again (half of a warm
    run's load time), so it waits until the project is built. Then everything loaded
    moves straight to the oldest generation without being scanned (freeze, then
    unfreeze): re-enabled, the young collections would walk the whole project once
    or twice, which cost more than building the graph. Nothing leaks: the oldest
    generation is still collected."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if paused:
            gc.enable()


def _read(paths: list[str], config: Config, timings: Optional[dict[str, float]]) -> list:
    """Every file read and parsed (parse results the cache holds stay encoded until
    :func:`_build` needs them)."""
    from linter import safety

    # symlinks are followed only into the project or a folder named (issue #21)
    safety.confine([config.root, *(p for p in paths if os.path.isdir(p))])
    files = list(iter_files(paths, config.root, config.include, config.exclude))
    from linter.parse.cache import parse_all

    start = time.perf_counter()
    loaded = list(parse_all(files, config, defer=config.cache_dir is not None))
    if timings is not None:
        timings["parse"] = time.perf_counter() - start
    return loaded


def _build(project: Project, loaded: list, timings: Optional[dict[str, float]]) -> None:
    from linter.parse.worker import resolve

    start = time.perf_counter()
    for path, source, parsed in loaded:
        project.add_file(source, resolve(path, source, parsed))
    project.finish()
    if timings is not None:
        timings["model"] = time.perf_counter() - start


def load_project(paths: list[str], config: Config, focus: Optional[Iterable[str]] = None, timings: Optional[dict[str, float]] = None) -> Project:
    """Read, parse and classify every file under ``paths`` (stage times into
    ``timings`` when given: parse, model)."""
    project = Project(config)
    with _gc_paused():
        loaded = _read(paths, config, timings)
        _build(project, loaded, timings)
        del loaded
    if focus is not None:
        project.focus = focus_files(project.files, focus)
    return project


def focus_files(files: list[str], focus: Iterable[str]) -> set[str]:
    """The files a focused run reports on: those named, and those under a folder named
    (pre-commit passes files; a user may pass a folder)."""
    out: set[str] = set()
    for given in focus:
        absolute = os.path.abspath(given)
        out.add(display_path(given))
        out.update(f for f in files if os.path.abspath(f) == absolute or os.path.abspath(f).startswith(absolute.rstrip(os.sep) + os.sep))
    return out


def selected_codes(rules: dict[str, type[Rule]], config: Config, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[str]:
    """The codes a run with these options runs (command line over config; severity
    "off" turns a rule off). Suppression and baseline audits consider only these."""
    select = list(select) or config.select
    ignore = list(ignore) + config.ignore
    return [code for code in rules if _code_selected(code, select, ignore) and config.severity.get(code) != "off"]


def _run_rule(project: Project, code: str, rule_cls: type[Rule]) -> tuple[list[Finding], bool]:
    """One rule's findings, and whether it failed (then the PL000 finding is last)."""
    config = project.config
    findings: list[Finding] = []
    rule = rule_cls()
    project.last_document = None
    try:
        for finding in rule.check(project):
            if code in config.severity:
                finding.severity = config.severity[code]
            findings.append(finding)
    except Exception as err:  # a broken (third-party) rule must not stop the run
        where = traceback.extract_tb(err.__traceback__)[-1]
        doc = project.last_document
        findings.append(Finding(
            INTERNAL_ERROR, "error",
            f"internal error in rule {code} ({rule_cls.__module__})" + (f" on {doc.path}" if doc else "") + f": {type(err).__name__}: {err} "
            f"at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}",
            *_internal_location(project), resource=code, suppressible=False,
        ))
        return findings, True
    return findings, False


def run_rules(project: Project, rules: dict[str, type[Rule]], select: Iterable[str] = (), ignore: Iterable[str] = (), offload=None) -> tuple[list[Finding], bool]:
    """Every selected rule over the project. A rule that raises becomes a PL000
    finding naming it; the other rules still run. ``offload`` (linter.rulepool) has
    some of the rules running in another process: their findings are taken from it,
    and every rule's findings are assembled in the serial order."""
    config = project.config
    findings: list[Finding] = []
    internal = False
    ran = selected_codes(rules, config, select, ignore)
    away = set(offload.codes) if offload is not None else set()
    per_code: dict[str, tuple[list[Finding], bool]] = {}
    for code in ran:
        if code not in away:
            per_code[code] = _run_rule(project, code, rules[code])
    if offload is not None:
        while (claimed := offload.claim()) is not None:  # help with what the child has not taken
            for code in claimed:
                per_code[code] = _run_rule(project, code, rules[code])
        got = offload.results() or {}
        for code in offload.codes:
            if code not in per_code:
                per_code[code] = got[code] if code in got else _run_rule(project, code, rules[code])
    for code in ran:
        found, failed = per_code[code]
        findings.extend(found)
        internal = internal or failed
    from linter.textsafe import mask_finding

    # secrets a rule quoted are masked here, once, for every format, the baseline and the caches
    findings = [mask_finding(f) for f in findings if f.code == INTERNAL_ERROR or not _path_ignored(f, rules, config)]
    from linter.suppress import apply_suppressions

    findings = apply_suppressions(findings, project.texts, rules, config, ran)
    if project.focus is not None:
        findings = [f for f in findings if f.path in project.focus or any(r.path in project.focus for r in f.related) or f.code == INTERNAL_ERROR]
    return _dedupe(sorted_findings(findings)), internal


def _internal_location(project: Project) -> tuple[str, Span]:
    """Where to put an internal error: the document the rule was reading, if known."""
    doc = project.last_document
    if doc is not None:
        return doc.path, doc.root.span
    return (project.files[0] if project.files else "."), Span.point(1, 1)


def _path_ignored(finding: Finding, rules: dict[str, type[Rule]], config: Config) -> bool:
    """``per-path-ignores``: globs are relative to the config file's folder, whatever
    folder peerlint runs from; non-suppressible rules are never ignored this way."""
    from linter.suppress import non_suppressible

    if not finding.suppressible or non_suppressible(finding.code, rules, config):
        return False
    rel = os.path.relpath(os.path.abspath(finding.path), config.root).replace(os.sep, "/")
    for glob, codes in config.per_path_ignores.items():
        if (fnmatch.fnmatch(rel, glob) or fnmatch.fnmatch(finding.path, glob)) and any(finding.code.startswith(c) for c in codes):
            return True
    return False


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.code, f.path, f.span, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def check(paths: list[str], config: Config, rules: dict[str, type[Rule]], select: Iterable[str] = (), ignore: Iterable[str] = (), focus: Optional[Iterable[str]] = None) -> Result:
    # The cyclic collector waits for the whole run, not just the load: once the
    # project is in the oldest generation the first promotion into it triggers a full
    # collection (the collector's count of old objects is stale), which walked the
    # whole project in the middle of the graph build (+1-2 s at 10,000 files).
    try:
        with _gc_paused():
            return _check(paths, config, rules, select, ignore, focus)
    finally:
        cache = sys.modules.get("linter.parse.cache")
        if cache is not None:
            cache.wait_for_saves()  # the parse cache is in place when a check returns


def _check(paths: list[str], config: Config, rules: dict[str, type[Rule]], select: Iterable[str], ignore: Iterable[str], focus: Optional[Iterable[str]]) -> Result:
    timings: dict[str, float] = {}
    if not config.cache_dir:
        project = load_project(paths, config, focus, timings)
        store = None
    else:
        from linter.parse.results import ResultsCache

        project = Project(config)
        with _gc_paused():
            loaded = _read(paths, config, timings)
            files = [source.path for _path, source, _parsed in loaded]
            project.focus = focus_files(files, focus) if focus is not None else None
            start = time.perf_counter()
            store = ResultsCache(config.cache_dir, project, [source for _path, source, _parsed in loaded], rules, list(select), list(ignore))
            cached = store.load()
            if cached is not None:
                # Nothing changed since an identical run: its findings. The project
                # holds the files and their texts (all a report needs), no documents.
                project.files.extend(files)
                project.texts.update((s.path, s.text) for _p, s, _d in loaded if s.text is not None)
                timings["model"] = timings["graph"] = 0.0
                timings["rules"] = time.perf_counter() - start
                return Result(cached[0], rules, project, cached[1], timings)
            _build(project, loaded, timings)
            del loaded
    ran = selected_codes(rules, config, select, ignore)
    offload = None
    from linter.rulepool import THRESHOLD

    if config.jobs != 1 and len(project.files) >= THRESHOLD:
        from linter.parse.worker import default_jobs

        if (config.jobs or default_jobs()) > 1:  # rules that never read the graph: on another core
            from linter import rulepool

            offload = rulepool.start(project, [c for c in ran if "graph" not in getattr(rules[c], "reads", ())],
                                     lambda proj, code: _run_rule(proj, code, rules[code]), _schema_rules(rules))
    if any("graph" in getattr(rules[code], "reads", ()) for code in ran):
        start = time.perf_counter()
        try:
            project.graph  # built once here so its time is its own, not the first rule's
        except Exception:
            pass  # the first rule that reads it fails the same way and becomes PL000
        timings["graph"] = time.perf_counter() - start
    start = time.perf_counter()
    findings, internal = run_rules(project, rules, select, ignore, offload)
    if store is not None:
        store.save(findings, internal)
    timings["rules"] = time.perf_counter() - start
    return Result(findings, rules, project, internal, timings)


def _schema_rules(rules: dict[str, type[Rule]]) -> set[str]:
    """The rules built on linter.schemacheck (PL101-PL104): one process must run them
    all, or both pay for the per-document schema check they share."""
    from linter.schemacheck import shape_findings

    return {code for code, cls in rules.items() if getattr(sys.modules.get(cls.__module__), "shape_findings", None) is shape_findings}


def exit_code(result: Result, fail_on: str) -> int:
    if result.internal_error:
        return 2
    threshold = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK.get(f.severity, 2) >= threshold for f in result.findings) else 0
