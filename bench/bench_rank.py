"""The rank stage of ``nichegraph run`` alone, against the floor's PageRank-in-segment step.

Run from the repository root (this checkout's ``nichegraph`` is the one measured)::

    nice python bench/bench_rank.py                     # generated 1M rows + the Higgs log
    nice python bench/bench_rank.py --rows 100000 --no-higgs --repeat 1
    nice python bench/bench_rank.py --cache /tmp/rank-cache --profile /tmp/rank.prof

For every log the graph and the segmentation of ``nichegraph run``'s defaults (seed 0) are made
once (kept in ``--cache`` as pickles when given, so a second call starts at the rank stage).
Then, in this process, ``--repeat`` times each:

* **floor**: the PageRank-in-community step of ``bench_scale.FLOOR`` on the same ties and the
  same segments (scipy CSR power iteration on the within-segment ties, up to 100 iterations);
* **rank**: :func:`nichegraph.rank_influencers` as ``run`` calls it (every measure, roles,
  composite score, ordering; ``--jobs`` processes for betweenness, default 1 as in ``run``),
  with the seconds spent in each measure (its ``progress`` calls).

It prints wall and CPU seconds (CPU of betweenness workers included; best of the repeats by
wall) and the ratio rank / floor.
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from bench_scale import FLOOR, generated_log  # noqa: E402

import nichegraph as ng  # noqa: E402
from nichegraph.graph.arrays import edge_arrays, remember_edges  # noqa: E402

FLOOR_STEP = FLOOR[FLOOR.index("same = memb[s] == memb[d]") : FLOOR.index("t5 = ")]
HIGGS = Path("/work/shared/datasets/higgs-twitter/higgs-activity_time.txt.gz")
HIGGS_OPTIONS = {"sep": " ", "header": False, "columns": ("source", "target", "timestamp", "kind")}


def prepared(label: str, make_log, options: dict, cache: Path | None):
    """``(InteractionGraph, Segmentation)`` of a log with ``run``'s defaults, seed 0."""
    path = cache / f"{label}.pickle" if cache else None
    if path is not None and path.exists():
        graph, seg, edges = pickle.loads(path.read_bytes())
        remember_edges(graph.graph, edges[:, 0], edges[:, 1])  # as build_graph leaves it
        return graph, seg
    with tempfile.TemporaryDirectory() as tmp:
        result = ng.analyze(make_log(Path(tmp)), seed=0, **options)
    graph, seg = result.graph, result.segmentation
    if path is not None:
        edges = np.asarray(edge_arrays(graph.graph, None)[0])
        path.write_bytes(pickle.dumps((graph, seg, edges), protocol=5))
    return graph, seg


def floor_pagerank(graph, seg) -> None:
    """bench_scale.FLOOR's PageRank step (its very lines) on these ties and segments."""
    e, w = edge_arrays(graph.graph)
    memb = np.asarray(seg.membership)
    exec(FLOOR_STEP, {"np": np, "sp": sp, "s": e[:, 0], "d": e[:, 1], "w": w, "memb": memb,
                      "n": len(memb)})  # fmt: skip


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (betweenness workers)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def timed(fn) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), _cpu()
    fn()
    return time.perf_counter() - w0, _cpu() - c0


def rank_once(graph, seg, jobs: int, profile: str | None) -> tuple[float, float, dict[str, float]]:
    """Wall and CPU seconds of one ``rank_influencers`` call, and the seconds from each
    measure's start to the next one's (the last one: to the end, roles and ordering included)."""
    marks: list[tuple[str, float]] = []

    def call() -> None:
        ng.rank_influencers(
            graph, seg, seed=0, jobs=jobs, progress=lambda m: marks.append((m, time.perf_counter()))
        )

    prof = cProfile.Profile() if profile else None
    wall, cpu = timed((lambda: prof.runcall(call)) if prof else call)
    if prof:
        prof.dump_stats(profile)
    ends = [t for _, t in marks[1:]] + [marks[0][1] + wall]
    return wall, cpu, {m: t1 - t0 for (m, t0), t1 in zip(marks, ends, strict=True)}


def one(label: str, graph, seg, a: argparse.Namespace) -> None:
    floor = [timed(lambda: floor_pagerank(graph, seg)) for _ in range(a.repeat)]
    profile = f"{a.profile}-{label.split()[0]}" if a.profile else None
    rank = [rank_once(graph, seg, a.jobs, profile) for _ in range(a.repeat)]
    f, r = min(floor), min(rank, key=lambda x: x[0])
    print(
        f"{label}: {graph.n_nodes:,} people, {graph.n_edges:,} ties, {seg.n_segments:,} segments\n"
        f"  floor PageRank step {f[0]:.2f} s (CPU {f[1]:.2f})\n"
        f"  rank stage          {r[0]:.2f} s (CPU {r[1]:.2f})  -> {r[0] / f[0]:.1f}x "
        f"(CPU {r[1] / f[1]:.1f}x)\n"
        "  from each measure on: " + ", ".join(f"{k} {v:.2f}" for k, v in r[2].items()),
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="generated rows (0: none)")
    ap.add_argument("--no-higgs", action="store_true", help="skip the Higgs log")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=1, help="processes for betweenness (default 1)")
    ap.add_argument("--cache", type=Path, default=None, help="keep graphs + segments here")
    ap.add_argument("--profile", default=None, help="cProfile the rank stage into PREFIX-LOG")
    a = ap.parse_args(argv)
    if a.cache:
        a.cache.mkdir(parents=True, exist_ok=True)
    if a.rows:

        def make(tmp: Path) -> Path:
            return generated_log(a.rows, 0, False, tmp)

        one(f"{a.rows:,} rows", *prepared(f"log_{a.rows}", make, {}, a.cache), a)
    if not a.no_higgs and HIGGS.exists():
        one("higgs", *prepared("higgs", lambda _tmp: HIGGS, HIGGS_OPTIONS, a.cache), a)


if __name__ == "__main__":
    main()
