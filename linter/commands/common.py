"""What every command shares: exit codes, and loading the rules with a clear error."""

from __future__ import annotations

import os
import sys

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def load_rules_or_exit() -> dict:
    """Every rule by code; a broken plugin is one line on stderr and exit 2."""
    from linter.registry import RegistryError, load_rules

    try:
        return load_rules()
    except RegistryError as err:
        print(f"peerlint: {err}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def within(path: str, folder: str) -> bool:
    """Whether the absolute ``path`` is ``folder`` or below it, as written (no links
    followed: which project an editor document or a checked path belongs to)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


#: The daemon's memory (linter.daemon.warm.Warm) while it serves requests; in a
#: one-shot process, nothing.
_WARM: list = [None]


def warm_state():
    """What the daemon remembers between runs (None outside it)."""
    return _WARM[0]


def set_warm_state(state) -> None:
    _WARM[0] = state
