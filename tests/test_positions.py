"""Positions are exact: for nested HCL blocks, lists of objects, heredocs, repeated
blocks and every comment style; JSON; multi-document YAML. And the HCL tree means
what pyhcl says the file means."""

from __future__ import annotations

import os

import pytest
from helpers import SHARED, needs_shared

from linter.nodes import Mapping, Sequence, walk
from linter.parse import parse_text

HCL = """# a comment
// another
/* a block
   comment */
Kind = "service-intentions"   # trailing
Name = "api"
Sources = [
  {
    Name   = "web"
    Peer   = "dc2"   // the peer
    Action = "allow"
  },
  {
    Name = "db"
    Permissions = [
      {
        Action = "allow"
        HTTP {
          PathPrefix = "/v1"
          Methods    = ["GET", "PUT"]
        }
      }
    ]
  }
]
Meta {
  note = <<EOT
line one
line two
EOT
  after = "x"
}
upstreams { destination_name = "a" }
upstreams { destination_name = "b" }
service "web" { policy = "read" }
service "db" { policy = "write" }
"""


def _at(text: str, node) -> str:
    """The source text a node's span covers."""
    lines = text.split("\n")
    s = node.span
    if s.line == s.end_line:
        return lines[s.line - 1][s.col - 1 : s.end_col - 1]
    first = lines[s.line - 1][s.col - 1 :]
    return "\n".join([first, *lines[s.line : s.end_line - 1], lines[s.end_line - 1][: s.end_col - 1]])


def test_hcl_deep_keys_and_values() -> None:
    [root] = parse_text("x.hcl", HCL).documents
    sources = root.get("Sources")
    peer = sources.items[0].get("Peer")
    assert (peer.span.line, peer.span.col, peer.span.end_col) == (10, 14, 19) and _at(HCL, peer) == '"dc2"'
    assert _at(HCL, sources.items[0].key("Peer")) == "Peer"
    http = sources.items[1].get("Permissions").items[0].get("HTTP")
    prefix = http.get("PathPrefix")
    assert (prefix.span.line, _at(HCL, prefix)) == (19, '"/v1"')
    put = http.get("Methods").items[1]
    assert (put.span.line, put.span.col, _at(HCL, put)) == (20, 32, '"PUT"')
    assert _at(HCL, http).startswith("{") and _at(HCL, http).endswith("}")


def test_hcl_heredoc_repeated_and_labelled_blocks() -> None:
    [root] = parse_text("x.hcl", HCL).documents
    note = root.get("Meta").get("note")
    assert note.value == "line one\nline two" and note.span.line == 27 and note.span.end_line == 30
    assert root.get("Meta").get("after").span.line == 31
    ups = root.get("upstreams")
    assert [u.get("destination_name").value for u in ups] == ["a", "b"]
    assert [u.get("destination_name").span.line for u in ups] == [33, 34]
    assert root.get("service").get("db").get("policy").span.line == 36
    assert _at(HCL, root.key("service")) == "service"


def test_hcl_values_match_pyhcl() -> None:
    import hcl

    [root] = parse_text("x.hcl", HCL).documents
    expected = hcl.loads(HCL)
    got = root.plain()
    for key in ("Kind", "Name", "Sources", "Meta", "upstreams", "service"):
        assert got[key] == expected[key]


def _corpus_hcl() -> list[str]:
    folder = os.path.join(SHARED, "corpus", "consul-docs")
    out = []
    for root, _dirs, files in os.walk(folder):
        out.extend(os.path.join(root, f) for f in files if f.endswith(".hcl"))
    return sorted(out)


@needs_shared
def test_corpus_hcl_means_what_pyhcl_says() -> None:
    """Every corpus HCL file that pyhcl reads gives the same values through our tree
    (files with repeated top-level keys differ by design: pyhcl merges them in ways
    Consul's HCL v1 decoder does not)."""
    from hcl.parser import HclParser

    pyhcl = HclParser()  # hcl.loads() would rebuild its parser tables per file
    checked = 0
    for path in _corpus_hcl():
        text = open(path, encoding="utf-8").read()
        try:
            expected = pyhcl.parse(text)
        except Exception:
            continue
        parsed = parse_text(path, text)
        assert parsed.error is None, (path, parsed.error.message)
        root = parsed.documents[0]
        keys = [str(k.value) for k, _ in root.entries]
        if len(keys) != len(set(keys)) or any(
            isinstance(v, Mapping) and len({str(k.value) for k, _ in v.entries}) != len(v.entries) for v in walk(root)
        ):
            continue
        if _has_repeated_blocks(root, text):
            continue  # pyhcl merges repeated blocks into one mangled block; Consul does not
        assert _normalise(root.plain()) == _normalise(expected), path
        checked += 1
    assert checked > 300


def _has_repeated_blocks(root, text: str) -> bool:
    """A list made of repeated blocks starts at a "{", a list literal at a "["."""
    lines = text.split("\n")
    return any(
        isinstance(node, Sequence) and lines[node.span.line - 1][node.span.col - 1 : node.span.col] == "{"
        for node in walk(root)
    )


def _normalise(value):
    """pyhcl collapses a one-element list of blocks into the block; so does Consul."""
    if isinstance(value, list):
        items = [_normalise(v) for v in value]
        if items and all(isinstance(i, dict) for i in items):
            keys = [k for i in items for k in i]
            if len(keys) == len(set(keys)) and len(items) > 1 and all(len(i) == 1 for i in items):
                # repeated labelled blocks (`namespace "a" {}` twice): one object by label
                return {k: v for i in items for k, v in i.items()}
        return items[0] if len(items) == 1 and isinstance(items[0], dict) else items
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    return value


JSON = '{\n  "Kind": "exported-services",\n  "Services": [\n    {"Name": "web", "Consumers": [{"Peer": "dc2"}, {"Peer": "dc3"}]}\n  ]\n}\n'


def test_json_deep_value() -> None:
    [root] = parse_text("x.json", JSON).documents
    peer = root.get("Services").items[0].get("Consumers").items[1].get("Peer")
    assert (peer.span.line, peer.span.col, _at(JSON, peer)) == (4, 61, '"dc3"')
    assert peer.path == ("Services", 0, "Consumers", 1, "Peer")


YAML = """apiVersion: v1
kind: ConfigMap
metadata:
  name: other
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ExportedServices
metadata:
  name: default
spec:
  services:
    - name: web
      consumers:
        - peer: dc2
        - peer: "dc3"
"""


def test_multi_document_yaml() -> None:
    docs = parse_text("x.yaml", YAML).documents
    assert len(docs) == 2
    peer = docs[1].get("spec").get("services").items[0].get("consumers").items[1].get("peer")
    assert (peer.span.line, peer.span.col, _at(YAML, peer)) == (15, 17, '"dc3"')
    key = docs[1].get("spec").get("services").items[0].get("consumers").items[0].key("peer")
    assert (key.span.line, key.span.col, _at(YAML, key)) == (14, 11, "peer")


@pytest.mark.parametrize(
    "name,text,line,col",
    [
        ("a.hcl", 'Kind = "mesh"\nPeering {\n  PeerThroughMeshGateways = \n}\n', 4, 1),
        ("a.json", '{\n  "Kind": "mesh",\n  "Peering": {"X": tru}\n}\n', 3, 20),
        ("a.yaml", "kind: Mesh\nspec:\n  peering: [a, b\n", 4, 1),
    ],
)
def test_parse_errors_point_at_the_problem(name: str, text: str, line: int, col: int) -> None:
    error = parse_text(name, text).error
    assert error is not None and (error.line, error.col) == (line, col), error.message
