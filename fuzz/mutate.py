"""Input generation for property tests and the fuzz campaign: seeds from the public
corpus, and mutations that imitate what repositories really contain (half-written
edits, truncated files, pasted junk, wrong indentation, stray bytes)."""

from __future__ import annotations

import os
import random
import re

SUFFIXES = (".hcl", ".json", ".yaml", ".yml")
WORDS = [
    "*",
    "",
    "default",
    "dc2",
    "none",
    "local",
    "remote",
    "true",
    "false",
    "0",
    "-1",
    "99999",
    "a*",
    "UPPER",
    "peer",
    "x" * 70,
    "mesh-gateway",
    "allow",
    "deny",
    "write",
    "read",
]
_WORD = re.compile(r"[A-Za-z0-9_.*-]+")
JUNK = [
    '"',
    "'",
    "{",
    "}",
    "[",
    "]",
    ":",
    "=",
    ",",
    "\n",
    "\t",
    "  ",
    "#",
    "//",
    "/*",
    "*/",
    "<<EOF\n",
    "&a ",
    "*a",
    "!!python/object ",
    "---\n",
    "\\",
    "\x00",
    "\ufeff",
    "\u00e9",
    "${",
    "-",
    "0x",
    "1e999",
    "null",
    "true",
]


def load_seeds(corpus: str, limit: int | None = None) -> list[tuple[str, str]]:
    """(file name, text) of corpus files, sorted for reproducibility."""
    seeds = []
    for root, _dirs, files in os.walk(corpus):
        for name in sorted(files):
            if name.endswith(SUFFIXES):
                path = os.path.join(root, name)
                try:
                    with open(path, encoding="utf-8") as handle:
                        seeds.append((name, handle.read()))
                except (OSError, UnicodeDecodeError):
                    continue
    seeds.sort()
    return seeds[:limit] if limit else seeds


def mutate(text: str, rng: random.Random, rounds: int = 3) -> str:
    """``text`` with a few random edits: syntax-breaking ones (junk, truncation,
    re-indentation) and syntax-keeping ones (a word swapped for another), so that
    both the parsers and the rules behind them are exercised."""
    for _ in range(rng.randint(1, rounds)):
        op = rng.randrange(10)
        if op >= 7:  # swap a word for another: keeps the syntax, stresses the rules
            words = list(_WORD.finditer(text))
            if words:
                hit = rng.choice(words)
                other = rng.choice(words).group() if rng.random() < 0.5 else rng.choice(WORDS)
                text = text[: hit.start()] + other + text[hit.end() :]
            continue
        n = len(text)
        at = rng.randint(0, n)
        if op == 0:  # delete a range
            text = text[:at] + text[at + rng.randint(1, 40) :]
        elif op == 1:  # insert junk
            text = text[:at] + rng.choice(JUNK) + text[at:]
        elif op == 2:  # truncate
            text = text[:at]
        elif op == 3:  # duplicate a line
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif op == 4:  # swap two lines
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == 5:  # re-indent a line
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.randint(0, 7) + lines[i].lstrip()
            text = "\n".join(lines)
        else:  # flip a character
            if n:
                at = min(at, n - 1)
                text = text[:at] + chr(rng.randint(0, 0x2FF)) + text[at + 1 :]
    return text
