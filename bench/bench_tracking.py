"""Benchmark tracking: ``compare`` at 1M people and ``track`` with and without warm starts.

Run from the repository root (this checkout's ``nichegraph`` is the one measured)::

    nice python bench/bench_tracking.py                   # all three parts
    nice python bench/bench_tracking.py --parts compare planted
    nice python bench/bench_tracking.py --higgs PATH/higgs-activity_time.txt.gz

Parts:

``compare``  two generated runs of 1,000,000 people in 20,000 segments (10% of people
             reassigned at random between them): ``compare_runs`` against the hand-written
             baseline a user would write (pandas merge on person, then a group-by of the pairs),
             wall and CPU seconds, median of ``--repeat``.
``planted``  a generated log with planted segments (``nichegraph.synth.generate_log``, 28 days)
             tracked in 7-day windows, warm-started (the default) and cold (detection from
             scratch, ids matched): seconds, share of people keeping their segment id from one
             window to the next, NMI between consecutive windows (people in both), NMI against
             the planted truth per window.
``higgs``    the Higgs Twitter log (7 days) tracked with ``--window 1d``, warm and cold: the
             same figures without truth, plus the share for raw detection ids (no matching).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import igraph as ig  # noqa: E402

import nichegraph as ng  # noqa: E402
from nichegraph.synth import generate_log  # noqa: E402
from nichegraph.tracking.runs import RunView  # noqa: E402

HIGGS = Path("/work/shared/datasets/higgs-twitter/higgs-activity_time.txt.gz")


def _timed(fn, repeat: int = 1):
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return out, round(statistics.median(walls), 3), round(statistics.median(cpus), 3)


def _view(n: int, k: int, seed: int, run_id: str, previous: str | None = None) -> RunView:
    rng = np.random.default_rng(seed)
    seg = np.arange(n) * k // n + 1
    flip = rng.random(n) < 0.1
    seg[flip] = rng.integers(1, k + 1, int(flip.sum()))
    ids = np.arange(1, k + 1)
    size = np.bincount(seg, minlength=k + 1)[1:]
    people = pd.Index(np.char.add("p", np.arange(n).astype(str)).astype(object))
    segments = pd.DataFrame(
        {
            "segment": ids,
            "size": size,
            "label": "",
            "internal_weight": 3.0 * size,
            "interactions": 5 * size,
        }
    )
    short = pd.DataFrame(
        {
            "segment": np.repeat(ids, 3),
            "rank": np.tile([1, 2, 3], k),
            "person": people[(np.repeat(ids, 3) - 1) * (n // k) + np.tile([0, 1, 2], k)],
            "score": 0.5,
        }
    )
    flows = pd.DataFrame({"from_segment": ids[:-1], "to_segment": ids[1:], "weight": 1.0})
    manifest = {"graph": {"rows_used": 5 * n}, "tracking": {"previous_run": previous}}
    return RunView(pd.Series(seg, index=people), segments, short, flows, manifest, run_id)


def bench_compare(n: int, k: int, repeat: int) -> dict:
    a, b = _view(n, k, 1, "A"), _view(n, k, 2, "B", previous="A")

    def baseline():
        m = pd.DataFrame({"person": a.members.index, "a": a.members.to_numpy()}).merge(
            pd.DataFrame({"person": b.members.index, "b": b.members.to_numpy()}), on="person"
        )
        return m.groupby(["a", "b"]).size()

    _, base_wall, base_cpu = _timed(baseline, repeat)
    res, wall, cpu = _timed(lambda: ng.compare_runs(a, b), repeat)
    return {
        "people": n,
        "segments": k,
        "compare_wall_s": wall,
        "compare_cpu_s": cpu,
        "baseline_merge_groupby_wall_s": base_wall,
        "baseline_merge_groupby_cpu_s": base_cpu,
        "ratio_cpu": round(cpu / base_cpu, 2),
        "events": res.summary["events"],
        "alerts": len(res.alerts),
    }


def _nmi(x: np.ndarray, y: np.ndarray) -> float:
    return float(ig.compare_communities(x.tolist(), y.tolist(), method="nmi"))


def _raw_ids(run) -> pd.Series:
    """Each person's detected (pre-matching) segment id."""
    back = {v: k for k, v in run.tracking.mapping.items()} if run.tracking else {}
    seg = run.segments.set_index("person")["segment"]
    return seg.map(lambda s: back.get(int(s), int(s)))


