"""The progress display of ``peerlint check`` on a terminal: a spinner on standard
error saying which stage runs ("parsing 10,000 files"), shown only when a run has
taken more than :data:`DELAY` seconds, and erased before the report is written.

A short run pays nothing: the display is a thread that sleeps until the delay is up
(an event it is woken from when the run ends), and rich is imported only then.
``PEERLINT_PROGRESS_DELAY`` (seconds) changes the delay: the tests show the display on
a run of any length with 0, without a run that must be slow.

peerlint forks (linter.forks: parse workers, rules on a second core, the cache saver)
while this thread may be writing: a lock held across every fork
(``os.register_at_fork``) and around every write means no child is born holding
rich's or standard error's locks half-way through a write.
"""

from __future__ import annotations

import os
import sys
import threading
import time

#: Seconds a run takes before the display appears.
DELAY = 1.0
#: Seconds between frames of the spinner.
FRAME = 0.1

_FORK_LOCK = threading.Lock()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_FORK_LOCK.acquire, after_in_parent=_FORK_LOCK.release, after_in_child=_FORK_LOCK.release
    )


def wanted(outputs: list[tuple[str, str | None]], colour_off: bool) -> bool:
    """Whether a run shows progress: its report is text on a terminal, standard error
    is a terminal too, and the user did not ask for plain output (``--color never``,
    ``TERM=dumb``). Never for another format, a pipe or a file."""
    to_stdout = [name for name, path in outputs if path is None]
    return (
        to_stdout == ["text"]
        and not colour_off
        and os.environ.get("TERM") != "dumb"
        and sys.stdout.isatty()
        and sys.stderr.isatty()
    )


class Progress:
    """``with Progress() as p:`` around a run; ``p.stage(text)`` as each stage starts
    (:attr:`linter.config.RunOptions.progress`)."""

    def __init__(self, delay: float | None = None) -> None:
        if delay is None:
            try:
                delay = float(os.environ.get("PEERLINT_PROGRESS_DELAY", DELAY))
            except ValueError:
                delay = DELAY
        self.delay = delay
        self.text = "finding files"
        self._started = time.monotonic()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._show, name="peerlint-progress", daemon=True)

    def stage(self, text: str) -> None:
        self.text = text  # read by the display thread; one assignment, no lock needed

    def __enter__(self) -> Progress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()  # the display is erased before anything else is written

    def _label(self) -> str:
        return f"peerlint: {self.text} ({time.monotonic() - self._started:.0f} s)"

    def _show(self) -> None:
        if self._done.wait(self.delay):
            return  # a short run: nothing shown, nothing imported
        try:
            self._draw()
        except OSError:
            pass  # the terminal went away: the run goes on, its exit code still counts

    def _draw(self) -> None:
        with _FORK_LOCK:
            from rich.console import Console
            from rich.live import Live
            from rich.spinner import Spinner

            spinner = Spinner("dots", text=self._label(), style="cyan")
            live = Live(
                spinner,
                console=Console(file=sys.stderr),
                auto_refresh=False,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            live.start(refresh=True)
        try:
            while not self._done.wait(FRAME):
                with _FORK_LOCK:
                    spinner.update(text=self._label())
                    live.refresh()
        finally:
            with _FORK_LOCK:
                live.stop()
