"""Rule documentation: `peerlint explain` prints every section from the rule's own
metadata, and docs/rules.md and docs/rules/<CODE>-<slug>.md are exactly what
`python -m linter.docs` generates."""

from __future__ import annotations

import json
import os
import re

import pytest
from helpers import REPO, all_rules

from linter import docs
from linter.cli import main
from linter.report import ReportInput
from linter.report.sarif import render as sarif

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References")
RULES = sorted(all_rules().items())


def test_rules_md_and_rule_pages_are_up_to_date() -> None:
    index = os.path.join(REPO, "docs", "rules.md")
    for path, text in docs.expected_files(all_rules(), index).items():
        with open(path, encoding="utf-8") as handle:
            assert handle.read() == text, f"{os.path.relpath(path, REPO)} is out of date: run `python -m linter.docs`"
    stale = docs.stale_pages(docs.pages_folder(index), set(docs.expected_files(all_rules(), index)))
    assert stale == [], f"{stale} document no rule: run `python -m linter.docs`"


def test_every_help_uri_is_the_rules_own_page() -> None:
    """SARIF, GitLab and the language server link a code to its own page: the page
    exists, is that rule's, and the index links to it."""
    index = docs.render(all_rules())
    for code, rule in RULES:
        uri = rule.help_uri()
        assert uri == f"https://github.com/peerlint/peerlint/blob/main/docs/rules/{code}-{rule.slug}.md", code
        page = os.path.join(REPO, "docs", "rules", uri.rsplit("/", 1)[1])
        with open(page, encoding="utf-8") as handle:
            text = handle.read()
        assert text.split("\n")[2] == f"# {code} {rule.slug}", code
        assert f"| [{code}](rules/{code}-{rule.slug}.md) |" in index, code


def test_a_rule_page_is_its_rules_md_section_one_level_up() -> None:
    """The page and the index share one rendering: the same text, headings one level up."""
    rule = all_rules()["PL003"]
    page = docs.rule_page_markdown(rule)
    assert docs.rule_markdown(rule, level=1) in page
    assert "\n## What it does\n" in page and "\n### " not in page
    assert "\n# peerlint: ignore[PL002] legacy name kept for the migration\n" in page  # code comment, not a heading
    assert "[All rules](../rules.md)" in page


@pytest.mark.parametrize("code,rule", RULES, ids=[c for c, _ in RULES])
def test_explain_prints_what_why_example_fix_references(code, rule, capsys) -> None:
    assert main(["explain", code.lower()]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# {code} {rule.slug} ({rule.severity}")
    assert rule.summary in out
    positions = [out.find(s) for s in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), (
        f"{code}: sections missing or out of order: {dict(zip(SECTIONS, positions))}"
    )


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:] if end < 0 else text[start:end]


@pytest.mark.parametrize("code,rule", RULES, ids=[c for c, _ in RULES])
def test_examples_are_rendered_from_the_tested_files(code, rule, capsys) -> None:
    """Each bad file under "Example" and each good file under "Use instead", named and
    fenced in its own syntax, in `peerlint explain`, docs/rules.md and SARIF help alike:
    the tested files are the one source of the examples a reader copies."""
    fences = {".hcl": "hcl", ".json": "json", ".yaml": "yaml", ".toml": "toml"}
    assert main(["explain", code]) == 0
    explained = capsys.readouterr().out
    rendered = docs.doc_with_examples(rule)
    help_markdown = json.loads(sarif(ReportInput([], {code: rule})))["runs"][0]["tool"]["driver"]["rules"][0]["help"][
        "markdown"
    ]
    assert help_markdown == rendered and rendered in explained
    assert rendered.replace("\n## ", "\n### ") in docs.rule_markdown(rule)
    for heading, key in (("## Example", "bad"), ("## Use instead", "good")):
        section = _section(rendered, heading)
        for name, text in rule.example[key].items():
            lang = fences[os.path.splitext(name)[1]]
            assert f"`{name}`:\n```{lang}\n{text.rstrip()}\n```" in section, f"{code} {heading}: {name} not rendered"


def test_a_backtick_run_in_a_file_gets_a_longer_fence() -> None:
    """A file holding a fence line must not close the block early, nor let a ``#``
    line after it be demoted as if it were a heading."""

    class Fenced(all_rules()["PL101"]):
        example = {"bad": {"notes.yaml": "x: 1\n```\n# note\n"}, "good": {}}

    text = docs.doc_with_examples(Fenced)
    assert "`notes.yaml`:\n````yaml\nx: 1\n```\n# note\n````" in text
    page = docs.rule_markdown(Fenced)
    assert "\n# note\n" in page and "\n### Example\n" in page and "\n### References\n" in page


