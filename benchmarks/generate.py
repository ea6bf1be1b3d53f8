"""Generate a realistic, correct multi-cluster Consul repository of any size.

Why: peerlint must be measured on what it will meet in a fleet repo, not on toy files.
The generated tree has half its clusters written in Consul's own HCL/JSON style (agent
config, config entries, service definitions with peered upstreams, mesh gateways, ACL
policies and tokens) and half in Kubernetes style (Helm values, PeeringAcceptor/Dialer,
Mesh, ProxyDefaults, ExportedServices, ServiceIntentions, ServiceDefaults CRDs and
annotated Deployments). Peerings join clusters of the same style in a ring; every
service is exported to every peer, every export has an intention allowing the peer's
consumer, and every upstream names the peer that exports it, so a correct linter
reports nothing. Output is deterministic for a given size.

    python benchmarks/generate.py OUT_DIR --files 1000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from dataclasses import dataclass, field

WORDS = (
    "web",
    "api",
    "cart",
    "checkout",
    "payments",
    "billing",
    "search",
    "catalog",
    "orders",
    "inventory",
    "shipping",
    "users",
    "auth",
    "profile",
    "reviews",
    "ratings",
    "ads",
    "email",
    "notify",
    "reports",
    "ledger",
    "quotes",
    "pricing",
    "media",
    "images",
)
CONSUL_IMAGE = "hashicorp/consul:1.17.2"
HCL_FIXED = 8  # server agent, proxy-defaults, mesh, exported-services, gateway, policy, gateway token, client agent
K8S_FIXED = 4  # values, mesh, proxy-defaults, exported-services (plus one peering file a peer)


@dataclass
class Cluster:
    name: str
    style: str  # "hcl" or "k8s"
    services: int = 0
    extras: int = 0  # service-resolver files used to hit the exact file count
    peers: list[str] = field(default_factory=list)
    accepts: list[str] = field(default_factory=list)  # peers this cluster accepts (k8s)
    dials: list[str] = field(default_factory=list)  # peers this cluster dials (k8s)


def service_name(i: int) -> str:
    return f"{WORDS[i % len(WORDS)]}-{i // len(WORDS)}" if i >= len(WORDS) else WORDS[i]


def plan(files: int) -> tuple[list[Cluster], list[tuple[str, str]]]:
    """Clusters, their sizes and the peerings, so that the tree holds exactly ``files``."""
    count = max(4, 2 * round(files / 160))  # ~80 files a cluster, an even number of clusters
    half = count // 2
    clusters = [Cluster(f"dc{i + 1}", "hcl") for i in range(half)] + [
        Cluster(f"k8s{i + 1}", "k8s") for i in range(half)
    ]
    peerings: list[tuple[str, str]] = []
    for style in ("hcl", "k8s"):
        group = [c for c in clusters if c.style == style]
        pairs = (
            [(group[i], group[(i + 1) % len(group)]) for i in range(len(group))]
            if len(group) > 2
            else [(group[0], group[1])]
        )
        for a, b in pairs:
            peerings.append((a.name, b.name))
            a.peers.append(b.name)
            b.peers.append(a.name)
            a.accepts.append(b.name)
            b.dials.append(a.name)
    # Fixed files, then services (HCL: 4 files each, k8s: 3), then one-file extras.
    fixed = sum(HCL_FIXED if c.style == "hcl" else K8S_FIXED + len(c.peers) for c in clusters)
    budget = max(0, files - fixed)
    per_unit = 3.5
    services = max(1, int(budget / per_unit / len(clusters)))
    while services > 1 and sum((4 if c.style == "hcl" else 3) * services for c in clusters) > budget:
        services -= 1
    for c in clusters:
        c.services = services
    left = budget - sum((4 if c.style == "hcl" else 3) * c.services for c in clusters)
    i = 0
    while left > 0:
        clusters[i % len(clusters)].extras += 1
        left -= 1
        i += 1
    return clusters, peerings


def _write(root: str, rel: str, text: str) -> None:
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _hcl_cluster(root: str, c: Cluster) -> None:
    d = c.name
    _write(
        root,
        f"{d}/agent/server.hcl",
        f'''# Consul server agent for {d}
datacenter = "{d}"
data_dir   = "/opt/consul"
server     = true
bootstrap_expect = 3
node_name  = "{d}-server-0"
retry_join = ["consul-{d}-0.internal", "consul-{d}-1.internal", "consul-{d}-2.internal"]

connect {{
  enabled = true
}}

peering {{
  enabled = true
}}

ports {{
  grpc_tls = 8503
}}

acl {{
  enabled                  = true
  default_policy           = "deny"
  enable_token_persistence = true
}}

tls {{
  defaults {{
    ca_file         = "/etc/consul.d/tls/consul-agent-ca.pem"
    cert_file       = "/etc/consul.d/tls/{d}-server-consul-0.pem"
    key_file        = "/etc/consul.d/tls/{d}-server-consul-0-key.pem"
    verify_incoming = true
    verify_outgoing = true
  }}
}}
''',
    )
    _write(
        root,
        f"{d}/agent/client.hcl",
        f'''datacenter = "{d}"
data_dir   = "/opt/consul"
node_name  = "{d}-client-0"
retry_join = ["consul-{d}-0.internal"]
ports {{
  grpc = 8502
}}
acl {{
  enabled        = true
  default_policy = "deny"
}}
''',
    )
    _write(
        root,
        f"{d}/config/proxy-defaults.hcl",
        """Kind = "proxy-defaults"
