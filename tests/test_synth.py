"""The synthetic log generator (planted structure, determinism) and the shipped sample."""

from __future__ import annotations

import gzip
import io
import random
import re
import runpy
from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd
import pytest

from nichegraph.errors import InputError
from nichegraph.samples import csv_gz_bytes, list_datasets, load_dataset
from nichegraph.synth import KINDS, PLATFORM_KINDS, PLATFORMS, SyntheticLog, generate_log

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO / "datasets"


@pytest.fixture(scope="module")
def default() -> SyntheticLog:
    return generate_log(seed=0)


def _segments(s: SyntheticLog) -> tuple[np.ndarray, np.ndarray]:
    seg = s.truth.set_index("person")["segment"]
    return seg.reindex(s.log["source"]).to_numpy(), seg.reindex(s.log["target"]).to_numpy()


def _leiden_nmi(s: SyntheticLog, seed: int = 0) -> float:
    names = pd.Index(s.truth["person"])
    a, b = names.get_indexer(s.log["source"]), names.get_indexer(s.log["target"])
    n = len(names)
    key, w = np.unique(np.minimum(a, b) * n + np.maximum(a, b), return_counts=True)
    g = ig.Graph(n=n, edges=list(zip((key // n).tolist(), (key % n).tolist(), strict=True)))
    g.es["weight"] = w.tolist()
    random.seed(seed)
    found = g.community_leiden(objective_function="modularity", weights="weight", n_iterations=-1)
    return ig.compare_communities(found.membership, s.truth["segment"].tolist(), method="nmi")


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_gives_identical_frames():
    a, b = generate_log(n_rows=5_000, seed=11), generate_log(n_rows=5_000, seed=11)
    pd.testing.assert_frame_equal(a.log, b.log)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert a.vocabularies == b.vocabularies
    assert a.params == b.params == {**a.params, "seed": 11, "n_rows": 5_000}


def test_different_seed_gives_different_frames():
    a, b = generate_log(n_rows=5_000, seed=1), generate_log(n_rows=5_000, seed=2)
    assert not a.log.equals(b.log)
    assert not a.truth["person"].equals(b.truth["person"])
    assert a.vocabularies != b.vocabularies


def test_text_flag_changes_no_other_column():
    with_text = generate_log(n_rows=3_000, seed=4)
    without = generate_log(n_rows=3_000, seed=4, text=False)
    assert "text" not in without.log.columns
    pd.testing.assert_frame_equal(with_text.log.drop(columns="text"), without.log)


# --- shape of the log ------------------------------------------------------------------------


def test_columns_dtypes_and_order(default):
    log = default.log
    assert list(log.columns) == ["source", "target", "kind", "timestamp", "platform", "text"]
    assert str(log["timestamp"].dtype) == "datetime64[us, UTC]"
    assert len(log) == 40_000 and isinstance(log.index, pd.RangeIndex)
    assert list(default.truth.columns) == ["person", "segment", "influencer_rank"]
    resorted = log.sort_values(["timestamp", "source", "target"], kind="stable")
    assert (resorted.index == log.index).all()


def test_no_self_loops_and_everyone_acts_three_times(default):
    log = default.log
    assert (log["source"] != log["target"]).all()
    acts = log["source"].value_counts()
    assert set(acts.index) == set(default.truth["person"])
    assert acts.min() >= 3
    assert default.truth["person"].is_unique


def test_timestamps_inside_window():
    s = generate_log(n_rows=4_000, days=10, start="2026-03-05", seed=3)
    ts = s.log["timestamp"]
    assert ts.min() >= pd.Timestamp("2026-03-05", tz="UTC")
    assert ts.max() < pd.Timestamp("2026-03-15", tz="UTC")
    assert ts.dt.normalize().nunique() == 10  # every day has traffic
    hours = ts.dt.hour.value_counts()
    assert hours.loc[19] > 4 * hours.loc[3]  # daily cycle
    aware = generate_log(n_rows=4_000, days=10, start="2026-03-05T02:00+02:00", seed=3)
    assert aware.log["timestamp"].min() >= pd.Timestamp("2026-03-05", tz="UTC")


def test_kinds_and_platforms_from_documented_sets(default):
    log = default.log
    assert set(log["platform"]) == set(PLATFORMS)
    assert set(log["kind"]) == set(KINDS)
    pairs = set(zip(log["platform"], log["kind"], strict=True))
    allowed = {(p, k) for p, kinds in PLATFORM_KINDS.items() for k in kinds}
    assert pairs <= allowed
    assert set(log.loc[log["platform"] == "reddit", "kind"]) == {"comment", "reply"}


def test_handles_look_real(default):
    people = default.truth["person"]
    assert people.str.fullmatch(r"[a-z][a-z0-9._]{2,30}").all()
    assert people.str.contains(r"\d").mean() > 0.3  # some carry digits, many do not
    assert people.str.contains(r"\d").mean() < 0.8
    assert people.str.contains(r"[._]").mean() > 0.3


# --- planted structure -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_segments", "min_size", "max_size", "seed"),
    [(40, 10, 500, 0), (40, 10, 500, 5), (7, 5, 60, 1), (2, 5, 30, 2), (200, 10, 500, 3)],
)
def test_segment_sizes_heavy_tailed_within_bounds(n_segments, min_size, max_size, seed):
    s = generate_log(
        n_segments=n_segments,
        n_rows=30_000,
        min_size=min_size,
        max_size=max_size,
        text=False,
        seed=seed,
    )
    sizes = s.truth["segment"].value_counts().sort_index()
    assert list(sizes.index) == list(range(n_segments))
    assert sizes.between(min_size, max_size).all()
    assert (np.diff(sizes.to_numpy()) <= 0).all()  # ids ordered by size, largest first
    assert sizes.iloc[0] >= 0.6 * max_size
    assert (sizes <= 3 * min_size).sum() >= n_segments / 3


@pytest.mark.parametrize(("mix", "noise"), [(0.15, 0.02), (0.05, 0.0), (0.3, 0.0), (0.1, 0.1)])
def test_measured_cross_segment_share_matches_mix(mix, noise):
    s = generate_log(mix=mix, noise=noise, text=False, seed=7)
    src, dst = _segments(s)
    measured = (src != dst).mean()
    # noise lands outside the source's segment unless it hits it by chance
    sizes = s.truth["segment"].value_counts().sort_index().to_numpy()
    expected = mix + noise * (1 - (sizes[src] / sizes.sum()).mean())
    assert abs(measured - expected) <= 0.01
    if noise <= 0.02:
        assert abs(measured - mix) <= 0.03


def test_planted_influencers_receive_most_in_segment_engagement(default):
    truth = default.truth.set_index("person")
    src, dst = _segments(default)
    inside = default.log.loc[src == dst, "target"]
    rank = truth["influencer_rank"].reindex(inside).to_numpy()
    assert abs((rank > 0).mean() - 0.5) <= 0.02
    per_rank = np.bincount(rank, minlength=4)
    assert per_rank[1] > per_rank[2] > per_rank[3]
    top = inside.groupby(src[src == dst]).agg(lambda t: t.value_counts().index[0])
    top_rank = truth["influencer_rank"].reindex(top).to_numpy()
    assert (top_rank > 0).mean() >= 0.95
    assert (top_rank == 1).mean() >= 0.9
    per_segment = default.truth.groupby("segment")["influencer_rank"]
    assert (per_segment.apply(lambda r: sorted(r[r > 0])) == pd.Series([[1, 2, 3]] * 40)).all()


def test_paired_segments_talk_to_each_other():
    s = generate_log(paired_segments=2, text=False, seed=2)
    src, dst = _segments(s)
    for a, b in ((0, 1), (1, 0), (2, 3), (3, 2)):
        out = dst[(src == a) & (dst != a)]
        assert (out == b).mean() >= 0.7
    out = dst[(src == 4) & (dst != 4)]
    assert (out == 5).mean() < 0.3


def test_text_draws_on_the_source_segment_vocabulary(default):
    vocab = default.vocabularies
    assert sorted(vocab) == list(range(40))
    assert all(
        len(v) in (17, 18) and sum(w.startswith("#") for w in v) in (2, 3) for v in vocab.values()
    )
    owner = {w: s for s, words in vocab.items() for w in words}
    assert len(owner) == sum(len(v) for v in vocab.values())  # distinct across segments
    src, _ = _segments(default)
    sample = default.log.iloc[::40]
    hits = total = 0
    for text, seg in zip(sample["text"], src[::40], strict=True):
        planted = [owner[t] for t in text.split() if t in owner]
        hits += sum(p == seg for p in planted)
        total += len(planted)
    assert total > len(sample) and hits == total
    replies = default.log[default.log["kind"].isin(["reply", "mention"])].head(50)
    assert all(
        t.startswith(f"@{h} ") for t, h in zip(replies["text"], replies["target"], strict=True)
    )
    rts = default.log[default.log["kind"] == "retweet"].head(50)
    assert all(t.startswith(f"RT @{h}: ") for t, h in zip(rts["text"], rts["target"], strict=True))


@pytest.mark.parametrize("seed", [0, 1])
def test_leiden_recovers_planted_segments(seed):
    assert _leiden_nmi(generate_log(text=False, seed=seed)) >= 0.9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_segments": 1}, "n_segments must be an integer >= 2"),
        ({"min_size": 4}, "min_size must be >= influencers_per_segment + 2 = 5, got 4"),
        ({"max_size": 5}, "max_size must be an integer >= min_size=10"),
        ({"mix": 1.2}, "mix must be in [0, 1], got 1.2"),
        ({"mix": 0.7, "noise": 0.4}, "mix + noise must be <= 1, got 0.7 + 0.4"),
        ({"paired_segments": 21}, "paired_segments must be <= n_segments / 2 = 20"),
        ({"start": "not a date"}, "start must be a date"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"n_rows": 100}, "n_rows=100 is fewer than the"),
    ],
)
def test_bad_arguments_raise_input_error(kwargs, message):
    with pytest.raises(InputError, match=re.escape(message)):
        generate_log(**kwargs)


