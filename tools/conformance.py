"""Agreement with Consul per conformance family (tests/conformance/): how many
transcribed cases peerlint judges as Consul does, and which ones it does not.

    python tools/conformance.py [--family NAME] [--show-disagreements]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.conformance_cases import all_cases, verdict, write_case
from tests.helpers import lint


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family")
    parser.add_argument("--show-disagreements", action="store_true")
    args = parser.parse_args()
    total, agreed = Counter(), Counter()
    refs: dict[str, set[str]] = {}
    misses = []
    for case in all_cases():
        if args.family and case.family != args.family:
            continue
        with tempfile.TemporaryDirectory() as folder:
            write_case(case, folder)
            ok, why = verdict(case, lint(folder).findings)
        total[case.family] += 1
        agreed[case.family] += ok
        refs.setdefault(case.family, set()).add(f"{case.source['repo']}@{case.source['ref'][:12]}")
        if not ok:
            misses.append(f"{case.id}: {why}")
    print(f"{'family':24} {'cases':>6} {'agree':>6} {'%':>7}  sources")
    for family in sorted(total):
        share = 100.0 * agreed[family] / total[family]
        print(f"{family:24} {total[family]:6} {agreed[family]:6} {share:6.1f}%  {', '.join(sorted(refs[family]))}")
    all_total, all_agreed = sum(total.values()), sum(agreed.values())
    if all_total:
        print(f"{'all':24} {all_total:6} {all_agreed:6} {100.0 * all_agreed / all_total:6.1f}%")
    if args.show_disagreements:
        print("\n".join(misses))
    return 0 if all_agreed == all_total else 1


if __name__ == "__main__":
    raise SystemExit(main())
