"""A rule's ``reads`` is a contract: every rule, run on every fixture folder, the
examples, the scenarios and every rule's own ``example`` files, reads only what it
declares.

Why it matters: the engine runs the rules whose ``reads`` lacks ``"graph"`` in a forked
child that has no graph (linter.rulepool), and ``peerlint explain`` / docs/rules.md show
``reads`` to users. A rule that reaches the graph or a kind through a helper (the ACL
model, Helm installs) without declaring it would silently build a second graph in the
child, or document a contract it does not keep.

What is recorded: each rule's ``check`` is handed a :class:`Recorder` standing in for the
project. ``of(*kinds)`` records the kinds, ``graph`` records ``"graph"``, and the raw
collections record a pseudo read (:data:`PSEUDO`). ``derived`` builders run against the
recorder, once per rule, so what a shared helper reads is charged to every rule that
uses it (not only to the first one, whose call the real project would cache). The
graph itself is built by the real project: what the graph builder reads is the graph's
business, charged as ``"graph"``.

A declared category covers its kinds (``"crd"`` covers ``of("PeeringAcceptor")``), and
``"documents"`` (the whole document list) covers every category and kind.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterator

import pytest
from helpers import FIXTURES, REPO, all_rules

from linter.config import load_config
from linter.engine import check
from linter.kinds import CONFIG_ENTRY_KINDS, CRD_KINDS
from linter.model.classify import WORKLOAD_KINDS
from linter.model.document import CATEGORIES, CONFIG_ENTRY, CRD, K8S_WORKLOAD
from linter.project import Project

#: Reads that are not a document category or kind: what each stands for on the project.
PSEUDO = {
    "graph": "project.graph, the topology (the engine builds it before these rules run)",
    "documents": "project.documents, every document of every category",
    "files": "project.files and project.problems (the files read, and those that did not parse)",
    "texts": "project.texts, the raw text of every file",
    "suppressions": "the other rules' findings and the suppression comments (PL003; not a project read)",
}
_ATTRIBUTE_READS = {"documents": "documents", "files": "files", "problems": "files", "texts": "texts"}
CATEGORY_OF: dict[str, str] = {
    **{k: CONFIG_ENTRY for k in CONFIG_ENTRY_KINDS},
    **{k: CRD for k in CRD_KINDS},
    **{k: K8S_WORKLOAD for k in WORKLOAD_KINDS},
}
RULES = sorted(all_rules().items())


class Recorder:
    """The project as one rule sees it, noting what the rule reads. Everything else
    (``config``, ``focus``, ``edition``, ``last_document``) passes through unrecorded."""

    def __init__(self, project: Project) -> None:
        object.__setattr__(self, "_project", project)
        object.__setattr__(self, "reads", set())
        object.__setattr__(self, "_derived", {})

    def of(self, *kinds: str) -> Iterator[Any]:
        self.reads.update(kinds)
        return self._project.of(*kinds)

    @property
    def graph(self) -> Any:
        self.reads.add("graph")
        return self._project.graph

    def derived(self, build: Callable[[Any], Any]) -> Any:
        if build not in self._derived:
            self._derived[build] = build(self)
        return self._derived[build]

    def __getattr__(self, name: str) -> Any:
        if name in _ATTRIBUTE_READS:
            self.reads.add(_ATTRIBUTE_READS[name])
        return getattr(self._project, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._project, name, value)


def undeclared(reads: set[str], declared: tuple[str, ...]) -> list[str]:
    """What was read and is not covered by ``declared``, sorted."""

    def covered(read: str) -> bool:
        if read in declared:
            return True
        if read in CATEGORY_OF or read in CATEGORIES:
            return "documents" in declared or CATEGORY_OF.get(read) in declared
        return False

    return sorted(r for r in reads if not covered(r))


def project_for(folder: str) -> Project:
    """The folder's project as a run builds it (its own peerlint.toml), no rule run."""
    old = os.getcwd()
    os.chdir(folder)
    try:
        return check(["."], load_config("."), {}, []).project
    finally:
        os.chdir(old)


def violations(project: Project, folder: str) -> list[str]:
    """Every rule run on ``project``: one line per rule that read what it does not declare."""
    out = []
    for code, rule in RULES:
        recorder = Recorder(project)
        old = os.getcwd()
        os.chdir(folder)
        try:
            list(rule().check(recorder))
        finally:
            os.chdir(old)
        missing = undeclared(recorder.reads, rule.reads)
        if missing:
            out.append(f"{code} reads {missing}, declares {list(rule.reads)}")
    return out


def _folders() -> list[str]:
    folders = [os.path.join(REPO, "examples")]
    scenarios = os.path.join(REPO, "tests", "scenarios")
    folders += sorted(
        os.path.join(scenarios, s) for s in os.listdir(scenarios) if os.path.isdir(os.path.join(scenarios, s))
    )
    for code in sorted(os.listdir(FIXTURES)):
        for case in sorted(os.listdir(os.path.join(FIXTURES, code))):
            if os.path.isdir(os.path.join(FIXTURES, code, case)):
                folders.append(os.path.join(FIXTURES, code, case))
    return folders


FOLDERS = _folders()


@pytest.mark.parametrize("folder", FOLDERS, ids=[os.path.relpath(f, REPO) for f in FOLDERS])
def test_rules_read_only_what_they_declare_on_folder(folder: str) -> None:
    found = violations(project_for(folder), folder)
    assert not found, "rules read what their `reads` does not declare:\n" + "\n".join(found)


@pytest.mark.parametrize("code,rule", RULES, ids=[c for c, _ in RULES])
def test_rules_read_only_what_they_declare_on_examples(tmp_path, code: str, rule) -> None:
    """Every rule (not only this one) on this rule's bad and good example files."""
    for key in ("bad", "good"):
        folder = tmp_path / key
        for name, text in rule.example.get(key, {}).items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        found = violations(project_for(str(folder)), str(folder))
        assert not found, f"{code} {key} example: rules read what their `reads` does not declare:\n" + "\n".join(found)


@pytest.mark.parametrize("code,rule", RULES, ids=[c for c, _ in RULES])
def test_declared_reads_are_known_names(code: str, rule) -> None:
    """A misspelt ``reads`` entry would cover nothing and hide the contract."""
    known = set(CATEGORIES) | set(CATEGORY_OF) | set(PSEUDO)
    assert set(rule.reads) <= known, f"{code}: unknown reads {sorted(set(rule.reads) - known)}"


def _helper_reads_graph(project: Any) -> Any | None:
    """Stands for a helper (ACL model, Helm installs) that reaches the graph itself."""
    return project.derived(_graph_of)


def _graph_of(project: Any) -> Any:
    return project.graph


def test_the_recorder_catches_reads_through_helpers_and_categories() -> None:
    """The contract check itself can fail: a graph read inside a ``derived`` helper, a
    kind outside the declared category, and the raw document list are all caught."""
    project = project_for(os.path.join(REPO, "examples"))
    recorder = Recorder(project)
    _helper_reads_graph(recorder)
    list(recorder.of("PeeringAcceptor", "exported-services"))
    assert recorder.documents is project.documents
    assert recorder.reads == {"graph", "PeeringAcceptor", "exported-services", "documents"}
    assert undeclared(recorder.reads, ("crd",)) == ["documents", "exported-services", "graph"]
    assert undeclared(recorder.reads, ("graph", "documents")) == []
    assert undeclared({"exported-services"}, ("crd",)) == ["exported-services"]
