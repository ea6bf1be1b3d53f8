"""PL801: a peering token committed to the repository, in any scanned file."""

from __future__ import annotations

import bisect
from typing import Iterator

from linter.api import Document, Finding, Node, Rule, Scalar, Span, file_location, walk
from linter.api.acl import find_peering_tokens


def _containing_scalar(docs: list[Document], line: int, col: int) -> tuple[Document, Node] | None:
    """The innermost string value that holds (line, col), so the finding points at the
    value node itself (and its attribute path)."""
    for doc in docs:
        span = doc.root.span
        if not (span.line <= line <= span.end_line):
            continue
        for node in walk(doc.root):
            s = node.span
            if (
                isinstance(node, Scalar)
                and isinstance(node.value, str)
                and (s.line, s.col) <= (line, col) < (s.end_line, s.end_col)
            ):
                return doc, node
    return None


class CommittedPeeringToken(Rule):
    code = "PL801"
    slug = "committed-peering-token"
    summary = "A peering token (base64 JSON with CA, ServerAddresses, PeerID, EstablishmentSecret) is committed"
    severity = "error"
    security_severity = 9.0
    reads = ("documents", "texts", "files")
    scope = "file"
    doc = """
## What it does
Decodes candidate base64 strings in every scanned YAML, JSON and HCL file (Kubernetes
Secrets' `data`, which holds the token base64-encoded a second time, and `stringData`
included) and flags the ones that are Consul peering tokens: base64 of JSON with
`PeerID` and `ServerAddresses`, `CA`, `ServerName` or `EstablishmentSecret`. The token
itself is never printed.

## Why is this bad?
A peering token carries the acceptor's CA, server addresses and the establishment
secret. Anyone who can read the repository can use it to establish a peering with your
cluster before you do, and then consume every service you export to that peer. Tokens
belong in a secret store; consul-k8s writes them to a Kubernetes Secret at run time.

**Assumes** nothing about the cluster: a committed peering token is a secret whatever
the edition or posture.

## References
- [Consul `agent/structs/peering.go`: `PeeringToken`](https://github.com/hashicorp/consul/blob/main/agent/structs/peering.go)
- [Consul `agent/rpc/peering/service.go`: `GenerateToken`](https://github.com/hashicorp/consul/blob/main/agent/rpc/peering/service.go)
- [Consul docs: Establish cluster peering connections](https://developer.hashicorp.com/consul/docs/east-west/cluster-peering/establish/vm)
"""
    example = {
        "bad": {
            "secret.yaml": """\
apiVersion: v1
kind: Secret
metadata:
  name: peering-token-dc2
stringData:
  data: eyJDQSI6bnVsbCwiTWFudWFsU2VydmVyQWRkcmVzc2VzIjpudWxsLCJTZXJ2ZXJBZGRyZXNzZXMiOlsiMTAuMC4wLjE6ODUwMyJdLCJTZXJ2ZXJOYW1lIjoic2VydmVyLmRjMS5wZWVyaW5nLmV4YW1wbGUuY29uc3VsIiwiUGVlcklEIjoiOWU4YjJlYTEtN2IwYy00YjJlLThjMWYtMWQyZjNhNGI1YzZkIiwiRXN0YWJsaXNobWVudFNlY3JldCI6IjVhNmI3YzhkLTExMTEtMjIyMi0zMzMzLTQ0NDQ1NTU1NjY2NiIsIlJlbW90ZSI6eyJQYXJ0aXRpb24iOiJkZWZhdWx0IiwiRGF0YWNlbnRlciI6ImRjMSIsIkxvY2FsaXR5IjpudWxsfX0=
""",
        },
        "good": {
            "acceptor.yaml": """\
apiVersion: consul.hashicorp.com/v1alpha1
kind: PeeringAcceptor
metadata:
  name: dc2
spec:
  peer:
    secret:
      name: peering-token-dc2
      key: data
      backend: kubernetes
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        by_path: dict[str, list[Document]] = {}
        for doc in project.documents:
            by_path.setdefault(doc.path, []).append(doc)
        for path in sorted(p for p in project.files if p in project.texts):  # (a re-check's files only)
            source = project.texts[path]
            starts: list[int] | None = None
            for start, end, token in find_peering_tokens(source):
                if starts is None:
                    starts = [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]
                line = bisect.bisect_right(starts, start)
                col = start - starts[line - 1] + 1
                end_line = bisect.bisect_right(starts, end)
                span = Span(line, col, end_line, end - starts[end_line - 1] + 1)
                message, fix = self._describe(token)
                found = _containing_scalar(by_path.get(path, []), line, col)
                if found is not None:
                    yield self.report(found[0].at(found[1]), message, fix=fix)
                else:
                    yield self.report(file_location(path, span), message, fix=fix)

    @staticmethod
    def _describe(token: dict) -> tuple[str, str]:
        fields = [
            k
            for k in ("CA", "ServerAddresses", "ManualServerAddresses", "PeerID", "EstablishmentSecret")
            if token.get(k)
        ]
        remote = token.get("Remote") if isinstance(token.get("Remote"), dict) else {}
        dc = remote.get("Datacenter") if isinstance(remote.get("Datacenter"), str) else None
        where = f" for a peering with datacenter {dc!r}" if dc else ""
        secret = " and its single-use establishment secret" if token.get("EstablishmentSecret") else ""
        message = (
            f"a Consul peering token{where} is committed here (base64 JSON with {', '.join(fields)}); it carries the "
            f"acceptor's server addresses{secret}, so anyone who reads the repository can establish this peering and "
            "consume the services exported to it"
        )
        fix = (
            "delete the token from the file and from git history, delete the pending peering and generate a new token "
            "(`consul peering generate-token` or a PeeringAcceptor), and pass it through a secret store or a Kubernetes "
            "Secret created at deploy time, never committed"
        )
        return message, fix
