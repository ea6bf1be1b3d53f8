"""``peerlint completion bash|zsh|fish`` (issue #19): the script each shell sources, and
the completions the shell then asks peerlint for (argcomplete's protocol: the shell runs
peerlint with ``_ARGCOMPLETE`` set and the command line in ``COMP_LINE``)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from helpers import REPO


@pytest.mark.parametrize("shell,marker", [("bash", "complete "), ("zsh", "#compdef peerlint"), ("fish", "complete ")])
def test_completion_script_for_each_shell(shell: str, marker: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "linter", "completion", shell], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and marker in done.stdout and "peerlint" in done.stdout


def test_unknown_shell_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "linter", "completion", "tcsh"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2


@pytest.mark.parametrize(
    "line,expected", [("peerlint ch", "check"), ("peerlint check --fo", "--format"), ("peerlint completion f", "fish")]
)
def test_the_shell_gets_subcommands_and_options(tmp_path, line: str, expected: str) -> None:
    out = tmp_path / "completions"
    env = dict(
        os.environ,
        _ARGCOMPLETE="1",
        _ARGCOMPLETE_SHELL="bash",
        COMP_LINE=line,
        COMP_POINT=str(len(line)),
        _ARGCOMPLETE_STDOUT_FILENAME=str(out),
    )
    subprocess.run([sys.executable, "-m", "linter"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert expected in out.read_text().split()
