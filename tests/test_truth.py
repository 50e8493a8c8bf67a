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
    # Measured (seed 0; bench/bench_truth.py): NMI 0.792 = 0.946 of the ceiling 0.837, 205 segments
    # found of 200 planted, planted star in the found top 3 for 87.5% of segments; seeds 1 / 2:
    # 0.973 / 0.961, 88 / 91%. With the splits on weights instead of interaction counts: 0.943 /
    # 0.972 / 0.959, 86.5 / 89 / 90%; before the final refinement (segments/refine.py) 0.906 /
    # 0.938 / 0.921; before the tie test 0.85, 90 found, 47.5%. At 1M rows (2,000 planted): 0.981
    # of 0.848, 2,347 found, 86.7% (splits on weights: 0.9775, 2,485, 84.7%). Issue 12's targets
    # (0.98 of the ceiling, 90% of stars) are NOT met at 100k: planted segments of 10-40 people
    # whose 3 influencers get more engagement from other segments than from their own members
    # scatter (11 of 200 at seed 0), and the star score's own ceiling with the planted segments
    # given is 94-95.5%. This guards what is reached.
    assert score >= 0.94 * ceiling
    n_found = result.segmentation.n_segments
    assert 0.9 * SEGMENTS <= n_found <= 1.1 * SEGMENTS  # 205 (seeds 1 / 2: 201 / 196)
    ranks = result.influencers.set_index("person")["rank"]
    assert stars_in_top3(sample, found, ranks) >= 0.87


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


def test_kinds_as_on_higgs_help_the_defaults():
    sample = realistic_log(kind_signal=True)
    truth = sample.truth.set_index("person")["segment"]
    oracle = oracle_segments(sample.log, sample.truth)
    ceiling = nmi(oracle, truth[oracle.index])
    result = ng.analyze(sample.log, seed=0)
    found = result.segmentation.to_frame().set_index("person")["segment"]
    # Measured (bench/bench_truth.py --kind-signal): seeds 0 / 1 / 2 at 100k rows reach 0.950 /
    # 0.980 / 0.965 of the ceiling (without the kind signal 0.946 / 0.973 / 0.961) and the
    # planted star in the found top 3 for 88 / 89.5 / 91% of segments; 1M rows 0.9865, 87.3%
    # (splits on weights: 0.950 / 0.978 / 0.964, 89 / 88 / 89.5%; 1M 0.983, 85.3%).
    assert nmi(found, truth[found.index]) >= 0.94 * ceiling
    ranks = result.influencers.set_index("person")["rank"]
    assert stars_in_top3(sample, found, ranks) >= 0.85
