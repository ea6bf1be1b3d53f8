"""The ``peerlint`` command: argument parsing, subcommands and exit codes.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage, configuration
or internal error. Heavy modules are imported inside the subcommands that need them.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from linter import __version__
from linter.commands.common import EXIT_ERROR, EXIT_OK
from linter.commands.common import load_rules_or_exit as _load_rules


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep its format
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _codes(value: str) -> list[str]:
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"--jobs must be a positive number, not {value!r}")
    return jobs


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="peerlint", description="Lint HashiCorp Consul cluster peering and federation configuration.")
    parser.add_argument("--version", action="version", version=f"peerlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser(
        "check",
        help="lint files and folders (default: the current folder)",
        description=(
            "What is loaded: when a configuration is found (peerlint.toml, .peerlint.toml or "
            "[tool.peerlint] in pyproject.toml, walking up from the first PATH), the whole project at its "
            "folder, so cross-file rules see every cluster; the report covers PATHS plus every cross-file "
            "finding that involves them. Without a configuration, each PATH's nearest cluster root (a folder "
            "holding Consul Helm values or an agent configuration that sets datacenter; searched up to the "
            "repository's top). --no-project loads only PATHS."
        ),
    )
    check.add_argument("paths", nargs="*", default=[], help="files or folders to report on")
    check.add_argument(
        "--format",
        "-f",
        default=None,
        help="output format: text, json, sarif, github, gcc, junit, gitlab (default text)",
    )
    check.add_argument("--output", "-o", default=None, help="write the report to FILE instead of standard output")
    check.add_argument(
        "--output-format",
        action="append",
        default=[],
        metavar="FORMAT[=FILE]",
        help="one more output of this run; repeatable (e.g. sarif=peerlint.sarif)",
    )
    check.add_argument(
        "--select",
        type=_codes,
        action="extend",
        default=[],
        help="only these codes or prefixes (comma-separated, repeatable; wins over the config's ignore)",
    )
    check.add_argument(
        "--ignore",
        type=_codes,
        action="extend",
        default=[],
        help="skip these codes or prefixes (comma-separated, repeatable)",
    )
    check.add_argument(
        "--stdin-filename",
        default=None,
        metavar="NAME",
        help="with the path -: lint standard input as the file NAME (its syntax and config come from NAME)",
    )
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "note"),
        default="error",
        help="lowest severity that makes the exit code 1 (default error)",
    )
    check.add_argument("--config", default=None, help="configuration file (default: found by walking up)")
    check.add_argument("--no-color", action="store_true", help="plain text even on a terminal (same as --color never)")
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text report: auto (a terminal, unless NO_COLOR is set; FORCE_COLOR forces it), always, never",
    )
    check.add_argument(
        "--statistics", action="store_true", help="print the number of findings per rule instead of the findings"
    )
    check.add_argument(
        "--project",
        default=None,
        metavar="DIR",
        help="load the whole project at DIR for cross-file rules, report only on PATHS",
    )
    check.add_argument(
        "--no-project",
        action="store_true",
        help="load only PATHS, not their project or cluster roots (cross-file findings may be missed)",
    )
    check.add_argument(
        "--new-since",
        default=None,
        metavar="REV",
        help=(
            "report only findings new since the git revision REV, anywhere in the project: the project as it "
            "will be committed (the index, never the working tree) against REV (what the pre-commit hook runs; "
            "takes no PATHS)"
        ),
    )
    check.add_argument(
        "--baseline",
        default=None,
        metavar="FILE",
        help="hide the findings recorded in FILE (see --write-baseline); report only new ones",
    )
    check.add_argument(
        "--write-baseline",
        default=None,
        metavar="FILE",
        help="record every current finding in FILE and exit 0 (adopting peerlint on an existing repository)",
    )
    check.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=None,
        metavar="N",
        help="processes to parse with (default: one per core; 1: no pool)",
    )
    check.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the parse cache (and never ask a daemon)"
    )
    check.add_argument(
        "--no-daemon",
        action="store_true",
        help="run here even when `peerlint daemon start` runs a daemon for the project (also: PEERLINT_NO_DAEMON=1)",
    )
    check.add_argument(
        "--cache-dir",
        default=None,
        metavar="DIR",
        help="where the parse cache lives (default: .peerlint_cache at the project root)",
    )
    check.add_argument("--timings", action="store_true", help="print how long each stage took to standard error")
    check.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="list the files passed over as not Consul's (and why) on standard error",
    )
    check.add_argument(
        "--no-respect-gitignore",
        dest="respect_gitignore",
        action="store_false",
        default=None,
        help="also read files that .gitignore ignores (default: skip them; config: respect-gitignore)",
    )
    fixing = check.add_mutually_exclusive_group()
    fixing.add_argument("--fix", action="store_true", help="apply the safe fixes, then report what remains")
    fixing.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="apply every fix, also those that change behaviour (adding an intention source)",
    )
    fixing.add_argument(
        "--add-suppressions",
        default=None,
        metavar="REASON",
        help="write '# peerlint: ignore[CODE] REASON' above every current finding (HCL, YAML)",
    )
    check.add_argument(
        "--diff",
        action="store_true",
        help="print a unified diff of what --fix (or --unsafe-fixes) would change; write nothing; exit 1 if anything would",
    )

    init = sub.add_parser(
        "init", help="write a commented peerlint.toml from the clusters and peerings inferred (never overwrites)"
    )
    init.add_argument("path", nargs="?", default=".", help="the project folder (default: the current folder)")
    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", "-f", choices=("text", "json"), default="text", help="text (default) or json")
    explain = sub.add_parser(
        "explain", help="print a rule's documentation (by code, PL301, or name, missing-mesh-gateway)"
    )
    explain.add_argument("code", metavar="RULE")
    completion = sub.add_parser(
        "completion",
        help='print a shell completion script: eval "$(peerlint completion bash)" (zsh, fish likewise)',
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))
    daemon = sub.add_parser(
        "daemon",
        help="keep the project in memory so `peerlint check` and the pre-commit hook re-check only what changed",
        description=(
            "start: read the project once in a background process (one per project: the folder of the nearest "
            "peerlint.toml, or DIR); from then on `peerlint check` and `peerlint check --new-since` run there "
            "and answer in a fraction of the time, with the same output and exit code. It stops after "
            "--idle-timeout minutes without a request, when peerlint is upgraded, or with `peerlint daemon stop`. "
            "--no-daemon (or PEERLINT_NO_DAEMON=1) runs a check without it."
        ),
    )
    daemon.add_argument(
        "action",
        choices=("start", "stop", "restart", "status", "serve"),
        metavar="{start,stop,restart,status}",  # (serve: the daemon process itself, run by start)
        help="what to do",
    )
    daemon.add_argument("dir", nargs="?", default=None, metavar="DIR", help="the project (default: the current folder)")
    daemon.add_argument(
        "--idle-timeout",
        type=_minutes,
        default=60.0,
        metavar="MINUTES",
        help="stop after this many minutes without a request (default: 60; 0: never)",
    )
    lsp = sub.add_parser("lsp", help="run the language server on standard input/output (for editors)")
    lsp.add_argument(
        "--stdio", action="store_true", help="talk over standard input/output (the default and only transport)"
    )
    graph = sub.add_parser(
        "graph",
        help="draw the peering topology (clusters, peerings, gateways, exports, findings)",
        description=(
            "Findings are marked on what they concern and link to their rule pages. Mermaid draws at most 500 "
            "edges (GitHub shows an error above that): a big project's picture is cut down with --cluster, "
            "--peer and --focus, each repeatable; given together they apply one after another."
        ),
    )
    graph.add_argument("paths", nargs="*", default=[], help="files or folders (default: the current folder)")
    graph.add_argument(
        "--format",
        "-f",
        choices=("mermaid", "dot", "json", "tree"),
        default=None,
        help="mermaid, dot, json or tree (default: a tree on a terminal, mermaid otherwise)",
    )
    graph.add_argument(
        "--cluster",
        action="append",
        default=[],
        metavar="NAME",
        help="only this cluster, and what its peerings, exports and upstreams reach",
    )
    graph.add_argument(
        "--peer",
        action="append",
        default=[],
        metavar="NAME",
        help="only the peering named NAME (both sides) and the exports, intentions and upstreams across it",
    )
    graph.add_argument(
        "--focus",
        action="append",
        default=[],
        metavar="SERVICE",
        help="only this service: its exports, intentions and upstreams both ways, and the peerings they cross",
    )
    graph.add_argument("--output", "-o", default=None, help="write the picture to FILE instead of standard output")
    graph.add_argument("--config", default=None, help="configuration file (default: found by walking up)")
    return parser


def _minutes(text: str) -> float:
    """--idle-timeout: minutes, 0 (never) up to a year."""
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of minutes: {text!r}") from None
    if not math.isfinite(value) or not 0 <= value <= 525600:
        raise argparse.ArgumentTypeError(f"minutes from 0 (never) to 525600 (a year), not {text}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        # a character the terminal's encoding cannot show (PYTHONIOENCODING=ascii, a
        # file name in another script) is escaped, never a UnicodeEncodeError traceback
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    if "_ARGCOMPLETE" in os.environ:  # a shell asking for completions (peerlint completion)
        import argcomplete

        argcomplete.autocomplete(parser)  # answers and exits
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            if argv is None:
                from linter.daemon.client import forward

                answered = forward(args, sys.argv[1:])  # the project's daemon, if one runs
                if answered is not None:
                    return answered
                # A one-shot process: no cyclic collection at all (see engine.check);
                # everything is reclaimed at exit.
                import gc

                gc.disable()
            from linter.commands.check import run_check

            status = run_check(args, parser)
            if argv is None:
                # The process is about to exit: freeze what is left so the interpreter's
                # final collection does not walk and free a whole project's node trees
                # one by one (1.7 s of a 7 s run at 10,000 files); the OS reclaims it.
                import gc

                gc.freeze()
            return status
        if args.command == "rules":
            return _rules(args.format)
        if args.command == "completion":
            import argcomplete

            sys.stdout.write(argcomplete.shellcode(["peerlint"], shell=args.shell))
            return EXIT_OK
        if args.command == "explain":
            return _explain(args.code)
        if args.command == "graph":
            return _graph(args)
        if args.command == "init":
            from linter.commands.init import run as init

            return init(args)
        if args.command == "daemon":
            from linter.daemon.control import run as daemon

            return daemon(args, main)
        if args.command == "lsp":
            try:
                from linter.commands.lspserver import serve
            except ImportError as err:
                print(f"peerlint: the language server needs pygls>=2 ({err})", file=sys.stderr)
                return EXIT_ERROR
            return serve()
        parser.print_help()
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_ERROR


def _graph(args: argparse.Namespace) -> int:
    from linter.commands.graph import run

    return run(args, _load_rules())


def _rules(fmt: str = "text") -> int:
    rules = _load_rules()
    if fmt == "json":
        import json

        listed = [
            {
                "code": code,
                "slug": rule.slug,
                "severity": rule.severity,
                "summary": rule.summary,
                "suppressible": rule.suppressible,
                "reads": list(rule.reads),
                "security_severity": rule.security_severity,
                "help_uri": rule.help_uri(),
            }
            for code, rule in rules.items()
        ]
        print(json.dumps(listed, indent=2))
        return EXIT_OK
    width = max((len(r.slug) for r in rules.values()), default=10)
    for code, rule in rules.items():
        print(f"{code}  {rule.slug:<{width}}  {rule.severity:<7}  {rule.summary}")
    return EXIT_OK


def _explain(code: str) -> int:
    rules = _load_rules()
    by_slug = {r.slug: r for r in rules.values()}
    rule = rules.get(code.upper()) or by_slug.get(code.lower())
    if rule is None:
        from linter.kinds import did_you_mean

        hint = did_you_mean(code.upper(), rules) or did_you_mean(code.lower(), by_slug)
        print(f"peerlint: unknown rule {code!r}" + (f"; did you mean {hint}?" if hint else ""), file=sys.stderr)
        return EXIT_ERROR
    from linter.api import doc_with_examples

    fix = {"safe": ", fix: safe", "unsafe": ", fix: unsafe", "sometimes": ", fix: safe, sometimes"}.get(
        rule.fix or "", ""
    )
    heading = f"# {rule.code} {rule.slug} ({rule.severity}{'' if rule.suppressible else ', not suppressible'}{fix})"
    text = f"{heading}\n\n{rule.summary}\n\n{doc_with_examples(rule)}\n"
    if sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb":
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))  # a terminal: rendered; a pipe or file: the Markdown itself
    else:
        sys.stdout.write(text)
    return EXIT_OK
