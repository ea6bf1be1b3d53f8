"""peerlint as a CI gate on untrusted pull requests (issue #21): bounded in time,
secret-safe, confined to the repository. Each case was reproduced before its fix."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest

from helpers import REPO, lint

_RUN = [sys.executable, "-m", "linter"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": REPO}


def _write(folder, name: str, data) -> str:
    path = os.path.join(str(folder), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as handle:
        handle.write(data)
    return path


def _wrapped(data: str, width: int = 76, indent: str = "    ") -> str:
    return "\n".join(indent + data[i:i + width] for i in range(0, len(data), width))


def _scan_seconds(text: str) -> float:
    """Wall time of the peering-token scan on ``text`` in a child process, killed after
    a generous limit (the scan took minutes on these inputs before it was linear)."""
    script = (
        "import sys, time\nfrom linter.acl.secrets import find_peering_tokens\n"
        "text = sys.stdin.read()\nstart = time.perf_counter()\nlist(find_peering_tokens(text))\n"
        "print(time.perf_counter() - start)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], input=text, capture_output=True, text=True, env=_env(), timeout=60, check=True)
    return float(out.stdout)


def _adversarial_base64() -> dict[str, str]:
    payload = base64.b64encode(json.dumps({"items": ["x" * 50] * 4000}).encode()).decode()
    double = base64.b64encode(payload.encode()).decode()
    return {
        "wrapped-json": _wrapped(payload),
        "k8s-secret-double": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  blob: |\n" + _wrapped(double),
        "every-line-json-start": "\n".join("eyJ" + "A" * 73 for _ in range(4500)),
    }


@pytest.mark.parametrize("name", list(_adversarial_base64()))
def test_peering_token_scan_is_linear_on_wrapped_base64(name) -> None:
    text = _adversarial_base64()[name]
    assert 150_000 < len(text) < 450_000
    assert _scan_seconds(text) < 10  # was 4-110 s and more; linear now (~10 ms)


def test_wrapped_token_before_a_heredoc_end_is_still_found() -> None:
    from linter.acl.secrets import find_peering_tokens
    from rules.pl801_committed_peering_token import CommittedPeeringToken

    text = 'token = <<EOF\n' + _wrapped(CommittedPeeringToken._token, indent="") + "\nEOF\n"
    assert len(list(find_peering_tokens(text))) == 1


@pytest.mark.parametrize("shape", ["flat", "list"])
def test_huge_hcl_is_a_clear_problem_fast(tmp_path, shape) -> None:
    if shape == "flat":
        text = "".join(f"key_number_{i} = \"value {i}\"\n" for i in range(300_000))
    else:
        text = "a = [" + ",".join(str(i) for i in range(300_000)) + "]\n"
    _write(tmp_path, "big.hcl", text)
    out = subprocess.run(_RUN + ["check", "--no-cache", str(tmp_path)], capture_output=True, text=True, env=_env(), timeout=60)
    assert "PL001" in out.stdout and "more than" in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]
    assert "Traceback" not in out.stderr
