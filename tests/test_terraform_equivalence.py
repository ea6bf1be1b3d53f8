"""Every rule that applies to a config entry applies to the same entry written through
Terraform (``consul_config_entry`` with ``config_json = jsonencode({...})``), with the
same findings (issue #20).

For every fixture folder holding a config entry file (HCL or JSON, one entry, not an
agent's bootstrap entry), the entry is rewritten as a ``.tf`` file of the same name and
the fixture's rule runs on both folders. Each finding must match: rule, severity, the
whole message, the fix's advice (file names mapped; for a JSON entry only that there is one, its
advice being in JSON syntax there and in HCL in the ``.tf``), the same related notes, and the
text at the finding's place and at each related place (the same key or value, now
inside the ``.tf`` file: positions kept exactly, not just the file).
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from helpers import FIXTURES, lint

from linter.model.classify import classify
from linter.model.document import CONFIG_ENTRY
from linter.nodes import Mapping, Node, Scalar, Sequence
from linter.parse import parse_text

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ARGS = {"kind": "kind", "name": "name", "partition": "partition", "namespace": "namespace"}


def _string(value: str) -> str:
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def _hcl2(node: Node, indent: str) -> str:
    """``node`` as a Terraform expression (keys bare where HCL2 allows)."""
    inner = indent + "  "
    if isinstance(node, Mapping):
        if not node.entries:
            return "{}"
        lines = []
        for key, value in node.entries:
            name = str(key.value)
            shown = name if _IDENT.match(name) and name not in ("null", "true", "false") else _string(name)
            lines.append(f"{inner}{shown} = {_hcl2(value, inner)}")
        return "{\n" + "\n".join(lines) + f"\n{indent}}}"
    if isinstance(node, Sequence):
        if not node.items:
            return "[]"
        return "[\n" + ",\n".join(inner + _hcl2(item, inner) for item in node.items) + f"\n{indent}]"
    assert isinstance(node, Scalar)
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return _string(str(value))


def terraform_for(root: Mapping, label: str) -> str | None:
    """A ``consul_config_entry`` resource writing the entry ``root`` (None: the entry
    cannot be written so: no string kind or name)."""
    args, body = [], []
    for key, value in root.entries:
        arg = _ARGS.get(str(key.value).lower())
        if arg is not None and any(a.lstrip().startswith(arg + " ") for a in args):
            return None  # a key set twice (PL004): a resource argument cannot be
        if arg is not None:
            if not isinstance(value, Scalar) or not isinstance(value.value, str):
                return None
            args.append(f"  {arg} = {_string(value.value)}")
        else:
            body.append((key, value))
    if not any(a.lstrip().startswith(("kind ", "name ")) for a in args) or len(args) < 2:
        return None
    config = "" if not body else f"  config_json = jsonencode({_hcl2(Mapping(body, root.span), '  ')})\n"
    return f'resource "consul_config_entry" "{label}" {{\n' + "\n".join(args) + "\n" + config + "}\n"


def _entry_files(folder: str) -> dict[str, str]:
    """rel path -> .tf text for every file of ``folder`` that is one config entry."""
    out = {}
    for base, _dirs, files in os.walk(folder):
        for name in sorted(files):
            if not name.endswith((".hcl", ".json")):
                continue
            path = os.path.join(base, name)
            try:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
            except (UnicodeDecodeError, OSError):
                continue
            parsed = parse_text(path, text)
            if parsed.error is not None or len(parsed.documents) != 1:
                continue
            docs = list(classify(parsed.documents[0], path, 0, parsed.syntax))
            if len(docs) != 1 or docs[0].category != CONFIG_ENTRY or docs[0].parent is not None:
                continue
            tf = terraform_for(docs[0].root, re.sub(r"\W", "_", os.path.splitext(name)[0]) or "entry")
            if tf is not None and "peerlint:" not in text:  # suppression comments stay in their file
                out[os.path.relpath(path, folder)] = tf
    return out


def _cases() -> list[tuple[str, str]]:
    cases = []
    for code in sorted(os.listdir(FIXTURES)):
        for case in sorted(os.listdir(os.path.join(FIXTURES, code))):
            folder = os.path.join(FIXTURES, code, case)
            if os.path.isdir(folder) and _entry_files(folder):
                cases.append((code, case))
    return cases


CASES = _cases()


def _text_at(folder: str, path: str, span) -> str:
    """The text a one-line span covers (quotes and case aside: ``"Mode"`` in JSON is
    ``Mode`` in Terraform, ``Kind`` is the ``kind`` argument); a multi-line span is a
    whole document or block, compared by its first line's key only."""
    full = os.path.join(folder, path)
    if not os.path.isfile(full):
        return path
    with open(full, encoding="utf-8", errors="replace") as handle:
        lines = handle.read().split("\n")
    if span.line != span.end_line or span.line > len(lines):
        return "<block>"
    covered = lines[span.line - 1][span.col - 1 : span.end_col - 1]
    if covered.startswith("{"):
        return "<block>"  # an object on one line here, a block over several there
    return covered.strip('"').lower()


