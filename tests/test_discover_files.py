"""Only Consul's files (issue #14, item 3): .gitignore, gitignore-style globs, files
that are plainly not Consul's skipped (and listed under --verbose), never reported."""

from __future__ import annotations

import os
import subprocess
import sys

from linter.discover import iter_files
from linter.globs import matches

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _write(base, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _cli(*args: str, cwd) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run(
        [sys.executable, "-m", "linter", "check", "--no-cache", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_gitignore_semantics_of_globs() -> None:
    assert matches("testdata/a.hcl", ["**/testdata/**"])  # the README's own exclude
    assert matches("x/testdata/a.hcl", ["**/testdata/**"])
    assert matches("a/b/c.tf.hcl", ["*.tf.hcl"])  # no slash: any depth
    assert matches("clusters/east/a.hcl", ["clusters"])  # a folder holds its files
    assert not matches("dc1/sub/a.hcl", ["dc1/*.hcl"])  # "*" does not cross "/"
    assert not matches("keep.hcl", ["*.hcl", "!keep.hcl"])


BAD_AGENT = 'datacenter = "dc1"\nbogus_key = 1\n'


def test_skips_and_gitignore(tmp_path) -> None:
    _write(
        tmp_path,
        {
            ".gitignore": "generated/\n",
            "generated/agent.hcl": BAD_AGENT,
            "testdata/agent.hcl": BAD_AGENT,
            ".vscode/settings.json": '{\n  // comment\n  "editor.tabSize": 2,\n}\n',
            "web/tsconfig.json": '{ /* c */ "compilerOptions": {} }\n',
            "chart/Chart.yaml": "name: app\nversion: 0.1.0\n",
            "chart/templates/deploy.yaml": "kind: {{ .Values.kind }}\nmetadata:\n  name: {{ .Release.Name }\n",
            "chart/values.yaml": "global:\n  name: app\nserver:\n  replicas: 2\nui:\n  enabled: true\n",
            "vault/values.yaml": "global:\n  enabled: true\n  tlsDisable: false\nserver:\n  ha:\n    enabled: true\nui:\n  enabled: true\n",
            "packer/image.pkr.hcl": 'source "amazon-ebs" "x" {\n  ami_name = "a-${local.ts}"\n}\n',
            "infra/terragrunt.hcl": "inputs = {\n  x = dependency.vpc.outputs.id\n}\n",
            "infra/main.hcl": 'locals {\n  name = lower(var.env)\n}\nx = local.name == "a" ? 1 : 2\n',
            "nomad/web.hcl": 'service {\n  name = "web"\n  tags = [for t in var.tags : upper(t)]\n}\n',
            "nomad/agent.hcl": 'datacenter = "dc1"\ndata_dir = "/opt/nomad"\nclient {\n  enabled = true\n}\nconsul {\n  address = "127.0.0.1:8500"\n}\n',
            "docker-compose.yml": "services:\n  consul:\n    image: hashicorp/consul\n",
            "deploy/defaults.yaml": "apiVersion: consul.hashicorp.com/v1alpha1\nkind: ServiceDefaults\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  protocl: http\n",
            "package-lock.json": '{"lockfileVersion": 3}\n',
            "consul.d/agent.hcl": BAD_AGENT,
            "peerlint.toml": 'exclude = ["**/testdata/**"]\n',
        },
    )
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    done = _cli("--verbose", "--format", "gcc", ".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    # the one true defect; nothing on the other tools' files
    assert done.stdout.strip().splitlines() == [
        line for line in done.stdout.strip().splitlines() if line.startswith("consul.d/agent.hcl:")
    ]
    assert "bogus_key" in done.stdout
    for shown in (
        "generated: ignored by .gitignore",
        ".vscode/settings.json: JSON with comments",
        "web/tsconfig.json: JSON with comments",
        "chart/templates: Helm chart templates",
        "packer/image.pkr.hcl: HCL2",
        "infra/terragrunt.hcl: HCL2",
        "nomad/web.hcl: HCL2",
        "docker-compose.yml: a docker compose file",
        "deploy/defaults.yaml: a Helm chart template",
        "package-lock.json: a lock file",
    ):
        assert f"peerlint: skipped {shown}" in done.stderr, (shown, done.stderr)
    everything = _cli("--no-respect-gitignore", "--format", "gcc", ".", cwd=tmp_path)
    assert "generated/agent.hcl:" in everything.stdout
    assert "testdata/" not in everything.stdout


def test_own_outputs_never_read(tmp_path) -> None:
    _write(tmp_path, {"agent.hcl": BAD_AGENT})
    first = _cli("--format", "json", "--output", "report.json", "--write-baseline", "base.json", ".", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    files = list(iter_files([str(tmp_path)], str(tmp_path), [], [], never=[str(tmp_path / "report.json")]))
    assert [os.path.basename(f) for f in files] == ["agent.hcl", "base.json"]
    again = _cli("--format", "json", "--output", "report.json", "--baseline", "base.json", ".", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    # reports an earlier run (or CI) left in the project: recognised by content
    for fmt in ("sarif", "gitlab", "json"):
        _cli("--format", fmt, "--output", f"old-{fmt}.json", ".", cwd=tmp_path)
    later = _cli("--verbose", "--format", "gcc", ".", cwd=tmp_path)
    assert [line.split(":", 1)[0] for line in later.stdout.splitlines()] == ["agent.hcl"], later.stdout
    for name in ("old-sarif.json", "old-gitlab.json", "old-json.json", "base.json", "report.json"):
        assert f"peerlint: skipped {name}: peerlint's own report or baseline" in later.stderr, later.stderr


def test_umbrella_chart_values_are_consul_values(tmp_path) -> None:
    _write(
        tmp_path,
        {
            "platform/Chart.yaml": "name: platform\ndependencies:\n  - name: consul\n    repository: https://helm.releases.hashicorp.com\n    version: 1.3.0\n",
            "platform/values.yaml": "consul:\n  global:\n    datacenter: dc1\n  connectInject:\n    enabledd: true\n",
        },
    )
    done = _cli("--format", "gcc", ".", cwd=tmp_path)
    assert "platform/values.yaml:5:" in done.stdout, done.stdout + done.stderr


def test_values_file_named_in_config_is_consul_values(tmp_path) -> None:
    _write(
        tmp_path,
        {
            "deploy/prod.yaml": "server:\n  replicas: 3\n  replica: 2\n",
            "deploy/other.yaml": "server:\n  replica: 2\n",
            "peerlint.toml": 'helm-values-order = ["deploy/prod.yaml"]\n',
        },
    )
    done = _cli("--format", "gcc", ".", cwd=tmp_path)
    assert 'deploy/prod.yaml:3:3: warning: unknown value "server.replica"' in done.stdout, done.stdout + done.stderr
    assert "other.yaml" not in done.stdout  # neither strong keys nor named: not the consul chart's


def test_verbose_lists_model_skips_with_a_cache(tmp_path) -> None:
    _write(tmp_path, {"infra/main.hcl": "service {\n  tags = [for t in var.tags : upper(t)]\n}\n"})
    for _ in range(2):
        env = dict(os.environ, PYTHONPATH=ROOT)
        done = subprocess.run(
            [sys.executable, "-m", "linter", "check", "--verbose", "--cache-dir", str(tmp_path / "c"), "infra"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
        )
        assert "peerlint: skipped infra/main.hcl: HCL2" in done.stderr, done.stderr
