"""``nichegraph run`` against a C-level floor pipeline, side by side, at 1M and 10M rows and Higgs.

Run from the repository root (this checkout's ``nichegraph`` is the one measured)::

    nice python bench/bench_scale.py                          # 1M rows + the Higgs log
    nice python bench/bench_scale.py --rows 1000000,10000000  # also 10M (about half an hour)
    nice python bench/bench_scale.py --rows 1000000,10000000 --logs /data/logs  # reuse the logs
    python bench/bench_scale.py --rows 100000 --no-higgs      # a quick look
    python bench/bench_scale.py --tree /tmp/main-tree         # measure another checkout

For every log, each command runs in a child process of its own (wall time, CPU time and peak
RSS from ``os.wait4``, as in ``bench_run.py``):

* **floor** (:data:`FLOOR`): pyarrow CSV read, aggregation into weighted directed ties with
  numpy, the symmetrised graph, igraph's C Leiden (modularity, 2 iterations), PageRank within
  each community (scipy CSR power iteration on the within-community ties) and the top 10 per
  community written as CSV. What a careful hand-written pipeline of C-level calls costs.
* **nichegraph**: ``nichegraph run LOG -o OUT -q --seed S`` with the defaults (every measure,
  profiles and flows, the whole run folder); per-stage seconds and peak RSS from ``run.json``,
  plus ``import`` (interpreter start and the modules a run imports, the best of three children
  of their own, :data:`STARTUP`; the measured checkout is byte-compiled first, as ``pip
  install`` leaves it) and ``write`` (the rest of the wall time: writing the run
  folder, and the exit), so the stages add up to the total.

It prints one table: rows, the floor's time and peak, nichegraph's, their ratio, peak / the
log's Arrow size (the in-memory size of the whole table as pyarrow reads it), the per-stage
seconds, and the growth in time between the first and last generated size for both. Generated
logs (``nichegraph.synth.generate_log``, ``text=False``; ``--realistic`` for heavy-tailed
activity) are written as plain CSV; the Higgs log is read as
``--sep ' ' --no-header --columns source,target,timestamp,kind``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from bench_run import measure  # noqa: E402

HIGGS = Path("/work/shared/datasets/higgs-twitter/higgs-activity_time.txt.gz")
HIGGS_ARGS = ["--sep", " ", "--no-header", "--columns", "source,target,timestamp,kind"]

STARTUP = """
import nichegraph.__main__ as entry
getattr(entry, "_igraph_without_pyplot", lambda: None)()  # as the command loads igraph
import nichegraph.cli, nichegraph.pipeline, nichegraph.terminal, nichegraph.report.render
"""  # what `nichegraph run` imports (interpreter start included)
FLOOR = r"""
import json, random, sys, time
t0 = time.perf_counter()
import igraph as ig, numpy as np, pyarrow as pa, pyarrow.compute as pc, pyarrow.csv as pv
import scipy.sparse as sp
path, out, seed, higgs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
T = {}
t = time.perf_counter(); T["import"] = t - t0
if higgs:
    tab = pv.read_csv(path, read_options=pv.ReadOptions(
        column_names=["source", "target", "timestamp", "kind"]),
        parse_options=pv.ParseOptions(delimiter=" "),
        convert_options=pv.ConvertOptions(column_types={"source": pa.string(),
                                                        "target": pa.string()}))
else:
    tab = pv.read_csv(path)
