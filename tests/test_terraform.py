"""Terraform (.tf) support (issue #20): the HCL2 reader keeps every position, the consul
provider's resources become peerlint's documents in the clusters their providers point
at, and what only Terraform knows is left out (and said so under --verbose)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from helpers import REPO, lint

from linter.load.codec import decode, encode
from linter.nodes import Mapping, Scalar, walk
from linter.parse import parse_text
from linter.parse.terraform import expression


def _write(folder, files: dict[str, str]) -> str:
    for name, text in files.items():
        path = os.path.join(str(folder), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(text))
    return str(folder)


def _cli(folder: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "linter", "check", ".", "--no-cache", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _at(root, *path):
    """The node at ``path``; a name repeated (``resource`` blocks) is searched in order."""
    if not path:
        return root
    part, rest = path[0], path[1:]
    if not isinstance(root, Mapping):
        return _at(root.items[part], *rest)
    for key, value in root.entries:
        if key.value == part:
            try:
                return _at(value, *rest)
            except (AttributeError, KeyError, IndexError, StopIteration):
                continue
    raise KeyError(part)


TF = """\
provider "consul" {
  alias      = "dc2"
  datacenter = "dc2"
}

resource "consul_config_entry" "web" {
  provider = consul.dc2
  kind     = "service-defaults"
  name     = "wéb"
  config_json = jsonencode({
    Protocol    = "http"
    MeshGateway = { Mode = "none" }
    "Quoted\\"" = ["a", 1, true, null]
  })
}

resource "consul_acl_policy" "p" {
  rules = <<-EOT
    service "web" {
      policy = "write"
    }
  EOT
}
"""


def test_every_key_and_value_keeps_its_place() -> None:
    parsed = parse_text("main.tf", TF)
    assert parsed.syntax == "terraform" and parsed.error is None
    root = parsed.documents[0]
    body = _at(root, "resource", "consul_config_entry", "web")
    name = body.get("name")
    assert (name.value, name.span) == ("wéb", (9, 14, 9, 19))  # columns in characters, not bytes
    call = expression(body.get("config_json"))
    assert call is not None and call.value("$call") == "jsonencode"
    obj = call.get("$args").items[0]
    mode = _at(obj, "MeshGateway", "Mode")
    assert (mode.value, mode.span) == ("none", (12, 28, 12, 34))
    key = next(k for k, _ in obj.items() if k.value == 'Quoted"')
    assert key.span == (13, 5, 13, 15) and key.quoted
    assert [n.value for n in _at(obj, 'Quoted"').items] == ["a", 1, True, None]
    ref = expression(body.get("provider"))
    assert ref is not None and ref.value("$ref") == "consul.dc2"
    rules = _at(root, "resource", "consul_acl_policy", "p", "rules")
    assert rules.value == 'service "web" {\n  policy = "write"\n}\n'
    assert rules.span[:2] == (19, 5)  # the text itself, after the indentation <<- strips


def test_a_terraform_tree_survives_the_parse_cache() -> None:
    parsed = parse_text("main.tf", TF)
    again = decode(encode(parsed))

    def flat(root):
        return [(type(n).__name__, n.span, n.value if isinstance(n, Scalar) else None) for n in walk(root)]

    assert flat(again.documents[0]) == flat(parsed.documents[0])


@pytest.mark.parametrize(
    "text,line",
    [('resource "consul_config_entry" "x" {\n  kind = \n}\n', 2), ('provider "consul" {\n  address = "a"\n', 3)],
)
def test_bad_terraform_is_a_parse_error_with_a_place(text: str, line: int) -> None:
    parsed = parse_text("main.tf", text)
    assert parsed.error is not None and parsed.error.line >= line - 1


def test_other_terraform_is_passed_over_silently(tmp_path) -> None:
    folder = _write(
        tmp_path,
        {
            "aws.tf": 'resource "aws_instance" "x" {\n  ami = var.ami\n}\n',
            "broken.tf": 'resource "aws_instance" "y" {\n',
            "consul.tf": 'resource "consul_config_entry" "x" {\n  kind = \n}\n',
        },
    )
    proc = _cli(folder, "--verbose")
    assert "Traceback" not in proc.stderr
    assert "skipped aws.tf: Terraform that does not use the consul provider" in proc.stderr
    assert "skipped broken.tf: Terraform that does not use the consul provider" in proc.stderr
    # a consul provider file that does not parse is reported, at its place
    assert "consul.tf" in proc.stdout and "PL001" in proc.stdout and "aws.tf" not in proc.stdout


def test_what_only_terraform_knows_is_left_out_and_said(tmp_path) -> None:
    folder = _write(
        tmp_path,
        {
            "main.tf": """\
            variable "protocol" {}

            resource "consul_config_entry" "from_var" {
              kind        = "service-defaults"
              name        = "web"
              config_json = jsonencode({ Protocol = var.protocol, MeshGateway = { Mode = "none" } })
            }

            resource "consul_config_entry" "many" {
              for_each = toset(var.names)
              kind     = "service-defaults"
              name     = each.key
            }

            resource "consul_config_entry_service_intentions" "dyn" {
              name = "web"
              dynamic "sources" {
                for_each = var.sources
                content {
                  name   = sources.value
                  action = "allow"
                }
              }
            }

            resource "consul_config_entry" "templated" {
              kind = "service-defaults"
              name = "api-${var.env}"
            }
            """
        },
    )
    result = lint(folder)
    assert [d for d in result.project.documents if d.category == "config-entry"] == []
    proc = _cli(folder, "--verbose")
    assert proc.returncode == 0, proc.stdout
    err = proc.stderr
    assert "consul_config_entry.from_var: config_json: var.protocol is a variable, known only to Terraform" in err
    assert "consul_config_entry.many: for_each: how many instances there are" in err
    assert "consul_config_entry_service_intentions.dyn: a dynamic block" in err
    assert 'consul_config_entry.templated: name: "api-${var.env}" is an expression evaluated only by Terraform' in err


PROVIDERS = """\
provider "consul" {
  alias      = "east"
  datacenter = "dc-east"
}

