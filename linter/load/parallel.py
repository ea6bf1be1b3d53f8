"""Reading and parsing many files across processes (the load stage's speed).

Why forked workers (:mod:`linter.load.forkpool`) and why this shape: parsing is pure
Python (pyhcl's PLY parser, the tree walks) and holds the GIL, so only processes add
cores. Results travel as :mod:`linter.load.codec` bytes (not pickles: ~10x cheaper).
The parent parses too, from the front of the list, while the workers take chunks from
the back, until they meet, so the split adapts to the machine without tuning. Results
are put back in input order: a parallel run is identical to a serial one. The
constants below were measured (benchmarks/README.md): change them only with
interleaved before/after runs.
"""

from __future__ import annotations

import gc
import marshal
import os
from typing import Any

try:
    from _blake2 import blake2b  # what hashlib.blake2b is, without hashlib loading OpenSSL (~10 ms)
except ImportError:  # pragma: no cover - a Python without the built-in blake2
    from hashlib import blake2b

from linter.load.codec import Deferred, decode, encode
from linter.load.source import SourceText, read_source
from linter.parse import Parsed, parse_text, syntax_for

#: Below this much parsing work, a pool costs more than it saves (fork, warm-up,
#: encoding, and the parent's decoding); measured with benchmarks/run.py on a 2-core
#: machine. Counted in HCL files (see :data:`PARSE_COST`).
PARALLEL_THRESHOLD = 300
#: What parsing a file costs against an HCL file, by suffix (anything else: 1),
#: re-measured once HCL was lexed in one scan (linter/parse/_hcl/hclfastlex.py): ~0.62 ms an
#: HCL fleet file, ~0.47 ms YAML, ~0.15 ms JSON. Decoding a worker's YAML result costs
#: ~0.3 of parsing it, so a pool still pays for YAML less than for HCL; with forked
#: workers (no multiprocessing to import), the 430-file Kubernetes half of the
#: 1,000-file fleet went 0.75 -> 0.62 s median in 16 interleaved runs once it parsed
#: in two processes.
PARSE_COST = {".yaml": 0.75, ".yml": 0.75, ".json": 0.25}
#: Files per task: big enough to amortise a round trip, small enough to balance (and
#: for this process to read what the workers sent often). Interleaved runs, 48 -> 24:
#: 1,000 files 0.93 -> 0.88 s (14 pairs), 10,000 files 6.90 -> 5.88 s (4 pairs); 12 was
#: slower again at 1,000 files.
CHUNK = 24
#: Which files the workers should take first: those whose result is cheapest for the
#: parent to decode against what parsing them costs. An HCL file's parse (pyhcl's PLY
#: parser) costs ~10x decoding its result; a YAML file's parse (ruamel's C events)
#: costs about as much as decoding it, so handing YAML to a worker saves the parent
#: nothing. Lower ranks go to the parent (the front of the queue), higher to the
#: workers (the back); anything unknown is ranked as HCL.
OFFLOAD_RANK = {".yaml": 0, ".yml": 0, ".json": 1}


def warm_up(files: list[str] | None = None) -> None:
    """Build the per-process parser state (PLY tables, lexer template, YAML loader)
    once, in the parent before forking, so no worker rebuilds it: for the syntaxes
    ``files`` use (every one when not given). A parser not warmed up is still built
    where it is first needed; a YAML-only repository just never imports pyhcl (~35 ms)."""
    suffixes = {path[path.rfind(".") :].lower() for path in files} if files is not None else {".hcl", ".yaml", ".json"}
    if suffixes - {".yaml", ".yml", ".json", ".tf"}:
        parse_text("warm-up.hcl", 'a = "b"\n')
    if ".tf" in suffixes:  # the tree-sitter grammar (linter/parse/terraform.py)
        parse_text("warm-up.tf", 'a = "b"\n')
    if suffixes & {".yaml", ".yml"}:
        parse_text("warm-up.yaml", "a: b\n")
    if suffixes & {".json", ".yaml", ".yml"}:
        parse_text("warm-up.json", '{"a": "b"}\n')


def _offload_rank(path: str) -> int:
    dot = path.rfind(".")
    return OFFLOAD_RANK.get(path[dot:].lower(), 2) if dot >= 0 else 2


def parse_cost(files: list[str]) -> float:
    """The parsing work in ``files``, in HCL files (:data:`PARSE_COST`)."""
    cost = 0.0
    for path in files:
        dot = path.rfind(".")
        cost += PARSE_COST.get(path[dot:].lower(), 1.0) if dot >= 0 else 1.0
    return cost


Loaded = tuple[SourceText, Parsed | None]  # what each file turned into


