"""Hostile input, case by case: every named case gets a clear finding or error, in
bounded time and memory, never a traceback, and the checked tree is left untouched."""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import subprocess
import sys

import pytest
from helpers import REPO, all_rules, lint

from linter.api import Rule
from linter.engine import exit_code
from linter.parse import parse_text


def _write(folder, name: str, data) -> str:
    path = os.path.join(str(folder), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as handle:
        handle.write(data)
    return path


def _codes(result, code: str = "PL001") -> list[str]:
    return [f.message for f in result.findings if f.code == code]


def _no_internal_error(result) -> None:
    assert not result.internal_error, _codes(result, "PL000")


def test_yaml_alias_bomb_is_a_parse_error(tmp_path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    _write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    result = lint(str(tmp_path))
    _no_internal_error(result)
    assert any("alias bomb" in m for m in _codes(result))


@pytest.mark.parametrize(
    "name,text",
    [
        ("deep.yaml", "[" * 10_000 + "]" * 10_000),
        ("deep-block.yaml", "".join(" " * i + "k:\n" for i in range(2_000)) + " " * 2_000 + "v\n"),
        ("deep.json", "[" * 10_000 + "]" * 10_000),
        ("deep-object.json", '{"a":' * 10_000 + "1" + "}" * 10_000),
        ("deep.hcl", "a = " + "[" * 10_000 + "1" + "]" * 10_000),
        ("deep-blocks.hcl", "a { " * 10_000 + "}" * 10_000),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "",
)
def test_deep_nesting_is_a_finding_not_a_recursion_error(tmp_path, name, text) -> None:
    _write(tmp_path, name, text)
    result = lint(str(tmp_path))
    _no_internal_error(result)
    [message] = _codes(result)
    assert "deep" in message or "invalid" in message


def test_oversized_file_is_reported_and_never_read(tmp_path, monkeypatch) -> None:
    path = os.path.join(str(tmp_path), "huge.yaml")
    with open(path, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    real_open, real_read, real_builtin_open = os.open, os.read, builtins.open
    huge_fds: set[int] = set()

    def tracked_open(file, *args, **kwargs):  # opening it to stat the handle is fine
        fd = real_open(file, *args, **kwargs)
        if os.path.abspath(str(file)) == path:
            huge_fds.add(fd)
        return fd

    def guarded_read(fd, count):
        assert fd not in huge_fds, "the oversized file was read"
        return real_read(fd, count)

    def guarded_builtin_open(file, *args, **kwargs):
        assert os.path.abspath(str(file)) != path, "the oversized file was opened to be read"
        return real_builtin_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", tracked_open)
    monkeypatch.setattr(os, "read", guarded_read)
    monkeypatch.setattr(builtins, "open", guarded_builtin_open)
    result = lint(str(tmp_path))
    assert huge_fds  # it was looked at
    [message] = _codes(result)
    assert "over the" in message and "max-file-size" in message


def test_binary_and_invalid_utf8_point_at_the_bad_byte(tmp_path) -> None:
    _write(tmp_path, "blob.hcl", b'Kind = "mesh"\nx = \x00\x01')
    _write(tmp_path, "latin.yaml", b"a: 1\nb: caf\xe9\n")
    result = lint(str(tmp_path))
    found = {f.path: f for f in result.findings if f.code == "PL001"}
    assert "binary" in found["blob.hcl"].message and found["blob.hcl"].span.line == 2
    assert "UTF-8" in found["latin.yaml"].message
    assert (found["latin.yaml"].span.line, found["latin.yaml"].span.col) == (2, 7)


def test_bom_and_crlf_keep_positions(tmp_path) -> None:
    text = 'Kind = "exported-service"\nName = "default"\n'
    _write(tmp_path, "lf/e.hcl", text)
    _write(tmp_path, "crlf/e.hcl", text.replace("\n", "\r\n").encode("utf-8"))
    _write(tmp_path, "bom/e.hcl", b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = lint(str(tmp_path), select=["PL002"])
    spans = {f.path.split("/")[0]: f.span for f in result.findings}
    assert spans["lf"] == spans["crlf"] == spans["bom"]
    assert (spans["lf"].line, spans["lf"].col) == (1, 8)


def test_tabs_in_yaml_indentation_is_a_located_parse_error(tmp_path) -> None:
    _write(tmp_path, "values.yaml", "global:\n\tdatacenter: dc1\n")
    result = lint(str(tmp_path))
    [finding] = [f for f in result.findings if f.code == "PL001"]
    assert finding.span.line == 2


def test_duplicate_keys_say_which_value_wins(tmp_path) -> None:
    _write(
        tmp_path,
        "mesh.json",
        '{"Kind": "mesh", "Peering": {"PeerThroughMeshGateways": true, "PeerThroughMeshGateways": false}}',
    )
    result = lint(str(tmp_path), select=["PL004"])
    [finding] = result.findings
    assert "last value, false" in finding.message and finding.related


@pytest.mark.parametrize(
    "name,text",
    [
        ("big.json", '{"Kind": "mesh", "X": ' + "9" * 10_000 + "}"),
        ("big.yaml", "kind: Mesh\nx: " + "9" * 10_000 + "\n"),
        ("big.hcl", 'Kind = "mesh"\nx = ' + "9" * 10_000 + "\n"),
        ("float.json", '{"Kind": "mesh", "X": 1e999999}'),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "",
)
def test_huge_numbers_do_not_crash(tmp_path, name, text) -> None:
    _write(tmp_path, name, text)
    _no_internal_error(lint(str(tmp_path)))


def test_symlink_loops_are_skipped_or_reported(tmp_path) -> None:
    os.makedirs(tmp_path / "a")
    os.symlink(str(tmp_path / "a"), str(tmp_path / "a" / "loop"))
    os.symlink("y.yaml", str(tmp_path / "x.yaml"))
    os.symlink("x.yaml", str(tmp_path / "y.yaml"))
    result = lint(str(tmp_path))
    _no_internal_error(result)
    assert sorted(f.path for f in result.findings if f.code == "PL001") == ["x.yaml", "y.yaml"]


def test_unreadable_file_is_reported(tmp_path, monkeypatch) -> None:
    path = _write(tmp_path, "secret.hcl", 'Kind = "mesh"\n')
    real_open = os.open  # what linter.load.source.read_source opens files with (root reads anything: pretend)

    def deny(file, *args, **kwargs):
        if os.path.abspath(str(file)) == path:
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    [message] = _codes(lint(str(tmp_path)))
    assert "Permission denied" in message


def test_file_removed_during_the_run(tmp_path, monkeypatch) -> None:
    _write(tmp_path, "kept.hcl", 'Kind = "mesh"\n')
    import linter.engine as engine

    real = engine.iter_files
    monkeypatch.setattr(
        engine, "iter_files", lambda *a, **k: list(real(*a, **k)) + [os.path.join(str(tmp_path), "gone.hcl")]
    )
    [message] = _codes(lint(str(tmp_path)))
    assert "not found" in message


def _cli(*args: str, cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "linter", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_broken_config_exits_2_naming_the_line(tmp_path) -> None:
    _write(tmp_path, "peerlint.toml", 'edition = "ce"\n\n[clusters.dc1]\ndatacentre = "dc1"\n')
    done = _cli("check", ".", cwd=str(tmp_path))
    assert done.returncode == 2
    assert "peerlint.toml:4:" in done.stderr and "datacentre" in done.stderr
    _write(tmp_path, "peerlint.toml", 'edition = "ce\n')
    done = _cli("check", ".", cwd=str(tmp_path))
    assert done.returncode == 2 and "peerlint.toml:1:" in done.stderr


@pytest.mark.parametrize("key", ["consul-version", "consul-k8s-version"])
@pytest.mark.parametrize("bad", ["1.17.2 ent", "1.17.2-ent!", "v1.16+build@sha", "1.17-rc1 (beta)", "latest", "1.x"])
def test_config_version_the_tool_cannot_read_exits_2_naming_the_line(tmp_path, key: str, bad: str) -> None:
    """A version linter.versions.parse_version cannot read (the one reader every
    rule uses) is a config error, not a setting the rules silently ignore."""
    from linter.versions import parse_version

    assert parse_version(bad) is None
    _write(tmp_path, "peerlint.toml", f'edition = "ce"\n\n{key} = "{bad}"\n')
    done = _cli("check", ".", cwd=str(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "peerlint.toml:3:" in done.stderr and key in done.stderr


@pytest.mark.parametrize(
    "good,read", [("1.17.2", (1, 17, 2)), ("v1.16", (1, 16, 0)), ("1.15.3-ent", (1, 15, 3)), (" 2.1.0-dev ", (2, 1, 0))]
)
def test_config_versions_are_read_as_the_rules_read_them(tmp_path, good: str, read: tuple) -> None:
    from linter.config import load_config
    from linter.versions import parse_version

    _write(tmp_path, "peerlint.toml", f'consul-version = "{good}"\nconsul-k8s-version = "{good}"\n')
    config = load_config(str(tmp_path))
    assert parse_version(config.consul_version) == parse_version(config.consul_k8s_version) == read


def test_config_module_stays_light() -> None:
    code = "import sys, linter.config; print(sorted(m for m in sys.modules if m.startswith('linter.')))"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "linter.k8s" not in done.stdout, done.stdout + done.stderr


def test_config_error_in_a_later_peering_names_its_line(tmp_path) -> None:
    clusters = "".join(f'[clusters.c{i}]\npaths = ["c{i}"]\n' for i in range(3))
    peerings = '[[peerings]]\na = "c0"\nb = "c1"\n[[peerings]]\na = "c1"\nb = "c2"\n[[peerings]]\na = "c2"\nb = "c9"\n'
    _write(tmp_path, "peerlint.toml", clusters + peerings)
    done = _cli("check", ".", cwd=str(tmp_path))
    assert done.returncode == 2
    bad = (clusters + peerings).splitlines().index('b = "c9"') + 1
    assert f"peerlint.toml:{bad}:" in done.stderr and "c9" in done.stderr


def test_yaml_tags_never_construct_objects(tmp_path) -> None:
    marker = tmp_path / "pwned"
    _write(
        tmp_path,
        "evil.yaml",
        f'kind: Mesh\nx: !!python/object/apply:os.system ["touch {marker}"]\ny: !!python/name:os.system\n',
    )
    result = lint(str(tmp_path))
    _no_internal_error(result)
    assert not marker.exists()
    docs = parse_text("evil.yaml", open(tmp_path / "evil.yaml").read()).documents
    assert docs[0].get("x").plain() == [f"touch {marker}"]


class _Exploding(Rule):
    code = "XT999"
    slug = "exploding"
    summary = "a third-party rule with a bug"

    def check(self, project):
        for _doc in project.of("config-entry"):
            raise KeyError("boom")
        yield


def test_a_raising_rule_is_an_internal_error_and_others_still_run(tmp_path) -> None:
    _write(tmp_path, "e.hcl", 'Kind = "exported-service"\nName = "default"\n')
    rules = dict(all_rules())
    rules["XT999"] = _Exploding
    result = lint(str(tmp_path), rules=rules)
    [internal] = [f for f in result.findings if f.code == "PL000"]
    assert "XT999" in internal.message and "e.hcl" in internal.message and internal.path == "e.hcl"
    assert any(f.code == "PL002" for f in result.findings)
    assert exit_code(result, "error") == 2


def _tree_digest(folder: str) -> dict[str, str]:
    out = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != ".peerlint_cache"]
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                out[os.path.relpath(path, folder)] = hashlib.sha256(handle.read()).hexdigest()
    return out


def test_output_is_deterministic_and_the_tree_is_untouched(tmp_path) -> None:
    import shutil

    work = tmp_path / "examples"
    shutil.copytree(os.path.join(REPO, "examples"), work)
    before = _tree_digest(str(work))
    outputs = [_cli("check", ".", "--format", "json", cwd=str(work)).stdout for _ in range(2)]
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["findings"] is not None
    assert _tree_digest(str(work)) == before
