"""Suppressions: inline and file-level directives, per-path ignores, reasons,
non-suppressible rules, and PL003's audit of them.

The rules used are PL001/PL002/PL003 plus a test rule that fires on every `Peer`
value, so these tests do not move when other rules change."""

from __future__ import annotations

import os
import textwrap
from typing import Iterator

import pytest
from helpers import lint

from linter.api import Finding, Rule
from linter.comments import comments
from linter.rules.pl001_parse_error import ParseErrorRule
from linter.rules.pl002_unknown_kind import UnknownKind
from linter.rules.pl003_unused_suppression import UnusedSuppression
from linter.suppress import parse_directives


class PeerRule(Rule):
    """Fires on every consumer Peer value (a stand-in for a real topology rule)."""

    code = "PL990"
    slug = "test-peer"
    summary = "test rule"

    def check(self, project) -> Iterator[Finding]:
        for doc in project.of("exported-services"):
            for service in doc.root.get("Services") or ():
                for consumer in service.get("Consumers") or ():
                    peer = consumer.get("Peer")
                    if peer is not None:
                        yield self.report(doc.at(peer), f"peer {peer.value}")


class Locked(PeerRule):
    code = "PL991"
    slug = "test-locked"
    suppressible = False


RULES = {r.code: r for r in (ParseErrorRule, UnknownKind, UnusedSuppression, PeerRule, Locked)}


def run(tmp_path, files: dict[str, str], config: str = "", select=(), rules=None) -> list[str]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    if config:
        (tmp_path / "peerlint.toml").write_text(textwrap.dedent(config))
    result = lint(str(tmp_path), select=select, rules=rules or {c: r for c, r in RULES.items() if c != "PL991"})
    return [
        f"{f.path}:{f.span.line}:{f.span.col}-{f.span.end_line}:{f.span.end_col} {f.code} {f.message}"
        for f in result.findings
    ]


EXPORTS = """\
Kind = "exported-services"
Name = "default"
Services = [
  {
    Name = "web"
    Consumers = [
      { Peer = "dc2" }{trailing}
    ]
  }
]
"""


def exports(above: str = "", trailing: str = "") -> str:
    text = EXPORTS.replace("{trailing}", trailing)
    lines = text.split("\n")
    if above:
        lines.insert(6, "      " + above)
    return "\n".join(lines)


def test_unsuppressed_finding_is_reported(tmp_path) -> None:
    assert run(tmp_path, {"e.hcl": exports()}) == ["e.hcl:7:16-7:21 PL990 peer dc2"]


@pytest.mark.parametrize("marker", ["#", "//"])
def test_trailing_directive_suppresses_its_line(tmp_path, marker) -> None:
    assert run(tmp_path, {"e.hcl": exports(trailing=f"  {marker} peerlint: ignore[PL990] dc2 is peered by hand")}) == []


def test_directive_on_the_line_above(tmp_path) -> None:
    assert run(tmp_path, {"e.hcl": exports(above="# peerlint: ignore[PL990] peered by hand")}) == []


def test_stacked_directives_above_one_line(tmp_path) -> None:
    text = exports(above="# peerlint: ignore[PL990] peered by hand\n      // peerlint: ignore[PL002] and this")
    assert run(tmp_path, {"e.hcl": text}) == ["e.hcl:8:27-8:32 PL003 unused suppression: no PL002 finding on line 9"]


def test_directive_two_lines_above_does_not_reach(tmp_path) -> None:
    text = exports(above="# peerlint: ignore[PL990] too far\n")
    got = run(tmp_path, {"e.hcl": text})
    assert got == [
        "e.hcl:7:26-7:31 PL003 unused suppression: no PL990 finding on line 8",
        "e.hcl:9:16-9:21 PL990 peer dc2",
    ]


def test_other_code_does_not_suppress(tmp_path) -> None:
    got = run(tmp_path, {"e.hcl": exports(trailing=" # peerlint: ignore[PL002] wrong code")})
    assert got == [
        "e.hcl:7:16-7:21 PL990 peer dc2",
        "e.hcl:7:43-7:48 PL003 unused suppression: no PL002 finding on line 7",
    ]


def test_file_level_directive(tmp_path) -> None:
    text = "# peerlint: ignore-file[PL990] generated from the peering inventory\n" + exports()
    assert run(tmp_path, {"e.hcl": text}) == []


def test_unused_file_level_directive(tmp_path) -> None:
    got = run(
        tmp_path,
        {"e.hcl": "# peerlint: ignore-file[PL002] nothing\n" + exports(trailing=" # peerlint: ignore[PL990] ok")},
    )
    assert got == ["e.hcl:1:25-1:30 PL003 unused suppression: no PL002 finding in this file"]


def test_yaml_directive(tmp_path) -> None:
    crd = """\
    apiVersion: consul.hashicorp.com/v1alpha1
    # peerlint: ignore[PL002] our own CRD
    kind: ExportedService
    metadata:
      name: default
    """
    assert run(tmp_path, {"x.yaml": crd}) == []
    (tmp_path / "x.yaml").write_text(textwrap.dedent(crd).replace("# peerlint", "#peerlint"))
    assert run(tmp_path, {}) == []


