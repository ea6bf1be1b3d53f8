"""The schema check's fast path (linter/schemafast.py) changes no finding: on the public
corpus, every fixture, and mutations of their data, a document the fast check accepts
is one jsonschema finds no error in, and PL101-PL104's issues are the same with and
without the fast path."""

from __future__ import annotations

import copy
import os
from typing import Any, Iterator

import pytest
from helpers import FIXTURES, SHARED, needs_shared

from linter import schemacheck, schemafast
from linter.config import RunOptions, load_config
from linter.engine import load_project
from linter.model.document import Document

CORPUS = os.path.join(SHARED, "corpus")


def _project_docs(folder: str) -> list[Document]:
    old = os.getcwd()
    os.chdir(folder)
    try:
        config = load_config(".")
        project = load_project(["."], config, options=RunOptions(jobs=1))
    finally:
        os.chdir(old)
    return [d for d in project.documents if schemacheck.schema_name(d)]


def _fixture_cases() -> list[str]:
    out = []
    for code in sorted(os.listdir(FIXTURES)):
        base = os.path.join(FIXTURES, code)
        if os.path.isdir(base):
            out.extend(
                os.path.join(base, case) for case in sorted(os.listdir(base)) if os.path.isdir(os.path.join(base, case))
            )
    return out


def _issues(doc: Document, fast: bool, edition: str = "ce") -> list[tuple]:
    name = schemacheck.schema_name(doc)
    assert name
    old = schemacheck.FAST_PATH
    schemacheck.FAST_PATH = fast
    try:
        found = schemacheck._Checker(
            doc, schemacheck.load_schema(name), name, schemacheck.Context(edition=edition)
        ).run()
    finally:
        schemacheck.FAST_PATH = old
    return [(i.kind, id(i.node), i.node.span, i.message, i.fix) for i in found]


def _data(doc: Document) -> tuple[str, Any]:
    name = schemacheck.schema_name(doc)
    assert name
    checker = schemacheck._Checker(doc, schemacheck.load_schema(name), name, schemacheck.Context())
    return name, checker.walk(doc.root, checker.schema, ())


def _assert_same(docs: list[Document]) -> int:
    """Both paths agree on every document; returns how many the fast path accepted."""
    accepted = 0
    for doc in docs:
        for edition in ("ce", "enterprise"):
            assert _issues(doc, True, edition) == _issues(doc, False, edition), doc.path
        name, data = _data(doc)
        if schemafast.is_valid(name, schemacheck.load_schema(name), data):
            accepted += 1
            assert schemacheck.validator(name).is_valid(data), doc.path
    return accepted


@needs_shared
def test_corpus_findings_identical_with_fast_path() -> None:
    docs = _project_docs(CORPUS)
    assert len(docs) > 500
    accepted = _assert_same(docs)
    assert accepted > len(docs) // 2  # the fast path is actually taken


def test_fixture_findings_identical_with_fast_path() -> None:
    docs = [doc for case in _fixture_cases() for doc in _project_docs(case)]
    assert docs
    _assert_same(docs)


_REPLACEMENTS: tuple = ("", "x", "TRUE", 0, 1, -1, 1.0, 1.5, True, False, None, [], ["x"], [{}], {}, {"Unknown": 1})


def _mutations(data: Any, depth: int = 0) -> Iterator[Any]:
    """Copies of ``data`` with one value replaced, or one key dropped (deterministic)."""
    if depth > 6:
        return
    if isinstance(data, dict):
        for key in list(data):
            smaller = dict(data)
            del smaller[key]
            yield smaller
            for replacement in _REPLACEMENTS:
                yield {**data, key: copy.deepcopy(replacement)}
            for inner in _mutations(data[key], depth + 1):
                yield {**data, key: inner}
        yield {**data, "Unknown": "x"}
    elif isinstance(data, list):
        for i, item in enumerate(data[:3]):
            for inner in _mutations(item, depth + 1):
                yield data[:i] + [inner] + data[i + 1 :]
        yield data + data[:1]
        yield []


@needs_shared
def test_fast_path_never_accepts_what_jsonschema_rejects() -> None:
    seen: set[tuple[str, str]] = set()
    checked = 0
    docs = _project_docs(CORPUS) + [doc for case in _fixture_cases() for doc in _project_docs(case)]
    for doc in docs:
        name, data = _data(doc)
        key = (name, repr(data))
        if key in seen:
            continue
        seen.add(key)
        schema = schemacheck.load_schema(name)
        full = schemacheck.validator(name)
        every = list(_mutations(data))
        for mutated in every[:: max(1, len(every) // 80)]:  # spread over the document; ~5 s in all
            if schemafast.is_valid(name, schema, mutated):
                assert full.is_valid(mutated), (doc.path, mutated)
            checked += 1
    assert checked > 5_000


def test_unknown_keywords_are_never_proven() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "format": "uri"}}}
    assert not schemafast._Compiler(schema).compile(schema)({"a": "x"})
    assert schemafast._Compiler(schema).compile(schema)({})


def test_recursive_refs_and_exact_types() -> None:
    schema = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
                "additionalProperties": False,
            }
        },
        "$ref": "#/$defs/node",
    }
    check = schemafast._Compiler(schema).compile(schema, top=True)
    assert check({"kids": [{"kids": []}, {}]})
    assert not check({"kids": [{"other": 1}]})
    ints = {"type": "integer", "enum": [1, 2]}
    check = schemafast._Compiler(ints).compile(ints)
    assert check(1) and not check(True) and not check(1.0) and not check(3)


@pytest.mark.parametrize(
    "name",
    sorted(
        f[:-5]
        for f in os.listdir(schemacheck.SCHEMA_DIR)
        if f.endswith(".json") and f != "helm-keys.json"  # a key table (linter.k8s.chartkeys), not a JSON Schema
    ),
)
def test_every_schema_compiles_to_a_real_check(name: str) -> None:
    """No shipped schema falls back wholesale (that would silently lose the speed)."""
    schema = schemacheck.load_schema(name)
    assert schemafast._Compiler(schema).compile(schema, top=True) is not schemafast._never
