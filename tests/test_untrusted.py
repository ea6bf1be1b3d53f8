"""peerlint as a CI gate on untrusted pull requests (issue #21): bounded in time,
secret-safe, confined to the repository. Each case was reproduced before its fix."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest
from helpers import REPO, lint

_RUN = [sys.executable, "-m", "linter"]


def _example_token() -> str:
    """The peering token of PL801's tested example (a real token's shape)."""
    from rules.pl801_committed_peering_token import CommittedPeeringToken

    text = CommittedPeeringToken.example["bad"]["secret.yaml"]
    return next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("data:"))


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": REPO}


def _write(folder, name: str, data) -> str:
    path = os.path.join(str(folder), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as handle:
        handle.write(data)
    return path


def _wrapped(data: str, width: int = 76, indent: str = "    ") -> str:
    return "\n".join(indent + data[i : i + width] for i in range(0, len(data), width))


def _scan_seconds(text: str) -> float:
    """Wall time of the peering-token scan on ``text`` in a child process, killed after
    a generous limit (the scan took minutes on these inputs before it was linear)."""
    script = (
        "import sys, time\nfrom linter.acl.secrets import find_peering_tokens\n"
        "text = sys.stdin.read()\nstart = time.perf_counter()\nlist(find_peering_tokens(text))\n"
        "print(time.perf_counter() - start)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], input=text, capture_output=True, text=True, env=_env(), timeout=60, check=True
    )
    return float(out.stdout)


def _adversarial_base64() -> dict[str, str]:
    payload = base64.b64encode(json.dumps({"items": ["x" * 50] * 4000}).encode()).decode()
    double = base64.b64encode(payload.encode()).decode()
    return {
        "wrapped-json": _wrapped(payload),
        "k8s-secret-double": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  blob: |\n"
        + _wrapped(double),
        "every-line-json-start": "\n".join("eyJ" + "A" * 73 for _ in range(4500)),
    }


@pytest.mark.parametrize("name", list(_adversarial_base64()))
def test_peering_token_scan_is_linear_on_wrapped_base64(name) -> None:
    text = _adversarial_base64()[name]
    assert 150_000 < len(text) < 450_000
    assert _scan_seconds(text) < 10  # was 4-110 s and more; linear now (~10 ms)


def test_wrapped_token_before_a_heredoc_end_is_still_found() -> None:
    from linter.acl.secrets import find_peering_tokens

    text = "token = <<EOF\n" + _wrapped(_example_token(), indent="") + "\nEOF\n"
    assert len(list(find_peering_tokens(text))) == 1


@pytest.mark.parametrize("shape", ["flat", "list"])
def test_huge_hcl_is_a_clear_problem_fast(tmp_path, shape) -> None:
    if shape == "flat":
        text = "".join(f'key_number_{i} = "value {i}"\n' for i in range(300_000))
    else:
        text = "a = [" + ",".join(str(i) for i in range(300_000)) + "]\n"
    _write(tmp_path, "big.hcl", text)
    out = subprocess.run(
        _RUN + ["check", "--no-cache", str(tmp_path)], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert "PL001" in out.stdout and "more than" in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]
    assert "Traceback" not in out.stderr


def _problems(result) -> dict[str, str]:
    return {f.path: f.message for f in result.findings if f.code == "PL001"}


def test_fifo_is_skipped_with_a_problem_never_blocks(tmp_path) -> None:
    _write(tmp_path, "ok.hcl", 'a = "b"\n')
    os.mkfifo(os.path.join(str(tmp_path), "pipe.hcl"))
    out = subprocess.run(
        _RUN + ["check", "--no-cache", "-f", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    messages = [f["message"] for f in json.loads(out.stdout)["findings"] if f["path"].endswith("pipe.hcl")]
    assert messages and "not a regular file" in messages[0]


def test_symlink_to_a_device_is_not_opened(tmp_path) -> None:
    os.symlink("/dev/zero", os.path.join(str(tmp_path), "zero.yaml"))
    out = subprocess.run(
        _RUN + ["check", "--no-cache", "-f", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    [message] = [f["message"] for f in json.loads(out.stdout)["findings"] if f["path"].endswith("zero.yaml")]
    assert "outside the project" in message


def test_symlink_outside_the_project_is_never_read(tmp_path) -> None:
    outside = _write(tmp_path, "secret/credentials.yaml", "https://user:ghp_SUPERSECRETTOKEN@github.com\n: :\n")
    project = tmp_path / "repo"
    project.mkdir()
    _write(project, "peerlint.toml", "")
    os.symlink(outside, str(project / "creds.yaml"))
    _write(project, "real.hcl", 'a = "b"\n')
    os.symlink("real.hcl", str(project / "inside.hcl"))
    out = subprocess.run(
        _RUN + ["check", "--no-cache", str(project)], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert "SUPERSECRET" not in out.stdout + out.stderr
    assert "outside the project" in out.stdout
    assert "inside.hcl" not in out.stdout  # a link inside the project is read like its target


def test_language_server_never_reads_outside_its_workspace(tmp_path) -> None:
    """A watcher event or a closed document for a file outside the project, or for a
    committed symlink inside it that points outside, never reads that file."""
    from linter.commands.editor import EditorProject

    outside = _write(tmp_path, "elsewhere/secret.hcl", 'token = "x"\n')
    root = tmp_path / "ws"
    root.mkdir()
    _write(root, "a.hcl", 'a = "b"\n')
    os.symlink(outside, root / "link.hcl")
    cwd = os.getcwd()
    os.chdir(str(root))
    try:
        project = EditorProject(str(root), True)
        project.load(lambda config: None)
        project.reread(str(outside))
        project.reread(str(root / "link.hcl"))
        texts = [source.text or "" for source, _parsed in project.disk.values()]
        assert not any("token" in t for t in texts), list(project.disk)
    finally:
        os.chdir(cwd)


_SECRET_ID = "5b1e7c3a-2d4f-4a8b-9c6d-1e2f3a4b5c6d"
_FORMATS = ["text", "json", "sarif", "github", "gcc", "junit", "gitlab"]


@pytest.mark.parametrize("fmt", _FORMATS)
def test_duplicated_secret_is_never_printed_in_full(tmp_path, fmt) -> None:
    _write(
        tmp_path,
        "agent.hcl",
        f'acl {{\n  tokens {{\n    agent = "{_SECRET_ID}"\n    agent = "{_SECRET_ID}"\n  }}\n}}\n'
        'token = "hvs.CAESIJsecretvaultvalue1"\ntoken = "hvs.CAESIJsecretvaultvalue2"\n',
    )
    out = subprocess.run(
        _RUN + ["check", "--no-cache", "-f", fmt, str(tmp_path)], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert "PL004" in out.stdout
    for secret in (_SECRET_ID, _SECRET_ID[4:], "secretvaultvalue"):
        assert secret not in out.stdout


def test_peering_token_in_a_peer_name_is_masked_in_findings_and_graphs(tmp_path) -> None:

    token = _example_token()
    _write(
        tmp_path,
        "exports.hcl",
        f'Kind = "exported-services"\nName = "default"\nServices = [\n  {{\n    Name = "web"\n    Consumers = [{{ Peer = "{token}" }}]\n  }}\n]\n',
    )
    for command in (
        ["check", "--no-cache", "-f", "json"],
        ["graph", "-f", "json"],
        ["graph", "-f", "mermaid"],
        ["graph", "-f", "dot"],
    ):
        out = subprocess.run(_RUN + command + [str(tmp_path)], capture_output=True, text=True, env=_env(), timeout=60)
        assert token[:4] in out.stdout or out.returncode in (0, 1), out.stderr
        assert token[4:40] not in out.stdout, command


_EVIL_KEY = "x\\n::set-output name=pwned::1\\n::add-mask::\\e]52;c;SGVsbG8=\\a"


@pytest.mark.parametrize("fmt", ["text", "gcc", "github", "junit"])
def test_keys_and_file_names_cannot_inject_lines_or_escapes(tmp_path, fmt) -> None:
    _write(tmp_path, "dup.yaml", f'"{_EVIL_KEY}": 1\n"{_EVIL_KEY}": 2\n')
    _write(tmp_path, "evil\n::error file=forged.hcl,line=1::forged\x1b[31m.hcl", "a = \n")
    out = subprocess.run(
        _RUN + ["check", "--no-cache", "-f", fmt, str(tmp_path)], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert "PL001" in out.stdout, out.stdout + out.stderr
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout
    lines = out.stdout.splitlines()
    if fmt == "github":  # one workflow command per finding, none from a name or key
        assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
        assert len(lines) == out.stdout.count("title=PL")
    else:
        assert not any(line.lstrip().startswith("::") for line in lines)
    if fmt == "gcc":
        assert all(":" in line and ("[PL" in line or ": note:" in line) for line in out.stdout.splitlines())


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab", "text", "gcc", "github", "junit"])
def test_file_name_that_is_not_utf8_never_crashes_a_writer(tmp_path, fmt) -> None:
    with open(os.path.join(os.fsencode(str(tmp_path)), b"bad\xff.hcl"), "w") as handle:
        handle.write("a = \n")
    out = subprocess.run(
        _RUN + ["check", "--no-cache", "-f", fmt, str(tmp_path)], capture_output=True, env=_env(), timeout=60
    )
    assert out.returncode == 1 and b"Traceback" not in out.stderr, out.stderr
    assert b"\xff" not in out.stdout
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(out.stdout)


def test_source_excerpt_is_a_window_not_the_whole_line() -> None:
    from linter.api import Finding
    from linter.nodes import Span
    from linter.report.text import _snippet

    line = "x" * 500_000 + 'token = "abc"' + "y" * 500_000
    col = 500_001
    finding = Finding("PL004", "warning", "m", "f.hcl", Span(1, col, 1, col + 5))
    [(source, carets)] = _snippet(line + "\n", finding)
    assert len(source) <= 200  # was the whole 1 MB line, once per finding
    assert source[carets.index("^") :].startswith("token")


def test_output_through_a_symlink_writes_its_target_and_keeps_modes(tmp_path) -> None:
    _write(tmp_path, "src/a.hcl", "a = \n")
    target = _write(tmp_path, "out/report.json", "old")
    os.chmod(target, 0o640)
    link = os.path.join(str(tmp_path), "out", "link.json")
    os.symlink(target, link)
    fresh = os.path.join(str(tmp_path), "out", "new.json")
    subprocess.run(
        _RUN
        + ["check", "--no-cache", "-f", "json", "-o", link, "--output-format", f"json={fresh}", str(tmp_path / "src")],
        env=_env(),
        timeout=60,
    )
    assert os.path.islink(link) and json.loads(open(target).read())["findings"]
    assert oct(os.stat(target).st_mode & 0o777) == oct(0o640)
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(fresh).st_mode & 0o777 == 0o666 & ~umask
    assert not [n for n in os.listdir(str(tmp_path / "out")) if n.startswith(".peerlint-")]


def test_output_to_a_pipe_is_written_not_replaced(tmp_path) -> None:
    _write(tmp_path, "src/a.hcl", "a = \n")
    fifo = os.path.join(str(tmp_path), "pipe")
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", fifo], stdout=subprocess.PIPE)
    subprocess.run(
        _RUN + ["check", "--no-cache", "-f", "json", "-o", fifo, str(tmp_path / "src")], env=_env(), timeout=60
    )
    try:
        out, _ = reader.communicate(timeout=60)
    finally:
        reader.kill()  # peerlint never opened the pipe: do not leave cat waiting
    assert json.loads(out)["findings"]
    import stat

    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_deeply_nested_config_is_one_line_exit_2(tmp_path) -> None:
    _write(tmp_path, "peerlint.toml", "a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    _write(tmp_path, "a.hcl", 'a = "b"\n')
    out = subprocess.run(
        _RUN + ["check", "--no-cache", str(tmp_path)], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1, (
        out.stderr[-500:]
    )


def test_deeply_nested_baseline_is_one_line_exit_2(tmp_path) -> None:
    _write(tmp_path, "a.hcl", 'a = "b"\n')
    baseline = _write(tmp_path, "base.json", "[" * 100_000 + "]" * 100_000)
    out = subprocess.run(
        _RUN + ["check", "--no-cache", "--baseline", baseline, str(tmp_path)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1, (
        out.stderr[-500:]
    )


def test_missing_project_is_a_usage_error(tmp_path) -> None:
    out = subprocess.run(
        _RUN + ["check", "--no-cache", "--project", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert out.returncode == 2 and "no such directory" in out.stderr


def test_results_cache_holds_data_not_code() -> None:
    from linter.api import Edit, Finding, Fix, Location
    from linter.cachecodec import decode_results, encode_results
    from linter.nodes import Span

    finding = Finding(
        "PL004",
        "warning",
        "m",
        "a.hcl",
        Span(1, 2, 1, 5),
        "r",
        "a.b",
        [Location("b.hcl", Span(3, 1, 3, 2), "here", "x")],
        Fix("fix it", (Edit("a.hcl", Span(1, 2, 1, 5), "new"),), safe=False),
        False,
    )
    assert decode_results(encode_results(b"d" * 32, [finding], False, ["a note"])) == (
        b"d" * 32,
        [finding],
        False,
        ["a note"],
    )
    import pickle

    assert decode_results(pickle.dumps((b"d", [finding], False))) is None  # a pickle is never run
    import linter.resultscache as results

    assert "pickle" not in vars(results)


@pytest.mark.parametrize("problem", ["world-writable", "symlink"])
def test_an_untrusted_cache_key_file_is_ignored(tmp_path, monkeypatch, problem) -> None:
    from linter.load.cache import mac_key

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    key = _write(tmp_path, "peerlint/cache.key", b"k" * 32)
    if problem == "world-writable":
        os.chmod(key, 0o666)
    else:
        os.rename(key, key + ".real")
        os.symlink(key + ".real", key)
    assert mac_key() is None
    os.unlink(key)
    assert mac_key() is not None  # and a fresh one of our own is made


def test_cache_is_never_written_through_a_committed_symlink(tmp_path) -> None:
    project = tmp_path / "repo"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _write(project, "peerlint.toml", "")
    _write(project, "a.hcl", 'a = "b"\n')
    os.symlink(str(elsewhere), str(project / ".peerlint_cache"))
    subprocess.run(_RUN + ["check", str(project)], capture_output=True, env=_env(), timeout=60, cwd=str(project))
    assert os.listdir(str(elsewhere)) == []
    os.unlink(str(project / ".peerlint_cache"))
    (project / ".peerlint_cache").mkdir()
    os.symlink(str(elsewhere / "gitignore-target"), str(project / ".peerlint_cache" / ".gitignore"))
    os.symlink(str(elsewhere / "tag-target"), str(project / ".peerlint_cache" / "CACHEDIR.TAG"))
    subprocess.run(_RUN + ["check", str(project)], capture_output=True, env=_env(), timeout=60, cwd=str(project))
    assert os.listdir(str(elsewhere)) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can list anything")
def test_unlistable_directory_is_a_problem_not_silence(tmp_path) -> None:
    _write(tmp_path, "a.hcl", 'a = "b"\n')
    hidden = _write(tmp_path, "locked/b.hcl", 'a = "b"\n')
    os.chmod(os.path.dirname(hidden), 0)
    try:
        result = lint(str(tmp_path))
    finally:
        os.chmod(os.path.dirname(hidden), 0o755)
    assert any(path.endswith("locked") for path in _problems(result)), _problems(result)


@pytest.mark.parametrize(
    "text,masked",
    [
        ('acl.tokens.agent = "b1c2d3e4f5a6b7c8"', True),
        ('token = "abcdefgh12345"', True),
        ("api_key: abcdefgh123456", True),
        ("set spec.peer.secret.name: peering-token-cluster-02", False),  # a name, which PL204 compares
        ("secretName: my-secret-name", False),
        ("token_file = /etc/consul/token.txt", False),
    ],
)
def test_masking_hides_secret_values_but_not_references_to_them(text: str, masked: bool) -> None:
    from linter.api.acl import mask_secrets

    assert ("****" in mask_secrets(text)) is masked


def test_a_secret_removed_from_the_repository_does_not_live_on_in_the_parse_cache(tmp_path) -> None:
    """The parse cache keeps unused entries for runs over other paths, but never one that
    holds something shaped like a secret (a SecretID, a peering token)."""
    import glob

    secret = "5a6b7c8d-1111-2222-3333-444455556666"
    work = tmp_path / "repo"
    work.mkdir()
    (work / "token.hcl").write_text(f'acl {{ tokens {{ agent = "{secret}" }} }}\n')
    (work / "mesh.hcl").write_text('Kind = "mesh"\n')
    cache = tmp_path / "cache"

    def run() -> None:
        subprocess.run(
            [sys.executable, "-m", "linter", "check", ".", "--cache-dir", str(cache)],
            cwd=str(work),
            capture_output=True,
            text=True,
            timeout=120,
        )

    def cached() -> bytes:
        return b"".join(open(p, "rb").read() for p in glob.glob(str(cache / "**" / "parse-*.bin"), recursive=True))

    run()
    assert secret.encode() in cached()  # the cache works (and held the token while it was committed)
    (work / "token.hcl").write_text('acl { tokens { agent = "" } }\n')
    run()
    assert secret.encode() not in cached()
    assert b"mesh" in cached()
