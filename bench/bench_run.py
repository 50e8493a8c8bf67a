"""Benchmark ``nichegraph run`` end to end on a generated log, against two baselines.

Run from the repository root (this checkout's ``nichegraph`` is the one measured)::

    python bench/bench_run.py                  # 1,000,000 rows, seed 0
    python bench/bench_run.py --rows 100000
    python bench/bench_run.py --repeat 2 --profile /tmp/ng-prof --json /tmp/bench.json

Steps: generate a log with planted segments and influencers (``nichegraph.synth``) and write it
as CSV.gz; time ``nichegraph run LOG -o OUT -q`` in a subprocess (wall time, the child's peak
RSS, per-stage seconds from ``OUT/run.json``); time the I/O floor (pandas ``read_csv`` +
``groupby(source, target)``) and a typical analyst pipeline (pandas + networkx Louvain +
networkx PageRank) in subprocesses; score nichegraph's segments and influencers against the
planted truth. See ``bench/README.md`` for what the figures mean and the last measurements.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import igraph as ig  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from nichegraph.samples import write_csv_gz  # noqa: E402
from nichegraph.synth import generate_log  # noqa: E402

TARGET_ROWS, TARGET_SECONDS, TARGET_GIB = 1_000_000, 60.0, 4.0
ANALYST_FULL_MAX = 1_000_000  # above this the networkx pipeline takes minutes: use a prefix
ANALYST_PREFIX = 100_000

NICHEGRAPH = "from nichegraph.cli import main; main()"
TIMER = """
import json, os, subprocess, sys, threading, time
def tree(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                todo += map(int, open(f"/proc/{p}/task/{t}/children").read().split())
        except (OSError, ValueError):
            pass
    return out
def pss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/smaps_rollup"):
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0
peak, done = [0], threading.Event()
def sample():  # only while there are several processes: alone, ru_maxrss is exact and cheap
    while not done.wait(0.25):
        pids = tree(proc.pid)
        if len(pids) > 1:
            peak[0] = max(peak[0], sum(map(pss_kib, pids)))
t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - t0
done.set()
sampler.join()
proc.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as fh:
    cpu = usage.ru_utime + usage.ru_stime
    json.dump({"wall": wall, "cpu": cpu, "maxrss_kib": usage.ru_maxrss,
               "tree_pss_kib": peak[0]}, fh)
sys.exit(proc.returncode)
"""
"""Times ``python ARGS`` and reads its peak memory. ``os.wait4`` gives the wall and CPU time of
the child and of its own children (waited for), but its ``ru_maxrss`` is the peak of the
*largest single process*, not of the processes together: a run that forks (the profile stage
beside the rank stage, ``--jobs``) holds more. So while the child has children of its own the
timer samples, every 0.25 s, the sum of the proportional set size (PSS: a page shared
copy-on-write is split between its sharers, so it counts once in all) of the child and its
descendants (``tree_pss_kib``; reading PSS walks the page tables, so it is not read while the
child is alone); the peak reported is the larger of the two."""
STARTUP = "import nichegraph.cli, nichegraph.pipeline, nichegraph.terminal"  # what `run` imports
FLOOR = """
import json, sys, time
t0 = time.perf_counter()
import pandas as pd
t1 = time.perf_counter()
df = pd.read_csv(sys.argv[1])
t2 = time.perf_counter()
w = df.groupby(["source", "target"]).size()
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "read_csv": t2 - t1, "groupby": t3 - t2, "edges": len(w)}))
"""
ANALYST = """
import json, sys, time
t0 = time.perf_counter()
import networkx as nx
import pandas as pd
t1 = time.perf_counter()
df = pd.read_csv(sys.argv[1])
t2 = time.perf_counter()
edges = df.groupby(["source", "target"]).size().reset_index(name="weight")
g = nx.from_pandas_edgelist(edges, "source", "target", edge_attr="weight",
                            create_using=nx.DiGraph)
