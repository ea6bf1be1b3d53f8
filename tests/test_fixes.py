"""Fixes applied for real (issue #18): every fix of every failing fixture, on a copy,
then linted again: the fixed finding is gone, no new error appears, every changed
file still parses, and a second round changes nothing. The same on mutated fixture and
corpus files (hypothesis, bounded), and the text-edit primitives on their own."""

from __future__ import annotations

import json
import os
import random
import shutil
import sys

import pytest
from helpers import FIXTURES, REPO, SHARED, all_rules, lint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.config import Config, load_config
from linter.engine import INTERNAL_ERROR, run_rules
from linter.findings import Edit, Fix
from linter.fixing import applicable, creatable, fix_texts, inside, relinter, write_changes
from linter.inmemory import project_from_texts
from linter.nodes import Span
from linter.parse import parse_text
from linter.textedits import apply_fixes, delete_lines, quoted_like

CASES = sorted(
    (code, case)
    for code in os.listdir(FIXTURES)
    for case in os.listdir(os.path.join(FIXTURES, code))
    if os.path.isfile(os.path.join(FIXTURES, code, case, "expected.txt"))
)
WITH_EDITS = [
    (code, case)
    for code, case in CASES
    if "  edit: " in open(os.path.join(FIXTURES, code, case, "expected.txt"), encoding="utf-8").read()
]


def _errors(findings) -> set[tuple]:
    """Errors by rule, file and attribute path (not by resource: a fix that makes
    ``metadata`` readable renames the resource of every finding in the document)."""
    return {(f.code, f.path, f.node_path) for f in findings if f.severity == "error"}


def _revealed(before) -> list[tuple[str, str]]:
    """(file, node path) that a fix makes readable: a renamed key (PL101) the mapping
    that holds it, a respelt kind (PL002) its whole file. Errors there were there all along, hidden by the
    typo: the decoder and the other rules could not read past it."""
    out = []
    for f in before:
        if f.fix is None or len(f.fix.edits) != 1:
            continue
        if f.code == "PL002":
            out.append((f.path, ""))
        elif f.code == "PL101":  # the mapping holding the key: a service's Name gives its Consumers meaning
            out.append((f.path, f.node_path.rpartition(".")[0] if "." in f.node_path else ""))
    return out


def _new_errors(before, after) -> set[tuple]:
    """Errors after the fixes that were not there before, less those a fix revealed
    (see :func:`_revealed`: in the file made readable, or in another file about it, by
    a related location there: a PeeringDialer judged against the PeeringAcceptor whose
    ``metadata`` a rename made readable) and those of a rule whose error in that file
    the fixes removed (the consul chart stops at its first ``fail``: fixing it shows the
    next)."""
    revealed = _revealed(before)

    def shown(path: str, node_path: str) -> bool:
        return any(
            path == where and (not p or node_path == p or node_path.startswith((p + ".", p + "[")))
            for where, p in revealed
        )

    about = {}
    for f in after:
        about.setdefault((f.code, f.path, f.node_path), []).extend((r.path, r.node_path) for r in f.related)
    old, new = _errors(before), _errors(after)
    moved = {(code, path) for code, path, _n in old - new}
    # a duplicate key that was there before keeps its line; its path changes when a fix
    # renames a key above it (rateLimit -> RateLimits), which is not a new duplicate
    old_duplicates = {(f.path, f.span.line) for f in before if f.code == "PL004"}
    new_duplicates = {f.node_path for f in after if f.code == "PL004" and (f.path, f.span.line) in old_duplicates}
    return {
        (code, path, node_path)
        for code, path, node_path in new - old
        if not (code == "PL004" and node_path in new_duplicates)
        and code in ("PL001", "PL004")  # a file that no longer parses, a duplicate key: the fix's own doing
        or (code, path) not in moved
        and not shown(path, node_path)
        and not any(shown(*place) for place in about.get((code, path, node_path), ()))
    }