Name = "global"
Config {
  protocol = "http"
}
MeshGateway {
  Mode = "local"
}
""",
    )
    _write(
        root,
        f"{d}/config/mesh.hcl",
        """Kind = "mesh"
Peering {
  PeerThroughMeshGateways = true
}
""",
    )
    exports = []
    for s in range(c.services):
        consumers = ", ".join(f'{{ Peer = "{p}" }}' for p in c.peers)
        exports.append(f'  {{\n    Name      = "{service_name(s)}"\n    Consumers = [{consumers}]\n  }}')
    _write(
        root,
        f"{d}/config/exported-services.hcl",
        'Kind = "exported-services"\nName = "default"\nServices = [\n' + ",\n".join(exports) + "\n]\n",
    )
    _write(
        root,
        f"{d}/gateways/mesh-gateway.hcl",
        f'''service {{
  kind = "mesh-gateway"
  name = "mesh-gateway"
  port = 8443
  address = "10.0.0.10"
  tagged_addresses {{
    lan = {{ address = "10.0.0.10", port = 8443 }}
    wan = {{ address = "203.0.113.10", port = 8443 }}
  }}
  meta {{
    datacenter = "{d}"
  }}
}}
''',
    )
    _write(
        root,
        f"{d}/acl/policies/mesh-gateway.hcl",
        """service "mesh-gateway" {
  policy = "write"
}
service_prefix "" {
  policy = "read"
}
node_prefix "" {
  policy = "read"
}
agent_prefix "" {
  policy = "read"
}
mesh    = "write"
peering = "read"
""",
    )
    _write(
        root,
        f"{d}/acl/tokens/mesh-gateway.json",
        json.dumps(
            {
                "Description": f"mesh gateway token for {d}",
                "Policies": [{"Name": "mesh-gateway"}],
                "Local": False,
            },
            indent=2,
        )
        + "\n",
    )
    for s in range(c.services):
        name = service_name(s)
        upstreams = ",\n".join(
            f'''          {{
            destination_name = "{name}"
            destination_peer = "{p}"
            local_bind_port  = {10000 + 10 * s + i}
          }}'''
            for i, p in enumerate(c.peers)
        )
        _write(
            root,
            f"{d}/services/{name}.hcl",
            f'''service {{
  name = "{name}"
  id   = "{name}-1"
  port = {8000 + s}
  tags = ["v1", "{d}"]
  meta {{
    owner = "team-{s % 7}"
  }}
  checks = [
    {{
      id       = "{name}-http"
      name     = "HTTP health"
      http     = "http://localhost:{8000 + s}/health"
      method   = "GET"
      interval = "10s"
      timeout  = "1s"
    }},
    {{
      id       = "{name}-tcp"
      name     = "TCP listener"
      tcp      = "localhost:{8000 + s}"
      interval = "30s"
      timeout  = "2s"
    }}
  ]
  connect {{
    sidecar_service {{
      proxy {{
        upstreams = [
{upstreams}
        ]
      }}
    }}
  }}
}}
''',
        )
        sources = ",\n".join(
            f'  {{\n    Name   = "{name}"\n    Peer   = "{p}"\n    Action = "allow"\n  }}' for p in c.peers
        )
        _write(
            root,
            f"{d}/config/intentions/{name}.hcl",
            f'Kind = "service-intentions"\nName = "{name}"\nSources = [\n{sources}\n]\n',
        )
        _write(
            root,
            f"{d}/config/service-defaults/{name}.json",
            json.dumps(
                {
                    "Kind": "service-defaults",
                    "Name": name,
                    "Protocol": "http",
                    "MeshGateway": {"Mode": "local"},
                    "UpstreamConfig": {"Defaults": {"ConnectTimeoutMs": 5000, "Limits": {"MaxConnections": 512}}},
                },
                indent=2,
            )
            + "\n",
        )
        _write(
            root,
            f"{d}/acl/tokens/{name}.json",
            json.dumps(
                {
                    "Description": f"{name} service token",
                    "ServiceIdentities": [{"ServiceName": name}],
                    "Local": False,
                },
                indent=2,
            )
            + "\n",
        )
    for e in range(c.extras):
        name = service_name(e % max(1, c.services))
        _write(
            root,
            f"{d}/config/resolvers/{name}-{e}.hcl",
            f'''Kind           = "service-resolver"
Name           = "{name}"
ConnectTimeout = "{5 + e % 10}s"
RequestTimeout = "30s"
''',
        )


def _k8s_cluster(root: str, c: Cluster) -> None:
    d = c.name
    _write(
        root,
        f"{d}/helm/values.yaml",
        f"""global:
  name: consul
  datacenter: {d}
  image: {CONSUL_IMAGE}
  peering:
    enabled: true
  tls:
    enabled: true
    httpsOnly: false
  acls:
    manageSystemACLs: true
