"""pyhcl's tokens for the common case, in one regular-expression scan.

Why: pyhcl's lexer (PLY) makes one Python call per token and three per string
(opening quote, contents, closing quote, each switching lexer state), and its parser
pulls tokens through one more call each: lexing was ~40% of an HCL file's parse at
10,000 files. Most Consul files use a small part of HCL: names, numbers, booleans,
plain strings, braces, brackets, comments. For such a text this module produces
exactly the tokens pyhcl's lexer would (type, value, line number, position), with
pyhcl's own master regular expression, in which only the rule that opens a string is
widened to take a whole plain string (no backslash, no ``$``) in the same match.

It gives up (returns None, and the caller lexes with pyhcl) on anything else: a
heredoc, an escape or interpolation in a string, an unterminated string, a character
pyhcl's lexer would reject, an integer Python will not convert. It is used only for
the pyhcl release it was written against (its lexer source is checked), so another
pyhcl simply takes the slow path. tests/test_hcllexer.py checks the tokens against
pyhcl's lexer on every HCL file in the repository and the corpus, and on random text.
"""

from __future__ import annotations

import re
import zlib
from typing import Any, NamedTuple

#: pyhcl releases whose lexer this module reproduces: (size, CRC-32) of hcl/lexer.py.
KNOWN_LEXERS = {(10411, 0xA07BAC9A)}  # pyhcl 0.4.5
#: The characters pyhcl's lexer skips between tokens (its ``t_ignore``).
IGNORE = " \t\r\f\v"
_STRING_RULE = '(?P<t_string>\\")'
_WHOLE_STRING = '(?P<t_string>"[^"\\\\$]*")'  # no new group: the group numbers stay

# What each of pyhcl's INITIAL-state rules does with its match, by rule name.
_TOKEN, _BOOL, _FLOAT, _HEX, _INT, _STRING, _SKIP, _LINES, _NEWLINE, _GIVE_UP = range(10)
_FUNCTION_RULES = {
    "t_BOOL": _BOOL,
    "t_FLOAT": _FLOAT,
    "t_hexnumber": _HEX,
    "t_intnumber": _INT,
    "t_IDENTIFIER": _TOKEN,
    "t_string": _STRING,
    "t_COMMENT": _SKIP,
    "t_MULTICOMMENT": _LINES,
    "t_newline": _NEWLINE,
    "t_heredoc": _GIVE_UP,
    "t_tabbedheredoc": _GIVE_UP,
    # rules whose function only returns the token as matched (t_IDENTIFIER: as a str)
    "t_EMINUS": _TOKEN,
    "t_EPLUS": _TOKEN,
    "t_PERIOD": _TOKEN,
    "t_COMMA": _TOKEN,
    "t_QMARK": _TOKEN,
    "t_COLON": _TOKEN,
    "t_ASTERISK_PERIOD": _TOKEN,
    "t_GT": _TOKEN,
    "t_LT": _TOKEN,
    "t_EQ": _TOKEN,
    "t_NE": _TOKEN,
    "t_LE": _TOKEN,
    "t_GE": _TOKEN,
}
_RENAMED = {_HEX: "NUMBER", _INT: "NUMBER", _STRING: "STRING"}


class FastTok(NamedTuple):
    """A token as pyhcl's parser reads it (``type``, ``value``, ``lineno``,
    ``lexpos``) and with the span the position walk reads (``start``, ``end``: for a
    string, its quotes included). The first four fields are hclparse's ``_Tok``."""

    type: str
    value: Any
    start: int
    end: int
    lexpos: int
    lineno: int


_TABLE: Any = None  # (scanner, what each group index does, its token type) or False


def _lexer_is_known() -> bool:
    try:
        import hcl.lexer

        with open(hcl.lexer.__file__, "rb") as handle:
            source = handle.read()
        return (len(source), zlib.crc32(source)) in KNOWN_LEXERS
    except (ImportError, OSError, AttributeError, TypeError):
        return False


def _build_table(template: Any) -> Any:
    """The scanner and per-group actions, from a pristine pyhcl lexer's INITIAL state;
    False when that state is not laid out as expected."""
    if not _lexer_is_known():
        return False
    try:
        masters = template.lexstatere["INITIAL"]
        if len(masters) != 1 or template.lexstateignore.get("INITIAL") != IGNORE:
            return False
        master, index = masters[0]
        if master.pattern.count(_STRING_RULE) != 1:
            return False
        # the skipped characters are taken by the match too (one match a token, not one
        # failed try of every rule per space), outside any group
        scanner = re.compile(
            "[ \t\r\f\v]*(?:" + master.pattern.replace(_STRING_RULE, _WHOLE_STRING) + ")", master.flags
        )
        if scanner.groups != master.groups or scanner.groupindex != master.groupindex:
            return False
        actions: list = [None] * len(index)
        for i, entry in enumerate(index):
            if entry is None:
                continue
            func, kind = entry
            if func is None:
                actions[i] = (_TOKEN, kind)
                continue
            what = _FUNCTION_RULES.get(getattr(func, "__name__", ""))
            if what is None:
                return False  # a rule this module does not know
            actions[i] = (what, _RENAMED.get(what, kind))
        return scanner, actions
    except Exception:  # another PLY layout
        return False


def table(template: Any) -> Any:
    """The fast lexer's tables for pyhcl's lexer ``template`` (built once), or False."""
    global _TABLE
    if _TABLE is None:
        _TABLE = _build_table(template)
    return _TABLE


_new = tuple.__new__


def tokens(text: str, template: Any) -> list[FastTok] | None:
    """Every token pyhcl's lexer makes of ``text``, or None when this lexer cannot
    be sure of them (the caller then lexes with pyhcl)."""
    built = table(template)
    if not built:
        return None
    scanner, actions = built
    out: list[FastTok] = []
    append = out.append
    pos = 0
    lineno = 1
    try:
        for match in scanner.finditer(text):
            if match.start() != pos:
                return None  # pyhcl would stop here (or a string did not close)
            group = match.lastindex
            start = match.start(group)
            pos = match.end()
            what, kind = actions[group]
            if what == _TOKEN:
                append(_new(FastTok, (kind, text[start:pos], start, pos, start, lineno)))
            elif what == _STRING:
                value = text[start + 1 : pos - 1]
                append(_new(FastTok, (kind, value, start, pos, pos - 1, lineno)))
                lineno += value.count("\n")
            elif what == _NEWLINE:
                lineno += pos - start
            elif what == _SKIP:
                pass
            elif what == _INT:
                append(_new(FastTok, (kind, int(text[start:pos]), start, pos, start, lineno)))
            elif what == _BOOL:
                append(_new(FastTok, (kind, text[start:pos] == "true", start, pos, start, lineno)))
            elif what == _FLOAT:
                append(_new(FastTok, (kind, float(text[start:pos]), start, pos, start, lineno)))
            elif what == _HEX:
                append(_new(FastTok, (kind, int(text[start:pos], base=16), start, pos, start, lineno)))
            elif what == _LINES:
                lineno += text[start:pos].count("\n")
            else:
                return None
    except ValueError:  # an integer too long to convert: pyhcl's own error, via its lexer
        return None
    if pos != len(text) and text[pos:].strip(IGNORE):
        return None
    return out
