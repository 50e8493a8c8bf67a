"""Benchmark the aggregation engines: built-in (pandas/numpy) vs DuckDB vs Spark, and DuckDB
out of core.

Run from the repository root, under ``nice`` (the machine is shared)::

    nice python bench/bench_engines.py --rows 1000000            # the run default decision
    nice python bench/bench_engines.py --rows 10000000 --spark   # in-memory times, + Spark
    nice python bench/bench_engines.py --rows 100000000 --memory-limit 1GB \
        --generator duckdb --only duckdb-file --work /scratch/bench   # out of core

Steps: write a fixed-seed generated log (``source``, ``target``, ``kind``, ``timestamp``) as
Parquet parts: ``--generator numpy`` (default) 1 person per 100 rows, each acting mostly within
a block of 30 people, 5% anywhere, parts of 2M rows; ``--generator duckdb``
(:func:`heavy_tailed_sql`, written by DuckDB in a few minutes at 100M rows) heavy-tailed
activity and popularity, ~46% of the rows distinct ties. Then time each variant in its own
subprocess: wall and CPU seconds and peak RSS of the whole process (``os.wait4``), and for
``duckdb-file`` the peak size of the spill folder (polled every 0.5 s):

- ``builtin``: ``read_interactions`` + ``build_graph`` (read and aggregation timed apart);
- ``duckdb-memory``: the same canonical table, aggregated by the DuckDB query in memory;
- ``duckdb-file``: ``aggregate_duckdb`` on the Parquet folder (``--memory-limit LIMIT``: with
  that memory limit and a spill folder), edge table written as Parquet parts; then, without a
  limit, ``read_edges``;
- ``spark``: ``aggregate_spark`` in ``local[2]`` on the Parquet folder, written as Parquet.

Every variant uses ``--half-life 30d``. Results are printed and, with ``--json``, saved.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHUNK = 2_000_000
KINDS = np.array(["reply", "comment", "like", "retweet", "mention", "quote"])
HALF_LIFE = "30d"


def _names(ids: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise("u", pa.array(ids).cast(pa.string()), "")


def write_log(folder: Path, rows: int, seed: int = 0) -> None:
    """Fixed-seed Parquet parts of ``CHUNK`` rows (each part from its own seed)."""
    folder.mkdir(parents=True)
    people = max(rows // 100, 100)
    start = np.datetime64("2026-01-01T00:00:00", "us").astype(np.int64)
    span = 90 * 86_400 * 1_000_000
    for i, lo in enumerate(range(0, rows, CHUNK)):
        n = min(CHUNK, rows - lo)
        rng = np.random.default_rng([seed, i])
        src = rng.integers(0, people, n)
        tgt = (src // 30) * 30 + rng.integers(0, 30, n)
        anywhere = rng.random(n) < 0.05
        tgt[anywhere] = rng.integers(0, people, int(anywhere.sum()))
        tgt %= people
        ts = start + rng.integers(0, span, n)
        table = pa.table(
            {
                "source": _names(src),
                "target": _names(tgt),
                "kind": pa.array(
                    KINDS[rng.choice(len(KINDS), n, p=[0.2, 0.2, 0.3, 0.1, 0.15, 0.05])]
                ),
                "timestamp": pa.array(ts.astype("datetime64[us]")).cast(pa.timestamp("us", "UTC")),
            }
        )
        pq.write_table(table, folder / f"part-{i:04d}.parquet")


def _uniform(k: int, seed: int) -> str:
    """A fixed-seed uniform [0, 1) draw per row ``i`` (DuckDB's hash, so any thread order)."""
    return f"((hash(i * 8 + {k} + {seed} * 1099511627776) >> 11)::DOUBLE / 9007199254740992.0)"


def heavy_tailed_sql(rows: int, seed: int = 0) -> str:
    """The query of a heavy-tailed log of ``rows`` rows (1 person per 100 rows): activity
    ~ u^2.5 (a few very active people), 75% of targets within a block of 30 people around the
    source (u^2 within it), 25% anywhere with popularity ~ u^3; ids scattered over the names.
    About 46% of the rows are distinct (source, target) ties, 2.7% self-loops."""
    n = max(rows // 100, 100)
    u = [_uniform(k, seed) for k in range(5)]
    active = f"floor({n} * pow({u[0]}, 2.5))::BIGINT"
    kinds = [("reply", 0.2), ("comment", 0.4), ("like", 0.7), ("retweet", 0.8), ("mention", 0.95)]
    kind = " ".join(f"WHEN {u[3]} < {p} THEN '{k}'" for k, p in kinds)
    return f"""
    WITH ids AS (
      SELECT i, {active} AS s,
        CASE WHEN {u[1]} < 0.75 THEN ({active} // 30) * 30 + floor(30 * pow({u[2]}, 2))::BIGINT
             ELSE floor({n} * pow({u[2]}, 3))::BIGINT END AS t
      FROM range({rows}) r(i))
    SELECT 'u' || ((s * 1000003) % {n})::VARCHAR AS source,
      'u' || (((t % {n}) * 1000003) % {n})::VARCHAR AS target,
      CASE {kind} ELSE 'quote' END AS kind,
      TIMESTAMPTZ '2026-01-01 00:00:00+00'
        + to_microseconds((({u[4]}) * 7776000000000)::BIGINT) AS "timestamp"
    FROM ids"""


def write_log_sql(folder: Path, rows: int, seed: int = 0) -> None:
    """:func:`heavy_tailed_sql` written by DuckDB as Parquet parts of about 64 MB (fast: the
    100M-row log in a few minutes)."""
    import duckdb

    folder.mkdir(parents=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"COPY ({heavy_tailed_sql(rows, seed)}) TO '{folder}' "
        "(FORMAT parquet, PER_THREAD_OUTPUT, FILE_SIZE_BYTES '64MB', OVERWRITE_OR_IGNORE)"
    )
    con.close()


def child(variant: str, logs: str, work: str, limit: str | None) -> dict:
    """One variant, in this process: wall seconds per step."""
    import nichegraph as ng
    from nichegraph.graph.edges import read_edges
    from nichegraph.graph.engines import Aggregation, aggregate_duckdb

    out: dict = {}
    t0 = time.perf_counter()
    if variant in ("builtin", "duckdb-memory"):
        inter = ng.read_interactions(logs)
        out["read_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        if variant == "builtin":
            g = ng.build_graph(inter, half_life=HALF_LIFE)
            out["edges"] = g.n_edges
        else:
            import duckdb

            con = duckdb.connect()
            con.register("interactions", pa.Table.from_pandas(inter.table, preserve_index=False))
            kinds = sorted(set(inter.table["kind"]))
            edges = con.sql(
                Aggregation.make(half_life=HALF_LIFE).sql(
                    "duckdb", kinds=kinds, weights="weight" in inter.table
                )
            )
            out["edges"] = edges.to_arrow_table().num_rows
        out["aggregate_s"] = time.perf_counter() - t1
    elif variant == "duckdb-file":
        target = Path(work) / "edges-duckdb"
        done = aggregate_duckdb(
            logs, half_life=HALF_LIFE, out=target, memory_limit=limit,
            temp_dir=Path(work) / "spill",
        )  # fmt: skip
        out["aggregate_s"] = time.perf_counter() - t0
        out.update(edges=done.report.edges, people=done.report.nodes, passes=done.passes)
        out["rows_used"] = done.report.rows_used
        if limit is None and done.report.edges <= 50_000_000:
            t1 = time.perf_counter()
            read_edges(target)
            out["read_edges_s"] = time.perf_counter() - t1
    elif variant == "spark":
        from nichegraph.graph.engines.spark import aggregate_spark, spark_session

        spark = spark_session(
            "bench", **{"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "8",
                        "spark.driver.memory": "6g"},
        )  # fmt: skip
        out["start_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        frame = spark.read.parquet(logs)
        aggregate_spark(frame, half_life=HALF_LIFE).write.parquet(str(Path(work) / "edges-spark"))
        out["aggregate_s"] = time.perf_counter() - t1
        parts = (Path(work) / "edges-spark").glob("*.parquet")
        out["edges"] = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
        spark.stop()
    return out


def _size(folder: Path) -> int:
    """Bytes of the files under ``folder`` (0 if it is gone)."""
    total = 0
    for root, _, files in os.walk(folder):
        for f in files:
            with contextlib.suppress(OSError):  # a spill file removed while walking
                total += os.stat(os.path.join(root, f)).st_size
    return total


def run_variant(variant: str, logs: Path, work: Path, limit: str | None) -> dict:
    """One variant in a child process: its result, wall and CPU seconds, peak RSS (``wait4``)
    and the peak size of its spill folder."""
    cmd = [sys.executable, __file__, "--child", variant, "--logs", str(logs), "--work", str(work)]
    if limit:
        cmd += ["--memory-limit", limit]
    out, err = work / f"{variant}.out", work / f"{variant}.err"
    t0 = time.perf_counter()
    with open(out, "w") as fo, open(err, "w") as fe:
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe)
        spill_peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            spill_peak = max(spill_peak, _size(work / "spill"))
            time.sleep(0.5)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        return {"variant": variant, "error": err.read_text().strip().splitlines()[-1:]}
    res = json.loads(out.read_text().strip().splitlines()[-1])
    res.update(
        variant=variant, wall_s=round(wall, 2), cpu_s=round(usage.ru_utime + usage.ru_stime, 1),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1), spill_peak_mb=round(spill_peak / 2**20),
    )  # fmt: skip
    if limit:
        res["memory_limit"] = limit
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--spark", action="store_true", help="also time Spark local[2]")
    ap.add_argument("--only", default=None, help="comma-separated variants")
    ap.add_argument("--memory-limit", "--out-of-core", dest="out_of_core", default=None,
                    metavar="LIMIT", help="memory limit of duckdb-file (e.g. 1GB)")  # fmt: skip
    ap.add_argument("--generator", choices=["numpy", "duckdb"], default="numpy",
                    help="the generated log (see above)")  # fmt: skip
    ap.add_argument("--work", default=None, help="folder for the log and outputs (kept)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--logs", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        res = child(args.child, args.logs, args.work, args.out_of_core)
        print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in res.items()}))
        return
    work = Path(args.work or tempfile.mkdtemp(prefix="ng-bench-engines-"))
    logs = work / f"log-{args.rows}-{args.seed}" if args.generator == "numpy" else (
        work / f"log-{args.generator}-{args.rows}-{args.seed}"
    )  # fmt: skip
    if not logs.exists():
        t0 = time.perf_counter()
        (write_log if args.generator == "numpy" else write_log_sql)(logs, args.rows, args.seed)
        print(f"wrote {args.rows:,} rows to {logs} in {time.perf_counter() - t0:.1f} s "
              f"({sum(p.stat().st_size for p in logs.iterdir()) / 2**20:.0f} MiB)")  # fmt: skip
    variants = ["builtin", "duckdb-memory", "duckdb-file"] + (["spark"] if args.spark else [])
    if args.only:
        variants = args.only.split(",")
    results = []
    for v in variants:
        for stale in ("edges-duckdb", "edges-spark", "spill"):
            shutil.rmtree(work / stale, ignore_errors=True)
        res = run_variant(v, logs, work, args.out_of_core if v == "duckdb-file" else None)
        print(json.dumps(res))
        results.append(res)
    summary = {"rows": args.rows, "seed": args.seed, "generator": args.generator,
               "cpus": os.cpu_count(), "results": results}  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
