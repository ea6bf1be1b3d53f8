"""PL108's webhook duplicates per enablement: consul-k8s's ``singleConsulDestNS :=
!(NamespacesEnabled && Mirroring)`` (``serviceintentions_webhook.go`` ``Handle``,
``common.ValidateConfigEntry``), with mirroring read from the Helm values, the chart's
version-dependent default, or unknown (then only what both answers refuse is reported)."""

from __future__ import annotations

from tests.helpers import lint

INTENTION = """\
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata:
  name: {name}
  namespace: {kube}
spec:
  destination: {{name: web{dest}}}
  sources: [{{name: frontend, action: allow}}]
"""


def _pl108(tmp_path, values: str, *intentions: tuple[str, str, str]) -> list[str]:
    (tmp_path / "values.yaml").write_text(values)
    text = "---\n".join(
        INTENTION.format(name=name, kube=kube, dest=f", namespace: {dest}" if dest else "")
        for name, kube, dest in intentions
    )
    (tmp_path / "intentions.yaml").write_text(text)
    return [f.message for f in lint(str(tmp_path), select=["PL108"]).findings]


NAMESPACES_ON = "global:\n  image: hashicorp/consul-enterprise:1.19.2-ent\n  enableConsulNamespaces: true\n"


def test_unknown_mirroring_is_silent_where_the_answers_differ(tmp_path) -> None:
    # mirroringK8S unset and no consul-k8s version: the chart default (false before
    # consul-k8s 1.0.0, true since) is unknown
    assert not _pl108(tmp_path, NAMESPACES_ON, ("a", "team-a", ""), ("b", "team-b", ""))


def test_unknown_mirroring_reports_what_both_refuse(tmp_path) -> None:
    found = _pl108(tmp_path, NAMESPACES_ON, ("a", "team-a", "shared"), ("b", "team-b", "shared"))
    assert found == ["an existing ServiceIntentions resource has `spec.destination.name: web`"]


def test_chart_default_follows_the_consul_k8s_version(tmp_path) -> None:
    old = NAMESPACES_ON + "  imageK8S: hashicorp/consul-k8s-control-plane:0.49.8\n"
    assert _pl108(tmp_path, old, ("a", "team-a", ""), ("b", "team-b", "")) == [
        "an existing ServiceIntentions resource has `spec.destination.name: web`"
    ]
    new = NAMESPACES_ON + "  imageK8S: hashicorp/consul-k8s-control-plane:1.4.2\n"
    assert not _pl108(tmp_path, new, ("a", "team-a", ""), ("b", "team-b", ""))


def test_mirroring_prefix_defaults_the_destination_namespace(tmp_path) -> None:
    values = (
        NAMESPACES_ON + "connectInject:\n  consulNamespaces:\n    mirroringK8S: true\n    mirroringK8SPrefix: k8s-\n"
    )
    found = _pl108(tmp_path, values, ("a", "team-a", ""), ("b", "ops", "k8s-team-a"))
    assert found == [
        "an existing ServiceIntentions resource has `spec.destination.name: web` and `spec.destination.namespace: k8s-team-a`"
    ]
    assert not _pl108(tmp_path, values, ("a", "team-a", ""), ("b", "ops", "team-a"))


def test_namespaces_off_compares_the_name_alone(tmp_path) -> None:
    values = "global:\n  image: hashicorp/consul-enterprise:1.19.2-ent\n  enableConsulNamespaces: false\n"
    found = _pl108(tmp_path, values, ("a", "team-a", ""), ("b", "team-b", ""))
    assert found == ["an existing ServiceIntentions resource has `spec.destination.name: web`"]
