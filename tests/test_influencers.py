"""Influence measures, roles and the per-segment ranking."""

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import nichegraph as ng
from nichegraph._random import igraph_seed
from nichegraph.influencers import (
    betweenness,
    coreness,
    in_strength,
    intra_graph,
    measures,
    pagerank_global,
    pagerank_within,
    participation,
    pivots_needed,
    reach,
    within_z,
)
from nichegraph.influencers.rank import percentile_within, ranked_order
from nichegraph.influencers.roles import assign_roles
from nichegraph.segments.consensus import segmentation_from_membership


def seeded(make, seed):
    """Call an igraph generator with a private, seeded random source."""
    with igraph_seed(seed):
        return make()


@pytest.fixture
def random_graph():
    rng = np.random.default_rng(3)
    g = seeded(lambda: ig.Graph.Erdos_Renyi(400, m=3000, directed=True), 3)
    g.es["weight"] = (rng.random(g.ecount()) + 0.1).tolist()
    memb = rng.integers(0, 4, 400)
    return g, memb


def test_pagerank_within_equals_pagerank_of_each_segment(random_graph):
    g, memb = random_graph
    pr = pagerank_within(intra_graph(g, memb))
    for c in range(4):
        idx = np.flatnonzero(memb == c)
        ref = np.asarray(g.induced_subgraph(idx.tolist()).pagerank(weights="weight"))
        np.testing.assert_allclose(pr[idx], ref, atol=1e-10)


def test_contract_every_measure_aligned_with_vertices(random_graph):
    g, memb = random_graph
    intra = intra_graph(g, memb)
    for scores in (
        in_strength(intra),
        reach(intra),
        pagerank_within(intra),
        coreness(intra),
        betweenness(intra)[0],
    ):
        assert scores.shape == (g.vcount(),)
        assert np.isfinite(scores).all() and (scores >= 0).all()


def test_strength_reach_coreness_match_igraph(random_graph):
    g, memb = random_graph
    intra = intra_graph(g, memb)
    sub = g.subgraph_edges(
        [e.index for e in g.es if memb[e.source] == memb[e.target]], delete_vertices=False
    )
    np.testing.assert_allclose(in_strength(intra), sub.strength(mode="in", weights="weight"))
    np.testing.assert_array_equal(reach(intra), sub.degree(mode="in"))
    np.testing.assert_array_equal(coreness(intra), sub.as_undirected().coreness())


def test_coreness_matches_igraph_with_reciprocal_ties_and_self_ties():
    rng = np.random.default_rng(8)
    for trial in range(40):
        n = int(rng.integers(1, 40))
        e = rng.integers(0, n, (int(rng.integers(0, 4 * n)), 2))
        if trial % 2:
            e = e[e[:, 0] != e[:, 1]]  # the numpy peeling; with self-ties igraph's own
        g = ig.Graph(n=n, edges=e.tolist(), directed=True)
        g.es["weight"] = [1.0] * g.ecount()
        ref = g.as_undirected(mode="collapse").coreness()
        np.testing.assert_array_equal(coreness(intra_graph(g, np.zeros(n, dtype=int))), ref)


def test_betweenness_same_for_any_number_of_jobs():
    g = seeded(lambda: ig.Graph.Barabasi(600, 3, directed=False), 2).as_directed()
    g.es["weight"] = (np.random.default_rng(2).random(g.ecount()) + 0.5).tolist()
    intra = intra_graph(g, np.repeat(np.arange(6), 100))
    one, stats = betweenness(intra, exact_max=60, epsilon=0.3, seed=4)
    two, stats2 = betweenness(intra, exact_max=60, epsilon=0.3, seed=4, jobs=2)
    assert stats == stats2 == {"exact": 0, "sampled": 6}
    np.testing.assert_array_equal(one, two)
    exact, _ = betweenness(intra, seed=4, jobs=2)
    sub = g.induced_subgraph(range(100))  # segment 0, on its own
    ref = np.asarray(sub.betweenness(weights=(1 / np.asarray(sub.es["weight"])).tolist()))
    np.testing.assert_allclose(exact[:100], ref / (99 * 98), rtol=1e-12)


