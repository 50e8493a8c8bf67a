"""Leiden micro-segmentation: invariants, planted truth, real labelled networks."""

from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd
import pytest

import nichegraph as ng
from nichegraph.segments import symmetrise

DATA = Path(__file__).parent / "data"


def planted_graph(n_seg=40, mu=0.2, avg_degree=12, seed=0):
    """Directed planted partition: heavy-tailed sizes 10..500, share ``mu`` of ties leave."""
    rng = np.random.default_rng(seed)
    sizes = np.clip((10 * (1 - rng.random(n_seg)) ** (-1 / 0.8)).astype(int), 10, 500)
    sizes[0] = 500
    truth = np.repeat(np.arange(n_seg), sizes)
    n = len(truth)
    m = n * avg_degree // 2
    act = rng.pareto(2.0, n) + 1
    src = rng.choice(n, m, p=act / act.sum())
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    inside = starts[truth[src]] + (rng.random(m) * sizes[truth[src]]).astype(int)
    tgt = np.where(rng.random(m) < mu, rng.integers(0, n, m), inside)
    log = pd.DataFrame({"source": src, "target": tgt}).astype(str)
    return log, pd.Series(truth, index=[str(i) for i in range(n)])


def nmi(a, b):
    return ig.compare_communities(list(a), list(b), method="nmi")


@pytest.fixture(scope="module")
def planted():
    log, truth = planted_graph()
    g = ng.build_graph(log)
    return g, truth


def test_invariants(planted):
    g, _ = planted
    seg = ng.find_segments(g, seed=3)
    frame = seg.to_frame()
    assert len(frame) == g.n_nodes and frame["person"].is_unique
    table = seg.segments
    real = table[table["segment"] != ng.FRINGE]
    # ids 1..k ordered by size, largest first
    assert real["segment"].tolist() == list(range(1, len(real) + 1))
    assert real["size"].is_monotonic_decreasing
    sizes = frame[frame["segment"] != 0].groupby("segment").size()
    assert (sizes.sort_index().to_numpy() == real["size"].to_numpy()).all()
    assert (real["size"] >= 5).all()
    # paths are unique and a child's parent is a prefix of its path
    assert real["path"].is_unique
    for path, parent in zip(real["path"], real["parent"], strict=True):
        assert path.startswith(parent + ".") if parent else "." not in path
    # every segment is connected in the symmetrised graph
    und = symmetrise(g.graph)
    for s in real["segment"]:
        members = np.flatnonzero(seg.membership == s).tolist()
        assert und.induced_subgraph(members).is_connected()
    # quality figures are in range
    assert ((real["conductance"] >= 0) & (real["conductance"] <= 1)).all()
    assert ((real["density"] > 0) & (real["density"] <= 1)).all()
    assert 0.3 < seg.modularity < 1


def test_same_seed_same_segments_other_seed_still_good(planted):
    g, truth = planted
    a = ng.find_segments(g, seed=11)
    b = ng.find_segments(g, seed=11)
    assert np.array_equal(a.membership, b.membership)
    assert list(a.paths) == list(b.paths)
    pd.testing.assert_frame_equal(a.segments, b.segments)
    c = ng.find_segments(g, seed=12)
    assert nmi(c.membership, truth[list(c.names)]) > 0.95


def test_structure_tested_splits_beat_plain_and_blind_splitting(planted):
    g, truth = planted
    t = truth[list(g.names)].to_numpy()
    refined = ng.find_segments(g, min_size=1, seed=0)
    plain = ng.find_segments(g, min_gain=None, min_size=1, seed=0)
    blind = ng.find_segments(g, min_gain=None, max_size=100, min_size=1, seed=0)
    assert nmi(refined.membership, t) >= 0.98
    assert nmi(refined.membership, t) > nmi(plain.membership, t)
    assert nmi(blind.membership, t) < nmi(refined.membership, t) - 0.1
    assert refined.splits_kept >= 1
    # the hard cap is respected wherever Leiden can split
    assert blind.segments["size"].max() <= 100


