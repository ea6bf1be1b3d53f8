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
    check.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
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
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the parse cache")
    check.add_argument(
        "--cache-dir",
        default=None,
        metavar="DIR",
        help="where the parse cache lives (default: .peerlint_cache at the project root)",
    )
    check.add_argument("--timings", action="store_true", help="print how long each stage took to standard error")
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
    lsp = sub.add_parser("lsp", help="run the language server on standard input/output (for editors)")
    lsp.add_argument(
        "--stdio", action="store_true", help="talk over standard input/output (the default and only transport)"
    )
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
    if "_ARGCOMPLETE" in os.environ:  # a shell asking for completions (peerlint completion)
        import argcomplete

        argcomplete.autocomplete(parser)  # answers and exits
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


def _load_rules():
    from linter.registry import RegistryError, load_rules

    try:
        return load_rules()
    except RegistryError as err:
        print(f"peerlint: {err}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


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
    if args.new_since is not None:
        return _check_new_since(args, parser, outputs)
    paths = args.paths or ["."]
    stdin = "-" in paths
    if stdin and (paths != ["-"] or not args.stdin_filename):
        parser.error("- (standard input) needs --stdin-filename NAME and no other path")
    if args.stdin_filename and not stdin:
        parser.error("--stdin-filename goes with the path - (standard input)")
    missing = [p for p in paths if p != "-" and not os.path.lexists(p)]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    start = args.project or (args.stdin_filename if stdin else paths[0])
    if args.project and not os.path.isdir(args.project):  # was "No problems found in 0 file(s)", exit 0
        parser.error(f"--project {args.project}: no such directory")
    try:
        config = load_config(start, args.config)
    except ConfigError as err:
        print(f"peerlint: config error: {err}", file=sys.stderr)
        return EXIT_ERROR
    from linter.config import RunOptions

    options = RunOptions(jobs=args.jobs)
    if not args.no_cache:
        from linter.load.cache import default_cache_dir

        options = RunOptions(jobs=args.jobs, cache_dir=args.cache_dir or default_cache_dir(config))
    rules = _load_rules()
    unknown = [c for c in args.select + args.ignore if not any(code.startswith(c) for code in rules)]
    if unknown:
        parser.error(f"no rule matches {', '.join(unknown)}")
    from linter.config import check_codes

    try:
        check_codes(config, rules)
    except ConfigError as err:
        print(f"peerlint: config error: {err}", file=sys.stderr)
        return EXIT_ERROR
    from linter.engine import check

    if args.diff and args.add_suppressions is not None:
        parser.error("--diff shows fixes; it does not combine with --add-suppressions")
    if args.write_baseline and args.project and args.paths:
        parser.error("--write-baseline records the whole project; run it without PATHS after --project")
    focus = args.paths or None
    if focus and config.path and any(os.path.abspath(p) == os.path.abspath(config.path) for p in focus):
        focus = None  # the config changed (pre-commit passed it): every finding may have changed
    try:
        if stdin:
            result = _check_stdin(args.stdin_filename, config, rules, args)
        elif args.project:
            result = check([args.project], config, rules, args.select, args.ignore, focus=focus, options=options)
        elif args.no_project:
            result = check(paths, config, rules, args.select, args.ignore, options=options)
        else:
            from linter.commands.scope import scope_for

            scope = scope_for(args.paths, config)
            config_changed = focus is None and bool(args.paths)
            focus = None if config_changed else scope.focus
            result = check(scope.load, config, rules, args.select, args.ignore, focus=focus, options=options)
    except Exception as err:  # pragma: no cover - last line of defence
        print(f"peerlint: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_ERROR
    if not stdin:
        from linter.commands.coverage import check_globs, empty_folders

        try:
            check_globs(config, result.files, [args.project] if args.project else paths)
        except ConfigError as err:
            print(f"peerlint: config error: {err}", file=sys.stderr)
            return EXIT_ERROR
        for folder in empty_folders(paths, result.files):
            print(
                f"peerlint: warning: {folder} holds no file peerlint reads (.hcl, .json, .yaml, .yml)", file=sys.stderr
            )
    if args.write_baseline:
        return _write_baseline(result, args.write_baseline)
    if args.baseline:
        status = _apply_baseline(result, config, args)
        if status is not None:
            return status
    if args.fix or args.unsafe_fixes or args.diff or args.add_suppressions is not None:
        return _fix(args, result, config, rules, outputs, paths, options, focus)
    return _report(result, outputs, args, config.root)


def _fix(args, result, config, rules, outputs, paths, options, focus) -> int:
    """--fix / --unsafe-fixes / --diff / --add-suppressions (linter.commands.fix)."""
    from linter.commands.fix import run_add_suppressions, run_fixes
    from linter.engine import check

    def recheck():
        if args.project:
            again = check([args.project], config, result.rules, args.select, args.ignore, focus=focus, options=options)
        else:
            again = check(paths, config, result.rules, args.select, args.ignore, options=options)
        if args.baseline:
            _apply_baseline(again, config, args)
        return again

    def report(again) -> int:
        return _report(again, outputs, args, config.root)

    if args.add_suppressions is not None:
        return run_add_suppressions(args, result, config, recheck, report)
    return run_fixes(args, result, config, recheck, report)


def _report(result, outputs, args, project_root: str) -> int:
    """Write the reports of ``result`` (CI paths relative to the repository root found
    from ``project_root``); the exit code."""
    from linter.engine import exit_code

    start = time.perf_counter()
    try:
        _write_reports(result, outputs, args, project_root)
    except OSError as err:
        print(f"peerlint: cannot write {err.filename or 'output'}: {err.strerror or err}", file=sys.stderr)
        return EXIT_ERROR
    if any(name == "text" for name, _path in outputs):
        for note in result.notes:  # what was inferred, and how to pin it (never on stdout)
            print(f"peerlint: {note}", file=sys.stderr)
    if args.timings:
        result.timings["output"] = time.perf_counter() - start
        stages = " ".join(f"{name}={seconds:.3f}s" for name, seconds in result.timings.items())
        print(f"peerlint: {len(result.files)} files; {stages}", file=sys.stderr)
    return exit_code(result, args.fail_on)


def _check_stdin(name: str, config, rules, args: argparse.Namespace):
    """Standard input linted as the file ``name`` (an editor's unsaved buffer, a
    pre-commit pipe): its syntax from the name, its configuration found from its folder.
    Only that text is read: cross-file rules see it alone."""
    from linter.engine import Result, run_rules
    from linter.inmemory import project_from_texts

    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    project = project_from_texts({name: text}, config)
    findings, internal = run_rules(project, rules, args.select, args.ignore)
    return Result.of(project, findings, rules, internal)


def _check_new_since(args: argparse.Namespace, parser: argparse.ArgumentParser, outputs) -> int:
    """``check --new-since REV`` (linter.commands.newsince): nothing is loaded, not
    even the rules, until the commit is known to touch a Consul file."""
    if args.paths or args.project or args.write_baseline or args.baseline:
        parser.error("--new-since checks the whole project as staged; it takes no PATHS, --project or baseline")
    from linter.commands.gitsnap import GitError
    from linter.commands.newsince import new_since
    from linter.config import ConfigError, RunOptions

    def options_for(config) -> RunOptions:
        if args.no_cache:
            return RunOptions(jobs=args.jobs)
        from linter.load.cache import default_cache_dir

        return RunOptions(jobs=args.jobs, cache_dir=args.cache_dir or default_cache_dir(config))

    def rules():
        loaded = _load_rules()
        unknown = [c for c in args.select + args.ignore if not any(code.startswith(c) for code in loaded)]
        if unknown:
            parser.error(f"no rule matches {', '.join(unknown)}")
        return loaded

    try:
        outcome = new_since(args.new_since, rules, args.select, args.ignore, args.config, options_for)
    except GitError as err:
        print(f"peerlint: --new-since: {err}", file=sys.stderr)
        return EXIT_ERROR
    except ConfigError as err:
        print(f"peerlint: config error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as err:  # pragma: no cover - last line of defence
        print(f"peerlint: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_ERROR
    if outcome.result is None:
        print(f"peerlint: nothing to check since {args.new_since}: {outcome.skipped}", file=sys.stderr)
        return EXIT_OK
    if outcome.old:
        print(f"peerlint: {outcome.old} finding(s) already present at {args.new_since} not shown", file=sys.stderr)
    try:
        _write_reports(outcome.result, outputs, args, outcome.root)
    except OSError as err:
        print(f"peerlint: cannot write {err.filename or 'output'}: {err.strerror or err}", file=sys.stderr)
        return EXIT_ERROR
    from linter.engine import exit_code

    return exit_code(outcome.result, args.fail_on)


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


def _write_reports(result, outputs, args, project_root: str) -> None:
    from linter.output import write_atomic
    from linter.report import ReportInput, renderer, repository_root

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
        data = ReportInput(
            result.findings,
            result.rules,
            result.texts,
            len(files),
            color,
            __version__,
            files=files,
            root=repository_root(project_root),
        )
        text = renderer(name)(data)
        if name == "github":
            from linter.report.github import announce

            announce(data)
        if path is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_atomic(path, text)  # OSError: the caller reports it (exit 2)
