"""The consul provider's Terraform resources as the documents the rest of peerlint reads.

A ``.tf`` file is read only when it uses the consul provider (a ``provider "consul"``
block, a ``consul_*`` resource, or a ``helm_release`` of the consul chart); any other
Terraform is passed over with no finding (listed under ``--verbose``). What each
resource becomes, with every node at its place in the ``.tf`` file:

- ``consul_config_entry``: the config entry it writes (``kind``, ``name``,
  ``partition``, ``namespace`` and the ``config_json`` body: ``jsonencode({...})`` of a
  literal or heredoc JSON);
- ``consul_config_entry_service_intentions``: a ``service-intentions`` entry (``sources``
  blocks as ``Sources``, ``permissions`` and ``http`` blocks inside them);
- ``consul_peering_token`` / ``consul_peering``: the two sides of a peering
  (:data:`TF_PEERING` documents, paired by the token reference in linter.graph);
- ``consul_acl_policy`` / ``consul_acl_token`` / ``consul_acl_role``: ACL documents;
- ``helm_release`` of the consul chart: Helm values (``set`` blocks, ``yamlencode``);
  the files its ``values = [file(...)]`` names are marked as Helm values (see
  :func:`helm_files`).

A resource with ``count``/``for_each``, a ``dynamic`` block, or an argument whose value
only Terraform knows (:mod:`linter.model.tfvalues`) is left out, with the reason. The
cluster of each document comes from its provider (:mod:`linter.model.tfclusters`).
"""

from __future__ import annotations

import os
import re
from typing import Callable, Iterator

from linter.model.document import (
    ACL_POLICY_API,
    ACL_TOKEN,
    CONFIG_ENTRY,
    HELM_VALUES,
    TF_HELM_RELEASE,
    TF_PEERING,
    TF_PROVIDER,
    TF_ROLE,
    Document,
)
from linter.model.tfvalues import Skip, Unknown, block_bodies, camel, literal, resource_attr
from linter.nodes import Mapping, Node, Scalar, Sequence, finish

__all__ = [
    "TF_HELM_RELEASE",
    "TF_PEERING",
    "TF_PROVIDER",
    "TF_ROLE",
    "TerraformFile",
    "mentions_consul",
    "read_modules",
    "uses_consul",
]


def _resources(root: Mapping) -> Iterator[tuple[str, Scalar, Mapping]]:
    """(type, name key, body) of every ``resource "type" "name" {}`` block."""
    for key, value in root.entries:
        if key.value != "resource" or not isinstance(value, Mapping):
            continue
        for type_key, named in value.entries:
            if isinstance(named, Mapping):
                for name_key, body in named.entries:
                    if isinstance(body, Mapping):
                        yield str(type_key.value), name_key, body


def _providers(root: Mapping) -> Iterator[tuple[Scalar, Mapping]]:
    for key, value in root.entries:
        if key.value == "provider" and isinstance(value, Mapping):
            for name_key, body in value.entries:
                if name_key.value == "consul" and isinstance(body, Mapping):
                    yield name_key, body


def _is_consul_chart(body: Mapping) -> bool:
    chart = resource_attr(body, "chart")
    value = chart[1].value if chart and isinstance(chart[1], Scalar) else None
    return isinstance(value, str) and (value == "consul" or value.endswith("/consul"))


_MENTIONS = re.compile(r'resource\s+"consul_|provider\s+"consul"|chart\s*=\s*"[^"]*consul"')


def mentions_consul(text: str) -> bool:
    """Whether a ``.tf`` file that does not parse looks like the consul provider's (a
    parse error worth reporting) rather than other Terraform (passed over)."""
    return _MENTIONS.search(text) is not None


def uses_consul(root: Mapping) -> bool:
    """Whether a Terraform file configures Consul with the consul provider or chart."""
    from linter.model.tfmodules import calls_consul_module

    if any(True for _ in _providers(root)):
        return True
    for kind, _name, body in _resources(root):
        if kind.startswith("consul_") or (kind == "helm_release" and _is_consul_chart(body)):
            return True
    return calls_consul_module(root)


def collect_literals(root: Mapping, into: dict[str, Node] | None = None) -> dict[str, Node]:
    """``type.name.attr`` -> literal argument, for references to them (a module's
    files share one table: Terraform reads a folder's ``.tf`` files as one module)."""
    out = into if into is not None else {}
    for kind, name_key, body in _resources(root):
        for key, value in body.entries:
            if isinstance(value, Scalar):
                out.setdefault(f"{kind}.{name_key.value}.{key.value}", value)
    return out