provider "consul" {
  alias = "west"
}
"""


def test_clusters_come_from_the_providers(tmp_path) -> None:
    folder = _write(
        tmp_path,
        {
            "providers.tf": PROVIDERS,
            "entries.tf": """\
            resource "consul_config_entry" "a" {
              provider  = consul.east
              kind      = "proxy-defaults"
              name      = "global"
              partition = "team-a"
            }

            resource "consul_config_entry" "b" {
              provider = consul.west
              kind     = "proxy-defaults"
              name     = "global"
            }
            """,
        },
    )
    docs = {d.extra["terraform"]: d for d in lint(folder).project.documents if "terraform" in d.extra}
    assert (docs["consul_config_entry.a"].cluster, docs["consul_config_entry.a"].partition) == ("dc-east", "team-a")
    assert docs["consul_config_entry.b"].cluster == "west"  # no datacenter: the alias
    # [clusters.NAME] provider names the alias
    _write(tmp_path, {"peerlint.toml": '[clusters.prod]\nprovider = "consul.west"\n\n[clusters.dc-east]\n'})
    docs = {d.extra["terraform"]: d for d in lint(folder).project.documents if "terraform" in d.extra}
    assert docs["consul_config_entry.b"].cluster == "prod"
    assert docs["consul_config_entry.a"].cluster == "dc-east"


def test_a_bad_provider_in_the_config_is_a_usage_error(tmp_path) -> None:
    folder = _write(tmp_path, {"peerlint.toml": '[clusters.prod]\nprovider = "aws.x"\n', "a.tf": ""})
    proc = _cli(folder)
    assert proc.returncode == 2 and "provider must name a consul (or helm) provider alias" in proc.stderr


def test_helm_release_files_join_its_cluster(tmp_path) -> None:
    folder = _write(
        tmp_path,
        {
            "peerlint.toml": '[clusters.k8s]\nprovider = "helm.k8s"\n\n[clusters.other]\npaths = ["**"]\n',
            "consul.tf": """\
            resource "helm_release" "consul" {
              provider = helm.k8s
              chart    = "consul"
              values   = [file("${path.module}/helm/values.yaml")]
            }
            """,
            # too few keys to be recognised as Helm values on its own
            "helm/values.yaml": "connectInject:\n  enabled: false\n",
        },
    )
    docs = [d for d in lint(folder).project.documents if d.path.endswith("values.yaml")]
    assert [(d.category, d.cluster) for d in docs] == [("helm-values", "k8s")]


def test_acl_roles_grant_their_policies(tmp_path) -> None:
    """A token whose role is in the repository is judged (PL501 would stay silent on a
    token whose role it cannot see); see tests/fixtures/PL501/terraform-acl-role."""
    folder = os.path.join(REPO, "tests", "fixtures", "PL501", "terraform-acl-role")
    assert [f.code for f in lint(folder, select=["PL501"]).findings] == ["PL501"]
    copy = _write(tmp_path, {})
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            text = handle.read()
        if name == "acl.tf":
            text = text.replace('roles       = ["gateway"]', 'roles       = ["elsewhere"]')
        _write(copy, {name: text})
    assert [f.code for f in lint(copy, select=["PL501"]).findings] == []


def test_a_reference_inside_the_module_is_followed(tmp_path) -> None:
    """Terraform reads a folder's files as one module: a token in one file names a
    policy of another; the same name in another folder is another module's."""
    folder = _write(
        tmp_path,
        {
            "tokens.tf": """\
            resource "consul_acl_token" "t" {
              policies = [consul_acl_policy.p.name]
            }
            """,
            "policies.tf": """\
            resource "consul_acl_policy" "p" {
              name  = "gw"
              rules = "mesh = \\"write\\""
            }
            """,
            "other/tokens.tf": """\
            resource "consul_acl_token" "t" {
              policies = [consul_acl_policy.p.name]
            }
            """,
        },
    )
    project = lint(folder).project
    tokens = [d for d in project.documents if d.category == "acl-token"]
    assert [d.path for d in tokens] == ["tokens.tf"]
    policy = tokens[0].root.get("Policies").items[0].get("Name")
    # the value of the policy's name, at the reference to it in the token
    assert isinstance(policy, Scalar) and policy.value == "gw" and policy.span == (2, 15, 2, 39)
    assert (
        "other/tokens.tf",
        "consul_acl_token.t: policies: consul_acl_policy.p.name refers to a resource "
        "attribute that is not a literal in this module (not followed)",
    ) in project.skipped


