"""PL001: files peerlint was asked to read but could not."""

from __future__ import annotations

from typing import Iterator

from linter.api import Finding, Rule, file_location


class ParseErrorRule(Rule):
    code = "PL001"
    slug = "parse-error"
    summary = "File is not valid HCL, JSON or YAML, or cannot be read"
    severity = "error"
    reads = ("files",)
    scope = "file"  # tests/test_rule_scopes.py
    suppressible = False
    doc = """
## What it does
Reports a file that does not parse as HCL, JSON or YAML (at the offending line and
column), and files that cannot be read: binary, not UTF-8, over `max-file-size`,
unreadable, or removed during the run.

Files that are not Consul's are skipped, never reported (`--verbose` lists them): Helm
chart `templates/`, lock files, docker compose, JSON with comments (`tsconfig.json`,
`.vscode/`), HCL2 of Terraform, Packer, Nomad and Terragrunt (by name, or a parse error
that HCL2 syntax explains), a YAML parse error that a Go template explains, files
`.gitignore` ignores, kustomize patches, and peerlint's own reports and baselines.

## Why is this bad?
Consul refuses the file outright (`consul config write`, an agent restart, or
`kubectl apply` fail), and peerlint can check nothing else in it.

**Assumes** nothing about the cluster: every file peerlint reads as Consul's (by suffix,
or named on the command line) must parse. A path named on the command line that does not
exist is a usage error (exit 2), not this finding.

## References
- [Consul `command/helpers/helpers.go`: `ParseConfigEntry` (HCL v1 or JSON)](https://github.com/hashicorp/consul/blob/main/command/helpers/helpers.go)
"""
    example = {
        "bad": {
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [
  { Name = "web", Consumers = [{ Peer = "dc2" }]\x20
""",
        },
        "good": {
            "exports.hcl": """\
Kind = "exported-services"
Name = "default"
Services = [
  { Name = "web", Consumers = [{ Peer = "dc2" }] }
]
""",
        },
    }

    def check(self, project) -> Iterator[Finding]:
        for problem in project.problems:
            yield self.report(file_location(problem.path, problem.span), problem.message)
