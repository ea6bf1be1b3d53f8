"""The ACL model: policy parsing (positions included), the authorizer against Consul's
precedence (unit and property tests), token binding, secret detection, and that no
secret reaches any output format."""

from __future__ import annotations

import base64
import json
import os
import random

import pytest
from helpers import FIXTURES, lint
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.acl.authorizer import ALLOW, DEFAULT, DENY, Authorizer, enforce
from linter.acl.policy import PRECEDENCE, AclRule, Policy, identity_policy, parse_rules
from linter.acl.secrets import decode_peering_token, find_peering_tokens, is_secret_id, mask, mask_line
from linter.acl.tokens import acl_model
from linter.parse._hcl.hclparse import parse_hcl
from linter.parse.jsonparse import parse_json
from linter.report import FORMATS, ReportInput, renderer

# --- policies -------------------------------------------------------------------


def test_hcl_and_json_rules_parse_alike() -> None:
    hcl = parse_rules(
        parse_hcl(
            'mesh = "write"\nservice "web" {\n  policy = "read"\n}\nservice_prefix "" {\n  policy = "Write"\n}\n'
        ),
        "p",
    )
    js = parse_rules(
        parse_json(
            '{"mesh": "write", "service": {"web": {"policy": "read"}}, "service_prefix": {"": {"policy": "Write"}}}'
        ),
        "p",
    )
    expected = {
        AclRule("mesh", None, False, "write"),
        AclRule("service", "web", False, "read"),
        AclRule("service", "", True, "write"),
    }
    assert set(hcl.rules) == expected
    assert set(js.rules) == expected


@pytest.mark.parametrize(
    "rules",
    [
        'service "web" { policy = "list" }',  # list is only valid for key
        'mesh = "list"',
        'service "web" { policy = "maybe" }',
        'partition "default" { service_prefix "" { policy = "read" } }',  # Enterprise: cannot judge in CE
        'service = "web"',
    ],
)
def test_invalid_or_unknowable_policies_are_opaque(rules: str) -> None:
    policy = parse_rules(parse_hcl(rules), "p")
    assert policy.opaque and not policy.rules


@pytest.mark.parametrize("resource", ["acl", "keyring", "operator", "mesh", "peering"])
def test_an_empty_scalar_policy_grants_nothing_and_keeps_the_policy_readable(resource: str) -> None:
    """acl/policy.go validates keyring/operator/... only when set: ``""`` is no rule, so
    the policy's other rules still count (it was opaque, and the ACL rules went silent)."""
    policy = parse_rules(parse_hcl(f'{resource} = ""\nservice "web" {{ policy = "write" }}'), "p")
    assert not policy.opaque
    assert [(r.resource, r.access) for r in policy.rules] == [("service", "write")]


def test_key_list_is_valid() -> None:
    policy = parse_rules(parse_hcl('key_prefix "app/" { policy = "list" }'), "p")
    assert not policy.opaque and policy.rules == [AclRule("key", "app/", True, "list")]


def test_api_policy_rules_positions_map_into_the_json_string(tmp_path) -> None:
    source = '{\n  "Name": "gw",\n  "Rules": "operator = \\"read\\"\\nservice \\"web\\" { policy = \\"write\\" }"\n}\n'
    (tmp_path / "policy.json").write_text(source)
    result = lint(str(tmp_path), select=["PL5"])
    model = acl_model(result.project)
    policy = model.by_name[("*", "gw")]
    line = source.split("\n")[2]
    operator = next(r for r in policy.rules if r.resource == "operator")
    web = next(r for r in policy.rules if r.resource == "service")
    assert operator.node.span.line == 3
    assert line[operator.node.span.col - 1 : operator.node.span.end_col - 1] == '\\"read\\"'
    web_policy = web.node.get("policy")
    assert line[web_policy.span.col - 1 : web_policy.span.end_col - 1] == '\\"write\\"'


def test_api_policy_in_yaml_falls_back_to_the_string_span(tmp_path) -> None:
    (tmp_path / "policy.yaml").write_text('Name: gw\nRules: |\n  mesh = "write"\n')
    model = acl_model(lint(str(tmp_path), select=["PL5"]).project)
    policy = model.by_name[("*", "gw")]
    assert policy.rules[0].access == "write" and policy.rules[0].node.span.line >= 2


def test_unparsable_api_rules_make_the_policy_opaque(tmp_path) -> None:
    (tmp_path / "policy.json").write_text('{"Name": "gw", "Rules": "mesh = = ="}')
    model = acl_model(lint(str(tmp_path), select=["PL5"]).project)
    assert model.by_name[("*", "gw")].opaque


