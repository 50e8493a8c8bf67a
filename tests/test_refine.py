"""The final refinement of the leaves (nichegraph/segments/refine.py): moves, connectivity,
the hierarchy it leaves behind, and what it buys against planted truth."""

import igraph as ig
import numpy as np
import pandas as pd

import nichegraph as ng
from nichegraph.segments import refine, symmetrise
from nichegraph.segments.refine import refine_membership


def test_one_tie_people_join_their_neighbour_and_the_isolated_stay():
    # two triangles 0-1-2 and 3-4-5; 6 tied only to 4 but labelled with the first; 7 has no tie
    u = np.array([0, 1, 0, 3, 4, 3, 6])
    v = np.array([1, 2, 2, 4, 5, 5, 4])
    label = np.array([0, 0, 0, 1, 1, 1, 0, 0])
    out = refine_membership(u, v, np.ones(7), label)
    assert out.tolist() == [0, 0, 0, 1, 1, 1, 1, 0]
    assert refine_membership(u, v, np.ones(7), out).tolist() == out.tolist()  # a fixed point


def test_a_hub_pulled_away_takes_the_ends_it_leaves_alone():
    # label 0 is the path 0-1-2; 1 has three ties into the triangle 3-4-5 (label 1); a ring of
    # 30 (label 2) makes the graph large enough that modularity follows the majority
    ring = np.arange(6, 36)
    u = np.r_[[0, 1, 1, 1, 1, 3, 4, 3], ring]
    v = np.r_[[1, 2, 3, 4, 5, 4, 5, 5], np.roll(ring, 1)]
    label = np.r_[[0, 0, 0, 1, 1, 1], np.full(30, 2)]
    out = refine_membership(u, v, np.ones(len(u)), label)
    assert out[:6].tolist() == [1] * 6 and (out[6:] == 2).all()


def test_a_piece_cut_off_joins_the_label_it_is_tied_to_or_nothing_moves():
    # label 0 holds 0 and 2, apart (their link 1 is in label 1): the piece of the higher id,
    # {2}, joins label 1; a label made of two pieces with no other tie cannot settle
    u, v, w = np.array([0, 1, 3]), np.array([1, 2, 4]), np.ones(3)
    label = np.array([0, 1, 0, 2, 2])
    out = refine._reconnect(u, v, w, label, label.copy())
    assert out.tolist() == [0, 1, 1, 2, 2]
    apart = np.array([0, 0, 0, 1, 0])  # 3-4 is one piece of label 1 and 0; 4 is cut off
    assert refine._reconnect(u, v, w, label, apart).tolist() == [0, 0, 0, 1, 1]
    alone = np.array([0, 0, 0, 1, 1, 0])  # vertex 5 has no tie at all
    assert refine._reconnect(u, v, w, alone, alone.copy()).tolist() == alone.tolist()


def test_people_leave_their_top_level_community_with_a_consistent_path(planted):
    sample = planted(n_segments=30, n_rows=20_000, mix=0.2, activity="zipf",
                     size_distribution="lognormal", max_size=800, text=False, seed=4)  # fmt: skip
    graph = ng.build_graph(sample.log)
    seg = ng.find_segments(graph, seed=4)
    table = seg.segments.set_index("segment")
    frame = seg.to_frame()
    # every person's path is their segment's path, and segments are connected
    real = frame[frame["segment"] != ng.FRINGE]
    assert (real["path"].to_numpy() == table.loc[real["segment"], "path"].to_numpy()).all()
    und = symmetrise(graph.graph)
    for s in table.index[table.index != ng.FRINGE]:
        assert und.induced_subgraph(np.flatnonzero(seg.membership == s).tolist()).is_connected()
    # the same run without the refinement: some people moved, across top-level communities
    plain = ng.find_segments(graph, seed=4, max_size=10**9)  # a cap turns the refinement off
    path, path_plain = pd.Series(seg.paths), pd.Series(plain.paths)  # a leaf keeps its path
    moved = path != path_plain
    assert 0 < moved.sum() < 0.2 * len(moved)
    top, top_plain = path.str.split(".").str[0], path_plain.str.split(".").str[0]
    assert (top[moved] != top_plain[moved]).any()
    # and the planted segments are recovered better
    truth = sample.truth.set_index("person")["segment"][list(seg.names)].to_numpy()
    score = ig.compare_communities(seg.membership.tolist(), truth.tolist(), "nmi")
    before = ig.compare_communities(plain.membership.tolist(), truth.tolist(), "nmi")
    assert score > before
