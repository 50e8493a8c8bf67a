"""The segment stage alone: ``find_segments`` on a built graph, this checkout against another.

Run from the repository root::

    nice python bench/bench_segment.py --tree /tmp/old-checkout                 # 1M rows
    nice python bench/bench_segment.py --log /work/data/big10m/log_10000000.csv \\
        --cache /work/data/me --tree /tmp/old --jobs 1 2 --repeat 2

The graph ``nichegraph run`` segments is built once by this checkout (``read_interactions`` +
``build_graph`` with the defaults; a log is generated as in ``bench_scale.py`` unless ``--log``
is given) and pickled with the edges' weight and count (``--cache DIR`` keeps it between
invocations: at 10M rows the build takes minutes). Each measurement is a child process that
loads the pickle, registers its edge arrays (as ``build_graph`` does), then times
``find_segments(graph, seed=0, jobs=J)`` as ``run`` calls it: wall, CPU of the process and of
its workers (``os.times``), peak RSS, the number of segments and the leaves' modularity. The
other checkout (``--tree``) runs with its own signature (``jobs`` only if it takes it); the
checkouts run turn about (A B A B ...).
``--higgs`` adds the Higgs log.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from bench_scale import HIGGS, generated_log  # noqa: E402

CHILD = r"""
import inspect, json, os, pickle, resource, sys, time
import nichegraph as ng
from nichegraph.graph.arrays import edge_arrays
with open(sys.argv[1], "rb") as f:
    g = pickle.load(f)
edge_arrays(g)  # registered, as after build_graph
jobs = int(sys.argv[2])
kw = {"jobs": jobs} if "jobs" in inspect.signature(ng.find_segments).parameters else {}
t, c = time.perf_counter(), time.process_time()
s = ng.find_segments(g, seed=0, **kw)
wall, cpu, ch = time.perf_counter() - t, time.process_time() - c, os.times()
print(json.dumps({"wall": round(wall, 2), "cpu": round(cpu, 2),
                  "workers_cpu": round(ch.children_user + ch.children_system, 2),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                  "segments": s.n_segments, "modularity": round(s.modularity, 5)}))
"""

BUILD = r"""
import pickle, sys
import nichegraph as ng
higgs = sys.argv[3] == "1"
opts = {"sep": " ", "header": False, "columns": ("source", "target", "timestamp", "kind")}
g = ng.build_graph(ng.read_interactions(sys.argv[1], **(opts if higgs else {}))).graph
for a in [a for a in g.es.attributes() if a not in ("weight", "count")]:  # as find_segments reads
    del g.es[a]
with open(sys.argv[2], "wb") as f:
    pickle.dump(g, f, protocol=5)
"""


def cached_graph(log: Path, higgs: bool, cache: Path) -> Path:
    """The pickle of the graph ``run`` builds from ``log`` (made once by this checkout)."""
    out = cache / f"graph-{log.name}.pkl"
    if not out.exists():
        env = dict(os.environ, PYTHONPATH=str(REPO))
        args = [sys.executable, "-c", BUILD, str(log), str(out), "1" if higgs else "0"]
        subprocess.run(args, env=env, check=True)
    return out


def one(tree: Path, graph: Path, jobs: int) -> dict:
    """One child run of ``tree``'s ``find_segments`` on the pickled graph."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    args = [sys.executable, "-c", CHILD, str(graph), str(jobs)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True, cwd="/tmp")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, required=True, help="the checkout to compare with")
    ap.add_argument("--log", type=Path, help="a log to segment (default: generated, --rows)")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--higgs", action="store_true", help="also the Higgs log")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--cache", type=Path, help="keep logs and graphs in this folder")
    a = ap.parse_args(argv)
    cache = a.cache or Path(tempfile.mkdtemp(prefix="nichegraph-segment-"))
    cache.mkdir(parents=True, exist_ok=True)
    log = a.log
    if log is None:
        log = cache / f"log_{a.rows}.csv"
        if not log.exists():
            generated_log(a.rows, 0, False, cache)
    graphs = [(log.name, cached_graph(log, False, cache))]
    if a.higgs and HIGGS.exists():
        graphs.append(("higgs", cached_graph(HIGGS, True, cache)))
    for i in range(a.repeat):
        for label, graph in graphs:
            for name, tree in (("other", a.tree.resolve()), ("this", REPO)):
                for jobs in a.jobs if name == "this" else a.jobs[:1]:
                    row = {"repeat": i, "log": label, "tree": name, "jobs": jobs}
                    print(json.dumps(row | one(tree, graph, jobs)), flush=True)


if __name__ == "__main__":
    main()