class TerraformFile:
    """One ``.tf`` file's documents and what was left out (``skipped``: reasons)."""

    def __init__(
        self, root: Mapping, path: str, index: int, literals: dict[str, Node] | None = None, text: str = ""
    ) -> None:
        self.root, self.path, self.index = root, path, index
        #: the file's text: places what a one-line string holds (linter.model.embedded)
        self.text = text
        self.documents: list[Document] = []
        self.skipped: list[str] = []
        self.module = os.path.dirname(os.path.abspath(path))
        #: ``type.name.attr`` -> literal node: this file's, or its module's (read_module)
        self._literals: dict[str, Node] = literals if literals is not None else collect_literals(root)

    def resolve(self, ref: str) -> Node | None:
        found = self._literals.get(ref)
        return Scalar(found.value, found.span, True) if isinstance(found, Scalar) else None

    def doc(self, category: str, kind: str, root: Mapping, address: str, body: Mapping, syntax: str = "hcl") -> None:
        root.path, root.parent = (), None
        finish(root)
        provider = resource_attr(body, "provider")
        ref = provider[1].get("$ref") if provider and isinstance(provider[1], Mapping) else None
        extra = {
            "terraform": address,
            "provider": ref.value if isinstance(ref, Scalar) else "consul",
            "module": self.module,
        }
        self.documents.append(Document(self.path, self.index, category, kind, root, syntax, extra=extra))

    def skip(self, address: str, why: str) -> None:
        self.skipped.append(f"{address}: {why}")

    def read(self) -> None:
        for _label, body in _providers(self.root):
            alias = resource_attr(body, "alias")
            label = f"provider consul.{alias[1].value}" if alias and isinstance(alias[1], Scalar) else "provider consul"
            root = Mapping(list(body.entries), body.span)
            self.documents.append(
                Document(
                    self.path,
                    self.index,
                    TF_PROVIDER,
                    TF_PROVIDER,
                    root,
                    "hcl",
                    extra={"terraform": label, "module": self.module},
                )
            )
        for kind, name_key, body in _resources(self.root):
            address = f"{kind}.{name_key.value}"
            reader = READERS.get(kind)
            if kind == "helm_release":
                if not _is_consul_chart(body):
                    continue
                reader = _helm_release
            if reader is None:
                continue
            for meta in ("count", "for_each"):
                if resource_attr(body, meta) is not None:
                    self.skip(
                        address, f"{meta}: how many instances there are and their values are known only to Terraform"
                    )
                    break
            else:
                if any(key.value == "dynamic" for key, _ in body.entries):
                    self.skip(address, "a dynamic block: its blocks are known only to Terraform")
                    continue
                try:
                    reader(self, address, body)
                except Skip as err:
                    self.skip(address, err.why)


def _known(tf: TerraformFile, node: Node | None, what: str) -> Node:
    got = literal(node, tf.resolve)
    if isinstance(got, Unknown):
        raise Skip(f"{what}: {got.why}")
    return got


def _arg(tf: TerraformFile, body: Mapping, name: str, required: bool = False) -> tuple[Scalar, Node] | None:
    """An argument's key and literal value (None when absent; unknown raises Skip)."""
    found = resource_attr(body, name)
    if found is None:
        if required:
            raise Skip(f"no {name} argument")
        return None
    return found[0], _known(tf, found[1], name)


def _entry(name: str, found: tuple[Scalar, Node]) -> tuple[Scalar, Node]:
    return Scalar(name, found[0].span), found[1]


def _plain_args(tf: TerraformFile, body: Mapping, names: tuple[str, ...]) -> list[tuple[Scalar, Node]]:
    out = []
    for name in names:
        found = _arg(tf, body, name)
        if found is not None:
            out.append(_entry(camel(name), found))
    return out


#: Config entry kinds without a Name field (Consul's api.MeshConfigEntry): the
#: resource's required ``name`` (conventionally "mesh") is not part of the entry.
NAMELESS = {"mesh"}


def _config_entry(tf: TerraformFile, address: str, body: Mapping) -> None:
    kind = _arg(tf, body, "kind", required=True)
    name = _arg(tf, body, "name", required=True)
    assert kind is not None and name is not None
    if not isinstance(kind[1], Scalar) or not isinstance(kind[1].value, str):
        raise Skip("kind is not a string")
    entries = [_entry("Kind", kind)]
    if kind[1].value not in NAMELESS:  # the provider requires name; a mesh entry has none to send
        entries.append(_entry("Name", name))
    entries += _plain_args(tf, body, ("partition", "namespace"))
    syntax = "hcl"
    config = resource_attr(body, "config_json")
    if config is not None:
        value = config[1]
        if isinstance(value, Scalar) and isinstance(value.value, str):
            value, syntax = _heredoc_json(value, tf.text), "json"
        else:
            value = _known(tf, value, "config_json")
        if not isinstance(value, Mapping):
            raise Skip("config_json is not a JSON object")
        entries.extend(value.entries)
    tf.doc(CONFIG_ENTRY, str(kind[1].value), Mapping(entries, body.span), address, body, syntax)