def _series(res, truth: pd.Series | None) -> dict:
    out = {"kept_id_share": res.windows["kept_id_share"].dropna().round(3).tolist()}
    consecutive, raw_kept, truth_nmi = [], [], []
    for prev, run in zip(res.runs, res.runs[1:], strict=False):
        a = prev.segments.set_index("person")["segment"]
        b = run.segments.set_index("person")["segment"]
        common = a.index.intersection(b.index)
        consecutive.append(round(_nmi(a[common].to_numpy(), b[common].to_numpy()), 3))
        ra, rb = _raw_ids(prev)[common], _raw_ids(run)[common]
        both = (ra != 0) & (rb != 0)
        raw_kept.append(round(float((ra[both] == rb[both]).mean()), 3))
    if truth is not None:
        for run in res.runs:
            seg = run.segments.set_index("person")["segment"]
            t = truth.reindex(seg.index)
            truth_nmi.append(round(_nmi(seg.to_numpy(), t.to_numpy()), 3))
        out["truth_nmi"] = truth_nmi
        out["mean_truth_nmi"] = round(float(np.mean(truth_nmi)), 4)
    out["consecutive_nmi"] = consecutive
    out["raw_id_kept_share"] = raw_kept
    out["mean_kept_id_share"] = round(float(np.mean(out["kept_id_share"])), 4)
    out["mean_raw_id_kept_share"] = round(float(np.mean(raw_kept)), 4)
    out["mean_consecutive_nmi"] = round(float(np.mean(consecutive)), 4)
    return out


def bench_track(data, truth: pd.Series | None, window: str, seed: int, **read) -> dict:
    out = {}
    for name, kw in (
        ("warm", {}),
        ("cold", {"warm_start": False}),
        ("frozen", {"freeze_previous": True}),
    ):
        res, wall, cpu = _timed(
            lambda kw=kw: ng.track_log(data, window=window, seed=seed, **read, **kw)
        )
        out[name] = {
            "wall_s": wall,
            "cpu_s": cpu,
            "windows": len(res.runs),
            "segments_ever": res.summary["segments_ever"],
            "alerts": res.summary["alerts"],
            **_series(res, truth),
        }
        print(name, json.dumps(out[name]), flush=True)
    out["cpu_ratio_warm_over_cold"] = round(out["warm"]["cpu_s"] / out["cold"]["cpu_s"], 3)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--parts", nargs="+", default=["compare", "planted", "higgs"])
    p.add_argument("--people", type=int, default=1_000_000)
    p.add_argument("--segments", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--rows", type=int, default=200_000, help="rows of the planted log")
    p.add_argument("--higgs", type=Path, default=HIGGS)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args()
    report: dict = {}
    if "compare" in args.parts:
        report["compare"] = bench_compare(args.people, args.segments, args.repeat)
        print("compare", json.dumps(report["compare"]), flush=True)
    if "planted" in args.parts:
        s = generate_log(
            n_segments=args.rows // 1000, n_rows=args.rows, days=28, text=False, seed=args.seed
        )
        truth = s.truth.set_index("person")["segment"]
        report["planted"] = {
            "rows": args.rows,
            "window": "7d",
            **bench_track(s.log, truth, "7d", args.seed),
        }
    if "higgs" in args.parts:
        read = {"sep": " ", "header": False, "columns": "source,target,timestamp,kind"}
        report["higgs"] = {
            "window": "1d",
            **bench_track(str(args.higgs), None, "1d", args.seed, **read),
        }
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
