"""``peerlint graph``: lint the paths, then draw the topology with the findings marked.

On a terminal without ``--format`` the picture is a rich tree; otherwise Mermaid (which
GitHub renders as is), DOT (Graphviz) or JSON.
"""

from __future__ import annotations

import sys
from typing import Any

EXIT_OK, EXIT_ERROR = 0, 2


def run(args: Any, rules: dict) -> int:
    from linter.config import ConfigError, load_config
    from linter.engine import check
    from linter.report.graph import FORMATS, to_tree

    paths = args.paths or ["."]
    try:
        config = load_config(paths[0], args.config)
    except ConfigError as err:
        print(f"peerlint: config error: {err}", file=sys.stderr)
        return EXIT_ERROR
    try:
        result = check(paths, config, rules)
        topology = result.project.graph
    except Exception as err:  # pragma: no cover - last line of defence
        print(f"peerlint: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_ERROR
    findings = result.findings
    if args.format is None and args.output is None and sys.stdout.isatty():
        from rich.console import Console

        Console().print(to_tree(topology, findings))
        return EXIT_OK
    text = FORMATS[args.format or "mermaid"](topology, findings)
    if args.output:
        from linter.output import write_atomic

        try:
            write_atomic(args.output, text)
        except OSError as err:
            print(f"peerlint: cannot write {err.filename or args.output}: {err.strerror or err}", file=sys.stderr)
            return EXIT_ERROR
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return EXIT_OK
