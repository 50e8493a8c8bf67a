"""Benchmark ``nichegraph.plan`` against the run it reuses, and its audience against top-K.

Run from the repository root::

    nice python bench/bench_plan.py                     # 1,000,000 generated rows, budget 50
    nice python bench/bench_plan.py --rows 100000
    nice python bench/bench_plan.py --rows 0 \
        --higgs ../shared/datasets/higgs-twitter/higgs-activity_time.txt.gz

Steps, in one process: generate a log (``nichegraph.synth.generate_log``, the same shape as
``bench_run.py``: 2,000 planted segments per million rows); time ``analyze`` once (the
baseline: the run that ``plan`` reuses, wall and CPU); time ``plan`` for each objective
(median wall and CPU seconds of ``--repeat``) with budget ``--budget`` (the most-engaged
account of the log as ``--brand``, the largest segment as the leads target); report plan time
/ run time (wall and CPU), the memory of the row codes the graph keeps for ``plan``
(``graph.rows``) against the table's, the audience the plan covers against the plain top-K by
score, and lazy greedy (CELF) against exact greedy on the same audiences. With ``--higgs
PATH`` the same on the SNAP Higgs log (read as ``--sep ' ' --no-header --columns
source,target,timestamp,kind``), plus the shortlist's size and how many of its people nobody
engaged with.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

import nichegraph as ng  # noqa: E402
from nichegraph.plan.coverage import audience_csr, max_coverage  # noqa: E402
from nichegraph.synth import generate_log  # noqa: E402


def _timed(fn, repeat=1, cpu=False):
    """``fn()``'s value and its median wall seconds (and median CPU seconds with ``cpu``)."""
    times, cpus, value = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        value = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    if cpu:
        return value, statistics.median(times), statistics.median(cpus)
    return value, statistics.median(times)


def _greedy_check(result, budget):
    """CELF against exact greedy on everyone's audience (all ranked people)."""
    g = result.graph.graph
    e = np.asarray(g.get_edgelist(), dtype=np.int64)
    indptr, indices = audience_csr(e[:, 1], e[:, 0], g.vcount())
    lazy, t_lazy = _timed(lambda: max_coverage(indptr, indices, budget))
    exact, t_exact = _timed(lambda: max_coverage(indptr, indices, budget, lazy=False))
    assert lazy.picks.tolist() == exact.picks.tolist()
    return {"people": g.vcount(), "celf_s": round(t_lazy, 3), "exact_greedy_s": round(t_exact, 3),
            "covered": lazy.covered, "same_picks": True}  # fmt: skip


def _row_codes_memory(result):
    """Bytes of the row codes the graph keeps for ``plan`` (``graph.rows``) and of the table."""
    rows = result.graph.rows
    kept = sum(a.nbytes for a in (rows.used, rows.src, rows.dst, rows.kind)) if rows else 0
    table = int(result.interactions.table.memory_usage(deep=True).sum())
    return {"row_codes_mb": round(kept / 1e6, 1), "table_mb": round(table / 1e6, 1)}


def bench(result, run_times, budget, repeat, label):
    run_seconds, run_cpu = run_times
    names = result.graph.names
    received = np.asarray(result.graph.graph.degree(mode="in"))
    brand = names[int(np.argmax(received))]
    largest = int(result.segmentation.segments["segment"].iloc[0])
    out = {"label": label, "run_s": round(run_seconds, 2), "run_cpu_s": round(run_cpu, 2),
           "memory": _row_codes_memory(result), "objectives": {}}  # fmt: skip
    mem = out["memory"]
    print(f"{label} run {run_seconds:.1f} s wall, {run_cpu:.1f} s CPU; row codes kept for plan "
          f"{mem['row_codes_mb']} MB (table {mem['table_mb']} MB)", flush=True)  # fmt: skip
    for objective in ("awareness", "support", "reputation", "leads"):
        kw = {"target_segments": [largest]} if objective == "leads" else {}
        plan, secs, cpu = _timed(
            lambda o=objective, k=kw: ng.plan(result, objective=o, budget=budget, brand=brand, **k),
            repeat,
            cpu=True,
        )
        s = plan.summary
        out["objectives"][objective] = {
            "plan_s": round(secs, 3),
            "plan_cpu_s": round(cpu, 3),
            "plan_over_run": round(secs / run_seconds, 4),
            "plan_cpu_over_run_cpu": round(cpu / run_cpu, 4),
            "picked": s["picked"],
            "audience_covered": s["audience_covered"],
            "topk_audience_covered": s["topk_audience_covered"],
            "mean_overlap": s["mean_overlap"],
            "topk_mean_overlap": s["topk_mean_overlap"],
            "excluded": s["excluded"],
            "candidates": s["candidates"],
        }
        print(f"{label} {objective:<10} plan {secs:6.3f} s wall ({secs / run_seconds:.1%} of the "
              f"run's), {cpu:6.3f} s CPU ({cpu / run_cpu:.1%}) "
              f"audience {s['audience_covered']:,} vs top-{budget} {s['topk_audience_covered']:,} "
              f"excluded {s['excluded']}", flush=True)  # fmt: skip
    out["greedy"] = _greedy_check(result, budget)
    short = result.shortlist
    reach = result.influencers.set_index("person")["reach"]
    total_reach = np.bincount(
        np.asarray(result.graph.graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)[:, 1],
        minlength=len(names),
    )
    by_name = dict(zip(names, total_reach, strict=True))
    out["shortlist_rows"] = len(short)
    out["shortlist_without_engagement"] = int(sum(by_name[p] == 0 for p in short["person"]))
    out["shortlist_without_engagement_in_segment"] = int((reach[short["person"]] == 0).sum())
    nobody = out["shortlist_without_engagement"]
    print(f"{label} greedy {out['greedy']}; shortlist {len(short):,} rows, "
          f"{nobody:,} with nobody engaging them", flush=True)  # fmt: skip
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--budget", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--higgs", default=None, help="path of higgs-activity_time.txt.gz")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    report = {"budget": args.budget, "runs": []}
    if args.rows:
        segments = max(10, args.rows // 500)
        log = generate_log(n_segments=segments, n_rows=args.rows, seed=args.seed).log
        result, *secs = _timed(lambda: ng.analyze(log, seed=args.seed), cpu=True)
        report["runs"].append(bench(result, secs, args.budget, args.repeat, f"synth {args.rows:,}"))
    if args.higgs:
        kw = dict(sep=" ", header=False, columns="source,target,timestamp,kind")
        result, *secs = _timed(lambda: ng.analyze(args.higgs, seed=args.seed, **kw), cpu=True)
        report["runs"].append(bench(result, secs, args.budget, args.repeat, "higgs"))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