def _fix_folder(folder: str, unsafe: bool = True):
    """Lint ``folder`` (from inside it), apply its fixes to disk, lint it again."""
    before = lint(folder)
    old = os.getcwd()
    os.chdir(folder)
    try:
        config = before.project.config
        outcome = fix_texts(
            before.texts,
            before.findings,
            relinter(config, before.rules),
            unsafe,
            lambda path: inside(path, config.root) if path in before.texts else creatable(path, config.root),
        )
        written = write_changes(outcome, config.root)
    finally:
        os.chdir(old)
    return before, outcome, written, lint(folder)


def test_fixtures_with_edits_exist() -> None:
    """The rules the issue names have fixture cases that pin edits."""
    codes = {code for code, _case in WITH_EDITS}
    assert {"PL003", "PL004", "PL101", "PL103", "PL303", "PL401", "PL403", "PL603"} <= codes


@pytest.mark.parametrize("code,case", WITH_EDITS, ids=[f"{c}/{k}" for c, k in WITH_EDITS])
def test_every_fix_of_a_fixture_applies_cleanly(tmp_path, code: str, case: str) -> None:
    folder = str(tmp_path / case)
    shutil.copytree(os.path.join(FIXTURES, code, case), folder)
    os.unlink(os.path.join(folder, "expected.txt"))
    before, outcome, written, after = _fix_folder(folder)
    fixed = [f for f in before.findings if f.code == code and applicable(f, True)]
    assert fixed and written, "the fixture's fixes changed nothing"
    assert not outcome.refused
    gone = {f.identity for f in after.findings}
    assert not [f for f in fixed if f.identity in gone and f.span in {g.span for g in after.findings}], (
        "a fixed finding is still reported"
    )
    new_errors = _new_errors(before.findings, after.findings)
    assert not new_errors, f"the fixes made new errors: {new_errors}"
    for path in written:
        with open(os.path.join(folder, path), encoding="utf-8-sig") as handle:
            assert parse_text(path, handle.read().replace("\r\n", "\n")).error is None, path
    _before, again, written_again, _after = _fix_folder(folder)
    assert not again.changed and not written_again, f"a second round still changes {again.changed}"


def test_crlf_bom_and_mode_are_kept(tmp_path) -> None:
    path = tmp_path / "mesh.hcl"
    path.write_bytes(b'\xef\xbb\xbfKind = "mesh"\r\nPeering {\r\n  PeerThroughMeshGateway = true # keep me\r\n}\r\n')
    os.chmod(path, 0o640)
    _before, outcome, written, after = _fix_folder(str(tmp_path))
    assert written == ["mesh.hcl"]
    assert path.read_bytes() == (
        b'\xef\xbb\xbfKind = "mesh"\r\nPeering {\r\n  PeerThroughMeshGateways = true # keep me\r\n}\r\n'
    )
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert not [f for f in after.findings if f.code == "PL101"]


def test_unsafe_fixes_need_asking(tmp_path) -> None:
    folder = str(tmp_path / "case")
    shutil.copytree(os.path.join(FIXTURES, "PL401", "vm-json-intentions"), folder)
    _before, outcome, written, _after = _fix_folder(folder, unsafe=False)
    assert not written and outcome.fixed == 0
    _before, outcome, written, after = _fix_folder(folder, unsafe=True)
    assert written == [os.path.join("cluster-01", "intentions.json")]
    assert not [f for f in after.findings if f.code == "PL401"]


def test_nothing_outside_the_project_is_written(tmp_path) -> None:
    """A link inside the project to a file outside it is never read (linter.safety), so
    never rewritten either."""
    outside = tmp_path / "outside.hcl"
    typo = 'Kind = "mesh"\nPeering {\n  PeerThroughMeshGateway = true\n}\n'
    outside.write_text(typo)
    root = tmp_path / "root"
    root.mkdir()
    (root / "peerlint.toml").write_text("")
    os.symlink(outside, root / "link.hcl")
    proc = run("check", "--fix", "--no-cache", ".", cwd=str(root))
    assert "PL001" in proc.stdout and "outside the project" in proc.stdout, proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert outside.read_text() == typo
    assert inside(str(root / "a" / "b.hcl"), str(root)) and not inside(str(root / "link.hcl"), str(root))


