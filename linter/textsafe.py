"""Text that reaches a log, a terminal or a file: secrets masked, control characters
escaped (issue #21).

Why one module: a rule quotes values (a duplicated ``token`` line, a peering token
pasted into a ``Peer`` name), and every report format, the baseline, the results cache
and the editor repeat what the rule said. Masking each finding once, where the engine
finalises it, protects all of them by construction instead of rule by rule; escaping
in one place keeps a key or file name from writing workflow commands (``::add-mask``),
forged gcc records or terminal escapes (OSC 52) into a CI log.
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


def _mask_run(match: "re.Match[str]") -> str:
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


def _mask_uuid(match: "re.Match[str]") -> str:
    value = match.group(0)
    return value if value.lower() in NOT_SECRET else mask(value)


def _mask_context(match: "re.Match[str]") -> str:
    value = match.group(4)
    if value.endswith("****"):
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
    """The finding with its message, fix and related notes masked (the same object when
    nothing needed masking, which is nearly always)."""
    message, fix = mask_secrets(finding.message), mask_secrets(finding.fix)
    related = finding.related
    if related:
        masked = [dataclasses.replace(r, message=m) if (m := mask_secrets(r.message)) != r.message else r for r in related]
        if any(a is not b for a, b in zip(masked, related)):
            related = masked
    if message == finding.message and fix == finding.fix and related is finding.related:
        return finding
    return dataclasses.replace(finding, message=message, fix=fix, related=related)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_NL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_char(match: "re.Match[str]") -> str:
    ch = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def escape_control(text: str, keep_newlines: bool = False) -> str:
    """``text`` with control characters (newline, CR, ESC, BEL, C1, bidi overrides)
    shown as ``\\n``, ``\\x1b``...: one finding stays one line of a log and cannot
    drive the terminal. Surrogates of a non-UTF-8 file name become U+FFFD."""
    if not isinstance(text, str):
        text = str(text)
    pattern = _CONTROL if keep_newlines else _CONTROL_NL
    if pattern.search(text):
        text = pattern.sub(_escape_char, text)
    return to_utf8(text)


def to_utf8(text: str) -> str:
    """``text`` encodable as UTF-8: a file name that is not UTF-8 (os.fsdecode's
    surrogate escapes) is shown with replacement characters, never a crash."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if _only_escapes(text) else text.encode("utf-8", "replace").decode("utf-8")


def _only_escapes(text: str) -> bool:
    try:
        text.encode("utf-8", "surrogateescape")
        return True
    except UnicodeEncodeError:
        return False


#: Columns of a source line shown around a finding: one 9 MB line with 40 findings
#: printed 720 MB when each finding repeated the whole line.
EXCERPT_WIDTH = 160
_EXCERPT_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clip_excerpt(source: str, start: int, end: int, width: int = EXCERPT_WIDTH) -> tuple[str, int, int]:
    """``source`` cut to a window of ``width`` columns around [start, end) (``…`` marks
    a cut), with control characters shown as U+FFFD one for one so the carets stay
    under the span; returns the window and the span's columns in it."""
    if len(source) > width:
        left = max(0, min(start - width // 4, len(source) - width))
        right = min(len(source), left + width)
        source = ("…" if left else "") + source[left:right] + ("…" if right < len(source) else "")
        shift = left - (1 if left else 0)
        start, end = start - shift, min(end - shift, len(source))
    if _EXCERPT_CONTROL.search(source):
        source = _EXCERPT_CONTROL.sub("\ufffd", source)
    return to_utf8(source), start, end
