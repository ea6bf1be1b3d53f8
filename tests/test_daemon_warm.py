"""The daemon's memory (linter.daemon.warm, linter.daemon.walkmemo) gives exactly what
a one-shot run gives: a generated fleet changed one way after another (values,
comments, files added, removed, renamed, saved by renaming over, a ``.gitignore``,
the configuration), each warm result compared, whole (messages, ranges, related
locations, fixes), with a run that remembers nothing; and the memory was really used.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest
from helpers import REPO

from linter.config import RunOptions, load_config
from linter.daemon import walkmemo
from linter.daemon.warm import Warm
from linter.engine import check, discover
from linter.registry import load_rules

sys.path.insert(0, os.path.join(REPO, "benchmarks"))
import generate
from test_incremental import mutate


def whole(result) -> list[str]:
    """Every finding, whole (dataclass repr: message, range, related, fix and edits)."""
    return [repr(f) for f in result.findings]


def candidates(root) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(d, f), root)
        for d, _, names in os.walk(root)
        if ".git" not in d and ".peerlint_cache" not in d
        for f in names
        if f.endswith((".hcl", ".json", ".yaml"))
    )


def change(step: int, rng: random.Random, files: list[str]) -> str:
    """One change of the working tree (the kinds a daemon must notice); what it was."""
    path = rng.choice(files)
    kind = step % 8
    if kind == 3:  # a new file in a new folder
        os.makedirs("extra", exist_ok=True)
        new = os.path.join("extra", f"f{step}.hcl")
        with open(new, "w", encoding="utf-8") as handle:
            handle.write(open(path, encoding="utf-8").read())
        files.append(new)
        return f"added {new}"
    if kind == 4:  # removed
        files.remove(path)
        os.remove(path)
        return f"removed {path}"
    if kind == 5:  # renamed
        new = path[: -len(os.path.splitext(path)[1])] + f"-r{step}" + os.path.splitext(path)[1]
        os.rename(path, new)
        files[files.index(path)] = new
        return f"renamed {path}"
    if kind == 6:  # saved as editors do: a new file renamed over the old one
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            handle.write(mutate(open(path, encoding="utf-8").read(), rng, ""))
        os.replace(path + ".tmp", path)
        return f"replaced {path}"
    if kind == 7:  # a .gitignore that hides a file
        folder = os.path.dirname(path) or "."
        with open(os.path.join(folder, ".gitignore"), "a", encoding="utf-8") as handle:
            handle.write(os.path.basename(path) + "\n")
        return f"ignored {path}"
    text = open(path, encoding="utf-8").read()
    siblings = [f for f in files if os.path.dirname(f) == os.path.dirname(path)]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(mutate(text, rng, open(rng.choice(siblings), encoding="utf-8").read()))
    return f"edited {path}"


@pytest.fixture
def trust_timestamps(monkeypatch):
    """Files and folders written by a test are seconds old at most: the racy window
    would re-read them all every time. Closed, the signatures decide (the path under
    test); a test sleeps past the filesystem's timestamp tick where it matters."""
    monkeypatch.setattr(walkmemo, "RACY_NS", 0)  # (linter.daemon.warm's files' window too)


