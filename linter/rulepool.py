"""Rules on a second core: a forked copy of the loaded project runs the rules that do
not read the topology graph while this process builds the graph and runs the rest.

Why: after parsing, a big run is the graph plus the rules, all pure Python in one
process (at 10,000 files: graph ~1.5 s, rules ~3 s, most of them schema checks that
never touch the graph). A fork shares the project for free (copy-on-write); only the
findings come back, pickled. Each rule's findings are kept by code and assembled in
the serial order, so the result is the same as a serial run; if the child fails in
any way, its rules simply run here afterwards.
"""
from __future__ import annotations

import gc
import os
import pickle
import sys
from typing import Any, Callable, Optional

#: Fewer files than this: the whole post-parse work is shorter than a fork is worth.
THRESHOLD = 1000

RunOne = Callable[[Any, str], tuple[list, bool]]


class Offload:
    """Rules running in a forked child; :meth:`results` waits for them."""

    def __init__(self, codes: list[str], pid: int, fd: int) -> None:
        self.codes = codes
        self.pid = pid
        self.fd = fd

    def results(self) -> Optional[dict[str, tuple[list, bool]]]:
        chunks = []
        try:
            while True:
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(self.fd)
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:  # pragma: no cover
                pass
        try:
            got = pickle.loads(b"".join(chunks)) if chunks else None
        except Exception:
            return None
        return got if isinstance(got, dict) else None


def start(project: Any, codes: list[str], run_one: RunOne) -> Optional[Offload]:
    """Fork a child that runs ``run_one(project, code)`` for each of ``codes``; None
    when forking is not possible here (then everything runs in this process)."""
    if not codes or not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return None
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(read_fd)
            gc.freeze()  # the inherited project is not garbage: do not scan (or copy) it
            out = {code: run_one(project, code) for code in codes}
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
    return Offload(codes, pid, read_fd)
