"""The network of a run as tables of people and ties with their segment attributes, and as
networkx / igraph graphs; written as GEXF or GraphML by :mod:`nichegraph.export.graphxml`.

:func:`graph_tables` gives one table of people (node ``id`` = handle, then typed attributes:
``segment``, ``path``, ``segment_label``, ``role``, ``score``, ``rank``, ``given``,
``received``) and one of ties (``source``, ``target``, ``weight``, ``count``, ``kinds`` and a
count per kind), plus the drawing (``x``, ``y`` inside the segment's disc, ``size`` by score,
colour by segment id: :func:`nichegraph.report.svg.segment_colour`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .graphxml import GraphTables, _clean, _text
from .layout import people_positions, segment_layout

__all__ = [
    "graph_tables",
    "graph_tables_from_run",
    "to_igraph",
    "to_networkx",
]


def graph_tables(result: Any) -> GraphTables:
    """The people and ties of an :class:`~nichegraph.AnalysisResult`, with segment attributes.

    >>> import nichegraph as ng
    >>> t = graph_tables(ng.analyze(ng.load_dataset("brand_chatter").log))
    >>> list(t.nodes.columns[:5]), list(t.edges.columns[:4])
    (['id', 'segment', 'path', 'segment_label', 'role'], ['source', 'target', 'weight', 'count'])
    """
    return _tables(result.graph, result.segments, result.summary, result.influencers, result.flows)


def graph_tables_from_run(run_dir: str | os.PathLike[str], *, log: Any = None) -> GraphTables:
    """The graph tables of a run folder: its log is read and aggregated again with the run's
    recorded options (``log`` overrides the recorded input), its segments are not recomputed.
    """
    import json
    from dataclasses import fields

    from ..graph.build import GraphOptions, build_graph
    from ..graph.formats import ReadOptions
    from ..graph.read import read_interactions

    folder = Path(run_dir)
    if not (folder / "run.json").is_file():
        raise InputError(f"{folder} is not a run folder (no run.json); pass the folder `run` wrote")
    manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    if manifest.get("pseudonymised"):
        raise InputError(
            f"{folder} is pseudonymised and its log holds the real handles; export it in the "
            "run itself: nichegraph run LOG -o OUT --pseudonymise --export gexf"
        )
    params = manifest.get("parameters", {})
    if params.get("people") is not None:
        raise InputError(f"{folder} merged people (--people); export it in the run: --export gexf")
    if log is None:
        files = [f["path"] for f in manifest.get("input", {}).get("files", []) if f.get("path")]
        if not files or not all(Path(f).is_file() for f in files):
            raise InputError(
                f"the log of {folder} is not at its recorded path; pass it with --log LOG"
            )
        log = files[0] if len(files) == 1 else files
    read_fields = {f.name for f in fields(ReadOptions)}
    graph_fields = {f.name for f in fields(GraphOptions)}
    inter = read_interactions(log, **{k: v for k, v in params.items() if k in read_fields})
    graph = build_graph(inter, **{k: v for k, v in params.items() if k in graph_fields})

    def table(name: str) -> pd.DataFrame:
        path = folder / f"{name}.csv"
        if path.is_file():
            return pd.read_csv(path, dtype={"person": str, "path": str, "from_path": str,
                                            "to_path": str}, keep_default_na=False,
                               na_values=[""])  # fmt: skip
        parquet = folder / f"{name}.parquet"
        if parquet.is_file():
            return pd.read_parquet(parquet)
        raise InputError(f"{folder} has no {name}.csv; re-run `nichegraph run`")

    segments = table("segments")
    segments["person"] = segments["person"].str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True)
    if set(segments["person"]) != set(graph.names):
        raise InputError(
            f"the log does not give the people of {folder} (it changed since the run?); "
            "pass the run's log with --log LOG"
        )
    infl = table("influencers")
    infl["person"] = infl["person"].str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True)
    return _tables(graph, segments, table("segment_summary"), infl, table("segment_flows"))


def _tables(
    graph: Any,
    segments: pd.DataFrame,
    summary_frame: pd.DataFrame,
    influencers: pd.DataFrame,
    flows: pd.DataFrame | None,
) -> GraphTables:
    from ..report.svg import segment_colour

    names = pd.Series(graph.names, dtype=object)
    seg = segments.set_index("person")
    infl = influencers.set_index("person")
    summary = summary_frame.set_index("segment")
    labels = summary["label"] if "label" in summary else summary["path"]
    segment = names.map(seg["segment"]).to_numpy(dtype=np.int64)
    nodes = pd.DataFrame({"id": names})
    nodes["segment"] = segment
    nodes["path"] = names.map(seg["path"]).astype(str).to_numpy()
    nodes["segment_label"] = pd.Series(segment).map(labels).fillna("").astype(str).to_numpy()
    nodes["role"] = names.map(seg["role"]).fillna("fringe").astype(str).to_numpy()
    nodes["score"] = _six(names.map(infl["score"]).fillna(0.0))  # as the CSV files hold it
    nodes["rank"] = names.map(infl["rank"]).fillna(0).to_numpy(dtype=np.int64)
    if "confidence" in seg:
        nodes["confidence"] = _six(names.map(seg["confidence"]).fillna(0.0))
    g = graph.graph
    for attr in ("given", "received"):
        if attr in g.vs.attributes():
            nodes[attr] = np.asarray(g.vs[attr], dtype=float)
    edges = graph.edges_frame()
    kinds = [c for c in edges.columns if c.startswith("n_")]
    if kinds:
        joined = pd.Series("", index=edges.index, dtype=object)
        for c in kinds:
            joined = joined + np.where(edges[c].to_numpy() > 0, c[2:] + ";", "")
        edges.insert(4, "kinds", joined.str.rstrip(";"))
    sizes = summary_frame[summary_frame["segment"] != 0].set_index("segment")["size"]
    layout = segment_layout(sizes, flows)
    order = nodes.assign(_i=np.arange(len(nodes))).sort_values(
        ["segment", "score", "id"], ascending=[True, False, True], kind="mergesort"
    )
    within = order.groupby("segment", sort=False).cumcount().to_numpy() + 1
    rank_in = np.empty(len(nodes), dtype=np.int64)
    rank_in[order["_i"].to_numpy()] = within
    x, y = people_positions(segment, rank_in, layout)
    colours = pd.Series(segment).map({s: segment_colour(s) for s in np.unique(segment)})
    viz = pd.DataFrame({"x": x, "y": y, "size": np.round(2.0 + 18.0 * nodes["score"], 3),
                        "color": colours.to_numpy()})  # fmt: skip
    return GraphTables(nodes, edges, viz, directed=True)


def _six(values: pd.Series) -> np.ndarray:
    """Floats at 6 significant digits (what a run's CSV holds), so a run and a later export
    from its folder give the same bytes."""
    return np.char.mod("%.6g", values.to_numpy(dtype=float)).astype(float)


def _typed(tables: GraphTables) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node and edge attribute frames with Python-typed values, after the same hygiene."""
    c = _clean(tables)
    conv = {"long": int, "double": float, "boolean": lambda v: v == "true", "string": None}

    def typed(frame: pd.DataFrame, types: dict[str, str], raw: pd.DataFrame) -> pd.DataFrame:
        out = {}
        for name, kind in types.items():
            f = conv[kind]
            out[name] = frame[name].map(f) if f else _text(raw.iloc[:, list(types).index(name)])
        return pd.DataFrame(out)

    nodes = typed(c.node_attrs, c.node_types, tables.nodes.drop(columns="id"))
    if tables.viz is not None:
        nodes["x"], nodes["y"] = tables.viz["x"].astype(float).to_numpy(), tables.viz["y"].astype(
            float).to_numpy()  # fmt: skip
        nodes["size"] = tables.viz["size"].astype(float).to_numpy()
        nodes["color"] = tables.viz["color"].astype(str).to_numpy()
    edges = typed(c.edge_attrs, c.edge_types,
                  tables.edges.drop(columns=["source", "target", "weight"]))  # fmt: skip
    edges.insert(0, "weight", tables.edges["weight"].astype(float).to_numpy())
    return nodes, edges


def to_networkx(tables: GraphTables) -> Any:
    """A ``networkx.DiGraph`` (by handle) with the same node and edge attributes."""
    import networkx as nx

    nodes, edges = _typed(tables)
    g = nx.DiGraph() if tables.directed else nx.Graph()
    ids = _text(tables.nodes["id"].reset_index(drop=True)).tolist()
    g.add_nodes_from(zip(ids, nodes.to_dict("records"), strict=True))
    src = _text(tables.edges["source"].reset_index(drop=True)).tolist()
    dst = _text(tables.edges["target"].reset_index(drop=True)).tolist()
    g.add_edges_from(zip(src, dst, edges.to_dict("records"), strict=True))
    return g


def to_igraph(tables: GraphTables) -> Any:
    """An ``igraph.Graph`` (vertex ``name`` = handle) with the same attributes."""
    import igraph as ig

    nodes, edges = _typed(tables)
    ids = _text(tables.nodes["id"].reset_index(drop=True)).tolist()
    pos = {v: i for i, v in enumerate(ids)}
    src = _text(tables.edges["source"].reset_index(drop=True)).map(pos).tolist()
    dst = _text(tables.edges["target"].reset_index(drop=True)).map(pos).tolist()
    g = ig.Graph(n=len(ids), edges=list(zip(src, dst, strict=True)), directed=tables.directed)
    g.vs["name"] = ids
    for col in nodes.columns:
        g.vs[col] = nodes[col].tolist()
    for col in edges.columns:
        g.es[col] = edges[col].tolist()
    return g