t3 = time.perf_counter()
comms = nx.community.louvain_communities(g.to_undirected(), weight="weight",
                                         seed=int(sys.argv[3]))
t4 = time.perf_counter()
pr = nx.pagerank(g, weight="weight")
t5 = time.perf_counter()
out = pd.DataFrame([(p, c) for c, members in enumerate(comms) for p in members],
                   columns=["person", "community"])
out["pagerank"] = out["person"].map(pr)
out = out.sort_values(["community", "pagerank"], ascending=[True, False])
out["rank"] = out.groupby("community").cumcount() + 1
out.to_csv(sys.argv[2], index=False)
t6 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "read_csv": t2 - t1, "graph": t3 - t2, "louvain": t4 - t3,
                  "pagerank": t5 - t4, "write": t6 - t5, "communities": len(comms)}))
"""


@dataclass
class Measured:
    """One child process: wall and CPU (user + system) seconds, peak RSS (bytes), exit code,
    stdout. CPU seconds are the steadier figure when the machine is shared."""

    wall: float
    cpu: float
    peak: int
    rc: int
    stdout: str

    def child_json(self) -> dict:
        return json.loads(self.stdout.strip().splitlines()[-1])


def measure(args: list[str], workdir: Path, tag: str, tree: Path = REPO) -> Measured:
    """Run ``python args`` as a child (with the checkout ``tree`` first on its path and as its
    working directory, which ``python -c`` puts before everything else on the path), through
    :data:`TIMER`, which times it and reads its peak RSS from ``os.wait4``. (Measured
    straight from this process, the peak would be wrong: on Linux a child's ``ru_maxrss``
    starts from the RSS of the process that forked it, and this one holds the generated log.)"""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), env.get("PYTHONPATH")]))
    out, err, stat = (workdir / f"{tag}.{x}" for x in ("stdout", "stderr", "json"))
    cmd = [sys.executable, "-c", TIMER, str(stat), sys.executable, *args]
    with open(out, "wb") as fo, open(err, "wb") as fe:
        rc = subprocess.run(cmd, stdout=fo, stderr=fe, env=env, cwd=tree, check=False).returncode
    if rc != 0:
        sys.exit(f"{tag} failed (exit {rc}):\n{err.read_text()[-3000:]}")
    st = json.loads(stat.read_text())
    peak = max(st["maxrss_kib"], st.get("tree_pss_kib", 0)) * 1024  # see TIMER
    return Measured(st["wall"], st["cpu"], peak, rc, out.read_text())


def gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def run_nichegraph(log: Path, out: Path, seed: int, workdir: Path, tag: str) -> Measured:
    if out.exists():
        shutil.rmtree(out)
    return measure(
        ["-c", NICHEGRAPH, "run", str(log), "-o", str(out), "-q", "--seed", str(seed)], workdir, tag
    )


def stage_table(m: Measured, out: Path, startup: Measured) -> list[dict]:
    """Per-stage rows from run.json, plus what they do not cover: start-up (interpreter and
    imports, timed in a child of its own) and the rest (writing the run folder, exit)."""
    timings = json.loads((out / "run.json").read_text())["timings"]
    rows = [
        {"stage": "start-up", "seconds": round(startup.wall, 3), "peak_mb": startup.peak / 2**20}
    ]
    rows += [
        {"stage": k, "seconds": v["seconds"], "peak_mb": v["peak_rss_mb"]}
        for k, v in timings.items()
    ]
    rest = m.wall - sum(r["seconds"] for r in rows)
    rows.append({"stage": "write + exit", "seconds": round(rest, 3), "peak_mb": m.peak / 2**20})
    rows.append({"stage": "total (wall)", "seconds": round(m.wall, 3), "peak_mb": m.peak / 2**20})
    return rows


def print_table(rows: list[dict]) -> None:
    print(f"  {'stage':<18} {'seconds':>8} {'peak RSS so far':>16}")
    for r in rows:
        print(f"  {r['stage']:<18} {r['seconds']:>8.2f} {r['peak_mb']:>12.0f} MiB")


def nmi(found: pd.Series, truth: pd.Series) -> tuple[float, int]:
    """NMI over the people present in both (labels of any type); and how many that is."""
    common = found.index.intersection(truth.index)
    a = pd.factorize(found[common])[0]
    b = pd.factorize(truth[common])[0]
    return float(ig.compare_communities(a.tolist(), b.tolist(), method="nmi")), len(common)


def read_people(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"person": str, "path": str}, keep_default_na=False)


def score(found: pd.Series, rank: pd.Series, truth: pd.DataFrame) -> dict:
    """Accuracy of a partition ``found`` (person -> label) with in-group ranks ``rank``
    (person -> 1, 2, ...): NMI against the planted segments, and the share of planted segments
    whose rank-1 influencer sits in the group holding most of the segment's members with a
    found rank of at most 3 (the definition of ``tests/test_accuracy.py``)."""
    nmi_score, people = nmi(found, truth.set_index("person")["segment"])
    present = truth[truth["person"].isin(found.index)]
    hits = []
    for _, members in present.groupby("segment"):
        stars = members.loc[members["influencer_rank"] == 1, "person"]
        if stars.empty:
            continue
        home = found[members["person"]].value_counts().idxmax()
        star = stars.iloc[0]
        hits.append(bool(found[star] == home and rank.get(star, np.inf) <= 3))
    star_top3 = float(np.mean(hits)) if hits else float("nan")
    return {"nmi": nmi_score, "people": people, "star_top3": star_top3, "segments": len(hits)}


def accuracy(out: Path, truth: pd.DataFrame) -> dict:
    """:func:`score` of a run folder's leaf segments (segments.csv, fringe = one group) and
    influencer ranks (influencers.csv)."""
    seg = read_people(out / "segments.csv").set_index("person")["segment"]
    ranks = read_people(out / "influencers.csv").set_index("person")["rank"]
    return score(seg, ranks, truth)


def analyst_accuracy(path: Path, truth: pd.DataFrame) -> dict:
    """:func:`score` of the analyst baseline's Louvain communities and PageRank ranks."""
    found = read_people(path).set_index("person")
    return score(found["community"], found["rank"], truth)


