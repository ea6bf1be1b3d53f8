"""Every rule's documented example is real: its "bad" files make the rule fire, its
"good" files do not. These files are the only source of the "Example" and "Use instead"
sections (linter.docs renders them for `peerlint explain`, docs/rules.md and SARIF), so a
``doc`` that wrote its own would be an untested second copy, free to drift."""

from __future__ import annotations

import os

import pytest
from helpers import all_rules, lint

RULES = sorted(all_rules().items())


def _write(folder: str, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


@pytest.mark.parametrize("code,rule", RULES, ids=[c for c, _ in RULES])
def test_example_bad_fires_and_good_is_clean(tmp_path, code, rule) -> None:
    assert rule.example.get("bad") and rule.example.get("good"), f"{code} has no bad/good example"
    assert "## Example" not in rule.doc and "## Use instead" not in rule.doc, (
        f"{code}: doc writes Example / Use instead by hand; they are rendered from `example`"
    )
    bad, good = tmp_path / "bad", tmp_path / "good"
    _write(str(bad), rule.example["bad"])
    _write(str(good), rule.example["good"])
    assert [f for f in lint(str(bad)).findings if f.code == code], f"{code}: bad example does not fire"
    fired = [f"{f.path}:{f.span.line} {f.message}" for f in lint(str(good)).findings if f.code == code]
    assert not fired, f"{code}: good example fires: {fired}"
