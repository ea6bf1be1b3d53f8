"""A parallel run is identical to a serial one: same trees (values, spans, paths,
parents), same parse errors, same documents and findings, in the same order, whatever
the number of workers and however the work happens to be split."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

from linter import rulepool
from linter.config import RunOptions, load_config
from linter.engine import check
from linter.load import codec, parallel
from linter.nodes import Scalar, walk
from linter.parse import parse_text
from tests.helpers import REPO, SHARED, all_rules


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", os.path.join(REPO, "benchmarks", "generate.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def shape(node):
    return [
        (
            type(n).__name__,
            n.value if isinstance(n, Scalar) else None,
            getattr(n, "quoted", None),
            n.span,
            n.path,
            None if n.parent is None else (type(n.parent).__name__, n.parent.span),
        )
        for n in walk(node)
    ]


def parsed_shape(parsed):
    error = None if parsed.error is None else (parsed.error.message, parsed.error.line, parsed.error.col)
    return parsed.syntax, [shape(d) for d in parsed.documents], error


SAMPLES = {
    "a.hcl": 'service "web" {\n  port = 80\n}\nservice "api" { port = 81 }\nupstreams { x = 1 }\nupstreams { x = 2 }\nh = <<EOT\nhello\nEOT\nf = 1.5e3\n',
    "b.hcl": 'Kind = "mesh"\nPeering {\n',  # broken
    "c.json": '{"Kind": "service-defaults", "Name": "web", "N": [1, 2.5, true, null, "x"]}',
    "d.json": '{"Kind": ',  # broken
    "e.yaml": "a: 1\n---\nb: [x, 'y', \"true\", true, ~, 0x1F, 1_000, .inf]\n---\n",
    "f.yaml": "a: [1, 2\n",  # broken
    "g.yaml": "anchors:\n  base: &b {x: 1, y: [1, 2]}\n  use: *b\n  merge:\n    <<: *b\n",
    "h.yml": "",
    "i.hcl": "",
    "j.hcl": '{"Kind": "mesh"}',  # JSON in an .hcl file
    "k.yaml": "big: 123456789012345678901234567890\nneg: -0.0\nnan: .nan\n",
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_encode_decode_round_trip(name):
    parsed = parse_text(name, SAMPLES[name])
    blob = codec.encode(parsed)
    assert blob is not None
    decoded = codec.decode(blob)
    assert repr(parsed_shape(decoded)) == repr(parsed_shape(parsed))  # repr: nan != nan


def test_round_trip_over_the_corpus():
    corpus = os.path.join(SHARED, "corpus")
    if not os.path.isdir(corpus):
        pytest.skip("no shared corpus")
    count = 0
    for folder, _dirs, files in os.walk(corpus):
        for name in sorted(files):
            if not name.lower().endswith((".hcl", ".json", ".yaml", ".yml")):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
            parsed = parse_text(path, text)
            blob = codec.encode(parsed)
            if blob is not None:
                assert repr(parsed_shape(codec.decode(blob))) == repr(parsed_shape(parsed)), path
                count += 1
    assert count > 100


def _write_samples(folder, copies=6):
    paths = []
    for n in range(copies):
        for name in sorted(SAMPLES):
            path = folder / f"dir{n}" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(SAMPLES[name])
            paths.append(str(path))
    (folder / "binary.hcl").write_bytes(b"a = \x00")
    paths.append(str(folder / "binary.hcl"))
    paths.append(str(folder / "missing.hcl"))
    return paths


def _loaded_shape(loaded):
    return [
        (source.path, source.text, source.problem, None if parsed is None else repr(parsed_shape(parsed)))
        for source, parsed in loaded
    ]


def test_an_unencodable_result_is_parsed_in_the_parent(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(parallel, "CHUNK", 2)
    monkeypatch.setattr(parallel, "encode", lambda parsed: None)  # inherited by forked workers
    paths = _write_samples(tmp_path, 2)
    assert _loaded_shape(parallel.load_files(paths, 10**6, None, 2)) == _loaded_shape(
        parallel.load_files(paths, 10**6, None, 1)
    )


@pytest.mark.parametrize("jobs,chunk", [(2, 1), (2, 5), (3, 7), (4, 64)])
def test_load_files_equals_serial(tmp_path, monkeypatch, jobs, chunk):
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(parallel, "CHUNK", chunk)
    paths = _write_samples(tmp_path)
    serial = _loaded_shape(parallel.load_files(paths, 10**6, None, 1))
    assert _loaded_shape(parallel.load_files(paths, 10**6, None, jobs)) == serial
    assert any(problem for _p, _t, problem, _s in serial)


def test_parallel_with_a_cache_equals_serial(tmp_path, monkeypatch):
    from linter.load.cache import ParseCache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    paths = _write_samples(tmp_path / "files")
    serial = _loaded_shape(parallel.load_files(paths, 10**6, None, 1))
    for round_ in ("cold", "warm"):
        cache = ParseCache(str(tmp_path / "cache"), "k")
        cache.load()
        assert _loaded_shape(parallel.load_files(paths, 10**6, cache, 2)) == serial
        assert cache.changed == (round_ == "cold")  # warm: every file came from the cache
        cache.save()


def _lint(root, jobs):
    old = os.getcwd()
    os.chdir(root)
    try:
        config = load_config(".")
        result = check(["."], config, all_rules(), options=RunOptions(jobs=jobs))
    finally:
        os.chdir(old)
    return (
        [
            (f.code, f.path, f.span, f.message, f.severity, [(r.path, r.span) for r in f.related])
            for f in result.findings
        ],
        [(d.path, d.index, d.category, d.kind, d.cluster, shape(d.root)) for d in result.project.documents],
        [(p.path, p.message, p.span) for p in result.project.problems],
        result.project.files,
    )


def test_a_fleet_lints_the_same_serial_and_parallel(tmp_path, monkeypatch):
    root = tmp_path / "fleet"
    _generator().generate(str(root), 160)
    # some trouble, so findings and problems are compared too
    (root / "dc1" / "broken.hcl").write_text('Kind = "mesh"\nPeering {\n')
    (root / "k8s1" / "typo.yaml").write_text(
        "apiVersion: consul.hashicorp.com/v1alpha1\nkind: ExportedService\nmetadata:\n  name: default\n"
    )
    (root / "dc2" / "binary.json").write_bytes(b"{\x00}")
    serial = _lint(root, 1)
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(rulepool, "THRESHOLD", 1)  # rules on two cores too
    for jobs, chunk in ((2, 3), (3, 16)):
        monkeypatch.setattr(parallel, "CHUNK", chunk)
        assert _lint(root, jobs) == serial
    assert serial[0], "the planted problems were found"
    assert serial[3] and len(serial[3]) == 163


def test_the_generated_fleet_is_clean(tmp_path):
    """The benchmark fleet is a correct repository: any finding is a generator bug or
    a false positive, and a benchmark over either measures the wrong thing."""
    root = tmp_path / "fleet"
    _generator().generate(str(root), 120)
    findings = _lint(root, 1)[0]
    assert findings == []


def _broken_rules():
    from linter.api import Rule

    class Broken(Rule):
        code = "PL998"
        slug = "broken"
        severity = "error"
        summary = "fails half-way"

        def check(self, project):
            for doc in project.documents[:2]:
                yield self.report(doc, "before the failure")
            raise ValueError("boom")

    return dict(all_rules(), PL998=Broken)


def _lint_with(root, rules, jobs):
    old = os.getcwd()
    os.chdir(root)
    try:
        config = load_config(".")
        result = check(["."], config, rules, options=RunOptions(jobs=jobs))
    finally:
        os.chdir(old)
    return [(f.code, f.path, f.span, f.message) for f in result.findings], result.internal_error


def test_rules_in_a_child_process_equal_serial_even_when_one_fails(tmp_path, monkeypatch):
    root = tmp_path / "fleet"
    _generator().generate(str(root), 120)
    (root / "k8s1" / "typo.yaml").write_text(
        "apiVersion: consul.hashicorp.com/v1alpha1\nkind: ExportedService\nmetadata:\n  name: default\n"
    )
    rules = _broken_rules()
    serial = _lint_with(root, rules, 1)
    assert serial[1] and any(code == "PL000" for code, *_ in serial[0])
    monkeypatch.setattr(rulepool, "THRESHOLD", 1)
    started = []
    original = rulepool.start
    monkeypatch.setattr(rulepool, "start", lambda *a: started.append(a[1]) or original(*a))
    assert _lint_with(root, rules, 2) == serial
    assert started and "PL998" in started[0]


def test_a_failed_child_means_its_rules_run_here(tmp_path, monkeypatch):
    root = tmp_path / "fleet"
    _generator().generate(str(root), 120)
    serial = _lint(root, 1)
    monkeypatch.setattr(rulepool, "THRESHOLD", 1)
    monkeypatch.setattr(rulepool.pickle, "dumps", lambda *a, **k: 1 / 0)  # the child cannot send
    assert _lint(root, 2) == serial


def test_rule_units_keep_shared_cache_rules_together():
    units = rulepool._claims(
        ["PL002", "PL101", "PL102", "PL105", "PL104"], dict.fromkeys(("PL101", "PL102", "PL104"), "schemacheck")
    )
    assert units == [["PL002"], ["PL101", "PL102", "PL104"], ["PL105"]]


def test_each_rule_unit_is_taken_once():
    """The child and this process share the rules out; together they run each once."""
    done_here = []
    offload = rulepool.start(
        object(), ["A", "B", "C", "D"], lambda project, code: ([code], False), {"B": "g", "C": "g"}
    )
    assert offload is not None
    while (claimed := offload.claim()) is not None:
        done_here.extend(claimed)
    got = offload.results()
    assert got is not None
    assert sorted(done_here + list(got)) == ["A", "B", "C", "D"]
    assert ("B" in got) == ("C" in got)


# linter/load/forkpool.py: chunks shared between this process and forked workers.


def _pool_run(chunks, remote, workers=1, local_delay=0.0):
    import marshal
    import time

    from linter.load import forkpool

    here, there = [], []

    def local(chunk):
        time.sleep(local_delay)
        here.append(chunk)

    def deliver(chunk, data):
        assert marshal.loads(data) == chunk * 2
        there.append(chunk)

    forkpool.run(chunks, local, remote, deliver, workers)
    return here, there


def test_the_fork_pool_does_every_chunk_once_front_here_back_there():
    import marshal
    import time

    def remote(chunk):
        time.sleep(0.002)
        return marshal.dumps(chunk * 2)

    chunks = list(range(200))
    here, there = _pool_run(chunks, remote, workers=1, local_delay=0.002)
    assert sorted(here + there) == chunks
    assert here and there and here == sorted(here) and there == sorted(there, reverse=True)
    assert max(here) < min(there)  # they met once, in the middle


def test_a_failing_or_dying_worker_loses_nothing():
    import marshal
    import os

    def raising(chunk):
        if chunk % 7 == 3:
            raise RuntimeError("boom")
        return marshal.dumps(chunk * 2)

    def dying(chunk):
        if chunk == 150:
            os._exit(9)
        return marshal.dumps(chunk * 2)

    for remote in (raising, dying):
        here, there = _pool_run(list(range(200)), remote, workers=2, local_delay=0.001)
        assert sorted(here + there) == list(range(200))


def test_large_results_and_no_workers():
    import marshal

    from linter.load import forkpool

    chunks = list(range(40))
    here, there = _pool_run(chunks, lambda chunk: marshal.dumps(chunk * 2), workers=0)
    assert here == chunks and there == []

    got = []  # each result far larger than a pipe's buffer
    forkpool.run(
        list(range(6)),
        lambda c: got.append(("here", c, 0)),
        lambda c: marshal.dumps(b"x" * (3 << 20)),
        lambda c, d: got.append(("there", c, len(d))),
        1,
    )
    assert sorted(item[1] for item in got) == list(range(6))
    assert all(size > 3 << 20 for where, _c, size in got if where == "there")


def test_an_error_here_stops_the_workers_at_once():
    import marshal
    import time

    from linter.load import forkpool

    done_read, done_write = os.pipe()

    def slow(chunk):
        time.sleep(0.05)
        os.write(done_write, b".")  # one byte per chunk a worker finished
        return marshal.dumps(chunk)

    def local(chunk):
        raise ValueError("a bug here")

    try:
        forkpool.run(list(range(200)), local, slow, lambda c, d: None, 1)
    except ValueError:
        pass
    else:  # pragma: no cover
        raise AssertionError("the error was swallowed")
    os.close(done_write)
    with os.fdopen(done_read, "rb") as finished:  # EOF once every worker is gone
        chunks = len(finished.read())
    assert chunks < 20, chunks  # the workers were killed, not left to parse all 200 chunks
