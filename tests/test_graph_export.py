"""GEXF and GraphML: round trips through networkx and igraph, attribute hygiene, byte-stable."""

import math

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import nichegraph as ng
from nichegraph.cli import cli
from nichegraph.export import GraphTables, clean_attributes, gexf_text, graphml_text, write_graph

SAMPLE = ng.load_dataset("brand_chatter").path
NODE_ATTRS = {"segment", "path", "segment_label", "role", "score", "rank", "given", "received"}


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "run"
    res = invoke("run", SAMPLE, "-o", out, "-q", "--export", "gexf,graphml")
    assert res.exit_code == 0, res.output
    return out


def _expected(run):
    segs = pd.read_csv(run / "segments.csv", dtype={"person": str, "path": str})
    log = ng.read_interactions(SAMPLE).table
    ties = log[log.source != log.target].groupby(["source", "target"]).size()
    return segs.set_index("person"), ties


@pytest.mark.parametrize("reader", ["gexf", "graphml"])
def test_networkx_reads_back_people_ties_weights_and_segments(run, reader):
    g = (nx.read_gexf if reader == "gexf" else nx.read_graphml)(run / f"network.{reader}")
    segs, ties = _expected(run)
    assert g.is_directed() and set(g.nodes) == set(segs.index)
    assert {(a, b) for a, b in g.edges} == set(ties.index)
    for person, data in g.nodes(data=True):
        assert data["segment"] == segs.loc[person, "segment"]
        assert data["path"] == segs.loc[person, "path"] and isinstance(data["path"], str)
        assert data["role"] == segs.loc[person, "role"]
        assert set(data) >= NODE_ATTRS
    counts = {(a, b): d["count"] for a, b, d in g.edges(data=True)}
    assert counts == ties.to_dict()  # one tie per (source, target), counting its interactions
    graph = ng.build_graph(ng.read_interactions(SAMPLE))
    weights = graph.edges_frame().set_index(["source", "target"])["weight"]
    got = {(a, b): d["weight"] for a, b, d in g.edges(data=True)}
    assert all(math.isclose(got[k], w) for k, w in weights.items())
    if reader == "gexf":  # Gephi's drawing: colour by segment, size by score, a position
        people = list(g.nodes(data=True))
        assert all({"color", "size", "position"} <= set(d["viz"]) for _, d in people)
        by_seg = {}
        for _, d in people:
            c = d["viz"]["color"]
            by_seg.setdefault(d["segment"], set()).add((c["r"], c["g"], c["b"]))
        assert all(len(c) == 1 for c in by_seg.values())  # one colour per segment


def test_igraph_reads_back_the_graphml(run):
    g = ig.Graph.Read_GraphML(str(run / "network.graphml"))
    segs, ties = _expected(run)
    assert g.is_directed() and g.vcount() == len(segs) and g.ecount() == len(ties)
    got = dict(zip(g.vs["id"], g.vs["segment"], strict=True))  # igraph reads numbers as floats
    assert got == {p: float(s) for p, s in segs["segment"].items()}
    assert dict(zip(g.vs["id"], g.vs["path"], strict=True)) == segs["path"].to_dict()
    weights = {(g.vs[e.source]["id"], g.vs[e.target]["id"]): e["weight"] for e in g.es}
    nxg = nx.read_graphml(run / "network.graphml")
    assert weights == {(a, b): d["weight"] for a, b, d in nxg.edges(data=True)}
    assert g.vs["label"] == g.vs["id"]  # the handle is the label


def test_result_to_networkx_and_igraph_carry_the_same_attributes():
    res = ng.analyze(SAMPLE, seed=1)
    g = res.to_networkx()
    seg = res.segments.set_index("person")
    assert {p: d["segment"] for p, d in g.nodes(data=True)} == seg["segment"].to_dict()
    assert all(set(d) >= NODE_ATTRS for _, d in g.nodes(data=True))
    assert all(type(d["score"]) is float and type(d["rank"]) is int for _, d in g.nodes(data=True))
    h = res.to_igraph()
    assert h.vs["name"] == list(g.nodes) and h.vs["segment"] == [d["segment"] for _, d in
                                                                 g.nodes(data=True)]  # fmt: skip
    assert h.ecount() == g.number_of_edges()


def test_same_run_same_bytes_and_the_export_command_agrees(run, tmp_path):
    res = invoke("run", SAMPLE, "-o", tmp_path / "again", "-q", "--export", "gexf,graphml")
    assert res.exit_code == 0
    for name in ("network.gexf", "network.graphml"):
        assert (tmp_path / "again" / name).read_bytes() == (run / name).read_bytes()
    res = invoke("export", run, "--format", "gexf", "-o", tmp_path / "out" / "n.gexf")
    assert res.exit_code == 0 and "people" in res.output
    assert (tmp_path / "out" / "n.gexf").read_bytes() == (run / "network.gexf").read_bytes()


AWKWARD_IDS = ["a&b", "<tag>", 'say "hi"', "émoji🙂", "tab\there", "ctl\x01char", "=1+1"]


