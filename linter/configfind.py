"""Where a project's configuration is: the nearest ``peerlint.toml``,
``.peerlint.toml`` or ``pyproject.toml`` with a ``[tool.peerlint]`` table at or above
a path. Apart from linter.config (which reads and checks it) so that finding it costs
nothing to import: ``peerlint check`` asks first whether the project's daemon runs
(linter.daemon.client), before anything else is loaded.
"""

from __future__ import annotations

import os

CONFIG_NAMES = ("peerlint.toml", ".peerlint.toml", "pyproject.toml")


def find_config(start: str) -> str | None:
    """The nearest config file at or above ``start``."""
    here = os.path.abspath(start)
    if os.path.isfile(here):
        here = os.path.dirname(here)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate):
                if name != "pyproject.toml" or _has_tool_section(candidate):
                    return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _has_tool_section(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            return "[tool.peerlint" in handle.read()
    except OSError:
        return False
