"""The schema layer's per-document cache follows the context a document is judged in:
an editor keeps an unchanged document while another file (Helm values, peerlint.toml)
changes its cluster's edition or enablement, and the document's findings must follow."""

from __future__ import annotations

from linter.constraints import Context
from linter.model.document import Document
from linter.parse import parse_text
from linter.schemacheck import issues

RESOLVER = 'Kind = "service-resolver"\nName = "api"\nFailover = { "*" = { SamenessGroup = "east" } }\n'


def _resolver() -> Document:
    from linter.model.classify import classify

    parsed = parse_text("resolver.hcl", RESOLVER)
    (doc,) = classify(parsed.documents[0], "resolver.hcl", 0, "hcl")
    return doc


def test_the_same_document_is_judged_again_in_another_context() -> None:
    doc = _resolver()
    on_ce = [i.message for i in issues(doc, context=Context(edition="ce"))]
    on_enterprise = [i.message for i in issues(doc, context=Context(edition="enterprise"))]
    assert any("Setting SamenessGroup requires Consul Enterprise" in m for m in on_ce), on_ce
    assert on_enterprise == []
    again = [i.message for i in issues(doc, context=Context(edition="ce"))]
    assert again == on_ce
