"""Fuzz targets beyond the parsers (issue #21): everything a pull request can hand
peerlint. Each target takes a random generator and a mutated text and returns None when
peerlint behaved, or why it did not (a crash, or an output that breaks its own promise:
invalid JSON, a finding that spans several lines of a workflow log, a secret printed).

- ``disk``: the text written under a hostile file name (control characters, non-UTF-8
  bytes, newlines), read by the load stage, its findings rendered in every format.
- ``reports``: findings whose messages, paths, notes and fixes are mutated text, through
  every report format.
- ``config``: the text as ``peerlint.toml``: a :class:`~linter.config.ConfigError` or a
  configuration, nothing else.
- ``baseline``: the text as a baseline file: a :class:`~linter.baseline.BaselineError` or
  a baseline, nothing else.
- ``lsp``: the text as an editor buffer in the language server's workspace: diagnostics
  with ranges inside the buffer, never an exception.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import tempfile
import traceback
from typing import Callable

HOSTILE_NAME_PARTS = ["\n", "\r", "\x1b]52;c;", "::error::", "%0A", "\x07", "\u202e", "ü", " ", ",", ":", "\\"]
FORMATS = ("text", "json", "sarif", "github", "gcc", "junit", "gitlab")
SECRET = "5a6b7c8d-1111-2222-3333-444455556666"


def _hostile_name(rng: random.Random, suffix: str) -> bytes:
    parts = [rng.choice(HOSTILE_NAME_PARTS) for _ in range(rng.randint(0, 3))]
    name = ("f" + "".join(parts) + "x").encode("utf-8", "surrogatepass")
    if rng.random() < 0.3:
        name += bytes([rng.randint(0x80, 0xFF)])  # not UTF-8
    return name.replace(b"/", b"_").replace(b"\x00", b"_") + suffix.encode()


def _render_all(findings, rules, texts, files, masked: bool) -> str | None:
    """Every format over ``findings``; the promise each format makes, checked (no
    secret printed only where the engine made the findings: it masks them, reporters
    print what they are given)."""
    from linter.report import ReportInput, renderer

    data = ReportInput(findings, rules, texts, len(files), False, "0", files=list(files), root=os.getcwd())
    for name in FORMATS:
        out = renderer(name)(data)
        if name in ("json", "sarif", "gitlab"):
            json.loads(out)
        if name == "github" and out.count("\n") != len(findings):
            return f"github: {len(findings)} findings but {out.count(chr(10))} lines"
        if masked and SECRET in out:
            return f"{name}: the secret was printed"
    for color in (False, True):  # the text report on a terminal: wrapped, coloured, linked
        out = renderer("text")(dataclasses.replace(data, width=60, color=color, links=color))
        if masked and SECRET in out:
            return "text on a terminal: the secret was printed"
        if not color and "\x1b" in out:
            return "text on a terminal without colour: an escape sequence was printed"
    return None


def disk(rng: random.Random, text: str, rules: dict) -> str | None:
    from linter.config import Config
    from linter.engine import check

    suffix = rng.choice([".hcl", ".json", ".yaml"])
    if rng.random() < 0.3:  # a committed secret: the reports must not print it
        text += f'\ntoken = "{SECRET}"\n' if suffix == ".hcl" else ""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(os.fsencode(folder), _hostile_name(rng, suffix))
        with open(path, "wb") as handle:
            handle.write(text.encode("utf-8", "surrogatepass"))
        old = os.getcwd()
        os.chdir(folder)
        try:
            result = check(["."], Config(root=folder), rules)
        finally:
            os.chdir(old)
        if result.internal_error:
            return "internal error: " + next(f.message for f in result.findings if f.code == "PL000")
        return _render_all(result.findings, rules, result.texts, result.files, masked=True)


def reports(rng: random.Random, text: str, rules: dict) -> str | None:
    from linter.findings import Finding, Fix, Location
    from linter.nodes import Span

    lines = text.split("\n") or [""]
    findings = []
    for _ in range(rng.randint(1, 4)):
        pick = rng.choice(lines)
        line = rng.randint(1, 5)
        findings.append(
            Finding(
                rng.choice(sorted(rules)),
                rng.choice(["error", "warning", "note"]),
                pick + (f" token = {SECRET}" if rng.random() < 0.2 else ""),
                rng.choice(lines)[:40] or "a.hcl",
                Span(line, rng.randint(1, 9), line + rng.randint(0, 2), rng.randint(1, 20)),
                related=[Location(rng.choice(lines)[:30] or "b.hcl", Span(1, 1, 1, 2), rng.choice(lines))],
                fix=Fix(rng.choice(lines)) if rng.random() < 0.5 else None,
            )
        )
    return _render_all(findings, rules, {f.path: text for f in findings}, [f.path for f in findings], masked=False)


def config(rng: random.Random, text: str, rules: dict) -> str | None:
    from linter.config import ConfigError, load_config

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "peerlint.toml")
        with open(path, "w", encoding="utf-8", errors="surrogatepass") as handle:
            handle.write(text)
        try:
            load_config(path)
        except ConfigError:
            pass
    return None


def baseline(rng: random.Random, text: str, rules: dict) -> str | None:
    from linter.baseline import BaselineError, load

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "baseline.json")
        with open(path, "w", encoding="utf-8", errors="surrogatepass") as handle:
            handle.write(text)
        try:
            load(path)
        except BaselineError:
            pass
    return None


def lsp(rng: random.Random, text: str, rules: dict) -> str | None:
    from linter import lsp as server
    from linter.commands.editor import Editor
    from linter.discover import display_path

    with tempfile.TemporaryDirectory() as folder:
        old = os.getcwd()
        os.chdir(folder)
        try:
            editor = Editor(folders=[folder], rules=rules)
            path = os.path.join(folder, "buffer" + rng.choice([".hcl", ".json", ".yaml"]))
            root = editor.set_buffer(path, text)
            result = editor.lint(root)
            lines = text.replace("\r\n", "\n").split("\n")
            for diagnostic in server.diagnostics(result, display_path(path)):
                start = diagnostic["range"]["start"]
                if not 0 <= start["line"] <= len(lines):
                    return f"diagnostic outside the buffer: {diagnostic['range']}"
        finally:
            os.chdir(old)
    return None


#: Structured texts for config and baseline targets, mutated like the corpus files.
CONFIG_SEEDS = [
    'edition = "ce"\nselect = ["PL"]\n[severity]\nPL402 = "error"\n[clusters.east]\npaths = ["east"]\n'
    '[clusters.west]\ndatacenter = "dc2"\npaths = ["west"]\n[[peerings]]\na = "east"\nb = "west"\n',
    'include = ["**/*.hcl"]\nexclude = ["**/testdata/**"]\nmax-file-size = 1000\n[per-path-ignores]\n"legacy/**" = ["PL101"]\n',
]
BASELINE_SEEDS = [
    '{"version": 1, "entries": [{"code": "PL301", "path": "a.hcl", "resource": "mesh/x", "node_path": "Kind", "count": 2}]}',
]

TARGETS: dict[str, Callable[[random.Random, str, dict], str | None]] = {
    "disk": disk,
    "reports": reports,
    "config": config,
    "baseline": baseline,
    "lsp": lsp,
}


def run_one(target: str, rng: random.Random, text: str, rules: dict) -> str | None:
    try:
        return TARGETS[target](rng, text, rules)
    except Exception:
        return traceback.format_exc()
