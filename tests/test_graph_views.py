"""``peerlint graph`` for big projects and people (issue #19): Mermaid's 500-edge limit
is warned about with the filters that draw part of the picture (--cluster, --peer,
--focus), ``--format tree`` anywhere, and findings on the picture link to their rule
pages. Through the real CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from helpers import REPO
from ptys import peerlint as on_terminal

sys.path.insert(0, os.path.join(REPO, "benchmarks"))
import generate

EXAMPLES = os.path.join(REPO, "examples")
RULE_PAGE = re.compile(r"https://\S+/docs/rules/(PL\d{3})-[a-z0-9-]+\.md")


def graph(*args: str, cwd: str = EXAMPLES) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "linter", "graph", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, PYTHONPATH=REPO),
    )


def picture(*args: str) -> dict:
    done = graph(".", "-f", "json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _edges(data: dict, kind: str) -> list[tuple[str, str]]:
    return sorted((e["source"], e["target"]) for e in data["edges"] if e["type"] == kind)


def test_the_whole_picture_is_unchanged_without_filters() -> None:
    whole = picture()
    assert whole["clusters"] == ["arctic", "east", "north", "south", "west"]
    assert len(whole["edges"]) == 33


def test_cluster_keeps_the_cluster_and_what_its_edges_reach() -> None:
    data = picture("--cluster", "south")
    assert data["clusters"] == ["south", "west"]  # west: its peer and its upstream's exporter
    south = {
        n["id"] for n in data["nodes"] if n["id"].startswith(("partition:south", "service:south", "gateway:south"))
    }
    assert {"partition:south/default", "gateway:south/default/0", "service:south/default/checkout"} <= south
    for edge in data["edges"]:
        if edge["type"] != "in":
            assert edge["source"] in south or edge["target"] in south, edge
    assert not [n for n in data["nodes"] if "east" in n["id"]]


def test_peer_keeps_both_sides_of_the_peering_and_what_crosses_it() -> None:
    data = picture("--peer", "south")  # west's name for its peering with south
    assert data["clusters"] == ["south", "west"]
    assert _edges(data, "peering") == [
        ("partition:south/default", "partition:west/default"),  # south's own side, named west
        ("partition:west/default", "partition:south/default"),
    ]
    assert _edges(data, "export") == [("service:west/default/inventory", "partition:south/default")]
    assert _edges(data, "upstream") == [("service:south/default/checkout", "service:west/default/inventory")]
    assert {n["id"] for n in data["nodes"] if n["type"] == "gateway"} == {
        "gateway:south/default/0",
        "gateway:west/default/0",
    }
    narrowed = picture("--cluster", "east", "--peer", "west")  # east's peering named west, not south's
    assert _edges(narrowed, "peering") == [
        ("partition:east/default", "partition:west/default"),
        ("partition:west/default", "partition:east/default"),
    ]


def test_focus_keeps_the_service_its_edges_both_ways_and_the_peerings_between() -> None:
    data = picture("--focus", "inventory")
    kinds = {e["type"] for e in data["edges"]}
    assert kinds == {"in", "export", "intention", "upstream", "peering"}
    callers = {e["source"] for e in data["edges"] if e["type"] == "upstream"}
    assert callers == {"service:east/default/billing", "service:south/default/checkout"}
    assert "service:east/default/payments" not in {n["id"] for n in data["nodes"]}


@pytest.mark.parametrize(
    "flag,name,known",
    [("--cluster", "nope", "arctic, east, north, south, west"), ("--peer", "nope", "east"), ("--focus", "nope", "")],
)
def test_an_unknown_name_is_a_usage_error_naming_what_there_is(flag, name, known) -> None:
    done = graph(".", flag, name)
    assert done.returncode == 2 and done.stdout == ""
    assert f"named {name} in the picture" in done.stderr and known in done.stderr
    assert "Traceback" not in done.stderr


def test_a_picture_mermaid_cannot_draw_is_warned_about_with_the_filters(tmp_path) -> None:
    generate.generate(str(tmp_path / "fleet"), 600)
    done = graph(".", "-f", "mermaid", cwd=str(tmp_path / "fleet"))
    assert done.returncode == 0 and done.stdout.startswith("flowchart LR")
    edges = len(re.findall(r"^  n\d+ (?:---|==>|-\.->)", done.stdout, re.M))
    assert edges > 500 and f"the picture has {edges:,} edges" in done.stderr
    assert "--cluster NAME, --peer NAME or --focus SERVICE" in done.stderr
    part = graph(".", "-f", "mermaid", "--cluster", "dc1", cwd=str(tmp_path / "fleet"))
    assert part.returncode == 0 and part.stderr == ""  # small enough now: no warning
    assert len(re.findall(r"^  n\d+ (?:---|==>|-\.->)", part.stdout, re.M)) <= 500
    assert graph(".", "-f", "dot", cwd=str(tmp_path / "fleet")).stderr == ""  # Graphviz has no such limit


def test_tree_is_accepted_explicitly_and_plain_in_a_pipe(tmp_path) -> None:
    done = graph(".", "-f", "tree")
    assert done.returncode == 0 and "\x1b" not in done.stdout
    assert done.stdout.startswith("topology\n")
    assert "upstream checkout -> inventory (peer west, via none gateway) PL303" in done.stdout
    assert "export inventory -> peer south PL401" in done.stdout
    out = tmp_path / "tree.txt"
    assert graph(".", "-f", "tree", "--focus", "checkout", "-o", str(out)).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "upstream checkout" in text and "cluster east" not in text


def test_findings_on_the_picture_link_to_their_rule_pages() -> None:
    folder = os.path.join(REPO, "tests", "fixtures", "PL302", "vm-proxy-defaults-local")
    mermaid = graph(folder, "-f", "mermaid").stdout
    clicks = re.findall(r'^  click (n\d+) href "([^"]+)" "([^"]+)" _blank$', mermaid, re.M)
    assert clicks and all(RULE_PAGE.fullmatch(url).group(1) == codes.split()[0] for _n, url, codes in clicks)
    flagged = re.search(r"^  class (\S+) finding$", mermaid, re.M).group(1).split(",")
    assert sorted(node for node, _u, _c in clicks) == sorted(flagged)
    dot = graph(folder, "-f", "dot").stdout
    urls = re.findall(r'URL="([^"]+)", tooltip="([^"]+)"', dot)
    assert urls and all(RULE_PAGE.fullmatch(url).group(1) == codes.split()[0] for url, codes in urls)
    tree = on_terminal("graph", ".", cwd=EXAMPLES, columns=120)  # the default on a terminal: links
    assert tree.returncode == 0
    linked = re.findall(r"\x1b\]8;[^;]*;([^\x1b]+)\x1b\\(?:\x1b\[[0-9;]*m)*(PL\d{3})", tree.terminal)
    assert sorted(code for _u, code in linked) == ["PL303", "PL401", "PL401"]
    assert all(RULE_PAGE.fullmatch(url).group(1) == code for url, code in linked)


def test_the_tree_on_a_terminal_shows_progress_then_the_picture() -> None:
    run = on_terminal("graph", ".", cwd=EXAMPLES, env={"PEERLINT_PROGRESS_DELAY": "0"})
    spinner, _, picture = run.terminal.rpartition("\x1b[?25h")
    assert run.returncode == 0 and "peerlint: " in spinner and " s)" in spinner
    assert "topology" in picture and " s)" not in picture
    piped = on_terminal("graph", ".", cwd=EXAMPLES, env={"PEERLINT_PROGRESS_DELAY": "0"}, stdout_tty=False)
    assert piped.stdout.startswith("flowchart LR") and piped.terminal == ""  # mermaid to a pipe: no progress
