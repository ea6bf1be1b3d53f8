"""The daemon's wire format: one JSON object each way, after its length (8 bytes, big
endian), over a Unix socket. Plain data only: nothing received is ever executed or
unpickled."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

#: Larger messages are refused (a report of every finding of a large project fits).
MAX_BYTES = 1 << 30


class ProtocolError(Exception):
    """The other side closed the connection or sent something that is not a message."""


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode("utf-8")
    sock.sendall(len(body).to_bytes(8, "big") + body)


def _exactly(sock: socket.socket, count: int, deadline: float | None = None) -> bytes:
    chunks = []
    while count:
        if deadline is not None:  # the whole message by then, not each read (a byte a second never ends)
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProtocolError("too slow")
            sock.settimeout(left)
        chunk = sock.recv(min(count, 1 << 20))
        if not chunk:
            raise ProtocolError("connection closed")
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket, deadline: float | None = None) -> dict[str, Any]:
    """One message; ``deadline`` (time.monotonic()): all of it by then, or ProtocolError."""
    size = int.from_bytes(_exactly(sock, 8, deadline), "big")
    if size > MAX_BYTES:
        raise ProtocolError(f"message of {size} bytes")
    try:
        message = json.loads(_exactly(sock, size, deadline).decode("utf-8"))
    except ValueError as err:
        raise ProtocolError(f"not a message: {err}") from err
    if not isinstance(message, dict):
        raise ProtocolError("not a message")
    return message
