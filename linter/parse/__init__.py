"""Text to position-keeping node trees, one module per syntax.

Only syntax lives here: reading files, caches and parallel parsing are
:mod:`linter.load`'s. ``parse_text`` is the single entry point: it picks the syntax from the file name
(and, for ``.hcl``/``.json`` ambiguity, from the first character, as Consul's CLI
does), and returns either documents or a :class:`ParseError` with a location. It
never raises for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from linter.nodes import Node
from linter.parse.errors import MAX_DEPTH, ParseError

__all__ = [
    "MAX_DEPTH",
    "ParseError",
    "Parsed",
    "SUFFIXES",
    "TERRAFORM_SUFFIXES",
    "parse_hcl",
    "parse_text",
    "syntax_for",
]

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)
HCL_SUFFIXES = (".hcl",)
#: Terraform's HCL2: read only for the consul provider's resources (linter.model.terraform)
TERRAFORM_SUFFIXES = (".tf",)
SUFFIXES = YAML_SUFFIXES + JSON_SUFFIXES + HCL_SUFFIXES + TERRAFORM_SUFFIXES


@dataclass
class Parsed:
    """What one file turned into: documents (YAML may hold several) or an error."""

    syntax: str
    documents: list[Node] = field(default_factory=list)
    error: ParseError | None = None


def syntax_for(path: str, text: str) -> str:
    lower = path.lower()
    if lower.endswith(TERRAFORM_SUFFIXES):
        return "terraform"
    if lower.endswith(YAML_SUFFIXES):
        return "yaml"
    if lower.endswith(JSON_SUFFIXES) or text.lstrip()[:1] == "{":
        # Consul's CLI (and pyhcl) read a document that opens with "{" as JSON
        return "json"
    return "hcl"


def parse_hcl(text: str) -> Node:
    """One HCL document (raises :class:`ParseError`): for HCL held in a string, such
    as an ACL policy's ``Rules``. The HCL reader itself is private (``linter.parse._hcl``)
    so that its fast lexer and generated tables stay an implementation detail."""
    from linter.parse._hcl.hclparse import parse_hcl as _parse_hcl

    return _parse_hcl(text)


def parse_text(path: str, text: str) -> Parsed:
    """Parse ``text`` (the content of ``path``) into documents, never raising."""
    syntax = syntax_for(path, text)
    try:
        if syntax == "yaml":
            from linter.parse.yamlparse import parse_yaml

            return Parsed(syntax, parse_yaml(text))
        if syntax == "json":
            from linter.parse.jsonparse import parse_json

            return Parsed(syntax, [parse_json(text)])
        if syntax == "terraform":
            from linter.parse.terraform import parse_terraform  # tree-sitter: loaded only for .tf files

            return Parsed(syntax, [parse_terraform(text)])
        return Parsed(syntax, [parse_hcl(text)])
    except ParseError as err:
        return Parsed(syntax, [], err)
    except RecursionError:
        return Parsed(syntax, [], ParseError(f"{syntax.upper()} nesting is too deep to read"))