#: One reference: ``- [title](url)`` with an http(s) URL, so a reader can follow it.
_REFERENCE = re.compile(r"- \[[^\]]+\]\(https?://[^\s)]+\)")


def reference_problems(doc: str) -> list[str]:
    """What is wrong with a doc's "## References": a missing section, an item that is
    not a public link, or a mention of the internal seed documents (cite the page)."""
    if "\n## References\n" not in "\n" + doc:
        return ["no ## References section"]
    section = _section(doc, "## References")
    items = re.split(r"\n(?=- )", section.split("\n", 1)[1].strip()) if "\n" in section.strip() else []
    problems = [] if items else ["## References is empty"]
    for item in items:
        if not _REFERENCE.fullmatch(item.strip()):
            problems.append(f"not a `- [title](http(s) url)` item: {item!r}")
    if re.search(r"seed", section, re.I):
        problems.append("mentions the seed documents: cite the public page instead")
    return problems


@pytest.mark.parametrize("code,rule", RULES, ids=[c for c, _ in RULES])
def test_references_are_public_links(code, rule) -> None:
    """Every reference a user reads (`explain`, docs/rules/, SARIF help) is a link they
    can follow: the Consul documentation, a Consul/consul-k8s source file, a tool's docs."""
    assert reference_problems(rule.doc) == [], code


def test_reference_check_catches_internal_names() -> None:
    good = "## What it does\nx\n\n## References\n- [Consul docs](https://developer.hashicorp.com/consul/docs)\n"
    assert reference_problems(good) == []
    assert reference_problems("## What it does\nx\n") == ["no ## References section"]
    internal = good + "- Consul `agent/xds/endpoints.go`\n"
    assert reference_problems(internal)[0].startswith("not a `- [title](http(s) url)` item")
    seeded = good.replace("Consul docs", "Seed 001, Consul docs")
    assert reference_problems(seeded) == ["mentions the seed documents: cite the public page instead"]
    bare = good + "- https://example.com/x (a bare URL is not a titled link)\n"
    assert reference_problems(bare)[0].startswith("not a")


def test_explain_unknown_code(capsys) -> None:
    assert main(["explain", "PL0002"]) == 2
    assert "unknown rule 'PL0002'; did you mean PL002?" in capsys.readouterr().err


def test_doc_headings_are_demoted_but_code_comments_are_not() -> None:
    text = docs.rule_markdown(all_rules()["PL003"])
    assert text.startswith("## PL003 unused-suppression\n")
    assert "\n### What it does\n" in text and "\n## What it does" not in text
    assert "\n# peerlint: ignore[PL002] legacy name kept for the migration\n" in text


def test_check_mode(tmp_path, capsys) -> None:
    target = tmp_path / "rules.md"
    pages = tmp_path / "rules"
    assert docs.main(["--check", "--output", str(target)]) == 1
    assert "out of date; run: python -m linter.docs" in capsys.readouterr().err
    assert docs.main(["--output", str(target)]) == 0
    assert sorted(os.listdir(pages)) == sorted(f"{code}-{rule.slug}.md" for code, rule in RULES)
    assert docs.main(["--check", "--output", str(target)]) == 0
    capsys.readouterr()

    page = pages / "PL301-missing-mesh-gateway.md"
    page.write_text(page.read_text() + "edited by hand\n")
    assert docs.main(["--check", "--output", str(target)]) == 1
    assert "PL301-missing-mesh-gateway.md is out of date" in capsys.readouterr().err

    # a renamed rule's old page is stale and goes; a file someone wrote stays
    (pages / "PL999-renamed.md").write_text(docs.GENERATED.format(what="the rule's metadata") + "\n\n# PL999\n")
    (pages / "notes.md").write_text("# our notes\n")
    assert docs.main(["--check", "--output", str(target)]) == 1
    assert "PL999-renamed.md documents no rule" in capsys.readouterr().err
    assert docs.main(["--output", str(target)]) == 0
    assert not (pages / "PL999-renamed.md").exists() and (pages / "notes.md").exists()
    assert docs.main(["--check", "--output", str(target)]) == 0
