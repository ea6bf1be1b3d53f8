"""The parse cache: a file whose content was parsed before is not parsed again.

The cache, like ruff's, maps a file's *content* (with its syntax) to its parse result,
so it never changes a result: an edited file has a new key and is parsed again, a
renamed or copied one still hits. It is one file per peerlint version and cache key
(:func:`cache_key`: the configuration fingerprint, Python, the parser libraries and
peerlint's own parser sources), under ``.peerlint_cache/`` at the project root.

Safety:
- Concurrent runs: the cache is written to a temporary file and renamed into place,
  so a reader sees an old cache or a new one, never half of one; the last writer wins
  and the loser's entries are merely parsed again next time.
- A cache folder is inside the checked repository, which may be untrusted (a pull
  request checked in CI). Entries are ``marshal`` data of plain values (see
  :mod:`linter.load.codec`), never pickles, so loading runs no code; and since
  ``marshal`` is not hardened against crafted input, the file also carries a keyed
  BLAKE2b MAC whose key lives outside the repository, in the user's cache folder. A
  cache file someone committed or edited fails the check and is never decoded. Any
  unreadable, corrupt or foreign cache is ignored the same way.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
import tempfile

try:
    from _blake2 import blake2b  # what hashlib.blake2b is, without hashlib loading OpenSSL (~10 ms)
except ImportError:  # pragma: no cover - a Python without the built-in blake2
    from hashlib import blake2b

from linter import __version__
from linter.config import Config
from linter.output import user_cache_dir, write_atomic
from linter.parse import Parsed

CACHE_DIR_NAME = ".peerlint_cache"
MAGIC = b"peerlint-parse-cache\n"
_MAC_SIZE = 32
#: Entries not used by a run are kept (for runs over other paths) up to this many
#: times the entries it used, oldest dropped first, so the file cannot grow forever.
KEEP_FACTOR = 2
#: What a secret looks like in an encoded entry: a UUID (an ACL SecretID looks like any
#: other) or a long base64 run (a peering token): the shapes linter.acl.secrets masks.
#: An unused entry holding one is dropped, so a secret removed from the repository does
#: not live on in the cache (issue #21).
_SECRET_SHAPES = re.compile(
    rb"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9+/]{60,}={0,2}"
)


def cache_key(config: Config) -> str:
    """What a cached parse result depends on besides the file's content. peerlint's
    version is the cache folder; the parser sources are included by size and mtime so
    a development checkout never reads trees an older parser built."""
    linter_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parts = [__version__, config.fingerprint(), sys.version, sys.implementation.cache_tag or ""]
    sources = []
    for folder in (os.path.join(linter_dir, "parse"), os.path.join(linter_dir, "parse", "_hcl")):
        sources.extend(os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(".py"))
    sources.append(os.path.join(linter_dir, "load", "codec.py"))  # the stored form of a result
    sources.append(os.path.join(linter_dir, "nodes.py"))
    for name in ("hcl", "ruamel.yaml"):
        module = sys.modules.get(name)
        version = getattr(module, "__version__", None) if module else None
        parts.append(f"{name}={version or _dist_stamp(name)}")
    for path in sources:
        try:
            stat = os.stat(path)
            parts.append(f"{os.path.basename(path)}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append(path)
    return blake2b("\0".join(parts).encode(), digest_size=12).hexdigest()


def _dist_stamp(module: str) -> str:
    """A cheap stand-in for a library's version without importing it: its package
    folder's ``__init__.py`` size and mtime."""
    from importlib.util import find_spec

    try:
        spec = find_spec(module)
        origin = spec.origin if spec else None
        if origin:
            stat = os.stat(origin)
            return f"{stat.st_size}:{stat.st_mtime_ns}"
    except (ImportError, ValueError, OSError):
        pass
    return "?"


def mac_key() -> bytes | None:
    """The per-user secret that signs cache files, created on first use (0600)."""
    from linter.cachecodec import read_trusted_key

    path = os.path.join(user_cache_dir(), "cache.key")
    if os.path.lexists(path):
        # another user's or a world-writable key (a committed one) is never trusted (issue #21)
        key = read_trusted_key(path)
        if key is None or len(key) < 32:
            return None
        return key
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        key = os.urandom(32)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".key-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        try:
            os.link(tmp, path)  # first writer wins; a concurrent run reads the winner
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        key = read_trusted_key(path) or b""
        return key if len(key) >= 32 else None
    except OSError:
        return None