def test_betweenness_of_star_segments_and_others_bit_for_bit_as_igraph():
    # stars (nobody both receives and gives: skipped, all 0), with a self-tie and a reciprocal
    # pair, beside random segments: every score is igraph's on the segment, bit for bit
    rng = np.random.default_rng(11)
    edges, memb, start = [], [], 0
    for size in (5, 9, 4, 30, 12):
        nodes = start + np.arange(size)
        if size < 10:  # a star into its first member, a self-tie on a leaf
            edges += [(int(v), int(nodes[0])) for v in nodes[1:]] + [(int(nodes[1]), int(nodes[1]))]
        else:
            e = rng.integers(0, size, (3 * size, 2))
            edges += [(int(a + start), int(b + start)) for a, b in e if a != b]
        memb += [len(set(memb))] * size
        start += size
    g = ig.Graph(n=start, edges=edges, directed=True)
    g.es["weight"] = (rng.integers(1, 4, g.ecount()) * 1.0).tolist()
    memb = np.asarray(memb)
    got, stats = betweenness(intra_graph(g, memb))
    assert stats == {"exact": 5, "sampled": 0}
    for s in range(5):
        members = np.flatnonzero(memb == s)
        sub = g.induced_subgraph(members.tolist())
        ref = np.asarray(sub.betweenness(weights=(1 / np.asarray(sub.es["weight"])).tolist()))
        n = len(members)
        np.testing.assert_array_equal(got[members], ref / ((n - 1) * (n - 2)))
    assert not got[memb == 0].any() and got[memb == 3].any()


def test_percentiles_and_order_as_pandas_computes_them():
    rng = np.random.default_rng(5)
    seg = rng.integers(1, 30, 3000)
    values = rng.integers(0, 6, 3000).astype(float)  # many ties
    frame = pd.DataFrame({"segment": seg, "v": values, "pr": rng.integers(0, 3, 3000) / 7,
                          "person": [f"p{i}" for i in rng.permutation(3000)]})  # fmt: skip
    ref = frame.groupby("segment")["v"].rank(pct=True, method="average").to_numpy()
    assert np.array_equal(percentile_within(values, seg), ref)  # bit for bit
    values[::50] = np.nan
    ref = frame.assign(v=values).groupby("segment")["v"].rank(pct=True, method="average")
    np.testing.assert_array_equal(percentile_within(values, seg), ref.to_numpy())
    expect = frame.sort_values(
        ["segment", "v", "pr", "person"], ascending=[True, False, False, True], kind="mergesort"
    ).index.to_numpy()
    order = ranked_order(seg, frame["v"].to_numpy(), frame["pr"].to_numpy(), list(frame["person"]))
    np.testing.assert_array_equal(order, expect)
    named = frame.sort_values("person")  # rows in name order: the names need not be read
    by_name = ranked_order(*(named[c].to_numpy() for c in ("segment", "v", "pr")), [], by_name=True)
    np.testing.assert_array_equal(named.index.to_numpy()[by_name], expect)


def test_exact_betweenness_matches_networkx_on_krackhardt_kite():
    kite = nx.krackhardt_kite_graph().to_directed()
    g = ig.Graph(n=10, edges=list(kite.edges()), directed=True)
    g.es["weight"] = [1.0] * g.ecount()
    b, stats = betweenness(intra_graph(g, np.zeros(10, dtype=int)))
    ref = nx.betweenness_centrality(kite, normalized=True)
    np.testing.assert_allclose(b, [ref[i] for i in range(10)], atol=1e-12)
    assert stats == {"exact": 1, "sampled": 0}
    assert b[7] == pytest.approx(0.388889, abs=1e-6)  # Heather, the kite's broker


