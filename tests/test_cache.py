"""The parse cache never changes a result: cold and warm runs agree, an edited file is
parsed again, a new peerlint version or configuration starts afresh, a damaged or
foreign cache file is ignored, concurrent runs are safe, checked files are untouched."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil

import pytest

from linter.config import RunOptions, load_config
from linter.engine import check
from linter.load import cache as cache_mod
from linter.load import parallel
from tests.helpers import all_rules

HCL_OK = 'Kind = "exported-services"\nName = "default"\nServices = [\n  {\n    Name = "web"\n    Consumers = [{ Peer = "dc2" }]\n  }\n]\n'
YAML_BAD_KIND = "apiVersion: consul.hashicorp.com/v1alpha1\nkind: ExportedService\nmetadata:\n  name: default\n"
JSON_BROKEN = '{"Kind": "service-defaults", "Name": "web",\n'


@pytest.fixture(autouse=True)
def _private_key_home(tmp_path_factory, monkeypatch):
    """The cache's MAC key lives in the user's cache folder: a private one per test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "repo"
    (root / "dc1").mkdir(parents=True)
    (root / "dc1" / "exports.hcl").write_text(HCL_OK)
    (root / "dc1" / "bad-kind.yaml").write_text(YAML_BAD_KIND)
    (root / "dc1" / "broken.json").write_text(JSON_BROKEN)
    (root / "dc1" / "many.yaml").write_text("---\n".join(f"a{i}: {i}\n" for i in range(5)))
    return root


class Counter:
    """Counts parses (serial path) so a test can tell a cache hit from a miss."""

    def __init__(self, monkeypatch):
        self.paths: list[str] = []
        original = parallel.parse_text

        def counting(path, text):
            self.paths.append(os.path.basename(path))
            return original(path, text)

        monkeypatch.setattr(parallel, "parse_text", counting)


def run(root, cache_dir, jobs=1):
    old = os.getcwd()
    os.chdir(root)
    try:
        config = load_config(".")
        options = RunOptions(jobs=jobs, cache_dir=str(cache_dir) if cache_dir else None)
        result = check(["."], config, all_rules(), options=options)
    finally:
        os.chdir(old)
    findings = [(f.code, f.path, f.span, f.message, f.severity) for f in result.findings]
    docs = (
        [(d.path, d.index, d.kind, d.root.span) for d in result.project.documents]
        if result.project is not None
        else None
    )
    return findings, docs, result


def tree_digest(root) -> dict:
    out = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                out[os.path.relpath(path, root)] = (
                    hashlib.sha256(handle.read()).hexdigest(),
                    os.stat(path).st_mtime_ns,
                )
    return out


@pytest.fixture
def parse_cache_only(monkeypatch):
    """Runs that never reuse findings, so the parse cache's own trees are compared."""
    from linter import resultscache as results

    monkeypatch.setattr(results.ResultsCache, "load", lambda self: None)


def test_cold_and_warm_runs_are_identical_and_warm_parses_nothing(project, tmp_path, monkeypatch, parse_cache_only):
    uncached = run(project, None)[:2]
    counter = Counter(monkeypatch)
    cold = run(project, tmp_path / "cache")[:2]
    assert sorted(counter.paths) == ["bad-kind.yaml", "broken.json", "exports.hcl", "many.yaml"]
    counter.paths.clear()
    warm = run(project, tmp_path / "cache")[:2]
    assert counter.paths == []
    assert cold == warm == uncached
    assert any(code == "PL001" for code, *_ in warm[0]) and any(code == "PL002" for code, *_ in warm[0])


def test_warm_trees_equal_fresh_trees(project, tmp_path, parse_cache_only):
    from linter.nodes import walk

    def shape(result):
        return [
            [
                (
                    type(n).__name__,
                    getattr(n, "value", None) if type(n).__name__ == "Scalar" else None,
                    getattr(n, "quoted", None),
                    n.span,
                    n.path,
                    n.parent.span if n.parent is not None else None,
                )
                for n in walk(d.root)
            ]
            for d in result.project.documents
        ]

    fresh = run(project, None)[2]
    run(project, tmp_path / "cache")
    warm = run(project, tmp_path / "cache")[2]
    assert shape(fresh) == shape(warm)
    assert fresh.project.problems == warm.project.problems


def test_an_edited_file_is_parsed_again(project, tmp_path, monkeypatch):
    run(project, tmp_path / "cache")
    counter = Counter(monkeypatch)
    (project / "dc1" / "broken.json").write_text('{"Kind": "service-defaults", "Name": "web"}\n')
    findings = run(project, tmp_path / "cache")[0]
    assert counter.paths == ["broken.json"]
    assert not any(code == "PL001" for code, *_ in findings)
    assert findings == run(project, None)[0]


