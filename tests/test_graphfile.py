"""Graph files as input: GML, GraphML, GEXF, Pajek and edge lists read as interaction logs."""

import json

import igraph as ig
import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

import nichegraph as ng
from nichegraph.cli import cli

DATA = __import__("pathlib").Path(__file__).parent / "data"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _nmi(seg, labels):
    truth = labels.set_index(labels.columns[0])["leaning"]
    keep = [i for i, n in enumerate(seg.names) if n in truth.index]
    names = [seg.names[i] for i in keep]
    return ig.compare_communities(
        seg.membership[keep].tolist(), pd.factorize(truth[names])[0].tolist(), method="nmi"
    )


def _graph_frame(graph):
    return graph.edges_frame().set_index(["source", "target"]).sort_index()[["weight", "count"]]


@pytest.mark.parametrize(
    "gml, csv, labels",
    [
        ("polbooks.gml", "polbooks_edges.csv", "polbooks_labels.csv"),
        ("polblogs.gml.gz", "polblogs_links.csv.gz", "polblogs_labels.csv"),
    ],
)
def test_real_gml_gives_the_graph_and_the_nmi_of_the_csv_path(gml, csv, labels):
    inter = ng.read_interactions(DATA / gml)
    assert inter.report.format == "gml"
    from_csv = ng.build_graph(ng.read_interactions(DATA / csv))
    from_gml = ng.build_graph(inter)
    pd.testing.assert_frame_equal(_graph_frame(from_gml), _graph_frame(from_csv))
    lab = pd.read_csv(DATA / labels)
    a = ng.find_segments(from_gml, seed=2)
    b = ng.find_segments(from_csv, seed=2)
    assert sorted(a.names) == sorted(b.names)
    assert _nmi(a, lab) == pytest.approx(_nmi(b, lab), abs=1e-9)
    assert _nmi(a, lab) > 0.4  # far above chance on both (Leiden's reference: 0.55 / 0.64)


def test_polbooks_gml_runs_end_to_end_and_inspect_reports_it(tmp_path):
    res = invoke("run", DATA / "polbooks.gml", "-o", tmp_path / "run", "-q")
    assert res.exit_code == 0, res.output
    segs = pd.read_csv(tmp_path / "run" / "segments.csv")
    assert len(segs) == 105 and "Bush vs. the Beltway" in set(segs.person)
    res = invoke("inspect", DATA / "polbooks.gml", "--json")
    report = json.loads(res.output)
    assert report["format"] == "gml" and report["rows_kept"] == 441
    assert report["files"][0]["directed"] is False
    assert (
        "undirected graph: each edge read as one interaction from its first end"
        in (report["problems"])
    )
    res = invoke("inspect", DATA / "polblogs.gml.gz", "--json")
    report = json.loads(res.output)
    assert report["rows_kept"] == 19090 and report["files"][0]["isolated_nodes"] == 266
    assert "266 nodes without any edge are not interactions and left out" in report["problems"]


def _small(directed=True):
    g = nx.DiGraph() if directed else nx.Graph()
    g.add_node(0, label="ann")
    g.add_node(1, label="bo & co")
    g.add_node(2, label="cy🙂")
    g.add_node(3, label="lonely")
    g.add_edge(0, 1, weight=2.5, kind="reply")
    g.add_edge(1, 2, weight=1.0, kind="mention")
    g.add_edge(2, 0, weight=4.0, kind="reply")
    return g


def _write(fmt, path, g):
    names = {n: d["label"] for n, d in g.nodes(data=True)}
    if fmt == "gml":
        nx.write_gml(nx.relabel_nodes(g, names), path)  # networkx writes the name as label
    elif fmt == "graphml":
        nx.write_graphml(nx.relabel_nodes(g, {n: f"n{n}" for n in g}), path)
    elif fmt == "gexf":
        nx.write_gexf(g, path)
    elif fmt == "pajek":
        lines = [f"*Vertices {g.number_of_nodes()}"]
        lines += [f'{n + 1} "{names[n]}"' for n in g]
        lines += ["*Arcs"] + [f"{a + 1} {b + 1} {d['weight']}" for a, b, d in g.edges(data=True)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("fmt, suffix", [("gml", ".gml"), ("graphml", ".graphml"),
                                         ("gexf", ".gexf"), ("pajek", ".net")])  # fmt: skip
def test_each_graph_format_gives_one_interaction_per_edge_with_its_weight(fmt, suffix, tmp_path):
    path = tmp_path / f"small{suffix}"
    _write(fmt, path, _small())
    inter = ng.read_interactions(path)
    assert inter.report.format == fmt
    t = inter.table
    got = sorted(zip(t.source, t.target, t.weight, strict=True))
    assert got == [("ann", "bo & co", 2.5), ("bo & co", "cy🙂", 1.0), ("cy🙂", "ann", 4.0)]
    if fmt != "pajek":  # Pajek has no edge attributes but the weight
        assert sorted(t.kind) == ["mention", "reply", "reply"]
    assert inter.report.files[0]["directed"] is True
    assert inter.report.files[0]["isolated_nodes"] == 1


def test_edge_list_with_comments_and_weights(tmp_path):
    path = tmp_path / "ties.edgelist"
    path.write_text("# who engaged whom\nann bo 2\nbo cy 0.5\nann bo 1\n")
    t = ng.read_interactions(path).table
    assert list(zip(t.source, t.target, t.weight, strict=True)) == [
        ("ann", "bo", 2.0), ("bo", "cy", 0.5), ("ann", "bo", 1.0)
    ]  # fmt: skip
    g = ng.build_graph(ng.read_interactions(path))
    assert g.edges_frame().set_index(["source", "target"])["count"].to_dict() == {
        ("ann", "bo"): 2, ("bo", "cy"): 1
    }  # fmt: skip


def test_format_option_and_bad_graph_files(tmp_path):
    path = tmp_path / "g.txt"
    nx.write_graphml(nx.relabel_nodes(_small(), str), path)
    assert ng.read_interactions(path).report.format == "graphml"  # by content
    empty = tmp_path / "empty.gml"
    nx.write_gml(nx.Graph([(0, 0)]).subgraph([0]).copy(), empty)
    empty.write_text('graph [\n  node [ id 0 label "a" ]\n]\n')
    with pytest.raises(ng.InputError, match="has no edges: a graph file needs edges"):
        ng.read_interactions(empty)
    broken = tmp_path / "broken.gml"
    broken.write_text("graph [\n  node [ id 0 \n")
    with pytest.raises(ng.InputError, match="could not be read as GML"):
        ng.read_interactions(broken)