def test_overlapping_fixes_wait_for_the_next_round() -> None:
    text = "abcdef\n"
    fixes = [
        Fix("one", (Edit("f", Span(1, 2, 1, 4), "X"),)),
        Fix("two", (Edit("f", Span(1, 3, 1, 5), "Y"),)),  # overlaps the first
        Fix("three", (Edit("f", Span(1, 5, 1, 6), "Z"),)),
        Fix("four", (Edit("f", Span(1, 2, 1, 2), "!"),)),  # an insertion where "one" starts
    ]
    changed, applied = apply_fixes({"f": text}, fixes)
    assert applied == [0, 2]
    assert changed == {"f": "aXdZf\n"}


def test_a_fix_with_an_edit_that_cannot_apply_applies_none() -> None:
    fix = Fix("two files", (Edit("f", Span(1, 1, 1, 2), "X"), Edit("missing", Span(1, 1, 1, 1), "Y")))
    assert apply_fixes({"f": "ab\n"}, [fix]) == ({}, [])


def test_edit_builders_keep_the_source_style() -> None:
    assert quoted_like('"a"', "b", "hcl") == '"b"'
    assert quoted_like("'a'", "it's", "yaml") == "'it''s'"
    assert quoted_like("a", "b", "yaml") == "b"
    assert quoted_like("a", "b c", "hcl") == '"b c"'
    text = "a\nb\nc"
    assert apply_fixes({"f": text}, [Fix("", (delete_lines("f", text, 3, 3),))])[0] == {"f": "a\nb"}
    assert apply_fixes({"f": text}, [Fix("", (delete_lines("f", text, 2, 2),))])[0] == {"f": "a\nc"}


sys.path.insert(0, os.path.join(REPO, "fuzz"))
from mutate import load_seeds, mutate  # noqa: E402

#: Files in the repository the property test mutates, so that a fresh clone without
#: ../shared/corpus still mutates real layouts: the fixtures, the real-world layouts,
#: the scenarios and the bundled example.
IN_REPO = [FIXTURES] + [os.path.join(REPO, *p) for p in (("tests", "realworld"), ("tests", "scenarios"), ("examples",))]


def _fixture_files() -> list[tuple[str, str]]:
    out = []
    for root, _dirs, files in sorted(w for top in IN_REPO for w in os.walk(top)):
        for f in sorted(files):
            if f.endswith((".hcl", ".json", ".yaml", ".yml")):
                try:
                    with open(os.path.join(root, f), encoding="utf-8") as handle:
                        out.append((f, handle.read()))
                except UnicodeDecodeError:
                    continue  # PL001's fixtures: not text
    return out


SEEDS = load_seeds(os.path.join(SHARED, "corpus")) + _fixture_files()


@settings(
    max_examples=int(os.environ.get("PEERLINT_FIX_EXAMPLES", "60")),
    deadline=None,
    # the same examples every run, so CI never fails on a case nobody saw locally;
    # PEERLINT_FIX_EXAMPLES=5000 explores further (how rateLimit -> RateLimits was found)
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.integers(min_value=0, max_value=len(SEEDS) - 1), st.integers(min_value=0, max_value=2**32))
def test_mutated_files_fix_cleanly(index: int, seed: int) -> None:
    """Whatever a mutated file holds, applying all its fixes leaves it parsing (when it
    did), makes no new error, and a second round changes nothing."""
    name, text = SEEDS[index]
    name = os.path.basename(name)
    text = mutate(text, random.Random(seed))
    rules, config = all_rules(), Config()
    relint = relinter(config, rules)
    before = relint({name: text})
    assert not [f for f in before if f.code == INTERNAL_ERROR]
    outcome = fix_texts({name: text}, before, relint, True, lambda path: path == name)
    if not outcome.changed:
        return
    after = outcome.after[name]
    if parse_text(name, text).error is None:
        assert parse_text(name, after).error is None, after
    findings = run_rules(project_from_texts({name: after}, config), rules)[0]
    assert not [f for f in findings if f.code == INTERNAL_ERROR]
    assert not _new_errors(before, findings), after
    again = fix_texts({name: after}, findings, relint, True, lambda path: path == name)
    assert not again.changed, (after, again.after)


