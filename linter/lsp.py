"""``peerlint lsp``: a language server that publishes peerlint's findings as
diagnostics while files are edited (stdio; pygls, imported only by ``serve``).

Cross-file rules need the whole project, so the workspace folder is read and parsed
once, when the editor connects; afterwards only the document being edited is parsed
again, from the editor's buffer (not the file on disk), and the rules run over the
project with that text. Diagnostics are published for every open document on open,
change and save, since an edit in one file can raise or clear findings in another.

Ranges are exact: peerlint's spans are 1-based code points with an exclusive end;
LSP positions are 0-based lines and UTF-16 code units, converted with the line's text.
Each diagnostic's ``code`` is the rule code and ``codeDescription.href`` its page in
docs/rules.md; related locations become ``relatedInformation``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from linter.api import Finding
from linter.config import CONFIG_NAMES, Config, ConfigError, load_config
from linter.discover import display_path, iter_files
from linter.load.source import SourceText
from linter.nodes import Span
from linter.parse import SUFFIXES, Parsed, parse_text

if TYPE_CHECKING:
    from linter.engine import Result

SEVERITY = {"error": 1, "warning": 2, "note": 3}  # lsprotocol DiagnosticSeverity values
DEBOUNCE_SECONDS = 0.15  # while typing, lint once the keystrokes pause


def utf16_col(line_text: str, col: int) -> int:
    """The UTF-16 offset of 1-based code-point column ``col`` in ``line_text``."""
    prefix = line_text[: max(col - 1, 0)]
    return len(prefix.encode("utf-16-le")) // 2 + max(col - 1 - len(prefix), 0)


def lsp_range(span: Span, text: str | None) -> dict[str, dict[str, int]]:
    """A peerlint span as an LSP range (0-based lines, UTF-16 characters)."""
    lines = (text or "").split("\n")

    def pos(line: int, col: int) -> dict[str, int]:
        line_text = lines[line - 1] if 0 < line <= len(lines) else ""
        return {"line": max(line - 1, 0), "character": utf16_col(line_text, col)}

    return {"start": pos(span.line, span.col), "end": pos(span.end_line, span.end_col)}


def _normalize(text: str) -> str:
    """Editor text as peerlint reads files (linter.load.source.read_source): no BOM, LF only."""
    return text.lstrip("\ufeff").replace("\r\n", "\n")


@dataclass
class Workspace:
    """The project as the editor sees it: files parsed from disk once, open documents
    parsed from their buffers. Paths are display paths (relative to ``root``, which
    the server makes its working directory)."""

    root: str
    config: Config = field(default_factory=Config)
    config_error: ConfigError | None = None
    disk: dict[str, tuple[SourceText, Parsed | None]] = field(default_factory=dict)
    buffers: dict[str, tuple[SourceText, Parsed]] = field(default_factory=dict)
    rules: dict[str, Any] = field(default_factory=dict)

    def load(self) -> None:
        """Read the configuration, the rules and every file under the root, once."""
        from linter.load import parse_one
        from linter.registry import load_rules

        self.rules = self.rules or load_rules()
        try:
            self.config, self.config_error = load_config(self.root), None
        except ConfigError as err:
            self.config, self.config_error = Config(root=self.root), err
        self.disk = {}
        for path in iter_files(
            [self.root],
            self.config.root,
            self.config.include,
            self.config.exclude,
            respect_gitignore=self.config.respect_gitignore,
        ):
            _, source, parsed = parse_one(path, self.config.max_file_size)
            self.disk[source.path] = (source, parsed)

    def reread(self, path: str) -> None:
        """A file changed on disk (saved elsewhere, or closed in the editor)."""
        from linter.load import parse_one

        shown = display_path(path)
        if os.path.exists(path) and path.lower().endswith(SUFFIXES):
            _, source, parsed = parse_one(path, self.config.max_file_size)
            self.disk[shown] = (source, parsed)
        else:
            self.disk.pop(shown, None)

    def set_buffer(self, path: str, text: str) -> str:
        shown = display_path(path)
        text = _normalize(text)
        self.buffers[shown] = (SourceText(shown, text), parse_text(shown, text))
        return shown

    def close(self, path: str) -> None:
        self.buffers.pop(display_path(path), None)
        self.reread(path)

    def lint(self) -> Result:
        """The rules over disk files overlaid with the open buffers."""
        from linter.engine import Result, run_rules
        from linter.project import Project

        merged = {**self.disk, **self.buffers}
        project = Project.from_files(self.config, (merged[path] for path in sorted(merged)))
        findings, internal = run_rules(project, self.rules)
        return Result.of(project, findings, self.rules, internal)


def diagnostics(result: Result, path: str) -> list[dict[str, Any]]:
    """The LSP diagnostics (as JSON-shaped dicts) for the findings in ``path``."""
    texts = result.texts
    out = []
    for f in result.findings:
        if f.path != path:
            continue
        out.append(_diagnostic(f, result, texts))
    return out


def _diagnostic(f: Finding, result: Result, texts: dict[str, str]) -> dict[str, Any]:
    from pathlib import Path

    diag: dict[str, Any] = {
        "range": lsp_range(f.span, texts.get(f.path)),
        "severity": SEVERITY.get(f.severity, 1),
        "code": f.code,
        "source": "peerlint",
        "message": f.message + (f"\nFix: {f.fix_text}" if f.fix_text else ""),
    }
    rule = result.rules.get(f.code)
    if rule is not None:
        diag["codeDescription"] = {"href": rule.help_uri()}
    if f.related:
        diag["relatedInformation"] = [
            {
                "location": {
                    "uri": Path(os.path.abspath(r.path)).as_uri(),
                    "range": lsp_range(r.span, texts.get(r.path)),
                },
                "message": r.message or "related",
            }
            for r in f.related
        ]
    return diag


def config_diagnostic(err: ConfigError) -> dict[str, Any]:
    line = max(err.line - 1, 0)
    return {
        "range": {"start": {"line": line, "character": 0}, "end": {"line": line + 1, "character": 0}},
        "severity": 1,
        "source": "peerlint",
        "message": f"peerlint config error: {err}",
    }


def serve() -> int:
    """Run the server on stdin/stdout until the editor says exit."""
    try:
        from lsprotocol import types
        from lsprotocol.converters import get_converter
        from pygls.lsp.server import LanguageServer
    except ImportError as err:
        import sys

        print(f"peerlint: the language server needs pygls>=2 ({err})", file=sys.stderr)
        return 2
    from linter import __version__

    server = LanguageServer("peerlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    state: dict[str, Any] = {"ws": None, "uris": {}, "published": set()}

    def workspace() -> Workspace:
        if state["ws"] is None:
            root = server.workspace.root_path or os.getcwd()
            os.chdir(root)  # display paths (and so finding paths) are relative to the root
            ws = Workspace(root)
            try:
                ws.load()
            except Exception as err:  # a broken rule plugin: say so, keep the editor alive
                server.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"peerlint: {err}"))
                ws.rules = ws.rules or {}
            state["ws"] = ws
            if ws.config_error is not None:
                server.window_show_message(
                    types.ShowMessageParams(types.MessageType.Error, f"peerlint: {ws.config_error}")
                )
        return state["ws"]

    convert = get_converter()

    def publish() -> None:
        ws = workspace()
        result = ws.lint()
        uris: dict[str, str] = state["uris"]
        for path, uri in uris.items():
            items = [convert.structure(d, types.Diagnostic) for d in diagnostics(result, path)]
            server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=items))
        if ws.config_error is not None and ws.config_error.path:
            from pathlib import Path

            uri = Path(os.path.abspath(ws.config_error.path)).as_uri()
            diag = convert.structure(config_diagnostic(ws.config_error), types.Diagnostic)
            server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[diag]))

    def publish_soon() -> None:
        """Coalesce a burst of changes into one lint (each lint runs every rule)."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            publish()
            return
        if state.get("timer") is not None:
            state["timer"].cancel()
        state["timer"] = loop.call_later(DEBOUNCE_SECONDS, publish)

    def ours(uri: str) -> str | None:
        from pygls.uris import to_fs_path

        path = to_fs_path(uri)
        return path if path and path.lower().endswith(SUFFIXES) else None

    def is_config(uri: str) -> bool:
        from pygls.uris import to_fs_path

        return os.path.basename(to_fs_path(uri) or "") in CONFIG_NAMES

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: Any, params: types.DidOpenTextDocumentParams) -> None:
        path = ours(params.text_document.uri)
        if path is None:
            return
        shown = workspace().set_buffer(path, params.text_document.text)
        state["uris"][shown] = params.text_document.uri
        publish()

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: Any, params: types.DidChangeTextDocumentParams) -> None:
        path = ours(params.text_document.uri)
        if path is None:
            return
        document = server.workspace.get_text_document(params.text_document.uri)
        workspace().set_buffer(path, document.source)
        publish_soon()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.TextDocumentSaveRegistrationOptions(include_text=True))
    def did_save(ls: Any, params: types.DidSaveTextDocumentParams) -> None:
        if is_config(params.text_document.uri):
            workspace().load()  # new clusters, peerings or selections change everything
            publish()
            return
        path = ours(params.text_document.uri)
        if path is None:
            return
        text = (
            params.text
            if params.text is not None
            else server.workspace.get_text_document(params.text_document.uri).source
        )
        workspace().set_buffer(path, text)
        publish()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: Any, params: types.DidCloseTextDocumentParams) -> None:
        path = ours(params.text_document.uri)
        if path is None:
            return
        ws = workspace()
        shown = display_path(path)
        ws.close(path)
        state["uris"].pop(shown, None)
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )
        publish()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: Any, params: types.DidChangeWatchedFilesParams) -> None:
        from pygls.uris import to_fs_path

        ws = workspace()
        if any(is_config(change.uri) for change in params.changes):
            ws.load()
        else:
            for change in params.changes:
                path = to_fs_path(change.uri)
                if path:
                    ws.reread(path)
        publish()

    server.start_io()
    return 0
