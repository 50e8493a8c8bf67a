"""Aggregation of interactions into the weighted directed graph."""

import numpy as np
import pandas as pd
import pytest

import nichegraph as ng
from nichegraph.graph.build import (
    DEFAULT_KIND_WEIGHTS,
    build_graph,
    parse_duration,
    parse_kind_weights,
)
from nichegraph.graph.codes import group_codes
from nichegraph.graph.read import Interactions


def _edges(g):
    return {(r.source, r.target): r for r in g.edges_frame().itertuples(index=False)}


def test_aggregates_weights_and_counts_per_kind():
    df = pd.DataFrame(
        {
            "source": ["a", "a", "a", "b", "c", "c"],
            "target": ["b", "b", "b", "a", "c", "a"],
            "kind": ["reply", "like", "reply", "mention", "reply", "retweet"],
        }
    )
    g = ng.build_graph(df)
    assert g.n_nodes == 3 and g.n_edges == 3
    e = _edges(g)
    assert e[("a", "b")].weight == pytest.approx(3 + 0.5 + 3)
    assert e[("a", "b")].count == 3
    assert e[("a", "b")].n_reply == 2 and e[("a", "b")].n_like == 1
    assert e[("b", "a")].weight == pytest.approx(1.5)
    assert e[("c", "a")].n_retweet == 1
    assert g.report.dropped == {"self_loop": 1}
    assert g.report.rows_used == 5
    # vertex activity: given and received
    vs = dict(
        zip(g.names, zip(g.graph.vs["given"], g.graph.vs["received"], strict=True), strict=True)
    )
    assert vs["a"] == (3, 2) and vs["c"] == (1, 0)


def test_kind_weight_override_and_weight_column():
    df = pd.DataFrame(
        {"source": ["a", "a"], "target": ["b", "c"], "kind": ["reply", "zap"], "weight": ["2", "4"]}
    )
    g = ng.build_graph(df, kind_weights={"reply": 10})
    e = _edges(g)
    assert e[("a", "b")].weight == pytest.approx(20)
    assert e[("a", "c")].weight == pytest.approx(4 * DEFAULT_KIND_WEIGHTS["interaction"])
    assert g.report.unknown_kinds == ("zap",)


def test_half_life_decay_and_window():
    df = pd.DataFrame(
        {
            "source": ["a", "a", "b", "c"],
            "target": ["b", "c", "c", "a"],
            "kind": ["mention"] * 4,
            "timestamp": ["2026-01-31", "2026-01-01", "2026-01-21", "2025-12-01"],
        }
    )
    g = ng.build_graph(df, half_life="10d", since="2026-01-01")
    e = _edges(g)
    assert e[("a", "b")].weight == pytest.approx(1.5)
    assert e[("a", "c")].weight == pytest.approx(1.5 * 0.5**3)
    assert e[("b", "c")].weight == pytest.approx(1.5 * 0.5)
    assert ("c", "a") not in e
    assert g.report.dropped == {"outside_window": 1}
    g2 = ng.build_graph(df, until="2026-01-21")
    assert set(_edges(g2)) == {("a", "c"), ("c", "a")}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"half_life": "soon"}, "is not a duration"),
        ({"half_life": "-3d"}, "is not a duration"),
        ({"since": "not a date"}, "is not a date"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "is not before"),
        ({"kind_weights": {"reply": -1}}, "must be a finite number >= 0"),
    ],
)
def test_bad_options(kwargs, message):
    df = pd.DataFrame({"source": ["a"], "target": ["b"], "timestamp": ["2026-01-01"]})
    with pytest.raises(ng.InputError, match=message):
        ng.build_graph(df, **kwargs)


def test_time_options_need_timestamps():
    df = pd.DataFrame({"source": ["a"], "target": ["b"]})
    with pytest.raises(ng.InputError, match="need a timestamp column"):
        ng.build_graph(df, half_life="3d")


def test_nothing_left_is_an_error():
    df = pd.DataFrame({"source": ["a", "b"], "target": ["a", "b"]})
    with pytest.raises(ng.InputError, match=r"no interactions left.*2 self loop"):
        ng.build_graph(df)


def test_parsers():
    assert parse_duration("36h") == pd.Timedelta(hours=36)
    assert parse_duration(2) == pd.Timedelta(days=2)
    assert parse_kind_weights(["Reply=4"]) == {"reply": 4.0}
    with pytest.raises(ng.InputError, match="KIND=NUMBER"):
        parse_kind_weights(["reply"])


def test_networkx_interop_matches():
    df = pd.DataFrame({"source": list("abca"), "target": list("bcab"), "kind": ["reply"] * 4})
    g = ng.build_graph(df)
    nxg = g.to_networkx()
    assert nxg.number_of_nodes() == 3 and nxg.number_of_edges() == 3
    assert nxg["a"]["b"]["weight"] == pytest.approx(6.0)
    assert nxg["a"]["b"]["count"] == 2


def test_node_order_is_sorted_and_independent_of_row_order():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"source": rng.choice(list("abcdefgh"), 200), "target": rng.choice(list("abcdefgh"), 200)}
    )
    g1 = ng.build_graph(df)
    g2 = ng.build_graph(df.sample(frac=1, random_state=1))
    assert g1.names == sorted(g1.names)
    pd.testing.assert_frame_equal(g1.edges_frame(), g2.edges_frame())


@pytest.mark.parametrize("high", [1, 50, 2**40, 2**62])
def test_group_codes_is_numpy_unique(high):
    key = np.random.default_rng(high % 97).integers(0, high, 5_000)
    uniq, inv = group_codes(key)
    want, want_inv = np.unique(key, return_inverse=True)
    assert uniq.tolist() == want.tolist() and inv.tolist() == want_inv.tolist()
    assert uniq.dtype == key.dtype


def test_per_kind_counts_with_rows_of_no_kind():
    table = pd.DataFrame({"source": ["a", "a", "b", "a"], "target": ["b", "b", "c", "b"],
                          "kind": ["reply", None, "like", "like"]})  # fmt: skip
    g = build_graph(Interactions(table, None)).graph  # not read_interactions: a kind missing
    assert g.es["count"] == [3, 1] and g.es["n_like"] == [1, 1] and g.es["n_reply"] == [1, 0]
