"""The schema layer: one JSON Schema per document kind (``schemas/*.json``), applied the
way Consul's decoders read a file.

Why two passes. JSON Schema alone cannot say "``peer_name`` is ``Peer``" or "``NAME``
matches ``Name`` but ``DestinationName`` does not match ``destination_name``", and it
cannot point at a line. So:

1. A walk over the document and its schema, together, resolves every key to its
   canonical property using the schema's own spelling rule (``x-spelling``) and
   aliases (``x-aliases``), reports the keys the decoder would not use, applies the
   decoder's weak typing (a one-element list for a block, ``"true"`` for a bool) and
   builds plain data under canonical names plus a map from each canonical path back
   to its node.
2. The compiled jsonschema validator (built once per process) checks that data; each
   error's path leads back to the exact key or value node. Data that
   ``linter.schemafast`` proves valid skips it (most documents: jsonschema was most of
   the rule time, and is then never imported).

Results are cached per document, so PL101-PL104 share one walk and one validation.
Schema conventions: an object schema is key-checked only when it says
``"additionalProperties": false`` (anything else is a free-form map: ``Meta``,
``Config``, ``spec.config``); ``x-messages`` maps a jsonschema keyword to the message
Consul prints (``{path}``, ``{parent}``, ``{value}``, ``{quoted}``, ``{allowed}``);
``x-enterprise-meta`` marks fields that CE's server-side decoder does not have.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from typing import Any

from linter import schemafast
from linter.constraints import Context, placeholder, violations
from linter.kinds import one_close
from linter.model.document import (
    CONFIG_ENTRY,
    Document,
)
from linter.nodes import Mapping, Node, Scalar, Sequence, fold_key, format_path
from linter.nodes import key_did_you_mean as did_you_mean
from linter.schemaload import CRD_KINDS, ENTRY_KINDS, OTHER, SCHEMA_DIR, load_schema, schema_name
from linter.versions import newer_setting

__all__ = [
    "CRD_KINDS",
    "ENTRY_KINDS",
    "OTHER",
    "SCHEMA_DIR",
    "Issue",
    "issues",
    "load_schema",
    "schema_name",
    "validator",
]

MAX_DEPTH = 200  # deeper than any real schema; beyond it a subtree is treated as opaque
GO_TYPES = {
    "string": "string",
    "boolean": "bool",
    "integer": "int",
    "number": "float64",
    "object": "map[string]interface {}",
    "array": "[]interface {}",
    "null": "nil",
}
TRUE_WORDS = {"1", "t", "T", "TRUE", "true", "True"}
FALSE_WORDS = {"0", "f", "F", "FALSE", "false", "False", ""}

#: Skip jsonschema for data linter.schemafast proves valid (off only in the tests that
#: compare both paths).
FAST_PATH = True
#: How many validators were compiled in this process (tests assert it stays one per schema).
VALIDATOR_BUILDS = 0
_VALIDATORS: dict[str, Any] = {}
_CACHE: weakref.WeakKeyDictionary[Document, tuple[Context, list[Issue]]] = weakref.WeakKeyDictionary()


@dataclass
class Issue:
    """One schema problem: ``kind`` is unknown / type / value / missing (PL101-PL104),
    or conflict (PL106: two fields Consul refuses together, from linter.constraints)."""

    kind: str
    node: Node
    message: str
    fix: str = ""
    #: The value that fixes it, written at ``node`` (a key's did-you-mean spelling, an
    #: enum value's one close match); None when the fix needs a human.
    replacement: str | None = None
    #: not the rule's own: a key newer than the schema's release, with no pinned release that refuses it
    severity: str | None = None


def validator(name: str) -> Any:
    """The compiled validator for a schema, built once per process (jsonschema is
    imported only here, on first use)."""
    global VALIDATOR_BUILDS
    if name not in _VALIDATORS:
        import jsonschema.validators

        schema = load_schema(name)
        cls = jsonschema.validators.validator_for(schema)
        _VALIDATORS[name] = cls(schema)
        VALIDATOR_BUILDS += 1
    return _VALIDATORS[name]


def issues(doc: Document, edition: str = "ce", context: Context | None = None) -> list[Issue]:
    """Every schema and constraint problem in ``doc`` (cached: the PL1 shape rules and
    PL106 share it). ``context`` is the cluster's edition and enablement (without it,
    the edition alone); the cache is kept per context, since an editor re-uses an
    unchanged document after another file (Helm values, peerlint.toml) changed it."""
    context = context or Context(edition=edition)
    cached = _CACHE.get(doc)
    if cached is None or (cached[0] is not context and cached[0] != context):
        name = schema_name(doc)
        cached = (context, _Checker(doc, load_schema(name), name, context).run() if name else [])
        _CACHE[doc] = cached
    return cached[1]


def _taken(key: Scalar, name: str) -> bool:
    """Whether the mapping holding ``key`` already has a key spelt like ``name`` (a
    rename would make a duplicate)."""
    parent = key.parent
    entries = getattr(parent, "entries", ())
    return any(fold_key(str(k.value)) == fold_key(name) for k, _v in entries if k is not key)


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null" if value is None else "string"


#: resolve() results by (root schema, schema node) ids, with both objects (kept alive,
#: so an id is never another object's)
_RESOLVED: dict[tuple[int, int], tuple[dict, dict, dict]] = {}


class _Checker:
    """One document against one schema: the key walk, then jsonschema."""

    def __init__(self, doc: Document, schema: dict, name: str, context: Context) -> None:
        self.doc, self.schema, self.name, self.context = doc, schema, name, context
        self.edition = context.edition
        self.spelling = schema.get("x-spelling", "exact")
        self.weak = schema.get("x-weak-types", False)
        # a config entry inside an agent file goes through the server's decoder (§1a)
        self.server_side = doc.category == CONFIG_ENTRY and "bootstrap" in doc.extra
        self.prefix = f"config_entries.bootstrap[{doc.extra['bootstrap']}]: " if self.server_side else ""
        self.base = doc.root.path
        self.values: dict[tuple, Node] = {}
        self.keys: dict[tuple, Scalar] = {}
        self.found: list[Issue] = []

    # -- pass 1: keys, spelling, weak typing ------------------------------------------
    def resolve(self, schema: Any) -> dict:
        """Follow local ``$ref``s and merge ``allOf`` members (for key knowledge); the
        same answer for the same schema node every time (schemas are loaded once and
        never changed), so it is worked out once per process."""
        if not schema or not isinstance(schema, dict):
            return self._resolve(schema)  # an empty default made by the caller: nothing to keep
        key = (id(self.schema), id(schema))
        hit = _RESOLVED.get(key)
        if hit is not None and hit[0] is schema and hit[1] is self.schema:
            return hit[2]
        resolved = self._resolve(schema)
        _RESOLVED[key] = (schema, self.schema, resolved)  # holding both: their ids stay theirs
        return resolved

    def _resolve(self, schema: Any) -> dict:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 20:
            ref = schema["$ref"]
            target: Any = self.schema
            for part in ref.lstrip("#/").split("/") if ref.startswith("#/") else []:
                target = target.get(part, {}) if isinstance(target, dict) else {}
            schema, seen = target, seen + 1
        if not isinstance(schema, dict):
            return {}
        if "allOf" in schema:
            merged = dict(schema)
            props = dict(schema.get("properties", {}))
            for part in schema["allOf"]:
                part = self.resolve(part)
                props.update(part.get("properties", {}))
                if part.get("additionalProperties") is False:
                    merged["additionalProperties"] = False
            merged["properties"] = props
            return merged
        return schema

    def match(self, key: str, schema: dict) -> str | None:
        """The canonical property ``key`` decodes into, or None (unused by the decoder)."""
        props = schema.get("properties", {})
        if key in props:
            return key
        if self.spelling in ("crd", "helm"):
            return None  # Kubernetes and Helm read keys exactly as written
        lower = key.lower()
        for name, _sub in props.items():  # mapstructure: EqualFold on the field name
            if name.lower() == lower:
                return name
        for name, sub in props.items():  # HookTranslateKeys: alias -> canonical
            if lower in (a.lower() for a in (sub.get("x-aliases", ()) if isinstance(sub, dict) else ())):
                return name
        return None

    def unknown(self, key: Scalar, schema: dict, note: str = "") -> None:
        written = format_path(key.path)
        known = list(schema.get("properties", {}))
        hint = did_you_mean(str(key.value), known)
        hint_text = f"; did you mean {hint!r}?" if hint else ""
        if self.spelling == "crd":
            message = f'unknown field "{written}"' + hint_text
        elif self.spelling == "helm":
            message = f'unknown value "{written}": the consul chart does not read it' + hint_text
        elif self.spelling == "agent":
            message = f"invalid config key {written}" + hint_text
        else:
            relative = format_path(key.path[len(self.base) :])
            message = self.prefix + f"invalid config key {json.dumps(relative)}" + note + hint_text
        fix = (
            f'rename "{key.value}" to "{hint}"'
            if hint
            else f'remove "{key.value}" (known here: {", ".join(known[:12])})'
        )
        self.found.append(Issue("unknown", key, message, fix, hint if hint and not _taken(key, hint) else None))

    def walk(self, node: Node, schema: Any, path: tuple, depth: int = 0) -> Any:
        """Plain data for ``node`` under canonical names, after the decoder's coercions."""
        schema = self.resolve(schema)
        self.values[path] = node
        types = schema.get("type")
        types = [types] if isinstance(types, str) else list(types or [])
        if (
            isinstance(node, Sequence)
            and types
            and "array" not in types
            and len(node.items) <= 1
            and self.spelling in ("consul", "agent", "acl")
        ):
            # HookWeakDecodeFromSlice: an HCL block (a one-element list) for a struct
            if not node.items:
                return {} if "object" in types else None
            node = node.items[0]
            self.values[path] = node
        if depth > MAX_DEPTH:
            return (
                {} if isinstance(node, Mapping) else [] if isinstance(node, Sequence) else getattr(node, "value", None)
            )
        if isinstance(node, Mapping):
            if "array" in types and "object" not in types and (self.weak or self.doc.syntax == "hcl"):
                # WeaklyTypedInput: one block where a list of blocks is expected. In HCL
                # every block decodes as a list of maps (hcl v1), which the agent's
                # decoder keeps as a list for a list field (lib.PatchSliceOfMaps' skip
                # list, now decode.HookWeakDecodeFromSlice): one `upstreams {}` block
                # is a one-element list. JSON's object stays an object (an error there).
                return [self.walk(node, schema.get("items", {}), path + (0,), depth + 1)]
            return self.walk_mapping(node, schema, path, depth)
        if isinstance(node, Sequence):
            items = schema.get("items", {})
            return [self.walk(item, items, path + (i,), depth + 1) for i, item in enumerate(node.items)]
        value = node.value if isinstance(node, Scalar) else None
        if "array" in types and self.weak and value is not None:
            return [self.coerce(value, self.resolve(schema.get("items", {})))]
        return self.coerce(value, schema)

    def walk_mapping(self, node: Mapping, schema: dict, path: tuple, depth: int) -> Any:
        types = schema.get("type")
        if types is not None and "object" not in ([types] if isinstance(types, str) else types):
            return {}  # the validator reports the type; its keys mean nothing
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        out: dict[str, Any] = {}
        for key, value in node.entries:
            name = self.match(str(key.value), schema)
            if name is None:
                if extra is False:
                    self.unknown(key, schema)
                    continue
                sub = extra if isinstance(extra, dict) else {}
                name = str(key.value)
            else:
                sub = props[name]
                # (format_path only for the few keys with an x-since: it ran for every key)
                newer = (
                    newer_setting(format_path(key.path), sub, self.context.consul_version)
                    if isinstance(sub, dict) and "x-since" in sub
                    else None
                )
                if newer is not None:
                    self.found.append(Issue("unknown", key, newer.message, newer.fix, severity=newer.severity))
                    if newer.refused:
                        continue
                if self.server_side and self.edition == "ce" and isinstance(sub, dict) and sub.get("x-enterprise-meta"):
                    note = (
                        ", namespaces are a consul enterprise feature"
                        if str(key.value).lower().endswith("namespace")
                        else ""
                    )
                    self.unknown(key, {"properties": {}}, note)
                    continue
            if isinstance(value, Scalar) and value.value is None:
                continue  # null decodes to the zero value: as if absent
            self.keys[path + (name,)] = key
            out[name] = self.walk(value, sub, path + (name,), depth + 1)
        return out

    def coerce(self, value: Any, schema: dict) -> Any:
        """mapstructure's WeaklyTypedInput, for decoders that use it (config entries)."""
        types = schema.get("type")
        if not self.weak or types is None or _type_of(value) in ([types] if isinstance(types, str) else types):
            return value
        types = [types] if isinstance(types, str) else types
        if "boolean" in types:
            if isinstance(value, str) and value in TRUE_WORDS | FALSE_WORDS:
                return value in TRUE_WORDS
            if isinstance(value, (int, float)):
                return bool(value)
        if "integer" in types or "number" in types:
            if isinstance(value, bool):
                return int(value)
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, str):
                try:
                    return int(value, 0) if value else 0
                except ValueError:
                    try:
                        return float(value) if "number" in types else value
                    except ValueError:
                        return value
        if "string" in types and isinstance(value, (bool, int, float)):
            return ("1" if value else "0") if isinstance(value, bool) else str(value)
        return value

    # -- pass 2: jsonschema -----------------------------------------------------------
    def run(self) -> list[Issue]:
        data = self.walk(self.doc.root, self.schema, ())
        if not (FAST_PATH and schemafast.is_valid(self.name, self.schema, data)):
            reported: set[tuple] = set()
            for error in validator(self.name).iter_errors(data):
                self.report(error, reported)
        if not any(issue.kind == "type" for issue in self.found):
            # a value of the wrong type fails Consul's (or the webhook's) decoder first:
            # Validate() never sees the document, so its checks say nothing
            self.constrain(data)
        return self.found

    def constrain(self, data: Any) -> None:
        """Consul's checks after decoding (:mod:`linter.constraints`), on the same data.
        A value or key that is a template placeholder (``${var}``, ``{{ .x }}``,
        ``$(cmd)``: envsubst, Flux, Helm, Terraform's templatefile) is only known once
        rendered, so a refusal that lands on one is not reported."""
        for found in violations(self.name, data, self.context):
            node = self.locate(found.path, found.kind, found.anchor)
            key = self.keys.get(found.path)
            if self.name != "agent-config" and (placeholder(node) or placeholder(key)):
                continue  # agent checks judge templates themselves (${node} is Consul's own in claim_assertions)
            self.found.append(Issue(found.kind, node, self.prefix + found.message, found.fix))

    def report(self, error: Any, reported: set[tuple]) -> None:
        path = tuple(error.absolute_path)
        keyword = error.validator
        if keyword in ("anyOf", "oneOf", "not"):
            best = min(error.context, key=lambda e: len(e.schema_path), default=None) if error.context else None
            if best is None:
                return
            error, keyword = best, best.validator
            path = tuple(error.absolute_path)
        if keyword == "required":
            missing = [p for p in error.validator_value if isinstance(error.instance, dict) and p not in error.instance]
            for prop in missing:
                if (path, prop) in reported:
                    continue
                reported.add((path, prop))
                sub = self.resolve(self.resolve(error.schema).get("properties", {}).get(prop, {}))
                self.emit("missing", path + (prop,), sub, error.instance, "required", anchor=path)
            return
        kind = {"type": "type", "minItems": "missing", "minLength": "missing", "minProperties": "missing"}.get(
            keyword, "value"
        )
        if (path, keyword) in reported:
            return
        reported.add((path, keyword))
        self.emit(
            kind,
            path,
            error.schema if isinstance(error.schema, dict) else {},
            error.instance,
            keyword,
            allowed=error.validator_value,
        )

    def emit(
        self,
        kind: str,
        path: tuple,
        schema: dict,
        value: Any,
        keyword: str,
        anchor: tuple | None = None,
        allowed: Any = None,
    ) -> None:
        shown = format_path(tuple(path)) if self.spelling == "consul" else format_path(self.base + tuple(path))
        parent = (
            format_path(tuple(path[:-1])) if self.spelling == "consul" else format_path(self.base + tuple(path[:-1]))
        )
        fields = {
            "path": shown,
            "parent": parent,
            "value": value if not isinstance(value, (dict, list)) else _type_of(value),
            "quoted": json.dumps(value) if not isinstance(value, (dict, list)) else _type_of(value),
            "allowed": ", ".join(json.dumps(a) for a in allowed) if isinstance(allowed, list) else json.dumps(allowed),
            "expected": allowed if isinstance(allowed, str) else "/".join(allowed) if isinstance(allowed, list) else "",
            "got": _type_of(value),
        }
        template = (schema.get("x-messages") or {}).get(keyword) or self.default_message(kind, keyword)
        try:
            message = template.format(**fields)
        except (KeyError, IndexError, ValueError):
            message = template
        node = self.locate(path, kind, anchor)
        fix = self.default_fix(kind, keyword, fields, schema)
        close = one_close(value, allowed) if keyword == "enum" and isinstance(node, Scalar) else None
        if close is not None and node.value == value:
            fix = f"use {json.dumps(close)}"
        else:
            close = None
        self.found.append(Issue(kind, node, self.prefix + message, fix, close))

    def default_message(self, kind: str, keyword: str) -> str:
        crd = self.spelling == "crd"
        if kind == "type":
            return (
                '{path}: Invalid value: "{got}": {path} in body must be of type {expected}'
                if crd
                else "'{path}' expected type '{expected}', got unconvertible type '{got}'"
            )
        if kind == "missing":
            return (
                "{path}: Required value"
                if crd
                else "{path} is required"
                if keyword == "required"
                else "{path} must not be empty"
            )
        if keyword == "enum":
            return (
                "{path}: Unsupported value: {quoted}: supported values: {allowed}"
                if crd
                else "invalid value {quoted} for {path}: must be one of {allowed}"
            )
        return "{path}: Invalid value: {quoted}" if crd else "invalid value {quoted} for {path}"

    def default_fix(self, kind: str, keyword: str, fields: dict, schema: dict) -> str:
        if "x-fix" in schema:
            return str(schema["x-fix"])
        if kind == "type":
            return f"write {fields['path']} as a {fields['expected']}"
        if kind == "missing":
            return f"set {fields['path']}"
        if keyword == "enum":
            return f"use one of {fields['allowed']}"
        return f"correct {fields['path']}"

    def locate(self, path: tuple, kind: str, anchor: tuple | None) -> Node:
        """The node to report: the value for type/value problems; for a missing field
        the key of the mapping that lacks it, or the list element, or the kind."""
        if anchor is None:
            if kind == "missing" and path in self.keys and not isinstance(self.values.get(path), Scalar):
                return self.keys[path]  # an empty list or map: its key
            for cut in range(len(path), -1, -1):
                if path[:cut] in self.values:
                    return self.values[path[:cut]]
            return self.doc.root
        if not anchor:
            return self.doc.kind_node() or self.doc.root
        if isinstance(anchor[-1], int):
            return self.values.get(anchor, self.doc.root)
        return self.keys.get(anchor) or self.values.get(anchor, self.doc.root)
