"""The language server's protocol wiring (pygls 2): which notifications and requests
``peerlint lsp`` answers and what each does. The projects and the lint are
:mod:`linter.commands.editor`'s; diagnostics, hover text and edits are
:mod:`linter.lsp`'s."""

from __future__ import annotations

import asyncio
import itertools
import os
from pathlib import Path
from typing import Any

from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from linter import __version__
from linter.commands.editor import Editor, is_candidate, is_config_file
from linter.lsp import (
    DEBOUNCE_SECONDS,
    config_diagnostic,
    creates_files,
    diagnostics,
    findings_at,
    fix_workspace_edit,
    hover_markdown,
    suppress_edit,
)

WATCHERS = ("**/*.{hcl,json,yaml,yml}", "**/{peerlint.toml,.peerlint.toml,pyproject.toml}")
COMMENTS = (".hcl", ".yaml", ".yml", ".tf")  # files a `#` suppression comment can go in


def _path(uri: str) -> str | None:
    path = to_fs_path(uri)
    return os.path.abspath(path) if path else None


def _uri(path: str) -> str:
    return Path(os.path.abspath(path)).as_uri()


def _cache_dir(config) -> str | None:
    from linter.load.cache import default_cache_dir

    try:
        return default_cache_dir(config)
    except Exception:  # an unwritable project: parse without the cache
        return None


