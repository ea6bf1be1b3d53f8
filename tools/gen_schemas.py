"""Regenerate the generated schemas in schemas/ from the public sources in the shared
corpus: the consul-k8s CRD OpenAPI (tools/crd_extra.json for the kinds the corpus does not
carry), plus tools/crd_overlays.json, the webhook rules the OpenAPI lacks. The consul chart's values keys, per chart version, are
tools/gen_helm_keys.py's.

    python tools/gen_schemas.py [--check]     # --check: exit 1 if schemas/ is stale

Why generate: the CRDs and values.yaml are the authority on which keys exist; copying
them by hand would drift. The hand-written schemas (entry-*, agent-*, acl-*) are not
touched here.
"""

from __future__ import annotations

import copy
import glob
import json
import os
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus", "consul-k8s")
OUT = os.path.join(REPO, "schemas")
SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"

#: values.yaml keys (tools/gen_helm_keys.py) whose content is a Kubernetes object or a free-form map the chart
#: passes through (toYaml / tpl), whatever their default looks like.
HELM_FREE_FORM = {
    "annotations",
    "labels",
    "extraLabels",
    "nodeSelector",
    "tolerations",
    "affinity",
    "resources",
    "securityContext",
    "containerSecurityContext",
    "extraConfig",
    "extraEnvironmentVars",
    "extraVolumes",
    "extraContainers",
    "topologySpreadConstraints",
    "podSecurityContext",
    "initContainers",
    "serviceAnnotations",
    "additionalSpec",
    "priorityClassName",
    "probes",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "ports",
    "hostNetwork",
    "env",
    "extraEnv",
    "podAnnotations",
    "podLabels",
    "serviceLabels",
    "dnsPolicy",
    "strategy",
    "updateStrategy",
    "persistentVolumeClaimRetentionPolicy",
    "customProperties",
    "headers",
}


def _yaml_load_all(path: str) -> list[Any]:
    from ruamel.yaml import YAML

    with open(path, encoding="utf-8") as handle:
        return list(YAML(typ="safe", pure=True).load_all(handle))


def _crd_node(schema: Any) -> Any:
    """OpenAPI v3 (structural) -> JSON Schema: drop prose; an object with properties
    and no preserve-unknown-fields rejects unknown fields (strict field validation)."""
    if isinstance(schema, list):
        return [_crd_node(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("description", "format"):
            continue
        if key == "x-kubernetes-int-or-string":
            out["type"] = ["integer", "string"]
            continue
        if key in ("properties",):
            out[key] = {k: _crd_node(v) for k, v in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = _crd_node(value)
        elif key.startswith("x-kubernetes"):
            out[key] = value
        else:
            out[key] = value
    if "properties" in out and not out.get("x-kubernetes-preserve-unknown-fields"):
        out.setdefault("additionalProperties", False)
    if out.get("nullable"):
        types = out.get("type")
        out["type"] = ([types] if isinstance(types, str) else list(types or [])) + ["null"]
        del out["nullable"]
    return out


def _at(schema: dict, path: str) -> dict:
    node = schema
    for part in [p for p in path.replace("[]", ".[]").split(".") if p]:
        if part == "[]":
            node = node.setdefault("items", {})
        elif part == "*":
            node = node["additionalProperties"]
        else:
            node = node["properties"][part]
    return node


def crd_schemas() -> dict[str, dict]:
    with open(os.path.join(HERE, "crd_overlays.json"), encoding="utf-8") as handle:
        overlays = json.load(handle)
    sources = []  # (kind, group, version name, OpenAPI schema)
    for path in sorted(glob.glob(os.path.join(CORPUS, "crds", "*.yaml"))):
        for crd in _yaml_load_all(path):
            version = crd["spec"]["versions"][0]
            sources.append(
                (
                    crd["spec"]["names"]["kind"],
                    crd["spec"]["group"],
                    version["name"],
                    version["schema"]["openAPIV3Schema"],
                )
            )
    with open(os.path.join(HERE, "crd_extra.json"), encoding="utf-8") as handle:
        extra = json.load(handle)  # kinds the corpus does not carry (the corpus CRD wins when it does)
    seen = {kind for kind, *_ in sources}
    for kind, crd in sorted(extra.items()):
        if not kind.startswith("_") and kind not in seen:
            sources.append((kind, crd["group"], crd["version"], crd["openAPIV3Schema"]))
    out = {}
    for kind, group, version_name, openapi in sources:
        schema = _crd_node(copy.deepcopy(openapi))
        schema["properties"]["metadata"] = {"type": "object"}
        schema["properties"]["status"] = {"type": "object"}
        rules = overlays.get(kind, [])
        if isinstance(rules, str):
            rules = overlays[rules]
        for rule in rules:
            node = _at(schema, rule["path"])
            node.update(copy.deepcopy(rule.get("merge", {})))
            for key in rule.get("drop", ()):  # a CRD keyword the webhook's own check replaces
                node.pop(key, None)
        doc = {
            "$schema": SCHEMA_URI,
            "$id": f"https://peerlint.dev/schemas/crd-{kind.lower()}.json",
            "title": f"consul-k8s {kind} ({group}/{version_name}), generated by tools/gen_schemas.py",
            "x-spelling": "crd",
        }
        doc.update(schema)
        doc["$defs"] = overlays["$defs"]
        out[f"crd-{kind.lower()}"] = doc
    return out


def render() -> dict[str, str]:
    schemas = crd_schemas()  # consul chart values: tools/gen_helm_keys.py (every chart version)
    return {name: json.dumps(s, indent=1, sort_keys=True) + "\n" for name, s in schemas.items()}


def main(argv: list[str]) -> int:
    stale = []
    for name, text in render().items():
        target = os.path.join(OUT, name + ".json")
        current = open(target, encoding="utf-8").read() if os.path.exists(target) else None
        if current != text:
            stale.append(name)
            if "--check" not in argv:
                with open(target, "w", encoding="utf-8") as handle:
                    handle.write(text)
    if stale and "--check" in argv:
        print("stale: " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
