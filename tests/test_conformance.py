"""The conformance suite: peerlint's verdict on cases transcribed from Consul's and
consul-k8s's own Go test tables (tests/conformance_cases.py describes the format) must
agree with Consul's, case by case; the per-family agreement is printed by
``python tools/conformance.py``."""

from __future__ import annotations

import os

import pytest

from tests.conformance_cases import FAMILIES, Case, all_cases, verdict, write_case
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


def test_verdict_counts_refusing_rules_only() -> None:
    """PL701 (the agent builder's WAN-federation refusals) counts; PL702 (a federation
    that cannot form, which Consul accepts) does not; nor does a finding on the Helm
    values write_case writes as a stand-in for the webhook's start-up flags."""
    from types import SimpleNamespace

    def finding(code: str, path: str = "agent.hcl", message: str = "requires 'server = true'"):
        return SimpleNamespace(code=code, severity="error", path=path, message=message, span=SimpleNamespace(line=1))

    reject = Case("agent-config", {}, "x", {"agent.hcl": ""}, "reject", "requires 'server = true'")
    accept = Case("consul-k8s-webhooks", {}, "y", {"mesh.yaml": ""}, "accept", assumes={"partitions": True})
    assert verdict(reject, [finding("PL701")])[0]
    assert not verdict(reject, [finding("PL702")])[0]
    assert not verdict(accept, [finding("PL603", "mesh.yaml")])[0]
    assert verdict(accept, [finding("PL601", "values.yaml")])[0]
