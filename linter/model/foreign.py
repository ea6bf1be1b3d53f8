"""Files that are not Consul's although their suffix is one Consul reads.

A platform repository holds Terraform, Packer, Nomad, Terragrunt and Vault HCL, Helm
chart templates, editor JSON with comments. Reporting them (PL001 "cannot parse", or
an agent-config finding on a Nomad agent's ``datacenter``) is a false alarm the user
cannot suppress. Discovery skips what the name gives away (:mod:`linter.discover`);
this module decides from the content, once a file is read: a parse error that another
language's syntax explains, or top-level keys that only another HashiCorp tool reads.
"""

from __future__ import annotations

import json
import re
from typing import Callable

__all__ = ["foreign_keys", "helm_template", "own_output", "unparsed_reason"]

#: HCL2 syntax HCL1 (pyhcl, Consul's hcl v1) cannot read: expressions outside strings
#: (references, function calls, conditionals), ``for`` expressions, ``<<-`` heredocs,
#: ``dynamic`` blocks, ``null``.
_HCL2 = re.compile(
    r"""(?mx)
    =\s*(var|local|module|data|each|count|path|terraform|self|source|build|dependency|include|NOMAD_\w+)\.[A-Za-z_]
    | =\s*[a-z_][a-z0-9_]*\s*\(                      # a function call as a value
    | [\[{]\s*for\s+\w+(\s*,\s*\w+)?\s+in\s          # a for expression
    | <<-[A-Z_]+                                      # an indented heredoc
    | ^\s*dynamic\s+"[^"]+"\s*\{
    | =\s*null\s*$
    | =\s*[\w.\[\]"]+\s*(==|!=|>=|<=)\s*[^=\n]+\?     # a conditional
    """
)
_GO_TEMPLATE = re.compile(r"\{\{-?\s*[.$\w(/\"-]")
#: Helm's template actions: a YAML file with them is a chart template wherever it lives,
#: even when it happens to parse (``name: {{ .Release.Name }}`` is a flow mapping).
_HELM_TEMPLATE = re.compile(r"\{\{-?\s*(\.Values|\.Release|\.Chart|\.Capabilities|include\s|template\s|toYaml\s|tpl\s)")
#: Terraform's template directives (``templatefile()``): ``%{ if var ~}`` ... ``%{ endif }``.
_TF_TEMPLATE = re.compile(r"%\{~?\s*(if|for|else|endif|endfor)\b")
_JSON_COMMENT = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.S)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def unparsed_reason(syntax: str, text: str, classify: Callable[[object], bool]) -> str | None:
    """Why a file that did not parse is not Consul's (so not a PL001), or None when
    it may be Consul's and its parse error is real. ``classify(tree)``: whether a
    parsed tree holds a Consul document."""
    if syntax == "hcl" and _HCL2.search(text):
        return "HCL2 (Terraform, Packer, Nomad or Terragrunt syntax), not Consul's HCL"
    if "%{" in text and _TF_TEMPLATE.search(text):
        return "a Terraform template (rendered by templatefile()), not a file Consul reads as is"
    if syntax == "yaml" and _GO_TEMPLATE.search(text):
        return "a Go template (Helm or consul-template), not YAML"
    if syntax == "json" and ("//" in text or "/*" in text):
        stripped = _TRAILING_COMMA.sub(r"\1", _JSON_COMMENT.sub(lambda m: m.group(1) or "", text))
        try:
            tree = json.loads(stripped)
        except ValueError:
            return None
        if not _json_is_consul(tree, classify):
            return "JSON with comments (not Consul configuration)"
    return None


def _json_is_consul(tree: object, classify: Callable[[object], bool]) -> bool:
    from linter.parse import parse_text

    parsed = parse_text("x.json", json.dumps(tree))
    return parsed.error is None and any(classify(root) for root in parsed.documents)


#: Top-level keys only other HashiCorp tools read. One of the decisive ones, or two of
#: the others, and an HCL or JSON file is not Consul's (Nomad's agent configuration
#: also sets ``datacenter``, ``data_dir``, ``ports`` and ``acl``; Vault's ``ui`` and
#: ``telemetry``).
_DECISIVE = {
    "job",  # Nomad job
    "storage",
    "hastorage",
    "listener",
    "seal",  # Vault server
    "resource",
    "provider",
    "module",
    "terraform",
    "variable",
    "locals",
    "output",  # Terraform
    "packer",
    "build",  # Packer
    "inputs",
    "remotestate",
    "dependency",
    "dependencies",  # Terragrunt
    "controller",
    "worker",
    "kms",  # Boundary
    "vault",  # Nomad agent / consul-template / Vault agent
    "nomad",
    "templateconfig",
    "autoauth",  # Vault agent
    "task",
    "driver",
    "bufferperiod",
    "workingdir",
    "terraformprovider",  # Consul-Terraform-Sync
    "project",
    "app",
    "runner",  # Waypoint
}
_WEAK = {"client", "region", "advertise", "consul", "plugin", "apiaddr", "clusteraddr", "disablemlock", "template"}


def foreign_keys(folded_keys: set[str]) -> bool:
    """Whether these (folded) top-level keys make a document another tool's."""
    return bool(folded_keys & _DECISIVE) or len(folded_keys & _WEAK) >= 2


def own_output(documents: list) -> bool:
    """Whether a parsed JSON file is a report or baseline peerlint wrote (json, sarif,
    baseline: ``tool`` names peerlint; gitlab: a list of PLnnn code-quality issues)."""
    from linter.nodes import Mapping, Sequence

    if len(documents) != 1:
        return False
    root = documents[0]
    if isinstance(root, Mapping):
        tool = root.get("tool")
        name = tool.value("name") if isinstance(tool, Mapping) else getattr(tool, "value", None)
        if name == "peerlint":
            return True
        runs = root.get("runs")
        if isinstance(runs, Sequence) and runs.items and isinstance(runs.items[0], Mapping):
            driver = runs.items[0].get("tool")
            driver = driver.get("driver") if isinstance(driver, Mapping) else None
            return isinstance(driver, Mapping) and driver.value("name") == "peerlint"
        return False
    if isinstance(root, Sequence) and root.items:
        return all(
            isinstance(item, Mapping)
            and isinstance(item.value("check_name"), str)
            and re.fullmatch(r"PL\d{3}", item.value("check_name"))
            and "fingerprint" in item
            for item in root.items
        )
    return False


def helm_template(syntax: str, text: str) -> bool:
    """Whether a YAML file that parsed is a Helm chart template all the same."""
    return syntax == "yaml" and "{{" in text and _HELM_TEMPLATE.search(text) is not None
