"""`peerlint lsp` in real workspaces, driven by a real LSP client (pytest-lsp's, the
server a subprocess over stdio started with --stdio): several workspace folders,
added and removed; a monorepo with one configuration per project; no root at all;
files changed on disk (file watchers); $/progress during the first load; hover on a
diagnostic; the suppress-with-a-reason code action; a fix that creates a file."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient, make_test_lsp_client

EXPORTS = (
    'Kind = "exported-services"\nName = "default"\nServices = [{ Name = "web", Consumers = [{ Peer = "dc2" }] }]\n'
)
INTENTIONS = 'Kind = "service-intentions"\nName = "web"\nSources = [{ Name = "*", Peer = "dc2", Action = "allow" }]\n'

CAPABILITIES = types.ClientCapabilities(
    window=types.WindowClientCapabilities(work_done_progress=True),
    workspace=types.WorkspaceClientCapabilities(
        workspace_folders=True,
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True),
    ),
)


@contextlib.asynccontextmanager
async def server(
    cwd: Path, folders: list[Path], root: Path | None = None, capabilities: types.ClientCapabilities = CAPABILITIES
):
    """A started and initialized server (working directory ``cwd``); the client
    records the capabilities the server registers."""
    client = make_test_lsp_client()
    client.registrations = []  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    await client.start_io(sys.executable, "-m", "linter", "lsp", "--stdio", cwd=str(cwd))
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities,
                root_uri=root.as_uri() if root else None,
                workspace_folders=[types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders] or None,
            )
        )
        yield client
        await client.shutdown_session()
    except BaseException:
        # a failed assertion: the server was never told to exit, so stop() would wait
        # for it forever; end it so the test fails instead of hanging CI
        process = getattr(client, "_server", None)
        if process is not None and process.returncode is None:
            process.kill()
        raise
    finally:
        await asyncio.wait_for(client.stop(), 60)


async def published(client: LanguageClient, uri: str, send=None) -> list[types.Diagnostic]:
    client.diagnostics.pop(uri, None)
    if send is not None:
        send()
    for _ in range(300):
        if uri in client.diagnostics:
            return client.diagnostics[uri]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no diagnostics published for {uri}")


def opened(client: LanguageClient, path: Path, text: str | None = None):
    text = path.read_text() if text is None else text
    return lambda: client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=path.as_uri(), language_id="hcl", version=1, text=text)
        )
    )


def codes(diags) -> list[str]:
    return sorted(str(d.code) for d in diags)


def project(folder: Path, intentions: bool = True) -> Path:
    folder.mkdir(parents=True)
    (folder / "exports.hcl").write_text(EXPORTS)
    if intentions:
        (folder / "intentions.hcl").write_text(INTENTIONS)
    return folder


@pytest.mark.asyncio
async def test_two_workspace_folders_added_and_removed(tmp_path: Path) -> None:
    a, b = project(tmp_path / "a"), project(tmp_path / "b")
    async with server(tmp_path, [a]) as client:
        assert codes(await published(client, (a / "exports.hcl").as_uri(), opened(client, a / "exports.hcl"))) == []
        # b is no folder yet and has no configuration: its open document alone (its
        # intentions on disk are not read), so the export is not allowed
        b_exports = (b / "exports.hcl").as_uri()
        assert codes(await published(client, b_exports, opened(client, b / "exports.hcl"))) == ["PL401"]

        def change(added, removed):
            event = types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in added],
                removed=[types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in removed],
            )
            return lambda: client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(event))

        assert codes(await published(client, b_exports, change([b], []))) == []  # b's folder read
        assert codes(await published(client, b_exports, change([], [b]))) == ["PL401"]


@pytest.mark.asyncio
async def test_each_document_gets_its_nearest_configuration(tmp_path: Path) -> None:
    """A monorepo: team-a's intentions are not team-b's, and each has its settings."""
    a = project(tmp_path / "team-a")
    b = project(tmp_path / "team-b", intentions=False)
    (a / "peerlint.toml").write_text('edition = "ce"\n')
    (b / "peerlint.toml").write_text('edition = "ce"\n')
    async with server(tmp_path, [tmp_path]) as client:
        assert codes(await published(client, (a / "exports.hcl").as_uri(), opened(client, a / "exports.hcl"))) == []
        b_exports = (b / "exports.hcl").as_uri()
        assert codes(await published(client, b_exports, opened(client, b / "exports.hcl"))) == ["PL401"]
        # team-b turns PL401 off: saving its configuration regroups and re-lints
        (b / "peerlint.toml").write_text('edition = "ce"\n[severity]\nPL401 = "off"\n')
        save = lambda: client.text_document_did_save(
            types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=(b / "peerlint.toml").as_uri()))
        )
        assert codes(await published(client, b_exports, save)) == []


@pytest.mark.asyncio
async def test_no_root_never_reads_the_working_directory(tmp_path: Path) -> None:
    cwd = project(tmp_path / "cwd")
    (cwd / "broken.hcl").write_text("Kind = \n")
    async with server(cwd, []) as client:
        # no root: the open document alone, even in the server's own folder (whose
        # intentions would otherwise allow the export)
        exports = (cwd / "exports.hcl").as_uri()
        assert codes(await published(client, exports, opened(client, cwd / "exports.hcl"))) == ["PL401"]
        assert (cwd / "broken.hcl").as_uri() not in client.diagnostics
        assert not client.progress_reports  # nothing was read from disk
        # ... unless a configuration makes it a project: then that project is read
        other = project(tmp_path / "configured")
        (other / "peerlint.toml").write_text('edition = "ce"\n')
        uri = (other / "exports.hcl").as_uri()
        assert codes(await published(client, uri, opened(client, other / "exports.hcl"))) == []


@pytest.mark.asyncio
async def test_files_changed_on_disk_progress_and_watchers(tmp_path: Path) -> None:
    ws = project(tmp_path / "ws")
    async with server(tmp_path, [ws]) as client:
        exports = (ws / "exports.hcl").as_uri()
        assert codes(await published(client, exports, opened(client, ws / "exports.hcl"))) == []
        # the first load reported $/progress, begin to end
        (reports,) = client.progress_reports.values()
        assert isinstance(reports[0], types.WorkDoneProgressBegin) and isinstance(
            reports[-1], types.WorkDoneProgressEnd
        )
        # the server asked to watch Consul files and configurations
        (registration,) = client.registrations  # type: ignore[attr-defined]
        assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        # the intention is changed on disk (not open): the export is flagged
        (ws / "intentions.hcl").write_text(INTENTIONS.replace('"dc2"', '"dc3"'))
        changed = lambda kind: (
            lambda: client.workspace_did_change_watched_files(
                types.DidChangeWatchedFilesParams([types.FileEvent(uri=(ws / "intentions.hcl").as_uri(), type=kind)])
            )
        )
        assert codes(await published(client, exports, changed(types.FileChangeType.Changed))) == ["PL401"]
        (ws / "intentions.hcl").write_text(INTENTIONS)
        assert codes(await published(client, exports, changed(types.FileChangeType.Changed))) == []
        (ws / "intentions.hcl").unlink()
        assert codes(await published(client, exports, changed(types.FileChangeType.Deleted))) == ["PL401"]


@pytest.mark.asyncio
async def test_hover_and_suppress_with_a_reason(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    path = ws / "kind.hcl"
    text = 'Name = "global"\n  Kind = "proxy-default"\n'
    async with server(tmp_path, [ws]) as client:
        (diag,) = await published(client, path.as_uri(), opened(client, path, text))
        assert diag.code == "PL002"
        hover = await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri=path.as_uri()), diag.range.start)
        )
        assert "**PL002**" in hover.contents.value and "docs/rules/PL002-unknown-kind.md" in hover.contents.value
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                types.TextDocumentIdentifier(uri=path.as_uri()), diag.range, types.CodeActionContext([diag])
            )
        )
        (action,) = [a for a in actions if "suppress PL002" in a.title]
        (edit,) = action.edit.changes[path.as_uri()]
        assert (edit.range.start.line, edit.range.start.character) == (1, 0)
        assert edit.new_text == "  # peerlint: ignore[PL002] REASON: why this is safe\n"
        # applied, the finding is suppressed (with a reason: no PL003 either)
        lines = text.split("\n")
        suppressed = "\n".join(lines[:1] + [edit.new_text.rstrip("\n")] + lines[1:])
        change = lambda: client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=2),
                [types.TextDocumentContentChangeWholeDocument(text=suppressed)],
            )
        )
        assert codes(await published(client, path.as_uri(), change)) == []


CREATES = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        workspace_folders=True,
        workspace_edit=types.WorkspaceEditClientCapabilities(
            document_changes=True, resource_operations=[types.ResourceOperationKind.Create]
        ),
    ),
)


@pytest.mark.asyncio
async def test_a_fix_that_creates_a_file(tmp_path: Path) -> None:
    """PL401 with no intentions entry for the destination: the quick fix creates one
    (a CreateFile that never overwrites, then its text), for a client that can; a client
    that cannot create files is offered no such edit."""
    ws = tmp_path / "ws"
    shutil.copytree(Path(__file__).parent / "fixtures" / "PL401" / "vm-no-intentions-entry", ws)
    os.unlink(ws / "expected.txt")
    exports = ws / "cluster-01" / "exported-services.hcl"
    created = ws / "cluster-01" / "intentions-backend-service.hcl"
    for capabilities, can in ((CREATES, True), (CAPABILITIES, False)):
        async with server(tmp_path, [ws], capabilities=capabilities) as client:
            (diag,) = await published(client, exports.as_uri(), opened(client, exports))
            assert diag.code == "PL401"
            actions = await client.text_document_code_action_async(
                types.CodeActionParams(
                    types.TextDocumentIdentifier(uri=exports.as_uri()), diag.range, types.CodeActionContext([diag])
                )
            )
            fixes = [a for a in actions if a.title.startswith("peerlint PL401:")]
            if not can:
                assert fixes == []
                continue
            (action,) = fixes
            assert action.title.endswith("(unsafe: changes behaviour)") and not action.is_preferred
            create, text = action.edit.document_changes
            assert isinstance(create, types.CreateFile) and create.uri == created.as_uri()
            assert create.options.overwrite is False and create.options.ignore_if_exists is False
            assert text.text_document.uri == created.as_uri()
            (edit,) = text.edits
            assert (edit.range.start.line, edit.range.start.character, edit.range.end.line) == (0, 0, 0)
            assert edit.new_text.startswith('Kind = "service-intentions"\nName = "backend-service"\n')
            assert 'Peer = "cluster-02"' in edit.new_text
    assert not created.exists()  # the editor applies the edit; the server writes nothing
