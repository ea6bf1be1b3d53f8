"""Finding rules: the ``peerlint.rules`` entry-point group, the same door for the
built-in rules (registered by peerlint's own distribution) and third-party plugins."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType
from typing import Any

from linter.api import Rule, validate_rule

ENTRY_POINT_GROUP = "peerlint.rules"
BUILTIN = "linter.rules"


class RegistryError(Exception):
    """A plugin that cannot be loaded or declares a bad rule."""


def _rules_in(obj: Any) -> list[type[Rule]]:
    if inspect.isclass(obj) and issubclass(obj, Rule) and obj is not Rule:
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [r for item in obj for r in _rules_in(item)]
    if isinstance(obj, ModuleType):
        found = [
            value
            for value in vars(obj).values()
            if inspect.isclass(value)
            and issubclass(value, Rule)
            and value is not Rule
            and value.__module__ == obj.__name__
            and value.code
        ]
        if hasattr(obj, "__path__"):
            for info in sorted(pkgutil.iter_modules(obj.__path__), key=lambda m: m.name):
                if not info.name.startswith("_"):
                    found.extend(_rules_in(importlib.import_module(f"{obj.__name__}.{info.name}")))
        return found
    return []


def _entry_points() -> list[Any]:
    from linter.entrypoints import entry_points  # cached: see linter/entrypoints.py

    return entry_points(ENTRY_POINT_GROUP)


def load_rules() -> dict[str, type[Rule]]:
    """Every rule by code. Two rules claiming one code is an error."""
    sources: list[tuple[str, Any]] = []
    eps = _entry_points()
    if not any(ep.value.split(":")[0] == BUILTIN for ep in eps):
        # Running from a source tree that was never installed: the built-in package
        # is still importable, and is loaded as its entry point would load it.
        sources.append((BUILTIN, lambda: importlib.import_module(BUILTIN)))
    sources.extend((f"{ep.name} = {ep.value}", ep.load) for ep in eps)
    rules: dict[str, type[Rule]] = {}
    for label, load in sources:
        try:
            obj = load()
        except Exception as err:
            raise RegistryError(f"cannot load rule plugin {label}: {err}") from err
        for rule in _rules_in(obj):
            problems = validate_rule(rule)
            if problems:
                raise RegistryError(f"rule {rule.__module__}.{rule.__name__} ({label}): {'; '.join(problems)}")
            other = rules.get(rule.code)
            if other is not None and other is not rule:
                raise RegistryError(
                    f"rule code {rule.code} is claimed by both {other.__module__} and {rule.__module__}"
                )
            rules[rule.code] = rule
    return dict(sorted(rules.items()))
