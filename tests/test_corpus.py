"""The public corpus (../shared/corpus): nothing in it may crash peerlint, and every
file that is valid HCL/JSON/YAML must get no PL001."""

from __future__ import annotations

import csv
import os
from functools import lru_cache

import pytest
from helpers import SHARED, lint, needs_shared

CORPUS = os.path.join(SHARED, "corpus")

#: Files the MANIFEST counts as parsing (under ruamel's pure loader) whose PL001 or
#: lack of it is right, with why.
PL001_EXCEPTIONS = {
    # A tab before a comment: YAML allows tabs as separation space there; libyaml (and
    # so kubectl) accept it, ruamel's pure scanner does not.
    "corpus/consul-docs/docs--reference--config-entry--service-defaults/1.yaml": False,
    # Duplicate mapping keys: a YAML parser accepts them (the last value wins, as in
    # Kubernetes' decoder); ruamel's constructor refuses. Not a syntax error.
    "corpus/consul-docs/docs--reference--config-entry--jwt-provider/2.yaml": False,
}


def _manifest() -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for folder in ("consul-docs", "consul-k8s"):
        path = os.path.join(CORPUS, folder, "MANIFEST.tsv")
        with open(path, encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                rows[row["local_path"]] = row
    return rows


@lru_cache(maxsize=1)
def corpus_result():
    if not os.path.isdir(CORPUS):
        pytest.skip("../shared/corpus is not present")
    return lint(SHARED, paths=["corpus"])


def test_corpus_runs_without_internal_errors() -> None:
    result = corpus_result()
    assert not result.internal_error, [f.message for f in result.findings if f.code == "PL000"]
    assert len(result.project.files) > 1000


@needs_shared
def test_valid_corpus_files_get_no_parse_error() -> None:
    manifest = _manifest()
    flagged = {f.path for f in corpus_result().findings if f.code == "PL001"}
    wrong = []
    for path, row in manifest.items():
        should_fail = row.get("parses") == "no" if "parses" in row else False
        should_fail = PL001_EXCEPTIONS.get(path, should_fail)
        if (path in flagged) != should_fail:
            wrong.append((path, "PL001" if path in flagged else "no PL001"))
    assert not wrong, wrong