def test_state_json_is_read_with_evaluated_values(tmp_path) -> None:
    """``terraform show -json`` of a state: every attribute listed (empty ones dropped),
    blocks as lists, a for_each instance read as it is, the peering's two resources
    paired by the token value both hold (which is never shown)."""
    import json

    token = "eyJDQSI6bnVsbH0="  # what Consul returned (a secret in the state)

    def resource(kind: str, name: str, values: dict, index=None) -> dict:
        address = f"{kind}.{name}" + (f'["{index}"]' if index is not None else "")
        out = {"address": address, "mode": "managed", "type": kind, "name": name, "values": values}
        if index is not None:
            out["index"] = index
        return out

    state = {
        "format_version": "1.0",
        "terraform_version": "1.9.5",
        "values": {
            "root_module": {
                "resources": [
                    resource(
                        "consul_peering_token", "t", {"peer_name": "dc2", "partition": "", "peering_token": token}
                    ),
                    resource("consul_peering", "p", {"peer_name": "dc1", "partition": "", "peering_token": token}),
                    resource(
                        "consul_config_entry_service_intentions",
                        "web",
                        {
                            "name": "web",
                            "namespace": "",
                            "partition": "",
                            "meta": {},
                            "jwt": [],
                            "sources": [
                                {
                                    "name": "api",
                                    "peer": "dc2",
                                    "action": "allow",
                                    "sameness_group": "",
                                    "permissions": [],
                                }
                            ],
                        },
                        index="web",
                    ),
                    resource("aws_instance", "x", {"ami": "a"}),
                ]
            }
        },
    }
    folder = _write(tmp_path, {"state.json": json.dumps(state, indent=2)})
    project = lint(folder).project
    intentions = next(d for d in project.documents if d.kind == "service-intentions")
    assert intentions.root.plain() == {
        "Kind": "service-intentions",
        "Name": "web",
        "Sources": [{"Name": "api", "Peer": "dc2", "Action": "allow"}],
    }
    assert intentions.extra["terraform"] == 'consul_config_entry_service_intentions.web["web"]'
    peerings = project.graph.peerings()
    assert {p.role for p in peerings} == {"acceptor", "dialer"} and all(p.partner is not None for p in peerings)
    assert all(token not in repr(d.root.plain()) for d in project.documents)


def test_output_without_consul_resources_is_passed_over(tmp_path) -> None:
    folder = _write(
        tmp_path,
        {"plan.json": '{"format_version": "1.2", "planned_values": {"root_module": {"resources": []}}}'},
    )
    proc = _cli(folder, "--verbose")
    assert proc.returncode == 0 and "Terraform state or plan without consul provider resources" in proc.stderr