def test_sampled_betweenness_within_bound():
    g = seeded(lambda: ig.Graph.Barabasi(1500, 3, directed=False), 5).as_directed()
    g.es["weight"] = [1.0] * g.ecount()
    intra = intra_graph(g, np.zeros(1500, dtype=int))
    exact, _ = betweenness(intra, exact_max=5000)
    approx, stats = betweenness(intra, exact_max=100, epsilon=0.1, seed=1)
    assert stats == {"exact": 0, "sampled": 1}
    assert np.abs(exact - approx).max() < 0.1
    assert np.corrcoef(exact, approx)[0, 1] > 0.95
    assert np.argmax(exact) in np.argsort(approx)[-3:]
    assert pivots_needed(1500, 0.05, 0.1) == 2062  # ceil(ln(30000) / 0.005)


def test_betweenness_precision_follows_its_score_weight():
    # one segment of 300: exact only when betweenness weighs in the score (it moves ranks);
    # a reported-only column is sampled above 100 members, ranks untouched
    g0 = seeded(lambda: ig.Graph.Barabasi(300, 3, directed=False), 2).as_directed()
    log = pd.DataFrame(g0.get_edgelist(), columns=["source", "target"]).astype(str)
    graph = ng.build_graph(log)
    seg = segmentation_from_membership(graph, np.ones(300, dtype=int))
    intra = intra_graph(graph.graph, np.ones(300, dtype=int))
    exact, _ = betweenness(intra, exact_max=1000)
    loose, stats = betweenness(intra, exact_max=100, epsilon=0.2, seed=3)
    assert stats == {"exact": 0, "sampled": 1} and not np.allclose(exact, loose)
    names = np.asarray(graph.graph.vs["name"])

    def column(**kw):
        inf = ng.rank_influencers(graph, seg, seed=3, **kw).set_index("person")
        return inf.loc[names, "betweenness"].to_numpy(), inf

    got, plain = column()
    np.testing.assert_array_equal(got, loose)
    scored = dict(ng.COMPOSITE_WEIGHTS, betweenness=0.1)
    np.testing.assert_array_equal(column(weights=scored)[0], exact)
    np.testing.assert_array_equal(column(exact_max=1000)[0], exact)  # asked for: exact
    with_exact = ng.rank_influencers(graph, seg, seed=3, exact_max=1000)
    assert with_exact["person"].tolist() == plain.index.tolist()  # the same ranks
    # with jobs=2: the same frame
    pd.testing.assert_frame_equal(ng.rank_influencers(graph, seg, seed=3, jobs=2),
                                  plain.reset_index()[with_exact.columns])  # fmt: skip


def test_participation_by_hand():
    # c receives 2 from its own segment (a) and 2 from the other (d): P = 1 - (.5^2 + .5^2)
    g = ig.Graph([(0, 2), (3, 2), (2, 0)], directed=True)
    g.es["weight"] = [2.0, 2.0, 1.0]
    p, outside = participation(g, np.array([0, 0, 0, 1]))
    assert p[2] == pytest.approx(0.5) and outside[2] == pytest.approx(0.5)
    assert p[0] == 0 and outside[0] == 0
    assert p[3] == 0  # receives nothing


def test_roles_and_z():
    z = within_z(np.array([1.0, 1, 1, 1, 1, 1, 1, 1, 1, 30]), np.zeros(10, dtype=int))
    assert z[-1] == pytest.approx(3.0)
    roles = assign_roles(np.array([3.0, 3.0, 0.0, 0.0]), np.array([0.1, 0.5, 0.7, 0.2]))
    assert roles.tolist() == ["segment hub", "connector hub", "connector", "member"]


def _karate_log():
    kc = nx.karate_club_graph()
    pairs = [(a, b) for a, b in kc.edges()] + [(b, a) for a, b in kc.edges()]
    return pd.DataFrame(pairs, columns=["source", "target"]).astype(str)


@pytest.mark.parametrize("seed", [0, 1, 2, 7, 42])
def test_karate_leaders_split_and_ranked_first(seed):
    g = ng.build_graph(_karate_log())
    seg = ng.find_segments(g, seed=seed)
    inf = ng.rank_influencers(g, seg, seed=seed).set_index("person")
    assert inf.loc["0", "segment"] != inf.loc["33", "segment"]
    assert inf.loc["0", "rank"] == 1 and inf.loc["33", "rank"] == 1