@pytest.mark.parametrize("seed", [1, 2])
def test_warm_check_matches_a_one_shot_run(tmp_path, monkeypatch, trust_timestamps, seed) -> None:
    fleet = tmp_path / "fleet"
    generate.generate(str(fleet), 200)
    monkeypatch.chdir(fleet)
    rules = load_rules()
    memory = Warm()
    reads: list[str] = []
    from linter import load

    real_parse_one = load.parse_one
    monkeypatch.setattr(load, "parse_one", lambda path, size: reads.append(path) or real_parse_one(path, size))
    answered: list[bool] = []
    real_answer = walkmemo.WalkMemo.answer
    monkeypatch.setattr(
        walkmemo.WalkMemo, "answer", lambda self, key: answered.append((r := real_answer(self, key)) is not None) or r
    )

    from linter import rerun

    reached: list[bool] = []
    real_reach = rerun.peers_reach
    monkeypatch.setattr(rerun, "peers_reach", lambda *a: reached.append((r := real_reach(*a)) is not None) or r)

    def both(paths=(".",), focus=None) -> tuple[list, list]:
        config = load_config(".")
        warm_options = RunOptions(jobs=1, warm=memory)
        got = check(list(paths), config, rules, focus=focus, options=warm_options)
        want = check(list(paths), config, rules, focus=focus, options=RunOptions(jobs=1))
        assert got.files == want.files
        return whole(got), whole(want)

    got, want = both()
    assert got == want
    files = candidates(fleet)
    rng = random.Random(seed)
    for step in range(16):
        what = change(step, rng, files)
        reads.clear()
        got, want = both()
        assert got == want, f"step {step}: {what}"
        assert len(reads) <= 3, f"step {step}: {what}: read {len(reads)} files again"  # only what changed
    for focus in ([files[0]], [files[0]], ["dc1"], ["dc1"], None):  # pre-commit's files, folders, nothing new
        got, want = both(focus=focus)
        assert got == want, focus
    assert any(answered), "the walk was never answered from memory"
    assert any(reached), "no rule ran on the clusters near a change only"
    (fleet / "peerlint.toml").write_text('edition = "enterprise"\n')  # the configuration: a new lint
    got, want = both()
    assert got == want


def test_nothing_changed_answers_from_memory(tmp_path, monkeypatch, trust_timestamps) -> None:
    fleet = tmp_path / "fleet"
    generate.generate(str(fleet), 60)
    monkeypatch.chdir(fleet)
    rules, memory = load_rules(), Warm()
    config = load_config(".")
    first = check(["."], config, rules, options=RunOptions(jobs=1, warm=memory))
    from linter import engine

    monkeypatch.setattr(engine, "run_rules", lambda *a, **k: pytest.fail("rules ran with nothing changed"))
    again = check(["."], config, rules, options=RunOptions(jobs=1, warm=memory))
    assert whole(again) == whole(first) and again.files == first.files


def test_a_file_changed_within_the_racy_window_is_read_again(tmp_path, monkeypatch) -> None:
    """A file modified just before it was read may change again within its timestamp's
    tick with the same signature: it is read every time until it is older."""
    (tmp_path / "a.hcl").write_text('Kind = "mesh"\n')
    monkeypatch.chdir(tmp_path)
    rules, memory = load_rules(), Warm()
    config = load_config(".")
    check(["."], config, rules, options=RunOptions(jobs=1, warm=memory))
    entry = next(iter(next(iter(memory.lints.values())).files.values()))
    assert entry.sig is None  # written a moment ago: not trusted
    info = os.stat("a.hcl")
    os.utime("a.hcl", ns=(info.st_atime_ns, info.st_mtime_ns - 10_000_000_000))
    check(["."], config, rules, options=RunOptions(jobs=1, warm=memory))
    entry = next(iter(next(iter(memory.lints.values())).files.values()))
    assert entry.sig is None or entry.sig[0] == info.st_mtime_ns - 10_000_000_000


