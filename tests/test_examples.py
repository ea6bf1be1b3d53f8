"""The bundled example repository (examples/): the README's first command, run as a
user runs it, reports exactly the deliberate mistakes examples/README.md describes;
with those mistakes fixed, the same repository is clean under every rule there is.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from helpers import REPO

EXAMPLES = os.path.join(REPO, "examples")

#: (code, file, line) of each deliberate mistake, and the patch that fixes it:
#: (file, text in the file, replacement).
MISTAKES = {
    "upstream without destination_peer": (
        ("PL403", "examples/east/services/reports.hcl", 11),
        (
            "east/services/reports.hcl",
            '            destination_name = "inventory"\n            local_bind_port  = 9102\n',
            '            destination_name = "inventory"\n            destination_peer = "west"\n            local_bind_port  = 9102\n',
        ),
    ),
    "mesh gateway mode none": (
        ("PL303", "examples/south/crds/service-defaults-checkout.yaml", 13),
        ("south/crds/service-defaults-checkout.yaml", "          mode: none\n", "          mode: local\n"),
    ),
    "missing intention": (
        ("PL401", "examples/west/crds/exported-services.yaml", 10),
        (
            "west/crds/intentions-inventory.yaml",
            "    - name: reports\n      peer: east\n      action: allow\n",
            "    - name: reports\n      peer: east\n      action: allow\n    - name: checkout\n      peer: south\n      action: allow\n",
        ),
    ),
    "missing intention, Terraform": (
        ("PL401", "examples/terraform/ledger.tf", 11),
        (
            "terraform/ledger.tf",
            "  })\n}\n",
            "  })\n}\n\n"
            'resource "consul_config_entry_service_intentions" "ledger" {\n'
            "  provider = consul.north\n"
            '  name     = "ledger"\n\n'
            "  sources {\n"
            '    name   = "auditor"\n'
            '    peer   = "arctic"\n'
            '    action = "allow"\n'
            "  }\n"
            "}\n",
        ),
    ),
}


def _run(cwd: str) -> tuple[int, list[dict]]:
    """``python -m linter check examples/ --format json`` in ``cwd``, as a user runs it."""
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""), NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "linter", "check", "examples/", "--format", "json", "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    return proc.returncode, report["findings"]


def _where(findings: list[dict]) -> list[tuple[str, str, int]]:
    return sorted((f["code"], f["path"], f["range"]["start"]["line"]) for f in findings)


def _copy_with_fixes(tmp_path, skip: str = "") -> str:
    """A copy of examples/ under ``tmp_path`` with every mistake but ``skip`` fixed."""
    shutil.copytree(EXAMPLES, os.path.join(str(tmp_path), "examples"))
    for name, (_where, (path, old, new)) in MISTAKES.items():
        if name == skip:
            continue
        full = os.path.join(str(tmp_path), "examples", path)
        with open(full, encoding="utf-8") as handle:
            text = handle.read()
        assert text.count(old) == 1, f"patch for {name!r} no longer applies to {path}"
        with open(full, "w", encoding="utf-8") as handle:
            handle.write(text.replace(old, new))
    return str(tmp_path)


def test_examples_report_exactly_the_deliberate_mistakes() -> None:
    code, findings = _run(REPO)
    assert _where(findings) == sorted(where for where, _fix in MISTAKES.values()), json.dumps(findings, indent=1)
    assert code == 1


def test_examples_with_the_mistakes_fixed_are_clean(tmp_path) -> None:
    code, findings = _run(_copy_with_fixes(tmp_path))
    assert findings == [], "\n".join(
        f"{f['path']}:{f['range']['start']['line']} {f['code']} {f['message']}" for f in findings
    )
    assert code == 0


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_mistake_alone_gives_its_finding(tmp_path, mistake: str) -> None:
    """Each deliberate mistake, the only one left, is what produces its finding."""
    code, findings = _run(_copy_with_fixes(tmp_path, skip=mistake))
    assert _where(findings) == [MISTAKES[mistake][0]]
    assert code == 1
