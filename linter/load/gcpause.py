"""The cyclic garbage collector, held off while a project is loaded."""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Loading allocates millions of long-lived nodes and frees almost nothing: the
    cyclic collector would walk the growing heap again and again, so it waits until
    the project is built; then everything moves to the oldest generation unscanned
    (freeze, unfreeze). Nothing leaks: the oldest generation is still collected."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if paused:
            gc.enable()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection while a lint runs (it allocates much and frees little),
    and, unlike :func:`gc_paused`, no freeze/unfreeze after it: in a long-lived
    process that froze a project once (the language server, the daemon), that would
    put it all back into the collector's oldest generation, and the next full
    collection would walk it (~0.6 s at 10,000 files)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def freeze_project(collect_first: bool) -> None:
    """After a long-lived process read a project: freeze what is there, so later
    collections never walk it again (an edit's garbage is still collected as usual).
    ``collect_first``: what was frozen before is collected first (an earlier project
    it replaced is garbage now; ~2-3 s at 10,000 files, so only when there is some)."""
    if collect_first:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