FOLDERS = [os.path.join(FIXTURES, code, case) for code, case in WITH_EDITS]


@settings(
    max_examples=max(int(os.environ.get("PEERLINT_FIX_EXAMPLES", "60")) // 2, 1),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.integers(min_value=0, max_value=len(FOLDERS) - 1), st.integers(min_value=0, max_value=2**32))
def test_mutated_projects_fix_cleanly(index: int, seed: int) -> None:
    """The same across files: one file of a fixture project with fixes (cross-file
    ones too: PL401's sources, its created intentions entry) mutated, every fix applied
    in memory, safe and unsafe; changed and created files parse, no new error, and a
    second round changes nothing."""
    folder = FOLDERS[index]
    texts = dict(lint(folder).texts)
    rng = random.Random(seed)
    victim = rng.choice(sorted(texts))
    texts[victim] = mutate(texts[victim], rng)
    old = os.getcwd()
    os.chdir(folder)
    try:
        rules, config = all_rules(), load_config(".")
        relint = relinter(config, rules)
        before = relint(texts)
        assert not [f for f in before if f.code == INTERNAL_ERROR]
        outcome = fix_texts(texts, before, relint, True, lambda path: True)
        if not outcome.changed:
            return
        after = {**texts, **outcome.after}
        for path in outcome.changed:
            if path in outcome.created or parse_text(path, texts[path]).error is None:
                assert parse_text(path, after[path]).error is None, (path, after[path])
        findings = relint(after)
        assert not [f for f in findings if f.code == INTERNAL_ERROR]
        # a renamed key or kind can reveal a document other files are judged against (a
        # PeeringAcceptor's metadata: the peering now exists, and upstreams across it are
        # checked): errors the renames alone show are theirs, not the other fixes' doing
        renames = [f.fix for f in before if f.code in ("PL002", "PL101") and applicable(f, True)]
        shown = _errors(relint({**texts, **apply_fixes(texts, renames)[0]})) if renames else set()
        assert not _new_errors(before, findings) - shown, {p: after[p] for p in outcome.changed}
        again = fix_texts(after, findings, relint, True, lambda path: True)
        assert not again.changed, again.after
    finally:
        os.chdir(old)


# End to end, through the real command line.

from test_cli import run  # noqa: E402

EXAMPLES = os.path.join(REPO, "examples")


@pytest.fixture
def example(tmp_path):
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    return folder


def _snapshot(folder) -> dict[str, bytes]:
    return {
        os.path.relpath(os.path.join(root, f), folder): open(os.path.join(root, f), "rb").read()
        for root, _dirs, files in os.walk(folder)
        for f in files
        if ".peerlint_cache" not in root
    }


def test_diff_shows_and_writes_nothing(example) -> None:
    before = _snapshot(example)
    proc = run("check", "--diff", "--no-cache", ".", cwd=str(example))
    assert proc.returncode == 1, proc.stderr
    assert "+++ b/east/services/reports.hcl" in proc.stdout
    assert '+            destination_peer = "west"' in proc.stdout
    assert "-          mode: none" in proc.stdout and "+          mode: remote" in proc.stdout
    assert "intentions" not in proc.stdout  # PL401's fix is unsafe
    assert "Would fix 2 finding(s) in 2 file(s); 2 remaining" in proc.stderr
    assert _snapshot(example) == before


def _readme_block(command: str) -> list[str]:
    """The lines the README shows after ``$ command`` in a fenced block, up to the next
    command or the end of the block."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    start = lines.index(f"$ {command}") + 1
    end = start
    while not lines[end].startswith(("$ ", "```")):
        end += 1
    return lines[start:end]


def test_readme_shows_fix_and_diff_on_the_bundled_example(tmp_path) -> None:
    """The README's --diff output is what peerlint prints on the bundled example (stdout,
    then the summary on stderr), and its --fix / --unsafe-fixes runs end as it says."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    proc = run("check", "examples/", "--diff", "--no-cache", cwd=str(tmp_path))
    assert proc.returncode == 1
    assert (proc.stdout + proc.stderr).rstrip("\n").split("\n") == _readme_block("peerlint check examples/ --diff")
    shown = _readme_block("peerlint check examples/ --fix")
    proc = run("check", "examples/", "--fix", "--no-cache", cwd=str(tmp_path))
    assert proc.returncode == 1
    assert shown[0] in proc.stderr and shown[1] == proc.stdout.split("\n")[0]
    assert shown[-1] == proc.stdout.rstrip("\n").split("\n")[-1]
    shown = _readme_block("peerlint check examples/ --unsafe-fixes")
    proc = run("check", "examples/", "--unsafe-fixes", "--no-cache", cwd=str(tmp_path))
    assert proc.returncode == 1  # the Terraform example's PL401 names no caller: advice only
    assert shown[0] in proc.stderr and shown[1] == proc.stdout.split("\n")[0]
    assert shown[-1] == proc.stdout.rstrip("\n").split("\n")[-1]


def test_fix_then_unsafe_fixes(example) -> None:
    proc = run("check", "--fix", "--no-cache", ".", cwd=str(example))
    assert proc.returncode == 1, proc.stderr  # PL401 remains
    assert "Fixed 2 finding(s) in 2 file(s); 2 remaining" in proc.stderr
    assert "PL401" in proc.stdout and "PL403" not in proc.stdout and "PL303" not in proc.stdout
    again = run("check", "--diff", "--no-cache", ".", cwd=str(example))
    assert again.returncode == 0 and again.stdout == ""
    proc = run("check", "--unsafe-fixes", "--no-cache", ".", cwd=str(example))
    # the Terraform example's PL401 names no caller of ledger: advice only, it stays
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Fixed 1 finding(s) in 1 file(s); 1 remaining" in proc.stderr
    text = (example / "west" / "crds" / "intentions-inventory.yaml").read_text()
    assert "    - name: checkout\n      peer: south\n      action: allow\n" in text
    left = run("check", "--no-cache", "--format", "json", ".", cwd=str(example))
    assert [(f["code"], f["path"]) for f in json.loads(left.stdout)["findings"]] == [("PL401", "terraform/ledger.tf")]


def test_diff_with_unsafe_fixes_includes_them(example) -> None:
    proc = run("check", "--diff", "--unsafe-fixes", "--no-cache", ".", cwd=str(example))
    assert proc.returncode == 1
    assert "+++ b/west/crds/intentions-inventory.yaml" in proc.stdout


def test_add_suppressions(tmp_path) -> None:
    (tmp_path / "mesh.hcl").write_text('Kind = "mesh"\nPeering {\n  PeerThroughMeshGateway = true\n}\n')
    (tmp_path / "defaults.json").write_text('{"Kind": "proxy-defaults", "Name": "global", "Bogus": 1}\n')
    proc = run("check", "--add-suppressions", "adopted: fix by Q3", "--no-cache", ".", cwd=str(tmp_path))
    assert "Added suppressions for 1 finding(s) in 1 file(s)" in proc.stderr, proc.stderr
    assert "finding(s) left without one: the file has no comments (JSON)" in proc.stderr
    assert (tmp_path / "mesh.hcl").read_text() == (
        'Kind = "mesh"\nPeering {\n  # peerlint: ignore[PL101] adopted: fix by Q3\n  PeerThroughMeshGateway = true\n}\n'
    )
    assert proc.returncode == 1  # the JSON finding remains
    assert "mesh.hcl" not in proc.stdout
    proc = run("check", "--no-cache", "mesh.hcl", cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout


def test_unused_suppressions_are_removed(tmp_path) -> None:
    (tmp_path / "exports.hcl").write_text(
        "# peerlint: ignore[PL002] legacy\n"
        'Kind = "exported-services"\n'
        'Name = "default"   # peerlint: ignore[PL101] kept\n'
        "Services = [\n"
        "  # peerlint: ignore[PL101, PL102] two codes\n"
        '  { Name = "web", Consumers = [{ Partition = "other" }] }\n'
        "]\n"
    )
    proc = run("check", "--fix", "--no-cache", ".", cwd=str(tmp_path))
    assert "Fixed 4 finding(s)" in proc.stderr, proc.stderr
    assert (tmp_path / "exports.hcl").read_text() == (
        'Kind = "exported-services"\nName = "default"\nServices = [\n'
        '  { Name = "web", Consumers = [{ Partition = "other" }] }\n]\n'
    )


def test_fix_options_exclude_each_other(tmp_path) -> None:
    proc = run("check", "--fix", "--add-suppressions", "x", ".", cwd=str(tmp_path))
    assert proc.returncode == 2
    proc = run("check", "--diff", "--add-suppressions", "x", ".", cwd=str(tmp_path))
    assert proc.returncode == 2


def test_sarif_results_carry_fixes(example) -> None:
    from test_cli import _sarif_validator

    run("check", "--unsafe-fixes", "--diff", ".", cwd=str(example))  # nothing written
    proc = run("check", "--no-cache", ".", "--format", "sarif", cwd=str(example))
    log = json.loads(proc.stdout)
    results = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    fix = results["PL303"]["fixes"][0]
    assert fix["properties"] == {"safe": True}
    change = fix["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "south/crds/service-defaults-checkout.yaml"
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 13, "startColumn": 17, "endLine": 13, "endColumn": 21},
            "insertedContent": {"text": "remote"},
        }
    ]
    unsafe = results["PL401"]["fixes"][0]
    assert unsafe["properties"] == {"safe": False}
    assert unsafe["artifactChanges"][0]["artifactLocation"]["uri"] == "west/crds/intentions-inventory.yaml"
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["PL401"]["properties"]["fix"] == "unsafe" and rules["PL801"]["properties"]["fix"] == "none"
    if os.path.isdir(os.path.join(SHARED, "schemas-external")):
        errors = sorted(_sarif_validator().iter_errors(log), key=str)
        assert not errors, errors[0].message


