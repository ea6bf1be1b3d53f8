"""Secrets masked in everything peerlint prints or stores (issue #21).

Why here, once: a rule quotes values (a duplicated ``token`` line, a peering token
pasted into a ``Peer`` name), and every report format, the baseline, the results cache
and the editor repeat what the rule said. Masking each finding once, where the engine
finalises it, protects all of them by construction instead of rule by rule; the graph
pictures mask their labels with the same function (through :mod:`linter.api.acl`).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from linter.acl.secrets import _B64_RUN, _UUID_IN_TEXT, NOT_SECRET, _looks_like_json_start, find_peering_tokens, mask

#: A key of the token/secret family (the last part of a key or path: ``token``,
#: ``acl.tokens.agent``, ``SecretID``, ``encrypt``), then ``=``, ``:`` or PL004's "is
#: set twice; Consul uses the last value,", then a value that looks like a credential
#: (8+ characters without blanks): the value is masked. Prose ("the ACL token of
#: 'web'") is left alone: the key must be followed by the assignment itself.
_SECRET_CONTEXT = re.compile(
    r"(?i)((?:token|secret|password|passwd|credential|private[_-]?key|encrypt|api[_-]?key)[\w.-]{0,32}[\"']?)"
    r"(\s{0,8}[=:]\s{0,8}|\s+is set twice; Consul uses the last value,\s{0,8})([\"']?)([^\"'\s,;)}\]]{8,})\3"
)


def _mask_run(match: re.Match[str]) -> str:
    """A base64 run masked when it starts like a token, or from where base64 of a JSON
    object starts (once: ``eyJ``, twice: ``ZXlK``) when it is glued to a path
    (``peer:dc1/default/eyJ...``). One find per run: linear in the text."""
    run = match.group(0)
    if _looks_like_json_start(run):
        return mask(run)
    at = min((i for i in (run.find("eyJ"), run.find("ZXlK")) if i >= 0), default=-1)
    if at > 0 and len(run) - at >= 60:
        return run[:at] + mask(run[at:])
    return run


def _mask_uuid(match: re.Match[str]) -> str:
    value = match.group(0)
    return value if value.lower() in NOT_SECRET else mask(value)


#: The family word, then what names a *reference* to a secret rather than the secret:
#: ``secret.name``, ``secretName``, ``token_file``, ``secretKeyRef``. Their values are
#: names and paths users need to read (PL204 compares secret names).
_FAMILY = re.compile(r"(?i)token|secret|password|passwd|credential|private[_-]?key|encrypt|api[_-]?key")
_REFERENCE = re.compile(r"(?i)(?:name|namespace|key|keyref|ref|file|path|type|kind|mount|role|backend)[\"']?$")


def _mask_context(match: re.Match[str]) -> str:
    value = match.group(4)
    if value.endswith("****"):
        return match.group(0)
    family = _FAMILY.match(match.group(1))
    if family is not None and _REFERENCE.search(match.group(1)[family.end() :]):
        return match.group(0)
    return match.group(1) + match.group(2) + match.group(3) + mask(value) + match.group(3)


def mask_secrets(text: str) -> str:
    """``text`` with every peering token, every UUID (a SecretID cannot be told from
    another UUID by its looks) and every quoted credential-like value after a key of
    the token/secret family shown as its first 4 characters and ``****``."""
    if not text:
        return text
    if len(text) >= 60:
        for start, end, _token in reversed(list(find_peering_tokens(text))):
            text = text[:start] + mask(text[start:end]) + text[end:]
        # the start of a token (a message quotes at most a prefix of it)
        text = _B64_RUN.sub(_mask_run, text)
    if "-" in text:
        text = _UUID_IN_TEXT.sub(_mask_uuid, text)
    return _SECRET_CONTEXT.sub(_mask_context, text)


def mask_finding(finding: Any) -> Any:
    """The finding with its message, fix advice and related notes masked (the same
    object when nothing needed masking, which is nearly always). A fix's edits are left
    as they are: they are text for the file, never printed, and no rule rewrites a
    secret."""
    message, fix = mask_secrets(finding.message), finding.fix
    if fix is not None and (advice := mask_secrets(fix.message)) != fix.message:
        fix = dataclasses.replace(fix, message=advice)
    related = finding.related
    if related:
        masked = [
            dataclasses.replace(r, message=m) if (m := mask_secrets(r.message)) != r.message else r for r in related
        ]
        if any(a is not b for a, b in zip(masked, related)):
            related = masked
    if message == finding.message and fix is finding.fix and related is finding.related:
        return finding
    return dataclasses.replace(finding, message=message, fix=fix, related=related)
