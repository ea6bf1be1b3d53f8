"""``peerlint daemon`` end to end, through the real CLI in real processes: with a
daemon running, ``peerlint check`` prints exactly what it prints without one (every
format, paths, selections, usage errors, fixes shown as a diff, ``--new-since`` in a
real git repository) and exits the same way, after edits too; the daemon really
answered; and it stays out of the way when it should (another version, a folder
that is not private, ``--no-daemon``), and stops when told.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest
from helpers import REPO

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="Unix sockets")


@pytest.fixture(scope="module")
def daemon_env():
    """A private runtime folder of its own (short: a socket's path is limited), so the
    test never meets a daemon of the user's."""
    runtime = tempfile.mkdtemp(prefix="pld")
    env = dict(os.environ, XDG_RUNTIME_DIR=runtime, PYTHONPATH=REPO)
    env.pop("PEERLINT_NO_DAEMON", None)
    env.pop("COLUMNS", None)
    yield env
    folder = os.path.join(runtime, "peerlint")
    for name in os.listdir(folder) if os.path.isdir(folder) else []:
        if name.endswith(".lock"):  # a daemon a failed test left behind: never outlives the tests
            import fcntl

            with open(os.path.join(folder, name), encoding="ascii") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    continue  # nobody holds it: that daemon is gone (its pid may be another process's now)
                except OSError:
                    pid = handle.read().strip()
            if pid.isdigit():
                try:
                    os.kill(int(pid), signal.SIGTERM)
                except OSError:
                    pass
    shutil.rmtree(runtime, ignore_errors=True)


def peerlint(env: dict, cwd, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "linter", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, **kw
    )


@contextlib.contextmanager
def runtime_of(env: dict):
    """This process looks for daemons where ``env``'s commands do (its runtime folder)."""
    old = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = env["XDG_RUNTIME_DIR"]
    try:
        yield
    finally:
        if old is None:
            del os.environ["XDG_RUNTIME_DIR"]
        else:
            os.environ["XDG_RUNTIME_DIR"] = old


def status(env: dict, project) -> dict | None:
    from linter.daemon.control import ask

    with runtime_of(env):
        return ask(str(project), {"command": "status"})


@pytest.fixture(scope="module")
def project(daemon_env, tmp_path_factory):
    """The bundled example in a git repository, with its daemon running."""
    root = tmp_path_factory.mktemp("daemon") / "examples"
    shutil.copytree(os.path.join(REPO, "examples"), root)
    env = dict(daemon_env, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t.invalid")
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t.invalid")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "examples"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    started = peerlint(daemon_env, root, "daemon", "start")
    assert started.returncode == 0, started.stderr
    assert "daemon started" in started.stdout
    pid = status(daemon_env, root)["pid"]
    yield root
    peerlint(daemon_env, root, "daemon", "stop")
    try:
        os.kill(pid, signal.SIGKILL)  # never left behind, whatever the test did
    except OSError:
        pass


def exited(pid: int, seconds: float = 10) -> bool:
    """Whether the process ``pid`` ends within ``seconds`` (a zombie has ended)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except OSError:
            try:
                os.kill(pid, 0)
            except OSError:
                return True
        time.sleep(0.05)
    return False


def served(env, root) -> int:
    reply = status(env, root)
    return reply["requests"] if reply else -1


def same_both_ways(env, root, *args: str, cwd=None) -> subprocess.CompletedProcess:
    """The command with the daemon and without: the same output and exit code, and
    the daemon answered the first."""
    before = served(env, root)
    with_daemon = peerlint(env, cwd or root, *args)
    assert served(env, root) == before + 1, f"the daemon did not answer {args}: {with_daemon.stderr}"
    alone = peerlint(dict(env, PEERLINT_NO_DAEMON="1"), cwd or root, *args)
    assert (with_daemon.returncode, with_daemon.stdout, with_daemon.stderr) == (
        alone.returncode,
        alone.stdout,
        alone.stderr,
    ), args
    return with_daemon


@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("check", "--format", "json"),
        ("check", "--format", "sarif"),
        ("check", "--format", "github"),
        ("check", "--select", "PL4"),
        ("check", "--fail-on", "error"),
        ("check", "east/services/reports.hcl"),
        ("check", "west"),
        ("check", "--diff"),
        ("check", "--unsafe-fixes", "--diff"),
    ],
)
def test_the_daemon_answers_as_a_one_shot_run(daemon_env, project, args) -> None:
    done = same_both_ways(daemon_env, project, *args)
    assert done.returncode == 1  # the example's planted findings


def test_usage_errors_are_the_same(daemon_env, project) -> None:
    done = same_both_ways(daemon_env, project, "check", "--select", "PL999")
    assert done.returncode == 2 and "no rule matches PL999" in done.stderr


def test_edits_are_seen(daemon_env, project) -> None:
    """A value changed, a file added and removed: each answer is a one-shot run's."""
    mesh = project / "east" / "config-entries" / "mesh.hcl"
    original = mesh.read_text()
    try:
        mesh.write_text(original.replace("true", "false", 1))
        same_both_ways(daemon_env, project, "check")
        extra = project / "east" / "config-entries" / "extra.hcl"
        extra.write_text('Kind = "service-defaults"\nName = "extra"\nProtcol = "http"\n')
        done = same_both_ways(daemon_env, project, "check", "--format", "json")
        assert any(f["path"].endswith("extra.hcl") for f in json.loads(done.stdout)["findings"])
        extra.unlink()
        same_both_ways(daemon_env, project, "check")
    finally:
        mesh.write_text(original)


def test_the_hook_is_answered_too(daemon_env, project) -> None:
    """``--new-since HEAD`` (what the pre-commit hook runs): removing the intention an
    export needs, staged, is reported at the export in a file nobody staged."""
    env = dict(daemon_env, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t.invalid")
    intentions = [p for p in (project / "west").rglob("*.yaml") if "ServiceIntentions" in p.read_text()]
    assert intentions
    target = intentions[0]
    original = target.read_text()
    try:
        subprocess.run(["git", "rm", "-q", str(target)], cwd=project, env=env, check=True)
        done = same_both_ways(daemon_env, project, "check", "--new-since", "HEAD")
        assert done.returncode == 1 and "PL401" in done.stdout
    finally:
        subprocess.run(["git", "reset", "-q", "--hard"], cwd=project, env=env, check=True)
        assert target.read_text() == original


def test_no_daemon_flag_and_environment(daemon_env, project) -> None:
    before = served(daemon_env, project)
    assert peerlint(daemon_env, project, "check", "--no-daemon").returncode == 1
    assert peerlint(dict(daemon_env, PEERLINT_NO_DAEMON="1"), project, "check").returncode == 1
    assert peerlint(daemon_env, project, "check", "--no-cache").returncode == 1
    assert served(daemon_env, project) == before


def test_a_folder_others_may_enter_is_not_used(daemon_env, project) -> None:
    folder = os.path.join(daemon_env["XDG_RUNTIME_DIR"], "peerlint")
    before = served(daemon_env, project)
    os.chmod(folder, 0o755)
    try:
        assert peerlint(daemon_env, project, "check").returncode == 1  # it ran itself
    finally:
        os.chmod(folder, 0o700)
    assert served(daemon_env, project) == before


def test_status_says_what_runs(daemon_env, project) -> None:
    done = peerlint(daemon_env, project, "daemon", "status")
    assert done.returncode == 0 and str(project) in done.stdout and "request(s)" in done.stdout
    again = peerlint(daemon_env, project, "daemon", "start")
    assert again.returncode == 0 and "already runs" in again.stdout


def test_another_version_is_declined_and_the_daemon_stops(daemon_env, tmp_path) -> None:
    """A daemon is never asked by a peerlint other than the one it runs: it declines
    (the command runs itself) and exits."""
    from linter.daemon.address import socket_path
    from linter.daemon.protocol import receive, send

    root = tmp_path / "p"
    root.mkdir()
    (root / "mesh.hcl").write_text('Kind = "mesh"\n')
    assert peerlint(daemon_env, root, "daemon", "start").returncode == 0
    with runtime_of(daemon_env):
        import socket

        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(socket_path(str(root)))
            import linter

            package = os.path.dirname(os.path.abspath(linter.__file__))
            send(
                sock, {"command": "check", "version": "0.0.0", "package": package, "argv": ["check"], "cwd": str(root)}
            )
            assert receive(sock)["status"] == "decline"
        deadline = time.monotonic() + 10
        while os.path.exists(socket_path(str(root))) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not os.path.exists(socket_path(str(root)))
    assert "no daemon runs" in peerlint(daemon_env, root, "daemon", "status").stdout


def test_a_stale_daemon_says_it_stopped(daemon_env, tmp_path) -> None:
    """The command that meets a daemon of another peerlint runs itself and says once
    why the next ones are slower. (A copy of peerlint's code is changed, never the
    checkout: other tests' daemons run from it.)"""
    code = tmp_path / "code"
    for name in ("linter", "rules", "schemas"):
        shutil.copytree(os.path.join(REPO, name), code / name, ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(daemon_env, PYTHONPATH=str(code))
    root = tmp_path / "s"
    root.mkdir()
    (root / "mesh.hcl").write_text('Kind = "mesh"\n')
    assert peerlint(env, root, "daemon", "start").returncode == 0
    pid = status(env, root)["pid"]
    assert peerlint(env, root, "check").returncode == 0 and served(env, root) == 1
    module = code / "linter" / "daemon" / "warm.py"  # as after an upgrade: a module's time moves
    info = os.stat(module)
    os.utime(module, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    done = peerlint(env, root, "check")
    assert done.returncode == 0 and "has stopped" in done.stderr
    assert exited(pid), "the stale daemon did not exit"
    assert status(env, root) is None


def test_stop(daemon_env, tmp_path) -> None:
    root = tmp_path / "q"
    root.mkdir()
    (root / "mesh.hcl").write_text('Kind = "mesh"\n')
    assert peerlint(daemon_env, root, "daemon", "start").returncode == 0
    pid = status(daemon_env, root)["pid"]
    done = peerlint(daemon_env, root, "daemon", "stop")
    assert done.returncode == 0 and "stopped" in done.stdout
    assert exited(pid), "the daemon did not exit"
    assert status(daemon_env, root) is None


def test_garbage_on_the_socket_never_stops_the_daemon(daemon_env, project) -> None:
    """Whatever arrives (nothing, a huge length, not JSON, not an object, a request
    of the wrong shape), the daemon goes on answering."""
    import socket

    from linter.daemon.address import socket_path
    from linter.daemon.protocol import receive, send

    with runtime_of(daemon_env):
        path = socket_path(str(project))
        for raw in (
            b"",
            b"\xff" * 8,
            (1 << 40).to_bytes(8, "big"),
            b"\x00" * 7 + b"\x05oops!",
            b"\x00" * 7 + b"\x02[]",
        ):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.connect(path)
                sock.sendall(raw)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(30)
            sock.connect(path)
            from linter import __version__

            send(sock, {"command": "check", "version": __version__, "argv": ["check"], "cwd": "/nonexistent/x"})
            assert receive(sock)["status"] == "decline"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(30)
            sock.connect(path)
            send(sock, {"command": "launch-missiles"})
            assert receive(sock)["status"] == "decline"
    assert status(daemon_env, project)["status"] == "running"
    assert same_both_ways(daemon_env, project, "check").returncode == 1


def test_starting_in_a_repository_reads_what_the_hook_will_lint(daemon_env, tmp_path) -> None:
    """``daemon start`` in a git repository reads the index and HEAD too, so the first
    commit's hook is answered from memory like the next ones."""
    root = tmp_path / "repo"
    shutil.copytree(os.path.join(REPO, "examples"), root)
    env = dict(daemon_env, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t.invalid")
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t.invalid")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "examples"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    assert peerlint(daemon_env, root, "daemon", "start").returncode == 0
    pid = status(daemon_env, root)["pid"]
    try:
        started = status(daemon_env, root)
        assert started["lints"] == 3 and started["whole_reads"] == 3  # check, and the hook's two sides
        mesh = root / "east" / "config-entries" / "mesh.hcl"
        mesh.write_text(mesh.read_text() + "# edited\n")
        subprocess.run(["git", "add", str(mesh)], cwd=root, env=env, check=True)
        same_both_ways(daemon_env, root, "check", "--new-since", "HEAD")
        assert status(daemon_env, root)["whole_reads"] == 3  # nothing read whole again
    finally:
        peerlint(daemon_env, root, "daemon", "stop")
        assert exited(pid)


def test_sigterm_in_a_request_is_never_an_answer(tmp_path) -> None:
    """A daemon stopped in the middle of a request gives no answer (the client then
    runs the command itself); SIGTERM once became exit 0 with no output."""
    from linter.daemon.server import Daemon, Terminated

    def entry(argv):
        raise Terminated()

    daemon = Daemon(str(tmp_path), 0, entry)
    daemon.stamp = type("Stamp", (), {"changed": lambda self: False})()
    import linter

    request = {
        "command": "check",
        "version": linter.__version__,
        "package": os.path.dirname(os.path.abspath(linter.__file__)),
        "argv": ["check"],
        "cwd": str(tmp_path),
        "env": {},
    }
    with pytest.raises(Terminated):
        daemon.handle(request)


def test_what_must_run_here_runs_here(daemon_env, project, tmp_path, monkeypatch) -> None:
    """Fixes (Ctrl-C must stop them), a baseline written, reports to a path that
    means this process: never sent to the daemon. Files a daemon writes follow the
    command's umask. PEERLINT_NO_DAEMON=0 does not turn it off."""
    before = served(daemon_env, project)
    done = peerlint(daemon_env, project, "check", "--format", "json", "-o", "/dev/stdout")
    assert done.returncode == 1 and json.loads(done.stdout)["findings"]
    from linter.cli import build_parser
    from linter.daemon.client import wanted

    parse = build_parser().parse_args
    monkeypatch.delenv("PEERLINT_NO_DAEMON", raising=False)  # (tests/conftest.py sets it)
    for here in (["--fix"], ["--unsafe-fixes"], ["--add-suppressions", "why"], ["--write-baseline", "b"], ["-"]):
        assert not wanted(parse(["check", *here])), here
    for there in (["--fix", "--diff"], ["--unsafe-fixes", "--diff"], ["-o", "report.json"], ["--select", "PL4"]):
        assert wanted(parse(["check", *there])), there
    assert peerlint(daemon_env, project, "check", "--write-baseline", str(tmp_path / "b.json")).returncode == 0
    assert served(daemon_env, project) == before
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "linter", "check", "--format", "json", "-o", str(report)],
        cwd=project,
        env=dict(daemon_env, PEERLINT_NO_DAEMON="0"),
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.umask(0o077),
    )
    assert done.returncode == 1 and served(daemon_env, project) == before + 1
    assert report.stat().st_mode & 0o777 == 0o600


def test_a_stopped_daemon_is_not_waited_for(daemon_env, project) -> None:
    """A daemon that does not take the request within seconds (stopped, or busy with
    a long request) is passed over: the command runs itself."""
    pid = status(daemon_env, project)["pid"]
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        done = peerlint(daemon_env, project, "check")
        assert done.returncode == 1 and "PL403" in done.stdout
        assert time.monotonic() - started < 30
    finally:
        os.kill(pid, signal.SIGCONT)
    assert status(daemon_env, project)["status"] == "running"


def test_starts_at_once_make_one_daemon(daemon_env, tmp_path) -> None:
    root = tmp_path / "race"
    root.mkdir()
    (root / "mesh.hcl").write_text('Kind = "mesh"\n')
    starts = [
        subprocess.Popen(
            [sys.executable, "-m", "linter", "daemon", "start"], cwd=root, env=daemon_env, stdout=subprocess.PIPE
        )
        for _ in range(3)
    ]
    for proc in starts:
        proc.communicate(timeout=120)
        assert proc.returncode == 0
    try:
        serving = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/cmdline", "rb") as handle:
                        words = handle.read().split(b"\0")
                except OSError:
                    continue
                if b"serve" in words and str(root).encode() in words:
                    with open(f"/proc/{entry}/stat", encoding="ascii") as handle:
                        if handle.read().rsplit(")", 1)[1].split()[0] != "Z":
                            serving.append(entry)
        assert len(serving) == 1, serving
    finally:
        assert peerlint(daemon_env, root, "daemon", "stop").returncode == 0
    assert status(daemon_env, root) is None


def test_idle_timeout_must_be_minutes(daemon_env, tmp_path) -> None:
    for bad in ("inf", "1e300", "-1", "soon"):
        done = peerlint(daemon_env, tmp_path, "daemon", "start", "--idle-timeout", bad)
        assert done.returncode == 2 and "--idle-timeout" in done.stderr, bad


def test_in_a_monorepo_the_read_ahead_is_its_own_project(daemon_env, tmp_path) -> None:
    """Started for one project of a repository holding several, the daemon reads
    ahead that project's index and HEAD, not every project's."""
    root = tmp_path / "mono"
    for name in ("one", "two", "three"):
        shutil.copytree(os.path.join(REPO, "examples"), root / name)
    env = dict(daemon_env, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t.invalid")
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t.invalid")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "mono"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    project = root / "two"
    assert peerlint(daemon_env, project, "daemon", "start").returncode == 0
    try:
        assert status(daemon_env, project)["whole_reads"] == 3  # check, and two's index and HEAD
    finally:
        peerlint(daemon_env, project, "daemon", "stop")
