"""``linter.globs.one_matcher`` (many paths against one long glob list: literal globs
compared as strings, the others in one regex) must decide exactly as the plain path,
pathspec's gitignore matching (``matches``)."""

from __future__ import annotations

import itertools

import pytest

from linter.globs import matches, one_matcher

GLOBS = [
    ("west/values.yaml", "west/values-prod.yaml", "**/helm/*.yaml", "dc*/values.yaml", "/k8s/values.yaml", "east"),
    ("*.yaml",),
    ("clusters/**/values*.yml", "a/b/c.yaml", "/top.yaml"),
    ("west/values.yaml", "/k8s/values.yaml", "east", "a/b/", "top.yaml", "values-prod.yaml"),  # literals only
]
PATHS = [
    "west/values.yaml",
    "a/west/values.yaml",
    "x/helm/v.yaml",
    "helm/v.yaml",
    "dc1/values.yaml",
    "k8s/values.yaml",
    "a/k8s/values.yaml",
    "east/x.yaml",
    "east",
    "q/east/v.yaml",
    "west/values-prod.yaml",
    "westvalues.yaml",
    "top.yaml",
    "sub/top.yaml",
    "clusters/x/y/values-1.yml",
    "clusters/values.yml",
    "a/b/c.yaml",
    "z/a/b/c.yaml",
]


@pytest.mark.parametrize("globs,path", list(itertools.product(GLOBS, PATHS)))
def test_one_pattern_decides_as_pathspec(globs, path) -> None:
    assert one_matcher(globs)(path) is matches(path, globs)


def test_a_negation_keeps_the_plain_path() -> None:
    assert one_matcher(("*.yaml", "!skip.yaml")) is None


def test_literal_globs_by_set_lookups_decide_as_one_by_one() -> None:
    """The literal-only matcher (set lookups) against the one-glob-at-a-time literal
    comparison it replaced, on random literal globs and paths (pathspec: above)."""
    import random

    from linter.globs import _literal

    rng = random.Random(11)
    parts = ["a", "b", "values.yaml", "dc1", "east", "k8s", "x.yaml"]
    for _ in range(400):
        globs = tuple(
            rng.choice(["", "/"])
            + "/".join(rng.choice(parts) for _ in range(rng.randint(1, 3)))
            + rng.choice(["", "/"])
            for _ in range(rng.randint(1, 5))
        )
        matcher = one_matcher(globs)
        for _ in range(10):
            path = "/".join(rng.choice(parts) for _ in range(rng.randint(1, 4)))
            want = any(_literal(path, g) for g in globs if g.strip("/"))
            assert matcher(path) is want, (globs, path)
