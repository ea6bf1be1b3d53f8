"""Rules on a second core: a forked copy of the loaded project runs rules that do not
read the topology graph while this process builds the graph and runs the rest.

Why: after parsing, a big run is the graph plus the rules, all pure Python in one
process. A fork shares the project for free (copy-on-write); only the findings come
back, pickled. The rules that do not read the graph are shared out one by one as each
process becomes free (a fixed split left one process waiting on the other: at 10,000
files, once the schema check got cheap, the child's half took twice the parent's).
Each rule's findings are kept by code and assembled in the serial order, so the result
is the same as a serial run; if the child fails in any way, whatever it had taken
simply runs here afterwards. The process comes from :func:`linter.forks.fork`; the
claiming (one byte a unit in a shared pipe) is this module's measured speed trick.
"""

from __future__ import annotations

import gc
import os
import pickle
from typing import Any, Callable, Mapping

from linter.forks import Child, available, fork, send

#: Fewer files than this: the whole post-parse work is shorter than a fork is worth.
THRESHOLD = 300

RunOne = Callable[[Any, str], tuple[list, bool]]


def _claims(codes: list[str], groups: Mapping[str, str]) -> list[list[str]]:
    """The units of work, in serial order: one rule each, except that rules with the
    same work group (``groups``: code -> group name; they share a per-process cache,
    see ``work_group`` on the rule classes) form one unit, where the first of them is."""
    units: list[list[str]] = []
    joint: dict[str, list[str]] = {}
    for code in codes:
        group = groups.get(code)
        if group is None:
            units.append([code])
        elif group in joint:
            joint[group].append(code)
        else:
            joint[group] = [code]
            units.append(joint[group])
    return units


class Offload:
    """Rules shared with a forked child. Each unit of work is one byte in a pipe that
    both processes read from (a one-byte read of a pipe is atomic, so each unit is
    taken exactly once): the child starts at once, this process joins in with
    :meth:`claim` when its own work (the graph and the rules that read it) is done,
    so both finish together whatever each part costs on this repository.
    :meth:`results` waits for the child's findings."""

    def __init__(self, codes: list[str], units: list[list[str]], child: Child, claims_fd: int) -> None:
        self.codes = codes
        self.units = units
        self.child = child
        self.claims_fd = claims_fd

    def claim(self) -> list[str] | None:
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

    def results(self) -> dict[str, tuple[list, bool]] | None:
        """The child's findings by code (only for the units it took and finished)."""
        try:
            data = self.child.collect()
        finally:
            if self.claims_fd >= 0:
                os.close(self.claims_fd)
                self.claims_fd = -1
        try:
            got = pickle.loads(data) if data else None
        except Exception:
            return None
        return got if isinstance(got, dict) else None


def _take(fd: int) -> int | None:
    try:
        data = os.read(fd, 1)
    except OSError:
        return None
    return data[0] if data else None


def start(project: Any, codes: list[str], run_one: RunOne, groups: Mapping[str, str] = {}) -> Offload | None:
    """Fork a child that runs ``run_one(project, code)`` for the units of ``codes`` it
    claims; None when forking is not possible here (then everything runs in this
    process). ``groups``: code -> work group; a group's codes run in one process."""
    if not codes or not available():
        return None
    units = _claims(codes, groups)
    if len(units) > 255:  # one byte a unit (there are a few dozen rules)
        return None
    try:
        claims_r, claims_w = os.pipe()
    except OSError:
        return None
    os.write(claims_w, bytes(range(len(units))))  # far below a pipe's buffer
    os.close(claims_w)

    def child_runs(fd: int) -> None:
        gc.freeze()  # the inherited project is not garbage: do not scan (or copy) it
        out = {}
        while (byte := _take(claims_r)) is not None:
            for code in units[byte]:
                out[code] = run_one(project, code)
        send(fd, pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))

    child = fork(child_runs)
    if child is None:
        os.close(claims_r)
        return None
    return Offload(codes, units, child, claims_r)