def test_jobs_give_the_same_segments(planted, monkeypatch):
    """A level's buckets split side by side in forked workers: the segments of one process."""
    from nichegraph._parallel import forks
    from nichegraph.segments import split

    g, _truth = planted
    monkeypatch.setattr(split, "FORK_MIN_TIES", 0)  # fork even on this small graph
    one = ng.find_segments(g, seed=5, jobs=1, max_size=150)  # max_size: forced splits too
    assert forks(2, split.BUCKETS)  # jobs=2 below does run in two worker processes
    two = ng.find_segments(g, seed=5, jobs=2, max_size=150)
    assert one.splits_tried >= 5
    assert np.array_equal(one.membership, two.membership)
    assert list(one.paths) == list(two.paths)
    pd.testing.assert_frame_equal(one.segments, two.segments)
    with pytest.raises(ng.InputError, match="--jobs must be"):
        ng.find_segments(g, jobs=-1)


def _kinds_against_counts():
    """Four groups of six, each a clique of ``chat`` ties (weight 1, ten interactions each);
    groups 0-1 and 2-3 are also tied person to person by ``ping`` ties (weight 10, one
    interaction each), and one ``chat`` joins groups 1 and 2. In interactions the cliques stand
    apart (150 inside each, 36 to the partner group); in weights the pings outweigh them."""
    rows = []
    for g in range(4):
        rows += [(f"{g}{i}", f"{g}{j}", "chat") for i in range(6) for j in range(i + 1, 6)] * 10
    for a, b in ((0, 1), (2, 3)):
        rows += [(f"{a}{i}", f"{b}{j}", "ping") for i in range(6) for j in range(6)]
    rows.append(("15", "20", "chat"))
    log = pd.DataFrame(rows, columns=["source", "target", "kind"])
    return ng.build_graph(log, kind_weights={"chat": 1, "ping": 10})


@pytest.mark.parametrize("jobs", [1, 2])
def test_ties_weights_or_interactions(jobs, monkeypatch):
    """``ties="interactions"`` (default) finds the cliques; ``ties="weights"`` follows the
    kind weights (boosted pairs of groups), and modularity is measured on the ties used."""
    from nichegraph.segments import split

    monkeypatch.setattr(split, "FORK_MIN_TIES", 0)  # jobs=2 forks even here
    g = _kinds_against_counts()
    group = pd.Series([n[0] for n in g.names], index=list(g.names))
    by_counts = ng.find_segments(g, seed=3, jobs=jobs)
    by_weights = ng.find_segments(g, seed=3, jobs=jobs, ties="weights")
    assert by_counts.params["ties"] == "interactions" and by_weights.params["ties"] == "weights"
    found = by_counts.to_frame().set_index("person")["segment"]
    assert by_counts.n_segments == 4 and found.groupby(group).nunique().eq(1).all()
    found = by_weights.to_frame().set_index("person")["segment"]
    pairs = group.map({"0": "a", "1": "a", "2": "b", "3": "b"})
    assert by_weights.n_segments == 2 and found.groupby(pairs).nunique().eq(1).all()
    for seg, ties in ((by_counts, "interactions"), (by_weights, "weights")):
        und = symmetrise(g.graph, ties)
        assert seg.modularity == pytest.approx(und.modularity(seg.membership.tolist(), "weight"))
        assert seg.segments["internal_weight"].sum() == pytest.approx(
            sum(und.es["weight"]) - seg.segments["external_weight"].sum() / 2
        )
    # the same graph without interaction counts: interactions fall back to the weights
    bare = g.graph.copy()
    del bare.es["count"]
    same = ng.find_segments(bare, seed=3, jobs=jobs)
    assert np.array_equal(same.membership, by_weights.membership)


