"""Terraform state and plan JSON (``terraform show -json``) as a second input for the
consul provider's resources, with the values Terraform evaluated (variables, ``for_each``
instances, module inputs all resolved): for CI pipelines that run after ``plan``.

The same readers as for ``.tf`` files (:mod:`linter.model.terraform`) read each managed
resource's ``values``; findings point into the JSON file (inside a ``config_json`` string
at the key or value, through the string's escapes: linter.model.embedded). Read from the
output:

- resources: ``values.root_module`` (state) or ``planned_values.root_module`` (plan), with
  their ``child_modules``; a value Terraform reports unknown until apply is absent there,
  so the resource that needs it is left out, as in a ``.tf`` file;
- providers (plan only; state JSON names none): ``configuration.provider_config`` (alias
  and a constant ``datacenter``) and each resource's ``provider_config_key``;
- a ``consul_peering``'s token: the ``consul_peering_token`` its configuration references
  (plan), or the token value both resources hold (state; never shown).

Empty values (``""``, ``null``, ``[]``, ``{}``: state lists every attribute) are dropped.
"""

from __future__ import annotations

import hashlib
from typing import Iterator

from linter.model.document import TF_PROVIDER, Document
from linter.model.terraform import READERS, TerraformFile, _helm_release, _is_consul_chart
from linter.model.tfvalues import Skip
from linter.nodes import Mapping, Node, Scalar, Sequence

__all__ = ["is_terraform_json", "read_terraform_json"]

#: Arguments that are blocks in the provider's schema (lists of objects in the JSON).
_BLOCKS = {
    "sources",
    "permissions",
    "http",
    "header",
    "jwt",
    "service_identities",
    "node_identities",
    "templated_policies",
    "template_variables",
    "set",
    "set_sensitive",
}


def is_terraform_json(root: Node) -> bool:
    """Whether a JSON document is ``terraform show -json`` output."""
    return (
        isinstance(root, Mapping)
        and root.get("format_version") is not None
        and ("values" in root or "planned_values" in root)
    )


def _empty(node: Node) -> bool:
    if isinstance(node, Scalar):
        return node.value is None or node.value == ""
    if isinstance(node, Mapping):
        return not node.entries
    return isinstance(node, Sequence) and not node.items


def _body(values: Mapping) -> Mapping:
    """A resource's ``values`` in the shape a ``.tf`` body has: blocks as repeated
    entries (starting at their key, as a block does), empty values left out."""
    entries: list[tuple[Scalar, Node]] = []
    for key, value in values.entries:
        name = str(key.value)
        if _empty(value):
            continue
        if name in _BLOCKS and isinstance(value, Sequence):
            for item in value.items:
                if isinstance(item, Mapping):
                    block = _body(item)
                    block.span = key.span[:2] + block.span[2:]  # type: ignore[assignment]
                    entries.append((Scalar(name, key.span), block))
            continue
        if isinstance(value, Mapping):
            value = _body(value) if name not in ("meta",) else value
        entries.append((Scalar(name, key.span), value))
    return Mapping(entries, values.span)


def _modules(module: Node) -> Iterator[Mapping]:
    stack = [module]
    while stack:
        current = stack.pop()
        if isinstance(current, Mapping):
            yield current
            children = current.get("child_modules")
            if isinstance(children, Sequence):
                stack.extend(reversed(children.items))


def _ref(name: str, span) -> Mapping:
    """A provider reference node, as the .tf reader makes one."""
    from linter.parse.terraform import EXPR

    return Mapping(
        [(Scalar(EXPR, span), Scalar(name, span, True)), (Scalar("$ref", span), Scalar(name, span, True))], span
    )


def _configuration(root: Mapping) -> tuple[dict[str, str], dict[str, str], Mapping | None]:
    """(resource address -> provider key, address -> referenced peering token resource,
    provider configurations) from a plan's ``configuration`` (root module)."""
    config = root.get("configuration")
    providers = config.get("provider_config") if isinstance(config, Mapping) else None
    module = config.get("root_module") if isinstance(config, Mapping) else None
    keys: dict[str, str] = {}
    tokens: dict[str, str] = {}
    resources = module.get("resources") if isinstance(module, Mapping) else None
    for item in resources.items if isinstance(resources, Sequence) else ():
        if not isinstance(item, Mapping):
            continue
        address, key = item.value("address"), item.value("provider_config_key")
        if isinstance(address, str) and isinstance(key, str):
            keys[address] = key
        expressions = item.get("expressions")
        token = expressions.get("peering_token") if isinstance(expressions, Mapping) else None
        refs = token.get("references") if isinstance(token, Mapping) else None
        for ref in refs.items if isinstance(refs, Sequence) else ():
            if (
                isinstance(ref, Scalar)
                and str(ref.value).startswith("consul_peering_token.")
                and str(ref.value).count(".") == 1
            ):
                tokens[str(address)] = str(ref.value)
    return keys, tokens, providers if isinstance(providers, Mapping) else None


