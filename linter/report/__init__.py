"""Reporters: findings in, text out. A reporter never knows a rule.

Each format is ``module:function`` taking a :class:`ReportInput` and returning the
whole output as a string, so one run can write several formats.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

from linter.api import Finding, Rule

FORMATS: dict[str, str] = {
    "text": "linter.report.text:render",
    "json": "linter.report.jsonout:render",
    "sarif": "linter.report.sarif:render",
    "github": "linter.report.github:render",
    "gcc": "linter.report.gcc:render",
    "junit": "linter.report.junit:render",
    "gitlab": "linter.report.gitlab:render",
}


@dataclass
class ReportInput:
    findings: list[Finding]
    rules: dict[str, type[Rule]]
    texts: dict[str, str] = field(default_factory=dict)
    files_checked: int = 0
    color: bool = False
    version: str = ""
    #: Every file checked (display paths): reports that list passing files need them.
    files: list[str] = field(default_factory=list)
    #: The repository root report paths are relative to in CI formats (SARIF):
    #: GITHUB_WORKSPACE, CI_PROJECT_DIR, else the project root; "" = as displayed.
    root: str = ""
    #: Columns of the terminal the text report goes to; 0: not a terminal (a pipe or a
    #: file get the grouped layout, byte for byte as before). See linter.report.terminal.
    width: int = 0
    #: Codes as OSC 8 hyperlinks to their rule pages: only on a terminal, with colour.
    links: bool = False


def repository_path(path: str, root: str) -> str:
    """``path`` relative to the repository ``root`` (see :func:`repository_root`), with
    forward slashes: how SARIF and GitHub links name a file; as displayed when ``root``
    is empty."""
    import os

    if root:
        path = os.path.relpath(os.path.abspath(path), root)
    return path.replace(os.sep, "/")


def repository_root(project_root: str) -> str:
    """Where a CI system resolves report paths from: GitHub code scanning and GitLab
    look files up from the checkout root, which may be above the folder peerlint ran in."""
    import os

    for variable in ("GITHUB_WORKSPACE", "CI_PROJECT_DIR"):
        value = os.environ.get(variable)
        if value and os.path.isdir(value):
            return os.path.abspath(value)
    return os.path.abspath(project_root)


def renderer(name: str) -> Callable[[ReportInput], str]:
    module, func = FORMATS[name].split(":")
    return getattr(importlib.import_module(module), func)


def mask_secrets(text: str) -> str:
    """Never let a secret a finding is about reach output (PL801/PL802 messages are
    written without them; this is the last guard): peering tokens and UUIDs (ACL
    SecretIDs look like any other UUID) keep only their first 4 characters."""
    from linter.api.acl import mask_line
    from linter.api.acl import mask_secrets as mask_values

    # and the value of a key of the token/secret family (``token = "..."``), issue #21
    return "\n".join(mask_values(mask_line(line)) for line in text.split("\n"))