def test_ranks_are_a_permutation_and_scores_sorted():
    g = ng.build_graph(_karate_log())
    seg = ng.find_segments(g, min_size=1)
    inf = ng.rank_influencers(g, seg)
    for _, f in inf.groupby("segment"):
        assert sorted(f["rank"]) == list(range(1, len(f) + 1))
        assert f.sort_values("rank")["score"].is_monotonic_decreasing
        assert f["pagerank"].sum() == pytest.approx(1.0)
        assert f["engagement_share"].sum() == pytest.approx(1.0)
    assert len(inf) == 34


def test_score_weights_override_and_validation():
    g = ng.build_graph(_karate_log())
    seg = ng.find_segments(g)
    only_core = ng.rank_influencers(g, seg, weights={"coreness": 1})
    top = only_core[only_core["rank"] == 1]
    assert (
        top.set_index("segment")["coreness"] == only_core.groupby("segment")["coreness"].max()
    ).all()
    with pytest.raises(ng.InputError, match="unknown score component 'likes'"):
        ng.rank_influencers(g, seg, weights={"likes": 1})
    with pytest.raises(ng.InputError, match="must not all be zero"):
        ng.rank_influencers(g, seg, weights={"pagerank": 0})


def test_shortlist():
    inf = pd.DataFrame(
        {
            "segment": [1, 1, 1, 2, 2],
            "rank": [1, 2, 3, 1, 2],
            "person": list("abcde"),
            "in_strength": [2.0, 1.0, 1.0, 1.0, 0.0],
        }
    )
    assert ng.shortlist(inf, top=2)["person"].tolist() == ["a", "b", "d"]  # e: no engagement
    for bad in (0, -3):
        with pytest.raises(ng.InputError, match="top must be a positive integer"):
            ng.shortlist(inf, top=bad)


