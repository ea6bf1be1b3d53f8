"""``peerlint check``: options to a run, the run (the whole project, the nearest cluster
roots, standard input or ``--new-since``), fixes, baselines and the reports.

Apart from :mod:`linter.cli` (the parser and the small commands) so each stays one job.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time

from linter import __version__
from linter.commands.common import EXIT_ERROR, EXIT_OK
from linter.commands.common import load_rules_or_exit as _load_rules


def run_check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``peerlint check`` with parsed arguments; the exit code."""
    return _check(args, parser)


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
    if args.respect_gitignore is False:
        config.respect_gitignore = False
    # peerlint's own report and baseline files are never read as input
    never = tuple(p for p in [path for _name, path in outputs] + [args.baseline, args.write_baseline] if p)
    progress = _progress(args, outputs)
    options = _run_options(args, config, never, progress.stage if progress else None)
    rules = _selected_rules(args, parser)
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
    skipped: list[tuple[str, str]] | None = [] if args.verbose else None
    failure: Exception | None = None
    with progress or contextlib.nullcontext():  # erased when the run ends, before any output
        try:
            if stdin:
                result = _check_stdin(args.stdin_filename, config, rules, args)
            elif args.project:
                result = check(
                    [args.project],
                    config,
                    rules,
                    args.select,
                    args.ignore,
                    focus=focus,
                    options=options,
                    skipped=skipped,
                )
            elif args.no_project:
                result = check(paths, config, rules, args.select, args.ignore, options=options, skipped=skipped)
            else:
                from linter.commands.scope import scope_for

                scope = scope_for(args.paths, config)
                config_changed = focus is None and bool(args.paths)
                focus = None if config_changed else scope.focus
                result = check(
                    scope.load, config, rules, args.select, args.ignore, focus=focus, options=options, skipped=skipped
                )
        except Exception as err:  # pragma: no cover - last line of defence
            failure = err
    if failure is not None:  # said once the progress display is gone
        print(f"peerlint: internal error: {type(failure).__name__}: {failure}", file=sys.stderr)
        return EXIT_ERROR
    for path, reason in sorted(skipped or []):
        print(f"peerlint: skipped {path}: {reason}", file=sys.stderr)
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


def _run_options(args: argparse.Namespace, config, never: tuple[str, ...] = (), progress=None):
    """The run's options from the command line: jobs, the cache folder (the project's
    unless --no-cache / --cache-dir), files never read as input (peerlint's own), who
    is told each stage (the progress display), and, in the daemon, its memory (none
    with --no-cache: nothing remembered is used)."""
    from linter.config import RunOptions

    if args.no_cache:
        return RunOptions(jobs=args.jobs, never_scan=never, progress=progress)
    from linter.commands.common import warm_state
    from linter.load.cache import default_cache_dir

    cache_dir = args.cache_dir or default_cache_dir(config)
    return RunOptions(jobs=args.jobs, cache_dir=cache_dir, never_scan=never, progress=progress, warm=warm_state())


def _progress(args: argparse.Namespace, outputs):
    """The progress display when this run's report is text on a terminal
    (linter.commands.progress); None otherwise, and nothing imported."""
    if not (sys.stderr.isatty() and sys.stdout.isatty()):
        return None  # nothing imported for a pipe, CI or a hook
    from linter.commands.progress import Progress, wanted

    return Progress() if wanted(outputs, args.no_color or args.color == "never") else None


def _selected_rules(args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict:
    """Every rule; a --select/--ignore code no rule has is a usage error (exit 2)."""
    rules = _load_rules()
    unknown = [c for c in args.select + args.ignore if not any(code.startswith(c) for code in rules)]
    if unknown:
        parser.error(f"no rule matches {', '.join(unknown)}")
    return rules


def _check_new_since(args: argparse.Namespace, parser: argparse.ArgumentParser, outputs) -> int:
    """``check --new-since REV`` (linter.commands.newsince): nothing is loaded, not
    even the rules, until the commit is known to touch a Consul file."""
    if args.paths or args.project or args.write_baseline or args.baseline:
        parser.error("--new-since checks the whole project as staged; it takes no PATHS, --project or baseline")
    from linter.commands.gitsnap import GitError
    from linter.commands.newsince import new_since
    from linter.config import ConfigError

    try:
        outcome = new_since(
            args.new_since,
            lambda: _selected_rules(args, parser),
            args.select,
            args.ignore,
            args.config,
            lambda config: _run_options(args, config),
        )
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
        color = name == "text" and path is None and use_color(args)
        width = terminal_width() if name == "text" and path is None else 0
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
            width=width,
            links=bool(width) and color and hyperlinks(),
        )
        text = statistics(data) if getattr(args, "statistics", False) and name == "text" else renderer(name)(data)
        if name == "github":
            from linter.report.github import announce

            announce(data)
        if path is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_atomic(path, text)  # OSError: the caller reports it (exit 2)


def terminal_width() -> int:
    """The width of the terminal standard output is, 0 when it is not one (then the
    text report keeps its grouped layout, unwrapped). ``COLUMNS`` wins, as everywhere."""
    if not sys.stdout.isatty():
        return 0
    import shutil

    return shutil.get_terminal_size().columns


def hyperlinks() -> bool:
    """Whether a coloured report on a terminal may hold OSC 8 links: not on the Linux
    console or a dumb terminal (which print them), nor with ``FORCE_HYPERLINK=0`` (the
    convention of other command-line tools)."""
    return os.environ.get("TERM") not in ("dumb", "linux") and os.environ.get("FORCE_HYPERLINK") != "0"


def use_color(args: argparse.Namespace) -> bool:
    """Whether the text report on standard output is coloured: ``--color always|never``
    (``--no-color`` is never) decide; otherwise a terminal, unless ``NO_COLOR`` is set to
    something (https://no-color.org: an empty value does not count) or ``TERM=dumb``;
    ``FORCE_COLOR`` (non-empty) colours even a pipe, as CI logs that render ANSI want."""
    choice = "never" if args.no_color else getattr(args, "color", "auto")
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def statistics(data) -> str:
    """``--statistics``: one line per rule, most findings first (like ruff's)."""
    counts: dict[str, int] = {}
    for f in data.findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = []
    for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = data.rules.get(code)
        lines.append(f"{n:>{width}}  {code}  {rule.slug if rule else 'internal-error'}")
    total = len(data.findings)
    lines.append(
        f"Found {total} problem(s) in {data.files_checked} file(s)."
        if total
        else f"No problems found in {data.files_checked} file(s)."
    )
    return "\n".join(lines) + "\n"
