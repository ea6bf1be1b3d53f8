"""Module calls: which consul provider a local module's resources use.

``module "north" { source = "./modules/consul", providers = { consul = consul.north } }``
makes the module's default ``consul`` provider the caller's ``consul.north``: the
module's resources belong to north's cluster. Only a local ``source`` called exactly
once is followed; a module called several times configures several clusters with
values that differ by its inputs (unknown here), so its resources stay placed by their
path and ``--verbose`` says so. A module's variables stay unknown either way.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterator

from linter.nodes import Mapping, Scalar

if TYPE_CHECKING:
    from linter.model.terraform import TerraformFile

__all__ = ["calls_consul_module", "follow_module_calls"]


def _calls(root: Mapping) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(call name, source, {module's provider ref: caller's ref}) of each module block
    with a local source."""
    from linter.parse.terraform import expression

    for key, value in root.entries:
        if key.value != "module" or not isinstance(value, Mapping):
            continue
        for name, body in value.entries:
            if not isinstance(body, Mapping):
                continue
            source = body.get("source")
            if not isinstance(source, Scalar) or not str(source.value).startswith(("./", "../")):
                continue
            mapping: dict[str, str] = {}
            providers = body.get("providers")
            for inner, outer in providers.entries if isinstance(providers, Mapping) else ():
                ref = expression(outer)
                target = ref.value("$ref") if ref is not None else None
                if isinstance(target, str) and str(inner.value).split(".")[0] == "consul":
                    mapping[str(inner.value)] = target
            yield str(name.value), str(source.value), mapping


def calls_consul_module(root: Mapping) -> bool:
    """Whether a file passes a consul provider to a local module."""
    return any(mapping for _name, _source, mapping in _calls(root))


def follow_module_calls(files: list[tuple[str, Mapping]], read: list[TerraformFile]) -> None:
    """Give the documents of a module called once the caller's provider (and folder,
    where that provider is configured)."""
    calls: dict[str, list[tuple[str, str, dict[str, str]]]] = {}
    for path, root in files:
        folder = os.path.dirname(os.path.abspath(path))
        for name, source, mapping in _calls(root):
            target = os.path.normpath(os.path.join(folder, source))
            calls.setdefault(target, []).append((folder, f"module.{name}", mapping))
    for tf in read:
        found = calls.get(tf.module)
        if not found:
            continue
        if len(found) > 1:
            names = ", ".join(call for _folder, call, _mapping in found)
            tf.skipped.append(
                f"the module is called {len(found)} times ({names}): its resources are placed by their path"
            )
            continue
        folder, call, mapping = found[0]
        for doc in tf.documents:
            inner = doc.extra.get("provider")
            if inner in mapping:
                doc.extra.update(module=folder, provider=mapping[inner], module_call=call)
