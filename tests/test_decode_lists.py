"""Decode as Consul decodes (issue #14, item 4): every list-of-objects field of agent
files, service definitions and config entries, written as one HCL block, is a
one-element list (hcl v1 decodes every block as a list of maps; the agent's decoder
keeps it for a list field: lib.PatchSliceOfMaps' skip list, now
decode.HookWeakDecodeFromSlice), so it is never a PL102. In JSON an object for a list
field is an error for the agent's decoder (no WeaklyTypedInput) and accepted by the
config-entry decoder (WeaklyTypedInput wraps it)."""

from __future__ import annotations

import json
import os
from typing import Iterator

import hcl
import pytest

from linter.model.classify import classify
from linter.parse import parse_text
from linter.schemacheck import issues
from linter.schemaload import SCHEMA_DIR, load_schema

ENTRY_SCHEMAS = sorted(n[:-5] for n in os.listdir(SCHEMA_DIR) if n.startswith("entry-"))


def _resolve(schema: dict, root: dict) -> dict:
    for _ in range(20):
        if isinstance(schema, dict) and "$ref" in schema:
            target = root
            for part in schema["$ref"].lstrip("#/").split("/"):
                target = target.get(part, {})
            schema = target
        else:
            break
    if isinstance(schema, dict) and "allOf" in schema:
        merged = {"properties": {}}
        for part in schema["allOf"]:
            merged["properties"].update(_resolve(part, root).get("properties", {}))
        return merged
    return schema if isinstance(schema, dict) else {}


def _types(schema: dict) -> list[str]:
    types = schema.get("type")
    return [types] if isinstance(types, str) else list(types or [])


def list_paths(schema: dict, root: dict, prefix: tuple = (), depth: int = 0) -> Iterator[tuple[str, ...]]:
    """Every property path (through objects and lists of objects) to a list of objects."""
    if depth > 5:
        return
    for name, sub in _resolve(schema, root).get("properties", {}).items():
        sub = _resolve(sub, root)
        types = _types(sub)
        if "array" in types and "object" not in types:
            items = _resolve(sub.get("items", {}), root)
            if "object" in _types(items) or items.get("properties"):
                yield prefix + (name,)
                yield from list_paths(items, root, prefix + (name,), depth + 1)
        elif "object" in types or sub.get("properties"):
            yield from list_paths(sub, root, prefix + (name,), depth + 1)


def _hcl(path: tuple[str, ...], inner: str = "") -> str:
    text = inner
    for name in reversed(path):
        text = f"{name} {{\n{text}}}\n"
    return text


def _json(path: tuple[str, ...]) -> dict:
    value: dict = {}
    for name in reversed(path):
        value = {name: value}
    return value


def _docs(path: str, text: str):
    parsed = parse_text(path, text)
    assert parsed.error is None, (path, parsed.error, text)
    return [d for root in parsed.documents for d in classify(root, path, 0, parsed.syntax)]


def _type_issue_at(found, path: tuple[str, ...]) -> list[str]:
    last = path[-1].lower()
    return [i.message for i in found if i.kind == "type" and last in i.message.lower().replace("_", "")] + [
        i.message for i in found if i.kind == "type" and path[-1] in i.message
    ]


CASES = [("agent-service", p) for p in list_paths(load_schema("agent-service"), load_schema("agent-service"))]
CASES += [("agent-config", p) for p in list_paths(load_schema("agent-config"), load_schema("agent-config"))]
for _name in ENTRY_SCHEMAS:
    CASES += [(_name, p) for p in list_paths(load_schema(_name), load_schema(_name))]


def test_the_lists_are_found() -> None:
    paths = {(n, ".".join(p)) for n, p in CASES}
    assert ("agent-service", "connect.sidecar_service.proxy.upstreams") in paths
    assert ("agent-service", "checks") in paths
    assert ("entry-service-intentions", "Sources") in paths
    assert len(CASES) > 20


def _wrap(name: str, body: str) -> tuple[str, str]:
    if name == "agent-service":
        return "svc.hcl", f'service {{\nname = "web"\n{body}}}\n'
    if name == "agent-config":
        return "agent.hcl", f'datacenter = "dc1"\n{body}'
    kind = name[len("entry-") :]
    return "entry.hcl", f'Kind = "{kind}"\nName = "web"\n{body}'


@pytest.mark.parametrize("name,path", CASES, ids=[f"{n}:{'.'.join(p)}" for n, p in CASES])
def test_one_hcl_block_is_a_one_element_list(name: str, path: tuple[str, ...]) -> None:
    filename, text = _wrap(name, _hcl(path))
    hcl.loads(text)  # valid HCL1 for pyhcl too (the reference decoder the parser is checked against)
    docs = [d for d in _docs(filename, text) if d.category != "agent-config" or name == "agent-config"]
    assert docs, text
    found = [i for d in docs for i in issues(d)]
    assert not _type_issue_at(found, path), (text, [i.message for i in found])


@pytest.mark.parametrize("name,path", CASES, ids=[f"{n}:{'.'.join(p)}" for n, p in CASES])
def test_json_object_for_a_list(name: str, path: tuple[str, ...]) -> None:
    if name == "agent-service":
        data = {"service": {"name": "web", **_json(path)}}
    elif name == "agent-config":
        data = {"datacenter": "dc1", **_json(path)}
    else:
        data = {"Kind": name[len("entry-") :], "Name": "web", **_json(path)}
    docs = [d for d in _docs("x.json", json.dumps(data)) if d.category != "agent-config" or name == "agent-config"]
    found = [i for d in docs for i in issues(d)]
    if name.startswith("entry-"):
        assert not _type_issue_at(found, path), [i.message for i in found]  # WeaklyTypedInput
    else:
        assert _type_issue_at(found, path), (data, [i.message for i in found])  # the agent has none