def _provider_documents(tf: TerraformFile, providers: Mapping | None) -> None:
    for key, config in providers.entries if providers is not None else ():
        if not isinstance(config, Mapping) or config.value("name") != "consul":
            continue
        entries: list[tuple[Scalar, Node]] = []
        alias = config.get("alias")
        if isinstance(alias, Scalar) and alias.value:
            entries.append((Scalar("alias", alias.span), alias))
        expressions = config.get("expressions")
        datacenter = expressions.get("datacenter") if isinstance(expressions, Mapping) else None
        constant = datacenter.get("constant_value") if isinstance(datacenter, Mapping) else None
        if isinstance(constant, Scalar) and isinstance(constant.value, str):
            entries.append((Scalar("datacenter", constant.span), constant))
        tf.documents.append(
            Document(
                tf.path,
                tf.index,
                TF_PROVIDER,
                TF_PROVIDER,
                Mapping(entries, config.span),
                "json",
                extra={"terraform": f"provider {key.value}", "module": tf.module},
            )
        )


def _token_id(value: str) -> str:
    """A stand-in for a peering token's value (the token itself is a secret)."""
    return "token:" + hashlib.sha256(value.encode()).hexdigest()[:16]


def read_terraform_json(root: Node, path: str, index: int, text: str = "") -> TerraformFile | None:
    """The documents of ``terraform show -json`` output (None: not such output, or no
    consul provider resource in it)."""
    if not is_terraform_json(root):
        return None
    assert isinstance(root, Mapping)
    tf = TerraformFile(Mapping([], root.span), path, index, text=text)
    keys, tokens, providers = _configuration(root)
    _provider_documents(tf, providers)
    values = root.get("planned_values") or root.get("values")
    top = values.get("root_module") if isinstance(values, Mapping) else None
    found = False
    for module in _modules(top) if top is not None else ():
        resources = module.get("resources")
        for item in resources.items if isinstance(resources, Sequence) else ():
            if not isinstance(item, Mapping) or item.value("mode") != "managed":
                continue
            kind, address = item.value("type"), str(item.value("address"))
            raw = item.get("values")
            if not isinstance(kind, str) or not isinstance(raw, Mapping):
                continue
            body = _body(raw)
            reader = READERS.get(kind)
            if kind == "helm_release" and _is_consul_chart(body):
                reader = _helm_release
            if reader is None:
                continue
            found = True
            base = address.split("[", 1)[0]  # a count/for_each instance: its resource's configuration
            key = keys.get(address) or keys.get(base)
            if key:
                body.entries.append((Scalar("provider", item.span), _ref(key, item.span)))
            _tokens(body, kind, base, tokens)
            try:
                reader(tf, address, body)
            except Skip as err:
                tf.skip(address, err.why)
    return tf if found else None


def _tokens(body: Mapping, kind: str, address: str, tokens: dict[str, str]) -> None:
    """How a peering's two resources find each other in JSON: the token value both
    hold (state), else the token resource a plan's configuration references."""
    from linter.parse.terraform import EXPR

    entry = next(((k, v) for k, v in body.entries if k.value == "peering_token"), None)
    if kind == "consul_peering_token" and entry is not None and isinstance(entry[1], Scalar):
        body.entries.append(
            (Scalar("$token", entry[0].span), Scalar(_token_id(str(entry[1].value)), entry[1].span, True))
        )
    if kind != "consul_peering":
        return
    body.entries = [(k, v) for k, v in body.entries if k.value != "peering_token"]
    if entry is not None and isinstance(entry[1], Scalar) and isinstance(entry[1].value, str):
        ref = Scalar(_token_id(entry[1].value), entry[1].span, True)
    elif address in tokens:
        ref = Scalar(tokens[address] + ".peering_token", body.span, True)
    else:
        return
    span = ref.span
    body.entries.append(
        (Scalar("peering_token", span), Mapping([(Scalar(EXPR, span), ref), (Scalar("$ref", span), ref)], span))
    )
