"""Truth at scale: a realistic generated log (most people act once or twice, segments of 10 to
5,000, a fifth of the engagement leaving the segment) judged against the oracle ceiling."""

import igraph as ig
import numpy as np
import pandas as pd
import pytest

import nichegraph as ng
from nichegraph.synth import generate_log, oracle_segments

ROWS, SEGMENTS = 100_000, 200


def nmi(a, b) -> float:
    return ig.compare_communities(
        pd.factorize(np.asarray(a))[0].tolist(), pd.factorize(np.asarray(b))[0].tolist(), "nmi"
    )


@pytest.fixture(scope="module")
def realistic():
    sample = generate_log(
        n_segments=SEGMENTS, n_rows=ROWS, max_size=5_000, mix=0.2, activity="zipf",
        size_distribution="lognormal", cross_to_influencers=0.5, text=False, seed=0,
    )  # fmt: skip
    return sample, ng.analyze(sample.log, seed=0)


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
    # Measured (seed 0): NMI 0.713 = 0.85 of the ceiling 0.837, 90 segments found of 200
    # planted, planted star in the found top 3 for 47.5% of segments. The target of issue 12
    # (0.98 of the ceiling, 90% of stars) is NOT met: small segments merge (the split test
    # refuses every split of these sparse segments) and planted segments share a found
    # segment, so their stars compete for its top 3. This guards what is reached.
    assert score >= 0.8 * ceiling
    assert result.segmentation.n_segments >= 0.4 * SEGMENTS
    ranks = result.influencers.set_index("person")["rank"]
    hits = []
    for _, members in sample.truth.groupby("segment"):
        home = found[members["person"]].value_counts().idxmax()
        star = members.loc[members["influencer_rank"] == 1, "person"].iloc[0]
        hits.append(home != ng.FRINGE and found[star] == home and ranks.get(star, 99) <= 3)
    assert np.mean(hits) >= 0.4
