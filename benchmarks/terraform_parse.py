"""Terraform (.tf) parse cost: tree-sitter-hcl against python-hcl2, and peerlint's
.tf reader against its HCL1 reader on a file of the same size.

    python benchmarks/terraform_parse.py [--sizes 700,5000,50000] [--repeat 30]

For each size it writes a .tf file of consul provider resources (config entries through
``jsonencode``, intentions, a peering token, an ACL policy heredoc) and an HCL1 file of
Consul configuration of the same byte size, then times, per file, the best of
``--repeat`` runs (start-up and imports excluded):

- ``tree-sitter``: the grammar's parse alone (``tree_sitter.Parser.parse``);
- ``peerlint .tf``: :func:`linter.parse.parse_text` on the .tf file (tree-sitter and the
  walk to position-keeping nodes), what a run pays;
- ``python-hcl2 dict``: ``hcl2.loads`` (lark; positions dropped, expressions as strings);
- ``python-hcl2 tree``: ``hcl2.parses_to_tree`` (the lark tree, which has token positions);
- ``peerlint HCL1``: :func:`linter.parse.parse_text` on the HCL1 file of the same size.

It also checks positions: every key and literal value of the generated .tf file is
looked up in peerlint's tree at the line and column the generator wrote it at.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TF_UNIT = """\
resource "consul_config_entry" "defaults_{i}" {{
  kind = "service-defaults"
  name = "svc-{i}"
  config_json = jsonencode({{
    Protocol    = "http"
    MeshGateway = {{ Mode = "local" }}
    UpstreamConfig = {{
      Defaults = {{ ConnectTimeoutMs = 5000 }}
    }}
  }})
}}

resource "consul_config_entry_service_intentions" "svc_{i}" {{
  name = "svc-{i}"
  sources {{
    name   = "web"
    peer   = "dc2"
    action = "allow"
  }}
}}

resource "consul_acl_policy" "svc_{i}" {{
  name  = "svc-{i}"
  rules = <<-EOT
    service "svc-{i}" {{
      policy = "write"
    }}
  EOT
}}

"""

HCL1_UNIT = """\
service {{
  name = "svc-{i}"
  port = 8080
  tags = ["v1", "primary"]
  meta = {{
    team = "payments"
  }}
  connect {{
    sidecar_service {{
      proxy {{
        upstreams = [
          {{
            destination_name = "inventory"
            destination_peer = "west"
            local_bind_port  = 9102
            mesh_gateway {{
              mode = "local"
            }}
          }}
        ]
      }}
    }}
  }}
}}

"""


def _fill(unit: str, size: int) -> str:
    out, i = [], 0
    while sum(len(p) for p in out) < size:
        out.append(unit.format(i=i))
        i += 1
    return "".join(out)


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _positions_kept(text: str) -> tuple[int, int]:
    """(found, total): generated keys and values found at their written place."""
    from linter.nodes import Mapping, Scalar, walk
    from linter.parse import parse_text

    root = parse_text("bench.tf", text).documents[0]
    spans = {}
    for node in walk(root):
        if isinstance(node, Scalar) and not str(node.value).startswith("$"):
            spans[(node.span.line, node.span.col)] = node
    lines = text.split("\n")
    found = total = 0
    in_heredoc = False
    for number, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if "<<-EOT" in line or stripped == "EOT":
            in_heredoc = "<<-EOT" in line
            continue
        if in_heredoc:  # the policy's own HCL: a string to Terraform
            continue
        if "=" not in stripped or stripped.startswith(("#", "rules", "config_json")):
            continue
        key = stripped.split("=", 1)[0].strip().strip("{ ")
        if not key.isidentifier():
            continue
        total += 1
        col = line.index(key) + 1
        node = spans.get((number, col))
        found += node is not None and node.value == key and isinstance(node.parent, Mapping)
    return found, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="700,5000,50000")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    import hcl2
    import tree_sitter
    import tree_sitter_hcl

    from linter.parse import parse_text

    ts_parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    parse_text("warm.tf", 'a = "b"\n')
    parse_text("warm.hcl", 'a = "b"\n')
    print(
        f"{'bytes':>7} {'tree-sitter':>12} {'peerlint .tf':>13} {'hcl2 dict':>10} {'hcl2 tree':>10} {'HCL1':>8} {'.tf/HCL1':>9}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        tf = _fill(TF_UNIT, size)
        hcl = _fill(HCL1_UNIT, len(tf))[: len(tf)]
        hcl = hcl[: hcl.rfind("\n}\n") + 3]  # whole blocks only
        assert parse_text("b.tf", tf).error is None and parse_text("b.hcl", hcl).error is None
        data = tf.encode()
        t_ts = _best(lambda data=data: ts_parser.parse(data), args.repeat)
        t_tf = _best(lambda tf=tf: parse_text("b.tf", tf), args.repeat)
        t_dict = _best(lambda tf=tf: hcl2.loads(tf), max(3, args.repeat // 5))
        t_tree = _best(lambda tf=tf: hcl2.parses_to_tree(tf), max(3, args.repeat // 5))
        t_hcl = _best(lambda hcl=hcl: parse_text("b.hcl", hcl), args.repeat)
        # per byte, so the two files' small size difference does not count
        ratio = (t_tf / len(tf)) / (t_hcl / len(hcl))
        print(
            f"{len(tf):>7} {t_ts * 1e3:>10.3f}ms {t_tf * 1e3:>11.3f}ms {t_dict * 1e3:>8.2f}ms "
            f"{t_tree * 1e3:>8.2f}ms {t_hcl * 1e3:>6.3f}ms {ratio:>8.2f}x"
        )
    found, total = _positions_kept(_fill(TF_UNIT, 5000))
    print(f"positions: {found}/{total} generated keys found at their written line and column in peerlint's .tf tree")


if __name__ == "__main__":
    main()
