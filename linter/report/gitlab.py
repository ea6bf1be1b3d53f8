"""GitLab Code Quality report (``artifacts: reports: codequality``): a JSON array of
issues, each with ``description``, ``check_name``, ``fingerprint``, ``severity`` and a
``location`` GitLab shows in merge requests.

The fingerprint is the line-independent identity of the finding (so GitLab does not
call a moved finding "new"), with an occurrence number when one identity repeats,
because GitLab treats equal fingerprints as one issue. ``location.positions`` carries
the exact range (1-based lines and columns).
"""

from __future__ import annotations

import hashlib
import json

from linter.report import ReportInput
from linter.report.fingerprint import fingerprint
from linter.textsafe import to_utf8

SEVERITY = {"error": "major", "warning": "minor", "note": "info"}


def render(data: ReportInput) -> str:
    issues = []
    seen: dict[str, int] = {}
    for f in data.findings:
        base = fingerprint(f)
        n = seen.get(base, 0)
        seen[base] = n + 1
        print_ = base if n == 0 else hashlib.sha256(f"{base}:{n}".encode()).hexdigest()[:32]
        rule = data.rules.get(f.code)
        issue = {
            "type": "issue",
            "check_name": f.code,
            "description": f"{f.code} {f.message}",
            "categories": ["Bug Risk"],
            "severity": SEVERITY.get(f.severity, "major"),
            "fingerprint": print_,
            "location": {
                "path": to_utf8(f.path),
                "positions": {
                    "begin": {"line": f.span.line, "column": f.span.col},
                    "end": {"line": f.span.end_line, "column": f.span.end_col},
                },
            },
        }
        body = [f.fix_text and f"Fix: {f.fix_text}", rule and f"Rule: {rule.help_uri()}"]
        if any(body):
            issue["content"] = {"body": "\n\n".join(b for b in body if b)}
        issues.append(issue)
    return json.dumps(issues, indent=2) + "\n"
