"""Truth at scale: a realistic generated log (most people act once or twice, segments of 10 to
5,000, a fifth of the engagement leaving the segment) judged against the oracle ceiling."""

import igraph as ig
import numpy as np
import pandas as pd
import pytest

import nichegraph as ng
from nichegraph.oracle import oracle_segments
from nichegraph.synth import HIGGS_IN_SEGMENT, generate_log

ROWS, SEGMENTS = 100_000, 200


def nmi(a, b) -> float:
    return ig.compare_communities(
        pd.factorize(np.asarray(a))[0].tolist(), pd.factorize(np.asarray(b))[0].tolist(), "nmi"
    )


def realistic_log(rows: int = ROWS, **kw):
    return generate_log(
        n_segments=rows // 500, n_rows=rows, max_size=5_000, mix=0.2, activity="zipf",
        size_distribution="lognormal", cross_to_influencers=0.5, text=False, seed=0, **kw,
    )  # fmt: skip


@pytest.fixture(scope="module")
def realistic():
    sample = realistic_log()
    return sample, ng.analyze(sample.log, seed=0)


def stars_in_top3(sample, found: pd.Series, ranks: pd.Series) -> float:
    """Share of planted segments whose planted star is in the found top 3 of the found segment
    holding most of the planted segment's members."""
    hits = []
    for _, members in sample.truth.groupby("segment"):
        home = found[members["person"]].value_counts().idxmax()
        star = members.loc[members["influencer_rank"] == 1, "person"].iloc[0]
        hits.append(home != ng.FRINGE and found[star] == home and ranks.get(star, 99) <= 3)
    return float(np.mean(hits))


def test_realistic_log_is_heavy_tailed(realistic):
    sample, _ = realistic
    truth = sample.truth.set_index("person")["segment"]
    acts = sample.log["source"].value_counts().reindex(truth.index, fill_value=0)
    assert (acts <= 2).mean() > 0.75 and acts.max() > 100
    sizes = truth.value_counts()
    assert sizes.min() == 10 and sizes.max() > 1_000 and sizes.median() < 100
    cross = truth[sample.log["source"]].to_numpy() != truth[sample.log["target"]].to_numpy()
    assert 0.18 < cross.mean() < 0.25
    stars = sample.truth.loc[sample.truth["influencer_rank"] > 0, "person"]
    to_star = sample.log["target"].isin(set(stars))
    assert to_star[cross].mean() > 0.45  # half of what leaves goes to other segments' stars


def test_oracle_ceiling_is_below_one_and_beats_the_product(realistic):
    sample, result = realistic
    truth = sample.truth.set_index("person")["segment"]
    oracle = oracle_segments(sample.log, sample.truth)
    ceiling = nmi(oracle, truth[oracle.index])
    assert 0.75 < ceiling < 0.95  # people who act once are often on the wrong side
    found = result.segmentation.to_frame().set_index("person")["segment"]
    score = nmi(found, truth[found.index])
    assert score < ceiling
    # Measured (seed 0; bench/bench_truth.py): NMI 0.811 = 0.969 of the ceiling 0.837, 215 segments
    # found of 200 planted, planted star in the found top 3 for 90.5% of segments; seeds 1 / 2:
    # 0.989 / 0.975, 89.5 / 94.5%. Every stage counts interactions (SegmentOptions.ties); with
    # the top-level run on the kind weights (before the option): 0.946 / 0.973 / 0.961, 87.5 /
    # 88 / 91%; with the splits on weights too: 0.943 / 0.972 / 0.959; before the final
    # refinement (segments/refine.py) 0.906 / 0.938 / 0.921; before the tie test 0.85, 90 found,
    # 47.5%. At 1M rows (2,000 planted), seeds 0 / 1 / 2: 0.997 / 0.992 / 0.996 of the ceiling,
    # 2,427 / 2,068 / 2,025 found, stars 88.2 / 90.9 / 91.9%. Issue 12's targets (0.98 of the
    # ceiling, 90% of stars) are NOT met at 100k seeds 0 and 2 (0.969, 0.975) nor for stars at
    # 100k seed 1 and 1M seed 0: most of the gap is people who act once or twice (their ties
    # split between two segments), and the star score's own ceiling with the planted segments
    # given is 94-95.5%. This guards what is reached.
    assert score >= 0.96 * ceiling
    n_found = result.segmentation.n_segments
    assert 0.9 * SEGMENTS <= n_found <= 1.1 * SEGMENTS  # 215 (seeds 1 / 2: 198 / 203)
    ranks = result.influencers.set_index("person")["rank"]
    assert stars_in_top3(sample, found, ranks) >= 0.88


def odds_in_segment(sample, kind: str) -> float:
    """Odds that an x row of ``kind`` stays in its source's planted segment."""
    truth = sample.truth.set_index("person")["segment"]
    log = sample.log[(sample.log["platform"] == "x") & (sample.log["kind"] == kind)]
    p = (truth[log["source"]].to_numpy() == truth[log["target"]].to_numpy()).mean()
    return p / (1 - p)


def test_kind_signal_follows_the_higgs_measurement():
    plain, tilted = realistic_log(20_000), realistic_log(20_000, kind_signal=True)
    assert plain.log.drop(columns="kind").equals(tilted.log.drop(columns="kind"))
    higgs = {k: p / (1 - p) for k, p in HIGGS_IN_SEGMENT.items()}
    for a, b in (("reply", "retweet"), ("mention", "retweet")):
        assert 0.7 < odds_in_segment(plain, a) / odds_in_segment(plain, b) < 1.4  # independent
        ratio = odds_in_segment(tilted, a) / odds_in_segment(tilted, b)
        assert 0.75 < ratio / (higgs[a] / higgs[b]) < 1.33  # Higgs: 7.5 and 2.8


def test_kinds_as_on_higgs_leave_the_segments_and_help_the_ranking():
    sample = realistic_log(kind_signal=True)
    truth = sample.truth.set_index("person")["segment"]
    oracle = oracle_segments(sample.log, sample.truth)
    ceiling = nmi(oracle, truth[oracle.index])
    result = ng.analyze(sample.log, seed=0)
    found = result.segmentation.to_frame().set_index("person")["segment"]
    # Measured (bench/bench_truth.py --kind-signal): the segments count interactions, so the kinds
    # do not move them (0.969 / 0.989 / 0.975 of the ceiling at seeds 0 / 1 / 2, as without the
    # signal); the ranking weighs kinds: planted star in the found top 3 for 91 / 90 / 94.5% of
    # segments (90.5 / 89.5 / 94.5% without). With the top-level run on the kind weights (before
    # SegmentOptions.ties): 0.950 / 0.980 / 0.965, 88 / 89.5 / 91%.
    assert nmi(found, truth[found.index]) >= 0.96 * ceiling
    plain = ng.find_segments(ng.build_graph(realistic_log().log), seed=0)
    assert np.array_equal(plain.membership, result.segmentation.membership)
    ranks = result.influencers.set_index("person")["rank"]
    assert stars_in_top3(sample, found, ranks) >= 0.88
