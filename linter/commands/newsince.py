"""``peerlint check --new-since REV``: the findings a commit would add, anywhere in the
project. What the pre-commit hook runs.

The project is linted twice, both times from git's objects and never from the working
tree: as it will be committed (the index) and as it was at REV. A finding of the
index's run is new when the REV run had no finding of the same identity (the
baseline's key, :func:`linter.baseline.key`: rule, file, resource, attribute path, never
a line number; a file renamed by the commit keeps its findings). So an intention
removed in one file, which breaks an export in a file nobody staged, is reported; so
is a file others depend on being deleted; findings that were already there do not
block the commit.

Each file belongs to the project of its nearest configuration (``peerlint.toml``,
``.peerlint.toml``, ``[tool.peerlint]``) as committed, so a monorepo with several
projects lints each on its own; files under no configuration form one project at the
repository's top. A commit whose changes hold no Consul document and no configuration
(before or after) returns before anything else is read: the hook costs such a commit
one ``git diff``.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from linter.commands.gitsnap import Change, Tree, commit_tree, index_tree, read_blobs, resolve, staged_changes, toplevel
from linter.config import CONFIG_NAMES, Config, config_from_text, load_config
from linter.discover import display_path, included, relative_path
from linter.parse import SUFFIXES


@dataclass
class Side:
    """One state of the repository: its files and the configurations among them."""

    tree: Tree
    configs: dict[str, Config] = field(default_factory=dict)  # folder (relative to top, "" for top) -> config
    label: str = "index"  # which state ("index", "rev": the daemon remembers each)


@dataclass
class Outcome:
    """What ``--new-since`` found: the index's result with only the new findings."""

    result: object | None  # linter.engine.Result; None when the commit touched no Consul file
    old: int = 0  # findings that already existed at REV (not reported)
    skipped: str = ""  # why nothing was linted
    root: str = "."  # the repository's top folder (reports' paths are relative to it in CI formats)


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _configs(top: str, tree: Tree, blobs: dict[str, bytes]) -> dict[str, Config]:
    """The configuration files of one side, by folder; the first name of
    CONFIG_NAMES wins in a folder, as when walking up on disk."""
    out: dict[str, Config] = {}
    named = _config_paths(tree)
    for name in CONFIG_NAMES:
        for path in sorted(p for p in named if p.rpartition("/")[2] == name):
            folder = os.path.dirname(path)
            text = _text(blobs.get(tree[path], b""))
            if folder in out or text is None or (name == "pyproject.toml" and "[tool.peerlint" not in text):
                continue
            out[folder] = config_from_text(text, os.path.join(top, path))
    return out


def _config_paths(tree: Tree) -> list[str]:
    """The paths of ``tree`` named like a configuration (one pass: a tree holds
    thousands of files and a handful of these)."""
    return [p for p in tree if p.rpartition("/")[2] in CONFIG_NAMES]


def _owner(path: str, configs: dict[str, Config]) -> str | None:
    """The folder of the nearest configuration at or above ``path`` (None: none)."""
    folder = os.path.dirname(path)
    while True:
        if folder in configs:
            return folder
        if not folder:
            return None
        folder = os.path.dirname(folder)


def _groups(
    top: str, side: Side, explicit: Config | None, decided: dict | None = None
) -> dict[str, tuple[Config, list[str]]]:
    """Each project of one side: its configuration and the files it reads.
    ``decided``: the answers of the other side's call, shared (the two sides are
    nearly the same files: each file's owner and inclusion are decided once)."""
    decided = {} if decided is None else decided
    owners: dict[str, str | None] = {}  # folder -> the folder of its nearest configuration
    top_config = Config(root=top)
    groups: dict[str, tuple[Config, list[str]]] = {}
    for path in sorted(side.tree):
        if not path.lower().endswith(SUFFIXES):
            continue
        if explicit is not None:
            owner, config = "<explicit>", explicit
        else:
            folder = path.rpartition("/")[0]
            if folder not in owners:
                owners[folder] = _owner(path, side.configs)
            found = owners[folder]
            owner = found if found is not None else "<top>"
            config = side.configs[found] if found is not None else top_config
        key = (path, config.root, tuple(config.include), tuple(config.exclude))  # what inclusion depends on
        if key not in decided:
            # (a string join, not os.path.join: relative_path strips a plain prefix)
            rel = relative_path(f"{top}{os.sep}{path}", config.root).replace(os.sep, "/")
            decided[key] = not rel.startswith("../") and included(rel, config.include, config.exclude)
        if decided[key]:
            groups.setdefault(owner, (config, []))[1].append(path)
    return groups