def _awkward():
    nodes = pd.DataFrame({
        "id": AWKWARD_IDS,
        "label": ["L"] * 7,  # reserved: becomes attr_label
        "start": [1, 2, 3, 4, 5, 6, 7],  # reserved: would switch GEXF to dynamic mode
        "viz": ["v"] * 7,
        "tags": [["x", "y"], [], None, ("z",), {"k"}, ["<&>"], [1, 2]],
        "mixed": [1, "two", 3.0, None, True, "🙂", float("nan")],
        "np_int": np.arange(7, dtype=np.int32),
        "flag": [True, False] * 3 + [True],
        "maybe_text": [None, "a", None, "b", None, "c", "d"],
    })  # fmt: skip
    edges = pd.DataFrame({"source": AWKWARD_IDS[:-1], "target": AWKWARD_IDS[1:],
                          "weight": np.linspace(0.5, 3, 6), "id": range(6),
                          "kinds": ["a", None, "b", "c", "d", "e"]})  # fmt: skip
    return GraphTables(nodes, edges)


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_awkward_attributes_write_cleanly_and_read_back(fmt, tmp_path):
    path = write_graph(_awkward(), tmp_path / f"g.{fmt}", fmt)
    g = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
    clean = [i.replace("\x01", "\ufffd") for i in AWKWARD_IDS]
    assert list(g.nodes) == clean
    data = dict(g.nodes(data=True))
    first = data["a&b"]
    assert first["attr_label"] == "L" and first["attr_start"] == 1 and first["attr_viz"] == "v"
    assert first["tags"] == "x; y" and data["<tag>"]["tags"] == ""
    assert [data[i]["mixed"] for i in clean] == ["1", "two", "3.0", "", "True", "🙂", ""]
    assert [data[i]["np_int"] for i in clean] == list(range(7))
    assert data["<tag>"]["flag"] is False and first["flag"] is True
    assert data["a&b"]["maybe_text"] == "" and data["<tag>"]["maybe_text"] == "a"
    assert g.number_of_edges() == 6
    assert all(d["attr_id"] in range(6) for _, _, d in g.edges(data=True))
    if fmt == "gexf":
        assert 'mode="static"' in path.read_text() and "dynamic" not in path.read_text()


@pytest.mark.parametrize(
    "tables, message",
    [
        (GraphTables(pd.DataFrame({"id": ["a", "b"], "x": [1.0, float("nan")]}),
                     pd.DataFrame({"source": ["a"], "target": ["b"], "weight": [1.0]})),
         "node attribute 'x' has 1 missing or infinite numbers"),
        (GraphTables(pd.DataFrame({"id": ["a", "a"]}),
                     pd.DataFrame({"source": ["a"], "target": ["a"], "weight": [1.0]})),
         "node id 'a' is given twice"),
        (GraphTables(pd.DataFrame({"id": ["a", "b"]}),
                     pd.DataFrame({"source": ["a"], "target": ["zed"], "weight": [1.0]})),
         "a tie names 'zed', which is not a node"),
        (GraphTables(pd.DataFrame({"id": ["a", "b"]}),
                     pd.DataFrame({"source": ["a"], "target": ["b"], "weight": [np.inf]})),
         "edge attribute 'weight' has 1 missing or infinite numbers"),
        (GraphTables(pd.DataFrame({"id": ["a", "b"], "label": [1, 2], "attr_label": [3, 4]}),
                     pd.DataFrame({"source": ["a"], "target": ["b"], "weight": [1.0]})),
         "node attribute name 'attr_label' is given twice"),
    ],
    ids=["nan", "duplicate-id", "unknown-end", "infinite-weight", "name-clash"],
)  # fmt: skip
@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_bad_attributes_fail_before_any_file_exists(tables, message, fmt, tmp_path):
    with pytest.raises(ng.InputError, match=message):
        write_graph(tables, tmp_path / f"g.{fmt}", fmt)
    assert list(tmp_path.iterdir()) == []


def test_one_type_per_column():
    _, types = clean_attributes(pd.DataFrame({"a": [1, 2], "b": [1, 2.5], "c": [1, "x"],
                                              "d": [True, False], "e": [True, None]}))  # fmt: skip
    assert types == {"a": "long", "b": "double", "c": "string", "d": "boolean", "e": "string"}
    text = gexf_text(_awkward())
    assert text == gexf_text(_awkward()) and graphml_text(_awkward()) == graphml_text(_awkward())
    assert 'lastmodifieddate="2000-01-01"' in text


def test_export_errors_are_one_line(tmp_path, run):
    res = CliRunner().invoke(cli, ["export", str(tmp_path), "--format", "gexf", "-o", "x.gexf"])
    assert res.exit_code == 2 and res.output.count("\n") == 1
    res = CliRunner().invoke(
        cli, ["run", str(SAMPLE), "-o", str(tmp_path / "r"), "--export", "dot"]
    )
    assert res.exit_code == 2
    assert res.output == "Error: unknown --export 'dot'; use gexf and/or graphml\n"
    assert not (tmp_path / "r").exists()


def test_escaping_through_arrow_matches_pythons_regex():
    """Text Arrow can hold is cleaned and escaped by Arrow, the rest by Python's regex: both
    give what one regex pass per cell gives."""
    from nichegraph.export.graphxml import _BAD_XML, _ENTITIES, _SPECIAL, _escape, _text

    cells = pd.Series(['a&b<c>"d"', "tab\there\nnl\rcr", "ctl\x00\x07\x0b\x1f", "\ufffe\uffff",
                       "plain", "🙂 &amp;", "x\ud800y"], dtype=object)  # fmt: skip
    want = [_SPECIAL.sub(lambda m: _ENTITIES[m.group(0)], _BAD_XML.sub("\ufffd", v)) for v in cells]
    assert _escape(_text(cells)).tolist() == want  # one lone surrogate: all through Python
    assert _escape(_text(cells[:-1])).tolist() == want[:-1]  # all through Arrow
    assert _escape(_text(cells[4:5])).tolist() == ["plain"]
