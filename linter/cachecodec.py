"""Findings as plain data for the results cache, and the trust check of the cache's
signing key (issue #21).

Why: the results cache was a pickle behind an HMAC. Unpickling runs code, so the only
barrier was the key file, and a key committed into a checked tree (``XDG_CACHE_HOME``
inside the workspace, a common CI cache set-up) let a forged results file run code.
Now the cache holds only ``marshal`` of strings, numbers, tuples and lists (marshal
makes no objects but those), and a key file that another user owns or may write is
not trusted at all.
"""

from __future__ import annotations

import marshal
import os
import stat
from typing import Any

from linter.findings import Edit, Finding, Fix, Location
from linter.nodes import Span

_VERSION = 4  # 2: a fix is (advice, safe, edits), not a string; 3: the run's notes; 4: edits that create a file


def _span(value: Any) -> Span:
    line, col, end_line, end_col = (int(v) for v in value)
    return Span(line, col, end_line, end_col)


def _encode_fix(fix: Fix | None) -> tuple | None:
    if fix is None:
        return None
    return (fix.message, bool(fix.safe), [(e.path, tuple(e.span), e.new_text, bool(e.create)) for e in fix.edits])


def _decode_fix(value: Any) -> Fix | None:
    if value is None:
        return None
    message, safe, edits = value
    return Fix(str(message), tuple(Edit(str(p), _span(s), str(t), bool(c)) for p, s, t, c in edits), bool(safe))


def encode_results(digest: bytes, findings: list[Finding], internal: bool, notes: list[str] = ()) -> bytes:
    """``marshal`` bytes of plain values only (no classes, no code)."""
    rows = [
        (
            f.code,
            f.severity,
            f.message,
            f.path,
            tuple(f.span),
            f.resource,
            f.node_path,
            [(r.path, tuple(r.span), r.message, r.node_path) for r in f.related],
            _encode_fix(f.fix),
            bool(f.suppressible),
        )
        for f in findings
    ]
    return marshal.dumps((_VERSION, bytes(digest), rows, bool(internal), [str(n) for n in notes]))


def decode_results(body: bytes) -> tuple[bytes, list[Finding], bool, list[str]] | None:
    """The digest, findings, internal flag and the run's notes, or None for anything unexpected."""
    try:
        version, digest, rows, internal, notes = marshal.loads(body)
        if version != _VERSION or not isinstance(digest, bytes):
            return None
        findings = [
            Finding(
                code=str(code),
                severity=str(severity),
                message=str(message),
                path=str(path),
                span=_span(span),
                resource=str(resource),
                node_path=str(node_path),
                related=[Location(str(p), _span(s), str(m), str(n)) for p, s, m, n in related],
                fix=_decode_fix(fix),
                suppressible=bool(suppressible),
            )
            for code, severity, message, path, span, resource, node_path, related, fix, suppressible in rows
        ]
    except (ValueError, TypeError, EOFError):
        return None
    return digest, findings, bool(internal), [str(n) for n in notes]


def read_trusted_key(path: str) -> bytes | None:
    """The key file's bytes when it is a regular file (not a link) owned by this user
    and writable by no one else; None otherwise (then the caches are not used)."""
    try:
        fd = os.open(
            path,
            os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0),
        )
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o022:
            return None
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        return os.read(fd, 4096)
    finally:
        os.close(fd)
