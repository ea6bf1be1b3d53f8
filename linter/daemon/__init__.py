"""``peerlint daemon``: a long-lived process per project that answers ``peerlint check``
from memory, so re-checking after an edit costs what the edit reaches, not the whole
project (issue #17: one file changed in a 10,000-file repository, 0.3 s; the
pre-commit hook, under 1 s).

Why a process and not only a cache on disk: a one-shot run must decode, classify and
build the topology of every file before its first rule (~2 s at 10,000 files, however
little changed), because the rules read the whole graph. A process that keeps the
project in memory needs only the changed files, as mypy's dmypy, Flow and Pyre do.

- :mod:`linter.daemon.address`: where a project's daemon listens (a socket in a
  private per-user folder), found the same way by the command and the daemon.
- :mod:`linter.daemon.client`: what ``peerlint check`` does first: hand its command
  line to the project's daemon, if one runs, and print what it answers; otherwise (or
  with ``--no-daemon``, ``--no-cache``, standard input) it runs itself, as before.
- :mod:`linter.daemon.control`: ``start``, ``stop``, ``restart``, ``status``.
- :mod:`linter.daemon.server`: the daemon process; each request is the CLI run in the
  daemon with its memory.
- :mod:`linter.daemon.warm`: that memory, and the incremental re-check built on it.

Nothing starts a daemon but ``peerlint daemon start``: CI and an untrusted pull request
never meet one.
"""