def _shower(top: str):
    """A function from a path as git lists it to how it is shown (display_path): the
    path itself when the working directory is the repository's top (the hook's case),
    without an absolute path made and taken apart per file."""
    if os.sep == "/" and os.path.abspath(os.getcwd()) == top:
        return display_path  # a plain relative path is shown as it is
    return lambda path: display_path(os.path.join(top, path))


def _relevant(changes: list[Change], after: Tree, before: Tree, top: str) -> bool:
    """Whether the commit changes a configuration or a file holding Consul documents
    (or one that does not parse: PL001 reports it), in either version."""
    from linter.model.classify import classify
    from linter.parse import parse_text

    wanted: list[tuple[str, str]] = []
    for change in changes:
        for path, tree in ((change.path, after), (change.path, before), (change.old_path, before)):
            if path is None or path not in tree:
                continue
            name = os.path.basename(path)
            if name in ("peerlint.toml", ".peerlint.toml"):
                return True
            if name == "pyproject.toml" or path.lower().endswith(SUFFIXES):
                wanted.append((path, tree[path]))
    blobs = read_blobs(top, {blob for _, blob in wanted})
    for path, blob in wanted:
        text = _text(blobs.get(blob, b""))
        if text is None or "\0" in text:
            return True
        if os.path.basename(path) == "pyproject.toml":
            if "[tool.peerlint" in text:
                return True
            continue
        parsed = parse_text(path, text)
        if parsed.error is not None:
            return True
        if any(any(True for _ in classify(tree, path, i, parsed.syntax)) for i, tree in enumerate(parsed.documents)):
            return True
    return False


def _lint_side(
    top,
    side,
    explicit,
    blobs,
    parsed_by,
    rules,
    select,
    ignore,
    options_for,
    decided=None,
    stores=None,
    fresh=False,
    only=None,
):
    """Every project of one side linted (or its findings remembered from an earlier
    run of the same state: linter.commands.snapshots); results in project order."""
    from linter.commands.snapshots import Snapshots, state_key
    from linter.engine import Result, check_loaded
    from linter.load import parse_texts
    from linter.load.source import source_from_bytes

    results = []
    shown_of = _shower(top)
    for _owner_folder, (config, paths) in sorted(_groups(top, side, explicit, decided).items()):
        if only is not None and os.path.abspath(config.root) != only:
            continue  # (the daemon reads its own project ahead, not every project of a monorepo)
        options = options_for(config)
        stores = {} if stores is None else stores  # one per cache folder, shared by both sides
        if options.cache_dir not in stores:
            stores[options.cache_dir] = Snapshots(options.cache_dir)
        store = stores[options.cache_dir]
        state = state_key(config, [(p, side.tree[p]) for p in paths], rules, select, ignore)
        remembered = None if fresh else store.get(state)  # fresh: linted for the daemon to keep
        if remembered is not None:
            shown = [shown_of(p) for p in paths]
            results.append(Result(remembered[0], rules, None, remembered[1], {}, shown, {}, None))
            continue
        warm = options.warm  # the daemon: blobs it has seen are neither read nor parsed again
        sources = warm.sources_of([(p, side.tree[p]) for p in paths], config) if warm is not None else {}
        sources = {p: sources[(p, side.tree[p])] for p in paths if (p, side.tree[p]) in sources}
        wanted = {side.tree[p] for p in paths if p not in sources and side.tree[p] not in blobs}
        blobs.update(read_blobs(top, wanted))
        for path in paths:
            if path not in sources:
                sources[path] = source_from_bytes(shown_of(path), blobs.get(side.tree[path], b""), config.max_file_size)
        if warm is not None:
            parsed_by.update(warm.parsed_blobs([(p, side.tree[p], sources[p]) for p in paths], config, options))
        todo = [p for p in paths if sources[p].text is not None and (p, side.tree[p]) not in parsed_by]
        for path, parsed in zip(todo, parse_texts([(sources[p].path, sources[p].text) for p in todo], config, options)):
            parsed_by[(path, side.tree[path])] = parsed
        loaded = [(sources[p].path, sources[p], parsed_by.get((p, side.tree[p]))) for p in paths]
        if warm is not None:
            result = warm.check_loaded(f"{side.label}\0{_owner_folder}", loaded, config, rules, select, ignore)
        else:
            result = check_loaded(
                loaded,
                config,
                rules,
                select,
                ignore,
                options,
                _rerun(top, config, rules, select, ignore, options, side, paths),
            )
        store.put(state, result.findings, result.internal_error)
        results.append(result)
    return results


