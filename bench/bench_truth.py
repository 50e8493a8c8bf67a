"""Truth at scale: segmentation against the oracle ceiling on realistic generated logs.

Run from the repository root (this checkout's ``nichegraph`` is the one measured)::

    python bench/bench_truth.py                        # 100k and 1M rows (3-6 minutes)
    python bench/bench_truth.py --rows 100000 --lfr    # 100k only, plus LFR graphs
    python bench/bench_truth.py --tree /tmp/old        # the same figures for another checkout
    python bench/bench_truth.py --rows 100000 --seeds 0 1 2 --kind-signal   # kinds as on Higgs

Logs: ``generate_log(activity="zipf", size_distribution="lognormal", max_size=5_000, mix=0.2,
cross_to_influencers=0.5, text=False, seed=0)`` with one planted segment per 500 rows (the
log of ``tests/test_truth.py`` at 100k rows; 2,000 segments at 1M). For each log: the oracle
ceiling (:func:`nichegraph.oracle.oracle_segments`: each person's planted segment that gets
most of their weight, knowing everyone else's truth), the NMI of ``find_segments`` with the
defaults and its share of the ceiling, segments found against planted, the fringe, the share
of planted segments whose planted top influencer is in the found top 3 of the segment holding
most of its members (default composite score), and the CPU seconds of ``find_segments``
against one plain top-level Leiden run (``min_gain=None``: no splits, but the final
refinement of ``segments/refine.py`` still runs) on the same graph, measured in the same
process (the baseline: a ratio, not an absolute time). ``--lfr`` adds LFR benchmark
graphs (networkx, 3,000 nodes, communities of 15-300) at mixing 0.25 and 0.4.
``--kind-signal`` generates with ``kind_signal=True`` (each row's kind tilted by whether it stays
in the segment, as measured on the Higgs log; the oracle, which counts rows, is unchanged).

Why a planted star misses the top 3 (``star_misses``): ``merged`` (its planted segment holds
under 80% of the found segment holding most of its members), ``pulled`` (the star sits in a
found segment where its own planted segment is under half), ``split_away`` (the star sits with
its own people in a found segment other than the one holding most of them), ``score`` (in its
own, mostly pure segment, ranked 4th or lower). ``star_in_top3_truth`` is the same share with
the planted segments as the segmentation: the score's own ceiling. ``planted_split`` counts
planted segments owning (holding the most people of) two or more found segments, ``extra``
the found segments beyond one per such planted segment, ``planted_unowned`` planted segments
owning none (merged into another).
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


def _stars(sample, found, ranks, fringe) -> tuple[float, dict]:
    """Share of planted segments whose star is in the found top 3 of its home, and why not."""
    import numpy as np
    import pandas as pd

    truth = sample.truth.set_index("person")["segment"]
    pair = pd.DataFrame({"f": found.to_numpy(), "t": truth[found.index].to_numpy()})
    count = pair.value_counts()
    size_f = pair["f"].value_counts()
    hits, why = [], {"merged": 0, "pulled": 0, "split_away": 0, "score": 0}
    for s, members in sample.truth.groupby("segment"):
        home = found[members["person"]].value_counts().idxmax()
        star = members.loc[members["influencer_rank"] == 1, "person"].iloc[0]
        hit = home != fringe and found[star] == home and ranks.get(star, 99) <= 3
        hits.append(hit)
        if hit:
            continue
        own = count.get((found[star], s), 0) / size_f[found[star]]
        if found[star] != home:
            why["split_away" if own >= 0.5 else "pulled"] += 1
        else:
            why["score" if own >= 0.8 else "merged"] += 1
    return float(np.mean(hits)), why


def truth_figures(rows: int, seed: int = 0, kind_signal: bool = False) -> dict:
    """Every figure of one realistic log of ``rows`` rows (see the module docstring)."""
    import dataclasses

    import pandas as pd

    import nichegraph as ng
    from nichegraph.oracle import oracle_segments
    from nichegraph.synth import generate_log

    sample = generate_log(
        n_segments=rows // 500, n_rows=rows, max_size=5_000, mix=0.2, activity="zipf",
        size_distribution="lognormal", cross_to_influencers=0.5, text=False, seed=seed,
        kind_signal=kind_signal,
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
    star_share, why = _stars(sample, found, ranks, ng.FRINGE)
    planted = truth[found.index].to_numpy()  # the planted segments as a segmentation (+1)
    as_truth = dataclasses.replace(seg, membership=planted + 1)
    ranks_t = ng.rank_influencers(graph, as_truth, seed=seed).set_index("person")["rank"]
    star_truth, _ = _stars(sample, pd.Series(planted + 1, index=found.index), ranks_t, ng.FRINGE)
    kept = found[found != ng.FRINGE]
    owner = (
        pd.DataFrame({"f": kept.to_numpy(), "t": truth[kept.index].to_numpy()})
        .value_counts().reset_index().drop_duplicates("f")["t"].value_counts()
    )  # fmt: skip
    return {
        "rows": rows,
        "seed": seed,
        "kind_signal": kind_signal,
        "people": len(truth),
        "nmi": round(score, 4),
        "ceiling": round(ceiling, 4),
        "share_of_ceiling": round(score / ceiling, 4),
        "found": seg.n_segments,
        "planted": int(truth.nunique()),
        "fringe": seg.fringe_size,
        "splits_tried_kept": [seg.splits_tried, seg.splits_kept],
        "star_in_top3": round(star_share, 4),
        "star_in_top3_truth": round(star_truth, 4),
        "star_misses": why,
        "planted_split": int((owner >= 2).sum()),
        "extra": int((owner[owner >= 2] - 1).sum()),
        "planted_unowned": int(truth.nunique() - len(owner)),
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
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--kind-signal", action="store_true", help="generate with kind_signal=True")
    ap.add_argument("--lfr", action="store_true", help="also LFR graphs (mu 0.25, 0.4)")
    ap.add_argument("--tree", type=Path, help="measure another checkout (in a child process)")
    args = ap.parse_args()
    if args.tree is not None:  # the child imports nichegraph from that checkout
        cmd = [sys.executable, __file__, "--rows", *map(str, args.rows)]
        cmd += ["--seeds", *map(str, args.seeds)] + (["--kind-signal"] if args.kind_signal else [])
        env = {**os.environ, "PYTHONPATH": str(args.tree.resolve()), "_BENCH_TRUTH_TREE": "1"}
        subprocess.run(cmd + (["--lfr"] if args.lfr else []), env=env, check=True)
        return
    if not os.environ.get("_BENCH_TRUTH_TREE"):
        sys.path.insert(0, str(REPO))
    import nichegraph

    where = Path(nichegraph.__file__).parents[1]
    for rows in args.rows:
        for seed in args.seeds:
            figures = truth_figures(rows, seed, args.kind_signal)
            print(where, json.dumps(figures), flush=True)
    if args.lfr:
        for mu in (0.25, 0.4):
            for seed in (1, 2, 3):
                print(where, json.dumps(lfr_figures(mu, seed)), flush=True)


if __name__ == "__main__":
    main()
