"""Versions from image references and configuration, and the feature minimums of
shared/reference/consul-k8s-semantics.md §4.

Why not a general semver library: images are tagged loosely (``1.17``, ``v1.16.2-ent``,
``2.1.0-dev``, ``1.15.3-ubi``, ``latest``, digests) and the linter must stay silent
when a tag does not say a version. Versions are compared as (major, minor, patch)
tuples; a pre-release or edition suffix counts as its release, because features ship
in the betas of the release that documents them and an ``-ent`` build has the same
minimums.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

Version = tuple[int, int, int]

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+._][0-9A-Za-z.+_-]*)?$")

#: feature -> (minimum Consul, minimum consul-k8s); None where the facts give none.
MINIMUMS: dict[str, tuple[Version | None, Version | None]] = {
    "peering": ((1, 13, 0), (0, 45, 0)),
    "peering-ga": ((1, 14, 0), (1, 0, 0)),
    "peer-through-mesh-gateways": ((1, 14, 0), (1, 0, 0)),
    "resolver-failover-targets": ((1, 14, 0), (1, 0, 0)),
    "servicedefaults-upstream-peer": (None, (1, 1, 0)),
    "sameness-groups": ((1, 16, 0), (1, 2, 0)),
    "upstream-options": (None, (2, 0, 0)),
}


def parse_version(text: object) -> Version | None:
    """``1.17.2``, ``v1.16``, ``1.15.3-ent``, ``2.1.0-dev`` -> a tuple; anything else
    (``latest``, a digest, a number YAML read as a float) -> None."""
    if not isinstance(text, str):
        return None
    match = _VERSION.match(text.strip())
    if not match:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def image_tag(image: object) -> str | None:
    """The tag of an image reference (``registry:5000/org/name:tag@sha256:…``), or
    None when it has none. A registry port is not a tag: the tag follows the last
    ``/``."""
    if not isinstance(image, str) or not image.strip():
        return None
    ref = image.strip().split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    if ":" not in last:
        return None
    return last.rsplit(":", 1)[1] or None


def image_name(image: str) -> str:
    """The repository name without registry, tag or digest: ``consul-enterprise``."""
    ref = image.strip().split("@", 1)[0]
    return ref.rsplit("/", 1)[-1].split(":", 1)[0]


def consul_version_of(image: object) -> Version | None:
    """The Consul version of a ``global.image`` reference (``hashicorp/consul:1.17.2``,
    ``hashicorp/consul-enterprise:1.16.0-ent``), or None when the tag says none."""
    if not isinstance(image, str):
        return None
    name = image_name(image)
    if "k8s" in name or "dataplane" in name:
        return None
    return parse_version(image_tag(image))


def consul_k8s_version_of(image: object) -> Version | None:
    """The consul-k8s version of a ``global.imageK8S`` reference
    (``hashicorp/consul-k8s-control-plane:1.4.0``), or None."""
    if not isinstance(image, str) or "k8s" not in image_name(image):
        return None
    return parse_version(image_tag(image))


def installed(install: Any, config: Any) -> tuple[Version | None, Version | None, list[tuple]]:
    """(Consul version, consul-k8s version, related ``(place, note)`` pairs) of one cluster: from the
    ``global.image`` / ``global.imageK8S`` tags of its merged Helm values
    (:class:`linter.k8s.helm.HelmValues`, or None), else from ``consul-version`` /
    ``consul-k8s-version`` in the configuration."""
    consul = k8s = None
    where: list[tuple] = []
    if install is not None:
        for path, parse, product in (
            ("global.image", consul_version_of, "Consul"),
            ("global.imageK8S", consul_k8s_version_of, "consul-k8s"),
        ):
            setting = install.setting(path)
            found = parse(setting.value) if setting is not None else None
            if found is not None:
                where.append((setting.doc.at(setting.node), f"{product} version from {path}"))
                consul, k8s = (found, k8s) if product == "Consul" else (consul, found)
    consul = consul or parse_version(config.consul_version)
    k8s = k8s or parse_version(config.consul_k8s_version)
    return consul, k8s, where


def compare(a: Version, b: Version) -> int:
    """-1, 0 or 1 as ``a`` is older than, equal to or newer than ``b``."""
    return (a > b) - (a < b)


def at_least(version: Version | None, minimum: Version | None) -> bool | None:
    """True/False when both are known; None (say nothing) otherwise."""
    if version is None or minimum is None:
        return None
    return compare(version, minimum) >= 0


def show(version: Version) -> str:
    return ".".join(str(v) for v in version)


class NewerSetting(NamedTuple):
    """How a setting newer than a schema's release is judged (:func:`newer_setting`)."""

    message: str
    fix: str
    severity: str | None  # None: the rule's own (an error)
    refused: bool  # the pinned release does not read it: dropped from the data


def newer_setting(written: str, schema: Any, have: Any) -> NewerSetting | None:
    """A key newer Consul releases read than the one a schema follows (its ``x-since``:
    the release that added it, or "" when not known here), judged against the cluster's
    Consul version as the Helm chart keys are against the chart's: refused when the
    pinned release is older than the one that added it; a warning naming the release
    when no version is pinned or the release is not known; None (nothing to say) for a
    key without ``x-since`` or one the pinned release reads."""
    if not isinstance(schema, dict) or "x-since" not in schema:
        return None
    need = parse_version(schema["x-since"])
    pinned = tuple(have) if have else None
    if need is not None and pinned is not None:
        if pinned >= need:
            return None
        return NewerSetting(
            f"invalid config key {written}: Consul {show(need)} added it; this cluster runs Consul {show(pinned)}",
            f"remove {written}, or upgrade Consul to {show(need)} or newer",
            None,
            True,
        )
    added = (
        f"Consul {show(need)} added it"
        if need
        else "Consul releases newer than peerlint's agent schema read it (which release added it is not known here)"
    )
    runs = f"this cluster runs Consul {show(pinned)}" if pinned else "no consul-version is pinned"
    fix = (
        f"check that Consul {show(pinned)} reads {written}"
        if pinned
        else "pin the Consul version the agents run (consul-version in peerlint.toml, or global.image) to judge it"
    )
    return NewerSetting(
        f'{written}: {added}; {runs}; older agents refuse it with "invalid config key {written}"', fix, "warning", False
    )
