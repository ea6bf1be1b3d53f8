"""What the daemon keeps in memory between two ``peerlint check`` requests, and the
re-check that builds on it.

A one-shot ``peerlint check`` must read, decode and classify every file and build the
whole topology again, even when one file changed: at 10,000 files that is ~2 s
before the first rule runs (issue #17). The daemon (linter.daemon.server) keeps, per
lint (:func:`lint_key`: the working directory, the paths, the whole configuration, the
rule selection):

- each file's **stat signature** (modification and change times, size, inode) with
  its text and parse result, so a request reads only the files whose signature
  changed, as git's index does; a file modified within ``walkmemo.RACY_NS`` of when it was
  read is read again every time until it is older (its signature cannot prove it
  unchanged: coarse timestamps);
- the project's **pieces** (linter.commands.pieces), so only changed files are
  classified again and the topology is spliced (linter.graph.splice);
- each rule's **findings** (linter.rerun), so only the rules a change reaches run
  again, on the files they must read again.

These are the language server's mechanisms (linter.commands.editor), which
tests/test_incremental.py holds equal to a full lint; tests/test_daemon_warm.py holds
this module's results equal to a one-shot ``check`` after random edits, additions and
deletions. For ``--new-since`` (the pre-commit hook) the same is kept per side (the
index, the revision), with git's blob ids as the files' signatures.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from linter.daemon import walkmemo
from linter.daemon.walkmemo import Signature, WalkMemo, signature

#: Fewer blobs to parse than this: parsed here, not through the on-disk parse cache
#: (loading and saving it costs ~0.6 s at 10,000 entries; parsing a file, ~1 ms).
ON_DISK_MIN = 200


@dataclass
class Entry:
    """One file as last read: its signature (None: read it again next time)."""

    sig: Signature | None
    source: Any  # linter.load.source.SourceText
    parsed: Any  # linter.parse.Parsed | None


@dataclass
class WarmLint:
    """One lint's memory: its files, its pieces and its rules' findings."""

    files: dict[str, Entry] = field(default_factory=dict)
    assembler: Any = None  # linter.commands.pieces.Assembler
    last: Any = None  # linter.rerun.Last
    result: Any = None  # the last linter.engine.Result (answered again when nothing changed)
    order: tuple[str, ...] = ()  # the files of that result, in order
    walk: WalkMemo = field(default_factory=WalkMemo)  # discovery's answer (linter.daemon.walkmemo)


def lint_key(*parts: Any) -> str:
    return repr(parts)


def _fresh(sig: Signature | None, read_at: int) -> Signature | None:
    """``sig`` if it can prove the file unchanged next time, else None."""
    racy = walkmemo.RACY_NS
    if sig is None or sig[0] + racy >= read_at or sig[1] + racy >= read_at:
        return None
    return sig


@dataclass
class Warm:
    """Every lint the daemon remembers (the most recent :data:`KEEP`)."""

    lints: dict[str, WarmLint] = field(default_factory=dict)
    #: parse results of git blobs (``--new-since``), by (path, blob id)
    blobs: dict[tuple[str, str], tuple[Any, Any]] = field(default_factory=dict)
    blobs_context: tuple = ()
    #: a project was read whole since the daemon last settled (linter.daemon.server),
    #: and whether one was dropped (its memory is garbage to collect)
    fresh: bool = False
    dropped: bool = False
    #: how many times a project was read whole (``peerlint daemon status``)
    whole_reads: int = 0
    KEEP = 3

    def lint_for(self, key: str) -> WarmLint:
        lint = self.lints.pop(key, None) or WarmLint()
        self.lints[key] = lint  # most recent last
        while len(self.lints) > self.KEEP:
            del self.lints[next(iter(self.lints))]
            self.dropped = True
        return lint

    # --- peerlint check [PATH...] ---------------------------------------------------
    def check(
        self,
        paths: list[str],
        config: Any,
        rules: dict[str, Any],
        select: Iterable[str],
        ignore: Iterable[str],
        focus: Iterable[str] | None,
        options: Any,
        skipped: list[tuple[str, str]] | None,
    ) -> Any:
        """:func:`linter.engine.check`'s result, from what the last request left."""
        select, ignore = list(select), list(ignore)
        start = time.perf_counter()
        key = lint_key(
            "check", os.getcwd(), tuple(paths), repr(config), sorted(select), sorted(ignore), _rules_key(rules)
        )
        lint = self.lint_for(key)
        files = _discover(lint.walk, paths, config, options, skipped)
        loaded, changed = self._read(lint, files, config, options)
        read = time.perf_counter() - start
        if not changed and lint.result is not None and lint.order == tuple(files) and skipped is None:
            timings = {"parse": read, "model": 0.0, "graph": 0.0, "rules": 0.0}
            return _again(lint.result, lint.result.files, focus, timings)
        result = self._lint(lint, loaded, config, rules, select, ignore, focus, read)
        if skipped is not None:
            skipped.extend(result.project.skipped)
        lint.order = tuple(files)
        return result

    def _read(self, lint: WarmLint, files: list[str], config: Any, options: Any) -> tuple[list, bool]:
        """Every file's (source, parse result): unchanged ones from memory, the others
        read again (the first time, all of them through the on-disk parse cache)."""
        from linter.load import parse_all, parse_one

        known = lint.files
        if not known:
            self.fresh = True
            read_at = time.time_ns()
            sigs = {path: signature(path) for path in files}
            for path, source, parsed in parse_all(files, config, options):
                known[path] = Entry(_fresh(sigs[path], read_at), source, parsed)
            return [(known[p].source, known[p].parsed) for p in files], True
        changed = len(known) != len(files)
        out = []
        wanted = set(files)
        for path in [p for p in known if p not in wanted]:
            del known[path]
            changed = True
        for path in files:
            sig = signature(path)
            entry = known.get(path)
            if entry is None or entry.sig is None or entry.sig != sig:
                read_at = time.time_ns()
                _, source, parsed = parse_one(path, config.max_file_size)
                if entry is not None and source.text is not None and source.text == entry.source.text:
                    entry.sig = _fresh(sig, read_at)  # touched, not changed: the same objects
                else:
                    entry = known[path] = Entry(_fresh(sig, read_at), source, parsed)
                    changed = True
            out.append((entry.source, entry.parsed))
        return out, changed

    def _lint(self, lint: WarmLint, loaded: list, config: Any, rules, select, ignore, focus, read: float = 0.0) -> Any:
        """The rules over the assembled project, only what changed run again."""
        from linter.commands.pieces import Assembler
        from linter.engine import Result, graph, run_rule, run_rules, selected_codes
        from linter.load.gcpause import collector_paused
        from linter.rerun import Last, plan

        timings: dict[str, float] = {}
        with collector_paused():
            start = time.perf_counter()
            if lint.assembler is None:
                lint.assembler, lint.last = Assembler(config), None
                self.fresh = True
                self.whole_reads += 1
            project, changed, same = lint.assembler.assemble(loaded)
            files = project.files
            timings["parse"], timings["model"] = read, time.perf_counter() - start
            ran = selected_codes(rules, config, select, ignore)
            now = Last.of(project)
            reuse = None
            if lint.last is not None:
                reuse = plan(project, rules, lint.last, now, changed, same, codes=ran, run_rule=run_rule)
            graph(project, rules, [c for c in ran if reuse is None or c not in reuse], timings)
            start = time.perf_counter()
            findings, internal = run_rules(project, rules, select, ignore, None, reuse, now.findings)
            timings["rules"] = time.perf_counter() - start
        now.record_graph(project)
        lint.last = None if internal else now  # a failing rule is not a result to build on
        lint.result = Result.of(project, findings, rules, internal, timings)
        return _again(lint.result, files, focus, timings)

    # --- peerlint check --new-since REV -----------------------------------------------
    def parsed_blobs(self, items: list[tuple[str, str, Any]], config: Any, options: Any) -> dict:
        """(path, blob) -> parse result for git blobs (``items``: path, blob, source):
        parsed once per daemon, not once per request."""
        from linter.load import parse_texts
        from linter.parse import parse_text

        todo = [(p, b, s) for p, b, s in items if s.text is not None and (p, b) not in self.blobs]
        texts = [(s.path, s.text) for _p, _b, s in todo]
        if len(todo) >= ON_DISK_MIN:
            parsed_all = parse_texts(texts, config, options)
        else:  # a few staged files: the on-disk cache's load and save cost more than parsing them
            parsed_all = [parse_text(path, text) for path, text in texts]
        for (path, blob, source), parsed in zip(todo, parsed_all):
            self.blobs[(path, blob)] = (source, parsed)
        return {(p, b): self.blobs[(p, b)][1] for p, b, s in items if (p, b) in self.blobs}

    def sources_of(self, items: list[tuple[str, str]], config: Any) -> dict[tuple[str, str], Any]:
        """The sources remembered for (path, blob)s (their blobs need no reading). A
        source's shown path follows the working directory, its text the size limit:
        when either differs from the last request's, nothing is remembered."""
        context = (os.getcwd(), config.max_file_size)
        if context != self.blobs_context:
            self.blobs, self.blobs_context = {}, context
        return {item: self.blobs[item][0] for item in items if item in self.blobs}

    def forget_blobs(self, keep: Iterable[tuple[str, str]]) -> None:
        """Parse results no side uses any more are dropped (a long-lived process)."""
        wanted = set(keep)
        for item in [i for i in self.blobs if i not in wanted]:
            del self.blobs[item]

    def check_loaded(self, side: str, loaded: list, config: Any, rules, select, ignore) -> Any:
        """:func:`linter.engine.check_loaded` for one side of ``--new-since``."""
        key = lint_key("new-since", side, os.getcwd(), repr(config), sorted(select), sorted(ignore), _rules_key(rules))
        lint = self.lint_for(key)
        files = [(source, parsed) for _path, source, parsed in loaded]
        return self._lint(lint, files, config, rules, select, ignore, None)


