"""The write and profile stages of ``nichegraph run`` alone, this checkout against another, turn
about, on one analysis result.

Run from the repository root::

    nice python bench/bench_write.py --tree /tmp/old-checkout              # 1M generated rows
    nice python bench/bench_write.py --tree /tmp/old --higgs               # the Higgs log
    nice python bench/bench_write.py --tree /tmp/old --result big.pickle   # a result pickled before
    nice python bench/bench_write.py --tree /tmp/old --export gexf,graphml --stage write
    nice python bench/bench_write.py --tree /tmp/old --same-process        # steadier when busy

One seeded analysis (this checkout, not timed) is pickled once (``--result`` reuses one: a
10M-row analysis takes a quarter of an hour); then each checkout in turn, in a fresh child
process (:data:`CHILD`) that imports what the command imports and unpickles the result, runs
the stage ``--inner`` times and reports each run's CPU (``time.process_time``, all threads)
and wall seconds. ``write`` is ``result.save(dir)`` (the whole run folder), ``profile`` is
``profile_segments`` and ``segment_flows`` as ``run`` calls them (the edge list registered as
the build registers it). The table gives, per checkout, the range over the repeats of the
first run in a process (what ``run`` pays) and the smallest of each process's runs.
``--same-process`` (:data:`SAME`): one child runs both checkouts alternately, after one
warm-up round (so "first" is a warm run too), and the run folders are compared byte for byte
(``run.json`` aside: it holds the timings and the time).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from bench_scale import HIGGS, generated_log  # noqa: E402

CHILD = r"""
import json, pickle, shutil, sys, time
import nichegraph.cli, nichegraph.pipeline, nichegraph.terminal, nichegraph.report.render
from nichegraph.graph.arrays import edge_arrays
from nichegraph.segments.flows import segment_flows
from nichegraph.segments.profiles import profile_segments
with open(sys.argv[1], "rb") as fh:
    result = pickle.load(fh)
out, stage, inner = sys.argv[2], sys.argv[3], int(sys.argv[4])
exports = [e for e in sys.argv[5].split(",") if e]
if exports:
    result.params["export"] = exports
edge_arrays(result.graph.graph)  # a run's build registers the edge list
runs = []
for _ in range(inner):
    shutil.rmtree(out, ignore_errors=True)
    c, w = time.process_time(), time.perf_counter()
    if stage == "write":
        result.save(out)
    else:
        p = result.params
        profile_segments(result.interactions, result.segmentation, since=p.get("since"),
                         until=p.get("until"))
        segment_flows(result.graph, result.segmentation)
    runs.append((time.process_time() - c, time.perf_counter() - w))
print(json.dumps(runs))
"""


SAME = r"""
import dataclasses, importlib.util, json, pickle, shutil, sys, time
sys.path.insert(0, sys.argv[5])  # the other checkout's package, copied as nichegraph_other
import nichegraph.cli, nichegraph.pipeline, nichegraph.terminal, nichegraph.report.render
import nichegraph_other.pipeline, nichegraph_other.report.render
from nichegraph.graph.arrays import edge_arrays
with open(sys.argv[1], "rb") as fh:
    result = pickle.load(fh)
out, stage, inner = sys.argv[2], sys.argv[3], int(sys.argv[4])
exports = [e for e in sys.argv[6].split(",") if e]
fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
fields["params"] = dict(result.params, **({"export": exports} if exports else {}))
edge_arrays(result.graph.graph)  # a run's build registers the edge list
pkgs = {"other": nichegraph_other, "this": nichegraph}
results = {name: pkg.pipeline.AnalysisResult(**fields) for name, pkg in pkgs.items()}
runs = {name: [] for name in pkgs}
for i in range(inner + 1):  # the first round warms both (templates compiled once a process)
    for name, pkg in pkgs.items():
        target = f"{out}-{name}"
        shutil.rmtree(target, ignore_errors=True)
        c, w = time.process_time(), time.perf_counter()
        if stage == "write":
            results[name].save(target)
        else:
            p = result.params
            pkg.segments.profiles.profile_segments(result.interactions, result.segmentation,
                                                   since=p.get("since"), until=p.get("until"))
            pkg.segments.flows.segment_flows(result.graph, result.segmentation)
        if i:
            runs[name].append((time.process_time() - c, time.perf_counter() - w))
