"""The rank stage of ``nichegraph run`` alone, against the floor's PageRank-in-segment step.

Run from the repository root (this checkout's ``nichegraph`` is the one measured)::

    nice python bench/bench_rank.py                     # generated 1M rows + the Higgs log
    nice python bench/bench_rank.py --rows 100000 --no-higgs --repeat 1
    nice python bench/bench_rank.py --cache /tmp/rank-cache --profile /tmp/rank.prof
    nice python bench/bench_rank.py --cache /tmp/rank-cache --tree /work/main --repeat 3

For every log the graph and the segmentation of ``nichegraph run``'s defaults (seed 0) are made
once (kept in ``--cache`` as pickles when given, so a second call starts at the rank stage).
Then, in this process, ``--repeat`` times each:

* **floor**: the PageRank-in-community step of ``bench_scale.FLOOR`` on the same ties and the
  same segments (scipy CSR power iteration on the within-segment ties, up to 100 iterations);
* **rank**: :func:`nichegraph.rank_influencers` as ``run`` calls it (every measure, roles,
  composite score, ordering; ``--jobs`` processes for betweenness, default 1 as in ``run``),
  with the seconds spent in each measure (its ``progress`` calls).

It prints wall and CPU seconds (CPU of betweenness workers included; best of the repeats by
wall) and the ratio rank / floor. With ``--tree`` (another checkout, e.g. ``/work/main``; needs
``--cache``) it times instead ``rank_influencers`` of this checkout and of that one turn about,
each call in a fresh process on the cached graph (CPU seconds of every call), and counts the
lines of the two ``influencers.csv`` texts (floats as ``%.6g``, as ``run`` writes them) that
differ. A cache file may also hold ``(log, graph, segmentation, edges)``.
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKER = "--worker"  # argv[1] of a call in a fresh process: --worker TREE CACHE_FILE CSV_OUT
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(sys.argv[2] if sys.argv[1:2] == [WORKER] else REPO))
if sys.argv[1:2] == [WORKER]:  # that tree's nichegraph, before bench_scale puts this one first
    import nichegraph  # noqa: F401

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
        return load_cached(path)
    with tempfile.TemporaryDirectory() as tmp:
        result = ng.analyze(make_log(Path(tmp)), seed=0, **options)
    graph, seg = result.graph, result.segmentation
    if path is not None:
        edges = np.asarray(edge_arrays(graph.graph, None)[0])
        path.write_bytes(pickle.dumps((graph, seg, edges), protocol=5))
    return graph, seg


def load_cached(path: Path):
    """``(InteractionGraph, Segmentation)`` from a cache file (the last three items it holds)."""
    graph, seg, edges = pickle.loads(path.read_bytes())[-3:]
    remember_edges(graph.graph, edges[:, 0], edges[:, 1])  # as build_graph leaves it
    return graph, seg


def worker(cache_file: str, csv_out: str) -> None:
    """One ``rank_influencers`` call of the checkout on ``sys.path`` (a fresh process); prints
    its CPU and wall seconds, writes the frame's CSV text to ``csv_out``."""
    assert Path(ng.__file__).is_relative_to(Path(sys.argv[2]).resolve()), ng.__file__
    graph, seg = load_cached(Path(cache_file))
    w0, c0 = time.perf_counter(), time.process_time()
    frame = ng.rank_influencers(graph, seg, seed=0)
    print(time.process_time() - c0, time.perf_counter() - w0)
    Path(csv_out).write_text(frame.to_csv(index=False, float_format="%.6g", lineterminator="\n"))


def against_tree(label: str, cache_file: Path, tree: Path, repeat: int) -> None:
    """This checkout's ``rank_influencers`` against ``tree``'s, turn about, fresh processes."""
    times: dict[str, list[float]] = {"this": [], "tree": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(repeat):
            sides = [("this", REPO), ("tree", tree)]
            for side, root in sides if r % 2 == 0 else sides[::-1]:
                out = subprocess.run(
                    [sys.executable, __file__, WORKER, str(root), str(cache_file),
                     f"{tmp}/{side}.csv"],
                    check=True, capture_output=True, text=True,
                ).stdout.split()  # fmt: skip
                times[side].append(float(out[-2]))
        this, other = (Path(f"{tmp}/{s}.csv").read_text().splitlines() for s in ("this", "tree"))
    differ = sum(a != b for a, b in zip(this, other, strict=False)) + abs(len(this) - len(other))
    this_s, tree_s = (" ".join(f"{t:.2f}" for t in times[s]) for s in ("this", "tree"))
    print(
        f"{label}: rank_influencers CPU s, this checkout {this_s} | {tree} {tree_s} -> "
        f"medians {np.median(times['this']) / np.median(times['tree']):.2f}x; "
        f"influencers.csv lines that differ: {differ} of {len(other)}",
        flush=True,
    )


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
    ap.add_argument("--tree", type=Path, default=None, help="checkout to compare, turn about")
    a = ap.parse_args(argv)
    if a.tree and not a.cache:
        ap.error("--tree needs --cache")
    if a.cache:
        a.cache.mkdir(parents=True, exist_ok=True)

    def run(label: str, name: str, make_log, options: dict) -> None:
        if not a.tree:
            one(label, *prepared(name, make_log, options, a.cache), a)
            return
        if not (a.cache / f"{name}.pickle").exists():
            prepared(name, make_log, options, a.cache)  # made once, read by each process
        against_tree(label, a.cache / f"{name}.pickle", a.tree, a.repeat)

    if a.rows:
        run(f"{a.rows:,} rows", f"log_{a.rows}",
            lambda tmp: generated_log(a.rows, 0, False, tmp), {})  # fmt: skip
    if not a.no_higgs and HIGGS.exists():
        run("higgs", "higgs", lambda _tmp: HIGGS, HIGGS_OPTIONS)


if __name__ == "__main__":
    if sys.argv[1:2] == [WORKER]:
        worker(*sys.argv[3:5])
    else:
        main()
