"""Text that reaches a log, a terminal or a file: control characters escaped, non-UTF-8
names made printable, source excerpts clipped (issue #21).

Why one module: escaping in one place keeps a key or file name from writing workflow
commands (``::add-mask``), forged gcc records or terminal escapes (OSC 52) into a CI
log, whatever format prints it. Secrets are masked before any of this, where the engine
finalises findings (:mod:`linter.acl.masking`).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_NL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or (
        f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
    )


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
        return (
            text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            if _only_escapes(text)
            else text.encode("utf-8", "replace").decode("utf-8")
        )


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