class _Shared:
    """What the parent sets before forking and workers inherit (never pickled):
    the size limit and the parse cache's keys, so a worker can skip a cached file."""

    max_size = 0
    cached: Any = frozenset()
    keyed = False


def _read_and_parse(index: int, path: str) -> tuple[int, SourceText, bytes | None, Parsed | None, bool]:
    """(index, source, cache key, parsed or None, cache hit) for one file."""
    source = read_source(path, _Shared.max_size)
    if source.text is None:
        return index, source, None, None, False
    key = cache_key_for(path, source.text) if _Shared.keyed else None
    source.key = key
    if key is not None and key in _Shared.cached:
        return index, source, key, None, True
    return index, source, key, parse_text(path, source.text), False


def cache_key_for(path: str, text: str) -> bytes:
    """A file's parse-cache key: its syntax and exact text."""
    return blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=20, person=syntax_for(path, text).encode()[:16]
    ).digest()


def work_chunk(chunk: list[tuple[int, str]]) -> bytes:
    """Run in a worker: read, key and (unless cached) parse each file. The result is
    ``marshal`` bytes of (index, source fields, key, parse result as :func:`encode`
    bytes or None (the parent parses that one itself), cache hit) per file."""
    out = []
    for index, path in chunk:
        index, source, key, parsed, hit = _read_and_parse(index, path)
        out.append((index, _source_fields(source), key, encode(parsed) if parsed is not None else None, hit))
    del parsed
    gc.collect()  # the chunk's trees (cyclic: children point at parents), and nothing else
    return marshal.dumps(out)


def _worker_init() -> None:
    # Inherited objects are never garbage: freeze them so collections neither scan
    # them nor copy their pages. The worker's own trees are garbage once encoded:
    # collected once per chunk (:func:`work_chunk`), not every few hundred
    # allocations while parsing (automatic collection cost ~10% of a worker's time).
    gc.freeze()
    gc.disable()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _source_fields(source: SourceText) -> tuple:
    """A :class:`SourceText` as plain values (``SourceText(*fields)`` rebuilds it)."""
    return (source.path, source.text, source.problem, source.line, source.col, source.key)


def load_files(files: list[str], max_size: int, cache: Any = None, jobs: int = 1, defer: bool = False) -> list[Loaded]:
    """Every file read and parsed (or taken from ``cache``), in the order given.

    With ``jobs`` > 1 and enough files, ``jobs - 1`` forked workers take chunks from
    the back of the list while this process works from the front, decoding what the
    workers send whenever it finishes a chunk, until they meet (linter.load.forkpool).
    ``cache`` (a :class:`ParseCache`) gets every new parse result."""
    _Shared.max_size = max_size
    _Shared.keyed = cache is not None
    _Shared.cached = cache.entries if cache is not None else frozenset()
    out: list[Loaded | None] = [None] * len(files)

    def finish(
        index: int, source: SourceText, key: bytes | None, parsed: Parsed | None, blob: bytes | None, hit: bool
    ) -> None:
        if hit and defer:
            blob = cache.get(key)
            out[index] = (source, Deferred(blob) if blob is not None else parse_text(files[index], source.text))  # type: ignore[arg-type]
            return
        if hit:
            try:
                parsed = decode(cache.get(key))
            except Exception:  # a stale or damaged entry: parse it again
                parsed = parse_text(files[index], source.text)  # type: ignore[arg-type]
                blob = encode(parsed)
        elif blob is not None and parsed is None:
            parsed = decode(blob)
        elif parsed is None and source.text is not None:  # a worker could not encode it
            parsed = parse_text(files[index], source.text)
        if cache is not None and key is not None and not hit and parsed is not None:
            if blob is not None:
                cache.put(key, blob)
            else:
                cache.put_tree(key, parsed)  # encoded when the cache is saved
        out[index] = (source, parsed)

    def local(chunk: list[tuple[int, str]]) -> None:
        for index, path in chunk:
            index, source, key, parsed, hit = _read_and_parse(index, path)
            finish(index, source, key, parsed, None, hit)

    indexed = list(enumerate(files))
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD or parse_cost(files) < PARALLEL_THRESHOLD:
        local(indexed)
        return out  # type: ignore[return-value]
    warm_up(files)
    indexed.sort(key=lambda item: _offload_rank(item[1]))  # stable: input order within a rank
    chunks = [indexed[i : i + CHUNK] for i in range(0, len(indexed), CHUNK)]
    from linter.load import forkpool

    def deliver(_chunk: list[tuple[int, str]], data: bytes) -> None:
        for index, fields, key, blob, hit in marshal.loads(data):
            finish(index, SourceText(*fields), key, None, blob, hit)

    forkpool.run(chunks, local, work_chunk, deliver, jobs - 1, _worker_init)
    return out  # type: ignore[return-value]