arrow_bytes = tab.nbytes
t1 = time.perf_counter(); T["read"] = t1 - t
both = pa.chunked_array(tab["source"].chunks + tab["target"].chunks).combine_chunks()
enc = pc.dictionary_encode(both)
names, codes = enc.dictionary, enc.indices.to_numpy().astype(np.int64)
del both, enc
n, rows = len(names), len(tab)
src, dst = codes[:rows], codes[rows:]
keep = src != dst
key, w = np.unique(src[keep] * n + dst[keep], return_counts=True)
s, d, w = key // n, key % n, w.astype(float)
t2 = time.perf_counter(); T["aggregate"] = t2 - t1
lo, hi = np.minimum(s, d), np.maximum(s, d)
ukey, inv = np.unique(lo * n + hi, return_inverse=True)
uw = np.bincount(inv, weights=w)
und = ig.Graph(n=n, edges=list(zip((ukey // n).tolist(), (ukey % n).tolist())), directed=False)
und.es["weight"] = uw.tolist()
t3 = time.perf_counter(); T["graph"] = t3 - t2
random.seed(seed)
memb = np.asarray(und.community_leiden(objective_function="modularity", weights="weight",
                                       n_iterations=2).membership)
t4 = time.perf_counter(); T["leiden"] = t4 - t3
same = memb[s] == memb[d]
ss, dd, ww = s[same], d[same], w[same]
out_w = np.bincount(ss, weights=ww, minlength=n)
size = np.bincount(memb)
P = sp.csr_matrix((ww / out_w[ss], (dd, ss)), shape=(n, n))
x = 1.0 / size[memb]
dangling = out_w == 0
for _ in range(100):
    dmass = np.bincount(memb, weights=x * dangling, minlength=len(size))
    nx_ = 0.85 * (P @ x + dmass[memb] / size[memb]) + 0.15 / size[memb]
    done = np.abs(nx_ - x).sum() < 1e-9 * len(size)
    x = nx_
    if done:
        break
t5 = time.perf_counter(); T["pagerank"] = t5 - t4
order = np.lexsort((-x, memb))
starts = np.searchsorted(memb[order], memb[order])
rank = np.arange(n) - starts
top = order[rank < 10]
with open(out, "w") as fh:
    fh.write("community,rank,person,pagerank\n")
    fh.writelines(f"{c},{r + 1},{p},{v:.6g}\n" for c, r, p, v in zip(
        memb[top].tolist(), rank[rank < 10].tolist(), names.take(pa.array(top)).to_pylist(),
        x[top].tolist()))
T["top10"] = time.perf_counter() - t5
print(json.dumps({"stages": T, "arrow_bytes": arrow_bytes, "people": n, "ties": len(w),
                  "communities": len(size)}))
"""


def generated_log(rows: int, seed: int, realistic: bool, work: Path) -> Path:
    """Write a generated log of ``rows`` rows as CSV (2,000 planted segments per 1M rows)."""
    from nichegraph.synth import generate_log

    kw: dict = {"text": False, "seed": seed}
    if realistic:
        kw |= {"activity": "zipf", "max_size": 5_000}
    n_segments = max(2, round(2_000 * rows / 1_000_000))
    log = generate_log(n_segments=n_segments, n_rows=rows, **kw).log
    path = work / f"log_{rows}.csv"
    log.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
    return path


def one(label: str, log: Path, extra: list[str], higgs: bool, a: argparse.Namespace,
        work: Path) -> dict:  # fmt: skip
    """Floor and nichegraph on one log; returns the row of the table."""
    tree = a.tree or REPO
    floor = measure(
        ["-c", FLOOR, str(log), str(work / "floor.csv"), str(a.seed), "1" if higgs else "0"],
        work, f"floor-{label}", tree,
    )  # fmt: skip
    f = floor.child_json()
    out = work / f"out-{label}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = ["-m", "nichegraph", "run", str(log), "-o", str(out)]  # as the `nichegraph` command
    ng = measure([*cmd, *extra, "-q", "--seed", str(a.seed), *a.run_args], work,
                 f"run-{label}", tree)  # fmt: skip
    timings = json.loads((out / "run.json").read_text())["timings"]
    startup = min((measure(["-c", STARTUP], work, f"startup{i}", tree) for i in range(3)),
                  key=lambda m: m.wall)  # fmt: skip
    stages = {"import": startup.wall, **{k: v["seconds"] for k, v in timings.items()}}
    stages["write"] = ng.wall - sum(stages.values())  # the run folder, and the exit
    row = {
        "log": label,
        "people": f["people"],
        "ties": f["ties"],
        "arrow_mib": f["arrow_bytes"] / 2**20,
        "floor_s": floor.wall,
        "floor_cpu": floor.cpu,
        "floor_mib": floor.peak / 2**20,
        "floor_stages": f["stages"],
        "run_s": ng.wall,
        "run_cpu": ng.cpu,
        "run_mib": ng.peak / 2**20,
        "stages": stages,
    }
    row["ratio"] = row["run_s"] / row["floor_s"]
    row["peak_x"] = row["run_mib"] / row["arrow_mib"]
    print(
        f"  {label}: floor {floor.wall:.1f} s ({floor.peak / 2**20:,.0f} MiB), nichegraph "
        f"{ng.wall:.1f} s ({ng.peak / 2**20:,.0f} MiB) -> {row['ratio']:.1f}x; stages "
        + ", ".join(f"{k} {v:.1f}" for k, v in row["stages"].items()),
        flush=True,
    )
    return row


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", default="1000000", help="comma-separated sizes (default 1000000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--realistic", action="store_true", help="heavy-tailed generated activity")
    ap.add_argument("--no-higgs", action="store_true", help="skip the Higgs log")
    ap.add_argument("--tree", type=Path, default=None, help="checkout to measure (default: this)")
    ap.add_argument("--run-args", default="", help="extra options for nichegraph run")
    ap.add_argument("--json", type=Path, default=None, help="write every figure to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--logs", type=Path, default=None,
                    help="folder keeping the generated logs (log_ROWS.csv) to reuse")  # fmt: skip
    a = ap.parse_args(argv)
    a.run_args = a.run_args.split()
    a.tree, a.logs = (x.resolve() if x else None for x in (a.tree, a.logs))  # child cwd: tree
    # byte-compiled first, as `pip install` does: where PYTHONDONTWRITEBYTECODE is set (this
    # machine), each run would compile the package's sources again (0.3-0.5 s per run)
    compileall.compile_dir(str((a.tree or REPO) / "nichegraph"), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="nichegraph-scale-"))
    table = []
    try:
        for rows in [int(x) for x in a.rows.split(",") if x]:
            t0 = time.perf_counter()
            kept = a.logs / f"log_{rows}.csv" if a.logs else None
            if kept is not None and kept.exists() and not a.realistic:
                log = kept  # generated before with the same seed
            else:
                log = generated_log(rows, a.seed, a.realistic, a.logs or work)
                print(f"generated {rows:,} rows in {time.perf_counter() - t0:.0f} s", flush=True)
            table.append(one(f"{rows:,}", log, [], False, a, work))
            if a.logs is None:
                log.unlink()
        if not a.no_higgs and HIGGS.exists():
            table.append(one("higgs", HIGGS, HIGGS_ARGS, True, a, work))
        print_table(table)
        if a.json:
            a.json.write_text(json.dumps(table, indent=2) + "\n")
    finally:
        if a.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def print_table(table: list[dict]) -> None:
    """The summary: one line per log, then the growth between the first and last sizes."""
    print(
        "\n| log | people | ties | floor | nichegraph | ratio (CPU) | peak / Arrow | stages (s) |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    for r in table:
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
        print(
            f"| {r['log']} | {r['people']:,} | {r['ties']:,} | {r['floor_s']:.1f} s, "
            f"{r['floor_mib']:,.0f} MiB | {r['run_s']:.1f} s, {r['run_mib']:,.0f} MiB | "
            f"{r['ratio']:.1f}x ({r['run_cpu'] / r['floor_cpu']:.1f}x) | "
            f"{r['peak_x']:.1f}x of {r['arrow_mib']:,.0f} MiB | {stages} |"
        )
    gen = [r for r in table if r["log"] != "higgs"]
    if len(gen) > 1:
        f0, f1 = gen[0], gen[-1]
        print(
            f"\ntime growth {f0['log']} -> {f1['log']} rows: floor "
            f"{f1['floor_s'] / f0['floor_s']:.1f}x, nichegraph {f1['run_s'] / f0['run_s']:.1f}x "
            f"(CPU: {f1['floor_cpu'] / f0['floor_cpu']:.1f}x, {f1['run_cpu'] / f0['run_cpu']:.1f}x)"
        )


if __name__ == "__main__":
    main()
