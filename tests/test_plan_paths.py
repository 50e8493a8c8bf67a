"""The plan's fast paths give exactly what the plain ones give: the build's own row ids against
looking every handle up, count tables against sorts, raw pair keys against dense codes."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from _campaign import campaign_log

import nichegraph as ng
from nichegraph.plan.bots import _timing, bot_rules
from nichegraph.plan.measures import (
    LogRows,
    _medians,
    log_rows,
    main_platform,
    positions,
    responsiveness,
)


@pytest.fixture(scope="module")
def planted():
    log, _ = campaign_log()
    return log


def _same_rows(a: LogRows, b: LogRows) -> None:
    for f in ("src", "dst", "kind", "platform"):
        assert getattr(a, f).tolist() == getattr(b, f).tolist(), f
    assert np.array_equal(a.seconds, b.seconds, equal_nan=True)
    assert (a.kinds, a.platforms, a.n) == (b.kinds, b.platforms, b.n)
    assert a.text.tolist() == b.text.tolist()


@pytest.mark.parametrize(
    "opts", [{}, {"kind_weights": {"like": 0, "post": 1}}, {"since": "2026-06-10"}]
)
def test_build_rows_give_the_looked_up_rows(planted, opts):
    log = planted.copy()
    log.loc[log.index[:40], "kind"] = "post"  # posts to someone else: kept by the graph only
    log.loc[log.index[40:60], "target"] = log.loc[log.index[40:60], "source"]  # self-loops
    inter = ng.read_interactions(log)
    g = ng.build_graph(inter, **opts)
    assert g.rows is not None and g.rows.src.dtype == np.int32
    kw = {"since": opts.get("since"), "kind_weights": g.report.kind_weights}
    fast = log_rows(inter.table, g.names, built=g.rows, **kw)
    slow = log_rows(inter.table, g.names, **kw)
    _same_rows(fast, slow)
    posts = int((inter.table["kind"][g.rows.used] == "post").sum())  # in the graph, not a tie
    assert posts == (40 if "post" in g.report.kind_weights else 0)
    assert len(fast.src) == g.report.rows_used - posts


def test_build_rows_of_another_table_are_not_used(planted):
    inter = ng.read_interactions(planted)
    g = ng.build_graph(inter)
    other = inter.table.sample(frac=1.0, random_state=1).reset_index(drop=True)  # same size
    _same_rows(log_rows(other, g.names, built=g.rows), log_rows(other, g.names))


def test_plan_reads_chunked_arrow_strings(planted):
    """pandas' Arrow strings may come in chunks (pd.read_csv of a large file)."""

    def chunked(col: pd.Series) -> pd.Series:
        half = len(col) // 2
        parts = [pa.array(col.iloc[:half].tolist()), pa.array(col.iloc[half:].tolist())]
        return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(parts)), index=col.index)

    log = planted.copy()
    for col in ("source", "target", "kind", "platform", "text"):
        log[col] = chunked(log[col])
    res = ng.analyze(log, seed=3)
    assert isinstance(pa.array(res.interactions.table["platform"]), pa.ChunkedArray)
    plan = ng.plan(res, objective="support", budget=4, brand="brandco")
    plain = ng.plan(ng.analyze(planted, seed=3), objective="support", budget=4, brand="brandco")
    pd.testing.assert_frame_equal(plan.people, plain.people)


def _random_rows(n, m, seed, span=5_000.0):
    rng = np.random.default_rng(seed)
    src = rng.integers(0, 20, m)
    dst = (src + rng.integers(1, 20, m)) % 20  # ids below 20 whatever n is
    secs = np.sort(rng.uniform(0, span, m))
    kinds = rng.choice(["reply", "mention", "like", "retweet"], m)
    plats = rng.choice(["x", "reddit", "", "mastodon"], m)
    return LogRows.make(n, src, dst, kinds, secs, plats)


def test_main_platform_count_table_and_sort_agree():
    small = _random_rows(20, 400, 1)
    huge = _random_rows(3_000_000, 400, 1)  # too many people for a count table: sorted
    assert main_platform(huge)[:20].tolist() == main_platform(small).tolist()
    assert set(main_platform(small)) > {"x", "reddit"}


def test_responsiveness_raw_pair_keys_and_dense_codes_agree():
    small = _random_rows(20, 3_000, 2, span=40_000.0)
    huge = _random_rows(2**21, 3_000, 2, span=2.0**23)  # n * n * span over 2**62: dense codes
    huge = LogRows.make(huge.n, huge.src, huge.dst, np.array(huge.kinds)[huge.kind],
                        small.seconds * (2.0**23 / 40_000.0))  # fmt: skip
    small = LogRows.make(20, small.src, small.dst, np.array(small.kinds)[small.kind],
                         huge.seconds)  # fmt: skip
    (s1, h1, a1), (s2, h2, a2) = responsiveness(small), responsiveness(huge)
    assert a1.any() and a1.tolist() == a2.tolist()
    assert s1.tolist() == s2[:20].tolist()
    assert np.array_equal(h1, h2[:20], equal_nan=True)


@pytest.mark.parametrize("scale", [1, 2**40])  # the second: a lexsort, not one integer sort
def test_medians_are_pandas_medians(scale):
    rng = np.random.default_rng(3)
    group = rng.integers(0, 50, 2_000) * scale
    seconds = rng.integers(0, 90_000, 2_000)
    who, med = _medians(group, seconds)
    ref = pd.Series(seconds / 3600.0).groupby(group).median()
    assert who.tolist() == ref.index.tolist() and med.tolist() == ref.tolist()


def test_active_days_with_sub_second_times_around_midnight():
    """Rounded to whole seconds, 23:59:59.6 and 00:00:00.4 tie: counted as two days."""
    day = 86_400.0
    secs = np.array([day + 0.4, day - 0.4, day + 0.4, 5 * day])
    days, counts, cv = _timing(np.zeros(4, dtype=np.int64), secs, 1)
    assert days.tolist() == [3] and counts.tolist() == [4]
    rows = LogRows.make(2, [0] * 4, [1] * 4, ["reply"] * 4, secs)
    assert bot_rules(rows).loc[0, "rate_value"] == pytest.approx(4 / 3)
    assert np.isfinite(cv[0])


def test_positions_of_a_few_handles_scan_the_names():
    names = pa.array([f"p{i}" for i in range(100)])
    few = pd.Series(["p7", "nobody", "p7", None, "p99"], dtype=object)  # hashed: the 5 handles
    many = pd.Series([f"p{i}" for i in range(99, -1, -1)] + ["x"], dtype=object)  # the names
    assert positions(few, names).tolist() == [7, -1, 7, -1, 99]
    assert positions(many, names).tolist() == [*range(99, -1, -1), -1]
