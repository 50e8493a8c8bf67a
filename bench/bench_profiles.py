"""Benchmark segment profiles and flows against the rest of a run (the "plain run").

Run from the repository root (this checkout's ``nichegraph`` is the one measured)::

    python bench/bench_profiles.py                 # 1,000,000 rows with text, seed 0
    python bench/bench_profiles.py --rows 100000

Steps: generate a log with planted segments and vocabularies (``nichegraph.synth``), write it as
Parquet with and without its ``text`` column, then for each, in a fresh subprocess, run the
stages one by one (read, build, segment, rank = the plain run; then ``profile_segments`` and
``segment_flows``) and record each stage's wall seconds, CPU seconds (all threads; robust when
the machine is shared) and the process's peak RSS after it. The planted vocabularies are scored
too: the share of planted segments whose best-matching found segment has >= 3 of its top-5
distinctive terms in its planted vocabulary.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

from nichegraph.synth import generate_log  # noqa: E402

CHILD = """
import json, resource, sys, time
import nichegraph as ng
stages, out = [], {}
def stage(name, fn):
    w, c = time.perf_counter(), time.process_time()
    value = fn()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stages.append([name, time.perf_counter() - w, time.process_time() - c, peak])
    return value
inter = stage("read", lambda: ng.read_interactions(sys.argv[1]))
graph = stage("build", lambda: ng.build_graph(inter))
seg = stage("segment", lambda: ng.find_segments(graph, seed=0))
stage("rank", lambda: ng.rank_influencers(graph, seg, seed=0))
prof = stage("profile", lambda: ng.profile_segments(inter, seg))
stage("flows", lambda: ng.segment_flows(graph, seg))
prof.to_csv(sys.argv[2], index=False)
seg.to_frame().to_csv(sys.argv[3], index=False)
print(json.dumps(stages))
"""


def measure(log: Path, tmp: Path) -> tuple[list, Path, Path]:
    """Run the stages in a fresh process; return [name, wall, cpu, peak MB] rows."""
    prof, segs = tmp / f"{log.stem}_profiles.csv", tmp / f"{log.stem}_segments.csv"
    res = subprocess.run(
        [sys.executable, "-c", CHILD, str(log), str(prof), str(segs)],
        check=True,
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": ""},
    )
    return json.loads(res.stdout.strip().splitlines()[-1]), prof, segs


def vocabulary_hits(prof_csv: Path, segs_csv: Path, synth) -> float:
    """Share of planted segments with >= 3 of the found segment's top-5 terms planted."""
    prof = pd.read_csv(prof_csv, keep_default_na=False).set_index("segment")
    found = pd.read_csv(segs_csv).set_index("person")["segment"]
    truth = synth.truth.assign(found=synth.truth["person"].map(found))
    best = truth.groupby("segment")["found"].agg(lambda x: x.value_counts().index[0])
    hits = 0
    for planted, seg in best.items():
        cell = prof.loc[seg, "distinctive_terms"]
        terms = [t.rsplit(" (", 1)[0] for t in cell.split("; ")[:5]] if cell else []
        hits += len(set(terms) & set(synth.vocabularies[planted])) >= 3
    return hits / len(best)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--segments", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    synth = generate_log(n_rows=args.rows, n_segments=args.segments, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with_text, without = tmp / "with_text.parquet", tmp / "without_text.parquet"
        synth.log.to_parquet(with_text, index=False)
        synth.log.drop(columns="text").to_parquet(without, index=False)
        for log in (without, with_text):
            stages, prof, segs = measure(log, tmp)
            plain = [s for s in stages if s[0] in ("read", "build", "segment", "rank")]
            print(f"{log.stem.replace('_', ' ')}: {args.rows:,} rows")
            for name, wall, cpu, peak in stages:
                print(f"  {name:<8} wall {wall:6.2f}s  cpu {cpu:6.2f}s  peak RSS {peak:6.0f} MB")
            print(
                f"  plain run (read..rank): wall {sum(s[1] for s in plain):.2f}s, "
                f"cpu {sum(s[2] for s in plain):.2f}s, peak RSS {plain[-1][3]:.0f} MB"
            )
            if log == with_text:
                print(f"  planted vocabularies recovered: {vocabulary_hits(prof, segs, synth):.1%}")


if __name__ == "__main__":
    main()