class ParseCache:
    """Content hash -> encoded :class:`Parsed` (:func:`linter.load.codec.encode`), loaded once and saved
    at most once per run."""

    def __init__(self, folder: str, key: str) -> None:
        self.path = os.path.join(folder, __version__, f"parse-{key}.bin")
        self.entries: dict[bytes, bytes] = {}
        self.used: dict[bytes, bytes] = {}
        self.trees: dict[bytes, Parsed] = {}  # parsed here, not encoded yet
        self.changed = False
        self.mac_key = mac_key()

    def load(self) -> None:
        body = read_signed(self.path, MAGIC, self.mac_key)
        if body is None:
            return
        try:
            entries = marshal.loads(body)
        except Exception:
            return
        if isinstance(entries, dict):
            self.entries = entries

    def get(self, key: bytes) -> bytes | None:
        blob = self.entries.get(key)
        if blob is not None:
            self.used[key] = blob
        return blob

    def put(self, key: bytes, blob: bytes) -> None:
        self.used[key] = blob
        self.changed = True

    def put_tree(self, key: bytes, parsed: Parsed) -> None:
        """A parse result this process made: encoded only when the cache is saved
        (in the background, see :meth:`save_in_background`)."""
        self.trees[key] = parsed
        self.changed = True

    def _encode_trees(self) -> None:
        from linter.load.codec import encode

        for key, parsed in self.trees.items():
            blob = encode(parsed)
            if blob is not None:
                self.used[key] = blob
        self.trees = {}

    def save(self) -> None:
        """Write the entries this run used, plus some it did not, atomically."""
        if self.mac_key is None:
            return
        self._encode_trees()
        stale = [k for k in self.entries if k not in self.used]
        unused = [k for k in stale if not _SECRET_SHAPES.search(self.entries[k])]
        dropped = len(stale) - len(unused)
        limit = KEEP_FACTOR * max(len(self.used), 1000)
        if not self.changed and not dropped and len(self.entries) <= limit:
            return  # nothing new: leave the file (and its mtime) alone
        merged = dict(self.used)
        for k in unused[-max(0, limit - len(merged)) :] if limit > len(merged) else []:
            merged[k] = self.entries[k]
        write_signed(self.path, MAGIC, self.mac_key, marshal.dumps(merged))


#: Fewer new parse results than this: the cache is saved in the foreground (a fork
#: costs more than encoding a few hundred trees).
BACKGROUND_MIN = 100
_SAVERS: list = []  # background savers (linter.forks.Child) not waited for yet


def save_in_background(cache: ParseCache) -> None:
    """Save ``cache`` from a forked child while this process goes on (classifying
    documents: one core's work, so the other is free): encoding this process's parse
    results and writing the file cost ~0.35 s at 10,000 files. The results are the
    same as :meth:`ParseCache.save`; :func:`wait_for_saves` (called when a check ends,
    and at exit) makes sure the file is in place before peerlint exits, so the next
    run finds it. Saved in the foreground where there is no ``fork`` or little to do."""
    from linter.forks import available, fork

    if len(cache.trees) < BACKGROUND_MIN or cache.mac_key is None or not available():
        cache.save()
        return
    child = fork(lambda _fd: cache.save(), pipe=False)
    if child is None:
        cache.save()
        return
    if not _SAVERS:
        import atexit

        atexit.register(wait_for_saves)
    _SAVERS.append(child)
    cache.trees = {}


def wait_for_saves() -> None:
    """Wait until every background save this process started has finished."""
    while _SAVERS:
        _SAVERS.pop().wait()


def read_signed(path: str, magic: bytes, mac_key: bytes | None) -> bytes | None:
    """The body of a cache file this user's peerlint wrote, or None (missing,
    unreadable, damaged, or signed with another key: then it is never decoded)."""
    if mac_key is None:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    head = len(magic)
    if not data.startswith(magic) or len(data) < head + _MAC_SIZE:
        return None
    mac, body = data[head : head + _MAC_SIZE], data[head + _MAC_SIZE :]
    if not _compare_digest(mac, _mac(mac_key, body)):
        return None
    return body


def write_signed(path: str, magic: bytes, mac_key: bytes | None, body: bytes) -> None:
    """Write a cache file atomically (temporary file, then rename); never raise for
    an unwritable cache (a read-only checkout runs without one)."""
    if mac_key is None:
        return
    from linter.safety import links_on_path

    folder = os.path.dirname(path)
    # the file, its version folder and the cache folder: never through a symlink (issue #21)
    if links_on_path(path, 2):
        return
    try:
        os.makedirs(folder, exist_ok=True)
        _tag_folder(os.path.dirname(folder))
        write_atomic(path, magic + _mac(mac_key, body) + body)
    except OSError:
        pass


def _compare_digest(a: bytes, b: bytes) -> bool:
    import hmac  # here, not at start-up: hmac loads OpenSSL (~10 ms) and only a cache read needs it

    return hmac.compare_digest(a, b)


def _mac(key: bytes, body: bytes) -> bytes:
    return blake2b(body, key=key[:64], digest_size=_MAC_SIZE).digest()


def _tag_folder(folder: str) -> None:
    """Mark the cache folder as a cache (CACHEDIR.TAG) and keep it out of git."""
    for name, text in (
        ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n# peerlint's parse cache\n"),
        (".gitignore", "# created by peerlint\n*\n"),
    ):
        path = os.path.join(folder, name)
        if not os.path.lexists(path) and not os.path.islink(folder):  # a dangling link is never written through
            try:
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError:
                pass


def default_cache_dir(config: Config) -> str:
    return os.path.join(config.root, CACHE_DIR_NAME)