class PeerlintServer(LanguageServer):
    """A LanguageServer with the editor's projects and the last lint of each."""

    def __init__(self) -> None:
        super().__init__("peerlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.editor = Editor(cache_dir=_cache_dir)
        self.results: dict[str, Any] = {}  # project root -> last Result
        self.published: dict[str, set[str]] = {}  # project root -> URIs given diagnostics
        self.linted_at: dict[str, float] = {}  # project root -> when its last lint ended (loop time)
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.tokens = itertools.count(1)
        self.convert = get_converter()
        self.started = False
        #: the last fix-all answer: ((uri, buffer text), the lint it came from, action)
        self.fix_all_memo: tuple[tuple[str, str], Any, Any] | None = None

    # --- set-up --------------------------------------------------------------------
    def start(self) -> None:
        """Workspace folders from the client; never the working directory. Once,
        before whatever comes first (``initialized`` runs as a task: a ``didOpen``
        right behind it may be handled before it)."""
        from linter.registry import load_rules

        if self.started:
            return
        self.started = True

        folders = [_path(f.uri) for f in self.workspace.folders.values()]
        if not folders and self.workspace.root_path:
            folders = [os.path.abspath(self.workspace.root_path)]
        self.editor.folders = [f for f in folders if f and f != os.sep]
        if self.editor.folders:
            os.chdir(self.editor.folders[0])  # shorter paths in messages; every key is absolute
        try:
            self.editor.rules = load_rules()
        except Exception as err:  # a broken rule plugin: say so, keep the editor alive
            self.show(f"peerlint: {err}")

    def show(self, message: str) -> None:
        self.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))

    def can_create_files(self) -> bool:
        """Whether the client applies workspace edits that create files
        (``documentChanges`` with the ``create`` resource operation)."""
        edit = getattr(getattr(self.client_capabilities, "workspace", None), "workspace_edit", None)
        operations = getattr(edit, "resource_operations", None) or ()
        return bool(getattr(edit, "document_changes", False)) and any(
            str(getattr(op, "value", op)) == "create" for op in operations
        )

    def supports(self, *names: str) -> bool:
        node: Any = self.client_capabilities
        for name in names:
            node = getattr(node, name, None)
            if node is None:
                return False
        return bool(node)

    # --- linting and publishing -------------------------------------------------------
    def publish(self, root: str) -> None:
        """Lint one project; diagnostics for each of its open documents (and clear
        the ones it published before that are no longer its)."""
        from linter.discover import display_path

        self.timers.pop(root, None)
        if root not in self.editor.projects:
            return
        result = self.editor.lint(root)
        self.results[root] = result
        uris = set()
        for path in self.editor.documents_of(root):
            uri = _uri(path)
            uris.add(uri)
            items = [self.convert.structure(d, types.Diagnostic) for d in diagnostics(result, display_path(path))]
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=items))
        for uri in self.published.get(root, set()) - uris:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        error = self.editor.projects[root].config_error
        if error is not None and error.path:
            uri = _uri(error.path)
            uris.add(uri)
            diag = self.convert.structure(config_diagnostic(error), types.Diagnostic)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[diag]))
        self.published[root] = uris
        self.editor.settle()  # after a project's first lint, its trees leave the collector's sight
        try:
            self.linted_at[root] = asyncio.get_running_loop().time()
        except RuntimeError:
            pass

    def publish_soon(self, root: str) -> None:
        """Coalesce a burst of changes into one lint (each lint runs every rule)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.publish(root)
            return
        if root in self.timers:
            self.timers[root].cancel()
            delay = DEBOUNCE_SECONDS
        else:  # the first change after a pause is linted at once, the rest of a burst once it pauses
            quiet = loop.time() - self.linted_at.get(root, float("-inf")) >= DEBOUNCE_SECONDS
            delay = 0.0 if quiet else DEBOUNCE_SECONDS
        self.timers[root] = loop.call_later(delay, self.publish, root)

    def forget(self) -> None:
        """Clear what projects no longer open (or regrouped away) published."""
        for root in list(self.published):
            if root not in self.editor.projects:
                for uri in self.published.pop(root):
                    self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
                self.results.pop(root, None)

    async def open(self, path: str, text: str) -> str:
        """A document opened: its project read first (with $/progress), then linted."""
        root, scan = self.editor.root_for(path)
        project = self.editor.projects.get(root)
        progress = None
        if scan and (project is None or not project.loaded) and self.supports("window", "work_done_progress"):
            token = f"peerlint-load-{next(self.tokens)}"
            try:
                await self.work_done_progress.create_async(token)
            except Exception:
                token = None
            if token is not None:
                begin = types.WorkDoneProgressBegin(title="peerlint", message=f"loading {root}", percentage=0)
                self.work_done_progress.begin(token, begin)

                def progress(message: str, percentage: int, token: str = token) -> None:
                    report = types.WorkDoneProgressReport(message=message, percentage=percentage)
                    self.work_done_progress.report(token, report)

                try:
                    self.editor.project_of(path, progress)
                finally:
                    self.work_done_progress.end(token, types.WorkDoneProgressEnd(message="loaded"))
        return self.editor.set_buffer(path, text)


def build() -> PeerlintServer:
    """The server, every feature registered."""
    server = PeerlintServer()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: PeerlintServer, params: types.InitializedParams) -> None:
        ls.start()
        if ls.supports("workspace", "did_change_watched_files", "dynamic_registration"):
            watchers = [types.FileSystemWatcher(glob_pattern=g) for g in WATCHERS]
            registration = types.Registration(
                id="peerlint-watchers",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
            )
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
            except Exception as err:  # the client refused: files changed on disk are seen on save
                ls.show(f"peerlint: cannot watch files: {err}")

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: PeerlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.start()
        path = _path(params.text_document.uri)
        if path is None or not is_candidate(path):
            return
        ls.publish(await ls.open(path, params.text_document.text))

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PeerlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.start()
        path = _path(params.text_document.uri)
        if path is None or not is_candidate(path):
            return
        document = ls.workspace.get_text_document(params.text_document.uri)
        ls.publish_soon(ls.editor.set_buffer(path, document.source))

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.TextDocumentSaveRegistrationOptions(include_text=True))
    def did_save(ls: PeerlintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.start()
        path = _path(params.text_document.uri)
        if path is None:
            return
        if is_config_file(path):  # new clusters, peerings or selections change everything
            for root in ls.editor.disk_changed(path):
                ls.publish(root)
            ls.forget()
            return
        if not is_candidate(path):
            return
        text = (
            params.text if params.text is not None else ls.workspace.get_text_document(params.text_document.uri).source
        )
        ls.publish(ls.editor.set_buffer(path, text))

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PeerlintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.start()
        path = _path(params.text_document.uri)
        if path is None or not is_candidate(path):
            return
        root = ls.editor.close(path)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )
        for published in ls.published.values():
            published.discard(params.text_document.uri)
        if root is not None:
            ls.publish(root)
        ls.forget()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: PeerlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.start()
        roots: set[str] = set()
        for change in params.changes:
            path = _path(change.uri)
            if path is not None and path not in ls.editor.buffers:
                roots |= ls.editor.disk_changed(path)
        ls.forget()
        for root in sorted(roots):
            ls.publish(root)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders(ls: PeerlintServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        ls.start()
        removed = {_path(f.uri) for f in params.event.removed}
        added = [p for p in (_path(f.uri) for f in params.event.added) if p and p != os.sep]
        kept = [f for f in ls.editor.folders if f not in removed]
        ls.editor.folders = kept + [f for f in dict.fromkeys(added) if f not in kept]
        roots = ls.editor.regroup()
        ls.forget()
        for root in sorted(roots):
            ls.publish(root)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: PeerlintServer, params: types.HoverParams) -> types.Hover | None:
        ls.start()
        from linter.discover import display_path

        path = _path(params.text_document.uri)
        root = ls.editor.owner.get(path or "")
        result = ls.results.get(root or "")
        if path is None or result is None:
            return None
        found = findings_at(result, display_path(path), params.position.line, params.position.character)
        if not found:
            return None
        markdown = hover_markdown(found, result.rules)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]),
    )
    def code_action(ls: PeerlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        ls.start()
        from linter.discover import display_path

        path = _path(params.text_document.uri)
        result = ls.results.get(ls.editor.owner.get(path or "", ""))
        if path is None or result is None:
            return []
        shown = display_path(path)
        text = ls.workspace.get_text_document(params.text_document.uri).source.replace("\r\n", "\n")
        actions = []
        for diag in params.context.diagnostics:
            if diag.source != "peerlint" or not isinstance(diag.code, str):
                continue
            start = diag.range.start
            for f in findings_at(result, shown, start.line, start.character):
                if f.code != diag.code:
                    continue
                edits = fix_workspace_edit(f, result.texts)
                if edits and creates_files(f) and not _may_create(ls, f, path):
                    edits = {}  # the advice stays in the message
                if edits:
                    actions.append(
                        types.CodeAction(
                            title=(f"peerlint {f.code}: {f.fix.message}" if f.fix else f"peerlint {f.code}: fix")
                            + ("" if f.fix is None or f.fix.safe else " (unsafe: changes behaviour)"),
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diag],
                            is_preferred=bool(f.fix and f.fix.safe),
                            edit=ls.convert.structure(edits, types.WorkspaceEdit),
                        )
                    )
                rule = result.rules.get(f.code)
                if path.lower().endswith(COMMENTS) and f.suppressible and getattr(rule, "suppressible", True):
                    edit = suppress_edit(text, f.span.line - 1, f.code)
                    if edit is not None:
                        actions.append(
                            types.CodeAction(
                                title=f"peerlint: suppress {f.code} on this line, with a reason",
                                kind=types.CodeActionKind.QuickFix,
                                diagnostics=[diag],
                                edit=ls.convert.structure(
                                    {"changes": {params.text_document.uri: [edit]}}, types.WorkspaceEdit
                                ),
                            )
                        )
                break
        fix_all = _fix_all_safe(ls, result, path, shown, text, params.text_document.uri)
        if fix_all is not None:
            actions.append(fix_all)
        only = params.context.only
        if only:
            actions = [a for a in actions if any(str(a.kind).startswith(str(k)) for k in only)]
        return actions

    return server


def _may_create(ls: PeerlintServer, f: Any, path: str) -> bool:
    """Whether a fix's new files may be offered: the client can create files, and each
    is inside the document's project, in a folder that exists, where no file is and
    where the project's configuration lets peerlint read it (as ``check --fix``)."""
    from linter.fixing import creatable, read_by

    root = ls.editor.owner.get(path)
    project = ls.editor.projects.get(root or "")
    if not ls.can_create_files() or project is None:
        return False
    made = [os.path.abspath(e.path) for e in f.fix.edits if e.create]
    return all(creatable(p, project.root) and read_by(p, project.config) for p in made)