def test_a_new_version_or_configuration_starts_afresh(project, tmp_path, monkeypatch):
    run(project, tmp_path / "cache")
    counter = Counter(monkeypatch)
    monkeypatch.setattr(cache_mod, "__version__", "999.0.0")
    run(project, tmp_path / "cache")
    assert len(counter.paths) == 4
    assert os.path.isdir(tmp_path / "cache" / "999.0.0")
    counter.paths.clear()
    (project / "peerlint.toml").write_text('edition = "enterprise"\n')
    run(project, tmp_path / "cache")
    assert len(counter.paths) == 4


def test_cache_key_follows_fingerprint_and_parser_sources(tmp_path):
    config = load_config(str(tmp_path))
    key = cache_mod.cache_key(config)
    assert key == cache_mod.cache_key(config)
    config.max_file_size += 1
    assert cache_mod.cache_key(config) != key


@pytest.mark.parametrize("damage", ["garbage", "truncated", "tampered", "empty"])
def test_a_damaged_or_foreign_cache_is_ignored(project, tmp_path, monkeypatch, damage):
    expected = run(project, None)[:2]
    run(project, tmp_path / "cache")
    cache_files = [os.path.join(d, f) for d, _, fs in os.walk(tmp_path / "cache") for f in fs if f.endswith(".bin")]
    assert len(cache_files) == 3  # parse, results and the re-check state (linter.rerun)
    for cache_file in cache_files:
        data = open(cache_file, "rb").read()
        if damage == "garbage":
            data = os.urandom(len(data))
        elif damage == "truncated":
            data = data[: len(data) // 2]
        elif damage == "tampered":  # valid framing, body changed, MAC not recomputed
            data = data[:-10] + bytes(10)
        else:
            data = b""
        with open(cache_file, "wb") as handle:
            handle.write(data)
    counter = Counter(monkeypatch)
    assert run(project, tmp_path / "cache")[:2] == expected
    assert len(counter.paths) == 4  # nothing was trusted


def test_a_cache_signed_with_another_key_is_never_decoded(project, tmp_path, monkeypatch):
    import hmac  # noqa: F401  (imported now: importing it under the patched marshal below would fail)

    run(project, tmp_path / "cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-user"))

    decoded = []
    monkeypatch.setattr(cache_mod.marshal, "loads", lambda data: decoded.append(1) or {})
    run(project, tmp_path / "cache")
    assert decoded == []


def test_checked_files_are_never_modified(project, tmp_path):
    before = tree_digest(project)
    run(project, tmp_path / "cache")
    run(project, tmp_path / "cache")
    assert tree_digest(project) == before


def test_cli_default_cache_is_at_the_project_root_and_no_cache_writes_nothing(project, monkeypatch, capsys):
    from linter.cli import main

    (project / "peerlint.toml").write_text("")
    monkeypatch.chdir(project / "dc1")
    main(["check", "--no-cache", "."])
    assert not (project / ".peerlint_cache").exists()
    uncached = capsys.readouterr().out
    main(["check", "."])
    first = capsys.readouterr().out
    assert first == uncached
    assert (project / ".peerlint_cache" / "CACHEDIR.TAG").exists()
    assert (project / ".peerlint_cache" / ".gitignore").read_text().strip().endswith("*")
    main(["check", "."])
    assert capsys.readouterr().out == first
    main(["check", "--cache-dir", str(project / "elsewhere"), "."])
    assert (project / "elsewhere").is_dir()


def _concurrent_run(args):
    root, cache_dir, xdg = args
    os.environ["XDG_CACHE_HOME"] = xdg
    return run(root, cache_dir)[0]


def test_concurrent_runs_share_a_cache_safely(project, tmp_path):
    for i in range(40):  # enough entries that writes take a while
        (project / f"svc{i}.hcl").write_text(f'service {{\n  name = "svc{i}"\n  port = {8000 + i}\n}}\n')
    expected = run(project, None)[0]
    cache_dir = tmp_path / "cache"
    xdg = os.environ["XDG_CACHE_HOME"]
    for round_ in range(3):
        if round_ == 2:
            (project / "svc0.hcl").write_text('service {\n  name = "svc0"\n  port = 9000\n}\n')
            expected = run(project, None)[0]
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(4) as pool:
            results = pool.map(_concurrent_run, [(str(project), str(cache_dir), xdg)] * 8)
        assert all(r == expected for r in results)
        leftovers = [f for d, _, fs in os.walk(cache_dir) for f in fs if f.endswith(".tmp")]
        assert leftovers == []
        assert run(project, cache_dir)[0] == expected


