"""Benchmark ``run --stability N`` (and optionally ``--resolution auto``) against a plain run.

Run from the repository root (this checkout's ``nichegraph`` is the one measured)::

    python bench/bench_stability.py                      # 1,000,000 rows, 2,000 segments
    python bench/bench_stability.py --rows 100000 --segments 200 --auto

Steps: generate a log with planted segments (``nichegraph.synth.generate_log``, no text, seed
0), write it as Parquet, then run ``nichegraph run`` on it in a fresh process per variant (plain;
``--stability N``; with ``--auto`` also ``--resolution auto``) and report the wall seconds, the
CPU seconds of the child (robust when the machine is shared), its peak RSS, the per-stage
timings from ``run.json`` and, for the stability run, its summary (mean stability, unstable
segments, share of people with confidence >= 0.9).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nichegraph.synth import generate_log  # noqa: E402

RUN = "from nichegraph.cli import main; main()"


def measure(log: Path, out: Path, *extra: str) -> dict:
    """Run ``nichegraph run LOG -o OUT EXTRA`` in a fresh process; wall, CPU, peak, run.json."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", RUN, "run", str(log), "-o", str(out), "-q", *extra],
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": ""},
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    manifest = json.loads((out / "run.json").read_text())
    return {
        "wall_s": round(wall, 1),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "peak_rss_mb": round(after.ru_maxrss / 1024),  # running max over the children
        "own_peak_rss_mb": max(v["peak_rss_mb"] for v in manifest["timings"].values()),
        "segments": manifest["segmentation"]["segments"],
        "stages_s": {k: v["seconds"] for k, v in manifest["timings"].items()},
        "stability": manifest.get("stability"),
        "scan": manifest.get("scan"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--segments", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--auto", action="store_true", help="also time --resolution auto")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        log = tmp / "log.parquet"
        synth = generate_log(n_segments=args.segments, n_rows=args.rows, text=False, seed=0)
        synth.log.to_parquet(log)
        variants = {"plain": (), f"stability {args.runs}": ("--stability", str(args.runs))}
        if args.auto:
            variants["resolution auto"] = ("--resolution", "auto")
        # RUSAGE_CHILDREN's peak is a running maximum; own_peak_rss_mb is each run's own
        for i, (name, extra) in enumerate(variants.items()):
            res = measure(log, tmp / f"run{i}", *extra)
            print(json.dumps({"variant": name, "rows": args.rows, **res}))


if __name__ == "__main__":
    main()