print(json.dumps(runs))
"""


def analysis(path: Path, log: Path, higgs: bool) -> None:
    """Pickle one seeded analysis of ``log`` (this checkout) at ``path``."""
    import nichegraph as ng

    extra = {"sep": " ", "header": False, "columns": "source,target,timestamp,kind"}
    result = ng.analyze(str(log), seed=0, **(extra if higgs else {}))
    with open(path, "wb") as fh:
        pickle.dump(result, fh, protocol=5)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, required=True, help="the checkout to compare with")
    ap.add_argument("--repeat", type=int, default=3, help="child processes per checkout")
    ap.add_argument("--inner", type=int, default=2, help="runs of the stage per process")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--higgs", action="store_true", help="the Higgs log instead")
    ap.add_argument("--result", type=Path, help="a pickled AnalysisResult to reuse")
    ap.add_argument("--stage", choices=("write", "profile", "both"), default="both")
    ap.add_argument("--export", default="", help="also write these (e.g. gexf,graphml)")
    ap.add_argument("--same-process", action="store_true",
                    help="both checkouts in one process, alternately (the other's package is "
                         "copied as nichegraph_other): steadier on a busy machine")  # fmt: skip
    a = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="nichegraph-write-"))
    try:
        pickled = a.result
        if pickled is None:
            pickled = work / "result.pickle"
            log = HIGGS if a.higgs else generated_log(a.rows, 0, False, work)
            analysis(pickled, log, a.higgs)
        stages = ("write", "profile") if a.stage == "both" else (a.stage,)
        trees = {"other": a.tree.resolve(), "this": REPO}
        got: dict[tuple[str, str], list[list[tuple[float, float]]]] = {}
        if a.same_process:
            shutil.copytree(a.tree / "nichegraph", work / "other" / "nichegraph_other")
        for i in range(a.repeat if not a.same_process else 0):
            for stage in stages:
                for name, tree in trees.items():
                    env = dict(os.environ, PYTHONPATH=str(tree))
                    args = [sys.executable, "-c", CHILD, str(pickled), str(work / f"out-{name}"),
                            stage, str(a.inner), a.export]  # fmt: skip
                    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
                    runs = json.loads(done.stdout.strip().splitlines()[-1])
                    got.setdefault((stage, name), []).append(runs)
                    print(f"  {i + 1}: {stage} {name} {json.dumps(runs)}", flush=True)
        for i in range(a.repeat if a.same_process else 0):
            for stage in stages:
                env = dict(os.environ, PYTHONPATH=str(REPO))
                args = [sys.executable, "-c", SAME, str(pickled), str(work / "out"), stage,
                        str(a.inner), str(work / "other"), a.export]  # fmt: skip
                done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
                for name, runs in json.loads(done.stdout.strip().splitlines()[-1]).items():
                    got.setdefault((stage, name), []).append(runs)
                    print(f"  {i + 1}: {stage} {name} {json.dumps(runs)}", flush=True)
            if "write" in stages:  # the same bytes from both (run.json: timings, time aside)
                a_dir, b_dir = str(work / "out-other"), str(work / "out-this")
                diff = subprocess.run(["diff", "-rq", "-x", "run.json", a_dir, b_dir],
                                      capture_output=True, text=True).stdout  # fmt: skip
                same = "identical" if not diff else "DIFFER:\n" + diff
                print(f"  {i + 1}: run folders {same}", flush=True)
        print("\n| stage | checkout | CPU s, first | wall s, first | CPU s, best | wall s, best |")
        print("| --- | --- | --- | --- | --- | --- |")
        for (stage, name), procs in got.items():
            first = [p[0] for p in procs]
            best = [(min(c for c, _ in p), min(w for _, w in p)) for p in procs]

            def span(values: list[float]) -> str:
                return f"{min(values):.2f}-{max(values):.2f}"

            print(f"| {stage} | {name} | {span([c for c, _ in first])} | "
                  f"{span([w for _, w in first])} | {span([c for c, _ in best])} | "
                  f"{span([w for _, w in best])} |")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
