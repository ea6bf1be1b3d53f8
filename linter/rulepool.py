"""Rules on a second core: a forked copy of the loaded project runs rules that do not
read the topology graph while this process builds the graph and runs the rest.

Why: after parsing, a big run is the graph plus the rules, all pure Python in one
process. A fork shares the project for free (copy-on-write); only the findings come
back, pickled. The rules that do not read the graph are shared out one by one as each
process becomes free (a fixed split left one process waiting on the other: at 10,000
files, once the schema check got cheap, the child's half took twice the parent's).
Each rule's findings are kept by code and assembled in the serial order, so the result
is the same as a serial run; if the child fails in any way, whatever it had taken
simply runs here afterwards.
"""
from __future__ import annotations

import gc
import os
import pickle
import sys
from typing import Any, Callable, Iterable, Optional

#: Fewer files than this: the whole post-parse work is shorter than a fork is worth.
THRESHOLD = 300

RunOne = Callable[[Any, str], tuple[list, bool]]


def _claims(codes: list[str], together: Iterable[str]) -> list[list[str]]:
    """The units of work, in serial order: one rule each, except that the rules in
    ``together`` (they share a per-process cache) form one unit."""
    together = set(together)
    units: list[list[str]] = []
    joint: list[str] = []
    for code in codes:
        if code in together:
            if not joint:
                units.append(joint)
            joint.append(code)
        else:
            units.append([code])
    return units


class Offload:
    """Rules shared with a forked child. Each unit of work is one byte in a pipe that
    both processes read from (a one-byte read of a pipe is atomic, so each unit is
    taken exactly once): the child starts at once, this process joins in with
    :meth:`claim` when its own work (the graph and the rules that read it) is done,
    so both finish together whatever each part costs on this repository.
    :meth:`results` waits for the child's findings."""

    def __init__(self, codes: list[str], units: list[list[str]], pid: int, fd: int, claims_fd: int) -> None:
        self.codes = codes
        self.units = units
        self.pid = pid
        self.fd = fd
        self.claims_fd = claims_fd

    def claim(self) -> Optional[list[str]]:
        """The next unit nobody has taken, or None when all are taken (never blocks:
        every byte was written, and the write end closed, before the fork)."""
        if self.claims_fd < 0:
            return None
        byte = _take(self.claims_fd)
        if byte is None:
            os.close(self.claims_fd)
            self.claims_fd = -1
            return None
        return self.units[byte]

    def results(self) -> Optional[dict[str, tuple[list, bool]]]:
        """The child's findings by code (only for the units it took and finished)."""
        chunks = []
        try:
            while True:
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(self.fd)
            if self.claims_fd >= 0:
                os.close(self.claims_fd)
                self.claims_fd = -1
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:  # pragma: no cover
                pass
        try:
            got = pickle.loads(b"".join(chunks)) if chunks else None
        except Exception:
            return None
        return got if isinstance(got, dict) else None


def _take(fd: int) -> Optional[int]:
    try:
        data = os.read(fd, 1)
    except OSError:
        return None
    return data[0] if data else None


def start(project: Any, codes: list[str], run_one: RunOne, together: Iterable[str] = ()) -> Optional[Offload]:
    """Fork a child that runs ``run_one(project, code)`` for the units of ``codes`` it
    claims; None when forking is not possible here (then everything runs in this
    process). ``together``: codes that must run in one process."""
    if not codes or not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return None
    units = _claims(codes, together)
    if len(units) > 255:  # one byte a unit (there are a few dozen rules)
        return None
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return None
    try:
        claims_r, claims_w = os.pipe()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    os.write(claims_w, bytes(range(len(units))))  # far below a pipe's buffer
    os.close(claims_w)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        for fd in (read_fd, write_fd, claims_r):
            os.close(fd)
        return None
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(read_fd)
            gc.freeze()  # the inherited project is not garbage: do not scan (or copy) it
            out = {}
            while (byte := _take(claims_r)) is not None:
                for code in units[byte]:
                    out[code] = run_one(project, code)
            data = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                written = os.write(write_fd, view)
                view = view[written:]
            status = 0
        except BaseException:
            pass
        finally:
            os._exit(status)
    os.close(write_fd)
    return Offload(codes, units, pid, read_fd, claims_r)
