"""Chunks of work shared between this process and forked workers, without
multiprocessing.

The processes come from :func:`linter.forks.fork`; what is fenced off here is the
sharing (speed tricks measured in benchmarks/README.md: keep them). Why not
``concurrent.futures.ProcessPoolExecutor``: importing it and multiprocessing
and starting a pool cost ~35 ms, a noticeable part of a 1,000-file run, and its
result thread unpickles the workers' results in this process while this process
parses too (one GIL). Here the workers are plain forks (they inherit the warmed-up
parsers and settings), results come back as bytes through pipes with a large buffer,
and this process reads them only between its own chunks.

The split: this process takes chunks from the front of the list, the workers from the
back, each chunk exactly once, until they meet; so the order of the list decides who
does what (see ``linter.load.parallel.OFFLOAD_RANK``) and the split adapts to the machine. Claims go
through two counters in shared memory guarded by a one-byte token in a pipe (a
process that reads the byte holds the lock). A worker that fails or dies loses only
the chunk it was on: every chunk whose result never arrived is run here at the end,
so the outcome is always complete and in the same order as a serial run.
"""

from __future__ import annotations

import mmap
import os
import select
import struct
from typing import Any, Callable

from linter.forks import Child, available, fork, send

_COUNTERS = struct.Struct("<II")  # chunks taken from the front, from the back
_HEADER = struct.Struct("<II")  # chunk number, result length
PIPE_SIZE = 1 << 20  # a worker rarely waits for this process to read


class _Claims:
    """Who takes which chunk: front for this process, back for the workers."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.memory = mmap.mmap(-1, _COUNTERS.size)  # shared with forked children
        self.lock_r, self.lock_w = os.pipe()
        os.write(self.lock_w, b"L")
        self.pids: list[int] = []

    def _acquire(self) -> bool:
        """Take the token; False if it is lost (every worker gone while holding it)."""
        while True:
            ready, _w, _x = select.select([self.lock_r], [], [], 0.5)
            if ready:
                os.read(self.lock_r, 1)
                return True
            if self.pids and all(_exited(pid) for pid in self.pids):
                return False  # pragma: no cover - a worker killed inside three lines

    def take(self, front: bool) -> int | None:
        if not self._acquire():
            return None
        try:
            taken_front, taken_back = _COUNTERS.unpack_from(self.memory)
            if taken_front + taken_back >= self.count:
                return None
            if front:
                _COUNTERS.pack_into(self.memory, 0, taken_front + 1, taken_back)
                return taken_front
            _COUNTERS.pack_into(self.memory, 0, taken_front, taken_back + 1)
            return self.count - 1 - taken_back
        finally:
            os.write(self.lock_w, b"L")

    def close(self) -> None:
        for fd in (self.lock_r, self.lock_w):
            os.close(fd)
        self.memory.close()


def _exited(pid: int) -> bool:
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == pid


def _work(
    claims: _Claims, chunks: list, remote: Callable[[Any], bytes], fd: int, initializer: Callable[[], None] | None
) -> None:
    """A forked worker's whole job (linter.forks runs it and exits the process)."""
    if initializer is not None:
        initializer()
    while (number := claims.take(front=False)) is not None:
        data = remote(chunks[number])
        send(fd, _HEADER.pack(number, len(data)) + data)


class _Inbox:
    """Results arriving from one worker's pipe, cut into whole messages."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.open = True

    def read(self, deliver: Callable[[int, bytes], None]) -> None:
        data = os.read(self.fd, PIPE_SIZE)
        if not data:
            self.open = False
            os.close(self.fd)
            return
        self.buffer += data
        while len(self.buffer) >= _HEADER.size:
            number, size = _HEADER.unpack_from(self.buffer)
            if len(self.buffer) < _HEADER.size + size:
                break
            payload = bytes(self.buffer[_HEADER.size : _HEADER.size + size])
            del self.buffer[: _HEADER.size + size]
            deliver(number, payload)


def _drain(inboxes: list[_Inbox], deliver: Callable[[int, bytes], None], wait: bool) -> None:
    """Read what the workers have sent (``wait``: until every one has finished)."""
    while True:
        live = [box for box in inboxes if box.open]
        if not live:
            return
        ready, _w, _x = select.select([box.fd for box in live], [], [], None if wait else 0)
        if not ready:
            return
        for box in live:
            if box.fd in ready:
                box.read(deliver)


def run(
    chunks: list,
    local: Callable[[Any], None],
    remote: Callable[[Any], bytes],
    deliver: Callable[[Any, bytes], None],
    workers: int,
    initializer: Callable[[], None] | None = None,
) -> None:
    """Every chunk once: ``local(chunk)`` here, or ``remote(chunk)`` in a worker with
    its bytes handed to ``deliver(chunk, data)`` here (``initializer()`` runs first in
    each worker). Falls back to doing everything here when forking is not possible."""
    if workers < 1 or not available(linux_only=False) or not chunks:
        for chunk in chunks:
            local(chunk)
        return
    claims = _Claims(len(chunks))
    inboxes: list[_Inbox] = []
    done = [False] * len(chunks)

    def arrived(number: int, data: bytes) -> None:
        if 0 <= number < len(chunks) and not done[number]:
            done[number] = True
            deliver(chunks[number], data)

    children: list[Child] = []
    for _ in range(workers):
        child = fork(
            lambda fd: _work(claims, chunks, remote, fd, initializer),
            pipe_size=PIPE_SIZE,
            close_in_child=[box.fd for box in inboxes],
        )
        if child is None:
            break
        children.append(child)
        claims.pids.append(child.pid)
        inboxes.append(_Inbox(child.fd))
    finished = False
    try:
        while (number := claims.take(front=True)) is not None:
            local(chunks[number])
            done[number] = True
            _drain(inboxes, arrived, wait=False)
        _drain(inboxes, arrived, wait=True)
        finished = True
    finally:
        for box in inboxes:
            if box.open:
                os.close(box.fd)
        if not finished:  # interrupted here: the workers' results are not wanted
            for child in children:
                child.kill()
        for child in children:
            child.wait()
        claims.close()
    for number, delivered in enumerate(done):
        if not delivered:  # a worker took it and did not deliver (it failed or died)
            local(chunks[number])
