"""Runs ``peerlint`` with a pseudo-terminal as standard output and/or standard error,
as a person at a terminal runs it (terminal behaviour: the layout, links, progress).

A stream that is not the terminal goes to a file, read back after the process ends."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from helpers import REPO

#: Escape sequences: CSI (colours, cursor), OSC (hyperlinks: ESC ] 8 ; ... ESC \).
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x1b\x07]*(?:\x1b\\|\x07)")


@dataclass
class Run:
    returncode: int
    terminal: str  # everything written to the terminal (both streams when both are it)
    stdout: str  # when standard output was not the terminal
    stderr: str  # when standard error was not the terminal


def plain(text: str) -> str:
    """``text`` without escape sequences, line ends as written by a program."""
    return ESCAPES.sub("", text).replace("\r\n", "\n")


def peerlint(
    *args: str, cwd: str, env: dict | None = None, stdout_tty: bool = True, stderr_tty: bool = True, columns: int = 80
) -> Run:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")}
    # the progress display only when a test asks for it (PEERLINT_PROGRESS_DELAY=0): a
    # run slowed down by a busy machine must not draw it into another test's output
    environ.update(
        {"PYTHONPATH": REPO, "TERM": "xterm-256color", "COLUMNS": str(columns), "PEERLINT_PROGRESS_DELAY": "3600"},
        **(env or {}),
    )
    master, slave = pty.openpty()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "linter", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=slave if stdout_tty else out,
            stderr=slave if stderr_tty else err,
            env=environ,
        )
        os.close(slave)
        chunks, deadline = [], time.monotonic() + 300
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer closed its end
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=60)
        os.close(master)
        out.seek(0)
        err.seek(0)
        return Run(
            proc.returncode,
            b"".join(chunks).decode("utf-8", "replace"),
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )
