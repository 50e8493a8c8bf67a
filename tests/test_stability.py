"""Stability over seeds and the consensus segmentation: planted truth, random graphs, known
answers, invariants."""

import json

import igraph as ig
import numpy as np
import pandas as pd
import pytest

import nichegraph as ng
from nichegraph._random import spawn_seeds
from nichegraph.segments.consensus import segmentation_from_membership
from nichegraph.segments.stability import UNSTABLE_BELOW, run_memberships


@pytest.fixture(scope="module")
def planted(planted):
    """A log with 20 strong planted segments (15% of engagement crosses segments)."""
    sample = planted(n_segments=20, n_rows=20_000, mix=0.15, text=False, seed=2)
    graph = ng.build_graph(sample.log)
    truth = sample.truth.set_index("person")["segment"][list(graph.graph.vs["name"])]
    seg = ng.find_segments(graph, seed=0)
    return graph, truth.to_numpy(), seg, ng.segment_stability(graph, seg, runs=10, seed=0)


def random_like(graph, seed=0):
    """An Erdős–Rényi-style log with the same people count and number of distinct ties."""
    n, m = graph.n_nodes, graph.graph.ecount()
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, n, 3 * m), rng.integers(0, n, 3 * m)
    ties = pd.DataFrame({"source": a, "target": b})
    ties = ties[ties.source != ties.target].drop_duplicates().head(m).astype(str)
    return ng.build_graph(ties)


def test_strong_segments_give_confident_people(planted):
    _, _, seg, st = planted
    assert st.runs == 10 and st.memberships.shape == (10, seg.membership.size)
    assert st.share_confident(0.9) >= 0.95
    assert st.mean_stability >= 0.9 and st.unstable == []


def test_random_graph_is_clearly_less_stable(planted):
    graph, _, _, st = planted
    rnd = random_like(graph)
    assert abs(rnd.graph.ecount() - graph.graph.ecount()) <= 0.01 * graph.graph.ecount()
    rst = ng.segment_stability(rnd, ng.find_segments(rnd, seed=0), runs=10, seed=0)
    assert rst.mean_stability <= st.mean_stability - 0.3
    assert len(rst.unstable) >= 0.5 * len(rst.segments)  # most random "segments" dissolve
    assert rst.share_confident(0.9) <= 0.2


def test_invariants_and_same_seed_same_result(planted):
    graph, _, seg, st = planted
    fringe = seg.membership == ng.FRINGE
    assert np.isnan(st.confidence[fringe]).all() and not np.isnan(st.confidence[~fringe]).any()
    assert ((st.confidence[~fringe] >= 0) & (st.confidence[~fringe] <= 1)).all()
    table = st.segments
    assert table["segment"].tolist() == seg.segments.query("segment != 0")["segment"].tolist()
    assert (table["unstable"] == (table["stability"] < UNSTABLE_BELOW)).all()
    again = ng.segment_stability(graph, seg, runs=10, seed=0)
    assert np.array_equal(again.memberships, st.memberships)
    assert np.array_equal(again.confidence, st.confidence, equal_nan=True)
    assert st.params == {"runs": 10, "seed": 0, "unstable_below": UNSTABLE_BELOW}


def test_known_answer_confidence_and_jaccard():
    # reference: {0,1,2,3} and {4,5,6}; two runs
    g = ig.Graph.Full(7)
    g.es["weight"] = [1.0] * g.ecount()
    seg = segmentation_from_membership(g, np.array([1, 1, 1, 1, 2, 2, 2]), min_size=1)
    runs = np.array(
        [
            [1, 1, 1, 2, 2, 2, 2],  # person 3 joins the other segment
            [1, 1, 1, 1, 2, 2, 0],  # person 6 falls into the fringe
        ]
    )
    st = ng.segment_stability(g, seg, memberships=runs)
    assert st.confidence.tolist() == [1, 1, 1, 0.5, 1, 1, 0.5]
    # segment 1: run 1 best match {0,1,2}: 3/4; run 2 exact: 1 -> 0.875
    # segment 2: run 1 best match {3,4,5,6}: 3/4; run 2 best {4,5}: 2/3 -> 17/24
    assert st.segments["stability"].tolist() == pytest.approx([0.875, 17 / 24])
    assert st.segments["size"].tolist() == [4, 3]


