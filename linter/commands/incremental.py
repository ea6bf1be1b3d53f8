"""The editor's incremental re-check: after some files change, which rules' earlier
findings are still right, so only the others run again.

A rule's findings depend only on what it reads (its ``reads``, enforced by
tests/test_rule_contracts.py: kinds, categories, ``documents``, ``graph``, ``files``,
``texts``) and the configuration. So when the changed files' documents (before and
after the change) are of kinds K, a rule that reads none of K, their categories, the
whole document list, the graph, the files or the texts finds what it found before.
A change to a Helm values file or an agent configuration may move cluster roots
(every document's cluster): then everything runs again, as it does after a
configuration change or for a rule that declares no reads.
"""

from __future__ import annotations

from typing import Any

from linter.model.document import AGENT_CONFIG, HELM_VALUES

#: Reads every change touches (the texts changed; files, the graph and the whole
#: document list may have).
ALWAYS = frozenset({"documents", "graph", "texts", "files", "suppressions"})
#: Documents that decide clusters (linter.model.clusters): a change re-runs everything.
CLUSTER_DECIDING = frozenset({HELM_VALUES, AGENT_CONFIG})


def kinds_by_path(documents) -> dict[str, frozenset[str]]:
    """Each file's document kinds and categories (what a change to it touches)."""
    out: dict[str, set[str]] = {}
    for doc in documents:
        out.setdefault(doc.path, set()).update((doc.kind, doc.category))
    return {path: frozenset(kinds) for path, kinds in out.items()}


def touched(changed: set[str], before: dict[str, frozenset[str]], after: dict[str, frozenset[str]]) -> set[str] | None:
    """What changing the files ``changed`` (display paths) touches; None: everything."""
    out = set(ALWAYS)
    for path in changed:
        kinds = before.get(path, frozenset()) | after.get(path, frozenset())
        if kinds & CLUSTER_DECIDING:
            return None
        out |= kinds
    return out


def reusable(rules: dict[str, Any], last: dict[str, tuple[list, bool]], reads_touched: set[str] | None) -> dict:
    """The earlier findings (by code) of the rules that read nothing touched."""
    if reads_touched is None:
        return {}
    out = {}
    for code, (findings, failed) in last.items():
        reads = set(getattr(rules.get(code), "reads", ()) or ())
        if reads and not failed and not reads & reads_touched:
            out[code] = (findings, failed)
    return out
