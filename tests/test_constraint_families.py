"""The constraint layer imports only the family modules a run needs
(:data:`linter.constraints.FAMILIES`, a static map from schema name to modules): these
tests hold that map to what the modules really register, so the lazy path runs exactly
the checks, in exactly the order, that importing every family (the plain path) does.

Each side runs in a fresh interpreter: in this one, other tests may already have
imported some families, which would hide a module the map leaves out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.helpers import REPO

#: Every family imported first (the plain path): each schema's checks, in order.
PLAIN = """
import json
from linter import constraints
constraints._load_families()
print(json.dumps({name: [f"{c.__module__}.{c.__qualname__}" for c in found]
                  for name, found in constraints._REGISTRY.items()}))
"""

#: Only the map's modules, schema by schema (in reverse, so no schema's modules are
#: loaded in the order a full import would load them); then what is left unimported.
LAZY = """
import json, sys
from linter import constraints
names = sorted(set(constraints.FAMILIES) | set(sys.argv[1:]), reverse=True)
out = {name: [f"{c.__module__}.{c.__qualname__}" for c in constraints.checks_for(name)] for name in names}
print(json.dumps(out))
"""


def _run(script: str, *argv: str) -> dict:
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, timeout=300, cwd=REPO, env=env
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_lazy_families_run_the_same_checks_in_the_same_order():
    plain = {name: found for name, found in _run(PLAIN).items() if found}
    assert plain, "no checks registered at all"
    lazy = _run(LAZY, *plain)
    missing = sorted(set(plain) - set(lazy))
    assert not missing, f"schemas with checks that FAMILIES does not name: {missing}"
    for name in sorted(set(plain) | set(lazy)):
        wanted = tuple(dict.fromkeys(c.rsplit(".", 2)[-2] for c in plain.get(name, [])))
        assert lazy.get(name, []) == plain.get(name, []), (
            f"FAMILIES[{name!r}] does not match what the family modules register for it: it should be {wanted!r}"
        )


def test_a_schema_without_checks_imports_no_family():
    script = """
import json, sys
from linter import constraints
assert constraints.checks_for("no-such-schema") == ()
print(json.dumps(sorted(m for m in sys.modules if m.startswith("linter.constraints."))))
"""
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=REPO),
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_every_rule_reading_the_shared_schema_check_is_in_its_work_group():
    """A rule built on :func:`linter.api.schema.shape_findings` reads the per-document
    schema and constraint check: outside the ``schemacheck`` work group it may run in
    the other process of a parallel run and pay for the whole check again."""
    import inspect

    from linter.registry import load_rules

    readers = {
        code: cls.work_group
        for code, cls in load_rules().items()
        if "shape_findings(" in inspect.getsource(inspect.getmodule(cls))
    }
    assert len(readers) >= 5, readers  # PL101-PL104 and PL106
    assert {code: group for code, group in readers.items() if group != "schemacheck"} == {}
