"""The ``peerlint`` command: argument parsing, subcommands and exit codes.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage, configuration
or internal error. Heavy modules are imported inside the subcommands that need them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Sequence

from linter import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


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

    check = sub.add_parser("check", help="lint files and folders (default: the current folder)")
    check.add_argument("paths", nargs="*", default=[], help="files or folders to check")
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
    check.add_argument("--select", type=_codes, default=[], help="only these codes or prefixes (comma-separated)")
    check.add_argument("--ignore", type=_codes, default=[], help="skip these codes or prefixes (comma-separated)")
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "note"),
        default="error",
        help="lowest severity that makes the exit code 1 (default error)",
    )
    check.add_argument("--config", default=None, help="configuration file (default: found by walking up)")
    check.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    check.add_argument(
        "--project",
        default=None,
        metavar="DIR",
        help="load the whole project at DIR for cross-file rules, report only on PATHS",
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
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the parse cache")
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

    sub.add_parser("rules", help="list every rule")
    explain = sub.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code")
    sub.add_parser("lsp", help="run the language server on standard input/output (for editors)")
    graph = sub.add_parser("graph", help="draw the peering topology (clusters, peerings, gateways, exports, findings)")
    graph.add_argument("paths", nargs="*", default=[], help="files or folders (default: the current folder)")
    graph.add_argument(
        "--format",
        "-f",
        choices=("mermaid", "dot", "json"),
        default=None,
        help="mermaid, dot or json (default: a tree on a terminal, mermaid otherwise)",
    )
    graph.add_argument("--output", "-o", default=None, help="write the picture to FILE instead of standard output")
    graph.add_argument("--config", default=None, help="configuration file (default: found by walking up)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            if argv is None:
                # A one-shot process: no cyclic collection at all (see engine.check);
                # everything is reclaimed at exit.
                import gc

                gc.disable()
            status = _check(args, parser)
            if argv is None:
                # The process is about to exit: freeze what is left so the interpreter's
                # final collection does not walk and free a whole project's node trees
                # one by one (1.7 s of a 7 s run at 10,000 files); the OS reclaims it.
                import gc

                gc.freeze()
            return status
        if args.command == "rules":
            return _rules()
        if args.command == "explain":
            return _explain(args.code)
        if args.command == "graph":
            return _graph(args)
        if args.command == "lsp":
            from linter.lsp import serve

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


def _load_rules():
    from linter.registry import RegistryError, load_rules

    try:
        return load_rules()
    except RegistryError as err:
        print(f"peerlint: {err}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def _rules() -> int:
    rules = _load_rules()
    width = max((len(r.slug) for r in rules.values()), default=10)
    for code, rule in rules.items():
        print(f"{code}  {rule.slug:<{width}}  {rule.severity:<7}  {rule.summary}")
    return EXIT_OK


def _explain(code: str) -> int:
    rules = _load_rules()
    rule = rules.get(code.upper())
    if rule is None:
        from linter.kinds import did_you_mean

        hint = did_you_mean(code.upper(), rules)
        print(f"peerlint: unknown rule {code!r}" + (f"; did you mean {hint}?" if hint else ""), file=sys.stderr)
        return EXIT_ERROR
    print(f"# {rule.code} {rule.slug} ({rule.severity}{'' if rule.suppressible else ', not suppressible'})\n")
    print(rule.summary + "\n")
    from linter.api import doc_with_examples

    print(doc_with_examples(rule))
    return EXIT_OK


def _outputs(args: argparse.Namespace, formats: dict) -> list[tuple[str, str | None]]:
    outputs: list[tuple[str, str | None]] = []
    if args.format or args.output or not args.output_format:
        outputs.append((args.format or "text", args.output))
    for spec in args.output_format:
        name, _, path = spec.partition("=")
        outputs.append((name, path or None))
    for name, _ in outputs:
        if name not in formats:
            raise ValueError(f"unknown format {name!r} (choose from {', '.join(formats)})")
    if sum(1 for _, path in outputs if path is None) > 1:
        raise ValueError("only one output may go to standard output; give the others a file (FORMAT=FILE)")
    return outputs


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from linter.config import ConfigError, load_config
    from linter.report import FORMATS

    try:
        outputs = _outputs(args, FORMATS)
    except ValueError as err:
        parser.error(str(err))
    paths = args.paths or ["."]
    start = args.project or paths[0]
    try:
        config = load_config(start, args.config)
    except ConfigError as err:
        print(f"peerlint: config error: {err}", file=sys.stderr)
        return EXIT_ERROR
    from linter.config import RunOptions

    if args.respect_gitignore is False:
        config.respect_gitignore = False
    # peerlint's own report and baseline files are never read as input
    never = tuple(p for p in [path for _name, path in outputs] + [args.baseline, args.write_baseline] if p)
    options = RunOptions(jobs=args.jobs, never_scan=never)
    if not args.no_cache:
        from linter.load.cache import default_cache_dir

        cache_dir = args.cache_dir or default_cache_dir(config)
        options = RunOptions(jobs=args.jobs, cache_dir=cache_dir, never_scan=never)
    rules = _load_rules()
    unknown = [c for c in args.select + args.ignore if not any(code.startswith(c) for code in rules)]
    if unknown:
        parser.error(f"no rule matches {', '.join(unknown)}")
    from linter.engine import check, exit_code

    if args.write_baseline and args.project and args.paths:
        parser.error("--write-baseline records the whole project; run it without PATHS after --project")
    focus = args.paths or None
    if focus and config.path and any(os.path.abspath(p) == os.path.abspath(config.path) for p in focus):
        focus = None  # the config changed (pre-commit passed it): every finding may have changed
    skipped: list[tuple[str, str]] | None = [] if args.verbose else None
    try:
        if args.project:
            result = check(
                [args.project], config, rules, args.select, args.ignore, focus=focus, options=options, skipped=skipped
            )
        else:
            result = check(paths, config, rules, args.select, args.ignore, options=options, skipped=skipped)
    except Exception as err:  # pragma: no cover - last line of defence
        print(f"peerlint: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_ERROR
    for path, reason in sorted(skipped or []):
        print(f"peerlint: skipped {path}: {reason}", file=sys.stderr)
    if args.write_baseline:
        return _write_baseline(result, args.write_baseline)
    if args.baseline:
        status = _apply_baseline(result, config, args)
        if status is not None:
            return status
    start = time.perf_counter()
    try:
        _write_reports(result, outputs, args)
    except OSError as err:
        print(f"peerlint: cannot write {err.filename or 'output'}: {err.strerror or err}", file=sys.stderr)
        return EXIT_ERROR
    if args.timings:
        result.timings["output"] = time.perf_counter() - start
        stages = " ".join(f"{name}={seconds:.3f}s" for name, seconds in result.timings.items())
        print(f"peerlint: {len(result.files)} files; {stages}", file=sys.stderr)
    return exit_code(result, args.fail_on)


def _write_baseline(result, path: str) -> int:
    from linter.baseline import dumps
    from linter.engine import INTERNAL_ERROR
    from linter.output import write_atomic

    if result.internal_error:
        print("peerlint: a rule failed (PL000); not writing a baseline that would hide what it missed", file=sys.stderr)
        return EXIT_ERROR
    findings = [f for f in result.findings if f.code != INTERNAL_ERROR]
    try:
        write_atomic(path, dumps(findings, path))
    except OSError as err:
        print(f"peerlint: cannot write baseline {path}: {err.strerror or err}", file=sys.stderr)
        return EXIT_ERROR
    print(f"peerlint: wrote {len(findings)} finding(s) to baseline {path}", file=sys.stderr)
    return EXIT_OK


def _apply_baseline(result, config, args: argparse.Namespace) -> int | None:
    """Drop baselined findings from ``result``; report stale entries on stderr."""
    from linter.baseline import BaselineError, apply, load, stale_report
    from linter.engine import selected_codes

    try:
        baseline = load(args.baseline)
    except BaselineError as err:
        print(f"peerlint: {err}", file=sys.stderr)
        return EXIT_ERROR
    checked = [p for p in result.files if result.focus is None or p in result.focus]
    ran = selected_codes(result.rules, config, args.select, args.ignore)
    result.findings, hidden, stale = apply(result.findings, baseline, checked, ran)
    if hidden:
        print(f"peerlint: {hidden} finding(s) hidden by baseline {args.baseline}", file=sys.stderr)
    if stale:
        sys.stderr.write(stale_report(baseline, stale))
    return None


def _write_reports(result, outputs, args) -> None:
    from linter.output import write_atomic
    from linter.report import ReportInput, renderer

    for name, path in outputs:
        color = (
            name == "text"
            and path is None
            and not args.no_color
            and sys.stdout.isatty()
            and "NO_COLOR" not in os.environ
            and os.environ.get("TERM") != "dumb"
        )
        files = [p for p in result.files if result.focus is None or p in result.focus]
        data = ReportInput(result.findings, result.rules, result.texts, len(files), color, __version__, files=files)
        text = renderer(name)(data)
        if path is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_atomic(path, text)  # OSError: the caller reports it (exit 2)