def _heredoc_json(node: Scalar, text: str) -> Node:
    """The JSON a ``config_json`` string holds, at its place in the file."""
    from linter.model.embedded import place_in_string
    from linter.nodes import walk
    from linter.parse import ParseError
    from linter.parse.jsonparse import parse_json
    from linter.parse.terraform import heredoc_offset

    try:
        tree = parse_json(node.value)
    except ParseError as err:
        raise Skip(f"config_json is not valid JSON ({err.message})")
    lines, cols = heredoc_offset(node)
    if node.span.line == node.span.end_line:  # a one-line string: through its escapes
        return place_in_string(tree, node, text)
    for sub in walk(tree):
        s = sub.span
        sub.span = type(s)(s.line + lines, s.col + cols, s.end_line + lines, s.end_col + cols)
    return tree


#: Blocks that are one object in Consul's JSON (the others are lists of objects).
_SINGLE = {"http", "jwt"}


def _blocks(
    tf: TerraformFile, body: Mapping, name: str, convert: Callable[[Mapping], Mapping]
) -> list[tuple[Scalar, Node]]:
    bodies = block_bodies(body, name)
    if not bodies:
        return []
    keys = [k for k, v in body.entries if k.value == name]
    if name in _SINGLE:
        return [(Scalar(camel(name), keys[-1].span), convert(bodies[-1]))]
    items: list[Node] = [convert(b) for b in bodies]
    return [(Scalar(camel(name), keys[0].span), Sequence(items, bodies[0].span))]


def _block_body(
    tf: TerraformFile, body: Mapping, nested: dict[str, Callable[[Mapping], Mapping]] | None = None
) -> Mapping:
    """A provider block's arguments as Consul's keys; ``nested`` block kinds recurse."""
    nested = nested or {}
    entries: list[tuple[Scalar, Node]] = []
    for key, value in body.entries:
        name = str(key.value)
        if name in nested:
            continue
        if isinstance(value, Mapping) and value.span[:2] == key.span[:2]:  # a block starts at its name
            entries.append((Scalar(camel(name), key.span), _block_body(tf, value)))
            continue
        entries.append((Scalar(camel(name), key.span), _known(tf, value, name)))
    for name, convert in nested.items():
        entries.extend(_blocks(tf, body, name, convert))
    return Mapping(entries, body.span)


def _intentions(tf: TerraformFile, address: str, body: Mapping) -> None:
    name = _arg(tf, body, "name", required=True)
    assert name is not None
    entries = [(Scalar("Kind", body.span), Scalar("service-intentions", body.span)), _entry("Name", name)]
    entries += _plain_args(tf, body, ("partition", "namespace", "meta"))

    def http(block: Mapping) -> Mapping:
        return _block_body(tf, block, {"header": lambda h: _block_body(tf, h)})

    def permission(block: Mapping) -> Mapping:
        return _block_body(tf, block, {"http": http})

    def source(block: Mapping) -> Mapping:
        return _block_body(tf, block, {"permissions": permission})

    entries += _blocks(tf, body, "sources", source)
    entries += _blocks(tf, body, "jwt", lambda b: _block_body(tf, b))
    tf.doc(CONFIG_ENTRY, "service-intentions", Mapping(entries, body.span), address, body)


def _peering_token(tf: TerraformFile, address: str, body: Mapping) -> None:
    peer = _arg(tf, body, "peer_name", required=True)
    assert peer is not None
    entries = [_entry("PeerName", peer)] + _plain_args(tf, body, ("partition", "meta"))
    token = resource_attr(body, "$token")  # the token's value, from state JSON (linter.model.tfjson)
    entries.append((Scalar("Token", body.span), token[1] if token else Scalar(address, body.span, True)))
    tf.doc(TF_PEERING, "consul_peering_token", Mapping(entries, body.span), address, body)


