"""Helper tier: building a fix's text edits in the syntax of the file they touch.

A facade over :mod:`linter.textedits`. A rule that builds edits reads the file's text
(declare ``"texts"`` in ``reads``): ``project.texts[doc.path]``, and its syntax:
``doc.syntax`` (hcl, json, yaml). ``new_file(path, text)`` creates a file the project
does not hold (the fixer never writes it over an existing one)."""

from __future__ import annotations

from linter.textedits import (
    delete_lines,
    editable,
    indent_of,
    insert_lines,
    line_of,
    new_file,
    quoted_like,
    replace_scalar,
    scalar_edits,
    source_of,
)

__all__ = [
    "delete_lines",
    "editable",
    "scalar_edits",
    "indent_of",
    "insert_lines",
    "line_of",
    "new_file",
    "quoted_like",
    "replace_scalar",
    "source_of",
]
