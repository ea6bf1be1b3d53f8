"""``peerlint graph``: lint the paths, then draw the topology with the findings marked.

On a terminal without ``--format`` the picture is a rich tree (``--format tree``
anywhere); otherwise Mermaid (which GitHub renders as is, up to 500 edges: a bigger
picture is warned about, and ``--cluster``/``--peer``/``--focus`` draw part of it,
linter.report.graphview), DOT (Graphviz) or JSON.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

EXIT_OK, EXIT_ERROR = 0, 2


def run(args: Any, rules: dict) -> int:
    from linter.config import ConfigError, RunOptions, load_config
    from linter.engine import check
    from linter.report.graph import FORMATS, to_tree

    paths = args.paths or ["."]
    try:
        config = load_config(paths[0], args.config)
    except ConfigError as err:
        print(f"peerlint: config error: {err}", file=sys.stderr)
        return EXIT_ERROR
    fmt = args.format or ("tree" if args.output is None and sys.stdout.isatty() else "mermaid")
    progress = _progress(fmt == "tree" and args.output is None)
    from linter.report.graph import networkx_of
    from linter.report.graphview import NotInPicture, restrict, too_big_for_mermaid

    failure: Exception | None = None
    with progress or contextlib.nullcontext():  # erased before the picture is drawn
        try:
            result = check(paths, config, rules, options=RunOptions(progress=progress.stage if progress else None))
            topology = result.project.graph
            if progress:
                progress.stage("drawing the picture")
            g = restrict(networkx_of(topology), args.cluster, args.peer, args.focus)
        except Exception as err:  # NotInPicture: a filter names nothing in the picture
            failure = err
    if isinstance(failure, NotInPicture):
        print(f"peerlint: graph: {failure}", file=sys.stderr)
        return EXIT_ERROR
    if failure is not None:  # pragma: no cover - last line of defence
        print(f"peerlint: internal error: {type(failure).__name__}: {failure}", file=sys.stderr)
        return EXIT_ERROR
    findings = result.findings
    links = {code: rule.help_uri() for code, rule in rules.items()}
    if fmt == "tree" and args.output is None:
        from rich.console import Console

        Console().print(to_tree(topology, findings, g, links))  # links and colour only on a terminal
        return EXIT_OK
    text = (
        _tree_text(to_tree(topology, findings, g, links))
        if fmt == "tree"
        else FORMATS[fmt](topology, findings, g, links)
    )
    if fmt == "mermaid":
        too_big = too_big_for_mermaid(text)
        if too_big:
            print(
                f"peerlint: warning: the picture has {too_big}: GitHub and other Mermaid renderers show an error "
                "instead; draw part of it with --cluster NAME, --peer NAME or --focus SERVICE "
                f"(clusters: {_listed(topology.clusters())}), or the whole with --format dot",
                file=sys.stderr,
            )
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


def _tree_text(tree: Any) -> str:
    """The tree as plain text (a file or a pipe): no colour, no links."""
    import io

    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=120, color_system=None, force_terminal=False).print(tree)
    return out.getvalue()


def _listed(names: list[str], most: int = 8) -> str:
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def _progress(tree_on_terminal: bool):
    """The progress display (linter.commands.progress) while a picture for the terminal
    is built; None for a file, a pipe or another format."""
    if not (tree_on_terminal and sys.stderr.isatty()):
        return None
    from linter.commands.progress import Progress, wanted

    return Progress() if wanted([("text", None)], colour_off=False) else None
