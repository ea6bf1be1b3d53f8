"""The conformance suite: peerlint's verdict on cases transcribed from Consul's and
consul-k8s's own Go test tables (tests/conformance_cases.py describes the format) must
agree with Consul's, case by case; the per-family agreement is printed by
``python tools/conformance.py``."""

from __future__ import annotations

import os

import pytest

from tests.conformance_cases import FAMILIES, all_cases, verdict, write_case
from tests.helpers import lint

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_agrees_with_consul(case, tmp_path) -> None:
    write_case(case, str(tmp_path))
    result = lint(str(tmp_path))
    agrees, why = verdict(case, result.findings)
    assert agrees, f"{case.source['repo']} {case.source['path']} {case.source['test']} / {case.name}: {why}"


def test_every_case_file_names_its_source_version() -> None:
    """The suite says which version of Consul's sources each case was read from."""
    for case in CASES:
        assert len(case.source["ref"]) >= 5, case.id


def test_families_are_the_documented_ones() -> None:
    present = {c.family for c in CASES}
    assert present <= set(FAMILIES)
    assert os.path.isdir(os.path.join(os.path.dirname(__file__), "conformance"))
