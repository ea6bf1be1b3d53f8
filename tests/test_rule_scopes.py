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


def groups(project, scope: str) -> list[set[str]]:
    """The sets of files a scoped rule may be run on alone: each file, or each
    cluster's files (a file with no document alone)."""
    if scope == "file":
        return [{f} for f in project.files]
    by_cluster: dict[str, set[str]] = {}
    for path, names in clusters_by_path(project.documents).items():
        for name in names:
            by_cluster.setdefault(name, set()).add(path)
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


def test_scoped_rules_exist() -> None:
    assert {rule.scope for _code, rule in RULES} <= {"file", "cluster", "project"}
    assert len(SCOPED) >= 5  # the contract is exercised


@pytest.mark.parametrize("folder", FOLDERS, ids=[os.path.relpath(f, REPO) for f in FOLDERS])
def test_scoped_rules_find_the_same_on_folder(folder: str) -> None:
    found = mismatches(project_for(folder), folder)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("code,rule", RULES, ids=[c for c, _ in RULES])
def test_scoped_rules_find_the_same_on_examples(tmp_path, code: str, rule) -> None:
    for key in ("bad", "good"):
        folder = tmp_path / key
        for name, text in rule.example.get(key, {}).items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        found = mismatches(project_for(str(folder)), str(folder))
        assert not found, f"{code} {key} example:\n" + "\n".join(found)


def test_scoped_rules_find_the_same_on_a_fleet(tmp_path) -> None:
    fleet = tmp_path / "fleet"
    generate.generate(str(fleet), 200)
    found = mismatches(project_for(str(fleet)), str(fleet))
    assert not found, "\n".join(found)