server:
  replicas: 3
  storage: 10Gi
connectInject:
  enabled: true
  default: false
meshGateway:
  enabled: true
  replicas: 2
  service:
    type: LoadBalancer
ui:
  enabled: true
""",
    )
    _write(
        root,
        f"{d}/crds/mesh.yaml",
        """apiVersion: consul.hashicorp.com/v1alpha1
kind: Mesh
metadata:
  name: mesh
spec:
  peering:
    peerThroughMeshGateways: true
""",
    )
    _write(
        root,
        f"{d}/crds/proxy-defaults.yaml",
        """apiVersion: consul.hashicorp.com/v1alpha1
kind: ProxyDefaults
metadata:
  name: global
spec:
  config:
    protocol: http
  meshGateway:
    mode: local
""",
    )
    services = "".join(
        f"    - name: {service_name(s)}\n      consumers:\n" + "".join(f"        - peer: {p}\n" for p in c.peers)
        for s in range(c.services)
    )
    _write(
        root,
        f"{d}/crds/exported-services.yaml",
        f"""apiVersion: consul.hashicorp.com/v1alpha1
kind: ExportedServices
metadata:
  name: default
spec:
  services:
{services}""",
    )
    for p in c.accepts:
        _write(
            root,
            f"{d}/peering/acceptor-{p}.yaml",
            f"""apiVersion: consul.hashicorp.com/v1alpha1
kind: PeeringAcceptor
metadata:
  name: {p}
spec:
  peer:
    secret:
      name: peering-token-{d}-{p}
      key: data
      backend: kubernetes
""",
        )
    for p in c.dials:
        _write(
            root,
            f"{d}/peering/dialer-{p}.yaml",
            f"""apiVersion: consul.hashicorp.com/v1alpha1
kind: PeeringDialer
metadata:
  name: {p}
spec:
  peer:
    secret:
      name: peering-token-{p}-{d}
      key: data
      backend: kubernetes
""",
        )
    for s in range(c.services):
        name = service_name(s)
        sources = "".join(f"    - name: {name}\n      peer: {p}\n      action: allow\n" for p in c.peers)
        _write(
            root,
            f"{d}/crds/intentions/{name}.yaml",
            f"""apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata:
  name: {name}
