"""A rule's documentation as users read it: its ``doc`` with the tested example files
rendered in (``peerlint explain``, docs/rules.md and SARIF help all show this text).

In the API tier because reporters (SARIF help) and the docs generator both need it, and
reporters import only :mod:`linter.api`."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.api.rule import Rule

_FENCE = {".hcl": "hcl", ".tf": "hcl", ".json": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}

#: The rendered sections: heading, ``example`` key, and what the files do.
_SECTIONS = (("## Example", "bad", "make {code} fire"), ("## Use instead", "good", "do not fire {code}"))


def _files(files: dict[str, str]) -> str:
    """Each file as its name, then a fenced block in the file's syntax. The fence is
    longer than any backtick run in the text, so a file can never close it early."""
    blocks = []
    for name, text in files.items():
        lang = _FENCE.get(os.path.splitext(name)[1], "")
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
        blocks.append(f"`{name}`:\n{fence}{lang}\n{text.rstrip()}\n{fence}")
    return "\n\n".join(blocks)


def doc_with_examples(rule: type[Rule]) -> str:
    """The rule's doc with "## Example" and "## Use instead" rendered from its
    ``example`` files, before "## References" (or at the end).

    Why rendered, not written: the test suite lints exactly these files (the bad ones
    must fire the rule, the good ones must not), so what a reader copies is known to
    behave; a hand-written copy drifted from them. ``peerlint explain``, docs/rules.md
    and SARIF help all show this text."""
    doc = rule.doc.strip()
    sections = []
    for heading, key, verb in _SECTIONS:
        files = rule.example.get(key)
        if files:
            sections.append(
                f"{heading}\nThese files {verb.format(code=rule.code)} (the test suite lints them):\n\n{_files(files)}"
            )
    if not sections:
        return doc
    rendered = "\n\n".join(sections)
    at = doc.find("\n## References")
    if at < 0:
        return f"{doc}\n\n{rendered}"
    return f"{doc[:at].rstrip()}\n\n{rendered}\n{doc[at:]}"
