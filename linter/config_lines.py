"""Lines of the peerlint config file, for findings and graph items that live there.

TOML keeps no positions, so a ``[[peerings]]`` entry or ``consul-version`` is located
by the line :attr:`linter.config.Config.line_of` (or the entry's ``line``) names; a
whole-line span is what a user needs. Here, next to the config, because both the
topology builder and peering pairing locate config items, and neither should import
the other for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linter.nodes import Span

if TYPE_CHECKING:
    from linter.config import Config


def config_display_path(config: Config) -> str:
    """The config file as findings name it (relative like every other path), or
    ``peerlint.toml`` when the run has no config file."""
    from linter.discover import display_path

    return display_path(config.path) if config.path else "peerlint.toml"


def config_lines(config: Config) -> list[str] | None:
    """The config file's lines, read once for all the spans a graph build needs; None
    when it cannot be read."""
    try:
        with open(config.path, encoding="utf-8") as handle:  # type: ignore[arg-type]
            return handle.read().splitlines()
    except (OSError, UnicodeDecodeError, TypeError):
        return None


def config_line_span(lines: list[str] | None, line: int) -> Span:
    """A whole-line span in the config file (TOML keeps no positions; the line is what
    a user needs); ``lines`` from :func:`config_lines`."""
    length = 1
    if lines is not None:
        # the config's line finder may land on a blank line above the key: skip down
        while 1 <= line < len(lines) and not lines[line - 1].strip():
            line += 1
        if 1 <= line <= len(lines):
            length = max(len(lines[line - 1].rstrip()), 1)
    return Span(line, 1, line, length + 1)
