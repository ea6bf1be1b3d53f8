"""Discovery's fast relative paths equal os.path.relpath's, and reading a file still
stops at the size limit."""

from __future__ import annotations

import os

from linter import discover
from linter.load.source import read_source


def test_relpath_matches_os_relpath() -> None:
    cases = [
        ("/a/b/c.hcl", "/a"),
        ("/a/b/c.hcl", "/a/b"),
        ("/a/bc/d", "/a/b"),
        ("/a", "/a"),
        ("/a/b", "/"),
        ("/x/y", "/a/b"),
        ("/a/..b/c", "/a"),
        ("/a/b/..c", "/a/b"),
    ]
    for absolute, base in cases:
        assert discover.relative_path(absolute, base) == os.path.relpath(absolute, base), (absolute, base)


def test_display_path_inside_and_outside_cwd(tmp_path, monkeypatch) -> None:
    inside = tmp_path / "repo"
    (inside / "sub").mkdir(parents=True)
    monkeypatch.chdir(inside)
    assert discover.display_path("sub/a.hcl") == "sub/a.hcl"
    assert discover.display_path(str(inside / "sub" / "a.hcl")) == "sub/a.hcl"
    assert discover.display_path("../other.hcl") == str(tmp_path / "other.hcl")
    assert discover.display_path(".") == "."


def test_read_source_limit(tmp_path) -> None:
    small = tmp_path / "a.hcl"
    small.write_text('a = "b"\n')
    assert read_source(str(small), 100).text == 'a = "b"\n'
    assert read_source(str(small), 8).text == 'a = "b"\n'
    over = read_source(str(small), 7)
    assert over.text is None and "limit" in (over.problem or "")


def test_display_path_shortcut_agrees_with_the_full_computation(tmp_path, monkeypatch) -> None:
    from linter.discover import _display, display_path

    monkeypatch.chdir(tmp_path)
    samples = [
        "a.hcl",
        "./a.hcl",
        "./dc1/config/mesh.hcl",
        "dc1/x.yaml",
        "../up.hcl",
        "./../up.hcl",
        "a//b.hcl",
        "./a/./b.hcl",
        "a/../b.hcl",
        ".hidden/x.hcl",
        "./.hidden/x.hcl",
        "dir/.x.hcl",
        str(tmp_path / "abs.hcl"),
        "/etc/hosts",
        "é/ü.hcl",
        "a b/c.json",
        "..a/b.hcl",
    ]
    for path in samples:
        assert display_path(path) == _display(os.path.abspath(path), os.getcwd()), path
