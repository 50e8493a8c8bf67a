"""CPU seconds per stage of ``nichegraph run``, this checkout against another, turn about.

Run from the repository root::

    nice python bench/bench_stages.py --tree /tmp/old-checkout            # 1M rows + Higgs
    nice python bench/bench_stages.py --tree /tmp/old --repeat 3 --no-higgs

On a shared machine wall times move with the load; CPU seconds of one process move much less.
Each run is a child process (:data:`CHILD`) that imports what the command imports, then runs
:func:`nichegraph.analyze` with ``outdir`` (the whole run folder) and reads the CPU clock
(``time.process_time``) at the start and end of every stage through ``progress``: ``import``,
``read``, ``build``, ``segment``, ``rank``, ``profile``, ``write``. The two checkouts run turn
about (A B A B ...) on the same logs: the generated 1M-row log of ``bench_scale.py`` and the
Higgs log; the table gives the median of the repeats.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from bench_scale import HIGGS, generated_log  # noqa: E402

STAGES = ("import", "read", "build", "segment", "rank", "profile", "write", "total")
CHILD = r"""
import json, sys, time
c0 = time.process_time()
import nichegraph.__main__ as entry
getattr(entry, "_igraph_without_pyplot", lambda: None)()  # as the command loads igraph
import nichegraph.cli, nichegraph.pipeline, nichegraph.terminal, nichegraph.report.render
from nichegraph.pipeline import analyze
cpu, start = {"import": time.process_time() - c0}, {}
def progress(stage, event, seconds):
    if event == "start":
        start[stage] = time.process_time()
    elif event == "done":
        cpu[stage] = time.process_time() - start[stage]
higgs = {"sep": " ", "header": False, "columns": ("source", "target", "timestamp", "kind")}
analyze(sys.argv[1], outdir=sys.argv[2], seed=0, progress=progress,
        **(higgs if sys.argv[3] == "1" else {}))
cpu["total"] = time.process_time() - c0
print(json.dumps(cpu))
"""


def stage_cpu(tree: Path, log: Path, higgs: bool, out: Path) -> dict[str, float]:
    """One child run of ``tree``'s nichegraph on ``log``: CPU seconds per stage."""
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(tree))
    args = [sys.executable, "-c", CHILD, str(log), str(out), "1" if higgs else "0"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True, cwd=out.parent)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, required=True, help="the checkout to compare with")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--no-higgs", action="store_true")
    a = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="nichegraph-stages-"))
    try:
        logs = [(f"{a.rows:,}", generated_log(a.rows, 0, False, work), False)]
        if not a.no_higgs and HIGGS.exists():
            logs.append(("higgs", HIGGS, True))
        trees = {"other": a.tree.resolve(), "this": REPO}
        runs: dict[tuple[str, str], list[dict[str, float]]] = {}
        for i in range(a.repeat):
            for label, log, higgs in logs:
                for name, tree in trees.items():
                    got = stage_cpu(tree, log, higgs, work / f"out-{name}")
                    runs.setdefault((label, name), []).append(got)
                    print(f"  {i + 1}: {label} {name} " + json.dumps(got), flush=True)
        print("\n| log | checkout | " + " | ".join(STAGES) + " |")
        print("| --- | --- |" + " --- |" * len(STAGES))
        for (label, name), got in runs.items():
            med = [statistics.median(r.get(s, 0.0) for r in got) for s in STAGES]
            print(f"| {label} | {name} | " + " | ".join(f"{v:.2f}" for v in med) + " |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