spec:
  destination:
    name: {name}
  sources:
{sources}""",
        )
        _write(
            root,
            f"{d}/crds/service-defaults/{name}.yaml",
            f"""apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceDefaults
metadata:
  name: {name}
spec:
  protocol: http
  meshGateway:
    mode: local
""",
        )
        upstreams = ",".join(f"{name}.svc.{p}.peer:{10000 + 10 * s + i}" for i, p in enumerate(c.peers))
        config_upstreams = "".join(
            f"      - name: {name}-{p}\n        address: 127.0.0.1:{10000 + 10 * s + i}\n"
            for i, p in enumerate(c.peers)
        )
        _write(
            root,
            f"{d}/workloads/{name}.yaml",
            f'''apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
  ports:
    - port: 80
      targetPort: {8000 + s}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app: {name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
      annotations:
        consul.hashicorp.com/connect-inject: "true"
        consul.hashicorp.com/connect-service-upstreams: "{upstreams}"
        prometheus.io/scrape: "true"
        prometheus.io/port: "9102"
    spec:
      serviceAccountName: {name}
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        fsGroup: 10001
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    app: {name}
      tolerations:
        - key: dedicated
          operator: Equal
          value: mesh
          effect: NoSchedule
      containers:
        - name: {name}
          image: registry.example.com/{name}:1.4.{s % 10}
          imagePullPolicy: IfNotPresent
          args: ["--listen=:{8000 + s}", "--metrics=:9102", "--log-format=json"]
          ports:
            - name: http
              containerPort: {8000 + s}
            - name: metrics
              containerPort: 9102
          env:
            - name: LOG_LEVEL
              value: info
            - name: SERVICE_NAME
              value: {name}
            - name: CLUSTER
              value: {d}
            - name: POD_IP
              valueFrom:
                fieldRef:
                  fieldPath: status.podIP
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {name}-db
                  key: password
          readinessProbe:
            httpGet:
              path: /ready
              port: http
            initialDelaySeconds: 5
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /health
              port: http
            initialDelaySeconds: 15
            periodSeconds: 20
            failureThreshold: 3
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            - name: config
              mountPath: /etc/{name}
              readOnly: true
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: config
          configMap:
            name: {name}-config
        - name: tmp
          emptyDir: {{}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
data:
  config.yaml: |
    server:
      port: {8000 + s}
      readTimeout: 5s
      writeTimeout: 10s
    upstreams:
{config_upstreams}    features:
      tracing: true
      rateLimit: 200
''',
        )
    for e in range(c.extras):
        name = service_name(e % max(1, c.services))
        _write(
            root,
            f"{d}/crds/resolvers/{name}-{e}.yaml",
            f"""apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceResolver
metadata:
  name: {name}-{e}
spec:
  connectTimeout: {5 + e % 10}s
  requestTimeout: 30s
""",
        )


def _config(clusters: list[Cluster], peerings: list[tuple[str, str]]) -> str:
    out = ['consul-version = "1.17.2"', ""]
    for c in clusters:
        out += [f"[clusters.{c.name}]", f'datacenter = "{c.name}"', f'paths = ["{c.name}/**"]']
        if c.style == "k8s":
            out.append(f'helm-values = ["{c.name}/helm/values.yaml"]')
        out.append("")
    for a, b in peerings:
        out += ["[[peerings]]", f'a = "{a}"', f'b = "{b}"', ""]
    return "\n".join(out)


def generate(out: str, files: int) -> dict[str, int]:
    """Write a fleet of ``files`` files (plus peerlint.toml) into ``out``, replacing it."""
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    clusters, peerings = plan(files)
    for c in clusters:
        (_hcl_cluster if c.style == "hcl" else _k8s_cluster)(out, c)
    _write(out, "peerlint.toml", _config(clusters, peerings))
    counts = {"hcl": 0, "json": 0, "yaml": 0}
    for _folder, _dirs, names in os.walk(out):
        for name in names:
            ext = name.rsplit(".", 1)[-1]
            if ext in ("hcl", "json"):
                counts[ext] += 1
            elif ext in ("yaml", "yml"):
                counts["yaml"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    counts = generate(args.out, args.files)
    print(f"{args.out}: {sum(counts.values())} files ({counts})")


if __name__ == "__main__":
    main()
