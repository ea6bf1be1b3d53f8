"""Projects from text held in memory rather than files on disk: what an editor's
unsaved buffer or a fuzzer's generated input is linted as, through the same
parse -> classify -> clusters -> rules path as ``peerlint check``."""

from __future__ import annotations

from linter.config import Config
from linter.load.source import SourceText
from linter.parse import parse_text
from linter.project import Project


def project_from_texts(texts: dict[str, str], config: Config) -> Project:
    """A finished project holding ``texts`` (display path -> content)."""
    return Project.from_files(
        config, ((SourceText(path, texts[path]), parse_text(path, texts[path])) for path in sorted(texts))
    )