# --- authorizer -------------------------------------------------------------------


def _authz(*rules: AclRule, default: str = "deny") -> Authorizer:
    return Authorizer([Policy("p", list(rules))], default)


def test_exact_beats_prefix_even_when_weaker() -> None:
    a = _authz(AclRule("service", "", True, "write"), AclRule("service", "web", False, "read"))
    assert a.allows("service", "web", "read") and not a.allows("service", "web", "write")
    assert a.allows("service", "webby", "write")


def test_longest_prefix_wins() -> None:
    a = _authz(
        AclRule("service", "", True, "read"),
        AclRule("service", "web", True, "deny"),
        AclRule("service", "web-", True, "write"),
    )
    assert a.allows("service", "api", "read")
    assert not a.allows("service", "webapp", "read")
    assert a.allows("service", "web-1", "write")


def test_merge_precedence_deny_write_list_read() -> None:
    for weaker, stronger in (("read", "list"), ("list", "write"), ("write", "deny")):
        a = Authorizer(
            [Policy("a", [AclRule("key", "k", False, weaker)]), Policy("b", [AclRule("key", "k", False, stronger)])]
        )
        assert a.rule_for("key", "k").access == stronger


def test_read_rule_denies_write_even_with_default_allow() -> None:
    a = _authz(AclRule("service", "web", False, "read"), default="allow")
    assert not a.allows("service", "web", "write")
    assert a.allows("service", "other", "write")  # no rule: the default decides


def test_mesh_and_peering_fall_back_to_operator() -> None:
    a = _authz(AclRule("operator", None, False, "write"))
    assert a.allows("mesh", None, "write") and a.allows("peering", None, "read")
    b = _authz(AclRule("operator", None, False, "write"), AclRule("mesh", None, False, "read"))
    assert not b.allows("mesh", None, "write")  # an explicit mesh rule wins over operator
    c = _authz(AclRule("operator", None, False, "read"))
    assert c.allows("peering", None, "read") and not c.allows("mesh", None, "write")


def test_service_identity_grants() -> None:
    a = Authorizer([identity_policy("service", "web")])
    assert a.allows("service", "web", "write") and a.allows("service", "web-sidecar-proxy", "write")
    assert not a.allows("service", "api", "write")
    assert a.read_all("service") and a.read_all("node") and a.write_any("service")
    assert not a.allows("mesh", None, "write")


def test_write_any_and_read_all() -> None:
    one = _authz(AclRule("service", "x", False, "write"))
    assert one.write_any("service") and not one.read_all("service")
    local = _authz(AclRule("service", "x", False, "read"), AclRule("node_prefix", "", True, "read"))
    assert not local.write_any("service") and not local.read_all("service")
    everything = _authz(AclRule("service", "", True, "read"), AclRule("service", "x", False, "read"))
    assert everything.read_all("service")
    narrower = _authz(AclRule("service", "", True, "write"), AclRule("service", "db", False, "deny"))
    assert not narrower.read_all("service") and narrower.narrower_denies("service")[0].name == "db"


def test_enforce_matches_consul() -> None:
    assert enforce("write", "write") == ALLOW and enforce("list", "read") == ALLOW
    assert enforce("list", "write") == DENY and enforce("read", "list") == DENY
    assert enforce("deny", "read") == DENY and enforce(None, "read") == DEFAULT


# --- property tests: the authorizer against a brute-force oracle -------------------

NAMES = st.text(alphabet="abw-", max_size=4)
LEVEL = st.sampled_from(["read", "write", "deny"])
RULE = st.builds(lambda n, p, a: AclRule("service", n, p, a), NAMES, st.booleans(), LEVEL)
POLICIES = st.lists(st.lists(RULE, max_size=5), max_size=4)


def _oracle(policies: list[list[AclRule]], name: str) -> str | None:
    """Consul's answer computed the slow way: merge by precedence, exact first, then
    the longest prefix."""
    rules = [r for p in policies for r in p]

    def strongest(cands: list[AclRule]) -> str | None:
        return max((r.access for r in cands), key=PRECEDENCE.__getitem__, default=None)

    exact = strongest([r for r in rules if not r.prefix and r.name == name])
    if exact is not None:
        return exact
    matching = [r for r in rules if r.prefix and name.startswith(r.name)]
    if not matching:
        return None
    longest = max(len(r.name) for r in matching)
    return strongest([r for r in matching if len(r.name) == longest])


