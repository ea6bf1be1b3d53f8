"""A rule's ``scope`` is a contract (linter.api.rule.Rule.scope): the incremental
re-check (linter.rerun) runs a ``"file"`` rule again only on the
changed files, a ``"cluster"`` rule only on the files of the changed files' clusters,
and keeps its earlier findings elsewhere. That is right only if the rule, run on each
file's (each cluster's) documents alone, finds exactly what it finds there in a whole
run: checked here on every fixture folder, the examples, the scenarios, every rule's
own example files and a generated fleet."""

from __future__ import annotations

import os
import sys

import pytest
from helpers import REPO
from test_rule_contracts import FOLDERS, RULES, project_for

from linter.engine import run_rule
from linter.rerun import ScopedView, clusters_by_path

sys.path.insert(0, os.path.join(REPO, "benchmarks"))
import generate

SCOPED = [(code, rule) for code, rule in RULES if rule.scope != "project"]


def summary(findings) -> list[tuple]:
    return sorted(
        (
            f.code,
            f.path,
            f.span,
            f.message,
            f.severity,
            tuple((r.path, r.span, r.message) for r in f.related),
            repr(f.fix),
        )
        for f in findings
    )


def files_by_cluster(project) -> dict[str, set[str]]:
    """Each cluster's files (a file with documents in two clusters is in both)."""
    out: dict[str, set[str]] = {}
    for path, names in clusters_by_path(project.documents).items():
        for name in names:
            out.setdefault(name, set()).add(path)
    return out


def groups(project, scope: str) -> list[set[str]]:
    """The sets of files a scoped rule may be run on alone: each file, or each
    cluster's files (a file with no document alone)."""
    if scope == "file":
        return [{f} for f in project.files]
    by_cluster = files_by_cluster(project)
    alone = [{f} for f in project.files if f not in set().union(*by_cluster.values(), set())]
    return list(by_cluster.values()) + alone


def mismatches(project, folder: str) -> list[str]:
    out = []
    old = os.getcwd()
    os.chdir(folder)
    try:
        for code, rule in SCOPED:
            whole, failed = run_rule(project, code, rule)
            assert not failed, f"{code} failed on {folder}"
            if rule.scope == "peers":
                out.extend(peers_mismatches(project, code, rule, whole))
                continue
            parts = []
            for paths in groups(project, rule.scope):
                found, failed = run_rule(ScopedView(project, paths), code, rule)
                assert not failed, f"{code} failed on part of {folder}"
                outside = [f.path for f in found if f.path not in paths]
                if outside:
                    out.append(f"{code} ({rule.scope}) reported at {outside} when run on {sorted(paths)}")
                parts.extend(found)
            if summary(parts) != summary(whole):
                out.append(f"{code} ({rule.scope}) finds {len(parts)} run by {rule.scope}, {len(whole)} run whole")
    finally:
        os.chdir(old)
    return out


def peers_mismatches(project, code: str, rule, whole: list) -> list[str]:
    """A "peers" rule run for each cluster over the items of the clusters within
    REACH peerings of it (linter.graph.neighbours), the topology answering questions
    about any cluster: what it finds at that cluster's files is what the whole run
    finds there; and every finding of the whole run is at some cluster's files."""
    from linter.graph.neighbours import REACH, adjacency, near

    out = []
    table = adjacency(project.graph)
    by_cluster = files_by_cluster(project)
    placed = set().union(*by_cluster.values(), set())
    stray = [f.path for f in whole if f.path not in placed]
    if stray:
        out.append(f"{code} (peers) reported at {stray}, files of no cluster")
    for name, files in sorted(by_cluster.items()):
        reach = near({name}, [table], REACH)
        paths = set().union(*(by_cluster.get(c, set()) for c in reach))
        found, failed = run_rule(ScopedView(project, paths, reach), code, rule)
        if failed:
            out.append(f"{code} (peers) failed run over {sorted(reach)}: {found[-1].message}")
            continue
        here = summary(f for f in found if f.path in files)
        want = summary(f for f in whole if f.path in files)
        if here != want:
            out.append(
                f"{code} (peers) finds {len(here)} at {name}'s files run over {sorted(reach)}, {len(want)} whole"
            )
    return out


def peers_locality_mismatches(project, folder: str) -> list[str]:
    """What makes keeping a "peers" rule's findings far from a change right: a
    cluster's findings come from what the clusters within REACH peerings of it
    declare. The project rebuilt from only those clusters' files (and the files of no
    cluster) gives the same findings at its files as the whole project."""
    from linter.graph.neighbours import REACH, adjacency, near
    from linter.inmemory import project_from_texts

    peers = [(code, rule) for code, rule in SCOPED if rule.scope == "peers"]
    out = []
    old = os.getcwd()
    os.chdir(folder)
    try:
        table = adjacency(project.graph)
        by_cluster = files_by_cluster(project)
        placed = set().union(*by_cluster.values(), set())
        loose = {p for p in project.texts if p not in placed}
        whole = {code: run_rule(project, code, rule)[0] for code, rule in peers}
        for name, files in sorted(by_cluster.items()):
            reach = near({name}, [table], REACH)
            if reach >= set(by_cluster):
                continue  # nothing left out
            kept = loose.union(*(by_cluster.get(c, set()) for c in reach))
            part = project_from_texts({p: project.texts[p] for p in kept if p in project.texts}, project.config)
            for code, rule in peers:
                found, failed = run_rule(part, code, rule)
                here = summary(f for f in found if f.path in files)
                want = summary(f for f in whole[code] if f.path in files)
                if failed or here != want:
                    out.append(
                        f"{code} (peers) at {name}'s files: {len(here)} from {sorted(reach)} alone, {len(want)} whole"
                    )
    finally:
        os.chdir(old)
    return out


def test_scoped_rules_exist() -> None:
    assert {rule.scope for _code, rule in RULES} <= {"file", "cluster", "peers", "project"}
    assert len(SCOPED) >= 5  # the contract is exercised


@pytest.mark.parametrize("folder", FOLDERS, ids=[os.path.relpath(f, REPO) for f in FOLDERS])
def test_scoped_rules_find_the_same_on_folder(folder: str) -> None:
    project = project_for(folder)
    found = mismatches(project, folder) + peers_locality_mismatches(project, folder)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("code,rule", RULES, ids=[c for c, _ in RULES])
def test_scoped_rules_find_the_same_on_examples(tmp_path, code: str, rule) -> None:
    for key in ("bad", "good"):
        folder = tmp_path / key
        for name, text in rule.example.get(key, {}).items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        project = project_for(str(folder))
        found = mismatches(project, str(folder)) + peers_locality_mismatches(project, str(folder))
        assert not found, f"{code} {key} example:\n" + "\n".join(found)


def test_scoped_rules_find_the_same_on_a_fleet(tmp_path) -> None:
    fleet = tmp_path / "fleet"
    generate.generate(str(fleet), 200)
    project = project_for(str(fleet))
    found = mismatches(project, str(fleet)) + peers_locality_mismatches(project, str(fleet))
    assert not found, "\n".join(found)