def test_explain_and_docs_say_whether_a_rule_fixes() -> None:
    proc = run("explain", "PL401", cwd=REPO)
    assert proc.stdout.startswith("# PL401 missing-intention (error, fix: unsafe)")
    with open(os.path.join(REPO, "docs", "rules.md"), encoding="utf-8") as handle:
        docs = handle.read()
    assert "fix: safe (`--fix`)" in docs and "fix: unsafe (`--unsafe-fixes`" in docs
    for code, rule in all_rules().items():
        if code.startswith("PL8"):
            assert rule.fix is None, f"{code}: secrets are never rewritten"


def test_mixed_line_endings_are_not_written(tmp_path) -> None:
    path = tmp_path / "mesh.hcl"
    data = b'Kind = "mesh"\r\nPeering {\n  PeerThroughMeshGateway = true\r\n}\n'
    path.write_bytes(data)
    proc = run("check", "--fix", "--no-cache", ".", cwd=str(tmp_path))
    assert proc.returncode == 1  # the finding stays
    assert "did not change mesh.hcl: it mixes CRLF and LF line breaks" in proc.stderr
    assert path.read_bytes() == data


def test_add_suppressions_on_the_example_leaves_nothing(example) -> None:
    proc = run("check", "--add-suppressions", "known; tracked in #18", "--no-cache", ".", cwd=str(example))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Added suppressions for 4 finding(s) in 4 file(s)" in proc.stderr
    text = (example / "terraform" / "ledger.tf").read_text()  # a comment inside jsonencode({...}) is Terraform
    assert "        # peerlint: ignore[PL401] known; tracked in #18\n        Consumers" in text
    text = (example / "south" / "crds" / "service-defaults-checkout.yaml").read_text()
    assert "          # peerlint: ignore[PL303] known; tracked in #18\n          mode: none\n" in text
    again = run("check", "--no-cache", ".", cwd=str(example))
    assert again.returncode == 0 and "PL003" not in again.stdout