def test_the_walk_memo_matches_a_fresh_walk(tmp_path, monkeypatch, trust_timestamps) -> None:
    """Every kind of tree change, each followed by the memo's answer (or its refusal)
    and a fresh walk: the answers are equal, and unchanged trees are answered."""
    root = tmp_path / "p"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "one.hcl").write_text("x = 1\n")
    (root / "a" / "b" / "two.yaml").write_text("x: 1\n")
    monkeypatch.chdir(root)
    config = load_config(".")
    memo = walkmemo.WalkMemo()
    key = "k"

    def compare(label: str, expect_answer: bool | None = None) -> None:
        import time

        started = time.time_ns()
        answer = memo.answer(key)
        trace: dict = {}
        fresh = discover(["."], config, RunOptions(), None, trace)
        if answer is not None:
            assert answer == fresh, label
        if expect_answer is not None:
            assert (answer is not None) == expect_answer, label
        memo.remember(key, fresh, ["."], trace, started)

    compare("first", False)
    compare("unchanged", True)
    (root / "a" / "b" / "three.json").write_text("{}\n")
    compare("a file added", False)
    compare("unchanged again", True)
    (root / "a" / "one.hcl").write_text("x = 2\n")  # content only: the folder's names are the same
    compare("a file edited", True)
    (root / "a" / "one.hcl.tmp").write_text("x = 3\n")
    os.replace(root / "a" / "one.hcl.tmp", root / "a" / "one.hcl")
    compare("saved by rename", True)
    (root / "a" / "b" / ".gitignore").write_text("two.yaml\n")
    compare("a .gitignore added", False)
    (root / "a" / "b" / ".gitignore").write_text("nothing\n")
    compare("the .gitignore edited", False)
    os.rename(root / "a" / "b", root / "a" / "c")
    compare("a folder renamed", False)
    (root / "charts" / "consul" / "templates").mkdir(parents=True)
    (root / "charts" / "consul" / "templates" / "t.yaml").write_text("x: 1\n")
    compare("templates without a chart", False)
    (root / "charts" / "consul" / "Chart.yaml").write_text("name: consul\n")
    compare("a chart", False)
    (root / "a" / "c" / "two.yaml").unlink()
    compare("a file removed", False)
    compare("unchanged at last", True)


def test_warm_new_since_matches_a_one_shot_hook(tmp_path, monkeypatch) -> None:
    """``check --new-since`` with the daemon's memory: each staged change's outcome is
    the one-shot hook's, and the index side is linted incrementally."""
    from linter import rerun
    from linter.commands import common
    from linter.commands.newsince import new_since

    fleet = tmp_path / "fleet"
    generate.generate(str(fleet), 120)
    monkeypatch.chdir(fleet)
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t.invalid")
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t.invalid")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=fleet, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "fleet")
    files = candidates(fleet)
    planned: list[int] = []
    real = rerun.plan
    monkeypatch.setattr(rerun, "plan", lambda *a, **k: planned.append(len(r := real(*a, **k))) or r)
    memory = Warm()

    def outcome(remember: bool) -> list:
        common.set_warm_state(memory if remember else None)
        try:
            options = RunOptions(jobs=1, warm=memory if remember else None)
            found = new_since("HEAD", load_rules, [], [], None, lambda config: options)
        finally:
            common.set_warm_state(None)
        return whole(found.result) if found.result is not None else []

    rng = random.Random(5)
    for step in range(8):
        path = rng.choice(files)
        if step == 4:
            git("rm", "-q", path)
            files.remove(path)
        else:
            text = open(path, encoding="utf-8").read()
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(mutate(text, rng, text))
            git("add", path)
        assert outcome(True) == outcome(False), f"step {step}: {path}"
        if step == 5:
            git("commit", "-q", "-m", f"step {step}")  # a new HEAD: the sides move on
    assert any(n > 0 for n in planned)
    assert memory.blobs  # parse results kept for the next request


def test_the_assembler_keeps_terraform_documents(monkeypatch) -> None:
    """The language server and the daemon assemble projects from pieces; Terraform
    modules are read together when the project is finished, so a piece carries its
    modules (the bundled example's Terraform documents were lost)."""
    from linter.commands.pieces import Assembler
    from linter.load import parse_all
    from linter.project import Project

    monkeypatch.chdir(os.path.join(REPO, "examples"))
    config = load_config(".")
    loaded = [(source, parsed) for _p, source, parsed in parse_all(discover(["."], config), config, RunOptions())]
    whole_project = Project.from_files(config, loaded)
    assembled, _changed, _same = Assembler(config).assemble(loaded)
    terraform = [d for d in whole_project.documents if "terraform" in d.extra]
    assert terraform
    assert [(d.path, d.index, d.kind) for d in assembled.documents] == [
        (d.path, d.index, d.kind) for d in whole_project.documents
    ]
