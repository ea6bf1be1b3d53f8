"""What a Terraform expression is, statically: a literal value (as nodes, at their
place in the ``.tf`` file) or :class:`Unknown` with the reason.

Only what needs no evaluation is known: literals, objects and tuples of literals,
``jsonencode``/``yamlencode`` of a literal, a heredoc's text, and a reference to a
literal attribute of a resource in the same module (``consul_acl_policy.x.name``).
Everything else (a variable, a local, a module input, another function, a template
with ``${}``) is unknown, never guessed: the resource that depends on it is left out
and ``--verbose`` says why (principle: precision first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from linter.nodes import Mapping, Node, Scalar, Sequence

__all__ = ["Resolver", "Skip", "Unknown", "block_bodies", "camel", "literal", "resource_attr"]

#: Resolves ``type.name.attr`` to a literal node in the same module, or None.
Resolver = Callable[[str], "Node | None"]


class Skip(Exception):
    """A resource left out, with the reason (``--verbose`` lists it)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass
class Unknown:
    """A value only Terraform knows; ``why`` names the expression and its kind."""

    why: str
    node: Node | None = None


def _expr(node: Node | None) -> Mapping | None:
    from linter.parse.terraform import expression

    return expression(node)


def _describe(expr: Mapping) -> str:
    source = str(expr.value("$expr") or "")
    first = source.split("\n", 1)[0]
    shown = first if len(first) <= 60 else first[:57] + "..."
    ref = expr.value("$ref")
    if isinstance(ref, str):
        head = ref.split(".", 1)[0]
        kind = {"var": "a variable", "local": "a local value", "module": "a module output", "data": "a data source"}
        if head not in kind and ref.count(".") >= 2:
            return f"{shown} refers to a resource attribute that is not a literal in this module (not followed)"
        return f"{shown} is {kind.get(head, 'a reference')}, known only to Terraform"
    call = expr.value("$call")
    if isinstance(call, str):
        return f"{shown} calls {call}(), evaluated only by Terraform"
    return f"{shown} is an expression evaluated only by Terraform"


def literal(node: Node | None, resolve: Resolver | None = None) -> Node | Unknown:
    """``node`` as a literal value (the same nodes, expressions replaced by their
    literal meaning), or :class:`Unknown` when any part of it is not literal."""
    if node is None:
        return Unknown("no value")
    expr = _expr(node)
    if expr is not None:
        ref = expr.value("$ref")
        if isinstance(ref, str) and resolve is not None:
            found = resolve(ref)
            if isinstance(found, Scalar):  # the literal's value, at the reference
                return Scalar(found.value, node.span, found.quoted)
        call = expr.value("$call")
        args = expr.get("$args")
        if call in ("jsonencode", "yamlencode") and isinstance(args, Sequence) and len(args.items) == 1:
            return literal(args.items[0], resolve)
        return Unknown(_describe(expr), node)
    if isinstance(node, Mapping):
        entries: list[tuple[Scalar, Node]] = []
        for key, value in node.entries:
            got = literal(value, resolve)
            if isinstance(got, Unknown):
                return got
            entries.append((key, got))
        node.entries = entries
        node._index = None
        return node
    if isinstance(node, Sequence):
        items: list[Node] = []
        for item in node.items:
            got = literal(item, resolve)
            if isinstance(got, Unknown):
                return got
            items.append(got)
        node.items = items
        return node
    return node


def block_bodies(body: Mapping, name: str) -> list[Mapping]:
    """The bodies of the unlabelled blocks ``name { ... }`` in a body, in order."""
    return [value for key, value in body.entries if key.value == name and isinstance(value, Mapping)]


#: Provider argument names whose Consul JSON key is not their plain CamelCase.
_SPECIAL = {"http": "HTTP", "jwt": "JWT", "id": "ID", "accessor_id": "AccessorID", "secret_id": "SecretID"}


def camel(name: str) -> str:
    """The Consul API key for a provider argument: ``sameness_group`` ->
    ``SamenessGroup`` (lookups are spelling-blind; this is what messages show)."""
    if name in _SPECIAL:
        return _SPECIAL[name]
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def resource_attr(body: Mapping, name: str) -> tuple[Scalar, Node] | None:
    """The (key, value) of attribute ``name`` in a resource body (exact spelling:
    Terraform's argument names are case-sensitive)."""
    for key, value in reversed(body.entries):
        if key.value == name:
            return key, value
    return None