def test_a_read_only_cache_folder_is_not_an_error(project, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        assert run(project, folder)[:2] == run(project, None)[:2]
    finally:
        os.chmod(folder, 0o700)
        shutil.rmtree(folder)


def test_a_cache_path_that_is_a_file_is_not_an_error(project, tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    assert run(project, blocker)[:2] == run(project, None)[:2]


class RuleRuns:
    """Counts rule runs, to tell a results-cache hit from a miss."""

    def __init__(self, monkeypatch):
        from linter import engine

        self.count = 0
        original = engine.run_rules

        def counting(*args, **kwargs):
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(engine, "run_rules", counting)


def test_results_cache_hit_only_when_nothing_changed(project, tmp_path, monkeypatch):
    runs = RuleRuns(monkeypatch)
    cache = tmp_path / "cache"
    first = run(project, cache)[0]
    second = run(project, cache)[0]
    assert runs.count == 1 and first == second == run(project, None)[0]
    # an edit anywhere: rules again, and the new findings
    (project / "dc1" / "bad-kind.yaml").write_text(YAML_BAD_KIND.replace("ExportedService\n", "ExportedServices\n"))
    edited = run(project, cache)[0]
    assert runs.count == 3 and edited != first and edited == run(project, None)[0]
    # a new file, a removed file
    (project / "dc1" / "new.hcl").write_text('Kind = "mesh"\n')
    run(project, cache)
    assert runs.count == 5
    os.remove(project / "dc1" / "new.hcl")
    assert run(project, cache)[0] == edited and runs.count == 6


def test_results_cache_follows_configuration_and_options(project, tmp_path, monkeypatch):
    runs = RuleRuns(monkeypatch)
    cache = tmp_path / "cache"
    run(project, cache)
    (project / "peerlint.toml").write_text('[severity]\nPL002 = "warning"\n')
    findings = run(project, cache)[0]
    assert runs.count == 2
    assert [f for f in findings if f[0] == "PL002"][0][4] == "warning"
    old = os.getcwd()
    os.chdir(project)
    try:
        config = load_config(".")
        selected = check(["."], config, all_rules(), ["PL001"], options=RunOptions(cache_dir=str(cache)))
    finally:
        os.chdir(old)
    assert runs.count == 3 and {f.code for f in selected.findings} == {"PL001"}


def test_results_cache_follows_the_rules_code(project, tmp_path, monkeypatch):
    from linter import resultscache as results

    runs = RuleRuns(monkeypatch)
    cache = tmp_path / "cache"
    run(project, cache)
    stamp = results.code_stamp(all_rules())
    monkeypatch.setattr(results, "code_stamp", lambda rules: stamp + "\nrules/pl001_parse_error.py:1:2")
    run(project, cache)
    assert runs.count == 2


def test_a_failing_rule_is_not_cached(project, tmp_path, monkeypatch):
    from linter.api import Rule

    class Broken(Rule):
        code = "PL999"
        slug = "broken"
        severity = "error"
        summary = "always fails"

        def check(self, project):
            raise RuntimeError("boom")
            yield  # pragma: no cover

    rules = dict(all_rules(), PL999=Broken)
    old = os.getcwd()
    os.chdir(project)
    try:
        config = load_config(".")
        options = RunOptions(cache_dir=str(tmp_path / "cache"))
        first = check(["."], config, rules, options=options)
        runs = RuleRuns(monkeypatch)
        second = check(["."], config, rules, options=options)
    finally:
        os.chdir(old)
    assert first.internal_error and second.internal_error and runs.count == 1


def test_a_results_hit_reports_exactly_what_a_full_run_does(project, tmp_path):
    full = run(project, None)[2]
    run(project, tmp_path / "cache")
    hit = run(project, tmp_path / "cache")[2]
    assert hit.timings["graph"] == 0.0  # it was a hit
    assert [vars(f) for f in hit.findings] == [vars(f) for f in full.findings]
    assert hit.project is None  # no model was built
    assert hit.files == full.project.files and hit.texts == full.project.texts
    assert hit.internal_error == full.internal_error


def test_cli_output_is_the_same_cold_warm_and_uncached(project, monkeypatch, capsys):
    from linter.cli import main

    monkeypatch.chdir(project)
    outputs = []
    for args in (
        ["--no-cache"],
        [],
        [],
        ["-j", "1"],
        ["--format", "json", "--no-cache"],
        ["--format", "json"],
        ["--format", "sarif", "--no-cache"],
        ["--format", "sarif"],
    ):
        status = main(["check", *args, "."])
        outputs.append((status, capsys.readouterr().out))
    assert outputs[0] == outputs[1] == outputs[2] == outputs[3]
    assert outputs[4] == outputs[5] and outputs[6] == outputs[7]
