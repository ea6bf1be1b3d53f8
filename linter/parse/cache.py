"""Reading and parsing many files: once each."""
from __future__ import annotations

from typing import Iterator

from linter.config import Config
from linter.discover import SourceText, read_source
from linter.parse import Parsed, parse_text


def parse_one(path: str, max_size: int) -> tuple[str, SourceText, Parsed | None]:
    source = read_source(path, max_size)
    if source.text is None:
        return path, source, None
    return path, source, parse_text(path, source.text)


def parse_all(files: list[str], config: Config) -> Iterator[tuple[str, SourceText, Parsed]]:
    for path in files:
        path, source, parsed = parse_one(path, config.max_file_size)
        yield path, source, parsed  # type: ignore[misc]