def test_consensus_recovers_planted_segments_and_stops_when_runs_agree(planted):
    graph, truth, seg, st = planted
    cons = ng.consensus_segments(graph, memberships=st.memberships, seed=0)
    nmi = ig.compare_communities(cons.membership, truth, method="nmi")
    assert nmi >= 0.97
    assert nmi >= ig.compare_communities(seg.membership, truth, method="nmi") - 0.01
    assert cons.params["consensus"]["converged"]
    real = cons.segments.query("segment != 0")
    assert real["segment"].tolist() == list(range(1, len(real) + 1))
    assert real["size"].is_monotonic_decreasing and (real["size"] >= 5).all()


def test_consensus_settles_disagreeing_runs():
    """Two groups joined by a bridge person whom half the runs put on each side."""
    g = ig.Graph.Full(6) + ig.Graph.Full(6)
    g.add_edges([(5, 6)])
    g.es["weight"] = [1.0] * g.ecount()
    left, right = [1] * 6 + [2] * 6, [1] * 5 + [2] * 7
    runs = np.array([left, right, left, right, left])
    cons = ng.consensus_segments(g, memberships=runs, min_size=2, seed=0)
    assert cons.params["consensus"]["converged"] and cons.params["consensus"]["rounds"] >= 1
    assert sorted(cons.segments["size"].tolist()) == [6, 6]
    assert len(set(cons.membership[:6])) == 1 and len(set(cons.membership[6:])) == 1


def test_run_memberships_are_seeded_children():
    g = ng.build_graph(ng.load_dataset("brand_chatter").log)
    runs = run_memberships(g, runs=2, seed=5, min_gain=None)
    child = spawn_seeds(5, 2)[1]
    assert np.array_equal(runs[1], ng.find_segments(g, min_gain=None, seed=child).membership)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"runs": 0}, "runs must be a positive integer, got 0"),
        ({"runs": 2, "resolutoin": 2}, "unknown option 'resolutoin'"),
        ({"memberships": np.zeros((2, 3))}, "memberships must be runs x"),
    ],
)
def test_bad_options_are_input_errors(kwargs, message):
    g = ig.Graph.Full(4)
    g.es["weight"] = [1.0] * g.ecount()
    seg = segmentation_from_membership(g, np.array([1, 1, 2, 2]), min_size=1)
    with pytest.raises(ng.InputError, match=message):
        ng.segment_stability(g, seg, **kwargs)


SAMPLE = ng.load_dataset("brand_chatter").path


def test_run_stability_adds_columns_and_is_byte_identical(invoke, tmp_path):
    for name in ("a", "b"):
        res = invoke("run", SAMPLE, "-o", tmp_path / name, "--stability", 3, "--seed", 3)
        assert res.exit_code == 0, res.output
    a, b = tmp_path / "a", tmp_path / "b"
    for f in ("segments.csv", "segment_summary.csv"):
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    segments = pd.read_csv(a / "segments.csv")
    assert list(segments.columns)[:5] == ["person", "segment", "path", "role", "confidence"]
    real = segments.segment > 0
    assert segments.loc[real, "confidence"].between(0, 1).all()
    assert segments.loc[~real, "confidence"].isna().all()
    summary = pd.read_csv(a / "segment_summary.csv")
    assert list(summary.columns)[-2:] == ["stability", "unstable"]
    seg_rows = summary[summary.segment > 0]
    assert (seg_rows["unstable"] == (seg_rows["stability"] < UNSTABLE_BELOW)).all()
    manifest = json.loads((a / "run.json").read_text())
    assert manifest["stability"]["runs"] == 3 and manifest["stability"]["seed"] == 3
    assert manifest["stability"]["mean_stability"] == pytest.approx(seg_rows["stability"].mean())
    assert "stability" in manifest["timings"]
    assert "stability over 3 seeds: mean" in res.output


def test_run_consensus_writes_the_consensus_segments(invoke, tmp_path):
    res = invoke("run", SAMPLE, "-o", tmp_path / "c", "--consensus", "--stability", 4, "-q")
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "c" / "run.json").read_text())
    info = manifest["segmentation"]["consensus"]
    assert info["runs"] == 4 and info["threshold"] == 0.5 and info["converged"]
    assert manifest["parameters"]["consensus"] is True
    segments = pd.read_csv(tmp_path / "c" / "segments.csv", dtype={"path": str})
    real = segments[segments.segment > 0]
    assert (real["path"] == "s" + real["segment"].astype(str)).all()  # flat: path = s + id
    assert manifest["segmentation"]["segments"] == real["segment"].nunique()
    assert "confidence" in segments.columns


def test_analyze_derives_the_stability_runs_from_the_root_seed():
    import nichegraph as ng

    log = ng.load_dataset("brand_chatter").log
    a = ng.analyze(log, stability=3, seed=1).stability
    b = ng.analyze(log, stability=3, seed=1).stability
    c = ng.analyze(log, stability=3, seed=2).stability
    assert a.params["seed"] == 1 and c.params["seed"] == 2
    assert (a.memberships == b.memberships).all()


def test_jobs_give_the_same_runs_and_scan_as_one_job(planted):
    graph, _, _, _ = planted
    noisy = random_like(graph)  # runs differ from seed to seed
    one = run_memberships(noisy, runs=3, seed=4, jobs=1)
    two = run_memberships(noisy, runs=3, seed=4, jobs=2)
    assert np.array_equal(one, two) and not np.array_equal(one[0], one[1])
    a = ng.scan_resolution(graph, resolutions=[0.5, 1, 2], runs=2, seed=1, jobs=1)
    b = ng.scan_resolution(graph, resolutions=[0.5, 1, 2], runs=2, seed=1, jobs=2)
    pd.testing.assert_frame_equal(a.table, b.table)
    with pytest.raises(ng.InputError, match="--jobs must be"):
        run_memberships(graph, runs=2, jobs=-1)


def test_ties_reach_stability_consensus_and_scan():
    """``ties`` travels with the options: the runs, the consensus and the scan segment on the
    same ties as :func:`find_segments` (recorded in their parameters)."""
    from nichegraph.segments import symmetrise

    graph = ng.build_graph(ng.load_dataset("brand_chatter").log)
    seeds = spawn_seeds(3, 2)
    runs = run_memberships(graph, runs=2, seed=3, ties="weights")
    alone = [ng.find_segments(graph, ties="weights", seed=s).membership for s in seeds]
    assert np.array_equal(runs, np.vstack(alone))
    assert not np.array_equal(runs, run_memberships(graph, runs=2, seed=3))  # counts differ
    seg = ng.find_segments(graph, ties="weights", seed=3)
    st = ng.segment_stability(graph, seg, runs=2, seed=3)  # repeats the segmentation's ties
    assert np.array_equal(st.memberships, runs)
    con = ng.consensus_segments(graph, runs=2, seed=3, ties="weights", memberships=runs)
    und = symmetrise(graph.graph, "weights")
    assert con.params["ties"] == "weights"
    assert con.modularity == pytest.approx(und.modularity(con.membership.tolist(), "weight"))
    scan = ng.scan_resolution(graph, resolutions=[1], runs=1, seed=3, ties="weights")
    assert scan.params["ties"] == "weights"
    assert scan.table["modularity"].iloc[0] == round(
        ng.find_segments(graph, ties="weights", seed=spawn_seeds(3, 1)[0]).modularity, 6
    )