def _segments_of_many_sizes(seed: int = 11):
    """A graph of 40 segments of 3-150 people (ER inside, a few ties across), weights 0.5-3."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(3, 150, 40)
    memb = np.repeat(np.arange(40), sizes)
    rng.shuffle(memb)  # segments not stored in id order
    n = len(memb)
    e = rng.integers(0, n, (8 * n, 2))
    e = e[(e[:, 0] != e[:, 1]) & ((memb[e[:, 0]] == memb[e[:, 1]]) | (rng.random(len(e)) < 0.05))]
    same = memb[:, None] == np.arange(40)
    for c in range(40):  # make sure each segment has ties inside: a ring
        idx = np.flatnonzero(same[:, c])
        e = np.vstack([e, np.column_stack([idx, np.roll(idx, 1)])])
    e = np.unique(e, axis=0)
    g = ig.Graph(n=n, edges=e.tolist(), directed=True)
    g.es["weight"] = (rng.random(g.ecount()) * 2.5 + 0.5).tolist()
    return g, memb


def _plain_pagerank(intra, damping=0.85, tol=1e-12):
    """Power iterations of all segments together, in id order, to the end: the reference."""
    memb = intra.membership
    k = memb.max() + 1
    size = np.maximum(np.bincount(memb, minlength=k), 1).astype(float)
    out = np.bincount(intra.src, weights=intra.weight, minlength=intra.n)
    m = sp.csr_matrix((intra.weight / out[intra.src], (intra.dst, intra.src)), shape=(intra.n,) * 2)
    x = 1.0 / size[memb]
    for _ in range(1000):
        mass = np.bincount(memb, weights=x, minlength=k)
        dangling = np.bincount(memb, weights=x * (out == 0), minlength=k)
        new = damping * (m @ x) + (((1 - damping) * mass + damping * dangling) / size)[memb]
        done = np.abs(new - x).max() < tol
        x = new
        if done:
            break
    return x / np.bincount(memb, weights=x, minlength=k)[memb]


def test_pagerank_segments_leaving_at_their_fixed_point_change_no_bit(monkeypatch):
    g, memb = _segments_of_many_sizes()
    n = g.vcount()  # and 60 rings of 20 people (at their fixed point in a few iterations)
    g.add_vertices(1200)
    ring = np.arange(n, n + 1200).reshape(60, 20)
    g.add_edges(np.column_stack([ring.ravel(), np.roll(ring, 1, axis=1).ravel()]).tolist())
    g.es.select(_source_ge=n)["weight"] = 1.0
    memb = np.concatenate([memb, np.repeat(np.arange(40, 100), 20)])
    intra = intra_graph(g, memb)
    cuts = []
    cut = measures._rows_cut
    monkeypatch.setattr(measures, "_rows_cut", lambda m, idx, n: cuts.append(n) or cut(m, idx, n))
    pr = pagerank_within(intra)
    assert cuts  # segments did leave the product
    assert np.array_equal(pr, _plain_pagerank(intra))  # bit for bit
    for c in range(0, 100, 3):
        idx = np.flatnonzero(memb == c)
        ref = g.induced_subgraph(idx.tolist()).pagerank(weights="weight")
        np.testing.assert_allclose(pr[idx], ref, atol=1e-10)


def test_global_pagerank_folds_the_never_engaged_and_changes_rounding_only():
    g, memb = _segments_of_many_sizes(14)
    g.add_vertices(300)  # people who only engage (nobody engages them), some with no ties
    rng = np.random.default_rng(14)
    g.add_edges(np.column_stack([np.arange(g.vcount() - 300, g.vcount() - 50),
                                 rng.integers(0, 2000, 250)]).tolist())  # fmt: skip
    g.es.select(weight=None)["weight"] = 2.0
    everyone = intra_graph(g, np.zeros(g.vcount(), dtype=int))
    ref = pagerank_within(everyone)
    assert (np.bincount(everyone.dst, minlength=g.vcount()) == 0).sum() >= 300
    for layout in (None, np.argsort(np.append(memb, np.zeros(300, dtype=int)), kind="stable")):
        np.testing.assert_allclose(pagerank_global(everyone, layout=layout), ref, rtol=1e-9)
    np.testing.assert_allclose(ref, g.pagerank(weights="weight"), atol=1e-10)


def test_exact_betweenness_of_every_segment_is_the_one_it_has_alone():
    g, memb = _segments_of_many_sizes(12)
    b, stats = betweenness(intra_graph(g, memb))
    assert stats == {"exact": 40, "sampled": 0}
    for c in range(40):
        sub = g.induced_subgraph(np.flatnonzero(memb == c).tolist())
        ref = np.asarray(sub.betweenness(weights=(1 / np.asarray(sub.es["weight"])).tolist()))
        size = sub.vcount()
        assert np.array_equal(b[memb == c], ref / ((size - 1) * (size - 2)))  # bit for bit


def test_participation_as_the_sum_over_every_source_segment():
    g, memb = _segments_of_many_sizes(13)
    e = np.asarray(g.get_edgelist())
    w = np.asarray(g.es["weight"])
    p, outside = participation(g, memb)
    total = np.bincount(e[:, 1], weights=w, minlength=len(memb))
    key = e[:, 1] * 40 + memb[e[:, 0]]  # the plain way: one key per (target, source segment)
    uniq, inv = np.unique(key, return_inverse=True)
    k_is = np.bincount(inv, weights=w)
    sq = np.bincount(uniq // 40, weights=(k_is / total[uniq // 40]) ** 2, minlength=len(memb))
    assert np.array_equal(p, np.clip(np.where(total > 0, 1 - sq, 0.0), 0, 1))  # bit for bit
    assert (outside > 0).sum() > 100 and (p > 0).sum() > 100  # ties across segments


def test_percentiles_the_same_whatever_the_segment_labels():
    rng = np.random.default_rng(6)
    seg = rng.integers(0, 50, 2000)
    values = rng.integers(0, 8, 2000).astype(float)
    ref = percentile_within(values, seg)  # small integers: the one-sort path
    for labels in (seg - 10, seg.astype(float)):  # negative, not integers: np.lexsort
        np.testing.assert_array_equal(percentile_within(values, labels), ref)