def test_text_in_strings_and_block_scalars_is_not_a_directive(tmp_path) -> None:
    hcl = 'Kind = "exported-service"\nName = "x # peerlint: ignore[PL002] no"\n'
    yaml = "apiVersion: consul.hashicorp.com/v1alpha1\nnote: |\n  # peerlint: ignore[PL002] no\nkind: ExportedService\n"
    got = run(tmp_path, {"a.hcl": hcl, "b.yaml": yaml})
    assert [g.split(" ")[1] for g in got] == ["PL002", "PL002"]
    assert list(comments(yaml, "yaml")) == []
    assert list(comments("x = <<EOF\n# not a comment\nEOF\ny = 1 // real\n", "hcl"))[0].line == 4


def test_unknown_code_points_at_the_code(tmp_path) -> None:
    got = run(tmp_path, {"e.hcl": exports(trailing=" # peerlint: ignore[PL990, PL0002] typo")})
    assert got == ["e.hcl:7:50-7:56 PL003 unknown rule code PL0002 in suppression; did you mean PL002?"]


def test_malformed_directive(tmp_path) -> None:
    got = run(tmp_path, {"e.hcl": exports(trailing=" # peerlint: ignore because")})
    assert got == [
        "e.hcl:7:16-7:21 PL990 peer dc2",
        "e.hcl:7:36-7:42 PL003 `peerlint: ignore` names no rule code; write `peerlint: ignore[CODE] reason`",
    ]


def test_reason_required(tmp_path) -> None:
    config = "require-suppression-reason = true\n"
    got = run(tmp_path, {"e.hcl": exports(trailing=" # peerlint: ignore[PL990]")}, config)
    assert got == [
        "e.hcl:7:16-7:21 PL990 peer dc2",
        "e.hcl:7:36-7:49 PL003 suppression of PL990 has no reason, and require-suppression-reason is on: it suppresses nothing",
    ]
    assert run(tmp_path, {"e.hcl": exports(trailing=" # peerlint: ignore[PL990]: peered by hand")}, config) == []


def test_rule_that_is_not_suppressible(tmp_path) -> None:
    rules = dict(RULES)
    got = run(
        tmp_path,
        {"e.hcl": exports(trailing=" # peerlint: ignore[PL991] please")},
        select=["PL991", "PL003"],
        rules=rules,
    )
    assert got == [
        "e.hcl:7:16-7:21 PL991 peer dc2",
        "e.hcl:7:43-7:48 PL003 PL991 cannot be suppressed (the rule is not suppressible); the finding stays",
    ]


def test_config_non_suppressible(tmp_path) -> None:
    config = 'non-suppressible = ["PL9"]\n[per-path-ignores]\n"*.hcl" = ["PL990"]\n'
    got = run(tmp_path, {"e.hcl": exports(trailing=" # peerlint: ignore[PL990] please")}, config)
    assert got == [
        "e.hcl:7:16-7:21 PL990 peer dc2",
        "e.hcl:7:43-7:48 PL003 PL990 cannot be suppressed (non-suppressible in the project config); the finding stays",
    ]


def test_per_path_ignores_relative_to_config(tmp_path) -> None:
    config = '[per-path-ignores]\n"legacy/*" = ["PL990"]\n'
    files = {"legacy/e.hcl": exports(), "new/e.hcl": exports()}
    assert run(tmp_path, files, config) == ["new/e.hcl:7:16-7:21 PL990 peer dc2"]
    old = os.getcwd()
    os.chdir(tmp_path / "legacy")  # paths now print as e.hcl; the glob still applies
    try:
        from linter.config import load_config
        from linter.engine import check

        result = check(["."], load_config("."), {"PL990": PeerRule})
        assert result.findings == []
    finally:
        os.chdir(old)


def test_parse_errors_are_never_suppressed(tmp_path) -> None:
    got = run(tmp_path, {"e.hcl": "# peerlint: ignore-file[PL001] broken on purpose\nKind = [\n"})
    assert [g.split(" ")[1] for g in got] == ["PL003", "PL001"]
    assert "PL001 cannot be suppressed" in got[0]


def test_only_rules_that_ran_are_audited(tmp_path) -> None:
    assert run(tmp_path, {"e.hcl": exports(trailing=" # peerlint: ignore[PL002] old")}, select=["PL003"]) == []


def test_pl003_can_itself_be_suppressed_per_file(tmp_path) -> None:
    text = "# peerlint: ignore-file[PL003] generated\n" + exports(trailing=" # peerlint: ignore[PL002] stale")
    assert run(tmp_path, {"e.hcl": text}) == ["e.hcl:8:16-8:21 PL990 peer dc2"]


def test_directive_parsing_positions() -> None:
    text = "a = 1 // peerlint: ignore[PL301,PL302] - the reason\n"
    (d,) = parse_directives("x.hcl", text)
    assert [(c.text, c.span.col, c.span.end_col) for c in d.codes] == [("PL301", 27, 32), ("PL302", 33, 38)]
    assert d.reason == "the reason" and d.target == 1 and not d.file_level
    assert parse_directives("x.json", '{"a": "# peerlint: ignore[PL301] x"}') == []
