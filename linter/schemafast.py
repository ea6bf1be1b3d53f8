"""A fast yes/no answer to "is this data valid against this schema?", so that the
schema layer (linter/schemacheck.py) can skip jsonschema for the documents it accepts.

Why: at 10,000 files jsonschema's ``iter_errors`` was 1.55 s of the schema check's
1.87 s (the key walk is the rest), and importing jsonschema costs 50-80 ms of every
run, although almost every document in a real repository is valid. This module
compiles each schema, once per process, into nested closures that only say
valid / not proven valid; it builds no errors.

Soundness is one-sided on purpose: ``True`` must mean jsonschema (Draft 2020-12, no
format checker, as :func:`linter.schemacheck.validator` builds it) reports no error,
so the full path is skipped without changing any finding. ``False`` only means "ask
jsonschema", which then produces every finding exactly as before. So wherever the
semantics are subtle the compiled check is stricter than jsonschema:

- only the keywords the schemas use are understood (``type``, ``properties``,
  ``additionalProperties``, ``required``, ``items`` as one schema, ``enum``,
  ``const``, ``pattern``, ``minLength``, ``maxLength``, ``minItems``, ``maxItems``,
  ``$ref`` to ``#/...`` in the same file, ``if``/``then``/``else``, ``allOf``);
  a schema object with any other keyword (annotations and ``x-*`` aside) is never
  proven valid;
- types are matched on exact Python types (``1.0`` is not proven an integer; a
  ``str`` subclass is not proven a string);
- ``enum``/``const`` match scalars of the same exact type only.
tests/test_schemafast.py compares the fast and full paths on the public corpus, every
fixture, and mutations of them.
"""

from __future__ import annotations

import re
from typing import Any, Callable

Check = Callable[[Any], bool]

