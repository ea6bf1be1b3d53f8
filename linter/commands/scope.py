"""What ``peerlint check PATH...`` loads, so that a file checked alone still gets every
cross-file finding that involves it (an intention removed in one cluster breaks an
export in another: checking only the named file would say "No problems").

- A configuration was found (``peerlint.toml``, ``.peerlint.toml`` or
  ``[tool.peerlint]``): the whole project at the configuration's folder is loaded, and
  findings are reported on PATH plus every cross-file finding whose related locations
  involve it (the engine's ``focus``).
- No configuration: each PATH's nearest cluster root (the folder whose subtree holds
  one datacenter's Helm values or agent configuration, as :mod:`linter.model.roots`
  infers it) is loaded instead of PATH alone. The search
  walks up from PATH no higher than the repository's top (the folder holding ``.git``)
  or, outside a repository, the working directory: a stray ``values.yaml`` in ``/tmp``
  must never decide what a run loads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from linter.commands.common import within
from linter.config import Config
from linter.parse import SUFFIXES

#: A folder with more candidate files than this is not inspected as a cluster root
#: (parsing every one of them would cost more than the check; a cluster's root folder
#: holds a handful of agent or Helm files).
MAX_ROOT_CANDIDATES = 64


@dataclass
class Scope:
    """What to load (``load``) and what to report on (``focus``; None: everything)."""

    load: list[str]
    focus: list[str] | None
    #: One line for ``--timings`` / debugging: what was loaded and why.
    reason: str


def project_scope(paths: list[str], config: Config) -> Scope:
    """A configuration was found: its whole project, focused on ``paths``."""
    root = os.path.abspath(config.root)
    given = paths or ["."]
    absolute = [os.path.abspath(p) for p in given]
    load = [root] + [p for p, a in zip(given, absolute) if not within(a, root)]
    if any(a == root for a in absolute):
        return Scope(load, None, f"the project at {config.path}")
    return Scope(load, given, f"the project at {config.path}, reporting on the paths given")


def _top(start: str) -> str:
    """How high the root search may go: the repository's top, else the working
    directory when ``start`` is below it, else ``start`` itself."""
    here = start
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    cwd = os.getcwd()
    return cwd if within(start, cwd) else start


def _root_from(folder: str, config: Config, memo: dict[str, str | None]) -> str | None:
    """The cluster root that a file directly in ``folder`` anchors (``folder`` itself,
    or the cluster folder above a ``consul.d/``, ``helm/``... holding it, as
    :func:`linter.model.roots.infer` climbs), or None."""
    if folder in memo:
        return memo[folder]
    from linter.load import parse_one
    from linter.model.classify import classify
    from linter.model.roots import infer

    try:
        names = sorted(
            e.name for e in os.scandir(folder) if e.name.lower().endswith(SUFFIXES) and e.is_file(follow_symlinks=False)
        )
    except OSError:
        names = []
    found: str | None = None
    if len(names) <= MAX_ROOT_CANDIDATES:
        documents = []
        for name in names:
            _path, source, parsed = parse_one(os.path.join(folder, name), config.max_file_size)
            if parsed is None or parsed.error is not None:
                continue
            for index, tree in enumerate(parsed.documents):
                documents.extend(classify(tree, source.path, index, parsed.syntax))
        roots = infer(documents, os.path.abspath(config.root)).roots if documents else []
        found = roots[0].folder if roots else None
    memo[folder] = found
    return found


def nearest_root(path: str, config: Config, memo: dict[str, str | None] | None = None) -> str | None:
    """The deepest cluster root at or above ``path`` (absolute), or None."""
    memo = {} if memo is None else memo
    absolute = os.path.abspath(path)
    here = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    top = _top(here)
    while True:
        root = _root_from(here, config, memo)
        if root is not None:
            return root
        if here == top:
            return None
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def cluster_scope(paths: list[str], config: Config) -> Scope:
    """No configuration: each path's nearest cluster root, focused on the paths."""
    given = paths or ["."]
    memo: dict[str, str | None] = {}
    load: list[str] = []
    for path in given:
        root = nearest_root(path, config, memo)
        target = root if root is not None else path
        if target not in load:
            load.append(target)
    # a root inside another loaded folder is loaded with it
    absolute = [os.path.abspath(p) for p in load]
    load = [p for p, a in zip(load, absolute) if not any(o != a and within(a, o) for o in absolute)]
    if all(os.path.abspath(p) in {os.path.abspath(x) for x in load} for p in given):
        return Scope(load, None, "the paths given (each is its own cluster root or holds none)")
    return Scope(load, given, "the nearest cluster roots of the paths given, reporting on the paths")


def scope_for(paths: list[str], config: Config) -> Scope:
    """What ``peerlint check PATH...`` loads (see the module's docstring)."""
    if config.path is not None:
        return project_scope(paths, config)
    return cluster_scope(paths, config)