# --- the shipped sample ----------------------------------------------------------------------


def _card_call() -> str:
    card = (DATASETS / "CARD.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", card, flags=re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_load_dataset_returns_the_shipped_log_and_truth():
    ds = load_dataset("brand_chatter")
    # installed: inside the package (nichegraph/_datasets); from a checkout: datasets/
    assert ds.name == "brand_chatter" and ds.path.name == "brand_chatter.csv.gz"
    assert ds.path.read_bytes() == (DATASETS / "brand_chatter.csv.gz").read_bytes()
    assert 4_000 <= len(ds.log) <= 6_000
    assert list(ds.log.columns) == ["source", "target", "kind", "timestamp", "platform", "text"]
    assert str(ds.log["timestamp"].dtype) == "datetime64[us, UTC]"
    with gzip.open(ds.path, "rt", encoding="utf-8") as fh:
        assert len(fh.read().splitlines()) == len(ds.log) + 1
    assert ds.truth is not None
    assert set(ds.log["source"]) | set(ds.log["target"]) == set(ds.truth["person"])
    assert ds.card == (DATASETS / "CARD.md").read_text(encoding="utf-8")
    assert "generate_log(" in ds.card
    listing = list_datasets()
    assert list(listing.columns) == ["name", "rows", "description", "path"]
    assert listing.set_index("name").loc["brand_chatter", "rows"] == len(ds.log)


def test_shipped_files_equal_the_documented_call(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "datasets").mkdir()
    namespace: dict[str, object] = {}
    exec(compile(_card_call(), "CARD.md", "exec"), namespace)
    for name in ("brand_chatter.csv.gz", "brand_chatter_truth.csv.gz"):
        made, shipped = tmp_path / "datasets" / name, DATASETS / name
        # The CSV bytes must match exactly; the gzip bytes too, unless zlib itself differs.
        assert gzip.decompress(made.read_bytes()) == gzip.decompress(shipped.read_bytes())
    sample = namespace["sample"]
    ds = load_dataset("brand_chatter")
    pd.testing.assert_frame_equal(ds.log, sample.log)
    pd.testing.assert_frame_equal(ds.truth, sample.truth)


def test_make_sample_script_reproduces_the_shipped_files(tmp_path):
    script = runpy.run_path(str(REPO / "bench" / "make_sample.py"), run_name="make_sample")
    script["main"](["--out", str(tmp_path)])
    for name in ("brand_chatter.csv.gz", "brand_chatter_truth.csv.gz"):
        made, shipped = (tmp_path / name).read_bytes(), (DATASETS / name).read_bytes()
        assert gzip.decompress(made) == gzip.decompress(shipped)


def test_gzip_output_is_byte_reproducible():
    frame = generate_log(n_rows=2_000, max_size=50, seed=9).log
    data = csv_gz_bytes(frame)
    assert data == csv_gz_bytes(frame.copy())
    assert data[4:8] == b"\0\0\0\0"  # mtime 0
    assert not data[3] & 0x08  # no file name stored
    back = pd.read_csv(io.BytesIO(gzip.decompress(data)))
    assert back["timestamp"].iloc[0].endswith("Z")


def test_unknown_dataset_raises_input_error_listing_names():
    with pytest.raises(InputError) as info:
        load_dataset("brand_chat")
    message = str(info.value)
    assert "\n" not in message
    assert message == "unknown dataset 'brand_chat'; available: brand_chatter"
