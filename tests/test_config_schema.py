"""The JSON Schema for peerlint.toml (linter/config-schema.json, shipped in the package,
issue #19): it knows exactly the keys peerlint reads, and every configuration example
in the README, the docs, the bundled example and the test fixtures validates against it,
while a misspelt key or a bad value does not."""

from __future__ import annotations

import glob
import json
import os
import re
import sys

import jsonschema
import pytest
from helpers import REPO

from linter import config as config_module

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SCHEMA_PATH = os.path.join(REPO, "linter", "config-schema.json")


def _schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema())


def _markdown_examples() -> list[tuple[str, dict]]:
    """Every ```toml block of the README and docs/ that configures peerlint (a plugin's
    pyproject.toml, say, does not)."""
    found = []
    for path in [os.path.join(REPO, "README.md"), *glob.glob(os.path.join(REPO, "docs", "**", "*.md"), recursive=True)]:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for number, block in enumerate(re.findall(r"```toml\n(.*?)```", text, re.S)):
            data = tomllib.loads(block)
            if "tool" in data and "peerlint" in data["tool"]:
                data = data["tool"]["peerlint"]
            elif "project" in data or "tool" in data:
                continue
            found.append((f"{os.path.relpath(path, REPO)}#{number}", data))
    return found


def _file_examples() -> list[tuple[str, dict]]:
    paths = glob.glob(os.path.join(REPO, "examples", "**", "peerlint.toml"), recursive=True)
    paths += glob.glob(os.path.join(REPO, "tests", "**", "peerlint.toml"), recursive=True)
    found = []
    for path in sorted(paths):
        with open(path, "rb") as handle:
            try:
                data = tomllib.load(handle)
            except tomllib.TOMLDecodeError:
                continue  # fixtures of broken TOML
        found.append((os.path.relpath(path, REPO), data))
    return found


def test_the_schema_is_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(_schema())


def test_the_schema_knows_exactly_the_keys_peerlint_reads() -> None:
    schema = _schema()
    assert set(schema["properties"]) == set(config_module.TOP_KEYS)
    cluster = schema["properties"]["clusters"]["additionalProperties"]["properties"]
    assert set(cluster) == set(config_module.CLUSTER_KEYS)
    peering = schema["properties"]["peerings"]["items"]["properties"]
    assert set(peering) == set(config_module.PEERING_KEYS)


def test_readme_and_docs_examples_validate() -> None:
    examples = _markdown_examples()
    assert any(name.startswith("README.md") for name, _ in examples)
    for name, data in examples:
        errors = [e.message for e in _validator().iter_errors(data)]
        assert not errors, (name, errors)


def test_bundled_and_fixture_configs_that_peerlint_accepts_validate(tmp_path) -> None:
    checked = 0
    for name, data in _file_examples():
        try:
            config_module.load_config(os.path.join(REPO, name))
        except config_module.ConfigError:
            continue  # a fixture of a bad configuration: peerlint refuses it too
        errors = [e.message for e in _validator().iter_errors(data)]
        assert not errors, (name, errors)
        checked += 1
    assert checked >= 1


@pytest.mark.parametrize(
    "data",
    [
        {"editon": "ce"},
        {"edition": "enterprize"},
        {"severity": {"PL301": "fatal"}},
        {"clusters": {"east": {"datacentre": "dc1"}}},
        {"clusters": {"east": {"datacenter": "DC 1"}}},
        {"peerings": [{"a": "east"}]},
        {"max-file-size": 0},
    ],
)
def test_mistakes_do_not_validate(data: dict) -> None:
    assert list(_validator().iter_errors(data))


def test_the_schema_is_installed_with_the_package() -> None:
    with open(os.path.join(REPO, "pyproject.toml"), encoding="utf-8") as handle:
        assert "config-schema.json" in handle.read()