def _summary(folder: str, findings, renames: dict[str, str], syntax_blind: bool) -> list[tuple]:
    out = []
    for f in findings:
        message, fix = f.message, f.fix.message if f.fix is not None else None
        if syntax_blind and fix is not None:
            fix = "<advice in the file's syntax>"
        for old, new in renames.items():
            message = message.replace(old, new)
            fix = fix.replace(old, new) if fix else fix
        related = tuple((r.message, _text_at(folder, r.path, r.span)) for r in f.related)
        out.append((f.code, f.severity, message, fix, _text_at(folder, f.path, f.span), related))
    return sorted(out)


def test_there_are_config_entry_fixtures() -> None:
    assert len(CASES) >= 30, CASES


@pytest.mark.parametrize("code,case", CASES, ids=[f"{c}/{k}" for c, k in CASES])
def test_same_findings_through_terraform(tmp_path, code: str, case: str) -> None:
    source = os.path.join(FIXTURES, code, case)
    plain, through = str(tmp_path / "plain"), str(tmp_path / "terraform")
    shutil.copytree(source, plain)
    shutil.copytree(source, through)
    renames = {}
    for rel, tf in _entry_files(through).items():
        os.unlink(os.path.join(through, rel))
        new = os.path.splitext(rel)[0] + ".tf"
        with open(os.path.join(through, new), "w", encoding="utf-8") as handle:
            handle.write(tf)
        renames[rel] = new
    # a fix's advice is in its file's syntax: JSON for a .json entry, HCL for the .tf
    blind = any(rel.endswith(".json") for rel in renames)
    plain_findings = lint(plain, select=[code]).findings
    # a fix that creates a file (PL401's new intentions entry) writes it in that file's
    # syntax; a Terraform export gets Terraform advice instead
    blind = blind or any(getattr(e, "create", False) for f in plain_findings if f.fix for e in f.fix.edits)
    want = _summary(plain, plain_findings, renames, blind)
    findings = lint(through, select=[code]).findings
    got = _summary(through, findings, {}, blind)
    assert got == want
    _edits_keep_terraform_valid(through, findings)


def _edits_keep_terraform_valid(folder: str, findings) -> None:
    """A fix's edits to a .tf file leave Terraform that still parses."""
    from linter.textedits import line_starts, span_offsets

    for f in findings:
        edits = [e for e in (f.fix.edits if f.fix is not None else ()) if e.path.endswith(".tf")]
        by_path: dict[str, list] = {}
        for edit in edits:
            by_path.setdefault(edit.path, []).append(edit)
        for path, mine in by_path.items():
            with open(os.path.join(folder, path), encoding="utf-8") as handle:
                text = handle.read()
            starts = line_starts(text)
            for edit in sorted(mine, key=lambda e: e.span, reverse=True):
                begin, end = span_offsets(text, starts, edit.span)
                text = text[:begin] + edit.new_text + text[end:]
            parsed = parse_text(path, text)
            assert parsed.error is None, (f.code, f.message, text)
