"""Truth at scale: segmentation against the oracle ceiling on realistic generated logs.

Run from the repository root (this checkout's ``nichegraph`` is the one measured)::

    python bench/bench_truth.py                        # 100k and 1M rows (3-6 minutes)
    python bench/bench_truth.py --rows 100000 --lfr    # 100k only, plus LFR graphs
    python bench/bench_truth.py --tree /tmp/old        # the same figures for another checkout

Logs: ``generate_log(activity="zipf", size_distribution="lognormal", max_size=5_000, mix=0.2,
cross_to_influencers=0.5, text=False, seed=0)`` with one planted segment per 500 rows (the
log of ``tests/test_truth.py`` at 100k rows; 2,000 segments at 1M). For each log: the oracle
ceiling (:func:`nichegraph.synth.oracle_segments`: each person's planted segment that gets
most of their weight, knowing everyone else's truth), the NMI of ``find_segments`` with the
defaults and its share of the ceiling, segments found against planted, the fringe, the share
of planted segments whose planted top influencer is in the found top 3 of the segment holding
most of its members (default composite score), and the CPU seconds of ``find_segments``
against one plain top-level Leiden run (``min_gain=None``) on the same graph, measured in the
same process (the baseline: a ratio, not an absolute time). ``--lfr`` adds LFR benchmark
graphs (networkx, 3,000 nodes, communities of 15-300) at mixing 0.25 and 0.4.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _nmi(a, b) -> float:
    import igraph as ig
    import numpy as np
    import pandas as pd

    fa, fb = pd.factorize(np.asarray(a))[0], pd.factorize(np.asarray(b))[0]
    return ig.compare_communities(fa.tolist(), fb.tolist(), "nmi")


def truth_figures(rows: int, seed: int = 0) -> dict:
    """Every figure of one realistic log of ``rows`` rows (see the module docstring)."""
    import numpy as np

    import nichegraph as ng
    from nichegraph.synth import generate_log, oracle_segments

    sample = generate_log(
        n_segments=rows // 500, n_rows=rows, max_size=5_000, mix=0.2, activity="zipf",
        size_distribution="lognormal", cross_to_influencers=0.5, text=False, seed=seed,
    )  # fmt: skip
    truth = sample.truth.set_index("person")["segment"]
    oracle = oracle_segments(sample.log, sample.truth)
    ceiling = _nmi(oracle, truth[oracle.index])
    graph = ng.build_graph(sample.log)
    t0 = time.process_time()
    ng.find_segments(graph, min_gain=None, seed=seed)
    plain_s = time.process_time() - t0
    t0 = time.process_time()
    seg = ng.find_segments(graph, seed=seed)
    segment_s = time.process_time() - t0
    found = seg.to_frame().set_index("person")["segment"]
    score = _nmi(found, truth[found.index])
    ranks = ng.rank_influencers(graph, seg, seed=seed).set_index("person")["rank"]
    hits = []
    for _, members in sample.truth.groupby("segment"):
        home = found[members["person"]].value_counts().idxmax()
        star = members.loc[members["influencer_rank"] == 1, "person"].iloc[0]
        hits.append(home != ng.FRINGE and found[star] == home and ranks.get(star, 99) <= 3)
    return {
        "rows": rows,
        "people": len(truth),
        "nmi": round(score, 4),
        "ceiling": round(ceiling, 4),
        "share_of_ceiling": round(score / ceiling, 4),
        "found": seg.n_segments,
        "planted": int(truth.nunique()),
        "fringe": seg.fringe_size,
        "splits_tried_kept": [seg.splits_tried, seg.splits_kept],
        "star_in_top3": round(float(np.mean(hits)), 4),
        "segment_cpu_s": round(segment_s, 2),
        "plain_leiden_cpu_s": round(plain_s, 2),
    }


def lfr_figures(mu: float, seed: int) -> dict:
    """NMI of ``find_segments`` (defaults, ``min_size=1``) on one LFR graph."""
    import networkx as nx
    import pandas as pd

    import nichegraph as ng

    g = nx.LFR_benchmark_graph(
        3000, 2.5, 1.5, mu, average_degree=20, max_degree=150, min_community=15,
        max_community=300, seed=seed,
    )  # fmt: skip
    truth = pd.Series({str(v): min(g.nodes[v]["community"]) for v in g})
    log = pd.DataFrame(list(g.edges()), columns=["source", "target"]).astype(str)
    graph = ng.build_graph(log)
    out = {"mu": mu, "seed": seed, "planted": int(truth.nunique())}
    for name, kw in (("defaults", {}), ("plain", {"min_gain": None})):
        seg = ng.find_segments(graph, min_size=1, seed=0, **kw)
        out[name] = [round(_nmi(seg.membership, truth[list(seg.names)]), 4), seg.n_segments]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--lfr", action="store_true", help="also LFR graphs (mu 0.25, 0.4)")
    ap.add_argument("--tree", type=Path, help="measure another checkout (in a child process)")
    args = ap.parse_args()
    if args.tree is not None:  # the child imports nichegraph from that checkout
        cmd = [sys.executable, __file__, "--rows", *map(str, args.rows)]
        env = {**os.environ, "PYTHONPATH": str(args.tree.resolve()), "_BENCH_TRUTH_TREE": "1"}
        subprocess.run(cmd + (["--lfr"] if args.lfr else []), env=env, check=True)
        return
    if not os.environ.get("_BENCH_TRUTH_TREE"):
        sys.path.insert(0, str(REPO))
    import nichegraph

    where = Path(nichegraph.__file__).parents[1]
    for rows in args.rows:
        print(where, json.dumps(truth_figures(rows)), flush=True)
    if args.lfr:
        for mu in (0.25, 0.4):
            for seed in (1, 2, 3):
                print(where, json.dumps(lfr_figures(mu, seed)), flush=True)


if __name__ == "__main__":
    main()
