"""The load stage: every discovered file read and parsed, once.

- :mod:`linter.load.source`: reading one file safely (``SourceText``).
- :mod:`linter.load.codec`: parse results as bytes (between processes, in the cache).
- :mod:`linter.load.cache`: the parse cache (content -> result), signed cache files.
- :mod:`linter.load.parallel` and :mod:`linter.load.forkpool`: the parallel parse.

Syntax itself is :mod:`linter.parse`'s: this package decides when and where
parsing happens, never what a parse gives, so a serial, parallel, cached or
uncached load are the same.
"""

from __future__ import annotations

from typing import Iterator

from linter.config import Config, RunOptions
from linter.load.source import SourceText, read_source
from linter.parse import Parsed, parse_text


def parse_one(path: str, max_size: int) -> tuple[str, SourceText, Parsed | None]:
    """One file read and parsed (None: it could not be read), without any cache:
    what an editor re-reads when a file changes."""
    source = read_source(path, max_size)
    if source.text is None:
        return path, source, None
    return path, source, parse_text(path, source.text)


def parse_all(
    files: list[str], config: Config, options: RunOptions = RunOptions(), defer: bool = False
) -> Iterator[tuple[str, SourceText, Parsed]]:
    """Every file read and parsed, in the order given. Parsing runs in parallel for
    many files (``options.jobs``) and is skipped for content in the cache
    (``options.cache_dir``; None: no cache). The results are the same either way.
    ``defer``: a cached result may come back still encoded (a ``codec.Deferred``;
    ``codec.resolve`` decodes it), so a run whose findings are cached never decodes."""
    from linter.load import parallel
    from linter.load.cache import ParseCache, cache_key, save_in_background

    cache: ParseCache | None = None
    if options.cache_dir:
        cache = ParseCache(options.cache_dir, cache_key(config))
        cache.load()
    jobs = options.jobs if options.jobs is not None else parallel.default_jobs()
    loaded = parallel.load_files(files, config.max_file_size, cache, jobs, defer)
    if cache is not None:
        save_in_background(cache)
    for path, (source, parsed) in zip(files, loaded):
        yield path, source, parsed  # type: ignore[misc]


def parse_texts(items: list[tuple[str, str]], config: Config, options: RunOptions = RunOptions()) -> list[Parsed]:
    """Texts that are not files on disk (a git revision's blobs, an editor's buffers),
    parsed, through the on-disk parse cache when ``options`` name one: the same
    content parses once, whichever revision or buffer it comes from."""
    from linter.load.cache import ParseCache, cache_key, save_in_background
    from linter.load.codec import decode
    from linter.load.parallel import cache_key_for

    if not items:  # (loading and saving a large cache for nothing cost ~0.5 s)
        return []
    cache: ParseCache | None = None
    if options.cache_dir:
        cache = ParseCache(options.cache_dir, cache_key(config))
        cache.load()
    out: list[Parsed] = []
    for path, text in items:
        if cache is None:
            out.append(parse_text(path, text))
            continue
        key = cache_key_for(path, text)
        parsed = None
        if key in cache.entries:
            try:
                parsed = decode(cache.get(key))
            except Exception:  # a stale or damaged entry: parse it again
                parsed = None
        if parsed is None:
            parsed = parse_text(path, text)
            cache.put_tree(key, parsed)
        out.append(parsed)
    if cache is not None:
        save_in_background(cache)
    return out