def _rerun(top: str, config: Config, rules, select, ignore, options, side: Side, paths: list[str]) -> tuple | None:
    """The incremental re-check's store for this project (linter.rerun), the files'
    blob ids as their content keys: the index side of a run differs from the last
    run's by the files staged since, so only what they reach is linted again."""
    if not options.cache_dir:
        return None
    from linter.rerun import RerunStore
    from linter.resultscache import blake2b, options_key

    where = f"{options_key(config, None, rules, select, ignore)}\0{os.getcwd()}".encode("utf-8", "surrogateescape")
    contents = {display_path(os.path.join(top, p)): b"B" + side.tree[p].encode() for p in paths}
    return RerunStore(options.cache_dir, "hook-" + blake2b(where, digest_size=12).hexdigest()), contents


def _texts_for(findings, texts: dict[str, str], top: str, tree: Tree, max_size: int) -> None:
    """The text of every file a reported finding points at (a remembered result has
    none), read from the index."""
    from linter.load.source import source_from_bytes

    by_shown = {}
    for shown in {p for f in findings for p in [f.path, *(r.path for r in f.related)] if p not in texts}:
        path = os.path.relpath(os.path.abspath(shown), top).replace(os.sep, "/")
        if path in tree:
            by_shown[shown] = path
    blobs = read_blobs(top, {tree[p] for p in by_shown.values()})
    for shown, path in by_shown.items():
        source = source_from_bytes(shown, blobs.get(tree[path], b""), max_size)
        if source.text is not None:
            texts[shown] = source.text


def new_since(
    rev: str,
    load_rules,
    select: list[str],
    ignore: list[str],
    explicit_config: str | None,
    options_for,
    always: bool = False,
    only: str | None = None,
) -> Outcome:
    """The findings the index has and REV had not (see the module's docstring).
    ``load_rules()``: the rules, asked for only when there is something to lint;
    ``options_for(config)``: the run options (parse cache) for a project;
    ``always``: lint both sides, even when the commit touches no Consul file and
    when their findings are remembered (the daemon reading a repository as it
    starts, to keep both in memory); ``only``: just the project of that folder.
    Raises GitError and ConfigError."""
    from linter.baseline import key
    from linter.engine import INTERNAL_ERROR, Result

    top = toplevel(os.getcwd())
    commit = resolve(top, rev)
    changes = staged_changes(top, commit)
    after, before = Side(index_tree(top)), Side(commit_tree(top, commit), label="rev")
    if not always and (not changes or not _relevant(changes, after.tree, before.tree, top)):
        return Outcome(None, skipped="no Consul file or peerlint configuration changed")
    explicit = load_config(top, explicit_config) if explicit_config else None
    rules = load_rules()
    config_files = [(p, tree[p]) for tree in (after.tree, before.tree) for p in _config_paths(tree)]
    blobs = read_blobs(top, {b for _, b in config_files})
    if explicit is None:
        after.configs, before.configs = _configs(top, after.tree, blobs), _configs(top, before.tree, blobs)
    parsed_by: dict = {}
    decided: dict = {}  # each file's project and inclusion, decided once for both sides
    stores: dict = {}
    # REV first: found remembered, its state is kept when the index's is put
    then = _lint_side(
        top, before, explicit, blobs, parsed_by, rules, select, ignore, options_for, decided, stores, always, only
    )
    now = _lint_side(
        top, after, explicit, blobs, parsed_by, rules, select, ignore, options_for, decided, stores, always, only
    )
    from linter.commands.common import warm_state

    warm = warm_state()
    if warm is not None:  # what neither side holds is not kept
        warm.forget_blobs([(p, b) for tree in (after.tree, before.tree) for p, b in tree.items()])

    renamed = {c.old_path: c.path for c in changes if c.status == "R" and c.old_path}

    def at_rev(finding) -> tuple:
        """A REV finding's identity as the index would have it (renamed files moved)."""
        code, path, resource, node_path = key(finding, top)
        return (code, renamed.get(path, path), resource, node_path)

    existed = Counter(at_rev(f) for result in then for f in result.findings if f.code != INTERNAL_ERROR)
    new, old = [], 0
    for result in now:
        for finding in result.findings:
            k = key(finding, top)
            if finding.code != INTERNAL_ERROR and existed[k] > 0:
                existed[k] -= 1
                old += 1
            else:
                new.append(finding)
    files = [f for result in now for f in result.files]
    texts = {p: t for result in now for p, t in result.texts.items()}
    _texts_for(new, texts, top, after.tree, max((c.max_file_size for c in after.configs.values()), default=10 << 20))
    internal = any(result.internal_error for result in now)
    return Outcome(Result(new, rules, None, internal, {}, files, texts, None), old=old, root=top)