def _discover(memo: WalkMemo, paths: list[str], config: Any, options: Any, skipped: list | None) -> list[str]:
    """:func:`linter.engine.discover`, answered from ``memo`` when nothing it depends
    on changed (``--verbose`` lists what the walk passes over: it walks)."""
    from linter import safety
    from linter.engine import discover

    if skipped is not None:
        return discover(paths, config, options, skipped)
    safety.confine([config.root, *(p for p in paths if os.path.isdir(p))])  # as discover() does
    key = repr(
        (config.root, config.include, config.exclude, config.respect_gitignore, options.never_scan, options.cache_dir)
    )
    files = memo.answer(key)
    if files is None:
        trace: dict = {}
        started = time.time_ns()
        files = discover(paths, config, options, None, trace)
        memo.remember(key, files, paths, trace, started)
    return files


def _rules_key(rules: dict[str, Any]) -> tuple:
    return tuple(sorted((code, id(cls)) for code, cls in rules.items()))


def _again(result: Any, files: list[str], focus: Iterable[str] | None, timings: dict[str, float]) -> Any:
    """The remembered (unfocused) result as a new one, its findings those of the files
    in ``focus`` (and the cross-file ones that involve them), as run_rules filters them.
    ``files``: the result's, as shown (what findings' paths are compared with)."""
    from linter.engine import INTERNAL_ERROR, focus_files

    focused = focus_files(files, focus) if focus is not None else None
    findings = [
        f
        for f in result.findings
        if focused is None or f.path in focused or any(r.path in focused for r in f.related) or f.code == INTERNAL_ERROR
    ]
    return replace(result, findings=findings, focus=focused, timings=dict(timings), notes=list(result.notes))
