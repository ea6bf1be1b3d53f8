"""JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure, CircleCI):
one ``<testsuite name="peerlint">``, one ``<testcase>`` per checked file, which passes
when the file has no finding and otherwise carries one ``<failure>`` listing them
all (JUnit allows one failure per test case; its ``message`` says how many and the
first, its text has one ``path:line:col: severity: message [CODE]`` line each).

Built with ElementTree, so escaping is the XML library's job; characters that XML 1.0
cannot carry at all (control characters) are replaced first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from linter.report import ReportInput
from linter.textsafe import escape_control as esc
from linter.textsafe import to_utf8

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return to_utf8(_NOT_XML.sub("\ufffd", text))


def _line(text: str) -> str:
    """One line of a failure's text: characters XML cannot hold become U+FFFD (as
    before), line breaks and escapes from names and messages are shown, not obeyed."""
    return esc(_NOT_XML.sub("\ufffd", text))


def render(data: ReportInput) -> str:
    by_file: dict[str, list] = {path: [] for path in data.files}
    for f in data.findings:
        by_file.setdefault(f.path, []).append(f)
    failures = sum(1 for found in by_file.values() if found)
    suites = ET.Element("testsuites", name="peerlint", tests=str(len(by_file)), failures=str(failures), errors="0")
    suite = ET.SubElement(
        suites, "testsuite", name="peerlint", tests=str(len(by_file)), failures=str(failures), errors="0", skipped="0"
    )
    for path in sorted(by_file):
        case = ET.SubElement(suite, "testcase", classname="peerlint", name=_clean(path), file=_clean(path))
        found = by_file[path]
        if not found:
            continue
        first = found[0]
        summary = f"{len(found)} problem(s); first: {first.code} {_line(first.message)}"
        body = "\n".join(  # one line per finding: names and messages cannot add lines (issue #21)
            f"{_line(f.path)}:{f.span.line}:{f.span.col}: {f.severity}: {_line(f.message)} [{f.code}]"
            + (f"\n    fix: {_line(f.fix_text)}" if f.fix_text else "")
            for f in found
        )
        failure = ET.SubElement(case, "failure", message=_clean(summary), type=first.code)
        failure.text = _clean(body)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
