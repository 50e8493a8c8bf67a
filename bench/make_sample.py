"""Regenerate the shipped sample ``datasets/brand_chatter*.csv.gz`` byte for byte.

Run from the repository root with the package importable::

    PYTHONPATH=. python bench/make_sample.py            # rewrites datasets/
    PYTHONPATH=. python bench/make_sample.py --out /tmp/sample

The call below is the one documented in ``datasets/CARD.md``; ``tests/test_synth.py`` checks
that both reproduce the shipped files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nichegraph.samples import write_csv_gz
from nichegraph.synth import generate_log

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    """Write ``brand_chatter.csv.gz`` and ``brand_chatter_truth.csv.gz`` into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "datasets", help="output folder")
    out: Path = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)

    sample = generate_log(
        n_segments=14, n_rows=5_000, min_size=8, max_size=150, mix=0.15, noise=0.02,
        influencers_per_segment=3, influencer_share=0.5, paired_segments=1, days=28,
        start="2026-06-01", text=True, themes=True, seed=2026,
    )  # fmt: skip
    write_csv_gz(sample.log, out / "brand_chatter.csv.gz")
    write_csv_gz(sample.truth, out / "brand_chatter_truth.csv.gz")

    sizes = sample.truth["segment"].value_counts().sort_index().tolist()
    print(f"{len(sample.log)} rows, {len(sample.truth)} people, segment sizes {sizes} -> {out}")


if __name__ == "__main__":
    main()
