"""The shipped HCL parse tables (linter/parse/_hcl/_hcltab.py) are the ones pyhcl builds, and
a parser made from them judges HCL exactly as pyhcl's own."""

from __future__ import annotations

import pytest

from linter.parse._hcl import hcltables


def test_shipped_tables_match_installed_pyhcl() -> None:
    from linter.parse._hcl import _hcltab

    fresh = hcltables.build_tables()
    assert _hcltab.TABLES == fresh, "regenerate: python -m linter.parse._hcl.hcltables"


def test_parser_from_tables_is_used_and_equivalent() -> None:
    from hcl.parser import HclParser

    shipped = hcltables.new_parser()
    own = HclParser()
    assert shipped.yacc.action is hcltables._shipped()["action"]  # not rebuilt
    texts = [
        'Kind = "mesh"\nPeering { PeerThroughMeshGateways = true }\n',
        'service "a" { port = 1 }\nservice "b" { tags = ["x", "y"], meta { k = "v" } }\n',
        "a = 1.5e3\nb = -2\nc = <<EOF\nhi\nEOF\nd = true\n",
    ]
    for text in texts:
        assert shipped.parse(text) == own.parse(text)
    for bad in ("a = {", "a = = 1", "}", 'a "b" = ['):
        with pytest.raises(ValueError) as mine:
            shipped.parse(bad)
        with pytest.raises(ValueError) as theirs:
            own.parse(bad)
        assert str(mine.value) == str(theirs.value)


def test_other_pyhcl_builds_its_own(monkeypatch) -> None:
    monkeypatch.setattr(hcltables, "grammar_key", lambda: "another pyhcl")
    parser = hcltables.new_parser()
    assert parser.yacc.action is not None and parser.parse("a = 1") == {"a": 1}