@settings(max_examples=200, deadline=None, database=None)
@given(POLICIES, NAMES)
def test_property_authorizer_matches_oracle(policies, name) -> None:
    a = Authorizer([Policy(str(i), p) for i, p in enumerate(policies)])
    rule = a.rule_for("service", name)
    assert (rule.access if rule else None) == _oracle(policies, name)


@settings(max_examples=150, deadline=None, database=None)
@given(POLICIES, NAMES, st.randoms(use_true_random=False))
def test_property_policy_order_does_not_matter(policies, name, rnd) -> None:
    shuffled = [list(p) for p in policies]
    rnd.shuffle(shuffled)
    for p in shuffled:
        rnd.shuffle(p)
    a = Authorizer([Policy(str(i), p) for i, p in enumerate(policies)])
    b = Authorizer([Policy(str(i), p) for i, p in enumerate(shuffled)])
    for wanted in ("read", "write"):
        assert a.allows("service", name, wanted) == b.allows("service", name, wanted)
    assert a.read_all("service") == b.read_all("service") and a.write_any("service") == b.write_any("service")


@settings(max_examples=150, deadline=None, database=None)
@given(POLICIES, NAMES, st.sampled_from(["allow", "deny"]))
def test_property_levels_are_monotonic(policies, name, default) -> None:
    a = Authorizer([Policy(str(i), p) for i, p in enumerate(policies)], default)
    if a.allows("service", name, "write"):
        assert a.allows("service", name, "read")
    if a.read_all("service"):
        assert a.allows("service", name, "read")
    rules = [r for p in policies for r in p]
    if any(r.access == "deny" for r in rules):
        assert not a.read_all("service")
    merged: dict[tuple[str, bool], str] = {}
    for r in rules:
        if PRECEDENCE[r.access] > PRECEDENCE.get(merged.get((r.name, r.prefix), ""), -1):
            merged[(r.name, r.prefix)] = r.access
    assert a.write_any("service") == ("write" in merged.values() or default == "allow")


@settings(max_examples=100, deadline=None, database=None)
@given(POLICIES, NAMES)
def test_property_exact_rule_always_decides(policies, name) -> None:
    exact = AclRule("service", name, False, "deny")
    a = Authorizer([Policy(str(i), p) for i, p in enumerate(policies)] + [Policy("x", [exact])])
    assert a.rule_for("service", name).access == "deny"
    assert not a.allows("service", name, "read")


# --- secrets ------------------------------------------------------------------------

TOKEN = {
    "CA": ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"],
    "ServerAddresses": ["10.0.0.1:8503"],
    "ServerName": "server.dc1.peering.x.consul",
    "PeerID": "9e8b2ea1-7b0c-4b2e-8c1f-1d2f3a4b5c6d",
    "EstablishmentSecret": "5a6b7c8d-1111-2222-3333-444455556666",
}


def test_peering_token_single_and_double_encoded() -> None:
    once = base64.b64encode(json.dumps(TOKEN).encode()).decode()
    twice = base64.b64encode(once.encode()).decode()
    assert decode_peering_token(once)["PeerID"] == TOKEN["PeerID"]
    assert decode_peering_token(twice)["PeerID"] == TOKEN["PeerID"]
    assert (
        decode_peering_token(base64.b64encode(json.dumps({"PeerID": "x", "Other": "y" * 100}).encode()).decode())
        is None
    )
    text = f"a: {once}\nb: {twice}\n"
    assert len(list(find_peering_tokens(text))) == 2
    assert mask_line(f"token: {once}") == f"token: {once[:4]}****"


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=300) | st.from_regex(r"[A-Za-z0-9+/=]{60,200}", fullmatch=True))
def test_property_bad_input_never_raises(text) -> None:
    list(find_peering_tokens(text))
    decode_peering_token(text)
    mask_line(text)


def test_scan_finds_nothing_in_base64_noise() -> None:
    """Random base64 is not a token (its speed is measured in benchmarks/ and bounded
    on adversarial inputs by tests/test_untrusted.py)."""
    rnd = random.Random(7)
    noise = "\n".join("k: " + base64.b64encode(rnd.randbytes(150)).decode() for _ in range(2000))
    assert not list(find_peering_tokens(noise))


def test_secret_ids() -> None:
    assert is_secret_id("3f9a1b2c-4d5e-6f70-8192-a3b4c5d6e7f8")
    assert not is_secret_id("<SecretID>") and not is_secret_id("anonymous") and not is_secret_id(None)
    assert mask("3f9a1b2c-4d5e-6f70-8192-a3b4c5d6e7f8") == "3f9a****"


