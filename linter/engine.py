"""The pipeline, one stage after another, each run once per run:

    discover -> load -> model -> graph -> rules -> suppress

:func:`check` is exactly that; with a cache folder (:class:`~linter.config.RunOptions`)
the results cache wraps it (:func:`_with_results_cache`): when nothing a finding
depends on changed, the stages after load are skipped and the last identical run's
findings are returned. Rules get the finished, read-only project. Speed work (the
parallel parse, rules on a second core, the paused collector) is fenced off in the
helpers each stage calls, never in the order of the stages.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Iterable

from linter.api import SEVERITY_RANK, Finding, Rule, sorted_findings
from linter.config import Config, RunOptions
from linter.discover import display_path, iter_files
from linter.globs import matches as glob_matches
from linter.load.gcpause import gc_paused
from linter.nodes import Span
from linter.project import Project

INTERNAL_ERROR = "PL000"
#: Loaded files: (path as discovered, source, parse result, possibly still encoded).
Loaded = list[tuple]


@dataclass
class Result:
    """What a check found, and what a report needs to show it."""

    findings: list[Finding]
    rules: dict[str, type[Rule]]
    #: The project the rules ran on; None when the results cache answered (no model
    #: was built: ``files``, ``texts`` and ``focus`` below are all a report needs).
    project: Project | None
    internal_error: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    #: Every checked file (display paths), in order.
    files: list[str] = field(default_factory=list)
    #: Each readable file's text, by display path.
    texts: dict[str, str] = field(default_factory=dict)
    #: The files findings are reported for (pre-commit passes a subset); None: all.
    focus: set[str] | None = None
    #: What the run inferred and a user should know (the clusters, with no [clusters]).
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        project: Project,
        findings: list[Finding],
        rules: dict[str, type[Rule]],
        internal_error: bool = False,
        timings: dict[str, float] | None = None,
    ) -> Result:
        """A result of rules run on ``project``."""
        return cls(
            findings,
            rules,
            project,
            internal_error,
            timings if timings is not None else {},
            project.files,
            project.texts,
            project.focus,
            inference_notes(project),
        )


def inference_notes(project: Project) -> list[str]:
    """The line saying which clusters were inferred from the layout, if any were."""
    inference = project.inference
    if inference is None or not inference.roots:
        return []
    return [inference.summary(project.config.root)]


def _code_selected(code: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    select = list(select)
    if select and not any(code.startswith(s) for s in select):
        return False
    return not any(code.startswith(i) for i in ignore)


def discover(
    paths: list[str],
    config: Config,
    options: RunOptions = RunOptions(),
    skipped: list[tuple[str, str]] | None = None,
    trace: dict | None = None,
) -> list[str]:
    """Stage 1: the files under ``paths`` that the configuration includes (``skipped``
    collects the files passed over as not Consul's, for ``--verbose``; ``trace``: what
    the answer depends on, linter.discover.iter_files)."""
    from linter import safety

    # symlinks are followed only into the project or a folder named (issue #21: a pull
    # request may commit a link to a credentials file)
    safety.confine([config.root, *(p for p in paths if os.path.isdir(p))])
    never = options.never_scan + ((options.cache_dir,) if options.cache_dir else ())
    return list(
        iter_files(
            paths,
            config.root,
            config.include,
            config.exclude,
            respect_gitignore=config.respect_gitignore,
            never=never,
            skipped=skipped,
            trace=trace,
        )
    )


def load(files: list[str], config: Config, options: RunOptions, timings: dict[str, float] | None = None) -> Loaded:
    """Stage 2: every file read and parsed (linter.load: in parallel, from the parse
    cache). With a cache, parse results it holds stay encoded until :func:`model`
    needs them, so a results-cache hit never decodes them."""
    from linter.load import parse_all

    start = time.perf_counter()
    loaded = list(parse_all(files, config, options, defer=options.cache_dir is not None))
    if timings is not None:
        timings["parse"] = time.perf_counter() - start
    return loaded


def model(
    loaded: Loaded, config: Config, focus: Iterable[str] | None = None, timings: dict[str, float] | None = None
) -> Project:
    """Stage 3: the project (documents classified, clusters assigned) from the loaded
    files; ``loaded`` is emptied (its encoded results are garbage once decoded)."""
    from linter.load.codec import resolve

    start = time.perf_counter()
    files = [source.path for _path, source, _parsed in loaded]
    project = Project.from_files(
        config,
        ((source, resolve(path, source, parsed)) for path, source, parsed in loaded),
        focus_files(files, focus) if focus is not None else None,
    )
    loaded.clear()
    if timings is not None:
        timings["model"] = time.perf_counter() - start
    return project


def graph(project: Project, rules: dict[str, type[Rule]], ran: list[str], timings: dict[str, float]) -> None:
    """Stage 4: the topology graph, built here (when a selected rule reads it) so that
    its time is its own, not the first rule's."""
    if any("graph" in getattr(rules[code], "reads", ()) for code in ran):
        start = time.perf_counter()
        try:
            project.graph  # noqa: B018  (built here, so its time is its own)
        except Exception:
            pass  # the first rule that reads it fails the same way and becomes PL000
        timings["graph"] = time.perf_counter() - start


