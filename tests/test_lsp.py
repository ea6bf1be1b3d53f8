"""`peerlint lsp` driven by a real LSP client (pytest-lsp runs the server as a
subprocess over stdio): diagnostics on open, change and save, from the editor's
buffer rather than the disk, with cross-file context, exact UTF-16 ranges and rule
codes linking to their docs."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from linter.lsp import lsp_range, utf16_col
from linter.nodes import Span

EXPORTS = (
    'Kind = "exported-services"\nName = "default"\nServices = [{ Name = "web", Consumers = [{ Peer = "dc2" }] }]\n'
)
INTENTIONS = 'Kind = "service-intentions"\nName = "web"\nSources = [{ Name = "*", Peer = "dc2", Action = "allow" }]\n'


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "exports.hcl").write_text(EXPORTS)
    (tmp_path / "intentions.hcl").write_text(INTENTIONS)
    (tmp_path / "mesh.json").write_text('{"Kind": "mesh"}\n')
    return tmp_path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "linter", "lsp"]))
async def client(lsp_client: LanguageClient, workspace: Path):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def diagnostics_after(client: LanguageClient, uri: str, send) -> list[types.Diagnostic]:
    """Send a notification and wait until diagnostics for ``uri`` arrive."""
    client.diagnostics.pop(uri, None)
    send()
    for _ in range(200):
        if uri in client.diagnostics:
            return client.diagnostics[uri]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no diagnostics published for {uri}")


def open_doc(client: LanguageClient, path: Path, text: str, language: str = "hcl"):
    return lambda: client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=path.as_uri(), language_id=language, version=1, text=text)
        )
    )


def change_doc(client: LanguageClient, path: Path, text: str, version: int):
    return lambda: client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


@pytest.mark.asyncio
async def test_open_change_save_from_the_buffer(client: LanguageClient, workspace: Path) -> None:
    mesh = workspace / "mesh.json"
    # the buffer differs from the disk (clean) file: the buffer is what is linted;
    # the emoji before Kind is two UTF-16 code units, one code point
    buffer = '{"Note": "\U0001f600", "Kind": "Mesh"}\n'
    diags = await diagnostics_after(client, mesh.as_uri(), open_doc(client, mesh, buffer, "json"))
    (d,) = [d for d in diags if d.code == "PL002"]
    assert (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character) == (0, 23, 0, 29)
    assert d.severity == types.DiagnosticSeverity.Error and d.source == "peerlint"
    assert d.code_description.href.endswith("docs/rules/PL002-unknown-kind.md")
    assert "invalid config entry kind: Mesh" in d.message

    fixed = '{"Note": "\U0001f600", "Kind": "mesh"}\n'
    diags = await diagnostics_after(client, mesh.as_uri(), change_doc(client, mesh, fixed, 2))
    assert [d for d in diags if d.code == "PL002"] == []

    broken = '{"Kind": "mesh",\n'
    diags = await diagnostics_after(
        client,
        mesh.as_uri(),
        lambda: client.text_document_did_save(
            types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=mesh.as_uri()), text=broken)
        ),
    )
    assert [d.code for d in diags] == ["PL001"]
    assert mesh.read_text() == '{"Kind": "mesh"}\n'  # the server never writes files


@pytest.mark.asyncio
async def test_cross_file_context_and_other_open_documents(client: LanguageClient, workspace: Path) -> None:
    exports, intentions = workspace / "exports.hcl", workspace / "intentions.hcl"
    diags = await diagnostics_after(client, exports.as_uri(), open_doc(client, exports, EXPORTS))
    assert list(diags) == []  # the intention on disk (not open) allows dc2: the project is loaded
    await diagnostics_after(client, intentions.as_uri(), open_doc(client, intentions, INTENTIONS))
    # editing the intentions buffer raises a finding in the *other* open document
    client.diagnostics.pop(exports.as_uri(), None)
    await diagnostics_after(
        client, intentions.as_uri(), change_doc(client, intentions, INTENTIONS.replace('"dc2"', '"dc3"'), 2)
    )
    (d,) = [d for d in client.diagnostics[exports.as_uri()] if d.code == "PL401"]
    assert (d.range.start.line, d.range.start.character, d.range.end.character) == (2, 50, 55)


@pytest.mark.asyncio
async def test_suppression_comment_in_the_buffer(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "kind.hcl"
    text = 'Kind = "proxy-default" # peerlint: ignore[PL002] migrating\nName = "global"\n'
    diags = await diagnostics_after(client, path.as_uri(), open_doc(client, path, text))
    assert [d.code for d in diags] == []
    fixed = text.replace('"proxy-default"', '"proxy-defaults"')
    diags = await diagnostics_after(client, path.as_uri(), change_doc(client, path, fixed, 2))
    assert [(d.code, d.range.start.character) for d in diags] == [("PL003", fixed.index("PL002"))]


def test_utf16_conversion() -> None:
    assert utf16_col("a\U0001f600b", 3) == 3
    assert utf16_col("abc", 10) == 9
    assert lsp_range(Span(2, 2, 3, 1), "x\n\u00e9\U0001f600z\ny") == {
        "start": {"line": 1, "character": 1},
        "end": {"line": 2, "character": 0},
    }


@pytest.mark.asyncio
async def test_close_clears_and_burst_of_changes_ends_in_the_last_state(
    client: LanguageClient, workspace: Path
) -> None:
    path = workspace / "burst.hcl"
    await diagnostics_after(client, path.as_uri(), open_doc(client, path, 'Kind = "proxy-defaults"\nName = "global"\n'))
    client.diagnostics.pop(path.as_uri(), None)
    for version, kind in enumerate(("proxy-default", "proxy-defaul", "proxy-defau"), 2):
        change_doc(client, path, f'Kind = "{kind}"\nName = "global"\n', version)()
    last = re.compile(r"kind: proxy-defau\b")  # the last version's kind, not an earlier one
    for _ in range(200):
        diags = client.diagnostics.get(path.as_uri())
        if diags and last.search(diags[0].message):
            break
        await asyncio.sleep(0.05)
    diags = client.diagnostics[path.as_uri()]
    assert [d.code for d in diags] == ["PL002"] and last.search(diags[0].message)
    diags = await diagnostics_after(
        client,
        path.as_uri(),
        lambda: client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=path.as_uri()))
        ),
    )
    assert list(diags) == []


@pytest.mark.asyncio
async def test_code_actions_offer_each_fix_and_fix_all(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "mesh.hcl"
    text = 'Kind = "mesh"\nPeering {\n  PeerThroughMeshGateway = true\n}\n'
    diags = await diagnostics_after(client, path.as_uri(), open_doc(client, path, text))
    (d,) = [d for d in diags if d.code == "PL101"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and "suppress" not in a.title]
    assert [a.title for a in quick] == ['peerlint PL101: rename "PeerThroughMeshGateway" to "PeerThroughMeshGateways"']
    assert quick[0].is_preferred
    (edit,) = quick[0].edit.changes[path.as_uri()]
    assert (edit.range.start.line, edit.range.start.character, edit.range.end.character) == (2, 2, 24)
    assert edit.new_text == "PeerThroughMeshGateways"
    (fix_all,) = [a for a in actions if a.kind == types.CodeActionKind.SourceFixAll]
    assert fix_all.title == "peerlint: Fix all safe problems in this file"
    (whole,) = fix_all.edit.changes[path.as_uri()]  # one round of every safe fix, as the whole document
    assert whole.new_text == text.replace("PeerThroughMeshGateway ", "PeerThroughMeshGateways ")
    assert not path.exists()  # the server never writes files: the editor applies the edit


@pytest.mark.asyncio
async def test_fix_all_repeats_rounds_until_nothing_changes(client: LanguageClient, workspace: Path) -> None:
    """A renamed key (PL101) lets its value be checked: the enum typo under it (PL103)
    only shows after the first round. "Fix all" fixes both, as ``check --fix`` does,
    and the document it leaves has no finding."""
    path = workspace / "defaults.yaml"
    text = (
        "apiVersion: consul.hashicorp.com/v1alpha1\nkind: ServiceDefaults\nmetadata:\n  name: web\n"
        "spec:\n  protocol: http\n  meshGatway:\n    mode: remotely\n"
    )
    fixed = text.replace("meshGatway", "meshGateway").replace("remotely", "remote")
    diags = await diagnostics_after(client, path.as_uri(), open_doc(client, path, text, "yaml"))
    assert [d.code for d in diags] == ["PL101"]  # the typo under it is not seen yet
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            range=diags[0].range,
            context=types.CodeActionContext(diagnostics=diags),
        )
    )
    (fix_all,) = [a for a in actions if a.kind == types.CodeActionKind.SourceFixAll]
    (whole,) = fix_all.edit.changes[path.as_uri()]
    assert whole.new_text == fixed
    assert list(await diagnostics_after(client, path.as_uri(), change_doc(client, path, fixed, 2))) == []
    assert not path.exists()