def _safe_here(findings: list, shown: str) -> list:
    """(code, fix) of the safe fixes (with edits, never a secret's) of findings in
    ``shown`` whose edits all stay in that document."""
    from linter.fixing import applicable

    return [
        (f.code, fix)
        for f, fix in ((f, applicable(f, unsafe=False)) for f in findings if f.path == shown)
        if fix is not None and all(e.path == shown and not e.create for e in fix.edits)
    ]


def _fix_all_safe(
    ls: PeerlintServer, result: Any, path: str, shown: str, text: str, uri: str
) -> types.CodeAction | None:
    """ "Fix all safe problems in this file": rounds of every safe fix whose edits stay
    in this document, the buffer linted again after each (one fix can reveal another:
    a renamed key lets its value be checked), until nothing changes or
    :data:`linter.fixing.MAX_ROUNDS` rounds have run, as ``check --fix`` does. One edit
    replacing the whole document; the server writes nothing. The answer is kept for
    the same buffer and lint (editors ask for code actions at every cursor move); none
    while the buffer is newer than the lint."""
    from linter.fixing import MAX_ROUNDS, apply_round

    memo = ls.fix_all_memo
    if memo is not None and memo[0] == (uri, text) and memo[1] is result:
        return memo[2]
    if result.texts.get(shown) != text:
        return None  # typed since the last lint (its spans are of another text): asked again after it
    findings = result.findings
    current = text
    root = ls.editor.owner.get(path)
    for round_ in range(MAX_ROUNDS):
        fixes = _safe_here(findings, shown)
        changed = apply_round({shown: current}, fixes)[0]
        if shown not in changed:
            break
        current = changed[shown]
        if root is None or round_ == MAX_ROUNDS - 1:
            break
        findings = ls.editor.relint_with(root, path, current)
    action = None
    if current != text:
        lines = text.split("\n")
        whole = {"start": {"line": 0, "character": 0}, "end": {"line": len(lines), "character": 0}}
        action = types.CodeAction(
            title="peerlint: Fix all safe problems in this file",
            kind=types.CodeActionKind.SourceFixAll,
            edit=ls.convert.structure({"changes": {uri: [{"range": whole, "newText": current}]}}, types.WorkspaceEdit),
        )
    ls.fix_all_memo = ((uri, text), result, action)
    return action


def serve() -> int:
    """Run the server on stdin/stdout until the editor says exit."""
    build().start_io()
    return 0
