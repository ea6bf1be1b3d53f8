"""The language server's projects (``peerlint lsp``), without any protocol: which
project each open document belongs to, what is read from disk, and the lint.

- Each document belongs to the project of its **nearest configuration**
  (``peerlint.toml``, ``.peerlint.toml``, ``[tool.peerlint]``), so one workspace may
  hold several projects (a monorepo) and each is linted with its own settings.
- Without one, to the deepest **workspace folder** holding it.
- Without either (an editor started with no root, a file opened from elsewhere): the
  open documents of that folder alone. Nothing is ever read from the server's working
  directory or from ``/``.

A project is read from disk once, when its first document opens (through the on-disk
parse cache, as ``peerlint check`` reads it); afterwards files changed on disk are read
again one by one, and open documents are linted from the editor's buffers.
Paths are absolute everywhere (several folders cannot share one working directory).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable

from linter.commands.common import within
from linter.config import CONFIG_NAMES, Config, ConfigError, find_config, load_config
from linter.discover import iter_files
from linter.load.source import SourceText
from linter.parse import SUFFIXES, Parsed, parse_text

#: progress(message, percentage) while a project is read for the first time
Progress = Callable[[str, int], None]


def _normalize(text: str) -> str:
    """Editor text as peerlint reads files (linter.load.source): no BOM, LF only."""
    return text.lstrip("\ufeff").replace("\r\n", "\n")


def is_config_file(path: str) -> bool:
    return os.path.basename(path) in CONFIG_NAMES


def is_candidate(path: str) -> bool:
    return path.lower().endswith(SUFFIXES)


@dataclass
class EditorProject:
    """One project: its configuration, its files on disk, and the open documents in it."""

    root: str  # absolute; the configuration's folder, a workspace folder, or a loose folder
    scan: bool  # False: a loose folder, only its open documents are linted
    config: Config = field(default_factory=Config)
    config_error: ConfigError | None = None
    disk: dict[str, tuple[SourceText, Parsed | None]] = field(default_factory=dict)
    loaded: bool = False
    #: Files changed since the last lint (absolute), and what that lint left for the
    #: next one: each file's piece (linter.commands.pieces), each file's kinds and
    #: clusters and each rule's findings (linter.rerun).
    dirty: set[str] = field(default_factory=set)
    assembler: Any = None
    last: Any = None
    fresh: bool = False  # read from disk since the editor last settled (Editor.settle)

    def load(self, cache_dir: Callable[[Config], str | None], progress: Progress | None = None) -> None:
        """Read the configuration and every file of the project (parse cache reused)."""
        from linter.config import RunOptions
        from linter.load import parse_all

        self.assembler, self.last, self.dirty = None, None, set()  # a full lint next
        self.fresh = True
        try:
            self.config, self.config_error = load_config(self.root), None
        except ConfigError as err:
            self.config, self.config_error = Config(root=self.root), err
        if not self.scan:
            self.config = Config(root=self.root) if self.config.path is None else self.config
            self.disk, self.loaded = {}, True
            return
        files = list(
            iter_files(
                [self.root],
                self.config.root,
                self.config.include,
                self.config.exclude,
                respect_gitignore=self.config.respect_gitignore,
            )
        )
        if progress is not None:
            progress(f"reading {len(files)} files in {self.root}", 10)
        folder = cache_dir(self.config)
        options = RunOptions(cache_dir=folder) if folder else RunOptions()
        from linter import safety

        safety.confine([self.root])  # symlinks are followed only into this project (issue #21)
        self.disk = {}
        from linter.load.gcpause import gc_paused

        with gc_paused():  # (the collector walking the growing project: 0.8 s became 3.6 s at 10,000 files)
            for _path, source, parsed in parse_all(files, self.config, options):
                self.disk[os.path.abspath(source.path)] = (source, parsed)
        self.loaded = True
        if progress is not None:
            progress("linting", 80)

    def reread(self, path: str) -> None:
        """A file of this project changed on disk (or was created or deleted)."""
        from linter import safety
        from linter.load import parse_one

        if not self.scan or not is_candidate(path):
            return
        self.dirty.add(path)
        # a watcher may report, or an editor close, a file that resolves outside the
        # project (a committed symlink): never read it (issue #21)
        if os.path.isfile(path) and safety.inside(path, [self.root]):
            safety.confine([self.root])
            _, source, parsed = parse_one(path, self.config.max_file_size)
            self.disk[path] = (source, parsed)
        else:
            self.disk.pop(path, None)


@dataclass
class Editor:
    """Every project the open documents need, and the buffers."""

    folders: list[str] = field(default_factory=list)  # absolute workspace folders
    projects: dict[str, EditorProject] = field(default_factory=dict)  # by root
    buffers: dict[str, tuple[SourceText, Parsed]] = field(default_factory=dict)  # by absolute path
    owner: dict[str, str] = field(default_factory=dict)  # open document -> project root
    rules: dict[str, Any] = field(default_factory=dict)
    cache_dir: Callable[[Config], str | None] = lambda config: None
    settled: bool = False  # something was frozen (Editor.settle)

    # --- which project -------------------------------------------------------------
    def root_for(self, path: str) -> tuple[str, bool]:
        """(project root, read it from disk?) for a document (see the module's docstring)."""
        config = find_config(path)
        if config is not None:
            return os.path.dirname(os.path.abspath(config)), True
        folders = [f for f in self.folders if within(path, f) and f != os.sep]
        if folders:
            return max(folders, key=len), True
        return os.path.dirname(path), False

    def project_of(self, path: str, progress: Progress | None = None) -> EditorProject:
        root, scan = self.root_for(path)
        project = self.projects.get(root)
        if project is None or project.scan != scan:
            project = self.projects[root] = EditorProject(root, scan)
        if not project.loaded:
            project.load(self.cache_dir, progress)
        self.owner[path] = root
        return project

    def regroup(self) -> set[str]:
        """After workspace folders or configurations changed: every open document
        assigned again, projects no open document needs dropped. The roots to lint."""
        for path in list(self.owner):
            root, scan = self.root_for(path)
            if root not in self.projects or self.projects[root].scan != scan:
                self.projects[root] = EditorProject(root, scan)
            self.owner[path] = root
        needed = set(self.owner.values())
        for root in list(self.projects):
            if root not in needed:
                del self.projects[root]
        return needed

    # --- documents -----------------------------------------------------------------
    def set_buffer(self, path: str, text: str) -> str:
        """An open document's text (the buffer wins over the disk). Its project root."""
        text = _normalize(text)
        shown = self._shown(path)
        self.buffers[path] = (SourceText(shown, text), parse_text(shown, text))
        root = self.owner.get(path) or self.project_of(path).root
        self.projects[root].dirty.add(path)
        return root

    def close(self, path: str) -> str | None:
        """A document closed: the disk's version counts again. Its project root."""
        self.buffers.pop(path, None)
        root = self.owner.pop(path, None)
        if root is not None and root in self.projects:
            self.projects[root].dirty.add(path)  # its buffer is gone (a loose project forgets it)
            self.projects[root].reread(path)
            if root not in self.owner.values():
                del self.projects[root]  # no open document needs it any more
                return None
        return root

    def disk_changed(self, path: str) -> set[str]:
        """A file changed on disk (file watchers). The roots to lint again."""
        if is_config_file(path):
            for project in self.projects.values():
                project.loaded = False
            return self.regroup()
        touched = set()
        for root, project in self.projects.items():
            if project.loaded and project.scan and within(path, root):
                project.reread(path)
                touched.add(root)
        return touched

    def documents_of(self, root: str) -> list[str]:
        return sorted(p for p, r in self.owner.items() if r == root)

    @staticmethod
    def _shown(path: str) -> str:
        from linter.discover import display_path

        return display_path(path)

    # --- linting -------------------------------------------------------------------
    def relint_with(self, root: str, path: str, text: str) -> list:
        """The findings the project would have if the document ``path`` held ``text``
        (a fix-all round, linted before the editor applies it): a full lint that
        leaves the buffers and the incremental state as they are."""
        from linter.engine import run_rules
        from linter.project import Project

        project = self.projects[root]
        merged: dict[str, tuple[SourceText, Parsed | None]] = dict(project.disk)
        for other in self.documents_of(root):
            if other in self.buffers:
                merged[other] = self.buffers[other]
        shown = self._shown(path)
        merged[path] = (SourceText(shown, text), parse_text(shown, text))
        built = Project.from_files(project.config, (merged[p] for p in sorted(merged)))
        return run_rules(built, self.rules)[0]

    def lint(self, root: str, progress: Progress | None = None):
        """The rules over one project: its disk files overlaid with its open buffers."""
        from linter.load.gcpause import collector_paused

        with collector_paused():
            return self._lint(root, progress)

    def settle(self) -> None:
        """After a project was read (and linted): freeze what is there (its files' trees),
        so later collections never walk it again; an edit's garbage is collected as usual.
        From the second time on, what was frozen is collected first (a project read again
        after its configuration changed leaves the old one behind; 2 s at 10,000 files,
        so not the first time). Freezing after each lint instead left the collector's
        counts at zero: garbage with cycles (every replaced parse tree) was never freed."""
        from linter.load.gcpause import freeze_project

        if any(project.fresh for project in self.projects.values()):
            freeze_project(collect_first=self.settled)
            self.settled = True
            for project in self.projects.values():
                project.fresh = False

    def _lint(self, root: str, progress: Progress | None):
        """Only what the changed files reach is derived again (linter.commands.pieces,
        linter.rerun)."""
        from linter.commands.pieces import Assembler
        from linter.engine import Result, offload_rules, run_rule, run_rules, selected_codes
        from linter.rerun import Last, plan

        project = self.projects[root]
        if not project.loaded:
            project.load(self.cache_dir, progress)
        merged: dict[str, tuple[SourceText, Parsed | None]] = dict(project.disk)
        for path in self.documents_of(root):
            if path in self.buffers:
                merged[path] = self.buffers[path]
        if project.assembler is None:
            project.assembler, project.last = Assembler(project.config), None
        built, changed, same = project.assembler.assemble([merged[path] for path in sorted(merged)])
        now = Last.of(built)
        reuse = None
        if project.last is not None:
            reuse = plan(built, self.rules, project.last, now, changed, same, run_rule=run_rule)
        offload = None
        if reuse is None:  # a whole lint (the first): rules that never read the graph on another core
            offload = offload_rules(built, self.rules, selected_codes(self.rules, built.config, (), ()))
        findings, internal = run_rules(built, self.rules, offload=offload, reuse=reuse, record=now.findings)
        now.record_graph(built)
        project.last, project.dirty = now, set()
        return Result.of(built, findings, self.rules, internal)