def load_project(
    paths: list[str],
    config: Config,
    focus: Iterable[str] | None = None,
    timings: dict[str, float] | None = None,
    options: RunOptions = RunOptions(),
) -> Project:
    """discover -> load -> model: the project rules would see (stage times into
    ``timings`` when given: parse, model)."""
    with gc_paused():
        return model(load(discover(paths, config), config, options, timings), config, focus, timings)


def focus_files(files: list[str], focus: Iterable[str]) -> set[str]:
    """The files a focused run reports on: those named, and those under a folder named
    (pre-commit passes files; a user may pass a folder)."""
    out: set[str] = set()
    for given in focus:
        absolute = os.path.abspath(given)
        out.add(display_path(given))
        out.update(
            f
            for f in files
            if os.path.abspath(f) == absolute or os.path.abspath(f).startswith(absolute.rstrip(os.sep) + os.sep)
        )
    return out


def selected_codes(
    rules: dict[str, type[Rule]], config: Config, select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> list[str]:
    """The codes a run with these options runs (command line over config; severity
    "off" turns a rule off). Suppression and baseline audits consider only these.
    A code the command line selects at least as specifically as the configuration
    ignores it runs: ``--select PL401`` wins over ``ignore = ["PL4"]``."""
    named = list(select)
    select = named or config.select

    def ignored_by_config(code: str) -> bool:
        return any(
            code.startswith(i) and not any(code.startswith(s) and len(s) >= len(i) for s in named)
            for i in config.ignore
        )

    return [
        code
        for code in rules
        if _code_selected(code, select, ignore) and not ignored_by_config(code) and config.severity.get(code) != "off"
    ]


def run_rule(project: Project, code: str, rule_cls: type[Rule]) -> tuple[list[Finding], bool]:
    """One rule's own findings (before suppressions), and whether it failed (then the
    PL000 finding is last): what :func:`run_rules` records for a re-check (linter.rerun)."""
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
        findings.append(
            Finding(
                INTERNAL_ERROR,
                "error",
                f"internal error in rule {code} ({rule_cls.__module__})"
                + (f" on {doc.path}" if doc else "")
                + f": {type(err).__name__}: {err} "
                f"at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}",
                *_internal_location(project),
                resource=code,
                suppressible=False,
            )
        )
        return findings, True
    return findings, False


def run_rules(
    project: Project,
    rules: dict[str, type[Rule]],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    offload=None,
    reuse: dict[str, tuple[list[Finding], bool]] | None = None,
    record: dict[str, tuple[list[Finding], bool]] | None = None,
) -> tuple[list[Finding], bool]:
    """Every selected rule over the project. A rule that raises becomes a PL000
    finding naming it; the other rules still run. ``offload`` (linter.rulepool) has
    some of the rules running in another process: their findings are taken from it,
    and every rule's findings are assembled in the serial order. ``reuse``: rules
    whose findings from an earlier run are still right (the editor's incremental
    re-check: nothing they read changed), not run again; ``record`` gets every
    rule's own findings (before suppressions), for the next run to reuse."""
    config = project.config
    findings: list[Finding] = []
    internal = False
    ran = selected_codes(rules, config, select, ignore)
    away = set(offload.codes) if offload is not None else set()
    per_code: dict[str, tuple[list[Finding], bool]] = {}
    for code in ran:
        if reuse is not None and code in reuse:
            per_code[code] = reuse[code]
        elif code not in away:
            per_code[code] = run_rule(project, code, rules[code])
    if offload is not None:
        while (claimed := offload.claim()) is not None:  # help with what the child has not taken
            for code in claimed:
                per_code[code] = run_rule(project, code, rules[code])
        got = offload.results() or {}
        for code in offload.codes:
            if code not in per_code:
                per_code[code] = got[code] if code in got else run_rule(project, code, rules[code])
    if record is not None:
        record.update(per_code)
    for code in ran:
        found, failed = per_code[code]
        findings.extend(found)
        internal = internal or failed
    from linter.acl.masking import mask_finding
    from linter.model.guesses import qualify

    # rules whose findings depend on which files form one cluster: the topology, and a
    # cluster's Helm install (merged values, the version a workload's annotation follows)
    cluster_wide = {"graph", "helm-values", "k8s-workload"}
    findings = qualify(findings, project.inference, {c for c in ran if cluster_wide & set(rules[c].reads)})
    # secrets a rule quoted are masked here, once, for every format, the baseline and the caches
    findings = [mask_finding(f) for f in findings if f.code == INTERNAL_ERROR or not _path_ignored(f, rules, config)]
    from linter.suppress import apply_suppressions

    findings = apply_suppressions(findings, project.texts, rules, config, ran)
    if project.focus is not None:
        findings = [
            f
            for f in findings
            if f.path in project.focus or any(r.path in project.focus for r in f.related) or f.code == INTERNAL_ERROR
        ]
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
        if (glob_matches(rel, (glob,)) or glob_matches(finding.path, (glob,))) and any(
            finding.code.startswith(c) for c in codes
        ):
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


def check(
    paths: list[str],
    config: Config,
    rules: dict[str, type[Rule]],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    focus: Iterable[str] | None = None,
    options: RunOptions = RunOptions(),
    skipped: list[tuple[str, str]] | None = None,
) -> Result:
    """discover -> load -> model -> graph -> rules -> suppress (see the module's
    docstring); the results cache wraps the stages after load when ``options`` name a
    cache folder. ``focus``: report only on these files (and folders). ``skipped``
    collects (path, reason) for every file passed over as not Consul's."""
    if options.warm is not None:  # the daemon: only what changed since its last run is read again
        return options.warm.check(paths, config, rules, select, ignore, focus, options, skipped)
    # The collector waits for the whole run: a full collection in the middle of the
    # graph build walked the whole project (+1-2 s at 10,000 files).
    try:
        with gc_paused():
            timings: dict[str, float] = {}
            files = discover(paths, config, options, skipped)
            options.stage(f"parsing {len(files):,} files")
            loaded = load(files, config, options, timings)
            if options.cache_dir and skipped is None:  # --verbose lists what the model skips: no cached answer
                result = _with_results_cache(loaded, config, rules, select, ignore, focus, options, timings)
            else:
                result = _after_load(loaded, config, rules, select, ignore, focus, options, timings)
            if skipped is not None and result.project is not None:
                skipped.extend(result.project.skipped)  # read, then found not Consul's (HCL2, ...)
            return result
    finally:
        cache = sys.modules.get("linter.load.cache")
        if cache is not None:
            cache.wait_for_saves()  # the parse cache is in place when a check returns


def check_loaded(
    loaded: Loaded,
    config: Config,
    rules: dict[str, type[Rule]],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    options: RunOptions = RunOptions(),
    rerun: tuple | None = None,
) -> Result:
    """:func:`check`'s stages after its load, over files loaded from git (``--new-since``)."""
    with gc_paused():
        return _after_load(loaded, config, rules, select, ignore, None, options, {}, rerun)


def _after_load(
    loaded: Loaded,
    config: Config,
    rules: dict[str, type[Rule]],
    select: Iterable[str],
    ignore: Iterable[str],
    focus: Iterable[str] | None,
    options: RunOptions,
    timings: dict[str, float],
    rerun: tuple | None = None,
) -> Result:
    """model -> graph -> rules -> suppress. ``rerun``: (RerunStore, content keys):
    only what the files changed since the stored run reach runs again (linter.rerun)."""
    options.stage("building the project model")
    project = model(loaded, config, focus, timings)
    ran = selected_codes(rules, config, select, ignore)
    start = time.perf_counter()
    from linter.rerun import start_check  # (None, None) without ``rerun``

    reuse, now = start_check(project, rules, ran, *rerun, run_rule=run_rule) if rerun else (None, None)
    todo = [code for code in ran if reuse is None or code not in reuse]
    offload = offload_rules(project, rules, todo, options)  # started first: it runs while the graph is built
    planned = time.perf_counter() - start
    options.stage("building the topology graph")
    graph(project, rules, todo, timings)
    options.stage(f"running {len(ran)} rules")
    start = time.perf_counter()
    findings, internal = run_rules(project, rules, select, ignore, offload, reuse, now and now.findings)
    if now is not None and not internal:
        now.record_graph(project)
        rerun[0].save(now)  # type: ignore[index]
    timings["rules"] = time.perf_counter() - start + planned
    return Result.of(project, findings, rules, internal, timings)


def _with_results_cache(
    loaded: Loaded,
    config: Config,
    rules: dict[str, type[Rule]],
    select: Iterable[str],
    ignore: Iterable[str],
    focus: Iterable[str] | None,
    options: RunOptions,
    timings: dict[str, float],
) -> Result:
    """The results cache around :func:`_after_load`: an identical earlier run's
    findings (then no model is built), or the pipeline's, stored for next time."""
    from linter.resultscache import ResultsCache

    sources = [source for _path, source, _parsed in loaded]
    files = [source.path for source in sources]
    focused = focus_files(files, focus) if focus is not None else None
    start = time.perf_counter()
    store = ResultsCache(options.cache_dir, config, focused, sources, rules, list(select), list(ignore))  # type: ignore[arg-type]
    cached = store.load()
    if cached is not None:
        timings["model"] = timings["graph"] = 0.0
        timings["rules"] = time.perf_counter() - start
        texts = {source.path: source.text for source in sources if source.text is not None}
        return Result(cached[0], rules, None, cached[1], timings, files, texts, focused, cached[2])
    from linter.rerun import store_for

    rerun = store_for(options.cache_dir, store.key, sources)  # what the next run builds on
    del sources
    result = _after_load(loaded, config, rules, select, ignore, focus, options, timings, rerun)
    start = time.perf_counter()
    store.save(result.findings, result.internal_error, result.notes)
    timings["rules"] += time.perf_counter() - start
    return result


def offload_rules(project: Project, rules: dict[str, type[Rule]], ran: list[str], options: RunOptions = RunOptions()):
    """Rules that never read the graph, started on another core (linter.rulepool) when
    the project is big enough and more than one process may run; None otherwise."""
    from linter.rulepool import THRESHOLD

    if options.jobs == 1 or len(project.files) < THRESHOLD:
        return None
    from linter.load.parallel import default_jobs

    if (options.jobs or default_jobs()) <= 1:
        return None
    from linter import rulepool

    groups = {code: cls.work_group for code, cls in rules.items() if cls.work_group}
    return rulepool.start(
        project,
        [c for c in ran if "graph" not in getattr(rules[c], "reads", ())],
        lambda proj, code: run_rule(proj, code, rules[code]),
        groups,
    )


def exit_code(result: Result, fail_on: str) -> int:
    if result.internal_error:
        return 2
    threshold = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK.get(f.severity, 2) >= threshold for f in result.findings) else 0