def test_fringe_holds_small_groups():
    log = pd.DataFrame(
        {"source": [*list("abcdxy"), "a", "b"], "target": [*list("bcdayz"), "c", "d"]}
    )
    seg = ng.find_segments(ng.build_graph(log), min_size=4)
    frame = seg.to_frame().set_index("person")
    assert frame.loc[["x", "y", "z"], "segment"].tolist() == [0, 0, 0]
    assert frame.loc[["x", "y", "z"], "path"].tolist() == ["fringe"] * 3
    assert seg.fringe_size == 3 and seg.n_segments == 1
    assert seg.segments.iloc[-1]["path"] == "fringe"


def test_backends_agree(planted):
    g, _truth = planted
    a = ng.find_segments(g, backend="igraph", seed=1)
    b = ng.find_segments(g, backend="leidenalg", seed=1)
    assert nmi(a.membership, b.membership) > 0.95
    assert b.params["versions"]["leidenalg"]


def test_cpm_objective_finds_denser_groups(planted):
    g, truth = planted
    seg = ng.find_segments(g, objective="cpm", resolution=0.004, min_gain=None, seed=0)
    assert seg.params["objective"] == "cpm"
    assert nmi(seg.membership, truth[list(seg.names)]) > 0.95


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"objective": "infomap"}, "objective must be one of"),
        ({"backend": "networkx"}, "backend must be one of"),
        ({"ties": "count"}, "ties must be one of interactions, weights, got 'count'"),
        ({"resolution": 0}, "resolution must be a positive number"),
        ({"min_size": 0}, "min_size must be an integer >= 1"),
        ({"max_size": 1}, "max_size must be an integer >= 2"),
        ({"seed": -1}, "seed must be a non-negative integer"),
    ],
)
def test_bad_options(planted, kwargs, message):
    with pytest.raises(ng.InputError, match=message):
        ng.find_segments(planted[0], **kwargs)


def _labelled(edges, labels, key, both_ways):
    log = pd.read_csv(edges)
    if both_ways:
        log = pd.concat([log, log.rename(columns={"source": "target", "target": "source"})])
    lab = pd.read_csv(labels)
    lab = lab.set_index(lab[key].str.strip())["leaning"]  # the reader strips handles too
    return ng.build_graph(log), lab


def test_polbooks_against_ground_truth():
    g, lab = _labelled(DATA / "polbooks_edges.csv", DATA / "polbooks_labels.csv", "book", True)
    scores = []
    for seed in range(5):
        seg = ng.find_segments(g, min_gain=None, min_size=1, seed=seed)
        scores.append(nmi(seg.membership, pd.factorize(lab[list(seg.names)])[0]))
    # reference (shared/STYLE.md): Leiden NMI 0.553, mean of 10 seeds
    assert np.mean(scores) > 0.5


def test_polblogs_largest_component_against_ground_truth():
    g, lab = _labelled(DATA / "polblogs_links.csv.gz", DATA / "polblogs_labels.csv", "blog", False)
    und = symmetrise(g.graph)
    lcc = max(und.connected_components(), key=len)
    sub_log = g.edges_frame()
    names = np.asarray(g.names)[lcc]
    sub_log = sub_log[sub_log.source.isin(names) & sub_log.target.isin(names)]
    g = ng.build_graph(sub_log[["source", "target"]])
    assert g.n_nodes == 1222
    seg = ng.find_segments(g, seed=0)
    truth = pd.factorize(lab[list(seg.names)])[0]
    top_level = pd.factorize(pd.Series([p.split(".")[0] for p in seg.paths]))[0]
    # reference (shared/STYLE.md): Leiden on the LCC, NMI 0.638
    assert nmi(top_level, truth) > 0.6
    # micro-segments are politically homogeneous
    frame = pd.DataFrame({"segment": seg.membership, "truth": truth})
    frame = frame[frame.segment != 0]
    purity = frame.groupby("segment")["truth"].agg(lambda s: s.value_counts().iloc[0]).sum()
    assert purity / len(frame) > 0.93
