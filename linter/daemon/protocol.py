"""The daemon's wire format: one JSON object each way, after its length (8 bytes, big
endian), over a Unix socket. Plain data only: nothing received is ever executed or
unpickled."""

from __future__ import annotations

import json
import socket
from typing import Any

#: Larger messages are refused (a report of every finding of a large project fits).
MAX_BYTES = 1 << 30


class ProtocolError(Exception):
    """The other side closed the connection or sent something that is not a message."""


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode("utf-8")
    sock.sendall(len(body).to_bytes(8, "big") + body)


def _exactly(sock: socket.socket, count: int) -> bytes:
    chunks = []
    while count:
        chunk = sock.recv(min(count, 1 << 20))
        if not chunk:
            raise ProtocolError("connection closed")
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket) -> dict[str, Any]:
    size = int.from_bytes(_exactly(sock, 8), "big")
    if size > MAX_BYTES:
        raise ProtocolError(f"message of {size} bytes")
    try:
        message = json.loads(_exactly(sock, size).decode("utf-8"))
    except ValueError as err:
        raise ProtocolError(f"not a message: {err}") from err
    if not isinstance(message, dict):
        raise ProtocolError("not a message")
    return message
