"""The parse floor: the fastest position-keeping parsers, in one process, over the
same files peerlint reads. peerlint cannot parse faster than this in one process
(it must also keep every position and build its own nodes), so a cold peerlint run
at or below it means the work after parsing has been paid for by parallelism.

    python benchmarks/floor.py DIR     # prints JSON: seconds, files, bytes

The parsers: one reused pyhcl ``HclParser`` for HCL (``hcl.loads`` would rebuild its
PLY tables for every file), ruamel.yaml's C composer (node tree with start/end marks)
for YAML, ``json.loads`` for JSON. Reading the files is included, as it is in
peerlint; interpreter start-up and imports are not.
"""

from __future__ import annotations

import json
import os
import sys
import time

SUFFIXES = (".hcl", ".json", ".yaml", ".yml")
SKIP = {".git", ".peerlint_cache"}


def files_under(root: str) -> list[str]:
    out = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP)
        out.extend(os.path.join(folder, n) for n in sorted(names) if n.lower().endswith(SUFFIXES))
    return out


def floor(files: list[str]) -> dict:
    from hcl.parser import HclParser
    from ruamel.yaml.cyaml import CSafeLoader

    parser = HclParser()
    total = 0
    start = time.perf_counter()
    for path in files:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
        total += len(text)
        lower = path.lower()
        if lower.endswith(".hcl"):
            parser.parse(text)
        elif lower.endswith(".json"):
            json.loads(text)
        else:
            loader = CSafeLoader(text)
            try:
                while loader.check_node():
                    loader.get_node()
            finally:
                loader.dispose()
    return {"seconds": time.perf_counter() - start, "files": len(files), "bytes": total}


if __name__ == "__main__":
    print(json.dumps(floor(files_under(sys.argv[1]))))
