"""Which files a run reads (the first stage: discover), and how paths are shown.

Reading them is :mod:`linter.load`'s job.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Iterable, Iterator

from linter.globs import matches

if TYPE_CHECKING:
    from pathspec import PathSpec
from linter.parse import SUFFIXES

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".peerlint_cache",
    ".terraform",
    ".mypy_cache",
    ".pytest_cache",
}


def relative_path(absolute: str, base: str) -> str:
    """``os.path.relpath(absolute, base)`` for a normalised absolute path and folder,
    without relpath's own normalising of both when ``absolute`` is plainly inside
    ``base`` (the common case: called twice per file, relpath was half of discovery's
    time on a large repository)."""
    if len(base) > 1 and absolute.startswith(base) and absolute[len(base) : len(base) + 1] == os.sep and os.sep == "/":
        return absolute[len(base) + 1 :]
    return os.path.relpath(absolute, base)


def display_path(path: str) -> str:
    """How ``path`` is shown: relative to the working directory when below it."""
    if os.sep == "/" and not path.startswith("/"):
        # a plain relative path (discovery's are "./dir/file"): already what _display
        # would make of it, without two getcwd() calls and a normpath per file
        rel = path[2:] if path.startswith("./") else path
        if rel and "//" not in rel and "/." not in rel and not rel.startswith("."):
            return rel
    return _display(os.path.abspath(path), os.getcwd())


def _display(absolute: str, cwd: str) -> str:
    """How a file is shown: relative to ``cwd`` when below it, else absolute."""
    try:
        rel = relative_path(absolute, cwd)
    except ValueError:
        return absolute.replace(os.sep, "/")
    return (absolute if rel.startswith("..") else rel).replace(os.sep, "/")


def _matches(rel: str, globs: Iterable[str]) -> bool:
    return matches(rel, globs)


#: Files that are never Consul's, by name (the reason is listed under --verbose): lock
#: files, docker compose, JSON with comments read by editors and TypeScript, and HCL2
#: of Terraform, Packer, Nomad and Terragrunt (HCL1, which Consul reads, cannot parse it).
_NOT_CONSUL: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), reason)
    for pattern, reason in (
        (r"(^|[-_.])(package-lock|npm-shrinkwrap|lock)\.(json|ya?ml|hcl)$|-lock\.(json|ya?ml)$", "a lock file"),
        (r"^(docker-)?compose([-_.][^/]*)?\.ya?ml$", "a docker compose file"),
        (
            r"^(tsconfig|jsconfig)([-_.][^/]*)?\.json$|^devcontainer\.json$|^\.?(eslintrc|babelrc)\.json$",
            "JSON with comments (editor or TypeScript configuration)",
        ),
        (
            r"\.(pkr|nomad|tftest|tfvars|waypoint)\.(hcl|json)$|^terragrunt\.hcl$|\.tf\.json$",
            "HCL2 (Terraform, Packer, Nomad or Terragrunt), not Consul's",
        ),
    )
)
#: Folders whose files are never Consul's: editor settings (JSON with comments).
_NOT_CONSUL_DIRS = {
    ".vscode": "JSON with comments (editor settings)",
    ".devcontainer": "JSON with comments (editor settings)",
}


def not_consul_reason(rel: str) -> str | None:
    """Why the file at ``rel`` (``/``-separated) is not Consul's by its name, or None."""
    parts = rel.split("/")
    for part in parts[:-1]:
        if part in _NOT_CONSUL_DIRS:
            return _NOT_CONSUL_DIRS[part]
    name = parts[-1]
    for pattern, reason in _NOT_CONSUL:
        if pattern.search(name):
            return reason
    return None


def _is_chart(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "Chart.yaml")) or os.path.isfile(os.path.join(folder, "Chart.yml"))


def included(rel: str, include: list[str], exclude: list[str]) -> bool:
    """Whether a candidate file (``rel``: relative to the configuration's folder, with
    ``/``) is one a run reads: what :func:`iter_files` decides for a file it finds, for
    a list of paths that are not on disk (a git revision's, for ``--new-since``)."""
    if not rel.lower().endswith(SUFFIXES) or any(part in SKIP_DIRS for part in rel.split("/")[:-1]):
        return False
    if not_consul_reason(rel) is not None:
        return False
    if exclude and _matches(rel, exclude):
        return False
    return not include or _matches(rel, include)