def test_providers_place_clusters_without_a_configuration(tmp_path) -> None:
    """examples/terraform alone (no peerlint.toml): one folder configures two clusters,
    yet nothing is a guess, because each resource's provider names its cluster; the
    Helm values files the releases name join them and anchor no cluster folder."""
    import shutil

    shutil.copytree(os.path.join(REPO, "examples", "terraform"), str(tmp_path / "terraform"))
    result = lint(str(tmp_path))
    assert [(f.code, f.severity, f.path) for f in result.findings] == [("PL401", "error", "terraform/ledger.tf")]
    clusters = {d.path: d.cluster for d in result.project.documents if d.path.endswith("values.yaml")}
    assert clusters == {"terraform/helm/north-values.yaml": "north", "terraform/helm/arctic-values.yaml": "arctic"}


def test_a_module_called_once_uses_the_callers_provider(tmp_path) -> None:
    entry = """\
    resource "consul_config_entry" "pd" {
      kind = "proxy-defaults"
      name = "global"
    }
    """
    folder = _write(
        tmp_path,
        {
            "main.tf": """\
            provider "consul" {
              alias      = "north"
              datacenter = "north"
            }

            module "north" {
              source    = "./modules/once"
              providers = { consul = consul.north }
            }

            module "a" {
              source    = "./modules/twice"
              providers = { consul = consul.north }
            }

            module "b" {
              source    = "./modules/twice"
              providers = { consul = consul.north }
            }
            """,
            "modules/once/main.tf": entry,
            "modules/twice/main.tf": entry,
        },
    )
    project = lint(folder).project
    clusters = {d.path: d.cluster for d in project.documents if d.kind == "proxy-defaults"}
    assert clusters == {"modules/once/main.tf": "north", "modules/twice/main.tf": "default"}
    assert (
        "modules/twice/main.tf",
        "the module is called 2 times (module.a, module.b): its resources are placed by their path",
    ) in project.skipped


def test_a_release_whose_values_file_is_not_checked_is_unknown(tmp_path) -> None:
    """Its set blocks alone would read as a chart installed with defaults (ACLs off)."""
    folder = _write(
        tmp_path,
        {
            "consul.tf": """\
            resource "helm_release" "consul" {
              chart  = "consul"
              values = [file("${path.module}/elsewhere/values.yaml")]

              set {
                name  = "global.datacenter"
                value = "dc1"
              }
            }
            """
        },
    )
    project = lint(folder).project
    assert [d for d in project.documents if d.category == "helm-values"] == []
    assert ("consul.tf", "helm_release.consul: values file elsewhere/values.yaml is not among the checked files") in [
        (p, why.replace(str(tmp_path) + "/", "")) for p, why in project.skipped
    ]


def test_set_blocks_win_over_the_values_files(tmp_path) -> None:
    """Helm merges a release's values files in order, then its set blocks."""
    from linter.k8s.helm import install_for

    folder = _write(
        tmp_path,
        {
            "consul.tf": """\
            resource "helm_release" "consul" {
              chart  = "consul"
              values = [file("${path.module}/zz-values.yaml")]

              set {
                name  = "global.datacenter"
                value = "dc1"
              }
              set {
                name  = "connectInject.enabled"
                value = "true"
              }
            }
            """,
            "zz-values.yaml": "global:\n  datacenter: dc1\nconnectInject:\n  enabled: false\n",
        },
    )
    project = lint(folder).project
    values = install_for(project, "dc1")
    assert values is not None and values.value("connectInject.enabled") is True


def test_init_pins_the_terraform_clusters(tmp_path) -> None:
    import shutil

    shutil.copytree(os.path.join(REPO, "examples", "terraform"), str(tmp_path / "terraform"))
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "linter", "init", "."], cwd=str(tmp_path), env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0 and "(2 cluster(s))" in proc.stderr, proc.stderr
    text = (tmp_path / "peerlint.toml").read_text()
    assert (
        '[clusters.north]\n# the resources of provider consul.north (terraform/providers.tf)\nprovider = "north"'
        in text
    )
    assert "[clusters.arctic]" in text
    # the written configuration is valid and places the same findings
    assert _cli(str(tmp_path)).returncode == 1
