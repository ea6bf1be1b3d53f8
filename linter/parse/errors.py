"""What every parser raises, in a module of its own: the parsers import it, and
:mod:`linter.parse` imports the parsers, so it cannot live in the package's
``__init__`` without an import cycle."""

from __future__ import annotations

from linter.nodes import Span

#: Deeper documents are a parse error: no Consul configuration nests like this, and
#: every later stage may then recurse safely.
MAX_DEPTH = 200


class ParseError(Exception):
    """Bad input, with where it is. ``line``/``col`` are 1-based."""

    def __init__(self, message: str, line: int = 1, col: int = 1, limit: bool = False) -> None:
        super().__init__(message)
        self.message = message
        #: True when a safety limit (depth, alias expansion) stopped the read
        self.limit = limit
        self.line = max(1, line)
        self.col = max(1, col)

    @property
    def span(self) -> Span:
        return Span.point(self.line, self.col)
