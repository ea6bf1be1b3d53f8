"""Secrets in files: peering tokens and ACL SecretIDs, found cheaply and never echoed.

A peering token is standard base64 of JSON (agent/structs/peering.go ``PeeringToken``):
``CA``, ``ServerAddresses``/``ManualServerAddresses``, ``ServerName``, ``PeerID``,
``EstablishmentSecret``, ``Remote``. A Kubernetes Secret's ``data`` holds base64 of that
base64, so candidates are decoded up to twice. Scanning is linear: one regex pass finds
base64 runs, and a run is only decoded in full when its first 12 characters decode to
``{`` (JSON) or to base64 of ``{`` (double encoding).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Iterator

#: Long enough for the smallest real token (PeerID + one address is ~110 characters).
MIN_TOKEN_LENGTH = 80
#: A base64 run, then the lines that continue it when it is wrapped (``base64`` wraps at
#: 76 columns, PEM-style tools at 64): each continuation line is base64 and nothing else.
_B64_RUN = re.compile(r"[A-Za-z0-9+/]{60,}={0,2}")
#: base64 characters to "a", every other byte to " ": a text has a run _B64_RUN can
#: match exactly when its translation holds 60 "a"s in a row
_B64_TABLE = bytes(
    97 if chr(i) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" else 32 for i in range(256)
)
_B64_NEEDLE = b"a" * 60
_CONTINUATION = re.compile(r"[ \t]*\r?\n[ \t]*([A-Za-z0-9+/]+={0,2})[ \t]*(?=\r?\n|$)")
#: How many trailing lines of a wrapped run may be something else (a heredoc's ``EOF``,
#: a word) and still leave a token before them; bounded so the scan stays linear.
_WORD_LINES_TRIED = 3
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
#: Well-known IDs that are not secrets (the anonymous token's SecretID is "anonymous").
NOT_SECRET = {"00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000002"}
_TOKEN_FIELDS = {"ca", "serveraddresses", "manualserveraddresses", "servername", "establishmentsecret", "remote"}
_UUID_IN_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _b64(data: str) -> bytes | None:
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _looks_like_json_start(data: str) -> int:
    """How many decodings (1 or 2) lead to text opening with ``{``; 0 if none. Only a
    12-character prefix is decoded, so non-candidates cost almost nothing."""
    head = _b64(data[:12])
    if head is None:
        return 0
    if head.lstrip()[:1] == b"{":
        return 1
    try:
        inner = head.decode("ascii")
    except UnicodeDecodeError:
        return 0
    inner = inner[: len(inner) - len(inner) % 4]
    second = _b64(inner) if len(inner) >= 4 else None
    return 2 if second is not None and second.lstrip()[:1] == b"{" else 0


def decode_peering_token(data: str) -> dict | None:
    """The token's JSON when ``data`` is a peering token (base64 once or twice)."""
    data = data.strip()
    if len(data) < MIN_TOKEN_LENGTH:
        return None
    depth = _looks_like_json_start(data)
    if not depth:
        return None
    raw: bytes | None = _b64(data)
    if raw is not None and depth == 2:
        try:
            raw = _b64("".join(raw.decode("ascii").split()))
        except UnicodeDecodeError:
            return None
    if raw is None:
        return None
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    keys = {str(k).lower() for k in value}
    # PeerID is required by validatePeeringToken; one more token field makes it certain.
    if "peerid" in keys and keys & _TOKEN_FIELDS:
        return value
    return None


def find_peering_tokens(text: str) -> Iterator[tuple[int, int, dict]]:
    """(start, end, decoded token) for every peering token in ``text``, on one line or
    wrapped over several. Only runs whose first characters decode to JSON are looked at
    further, so the scan stays linear."""
    if _B64_NEEDLE not in text.encode("utf-8", "surrogatepass").translate(_B64_TABLE):
        return  # no run long enough anywhere (nearly every file): 9x cheaper than the search
    pos = 0
    while True:
        match = _B64_RUN.search(text, pos)
        if match is None:
            return
        pos = match.end()
        if not _looks_like_json_start(match.group(0)):
            continue
        pieces, ends = [match.group(0)], [match.end()]
        if match.end() - match.start() < 100 or not match.group(0).endswith("="):
            while True:
                more = _CONTINUATION.match(text, ends[-1])
                if more is None or pieces[-1].endswith("="):
                    break
                pieces.append(more.group(1))
                ends.append(more.end(1))
        # longest first; a word line may follow (a heredoc's EOF): only the last few
        # lengths are tried, and a run that holds no token is skipped as a whole, so each
        # character is decoded a bounded number of times (the scan was quadratic on
        # wrapped base64 that is not a token: minutes for 300 KB)
        pos = max(pos, ends[-1])
        for count in range(len(pieces), max(0, len(pieces) - _WORD_LINES_TRIED), -1):
            token = decode_peering_token("".join(pieces[:count]))
            if token is not None:
                yield match.start(), ends[count - 1], token
                pos = ends[count - 1]
                break


def is_secret_id(value: object) -> bool:
    return isinstance(value, str) and bool(UUID.match(value.strip())) and value.strip().lower() not in NOT_SECRET


def mask(value: str) -> str:
    """What output may show of a secret: its first 4 characters."""
    return value[:4] + "****"


def mask_line(line: str) -> str:
    """A source line with every secret masked: peering tokens, and every UUID (a
    SecretID cannot be told from another UUID by its looks, and the key that would say
    so may be on another line: ``tokens { agent = "..." }``)."""
    for start, end, _token in reversed(list(find_peering_tokens(line))):
        line = line[:start] + mask(line[start:end]) + line[end:]
    # the first line of a wrapped token cannot be decoded alone: mask what starts like one
    line = _B64_RUN.sub(lambda m: mask(m.group(0)) if _looks_like_json_start(m.group(0)) else m.group(0), line)
    return _UUID_IN_TEXT.sub(lambda m: mask(m.group(0)), line)
