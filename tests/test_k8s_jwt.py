"""JWTProvider's Go helpers, reproduced: ``url.ParseRequestURI`` and
``time.Duration.String`` (the values consul-k8s prints inside its messages)."""

from __future__ import annotations

import pytest

from linter.constraints.k8s_jwt import go_duration, request_uri


@pytest.mark.parametrize(
    "uri",
    ["https://jwks.example.com", "http://[::1]:8080/keys", "/keys", "mailto:a@b", "https://bücher.example/k", "*"],
)
def test_request_uris_go_accepts(uri: str) -> None:
    assert request_uri(uri)


@pytest.mark.parametrize(
    "uri",
    ["invalid-uri", "jwks.example.com/keys", ":8080/keys", "https://a b/", "https://host:80x/", "/bad%zz", "1http://x"],
)
def test_request_uris_go_refuses(uri: str) -> None:
    assert not request_uri(uri)


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "0s"),
        (890, "890ns"),
        (1_500, "1.5µs"),
        (2_000_000, "2ms"),
        (10e9, "10s"),
        (100e9, "1m40s"),
        (3600e9, "1h0m0s"),
    ],
)
def test_durations_print_as_go_does(ns: float, text: str) -> None:
    assert go_duration(ns) == text