def _peering(tf: TerraformFile, address: str, body: Mapping) -> None:
    from linter.parse.terraform import expression

    peer = _arg(tf, body, "peer_name", required=True)
    assert peer is not None
    entries = [_entry("PeerName", peer)] + _plain_args(tf, body, ("partition", "meta"))
    token = resource_attr(body, "peering_token")
    expr = expression(token[1]) if token else None
    ref = expr.value("$ref") if expr is not None else None
    if isinstance(ref, str) and ref.startswith("consul_peering_token.") and ref.endswith(".peering_token"):
        entries.append((Scalar("Token", token[0].span), Scalar(ref.rsplit(".", 1)[0], token[1].span, True)))
    elif isinstance(ref, str) and ref.startswith("token:"):  # state JSON: the token value both hold
        entries.append((Scalar("Token", token[0].span), Scalar(ref, token[1].span, True)))
    tf.doc(TF_PEERING, "consul_peering", Mapping(entries, body.span), address, body)


def _named_list(tf: TerraformFile, body: Mapping, arg: str, key: str) -> list[tuple[Scalar, Node]]:
    found = _arg(tf, body, arg)
    if found is None:
        return []
    names = found[1]
    if not isinstance(names, Sequence):
        raise Skip(f"{arg} is not a list")
    items: list[Node] = [Mapping([(Scalar("Name", n.span), n)], n.span) for n in names.items]
    return [(Scalar(key, found[0].span), Sequence(items, names.span))]


def _identities(tf: TerraformFile, body: Mapping) -> list[tuple[Scalar, Node]]:
    out: list[tuple[Scalar, Node]] = []
    for name in ("service_identities", "node_identities", "templated_policies"):
        out += _blocks(tf, body, name, lambda b: _block_body(tf, b))
    return out


def _acl_policy(tf: TerraformFile, address: str, body: Mapping) -> None:
    entries = _plain_args(tf, body, ("name", "description", "datacenters"))
    rules = _arg(tf, body, "rules", required=True)
    assert rules is not None
    entries.append(_entry("Rules", rules))
    tf.doc(ACL_POLICY_API, ACL_POLICY_API, Mapping(entries, body.span), address, body)


def _acl_token(tf: TerraformFile, address: str, body: Mapping) -> None:
    entries = _plain_args(tf, body, ("accessor_id", "description", "local"))
    entries += _named_list(tf, body, "policies", "Policies") + _named_list(tf, body, "roles", "Roles")
    entries += _identities(tf, body)
    if not entries:
        entries.append((Scalar("Description", body.span), Scalar("", body.span, True)))
    tf.doc(ACL_TOKEN, ACL_TOKEN, Mapping(entries, body.span), address, body)


def _acl_role(tf: TerraformFile, address: str, body: Mapping) -> None:
    entries = _plain_args(tf, body, ("name", "description"))
    entries += _named_list(tf, body, "policies", "Policies") + _identities(tf, body)
    tf.doc(TF_ROLE, TF_ROLE, Mapping(entries, body.span), address, body)


def _helm_release(tf: TerraformFile, address: str, body: Mapping) -> None:
    from linter.model.tfhelm import helm_values

    root, files = helm_values(body, tf.resolve, tf.module, tf.text)
    if root.entries:
        tf.doc(HELM_VALUES, HELM_VALUES, root, address, body, "yaml")
    else:  # only files: a release that places them (linter.model.tfclusters)
        tf.doc(TF_HELM_RELEASE, TF_HELM_RELEASE, root, address, body)
    tf.documents[-1].extra["helm_files"] = files


READERS: dict[str, Callable[[TerraformFile, str, Mapping], None]] = {
    "consul_config_entry": _config_entry,
    "consul_config_entry_service_intentions": _intentions,
    "consul_peering_token": _peering_token,
    "consul_peering": _peering,
    "consul_acl_policy": _acl_policy,
    "consul_acl_token": _acl_token,
    "consul_acl_role": _acl_role,
}


def read_modules(files: list[tuple[str, Mapping]], texts: dict[str, str]) -> list[TerraformFile]:
    """Every consul provider ``.tf`` file (path, tree; in load order), read with the
    references of its whole module (folder) resolvable: a token in ``tokens.tf`` naming
    a policy of ``policies.tf``; a local module called once uses its caller's provider
    (:mod:`linter.model.tfmodules`)."""
    tables: dict[str, dict[str, Node]] = {}
    for path, root in files:
        collect_literals(root, tables.setdefault(os.path.dirname(os.path.abspath(path)), {}))
    out = []
    for path, root in files:
        tf = TerraformFile(root, path, 0, tables[os.path.dirname(os.path.abspath(path))], texts.get(path, ""))
        tf.read()
        out.append(tf)
    from linter.model.tfmodules import follow_module_calls

    follow_module_calls(files, out)
    return out