_PLAIN = frozenset({dict, list, str, int, float, bool, type(None)})
_TYPES: dict[str, frozenset] = {
    "object": frozenset({dict}),
    "array": frozenset({list}),
    "string": frozenset({str}),
    "integer": frozenset({int}),
    "number": frozenset({int, float}),
    "boolean": frozenset({bool}),
    "null": frozenset({type(None)}),
}
_SCALARS = (str, int, float, bool, type(None))
#: Keywords that never make an instance invalid (annotations, and x-* extensions).
_IGNORED = frozenset(
    {
        "$schema",
        "$comment",
        "$defs",
        "definitions",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
_COMPILED: dict[str, Check] = {}


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


class _Unsupported(Exception):
    """A schema feature this module does not prove: that subschema never passes."""


def compiled(name: str, schema: dict) -> Check:
    """The fast check for the schema called ``name`` (compiled once per process)."""
    check = _COMPILED.get(name)
    if check is None:
        check = _COMPILED[name] = _Compiler(schema).compile(schema, top=True)
    return check


def is_valid(name: str, schema: dict, data: Any) -> bool:
    """True only when jsonschema would report no error for ``data``."""
    try:
        return compiled(name, schema)(data)
    except RecursionError:
        return False  # absurdly deep data: let the full path decide


class _Compiler:
    def __init__(self, root: dict) -> None:
        self.root = root
        self.memo: dict[int, Check] = {}

    def compile(self, schema: Any, top: bool = False) -> Check:
        if schema is True:
            return _always
        if not isinstance(schema, dict):
            return _never  # False, or not a schema at all
        key = id(schema)
        if key in self.memo:
            return self.memo[key]
        cell: list[Check] = []
        self.memo[key] = lambda value: cell[0](value)  # for recursive $refs
        try:
            check = self._build(schema, top)
        except _Unsupported:
            check = _never
        cell.append(check)
        self.memo[key] = check
        return check

    def resolve(self, ref: str) -> Any:
        if ref == "#":
            return self.root
        if not ref.startswith("#/") or "~" in ref or "%" in ref:
            raise _Unsupported(ref)
        target: Any = self.root
        for part in ref[2:].split("/"):
            if isinstance(target, dict) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                raise _Unsupported(ref)
        return target

    def _build(self, schema: dict, top: bool) -> Check:
        checks: list[Check] = []
        obj: list[Check] = []  # keywords that apply to dicts only
        arr: list[Check] = []
        text: list[Check] = []
        for keyword, arg in schema.items():
            if keyword in _IGNORED or keyword.startswith("x-") or (keyword == "$id" and top):
                continue
            if keyword == "type":
                names = [arg] if isinstance(arg, str) else arg
                if not isinstance(names, list) or not names or any(n not in _TYPES for n in names):
                    raise _Unsupported(keyword)
                allowed = frozenset().union(*(_TYPES[n] for n in names))
                checks.append(lambda v, allowed=allowed: type(v) in allowed)
            elif keyword == "enum" or keyword == "const":
                options = arg if keyword == "enum" else [arg]
                if not isinstance(options, list):
                    raise _Unsupported(keyword)
                pairs = frozenset(
                    (type(o), o) for o in options if type(o) in _SCALARS and not (type(o) is float and o != o)
                )
                checks.append(lambda v, pairs=pairs: type(v) in _SCALARS and (type(v), v) in pairs)
            elif keyword == "properties":
                if not isinstance(arg, dict):
                    raise _Unsupported(keyword)
                props = {k: self.compile(sub) for k, sub in arg.items()}
                obj.append(lambda v, props=props: all(props[k](x) for k, x in v.items() if k in props))
            elif keyword == "additionalProperties":
                if "patternProperties" in schema:
                    raise _Unsupported(keyword)
                known = frozenset(schema.get("properties", {}))
                if arg is False:
                    obj.append(lambda v, known=known: all(k in known for k in v))
                elif arg is not True:
                    extra = self.compile(arg)
                    obj.append(
                        lambda v, known=known, extra=extra: all(extra(x) for k, x in v.items() if k not in known)
                    )
            elif keyword == "required":
                if not isinstance(arg, list):
                    raise _Unsupported(keyword)
                need = tuple(arg)
                obj.append(lambda v, need=need: all(k in v for k in need))
            elif keyword == "items":
                if isinstance(arg, list) or "prefixItems" in schema:
                    raise _Unsupported(keyword)
                item = self.compile(arg)
                arr.append(lambda v, item=item: all(item(x) for x in v))
            elif keyword in ("minItems", "maxItems", "minLength", "maxLength"):
                if type(arg) is not int:
                    raise _Unsupported(keyword)
                target = arr if keyword.endswith("Items") else text
                if keyword.startswith("min"):
                    target.append(lambda v, n=arg: len(v) >= n)
                else:
                    target.append(lambda v, n=arg: len(v) <= n)
            elif keyword == "pattern":
                if not isinstance(arg, str):
                    raise _Unsupported(keyword)
                search = re.compile(arg).search
                text.append(lambda v, search=search: search(v) is not None)
            elif keyword == "$ref":
                if not isinstance(arg, str):
                    raise _Unsupported(keyword)
                checks.append(self.compile(self.resolve(arg)))  # a cycle gets the forwarder
            elif keyword == "allOf":
                if not isinstance(arg, list):
                    raise _Unsupported(keyword)
                parts = [self.compile(p) for p in arg]
                checks.append(lambda v, parts=parts: all(p(v) for p in parts))
            elif keyword == "if":
                cond = self.compile(arg)
                then = self.compile(schema.get("then", True))
                other = self.compile(schema.get("else", True))
                checks.append(lambda v, c=cond, t=then, e=other: t(v) if c(v) else e(v))
            elif keyword in ("then", "else"):
                continue  # with "if" (alone they do nothing)
            else:
                raise _Unsupported(keyword)
        return _combine(checks, obj, arr, text)


def _combine(checks: list[Check], obj: list[Check], arr: list[Check], text: list[Check]) -> Check:
    """One check: every keyword, each kind-specific one only on its kind of value."""
    checks, obj, arr, text = tuple(checks), tuple(obj), tuple(arr), tuple(text)

    def check(value: Any) -> bool:
        kind = type(value)
        if kind not in _PLAIN:
            return False
        for one in checks:
            if not one(value):
                return False
        if kind is dict:
            for one in obj:
                if not one(value):
                    return False
        elif kind is list:
            for one in arr:
                if not one(value):
                    return False
        elif kind is str:
            for one in text:
                if not one(value):
                    return False
        return True

    return check
