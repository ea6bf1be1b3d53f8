"""Parsing many files across processes, and parse results as compact bytes.

Why a process pool and why this shape: parsing is pure Python (pyhcl's PLY parser, the
tree walks) and holds the GIL, so only processes add cores. Node trees do not cross a
process boundary for free: pickling them (every node with its span, path and parent)
costs more than half of parsing them. So a result travels as :func:`encode` bytes:
nested tuples of plain values (no paths, no parents) through ``marshal``, ~10x cheaper
to make than a pickle; the parent rebuilds the nodes (:func:`decode`) for about a
quarter of the cost of parsing, and the same bytes go into the parse cache unchanged.
The parent parses too, from the front of the list, while the workers take chunks from
the back; when the parent catches up it takes back every chunk no worker has started,
so the split adapts to the machine without tuning. Results are put back in input
order: a parallel run is identical to a serial one.
"""
from __future__ import annotations

import marshal
import os
import sys
from typing import Any, Iterable, Optional

from linter.nodes import Mapping, Node, Scalar, Sequence, Span
from linter.parse import ParseError, Parsed, parse_text

#: Below this many files to parse, a pool costs more than it saves (fork, warm-up,
#: pickling); measured with benchmarks/run.py on a 2-core machine.
PARALLEL_THRESHOLD = 300
#: Files per task: big enough to amortise a round trip, small enough to balance.
CHUNK = 48

Item = tuple[int, str, str]  # (position in the run, path, text)


def warm_up() -> None:
    """Build the per-process parser state (PLY tables, lexer template, YAML loader)
    once, in the parent before forking, so no worker rebuilds it."""
    parse_text("warm-up.hcl", 'a = "b"\n')
    parse_text("warm-up.yaml", "a: b\n")
    parse_text("warm-up.json", '{"a": "b"}\n')


def _enc(node: Node) -> tuple:
    s = node.span
    if isinstance(node, Scalar):
        return (0, node.value, node.quoted, s.line, s.col, s.end_line, s.end_col)
    if isinstance(node, Sequence):
        return (1, s.line, s.col, s.end_line, s.end_col, [_enc(item) for item in node.items])
    flat: list = []
    for key, value in node.entries:  # type: ignore[attr-defined]
        flat.append(_enc(key))
        flat.append(_enc(value))
    return (2, s.line, s.col, s.end_line, s.end_col, flat)


def encode(parsed: Parsed) -> Optional[bytes]:
    """A parse result as bytes, or None when it cannot be (a tree too deep to walk
    recursively, an exotic value): such a file is parsed again where it is needed."""
    try:
        error = (parsed.error.message, parsed.error.line, parsed.error.col) if parsed.error is not None else None
        return marshal.dumps((parsed.syntax, [_enc(doc) for doc in parsed.documents], error))
    except (RecursionError, ValueError, TypeError, AttributeError):
        return None


def _fast_layout() -> bool:
    """Whether nodes and spans can be built without their constructors (the same
    attributes set directly, ~2x faster); checked against the classes as they are, so
    a changed node layout falls back to the constructors instead of breaking."""
    try:
        probe = object.__new__(Span)
        probe.__dict__.update(line=1, col=2, end_line=3, end_col=4)
        return (
            probe == Span(1, 2, 3, 4)
            and set(Scalar.__slots__) | set(Node.__slots__) == {"span", "path", "parent", "value", "quoted"}
            and set(Sequence.__slots__) | set(Node.__slots__) == {"span", "path", "parent", "items"}
            and set(Mapping.__slots__) | set(Node.__slots__) == {"span", "path", "parent", "entries", "_index"}
        )
    except Exception:  # pragma: no cover - a layout this module does not know
        return False


_FAST = _fast_layout()
_new = object.__new__


def _span(line: int, col: int, end_line: int, end_col: int) -> Span:
    if _FAST:
        span = _new(Span)
        span.__dict__.update(line=line, col=col, end_line=end_line, end_col=end_col)
        return span
    return Span(line, col, end_line, end_col)


def _dec(e: tuple, path: tuple, parent: Optional[Node]) -> Node:
    """Nodes from :func:`_enc` tuples, with ``path`` and ``parent`` set exactly as
    :func:`linter.nodes.finish` sets them."""
    node: Any
    tag = e[0]
    if tag == 0:
        if _FAST:
            node = _new(Scalar)
            node.value = e[1]
            node.quoted = e[2]
            node.span = _span(e[3], e[4], e[5], e[6])
        else:
            node = Scalar(e[1], _span(e[3], e[4], e[5], e[6]), e[2])
    elif tag == 1:
        node = _new(Sequence) if _FAST else Sequence([], _span(e[1], e[2], e[3], e[4]))
        node.span = _span(e[1], e[2], e[3], e[4])
        items = e[5]
        node.items = [_dec(items[i], path + (i,), node) for i in range(len(items))]
    else:
        node = _new(Mapping) if _FAST else Mapping([], _span(e[1], e[2], e[3], e[4]))
        node.span = _span(e[1], e[2], e[3], e[4])
        node._index = None
        flat = e[5]
        entries = []
        for i in range(0, len(flat), 2):
            key_path = path + (str(flat[i][1]),)
            entries.append((_dec(flat[i], key_path, node), _dec(flat[i + 1], key_path, node)))
        node.entries = entries
    node.path = path
    node.parent = parent
    return node


def decode(blob: bytes) -> Parsed:
    syntax, docs, error = marshal.loads(blob)
    parsed = Parsed(syntax, [_dec(doc, (), None) for doc in docs])
    if error is not None:
        parsed.error = ParseError(*error)
    return parsed


def parse_chunk(items: list[Item]) -> list[tuple[int, Optional[bytes]]]:
    """Run in a worker: parse each file, return (position, blob)."""
    return [(index, encode(parse_text(path, text))) for index, path, text in items]


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _pool(workers: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: workers inherit the warmed-up parsers and imported modules (spawn would
    # re-import everything in every worker, ~0.3 s).
    method = "fork" if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))


def parse_many(items: list[Item], jobs: int) -> dict[int, tuple[Parsed, Optional[bytes]]]:
    """Parse ``items``; results by position, each with its blob when one was made
    (by a worker, for free) so the cache can store it without pickling again."""
    out: dict[int, tuple[Parsed, Optional[bytes]]] = {}
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
        for index, path, text in items:
            out[index] = (parse_text(path, text), None)
        return out
    warm_up()
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    with _pool(jobs - 1) as pool:
        # Workers take from the back, the parent from the front.
        futures = {n: pool.submit(parse_chunk, chunks[n]) for n in reversed(range(len(chunks)))}
        for n in range(len(chunks)):
            if not futures[n].cancel():
                break  # a worker has it (and every chunk after it): collect below
            del futures[n]
            for index, path, text in chunks[n]:
                out[index] = (parse_text(path, text), None)
        for n in sorted(futures):
            for index, blob in futures[n].result():
                if blob is None:  # unpicklable: parse here
                    _i, path, text = items_by_index(chunks[n], index)
                    out[index] = (parse_text(path, text), None)
                else:
                    out[index] = (decode(blob), blob)
    return out


def items_by_index(chunk: Iterable[Item], index: int) -> Item:
    for item in chunk:
        if item[0] == index:
            return item
    raise KeyError(index)  # pragma: no cover - a worker answers only for its chunk