def test_unwritable_file_is_exit_2(tmp_path, monkeypatch, capsys) -> None:
    import linter.output
    from linter.cli import main

    text = 'Kind = "mesh"\nPeering {\n  PeerThroughMeshGateway = true\n}\n'
    (tmp_path / "mesh.hcl").write_text(text)

    def refuse(path, data):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(linter.output, "write_atomic", refuse)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--fix", "--no-cache", "."]) == 2
    assert "did not change mesh.hcl: cannot write it: Permission denied" in capsys.readouterr().err
    assert (tmp_path / "mesh.hcl").read_text() == text


# Fixes that create a file (PL401 when the destination has no intentions entry).

NO_ENTRY = os.path.join(FIXTURES, "PL401", "vm-no-intentions-entry")
NEW_ENTRY = os.path.join("cluster-01", "intentions-backend-service.hcl")


@pytest.fixture
def no_entry(tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(NO_ENTRY, folder)
    os.unlink(folder / "expected.txt")
    return folder


def test_a_created_file_diffs_from_dev_null_and_is_written_once(no_entry) -> None:
    proc = run("check", "--diff", "--no-cache", ".", cwd=str(no_entry))
    assert proc.returncode == 0 and proc.stdout == ""  # the fix is unsafe
    proc = run("check", "--diff", "--unsafe-fixes", "--no-cache", ".", cwd=str(no_entry))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith(
        "--- /dev/null\n+++ b/cluster-01/intentions-backend-service.hcl\n@@ -0,0 +1,5 @@\n"
        '+Kind = "service-intentions"\n+Name = "backend-service"\n+Sources = [\n'
    ), proc.stdout
    assert not (no_entry / NEW_ENTRY).exists()
    proc = run("check", "--unsafe-fixes", "--no-cache", ".", cwd=str(no_entry))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"created {NEW_ENTRY}" in proc.stderr and "Fixed 1 finding(s) in 1 file(s); 0 remaining" in proc.stderr
    assert (no_entry / NEW_ENTRY).read_text() == (
        'Kind = "service-intentions"\nName = "backend-service"\nSources = [\n'
        '  { Name = "frontend-service", Peer = "cluster-02", Action = "allow" },\n]\n'
    )
    umask = os.umask(0o022)
    os.umask(umask)
    assert os.stat(no_entry / NEW_ENTRY).st_mode & 0o777 == 0o666 & ~umask
    again = run("check", "--diff", "--unsafe-fixes", "--no-cache", ".", cwd=str(no_entry))
    assert again.returncode == 0 and again.stdout == "", again.stdout


def test_a_fix_never_creates_over_an_existing_file(no_entry) -> None:
    """A file peerlint does not read (excluded here) at the path a fix would create is
    left as it is, and the finding remains; so is one that appears while it runs."""
    from linter.output import create_new

    (no_entry / "peerlint.toml").write_text(
        (no_entry / "peerlint.toml")
        .read_text()
        .replace("[clusters.cluster-01]", 'exclude = ["**/intentions-*"]\n[clusters.cluster-01]', 1)
    )
    (no_entry / NEW_ENTRY).write_text("# mine\n")
    proc = run("check", "--unsafe-fixes", "--no-cache", ".", cwd=str(no_entry))
    assert "PL401" in proc.stdout, proc.stdout + proc.stderr  # a warning here: the ACL posture is unknown
    assert f"did not change {NEW_ENTRY}: a fix creates a file only where none is" in proc.stderr
    assert (no_entry / NEW_ENTRY).read_text() == "# mine\n"
    with pytest.raises(FileExistsError):
        create_new(str(no_entry / NEW_ENTRY), b"theirs")
    assert (no_entry / NEW_ENTRY).read_text() == "# mine\n"
    assert not [f for f in os.listdir(no_entry / "cluster-01") if f.startswith(".peerlint-")]
    assert not creatable(str(no_entry.parent / "elsewhere.hcl"), str(no_entry))
    assert not creatable(str(no_entry / "missing-folder" / "x.hcl"), str(no_entry))
    assert creatable(str(no_entry / "cluster-01" / "new.hcl"), str(no_entry))
    # nor where peerlint would not read it: the next run would find the same problem
    os.unlink(no_entry / NEW_ENTRY)
    proc = run("check", "--unsafe-fixes", "--no-cache", ".", cwd=str(no_entry))
    assert f"did not change {NEW_ENTRY}: a fix creates a file only where peerlint reads it" in proc.stderr
    assert not (no_entry / NEW_ENTRY).exists()


def test_sources_added_after_a_last_line_without_a_line_break(tmp_path) -> None:
    """Found by the project property test: the new source went on the end of the
    file's last line (``- name: frontend    - name: worker``), which no longer parsed."""
    folder = tmp_path / "case"
    shutil.copytree(os.path.join(FIXTURES, "PL401", "k8s-names-peer-upstreams"), folder)
    path = folder / "cluster-01" / "intentions.yaml"
    path.write_text(path.read_text().rstrip("\n"))
    _before, outcome, written, after = _fix_folder(str(folder))
    assert os.path.join("cluster-01", "intentions.yaml") in written
    assert path.read_text().endswith(
        "      action: allow\n    - name: frontend\n      peer: cluster-02\n"
        "      action: allow\n    - name: worker\n      peer: cluster-02\n      action: allow\n"
    )
    assert not [f for f in after.findings if f.code in ("PL001", "PL401")]


def test_fixes_of_how_files_read_go_first(tmp_path) -> None:
    """Found by the project property test: a misspelt Helm value (PL101) hid that Consul
    namespaces are on, and PL403's fix, judged in the same round, wrote the annotation
    for the grammar without them, which the injector rejects once the key is fixed. The
    rename goes in a round of its own; PL403, linted again, then has no sure spelling
    for the bare entry and leaves it (advice only)."""
    folder = tmp_path / "case"
    shutil.copytree(os.path.join(FIXTURES, "PL403", "k8s-annotation-namespaces"), folder)
    values = folder / "cluster-02" / "values.yaml"
    values.write_text(values.read_text().replace("enableConsulNamespaces", "enableConsulNamespace"))
    worker = folder / "cluster-02" / "worker.yaml"
    text = worker.read_text()
    before, outcome, _written, after = _fix_folder(str(folder))
    assert [f.fix.edits[0].new_text for f in before.findings if f.path.endswith("worker.yaml")] == [
        "backend-service.svc.cluster-01.peer"  # right for the values as they read
    ]
    assert "enableConsulNamespaces: true" in values.read_text() and outcome.rounds == 2
    assert worker.read_text() == text
    assert not [f for f in after.findings if f.code == "PL603"]
    assert [f.code for f in after.findings if f.path.endswith("worker.yaml")] == ["PL403"]


def test_no_entry_is_created_while_a_file_does_not_parse(no_entry) -> None:
    """The file that does not parse may be the destination's entry: a second one would
    conflict with it once it is fixed."""
    (no_entry / "cluster-01" / "broken.hcl").write_text('Kind = "service-intentions"\nName = "backend-service\n')
    proc = run("check", "--diff", "--unsafe-fixes", "--no-cache", ".", cwd=str(no_entry))
    assert proc.stdout == "" and "PL401" not in proc.stderr, proc.stdout + proc.stderr
    assert "create a service-intentions config entry:" in run("check", "--no-cache", ".", cwd=str(no_entry)).stdout


def test_apply_fixes_creates_only_where_no_text_is() -> None:
    from linter.textedits import new_file

    make = Fix("create", (new_file("new.hcl", "a = 1\n"),))
    assert apply_fixes({"old.hcl": "x\n"}, [make, make]) == ({"new.hcl": "a = 1\n"}, [0])
    assert apply_fixes({"new.hcl": "x\n"}, [make]) == ({}, [])


def test_sarif_marks_a_created_file(no_entry) -> None:
    from test_cli import _sarif_validator

    proc = run("check", "--no-cache", ".", "--format", "sarif", cwd=str(no_entry))
    log = json.loads(proc.stdout)
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "PL401"]
    (fix,) = result["fixes"]
    assert fix["properties"] == {"safe": False}
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "cluster-01/intentions-backend-service.hcl"
    assert change["properties"] == {"newFile": True}
    (replacement,) = change["replacements"]
    assert replacement["deletedRegion"] == {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}
    assert replacement["insertedContent"]["text"].startswith('Kind = "service-intentions"\n')
    if os.path.isdir(os.path.join(SHARED, "schemas-external")):
        errors = sorted(_sarif_validator().iter_errors(log), key=str)
        assert not errors, errors[0].message
