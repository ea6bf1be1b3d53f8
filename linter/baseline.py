"""Baselines: adopt peerlint on a repository with existing findings, fail only on new ones.

``peerlint check --write-baseline FILE`` records every current finding;
``peerlint check --baseline FILE`` then hides the recorded ones. An entry is a
finding's identity (code, file, resource, attribute path) with a count, never a line
number, so editing a file above an old finding does not bring it back, and a second
finding of the same identity is new. File paths are stored relative to the baseline
file's folder, so the baseline works from any working directory.

Stale entries (recorded findings that no longer occur in the files and rules that ran)
are reported on standard error with the command that prunes them, and do not change
the exit code: fixing a finding must never fail a build.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from linter.api import Finding

VERSION = 1
FILE_RESOURCE = "<file>"  # a file-level finding's resource is its own (working-directory-relative) path

Key = tuple[str, str, str, str]


class BaselineError(Exception):
    """A baseline file that cannot be read or is not one."""


@dataclass
class Baseline:
    path: str
    counts: Counter = field(default_factory=Counter)
    messages: dict[Key, str] = field(default_factory=dict)

    @property
    def folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))


def key(finding: Finding, folder: str) -> Key:
    code, path, resource, node_path = finding.identity
    rel = os.path.relpath(os.path.abspath(path), folder).replace(os.sep, "/")
    return (code, rel, FILE_RESOURCE if resource == path else resource, node_path)


def load(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise BaselineError(f"baseline {path} does not exist (create it with --write-baseline {path})")
    except (OSError, UnicodeDecodeError) as err:
        raise BaselineError(f"cannot read baseline {path}: {err}")
    except json.JSONDecodeError as err:
        raise BaselineError(f"baseline {path} is not JSON: line {err.lineno} column {err.colno}: {err.msg}")
    except RecursionError:  # nested thousands deep (issue #21): one line, exit 2, no traceback
        raise BaselineError(f"baseline {path} is nested too deeply to read")
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("entries"), list):
        raise BaselineError(f"baseline {path} is not a peerlint baseline (version {VERSION})")
    baseline = Baseline(path)
    for i, entry in enumerate(data["entries"]):
        fields = ("code", "path", "resource", "node_path")
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in fields):
            raise BaselineError(f"baseline {path}: entry {i} needs string fields {', '.join(fields)}")
        count = entry.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise BaselineError(f"baseline {path}: entry {i} has a bad count")
        k: Key = tuple(entry[f] for f in fields)  # type: ignore[assignment]
        baseline.counts[k] += count
        baseline.messages[k] = str(entry.get("message", ""))
    return baseline


def dumps(findings: Iterable[Finding], path: str) -> str:
    """The baseline file for ``findings``, sorted so it diffs well in review."""
    folder = os.path.dirname(os.path.abspath(path))
    counts: Counter = Counter()
    messages: dict[Key, str] = {}
    for finding in findings:
        k = key(finding, folder)
        counts[k] += 1
        messages.setdefault(k, finding.message)
    entries = [
        {"code": k[0], "path": k[1], "resource": k[2], "node_path": k[3], "count": counts[k], "message": messages[k]}
        for k in sorted(counts)
    ]
    return json.dumps({"version": VERSION, "tool": "peerlint", "entries": entries}, indent=2) + "\n"


def apply(
    findings: list[Finding], baseline: Baseline, checked_files: Iterable[str], ran: Iterable[str]
) -> tuple[list[Finding], int, list[tuple[Key, int, str]]]:
    """(findings not in the baseline, how many were hidden, stale entries). An entry
    is stale only if its file was checked and its rule ran this time, so a partial run
    (pre-commit on two files, ``--select``) does not call the rest stale."""
    remaining = Counter(baseline.counts)
    kept: list[Finding] = []
    hidden = 0
    for finding in findings:
        k = key(finding, baseline.folder)
        if remaining[k] > 0:
            remaining[k] -= 1
            hidden += 1
        else:
            kept.append(finding)
    checked = {os.path.relpath(os.path.abspath(p), baseline.folder).replace(os.sep, "/") for p in checked_files}
    ran = set(ran)
    stale = [
        (k, n, baseline.messages.get(k, ""))
        for k, n in sorted(remaining.items())
        if n > 0 and k[1] in checked and k[0] in ran
    ]
    return kept, hidden, stale


def stale_report(baseline: Baseline, stale: list[tuple[Key, int, str]], limit: int = 10) -> str:
    """The note printed on standard error about entries that no longer match."""
    total = sum(n for _, n, _ in stale)
    lines = [
        f"peerlint: baseline {baseline.path}: {total} entr{'y' if total == 1 else 'ies'} no longer match a finding (fixed or changed):"
    ]
    for (code, path, resource, node_path), n, message in stale[:limit]:
        what = " ".join(p for p in (resource if resource != FILE_RESOURCE else "", node_path) if p)
        lines.append(
            f"  {path}: {code} {what}".rstrip() + (f" (x{n})" if n > 1 else "") + (f" - {message}" if message else "")
        )
    if len(stale) > limit:
        lines.append(f"  ... and {len(stale) - limit} more")
    lines.append(f"  prune them with: peerlint check --write-baseline {baseline.path}")
    return "\n".join(lines) + "\n"