def _secret_values(folder: str) -> set[str]:
    """Every secret written in a fixture folder: peering tokens (and the secrets inside
    them) and SecretID UUIDs."""
    found: set[str] = set()
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for start, end, token in find_peering_tokens(text):
            found.add(text[start:end])
            found.add("".join(text[start:end].split())[30:70])  # no fragment of a wrapped first line either
            found.add(token["PeerID"])
            if token.get("EstablishmentSecret"):
                found.add(token["EstablishmentSecret"])
        import re

        for match in re.finditer(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text):
            if (
                is_secret_id(match.group(0))
                and ("SecretID" in text or "token" in text)
                and "AccessorID" not in text[max(0, match.start() - 20) : match.start()]
            ):
                found.add(match.group(0))
    return found


SECRET_CASES = [
    (code, case)
    for code in ("PL801", "PL802", "PL501", "PL502")
    for case in sorted(os.listdir(os.path.join(FIXTURES, code)))
]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("code,case", SECRET_CASES, ids=[f"{c}/{k}" for c, k in SECRET_CASES])
def test_no_secret_in_any_output_format(fmt: str, code: str, case: str) -> None:
    folder = os.path.join(FIXTURES, code, case)
    secrets = _secret_values(folder)
    result = lint(folder)
    data = ReportInput(result.findings, result.rules, result.project.texts, len(result.project.files), False, "test")
    output = renderer(fmt)(data)
    if code in ("PL801", "PL802") and os.path.exists(os.path.join(folder, "expected.txt")):
        assert secrets and any(f.code == code for f in result.findings)
    leaked = [s[:8] for s in secrets if s in output]
    assert not leaked, f"{fmt} output contains secrets starting {leaked}"


# --- tokens ---------------------------------------------------------------------------


def _model(tmp_path, files: dict[str, str]):
    for name, body in files.items():
        (tmp_path / name).write_text(body)
    return acl_model(lint(str(tmp_path), select=["PL5"]).project)


def test_token_resolves_policies_identities_and_templates(tmp_path) -> None:
    model = _model(
        tmp_path,
        {
            "ops.hcl": 'operator = "write"\n',
            "api.json": '{"ID": "e359bd81-baca-903e-7e64-1ccd9fdc78f5", "Name": "api-pol", "Rules": "mesh = \\"read\\""}',
            "token.json": json.dumps(
                {
                    "SecretID": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
                    "Policies": [{"Name": "ops"}, {"ID": "e359bd81-baca-903e-7e64-1ccd9fdc78f5"}],
                    "TemplatedPolicies": [{"TemplateName": "builtin/service", "TemplateVariables": {"Name": "api"}}],
                    "NodeIdentities": [{"NodeName": "node-1", "Datacenter": "dc1"}],
                }
            ),
        },
    )
    (token,) = model.tokens
    assert not token.unresolved and "api" in token.service_identities
    a = token.authorizer()
    assert not a.allows("mesh", None, "write")  # explicit mesh read wins over operator write
    assert a.allows("peering", None, "write")  # peering falls back to operator
    assert a.allows("service", "api-sidecar-proxy", "write") and a.allows("node", "node-1", "write")


@pytest.mark.parametrize(
    "extra",
    [
        {"Roles": [{"Name": "admins"}]},
        {"Policies": [{"Name": "not-in-repo"}]},
        {"TemplatedPolicies": [{"TemplateName": "builtin/api-gateway", "TemplateVariables": {"Name": "gw"}}]},
    ],
)
def test_tokens_with_unknown_parts_are_unresolved(tmp_path, extra) -> None:
    model = _model(
        tmp_path,
        {
            "token.json": json.dumps(
                {
                    "SecretID": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
                    "ServiceIdentities": [{"ServiceName": "web"}],
                    **extra,
                }
            )
        },
    )
    assert model.tokens[0].unresolved


def test_binding_by_secret_id_and_service_identity(tmp_path) -> None:
    files = {
        "web.hcl": 'service {\n  name = "web"\n  token = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"\n}\n',
        "api.hcl": 'service {\n  name = "api"\n}\n',
        "t1.json": '{"SecretID": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "Policies": []}',
        "t2.json": '{"ServiceIdentities": [{"ServiceName": "api"}]}',
    }
    for name, body in files.items():
        (tmp_path / name).write_text(body)
    project = lint(str(tmp_path), select=["PL5"]).project
    model = acl_model(project)
    services = {d.root.value("name"): d for d in project.of("service-definition")}
    web = [t.doc.path for t, _ in model.tokens_for_service(services["web"], "web")]
    api = [t.doc.path for t, _ in model.tokens_for_service(services["api"], "api")]
    assert web == ["t1.json"] and api == ["t2.json"]
