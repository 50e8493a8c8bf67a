"""``nichegraph run --jobs 1`` against ``--jobs 2`` on the same logs, alternating, same output.

Run from the repository root (this checkout's ``nichegraph`` is the one measured)::

    nice python bench/bench_jobs.py --log /data/log_1000000.csv --higgs --rounds 2
    nice python bench/bench_jobs.py --log /data/log_10000000.csv --rounds 1

Each run is a child process timed by ``bench_run.TIMER`` (wall, CPU of the whole process tree,
peak RSS of the largest process and the sampled peak PSS of the tree: with two jobs the profile
stage runs in a forked process beside the rank stage). Runs alternate (1, 2, then 2, 1, ...) so
both see the same machine load. It prints each run's figures with the load average at its start
and its per-stage wall / CPU seconds from ``run.json``, then checks that the two run folders are
the same (every file byte for byte; ``run.json`` without ``timings`` and ``written_at``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from bench_run import measure  # noqa: E402
from bench_scale import HIGGS, HIGGS_ARGS  # noqa: E402


def same_folders(a: Path, b: Path) -> bool:
    """Every file equal byte for byte; ``run.json`` without ``timings`` and ``written_at``."""
    if sorted(p.name for p in a.iterdir()) != sorted(p.name for p in b.iterdir()):
        return False
    for f in a.iterdir():
        x, y = f.read_bytes(), (b / f.name).read_bytes()
        if f.name == "run.json":
            x, y = ({k: v for k, v in json.loads(t).items() if k not in ("timings", "written_at")}
                    for t in (x, y))  # fmt: skip
        if x != y:
            return False
    return True


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", type=Path, action="append", default=[], help="a CSV log (repeat)")
    ap.add_argument("--higgs", action="store_true", help="also the Higgs log")
    ap.add_argument("--rounds", type=int, default=1, help="pairs of runs per log")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    logs = [(p.name, p, []) for p in a.log]
    if a.higgs and HIGGS.exists():
        logs.append(("higgs", HIGGS, HIGGS_ARGS))
    work = Path(tempfile.mkdtemp(prefix="nichegraph-jobs-"))
    try:
        for label, log, extra in logs:
            for r in range(a.rounds):
                for jobs in (1, 2) if r % 2 == 0 else (2, 1):
                    out = work / f"{label}-j{jobs}"
                    shutil.rmtree(out, ignore_errors=True)
                    load = Path("/proc/loadavg").read_text().split()[0]
                    cmd = ["-m", "nichegraph", "run", str(log), "-o", str(out), *extra, "-q",
                           "--seed", str(a.seed), "--jobs", str(jobs)]  # fmt: skip
                    m = measure(cmd, work, f"{label}-j{jobs}", REPO)
                    st = json.loads((work / f"{label}-j{jobs}.json").read_text())
                    t = json.loads((out / "run.json").read_text())["timings"]
                    stages = ", ".join(
                        f"{k} {v['seconds']:.1f}/{v['cpu_seconds']:.1f}" for k, v in t.items()
                    )
                    print(
                        f"{label} --jobs {jobs} (load {load}): wall {m.wall:.1f} s, CPU "
                        f"{m.cpu:.1f} s, largest process {st['maxrss_kib'] / 1024:,.0f} MiB, "
                        f"tree PSS {st.get('tree_pss_kib', 0) / 1024:,.0f} MiB | stages wall/CPU: "
                        + stages,
                        flush=True,
                    )
            same = same_folders(work / f"{label}-j1", work / f"{label}-j2")
            print(f"{label}: run folders of --jobs 1 and 2 the same: {same}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
