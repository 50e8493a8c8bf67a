"""Memory a ``nichegraph run`` needs per million rows: peak RSS and peak address space.

Run from the repository root::

    python bench/bench_memory.py                    # 100,000 and 1,000,000 rows, seed 0
    python bench/bench_memory.py --rows 200000

For each size: generate a log (``nichegraph.synth``, one planted segment per 500 rows, with
text), write it as CSV.gz, run ``nichegraph run LOG -o OUT -q`` in a child process and read its
``VmHWM`` (peak resident memory) and ``VmPeak`` (peak address space, what ``ulimit -v`` /
``RLIMIT_AS`` limits) from ``/proc/self/status`` as it exits. Linux only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nichegraph.samples import write_csv_gz  # noqa: E402
from nichegraph.synth import generate_log  # noqa: E402

CHILD = """
import atexit, sys
def peaks():
    status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
    kib = {k: int(status[k].split()[0]) for k in ("VmPeak", "VmHWM")}
    print("PEAKS", kib["VmPeak"], kib["VmHWM"], file=sys.stderr)
atexit.register(peaks)
from nichegraph.cli import main
main()
"""


def measure(rows: int, seed: int, work: Path) -> dict[str, float]:
    log = generate_log(n_segments=max(rows // 500, 2), n_rows=rows, text=True, seed=seed).log
    path = write_csv_gz(log, work / f"log{rows}.csv.gz")
    del log
    t0 = time.perf_counter()
    cmd = [sys.executable, "-c", CHILD, "run", str(path), "-o", str(work / f"out{rows}"), "-q"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    if proc.returncode:
        raise SystemExit(proc.stderr)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("PEAKS"))
    vm_peak, hwm = (int(v) / 1024**2 for v in line.split()[1:])
    return {"rows": rows, "seconds": round(time.perf_counter() - t0, 1),
            "peak_rss_gib": round(hwm, 2), "peak_address_space_gib": round(vm_peak, 2)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, nargs="*", default=[100_000, 1_000_000])
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = [measure(r, a.seed, Path(tmp)) for r in a.rows]
    for r in results:
        print(json.dumps(r))
    if len(results) >= 2:
        lo, hi = results[0], results[-1]
        per_m = 1e6 / (hi["rows"] - lo["rows"])
        for key in ("peak_rss_gib", "peak_address_space_gib"):
            slope = (hi[key] - lo[key]) * per_m
            base = lo[key] - slope * lo["rows"] / 1e6
            print(f"{key}: {base:.2f} GiB + {slope:.2f} GiB per million rows")


if __name__ == "__main__":
    main()
