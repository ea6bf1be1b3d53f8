"""The consul chart's ``fail`` conditions on peering, federation, mesh gateways, TLS,
ACLs and admin partitions (consul-k8s-semantics §3.2), as data.

Why a table: each condition is a template line with a gate (the template is only
rendered when it is enabled), a test and an exact message; keeping them side by side
with their §3.2 number makes them checkable against the facts file line by line.
``helm install`` stops at the first ``fail`` it renders; a linter reports every
distinct message once, so the same condition repeated in several templates (#6/#20/#33,
#4/#26/#42-44, #8/#19, #13/#16, #11/#12, #14/#37) is reported once.

A check returns the paths that decide it, most deciding first (the value a user would
change); the rule points at the first one some values file sets, and lists the others
as related.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from linter.k8s.helm import HelmValues

RESERVED = ("system", "universal", "operator", "root")
Test = Callable[[HelmValues], tuple[str, ...] | None]


@dataclass(frozen=True)
class ChartFail:
    number: str  # §3.2 item(s)
    template: str
    topic: str  # "peering" | "federation" | other topics (mesh-gateway, tls, acls, ...)
    message: str
    test: Test
    fix: str


def _server(v: HelmValues) -> bool:
    return v.enabled("server.enabled")


def _client(v: HelmValues) -> bool:
    return v.enabled("client.enabled")


def _inject(v: HelmValues) -> bool:
    return v.enabled("connectInject.enabled")


def _vault(v: HelmValues) -> bool:
    return v.truthy("global.secretsBackend.vault.enabled")


def _acls(v: HelmValues) -> bool:
    return v.truthy("global.acls.manageSystemACLs")


def _when(cond: bool, *paths: str) -> tuple[str, ...] | None:
    return paths if cond else None


def _partition_init(v: HelmValues) -> bool:
    return (
        v.truthy("global.adminPartitions.enabled")
        and not _server(v)
        and v.value("global.adminPartitions.name") != "default"
    )


def _half(v: HelmValues, base: str) -> bool:
    return v.truthy(f"{base}.secretName") != v.truthy(f"{base}.secretKey")


def _half_paths(base: str) -> tuple[str, ...]:
    return (f"{base}.secretName", f"{base}.secretKey")


def _parts_without_ns(v: HelmValues) -> bool:
    return v.truthy("global.adminPartitions.enabled") and not v.truthy("global.enableConsulNamespaces")


def _parts_ns_gate(v: HelmValues) -> bool:
    gates = (
        _inject(v),
        v.truthy("meshGateway.enabled"),
        v.truthy("ingressGateways.enabled"),
        v.truthy("terminatingGateways.enabled"),
        v.truthy("telemetryCollector.enabled"),
    )
    return any(gates)


def _static_wan(v: HelmValues) -> bool:
    return v.value("meshGateway.wanAddress.source") == "Static" and v.value("meshGateway.wanAddress.static") in (
        "",
        None,
    )


PEER = "global.peering.enabled"
FED = "global.federation.enabled"
PARTS = "global.adminPartitions.enabled"
NS_MSG = "global.enableConsulNamespaces must be true if global.adminPartitions.enabled=true"
FED_PARTS_MSG = "If global.federation.enabled is true, global.adminPartitions.enabled must be false because they are mutually exclusive"
EXT_HOSTS_MSG = "externalServers.hosts must be set if externalServers.enabled is true"
VAULT_CA_MSG = "global.tls.caCert.secretName must be provided if global.tls.enabled=true and global.secretsBackend.vault.enabled=true."
BOOT = "global.acls.bootstrapToken"
REPL = "global.acls.replicationToken"
VAULT = "global.secretsBackend.vault"

# One chart `fail` per row, as the chart templates list them: a table reads best unwrapped.
# fmt: off
FAILS: tuple[ChartFail, ...] = (
    ChartFail("1", "connect-inject-deployment.yaml", "peering", "setting global.peering.enabled to true requires connectInject.enabled to be true",
              lambda v: _when(v.truthy(PEER) and not v.truthy("connectInject.enabled"), "connectInject.enabled", PEER), "set connectInject.enabled: true"),
    ChartFail("2", "connect-inject-deployment.yaml", "peering", "setting global.peering.enabled to true requires global.tls.enabled to be true",
              lambda v: _when(v.truthy(PEER) and not v.truthy("global.tls.enabled"), "global.tls.enabled", PEER), "set global.tls.enabled: true"),
    ChartFail("3", "connect-inject-deployment.yaml", "peering", "setting global.peering.enabled to true requires meshGateway.enabled to be true",
              lambda v: _when(v.truthy(PEER) and not v.truthy("meshGateway.enabled"), "meshGateway.enabled", PEER), "set meshGateway.enabled: true"),
    ChartFail("4/26/42-44", "connect-inject-deployment.yaml", "partitions", NS_MSG,
              lambda v: _when(_parts_ns_gate(v) and _parts_without_ns(v), "global.enableConsulNamespaces", PARTS), "set global.enableConsulNamespaces: true"),
    ChartFail("5", "connect-inject-deployment.yaml", "namespaces",
              "The name {connectInject.consulNamespaces.consulDestinationNamespace} set for key connectInject.consulNamespaces.consulDestinationNamespace is reserved by Consul for future use.",
              lambda v: _when(_inject(v) and v.value("connectInject.consulNamespaces.consulDestinationNamespace") in RESERVED, "connectInject.consulNamespaces.consulDestinationNamespace"),
              "choose a namespace name other than system, universal, operator or root"),
    ChartFail("6/20/33", "connect-inject-deployment.yaml", "external-servers", EXT_HOSTS_MSG,
              lambda v: _when((_inject(v) or _client(v) or _partition_init(v)) and v.truthy("externalServers.enabled") and not v.truthy("externalServers.hosts"), "externalServers.hosts", "externalServers.enabled"),
              "list the servers' addresses in externalServers.hosts"),
    ChartFail("7", "connect-inject-deployment.yaml", "external-servers", "externalServers.enabled must be set if externalServers.skipServerWatch is true",
              lambda v: _when(_inject(v) and v.truthy("externalServers.skipServerWatch") and not v.truthy("externalServers.enabled"), "externalServers.enabled", "externalServers.skipServerWatch"),
              "set externalServers.enabled: true or drop skipServerWatch"),
    ChartFail("8/19", "server-statefulset.yaml", "federation", FED_PARTS_MSG,
              lambda v: _when((_server(v) or _client(v)) and v.truthy(FED) and v.truthy(PARTS), PARTS, FED), "use cluster peering between partitions, or turn admin partitions off"),
    ChartFail("9", "server-statefulset.yaml", "federation", "If global.federation.enabled is true, global.tls.enabled must be true because federation is only supported with TLS enabled",
              lambda v: _when(_server(v) and v.truthy(FED) and not v.truthy("global.tls.enabled"), "global.tls.enabled", FED), "set global.tls.enabled: true"),
    ChartFail("10", "server-statefulset.yaml", "federation", "If global.federation.enabled is true, meshGateway.enabled must be true because mesh gateways are required for federation",
              lambda v: _when(_server(v) and v.truthy(FED) and not v.truthy("meshGateway.enabled"), "meshGateway.enabled", FED), "set meshGateway.enabled: true"),
    ChartFail("11/12", "server-statefulset.yaml", "tls", "If server.serverCert.secretName is provided, global.tls.caCert must also be provided",
              lambda v: _when(_server(v) and v.truthy("server.serverCert.secretName") and not v.truthy("global.tls.caCert.secretName"), "server.serverCert.secretName", "global.tls.caCert.secretName"),
              "set global.tls.caCert.secretName to the CA certificate's secret"),
    ChartFail("13/16", "server-statefulset.yaml", "tls", VAULT_CA_MSG,
              lambda v: _when((_server(v) or _client(v)) and _vault(v) and v.truthy("global.tls.enabled") and not v.truthy("global.tls.caCert.secretName"), "global.tls.caCert.secretName", "global.tls.enabled"),
              "set global.tls.caCert.secretName to the Vault path of the CA"),
    ChartFail("14", "server-statefulset.yaml", "acls", "both global.acls.bootstrapToken.secretKey and global.acls.bootstrapToken.secretName must be set if one of them is provided.",
              lambda v: _when(_server(v) and _half(v, BOOT), *_half_paths(BOOT)), "set both secretName and secretKey, or neither"),
    ChartFail("15", "client-daemonset.yaml", "partitions", 'global.adminPartitions.name has to be "default" in the server cluster',
              lambda v: _when(_client(v) and v.truthy(PARTS) and _server(v) and v.value("global.adminPartitions.name") != "default", "global.adminPartitions.name"),
              'set global.adminPartitions.name: "default" where the servers run; name other partitions in their own installs'),
    ChartFail("17", "client-daemonset.yaml", "tls", "global.tls.enableAutoEncrypt must be true if global.secretsBackend.vault.enabled=true and global.tls.enabled=true",
              lambda v: _when(_client(v) and _vault(v) and v.truthy("global.tls.enabled") and not v.truthy("global.tls.enableAutoEncrypt"), "global.tls.enableAutoEncrypt", "global.tls.enabled"),
              "set global.tls.enableAutoEncrypt: true"),
    ChartFail("18", "client-daemonset.yaml", "tls", "global.secretsBackend.vault.consulCARole must be provided if global.secretsBackend.vault.enabled=true and global.tls.enabled=true",
              lambda v: _when(_client(v) and _vault(v) and v.truthy("global.tls.enabled") and not v.truthy(f"{VAULT}.consulCARole"), f"{VAULT}.consulCARole", f"{VAULT}.enabled"),
              "set global.secretsBackend.vault.consulCARole"),
    ChartFail("21", "create-federation-secret-job.yaml", "federation", "global.federation.enabled must be true when global.federation.createFederationSecret is true",
              lambda v: _when(v.truthy("global.federation.createFederationSecret") and not v.truthy(FED), FED, "global.federation.createFederationSecret"), "set global.federation.enabled: true"),
    ChartFail("22", "create-federation-secret-job.yaml", "federation", "global.acls.createReplicationToken must be true when global.acls.manageSystemACLs is true because the federation secret must include the replication token",
              lambda v: _when(v.truthy("global.federation.createFederationSecret") and _acls(v) and not v.truthy("global.acls.createReplicationToken"), "global.acls.createReplicationToken", "global.acls.manageSystemACLs"),
              "set global.acls.createReplicationToken: true"),
    ChartFail("23/42-44", "mesh-gateway-deployment.yaml", "mesh-gateway", "connectInject.enabled must be true",
              lambda v: _when(any(v.truthy(g) for g in ("meshGateway.enabled", "ingressGateways.enabled", "terminatingGateways.enabled", "telemetryCollector.enabled")) and not v.truthy("connectInject.enabled"),
                              "connectInject.enabled", "meshGateway.enabled", "ingressGateways.enabled", "terminatingGateways.enabled", "telemetryCollector.enabled"),
              "set connectInject.enabled: true"),
    ChartFail("24", "mesh-gateway-deployment.yaml", "mesh-gateway", "if global.acls.manageSystemACLs is true, meshGateway.consulServiceName cannot be set",
              lambda v: _when(v.truthy("meshGateway.enabled") and _acls(v) and v.value("meshGateway.consulServiceName") not in ("", None, "mesh-gateway"), "meshGateway.consulServiceName"),
              "remove meshGateway.consulServiceName"),
    ChartFail("25", "mesh-gateway-deployment.yaml", "mesh-gateway", "meshGateway.globalMode is no longer supported; instead, you must migrate to CRDs (see www.consul.io/docs/k8s/crds/upgrade-to-crds)",
              lambda v: _when(v.truthy("meshGateway.enabled") and v.truthy("meshGateway.globalMode"), "meshGateway.globalMode"),
              "remove meshGateway.globalMode and set spec.meshGateway.mode in a ProxyDefaults resource"),
    ChartFail("27", "mesh-gateway-deployment.yaml", "mesh-gateway", "if meshGateway.wanAddress.source=Static then meshGateway.wanAddress.static cannot be empty",
              lambda v: _when(v.truthy("meshGateway.enabled") and _static_wan(v), "meshGateway.wanAddress.static", "meshGateway.wanAddress.source"), "set meshGateway.wanAddress.static to the gateway's public address"),
    ChartFail("28", "mesh-gateway-deployment.yaml", "mesh-gateway", "if meshGateway.wanAddress.source=Service and meshGateway.service.type=NodePort, meshGateway.service.nodePort must be set",
              lambda v: _when(v.truthy("meshGateway.enabled") and v.value("meshGateway.wanAddress.source") == "Service" and v.value("meshGateway.service.type") == "NodePort" and not v.truthy("meshGateway.service.nodePort"),
                              "meshGateway.service.nodePort", "meshGateway.service.type"), "set meshGateway.service.nodePort"),
    ChartFail("29", "gateway-resources-configmap.yaml", "mesh-gateway", ".meshGateway.wanAddress.static must be set to a value if .meshGateway.wanAddress.source is Static",
              lambda v: _when(v.truthy("connectInject.enabled") and not v.truthy("meshGateway.enabled") and _static_wan(v), "meshGateway.wanAddress.static", "meshGateway.wanAddress.source"),
              "set meshGateway.wanAddress.static, or the source back to Service"),
    ChartFail("30", "partition-init-job.yaml", "partitions", "The name {global.adminPartitions.name} set for key global.adminPartitions.name is reserved by Consul for future use.",
              lambda v: _when(_partition_init(v) and v.value("global.adminPartitions.name") in RESERVED, "global.adminPartitions.name"), "choose a partition name other than system, universal, operator or root"),
    ChartFail("31", "partition-init-job.yaml", "partitions", "externalServers.enabled needs to be true and configured to create a non-default partition.",
              lambda v: _when(_partition_init(v) and not v.truthy("externalServers.enabled"), "externalServers.enabled", "global.adminPartitions.name"), "set externalServers.enabled: true and externalServers.hosts"),
    ChartFail("32", "partition-init-job.yaml", "partitions", "global.secretsBackend.vault.adminPartitionsRole is required when global.secretsBackend.vault.enabled and global.acls.manageSystemACLs are true.",
              lambda v: _when(_partition_init(v) and _vault(v) and _acls(v) and not v.truthy(f"{VAULT}.adminPartitionsRole"), f"{VAULT}.adminPartitionsRole", f"{VAULT}.enabled"), "set global.secretsBackend.vault.adminPartitionsRole"),
    ChartFail("34", "server-acl-init-job.yaml", "acls", "only one of server.enabled or externalServers.enabled can be set",
              lambda v: _when(_server(v) and v.truthy("externalServers.enabled"), "externalServers.enabled", "server.enabled"), "set server.enabled: false in an install that uses external servers"),
    ChartFail("35", "server-acl-init-job.yaml", "acls", "if global.acls.createReplicationToken is true, global.acls.manageSystemACLs must be true",
              lambda v: _when((_server(v) or v.truthy("externalServers.enabled")) and v.truthy("global.acls.createReplicationToken") and not _acls(v), "global.acls.manageSystemACLs", "global.acls.createReplicationToken"),
              "set global.acls.manageSystemACLs: true"),
    ChartFail("36", "server-acl-init-job.yaml", "acls", "global.bootstrapACLs was removed, use global.acls.manageSystemACLs instead",
              lambda v: _when((_server(v) or v.truthy("externalServers.enabled")) and v.truthy("global.bootstrapACLs"), "global.bootstrapACLs"), "replace global.bootstrapACLs with global.acls.manageSystemACLs"),
    ChartFail("37", "server-acl-init-job.yaml", "acls", "both global.acls.bootstrapToken.secretKey and global.acls.bootstrapToken.secretName must be set if one of them is provided",
              lambda v: _when(not _server(v) and v.truthy("externalServers.enabled") and _acls(v) and _half(v, BOOT), *_half_paths(BOOT)), "set both secretName and secretKey, or neither"),
    ChartFail("38", "server-acl-init-job.yaml", "acls", "both global.acls.replicationToken.secretKey and global.acls.replicationToken.secretName must be set if one of them is provided",
              lambda v: _when((_server(v) or v.truthy("externalServers.enabled")) and _acls(v) and _half(v, REPL), *_half_paths(REPL)), "set both secretName and secretKey, or neither"),
    ChartFail("39", "server-acl-init-job.yaml", "acls", "global.acls.bootstrapToken or global.acls.replicationToken must be provided when global.secretsBackend.vault.enabled and global.acls.manageSystemACLs are true",
              lambda v: _when((_server(v) or v.truthy("externalServers.enabled")) and _acls(v) and _vault(v) and not v.truthy(f"{BOOT}.secretName") and not v.truthy(f"{REPL}.secretName"),
                              "global.acls.manageSystemACLs", f"{VAULT}.enabled"), "store the bootstrap token in Vault and set global.acls.bootstrapToken.secretName/secretKey"),
    ChartFail("40", "server-acl-init-job.yaml", "acls", "global.secretsBackend.vault.manageSystemACLsRole is required when global.secretsBackend.vault.enabled and global.acls.manageSystemACLs are true",
              lambda v: _when((_server(v) or v.truthy("externalServers.enabled")) and _acls(v) and _vault(v) and not v.truthy(f"{VAULT}.manageSystemACLsRole"), f"{VAULT}.manageSystemACLsRole", f"{VAULT}.enabled"),
              "set global.secretsBackend.vault.manageSystemACLsRole"),
    ChartFail("41", "server-config-configmap.yaml", "acls", "ACLs must be enabled inorder to configure audit logs",
              lambda v: _when(_server(v) and v.truthy("server.auditLogs.enabled") and not _acls(v), "server.auditLogs.enabled", "global.acls.manageSystemACLs"), "set global.acls.manageSystemACLs: true"),
    ChartFail("client L1", "client-daemonset.yaml", "images", "global.imageK8s is not a valid key, use global.imageK8S (note the capital 'S')",
              lambda v: _when(v.truthy("global.imageK8s"), "global.imageK8s"), "rename the key to global.imageK8S"),
)
# fmt: on


def render(message: str, values: HelmValues) -> str:
    """Fill ``{path}`` placeholders with the merged value (the chart's ``cat``)."""
    out = message
    while "{" in out and "}" in out:
        start = out.index("{")
        end = out.index("}", start)
        out = out[:start] + str(values.value(out[start + 1 : end])) + out[end + 1 :]
    return out


def locate(values: HelmValues, paths: tuple[str, ...]) -> tuple:
    """(document, node, related) for a finding decided by ``paths``: the first path
    some file sets (its value node), the others that are set as related
    ``(place, note)`` pairs.
    With none set (every value is the chart default) the finding goes on the last
    layer's top-level key of the first path, or its root."""
    first = values.where(*paths)
    related = []
    for path in paths:
        setting = values.setting(path)
        if setting is not None and setting is not first:
            related.append((setting.doc.at(setting.node), f"{path} is set here ({setting.doc.path})"))
    if first is not None:
        return first.doc, first.node, related
    doc = values.anchor()
    top = paths[0].split(".")
    for i in range(len(top) - 1, 0, -1):
        parent = values.setting(".".join(top[:i]))
        if parent is not None:
            return parent.doc, parent.key, related
    return doc, None, related


def checks(topics: set[str], exclude: bool = False) -> tuple[ChartFail, ...]:
    """The fails of these topics (or of every other topic with ``exclude``)."""
    return tuple(f for f in FAILS if (f.topic in topics) != exclude)


def failures(
    values: HelmValues, topics: set[str], exclude: bool = False
) -> Iterator[tuple[ChartFail, str, object, object, list]]:
    """(fail, rendered message, document, node, related) for every fail of these topics
    (see :func:`checks`) that ``values`` trips, each message once."""
    seen: set[str] = set()
    for fail in checks(topics, exclude):
        paths = fail.test(values)
        if not paths:
            continue
        message = render(fail.message, values)
        if message in seen:
            continue
        seen.add(message)
        yield (fail, message, *locate(values, paths))
