"""Time the people-table merge and pseudonymisation end to end on a generated log.

Run from the repository root::

    python bench/bench_identity.py              # 1,000,000 rows, 10,000 people x 3 platforms
    python bench/bench_identity.py --rows 200000

Prints, for a plain run, a run with ``people=`` and one with ``people=`` and
``pseudonymise=True``: total seconds, seconds per stage, nodes, and the identity report.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pandas as pd

import nichegraph as ng
from nichegraph.synth import generate_log


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--people", type=int, default=10_000)
    args = ap.parse_args()
    log = generate_log(n_segments=max(20, args.rows // 500), n_rows=args.rows, seed=0).log
    rng = np.random.default_rng(0)
    handles = rng.choice(pd.unique(log["source"]), args.people, replace=False)
    platforms = ("x", "instagram", "reddit")
    people = pd.DataFrame(
        {
            "person": [f"Person {h}" for h in handles for _ in platforms],
            "platform": list(platforms) * len(handles),
            "handle": [f"@{h.upper()}" if p == "x" else h for h in handles for p in platforms],
        }
    )
    runs = {
        "plain": {},
        "people": {"people": people},
        "people+pseudonymise": {"people": people, "pseudonymise": True, "key": "k" * 32},
    }
    for name, options in runs.items():
        t0 = time.perf_counter()
        res = ng.analyze(log, seed=1, **options)
        stages = {k: v["seconds"] for k, v in res.timings.items()}
        print(f"{name}: {time.perf_counter() - t0:.1f} s {stages} nodes={res.graph.n_nodes}")
        if res.interactions.identity is not None:
            print("  identity:", res.interactions.identity.to_dict())


if __name__ == "__main__":
    main()