def iter_files(
    paths: list[str],
    root: str,
    include: list[str],
    exclude: list[str],
    *,
    respect_gitignore: bool = True,
    never: Iterable[str] = (),
    skipped: list[tuple[str, str]] | None = None,
    trace: dict | None = None,
) -> Iterator[str]:
    """Candidate files under ``paths``, sorted, de-duplicated, never following
    symlinked directories (loops) and skipping VCS and tool folders, files ``.gitignore``
    ignores (``respect_gitignore``), files that are plainly not Consul's (Helm
    ``templates/`` of a chart, lock files, compose, JSON with comments, HCL2) and the
    absolute paths in ``never`` (peerlint's own report, baseline and cache). A file
    named on the command line is read whatever its name. ``skipped`` collects
    (shown path, reason) for ``--verbose``. ``trace`` gets what the result depends on
    (linter.daemon.walkmemo): each folder listed, with its subfolders' and files' names
    (``"folders"``), the folders that could not be listed (``"unlistable"``) and the
    ``.gitignore`` reader (``"ignores"``)."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []  # (shown, path)
    base = os.path.abspath(root)
    cwd = os.getcwd()
    never_abs = {os.path.abspath(p) for p in never}
    ignores = GitIgnores(base) if respect_gitignore else None
    if trace is not None:
        trace.update(folders={}, unlistable=[], ignores=ignores)

    def skip(absolute: str, reason: str) -> None:
        if skipped is not None:
            skipped.append((_display(absolute, cwd), reason))

    for given in paths:
        is_file = os.path.isfile(given)
        named = is_file or (os.path.islink(given) and not os.path.isdir(given))
        candidates: list[tuple[str, str]] = []  # (path, absolute)
        if not named and os.path.isdir(given):
            unlistable: list[OSError] = []
            for folder, dirs, files in os.walk(given, followlinks=False, onerror=unlistable.append):
                absolute_folder = os.path.abspath(folder)
                if trace is not None:
                    trace["folders"][absolute_folder] = (frozenset(dirs), frozenset(files))
                kept = []
                for d in sorted(dirs):
                    if d in SKIP_DIRS or os.path.islink(os.path.join(folder, d)):
                        continue
                    sub = os.path.join(absolute_folder, d)
                    if sub in never_abs:
                        continue
                    if ignores is not None and ignores.ignored(sub, True):
                        skip(sub, "ignored by .gitignore")
                        continue
                    if d == "templates" and _is_chart(absolute_folder):
                        skip(sub, "Helm chart templates (Go templates, not YAML)")
                        continue
                    kept.append(d)
                dirs[:] = kept
                # one abspath per folder, not per file (a file name has no "/", ".", "..")
                # (os.path.join's own checks, per file, were a fifth of discovery)
                prefix = os.path.join(folder, "")
                absolute_prefix = os.path.join(absolute_folder, "")
                for f in sorted(files):
                    if not f.lower().endswith(SUFFIXES):
                        continue
                    absolute = absolute_prefix + f
                    if absolute in never_abs:
                        continue
                    if ignores is not None and ignores.ignored(absolute, False):
                        skip(absolute, "ignored by .gitignore")
                        continue
                    reason = not_consul_reason(relative_path(absolute, base).replace(os.sep, "/"))
                    if reason is not None:
                        skip(absolute, reason)
                        continue
                    candidates.append((prefix + f, absolute))
            # a folder that cannot be listed is read like a file, so its error is a PL001
            # problem ("cannot read file: Permission denied"), never silence (issue #21)
            candidates.extend((err.filename, os.path.abspath(err.filename)) for err in unlistable if err.filename)
            if trace is not None:
                trace["unlistable"].extend(unlistable)
        else:
            # named (read whatever its suffix), or missing: reported when read
            candidates.append((given, os.path.abspath(given)))
        for path, absolute in candidates:
            if absolute in seen:
                continue
            rel = relative_path(absolute, base).replace(os.sep, "/")
            if exclude and _matches(rel, exclude):
                continue
            if include and not _matches(rel, include) and not is_file:
                continue
            seen.add(absolute)
            out.append((_display(absolute, cwd), path))
    out.sort(key=lambda item: item[0])
    for _shown, path in out:
        yield path


class GitIgnores:
    """The ``.gitignore`` files that apply to a path: those of its folder and of every
    folder above it up to the repository's top (the folder holding ``.git``; without
    one, up to the project's root folder). Each is
    read once. As in git, the deepest file with a matching pattern decides, and a
    later pattern in one file overrides an earlier one (``!`` re-includes)."""

    def __init__(self, stop_at: str) -> None:
        self._stop_at = stop_at
        self._specs: dict[str, PathSpec | None] = {}
        self._top: dict[str, str | None] = {}
        self._chains: dict[str, list[tuple[str, PathSpec]]] = {}

    def _spec(self, folder: str) -> PathSpec | None:
        if folder not in self._specs:
            spec = None
            try:
                with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                    lines = handle.read().splitlines()
                from pathspec import PathSpec  # only with a .gitignore (see linter.globs)

                spec = PathSpec.from_lines("gitignore", lines)
            except OSError:
                pass
            self._specs[folder] = spec
        return self._specs[folder]

    def _repo_top(self, folder: str) -> str | None:
        """The folder holding ``.git`` at or above ``folder``, if any."""
        if folder not in self._top:
            parent = os.path.dirname(folder)
            if os.path.exists(os.path.join(folder, ".git")):
                self._top[folder] = folder
            elif parent == folder:
                self._top[folder] = None
            else:
                self._top[folder] = self._repo_top(parent)
        return self._top[folder]

    def _chain(self, folder: str) -> list[tuple[str, PathSpec]]:
        """The .gitignore specs that apply in ``folder``, deepest first (cached per
        folder: a file's check is then only its own specs' matching)."""
        chain = self._chains.get(folder)
        if chain is None:
            top = self._repo_top(folder) or self._stop_at
            chain = []
            here = folder
            while True:
                spec = self._spec(here)
                if spec is not None:
                    chain.append((here, spec))
                if here == top or os.path.dirname(here) == here or not here.startswith(top):
                    break
                here = os.path.dirname(here)
            self._chains[folder] = chain
        return chain

    def probed(self) -> tuple[list[str], list[str]]:
        """(the folders whose ``.gitignore`` was looked for, those looked in for
        ``.git``): what the answers so far depend on besides the paths asked."""
        return list(self._specs), list(self._top)

    def ignored(self, absolute: str, is_dir: bool) -> bool:
        chain = self._chain(os.path.dirname(absolute))
        for folder, spec in chain:
            rel = relative_path(absolute, folder).replace(os.sep, "/") + ("/" if is_dir else "")
            result = spec.check_file(rel)
            if result.include is not None:
                return bool(result.include)
        return False