def profile_stages(log: Path, out: Path, seed: int, folder: Path, top: int = 12) -> None:
    """Run ``analyze`` in-process with one cProfile per stage; print each stage's hotspots."""
    from nichegraph.pipeline import analyze

    folder.mkdir(parents=True, exist_ok=True)
    profs: dict[str, cProfile.Profile] = {}

    def progress(stage: str, event: str, seconds: float) -> None:
        if event == "start":
            profs[stage] = cProfile.Profile()
            profs[stage].enable()
        else:
            profs[stage].disable()

    if out.exists():
        shutil.rmtree(out)
    analyze(str(log), outdir=out, progress=progress, seed=seed)
    print(f"\n== profile (cProfile per stage; files in {folder}) ==")
    for stage, prof in profs.items():
        path = folder / f"{stage}.prof"
        prof.dump_stats(path)
        st = pstats.Stats(str(path))
        total = st.total_tt  # type: ignore[attr-defined]
        print(f"\n-- {stage}: {total:.2f} s profiled; top {top} by own time --")
        rows = sorted(st.stats.items(), key=lambda kv: -kv[1][2])[:top]  # type: ignore[attr-defined]
        print(f"  {'own s':>7} {'cum s':>7} {'calls':>9}  function")
        for (file, line, func), (_cc, nc, tt, ct, _callers) in rows:
            where = file.replace(str(REPO) + "/", "").split("site-packages/")[-1]
            print(f"  {tt:>7.2f} {ct:>7.2f} {nc:>9}  {func} ({where}:{line})")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="log rows (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=0, help="generator and run seed (default 0)")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder (log, outputs)")
    ap.add_argument("--repeat", type=int, default=1, help="time nichegraph N times; report best")
    ap.add_argument(
        "--analyst-rows",
        type=int,
        default=None,
        help=f"rows for the networkx baseline (default: all up to "
        f"{ANALYST_FULL_MAX:,}, else a {ANALYST_PREFIX:,}-row prefix)",
    )
    ap.add_argument("--no-baselines", action="store_true", help="skip both baselines")
    ap.add_argument("--profile", type=Path, default=None, help="also profile in-process; DIR")
    ap.add_argument("--json", type=Path, default=None, help="write all figures to this file")
    a = ap.parse_args(argv)
    rows = a.rows
    n_segments = max(2, round(2_000 * rows / 1_000_000))
    work = Path(tempfile.mkdtemp(prefix="nichegraph-bench-"))
    report: dict = {
        "rows": rows,
        "seed": a.seed,
        "n_segments": n_segments,
        "machine": f"{os.cpu_count()} cores, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    try:
        print(f"== generate: {rows:,} rows, {n_segments:,} planted segments, seed {a.seed} ==")
        t0 = time.perf_counter()
        sample = generate_log(
            n_segments=n_segments, n_rows=rows, min_size=10, max_size=500, text=True, seed=a.seed
        )
        t1 = time.perf_counter()
        log = write_csv_gz(sample.log, work / "log.csv.gz")
        t2 = time.perf_counter()
        truth = sample.truth
        size = log.stat().st_size
        print(
            f"  generated in {t1 - t0:.1f} s, written in {t2 - t1:.1f} s: {log} "
            f"({size / 2**20:.1f} MiB, {len(truth):,} people)"
        )
        report["generate"] = {
            "seconds": t1 - t0,
            "write_seconds": t2 - t1,
            "bytes": size,
            "people": len(truth),
        }
        del sample

        print(f"\n== nichegraph run ({a.repeat} run(s)) ==")
        out = work / "out"
        runs = [run_nichegraph(log, out, a.seed, work, f"run{i}") for i in range(a.repeat)]
        walls = [m.wall for m in runs]
        best = runs[int(np.argmin(walls))]
        print(
            "  wall (CPU) seconds: "
            + ", ".join(f"{m.wall:.1f} ({m.cpu:.1f})" for m in runs)
            + ("; stages below: the last run" if a.repeat > 1 else "")
        )  # each run replaces OUT, so the stage table is the last run's
        startup = min(
            (measure(["-c", STARTUP], work, f"startup{i}") for i in range(3)), key=lambda m: m.wall
        )  # the best of 3: start-up is short and the noise is not
        table = stage_table(runs[-1], out, startup)
        print_table(table)
        report["nichegraph"] = {
            "walls": walls,
            "cpus": [m.cpu for m in runs],
            "peak_bytes": max(m.peak for m in runs),
            "stages": table,
        }

        print("\n== accuracy vs planted truth ==")
        acc = accuracy(out, truth)
        print(f"  NMI(leaf segments, planted)      {acc['nmi']:.3f}  ({acc['people']:,} people)")
        print(
            f"  planted star in found top 3      {acc['star_top3']:.1%}  "
            f"of {acc['segments']:,} planted segments"
        )
        report["accuracy"] = acc

        floor = analyst = ng_small = None
        if not a.no_baselines:
            print("\n== baseline: I/O floor (pandas read_csv + groupby source,target) ==")
            floor = measure(["-c", FLOOR, str(log)], work, "floor")
            f = floor.child_json()
            print(
                f"  wall {floor.wall:.2f} s, CPU {floor.cpu:.2f} s (read_csv {f['read_csv']:.2f} s"
                f", groupby {f['groupby']:.2f} s), peak {gib(floor.peak)}"
            )
            report["floor"] = {"wall": floor.wall, "cpu": floor.cpu, "peak_bytes": floor.peak, **f}

            n_an = a.analyst_rows or (rows if rows <= ANALYST_FULL_MAX else ANALYST_PREFIX)
            n_an = min(n_an, rows)
            an_log = log
            print(
                f"\n== baseline: analyst pipeline (pandas + networkx Louvain + PageRank) "
                f"at {n_an:,} rows =="
            )
            if n_an < rows:
                head = pd.read_csv(log, nrows=n_an, dtype=str, keep_default_na=False)
                an_log = work / "prefix.csv.gz"
                write_csv_gz(head, an_log)
            analyst = measure(
                ["-c", ANALYST, str(an_log), str(work / "analyst.csv"), str(a.seed)],
                work,
                "analyst",
            )
            j = analyst.child_json()
            print(
                f"  wall {analyst.wall:.2f} s, CPU {analyst.cpu:.2f} s (read {j['read_csv']:.2f}"
                f", graph {j['graph']:.2f}, louvain {j['louvain']:.2f}, pagerank "
                f"{j['pagerank']:.2f}), peak {gib(analyst.peak)}; {j['communities']:,} communities"
            )
            an_acc = analyst_accuracy(work / "analyst.csv", truth)
            print(
                f"  NMI {an_acc['nmi']:.3f}; planted star in its community's top 3 by "
                f"PageRank: {an_acc['star_top3']:.1%}"
            )
            report["analyst"] = {
                "rows": n_an,
                "wall": analyst.wall,
                "cpu": analyst.cpu,
                "peak_bytes": analyst.peak,
                **j,
                "accuracy": an_acc,
            }
            ng_small = best
            if an_log != log:
                ng_small = run_nichegraph(an_log, work / "out_prefix", a.seed, work, "prefix")
                small_acc = accuracy(work / "out_prefix", truth)
                print(
                    f"  nichegraph on the same {n_an:,}-row prefix: {ng_small.wall:.2f} s, "
                    f"peak {gib(ng_small.peak)}, NMI {small_acc['nmi']:.3f}, planted star in "
                    f"top 3: {small_acc['star_top3']:.1%}"
                )
                report["nichegraph_prefix"] = {
                    "wall": ng_small.wall,
                    "cpu": ng_small.cpu,
                    "peak_bytes": ng_small.peak,
                    "accuracy": small_acc,
                }

        if a.profile:
            profile_stages(log, work / "out_profile", a.seed, a.profile)

        wall, peak = min(walls), max(m.peak for m in runs)
        print("\n== summary ==")
        cpu = best.cpu
        line = f"end-to-end {rows:,} rows: {wall:.1f} s (CPU {cpu:.1f} s), peak {gib(peak)}"
        if rows == TARGET_ROWS:
            ok = wall < TARGET_SECONDS and peak < TARGET_GIB * 2**30
            line += (
                f" (target < {TARGET_SECONDS:.0f} s, < {TARGET_GIB:.0f} GiB: "
                f"{'met' if ok else 'MISSED'})"
            )
        print(line)
        print(
            f"accuracy: NMI {acc['nmi']:.3f}, planted star in top 3 for "
            f"{acc['star_top3']:.1%} of {acc['segments']:,} planted segments"
        )
        if floor:
            print(
                f"vs I/O floor ({floor.wall:.1f} s, CPU {floor.cpu:.1f} s): nichegraph takes "
                f"{wall / floor.wall:.1f}x the wall time, {cpu / floor.cpu:.1f}x the CPU time"
            )
        if analyst and ng_small:
            n_an = report["analyst"]["rows"]
            print(
                f"vs analyst pipeline at {n_an:,} rows ({analyst.wall:.1f} s, peak "
                f"{gib(analyst.peak)}) vs nichegraph ({ng_small.wall:.1f} s): the analyst "
                f"pipeline takes {analyst.wall / ng_small.wall:.1f}x the wall time, "
                f"{analyst.cpu / ng_small.cpu:.1f}x the CPU time"
            )
        if a.json:
            a.json.write_text(json.dumps(report, indent=2, default=float) + "\n")
            print(f"figures written to {a.json}")
    finally:
        if a.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
